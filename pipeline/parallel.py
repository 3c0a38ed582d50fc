"""Work side by side on the cores this process may use: one function over a list of items, in processes forked from
this one (they start with its modules and data: no second import of pandas), the results in the items' order.

A worker never prints a traceback when the work is stopped. Ctrl-C (which a terminal sends to every process of a
plain `dvc repro`, or of a stage run by hand), SIGTERM (which `make repro` sends to a stopped stage's whole process
group, pipeline/repro.py) and SIGHUP (the terminal closed) are left to the parent: its `cli` says so in one line,
the items not yet queued for the workers are cancelled, and each worker finishes the items it was given (the pool
queues as many as it has workers, and one, ahead of them) and ends. A worker ended by a signal instead would make
the pool's own thread print a traceback as it cancels the items (Python 3.11's concurrent.futures).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable

from pipeline import interrupt


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def fork_map(function: Callable, items: Iterable, workers: int | None = None) -> list:
    """`[function(item) for item in items]`, on at most `workers` processes (default: the cores); in this process
    when one is enough. `function` must be defined at module level (the pool sends it by name)."""
    items = list(items)
    count = min(len(items), workers or cores())
    if count <= 1:
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(count, mp_context=context, initializer=quiet_worker) as pool:
        return list(pool.map(function, items))


def quiet_worker() -> None:
    """A pool worker's signals: Ctrl-C, SIGTERM and SIGHUP ignored; the parent stops the work."""
    for number in (signal.SIGINT, *interrupt.STOPPING):
        signal.signal(number, signal.SIG_IGN)
