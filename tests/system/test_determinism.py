"""Two builds in separate places give byte-identical figures (SVG, PNG, PDF), tables, executed notebooks and
HTML pages: the committed outputs (built by `make repro` in the work tree of whoever committed them) and the clean
copy that tests/system/faults/rebuild.py builds once for every system test (in `make test`, before the tests). The
comparison is reported by kind of file, so a byte drift in one format (PDF dates, PNG metadata, notebook ids) is
named. (tests/system/test_interrupted.py rebuilds one notebook stage a third time and compares it too.)
"""

from __future__ import annotations

import filecmp
from collections import defaultdict

import pytest
from system import test_pipeline_e2e as e2e

from pipeline import paths

KINDS = (".svg", ".png", ".pdf", ".csv", ".md", ".ipynb", ".html", ".txt")


@pytest.mark.e2e
def test_rebuilt_outputs_are_byte_identical_by_kind(rebuild):
    assert rebuild.first.returncode == 0, rebuild.first.stdout[-3000:] + rebuild.first.stderr[-3000:]
    compared, differ = defaultdict(int), defaultdict(list)
    for name in e2e.committed_outputs():  # the ones the e2e clean rebuild must equal too
        committed, rebuilt = paths.ROOT / name, rebuild.copy / name
        if not name.startswith(("figures/", "reports/")) or committed.suffix not in KINDS:
            continue
        compared[committed.suffix] += 1
        if not filecmp.cmp(committed, rebuilt, shallow=False):
            differ[committed.suffix].append(name)
    assert {".svg", ".png", ".pdf", ".ipynb", ".html", ".csv"} <= set(compared)
    assert dict(differ) == {}, f"outputs differ between rebuilds: {dict(differ)}"
