"""The Uruguay chapter's figures (fig-30, fig-31), drawn from the build's tables: every point with its source."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.chapters.uruguay.periods import period_position
from pipeline.settings import Uruguay

UNODC_COLOUR, PUBLISHED_COLOUR = style.PALETTE[0], style.PALETTE[1]
STAGE_COLOURS = {"formal contact (police)": style.PALETTE[0], "police detention": style.PALETTE[4],
                 "prosecution": style.PALETTE[3], "prison": style.PALETTE[2]}


def prison_by_sex(table: pd.DataFrame, settings: Uruguay) -> plt.Figure:
    """fig-30: women and men held, UNODC's annual counts and the published counts, the LUC marked."""
    return prison_chart(table, settings.luc_month)


def women_share_by_stage(table: pd.DataFrame, settings: Uruguay) -> plt.Figure:
    """fig-31: women's share of drug-offence cases at each stage, the LUC marked."""
    return stage_chart(table, settings.luc_month)


def prison_chart(series: pd.DataFrame, luc_month: str) -> plt.Figure:
    """Women (top) and men (bottom) held: UNODC's annual counts as a line, published counts as labelled dots."""
    style.use_house_style()
    fig, axes = plt.subplots(2, 1, figsize=(style.FIGURE_WIDTH_IN, 6.0), sharex=True)
    for ax, sex, title in ((axes[0], "female", "Women held in prison"), (axes[1], "male", "Men held in prison")):
        points = series[series["sex"] == sex]
        unodc = points[points["reference"] == "unodc_prisons"].sort_values("position")
        # A gap of more than a year in UNODC's series is left as a gap, not bridged by a line.
        breaks = unodc["position"].diff().gt(1.01).cumsum()
        for _, run in unodc.groupby(breaks):
            ax.plot(run["position"], run["persons"], color=UNODC_COLOUR, marker="o", markersize=3.5, linewidth=1.4)
        published = points[points["reference"] != "unodc_prisons"]
        exact = published["flags"].fillna("") == ""
        ax.scatter(published.loc[exact, "position"], published.loc[exact, "persons"], color=PUBLISHED_COLOUR,
                   zorder=3, s=22)
        ax.scatter(published.loc[~exact, "position"], published.loc[~exact, "persons"], facecolors="white",
                   edgecolors=PUBLISHED_COLOUR, zorder=3, s=22)
        for row in published.itertuples():
            ax.annotate(row.reference, (row.position, row.persons), textcoords="offset points", xytext=(3, 4),
                        fontsize=6, color="#555555")
        _mark_luc(ax, luc_month)
        ax.set_title(title)
        ax.set_ylabel("persons")
        ax.set_ylim(bottom=0)
    axes[0].plot([], [], color=UNODC_COLOUR, marker="o", markersize=3.5, label="UNODC CTS (annual, drawn mid-year)")
    axes[0].scatter([], [], color=PUBLISHED_COLOUR, s=22, label="published figure (id in the registry)")
    axes[0].scatter([], [], facecolors="white", edgecolors=PUBLISHED_COLOUR, s=22,
                    label="published figure, date inferred or bound")
    axes[0].legend(loc="upper left")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def stage_chart(stages: pd.DataFrame, luc_month: str) -> plt.Figure:
    """Women's share of people at each stage for drug offences; hollow dots are figures quoted by the briefing."""
    style.use_house_style()
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 4.0))
    for stage, points in stages.groupby("stage", sort=False):
        colour = STAGE_COLOURS.get(stage, style.MUTED)
        for independent, marker_face in ((True, colour), (False, "white")):
            part = points[points["independent"] == independent]
            if len(part):
                ax.scatter(part["position"], part["women_share_pct"], facecolors=marker_face, edgecolors=colour,
                           s=26, zorder=3,
                           label=stage + ("" if independent else " (as quoted in the briefing)"))
        for row in points.itertuples():
            label = row.offence_scope if stage.startswith("formal") else row.reference.split(":")[0]
            ax.annotate(label, (row.position, row.women_share_pct), textcoords="offset points", xytext=(4, 2),
                        fontsize=6, color="#555555")
    _mark_luc(ax, luc_month)
    ax.set_ylabel("women, % of people at the stage")
    ax.set_ylim(0, max(40, stages["women_share_pct"].max() + 5))
    ax.set_title("Women's share of drug-offence cases, by stage")
    ax.legend(loc="lower left")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def _mark_luc(ax: plt.Axes, luc_month: str) -> None:
    position = period_position(luc_month) - 0.5 / 12  # the start of the month
    ax.axvline(position, color="#555555", linestyle="--", linewidth=0.9)
    ax.annotate("LUC", (position, 1), xycoords=("data", "axes fraction"), xytext=(3, -10),
                textcoords="offset points", fontsize=7, color="#555555")
