"""A CSV kept by hand in the repository (the registry of published figures, the observatory template, the translation
table), read as text with the checks every such file gets before any cell is used:

- a missing file names itself and how to restore it;
- a file not saved as UTF-8 (a spreadsheet program's latin-1 or Windows-1252) names its line: decoding it anyway would
  turn accents into wrong labels; the byte-order mark that Excel's "CSV UTF-8" writes first is not part of the text
  (it would be part of the first column's name), and its CRLF line ends are read as any line end;
- a file separated by ';' or tabs (Excel writes the system's list separator, ';' under Spanish and Portuguese
  settings) is named as such: read as commas, its header is one field;
- every row has the header's number of fields: a comma left unquoted in a text adds one, and pandas would stop on a
  longer row with a parser error and silently pad a shorter one (a value shifted into the wrong column); the csv
  module would read the row cut at the comma.

No pandas here: `make repro`'s runner reads the translation table before any stage starts, and starts in a fraction
of a second (pipeline.io.read_text_csv gives the same file as a table).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline import paths
from pipeline.errors import PipelineError


def read(path: Path, what: str = "file") -> tuple[str, list[list[str]]]:
    """The file's text and its rows (the header first), once every check above has passed. `what` names the file in
    the messages."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{what} is missing", file=path,
                            fix=f"restore it from git: `git checkout {paths.relative(path)}`")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise PipelineError(f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)", file=path,
                            row=line, fix="save the file again as 'CSV UTF-8' (LibreOffice: Character set "
                                          "'Unicode (UTF-8)')") from None
    reader = csv.reader(io.StringIO(text))
    rows = [next(reader, [])]
    separator = _other_separator(rows[0])
    if separator:
        raise PipelineError(f"separated by {separator} where commas are expected (the header is one field)", file=path,
                            row=1, fix="save it again with ',' as the field separator (LibreOffice: Field delimiter "
                                       "','; Excel uses the system's list separator, ';' under Spanish or Portuguese "
                                       "settings), decimals with a point")
    for row in reader:
        if row and len(row) != len(rows[0]):
            raise PipelineError(f"{len(row)} fields where the header has {len(rows[0])} (a comma inside a value "
                                "without quotes, or a missing or extra cell)", file=path, row=reader.line_num,
                                fix="quote values that contain commas, and give every row one cell per column")
        if row:
            rows.append(row)
    return text, rows


def _other_separator(header: list[str]) -> str | None:
    """The separator a one-field header is split by instead of commas ("';'", 'tabs'), or None."""
    if len(header) != 1:
        return None
    for separator, name in ((";", "';'"), ("\t", "tabs")):
        if separator in header[0]:
            return name
    return None
