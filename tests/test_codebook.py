"""The codebook (pipeline/codebook.py): one entry per indicator and source of the long table, read from the table
itself; on a small generated table, then exact numbers on the committed one."""

from __future__ import annotations

import pandas as pd

from pipeline import codebook, longtable, paths


def _rows(*rows) -> pd.DataFrame:
    return longtable.frame([dict(zip(longtable.COLUMNS, row)) for row in rows])


def test_one_entry_per_indicator_and_source_with_its_countries_sexes_periods_and_definitions():
    table = _rows(
        ("BRA", "unodc_prisons", "women_share_of_persons_held", "female", "2019", 5.1, "percent",
         "female persons held as a percentage of all persons held (755,274) (same year)"),
        ("ARG", "unodc_prisons", "women_share_of_persons_held", "female", "2021", 3.9, "percent",
         "female persons held as a percentage of all persons held (101,267) (same year)"),
        ("ARG", "published", "persons_held", "total", "2015", 71464.0, "persons", "figure printed by arg-014"),
        ("ARG", "published", "persons_held", "female", "2022-06", 4391.0, "persons", "figure printed by arg-015"),
    )
    book = codebook.codebook(table)
    assert list(book.columns) == codebook.COLUMNS
    assert book[["indicator", "source"]].values.tolist() == [["persons_held", "published"],
                                                              ["women_share_of_persons_held", "unodc_prisons"]]
    held, share = book.to_dict("records")
    assert (held["rows"], held["countries"], held["sexes"], held["unit_kind"]) == (2, 1, "total, female", "count")
    assert (held["first_period"], held["last_period"], held["periods"]) == ("2015", "2022-06", 2)
    assert held["definitions"] == "figure printed by arg-#"  # ids are numbers too: one pattern
    # Definitions that differ only in their numbers are one pattern.
    assert share["definitions"] == "female persons held as a percentage of all persons held (#) (same year)"
    assert share["country_codes"] == "ARG BRA"


def test_a_single_definition_is_kept_with_its_numbers():
    table = _rows(("URY", "oud", "drug_sale_points_raided", "total", "2018", 709.0, "sale_points",
                   "points raided in 2018 (OUD report, table 3.2)"))
    assert codebook.codebook(table)["definitions"].tolist() == ["points raided in 2018 (OUD report, table 3.2)"]


def test_the_committed_codebook_covers_every_row_of_the_long_table():
    table = longtable.read(paths.INDICATORS)
    committed = pd.read_csv(paths.CODEBOOK.with_suffix(".csv"), dtype={"first_period": str, "last_period": str})
    # 23 rows and 2 indicators since 2026-12-05: the states Brazil's monitoring count covers (11 semesters), and the
    # growth of its people in the same states (4 semesters after the base, 3 sexes); 3 more rows and indicators: the
    # Americas interval with Brazil's women in cells only (low, central, high). 4 rows fewer since 2026-12-05 (later):
    # rule 2's lower ratio takes out Puerto Rico's unsentenced of 2018 (2 counts, 2 rates, 1 share) and gives
    # Uruguay's share held unsentenced of 2016. 2 rows and indicators more: the world panels' countries whose women
    # grew faster (headline, widest).
    assert committed["rows"].sum() == len(table) == 8839
    assert len(committed) == table.groupby(["indicator", "source"]).ngroups == 95
    held = committed.set_index(["indicator", "source"]).loc[("persons_held", "unodc_prisons")]
    assert (held["rows"], held["countries"]) == (1467, len(held["country_codes"].split()))
    assert (held["unit"], held["first_period"], held["last_period"]) == ("persons", "2000", "2022")
    assert paths.CODEBOOK.with_suffix(".md").read_text(encoding="utf-8") == codebook.markdown(
        codebook.codebook(table), len(table))


def test_a_row_of_two_sources_counts_each_once_and_gets_an_anchor_of_words():
    """`unodc_prisons+sisdepen` is two of the 5 sources, not a sixth; its entries' anchors spell the `+` out."""
    text = paths.CODEBOOK.with_suffix(".md").read_text(encoding="utf-8")
    assert "92 indicators from 5 sources, 95 (indicator, source) entries" in text
    assert '<a id="women-held-estimate-low-brazil-in-cells--unodc-prisons-and-sisdepen"></a>' in text
    assert "## `women_held_estimate_low_brazil_in_cells` — unodc_prisons+sisdepen" in text
