"""The Argentina chapter's build (pipeline/chapters/argentina/build.py): SNEEP's printed figures read from the registry
of published figures in its own vocabulary, and whether the briefing's three drug figures agree."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import paths
from pipeline.chapters.argentina import build as argentina
from pipeline.errors import PipelineError
from pipeline.settings import Argentina
from pipeline.sources import published

SETTINGS = Argentina(women_include_trans_women=True, drug_rule="any_offence", drug_include_smuggling=False,
                     legal_status="all", service="all", first_year=2005, last_year=2022, growth_base_year=2015)


def test_the_chapter_reads_the_published_registry_in_its_own_vocabulary():
    figures, origin = argentina.published_figures(published.load())
    assert origin == "data/published/figures.csv"
    assert argentina.published_value(figures, argentina.WOMEN_HELD, "2015") == 2996
    assert argentina.published_value(figures, argentina.PERSONS_IN_UNITS, "2022") == 105053
    assert argentina.published_value(figures, argentina.WOMEN_DRUG_GROWTH, "2015/2022") == 47
    # A figure printed by two sources (33 trans women in 2015: arg-004 and arg-012) is one fact.
    assert argentina.published_value(figures, ("persons_held", "trans_women"), "2015") == 33


def test_a_fact_missing_from_the_registry_is_one_error_naming_it():
    registry = published.load()
    without = registry[registry["figure_id"] != "arg-014"]  # women held, 2022
    with pytest.raises(PipelineError, match=r"data/published/figures.csv: the registry of published figures lacks "
                                            r"the Argentina facts persons_held/female/2022"):
        argentina.published_figures(without)


def test_drug_growth_check_finds_the_shares_that_give_47_percent():
    published, _ = argentina.published_figures()
    check = argentina.drug_growth_check(published, SETTINGS).set_index("quantity")
    assert check.iloc[0]["low_pct"] == pytest.approx(50.52, abs=0.01)
    assert check.iloc[3]["low_pct"] > 37.2 and check.iloc[3]["high_pct"] < 37.5
    assert check.iloc[4]["low_pct"] >= 37.5 and check.iloc[4]["high_pct"] < 37.8
    assert np.isclose(check.iloc[2]["low_pct"], 47)
    # ... and all women held grew 2,996 -> 4,391: 46.56%, which also rounds to the published 47%.
    assert check.loc[argentina.ALL_WOMEN_GROWTH, "low_pct"] == pytest.approx(100 * (4391 / 2996 - 1))
    assert round(check.loc[argentina.ALL_WOMEN_GROWTH, "low_pct"], 2) == 46.56


def test_a_unodc_share_the_regional_rules_leave_out_is_left_out_here_too():
    """UNODC's women and men of 2005 (43,689) and 2006 (50,428) fall far below their totals (55,423 and 54,000): the
    UNODC rules give those years no women's share (tab-02), so this chapter's share series (fig-11) has none either,
    where it once showed 3.92% and 5.17%. The counts of women stay (fig-10); 2007 on are shares as before."""
    unodc = argentina.unodc_series().set_index("year")
    assert unodc.loc[[2005, 2006, 2007], "share_computed"].tolist() == [False, False, True]
    published_table, _ = argentina.published_figures()
    women = argentina.women_series(unodc.reset_index(), published_table, SETTINGS)
    unodc_rows = women[women["series"] == argentina.UNODC_SERIES].set_index("year")
    assert unodc_rows.loc[[2005, 2006], "women_held"].tolist() == [2172, 2791]
    assert unodc_rows.loc[[2005, 2006], "women_share_pct"].isna().all()
    assert unodc_rows.loc[2007, "women_share_pct"] == 5.35  # 2,804 / 52,457
    assert argentina.parts_versus_total(unodc.reset_index()).columns.tolist() == [
        "year", "female", "male", "total", "female_plus_male", "difference"]


def test_the_alt_texts_give_each_series_first_and_last_year_from_what_the_figures_draw():
    """fig-10 and fig-11's alt texts (issue: 'Line chart of women held … by year' said no number): each series' first
    and last year with a value, women as counted (grouped) and shares to one decimal, rounded once from the count and
    its total (5.345, not the table's 5.35, gives 5.3); UNODC's share starts where its
    shares start (2007), not where its counts do; a series the build lacks gives empty texts, not an error."""
    import pandas as pd

    from pipeline.chapters.argentina.series import CITED_SERIES, UNODC_SERIES

    women = pd.DataFrame({
        "year": [2005, 2007, 2021, 2015, 2022],
        "series": [UNODC_SERIES] * 3 + [CITED_SERIES] * 2,
        "women_held": [2172.0, 2804.0, 4013.0, 2996.0, 4391.0],
        "persons_held": [55423.0, 52457.0, 102150.0, 71464.0, 105053.0],
        "women_share_pct": [np.nan, 5.35, 3.93, 4.19, 4.18],
    }).sample(frac=1, random_state=1)
    ends = argentina.series_ends_in_words(women)
    assert {name: ends[name] for name in ends if name.startswith("unodc_")} == {
        "unodc_women_first_year": "2005", "unodc_women_first": "2,172", "unodc_women_last_year": "2021",
        "unodc_women_last": "4,013", "unodc_share_first_year": "2007", "unodc_share_first": "5.3",
        "unodc_share_last_year": "2021", "unodc_share_last": "3.9"}
    assert (ends["cited_women_first"], ends["cited_women_first_year"], ends["cited_women_last"],
            ends["cited_women_last_year"], ends["cited_share_last"]) == ("2,996", "2015", "4,391", "2022", "4.2")
    assert {ends[name] for name in ends if name.startswith("microdata_")} == {""}


def test_tab10_says_what_unodcs_persons_and_women_count():
    """UNODC's 'all persons held' (72,693 in 2015) is SNEEP's persons in the penitentiary system, juveniles included,
    not its persons housed in penitentiary units (71,464: UNODC's adults); its women (2,988) include 25 juveniles and
    no trans women, where SNEEP as cited (2,996) counts 33 trans women. An independent recount found the labels silent
    on both."""
    from pipeline import paths  # the committed table, as a reader gets it

    stated = paths.table("tab-10-argentina-growth", ".md").read_text(encoding="utf-8").splitlines()[-1]
    assert ("persons (UNODC CTS) = 'Persons held' as reported to UNODC, Age=Total, juveniles included: in 2015, "
            "SNEEP's persons in the penitentiary system, a wider count than its persons housed in penitentiary units "
            "(UNODC's adults)") in stated
    assert "women (UNODC CTS) = 'female' as reported to UNODC, Age=Total (juveniles included; trans women not " \
           "counted apart)" in stated


def test_the_microdata_tables_state_the_microdatas_rules_even_when_empty():
    """tab-14 and tab-15 come from SNEEP microdata alone. Without microdata (this build) they are empty, and they
    stated the chapter's definitions then, UNODC's and the printed figures' (a newcomer asked what those had to do
    with the tables): they state the rules the microdata would be read with."""
    for name in ("tab-14-argentina-persons-by-province", "tab-15-argentina-women-drugs-by-province"):
        stated = paths.table(name, ".md").read_text(encoding="utf-8").split("Definitions used: ")[1]
        assert stated.startswith("gender_coding = SNEEP labels mapped by data/crosswalks/sneep_gender.csv"), stated
        assert "held_for_drugs = any offence under Ley 23.737" in stated and "UNODC" not in stated
