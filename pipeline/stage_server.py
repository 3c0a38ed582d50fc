"""`make repro`'s Python stages started from one process that has already imported the libraries they all import.

Every stage of dvc.yaml is `bin/python -m pipeline.<module> [arguments]`: a new Python that first imports pandas,
pyarrow, pandera and, for the figures, matplotlib, 0.5 to 1 CPU-second a stage, paid again by each of a cold
rebuild's 29 stages. The runner (pipeline/repro.py) starts such a command instead in a process forked from a server
that has imported those libraries once. The forked process then does what `python -m` does: it runs the module as
`__main__` (with runpy's function that `python -m` itself calls) with the command's arguments, the stage's folder
first on the path, DVC's environment for the stage (DVC_ROOT, DVC_STAGE), the signals a new Python started by the
runner would have, and a process group of its own; it ends as Python ends (its threads, then `atexit`) with the
exit status Python would give.

The server is this file run as a script (`python -P`: none of the project's folders on its path), in the runner's
process group, with the runner's standard output and error, which the forked stages inherit. It imports only
third-party libraries, never the project's modules: a stage imports the code as it is on disk when it starts, as
before. It reads one request a line from the runner (JSON: the module, its arguments, folder, environment and the
signals to leave ignored) and answers on a second pipe: `started ID PID` once the process is forked (its process
group set), `ended PID STATUS` once it has ended and been waited for (so the CPU time of the stages, with their
pool workers and kernels, is the server's children's, and the runner's once the server ends). It ends when the
runner closes its requests (or dies). The runner starts each stage held: the forked process waits, having run
nothing of the stage, until a second request releases it, which the runner sends once it has told its watchdog
(pipeline/repro_watchdog.py) the process's group. A runner killed in between (a CI job cancelled) would otherwise
leave a stage running that the watchdog does not know of; a held process whose server ends first ends too.

What the server imported is frozen (`gc.freeze()`) before it forks: Python's collector leaves those objects alone
in the server and in every process forked from it. Without it, each stage's (and kernel's) first full collection
walked them all, writing to each object's header and so copying every page that holds one (about 133,000 objects
and 9,200 pages after the preload: 75-110 ms and 36 MiB per forked process), and each later full collection walked
them again (about 37 ms). Six cold `make repro` side by side: 98 CPU-seconds on average with it (four), 105
without (two). Frozen objects are never freed: they are the libraries' own modules and classes, which a stage never
lets go of anyway. Python's documentation advises the same for a process that forks without exec (gc.freeze).

Not multiprocessing's `forkserver`: a process it forks is a multiprocessing child, which imports the parent's main
module again, takes the parent's folder, arguments and path, and starts its own pools from the server instead of
forking itself (measured: the profiles' notebook workers and kernels ran outside the stage and its CPU time).

A notebook stage's kernels come from a server of the same kind, a kernel server (`Server(kernels=True)`, started by
pipeline.run before any Jupyter client runs, and by each of the profiles' pool workers): forked from the stage's own
process, it forks each kernel's `python -m ipykernel_launcher …` as jupyter_client would start it (ipykernel is not
preloaded: it reads its parent's id from the environment as it is imported). The kernel is made what a new one would be: a session of its own (before the stage learns its id:
jupyter_client signals its group), /dev/null as input and its log as output, none of the stage's open descriptors,
`atexit` functions, event loop or project modules (the notebook imports the project's code from disk), its parent
the kernel server (JPY_PARENT_PID: ipykernel ends a kernel whose parent has gone, as when a stage is killed), and the
inline backend for matplotlib (ipykernel sets MPLBACKEND as it starts, and matplotlib reads it only as it is
imported). A kernel still running when its stage ends is killed. tests/test_run.py compares a notebook executed this
way with one executed by a new kernel, byte for byte; the end-to-end rebuild compares every executed notebook and
profile with the committed ones.

Only a command `bin/python -m <module> [arguments]` with nothing for a shell to expand, where the folder's
`bin/python` runs the runner's own Python environment, is forked; any other runs as before, in DVC's shell. `dvc
repro` is unchanged: it starts each stage's command as written. `python -m pipeline.repro --new-processes` starts
every command anew (make bench compares the two).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import os
import runpy
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

# Third-party libraries most stages import, none changing another's behaviour by being imported (not nbformat: the
# notebook runner imports it after keeping one of its optional modules out, pipeline/nbformat_fast.py). Module
# names, not files.
PRELOAD = ("numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv", "pandera.pandas", "pydantic", "yaml",
           "matplotlib", "matplotlib.pyplot")
PYTHON = "bin/python"  # the interpreter dvc.yaml's commands name (pipeline.dvc_yaml.PYTHON; checked by a test)
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SHELL_SYNTAX = set("$`;&|<>(){}*?[]~\\'\"\n#=")  # a command with any of these is the shell's to run
SERVER_GONE = 255  # the exit status given to a stage whose end the server could not report (it died first)

_same_python: dict[str, bool] = {}


# ---------------------------------------------------------------------------------- The runner's side ---

def python_command(command: str, cwd: str) -> list[str] | None:
    """`[module, *arguments]` of a command `bin/python -m <module> [arguments]` with nothing for a shell to expand,
    where the folder's `bin/python` runs this very Python; None for any other command."""
    if SHELL_SYNTAX & set(command):
        return None
    words = command.split()
    if len(words) < 3 or words[:2] != [PYTHON, "-m"] or words[2].startswith("-") or not _runs_this_python(cwd):
        return None
    return words[2:]


def _runs_this_python(cwd: str) -> bool:
    """Whether `bin/python` in the folder runs the runner's own Python environment (asked once per folder)."""
    if cwd not in _same_python:
        try:
            answer = subprocess.run([str(Path(cwd) / PYTHON), "-c", "import sys; print(sys.prefix)"], cwd=cwd,
                                    timeout=30, capture_output=True, text=True)
            _same_python[cwd] = answer.returncode == 0 and answer.stdout.strip() == sys.prefix
        except (OSError, subprocess.SubprocessError):
            _same_python[cwd] = False
    return _same_python[cwd]


class Server:
    """The server, seen from the runner: started at once (its imports run beside the runner's work), asked to fork
    each command, told to end by `close`."""

    def __init__(self, kernels: bool = False):
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        if kernels:  # a kernel server: forked from this process (a notebook stage), with what it has imported
            pid = os.fork()
            if pid == 0:
                os.close(self._requests)
                os.close(self._replies)
                for number in (signal.SIGTERM, signal.SIGHUP):  # the stage is stopped; its end closes the requests
                    signal.signal(number, signal.SIG_IGN)
                try:
                    serve(requests_read, replies_write, kernels=True)
                finally:
                    os._exit(0)
            self.process = _Child(pid)
        else:
            self.process = subprocess.Popen([sys.executable, "-P", __file__, str(requests_read), str(replies_write)],
                                            pass_fds=(requests_read, replies_write))
        os.close(requests_read)
        os.close(replies_write)
        os.set_blocking(self._replies, False)
        self._buffer, self._next_id = b"", 0
        self.started: dict[int, int] = {}  # request id -> process id
        self.ended: dict[int, int] = {}  # process id -> exit status
        self.gone = False  # the server ended (its replies closed)

    def start(self, module_and_arguments: list[str], cwd: str, env: dict[str, str], output: str | None = None,
              held: bool = False) -> Forked:
        """Fork `python -m module arguments` from the server; returns once it is in its own process group (a
        kernel: its own session, its output to the file `output`). `held`: it waits, having run nothing of the
        command, until `Forked.release` (the runner first tells its watchdog the process group: a runner killed
        in between leaves nothing running, as the held process ends when the server does)."""
        self._next_id += 1
        ignored = [int(number) for number in SIGNALS if signal.getsignal(number) is signal.SIG_IGN]
        request = {"id": self._next_id, "module": module_and_arguments, "cwd": cwd, "env": env, "ignored": ignored,
                   "output": output, "held": held}
        self._send(request)
        while self._next_id not in self.started:
            if self.gone:
                raise OSError("the stage server ended before it started the command")
            self._read(block=True)
        return Forked(self, self.started[self._next_id], self._next_id if held else None)

    def release(self, request_id: int) -> None:
        """Let a held process run its command."""
        self._send({"release": request_id})

    def _send(self, request: dict) -> None:
        os.write(self._requests, (json.dumps(request) + "\n").encode())  # BrokenPipeError if it has ended

    def status(self, pid: int, block: bool) -> int | None:
        """The exit status of a forked process once it has ended (waiting for it if `block`), else None."""
        self._read(block=False)
        while block and pid not in self.ended and not self.gone:
            self._read(block=True)
        if pid in self.ended:
            return self.ended[pid]
        if self.gone and not _running(pid):
            return SERVER_GONE
        return None

    def _read(self, block: bool) -> None:
        if block:
            select.select([self._replies], [], [], 0.5)
        try:
            data = os.read(self._replies, 65536)
        except BlockingIOError:
            return
        if not data:
            self.gone = True
            return
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            kind, first, second = line.decode().split()
            if kind == "started":
                self.started[int(first)] = int(second)
            else:
                self.ended[int(first)] = int(second)

    def close(self) -> None:
        """No more commands: the server ends (once the commands it forked have ended) and is waited for. A server
        that was never asked to fork is ended at once (it may still be importing)."""
        os.close(self._requests)
        if not self._next_id:
            self.process.kill()
        self.process.wait()
        os.close(self._replies)


class _Child:
    """A server forked from this process, seen as the `subprocess.Popen` of a server started anew is."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class Forked:
    """A command running in a process forked from the server, seen as a `subprocess.Popen` is: `pid` (its process
    group's too), `poll()` (None until it ends, then its exit status, negative for a signal) and `wait()`."""

    def __init__(self, server: Server, pid: int, held_as: int | None = None):
        self.server, self.pid, self._held_as = server, pid, held_as

    def release(self) -> None:
        """Let it run its command, if it was started held (Server.start); OSError if the server has ended."""
        if self._held_as is not None:
            self.server.release(self._held_as)
            self._held_as = None

    def poll(self) -> int | None:
        return self.server.status(self.pid, block=False)

    def wait(self) -> int:
        while (status := self.server.status(self.pid, block=True)) is None:
            pass
        return status

    # As jupyter_client's LocalProvisioner uses a kernel's process (its group is its own: it signals the group).
    stdin = stdout = stderr = None

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


# ------------------------------------------------------------------------------- The server's side ---

def serve(requests: int, replies: int, preload: tuple[str, ...] = PRELOAD, kernels: bool = False) -> None:
    """Import the libraries, then fork a process for each request until the runner closes its end."""
    # Ctrl-C in the terminal, its hang-up and a shell's `kill %1` (SIGTERM) reach this server too, in the runner's
    # process group: they are for the runner, which stops the stages and then closes the requests, which ends this
    # server. Were it to die first, a stage that Ctrl-Z had stopped would be left in a group with no parent, and the
    # kernel would hang it up (SIGHUP) before the runner could stop it as it stops every stage.
    for number in SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    for name in preload:
        try:
            importlib.import_module(name)
        except ImportError:  # a library this environment lacks: the stages that need it import it (or say so)
            pass
    gc.freeze()  # out of every garbage collection, here and in each process forked (see the module's doc)
    woken_read, woken_write = os.pipe()
    os.set_blocking(woken_write, False)
    signal.set_wakeup_fd(woken_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # its wake-up byte ends the select below
    buffer, children = b"", set()
    gates: dict[int, int] = {}  # request id -> the write end of the pipe its held process waits on
    while True:
        ready, _, _ = select.select([requests, woken_read], [], [])
        if woken_read in ready:
            os.read(woken_read, 4096)
            _reap(children, replies)
        if requests in ready:
            data = os.read(requests, 65536)
            if not data:  # the runner closed its end (or died): what is still running is waited for
                break
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                request = json.loads(line)
                if "release" in request:
                    _release(gates.pop(request["release"]))
                    continue
                gate = os.pipe() if request.get("held") else None
                pid = os.fork()
                if pid == 0:
                    if kernels:  # in a session of its own before its stage learns its id (and signals its group)
                        os.setsid()
                        _tell(replies, f"started {request['id']} {os.getpid()}")
                    for descriptor in (requests, replies, woken_read, woken_write, *gates.values()):
                        os.close(descriptor)
                    if gate is not None:
                        _wait_for_release(*gate)
                    if kernels:
                        _as_a_new_kernel(request)
                    _run_as_main(request)  # never returns
                children.add(pid)
                if gate is not None:
                    os.close(gate[0])
                    gates[request["id"]] = gate[1]
                if not kernels:
                    _own_group(pid)
                    _tell(replies, f"started {request['id']} {pid}")
    for gate in gates.values():  # held processes the runner never released (it died): they end, having run nothing
        os.close(gate)
    if kernels:  # a kernel still running when its stage has gone (killed) would wait for it forever
        for pid in children:
            _signal_group(pid, signal.SIGKILL)
    while children:  # (after a normal end, none: the runner has waited for every stage)
        children.discard(os.waitpid(-1, 0)[0])


def _wait_for_release(read: int, write: int) -> None:
    """In a held process: wait for the runner's release (one byte); if the server ends first (the runner died before
    it told its watchdog this process's group), end, having run nothing."""
    signal.set_wakeup_fd(-1)  # the server's, closed here
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.close(write)
    released = os.read(read, 1) == b"1"
    os.close(read)
    if not released:
        os._exit(SERVER_GONE)


def _release(gate: int) -> None:
    try:
        os.write(gate, b"1")
    except BrokenPipeError:  # the held process has ended (killed)
        pass
    os.close(gate)


def _own_group(pid: int) -> None:
    """The forked process in a process group of its own before the runner learns its id (it sets it itself too)."""
    try:
        os.setpgid(pid, pid)
    except (PermissionError, ProcessLookupError):  # it had already set it, or it has ended
        pass


def _reap(children: set[int], replies: int) -> None:
    """Wait for every forked process that has ended and tell the runner its exit status."""
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        children.discard(pid)
        _tell(replies, f"ended {pid} {os.waitstatus_to_exitcode(status)}")


def _tell(replies: int, line: str) -> None:
    try:
        os.write(replies, (line + "\n").encode())
    except BrokenPipeError:  # the runner has gone (killed): its watchdog stops the stages
        pass


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _as_a_new_kernel(request: dict) -> None:
    """In a kernel forked from a notebook stage's kernel server: nothing of the stage's that a new kernel would not
    have. Its own session (set by the server's child before it says it started: jupyter_client signals a kernel's
    group), standard input from /dev/null and its output to the kernel's log, Python's standard streams on them; none
    of the stage's descriptors, `atexit` functions, event loop or project modules (the notebook imports the project's
    code itself, as it is on disk)."""
    output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096)
    # Python's standard streams on those three (the stage's may have been other descriptors, now closed).
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False,  # noqa: SIM115
                                       buffering=1)
    atexit._clear()  # noqa: SLF001
    if "asyncio" in sys.modules:  # no event loop of the stage's (its selector's descriptor is closed): a new one
        sys.modules["asyncio"].set_event_loop_policy(None)
    # Imported anew by the kernel: the project's code as it is on disk, and ipykernel, whose settings take their
    # defaults from the environment as it is imported (JPY_PARENT_PID: without it a kernel whose stage was killed
    # would not notice and would run on).
    for name in [name for name in sys.modules if name.split(".")[0] in ("pipeline", "ipykernel")]:
        del sys.modules[name]


def _as_a_new_kernels_matplotlib() -> None:
    """matplotlib, imported before the fork, as a new kernel's is: no figure open (the stage's, or a test's before it,
    would be shown under the notebook's cells), the settings of the matplotlibrc file a new Python reads (not a
    style the stage applied), and the inline backend, chosen at pyplot's first use in the kernel, where
    matplotlib_inline, imported then, hooks into IPython. (ipykernel sets MPLBACKEND as it starts, unless it is set,
    and matplotlib reads it as it is imported: a new kernel draws with the inline backend, and a figure left open is
    shown as a PNG.)"""
    matplotlib = sys.modules["matplotlib"]
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
        pyplot._backend_mod = None  # noqa: SLF001  (pyplot's own "no backend chosen yet")
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib_inline"]:
        del sys.modules[name]
    matplotlib.rc_file_defaults()
    os.environ["MPLBACKEND"] = os.environ.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"
    matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]


def _run_as_main(request: dict) -> None:
    """In the forked process: `python -m module arguments` as a new Python started by the runner would run it."""
    if os.getpgid(0) != os.getpid():
        os.setpgid(0, 0)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for number in SIGNALS:  # a signal the runner ignores stays ignored; the others as a new Python sets them
        default = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
        signal.signal(number, signal.SIG_IGN if number in request["ignored"] else default)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if request.get("output") and "matplotlib" in sys.modules:  # a kernel, with matplotlib already imported
        _as_a_new_kernels_matplotlib()
    sys.path.insert(0, request["cwd"])  # `python -m` puts the working folder first
    module, *arguments = request["module"]
    sys.argv = ["-m", *arguments]  # as `python -m` sets it while it finds the module (pipeline.interrupt reads it)
    status, interrupted = 0, False
    try:
        runpy._run_module_as_main(module)  # noqa: SLF001 — the function `python -m` itself calls
    except SystemExit as exit_:
        status = _exit_status(exit_.code)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:  # noqa: BLE001 — as Python does: the traceback, exit status 1
        sys.excepthook(*sys.exc_info())
        status = 1
    # As Python ends: its threads waited for, the `atexit` functions run, the standard streams flushed.
    threading._shutdown()  # noqa: SLF001
    atexit._run_exitfuncs()  # noqa: SLF001
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if interrupted:  # as Python ends after an uncaught Ctrl-C: by SIGINT itself
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(status)


def _exit_status(code) -> int:
    """The exit status Python gives for `sys.exit(code)`: None 0, an int itself, anything else printed, 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
