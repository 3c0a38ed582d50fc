"""SNEEP microdata, counted for the Argentina chapter: who is held, for what, by province, with small numbers
protected. Used only when the user put the census files in data/manual/sneep/ (README, "Adding SNEEP microdata").

Every definition a researcher might dispute (who counts as a woman, what counts as held for drugs, which legal
status and which penitentiary service) is a parameter in params.yaml `argentina:`; every output carries the
definitions that produced it (`definitions(settings)`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline import disclosure, longtable, paths
from pipeline.errors import PipelineError
from pipeline.settings import Argentina
from pipeline.sources import sneep, sneep_csv

COUNTRY = "ARG"
WOMEN = {True: ["female", "trans_women"], False: ["female"]}  # by women_include_trans_women
FEW_CATEGORIES = 4  # _of_categories compares the codes with at most this many categories, one at a time


def definitions(settings: Argentina, microdata_used: bool = True) -> dict[str, str]:
    """The definitions behind the Argentina outputs, in words: only those that applied to the data used (the
    microdata rules say nothing about UNODC's series or SNEEP's printed figures)."""
    if not microdata_used:
        return {"persons (UNODC CTS)": "'Persons held' as reported to UNODC, Age=Total, juveniles included: in 2015, "
                                       "SNEEP's persons in the penitentiary system, a wider count than its persons "
                                       "housed in penitentiary units (UNODC's adults)",
                "women (UNODC CTS)": "'female' as reported to UNODC, Age=Total (juveniles included; trans women not "
                                     "counted apart)",
                "women (SNEEP as cited)": "female and trans women, all services, as the SNEEP reports count them",
                "share, SNEEP as cited": "women over the persons housed in penitentiary units (SNEEP's base)"}
    return {
        "women": "female and trans women" if settings.women_include_trans_women else "female (not trans women)",
        "held_for_drugs": f"{settings.drug_rule.replace('_', ' ')} under Ley 23.737"
                          + (" or drug smuggling" if settings.drug_include_smuggling else " (smuggling excluded)"),
        "legal_status": settings.legal_status.replace("_", "-"),
        # Not `service`: a label that names a parameter shows its value as params.yaml holds it (`all`), untranslated.
        "penitentiary_service": "all services (national)" if settings.service == "all"
                                else f"{settings.service} service only",
        "gender_coding": f"SNEEP labels mapped by {paths.relative(paths.SNEEP_GENDER_CROSSWALK)} ('Transexual' -> "
                         "trans women)",
    }


def definition_text(settings: Argentina) -> str:
    return "SNEEP census 31 Dec; " + "; ".join(f"{k} = {v}" for k, v in definitions(settings).items())


def status() -> dict:
    """The SNEEP load report: {'available': False, ...} when no microdata was downloaded."""
    if not paths.SNEEP_LOAD_REPORT.exists():
        raise PipelineError("SNEEP load report is missing", file=paths.SNEEP_LOAD_REPORT,
                            fix="run `python -m pipeline.sources.sneep` (or `dvc repro`)")
    return json.loads(paths.SNEEP_LOAD_REPORT.read_text(encoding="utf-8"))


def read() -> pd.DataFrame:
    return pd.read_parquet(paths.interim_parquet(sneep.SOURCE))


def population(microdata: pd.DataFrame, settings: Argentina, *, legal_status: bool = True) -> pd.DataFrame:
    """The persons the counts cover under the chosen service (and legal status) definitions."""
    keep = pd.Series(True, index=microdata.index)
    if settings.service != "all":
        keep &= _has_label(microdata["service"], lambda label: settings.service in label)
    if legal_status:
        keep &= _of_legal_status(microdata, settings)
    return microdata if keep.all() else microdata[keep]  # no copy of millions of rows when all count


def _of_legal_status(microdata: pd.DataFrame, settings: Argentina) -> pd.Series:
    """True for the persons of the chosen legal status (everyone when it is 'all')."""
    if settings.legal_status == "all":
        return pd.Series(True, index=microdata.index)
    return _is_pre_trial(microdata) == (settings.legal_status == "pre_trial")


def held_for_drugs(microdata: pd.DataFrame, settings: Argentina) -> pd.Series:
    """True for persons held for a drug offence under the chosen rule."""
    groups = {"drug_law"} | ({"drug_smuggling"} if settings.drug_include_smuggling else set())
    crosswalk = sneep.offence_groups()  # read once, not once per column
    labels = {label for label, group in crosswalk.items() if group in groups}
    columns = ["offence_1"] if settings.drug_rule == "first_offence" else [f"offence_{i}" for i in range(1, 6)]
    drug = np.zeros(len(microdata), dtype=bool)
    for column in columns:
        _check_offence_labels(microdata[column].cat.categories, crosswalk)
        drug |= _of_labels(microdata[column], labels.__contains__)
    return pd.Series(drug, index=microdata.index)


def measures(microdata: pd.DataFrame, settings: Argentina) -> pd.DataFrame:
    """Long-table rows by census year: persons by gender, women for drugs, pre-trial share, children.

    The persons are counted once into cells of (census year, gender), and every measure is a sum of cells: a pass
    over the microdata per census and gender, not one per measure (millions of rows, a few dozen cells)."""
    cells = _cells(microdata, settings)
    held = cells[cells["held"] > 0]  # the persons the counts cover (legal status as chosen)
    # Only the gender categories a census recorded: a category it did not have (trans men before 2020) is
    # unknown, not zero, and the coding's own 'total' is never a gender of a person.
    by_gender = held["held"][held.index.get_level_values("gender") != "total"]
    by_year = held.groupby(level="census_year").sum()  # periods become text in _rows
    women_held, women_drugs = by_year["women"], by_year["women_drugs"]
    everyone = cells.groupby(level="census_year").sum()  # the pre-trial share is of everyone held
    rows = [*_rows(by_gender, "persons_held", "persons"),
            *_rows(by_gender.groupby(level=0).sum(), "persons_held", "persons", sex="total"),
            *_rows(women_held, "women_held", "persons", sex="female"),
            *_rows(women_drugs, "women_held_drug_offences", "persons", sex="female"),
            *_rows(women_drugs / women_held * 100, "women_drug_offences_share", "percent", sex="female"),
            *_rows(by_year["women_children"], "women_with_children_in_prison", "persons", sex="female"),
            *_rows(cells["pre_trial"] / cells["everyone"] * 100, "pre_trial_share", "percent"),
            *_rows(everyone["pre_trial"] / everyone["everyone"] * 100, "pre_trial_share", "percent", sex="total")]
    definition = definition_text(settings)
    table = longtable.frame([r | {"source": "sneep", "definition": definition} for r in rows])
    return table.dropna(subset=["value"])


def _cells(microdata: pd.DataFrame, settings: Argentina) -> pd.DataFrame:
    """Persons by census year and gender (the pairs present, in year and then gender-code order) under the service
    definition: everyone, those pre-trial, and under the legal-status definition too: those held, the women, the
    women held for drugs and the women whose children live with them in prison."""
    everyone = population(microdata, settings, legal_status=False)
    year_at, years = pd.factorize(everyone["census_year"], sort=True)  # each person's census: 0, 1, ... by year
    genders = everyone["gender"].cat
    codes = genders.codes.to_numpy()
    cell = year_at * len(genders.categories) + codes  # one number per (census, gender)
    known = codes >= 0  # a person without a gender is in no cell (check_outputs says every person has one)
    is_pre_trial = _is_pre_trial(everyone).to_numpy()
    held = known & _of_legal_status(everyone, settings).to_numpy()
    women = held & _of_categories(everyone["gender"], WOMEN[settings.women_include_trans_women])
    counted = {"everyone": known, "pre_trial": known & is_pre_trial, "held": held, "women": women,
               "women_drugs": women & held_for_drugs(everyone, settings).to_numpy(),
               "women_children": women & everyone["children_in_prison"].eq("yes").to_numpy()}
    size = len(years) * len(genders.categories)
    # One pass: each person's cell and which of the counts include them (one bit per count) make one number, and
    # the persons are counted by that number (a count per cell and combination of bits), then summed per count.
    combination = np.zeros(len(cell), dtype=np.uint8)
    for bit, rows in enumerate(counted.values()):
        combination |= rows.view(np.uint8) << bit
    cell[~known] = size  # persons without a gender: a cell of their own, dropped below
    combinations = 2 ** len(counted)
    persons = np.bincount(cell * combinations + combination, minlength=(size + 1) * combinations)
    persons = persons.reshape(size + 1, combinations)[:size]
    included = (np.arange(combinations)[:, None] >> np.arange(len(counted))) & 1  # combination x count
    table = pd.DataFrame(persons @ included, columns=list(counted),
                         index=pd.MultiIndex.from_product([years, genders.categories], names=["census_year", "gender"]))
    return table[table["everyone"] > 0]


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


def province_table_or_empty(microdata: pd.DataFrame | None, settings: Argentina, min_cell: int) -> pd.DataFrame:
    """The latest census by province (suppressed), or no rows when there is no microdata."""
    if microdata is None or microdata.empty:
        return pd.DataFrame({"census_year": pd.Series([], dtype="int64"), "province": [], "gender": [],
                             "persons": pd.Series([], dtype="Int64"), "suppressed": pd.Series([], dtype=bool)})
    return by_province(microdata, settings, int(microdata["census_year"].max()), min_cell)


def women_drugs_table_or_empty(microdata: pd.DataFrame | None, settings: Argentina, min_cell: int) -> pd.DataFrame:
    """Women held for drugs by province and legal status in the latest census, or no rows without microdata."""
    if microdata is None or microdata.empty:
        return pd.DataFrame({"census_year": pd.Series([], dtype="int64"), "province": [], "legal_status": [],
                             "women_held_for_drugs": pd.Series([], dtype="Int64"),
                             "suppressed": pd.Series([], dtype=bool)})
    return women_held_for_drugs_by_province(microdata, settings, int(microdata["census_year"].max()), min_cell)


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
    return pd.Series(_of_labels(column, wanted), index=column.index)


def _of_labels(column: pd.Series, wanted: Callable[[str], bool]) -> np.ndarray:
    """_has_label as a NumPy array."""
    return _of_categories(column, [c for c in column.cat.categories if wanted(sneep_csv.normalise_name(c))])


def _of_categories(column: pd.Series, categories: list[str]) -> np.ndarray:
    """True where a categorical column holds one of these categories (False where it is empty), from the rows'
    category codes: for a few categories, a comparison per category (for one or two, on 2 million rows, 10 times
    faster than `isin` and 2-4 times faster than a lookup of each code); for more, the lookup."""
    codes = column.cat.codes.to_numpy()
    chosen = column.cat.categories.isin(categories)
    if chosen.sum() > FEW_CATEGORIES:
        return np.append(chosen, False)[codes]  # code -1 (empty): the last entry
    found = np.zeros(len(codes), dtype=bool)
    for code in np.flatnonzero(chosen):
        found |= codes == code
    return found


def _check_offence_labels(categories, known: dict[str, str]) -> None:
    """A drug-looking offence label missing from the crosswalk (`known`, sneep.offence_groups()) would be silently
    counted as non-drug."""
    suspicious = [c for c in categories if any(w in sneep_csv.normalise_name(c) for w in ("estupefac", "23737",
                  "23_737", "droga")) and sneep_csv.normalise_name(c) not in known]
    if suspicious:
        raise PipelineError(f"offence label '{suspicious[0]}' looks drug-related but is not in the crosswalk",
                            file=paths.SNEEP_OFFENCE_CROSSWALK,
                            fix="add it with its group (drug_law or drug_smuggling) and a note")
