"""The regional chapter's figure (fig-01), drawn from the build's table of women held by country and year."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.settings import Regional


def women_share(table: pd.DataFrame, settings: Regional) -> plt.Figure:
    """fig-01: women's share of all persons held, by country and year."""
    return share_chart(table, settings.focus_countries, settings.first_year)


def share_chart(series: pd.DataFrame, focus: list[str], first_year: int) -> plt.Figure:
    """Women's share of all persons held, by country: focus countries in colour, the others in grey."""
    style.use_house_style()
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 4.2))
    shares = series.dropna(subset=["women_share_pct"])
    for country, rows in shares.groupby("country"):
        if country not in focus:
            ax.plot(rows["year"], rows["women_share_pct"], color=style.MUTED, linewidth=0.8, alpha=0.6)
    for colour, country in zip(style.PALETTE, focus):
        rows = shares[shares["country"] == country]
        ax.plot(rows["year"], rows["women_share_pct"], color=colour, linewidth=2.2, marker="o", markersize=3,
                label=rows["country_name"].iloc[0] if len(rows) else country)
    ax.plot([], [], color=style.MUTED, linewidth=0.8, label="Other Latin American and Caribbean countries")
    ax.set_title(f"Women as a share of people held in prison, {first_year}–{int(shares['year'].max())}")
    ax.set_ylabel("Women, % of all persons held")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", ncols=2)
    fig.subplots_adjust(bottom=0.16)
    return fig
