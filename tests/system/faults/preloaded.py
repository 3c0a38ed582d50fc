"""`python -m MODULE` for the fault corpus, without starting Python and importing pandas 65 times.

A stage's entry point spends most of a failing run importing its libraries (pandas, pyarrow, pydantic: about half
a CPU-second) before it reads the one bad file and stops. So each pytest process starts one server (this file, run
as a script) that imports those third-party libraries once and then, for each run, forks a child that does what
`python -m MODULE ARGS` does after its imports: in the project copy's folder, with the run's environment, arguments
and standard streams, it runs the module as `__main__`, then its exit functions, and exits with the status `python -m`
would give (an uncaught exception: its traceback on stderr and status 1).

The pipeline itself is never imported by the server: each child imports the project copy's own `pipeline` package,
as `python -m` in that folder does (the folder first on the module path). What differs from a fresh interpreter is
only what an interpreter reads as it starts (PYTHON* variables other than PYTHONDONTWRITEBYTECODE, hash seed); no
case sets any. The real start-up path, `dvc repro` in a built copy, is tests/system/test_user_path.py's, and
test_faults.py runs the clean cut-down inputs through a real `python -m` too.

Protocol (one line of JSON each way): {"argv", "cwd", "env", "stdout", "stderr"} in; {"pid"} when the child is
forked, then {"status", "cpu"} when it has ended (a negative status: killed by that signal, as subprocess reports it;
its CPU-seconds with its own children's, which the test-suite benchmark charges to the test that asked).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# What the entry points the corpus runs import besides the standard library and the pipeline (measured with
# sys.modules after `import pipeline.sources.unodc_prisons` and the other source modules).
LIBRARIES = ("numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv", "pyarrow.compute", "pydantic", "yaml",
             "dateutil", "python_calamine")


# ------------------------------------------------------------------------------------------- Server ---

def serve() -> None:
    """Import the libraries, then fork one child per request read from stdin until stdin closes."""
    sys.path[:] = [entry for entry in sys.path if entry and Path(entry).resolve() != Path(__file__).parent.resolve()]
    for name in LIBRARIES:
        __import__(name)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)  # never returns
        replies.write(json.dumps({"pid": pid}).encode() + b"\n")
        replies.flush()
        _, wait_status, usage = os.wait4(pid, 0)
        cpu = usage.ru_utime + usage.ru_stime  # the child's, with every process it waited for
        replies.write(json.dumps({"status": _status(wait_status), "cpu": cpu}).encode() + b"\n")
        replies.flush()


def _status(wait_status: int) -> int:
    return -os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else os.WEXITSTATUS(wait_status)


def _child(request: dict) -> None:
    """Become `python -m argv[0] argv[1:]` in `cwd` with `env`, its streams to the files named; exit with its status."""
    import io
    import runpy
    import traceback

    status = 1
    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.dont_write_bytecode = bool(request["env"].get("PYTHONDONTWRITEBYTECODE"))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                      line_buffering=True)
        sys.path.insert(0, request["cwd"])  # as `python -m` puts the working folder first
        module, *arguments = request["argv"]
        sys.argv = [module, *arguments]  # runpy sets argv[0] to the module's file
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                status = exit_.code or 0
            else:
                print(exit_.code, file=sys.stderr)
                status = 1
        except BaseException:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            status = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream: nothing more to write
                pass
        os._exit(status)


# ------------------------------------------------------------------------------------------- Client ---

_SERVER: dict = {}


def run(argv: tuple[str, ...], cwd: Path, env: dict, timeout: int) -> tuple[int, str, str]:
    """(status, stdout, stderr) of `python -m *argv` in `cwd` with `env`, through this process's server."""
    server = _server()
    with tempfile.TemporaryDirectory(prefix="fault-run-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        request = {"argv": list(argv), "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
        line = json.dumps(request).encode() + b"\n"
        while line:  # an unbuffered pipe may take part of it at a time
            line = line[server.stdin.write(line):]
        pid = _reply(server, 60)["pid"]
        try:
            ended = _reply(server, timeout)
        except subprocess.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            _charge(_reply(server, 60))
            raise subprocess.TimeoutExpired(["python", "-m", *argv], timeout) from None
        _charge(ended)
        return ended["status"], out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")


def _charge(ended: dict) -> None:
    """The run's CPU time to the test that asked for it, when the test-suite benchmark counts CPU per test
    (bench/pytest_cpu.py reads only the processes a test waits for itself; the server waits for this one)."""
    counter = sys.modules.get("bench.pytest_cpu")
    if counter is not None:
        counter.charge(ended["cpu"])


def _server() -> subprocess.Popen:
    """This process's server, started on first use (again if it has ended), stopped when this process exits."""
    server = _SERVER.get("process")
    if server is None or server.poll() is not None:
        server = _SERVER["process"] = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                                       stdout=subprocess.PIPE, bufsize=0)
        atexit.register(_stop, server)
    return server


def _reply(server: subprocess.Popen, timeout: float) -> dict:
    ready, _, _ = select.select([server.stdout], [], [], timeout)
    if not ready:
        raise subprocess.TimeoutExpired("fault-run server", timeout)
    line = server.stdout.readline()
    if not line:
        raise RuntimeError(f"the fault corpus's run server ended (status {server.wait()})")
    return json.loads(line)


def stop() -> None:
    """End this process's server and wait for it (so its CPU time counts in this process's children's)."""
    server = _SERVER.pop("process", None)
    if server is not None:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.stdin.close()
        server.wait(timeout=30)


if __name__ == "__main__":
    serve()
