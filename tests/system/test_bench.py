"""The benchmarks' quick smoke mode runs end to end, so the benchmark code cannot rot.

Never asserts a timing: benchmarks measure, they do not fail on a slow machine (issue 8)."""

from __future__ import annotations

import subprocess
import sys

from pipeline import paths

SECTIONS = ["## Machine", "## Targets", "## Rebuilds (dvc repro)", "## SISDEPEN ingest",
            "## SNEEP at scale", "## SNEEP scaling curve (load only)", "## Notebook overhead", "## Country profiles"]


def test_quick_benchmark_writes_every_section(tmp_path):
    report = tmp_path / "benchmarks.md"
    committed = paths.ROOT / "reports" / "benchmarks.md"
    before = committed.stat().st_mtime_ns if committed.exists() else None
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(report)],
                          cwd=paths.ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    text = report.read_text()
    for heading in SECTIONS:
        assert heading in text, f"section {heading!r} missing from the quick report"
    assert "Quick smoke mode" in text
    assert " met |" in text or "not met" in text  # every target is marked one way or the other
    for row in ("limit: calamine read alone", "ours: `sisdepen.read_semester`", "pandas.read_excel(engine=\"calamine\")",
                "limit: polars' plain scan", "limit: pyarrow splitting the file into lines",
                "limit: reading the file's bytes", "`pandas.read_csv` whole file", "DuckDB, one scan",
                "ours, a rerun with the file unchanged", "Parallel headroom"):
        assert row in text, f"{row!r} missing from the quick report"
    # The quick run never overwrites the full report.
    assert (committed.stat().st_mtime_ns if committed.exists() else None) == before
