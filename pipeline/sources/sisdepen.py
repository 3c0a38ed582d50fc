"""SISDEPEN per-establishment files (SENAPPEN): one row per prison unit and semester, read into a tidy table.

Each semester file has one header row whose levels are joined by ` | `, e.g.
`4.1 População prisional | Presos provisórios (sem condenação) | Justiça Estadual Feminino`. We parse every
header into (block, item, court, sex) so the code below names meanings, never column positions, and keep
only the two blocks the briefing uses: 4.1 (people by legal situation, court and sex) and 5.14 (offence
incidences by sex), plus the two totals by sex of block 1.3 (the unit's places for men and for women) and of block
5.1 (the unit's people counted by age group, a second count of the people of block 4.1 on the same form), read as
evidence beside a unit's people (the Brazil chapter's `unit_jump` rule), never summed into a published number.
Identifying columns are read from an allow-list, so personal data (the official who filled in the form, phone
numbers, addresses) is never read at all.

Output: `data/interim/sisdepen.parquet`, one row per establishment x period x block x item x court x sex
for every non-blank cell (parts only: the file's `Total` columns are checked against the parts, not kept; blocks 1.3
and 5.1 are the exception, their two totals by sex are their only columns read),
plus `data/interim/sisdepen_files.csv`, which says for every file whether it was used and why not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline import io, parallel, paths, safe_xlsx
from pipeline.errors import PipelineError, cli
from pipeline.sources import file_cache

SOURCE_ID = "sisdepen"
FILE_GLOB = "dados-sisdepen-*.xlsx"

# Identifying columns kept (source header -> our name). Everything else outside BLOCKS and TOTALS_ONLY is never
# read.
IDENTITY = {
    "UF": "state",  # unidade federativa: two-letter state code
    "Município": "municipality",  # municipality of the unit
    "Nome do Estabelecimento": "unit_name",  # establishment name; also how monitoring pseudo-units are recognised
    "Âmbito": "jurisdiction",  # Estadual (state) or Federal system
}

# Brazil's 26 states and the Federal District (UF codes): every state reports its units in each semester file.
STATES = ("AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE", "PI", "PR",
          "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO")

# Columns that hold personal data; they must never reach an output (checked before saving).
PERSONAL = ("Responsável pela Finalização", "Telefone Principal", "Endereço", "Bairro", "CEP",
            "Endereço de E-mail", "Endereço IP", "Nome do responsável pelo preenchimento:")

# Header blocks read (normalised source text -> our name).
BLOCKS = {
    "4.1 População prisional": "population",  # people held on the last day of the semester
    "5.14 Quantidade de incidências por tipo penal": "incidences",  # offence records; one person may have several
}

# Block 1.3, the unit's capacity: only its two totals by sex are read, as the unit's places for men and for women.
# In every file from 2016-12 to 2021-12 each total equals the sum of its parts (places by legal situation and
# regime) wherever it is filled, and is blank only where every part is (tests/sources/test_sisdepen.py reads the
# parts to check). Evidence beside a unit's people, never part of a published number.
CAPACITY_BLOCK = "1.3 Capacidade do estabelecimento"
CAPACITY = {f"{CAPACITY_BLOCK} | Masculino | Total": "Masculino", f"{CAPACITY_BLOCK} | Feminino | Total": "Feminino"}

# Block 5.1, the unit's people by age group: only its two totals by sex are read, as a second count of the unit's
# people on the same form (where filled, it equals block 4.1's count of that sex in most units: a count far from
# it in one semester only is more likely an entry error in one of the two blocks). In every file from 2016-12 to
# 2021-12 each total equals the sum of its 8 age groups wherever it is filled, and is blank only where every group
# is (tests/sources/test_sisdepen.py reads the groups to check). Evidence, never part of a published number.
AGE_BLOCK = "5.1 Quantidade de pessoas privadas de liberdade por faixa etária"
AGE_TOTALS = {f"{AGE_BLOCK} | Masculino | Total": "Masculino", f"{AGE_BLOCK} | Feminino | Total": "Feminino"}

# Every block in the tidy table (source text -> our name).
BLOCK_NAMES = {**BLOCKS, CAPACITY_BLOCK: "capacity", AGE_BLOCK: "people_by_age"}
# The columns read from blocks 1.3 and 5.1: their totals by sex (total column -> (block, sex)).
TOTALS_ONLY = {**{name: (CAPACITY_BLOCK, sex) for name, sex in CAPACITY.items()},
               **{name: (AGE_BLOCK, sex) for name, sex in AGE_TOTALS.items()}}

# Block 4.1 items: legal situation (situação jurídica).
LEGAL_SITUATIONS = {
    "Presos provisórios (sem condenação)": "pre_trial",  # held without conviction
    "Presos sentenciados - regime fechado": "closed",  # sentenced, closed regime
    "Presos sentenciados - regime semiaberto": "semi_open",  # sentenced, semi-open regime
    "Presos sentenciados - regime aberto": "open",  # sentenced, open regime
    "Medida de segurança - internação": "security_internment",  # security measure, internment
    "Medida de segurança - tratamento ambulatorial": "security_outpatient",  # security measure, outpatient
}

COURTS = {"Justiça Estadual": "state", "Justiça Federal": "federal", "Outros(Just. Trab., cível)": "other"}
SEXES = {"Masculino": "male", "Feminino": "female", "Total": "total"}

# The only columns of blocks 4.1 and 5.14 that are not split by sex (item -> why it is not read). Any other
# column whose last level is neither a sex nor a court and sex is an error: a renamed label (e.g. 'Feminina')
# must stop the ingest, never drop its column silently.
UNSPLIT_ITEMS = {
    # people in the Regime Disciplinar Diferenciado (solitary regime): a subset of the people counted, not a part
    "Quantas pessoas privadas de liberdade estão em Regime Disciplinar Diferenciado?": "subset count",
    # does the unit keep records of offences? (answered in text)
    "O estabelecimento detém alguma forma de registro que permite a obtenção desta informação?": "text answer",
    # how are offences recorded? (answered in text)
    "Como é registrada essa informação?": "text answer",
}

_PERIOD_IN_NAME = re.compile(r"(?P<half>jan-jun|jul-dez)-(?P<year>\d{4})")
_MONTH_OF_HALF = {"jan-jun": "06", "jul-dez": "12"}

# The 2016-06 file comes from an older survey (1,122 columns, different wording and levels). The variable
# dictionary (dicionario_infopen.xlsx, v0001-v1331) documents only the 1,331-column layout, so there is no
# documented mapping; the file is excluded, and this reason is written into sisdepen_files.csv.
LEGACY_LAYOUT_REASON = ("older survey layout (1,122 columns) not covered by the variable dictionary "
                        "(v0001-v1331); population and offence blocks are worded and split differently, so "
                        "the cycle is not comparable and is excluded")

COLUMNS = ["period", "state", "unit_row", "unit_name", "municipality", "jurisdiction", "block", "item",
           "court", "sex", "value"]
KEY = ["period", "unit_row", "block", "item", "court", "sex"]  # the tidy table's order (unique per row)

# Each file's parsed table is cached as data/interim/cache/sisdepen/<parser version>/<SHA-256>-<name>.parquet,
# so a rerun, or a new semester, parses only the files not seen before. The parser version is a hash of the
# code that parses (this module, pipeline/safe_xlsx.py) and of the calamine, pandas and pyarrow versions: any
# change to them starts a new folder and the old ones are removed. A cache entry holds exactly what
# read_semester returned (its note in the Parquet metadata), so every per-file check ran when it was written;
# the checks across files and on the output run on every load.
CACHE_DIR = paths.INTERIM / "cache" / SOURCE_ID
_NOTE_KEY, _USED_KEY = b"sisdepen.note", b"sisdepen.used"
_NUMERIC_KINDS = {"floating", "integer", "mixed-integer-float", "empty"}  # pandas' infer_dtype: all numbers


class Header(NamedTuple):
    """The meaning of one source column."""

    block: str  # e.g. '4.1 População prisional'
    item: str  # levels between block and court/sex, joined by ' | ' ('' for block totals)
    court: str | None  # 'Justiça Estadual', ... (block 4.1 only)
    sex: str | None  # 'Masculino', 'Feminino', 'Total', or None for an UNSPLIT_ITEMS column


def load(raw_dir: Path, cache_dir: Path | None = CACHE_DIR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All semester files as one tidy table (checked with check_outputs), and the list of files with whether
    each was used and why. Files not in the cache (`cache_dir`; None: no cache) are parsed in parallel, one
    process per core."""
    # Load inputs: every semester file, in a stable order so outputs do not depend on directory listing.
    files = sorted(Path(raw_dir).glob(FILE_GLOB))
    if not files:
        raise PipelineError(f"no SISDEPEN files ({FILE_GLOB})", file=raw_dir,
                            fix="run the fetch stage first (`dvc repro fetch`)")
    tables, file_log = {}, []
    results, commit = _read_semesters(files, cache_dir)
    for path, (table, note) in zip(files, results):
        file_log.append({"file": path.name, "period": period_from_name(path), "used": table is not None,
                         "note": note})
        if table is not None:
            tables[path] = table
    if not tables:
        raise PipelineError(f"none of the {len(files)} SISDEPEN file(s) has a layout the reader knows",
                            file=raw_dir, fix="see data/interim/sisdepen_files.csv's reasons in a full run, or "
                                              "fetch the semester files again (`dvc repro fetch`)")
    # Check inputs: a sex that vanishes from a block between two semesters is a parsing or publishing fault.
    check_no_sex_vanishes(tables)
    # Process data: one table, sorted by its key, so the Parquet is byte-stable across reruns. Each file's
    # table is already in key order within its period: with one file per period, ordering the files by period
    # orders the whole table.
    by_period = sorted(tables.items(), key=lambda item: period_from_name(item[0]))
    tidy = pd.concat([table for _, table in by_period], ignore_index=True)
    periods = [period_from_name(path) for path, _ in by_period]
    if len(set(periods)) < len(periods):  # two files of one semester (the output check then names the key)
        tidy = tidy.sort_values(KEY, kind="stable")
    tidy = _single_chunks(tidy.reset_index(drop=True)[COLUMNS])
    check_outputs(tidy)
    commit()  # the cache changes only after a load that passed every check
    return tidy, pd.DataFrame(file_log)


def _read_semesters(files: list[Path], cache_dir: Path | None) -> tuple[list[tuple[pd.DataFrame | None, str]], Callable]:
    """read_semester of each file, in the order given: from the cache when the file (by its SHA-256) was
    parsed before by this parser version, otherwise parsed (in parallel on the available cores); and a function
    that writes the new cache entries (called once the whole load has passed its checks). An error is the one
    of the first failing file in the order given, as if they were read one by one."""
    entries = [None] * len(files)
    if cache_dir is not None:
        folder = Path(cache_dir) / parser_version()
        entries = [folder / cache_name(path) for path in files]
    results = [_read_cached(entry) if entry is not None else None for entry in entries]
    missing = [i for i, result in enumerate(results) if result is None]
    _progress(f"{len(files)} semester files: {len(files) - len(missing)} read from the cache, {len(missing)} to parse")
    for i, result in zip(missing, _parse_all([files[i] for i in missing])):
        results[i] = result

    def commit() -> None:
        if cache_dir is None:
            return
        for i in missing:
            _write_cached(entries[i], *results[i])
        file_cache.remove_other_versions(Path(cache_dir), keep=folder.name)

    return results, commit


def parser_version() -> str:
    """A hash of the parsing code and the libraries it depends on: a cache entry of another version is never used."""
    return file_cache.code_version([Path(__file__), Path(safe_xlsx.__file__)],
                                   ("python-calamine", "pandas", "pyarrow", "numpy"))


def _parse_all(files: list[Path]) -> list[tuple[pd.DataFrame | None, str]]:
    """read_semester of each file, in a process pool sized by the cores when there is more than one file."""
    if min(len(files), parallel.cores()) <= 1:
        return [_parsed(read_semester(path), path, i, len(files)) for i, path in enumerate(files, 1)]
    outcomes = [_parsed(outcome, path, i, len(files))
                for i, (path, outcome) in enumerate(zip(files, parallel.fork_map(_read_semester_in_worker, files)), 1)]
    for outcome in outcomes:  # in the files' order: the first failing file's error, as when read one by one
        if outcome[0] == "error":
            raise PipelineError(**outcome[1])
    return [outcome[1] for outcome in outcomes]


def _progress(message: str) -> None:
    """A line on the terminal per file while the stage runs (a few seconds when nothing is cached: the files are
    parsed side by side, one per core)."""
    print(f"{SOURCE_ID}: {message}", flush=True)


def _parsed(outcome, path: Path, number: int, count: int):
    _progress(f"parsed {number}/{count} {path.name}")
    return outcome


def _read_semester_in_worker(path: Path) -> tuple[str, object]:
    """read_semester in a pool process; a PipelineError comes back as its fields (exceptions lose them in pickling)."""
    try:
        return "table", read_semester(path)
    except PipelineError as error:
        return "error", {"problem": error.problem, "file": error.file, "row": error.row, "column": error.column,
                         "fix": error.fix}


def cache_name(path: Path) -> str:
    """'<SHA-256 of the file's bytes>-<its name>.parquet': the name is in the key because the period is read
    from it (the same bytes under another semester's name give other rows)."""
    return file_cache.entry_name(path)


def _read_cached(entry: Path) -> tuple[pd.DataFrame | None, str] | None:
    """A cache entry as read_semester returned it; None when absent or unreadable (then the file is parsed)."""
    table = file_cache.read(entry)
    try:
        metadata = table.schema.metadata or {}
        note, used = metadata[_NOTE_KEY].decode(), metadata[_USED_KEY] == b"1"
        frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)[COLUMNS]
    except (AttributeError, KeyError, ValueError):  # absent, or not an entry this code wrote: parse again
        return None
    return (frame if used else None), note


def _write_cached(entry: Path, table: pd.DataFrame | None, note: str) -> None:
    """An entry: the table read_semester returned (empty for an excluded layout), its note in the metadata."""
    frame = table if table is not None else _empty_table()
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    file_cache.write(entry, arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), _NOTE_KEY: note.encode(),
                                                           _USED_KEY: b"1" if table is not None else b"0"}))


def _empty_table() -> pd.DataFrame:
    strings = {c: pd.Series([], dtype="string") for c in COLUMNS}
    return pd.DataFrame({**strings, "unit_row": pd.Series([], dtype="int64"),
                         "value": pd.Series([], dtype="float64")})[COLUMNS]


def _single_chunks(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns as one Arrow chunk each, as a sort leaves them (the Parquet's bytes depend on it)."""
    for column in table.columns:
        array = table[column].array
        if isinstance(array, pd.arrays.ArrowStringArray) and array._pa_array.num_chunks > 1:
            combined = pa.chunked_array([array._pa_array.combine_chunks()])
            table[column] = pd.Series(pd.arrays.ArrowStringArray(combined), index=table.index, dtype=array.dtype)
    return table


def read_semester(path: Path) -> tuple[pd.DataFrame | None, str]:
    """One semester file as tidy rows (None for an excluded layout) and a note on how it was read.

    The rows are in key order (unit_row, block, item, court, sex): the count cells are one NumPy block,
    checked at once, and reshaped with the labels of each column coded once, not per cell."""
    period = period_from_name(path)
    rows = safe_xlsx.sheet_rows(path, 0, source=SOURCE_ID)
    headers = [normalise(h) for h in rows[0]]
    if "Nome do Estabelecimento" not in headers and "Nome da unidade prisional:" in headers:
        return None, LEGACY_LAYOUT_REASON
    check_inputs(headers, path)
    block = _sheet_block(rows)
    del rows  # the block holds the cells now
    identity = _identity_columns(block, headers)
    _check_unique_units(identity, path)
    parsed = {i: parse_header(h, file=path) for i, h in enumerate(headers) if h.split(" | ")[0] in BLOCKS}
    counts = {i: h for i, h in parsed.items() if h.sex is not None}
    counts |= {headers.index(name): Header(block, "", None, sex) for name, (block, sex) in TOTALS_ONLY.items()}
    values = _numeric_cells(block, headers, counts, path)
    note = _check_totals(values, list(counts.values()), path)
    return _tidy_parts(values, list(counts.values()), identity, period), note


def period_from_name(path: Path) -> str:
    """'jan-jun-2019' -> '2019-06', 'jul-dez-2019' -> '2019-12'; the files carry no period of their own."""
    match = _PERIOD_IN_NAME.search(Path(path).name)
    if not match:
        raise PipelineError("file name carries no semester (expected 'jan-jun-YYYY' or 'jul-dez-YYYY')",
                            file=path, fix="keep the published file names; the period is read from them")
    return f"{match['year']}-{_MONTH_OF_HALF[match['half']]}"


def normalise(text) -> str:
    """Header text with non-breaking and repeated spaces collapsed, as the dictionary spells it."""
    return re.sub(r"\s+", " ", str(text).replace("\xa0", " ")).strip()


def parse_header(text: str, file: Path | None = None) -> Header:
    """Split a ' | '-joined header into block, item, court and sex.

    In the blocks we read (BLOCKS) every column is classified: its last level is a sex, or a court and a sex,
    or the column is one of UNSPLIT_ITEMS. Anything else is an error naming the column and what was expected.
    """
    levels = [level.strip() for level in normalise(text).split(" | ")]
    block, rest = levels[0], levels[1:]
    sex = court = None
    if rest and rest[-1] in SEXES:
        sex = rest.pop()
    elif rest:
        court, sex = _court_and_sex(rest[-1])
        if court:
            rest.pop()
    if block in BLOCKS and sex is None and " | ".join(rest) not in UNSPLIT_ITEMS:
        last = f"last level '{rest[-1]}'" if rest else "no level below its block"
        raise PipelineError(
            f"cannot classify this column: {last}, where a sex ({', '.join(SEXES)}) or a court and sex "
            f"(e.g. 'Justiça Estadual Feminino') was expected", file=file, column=normalise(text),
            fix="the publisher renamed a label: if it means the same, add it to SEXES, COURTS or UNSPLIT_ITEMS "
                "in pipeline/sources/sisdepen.py; otherwise compare the file with the variable dictionary")
    return Header(block, " | ".join(rest), court, sex)


def _court_and_sex(level: str) -> tuple[str | None, str | None]:
    """'Justiça Estadual Feminino' -> ('Justiça Estadual', 'Feminino'); (None, None) if it is not one."""
    for court_name in COURTS:
        for sex_name in ("Masculino", "Feminino"):
            if level == f"{court_name} {sex_name}":
                return court_name, sex_name
    return None, None


def check_inputs(headers: list[str], path: Path) -> None:
    """Every identity column and block we need is present: a renamed upstream column fails here."""
    for name in IDENTITY:
        if name not in headers:
            raise PipelineError(f"required column '{name}' is missing", file=path, column=name,
                                fix="the publisher renamed a column: update IDENTITY in pipeline/sources/sisdepen.py")
    for constant, totals, what in (("CAPACITY", CAPACITY, "capacity"), ("AGE_TOTALS", AGE_TOTALS, "age-group")):
        for name in totals:
            if name not in headers:
                raise PipelineError(f"required column '{name}' is missing", file=path, column=name,
                                    fix=f"the publisher renamed the {what} totals: update {constant} in "
                                        "pipeline/sources/sisdepen.py")
    blocks = {h.split(" | ")[0] for h in headers}
    for block in BLOCKS:
        if block not in blocks:
            raise PipelineError(f"required block '{block}' is missing", file=path, column=block,
                                fix="the file layout changed: compare it with the variable dictionary")
    duplicated = pd.Index(headers)[pd.Index(headers).duplicated()]
    if len(duplicated):
        raise PipelineError(f"header '{duplicated[0]}' appears twice", file=path, column=duplicated[0],
                            fix="normalised headers must be unique to be matched by meaning")


def _identity_columns(block: np.ndarray, headers: list[str]) -> pd.DataFrame:
    """The IDENTITY columns of the data rows (a _sheet_block), renamed, indexed by spreadsheet row."""
    columns = {ours: [normalise(cell) for cell in block[:, headers.index(theirs)]] for theirs, ours in IDENTITY.items()}
    table = pd.DataFrame(columns, dtype="string")
    table.index = pd.RangeIndex(2, len(block) + 2, name="unit_row")  # spreadsheet row number
    return table


def _sheet_block(rows: list[list]) -> np.ndarray:
    """The data rows (below the header) as one 2-D object array, short rows padded with blanks."""
    width = max((len(row) for row in rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [list(row) + [""] * (width - len(row)) for row in rows]
    block = np.empty((len(rows) - 1, width), dtype=object)
    if len(rows) > 1:
        block[:] = rows[1:]
    return block


def _check_unique_units(identity: pd.DataFrame, path: Path) -> None:
    """One row per establishment and semester: a repeated row would be counted twice."""
    key = ["state", "municipality", "unit_name"]
    repeated = identity[identity.duplicated(key, keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = repeated.index[(repeated[key] == first[key]).all(axis=1)].tolist()
        raise PipelineError(f"establishment {first['unit_name']!r} ({first['municipality']}, {first['state']}) "
                            f"appears on rows {rows}", file=path, row=rows[1], column="Nome do Estabelecimento",
                            fix="a row was pasted twice or the file is damaged: fetch it again, or delete the "
                                "repeated row and record it in data/corrections/sisdepen.yaml")


def check_no_sex_vanishes(tables: dict[Path, pd.DataFrame]) -> None:
    """Women or men present in a block in one semester cannot be absent from it in the next.

    Every state reports both sexes in blocks 4.1 and 5.14 in every semester, so a sex whose values sum to
    zero in a whole file, after a semester with values, means a label the parser did not read or columns
    left blank by the publisher. Either way the national figures would silently lose that sex.
    """
    previous: tuple[str, pd.Series] | None = None
    for path, table in sorted(tables.items(), key=lambda item: period_from_name(item[0])):
        sums = table.groupby(["block", "sex"])["value"].sum()
        if previous is not None:
            before_period, before = previous
            for (block, sex), value in before.items():
                if value > 0 and sums.get((block, sex), 0) == 0:
                    label = {v: k for k, v in SEXES.items()}[sex]
                    header = {v: k for k, v in BLOCK_NAMES.items()}[block]
                    raise PipelineError(
                        f"block '{header}' has no '{label}' values in this file, while {before_period} had "
                        f"{value:,.0f}", file=path, column=f"{header} | ... | {label}",
                        fix="a sex label may be misspelt or its columns blank: compare the header with the "
                            "variable dictionary and the previous semester's file")
        previous = (period_from_name(path), sums)


def _numeric_cells(block: np.ndarray, headers: list[str], counts: dict[int, Header], path: Path) -> np.ndarray:
    """The count cells as one float block (units x count columns in `counts` order; a blank is NaN).

    Types are checked once for the whole block: blanks ('' or None) become NaN and every other cell must be a
    number (int or float). Text, a negative or a fractional count is an error naming its row and column: the
    first bad column in `counts` order, and in it text before numbers, the first row first."""
    cells = block[:, list(counts)]
    blank = (cells == "") | np.equal(cells, None)
    filled = np.where(blank, np.nan, cells)
    text = None
    if pd.api.types.infer_dtype(filled.ravel(), skipna=False) in _NUMERIC_KINDS:
        values = filled.astype(np.float64)
    else:  # some cell is not a number: find which, with the same rule (only on a faulty file)
        number = np.frompyfunc(lambda cell: isinstance(cell, (int, float)), 1, 1)(filled).astype(bool)
        text, values = ~number, np.where(number, filled, np.nan).astype(np.float64)
    # Whole and >= 0: `values != floor(values)` is `values % 1 != 0` for finite values, in a tenth of its time (NumPy's
    # float remainder was 40% of this function); an infinite count is bad too.
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((values < 0) | (values != np.floor(values)) | np.isinf(values))
    bad_columns = bad.any(axis=0) if text is None else bad.any(axis=0) | text.any(axis=0)
    if bad_columns.any():
        at = int(np.argmax(bad_columns))
        column = headers[list(counts)[at]]
        if text is not None and text[:, at].any():
            row = int(np.argmax(text[:, at]))
            raise PipelineError(f"text {filled[row, at]!r} in a count column", file=path, row=row + 2,
                                column=column, fix="correct the cell or report it to the publisher")
        row = int(np.argmax(bad[:, at]))
        raise PipelineError(f"count {values[row, at]} is negative or fractional", file=path, row=row + 2,
                            column=column,
                            fix="correct the cell or report it to the publisher; counts are whole and >= 0")
    return values


def _check_totals(values: np.ndarray, headers: list[Header], path: Path) -> str:
    """Block 4.1 parts must sum to the file's own total per unit; where the total is absent, say so. (Blocks 1.3's
    and 5.1's totals are not checked here: their parts are not read.)"""
    population = np.array([h.block == "4.1 População prisional" for h in headers], dtype=bool)
    total = [i for i, h in enumerate(headers) if population[i] and h.sex == "Total" and h.item == ""]
    if not total:
        return "no population total column: totals are the sum of the parts"
    parts_columns = population & np.array([h.sex != "Total" for h in headers], dtype=bool)
    parts = np.nansum(values[:, parts_columns], axis=1)
    published = np.nan_to_num(values[:, total[0]], nan=0.0)
    differ = np.flatnonzero(parts != published)
    if len(differ):
        first = int(differ[0])
        raise PipelineError(f"population parts sum to {parts[first]:g} but the total says "
                            f"{published[first]:g} ({len(differ)} unit(s) in all)", file=path, row=first + 2,
                            column="4.1 População prisional | Total",
                            fix="sum the parts or the totals, never both: find which is wrong")
    return "population parts checked against the file's total column: all units agree"


def _tidy_parts(values: np.ndarray, headers: list[Header], identity: pd.DataFrame, period: str) -> pd.DataFrame:
    """The non-blank part cells (not the `Total` columns; blocks 1.3's and 5.1's totals, their only columns read, as
    their parts) as long rows in key order, in our codes.

    Each column's labels are recoded once; the rows are the block's cells read unit by unit, with the columns
    ordered by (block, item, court, sex), so the rows come out sorted without a sort."""
    labels = [(BLOCK_NAMES[h.block], LEGAL_SITUATIONS.get(h.item, h.item), COURTS.get(h.court or "", ""), SEXES[h.sex])
              for h in headers]
    parts = [i for i, h in enumerate(headers) if h.sex != "Total"]
    present = ~np.isnan(values[:, parts]).all(axis=0) if values.shape[0] else np.zeros(len(parts), dtype=bool)
    known = set(LEGAL_SITUATIONS.values())
    for column, has_values in zip(parts, present):
        if has_values and labels[column][0] == "population" and labels[column][1] not in known:
            raise PipelineError(f"unknown legal situation '{labels[column][1]}' in block 4.1",
                                fix="add it to LEGAL_SITUATIONS in pipeline/sources/sisdepen.py")
    parts = sorted(parts, key=lambda column: labels[column])  # stable: equal keys keep the file's order
    block = values[:, parts]
    cell = np.flatnonzero(~np.isnan(block.ravel()))  # row-major: unit by unit, columns in key order
    unit, column = np.divmod(cell, len(parts)) if len(parts) else (cell, cell)
    taken = pa.array(column.astype(np.int64))
    by_unit = pa.array(unit.astype(np.int64))
    arrays = {"period": pa.array([period], pa.string()).take(pa.array(np.zeros(len(cell), dtype=np.int64)))}
    for name in ("state", "unit_name", "municipality", "jurisdiction"):
        arrays[name] = pa.array(identity[name].tolist(), pa.string()).take(by_unit)
    for position, name in enumerate(("block", "item", "court", "sex")):
        arrays[name] = pa.array([labels[c][position] for c in parts], pa.string()).take(taken)
    arrays["unit_row"] = pa.array(unit.astype(np.int64) + 2)
    arrays["value"] = pa.array(block.ravel()[cell])
    table = pa.table({name: arrays[name] for name in COLUMNS})
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def check_outputs(tidy: pd.DataFrame) -> None:
    """No personal data column, unique key, and every block present in every period used."""
    leaked = [c for c in tidy.columns if c in PERSONAL or c in IDENTITY]
    if leaked:
        raise PipelineError(f"personal or unrenamed source column {leaked[0]!r} would be written",
                            fix="only IDENTITY columns (renamed) may be kept")
    key = ["period", "unit_row", "block", "item", "court", "sex"]
    if tidy.duplicated(key).any():
        raise PipelineError("tidy SISDEPEN table has duplicated keys", fix="check parse_header")
    blocks = tidy.groupby("period")["block"].nunique()
    if (blocks < len(BLOCK_NAMES)).any():
        raise PipelineError(f"period {blocks[blocks < len(BLOCK_NAMES)].index[0]} lacks a block")


@cli
def main() -> None:
    tidy, file_log = load(paths.raw_dir(SOURCE_ID))  # load ends with check_outputs
    with io.transaction():
        tidy.to_parquet(io.target(paths.interim_parquet(SOURCE_ID)), index=False)
        io.write_text(paths.SISDEPEN_FILES, io.csv_text(file_log))
    _progress(f"{len(tidy):,} tidy rows from {int(file_log['used'].sum())} of {len(file_log)} files -> "
              f"{paths.relative(paths.interim_parquet(SOURCE_ID))}{left_out(file_log)}")


def left_out(file_log: pd.DataFrame) -> str:
    """The semesters the ingest left out, each with the first words of its reason, for the stage's closing line
    (the whole reason is in data/interim/sisdepen_files.csv): a newcomer saw "11 of 12 files" and no why."""
    out = file_log[~file_log["used"].astype(bool)]
    if out.empty:
        return ""
    return ("; left out: " + ", ".join(f"{row.period} ({str(row.note).split(' (')[0]})" for row in out.itertuples())
            + f" — see {paths.relative(paths.SISDEPEN_FILES)}")


if __name__ == "__main__":
    main()
