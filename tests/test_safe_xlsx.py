"""Untrusted spreadsheets: pipeline/safe_xlsx.py refuses zip bombs and XML entity declarations before any
parser sees them, fast, with one clear error; every xlsx reader of the pipeline goes through it."""

from __future__ import annotations

import time
import zipfile

import pytest
from system.faults import corpus

from pipeline import safe_xlsx
from pipeline.errors import PipelineError
from pipeline.sources import sisdepen, sisdepen_reports, unodc_drug_crimes, unodc_prisons


@pytest.fixture
def small_xlsx(tmp_path):
    """A small real workbook with shared strings (the part an XXE payload usually sits in): the SISDEPEN
    variable dictionary, copied."""
    path = tmp_path / "small.xlsx"
    path.write_bytes(corpus.real_file("sisdepen", "dicionario_infopen.xlsx").read_bytes())
    return path


def _with_doctype(source, target, part: str, doctype: bytes, use: bytes = b""):
    def edit(name, data):
        if name != part:
            return data
        head, _, body = data.partition(b"?>")
        data = head + b"?>" + doctype + body if body else doctype + data
        return data.replace(b"<t>", b"<t>" + use, 1) if use else data
    return corpus.rewrite_zip(source, target, edit)


def test_zip_bomb_is_refused_fast(tmp_path):
    bomb = corpus.zip_bomb(tmp_path / "bomb.xlsx", unpacked_mib=64)
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    with pytest.raises(PipelineError, match="possible zip bomb") as error:
        safe_xlsx.check(bomb)
    assert time.monotonic() - started < 1 and "bomb.xlsx" in error.value.message


def test_total_unpacked_size_is_bounded(small_xlsx, monkeypatch):
    monkeypatch.setattr(safe_xlsx, "MAX_UNCOMPRESSED_BYTES", 1000)
    with pytest.raises(PipelineError, match="would unpack to"):
        safe_xlsx.check(small_xlsx)


def test_number_of_parts_is_bounded(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(safe_xlsx.MAX_MEMBERS + 1):
            archive.writestr(f"xl/part{i}.bin", b"")
    with pytest.raises(PipelineError, match="parts"):
        safe_xlsx.check(path)


@pytest.mark.parametrize("doctype, use", [
    (b'<!DOCTYPE sst [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', b"&secret;"),  # external entity
    (b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', b"&c;"),  # entity expansion ("billion laughs")
    (b'<!doctype sst SYSTEM "http://example.org/evil.dtd">', b""),  # external DTD, lower case
], ids=["external-entity", "entity-expansion", "external-dtd"])
def test_entity_declarations_are_refused(small_xlsx, tmp_path, doctype, use):
    bad = _with_doctype(small_xlsx, tmp_path / "bad.xlsx", "xl/sharedStrings.xml", doctype, use)
    with pytest.raises(PipelineError, match="refusing to parse") as error:
        safe_xlsx.check(bad)
    assert "xl/sharedStrings.xml" in error.value.message and "bad.xlsx" in error.value.message


def test_an_overlong_prolog_is_refused(small_xlsx, tmp_path):
    padding = b"<!--" + b" " * safe_xlsx.PROLOG_BYTES + b"-->"
    bad = _with_doctype(small_xlsx, tmp_path / "padded.xlsx", "xl/workbook.xml", padding + b"<!DOCTYPE x>")
    with pytest.raises(PipelineError, match="no root element"):
        safe_xlsx.check(bad)


def test_the_real_files_pass(raw_source):
    for source in ("unodc_prisons", "unodc_drug_crimes", "sisdepen"):
        for path in sorted(raw_source(source).glob("*.xlsx")):
            safe_xlsx.check(path)


@pytest.mark.parametrize("read", [
    lambda path: sisdepen.read_semester(path),
    lambda path: sisdepen_reports.read_report(path),
    lambda path: unodc_prisons._read(path),
    lambda path: unodc_drug_crimes._read_sheet(path, unodc_drug_crimes.FORMAL_CONTACT, {}),
], ids=["sisdepen", "sisdepen_reports", "unodc_prisons", "unodc_drug_crimes"])
def test_every_reader_uses_the_guard(read, small_xlsx, tmp_path):
    name = "AC_dez_2019.xls" if read.__code__.co_names[-1] == "read_report" else "dados-sisdepen-jul-dez-2019.xlsx"
    bad = tmp_path / name
    if name.endswith(".xls"):  # .xls is not XML: what reaches that reader is HTML saved under the name
        bad.write_bytes(corpus.HTML_ERROR_PAGE)
    else:
        _with_doctype(small_xlsx, bad, "xl/sharedStrings.xml", b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///x">]>')
    with pytest.raises(PipelineError, match="refusing to parse|HTML page"):
        read(bad)
