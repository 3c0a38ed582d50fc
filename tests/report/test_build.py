"""The briefing pack is written all at once (pipeline/report/build.py): a missing input stops it with one message
naming the file and the stage to run, and nothing is written."""

from __future__ import annotations

import pytest

from pipeline import paths
from pipeline.errors import PipelineError
from pipeline.report import build


def test_a_missing_figure_stops_the_pack_and_writes_nothing(tmp_path, monkeypatch):
    before = {path: path.read_bytes() for path in (paths.BRIEFING, paths.INDEX, *paths.METRICS.glob("*.json"))}
    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    with pytest.raises(PipelineError, match=r"figure fig-01-women-share-latin-america \(en\) lacks .*run the chapter's "
                                            r"figures stage \(`dvc repro regional_figures`\)"):
        build.build()
    assert {path: path.read_bytes() for path in before} == before
