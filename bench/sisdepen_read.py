"""SISDEPEN ingest: our reader against the raw calamine read of the same file (the limit, with unzipping the
parts), against pandas' own fastest read (pandas.read_excel with calamine: read only, no parsing or checks),
and against the reader before issue 17 (a copy of that commit's package), side by side in one run; and the
whole ingest (sisdepen.load) cold, rerun from the cache, and with one new semester."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import (BEFORE_COMMIT, Section, Target, Timing, before_package, child_result, load_note,
                          ratio_text, run_child)

TARGET_PER_FILE = 1.3  # our read_semester / the raw calamine read of the same file (issue 17)


def measure(repeat: int, files: int, mirror: Path) -> Section:
    folder = mirror / "sisdepen"
    load_before = load_note()
    before = before_package()
    per_file = {"now": [], "before": []}  # one dict of lists per repetition
    loads = {name: Timing([], []) for name in ("load_cold", "load_warm", "load_new_semester", "pandas_calamine")}
    for _ in range(repeat):  # alternate contenders: a busy spell slows all, not one
        per_file["now"].append(run_child("bench.sisdepen_read", "per_file", str(folder), str(files)))
        if before:
            per_file["before"].append(run_child("bench.sisdepen_read", "per_file", str(folder), str(files),
                                                pipeline=before))
        for name, timing in loads.items():
            result = run_child("bench.sisdepen_read", name, str(folder), str(files))
            timing.seconds.append(result["seconds"])
            timing.peak_mib.append(result["peak_mib"])
    now = per_file["now"]
    read = now[-1]["files"]
    ratios = [o / c for run in now for o, c in zip(run["ours"], run["calamine"])]
    ratio = statistics.median(ratios)
    sums = {key: Timing([sum(run[key]) for run in now]) for key in ("calamine", "unzip", "ours")}
    lines = [
        f"The {read} latest semester files from the mirror ({folder.name}/). Per file, in one process, one after another: "
        "the raw calamine read (`CalamineWorkbook.get_sheet_by_index(0).to_python()`, the limit: our reader "
        "starts from its output), unzipping every part of the xlsx (a lower limit), and our `read_semester` "
        "(calamine read + header classification + every check + tidy rows). Each process is a fresh child; "
        f"load average {load_before} before this section.",
        "",
        "| Contender | Total over the files, median (min–max, runs) | Peak memory |",
        "|---|---|---|",
        f"| limit: unzip every part (`zipfile`) | {sums['unzip'].text()} | — |",
        f"| limit: calamine read alone | {sums['calamine'].text()} | — |",
        f"| **ours: `sisdepen.read_semester`, file by file** | {sums['ours'].text()} | "
        f"{max(run['peak_mib'] for run in now):.0f} MiB |",
    ]
    if per_file["before"]:
        old = per_file["before"]
        old_sum = Timing([sum(run["ours"]) for run in old])
        lines.append(f"| before ({BEFORE_COMMIT[:7]}): `read_semester`, file by file | {old_sum.text()} | "
                     f"{max(run['peak_mib'] for run in old):.0f} MiB |")
        old_ratios = [o / c for run in old for o, c in zip(run["ours"], run["calamine"])]
    lines += [
        f"| pandas' fastest read: `pandas.read_excel(engine=\"calamine\")`, read only (no parsing, no checks) | "
        f"{loads['pandas_calamine'].text()} | {loads['pandas_calamine'].peak:.0f} MiB |",
        "",
        f"Ours / calamine read, per file (every file of every run): **{ratio_text(ratios)}**"
        + (f"; before: {ratio_text(old_ratios)}" if per_file["before"] else "")
        + (f"; ours now / before, whole set: **{ratio_text([sum(n['ours']) / sum(o['ours']) for n, o in zip(now, old)])}**"
           if per_file["before"] else "") + ".",
        "",
        "The whole ingest (`sisdepen.load`: every file, the checks across files, one sorted table), each run a fresh "
        "process:",
        "",
        "| Ingest | Median (min–max, runs) | Peak memory |",
        "|---|---|---|",
        f"| cold: every file parsed, in a process pool sized by `os.cpu_count()` | {loads['load_cold'].text()} | "
        f"{loads['load_cold'].peak:.0f} MiB |",
        f"| rerun: every file from the cache (`data/interim/cache/sisdepen/`) | {loads['load_warm'].text()} | "
        f"{loads['load_warm'].peak:.0f} MiB |",
        f"| one new semester: the others from the cache, the newest parsed | {loads['load_new_semester'].text()} | "
        f"{loads['load_new_semester'].peak:.0f} MiB |",
        "",
        f"Cold ingest / the files' calamine reads one after another: "
        f"{loads['load_cold'].median / sums['calamine'].median:.2f}× (below 1 only where the pool's second process "
        f"finds a free core). Load average after this section: {load_note()}.",
    ]
    return Section("SISDEPEN ingest", lines,
                   [Target("SISDEPEN ingest per file", f"≤ {TARGET_PER_FILE}× the raw calamine read",
                           f"{ratio:.2f}× (max {max(ratios):.2f}×)", ratio <= TARGET_PER_FILE)])


# ---------------------------------------------------------------- The contenders (child processes) ---

def _files(folder: Path, count: int) -> list[Path]:
    from pipeline.sources import sisdepen

    return sorted(folder.glob(sisdepen.FILE_GLOB), key=sisdepen.period_from_name)[-count:]  # the latest


def per_file(folder: Path, count: int) -> dict:
    import python_calamine

    from pipeline.sources import sisdepen

    times = {"calamine": [], "unzip": [], "ours": []}
    for path in _files(folder, count):
        started = time.perf_counter()
        python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        times["calamine"].append(time.perf_counter() - started)
        started = time.perf_counter()
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                archive.read(member)
        times["unzip"].append(time.perf_counter() - started)
        started = time.perf_counter()
        sisdepen.read_semester(path)
        times["ours"].append(time.perf_counter() - started)
    return {"files": len(times["ours"]), **times}


def _load(folder: Path, count: int, cache_first: int | None) -> float:
    """sisdepen.load on the first `count` files with a fresh cache holding the first `cache_first` files."""
    from pipeline.sources import sisdepen

    files = _files(folder, count)
    with tempfile.TemporaryDirectory(prefix="bench-sisdepen-") as scratch:
        raw, cache = Path(scratch) / "raw", Path(scratch) / "cache"
        raw.mkdir()
        for path in files[:cache_first or 0]:
            (raw / path.name).symlink_to(path)
        if cache_first:
            sisdepen.load(raw, cache_dir=cache)
        for path in files[cache_first or 0:]:
            (raw / path.name).symlink_to(path)
        started = time.perf_counter()
        sisdepen.load(raw, cache_dir=cache)
        return time.perf_counter() - started


def pandas_calamine(folder: Path, count: int) -> float:
    import pandas as pd

    started = time.perf_counter()
    for path in _files(folder, count):
        pd.read_excel(path, engine="calamine")
    return time.perf_counter() - started


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("contender", choices=["per_file", "load_cold", "load_warm", "load_new_semester",
                                              "pandas_calamine"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    arguments = parser.parse_args()
    import pandas  # noqa: F401 — imports are not timed

    import pipeline.sources.sisdepen  # noqa: F401

    if arguments.contender == "per_file":
        result = per_file(arguments.folder, arguments.count)
        child_result(result, sum(result["ours"]))
    elif arguments.contender == "pandas_calamine":
        child_result({}, pandas_calamine(arguments.folder, arguments.count))
    else:
        cache_first = {"load_cold": None, "load_warm": arguments.count,
                       "load_new_semester": max(arguments.count - 1, 0)}[arguments.contender]
        child_result({}, _load(arguments.folder, arguments.count, cache_first))
