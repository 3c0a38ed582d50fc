"""The Uruguay chapter's statements about its data, in words, written from the tables its build wrote
(data/interim/uruguay/), so that a new UNODC drug-crimes file or a new observatory row cannot leave a sentence of
notebooks/uruguay_observatory.ipynb stale. Each function returns Markdown for one section.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.chapters.uruguay.build import ALL_TYPES
from pipeline.chapters.uruguay.claims import POLICE_STAGE
from pipeline.chapters.uruguay.periods import month_name
from pipeline.rounding import fixed


def stages(shares: pd.DataFrame) -> str:
    """What each stage of fig-31 has: the range of women's shares of people in formal contact for trafficking, and
    the figures of the later stages, quoted by the briefing (drawn hollow) or independent of it."""
    contact = shares[(shares["stage"] == POLICE_STAGE) & (shares["offence_scope"] == "trafficking")] \
        .sort_values("period")
    if contact.empty:
        sentences = ["UNODC's table 10.1 counts no one in formal contact with the police for trafficking by sex"]
    else:
        low, high = contact.loc[contact["women_share_pct"].idxmin()], contact.loc[contact["women_share_pct"].idxmax()]
        share = f"{_pct(low.women_share_pct)} ({low.period})"
        if len(contact) > 1:
            share = f"between {share} and {_pct(high.women_share_pct)} ({high.period})"
        sentences = [f"At the police stage (UNODC formal contact) women are {share} of the people of known sex in "
                     f"contact for trafficking, in the {_years(len(contact))} with that count "
                     f"({_listed(contact['period'])})" + _trafficking_scope(shares, contact["period"])]
    for stage, rows in shares[shares["stage"] != POLICE_STAGE].groupby("stage", sort=False):
        quoted, independent = rows[~rows["independent"]], rows[rows["independent"]]
        said = []
        if len(quoted):
            said.append(f"the shares of {_listed(quoted['period'])} that the briefing quotes from "
                        f"{_listed(quoted['source'].drop_duplicates())} (hollow)")
        said += [f"{_pct(row.women_share_pct)} for {_period(row.period)}, independent of the briefing ({row.source})"
                 for row in independent.itertuples()]
        sentences.append(f"at the {stage} stage the figures are " + _listed(said, joiner="; and "))
    return "; ".join(sentences) + "."


def table_10_1_findings(quality: pd.DataFrame) -> str:
    """The findings on UNODC table 10.1 a reader should know before reading fig-31's police stage: offence types
    that change, the annex's two sheets that disagree (the widest gap), later stages counting more people than
    formal contact."""
    said = []
    changed = quality.loc[quality["check"] == "offence_types_change", "year"]
    if len(changed):
        said.append(f"the offence types Uruguay reports change in {_listed(changed.astype(str))} (against the "
                    "year it reported before)")
    disagree = quality[(quality["check"] == "sheets_disagree") & (quality["formal_contact"] > 0)]
    if len(disagree):
        scope = disagree[disagree["offence_type"] == "all"]
        widest = (scope if len(scope) else disagree).assign(ratio=lambda t: t["sheet1"] / t["formal_contact"]) \
            .sort_values("ratio", key=lambda ratio: np.log(ratio).abs()).iloc[-1]
        larger = ("the pivot", widest.ratio) if widest.ratio >= 1 else ("the 'Formal contact' sheet", 1 / widest.ratio)
        said.append(f"the annex's two sheets disagree in {_listed(disagree['year'].drop_duplicates().astype(str))}, "
                    f"most in {widest.year}, where its pivot ('Sheet1') gives {widest.sheet1:,.0f} people "
                    f"({'all types' if widest.offence_type == 'all' else widest.offence_type}) and the 'Formal "
                    f"contact' sheet {widest.formal_contact:,.0f}: "
                    f"{larger[0]} {fixed(larger[1], 1)} times as many")
    said += [f"a later stage counts more people than formal contact ({row.detail})" for row in
             quality[quality["check"] == "later_stage_exceeds_formal_contact"].itertuples()]
    if not said:
        return "The checks find nothing to say about UNODC table 10.1 for Uruguay."
    text = _listed(said, separator="; ", joiner="; and ")
    return text[:1].upper() + text[1:] + ". Every finding is in the table below."


def _trafficking_scope(shares: pd.DataFrame, periods: pd.Series) -> str:
    """Where trafficking is the only offence type formal contact reports in some of `periods` and one of several in
    others, the counts may differ in scope (Uruguay: trafficking alone in 2018 and 2021, 2,940 and 4,673 people;
    one of three types in 2020, 108 people): a clause saying so, or nothing."""
    police = shares[(shares["stage"] == POLICE_STAGE) & shares["period"].isin(periods)]
    others = police[~police["offence_scope"].isin(["trafficking", ALL_TYPES])].groupby("period").size()
    alone = [period for period in periods if others.get(period, 0) == 0]
    among = [period for period in periods if others.get(period, 0) > 0]
    if not alone or not among:
        return ""
    return (f", but trafficking is the only offence type with anyone counted in {_listed(alone)} and one of "
            f"{_listed(sorted({int(others[period]) + 1 for period in among}))} in {_listed(among)}, so these counts "
            "may not be of the same offences (table 32 of the briefing, offence_types_change)")


def _pct(value: float) -> str:
    return f"{fixed(value, 1)}%"


def _years(n: int) -> str:
    return "only year" if n == 1 else f"{n} years"


def _period(period: str) -> str:
    """'2015-01/2015-11' -> 'January–November 2015'; '2020-07' -> 'July 2020'; a year as it is."""
    start, _, end = period.partition("/")
    if end and start[:4] == end[:4] and len(start) == len(end) == 7:
        return f"{month_name(start).split()[0]}–{month_name(end)}"
    return "–".join(month_name(p) if len(p) == 7 else p for p in period.split("/"))


def _listed(values, separator: str = ", ", joiner: str = " and ") -> str:
    """Items in words: 'a', 'a and b', 'a, b and c' (the separator and the last joiner as given)."""
    items = [str(v) for v in values]
    if len(items) < 2:
        return "".join(items)
    return separator.join(items[:-1]) + joiner + items[-1]
