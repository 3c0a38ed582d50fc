"""Every number printed in the manuscript, found by rule (pipeline/chapters/claims/manuscript.py): percentages,
separators, ranges; years, footnote markers, dates and identifiers excluded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.chapters.claims import manuscript


def _numbers(text):
    return [(n.printed, n.low, n.high, n.unit, rule) for n, rule, _ in manuscript.numbers(text)]


# --------------------------------------------------------------------------------------- Extractor ---

def test_percentages_with_sign_and_word():
    assert _numbers("37% and 38 percent, 12 per cent, 20 por ciento") == [
        ("37%", 37, 37, "percent", ""), ("38 percent", 38, 38, "percent", ""),
        ("12 per cent", 12, 12, "percent", ""), ("20 por ciento", 20, 20, "percent", "")]


def test_thousands_separators_english_and_spanish_and_decimals():
    found = _numbers("2,996 women, 4.391 mujeres, 448.3 percent, 37,5% and 1,234,567.5")
    assert [(p, v) for p, v, *_ in found] == [
        ("2,996", 2996), ("4.391", 4391), ("448.3 percent", Decimal("448.3")), ("37,5%", Decimal("37.5")),
        ("1,234,567.5", Decimal("1234567.5"))]


def test_ranges_of_percentages():
    assert _numbers("from 40 to 80 percent")[0][:4] == ("40 to 80 percent", 40, 80, "percent")
    assert _numbers("anywhere from 40 to even 80 percent")[0][:4] == ("40 to even 80 percent", 40, 80, "percent")
    assert _numbers("40–80%")[0][:3] == ("40–80%", 40, 80)
    # a falling pair with years between is two numbers, not a range
    assert [p for p, *_ in _numbers("from 30 percent in 2010 to 20 percent in 2021")] == \
        ["30 percent", "2010", "20 percent", "2021"]


def test_years_footnote_markers_and_identifiers_are_excluded():
    rules = {p: rule for p, _, _, _, rule in _numbers(
        'In 2015 there were 2,996 women.62 Then "a new approach."9 Law 2292 and COVID-19, the 43rd session, '
        "on July 6, 2022, per 77 bis. Superscripts¹² never match.")}
    assert rules == {"2015": "year", "2,996": "", "62": "footnote_marker", "9": "footnote_marker",
                     "2292": "identifier", "19": "identifier", "43": "ordinal", "6": "date", "2022": "year",
                     "77": "identifier"}
    assert manuscript.numbers("in 2015", years=(1900, 2000))[0][1] == ""  # the year range is a parameter


def test_parse_accepts_one_number_only():
    assert manuscript.parse("4,391").low == 4391
    with pytest.raises(ValueError):
        manuscript.parse("37 and 38")
