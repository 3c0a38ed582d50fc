"""The plausibility rules of SISDEPEN state totals (pipeline/chapters/brazil/plausibility.py) on small generated frames:
each fires on bad data and stays silent on clean data; known errors and the treatment applied. The numbers they give
on the real files are pinned in tests/sources/test_sisdepen.py."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.chapters.brazil import build, plausibility
from pipeline.errors import PipelineError

PERIODS = ["2019-06", "2019-12", "2020-06", "2020-12"]



# ---- per-capita and coverage rules -------------------------------------------------------------------------
def _units(rates: dict[str, list[float]], people: int = 1000, periods=PERIODS, sex="male"):
    """One unit per state and semester holding `people`, with `rate` incidences per person (None: no record)."""
    population, incidences = [], []
    for state, by_period in rates.items():
        for row, (period, rate) in enumerate(zip(periods, by_period)):
            population.append({"state": state, "period": period, "unit_row": row, "sex": sex, "value": people})
            if rate is not None:
                incidences.append({"state": state, "period": period, "unit_row": row, "sex": sex,
                                   "value": rate * people})
    return pd.DataFrame(population), pd.DataFrame(incidences)


CLEAN = {"AA": [1.0, 1.1, 1.2, 1.0], "BB": [0.8, 0.9, 1.0, 1.1], "CC": [1.5, 1.4, 1.6, 1.5],
         "DD": [2.0, 2.2, 2.1, 2.4], "EE": [0.5, 0.6, 0.7, 0.6]}

def test_per_capita_rule_flags_a_level_that_stays_wrong_every_semester():
    rates = plausibility.incidence_rates(*_units({**CLEAN, "MA": [1.2, 27.7, 5.0, 7.8]}))
    found = plausibility.per_capita_findings(rates, 3.0)
    assert found[["state", "period"]].values.tolist() == [["MA", "2019-12"], ["MA", "2020-06"], ["MA", "2020-12"]]
    assert found["value"].tolist() == [27.7, 5.0, 7.8]
    assert "limit 3 times the median" in found["evidence"].iloc[0]
    # the spike rule, by contrast, sees only the one-semester spike
    series = rates.assign(measure="all_offence_incidences", value=rates["incidences"])
    spikes = plausibility.detect_outliers(series[series["state"] == "MA"], 5.0, 1000)
    assert spikes["period"].tolist() == ["2019-12"]


def test_per_capita_rule_is_silent_on_clean_states():
    rates = plausibility.incidence_rates(*_units(CLEAN))
    assert plausibility.per_capita_findings(rates, 3.0).empty


def test_per_capita_rate_counts_only_people_in_units_that_report():
    people, incidences = _units({"AA": [1.0]}, periods=["2020-06"])
    silent_unit = pd.DataFrame([{"state": "AA", "period": "2020-06", "unit_row": 99, "sex": "male", "value": 3000}])
    rates = plausibility.incidence_rates(pd.concat([people, silent_unit]), incidences).iloc[0]
    assert rates["rate"] == 1.0 and rates["people"] == 4000 and rates["coverage_pct"] == 25.0


def test_coverage_rule_fires_below_the_limit_and_is_silent_above():
    rates = plausibility.incidence_rates(*_units({**CLEAN, "MG": [1.0, None, None, 1.0]}))
    found = plausibility.coverage_findings(rates, 10.0)
    assert found[["state", "period", "value"]].values.tolist() == [["MG", "2019-12", 0.0], ["MG", "2020-06", 0.0]]
    assert "the other 1,000 are 16.7% of men in cells nationally" in found["evidence"].iloc[0]
    assert plausibility.coverage_findings(plausibility.incidence_rates(*_units(CLEAN)), 10.0).empty


# ---- quality table and treatment ---------------------------------------------------------------------------
def _corrections(*rows):
    return pd.DataFrame(list(rows), columns=["id", "state", "period", "measure", "sex", "published", "action",
                                             "reason", "found_in"])


def _finding(rule, state, period, measure="all_offence_incidences", value=1.0):
    return {"rule": rule, "state": state, "period": period, "measure": measure, "sex": "male", "value": value,
            "evidence": "e"}


def test_quality_table_treats_rules_and_known_errors_and_keeps_coverage():
    findings = pd.DataFrame([_finding("per_capita", "MA", "2020-06", plausibility.RATE_MEASURE),
                             _finding("coverage", "MG", "2020-06", plausibility.COVERAGE_MEASURE),
                             _finding("spike", "SP", "2020-06", "people_in_cells")])
    known = _corrections(["ma-x", "MA", "2019-12", "all_offence_incidences", "male", 330932, "outlier_treatment",
                          "entry error", "notes"])
    treatable = (*build.INCIDENCE_MEASURES, plausibility.RATE_MEASURE)
    table = plausibility.quality_table(findings, known, "exclude", treatable)
    treatment = table.set_index(["rule", "state"])["treatment"].to_dict()
    assert treatment == {("coverage", "MG"): "keep", ("known_error", "MA"): "exclude",
                         ("per_capita", "MA"): "exclude", ("spike", "SP"): "keep"}
    treated = plausibility.treated_state_periods(table)
    assert treated.values.tolist() == [["MA", "2019-12", "exclude"], ["MA", "2020-06", "exclude"]]
    assert plausibility.treated_state_periods(
        plausibility.quality_table(findings, known, "keep", treatable)).empty


def test_replace_uses_the_last_untreated_semester_for_a_lasting_error():
    values = pd.DataFrame({"state": "MA", "period": PERIODS, "measure": "all_offence_incidences", "sex": "male",
                           "value": [14_411.0, 330_932.0, 54_155.0, 86_092.0]})
    treated = pd.DataFrame({"state": "MA", "period": PERIODS[1:], "treatment": "replace"})
    result = plausibility.apply_treatment(values, treated, ("all_offence_incidences",))
    assert result.set_index("period")["value"].to_dict() == {p: 14_411.0 for p in PERIODS}
    with pytest.raises(PipelineError, match="no earlier untreated semester"):
        plausibility.apply_treatment(values, treated.assign(period=PERIODS[:3]), ("all_offence_incidences",))
