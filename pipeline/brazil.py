"""Brazil (SISDEPEN): people in prison, under electronic monitoring and in domiciliary custody, and drug-law
offence incidences, by sex and semester, into the long table (source 'sisdepen', country 'BRA').

Electronic monitoring has no column of its own: states report monitored people as pseudo-establishments,
recognised (as SENAPPEN does) by their names, with the regular expressions in params.yaml. Those people are
kept apart from the people held in cells. Offence incidences are checked for one-semester spikes per state
(pipeline/brazil_quality.py); the treatment chosen in params.yaml is written into every definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from pipeline import brazil_quality, io, longtable, params, paths
from pipeline.brazil_reconcile import reconciliation
from pipeline.errors import PipelineError, cli

SOURCE = "sisdepen"
COUNTRY = "BRA"

# Unit kinds, recognised from unit names.
MONITORING, DOMICILIARY, CELLS = "electronic_monitoring", "domiciliary", "cells"

# Legal situations of block 4.1 -> indicator suffix (both security measures make one group).
LEGAL_GROUPS = {"pre_trial": "pre_trial", "closed": "closed", "semi_open": "semi_open", "open": "open",
                "security_internment": "security_measure", "security_outpatient": "security_measure"}

# Drug-law offence items of block 5.14 (Lei 6.368/76 and Lei 11.343/06, the drug laws) -> our offence code.
_DRUG_GROUP = "GRUPO: LEGISLAÇÃO ESPECÍFICA | Grupo: Drogas (Lei 6.368/76 e Lei 11.343/06) | "
DRUG_OFFENCES = {
    _DRUG_GROUP + "Tráfico de drogas (Art. 12 da Lei 6.368/76 e Art. 33 da Lei 11.343/06)":
        "drug_trafficking",  # trafficking, art. 33
    _DRUG_GROUP + "Associação para o tráfico (Art. 14 da Lei 6.368/76 e Art. 35 da Lei 11.343/06)":
        "drug_association",  # association for trafficking, art. 35
    _DRUG_GROUP + "Tráfico internacional de drogas (Art. 18 da Lei 6.368/76 e Art. 33 e 40, inciso I da Lei "
                  "11.343/06)": "drug_international_trafficking",  # international trafficking, art. 33 + 40 I
}
OFFENCE_ITEM_PREFIX = "GRUPO:"  # the 52 offence items; other 5.14 columns count people, not incidences
INCIDENCE_MEASURES = ("all_offence_incidences", "drug_law_incidences", *DRUG_OFFENCES.values())


class BrazilParams(params.Strict):
    monitoring_pattern: str
    domiciliary_pattern: str
    incidences_in_pseudo_units: bool
    outlier_ratio: float
    outlier_min_change: int
    outlier_treatment: Literal["keep", "exclude", "replace"]
    monitoring_base_period: str
    claimed_monitoring_growth_pct: dict[str, float]
    claimed_end_period: str


@dataclass
class Outputs:
    indicators: pd.DataFrame  # long table
    units: pd.DataFrame  # every unit and period with its recognised kind
    state_values: pd.DataFrame  # state x period x measure x sex, after treatment
    quality: pd.DataFrame  # outliers and known errors, with the treatment applied
    reconciliation: pd.DataFrame  # computed vs published


def build(tidy: pd.DataFrame, reports: pd.DataFrame, settings: BrazilParams) -> Outputs:
    """Every Brazil measure from the tidy establishment table and the state reports."""
    # Recognise pseudo-units first: from 2020 they would otherwise inflate the people held in cells.
    units = classify_units(unit_list(tidy), settings.monitoring_pattern, settings.domiciliary_pattern)
    tidy = tidy.merge(units[["period", "unit_row", "kind"]], on=["period", "unit_row"], validate="m:1")
    # Sum establishments to states; state totals are where entry errors show.
    raw_states = pd.concat([population_by_state(tidy), incidences_by_state(tidy, settings)], ignore_index=True)
    # Flag one-semester spikes, check known errors against the data, and treat them as chosen.
    quality = _quality(raw_states, settings)
    treated = brazil_quality.treated_state_periods(quality, INCIDENCE_MEASURES)
    states = brazil_quality.apply_treatment(raw_states, treated, INCIDENCE_MEASURES)
    indicators = national_indicators(states, settings.outlier_treatment)
    recon = reconciliation(indicators, state_system_population(tidy), reports, units)
    return Outputs(indicators, units, states, quality, recon)


def unit_list(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and period, with the people it reports (block 4.1, all parts)."""
    population = tidy[tidy["block"] == "population"]
    people = population.groupby(["period", "unit_row"])["value"].sum().rename("people")
    units = tidy[["period", "unit_row", "state", "unit_name"]].drop_duplicates(["period", "unit_row"])
    return units.join(people, on=["period", "unit_row"]).fillna({"people": 0}).reset_index(drop=True)


def state_system_population(tidy: pd.DataFrame) -> pd.DataFrame:
    """People per state held by the state's own system (Âmbito Estadual) and by federal units, by sex."""
    population = tidy[tidy["block"] == "population"]
    by_sex = population.pivot_table(index=["state", "period", "sex"], columns="jurisdiction", values="value",
                                    aggfunc="sum", fill_value=0).reset_index()
    total = by_sex.groupby(["state", "period"], as_index=False).sum(numeric_only=True).assign(sex="total")
    both = pd.concat([by_sex, total], ignore_index=True)
    federal = both["Federal"] if "Federal" in both else 0
    return both.assign(value=both["Estadual"], federal_people=federal)[
        ["state", "period", "sex", "value", "federal_people"]]


def classify_units(units: pd.DataFrame, monitoring_pattern: str, domiciliary_pattern: str) -> pd.DataFrame:
    """Each unit's kind: electronic monitoring, domiciliary custody (without anklet), or cells."""
    names = units["unit_name"].astype(str)
    monitoring = names.str.contains(re.compile(monitoring_pattern), regex=True)
    domiciliary = names.str.contains(re.compile(domiciliary_pattern), regex=True) & ~monitoring
    kind = pd.Series(CELLS, index=units.index, dtype="string")
    kind[domiciliary] = DOMICILIARY
    kind[monitoring] = MONITORING
    return units.assign(kind=kind)


def population_by_state(tidy: pd.DataFrame) -> pd.DataFrame:
    """People by state, semester, unit kind, legal-situation group and sex."""
    population = tidy[tidy["block"] == "population"]
    legal = population["item"].map(LEGAL_GROUPS)
    measure = ("people_" + population["kind"]).where(population["kind"] != CELLS, "people_in_cells")
    by_kind = population.assign(measure=measure)
    by_legal = population[population["kind"] == CELLS].assign(measure="people_in_cells_" + legal)
    both = pd.concat([by_kind, by_legal], ignore_index=True)
    return both.groupby(["state", "period", "measure", "sex"], as_index=False)["value"].sum()


def incidences_by_state(tidy: pd.DataFrame, settings: BrazilParams) -> pd.DataFrame:
    """Offence incidences by state, semester and sex: all offences, the drug law, and its three items."""
    incidences = tidy[(tidy["block"] == "incidences") & tidy["item"].str.startswith(OFFENCE_ITEM_PREFIX)]
    if not settings.incidences_in_pseudo_units:
        incidences = incidences[incidences["kind"] == CELLS]
    _check_drug_items(incidences)
    drug = incidences[incidences["item"].isin(DRUG_OFFENCES)]
    parts = [incidences.assign(measure="all_offence_incidences"),
             drug.assign(measure="drug_law_incidences"),
             drug.assign(measure=drug["item"].map(DRUG_OFFENCES))]
    summed = pd.concat(parts, ignore_index=True)
    return summed.groupby(["state", "period", "measure", "sex"], as_index=False)["value"].sum()


def _check_drug_items(incidences: pd.DataFrame) -> None:
    for period, items in incidences.groupby("period")["item"]:
        missing = set(DRUG_OFFENCES) - set(items)
        if missing:
            raise PipelineError(f"{period}: drug-law item '{sorted(missing)[0]}' not found in block 5.14",
                                fix="the offence wording changed: update DRUG_OFFENCES in pipeline/brazil.py")


def _quality(states: pd.DataFrame, settings: BrazilParams) -> pd.DataFrame:
    checked = states[states["measure"].isin(["all_offence_incidences", "drug_law_incidences",
                                             "people_in_cells"])]
    outliers = brazil_quality.detect_outliers(checked, settings.outlier_ratio, settings.outlier_min_change)
    corrections = brazil_quality.load_corrections(states)
    return brazil_quality.quality_table(outliers, corrections, settings.outlier_treatment)


def national_indicators(states: pd.DataFrame, treatment: str) -> pd.DataFrame:
    """National sums by sex (with a total), plus the drug-law share of incidences, as long-table rows."""
    national = states.groupby(["measure", "period", "sex"], as_index=False)["value"].sum()
    total = national.groupby(["measure", "period"], as_index=False)["value"].sum().assign(sex="total")
    national = pd.concat([national, total], ignore_index=True)
    wide = national.pivot_table(index=["period", "sex"], columns="measure", values="value").reset_index()
    share = wide.assign(measure="drug_law_share_of_incidences",
                        value=(100 * wide["drug_law_incidences"] / wide["all_offence_incidences"]).round(4))
    rows = pd.concat([national, share[["measure", "period", "sex", "value"]]], ignore_index=True)
    rows = rows.assign(country=COUNTRY, source=SOURCE, indicator=rows["measure"],
                       unit=rows["measure"].map(_unit), definition=rows["measure"].map(lambda m: _definition(m, treatment)))
    return longtable.frame(rows)


def _unit(measure: str) -> str:
    if measure.endswith("_share_of_incidences"):
        return "percent"
    return "incidences" if measure.endswith("incidences") else "persons"


def _definition(measure: str, treatment: str) -> str:
    if measure.startswith("people_in_cells"):
        return ("SISDEPEN block 4.1, sum of parts (court x sex), units not recognised as monitoring or "
                "domiciliary pseudo-units by name")
    if measure.startswith("people_"):
        return f"SISDEPEN block 4.1 in units whose name marks {measure[7:].replace('_', ' ')} (params.yaml brazil patterns)"
    return (f"SISDEPEN block 5.14 offence items (incidences, not people); state-period outliers: {treatment} "
            f"(params.yaml brazil.outlier_treatment)")


@cli
def main() -> None:
    settings = params.section("brazil", BrazilParams)
    tidy = pd.read_parquet(paths.interim_parquet("sisdepen"))
    reports = pd.read_parquet(paths.interim_parquet("sisdepen_reports"))
    outputs = build(tidy, reports, settings)
    with io.transaction():
        longtable.save(outputs.indicators, paths.indicator_part("brazil"))
        for name, table in (("units", outputs.units), ("state_values", outputs.state_values),
                            ("quality", outputs.quality), ("reconciliation", outputs.reconciliation)):
            io.write_text(paths.INTERIM / f"brazil_{name}.csv", table.to_csv(index=False, lineterminator="\n"))


if __name__ == "__main__":
    main()
