"""The bad-input corpus: one case per way a source file, a hand-kept file or a parameter goes wrong.

A case writes its bad input into a project copy (`prepare`), names the entry point to run (`command`) and
the fragments the one-line message must contain (`expect`: the file, and the row and column where they
apply). Every case expects exit status 1, that one message, and the project copy unchanged byte for byte
(previous outputs intact, nothing staged or half-written left behind). A few inputs look broken but are
layouts a source really publishes (`outcome="accepted"`): those must load, with the exact counts.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import corpus

try:
    import sneep_generator  # tests/ is on sys.path under pytest
except ModuleNotFoundError:  # python -m tests.system.faults.report
    from tests import sneep_generator

UNODC_FILE = "data_cts_prisons_and_prisoners.xlsx"
DRUG_CRIMES_FILE = "10.1_Drug_related_crimes.xlsx"
SISDEPEN_FILE = "dados-sisdepen-jul-dez-2019.xlsx"
REPORT_FILE = "AC_dez_2019.xls"
UNODC = ("pipeline.sources.unodc_prisons",)
SISDEPEN = ("pipeline.sources.sisdepen",)
REPORTS = ("pipeline.sources.sisdepen_reports",)
PUBLISHED = ("pipeline.sources.published",)
SNEEP = ("pipeline.sources.sneep",)


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    fault: str  # what is wrong with the input, in words
    command: tuple[str, ...]
    prepare: Callable[[Path], None]  # writes the bad input into the project copy
    expect: tuple[str, ...] = ()  # fragments the message must contain
    outcome: str = "error"  # or "accepted": a real layout, which must load exactly
    accepted: Callable[[Path], None] | None = None  # checks the outputs of an accepted input
    env: Callable[[Path], dict] = field(default=lambda project: {})
    extra_parts: tuple[str, ...] = ()  # more of the main work tree to copy (outputs a notebook stage keeps)
    requires: str | None = None  # a module the case needs; the case is skipped while it does not exist


# ---- helpers that write one kind of input -----------------------------------------------------------------

def _raw(project: Path, source: str) -> Path:
    folder = project / "data" / "raw" / source
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _unodc(edit=None, data: Callable[[bytes], bytes] | None = None):
    def prepare(project: Path) -> None:
        rows = corpus.unodc_prisons_rows()
        if edit:
            edit(rows)
        content = corpus.xlsx_bytes(rows)
        (_raw(project, "unodc_prisons") / UNODC_FILE).write_bytes(data(content) if data else content)
    return prepare


def _unodc_cell(row: int, name: str, value):
    def edit(rows):
        rows[row][corpus.column(rows, name, header_row=2)] = value
    return edit


def _sisdepen(edit=None, data: Callable[[bytes], bytes] | None = None, name: str = SISDEPEN_FILE):
    def prepare(project: Path) -> None:
        rows = corpus.sisdepen_rows()
        if edit:
            edit(rows)
        content = corpus.xlsx_bytes(rows)
        (_raw(project, "sisdepen") / name).write_bytes(data(content) if data else content)
    return prepare


def _first_count_column(rows) -> int:
    from pipeline.sources import sisdepen

    for i, header in enumerate(rows[0]):
        parsed = sisdepen.parse_header(sisdepen.normalise(header)) if "|" in str(header) else None
        if parsed and parsed.block == "4.1 População prisional" and parsed.sex == "Masculino":
            return i
    raise AssertionError("no population count column")


def _sisdepen_cell(row: int, value):
    def edit(rows):
        rows[row][_first_count_column(rows)] = value
    return edit


def _report(data: Callable[[bytes], bytes] | None = None, name: str = REPORT_FILE):
    def prepare(project: Path) -> None:
        content = corpus.real_file("sisdepen_reports", REPORT_FILE).read_bytes()
        (_raw(project, "sisdepen_reports") / name).write_bytes(data(content) if data else content)
    return prepare


def _text_file(relative: str, edit: Callable[[str], str] | None = None, *, encoding: str = "utf-8",
               data: bytes | None = None):
    def prepare(project: Path) -> None:
        path = project / relative
        path.write_bytes(data if data is not None else edit(path.read_text(encoding="utf-8")).encode(encoding))
    return prepare


def _csv_cell(line: int, column: str, value: str):
    """Set one cell of a CSV kept by hand (line 1 is the header)."""
    def edit(text: str) -> str:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        rows[line - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()
    return edit


def _mirror(data: Callable[[bytes], bytes]):
    """A mirror holding a changed copy of the drug-crimes file; the previous good fetch stays in data/raw."""
    def prepare(project: Path) -> None:
        real = corpus.real_file("unodc_drug_crimes", DRUG_CRIMES_FILE)
        shutil.copytree(real.parent, _raw(project, "unodc_drug_crimes"), dirs_exist_ok=True)
        mirror = project.parent / "mirror" / "unodc"
        mirror.mkdir(parents=True, exist_ok=True)
        (mirror / DRUG_CRIMES_FILE).write_bytes(data(real.read_bytes()))
    return prepare


def _mirror_env(project: Path) -> dict:
    return {"BRIEFING_DATA_MIRROR": str(project.parent / "mirror")}


def _drug_crimes(edit_part: Callable[[str, bytes], bytes]):
    def prepare(project: Path) -> None:
        real = corpus.real_file("unodc_drug_crimes", DRUG_CRIMES_FILE)
        corpus.rewrite_zip(real, _raw(project, "unodc_drug_crimes") / DRUG_CRIMES_FILE, edit_part)
    return prepare


def _rename_sheet(name: str, data: bytes) -> bytes:
    return data.replace(b'name="Formal contact"', b'name="Formal contacts"') if name == "xl/workbook.xml" else data


def _both(*prepares):
    def prepare(project: Path) -> None:
        for step in prepares:
            step(project)
    return prepare


def _edit_line(text: str, line: int, edit: Callable[[str], str]) -> str:
    lines = text.split("\n")
    lines[line - 1] = edit(lines[line - 1])
    return "\n".join(lines)


def _params(edit: Callable[[str], str]):
    return _text_file("params.yaml", edit)


def _sneep(layout: str, years: list[int], *, edit_line: tuple[int, str, str] | None = None,
           data: bytes | None = None, **options):
    def prepare(project: Path) -> None:
        path = _raw(project, "sneep") / f"sneep_{layout}.csv"
        if data is not None:
            path.write_bytes(data)
            return
        truth = sneep_generator.write(path, layout, years, 300, seed=11, **options)
        truth.to_pickle(project.parent / "sneep_truth.pkl")
        if edit_line:
            line, old, new = edit_line
            lines = path.read_text(encoding="utf-8").splitlines()
            lines[line - 1] = lines[line - 1].replace(old, new, 1)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return prepare


def _sneep_bytes(edit: Callable[[bytes], bytes], name: str = "sneep_current.csv", years=(2021, 2022),
                 rows: int = 300):
    """A generated census file, then damaged as bytes (for defects of the file as a whole)."""
    def prepare(project: Path) -> None:
        path = _raw(project, "sneep") / name
        sneep_generator.write(path, "current", list(years), rows, seed=11, comma_names=False)
        path.write_bytes(edit(path.read_bytes()))
    return prepare


def _deep_latin1(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[-100] = lines[-100].replace("Varón".encode(), "Varón".encode("latin-1"))
    return b"\n".join(lines)


def _twice(data: bytes) -> bytes:
    header, body = data.split(b"\n", 1)
    return header + b"\n" + body + body


def _sneep_counts_match(project: Path) -> None:
    import pandas as pd

    truth = pd.read_pickle(project.parent / "sneep_truth.pkl")
    loaded = pd.read_parquet(project / "data" / "interim" / "sneep.parquet")
    key = lambda frame: frame.groupby([frame["census_year"].astype(int), frame["gender"].astype(str)]).size()
    assert key(loaded).to_dict() == key(truth).to_dict()


def _spreadsheet_csv(separator: str):
    """A hand-kept CSV as a spreadsheet program saves it under Spanish or Portuguese settings: cells separated by
    `separator`, decimals with a comma, CRLF line ends."""
    def edit(text: str) -> str:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        value = rows[0].index("value")
        rows = [rows[0], *([*row[:value], row[value].replace(".", ","), *row[value + 1:]] for row in rows[1:])]
        out = io.StringIO()
        csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
        return out.getvalue()
    return edit


def _published_rows_as_the_plain_file(project: Path) -> None:
    """The long rows written from the Excel-saved registry are those of the committed registry."""
    from pipeline import longtable
    from pipeline.sources import published

    written = (project / "data" / "interim" / "indicators" / "published.csv").read_text(encoding="utf-8")
    expected = longtable.validate(published.long_rows(published.load(published.REGISTRY)), "published")
    assert len(expected) == 79
    assert written == longtable.to_csv(expected.sort_values(longtable.KEY, kind="stable").reset_index(drop=True))


def _bomb(data: bytes) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        return corpus.zip_bomb(Path(scratch) / "bomb.xlsx", unpacked_mib=64).read_bytes()


def _external_entity(data: bytes) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "good.xlsx"
        source.write_bytes(data)
        return corpus.with_external_entity(source, Path(scratch) / "bad.xlsx").read_bytes()


def _append_repeated_unit(rows):
    rows.append(list(rows[3]))


def _rename_header(old: str, new: str, header_row: int = 0):
    def edit(rows):
        rows[header_row][corpus.column(rows, old, header_row)] = new
    return edit


def _drop_column(name: str, header_row: int = 2):
    def edit(rows):
        i = corpus.column(rows, name, header_row)
        for row in rows[header_row:]:
            del row[i]
    return edit


def _claims_missing_indicator(project: Path) -> None:
    """Point the first claim computed over the long table at an indicator it does not hold (a typo)."""
    import yaml

    path = project / "data" / "claims.yaml"
    registry = yaml.safe_load(path.read_text(encoding="utf-8"))
    claim = next(c for c in registry["claims"] if "/persons_held" in str(c.get("check", {}).get("keys", "")))
    claim["check"]["keys"][0] = claim["check"]["keys"][0].replace("/persons_held", "/persons_helt", 1)
    path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _manuscript_env(project: Path) -> dict:
    """The briefing's text stays where params.yaml says, beside the main work tree (never copied)."""
    import yaml

    from pipeline import paths

    configured = yaml.safe_load((paths.ROOT / "params.yaml").read_text(encoding="utf-8"))["claims"]["manuscript"]
    return {"BRIEFING_MANUSCRIPT": str((paths.ROOT / configured).resolve())}


ZERO = lambda data: b""  # noqa: E731
HTML = lambda data: corpus.HTML_ERROR_PAGE  # noqa: E731

CASES: list[Case] = [
    # ---- UNODC prisons (xlsx, header on row 3) ----------------------------------------------------------
    Case("unodc-truncated-xlsx", "unodc_prisons", "download cut off half-way", UNODC,
         _unodc(data=corpus.truncated), (UNODC_FILE, "truncated")),
    Case("unodc-zero-byte", "unodc_prisons", "empty file (0 bytes)", UNODC, _unodc(data=ZERO),
         (UNODC_FILE, "empty")),
    Case("unodc-html-as-xlsx", "unodc_prisons", "portal's HTML error page saved as .xlsx", UNODC,
         _unodc(data=HTML), (UNODC_FILE, "HTML")),
    Case("unodc-header-row-moved", "unodc_prisons", "a banner row added above the header", UNODC,
         _unodc(lambda rows: rows.insert(0, ["UNODC export"] + [""] * (len(rows[2]) - 1))),
         (UNODC_FILE, "row 4", "expected row 3")),
    Case("unodc-column-renamed", "unodc_prisons", "column 'Sex' renamed 'Gender'", UNODC,
         _unodc(_rename_header("Sex", "Gender", header_row=2)), (UNODC_FILE, "row 3", "column 'Sex'")),
    Case("unodc-column-missing", "unodc_prisons", "column 'VALUE' deleted", UNODC,
         _unodc(_drop_column("VALUE")), (UNODC_FILE, "column 'VALUE'")),
    Case("unodc-text-in-number", "unodc_prisons", "'n/a' typed in a VALUE cell", UNODC,
         _unodc(_unodc_cell(10, "VALUE", "n/a")), (UNODC_FILE, "row 11", "column 'VALUE'", "'n/a'")),
    Case("unodc-negative-count", "unodc_prisons", "a negative VALUE", UNODC,
         _unodc(_unodc_cell(12, "VALUE", -120)), (UNODC_FILE, "row 13", "column 'VALUE'", "negative")),
    Case("unodc-unknown-sex", "unodc_prisons", "sex coded 'Unknown'", UNODC,
         _unodc(_unodc_cell(12, "Sex", "Unknown")), (UNODC_FILE, "column 'Sex'", "'Unknown'")),
    Case("unodc-revised-value", "unodc_prisons", "UNODC revised a value that a known-error entry names",
         UNODC, _unodc(lambda rows: [r.__setitem__(11, 94884) for r in rows[3:]
                                     if (r[0], r[4], r[5], r[6], r[7], r[8], r[9]) ==
                                     ("ARG", "Persons held", "Total", "Total", "Total", "Adult", 2016)
                                     and r[10] == "Counts"]),
         ("data/corrections/unodc_prisons.yaml", "94,883", "the file now has 94,884", "fixed_upstream")),
    # ---- UNODC drug-related crimes -------------------------------------------------------------------------
    Case("drug-crimes-wrong-sheet", "unodc_drug_crimes", "sheet 'Formal contact' renamed",
         ("pipeline.sources.unodc_drug_crimes",), _drug_crimes(_rename_sheet),
         (DRUG_CRIMES_FILE, "'Formal contact'")),
    # ---- fetch: the mirror or download holds something else than the registered file ----------------------
    Case("fetch-checksum-mismatch", "unodc_drug_crimes", "upstream revised the file (one byte more)",
         ("pipeline.fetch", "unodc_drug_crimes"), _mirror(lambda data: data + b"\0"),
         (DRUG_CRIMES_FILE, "SHA-256 mismatch", "data/sources.yaml"), env=_mirror_env),
    Case("fetch-html-page", "unodc_drug_crimes", "HTML error page saved under the data file's name",
         ("pipeline.fetch", "unodc_drug_crimes"), _mirror(HTML), (DRUG_CRIMES_FILE, "HTML"), env=_mirror_env),
    Case("fetch-zero-byte", "unodc_drug_crimes", "empty file in the mirror", ("pipeline.fetch", "unodc_drug_crimes"),
         _mirror(ZERO), (DRUG_CRIMES_FILE, "empty"), env=_mirror_env),
    # ---- SISDEPEN establishment files ------------------------------------------------------------------
    Case("sisdepen-truncated-xlsx", "sisdepen", "download cut off half-way", SISDEPEN,
         _sisdepen(data=corpus.truncated), (SISDEPEN_FILE, "truncated")),
    Case("sisdepen-zero-byte", "sisdepen", "empty file (0 bytes)", SISDEPEN, _sisdepen(data=ZERO),
         (SISDEPEN_FILE, "empty")),
    Case("sisdepen-html-as-xlsx", "sisdepen", "portal's HTML error page saved as .xlsx", SISDEPEN,
         _sisdepen(data=HTML), (SISDEPEN_FILE, "HTML")),
    Case("sisdepen-column-renamed", "sisdepen", "required column 'UF' renamed 'Estado'", SISDEPEN,
         _sisdepen(_rename_header("UF", "Estado")), (SISDEPEN_FILE, "column 'UF'")),
    Case("sisdepen-text-in-count", "sisdepen", "'não informado' typed in a count cell", SISDEPEN,
         _sisdepen(_sisdepen_cell(5, "não informado")), (SISDEPEN_FILE, "row 6", "4.1 População prisional")),
    Case("sisdepen-negative-count", "sisdepen", "a negative count", SISDEPEN, _sisdepen(_sisdepen_cell(7, -3)),
         (SISDEPEN_FILE, "row 8", "4.1 População prisional", "negative")),
    Case("sisdepen-duplicated-establishment", "sisdepen", "one establishment's row pasted twice", SISDEPEN,
         _sisdepen(_append_repeated_unit), (SISDEPEN_FILE, "rows [4, 27]", "row 27")),
    Case("sisdepen-no-period-in-name", "sisdepen", "semester file renamed without its period", SISDEPEN,
         _sisdepen(name="dados-sisdepen-2019.xlsx"), ("dados-sisdepen-2019.xlsx", "semester")),
    Case("sisdepen-zip-bomb", "sisdepen", "tiny xlsx that unpacks to 64 MiB (zip bomb)", SISDEPEN,
         _sisdepen(data=_bomb), (SISDEPEN_FILE, "zip bomb")),
    Case("sisdepen-external-entity", "sisdepen", "xlsx whose XML declares an external entity (XXE)",
         SISDEPEN, _sisdepen(data=_external_entity), (SISDEPEN_FILE, "xl/workbook.xml", "DOCTYPE")),
    # ---- SISDEPEN state reports (.xls) -----------------------------------------------------------------
    Case("reports-wrong-sheet", "sisdepen_reports", "sheet 'Plan1' renamed", REPORTS,
         _report(lambda data: data.replace(b"Plan1", b"Plan9")), (REPORT_FILE, "'Plan1'")),
    Case("reports-html-as-xls", "sisdepen_reports", "HTML page saved as .xls", REPORTS, _report(HTML),
         (REPORT_FILE, "HTML")),
    Case("reports-name-without-period", "sisdepen_reports", "report renamed without its period", REPORTS,
         _report(name="AC_2019.xls"), ("AC_2019.xls", "{UF}_{jun|dez}_{YYYY}.xls")),
    # ---- published figures (hand-kept CSV) --------------------------------------------------------------
    Case("published-unknown-unit", "published", "a row with unit 'inmates'", PUBLISHED,
         _text_file("data/published/figures.csv", _csv_cell(2, "unit", "inmates")),
         ("data/published/figures.csv", "row 2", "column 'unit'", "'inmates'")),
    Case("published-text-in-value", "published", "'about 3000' typed in the value column", PUBLISHED,
         _text_file("data/published/figures.csv", _csv_cell(3, "value", "about 3000")),
         ("data/published/figures.csv", "row 3", "column 'value'")),
    Case("published-latin1", "published", "saved as latin-1 by a spreadsheet program, read as UTF-8",
         PUBLISHED, _text_file("data/published/figures.csv", lambda text: text, encoding="latin-1"),
         ("data/published/figures.csv", ", row ", "not UTF-8")),
    Case("published-html-as-csv", "published", "HTML page saved as figures.csv", PUBLISHED,
         _text_file("data/published/figures.csv", data=corpus.HTML_ERROR_PAGE),
         ("data/published/figures.csv", "row 1", "<!DOCTYPE html>")),
    Case("published-column-renamed", "published", "column 'unit' renamed 'units'", PUBLISHED,
         _text_file("data/published/figures.csv", lambda text: text.replace(",unit,", ",units,", 1)),
         ("data/published/figures.csv", "row 1", "'unit'")),
    Case("published-semicolons", "published", "saved by a spreadsheet under Portuguese settings: ';' between "
         "cells, decimal commas", PUBLISHED, _text_file("data/published/figures.csv", _spreadsheet_csv(";")),
         ("data/published/figures.csv", "row 1", "separated by ';' where commas are expected")),
    Case("published-decimal-comma", "published", "'6,8' typed in the value column (a decimal comma)", PUBLISHED,
         _text_file("data/published/figures.csv", _csv_cell(3, "value", "6,8")),
         ("data/published/figures.csv", "row 3", "column 'value'", "decimal point")),
    Case("published-excel-csv-utf8", "published", "saved as Excel's 'CSV UTF-8': a byte-order mark, CRLF line ends",
         PUBLISHED, _text_file("data/published/figures.csv", lambda text: "\ufeff" + text.replace("\n", "\r\n"),
                               encoding="utf-8"),
         outcome="accepted", accepted=_published_rows_as_the_plain_file),
    # ---- Uruguay observatory template ---------------------------------------------------------------------
    Case("oud-unknown-sex", "oud", "sex coded 'mujeres' in the observatory template", ("pipeline.chapters.uruguay",),
         _text_file("data/uruguay/oud_indicators.csv", _csv_cell(2, "sex", "mujeres")),
         ("data/uruguay/oud_indicators.csv", "row 2", "column 'sex'", "'mujeres'")),
    # ---- SNEEP microdata (CSV, generated) ---------------------------------------------------------------
    Case("sneep-semicolon-latin1-export", "sneep", "the query tool's export: ';'-separated, latin-1",
         SNEEP, _sneep("query_export", [2021, 2022]), outcome="accepted", accepted=_sneep_counts_match),
    Case("sneep-unquoted-comma-recoverable", "sneep", "establishment names with an unquoted comma", SNEEP,
         _sneep("current", [2021, 2022]), outcome="accepted", accepted=_sneep_counts_match),
    Case("sneep-unquoted-comma-ambiguous", "sneep", "rows with an unquoted comma no check can place", SNEEP,
         _sneep("current", [2021, 2022], ambiguous_rows=3), ("sneep_current.csv", "3 row(s)")),
    Case("sneep-unknown-gender", "sneep", "gender label 'Hombre' not in the crosswalk", SNEEP,
         _sneep("current", [2021, 2022], edit_line=(41, ",Varón,", ",Hombre,"), comma_names=False),
         ("sneep_current.csv", "row 41", "'Hombre'")),
    Case("sneep-zero-byte", "sneep", "empty CSV (0 bytes)", SNEEP, _sneep("current", [2021], data=b""),
         ("sneep_current.csv", "no data rows")),
    Case("sneep-html-as-csv", "sneep", "HTML page saved as .csv", SNEEP,
         _sneep("current", [2021], data=corpus.HTML_ERROR_PAGE), ("sneep_current.csv", "row 1")),
    Case("sneep-latin1-row-deep", "sneep", "one row saved as latin-1 deep inside a UTF-8 file", SNEEP,
         _sneep_bytes(_deep_latin1, rows=15_000), ("sneep_current.csv", "row 29903", "not valid UTF-8")),
    Case("sneep-census-year-typo", "sneep", "census year typed '2O21' (letter O)", SNEEP,
         _sneep_bytes(lambda data: data.replace(b"\n2021,", b"\n2O21,", 1)),
         ("sneep_current.csv", "row 2", "column 'censo_anio'", "'2O21' is not a year")),
    Case("sneep-impossible-year", "sneep", "a census dated 1850", SNEEP,
         _sneep_bytes(lambda data: data.replace(b"\n2021,", b"\n1850,")),
         ("sneep_current.csv", "'1850' is outside the SNEEP censuses")),
    Case("sneep-body-twice", "sneep", "the rows pasted a second time below themselves", SNEEP, _sneep_bytes(_twice),
         ("sneep_current.csv", "row 602", "appear again", "twice")),
    Case("sneep-two-files-concatenated", "sneep", "two downloads concatenated into one file", SNEEP,
         _sneep_bytes(lambda data: data + data), ("sneep_current.csv", "header appears again on line 602")),
    Case("sneep-truncated-download", "sneep", "download cut off in the middle of a row", SNEEP,
         _sneep_bytes(lambda data: data[: len(data) // 2]), ("sneep_current.csv", "cut off", "ends in the middle")),
    Case("sneep-name-year-mismatch", "sneep", "sneep-2020.csv holds the 2022 census", SNEEP,
         _sneep_bytes(lambda data: data, name="sneep-2020.csv", years=(2022,)),
         ("sneep-2020.csv", "file name says 2020", "census year(s) 2022")),
    Case("sneep-upper-case-name", "sneep", "SNEEP-2022.CSV (upper case), as some downloads are named", SNEEP,
         _sneep_bytes(lambda data: data, name="SNEEP-2022.CSV", years=(2022,)), outcome="accepted",
         accepted=lambda project: None),
    # ---- hand-kept files: corrections and published figures ----------------------------------------------
    Case("corrections-yaml-error", "corrections", "a quote left open in data/corrections/unodc_prisons.yaml", UNODC,
         _both(_unodc(), _text_file("data/corrections/unodc_prisons.yaml",
                                    lambda text: text.replace("  reason: >-", "  reason: 'open", 1))),
         ("data/corrections/unodc_prisons.yaml", "not valid YAML")),
    Case("corrections-misspelt-key", "corrections", "'published' misspelt 'publised' in a known-error entry", UNODC,
         _both(_unodc(), _text_file("data/corrections/unodc_prisons.yaml",
                                    lambda text: text.replace("  published:", "  publised:", 1))),
         ("data/corrections/unodc_prisons.yaml", "unknown key 'publised'", "did you mean 'published'")),
    Case("corrections-misspelt-key-sisdepen", "corrections", "'measure' misspelt 'meassure' (Brazil)",
         ("pipeline.chapters.brazil",),
         _text_file("data/corrections/sisdepen.yaml", lambda text: text.replace("  measure:", "  meassure:", 1)),
         ("data/corrections/sisdepen.yaml", "unknown key 'meassure'", "did you mean 'measure'"),
         extra_parts=("data/interim",)),
    Case("corrections-unit-published-revised", "corrections", "a unit's count revised by the publisher (Brazil)",
         ("pipeline.chapters.brazil",),
         _text_file("data/corrections/sisdepen.yaml", lambda text: text.replace("  published: 17580\n",
                                                                              "  published: 17581\n", 1)),
         ("data/corrections/sisdepen.yaml", "correction 'pe-2016-12-pjallb-male-people'",
          "written for the published value 17,581, but the file now has 17,580", "fixed_upstream"),
         extra_parts=("data/interim",)),
    Case("corrections-unit-entry-on-incidences", "corrections", "a unit's entry on a count of incidences (Brazil)",
         ("pipeline.chapters.brazil",),
         _text_file("data/corrections/sisdepen.yaml", lambda text: text.replace(
             "  measure: people_in_cells\n", "  measure: all_offence_incidences\n", 1)),
         ("data/corrections/sisdepen.yaml", "entry 'pe-2016-12-pjallb-male-people': a unit's entry corrects its "
                                            "people", "not 'all_offence_incidences'"),
         extra_parts=("data/interim",)),
    Case("published-ragged-row-long", "published", "a row with two cells too many", PUBLISHED,
         _text_file("data/published/figures.csv", lambda text: _edit_line(text, 4, lambda line: line + ",x,y")),
         ("data/published/figures.csv", "row 4", "18 fields where the header has 16")),
    Case("published-ragged-row-short", "published", "a row missing its last cells (values would shift)", PUBLISHED,
         _text_file("data/published/figures.csv", lambda text: _edit_line(text, 4, lambda line: line.rsplit(",", 3)[0])),
         ("data/published/figures.csv", "row 4", "14 fields where the header has 16")),
    # ---- parameters, notebooks, claims -----------------------------------------------------------------
    Case("params-unknown-key", "params.yaml", "'region' misspelt 'regoin' under unodc_prisons", UNODC,
         _params(lambda text: text.replace("unodc_prisons:\n", "unodc_prisons:\n  regoin: Americas\n", 1)),
         ("params.yaml", "regoin", "did you mean 'region'")),
    Case("params-duplicated-key", "params.yaml", "a key given twice in one section", UNODC,
         _both(_unodc(), _params(lambda text: text.replace("unodc_prisons:\n", "unodc_prisons:\n  region: Americas\n", 1))),
         ("params.yaml", "key 'region' appears twice")),
    Case("params-region-typo", "params.yaml", "unodc_prisons.region misspelt 'Amercias'", UNODC,
         _both(_unodc(), _params(lambda text: text.replace("  region: Americas", "  region: Amercias", 1))),
         ("params.yaml", "unodc_prisons.region", "Amercias", "Americas")),
    Case("params-mirror-not-text", "params.yaml", "fetch.mirror given as the number 5", ("pipeline.fetch", "unodc_drug_crimes"),
         _params(lambda text: text.replace("  mirror: ../shared/data", "  mirror: 5", 1)),
         ("params.yaml", "'fetch.mirror': input should be a valid string (given: 5)"),
         env=lambda project: {"BRIEFING_DATA_MIRROR": ""}),
    Case("params-unknown-section", "params.yaml", "section 'brazil' misspelt 'brazill'", UNODC,
         _params(lambda text: text + "\nbrazill:\n  outlier_ratio: 5.0\n"),
         ("params.yaml", "brazill", "did you mean 'brazil'")),
    Case("notebook-parameter-wrong-type", "params.yaml", "regional.first_year given as the string '2005'",
         ("pipeline.run", "notebooks/regional.ipynb"),
         _params(lambda text: text.replace("  first_year: 2005  # first year shown in the regional",
                                           "  first_year: '2005'  # first year shown in the regional", 1)),
         ("params.yaml", "regional.first_year", "expects int"), extra_parts=("reports", "figures")),
    Case("claims-missing-indicator", "claims", "a claim names an indicator the long table lacks",
         ("pipeline.chapters.claims",), _claims_missing_indicator, ("data/claims.yaml", "persons_helt"),
         extra_parts=("data/claims.yaml", "reports"), requires="pipeline/chapters/claims/build.py", env=_manuscript_env),
]
