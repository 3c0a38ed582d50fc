"""The plausibility rules of SISDEPEN state totals (pipeline/chapters/brazil/plausibility.py) on small generated frames:
each fires on bad data and stays silent on clean data; known errors and the treatment applied. The numbers they give
on the real files are pinned in tests/sources/test_sisdepen.py."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pipeline import i18n
from pipeline.chapters import interim
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
# ---- a unit's incidences -----------------------------------------------------------------------------------------
INCIDENCE_SEMESTERS = ["2018-06", "2018-12", "2019-06", "2019-12"]


def _unit_incidences(name: str, incidences: list[float], people: list[float], state="PE", sex="male", rows=0):
    """One unit's people and offence incidences of one sex, semester by semester (UNIT_INCIDENCE_COLUMNS)."""
    return pd.DataFrame([{"period": period, "state": state, "unit_row": rows + at, "unit": f"RECIFE | {name}",
                          "unit_name": name, "sex": sex, "people": n, "incidences": i}
                         for at, (period, i, n) in enumerate(zip(INCIDENCE_SEMESTERS, incidences, people))])


def _medians(median: float = 1.3, sex="male"):
    """incidence_rates' columns the rule reads: the median of the states' rates, per semester and sex."""
    return pd.DataFrame({"period": INCIDENCE_SEMESTERS, "sex": sex, "national_median": median})


def test_unit_incidence_rule_lists_a_semester_far_above_both_neighbours_and_the_states_limit():
    # Pernambuco's Agreste centre in December 2018: 15,917 offences for 1,392 men, 2,543 and 2,836 around it
    units = pd.concat([_unit_incidences("AGRESTE", [2543, 15917, 2836, 2887], [1251, 1392, 1478, 1471]),
                       _unit_incidences("CALM", [900, 1000, 950, 980], [800, 810, 820, 830], rows=10)])
    jumps = plausibility.incidence_jumps(units, _medians(), 5.0, 1000, 3.0)
    assert jumps[["unit_name", "period", "before_period", "before", "after_period", "after"]].values.tolist() == [
        ["AGRESTE", "2018-12", "2018-06", 2543, "2019-06", 2836]]
    assert jumps["limit"].iloc[0] == pytest.approx(3.9)
    found = plausibility.incidence_jump_findings(jumps, pd.DataFrame(columns=["state", "period"]), "exclude")
    row = found.iloc[0]
    assert (row["rule"], row["state"], row["period"], row["sex"], row["value"], row["treatment"]) == (
        "unit_incidence_jump", "PE", "2018-12", "male", 15917.0, "exclude")
    assert "'AGRESTE' 15,917 / 1,392 (2018-06: 2,543; 2019-06: 2,836)" in row["evidence"]
    assert "above 3.90 per man" in row["evidence"]
    assert row["effect"] == ("left out: the offence incidences of 'AGRESTE' in 2018-12 (both sexes), from the "
                             "national sums and drug-law shares")


@pytest.mark.parametrize("incidences, people", [
    ([396, 2600, 458, 500], [2700, 2740, 2750, 2760]),  # neighbours that record too few: 0.95 per man is plausible
    ([400, 1300, 90, 100], [100, 100, 100, 100]),  # far above both and per person, but fewer than 1,000 more
    ([2000, 9000, 9500, 9400], [1000, 1000, 1000, 1000]),  # a new level, not one semester
    ([15917, 2543, 2836, 2887], [1392, 1251, 1478, 1471]),  # a first semester: nothing before it to compare
])
def test_unit_incidence_rule_is_silent_on_plausible_or_lasting_levels(incidences, people):
    assert plausibility.incidence_jumps(_unit_incidences("UNIT", incidences, people), _medians(), 5.0, 1000,
                                        3.0).empty


def test_unit_incidence_rule_compares_the_semesters_in_which_the_unit_recorded_any():
    jumps = plausibility.incidence_jumps(_unit_incidences("UNIT", [2000, 0, 14000, 2500], [1000] * 4),
                                         _medians(), 5.0, 1000, 3.0)
    assert jumps[["period", "before_period", "after_period"]].values.tolist() == [["2019-06", "2018-06", "2019-12"]]


def test_unit_incidence_rule_leaves_units_of_a_state_semester_treated_as_a_whole_to_the_states_row():
    jumps = plausibility.incidence_jumps(_unit_incidences("UNIT", [2000, 14000, 2500, 2400], [1000] * 4,
                                                          state="MA"), _medians(), 5.0, 1000, 3.0)
    treated = pd.DataFrame({"state": ["MA"], "period": ["2018-12"], "treatment": ["exclude"]})
    assert len(jumps) == 1
    assert plausibility.incidence_jump_findings(jumps, treated, "exclude").empty


def _offences(unit_rows: dict[tuple[str, int], tuple[str, dict[str, float]]]):
    """Offence rows: (period, unit_row) -> (unit, {sex: incidences}), one item each."""
    return pd.DataFrame([{"period": period, "unit_row": row, "state": "PE", "unit": unit, "item": "GRUPO: X",
                          "sex": sex, "value": value}
                         for (period, row), (unit, by_sex) in unit_rows.items() for sex, value in by_sex.items()])


@pytest.mark.parametrize("treatment, men, women, effect", [
    ("exclude", 100, 10, "left out: the offence incidences of 'AGRESTE' in 2018-12 (both sexes), from the national "
                         "sums and drug-law shares"),
    ("replace", 100 + 2543, 10 + 7, "replaced: the offence incidences of 'AGRESTE' in 2018-12 (both sexes), by "
                                    "those of the semester before it compared (2018-06)"),
    ("keep", 100 + 15917, 10 + 3, "kept: counted as reported"),
])
def test_a_units_incidences_are_treated_in_that_unit_alone_both_sexes(treatment, men, women, effect):
    units = _unit_incidences("AGRESTE", [2543, 15917, 2836, 2887], [1251, 1392, 1478, 1471])
    jumps = plausibility.incidence_jumps(units, _medians(), 5.0, 1000, 3.0)
    found = plausibility.incidence_jump_findings(jumps, pd.DataFrame(columns=["state", "period"]), treatment)
    assert found["effect"].tolist() == [effect]
    offences = _offences({("2018-06", 0): ("RECIFE | AGRESTE", {"male": 2543, "female": 7}),
                          ("2018-12", 1): ("RECIFE | AGRESTE", {"male": 15917, "female": 3}),
                          ("2018-12", 7): ("RECIFE | OTHER", {"male": 100, "female": 10})})
    treated = plausibility.treat_unit_incidences(offences, jumps, found)
    december = treated[treated["period"] == "2018-12"].groupby("sex")["value"].sum()
    assert december.to_dict() == {"female": women, "male": men}
    assert treated[treated["period"] == "2018-06"]["value"].sum() == 2543 + 7  # the semester compared, as it was
    assert plausibility.treated_state_periods(plausibility.quality_table(found, _corrections(), "keep", ())).empty


def test_a_units_offences_of_a_sex_it_holds_none_of_are_found_and_moved_to_the_sex_it_holds():
    units = pd.DataFrame([
        {"period": "2018-12", "state": "MA", "unit_row": 1, "unit": "SL | F", "unit_name": "F", "sex": "female",
         "people": 277, "incidences": 197},
        {"period": "2018-12", "state": "MA", "unit_row": 1, "unit": "SL | F", "unit_name": "F", "sex": "male",
         "people": 0, "incidences": 321},
        {"period": "2018-12", "state": "MA", "unit_row": 2, "unit": "SL | M", "unit_name": "M", "sex": "female",
         "people": 0, "incidences": 19},  # fewer than asked: counted as recorded
        {"period": "2018-12", "state": "MA", "unit_row": 2, "unit": "SL | M", "unit_name": "M", "sex": "male",
         "people": 500, "incidences": 900},
        {"period": "2018-12", "state": "MA", "unit_row": 3, "unit": "SL | E", "unit_name": "E", "sex": "male",
         "people": 0, "incidences": 50},  # holds nobody: no sex to move them to
    ])
    found = plausibility.incidences_of_sex_not_held(units, 20)
    assert found[["unit_name", "sex", "incidences", "held", "held_people", "held_incidences"]].values.tolist() == [
        ["F", "male", 321, "female", 277, 197]]
    findings = plausibility.incidence_sex_findings(found, pd.DataFrame(columns=["state", "period"]), "move")
    assert findings["evidence"].tolist() == [
        "321 offence incidences of men in 1 unit that holds no men and holds women: 'F' 321 (277 / 197) (each unit: "
        "its incidences of men (its women / their incidences))"]
    offences = pd.DataFrame({"period": "2018-12", "unit_row": [1, 1, 2], "state": "MA", "item": "GRUPO: X",
                             "sex": ["female", "male", "male"], "value": [197, 321, 900]})
    moved = plausibility.move_incidences(offences, found, findings)
    assert moved.groupby("sex")["value"].sum().to_dict() == {"female": 518, "male": 900}
    kept = plausibility.incidence_sex_findings(found, pd.DataFrame(columns=["state", "period"]), "keep")
    assert plausibility.move_incidences(offences, found, kept) is offences


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


# ---- units counted as electronic monitoring: named a physical cell too, reclassified between semesters -------
MONITORING, MEASURES = build.MONITORING, build.CLASS_MEASURES
MARKERS = ["(?i)monitora|tornozel", "(?i)domiciliar", "(?i)cela f[ií]sica"]
GROWTH = {"base_period": "2019-12", "claimed_pct": {"male": 448.3, "female": 403.8}, "end_period": "2022"}


def _people(*units):
    """(period, unit name, class, men[, municipality[, places[, men counted by age]]]) -> plausibility.UNIT_COLUMNS
    rows in state AM (places and the count by age missing, as a unit that left them blank, unless given)."""
    rows = [{"period": unit[0], "state": "AM", "municipality": unit[4] if len(unit) > 4 else "Manaus",
             "unit_name": unit[1], "kind": unit[2], "sex": "male", "people": float(unit[3]),
             "places": float(unit[5]) if len(unit) > 5 else np.nan,
             "people_by_age": float(unit[6]) if len(unit) > 6 else np.nan} for unit in units]
    table = pd.DataFrame(rows).assign(unit=lambda t: plausibility.unit_keys(t))
    return table[plausibility.UNIT_COLUMNS]


def _in_cell(units, treatment="monitored"):
    return plausibility.monitoring_in_cell_findings(units, MARKERS[0], MARKERS[2], MONITORING, MEASURES[MONITORING],
                                                    treatment)


def test_in_cell_rule_lists_monitoring_units_named_a_physical_cell_with_their_share_of_the_national_count():
    units = _people(("2021-12", "Centro de Progressão de Jardinópolis - MONITORAMENTO ELETRÔNICO - CELA FÍSICA",
                     MONITORING, 94),
                    ("2021-12", "CR de Marília - MONITORAMENTO ELETRONICO - CELA FISICA", MONITORING, 25),
                    ("2021-12", "CENTRAL DE MONITORAMENTO ELETRÔNICO", MONITORING, 881))
    found = _in_cell(units)
    assert found[["rule", "state", "period", "measure", "sex", "value"]].values.tolist() == [
        ["monitoring_in_cell", "AM", "2021-12", "people_electronic_monitoring", "male", 119.0]]
    assert found["evidence"].iloc[0] == (
        "119 men in units whose name marks both electronic monitoring and a physical cell "
        "(monitoring_in_cell_pattern): 'CENTRO DE PROGRESSÃO DE JARDINÓPOLIS - MONITORAMENTO ELETRÔNICO - CELA "
        "FÍSICA' (94), 'CR DE MARÍLIA - MONITORAMENTO ELETRONICO - CELA FISICA' (25)")
    assert found["effect"].iloc[0] == "kept as monitored: 119 of the 1,000 men monitored nationally in 2021-12 (11.90%)"
    assert found["treatment"].iloc[0] == "keep"


def test_in_cell_rule_says_how_much_lower_the_monitoring_count_is_when_such_units_are_counted_in_cells():
    units = _people(("2021-12", "CR de Marília - MONITORAMENTO ELETRONICO - CELA FISICA", "cells", 25),
                    ("2021-12", "CENTRAL DE MONITORAMENTO ELETRÔNICO", MONITORING, 975))
    found = _in_cell(units, "in_cells")
    assert found[["value", "treatment"]].values.tolist() == [[25.0, "in_cells"]]
    assert found["effect"].iloc[0] == ("counted in cells: 25 men left out of the men monitored nationally in 2021-12, "
                                       "975 instead of 1,000 (2.50% fewer)")
    table = plausibility.quality_table(found, _corrections(), "exclude", build.INCIDENCE_MEASURES)
    assert table["treatment"].tolist() == ["in_cells"] and table["effect"].iloc[0].startswith("counted in cells")
    assert plausibility.treated_state_periods(table).empty  # listed only: no incidence is treated


def test_in_cell_rule_is_silent_without_both_marks():
    units = _people(("2021-12", "CENTRAL DE MONITORAMENTO ELETRÔNICO", MONITORING, 881),
                    ("2021-12", "CADEIA PÚBLICA - CELA FÍSICA", "cells", 40),  # a cell, not counted as monitored
                    ("2021-12", "Jardinópolis - MONITORAMENTO ELETRÔNICO - DOMICILIAR", MONITORING, 8))
    assert _in_cell(units).empty


def _reclassified(units):
    moves = plausibility.reclassified_units(units, MARKERS, MONITORING)
    national = units[units["kind"] == MONITORING].groupby(["period", "sex"])["people"].sum()
    return plausibility.reclassification_findings(moves, national, MEASURES, GROWTH)


CENTRAL = [("2019-12", "CENTRAL DE MONITORAMENTO", MONITORING, 10_000),
           ("2020-06", "CENTRAL DE MONITORAMENTO", MONITORING, 20_000)]


def test_reclassification_rule_follows_a_renamed_unit_into_monitoring_and_measures_its_share_of_the_growth():
    units = _people(*CENTRAL, ("2019-12", "COMPAJ - SEMIABERTO MASCULINO - Capital", "cells", 3202),
                    ("2020-06", "COMPAJ - SEMIABERTO MASCULINO - Capital - MONITORAMENTO ELETRÔNICO", MONITORING, 3518))
    found = _reclassified(units)
    assert found[["rule", "state", "period", "measure", "sex", "value"]].values.tolist() == [
        ["unit_reclassified", "AM", "2020-06", "people_electronic_monitoring", "male", 3518.0]]
    assert found["evidence"].iloc[0] == (
        "3,518 men in units counted under people_in_cells in 2019-12 and under people_electronic_monitoring in "
        "2020-06, renamed (same state, municipality and name apart from the class markers): 'COMPAJ - SEMIABERTO "
        "MASCULINO - CAPITAL' (3,202) -> 'COMPAJ - SEMIABERTO MASCULINO - CAPITAL - MONITORAMENTO ELETRÔNICO' (3,518)")
    # 3,518 / 23,518 monitored; of the rise 10,000 -> 23,518; of the 448.3% claimed on 10,000 (44,830)
    assert found["effect"].iloc[0] == (
        "kept as reported: 3,518 of the 23,518 men monitored nationally in 2020-06 (15.0%); 26.0% of the rise of "
        "13,518 from 2019-12 to 2020-06, and 7.8% of the rise of 44,830 that the claimed 448.3% growth implies from "
        "2019-12 to 2022")


def test_reclassification_rule_sees_the_reverse_move_out_of_monitoring():
    units = _people(*CENTRAL, ("2019-12", "Casa do Albergado - Monitoramento", MONITORING, 300),
                    ("2020-06", "CASA DO ALBERGADO", "cells", 280))
    found = _reclassified(units)
    assert found[["period", "measure", "value"]].values.tolist() == [["2020-06", "people_in_cells", 280.0]]
    assert found["effect"].iloc[0] == ("kept as reported: the 300 men these units held in 2019-12 under electronic "
                                       "monitoring are not among the 20,000 men monitored nationally in 2020-06")


def test_reclassification_rule_follows_names_across_accents_and_case_only_within_a_municipality():
    units = _people(*CENTRAL, ("2019-12", "CENTRO DE PROGRESSAO DE JARDINOPOLIS", "cells", 1700),
                    ("2020-06", "Centro de Progressão de Jardinópolis - MONITORAMENTO ELETRÔNICO", MONITORING, 5))
    assert _reclassified(units)["value"].tolist() == [5.0]
    elsewhere = units.assign(municipality=["Manaus", "Manaus", "Manaus", "Jardinópolis"])
    assert _reclassified(elsewhere).empty


def _reclassified_with_home_custody(units):
    """As build.monitoring_findings calls the rule: moves to or from home detention too, measured against the national
    people in cells."""
    moves = plausibility.reclassified_units(units, MARKERS, MONITORING, ("domiciliary",))
    national = units[units["kind"] == MONITORING].groupby(["period", "sex"])["people"].sum()
    in_cells = units[units["kind"] == "cells"].groupby(["period", "sex"])["people"].sum()
    return plausibility.reclassification_findings(moves, national, MEASURES, GROWTH, in_cells, "cells")


STATE_PRISON = [("2020-06", "PENITENCIÁRIA ESTADUAL", "cells", 10_000),
                ("2020-12", "PENITENCIÁRIA ESTADUAL", "cells", 9_500)]


def test_a_unit_relabelled_from_cells_to_home_custody_is_listed_with_its_part_of_the_fall_in_cells():
    """Brazil's people in cells fell from 2020-06 to 2020-12 (fig-20) partly because open-regime units were counted
    under home detention from 2020-12, their names now marked 'DOMICILIAR', sometimes without a dash before the mark or
    with the name's punctuation changed. Listed with the fall's part they make, kept as reported."""
    units = _people(*CENTRAL, *STATE_PRISON, ("2020-06", "NÚCLEO DA CASA DO ALBERGADO", "cells", 400),
                    ("2020-12", "NÚCLEO DA CASA DO ALBERGADO DOMICILIAR", "domiciliary", 500),
                    ("2020-06", "Casa do Albergado Crispim Ventino - SEAPAC", "cells", 100),
                    ("2020-12", "CASA DO ALBERGADO CRISPIM VENTINO - SEAP/AC - DOMICILIAR", "domiciliary", 120))
    found = _reclassified_with_home_custody(units)
    assert found[["rule", "period", "measure", "value"]].values.tolist() == [
        ["unit_reclassified", "2020-12", "people_domiciliary", 620.0]]
    # in cells: 10,500 in 2020-06, 9,500 in 2020-12; the units held 500 of the fall of 1,000
    assert found["effect"].iloc[0] == (
        "kept as reported: the 500 men these units held in cells in 2020-06 are counted under people_domiciliary in "
        "2020-12: 50.0% of the fall of 1,000 in the men in cells nationally from 2020-06 to 2020-12")
    assert "'NÚCLEO DA CASA DO ALBERGADO' (400) -> 'NÚCLEO DA CASA DO ALBERGADO DOMICILIAR' (500)" in \
        found["evidence"].iloc[0]
    assert _reclassified(units).empty  # the rule on monitoring alone does not list it
    # Where the count in cells rose, the effect says what the units held instead of a share of a fall.
    rising = _people(("2020-06", "PENITENCIÁRIA ESTADUAL", "cells", 9_000), *STATE_PRISON[1:],
                     ("2020-06", "CASA DO ALBERGADO", "cells", 300), ("2020-12", "CASA DO ALBERGADO - DOMICILIAR",
                                                                       "domiciliary", 310))
    assert _reclassified_with_home_custody(rising)["effect"].tolist() == [
        "kept as reported: the 300 men these units held in cells in 2020-06 are counted under people_domiciliary in "
        "2020-12, out of the 9,300 men in cells nationally"]


def test_a_unit_relabelled_into_cells_or_between_two_classes_outside_cells():
    units = _people(*STATE_PRISON, ("2020-06", "CASA DO ALBERGADO - DOMICILIAR", "domiciliary", 300),
                    ("2020-12", "CASA DO ALBERGADO", "cells", 500),
                    ("2020-06", "PATRONATO CENTRAL - PCTA", "patronato", 23_402),
                    ("2020-12", "PATRONATO CENTRAL - PCTA - DOMICILIAR", "domiciliary", 31_517))
    found = _reclassified_with_home_custody(units).set_index("measure")
    assert found.loc["people_in_cells", "effect"] == (
        "kept as reported: 500 of the 10,000 men in cells nationally in 2020-12 (5.0%) are in units counted under "
        "people_domiciliary in 2020-06")
    assert found.loc["people_domiciliary", ["value", "effect"]].tolist() == [
        31517.0, "kept as reported: counted outside cells in 2020-06 and in 2020-12"]
    # Without the national count in cells (the rule called on monitoring alone), a move out of cells is only listed.
    moves = plausibility.reclassified_units(units, MARKERS, MONITORING, ("domiciliary",))
    alone = plausibility.reclassification_findings(moves, pd.Series(dtype=float), MEASURES, GROWTH)
    assert alone.set_index("measure").loc["people_in_cells", "effect"] == "kept: counted as reported"


def test_every_effect_of_the_reclassification_rule_reads_in_each_language():
    units = _people(*STATE_PRISON, ("2020-06", "CASA DO ALBERGADO - DOMICILIAR", "domiciliary", 300),
                    ("2020-12", "CASA DO ALBERGADO", "cells", 500), ("2020-06", "PATRONATO - DOMICILIAR",
                                                                     "domiciliary", 2_000),
                    ("2020-12", "PATRONATO", "patronato", 2_100), ("2020-06", "ALBERGUE", "cells", 90),
                    ("2020-12", "ALBERGUE - DOMICILIAR", "domiciliary", 80))
    rising = _people(("2020-06", "PENITENCIÁRIA ESTADUAL", "cells", 9_000), *STATE_PRISON[1:],
                     ("2020-06", "CASA DO ALBERGADO", "cells", 300), ("2020-12", "CASA DO ALBERGADO - DOMICILIAR",
                                                                       "domiciliary", 310))
    effects = [*_reclassified_with_home_custody(units)["effect"], *_reclassified_with_home_custody(rising)["effect"]]
    for sex in ("female",):  # the women's texts, from the same moves
        women = units.assign(sex=sex)
        effects += [*_reclassified_with_home_custody(women)["effect"],
                    *_reclassified_with_home_custody(rising.assign(sex=sex))["effect"]]
    assert len(effects) == 8  # per sex: out of cells (a fall, no fall), into cells, outside cells on both sides
    for language in ("es", "pt"):
        tr = i18n.Translator(language)
        for effect in effects:
            assert tr.english(effect) != effect, (language, effect)


@pytest.mark.parametrize("units", [
    # a monitoring unit opened beside a unit that goes on holding people in cells: new monitoring, not relabelling
    [("2019-12", "CPP DE BAURU", "cells", 391), ("2020-06", "CPP DE BAURU", "cells", 345),
     ("2020-06", "CPP de Bauru - MONITORAMENTO ELETRÔNICO - DOMICILIAR", MONITORING, 1)],
    # renamed within monitoring (anklet -> anklet at home)
    [("2019-12", "COC - MONITORAMENTO ELETRÔNICO", MONITORING, 1430),
     ("2020-06", "COC - MONITORAMENTO ELETRÔNICO - DOMICILIAR", MONITORING, 1629)],
    # cells -> home detention: no monitoring on either side
    [("2019-12", "CASA DO ALBERGADO - Capital", "cells", 1043),
     ("2020-06", "CASA DO ALBERGADO - Capital - Domiciliar", "domiciliary", 958)],
    # the same name in two semesters that do not follow each other
    [("2019-06", "UNIDADE SEMIABERTA", "cells", 222), ("2020-06", "UNIDADE SEMIABERTA - MONITORAMENTO", MONITORING, 218)],
])
def test_reclassification_rule_is_silent_on_units_that_keep_their_class(units):
    assert _reclassified(_people(*CENTRAL, ("2019-06", "CENTRAL DE MONITORAMENTO", MONITORING, 9_000), *units)).empty


# ---- a unit's count far from its neighbouring semesters --------------------------------------------------------
SEMESTERS = ["2016-12", "2017-06", "2017-12", "2018-06", "2018-12"]
CELLS = build.CELLS


def _jumps(units, ratio=3.0, min_change=500):
    return plausibility.unit_jump_findings(units, ratio, min_change, MEASURES)


def _series(name, counts, municipality="Manaus", places=None, by_age=None):
    places = places if places is not None else [np.nan] * len(SEMESTERS)
    by_age = by_age if by_age is not None else [np.nan] * len(SEMESTERS)
    return [(period, name, CELLS, count, municipality, place, aged)
            for period, count, place, aged in zip(SEMESTERS, counts, places, by_age) if count is not None]


def test_unit_rule_lists_a_semester_far_from_both_neighbours_with_the_states_count_beside_it():
    units = _people(*_series("Presídio A", [700, 650, 2900, 640, 660], places=[750] * 5),
                    *_series("Presídio B", [3000] * 5))
    found = _jumps(units)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_jump", "AM", "2017-12", "people_in_cells", "male", 2900.0, "keep"]]
    # Its places and people per place beside its people: 2,900 / 750 = 3.87 that semester, 650 / 750 = 0.87 and
    # 640 / 750 = 0.85 in the two it was compared with.
    assert found["evidence"].iloc[0] == (
        "men in 1 unit far from their neighbouring semesters, 2,900 in all: 'PRESÍDIO A' 2,900 "
        "(2017-06: 650; 2018-06: "
        "640); places for men and men per place (that semester; the semesters compared): 'PRESÍDIO A' 750 (3.9; "
        "2017-06: 0.9; 2018-06: 0.9); men counted by age on the same form (that semester; the semesters compared): "
        "'PRESÍDIO A' – (2017-06: –; 2018-06: –); the same unit's women (that semester; the semesters compared): "
        "'PRESÍDIO A' – (2017-06: –; 2018-06: –); the state's men in all its units in 2017-12: 5,900 (2017-06: "
        "3,650; 2018-06: 3,640)")


def test_unit_rule_shows_places_as_each_semester_reported_them_and_a_dash_where_there_are_none():
    """A unit whose places grew with its people (a new wing) shows a steady number per place; blank or zero places
    give no ratio, never a division by zero."""
    units = _people(*_series("Presídio A", [700, 650, 2900, 640, 660], places=[700, 0, 2800, np.nan, 700]))
    assert _jumps(units)["evidence"].iloc[0].split("; men counted by age")[0].endswith(
        "(that semester; the semesters compared): 'PRESÍDIO A' 2,800 (1.0; 2017-06: –; 2018-06: –)")
    # places left blank in the semester found: a dash, not 0
    blank = _people(*_series("Presídio A", [700, 650, 2900, 640, 660], places=[700, 700, np.nan, 700, 700]))
    assert "per place (that semester; the semesters compared): 'PRESÍDIO A' – (–; 2017-06: 0.9; 2018-06: 0.9); " in (
        _jumps(blank)["evidence"].iloc[0])


def test_unit_rule_shows_the_units_people_counted_by_age_on_the_same_form():
    """Block 5.1 counts the unit's people a second time, by age group. Where it stays with the other semesters while
    block 4.1 jumps (2,900 against 655), one of the form's two counts is mistyped; a count left blank shows a dash."""
    units = _people(*_series("Presídio A", [700, 650, 2900, 640, 660], by_age=[700, 650, 655, np.nan, 660]))
    evidence = _jumps(units)["evidence"].iloc[0]
    assert ("; men counted by age on the same form (that semester; the semesters compared): 'PRESÍDIO A' 655 "
            "(2017-06: 650; 2018-06: –); the same unit's women" in evidence)


def test_unit_rule_shows_the_same_units_people_of_the_other_sex():
    """A count of women that falls while the same unit's men rise by about as many may be people entered under the
    wrong sex (a reviewer saw Curitiba's Patronato lose 2,957 women from June to December 2021 while Paraná's men
    rose): the finding on the women lists the unit's men in the same semesters."""
    men = _people(*_series("Presídio A", [100, 120, 3100, 110, 130]))
    women = _people(*_series("Presídio A", [3000, 3050, 40, 3020, 2990])).assign(sex="female")
    found = _jumps(pd.concat([men, women], ignore_index=True)).set_index("sex")["evidence"]
    assert ("; the same unit's men (that semester; the semesters compared): 'PRESÍDIO A' 3,100 (2017-06: 120; "
            "2018-06: 110); the state's women") in found["female"]
    assert ("; the same unit's women (that semester; the semesters compared): 'PRESÍDIO A' 40 (2017-06: 3,050; "
            "2018-06: 3,020); the state's men") in found["male"]
    for language in ("es", "pt"):  # each form of the text has a row in the translation table
        assert i18n.Translator(language).english(found["female"])


def test_unit_rule_lists_a_first_semester_the_next_two_do_not_confirm_and_groups_units_of_one_semester():
    units = _people(*_series("Presídio A", [17580, 4181, 6392, 4000, 4100]),
                    *_series("Presídio B", [5, 900, 950, 1000, 980]))
    found = _jumps(units)
    assert found["value"].tolist() == [17585.0]
    assert found["evidence"].iloc[0].startswith(
        "men in 2 units far from their neighbouring semesters, 17,585 in all: 'PRESÍDIO A' 17,580 (2017-06: 4,181; "
        "2017-12: 6,392), 'PRESÍDIO B' 5 (2017-06: 900; 2017-12: 950); places for men and men per place (that "
        "semester; the semesters compared): 'PRESÍDIO A' – (–; 2017-06: –; 2017-12: –), 'PRESÍDIO B' – (–; 2017-06: "
        "–; 2017-12: –); men counted by age on the same form (that semester; the semesters compared): 'PRESÍDIO A' – "
        "(2017-06: –; 2017-12: –), 'PRESÍDIO B' – (2017-06: –; 2017-12: –); the same unit's women (that semester; "
        "the semesters compared): 'PRESÍDIO A' – (2017-06: –; 2017-12: –), 'PRESÍDIO B' – (2017-06: –; 2017-12: –); "
        "the state's men in all its units in 2016-12: 17,585 (2017-06: 5,081)")


@pytest.mark.parametrize("counts", [
    [700, 650, 900, 640, 660],  # a rise under the ratio
    [100, 120, 400, 110, 130],  # 3 times, but fewer than 500 people away
    [700, 650, 2900, 2800, 2850],  # a new level the next semesters keep (a unit enlarged, people moved in)
    [650, 2900],  # too short a series to tell
], ids=["under-ratio", "small", "new-level", "short"])
def test_unit_rule_is_silent_where_units_change_level_or_jump_by_little(counts):
    assert _jumps(_people(*_series("Presídio A", counts))).empty


def test_unit_rule_lists_a_last_semester_that_drops_from_a_level_and_a_first_semester_of_nobody():
    """Both are questions, not errors: a unit emptied or not reported; a unit opening, or a report left empty. The
    state's count beside them tells whether its total moved."""
    dropped = _jumps(_people(*_series("Presídio A", [2700, 2900, 2800, 2850, 660])))
    assert dropped[["period", "value"]].values.tolist() == [["2018-12", 660.0]]
    opened = _jumps(_people(*_series("Presídio A", [None, 0, 900, 950, 1000])))
    assert opened[["period", "value"]].values.tolist() == [["2017-06", 0.0]]


def test_unit_rule_lists_two_semesters_in_a_row_far_from_the_semesters_around_them():
    """Mato Grosso do Sul's Gameleira as the files have it: 665 men, then 1 and 1, then 990. Each of the two is
    compared with the semesters around the two (a unit that reported one count for a year). Two semesters that do
    not agree with each other, or a new level the unit keeps, are not such a pair."""
    def gameleira(counts, places=(960,) * 6):
        periods = [*SEMESTERS, "2019-06"]
        return _people(*[(period, "Gameleira", CELLS, count, "Campo Grande", place)
                         for period, count, place in zip(periods, counts, places)])

    found = _jumps(gameleira([700, 665, 1, 1, 990, 1000], places=[960, 986, 1112, 1270, 900, 1503]))
    assert found[["period", "value"]].values.tolist() == [["2017-12", 1.0], ["2018-06", 1.0]]
    assert found["evidence"].iloc[1].startswith(
        "men in 1 unit far from their neighbouring semesters, 1 in all: 'GAMELEIRA' 1 (2017-06: 665; 2018-12: 990); "
        "places for men and men per place (that semester; the semesters compared): 'GAMELEIRA' 1,270 (0.0; "
        "2017-06: 0.7; 2018-12: 1.1)")
    assert _jumps(gameleira([700, 665, 1, 400, 990, 1000])).empty  # 400 is near the semester before the two...
    assert _jumps(gameleira([700, 665, 1, 1, 3, 2])).empty  # ... nor a level the unit keeps


def test_unit_rule_thresholds_are_parameters():
    units = _people(*_series("Presídio A", [700, 650, 2900, 640, 660]))
    assert _jumps(units, ratio=5.0).empty
    assert _jumps(units, min_change=2300).empty
    assert len(_jumps(units, ratio=4.0, min_change=2200)) == 1


# ---- one form's counts written twice ------------------------------------------------------------------------
def _forms(*units):
    """(period, unit name, kind, {(legal situation, sex): people}) -> tidy block 4.1 rows (state court) in state PB,
    and the units' people (UNIT_COLUMNS)."""
    rows = [{"period": period, "state": "PB", "unit_row": row, "unit_name": name, "municipality": "Sousa",
             "jurisdiction": "Estadual", "block": "population", "item": item, "court": "state", "sex": sex,
             "value": float(value), "kind": kind}
            for row, (period, name, kind, counts) in enumerate(units, start=2) for (item, sex), value in counts.items()]
    tidy = pd.DataFrame(rows).assign(unit=lambda t: plausibility.unit_keys(t))
    people = tidy.groupby(["period", "state", "municipality", "unit_name", "unit", "kind", "sex"], as_index=False)[
        "value"].sum().rename(columns={"value": "people"}).assign(places=np.nan, people_by_age=np.nan)
    return tidy, people[plausibility.UNIT_COLUMNS]


def _copies(tidy, units, min_people=100):
    return plausibility.unit_copy_findings(tidy, units, min_people, MEASURES, CELLS)


PRISON = {("closed", "male"): 90, ("pre_trial", "male"): 14, ("closed", "female"): 1}


def test_copy_rule_lists_a_pseudo_unit_given_its_prisons_counts_under_the_pseudo_units_measure():
    """A domiciliary pseudo-unit that reports, count by count, its prison's people: listed per sex under the
    people in home detention (the count the copy inflates), with both units' people in the semesters around."""
    tidy, units = _forms(("2020-12", "Penitenciária de Sousa", CELLS,
                          {("closed", "male"): 80, ("pre_trial", "male"): 20}),
                         ("2020-12", "Penitenciária de Sousa - DOMICILIAR", build.DOMICILIARY, {("open", "male"): 3}),
                         ("2021-06", "Penitenciária de Sousa", CELLS, PRISON),
                         ("2021-06", "Penitenciária de Sousa - DOMICILIAR", build.DOMICILIARY, PRISON),
                         ("2021-12", "Penitenciária de Sousa", CELLS, {("closed", "male"): 110}))
    found = _copies(tidy, units)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_copy", "PB", "2021-06", "people_domiciliary", "female", 1.0, "keep"],
        ["unit_copy", "PB", "2021-06", "people_domiciliary", "male", 104.0, "keep"]]
    assert found["evidence"].iloc[1] == (
        "men written twice, count by count, by 1 group of units, 104 in all (the men each reports, and how many "
        "counts of "
        "block 4.1 are alike): 'PENITENCIÁRIA DE SOUSA' = 'PENITENCIÁRIA DE SOUSA - DOMICILIAR' (104; 3); each "
        "unit's men in the semesters before and after: 'PENITENCIÁRIA DE SOUSA' (2020-12: 100; 2021-12: 110), "
        "'PENITENCIÁRIA DE SOUSA - DOMICILIAR' (2020-12: 3)")


@pytest.mark.parametrize("other, min_people", [
    ({("closed", "male"): 90, ("pre_trial", "male"): 14, ("closed", "female"): 2}, 100),  # one count differs
    ({("closed", "male"): 104}, 100),  # the same people in one count only: too common to be a copy
    (PRISON, 106),  # fewer people than the parameter asks
], ids=["one-count-differs", "one-count", "too-few"])
def test_copy_rule_is_silent_unless_every_count_is_the_same_in_two_counts_or_more(other, min_people):
    one = PRISON if other != {("closed", "male"): 104} else other
    tidy, units = _forms(("2021-06", "Presídio A", CELLS, one), ("2021-06", "Presídio B", CELLS, other))
    assert _copies(tidy, units, min_people).empty


def test_copy_rule_lists_two_prisons_and_a_known_error_of_another_unit_does_not_match_it():
    """Two prisons of one semester with the same counts: listed under the people in cells. A known error naming a
    third unit, on the same state, semester, measure and sex, is not this finding's: it stays a known_error row."""
    tidy, units = _forms(("2021-06", "Presídio A", CELLS, PRISON), ("2021-06", "Presídio B", CELLS, PRISON))
    found = _copies(tidy, units)
    assert found[["measure", "sex", "value"]].values.tolist() == [["people_in_cells", "female", 1.0],
                                                                  ["people_in_cells", "male", 104.0]]
    entry = {"id": "pb-x", "state": "PB", "period": "2021-06", "measure": "people_in_cells", "sex": "male",
             "published": 900.0, "action": "replace", "reason": "entry error", "found_in": "unit_jump",
             "unit": "Presídio C"}
    quality = plausibility.quality_table(found, pd.DataFrame([entry]), "keep", ())
    assert quality[["rule", "sex", "correction_id", "treatment"]].fillna("").values.tolist() == [
        ["known_error", "male", "pb-x", "replace"], ["unit_copy", "female", "", "keep"],
        ["unit_copy", "male", "", "keep"]]


# ---- the previous form's counts sent again -------------------------------------------------------------------
def _repeats(tidy, units, min_people=100):
    return plausibility.unit_repeat_findings(tidy, units, min_people, MEASURES)


def test_repeat_rule_lists_a_unit_whose_counts_are_its_previous_semesters_count_by_count():
    """Presídio A sends June's counts again in December (every count, both sexes); Presídio B's people move; the
    monitoring unit's one count (its men, its women left blank) repeats too, under its own measure."""
    monitoring = {("open", "male"): 2083}
    tidy, units = _forms(("2018-06", "Presídio A", CELLS, PRISON), ("2018-12", "Presídio A", CELLS, PRISON),
                         ("2018-06", "Presídio B", CELLS, {("closed", "male"): 300}),
                         ("2018-12", "Presídio B", CELLS, {("closed", "male"): 301}),
                         ("2018-06", "Monitoração", build.MONITORING, monitoring),
                         ("2018-12", "Monitoração", build.MONITORING, monitoring),
                         ("2019-06", "Presídio A", CELLS, {("closed", "male"): 95, ("pre_trial", "male"): 12}))
    found = _repeats(tidy, units)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_repeat", "PB", "2018-12", "people_in_cells", "female", 1.0, "keep"],
        ["unit_repeat", "PB", "2018-12", "people_electronic_monitoring", "male", 2083.0, "keep"],
        ["unit_repeat", "PB", "2018-12", "people_in_cells", "male", 104.0, "keep"]]
    assert found["evidence"].iloc[2] == (
        "104 men in 1 unit whose counts of block 4.1 are those of the semester the unit reported before, count by "
        "count (the men each reports, its places for men, how many counts are alike, and that semester): 'PRESÍDIO "
        "A' (104; –; 3; 2018-06); "
        "the state's men in all its units in 2018-12: 2,488 (2018-06: 2,487; 2019-06: 107)")
    assert found[plausibility.UNITS].iloc[1] == ("MONITORAÇÃO",)


@pytest.mark.parametrize("later, min_people", [
    ({("closed", "male"): 90, ("pre_trial", "male"): 14, ("closed", "female"): 2}, 100),  # one count differs
    ({("closed", "male"): 14, ("pre_trial", "male"): 90, ("closed", "female"): 1}, 100),  # the same numbers, moved
    (PRISON, 106),  # fewer people than the parameter asks
], ids=["one-count-differs", "counts-moved", "too-few"])
def test_repeat_rule_is_silent_unless_every_count_is_the_same_with_enough_people(later, min_people):
    tidy, units = _forms(("2018-06", "Presídio A", CELLS, PRISON), ("2018-12", "Presídio A", CELLS, later))
    found = _repeats(tidy, units, min_people)
    assert found[found["rule"] == plausibility.UNIT_REPEAT_RULE].empty


def test_the_same_numbers_under_other_legal_situations_are_listed_apart():
    """Tocantins's monitoring centre as the files have it: 334 men and 34 women in the open regime in December 2017
    and June 2018 (a repeat count by count), the same numbers in the semi-open regime in December 2018 (listed apart:
    both counts moved). A unit whose numbers moved but one changed, and one with too few people, are silent."""
    open_ = {("open", "male"): 334, ("open", "female"): 34}
    semi_open = {("semi_open", "male"): 334, ("semi_open", "female"): 34}
    tidy, units = _forms(("2017-12", "Central de Monitoramento", build.MONITORING, open_),
                         ("2018-06", "Central de Monitoramento", build.MONITORING, open_),
                         ("2018-12", "Central de Monitoramento", build.MONITORING, semi_open),
                         ("2018-06", "Presídio A", CELLS, PRISON),
                         ("2018-12", "Presídio A", CELLS, {("closed", "male"): 14, ("pre_trial", "male"): 90,
                                                           ("closed", "female"): 1}),
                         ("2019-06", "Presídio A", CELLS, {("closed", "male"): 14, ("pre_trial", "male"): 91,
                                                           ("closed", "female"): 1}))
    found = _repeats(tidy, units)
    assert found[["rule", "period", "measure", "sex", "value"]].values.tolist() == [
        ["unit_repeat", "2018-06", "people_electronic_monitoring", "female", 34.0],
        ["unit_repeat", "2018-06", "people_electronic_monitoring", "male", 334.0],
        ["unit_repeat_moved", "2018-12", "people_electronic_monitoring", "female", 34.0],
        ["unit_repeat_moved", "2018-12", "people_in_cells", "female", 1.0],
        ["unit_repeat_moved", "2018-12", "people_electronic_monitoring", "male", 334.0],
        ["unit_repeat_moved", "2018-12", "people_in_cells", "male", 104.0]]
    assert found["evidence"].iloc[4] == (
        "334 men in 1 unit whose counts of block 4.1 hold the numbers of the semester the unit reported before, "
        "court by court and sex by sex, some under another legal situation (the men each reports, its places for men, "
        "how many counts, how many of them moved, and that semester): 'CENTRAL DE MONITORAMENTO' (334; –; 2; 2; "
        "2018-06); the state's men in all its units in 2018-12: 438 (2018-06: 438; 2019-06: 105)")
    assert found["evidence"].iloc[5].endswith(
        "'PRESÍDIO A' (104; –; 3; 2; 2018-06); the state's men in all its units in 2018-12: 438 (2018-06: 438; "
        "2019-06: 105)")
    # A unit's places for that sex, where it gives them: Ribeirão das Neves I, a public-private prison paid by the
    # place occupied, holds 672 men in its 672 places in June and December 2021.
    units.loc[(units["unit_name"] == "Presídio A") & (units["sex"] == "male") & (units["period"] == "2018-12"),
              "places"] = 104.0
    assert "'PRESÍDIO A' (104; 104; 3; 2; 2018-06)" in _repeats(tidy, units)["evidence"].iloc[5]
    assert _repeats(tidy, units, min_people=369)["rule"].tolist() == []


def test_repeat_rule_compares_a_unit_with_its_own_semesters_only():
    """Another unit's counts of the semester before (a copy across units is unit_copy's), and a name two units share
    in one semester (which of them is followed cannot be told), are not repeats."""
    tidy, units = _forms(("2018-06", "Presídio A", CELLS, PRISON), ("2018-12", "Presídio B", CELLS, PRISON))
    assert _repeats(tidy, units).empty
    tidy, units = _forms(("2018-06", "Presídio A", CELLS, PRISON), ("2018-12", "Presídio A", CELLS, PRISON),
                         ("2018-12", "Presídio A", CELLS, {("closed", "male"): 7}))
    assert _repeats(tidy, units).empty



# ---- units followed across a new name ----------------------------------------------------------------------
def _unit_list(*units):
    """(period, state, municipality, name, class, people) -> one row per unit and semester, as build.unit_list."""
    return pd.DataFrame([{"period": period, "unit_row": row, "state": state, "municipality": municipality,
                          "unit_name": name, "kind": kind, "people": float(people)}
                         for row, (period, state, municipality, name, kind, people) in enumerate(units)])


def test_a_name_that_gains_or_loses_words_is_one_unit_renamed():
    """Minas Gerais's and Goiás's new names of December 2020 as the files write them; a chain of two renames is one
    unit; accents and case aside in the municipality too."""
    units = _unit_list(("2020-06", "MG", "Caeté", "PRESIDIO DE CAETE", CELLS, 150),
                       ("2020-12", "MG", "Caeté", "Presídio de Caeté I", CELLS, 148),
                       ("2020-06", "GO", "Uruaçu", "Unidade Prisional de Uruaçu", CELLS, 300),
                       ("2020-12", "GO", "URUACU", "Unidade Prisional Regional de Uruaçu", CELLS, 310),
                       ("2021-06", "GO", "URUACU", "Unidade Prisional Regional de Uruaçu", CELLS, 305),
                       ("2019-12", "SE", "Aracaju", "COMPAJAF - Complexo Penitenciário Antônio Jacinto", CELLS, 537),
                       ("2020-06", "SE", "Aracaju", "Complexo Penitenciário Antônio Jacinto", CELLS, 500),
                       ("2020-12", "SE", "Aracaju", "Complexo Penitenciário Antônio Jacinto - CPAJ", CELLS, 434))
    renamed = plausibility.renamed_units(units)
    assert renamed[["state", "period_before", "unit_name_before", "period", "unit_name", "words_left_out",
                    "words_added", "people_before", "people"]].values.tolist() == [
        ["SE", "2019-12", "COMPAJAF - Complexo Penitenciário Antônio Jacinto", "2020-06",
         "Complexo Penitenciário Antônio Jacinto", "COMPAJAF", "", 537.0, 500.0],
        ["GO", "2020-06", "Unidade Prisional de Uruaçu", "2020-12", "Unidade Prisional Regional de Uruaçu", "",
         "REGIONAL", 300.0, 310.0],
        ["MG", "2020-06", "PRESIDIO DE CAETE", "2020-12", "Presídio de Caeté I", "", "I", 150.0, 148.0],
        ["SE", "2020-06", "Complexo Penitenciário Antônio Jacinto", "2020-12",
         "Complexo Penitenciário Antônio Jacinto - CPAJ", "", "CPAJ", 500.0, 434.0]]
    keys = plausibility.unit_keys(units, renamed)
    assert keys.tolist() == ["Caeté | PRESIDIO DE CAETE"] * 2 + ["Uruaçu | Unidade Prisional de Uruaçu"] * 3 + [
        "Aracaju | COMPAJAF - Complexo Penitenciário Antônio Jacinto"] * 3
    # Without the renames, each name is a unit of its own.
    assert plausibility.unit_keys(units).nunique() == 7


@pytest.mark.parametrize("units", [
    [("2020-06", "PA", "Santa Izabel", "CENTRO DE RECUPERAÇÃO DO PARÁ I", CELLS, 600),  # words of both left out
     ("2020-12", "PA", "Santa Izabel", "CENTRO DE RECUPERAÇÃO DO PARÁ IV", CELLS, 590)],
    [("2020-06", "SP", "Potim", "Penitenciária de Potim", CELLS, 900),  # two new names for one old name
     ("2020-12", "SP", "Potim", "Penitenciária I de Potim", CELLS, 450),
     ("2020-12", "SP", "Potim", "Penitenciária II de Potim", CELLS, 450)],
    [("2020-06", "PR", "Curitiba", "PATRONATO CENTRAL DE CURITIBA", build.PATRONATO, 23_402),  # another class
     ("2020-12", "PR", "Curitiba", "PATRONATO CENTRAL DE CURITIBA - DOMICILIAR", build.DOMICILIARY, 9_000)],
    [("2020-06", "MG", "Caeté", "PRESIDIO DE CAETE", CELLS, 150),  # another municipality
     ("2020-12", "MG", "Sabará", "Presídio de Caeté I", CELLS, 148)],
    [("2019-12", "MG", "Caeté", "PRESIDIO DE CAETE", CELLS, 150),  # a semester between them
     ("2020-12", "MG", "Caeté", "Presídio de Caeté I", CELLS, 148),
     ("2020-06", "MG", "Caeté", "Cadeia Pública de Caeté", CELLS, 20)],
    [("2020-06", "MG", "Caeté", "PRESIDIO DE CAETE", CELLS, 150),  # the old name used again later
     ("2020-12", "MG", "Caeté", "Presídio de Caeté I", CELLS, 148),
     ("2021-06", "MG", "Caeté", "PRESIDIO DE CAETE", CELLS, 150)],
], ids=["other-words", "two-new-names", "other-class", "other-municipality", "not-next-semester", "old-name-back"])
def test_names_that_may_be_two_units_are_not_followed(units):
    assert plausibility.renamed_units(_unit_list(*units)).empty


def test_the_repeat_rule_follows_a_unit_across_its_new_name():
    """A unit that sends June's counts again in December under its new name is a repeat; followed by its exact name
    only (follow_renamed_units: false), it is two units and nothing is found."""
    tidy, units = _forms(("2020-06", "PRESIDIO DE SOUSA", CELLS, PRISON),
                         ("2020-12", "Presídio de Sousa I", CELLS, PRISON))
    assert _repeats(tidy, units).empty
    renamed = plausibility.renamed_units(tidy.drop_duplicates(["period", "unit_row"]).assign(people=0.0))
    followed = lambda t: t.assign(unit=plausibility.unit_keys(t, renamed))  # noqa: E731
    found = _repeats(followed(tidy), followed(units))
    assert found[["rule", "period", "sex", "value"]].values.tolist() == [
        ["unit_repeat", "2020-12", "female", 1.0], ["unit_repeat", "2020-12", "male", 104.0]]
    assert "'PRESÍDIO DE SOUSA I' (104; –; 3; 2020-06)" in found["evidence"].iloc[1]

# ---- one sex's counts typed into the other's columns --------------------------------------------------------
def test_sex_copy_rule_lists_a_unit_whose_women_are_its_men_count_by_count():
    """Paraíba's monitoring unit in December 2016 as the file has it: 121 women and 121 men in one count; 2 and 2 six
    months later (too few to list), 11 women and 58 men a year after that. A prison with as many women as men in its
    total but not count by count is silent."""
    tidy, units = _forms(("2016-12", "Centro de Monitoramento", build.MONITORING,
                          {("open", "female"): 121, ("open", "male"): 121}),
                         ("2017-06", "Centro de Monitoramento", build.MONITORING,
                          {("open", "female"): 2, ("open", "male"): 2}),
                         ("2018-06", "Centro de Monitoramento", build.MONITORING,
                          {("open", "female"): 11, ("open", "male"): 58}),
                         ("2016-12", "Presídio Misto", CELLS, {("closed", "female"): 60, ("pre_trial", "female"): 40,
                                                               ("closed", "male"): 40, ("pre_trial", "male"): 60}))
    found = plausibility.unit_sex_copy_findings(tidy, units, 20, MEASURES)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_sex_copy", "PB", "2016-12", "people_electronic_monitoring", "female", 121.0, "keep"]]
    assert found["evidence"].iloc[0] == (
        "121 women in a unit whose count of women repeats its count of men, count by count in every legal situation "
        "and court (1 count): "
        "'CENTRO DE MONITORAMENTO'; the unit's women / men in the semesters before and after: 2017-06: 2 / 2")
    assert plausibility.unit_sex_copy_findings(tidy, units, 122, MEASURES).empty  # fewer women than asked


# ---- a unit with no row in a semester between two that list it ---------------------------------------------
def test_absent_rule_lists_a_unit_missing_from_a_semester_between_two_that_list_it():
    """Rio de Janeiro's Oscar Stevenson as the files have it: 713 in one semester, no row in the next two, 517 after
    (a finding in each missing semester, its people as in the semester before). A unit with a row of zero people is
    not absent; one missing with fewer than the minimum on one side is not listed; a unit's last semester is no gap."""
    units = _people(*_series("Instituto Penal Oscar Stevenson", [713, None, None, 517, 520]),
                    *_series("Presídio B", [600, 610, 0, 600, 590]),
                    *_series("Presídio Pequeno", [49, None, 80, 80, 80]),
                    *_series("Cadeia Fechada", [300, 300, 300, None, None]),
                    *_series("Presídio Misto", [130, None, 120, 120, 120]))
    # Presídio Misto's 2017-06 row holds women only (Jaguarão, June 2018): a row, its men's counts left blank.
    units = pd.concat([units, units[units["unit_name"] == "Presídio Misto"].iloc[:1].assign(
        period="2017-06", sex="female", people=9.0)], ignore_index=True)
    found = plausibility.unit_absent_findings(units, 50, MEASURES)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_absent", "AM", "2017-06", "people_in_cells", "male", 713.0, "keep"],
        ["unit_absent", "AM", "2017-12", "people_in_cells", "male", 713.0, "keep"]]
    assert found["evidence"].iloc[1] == (
        "713 men in 1 unit with no row in this semester's file, listed before and after it (the men each reported "
        "in the semester before; in the semester after): 'INSTITUTO PENAL OSCAR STEVENSON' (2016-12: 713; 2018-06: "
        "517); the state's men in all its units in 2017-12: 500 (2017-06: 910; 2018-06: 1,317)")
    # Without the chapter's national counts, the units' own: 610 + 300 in 2017-06, 0 + 80 + 300 + 120 in 2017-12.
    assert found["effect"].iloc[1] == ("missing from the count, nothing estimated: the file has no row for these units "
                                       "in 2017-12; the nation's men in this measure that semester: 500 (the semester "
                                       "before: 910)")
    national = pd.Series({("people_in_cells", "2017-12", "male"): 29_000,
                          ("people_in_cells", "2017-06", "male"): 30_000})
    assert plausibility.unit_absent_findings(units, 50, MEASURES, national)["effect"].iloc[1].endswith(
        "that semester: 29,000 (the semester before: 30,000)")
    assert plausibility.unit_absent_findings(units, 518, MEASURES).empty  # 517 after the gap: fewer than asked
    without_its_women = plausibility.unit_absent_findings(units[units["sex"] == "male"], 50, MEASURES)
    assert without_its_women[["period", "value"]].values.tolist() == [["2017-06", 843.0], ["2017-12", 713.0]]
    for language in ("es", "pt"):
        translator = i18n.Translator(language)
        for column in ("evidence", "effect"):
            assert translator.english(found[column].iloc[1]) != found[column].iloc[1], (language, column)


def test_the_units_missing_from_a_semester_in_the_real_files():
    """The absent-unit rule on the 12 SISDEPEN files: 10 rows. A reviewer found Curitiba's Patronato missing from
    December 2019 with nothing to flag it. An independent recount from the raw xlsx files (a helper that did not read
    the pipeline) found the same units with the same counts, none of them under another name in its gap, and one more
    that is not absent: Rio Grande do Sul's Jaguarão has a row in June 2018 (9 women, its men's counts left empty),
    which the rule listed until it told the two apart.
    Rio de Janeiro's women's Oscar Stevenson has no row in December 2020 and June 2021: its 713 women are 40% of the
    fall of 1,764 in the national count of women in cells from June to December 2020."""
    quality = interim.read("brazil", "quality")
    found = quality[quality["rule"] == "unit_absent"]
    assert found.set_index(["state", "period", "measure", "sex"])["value"].to_dict() == {
        ("GO", "2017-06", "people_in_cells", "female"): 57, ("MG", "2017-06", "people_in_cells", "male"): 82,
        ("MS", "2017-12", "people_in_cells", "male"): 267, ("MT", "2017-06", "people_in_cells", "male"): 324,
        ("PB", "2017-12", "people_in_cells", "male"): 213, ("PR", "2019-12", "people_patronato", "female"): 475,
        ("PR", "2019-12", "people_patronato", "male"): 960, ("RJ", "2020-12", "people_in_cells", "female"): 713,
        ("RJ", "2021-06", "people_in_cells", "female"): 713, ("RO", "2017-06", "people_in_cells", "male"): 73}
    assert set(found["treatment"]) == {"keep"} and not found["known_error"].any()
    rio = found[(found["state"] == "RJ") & (found["period"] == "2020-12")].iloc[0]
    assert "'INSTITUTO PENAL OSCAR STEVENSON - SEAPOS' (2020-06: 713; 2021-12: 517)" in rio["evidence"]
    assert rio["effect"].endswith("the nation's women in this measure that semester: 28,688 (the semester before: "
                                  "30,452)")
    in_cells = interim.read("brazil", "in_cells").set_index("period")["female"]
    assert (in_cells["2020-06"], in_cells["2020-12"]) == (30_452, 28_688)
    patronato = found[(found["state"] == "PR") & (found["sex"] == "male")].iloc[0]
    assert "'PATRONATO CENTRAL DE CURITIBA - PCTA' (2019-06: 960; 2020-06: 23,402)" in patronato["evidence"]


# ---- one form's two counts of a unit's people far apart -----------------------------------------------------
def _gaps(units, ratio=2.0, min_people=100):
    return plausibility.unit_count_gap_findings(units, ratio, min_people, MEASURES)


def test_two_counts_rule_lists_a_semester_whose_people_by_legal_situation_leave_its_age_count_and_neighbours():
    """Caridade (CE, June 2021) as the files have it: 417 men by legal situation, 45 by age group, and 44 / 44 and
    49 / 49 in the semesters around. A second unit keeps its level (and its gap, an age block left partly filled)."""
    units = _people(*_series("Cadeia Pública de Caridade", [40, 44, 417, 49, 47], places=[34] * 5,
                             by_age=[40, 44, 45, 49, 47]),
                    *_series("Presídio B", [600, 610, 620, 600, 590], by_age=[200, 210, 205, 190, 195]))
    found = _gaps(units)
    assert found[["rule", "state", "period", "measure", "sex", "value", "treatment"]].values.tolist() == [
        ["unit_count_gap", "AM", "2017-12", "people_in_cells", "male", 417.0, "keep"]]
    assert found["evidence"].iloc[0] == (
        "417 men in 1 unit whose count by legal situation (block 4.1) is far above the same form's count by age "
        "group (block 5.1), while the two counts agree in the semesters around (by legal situation / by age group, "
        "that semester; the semesters around): 'CADEIA PÚBLICA DE CARIDADE' 417 / 45 (2017-06: 44 / 44; 2018-06: "
        "49 / 49); places for men that semester: 'CADEIA PÚBLICA DE CARIDADE' 34; the state's men in all its units "
        "in 2017-12: 1,037 (2017-06: 654; 2018-06: 649)")


def test_two_counts_rule_compares_a_first_or_last_semester_with_its_one_neighbour_and_groups_units():
    units = _people(*_series("Presídio A", [353, 157, 160, None, None], by_age=[41, 157, 160, None, None]),
                    *_series("Presídio B", [None, None, 104, 104, 210], by_age=[None, None, 104, 104, 105]),
                    *_series("Presídio C", [None, None, None, None, 331], by_age=[None, None, None, None, 72]))
    found = _gaps(units)
    assert found[["period", "value"]].values.tolist() == [["2016-12", 353.0], ["2018-12", 210.0]]
    assert "'PRESÍDIO A' 353 / 41 (2017-06: 157 / 157); places for men that semester: 'PRESÍDIO A' –;" in (
        found["evidence"].iloc[0])
    assert "'PRESÍDIO B' 210 / 105 (2018-06: 104 / 104)" in found["evidence"].iloc[1]  # C: no semester to compare


@pytest.mark.parametrize("counts, by_age", [
    ([600, 610, 620, 600, 590], [600, 610, 150, 600, 590]),  # the age block left partly filled, people at their level
    ([40, 44, 417, 49, 47], [40, 44, 400, 49, 47]),  # both counts rise together (people moved in)
    ([40, 44, 417, 49, 47], [40, 44, np.nan, 49, 47]),  # no age count that semester: nothing to compare
    ([40, 44, 417, 49, 47], [40, 10, 45, 49, 47]),  # the semester before disagrees with itself: no level to trust
    ([40, 44, 130, 49, 47], [40, 44, 45, 49, 47]),  # 85 people apart: under the minimum
    ([40, 70, 140, 75, 47], [40, 70, 45, 75, 47]),  # a rise under the ratio against the semesters around
], ids=["age-block-partly-filled", "both-rise", "no-age-count", "neighbour-disagrees", "small", "under-ratio"])
def test_two_counts_rule_is_silent_unless_one_count_alone_leaves_the_units_level(counts, by_age):
    assert _gaps(_people(*_series("Presídio A", counts, by_age=by_age))).empty


def test_two_counts_rule_thresholds_are_parameters():
    units = _people(*_series("Presídio A", [40, 44, 417, 49, 47], by_age=[40, 44, 45, 49, 47]))
    assert len(_gaps(units)) == 1
    assert _gaps(units, ratio=8.6).empty  # 417 / 49 = 8.51, against the larger of the semesters around
    assert _gaps(units, min_people=373).empty  # 417 - 45 = 372
    assert len(_gaps(units, ratio=8.5, min_people=372)) == 1


# ---- known errors in one unit's people ----------------------------------------------------------------------
UNIT = "Presídio Um - P1"


def _tidy_units(counts):
    """Block 4.1 rows of state PE: {(period, unit, sex): {legal situation: people}}, plus one incidence row each."""
    rows = []
    for row, ((period, unit, sex), situations) in enumerate(counts.items()):
        for item, value in situations.items():
            rows.append({"period": period, "state": "PE", "unit_row": row, "unit_name": unit, "municipality": "Recife",
                         "jurisdiction": "Estadual", "block": "population", "item": item, "court": "Estadual",
                         "sex": sex, "value": float(value), "kind": "cells"})
        rows.append({**rows[-1], "block": "incidences", "item": "GRUPO: x", "value": 7.0})
    return pd.DataFrame(rows).assign(unit=lambda t: plausibility.unit_keys(t))


TIDY = _tidy_units({("2016-12", UNIT, "male"): {"closed": 17_580, "pre_trial": 0},
                    ("2016-12", UNIT, "female"): {"closed": 40, "pre_trial": 0},
                    ("2016-12", "Presídio Dois", "male"): {"closed": 1_750, "pre_trial": 0},
                    ("2017-06", UNIT, "male"): {"closed": 3_075, "pre_trial": 1_106},
                    ("2017-06", UNIT, "female"): {"closed": 45, "pre_trial": 0},
                    ("2017-06", "Presídio Dois", "male"): {"closed": 1_581, "pre_trial": 0},
                    ("2017-12", UNIT, "male"): {"closed": 5_208, "pre_trial": 1_184}})


def _entry(period="2016-12", action="replace", unit=UNIT, sex="male", published=17_580.0, entry_id="pe-x"):
    return {"id": entry_id, "state": "PE", "period": period, "measure": "people_in_cells", "sex": sex,
            "published": published, "action": action, "reason": "entry error", "found_in": "unit_jump", "unit": unit}


def _unit_table(tidy):
    population = tidy[tidy["block"] == "population"]
    return population.groupby(["period", "state", "municipality", "unit_name", "unit", "kind", "sex"], as_index=False)[
        "value"].sum().rename(columns={"value": "people"}).assign(places=np.nan, people_by_age=np.nan)[
        plausibility.UNIT_COLUMNS]


def _by_state(tidy):
    population = tidy[tidy["block"] == "population"]
    return population.assign(measure="people_in_cells").groupby(["state", "period", "measure", "sex"],
                                                                as_index=False)["value"].sum()


def test_a_unit_of_the_first_semester_is_replaced_by_its_next_one_in_every_legal_situation():
    entries = pd.DataFrame([_entry()])
    sources = plausibility.unit_sources(_unit_table(TIDY), entries)
    assert sources.values.tolist() == [["pe-x", "2017-06"]]  # no earlier semester: the first later one
    corrected = plausibility.correct_units(TIDY, entries, sources)
    unit = corrected[(corrected["unit_name"] == UNIT) & (corrected["period"] == "2016-12")
                     & (corrected["block"] == "population")]
    assert unit.groupby("sex")["value"].sum().to_dict() == {"female": 40.0, "male": 4_181.0}  # women untouched
    assert unit[unit["sex"] == "male"].set_index("item")["value"].to_dict() == {"closed": 3_075.0, "pre_trial": 1_106.0}
    untouched = ~((TIDY["unit_name"] == UNIT) & (TIDY["period"] == "2016-12") & (TIDY["sex"] == "male")
                  & (TIDY["block"] == "population"))
    pd.testing.assert_frame_equal(corrected.iloc[:untouched.sum()].reset_index(drop=True),
                                  TIDY[untouched].reset_index(drop=True))  # incidences, other units, other semesters
    assert corrected.dtypes.to_dict() == TIDY.dtypes.to_dict()
    effects = plausibility.unit_effects(entries, sources, _unit_table(TIDY), _by_state(TIDY), _by_state(corrected))
    assert effects == {"pe-x": "replaced: 'PRESÍDIO UM - P1', 17,580 men in 2016-12 as published, counted as its 4,181 "
                               "of 2017-06 (each legal situation as then); the state's count: 5,931 instead of 19,330; "
                               "the national count: 5,931 instead of 19,330"}


def test_a_later_unit_error_takes_the_last_earlier_semester_that_no_entry_corrects():
    entries = pd.DataFrame([_entry(), _entry("2017-12", published=6_392.0, entry_id="pe-y")])
    assert plausibility.unit_sources(_unit_table(TIDY), entries).values.tolist() == [["pe-x", "2017-06"],
                                                                                     ["pe-y", "2017-06"]]
    both = pd.DataFrame([_entry(), _entry("2017-06", published=4_181.0, entry_id="pe-y"),
                         _entry("2017-12", published=6_392.0, entry_id="pe-z")])
    with pytest.raises(PipelineError, match=r"correction 'pe-x': the unit 'Presídio Um - P1' \(PE\) has no other "
                                            r"semester with men to replace 2016-12 by"):
        plausibility.unit_sources(_unit_table(TIDY), both)


def test_a_unit_left_out_and_a_unit_kept():
    left_out = pd.DataFrame([_entry(action="exclude")])
    corrected = plausibility.correct_units(TIDY, left_out, plausibility.unit_sources(_unit_table(TIDY), left_out))
    assert _by_state(corrected).set_index(["period", "sex"])["value"][("2016-12", "male")] == 1_750
    effects = plausibility.unit_effects(left_out, plausibility.unit_sources(_unit_table(TIDY), left_out),
                                        _unit_table(TIDY), _by_state(TIDY), _by_state(corrected))
    assert effects["pe-x"].startswith("left out: 'PRESÍDIO UM - P1', 17,580 men in 2016-12 as published; the state's "
                                      "count: 1,750 instead of 19,330")
    kept = pd.DataFrame([_entry(action="keep")])
    assert plausibility.unit_entries(kept).empty
    assert plausibility.correct_units(TIDY, plausibility.unit_entries(kept), pd.DataFrame(
        columns=["id", "source_period"])) is TIDY


def test_a_unit_entry_treats_its_unit_jump_finding_and_no_state_semester():
    finding = {**_finding("unit_jump", "PE", "2016-12", "people_in_cells", 17_580.0), "treatment": "keep",
               "evidence": f"men in 1 unit far from their neighbouring semesters, 17,580 in all: "
                           f"'{UNIT.upper()}' 17,580",
               plausibility.UNITS: (UNIT.upper(),)}
    incidences = _finding("spike", "MA", "2019-12")
    known = pd.DataFrame([_entry(), {**_entry(), "id": "ma-x", "state": "MA", "period": "2019-12", "unit": None,
                                     "measure": "all_offence_incidences", "action": "outlier_treatment"}])
    table = plausibility.quality_table(pd.DataFrame([finding, incidences]), known, "exclude",
                                       (*build.INCIDENCE_MEASURES, plausibility.RATE_MEASURE))
    assert table[["rule", "state", "correction_id", "treatment"]].values.tolist() == [
        ["spike", "MA", "ma-x", "exclude"], ["unit_jump", "PE", "pe-x", "replace"]]
    assert plausibility.treated_state_periods(table).values.tolist() == [["MA", "2019-12", "exclude"]]


def test_a_unit_entry_on_a_finding_of_several_units_says_which_it_leaves_as_published():
    """A finding that lists three units, with an entry for one of them: the entry's effect, then the two others,
    counted as published (Rio Grande do Sul's two-counts finding of December 2016 lists two units and has an entry for
    one). With an entry for a second unit too, each effect names only the unit no entry corrects."""
    names = (UNIT.upper(), "PRESÍDIO DOIS", "PRESÍDIO TRÊS")
    finding = {**_finding("unit_count_gap", "PE", "2016-12", "people_in_cells", 17_900.0), "treatment": "keep",
               "evidence": "17,900 men in 3 units ...", plausibility.UNITS: names}
    one = plausibility.quality_table(pd.DataFrame([finding]), pd.DataFrame([_entry()]), "keep", (),
                                     {"pe-x": "replaced: 'PRESÍDIO UM - P1', ..."})
    assert one[["rule", "correction_id", "treatment", "effect"]].values.tolist() == [
        ["unit_count_gap", "pe-x", "replace", "replaced: 'PRESÍDIO UM - P1', ...; not corrected, counted as published: "
                                              "'PRESÍDIO DOIS', 'PRESÍDIO TRÊS'"]]
    two = plausibility.quality_table(
        pd.DataFrame([finding]), pd.DataFrame([_entry(), _entry(unit="Presídio Três", entry_id="pe-y", published=5.0)]),
        "keep", (), {"pe-x": "replaced: 'PRESÍDIO UM - P1', ...", "pe-y": "replaced: 'PRESÍDIO TRÊS', ..."})
    assert two.set_index("correction_id")["effect"].to_dict() == {
        "pe-x": "replaced: 'PRESÍDIO UM - P1', ...; not corrected, counted as published: 'PRESÍDIO DOIS'",
        "pe-y": "replaced: 'PRESÍDIO TRÊS', ...; not corrected, counted as published: 'PRESÍDIO DOIS'"}
    # A finding that does not list the entry's unit is not its own (the entry stays a known_error row).
    elsewhere = plausibility.quality_table(pd.DataFrame([{**finding, plausibility.UNITS: names[1:]}]),
                                           pd.DataFrame([_entry()]), "keep", ())
    assert elsewhere[["rule", "correction_id"]].fillna("").values.tolist() == [["known_error", "pe-x"],
                                                                                ["unit_count_gap", ""]]


def test_a_unit_entry_is_checked_against_the_units_count_as_published(tmp_path, monkeypatch):
    path = tmp_path / "sisdepen.yaml"
    monkeypatch.setattr(plausibility, "CORRECTIONS", path)
    text = ("- id: pe-x\n  state: PE\n  period: '2016-12'\n  measure: people_in_cells\n  sex: male\n"
            f"  unit: {UNIT}\n  published: {{published}}\n  action: replace\n  reason: r\n  found_in: f\n"
            "  status: {{state: open}}\n")
    path.write_text(text.format(published=17580), encoding="utf-8")
    known = plausibility.load_corrections(_by_state(TIDY), _unit_table(TIDY))
    assert known[["id", "unit", "published", "action"]].values.tolist() == [["pe-x", UNIT, 17_580.0, "replace"]]
    path.write_text(text.format(published=17581), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"correction 'pe-x' .* published value 17,581, but the file now has "
                                            r"17,580: the publisher may have fixed or revised it"):
        plausibility.load_corrections(_by_state(TIDY), _unit_table(TIDY))
    twins = pd.concat([TIDY, TIDY.assign(municipality="Olinda")], ignore_index=True)
    path.write_text(text.format(published=17580), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"PE 2016-12 has 2 units named 'Presídio Um - P1' \(in Olinda, Recife\)"):
        plausibility.load_corrections(_by_state(twins), _unit_table(twins))


@pytest.mark.parametrize("change, message", [
    ({"measure": "all_offence_incidences"}, r"^entry 'pe-x': a unit's entry corrects its people: 'measure' must be a "
                                            r"count of people \(people_in_cells, .*\), not 'all_offence_incidences'$"),
    ({"action": "outlier_treatment"}, r"^entry 'pe-x': a unit's entry states its own action: keep \| exclude"),
])
def test_a_unit_entry_must_name_a_count_of_people_and_its_own_action(change, message, tmp_path):
    import yaml

    from pipeline import corrections
    path = tmp_path / "sisdepen.yaml"
    path.write_text(yaml.safe_dump([{**_entry(), **change, "status": {"state": "open"}}], allow_unicode=True),
                    encoding="utf-8")
    with pytest.raises(PipelineError) as error:
        corrections.load(path, corrections.SisdepenCorrection)
    assert re.match(message, error.value.problem) and error.value.file == path


def test_the_notebook_shows_each_rules_largest_finding_as_the_data_give_it():
    """The notebook once named Pernambuco's CRA (December 2018, 15,917 offences of 1,392 men) and Maranhão's women's
    unit of Pedrinhas as fixed text; the examples now come from the quality table. Coverage (value: a share, where
    less is worse) is left out; a long evidence is cut with a mark."""
    quality = pd.DataFrame([
        ("spike", "MA", "2019-12", "male", 330932.0, "23 times six months before"),
        ("spike", "RS", "2018-06", "female", 336.0, "small"),
        ("coverage", "PE", "2016-12", "male", 10.0, "the units that report hold 10%"),
        ("unit_incidence_jump", "PE", "2018-12", "male", 15917.0, "x" * 12),
    ], columns=["rule", "state", "period", "sex", "value", "evidence"])
    shown = plausibility.largest_findings(quality, evidence_chars=10)
    assert shown.values.tolist() == [
        ["spike", "MA", "2019-12", "male", 330932.0, "23 times s …"],
        ["unit_incidence_jump", "PE", "2018-12", "male", 15917.0, "xxxxxxxxxx …"]]
    real = plausibility.largest_findings(interim.read_all("brazil")["quality"])
    assert real.set_index("rule").loc["unit_incidence_jump", ["state", "period", "value"]].tolist() == \
        ["PE", "2018-12", 15917.0]
    assert real.set_index("rule").loc["unit_incidence_sex", ["state", "period", "sex", "value"]].tolist() == \
        ["MA", "2018-12", "male", 321.0]
    assert real.set_index("rule").loc["unit_absent", ["state", "period", "sex", "value"]].tolist() == \
        ["PR", "2019-12", "male", 960.0]
    assert "coverage" not in set(real["rule"]) and len(real) == 14


def test_only_moves_that_leave_cells_count_against_the_fall_in_cells():
    moves = pd.DataFrame([
        {"identity": "a", "period_before": "2020-06", "period": "2020-12", "sex": "male", "people_before": 300.0,
         "classes_before": frozenset({"cells"}), "classes_after": frozenset({"domiciliary"})},
        {"identity": "b", "period_before": "2020-06", "period": "2020-12", "sex": "male", "people_before": 50.0,
         "classes_before": frozenset({"cells"}), "classes_after": frozenset({"electronic_monitoring"})},
        {"identity": "c", "period_before": "2020-06", "period": "2020-12", "sex": "male", "people_before": 70.0,
         "classes_before": frozenset({"domiciliary"}), "classes_after": frozenset({"cells"})},  # into cells
        {"identity": "d", "period_before": "2020-06", "period": "2020-12", "sex": "male", "people_before": 90.0,
         "classes_before": frozenset({"patronato"}), "classes_after": frozenset({"domiciliary"})}])  # cells neither
    in_cells = pd.Series({("2020-06", "male"): 1_000.0, ("2020-12", "male"): 600.0})
    moved = plausibility.moved_out_of_cells(moves, in_cells, "cells")
    assert moved.values.tolist() == [["2020-06", "2020-12", "male", 2, 350.0, 1_000.0, 600.0]]
    assert plausibility.moved_out_of_cells(moves, None, "cells").empty
