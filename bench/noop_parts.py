"""Run `dvc repro` in the current folder and print, as JSON, the wall-clock seconds of its parts (no profiler: a
profiler slows DVC's Python code more than its imports and would skew the shares).

    python bench/noop_parts.py [STAGE ...]   # in a built copy, where `dvc repro [STAGE ...]` has nothing to do

Parts (each timed around one DVC function, exclusive of the parts it calls: a stage's check takes its lock): building the stage index (parsing dvc.yaml
and dvc.lock), each stage's edits of its read/write lock file (`.dvc/tmp/rwlock`, rewritten twice per stage), each
stage's check of its deps, outs and params against dvc.lock, and the whole command. Start-up is what runs before
the command: the time from this process's start to the command's, imports included.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time

STARTED = time.perf_counter()

from dvc import rwlock  # noqa: E402
from dvc.cli import main  # noqa: E402
from dvc.commands import repro as repro_command  # noqa: E402
from dvc.repo import reproduce  # noqa: E402
from dvc.stage import Stage  # noqa: E402

seconds = {"index": 0.0, "lock": 0.0, "check": 0.0, "command": 0.0}
running: list[list] = []  # the parts being timed, innermost last: [part, seconds spent in parts inside it]


@contextlib.contextmanager
def part_of(part: str):
    """Time a part exclusively: seconds spent in a part inside it (a stage's lock inside its check) count there."""
    begun = time.perf_counter()
    running.append([part, 0.0])
    try:
        yield
    finally:
        _, inner = running.pop()
        elapsed = time.perf_counter() - begun
        seconds[part] += elapsed - inner
        if running:
            running[-1][1] += elapsed


def timed(part: str, function):
    def wrapper(*args, **kwargs):
        with part_of(part):
            return function(*args, **kwargs)
    return wrapper


def timed_context(part: str, manager):
    @contextlib.contextmanager
    def wrapper(*args, **kwargs):
        with part_of(part), manager(*args, **kwargs) as value:
            yield value
    return wrapper


reproduce.collect_stages = timed("index", reproduce.collect_stages)
rwlock._edit_rwlock = timed_context("lock", rwlock._edit_rwlock)
Stage.changed = timed("check", Stage.changed)
repro_command.CmdRepro.run = timed("command", repro_command.CmdRepro.run)
status = main(["repro", *sys.argv[1:]])
seconds["total"] = time.perf_counter() - STARTED
seconds["start_up"] = seconds["total"] - sum(seconds[part] for part in ("index", "lock", "check", "command"))
print(json.dumps(seconds))
raise SystemExit(status)
