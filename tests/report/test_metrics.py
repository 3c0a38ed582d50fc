"""The headline numbers (pipeline/report/metrics.py), read from the build tables the registry names."""

from __future__ import annotations

import json

from pipeline import paths
from pipeline.report import metrics


def test_metrics_are_numbers_only():
    def leaves(value):
        if isinstance(value, dict):
            for inner in value.values():
                yield from leaves(inner)
        else:
            yield value

    assert all(isinstance(v, (int, float)) for v in leaves(metrics.headline_metrics()))


def test_metrics_equal_the_committed_ones():
    assert metrics.headline_metrics() == json.loads(paths.METRICS.read_text(encoding="utf-8"))
