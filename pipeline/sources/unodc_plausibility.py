"""Plausibility rules for UNODC CTS counts of persons held: general data-quality rules, run at ingest.

A rule never names a country. It reads counts in a neutral shape — one row per (country, series, sex, age,
year) with columns `country, series, sex, age, year, value` (sexes `total | female | male`, ages
`total | adult | juveniles`) — and returns findings, one row each, with the evidence and the treatment
applied. What a finding takes out of the data is in its `excludes` column:

- `value`: the count (and its rate) is not a national count of that year; it is left out of everything;
- `women_share`: the country-year's women's share is not computed (its numerator and denominator disagree);
- `unsentenced_share`: the country-year-sex's share held unsentenced is not computed;
- `ratios`: the count is kept, but no share uses it (neither as numerator nor as denominator);
- empty: listed only.

Rules (thresholds and treatments come from params.yaml `unodc_prisons:`):

1. `Age=Total counts juveniles only`: an Age=Total count equal to the Juveniles count with no Adult row
   that year is the juveniles alone, never a national total. Always excluded (it is not the quantity the
   series defines, so there is nothing to disagree about).
2. `year-on-year jump not shared by neighbouring years`: a value `series_break_ratio` times above or below
   BOTH neighbouring reported values (a one-year outlier), or a first or last value that far from the
   adjacent year while that year agrees with its own neighbour (an unconfirmed jump at the series end);
   changes under `series_break_min_change` persons are noise. Treatment `series_break_treatment`.
   A value of a year whose neighbours are the years just before and after it, and agree with each other within
   `series_break_agreeing_pct` %, is an outlier at the lower ratio `series_break_agreeing_ratio`: both years
   around it contradict it (Korea's women held, 2009: 1,507 against 2,534 and 2,375). Two neighbours with the
   same count may be one count carried over, and a year next to an outlier has a wrong neighbour: neither is
   judged at the lower ratio.
   A jump that the following years keep (a level shift between adjacent years, e.g. a change of
   coverage) is listed as `series break (level shift)`, values kept: there is no single wrong year.
   A total's one-year jump that the year's female + male share (within `sex_gap_max_pct` % of it) is a change of
   what the year counts, not a wrong total: its counts by sex count the same smaller or larger population, and
   follow the total's treatment (`counts by sex share the total's jump`; the Philippines 2009: total 58,711
   against 94,961 and 95,390, female + male 57,619).
3. `female + male far from total`: total persons held and female + male differ by more than `sex_gap_max_pct` % of
   the total, either way. Treatment `sex_gap_treatment` (the women's share). Smaller gaps are listed as
   `female + male differs from total (within the threshold)` and kept.
4. `count below the sum of its parts`: a count more than `parts_tolerance_pct` % below the sum of its
   parts — Age=Total below Adult + Juveniles, persons held below persons held unsentenced, below persons
   held for drug offences, below sentenced + unsentenced. Treatment `below_parts_treatment`. (Female +
   male above the total is rule 3.)
5. `female and male counts look swapped`: in a series of one age (Age=Total, Adult or Juveniles), the sex
   that is the smaller in every other year — at least `sex_swap_min_years` of them — is the larger in one year,
   with female + male at least `sex_swap_min_persons` that year (small counts cross by chance). The two counts
   were most likely entered under each other's sex. Treatment `sex_swap_treatment` (the women's share of the
   year, whose female count includes the suspect one).

6. `count repeated from the year before`: an Age=Total count of at least `repeated_count_min` persons equal to the
   same series' count of the year just before (each sex, each series), most likely one count carried over to a year
   it does not describe (Haiti's total persons held, 8,882 in 2017 and 2018). Listed, values kept: which of the
   two years the count describes is unknown. (An independent recount of the Americas' estimate found them.)

7. `juveniles counted for one sex only`: a sex's Age=Total count with no Age=Juveniles row that year while the other
   sex's Age=Total count of the same series and year includes juveniles (its Age=Juveniles row above 0). The count
   without a juvenile row may leave its juveniles out, so the year's counts of women and men, and its women's share,
   may differ in scope. El Salvador's women of 2016–2018 are its adult women (Age=Adult equals Age=Total), while its
   men's counts include 795 to 929 juveniles, and its women's count gives 77 juveniles in 2015 and 104 in 2019.
   Where the both-sexes Age=Juveniles count equals the other sex's, the file's own sum gives the first sex no
   juveniles, and nothing is listed (Bermuda's women of 2017–2019); where it is larger, the difference is the
   juveniles the count leaves out (Costa Rica's men of 2005: 26 juveniles of both sexes, 8 of them women), and the
   evidence says so; where the file has no both-sexes count, the evidence gives the nearest year in which the series
   counts juveniles of that sex. Listed, values kept. (An independent recount of fig-01's steps found them.)

Rules 2–7 see the data after rule 1 (and rule 2's exclusions), so one wrong row gives one finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from pipeline.rounding import fixed, signed

COLUMNS = ["country", "series", "sex", "age", "year", "value"]
FINDINGS = ["rule", "country", "year", "series", "sex", "value", "evidence", "treatment", "excludes"]

JUVENILES_ONLY = "Age=Total counts juveniles only"
JUMP = "year-on-year jump not shared by neighbouring years"
SHARED_JUMP = "counts by sex share the total's jump"
LEVEL_SHIFT = "series break (level shift)"
SEX_GAP_FAR = "female + male far from total"
SEX_GAP_NEAR = "female + male differs from total (within the threshold)"
BELOW_PARTS = "count below the sum of its parts"
SEX_SWAP = "female and male counts look swapped"
REPEATED = "count repeated from the year before"
REPEATED_TREATMENT = "listed; kept as published (which year the count describes is unknown)"
JUVENILES_ONE_SEX = "juveniles counted for one sex only"
JUVENILES_ONE_SEX_TREATMENT = ("listed; kept as published (the count may leave its juveniles out: the year's women's "
                               "share may compare counts of different scope)")
# Its evidence, by the sex whose count gives no juveniles (each a row of data/translations.csv: the sexes are words).
JUVENILES_ONE_SEX_EVIDENCE = {
    ("female", "implied"): ("female Age=Total {0} gives no juvenile count, male Age=Total {1} includes Age=Juveniles "
                            "{2}; Age=Juveniles of both sexes, {3}, implies juvenile women outside the female "
                            "count: {4}"),
    ("female", "elsewhere"): ("female Age=Total {0} gives no juvenile count, male Age=Total {1} includes "
                              "Age=Juveniles {2}; the series counts juvenile women in other years "
                              "(nearest: {3} in {4})"),
    ("female", "none"): ("female Age=Total {0} gives no juvenile count, male Age=Total {1} includes Age=Juveniles {2}; "
                         "the series counts juvenile women in no other year"),
    ("male", "implied"): ("male Age=Total {0} gives no juvenile count, female Age=Total {1} includes Age=Juveniles "
                          "{2}; Age=Juveniles of both sexes, {3}, implies juvenile men outside the male count: {4}"),
    ("male", "elsewhere"): ("male Age=Total {0} gives no juvenile count, female Age=Total {1} includes Age=Juveniles "
                            "{2}; the series counts juvenile men in other years (nearest: {3} in {4})"),
    ("male", "none"): ("male Age=Total {0} gives no juvenile count, female Age=Total {1} includes Age=Juveniles {2}; "
                       "the series counts juvenile men in no other year"),
}

Treatment = Literal["keep", "exclude"]

# Whole -> parts, within one country, sex and year (Age=Total). Each part is a subset of the whole.
PART_OF = {
    "persons_held_unsentenced": "persons_held",
    "persons_held_drug_offences": "persons_held",
}
STATUS_PARTS = ("persons_held_sentenced", "persons_held_unsentenced")  # together: persons held by status


@dataclass(frozen=True)
class Thresholds:
    """The rules' thresholds and treatments (params.yaml `unodc_prisons:` holds the same names)."""

    sex_gap_max_pct: float = 5.0
    parts_tolerance_pct: float = 5.0
    series_break_ratio: float = 2.0
    series_break_min_change: int = 100
    series_break_agreeing_ratio: float = 1.5
    series_break_agreeing_pct: float = 15.0
    series_break_treatment: Treatment = "exclude"
    sex_gap_treatment: Treatment = "exclude"
    below_parts_treatment: Treatment = "exclude"
    sex_swap_min_years: int = 5
    sex_swap_min_persons: int = 20
    sex_swap_treatment: Treatment = "exclude"
    repeated_count_min: int = 50


def starts_growth(women: pd.Series, men: pd.Series, total: pd.Series, share: pd.Series) -> pd.Series:
    """Whether each count of women (aligned with the other series: one year each) can start a growth of women held:
    not where its women's share is left out and its women and men fall short of its total. Such a count by sex
    (rule 3) may miss women too (Argentina 2005: women and men 43,689 of 55,423; women's growth to 2021 +84.8% from
    it, +43.1% from 2007). A total below its parts (Mexico 2010) is a wrong total, not a short count of women, and a
    count without a total or men's count has nothing to fall short of. The regional chapter's tab-01 and the
    country profiles use it."""
    short = (women + men < total).fillna(False).astype(bool)
    return share.notna() | ~short


def juveniles_at_one_end(juveniles: pd.Series, women: pd.Series, start: int, end: int,
                         min_pct: float) -> dict | None:
    """Whether a growth of women held from `start` to `end` compares a count that includes juveniles with one that
    gives no juvenile count (`juveniles` and `women`: one country's counts by year; juveniles as
    unodc_prisons.juveniles_held gives them, a year without the row absent). UNODC's Age=Total holds juveniles where
    a country reports them; a year without the row may have none or not report them apart, so the two counts may
    differ in scope (Barbados: 18 of its 50 women of 2021 are juveniles; its count of 2007 gives none). The
    count with juveniles, its year and their % of it, and the year without; None where both ends give a juvenile
    count, or neither, or the juveniles are fewer than `min_pct` of their count (or it counts no women). The
    regional chapter's tab-01 and the country profiles use it."""
    if (start in juveniles.index) == (end in juveniles.index):
        return None
    year, other = (start, end) if start in juveniles.index else (end, start)
    if not float(women[year]) > 0:  # no women counted: no part of them to speak of
        return None
    pct = 100 * float(juveniles[year]) / float(women[year])
    if pct < min_pct:
        return None
    return {"year": int(year), "juveniles": float(juveniles[year]), "pct": pct, "without": int(other)}


# What juveniles_at_one_end found, in words (tab-01's growth_note, the values files' note on a profile's growth): in
# English, a row of data/translations.csv.
# No '; ' inside: notes are joined by it, and a translation splits a list of them there.
JUVENILES_ONE_END_NOTE = ("the count of {0} includes juveniles: {1} ({2}% of it) and the count of {3} gives no "
                          "juvenile count: the growth may compare counts of different scope")


def juveniles_note(found: dict) -> str:
    """juveniles_at_one_end's finding as JUVENILES_ONE_END_NOTE says it."""
    return JUVENILES_ONE_END_NOTE.format(found["year"], fixed(found["juveniles"], 0, grouped=True),
                                         fixed(found["pct"], 1), found["without"])


def check(counts: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Every rule over `counts`; one row per finding (columns FINDINGS)."""
    counts = counts[COLUMNS]
    juveniles = juveniles_only(counts)
    totals = _without(counts[counts["age"] == "total"], juveniles)
    jumps = series_breaks(totals, thresholds)
    jumps = pd.concat([jumps, shared_jumps(totals, jumps, thresholds)], ignore_index=True)
    totals = _without(totals, jumps)
    swaps = sex_swaps(_without(_without(counts, juveniles), jumps), thresholds)
    one_sex = juveniles_one_sex(counts, excluded_values(pd.concat([juveniles, jumps], ignore_index=True)))
    findings = [f for f in (juveniles, jumps, sex_gaps(totals, thresholds), below_parts(counts, totals, thresholds),
                            swaps, repeated_counts(totals, thresholds), one_sex) if len(f)]
    return pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=FINDINGS)


def excluded_values(findings: pd.DataFrame) -> set[tuple]:
    """(country, series, sex, year) of every value left out entirely."""
    rows = findings[findings["excludes"] == "value"]
    return set(zip(rows["country"], rows["series"], rows["sex"], rows["year"].astype(int)))


# ----------------------------------------------------------------------------------------- Rules ---

def juveniles_only(counts: pd.DataFrame) -> pd.DataFrame:
    """Rule 1: Age=Total equal to Juveniles, with no Adult row the same year."""
    wide = counts.pivot_table(index=["country", "series", "sex", "year"], columns="age", values="value",
                              aggfunc="first").reindex(columns=["total", "adult", "juveniles"])
    hit = wide[wide["total"].notna() & wide["juveniles"].notna() & wide["adult"].isna()
               & (wide["total"] == wide["juveniles"])].reset_index()
    return _findings(hit, JUVENILES_ONLY, hit["total"],
                     [f"Age=Total {t:,.0f} equals Age=Juveniles {j:,.0f}, and there is no Age=Adult row"
                      for t, j in zip(hit["total"], hit["juveniles"])],
                     "excluded: not a national total (counts of juveniles only)", "value")


def series_breaks(totals: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 2: one-year outliers and unconfirmed jumps at a series end (treatment as set); level shifts
    between adjacent years, listed and kept."""
    found = []
    for (country, series, sex), rows in totals.groupby(["country", "series", "sex"], sort=True):
        rows = rows.sort_values("year")
        found += _breaks_in(country, series, sex, rows["year"].to_numpy(), rows["value"].to_numpy(), thresholds)
    if not found:
        return pd.DataFrame(columns=FINDINGS)
    table = pd.DataFrame(found, columns=["kind", "country", "series", "sex", "year", "value", "evidence"])
    outliers = table["kind"] != "level shift"
    keep = thresholds.series_break_treatment == "keep"
    treatment = np.where(outliers, "kept as published (series_break_treatment: keep)" if keep else
                         "excluded from totals, shares, rates and growth (series_break_treatment: exclude)",
                         "kept as published: values before and after the break count differently")
    excludes = np.where(outliers & (not keep), "value", "")
    return table.assign(rule=np.where(outliers, JUMP, LEVEL_SHIFT), treatment=treatment,
                        excludes=excludes)[FINDINGS]


def shared_jumps(totals: pd.DataFrame, jumps: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 2, its counts by sex: a one-year jump of total persons held that the year's female + male share
    (within `sex_gap_max_pct` % of the jumped total) changes what the year counts; its counts by sex are treated
    as the total is. A year whose female or male count a jump of its own takes out is left to that finding."""
    jumped = jumps[(jumps["rule"] == JUMP) & (jumps["series"] == "persons_held") & (jumps["sex"] == "total")]
    if jumped.empty:
        return pd.DataFrame(columns=FINDINGS)
    held = _without(totals[totals["series"] == "persons_held"], jumps)
    wide = held.pivot_table(index=["country", "year"], columns="sex", values="value", aggfunc="first")
    wide = wide.reindex(columns=["female", "male"])
    rows = jumped.join(wide, on=["country", "year"]).dropna(subset=["female", "male"])
    both = rows["female"] + rows["male"]
    rows = rows[(both - rows["value"]).abs() <= thresholds.sex_gap_max_pct / 100 * rows["value"]]
    found = [(country, year, sex, count,
              f"female {female:,.0f} + male {male:,.0f} = {female + male:,.0f}, within {thresholds.sex_gap_max_pct:g}% "
              f"of the total {total:,.0f} of {year}, a one-year jump: they count the same population")
             for country, year, total, female, male in zip(rows["country"], rows["year"], rows["value"],
                                                           rows["female"], rows["male"])
             for sex, count in (("female", female), ("male", male))]
    table = pd.DataFrame(found, columns=["country", "year", "sex", "value", "evidence"]).assign(series="persons_held")
    treatment = dict(zip(zip(jumped["country"], jumped["year"]), jumped["treatment"]))
    excludes = dict(zip(zip(jumped["country"], jumped["year"]), jumped["excludes"]))
    keys = list(zip(table["country"], table["year"]))
    return _findings(table, SHARED_JUMP, table["value"], table["evidence"].tolist(),
                     [treatment[key] for key in keys], [excludes[key] for key in keys])


def sex_gaps(totals: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 3: female + male against the total persons held of the same year; every gap is listed, those
    beyond the threshold are implausible."""
    totals = totals[totals["series"] == "persons_held"]
    wide = totals.pivot_table(index=["country", "series", "year"], columns="sex", values="value",
                              aggfunc="first").reindex(columns=["total", "female", "male"]).dropna()
    gap = wide["total"] - wide["female"] - wide["male"]
    wide = wide.assign(gap=gap, gap_pct=100 * gap / wide["total"].where(wide["total"] > 0))[gap != 0]
    wide = wide.reset_index().assign(sex="total")
    far = wide["gap_pct"].abs().fillna(np.inf) > thresholds.sex_gap_max_pct
    exclude = thresholds.sex_gap_treatment == "exclude"
    evidence = [f"total {t:,.0f}; female + male {f + m:,.0f}; difference {g:+,.0f} ({signed(p, 1)}% of the total)"
                + ("; the total is below its parts" if g < 0 else "")
                for t, f, m, g, p in zip(wide["total"], wide["female"], wide["male"], wide["gap"],
                                         wide["gap_pct"].fillna(np.inf))]
    treatment = np.where(
        far, "women's share not computed for the year (sex_gap_treatment: exclude)" if exclude
        else "kept; women's share uses the published total (sex_gap_treatment: keep)",
        f"kept as published (within {thresholds.sex_gap_max_pct:g}%); shares use the published total")
    return _findings(wide, np.where(far, SEX_GAP_FAR, SEX_GAP_NEAR), wide["total"], evidence, treatment,
                     np.where(far & exclude, "women_share", ""))


def below_parts(counts: pd.DataFrame, totals: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 4: a whole more than the tolerance below the sum of its parts."""
    pairs = []
    # Age=Total against Adult + Juveniles (both reported), same series, sex and year.
    ages = counts.pivot_table(index=["country", "series", "sex", "year"], columns="age", values="value",
                              aggfunc="first").reindex(columns=["total", "adult", "juveniles"]).dropna()
    ages = ages.reset_index()
    pairs.append(ages.assign(whole=ages["total"], parts=ages["adult"] + ages["juveniles"],
                             what="Age=Total", against="Adult + Juveniles", excludes="ratios"))
    # Persons held against each of its subsets, and against sentenced + unsentenced.
    wide = totals.pivot_table(index=["country", "sex", "year"], columns="series", values="value", aggfunc="first")
    wide = wide.reindex(columns=sorted(set(wide.columns) | {"persons_held", *PART_OF, *STATUS_PARTS}))
    for part, whole in PART_OF.items():
        both = wide[[whole, part]].dropna().reset_index()
        pairs.append(both.assign(series=whole, whole=both[whole], parts=both[part], what=whole, against=part,
                                 excludes="unsentenced_share" if part == "persons_held_unsentenced" else ""))
    status = wide[["persons_held", *STATUS_PARTS]].dropna().reset_index()
    pairs.append(status.assign(series="persons_held", whole=status["persons_held"],
                               parts=status[list(STATUS_PARTS)].sum(axis=1), what="persons_held",
                               against="sentenced + unsentenced", excludes="unsentenced_share"))
    pairs = pd.concat(pairs, ignore_index=True)
    shortfall = pairs["parts"] - pairs["whole"]
    hit = pairs[shortfall > thresholds.parts_tolerance_pct / 100 * pairs["whole"]].reset_index(drop=True)
    exclude = thresholds.below_parts_treatment == "exclude"
    evidence = [f"{w} {whole:,.0f} is below {a} {parts:,.0f} (short by {parts - whole:,.0f}, "
                f"{fixed(100 * (parts - whole) / whole if whole else np.inf, 1)}% of the count)"
                for w, whole, a, parts in zip(hit["what"], hit["whole"], hit["against"], hit["parts"])]
    ratio_text = {"ratios": "no share uses this count", "unsentenced_share": "share held unsentenced not computed",
                  "": "nothing computed from the pair"}
    treatment = [f"{ratio_text[e]} (below_parts_treatment: exclude)" if exclude
                 else "kept as published (below_parts_treatment: keep)" for e in hit["excludes"]]
    return _findings(hit, BELOW_PARTS, hit["whole"], evidence, treatment,
                     hit["excludes"] if exclude else "")


def sex_swaps(counts: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 5: one year in which the sex that is the smaller in every other year of the series is the larger."""
    wide = counts[counts["sex"].isin(["female", "male"])].pivot_table(
        index=["country", "series", "age", "year"], columns="sex", values="value", aggfunc="first")
    wide = wide.reindex(columns=["female", "male"]).dropna()
    found = []
    for (country, series, age), rows in wide.groupby(level=["country", "series", "age"], sort=True):
        years = rows.index.get_level_values("year").to_numpy()
        female, male = rows["female"].to_numpy(), rows["male"].to_numpy()
        for fewer, more, fewer_name in ((female, male, "women"), (male, female, "men")):
            crossed = np.flatnonzero(fewer > more)
            others = len(years) - 1
            if len(crossed) != 1 or (fewer < more).sum() != others or others < thresholds.sex_swap_min_years:
                continue
            at = crossed[0]
            if female[at] + male[at] < thresholds.sex_swap_min_persons:
                continue
            near = min((i for i in range(len(years)) if i != at), key=lambda i: (abs(years[i] - years[at]), years[i]))
            found.append((country, series, int(years[at]), female[at],
                          f"female {female[at]:,.0f}, male {male[at]:,.0f} in {years[at]} (Age={age.title()}); in the "
                          f"other {others} years with both counts, fewer {fewer_name} than "
                          f"{'men' if fewer_name == 'women' else 'women'} (e.g. {years[near]}: female "
                          f"{female[near]:,.0f}, male {male[near]:,.0f})"))
    table = pd.DataFrame(found, columns=["country", "series", "year", "value", "evidence"]).assign(sex="female")
    exclude = thresholds.sex_swap_treatment == "exclude"
    treatment = ("women's share not computed for the year (sex_swap_treatment: exclude)" if exclude
                 else "kept as published (sex_swap_treatment: keep)")
    return _findings(table, SEX_SWAP, table["value"], table["evidence"].tolist(), treatment,
                     "women_share" if exclude else "")


def repeated_counts(totals: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Rule 6: an Age=Total count of at least `repeated_count_min` persons equal to its series' count of the year
    just before."""
    rows = totals.sort_values(["country", "series", "sex", "year"], kind="stable")
    same_series = rows[["country", "series", "sex"]].eq(rows[["country", "series", "sex"]].shift()).all(axis=1)
    repeated = (same_series & (rows["year"].astype(int).diff() == 1) & (rows["value"].diff() == 0)
                & (rows["value"] >= thresholds.repeated_count_min))
    found = rows[repeated]
    evidence = [f"the same count, {value:,.0f}, in {year - 1} and {year}"
                for value, year in zip(found["value"], found["year"].astype(int))]
    return _findings(found, REPEATED, found["value"], evidence, REPEATED_TREATMENT, "")


def juveniles_one_sex(counts: pd.DataFrame, excluded: set[tuple] = frozenset()) -> pd.DataFrame:
    """Rule 7: a female or male Age=Total count with no Age=Juveniles row that year, where the other sex has an
    Age=Total count and an Age=Juveniles count above 0 in the same series and year, unless the both-sexes
    Age=Juveniles count equals the other sex's (the first sex then has no juveniles to leave out). Where the
    both-sexes count is larger, the evidence gives the juveniles of the first sex it implies; where there is none,
    the year nearest (the earlier of two as near) in which the series counts juveniles of the first sex, if any. A
    count that rules 1 and 2 left out (`excluded`: excluded_values of their findings) is judged on neither side; the
    juvenile counts of its year stay counts of juveniles."""
    keys = zip(*(counts[column].tolist() for column in ("country", "series", "sex")), counts["year"].astype(int))
    counts = counts[~((counts["age"] == "total").to_numpy() & np.array([key in excluded for key in keys], bool))]
    wide = counts.pivot_table(index=["country", "series", "year"], columns=["sex", "age"], values="value",
                              aggfunc="first").reindex(columns=pd.MultiIndex.from_product(
                                  [("female", "male", "total"), ("total", "juveniles")]))
    counted = counts[(counts["age"] == "juveniles") & (counts["value"] > 0)]
    years = {key: group.set_index("year")["value"].sort_index()
             for key, group in counted.assign(year=counted["year"].astype(int)).groupby(["country", "series", "sex"])}
    found, both = [], wide["total", "juveniles"]
    for sex, other in (("female", "male"), ("male", "female")):
        hit = wide[wide[sex, "total"].notna() & wide[sex, "juveniles"].isna() & wide[other, "total"].notna()
                   & (wide[other, "juveniles"] > 0) & ~(both == wide[other, "juveniles"])]
        for (country, series, year), row in hit.iterrows():
            numbers = [fixed(row[column], 0, grouped=True)
                       for column in ((sex, "total"), (other, "total"), (other, "juveniles"))]
            elsewhere = years.get((country, series, sex))
            if row["total", "juveniles"] > row[other, "juveniles"]:
                kind = "implied"
                numbers += [fixed(row["total", "juveniles"], 0, grouped=True),
                            fixed(row["total", "juveniles"] - row[other, "juveniles"], 0, grouped=True)]
            elif elsewhere is not None:
                kind = "elsewhere"
                nearest = min(elsewhere.index, key=lambda y: (abs(y - int(year)), y))
                numbers += [fixed(elsewhere[nearest], 0, grouped=True), nearest]
            else:
                kind = "none"
            evidence = JUVENILES_ONE_SEX_EVIDENCE[sex, kind].format(*numbers)
            found.append({"country": country, "series": series, "sex": sex, "year": int(year),
                          "value": row[sex, "total"], "evidence": evidence})
    table = pd.DataFrame(found, columns=["country", "series", "sex", "year", "value", "evidence"])
    table = table.sort_values(["country", "series", "year", "sex"], kind="stable")
    return _findings(table, JUVENILES_ONE_SEX, table["value"], table["evidence"].tolist(),
                     JUVENILES_ONE_SEX_TREATMENT, "")


# --------------------------------------------------------------------------------------- Helpers ---

def _breaks_in(country, series, sex, years, values, thresholds: Thresholds) -> list[tuple]:
    """The series breaks in one series (years ascending)."""
    ratio, least = thresholds.series_break_ratio, thresholds.series_break_min_change
    agreeing, agree_pct = thresholds.series_break_agreeing_ratio, thresholds.series_break_agreeing_pct

    def far(a, b, by=ratio):  # a and b differ by the ratio and by at least the minimum change
        low, high = sorted((a, b))
        return abs(a - b) >= least and (low == 0 or high / low >= by)

    def agree(a, b):  # within the agreeing % of the lower; one count given twice (carried over) confirms nothing
        low, high = sorted((a, b))
        return 0 < low < high <= low * (1 + agree_pct / 100)

    def text(i, j):
        return f"{years[j]}: {values[j]:,.0f}"

    found, outlier = [], set()
    n = len(values)
    for i in range(n):
        if 0 < i < n - 1:
            up = values[i] > values[i - 1] and values[i] > values[i + 1]
            down = values[i] < values[i - 1] and values[i] < values[i + 1]
            if (up or down) and far(values[i], values[i - 1]) and far(values[i], values[i + 1]):
                outlier.add(i)
                found.append(("outlier", country, series, sex, int(years[i]), values[i],
                              f"{values[i]:,.0f} in {years[i]} against {text(i, i - 1)} and {text(i, i + 1)}: "
                              f"{'above' if up else 'below'} both neighbours by {ratio:g}x or more"))
            elif ((up or down) and i - 1 not in outlier and years[i + 1] - years[i - 1] == 2
                  and agree(values[i - 1], values[i + 1])
                  and far(values[i], values[i - 1], agreeing) and far(values[i], values[i + 1], agreeing)):
                outlier.add(i)
                found.append(("outlier", country, series, sex, int(years[i]), values[i],
                              f"{values[i]:,.0f} in {years[i]} against {text(i, i - 1)} and {text(i, i + 1)}: "
                              f"{'above' if up else 'below'} both neighbouring years by {agreeing:g}x or more, which "
                              f"agree with each other within {agree_pct:g}%"))
        elif n >= 3:
            j, k = (1, 2) if i == 0 else (n - 2, n - 3)
            if abs(years[i] - years[j]) == 1 and far(values[i], values[j]) and not far(values[j], values[k]):
                outlier.add(i)
                found.append(("end", country, series, sex, int(years[i]), values[i],
                              f"{values[i]:,.0f} in {years[i]} against {text(i, j)} (and {text(i, k)}): a jump "
                              f"of {ratio:g}x or more at the "
                              + ("start of the series that the next year does not confirm" if i == 0 else
                                 "end of the series, after two years that agree")))
    for i in range(1, n):
        if i in outlier or i - 1 in outlier or years[i] - years[i - 1] != 1:
            continue
        shared_before = i >= 2 and far(values[i - 1], values[i - 2])
        shared_after = i + 1 < n and far(values[i + 1], values[i])
        if far(values[i], values[i - 1]) and not shared_before and not shared_after and i + 1 < n:
            if _nearer(values[i + 1], values[i], values[i - 1]):
                found.append(("level shift", country, series, sex, int(years[i]), values[i],
                              f"{text(i, i - 1)} -> {values[i]:,.0f} in {years[i]}, a change of {ratio:g}x or more "
                              f"that the neighbouring years do not share, and {text(i + 1, i + 1)} stays nearer "
                              f"the new level"))
            else:  # the next year goes most of the way back: a one-year outlier, if less than the ratio back
                outlier.add(i)
                found.append(("outlier", country, series, sex, int(years[i]), values[i],
                              f"{values[i]:,.0f} in {years[i]} against {text(i, i - 1)} and {text(i, i + 1)}: a "
                              f"change of {ratio:g}x or more that the next year largely reverses (it is nearer "
                              f"the level before)"))
    return found


def _nearer(value: float, new: float, old: float) -> bool:
    """Is `value` nearer `new` than `old`, on a ratio scale (a fall from 674 to 295 followed by 571 is nearer
    the old level)? Counts of zero are compared on the plain scale."""
    if min(value, new, old) <= 0:
        return abs(value - new) < abs(value - old)
    return abs(np.log(value / new)) < abs(np.log(value / old))


def _findings(rows: pd.DataFrame, rule, value, evidence, treatment, excludes) -> pd.DataFrame:
    return pd.DataFrame({
        "rule": rule, "country": rows["country"].to_numpy(), "year": rows["year"].astype(int).to_numpy(),
        "series": rows["series"].to_numpy(), "sex": rows["sex"].to_numpy(), "value": np.asarray(value, float),
        "evidence": evidence, "treatment": treatment, "excludes": excludes,
    }, index=range(len(rows)))


def _without(totals: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """`totals` minus the values `findings` exclude."""
    gone = excluded_values(findings)
    if not gone:
        return totals
    keys = zip(*(totals[column].tolist() for column in ("country", "series", "sex")),  # lists: not Arrow per value
               totals["year"].astype(int).tolist())
    return totals[[key not in gone for key in keys]]
