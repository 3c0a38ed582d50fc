"""Data-quality findings for UNODC table 10.1 (drug-related crimes), one row per finding.

The two sheets of the annex ("Formal contact" and its pivot "Sheet1") disagree for some countries and
years, offence types appear and vanish from one year to the next, and some records are duplicated. None of
this is repaired: each finding is listed so that a chapter can show it beside the numbers it affects.
Input is the tidy table built by `pipeline.sources.unodc_drug_crimes` (columns `sheet`, `iso3`,
`country_name`, `year`, `offence_type`, `drug`, `total_calculated`, ...).
"""

from __future__ import annotations

import pandas as pd

FORMAL_CONTACT, PIVOT, ALL_DRUGS = "Formal contact", "Sheet1", "Any Illicit drugs"
OFFENCE_ORDER = ["trafficking", "possession", "other", "all"]
COLUMNS = ["iso3", "country_name", "year", "offence_type", "check", "formal_contact", "sheet1", "detail"]
_PLACE = ["iso3", "country_name", "year", "offence_type"]

# check name -> what it means for a reader of the numbers.
CHECKS = {
    "duplicate_record": "the same country, year and offence type appears more than once with different numbers",
    "reported_total_differs": "the country's reported total differs from UNODC's calculated total",
    "sex_parts_differ_from_total": "males + females + other/unknown do not add up to the total",
    "no_sex_breakdown": "a total without any split by sex",
    "age_parts_differ_from_total": "adults + juveniles do not add up to the total (the file has no count of an "
                                   "unknown age: the rest may be that)",
    "sheets_disagree": "'Formal contact' and its pivot 'Sheet1' give different numbers",
    "missing_from_one_sheet": "a number in one sheet has no counterpart in the other",
    "offence_types_change": "the offence types reported differ from the country's previous reported year",
    "zero_while_other_years_positive": "a reported zero where the same type is positive in other years",
}


def table(tidy: pd.DataFrame) -> pd.DataFrame:
    """Every finding, sorted by country, year and offence type."""
    formal = tidy[(tidy["sheet"] == FORMAL_CONTACT) & (tidy["drug"] == ALL_DRUGS)]
    pivot = tidy[tidy["sheet"] == PIVOT]
    findings = [
        _duplicates(formal, FORMAL_CONTACT), _duplicates(pivot, PIVOT),
        _record_checks(formal.drop_duplicates(["iso3", "year", "offence_type"], keep=False)),
        _sheet_comparison(formal, pivot),
        _offence_type_changes(formal), _suspicious_zeros(formal),
    ]
    found = [f for f in findings if len(f)] or [pd.DataFrame(columns=COLUMNS)]  # a clean file has no finding
    out = pd.concat(found, ignore_index=True).reindex(columns=COLUMNS)
    out["offence_type"] = pd.Categorical(out["offence_type"], categories=OFFENCE_ORDER + ["-"], ordered=True)
    out = out.sort_values(["iso3", "country_name", "year", "offence_type", "check"], kind="stable")
    return out.astype({"offence_type": str, "year": "Int64"}).reset_index(drop=True)


def _duplicates(rows: pd.DataFrame, sheet: str) -> pd.DataFrame:
    key = ["country_name", "year", "offence_type"]
    distinct = rows.drop_duplicates(key + ["total_calculated"])
    clash = distinct[distinct.duplicated(key, keep=False)]
    out = []
    for (name, year, offence), group in clash.groupby(key, sort=True):
        values = sorted(group["total_calculated"].dropna().tolist())
        out.append({"iso3": group["iso3"].iloc[0], "country_name": name, "year": year, "offence_type": offence,
                    "check": "duplicate_record", sheet_column(sheet): values[-1] if values else None,
                    "detail": f"sheet '{sheet}' has {len(group)} records: "
                              f"{' / '.join(english_count(v) for v in values)} "
                              f"(campaigns {', '.join(sorted(group['campaign'].dropna().unique()))}); "
                              "left out of the long table"})
    return pd.DataFrame(out)


def _record_checks(formal: pd.DataFrame) -> pd.DataFrame:
    sex_parts = formal[["males", "females", "sex_other_unknown"]].sum(axis=1, min_count=1)
    has_sex = formal[["males", "females"]].notna().any(axis=1)
    age_parts = formal[["adults", "juveniles"]].sum(axis=1, min_count=1)
    tests = {
        "reported_total_differs": formal["total_reported"].notna()
                                  & (formal["total_reported"] != formal["total_calculated"]),
        "sex_parts_differ_from_total": has_sex & (sex_parts != formal["total_calculated"]),
        "no_sex_breakdown": ~has_sex & (formal["total_calculated"] > 0),
        "age_parts_differ_from_total": age_parts.notna() & (age_parts != formal["total_calculated"]),
    }
    out = []
    for check, failed in tests.items():
        for row in formal[failed].itertuples():
            detail = {
                "reported_total_differs": f"reported {english_count(row.total_reported)}, "
                                          f"calculated {english_count(row.total_calculated)}",
                "sex_parts_differ_from_total": f"males {_count(row.males)} + females {_count(row.females)} + "
                                               f"other/unknown {_count(row.sex_other_unknown)} vs total "
                                               f"{english_count(row.total_calculated)}",
                "no_sex_breakdown": f"total {english_count(row.total_calculated)} has no split by sex",
                "age_parts_differ_from_total": f"adults {_count(row.adults)} + juveniles {_count(row.juveniles)} vs "
                                               f"total {english_count(row.total_calculated)}",
            }[check]
            out.append({"iso3": row.iso3, "country_name": row.country_name, "year": row.year,
                        "offence_type": row.offence_type, "check": check,
                        "formal_contact": row.total_calculated, "detail": detail})
    return pd.DataFrame(out)


def _count(value) -> str:
    """A count as a finding's detail writes it: '–' where the file left it blank."""
    return "–" if pd.isna(value) else english_count(value)


def _sheet_comparison(formal: pd.DataFrame, pivot: pd.DataFrame) -> pd.DataFrame:
    """Compare the two sheets in the years 'Formal contact' covers, per type and for all types together."""
    key = ["country_name", "year", "offence_type"]
    formal = formal.drop_duplicates(key, keep=False)
    pivot = pivot[pivot["year"].isin(formal["year"].unique())].drop_duplicates(key + ["total_calculated"])
    pivot = pivot.drop_duplicates(key, keep=False)
    totals = formal.groupby(["iso3", "country_name", "year"], as_index=False).agg(
        total_calculated=("total_calculated", "sum"), types=("offence_type", "nunique"))
    totals = totals.assign(offence_type="all")
    both = pd.concat([formal, totals]).merge(pivot[key + ["total_calculated"]], on=key, how="outer",
                                             suffixes=("_fc", "_pivot"))
    fc, pv = both["total_calculated_fc"], both["total_calculated_pivot"]
    present_fc, present_pv = fc.fillna(0) > 0, pv.fillna(0) > 0
    disagree = fc.notna() & pv.notna() & (fc != pv)
    missing = (present_fc & pv.isna()) | (present_pv & fc.isna())
    out = both[disagree | missing].assign(
        check=lambda t: t["total_calculated_fc"].notna() & t["total_calculated_pivot"].notna(),
    )
    out["check"] = out["check"].map({True: "sheets_disagree", False: "missing_from_one_sheet"})
    out["detail"] = [
        f"'Formal contact' {_fmt(a)} vs 'Sheet1' {_fmt(b)}" for a, b in
        zip(out["total_calculated_fc"], out["total_calculated_pivot"])]
    iso3 = formal.drop_duplicates("country_name").set_index("country_name")["iso3"]
    return pd.DataFrame({
        "iso3": out["country_name"].map(iso3), "country_name": out["country_name"], "year": out["year"],
        "offence_type": out["offence_type"], "check": out["check"],
        "formal_contact": out["total_calculated_fc"], "sheet1": out["total_calculated_pivot"],
        "detail": out["detail"]})


def _offence_type_changes(formal: pd.DataFrame) -> pd.DataFrame:
    reported = formal[formal["total_calculated"] > 0].groupby(["iso3", "country_name", "year"])["offence_type"] \
        .agg(lambda types: tuple(sorted(set(types), key=OFFENCE_ORDER.index)))
    out = []
    for (iso3, name), years in reported.groupby(level=["iso3", "country_name"], sort=True):
        years = years.droplevel(["iso3", "country_name"]).sort_index()
        for (before_year, before), (year, now) in zip(years.items(), list(years.items())[1:]):
            if before != now:
                out.append({"iso3": iso3, "country_name": name, "year": year, "offence_type": "-",
                            "check": "offence_types_change",
                            "detail": f"{before_year}: {', '.join(before)} -> {year}: {', '.join(now)}"})
    return pd.DataFrame(out)


def _suspicious_zeros(formal: pd.DataFrame) -> pd.DataFrame:
    positive_elsewhere = formal.groupby(["iso3", "offence_type"])["total_calculated"].transform("max") > 0
    zeros = formal[(formal["total_calculated"] == 0) & positive_elsewhere]
    return pd.DataFrame([{
        "iso3": row.iso3, "country_name": row.country_name, "year": row.year, "offence_type": row.offence_type,
        "check": "zero_while_other_years_positive", "formal_contact": 0.0,
        "detail": f"0 reported for {row.year}; the same type is positive in other years"}
        for row in zeros.itertuples()])


def sheet_column(sheet: str) -> str:
    return "formal_contact" if sheet == FORMAL_CONTACT else "sheet1"


def _fmt(value) -> str:
    return "absent" if pd.isna(value) else english_count(value)


def english_count(value: float) -> str:
    """A count inside a finding's English detail, grouped as English writes it (2,940): the pages write it in each
    language's way (2.940), which an ungrouped 2940 would not get."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
