"""The regional chapter's findings in words, written from its tables so the text never goes stale.

Each function returns Markdown for one section of notebooks/regional.ipynb; the numbers come from the
tables the chapter's build wrote (data/interim/regional/), the UNODC data-quality findings among them.
"""

from __future__ import annotations

import pandas as pd

from pipeline.chapters.regional.build import ESTIMATED, INTERVAL, REPORTED, brazil_in_cells_interval
from pipeline.rounding import fixed, half_away, signed
from pipeline.sources import unodc_plausibility as rules

FEW = 3  # findings of a rule outside the region listed by name; more are counted
FEW_WOMEN = 100  # below it, one woman moves a share of women by a point or more (100 / 100 = 1 point)
# The first years of the COVID-19 pandemic, when several countries released prisoners (params.yaml
# regional.world_panel_last_year keeps the headline window before them).
PANDEMIC_YEARS = {2020: "first", 2021: "second"}
# The base year of the briefing's worldwide growth (claims wld-women-held-growth-since-2000 and its men's twin).
BRIEFING_BASE_YEAR = 2000


def rules_summary(quality: pd.DataFrame, region: str) -> pd.DataFrame:
    """Findings per rule: in `region`, elsewhere, and how many take a value or a share out."""
    counts = quality.assign(where=(quality["region"] == region).map({True: region, False: "rest of the world"}))
    table = counts.pivot_table(index="rule", columns="where", values="country", aggfunc="size", fill_value=0)
    taken = quality[quality["excludes"] != ""].groupby("rule").size().rename("exclude a value or a share")
    return table.join(taken).fillna(0).astype(int)


def rules_found(quality: pd.DataFrame, latest: pd.DataFrame, region: str) -> str:
    """What the plausibility rules found and what it changed, in words."""
    here = quality[quality["region"] == region]
    juveniles = quality[quality["rule"] == rules.JUVENILES_ONLY]
    local = juveniles[juveniles["region"] == region]
    lines = [f"**Counts of juveniles labelled as national totals.** {len(juveniles)} Age=Total counts in the file "
             f"equal the juveniles alone, with no adult count that year; {len(local)} of them in the {region}, in "
             f"{_country_years(local)}: "
             + _list(local) + ". They are left out of every total, share, rate and growth."]
    at = latest.set_index("country")
    for country in sorted(set(local["country"]) & set(at.index)):
        row = at.loc[country]
        women = local[(local["country"] == country) & (local["sex"] == "female")]
        instead = (f" (not {int(women['year'].max())}'s {women['value'].iloc[-1]:,.0f} juveniles)"
                   if len(women) and women["year"].max() > row["latest_year"] else "")
        lines.append(f"- {row['country_name']}: latest complete year {int(row['latest_year'])}{instead}, "
                     f"{row['women_held']:,.0f} women held, {fixed(row['women_share_pct'], 1)}% of persons held"
                     + (f"; growth since its first year ({int(row['first_year'])}): "
                        f"{signed(row['growth_since_first_year_pct'], 1)}%"
                        if pd.notna(row['growth_since_first_year_pct']) else "") + ".")
    elsewhere = juveniles[juveniles["region"] != region]
    lines.append("\nElsewhere the same pattern: " + _list(elsewhere) + ".")
    lines.append("")
    for rule in (rules.JUMP, rules.SHARED_JUMP, rules.SEX_GAP_FAR, rules.BELOW_PARTS, rules.SEX_SWAP,
                 rules.LEVEL_SHIFT, rules.REPEATED, rules.JUVENILES_ONE_SEX):
        found = here[here["rule"] == rule]
        taken = found[found["excludes"] != ""]
        elsewhere = quality[(quality["rule"] == rule) & (quality["region"] != region)]
        lines.append(f"- **{rule}**: {_values(found)} in the {region}"
                     + (f", {len(taken)} with a value or a share taken out ({_list(taken)})" if len(taken) else "")
                     + f"; elsewhere {_values(elsewhere)}"
                     + (f": {_list(elsewhere)}" if 0 < len(elsewhere) <= FEW else "") + ".")
    near = here[here["rule"] == rules.SEX_GAP_NEAR]
    lines.append(f"- **{rules.SEX_GAP_NEAR}**: {len(near)} country-years, kept as published.")
    other = latest[latest["share_denominator"] != "total"]
    lines.append(f"\nIn the table of each country's latest complete year (table 1 of the briefing), its count, share "
                 f"and rate come from that one year. Where that year has no usable total, the share is of female + "
                 f"male: "
                 + ", ".join(f"{r['country_name']} {int(r['latest_year'])}" for _, r in other.iterrows())
                 + (". " if len(other) else "none. ")
                 + "The estimate for the Americas (table 6 of the briefing) takes each country's latest count of "
                   "women instead, which may be of a later year than its latest share (its column `share_year`).")
    return "\n".join(lines)


def share_direction(drawn: pd.DataFrame, focus: list[str]) -> str:
    """Which way women's share of persons held went in fig-01, from each country's first year drawn to its last
    (`drawn`: the figure's data), compared at the one decimal the tables print; the focus countries by name."""
    points = drawn.dropna(subset=["women_share_pct"]).sort_values(["country", "year"])
    by_country = points.groupby("country")
    ends = pd.DataFrame({"name": by_country["country_name"].first(), "years": by_country.size(),
                         "first_year": by_country["year"].first(), "last_year": by_country["year"].last(),
                         "first": half_away(by_country["women_share_pct"].first(), 1),
                         "last": half_away(by_country["women_share_pct"].last(), 1)})
    ends = ends[ends["years"] >= 2]
    rose, fell = (ends["last"] > ends["first"]).sum(), (ends["last"] < ends["first"]).sum()
    same = len(ends) - rose - fell
    shown = [ends.loc[country] for country in focus if country in ends.index]
    return (f"From each country's first year drawn to its last, women's share of persons held rose in {rose} of the "
            f"{len(ends)} countries drawn with at least two years, fell in {fell}"
            + (f" and stayed the same in {same}" if same else "") + " (to one decimal). The focus countries: "
            + "; ".join(f"{row['name']} {fixed(row['first'], 1)}% ({int(row['first_year'])}) to "
                        f"{fixed(row['last'], 1)}% ({int(row['last_year'])})" for row in shown) + ".")


def world_panel(windows: pd.DataFrame, members: pd.DataFrame, coverage: pd.DataFrame | None = None) -> str:
    """The headline and widest windows in words, and the countries of the headline panel (`members`) that move its
    sum of women most: one country's count, or a change in what it covers, can carry the panel. With `coverage` (the
    countries counting women and men each year), whether the file reaches back to the briefing's base year."""
    chosen, widest = windows[windows["chosen"]].iloc[0], windows[windows["widest"]].iloc[0]
    women_ahead = windows["women_growth_pct"] > windows["men_growth_pct"]
    other = "" if chosen["widest"] else (
        f" On the widest window of all, {widest['start_year']}–{widest['end_year']} ({widest['countries']} "
        f"countries{_pandemic(widest['end_year'])}), women held changed by {signed(widest['women_growth_pct'], 1)}% "
        f"and men by {signed(widest['men_growth_pct'], 1)}%: "
        + ("the same order as the headline's." if women_ahead[widest.name] == women_ahead[chosen.name]
           else "the opposite order to the headline's."))
    tied = "".join(
        f" The window {row['start_year']}–{row['end_year']} is as wide and has as many countries (a tie takes the "
        f"later end): there, women held changed by {signed(row['women_growth_pct'], 1)}% and men by "
        f"{signed(row['men_growth_pct'], 1)}%."
        for _, row in windows[windows["tied"]].iterrows())
    return (f"On the headline window, {chosen['start_year']}–{chosen['end_year']}, the same "
            f"{chosen['countries']} countries count women and men at both ends (holding "
            f"{fixed(chosen['share_of_counted_end_pct'], 1)}% of all persons held counted in the file in "
            f"{chosen['end_year']}, each country's count being the larger of its total and its women + men). "
            f"Women held changed by {signed(chosen['women_growth_pct'], 1)}% "
            f"({chosen['women_start']:,.0f} → {chosen['women_end']:,.0f}), men by "
            f"{signed(chosen['men_growth_pct'], 1)}% "
            f"({chosen['men_start']:,.0f} → {chosen['men_end']:,.0f}). Counting each country once, whatever its "
            f"size, women's numbers grew faster than men's (or fell less) in {chosen['countries_women_faster']} of "
            f"the {chosen['countries']}.{tied} Women's numbers grew faster than men's "
            f"(or fell less) in {int(women_ahead.sum())} of the {len(windows)} windows.{_pandemic_windows(windows)}"
            f"{other}{_first_counts(coverage)} " + _largest_changes(members, chosen))


def panel_values_taken_out(quality: pd.DataFrame, windows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """The counts the plausibility rules took out in the headline window's two years, of countries not in its
    panel (`members`): with the counts that fall short of their totals (world_panel_short_counts), why a country
    that reports women and men at both ends may be missing from the panel."""
    chosen = windows[windows["chosen"]].iloc[0]
    taken = quality[quality["year"].isin([chosen["start_year"], chosen["end_year"]])
                    & (quality["excludes"] == "value") & ~quality["country"].isin(members["country"])]
    return taken[["country", "year", "series", "sex", "value", "rule"]] \
        .sort_values(["country", "year", "series", "sex"]).reset_index(drop=True)


def _first_counts(coverage: pd.DataFrame | None) -> str:
    """' The file starts too late…': the file's first year with counts of women and men, how many countries it has
    then and at most, against the base year of the briefing's worldwide growth."""
    if coverage is None or coverage.empty:
        return ""
    first, most = coverage.iloc[0], coverage.loc[coverage["countries"].idxmax()]
    counts = (f"its first year with counts of women and men that can start a growth (the plausibility rules, whose "
              f"findings table 2 of the briefing lists, leave out the rest), {first['year']}, has "
              f"{first['countries']} countries, against {most['countries']} in {most['year']}")
    if first["year"] > BRIEFING_BASE_YEAR:
        return f" The file starts too late to test the growth since {BRIEFING_BASE_YEAR} itself: {counts}."
    return f" The file reaches back to {BRIEFING_BASE_YEAR}: {counts}."


def _pandemic(year: int) -> str:
    """'; it ends in the first pandemic year' (or the second) where `year` is one of PANDEMIC_YEARS, else nothing."""
    return f"; it ends in the {PANDEMIC_YEARS[int(year)]} pandemic year" if int(year) in PANDEMIC_YEARS else ""


def _pandemic_windows(windows: pd.DataFrame) -> str:
    """How many of the windows ending in a pandemic year show both women and men falling, in words."""
    ending = windows[windows["end_year"].isin(list(PANDEMIC_YEARS))]
    if ending.empty:
        return ""
    both_fell = int(((ending["women_growth_pct"] < 0) & (ending["men_growth_pct"] < 0)).sum())
    years = " or ".join(str(year) for year in sorted(set(ending["end_year"].astype(int))))
    return (f" Of the {len(ending)} windows ending in {years} (the pandemic, when several countries released "
            f"prisoners), {both_fell} show{'s' if both_fell == 1 else ''} falls for both.")


def _largest_changes(members: pd.DataFrame, chosen: pd.Series, count: int = 3) -> str:
    """The `count` countries of the headline panel whose women held changed most, and the panel without the largest."""
    change = (members["women_end"] - members["women_start"]).abs()
    moved = members.loc[change.sort_values(ascending=False, kind="stable").index[:count]]
    largest = members.loc[members["women_end"].idxmax()]
    rest = members.drop(index=largest.name)
    without = {sex: half_away(100 * (rest[f"{sex}_end"].sum() / rest[f"{sex}_start"].sum() - 1), 1)
               for sex in ("women", "men")}
    return (f"The countries whose women held changed most on it: "
            + ", ".join(f"{m.country_name} {m.women_start:,.0f} → {m.women_end:,.0f}" for m in moved.itertuples())
            + " (a count whose coverage changed between the two years moves the sum too). "
            f"{largest['country_name']} holds {fixed(100 * largest['women_end'] / chosen['women_end'], 1)}% "
            f"of the panel's women in {chosen['end_year']}; without it, women held changed by "
            f"{signed(without['women'], 1)}% and men by {signed(without['men'], 1)}%.")


def unsentenced(table: pd.DataFrame) -> str:
    """tab-05 in words: the countries where women are more often held unsentenced than men, the pooled shares, and
    the countries whose women are too few for their share to compare (one woman moves it by a point or more)."""
    above = table[table["difference_pp"] > 0]
    women = 100 * table["women_unsentenced"].sum() / table["women_held"].sum()
    men = 100 * table["men_unsentenced"].sum() / table["men_held"].sum()
    few = table[table["women_held"] < FEW_WOMEN]
    counts = ", ".join(f"{country} {women_held:,.0f}" for country, women_held in zip(few["country"], few["women_held"]))
    caveat = "" if few.empty else (
        f" Where fewer than {FEW_WOMEN} women are held, one woman more or less moves their share by a point or more: "
        f"{len(few)} of the {len(table)} ({counts}; {int((few['difference_pp'] > 0).sum())} of them among the "
        f"{len(above)}).")
    return (f"In {len(above)} of the {len(table)} countries, a larger share of women than of men is held "
            f"unsentenced ({', '.join(above['country'])}); pooled over all {len(table)}, {fixed(women, 1)}% of women "
            f"and {fixed(men, 1)}% of men (each country at its latest year with both, "
            f"{table['year'].min()}–{table['year'].max()}).{caveat}")


def americas(interval: pd.DataFrame, by_country: pd.DataFrame) -> str:
    rows = interval.set_index("measure")
    reported, estimated, total = rows.loc[REPORTED], rows.loc[ESTIMATED], rows.loc[INTERVAL]
    largest = by_country[by_country["status"] == "estimated"].nlargest(3, "women_central")
    return (f"The {int(reported['countries'])} countries that count women held report "
            f"{reported['women_low']:,.0f} in their latest counts of women ({int(reported['first_year'])}–"
            f"{int(reported['last_year'])}; a country's latest count may be of a later year than its latest share, "
            f"table 1 of the briefing): a lower bound. The {int(estimated['countries'])} countries without a "
            f"count by sex (the largest: "
            + ", ".join(f"{r['country_name']}, {r['persons_held']:,.0f} persons held in {int(r['year'])}"
                        for _, r in largest.iterrows())
            + f") would add {estimated['women_low']:,.0f} to {estimated['women_high']:,.0f} women "
            f"(central {estimated['women_central']:,.0f}) at the women's shares of the countries that report in their "
            f"group (countries estimated, and the lower quantile, median and upper quantile of the shares they are "
            f"estimated with: {_shares(by_country)}; table 6 of the briefing), giving "
            f"{total['women_low']:,.0f} to {total['women_high']:,.0f} (central {total['women_central']:,.0f}).")


def _shares(by_country: pd.DataFrame) -> str:
    """'14 in Latin America and the Caribbean, from the shares of 31 reporting countries: 3.2%, 5.0%, 6.1%; …':
    how many countries without a count by sex each group has, largest group first, the shares they are estimated
    with, and how many reporting countries' shares those are the quantiles of (a group named after a subregion:
    its reporting countries; otherwise every reporting country of the table, which holds each one's share)."""
    estimated = by_country[by_country["status"] == "estimated"]
    reporting = by_country[(by_country["status"] == "reported") & by_country["women_share_pct"].notna()]
    groups = estimated.groupby("share_group", sort=False).agg(
        countries=("country", "size"), **{end: (f"share_{end}_pct", "first") for end in ("low", "median", "high")}
    ).sort_values("countries", ascending=False, kind="stable")
    peers = {group: int((reporting["subregion"] == group).sum()) if (reporting["subregion"] == group).any()
             else len(reporting) for group in groups.index}
    return "; ".join(f"{row['countries']} in {group}, from the shares of {peers[group]} reporting countries: "
                     + ", ".join(f"{fixed(row[end], 1)}%" for end in ("low", "median", "high"))
                     for group, row in groups.iterrows())


def brazil(reconciliation: pd.DataFrame, interval: pd.DataFrame | None = None,
           by_country: pd.DataFrame | None = None) -> str:
    """UNODC's count of women in Brazil against SISDEPEN's, year by year; with the Americas interval (`interval`,
    `by_country`), what the interval would be with Brazil's women in cells only, the definition the other
    countries' prison counts and the Brazil chapter use."""
    lines, exact = [], []  # exact: years whose counts together equal UNODC's, to the woman
    for _, row in reconciliation.iterrows():
        counts = [("in cells", row["sisdepen_in_cells"], row["difference_from_cells_pct"]),
                  ("with electronic monitoring and home detention", row["sisdepen_all"],
                   row["difference_from_all_pct"])]
        # The counts outside any establishment's cells that the row has: a Patronato's women (the Brazil chapter
        # lists them apart), the women held by the police (state reports).
        others = [name for name, column in (("the women a Patronato supervises", "sisdepen_patronato"),
                                            ("the women held by the police", "police_custody"))
                  if pd.notna(row.get(column))]
        if others:
            every = row["sisdepen_all"] + sum(row[c] for c in ("sisdepen_patronato", "police_custody")
                                              if pd.notna(row.get(c)))
            counts.append((f"with {' and '.join(others)} too", every, row["difference_from_every_count_pct"]))
            if every == row["unodc_women_held"] and pd.notna(row.get("police_custody")):
                exact.append(int(row["year"]))
        closer = min(counts, key=lambda count: abs(count[2]))[0]
        compared = ", ".join(f"{label} {count:,.0f} ({signed(difference, 1)}%)" for label, count, difference in counts)
        lines.append(f"- {int(row['year'])}: UNODC {row['unodc_women_held']:,.0f}; SISDEPEN December, {compared}: "
                     f"closer to the count {closer}.")
    last = reconciliation.iloc[-1]
    wider = abs(last["difference_from_all_pct"]) < abs(last["difference_from_cells_pct"])
    lead = f"In {int(last['year'])}, " + (
        "UNODC's count of women held in Brazil matches SISDEPEN's December count *including* women under "
        "electronic monitoring and in home detention, not the women held in cells that the Brazil chapter shows"
        if wider else "UNODC's count of women held in Brazil matches SISDEPEN's December count of women held in "
        "cells") + ". Year by year"
    text = lead + ":\n\n" + "\n".join(lines)
    share = None if interval is None or by_country is None else brazil_share_of_reported(interval, by_country)
    if share is not None:
        text = (f"Brazil's {share['women']:,.0f} women ({share['year']}) are {fixed(share['pct'], 1)}% of the "
                f"sum of the countries' reported counts above ({share['reported']:,.0f}). ") + text
    if exact:
        text += (f"\n\nIn {' and '.join(map(str, exact))}, SISDEPEN's establishments and the women held by the police "
                 "(the state reports) together give UNODC's count exactly: that is the count UNODC carries.")
    above = reconciliation["difference_from_cells_pct"]
    if len(reconciliation) > 1 and (above > 0).all():
        text += (f"\n\nIn every year from {int(reconciliation['year'].iloc[0])} to {int(last['year'])}, UNODC's count "
                 f"is above SISDEPEN's women in cells (by {fixed(above.min(), 1)}% to {fixed(above.max(), 1)}%), and "
                 "what it holds beyond them changes from year to year: a change between two of its years is not a "
                 "change in the women held in cells.")
    found = None if interval is None or by_country is None else \
        brazil_in_cells_interval(interval, by_country, reconciliation)
    if found is not None:
        text += (f"\n\nThe Americas interval above counts Brazil at UNODC's {found['counted']:,.0f} women "
                 f"({found['year']}). With Brazil's women in cells only ({found['in_cells']:,.0f}, SISDEPEN December "
                 f"{found['year']}), as the Brazil chapter counts them, it would be {found['low']:,.0f} to "
                 f"{found['high']:,.0f} (central {found['central']:,.0f}).")
    return text


def brazil_share_of_reported(interval: pd.DataFrame, by_country: pd.DataFrame) -> dict | None:
    """Brazil's reported count of women (tab-06) as a share of the sum of the reported counts (tab-07, row a.):
    women, year, reported (the sum) and pct. None where Brazil's count is not a reported one."""
    brazil = by_country[(by_country["country"] == "BRA") & (by_country["status"] == "reported")]
    reported = interval.set_index("measure")["women_central"].get(REPORTED)
    if brazil.empty or reported is None or pd.isna(reported) or not reported:
        return None
    women = float(brazil["women_held"].iloc[0])
    return {"women": women, "year": int(brazil["year"].iloc[0]), "reported": float(reported),
            "pct": 100 * women / float(reported)}


# Series named in the lists (persons held is the default and goes unnamed).
_SERIES = {"persons_held": "", "persons_held_unsentenced": "unsentenced ", "persons_held_sentenced": "sentenced ",
           "persons_held_drug_offences": "held for drug offences, "}


def _country_years(findings: pd.DataFrame) -> str:
    count = len(findings[["country", "year"]].drop_duplicates())
    return f"{count} country-year{'s' if count != 1 else ''}"


def _values(findings: pd.DataFrame) -> str:
    """'16 values (13 country-years)': a rule counts values; the lists name country-years, several values each."""
    return f"{len(findings)} value{'s' if len(findings) != 1 else ''} ({_country_years(findings)})" \
        if len(findings) else "0"


def _list(findings: pd.DataFrame) -> str:
    """Country year (series sex value, ...); ... for a few findings."""
    if findings.empty:
        return "none"
    def values(group):
        named = dict.fromkeys(f"{_SERIES.get(series, '')}{sex} {value:,.0f}"  # once, even if two rules fire
                              for series, sex, value in zip(group["series"], group["sex"], group["value"]))
        return ", ".join(named)
    return "; ".join(f"{country} {year} ({values(group)})"
                     for (country, year), group in findings.groupby(["country", "year"], sort=True))
