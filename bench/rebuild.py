"""Cold, no-op and selective rebuilds, today's against the commit before this work, side by side in one run.

Each copy holds the files git tracks (as in the work tree, or as committed at REBUILD_BEFORE) minus the committed
outputs, and no DVC cache, so the first `dvc repro` fetches and rebuilds everything — what a researcher gets on a
fresh clone. Each repetition builds one copy of each, one right after the other (which one first alternates), so
both meet the same load; the ratios are taken within a repetition.

"Before" is REBUILD_BEFORE run as it was: `dvc repro`, one stage at a time, and DVC reading its YAML files with
ruamel.yaml's pure-Python parser (that commit did not install ruamel.yaml.clib; a shim on its PYTHONPATH hides the
C parser this venv has now). "Now" is `make repro`'s command, `python -m pipeline.repro` (DVC's stages two at a
time), and once per run a plain `dvc repro` of a fresh copy, for the stage-by-stage profile.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import psutil
import yaml

from bench.common import ROOT, Section, Target, Timing, cpu_seconds, load_note, ratio_text

OUTPUT_FOLDERS = ("figures", "reports", "data/processed")
# The commit this branch started from (issue 17, items 3-5: cold, no-op and test-suite time): "before".
REBUILD_BEFORE = "a28d55f636ee1f77c0fc28378c8a9742dd9e9f37"
COLD_TARGET, NOOP_TARGET = 0.5, 1.5  # cold: now / before; no-op `dvc repro`: / `dvc version`
SELECTIVE_PARAM = ("brazil", "outlier_treatment", "keep")  # section, key, the value the copy changes it to
PARALLEL = [sys.executable, "-m", "pipeline.repro"]  # make repro's command, run in the copy
NEW_PROCESSES = "--new-processes"  # its option to start every stage's command anew, not from the stage server


def measure(repeat: int, quick: bool, mirror: Path) -> tuple[Section, Path]:
    """Time the rebuilds; return the section and one rebuilt copy of today's (the notebook benchmark reuses it)."""
    targets = ["ingest_unodc_prisons"] if quick else []  # quick: one stage (and the fetch it needs)
    load_before = load_note()
    shim = _pure_yaml_shim()
    # CPU seconds of every process of a cold rebuild (user + system), and the machine's busy core-seconds meanwhile
    # (an independent count). new_cold: today's, every stage's command a new process (`--new-processes`).
    cpu = {"before_cold": [], "now_cold": [], "new_cold": []}
    busy = {"before_cold": [], "now_cold": [], "new_cold": []}
    runs = {name: [] for name in ("before_cold", "now_cold", "new_cold", "before_noop", "now_noop", "now_noop_make",
                                  *NOOP_MAKE, "startup", "before_selective", "now_selective")}
    before_stages, before_cpu, reran, copy = {}, {}, {}, None
    for repetition in range(repeat):
        order = ("before", "now") if repetition % 2 == 0 else ("now", "before")
        for which in order:
            if which == "before":
                base = _fresh_copy(REBUILD_BEFORE)
                env = {"PYTHONPATH": str(shim)}
                used, machine = cpu_seconds(own=False), _machine_busy()
                seconds, before_stages, before_cpu = _repro(base, mirror, ["dvc", "repro", *targets], env)
                cpu["before_cold"].append(cpu_seconds(own=False) - used)
                busy["before_cold"].append(_machine_busy() - machine)
                runs["before_cold"].append(seconds)
                runs["before_noop"].append(_repro(base, mirror, ["dvc", "repro", *targets], env)[0])
                _set_param(base / "params.yaml", *SELECTIVE_PARAM)
                runs["before_selective"].append(_repro(base, mirror, ["dvc", "repro", *targets], env)[0])
                remove_copy(base)
            else:
                if copy:
                    remove_copy(copy)  # one copy of today's on disk at a time; the last is kept for the notebooks
                copy = _fresh_copy()
                now = ["dvc", "repro", *targets] if quick else PARALLEL
                used, machine = cpu_seconds(own=False), _machine_busy()
                seconds, quick_stages, quick_cpu = _repro(copy, mirror, now)
                cpu["now_cold"].append(cpu_seconds(own=False) - used)
                busy["now_cold"].append(_machine_busy() - machine)
                runs["now_cold"].append(seconds)
                runs["now_noop"].append(_repro(copy, mirror, ["dvc", "repro", *targets])[0])
                if not quick:  # make repro's two commands with nothing to do: DVC asked, then the record used
                    for name, seconds in _noop_make(copy, mirror).items():
                        runs[name].append(seconds)
                else:
                    runs["now_noop_make"].append(_repro(copy, mirror, now)[0])
                runs["startup"].append(_dvc_startup())
                original = _set_param(copy / "params.yaml", *SELECTIVE_PARAM)
                seconds, reran, _ = _repro(copy, mirror, now)
                runs["now_selective"].append(seconds)
                if not quick:  # leave the copy as committed for the notebook benchmark
                    _set_param(copy / "params.yaml", *SELECTIVE_PARAM[:2], original)
                    _repro(copy, mirror, now)
                    fresh = _fresh_copy()  # the same cold rebuild, each stage's command a new process
                    used, machine = cpu_seconds(own=False), _machine_busy()
                    runs["new_cold"].append(_repro(fresh, mirror, [*PARALLEL, NEW_PROCESSES]).seconds)
                    cpu["new_cold"].append(cpu_seconds(own=False) - used)
                    busy["new_cold"].append(_machine_busy() - machine)
                    remove_copy(fresh)
    if quick:  # the cold run above was already `dvc repro`, one stage at a time
        serial_seconds, now_stages, now_cpu = runs["now_cold"][-1], quick_stages, quick_cpu
    else:  # once: today's stages one at a time, for the profile of where the time goes
        serial = _fresh_copy()
        serial_seconds, now_stages, now_cpu = _repro(serial, mirror, ["dvc", "repro", *targets])
        remove_copy(serial)
    noop_runs = 1 if quick else max(repeat, 3)
    noop_parts = _noop_parts(copy, mirror, noop_runs, targets)
    smallest = _smallest_project_noop(noop_runs)
    lock = yaml.safe_load((copy / "dvc.lock").read_text())["stages"]
    declared = sum(len(body.get("deps", [])) + len(body.get("outs", [])) for body in lock.values())
    t = {name: Timing(values) for name, values in runs.items()}
    cold_ratio = [n / b for n, b in zip(runs["now_cold"], runs["before_cold"])]
    noop_ratio = [n / s for n, s in zip(runs["now_noop"], runs["startup"])]
    recorded_ratio = [(r + c) / s for r, c, s in zip(runs["now_noop_recorded"], runs["changes_recorded"],
                                                     runs["startup"])]
    before_noop_ratio = [b / s for b, s in zip(runs["before_noop"], runs["startup"])]
    selective_ratio = [n / b for n, b in zip(runs["now_selective"], runs["before_selective"])]
    scope = f"`dvc repro {' '.join(targets)}` (quick mode: one stage)" if quick else "every stage"
    command = f"`dvc repro {' '.join(targets)}`" if quick else "`python -m pipeline.repro` (make repro)"
    unexpected = sorted(set(reran) - _and_downstream(copy, SELECTIVE_PARAM[0]))
    section, key, value = SELECTIVE_PARAM
    lines = [
        f"Scope: {scope}, from the mirror, in fresh copies of the tracked files with an empty DVC cache. Before: "
        f"commit `{REBUILD_BEFORE[:10]}` (this work's starting point) with `dvc repro`. Now: {command}. "
        f"{repeat} repetition(s), before and now one right after the other (the order alternating); each ratio is "
        f"taken within a repetition. Load average (1, 5, 15 min) when this section started: {load_before}; when "
        f"it ended: {load_note()}.",
        "",
        "| Rebuild | Before, median (min–max, runs) | Now, median (min–max, runs) | Now ÷ before, median (min–max) |",
        "|---|---|---|---|",
        f"| Cold: fetch + every stage | {t['before_cold'].text()} | {t['now_cold'].text()} | {ratio_text(cold_ratio)} |",
        *([f"| Cold, every stage's command a new process as under `dvc repro` (`{NEW_PROCESSES}`) | — | "
           f"{t['new_cold'].text()} | — |"] if runs["new_cold"] else []),
        f"| No-op: `dvc repro` again | {t['before_noop'].text()} | {t['now_noop'].text()} | "
        f"{ratio_text([n / b for n, b in zip(runs['now_noop'], runs['before_noop'])])} |",
        f"| No-op: {command} again{', DVC asked' if not quick else ''} | — | {t['now_noop_make'].text()} | — |",
        *([f"| No-op: make repro's changes report after it (the comparison with HEAD, written) | — | "
           f"{t['changes_first'].text()} | — |",
           f"| No-op: {command} again, no file moved since DVC's last no-op (its record, pipeline/up_to_date.py) | — "
           f"| {t['now_noop_recorded'].text()} | — |",
           f"| No-op: make repro's changes report after it, nothing moved since the last report (its record) | — | "
           f"{t['changes_recorded'].text()} | — |"] if runs["now_noop_recorded"] else []),
        f"| Selective: `{section}.{key}` set to `{value}` | {t['before_selective'].text()} | "
        f"{t['now_selective'].text()} | {ratio_text(selective_ratio)} |",
        f"| (dvc's own start-up: `dvc version`) | | {t['startup'].text()} | |",
        "",
        f"No-op `dvc repro` ÷ `dvc version`: now {ratio_text(noop_ratio)}; before {ratio_text(before_noop_ratio)}.",
        *(["", "`make repro` runs the runner, then the changes report. Once DVC has found nothing to do, the runner "
           "keeps a record of every file DVC's decision read, and the report one of every file it read; while none "
           "of those files moves (inode, size, modification and change time), the next `make repro` says so from "
           "the records without asking DVC or comparing again. Its two commands then take "
           f"{ratio_text(recorded_ratio)} of `dvc version`'s start-up (within each repetition). `dvc repro` itself "
           "always asks DVC (the ratio above)."] if recorded_ratio else []),
        "",
        *([_stage_server_note(runs, cpu), ""] if runs["new_cold"] else []),
        "The same ratio for the smallest project DVC can have (one stage writing one file, `dvc init` and nothing "
        f"else, in a new git repository; {noop_runs} pair(s), alternating): {ratio_text(smallest)}. What this "
        "project's no-op takes beyond that grows with the stages and paths it declares (below).",
        "",
        f"Where a no-op `dvc repro` spends its time: {noop_runs} run(s) in today's built copy, each part timed "
        "around one of DVC's functions (bench/noop_parts.py; no profiler). Every part is DVC's own code; the "
        f"project decides only how many stages and paths it declares ({len(lock)} stages, {declared} dependencies "
        "and outputs in dvc.lock).",
        "",
        "| Part of a no-op `dvc repro` | Seconds, median (min–max, runs) | Share of the median run |",
        "|---|---|---|",
        *(f"| {label} | {noop_parts[part].text()} | {noop_parts[part].median / noop_parts['total'].median:.0%} |"
          for part, label in NOOP_PARTS.items()),
        f"| all of it | {noop_parts['total'].text()} | |",
        "",
        f"Stages the selective rebuild reran ({len(reran)}): "
        + (", ".join(f"`{s}`" for s in reran) or "none") + ". "
        + ("Every one is the Brazil branch or downstream of it." if reran and not unexpected
           else "(Quick mode: the Brazil branch is not among the targets.)" if not unexpected
           else f"**Outside the Brazil branch and its downstream: {unexpected}.**"),
        "",
        f"Where a cold rebuild's time and work go, stage by stage, run one at a time by `dvc repro` (now: one more "
        f"fresh copy, {serial_seconds:.1f} s in all; before: the last repetition). A stage's seconds run from DVC's "
        "\"Running stage\" line to the next, so DVC's own bookkeeping after a stage is charged to it. Its CPU-seconds "
        "are read from the `dvc` process at the same lines: what the stage's command used (with every process it "
        "waited for: pool workers, notebook kernels) and what `dvc` used itself meanwhile (hashing, dvc.lock; the "
        "first stage's includes DVC's start-up). The stages are in the order of the work their command does now.",
        "",
        "| Stage | Before, s | Now, s | Before: the command, CPU-s | Now: the command, CPU-s "
        "| Now: DVC itself, CPU-s |",
        "|---|---|---|---|---|---|",
        *(f"| `{name}` | {_seconds(before_stages, name)} | {_seconds(now_stages, name)} | "
          f"{_cpu(before_cpu, name, 0)} | {_cpu(now_cpu, name, 0)} | {_cpu(now_cpu, name, 1)} |"
          for name in sorted(before_stages.keys() | now_stages.keys(),
                             key=lambda n: (-now_cpu.get(n, (0.0, 0.0))[0], -now_stages.get(n, 0),
                                            -before_stages.get(n, 0)))),
        f"| all stages | {sum(before_stages.values()):.1f} | {sum(now_stages.values()):.1f} | "
        f"{_cpu_sum(before_cpu, 0)} | {_cpu_sum(now_cpu, 0)} | {_cpu_sum(now_cpu, 1)} |",
        "",
        _largest_work(now_cpu),
        "",
        _same_scope(before_stages, now_stages),
        "",
        _floor(cpu, busy, runs),
    ]
    targets_met = [
        Target("Cold rebuild", f"≤ {COLD_TARGET}× before (now ÷ before, median)", ratio_text(cold_ratio),
               sorted(cold_ratio)[len(cold_ratio) // 2] <= COLD_TARGET),
        Target("No-op rebuild", f"`dvc repro` ≤ {NOOP_TARGET}× `dvc version`",
               ratio_text(noop_ratio) + (f"; `make repro`, no file moved since DVC's last no-op: "
                                         f"{ratio_text(recorded_ratio)}" if recorded_ratio else ""),
               sorted(noop_ratio)[len(noop_ratio) // 2] <= NOOP_TARGET),
        Target("Selective rebuild", "only the Brazil branch and downstream rerun",
               f"{len(reran)} stages, {t['now_selective'].median:.1f} s", not unexpected and (quick or "brazil" in reran)),
    ]
    return Section("Rebuilds (dvc repro)", lines, targets_met), copy


NOOP_PARTS = {  # bench/noop_parts.py's parts, as the section names them
    "start_up": "start-up: Python, imports, the command line (`dvc version` does the same)",
    "index": "reading dvc.yaml and dvc.lock into DVC's stage index",
    "lock": "each stage's read/write lock file (`.dvc/tmp/rwlock`: created, read, checked path by path, rewritten, "
            "twice per stage)",
    "check": "each stage's deps, outs and params compared with dvc.lock (a stat and a cached hash per file)",
    "command": "the rest of `dvc repro` (the stage graph, the messages)",
}


def _stage_server_note(runs: dict[str, list[float]], cpu: dict[str, list[float]]) -> str:
    """The cold rebuild with the stages' commands forked from the stage server (pipeline/stage_server.py) against the
    same with each a new process, as ratios within a repetition: time and CPU-seconds."""
    time_ratio = [f / n for f, n in zip(runs["now_cold"], runs["new_cold"])]
    work_ratio = [f / n for f, n in zip(cpu["now_cold"], cpu["new_cold"])]
    return (f"Starting each `bin/python -m …` command from the stage server, which imported pandas, pyarrow, "
            f"pandera and matplotlib once (pipeline/stage_server.py), against starting each as a new process "
            f"(`{NEW_PROCESSES}`, how `dvc repro` starts them): a cold rebuild takes {ratio_text(time_ratio)} of the "
            f"time and {ratio_text(work_ratio)} of the CPU-seconds (each ratio within a repetition).")


def _noop_parts(copy: Path, mirror: Path, repeat: int, targets: list[str]) -> dict[str, Timing]:
    """Wall-clock seconds of the parts of a no-op `dvc repro` in `copy` (already built), each part timed around
    one DVC function by bench/noop_parts.py (no profiler, which would skew the shares)."""
    env = os.environ | {"BRIEFING_DATA_MIRROR": str(mirror)}
    runs = {part: [] for part in (*NOOP_PARTS, "total")}
    for _ in range(repeat):
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "noop_parts.py"), *targets], cwd=copy, env=env,
                              check=True, capture_output=True, text=True)
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        for part in runs:
            runs[part].append(measured[part])
    return {part: Timing(values) for part, values in runs.items()}


def _same_scope(before: dict[str, float], now: dict[str, float]) -> str:
    """The serial stage times split into the stages both commits run and the stages added since (work the
    "before" commit did not do at all, such as the country profiles): the like-for-like ratio beside the whole."""
    if not before or not now:
        return ""
    before, now = _by_stage(before), _by_stage(now)
    common, added = sorted(before.keys() & now.keys()), sorted(now.keys() - before.keys())
    then, today = sum(before[n] for n in common), sum(now[n] for n in common)
    return (f"Like for like, one stage at a time: the {len(common)} stages both commits run took {then:.1f} s before "
            f"and {today:.1f} s now ({today / then:.2f}×); the {len(added)} stages added since "
            f"({', '.join(f'`{n}`' for n in added) or 'none'}) took {sum(now[n] for n in added):.1f} s, work the "
            "before commit does not do. The cold-rebuild ratio above compares the whole of each, as a researcher "
            "runs it.")


def _machine_busy() -> float:
    """Core-seconds this machine's CPUs have spent busy since it started, by every process on it, not only ours
    (psutil: user, nice, system, irq and softirq time, those the system gives; not idle, I/O wait, or time the
    hypervisor gave to other machines)."""
    times = psutil.cpu_times()
    return sum(getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


def _smallest_project_noop(runs: int) -> list[float]:
    """No-op `dvc repro` ÷ `dvc version` for a project of one stage and one output, a pair at a time (the order
    alternating): what DVC itself needs to find nothing to do."""
    dvc = str(Path(sys.executable).with_name("dvc"))
    folder = Path(tempfile.mkdtemp(prefix="bench-dvc-one-stage-"))
    try:
        _git("init", "-q", cwd=folder)
        subprocess.run([dvc, "init", "-q"], cwd=folder, check=True, capture_output=True)
        (folder / "dvc.yaml").write_text("stages:\n  one:\n    cmd: echo one > out.txt\n    outs:\n    - out.txt\n")
        subprocess.run([dvc, "repro", "-q"], cwd=folder, check=True, capture_output=True)
        ratios = []
        for run in range(runs):
            timed = {}
            for name in (("repro", "version") if run % 2 == 0 else ("version", "repro")):
                started = time.perf_counter()
                subprocess.run([dvc, name], cwd=folder, check=True, capture_output=True)
                timed[name] = time.perf_counter() - started
            ratios.append(timed["repro"] / timed["version"])
        return ratios
    finally:
        shutil.rmtree(folder)


def _floor(cpu: dict[str, list[float]], busy: dict[str, list[float]], runs: dict[str, list[float]]) -> str:
    """The work of a cold rebuild in CPU seconds, and the wall-clock floor it gives on this machine's cores: no
    scheduler can finish N CPU-seconds on C cores in less than N / C. The count (getrusage of every process the
    rebuild waited for) is checked against the machine's busy time meanwhile, which also holds whatever else ran on
    it: a process no one waits for (a kernel left to end on its own) is missing from the first, never the second."""
    cores = len(os.sched_getaffinity(0))
    parts = []
    for which in ("before", "now", "new"):
        if not runs[f"{which}_cold"]:
            continue
        work, wall = Timing(cpu[f"{which}_cold"]), Timing(runs[f"{which}_cold"])
        machine = Timing(busy[f"{which}_cold"])
        label = f"now with `{NEW_PROCESSES}`" if which == "new" else which
        parts.append(f"{label}: {work.median:.1f} CPU-seconds (all processes, median; the machine was busy "
                     f"{machine.median:.1f} core-seconds meanwhile, every process on it), a floor of "
                     f"{work.median / cores:.1f} s on {cores} cores; the cold rebuild took {wall.median:.1f} s, "
                     f"{wall.median / (work.median / cores):.2f}× its floor")
    target = COLD_TARGET * Timing(runs["before_cold"]).median
    floor = Timing(cpu["now_cold"]).median / cores
    reach = ("below today's floor: no schedule reaches it, only less work (CPU-seconds) would" if target < floor else
             "above today's floor: a better schedule could still reach it")
    return ("The work itself: " + "; ".join(parts) + f". A better schedule can at best bring a rebuild down to its "
            f"floor. The target, {COLD_TARGET:g}× before's cold rebuild ({target:.1f} s), is {reach}.")


def _and_downstream(copy: Path, stage: str) -> set[str]:
    """`stage` and every stage downstream of it, from the copy's DVC graph: what a parameter of that stage alone
    may rerun (the Brazil branch, then the regional chapter, the long table and everything built from it)."""
    import networkx as nx
    from dvc.repo import Repo

    with Repo(str(copy)) as repo:
        graph = repo.index.graph  # edges go from a stage to the stages it depends on
        start = next(node for node in graph if node.name == stage)  # names: addressing is relative to the cwd
        return {stage, *(node.name for node in nx.ancestors(graph, start))}


def _by_stage(stages: dict[str, float]) -> dict[str, float]:
    """A `foreach` stage's items summed under its name (`fetch@sisdepen` and the others under `fetch`): the
    before commit fetched in five items, today in one stage."""
    summed: dict[str, float] = {}
    for name, seconds in stages.items():
        summed[name.split("@")[0]] = summed.get(name.split("@")[0], 0.0) + seconds
    return summed


def _seconds(stages: dict[str, float], name: str) -> str:
    return f"{stages[name]:.1f}" if name in stages else "—"


def _cpu(cpu: dict[str, tuple[float, float]], name: str, part: int) -> str:
    """A stage's CPU-seconds: its command's (part 0) or DVC's own (part 1); — where not measured."""
    return f"{cpu[name][part]:.1f}" if name in cpu else "—"


def _cpu_sum(cpu: dict[str, tuple[float, float]], part: int) -> str:
    return f"{sum(value[part] for value in cpu.values()):.1f}" if cpu else "—"


def _largest_work(cpu: dict[str, tuple[float, float]], shown: int = 5) -> str:
    """Where the work of a one-at-a-time rebuild is: its commands' and DVC's CPU-seconds, and the stages whose
    commands did the most of it."""
    if not cpu:
        return "The stages' CPU-seconds were not measured (psutil gives a process's children's CPU time on Linux only)."
    commands, dvc = sum(value[0] for value in cpu.values()), sum(value[1] for value in cpu.values())
    largest = sorted(cpu.items(), key=lambda item: -item[1][0])[:shown]
    share = sum(value[0] for _, value in largest) / (commands + dvc)
    return (f"The work of this one-at-a-time rebuild: {commands + dvc:.1f} CPU-seconds, of which the stages' "
            f"commands {commands:.1f} and DVC itself {dvc:.1f} ({dvc / len(cpu):.2f} a stage). The {len(largest)} "
            f"stages with the most work did {share:.0%} of it: "
            + ", ".join(f"`{name}` {value[0]:.1f}" for name, value in largest) + ".")


def _pure_yaml_shim() -> Path:
    """A folder whose `_ruamel_yaml` module fails to import: on PYTHONPATH, ruamel.yaml falls back to its pure-Python
    parser, as it did before ruamel.yaml.clib was a dependency."""
    folder = Path(tempfile.mkdtemp(prefix="bench-pure-yaml-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # removed when the benchmark ends, however it ends
    (folder / "_ruamel_yaml.py").write_text('raise ImportError("the benchmark\'s before: no ruamel.yaml.clib")\n')
    return folder


def remove_copy(copy: Path) -> None:
    """Delete a copy made by _fresh_copy (and the `shared` link beside it, not what it points to)."""
    (copy.parent / "shared").unlink()
    shutil.rmtree(copy.parent)


def _fresh_copy(revision: str | None = None) -> Path:
    """The tracked files without committed outputs (as in the work tree, or as committed at `revision`), as a new
    git repository; ../shared beside it.

    dvc.yaml reads one file through ../shared (the manuscript), so the copy gets a `shared` link next to it:
    read only, as in the project's own layout."""
    base = Path(tempfile.mkdtemp(prefix="bench-repo-"))
    (base / "shared").symlink_to(ROOT.parent / "shared")
    copy = base / "repo"
    copy.mkdir()
    if revision:
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)
        for folder in OUTPUT_FOLDERS:
            shutil.rmtree(copy / folder, ignore_errors=True)
    else:
        listed = _git("ls-files", "--cached", "-z", cwd=ROOT).split("\0")
        for name in sorted(f for f in listed if f and (ROOT / f).is_file()):
            if name.startswith(tuple(folder + "/" for folder in OUTPUT_FOLDERS)):
                continue
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
    _git("init", "-q", cwd=copy)
    _git("add", "-A", cwd=copy)
    _git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "copy", cwd=copy)
    return copy


class Rebuild(NamedTuple):
    """One rebuild: its seconds; the stages it ran (in order) with the seconds each took; and, where the rebuild ran
    under `dvc` on Linux, each stage's CPU-seconds as (its command, DVC's own)."""
    seconds: float
    stages: dict[str, float]
    cpu: dict[str, tuple[float, float]]


def _repro(copy: Path, mirror: Path, command: list[str], extra_env: dict | None = None) -> Rebuild:
    """One rebuild (`command`: `dvc ...` runs the venv's dvc) in `copy`.

    A stage's seconds run from dvc's "Running stage" line to the next one (or to the end): dvc's own
    bookkeeping between stages is charged to the stage before. (Meaningful for `dvc repro`, which runs one stage
    at a time; for the parallel runner only the names count.) Its CPU-seconds are read at the same lines from the
    `dvc` process (_process_cpu): what its finished children used (the stage's command, which `dvc`
    waits for before it goes on, with every process the command waited for) and what `dvc` itself used meanwhile
    (from its start for the first stage)."""
    dvc = Path(sys.executable).with_name("dvc")
    command = [str(dvc), *command[1:]] if command[0] == "dvc" else command
    env = os.environ | {"BRIEFING_DATA_MIRROR": str(mirror),
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"} | (extra_env or {})
    env.pop("BRIEFING_STAGING_DIR", None)
    started = time.perf_counter()
    output, stages, cpu, stage, stage_started = [], {}, {}, None, started
    with subprocess.Popen(command, cwd=copy, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        used = _process_cpu(process.pid)
        for line in process.stdout:
            output.append(line)
            running = re.search(r"Running stage '([^']+)'", line)
            if running:
                now, using = time.perf_counter(), _process_cpu(process.pid)
                if stage:
                    stages[stage] = now - stage_started
                    cpu[stage] = _difference(using, used)
                    used = using  # DVC's start-up, before the first stage's line, is charged to the first stage
                stage, stage_started = running.group(1), now
        seconds, using = time.perf_counter() - started, _process_cpu(process.pid)  # ended, not yet waited for
    if stage:
        stages[stage] = started + seconds - stage_started
        cpu[stage] = _difference(using, used)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {copy}:\n{''.join(output)[-4000:]}")
    return Rebuild(seconds, stages, {name: value for name, value in cpu.items() if value is not None})


def _process_cpu(pid: int) -> tuple[float, float] | None:
    """CPU-seconds of a process: (its children's that it has waited for, its own), user + system (psutil, which
    reads Linux's /proc/<pid>/stat: readable until the process is waited for); None where the process is gone, or
    off Linux, where psutil gives children's times as 0."""
    if not psutil.LINUX:
        return None
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.children_user + times.children_system, times.user + times.system


def _difference(later: tuple[float, float] | None, earlier: tuple[float, float] | None) -> tuple[float, float] | None:
    if later is None or earlier is None:
        return None
    return later[0] - earlier[0], later[1] - earlier[1]


# make repro's no-op, timed in parts (_noop_make): the runner asking DVC is "now_noop_make".
NOOP_MAKE = ("changes_first", "now_noop_recorded", "changes_recorded")


def _noop_make(copy: Path, mirror: Path) -> dict[str, float]:
    """Seconds of make repro's two commands (the runner, the changes report) in a built `copy`, twice: first as
    after any change (DVC asked, the report compared; each keeps its record), then from their records."""
    from pipeline import repro, up_to_date

    time.sleep(up_to_date.MARGIN_NS / 1e9 + 0.2)  # files written just before a check leave no record
    env = os.environ | {"BRIEFING_DATA_MIRROR": str(mirror),
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    seconds = {}
    for name, module, expected in (("now_noop_make", "pipeline.repro", "Data and pipelines are up to date.\n"),
                                   ("changes_first", "pipeline.changes", "changes against HEAD"),
                                   ("now_noop_recorded", "pipeline.repro", repro.NO_FILE_CHANGED),
                                   ("changes_recorded", "pipeline.changes", "changes against HEAD")):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", module], cwd=copy, env=env, capture_output=True, text=True)
        seconds[name] = time.perf_counter() - started
        if done.returncode != 0 or expected not in done.stdout:
            raise RuntimeError(f"{module} in {copy}: expected {expected!r}:\n"
                               f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def _dvc_startup() -> float:
    """Seconds dvc takes to start and exit: the floor under every `dvc repro`."""
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("dvc")), "version"], check=True, capture_output=True)
    return time.perf_counter() - started


def _set_param(params_file: Path, section: str, key: str, value):
    """Change one value in the copy's params.yaml, keeping every other line (and comment) as it is; return the
    value it had."""
    text = params_file.read_text()
    current = yaml.safe_load(text)[section][key]
    pattern = re.compile(rf"(^{section}:\n(?:[ ].*\n|\n)*?  {key}: ){re.escape(str(current))}", re.MULTILINE)
    changed, count = pattern.subn(rf"\g<1>{value}", text)
    if count != 1 or yaml.safe_load(changed)[section][key] != value:
        raise RuntimeError(f"could not set {section}.{key} in {params_file}")
    params_file.write_text(changed)
    return current


def _git(*args, cwd) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout
