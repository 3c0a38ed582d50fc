"""What the pack was built from (pipeline/report/state.py): DVC's own answer, stable, this stage left out."""

from __future__ import annotations

from pipeline.report import state


def test_pipeline_state_is_stable_and_ignores_this_stage():
    first, second = state.pipeline_state(), state.pipeline_state()
    assert first == second
    assert state.STAGE not in first["stale"] and state.STAGE not in first["current"]


def test_dvc_status_changes_are_put_in_words():
    changes = [{"changed deps": {"pipeline/x.py": "modified", "data/y.csv": "deleted",
                                 "params.yaml": {"brazil.outlier_ratio": "modified"}}}, "changed command"]
    assert state.reason(changes) == ("changed since the last run: pipeline/x.py, data/y.csv (deleted), "
                                     "params.yaml:brazil.outlier_ratio, changed command")
