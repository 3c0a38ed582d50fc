"""The Uruguay chapter's figures (fig-30, fig-31), drawn from the build's tables: every point in its source's colour
and marker (style.SOURCES), figures from the press labelled with the outlet that published them, and the Law of
Urgent Consideration (LUC) marked and named once."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.chapters.uruguay.periods import month_name, period_position
from pipeline.settings import Uruguay

SEX_PANELS = {"female": "Women", "male": "Men"}
# The stage of each panel of fig-31, as its title says it.
STAGE_TITLES = {"formal contact (police)": "Formal contact with the police", "police detention": "Police detention",
                "prosecution": "Prosecution", "prison": "Prison"}
# Legend of each kind of point: (source, hollow) -> text.
LEGEND = {
    ("unodc_prisons", False): "UNODC CTS: annual count, drawn at mid-year",
    ("unodc_drug_crimes", False): "UNODC World Drug Report, annex table 10.1",
    ("oud", False): "Uruguayan Drug Observatory (OUD)",
    ("oud", True): "Uruguayan Drug Observatory (OUD), as quoted by the briefing",
    ("published", False): "Figure published in the press (outlet named)",
    ("published", True): "Figure published in the press, date inferred or a lower bound",
}
LUC_LEGEND = "LUC: Law of Urgent Consideration (Law 19.889), in force from {month}"


def prison_by_sex(table: pd.DataFrame, settings: Uruguay) -> plt.Figure:
    """fig-30: women and men held, UNODC's annual counts and the counts published since, the LUC marked."""
    return prison_chart(table, settings.luc_month)


def women_share_by_stage(table: pd.DataFrame, settings: Uruguay) -> plt.Figure:
    """fig-31: women's share of drug-offence cases at each stage, the LUC marked."""
    return stage_chart(table, settings.luc_month)


def prison_chart(series: pd.DataFrame, luc_month: str) -> plt.Figure:
    """Women (top) and men (bottom) held: UNODC's annual counts as a line, published counts as labelled points."""
    fig, axes = style.figure(2, 1, 2.3, sharex=True)
    for ax, (sex, panel_title) in zip(axes, SEX_PANELS.items()):
        points = series[series["sex"] == sex]
        unodc = points[points["reference"] == "unodc_prisons"].sort_values("position")
        for run in style.consecutive_runs(unodc, "position"):  # a gap of years is left as a gap
            ax.plot(run["position"], run["persons"], **style.source_style("unodc_prisons"),
                    label=LEGEND["unodc_prisons", False])
        published = points[points["reference"] != "unodc_prisons"]
        for hollow in (False, True):  # hollow: the date is inferred, or the figure is a bound
            part = published[(published["flags"].fillna("") != "") == hollow]
            if len(part):
                ax.plot(part["position"], part["persons"], **style.source_style("published", hollow),
                        label=LEGEND["published", hollow])
        for row in published.itertuples():
            style.label_point(ax, publisher(row.source), (row.position, row.persons), name=True)
        _mark_luc(ax, luc_month)
        ax.set_title(panel_title)
        ax.set_ylim(0, 1.15 * points["persons"].max())  # room around the latest points for their labels
    axes[0].set_xlim(series["position"].min() - 1, series["position"].max() + 1.5)
    years = series["position"].astype(int)
    style.set_title(fig, f"Women and men held in prison, Uruguay, {years.min()}–{years.max()}", "persons")
    style.add_legend(fig)
    return fig


def stage_chart(stages: pd.DataFrame, luc_month: str) -> plt.Figure:
    """Women's share of the people at each stage of drug-offence cases, one panel per stage on the same share
    scale, each over the years it has; hollow points are figures known only as quoted by the briefing."""
    order = list(dict.fromkeys(stages["stage"]))
    fig, axes = style.figure(len(order), 1, 1.7, sharey=True, squeeze=False)
    for ax, stage in zip(axes[:, 0], order):
        points = stages[stages["stage"] == stage]
        several_scopes = points["offence_scope"].nunique() > 1
        for (source, hollow), part in points.groupby([points["reference"].map(source_of),
                                                      ~points["independent"].astype(bool)], sort=False):
            ax.plot(part["position"], part["women_share_pct"], **style.source_style(source, hollow),
                    label=LEGEND[source, hollow])
        for row in points.itertuples():
            if several_scopes:
                style.label_point(ax, row.offence_scope, (row.position, row.women_share_pct))
            elif source_of(row.reference) == "published":
                style.label_point(ax, publisher(row.source), (row.position, row.women_share_pct), name=True)
        _mark_luc(ax, luc_month)
        ax.set_xlim(min(points["position"].min(), _luc_position(luc_month)) - 0.7, points["position"].max() + 0.7)
        ax.set_title(STAGE_TITLES.get(stage, stage))
    axes[0, 0].set_ylim(0, max(40, stages["women_share_pct"].max() + 5))
    years = stages["position"].astype(int)
    style.set_title(fig, f"Women's share of drug-offence cases by stage, Uruguay, {years.min()}–{years.max()}",
                    "Women, % of the people at each stage")
    style.add_legend(fig)
    return fig


def source_of(reference: str) -> str:
    """The source of a point, from its reference: a dataset id (`unodc_drug_crimes: ARQ2020`, `oud: p. 32`) or the
    id of a published figure (`ury-065`)."""
    dataset = reference.split(":")[0]
    return dataset if dataset in style.SOURCES else "published"


def publisher(source: str) -> str:
    """The outlet that published a figure, from the registry's source text ('M24 (news), 2025' -> 'M24')."""
    return source.split(" (")[0]


def _mark_luc(ax: plt.Axes, luc_month: str) -> None:
    """A dashed line where the LUC came into force, labelled with its abbreviation (expanded in the legend). It is
    drawn under the points (above the grid), so that a year's point beside it is not crossed out: a year's point sits
    at mid-year, and the LUC came into force in July 2020, half a month before 2020's points."""
    position = _luc_position(luc_month)
    ax.axvline(position, color=style.TEXT_GREY, linestyle="--", linewidth=0.9, zorder=0.9,
               label=LUC_LEGEND.format(month=month_name(luc_month)))
    ax.annotate("LUC", (position, 1), xycoords=("data", "axes fraction"), xytext=(3, -2),
                textcoords="offset points", fontsize=style.LABEL_SIZE, color=style.TEXT_GREY, va="top")


def _luc_position(luc_month: str) -> float:
    return period_position(luc_month) - 0.5 / 12  # the start of the month
