"""The Brazil chapter's figures (fig-20 to fig-22), drawn from the build's tables of people and shares by sex, in
SISDEPEN's colour and marker (style.SOURCES); women and men are told apart by panel or by line."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.settings import Brazil

SOURCE = "sisdepen"
SEX_LABELS = {"female": "Women", "male": "Men"}
SEX_LINES = {"female": {}, "male": {"hollow": True, "line": "--"}}  # on one panel: men dashed, hollow markers


def people_in_cells(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-20: women and men held in cells per semester."""
    return sex_panels(table, "People held in cells, Brazil", "people")


def people_monitored(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-21: women and men under electronic monitoring per semester."""
    return sex_panels(table, "People under electronic monitoring, Brazil", "people")


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
