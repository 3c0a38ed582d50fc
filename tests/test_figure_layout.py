"""Figures that fit in every language (pipeline/figure_layout.py): every figure of the registry, drawn in every
language of `report.languages`, has no text off the canvas or over another, no rotated tick label, no axis label
longer than its axis, no legend over a drawn point or line, no marker cut at a panel's edge and no point label over
another point; each rule fires on a small figure made to break it and stays silent on a clean one; and the layout
rules (wrapping, fewer tick labels, room for markers, legend below, labels beside their points) hold."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pipeline import export, figure_layout, figures, i18n, registry, style

LANGUAGES = i18n.languages()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("figure", registry.FIGURES, ids=lambda figure: figure.id)
def test_every_figure_fits_its_canvas_in_every_language(figure, language, drawn):
    chart = drawn(figure, language)
    found = figure_layout.problems(chart)
    assert not found, f"{figure.id} ({language}): " + "; ".join(found)
    assert chart.get_figwidth() == style.FIGURE_WIDTH_IN


# ---------------------------------------------------------------- Each rule fires, and only then ---

def _frame(**kwargs):
    """A small figure made the house way (title, unit, legend, source line), laid out."""
    fig, axes = style.figure(**kwargs)
    axes.plot([2015, 2018, 2022], [2996.0, 4380.0, 4391.0], **style.source_style("unodc_prisons"), label="UNODC CTS")
    style.set_title(fig, "Women held in Argentina's prisons, 2015–2022", "persons")
    style.add_legend(fig)
    style.add_source_line(fig, "UNODC, UN-CTS prisons and prisoners")
    return fig, axes


def test_a_clean_figure_has_no_problem():
    fig, _ = _frame()
    figure_layout.arrange(fig)
    assert figure_layout.problems(fig) == []


def test_a_text_off_the_canvas_is_named_with_how_far():
    fig, _ = _frame()
    figure_layout.arrange(fig)
    fig.text(0.9, 0.5, "Mujeres privadas de libertad en las cárceles")
    assert [p for p in figure_layout.problems(fig) if "leaves the canvas" in p] == [
        "figure text 'Mujeres privadas de libertad en las cárceles' leaves the canvas (right by 186 px)"]


def test_two_overlapping_texts_are_named():
    fig, _ = _frame()
    figure_layout.arrange(fig)
    fig.text(0.3, 0.5, "trafficking")
    fig.text(0.31, 0.5, "all types reported")
    assert figure_layout.problems(fig) == ["figure text 'trafficking' overlaps figure text 'all types reported'"]


def test_a_panel_title_over_top_tick_labels_or_an_offset_text_is_named():
    """The house style puts a panel's title on the top of its axes without measuring what is drawn there (matplotlib's
    search costs a fifth of a figure stage); what could be there is checked instead."""
    fig, axes = style.figure()
    axes.plot([2015, 2022], [2996.0, 4391.0])
    axes.set_xticks([2015, 2022])
    axes.set_title("Women held")
    assert [p for p in figure_layout.problems(fig) if "panel title" in p] == []
    axes.tick_params(axis="x", labeltop=True)
    assert [p for p in figure_layout.problems(fig) if "panel title" in p] == [
        "panel title 'Women held' overlaps x tick '2015'"]
    axes.tick_params(axis="x", labeltop=False)
    axes.plot([2015, 2022], [2.996e9, 4.391e9])  # a y axis in units of 1e9: matplotlib writes its offset text on top
    assert [p for p in figure_layout.problems(fig) if "offset" in p] == [
        "panel title 'Women held' overlaps offset text '1e9'"]


def test_rotated_tick_labels_are_named():
    fig, axes = plt.subplots(figsize=(6.5, 3.0))
    axes.plot([2015, 2022], [2996.0, 4391.0])
    axes.set_xticks([2015, 2022])
    assert figure_layout.problems(fig) == []
    axes.tick_params(axis="x", rotation=90)
    assert [p for p in figure_layout.problems(fig) if "rotated" in p] == ["x tick '2015' is rotated (90°)",
                                                                         "x tick '2022' is rotated (90°)"]


def test_an_axis_label_longer_than_its_axis_is_named():
    fig, axes = plt.subplots(figsize=(6.5, 4.0))
    axes.set_ylabel("Mujeres, % de todas las personas privadas de libertad", fontsize=10)
    assert figure_layout.problems(fig) == [
        "y label 'Mujeres, % de todas las personas privadas de libertad' runs past its axis"]


def test_a_legend_over_a_point_or_a_line_is_named():
    fig, axes = plt.subplots(figsize=(6.5, 3.0))
    axes.plot([0, 1, 2], [0.0, 10.0, 0.0], marker="o", label="women held")
    axes.legend(loc="upper center")
    assert set(figure_layout.problems(fig)) == {"the legend covers the point (1, 10)",
                                                "the legend covers a line through (0, 0)"}
    axes.set_xlim(-0.5, 2.5)
    axes.set_ylim(-1, 20)  # the point and the line now run below the legend
    assert figure_layout.problems(fig) == []


def test_a_marker_cut_at_the_edge_of_its_panel_is_named_and_the_layout_makes_room():
    fig, axes = _frame()
    axes.set_ylim(0, 4391.0)  # the highest point on the top edge: half its marker cut
    assert "the marker at (2022, 4391) is cut at the edge of its panel" in figure_layout.problems(fig)
    figure_layout.arrange(fig)
    assert figure_layout.problems(fig) == []
    assert axes.get_ylim()[1] > 4391.0


def test_a_label_over_another_point_is_named():
    fig, axes = plt.subplots(figsize=(6.5, 3.0))
    axes.plot([2020.0, 2020.3], [635.0, 620.0], linestyle="none", marker="v")
    axes.set_xlim(2015, 2025)
    axes.set_ylim(0, 1000)
    label = style.label_point(axes, "M24", (2020.0, 635.0), name=True)
    label.xyann = (-4, -3)  # over the point beside it
    label.set_horizontalalignment("left")
    assert figure_layout.problems(fig) == ["label 'M24' covers the point (2020.3, 620)"]
    label.xyann = (4, 0)  # beside its own point, away from the other
    label.set_horizontalalignment("right")
    label.xyann = (-4, 0)
    assert figure_layout.problems(fig) == []


# --------------------------------------------------------------------------------- Layout rules ---

def test_titles_and_source_lines_wrap_to_the_width_and_the_panel_keeps_its_height():
    heights = {}
    for title in ("Women held", "Mujeres como proporción de todas las personas privadas de libertad en las cárceles "
                                "de América Latina y el Caribe, por país y año, 2005–2021"):
        fig, axes = _frame()
        fig.briefing["title"].set_text(title)
        figure_layout.arrange(fig)
        assert figure_layout.problems(fig) == []
        assert fig.get_figwidth() == style.FIGURE_WIDTH_IN
        assert axes.bbox.height / fig.dpi == pytest.approx(style.PANEL_HEIGHT_IN)
        heights[title.count(" ") > 3] = (fig.get_figheight(), fig.briefing["title"].get_text().count("\n"))
    (short_height, short_breaks), (long_height, long_breaks) = heights[False], heights[True]
    assert (short_breaks, long_breaks) == (0, 1)
    assert long_height > short_height  # the figure grows by the title's second line, the panel does not shrink


def test_a_figure_keeps_its_panel_height_in_every_language():
    figure = registry.figure("fig-11-argentina-women-share")
    panels = {language: figures.draw(figure, language).axes[0].bbox.height / 100 for language in LANGUAGES}
    assert all(height == pytest.approx(style.PANEL_HEIGHT_IN) for height in panels.values()), panels


def test_period_labels_are_horizontal_and_thinned_from_the_last_until_a_character_apart():
    chart = figures.draw("fig-20-brazil-women-men-prison", "es")
    labels = [label.get_text() for label in figure_layout._tick_labels(chart.axes[0].xaxis)]
    # Every December's label left a space narrower than a character between them (the figures' reviewer read
    # fig-21's as one string): every second December now, the last one kept.
    assert labels == ["2017-12", "2019-12", "2021-12"]
    assert all(label.get_rotation() == 0 for label in figure_layout._tick_labels(chart.axes[0].xaxis))
    assert not figure_layout._ticks_touch(chart.axes[0].xaxis, chart._get_renderer())
    one_panel = figures.draw("fig-22-brazil-drug-share-women-men", "es")
    assert len(figure_layout._tick_labels(one_panel.axes[0].xaxis)) == 11  # every semester where they fit


def test_a_point_label_stays_on_its_points_side_of_a_date_line():
    """fig-30: the press counts of January and March 2020 are before the LUC's line (July 2020); their labels were
    placed after it, where they read as counts under the law."""
    chart = figures.draw("fig-30-uruguay-prison-by-sex", "en")
    women, renderer = chart.axes[0], chart._get_renderer()
    line = next(line for line in women.lines if line.get_transform() is not women.transData
                or not len(line.get_xdata()))
    line_x = line.get_transform().transform(line.get_xydata())[0][0]
    labels = [text for text in women.texts if isinstance(text, style.PointLabel)]
    before = [text for text in labels if women.transData.transform(text.xy)[0] < line_x]
    assert sorted(text.get_text() for text in before) == ["M24", "la diaria"]
    assert all(text.get_window_extent(renderer).x1 < line_x for text in before)
    after = [text for text in labels if text not in before]
    assert len(after) == 6 and all(text.get_window_extent(renderer).x0 > line_x for text in after)


def test_the_legend_sits_below_every_panel_in_as_many_columns_as_fit():
    chart = figures.draw("fig-10-argentina-women-held", "pt")
    legend = chart.briefing["legend"]
    renderer = chart._get_renderer()
    lowest = min(axes.get_tightbbox(renderer).y0 for axes in chart.axes)
    assert legend.get_window_extent(renderer).y1 < lowest
    assert legend._ncols == 2
    chart = figures.draw("fig-30-uruguay-prison-by-sex", "es")  # four long entries: one column
    assert chart.briefing["legend"]._ncols == 1
    assert chart.briefing["legend"].get_window_extent(renderer).width < chart.bbox.width
    stages = figures.draw("fig-31-uruguay-women-share-by-stage", "en")  # the data first, the LUC's date last
    assert [text.get_text()[:12] for text in stages.briefing["legend"].get_texts()] == [
        "UNODC World ", "Uruguayan Dr", "Figure publi", "LUC: Law of "]


def test_point_labels_sit_beside_their_points_inside_the_panel_and_clear_of_each_other():
    fig, axes = style.figure()
    points = pd.DataFrame({"x": [2020.04, 2020.21, 2022.54, 2022.79, 2024.5, 2024.96, 2025.46, 2025.62],
                           "y": [635.0, 620.0, 1033.0, 1026.0, 1100.0, 1375.0, 1426.0, 1422.0]})
    axes.plot(points["x"], points["y"], **style.source_style("published"))
    names = ["M24", "la diaria", "970 Universal", "la diaria", "Diario Cambio", "La Mañana", "El País Uruguay", "M24"]
    for name, row in zip(names, points.itertuples()):
        style.label_point(axes, name, (row.x, row.y), name=True)
    axes.set_xlim(2019, 2027)
    axes.set_ylim(0, 1650)
    style.set_title(fig, "Women held in prison, Uruguay")
    figure_layout.arrange(fig)
    assert figure_layout.problems(fig) == []
    renderer = fig._get_renderer()
    for label in axes.texts:
        box = figure_layout._text_box(label, renderer)
        point = figure_layout._display(axes, label.xy)
        near = np.hypot(max(box.x0 - point[0], 0, point[0] - box.x1), max(box.y0 - point[1], 0, point[1] - box.y1))
        assert near < 40 / 72 * fig.dpi, label.get_text()  # within the farthest place a label may take
        assert label.arrow_patch.get_visible() == (np.hypot(*label.xyann) > figure_layout.LABEL_DISTANCES[0] + 0.1)


def test_a_labels_box_at_each_place_is_the_box_measured_there():
    """The layout measures a label once per alignment and moves that box to the other distances: at each of the 40
    places (5 distances, 8 directions) it is the box matplotlib measures with the label moved there."""
    fig, axes = style.figure()
    axes.plot([2019, 2021, 2023], [410.0, 1033.0, 1375.0], **style.source_style("published"))
    labels = [style.label_point(axes, text, xy, name=True)
              for text, xy in (("El País Uruguay", (2021, 1033.0)), ("M24", (2023, 1375.0)))]
    figure_layout.arrange(fig)
    renderer, boxes = fig._get_renderer(), {}
    places = [(distance, *direction) for distance in figure_layout.LABEL_DISTANCES
              for direction in figure_layout._DIRECTIONS]
    for label in labels:
        moved = [figure_layout._box_at(label, place, renderer, boxes) for place in places]
        for place, box in zip(places, moved):
            figure_layout._move(label, *place)
            measured = figure_layout._text_box(label, renderer)
            assert np.allclose(box.extents, measured.extents, rtol=0, atol=1e-6), (label.get_text(), place)
    assert len(boxes) == 2 * len(places) + 2 * len(figure_layout._DIRECTIONS)  # one measurement per alignment


def test_unlabelled_shared_axes_are_laid_out_and_drawn_as_before(monkeypatch):
    """The layout leaves an axis without a label where it is (it would otherwise place its empty label past every
    sibling panel's tick labels, at each measurement): panels sharing their axes, one of them labelled, get the same
    places and the same SVG bytes as when matplotlib places every label, and the labelled axis still has its label
    placed beside its own tick labels."""
    def small_multiples():
        fig, panels = style.figure(2, 3, 1.1, sharex=True, sharey=True, squeeze=False)
        for index, panel in enumerate(panels.flat):
            panel.plot([2016, 2019, 2022], [3.0 + index, 7.5, 12.0 - index], **style.source_style("unodc_prisons"))
        panels[1, 0].set_ylabel("% mujeres")
        style.set_title(fig, "Proporción de mujeres entre las personas privadas de libertad")
        style.add_source_line(fig, "UNODC CTS")
        figure_layout.arrange(fig)
        return fig

    def laid_out(fig):
        return [axes.get_position().bounds for axes in fig.axes], export.figure_files(fig)["svg"]

    kept = laid_out(small_multiples())
    labelled = small_multiples().axes[3]
    renderer = labelled.figure._get_renderer()
    assert figure_layout._text_box(labelled.yaxis.label, renderer).x1 < min(
        figure_layout._text_box(label, renderer).x0 for label in figure_layout._tick_labels(labelled.yaxis))
    monkeypatch.setattr(figure_layout, "_unlabelled_axes_stay_put", lambda fig: None)
    assert laid_out(small_multiples()) == kept


def test_tick_labels_group_thousands_in_every_language_but_years_never():
    expected = {"en": "14,000", "es": "14.000", "pt": "14.000"}
    for language in LANGUAGES:
        chart = figures.draw("fig-30-uruguay-prison-by-sex", language)
        men, women = chart.axes[1], chart.axes[0]
        assert expected[language] in [label.get_text() for label in figure_layout._tick_labels(men.yaxis)]
        women_ticks = [label.get_text() for label in figure_layout._tick_labels(women.yaxis)]
        assert ("1,000" if language == "en" else "1.000") in women_ticks
        assert [label.get_text() for label in figure_layout._tick_labels(men.xaxis)][:2] == ["2005", "2010"]


# ----------------------------------------------------------------------------- SVG for authors ---

def test_svg_text_is_text_with_its_font_named_and_byte_stable():
    figure = registry.figure("fig-31-uruguay-women-share-by-stage")
    first, second = (export.figure_files(figures.draw(figure, "es"))["svg"] for _ in range(2))
    assert first == second
    svg = first.decode("utf-8")
    assert "Proporción de mujeres en los casos por delitos de drogas, por etapa," in svg
    assert "font-family: 'DejaVu Sans', 'Verdana', 'Arial', 'Helvetica', sans-serif" in svg
    assert 'id="DejaVuSans-' not in svg  # no glyphs drawn as paths
    assert svg.count("<text ") > 40


def test_the_figures_stage_refuses_to_save_a_figure_with_a_layout_problem(monkeypatch):
    figure = registry.figure("fig-10-argentina-women-held")
    chart = figures.draw(figure, "es")
    written = []
    monkeypatch.setattr(export, "save_figure", lambda *args, **kwargs: written.append(args) or [])
    chart.text(0.9, 0.5, "Mujeres privadas de libertad en las cárceles")  # runs off the right edge
    with pytest.raises(figures.PipelineError, match=r"figure fig-10-argentina-women-held \(es\): 1 layout problem\(s\): "
                                                    r"figure text 'Mujeres privadas de libertad en las cárceles' "
                                                    r"leaves the canvas \(right by \d+ px\)"):
        figures.save(figure, chart, "es", {})
    assert written == []  # nothing saved
