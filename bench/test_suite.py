"""`make test` on a fresh clone, today's against the commit before this work (issue 17, item 4), one after the other.

Each side is a `git clone` of this repository (today: HEAD, as CI gets it; before: REBUILD_BEFORE) with ../shared
beside it, run the way CI runs it: `make setup` (a new .venv from that commit's lock), then `make test`, in an
environment with none of this process's virtualenv, make or project variables. The set-up is timed apart: it is
the same pip install on both sides and says nothing about the tests. The work is counted too (CPU-seconds of every
process, from getrusage, checked against the machine's busy time meanwhile), with the floor it sets on this machine's
cores, and the tests each side ran: the suite has grown since, so the report gives the time per test beside the whole.

Too long for the quick smoke mode (a clone's `make test` is many minutes): measured by the full `make bench` (one
pair of runs) and by `python -m bench --only tests [--repeat N]` (N pairs, the order alternating).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench import process_work, pytest_cpu
from bench.common import ROOT, Section, Target, cpu_seconds, load_note, ratio_text
from bench.rebuild import REBUILD_BEFORE, _machine_busy

TEST_TARGET = 0.5  # issue 17: make test in half the time of before
# pytest's closing line, e.g. "==== 1054 passed, 1 skipped in 297.43s (0:04:57) ====" (one per pytest process).
SUMMARY = re.compile(r"^=+ (?P<counts>.*?) in (?P<seconds>[\d.]+)s(?: \([\d:]+\))? =+$", re.M)
# What a fresh shell has: no virtualenv, no make of ours around it, none of the project's variables.
DROPPED = ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "PYTEST_ADDOPTS")
LISTS = ("summaries", "failed", "by_test", "by_kind")  # what a run gives beside its numbers
SHOWN_FILES, SHOWN_TESTS = 12, 5  # the test files and single tests the profile of the work names


def measure(repeat: int = 1) -> Section:
    """`repeat` pairs of runs, before and now, the order alternating (a slow spell of the machine then falls on
    both sides); one ratio per pair. A full `make bench` runs one pair (two `make test`s take most of an hour)."""
    load_before = load_note()
    runs: dict[str, list[dict]] = {"before": [], "now": []}
    for repetition in range(repeat):
        order = [("before", REBUILD_BEFORE), ("now", "HEAD")]
        for which, revision in (order if repetition % 2 == 0 else order[::-1]):
            base = Path(tempfile.mkdtemp(prefix=f"bench-tests-{which}-"))
            try:
                runs[which].append(_run(base, revision, by_test=which == "now"))
            finally:
                shutil.rmtree(base, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    for side in (*runs["before"], *runs["now"]):
        side["per_test"] = side["test_seconds"] / side["tests"]
        side["floor"] = side["cpu_seconds"] / cores
        side["over_floor"] = side["test_seconds"] / side["floor"]
        side["busy_floor"] = side["busy_seconds"] / cores
        side["over_busy_floor"] = side["test_seconds"] / side["busy_floor"]
    ratios = [n["test_seconds"] / b["test_seconds"] for b, n in zip(runs["before"], runs["now"])]
    # Today's suite must pass. The before commit's need not: its failed test (listed below) ran to its end, so its
    # time is its whole suite's; a before run that stopped short of its tests (no pytest closing line) would not be.
    before_whole = all(side["summaries"] for side in runs["before"])
    per_test = [n["per_test"] / b["per_test"] for b, n in zip(runs["before"], runs["now"])]
    before = {key: _median(runs["before"], key) for key in runs["before"][0] if key not in LISTS}
    now = {key: _median(runs["now"], key) for key in runs["now"][0] if key not in LISTS}
    rows = [
        ("`make setup`: a new .venv, the locked dependencies installed", "setup_seconds", "{:.0f} s"),
        ("`make test` after it (every build and test it runs)", "test_seconds", "{:.0f} s"),
        ("its exit status (the highest of the runs)", "returncode", "{}"),
        ("tests run (pytest's counts, every pytest process)", "tests", "{:,.0f}"),
        ("seconds per test", "per_test", "{:.2f} s"),
        ("CPU-seconds of `make test` (every process)", "cpu_seconds", "{:.0f}"),
        ("the machine's busy core-seconds meanwhile (every process on it: a check of the count above)",
         "busy_seconds", "{:.0f}"),
        (f"the floor that work sets on {cores} cores (CPU-seconds ÷ {cores})", "floor", "{:.0f} s"),
        ("`make test` ÷ its floor", "over_floor", "{:.2f}×"),
        (f"the same floor from the machine's busy core-seconds (÷ {cores}: counts the processes getrusage misses, "
         "those no parent waited for, and the kernel's work for them)", "busy_floor", "{:.0f} s"),
        ("`make test` ÷ that floor", "over_busy_floor", "{:.2f}×"),
    ]
    spread = lambda key: (lambda side: f" ({min(r[key] for r in runs[side]):.0f}–{max(r[key] for r in runs[side]):.0f})"
                          if repeat > 1 and key == "test_seconds" else "")
    lines = [
        f"Scope: `git clone` of this repository (now: HEAD; before: commit `{REBUILD_BEFORE[:10]}`, this work's "
        "starting point) with ../shared beside it, as CI runs it: `make setup`, then `make test`, in a shell "
        f"without this virtualenv. {_runs_text(repeat)} Load average (1, 5, 15 min) when this section started: "
        f"{load_before}; when it ended: {load_note()}.",
        "",
        "| | Before" + (" (median)" if repeat > 1 else "") + " | Now" + (" (median)" if repeat > 1 else "")
        + " | Now ÷ before |",
        "|---|---|---|---|",
        *(f"| {label} | {fmt.format(before[key])}{spread(key)('before')} | {fmt.format(now[key])}{spread(key)('now')} | "
          + (f"{now[key] / before[key]:.2f}× |" if key in ("test_seconds", "tests", "per_test", "cpu_seconds",
                                                            "setup_seconds") else "|")
          for label, key, fmt in rows),
        "",
        "Each pytest process's closing line, as it printed it:",
        "",
        *(f"- {which}" + (f", run {i + 1}" if repeat > 1 else "") + ": "
          + "; ".join(f"`{line}`" for line in side["summaries"])
          for which, sides in runs.items() for i, side in enumerate(sides)),
        *(f"- {which}, failed: " + ", ".join(f"`{name}`" for name in sorted({n for s in sides for n in s["failed"]}))
          for which, sides in runs.items() if any(s["failed"] for s in sides)),
        "",
        f"`make test` now ÷ before: **{ratio_text(ratios)}**; per test: **{ratio_text(per_test)}**. The whole ratio "
        "compares the two suites as a contributor runs them; the suite now holds "
        f"{now['tests'] / before['tests']:.1f}× the tests of before."
        + (" The before commit's suite fails (exit status above): the failed tests listed ran to their end, so its "
           "time is its whole suite's, and the target counts it." if before["returncode"] != 0 and before_whole else "")
        + ("" if before_whole else " A before run printed no pytest closing line (it stopped before its tests): "
           "its time is not a suite's, and the target is not met on it."),
        "",
        *work_by_test(runs["now"][-1]),
        "",
        *work_by_kind(runs["now"][-1], TEST_TARGET * before["test_seconds"], cores),
    ]
    ratio = statistics.median(ratios)
    met = ratio <= TEST_TARGET and now["returncode"] == 0 and before_whole
    target = Target("make test", f"≤ {TEST_TARGET}× before (fresh clone, after set-up)",
                    f"{ratio_text(ratios)} ({now['test_seconds']:.0f} s vs {before['test_seconds']:.0f} s; per test "
                    f"{statistics.median(per_test):.2f}×)", met)
    return Section("Test suite (make test on a fresh clone)", lines, [target])


def _median(sides: list[dict], key: str):
    """The median over the runs (the highest exit status: one failed run is a failure)."""
    values = [side[key] for side in sides]
    return max(values) if key == "returncode" else statistics.median(values)


def _runs_text(repeat: int) -> str:
    if repeat == 1:
        return "One run of each (a `make test` is many minutes), before first."
    return (f"{repeat} runs of each, in pairs, the order alternating (before first in the first pair); one ratio per "
            "pair; the table gives medians, and the range of `make test`'s seconds.")


def _run(base: Path, revision: str, by_test: bool = False) -> dict:
    """Clone at `revision` into base/repo (../shared beside it), then `make setup` and `make test`, each timed.
    `by_test`: every pytest process also counts the CPU-seconds of each test (bench/pytest_cpu.py, today's clone
    only: the before commit does not have the plugin)."""
    (base / "shared").symlink_to(ROOT.parent / "shared")
    clone = base / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", revision], cwd=clone, check=True)
    venv_bin = str(ROOT / ".venv" / "bin")
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith("BRIEFING_")} | {"PATH": path}
    counted = base / "cpu-by-test"
    if by_test:
        counted.mkdir()
        env |= {"PYTEST_ADDOPTS": "-p bench.pytest_cpu", pytest_cpu.FOLDER: str(counted)}
    result, sampler = {}, process_work.Sampler()
    for step in ("setup", "test"):
        sampling = sampler if by_test and step == "test" else contextlib.nullcontext()
        used, machine, started = cpu_seconds(own=False), _machine_busy(), time.perf_counter()
        with sampling:
            done = subprocess.run(["make", step], cwd=clone, env=env, capture_output=True, text=True)
        result[f"{step}_seconds"] = time.perf_counter() - started
        result[f"{step}_cpu"] = cpu_seconds(own=False) - used
        result[f"{step}_busy"] = _machine_busy() - machine
        if step == "setup" and done.returncode != 0:
            raise RuntimeError(f"make setup failed in a clone of {revision}:\n{done.stderr[-3000:]}")
        output = done.stdout + done.stderr
    result["returncode"] = done.returncode
    result["cpu_seconds"], result["busy_seconds"] = result["test_cpu"], result["test_busy"]
    result["summaries"] = [match.group(0).strip("= ") for match in SUMMARY.finditer(output)]
    result["tests"] = max(tests_run(output), 1)  # a run that collected nothing still divides
    result["failed"] = failed_tests(output)
    result["by_test"] = pytest_cpu.read(counted) if by_test else {}
    result["by_kind"] = sampler.by_kind() if by_test else {}
    return result


def work_by_test(run: dict) -> list[str]:
    """Where the work of one `make test` is: the CPU-seconds of its tests by file (the most first), the single tests
    with the most, and what no test used (make test's build of the clean copy the end-to-end tests share, which gives
    the work tree its built files, and the check of the committed outputs; each pytest process's start-up and
    collection)."""
    used = run["by_test"]
    if not used:
        return ["The tests' CPU-seconds were not counted in this run."]
    files, total, in_tests = pytest_cpu.by_file(used), run["cpu_seconds"], sum(used.values())
    shown = list(files.items())[:SHOWN_FILES]
    rest = list(files.items())[SHOWN_FILES:]
    tests = sorted(used.items(), key=lambda item: -item[1])[:SHOWN_TESTS]
    share = lambda seconds: f"{seconds / total:.0%}"
    return [
        f"Where the work of today's `make test` is: the CPU-seconds of each test (its set-up, run and teardown, with "
        f"every process it waited for; a fixture's work is charged to the first test that needs it), counted in "
        f"each pytest process by bench/pytest_cpu.py, by test file. The tests used {in_tests:.0f} of the "
        f"{total:.0f} CPU-seconds of `make test`.",
        "",
        "| Test file | Tests | CPU-seconds | Share of `make test` |",
        "|---|---|---|---|",
        *(f"| `{name}` | {sum(1 for t in used if t.split('::')[0] == name)} | {seconds:.0f} | {share(seconds)} |"
          for name, seconds in shown),
        f"| the other {len(rest)} files | {sum(1 for t in used if t.split('::')[0] in dict(rest))} | "
        f"{sum(s for _, s in rest):.0f} | {share(sum(s for _, s in rest))} |",
        f"| outside any test (make test's build of the clean copy the end-to-end tests share, which gives this "
        f"work tree its built files, and the check of the committed outputs; each pytest process's start-up and "
        f"collection) | | {total - in_tests:.0f} | {share(total - in_tests)} |",
        "",
        f"The {len(tests)} single tests with the most work: "
        + "; ".join(f"`{name}` {seconds:.0f}" for name, seconds in tests) + ".",
    ]


def work_by_kind(run: dict, target_seconds: float, cores: int) -> list[str]:
    """The same work by the kind of process that did it (bench/process_work.py), against the machine's busy
    core-seconds; and whether the target's seconds on these cores would hold that much work at all."""
    kinds, busy = run["by_kind"], run["busy_seconds"]
    if not kinds:
        return ["The work by kind of process was not sampled in this run."]
    counted = sum(k["cpu"] for k in kinds.values())
    share = lambda seconds: f"{seconds / busy:.0%}"
    target_room = target_seconds * cores
    return [
        f"The same `make test` by the kind of process that did the work: every process's CPU time read from /proc "
        f"every {process_work.INTERVAL} s while it ran (bench/process_work.py; a forked process is filed with the "
        f"command that forked it). Shares are of the machine's {busy:.0f} busy core-seconds meanwhile.",
        "",
        "| Kind of process | Processes | CPU-seconds | Share of the machine's busy time |",
        "|---|---|---|---|",
        *(f"| {name} | {k['processes']:,} | {k['cpu']:.0f} | {share(k['cpu'])} |" for name, k in kinds.items()),
        f"| not seen by the sampling (the last fraction of a second of each process, processes shorter than "
        f"{process_work.INTERVAL} s, interrupts) | | {busy - counted:.0f} | {share(busy - counted)} |",
        "",
        f"The target, {target_seconds:.0f} s, gives {target_room:.0f} core-seconds on {cores} cores; the machine was "
        f"busy {busy:.0f} core-seconds during this `make test`, "
        + ("more than the target holds even with every core busy from start to end: only less work can meet it."
           if busy > target_room else
           f"{busy / target_room:.0%} of what the target holds: a schedule with less idle time could still meet it."),
    ]


def tests_run(output: str) -> int:
    """The tests every pytest process in `output` ran (passed, failed or in error; not skipped or deselected)."""
    return sum(int(number) for match in SUMMARY.finditer(output)
               for number, word in re.findall(r"(\d+) (\w+)", match.group("counts"))
               if word in ("passed", "failed", "error", "errors", "xfailed", "xpassed"))


def failed_tests(output: str) -> list[str]:
    """The tests pytest's short summaries in `output` name as failed or in error."""
    return sorted(set(re.findall(r"^(?:FAILED|ERROR) (\S+)", output, re.M)))
