"""Reconciliation of the Brazil measures with what SENAPPEN itself published.

Two kinds of check: national totals printed by SENAPPEN (`brazil_published.csv`, beside this module, one row
per figure with where it was read), and the per-state reports (population by sex held by each state's
prison system). Each row gives published, computed, difference and an explanation; exact matches are
expected where the definitions agree.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PUBLISHED = Path(__file__).with_name("brazil_published.csv")
COLUMNS = ["check", "state", "period", "sex", "published", "computed", "difference", "exact", "explanation"]


def reconciliation(indicators: pd.DataFrame, state_system: pd.DataFrame, reports: pd.DataFrame,
                   units: pd.DataFrame) -> pd.DataFrame:
    """National published totals, then every state report, against the establishment files."""
    national = _national_checks(indicators, units)
    states = _state_report_checks(state_system, reports)
    table = pd.concat([national, states], ignore_index=True)
    table["difference"] = table["computed"] - table["published"]
    table["exact"] = table["difference"] == 0
    return table[COLUMNS]


def _national_checks(indicators: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    published = pd.read_csv(PUBLISHED, dtype={"period": str, "base_period": str}, keep_default_na=False)
    total = indicators[indicators["sex"] == "total"].set_index(["indicator", "period"])["value"]
    rows = []
    for check in published.itertuples():
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
    patronato = units[(units["period"] == period) & units["unit_name"].str.contains("(?i)patronato")]
    matching = patronato[patronato["people"] == difference]
    if difference == 0:
        return "same definition"
    if len(matching):
        unit = matching.iloc[0]
        return (f"SENAPPEN lists people under Patronato apart; the difference equals the "
                f"{unit['people']:,.0f} people of '{unit['unit_name']}' ({unit['state']}), counted in cells here")
    return "definitions differ: SENAPPEN's split of cells, Patronato and police custody is not in the files"


def _state_report_checks(state_system: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    printed = reports[reports["measure"] == "prison_system"]
    key = ["state", "period", "sex"]
    merged = printed[[*key, "value"]].rename(columns={"value": "published"}).merge(
        state_system.rename(columns={"value": "computed"}), on=key, how="left", validate="1:1")
    federal = merged["federal_people"].fillna(0)
    merged["computed"] = merged["computed"].fillna(0)
    merged["explanation"] = "state system (Âmbito Estadual), all units incl. monitoring and domiciliary pseudo-units"
    off = merged["computed"] != merged["published"]
    merged.loc[off, "explanation"] = [f"differs from the state report (federal units in this state hold {n:,.0f} "
                                      "people, in neither figure)" for n in federal[off]]
    return merged.assign(check="state report: people held by the state prison system").drop(
        columns="federal_people")
