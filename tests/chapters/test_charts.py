"""The chapters' charts (pipeline/chapters/<chapter>/charts.py): each draws its figure from the build's table,
exactly the table's points, under the title the translation table holds, each source in its one colour and marker
(style.SOURCES) in every figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from pipeline import export, figure_layout, figures, i18n, params, registry, style
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
    english = i18n.Translator("en")(figure.title)
    assert style.title_of(chart).startswith(english.split("{")[0]), figure.id
    plt.close(chart)


def test_every_argentina_series_has_its_source_and_legend_in_both_figures():
    labels = {series.UNODC_SERIES, series.CITED_SERIES, series.MICRODATA_SERIES}
    assert set(argentina_charts.SERIES_SOURCE) == labels and set(argentina_charts.SERIES_SOURCE.values()) <= set(
        style.SOURCES)
    assert all(set(legend) == labels for legend in argentina_charts.SERIES_LEGEND.values())


def test_each_source_has_its_own_colour_and_marker():
    drawn = [(source.colour, source.marker) for source in style.SOURCES.values()]
    assert len(set(drawn)) == len(drawn) and len({colour for colour, _ in drawn}) == len(drawn)


def _sources_drawn(chart) -> set[str]:
    """The sources whose colour and marker draw the chart's data (an unknown pair fails)."""
    by_style = {(source.colour.lower(), source.marker): name for name, source in style.SOURCES.items()}
    found = set()
    for axes in chart.axes:
        for line in figure_layout._data_lines(axes):
            pair = (str(line.get_color()).lower(), line.get_marker())
            assert pair in by_style, f"{style.title_of(chart)}: a line drawn in {pair}, the style of no source"
            found.add(by_style[pair])
    return found


def test_the_same_source_is_drawn_the_same_way_in_every_figure():
    # (SNEEP microdata, when a user adds it, is drawn in Argentina's figures too: left out here.)
    sources = {figure.id: _sources_drawn(figures.draw(figure)) - {"sneep"} for figure in registry.FIGURES}
    assert sources == {
        "fig-01-women-share-latin-america": {"unodc_prisons"},
        "fig-10-argentina-women-held": {"unodc_prisons", "sneep_cited"},
        "fig-11-argentina-women-share": {"unodc_prisons", "sneep_cited"},
        "fig-20-brazil-women-men-prison": {"sisdepen"},
        "fig-21-brazil-electronic-monitoring": {"sisdepen"},
        "fig-22-brazil-drug-share-women-men": {"sisdepen"},
        "fig-30-uruguay-prison-by-sex": {"unodc_prisons", "published"},
        "fig-31-uruguay-women-share-by-stage": {"unodc_drug_crimes", "oud", "published"},
    }
    plt.close("all")
