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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

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
    with fork_pool(count) as pool:
        return [future.result() for future in [pool.submit(function, item) for item in items]]


@contextmanager
def fork_pool(workers: int | None = None) -> Iterator[concurrent.futures.Executor]:
    """Processes forked from this one, at most `workers` (default: the cores), to `submit` work to while this process
    goes on with its own; each result is its future's `result()`. The workers are forked at the first `submit`, so
    they start with what this process holds then. With one worker, the work runs in this process as it is submitted.
    Leaving waits for the work submitted; an exception leaving it (a failure, Ctrl-C) cancels the work not started.
    A function submitted must be defined at module level (the pool sends it by name)."""
    count = workers or cores()
    if count <= 1:
        yield _ThisProcess()
        return
    context = multiprocessing.get_context("fork")
    pool = concurrent.futures.ProcessPoolExecutor(count, mp_context=context, initializer=quiet_worker)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class _ThisProcess(concurrent.futures.Executor):
    """A pool of one, this process: the work runs as it is submitted (an exception it raises leaves `submit`)."""

    def submit(self, function, /, *args, **kwargs) -> concurrent.futures.Future:
        future = concurrent.futures.Future()
        future.set_result(function(*args, **kwargs))
        return future


def quiet_worker() -> None:
    """A pool worker's signals: Ctrl-C, SIGTERM and SIGHUP ignored; the parent stops the work."""
    for number in (signal.SIGINT, *interrupt.STOPPING):
        signal.signal(number, signal.SIG_IGN)
