"""The checks of UNODC table 10.1 (pipeline/sources/drug_crimes_quality.py) on small generated frames: each fires on
a record that fails it and stays silent on a clean one."""

from __future__ import annotations

import pandas as pd

from pipeline.sources import drug_crimes_quality as checks


def _record(**values) -> dict:
    record = {"sheet": checks.FORMAL_CONTACT, "drug": checks.ALL_DRUGS, "iso3": "AAA", "country_name": "A",
              "year": 2020, "offence_type": "trafficking", "campaign": "ARQ2020", "total_reported": 100.0,
              "total_calculated": 100.0, "males": 80.0, "females": 20.0, "sex_other_unknown": 0.0, "adults": 100.0,
              "juveniles": 0.0}
    return record | values


def _pivot(**values) -> dict:
    return _record(sheet=checks.PIVOT, **values)


def test_a_clean_record_in_both_sheets_has_no_finding():
    tidy = pd.DataFrame([_record(), _pivot(), _pivot(offence_type="all")])
    assert checks.table(tidy).empty


def test_parts_that_do_not_add_up_and_sheets_that_disagree_are_found():
    tidy = pd.DataFrame([_record(females=25.0), _pivot(total_calculated=400.0), _pivot(offence_type="all")])
    found = checks.table(tidy)
    assert set(found["check"]) == {"sex_parts_differ_from_total", "sheets_disagree"}
    assert "males 80 + females 25 + other/unknown 0 vs total 100" in found["detail"].tolist()


def test_age_parts_that_do_not_add_up_are_found_and_a_blank_count_is_shown_as_a_dash():
    """Uruguay's 2020 trafficking record counts 105 adults and 0 juveniles of 108 people (an independent recount
    from the raw file found it); a juvenile count the file left blank is shown as '–'; a record whose ages add up
    has no such finding."""
    tidy = pd.DataFrame([_record(adults=105.0, juveniles=0.0, total_calculated=108.0, total_reported=108.0,
                                 males=90.0, females=18.0),
                         _record(offence_type="possession", adults=70.0, juveniles=None, sex_other_unknown=None),
                         _record(offence_type="other"),
                         *(_pivot(offence_type=offence, total_calculated=total) for offence, total in
                           (("trafficking", 108.0), ("possession", 100.0), ("other", 100.0), ("all", 308.0)))])
    found = checks.table(tidy)
    assert found[["offence_type", "check", "detail"]].values.tolist() == [
        ["trafficking", "age_parts_differ_from_total", "adults 105 + juveniles 0 vs total 108"],
        ["possession", "age_parts_differ_from_total", "adults 70 + juveniles – vs total 100"]]


def test_every_check_writes_counts_grouped_and_every_detail_reads_in_each_language():
    """Uruguay's findings are shown in Spanish and Portuguese (tab-32): a count is written the English way (2,940),
    which the pages write as 2.940, and every check's detail has its row in data/translations.csv, so a new finding
    in a later UNODC file cannot stop the briefing's build."""
    from pipeline import i18n

    big = dict(total_reported=2940.0, total_calculated=2940.0, males=2400.0, females=540.0, adults=2940.0)
    tidy = pd.DataFrame([
        _record(year=2018, offence_type="all", **big),  # in 'Formal contact' only: missing from one sheet
        _record(year=2019, offence_type="all", campaign="ARQ2019", **big),  # twice, with another number
        _record(year=2019, offence_type="all", campaign="ARQ2020", **{**big, "total_calculated": 3100.0}),
        _record(year=2020, offence_type="all", **{**big, "total_reported": 3000.0, "females": 600.0,
                                                  "adults": 1000.0, "juveniles": 0.0}),
        _record(year=2021, offence_type="all", **{**big, "males": None, "females": None, "sex_other_unknown": None}),
        _record(year=2021, offence_type="trafficking", total_calculated=0.0, total_reported=0.0),
        _record(year=2022, offence_type="trafficking", **big),
        _pivot(year=2020, offence_type="all", total_calculated=4675.0),
        _pivot(year=2022, offence_type="all", campaign="ARQ2022", total_calculated=2940.0),  # twice in the pivot
        _pivot(year=2022, offence_type="all", campaign="ARQ2023", total_calculated=2941.0),
    ])
    found = checks.table(tidy)
    assert set(found["check"]) == set(checks.CHECKS)
    details = dict(zip(found["check"], found["detail"]))  # the last finding of each check
    assert found.loc[found["check"] == "duplicate_record", "detail"].tolist() == [
        "sheet 'Formal contact' has 2 records: 2,940 / 3,100 (campaigns ARQ2019, ARQ2020); left out of the long table",
        "sheet 'Sheet1' has 2 records: 2,940 / 2,941 (campaigns ARQ2022, ARQ2023); left out of the long table"]
    assert details["missing_from_one_sheet"] == "'Formal contact' 2,940 vs 'Sheet1' absent"
    assert details["reported_total_differs"] == "reported 3,000, calculated 2,940"
    spanish, portuguese = i18n.Translator("es"), i18n.Translator("pt")
    assert spanish.english(details["sheets_disagree"]) == "'Formal contact' 2.940 frente a 'Sheet1' 4.675"
    assert portuguese.english(details["no_sex_breakdown"]) == "o total 2.940 não tem desagregação por sexo"
    for detail in found["detail"]:
        assert spanish.english(detail) and portuguese.english(detail)
