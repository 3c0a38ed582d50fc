"""Two rebuilds in separate temporary copies give byte-identical figures (SVG, PNG, PDF), tables, executed
notebooks and HTML pages.

To keep CI short this shares its rebuild with tests/system/test_interrupted.py (same session fixture) and compares
it with the committed outputs, which tests/system/test_pipeline_e2e.py's own clean rebuild must also equal byte for
byte: rebuild A == committed == rebuild B. The comparison is reported by kind of file, so a byte drift in
one format (PDF dates, PNG metadata, notebook ids) is named.
"""

from __future__ import annotations

import filecmp
from collections import defaultdict

import pytest
from system import test_pipeline_e2e as e2e
from system.test_interrupted import rebuild  # noqa: F401  (the shared session fixture)

from pipeline import paths

KINDS = (".svg", ".png", ".pdf", ".csv", ".md", ".ipynb", ".html", ".txt")


@pytest.mark.e2e
def test_rebuilt_outputs_are_byte_identical_by_kind(rebuild):  # noqa: F811
    assert rebuild.second.returncode == 0, rebuild.second.stderr[-3000:]
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
