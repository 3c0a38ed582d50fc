"""An interrupted `dvc repro` (killed in the middle of a notebook stage) leaves nothing half-written, and
the next `dvc repro` finishes with outputs identical to a clean run's (the committed ones)."""

from __future__ import annotations

import filecmp

import pytest
from system import test_pipeline_e2e as e2e
from system.faults.rebuild import outputs, shared

from pipeline import paths


@pytest.fixture(scope="session")
def rebuild(tmp_path_factory):
    return shared(tmp_path_factory)


@pytest.mark.e2e
def test_killed_repro_resumes_to_the_clean_outputs(rebuild):
    assert rebuild.killed_during, f"no notebook stage started:\n{rebuild.first[-3000:]}"
    assert rebuild.second.returncode == 0, rebuild.second.stdout[-3000:] + rebuild.second.stderr[-3000:]
    committed = e2e.committed_outputs()
    rebuilt = outputs(rebuild.copy)
    assert set(committed) <= set(rebuilt), "a committed output is missing after the resumed run"
    assert set(rebuilt) <= set(outputs(paths.ROOT)), "the resumed run left extra files"
    # Committed outputs only: those of stages still being written in the work tree are not settled yet.
    differ = [f for f in committed if not filecmp.cmp(paths.ROOT / f, rebuild.copy / f, shallow=False)]
    assert differ == []
    assert not list(rebuild.copy.glob(".staging-*")), "a staging folder was left behind"
    assert "Running stage" not in rebuild.third.stdout
