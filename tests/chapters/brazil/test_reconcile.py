"""Reconciliation with what SENAPPEN published (pipeline/chapters/brazil/reconcile.py): block 5.14 must equal every
state report exactly; the national totals are read from the registry of published figures."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.chapters.brazil import reconcile
from pipeline.chapters.brazil.reconcile import check_incidences_against_reports
from pipeline.errors import PipelineError
from pipeline.sources import published



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


def test_the_national_totals_are_the_registry_figures_dated_at_a_semester_of_the_files():
    totals = reconcile.national_totals(published.load(), ["2016-12", "2019-12", "2020-06", "2020-12", "2021-12"])
    assert totals.sort_values(["check", "period"]).values.tolist() == [
        ["cells_total", "2020-06", "", 678506.0, "bra-002"],
        ["monitoring_increase", "2020-12", "2019-12", 55899.0, "bra-007"],
        ["monitoring_total", "2016-12", "", 6027.0, "bra-006"],
        ["monitoring_total", "2020-06", "", 51897.0, "bra-001"]]
    # A figure outside the files' semesters (2022, 2024) is not a check here.
    assert reconcile.national_totals(published.load(), ["2021-12"]).empty
