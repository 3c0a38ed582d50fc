"""Checks a spreadsheet from outside before a parser sees it: right format, complete, and not hostile.

Government portals serve HTML error pages under a .xlsx name and cut downloads short; a file passed around by
hand may also be crafted. An .xlsx is a zip of XML files, so before calamine or openpyxl opens one we check
that it is a complete zip archive, that it does not unpack into far more than any real export (a "zip
bomb"), and that none of its XML parts declares a DOCTYPE or ENTITY (entity expansion, external entities).
The limits are generous: the real files unpack to at most 28 MiB, in 23 parts, at a ratio of 15 or less.

    workbook = safe_xlsx.open_workbook(path)   # checked python_calamine.CalamineWorkbook
    safe_xlsx.check(path)                       # checks only, for readers that open the file themselves
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pipeline.errors import PipelineError

MAX_MEMBERS = 1_000  # parts in the zip archive
MAX_UNCOMPRESSED_BYTES = 512 * 2**20  # all parts together, unpacked
MAX_RATIO = 200  # unpacked / packed size of one part (only checked for parts over 1 MiB unpacked)
PROLOG_BYTES = 64 * 2**10  # an XML part's root element must start within this many bytes

_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_XML_PARTS = (".xml", ".rels", ".vml")
_REFETCH = "the download was cut off or replaced: fetch the file again (`dvc repro fetch`) or download it by hand"


def check(path: Path, source: str = "SOURCE") -> None:
    """Raise a PipelineError if `path` is empty, an HTML page, a damaged or oversized zip, or declares entities."""
    path = Path(path)
    fix = _REFETCH
    if not path.is_file():
        raise PipelineError("file is missing", file=path, fix="run `dvc repro fetch` first")
    with path.open("rb") as handle:
        head = handle.read(512)
    if not head:
        raise PipelineError("file is empty (0 bytes)", file=path, fix=fix)
    if _HTML.match(head):
        raise PipelineError("file is an HTML page, not a spreadsheet (the portal served an error or login page)",
                            file=path, fix=fix)
    if path.suffix.lower() != ".xlsx":
        return  # .xls (OLE2) files are binary records without XML: calamine reads them without expansion
    if not head.startswith(b"PK\x03\x04"):
        raise PipelineError("file is not an .xlsx (it is not a zip archive)", file=path, fix=fix)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sizes(archive, path)
            for member in archive.infolist():
                if member.filename.lower().endswith(_XML_PARTS):
                    _check_prolog(archive, member, path)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as error:
        raise PipelineError(f"file is truncated or damaged (not a complete zip archive: {error})",
                            file=path, fix=fix) from None


def open_workbook(path: Path, source: str = "SOURCE"):
    """The checked workbook, opened with python_calamine; a file calamine cannot read is a PipelineError."""
    import python_calamine

    check(path, source)
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for files it cannot parse
        raise PipelineError(f"cannot be read as a spreadsheet ({type(error).__name__}: {error})", file=path,
                            fix=_REFETCH) from None


def sheet_rows(path: Path, sheet: str | int = 0, source: str = "SOURCE") -> list[list]:
    """The cells of one sheet (by name or position) as lists of Python values."""
    workbook = open_workbook(path, source)
    try:
        if isinstance(sheet, int):
            return workbook.get_sheet_by_index(sheet).to_python()
        if sheet not in workbook.sheet_names:
            raise PipelineError(f"no sheet named '{sheet}' (sheets: {workbook.sheet_names})", file=path,
                                fix="the publisher renamed the sheet, or this is another file: check it and "
                                    "update the sheet name in the source module")
        return workbook.get_sheet_by_name(sheet).to_python()
    except PipelineError:
        raise
    except Exception as error:
        raise PipelineError(f"sheet {sheet!r} cannot be read ({type(error).__name__}: {error})", file=path,
                            fix=_REFETCH) from None


def _check_sizes(archive: zipfile.ZipFile, path: Path) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise PipelineError(f"xlsx holds {len(members):,} parts (limit {MAX_MEMBERS:,}); refusing to open it",
                            file=path, fix="this is not a plain export: get the file again from the publisher")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise PipelineError(f"xlsx would unpack to {total:,} bytes (limit {MAX_UNCOMPRESSED_BYTES:,}); "
                            "refusing to open it (possible zip bomb)", file=path,
                            fix="this is not a plain export: get the file again from the publisher")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 2**20 and ratio > MAX_RATIO:
            raise PipelineError(f"xlsx part {member.filename} is compressed {ratio:,.0f} to 1 (limit "
                                f"{MAX_RATIO}); refusing to open it (possible zip bomb)", file=path,
                                fix="this is not a plain export: get the file again from the publisher")


def _check_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> None:
    """No DOCTYPE or ENTITY before the root element (the only place XML allows them)."""
    with archive.open(member) as part:
        prolog = part.read(PROLOG_BYTES)
    start = _ROOT_START.search(prolog)
    if start is None and len(prolog) == PROLOG_BYTES:
        raise PipelineError(f"xlsx part {member.filename} has no root element in its first "
                            f"{PROLOG_BYTES:,} bytes; refusing to parse it", file=path,
                            fix="this is not a plain export: get the file again from the publisher")
    declaration = _DECLARATION.search(prolog[: start.start() if start else None])
    if declaration:
        raise PipelineError(f"xlsx part {member.filename} declares a {declaration[1].decode().upper()} "
                            "(XML entities can read local files or expand without bound); refusing to parse it",
                            file=path, fix="spreadsheets exported by the publishers never do this: get the file "
                                           "again from the publisher, never open it")
