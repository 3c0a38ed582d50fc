"""A chapter notebook's prose states no number that the data decide. Markdown is fixed text: a count, a share or a
year of the data written there stays as it was when a new UNODC file, census or semester arrives, and nothing fails
(the notebooks once said "women are about one in five people for trafficking", "UNODC's series runs to 2021" and
"Pernambuco's Centro de Ressocialização do Agreste, December 2018: 15,917 offences"). Such a number belongs in a code
cell, computed from the chapter's tables (pipeline/chapters/<chapter>/notes.py). Every number the markdown may state
is listed here with why it does not depend on the data (a ratio or fraction in words too); a new one fails until it
is computed or listed."""

from __future__ import annotations

import re

import nbformat
import pytest

from pipeline import paths
from pipeline.chapters.regional.build import GROWTH_BASE_YEAR
from pipeline.chapters.regional.notes import PANDEMIC_YEARS
from pipeline.sources import published

# A number as prose writes it: digits with thousands commas or a decimal point, and a percent sign.
NUMBER = re.compile(r"(?<![\w.-])\d(?:[\d,.]*\d)?%?(?![\w])")
# The same in words: a ratio or a fraction ("about one in five", "four times the people", "almost half").
SMALL = "(?:one|two|three|four|five|six|seven|eight|nine|ten)"
IN_WORDS = re.compile(rf"\b(?:(?:one|a) in {SMALL}|{SMALL} times|twice|half|a third|a quarter|two thirds|"
                      r"three quarters|doubled?|tripled?|quadrupled?)\b", re.IGNORECASE)
CODE = re.compile(r"`[^`]*`")  # a parameter's or a file's name in backticks is a name, not a statement
# A table or figure of the briefing named by its number ("table 28") is a name too; UNODC's "table 10.1" is not one.
BRIEFING_ITEM = re.compile(r"\b(?:table|figure) \d+(?!\d|\.\d)", re.IGNORECASE)
BRIEFING = "the briefing's own figure"  # each of these is checked against the published-figures registry below

# Every number each notebook's markdown states, with why it is fixed. A briefing figure names its registry id.
FIXED = {
    "argentina_sneep": {
        "2015": f"{BRIEFING}: the year of arg-011 and arg-013, the briefing's base census",
        "31": "SNEEP's census day, 31 December (the census's definition)",
        "2,996": f"{BRIEFING}: arg-011", "37%": f"{BRIEFING}: arg-013", "4,391": f"{BRIEFING}: arg-014",
        "38%": f"{BRIEFING}: arg-016", "2022": f"{BRIEFING}: the year of arg-014 and arg-016",
        "47%": f"{BRIEFING}: arg-017",
        "50%": "arithmetic on the briefing's figures alone (arg-017's note: 37% of 2,996 and 38% of 4,391)",
    },
    "brazil_sisdepen": {
        "2019": "the briefing's claim: growth 'from 2019' (claimed_monitoring_growth_pct)",
        "2022": "the briefing's claim: growth to 2022 (claimed_monitoring_growth_pct)",
        "2016": "the June 2016 file, an older survey the variable dictionary does not cover (a fact of that file)",
        "1.3": "a block of the SISDEPEN form", "4.1": "a block of the SISDEPEN form",
        "5.1": "a block of the SISDEPEN form", "5.14": "a block of the SISDEPEN form",
        "33": "an article of Brazil's drug law (Law 11.343)", "35": "an article of Brazil's drug law (Law 11.343)",
        "twice": "the unit_copy rule's definition: one form's counts written twice",
    },
    "regional": {
        "100,000": "the unit of every rate",
        str(GROWTH_BASE_YEAR): "table 1's fixed growth base (GROWTH_BASE_YEAR; its column is named for it)",
        **{str(year): "a year of COVID-19 releases (PANDEMIC_YEARS)" for year in PANDEMIC_YEARS},
    },
    "uruguay_observatory": {
        "2020": "the year of the LUC (Law 19,889, in force July 2020)",
        "10.1": "the number of UNODC's World Drug Report table",
    },
    "country_profile": {},
}
# The briefing's figures the list above names, as the registry holds them.
BRIEFING_FIGURES = {"arg-011": ("2015", 2996), "arg-013": ("2015", 37), "arg-014": ("2022", 4391),
                    "arg-016": ("2022", 38), "arg-017": ("2015/2022", 47)}


def numbers_in_markdown(name: str) -> dict[str, list[str]]:
    """Each number the notebook's markdown states, with the ids of the cells that state it."""
    found: dict[str, list[str]] = {}
    for cell in nbformat.read(paths.notebook(name), as_version=4).cells:
        if cell.cell_type == "markdown":
            prose = BRIEFING_ITEM.sub("", CODE.sub("", cell.source))
            for number in NUMBER.findall(prose) + [words.lower() for words in IN_WORDS.findall(prose)]:
                found.setdefault(number, []).append(cell.id)
    return found


def test_every_notebook_is_listed():
    assert sorted(FIXED) == sorted(path.stem for path in paths.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(FIXED))
def test_the_markdown_states_only_numbers_that_do_not_depend_on_the_data(name):
    stated = numbers_in_markdown(name)
    unlisted = {number: cells for number, cells in stated.items() if number not in FIXED[name]}
    assert not unlisted, (
        f"notebooks/{name}.ipynb states {unlisted} (number: cells) in markdown: compute it in a code cell from the "
        f"chapter's tables (pipeline/chapters/<chapter>/notes.py), or, if it cannot change with the data, list it "
        f"in FIXED with why")
    assert not FIXED[name].keys() - stated.keys(), f"FIXED lists numbers {name}.ipynb no longer states"


def test_the_briefing_figures_the_list_names_are_the_registrys():
    registry = published.load().set_index("figure_id")
    for figure_id, (period, value) in BRIEFING_FIGURES.items():
        assert (registry.loc[figure_id, "period"], registry.loc[figure_id, "value"]) == (period, value), figure_id
    named = {figure_id for reasons in FIXED.values() for reason in reasons.values() if reason.startswith(BRIEFING)
             for figure_id in re.findall(r"arg-\d{3}", reason)}
    assert named == set(BRIEFING_FIGURES)


def test_a_number_of_the_data_in_prose_is_found(tmp_path, monkeypatch):
    """The check reads what the old text said: a share, a count with commas and a year, not a name's digits."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "Women are 21.6% of people for trafficking (2018), about One in five; 15,917 offences in `block_5.14`, "
        "fig-30 and ury-017, four times the people and almost half, not their halves or sometimes.")])
    notebook.cells[0].id = "a"
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path)
    nbformat.write(notebook, tmp_path / "some.ipynb")
    assert numbers_in_markdown("some") == {"21.6%": ["a"], "2018": ["a"], "15,917": ["a"], "one in five": ["a"],
                                           "four times": ["a"], "half": ["a"]}


@pytest.mark.parametrize("name, table", [("brazil_sisdepen", "tab-26-brazil-claims"),
                                         ("uruguay_observatory", "tab-35-uruguay-claims")])
def test_a_chapter_notebook_says_its_verdict_on_a_published_figure_is_matches_published_in_the_claims_check(name,
                                                                                                          table):
    """A reviewer read the Brazil chapter's "supported" for the monitoring growth beside the claims check's
    "matches_published" for the same claim and took it for a contradiction: the notebook says how the claims check
    reads the chapter's verdict, and the claims check does read one of its verdicts so."""
    import pandas as pd

    notebook = nbformat.read(paths.ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    markdown = " ".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown").replace("\n", " ")
    assert "is reported there as *matches published*, not as *reproduced*" in markdown
    claims = pd.read_csv(paths.table("claims", ".csv"))
    read = claims[claims["check"].str.startswith(f"chapter_verdict {table} ", na=False)]
    assert "matches_published" in set(read["status"]) and set(read["source_class"]) == {"secondary"}


def test_a_table_of_the_briefing_named_by_its_number_is_not_a_number_the_data_decide():
    """'table 28' names a table of the briefing; a count beside it is still a number, and UNODC's table 10.1 too."""
    prose = "Each rename is listed in table 28. Figure 21 draws 413 renames (UNODC's annex table 10.1)."
    found = NUMBER.findall(BRIEFING_ITEM.sub("", prose))
    assert found == ["413", "10.1"]
