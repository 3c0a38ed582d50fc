"""Figure and table export: same inputs, same bytes; names and keys checked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline import export, paths, style
from pipeline.errors import PipelineError


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.setattr(paths, "TABLES", tmp_path / "tables")
    return tmp_path


def _figure():
    style.use_house_style()
    fig, ax = plt.subplots()
    ax.plot([2015, 2022], [2996, 4391], label="Women held")
    ax.set_title("Women held")
    style.add_source_line(fig, "SNEEP")
    return fig


def test_figure_bytes_are_identical_across_saves(outputs):
    data = pd.DataFrame({"year": [2015, 2022], "women_held": [2996, 4391]})
    kwargs = dict(data=data, caption="Women held", source="SNEEP", alt="Two points", definitions={"b": 1, "a": 2})
    first = {p.name: p.read_bytes() for p in export.save_figure(_figure(), "fig-99-test", **kwargs)}
    second = {p.name: p.read_bytes() for p in export.save_figure(_figure(), "fig-99-test", **kwargs)}
    assert first == second
    assert sorted(first) == [f"fig-99-test.{ext}" for ext in ("csv", "pdf", "png", "svg", "txt")]
    assert b"CreationDate" not in first["fig-99-test.pdf"] and b"<dc:date>" not in first["fig-99-test.svg"]
    assert first["fig-99-test.txt"].decode().splitlines() == [
        "Caption: Women held", "Source: SNEEP", "Alt text: Two points", "Definitions used: a = 2; b = 1"]
    plt.close("all")


def test_table_is_sorted_by_key_and_rejects_duplicates(outputs):
    table = pd.DataFrame({"country": ["URY", "ARG"], "women_held": [805.0, 2988.0]})
    csv, md = export.save_table(table, "tab-99-test", key=["country"], title="T", source="UNODC")
    assert csv.read_text().splitlines() == ["country,women_held", "ARG,2988.0", "URY,805.0"]
    assert "| ARG       |      2,988.0 |" in md.read_text()
    with pytest.raises(PipelineError, match="key \\['country'\\] is not unique"):
        export.save_table(pd.concat([table, table]), "tab-99-test", key=["country"], title="T", source="U")


@pytest.mark.parametrize("name", ["fig-1-x", "figure-01-x", "fig-01-Women", "tab-01-x"])
def test_bad_figure_names_are_refused(outputs, name):
    with pytest.raises(PipelineError, match="does not follow 'fig-NN-slug'"):
        export.save_figure(_figure(), name, data=pd.DataFrame(), caption="", source="", alt="")
    plt.close("all")
