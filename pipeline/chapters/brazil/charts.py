"""The Brazil chapter's figures (fig-20 to fig-22), drawn from the build's tables of people and shares by sex."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.settings import Brazil

SEX_LABELS = {"female": "Women", "male": "Men"}


def people_in_cells(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-20: women and men held in cells per semester."""
    return sex_panels(table, "People held in cells, Brazil", "people")


def people_monitored(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-21: women and men under electronic monitoring per semester."""
    return sex_panels(table, "People under electronic monitoring, Brazil", "people")


def drug_law_share(table: pd.DataFrame, settings: Brazil) -> plt.Figure:
    """fig-22: the drug-law share of offence incidences, women and men."""
    return share_chart(table, "Drug-law offences as a share of all incidences, Brazil")


def sex_panels(table: pd.DataFrame, title: str, ylabel: str) -> plt.Figure:
    """Women and men side by side (their scales differ twentyfold), one line each over the semesters."""
    style.use_house_style()
    fig, axes = plt.subplots(1, 2, figsize=(style.FIGURE_WIDTH_IN, 3.4))
    for ax, sex, colour in zip(axes, SEX_LABELS, style.PALETTE):
        ax.plot(table["period"], table[sex], marker="o", color=colour)
        ax.set_title(SEX_LABELS[sex], fontsize=9)
        ax.set_ylim(0, 1.08 * table[sex].max())  # headroom: the highest point is drawn whole
        ax.tick_params(axis="x", rotation=90)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def share_chart(table: pd.DataFrame, title: str) -> plt.Figure:
    """Drug-law share of incidences for women and men on one axis."""
    style.use_house_style()
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 3.4))
    for sex, colour in zip(SEX_LABELS, style.PALETTE):
        ax.plot(table["period"], table[sex], marker="o", color=colour, label=SEX_LABELS[sex])
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of offence incidences")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=90)
    ax.legend(loc="upper right")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
