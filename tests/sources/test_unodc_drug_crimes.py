"""UNODC table 10.1: exact Uruguay numbers, the two sheets' disagreement surfaced, strict layout checks."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from pipeline import longtable
from pipeline.errors import PipelineError
from pipeline.sources import unodc_drug_crimes


@pytest.fixture(scope="module")
def loaded(raw_source):
    return unodc_drug_crimes.load(raw_source(unodc_drug_crimes.SOURCE))


def _value(long, indicator, sex, period):
    row = long[(long["country"] == "URY") & (long["indicator"] == indicator) & (long["sex"] == sex)
               & (long["period"] == period)]
    assert len(row) == 1
    return row["value"].iloc[0]


def test_uruguay_formal_contact_by_sex(loaded):
    _, _, long = loaded
    longtable.validate(long, "unodc_drug_crimes")
    trafficking = "drug_offence_formal_contact_trafficking"
    assert _value(long, trafficking, "total", "2018") == 2940
    assert _value(long, trafficking, "female", "2018") == 636
    assert _value(long, trafficking, "male", "2018") == 2304
    assert _value(long, trafficking, "female", "2021") == 1073
    assert _value(long, "drug_offence_formal_contact_other", "total", "2020") == 826  # UNODC's calculated total
    assert _value(long, "drug_offence_formal_contact_possession", "female", "2022") == 286


def test_the_two_sheets_disagree_for_uruguay_2020(loaded):
    _, quality, _ = loaded
    ury = quality[(quality["iso3"] == "URY") & (quality["year"] == 2020) & (quality["check"] == "sheets_disagree")]
    pairs = {row.offence_type: (row.formal_contact, row.sheet1) for row in ury.itertuples()}
    assert pairs == {"trafficking": (108, 852), "possession": (222, 260), "other": (826, 3563), "all": (1156, 4675)}


def test_changing_categories_are_surfaced(loaded):
    _, quality, _ = loaded
    ury = quality[quality["iso3"] == "URY"]
    changes = ury[ury["check"] == "offence_types_change"]["detail"].tolist()
    assert "2020: trafficking, possession, other -> 2021: trafficking" in changes
    zeros = ury[ury["check"] == "zero_while_other_years_positive"]
    assert set(zip(zeros["year"], zeros["offence_type"])) == {(2021, "possession"), (2021, "other")}
    assert len(ury) == 21  # with 2020's trafficking record: 105 adults + 0 juveniles of 108 people
    ages = ury[ury["check"] == "age_parts_differ_from_total"]
    assert ages[["year", "offence_type", "detail"]].values.tolist() == [
        [2020, "trafficking", "adults 105 + juveniles 0 vs total 108"]]
    assert (quality["check"] == "age_parts_differ_from_total").sum() == 113
    assert not quality["detail"].str.contains(r"\bnan\b").any()


def test_duplicated_records_stay_out_of_the_long_table(loaded):
    _, quality, long = loaded
    usa = quality[(quality["iso3"] == "USA") & (quality["check"] == "duplicate_record")]
    assert len(usa) == 2
    assert long[(long["country"] == "USA") & (long["period"] == "2018")
                & (long["indicator"] == "drug_offence_formal_contact_trafficking")].empty


def test_pivot_sheet_is_kept_in_the_tidy_table(loaded):
    tidy, _, _ = loaded
    pivot = tidy[(tidy["sheet"] == "Sheet1") & (tidy["iso3"] == "URY") & (tidy["year"] == 2019)]
    assert pivot.set_index("offence_type")["total_calculated"].dropna().to_dict() == {"all": 329, "possession": 329}


def _broken_copy(raw_source, tmp_path, change):
    target = tmp_path / "raw"
    target.mkdir()
    source = raw_source(unodc_drug_crimes.SOURCE) / unodc_drug_crimes.FILE
    shutil.copy(source, target / unodc_drug_crimes.FILE)
    book = openpyxl.load_workbook(target / unodc_drug_crimes.FILE)
    change(book)
    book.save(target / unodc_drug_crimes.FILE)
    return target


def test_renamed_sheet_is_an_error(raw_source, tmp_path):
    def rename(book):
        book["Sheet1"].title = "Pivot"

    with pytest.raises(PipelineError) as caught:
        unodc_drug_crimes.load(_broken_copy(raw_source, tmp_path, rename))
    assert "no sheet named 'Sheet1'" in caught.value.problem and "10.1_Drug_related_crimes.xlsx" in caught.value.message


def test_renamed_column_is_an_error(raw_source, tmp_path):
    def rename(book):
        book["Formal contact"]["K1"] = "Women"  # was 'Females'

    with pytest.raises(PipelineError) as caught:
        unodc_drug_crimes.load(_broken_copy(raw_source, tmp_path, rename))
    assert "['Females'] missing" in caught.value.problem and "unexpected ['Women']" in caught.value.problem
    assert caught.value.fix
