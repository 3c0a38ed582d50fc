"""Ctrl-C (or SIGTERM, SIGHUP) while a command is still starting: the command's one line, exit 130, no traceback.

`python -m pipeline.<command>` (every stage in dvc.yaml) first imports what it needs (pandas, DVC, papermill: up to
two seconds) and only then runs under `pipeline.errors.cli`, which turns an interruption into one line. Under a
plain `dvc repro` the terminal's Ctrl-C reaches the stage itself, and during those imports Python's own handler
would print a traceback of whatever was being imported. So when the `pipeline` package is imported by `python -m`
(Python sets sys.argv[0] to "-m" while it finds the module, and finding it imports the package first), `install`
sets `while_starting` for these signals, and `cli` puts its own handling in place when it takes over.
Nothing has been written before that, so the process ends at once. A signal the parent set to be ignored (Ctrl-C
for a background job or a pool worker, SIGHUP under `nohup`) stays ignored. A notebook kernel, pytest or any other
program importing the package is left as it is.
"""

from __future__ import annotations

import os
import signal
import sys

MESSAGE = ("interrupted before the stage finished — nothing was written; the previous outputs are unchanged: run the "
           "command (or `dvc repro`) again")
EXIT = 130  # 128 + SIGINT, what shells report for Ctrl-C


def while_starting(signum, frame) -> None:
    """The one line `cli` prints for an interruption, and exit 130 at once (nothing to clean up yet)."""
    os.write(sys.stderr.fileno(), f"error: {MESSAGE}\n".encode())
    os._exit(EXIT)


# What stops a command besides Ctrl-C: SIGTERM (`make repro` stopping a stage, a CI job cancelled, `kill`) and SIGHUP
# (the terminal closed, the SSH connection lost).
STOPPING = (signal.SIGTERM, signal.SIGHUP)


def install() -> None:
    """`while_starting` for Ctrl-C, SIGTERM and SIGHUP, unless this process was started with one ignored."""
    for number in (signal.SIGINT, *STOPPING):
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, while_starting)


def starting_as_command() -> bool:
    """Whether the package is being imported by `python -m pipeline.<command>`, before the command's module runs."""
    return sys.argv[:1] == ["-m"]
