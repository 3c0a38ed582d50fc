"""House style of every figure: one colour and marker per source, sizes, fonts, and the frame of texts around the
plot (title, unit line, legend, source line).

Chart functions (pipeline/chapters/<chapter>/charts.py) open a figure with `figure()`, draw each series with
`source_style()` of its source, name the figure with `set_title()`, label points with `label_point()` and list
their series with `add_legend()`; the figures stage (pipeline/figures.py) translates the texts, prints the source
line (`add_source_line()`) and lays the figure out for its language (pipeline/figure_layout.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.text import Annotation
from matplotlib.ticker import Formatter

from pipeline import i18n

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MUTED = "#9A9A9A"
TEXT_GREY = "#555555"

FIGURE_WIDTH_IN = 6.5  # a text column of an A4/letter report; the height follows the texts (pipeline/figure_layout.py)
PANEL_HEIGHT_IN = 2.6  # the height of one row of panels, without its labels
MARKER_SIZE = 4.5  # points


@dataclass(frozen=True)
class SourceStyle:
    """How one source is drawn in every figure: its colour, its marker, and whether its points form a line."""
    colour: str
    marker: str
    line: str  # "-": a series of the same definition, joined; "none": separate figures, never joined


# One colour and marker per source, in every figure (keys: the long table's `source` ids, and the two ways the
# briefing's SNEEP figures reach it). Hollow markers (`source_style(..., hollow=True)`) say what each figure's
# legend says (a figure known only as quoted, a date inferred, a bound).
SOURCES = {
    "unodc_prisons": SourceStyle(PALETTE[0], "o", "-"),  # UNODC CTS, prisons and prisoners (national series)
    "unodc_drug_crimes": SourceStyle(PALETTE[5], "^", "none"),  # UNODC World Drug Report, annex table 10.1
    "sisdepen": SourceStyle(PALETTE[2], "s", "-"),  # SENAPPEN's SISDEPEN per-establishment files (Brazil)
    "sneep": SourceStyle(PALETTE[4], "P", "-"),  # SNEEP microdata, counted by this project (Argentina)
    "sneep_cited": SourceStyle(PALETTE[1], "D", "none"),  # SNEEP's published figures as cited by the briefing
    "published": SourceStyle(PALETTE[3], "v", "none"),  # published figures registry (reports, press)
    "oud": SourceStyle(PALETTE[7], "*", "none"),  # Observatorio Uruguayo de Drogas (Uruguay's drug observatory)
}

STYLE = {
    "figure.figsize": (FIGURE_WIDTH_IN, 4.0),
    "figure.dpi": 100,
    # DejaVu Sans ships with matplotlib: the same glyphs and text widths on every machine. The SVG names the font
    # and its fallbacks, so an author's editor that lacks it shows a close sans-serif.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    # Panel titles sit on the top of the axes, where matplotlib puts them when nothing is drawn above the axes
    # (no top tick labels, no y offset text: the house style has neither). Set, not searched for at every draw:
    # matplotlib's search measures every axis of the panel and is a fifth of a figure stage's time.
    "axes.titley": 1.0,
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "lines.markersize": MARKER_SIZE,
    "lines.linewidth": 1.5,
    "legend.frameon": False,
    "legend.fontsize": 7.5,
    "legend.handlelength": 2.4,
    "svg.hashsalt": "briefing",  # fixed ids inside the SVG
    "svg.fonttype": "none",  # texts stay texts (an author can edit them), with the font named
    "pdf.fonttype": 42,  # TrueType embedded
    "path.simplify": False,
}

TITLE_SIZE, UNIT_SIZE, SOURCE_SIZE, LABEL_SIZE = 10.5, 8, 6.5, 6.5
# A legend below the plot (pipeline/figure_layout.py places it and chooses its columns).
LEGEND = {"loc": "upper left", "borderaxespad": 0, "borderpad": 0, "handletextpad": 0.6, "columnspacing": 1.6}


def use_house_style() -> None:
    """Apply the house style to matplotlib (idempotent)."""
    matplotlib.rcParams.update(STYLE)


def figure(rows: int = 1, columns: int = 1, panel_height: float = PANEL_HEIGHT_IN, **subplots) -> tuple:
    """A figure of `rows` x `columns` panels, each row `panel_height` inches high whatever its texts need: the
    layout (pipeline/figure_layout.py) adds the height of the title, labels, legend and source line."""
    use_house_style()
    fig, axes = plt.subplots(rows, columns, figsize=(FIGURE_WIDTH_IN, rows * panel_height + 1.5), **subplots)
    fig.briefing = {"panel_height": panel_height, "rows": rows, "columns": columns}
    return fig, axes


def source_style(source: str, hollow: bool = False, line: str | None = None) -> dict:
    """Keyword arguments of `Axes.plot` that draw a series of `source` in its colour and marker (`hollow`: white
    inside; `line`: another line style, e.g. to tell two series of one source apart)."""
    chosen = SOURCES[source]
    size = MARKER_SIZE * (1.5 if chosen.marker == "*" else 1.0)
    return {"color": chosen.colour, "marker": chosen.marker, "markersize": size,
            "linestyle": chosen.line if line is None else line,
            "markerfacecolor": "white" if hollow else chosen.colour, "markeredgecolor": chosen.colour}


def set_title(fig: plt.Figure, title: str, unit: str | None = None) -> None:
    """The figure's title, and under it the unit of its y axes (horizontal, so it wraps in any language)."""
    fig.briefing["title"] = fig.text(0, 1, title, fontsize=TITLE_SIZE, fontweight="bold", ha="left", va="top")
    if unit:
        fig.briefing["unit"] = fig.text(0, 1, unit, fontsize=UNIT_SIZE, color=TEXT_GREY, ha="left", va="top")


def add_legend(fig: plt.Figure, handles: list | None = None) -> None:
    """A legend of every labelled series, below the plot (outside the data area), as many columns as fit: the
    data first, then reference lines (a date marked across a panel)."""
    if handles is None:
        handles, seen = [], set()
        for axes in fig.axes:
            for handle, label in zip(*axes.get_legend_handles_labels()):
                if label not in seen:
                    seen.add(label)
                    handles.append(handle)
        handles.sort(key=lambda handle: handle.get_transform() is not handle.axes.transData)  # stable
    fig.briefing["legend_handles"] = handles
    fig.briefing["legend"] = fig.legend(handles=handles, ncols=1, **LEGEND)


def add_source_line(fig: plt.Figure, source: str, label: str = "Source") -> None:
    """Print the source under the plot, where it travels with the figure into any report (`label`: the word
    'Source' in the figure's language)."""
    text = fig.text(0.01, 0.01, f"{label}: {source}", fontsize=SOURCE_SIZE, color=TEXT_GREY, ha="left",
                    va="bottom")
    getattr(fig, "briefing", {})["source"] = text


class PointLabel(Annotation):
    """A text naming one drawn point. The layout places it beside its point, where it covers no other point, label
    or text (pipeline/figure_layout.py); a `name` (a publisher, a person) is printed as written in every language."""

    def __init__(self, text: str, xy: tuple[float, float], name: bool = False):
        super().__init__(text, xy, xytext=(4, 0), textcoords="offset points", fontsize=LABEL_SIZE,
                         color=TEXT_GREY, ha="left", va="center",
                         arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.5, "shrinkA": 1,
                                     "shrinkB": 3})
        self.is_name = name
        self.arrow_patch.set_visible(False)  # a leader line only where the label had to move away
        self.set_in_layout(False)  # inside the axes: the margins do not depend on it


def label_point(axes: plt.Axes, text: str, xy: tuple[float, float], name: bool = False) -> PointLabel:
    label = PointLabel(text, xy, name)
    axes._add_text(label)
    return label


def title_of(fig: plt.Figure) -> str:
    """The figure's title as drawn."""
    return fig.briefing["title"].get_text()


def consecutive_runs(rows, column: str, step: float = 1.0) -> list:
    """The rows split where `column` jumps by more than `step` (a gap in a series stays a gap, not a line)."""
    breaks = (rows[column].astype(float).diff() > step + 1e-9).cumsum().to_numpy()
    return [run for _, run in rows.groupby(breaks, dropna=False)]


class LocaleFormatter(Formatter):
    """Tick labels with the language's marks; as many decimals as the tick spacing needs (at most 3).
    x axes of the briefing's charts hold years, so they are not grouped (2015, not 2.015)."""

    def __init__(self, language: str, grouping: bool = True):
        self.language, self.grouping, self.decimals = language, grouping, 0

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = next((d for d in range(4) if all(abs(round(v, d) - v) < 1e-9 for v in locs)), 3)

    def __call__(self, value, pos=None):
        return i18n.format_number(value, self.language, self.decimals, self.grouping)
