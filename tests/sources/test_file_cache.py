"""The readers' cache of parsed files (pipeline/sources/file_cache.py): entries keyed by the file's bytes and
name and by the parsing code's version, written atomically, and never trusted when damaged."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from pipeline.sources import file_cache


def test_an_entry_is_named_by_the_bytes_and_the_name(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    path.write_bytes(b"some bytes")
    assert file_cache.entry_name(path) == (f"{hashlib.sha256(b'some bytes').hexdigest()}"
                                           "-dados-sisdepen-jul-dez-2019.parquet")
    path.write_bytes(b"other bytes")
    assert file_cache.entry_name(path).startswith(hashlib.sha256(b"other bytes").hexdigest())


def test_the_code_version_changes_with_the_parsing_code(tmp_path):
    code = tmp_path / "parser.py"
    code.write_text("VERSION = 1\n")
    first = file_cache.code_version([code], ("pyarrow",))
    assert first == file_cache.code_version([code], ("pyarrow",)) and len(first) == 16
    code.write_text("VERSION = 2\n")
    assert file_cache.code_version([code], ("pyarrow",)) != first


def test_write_then_read_and_a_damaged_or_missing_entry_reads_as_none(tmp_path):
    entry = tmp_path / "v1" / "abc-file.parquet"
    assert file_cache.read(entry) is None
    table = pa.table({"value": [1, 2, 3]})
    file_cache.write(entry, table)
    assert file_cache.read(entry).equals(table)
    assert [p.name for p in entry.parent.iterdir()] == ["abc-file.parquet"]  # no temporary file left
    entry.write_bytes(b"damaged")
    assert file_cache.read(entry) is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    file_cache.write(blocked / "v1" / "abc-file.parquet", pa.table({"value": [1]}))  # no error
    assert blocked.is_file()


def test_other_versions_are_removed(tmp_path):
    for version in ("old", "new"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "entry.parquet").write_bytes(b"x")
    file_cache.remove_other_versions(tmp_path, keep="new")
    assert [p.name for p in tmp_path.iterdir()] == ["new"]
    file_cache.remove_other_versions(tmp_path / "missing", keep="new")  # no cache yet: nothing to do
