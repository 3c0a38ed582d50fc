"""The briefing's Brazil monitoring-growth claim, made testable against SENAPPEN's published 2022 total.

The briefing says that, from 2019 to 2022, men under electronic monitoring grew by one percentage and women
by another (params.yaml `brazil.claimed_monitoring_growth_pct`). SISDEPEN's files give the monitored men and
women of each 2019 semester; the published-figures registry gives the 2022 total. Applied to a base
semester, the two percentages imply a 2022 total; the printed precision of the percentages (half of their
last digit) gives the interval that total can lie in. A published total inside the interval is consistent
with the claim from that base; the pair of percentages thereby also tells which base the briefing used.

Outputs: the table (one row per base semester and published figure) and long-table rows
`people_electronic_monitoring_implied_by_claim` (male, female, total) and its `_low` and `_high` bounds
(total), with the base semester as the period.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pandas as pd

from pipeline import paths
from pipeline.errors import PipelineError
from pipeline.rounding import fixed, half_away_int
from pipeline.sources import published, sisdepen

COUNTRY = "BRA"
PUBLISHED_INDICATOR = "persons_monitored_electronically"  # data/published/figures.csv
MONITORED = "people_electronic_monitoring"
IMPLIED = "people_electronic_monitoring_implied_by_claim"
COLUMNS = ["base_period", "male_base", "female_base", "male_implied", "female_implied", "total_implied",
           "total_implied_low", "total_implied_high", "published_figure_id", "published_period",
           "published_total", "published_minus_implied", "published_within_interval"]


def published_totals(figures: pd.DataFrame, end_period: str) -> pd.DataFrame:
    """The registry's national totals of people monitored at `end_period` (every figure, conflicts too)."""
    totals = published.select(figures, country=COUNTRY, indicator=PUBLISHED_INDICATOR, sex="total")
    chosen = totals[totals["period"] == end_period]
    if chosen.empty:
        available = ", ".join(sorted(totals["period"].unique()))
        raise PipelineError(f"'brazil.claimed_end_period' is '{end_period}': the registry has no published total "
                            f"of people monitored for it", file=paths.PARAMS,
                            fix=f"use one of the periods of '{PUBLISHED_INDICATOR}' in "
                                f"{paths.relative(paths.PUBLISHED_FIGURES)}: "
                                f"{available}")
    return chosen


def claim_table(monitored: pd.DataFrame, claimed_pct: dict[str, float], base_periods: list[str],
                totals: pd.DataFrame) -> pd.DataFrame:
    """One row per base semester and published total: the implied 2022 counts, their interval, the gap.

    `monitored` has one row per period with columns female and male (SISDEPEN, people monitored).
    """
    by_period = monitored.set_index("period")
    rows = []
    for base in base_periods:
        implied = {sex: _implied(by_period.at[base, sex], claimed_pct[sex]) for sex in ("male", "female")}
        low = math.floor(sum(i["low"] for i in implied.values()))
        high = math.ceil(sum(i["high"] for i in implied.values()))
        total = half_away_int(implied["male"]["value"] + implied["female"]["value"])
        for figure in totals.itertuples():
            rows.append({"base_period": base, "male_base": by_period.at[base, "male"],
                         "female_base": by_period.at[base, "female"],
                         "male_implied": half_away_int(implied["male"]["value"]),
                         "female_implied": half_away_int(implied["female"]["value"]), "total_implied": total,
                         "total_implied_low": low, "total_implied_high": high,
                         "published_figure_id": figure.figure_id, "published_period": figure.period,
                         "published_total": figure.value, "published_minus_implied": figure.value - total,
                         "published_within_interval": bool(low <= figure.value <= high)})
    counts = [c for c in COLUMNS if c.endswith(("_base", "_implied", "_low", "_high", "_total"))]
    return pd.DataFrame(rows, columns=COLUMNS).astype({c: float for c in [*counts, "published_minus_implied"]})


def _implied(base: float, pct: float) -> dict[str, float]:
    """The count `pct` percent above `base`, and its bounds from half the last printed digit of `pct`."""
    half_digit = Decimal(5).scaleb(Decimal(str(pct)).as_tuple().exponent - 1)
    step = float(half_digit)
    return {"value": base * (1 + pct / 100), "low": base * (1 + (pct - step) / 100),
            "high": base * (1 + (pct + step) / 100)}


def long_rows(table: pd.DataFrame, claimed_pct: dict[str, float], end_period: str) -> pd.DataFrame:
    """The implied counts and their bounds as long-table rows, the base semester as period."""
    stated = ", ".join(f"{sex} {pct:g}%" for sex, pct in sorted(claimed_pct.items()))
    what = (f"people under electronic monitoring in {end_period} implied by the briefing's claimed growth "
            f"({stated}; params.yaml brazil.claimed_monitoring_growth_pct) applied to SISDEPEN's count of the "
            "semester in the period column (the claim's base); men and women each rounded to whole people, the total "
            "rounded from their unrounded sum (so it can differ by one from men + women)")
    bound = ("{side} bound of the implied {end} total: the claimed percentages moved by half their last printed "
             "digit, applied to SISDEPEN's count of the semester in the period column")
    rows = []
    for base in table.drop_duplicates("base_period").itertuples():
        for sex in ("male", "female", "total"):
            rows.append({"indicator": IMPLIED, "sex": sex, "period": base.base_period,
                         "value": getattr(base, f"{sex}_implied"), "definition": what})
        for side in ("low", "high"):
            rows.append({"indicator": f"{IMPLIED}_{side}", "sex": "total", "period": base.base_period,
                         "value": getattr(base, f"total_implied_{side}"),
                         "definition": bound.format(side="lower" if side == "low" else "upper", end=end_period)})
    return pd.DataFrame(rows).assign(country=COUNTRY, source="sisdepen", unit="persons")


CLAIM_ID = "monitoring_growth_2019_2022"
CHAPTER_CLAIM_COLUMNS = ["claim_id", "claim", "status", "caveat", "evidence", "reason"]
# The caveat a verdict on the growth's arithmetic carries when the count's scope differs at its two ends (the claims
# check shows it beside the verdict; its reason gives the numbers).
DIFFERENT_SCOPE = "compares counts of different scope"


def coverage_of_growth(coverage: pd.DataFrame, same_states: pd.DataFrame, growth: pd.DataFrame) -> str:
    """What the growth of SISDEPEN's monitoring count owes to the states it covers, in words ('' where the count covers
    the same states at its base and in the last file): how many states it covers at both ends, and the growth to the
    last file in the states counted at both ends beside the count's. `coverage`: the build's monitoring_coverage;
    `same_states`: growth_in_same_states; `growth`: the count's growth from the base (the first row)."""
    base, last = growth.iloc[0], growth.iloc[-1]
    covered = coverage.set_index("period")
    same = same_states.set_index("period").loc[last["period"]]
    if covered.at[base["period"], "states_with_monitoring"] == covered.at[last["period"], "states_with_monitoring"]:
        return ""
    return (f"SISDEPEN's count of people monitored comes from the {covered.at[base['period'], 'states_reporting']} of "
            f"the {len(sisdepen.STATES)} states with a monitoring unit in the {base['period']} file and from "
            f"{covered.at[last['period'], 'states_reporting']} in the {last['period']} file, the last here: the growth "
            f"compares counts of different scope. In the {int(same['states_in_both'])} states counted in both, "
            f"men grew {fixed(same['male_growth_same_states_pct'], 1)}% and women "
            f"{fixed(same['female_growth_same_states_pct'], 1)}% from "
            f"{base['period']} to {last['period']}, against {fixed(last['male_growth_pct'], 1)}% and "
            f"{fixed(last['female_growth_pct'], 1)}% in the whole count (table 27)")


def chapter_claims(table: pd.DataFrame, claimed_pct: dict[str, float], end_period: str, coverage_note: str = ""
                   ) -> pd.DataFrame:
    """The chapter's verdict on the claim, in the form the claims check reads (claim_id, claim, status,
    evidence, reason — as the Uruguay chapter's tab-35): supported when a published total lies inside the interval
    implied from some base semester, with the base and the figure named; the published totals are secondary
    (news reports of the FBSP yearbook), which the claims check says by `matches_published`. `coverage_note`
    (coverage_of_growth) follows the reason, and the row's `caveat` says so in a few words: a verdict on the
    arithmetic, with the count's scope beside it."""
    claim = (f"Electronic monitoring grew {claimed_pct['male']:g}% for men and {claimed_pct['female']:g}% for women "
             f"from 2019 to {end_period}")
    inside = table[table["published_within_interval"]]
    # For each base semester its interval, then each published total said inside or outside it: items joined by
    # "; ", each of which data/translations.csv translates on its own (claims.brazil.implied_*), so that other bases,
    # another end period or other published totals read in every language.
    lines = []
    for _, rows in table.groupby("base_period", sort=True):
        first = rows.iloc[0]
        lines.append(f"from {first.base_period} ({first.male_base:,.0f} men, {first.female_base:,.0f} women in "
                     f"SISDEPEN) the stated percentages imply {first.total_implied_low:,.0f}–"
                     f"{first.total_implied_high:,.0f} people in {end_period}")
        lines += [f"{row.published_figure_id}'s {row.published_total:,.0f} is "
                  f"{'inside' if row.published_within_interval else 'outside'}" for row in rows.itertuples()]
    if re.fullmatch(r"\d{4}", end_period):  # a reviewer's question: which semester is a yearbook's year?
        lines.append(f"the published {end_period} totals name a year, not its semester (the FBSP yearbook's yearly "
                     "figures match the June cycle: table 3)")
    if len(inside):
        bases = sorted(set(inside["base_period"]))
        status, evidence = "supported", ";".join(sorted(set(inside["published_figure_id"])))
        reason = (f"the two percentages together agree with the published {end_period} total from the "
                  f"{', '.join(bases)} base only: " + "; ".join(lines))
    else:
        status, evidence = "contradicted", ";".join(sorted(set(table["published_figure_id"])))
        reason = "no published total lies inside the interval the percentages imply from any base: " + "; ".join(lines)
    if coverage_note:
        reason = f"{reason}. {coverage_note}"
    return pd.DataFrame([{"claim_id": CLAIM_ID, "claim": claim, "status": status,
                          "caveat": DIFFERENT_SCOPE if coverage_note else "", "evidence": evidence,
                          "reason": reason}], columns=CHAPTER_CLAIM_COLUMNS)
