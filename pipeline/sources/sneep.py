"""SNEEP (Argentina): the yearly census of everyone held in a penitentiary unit on 31 December.

Input: the CSV files in data/raw/sneep/ — person-level microdata downloaded by hand from the Ministry of
Justice's open-data portal into data/manual/sneep/ and copied from there by the fetch stage (optional:
usually absent). Outputs: data/interim/sneep.parquet, one row per
person with only the columns the Argentina chapter needs, categorical; and data/interim/sneep_load_report.json,
which says what was read, repaired, recovered and rejected — or that no microdata is available.

    python -m pipeline.sources.sneep

Layouts accepted: the snake_case releases (one year or many years per file; `anio_censo` or `censo_anio`,
`sexo_*` or `genero_*`), the query tool's export (latin-1, ';', CamelCase headers), and the 2017 file
with its broken header. See ../shared/specs/sneep.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io, longtable, params, paths
from pipeline.errors import PipelineError, cli
from pipeline.settings import Sneep
from pipeline.sources import file_cache, sneep_csv

SOURCE = "sneep"
PARQUET = paths.interim_parquet(SOURCE)
REPORT = paths.SNEEP_LOAD_REPORT
DATASET_PAGE = "http://datos.jus.gob.ar/dataset/sneep"
GENDER_CROSSWALK = paths.SNEEP_GENDER_CROSSWALK
OFFENCE_CROSSWALK = paths.SNEEP_OFFENCE_CROSSWALK

# Our column -> its normalised header names across releases, first present wins.
COLUMNS = {
    "census_year": ("censo_anio", "anio_censo", "ano_censo", "censo_ano"),  # census of 31 December
    # SNEEP's own province code. Later releases call it provincia_sneep_id and reuse provincia_id for the
    # INDEC code (called provincia_indec_id until 2019), so provincia_id is the SNEEP code only when
    # provincia_sneep_id is absent.
    "province_id": ("provincia_sneep_id", "provincia_id"),
    "province": ("provincia_descripcion",),  # province whose service holds the person
    "establishment_id": ("establecimiento_id",),
    "establishment": ("establecimiento_descripcion",),  # penitentiary unit (names may contain commas)
    "gender_label": ("genero_descripcion", "sexo_descripcion"),  # mapped by sneep_gender.csv
    "legal_status": ("situacion_legal_descripcion",),  # Condenado (sentenced), Procesado (pre-trial), ...
    "service": ("reparticion_descripcion",),  # Federal or Provincial penitentiary service
    **{f"offence_{i}": (f"delito{i}_descripcion",) for i in range(1, 6)},  # up to five, most serious first
    "children_code": ("mujer_tiene_hijos_intramuro",),  # women only: her children live with her (coded)
}
REQUIRED = {"census_year", "province", "gender_label", "legal_status", "service", "offence_1"}
# Columns whose value in a recovered row need not appear in well-formed rows: every row of a unit with a
# comma in its name is broken, a province may have only that unit, a rare offence may appear once. Their
# checks (and those of the other columns) still decide the alignment.
NEW_VALUES = {"establishment_id", "establishment", "province_id", "province", *(f"offence_{i}" for i in range(1, 6))}
FIRST_CENSUS, LAST_PLAUSIBLE_YEAR = 2002, 2035

# Each census file's loaded table (after _tidy) is cached as
# data/interim/cache/sneep/<parser version>/<SHA-256 of the file>-<its name>.parquet, its load report in the
# Parquet's metadata: a rerun with an unchanged file reads that instead of parsing the CSV again. The parser
# version hashes the code that reads and tidies (this module, sneep_csv.py, the gender crosswalk) and the
# pandas, pyarrow and numpy versions; entries of another version are removed. The name is in the key because
# the table holds it (source_file) and is checked against it. The checks across files run on every load.
CACHE_DIR = paths.INTERIM / "cache" / SOURCE
_REPORT_KEY = b"sneep.load_report"

# mujer_tiene_hijos_intramuro: two codings. '1' means yes in both; they differ on 0 and 2.
CHILDREN_CODINGS = {
    "yes1_no2_unknown0": {"1": "yes", "2": "no", "0": "unknown"},  # current metadata
    "no0_yes1": {"0": "no", "1": "yes"},  # an older version of the metadata
}


def load(files: list[Path], *, max_rejected_rows: int = 0, children_coding: str = "auto",
         cache_dir: Path | None = None) -> tuple[pd.DataFrame, dict]:
    """Person-level microdata from the given SNEEP files, and the load report. With a `cache_dir` (the ingest
    stage passes CACHE_DIR), a file loaded before, unchanged, is read from its cache entry."""
    # Load inputs.
    genders = gender_crosswalk()
    tables, reports, new_entries = [], [], []
    version = parser_version() if cache_dir is not None else None
    with sneep_csv.system_allocator():
        for path in files:
            entry = Path(cache_dir) / version / cache_name(path) if cache_dir is not None else None
            cached = _read_cached(entry) if entry is not None else None
            if cached is None:
                table, report = sneep_csv.read(path, COLUMNS, REQUIRED, _checks(genders), NEW_VALUES)
                frame = table.to_pandas(self_destruct=True)  # frees the Arrow columns as they are converted
                del table
                frame = _tidy(frame, path, genders, report)
                if entry is not None:  # as read now: the steps below change the frames in place
                    new_entries.append((entry, pa.Table.from_pandas(frame, preserve_index=False), report))
            else:
                frame, report = cached
            tables.append(frame)
            reports.append(report)
    check_inputs(tables, reports, files, max_rejected_rows)

    # Process data: one table, with the women-with-children coding decided census by census.
    microdata = _concat(tables)
    microdata["children_in_prison"], codings = _children(microdata, children_coding)
    check_outputs(microdata, reports)
    if cache_dir is not None:  # the cache changes only after a load that passed every check
        for entry, table, report in new_entries:
            _write_cached(entry, table, report)
        file_cache.remove_other_versions(Path(cache_dir), keep=version)
    return microdata, {"available": True, "files": reports, "children_coding_by_year": codings,
                       "rows": len(microdata)}


def parser_version() -> str:
    """A hash of the code that reads and tidies a file and of the libraries it uses."""
    return file_cache.code_version([Path(__file__), Path(sneep_csv.__file__), GENDER_CROSSWALK],
                                   ("pandas", "pyarrow", "numpy"))


def cache_name(path: Path) -> str:
    """'<SHA-256 of the file's bytes>-<its name>.parquet' (the table holds the name, and checks it)."""
    return file_cache.entry_name(path)


def _read_cached(entry: Path) -> tuple[pd.DataFrame, dict] | None:
    """A cache entry as (tidy table, load report); None when absent or unreadable (then the file is parsed)."""
    table = file_cache.read(entry)
    try:
        report = json.loads(table.schema.metadata[_REPORT_KEY])
        return table.to_pandas(self_destruct=True), report
    except (AttributeError, KeyError, TypeError, ValueError):  # absent, or not an entry this code wrote
        return None


def _write_cached(entry: Path, table: pa.Table, report: dict) -> None:
    """An entry: a file's tidy table (converted to Arrow before the load changed it), its report in the metadata."""
    file_cache.write(entry, table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _REPORT_KEY: json.dumps(report, ensure_ascii=False).encode()}))


def gender_crosswalk() -> dict[str, str]:
    """Every historical gender label (normalised) -> our coding, from sneep_gender.csv."""
    crosswalk = pd.read_csv(GENDER_CROSSWALK, dtype=str, keep_default_na=False)
    unknown = sorted(set(crosswalk["gender"]) - set(longtable.SEXES))
    if unknown:
        raise PipelineError(f"codes {unknown} are not in longtable.SEXES", file=GENDER_CROSSWALK,
                            column="gender", fix=f"use one of {list(longtable.SEXES)}")
    return dict(zip(crosswalk["label"].map(_normal), crosswalk["gender"]))


def offence_groups() -> dict[str, str]:
    """Drug-offence labels (normalised) -> drug_law or drug_smuggling, from sneep_offences.csv."""
    crosswalk = pd.read_csv(OFFENCE_CROSSWALK, dtype=str, keep_default_na=False)
    return dict(zip(crosswalk["label"].map(_normal), crosswalk["group"]))


def check_inputs(tables, reports, files, max_rejected_rows: int) -> None:
    rejected = sum(r["rows_rejected"] for r in reports)
    if rejected > max_rejected_rows:
        worst = max(reports, key=lambda r: r["rows_rejected"])
        raise PipelineError(
            f"{rejected} row(s) could not be read without guessing which field is which (most in "
            f"{worst['file']}: {worst['rows_rejected']}; e.g. {worst['rejected_examples'][:2]})",
            fix=f"params.yaml sneep.max_rejected_rows is {max_rejected_rows}: inspect these rows, and "
                "raise it only if you accept losing them from every count (the load report lists them)")
    years = {}
    for table, path in zip(tables, files):
        for year in sorted(table["census_year"].unique().tolist()):
            if year in years:
                raise PipelineError(f"census {year} is in both {years[year].name} and {path.name}",
                                    file=path, fix=f"keep one release per census in "
                                                   f"{paths.relative(paths.manual_dir(SOURCE))}/")
            years[year] = path


def check_outputs(microdata: pd.DataFrame, reports: list[dict]) -> None:
    loaded = sum(r["rows_loaded"] for r in reports)
    assert len(microdata) == loaded, f"{loaded} rows read but {len(microdata)} kept"
    assert microdata["gender"].notna().all(), "every person has a gender code (possibly 'unknown')"


def available_files(raw_dir: Path | None = None) -> list[Path]:
    """The microdata CSVs present (any letter case: sneep-2022.csv or SNEEP-2022.CSV), in a fixed order."""
    folder = raw_dir or paths.raw_dir(SOURCE)
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv") if folder.is_dir() else []


def save(microdata: pd.DataFrame, report: dict) -> None:
    """Write the Parquet (categorical columns kept) and the load report, byte-stable."""
    with io.target(PARQUET).open("wb") as handle:
        pq.write_table(pa.Table.from_pandas(microdata, preserve_index=False), handle)
    io.write_text(REPORT, json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def empty() -> pd.DataFrame:
    """A microdata table with no rows and the real columns and dtypes."""
    columns = {c: pd.Categorical([]) for c in COLUMNS if c != "census_year"}
    table = pd.DataFrame({"census_year": pd.Series([], dtype="int16"), **columns,
                          "gender": pd.Categorical([], categories=longtable.SEXES)})
    table["children_in_prison"] = pd.Categorical([])
    table["source_file"] = pd.Categorical([])
    return table


def _tidy(table: pd.DataFrame, path: Path, genders: dict, report: dict) -> pd.DataFrame:
    """Year as a number, gender in our coding, the file's name on each row."""
    column = report["columns_used"]["census_year"]
    if table["census_year"].isna().any():
        raise PipelineError(f"{int(table['census_year'].isna().sum())} row(s) without a census year",
                            file=path, column=column, fix="the census year is required on every row")
    years = table["census_year"].cat  # a handful of categories: check and convert those, not every row
    for label in years.categories:
        if not _is_year(str(label)):
            problem = ("is not a year" if not re.fullmatch(r"\d{4}", str(label)) else
                       f"is outside the SNEEP censuses ({FIRST_CENSUS}–{LAST_PLAUSIBLE_YEAR})")
            raise PipelineError(f"census year {str(label)!r} {problem}", file=path,
                                row=_first_line_with(path, report, str(label)), column=column,
                                fix="the row is damaged or the file is not SNEEP microdata: download it again")
    _check_year_in_name(path, set(years.categories.astype(int)))
    table["census_year"] = years.categories.astype("int16").to_numpy()[years.codes.to_numpy()]
    labels = table["gender_label"].cat.categories
    unknown = [label for label in labels if _normal(label) not in genders]
    if unknown:
        raise PipelineError(f"gender label '{unknown[0]}' is not in the crosswalk",
                            file=path, row=_first_line_with(path, report, unknown[0]),
                            column=report["columns_used"]["gender_label"],
                            fix=f"add it to {GENDER_CROSSWALK.name} with our code and a note")
    # Map the categories, not the rows: a missing label is 'unknown'.
    ours = np.array([longtable.SEXES.index(genders[_normal(label)]) for label in labels] or [0])
    codes = table["gender_label"].cat.codes.to_numpy()
    table["gender"] = pd.Categorical.from_codes(
        np.where(codes >= 0, ours[codes], longtable.SEXES.index("unknown")), categories=longtable.SEXES)
    table["source_file"] = pd.Categorical.from_codes(np.zeros(len(table), dtype="int8"), [path.name])
    return table


def _check_year_in_name(path: Path, years: set[int]) -> None:
    """A year in the file name must be one the file holds. A release covering many censuses is named after its
    last (sneep-2022.csv holds 2002–2022): accepted. A one-year file named after another year is a mix-up."""
    named = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", path.name)}
    if len(named) == 1 and not named & years:
        (year,) = named
        raise PipelineError(f"file name says {year} but the file holds census year(s) "
                            f"{', '.join(map(str, sorted(years)))}", file=path,
                            fix="rename the file after the census it holds, or download the right year")


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate keeping every text column categorical (the union of the files' categories)."""
    if not tables:
        return empty()
    columns = [c for c in tables[0].columns if c not in ("census_year", "gender")]
    for column in columns:
        categories = sorted(set().union(*(t[column].cat.categories for t in tables)))
        for table in tables:
            if list(table[column].cat.categories) != categories:
                table[column] = table[column].cat.set_categories(categories)
    return tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)


def _children(microdata: pd.DataFrame, coding: str) -> tuple[pd.Categorical, dict[str, str]]:
    """Women: whether her children live with her (yes / no / unknown); others: missing."""
    answers = ["yes", "no", "unknown"]
    gender = microdata["gender"].cat
    women = np.append(gender.categories.isin(["female", "trans_women"]), False)[gender.codes.to_numpy()]
    year_at, years = pd.factorize(microdata["census_year"].to_numpy()[women], sort=True)  # the women's censuses
    codes = microdata["children_code"].cat.codes.to_numpy()[women] + 1  # 0 where the field is empty
    labels = [str(label) for label in microdata["children_code"].cat.categories]
    # A coding per census, decided on the codes its women have (one pass over the rows), mapped on the labels.
    present_in = np.zeros((len(years), len(labels) + 1), dtype=bool)
    present_in[year_at, codes] = True
    by_year_and_code = np.empty((len(years), len(labels) + 1), dtype=np.int8)
    chosen = {}
    for at, year in enumerate(years):
        present = {labels[code - 1] for code in np.flatnonzero(present_in[at]) if code > 0}
        name = coding if coding != "auto" else ("yes1_no2_unknown0" if "2" in present else "no0_yes1")
        unexpected = present - set(CHILDREN_CODINGS[name])
        if unexpected:
            raise PipelineError(f"census {year}: mujer_tiene_hijos_intramuro has codes {sorted(unexpected)} "
                                f"outside the {name} coding", fix="set sneep.children_coding to match")
        by_year_and_code[at] = [answers.index("unknown")] + [  # empty: unknown
            answers.index(CHILDREN_CODINGS[name].get(label, "unknown")) for label in labels]
        chosen[str(year)] = name
    answer = np.full(len(microdata), -1, dtype=np.int8)  # -1: missing (not a woman)
    answer[women] = by_year_and_code[year_at, codes]
    return pd.Categorical.from_codes(answer, categories=answers), chosen


def _first_line_with(path: Path, report: dict, value: str) -> int | None:
    """The file line (1 = header) where a value first appears as a whole field (else as part of a line, e.g.
    quoted): for error messages only. '202' is found on its own line, not inside '2020'."""
    encoding = "latin-1" if report["encoding"] == "latin-1" else "utf-8-sig"
    delimiter, inside = report["delimiter"], None
    with open(path, encoding=encoding, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if value in line:
                if value in line.rstrip("\r\n").split(delimiter):
                    return number
                inside = inside or number
    return inside


def _checks(genders: dict[str, str]) -> dict[str, sneep_csv.Check]:
    """What a value in the right column looks like: used to align a broken header and to recover rows."""
    def is_text(value: str) -> bool:
        return not value.isdigit()

    return {"census_year": _is_year, "gender_label": lambda label: _normal(label) in genders,
            "province_id": str.isdigit, "establishment_id": str.isdigit, "children_code": str.isdigit,
            "service": lambda value: bool(re.search("federal|provincial", _normal(value))),
            **{c: is_text for c in ("province", "establishment", "legal_status")},
            **{f"offence_{i}": is_text for i in range(1, 6)}}


def _is_year(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", text)) and FIRST_CENSUS <= int(text) <= LAST_PLAUSIBLE_YEAR


def _normal(label: str) -> str:
    return sneep_csv.normalise_name(label)


@cli
def main() -> None:
    settings = params.read(Sneep)
    files = available_files()
    with io.transaction():
        if not files:
            # The normal case on machines without the manual download: say so, do not fail.
            manual = paths.relative(paths.manual_dir(SOURCE))
            save(empty(), {"available": False, "files": [], "rows": 0,
                           "reason": f"no SNEEP microdata CSV in {manual}/", "manual_download": DATASET_PAGE})
            print(f"sneep: no microdata in {manual}/ (optional; see README 'Adding SNEEP microdata')")
            return
        try:
            microdata, report = load(files, max_rejected_rows=settings.max_rejected_rows,
                                     children_coding=settings.children_coding, cache_dir=CACHE_DIR)
        except PipelineError as error:  # name the file the user put in data/manual/sneep/, not its copy
            if error.file is not None and Path(error.file).parent == paths.raw_dir(SOURCE):
                error.file = paths.manual_dir(SOURCE) / Path(error.file).name
            raise
        save(microdata, report)
    print(f"sneep: {len(microdata):,} persons from {len(files)} file(s) -> {paths.relative(PARQUET)}")


if __name__ == "__main__":
    main()
