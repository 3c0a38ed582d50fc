"""The Brazil chapter's statements about its tables (pipeline/chapters/brazil/notes.py), written from the build's
tables."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters import interim
from pipeline.chapters.brazil import notes


def test_the_largest_move_of_home_detention_names_the_findings_of_its_semester():
    """A reviewer saw women in home detention halve from June to December 2021 (6,174 to 3,120) and found in the
    raw files the unit behind it: Curitiba's Patronato (domiciliary) went from 3,110 women to 153, a unit_jump of
    tab-22. The text under the table now names it."""
    tables = interim.read_all("brazil")
    assert notes.largest_moves(tables["domiciliary"], tables["quality"], "people_domiciliary",
                               "in home detention") == (
        "Women in home detention: the largest change between two semesters is 6,174 (2021-06) to 3,120 "
        "(2021-12), -3,054; the data-quality table (table 22 of the briefing) lists for that semester, each with its evidence: "
        "unit_copy in PB (12 women), unit_copy in PE (448 women), unit_jump in PR (153 women). Men in home "
        "detention: the largest change between two semesters is 61,723 (2021-06) to 72,614 (2021-12), +10,891; the "
        "data-quality table (table 22 of the briefing) lists for that semester, each with its evidence: unit_copy in PB (146 men), "
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


def test_the_fall_of_december_2020_in_people_in_cells_is_mostly_units_relabelled():
    """A reviewer recomputed, from tab-22's `unit_reclassified` effects, that units relabelled from cells to home
    detention had held 831 of the 1,764 women and 13,225 of the 14,946 men by whom the count in cells fell from June to
    December 2020, with nothing beside fig-20 to say so. The table adds the moves into electronic monitoring
    (Rondônia: 50 women, 240 men) and the note under fig-20 gives both falls."""
    moved = interim.read("brazil", "moved_out_of_cells").set_index(["period", "sex"])
    assert moved.loc[("2020-12", "female"), ["units", "people_moved", "in_cells_before", "in_cells"]].tolist() == [
        7, 881.0, 30_452.0, 28_688.0]
    assert moved.loc[("2020-12", "male"), ["units", "people_moved", "in_cells_before", "in_cells"]].tolist() == [
        10, 13_465.0, 648_054.0, 633_108.0]
    quality = interim.read("brazil", "quality")
    out = quality[(quality["rule"] == "unit_reclassified") & (quality["period"] == "2020-12")
                  & (quality["measure"] == "people_domiciliary")]
    held = out["effect"].str.extract(r"the ([\d,]+) \w+ these units held in cells")[0].dropna()
    by_sex = held.str.replace(",", "").astype(int).groupby(out["sex"]).sum()
    assert by_sex.to_dict() == {"female": 831, "male": 13_225}  # the reviewer's sums; the rest is monitoring
    text = notes.moved_out_of_cells(interim.read("brazil", "moved_out_of_cells"))
    assert ("from 2020-06 to 2020-12, women: 881 of a fall of 1,764 (49.9%, 7 units); men: 13,465 of a fall of "
            "14,946 (90.1%, 10 units)") in text


def test_a_fall_without_relabelled_units_says_so():
    moved = pd.DataFrame({"period_before": ["2022-06"], "period": ["2022-12"], "sex": ["female"], "units": [1],
                          "people_moved": [20.0], "in_cells_before": [100.0], "in_cells": [120.0]})  # a rise
    assert notes.moved_out_of_cells(moved) == ("No fall in the count of people in cells comes with units relabelled "
                                               "out of cells (table 22 of the briefing, `unit_reclassified`).")
