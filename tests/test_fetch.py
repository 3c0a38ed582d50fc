"""The fetch stage: verified copies, clear refusals, nothing half-written."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipeline import fetch
from pipeline.errors import PipelineError

XLSX_BYTES = b"PK\x03\x04" + b"spreadsheet body" * 100


def _registry(files: dict[str, bytes], **extra) -> dict:
    return {"demo": {
        "title": "Demo source", "publisher": "Test publisher", "page": "https://example.org/demo",
        "licence": "CC0", "citation": "Demo", "snapshot": {"date": "2024-01-01"},
        "files": [{"path": f"demo/{name}", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                   **extra} for name, data in files.items()],
    }}


@pytest.fixture
def mirror(tmp_path):
    folder = tmp_path / "mirror" / "demo"
    folder.mkdir(parents=True)
    return folder


def test_copies_from_mirror_and_records_provenance(tmp_path, mirror):
    (mirror / "a.xlsx").write_bytes(XLSX_BYTES)
    destination = fetch.fetch("demo", mirror=mirror.parent, sources=_registry({"a.xlsx": XLSX_BYTES}),
                              destination=tmp_path / "raw" / "demo")
    assert (destination / "a.xlsx").read_bytes() == XLSX_BYTES
    record = json.loads((destination / "provenance.json").read_text())
    assert record["files"] == [{"file": "a.xlsx", "bytes": len(XLSX_BYTES),
                                "sha256": hashlib.sha256(XLSX_BYTES).hexdigest(),
                                "retrieved_from": "mirror", "location": "demo/a.xlsx"}]
    assert record["publisher"] == "Test publisher" and record["snapshot"] == {"date": "2024-01-01"}


def test_provenance_is_identical_on_refetch(tmp_path, mirror):
    (mirror / "a.xlsx").write_bytes(XLSX_BYTES)
    sources = _registry({"a.xlsx": XLSX_BYTES})
    first = fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=tmp_path / "one")
    second = fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=tmp_path / "two")
    assert (first / "provenance.json").read_bytes() == (second / "provenance.json").read_bytes()


def _fails(tmp_path, mirror, written: bytes, expected: bytes, name="a.xlsx", url=None):
    (mirror / name).write_bytes(written)
    destination = tmp_path / "raw" / "demo"
    destination.mkdir(parents=True)
    (destination / "previous.txt").write_text("previous good output")
    sources = _registry({name: expected}, **({"url": url} if url else {}))
    with pytest.raises(PipelineError) as error:
        fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=destination)
    # The previous output is intact and no staging folder is left behind.
    assert [p.name for p in destination.iterdir()] == ["previous.txt"]
    assert [p.name for p in destination.parent.iterdir()] == ["demo"]
    return error.value.message


def test_checksum_mismatch_names_file_and_fix(tmp_path, mirror):
    message = _fails(tmp_path, mirror, XLSX_BYTES + b"revised", XLSX_BYTES)
    assert "a.xlsx" in message and "SHA-256 mismatch" in message
    assert "update its sha256" in message and "data/sources.yaml" in message


def test_html_error_page_is_refused(tmp_path, mirror):
    page = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
    message = _fails(tmp_path, mirror, page, XLSX_BYTES)
    assert "HTML page" in message and "a.xlsx" in message and "https://example.org/demo" in message


def test_html_saved_as_csv_is_refused(tmp_path, mirror):
    message = _fails(tmp_path, mirror, b"\n  <html><head>Login</head></html>", b"a,b\n1,2\n", name="t.csv")
    assert "HTML page" in message and "t.csv" in message


def test_empty_file_is_refused(tmp_path, mirror):
    message = _fails(tmp_path, mirror, b"", XLSX_BYTES)
    assert "empty (0 bytes)" in message


def test_truncated_or_wrong_format_is_refused(tmp_path, mirror):
    message = _fails(tmp_path, mirror, b"this is not a zip", XLSX_BYTES)
    assert "not a valid .xlsx" in message


def test_missing_file_without_url_says_where_to_get_it(tmp_path, mirror):
    with pytest.raises(PipelineError) as error:
        fetch.fetch("demo", mirror=mirror.parent, sources=_registry({"a.xlsx": XLSX_BYTES}),
                    destination=tmp_path / "raw" / "demo")
    assert "not in the mirror" in error.value.message and "https://example.org/demo" in error.value.message
    assert not (tmp_path / "raw" / "demo").exists()


def test_unknown_source_lists_known_ones(tmp_path):
    with pytest.raises(PipelineError, match="unknown source 'nope'.*known sources: demo"):
        fetch.fetch("nope", mirror=tmp_path, sources=_registry({}))


def test_registry_matches_the_mirror_checksums():
    """Every file of data/sources.yaml is listed in the mirror's SHA256SUMS with the same hash."""
    mirror = fetch.mirror_dir()
    sums = dict(reversed(line.split(None, 1)) for line in (mirror / "SHA256SUMS").read_text().splitlines())
    sums = {path.removeprefix("./"): digest for path, digest in sums.items()}
    entries = [f for source in fetch.registry().values() for f in source["files"]
               if "glob" not in f and not f["path"].startswith("../")]
    assert len(entries) == 123
    assert {e["path"]: e["sha256"] for e in entries} == sums


def test_manual_source_is_optional_and_hashed_when_present(tmp_path, mirror):
    sources = {"demo": _registry({})["demo"] | {"manual_download": "https://example.org/get",
                                                 "files": [{"glob": "demo/sneep*.csv"}]}}
    empty = fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=tmp_path / "one")
    record = json.loads((empty / "provenance.json").read_text())
    assert record["files"] == [] and "download by hand from https://example.org/get" in record["status"]
    (mirror / "sneep-2022.csv").write_bytes(b"censo_anio,genero_id\n2022,1\n")
    present = fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=tmp_path / "two")
    record = json.loads((present / "provenance.json").read_text())
    assert record["files"][0]["file"] == "sneep-2022.csv" and record["files"][0]["pinned"] is False
    assert "status" not in record
