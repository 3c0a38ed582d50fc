"""What kind of process did the work of a `make test`: DVC, the pipeline's stages, notebook kernels, Chromium, the
pytest processes themselves (bench/test_suite.py, today's clone).

getrusage (bench/pytest_cpu.py) says which test a CPU-second belongs to, not which program spent it: a test that runs
`dvc repro` in a copy of the project waits for DVC, which runs the stages, which start kernels. Here a thread reads
every process's CPU time from /proc a few times a second while `make test` runs and files each process under a kind
by its command line (a forked process, a stage forked by make repro's server or a pool worker, keeps its parent's
command line, so it is filed with it). What a process used before the sampling began is not counted (the machine's
own services, the kernel's threads), and a process is counted up to the last time it was seen, so the few hundredths
of a second before it ends, and processes shorter than one interval, fall outside the table: the report gives that
rest as the machine's busy time the kinds do not account for. The sampling's own CPU is this process's, counted too.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

INTERVAL = 0.25  # seconds between two readings of /proc
# (kind, what its command line holds), the first match wins; forked processes carry their parent's command line.
KINDS = (
    ("DVC itself (`dvc repro`, `dvc exp run`, `dvc status`…: its stage index, dvc.lock, hashing)",
     ("/dvc ", " -m dvc ")),
    ("notebook kernels (the stages' notebooks, nbval)", ("ipykernel",)),
    ("the pipeline's stages (`python -m pipeline.…`, make repro's runner, server and the stages it forks)",
     ("-m pipeline.", "pipeline/stage_server.py", "pipeline/repro_watchdog.py")),
    ("Chromium (the browser test)", ("chromium", "chrome")),
    ("pytest processes (the tests' own code, xdist's workers, the fault corpus's server)",
     ("pytest", "exec(eval(sys.stdin.readline()))", "tests/system/faults/")),
    ("git", ("git ",)),
)
OTHER, KERNEL, SAMPLING = "other programs (make, shells, other Python commands)", \
    "the kernel's own threads (memory reclaim, I/O)", "this benchmark's sampling"
ENDED = "processes first seen after they had ended (no command line left to file them by)"
KERNEL_THREAD = 0x00200000  # PF_KTHREAD in /proc/PID/stat's flags


def kind(command_line: str) -> str:
    """The kind of process a command line names (`[name]`: a kernel thread, which has none; `(name)`: a process
    first seen after it ended, whose command line is gone)."""
    if command_line.startswith("["):
        return KERNEL
    if command_line.startswith("("):
        return ENDED
    for name, marks in KINDS:
        if any(mark in command_line for mark in marks):
            return name
    return OTHER


class Sampler:
    """Reads every process's CPU time in a thread while the `with` block runs; `by_kind()` then gives CPU-seconds per
    kind."""

    def __init__(self, interval: float = INTERVAL):
        self.interval, self._tick = interval, os.sysconf("SC_CLK_TCK")
        self._seen: dict[tuple[int, str], list] = {}  # (pid, start time) -> [command line, first CPU, last CPU]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._own = time.process_time()

    def __enter__(self) -> Sampler:
        self._read(first=True)
        self._own = time.process_time()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._read(first=False)
        self._own = time.process_time() - self._own

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._read(first=False)

    def _read(self, first: bool) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                fields = stat[stat.rindex(")") + 2:].split()
                cpu, started = (int(fields[11]) + int(fields[12])) / self._tick, fields[19]
                key = (int(entry.name), started)
                seen = self._seen.get(key)
                if seen is None:
                    command = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                        errors="replace")
                    name = stat[stat.index("(") + 1:stat.rindex(")")]
                    if not command:
                        command = f"[{name}]" if int(fields[6]) & KERNEL_THREAD else f"({name})"
                    self._seen[key] = [command, cpu if first else 0.0, cpu]
                else:
                    seen[2] = max(seen[2], cpu)
            except (OSError, ValueError, IndexError):  # the process ended while being read
                continue

    def by_kind(self) -> dict[str, dict]:
        """kind -> {"processes": how many used CPU, "cpu": CPU-seconds}, the most first; this process's sampling
        under its own kind."""
        kinds: dict[str, dict] = {}
        for command, first, last in self._seen.values():
            used = last - first
            if used > 0:
                counted = kinds.setdefault(kind(command), {"processes": 0, "cpu": 0.0})
                counted["processes"] += 1
                counted["cpu"] += used
        kinds[SAMPLING] = {"processes": 1, "cpu": self._own}
        return dict(sorted(kinds.items(), key=lambda item: -item[1]["cpu"]))
