"""`make repro`'s Python stages started from one process that has already imported the libraries they all import.

Every stage of dvc.yaml is `bin/python -m pipeline.<module> [arguments]`: a new Python that first imports pandas,
pyarrow, pandera and, for the figures, matplotlib, 0.5 to 1 CPU-second a stage, paid again by each of a cold
rebuild's 28 stages. The runner (pipeline/repro.py) starts such a command instead in a process forked from a server
that has imported those libraries once: Python's own `forkserver` (multiprocessing), with them as its preload. The
forked process then does what `python -m` does: it runs the module as `__main__` (with runpy's function that
`python -m` itself calls) with the command's arguments, in the stage's folder, with DVC's environment for it
(DVC_ROOT, DVC_STAGE), the signals a new Python started by the runner would have, and a process group of its own.

Only third-party libraries are preloaded, never the project's modules: a stage runs the code as it is on disk when
it starts, as before. A command is forked only where `bin/python` is the runner's own Python (the same
environment, `sys.prefix`); any other command runs as before, in DVC's shell. `dvc repro` is unchanged: it starts
each stage's command as written. `python -m pipeline.repro --new-processes` starts every command as `dvc repro`
does (make bench compares the two).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import runpy
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from pipeline import dvc_yaml, interrupt

# Third-party libraries most stages import, none changing another's behaviour by being imported (not nbformat: the
# notebook runner imports it after keeping one of its optional modules out, pipeline/nbformat_fast.py). Module names,
# not files.
PRELOAD = ["numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv", "pandera.pandas", "pydantic", "yaml",
           "matplotlib", "matplotlib.pyplot"]
SIGNALS = (signal.SIGINT, *interrupt.STOPPING)
SHELL_SYNTAX = set("$`;&|<>(){}*?[]~\\'\"\n#=")  # a command with any of these is the shell's to run

_context = None
_same_python: dict[str, bool] = {}


def python_command(command: str, cwd: str) -> list[str] | None:
    """`[module, *arguments]` of a command `bin/python -m <module> [arguments]` with nothing for a shell to expand,
    where the folder's `bin/python` runs this very Python; None for any other command."""
    if SHELL_SYNTAX & set(command):
        return None
    words = command.split()
    if len(words) < 3 or words[:2] != [dvc_yaml.PYTHON, "-m"] or words[2].startswith("-") or not _runs_this_python(cwd):
        return None
    return words[2:]


def _runs_this_python(cwd: str) -> bool:
    """Whether `bin/python` in the folder runs the runner's own Python environment (asked once per folder)."""
    if cwd not in _same_python:
        program = Path(cwd) / dvc_yaml.PYTHON
        try:
            answer = subprocess.run([str(program), "-c", "import sys; print(sys.prefix)"], cwd=cwd, timeout=30,
                                    capture_output=True, text=True)
            _same_python[cwd] = answer.returncode == 0 and answer.stdout.strip() == sys.prefix
        except (OSError, subprocess.SubprocessError):
            _same_python[cwd] = False
    return _same_python[cwd]


def start_server() -> None:
    """Start the server now (its imports run beside the caller's work); the first `start` would otherwise."""
    _server()
    from multiprocessing import forkserver  # the context's module, once it is set up

    forkserver.ensure_running()


def stop_server() -> None:
    """Stop the server, if it was started, and wait for it to end (it holds the standard output and error it was
    started with: a process that runs the runner again, as the tests do, gets a new one with its own)."""
    if _context is not None:
        from multiprocessing import forkserver  # the context's module

        forkserver._forkserver._stop()  # noqa: SLF001 — the forkserver's own stop (its alive pipe closed, waited for)


def _server():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


class Forked:
    """A command running in a process forked from the server, seen as a `subprocess.Popen` is: `pid` (its process
    group's too), `poll()` (None until it ends, then its exit status: negative for a signal) and `wait()`."""

    def __init__(self, process):
        self.process, self.pid = process, process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self) -> int | None:
        self.process.join()
        return self.process.exitcode


def start(module_and_arguments: list[str], cwd: str, env: dict[str, str]) -> Forked:
    """Start `python -m module arguments` in a process forked from the server, in its own process group."""
    ignored = [number for number in SIGNALS if signal.getsignal(number) is signal.SIG_IGN]
    process = _server().Process(target=_run_as_main, args=(module_and_arguments, cwd, env, ignored),
                                name=module_and_arguments[0], daemon=False)
    process.start()
    while process.exitcode is None:  # until it is in its own process group, so that a signal to the group reaches it
        try:
            if os.getpgid(process.pid) == process.pid:
                break
        except ProcessLookupError:
            break
    return Forked(process)


def _run_as_main(module_and_arguments: list[str], cwd: str, env: dict[str, str], ignored: list[int]) -> None:
    """In the forked process: `python -m module arguments`, as a new process started by the runner would run it."""
    os.setpgid(0, 0)
    for number in SIGNALS:  # a signal the runner ignores stays ignored; the others as a new Python sets them
        default = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
        signal.signal(number, signal.SIG_IGN if number in ignored else default)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[0] = cwd  # `python -m` puts the working folder first
    module, *arguments = module_and_arguments
    sys.argv = ["-m", *arguments]  # as `python -m` sets it while it finds the module
    if module.split(".")[0] == "pipeline":
        interrupt.install()  # what importing the package does under `python -m` (Ctrl-C while importing: one line)
    try:
        runpy._run_module_as_main(module)  # noqa: SLF001 — the function `python -m` calls
    finally:
        atexit._run_exitfuncs()  # noqa: SLF001 — as Python does at exit: a forked process ends with os._exit
