"""Uruguay chapter: women and men in prison, women's share of drug offences by stage, and the briefing's claims.

    python -m pipeline.chapters.uruguay      # the DVC stage `uruguay`: tab-30 to tab-35, data/interim/uruguay/

Reads the UNODC prison counts (long rows of `unodc_prisons`), UNODC table 10.1 (`unodc_drug_crimes`), the
observatory template (`data/uruguay/oud_indicators.csv`) and the registry of published figures. Writes the
chapter's tables (through the registry), its interim tables to `data/interim/uruguay/` and its long rows to
`data/interim/indicators/uruguay.csv`.
Every point keeps the source it comes from; sources that disagree are shown side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import export, io, longtable, params, paths
from pipeline.chapters import interim
from pipeline.chapters.uruguay import claims
from pipeline.chapters.uruguay.periods import month_name, period_position
from pipeline.errors import PipelineError, cli
from pipeline.rounding import fixed, half_away, signed
from pipeline.settings import Uruguay
from pipeline.sources import drug_crimes_quality, oud, published, unodc_drug_crimes, unodc_prisons
from pipeline.sources.drug_crimes_quality import english_count

CHAPTER = "uruguay"  # its interim tables, long-table part (data/interim/indicators/uruguay.csv) and stage
COUNTRY = "URY"
UNODC_PRISONS_LABEL = "UNODC CTS (national prison statistics)"
UNODC_DRUGS_LABEL = "UNODC World Drug Report table 10.1"

# Observatory indicators -> stage of the justice system whose women's share they give.
STAGE_OF = {
    "women_share_of_persons_detained_drug_offences": "police detention",
    "women_share_of_persons_prosecuted_drug_offences": "prosecution",
    "women_share_of_persons_held_drug_offences": "prison",
}
COUNT_FOR_SHARE = {  # count indicator whose female/total ratio gives the share
    "persons_detained_drug_offences": "women_share_of_persons_detained_drug_offences",
    "persons_prosecuted_drug_offences": "women_share_of_persons_prosecuted_drug_offences",
    "persons_held_drug_offences": "women_share_of_persons_held_drug_offences",
}
POLICE_STAGE = claims.POLICE_STAGE
STAGE_ORDER = [POLICE_STAGE, "police detention", "prosecution", "prison"]

# Table name -> its key (unique, sorted by it when saved).
TABLE_KEYS = {
    "prison_series": ["sex", "period", "reference"],
    "drug_share_by_stage": ["stage", "period", "offence_scope", "reference"],
    "data_quality": ["year", "offence_type", "check"],
    "conflicts": ["figure_id", "other_id"],
    "reconciliation": ["figure_id"],
    "claims": ["claim_id"],
}

# The offence scope of the formal-contact share summed over the types a year reports, when it reports all three.
ALL_TYPES = "all types reported"


@dataclass(frozen=True)
class Inputs:
    prisons: pd.DataFrame       # long rows of unodc_prisons, Uruguay only
    drug_crimes: pd.DataFrame   # tidy UNODC table 10.1, Uruguay only
    drug_quality: pd.DataFrame  # its data-quality findings, Uruguay only
    observatory: pd.DataFrame   # the OUD template, validated
    registry: pd.DataFrame      # published figures, Uruguay only


def load_inputs(oud_path: Path = paths.OUD_TEMPLATE, registry_path: Path = paths.PUBLISHED_FIGURES) -> Inputs:
    """Everything the chapter reads, filtered to Uruguay."""
    drug_crimes_file = paths.interim_parquet(unodc_drug_crimes.SOURCE)
    for needed in (drug_crimes_file, paths.UNODC_DRUG_CRIMES_QUALITY):
        if not needed.exists():
            raise PipelineError("input is missing", file=needed,
                                fix="run `dvc repro ingest_unodc_drug_crimes` first")
    drug_crimes = pd.read_parquet(drug_crimes_file)
    quality = pd.read_csv(paths.UNODC_DRUG_CRIMES_QUALITY, dtype={"year": "Int64"}, keep_default_na=False,
                          na_values={"formal_contact": [""], "sheet1": [""], "year": [""]})
    prisons = longtable.read_parts(unodc_prisons.SOURCE)
    return uruguay_only(prisons, drug_crimes, quality, oud.load(oud_path), published.load(registry_path))


def uruguay_only(prisons: pd.DataFrame, drug_crimes: pd.DataFrame, drug_quality: pd.DataFrame,
                 observatory: pd.DataFrame, registry: pd.DataFrame) -> Inputs:
    """The chapter's inputs from whole-source tables (as the ingest modules return them)."""
    return Inputs(
        prisons=prisons[prisons["country"] == COUNTRY].reset_index(drop=True),
        drug_crimes=drug_crimes[drug_crimes["iso3"] == COUNTRY].reset_index(drop=True),
        drug_quality=drug_quality[drug_quality["iso3"] == COUNTRY].reset_index(drop=True),
        observatory=observatory,
        registry=registry[registry["country"] == COUNTRY].reset_index(drop=True),
    )


def build(inputs: Inputs, settings: Uruguay) -> dict[str, pd.DataFrame]:
    """All the chapter's tables, keyed by name (see TABLE_KEYS)."""
    tables = {
        "prison_series": prison_series(inputs, settings.first_year),
        "drug_share_by_stage": drug_share_by_stage(inputs),
        "data_quality": data_quality(inputs),
        "conflicts": published.conflicts(inputs.registry, COUNTRY),
        "reconciliation": reconcile(inputs),
    }
    tables["claims"] = claims.assess(inputs, tables, settings)
    return {name: _ordered(table, TABLE_KEYS[name]) for name, table in tables.items()}


# Published counts of adults only: not the people held of all ages that tab-30 and fig-30 show (the definitions name
# them).
ADULTS_ONLY = "persons_held_adults"


def adults_only_figures(registry: pd.DataFrame) -> str:
    """The published figures that count adults only, left out of the prison series, as `ury-017;ury-090` (a code, which
    no language translates)."""
    return ";".join(sorted(published.select(registry, indicator=ADULTS_ONLY)["figure_id"])) or "none"


def prison_series(inputs: Inputs, first_year: int) -> pd.DataFrame:
    """People held by sex: UNODC counts and published counts, each point with its source and position."""
    unodc = inputs.prisons[(inputs.prisons["indicator"] == "persons_held")
                           & inputs.prisons["sex"].isin(["female", "male", "total"])]
    unodc = pd.DataFrame({"sex": unodc["sex"], "period": unodc["period"], "persons": unodc["value"],
                          "source": UNODC_PRISONS_LABEL, "reference": "unodc_prisons", "flags": ""})
    figures = published.select(inputs.registry, indicator="persons_held")
    figures = figures[~figures["period"].str.contains("/", regex=False)]
    figures = pd.DataFrame({"sex": figures["sex"], "period": figures["period"], "persons": figures["value"],
                            "source": figures["source"], "reference": figures["figure_id"],
                            "flags": figures["flags"].fillna("").map(published.flag_words)})
    series = pd.concat([unodc, figures], ignore_index=True)
    series = series.assign(position=series["period"].map(period_position))
    return series[series["position"] >= first_year].reset_index(drop=True)


def drug_share_by_stage(inputs: Inputs) -> pd.DataFrame:
    """Women's share of people at each stage for drug offences, one row per source figure."""
    rows = _formal_contact_shares(inputs.drug_crimes) + _observatory_shares(inputs.observatory)
    prosecuted = published.select(inputs.registry, indicator="women_share_of_persons_prosecuted_drug_offences")
    rows += [{"stage": "prosecution", "period": f.period, "offence_scope": "all drug offences",
              "women": None, "persons": None, "women_share_pct": f.value, "source": f.source,
              "reference": f.figure_id, "independent": True, "note": f.note} for f in prosecuted.itertuples()]
    table = pd.DataFrame(rows, columns=["stage", "period", "offence_scope", "women", "persons", "women_share_pct",
                                        "source", "reference", "independent", "note"])
    table = table.astype({"women": float, "persons": float, "women_share_pct": float, "independent": bool})
    return table.assign(position=table["period"].map(period_position))


def data_quality(inputs: Inputs) -> pd.DataFrame:
    """UNODC 10.1 findings for Uruguay, plus later justice stages that exceed formal contact. `sex` says whose counts
    `formal_contact` and `sheet1` hold: all people for the annex's own findings, the figure's sex for a later stage
    (a reviewer read 243 women beside 1,156 people of the same year and type as the same kind of count)."""
    contact = inputs.drug_crimes[(inputs.drug_crimes["sheet"] == unodc_drug_crimes.FORMAL_CONTACT)
                                 & (inputs.drug_crimes["drug"] == unodc_drug_crimes.ALL_DRUGS)]
    totals = contact.groupby("year")[["total_calculated", "females", "males"]].sum(min_count=1)
    later = published.select(inputs.registry, indicator=["persons_charged_drug_offences",
                                                         "persons_prosecuted_drug_offences",
                                                         "persons_convicted_drug_sale_offences"])
    findings = []
    for figure in later[later["period"].str.fullmatch(r"\d{4}")].itertuples():
        year, column = int(figure.period), {"total": "total_calculated", "female": "females",
                                            "male": "males"}[figure.sex]
        in_contact = totals[column].get(year)
        if in_contact is not None and pd.notna(in_contact) and figure.value > in_contact:
            findings.append({
                "iso3": COUNTRY, "country_name": "Uruguay", "year": year, "offence_type": "all", "sex": figure.sex,
                "check": "later_stage_exceeds_formal_contact", "formal_contact": in_contact, "sheet1": None,
                "detail": f"{figure.figure_id}: {english_count(figure.value)} ({figure.sex}, {figure.indicator}) in "
                          f"{year}, more than the {english_count(in_contact)} in formal contact ('Formal contact' "
                          "sheet, all types)"})
    columns = [*drug_crimes_quality.COLUMNS[:4], "sex", *drug_crimes_quality.COLUMNS[4:]]
    table = pd.concat([inputs.drug_quality.assign(sex="total"), pd.DataFrame(findings, columns=columns)],
                      ignore_index=True)[columns]
    return table.astype({"year": "Int64", "formal_contact": "float64", "sheet1": "float64"})  # counts, with gaps


# tab-34's note on a change over several reported years: UNODC's own total can move in one step by more than the
# whole change (Uruguay's falls from 9,144 in 2004 to 6,211 in 2005, and is back above 9,000 only in 2011), so a
# reader sees which count a verdict of "differs" may rest on. A fact, not a rule: the note names no threshold.
LARGEST_STEP_NOTE = ("UNODC's total persons held, largest change between consecutive reported years within {0}–{1}: "
                     "{2}: {3} -> {4}: {5} ({6}%)")


def reconcile(inputs: Inputs) -> pd.DataFrame:
    """Published counts, shares and changes of people held, beside the same measure from UNODC counts; a change
    over more than one step of UNODC's series notes the series' largest step within it (LARGEST_STEP_NOTE)."""
    counts = inputs.prisons[inputs.prisons["indicator"] == "persons_held"].pivot_table(
        index="period", columns="sex", values="value", aggfunc="first")
    rows = []
    for figure in inputs.registry.itertuples():
        unodc, basis = _unodc_equivalent(figure, counts)
        if unodc is None:
            continue
        decimals = len(f"{figure.value:g}".partition(".")[2])
        as_printed = half_away(unodc, decimals)  # rounded to the published figure's decimals: what is compared
        rows.append({"figure_id": figure.figure_id, "indicator": figure.indicator, "sex": figure.sex,
                     "period": figure.period, "published": figure.value, "unodc": half_away(unodc, 2),
                     "unodc_at_published_precision": as_printed, "unit": figure.unit, "unodc_basis": basis,
                     "flags": published.flag_words(figure.flags),
                     "verdict": "same at printed precision" if as_printed == figure.value else "differs",
                     "published_source": figure.source, "note": _largest_step_note(figure, counts)})
    return pd.DataFrame(rows, columns=["figure_id", "indicator", "sex", "period", "published", "unodc",
                                       "unodc_at_published_precision", "unit", "unodc_basis", "flags", "verdict",
                                       "published_source", "note"])


def _largest_step_note(figure, counts: pd.DataFrame) -> str:
    """LARGEST_STEP_NOTE for a change whose years UNODC's total (or female + male where the total is missing)
    reports in more than one step; empty for any other figure."""
    if figure.indicator != "change_in_persons_held" or "/" not in figure.period:
        return ""
    start, end = figure.period.split("/")
    total = counts["total"] if "total" in counts.columns else pd.Series(float("nan"), index=counts.index)
    if {"female", "male"} <= set(counts.columns):
        total = total.fillna(counts["female"] + counts["male"])
    total = total[(total.index >= start) & (total.index <= end)].dropna().sort_index()
    if len(total) < 3:
        return ""
    steps = [(100 * (after / before - 1), year_before, before, year, after) for (year_before, before), (year, after)
             in zip(total.items(), list(total.items())[1:])]
    pct, year_before, before, year, after = max(steps, key=lambda step: abs(step[0]))  # the first of equal steps
    return LARGEST_STEP_NOTE.format(start, end, year_before, f"{before:,.0f}", year, f"{after:,.0f}",
                                    signed(pct, 1))


def long_rows(tables: dict[str, pd.DataFrame], inputs: Inputs) -> pd.DataFrame:
    """Observatory figures (source 'oud') and women's share of formal contact (source 'unodc_drug_crimes')."""
    contact = tables["drug_share_by_stage"]
    contact = contact[contact["stage"] == POLICE_STAGE]
    shares = pd.DataFrame({
        "country": COUNTRY, "source": unodc_drug_crimes.SOURCE,
        "indicator": "women_share_of_drug_offence_formal_contact_" + contact["offence_scope"].map(
            {"trafficking": "trafficking", "possession": "possession", "other": "other",
             ALL_TYPES: "all"}),
        "sex": "female", "period": contact["period"], "value": contact["women_share_pct"], "unit": "percent",
        "definition": "women as a percentage of people of known sex brought into formal contact with the police "
                      "for drug offences (" + contact["offence_scope"] + "); UNODC WDR table 10.1, 'Formal "
                      "contact' sheet, any illicit drug; computed by the Uruguay chapter",
    })
    return pd.concat([oud.long_rows(inputs.observatory), longtable.frame(shares)], ignore_index=True)


def headline_numbers(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The numbers the chapter's text cites, read from its tables, one row each: what it is (`number`), of which
    period or publication (`of`), its value and unit (the claims' verdicts are the claims table's)."""
    unodc = tables["prison_series"].query("reference == 'unodc_prisons'")
    women = unodc[unodc["sex"] == "female"].sort_values("period")
    published = tables["prison_series"].query("sex == 'female' and reference != 'unodc_prisons'") \
        .sort_values("position").tail(3)
    contact = tables["drug_share_by_stage"].query("stage == @POLICE_STAGE and offence_scope == 'trafficking'") \
        .sort_values("period")
    rows = [("women held (UNODC CTS)", str(row.period), int(row.persons), "persons") for row in women.itertuples()]
    rows += [("women held (published)", f"{row.period} ({row.reference})", int(row.persons), "persons")
             for row in published.itertuples()]
    rows += [("women's share of formal contacts for trafficking", str(row.period), half_away(row.women_share_pct, 1),
              "percent") for row in contact.itertuples()]
    rows += [("pairs of published figures that disagree", "", len(tables["conflicts"]), "pairs"),
             ("findings on UNODC table 10.1", "", len(tables["data_quality"]), "findings")]
    return pd.DataFrame(rows, columns=["number", "of", "value", "unit"])


def _formal_contact_shares(drug_crimes: pd.DataFrame) -> list[dict]:
    contact = drug_crimes[(drug_crimes["sheet"] == unodc_drug_crimes.FORMAL_CONTACT)
                          & (drug_crimes["drug"] == unodc_drug_crimes.ALL_DRUGS)]
    rows = []
    for year, group in contact.groupby("year", sort=True):
        with_sex = group[group["females"].notna() & group["males"].notna()]
        parts = [(o, g) for o, g in with_sex.groupby("offence_type", sort=True)]
        if len(with_sex) == 3 and with_sex["offence_type"].nunique() == 3:
            parts.append((ALL_TYPES, with_sex))
        for scope, part in parts:
            women, men = part["females"].sum(), part["males"].sum()
            if women + men == 0:
                continue
            rows.append({"stage": POLICE_STAGE, "period": str(year), "offence_scope": scope,
                         "women": women, "persons": women + men, "women_share_pct": 100 * women / (women + men),
                         "source": UNODC_DRUGS_LABEL, "independent": True,
                         "reference": f"{unodc_drug_crimes.SOURCE}: {', '.join(sorted(set(part['campaign'])))}",
                         "note": "share of people of known sex; 'Formal contact' sheet, any illicit drug"})
    return rows


def _observatory_shares(observatory: pd.DataFrame) -> list[dict]:
    rows = []
    for row in observatory[observatory["indicator"].isin(list(STAGE_OF))].itertuples():
        rows.append(_observatory_row(row, STAGE_OF[row.indicator], row.value, None, None))
    counts = observatory[observatory["indicator"].isin(list(COUNT_FOR_SHARE))]
    for (indicator, period, _), group in counts.groupby(["indicator", "period", "quoted_in"], sort=True):
        by_sex = group.set_index("sex")
        if {"female", "total"} <= set(by_sex.index) and by_sex.at["total", "value"] > 0:
            women, persons = by_sex.at["female", "value"], by_sex.at["total", "value"]
            rows.append(_observatory_row(by_sex.loc["female"].rename(None), STAGE_OF[COUNT_FOR_SHARE[indicator]],
                                         100 * women / persons, women, persons, period=period))
    return rows


def _observatory_row(row, stage: str, share: float, women, persons, period: str | None = None) -> dict:
    get = row._asdict() if hasattr(row, "_asdict") else row.to_dict()
    return {"stage": stage, "period": period or get["period"], "offence_scope": "all drug offences",
            "women": women, "persons": persons, "women_share_pct": share,
            "source": "Observatorio Uruguayo de Drogas",
            "reference": f"oud: {get['page_or_table']}",  # quoted or not: the `independent` column says
            "independent": not get["quoted_in"],
            "note": (f"as quoted in {get['quoted_in']}; " if get["quoted_in"] else "") + get["note"]}


def _unodc_equivalent(figure, counts: pd.DataFrame) -> tuple[float | None, str]:
    """The UNODC value for the same measure, and how it was computed; (None, '') when there is none."""
    def count(period: str, sex: str) -> tuple[float | None, str]:
        if period not in counts.index:
            return None, ""
        value = counts.at[period, sex] if sex in counts.columns else float("nan")
        if sex == "total" and pd.isna(value) and {"female", "male"} <= set(counts.columns):
            value = counts.at[period, "female"] + counts.at[period, "male"]
            return (None, "") if pd.isna(value) else (value, f"{period}: {_count(value)} (female + male)")
        other = {"female": "male", "male": "female"}.get(sex)
        if other and pd.isna(value) and {other, "total"} <= set(counts.columns):
            value = counts.at[period, "total"] - counts.at[period, other]  # the total less the other sex
            return (None, "") if pd.isna(value) else (value, f"{period}: {_count(value)} (total - {other})")
        return (None, "") if pd.isna(value) else (value, f"{period}: {_count(value)}")

    if figure.indicator == "persons_held" and "/" not in figure.period:
        return count(figure.period, figure.sex)
    if figure.indicator == "women_share_of_persons_held" and "/" not in figure.period:
        (women, basis_w), (total, basis_t) = count(figure.period, "female"), count(figure.period, "total")
        return (None, "") if women is None or total is None else (100 * women / total, f"{basis_w} / {basis_t}")
    if figure.indicator == "change_in_persons_held" and "/" in figure.period:
        start, end = figure.period.split("/")
        (before, basis_s), (after, basis_e) = count(start, figure.sex), count(end, figure.sex)
        return (None, "") if before is None or after is None else (100 * (after / before - 1),
                                                                  f"{basis_s} -> {basis_e}")
    return None, ""


def _count(value: float) -> str:
    """A count of persons in a basis text, grouped as the other counts of the chapter's tables (11,525; the pages
    write it the language's way); a count UNODC gives with a fraction keeps two decimals."""
    return fixed(value, 0 if float(value).is_integer() else 2, grouped=True)


def _ordered(table: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    duplicated = table.duplicated(key)
    if duplicated.any():
        raise PipelineError(f"key {key} is not unique: {table.loc[duplicated, key].iloc[0].tolist()}",
                            fix="a bug in pipeline/chapters/uruguay/build.py, or a duplicated input row")
    return table.sort_values(key, kind="stable").reset_index(drop=True)


# The parameters each set of definitions states: the prison series (fig-30, tab-30), the stages (fig-31 marks the
# LUC), the claims (tab-35). An output states the definitions that made it, not the chapter's others.
PRISON_DEFINITIONS = ("first_year", "luc_month")
STAGE_DEFINITIONS = ("luc_month",)
CLAIM_DEFINITIONS = ("detention_claim_years", "luc_claim_years", "sharp_rise_min_pct", "sharp_rise_min_ratio",
                     "share_tolerance_pp")


def values(settings: Uruguay, tables: dict[str, pd.DataFrame], registry: pd.DataFrame) -> dict:
    """The texts' parameters and the definitions the chapter's figures and tables state: each set its parameters,
    and the prison series what it leaves out (the registry's counts of adults only)."""
    years = unodc_years(tables["prison_series"])
    scope = f"people held of all ages; published counts of adults only ({adults_only_figures(registry)}) are left out"
    chosen = settings.model_dump()
    return {"text": {"first_year": settings.first_year, "luc_month_name": month_name(settings.luc_month),
                     "unodc_women_years": years["female"], "unodc_men_years": years["male"]}
            | series_ends(tables["prison_series"]) | stage_points(tables["drug_share_by_stage"]),
            "definitions": {"prison": {name: chosen[name] for name in PRISON_DEFINITIONS}
                            | {"prison_series_scope": scope},
                            "stages": {name: chosen[name] for name in STAGE_DEFINITIONS},
                            "claims": {name: chosen[name] for name in CLAIM_DEFINITIONS}}}


def series_ends(series: pd.DataFrame) -> dict[str, str]:
    """The first and last count of women and of men held in fig-30's series, with their periods (`women_first`,
    `women_first_period`, …, `men_last_period`): fig-30's alt text says them, written from the data, so that a new
    count cannot leave it stale (it was typed: "to over 1,400 in 2025")."""
    ends = {}
    for sex, people in (("female", "women"), ("male", "men")):
        drawn = series[series["sex"] == sex].sort_values("position", kind="stable")
        for end, row in (("first", drawn.iloc[0]), ("last", drawn.iloc[-1])):
            ends[f"{people}_{end}"], ends[f"{people}_{end}_period"] = f"{row['persons']:,.0f}", str(row["period"])
    return ends


def stage_points(stages: pd.DataFrame) -> dict[str, str]:
    """fig-31's points in words, for its alt text: the range of women's shares of formal contacts with the police and
    their years, and each share of prosecutions with its period (it was typed: "between 12% and 27% (2018-2022)").
    The stages of police detention and prison have no share in the sources; a share of either would need its words
    in fig-31.alt."""
    police = stages[stages["stage"] == POLICE_STAGE]
    prosecution = stages[stages["stage"] == "prosecution"]
    years = sorted(police["period"].astype(str))
    return {"police_share_low": fixed(police["women_share_pct"].min(), 1),
            "police_share_high": fixed(police["women_share_pct"].max(), 1),
            "police_years": f"{years[0]}–{years[-1]}",
            "prosecution_points": ", ".join(f"{fixed(share, 1)}% ({period})" for share, period in
                                            zip(prosecution["women_share_pct"], prosecution["period"]))}


def unodc_years(series: pd.DataFrame) -> dict[str, str]:
    """The years UNODC counts each sex in the prison series, as runs of consecutive years ("2003–2004, 2010–2020"):
    fig-30 leaves a gap where a year has no count, and its caption says which years have one."""
    unodc = series[(series["reference"] == "unodc_prisons") & series["sex"].isin(["female", "male"])]
    found = {}
    for sex in ("female", "male"):
        years = sorted({int(period) for period in unodc.loc[unodc["sex"] == sex, "period"]})
        if not years:
            raise PipelineError(f"UNODC has no count of {'women' if sex == 'female' else 'men'} held in Uruguay "
                                "from the chapter's first year (uruguay.first_year) on", file=paths.PARAMS,
                                fix="set uruguay.first_year to a year UNODC counts (2003 in the 2023 file), or check "
                                    "the UNODC file")
        runs = [[years[0], years[0]]]
        for year in years[1:]:
            if year == runs[-1][1] + 1:
                runs[-1][1] = year
            else:
                runs.append([year, year])
        found[sex] = ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in runs)
    return found


@cli
def main() -> None:
    # Load inputs.
    settings = params.read(Uruguay)
    inputs = load_inputs()
    # Process data.
    tables = build(inputs, settings)
    rows = long_rows(tables, inputs)
    # Save outputs, all together or none.
    with io.transaction(replace=(paths.chapter_dir(CHAPTER),)):
        interim.write(CHAPTER, tables, values(settings, tables, inputs.registry))
        export.save_registered(CHAPTER, tables, values(settings, tables, inputs.registry))
        longtable.save(rows, paths.indicator_part(CHAPTER))
    print(f"uruguay: {len(tables)} tables -> {paths.relative(paths.chapter_dir(CHAPTER))}, {len(rows)} long rows")


if __name__ == "__main__":
    main()
