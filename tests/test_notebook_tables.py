"""Tables as the notebooks show them (pipeline/notebook_tables.py): texts in full, numbers in the English format
with one number of decimals per column, years ungrouped, missing values as a dash; checked on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.notebook_tables import LONG_TEXT, MISSING, TEXT_LINES, TEXT_WIDEST, show

LONG = "SENAPPEN lists people under Patronato apart; the units hold no cells and supervise the open regime"


def test_numbers_take_the_column_decimals_years_stay_ungrouped_and_missing_is_a_dash():
    frame = pd.DataFrame({"year": [2015.0, 2003.5, np.nan], "women_held": [4013.0, np.nan, 21.0],
                          "share_pct": [21.632653, 40.0, 37.5], "flag": [True, False, None]})
    table = show(frame)
    assert table.header == ["year", "women_held", "share_pct", "flag"]
    assert table.rows == [["2015.0", "4,013", "21.63", "yes"], ["2003.5", MISSING, "40.00", "no"],
                          [MISSING, "21", "37.50", MISSING]]
    assert table.numeric == [True, True, True, False]


def test_long_texts_are_shown_in_full_in_html_and_plain_text():
    table = show(pd.DataFrame({"note": [LONG, "short"]}))
    assert LONG in table._repr_html_() and LONG in repr(table)
    assert "..." not in repr(table) and "…" not in repr(table)


def test_a_column_of_long_texts_is_kept_wide_enough_for_a_few_lines():
    """The longest text over TEXT_LINES lines, at most TEXT_WIDEST characters; short texts and numbers keep the
    width the browser gives them (the browser test checks the lines on the notebooks' pages)."""
    frame = pd.DataFrame({"id": ["a", "b"], "value": [1.0, 2.0], "note": ["x" * 90, "short"],
                          "detail": ["y" * 500, ""], "label": ["z" * 40, "w"]})
    shown = show(frame)._repr_html_()
    assert '<th>id</th><th>value</th><th style="min-width:15ch">note</th>' in shown
    assert '<th style="min-width:36ch">detail</th><th>label</th>' in shown
    assert (TEXT_LINES, TEXT_WIDEST, LONG_TEXT) == (6, 36, 40)


def test_a_named_index_becomes_columns_and_row_numbers_of_a_filtered_table_are_dropped():
    frame = pd.DataFrame({"state": ["MA", "PR", "MA"], "period": ["2019-12", "2019-12", "2020-06"],
                          "total": [1, 16803, 3]})
    pivot = frame.pivot_table(index="state", columns="period", values="total")
    assert show(pivot).header == ["state", "2019-12", "2020-06"]
    assert show(pivot).rows == [["MA", "1", "3"], ["PR", "16,803", MISSING]]
    filtered = frame[frame["state"] == "MA"]
    assert show(filtered).header == ["state", "period", "total"]


def test_rows_of_the_long_table_take_their_decimals_per_unit():
    rows = pd.DataFrame({"indicator": ["people_in_cells", "drug_law_share_of_incidences"],
                         "value": [29843.0, 56.9876], "unit": ["persons", "percent"]})
    assert [row[1] for row in show(rows).rows] == ["29,843", "56.99"]


def test_html_escapes_and_plain_text_has_no_memory_address():
    table = show(pd.DataFrame({"text": ["<b>a & b</b>"]}), note="a note")
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in table._repr_html_()
    assert " at 0x" not in repr(table) and repr(table).endswith("a note")
    assert repr(show(pd.DataFrame({"x": pd.Series([], dtype=float)}))).endswith("(no rows)")



def test_texts_are_shown_as_written_even_when_they_look_like_numbers():
    table = show(pd.DataFrame({"number": ["data used", "census year"], "value": ["UNODC CTS", "2015"]}))
    assert [row[1] for row in table.rows] == ["UNODC CTS", "2015"]
