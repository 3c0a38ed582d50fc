"""What every measurement shares: repetitions summarised as median and range, child processes whose peak
memory is their own, targets marked met or not, and the description of the machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"  # gitignored scratch: generated files and copies of the repository
KEY_PACKAGES = ("pandas", "pyarrow", "duckdb", "polars", "dvc", "papermill", "nbclient", "python-calamine",
                "openpyxl")
# The readers as they were before issue 17 (the SISDEPEN and SNEEP readers near the native parsers): measured
# side by side with today's in the same run, from a copy of that commit's pipeline/ package.
BEFORE_COMMIT = "cc9be133274f89e909fa9cdbe060ae5bef8a87e1"


@dataclass
class Timing:
    """Several runs of one thing: seconds (and peak memory in MiB, when measured in a child process)."""
    seconds: list[float]
    peak_mib: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU-seconds of each run, on every core (when measured)
    system: list[float] = field(default_factory=list)  # of them, the kernel's (system time)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float | None:
        return max(self.peak_mib) if self.peak_mib else None

    @property
    def peak_median(self) -> float | None:
        return statistics.median(self.peak_mib) if self.peak_mib else None

    def text(self) -> str:
        """'12.3 s (11.9–13.0, n=3)'."""
        spread = f"{min(self.seconds):.2f}–{max(self.seconds):.2f}, " if len(self.seconds) > 1 else ""
        return f"{self.median:.2f} s ({spread}n={len(self.seconds)})"


@dataclass
class Target:
    """A target from issue 8 and whether this run met it."""
    name: str
    wanted: str
    measured: str
    met: bool

    def row(self) -> str:
        return f"| {self.name} | {self.wanted} | {self.measured} | {'met' if self.met else '**not met**'} |"


@dataclass
class Section:
    """One measurement's part of the report: a title, markdown lines, the targets it checks."""
    title: str
    lines: list[str]
    targets: list[Target] = field(default_factory=list)


def timed(function, repeat: int) -> Timing:
    """Run function() `repeat` times in this process; wall-clock seconds of each run."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return Timing(seconds)


def run_child(module: str, *args: str, cwd: Path = ROOT, pipeline: Path | None = None) -> dict:
    """Run `python -m module args` in its own process; its JSON result plus seconds and peak RSS (MiB).

    The child prints one JSON line last; peak memory is ru_maxrss of that child alone (a fresh process
    per run, so RUSAGE_CHILDREN's maximum over our children is never another contender's). `pipeline`: a
    folder holding another `pipeline` package (before_package()) that the child imports instead of ours."""
    started = time.perf_counter()
    if pipeline:  # `python -m` puts the working folder first on sys.path: there, `pipeline` is the other one
        cwd = pipeline
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if pipeline and not str(result.get("pipeline", "")).startswith(str(pipeline)):
        raise RuntimeError(f"{module} imported {result.get('pipeline')}, not the package in {pipeline}")
    return result | {"wall_seconds": seconds}


def cpu_seconds(own: bool = True, system_only: bool = False) -> float:
    """CPU time on every core, user and system: of every child process this one has waited for (a pool's workers once
    the pool has shut down; a stage's command and everything it waited for) and, unless `own` is false, of this
    process. `system_only`: the kernel's part alone (page faults on memory written for the first time, reads, forks)."""
    used = [resource.getrusage(resource.RUSAGE_CHILDREN)] + ([resource.getrusage(resource.RUSAGE_SELF)] if own else [])
    return sum(u.ru_stime + (0.0 if system_only else u.ru_utime) for u in used)


def child_result(result: dict, seconds: float, cpu: tuple[float, float] | None = None) -> None:
    """In a child process: print the result with the work's seconds and this process's peak RSS; `cpu`, if given,
    is the work's CPU-seconds and the system part of them (cpu_seconds() around it)."""
    if cpu is not None:
        result = result | {"cpu_seconds": cpu[0], "system_seconds": cpu[1]}
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    workers_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
    package = sys.modules.get("pipeline")
    print(json.dumps(result | {"seconds": seconds, "peak_mib": peak_mib, "workers_peak_mib": workers_mib,
                               "pipeline": getattr(package, "__file__", None)}), flush=True)
    # The measurement is done and printed: leave without the interpreter's teardown, where pyarrow can abort
    # ("terminate called without an active exception", apache/arrow#34314) once polars or DuckDB is loaded
    # beside it, and turn a finished run into a failed one.
    sys.stderr.flush()
    os._exit(0)


def machine() -> list[str]:
    """Cores, memory, CPU model, OS, Python and key library versions, and the load when we started."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for name in KEY_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores (usable: {len(os.sched_getaffinity(0))})",
        f"- Memory: {memory_gib:.1f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- Load average when the run started: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- Parallel headroom when the run started: two CPU-bound processes ran {parallel_headroom():.2f}× as fast "
        "as one (2.00 on two free cores; a core shared with other machines or processes gives less)",
        memory_first_touch(),
    ]


def memory_first_touch(mib: int = 256, idle: float = 5.0) -> str:
    """What a process pays the first time it writes memory: after the machine was idle, and again at once.

    On a virtual machine whose free memory is handed back to the host (virtio-balloon free page reporting), memory
    freed a few seconds ago must be backed by the host again when a process next writes it: many times slower
    than memory freed just before. Every fresh process (a stage, a benchmark's contender) pays it on the memory it
    uses beyond what other processes freed just before it: one cause of the wide ranges in this report."""
    probe = (f"import time, numpy; started = time.perf_counter(); numpy.ones({mib} * 2**20 // 8); "
             "print(time.perf_counter() - started)")
    time.sleep(idle)
    seconds = []
    for _ in range(2):  # the second right after the first has freed its memory
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        seconds.append(float(done.stdout) * 1024 / mib)
    reporting = Path("/sys/module/page_reporting").exists()
    return (f"- Memory first written by a fresh process: {seconds[0]:.2f} s per GiB after {idle:.0f} s idle, "
            f"{seconds[1]:.2f} s per GiB right after another process freed it ({mib} MiB each; "
            + ("this machine hands free memory back to its host: free page reporting)" if reporting else
               "no free page reporting on this machine)"))


def load_note() -> str:
    """The load average now: more than ~0 on an idle machine means someone else is using the CPU."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def before_package() -> Path | None:
    """A folder holding the `pipeline` package of BEFORE_COMMIT (extracted once with git archive); None when
    this is not a git checkout that has the commit."""
    folder = WORK / f"before-{BEFORE_COMMIT[:12]}"
    if (folder / "pipeline" / "__init__.py").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", BEFORE_COMMIT, "pipeline"], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def parallel_headroom() -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process finishes one, times two:
    2.0 on two free cores, 1.0 when the second core gives nothing (shared with other machines or processes)."""
    def work() -> None:
        total = 0
        for i in range(5_000_000):
            total += i

    started = time.perf_counter()
    work()
    one = time.perf_counter() - started
    started = time.perf_counter()
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            work()
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return 2 * one / (time.perf_counter() - started)


def conditions() -> tuple[tuple[float, float, float], float]:
    """The machine's state now: its load average (1, 5, 15 min) and its parallel headroom."""
    return os.getloadavg(), parallel_headroom()


def conditions_text(before: tuple[tuple[float, float, float], float],
                    after: tuple[tuple[float, float, float], float]) -> str:
    """'load average 0.52 → 1.61 (1 min), parallel headroom 2.01× → 1.46× (2.00 on two free cores)'."""
    (load_before, headroom_before), (load_after, headroom_after) = before, after
    return (f"load average {load_before[0]:.2f} → {load_after[0]:.2f} (1 min), parallel headroom "
            f"{headroom_before:.2f}× → {headroom_after:.2f}× (2.00 on two free cores)")


def ratio_text(ratios: list[float]) -> str:
    """'1.23× (1.10–1.31, n=3)': median and range of ratios measured side by side, one per repetition."""
    spread = f"{min(ratios):.2f}–{max(ratios):.2f}, " if len(ratios) > 1 else ""
    return f"{statistics.median(ratios):.2f}× ({spread}n={len(ratios)})"
