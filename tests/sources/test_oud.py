"""The observatory template: shipped figures, validation that names file and row, long rows."""

from __future__ import annotations

import pytest

from pipeline import longtable
from pipeline.errors import PipelineError
from pipeline.sources import oud

HEADER = ",".join(oud.COLUMNS)
GOOD = "2015,women_share_of_persons_prosecuted_drug_offences,female,24,percent,OUD report,p. 30,,"


def _template(tmp_path, *lines):
    path = tmp_path / "oud_indicators.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_shipped_template_holds_the_briefing_quotes():
    table = oud.load()
    shares = table.set_index("period")["value"]
    assert shares.to_dict() == {"2010": 30.0, "2021": 20.0}
    assert (table["quoted_in"] == "the briefing paper, footnotes 43-44").all()
    assert table["source"].str.contains("Mercado, Justicia y Convivencia II").all()


def test_long_rows_say_where_each_figure_was_read():
    rows = oud.long_rows(oud.load())
    longtable.validate(rows, "oud")
    assert set(rows["source"]) == {"oud"} and len(rows) == 2
    assert rows["definition"].str.contains("as quoted in the briefing paper").all()


@pytest.mark.parametrize("line, column, words", [
    ("2015,women_share_of_people_prosecuted,female,24,percent,OUD,p. 30,,", "indicator", "unknown indicator"),
    ("2015,women_share_of_persons_prosecuted_drug_offences,women,24,percent,OUD,p. 30,,", "sex", "unknown sex"),
    ("2015,women_share_of_persons_prosecuted_drug_offences,female,24,pct,OUD,p. 30,,", "unit", "unknown unit"),
    ("2015,persons_prosecuted_drug_offences,female,24,percent,OUD,p. 30,,", "unit", "measured in persons"),
    ("2015,women_share_of_persons_prosecuted_drug_offences,female,124,percent,OUD,p. 30,,", "value", "outside 0-100"),
    ("2015,women_share_of_persons_prosecuted_drug_offences,female,-3,percent,OUD,p. 30,,", "value", "outside 0-100"),
    ("2015,persons_prosecuted_drug_offences,total,10.5,persons,OUD,p. 30,,", "value", "fractional"),
    ("2015,women_share_of_persons_prosecuted_drug_offences,female,24,percent,,p. 30,,", "source", "empty"),
    ("c.2015,women_share_of_persons_prosecuted_drug_offences,female,24,percent,OUD,p. 30,,", "period", "YYYY"),
])
def test_bad_row_names_file_row_and_problem(tmp_path, line, column, words):
    with pytest.raises(PipelineError) as caught:
        oud.load(_template(tmp_path, GOOD, line))
    assert (caught.value.row, caught.value.column) == (3, column)
    assert words in caught.value.problem and "oud_indicators.csv" in caught.value.message


def test_duplicate_key_names_both_rows(tmp_path):
    with pytest.raises(PipelineError) as caught:
        oud.load(_template(tmp_path, GOOD, GOOD.replace(",24,", ",25,")))
    assert caught.value.row == 3 and "first given on row 2" in caught.value.problem


def test_report_figure_may_sit_beside_its_quotation(tmp_path):
    quoted = GOOD.rstrip(",") + ",briefing paper,"
    table = oud.load(_template(tmp_path, GOOD, quoted))
    assert len(table) == 2
    rows = oud.long_rows(table)
    assert len(rows) == 1 and "as quoted" not in rows["definition"].iloc[0]


def test_renamed_column_is_an_error(tmp_path):
    path = tmp_path / "oud_indicators.csv"
    path.write_text(HEADER.replace("page_or_table", "page") + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="header"):
        oud.load(path)
