"""The registry of published figures: exact numbers, conflicts kept, and loud validation."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import i18n, longtable
from pipeline.errors import PipelineError
from pipeline.sources import published


@pytest.fixture(scope="module")
def figures():
    return published.load()


def _write(tmp_path, edit):
    """A copy of the real registry with one edit applied (a function of the raw string table)."""
    table = pd.read_csv(published.REGISTRY, dtype=str, keep_default_na=False)
    table = edit(table)
    path = tmp_path / "figures.csv"
    table.to_csv(path, index=False)
    return path


def test_every_flag_has_its_words_in_every_language():
    rows = {key: entry.texts for key, entry in i18n.load()[1].items() if key.startswith("published.flag.")}
    assert set(published.FLAG_WORDS) == set(published.FLAGS)
    assert {key.removeprefix("published.flag."): texts["en"] for key, texts in rows.items()} == published.FLAG_WORDS
    assert all(text.strip() for texts in rows.values() for text in texts.values())
    assert published.flag_words("approximate;secondary") == "approximate; second-hand"


def test_registry_covers_the_three_countries(figures):
    assert figures["country"].value_counts().to_dict() == {"URY": 92, "BRA": 44, "ARG": 17}
    assert figures["figure_id"].is_unique


def test_exact_numbers_from_the_mirror(figures):
    by_id = figures.set_index("figure_id")
    assert by_id.at["ury-001", "value"] == 635 and by_id.at["ury-001", "period"] == "2020-01"
    assert by_id.at["ury-065", "value"] == 24.5 and by_id.at["ury-065", "period"] == "2015-01/2015-11"
    assert by_id.at["arg-011", "value"] == 2996
    assert by_id.at["bra-001", "value"] == 51897 and by_id.at["bra-001", "period"] == "2020-06"


def test_imprecise_figures_keep_their_printed_text(figures):
    by_id = figures.set_index("figure_id")
    assert pd.isna(by_id.at["ury-004", "value"]) and by_id.at["ury-004", "value_as_printed"] == "10-15"
    assert by_id.at["bra-015", "flags"] == "lower_bound;approximate"
    # One printed pair becomes two rows that both keep the printed text.
    assert by_id.loc[["bra-032", "bra-033"], "value"].tolist() == [650822, 201188]


def test_conflicts_are_kept_not_averaged(figures):
    pairs = published.conflicts(figures)
    assert len(pairs) == 9
    sale_points = pairs[pairs["figure_id"] == "ury-079"].iloc[0]
    assert (sale_points["value"], sale_points["other_value"]) == (330, 338)
    monitored = pairs[pairs["figure_id"] == "bra-016"].iloc[0]
    assert (monitored["value"], monitored["other_value"]) == (91362, 91632)


def test_long_rows_hold_only_exact_single_date_figures(figures):
    rows = published.long_rows(figures)
    longtable.validate(rows, "published")
    assert len(rows) == 79
    assert (rows["unit"] == "sale_points").sum() == 9 and (rows["unit"] == "proceedings").sum() == 1
    keys = set(zip(rows["country"], rows["indicator"], rows["sex"], rows["period"]))
    assert ("URY", "persons_held", "female", "2020-01") in keys
    assert ("URY", "persons_held", "female", "2020-03") not in keys  # period inferred
    assert ("BRA", "persons_monitored_electronically", "total", "2022") not in keys  # conflicting sources
    assert ("URY", "persons_held", "female", "2002") not in keys  # disputed by UNODC
    # The same 33 trans women printed by two sources is one row citing both.
    trans = rows[(rows["country"] == "ARG") & (rows["sex"] == "trans_women") & (rows["period"] == "2015")]
    assert len(trans) == 1 and "arg-004" in trans["definition"].iloc[0] and "arg-012" in trans["definition"].iloc[0]


def test_select_helper(figures):
    women = published.select(figures, country="URY", indicator="persons_held", sex="female", exact_only=True)
    assert "ury-047" not in set(women["figure_id"]) and "ury-001" in set(women["figure_id"])


@pytest.mark.parametrize("edit, line, column, words", [
    (lambda t: t.assign(unit=t["unit"].mask(t.index == 4, "people")), 6, "unit", "unknown unit 'people'"),
    (lambda t: t.assign(sex=t["sex"].mask(t.index == 0, "women")), 2, "sex", "unknown sex 'women'"),
    (lambda t: t.assign(indicator=t["indicator"].mask(t.index == 2, "Persons Held")), 4, "indicator", "snake_case"),
    (lambda t: t.assign(period=t["period"].mask(t.index == 1, "c. 2022")), 3, "period", "'c. 2022'"),
    (lambda t: t.assign(period=t["period"].mask(t.index == 1, "2021/2020")), 3, "period", "ordered span"),
    (lambda t: t.assign(figure_id=t["figure_id"].mask(t.index == 3, "ury-001")), 5, "figure_id", "used twice"),
    (lambda t: t.assign(value=t["value"].mask(t.index == 0, "about 600")), 2, "value", "not a number"),
    (lambda t: t.assign(conflicts_with=t["conflicts_with"].mask(t.index == 0, "ury-002")), 2, "conflicts_with",
     "does not name ury-001"),
])
def test_validation_names_file_row_and_column(tmp_path, edit, line, column, words):
    with pytest.raises(PipelineError) as caught:
        published.load(_write(tmp_path, edit))
    error = caught.value
    assert (error.row, error.column) == (line, column) and words in error.problem
    assert "figures.csv" in error.message and error.fix


@pytest.mark.parametrize("typed, fix", [
    ("6,8", "write it with a decimal point and no thousands separator (is ',' the decimal mark"),
    ("91.362,5", "write it with a decimal point and no thousands separator"),
    ("about 600", "put the printed text in value_as_printed and flag it"),
])
def test_a_value_typed_as_a_spreadsheet_writes_it_says_how_to_write_it(tmp_path, typed, fix):
    """A decimal comma or a thousands separator (a spreadsheet under Spanish or Portuguese settings) is not taken for
    either reading: the message asks which it is."""
    with pytest.raises(PipelineError) as caught:
        published.load(_write(tmp_path, lambda t: t.assign(value=t["value"].mask(t.index == 0, typed))))
    assert caught.value.fix.startswith(fix) and caught.value.column == "value"


def test_an_undeclared_conflict_is_an_error(tmp_path):
    def add_disagreeing_copy(table):
        copy = table[table["figure_id"] == "ury-001"].assign(figure_id="ury-093", value="640")
        return pd.concat([table, copy], ignore_index=True)

    with pytest.raises(PipelineError, match="not declared"):
        published.load(_write(tmp_path, add_disagreeing_copy))
