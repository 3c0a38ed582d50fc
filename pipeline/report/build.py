"""The briefing pack, written all at once: `python -m pipeline.report` (see the package's docstring)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import i18n, io, paths
from pipeline.errors import cli
from pipeline.report import bundles, inputs, metrics, render, spreadsheets, state


def build() -> list[Path]:
    """Build the whole pack inside one transaction; returns the paths written. The spreadsheets' folder is an
    output as a whole: a table or figure no longer published leaves no file behind."""
    languages = i18n.languages()
    tables = inputs.read_tables() + [inputs.known_errors_table()]
    headline = metrics.headline_metrics()
    pipeline_state = state.pipeline_state()
    source_list = inputs.sources()
    written = []

    def write(path: Path, data: bytes | str) -> None:
        (io.write_text if isinstance(data, str) else io.write_bytes)(path, data)
        written.append(path)

    with io.transaction(replace=(paths.SPREADSHEETS,)):
        for language in languages:
            tr = i18n.Translator(language)
            figures = inputs.read_figures(language)
            for table in tables:
                write(paths.spreadsheet(table.name, language), spreadsheets.table_workbook(table, tr))
            data_files = {figure.name: spreadsheets.figure_files(figure, tr) for figure in figures}
            for figure in figures:
                for suffix, data in data_files[figure.name].items():
                    if suffix == "xlsx" or language != "en":  # the English data CSV is figures/<id>.csv itself
                        write(paths.spreadsheet(figure.name, language, f".{suffix}"), data)
            write(paths.figure_bundle(language), bundles.figure_zip(figures, data_files))
            for standalone in (False, True):
                page = render.render_briefing(language, languages, figures, tables, headline, pipeline_state,
                                              source_list, standalone=standalone)
                write(paths.briefing_standalone(language) if standalone else paths.briefing(language), page)
        write(paths.INDEX, render.render_index(languages, pipeline_state))
        write(paths.METRICS, json.dumps(headline, indent=2, sort_keys=True) + "\n")
        write(paths.WOMEN_HELD_PLOT, metrics.plot_csv(metrics.women_held_series()))
    return written


@cli
def main() -> None:
    written = build()
    folders = sorted({paths.relative(p.parent) for p in written})
    print(f"briefing pack: {len(written)} files written ({', '.join(folders)})")
