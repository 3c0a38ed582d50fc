"""Argentina chapter: women in prison from SNEEP microdata when present, else UNODC plus published SNEEP figures.

Every definition a researcher might dispute (who counts as a woman, what counts as held for drugs, which
legal status and which penitentiary service) is a parameter in params.yaml `argentina:`; every output
carries the definitions that produced it (`definitions(settings)`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Literal

import pandas as pd

from pipeline import disclosure, longtable, params, paths
from pipeline.errors import PipelineError
from pipeline.sources import published, sneep, sneep_csv

COUNTRY = "ARG"
PART = paths.indicator_part("argentina")
# The project's registry of published figures (built by another stage), and our own fallback facts.
PUBLISHED_OWN = paths.DATA / "published" / "argentina_sneep.csv"
WOMEN = {True: ["female", "trans_women"], False: ["female"]}  # by women_include_trans_women
# The registry's (indicator, sex) -> the names this chapter uses (those of data/published/argentina_sneep.csv).
REGISTRY_NAMES = {
    ("persons_held", "female"): "women_held",
    ("persons_held", "trans_women"): "trans_women_held",
    ("persons_held_in_penitentiary_units", "total"): "persons_housed_in_units",
    ("women_share_of_persons_held", "female"): "women_share",
    ("drug_offence_share_of_persons_held", "female"): "women_drug_offences_share",
    ("change_in_persons_held_drug_offences", "female"): "women_drug_offences_growth",
}
UNODC_SOURCE = "UNODC, UN-CTS prisons and prisoners (export of 11 May 2023), fed by SNEEP"
SNEEP_SOURCE = "SNEEP, Ministerio de Justicia y Derechos Humanos (published figures)"


class Params(params.Strict):
    women_include_trans_women: bool
    drug_rule: Literal["first_offence", "any_offence"]
    drug_include_smuggling: bool
    legal_status: Literal["all", "pre_trial", "sentenced"]
    service: Literal["all", "federal", "provincial"]
    children_coding: Literal["auto", "yes1_no2_unknown0", "no0_yes1"]
    max_rejected_rows: int
    first_year: int
    last_year: int
    growth_base_year: int


def definitions(settings: Params) -> dict[str, str]:
    """The definitions behind every Argentina output, in words."""
    return {
        "women": "female and trans women" if settings.women_include_trans_women else "female (not trans women)",
        "held_for_drugs": f"{settings.drug_rule.replace('_', ' ')} is Ley 23.737"
                          + (" or drug smuggling" if settings.drug_include_smuggling else " (smuggling excluded)"),
        "legal_status": settings.legal_status.replace("_", "-"),
        "service": "all services (national)" if settings.service == "all" else f"{settings.service} service only",
        "gender_coding": "SNEEP labels mapped by pipeline/sources/sneep_gender.csv ('Transexual' -> trans women)",
    }


def definition_text(settings: Params) -> str:
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


def population(microdata: pd.DataFrame, settings: Params, *, legal_status: bool = True) -> pd.DataFrame:
    """The persons the counts cover under the chosen service (and legal status) definitions."""
    keep = pd.Series(True, index=microdata.index)
    if settings.service != "all":
        keep &= _has_label(microdata["service"], lambda label: settings.service in label)
    if legal_status and settings.legal_status != "all":
        keep &= _is_pre_trial(microdata) == (settings.legal_status == "pre_trial")
    return microdata if keep.all() else microdata[keep]  # no copy of millions of rows when all count


def held_for_drugs(microdata: pd.DataFrame, settings: Params) -> pd.Series:
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


def measures(microdata: pd.DataFrame, settings: Params) -> pd.DataFrame:
    """Long-table rows by census year: persons by gender, women for drugs, pre-trial share, children."""
    held = population(microdata, settings)
    women = held["gender"].isin(WOMEN[settings.women_include_trans_women])
    year = held["census_year"]  # periods become text in _rows
    by_gender = held.groupby([year, "gender"], observed=False).size().unstack(fill_value=0)
    women_held = women.groupby(year).sum()
    women_drugs = (women & held_for_drugs(held, settings)).groupby(year).sum()
    women_children = (women & held["children_in_prison"].eq("yes")).groupby(year).sum()
    everyone = population(microdata, settings, legal_status=False)
    is_pre_trial = _is_pre_trial(everyone)
    pre_trial = is_pre_trial.groupby([everyone["census_year"], everyone["gender"]], observed=True).mean().mul(100)
    pre_trial_total = is_pre_trial.groupby(everyone["census_year"]).mean().mul(100)
    rows = [*_rows(by_gender.stack(), "persons_held", "persons"),
            *_rows(by_gender.sum(axis=1), "persons_held", "persons", sex="total"),
            *_rows(women_held, "women_held", "persons", sex="female"),
            *_rows(women_drugs, "women_held_drug_offences", "persons", sex="female"),
            *_rows(women_drugs / women_held * 100, "women_drug_offences_share", "percent", sex="female"),
            *_rows(women_children, "women_with_children_in_prison", "persons", sex="female"),
            *_rows(pre_trial, "pre_trial_share", "percent"),
            *_rows(pre_trial_total, "pre_trial_share", "percent", sex="total")]
    table = longtable.frame([r | {"source": "sneep", "definition": definition_text(settings)} for r in rows])
    return table.dropna(subset=["value"])


def by_province(microdata: pd.DataFrame, settings: Params, year: int, min_cell: int) -> pd.DataFrame:
    """Persons held by province and gender in one census, small cells suppressed (with complements)."""
    held = population(microdata[microdata["census_year"] == year], settings)
    counts = held.groupby(["province", "gender"], observed=True).size().unstack(fill_value=0)
    hidden = disclosure.suppress(counts, min_cell)
    table = counts.stack().rename("persons").to_frame()
    table["suppressed"] = hidden.stack()
    table["persons"] = table["persons"].astype("Int64").mask(table["suppressed"])
    totals = pd.concat([counts.sum(axis=1).rename("persons").to_frame().assign(gender="total"),
                        counts.sum().rename("persons").to_frame().assign(province="All provinces")])
    table = pd.concat([table.reset_index(), totals.reset_index(names="key").assign(
        province=lambda t: t["province"].fillna(t["key"]), gender=lambda t: t["gender"].fillna(t["key"]))
        .drop(columns="key").assign(suppressed=False)], ignore_index=True)
    return table.assign(census_year=year)[["census_year", "province", "gender", "persons", "suppressed"]]


# ------------------------------------------------------------------ UNODC and published figures ---

def unodc_series() -> pd.DataFrame:
    """UNODC 'Persons held' for Argentina, one row per year: female, male, total."""
    rows = longtable.read_parts("unodc_prisons")
    rows = rows[(rows["country"] == COUNTRY) & (rows["indicator"] == "persons_held")]
    series = rows.pivot(index="period", columns="sex", values="value").astype("Int64")
    series.index = series.index.astype(int)
    return series.rename_axis(index="year", columns=None)[["female", "male", "total"]].reset_index()


def published_figures() -> tuple[pd.DataFrame, str]:
    """Published SNEEP facts for Argentina, and which file they came from.

    Reads the project's registry (data/published/figures.csv) when it exists and holds what the chapter
    needs; otherwise our own small file. Tolerant to the registry's exact columns beyond the core ones.
    """
    needed = {("women_held", "2015"), ("women_held", "2022"), ("women_drug_offences_share", "2015"),
              ("women_drug_offences_share", "2022"), ("women_drug_offences_growth", "2015-2022")}
    for path in (published.REGISTRY, PUBLISHED_OWN):
        if not path.exists():
            continue
        table = _published_table(path)
        if needed <= set(zip(table["indicator"], table["period"])):
            return table, paths.relative(path)
    raise PipelineError("no published SNEEP figures with the chapter's facts", file=PUBLISHED_OWN,
                        fix="restore data/published/argentina_sneep.csv from git")


def published_value(published: pd.DataFrame, indicator: str, period: str) -> float:
    match = published[(published["indicator"] == indicator) & (published["period"] == period)]
    if len(match) != 1:
        raise PipelineError(f"{len(match)} published values for {indicator} {period} (expected one)",
                            fix="the published registry must hold each fact once")
    return float(match["value"].iloc[0])


def published_rows(published: pd.DataFrame) -> pd.DataFrame:
    """The published SNEEP facts that fit the long table (single-year periods), source 'sneep_published'."""
    facts = published[published["period"].str.fullmatch(r"\d{4}")]
    clashes = facts[facts.duplicated(["indicator", "sex", "period"], keep=False)]
    if len(clashes):
        raise PipelineError(f"published figures disagree: {clashes[['indicator', 'sex', 'period', 'value']].to_dict('records')}",
                            fix="keep both in the registry, but say which one the chapter uses")
    return longtable.frame(facts.assign(
        country=COUNTRY, source="sneep_published",
        definition="published SNEEP figure, national (all services): " + facts["citation"]))


def save_indicators(rows: pd.DataFrame) -> None:
    longtable.save(rows, PART)


# ------------------------------------------------------------------------ Chapter tables ---

def women_series(unodc: pd.DataFrame, published: pd.DataFrame, settings: Params) -> pd.DataFrame:
    """Women held and their share by year: UNODC where it reports, SNEEP's published figure after."""
    series = unodc.assign(women_held=unodc["female"], persons_held=unodc["total"], source="UNODC CTS")
    last = published_value(published, "women_held", str(settings.last_year))
    total = published_value(published, "persons_housed_in_units", str(settings.last_year))
    if settings.last_year not in set(series["year"]):
        series = pd.concat([series, pd.DataFrame([{"year": settings.last_year, "women_held": last,
                                                   "persons_held": total, "source": "SNEEP (published)"}])])
    series = series[series["year"].between(settings.first_year, settings.last_year)]
    series = series.assign(women_share_pct=series["women_held"] / series["persons_held"] * 100)
    return series[["year", "women_held", "persons_held", "women_share_pct", "source"]].reset_index(drop=True)


def growth(unodc: pd.DataFrame, published: pd.DataFrame, settings: Params) -> pd.DataFrame:
    """Growth in women and in all persons held since the base year, per source."""
    base, last_unodc = settings.growth_base_year, int(unodc["year"].max())
    at = unodc.set_index("year")
    rows = [("UNODC CTS", "women held", base, at.at[base, "female"], last_unodc, at.at[last_unodc, "female"]),
            ("UNODC CTS", "all persons held", base, at.at[base, "total"], last_unodc, at.at[last_unodc, "total"]),
            ("SNEEP (published)", "women held", base, published_value(published, "women_held", str(base)),
             settings.last_year, published_value(published, "women_held", str(settings.last_year))),
            ("SNEEP (published)", "persons housed in penitentiary units", base,
             published_value(published, "persons_housed_in_units", str(base)), settings.last_year,
             published_value(published, "persons_housed_in_units", str(settings.last_year)))]
    table = pd.DataFrame(rows, columns=["source", "measure", "from_year", "from_value", "to_year", "to_value"])
    table[["from_value", "to_value"]] = table[["from_value", "to_value"]].astype(int)
    return table.assign(growth_pct=(table["to_value"] / table["from_value"] - 1) * 100)


def reconciliation(unodc: pd.DataFrame, published: pd.DataFrame, year: int) -> pd.DataFrame:
    """UNODC against SNEEP's published figures for one year, and UNODC's parts against its total."""
    at = unodc.set_index("year").loc[year]
    women_sneep = published_value(published, "women_held", str(year))
    total_sneep = published_value(published, "persons_held", str(year))
    share_sneep = published_value(published, "women_share", str(year))
    rows = [
        ("women held", "UNODC CTS female", at["female"], "SNEEP women (incl. trans)", women_sneep),
        ("all persons held", "UNODC CTS total", at["total"], "SNEEP national total", total_sneep),
        ("all persons held", "UNODC CTS female + male", at["female"] + at["male"], "UNODC CTS total", at["total"]),
        ("women held", "SNEEP women share x SNEEP total", round(share_sneep / 100 * total_sneep),
         "SNEEP women (incl. trans)", women_sneep),
    ]
    table = pd.DataFrame(rows, columns=["measure", "figure_a", "value_a", "figure_b", "value_b"])
    table[["value_a", "value_b"]] = table[["value_a", "value_b"]].astype(int)
    return table.assign(year=year, difference=table["value_a"] - table["value_b"])


def parts_versus_total(unodc: pd.DataFrame) -> pd.DataFrame:
    """UNODC female + male against its total, every year."""
    return unodc.assign(female_plus_male=unodc["female"] + unodc["male"],
                        difference=unodc["total"] - unodc["female"] - unodc["male"])


def drug_growth_check(published: pd.DataFrame, settings: Params) -> pd.DataFrame:
    """Do the published shares held for drugs (rounded) give the published growth (rounded)?

    Enumerates every whole number of women held for drugs in each year whose share rounds to the
    published share, and keeps the pairs whose growth rounds to the published growth.
    """
    base, last = str(settings.growth_base_year), str(settings.last_year)
    women = {y: int(published_value(published, "women_held", y)) for y in (base, last)}
    share = {y: published_value(published, "women_drug_offences_share", y) for y in (base, last)}
    claimed = published_value(published, "women_drug_offences_growth", f"{base}-{last}")
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


def _published_table(path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = [sneep_csv.normalise_name(c) for c in table.columns]
    if "period" not in table and "year" in table:
        table = table.rename(columns={"year": "period"})
    missing = {"country", "period", "indicator", "sex", "value"} - set(table.columns)
    if missing:
        raise PipelineError(f"published figures lack columns {sorted(missing)}", file=path,
                            fix="the registry needs at least country, period, indicator, sex, value")
    table = table[table["country"].isin([COUNTRY, "Argentina"])].copy()
    for column, default in (("unit", ""), ("source", ""), ("citation", "")):
        if column not in table:
            table[column] = default
    table["indicator"] = [REGISTRY_NAMES.get(key, key[0]) for key in zip(table["indicator"], table["sex"])]
    table["period"] = table["period"].str.replace("/", "-")  # the registry writes spans as START/END
    table = table[table["value"] != ""].drop_duplicates(["indicator", "sex", "period", "value"])
    table["value"] = table["value"].astype(float)
    return table.reset_index(drop=True)


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


def province_table_or_empty(microdata: pd.DataFrame | None, settings: Params, min_cell: int) -> pd.DataFrame:
    """The latest census by province (suppressed), or no rows when there is no microdata."""
    if microdata is None or microdata.empty:
        return pd.DataFrame({"census_year": pd.Series([], dtype="int64"), "province": [], "gender": [],
                             "persons": pd.Series([], dtype="Int64"), "suppressed": pd.Series([], dtype=bool)})
    return by_province(microdata, settings, int(microdata["census_year"].max()), min_cell)


def headline(women: pd.DataFrame, published: pd.DataFrame, growth_table: pd.DataFrame,
             reconciliation_table: pd.DataFrame, drug_check: pd.DataFrame, status: dict) -> pd.DataFrame:
    """The numbers the briefing cites, one row each, with where they come from."""
    by_year = women.set_index("year")
    grown = growth_table.set_index(["source", "measure"])["growth_pct"]
    gap = reconciliation_table.set_index(["measure", "figure_a"])["difference"]
    rows = [
        ("data used", "SNEEP microdata" if status["available"] else "UNODC CTS + SNEEP published", ""),
        ("women held 2015, SNEEP published", int(published_value(published, "women_held", "2015")), "fig-10"),
        ("women held 2015, UNODC", int(by_year.at[2015, "women_held"]), "fig-10"),
        (f"women held {int(by_year.index.max())}, {by_year['source'].iloc[-1]}", int(by_year["women_held"].iloc[-1]),
         "fig-10"),
        ("women's share latest year (pct)", round(by_year["women_share_pct"].iloc[-1], 2), "fig-11"),
        ("growth in women held, SNEEP published (pct)", round(grown[("SNEEP (published)", "women held")], 1), "tab-10"),
        ("growth in women held, UNODC (pct)", round(grown[("UNODC CTS", "women held")], 1), "tab-10"),
        ("UNODC minus SNEEP women 2015", gap[("women held", "UNODC CTS female")], "tab-11"),
        ("drug growth from stated shares (pct)", round(drug_check["low_pct"].iloc[0], 1), "tab-13"),
    ]
    return pd.DataFrame(rows, columns=["number", "value", "where"]).astype({"value": str})


# ------------------------------------------------------------------------------------ Charts ---

def women_chart(women: pd.DataFrame, published: pd.DataFrame, settings: Params):
    """Women held by year: the UNODC line, and SNEEP's published counts as points."""
    import matplotlib.pyplot as plt

    from pipeline import export

    export.use_house_style()
    figure, axis = plt.subplots()
    unodc = women[women["source"] == "UNODC CTS"]
    axis.plot(unodc["year"], unodc["women_held"], marker="o", markersize=3, label="UNODC CTS (female)")
    sneep_points = published[(published["indicator"] == "women_held")]
    axis.plot(sneep_points["period"].astype(int), sneep_points["value"], linestyle="none", marker="D",
              color=export.PALETTE[1], label="SNEEP, published (women incl. trans women)")
    axis.set_xlim(settings.first_year - 0.5, settings.last_year + 0.5)
    axis.set_ylim(0, None)
    axis.set_title(f"Women held in Argentina's prisons, {settings.first_year}–{settings.last_year}")
    axis.set_ylabel("persons (31 December)")
    axis.legend(loc="lower right")
    figure.subplots_adjust(bottom=0.16)
    return figure


def share_chart(women: pd.DataFrame, settings: Params):
    """Women's share of all persons held, by year and source."""
    import matplotlib.pyplot as plt

    from pipeline import export

    export.use_house_style()
    figure, axis = plt.subplots()
    for (source, rows), colour, marker in zip(women.groupby("source", sort=True), export.PALETTE, ("o", "D")):
        axis.plot(rows["year"], rows["women_share_pct"], marker=marker, markersize=3, color=colour,
                  linestyle="-" if len(rows) > 1 else "none", label=source)
    axis.set_xlim(settings.first_year - 0.5, settings.last_year + 0.5)
    axis.set_ylim(0, None)
    axis.set_title("Women as a share of all persons held, Argentina")
    axis.set_ylabel("percent")
    axis.legend(loc="lower right")
    figure.subplots_adjust(bottom=0.16)
    return figure
