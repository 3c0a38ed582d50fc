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


def test_checksum_mismatch_says_compare_with_the_publisher_before_changing_the_pin(tmp_path, mirror):
    message = _fails(tmp_path, mirror, XLSX_BYTES + b"revised", XLSX_BYTES)
    assert "a.xlsx" in message and "SHA-256 mismatch" in message
    assert "compare the file with the publisher's (https://example.org/demo) before changing anything" in message
    assert "data/sources.yaml" in message and f"{len(XLSX_BYTES) + 7:,} bytes; pinned {len(XLSX_BYTES):,}" in message


def test_a_same_size_corrupted_file_is_called_damaged_not_revised(tmp_path, mirror):
    damaged = XLSX_BYTES[:-1] + b"X"
    message = _fails(tmp_path, mirror, damaged, XLSX_BYTES)
    assert "same size as the pinned file, so more likely damaged than revised" in message
    assert "if the copy is damaged, fetch it again" in message


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
    assert "has no file named a.xlsx" in error.value.message
    assert not (tmp_path / "raw" / "demo").exists()


def test_a_misspelt_mirror_folder_is_named(tmp_path, mirror):
    with pytest.raises(PipelineError) as error:
        fetch.fetch("demo", mirror=tmp_path / "mirorr", sources=_registry({"a.xlsx": XLSX_BYTES}),
                    destination=tmp_path / "raw" / "demo")
    assert f"the mirror folder {tmp_path / 'mirorr'} does not exist" in error.value.message
    assert "fetch.mirror" in error.value.message


def test_a_missing_source_folder_in_the_mirror_is_named(tmp_path, mirror):
    sources = _registry({"a.xlsx": XLSX_BYTES})
    sources["demo"]["files"][0]["path"] = "dmeo/a.xlsx"
    with pytest.raises(PipelineError) as error:
        fetch.fetch("demo", mirror=mirror.parent, sources=sources, destination=tmp_path / "raw" / "demo")
    assert "the mirror has no folder" in error.value.message and "dmeo" in error.value.message


def test_a_symlink_leading_out_of_the_mirror_is_refused(tmp_path, mirror):
    secret = tmp_path / "outside" / "a.xlsx"
    secret.parent.mkdir()
    secret.write_bytes(XLSX_BYTES)
    (mirror / "a.xlsx").symlink_to(secret)
    with pytest.raises(PipelineError, match="is a symbolic link to .*outside"):
        fetch.fetch("demo", mirror=mirror.parent, sources=_registry({"a.xlsx": XLSX_BYTES}),
                    destination=tmp_path / "raw" / "demo")
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


def _manual(**extra) -> dict:
    return {"demo": _registry({})["demo"] | {"manual_download": "https://example.org/get",
                                              "files": [{"glob": "*.csv"}], **extra}}


def test_manual_source_is_optional_and_hashed_when_present(tmp_path):
    folder = tmp_path / "manual" / "demo"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("put files here")
    empty = fetch.fetch("demo", sources=_manual(), manual=folder, destination=tmp_path / "one")
    record = json.loads((empty / "provenance.json").read_text())
    assert record["files"] == [] and "download by hand from https://example.org/get" in record["status"]
    assert "data/manual/demo/" in record["status"]
    (folder / "sneep-2022.csv").write_bytes(b"censo_anio,genero_id\n2022,1\n")
    (folder / "SNEEP-2021.CSV").write_bytes(b"censo_anio,genero_id\n2021,1\n")  # upper case is accepted
    present = fetch.fetch("demo", sources=_manual(), manual=folder, destination=tmp_path / "two")
    record = json.loads((present / "provenance.json").read_text())
    assert [f["file"] for f in record["files"]] == ["SNEEP-2021.CSV", "sneep-2022.csv"]
    assert record["files"][0]["pinned"] is False and record["files"][0]["retrieved_from"] == "manual"
    assert "status" not in record and sorted(p.name for p in present.iterdir()) == [
        "SNEEP-2021.CSV", "provenance.json", "sneep-2022.csv"]


def test_manual_file_over_the_size_limit_or_not_text_is_refused(tmp_path):
    folder = tmp_path / "manual" / "demo"
    folder.mkdir(parents=True)
    (folder / "sneep-2022.csv").write_bytes(b"censo_anio\n" + b"2022\n" * 100)
    with pytest.raises(PipelineError, match="over the 100-byte limit"):
        fetch.fetch("demo", sources=_manual(max_bytes=100), manual=folder, destination=tmp_path / "one")
    (folder / "sneep-2022.csv").write_bytes(b"\0" * 5000)  # a file of zeros named .csv
    with pytest.raises(PipelineError, match="not text .*NUL bytes"):
        fetch.fetch("demo", sources=_manual(), manual=folder, destination=tmp_path / "one")
    assert not (tmp_path / "one").exists()


def test_manual_symlink_out_of_its_folder_is_refused(tmp_path):
    folder = tmp_path / "manual" / "demo"
    folder.mkdir(parents=True)
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "sneep-2022.csv").symlink_to(tmp_path / "passwd")
    with pytest.raises(PipelineError, match="symbolic link to .*passwd, outside"):
        fetch.fetch("demo", sources=_manual(), manual=folder, destination=tmp_path / "one")
    assert not (tmp_path / "one").exists()


def _two_sources() -> dict:
    sources = {name: _registry({f"{name}.xlsx": XLSX_BYTES})["demo"] for name in ("first", "second")}
    for name in sources:
        sources[name]["files"][0]["path"] = f"{name}/{name}.xlsx"
    return sources


def test_fetch_all_replaces_every_source_only_when_every_source_passed(tmp_path, monkeypatch):
    """The merged `fetch` stage: one source whose mirror copy is damaged stops the stage, and no source's
    data/raw/<source>/ is touched (not even the one that passed); with both good, both are installed."""
    monkeypatch.setattr(fetch.paths, "RAW", tmp_path / "raw")
    mirror = tmp_path / "mirror"
    sources = _two_sources()
    for name in sources:
        (mirror / name).mkdir(parents=True)
        (mirror / name / f"{name}.xlsx").write_bytes(XLSX_BYTES)
        (tmp_path / "raw" / name).mkdir(parents=True)
        (tmp_path / "raw" / name / "previous.txt").write_text("previous build")
    (mirror / "second" / "second.xlsx").write_bytes(b"PK\x03\x04" + b"x" * (len(XLSX_BYTES) - 4))  # same size, damaged
    with pytest.raises(PipelineError, match="second.xlsx"):
        fetch.fetch_all(["first", "second"], mirror=mirror, sources=sources)
    for name in sources:
        assert sorted(p.name for p in (tmp_path / "raw" / name).iterdir()) == ["previous.txt"]
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["first", "second"]  # no staging left behind

    (mirror / "second" / "second.xlsx").write_bytes(XLSX_BYTES)
    written = fetch.fetch_all(["first", "second"], mirror=mirror, sources=sources)
    assert written == [tmp_path / "raw" / "first", tmp_path / "raw" / "second"]
    for name in sources:
        assert sorted(p.name for p in (tmp_path / "raw" / name).iterdir()) == sorted([f"{name}.xlsx", "provenance.json"])
