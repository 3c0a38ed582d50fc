"""Known errors as data (data/corrections/*.yaml): read strictly, with a status with the publisher, applied until
the publisher fixes them, and a guard whose message says the publisher may have fixed the value."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import corrections
from pipeline.errors import PipelineError
from pipeline.sources import unodc_prisons

ENTRY = """\
- id: arg-2016-adult-total-repeats-2018
  where: {iso3: ARG, indicator: Persons held, year: 2016}
  published: 94883
  action: drop
  reason: repeats 2018
  found_in: the file itself
  status: {state: open}
"""


def _load(tmp_path, text, model=corrections.UnodcPrisonsCorrection):
    path = tmp_path / "unodc_prisons.yaml"
    path.write_text(text, encoding="utf-8")
    return corrections.load(path, model)


def test_the_committed_files_load_and_every_entry_has_a_status():
    for path, model in ((corrections.UNODC_PRISONS, corrections.UnodcPrisonsCorrection),
                        (corrections.SISDEPEN, corrections.SisdepenCorrection)):
        entries = corrections.load(path, model)
        assert entries and all(entry.status.state in corrections.STATES for entry in entries)


@pytest.mark.parametrize("text, message", [
    (ENTRY.replace("  action: drop\n", "  action: drop\n  action: keep\n"),
     r"row 5: not valid YAML: key 'action' appears twice"),
    (ENTRY.replace("  where: {iso3: ARG", "  where: {iso3: ARG,,"), r"row 2: not valid YAML"),
    (ENTRY.replace("  reason:", "  reasn:"), r"entry 'arg-2016-adult-total-repeats-2018': unknown key 'reasn' "
                                             r"\(did you mean 'reason'\?\)"),
    (ENTRY.replace("  found_in: the file itself\n", ""), r"key 'found_in' is missing"),
    (ENTRY.replace("{state: open}", "{state: fixed}"), r"'status.state': input should be 'open', 'reported'"),
    (ENTRY.replace("{state: open}", "{state: reported}"), r"a status 'reported' needs its date .* and channel"),
    (ENTRY.replace("  action: drop", "  action: delete"), r"'action': input should be 'drop'"),
    (ENTRY + ENTRY, r"entry id 'arg-2016-adult-total-repeats-2018' is used twice"),
    ("id: not-a-list\n", r"expected a list of entries"),
])
def test_a_broken_file_is_one_message_naming_the_file_and_entry(tmp_path, text, message):
    with pytest.raises(PipelineError, match=message) as error:
        _load(tmp_path, text)
    assert "unodc_prisons.yaml" in error.value.message


def test_a_reported_status_carries_its_date_and_channel(tmp_path):
    (entry,) = _load(tmp_path, ENTRY.replace("{state: open}",
                                             "{state: reported, date: 2026-11-21, channel: e-mail to UNODC}"))
    assert entry.applies and entry.status.text() == "reported 2026-11-21 (e-mail to UNODC)"


def _tidy(value: float) -> pd.DataFrame:
    row = {"iso3": "ARG", "country_name": "Argentina", "region": "Americas", "subregion": "x",
           "indicator": "Persons held", "dimension": "Total", "category": "Total", "sex": "Total", "age": "Adult",
           "year": 2016, "unit": "Counts", "value": value, "reported_by": "CTS"}
    return pd.DataFrame([row, row | {"year": 2018, "value": 94883.0}])


def test_an_open_entry_is_applied_and_a_fixed_one_is_kept_as_history(tmp_path):
    path = tmp_path / "unodc_prisons.yaml"
    path.write_text(ENTRY, encoding="utf-8")
    tidy, log = unodc_prisons._apply_corrections(_tidy(94883.0), path)
    assert tidy["year"].tolist() == [2018] and log["detail"].tolist() == ["arg-2016-adult-total-repeats-2018: 94,883 dropped"]
    path.write_text(ENTRY.replace("{state: open}", "{state: fixed_upstream, date: 2027-01-10, channel: UNODC "
                                                   "release of January 2027}"), encoding="utf-8")
    tidy, log = unodc_prisons._apply_corrections(_tidy(76000.0), path)  # the publisher's corrected value
    assert tidy["year"].tolist() == [2016, 2018] and log.empty


def test_the_guard_says_the_publisher_may_have_fixed_it_and_how_to_record_that(tmp_path):
    path = tmp_path / "unodc_prisons.yaml"
    path.write_text(ENTRY, encoding="utf-8")
    with pytest.raises(PipelineError) as error:
        unodc_prisons._apply_corrections(_tidy(76000.0), path)
    message = error.value.message
    assert "correction 'arg-2016-adult-total-repeats-2018' (status: open (not yet reported to the publisher))" in message
    assert "the file now has 76,000: the publisher may have fixed or revised it" in message
    assert "set the entry's status to {state: fixed_upstream, date, channel}" in message


def test_a_where_column_the_table_lacks_is_named(tmp_path):
    path = tmp_path / "unodc_prisons.yaml"
    path.write_text(ENTRY.replace("iso3: ARG", "iso: ARG"), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"'where' names column 'iso', which the UNODC table does not have"):
        unodc_prisons._apply_corrections(_tidy(94883.0), path)
