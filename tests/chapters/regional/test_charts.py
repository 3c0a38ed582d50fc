"""The regional chapter's charts (pipeline/chapters/regional/charts.py): each draws its figure from the build's
table, exactly the table's points, with the title the translation table holds."""

from __future__ import annotations

import matplotlib.pyplot as plt

from pipeline import export, figures, i18n, params, registry
from pipeline.chapters.regional import charts
from pipeline.settings import Regional


def test_each_chart_draws_exactly_its_tables_points_under_its_title():
    settings = params.read(Regional)
    for figure in registry.figures_of("regional"):
        table = figures.data(figure)
        chart = getattr(charts, figure.chart)(table, settings)
        export.check_points(chart, table.to_csv(index=False), figure.x, figure.y, figure.id)
        titles = [axes.get_title(loc) for axes in chart.axes for loc in ("left", "center", "right")]
        titles.append(chart._suptitle.get_text() if chart._suptitle else "")
        english = i18n.Translator("en")(figure.title)
        assert any(title == english or title.startswith(english.split("{")[0]) for title in titles), figure.id
        plt.close(chart)
