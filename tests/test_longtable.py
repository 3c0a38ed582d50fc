"""The common long table rejects unknown codes, bad counts and duplicated keys, naming row and column."""

from __future__ import annotations

import pytest

from pipeline import longtable
from pipeline.errors import PipelineError

ROW = dict(country="ARG", source="unodc_prisons", indicator="persons_held", sex="female", period="2015",
           value=2988.0, unit="persons", definition="UNODC CTS persons held")


def test_valid_rows_pass_and_save_is_sorted_and_stable(tmp_path):
    rows = [ROW | {"period": "2016", "value": 3206.0}, ROW]
    path = tmp_path / "part.csv"
    longtable.save(longtable.frame(rows), path)
    text = path.read_text()
    assert text.splitlines()[1].startswith("ARG,unodc_prisons,persons_held,female,2015,2988,persons")
    assert longtable.read(path)["value"].tolist() == [2988.0, 3206.0]
    longtable.save(longtable.read(path), path)
    assert path.read_text() == text


@pytest.mark.parametrize("change, message", [
    ({"sex": "femele"}, r"row 2, column 'sex': value 'femele' fails check 'isin"),
    ({"unit": "people"}, r"row 2, column 'unit': value 'people'"),
    ({"period": "2015-13"}, r"row 2, column 'period': value '2015-13'"),
    ({"country": "Argentina"}, r"row 2, column 'country': value 'Argentina'"),
    ({"value": -3.0}, r"row 2, column 'value': count -3 for persons_held \(ARG, 2015\) is negative"),
    ({"value": 12.5}, r"count 12.5 for persons_held .* is negative or fractional"),
    ({"source": "unodc_prisons+"}, r"row 2, column 'source': value 'unodc_prisons\+'"),
    ({"source": "unodc_prisons, sisdepen"}, r"row 2, column 'source': value 'unodc_prisons, sisdepen'"),
])
def test_bad_rows_are_named(change, message):
    with pytest.raises(PipelineError, match=message):
        longtable.validate(longtable.frame([ROW | change]), "part.csv")


def test_duplicated_key_is_refused():
    with pytest.raises(PipelineError, match=r"row 3: duplicated key \(country=ARG, .*period=2015\)"):
        longtable.validate(longtable.frame([ROW, ROW | {"value": 1.0}]), "part.csv")


def test_one_unit_per_indicator():
    with pytest.raises(PipelineError, match="indicator 'persons_held' of source 'unodc_prisons' uses more"):
        longtable.validate(longtable.frame([ROW, ROW | {"sex": "male", "unit": "percent"}]), "part.csv")


def test_missing_column_is_named():
    table = longtable.frame([ROW]).drop(columns="definition")
    with pytest.raises(PipelineError, match=r"lacks columns \['definition'\]"):
        longtable.validate(table, "part.csv")


def test_a_value_computed_from_two_sources_names_both():
    """The Americas interval with Brazil's women in cells only is UNODC's counts with SISDEPEN's for Brazil: its
    `source` joins the two ids, and `source_ids` gives each (the data package describes each)."""
    row = ROW | {"source": "unodc_prisons+sisdepen"}
    assert longtable.validate(longtable.frame([row]), "part.csv")["source"].tolist() == ["unodc_prisons+sisdepen"]
    assert longtable.source_ids("unodc_prisons+sisdepen") == ["unodc_prisons", "sisdepen"]
    assert longtable.source_ids("sisdepen") == ["sisdepen"]
