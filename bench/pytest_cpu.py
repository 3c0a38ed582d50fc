"""A pytest plugin for the test-suite benchmark: the CPU-seconds each test used, so the report can say where the
work of `make test` is (bench/test_suite.py loads it in today's clone with `-p bench.pytest_cpu`).

Around each test's run (its set-up, call and teardown: a fixture's work is charged to the first test that needs
it), the process's own CPU time and that of the children it waited for (getrusage: user + system) are read; each
pytest process (xdist's workers, the controller, each end-to-end set) writes what its tests used, by test, to a file
of its own in $BENCH_TEST_CPU. Nothing is written without that variable.
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

import pytest

FOLDER = "BENCH_TEST_CPU"
_USED: dict[str, float] = {}


_CHARGED = [0.0]  # CPU-seconds of processes run for a test by a process the test does not wait for


def charge(seconds: float) -> None:
    """Count `seconds` to the running test: the CPU time of a process another process ran and waited for on its
    behalf (the fault corpus forks its runs from a server: tests/system/faults/preloaded.py)."""
    _CHARGED[0] += seconds


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + _CHARGED[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = _cpu()
    yield
    _USED[item.nodeid] = _USED.get(item.nodeid, 0.0) + _cpu() - started


def pytest_sessionfinish(session):
    folder = os.environ.get(FOLDER)
    if folder and _USED:
        (Path(folder) / f"{os.getpid()}.json").write_text(json.dumps(_USED))


def read(folder: Path) -> dict[str, float]:
    """Every test's CPU-seconds, from the files the pytest processes wrote to `folder`."""
    used: dict[str, float] = {}
    for path in sorted(folder.glob("*.json")):
        for test, seconds in json.loads(path.read_text()).items():
            used[test] = used.get(test, 0.0) + seconds
    return used


def by_file(used: dict[str, float]) -> dict[str, float]:
    """The tests' CPU-seconds summed per test file, the most first."""
    files: dict[str, float] = {}
    for test, seconds in used.items():
        files[test.split("::")[0]] = files.get(test.split("::")[0], 0.0) + seconds
    return dict(sorted(files.items(), key=lambda item: -item[1]))
