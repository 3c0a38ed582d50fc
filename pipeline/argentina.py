"""Argentina chapter: women in prison from SNEEP microdata when present, else UNODC plus published SNEEP figures.

Every definition a researcher might dispute (who counts as a woman, what counts as held for drugs, which
legal status and which penitentiary service) is a parameter in params.yaml `argentina:`; every output
carries the definitions that produced it (`definitions(settings)`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline import disclosure, longtable, params, paths
from pipeline.settings import Argentina
from pipeline.errors import PipelineError
from pipeline.sources import published, sneep, sneep_csv

COUNTRY = "ARG"
PART = paths.indicator_part("argentina")
WOMEN = {True: ["female", "trans_women"], False: ["female"]}  # by women_include_trans_women
# The published facts the chapter reads, as the registry of published figures names them: (indicator, sex).
WOMEN_HELD = ("persons_held", "female")  # women including trans women, as SNEEP's reports count them
PERSONS_HELD = ("persons_held", "total")
PERSONS_IN_UNITS = ("persons_held_in_penitentiary_units", "total")
WOMEN_SHARE = ("women_share_of_persons_held", "female")
WOMEN_DRUG_SHARE = ("drug_offence_share_of_persons_held", "female")
WOMEN_DRUG_GROWTH = ("change_in_persons_held_drug_offences", "female")
UNODC_SOURCE = "UNODC, UN-CTS prisons and prisoners (export of 11 May 2023), fed by SNEEP"
SNEEP_SOURCE = "SNEEP, Ministerio de Justicia y Derechos Humanos (published figures)"


def definitions(settings: Argentina, microdata_used: bool = True) -> dict[str, str]:
    """The definitions behind the Argentina outputs, in words: only those that applied to the data used (the
    microdata rules say nothing about UNODC's series or SNEEP's printed figures)."""
    if not microdata_used:
        return {"women (UNODC CTS)": "'female' as reported to UNODC (trans women not counted apart)",
                "women (SNEEP as cited)": "female and trans women, all services, as the SNEEP reports count them",
                "share, SNEEP as cited": "women over the persons housed in penitentiary units (SNEEP's base)"}
    return {
        "women": "female and trans women" if settings.women_include_trans_women else "female (not trans women)",
        "held_for_drugs": f"{settings.drug_rule.replace('_', ' ')} is Ley 23.737"
                          + (" or drug smuggling" if settings.drug_include_smuggling else " (smuggling excluded)"),
        "legal_status": settings.legal_status.replace("_", "-"),
        "service": "all services (national)" if settings.service == "all" else f"{settings.service} service only",
        "gender_coding": f"SNEEP labels mapped by {paths.relative(paths.SNEEP_GENDER_CROSSWALK)} ('Transexual' -> "
                         "trans women)",
    }


def definition_text(settings: Argentina) -> str:
    return "SNEEP census 31 Dec; " + "; ".join(f"{k} = {v}" for k, v in definitions(settings).items())


# ---------------------------------------------------------------------------------- Microdata ---

def microdata_status() -> dict:
    """The SNEEP load report: {'available': False, ...} when no microdata was downloaded."""
    if not sneep.REPORT.exists():
        raise PipelineError("SNEEP load report is missing", file=sneep.REPORT,
                            fix="run `python -m pipeline.sources.sneep` (or `dvc repro`)")
    return json.loads(sneep.REPORT.read_text(encoding="utf-8"))


def read_microdata() -> pd.DataFrame:
    return pd.read_parquet(sneep.PARQUET)


def population(microdata: pd.DataFrame, settings: Argentina, *, legal_status: bool = True) -> pd.DataFrame:
    """The persons the counts cover under the chosen service (and legal status) definitions."""
    keep = pd.Series(True, index=microdata.index)
    if settings.service != "all":
        keep &= _has_label(microdata["service"], lambda label: settings.service in label)
    if legal_status and settings.legal_status != "all":
        keep &= _is_pre_trial(microdata) == (settings.legal_status == "pre_trial")
    return microdata if keep.all() else microdata[keep]  # no copy of millions of rows when all count


def held_for_drugs(microdata: pd.DataFrame, settings: Argentina) -> pd.Series:
    """True for persons held for a drug offence under the chosen rule."""
    groups = {"drug_law"} | ({"drug_smuggling"} if settings.drug_include_smuggling else set())
    labels = {label for label, group in sneep.offence_groups().items() if group in groups}
    columns = ["offence_1"] if settings.drug_rule == "first_offence" else [f"offence_{i}" for i in range(1, 6)]
    drug = pd.Series(False, index=microdata.index)
    for column in columns:
        categories = microdata[column].cat.categories
        _check_offence_labels(categories)
        matched = [c for c in categories if sneep_csv.normalise_name(c) in labels]
        drug |= microdata[column].isin(matched)
    return drug


def measures(microdata: pd.DataFrame, settings: Argentina) -> pd.DataFrame:
    """Long-table rows by census year: persons by gender, women for drugs, pre-trial share, children."""
    held = population(microdata, settings)
    women = held["gender"].isin(WOMEN[settings.women_include_trans_women])
    year = held["census_year"]  # periods become text in _rows
    # Only the gender categories a census recorded: a category it did not have (trans men before 2020) is
    # unknown, not zero, and the coding's own 'total' is never a gender of a person.
    by_gender = held.groupby([year, "gender"], observed=True).size()
    by_gender = by_gender[by_gender.index.get_level_values("gender") != "total"]
    women_held = women.groupby(year).sum()
    women_drugs = (women & held_for_drugs(held, settings)).groupby(year).sum()
    women_children = (women & held["children_in_prison"].eq("yes")).groupby(year).sum()
    everyone = population(microdata, settings, legal_status=False)
    is_pre_trial = _is_pre_trial(everyone)
    pre_trial = is_pre_trial.groupby([everyone["census_year"], everyone["gender"]], observed=True).mean().mul(100)
    pre_trial_total = is_pre_trial.groupby(everyone["census_year"]).mean().mul(100)
    rows = [*_rows(by_gender, "persons_held", "persons"),
            *_rows(by_gender.groupby(level=0).sum(), "persons_held", "persons", sex="total"),
            *_rows(women_held, "women_held", "persons", sex="female"),
            *_rows(women_drugs, "women_held_drug_offences", "persons", sex="female"),
            *_rows(women_drugs / women_held * 100, "women_drug_offences_share", "percent", sex="female"),
            *_rows(women_children, "women_with_children_in_prison", "persons", sex="female"),
            *_rows(pre_trial, "pre_trial_share", "percent"),
            *_rows(pre_trial_total, "pre_trial_share", "percent", sex="total")]
    table = longtable.frame([r | {"source": "sneep", "definition": definition_text(settings)} for r in rows])
    return table.dropna(subset=["value"])


def by_province(microdata: pd.DataFrame, settings: Argentina, year: int, min_cell: int) -> pd.DataFrame:
    """Persons held by province and gender in one census: small cells and small totals suppressed, with
    complementary suppression so that nothing hidden can be worked out from what is shown."""
    held = population(microdata[microdata["census_year"] == year], settings)
    counts = held.groupby(["province", "gender"], observed=True).size().unstack(fill_value=0)
    return _protected_table(counts, min_cell, "province", "gender", "All provinces", "total") \
        .assign(census_year=year)[["census_year", "province", "gender", "persons", "suppressed"]]


def women_held_for_drugs_by_province(microdata: pd.DataFrame, settings: Argentina, year: int,
                                     min_cell: int) -> pd.DataFrame:
    """Women held for drug offences by province and legal status in one census, protected like by_province.
    Only the microdata can give it: the published figures are national."""
    held = population(microdata[microdata["census_year"] == year], settings, legal_status=False)
    women = held[held["gender"].isin(WOMEN[settings.women_include_trans_women]) & held_for_drugs(held, settings)]
    status = pd.Series(np.where(_is_pre_trial(women), "pre_trial", "sentenced_or_other"), index=women.index)
    counts = women.groupby([women["province"].astype(str), status]).size().unstack(fill_value=0) \
        .rename_axis(index="province", columns="legal_status")
    return _protected_table(counts, min_cell, "province", "legal_status", "All provinces", "all") \
        .rename(columns={"persons": "women_held_for_drugs"}) \
        .assign(census_year=year)[["census_year", "province", "legal_status", "women_held_for_drugs", "suppressed"]]


def _protected_table(counts: pd.DataFrame, min_cell: int, rows: str, columns: str, all_rows: str,
                     all_columns: str) -> pd.DataFrame:
    """A count table in long form with its row totals, column totals and grand total, each with whether it is
    suppressed (disclosure.protect); a suppressed number is left empty."""
    hidden = disclosure.protect(counts, min_cell)
    cells = counts.stack().rename("persons").reset_index()
    cells["suppressed"] = hidden.cells.stack().to_numpy()
    row_totals = counts.sum(axis=1).rename("persons").reset_index().assign(**{columns: all_columns})
    row_totals["suppressed"] = hidden.row_totals.to_numpy()
    column_totals = counts.sum().rename("persons").reset_index().assign(**{rows: all_rows})
    column_totals["suppressed"] = hidden.column_totals.to_numpy()
    grand = pd.DataFrame([{rows: all_rows, columns: all_columns, "persons": int(counts.to_numpy().sum()),
                           "suppressed": False}])
    table = pd.concat([cells, row_totals, column_totals, grand], ignore_index=True)
    table["persons"] = table["persons"].astype("Int64").mask(table["suppressed"])
    return table.astype({rows: str, columns: str, "suppressed": bool})


# ------------------------------------------------------------------ UNODC and published figures ---

def unodc_series() -> pd.DataFrame:
    """UNODC 'Persons held' for Argentina, one row per year: female, male, total."""
    rows = longtable.read_parts("unodc_prisons")
    rows = rows[(rows["country"] == COUNTRY) & (rows["indicator"] == "persons_held")]
    series = rows.pivot(index="period", columns="sex", values="value").astype("Int64")
    series.index = series.index.astype(int)
    return series.rename_axis(index="year", columns=None)[["female", "male", "total"]].reset_index()


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


def save_indicators(rows: pd.DataFrame) -> None:
    longtable.save(rows, PART)


# ------------------------------------------------------------------------ Chapter tables ---

# The series of the Argentina figures: what each counts, how it is drawn (the same in fig-10 and fig-11).
UNODC_SERIES, CITED_SERIES, MICRODATA_SERIES = "UNODC CTS", "SNEEP as cited by the briefing", "SNEEP microdata"
SERIES_STYLE = {  # series -> (palette index, marker, line)
    UNODC_SERIES: (0, "o", "-"),
    CITED_SERIES: (1, "D", "none"),
    MICRODATA_SERIES: (2, "s", "-"),
}
SERIES_LEGEND = {
    "women": {UNODC_SERIES: "UNODC CTS (female)",
              CITED_SERIES: "SNEEP as cited by the briefing (women incl. trans women)",
              MICRODATA_SERIES: "SNEEP microdata (women as defined)"},
    "share": {UNODC_SERIES: "UNODC CTS (female ÷ all persons held)",
              CITED_SERIES: "SNEEP as cited by the briefing (÷ persons housed in units)",
              MICRODATA_SERIES: "SNEEP microdata (÷ all persons in the census)"},
}


def women_series(unodc: pd.DataFrame, published: pd.DataFrame, settings: Argentina,
                 microdata_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Women held and their share by year and series, each share from one series' own numerator and
    denominator of the same year: UNODC's female over UNODC's total; the women SNEEP counted (as the briefing
    cites them) over SNEEP's persons housed in penitentiary units; the microdata's women over all its persons.
    This frame is exactly what fig-10 and fig-11 draw."""
    unodc_rows = unodc.dropna(subset=["female", "total"])
    frames = [pd.DataFrame({"year": unodc_rows["year"].astype(int), "series": UNODC_SERIES,
                            "women_held": unodc_rows["female"].astype(float),
                            "persons_held": unodc_rows["total"].astype(float),
                            "denominator": "UNODC CTS persons held (all)", "from_briefing": False})]
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
    series = series.assign(women_share_pct=(100 * series["women_held"] / series["persons_held"]).round(2))
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
    return table.assign(growth_pct=((table["to_value"] / table["from_value"] - 1) * 100).round(1))


def reconciliation(unodc: pd.DataFrame, published: pd.DataFrame, year: int) -> pd.DataFrame:
    """UNODC against SNEEP's published figures for one year, and UNODC's parts against its total."""
    at = unodc.set_index("year").loc[year]
    women_sneep = published_value(published, WOMEN_HELD, str(year))
    total_sneep = published_value(published, PERSONS_HELD, str(year))
    share_sneep = published_value(published, WOMEN_SHARE, str(year))
    rows = [
        ("women held", "UNODC CTS female", at["female"], "SNEEP women (incl. trans), as cited by the briefing", women_sneep),
        ("all persons held", "UNODC CTS total", at["total"], "SNEEP national total", total_sneep),
        ("all persons held", "UNODC CTS female + male", at["female"] + at["male"], "UNODC CTS total", at["total"]),
        ("women held", "SNEEP women share x SNEEP total", round(share_sneep / 100 * total_sneep),
         "SNEEP women (incl. trans), as cited by the briefing", women_sneep),
    ]
    table = pd.DataFrame(rows, columns=["measure", "figure_a", "value_a", "figure_b", "value_b"])
    table[["value_a", "value_b"]] = table[["value_a", "value_b"]].astype(int)
    return table.assign(year=year, difference=table["value_a"] - table["value_b"])


def parts_versus_total(unodc: pd.DataFrame) -> pd.DataFrame:
    """UNODC female + male against its total, every year."""
    return unodc.assign(female_plus_male=unodc["female"] + unodc["male"],
                        difference=unodc["total"] - unodc["female"] - unodc["male"])


def drug_growth_check(published: pd.DataFrame, settings: Argentina) -> pd.DataFrame:
    """Do the published shares held for drugs (rounded) give the published growth (rounded)?

    Enumerates every whole number of women held for drugs in each year whose share rounds to the
    published share, and keeps the pairs whose growth rounds to the published growth.
    """
    base, last = str(settings.growth_base_year), str(settings.last_year)
    women = {y: int(published_value(published, WOMEN_HELD, y)) for y in (base, last)}
    share = {y: published_value(published, WOMEN_DRUG_SHARE, y) for y in (base, last)}
    claimed = published_value(published, WOMEN_DRUG_GROWTH, f"{base}/{last}")
    counts = {y: [n for n in range(women[y] + 1) if _round_half_up(n / women[y] * 100) == share[y]]
              for y in (base, last)}
    pairs = [(a, b) for a in counts[base] for b in counts[last] if _round_half_up((b / a - 1) * 100) == claimed]
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
    return pd.DataFrame(rows, columns=["quantity", "low_pct", "high_pct"])


def _fact(published: pd.DataFrame, fact: tuple[str, str], period: str) -> pd.DataFrame:
    indicator, sex = fact
    return published[(published["indicator"] == indicator) & (published["sex"] == sex) & (published["period"] == period)]


def _rows(values: pd.Series, indicator: str, unit: str, sex: str | None = None) -> list[dict]:
    rows = []
    for key, value in values.items():
        period, row_sex = (key, sex) if sex else key
        rows.append({"country": COUNTRY, "indicator": indicator, "sex": row_sex, "period": str(period),
                     "value": float(value) if not pd.isna(value) else math.nan, "unit": unit})
    return rows


def _is_pre_trial(microdata: pd.DataFrame) -> pd.Series:
    return _has_label(microdata["legal_status"], "procesado".__eq__)  # Procesado: charged, not yet sentenced


def _has_label(column: pd.Series, wanted: Callable[[str], bool]) -> pd.Series:
    """True where a categorical column's normalised label is wanted (tested once per category, not per row)."""
    return column.isin([c for c in column.cat.categories if wanted(sneep_csv.normalise_name(c))])


def _check_offence_labels(categories) -> None:
    """A drug-looking offence label missing from the crosswalk would be silently counted as non-drug."""
    known = sneep.offence_groups()
    suspicious = [c for c in categories if any(w in sneep_csv.normalise_name(c) for w in ("estupefac", "23737",
                  "23_737", "droga")) and sneep_csv.normalise_name(c) not in known]
    if suspicious:
        raise PipelineError(f"offence label '{suspicious[0]}' looks drug-related but is not in the crosswalk",
                            file=sneep.OFFENCE_CROSSWALK,
                            fix="add it with its group (drug_law or drug_smuggling) and a note")


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def data_used_note(status: dict, published_file: str) -> str:
    """One paragraph saying plainly which data this run used."""
    if status["available"]:
        files = ", ".join(f["file"] for f in status["files"])
        return (f"**Data used: SNEEP microdata** ({status['rows']:,} persons from {files}), with UNODC CTS and "
                f"SNEEP's published figures ({published_file}) for comparison.")
    return ("**Data used: UNODC CTS 'Persons held' for Argentina and SNEEP's published figures** "
            f"({published_file}). SNEEP microdata is not available in this run ({status['reason']}; "
            f"download it by hand from {status['manual_download']}), so measures that need it are not shown.")


def province_table_or_empty(microdata: pd.DataFrame | None, settings: Argentina, min_cell: int) -> pd.DataFrame:
    """The latest census by province (suppressed), or no rows when there is no microdata."""
    if microdata is None or microdata.empty:
        return pd.DataFrame({"census_year": pd.Series([], dtype="int64"), "province": [], "gender": [],
                             "persons": pd.Series([], dtype="Int64"), "suppressed": pd.Series([], dtype=bool)})
    return by_province(microdata, settings, int(microdata["census_year"].max()), min_cell)


def latest_independent(women: pd.DataFrame) -> pd.Series:
    """The latest year of a series that does not come from the briefing itself (microdata when present, else
    UNODC): the number the briefing pack leads with for Argentina, its share from the same year and series."""
    independent = women[~women["from_briefing"]]
    preferred = independent[independent["series"] == MICRODATA_SERIES]
    chosen = preferred if len(preferred) else independent[independent["series"] == UNODC_SERIES]
    return chosen.sort_values("year").iloc[-1]


def women_drugs_table_or_empty(microdata: pd.DataFrame | None, settings: Argentina, min_cell: int) -> pd.DataFrame:
    """Women held for drugs by province and legal status in the latest census, or no rows without microdata."""
    if microdata is None or microdata.empty:
        return pd.DataFrame({"census_year": pd.Series([], dtype="int64"), "province": [], "legal_status": [],
                             "women_held_for_drugs": pd.Series([], dtype="Int64"),
                             "suppressed": pd.Series([], dtype=bool)})
    return women_held_for_drugs_by_province(microdata, settings, int(microdata["census_year"].max()), min_cell)


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
         "fig-10"),
        ("women held 2015, UNODC", int(unodc.at[2015, "women_held"]), "fig-10"),
        (f"women held {int(latest['year'])}, {latest['series']}", int(latest["women_held"]), "fig-10"),
        (f"women's share {int(latest['year'])}, {latest['series']} (pct)", round(latest["women_share_pct"], 2),
         "fig-11"),
        ("growth in women held, SNEEP as cited by the briefing (pct)", grown[(CITED_SERIES, "women held")],
         "tab-10"),
        ("growth in women held, UNODC (pct)", grown[(UNODC_SERIES, "women held")], "tab-10"),
        ("UNODC minus SNEEP women 2015", gap[("women held", "UNODC CTS female")], "tab-11"),
        ("drug growth from stated shares (pct)", round(drug_check["low_pct"].iloc[0], 1), "tab-13"),
    ]
    return pd.DataFrame(rows, columns=["number", "value", "where"]).astype({"value": str})


# ------------------------------------------------------------------------------------ Charts ---

def women_chart(women: pd.DataFrame, settings: Argentina):
    """Women held by year, one line or set of points per series (fig-10); draws exactly the rows of `women`."""
    return _series_chart(women, "women_held", "women", settings,
                         f"Women held in Argentina's prisons, {settings.first_year}–{settings.last_year}",
                         "persons (31 December)")


def share_chart(women: pd.DataFrame, settings: Argentina):
    """Women's share of all persons held, by year and series, each over its own denominator (fig-11)."""
    return _series_chart(women, "women_share_pct", "share", settings,
                         "Women as a share of all persons held, Argentina", "percent")


def _series_chart(women: pd.DataFrame, column: str, legend: str, settings: Argentina, title: str, ylabel: str):
    import matplotlib.pyplot as plt  # charts only: the chapter's numbers never need matplotlib

    from pipeline import export  # export imports matplotlib at module level; see above

    export.use_house_style()
    figure, axis = plt.subplots()
    for series, rows in women.groupby("series", sort=False):
        colour, marker, line = SERIES_STYLE[series]
        axis.plot(rows["year"], rows[column], marker=marker, markersize=4, color=export.PALETTE[colour],
                  linestyle=line if len(rows) > 1 else "none", label=SERIES_LEGEND[legend][series])
    axis.set_xlim(settings.first_year - 0.5, settings.last_year + 0.5)
    axis.set_ylim(0, None)
    axis.set_title(title)
    axis.set_ylabel(ylabel)
    axis.legend(loc="lower right")
    figure.subplots_adjust(bottom=0.16)
    return figure
