"""The figures stage: every figure of a chapter, drawn once in each language of params.yaml `report.languages`.

    python -m pipeline.figures brazil        # the DVC stage brazil_figures

For each figure the registry declares (pipeline/registry.py) and each language, the chapter's chart function draws
it from the build's table (data/interim/<chapter>/); in a language other than English every text on it is
translated (data/translations.csv) and its numeric axes are formatted by locale; the source line is printed in the
language; SVG, PNG and PDF are rendered from that one drawing, the points drawn are checked against the rows of its
data CSV, and its caption text is written. English goes to figures/, the other languages to figures/<lang>/.

`draw(figure_id)` is the one drawing path: the notebooks show a figure by calling it too.
"""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axis import XAxis
from matplotlib.ticker import ScalarFormatter

from pipeline import dvc_yaml, export, figure_layout, i18n, io, parallel, params, paths, registry, style
from pipeline.chapters import interim
from pipeline.chapters.argentina import charts as argentina_charts
from pipeline.chapters.brazil import charts as brazil_charts
from pipeline.chapters.regional import charts as regional_charts
from pipeline.chapters.uruguay import charts as uruguay_charts
from pipeline.errors import PipelineError, cli
from pipeline.report import definitions
from pipeline.settings import Argentina, Brazil, Regional, Section, Uruguay

# Each chapter's chart functions, and the settings they draw with (its section of params.yaml).
CHARTS = {"regional": regional_charts, "argentina": argentina_charts, "brazil": brazil_charts,
          "uruguay": uruguay_charts}
SETTINGS: dict[str, type[Section]] = {"regional": Regional, "argentina": Argentina, "brazil": Brazil,
                                      "uruguay": Uruguay}


def data(figure: str | registry.Figure) -> pd.DataFrame:
    """The rows of the build's table the figure (an id or a registry entry) draws, and its columns: what its data
    CSV holds. A row without any y value is no point, and a series the figure does not draw stays out."""
    figure = registry.figure(figure) if isinstance(figure, str) else figure
    table = interim.read(figure.chapter, figure.table)
    if figure.drawn:
        table = table[table[figure.series].isin(figure.drawn)]
    table = table.dropna(subset=list(figure.y), how="all")
    return table[list(figure.columns or table.columns)].reset_index(drop=True)


def draw(figure_id: str | registry.Figure, language: str = "en", settings: Section | None = None,
         values: dict | None = None) -> plt.Figure:
    """One figure of the registry, drawn from its data in `language`, with its source line, laid out for its
    texts. The figure is let go by pyplot, so a notebook cell that ends with this call shows it once."""
    figure = registry.figure(figure_id) if isinstance(figure_id, str) else figure_id
    settings = settings if settings is not None else params.read(SETTINGS[figure.chapter])
    values = values if values is not None else interim.values(figure.chapter)
    tr = i18n.Translator(language)
    chart_function = getattr(CHARTS[figure.chapter], figure.chart)
    # A chart whose order follows the names as the language writes them (fig-01's panels) takes the translator.
    in_language = {"tr": tr} if "tr" in inspect.signature(chart_function).parameters else {}
    chart = chart_function(data(figure), settings, **in_language)
    plt.close(chart)
    translate(chart, tr, figure.id)
    style.add_source_line(chart, texts(figure, tr, values)["source"], tr(export.CAPTION_KEYS["source"]))
    figure_layout.arrange(chart)
    return chart


def texts(figure: registry.Figure, tr: i18n.Translator, values: dict) -> dict[str, str]:
    """Caption, source line and alt text in the translator's language."""
    return {name: tr.english(registry.english(getattr(figure, name), values), f"{figure.id} {label}")
            for name, label in (("caption", "caption"), ("source", "source"), ("alt", "alt text"))}


def save(figure: registry.Figure, chart: plt.Figure, language: str, values: dict,
         table: pd.DataFrame | None = None) -> list:
    """The figure's five files in its language's folder; its layout and the points drawn (against its data)
    checked first."""
    tr = i18n.Translator(language)
    check_layout(chart, figure.id, language)
    stated = registry.definitions(figure.definitions, values)
    return export.save_figure(
        chart, figure.id, data=data(figure) if table is None else table, **texts(figure, tr, values),
        definitions=stated and definitions.in_language(stated, tr, f"{figure.id} definitions"), language=language,
        labels={name: tr(key) for name, key in export.CAPTION_KEYS.items()}, x=figure.x, y=figure.y)


def check_layout(chart: plt.Figure, figure_id: str, language: str) -> None:
    """A figure whose texts leave the canvas or overlap, or whose legend covers a point, is not saved."""
    found = figure_layout.problems(chart)
    if found:
        raise PipelineError(f"figure {figure_id} ({language}): {len(found)} layout problem(s): {'; '.join(found[:3])}",
                            fix=f"shorten the text in {paths.relative(paths.TRANSLATIONS)} or change the chart's "
                                "layout (module pipeline.figure_layout); its test lists every problem")


# --------------------------------------------------------------------------- Translating a chart ---

def translate(chart: plt.Figure, translator: i18n.Translator, where: str) -> None:
    """Translate every text a chart function drew in English (titles, labels, legend, annotations; names of
    publishers stay as written), and format the numeric axes by locale (in English too: 14,000, not 14000). A text
    without a translation is an error naming it."""
    for axes in chart.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter):  # not categorical
                grouping = not isinstance(axis, XAxis)
                axis.set_major_formatter(style.LocaleFormatter(translator.language, grouping=grouping))
    if translator.language == "en":
        return
    for text in _texts(chart):
        content = text.get_text()
        if content.strip() and not i18n.IDENTIFIER.match(content) and not getattr(text, "is_name", False):
            text.set_text(translator.english(content, where))


def _texts(chart: plt.Figure) -> list:
    texts = list(chart.texts)
    if getattr(chart, "_suptitle", None) is not None:
        texts.append(chart._suptitle)
    for legend in chart.legends:
        texts += legend.get_texts()
    for axes in chart.axes:
        texts += [axes.title, axes._left_title, axes._right_title, axes.xaxis.label, axes.yaxis.label]
        texts += list(axes.texts)
        if axes.get_legend() is not None:
            texts += axes.get_legend().get_texts()
    return list({id(text): text for text in texts}.values())  # the suptitle is also among chart.texts


# ---------------------------------------------------------------------------------------- Stage ---

def build(chapter: str, workers: int | None = None) -> list:
    """Every figure of the chapter in every language, written together or not at all; returns the paths.

    Each (figure, language) is drawn and saved on its own, in a pool of processes forked from this one (one per
    core this process may use, `workers`), so the languages render side by side: every drawing starts from the
    same state and gives the bytes it gives alone. The files go to this stage's staging folder (the children
    inherit it), and are published together once every drawing succeeded."""
    if chapter not in CHARTS:
        raise PipelineError(f"unknown chapter '{chapter}'", fix=f"chapters with figures: {', '.join(CHARTS)}")
    languages = i18n.languages()
    check_declared(chapter, languages)
    settings, values = params.read(SETTINGS[chapter]), interim.values(chapter)
    jobs = [(figure, language, settings, values) for figure in registry.figures_of(chapter) for language in languages]
    with io.transaction():
        return [path for paths_written in parallel.fork_map(_draw_and_save, jobs, workers) for path in paths_written]


def _draw_and_save(job: tuple) -> list:
    """One figure in one language: drawn, checked against its data and saved (into the staging folder)."""
    figure, language, settings, values = job
    return save(figure, draw(figure, language, settings, values), language, values)


def check_declared(chapter: str, languages: list[str]) -> None:
    """Every file this stage is about to write is an output of it in dvc.yaml, which lists the figures of the
    languages of params.yaml as they were when it was generated: a language added since needs `make dvc-yaml`."""
    declared = {paths.relative(Path(next(iter(out)))) for out in dvc_yaml.stages()[f"{chapter}_figures"]["outs"]}
    for language in languages:
        missing = [figure.id for figure in registry.figures_of(chapter)
                   if paths.relative(paths.figure(figure.id, language, "svg")) not in declared]
        if missing:
            raise PipelineError(f"'report.languages' has '{language}', but dvc.yaml does not list the {chapter} "
                                f"figures in it ({missing[0]}, …)", file=paths.DVC_YAML,
                                fix="regenerate dvc.yaml (`make dvc-yaml`), then run `make repro`")


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", choices=sorted(CHARTS))
    chapter = parser.parse_args(argv).chapter
    written = build(chapter)
    print(f"{chapter}: {len(written)} figure files ({', '.join(i18n.languages())})")


if __name__ == "__main__":
    main()
