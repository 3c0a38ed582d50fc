"""The one full rebuild the system tests share (tests/system/faults/rebuild.py): a clean copy, built as `make repro`
builds it.

Every end-to-end test is marked with what it works on: `shared_rebuild` (it uses the shared rebuild) or
`built_checkout` (it copies this built checkout: the README's experiment, the adding-data guide; or makes copies of
its own: the benchmarks' smoke run, also marked `bench_smoke`, which `make test-bench` runs and `make test` leaves out).
`make test` runs the two sets as two pytest processes side by side, beside the unit tests (`make test-e2e` runs just
the two), so the one rebuild is made once, in one of them, while the other works on its copies."""

from __future__ import annotations

import pytest
from system.faults.rebuild import shared

GROUPS = {"shared_rebuild": "end-to-end test on the shared clean rebuild (tests/system/conftest.py)",
          "built_checkout": "end-to-end test on a copy of this built checkout (tests/system/built_copy.py)",
          "bench_smoke": "the benchmarks' quick smoke run: `make test-bench`, not `make test`"}


@pytest.fixture(scope="session")
def rebuild(tmp_path_factory):
    return shared(tmp_path_factory)


def pytest_configure(config):
    for name, description in GROUPS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


@pytest.hookimpl(tryfirst=True)  # before pytest's own `-m` selection reads the marks
def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("e2e"):
            uses_rebuild = "rebuild" in getattr(item, "fixturenames", ())
            item.add_marker("shared_rebuild" if uses_rebuild else "built_checkout")
