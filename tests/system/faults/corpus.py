"""Building blocks of the bad-input corpus: a throwaway copy of the project, small real inputs, one run.

Each case runs a stage's real entry point (`python -m pipeline...`; in the tests, forked from a process that has
imported the third-party libraries once: preloaded.py) in a temporary copy of the project that holds the code,
params.yaml, the hand-kept data files and the current outputs of the main work tree (the "previous good outputs"),
plus the raw files the case needs. The raw files are cut down from the real ones in data/raw (a few rows, every
column) so a case runs in about a second; nothing from the mirror is ever written into the repository.
"""

from __future__ import annotations

import hashlib
import io as bytes_io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import python_calamine
from openpyxl import Workbook

from pipeline import fetch, paths

from . import preloaded as preloaded_run

# Copied into every project copy: code, parameters, hand-kept data, and the outputs a failed run must keep.
PROJECT_PARTS = ("pipeline", "notebooks", "params.yaml", "dvc.yaml", "data/sources.yaml", "data/corrections",
                 "data/published", "data/uruguay", "data/crosswalks", "data/translations.csv", "data/interim",
                 "data/processed")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".staging-*")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def message(self) -> str:
        """What the user sees: the stderr text, stripped."""
        return self.stderr.strip()


def make_project(root: Path) -> Path:
    """A copy of the project without raw data; returns its root."""
    root.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = paths.ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=IGNORED)
        elif source.is_file():
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / part)
    return root


def run_module(project: Path, *args: str, env: dict | None = None, timeout: int = 300,
               preloaded: bool = False) -> Run:
    """`python -m ARGS` inside the project copy (the copy's `pipeline` package shadows the installed one); with
    `preloaded`, forked from a process that has the third-party libraries imported already (faults/preloaded.py)."""
    environment = {k: v for k, v in os.environ.items() if k != "BRIEFING_STAGING_DIR"}
    environment |= {"PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"} | (env or {})
    if preloaded:
        return Run(*preloaded_run.run(args, project, environment, timeout))
    done = subprocess.run([sys.executable, "-m", *args], cwd=project, env=environment, capture_output=True,
                          text=True, timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_clear_message(project: Path, command: tuple[str, ...], fragments) -> None:
    """`python -m COMMAND` in the project copy stops with one line on stderr that holds every fragment, says what to
    do, shows no traceback, and leaves the copy as it was."""
    before = snapshot(project)
    run = run_module(project, *command, preloaded=True)
    message = run.message
    assert run.returncode == 1, message[-2000:]
    assert "Traceback" not in message and len(message.splitlines()) == 1 and message.startswith("error: ")
    assert " — " in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert snapshot(project) == before, "a failed run changed the project"


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (relative path -> SHA-256), to prove a failed run changed nothing."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


# ---- real inputs, cut down ------------------------------------------------------------------------------

def real_file(source: str, name: str) -> Path:
    """A verified real file in the main work tree's data/raw (fetched from the mirror if absent)."""
    folder = paths.raw_dir(source)
    if not (folder / "provenance.json").exists():
        fetch.fetch(source)
    return folder / name


@lru_cache(maxsize=None)
def sheet(source: str, name: str, sheet_name: str | int = 0) -> tuple[tuple, ...]:
    """The cells of one sheet of a real file, read once per test session."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(real_file(source, name)))
    table = workbook.get_sheet_by_index(sheet_name) if isinstance(sheet_name, int) else \
        workbook.get_sheet_by_name(sheet_name)
    return tuple(tuple(row) for row in table.to_python())


def write_xlsx(path: Path, rows, sheet_name: str = "Sheet1") -> Path:
    """Rows of cells as an .xlsx ('' cells left blank)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_name)
    for row in rows:
        worksheet.append([None if cell == "" else cell for cell in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def unodc_prisons_rows() -> list[list]:
    """The UNODC prisons export cut to its banner and header rows and Argentina and Uruguay (every indicator and
    year), which the correction file (an entry for each) and the stage's output check need."""
    rows = sheet("unodc_prisons", "data_cts_prisons_and_prisoners.xlsx")
    return [list(r) for r in rows[:3]] + [list(r) for r in rows[3:] if r[0] in ("ARG", "URY")]


def sisdepen_rows(units: int = 25) -> list[list]:
    """A SISDEPEN semester file cut to its header and the first `units` establishments, personal data blanked."""
    from pipeline.sources import sisdepen

    rows = sheet("sisdepen", "dados-sisdepen-jul-dez-2019.xlsx")
    header = [sisdepen.normalise(h) for h in rows[0]]
    personal = {i for i, h in enumerate(header) if h in sisdepen.PERSONAL}
    return [list(rows[0])] + [["" if i in personal else c for i, c in enumerate(r)] for r in rows[1:units + 1]]


def column(rows: list[list], name: str, header_row: int = 0) -> int:
    """Position of a column, found by its normalised header text."""
    from pipeline.sources.sisdepen import normalise

    return [normalise(h) for h in rows[header_row]].index(name)


def rewrite_zip(source: Path, target: Path, edit) -> Path:
    """Copy an .xlsx, passing each part's bytes through `edit(name, data) -> data`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item.filename, edit(item.filename, old.read(item.filename)))
    return target


def zip_bomb(path: Path, unpacked_mib: int = 600) -> Path:
    """A tiny xlsx whose sheet unpacks to `unpacked_mib` MiB of zeros (written in streaming mode)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"0" * 2**20
            for _ in range(unpacked_mib):
                part.write(block)
    return path


def with_external_entity(source: Path, target: Path) -> Path:
    """A copy of an xlsx whose workbook part declares an external entity (XXE) and uses it in a defined name."""
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        declaration = b'<!DOCTYPE workbook [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        return re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m[1] or b"") + declaration, data, count=1)
    return rewrite_zip(source, target, edit)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


HTML_ERROR_PAGE = (b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
                   b"<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your "
                   b"request. Please try again later.</p></body></html>\n")


def xlsx_bytes(rows, sheet_name: str = "Sheet1") -> bytes:
    buffer = bytes_io.BytesIO()
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet_name)
    for row in rows:
        worksheet.append([None if cell == "" else cell for cell in row])
    workbook.save(buffer)
    return buffer.getvalue()
