"""A profile's figures, drawn in the profile's language from the build's numbers (data/interim/profiles/<ISO3>.json):
women held and their share of all persons held over time, and the share held unsentenced by sex. Each function
returns the figure and the table of exactly the points it draws (checked against the artists by `check`), which the
notebook stage saves beside the SVG as the figure's data."""

from __future__ import annotations

import io as _io

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pipeline import export, i18n, io, style

# Each figure: name (in its file name) -> the series it draws, x then y.
FIGURES = {"women": ("year", ("women_held", "women_share_pct")),
           "unsentenced": ("year", ("women_unsentenced_pct", "men_unsentenced_pct"))}
# Text as text in the SVG (smaller, and searchable); fixed ids and no date, so the same figure gives the same bytes.
SVG_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "briefing-profiles"}


def drawn_data(profile: dict, name: str) -> pd.DataFrame:
    """The rows a figure draws: years with a value of any of its series."""
    x, y = FIGURES[name]
    table = pd.DataFrame(profile["series"], columns=["year", *{c for n in FIGURES for c in FIGURES[n][1]}])
    return table[[x, *y]].dropna(subset=list(y), how="all").reset_index(drop=True)


def has_figure(profile: dict, name: str) -> bool:
    """Whether the profile has anything to draw in a figure (two years at least of one of its series)."""
    data = drawn_data(profile, name)
    return any(data[column].notna().sum() >= 2 for column in FIGURES[name][1])


def women(profile: dict, country_name: str, tr: i18n.Translator, source: str) -> tuple[plt.Figure, pd.DataFrame]:
    """Women held (top) and their share of all persons held (bottom), by year."""
    data = drawn_data(profile, "women")
    style.use_house_style()
    fig, (count_axes, share_axes) = plt.subplots(2, 1, figsize=(style.FIGURE_WIDTH_IN, 5.2), sharex=True)
    held = data.dropna(subset=["women_held"])
    count_axes.plot(held["year"], held["women_held"], color=style.PALETTE[0], marker="o", markersize=3)
    count_axes.set_title(tr("profile.figure.women.title", country=country_name))
    count_axes.set_ylabel(tr("profile.figure.women.count_axis"))
    share = data.dropna(subset=["women_share_pct"])
    share_axes.plot(share["year"], share["women_share_pct"], color=style.PALETTE[1], marker="o", markersize=3)
    share_axes.set_ylabel(tr("profile.figure.women.share_axis"))
    for axes in (count_axes, share_axes):
        axes.set_ylim(bottom=0)
    _finish(fig, source, tr)
    return fig, data


def unsentenced(profile: dict, country_name: str, tr: i18n.Translator,
                source: str) -> tuple[plt.Figure, pd.DataFrame]:
    """The share of women held and of men held who are unsentenced, by year (each of its own sex)."""
    data = drawn_data(profile, "unsentenced")
    style.use_house_style()
    fig, axes = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 3.6))
    for column, colour, key in (("women_unsentenced_pct", style.PALETTE[0], "chart.women"),
                                ("men_unsentenced_pct", style.PALETTE[2], "chart.men")):
        rows = data.dropna(subset=[column])
        axes.plot(rows["year"], rows[column], color=colour, marker="o", markersize=3, label=tr(key))
    axes.set_title(tr("profile.figure.unsentenced.title", country=country_name))
    axes.set_ylabel(tr("profile.figure.unsentenced.axis"))
    axes.set_ylim(0, 100)
    axes.legend(loc="lower left", ncols=2)
    _finish(fig, source, tr)
    return fig, data


def _finish(fig: plt.Figure, source: str, tr: i18n.Translator) -> None:
    """Years on the x axis (whole, never grouped), numbers on the y axis in the language's format, the source line."""
    for axes in fig.axes:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: str(int(round(value)))))
        axes.yaxis.set_major_formatter(style.LocaleFormatter(tr.language))
    fig.subplots_adjust(bottom=0.16 if len(fig.axes) == 1 else 0.11, hspace=0.12)
    style.add_source_line(fig, source, tr("page.source"))
    plt.close(fig)


def check(fig: plt.Figure, data: pd.DataFrame, name: str, label: str) -> str:
    """The figure's data CSV, after checking that the points drawn are exactly its rows."""
    x, y = FIGURES[name]
    table = io.csv_text(data)
    export.check_points(fig, table, x, y, label)
    return table


def svg(fig: plt.Figure) -> str:
    """The figure as SVG text, the same bytes on every run: matplotlib's document from its <svg> element on (a
    notebook's SVG output holds no XML declaration or DOCTYPE; UTF-8 is an SVG file's own default)."""
    buffer = _io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    document = buffer.getvalue()
    return document[document.index("<svg"):]
