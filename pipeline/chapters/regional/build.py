"""Regional chapter: women held in prison across Latin America, and three comparisons beyond it.

    python -m pipeline.chapters.regional      # the DVC stage `regional`

Reads the cleaned national series of every country (`data/interim/unodc_prisons_national.parquet`, written by the
UNODC ingest after its plausibility rules), the ingest's data-quality findings, and the long-table parts of UNODC
and of the Brazil chapter (for Brazil's count in UNODC). Writes the chapter's tables (tab-01 to tab-08, through the
registry), its interim tables to `data/interim/regional/` and the aggregate long rows (WLD, LAC, AMR) to
`data/interim/indicators/regional.csv`; the notebook reads the tables and narrates. Every ratio uses numerator and
denominator of the same year:

- women held, their share and rate per country, at each country's latest complete year (tab-01, fig-01);
- women and men held worldwide on a fixed panel of countries (the same countries at both ends);
- the share held unsentenced (pre-trial), women and men, per Latin American and Caribbean country;
- women held in the Americas without the United States: the reported sum, plus an estimate for the
  countries without a count by sex, as an interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import export, io, longtable, params, paths
from pipeline.chapters import interim
from pipeline.errors import PipelineError, cli
from pipeline.rounding import fixed, half_away, half_away_int
from pipeline.settings import Base, Regional
from pipeline.sources import sisdepen, unodc_plausibility, unodc_prisons

CHAPTER = "regional"  # its interim tables, long-table part (data/interim/indicators/regional.csv) and stage
AMERICAS = "Americas"  # UNODC region of the briefing's Americas estimate
GROWTH_BASE_YEAR = 2010  # tab-01's fixed base year (besides each country's first year)
# The rows of the Americas interval, in reading order (the table is sorted by them).
REPORTED = "a. reported: sum of each country's latest count of women"
ESTIMATED = "b. estimated: countries without a count by sex"
INTERVAL = "c. interval: reported + estimated"
UNCOVERED = "d. not covered: no count of any kind"

# Table name -> its key (unique, sorted by it when saved).
TABLE_KEYS = {
    "women_held": ["country", "year"],
    "latest": ["country"],
    "world_panel": ["start_year", "end_year"],
    "world_panel_countries": ["country"],
    "world_panel_short_counts": ["country", "year"],
    "world_panel_coverage": ["year"],
    "unsentenced_by_sex": ["country"],
    "americas_countries": ["country"],
    "americas_interval": ["measure"],
}


# ------------------------------------------------------------------------------------- Inputs ---

def load_national(path=paths.UNODC_PRISONS_NATIONAL) -> pd.DataFrame:
    """The cleaned long rows of every country (unodc_prisons ingest), with `year` as a number."""
    if not path.exists():
        raise PipelineError("the cleaned UNODC national series is missing", file=path,
                            fix="run `dvc repro ingest_unodc_prisons` first")
    national = pd.read_parquet(path)
    return national.assign(year=national["period"].astype(int))


def load_tidy(path=paths.interim_parquet(unodc_prisons.SOURCE)) -> pd.DataFrame:
    """The UNODC prisons file as its ingest tidied it, every breakdown and age (tab-01 reads its juveniles)."""
    if not path.exists():
        raise PipelineError("the tidy UNODC prisons table is missing", file=path,
                            fix="run `dvc repro ingest_unodc_prisons` first")
    return pd.read_parquet(path)


def countries(national: pd.DataFrame, subregion: str) -> pd.DataFrame:
    """ISO3 code and UNODC country name of every country of `subregion` with a persons-held series."""
    found = national[national["subregion"] == subregion].drop_duplicates("country")
    return (found[["country", "country_name"]].rename(columns={"country": "iso3"}).sort_values("iso3")
            .reset_index(drop=True))


def check_params(settings: Regional, base_focus: list[str], national: pd.DataFrame) -> None:
    """Each parameter against the data: one PipelineError naming the key, the value and what is allowed."""
    subregions = sorted(set(national["subregion"].dropna()) - {"World"})
    if settings.subregion not in subregions:
        _bad("regional.subregion", settings.subregion, subregions)
    members = countries(national, settings.subregion)["iso3"].tolist()
    years = national.loc[(national["subregion"] == settings.subregion)
                         & (national["indicator"] == "persons_held"), "year"]
    if not years.min() <= settings.first_year <= years.max():
        _bad("regional.first_year", settings.first_year, [f"{years.min()}–{years.max()}"])
    for key, chosen in (("regional.focus_countries", settings.focus_countries),
                        ("base.focus_countries", base_focus)):
        for code in chosen:
            if code not in members:
                _bad(key, code, members, f"ISO3 codes of {settings.subregion}")
    americas = sorted(set(national.loc[national["region"] == AMERICAS, "country"]))
    for code in settings.americas_excluded:
        if code not in americas:
            _bad("regional.americas_excluded", code, americas, "ISO3 codes of the Americas")


def _bad(key: str, value, allowed: list, what: str = "allowed values") -> None:
    raise PipelineError(f"'{key}' has {value!r}, which the UNODC file does not have", file=paths.PARAMS,
                        fix=f"{what}: {', '.join(map(str, allowed))}")


# ------------------------------------------------------------------------ Women held per country ---

def women_held(national: pd.DataFrame, members: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Per country and year from `first_year`: women and men held, all persons held, women's share (with its
    denominator) and rate. Rows where women are counted."""
    rows = national[national["country"].isin(members["iso3"]) & (national["year"] >= first_year)]
    counts = _wide(rows, "persons_held").rename(columns={"female": "women_held", "male": "men_held",
                                                         "total": "persons_held"})
    share = rows[rows["indicator"] == "women_share_of_persons_held"].set_index(["country", "year"])
    rate = _wide(rows, "persons_held_rate")
    table = counts.join(share["basis"].rename("share_denominator")).join(
        share["value"].rename("women_share_pct")).join(rate["female"].rename("women_per_100k_women"))
    table = table[table["women_held"].notna()].reset_index()
    return (table.merge(members.rename(columns={"iso3": "country"}), on="country", how="left")
            [["country", "country_name", "year", "women_held", "men_held", "persons_held", "share_denominator",
              "women_share_pct", "women_per_100k_women"]]
            .sort_values(["country", "year"]).reset_index(drop=True))


def growth_base(series: pd.DataFrame) -> pd.Series:
    """Whether each row's count of women can start a growth (unodc_plausibility.starts_growth)."""
    return unodc_plausibility.starts_growth(series["women_held"], series["men_held"], series["persons_held"],
                                            series["women_share_pct"])


def growth_pct(series: pd.DataFrame, base_year: int, latest: pd.DataFrame) -> pd.Series:
    """Per country: % change of women held from `base_year` to its row in `latest` (NaN if the base year's count
    cannot start a growth, see growth_base, or is not before the latest year)."""
    base = series[(series["year"] == base_year) & growth_base(series)].set_index("country")["women_held"]
    change = 100 * (latest["women_held"] / base.reindex(latest.index) - 1)
    return change.where(latest["latest_year"] > base_year)


def latest_by_country(series: pd.DataFrame) -> pd.DataFrame:
    """One row per country at its latest complete year — the latest year where women held and the share's
    denominator are both reported and plausible: count, share and rate of that one year, and growth of
    women held to it since 2010 and since the country's first year in the window whose count can start a growth
    (growth_base), blank where that year is not before the latest (no growth over no years)."""
    ordered = series.sort_values("year")
    latest = ordered.dropna(subset=["women_share_pct"]).groupby("country").tail(1).set_index("country")
    first = ordered[growth_base(ordered)].groupby("country").head(1).set_index("country").reindex(latest.index)
    latest = latest.rename(columns={"year": "latest_year"})
    first = first[first["year"] < latest["latest_year"]].reindex(latest.index)  # no growth over no years
    table = pd.DataFrame({
        "country_name": latest["country_name"],
        "latest_year": latest["latest_year"],
        "women_held": latest["women_held"],
        "men_held": latest["men_held"],
        "persons_held": latest["persons_held"],
        "share_denominator": latest["share_denominator"],
        "women_share_pct": half_away(latest["women_share_pct"], 1),
        "women_per_100k_women": half_away(latest["women_per_100k_women"], 1),
        "growth_since_2010_pct": half_away(growth_pct(series, GROWTH_BASE_YEAR, latest), 1),
        "first_year": first["year"].astype("Int64"),
        "growth_since_first_year_pct": half_away(100 * (latest["women_held"] / first["women_held"] - 1), 1),
    })
    return table.reset_index()


# ---------------------------------------------------------------------------------- The world ---

def _counts_by_sex(national: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every country's persons held by sex and in total per year (country, year), and of those with women and men,
    the counts that can start or end a growth (`complete`) and those that cannot (`short`). A count by sex that falls
    short of its year's total (its women's share left out by the plausibility rules) may miss women and men, so it
    neither starts nor ends a growth (unodc_plausibility.starts_growth, as tab-01's)."""
    nations = national[national["region"] != "World"]
    counts = _without_double_counting(_wide(nations, "persons_held"))
    share = _wide(nations, "women_share_of_persons_held")["female"].reindex(counts.index)
    usable = unodc_plausibility.starts_growth(counts["female"], counts["male"], counts["total"], share)
    return counts, counts[usable].dropna(subset=["female", "male"]), counts[~usable].dropna(subset=["female", "male"])


def countries_counting_by_sex(national: pd.DataFrame) -> pd.DataFrame:
    """Per year, how many countries count women and men in a way that can start or end a growth: the countries the
    fixed panels are drawn from (world_panel), and the reason the file cannot give a growth from before its years."""
    _, complete, _ = _counts_by_sex(national)
    return complete.groupby(level="year").size().rename("countries").reset_index()


def world_panel(national: pd.DataFrame, min_countries: int,
                last_year: int = 9999) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Women and men held on fixed panels: for each span of years, the pair of years with the most countries
    counting women and men in both (at least `min_countries`). The headline window (`chosen`) is the widest
    ending in `last_year` or before (ties: the later end; a tied window is shown too, marked `tied`); the widest of
    all is marked too (`widest`), so that a window the headline leaves out is still shown. A count by sex that
    falls short of its year's total counts no country in (PANEL_COUNTS).
    Returns the windows, the chosen panel's countries, and the counts left out of the chosen window's years that
    would otherwise have put a country in it."""
    counts, complete, short = _counts_by_sex(national)
    # Persons held counted that year: the larger of the total and female + male, or the one there is (a total below
    # its parts misses persons, and no share uses it: Mexico's of 2009-2012).
    counted = np.fmax(counts["total"], counts["female"] + counts["male"])
    by_year = {year: set(rows.index.get_level_values("country")) for year, rows in complete.groupby(level="year")}
    best_all, best_headline = _best_windows(by_year, min_countries), _best_windows(by_year, min_countries, last_year)
    if not best_all or not best_headline:
        largest = max((len(by_year[a] & by_year[b]) for a in by_year for b in by_year if a < b <= last_year), default=0)
        key = "world_panel_min_countries" if not best_all else "world_panel_last_year"
        raise PipelineError(f"'regional.{key}': no two years up to {last_year} have {min_countries} countries "
                            f"counting women and men in both (at most {largest})", file=paths.PARAMS,
                            fix=f"use at most {largest} countries, or a later last year")
    chosen_window, widest_window = best_headline[max(best_headline)], best_all[max(best_all)]
    tied = _tied_windows(by_year, chosen_window, last_year)
    windows_to_show = sorted(set(best_all.values()) | {chosen_window} | tied, key=lambda w: (w[1] - w[2], w),
                             reverse=True)
    rows = []
    for size, end, start in windows_to_show:
        panel = sorted(by_year[start] & by_year[end])
        at = {year: complete.loc[[(c, year) for c in panel]].droplevel("year") for year in (start, end)}
        # Country by country, women's count grew by a larger factor than men's (cross-multiplied: a country whose
        # women start at 0 and end above it grew faster), so no one country's size carries the count.
        women_faster = at[end]["female"] * at[start]["male"] > at[end]["male"] * at[start]["female"]
        rows.append({
            "start_year": start, "end_year": end, "countries": size,
            "women_start": at[start]["female"].sum(), "women_end": at[end]["female"].sum(),
            "men_start": at[start]["male"].sum(), "men_end": at[end]["male"].sum(),
            "countries_women_faster": int(women_faster.sum()),
            **{f"share_of_counted_{label}_pct": half_away(100 * counted.loc[[(c, year) for c in panel]].sum()
                                                          / counted.xs(year, level="year").sum(), 1)
               for label, year in (("start", start), ("end", end))},
            "chosen": (size, end, start) == chosen_window,
            "widest": (size, end, start) == widest_window,
            "tied": (size, end, start) in tied,
        })
    windows = pd.DataFrame(rows)
    windows = windows.assign(women_growth_pct=half_away(100 * (windows["women_end"] / windows["women_start"] - 1), 1),
                             men_growth_pct=half_away(100 * (windows["men_end"] / windows["men_start"] - 1), 1))
    windows = windows[["start_year", "end_year", "countries", "women_start", "women_end", "women_growth_pct",
                       "men_start", "men_end", "men_growth_pct", "countries_women_faster",
                       "share_of_counted_start_pct", "share_of_counted_end_pct", "chosen", "widest", "tied"]]
    size, end, start = chosen_window
    panel = sorted(by_year[start] & by_year[end])
    members = pd.DataFrame({
        "country": panel,
        "women_start": [complete.at[(c, start), "female"] for c in panel],
        "women_end": [complete.at[(c, end), "female"] for c in panel],
        "men_start": [complete.at[(c, start), "male"] for c in panel],
        "men_end": [complete.at[(c, end), "male"] for c in panel],
    })
    names = national.drop_duplicates("country").set_index("country")[["country_name", "region"]]
    members = members.join(names, on="country")[["country", "country_name", "region", "women_start",
                                                 "women_end", "men_start", "men_end"]]
    # Countries counting women and men at both ends of the chosen window, one end's counts short of its total.
    both = {year: set(rows.index.get_level_values("country"))
            for year, rows in pd.concat([complete, short]).groupby(level="year")}
    wanted = (both.get(start, set()) & both.get(end, set())) - set(panel)
    left_out = short[short.index.get_level_values("year").isin([start, end])
                     & short.index.get_level_values("country").isin(wanted)].reset_index()
    short_pct = half_away(100 * (1 - (left_out["female"] + left_out["male"]) / left_out["total"]), 1)
    left_out = left_out.assign(short_pct=short_pct)[["country", "year", "total", "female", "male", "short_pct"]]
    return windows, members, left_out


def _best_windows(by_year: dict[int, set], min_countries: int, last_year: int = 9999) -> dict[int, tuple]:
    """Span of years -> (countries, end, start) of the pair of years with the most countries in both (ties: the
    later end), among pairs ending in `last_year` or before with at least `min_countries` countries."""
    best: dict[int, tuple] = {}
    for start in by_year:
        for end in by_year:
            panel = by_year[start] & by_year[end]
            if start < end <= last_year and len(panel) >= min_countries:
                candidate = (len(panel), end, start)
                if end - start not in best or candidate > best[end - start]:
                    best[end - start] = candidate
    return best


def _tied_windows(by_year: dict[int, set], chosen: tuple, last_year: int) -> set[tuple]:
    """The other pairs of years as far apart as the headline window's, with as many countries, ending in `last_year`
    or before: the headline takes the later end, and a tied window is shown beside it (its growths may differ)."""
    size, end, start = chosen
    return {(size, b, a) for a in by_year for b in by_year if b - a == end - start and b <= last_year
            and (a, b) != (start, end) and len(by_year[a] & by_year[b]) == size}


def _without_double_counting(counts: pd.DataFrame) -> pd.DataFrame:
    """Drop a part of a country (code 'IRQ_C', 'GBR_S', ...) in a year where the country itself ('IRQ') is
    counted; parts whose country has no count of its own (the United Kingdom's three) stay."""
    codes = counts.index.get_level_values("country")
    years = counts.index.get_level_values("year")
    present = set(zip(codes, years))
    parent = codes.str.split("_").str[0]
    duplicate = [code != p and (p, year) in present for code, p, year in zip(codes, parent, years)]
    return counts[~np.array(duplicate, dtype=bool)]


# ----------------------------------------------------------------------- Pre-trial, by sex ---

def unsentenced_by_sex(national: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per country of `members`: the shares of women and of men held unsentenced, at the latest year with
    both (each share's numerator and denominator of that year and sex)."""
    rows = national[national["country"].isin(members["iso3"])]
    share = _wide(rows, "unsentenced_share_of_persons_held")[["female", "male"]].dropna()
    held = _wide(rows, "persons_held").reindex(share.index)
    unsentenced = _wide(rows, "persons_held_unsentenced").reindex(share.index)
    both = pd.DataFrame({
        "women_held": held["female"], "women_unsentenced": unsentenced["female"],
        "women_unsentenced_pct": half_away(share["female"], 1),
        "men_held": held["male"], "men_unsentenced": unsentenced["male"],
        "men_unsentenced_pct": half_away(share["male"], 1),
        "difference_pp": half_away(share["female"] - share["male"], 1),
    }).reset_index()
    latest = both.sort_values("year").groupby("country").tail(1)
    return (latest.merge(members.rename(columns={"iso3": "country"}), on="country")
            [["country", "country_name", "year", *both.columns[2:]]].sort_values("country").reset_index(drop=True))


# ----------------------------------------------------------------------------- The Americas ---

def americas(national: pd.DataFrame, excluded: list[str], quantiles: list[float],
             min_peers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Women held in the Americas without `excluded`: each country's latest count of women, and for each country
    without one, its latest total persons held × the low, median and high women's share (quantiles `quantiles`) of
    the reporting countries of its subregion (of the whole region where fewer than `min_peers` report). Returns the
    per-country table and the interval."""
    scope = national[(national["region"] == AMERICAS) & ~national["country"].isin(excluded)]
    names = scope.drop_duplicates("country").set_index("country")[["country_name", "subregion"]]
    women = _latest(scope, "persons_held", "female")
    shares = _latest(scope, "women_share_of_persons_held", "female")
    totals = _latest(scope, "persons_held", "total")
    # Each reporting country's latest share, with its year: the estimates below take it as a peer's share, whatever
    # the year of its count (Guyana's latest count, 2021, has no total: its latest share is 2020's, shown so, so that
    # the table holds every share the quantiles are taken from).
    reporting = names.loc[women.index].assign(status="reported", year=women["year"], women_held=women["value"],
                                              women_share_pct=half_away(shares["value"].reindex(women.index), 1),
                                              share_year=shares["year"].reindex(women.index).astype("Int64"))
    missing = names.drop(women.index)
    estimated = missing.loc[missing.index.intersection(totals.index)]
    rows = []
    for country, row in estimated.iterrows():
        peers = shares.loc[shares.index.intersection(names.index[names["subregion"] == row["subregion"]])]
        group = row["subregion"] if len(peers) >= min_peers else f"{AMERICAS} (fewer than {min_peers} in "\
                                                                   f"{row['subregion']})"
        peers = peers if len(peers) >= min_peers else shares
        low, median, high = np.quantile(peers["value"], [quantiles[0], 0.5, quantiles[1]])
        total = totals.at[country, "value"]
        rows.append({"country": country, "status": "estimated", "year": totals.at[country, "year"],
                     "persons_held": total, "share_low_pct": half_away(low, 1),
                     "share_median_pct": half_away(median, 1), "share_high_pct": half_away(high, 1),
                     "women_low": half_away_int(total * low / 100),
                     "women_central": half_away_int(total * median / 100),
                     "women_high": half_away_int(total * high / 100),
                     "share_group": group})
    estimates = pd.DataFrame(rows).set_index("country").join(names)
    without = names.drop(women.index.union(estimates.index)).assign(status="no count")
    table = pd.concat([reporting, estimates, without]).rename_axis("country").reset_index()
    table = table[["country", "country_name", "subregion", "status", "year", "women_held", "women_share_pct",
                   "share_year", "persons_held", "share_low_pct", "share_median_pct", "share_high_pct", "women_low",
                   "women_central", "women_high", "share_group"]].sort_values("country").reset_index(drop=True)
    return table, _interval(table)


def _interval(table: pd.DataFrame) -> pd.DataFrame:
    reported = table[table["status"] == "reported"]
    estimated = table[table["status"] == "estimated"]
    years = lambda rows: (int(rows["year"].min()), int(rows["year"].max())) if len(rows) else (None, None)  # noqa: E731
    rows = [
        (REPORTED, len(reported), *years(reported),
         *[reported["women_held"].sum()] * 3),
        (ESTIMATED, len(estimated), *years(estimated),
         *(estimated[c].sum() for c in ("women_low", "women_central", "women_high"))),
    ]
    rows.append((INTERVAL, len(reported) + len(estimated),
                 min(y for y in (rows[0][2], rows[1][2]) if y is not None),
                 max(y for y in (rows[0][3], rows[1][3]) if y is not None),
                 *(rows[0][4 + i] + rows[1][4 + i] for i in range(3))))
    rows.append((UNCOVERED, int((table["status"] == "no count").sum()), None, None,
                 np.nan, np.nan, np.nan))
    return pd.DataFrame(rows, columns=["measure", "countries", "first_year", "last_year", "women_low",
                                       "women_central", "women_high"]).astype({"first_year": "Int64",
                                                                               "last_year": "Int64"})


# --------------------------------------------------------------------------- Long-table rows ---

def long_rows(tables: dict[str, pd.DataFrame], settings: Regional, in_unodc: pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """The aggregates a claims check needs, as long rows: WLD (fixed panel), LAC (pre-trial), AMR (interval, and
    with `in_unodc` (tab-08) the interval with Brazil's women in cells only)."""
    brazil = [] if in_unodc is None else _americas_brazil_in_cells_rows(tables, in_unodc, settings)
    return longtable.frame(_world_rows(tables, settings) + _pretrial_rows(tables["unsentenced_by_sex"], settings)
                           + _americas_rows(tables, settings) + brazil)


def _row(country, indicator, sex, period, value, unit, definition, source: str = unodc_prisons.SOURCE) -> dict:
    return {"country": country, "source": source, "indicator": indicator, "sex": sex,
            "period": str(period), "value": float(value), "unit": unit, "definition": definition}


def _world_rows(tables, settings: Regional) -> list[dict]:
    """The headline panel (`persons_held_fixed_panel*`) and, when it differs, the widest panel of all
    (`persons_held_widest_panel*`): counts at both ends, their growth, size and coverage."""
    windows = tables["world_panel"]
    chosen = windows[windows["chosen"]].iloc[0]
    rows = _panel_rows(chosen, "fixed_panel",
                       f"of all pairs of years ending in {settings.world_panel_last_year} or before "
                       f"(regional.world_panel_last_year) with at least {settings.world_panel_min_countries} such "
                       f"countries, the widest")
    rows += _without_largest_rows(chosen, tables["world_panel_countries"])
    widest = windows[windows["widest"]].iloc[0]
    if not widest["chosen"]:
        rows += _panel_rows(widest, "widest_panel", f"of all pairs of years with at least "
                                                    f"{settings.world_panel_min_countries} such countries, the widest")
    rows += [_row("WLD", "countries_counting_women_and_men", "total", year, countries, "countries",
                  "number of countries (or separately reported parts of one) whose UNODC CTS persons held (Age=Total, "
                  "plausibility rules applied) count women and men in a way that can start or end a growth: no count "
                  "by sex far short of its year's total (the pool the fixed panels of table 4 of the briefing are "
                  "drawn from)")
             for year, countries in zip(tables["world_panel_coverage"]["year"],
                                        tables["world_panel_coverage"]["countries"])]
    return rows


def _without_largest_rows(window: pd.Series, members: pd.DataFrame) -> list[dict]:
    """The headline panel's growths without its country holding the most women at the end (the United States hold
    over half of them): whether the panel's gap between women and men is one country's."""
    start, end = int(window["start_year"]), int(window["end_year"])
    largest = members.loc[members["women_end"].idxmax()]
    rest = members.drop(index=largest.name)
    share = half_away(100 * largest["women_end"] / members["women_end"].sum(), 1)
    return [_row("WLD", "persons_held_fixed_panel_growth_without_largest", sex, end,
                 round(100 * (rest[f"{column}_end"].sum() / rest[f"{column}_start"].sum() - 1), 4), "percent",
                 f"change of persons held from {start} to {end} in percent over the headline panel of table 4 of the "
                 f"briefing without "
                 f"its country holding the most women in {end} ({largest['country']}, {fixed(share, 1)}% of the "
                 f"panel's women): {len(rest)} countries")
            for sex, column in (("female", "women"), ("male", "men"))]


def _panel_rows(window: pd.Series, name: str, how: str) -> list[dict]:
    start, end, size = int(window["start_year"]), int(window["end_year"]), int(window["countries"])
    panel = (f"the panel of {size} countries (or separately reported parts of one) that count both women and men "
             f"held in {start} and in {end} — {how}; parts of a country are left out where the country is "
             f"counted (table 4 of the briefing)")
    rows = []
    for sex, column in (("female", "women"), ("male", "men")):
        for label, year in (("start", start), ("end", end)):
            rows.append(_row("WLD", f"persons_held_{name}", sex, year, window[f"{column}_{label}"], "persons",
                             f"sum of UNODC CTS persons held (Age=Total, plausibility rules applied) over {panel}"))
        # From the counts, not the table's growth (rounded to one decimal for reading): the claims subtract one
        # growth from the other, and two rounded growths gave 18.6 - 13.8 = 4.80 points where the counts give 4.78.
        growth = 100 * (window[f"{column}_end"] / window[f"{column}_start"] - 1)
        rows.append(_row("WLD", f"persons_held_{name}_growth", sex, end, round(growth, 4), "percent",
                         f"change of persons held from {start} to {end} in percent (same countries at both ends), "
                         f"over {panel}"))
    for label, year in (("start", start), ("end", end)):
        rows.append(_row("WLD", f"{name}_share_of_persons_held", "total", year,
                         window[f"share_of_counted_{label}_pct"], "percent",
                         f"persons held in {panel}, as a percentage of all persons held counted in the UNODC file "
                         f"that year (the total, or female + male where a country gives no total or one below them)"))
    rows.append(_row("WLD", f"{name}_countries", "total", end, size, "countries", f"number of countries in {panel}"))
    rows.append(_row("WLD", f"{name}_countries_women_faster", "total", end, window["countries_women_faster"],
                     "countries", f"number of countries whose women held grew by a larger percentage than their men "
                                  f"held from {start} to {end} (or fell by less), of {panel}"))
    return rows


def _pretrial_rows(table: pd.DataFrame, settings: Regional) -> list[dict]:
    first, last = int(table["year"].min()), int(table["year"].max())
    scope = (f"the {len(table)} countries of {settings.subregion} that count persons held unsentenced for both "
             f"women and men, each at its latest year with both ({first}–{last}; period = the latest)")
    rows = [_row("LAC", "unsentenced_share_of_persons_held", sex, last,
                 100 * table[f"{column}_unsentenced"].sum() / table[f"{column}_held"].sum(), "percent",
                 f"{column} held unsentenced as a percentage of {column} held, pooled over {scope} "
                 f"(UNODC CTS 'Persons held' by status = Unsentenced, and 'Persons held', Age=Total)")
            for sex, column in (("female", "women"), ("male", "men"))]
    rows.append(_row("LAC", "countries_unsentenced_share_by_sex", "total", last, len(table), "countries",
                     f"number of {scope}"))
    rows.append(_row("LAC", "countries_women_unsentenced_share_above_men", "total", last,
                     int((table["difference_pp"] > 0).sum()), "countries",
                     f"of {scope}: those where the share of women held unsentenced is above the share of men "
                     f"(unrounded shares)"))
    return rows


def _americas_rows(tables, settings: Regional) -> list[dict]:
    interval = tables["americas_interval"].set_index("measure")
    reported, total, estimated = interval.loc[REPORTED], interval.loc[INTERVAL], interval.loc[ESTIMATED]
    uncovered = int(interval.loc[UNCOVERED, "countries"])
    period = int(reported["last_year"])
    scope = f"the Americas (UNODC region) without {', '.join(settings.americas_excluded)}"
    base = (f"women held in {scope}: the sum of the latest UNODC CTS count of each of the "
            f"{int(reported['countries'])} countries that count women ({int(reported['first_year'])}–{period}; "
            f"period = the latest)")
    low, high = settings.missing_share_quantiles
    method = (f"{base}, plus, for the {int(estimated['countries'])} countries without a count by sex, their latest "
              f"total persons held × the {{}} women's share of the reporting countries of their subregion (of "
              f"the Americas where fewer than {settings.missing_share_min_peers} report); countries with no count at "
              f"all, not covered: {uncovered} (table 7 of the briefing)")
    return [
        _row("AMR", "women_held_sum_reporting", "female", period, reported["women_low"], "persons",
             f"{base}; a lower bound (countries without a count by sex are missing)"),
        _row("AMR", "women_held_estimate_low", "female", period, total["women_low"], "persons",
             method.format(f"{low:g}-quantile")),
        _row("AMR", "women_held_estimate_central", "female", period, total["women_central"], "persons",
             method.format("median")),
        _row("AMR", "women_held_estimate_high", "female", period, total["women_high"], "persons",
             method.format(f"{high:g}-quantile")),
    ]


def brazil_in_cells_interval(interval: pd.DataFrame, by_country: pd.DataFrame, in_unodc: pd.DataFrame
                             ) -> dict | None:
    """The Americas interval with Brazil counted at SISDEPEN's December women in cells of the year of its UNODC count,
    instead of that count, which holds women outside cells too (tab-08: under electronic monitoring, in home detention,
    held by the police): year, counted (UNODC's), in_cells, and the interval's low, central and high. None where
    Brazil's count is not a reported one or tab-08 has no women in cells for its year."""
    brazil = by_country[(by_country["country"] == "BRA") & (by_country["status"] == "reported")]
    if brazil.empty:
        return None
    year = int(brazil["year"].iloc[0])
    same_year = in_unodc[in_unodc["year"] == year]
    if same_year.empty or pd.isna(same_year["sisdepen_in_cells"].iloc[0]):
        return None
    counted, in_cells = float(brazil["women_held"].iloc[0]), float(same_year["sisdepen_in_cells"].iloc[0])
    total = interval.set_index("measure").loc[INTERVAL]
    outside = counted - in_cells
    return {"year": year, "counted": counted, "in_cells": in_cells,
            **{end: float(total[f"women_{end}"]) - outside for end in ("low", "central", "high")}}


def _americas_brazil_in_cells_rows(tables, in_unodc: pd.DataFrame, settings: Regional) -> list[dict]:
    """The Americas interval's ends with Brazil's women in cells only (brazil_in_cells_interval), as long rows of the
    interval's period: what a claim about women held in prison is tested against where Brazil's UNODC count holds
    women outside cells."""
    found = brazil_in_cells_interval(tables["americas_interval"], tables["americas_countries"], in_unodc)
    if found is None:
        return []
    period = int(tables["americas_interval"].set_index("measure").at[REPORTED, "last_year"])
    low, high = settings.missing_share_quantiles
    instead = (f"with Brazil counted at SISDEPEN's December {found['year']} women in cells ({found['in_cells']:,.0f}) "
               f"instead of UNODC's {found['counted']:,.0f}, which also holds women under electronic monitoring, in "
               f"home detention and held by the police (table 8 of the briefing)")
    both = longtable.SOURCES_JOINED_BY.join((unodc_prisons.SOURCE, sisdepen.SOURCE_ID))  # UNODC's, SISDEPEN's for Brazil
    return [_row("AMR", f"women_held_estimate_{end}_brazil_in_cells", "female", period, found[end], "persons",
                 f"the Americas interval's {name} (women_held_estimate_{end}) {instead}", both)
            for end, name in (("low", f"lower end, {low:g}-quantile"), ("central", "central value, median"),
                              ("high", f"upper end, {high:g}-quantile"))]


# ------------------------------------------------------------------------------------- Build ---

def build(national: pd.DataFrame, settings: Regional) -> dict[str, pd.DataFrame]:
    """Every table of the chapter, computed from the cleaned national series."""
    members = countries(national, settings.subregion)
    series = women_held(national, members, settings.first_year)
    windows, panel, short = world_panel(national, settings.world_panel_min_countries, settings.world_panel_last_year)
    by_country, interval = americas(national, settings.americas_excluded, settings.missing_share_quantiles,
                                    settings.missing_share_min_peers)
    return {
        "women_held": series,
        "latest": latest_by_country(series),
        "world_panel": windows,
        "world_panel_countries": panel,
        "world_panel_short_counts": short,
        "world_panel_coverage": countries_counting_by_sex(national),
        "unsentenced_by_sex": unsentenced_by_sex(national, members),
        "americas_countries": by_country,
        "americas_interval": interval,
    }


def check_headline_countries(latest: pd.DataFrame, base_focus: list[str]) -> None:
    """The briefing's headline reads tab-01 for `base.focus_countries`: each needs a complete year."""
    missing = [code for code in base_focus if code not in set(latest["country"])]
    if missing:
        raise PipelineError(f"'base.focus_countries' has {missing[0]!r}, which has no year with women held and "
                            "persons held both reported and plausible", file=paths.PARAMS,
                            fix=f"countries with one: {', '.join(latest['country'])}")


def chapter_tables(tables: dict[str, pd.DataFrame], quality: pd.DataFrame, parts: pd.DataFrame,
                   police: pd.DataFrame, juveniles: pd.Series, settings: Regional) -> dict[str, pd.DataFrame]:
    """Every table the chapter publishes or narrates: the computed ones (years as whole numbers even where some
    are missing), the UNODC findings in the Americas (tab-02) and everywhere, the definitions behind each focus
    country's numbers (tab-03), the world panel's windows as published (tab-04), Brazil in UNODC (tab-08)."""
    whole = {name: _whole_years(table.sort_values(TABLE_KEYS[name], kind="stable").reset_index(drop=True))
             for name, table in tables.items()}
    windows = whole["world_panel"]
    window = windows["chosen"].map({True: "headline", False: ""}).where(~windows["widest"], "widest of all")
    both = windows["chosen"] & windows["widest"]
    window = window.where(~both, "headline, widest of all").where(~windows["tied"], "as wide as the headline, as many "
                                                                                  "countries")
    published_windows = windows.assign(window=window).drop(columns=["chosen", "widest", "tied"])
    in_unodc = brazil_in_unodc(parts, police)
    countries, interval = whole["americas_countries"], whole["americas_interval"]
    latest = whole["latest"]
    return {**whole, "latest": latest.assign(
                count_note=count_notes(latest, in_unodc),
                growth_note=growth_notes(latest, whole["women_held"], juveniles, settings.juveniles_note_min_pct)),
            "americas_countries": countries.assign(note=americas_count_notes(countries, in_unodc)),
            "americas_interval": interval.assign(note=interval_notes(interval, countries, in_unodc)),
            "world_panel_windows": published_windows, "unodc_quality": quality,
            "quality": quality_table(quality, AMERICAS),
            "comparability": comparability(settings.focus_countries), "brazil_in_unodc": in_unodc}


# tab-01's note on a count that holds more than people in prison cells (tab-08 shows which count UNODC carries).
OUTSIDE_CELLS_NOTE = ("count includes {0} women outside cells (electronic monitoring, home detention; table 8 of the "
                      "briefing); a change from a year before electronic monitoring (Law 12.258 of 2010) compares "
                      "counts of different scope")
# ... where the state reports give the women held by the police that year (UNODC's 2020 count is the sum, to the woman).
OUTSIDE_CELLS_AND_POLICE_NOTE = ("count includes {0} women outside cells (electronic monitoring, home detention) and "
                                 "{1} held by the police (table 8 of the briefing); a change from a year before "
                                 "electronic monitoring (Law 12.258 of 2010) compares counts of different scope")


def count_notes(latest: pd.DataFrame, in_unodc: pd.DataFrame) -> pd.Series:
    """For each row of tab-01, what its latest count holds beyond people in prison cells: Brazil's, where UNODC's
    count is nearer SISDEPEN's women in cells, under electronic monitoring and in home detention together than its
    women in cells alone (2020: 41,580 against 41,384 and 28,688). Its growth then compares a count with people
    outside cells with one of a year before electronic monitoring (Brazil's Law 12.258 of 2010): the note says so,
    since every number made from the count carries it (share, rate, growth); and the women held by the police, where
    the state reports give them for that year and the count is nearer the sum with them (2020: 196, and the sum is
    UNODC's 41,580). Empty otherwise."""
    by_year = in_unodc.set_index("year")
    notes = pd.Series("", index=latest.index, dtype=object)
    for position, row in latest[latest["country"].eq("BRA")].iterrows():
        if row["latest_year"] in by_year.index:
            found = by_year.loc[row["latest_year"]]
            if abs(found["difference_from_all_pct"]) < abs(found["difference_from_cells_pct"]):
                outside = f"{int(found['sisdepen_all'] - found['sisdepen_in_cells']):,}"
                police = found.get("police_custody")
                # 'every count' is the count with the police's women only where no Patronato's women are in it
                if pd.notna(police) and pd.isna(found.get("sisdepen_patronato")) and abs(
                        found["difference_from_every_count_pct"]) <= abs(found["difference_from_all_pct"]):
                    notes[position] = OUTSIDE_CELLS_AND_POLICE_NOTE.format(outside, f"{int(police):,}")
                else:
                    notes[position] = OUTSIDE_CELLS_NOTE.format(outside)
    return notes


# tab-01's note on its growths of women held where one end's count includes juveniles and the other gives no juvenile
# count (unodc_plausibility.juveniles_at_one_end, juveniles_note); two growths with the same count at their juvenile
# end share one.
JUVENILES_ONE_END_TWO = ("the count of {0} includes juveniles: {1} ({2}% of it) and the counts of {3} and {4} give "
                         "no juvenile count: the growths may compare counts of different scope")


def growth_notes(latest: pd.DataFrame, women: pd.DataFrame, juveniles: pd.Series, min_pct: float) -> pd.Series:
    """For each row of tab-01, where its growths of women held (since 2010, since its first year) compare a count
    with juveniles (at least `min_pct` of it) and one that gives no juvenile count (`juveniles`: women held as
    juveniles per (country, year), unodc_prisons.juveniles_held). Empty otherwise."""
    notes = pd.Series("", index=latest.index, dtype=object)
    for position, row in latest.iterrows():
        country = row["country"]
        counts = women[women["country"] == country].set_index("year")["women_held"]
        given = juveniles.xs(country) if country in juveniles.index.get_level_values(0) else juveniles.iloc[:0]
        found = {}  # the count with juveniles -> the years without
        for start, growth in ((GROWTH_BASE_YEAR, row["growth_since_2010_pct"]),
                              (row["first_year"], row["growth_since_first_year_pct"])):
            if pd.isna(growth):
                continue
            end = unodc_plausibility.juveniles_at_one_end(given, counts, int(start), int(row["latest_year"]), min_pct)
            if end:
                found.setdefault((end["year"], end["juveniles"], end["pct"]), set()).add(end["without"])
        notes[position] = "; ".join(
            unodc_plausibility.juveniles_note({"year": year, "juveniles": count, "pct": pct, "without": min(without)})
            if len(without) == 1 else
            JUVENILES_ONE_END_TWO.format(year, fixed(count, 0, grouped=True), fixed(pct, 1), *sorted(without))
            for (year, count, pct), without in sorted(found.items()))
    return notes


def americas_count_notes(by_country: pd.DataFrame, in_unodc: pd.DataFrame) -> pd.Series:
    """tab-06's note on each reported count: tab-01's (count_notes) for the same count, so that Brazil's 41,580
    is quoted from tab-06 with what it holds beyond women in prison cells, as from tab-01. Empty otherwise."""
    reported = by_country[by_country["status"] == "reported"].rename(columns={"year": "latest_year"})
    return count_notes(reported, in_unodc).reindex(by_country.index, fill_value="")


# tab-07's note on the rows that sum Brazil's UNODC count (brazil_in_cells_interval gives the numbers).
INTERVAL_BRAZIL_NOTE = ("includes Brazil's {0} women ({1}), {2} of them not in SISDEPEN's prison cells (electronic "
                        "monitoring, home detention, police custody; table 8 of the briefing); with Brazil's women in "
                        "cells only ({3}, SISDEPEN December {1}): {4}")
INTERVAL_BRAZIL_RANGE = "{0} to {1} (central {2})"
# ... and on the estimated row: how much of it rests on its largest estimates, each from one year's total.
INTERVAL_LARGEST_NOTE = ("the {0} largest estimates, {1}, are {2}% of the central estimate; each is the country's "
                         "total persons held of that year times a share (table 6 of the briefing)")
LARGEST_ESTIMATES = 3


def interval_notes(interval: pd.DataFrame, by_country: pd.DataFrame, in_unodc: pd.DataFrame) -> pd.Series:
    """tab-07's notes. On the sums that count Brazil at UNODC's count (rows a. and c.): how many of its women are
    not in prison cells, and the sum with Brazil's women in cells only, as the Brazil chapter counts them (the
    claims check tests the Americas claim against both); none where Brazil's count is not a reported one or
    SISDEPEN has no women in cells for its year. On the estimated row (b.): its largest estimates, with the year of
    the total each is made from, and their part of the row (in the pinned export Venezuela's, Cuba's of 2012 and
    Canada's are 91.9% of it). Row d. has none."""
    notes = pd.Series("", index=interval.index, dtype=object)
    estimated = by_country[by_country["status"] == "estimated"].sort_values(
        ["women_central", "country"], ascending=[False, True], kind="stable").head(LARGEST_ESTIMATES)
    central = interval.set_index("measure").at[ESTIMATED, "women_central"]
    if len(estimated) > 1 and central:
        largest = "; ".join(f"{row.country} {fixed(row.women_central, 0, grouped=True)} ({int(row.year)})"
                            for row in estimated.itertuples())
        notes[interval["measure"] == ESTIMATED] = INTERVAL_LARGEST_NOTE.format(
            len(estimated), largest, fixed(100 * estimated["women_central"].sum() / central, 1))
    found = brazil_in_cells_interval(interval, by_country, in_unodc)
    if found is None:
        return notes
    outside = found["counted"] - found["in_cells"]
    reported = interval.set_index("measure").at[REPORTED, "women_central"]
    count = lambda value: fixed(value, 0, grouped=True)  # noqa: E731
    instead = {REPORTED: count(reported - outside),
               INTERVAL: INTERVAL_BRAZIL_RANGE.format(*(count(found[end]) for end in ("low", "high", "central")))}
    for position, measure in interval["measure"].items():
        if measure in instead:
            notes[position] = INTERVAL_BRAZIL_NOTE.format(count(found["counted"]), found["year"], count(outside),
                                                          count(found["in_cells"]), instead[measure])
    return notes


# Where tab-01's growths of women held start (growth_base): a reader who finds a country's first year later than
# `first_year`, or no growth since 2010, can see why.
GROWTH_BASE = ("a growth of women held starts from a year whose count of women can start one: not a year whose "
               "women's share is left out (table 2 of the briefing) because its women and men fall short of its "
               "total, since such a count may miss women (unodc_plausibility.starts_growth)")

# What tab-08's blank cells mean (brazil_in_cells_interval's parts): an author's review asked whether they are zeros.
BLANK_COUNTS = ("a blank SISDEPEN count: that December's file has no unit of that kind, as the Brazil chapter "
                "classifies units by name (params.yaml brazil); a blank police count: the column 'note on police custody' "
                "says why")

# When tab-01's note on the growths speaks of juveniles (growth_notes).
JUVENILES_NOTE = ("the note on the growths says where one compares a count that includes juveniles (at least "
                  "{0}% of it: juveniles_note_min_pct) with one that gives no juvenile count: UNODC's Age=Total holds "
                  "juveniles where a country reports them, and a year without an Age=Juveniles row may have none or "
                  "not report them apart")

# Which counts a panel of tab-04 takes: the same rule as tab-01's growths, at both ends of a window.
PANEL_COUNTS = ("a country is in a panel where its counts of women and men can start and end a growth: not a year "
                "whose women and men fall short of its total by more than the plausibility rules allow (its women's "
                "share left out), since such counts may miss women and men (unodc_plausibility.starts_growth); "
                "headline_short_counts lists those that would have put a country in the headline panel")

# What tab-05's difference is: a reader who subtracts the shares as shown can find 0.1 more or less.
DIFFERENCE_PP = ("women's share minus men's share, both before rounding: it can differ by 0.1 from the difference "
                 "of the shares as shown")


def values(tables: dict[str, pd.DataFrame], settings: Regional) -> dict:
    """The texts' parameters and the definitions the chapter's figures and tables state."""
    chapter = {"first_year": settings.first_year, "subregion": settings.subregion,
               "series": "UNODC CTS Persons held, Age=Total",
               "plausibility": "rules of pipeline/sources/unodc_plausibility.py with params.yaml unodc_prisons",
               "same_year": "count, share and rate of one year; share of all persons held, or of female + male "
                            "where the year has no usable total (share_denominator)"}
    members = tables["world_panel_countries"]
    return {"text": {"first_year": settings.first_year},
            "definitions": {
                "chapter": chapter,
                "latest": {**chapter, "growth_base": GROWTH_BASE,
                           "juveniles_note_min_pct": settings.juveniles_note_min_pct,
                           "juveniles_note": JUVENILES_NOTE.format(f"{settings.juveniles_note_min_pct:g}")},
                "unsentenced": {**chapter, "difference_pp": DIFFERENCE_PP},
                "world_panel": {**chapter, "world_panel_min_countries": settings.world_panel_min_countries,
                                "world_panel_last_year": settings.world_panel_last_year,
                                "headline_panel": " ".join(members["country"]), "panel_counts": PANEL_COUNTS,
                                "headline_short_counts": ", ".join(
                                    f"{row.country} {row.year} ({fixed(row.short_pct, 1)}%)"
                                    for row in tables["world_panel_short_counts"].itertuples()) or "none"},
                "americas": {"americas_excluded": ", ".join(settings.americas_excluded),
                             "missing_share_quantiles": settings.missing_share_quantiles,
                             "missing_share_min_peers": settings.missing_share_min_peers,
                             "plausibility": chapter["plausibility"],
                             "peers": f"reporting countries of the same subregion, or of the Americas where fewer "
                                      f"than {settings.missing_share_min_peers} report"},
                "brazil_in_unodc": {"blank_counts": BLANK_COUNTS}}}


TAB02_COLUMNS = ["rule", "country", "year", "series", "sex", "value", "evidence", "treatment"]


def quality_table(quality: pd.DataFrame, region: str) -> pd.DataFrame:
    """The findings for the countries of `region` (tab-02)."""
    return quality[quality["region"] == region][TAB02_COLUMNS].reset_index(drop=True)


def read_quality(path=paths.UNODC_PRISONS_QUALITY) -> pd.DataFrame:
    """The UNODC ingest's plausibility findings, every country."""
    if not path.exists():
        raise PipelineError("the UNODC data-quality findings are missing", file=path,
                            fix="run `dvc repro ingest_unodc_prisons` first")
    return pd.read_csv(path, keep_default_na=False, na_values={"value": [""]})


def _whole_years(table: pd.DataFrame) -> pd.DataFrame:
    """Years as whole numbers even where some are missing."""
    return table.astype({column: "Int64" for column in table.columns if column.endswith("year")})


@cli
def main() -> None:
    # Load inputs.
    settings = params.read(Regional)
    base_focus = params.read(Base).focus_countries
    national = load_national()
    check_params(settings, base_focus, national)
    quality = read_quality()
    parts = longtable.read_parts(unodc_prisons.SOURCE, "brazil")
    police = police_custody_women(_state_reports())
    juveniles = unodc_prisons.juveniles_held(load_tidy())
    # Process data.
    tables = build(national, settings)
    check_headline_countries(tables["latest"], base_focus)
    published, texts = chapter_tables(tables, quality, parts, police, juveniles, settings), values(tables, settings)
    rows = long_rows(tables, settings, published["brazil_in_unodc"])
    # Save outputs, all together or none.
    with io.transaction(replace=(paths.chapter_dir(CHAPTER),)):
        interim.write(CHAPTER, published, texts)
        export.save_registered(CHAPTER, published, texts)
        longtable.save(rows, paths.indicator_part(CHAPTER))
    print(f"regional: {len(published)} tables -> {paths.relative(paths.chapter_dir(CHAPTER))}, {len(rows)} long rows")


# ---------------------------------------------------------------------------------- Helpers ---

def _state_reports() -> pd.DataFrame:
    """The SISDEPEN state reports as their ingest stage wrote them (pipeline/sources/sisdepen_reports.py)."""
    path = paths.interim_parquet("sisdepen_reports")
    if not path.is_file():
        raise PipelineError("the SISDEPEN state reports' table is missing", file=path,
                            fix="run its ingest first: `dvc repro ingest_sisdepen_reports`")
    return pd.read_parquet(path)


def _wide(rows: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One indicator's values per (country, year), one column per sex."""
    picked = rows[rows["indicator"] == indicator]
    return picked.pivot(index=["country", "year"], columns="sex", values="value").reindex(
        columns=["total", "female", "male"])


def _latest(rows: pd.DataFrame, indicator: str, sex: str) -> pd.DataFrame:
    """Per country: the latest year of one indicator and sex, and its value."""
    picked = rows[(rows["indicator"] == indicator) & (rows["sex"] == sex)].sort_values("year")
    return picked.groupby("country").tail(1).set_index("country")[["year", "value"]]


# ----------------------------------------------------------------------- Brazil, comparability ---

def brazil_in_unodc(indicators: pd.DataFrame, police: pd.DataFrame | None = None,
                    years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Which Brazilian count UNODC carries: its women held against SISDEPEN's December count of women in
    cells, under electronic monitoring and in home detention, the women a Patronato supervises in the open regime
    (the Brazil chapter lists them apart, outside cells) and the women held by the police (`police`, from the
    state reports: police_custody_women), same year. `years`: every year both UNODC and SISDEPEN have (UNODC's
    women held and SISDEPEN's December women in cells), unless given."""
    keys = {"in_cells": "people_in_cells", "electronic_monitoring": "people_electronic_monitoring",
            "domiciliary": "people_domiciliary", "patronato": "people_patronato"}
    indexed = indicators.set_index(longtable.KEY)["value"]
    by_period = (police if police is not None else pd.DataFrame(columns=POLICE_COLUMNS)).set_index("period")
    if years is None:
        years = tuple(sorted(_brazil_women_years(indicators, unodc_prisons.SOURCE, "persons_held")
                             & _brazil_women_years(indicators, "sisdepen", "people_in_cells", "-12")))
        if not years:
            raise PipelineError("no year with both UNODC's women held in Brazil and SISDEPEN's December women in "
                                "cells", file=paths.indicator_part("brazil"),
                                fix="rebuild the Brazil chapter (dvc repro brazil), with a December semester UNODC "
                                    "also reports")
    rows = []
    for year in years:
        unodc = ("BRA", unodc_prisons.SOURCE, "persons_held", "female", str(year))
        if unodc not in indexed.index:
            raise PipelineError(f"no long-table row {'/'.join(unodc)}", file=paths.indicator_part(unodc_prisons.SOURCE),
                                fix="choose years UNODC reports for Brazil")
        parts = {name: indexed.get(("BRA", "sisdepen", indicator, "female", f"{year}-12"), np.nan)
                 for name, indicator in keys.items()}  # no row: SISDEPEN had no such units that December
        if np.isnan(parts["in_cells"]):
            raise PipelineError(f"no long-table row BRA/sisdepen/people_in_cells/female/{year}-12",
                                file=paths.indicator_part("brazil"),
                                fix="rebuild the Brazil chapter (dvc repro brazil)")
        reported = by_period.loc[f"{year}-12"] if f"{year}-12" in by_period.index else None
        police_women = reported["women"] if reported is not None else np.nan
        including = np.nansum([parts[name] for name in ("in_cells", "electronic_monitoring", "domiciliary")])
        every_count = including + np.nansum([parts["patronato"], police_women])
        rows.append({"year": year, "unodc_women_held": indexed[unodc], "sisdepen_in_cells": parts["in_cells"],
                     "sisdepen_electronic_monitoring": parts["electronic_monitoring"],
                     "sisdepen_domiciliary": parts["domiciliary"], "sisdepen_all": including,
                     "sisdepen_patronato": parts["patronato"], "police_custody": police_women,
                     "difference_from_cells_pct": half_away(100 * (indexed[unodc] / parts["in_cells"] - 1), 1),
                     "difference_from_all_pct": half_away(100 * (indexed[unodc] / including - 1), 1),
                     "difference_from_every_count_pct": half_away(100 * (indexed[unodc] / every_count - 1), 1),
                     "police_custody_note": _police_note(reported)})
    return pd.DataFrame(rows).astype({"year": "Int64"})


POLICE_COLUMNS = ["period", "states", "unusable", "women"]  # police_custody_women's table
BRAZIL_STATES = len(sisdepen.STATES)  # one state report each per semester


def police_custody_women(reports: pd.DataFrame) -> pd.DataFrame:
    """Women held by the police, Brazil, per semester, from the state reports' police-custody rows: the sum of the
    states, or missing where a state's row is not informed or its men and women do not sum to its total (then
    `unusable` names those states), or where a state's report is missing. One row per semester the reports
    cover."""
    rows = reports[reports["measure"] == "police_custody"]
    wide = rows.set_index(["period", "state", "sex"])["value"].unstack("sex") \
        .reindex(columns=["female", "male", "total"])
    complete = wide.notna().all(axis=1) & (wide["female"] + wide["male"] == wide["total"])
    result = []
    for period, states in wide.groupby(level="period"):
        bad = sorted(states.index.get_level_values("state")[~complete.loc[period].to_numpy()])
        result.append({"period": period, "states": len(states), "unusable": ", ".join(bad),
                       "women": np.nan if bad or len(states) < BRAZIL_STATES else float(states["female"].sum())})
    return pd.DataFrame(result, columns=POLICE_COLUMNS)


def _police_note(reported) -> str:
    """tab-08's note on its police-custody count: where it comes from, or why there is none."""
    if reported is None:
        return "no state reports for this year"
    if reported["unusable"]:
        return (f"state reports: police-custody row not informed or not summing in {reported['unusable']}; "
                "not used")
    if reported["states"] < BRAZIL_STATES:
        return f"state reports for {reported['states']} of the {BRAZIL_STATES} states; not used"
    return ""  # the sum of every state's report (the table's source line names them)


def _brazil_women_years(indicators: pd.DataFrame, source: str, indicator: str, period_end: str = "") -> set[int]:
    """The years of Brazil's long-table rows of women for this source and indicator (periods ending so)."""
    rows = indicators[(indicators["country"] == "BRA") & (indicators["source"] == source)
                      & (indicators["indicator"] == indicator) & (indicators["sex"] == "female")
                      & indicators["period"].str.endswith(period_end)]
    return {int(period[:4]) for period in rows["period"]}


def comparability(focus: list[str], path=paths.COMPARABILITY) -> pd.DataFrame:
    """Definitions behind each focus country's numbers, one row per aspect and country, from a reviewed CSV
    (default data/regional/comparability.csv). Fails if a focus country lacks an aspect the others have."""
    columns = ["aspect", "country", "definition", "source", "note"]
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != columns:
        raise PipelineError(f"columns are {list(table.columns)}", file=path, fix=f"use exactly {columns}")
    table = table[table["country"].isin(focus)]
    expected = pd.MultiIndex.from_product([sorted(set(table["aspect"])), sorted(focus)])
    missing = expected.difference(pd.MultiIndex.from_frame(table[["aspect", "country"]]))
    if len(missing) or table.duplicated(["aspect", "country"]).any() or (table[["definition", "source"]] == "").any().any():
        raise PipelineError(f"each focus country needs one non-empty row per aspect (missing: {list(missing)})",
                            file=path, fix="add the missing definitions, with their source, or remove the duplicate")
    return table.sort_values(["aspect", "country"]).reset_index(drop=True)


if __name__ == "__main__":
    main()
