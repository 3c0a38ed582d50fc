"""Errors a user can act on, and the command-line wrapper that prints them as one clear message.

Every entry point (`python -m pipeline...`, and so every `dvc repro` stage) runs through `cli`: whatever goes
wrong, the user sees one line on stderr saying what happened and what to do, and the stage exits non-zero with
its previous outputs untouched (outputs are written inside `pipeline.io.transaction`).
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import signal
import sys
import traceback
from pathlib import Path

from pipeline import interrupt, missing_libraries, paths


class PipelineError(Exception):
    """A problem with an input: says which file (row, column) and what to do about it."""

    def __init__(self, problem: str, *, file: str | Path | None = None, row: int | None = None,
                 column: str | None = None, fix: str | None = None):
        self.problem, self.file, self.row, self.column, self.fix = problem, file, row, column, fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file is not None:
            where.append(paths.relative(Path(self.file)))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.fix:
            text += f" — {self.fix}"
        return text


class Interrupted(BaseException):
    """SIGTERM or SIGHUP, turned into an exception so that `finally` blocks (the staging clean-up) run. A command that
    says more than interrupt.MESSAGE about what it stopped (the runner of `make repro`) raises it with its own line."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


def _arrow_on_malloc() -> None:
    """pyarrow allocates from the C library's malloc in this command and the processes it starts (pool workers,
    notebook kernels), unless the user set ARROW_DEFAULT_MEMORY_POOL.

    The wheels' default allocator, mimalloc, made reading SISDEPEN's cached Parquet tables 8x slower on the benchmark
    machine (the ingest's rerun from its cache: 3.0 s with mimalloc, 0.37 s with malloc or jemalloc); the SNEEP load
    was already on malloc. A child reads the variable when it imports pyarrow; this process switches its pool now if
    pyarrow is already imported. The allocator changes no value."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    if "pyarrow" in sys.modules:
        import pyarrow as pa  # already imported: only its pool is switched

        pa.set_memory_pool(pa.system_memory_pool())


def cli(main):
    """Run `main` as a command: any failure becomes one line on stderr and a non-zero exit status.

    - a PipelineError (bad input, bad parameter) is printed as it is, exit 1;
    - Ctrl-C, SIGTERM or SIGHUP: exit 130, nothing published;
    - a full disk: names the file being written, exit 1;
    - anything else is a bug, not the user's input: one line naming it and the log that holds the traceback.
    """

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        _arrow_on_malloc()
        if signal.getsignal(signal.SIGINT) is interrupt.while_starting:  # the command has started: Ctrl-C unwinds
            signal.signal(signal.SIGINT, signal.default_int_handler)
        # SIGTERM (make repro stopping a stage, a CI job cancelled) and SIGHUP (the terminal closed) unwind as Ctrl-C
        # does, unless this process was started with them ignored (`nohup`). Once main has returned, its outputs
        # are written: then they end the process as they would any other.
        previous = {number: signal.getsignal(number) for number in interrupt.STOPPING}
        for number, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(number, _raise_interrupted)
        _log_abandoned_tasks(main)
        try:
            return main(*args, **kwargs)
        except PipelineError as error:
            _fail(error.message)
        except (KeyboardInterrupt, Interrupted) as stop:
            _fail(getattr(stop, "message", "") or interrupt.MESSAGE, status=interrupt.EXIT)
        except OSError as error:
            if error.errno == errno.ENOSPC:
                name = error.filename or "an output"
                _fail(f"{_relative(name)}: no space left on device while writing — free disk space and run "
                      "again; nothing was written (the previous outputs are unchanged)")
            _fail(_unexpected(error, main))
        except Exception as error:  # noqa: BLE001 — the last line of defence: no traceback for the user
            library = missing_libraries.missing(error)
            if library is not None:  # the environment, not a bug: a library imported where it is used
                _fail(missing_libraries.message(library))
            _fail(_unexpected(error, main))
        finally:
            for number, handler in previous.items():
                # while_starting is for a command still importing; None: a handler set outside Python
                signal.signal(number, signal.SIG_DFL if handler in (interrupt.while_starting, None) else handler)

    return wrapper


def _log_abandoned_tasks(main) -> None:
    """Ctrl-C stops a notebook mid-cell: the runner's asyncio tasks (nbclient waiting on a kernel that the same
    Ctrl-C stopped) report their errors as soon as they are collected, while the interruption unwinds. They are the
    interruption, said in one line: asyncio's reports go to the entry point's log (created only if one comes),
    never to the user's terminal."""
    logger = logging.getLogger("asyncio")
    logger.propagate = False
    logger.handlers = [_LogFile(paths.log(_entry_point(main)), encoding="utf-8", delay=True)]


class _LogFile(logging.FileHandler):
    """A log file opened at its first record, its folder made then; a log that cannot be written is given up
    silently (the user's one line is what counts)."""

    def _open(self):
        os.makedirs(os.path.dirname(self.baseFilename), exist_ok=True)
        return super()._open()

    def handleError(self, record):
        pass


def _fail(message: str, status: int = 1):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(status)


def _raise_interrupted(signum, frame):
    raise Interrupted()


def _unexpected(error: BaseException, main) -> str:
    """One line for an error no check anticipated; the traceback goes to a log file for whoever fixes it."""
    log = paths.log(_entry_point(main))
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        where = f"the traceback is in {paths.relative(log)}"
    except OSError:
        where = "the traceback could not be saved (disk full or read-only)"
    text = str(error).splitlines()[0][:300] if str(error) else ""
    return (f"unexpected {type(error).__name__}{': ' + text if text else ''} in {_entry_point(main)} — "
            f"nothing was written; this is a bug in the pipeline, not in your data: please report it ({where})")


def _entry_point(main) -> str:
    """The module the user ran (`python -m pipeline.report` -> pipeline.report), not '__main__'."""
    if main.__module__ != "__main__":
        return main.__module__
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec.name if spec else "__main__"


def _relative(name) -> str:
    try:
        return paths.relative(Path(name))
    except (TypeError, ValueError):
        return str(name)
