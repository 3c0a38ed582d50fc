"""The Brazil chapter's figures (fig-20 to fig-22), drawn from the build's tables of people and shares by sex, in
SISDEPEN's colour and marker (style.SOURCES); women and men are told apart by panel or by line."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.settings import Brazil
from pipeline.sources import sisdepen

SOURCE = "sisdepen"
SEX_LABELS = {"female": "Women", "male": "Men"}
SEX_LINES = {"female": {}, "male": {"hollow": True, "line": "--"}}  # on one panel: men dashed, hollow markers


def people_in_cells(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-20: women and men held in cells per semester."""
    return sex_panels(table, "People held in cells, Brazil", "people")


PARTIAL_COUNT = "fewer than {states} states in the count"  # fig-21's shading, in its legend
PARTIAL_SHADE = "#E6E6E6"


def people_monitored(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-21: women and men under electronic monitoring per semester, the semesters whose count leaves out states
    without a monitoring unit shaded: a rise there includes the states that entered the count (`states_reporting`)."""
    fig = sex_panels(table, "People under electronic monitoring, Brazil", "people")
    partial = (table["states_reporting"] < len(sisdepen.STATES)).tolist()
    runs = _runs(partial)
    for ax in fig.axes:
        for number, (start, end) in enumerate(runs):
            ax.axvspan(start - 0.5, end + 0.5, color=PARTIAL_SHADE, linewidth=0, zorder=0,
                       label=PARTIAL_COUNT.format(states=len(sisdepen.STATES)) if number == 0 else None)
    if runs:
        style.add_legend(fig)
    return fig


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """The first and last position of each run of true flags: [T, T, F, T] -> [(0, 1), (3, 3)]."""
    runs, start = [], None
    for position, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = position
        elif not flag and start is not None:
            runs.append((start, position - 1))
            start = None
    return runs


def drug_law_share(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-22: the drug-law share of offence incidences, women and men."""
    return share_chart(table, "Drug-law offences as a share of all incidences, Brazil")


def sex_panels(table: pd.DataFrame, title: str, unit: str) -> plt.Figure:
    """Women and men side by side (their scales differ twentyfold), one line each over the semesters."""
    fig, axes = style.figure(1, 2)
    for ax, sex in zip(axes, SEX_LABELS):
        ax.plot(table["period"], table[sex], **style.source_style(SOURCE))
        ax.set_title(SEX_LABELS[sex])
        ax.set_ylim(0, None)
    style.set_title(fig, title, unit)
    return fig


def share_chart(table: pd.DataFrame, title: str) -> plt.Figure:
    """Drug-law share of incidences for women and men on one axis."""
    fig, ax = style.figure()
    for sex, label in SEX_LABELS.items():
        ax.plot(table["period"], table[sex], **style.source_style(SOURCE, **SEX_LINES[sex]), label=label)
    ax.set_ylim(0, 100)
    style.set_title(fig, title, "% of offence incidences")
    style.add_legend(fig)
    return fig
