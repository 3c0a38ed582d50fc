"""The spreadsheets for authors (pipeline/report/spreadsheets.py): each table and each figure's data per language,
headers and words in the language, numbers as numbers with the page's decimals, byte-stable; the localised CSV of
a figure's data."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline import i18n, paths, registry
from pipeline.report import inputs, spreadsheets

ES = i18n.Translator("es")


def small_table() -> inputs.Table:
    data = pd.DataFrame({"year": [2015, 2016], "sex": ["female", "male"], "persons": [2996.0, 4391.5],
                         "flags": [True, False]})
    return inputs.Table("tab-22-small", "women held", "", "", data)


def test_a_table_as_a_spanish_workbook():
    data = spreadsheets.table_workbook(small_table(), ES)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [ES("page.table_label", number="22"), ES("page.sheet.notes")]
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [["año", "sexo", "personas", "advertencias"], [2015, "mujeres", 2996.0, "sí"],
                    [2016, "hombres", 4391.5, "no"]]
    assert [sheet.cell(row=2, column=c).number_format for c in (1, 3)] == ["0", "#,##0.0"]  # no grouped year
    assert book.properties.language == "es" and book.properties.created.year == 2000


def test_workbooks_are_byte_stable():
    first = spreadsheets.table_workbook(small_table(), ES)
    assert first == spreadsheets.table_workbook(small_table(), ES)
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {spreadsheets.ZIP_DATE}


@pytest.mark.parametrize("language", i18n.languages())
def test_committed_spreadsheets_match_a_fresh_build(language):
    tr = i18n.Translator(language)
    table_list = inputs.read_tables() + [inputs.known_errors_table()]
    figures = inputs.read_figures(language)
    expected = {paths.spreadsheet(t.name, language): spreadsheets.table_workbook(t, tr) for t in table_list}
    for figure in figures:
        for suffix, data in spreadsheets.figure_files(figure, tr).items():
            if suffix == "xlsx" or language != "en":
                expected[paths.spreadsheet(figure.name, language, f".{suffix}")] = data
    assert sorted(paths.spreadsheet("x", language).parent.iterdir()) == sorted(expected)
    assert [path.name for path, data in expected.items() if path.read_bytes() != data] == []
    assert len(figures) == len(registry.FIGURES)


def test_a_figures_localised_csv_is_rounded_with_a_decimal_comma():
    figure = inputs.read_figures("es")[0]
    text = spreadsheets.figure_csv(figure, ES).decode("utf-8-sig").splitlines()
    exact = paths.figure(figure.name, "en", "csv").read_text(encoding="utf-8").splitlines()
    assert len(text) == len(exact)
    assert text[0].split(";")[:3] == ["país", "nombre del país", "año"]
    assert text[1] == "ARG;Argentina;2007;2804;48176;52457;total;5,35"  # exact: 2804,...,5.34533
    assert exact[1] == "ARG,Argentina,2007,2804,48176,52457,total,5.34533"


@pytest.mark.parametrize("language", i18n.languages())
def test_every_committed_workbook_names_its_source(language):
    """The second sheet of every workbook gives its title and its source, in the language: an author's review found
    the claims check's two workbooks without a source."""
    workbooks = sorted(paths.spreadsheet("", language).parent.glob("*.xlsx"))
    assert len(workbooks) >= 40
    for path in workbooks:
        notes = openpyxl.load_workbook(path, read_only=True).worksheets[1]
        rows = {row[0]: row[1] for row in notes.iter_rows(min_row=1, max_row=3, values_only=True)}
        assert rows.get(i18n.Translator(language)("page.source")), f"{path.name}: no source"
