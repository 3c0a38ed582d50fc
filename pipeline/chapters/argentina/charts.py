"""The Argentina chapter's figures (fig-10, fig-11), drawn from the build's table of women held by year and series:
each series in its source's colour and marker (style.SOURCES), the same in both figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import style
from pipeline.chapters.argentina.series import CITED_SERIES, MICRODATA_SERIES, UNODC_SERIES
from pipeline.settings import Argentina

# Each series of the build's table -> the source whose colour and marker draw it (legend order).
SERIES_SOURCE = {UNODC_SERIES: "unodc_prisons", MICRODATA_SERIES: "sneep", CITED_SERIES: "sneep_cited"}

SERIES_LEGEND = {
    "women": {UNODC_SERIES: "UNODC CTS (female)",
              CITED_SERIES: "SNEEP as cited by the briefing (women incl. trans women)",
              MICRODATA_SERIES: "SNEEP microdata (women as defined)"},
    "share": {UNODC_SERIES: "UNODC CTS (female ÷ all persons held)",
              CITED_SERIES: "SNEEP as cited by the briefing (÷ persons housed in units)",
              MICRODATA_SERIES: "SNEEP microdata (÷ all persons in the census)"},
}


def women_held(women: pd.DataFrame, settings: Argentina) -> plt.Figure:
    """Women held by year, one line or set of points per series (fig-10); draws exactly the rows of `women`."""
    return _series_chart(women, "women_held", "women", settings,
                         f"Women held in Argentina's prisons, {settings.first_year}–{settings.last_year}",
                         "persons (31 December)")


def women_share(women: pd.DataFrame, settings: Argentina) -> plt.Figure:
    """Women's share of all persons held, by year and series, each over its own denominator (fig-11)."""
    return _series_chart(women, "women_share_pct", "share", settings,
                         "Women as a share of all persons held, Argentina", "percent")


def _series_chart(women: pd.DataFrame, column: str, legend: str, settings: Argentina, title: str,
                  unit: str) -> plt.Figure:
    figure, axis = style.figure()
    for series, source in SERIES_SOURCE.items():
        rows = women[women["series"] == series]
        if len(rows):
            drawn = style.source_style(source)
            axis.plot(rows["year"], rows[column], **{**drawn, "linestyle": drawn["linestyle"] if len(rows) > 1
                                                      else "none"}, label=SERIES_LEGEND[legend][series])
    axis.set_xlim(settings.first_year - 0.5, settings.last_year + 0.5)
    axis.set_ylim(0, None)
    style.set_title(figure, title, unit)
    style.add_legend(figure)
    return figure
