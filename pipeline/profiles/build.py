"""The profiles build: every profiled country's numbers, data-quality findings and sources, one file per country.

    python -m pipeline.profiles      # the DVC stage `profiles`

Reads the cleaned national series of every country (data/interim/unodc_prisons_national.parquet: the long-table rows
of the UNODC ingest, after its plausibility rules, for every country of the file), the rules' findings
(data/interim/unodc_prisons_quality.csv), the file's list of countries (data/interim/unodc_prisons.parquet), and
the regional chapter's table of the latest year (data/interim/regional/latest.parquet, tab-01) for its note on what a
count holds (Brazil's includes women outside cells: the chapter's reconciliation with SISDEPEN, tab-08).
Writes data/interim/profiles/<ISO3>.json for each country of params.yaml `profiles.countries`, and summary.parquet
(one row per country: its key numbers, for the index and the values files). A country's file changes only when its
own numbers, findings or sources do, so the notebook stage reruns exactly the profiles whose file changed.

Every number is a long-table value (key country/unodc_prisons/indicator/sex/period) and every ratio is of one year:

- the headline year is the country's latest complete year, as in the regional chapter's tab-01: women held and the
  share's denominator both reported and not excluded by a rule; women held, their share of all persons held (or of
  female + male where the year has no usable total) and their rate per 100,000 women are of that year, with tab-01's
  note on the count where it has one for that year;
- the share held unsentenced (pre-trial), women and men, at the latest year with both;
- the trend: women held in the first year with a count, against the headline year, with any series break between;
- for a country without a count by sex: its latest total, and what is missing.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from pipeline import io, params, paths, registry
from pipeline.chapters import interim
from pipeline.errors import PipelineError, cli
from pipeline.settings import Profiles, Regional, UnodcPrisons
from pipeline.sources import unodc_plausibility, unodc_prisons

SOURCE = unodc_prisons.SOURCE
ALL = "all"  # profiles.countries: every country of the UNODC file
# A country's profile, by what the UNODC file counts for it.
BY_SEX = "by_sex"  # women held, with a year whose share can be computed
WOMEN_WITHOUT_SHARE = "women_without_share"  # women held, but no year with a usable denominator
TOTALS_ONLY = "totals_only"  # persons held in all, never by sex
NO_COUNT = "no_count"  # no count of persons held at all
# The summary's columns (one row per country), in order.
SUMMARY = ["country", "country_name", "region", "subregion", "status", "headline_year", "women_held",
           "women_share_pct", "share_denominator", "women_per_100k_women", "first_year", "first_women_held",
           "women_growth_pct", "unsentenced_year", "women_unsentenced_pct", "men_unsentenced_pct", "total_year",
           "persons_held", "findings", "count_note"]


# ------------------------------------------------------------------------------------- Inputs ---

def load_countries(path=paths.interim_parquet(SOURCE)) -> pd.DataFrame:
    """Every country of the UNODC file (ISO3, UNODC name, region, subregion), the World aggregate left out."""
    if not path.exists():
        raise PipelineError("the tidy UNODC table is missing", file=path, fix="run `dvc repro ingest_unodc_prisons`")
    names = pd.read_parquet(path, columns=["iso3", "country_name", "region", "subregion"]).drop_duplicates("iso3")
    names = names[names["region"] != "World"].rename(columns={"iso3": "country"})
    return names.astype(str).sort_values("country").reset_index(drop=True)


def chosen_countries(wanted: list[str], countries: pd.DataFrame, national: pd.DataFrame) -> list[str]:
    """The ISO3 codes `profiles.countries` names: `all`, the countries of a region or subregion with a count of
    persons held, or a code of the file. Anything else is one message naming the key."""
    with_data = set(national.loc[national["indicator"] == "persons_held", "country"])
    groups = {name: set(countries.loc[countries[level] == name, "country"]) & with_data
              for level in ("region", "subregion") for name in countries[level].unique()}
    chosen: set[str] = set()
    for item in wanted:
        if item == ALL:
            chosen |= set(countries["country"])
        elif item in groups:
            chosen |= groups[item]
        elif item in set(countries["country"]):
            chosen.add(item)
        else:
            params.check_choice("profiles.countries", item, [ALL, *sorted(groups), *countries["country"]],
                                "'all', a UNODC region or subregion, or an ISO3 code of the UNODC file")
    return sorted(chosen)


# ----------------------------------------------------------------------------- One country ---

def profile(country: pd.Series, rows: pd.DataFrame, findings: pd.DataFrame, sources: dict,
            count_note: dict | None = None, juveniles: pd.Series | None = None,
            juveniles_min_pct: float | None = None) -> dict:
    """One country's profile: its numbers (each with its year and long-table key), series, findings and sources.
    `count_note` is tab-01's note on the country's latest count ({"year", "text"}, in English), shown if its year is
    the headline's; `juveniles`, its women held as juveniles by year (unodc_prisons.juveniles_held), tells whether
    its trend compares a count with juveniles and one without any juvenile count, at `juveniles_min_pct`
    (regional.juveniles_note_min_pct); without them the trend says nothing of juveniles."""
    years = {name: _by_year(rows, *key) for name, key in SERIES.items()}
    basis = rows[rows["indicator"] == "women_share_of_persons_held"].set_index("year")["basis"]
    women, share = years["women_held"], years["women_share_pct"]
    headline = int(share.index.max()) if len(share) else (int(women.index.max()) if len(women) else None)
    status = BY_SEX if len(share) else WOMEN_WITHOUT_SHARE if len(women) else \
        TOTALS_ONLY if len(years["persons_held"]) else NO_COUNT
    numbers = {"headline_year": headline}
    if headline is not None:
        numbers |= {
            "women_held": _number(country, years, "women_held", headline),
            "women_share_pct": _share(country, years, basis, headline),
            "women_per_100k_women": _number(country, years, "women_per_100k_women", headline),
            "later_women_held": _number(country, years, "women_held", int(women.index.max()))
            if women.index.max() > headline else None,
            "trend": _trend(country, years, findings, headline, juveniles, juveniles_min_pct) if len(women) else None,
            "count_note": count_note if count_note and count_note["year"] == headline else None,
        }
    numbers["unsentenced"] = _unsentenced(country, years)
    numbers["total"] = (_number(country, years, "persons_held", int(years["persons_held"].index.max()))
                        | {"rate": _number(country, years, "persons_per_100k",
                                           int(years["persons_held"].index.max()))}) if len(years["persons_held"]) else None
    return {
        "country": country["country"], "unodc_name": country["country_name"], "region": country["region"],
        "subregion": country["subregion"], "status": status, "numbers": numbers,
        "series": _series(years), "findings": _findings(findings),
        "definitions": _definitions(rows), "chapter": registry.COUNTRY_CHAPTERS.get(country["country"]),
        "sources": sources,
    }


# The series a profile reads: name -> (indicator, sex) of the long table.
SERIES = {
    "women_held": ("persons_held", "female"),
    "men_held": ("persons_held", "male"),
    "persons_held": ("persons_held", "total"),
    "women_share_pct": ("women_share_of_persons_held", "female"),
    "women_per_100k_women": ("persons_held_rate", "female"),
    "persons_per_100k": ("persons_held_rate", "total"),
    "women_unsentenced": ("persons_held_unsentenced", "female"),
    "men_unsentenced": ("persons_held_unsentenced", "male"),
    "women_unsentenced_pct": ("unsentenced_share_of_persons_held", "female"),
    "men_unsentenced_pct": ("unsentenced_share_of_persons_held", "male"),
}


def _by_year(rows: pd.DataFrame, indicator: str, sex: str) -> pd.Series:
    picked = rows[(rows["indicator"] == indicator) & (rows["sex"] == sex)]
    return picked.set_index("year")["value"].sort_index()


def _number(country: pd.Series, years: dict, name: str, year: int) -> dict | None:
    """A value of one series and year with its long-table key; None when the year has none."""
    if year not in years[name].index:
        return None
    indicator, sex = SERIES[name]
    return {"value": float(years[name][year]), "year": int(year),
            "key": "/".join((country["country"], SOURCE, indicator, sex, str(year)))}


def _share(country: pd.Series, years: dict, basis: pd.Series, year: int) -> dict | None:
    """Women's share of one year, with its denominator (all persons held, or female + male) and its value."""
    share = _number(country, years, "women_share_pct", year)
    if share is None:
        return None
    return share | {"denominator": str(basis[year]), "denominator_value": _denominator(years, year, str(basis[year]))}


def _denominator(years: dict, year: int, basis: str) -> float:
    if basis == "total":
        return float(years["persons_held"][year])
    return float(years["women_held"][year] + years["men_held"][year])


def _trend(country: pd.Series, years: dict, findings: pd.DataFrame, last: int, juveniles: pd.Series | None = None,
           juveniles_min_pct: float | None = None) -> dict | None:
    """Women held in the first year whose count can start a growth (unodc_plausibility.starts_growth) against `last`;
    the series breaks the rules found between them; the earlier years with a count of women that cannot start it
    (`skipped`: Argentina's 2005 and 2006); whether one end's count includes juveniles and the other's gives no
    juvenile count (unodc_plausibility.juveniles_at_one_end)."""
    women = years["women_held"]
    aligned = {name: years[name].reindex(women.index) for name in ("men_held", "persons_held", "women_share_pct")}
    starts = unodc_plausibility.starts_growth(women, aligned["men_held"], aligned["persons_held"],
                                              aligned["women_share_pct"])
    if not starts.any():
        return None
    first = int(women.index[starts.to_numpy()].min())
    if first >= last:
        return None
    # Earlier counts of women that cannot start it (a reader sees them in the figure and asks why it starts later).
    skipped = sorted(int(year) for year in women.index[~starts.to_numpy()] if year < first)
    breaks = findings[(findings["rule"] == unodc_plausibility.LEVEL_SHIFT) & (findings["series"] == "persons_held")
                      & findings["sex"].isin(["female", "total"]) & findings["year"].between(first + 1, last)]
    return {"first": _number(country, years, "women_held", first), "last": _number(country, years, "women_held", last),
            "change_pct": round(100 * (women[last] / women[first] - 1), 6) if women[first] > 0 else None,
            "level_shifts": sorted({int(year) for year in breaks["year"]}), "skipped": skipped,
            "juveniles": unodc_plausibility.juveniles_at_one_end(juveniles, women, first, last, juveniles_min_pct)
            if juveniles is not None and juveniles_min_pct is not None else None}


def _unsentenced(country: pd.Series, years: dict) -> dict | None:
    """The shares of women and of men held unsentenced at the latest year with both (each of its own sex)."""
    both = years["women_unsentenced_pct"].index.intersection(years["men_unsentenced_pct"].index)
    if not len(both):
        return None
    year = int(both.max())
    women = _number(country, years, "women_unsentenced_pct", year)
    men = _number(country, years, "men_unsentenced_pct", year)
    return {"year": year, "women": women, "men": men, "difference_pp": round(women["value"] - men["value"], 6),
            "women_unsentenced": _number(country, years, "women_unsentenced", year),
            "women_held": _number(country, years, "women_held", year)}


def _series(years: dict) -> list[dict]:
    """One row per year with any of the series, for the figures and the notebook's table."""
    table = pd.DataFrame(years).sort_index()
    table = table.dropna(how="all")
    return [{"year": int(year), **{name: (None if math.isnan(value) else float(value)) for name, value in row.items()}}
            for year, row in table.iterrows()]


def _findings(findings: pd.DataFrame) -> list[dict]:
    columns = ["rule", "year", "series", "sex", "value", "evidence", "treatment"]
    ordered = findings.sort_values(["year", "rule", "series", "sex", "evidence"], kind="stable")
    return [{column: (None if isinstance(value, float) and math.isnan(value) else
                      int(value) if column == "year" else float(value) if column == "value" else str(value))
             for column, value in zip(columns, row)} for row in ordered[columns].itertuples(index=False)]


def _definitions(rows: pd.DataFrame) -> dict[str, str]:
    """The long table's definition of each indicator the profile shows, of the latest year (a definition may state
    its year's denominator: the latest is the headline's, or nearest to it). Where the sexes shown have different
    texts (the unsentenced share is of women held for women, of men held for men), one per sex: `indicator (sex)`."""
    shown = rows.merge(pd.DataFrame(list(dict.fromkeys(SERIES.values())), columns=["indicator", "sex"]))
    latest = shown.assign(order=shown["sex"].map({"female": 0, "total": 1, "male": 2}))
    latest = latest.sort_values(["indicator", "order", "year"], ascending=[True, True, False])
    latest = latest.drop_duplicates(["indicator", "sex"])
    definitions = {}
    for indicator, texts in latest.groupby("indicator", sort=True):
        if texts["definition"].nunique() == 1:
            definitions[indicator] = texts["definition"].iloc[0]
        else:
            definitions |= {f"{indicator} ({sex})": text for sex, text in zip(texts["sex"], texts["definition"])}
    return definitions


def source_entry() -> dict:
    """The UNODC source as data/sources.yaml describes it, and the plausibility settings the numbers were cleaned
    with (params.yaml unodc_prisons)."""
    entry = params.read_yaml(paths.SOURCES, paths.SOURCES.name)["sources"][SOURCE]
    fields = {name: " ".join(str(entry[name]).split()) for name in ("title", "publisher", "page", "licence", "citation")}
    return {SOURCE: {**fields, "snapshot": str(entry["snapshot"]["date"])},
            "plausibility": params.read(UnodcPrisons).model_dump(exclude={"region"})}


# ------------------------------------------------------------------------------------- Build ---

def build(countries: pd.DataFrame, national: pd.DataFrame, quality: pd.DataFrame, chosen: list[str],
          sources: dict, count_notes: dict[str, dict] | None = None, juveniles: pd.Series | None = None,
          juveniles_min_pct: float | None = None) -> dict[str, dict]:
    """Every chosen country's profile, by ISO3 code; `count_notes` by country (see count_notes); `juveniles`, women
    held as juveniles per (country, year) (unodc_prisons.juveniles_held)."""
    national = national.assign(year=national["period"].astype(int))
    quality = quality.assign(year=quality["year"].astype(int))
    by_country = dict(tuple(national.groupby("country")))
    found = dict(tuple(quality.groupby("country")))
    names = countries.set_index("country", drop=False)
    empty_rows, no_findings = national.iloc[:0], quality.iloc[:0]
    held = dict(tuple(juveniles.groupby(level=0))) if juveniles is not None else {}
    return {code: profile(names.loc[code], by_country.get(code, empty_rows), found.get(code, no_findings), sources,
                          (count_notes or {}).get(code), held[code].droplevel(0) if code in held else None,
                          juveniles_min_pct)
            for code in chosen}


def count_notes(latest: pd.DataFrame) -> dict[str, dict]:
    """The regional chapter's notes on what a country's latest count holds (tab-01's `count_note`, in English: the
    profile says it in its language through the same row of the translation table), by country, with its year."""
    noted = latest[latest["count_note"].fillna("") != ""]
    return {row.country: {"year": int(row.latest_year), "text": str(row.count_note)} for row in noted.itertuples()}


def summary(profiles: dict[str, dict]) -> pd.DataFrame:
    """One row per country: the key numbers of its profile (the index page and the values files read them)."""
    rows = []
    for code, entry in profiles.items():
        numbers = entry["numbers"]
        value = lambda name: (numbers.get(name) or {}).get("value")  # noqa: E731
        trend, unsentenced, total = numbers.get("trend"), numbers.get("unsentenced"), numbers.get("total")
        rows.append({
            "country": code, "country_name": entry["unodc_name"], "region": entry["region"],
            "subregion": entry["subregion"], "status": entry["status"], "headline_year": numbers["headline_year"],
            "women_held": value("women_held"), "women_share_pct": value("women_share_pct"),
            "share_denominator": (numbers.get("women_share_pct") or {}).get("denominator"),
            "women_per_100k_women": value("women_per_100k_women"),
            "first_year": trend["first"]["year"] if trend else None,
            "first_women_held": trend["first"]["value"] if trend else None,
            "women_growth_pct": trend["change_pct"] if trend else None,
            "unsentenced_year": unsentenced["year"] if unsentenced else None,
            "women_unsentenced_pct": unsentenced["women"]["value"] if unsentenced else None,
            "men_unsentenced_pct": unsentenced["men"]["value"] if unsentenced else None,
            "total_year": total["year"] if total else None, "persons_held": total["value"] if total else None,
            "findings": len(entry["findings"]),
            "count_note": (numbers.get("count_note") or {}).get("text", ""),
        })
    table = pd.DataFrame(rows, columns=SUMMARY)
    return table.astype({column: "Int64" for column in ("headline_year", "first_year", "unsentenced_year",
                                                        "total_year", "findings")})


def to_json(entry: dict) -> str:
    """A profile as written: keys in the build's order, floats as Python writes them, so reruns give the same bytes."""
    return json.dumps(entry, indent=1, ensure_ascii=False) + "\n"


def read(country: str) -> dict:
    """One country's profile as the build wrote it."""
    path = paths.profile_interim(country)
    if not path.is_file():
        raise PipelineError(f"no profile numbers for '{country}'", file=path,
                            fix="add the country to params.yaml profiles.countries and run `dvc repro profiles`")
    return json.loads(path.read_text(encoding="utf-8"))


def read_summary() -> pd.DataFrame:
    if not paths.PROFILES_SUMMARY.is_file():
        raise PipelineError("the profiles' summary is missing", file=paths.PROFILES_SUMMARY,
                            fix="run `dvc repro profiles`")
    return pd.read_parquet(paths.PROFILES_SUMMARY)


@cli
def main() -> None:
    # Load inputs.
    settings = params.read(Profiles)
    countries = load_countries()
    national = _read_national()
    quality = _read_quality()
    chosen = chosen_countries(settings.countries, countries, national)
    notes = count_notes(interim.read(registry.LATEST_BY_COUNTRY.chapter, registry.LATEST_BY_COUNTRY.table))
    juveniles = unodc_prisons.juveniles_held(pd.read_parquet(paths.interim_parquet(SOURCE)))
    # Process data.
    profiles = build(countries, national, quality, chosen, source_entry(), notes, juveniles,
                     params.read(Regional).juveniles_note_min_pct)
    # Save outputs, all together or none (the folder is replaced: a country no longer chosen leaves it).
    with io.transaction(replace=(paths.PROFILES_INTERIM,)):
        for code, entry in profiles.items():
            io.write_text(paths.profile_interim(code), to_json(entry))
        table = summary(profiles)
        table.to_parquet(io.target(paths.PROFILES_SUMMARY), index=False)
    counts = table["status"].value_counts()
    print(f"profiles: {len(profiles)} countries ({', '.join(f'{n} {s}' for s, n in counts.items())}) -> "
          f"{paths.relative(paths.PROFILES_INTERIM)}")


def _read_national() -> pd.DataFrame:
    path = paths.UNODC_PRISONS_NATIONAL
    if not path.exists():
        raise PipelineError("the cleaned UNODC national series is missing", file=path,
                            fix="run `dvc repro ingest_unodc_prisons` first")
    return pd.read_parquet(path)


def _read_quality() -> pd.DataFrame:
    path = paths.UNODC_PRISONS_QUALITY
    if not path.exists():
        raise PipelineError("the UNODC data-quality findings are missing", file=path,
                            fix="run `dvc repro ingest_unodc_prisons` first")
    return pd.read_csv(path, keep_default_na=False, na_values={"value": [""]})
