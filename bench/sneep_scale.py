"""SNEEP at scale, on generated files (never real microdata): our loader + the Argentina chapter's aggregates
against the loader before issue 17, pandas.read_csv of the whole file + groupby, and DuckDB computing the same
aggregates from one scan of the CSV; as limits, polars' plain scan, pyarrow's line split and reading the bytes;
and the loader's time and memory at several sizes up to 10 million rows. Every run is its own process, so
peak memory is its own."""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

from bench.common import (BEFORE_COMMIT, ROOT, Section, Target, Timing, before_package, child_result, cpu_seconds,
                          load_note, ratio_text, run_child)

DRUG = "Infracción ley n° 23.737 (estupefacientes)"
YEARS = list(range(2002, 2023))  # 21 censuses, as in the 2-million-row file
SPEED_TARGET, MEMORY_TARGET, POLARS_LIMIT = 2.0, 3.0, 1.5  # issue 17: ≥ 2× pandas, < DuckDB, ≤ 1.5× polars
COLUMNS_READ = ["censo_anio", "provincia_descripcion", "genero_descripcion", "situacion_legal_descripcion",
                *(f"delito{i}_descripcion" for i in range(1, 6))]  # what the aggregates below need
COLUMNS_KEPT = ["censo_anio", "provincia_sneep_id", "provincia_descripcion", "establecimiento_id",
                "establecimiento_descripcion", "genero_descripcion", "situacion_legal_descripcion",
                "reparticion_descripcion", *(f"delito{i}_descripcion" for i in range(1, 6)),
                "mujer_tiene_hijos_intramuro"]  # the columns our loader keeps from this layout (sneep.COLUMNS)
IMPORTS = {"ours": ["pipeline.chapters.argentina.microdata", "pipeline.sources.sneep"],
           "ours_unguarded": ["pipeline.chapters.argentina.microdata", "pipeline.sources.sneep"],
           "load_only": ["pipeline.sources.sneep"],
           "ours_first_run": ["pipeline.chapters.argentina.microdata", "pipeline.sources.sneep"],
           "ours_rerun": ["pipeline.chapters.argentina.microdata", "pipeline.sources.sneep"],
           "fill_cache": ["pipeline.sources.sneep"],
           "before": ["pipeline.argentina", "pipeline.sources.sneep"],
           "pandas_whole": ["pandas"], "duckdb_sql": ["duckdb"], "polars_scan": ["polars"],
           "pyarrow_parse": ["pyarrow.csv"], "pyarrow_lines": ["pyarrow.csv"], "read_bytes": [], "generate": []}
CONTENDERS = {
    "ours": "**ours: `sneep.load` + the Argentina chapter's `measures` + `by_province`** (from the CSV, no cache)",
    "before": f"before ({BEFORE_COMMIT[:7]}): the same, with that commit's loader",
    "ours_first_run": "ours, the ingest stage's first run: the same + SHA-256 of the file + writing its cache entry",
    "ours_rerun": "ours, a rerun with the file unchanged: SHA-256 + the cached Parquet + the same measures",
    "pandas_whole": "`pandas.read_csv` whole file (C engine, `on_bad_lines='skip'`) + the same groupbys",
    "duckdb_sql": "DuckDB, one scan: the 9 columns the aggregates need into a table (`ignore_errors=true`), "
                  "then the same aggregates in SQL",
    "ours_unguarded": "limit: ours without two of its guarantees, switched off in the benchmark's process: no search "
                      "for a repeated header or body, and the broken rows set aside but not recovered (so they are "
                      "lost: the answer is wrong). Everything else as ours",
    "polars_scan": "limit: polars' plain scan of those 9 columns (`truncate_ragged_lines=true`, or it stops at "
                   "the first broken row), no aggregates",
    "pyarrow_parse": "limit: pyarrow's parse alone, as our loader calls it (the 14 columns it keeps, dictionary-encoded, "
                     "one thread per process, one process per core on the file cut at line ends), broken rows "
                     "skipped: no recovery, checks, tables passed back or measures",
    "pyarrow_lines": "limit: pyarrow splitting the file into lines (one column, no quoting), both cores",
    "read_bytes": "limit: reading the file's bytes",
}
LIMITS = ("ours_unguarded", "polars_scan", "pyarrow_parse", "pyarrow_lines", "read_bytes")


def generated_file(rows: int, folder: Path) -> Path:
    """The generated file of this many rows ('current' layout, commas in names), made once and reused. It is
    made in a child process: the generator holds the whole table in memory, and a large parent would inflate
    every later child's peak memory (Linux counts the parent's pages in a forked child's ru_maxrss)."""
    path = folder / f"sneep-{rows}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        run_child("bench.sneep_scale", "contender", "generate", str(path))
    return path


def generate(path: Path, cache: Path | None) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    import sneep_generator

    rows = int(path.stem.split("-")[-1])
    partial = path.with_suffix(".partial")
    sneep_generator.write(partial, "current", YEARS, rows // len(YEARS), seed=2024)
    partial.rename(path)
    return {}


def compare(rows: int, repeat: int, folder: Path) -> Section:
    """The contenders side by side on one file, alternating within each repetition."""
    path = generated_file(rows, folder)
    load_before = load_note()
    cache = folder / f"sneep-cache-{rows}"
    shutil.rmtree(cache, ignore_errors=True)
    run_child("bench.sneep_scale", "contender", "fill_cache", str(path), str(cache))  # what the stage leaves
    before = before_package()
    names = [n for n in CONTENDERS if n != "before" or before]  # polars: a dev dependency, for this limit row
    runs = {name: Timing([], []) for name in names}
    answers = {}
    for _ in range(repeat):
        for name in names:  # alternate contenders: a busy spell slows all, not one
            result = run_child("bench.sneep_scale", "contender", name, str(path), str(cache),
                               pipeline=before if name == "before" else None)
            runs[name].seconds.append(result["seconds"])
            runs[name].peak_mib.append(result["peak_mib"])
            runs[name].cpu.append(result["cpu_seconds"])
            runs[name].system.append(result["system_seconds"])
            answers[name] = result.get("women_drug_2022")
    shutil.rmtree(cache, ignore_errors=True)
    ours, pandas_, duck = runs["ours"], runs["pandas_whole"], runs["duckdb_sql"]
    paired = lambda a, b: [x / y for x, y in zip(a.seconds, b.seconds)]  # one ratio per repetition
    vs_pandas, vs_duck = paired(pandas_, ours), paired(ours, duck)
    vs_polars = paired(ours, runs["polars_scan"])
    speed, vs_duckdb, vs_limit = (statistics.median(r) for r in (vs_pandas, vs_duck, vs_polars))
    memory = pandas_.peak / ours.peak
    targets = [
        Target("SNEEP vs pandas, time", f"≥ {SPEED_TARGET:.0f}× faster", f"{speed:.2f}×", speed >= SPEED_TARGET),
        Target("SNEEP vs DuckDB single scan, time", "faster (ratio < 1)", f"{vs_duckdb:.2f}×", vs_duckdb < 1),
        Target("SNEEP vs polars' plain scan (limit)", f"within {POLARS_LIMIT}×", f"{vs_limit:.2f}×",
               vs_limit <= POLARS_LIMIT),
        Target("SNEEP vs pandas, peak memory", f"≥ {MEMORY_TARGET:.0f}× less", f"{memory:.2f}×",
               memory >= MEMORY_TARGET),
    ]
    phase_runs = [] if all(t.met for t in targets) else [
        run_child("bench.sneep_scale", "phases", "ours", str(path), str(cache)) for _ in range(repeat)]
    lines = [
        f"Generated file: {rows:,} rows, {len(YEARS)} censuses, {path.stat().st_size / 2**20:,.0f} MiB, "
        "'current' layout with unquoted commas in some establishment names (those rows must be recovered). "
        "Each run is a fresh process; time counts from after the imports, peak memory (ru_maxrss of the "
        "process; our loader's parse workers not included) includes them. Contenders alternate within each "
        f"repetition; load average {load_before} before this section. Versions: pyarrow {metadata.version('pyarrow')}, "
        f"pandas {metadata.version('pandas')}, duckdb {metadata.version('duckdb')}, polars {metadata.version('polars')}.",
        "",
        "| Contender | Median (min–max, runs) | Work: CPU-seconds on every core, median (of them the kernel's) "
        "| Peak memory (max) | Women held for drugs, 2022 |",
        "|---|---|---|---|---|",
        *(f"| {CONTENDERS[n]} | {t.text()} | {_work(t)} | {t.peak:,.0f} MiB | {_count(answers[n])} |"
          for n, t in runs.items()),
        "",
        "Ratios, one per repetition (the contenders of one repetition ran one after another): "
        f"pandas / ours **{ratio_text(vs_pandas)}**; ours / DuckDB **{ratio_text(vs_duck)}**; "
        f"ours / polars' plain scan **{ratio_text(vs_polars)}**"
        + (f"; ours / before **{ratio_text(paired(ours, runs['before']))}**" if "before" in runs else "")
        + f"; pandas / ours peak memory **{memory:.2f}×**.",
        "",
        _parser_floor(runs, ours, pandas_, duck),
        "",
        _work_floor(runs, _schedule(phase_runs) if phase_runs else None),
        "",
        f"The right answer is {_count(answers['ours'])}. pandas skips the comma-broken rows (it counts fewer "
        "women). DuckDB's `ignore_errors=true` skips only those whose last field is non-empty and silently "
        "accepts the rest shifted by one column. "
        + f"polars' plain scan keeps every broken row, cut to the header's width and shifted from the broken name "
          f"on: its {_count(answers['polars_scan'])} is wrong for the same reason. "
        + "Our loader recovers every such row or rejects it by count.",
    ]
    if phase_runs:
        lines += ["", *_phase_table(phase_runs)]
    lines += ["", f"Load average after this section: {load_note()}."]
    return Section(f"SNEEP at scale ({rows:,} rows)", lines, targets)


def _parser_floor(runs: dict, ours: Timing, pandas_: Timing, duck: Timing) -> str:
    """What pyarrow's parse alone (the limit row) says about the time targets: no loader built on it is faster."""
    parse = statistics.median(runs["pyarrow_parse"].seconds)
    wanted = {"half of pandas' time": statistics.median(pandas_.seconds) / SPEED_TARGET,
              "DuckDB's time": statistics.median(duck.seconds)}
    if "polars_scan" in runs:
        wanted[f"{POLARS_LIMIT}× polars' plain scan"] = POLARS_LIMIT * statistics.median(runs["polars_scan"].seconds)
    verdicts = "; ".join(f"{'over' if parse > seconds else 'within'} {name} ({seconds:.2f} s)"
                         for name, seconds in wanted.items())
    above = statistics.median(ours.seconds) - parse
    text = (f"pyarrow's parse alone, as our loader calls it, takes {parse:.2f} s (median, limit row): {verdicts}. "
            f"Ours takes {above:.2f} s more than that parse: recovering the broken rows, the searches for a repeated "
            "header or body, the dialect sniff, passing the parts' tables back, the conversion to pandas, and the "
            "chapter's measures.")
    if "ours_unguarded" not in runs:
        return text
    unguarded = runs["ours_unguarded"].seconds
    cost = [o - u for o, u in zip(ours.seconds, unguarded)]  # one difference per repetition
    polars = (f" and {ratio_text([u / p for u, p in zip(unguarded, runs['polars_scan'].seconds)])} polars' plain "
              "scan" if "polars_scan" in runs else "")
    return (text + f" Without the searches and the recovery (the limit row 'ours without two of its guarantees') "
            f"ours takes {statistics.median(unguarded):.2f} s, {ratio_text([u / d for u, d in zip(unguarded, duck.seconds)])} "
            f"DuckDB's time{polars}: those two guarantees cost {statistics.median(cost):.2f} s (median of the "
            "repetitions' differences), and the rest of ours is the parse, the parts' hand-over, the conversion to "
            "pandas and the measures.")


def _work(timing: Timing) -> str:
    """'3.61 (0.52)': a contender's median CPU-seconds and, in brackets, the kernel's part of them."""
    return f"{statistics.median(timing.cpu):.2f} ({statistics.median(timing.system):.2f})"


def _work_floor(runs: dict[str, Timing], schedule: dict | None = None) -> str:
    """The time targets against the work ours does: no schedule finishes N CPU-seconds on C cores in less than
    N / C, so a target whose time is below ours' floor takes less work, not a better use of the cores. With
    `schedule` (_schedule of the phase runs), a target within reach of the floor is compared with the fastest
    schedule the order of ours' steps allows, too."""
    cores = len(os.sched_getaffinity(0))
    ours, pandas_ = runs["ours"], runs["pandas_whole"]
    floors = [cpu / cores for cpu in ours.cpu]  # one per repetition, as the ratios
    busy = [floor / seconds for floor, seconds in zip(floors, ours.seconds)]
    against_floor = _time_targets(runs, floors, "floor")
    verdicts = "; ".join(f"{name} {ratio_text(ratios)} ({target}: "
                         f"{'within reach of a better schedule' if met else 'out of reach'})"
                         for name, ratios, target, met, _ in against_floor)
    text = (f"The work each contender does, in CPU-seconds on every core (the column above: ours' part processes, "
            f"DuckDB's and polars' threads included; the kernel's part is mostly memory written for the first time, "
            f"reads and forks). On this machine's {cores} cores no schedule of ours' work, "
            f"{statistics.median(ours.cpu):.2f} CPU-seconds, takes less than {statistics.median(floors):.2f} s "
            f"(its floor); ours took {ours.median:.2f} s, its cores busy {statistics.median(busy):.0%} of that time. "
            f"Against that floor: {verdicts}. A target out of reach of ours' floor takes less work, not a better use "
            f"of the cores. pandas does its {statistics.median(pandas_.cpu):.2f} CPU-seconds on one core, "
            f"{statistics.median(pandas_.system):.2f} of them the kernel's.")
    reachable = {name for name, _, _, met, _ in against_floor if met}
    if schedule is None or not reachable:
        return text
    # The fastest schedule of ours' steps, as a share of ours' time in the phase runs, applied to each repetition.
    fastest = [seconds / schedule["above"] for seconds in ours.seconds]
    verdicts = "; ".join(
        f"{name} {ratio_text(ratios)} ({target}: " + (
            "within reach of that schedule" if met else
            f"out of reach of any schedule of these steps: it takes {statistics.median(over):.2f} s less work on "
            "that path")
        + ")"
        for (floor_name, *_), (name, ratios, target, met, over) in zip(
            against_floor, _time_targets(runs, fastest, "fastest schedule"))
        if floor_name in reachable)
    return (text + " But the steps after the parts need every part's rows: the conversion to pandas joins every "
            "part's dictionaries, and the chapter's measures count every row. They cannot run beside the parts, so "
            "the fastest schedule of ours' steps is the sniff, then the parts' work shared evenly by the cores, then "
            f"the steps after the parts, one after another: {schedule['fastest']:.2f} s in the runs of the table of "
            f"steps below (the sniff {schedule['sniff']:.2f} s, the parts' work {schedule['parts_work']:.2f} "
            f"CPU-seconds ÷ {cores} cores, the steps after them {schedule['after']:.2f} s), where ours took "
            f"{schedule['total']:.2f} s, {schedule['above']:.2f}× that. Ours' times above divided by "
            f"{schedule['above']:.2f}: {verdicts}.")


def _time_targets(runs: dict[str, Timing], ours_least: list[float], least: str) -> list[tuple]:
    """Each time target against ours' least time per repetition (its floor, or its fastest schedule): the ratio's
    name, one ratio per repetition, the target in words, whether their median meets it, and the seconds that least
    time is over the target in each repetition (the longest time of ours that would meet it, subtracted)."""
    def seconds(contender: str) -> list[float]:
        return runs[contender].seconds

    pandas_, duck = seconds("pandas_whole"), seconds("duckdb_sql")
    targets = [(f"pandas / ours' {least}", [p / o for o, p in zip(ours_least, pandas_)],
                f"the target ≥ {SPEED_TARGET:g}×", lambda r: r >= SPEED_TARGET, [p / SPEED_TARGET for p in pandas_]),
               (f"ours' {least} / DuckDB", [o / d for o, d in zip(ours_least, duck)], "the target < 1", lambda r: r < 1,
                duck)]
    if "polars_scan" in runs:
        polars = seconds("polars_scan")
        targets.append((f"ours' {least} / polars' plain scan", [o / p for o, p in zip(ours_least, polars)],
                        f"the limit ≤ {POLARS_LIMIT:g}×", lambda r: r <= POLARS_LIMIT,
                        [POLARS_LIMIT * p for p in polars]))
    return [(name, ratios, target, met(statistics.median(ratios)), [o - t for o, t in zip(ours_least, longest)])
            for name, ratios, target, met, longest in targets]


def _schedule(phase_runs: list[dict]) -> dict:
    """From the phase runs (medians): the fastest schedule the order of ours' steps allows (the sniff, the parts'
    work, their processes' CPU-seconds, shared evenly by the cores, then the steps after the parts) and how far
    above it ours' time was ('above')."""
    cores = len(os.sched_getaffinity(0))
    steps = []
    for run in phase_runs:
        main = run["main"]
        parts_work = sum(part["part_cpu"] for part in run["parts"])
        after = main["total"] - main["parts"] - main["sniff"]
        fastest = main["sniff"] + parts_work / cores + after
        steps.append({"sniff": main["sniff"], "parts_work": parts_work, "after": after, "fastest": fastest,
                      "total": main["total"], "above": main["total"] / fastest})
    return {key: statistics.median(step[key] for step in steps) for key in steps[0]}


def scaling(sizes: list[int], repeat: int, folder: Path) -> Section:
    """Loader time and peak memory against rows: least-squares slope, and how straight the line is."""
    points = []
    load_before = load_note()
    for rows in sizes:
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
        if not (folder / f"sneep-{rows}.csv").exists() and free < rows * 260 * 2:  # ~221 bytes a row, twice
            raise RuntimeError(f"{rows:,} rows need about {rows * 221 / 2**30:.1f} GiB in {folder}; "
                               f"{free / 2**30:.1f} GiB free")
        path = generated_file(rows, folder)
        timing, workers = Timing([], []), []
        for _ in range(repeat):
            result = run_child("bench.sneep_scale", "contender", "load_only", str(path))
            timing.seconds.append(result["seconds"])
            timing.peak_mib.append(result["peak_mib"])
            workers.append(result["workers_peak_mib"])
        points.append((rows, timing, max(workers)))
    millions = np.array([rows / 1e6 for rows, _, _ in points])
    seconds = np.array([t.median for _, t, _ in points])
    peaks = np.array([t.peak_median for _, t, _ in points])  # the median: one run in a few peaks far higher
    (s_slope, s_icpt), s_r2 = _fit(millions, seconds)
    (m_slope, m_icpt), m_r2 = _fit(millions, peaks)
    lines = [
        f"`sneep.load` alone (no cache, no measures), each run a fresh process; load average {load_before} before "
        "this section. A file of 32 MiB or more is parsed in parts, one process per core: the loader's peak "
        "memory is its own process's, the parse workers' is shown apart.",
        "",
        "| Rows | Load time, median (min–max, runs) | Peak memory, median (max) | Largest parse worker | "
        "Seconds per million rows |",
        "|---|---|---|---|---|",
        *(f"| {rows:,} | {t.text()} | {t.peak_median:,.0f} MiB ({t.peak:,.0f}) | "
          f"{f'{w:,.0f} MiB' if w > 1 else '—'} | {t.median / (rows / 1e6):.2f} |" for rows, t, w in points),
        "",
        f"Time: **{s_slope:.2f} s per million rows** (+ {s_icpt:.2f} s fixed), R² = {s_r2:.3f}. "
        f"Memory: **{m_slope:,.0f} MiB per million rows** (+ {m_icpt:,.0f} MiB fixed: interpreter, pandas, "
        f"pyarrow), R² = {m_r2:.3f}.",
        "",
        f"Growth is {'linear' if min(s_r2, m_r2) >= 0.98 else 'not clearly linear'} "
        f"(straight-line fit R² ≥ 0.98 on both is taken as linear). Peak memory varies from run to run: "
        f"allocator and parse buffers, so the fit uses the median peak. Load average after: {load_note()}.",
    ]
    return Section("SNEEP scaling curve (load only)", lines,
                   [Target("SNEEP load grows linearly", "R² ≥ 0.98 for time and memory",
                           f"R² {s_r2:.3f} / {m_r2:.3f}", min(s_r2, m_r2) >= 0.98)])


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, float], float]:
    coefficients = np.polyfit(x, y, 1)
    residual = y - np.polyval(coefficients, x)
    total = ((y - y.mean()) ** 2).sum()
    return (float(coefficients[0]), float(coefficients[1])), float(1 - (residual ** 2).sum() / total) if total else 1.0


# ---------------------------------------------------------------- The contenders (child processes) ---

def ours(path: Path, cache: Path) -> dict:
    from pipeline.sources import sneep

    microdata, _ = sneep.load([path])
    return _measures(microdata)


def ours_unguarded(path: Path, cache: Path) -> dict:
    """An ablation: `ours` with the searches for a repeated header or body and the recovery of broken rows switched
    off, to measure what those guarantees cost. A bench child only: the pipeline never runs without them."""
    from pipeline.sources import sneep_csv

    sneep_csv._find_in = lambda data, needle, start, end: -1  # nothing found: the file is read as one body
    recover = sneep_csv._recover_in_bulk
    sneep_csv._recover_in_bulk = lambda invalid, *rest, **named: recover(sneep_csv._Invalid([], [], []), *rest, **named)
    return ours(path, cache)


def before(path: Path, cache: Path) -> dict:
    return ours(path, cache)  # the child imports BEFORE_COMMIT's pipeline package


def ours_first_run(path: Path, cache: Path) -> dict:
    from pipeline.sources import sneep

    with tempfile.TemporaryDirectory(prefix="bench-sneep-cache-") as scratch:
        microdata, _ = sneep.load([path], cache_dir=Path(scratch))
        return _measures(microdata)


def ours_rerun(path: Path, cache: Path) -> dict:
    from pipeline.sources import sneep

    microdata, _ = sneep.load([path], cache_dir=cache)
    return _measures(microdata)


def fill_cache(path: Path, cache: Path) -> dict:
    from pipeline.sources import sneep

    sneep.load([path], cache_dir=cache)
    return {}


def load_only(path: Path, cache: Path) -> dict:
    from pipeline.sources import sneep

    microdata, _ = sneep.load([path])
    return {"rows": len(microdata)}


def _chapter():
    """The Argentina chapter's microdata measures and their settings, in this package's layout or, for the
    'before' contender, in the layout of the package before the redesign (pipeline.argentina)."""
    common = dict(women_include_trans_women=True, drug_rule="any_offence", drug_include_smuggling=False,
                  legal_status="all", service="all", first_year=2005, last_year=2022, growth_base_year=2015)
    try:  # imported here: a bench child imports only what its contender needs (IMPORTS)
        from pipeline import argentina as chapter  # the package before the redesign: the 'before' contender
    except ImportError:
        from pipeline.chapters.argentina import microdata as chapter
        from pipeline.settings import Argentina

        return chapter, Argentina(**common)
    return chapter, chapter.Params(children_coding="auto", max_rejected_rows=0, **common)


def _measures(microdata) -> dict:
    argentina, settings = _chapter()
    rows = argentina.measures(microdata, settings)
    argentina.by_province(microdata, settings, int(microdata["census_year"].max()), 5)
    return {"women_drug_2022": float(rows.query("indicator == 'women_held_drug_offences' and period == '2022'")
                                     ["value"].iloc[0])}


def pandas_whole(path: Path, cache: Path) -> dict:
    import pandas as pd

    frame = pd.read_csv(path, on_bad_lines="skip", low_memory=False)  # skips the broken rows: less work than ours
    women = frame["genero_descripcion"].isin(["Mujer", "Trans Mujer/Travesti"])
    drug = frame[[f"delito{i}_descripcion" for i in range(1, 6)]].eq(DRUG).any(axis=1)
    frame.groupby(["censo_anio", "genero_descripcion"]).size()
    frame.groupby(["censo_anio", "genero_descripcion"])["situacion_legal_descripcion"].apply(
        lambda s: (s == "Procesado").mean())
    frame.groupby(["provincia_descripcion", "genero_descripcion"]).size()
    result = (women & drug).groupby(frame["censo_anio"]).sum()
    return {"women_drug_2022": float(result.loc[2022])}


def duckdb_sql(path: Path, cache: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE s AS SELECT {', '.join(COLUMNS_READ)} FROM read_csv('{path}', header=true, "
                "all_varchar=true, ignore_errors=true)")  # the file is read once
    con.execute("SELECT censo_anio, genero_descripcion, count(*), avg((situacion_legal_descripcion='Procesado')::int) "
                "FROM s GROUP BY ALL").fetchall()
    con.execute("SELECT provincia_descripcion, genero_descripcion, count(*) FROM s GROUP BY ALL").fetchall()
    drug = " OR ".join(f"delito{i}_descripcion = '{DRUG}'" for i in range(1, 6))
    value = con.execute(f"SELECT count(*) FROM s WHERE censo_anio = '2022' AND genero_descripcion IN "
                        f"('Mujer', 'Trans Mujer/Travesti') AND ({drug})").fetchone()[0]
    return {"women_drug_2022": float(value)}


def polars_scan(path: Path, cache: Path) -> tuple[dict, float, tuple[float, float]]:
    import polars as pl

    started, work, kernel = time.perf_counter(), cpu_seconds(), cpu_seconds(system_only=True)
    frame = pl.scan_csv(path, infer_schema=False, truncate_ragged_lines=True).select(COLUMNS_READ).collect()
    seconds, work, kernel = (time.perf_counter() - started, cpu_seconds() - work,
                             cpu_seconds(system_only=True) - kernel)
    women = frame.filter((pl.col("censo_anio") == "2022")
                         & pl.col("genero_descripcion").is_in(["Mujer", "Trans Mujer/Travesti"])
                         & pl.any_horizontal([pl.col(f"delito{i}_descripcion") == DRUG for i in range(1, 6)]))
    return {"women_drug_2022": float(women.height)}, seconds, (work, kernel)  # the answer is not timed: a limit row


def pyarrow_parse(path: Path, cache: Path) -> dict:
    import concurrent.futures
    import multiprocessing
    import os

    size, cores = path.stat().st_size, os.cpu_count() or 1
    with path.open("rb") as handle:
        cuts = [len(handle.readline())]
        for i in range(1, cores):  # cut at line ends, as the loader does
            handle.seek(cuts[0] + (size - cuts[0]) * i // cores)
            handle.readline()
            cuts.append(handle.tell())
    ranges = list(zip(cuts, cuts[1:] + [size]))
    with concurrent.futures.ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
        rows = sum(pool.map(_parse_range, [path] * cores, ranges))
    return {"women_drug_2022": None, "rows": rows}


def _parse_range(path: Path, byte_range: tuple[int, int]) -> int:
    """One part of pyarrow_parse: the rows it parsed (the table stays in the worker)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with path.open("rb") as handle:
        names = handle.readline().decode("utf-8-sig").strip().split(",")
    source = pa.memory_map(str(path))
    source.seek(byte_range[0])
    kept = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        pa.BufferReader(source.read_buffer(byte_range[1] - byte_range[0])),
        read_options=pacsv.ReadOptions(column_names=names, block_size=4 * 2**20, use_threads=False),
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(include_columns=COLUMNS_KEPT,
                                             column_types=dict.fromkeys(COLUMNS_KEPT, kept),
                                             strings_can_be_null=True, quoted_strings_can_be_null=True))
    return table.num_rows


def pyarrow_lines(path: Path, cache: Path) -> dict:
    import pyarrow.csv as pacsv

    pacsv.read_csv(path, read_options=pacsv.ReadOptions(column_names=["line"]),
                   parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False))
    return {"women_drug_2022": None}


def read_bytes(path: Path, cache: Path) -> dict:
    path.read_bytes()
    return {"women_drug_2022": None}


def _count(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


# ---------------------------------------------------------------- Where ours' time goes, as it runs ---

# (module, function, what it is): a clock is put around each, in this process and (inherited through fork) in the
# parts' processes. The function names are the loader's and the chapter's own.
CLOCKS = [("sneep_csv", "read", "read"), ("sneep_csv", "_sniff", "sniff"), ("sneep_csv", "_run_parts", "parts"),
          ("sneep_csv", "_read_part", "part"), ("sneep_csv", "_find_in", "searches"),
          ("sneep_csv", "_recover_in_bulk", "recovery"), ("sneep_csv", "_distinct", "distinct"),
          ("sneep_csv", "_write_arrow", "write"), ("sneep", "load", "load"), ("sneep", "_tidy", "tidy"),
          ("sneep", "_concat", "concat"), ("sneep", "_children", "children"), ("chapter", "measures", "measures"),
          ("chapter", "by_province", "by_province")]


def phases(path: Path, cache: Path) -> dict:
    """One run of `ours` with a clock around each step (CLOCKS): seconds per step in this process, and per part
    of the file in the process that read it. No profiler: the steps run at full speed, on both cores."""
    from pipeline.sources import sneep, sneep_csv

    chapter, settings = _chapter()
    modules = {"sneep": sneep, "sneep_csv": sneep_csv, "chapter": chapter}
    spent: dict[str, float] = {}

    def clock(module, name: str, label: str) -> None:
        function = getattr(module, name)

        @functools.wraps(function)  # its module and name: the pool pickles `_read_part` by name, finds this one
        def timed(*args, **kwargs):
            before, started, cpu = dict(spent), time.perf_counter(), time.process_time()
            try:
                result = function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
                if label == "part":  # and its CPU-seconds (every thread of the part's process)
                    spent["part_cpu"] = spent.get("part_cpu", 0.0) + time.process_time() - cpu
            if label == "part":  # in a part's process: its own clocks go back with the part it read
                result["bench_seconds"] = {step: spent[step] - before.get(step, 0.0) for step in spent}
            return result
        setattr(module, name, timed)

    for module, name, label in CLOCKS:
        clock(modules[module], name, label)
    parts = []
    read_parts = sneep_csv._run_parts

    def keep_parts(job):
        parts.extend(read_parts(job))
        return parts
    sneep_csv._run_parts = keep_parts
    started = time.perf_counter()
    microdata, report = sneep.load([path])
    chapter.measures(microdata, settings)
    chapter.by_province(microdata, settings, int(microdata["census_year"].max()), 5)
    spent["total"] = time.perf_counter() - started
    return {"main": spent, "parts": [part.pop("bench_seconds") for part in parts],
            "rows": report["rows"], "rows_recovered": sum(f["rows_recovered"] for f in report["files"])}


def _phase_table(runs: list[dict]) -> list[str]:
    """The steps of ours, median over the runs: the parts' steps in their processes, the rest in the loader's."""
    def median(step) -> float:
        return statistics.median(step(run) for run in runs)

    def slowest(label: str) -> Callable[[dict], float]:  # the part that finished last sets the pace
        return lambda run: max(run["parts"], key=lambda part: part["part"]).get(label, 0.0)

    main = lambda label: (lambda run: run["main"].get(label, 0.0))
    part_rest = lambda run: (slowest("part")(run) - sum(slowest(k)(run) for k in ("searches", "recovery", "distinct",
                                                                                    "write")))
    read_rest = lambda run: run["main"]["read"] - run["main"]["sniff"] - run["main"]["parts"]
    convert = lambda run: (run["main"]["load"] - run["main"]["read"]
                           - sum(run["main"].get(k, 0.0) for k in ("tidy", "concat", "children")))
    parts = len(runs[0]["parts"])
    rows = [
        ("the dialect sniff and the header (the first 4 MiB)", median(main("sniff"))),
        (f"**the {parts} part(s), in parallel: from the pool's start to the last part back**", median(main("parts"))),
        ("  in the part that finished last: the parse (pyarrow, one thread; the broken rows set aside)",
         median(part_rest)),
        ("  in it: recovering the broken rows (their text parsed again, each reading checked)",
         median(slowest("recovery"))),
        ("  in it: the searches for a repeated header or body", median(slowest("searches"))),
        ("  in it: the values its well-formed rows hold, and its tables written for the loader",
         median(lambda run: slowest("distinct")(run) + slowest("write")(run))),
        ("the parts' tables joined, the report (after the parts, in the loader's process)", median(read_rest)),
        ("the table converted to pandas (dictionaries unified) and the other files' tables joined", median(convert)),
        ("years, genders and the file's name checked and coded (`_tidy`), categories sorted (`_concat`)",
         median(lambda run: main("tidy")(run) + main("concat")(run))),
        ("the women's children coded census by census (`_children`)", median(main("children"))),
        ("the chapter's `measures`", median(main("measures"))),
        ("the chapter's `by_province` (with its disclosure control)", median(main("by_province"))),
        ("**all of it**", median(main("total"))),
    ]
    serial = median(lambda run: run["main"]["total"] - run["main"]["parts"])
    return [f"Where our time goes, as it runs ({len(runs)} run(s), each a fresh process as above; a clock around each "
            "step of the loader and the chapter, in the parts' processes too: no profiler, so nothing is slowed):", "",
            "| Step | Seconds, median |", "|---|---|",
            *(f"| {name.replace('  ', '— ')} | {seconds:.2f} s |" for name, seconds in rows), "",
            f"Everything outside the parts runs in one process, one step after another: {serial:.2f} s. The parse in "
            "a part is pyarrow's own work (the limit row above times it alone); the recovery grows with the broken "
            f"rows ({runs[0]['rows_recovered']:,} of the {runs[0]['rows']:,} rows here)."]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["contender", "phases"])
    parser.add_argument("name", choices=sorted(IMPORTS))
    parser.add_argument("path", type=Path)
    parser.add_argument("cache", type=Path, nargs="?", default=None)
    arguments = parser.parse_args()
    for module in IMPORTS[arguments.name]:  # timed work starts after the imports (peak memory includes them)
        importlib.import_module(module)
    started, work, kernel = time.perf_counter(), cpu_seconds(), cpu_seconds(system_only=True)
    if arguments.mode == "phases":
        child_result(phases(arguments.path, arguments.cache), time.perf_counter() - started)
    else:
        answer = globals()[arguments.name](arguments.path, arguments.cache)
        if isinstance(answer, tuple):  # a limit row that times only its read
            answer, seconds, read_work = answer
            child_result(answer, seconds, read_work)
        else:
            child_result(answer, time.perf_counter() - started,
                         (cpu_seconds() - work, cpu_seconds(system_only=True) - kernel))
