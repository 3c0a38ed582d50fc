"""SNEEP loader (pipeline/sources/sneep.py): exact counts on generated files of every layout and defect. What the
Argentina chapter counts from the loaded microdata is tested in tests/chapters/argentina/test_microdata.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import sneep_generator as generator

from pipeline.errors import PipelineError
from pipeline.sources import sneep

YEARS = {"unified_2002_2018": [2013, 2015, 2017], "per_year_old": [2010], "per_year_2017": [2017],
         "release_2019": [2019], "current": [2014, 2015, 2020, 2021, 2022], "query_export": [2021, 2022]}


def _write(tmp_path, layout, rows=400, **options):
    path = tmp_path / f"{layout}.csv"
    truth = generator.write(path, layout, YEARS[layout], rows, seed=7, **options)
    return path, truth


def _by_year_gender(frame) -> dict:
    counts = frame.groupby([frame["census_year"].astype(int), frame["gender"].astype(str)]).size()
    return {key: int(n) for key, n in counts.items()}


@pytest.mark.parametrize("layout", sorted(generator.LAYOUTS))
def test_every_layout_loads_with_exact_counts(tmp_path, layout):
    path, truth = _write(tmp_path, layout)
    microdata, report = sneep.load([path])
    assert _by_year_gender(microdata) == _by_year_gender(truth)
    assert report["files"][0]["rows_rejected"] == 0
    assert len(microdata) == len(truth)


@pytest.mark.parametrize("layout", ["unified_2002_2018", "current", "per_year_2017"])
def test_unquoted_commas_in_names_are_recovered_exactly(tmp_path, layout):
    path, truth = _write(tmp_path, layout)
    with_comma = truth["establishment"].str.contains(",")
    assert with_comma.sum() > 0
    microdata, report = sneep.load([path])
    assert report["files"][0]["rows_recovered"] == with_comma.sum()
    expected = truth.groupby("establishment").size().to_dict()
    got = microdata.groupby(microdata["establishment"].astype(str)).size().to_dict()
    assert got == expected


def test_quoted_commas_are_values_not_extra_fields(tmp_path):
    """A quoted value with a comma is one field, in a well-formed row and in a row that is also broken by an
    unquoted comma (whose fields are then counted by a CSV reader, not by its commas)."""
    path, truth = _write(tmp_path, "current")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[0].count(",")
    broken = [i for i, line in enumerate(lines) if line.count(",") > fields and ",Argentina," in line]
    whole = [i for i, line in enumerate(lines[1:], 1) if line.count(",") == fields and ",Argentina," in line]
    for i in broken[:3] + whole[:3]:
        lines[i] = lines[i].replace(",Argentina,", ',"Argentina, naturalizada",', 1)
    path.write_text("".join(lines), encoding="utf-8")
    microdata, report = sneep.load([path])
    assert report["files"][0]["rows_rejected"] == 0
    assert report["files"][0]["rows_recovered"] == truth["establishment"].str.contains(",").sum()
    assert _by_year_gender(microdata) == _by_year_gender(truth)
    got = microdata.groupby(microdata["establishment"].astype(str)).size().to_dict()
    assert got == truth.groupby("establishment").size().to_dict()


def test_ambiguous_rows_are_rejected_by_count_not_shifted(tmp_path):
    path, truth = _write(tmp_path, "current", ambiguous_rows=3)
    with pytest.raises(PipelineError, match="3 row"):
        sneep.load([path])
    microdata, report = sneep.load([path], max_rejected_rows=3)
    assert report["files"][0]["rows_rejected"] == 3
    assert _by_year_gender(microdata) == _by_year_gender(truth[truth["readable"]])


def test_2017_header_is_repaired_and_reported(tmp_path):
    path, truth = _write(tmp_path, "per_year_2017")
    microdata, report = sneep.load([path])
    repairs = report["files"][0]["header_repairs"]
    assert any("fecha_egreso" in r for r in repairs) and any("missing _id" in r for r in repairs)
    assert (microdata["establishment_id"].astype(int) == truth["establishment_id"]).all() or \
        sorted(microdata["establishment_id"].astype(int)) == sorted(truth["establishment_id"])


def test_province_ids_are_sneep_codes_in_every_era(tmp_path):
    for layout in ("unified_2002_2018", "release_2019", "current"):
        path, truth = _write(tmp_path, layout)
        microdata, _ = sneep.load([path])
        pairs = set(zip(microdata["province_id"].astype(int), microdata["province"].astype(str)))
        assert pairs == set(zip(truth["province_id"], truth["province"])), layout


def test_query_export_latin1_semicolon_keeps_accents(tmp_path):
    path, truth = _write(tmp_path, "query_export")
    microdata, report = sneep.load([path])
    assert (report["files"][0]["encoding"], report["files"][0]["delimiter"]) == ("latin-1", ";")
    assert "Córdoba" in set(microdata["province"].astype(str)) or "Córdoba" not in set(truth["province"])
    assert _by_year_gender(microdata) == _by_year_gender(truth)


def test_several_files_of_different_eras_combine_and_overlaps_fail(tmp_path):
    old, old_truth = _write(tmp_path, "per_year_old")
    new, new_truth = _write(tmp_path, "release_2019")
    microdata, _ = sneep.load([old, new])
    assert len(microdata) == len(old_truth) + len(new_truth)
    assert set(microdata["gender"]) >= {"female", "male", "trans_women"}
    clash = tmp_path / "again.csv"
    generator.write(clash, "release_2019", [2019], 50, seed=3)
    with pytest.raises(PipelineError, match="census 2019 is in both"):
        sneep.load([new, clash])


def test_unknown_gender_label_names_file_row_and_label(tmp_path):
    path, _ = _write(tmp_path, "current", rows=50)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40].replace(",Varón,", ",Hombre,", 1)
    assert "Hombre" in lines[40]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PipelineError) as error:
        sneep.load([path])
    assert "'Hombre'" in str(error.value) and "row 41" in str(error.value) and path.name in str(error.value)


def test_every_historical_gender_label_maps_to_the_documented_coding():
    crosswalk = sneep.gender_crosswalk()
    for label, ours in generator.LABELS.items():
        assert crosswalk[sneep._normal(label)] == ours
    assert crosswalk[sneep._normal("TRANS MUJER/TRAVESTI")] == "trans_women"


def test_absent_microdata_gives_an_empty_table_with_the_real_columns(tmp_path):
    assert sneep.available_files(tmp_path / "nothing") == []
    empty = sneep.empty()
    assert len(empty) == 0 and {"census_year", "gender", "offence_1", "children_in_prison"} <= set(empty.columns)


# ---- whole-file defects, parsing in parts, the cache ---------------------------------------------------------
@pytest.fixture(params=["one pass", "in parts"])
def split(request, monkeypatch):
    """Read each file in one pass, or cut into one part per core (as a large file is), whatever its size."""
    from pipeline.sources import sneep_csv

    if request.param == "in parts":
        monkeypatch.setattr(sneep_csv, "PARALLEL_BYTES", 1)
        monkeypatch.setattr(sneep_csv.os, "cpu_count", lambda: 3)  # three parts, on any machine
    return request.param


def _lines(path):
    return path.read_bytes().decode("utf-8").splitlines(keepends=True)


@pytest.mark.parametrize("defect, message, row", [
    ("header again", "the header appears again on line 402: two files were concatenated", 402),
    ("body twice", "rows 2–21 appear again from line 402", 402),
    ("cut off", "the file ends in the middle of line 401", 401),
    ("latin-1 row", "mixes UTF-8 with another encoding (this line is not UTF-8, earlier lines are)", 300),
    ("latin-1 row after the sample", "not valid UTF-8 from this line on", 300),
    ("year 1999", "census year '1999' is outside the SNEEP censuses (2002–2035)", 250),
    ("year typo", "census year '202' is not a year", 250),
])
def test_whole_file_defects_stop_the_load_naming_the_line(tmp_path, monkeypatch, split, defect, message, row):
    from pipeline.sources import sneep_csv

    path, _ = _write(tmp_path, "current", rows=80, comma_names=False)
    if defect.endswith("after the sample"):
        monkeypatch.setattr(sneep_csv, "SAMPLE_BYTES", 8192)  # the dialect is sniffed from the first lines only
    lines = _lines(path)
    assert len(lines) == 401
    if defect == "header again":
        lines += lines  # a second download appended
    elif defect == "body twice":
        lines += lines[1:]
    elif defect == "cut off":
        lines[-1] = lines[-1][:30]
    elif defect == "year 1999":
        lines[249] = lines[249].replace(lines[249].split(",")[0], "1999", 1)
    elif defect == "year typo":
        lines[249] = lines[249].replace(lines[249].split(",")[0], "202", 1)
    data = "".join(lines).encode("utf-8")
    if defect.startswith("latin-1 row"):
        head = "".join(lines[:299]).encode("utf-8")
        data = head + lines[299].replace(lines[299].split(",")[1], "Córdoba", 1).encode("latin-1") + \
            "".join(lines[300:]).encode("utf-8")
        assert "ó".encode() in head  # the earlier lines are UTF-8 with accents
    path.write_bytes(data)
    scratch = []  # the parts' temporary folders: removed even when the load fails
    real_mkdtemp = sneep_csv.tempfile.mkdtemp
    monkeypatch.setattr(sneep_csv.tempfile, "mkdtemp", lambda **kw: scratch.append(real_mkdtemp(**kw)) or scratch[-1])
    with pytest.raises(PipelineError) as error:
        sneep.load([path])
    assert message in error.value.message and error.value.row == row, error.value.message
    assert not any(Path(folder).exists() for folder in scratch)
    if split == "in parts" and defect in ("header again", "body twice", "cut off", "year 1999"):
        assert scratch  # the defect was found after the parts were read


def test_clean_files_pass_the_whole_file_checks(tmp_path, split):
    path, truth = _write(tmp_path, "current", rows=80)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # a last line without its line end, but complete
    microdata, _ = sneep.load([path])
    assert _by_year_gender(microdata) == _by_year_gender(truth)


@pytest.mark.parametrize("layout, byte_order_mark", [("current", False), ("current", True), ("query_export", False),
                                                     ("per_year_2017", False)])
def test_a_header_line_inside_the_rows_is_found_whatever_the_layout(tmp_path, split, layout, byte_order_mark):
    """The header is searched for only where the parse leaves a place for it: a line that parsed as a row holds each
    column's name (with the byte-order mark a second download starts with), and one with the 2017 header's stray
    name has a field too many and is set aside. Either way the line is found and named (the body is not repeated,
    so the search for repeated rows finds nothing)."""
    path, _ = _write(tmp_path, layout, rows=80, comma_names=False)
    encoding = "latin-1" if layout == "query_export" else "utf-8"
    lines = path.read_bytes().decode(encoding).splitlines(keepends=True)
    header, middle = ("\ufeff" if byte_order_mark else "") + lines[0], len(lines) // 2
    lines = [header, *lines[1:middle], header, *lines[middle:]]  # a second download's header, its rows cut away
    path.write_bytes("".join(lines).encode(encoding))
    with pytest.raises(PipelineError) as error:
        sneep.load([path])
    assert f"the header appears again on line {middle + 1}: two files were concatenated" in error.value.message
    assert error.value.row == middle + 1 and middle > 21  # after the first rows, which are searched for


def test_the_header_is_searched_for_only_where_the_parse_leaves_a_place_for_it(tmp_path, monkeypatch):
    """A well-formed file: the part's bytes are searched for its first rows, not for its header (the parsed rows show
    it is not there). A file with a row holding each of our columns' names: searched (the row is then a damaged row,
    not the header)."""
    from pipeline.sources import sneep_csv

    needles = []
    real_find = sneep_csv._find_in
    monkeypatch.setattr(sneep_csv, "_find_in", lambda data, needle, *span: needles.append(needle) or
                        real_find(data, needle, *span))
    path, truth = _write(tmp_path, "current", rows=80)
    header = path.read_bytes().split(b"\n", 1)[0]
    sneep.load([path])
    assert needles and header not in needles
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    names = lines[0].rstrip("\n").split(",")
    ours = {alias for aliases in sneep.COLUMNS.values() for alias in aliases}
    other = next(i for i, name in enumerate(names) if name not in ours)  # a column the loader does not read
    lines[100] = ",".join(names[:other] + ["x"] + names[other + 1:]) + "\n"  # each of our columns' names: a row
    path.write_text("".join(lines), encoding="utf-8")
    needles.clear()
    with pytest.raises(PipelineError, match="census year 'censo_anio' is not a year"):  # a damaged row, not a header
        sneep.load([path])
    assert header in needles


@pytest.mark.parametrize("layout, options", [("current", {}), ("current", {"ambiguous_rows": 3}),
                                             ("query_export", {}), ("per_year_2017", {}),
                                             ("unified_2002_2018", {})])
def test_reading_in_parts_gives_the_table_and_report_of_one_pass(tmp_path, monkeypatch, layout, options):
    from pipeline.sources import sneep_csv

    path, _ = _write(tmp_path, layout, rows=600, **options)
    one_pass, one_report = sneep.load([path], max_rejected_rows=3)
    monkeypatch.setattr(sneep_csv, "PARALLEL_BYTES", 1)
    for cores in (2, 3, 7):
        monkeypatch.setattr(sneep_csv.os, "cpu_count", lambda: cores)
        assert len(sneep_csv._parts(path)) == cores
        in_parts, report = sneep.load([path], max_rejected_rows=3)
        pd.testing.assert_frame_equal(in_parts, one_pass)
        assert report == one_report
    if options:
        assert one_report["files"][0]["rows_rejected"] == 3 and "line" in one_report["files"][0]["rejected_examples"][0]


def test_a_value_seen_only_in_a_later_part_still_recovers_an_earlier_row(tmp_path, monkeypatch):
    """A broken row is recovered only with values seen in well-formed rows of the whole file, not of its part."""
    from pipeline.sources import sneep_csv

    path, truth = _write(tmp_path, "current", rows=200)
    lines = _lines(path)
    fields = lines[0].count(",")
    broken = [i for i, line in enumerate(lines) if line.count(",") > fields]
    whole = [i for i, line in enumerate(lines) if i > len(lines) // 2 and line.count(",") == fields]
    assert broken[0] < len(lines) // 3
    for i in (broken[0], *whole[:5]):  # a legal status that only the last part's well-formed rows hold
        lines[i] = lines[i].replace(",Condenado,", ",Condenada,", 1).replace(",Procesado,", ",Condenada,", 1)
    assert ",Condenada," in lines[broken[0]]
    path.write_text("".join(lines), encoding="utf-8")
    one_pass, one_report = sneep.load([path])
    monkeypatch.setattr(sneep_csv, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(sneep_csv.os, "cpu_count", lambda: 3)
    in_parts, report = sneep.load([path])
    assert report == one_report and one_report["files"][0]["rows_rejected"] == 0
    pd.testing.assert_frame_equal(in_parts, one_pass)
    assert (in_parts["legal_status"] == "Condenada").sum() == 6


def test_cache_reads_an_unchanged_file_from_its_entry(tmp_path, monkeypatch):
    from pipeline.sources import sneep_csv

    cache = tmp_path / "cache"
    path, truth = _write(tmp_path, "current")
    fresh, fresh_report = sneep.load([path])
    first, report = sneep.load([path], cache_dir=cache)
    entry = cache / sneep.parser_version() / sneep.cache_name(path)
    assert entry.is_file() and entry.name == f"{hashlib.sha256(path.read_bytes()).hexdigest()}-current.parquet"
    parsed = []
    real = sneep_csv.read
    monkeypatch.setattr(sneep_csv, "read", lambda path, *args: parsed.append(path.name) or real(path, *args))
    again, again_report = sneep.load([path], cache_dir=cache)
    assert parsed == []
    for frame, its_report in ((first, report), (again, again_report)):
        pd.testing.assert_frame_equal(frame, fresh)
        assert its_report == fresh_report
    # a changed file is parsed again; so is a damaged entry; another parser version's entries are removed
    generator.write(path, "current", YEARS["current"], 400, seed=8)
    changed, _ = sneep.load([path], cache_dir=cache)
    assert parsed == ["current.csv"] and not changed.equals(first)
    (cache / sneep.parser_version() / sneep.cache_name(path)).write_bytes(b"damaged")
    pd.testing.assert_frame_equal(sneep.load([path], cache_dir=cache)[0], changed)
    assert parsed == ["current.csv", "current.csv"]
    monkeypatch.setattr(sneep, "parser_version", lambda: "another-version")
    sneep.load([path], cache_dir=cache)
    assert [p.name for p in cache.iterdir()] == ["another-version"]


def test_a_load_that_fails_its_checks_leaves_the_cache_unchanged(tmp_path):
    cache = tmp_path / "cache"
    path, _ = _write(tmp_path, "current", rows=50)
    lines = _lines(path)
    path.write_text("".join(lines + lines), encoding="utf-8")
    with pytest.raises(PipelineError, match="concatenated"):
        sneep.load([path], cache_dir=cache)
    ambiguous, _ = _write(tmp_path, "current", ambiguous_rows=3)  # parses, then fails the rejected-rows limit
    with pytest.raises(PipelineError, match="3 row"):
        sneep.load([ambiguous], cache_dir=cache)
    assert not list(cache.rglob("*.parquet"))


def test_cache_entries_hold_each_file_as_read_alone(tmp_path):
    """Loading several files merges their categories in place: an entry still holds its own file's table."""
    cache = tmp_path / "cache"
    old, _ = _write(tmp_path, "per_year_old")
    new, _ = _write(tmp_path, "release_2019")
    together, _ = sneep.load([old, new], cache_dir=cache)
    pd.testing.assert_frame_equal(sneep.load([old, new], cache_dir=cache)[0], together)
    for path in (old, new):
        pd.testing.assert_frame_equal(sneep.load([path], cache_dir=cache)[0], sneep.load([path])[0])


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path):
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")
    path, _ = _write(tmp_path, "current", rows=100, comma_names=False)
    pd.testing.assert_frame_equal(sneep.load([path], cache_dir=cache)[0], sneep.load([path])[0])
