"""The headline numbers (pipeline/report/metrics.py), read from the build tables the registry names: one file per
quantity in reports/metrics/, keyed by country, so that `dvc metrics show` is a short table."""

from __future__ import annotations

import json
import subprocess
import sys

from pipeline import paths, registry
from pipeline.report import metrics


def test_metrics_are_numbers_or_periods_keyed_by_country():
    headline = metrics.headline_metrics()
    assert sorted(headline) == registry.metric_quantities()
    for quantity, values in headline.items():
        assert set(values) <= {"ARG", "BRA", "URY"}, quantity
        for value in values.values():
            assert isinstance(value, (int, float)) or (quantity.endswith("-period") and len(value) == 7), quantity


def test_metrics_equal_the_committed_files_and_no_other_file_is_there():
    headline = metrics.headline_metrics()
    committed = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in paths.METRICS.glob("*.json")}
    assert headline == committed
    assert sorted(p.name for p in paths.METRICS.iterdir()) == sorted(f"{q}.json" for q in headline)


def test_the_headline_values_are_the_ones_the_briefing_leads_with():
    headline = metrics.headline_metrics()
    assert headline["unodc-women-held"] == {"ARG": 4013, "BRA": 41580, "URY": 805}
    assert headline["unodc-women-share-pct"] == {"ARG": 3.9, "BRA": 5.1, "URY": 6.2}
    assert headline["unodc-latest-complete-year"] == {"ARG": 2021, "BRA": 2020, "URY": 2020}
    assert headline["sisdepen-latest-period"] == {"BRA": "2021-12"}
    assert headline["sisdepen-women-in-cells"] == {"BRA": 29843}
    assert headline["sisdepen-women-drug-law-share-pct-2019-12"] == {"BRA": 57.0}
    assert headline["sisdepen-men-drug-law-share-pct-2019-12"] == {"BRA": 28.7}


def test_dvc_metrics_show_is_a_row_per_quantity_and_a_column_per_country():
    done = subprocess.run([sys.executable, "-m", "dvc", "metrics", "show"], cwd=paths.ROOT, capture_output=True,
                          text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["Path", "ARG", "BRA", "URY"]
    assert len(lines) == 1 + len(registry.metric_quantities())
    assert max(len(line) for line in lines) <= 100, lines
    assert ["reports/metrics/unodc-women-held.json", "4013", "41580", "805"] in [line.split() for line in lines]
    assert ["reports/metrics/sisdepen-latest-period.json", "-", "2021-12", "-"] in [line.split() for line in lines]
