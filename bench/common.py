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
KEY_PACKAGES = ("pandas", "pyarrow", "duckdb", "dvc", "papermill", "nbclient", "python-calamine", "openpyxl")


@dataclass
class Timing:
    """Several runs of one thing: seconds (and peak memory in MiB, when measured in a child process)."""
    seconds: list[float]
    peak_mib: list[float] = field(default_factory=list)

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


def run_child(module: str, *args: str, cwd: Path = ROOT) -> dict:
    """Run `python -m module args` in its own process; its JSON result plus seconds and peak RSS (MiB).

    The child prints one JSON line last; peak memory is ru_maxrss of that child alone (a fresh process
    per run, so RUSAGE_CHILDREN's maximum over our children is never another contender's)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"wall_seconds": seconds}


def child_result(result: dict, seconds: float) -> None:
    """In a child process: print the result with the work's seconds and this process's peak RSS."""
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps(result | {"seconds": seconds, "peak_mib": peak_mib}))


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
    ]


def load_note() -> str:
    """The load average now: more than ~0 on an idle machine means someone else is using the CPU."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())
