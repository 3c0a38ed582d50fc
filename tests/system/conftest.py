"""The one full rebuild the system tests share (tests/system/faults/rebuild.py): a clean copy built by `dvc repro`."""

from __future__ import annotations

import pytest
from system.faults.rebuild import shared


@pytest.fixture(scope="session")
def rebuild(tmp_path_factory):
    return shared(tmp_path_factory)
