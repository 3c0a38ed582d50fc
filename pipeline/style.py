"""House style of every figure: colours, size, fonts, and the source line printed under the plot.

Chart functions (pipeline/chapters/<chapter>/charts.py) call `use_house_style()` before they draw; the figures
stage (pipeline/figures.py) prints the source line in the figure's language.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MUTED = "#9A9A9A"

FIGURE_WIDTH_IN = 6.5  # a text column of an A4/letter report

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


def add_source_line(fig: plt.Figure, source: str, label: str = "Source") -> None:
    """Print the source under the plot, where it travels with the figure into any report (`label`: the word
    'Source' in the figure's language)."""
    fig.text(0.01, 0.01, f"{label}: {source}", fontsize=7, color="#555555", ha="left", va="bottom", wrap=True)
