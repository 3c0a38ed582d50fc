"""UNODC CTS prisons ingest: exact numbers from the real file, clear errors on broken copies of it."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import PipelineError
from pipeline.sources import unodc_prisons


@pytest.fixture(scope="module")
def real(raw_source):
    return unodc_prisons.load(raw_source(unodc_prisons.SOURCE))


def _value(long, country, indicator, sex, period):
    rows = long[(long["country"] == country) & (long["indicator"] == indicator) & (long["sex"] == sex)
                & (long["period"] == period)]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


def test_argentina_2015_matches_the_sneep_national_total(real):
    _, _, long = real
    assert _value(long, "ARG", "persons_held", "total", "2015") == 72693
    assert _value(long, "ARG", "persons_held", "female", "2015") == 2988
    assert _value(long, "ARG", "persons_held", "male", "2015") == 69572
    assert _value(long, "ARG", "women_share_of_persons_held", "female", "2015") == pytest.approx(
        100 * 2988 / 72693, abs=1e-6)
    unodc_prisons.check_outputs(long)


def test_focus_countries_women_held(real):
    _, _, long = real
    assert _value(long, "BRA", "persons_held", "female", "2019") == 37197
    assert _value(long, "URY", "persons_held", "female", "2020") == 805
    assert _value(long, "URY", "persons_held", "female", "2003") == 280


def test_mislabelled_age_totals_are_summed_and_logged(real):
    tidy, quality, long = real
    assert _value(long, "PAN", "persons_held", "female", "2017") == 874 + 8
    assert _value(long, "PAN", "persons_held", "male", "2018") == 15610 + 457
    summed = quality[quality["issue"].str.startswith("Age=Total given twice")]
    assert sorted(set(zip(summed["country"], summed["year"]))) == [("MNG", 2019), ("PAN", 2017), ("PAN", 2018)]
    assert not tidy.duplicated(unodc_prisons.KEY).any()


def test_known_error_is_dropped_from_the_tidy_table(real):
    tidy, quality, _ = real
    adult_2016 = tidy.query("iso3 == 'ARG' and indicator == 'Persons held' and dimension == 'Total' and "
                            "sex == 'Total' and age == 'Adult' and year == 2016 and unit == 'Counts'")
    assert adult_2016.empty
    assert "arg-2016-adult-total-repeats-2018" in " ".join(quality["detail"])


def test_parts_not_adding_up_are_shown_not_adjusted(real):
    _, quality, long = real
    gaps = quality[quality["issue"] == "female + male differs from total"].set_index(["country", "year"])
    assert gaps.loc[("ARG", 2015), "detail"] == "total 72,693; female + male 72,560; difference +133"
    assert _value(long, "ARG", "persons_held", "total", "2005") == 55423  # kept as published


def test_fractional_counts_are_excluded_and_logged(real):
    _, quality, long = real
    persons = long[long["unit"] == "persons"]
    assert (persons["value"] % 1 == 0).all()
    assert (quality["issue"] == "fractional count (an estimate derived from a percentage)").sum() > 0


# Broken copies: the first rows of the real file, damaged one way each, written at test time.

@pytest.fixture(scope="module")
def sheet(raw_source):
    return pd.read_excel(raw_source(unodc_prisons.SOURCE) / unodc_prisons.FILE, engine="calamine",
                         header=None, nrows=60)


def _load_copy(sheet, tmp_path):
    """Write `sheet` as the UNODC file into a temporary folder and load it (no corrections apply)."""
    folder = tmp_path / "raw"
    folder.mkdir()
    sheet.to_excel(folder / unodc_prisons.FILE, header=False, index=False)
    (tmp_path / "corrections.yaml").write_text("[]\n")
    return unodc_prisons.load(folder, corrections_file=tmp_path / "corrections.yaml")


def test_small_copy_loads(sheet, tmp_path):
    tidy, _, _ = _load_copy(sheet, tmp_path)
    assert len(tidy) == 57


def test_renamed_column_is_named(sheet, tmp_path):
    broken = sheet.copy()
    broken.iat[2, 11] = "OBS_VALUE"
    with pytest.raises(PipelineError, match=r"row 3, column 'VALUE': expected column\(s\) \['VALUE'\]"):
        _load_copy(broken, tmp_path)


def test_moved_header_row_is_reported(sheet, tmp_path):
    broken = pd.concat([sheet.iloc[:1], sheet.iloc[1:2], sheet.iloc[1:]], ignore_index=True)
    with pytest.raises(PipelineError, match="header found on row 4, expected row 3"):
        _load_copy(broken, tmp_path)


def test_text_in_numeric_cell_names_row_and_column(sheet, tmp_path):
    broken = sheet.copy()
    broken.iat[10, 11] = "n/a"
    with pytest.raises(PipelineError, match=r"row 11, column 'VALUE': VALUE 'n/a' is not a number"):
        _load_copy(broken, tmp_path)


def test_negative_count_is_refused(sheet, tmp_path):
    broken = sheet.copy()
    broken.iat[20, 11] = -5
    with pytest.raises(PipelineError, match=r"row 21, column 'VALUE': VALUE -5 is missing or negative"):
        _load_copy(broken, tmp_path)


def test_not_a_spreadsheet(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / unodc_prisons.FILE).write_bytes(b"PK\x03\x04truncated")
    with pytest.raises(PipelineError, match="truncated or damaged"):
        unodc_prisons.load(folder)
