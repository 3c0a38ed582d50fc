"""`dvc plots show` as a user opens it: offline, in a headless chromium with its network cut. The plots are the
English figures (dvc.yaml `plots:`, from the registry), so years read as years, gaps stay gaps and each series
has one colour, exactly as in the briefing; the page (template .dvc/plots.html) loads no script and asks the
network for nothing, and shows each figure once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from system.test_browser import _load, browser  # noqa: F401 — the fixture, shared with the briefing's test

from pipeline import paths


def test_the_plots_are_the_english_figures_each_once():
    declared = yaml.safe_load(paths.DVC_YAML.read_text(encoding="utf-8"))["plots"]
    assert declared and len(declared) == len(set(declared))
    for plot in declared:
        assert isinstance(plot, str) and plot.startswith("figures/fig-") and plot.endswith(".png"), plot
        assert (paths.ROOT / plot).is_file(), plot


def test_dvc_plots_show_gives_a_page_that_loads_offline_with_every_figure_once(browser, tmp_path):  # noqa: F811
    out = tmp_path / "dvc_plots"
    dvc = Path(sys.executable).with_name("dvc")
    shown = subprocess.run([str(dvc), "plots", "show", "-o", str(out)], cwd=paths.ROOT, capture_output=True,
                           text=True)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    page = out / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html  # no vega, no CDN
    found = _load(browser, page)
    declared = yaml.safe_load(paths.DVC_YAML.read_text(encoding="utf-8"))["plots"]
    images = [Path(src).name for src in found["images"]]
    assert len(images) == len(set(images)) == len(declared)
    assert sorted(name.split("_figures_")[-1] for name in images) == sorted(Path(p).name for p in declared)
    assert not found["brokenImages"], found["brokenImages"]
    online = [name for name in found["resources"] + found["images"] if not name.startswith("file:")]
    assert not online, online
