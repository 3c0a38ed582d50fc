"""Tables as a notebook shows them to a reviewer: `show(frame)` in a cell.

pandas' own display cuts texts at 50 characters ("SENAPPEN lists people under Patronato apart; t…") and prints
floats raw (21.632653, 2003.500000, NaN). Here every cell is written out in full: numbers in the English format of
pipeline/i18n.py (4,013; 56.9), each column with one number of decimals (as many as its most precise value needs,
at most two: `i18n.column_decimals`), years, periods and ids never grouped (2015, 2003.5), a missing value as "—",
a flag as yes/no, and long texts wrapped in the cell, in a column kept wide enough for a few lines. Texts are shown
as written (a number a build stored as text beside words may be a year). The same text goes to the executed
notebook's HTML and to its plain-text output (what nbval compares), so both read alike and carry no memory address.
"""

from __future__ import annotations

import html
import math
from numbers import Number

import pandas as pd

from pipeline import i18n

MISSING = "—"  # a cell without a value
LANGUAGE = "en"  # the notebooks are written in English
_STYLE = ("<style>table.briefing-table{border-collapse:collapse;margin:.4em 0}"
          "table.briefing-table th,table.briefing-table td{border-bottom:1px solid #ddd;padding:.2em .5em;"
          "vertical-align:top;white-space:normal;max-width:40em;text-align:left!important}"
          "table.briefing-table th{white-space:nowrap}"
          "table.briefing-table td.number{text-align:right!important;white-space:nowrap}</style>")
# A column of long texts (notes, findings' details) is kept wide enough to wrap its longest into about TEXT_LINES
# lines, at most TEXT_WIDEST characters wide. In a table of many columns the browser would otherwise squeeze it to a
# word a line (regional's count_note: 26 lines of 97 px) rather than let the output area scroll. A column whose
# texts are at most LONG_TEXT characters keeps the width the browser gives it.
TEXT_LINES = 6
TEXT_WIDEST = 36  # characters (the CSS unit ch)
LONG_TEXT = 40


class Table:
    """A table ready to show: its header, its cells as text, and which columns hold numbers."""

    def __init__(self, header: list[str], rows: list[list[str]], numeric: list[bool], note: str | None = None):
        self.header, self.rows, self.numeric, self.note = header, rows, numeric, note

    def _repr_html_(self) -> str:
        head = "".join(f"<th{self._min_width(i)}>{html.escape(name)}</th>" for i, name in enumerate(self.header))
        body = "".join("<tr>" + "".join(f'<td class="number">{html.escape(cell)}</td>' if number else
                                        f"<td>{html.escape(cell)}</td>" for cell, number in zip(row, self.numeric))
                       + "</tr>" for row in self.rows)
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return f'{_STYLE}<table class="briefing-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}'

    def _min_width(self, column: int) -> str:
        """The header's style for a column of long texts: a minimum width in characters (ch)."""
        longest = 0 if self.numeric[column] else max((len(row[column]) for row in self.rows), default=0)
        if longest <= LONG_TEXT:
            return ""
        return f' style="min-width:{min(math.ceil(longest / TEXT_LINES), TEXT_WIDEST)}ch"'

    def __repr__(self) -> str:
        widths = [max([len(name)] + [len(row[i]) for row in self.rows]) for i, name in enumerate(self.header)]

        def line(cells):
            return "  ".join(cell.rjust(width) if number else cell.ljust(width)
                             for cell, width, number in zip(cells, widths, self.numeric)).rstrip()

        lines = [line(self.header), "  ".join("-" * width for width in widths), *(line(row) for row in self.rows)]
        if not self.rows:
            lines.append("(no rows)")
        return "\n".join(lines + ([self.note] if self.note else []))


def show(frame: pd.DataFrame | pd.Series, note: str | None = None) -> Table:
    """`frame` as a Table (a cell that ends with `show(...)` displays it): a named index (a pivot's rows, a group's
    key) becomes columns, row numbers are dropped, a pivot's column levels are joined with a space."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    named_index = any(name is not None for name in frame.index.names)
    frame = frame.reset_index(drop=not named_index)  # row numbers of a filtered table are no data
    header = [" ".join(str(level) for level in column if str(level)) if isinstance(column, tuple) else str(column)
              for column in frame.columns]
    columns = [[_plain(value) for value in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])]
    numeric = [bool(values) and all(_is_number(v) or v is None for v in values) and any(_is_number(v) for v in values)
               for values in columns]
    # Rows that measure one thing (a unit, a measure, a rule) share their decimals, as on the briefing's pages.
    group = next((name for name in i18n.GROUP_COLUMNS if name in header), None)
    groups = columns[header.index(group)] if group else None
    cells = [column_text(values, name, groups if name != group else None) for values, name in zip(columns, header)]
    rows = [list(row) for row in zip(*cells)] if cells else []
    return Table(header, rows, numeric, note)


def column_text(values: list, column: str, units: list | None = None) -> list[str]:
    """One column's cells as text: its numbers all with the column's decimals, grouped unless the column holds
    years, periods or ids (`i18n.groups_thousands`). In a table with a `unit`, `measure` or `rule` column
    (i18n.GROUP_COLUMNS: rows of the long table, findings of one rule), `units` holds it, and the decimals are those
    of the rows of the same group: persons stay whole beside percentages, a unit's count beside a ratio; a column of
    percentages has one count of decimals, at least one (`i18n.grouped_decimals`)."""
    decimals = i18n.grouped_decimals([v if _is_number(v) else None for v in values], column, units)
    grouping = i18n.groups_thousands(column)
    return [cell_text(value, places, grouping) for value, places in zip(values, decimals)]


def cell_text(value, decimals: int, grouping: bool) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_number(value):
        return i18n.format_number(value, LANGUAGE, decimals, grouping)
    return str(value)  # a text as written: a number a build stored as text (beside words) may be a year


def _plain(value):
    """A cell as a plain Python value: None for every kind of missing value (NaN, NA, NaT, None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # NumPy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)
