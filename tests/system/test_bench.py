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


def test_only_one_section_replaces_its_part_of_the_report_and_recounts_the_targets(tmp_path):
    from bench import report
    from bench.common import Section, Target

    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## Targets\n\n| Target | Wanted | Measured (median) | |\n|---|---|---|---|\n"
                    "| A | x | 1 | met |\n| Profiles X | y | 9 | met |\n\n2 of 2 targets met.\n\n## Other\n\nkept\n\n"
                    "## Country profiles\n\nold\n")
    report.replace_section(path, Section("Country profiles", ["new"], [Target("Profiles X", "y", "10", False)]))
    text = path.read_text()
    assert "| A | x | 1 | met |\n| Profiles X | y | 10 | **not met** |\n\n1 of 2 targets met." in text
    assert "## Other\n\nkept" in text and "## Country profiles\n\nnew\n" in text and "old" not in text
    assert "- **Profiles X** (10; wanted y): " in text.split("## Targets not met: what would fix them")[1]
