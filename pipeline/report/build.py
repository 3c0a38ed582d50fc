"""The briefing pack, written all at once: `python -m pipeline.report` (see the package's docstring)."""

from __future__ import annotations

from pathlib import Path

from pipeline import i18n, io, paths
from pipeline.errors import cli
from pipeline.report import bundles, inputs, metrics, render, spreadsheets, state
from pipeline.report.tables import show


def build() -> list[Path]:
    """Build the whole pack inside one transaction; returns the paths written. The spreadsheets' folder is an
    output as a whole: a table or figure no longer published leaves no file behind."""
    languages = i18n.languages()
    progress("reading the tables, the headline numbers and the pipeline's state (dvc status)")
    tables = inputs.read_tables() + [inputs.known_errors_table()]
    headline = metrics.headline_metrics()
    pipeline_state = state.pipeline_state()
    source_list = inputs.sources()
    written = []

    def write(path: Path, data: bytes | str) -> None:
        (io.write_text if isinstance(data, str) else io.write_bytes)(path, data)
        written.append(path)

    with io.transaction(replace=(paths.METRICS, paths.SPREADSHEETS)):  # a quantity or table no longer declared leaves no file behind
        for language in languages:
            progress(f"{language}: spreadsheets, figure bundle and briefing pages")
            tr = i18n.Translator(language)
            figures = inputs.read_figures(language)
            shown = [show(table, tr) for table in tables]  # once per language: the spreadsheets and both pages
            for table, one in zip(tables, shown, strict=True):
                write(paths.spreadsheet(table.name, language), spreadsheets.table_workbook(table, tr, one))
            data_files = {figure.name: spreadsheets.figure_files(figure, tr) for figure in figures}
            for figure in figures:
                for suffix, data in data_files[figure.name].items():
                    if suffix == "xlsx" or language != "en":  # the English data CSV is figures/<id>.csv itself
                        write(paths.spreadsheet(figure.name, language, f".{suffix}"), data)
            write(paths.figure_bundle(language), bundles.figure_zip(figures, data_files))
            for standalone in (False, True):
                page = render.render_briefing(language, languages, figures, tables, headline, pipeline_state,
                                              source_list, standalone=standalone, shown=shown)
                write(paths.briefing_standalone(language) if standalone else paths.briefing(language), page)
        write(paths.INDEX, render.render_index(languages, pipeline_state, list(headline)))
        for quantity, values in headline.items():
            write(paths.metrics_file(quantity), metrics.metric_file(values))
    return written


def progress(message: str) -> None:
    """A line on the terminal per phase, so a researcher sees which part of the stage is running."""
    print(f"report: {message}", flush=True)


@cli
def main() -> None:
    written = build()
    folders = sorted({paths.relative(p.parent) for p in written})
    print(f"briefing pack: {len(written)} files written ({', '.join(folders)})")
