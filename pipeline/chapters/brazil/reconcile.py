"""Reconciliation of the Brazil measures with what SENAPPEN itself published.

Three kinds of check: national totals printed by SENAPPEN (the registry of published figures,
data/published/figures.csv, at the semesters of the files, each with where it was read); the per-state reports'
population by sex held by each state's prison system; and their offence incidences by sex (block 5.14), which must agree exactly or the build
stops. Each row gives published, computed, difference and an explanation; exact matches are expected where
the definitions agree.
"""

from __future__ import annotations

import pandas as pd

from pipeline import paths
from pipeline.errors import PipelineError
from pipeline.sources import published

# SENAPPEN's national totals in the registry of published figures -> the check each makes here.
NATIONAL_CHECKS = {"persons_monitored_electronically": "monitoring_total",
                   "increase_in_persons_monitored_electronically": "monitoring_increase",
                   "persons_held_without_monitoring": "cells_total"}
INCIDENCE_CHECKS = {"all_offence_incidences": "all offence incidences", "drug_law_incidences": "drug-law incidences"}
COLUMNS = ["check", "state", "period", "sex", "published", "computed", "difference", "exact", "explanation"]


def reconciliation(indicators: pd.DataFrame, state_system: pd.DataFrame, reports: pd.DataFrame,
                   units: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """National published totals, then every state report, against the establishment files."""
    national = _national_checks(indicators, units, figures)
    states = _state_report_checks(state_system, reports)
    table = pd.concat([national, states], ignore_index=True)
    table["difference"] = table["computed"] - table["published"]
    table["exact"] = table["difference"] == 0
    return table[COLUMNS]


def national_totals(figures: pd.DataFrame, periods) -> pd.DataFrame:
    """SENAPPEN's national totals (exact figures of the registry) dated at semesters of the files: one row per
    figure, with the check it makes, its period (an increase: the end, with its base period) and value."""
    chosen = published.select(figures, country="BRA", indicator=list(NATIONAL_CHECKS), sex="total", exact_only=True)
    base, _, end = chosen["period"].str.rpartition("/").T.to_numpy() if len(chosen) else ([], [], [])
    table = pd.DataFrame({"check": chosen["indicator"].map(NATIONAL_CHECKS).to_numpy(), "period": end,
                          "base_period": base, "value": chosen["value"].to_numpy(),
                          "figure_id": chosen["figure_id"].to_numpy()})
    return table[table["period"].isin(list(periods)) & (table["base_period"].isin(list(periods))
                                                         | (table["base_period"] == ""))].reset_index(drop=True)


def _national_checks(indicators: pd.DataFrame, units: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    total = indicators[indicators["sex"] == "total"].set_index(["indicator", "period"])["value"]
    rows = []
    for check in national_totals(figures, indicators["period"].unique()).itertuples():
        if check.check == "monitoring_total":
            computed = total[("people_electronic_monitoring", check.period)]
            explanation = "same definition: people in units whose name marks electronic monitoring"
        elif check.check == "monitoring_increase":
            computed = (total[("people_electronic_monitoring", check.period)]
                        - total[("people_electronic_monitoring", check.base_period)])
            explanation = f"same definition; increase {check.base_period} -> {check.period} (December cycles)"
        else:
            computed = total[("people_in_cells", check.period)]
            explanation = _cells_explanation(computed - check.value, units, check.period)
        rows.append({"check": f"SENAPPEN {check.check.replace('_', ' ')}", "state": "BR",
                     "period": check.period, "sex": "total", "published": float(check.value),
                     "computed": float(computed), "explanation": explanation})
    return pd.DataFrame(rows)


def _cells_explanation(difference: float, units: pd.DataFrame, period: str) -> str:
    patronato = units[(units["period"] == period) & (units["kind"] == "patronato")]
    names = ", ".join(f"'{u.unit_name}' ({u.state}, {u.people:,.0f})" for u in patronato.itertuples())
    if difference == 0:
        return ("same definition: SENAPPEN's people held without monitoring leave out the Patronato units "
                f"({names or 'none this semester'}), as 'in cells' does here")
    if patronato["people"].sum() == difference:
        return (f"SENAPPEN lists people under Patronato apart; the difference equals the people of the Patronato "
                f"units {names}, counted in cells here (params.yaml brazil.patronato_in_cells)")
    return "definitions differ: SENAPPEN's split of cells, Patronato and police custody is not in the files"


def check_incidences_against_reports(incidences: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """Block 5.14 of the establishment files (state system units, by sex) against every state report.

    Both come from the same returns, so every state, semester and sex must agree exactly: a difference means
    a column the parser misread, or files of different versions, and stops the build. Returns one summary
    row per semester, measure and sex for the reconciliation table.
    """
    printed = reports[reports["measure"].isin(list(INCIDENCE_CHECKS))]
    key = ["state", "period", "measure", "sex"]
    both = incidences.pivot_table(index=[*key[:3]], columns="sex", values="value", aggfunc="sum", fill_value=0)
    both["total"] = both.sum(axis=1)
    computed = both.stack().rename("computed").reset_index()
    merged = printed.merge(computed, on=key, how="left").fillna({"computed": 0})
    off = merged[merged["computed"] != merged["value"]]
    if len(off):
        first = off.iloc[0]
        raise PipelineError(
            f"block 5.14: {first['state']} {first['period']} {first['sex']} {INCIDENCE_CHECKS[first['measure']]} "
            f"sum to {first['computed']:,.0f} over the state system's units, but the state report prints "
            f"{first['value']:,.0f} ({len(off)} difference(s) in all)",
            file=paths.raw_dir("sisdepen_reports") / first["file"],
            fix="both come from the same returns: check that every block 5.14 column of the establishment file was "
                "read (pipeline/sources/sisdepen.py) and that both files are the published versions")
    summary = merged.groupby(["measure", "period", "sex"]).agg(
        published=("value", "sum"), computed=("computed", "sum"), states=("state", "nunique")).reset_index()
    return pd.DataFrame({
        "check": "block 5.14 against the state reports: " + summary["measure"].map(INCIDENCE_CHECKS)
                 + ", sum of states",
        "state": "BR", "period": summary["period"], "sex": summary["sex"], "published": summary["published"],
        "computed": summary["computed"], "difference": summary["computed"] - summary["published"],
        "exact": summary["computed"] == summary["published"],
        "explanation": "state system units, every class; each of the " + summary["states"].astype(str)
                       + " state reports agrees exactly (a difference stops the build)"})


def _state_report_checks(state_system: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    printed = reports[reports["measure"] == "prison_system"]
    key = ["state", "period", "sex"]
    merged = printed[[*key, "value"]].rename(columns={"value": "published"}).merge(
        state_system.rename(columns={"value": "computed"}), on=key, how="left", validate="1:1")
    federal = merged["federal_people"].fillna(0)
    merged["computed"] = merged["computed"].fillna(0)
    merged["explanation"] = ("state system (Âmbito Estadual), all units incl. monitoring, domiciliary and "
                             "Patronato units")
    off = merged["computed"] != merged["published"]
    merged.loc[off, "explanation"] = [f"differs from the state report (federal units in this state hold {n:,.0f} "
                                      "people, in neither figure)" for n in federal[off]]
    return merged.assign(check="state report: people held by the state prison system").drop(
        columns="federal_people")
