"""No personal data from SISDEPEN reaches an output: neither its columns nor any value read from them.

SISDEPEN's establishment files carry the name (or CPF number) of the official who filled in the form, phone
numbers, e-mail and IP addresses and street addresses. The ingest reads an allow-list of columns, so none of
this should ever be read; this test checks the result. It reads every value of those columns from the raw
files and searches every output (figures' data, tables, executed notebooks, HTML pages, Parquet, CSV and
JSON in data/interim and data/processed) for it: numbers by their digits (phones, CPF, CEP, IP), e-mail
addresses exactly, names and addresses as sequences of three or more words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

from pipeline import paths
from pipeline.sources import sisdepen

# Personal columns of both survey layouts (normalised header text).
PERSONAL_COLUMNS = set(sisdepen.PERSONAL) | {
    "Nome",  # 2016-06 layout: the person who filled in the form
    "Nome do responsável pelo preenchimento:", "Endereço da Unidade:", "CEP:",
    "Telefone para a população obter informações sobre visitação:",
}
OUTPUT_FOLDERS = ("figures", "reports", "data/interim", "data/processed")
TEXT_SUFFIXES = {".csv", ".md", ".txt", ".svg", ".json", ".ipynb", ".html", ".tsv"}
_BASE64_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+")
_DIGIT_RUN = re.compile(r"\d[\d().\- ]*\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+")
MIN_DIGITS, MIN_WORDS = 8, 3


# ---- what to look for ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def personal_values() -> dict[str, set]:
    """Every value of a personal column in the raw files, split into digits, e-mails and word sequences."""
    folder = paths.raw_dir("sisdepen")
    if not (folder / "provenance.json").exists():
        from pipeline import fetch

        fetch.fetch("sisdepen")
    values = {"digits": set(), "emails": set(), "words": set(), "columns": set()}
    for path in sorted(folder.glob(sisdepen.FILE_GLOB)):
        rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        headers = [sisdepen.normalise(h) for h in rows[0]]
        for i, header in enumerate(headers):
            if header in PERSONAL_COLUMNS:
                values["columns"].add(header)
                for row in rows[1:]:
                    _classify(row[i], values)
    return values


def _classify(cell, values: dict[str, set]) -> None:
    if cell in ("", None):
        return
    text = f"{cell:.0f}" if isinstance(cell, float) and cell.is_integer() else str(cell)
    for email in _EMAIL.findall(text):
        values["emails"].add(email.casefold())
    digits = re.sub(r"\D", "", text)
    if len(digits) >= MIN_DIGITS and not re.search(r"[^\W\d_]", _EMAIL.sub("", text)):
        values["digits"].add(digits)  # a number: phone, CPF, CEP, IP
    words = tuple(_WORD.findall(_EMAIL.sub("", text).casefold()))
    if len(words) >= MIN_WORDS and any(not w.isdigit() for w in words):
        values["words"].add(words)


# ---- where to look -------------------------------------------------------------------------------------

def output_files(root: Path = paths.ROOT) -> list[Path]:
    return sorted(p for folder in OUTPUT_FOLDERS for p in (root / folder).rglob("*")
                  if p.is_file() and (p.suffix in TEXT_SUFFIXES or p.suffix == ".parquet"))


def output_text(path: Path) -> str:
    """What a reader of the output can see: text (images' base64 left out), or a Parquet's names and strings."""
    if path.suffix == ".parquet":
        table = pd.read_parquet(path)
        strings = [str(c) for c in table.columns]
        for column in table.columns:
            if not pd.api.types.is_numeric_dtype(table[column]):
                strings += [str(v) for v in table[column].dropna().unique()]
        return "\n".join(strings)
    return _BASE64_IMAGE.sub(" ", path.read_text(encoding="utf-8", errors="replace"))


def leaks(files: list[Path], values: dict[str, set]) -> list[str]:
    """Every personal column name or value found in the files, as 'file: what'."""
    found = []
    firsts = defaultdict(list)
    for words in values["words"]:
        firsts[words[0]].append(words)
    for path in files:
        text = output_text(path)
        folded = text.casefold()
        name = path.as_posix()
        found += [f"{name}: column {c!r}" for c in values["columns"] if len(c) > 4 and c.casefold() in folded]
        found += [f"{name}: e-mail {e}" for e in _emails(folded) & values["emails"]]
        runs = {re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(text)}
        found += [f"{name}: number {d}" for d in runs & values["digits"]]
        words = _WORD.findall(folded)
        for i in [i for i, word in enumerate(words) if word in firsts]:  # the few places a sequence can start
            for candidate in firsts[words[i]]:
                if tuple(words[i:i + len(candidate)]) == candidate:
                    found.append(f"{name}: text {' '.join(candidate)!r}")
    return sorted(set(found))


def _emails(text: str) -> set[str]:
    """The e-mail addresses in `text`, looked for only in its words that hold an @ (an address holds no space): the
    pattern run over the whole text tried every position of every word, 5 of this test's 12 s."""
    return {email for word in text.split() if "@" in word for email in _EMAIL.findall(word)}


def public_text() -> str:
    """Unit names and municipalities (published identity columns) in which a personal value may also occur."""
    tidy = pd.read_parquet(paths.interim_parquet("sisdepen"), columns=["unit_name", "municipality"])
    return " ".join(_WORD.findall(" ".join(tidy.drop_duplicates().astype(str).agg(" | ".join, axis=1)).casefold()))


# ---- tests ---------------------------------------------------------------------------------------------

def test_the_raw_files_do_hold_personal_data():
    values = personal_values()
    assert {"Responsável pela Finalização", "Telefone Principal", "Endereço de E-mail"} <= values["columns"]
    assert len(values["digits"]) > 100 and len(values["emails"]) > 50 and len(values["words"]) > 100


def test_the_scan_finds_a_planted_value(tmp_path):
    values = personal_values()
    email, digits, words = sorted(values["emails"])[0], sorted(values["digits"])[0], sorted(values["words"])[0]
    planted = tmp_path / "table.csv"
    planted.write_text(f"a,b,c\n{email.upper()},{digits[:2]}-{digits[2:]},{' '.join(words).title()}\n", encoding="utf-8")
    assert len(leaks([planted], values)) == 3


def test_no_output_holds_a_personal_column_or_value():
    values = personal_values()
    files = output_files()
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".html" for p in files)
    found = leaks(files, values)
    # A value that is also part of a published unit name or municipality is not a leak of that value.
    public = public_text()
    found = [f for f in found if not (": text " in f and f.split(": text ", 1)[1].strip("'") in public)]
    assert found == [], f"personal data in outputs: {found[:10]}"


@pytest.mark.parametrize("column", sorted(sisdepen.PERSONAL))
def test_the_ingest_never_reads_a_personal_column(column):
    assert column not in sisdepen.IDENTITY and not column.startswith(tuple(sisdepen.BLOCKS))
