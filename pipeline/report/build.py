"""The briefing pack, written all at once: `python -m pipeline.report` (see the package's docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import i18n, io, parallel, paths
from pipeline.errors import cli
from pipeline.report import bundles, inputs, metrics, render, spreadsheets, state
from pipeline.report.tables import show


def build(workers: int | None = None) -> list[Path]:
    """Build the whole pack inside one transaction; returns the paths written. The spreadsheets' folder is an
    output as a whole: a table or figure no longer published leaves no file behind.

    Each language's files are written in a pool of processes forked from this one once the tables are read (one per
    core this process may use, `workers`), each from the same inputs and to the bytes it gives alone: first each
    language's spreadsheets and figure bundle, which do not state the pipeline's state, while this process asks DVC
    for it; then each language's briefing pages, which do. Six pieces of work rather than three keep both cores busy
    to the end. The files go to this stage's staging folder (the children inherit it) and are published together once
    every language succeeded."""
    languages = i18n.languages()
    progress("reading the tables and the headline numbers")
    tables = inputs.read_tables() + [inputs.known_errors_table()]
    headline, source_list = metrics.headline_metrics(), inputs.sources()
    with io.transaction(replace=(paths.METRICS, paths.SPREADSHEETS)):  # a quantity or table no longer declared leaves no file behind
        with parallel.fork_pool(workers) as pool:
            workbooks = [pool.submit(_language_workbooks, language, tables) for language in languages]
            progress("the pipeline's state (dvc status)")
            inputs_read = Inputs(languages, tables, headline, state.pipeline_state(), source_list)
            written, pages = [], []
            for language, workbook in zip(languages, workbooks, strict=True):
                paths_written, shown = workbook.result()  # the tables as shown in the language, for its pages too
                written += paths_written
                pages.append(pool.submit(_language_pages, language, inputs_read, shown))
            written += [path for page in pages for path in page.result()]
        written.append(_write(paths.INDEX, render.render_index(languages, inputs_read.pipeline_state,
                                                                list(inputs_read.headline))))
        for quantity, values in inputs_read.headline.items():
            written.append(_write(paths.metrics_file(quantity), metrics.metric_file(values)))
    return written


@dataclass(frozen=True)
class Inputs:
    """What every language's pages are made from, read once before the pages are written."""
    languages: list[str]
    tables: list
    headline: dict
    pipeline_state: dict
    source_list: list


def _write(path: Path, data: bytes | str) -> Path:
    (io.write_text if isinstance(data, str) else io.write_bytes)(path, data)
    return path


def _language_workbooks(language: str, tables: list) -> tuple[list[Path], list]:
    """One language's spreadsheets (each table's, each figure's data) and figure bundle, written (into the staging
    folder); and the tables as shown in the language (tables.show), which its pages show too."""
    progress(f"{language}: spreadsheets and figure bundle")
    tr = i18n.Translator(language)
    figures = inputs.read_figures(language)
    shown = [show(table, tr) for table in tables]
    written = [_write(paths.spreadsheet(table.name, language), spreadsheets.table_workbook(table, tr, one))
               for table, one in zip(tables, shown, strict=True)]
    data_files = {figure.name: spreadsheets.figure_files(figure, tr) for figure in figures}
    for figure in figures:
        for suffix, data in data_files[figure.name].items():
            if suffix == "xlsx" or language != "en":  # the English data CSV is figures/<id>.csv itself
                written.append(_write(paths.spreadsheet(figure.name, language, f".{suffix}"), data))
    written.append(_write(paths.figure_bundle(language), bundles.figure_zip(figures, data_files)))
    return written, shown


def _language_pages(language: str, given: Inputs, shown: list) -> list[Path]:
    """One language's briefing pages, linked and standalone, written (into the staging folder)."""
    progress(f"{language}: briefing pages")
    figures = inputs.read_figures(language)
    written = []
    for standalone in (False, True):
        page = render.render_briefing(language, given.languages, figures, given.tables, given.headline,
                                      given.pipeline_state, given.source_list, standalone=standalone, shown=shown)
        written.append(_write(paths.briefing_standalone(language) if standalone else paths.briefing(language), page))
    return written


def progress(message: str) -> None:
    """A line on the terminal per phase, so a researcher sees which part of the stage is running."""
    print(f"report: {message}", flush=True)


@cli
def main() -> None:
    written = build()
    folders = sorted({paths.relative(p.parent) for p in written})
    print(f"briefing pack: {len(written)} files written ({', '.join(folders)})")
