"""The chapters' charts (pipeline/chapters/<chapter>/charts.py): each draws its figure from the build's table,
exactly the table's points, under the title the translation table holds."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from pipeline import export, figures, i18n, params, registry
from pipeline.chapters.argentina import charts as argentina_charts
from pipeline.chapters.argentina import series
from pipeline.chapters.brazil import charts as brazil_charts
from pipeline.chapters.regional import charts as regional_charts
from pipeline.chapters.uruguay import charts as uruguay_charts

CHARTS = {"regional": regional_charts, "argentina": argentina_charts, "brazil": brazil_charts,
          "uruguay": uruguay_charts}


def test_the_figures_stage_draws_with_these_chart_modules():
    assert figures.CHARTS == CHARTS


@pytest.mark.parametrize("figure", registry.FIGURES, ids=lambda figure: figure.id)
def test_each_chart_draws_exactly_its_tables_points_under_its_title(figure):
    table = figures.data(figure)
    chart = getattr(CHARTS[figure.chapter], figure.chart)(table, params.read(figures.SETTINGS[figure.chapter]))
    export.check_points(chart, table.to_csv(index=False), figure.x, figure.y, figure.id)
    titles = [axes.get_title(loc) for axes in chart.axes for loc in ("left", "center", "right")]
    titles.append(chart._suptitle.get_text() if chart._suptitle else "")
    english = i18n.Translator("en")(figure.title)
    assert any(title == english or title.startswith(english.split("{")[0]) for title in titles), figure.id
    plt.close(chart)


def test_every_argentina_series_has_its_style_and_legend_in_both_figures():
    labels = {series.UNODC_SERIES, series.CITED_SERIES, series.MICRODATA_SERIES}
    assert set(argentina_charts.SERIES_STYLE) == labels
    assert all(set(legend) == labels for legend in argentina_charts.SERIES_LEGEND.values())
