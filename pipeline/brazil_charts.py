"""Figures and tables of the Brazil chapter (notebooks/brazil_sisdepen.ipynb), from the long table and the
tables the build step (pipeline/brazil.py) wrote."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import export

SEX_LABELS = {"female": "Women", "male": "Men"}


def by_sex(indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One indicator as period x (female, male, total) columns."""
    rows = indicators[indicators["indicator"] == indicator]
    if rows.empty:
        raise ValueError(f"indicator '{indicator}' has no rows")
    return rows.pivot_table(index="period", columns="sex", values="value").reset_index() \
               .rename_axis(columns=None)


def sex_panels(table: pd.DataFrame, title: str, ylabel: str) -> plt.Figure:
    """Women and men side by side (their scales differ twentyfold), one line each over the semesters."""
    export.use_house_style()
    fig, axes = plt.subplots(1, 2, figsize=(export.FIGURE_WIDTH_IN, 3.4))
    for ax, sex, colour in zip(axes, SEX_LABELS, export.PALETTE):
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
    export.use_house_style()
    fig, ax = plt.subplots(figsize=(export.FIGURE_WIDTH_IN, 3.4))
    for sex, colour in zip(SEX_LABELS, export.PALETTE):
        ax.plot(table["period"], table[sex], marker="o", color=colour, label=SEX_LABELS[sex])
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of offence incidences")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=90)
    ax.legend(loc="upper right")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def growth_from(table: pd.DataFrame, base_period: str) -> pd.DataFrame:
    """Counts by sex and their growth (%) over `base_period`, for the base and every later semester."""
    base = table.set_index("period").loc[base_period]
    later = table[table["period"] >= base_period].copy()
    for sex in ("female", "male", "total"):
        later[f"{sex}_growth_pct"] = (100 * (later[sex] / base[sex] - 1)).round(1)
    return later.reset_index(drop=True)


def cells_caption(table: pd.DataFrame, patronato_in_cells: bool) -> str:
    """Caption of the people-in-cells figure: the semesters shown and what 'in cells' leaves out."""
    first, last = table["period"].min(), table["period"].max()
    if patronato_in_cells:
        return (f"People held in cells in Brazil by sex, June and December cycles, {first} to {last}; Patronato "
                "units counted in cells; not in cells: people under electronic monitoring or in domiciliary custody.")
    return (f"People held in cells in Brazil by sex, June and December cycles, {first} to {last}; not in cells: "
            "people under electronic monitoring, in domiciliary custody or under a Patronato's open-regime "
            "supervision.")


def treated_state_semesters(quality: pd.DataFrame) -> str:
    """The state-semesters whose incidences were excluded or replaced, e.g. 'MA 2019-12, RS 2018-06' ('none')."""
    treated = quality[quality["treatment"] != "keep"][["state", "period"]].drop_duplicates()
    treated = treated.sort_values(["state", "period"])
    return ", ".join(f"{t.state} {t.period}" for t in treated.itertuples()) or "none"
