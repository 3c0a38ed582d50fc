"""UNODC CTS "Prisons and prisoners": persons held by sex, checked for plausibility, in the common long table.

Input: data/raw/unodc_prisons/data_cts_prisons_and_prisoners.xlsx (one sheet, two banner rows, header on
row 3, long format). Outputs: the whole file as tidy Parquet; the data-quality findings (known errors,
resolved duplicates, estimates, and the plausibility rules of `unodc_plausibility`) for every country;
the cleaned national series of every country (for the regional chapter's world and Americas figures); and
the long-table rows of `unodc_prisons.region`.

    python -m pipeline.sources.unodc_prisons
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from pipeline import corrections, io, longtable, params, paths, safe_xlsx
from pipeline.errors import PipelineError, cli
from pipeline.rounding import fixed
from pipeline.sources import unodc_plausibility
from pipeline.settings import UnodcPrisons
from pipeline.sources.unodc_plausibility import Thresholds

SOURCE = "unodc_prisons"
FILE = "data_cts_prisons_and_prisoners.xlsx"
HEADER_ROW = 3  # 1-based, as a spreadsheet user sees it
CORRECTIONS = paths.UNODC_PRISONS_CORRECTIONS
QUALITY = paths.UNODC_PRISONS_QUALITY
NATIONAL = paths.UNODC_PRISONS_NATIONAL  # long rows of every country, with region names

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
# Read by the plausibility rules only (sentenced + unsentenced cannot exceed persons held).
RULE_SERIES = SERIES | {("Persons held", "by status", "Sentenced"): "persons_held_sentenced"}
# Every Dimension/Category of 'Persons held' in the export of 11 May 2023, reviewed: a new one is reported.
KNOWN_BREAKDOWNS = {
    "Total": {"Total"},
    "by status": {"Sentenced", "Unsentenced"},
    "by citizenship": {"Foreign citizens", "National citizens"},
    "by selected crime": {"Bribery", "Drug possession", "Drug trafficking", "Intentional Homicide", "Rape"},
    "by type of criminal acts": {
        "Acts against property involving violence", "Acts against property only", "Acts against public order",
        "Acts against public safety and state security", "Acts against the natural environment",
        "Acts involving controlled psycho-active substances", "Acts involving fraud, deception or corruption",
        "Acts leading to death or intending to cause death",
        "Acts leading to harm or intending to cause harm to the person", "Injurious acts of a sexual nature",
        "Other criminal acts not elsewhere classified"},
}
UNITS = {"Counts": "persons", "Rate per 100,000 population": "per_100k_population"}
OTHER_UNITS = {"Percentage of total persons held"}  # UNODC's regional estimates only; never read
SEXES = {"Total": "total", "Female": "female", "Male": "male"}
AGES = {"Total": "total", "Adult": "adult", "Juveniles": "juveniles"}
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
PLAUSIBILITY_NOTE = (" Values that fail a plausibility rule of pipeline/sources/unodc_plausibility.py with "
                     f"treatment 'exclude' are left out (the Americas' findings: "
                     f"{paths.relative(paths.UNODC_QUALITY_TABLE)}).")


def thresholds(settings: UnodcPrisons) -> Thresholds:
    """The plausibility rules' thresholds and treatments from the section's settings."""
    return Thresholds(**settings.model_dump(exclude={"region", "women_share_denominator"}))


def load(raw_dir=None, region: str = "Americas", corrections_file=CORRECTIONS,
         thresholds: Thresholds = Thresholds(), women_share_denominator: str = "total_or_female_plus_male",
         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tidy table of the whole file, its data-quality findings, the long-table rows for `region`, and the
    same rows for every country with its region, subregion and name."""
    # Load inputs.
    path = (raw_dir or paths.raw_dir(SOURCE)) / FILE
    tidy = _read(path)
    check_inputs(tidy, path)
    check_region(tidy, region)

    # Known errors are data (data/corrections); duplicated totals are resolved only when explained.
    tidy, corrected = _apply_corrections(tidy, corrections_file)
    tidy, resolved = _resolve_mislabelled_totals(tidy, path)

    # Process data: the plausibility rules judge every country, so the world figures use clean counts too.
    counts, estimates = _rule_counts(tidy)
    findings = unodc_plausibility.check(counts, thresholds)
    national = _long_rows(tidy, findings, women_share_denominator)
    quality = _quality(tidy, [_legacy(corrected), _legacy(resolved), estimates, findings,
                              _unknown_breakdowns(tidy)])
    long = national[national["region"] == region][longtable.COLUMNS].reset_index(drop=True)
    return tidy, quality, long, national


def check_inputs(tidy: pd.DataFrame, path) -> None:
    """Values numeric and non-negative; units, sexes and ages the ones this module knows. An unknown Sex, Age
    or Unit changes what every count means: it stops the build. A new Dimension/Category of 'Persons held'
    is listed in the data-quality table instead (the series read are selected by exact label, so it cannot
    enter them); a series that vanished was renamed, which `check_series` reports."""
    bad_value = tidy["value"].isna() | (tidy["value"] < 0)
    if bad_value.any():
        row = int(bad_value.idxmax()) + HEADER_ROW + 1
        raise PipelineError(f"VALUE {tidy.loc[bad_value, 'value'].iloc[0]:g} is missing or negative",
                            file=path, row=row, column="VALUE",
                            fix="check the cell in the spreadsheet; counts and rates cannot be negative")
    for column, known in (("sex", SEXES), ("age", AGES), ("unit", UNITS.keys() | OTHER_UNITS)):
        unknown = sorted(set(tidy[column].unique()) - set(known))
        if unknown:
            row = int(tidy.index[tidy[column] == unknown[0]][0]) + HEADER_ROW + 1
            raise PipelineError(f"unknown {column} value(s) {unknown} (known: {sorted(known)})", file=path,
                                row=row, column={v: k for k, v in RENAME.items()}[column],
                                fix="UNODC changed its coding: extend the mapping in pipeline/sources/unodc_prisons.py")


def check_series(tidy: pd.DataFrame, path) -> None:
    """Every series this module reads is in the file (a whole export always has them all): one that vanished
    was renamed, and its rows would otherwise be skipped without a word."""
    present = set(zip(*_lists(tidy, "indicator", "dimension", "category")))
    for (indicator, dimension, category), name in RULE_SERIES.items():
        if (indicator, dimension, category) not in present:
            raise PipelineError(f"no rows for Indicator '{indicator}', Dimension '{dimension}', Category "
                                f"'{category}' (series {name})", file=path, column="Category",
                                fix="UNODC renamed the series: update SERIES in pipeline/sources/unodc_prisons.py")


def check_region(tidy: pd.DataFrame, region: str) -> None:
    """`unodc_prisons.region` must be one of the file's regions."""
    regions = sorted(set(tidy["region"]) - {"World"})
    if region not in regions:
        raise PipelineError(f"'unodc_prisons.region' is '{region}', which is not a Region of the UNODC file",
                            file=paths.PARAMS, fix=f"use one of: {', '.join(regions)}")


def _lists(table: pd.DataFrame, *columns: str) -> list[list]:
    """The columns' values as Python lists, to zip into keys (iterating an Arrow-backed column directly costs a
    Python call per value: a second for this file's 200,000 rows)."""
    return [table[column].tolist() for column in columns]


def _read(path) -> pd.DataFrame:
    if not path.exists():
        raise PipelineError("file is missing", file=path, fix="run `dvc repro fetch` first")
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
    log = []
    for entry in corrections.load(corrections_file, corrections.UnodcPrisonsCorrection):
        unknown = [column for column in entry.where if column not in tidy.columns]
        if unknown:
            raise PipelineError(f"entry '{entry.id}': 'where' names column '{unknown[0]}', which the UNODC table "
                                f"does not have", file=corrections_file,
                                fix=f"use the columns: {', '.join(c for c in tidy.columns if c != 'value')}")
        if not entry.applies:
            continue
        match = pd.Series(True, index=tidy.index)
        for column, value in entry.where.items():
            match &= tidy[column] == value
        values = tidy.loc[match, "value"].tolist()
        if values != [entry.published]:
            raise PipelineError(corrections.changed_message(entry, values), file=corrections_file,
                                fix=corrections.changed_fix("UNODC"))
        tidy = tidy[~match]
        log.append({"issue": f"known error ({paths.relative(paths.CORRECTIONS)})", "country": entry.where["iso3"],
                    "year": entry.where["year"], "detail": f"{entry.id}: {entry.published:,.0f} dropped",
                    "treatment": entry.reason.strip()})
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
                                fix=f"decide which row is right and record it in {paths.relative(CORRECTIONS)}")
        summed_counts.add(count_key)
        resolved.append(group.iloc[[0]].assign(value=adult + juveniles))
        log.append({"issue": "Age=Total given twice (adult and juvenile parts)", "country": record["iso3"],
                    "year": record["year"],
                    "detail": f"{record['indicator']}, {record['sex']}, {record['unit']}: "
                              + " + ".join(_as_reported(value) for value in group["value"]),
                    "treatment": "summed (equal to that year's Adult + Juveniles rows)"})
    tidy = pd.concat([tidy[~duplicated], *resolved]).sort_values(KEY, kind="stable").reset_index(drop=True)
    return tidy, pd.DataFrame(log)


def _as_reported(value: float) -> str:
    """A value quoted in a finding's evidence: a count as a whole number (15,281), a rate to two decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{fixed(value, 2, grouped=True)}"


def _rule_counts(tidy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of the series the rules read, every age, in their neutral shape; fractional "counts" (estimates
    derived from a percentage, not counts) are left out and listed."""
    mapped = [RULE_SERIES.get(k) for k in zip(*_lists(tidy, "indicator", "dimension", "category"))]
    rows = tidy.assign(series=mapped)
    rows = rows[rows["series"].notna() & (rows["unit"] == "Counts")]
    estimated = rows["value"] % 1 != 0
    dropped = rows[estimated & (rows["age"] == "Total") & rows["series"].isin(list(SERIES.values()))]
    estimates = pd.DataFrame({
        "rule": "fractional count (an estimate derived from a percentage)", "country": dropped["iso3"],
        "year": dropped["year"], "series": dropped["series"], "sex": dropped["sex"].map(SEXES),
        "value": dropped["value"],
        "evidence": [f"{fixed(v, 2, grouped=True)} is not a whole number" for v in dropped["value"]],
        "treatment": "count excluded (its rate is kept)", "excludes": "value"})
    rows = rows[~estimated]
    counts = pd.DataFrame({"country": rows["iso3"], "series": rows["series"], "sex": rows["sex"].map(SEXES),
                           "age": rows["age"].map(AGES), "year": rows["year"], "value": rows["value"]})
    return counts.reset_index(drop=True), estimates.reset_index(drop=True)


def _long_rows(tidy: pd.DataFrame, findings: pd.DataFrame, denominator: str) -> pd.DataFrame:
    """The series in SERIES, Age=Total, counts and rates, less what the rules exclude, plus the shares;
    one row per country, indicator, sex and year, with the country's name, region and subregion, and the
    denominator of each women's share (`basis`: total, or female + male)."""
    series = tidy.assign(series=[SERIES.get(k) for k in zip(*_lists(tidy, "indicator", "dimension", "category"))])
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
        "series": series["series"],
    })
    # Excluded values go with their rates; fractional counts only (their rates are published figures).
    excluded = unodc_plausibility.excluded_values(findings)
    estimated = (long["unit"] == "persons") & (long["value"] % 1 != 0)
    keys = zip(*_lists(long, "country", "series", "sex"), long["period"].astype(int).tolist())
    kept = np.array([key not in excluded for key in keys], dtype=bool)
    long = long[~estimated.to_numpy() & kept].drop(columns="series")
    long = long.assign(definition=long["definition"] + "." + PLAUSIBILITY_NOTE)
    long = pd.concat([long, _women_share(long, findings, denominator),
                      *(_unsentenced_share(long, findings, sex) for sex in SEXES.values())], ignore_index=True)
    names = tidy.drop_duplicates("iso3").set_index("iso3")[["country_name", "region", "subregion"]]
    return long.join(names, on="country").sort_values(longtable.KEY, kind="stable").reset_index(drop=True)


def _blocked(findings: pd.DataFrame, ratio: str | None, series: set[str], sexes: set[str]) -> set[tuple[str, int]]:
    """(country, year) where a finding rules out `ratio` for one of `sexes`, or rules out every ratio of one
    of its counts (a series in `series`, a sex in `sexes`)."""
    of_sex = findings["sex"].isin(sexes)
    named = (findings["excludes"] == ratio) & of_sex if ratio else pd.Series(False, index=findings.index)
    counts = (findings["excludes"] == "ratios") & findings["series"].isin(series) & of_sex
    rows = findings[named | counts]
    return set(zip(rows["country"], rows["year"].astype(int)))


def _share(long: pd.DataFrame, numerator: tuple[str, str], denominator: tuple[str, str],
           blocked: set[tuple[str, int]]) -> pd.DataFrame:
    """100 × numerator / denominator per country and year where both counts are present (same year), the
    denominator is positive and no finding blocks the pair."""
    pair = pd.concat({"numerator": _counts(long, *numerator), "denominator": _counts(long, *denominator)},
                     axis=1).dropna()
    allowed = np.array([(c, int(p)) not in blocked for c, p in pair.index], dtype=bool)
    pair = pair[allowed & (pair["denominator"] > 0).to_numpy()]
    return pd.DataFrame({"country": pair.index.get_level_values("country"),
                         "period": pair.index.get_level_values("period"),
                         "value": (100 * pair["numerator"] / pair["denominator"]).round(6).to_numpy()})


def _women_share(long: pd.DataFrame, findings: pd.DataFrame, denominator: str) -> pd.DataFrame:
    """Women as a percentage of persons held, same year: of the total, or — where the year has no usable
    total and `denominator` allows it — of female + male (persons held whose sex is reported)."""
    blocked_share = _blocked(findings, "women_share", set(), {"female", "male", "total"})
    counts = {sex: _counts(long, "persons_held", sex) for sex in SEXES.values()}
    unusable = {sex: _blocked(findings, None, {"persons_held"}, {sex}) for sex in SEXES.values()}
    rows = []
    for (country, period), female in counts["female"].items():
        key = (country, int(period))
        if key in blocked_share or key in unusable["female"]:
            continue
        total = counts["total"].get((country, period))
        male = counts["male"].get((country, period))
        if total is not None and total > 0 and key not in unusable["total"]:
            rows.append((country, period, 100 * female / total, "total", f"all persons held ({total:,.0f})"))
        elif (denominator == "total_or_female_plus_male" and male is not None and female + male > 0
              and key not in unusable["male"]):
            rows.append((country, period, 100 * female / (female + male), "female + male",
                         f"female + male persons held ({female + male:,.0f}; no usable total that year)"))
    share = pd.DataFrame(rows, columns=["country", "period", "value", "basis", "of"])
    return share.assign(
        source=SOURCE, indicator="women_share_of_persons_held", sex="female", unit="percent",
        value=share["value"].round(6),
        definition="female persons held as a percentage of " + share["of"] + " (UNODC CTS 'Persons held', "
                   "Age=Total, same year)." + PLAUSIBILITY_NOTE)[[*longtable.COLUMNS, "basis"]]


def _counts(long: pd.DataFrame, indicator: str, sex: str) -> pd.Series:
    rows = long[(long["indicator"] == indicator) & (long["sex"] == sex)]
    return rows.set_index(["country", "period"])["value"]


def _unsentenced_share(long: pd.DataFrame, findings: pd.DataFrame, sex: str) -> pd.DataFrame:
    """Persons held unsentenced as a percentage of persons held, of one sex, same year."""
    blocked = _blocked(findings, "unsentenced_share", {"persons_held", "persons_held_unsentenced"}, {sex})
    share = _share(long, ("persons_held_unsentenced", sex), ("persons_held", sex), blocked)
    of_whom = {"total": "all persons held", "female": "women held", "male": "men held"}[sex]
    return share.assign(source=SOURCE, indicator="unsentenced_share_of_persons_held", sex=sex, unit="percent",
                        definition=f"persons held unsentenced (UNODC CTS 'Persons held' by status = Unsentenced) "
                                   f"as a percentage of {of_whom} (UNODC CTS 'Persons held'), both Age=Total, "
                                   f"same sex and year." + PLAUSIBILITY_NOTE)[longtable.COLUMNS]


def _legacy(log: pd.DataFrame) -> pd.DataFrame:
    """A log of the corrections file or of the resolved duplicates, in the findings' columns."""
    if log.empty:
        return pd.DataFrame(columns=unodc_plausibility.FINDINGS)
    return pd.DataFrame({"rule": log["issue"], "country": log["country"], "year": log["year"], "series": "",
                         "sex": "", "value": np.nan, "evidence": log["detail"], "treatment": log["treatment"],
                         "excludes": ""})


def _unknown_breakdowns(tidy: pd.DataFrame) -> pd.DataFrame:
    """A Dimension/Category of 'Persons held' this module has not reviewed: one finding per country."""
    held = tidy[tidy["indicator"] == "Persons held"]
    known = [category in KNOWN_BREAKDOWNS.get(dimension, set())
             for dimension, category in zip(*_lists(held, "dimension", "category"))]
    new = held[~np.array(known, dtype=bool)]
    found = new.groupby(["iso3", "dimension", "category"]).agg(year=("year", "max"), first=("year", "min"),
                                                               rows=("year", "size")).reset_index()
    return pd.DataFrame({
        "rule": "new Dimension/Category of 'Persons held' (not read)", "country": found["iso3"],
        "year": found["year"], "series": "", "sex": "", "value": np.nan,
        "evidence": [f"Dimension '{d}', Category '{c}': {n} row(s), {f}–{y}" for d, c, n, f, y in
                     zip(found["dimension"], found["category"], found["rows"], found["first"], found["year"])],
        "treatment": "not read (the series used are selected by exact label); review and add it to "
                     "KNOWN_BREAKDOWNS in pipeline/sources/unodc_prisons.py",
        "excludes": ""})


def _quality(tidy: pd.DataFrame, logs: list[pd.DataFrame]) -> pd.DataFrame:
    """Every finding, with the country's region, in a stable order."""
    columns = ["rule", "region", "country", "year", "series", "sex", "value", "evidence", "treatment", "excludes"]
    found = [log for log in logs if len(log)]
    if not found:
        return pd.DataFrame(columns=columns)
    quality = pd.concat(found, ignore_index=True)
    regions = tidy.drop_duplicates("iso3").set_index("iso3")["region"]
    quality = quality.assign(region=quality["country"].map(regions), year=quality["year"].astype(int))
    return quality[columns].sort_values(["region", "country", "year", "rule", "series", "sex", "evidence"],
                                        kind="stable").reset_index(drop=True)


def juveniles_held(tidy: pd.DataFrame, sex: str = "Female") -> pd.Series:
    """Persons of `sex` held as juveniles (Persons held, Dimension=Total, Category=Total, Age=Juveniles, counts) per
    (iso3, year), as the file gives them: the part of that year's Age=Total count that is juveniles, where the
    country reports it. A year without the row gives no juvenile count, which is not a count of 0."""
    return held_of_age(tidy, "Juveniles", sex)


def held_of_age(tidy: pd.DataFrame, age: str, sex: str = "Female") -> pd.Series:
    """Persons of `sex` held of one `age` group (Adult, Juveniles, Total: Persons held, Dimension=Total,
    Category=Total, counts) per (iso3, year), as the file gives them; a year without the row is absent."""
    rows = tidy[(tidy["indicator"] == "Persons held") & (tidy["dimension"] == "Total")
                & (tidy["category"] == "Total") & (tidy["sex"] == sex) & (tidy["age"] == age)
                & (tidy["unit"] == "Counts")]
    return rows.set_index(["iso3", "year"])["value"].sort_index()


def check_outputs(long: pd.DataFrame) -> None:
    """The national total the mirror's notes cite must come out unchanged."""
    arg_2015 = long.query("country == 'ARG' and indicator == 'persons_held' and sex == 'total' "
                          "and period == '2015'")["value"].tolist()
    if arg_2015 != [72693]:
        raise PipelineError(f"Argentina 2015 persons held is {arg_2015}, expected [72693] (SNEEP 2015 "
                            "national total, equal to UNODC CTS)", fix="a filter or correction broke the "
                            f"total series: check SERIES and {paths.relative(CORRECTIONS)}")


@cli
def main() -> None:
    settings = params.read(UnodcPrisons)
    tidy, quality, long, national = load(region=settings.region, thresholds=thresholds(settings),
                                         women_share_denominator=settings.women_share_denominator)
    check_series(tidy, paths.raw_dir(SOURCE) / FILE)
    check_outputs(long)
    # Save outputs.
    with io.transaction():
        tidy.to_parquet(io.target(paths.interim_parquet(SOURCE)), index=False)
        national.to_parquet(io.target(NATIONAL), index=False)
        io.write_text(QUALITY, io.csv_text(quality))
        longtable.save(long, paths.indicator_part(SOURCE))
    excluded = (quality["excludes"] != "").sum()
    print(f"{SOURCE}: {len(tidy):,} tidy rows, {len(long):,} long rows ({settings.region}), "
          f"{len(quality):,} data-quality findings ({excluded:,} exclude a value or a share)")


if __name__ == "__main__":
    main()
