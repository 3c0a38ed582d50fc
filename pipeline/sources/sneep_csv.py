"""Reading one SNEEP CSV file: its dialect, its header, and the rows a naive CSV parser would misread.

SNEEP files come in several layouts (see `pipeline/sources/sneep.py`). This module knows nothing of
their meaning: it is given, for each column we want, the header names it may have and a check its
values must pass, and it returns exactly those columns, dictionary-encoded, with a report of every
repair. Two known defects are handled here:

- a header with one name more than the data rows have fields (2017): the stray name is found by
  trying each one and keeping the only alignment under which the sampled rows pass the checks;
- establishment names with unquoted commas: such a row has too many fields. It is recovered only if
  exactly one way of re-joining the extra fields into one free-text column passes the checks;
  otherwise it is rejected and counted. Columns are never shifted silently. Broken rows are checked
  in bulk (grouped by field count, one check per distinct value), so recovery stays a small part of
  the load even when one row in seven is broken.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.errors import PipelineError

SAMPLE_BYTES = 4 * 2**20  # enough lines to sniff the dialect and check the header's alignment
BLOCK_BYTES = 4 * 2**20  # pyarrow parses the file in blocks of this size (larger: more memory, no faster)
# One parsing thread. With threads, every broken row hands the GIL to the Python callback and the threads
# wait on each other: on the benchmark's file (one row in seven broken) 5.2 s with threads, 1.5 s without;
# a file without broken rows parses in 0.8 s with threads, 1.1 s without (pyarrow 26, 2 cores).
PARSE_THREADS = False
NEWLINE = b"\n"
REPEAT_PROBE_ROWS = 20  # the first rows, searched for again later in the file (a body pasted twice)
RECOVERY_ROWS = 16_384  # broken rows checked at a time: bounds the memory recovery adds to the parse
CATEGORY = pa.dictionary(pa.int32(), pa.string())
_FREE_TEXT = re.compile(r"descripcion$")  # columns whose values are names and may contain commas

Check = Callable[[str], bool]


def normalise_name(name: str) -> str:
    """Header text as snake_case ASCII: 'Delito1Descripcion' and 'delito1_descripcion' agree; 'Año' -> 'ano'."""
    text = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def read(path: Path, columns: dict[str, tuple[str, ...]], required: set[str], checks: dict[str, Check],
         new_values: set[str]) -> tuple[pa.Table, dict]:
    """The wanted columns of one file under our names (all as dictionary strings) and a repair report.

    `columns` maps our name to the normalised header names it may have, first match wins; `checks`
    holds a test per column that a correctly aligned value passes (empty values always pass). A
    recovered row must also hold, in each column not in `new_values`, a value seen in well-formed rows.
    """
    encoding, delimiter, header, sample = _sniff(path)
    names, repairs = _repair_header(header, sample, columns, checks, path)
    chosen = _choose_columns(names, columns, required, path)
    _check_whole_file(path, delimiter, len(names))
    invalid = []

    def keep_aside(row) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=encoding,
                                           block_size=BLOCK_BYTES, use_threads=PARSE_THREADS),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=keep_aside),
            convert_options=pacsv.ConvertOptions(include_columns=list(chosen.values()),
                                                 column_types={c: CATEGORY for c in chosen.values()},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as error:
        line = _first_invalid_utf8_line(path) if encoding == "utf8" else None
        if line:
            raise PipelineError("not valid UTF-8 from this line on (a row saved in another encoding, e.g. "
                                "latin-1, inside a UTF-8 file)", file=path, row=line,
                                fix="download the file again; if the publisher's file has this row, re-save the "
                                    "file as UTF-8 and say so in your report") from None
        raise PipelineError(f"cannot be parsed as CSV ({str(error).splitlines()[0][:200]})", file=path,
                            fix="download the file again from the SNEEP dataset page") from None
    table = table.rename_columns([_ours(chosen, c) for c in table.column_names])
    seen = {ours: set(pc.unique(table[ours].combine_chunks().dictionary).to_pylist()) for ours in chosen}
    invalid.sort(key=lambda item: (item[0] or 0, item[1]))
    recovered, rejected = _recover_in_bulk(invalid, delimiter, names, chosen, checks, seen, new_values)
    if recovered.num_rows:
        table = pa.concat_tables([table, recovered.select(table.column_names)])
    for ours in columns.keys() - chosen.keys():  # optional columns this layout lacks
        table = table.append_column(ours, pa.nulls(table.num_rows, CATEGORY))
    report = {
        "file": path.name, "encoding": encoding, "delimiter": delimiter, "header_repairs": repairs,
        "columns_used": {ours: chosen.get(ours) for ours in columns},
        "rows_loaded": table.num_rows, "rows_recovered": recovered.num_rows, "rows_rejected": len(rejected),
        "rejected_examples": [_describe(number, text) for number, text in rejected[:5]],
    }
    return table.select(list(columns)), report


@contextmanager
def system_allocator():
    """pyarrow allocates from the C library's malloc inside this block (wrap the reading of large files).

    Its default allocator (mimalloc) keeps freed pages for reuse; on the benchmark's 2-million-row file the
    load peaked about 30 MiB higher and ran about 0.2 s slower with it. Arrays keep a reference to the pool
    they came from, so switching back afterwards is safe."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _sniff(path: Path) -> tuple[str, str, list[str], list[list[str]]]:
    """Encoding, delimiter, raw header names and sample data rows from the start of the file."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    head = head[: head.rfind(b"\n") + 1] or head
    try:
        text, encoding = head.decode("utf-8-sig"), "utf8"
    except UnicodeDecodeError as error:
        if _has_utf8_multibyte(head):  # valid UTF-8 accents beside an invalid byte: a mixed file, not latin-1
            line = head[: error.start].count(b"\n") + 1
            raise PipelineError("mixes UTF-8 with another encoding (this line is not UTF-8, earlier lines are)",
                                file=path, row=line, fix="download the file again; if the publisher's file has "
                                "this row, re-save the file as UTF-8 and say so in your report") from None
        text, encoding = head.decode("latin-1"), "latin-1"  # the query tool's export
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if len(rows) < 2:
        raise PipelineError("file has a header but no data rows", file=path,
                            fix="download the file again from the SNEEP dataset page")
    return encoding, delimiter, rows[0], rows[1:]


def _check_whole_file(path: Path, delimiter: str, fields: int) -> None:
    """Defects of the file as a whole, found with a few searches of its bytes (C speed, memory-mapped):

    - a body pasted twice, or two downloads concatenated: the first data rows, or the header, appear again;
    - a download cut off mid-row: the last line has no line end and too few fields.
    Each would otherwise load as plausible-looking rows (twice the persons) or as a "broken" row."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_end = data.find(b"\n") + 1
        header = data[:header_end]
        again = data.find(header, header_end)
        if again != -1:
            line = data[:again].count(NEWLINE) + 1
            raise PipelineError(f"the header appears again on line {line}: two files were concatenated",
                                file=path, row=line, fix="keep each download as its own file in data/manual/sneep/")
        block_end = header_end
        for _ in range(REPEAT_PROBE_ROWS):
            next_end = data.find(b"\n", block_end) + 1
            if next_end == 0:
                break
            block_end = next_end
        block = data[header_end:block_end]
        again = data.find(block, block_end) if block_end - header_end >= 64 else -1
        if again != -1:
            line, last_probed = data[:again].count(NEWLINE) + 1, data[:block_end].count(NEWLINE)
            raise PipelineError(f"rows 2–{last_probed} appear again from line {line}: the "
                                "file holds its rows twice (pasted or appended again), which would count each "
                                "person twice", file=path, row=line,
                                fix="download the file again; do not append to it")
        if len(data) and data[-1:] != b"\n":
            last = data[data.rfind(b"\n") + 1:]
            if _field_count(last.decode("utf-8", "replace"), delimiter) < fields:
                line = data[:].count(NEWLINE) + 1
                raise PipelineError(f"the file ends in the middle of line {line} ({len(last)} bytes, fewer "
                                    f"fields than the header's {fields}): the download was cut off", file=path,
                                    row=line, fix="download the file again from the SNEEP dataset page")


def _first_invalid_utf8_line(path: Path) -> int | None:
    """The line (1 = header) of the first byte sequence that is not UTF-8, read in blocks."""
    decoder, line = codecs.getincrementaldecoder("utf-8")(), 1
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return line + block[: error.start].count(b"\n")
            line += block.count(b"\n")
    return None


def _has_utf8_multibyte(data: bytes) -> bool:
    """True if the bytes hold a well-formed UTF-8 sequence for an accented letter (é, ó, ñ: C3 xx)."""
    return re.search(rb"[\xc2-\xc3][\x80-\xbf]", data) is not None


def _repair_header(header: list[str], sample: list[list[str]], columns: dict, checks: dict,
                   path: Path) -> tuple[list[str], list[str]]:
    """Normalised, unique header names aligned with the data rows; the repairs made, in words."""
    names, repairs = [normalise_name(n) or f"unnamed_{i}" for i, n in enumerate(header)], []
    for i, name in enumerate(names):  # 2017: an id column lost its `_id` suffix
        if f"{name}_descripcion" in names and f"{name}_id" not in names:
            names[i] = f"{name}_id"
            repairs.append(f"header '{header[i]}' read as '{name}_id' (missing _id suffix)")
    duplicated = [n for n, count in Counter(names).items() if count > 1]
    if duplicated:
        raise PipelineError(f"header names {duplicated} appear more than once", file=path, row=1,
                            fix="check the file is one SNEEP release, not two pasted together")
    fields = Counter(len(row) for row in sample).most_common(1)[0][0]
    if fields == len(names):
        return names, repairs
    if fields == len(names) - 1:  # 2017: a stray name in the header
        stray = _find_stray_name(names, sample, fields, columns, checks, path)
        repairs.append(f"stray header column '{header[stray]}' dropped (position {stray + 1})")
        return names[:stray] + names[stray + 1:], repairs
    raise PipelineError(f"header has {len(names)} names but most data rows have {fields} fields",
                        file=path, row=1, fix="this layout is not one the loader knows: report it")


def _find_stray_name(names, sample, fields, columns, checks, path) -> int:
    """The header position whose removal aligns the wanted columns with data that passes the checks."""
    rows = [row for row in sample if len(row) == fields]
    wanted = {alias for aliases in columns.values() for alias in aliases}
    alignments = {}
    for stray in (i for i, name in enumerate(names) if name not in wanted):
        kept = names[:stray] + names[stray + 1:]
        chosen = {ours: next((a for a in aliases if a in kept), None) for ours, aliases in columns.items()}
        positions = tuple(kept.index(a) if a else None for a in chosen.values())
        if all(_passes(checks, {o: row[kept.index(a)] for o, a in chosen.items() if a}) for row in rows):
            alignments.setdefault(positions, stray)
    if len(alignments) != 1:
        raise PipelineError(
            f"header has one name more than the data rows, and {len(alignments)} ways of dropping one "
            "give data that passes the checks", file=path, row=1,
            fix="only one alignment must fit: fix the header by hand and record the fix in your report")
    return next(iter(alignments.values()))


def _choose_columns(names: list[str], columns: dict, required: set[str], path: Path) -> dict[str, str]:
    """Our name -> the header name it has in this file (first alias present)."""
    chosen = {ours: next((a for a in aliases if a in names), None) for ours, aliases in columns.items()}
    missing = sorted(ours for ours in required if chosen[ours] is None)
    if missing:
        raise PipelineError(
            f"no column for {missing} (looked for {[columns[m] for m in missing]})", file=path, row=1,
            fix="a column was renamed upstream: add its new name to COLUMNS in pipeline/sources/sneep.py")
    return {ours: name for ours, name in chosen.items() if name is not None}


def _recover_in_bulk(invalid, delimiter, names, chosen, checks, seen, new_values) -> tuple[pa.Table, list]:
    """The recovered rows (a table of our columns, in the order of `invalid`) and the rejected (number, text).

    A row is recovered if exactly one re-joining of its extra fields gives values that pass the checks.
    Rows are grouped by field count and each group is parsed and checked column-wise with pyarrow; the
    checks run once per distinct value, not once per row (a few hundred values for millions of rows)."""
    texts = [text for _, text in invalid]
    counts = np.array([_field_count(text, delimiter) for text in texts], dtype=int)
    order, parts = [], []
    for count in sorted(set(counts.tolist()) - set(range(len(names) + 1))):  # rows with too many fields
        rows_with_count = np.flatnonzero(counts == count)
        for first in range(0, len(rows_with_count), RECOVERY_ROWS):
            rows = rows_with_count[first:first + RECOVERY_ROWS]
            kept, values = _recover_group([texts[i] for i in rows], count - len(names), delimiter, names, chosen,
                                          checks, seen, new_values)
            order.append(rows[kept])
            parts.append(values)
    order = np.concatenate(order) if order else np.array([], dtype=int)
    # Back to the file's order (so the output is byte-stable), dictionary-encoded like the well-formed rows.
    by_line = pa.array(np.argsort(order, kind="stable"))
    table = pa.table({ours: pa.chunked_array([p[ours] for p in parts], CATEGORY).take(by_line) for ours in chosen})
    rejected = np.ones(len(invalid), dtype=bool)
    rejected[order] = False
    return table, [invalid[i] for i in np.flatnonzero(rejected)]


def _field_count(text: str, delimiter: str) -> int:
    """Fields in one CSV line: counting delimiters is exact unless a value is quoted."""
    return text.count(delimiter) + 1 if '"' not in text else len(next(csv.reader([text], delimiter=delimiter)))


def _recover_group(texts, extra, delimiter, names, chosen, checks, seen, new_values):
    """For rows that all have `extra` fields too many: which can be read one way only, and their values."""
    columns = _parse_rows(texts, len(names) + extra, delimiter)
    position = {ours: names.index(name) for ours, name in chosen.items()}
    # Re-joining after the last wanted column leaves every wanted value where it is: one such try suffices.
    last_wanted = max(position.values())
    starts = [i for i, name in enumerate(names) if _FREE_TEXT.search(name)]
    starts = [i for i in starts if i <= last_wanted] + [i for i in starts if i > last_wanted][:1]
    valid = {}  # (our column, field index, re-joined) -> rows whose value passes; for columns not re-joined

    def passing(ours, values, rejoined):
        # Values must pass the column's check and have been seen in well-formed rows, except in the
        # re-joined column and in columns where new values are expected.
        distinct = pc.unique(values).to_pylist()
        check, known = checks.get(ours), ours in new_values or rejoined
        good = [v for v in distinct if v == "" or ((check is None or check(v)) and (known or v in seen[ours]))]
        return pc.is_in(values, value_set=pa.array(good, pa.string()))

    reading = {ours: pa.nulls(len(texts), pa.string()) for ours in chosen}
    found = np.zeros(len(texts), dtype=bool)  # rows with a reading that passes
    conflict = np.zeros(len(texts), dtype=bool)  # rows with two different readings that pass
    for start in starts:
        values, ok = {}, np.ones(len(texts), dtype=bool)
        for ours, at in position.items():
            if at == start:
                values[ours] = pc.binary_join_element_wise(*columns[start:start + extra + 1], delimiter)
                ok &= passing(ours, values[ours], True).to_numpy(zero_copy_only=False)
            else:
                index = at if at < start else at + extra
                values[ours] = columns[index]
                if (ours, index) not in valid:
                    valid[ours, index] = passing(ours, columns[index], False).to_numpy(zero_copy_only=False)
                ok &= valid[ours, index]
        if not ok.any():
            continue
        differs = np.zeros(len(texts), dtype=bool)
        for ours, column in values.items():
            differs |= pc.fill_null(pc.not_equal(column, reading[ours]), False).to_numpy(zero_copy_only=False)
        conflict |= ok & found & differs
        first = pa.array(ok & ~found)
        reading = {ours: pc.if_else(first, values[ours], reading[ours]) for ours in chosen}
        found |= ok
    kept = np.flatnonzero(found & ~conflict)
    return kept, {ours: _categorical(column.take(pa.array(kept))) for ours, column in reading.items()}


def _parse_rows(texts: list[str], fields: int, delimiter: str) -> list[pa.Array]:
    """Rows that all have this many fields, parsed as one CSV: one string array per field."""
    table = pacsv.read_csv(
        pa.py_buffer("\n".join(texts).encode() + b"\n"),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(fields)}))
    if table.num_rows != len(texts) or table.num_columns != fields:
        raise PipelineError(f"{len(texts)} rows of {fields} fields re-read as {table.num_rows} rows of "
                            f"{table.num_columns}", fix="a quoting pattern the loader does not know: report it")
    return [column.combine_chunks() for column in table.columns]


def _categorical(values: pa.Array) -> pa.Array:
    """Strings as the well-formed rows hold them: empty values missing, dictionary-encoded."""
    return pc.dictionary_encode(pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values))


def _passes(checks: dict[str, Check], values: dict[str, str]) -> bool:
    return all(values[o] == "" or check(values[o]) for o, check in checks.items() if o in values)


def _ours(chosen: dict[str, str], name: str) -> str:
    return next(ours for ours, theirs in chosen.items() if theirs == name)


def _describe(number: int | None, text: str) -> str:
    where = f"line {number + 1}" if number is not None else "line unknown"
    return f"{where}: {text[:120]}"
