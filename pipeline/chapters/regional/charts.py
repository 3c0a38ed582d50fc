"""The regional chapter's figure (fig-01), drawn from the build's table of women held by country and year."""

from __future__ import annotations

import math
import unicodedata

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import i18n, style
from pipeline.settings import Regional

SOURCE = "unodc_prisons"
COLUMNS = 6  # panels per row
PANEL_HEIGHT_IN = 0.62


def women_share(table: pd.DataFrame, settings: Regional, tr: i18n.Translator | None = None) -> plt.Figure:
    """fig-01: women's share of all persons held, by country and year (`tr`: the language it is drawn in)."""
    return share_chart(table, settings.focus_countries, settings.first_year, tr)


def share_chart(series: pd.DataFrame, focus: list[str], first_year: int,
                tr: i18n.Translator | None = None) -> plt.Figure:
    """Women's share of all persons held: one small panel per country on the same scales, so every line can be
    named; the focus countries first and drawn heavier, then the others in the alphabetical order of their names
    as the language writes them (`tr`; English without one: Dominica, Dominican Republic; in Spanish Dominica,
    Ecuador, ... República Dominicana). A gap of years without a count stays a gap."""
    shares = series.dropna(subset=["women_share_pct"])
    names = shares.drop_duplicates("country").set_index("country")["country_name"]
    key = names.get if tr is None or tr.language == "en" else (
        lambda country: _alphabetical(tr.english(names[country], "fig-01 panel")))
    order = [c for c in focus if c in names.index] + sorted(set(names.index) - set(focus), key=key)
    rows = math.ceil(len(order) / COLUMNS)
    fig, axes = style.figure(rows, COLUMNS, PANEL_HEIGHT_IN, sharex=True, sharey=True, squeeze=False)
    panels = axes.flatten()
    for index, (panel, country) in enumerate(zip(panels, order)):
        emphasis = country in focus
        for run in style.consecutive_runs(shares[shares["country"] == country].sort_values("year"), "year"):
            panel.plot(run["year"], run["women_share_pct"], **{**style.source_style(SOURCE), "markersize": 2.2},
                       linewidth=1.6 if emphasis else 0.9)
        panel.set_title(names[country], fontsize=7, fontweight="bold" if emphasis else "normal")
        panel.tick_params(labelbottom=index + COLUMNS >= len(order), labelsize=6.5)
        panel.grid(linewidth=0.4)
    for panel in panels[len(order):]:
        panel.remove()
    panels[0].set_ylim(bottom=0)
    style.set_title(fig, "Women as a share of people held in prison, Latin America and the Caribbean, "
                         f"{first_year}–{int(shares['year'].max())}",
                    "Women, % of all persons held")
    return fig


def _alphabetical(name: str) -> str:
    """A name's place in alphabetical order: accents and case left aside (Perú between Paraguay and Puerto Rico)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
