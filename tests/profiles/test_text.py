"""A profile in words (pipeline/profiles/text.py), as the notebook shows it: the headline table's notes."""

from __future__ import annotations

import pytest
from expected_notes import BRAZIL_COUNT_NOTE

from pipeline import i18n
from pipeline.profiles import build, text


def headline_rows(country: str, language: str) -> tuple[list[list[str]], str]:
    shown = text.headline(build.read(country), i18n.country_name(country, language), i18n.Translator(language))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in shown.splitlines()
            if line.startswith("| ") and "`" in line]
    return rows, shown


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_every_number_made_from_brazils_noted_count_points_to_the_note(language):
    """Brazil's 2020 count holds women outside cells: the count, share, rate and change point to the note under the
    table, which gives tab-01's note in the language (the change's scope included); the 2019 unsentenced shares, of
    another year's count, do not."""
    tr = i18n.Translator(language)
    rows, shown = headline_rows("BRA", language)
    pointing = [row[1] for row in rows if tr("profile.see_note") in row[3]]
    assert pointing == [tr.number(41580), tr.percent(5.1), tr.number(38.4, 1), "+" + tr.percent(80.3)]
    assert [row[2] for row in rows if tr("profile.see_note") not in row[3]] == ["2019"]
    assert shown.rstrip().endswith(f"{BRAZIL_COUNT_NOTE[language]}.")


def test_a_country_without_a_noted_count_has_no_note():
    rows, shown = headline_rows("ARG", "en")
    assert len(rows) == 5 and not any("see the note" in row[3] for row in rows)
    assert "outside cells" not in shown
