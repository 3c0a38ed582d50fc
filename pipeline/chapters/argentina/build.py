"""Argentina chapter: women in prison from SNEEP microdata when present, else UNODC plus published SNEEP figures.

    python -m pipeline.chapters.argentina      # the DVC stage `argentina`: tab-10 to tab-15, data/interim/argentina/

Reads UNODC's 'Persons held' for Argentina (its long-table rows), SNEEP's printed figures in the registry of
published figures (data/published/figures.csv) and, when a user downloaded them, the SNEEP microdata
(microdata.py). Every definition a researcher might dispute is a parameter in params.yaml `argentina:`; every
output carries the definitions that produced it. Every share divides one series' numerator by the same series'
denominator of the same year.
"""

from __future__ import annotations

import pandas as pd

from pipeline import export, i18n, io, longtable, params, paths
from pipeline.chapters import interim
from pipeline.chapters.argentina import microdata
from pipeline.chapters.argentina.series import CITED_SERIES, MICRODATA_SERIES, UNODC_SERIES
from pipeline.errors import PipelineError, cli
from pipeline.rounding import half_away, half_away_int
from pipeline.settings import Argentina, Disclosure
from pipeline.sources import published, unodc_prisons

CHAPTER = "argentina"  # its interim tables, long-table part (data/interim/indicators/argentina.csv) and stage
COUNTRY = "ARG"
WOMEN_HELD = ("persons_held", "female")  # women including trans women, as SNEEP's reports count them
PERSONS_HELD = ("persons_held", "total")
PERSONS_IN_UNITS = ("persons_held_in_penitentiary_units", "total")
WOMEN_SHARE = ("women_share_of_persons_held", "female")
WOMEN_DRUG_SHARE = ("drug_offence_share_of_persons_held", "female")
WOMEN_DRUG_GROWTH = ("change_in_persons_held_drug_offences", "female")
UNODC_SOURCE = "UNODC, UN-CTS prisons and prisoners (export of 11 May 2023), fed by SNEEP"
SNEEP_SOURCE = "SNEEP, Ministerio de Justicia y Derechos Humanos (published figures)"
# tab-11's figures compared (their names, as the table and the notebook's text give them).
UNODC_FEMALE, UNODC_TOTAL = "UNODC CTS female", "UNODC CTS total"
SNEEP_NATIONAL_TOTAL = "SNEEP national total"
# tab-11's row that reconciles the women: UNODC's adult women (its Age=Total female counts juveniles, and no trans
# women apart) against SNEEP's women as the briefing cites them less their trans women (the registry's figure).
UNODC_FEMALE_ADULTS = "UNODC CTS female adults (Age=Adult, without its juveniles)"
SNEEP_WOMEN_LESS_TRANS = "SNEEP women as cited by the briefing, less its trans women"
TRANS_WOMEN_HELD = ("persons_held", "trans_women")


# ------------------------------------------------------------------ UNODC and published figures ---

def unodc_series() -> pd.DataFrame:
    """UNODC 'Persons held' for Argentina, one row per year: female, male, total; and `share_computed`, whether
    the UNODC rules give the year a women's share (not where women and men fall far from the total: tab-02), so
    that this chapter and the regional one show the same years' shares."""
    rows = longtable.read_parts(unodc_prisons.SOURCE)
    rows = rows[rows["country"] == COUNTRY]
    held = rows[rows["indicator"] == "persons_held"]
    series = held.pivot(index="period", columns="sex", values="value").astype("Int64")
    series.index = series.index.astype(int)
    shared = rows[(rows["indicator"] == "women_share_of_persons_held") & (rows["sex"] == "female")]["period"]
    series = series.rename_axis(index="year", columns=None)[["female", "male", "total"]].reset_index()
    adults = unodc_prisons.held_of_age(pd.read_parquet(paths.interim_parquet(unodc_prisons.SOURCE)), "Adult")
    adults = adults.loc[COUNTRY] if COUNTRY in adults.index.get_level_values("iso3") else pd.Series(dtype=float)
    return series.assign(share_computed=series["year"].isin(shared.astype(int)),
                         female_adults=series["year"].map(adults).astype("Int64"))

def published_figures(figures: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The registry's published figures for Argentina (one row per fact and value: a figure printed by two sources
    is one fact), and the file they come from; an error if a fact the chapter needs is missing."""
    figures = published.load() if figures is None else figures
    table = figures[(figures["country"] == COUNTRY) & figures["value"].notna()]
    table = table.drop_duplicates(["indicator", "sex", "period", "value"]).copy()
    # A figure whose only source is the briefing itself can never confirm the briefing: say so wherever it shows.
    table["from_briefing"] = table["source"].str.contains("briefing paper", case=False) | \
        table["citation"].str.contains("cited by the briefing", case=False)
    needed = [(WOMEN_HELD, "2015"), (WOMEN_HELD, "2022"), (WOMEN_DRUG_SHARE, "2015"), (WOMEN_DRUG_SHARE, "2022"),
              (WOMEN_DRUG_GROWTH, "2015/2022")]
    found = set(zip(table["indicator"], table["sex"], table["period"]))
    missing = [f"{indicator}/{sex}/{period}" for (indicator, sex), period in needed
               if (indicator, sex, period) not in found]
    if missing:
        raise PipelineError(f"the registry of published figures lacks the Argentina facts {', '.join(missing)}",
                            file=paths.PUBLISHED_FIGURES, fix="restore the rows (arg-0NN) from git")
    return table.reset_index(drop=True), paths.relative(paths.PUBLISHED_FIGURES)

def published_value(published: pd.DataFrame, fact: tuple[str, str], period: str) -> float:
    indicator, sex = fact
    match = published[(published["indicator"] == indicator) & (published["sex"] == sex)
                      & (published["period"] == period)]
    if len(match) != 1:
        raise PipelineError(f"{len(match)} published values for {indicator} ({sex}) {period} (expected one)",
                            file=paths.PUBLISHED_FIGURES, fix="the published registry must hold each fact once")
    return float(match["value"].iloc[0])

def published_years(published: pd.DataFrame, fact: tuple[str, str]) -> list[int]:
    """The single years for which the registry has the fact."""
    indicator, sex = fact
    periods = published.loc[(published["indicator"] == indicator) & (published["sex"] == sex), "period"]
    return sorted({int(p) for p in periods if p.isdigit()})

def _fact(published: pd.DataFrame, fact: tuple[str, str], period: str) -> pd.DataFrame:
    indicator, sex = fact
    return published[(published["indicator"] == indicator) & (published["sex"] == sex)
                     & (published["period"] == period)]


# ------------------------------------------------------------------------------ Chapter tables ---

def women_series(unodc: pd.DataFrame, published: pd.DataFrame, settings: Argentina,
                 microdata_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Women held and their share by year and series, each share from one series' own numerator and
    denominator of the same year: UNODC's female over UNODC's total (only in the years the UNODC rules give a
    share, `share_computed`: the regional chapter's years); the women SNEEP counted (as the briefing cites them) over
    SNEEP's persons housed in penitentiary units; the microdata's women over all its persons. This frame is exactly
    what fig-10 and fig-11 draw."""
    unodc_rows = unodc.dropna(subset=["female", "total"])
    frames = [pd.DataFrame({"year": unodc_rows["year"].astype(int), "series": UNODC_SERIES,
                            "women_held": unodc_rows["female"].astype(float),
                            "persons_held": unodc_rows["total"].astype(float),
                            "denominator": "UNODC CTS persons held (all)", "from_briefing": False,
                            "share_computed": unodc_rows["share_computed"].astype(bool)})]
    cited = []
    for year in published_years(published, WOMEN_HELD):
        women = _fact(published, WOMEN_HELD, str(year))
        housed = _fact(published, PERSONS_IN_UNITS, str(year))
        if len(women) == 1 and len(housed) == 1:
            cited.append({"year": year, "series": CITED_SERIES, "women_held": float(women["value"].iloc[0]),
                          "persons_held": float(housed["value"].iloc[0]),
                          "denominator": "SNEEP persons housed in penitentiary units (published)",
                          "from_briefing": bool(women["from_briefing"].iloc[0])})
    frames.append(pd.DataFrame(cited))
    if microdata_rows is not None and len(microdata_rows):
        wide = microdata_rows[microdata_rows["sex"].isin(["female", "total"])].pivot_table(
            index="period", columns=["indicator", "sex"], values="value")
        frames.append(pd.DataFrame({
            "year": wide.index.astype(int), "series": MICRODATA_SERIES,
            "women_held": wide[("women_held", "female")].to_numpy(float),
            "persons_held": wide[("persons_held", "total")].to_numpy(float),
            "denominator": "SNEEP microdata, all persons in the census", "from_briefing": False}))
    series = pd.concat([f for f in frames if len(f)], ignore_index=True)
    series = series[series["year"].between(settings.first_year, settings.last_year)]
    share = half_away(100 * series["women_held"] / series["persons_held"], 2)
    series = series.assign(women_share_pct=share.where(series["share_computed"].fillna(True).astype(bool)))
    columns = ["year", "series", "women_held", "persons_held", "women_share_pct", "denominator", "from_briefing"]
    return series[columns].sort_values(["series", "year"]).reset_index(drop=True)

def check_settings(settings: Argentina, unodc: pd.DataFrame, published: pd.DataFrame) -> None:
    """The chapter's years exist in its data: one message naming the key, the value and the allowed years."""
    unodc_years = sorted(int(y) for y in unodc["year"])
    cited_years = published_years(published, WOMEN_HELD)
    params.check_choice("argentina.growth_base_year", settings.growth_base_year,
                        sorted(set(unodc_years) & set(cited_years)),
                        "a year with both a UNODC count and a published SNEEP count of women held")
    params.check_choice("argentina.last_year", settings.last_year, cited_years,
                        "a year with a published SNEEP count of women held")
    if not unodc_years[0] <= settings.first_year < settings.last_year:
        raise PipelineError(f"'argentina.first_year' is {settings.first_year}: it must lie between the first year "
                            f"of the data ({unodc_years[0]}) and argentina.last_year ({settings.last_year})",
                            file=paths.PARAMS, fix=f"use a year from {unodc_years[0]} to {settings.last_year - 1}")

def growth(unodc: pd.DataFrame, published: pd.DataFrame, settings: Argentina,
           microdata_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Growth in women and in all persons held since the base year, per series (each from its own numbers)."""
    base, last_unodc = settings.growth_base_year, int(unodc["year"].max())
    at = unodc.set_index("year")
    rows = [(UNODC_SERIES, "women held", base, at.at[base, "female"], last_unodc, at.at[last_unodc, "female"]),
            (UNODC_SERIES, "all persons held", base, at.at[base, "total"], last_unodc, at.at[last_unodc, "total"]),
            (CITED_SERIES, "women held", base, published_value(published, WOMEN_HELD, str(base)),
             settings.last_year, published_value(published, WOMEN_HELD, str(settings.last_year))),
            ("SNEEP (published)", "persons housed in penitentiary units", base,
             published_value(published, PERSONS_IN_UNITS, str(base)), settings.last_year,
             published_value(published, PERSONS_IN_UNITS, str(settings.last_year)))]
    if microdata_rows is not None and len(microdata_rows):
        held = microdata_rows[((microdata_rows["indicator"] == "women_held") & (microdata_rows["sex"] == "female"))
                              | ((microdata_rows["indicator"] == "persons_held") & (microdata_rows["sex"] == "total"))]
        by_year = held.pivot(index="period", columns="indicator", values="value")
        years = sorted(int(y) for y in by_year.index)
        first = base if base in years else years[0]
        for indicator, measure in (("women_held", "women held"), ("persons_held", "all persons held")):
            rows.append((MICRODATA_SERIES, measure, first, by_year.at[str(first), indicator], years[-1],
                         by_year.at[str(years[-1]), indicator]))
    table = pd.DataFrame(rows, columns=["source", "measure", "from_year", "from_value", "to_year", "to_value"])
    table[["from_value", "to_value"]] = table[["from_value", "to_value"]].astype(int)
    return table.assign(growth_pct=half_away((table["to_value"] / table["from_value"] - 1) * 100, 1))

def reconciliation(unodc: pd.DataFrame, published: pd.DataFrame, year: int) -> pd.DataFrame:
    """UNODC against SNEEP's published figures for one year, and UNODC's parts against its total."""
    at = unodc.set_index("year").loc[year]
    women_sneep = published_value(published, WOMEN_HELD, str(year))
    total_sneep = published_value(published, PERSONS_HELD, str(year))
    share_sneep = published_value(published, WOMEN_SHARE, str(year))
    rows = [
        ("women held", UNODC_FEMALE, at["female"], "SNEEP women (incl. trans), as cited by the briefing", women_sneep),
        ("all persons held", UNODC_TOTAL, at["total"], SNEEP_NATIONAL_TOTAL, total_sneep),
        # the total first, so that the difference is the total minus its parts, as in tab-12 and the UNODC findings
        ("all persons held", UNODC_TOTAL, at["total"], "UNODC CTS female + male", at["female"] + at["male"]),
        # its inputs in its name: SNEEP's published share is over the national total, not the persons housed
        ("women held", f"SNEEP's published women's share of its national total ({share_sneep:g}%) x SNEEP national "
                       f"total ({int(total_sneep):,})",
         half_away_int(share_sneep / 100 * total_sneep), "SNEEP women (incl. trans), as cited by the briefing",
         women_sneep),
    ]
    trans = _trans_women(published, str(year))
    if trans is not None and pd.notna(at.get("female_adults")):
        rows.append(("women held", UNODC_FEMALE_ADULTS, at["female_adults"], SNEEP_WOMEN_LESS_TRANS,
                     women_sneep - trans))
    table = pd.DataFrame(rows, columns=["measure", "figure_a", "value_a", "figure_b", "value_b"])
    table[["value_a", "value_b"]] = table[["value_a", "value_b"]].astype(int)
    return table.assign(year=year, difference=table["value_a"] - table["value_b"])

def _trans_women(published: pd.DataFrame, period: str) -> float | None:
    """The trans women SNEEP's published women of `period` include, where the registry has the figure."""
    indicator, sex = TRANS_WOMEN_HELD
    found = published[(published["indicator"] == indicator) & (published["sex"] == sex)
                      & (published["period"] == period)]
    return published_value(published, TRANS_WOMEN_HELD, period) if len(found) else None


def parts_versus_total(unodc: pd.DataFrame) -> pd.DataFrame:
    """UNODC female + male against its total, every year."""
    return unodc[["year", "female", "male", "total"]].assign(female_plus_male=unodc["female"] + unodc["male"],
                        difference=unodc["total"] - unodc["female"] - unodc["male"])

# tab-13's row of the growth the published drug growth may really be.
ALL_WOMEN_GROWTH = "growth of all women held, as published (not only those held for drugs)"


def drug_growth_check(published: pd.DataFrame, settings: Argentina) -> pd.DataFrame:
    """Do the published shares held for drugs (rounded) give the published growth (rounded)?

    Enumerates every whole number of women held for drugs in each year whose share rounds to the
    published share, and keeps the pairs whose growth rounds to the published growth; beside them, the growth of
    all women held over the same years, which the published drug growth may be (it rounds to the same 47%).
    """
    base, last = str(settings.growth_base_year), str(settings.last_year)
    women = {y: int(published_value(published, WOMEN_HELD, y)) for y in (base, last)}
    share = {y: published_value(published, WOMEN_DRUG_SHARE, y) for y in (base, last)}
    claimed = published_value(published, WOMEN_DRUG_GROWTH, f"{base}/{last}")
    counts = {y: [n for n in range(women[y] + 1) if half_away_int(n / women[y] * 100) == share[y]]
              for y in (base, last)}
    pairs = [(a, b) for a in counts[base] for b in counts[last] if half_away_int((b / a - 1) * 100) == claimed]
    central = share[last] * women[last] / (share[base] * women[base]) * 100 - 100
    extremes = [(b / a - 1) * 100 for a in counts[base][:: len(counts[base]) - 1]
                for b in counts[last][:: len(counts[last]) - 1]]
    rows = [("growth from the published shares as stated", central, central),
            ("growth over all counts whose shares round to the published ones", min(extremes), max(extremes)),
            ("growth as published (rounded to whole %)", claimed, claimed)]
    if pairs:
        rows += [(f"{base} share held for drugs, of counts giving the published growth",
                  min(a for a, _ in pairs) / women[base] * 100, max(a for a, _ in pairs) / women[base] * 100),
                 (f"{last} share held for drugs, of counts giving the published growth",
                  min(b for _, b in pairs) / women[last] * 100, max(b for _, b in pairs) / women[last] * 100)]
    # What the published growth is closer to: all women held grew by this much (2,996 to 4,391: 46.56%).
    all_women = (women[last] / women[base] - 1) * 100
    rows.append((ALL_WOMEN_GROWTH, all_women, all_women))
    return pd.DataFrame(rows, columns=["quantity", "low_pct", "high_pct"])

def data_used_note(status: dict, published_file: str) -> str:
    """One paragraph saying plainly which data this run used."""
    if status["available"]:
        files = ", ".join(f["file"] for f in status["files"])
        return (f"**Data used: SNEEP microdata** ({status['rows']:,} persons from {files}), with UNODC CTS and "
                f"SNEEP's published figures ({published_file}) for comparison.")
    return ("**Data used: UNODC CTS 'Persons held' for Argentina and SNEEP's published figures** "
            f"({published_file}). SNEEP microdata is not available in this run ({status['reason']}; "
            f"download it by hand from {status['manual_download']}), so measures that need it are not shown.")

def latest_independent(women: pd.DataFrame) -> pd.Series:
    """The latest year of a series that does not come from the briefing itself (microdata when present, else
    UNODC): the number the briefing pack leads with for Argentina, its share from the same year and series."""
    independent = women[~women["from_briefing"]]
    preferred = independent[independent["series"] == MICRODATA_SERIES]
    chosen = preferred if len(preferred) else independent[independent["series"] == UNODC_SERIES]
    return chosen.sort_values("year").iloc[-1]

def headline(women: pd.DataFrame, published: pd.DataFrame, growth_table: pd.DataFrame,
             reconciliation_table: pd.DataFrame, drug_check: pd.DataFrame, status: dict) -> pd.DataFrame:
    """The numbers the briefing cites, one row each, with where they come from."""
    unodc = women[women["series"] == UNODC_SERIES].set_index("year")
    latest = latest_independent(women)
    grown = growth_table.set_index(["source", "measure"])["growth_pct"]
    gap = reconciliation_table.set_index(["measure", "figure_a"])["difference"]
    rows = [
        ("data used", "SNEEP microdata" if status["available"] else "UNODC CTS + SNEEP published", ""),
        ("women held 2015, SNEEP as cited by the briefing", int(published_value(published, WOMEN_HELD, "2015")),
         "figure 10"),
        ("women held 2015, UNODC", int(unodc.at[2015, "women_held"]), "figure 10"),
        (f"women held {int(latest['year'])}, {latest['series']}", int(latest["women_held"]), "figure 10"),
        (f"women's share {int(latest['year'])}, {latest['series']} (pct)", half_away(latest["women_share_pct"], 2),
         "figure 11"),
        ("growth in women held, SNEEP as cited by the briefing (pct)", grown[(CITED_SERIES, "women held")],
         "table 10"),
        ("growth in women held, UNODC (pct)", grown[(UNODC_SERIES, "women held")], "table 10"),
        ("UNODC minus SNEEP women 2015", gap[("women held", "UNODC CTS female")], "table 11"),
        ("drug growth from stated shares (pct)", half_away(drug_check["low_pct"].iloc[0], 1), "table 13"),
    ]
    return pd.DataFrame(rows, columns=["number", "value", "in the briefing"]).astype({"value": str})


# ------------------------------------------------------------------------------------- Build ---

def chapter_tables(unodc: pd.DataFrame, published_table: pd.DataFrame, published_file: str, status: dict,
                   settings: Argentina, min_cell: int, counted: pd.DataFrame | None = None,
                   rows: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every table the chapter publishes, draws or narrates. `counted`: the SNEEP microdata when present, and
    `rows` its long-table measures."""
    women = women_series(unodc, published_table, settings, rows)
    growth_table = growth(unodc, published_table, settings, rows)
    reconciliation_table = reconciliation(unodc, published_table, settings.growth_base_year)
    drug_check = drug_growth_check(published_table, settings)
    latest = latest_independent(women)
    return {
        "women_series": women, "growth": growth_table, "reconciliation": reconciliation_table,
        "parts_versus_total": parts_versus_total(unodc), "drug_growth_check": drug_check,
        "persons_by_province": microdata.province_table_or_empty(counted, settings, min_cell),
        "women_drugs_by_province": microdata.women_drugs_table_or_empty(counted, settings, min_cell),
        "latest_independent": latest.to_frame().T.astype(women.dtypes.to_dict()).reset_index(drop=True),
        "headline": headline(women, published_table, growth_table, reconciliation_table, drug_check, status),
        "data_used": pd.DataFrame([{"microdata_available": bool(status["available"]),
                                    "note": data_used_note(status, published_file)}]),
        "indicators": rows if rows is not None else longtable.frame([]),
    }


def values(settings: Argentina, min_cell: int, status: dict, women: pd.DataFrame) -> dict:
    """The texts' parameters and the definitions the chapter's figures and tables state; `women`: the table fig-10
    and fig-11 draw (their alt texts give each series' ends)."""
    return {"text": {"first_year": settings.first_year, "last_year": settings.last_year,
                     "growth_base_year": settings.growth_base_year, "min_cell": min_cell,
                     "microdata_available": bool(status["available"]), **series_ends_in_words(women)},
            # tab-14 and tab-15 come from the microdata alone: they state its rules, empty or not (without
            # microdata the chapter's definitions are UNODC's and the printed figures', which they do not use).
            "definitions": {"chapter": microdata.definitions(settings, microdata_used=status["available"]),
                            "microdata": microdata.definitions(settings)}}


# The series of fig-10 and fig-11 as their alt texts name them.
_SERIES_IN_WORDS = {"unodc": UNODC_SERIES, "cited": CITED_SERIES, "microdata": MICRODATA_SERIES}


def series_ends_in_words(women: pd.DataFrame) -> dict[str, str]:
    """The first and the last year of each series drawn by fig-10 (women held) and fig-11 (their share), with their
    values, written as the alt texts state them and rounded as the pages round: `unodc_women_first_year`,
    `unodc_women_first`, `unodc_women_last_year`, `unodc_women_last`, … for the series unodc, cited and microdata and
    the measures women and share. A share is rounded once, from its count and total (the table's women_share_pct is
    already rounded to two decimals: 5.345 would read 5.4). A series the build does not have (the microdata, until a
    user adds it) gives empty texts."""
    share = 100 * women["women_held"] / women["persons_held"]
    measures = {"women": (women["women_held"], 0), "share": (share.where(women["women_share_pct"].notna()), 1)}
    ends = {}
    for series, label in _SERIES_IN_WORDS.items():
        for measure, (values, decimals) in measures.items():
            drawn = women.assign(value=values)[women["series"].eq(label)].dropna(subset=["value"]).sort_values("year")
            for end, at in (("first", 0), ("last", -1)):
                name = f"{series}_{measure}_{end}"
                ends[f"{name}_year"] = str(int(drawn["year"].iloc[at])) if len(drawn) else ""
                ends[name] = i18n.format_number(float(drawn["value"].iloc[at]), "en", decimals) if len(drawn) else ""
    return ends


@cli
def main() -> None:
    # Load inputs.
    settings = params.read(Argentina)
    min_cell = params.read(Disclosure).min_cell
    status = microdata.status()
    published_table, published_file = published_figures(published.load())
    unodc = unodc_series()
    check_settings(settings, unodc, published_table)
    # Process data: the microdata's measures when a user added it; without it the chapter adds no long rows.
    counted = microdata.read() if status["available"] else None
    rows = microdata.measures(counted, settings) if status["available"] else longtable.frame([])
    tables = chapter_tables(unodc, published_table, published_file, status, settings, min_cell, counted, rows)
    texts = values(settings, min_cell, status, tables["women_series"])
    # Save outputs, all together or none.
    with io.transaction(replace=(paths.chapter_dir(CHAPTER),)):
        interim.write(CHAPTER, tables, texts)
        export.save_registered(CHAPTER, tables, texts)
        longtable.save(rows, paths.indicator_part(CHAPTER))
    print(f"argentina: {len(tables)} tables -> {paths.relative(paths.chapter_dir(CHAPTER))}, {len(rows)} long rows "
          f"({'SNEEP microdata' if status['available'] else 'no microdata: UNODC and published figures'})")
