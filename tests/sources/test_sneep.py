"""SNEEP loader (pipeline/sources/sneep.py): exact counts on generated files of every layout and defect. What the
Argentina chapter counts from the loaded microdata is tested in tests/chapters/argentina/test_microdata.py."""

from __future__ import annotations

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
