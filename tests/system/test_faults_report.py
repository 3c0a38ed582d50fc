"""reports/faults.md, the table of what a user sees for each bad input (written by
`python -m tests.system.faults.report`, not by the pipeline): it lists every case of both suites, and it names no
path of the machine that wrote it, so that a regeneration elsewhere changes only what the cases changed."""

from __future__ import annotations

import re

from system.faults import CASES, user_path
from system.faults.report import MIRROR, OUTPUT, _mirror_named

from pipeline import fetch, paths

ROW = re.compile(r"^\| ([a-z0-9-]+) \|", re.M)


def test_the_report_has_one_row_per_case_of_both_suites():
    rows = [row for row in ROW.findall(OUTPUT.read_text(encoding="utf-8")) if row != "case"]  # not the headers
    expected = [case.id for case in CASES] + [case.id for case in user_path.CASES]
    assert rows == expected, "reports/faults.md is stale: regenerate it with `python -m tests.system.faults.report`"


def test_the_report_names_no_path_of_the_machine_that_wrote_it():
    text = OUTPUT.read_text(encoding="utf-8")
    for local in (str(fetch.mirror_dir()), str(paths.ROOT), "/tmp/"):
        assert local not in text, f"reports/faults.md names {local}"
    assert f"{MIRROR}/unodc/10.1_Drug_related_crimes.xlsx: SHA-256 mismatch" in text  # the edited pin's case


def test_a_file_of_the_mirror_is_named_as_the_user_sets_the_mirror():
    message = f"error: {fetch.mirror_dir()}/unodc/a.xlsx: SHA-256 mismatch"
    assert _mirror_named(message) == "error: $BRIEFING_DATA_MIRROR/unodc/a.xlsx: SHA-256 mismatch"
    assert _mirror_named("error: data/raw/unodc/a.xlsx: no such file") == "error: data/raw/unodc/a.xlsx: no such file"
