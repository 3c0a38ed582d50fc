"""UNODC CTS "Prisons and prisoners": persons held by sex for the Americas, in the common long table.

Input: data/raw/unodc_prisons/data_cts_prisons_and_prisoners.xlsx (one sheet, two banner rows, header on
row 3, long format). Outputs: the whole file as tidy Parquet, a data-quality log, and long-table rows.

    python -m pipeline.sources.unodc_prisons
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from pipeline import io, longtable, params, paths, safe_xlsx
from pipeline.errors import PipelineError, cli

SOURCE = "unodc_prisons"
FILE = "data_cts_prisons_and_prisoners.xlsx"
HEADER_ROW = 3  # 1-based, as a spreadsheet user sees it
CORRECTIONS = paths.CORRECTIONS / "unodc_prisons.yaml"
QUALITY = paths.INTERIM / "unodc_prisons_quality.csv"

# Source column -> our column. Applied strictly: a renamed column fails with its name.
RENAME = {
    "Iso3_code": "iso3",  # ISO 3166-1 alpha-3 country code
    "Country": "country_name",
    "Region": "region",  # UNODC region (Americas, Europe, ...)
    "Subregion": "subregion",  # e.g. Latin America and the Caribbean
    "Indicator": "indicator",  # Persons held, Persons entering prison, ...
    "Dimension": "dimension",  # Total, or the breakdown: by status, by selected crime, ...
    "Category": "category",  # Total, or the breakdown's category: Unsentenced, Drug trafficking, ...
    "Sex": "sex",  # Total, Male, Female
    "Age": "age",  # Total, Adult, Juveniles
    "Year": "year",
    "Unit of measurement": "unit",  # Counts; Rate per 100,000 population (of the same sex for Male/Female)
    "VALUE": "value",
    "Source": "reported_by",  # CTS, WPB-ICPR, ... (who supplied the figure to UNODC)
}
KEY = ["iso3", "indicator", "dimension", "category", "sex", "age", "year", "unit"]

# (indicator, dimension, category) -> our indicator; always Age=Total so adults and juveniles never mix.
SERIES = {
    ("Persons held", "Total", "Total"): "persons_held",
    ("Persons held", "by status", "Unsentenced"): "persons_held_unsentenced",
    ("Persons held", "by type of criminal acts", "Acts involving controlled psycho-active substances"):
        "persons_held_drug_offences",
}
UNITS = {"Counts": "persons", "Rate per 100,000 population": "per_100k_population"}
SEXES = {"Total": "total", "Female": "female", "Male": "male"}
DEFINITION = {
    "persons_held": "UNODC CTS 'Persons held' (Dimension=Total, Category=Total, Age=Total): persons held "
                    "in prisons, penal or correctional institutions on a given day, as reported by the "
                    "national authority",
    "persons_held_unsentenced": "UNODC CTS 'Persons held' by status = Unsentenced (Age=Total): pre-trial "
                                "and other persons held without a final sentence",
    "persons_held_drug_offences": "UNODC CTS 'Persons held' by type of criminal acts = Acts involving "
                                  "controlled psycho-active substances (ICCS section 06, Age=Total)",
}
RATE_NOTE = "; rate per 100,000 population (for female and male rows: of the same sex)"


class Params(params.Strict):
    region: str


def load(raw_dir=None, region: str = "Americas",
         corrections_file=CORRECTIONS) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tidy table of the whole file, its data-quality log, and the long-table rows for `region`."""
    # Load inputs.
    path = (raw_dir or paths.raw_dir(SOURCE)) / FILE
    tidy = _read(path)
    check_inputs(tidy, path)

    # Known errors are data (data/corrections); duplicated totals are resolved only when explained.
    tidy, corrected = _apply_corrections(tidy, corrections_file)
    tidy, resolved = _resolve_mislabelled_totals(tidy, path)

    # Process data.
    long = _long_rows(tidy[tidy["region"] == region])
    long, estimates = _drop_estimated_counts(long)
    quality = pd.concat([corrected, resolved, estimates, _parts_versus_total(long)], ignore_index=True)
    return tidy, quality, long


def check_inputs(tidy: pd.DataFrame, path) -> None:
    """Values numeric and non-negative; units and sexes the ones this module knows."""
    bad_value = tidy["value"].isna() | (tidy["value"] < 0)
    if bad_value.any():
        row = int(bad_value.idxmax()) + HEADER_ROW + 1
        raise PipelineError(f"VALUE {tidy.loc[bad_value, 'value'].iloc[0]:g} is missing or negative",
                            file=path, row=row, column="VALUE",
                            fix="check the cell in the spreadsheet; counts and rates cannot be negative")
    for column, known in (("sex", SEXES), ("unit", UNITS | {"Percentage of total persons held": None})):
        unknown = set(tidy[column].unique()) - set(known)
        if unknown:
            raise PipelineError(f"unknown {column} value(s) {sorted(unknown)}", file=path,
                                column={v: k for k, v in RENAME.items()}[column],
                                fix="UNODC changed its coding: extend the mapping in pipeline/sources/unodc_prisons.py")


def _read(path) -> pd.DataFrame:
    if not path.exists():
        raise PipelineError("file is missing", file=path, fix=f"run `dvc repro fetch@{SOURCE}` first")
    safe_xlsx.check(path, SOURCE)
    try:
        sheet = pd.read_excel(path, engine="calamine", header=None, dtype=object, keep_default_na=False,
                              na_values=[""])  # "n/a" in a VALUE cell is text to report, not a gap
    except Exception as error:  # calamine raises its own types for corrupt or non-xlsx files
        raise PipelineError(f"cannot be read as a spreadsheet ({error})", file=path,
                            fix="the file is damaged or not an xlsx: fetch it again") from None
    header = _header_row(sheet, path)
    table = sheet.iloc[header + 1:].set_axis([str(c).strip() for c in sheet.iloc[header]], axis=1)
    table = table.rename(columns=RENAME)[list(RENAME.values())].reset_index(drop=True)
    numbers = pd.to_numeric(table["value"], errors="coerce")
    text = table["value"].notna() & numbers.isna()
    if text.any():
        i = int(text.idxmax())
        raise PipelineError(f"VALUE {table.at[i, 'value']!r} is not a number", file=path,
                            row=i + header + 2, column="VALUE", fix="correct the cell or report it to UNODC")
    table = table.astype({c: "string" for c in RENAME.values() if c not in ("year", "value")})
    return table.assign(value=numbers.astype(float), year=pd.to_numeric(table["year"], errors="raise").astype(int))


def _header_row(sheet: pd.DataFrame, path) -> int:
    """Index of the header row; must be row 3 and carry every expected column."""
    first = sheet.iloc[:, 0].astype(str).str.strip()
    found = first.index[first == "Iso3_code"]
    if len(found) == 0:
        raise PipelineError("no header row starting with 'Iso3_code' in the first column", file=path,
                            fix="the export layout changed: open the file and update RENAME/HEADER_ROW")
    if found[0] != HEADER_ROW - 1:
        raise PipelineError(f"header found on row {found[0] + 1}, expected row {HEADER_ROW}", file=path,
                            row=found[0] + 1, fix="the export layout changed: check the banner rows and "
                                                   "update HEADER_ROW in pipeline/sources/unodc_prisons.py")
    header = [str(c).strip() for c in sheet.iloc[found[0]]]
    missing = [c for c in RENAME if c not in header]
    if missing:
        raise PipelineError(f"expected column(s) {missing} not in the header (found: {header})", file=path,
                            row=HEADER_ROW, column=missing[0],
                            fix="UNODC renamed a column: update RENAME in pipeline/sources/unodc_prisons.py")
    return int(found[0])


def _apply_corrections(tidy: pd.DataFrame, corrections_file) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply data/corrections entries; fail when a published value no longer matches the entry."""
    entries = yaml.safe_load(corrections_file.read_text(encoding="utf-8")) or []
    log = []
    for entry in entries:
        match = pd.Series(True, index=tidy.index)
        for column, value in entry["where"].items():
            match &= tidy[column] == value
        values = tidy.loc[match, "value"].tolist()
        if values != [entry["published"]]:
            raise PipelineError(f"correction '{entry['id']}' expects the published value "
                                f"{entry['published']} but the file has {values}", file=corrections_file,
                                fix="UNODC changed this row: review the entry and remove or update it")
        if entry["action"] != "drop":
            raise PipelineError(f"correction '{entry['id']}' has unknown action '{entry['action']}'",
                                file=corrections_file, fix="use action: drop")
        tidy = tidy[~match]
        log.append({"issue": "known error (data/corrections)", "country": entry["where"]["iso3"],
                    "year": entry["where"]["year"], "detail": f"{entry['id']}: {entry['published']} dropped",
                    "treatment": entry["reason"].strip()})
    return tidy.reset_index(drop=True), pd.DataFrame(log)


def _resolve_mislabelled_totals(tidy: pd.DataFrame, path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where one key holds two Age=Total rows that equal that year's Adult and Juveniles rows, the two
    rows are the parts, mislabelled: replace them by their sum. The rates of such a count (same
    denominator, no Adult/Juveniles rate rows) are summed likewise. Any other duplicate is an error."""
    duplicated = tidy.duplicated(KEY, keep=False)
    if not duplicated.any():
        return tidy, pd.DataFrame()
    parts = tidy[tidy["age"].isin(["Adult", "Juveniles"])].set_index(KEY)["value"]
    resolved, log, summed_counts = [], [], set()
    # Counts sort before rates ("Counts" < "Rate ..."), so a rate is judged after its count.
    for key, group in tidy[duplicated].groupby(KEY, sort=True):
        record = dict(zip(KEY, key))
        adult = parts.get(tuple({**record, "age": "Adult"}[k] for k in KEY))
        juveniles = parts.get(tuple({**record, "age": "Juveniles"}[k] for k in KEY))
        count_key = tuple(v for k, v in record.items() if k != "unit")
        if record["unit"] != "Counts" and count_key in summed_counts and len(group) == 2:
            adult, juveniles = sorted(group["value"])
        explained = adult is not None and juveniles is not None and record["age"] == "Total"
        if not explained or sorted(group["value"]) != sorted([adult, juveniles]):
            raise PipelineError(f"{len(group)} rows for one key {record} with values "
                                f"{group['value'].tolist()}, not explained by the Adult/Juveniles rows",
                                file=path, row=int(group.index[0]) + HEADER_ROW + 1,
                                fix="decide which row is right and record it in data/corrections/unodc_prisons.yaml")
        summed_counts.add(count_key)
        resolved.append(group.iloc[[0]].assign(value=adult + juveniles))
        log.append({"issue": "Age=Total given twice (adult and juvenile parts)", "country": record["iso3"],
                    "year": record["year"],
                    "detail": f"{record['indicator']}, {record['sex']}, {record['unit']}: "
                              f"{group['value'].tolist()}",
                    "treatment": "summed (equal to that year's Adult + Juveniles rows)"})
    tidy = pd.concat([tidy[~duplicated], *resolved]).sort_values(KEY, kind="stable").reset_index(drop=True)
    return tidy, pd.DataFrame(log)


def _long_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    """The series in SERIES, Age=Total, counts and rates, plus women's share of persons held."""
    series = tidy.assign(series=[SERIES.get(k) for k in zip(tidy["indicator"], tidy["dimension"],
                                                            tidy["category"])])
    series = series[series["series"].notna() & (series["age"] == "Total") & series["unit"].isin(list(UNITS))]
    is_rate = series["unit"] != "Counts"
    long = pd.DataFrame({
        "country": series["iso3"],
        "source": SOURCE,
        "indicator": series["series"].astype(str) + np.where(is_rate, "_rate", ""),
        "sex": series["sex"].map(SEXES),
        "period": series["year"].astype(str),
        "value": series["value"],
        "unit": series["unit"].map(UNITS),
        "definition": series["series"].map(DEFINITION).astype(str) + np.where(is_rate, RATE_NOTE, ""),
    })
    return pd.concat([long, _women_share(long)], ignore_index=True)


def _drop_estimated_counts(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fractional "counts" are estimates derived from a percentage, not counts: leave them out, say so."""
    estimated = (long["unit"] == "persons") & (long["value"] % 1 != 0)
    dropped = long[estimated]
    log = pd.DataFrame({
        "issue": "fractional count (an estimate derived from a percentage)",
        "country": dropped["country"], "year": dropped["period"].astype(int),
        "detail": [f"{i}, {s}: {v:,.2f}" for i, s, v in zip(dropped["indicator"], dropped["sex"], dropped["value"])],
        "treatment": "excluded from the long table",
    })
    return long[~estimated], log


def _persons_held_by_sex(long: pd.DataFrame) -> pd.DataFrame:
    """Persons held per (country, year), one column per sex (empty columns when a sex is absent)."""
    held = long[long["indicator"] == "persons_held"]
    return held.pivot(index=["country", "period"], columns="sex", values="value").reindex(
        columns=list(SEXES.values()))


def _women_share(long: pd.DataFrame) -> pd.DataFrame:
    """Women as a percentage of all persons held, where both counts are reported for the year."""
    counts = _persons_held_by_sex(long)
    counts = counts.dropna(subset=["female", "total"])
    counts = counts[counts["total"] > 0]
    return pd.DataFrame({
        "country": counts.index.get_level_values("country"),
        "source": SOURCE,
        "indicator": "women_share_of_persons_held",
        "sex": "female",
        "period": counts.index.get_level_values("period"),
        "value": (100 * counts["female"] / counts["total"]).round(6).to_numpy(),
        "unit": "percent",
        "definition": "female persons held as a percentage of all persons held (both UNODC CTS "
                      "'Persons held', Age=Total, same year)",
    })


def _parts_versus_total(long: pd.DataFrame) -> pd.DataFrame:
    """Country-years where female + male differs from the total: shown, never adjusted."""
    counts = _persons_held_by_sex(long).dropna()
    gap = counts["total"] - counts["female"] - counts["male"]
    gap = gap[gap != 0]
    return pd.DataFrame({
        "issue": "female + male differs from total",
        "country": gap.index.get_level_values("country"),
        "year": gap.index.get_level_values("period").astype(int),
        "detail": [f"total {t:,.0f}; female + male {f + m:,.0f}; difference {g:+,.0f}"
                   for t, f, m, g in zip(counts.loc[gap.index, "total"], counts.loc[gap.index, "female"],
                                         counts.loc[gap.index, "male"], gap)],
        "treatment": "kept as published; shares use the published total",
    })


def check_outputs(long: pd.DataFrame) -> None:
    """The national total the mirror's notes cite must come out unchanged."""
    arg_2015 = long.query("country == 'ARG' and indicator == 'persons_held' and sex == 'total' "
                          "and period == '2015'")["value"].tolist()
    if arg_2015 != [72693]:
        raise PipelineError(f"Argentina 2015 persons held is {arg_2015}, expected [72693] (SNEEP 2015 "
                            "national total, equal to UNODC CTS)", fix="a filter or correction broke the "
                            "total series: check SERIES and data/corrections/unodc_prisons.yaml")


@cli
def main() -> None:
    settings = params.section(SOURCE, Params)
    tidy, quality, long = load(region=settings.region)
    check_outputs(long)
    # Save outputs.
    with io.transaction():
        tidy.to_parquet(io.target(paths.interim_parquet(SOURCE)), index=False)
        io.write_text(QUALITY, quality.to_csv(index=False, lineterminator="\n"))
        longtable.save(long, paths.indicator_part(SOURCE))
    print(f"{SOURCE}: {len(tidy):,} tidy rows, {len(long):,} long rows, {len(quality)} data-quality notes")


if __name__ == "__main__":
    main()
