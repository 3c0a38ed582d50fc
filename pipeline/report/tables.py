"""A table as a reader sees it, in one language: the briefing page (render.py) and the spreadsheets
(spreadsheets.py) show the same columns, in the same order, with the same words and number formats.

Columns: the ones a reader needs first lead (LEAD_COLUMNS), then the table's own order; long explanations
(EXPLANATION_COLUMNS whose longest text has more than EXPLANATION_MIN_CHARS characters) go last, and on the page into
each row's expandable details. Each header is the row `col.<name>` of the translation table.

Cells, by kind:

- `number`: one format per column, or per group of rows where the table says what each row measures (its `unit`,
  `measure` or `rule` column: a count beside a percentage is not forced to its decimals). Whole numbers when every
  value of the column (or group) is whole; otherwise as many decimals as its most precise value needs, up to the
  digits the registry declares for the table (2 for the claims check's tables). Years, periods, positions and ids
  are never grouped (2015, not 2,015);
- `flag`: true and false in words (page.yes, page.no);
- `phrase`: cells the stage wrote as phrases (pipeline.i18n), with their own numbers, rendered in the language;
- `quote`: the English manuscript as printed (QUOTED_COLUMNS), never re-formatted, marked as English;
- `identifier`: ids and codes kept as written: every value of IDENTIFIER_COLUMNS, and any code (snake_case keys,
  registry ids, paths) the translation table has no row for;
- `name`: names of places and prison units, in their own language (NAME_COLUMNS);
- `text`: words, translated through the translation table. A text without a row stops the build with one message
  naming the table, the column, the value and the language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from pipeline import i18n, paths
from pipeline.report import definitions
from pipeline.report.inputs import Table, table_section

# The columns a reader needs first, by table (the others follow in the table's order).
LEAD_COLUMNS = {
    "claims": ("claim_id", "description", "stated", "computed", "status", "caveat"),
    "tab-22-brazil-data-quality": ("state", "period", "sex", "rule", "measure", "value", "treatment"),
}
# Columns that explain a row rather than identify or measure it: last, and on the page in the row's details when
# their longest text is long.
EXPLANATION_COLUMNS = ("reason", "evidence", "explanation", "definition", "note", "count_note", "growth_note",
                       "context", "check", "detail", "effect", "tolerance_or_interval", "source", "other_source",
                       "published_source", "unodc_basis")
EXPLANATION_MIN_CHARS = 60
# Columns of ids and codes, in every table: ISO and state codes (one, or a list), registry, claim and correction ids,
# file names.
IDENTIFIER_COLUMNS = {"claim_id", "figure_id", "other_id", "published_figure_id", "correction_id", "covered_by",
                      "reference", "iso3", "country", "state", "states_with_monitoring", "states_without_monitoring",
                      "file"}
# ... and in one table: the claims' checks (long-table keys) and source ids; Brazil's plausibility rules by name.
TABLE_IDENTIFIER_COLUMNS = {"claims": {"check", "source"}, "tab-22-brazil-data-quality": {"rule"}}
# Names of places and prison units, written in their own language on every page.
NAME_COLUMNS = {"unit_name", "province", "municipality", "unit_name_before", "municipality_before", "words_left_out",
                "words_added"}
# Columns that quote the English manuscript as printed: never re-formatted, marked as English on other pages.
QUOTED_COLUMNS = {"printed", "section"}
DEFAULT_DIGITS = 2  # the most decimals shown in a table the registry does not declare (the claims check's own)


@dataclass(frozen=True)
class Cell:
    text: str  # as shown, in the language
    kind: str  # number | flag | phrase | quote | identifier | name | text | empty
    value: float | None = None  # a number's value (for the spreadsheets)
    decimals: int = 0
    grouping: bool = True


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    numeric: bool
    explanation: bool  # long explanations: in each row's details on the page


@dataclass
class ShownTable:
    name: str
    title: str
    source: str
    stated: list  # definitions.stated(): (label, text, label is a code, text is a code)
    columns: list[Column]
    rows: list[list[Cell]]  # cells in the order of `columns`
    section: str  # tables | claims | quality
    empty: str = ""  # why the table has no rows ('' when it has)
    csv: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def main(self) -> list[int]:
        return [i for i, column in enumerate(self.columns) if not column.explanation]

    @property
    def details(self) -> list[int]:
        return [i for i, column in enumerate(self.columns) if column.explanation]


def show(table: Table, tr: i18n.Translator, title: str | None = None, source: str | None = None) -> ShownTable:
    """`table` as shown in `tr`'s language (see the module's docstring). A `title` and `source` given are already
    in the language (a figure's caption and source line); otherwise the table's English ones are translated."""
    data = table.data
    order = column_order(table.name, list(data.columns), data)
    phrased = table.phrases.get("cells", {})
    keys = data[table.phrases["key"]].astype(str).tolist() if phrased else [None] * len(data)
    digits = DEFAULT_DIGITS if table.float_digits is None else table.float_digits
    decimals = {column: i18n.row_decimals(data, column, digits) for column in order if is_numeric(data[column])}
    values = {column: data[column].tolist() for column in order}  # one list per column: not a lookup per cell
    rows = []
    for position, key in enumerate(keys):
        cells = phrased.get(key, {})
        rows.append([cell(table.name, column, values[column][position], tr, cells.get(column),
                          decimals[column][position] if column in decimals else None) for column in order])
    columns = [Column(name, tr.column(name), name in decimals, explains(name, data)) for name in order]
    if title is None:
        title = tr.english(table.title, f"{table.name} title") if table.title else tr(f"page.title.{table.name}")
    if source is None:
        source = tr.english(table.source, f"{table.name} source") if table.source else ""
    return ShownTable(table.name, title, source,
                      definitions.stated(table.stated, tr, f"{table.name} definitions"), columns, rows,
                      table_section(table.name), empty_reason(table, tr) if data.empty else "",
                      paths.table(table.name, ".csv").is_file())


def column_order(name: str, columns: list[str], data: pd.DataFrame) -> list[str]:
    """The columns a reader needs first, then the table's order; long explanations last."""
    lead = [column for column in LEAD_COLUMNS.get(name, ()) if column in columns]
    rest = [column for column in columns if column not in lead]
    return lead + [c for c in rest if not explains(c, data)] + [c for c in rest if explains(c, data)]


def explains(column: str, data: pd.DataFrame) -> bool:
    """Whether a column is a long explanation (details on the page)."""
    if column not in EXPLANATION_COLUMNS or data.empty:
        return False
    return int(data[column].astype(str).str.len().max()) > EXPLANATION_MIN_CHARS


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def cell(table: str, column: str, value, tr: i18n.Translator, phrase=None, decimals: int | None = None) -> Cell:
    """One cell in the language (see the module's docstring for the kinds)."""
    if phrase is not None:
        return Cell(i18n.render(phrase, tr), "phrase")
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return Cell("", "empty")
    if isinstance(value, bool) or (hasattr(value, "dtype") and pd.api.types.is_bool_dtype(value.dtype)):
        return Cell(tr("page.yes") if value else tr("page.no"), "flag")
    if decimals is not None:
        grouping = i18n.groups_thousands(column)
        return Cell(i18n.format_number(float(value), tr.language, decimals, grouping), "number", float(value),
                    decimals, grouping)
    text = str(value)
    if column in QUOTED_COLUMNS:
        return Cell(text, "quote")
    if column in NAME_COLUMNS:  # a name, unless the table gives it words (the row of totals: All provinces)
        return Cell(tr.english(text), "text") if tr.language != "en" and tr.has(text) else Cell(text, "name")
    if column in IDENTIFIER_COLUMNS | TABLE_IDENTIFIER_COLUMNS.get(table, set()):
        return Cell(text, "identifier")
    if not i18n.has_words(text):
        return Cell(i18n.localise_numbers(text, tr.language), "text")
    if i18n.is_code(text) and (tr.language == "en" or not tr.has(text)):
        return Cell(text, "identifier")
    return Cell(tr.english(text, f"table {table}, column '{column}'"), "text")


def empty_reason(table: Table, tr: i18n.Translator) -> str:
    """Why a table has no rows: the sentence written for its source (e.g. microdata not available in this run),
    or the general one."""
    specific = f"page.empty.{table.source_key}"
    return tr(specific) if specific in tr.entries else tr("page.empty_table")
