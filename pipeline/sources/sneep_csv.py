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
import itertools
import mmap
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline import parallel
from pipeline.errors import PipelineError

SAMPLE_BYTES = 4 * 2**20  # the start of the file whose bytes decide the encoding
SAMPLE_ROWS = 5_000  # the first data rows, parsed to check the header's alignment
BLOCK_BYTES = 4 * 2**20  # pyarrow parses the file in blocks of this size (larger: more memory, no faster)
# One parsing thread per process. With threads, every broken row hands the GIL to the Python callback and the
# threads wait on each other: on the benchmark's file (one row in seven broken) 5.2 s with threads, 1.5 s
# without (pyarrow 26, 2 cores). A large file is instead cut at line ends into one part per core, each parsed
# (and its broken rows recovered) in its own process.
PARSE_THREADS = False
# Measured and not adopted (issue 17, same 2-million-row file, one process per run): polars as the parser. Its CSV
# reader parses the 14 columns in 0.6-1.1 s on both cores but cuts a row with too many fields to the header's width
# without saying which, so the broken rows cannot be found (given extra column names, `missing_columns='insert'`, it
# reads the extra fields, but a missing field and an empty one read alike, so a broken row whose last field is empty
# looks well-formed; polars 2.1); reading the file as lines and splitting them in polars
# took 3.8-4.3 s before any recovery (`str.splitn` into the wanted fields alone 2.0-2.4 s) where this whole read
# took 2.2-2.7 s. Importing it also made pyarrow's abort at interpreter exit ("terminate called without an active
# exception", apache/arrow#34314) twice as frequent in a small test. DuckDB as the parser (2026-12-05, DuckDB 2.0, same
# file): given four column names more than the header has, `null_padding=true` and a `nullstr` no field holds, it
# finds every broken row (a value after the header's last column) and every short one (a null in it), but reading
# the wanted columns as Arrow text, setting the broken rows aside, dictionary-encoding and converting to pandas took
# 1.9-2.0 s before any recovery, where this whole read and the chapter's measures took 1.9 s (reports/benchmarks.md).
PARALLEL_BYTES = 32 * 2**20  # files at least this large are parsed in parts, one process per core
NEWLINE = b"\n"
REPEAT_PROBE_ROWS = 20  # the first rows, searched for again later in the file (a body pasted twice)
RECOVERY_ROWS = 65_536  # broken rows checked at a time: bounds the memory recovery adds to the parse
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
    recovered row must also hold, in each column not in `new_values`, a value seen in well-formed rows
    of the whole file. A large file is parsed in parts (one per core, cut at line ends) in parallel; the
    result is the same as one pass over the file: rows in file order, recovered rows after, in line order.
    """
    encoding, delimiter, header, sample = _sniff(path)
    names, repairs = _repair_header(header, sample, columns, checks, path)
    chosen = _choose_columns(names, columns, required, path)
    job = _Job(Path(path), encoding, delimiter, names, chosen, checks, new_values, _parts(path))
    with _scratch(job):  # the parts' Arrow files live here, and go with it whatever happens
        parts = _run_parts(job)
        _check_whole_file(job, parts)
        for part in parts:  # the first part that could not be parsed, as a single pass would have stopped there
            if part["error"] is not None:
                _raise_parse_error(path, encoding, part["error"])
        tables = [_load_part(part) for part in parts]
    table = pa.concat_tables([good for good, _ in tables])
    seen = {ours: set().union(*(part["seen"][ours] for part in parts)) for ours in chosen}
    recovered, rejected = [], []
    for index, (part, (_, part_recovered)) in enumerate(zip(parts, tables)):
        # A part's recovery found values that pass their column's check but were not seen in its own
        # well-formed rows (`asked`). Its verdicts hold for the whole file unless another part saw one of them:
        # then the part is read again here, its broken rows recovered against the whole file's values (rare).
        if any(part["asked"][ours] & seen[ours] for ours in part["asked"]):
            again = _run_part_here(job, index, seen)
            part_recovered, part["rejected"] = again["tables"][1], again["rejected"]
        recovered.append(part_recovered)
    if any(part["rejected"] for part in parts):  # line numbers: the part's own, plus the lines before it
        for part, before in zip(parts, _lines_before(path, job.ranges)):
            rejected += [(number + before, text) for number, text in part["rejected"]]
    recovered = pa.concat_tables([r.select(table.column_names) for r in recovered])
    if recovered.num_rows:
        table = pa.concat_tables([table, recovered])
    for ours in columns.keys() - chosen.keys():  # optional columns this layout lacks
        table = table.append_column(ours, pa.nulls(table.num_rows, CATEGORY))
    report = {
        "file": path.name, "encoding": encoding, "delimiter": delimiter, "header_repairs": repairs,
        "columns_used": {ours: chosen.get(ours) for ours in columns},
        "rows_loaded": table.num_rows, "rows_recovered": recovered.num_rows, "rows_rejected": len(rejected),
        "rejected_examples": [_describe(number, text) for number, text in rejected[:5]],
    }
    return table.select(list(columns)), report


class _Job:
    """What every part of one file's read needs (inherited by the worker processes, never pickled)."""

    def __init__(self, path, encoding, delimiter, names, chosen, checks, new_values, ranges):
        self.path, self.encoding, self.delimiter, self.names = path, encoding, delimiter, names
        self.chosen, self.checks, self.new_values, self.ranges = chosen, checks, new_values, ranges
        self.scratch: str | None = None  # a folder for the parts' Arrow files (see _scratch)
        with open(path, "rb") as handle:
            self.header = handle.readline()
            block = b""
            for _ in range(REPEAT_PROBE_ROWS):  # whole lines only
                line = handle.readline()
                if not line.endswith(b"\n"):
                    break
                block += line
        self.header_end = len(self.header)
        self.probe = block if len(block) >= 64 else None  # the first rows, searched for again later
        self.probe_end = self.header_end + len(block)
        # The header line as the CSV parser would give it back (text, fields), to tell from the parsed rows whether
        # it could be among them (_header_may_be_among); a file that starts with a byte-order mark has it there too.
        self.header_text = self.header.decode(encoding, "replace").rstrip("\r\n").lstrip("\ufeff")
        self.header_fields = next(csv.reader([self.header_text], delimiter=delimiter), [])


_JOB: _Job | None = None  # the job of the parts being read (worker processes inherit it through fork)


def _parts(path: Path) -> list[tuple[int, int]]:
    """Byte ranges of the data lines (after the header), one per core for a large file, each ending at a line end."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        header_end = len(handle.readline())
        cores = os.cpu_count() or 1
        if size < PARALLEL_BYTES or cores < 2 or not hasattr(os, "fork"):
            return [(header_end, size)]
        cuts = [header_end]
        for i in range(1, cores):
            handle.seek(max(cuts[-1], header_end + (size - header_end) * i // cores))
            handle.readline()  # to the end of the line the cut fell in
            if handle.tell() < size:
                cuts.append(handle.tell())
        return list(zip(cuts, cuts[1:] + [size]))


@contextmanager
def _scratch(job: _Job):
    """A temporary folder for the parts' Arrow files (in shared memory when the system has it), removed on exit."""
    if len(job.ranges) == 1:  # one part is read in this process: nothing goes through a file
        yield
        return
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    job.scratch = tempfile.mkdtemp(prefix="sneep-parts-", dir=shm)
    try:
        yield
    finally:
        shutil.rmtree(job.scratch, ignore_errors=True)
        job.scratch = None


def _run_parts(job: _Job) -> list[dict]:
    """_read_part for every range of the job, in parallel processes when there is more than one."""
    global _JOB
    _JOB = job
    try:
        if len(job.ranges) == 1:
            return [_read_part(0)]
        parts = parallel.fork_map(_read_part, range(len(job.ranges)), len(job.ranges))  # the job is inherited
    finally:
        _JOB = None
    return parts


def _run_part_here(job: _Job, index: int, seen: dict[str, set]) -> dict:
    """_read_part in this process, its broken rows recovered against `seen` (the whole file's values)."""
    global _JOB
    _JOB = job
    try:
        return _read_part(index, seen=seen, here=True)
    finally:
        _JOB = None


def _lines_before(path: Path, ranges: list[tuple[int, int]]) -> list[int]:
    """The number of lines before each range's start (the header included): for line numbers in messages."""
    counts, done, lines = [], 0, 0
    with open(path, "rb") as handle:
        for start, _ in ranges:
            while done < start:
                block = handle.read(min(2**24, start - done))
                lines += block.count(NEWLINE)
                done += len(block)
            counts.append(lines)
    return counts


def _read_part(index: int, seen: dict[str, set] | None = None, here: bool = False) -> dict:
    """One byte range: whole-file defects searched in it, its rows parsed, its broken rows recovered against the
    values its own well-formed rows hold (read() checks those are all the file's values, or recovers again).
    The tables go to an Arrow file in a temporary folder (memory-mapped by the caller, not copied)."""
    job = _JOB
    start, end = job.ranges[index]
    part = {"header_at": -1, "probe_at": -1, "error": None, "seen": {}, "asked": {}, "rejected": [], "arrow": None,
            "tables": None, "header_possible": True}
    # One memory map for the searches and the parse (0.03-0.04 s less per part than a second map of the same pages).
    # It is unmapped when the last reference to it goes, not by `close()`: an error raised in the parse keeps
    # pyarrow's view of it alive in the traceback, and closing a map that is still viewed raises BufferError.
    with open(job.path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    # The first rows are searched for before the parse (a body pasted twice is not parsed); the header after it, and
    # only where the parse leaves a place for it (_header_may_be_among) or did not run: each search reads the part's
    # bytes as fast as memory gives them (0.05 s a part of the benchmark's file), the parse's values are at hand.
    # Searched for without their last line end: a search whose needle ends in the newline every row ends with
    # skips ahead less (0.06 s against 0.015 s for the header in a million rows).
    if job.probe is not None:
        part["probe_at"] = _find_in(data, job.probe.rstrip(b"\r\n"), max(start, job.probe_end), end)
    if part["probe_at"] == -1:
        part = _parse_part(job, part, pa.py_buffer(data)[start:end], seen, here)
    if part["header_possible"] or part["error"] is not None:
        part["header_at"] = _find_in(data, job.header.rstrip(b"\r\n"), max(start, job.header_end), end)
    return part  # a header or body again: read() says so


def _parse_part(job: _Job, part: dict, rows: pa.Buffer, seen: dict[str, set] | None, here: bool) -> dict:
    """_read_part's parse of its bytes (`rows`, whole lines) and recovery of its broken rows."""
    numbers, texts, fields = [], [], []
    add_number, add_text, add_fields = numbers.append, texts.append, fields.append

    def keep_aside(row) -> str:
        add_number(row.number)
        add_text(row.text)
        add_fields(row.actual_columns)  # as the CSV parser counted them (quoted delimiters are not fields)
        return "skip"

    try:
        good = pacsv.read_csv(
            pa.BufferReader(rows),
            read_options=pacsv.ReadOptions(column_names=job.names, encoding=job.encoding,
                                           block_size=BLOCK_BYTES, use_threads=PARSE_THREADS),
            parse_options=pacsv.ParseOptions(delimiter=job.delimiter, invalid_row_handler=keep_aside),
            convert_options=pacsv.ConvertOptions(include_columns=list(job.chosen.values()),
                                                 column_types={c: CATEGORY for c in job.chosen.values()},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as error:
        part["error"] = str(error)
        return part
    good = good.rename_columns([_ours(job.chosen, c) for c in good.column_names])
    part["seen"] = {ours: set(_distinct(good[ours])) for ours in job.chosen}
    part["header_possible"] = _header_may_be_among(job, part["seen"], texts)
    invalid = _Invalid(numbers, texts, fields)
    recovered, part["rejected"] = _recover_in_bulk(invalid, job.delimiter, job.names, job.chosen, job.checks,
                                                   seen if seen is not None else part["seen"], job.new_values,
                                                   part["asked"])
    if here or len(job.ranges) == 1:  # read in this process: no need to pass the tables through a file
        part["tables"] = (good, recovered)
        return part
    part["arrow"] = _write_arrow([good, recovered], job.scratch)
    return part


class _Invalid:
    """The rows the CSV parser set aside (wrong number of fields), in line order: line numbers, texts (as the
    parser gave them, Python strings) and their numbers of fields."""

    def __init__(self, numbers: list, texts: list[str], fields: list[int]):
        if None in numbers:  # line numbers unknown (a threaded parse): order by text, as before
            order = sorted(range(len(numbers)), key=lambda i: (numbers[i] or 0, texts[i]))
        elif len(numbers) > 1 and not (np.diff(np.asarray(numbers, dtype=np.int64)) > 0).all():
            order = np.argsort(np.asarray(numbers, dtype=np.int64), kind="stable").tolist()
        else:
            order = None
        if order is not None:
            numbers, texts, fields = ([values[i] for i in order] for values in (numbers, texts, fields))
        self.numbers, self.texts, self.fields = numbers, texts, np.asarray(fields, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.numbers)

    def rows(self, indices) -> list[tuple[int | None, str]]:
        return [(self.numbers[i], self.texts[i]) for i in indices]


def _header_may_be_among(job: _Job, seen: dict[str, set], invalid_texts: list[str]) -> bool:
    """False when a part's parse shows the header line is not among its lines: a header line parsed as a row would
    hold, in each of our columns, the name its column has in the header (`seen`: the values of the part's
    well-formed rows); one with a field too many or too few (the 2017 header's stray name) would be among the rows
    set aside. A place for it is not the header: the search of the bytes then decides. (Our columns' header names
    are never read as missing values: they are sneep.COLUMNS' aliases, such as censo_anio.)"""
    if len(job.header_fields) == len(job.names):
        position = {ours: job.names.index(name) for ours, name in job.chosen.items()}
        if all(job.header_fields[at] in seen[ours] or (at == 0 and "\ufeff" + job.header_fields[0] in seen[ours])
               for ours, at in position.items()):
            return True
    return any(text.rstrip("\r\n").lstrip("\ufeff") == job.header_text for text in invalid_texts)


def _find_in(data, needle: bytes, start: int, end: int) -> int:
    """The first position in [start, end) where `needle` begins, or -1."""
    return data.find(needle, start, min(end + len(needle) - 1, len(data))) if start < end else -1


def _write_arrow(tables: list[pa.Table], folder: str) -> str:
    """The tables in one Arrow IPC file in `folder`; its path."""
    handle, name = tempfile.mkstemp(prefix="part-", suffix=".arrow", dir=folder)
    os.close(handle)
    with pa.OSFile(name, "wb") as sink:
        for table in tables:
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
    return name


def _load_part(part: dict) -> tuple[pa.Table, pa.Table]:
    """The (well-formed, recovered) tables of one part, memory-mapped; the file is removed at once."""
    if part["tables"] is not None:
        return part["tables"]
    name = part["arrow"]
    try:
        source = pa.memory_map(name)
        tables = []
        for _ in range(2):
            reader = pa.ipc.open_stream(source)
            tables.append(reader.read_all())
    finally:
        os.unlink(name)
    return tuple(tables)


def _distinct(values: pa.ChunkedArray) -> list:
    """The values present in a dictionary column (its chunks' dictionaries together). The dictionaries alone are
    read: combining the chunks would also copy every row's code (a million per part) to unify them."""
    return pc.unique(pa.chunked_array([chunk.dictionary for chunk in values.chunks], pa.string())).to_pylist()


def _raise_parse_error(path: Path, encoding: str, error: str) -> None:
    line = _first_invalid_utf8_line(path) if encoding == "utf8" else None
    if line:
        raise PipelineError("not valid UTF-8 from this line on (a row saved in another encoding, e.g. "
                            "latin-1, inside a UTF-8 file)", file=path, row=line,
                            fix="download the file again; if the publisher's file has this row, re-save the "
                                "file as UTF-8 and say so in your report") from None
    raise PipelineError(f"cannot be parsed as CSV ({error.splitlines()[0][:200]})", file=path,
                        fix="download the file again from the SNEEP dataset page") from None


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
    rows = list(itertools.islice(csv.reader(text.splitlines(), delimiter=delimiter), SAMPLE_ROWS + 1))
    if len(rows) < 2:
        raise PipelineError("file has a header but no data rows", file=path,
                            fix="download the file again from the SNEEP dataset page")
    return encoding, delimiter, rows[0], rows[1:]


def _check_whole_file(job: _Job, parts: list[dict]) -> None:
    """Defects of the file as a whole, found by the parts' searches of their bytes (C speed, memory-mapped):

    - a body pasted twice, or two downloads concatenated: the first data rows, or the header, appear again;
    - a download cut off mid-row: the last line has no line end and too few fields.
    Each would otherwise load as plausible-looking rows (twice the persons) or as a "broken" row."""
    path = job.path
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        again = min((p["header_at"] for p in parts if p["header_at"] != -1), default=-1)
        if again != -1:
            line = data[:again].count(NEWLINE) + 1
            raise PipelineError(f"the header appears again on line {line}: two files were concatenated",
                                file=path, row=line, fix="keep each download as its own file in data/manual/sneep/")
        again = min((p["probe_at"] for p in parts if p["probe_at"] != -1), default=-1)
        if again != -1:
            line, last_probed = data[:again].count(NEWLINE) + 1, data[:job.probe_end].count(NEWLINE)
            raise PipelineError(f"rows 2–{last_probed} appear again from line {line}: the "
                                "file holds its rows twice (pasted or appended again), which would count each "
                                "person twice", file=path, row=line,
                                fix="download the file again; do not append to it")
        if len(data) and data[-1:] != b"\n":
            last = data[data.rfind(b"\n") + 1:]
            if _field_count(last.decode("utf-8", "replace"), job.delimiter) < len(job.names):
                line = data[:].count(NEWLINE) + 1
                raise PipelineError(f"the file ends in the middle of line {line} ({len(last)} bytes, fewer "
                                    f"fields than the header's {len(job.names)}): the download was cut off",
                                    file=path, row=line, fix="download the file again from the SNEEP dataset page")


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


def _recover_in_bulk(invalid: _Invalid, delimiter, names, chosen, checks, seen, new_values,
                     asked: dict | None = None) -> tuple[pa.Table, list]:
    """The recovered rows (a table of our columns, in the order of `invalid`) and the rejected (number, text).

    A row is recovered if exactly one re-joining of its extra fields gives values that pass the checks.
    `asked` (if given) collects, per column, the values that passed their check but were refused as not seen.
    Rows are grouped by field count and each group is parsed and checked column-wise with pyarrow; the
    checks run once per distinct value (a dictionary entry), not once per row, and a row's verdict is a
    lookup of its values' codes (a few hundred distinct values for millions of rows)."""
    texts, counts = invalid.texts, invalid.fields
    order, parts = [], []
    for count in sorted(set(counts.tolist()) - set(range(len(names) + 1))):  # rows with too many fields
        rows_with_count = np.flatnonzero(counts == count)
        for first in range(0, len(rows_with_count), RECOVERY_ROWS):
            rows = rows_with_count[first:first + RECOVERY_ROWS]
            contiguous = rows[-1] - rows[0] + 1 == len(rows)  # the usual case: one kind of broken row
            kept, values = _recover_group(texts[rows[0]:rows[-1] + 1] if contiguous else [texts[i] for i in rows],
                                          count - len(names), delimiter, names, chosen, checks, seen, new_values,
                                          asked)
            order.append(rows[kept])
            parts.append(values)
    order = np.concatenate(order) if order else np.array([], dtype=int)
    # Back to the file's order (so the output is byte-stable), dictionary-encoded like the well-formed rows.
    by_line = pa.array(np.argsort(order, kind="stable"))
    table = pa.table({ours: pa.chunked_array([p[ours] for p in parts], CATEGORY).take(by_line) for ours in chosen})
    rejected = np.ones(len(invalid), dtype=bool)
    rejected[order] = False
    return table, invalid.rows(np.flatnonzero(rejected))


def _field_count(text: str, delimiter: str) -> int:
    """Fields in one CSV line: counting delimiters is exact unless a value is quoted."""
    return text.count(delimiter) + 1 if '"' not in text else len(next(csv.reader([text], delimiter=delimiter)))


def _recover_group(texts, extra, delimiter, names, chosen, checks, seen, new_values, asked=None):
    """For rows that all have `extra` fields too many: which can be read one way only, and their values."""
    position = {ours: names.index(name) for ours, name in chosen.items()}
    # Re-joining after the last wanted column leaves every wanted value where it is: one such try suffices.
    last_wanted = max(position.values())
    starts = [i for i, name in enumerate(names) if _FREE_TEXT.search(name)]
    starts = [i for i in starts if i <= last_wanted] + [i for i in starts if i > last_wanted][:1]
    # The fields each reading takes: a wanted column where it is, or `extra` further on, or re-joined.
    fields = {(at if at < start else at + extra) for start in starts for at in position.values() if at != start}
    fields |= {i for start in starts if start in position.values() for i in range(start, start + extra + 1)}
    columns = _parse_rows(texts, len(names) + extra, delimiter, sorted(fields))
    rows = len(texts)
    valid = {}  # (our column, field index) -> rows whose value passes; for columns not re-joined

    def passing(ours, values, rejoined):
        # Values must pass the column's check and have been seen in well-formed rows, except in the
        # re-joined column and in columns where new values are expected. Checked once per dictionary entry.
        check, known = checks.get(ours), ours in new_values or rejoined
        words = values.dictionary.to_pylist()
        passes = [v == "" or check is None or check(v) for v in words]
        if not known:
            unseen = [v for v, ok in zip(words, passes) if ok and v != "" and v not in seen[ours]]
            if asked is not None and unseen:
                asked.setdefault(ours, set()).update(unseen)
            passes = [ok and (v == "" or v in seen[ours]) for v, ok in zip(words, passes)]
        good = np.array(passes + [False], dtype=bool)
        return good[values.indices.to_numpy(zero_copy_only=False)]

    readings = {}  # start -> {our column: values (dictionary array)}
    found = np.zeros(rows, dtype=bool)  # rows with a reading that passes
    conflict = np.zeros(rows, dtype=bool)  # rows with two different readings that pass
    first_start = np.full(rows, -1)  # the start of the first reading that passes
    for start in starts:
        values, ok = {}, np.ones(rows, dtype=bool)
        for ours, at in position.items():  # the columns read where they are, or `extra` further on
            if at != start:
                index = at if at < start else at + extra
                values[ours] = columns[index]
                if (ours, index) not in valid:
                    valid[ours, index] = passing(ours, columns[index], False)
                ok &= valid[ours, index]
        rejoined = next((ours for ours, at in position.items() if at == start), None)
        if rejoined is not None and ok.any():  # then the re-joined column, unless no row is left to pass it
            joined = pc.binary_join_element_wise(*(_strings(columns[i]) for i in range(start, start + extra + 1)),
                                                 delimiter)
            values[rejoined] = pc.dictionary_encode(joined)
            ok &= passing(rejoined, values[rejoined], True)
        if not ok.any():
            continue
        values = {ours: values[ours] for ours in position}  # in the columns' order, as before
        readings[start] = values
        again = np.flatnonzero(ok & found)  # rows another reading already passed: conflicting if they differ
        for earlier in np.unique(first_start[again]):
            rows_ = again[first_start[again] == earlier]
            if len(rows_):
                take = pa.array(rows_)
                differs = np.zeros(len(rows_), dtype=bool)
                for ours in chosen:
                    before = _strings(readings[earlier][ours].take(take))
                    differs |= pc.not_equal(before, _strings(values[ours].take(take))).to_numpy(zero_copy_only=False)
                conflict[rows_[differs]] = True
        first_start[ok & ~found] = start
        found |= ok
    kept = np.flatnonzero(found & ~conflict)
    result = {}
    for ours in chosen:
        pieces, at = [], []
        for start, values in readings.items():
            rows_ = kept[first_start[kept] == start]
            if len(rows_):
                pieces.append(values[ours].take(pa.array(rows_)))
                at.append(rows_)
        if len(pieces) == 1:
            result[ours] = _categorical(pieces[0])
        elif not pieces:
            result[ours] = _categorical(pa.array([], pa.string()))
        else:  # rows read from different starts: merge them back in the rows' order (rare)
            merged = pa.concat_arrays([_strings(piece) for piece in pieces])
            result[ours] = _categorical(merged.take(pa.array(np.argsort(np.concatenate(at), kind="stable"))))
    return kept, result


def _strings(values: pa.Array) -> pa.Array:
    """A dictionary array's values as plain strings."""
    return values.dictionary.take(values.indices) if pa.types.is_dictionary(values.type) else values


def _parse_rows(texts: list[str], fields: int, delimiter: str, wanted: list[int]) -> dict[int, pa.Array]:
    """Rows that all have this many fields, parsed as one CSV: the wanted fields, dictionary-encoded."""
    table = pacsv.read_csv(
        pa.py_buffer("\n".join(texts).encode() + b"\n"),
        read_options=pacsv.ReadOptions(column_names=[f"f{i}" for i in range(fields)], use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=_count_as_wrong),
        convert_options=pacsv.ConvertOptions(include_columns=[f"f{i}" for i in wanted],
                                             column_types={f"f{i}": CATEGORY for i in wanted}))
    if table.num_rows != len(texts):
        raise PipelineError(f"{len(texts)} rows of {fields} fields re-read as {table.num_rows} rows",
                            fix="a quoting pattern the loader does not know: report it")
    return {i: table[f"f{i}"].combine_chunks() for i in wanted}


def _count_as_wrong(row) -> str:
    return "skip"  # the row count check above then names the problem


def _categorical(values: pa.Array) -> pa.Array:
    """Strings as the well-formed rows hold them: empty values missing, dictionary-encoded with only the values
    present. A dictionary array is recoded on its codes, not its strings."""
    if not pa.types.is_dictionary(values.type):
        return pc.dictionary_encode(pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values))
    codes = values.indices.to_numpy(zero_copy_only=False)
    used = np.flatnonzero(np.bincount(codes, minlength=len(values.dictionary)))  # (their order does not matter:
    words = values.dictionary.take(pa.array(used))  # sneep.load sorts the categories)
    present = ~pc.equal(words, "").to_numpy(zero_copy_only=False)
    recode = np.full(len(values.dictionary) + 1, -1, dtype=np.int32)
    recode[used[present]] = np.arange(int(present.sum()), dtype=np.int32)
    new_codes = recode[codes]
    indices = pa.array(new_codes, pa.int32(), mask=new_codes < 0)
    return pa.DictionaryArray.from_arrays(indices, words.filter(pa.array(present)))


def _passes(checks: dict[str, Check], values: dict[str, str]) -> bool:
    return all(values[o] == "" or check(values[o]) for o, check in checks.items() if o in values)


def _ours(chosen: dict[str, str], name: str) -> str:
    return next(ours for ours, theirs in chosen.items() if theirs == name)


def _describe(number: int | None, text: str) -> str:
    where = f"line {number + 1}" if number is not None else "line unknown"
    return f"{where}: {text[:120]}"
