"""The checks every CSV kept by hand gets before its cells are read (pipeline/kept_csv.py): the registry of published
figures, the observatory template and the translation table go through them."""

from __future__ import annotations

import pytest

from pipeline import kept_csv
from pipeline.errors import PipelineError


def test_a_well_formed_file_gives_its_text_and_its_rows(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text('id,value,note\nbra-016,91362,"published, 2022"\n\nury-041,26,\n', encoding="utf-8")
    text, rows = kept_csv.read(path, "registry")
    assert text == path.read_text(encoding="utf-8")
    assert rows == [["id", "value", "note"], ["bra-016", "91362", "published, 2022"], ["ury-041", "26", ""]]


def test_excels_csv_utf8_is_read_as_the_plain_file(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte-order mark and ends lines with CRLF: the same rows, and the first
    column's name without the mark (the translation table's header check would otherwise find '\\ufeffkey')."""
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    plain.write_bytes(b'key,en,es\nsex.female,women,"mujeres, todas"\n')
    excel.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes().replace(b"\n", b"\r\n"))
    text, rows = kept_csv.read(excel, "translation table")
    assert rows == kept_csv.read(plain, "translation table")[1] == [["key", "en", "es"],
                                                                    ["sex.female", "women", "mujeres, todas"]]
    assert not text.startswith("\ufeff")


@pytest.mark.parametrize("content, message", [
    (b"id;value;note\r\nbra-016;6,8;x\r\n", r"registry, row 1: separated by ';' where commas are expected \(the "
                                           r"header is one field\) — save it again with ',' as the field separator"),
    (b"id\tvalue\nbra-016\t68\n", r"row 1: separated by tabs where commas are expected"),
    (b"id,value\nbra-016,91362,x\n", r"registry, row 2: 3 fields where the header has 2 \(a comma inside a value "
                                     r"without quotes, or a missing or extra cell\) — quote values that contain commas"),
    (b"id,value,note\nbra-016\n", r"row 2: 1 fields where the header has 3"),
    (b"id,value\nbra-016,S\xe3o Paulo\n", r"row 2: not UTF-8 text \(byte 0xe3 cannot be decoded\) — save the file "
                                          r"again as 'CSV UTF-8'"),
])
def test_a_malformed_file_is_one_message_naming_its_line(tmp_path, content, message):
    path = tmp_path / "registry"
    path.write_bytes(content)
    with pytest.raises(PipelineError, match=message):
        kept_csv.read(path, "registry")


def test_a_missing_file_says_how_to_restore_it(tmp_path):
    with pytest.raises(PipelineError, match=r"translation table is missing — restore it from git"):
        kept_csv.read(tmp_path / "translations.csv", "translation table")
