"""The Brazil chapter's statements about its tables, in words, written from the tables its build wrote
(data/interim/brazil/), so that a new semester cannot leave a sentence of notebooks/brazil_sisdepen.ipynb stale."""

from __future__ import annotations

import pandas as pd

from pipeline.rounding import fixed

SEXES = {"female": "women", "male": "men"}


def largest_moves(table: pd.DataFrame, quality: pd.DataFrame, measure: str, what: str) -> str:
    """For women and for men, the largest change between two consecutive semesters of `table` (period, female, male),
    and the data-quality findings (tab-22) on `measure` for that sex in the later semester, which may explain it: a
    reviewer saw women in home detention halve from June to December 2021 with no word of the unit behind it."""
    rows = table.sort_values("period").reset_index(drop=True)
    sentences = []
    for sex, people in SEXES.items():
        change = rows[sex].diff()
        if change.dropna().empty:
            continue
        at = change.abs().idxmax()
        before, after = rows.loc[at - 1], rows.loc[at]
        found = quality[(quality["measure"] == measure) & (quality["period"] == after["period"])
                        & (quality["sex"] == sex)]
        findings = [f"{row.rule} in {row.state} ({row.value:,.0f} {people})" for row in found.itertuples()]
        listed = (f"; the data-quality table (table 22 of the briefing) lists for that semester, each with its "
                  "evidence: " + ", ".join(findings) if findings else
                  f"; the data-quality table lists nothing on {people} {what} that semester")
        sentences.append(f"{people.capitalize()} {what}: the largest change between two semesters is "
                         f"{before[sex]:,.0f} ({before['period']}) to {after[sex]:,.0f} ({after['period']}), "
                         f"{int(change[at]):+,}{listed}.")
    return " ".join(sentences)


def absent_units(quality: pd.DataFrame, measure: str, what: str) -> str:
    """The people of `measure` whom the units absent from a semester's file (tab-22's `unit_absent` findings) take out
    of that semester's count, by sex, semester and state, as they held them in the semester before: a reviewer found
    a unit missing between two semesters with nothing in the chapter to say so."""
    found = quality[(quality["rule"] == "unit_absent") & (quality["measure"] == measure)]
    if found.empty:
        return (f"The data-quality table lists no unit with people {what} missing from a semester's file between two "
                "that list it (`unit_absent`).")
    sentences = []
    for sex, people in SEXES.items():
        rows = found[found["sex"] == sex].sort_values(["period", "state"])
        if not rows.empty:
            listed = ", ".join(f"{row.value:,.0f} in {row.state} ({row.period})" for row in rows.itertuples())
            sentences.append(f"{people}, {listed}")
    return (f"Units with no row in a semester's file, between two semesters in which they hold people {what}, are in "
            f"no count of that semester (table 22 of the briefing, `unit_absent`; each unit's people as in its "
            "semester before): " + "; ".join(sentences) + ".")


def moved_out_of_cells(moved: pd.DataFrame) -> str:
    """How much of each fall in people in cells the units relabelled out of cells make (tab-22's `unit_reclassified`
    findings, summed): the people they held in cells the semester before, against the fall. A reviewer found fig-20's
    fall of December 2020 mostly relabelling, with nothing beside the figure to say so."""
    fell = moved[(moved["people_moved"] > 0) & (moved["in_cells_before"] > moved["in_cells"])]
    if fell.empty:
        return ("No fall in the count of people in cells comes with units relabelled out of cells (table 22 of "
                "the briefing, `unit_reclassified`).")
    sentences = []
    for (before, period), rows in fell.groupby(["period_before", "period"], sort=True):
        parts = []
        for row in rows.sort_values("sex").itertuples():
            fall = row.in_cells_before - row.in_cells
            units = f"{row.units:,.0f} unit{'' if row.units == 1 else 's'}"
            parts.append(f"{SEXES[row.sex]}: {row.people_moved:,.0f} of a fall of {fall:,.0f} "
                         f"({fixed(100 * row.people_moved / fall, 1)}%, {units})")
        sentences.append(f"from {before} to {period}, " + "; ".join(parts))
    return ("Part of a fall in the count of people in cells is units relabelled out of cells (as home detention or "
            "electronic monitoring, `unit_reclassified` in table 22 of the briefing): the people they held in cells "
            "the semester before, against the fall, " + "; ".join(sentences) + ". They are counted as reported, "
            "under their new class: that part of a fall the figure draws is a change of label, not people leaving "
            "cells.")
