"""The long table gathered from its parts (pipeline/indicators.py): exactly the committed one; a key two parts both
claim is refused."""

from __future__ import annotations

import pytest

from pipeline import dvc_yaml, indicators, longtable, paths
from pipeline.errors import PipelineError


def test_the_parts_gather_into_the_committed_long_table():
    table = indicators.gather(list(dvc_yaml.PARTS))
    committed = longtable.read(paths.INDICATORS)
    assert longtable.to_csv(table.sort_values(longtable.KEY).reset_index(drop=True)) == longtable.to_csv(committed)


def test_a_key_claimed_by_two_parts_is_refused(monkeypatch):
    monkeypatch.setattr(paths, "indicator_part", lambda name: paths.INDICATOR_PARTS / "uruguay.csv")
    with pytest.raises(PipelineError, match="duplicated key"):
        indicators.gather(["uruguay", "uruguay_again"])
