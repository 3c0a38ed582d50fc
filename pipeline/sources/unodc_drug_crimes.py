"""UNODC World Drug Report annex, table 10.1: people in formal contact with police for drug offences.

Input: data/raw/unodc_drug_crimes/10.1_Drug_related_crimes.xlsx, two sheets:
- "Formal contact": one row per country, campaign, year, offence type and drug, with totals by sex and age
  (2018-2022);
- "Sheet1": UNODC's pivot of the same data by offence type, totals only (2010-2022).
Counts are of people brought into formal contact with the police or criminal justice system — not
prosecutions and not prisoners. The two sheets do not always agree and offence types come and go between
years; both are surfaced in a data-quality table, never smoothed over.

Outputs: tidy Parquet of both sheets, the data-quality table, and long-table rows ('Any Illicit drugs',
by offence type and sex, every country).

    python -m pipeline.sources.unodc_drug_crimes
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import io, longtable, paths, safe_xlsx
from pipeline.errors import PipelineError, cli
from pipeline.sources import drug_crimes_quality

SOURCE = "unodc_drug_crimes"
FILE = "10.1_Drug_related_crimes.xlsx"
QUALITY = paths.UNODC_DRUG_CRIMES_QUALITY
FORMAL_CONTACT, PIVOT = "Formal contact", "Sheet1"
ALL_DRUGS = "Any Illicit drugs"

# Source column -> our column, per sheet; matched on normalised header text (case and spacing ignored).
FORMAL_CONTACT_COLUMNS = {
    "Region": "region",
    "SubRegion": "subregion",
    "Country": "country_name",
    "campaign": "campaign",  # UNODC data collection: HIST2018, ARQ2020 (Annual Report Questionnaire), ...
    "Year": "year",
    "Type of offence": "offence_label",  # trafficking / use or possession / other, see OFFENCE_TYPES
    "Drug": "drug",  # 'Any Illicit drugs' is the all-drug total
    "Calculated total": "total_calculated",  # persons: UNODC's total (reported total or sum of parts)
    "Reported total": "total_reported",  # persons, as the country reported it
    "Males": "males",  # persons
    "Females": "females",  # persons
    "Adults": "adults",  # persons
    "Juveniles": "juveniles",  # persons
    "Unknown/Other/ Third/Intersex": "sex_other_unknown",  # persons
    "Specify year if other": "year_note",  # e.g. a financial year
    "Adults: 18 and older": "adults_defined_18_plus",  # Yes if the country's adult age is 18
    "Juveniles: under 18 years old": "juveniles_defined_under_18",
    "msCode": "iso3",  # ISO 3166-1 alpha-3
}
PIVOT_COLUMNS = {
    "Region": "region",
    "SubRegion": "subregion",
    "Country": "country_name",
    "Calculated total": "all",  # persons, all offence types
    "Offences related to drug trafficking": "trafficking",
    "Offences related to drug use and/or drug possession": "possession",
    "Other drug-related offences": "other",
    "Year": "year",  # a year, or 'Other' (then see 'Specify year')
    "Specify year": "year_note",
    "campaign": "campaign",
}
# UNODC offence type -> our offence type.
OFFENCE_TYPES = {
    "Offences related to drug trafficking": "trafficking",
    "Offences related to drug use and/or drug possession": "possession",
    "Other drug-related offences": "other",
}
DEFINITION = ("persons brought into formal contact with the police or criminal justice system for {offence} "
              "drug offences (UNODC World Drug Report annex table 10.1, sheet 'Formal contact', any illicit "
              "drug; total = UNODC's calculated total)")


def load(raw_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tidy table of both sheets, the data-quality table, and the long-table rows."""
    # Load inputs.
    path = Path(raw_dir or paths.raw_dir(SOURCE)) / FILE
    formal = _read_sheet(path, FORMAL_CONTACT, FORMAL_CONTACT_COLUMNS)
    pivot = _read_sheet(path, PIVOT, PIVOT_COLUMNS)
    check_inputs(formal, pivot, path)

    # Process data: one tidy shape for both sheets, so they can be compared row by row.
    tidy = pd.concat([_tidy_formal_contact(formal), _tidy_pivot(pivot, formal)], ignore_index=True)
    # The known inconsistencies are findings for the reader, listed rather than repaired.
    quality = drug_crimes_quality.table(tidy)
    long = _long_rows(tidy)
    check_outputs(tidy, long, path)
    return tidy, quality, long


def check_inputs(formal: pd.DataFrame, pivot: pd.DataFrame, path: Path) -> None:
    """Offence types known, ISO3 codes present, counts non-negative."""
    unknown = sorted(set(formal["offence_label"]) - set(OFFENCE_TYPES))
    if unknown:
        raise PipelineError(f"sheet '{FORMAL_CONTACT}': unknown offence type(s) {unknown}", file=path,
                            column="Type of offence",
                            fix="UNODC changed its categories: extend OFFENCE_TYPES in "
                                "pipeline/sources/unodc_drug_crimes.py")
    if formal["iso3"].isna().any() or not formal["iso3"].str.fullmatch(r"[A-Z]{3}").all():
        i = int((~formal["iso3"].fillna("").str.fullmatch(r"[A-Z]{3}")).idxmax())
        raise PipelineError(f"msCode {formal.at[i, 'iso3']!r} is not an ISO3 code", file=path, row=i + 2,
                            column="msCode", fix="check the row in the 'Formal contact' sheet")
    counts = ["total_calculated", "total_reported", "males", "females", "adults", "juveniles", "sex_other_unknown"]
    for sheet, table, columns in ((FORMAL_CONTACT, formal, counts),
                                  (PIVOT, pivot, ["all", "trafficking", "possession", "other"])):
        negative = (table[columns] < 0).any(axis=1)
        if negative.any():
            i = int(negative.idxmax())
            raise PipelineError(f"sheet '{sheet}': negative count", file=path, row=i + 2,
                                fix="check the row; counts of people cannot be negative")


def check_outputs(tidy: pd.DataFrame, long: pd.DataFrame, path: Path) -> None:
    """Every Formal contact all-drug row is either in the long table or logged as a duplicate."""
    expected = tidy[(tidy["sheet"] == FORMAL_CONTACT) & (tidy["drug"] == ALL_DRUGS)]
    expected = expected.drop_duplicates(["iso3", "year", "offence_type"], keep=False)
    totals = long[long["sex"] == "total"]
    if len(totals) != len(expected):
        raise PipelineError(f"{len(expected)} all-drug rows but {len(totals)} long-table totals", file=path,
                            fix="a bug in pipeline/sources/unodc_drug_crimes.py: rows were lost or doubled")


def _read_sheet(path: Path, sheet: str, columns: dict[str, str]) -> pd.DataFrame:
    """One sheet with its columns renamed strictly (every expected column, nothing else)."""
    if not path.exists():
        raise PipelineError("file is missing", file=path, fix="run `dvc repro fetch` first")
    safe_xlsx.check(path, SOURCE)
    try:
        workbook = pd.ExcelFile(path, engine="calamine")
    except Exception as error:  # calamine raises its own types for corrupt or non-xlsx files
        raise PipelineError(f"cannot be read as a spreadsheet ({error})", file=path,
                            fix="the file is damaged or not an xlsx: fetch it again") from None
    if sheet not in workbook.sheet_names:
        raise PipelineError(f"no sheet named '{sheet}' (sheets: {workbook.sheet_names})", file=path,
                            fix="UNODC renamed a sheet: check the annex and update FORMAL_CONTACT/PIVOT in "
                                "pipeline/sources/unodc_drug_crimes.py")
    table = pd.read_excel(workbook, sheet_name=sheet, dtype=object)
    found = {_normalise(c): c for c in table.columns}
    wanted = {_normalise(c): ours for c, ours in columns.items()}
    missing = [c for c in columns if _normalise(c) not in found]
    unexpected = [found[c] for c in found if c not in wanted]
    if missing or unexpected:
        raise PipelineError(f"sheet '{sheet}': expected column(s) {missing} missing, unexpected {unexpected}",
                            file=path, row=1, column=(missing or unexpected)[0],
                            fix="UNODC changed the layout: check what the column means, then update the rename "
                                "map in pipeline/sources/unodc_drug_crimes.py")
    table = table.rename(columns={found[k]: v for k, v in wanted.items()})[list(columns.values())]
    return _types(table)


def _types(table: pd.DataFrame) -> pd.DataFrame:
    numeric = [c for c in table.columns if c in ("total_calculated", "total_reported", "males", "females",
                                                 "adults", "juveniles", "sex_other_unknown", "all",
                                                 "trafficking", "possession", "other")]
    text = [c for c in table.columns if c not in numeric and c != "year"]
    table = table.astype({c: "string" for c in text})
    table[numeric] = table[numeric].apply(pd.to_numeric, errors="raise").astype(float)
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")  # 'Other' -> <NA>
    if "offence_label" in table:
        table["offence_label"] = table["offence_label"].str.strip()
    return table


def _tidy_formal_contact(formal: pd.DataFrame) -> pd.DataFrame:
    return formal.assign(sheet=FORMAL_CONTACT, offence_type=formal["offence_label"].map(OFFENCE_TYPES)) \
        .drop(columns="offence_label")


def _tidy_pivot(pivot: pd.DataFrame, formal: pd.DataFrame) -> pd.DataFrame:
    """Pivot rows melted to one row per offence type ('all' for its total); ISO3 taken from Formal contact."""
    iso3 = formal.drop_duplicates("country_name").set_index("country_name")["iso3"]
    melted = pivot.melt(id_vars=["region", "subregion", "country_name", "year", "year_note", "campaign"],
                        value_vars=["all", "trafficking", "possession", "other"],
                        var_name="offence_type", value_name="total_calculated")
    return melted.assign(sheet=PIVOT, drug=ALL_DRUGS, iso3=melted["country_name"].map(iso3).astype("string"))


def _long_rows(tidy: pd.DataFrame) -> pd.DataFrame:
    """Formal contact, all drugs: total, female and male per offence type; duplicated records left out."""
    rows = tidy[(tidy["sheet"] == FORMAL_CONTACT) & (tidy["drug"] == ALL_DRUGS)]
    rows = rows.drop_duplicates(["iso3", "year", "offence_type"], keep=False)  # logged in the quality table
    long = []
    for sex, column in (("total", "total_calculated"), ("female", "females"), ("male", "males")):
        part = rows[rows[column].notna()]
        long.append(pd.DataFrame({
            "country": part["iso3"], "source": SOURCE,
            "indicator": "drug_offence_formal_contact_" + part["offence_type"], "sex": sex,
            "period": part["year"].astype(str), "value": part[column], "unit": "persons",
            "definition": part["offence_type"].map(lambda o: DEFINITION.format(offence=o)) + ", campaign "
                          + part["campaign"],
        }))
    return longtable.frame(pd.concat(long, ignore_index=True))


def _normalise(header) -> str:
    return " ".join(str(header).split()).casefold()


@cli
def main() -> None:
    tidy, quality, long = load()
    # Save outputs: all together or none.
    with io.transaction():
        io.write_bytes(paths.interim_parquet(SOURCE), tidy.to_parquet(index=False))
        io.write_text(QUALITY, io.csv_text(quality))
        longtable.save(long, paths.indicator_part(SOURCE))
    print(f"{SOURCE}: {len(tidy)} tidy rows, {len(quality)} data-quality findings, {len(long)} long rows")


if __name__ == "__main__":
    main()
