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

    Each language's files (spreadsheets, figure bundle, briefing pages) are written in a pool of processes forked
    from this one once the inputs are read (one per core this process may use, `workers`), so the languages render
    side by side, each from the same state and to the bytes it gives alone. The files go to this stage's staging
    folder (the children inherit it) and are published together once every language succeeded."""
    languages = i18n.languages()
    progress("reading the tables, the headline numbers and the pipeline's state (dvc status)")
    inputs_read = Inputs(languages, inputs.read_tables() + [inputs.known_errors_table()],
                         metrics.headline_metrics(), state.pipeline_state(), inputs.sources())
    with io.transaction(replace=(paths.METRICS, paths.SPREADSHEETS)):  # a quantity or table no longer declared leaves no file behind
        jobs = [(language, inputs_read) for language in languages]  # the workers start with the inputs read
        written = [path for paths_written in parallel.fork_map(_language_files, jobs, workers)
                   for path in paths_written]
        written.append(_write(paths.INDEX, render.render_index(languages, inputs_read.pipeline_state,
                                                                list(inputs_read.headline))))
        for quantity, values in inputs_read.headline.items():
            written.append(_write(paths.metrics_file(quantity), metrics.metric_file(values)))
    return written


@dataclass(frozen=True)
class Inputs:
    """What every language's files are made from, read once before the languages are written."""
    languages: list[str]
    tables: list
    headline: dict
    pipeline_state: dict
    source_list: list


def _write(path: Path, data: bytes | str) -> Path:
    (io.write_text if isinstance(data, str) else io.write_bytes)(path, data)
    return path


def _language_files(job: tuple[str, Inputs]) -> list[Path]:
    """One language's spreadsheets, figure bundle and briefing pages, written (into the staging folder)."""
    language, given = job
    progress(f"{language}: spreadsheets, figure bundle and briefing pages")
    tr = i18n.Translator(language)
    figures = inputs.read_figures(language)
    shown = [show(table, tr) for table in given.tables]  # once per language: the spreadsheets and both pages
    written = [_write(paths.spreadsheet(table.name, language), spreadsheets.table_workbook(table, tr, one))
               for table, one in zip(given.tables, shown, strict=True)]
    data_files = {figure.name: spreadsheets.figure_files(figure, tr) for figure in figures}
    for figure in figures:
        for suffix, data in data_files[figure.name].items():
            if suffix == "xlsx" or language != "en":  # the English data CSV is figures/<id>.csv itself
                written.append(_write(paths.spreadsheet(figure.name, language, f".{suffix}"), data))
    written.append(_write(paths.figure_bundle(language), bundles.figure_zip(figures, data_files)))
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
