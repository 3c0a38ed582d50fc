"""House style, and deterministic saving of every figure and table the briefing uses.

A figure is saved as `figures/fig-NN-slug.{svg,png,pdf}` with the exact data plotted beside it
(`.csv`) and its caption, source line and alt text (`.txt`). A table is saved as
`reports/tables/tab-NN-slug.{csv,md}`. The same inputs always give the same bytes: no dates, fixed
SVG hash salt, sorted rows, fixed column order.
"""

from __future__ import annotations

import io as _io
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from pipeline import io, paths
from pipeline.errors import PipelineError

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MUTED = "#9A9A9A"

FIGURE_WIDTH_IN = 6.5  # a text column of an A4/letter report
PNG_DPI = 300
_NAME = re.compile(r"^(fig|tab)-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")

STYLE = {
    "figure.figsize": (FIGURE_WIDTH_IN, 4.0),
    "font.family": "DejaVu Sans",  # ships with matplotlib: same glyphs on every machine
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "legend.frameon": False,
    "legend.fontsize": 8,
    "svg.hashsalt": "briefing",  # fixed ids inside the SVG
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": False,
}


def use_house_style() -> None:
    """Apply the house style to matplotlib (idempotent)."""
    matplotlib.rcParams.update(STYLE)


def add_source_line(fig: plt.Figure, source: str) -> None:
    """Print the source under the plot, where it travels with the figure into any report."""
    fig.text(0.01, 0.01, f"Source: {source}", fontsize=7, color="#555555", ha="left", va="bottom",
             wrap=True)


def save_figure(fig: plt.Figure, name: str, *, data: pd.DataFrame, caption: str, source: str,
                alt: str, definitions: dict | None = None) -> list[Path]:
    """Save a figure as SVG, PNG and PDF, its data as CSV, and its caption as text. Returns the paths."""
    _check_name(name, "fig")
    stem = paths.FIGURES / name
    outputs = []
    for fmt, content in figure_files(fig).items():
        io.write_bytes(stem.with_suffix(f".{fmt}"), content)
        outputs.append(stem.with_suffix(f".{fmt}"))
    io.write_text(stem.with_suffix(".csv"), data.to_csv(index=False, lineterminator="\n"))
    io.write_text(stem.with_suffix(".txt"), _caption_text(caption, source, alt, definitions))
    return outputs + [stem.with_suffix(".csv"), stem.with_suffix(".txt")]


def save_table(table: pd.DataFrame, name: str, *, key: list[str], title: str, source: str,
               definitions: dict | None = None, float_digits: int = 1) -> list[Path]:
    """Save a table as CSV and Markdown after checking its key is unique; rows sorted by the key."""
    _check_name(name, "tab")
    duplicated = table.duplicated(key)
    if duplicated.any():
        raise PipelineError(f"table {name}: key {key} is not unique "
                            f"(first duplicate: {table.loc[duplicated, key].iloc[0].tolist()})",
                            fix="aggregate or add a key column before saving")
    table = table.sort_values(key, kind="stable").reset_index(drop=True)
    stem = paths.TABLES / name
    io.write_text(stem.with_suffix(".csv"), table.to_csv(index=False, lineterminator="\n"))
    markdown = [f"# {title}", "", table.to_markdown(index=False, floatfmt=f",.{float_digits}f"), "",
                f"Source: {source}"]
    if definitions:
        markdown += ["", "Definitions used: " + _definitions_text(definitions)]
    io.write_text(stem.with_suffix(".md"), "\n".join(markdown) + "\n")
    return [stem.with_suffix(".csv"), stem.with_suffix(".md")]


def _caption_text(caption: str, source: str, alt: str, definitions: dict | None) -> str:
    lines = [f"Caption: {caption}", f"Source: {source}", f"Alt text: {alt}"]
    if definitions:
        lines.append("Definitions used: " + _definitions_text(definitions))
    return "\n".join(lines) + "\n"


def _definitions_text(definitions: dict) -> str:
    return "; ".join(f"{k} = {v}" for k, v in sorted(definitions.items()))


def _check_name(name: str, kind: str) -> None:
    if not _NAME.match(name) or not name.startswith(kind):
        raise PipelineError(f"output name '{name}' does not follow '{kind}-NN-slug'",
                            fix="use two digits and a lowercase, hyphenated slug, e.g. fig-01-women-held")


# Render options per format: no dates or tool versions, so the same figure gives the same bytes.
_RENDER = (
    ("svg", {"metadata": {"Date": None, "Creator": None}}),
    ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
    ("pdf", {"metadata": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}),
)


def figure_files(fig: plt.Figure) -> dict[str, bytes]:
    """The figure rendered as SVG, PNG and PDF: format -> bytes. `save_figure` writes them to figures/;
    the briefing pack (pipeline.report) writes its translated figures elsewhere."""
    rendered = {}
    for fmt, options in _RENDER:
        buffer = _io.BytesIO()
        fig.savefig(buffer, format=fmt, **options)
        rendered[fmt] = buffer.getvalue()
    return rendered
