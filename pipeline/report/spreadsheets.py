"""Every table of the briefing and every figure's data as a spreadsheet per language, for authors:
reports/spreadsheets/<lang>/<id>.xlsx, and in languages other than English the figure's data as a localised CSV too.

A workbook shows what the page shows (pipeline/report/tables.py): the same columns in the same order, headers and
words in the language, identifiers, names and quotations as written, true/false in words. Numbers are numbers,
rounded to the decimals the page shows, with a number format of that many decimals (grouped, except years and
ids): the spreadsheet program writes them with the reader's own marks (4.391,5 in a Spanish one). Its first
sheet is the data (named after the table or figure, in the language); the second holds the title, the source,
the definitions used and, for a figure, the file of its exact data.

The localised CSV of a figure's data is for programs set to Spanish or Portuguese: ';' between fields, a decimal
comma, no thousands separator, UTF-8 with a byte-order mark (so that a spreadsheet program reads the accents). The
English figures keep their exact data CSV (figures/<id>.csv): it is the check of the points drawn.

The bytes depend on the contents only: fixed document dates, fixed dates inside the zip that an .xlsx is.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from pipeline import i18n, paths
from pipeline.report.inputs import Figure, Table
from pipeline.report.tables import Cell, ShownTable, show
from pipeline.rounding import half_away

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: the same bytes on every run
DOCUMENT_DATE = datetime.datetime(2000, 1, 1)  # the workbook's created/modified properties: fixed, not today
MAX_COLUMN_WIDTH = 60  # characters; longer texts wrap
SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


# ------------------------------------------------------------------------------------------ Tables ---

def table_workbook(table: Table, tr: i18n.Translator, shown: ShownTable | None = None) -> bytes:
    """One table as an .xlsx in the language (`shown`: the table as `show` gives it in that language, when the
    caller has it already: the pages show the same)."""
    shown = shown or show(table, tr)
    notes = [(tr("page.title_label"), shown.title), (tr("page.source"), shown.source)]
    if shown.empty:
        notes.append((tr("page.note"), shown.empty))
    return workbook(shown, sheet_name(shown.name, tr), notes + _stated(shown), tr)


def figure_data(figure: Figure, tr: i18n.Translator) -> ShownTable:
    """A figure's data (the points drawn) as shown to authors: translated, rounded."""
    table = Table(figure.name, "", "", "", figure.data, stated=figure.stated)
    return show(table, tr, title=figure.caption, source=figure.source)


def figure_workbook(figure: Figure, tr: i18n.Translator, shown: ShownTable | None = None) -> bytes:
    """One figure's data as an .xlsx in the language, with where its exact data is."""
    shown = shown or figure_data(figure, tr)
    exact = paths.relative(paths.figure(figure.name, "en", "csv"))
    notes = [(tr("page.caption"), shown.title), (tr("page.source"), shown.source),
             (tr("page.exact_data"), exact)]
    return workbook(shown, sheet_name(figure.name, tr), notes + _stated(shown), tr)


def figure_csv(figure: Figure, tr: i18n.Translator, shown: ShownTable | None = None) -> bytes:
    """A figure's data as a CSV for spreadsheet programs in the language (see the module's docstring)."""
    shown = shown or figure_data(figure, tr)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in shown.columns])
    for row in shown.rows:
        writer.writerow([i18n.format_number(cell.value, tr.language, cell.decimals, grouping=False)
                         if cell.kind == "number" else cell.text for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def figure_files(figure: Figure, tr: i18n.Translator) -> dict[str, bytes]:
    """A figure's data files for authors in the language, by suffix: the .xlsx, and the CSV — in English the exact
    data CSV the figures stage wrote (the check of the points drawn), in the other languages the localised one."""
    shown = figure_data(figure, tr)
    return {"xlsx": figure_workbook(figure, tr, shown),
            "csv": figure.files["csv"] if tr.language == "en" else figure_csv(figure, tr, shown)}


def _stated(shown: ShownTable) -> list[tuple[str, str]]:
    return [(label, text) for label, text, _, _ in shown.stated]


# ---------------------------------------------------------------------------------------- Workbook ---

def sheet_name(name: str, tr: i18n.Translator) -> str:
    """The data sheet's name in the language: 'Tabla 22', 'Figura 1', or the claims check's own."""
    found = re.match(r"^(fig|tab)-(\d+)", name)
    if found:
        text = tr("page.figure_label" if found.group(1) == "fig" else "page.table_label",
                  number=str(int(found.group(2))))
    else:
        text = tr(f"page.sheet.{name}")
    return _NOT_IN_SHEET_NAMES.sub(" ", text)[:SHEET_NAME_MAX]


def workbook(shown: ShownTable, name: str, notes: list[tuple[str, str]], tr: i18n.Translator) -> bytes:
    """The data sheet (headers, cells, number formats, widths, frozen header, filter) and the notes sheet."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = name
    data.append([column.header for column in shown.columns])
    for row in shown.rows:
        data.append([_value(cell) for cell in row])
    bold = Font(bold=True)
    for position, column in enumerate(shown.columns, start=1):
        header = data.cell(row=1, column=position)
        header.font, header.alignment = bold, Alignment(wrap_text=True, vertical="top")
        cells = [row[position - 1] for row in shown.rows]
        width = min(MAX_COLUMN_WIDTH, max([len(column.header)] + [len(c.text) for c in cells]) + 2)
        data.column_dimensions[get_column_letter(position)].width = max(width, 8)
        for row_number, cell in enumerate(cells, start=2):
            target = data.cell(row=row_number, column=position)
            if cell.kind == "number":
                target.number_format = number_format(cell)
            elif len(cell.text) > MAX_COLUMN_WIDTH:
                target.alignment = Alignment(wrap_text=True, vertical="top")
    data.freeze_panes = "A2"
    if shown.rows:
        data.auto_filter.ref = f"A1:{get_column_letter(len(shown.columns))}{len(shown.rows) + 1}"
    about = book.create_sheet(_NOT_IN_SHEET_NAMES.sub(" ", tr("page.sheet.notes"))[:SHEET_NAME_MAX])
    for label, text in notes:
        about.append([label, text])
        about.cell(row=about.max_row, column=1).font = bold
        about.cell(row=about.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 28, 100
    book.properties.creator = book.properties.lastModifiedBy = "briefing pipeline (python -m pipeline.report)"
    book.properties.title, book.properties.language = shown.title[:250], tr.language
    book.properties.created = book.properties.modified = DOCUMENT_DATE
    return stable_zip(_save(book))


def number_format(cell: Cell) -> str:
    """The cell's decimals, grouped unless it is a year, period or id: '#,##0.0', '0'."""
    whole = "#,##0" if cell.grouping else "0"
    return whole + ("." + "0" * cell.decimals if cell.decimals else "")


def _value(cell: Cell):
    if cell.kind == "number":
        rounded = half_away(cell.value, cell.decimals)
        return int(rounded) if cell.decimals == 0 else float(rounded)
    return cell.text


def _save(book: openpyxl.Workbook) -> bytes:
    """The workbook's bytes, without openpyxl's save_workbook (which stamps the modification date with now)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return buffer.getvalue()


def stable_zip(data: bytes) -> bytes:
    """The same zip with every member dated ZIP_DATE (zipfile dates members with the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, source.read(member.filename), compresslevel=9)
    return buffer.getvalue()
