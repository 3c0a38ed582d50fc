"""SISDEPEN ingest (calamine, full parse and checks) vs pandas.read_excel(engine="openpyxl") (read alone),
on the same semester files from the mirror, each contender in its own process."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import Section, Target, Timing, child_result, run_child

TARGET_RATIO = 4.0


def measure(repeat: int, files: int, mirror: Path) -> Section:
    folder = mirror / "sisdepen"
    runs = {name: Timing([], []) for name in ("ingest", "openpyxl")}
    for _ in range(repeat):
        for name, timing in runs.items():  # alternate contenders: a busy spell slows both, not one
            result = run_child("bench.sisdepen_read", name, str(folder), str(files))
            timing.seconds.append(result["seconds"])
            timing.peak_mib.append(result["peak_mib"])
    ratio = runs["openpyxl"].median / runs["ingest"].median
    read = result["files"]
    lines = [
        f"{read} semester files from the mirror ({folder.name}/), read one after another in one process.",
        "",
        "| Contender | Median (min–max, runs) | Peak memory |",
        "|---|---|---|",
        f"| Our ingest: `sisdepen.read_semester` (calamine read + parse + checks + tidy) | "
        f"{runs['ingest'].text()} | {runs['ingest'].peak:.0f} MiB |",
        f"| `pandas.read_excel(engine=\"openpyxl\")` (read only, no parsing) | {runs['openpyxl'].text()} | "
        f"{runs['openpyxl'].peak:.0f} MiB |",
        "",
        f"Ratio openpyxl / ours: **{ratio:.1f}×**.",
    ]
    return Section("SISDEPEN ingest vs openpyxl", lines,
                   [Target("SISDEPEN ingest", f"≥ {TARGET_RATIO:.0f}× faster than openpyxl read", f"{ratio:.1f}×",
                           ratio >= TARGET_RATIO)])


def _child(contender: str, folder: Path, count: int) -> None:
    import pandas as pd

    from pipeline.sources import sisdepen

    files = sorted(folder.glob(sisdepen.FILE_GLOB))[:count]
    started = time.perf_counter()
    for path in files:
        if contender == "ingest":
            sisdepen.read_semester(path)
        else:
            pd.read_excel(path, engine="openpyxl")
    child_result({"files": len(files)}, time.perf_counter() - started)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("contender", choices=["ingest", "openpyxl"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    arguments = parser.parse_args()
    _child(arguments.contender, arguments.folder, arguments.count)
