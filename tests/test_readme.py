"""The pipeline diagram of README.md and docs/architecture.md is the one DVC draws from dvc.yaml; the commands the
README and the adding-data guide give are the ones that work as typed."""

import re

import pytest

from pipeline import paths, readme

GUIDES = (paths.README, paths.ROOT / "docs" / "adding-data.md")


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
    """The README's worked examples (and docs/brazil-data-quality.md, moved out of it) quote counts from the outputs
    (a flagged unit's men, a corrected national count): each count of 1,000 or more is in an output as written or as
    a plain number, or is listed in DERIVED with how it was recomputed. A rebuild that moves one (new data, another
    rule) fails here until the README says the new one."""
    import re

    from pipeline import paths

    text = "\n".join(path.read_text(encoding="utf-8") for path in (paths.README, paths.BRAZIL_DATA_QUALITY_GUIDE))
    quoted = set(re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?!\d)", text))
    held = "\n".join(path.read_text(encoding="utf-8", errors="ignore") for folder in OUTPUTS
                     for path in (paths.ROOT / folder).rglob("*") if path.suffix in (".csv", ".md", ".json", ".ipynb"))
    missing = sorted(n for n in quoted - DERIVED.keys() if n not in held and n.replace(",", "") not in held)
    assert missing == [], f"the README quotes {missing}, which no output holds: update it (or DERIVED)"
    assert DERIVED.keys() <= quoted, "DERIVED lists a count the README no longer quotes"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda guide: guide.name)
def test_every_python_command_a_guide_gives_runs_the_checkouts_venv(guide):
    """`python -m pipeline.…` typed in a shell without the venv activated runs the system's Python, which lacks the
    libraries (a newcomer followed the README's snapshot command so): the guides write `.venv/bin/python`."""
    text = guide.read_text(encoding="utf-8")
    assert re.findall(r"(?<![\w/.])python3? -m pipeline\S*", text) == []
    assert ".venv/bin/python -m pipeline.changes" in text


@pytest.mark.parametrize("guide", GUIDES, ids=lambda guide: guide.name)
def test_every_experiment_a_guide_gives_runs_in_a_temporary_copy(guide):
    """`dvc exp run` without `--temp` applies the experiment to the work tree (params.yaml rewritten by DVC, the
    outputs rebuilt): a newcomer ran the README's line "try a definition without editing params.yaml" and found
    70 committed files changed. Every experiment the guides give runs with `--temp`; the README says what happens
    without it."""
    commands = re.findall(r"^(?:\.venv/bin/)?dvc exp run.*$", guide.read_text(encoding="utf-8"), re.M)
    assert all("--temp" in command for command in commands), commands
    if guide == paths.README:
        assert len(commands) >= 2 and "Without it, `dvc exp run` applies the experiment to your work tree" in \
            guide.read_text(encoding="utf-8").replace("\n", " ")


def test_the_readme_points_to_the_brazil_findings_it_moved_out():
    """The README's Brazil data-quality narrative (about 120 lines before "Rerunning one part") moved to its own page:
    a newcomer found the README long and technical before the sections a researcher needs."""
    readme = paths.README.read_text(encoding="utf-8")
    assert "[docs/brazil-data-quality.md](docs/brazil-data-quality.md)" in readme
    guide = paths.BRAZIL_DATA_QUALITY_GUIDE.read_text(encoding="utf-8")
    assert guide.startswith("# Brazil (SISDEPEN): what the data-quality rules find, unit by unit")
    assert "Centro de Ressocialização do Agreste" in guide and "Centro de Ressocialização do Agreste" not in readme


def test_the_readme_gives_the_suppression_threshold_params_yaml_sets():
    """A newcomer read "`disclosure.min_cell` (at least 3)" as the threshold, which params.yaml sets to 5 (3 is the
    least it accepts): the README gives both, and the value is the file's."""
    from pipeline import params
    from pipeline.settings import Disclosure

    text = " ".join(paths.README.read_text(encoding="utf-8").split())
    assert f"`disclosure.min_cell` people ({params.read(Disclosure).min_cell} in params.yaml; a value under " \
        f"{Disclosure.model_fields['min_cell'].metadata[0].ge} is refused)" in text
