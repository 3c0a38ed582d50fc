"""An interrupted `dvc repro` (killed in the middle of a notebook stage) leaves nothing half-written, and the next
`dvc repro` reruns that stage and gives back the committed bytes. Tested on one stage of the shared rebuild
(tests/system/faults/rebuild.py), not on a second full rebuild: what is killed and resumed is the stage."""

from __future__ import annotations

import filecmp

import pytest
from system import test_pipeline_e2e as e2e
from system.faults.rebuild import interrupt_one_stage, outputs

from pipeline import paths

STAGE = "regional_notebook"


@pytest.mark.e2e
def test_killed_repro_resumes_to_the_clean_outputs(rebuild):
    assert rebuild.first.returncode == 0, rebuild.first.stdout[-3000:] + rebuild.first.stderr[-3000:]
    run = interrupt_one_stage(rebuild.copy, STAGE)
    assert run.killed_during, f"the notebook stage did not start:\n{run.first[-3000:]}"
    assert f"Running stage '{STAGE}'" in run.first
    assert not run.output_after_kill, "the killed stage published an output"
    assert run.second.returncode == 0, run.second.stdout[-3000:] + run.second.stderr[-3000:]
    assert f"Running stage '{STAGE}'" in run.second.stdout
    committed = e2e.committed_outputs()
    rebuilt = outputs(rebuild.copy)
    assert set(committed) <= set(rebuilt), "a committed output is missing after the resumed run"
    assert set(rebuilt) <= set(outputs(paths.ROOT)), "the resumed run left extra files"
    # Committed outputs only: those of stages still being written in the work tree are not settled yet.
    differ = [f for f in committed if not filecmp.cmp(paths.ROOT / f, rebuild.copy / f, shallow=False)]
    assert differ == []
    assert run.staging_left == [], "a staging folder was left behind"
    assert "Running stage" not in run.third.stdout
