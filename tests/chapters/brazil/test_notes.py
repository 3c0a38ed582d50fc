"""The Brazil chapter's statements about its tables (pipeline/chapters/brazil/notes.py), written from the build's
tables."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters import interim
from pipeline.chapters.brazil import notes


def test_the_largest_move_of_domiciliary_custody_names_the_findings_of_its_semester():
    """A reviewer saw women in domiciliary custody halve from June to December 2021 (6,174 to 3,120) and found in the
    raw files the unit behind it: Curitiba's Patronato (domiciliary) went from 3,110 women to 153, a unit_jump of
    tab-22. The text under the table now names it."""
    tables = interim.read_all("brazil")
    assert notes.largest_moves(tables["domiciliary"], tables["quality"], "people_domiciliary",
                               "in domiciliary custody") == (
        "Women in domiciliary custody: the largest change between two semesters is 6,174 (2021-06) to 3,120 "
        "(2021-12), -3,054; the data-quality table (tab-22) lists for that semester, each with its evidence: "
        "unit_copy in PB (12 women), unit_copy in PE (448 women), unit_jump in PR (153 women). Men in domiciliary "
        "custody: the largest change between two semesters is 61,723 (2021-06) to 72,614 (2021-12), +10,891; the "
        "data-quality table (tab-22) lists for that semester, each with its evidence: unit_copy in PB (146 men), "
        "unit_copy in PE (671 men).")


def test_a_move_without_a_finding_says_so_and_one_semester_says_nothing():
    table = pd.DataFrame({"period": ["2022-06", "2022-12", "2023-06"], "female": [10, 40, 35], "male": [5, 5, 5]})
    quality = pd.DataFrame(columns=["rule", "state", "period", "measure", "sex", "value"])
    assert notes.largest_moves(table, quality, "people_domiciliary", "at home") == (
        "Women at home: the largest change between two semesters is 10 (2022-06) to 40 (2022-12), +30; the "
        "data-quality table lists nothing on women at home that semester. Men at home: the largest change between "
        "two semesters is 5 (2022-06) to 5 (2022-12), +0; the data-quality table lists nothing on men at home that "
        "semester.")
    assert notes.largest_moves(table.head(1), quality, "people_domiciliary", "at home") == ""
