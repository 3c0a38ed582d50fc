"""Brazil rules on small generated frames (each fires on bad data and stays silent on clean data), the
monitoring-claim arithmetic, parameter checks, and bad inputs through the real entry points
(`python -m pipeline.sources.sisdepen`, `python -m pipeline.brazil`), as the fault suite runs them.

The numbers these rules give on the real files are pinned in tests/test_sisdepen.py."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from faults import corpus

from pipeline import brazil, brazil_claim, brazil_quality, params, paths
from pipeline.brazil_reconcile import check_incidences_against_reports
from pipeline.errors import PipelineError
from pipeline.sources import sisdepen
from pipeline.settings import Brazil

SETTINGS = params.read(Brazil)
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
    rates = brazil_quality.incidence_rates(*_units({**CLEAN, "MA": [1.2, 27.7, 5.0, 7.8]}))
    found = brazil_quality.per_capita_findings(rates, 3.0)
    assert found[["state", "period"]].values.tolist() == [["MA", "2019-12"], ["MA", "2020-06"], ["MA", "2020-12"]]
    assert found["value"].tolist() == [27.7, 5.0, 7.8]
    assert "limit 3 times the median" in found["evidence"].iloc[0]
    # the spike rule, by contrast, sees only the one-semester spike
    series = rates.assign(measure="all_offence_incidences", value=rates["incidences"])
    spikes = brazil_quality.detect_outliers(series[series["state"] == "MA"], 5.0, 1000)
    assert spikes["period"].tolist() == ["2019-12"]


def test_per_capita_rule_is_silent_on_clean_states():
    rates = brazil_quality.incidence_rates(*_units(CLEAN))
    assert brazil_quality.per_capita_findings(rates, 3.0).empty


def test_per_capita_rate_counts_only_people_in_units_that_report():
    people, incidences = _units({"AA": [1.0]}, periods=["2020-06"])
    silent_unit = pd.DataFrame([{"state": "AA", "period": "2020-06", "unit_row": 99, "sex": "male", "value": 3000}])
    rates = brazil_quality.incidence_rates(pd.concat([people, silent_unit]), incidences).iloc[0]
    assert rates["rate"] == 1.0 and rates["people"] == 4000 and rates["coverage_pct"] == 25.0


def test_coverage_rule_fires_below_the_limit_and_is_silent_above():
    rates = brazil_quality.incidence_rates(*_units({**CLEAN, "MG": [1.0, None, None, 1.0]}))
    found = brazil_quality.coverage_findings(rates, 10.0)
    assert found[["state", "period", "value"]].values.tolist() == [["MG", "2019-12", 0.0], ["MG", "2020-06", 0.0]]
    assert "the other 1,000 are 16.7% of men in cells nationally" in found["evidence"].iloc[0]
    assert brazil_quality.coverage_findings(brazil_quality.incidence_rates(*_units(CLEAN)), 10.0).empty


# ---- quality table and treatment ---------------------------------------------------------------------------
def _corrections(*rows):
    return pd.DataFrame(list(rows), columns=["id", "state", "period", "measure", "sex", "published", "action",
                                             "reason", "found_in"])


def _finding(rule, state, period, measure="all_offence_incidences", value=1.0):
    return {"rule": rule, "state": state, "period": period, "measure": measure, "sex": "male", "value": value,
            "evidence": "e"}


def test_quality_table_treats_rules_and_known_errors_and_keeps_coverage():
    findings = pd.DataFrame([_finding("per_capita", "MA", "2020-06", brazil_quality.RATE_MEASURE),
                             _finding("coverage", "MG", "2020-06", brazil_quality.COVERAGE_MEASURE),
                             _finding("spike", "SP", "2020-06", "people_in_cells")])
    known = _corrections(["ma-x", "MA", "2019-12", "all_offence_incidences", "male", 330932, "outlier_treatment",
                          "entry error", "notes"])
    treatable = (*brazil.INCIDENCE_MEASURES, brazil_quality.RATE_MEASURE)
    table = brazil_quality.quality_table(findings, known, "exclude", treatable)
    treatment = table.set_index(["rule", "state"])["treatment"].to_dict()
    assert treatment == {("coverage", "MG"): "keep", ("known_error", "MA"): "exclude",
                         ("per_capita", "MA"): "exclude", ("spike", "SP"): "keep"}
    treated = brazil_quality.treated_state_periods(table)
    assert treated.values.tolist() == [["MA", "2019-12", "exclude"], ["MA", "2020-06", "exclude"]]
    assert brazil_quality.treated_state_periods(
        brazil_quality.quality_table(findings, known, "keep", treatable)).empty


def test_replace_uses_the_last_untreated_semester_for_a_lasting_error():
    values = pd.DataFrame({"state": "MA", "period": PERIODS, "measure": "all_offence_incidences", "sex": "male",
                           "value": [14_411.0, 330_932.0, 54_155.0, 86_092.0]})
    treated = pd.DataFrame({"state": "MA", "period": PERIODS[1:], "treatment": "replace"})
    result = brazil_quality.apply_treatment(values, treated, ("all_offence_incidences",))
    assert result.set_index("period")["value"].to_dict() == {p: 14_411.0 for p in PERIODS}
    with pytest.raises(PipelineError, match="no earlier untreated semester"):
        brazil_quality.apply_treatment(values, treated.assign(period=PERIODS[:3]), ("all_offence_incidences",))


# ---- unit classes and the 'in cells' definition ----------------------------------------------------------------
def _tidy(units: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """(unit name, legal situation, women, men) per unit, one semester, state PR."""
    rows = []
    for row, (name, item, women, men) in enumerate(units):
        for sex, value in (("female", women), ("male", men)):
            rows.append({"period": "2020-06", "state": "PR", "unit_row": row, "unit_name": name,
                         "municipality": "Curitiba", "jurisdiction": "Estadual", "block": "population",
                         "item": item, "court": "state", "sex": sex, "value": value})
    return pd.DataFrame(rows)


UNITS = [("PENITENCIÁRIA FEMININA", "closed", 300.0, 0.0), ("PATRONATO CENTRAL DE CURITIBA", "open", 161.0, 23402.0),
         ("Patronato Lima Drummond", "semi_open", 0.0, 39.0), ("CENTRAL DE MONITORAÇÃO", "open", 5.0, 50.0)]


@pytest.mark.parametrize("in_cells, women, men, patronato", [(False, 300, 39, 23563), (True, 461, 23441, 23563)])
def test_patronato_counts_in_cells_only_when_chosen(in_cells, women, men, patronato):
    settings = SETTINGS.model_copy(update={"patronato_in_cells": in_cells})
    tidy = _tidy(UNITS)
    units = brazil.classify_units(brazil.unit_list(tidy), settings)
    assert units["kind"].tolist() == ["cells", "patronato", "cells", "electronic_monitoring"]
    states = brazil.population_by_state(tidy.merge(units[["period", "unit_row", "kind"]]), settings)
    value = states.set_index(["measure", "sex"])["value"]
    assert (value[("people_in_cells", "female")], value[("people_in_cells", "male")]) == (women, men)
    assert value[("people_patronato", "female")] + value[("people_patronato", "male")] == patronato
    assert ("in: prison units and Patronato" in brazil.cells_definition(settings)) == in_cells


def test_patronato_below_the_size_limit_lodges_people_in_cells():
    units = pd.DataFrame({"unit_name": ["PATRONATO PE - Regime Aberto"] * 2, "people": [999, 1000]})
    assert brazil.classify_units(units, SETTINGS)["kind"].tolist() == ["cells", "patronato"]


# ---- the monitoring-growth claim ---------------------------------------------------------------------------
def _totals(*values):
    return pd.DataFrame({"figure_id": [f"bra-{i:03d}" for i in range(1, len(values) + 1)], "period": "2022",
                         "value": [float(v) for v in values]})


def test_claim_table_implies_the_end_total_and_its_interval_from_the_printed_precision():
    monitored = pd.DataFrame({"period": ["2019-06", "2019-12"], "male": [1000.0, 2000.0], "female": [100.0, 200.0]})
    table = brazil_claim.claim_table(monitored, {"male": 100.0, "female": 50.5}, ["2019-06", "2019-12"],
                                     _totals(4302, 5000))
    december = table[(table["base_period"] == "2019-12") & (table["published_figure_id"] == "bra-001")].iloc[0]
    # 2000 x 2 = 4000 men; 200 x 1.505 = 301 women; percentages printed to 0.1 (100.0 +- 0.05, 50.5 +- 0.05)
    assert december[["male_implied", "female_implied", "total_implied", "total_implied_low",
                     "total_implied_high", "published_minus_implied"]].tolist() == [4000, 301, 4301, 4299, 4303, 1]
    assert december["published_within_interval"]
    assert not table[table["published_total"] == 5000]["published_within_interval"].any()
    assert not table[table["base_period"] == "2019-06"]["published_within_interval"].any()
    rows = brazil_claim.long_rows(table, {"male": 100.0, "female": 50.5}, "2022")
    assert len(rows) == 2 * 5 and set(rows["indicator"]) == {brazil_claim.IMPLIED, f"{brazil_claim.IMPLIED}_low",
                                                            f"{brazil_claim.IMPLIED}_high"}


def test_claim_end_period_without_a_published_total_names_the_key_and_the_choices():
    figures = _totals(91362).assign(country="BRA", indicator=brazil_claim.PUBLISHED_INDICATOR, sex="total",
                                    flags="", conflicts_with="")
    with pytest.raises(PipelineError) as error:
        brazil_claim.published_totals(figures, "2023")
    assert "'brazil.claimed_end_period' is '2023'" in error.value.message and "2022" in error.value.fix


# ---- parameters checked against the data ---------------------------------------------------------------------
@pytest.mark.parametrize("update, fragments", [
    ({"monitoring_pattern": "(?i)monitora|tornozel["},
     ("'brazil.monitoring_pattern'", "tornozel[", "regular expression")),
    ({"patronato_pattern": "(patronato"}, ("'brazil.patronato_pattern'", "(patronato", "missing )")),
    ({"monitoring_base_period": "2019-13"}, ("'brazil.monitoring_base_period' is '2019-13'", "2019-06, 2019-12")),
    ({"claimed_base_periods": ["2019-12", "2018-13"]}, ("'brazil.claimed_base_periods' is '2018-13'", "2020-12")),
    ({"claimed_monitoring_growth_pct": {"men": 448.3, "female": 403.8}},
     ("claimed_monitoring_growth_pct", "female, male")),
    ({"per_capita_max_ratio": 0.5}, ("'brazil.per_capita_max_ratio' is 0.5", "1 or more")),
    ({"incidence_coverage_min_pct": 150.0}, ("'brazil.incidence_coverage_min_pct' is 150.0", "from 0 to 100")),
])
def test_bad_parameter_is_one_message_naming_key_value_and_allowed_values(update, fragments):
    with pytest.raises(PipelineError) as error:
        brazil.check_settings(SETTINGS.model_copy(update=update), PERIODS)
    for fragment in fragments:
        assert fragment in error.value.message


def test_good_parameters_pass():
    brazil.check_settings(SETTINGS, PERIODS)


# ---- block 5.14: its own consistency checks ----------------------------------------------------------------
def test_incidences_must_equal_the_state_reports():
    incidences = pd.DataFrame({"state": "AC", "period": "2019-12", "measure": "all_offence_incidences",
                               "sex": ["female", "male"], "value": [40.0, 3521.0]})
    reports = pd.DataFrame({"state": "AC", "period": "2019-12", "measure": "all_offence_incidences",
                            "sex": ["female", "male", "total"], "value": [40.0, 3521.0, 3561.0],
                            "file": "AC_dez_2019.xls"})
    summary = check_incidences_against_reports(incidences, reports)
    assert summary["exact"].all() and summary["computed"].tolist() == [40.0, 3521.0, 3561.0]
    with pytest.raises(PipelineError) as error:
        check_incidences_against_reports(incidences[incidences["sex"] == "male"], reports)
    message = error.value.message
    assert "AC_dez_2019.xls" in message and "AC 2019-12 female" in message and "prints 40" in message


def _semester(period, women):
    return pd.DataFrame({"period": period, "block": ["incidences", "incidences", "population"],
                         "sex": ["male", "female", "female"], "value": [100.0, women, 10.0]})


def test_a_sex_that_vanishes_from_a_block_is_an_error(tmp_path):
    files = {tmp_path / "dados-sisdepen-jan-jun-2019.xlsx": _semester("2019-06", 14_068.0),
             tmp_path / "dados-sisdepen-jul-dez-2019.xlsx": _semester("2019-12", 0.0)}
    with pytest.raises(PipelineError) as error:
        sisdepen.check_no_sex_vanishes(files)
    assert "dados-sisdepen-jul-dez-2019.xlsx" in error.value.message
    assert "no 'Feminino' values" in error.value.message and "2019-06 had 14,068" in error.value.message


def test_a_sex_present_in_every_semester_passes(tmp_path):
    sisdepen.check_no_sex_vanishes({tmp_path / "dados-sisdepen-jan-jun-2019.xlsx": _semester("2019-06", 5.0),
                                    tmp_path / "dados-sisdepen-jul-dez-2019.xlsx": _semester("2019-12", 7.0)})


# ---- bad inputs through the entry points, as the fault suite runs them ----------------------------------------
SEMESTER = "dados-sisdepen-jul-dez-2019.xlsx"


def _assert_one_clear_message(project, command, fragments):
    before = corpus.snapshot(project)
    run = corpus.run_module(project, *command)
    message = run.message
    assert run.returncode == 1, message[-2000:]
    assert "Traceback" not in message and len(message.splitlines()) == 1 and message.startswith("error: ")
    assert " — " in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert corpus.snapshot(project) == before, "a failed run changed the project"


@pytest.mark.parametrize("old, new", [
    (" | Feminino", " | Feminina"),  # block 5.14: today's silent loss of 14,068 female incidences
    ("Justiça Estadual Feminino", "Justiça Estadual Feminina"),  # block 4.1: no longer blamed on the totals
])
def test_renamed_sex_label_stops_the_ingest_naming_the_column(old, new, tmp_path):
    rows = corpus.sisdepen_rows()
    block = "5.14" if old == " | Feminino" else "4.1"
    column = next(i for i, h in enumerate(rows[0]) if str(h).startswith(block) and str(h).endswith(old))
    rows[0][column] = str(rows[0][column])[: -len(old)] + new
    project = corpus.make_project(tmp_path / "project")
    raw = project / "data" / "raw" / "sisdepen"
    raw.mkdir(parents=True)
    (raw / SEMESTER).write_bytes(corpus.xlsx_bytes(rows))
    _assert_one_clear_message(project, ("pipeline.sources.sisdepen",),
                              (SEMESTER, new.strip(" |"), "cannot classify this column", "column '"))


def _with_params(tmp_path, old: str, new: str):
    project = corpus.make_project(tmp_path / "project")
    params_file = project / "params.yaml"
    text = params_file.read_text(encoding="utf-8")
    assert old in text
    params_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return project


@pytest.mark.parametrize("old, new, fragments", [
    ('monitoring_base_period: "2019-12"', 'monitoring_base_period: "2019-13"',
     ("params.yaml", "'brazil.monitoring_base_period' is '2019-13'", "use one of: 2016-12, 2017-06")),
    ('monitoring_pattern: "(?i)monitora|tornozel"', 'monitoring_pattern: "(?i)monitora|tornozel["',
     ("params.yaml", "'brazil.monitoring_pattern'", "not a valid regular expression")),
    ('claimed_end_period: "2022"', 'claimed_end_period: "2022-12"',
     ("params.yaml", "'brazil.claimed_end_period' is '2022-12'", "2022")),
])
def test_bad_brazil_parameter_through_the_entry_point(old, new, fragments, tmp_path):
    if not (paths.interim_parquet("sisdepen").exists() and paths.interim_parquet("sisdepen_reports").exists()):
        pytest.skip("run `dvc repro brazil` first: the Brazil stage reads the ingested SISDEPEN tables")
    project = _with_params(tmp_path, old, new)
    _assert_one_clear_message(project, ("pipeline.brazil",), fragments)


def test_every_brazil_parameter_is_declared_in_the_stage():
    dvc_params = re.findall(r"- (brazil\.\w+)", (paths.ROOT / "dvc.yaml").read_text(encoding="utf-8"))
    assert sorted(dvc_params) == sorted(f"brazil.{name}" for name in Brazil.model_fields)


@pytest.mark.parametrize("patronato_in_cells", [False, True])
@pytest.mark.parametrize("language", ["es", "pt"])
def test_both_cells_captions_translate(patronato_in_cells, language):
    from pipeline import brazil_charts, i18n

    caption = brazil_charts.cells_caption(pd.DataFrame({"period": ["2016-12", "2021-12"]}), patronato_in_cells)
    translated = i18n.Translator(language).english(caption)
    assert "2016-12" in translated and "Patronato" in translated and translated != caption
