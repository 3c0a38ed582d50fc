"""The pipeline diagram of README.md and docs/architecture.md is the one DVC draws from dvc.yaml."""

import pytest

from pipeline import readme


@pytest.mark.parametrize("document", readme.DOCUMENTS, ids=lambda document: document.name)
def test_the_diagram_is_current(document):
    text = document.read_text(encoding="utf-8")
    assert "<!-- dag:start" in text
    assert readme.with_diagram(text, readme.diagram()) == text, "run `make readme` and commit it"


def test_the_diagram_leaves_out_the_code_stage_and_says_so():
    drawn = ('```mermaid\nflowchart TD\n\tnode1["brazil"]\n\tnode2["code"]\n\tnode3["codebook"]\n\tnode2-->node1\n'
             '\tnode2-->node3\n\tnode1-->node3\n\tnode12-->node3\n```')
    assert readme.without_stage(drawn, "code") == ('```mermaid\nflowchart TD\n\tnode1["brazil"]\n\tnode3["codebook"]\n'
                                                   '\tnode1-->node3\n\tnode12-->node3\n```')
    assert readme.without_stage(drawn, "values") == drawn
    diagram = readme.diagram()
    assert '["code"]' not in diagram and '["codebook"]' in diagram and diagram.endswith(readme.LEFT_OUT)


# Counts the README quotes that no output holds as written, each with how it was recomputed (2026-12-06, from
# data/interim/sisdepen.parquet, data/interim/brazil/units.parquet, the UNODC file and tab-08 / tab-22).
DERIVED = {
    "10,741": "unit-semesters whose men by age group (block 5.1, sum > 0) equal their men of block 4.1",
    "12,678": "unit-semesters whose men by age group (block 5.1) sum above 0",
    "12,892": "tab-08, 2020: UNODC's 41,580 women less SISDEPEN's 28,688 in cells",
    "14,774": "the Agreste unit's men's qualified-robbery incidences, December 2018 (data/interim/sisdepen.parquet)",
    "35,212": "tab-22: the men in cells of the `unit_repeat` rows of December 2018, summed",
    "465,842": "block 1.3 places of the units counted in cells, December 2021, women's and men's",
    "466,529": "UNODC's official prison capacity for Brazil, 2021 (data/raw/unodc_prisons, 'WPB-ICPR')",
    "95,500": "an example: the upper end of '95,000' read to the thousand",
}
OUTPUTS = ("reports/tables", "reports/notebooks", "reports/metrics", "reports/values", "figures", "data/processed")


def test_every_count_the_readme_quotes_is_in_the_outputs():
    """The README's worked examples quote counts from the outputs (a flagged unit's men, a corrected national count):
    each count of 1,000 or more is in an output as written or as a plain number, or is listed in DERIVED with how it
    was recomputed. A rebuild that moves one (new data, another rule) fails here until the README says the new one."""
    import re

    from pipeline import paths

    quoted = set(re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?!\d)", paths.README.read_text(encoding="utf-8")))
    held = "\n".join(path.read_text(encoding="utf-8", errors="ignore") for folder in OUTPUTS
                     for path in (paths.ROOT / folder).rglob("*") if path.suffix in (".csv", ".md", ".json", ".ipynb"))
    missing = sorted(n for n in quoted - DERIVED.keys() if n not in held and n.replace(",", "") not in held)
    assert missing == [], f"README.md quotes {missing}, which no output holds: update the README (or DERIVED)"
    assert DERIVED.keys() <= quoted, "DERIVED lists a count the README no longer quotes"
