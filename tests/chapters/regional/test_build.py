"""Regional chapter: same-year ratios, the world panel, pre-trial shares by sex and the Americas interval —
on small generated series (exact arithmetic) and on the real UNODC file (the numbers the briefing uses)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from expected_notes import BRAZIL_COUNT_NOTE

from pipeline import i18n, longtable, paths, registry
from pipeline.chapters.regional import build as regional
from pipeline.errors import PipelineError
from pipeline.sources import unodc_prisons
from pipeline.settings import Regional

SETTINGS = Regional(first_year=2005, subregion="Latin America and the Caribbean",
                           focus_countries=["ARG", "BRA", "URY"], world_panel_min_countries=60, world_panel_last_year=2019,
                           americas_excluded=["USA"], missing_share_quantiles=[0.25, 0.75],
                           missing_share_min_peers=5, juveniles_note_min_pct=5.0)


def national(*rows, region="Americas", subregion="Latin America and the Caribbean") -> pd.DataFrame:
    """Rows of (country, indicator, sex, year, value[, basis]) in the shape of the cleaned national series."""
    table = pd.DataFrame([(*row, "") if len(row) == 5 else row for row in rows],
                         columns=["country", "indicator", "sex", "year", "value", "basis"])
    return table.assign(period=table["year"].astype(str), country_name=table["country"] + " name",
                        region=region, subregion=subregion, source="unodc_prisons")


def held(country, year, female=None, male=None, total=None, share_basis="total") -> list[tuple]:
    rows = [(country, "persons_held", sex, year, value)
            for sex, value in (("female", female), ("male", male), ("total", total)) if value is not None]
    denominator = total if share_basis == "total" else (female or 0) + (male or 0)
    if female is not None and denominator:
        rows.append((country, "women_share_of_persons_held", "female", year, 100 * female / denominator,
                     share_basis))
    return rows


MEMBERS = pd.DataFrame({"iso3": ["AAA", "BBB"], "country_name": ["AAA name", "BBB name"]})


# ------------------------------------------------------------------------------ Same-year ratios ---

def test_latest_year_is_the_latest_with_numerator_and_denominator():
    """A female count in 2021 without a total that year does not lend its year to the 2020 share."""
    frame = national(*held("AAA", 2010, female=600, total=10000), *held("AAA", 2020, female=805, total=13039),
                     ("AAA", "persons_held", "female", 2021, 900), ("AAA", "persons_held_rate", "female", 2020, 45.5))
    latest = regional.latest_by_country(regional.women_held(frame, MEMBERS, 2005)).set_index("country")
    assert latest.loc["AAA", ["latest_year", "women_held", "persons_held", "women_share_pct",
                              "women_per_100k_women"]].tolist() == [2020, 805, 13039, 6.2, 45.5]
    assert latest.loc["AAA", "growth_since_2010_pct"] == pytest.approx(34.2)
    assert latest.loc["AAA", ["first_year", "growth_since_first_year_pct"]].tolist() == [2010, pytest.approx(34.2)]


def test_share_of_female_plus_male_is_labelled():
    frame = national(*held("AAA", 2020, female=805, male=12234, share_basis="female + male"))
    latest = regional.latest_by_country(regional.women_held(frame, MEMBERS, 2005)).iloc[0]
    assert (latest["share_denominator"], latest["women_share_pct"], latest["men_held"]) == ("female + male", 6.2, 12234)


def test_no_growth_from_a_base_year_after_the_latest():
    frame = national(*held("AAA", 2008, female=100, total=2000), ("AAA", "persons_held", "female", 2010, 120))
    latest = regional.latest_by_country(regional.women_held(frame, MEMBERS, 2005)).iloc[0]
    assert latest["latest_year"] == 2008 and pd.isna(latest["growth_since_2010_pct"])


def test_no_growth_over_no_years():
    """A country whose first count that can start a growth is its latest complete year (Antigua and Barbuda, 2020)
    has no growth since its first year: blank, not 0.0, and no first year."""
    frame = national(*held("AAA", 2020, female=49, male=428, total=477))
    latest = regional.latest_by_country(regional.women_held(frame, MEMBERS, 2005)).iloc[0]
    assert latest["latest_year"] == 2020 and pd.isna(latest["first_year"])
    assert pd.isna(latest["growth_since_first_year_pct"]) and pd.isna(latest["growth_since_2010_pct"])


# ------------------------------------------------------------------------------------ The world ---

def world() -> pd.DataFrame:
    return pd.concat([
        national(*held("AAA", 2010, 100, 900), *held("AAA", 2015, 120, 950), *held("AAA", 2020, 160, 990)),
        national(*held("BBB", 2010, 50, 950), *held("BBB", 2020, 55, 1100), region="Europe", subregion="Europe"),
        national(*held("CCC", 2015, 10, 90), *held("CCC", 2020, 20, 80, total=100), region="Asia", subregion="Asia"),
        # A country and its part: the part counts only where the country is not counted.
        national(*held("DDD", 2010, 30, 300), *held("DDD_X", 2010, 5, 50), *held("DDD_X", 2020, 6, 60),
                 region="Asia", subregion="Asia"),
    ], ignore_index=True)


def test_world_panel_takes_the_widest_window_with_enough_countries():
    windows, members, short = regional.world_panel(world(), min_countries=2)
    chosen = windows[windows["chosen"]].iloc[0]
    assert (chosen["start_year"], chosen["end_year"], chosen["countries"]) == (2010, 2020, 2)
    assert members["country"].tolist() == ["AAA", "BBB"]  # DDD_X is left out in 2010, DDD has no 2020
    assert (chosen["women_start"], chosen["women_end"], chosen["women_growth_pct"]) == (150, 215, 43.3)
    assert (chosen["men_start"], chosen["men_end"], chosen["men_growth_pct"]) == (1850, 2090, 13.0)
    # Country by country: AAA's women +60% against its men's +10%; BBB's +10% against +15.8%.
    assert chosen["countries_women_faster"] == 1
    # Counted in 2020: AAA 1,150, BBB 1,155, CCC 100 (its total), DDD_X 66 -> the panel holds 93.3%.
    assert chosen["share_of_counted_end_pct"] == round(100 * 2305 / 2471, 1)
    assert windows[["start_year", "end_year", "countries"]].values.tolist() == [[2010, 2020, 2], [2015, 2020, 2]]
    assert short.empty


def test_the_countries_counting_women_and_men_each_year():
    """The panels' pool, year by year: 2010 has AAA, BBB and DDD (its part DDD_X is left out where DDD counts), 2015
    AAA and CCC, 2020 AAA, BBB, CCC and DDD_X; a count short of its total counts no country in (EEE in 2010)."""
    short_2010 = national(("EEE", "persons_held", "female", 2010, 40), ("EEE", "persons_held", "male", 2010, 500),
                          ("EEE", "persons_held", "total", 2010, 900), region="Africa", subregion="Africa")
    coverage = regional.countries_counting_by_sex(pd.concat([world(), short_2010], ignore_index=True))
    assert coverage.values.tolist() == [[2010, 3], [2015, 2], [2020, 4]]


def test_world_panel_counts_a_total_below_its_parts_as_its_parts():
    """Mexico's totals of 2009-2012 are below its women + men (186,614 against 236,477 in 2009): a total that misses
    persons, which no share uses. The panel's share of all persons counted takes women + men for that year."""
    below = national(("FFF", "persons_held", "female", 2020, 10), ("FFF", "persons_held", "male", 2020, 190),
                     ("FFF", "persons_held", "total", 2020, 150), region="Americas", subregion="Americas")
    windows, _, _ = regional.world_panel(pd.concat([world(), below], ignore_index=True), min_countries=2)
    chosen = windows[windows["chosen"]].iloc[0]
    # Counted in 2020: AAA 1,150, BBB 1,155, CCC 100, DDD_X 66 and FFF 200 (not its total, 150).
    assert chosen["share_of_counted_end_pct"] == round(100 * 2305 / 2671, 1) == 86.3


def test_world_panel_leaves_out_a_count_by_sex_that_falls_short_of_its_total_and_says_which():
    """Kenya's women and men are 60% of its total in every year, the Philippines' in 2019 (as tab-01's growths: a
    year whose women's share the plausibility rules leave out, its women and men short of its total)."""
    short_2010 = national(("EEE", "persons_held", "female", 2010, 40), ("EEE", "persons_held", "male", 2010, 500),
                          ("EEE", "persons_held", "total", 2010, 900), *held("EEE", 2020, 60, 840, total=900),
                          region="Africa", subregion="Africa")  # no women's share in 2010: the rules left it out
    windows, members, short = regional.world_panel(pd.concat([world(), short_2010], ignore_index=True),
                                                   min_countries=2)
    chosen = windows[windows["chosen"]].iloc[0]
    assert (chosen["start_year"], chosen["end_year"], chosen["countries"]) == (2010, 2020, 2)
    assert members["country"].tolist() == ["AAA", "BBB"]  # EEE's 2010 women and men are 540 of its 900
    assert short.values.tolist() == [["EEE", 2010, 900, 40, 500, 40.0]]
    # With its women's share kept (the rules found its women and men whole), the same counts are in.
    whole = national(*held("EEE", 2010, 40, 500, total=540), *held("EEE", 2020, 60, 840, total=900),
                     region="Africa", subregion="Africa")
    _, members, short = regional.world_panel(pd.concat([world(), whole], ignore_index=True), min_countries=2)
    assert members["country"].tolist() == ["AAA", "BBB", "EEE"] and short.empty


def test_world_panel_headline_ends_by_the_last_year_and_the_widest_is_kept_beside_it():
    windows, members, _ = regional.world_panel(world(), min_countries=1, last_year=2019)
    chosen, widest = windows[windows["chosen"]].iloc[0], windows[windows["widest"]].iloc[0]
    assert (chosen["start_year"], chosen["end_year"], chosen["countries"]) == (2010, 2015, 1)
    assert (widest["start_year"], widest["end_year"], widest["countries"]) == (2010, 2020, 2)
    assert members["country"].tolist() == ["AAA"]
    with pytest.raises(PipelineError, match=r"'regional.world_panel_last_year': no two years up to 2012"):
        regional.world_panel(world(), min_countries=1, last_year=2012)


def test_world_panel_minimum_is_checked_against_the_data():
    with pytest.raises(PipelineError, match=r"'regional.world_panel_min_countries': no two years up to 9999 have 5 "
                                            r"countries counting women and men in both \(at most 2\)"):
        regional.world_panel(world(), min_countries=5)


# ------------------------------------------------------------------------------ Pre-trial by sex ---

def test_unsentenced_shares_of_women_and_men_come_from_one_year():
    frame = national(*held("AAA", 2020, 100, 900), *held("AAA", 2021, 120, 1000),
                     ("AAA", "persons_held_unsentenced", "female", 2020, 40),
                     ("AAA", "persons_held_unsentenced", "male", 2020, 270),
                     ("AAA", "unsentenced_share_of_persons_held", "female", 2020, 40.0),
                     ("AAA", "unsentenced_share_of_persons_held", "male", 2020, 30.0),
                     ("AAA", "unsentenced_share_of_persons_held", "female", 2021, 50.0))  # no men that year
    table = regional.unsentenced_by_sex(frame, MEMBERS)
    assert table.drop(columns=["country", "country_name"]).values.tolist() == [
        [2020, 100, 40, 40.0, 900, 270, 30.0, 10.0]]


# ----------------------------------------------------------------------------------- The Americas ---

def test_americas_interval_adds_an_estimate_for_countries_without_a_count_by_sex():
    shares = {"AAA": 4.0, "BBB": 5.0, "CCC": 6.0, "DDD": 7.0, "EEE": 8.0}
    rows = [row for country, share in shares.items() for row in held(country, 2020, female=share * 10, total=1000)]
    frame = pd.concat([national(*rows, ("ZZZ", "persons_held", "total", 2018, 10000),
                                ("YYY", "persons_held", "female", 2021, 99)),
                       national(("USA", "persons_held", "female", 2021, 200000)),
                       national(("CAN", "persons_held", "total", 2020, 20000), subregion="Northern America"),
                       national(("ABC", "persons_held_rate", "total", 2020, 100.0))], ignore_index=True)
    by_country, interval = regional.americas(frame, ["USA"], [0.25, 0.75], 5)
    by_country = by_country.set_index("country")
    assert by_country.loc["ZZZ", ["status", "year", "persons_held", "share_low_pct", "share_median_pct",
                                  "share_high_pct", "women_low", "women_central", "women_high"]].tolist() == [
        "estimated", 2018, 10000, 5.0, 6.0, 7.0, 500, 600, 700]
    assert by_country.loc["CAN", "share_group"] == "Americas (fewer than 5 in Northern America)"
    assert by_country.loc["YYY", ["status", "women_held"]].tolist() == ["reported", 99]  # no share: still counted
    assert by_country.loc["ABC", "status"] == "no count"
    # Each status a country can have is written in every language (tab-06): 'no count' never occurs in the pinned
    # export, and a build from an older one stopped at the report for want of its Spanish.
    for language in ("es", "pt"):
        tr = i18n.Translator(language)
        expected = {"es": {"declarado", "estimado", "sin recuento"}, "pt": {"informado", "estimado", "sem contagem"}}
        assert {tr.english(status) for status in by_country["status"]} == expected[language]
    assert "USA" not in by_country.index
    totals = interval.set_index("measure")
    assert totals.loc[regional.REPORTED, ["countries", "women_low", "women_high"]].tolist() == [6, 399, 399]
    assert totals.loc[regional.ESTIMATED, ["countries", "women_low", "women_central", "women_high"]].tolist() == [
        2, 1500, 1800, 2100]
    assert totals.loc[regional.INTERVAL, ["women_low", "women_central", "women_high"]].tolist() == [1899, 2199, 2499]
    assert totals.loc[regional.UNCOVERED, "countries"] == 1
    # regional.missing_share_min_peers: with 6, ZZZ's subregion (5 countries with a share) has too few peers, and
    # its estimate says it takes the whole Americas' shares (here the same 5).
    fewer = regional.americas(frame, ["USA"], [0.25, 0.75], 6)[0].set_index("country")
    assert fewer.loc["ZZZ", "share_group"] == "Americas (fewer than 6 in Latin America and the Caribbean)"


def test_quantiles_must_be_ordered():
    with pytest.raises(Exception, match="give two quantiles, low then high, between 0 and 1"):
        Regional(**{**SETTINGS.model_dump(), "missing_share_quantiles": [0.75, 0.25]})


def test_brazil_reconciliation_names_the_count_unodc_carries():
    rows = [("BRA", "unodc_prisons", "persons_held", "female", "2020", 41580),
            ("BRA", "sisdepen", "people_in_cells", "female", "2020-12", 28688),
            ("BRA", "sisdepen", "people_electronic_monitoring", "female", "2020-12", 8130),
            ("BRA", "sisdepen", "people_domiciliary", "female", "2020-12", 4566)]
    table = pd.DataFrame(rows, columns=longtable.KEY + ["value"])
    result = regional.brazil_in_unodc(table, years=(2020,)).iloc[0]
    assert result[["sisdepen_all", "difference_from_cells_pct", "difference_from_all_pct"]].tolist() == [
        41384, 44.9, 0.5]
    with pytest.raises(PipelineError, match="no long-table row BRA/unodc_prisons/persons_held/female/2019"):
        regional.brazil_in_unodc(table, years=(2019,))


def test_brazil_reconciliation_takes_every_year_both_sources_have_and_the_patronatos_women():
    """Without `years`, every year with UNODC's women held and SISDEPEN's December women in cells (not 2015, which
    SISDEPEN lacks, nor 2021, which UNODC lacks, nor a June semester). A Patronato's women, which the Brazil chapter
    lists apart, are a column of their own and a third comparison; a year without them has none. 2016 by hand:
    40,967 / (35,541 + 850 + 3,360) = 1.0306."""
    rows = [("BRA", "unodc_prisons", "persons_held", "female", "2015", 37000),
            ("BRA", "unodc_prisons", "persons_held", "female", "2016", 40967),
            ("BRA", "sisdepen", "people_in_cells", "female", "2016-12", 35541),
            ("BRA", "sisdepen", "people_electronic_monitoring", "female", "2016-12", 850),
            ("BRA", "sisdepen", "people_patronato", "female", "2016-12", 3360),
            ("BRA", "sisdepen", "people_in_cells", "female", "2017-06", 34000),
            ("BRA", "unodc_prisons", "persons_held", "female", "2020", 41580),
            ("BRA", "sisdepen", "people_in_cells", "female", "2020-12", 28688),
            ("BRA", "sisdepen", "people_electronic_monitoring", "female", "2020-12", 8130),
            ("BRA", "sisdepen", "people_domiciliary", "female", "2020-12", 4566),
            ("BRA", "sisdepen", "people_in_cells", "female", "2021-12", 29843)]
    result = regional.brazil_in_unodc(pd.DataFrame(rows, columns=longtable.KEY + ["value"])).set_index("year")
    assert result.index.tolist() == [2016, 2020]
    assert result.loc[2016, ["sisdepen_all", "sisdepen_patronato", "difference_from_cells_pct",
                             "difference_from_all_pct", "difference_from_every_count_pct"]].tolist() == [
        36391, 3360, 15.3, 12.6, 3.1]
    assert pd.isna(result.loc[2020, "sisdepen_patronato"])
    assert result.loc[2020, "difference_from_every_count_pct"] == result.loc[2020, "difference_from_all_pct"] == 0.5
    assert result["police_custody_note"].tolist() == ["no state reports for this year"] * 2
    with pytest.raises(PipelineError, match="no year with both UNODC's women held in Brazil and SISDEPEN's December"):
        regional.brazil_in_unodc(pd.DataFrame(rows[:1] + rows[-1:], columns=longtable.KEY + ["value"]))


def _police_rows(period: str, counts: dict[str, tuple]) -> list[dict]:
    return [{"state": state, "period": period, "measure": "police_custody", "sex": sex, "value": value,
             "file": f"{state}.xls"} for state, values in counts.items()
            for sex, value in zip(("male", "female", "total"), values)]


def test_the_women_held_by_the_police_are_the_states_sum_where_every_state_report_sums(monkeypatch):
    """The state reports' police-custody row, summed over states for a semester only where every state's men and
    women are informed and add up to its total (June 2019's PI, PR and TO do not: that semester has none, and the
    note names them) and every state has its report. With it, Brazil's 2020 counts give UNODC's 41,580 exactly:
    41,384 + 196."""
    reports = pd.DataFrame(_police_rows("2020-12", {"SP": (1013, 73, 1086), "BA": (352, 123, 475)})
                           + _police_rows("2019-06", {"SP": (900, 50, 950), "PR": (5174, 345, 6427)})
                           + _police_rows("2019-06", {"PI": (float("nan"), float("nan"), 87)}))
    police = regional.police_custody_women(reports)
    assert police[["period", "states", "unusable"]].values.tolist() == [["2019-06", 3, "PI, PR"], ["2020-12", 2, ""]]
    assert police["women"].isna().all()  # 2020-12 too: two states' reports of the 27
    rows = [("BRA", "unodc_prisons", "persons_held", "female", "2020", 41580),
            ("BRA", "sisdepen", "people_in_cells", "female", "2020-12", 28688),
            ("BRA", "sisdepen", "people_electronic_monitoring", "female", "2020-12", 8130),
            ("BRA", "sisdepen", "people_domiciliary", "female", "2020-12", 4566)]
    indicators = pd.DataFrame(rows, columns=longtable.KEY + ["value"])
    assert regional.brazil_in_unodc(indicators, police).iloc[0]["police_custody_note"] == (
        "state reports for 2 of the 27 states; not used")
    monkeypatch.setattr(regional, "BRAZIL_STATES", 2)  # as if Brazil had these two states: their sum
    police = regional.police_custody_women(reports)
    assert pd.isna(police.iloc[0]["women"]) and police.iloc[1]["women"] == 196
    result = regional.brazil_in_unodc(indicators, police).iloc[0]
    assert result[["police_custody", "difference_from_all_pct", "difference_from_every_count_pct",
                   "police_custody_note"]].tolist() == [196, 0.5, 0.0, ""]
    unusable = police.assign(period=["2020-12", "2019-12"])  # 2020-12 is now the semester PI and PR spoil
    result = regional.brazil_in_unodc(indicators, unusable).iloc[0]
    assert pd.isna(result["police_custody"]) and result["difference_from_every_count_pct"] == 0.5
    assert result["police_custody_note"] == ("state reports: police-custody row not informed or not summing in PI, "
                                             "PR; not used")


def test_the_state_reports_missing_is_one_message_naming_their_stage(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "interim_parquet", lambda name: tmp_path / f"{name}.parquet")
    with pytest.raises(PipelineError, match=r"state reports' table is missing .*dvc repro ingest_sisdepen_reports"):
        regional._state_reports()


def test_tab01_says_when_a_latest_count_holds_women_outside_cells():
    """Brazil's 2020 count in UNODC (41,580) is SISDEPEN's women in cells, under electronic monitoring and in home
    detention together (41,384), not its women in cells (28,688), plus the 196 women the state reports say the police
    held: tab-01 says so beside the count its growth and rate use. Without the police's count (a year without state
    reports), the note names the women outside cells alone. A count nearer the women in cells, or of a year tab-08
    does not reconcile, gets no note."""
    in_unodc = pd.DataFrame({"year": [2019, 2020], "sisdepen_in_cells": [34967.0, 28688.0],
                             "sisdepen_all": [36929.0, 41384.0], "sisdepen_patronato": [np.nan, np.nan],
                             "police_custody": [268.0, 196.0], "difference_from_cells_pct": [6.4, 44.9],
                             "difference_from_all_pct": [0.7, 0.5], "difference_from_every_count_pct": [0.0, 0.0]})
    latest = pd.DataFrame({"country": ["ARG", "BRA"], "latest_year": [2021, 2020]})
    assert regional.count_notes(latest, in_unodc).tolist() == [
        "", BRAZIL_COUNT_NOTE["en"]]
    without_police = in_unodc.assign(police_custody=np.nan, difference_from_every_count_pct=0.5)
    assert regional.count_notes(latest, without_police).tolist()[1] == (
        "count includes 12,696 women outside cells (electronic monitoring, home detention; table 8 of the briefing); a "
        "change from a year before electronic monitoring (Law 12.258 of 2010) compares counts of different scope")
    # A Patronato's women in the year's every-count: the police's women alone are not what makes it nearer.
    assert regional.count_notes(latest, in_unodc.assign(sisdepen_patronato=[3360.0, 650.0])).tolist()[1] == \
        regional.count_notes(latest, without_police).tolist()[1]
    in_cells = in_unodc.assign(difference_from_cells_pct=[0.2, 0.3], difference_from_all_pct=[-5.0, -30.0])
    assert regional.count_notes(latest, in_cells).tolist() == ["", ""]
    assert regional.count_notes(latest.assign(latest_year=[2021, 2018]), in_unodc).tolist() == ["", ""]


# ----------------------------------------------------------------------------------- Real data ---

@pytest.fixture(scope="module")
def real(raw_source):
    long = unodc_prisons.load(raw_source(unodc_prisons.SOURCE))[3]
    frame = long.assign(year=long["period"].astype(int))
    return frame, regional.build(frame, SETTINGS)


def test_tab01_on_the_real_file(real):
    latest = real[1]["latest"].set_index("country")
    columns = ["latest_year", "women_held", "women_share_pct", "share_denominator"]
    assert latest.loc["SLV", columns].tolist() == [2019, 3012, 7.5, "total"]
    assert latest.loc["URY", columns].tolist() == [2020, 805, 6.2, "female + male"]
    assert latest.loc["BHS", columns].tolist() == [2020, 41, 2.8, "total"]
    assert latest.loc["NIC", columns].tolist() == [2019, 642, 3.6, "female + male"]
    assert latest.loc["GUY", columns].tolist() == [2020, 53, 2.8, "total"]
    assert latest.loc["SLV", "growth_since_2010_pct"] == 18.9  # 2,534 -> 3,012, not -98.5% to 39
    assert latest.loc["BOL", ["first_year", "growth_since_first_year_pct"]].tolist() == [2016, -21.7]  # not 2012
    # A growth starts from a count whose women and men add up to at least its total (else the count by sex misses
    # people): not Argentina 2005 (43,689 of 55,423) or 2006, Costa Rica 2005, Jamaica 2009, Trinidad and Tobago
    # 2010 (3,125 of 3,691); Mexico's and Ecuador's 2010 totals fall below their parts: their counts by sex stand.
    growth = ["first_year", "growth_since_first_year_pct"]
    assert latest.loc["ARG", growth].tolist() == [2007, 43.1]  # 2,804 in 2007; it was 84.8% from 2005's 2,172
    assert latest.loc["CRI", growth].tolist() == [2006, 13.5]
    assert latest.loc["JAM", growth].tolist() == [2011, -50.9]
    assert pd.isna(latest.loc["TTO", "growth_since_2010_pct"])
    assert latest.loc["MEX", "growth_since_2010_pct"] == 17.4 and latest.loc["ECU", "growth_since_2010_pct"] == 112.7
    assert len(latest) == 31
    # The published table says where its growths start: a reader who finds Argentina's first year at 2007, not
    # 2005, or no growth since 2010 for Trinidad and Tobago, is sent to tab-02's findings. (An independent recount
    # from the raw file differed from tab-01 in these base years, Bahamas's 2021 jump, El Salvador's and Bolivia's
    # juvenile-only years and Guyana's 2021 without men or total: each a finding of tab-02 or tab-01's definition.)
    stated = paths.table("tab-01-women-held-latest", ".md").read_text(encoding="utf-8").splitlines()[-1]
    assert f"growth_base = {regional.GROWTH_BASE};" in stated
    women = real[1]["women_held"]
    bolivia_2012 = women[(women["country"] == "BOL") & (women["year"] == 2012)]
    assert bolivia_2012.empty  # fig-01 no longer draws the 1% share of 2012


def test_tab01_notes_the_growths_with_juveniles_at_one_end_only(real, raw_source):
    """An independent recount from the raw file found Barbados' +25.0% (40 women in 2007, 50 in 2021) comparing a
    count without a juvenile count with one of which 18 are juveniles (its adults: 32). tab-01's `growth_note` says
    so, for both of its growths; Guyana's growth from 2005 (3 of 57 juveniles) to 2020 (none given) too. At 5%, no
    other country: Brazil's 888 juveniles of 2010 are 2.5% of its count."""
    frame, tables = real
    tidy = unodc_prisons.load(raw_source(unodc_prisons.SOURCE))[0]
    latest, juveniles = tables["latest"], unodc_prisons.juveniles_held(tidy)
    notes = regional.growth_notes(latest, tables["women_held"], juveniles,
                                  SETTINGS.juveniles_note_min_pct).set_axis(latest["country"])
    assert notes[notes != ""].to_dict() == {
        "BRB": "the count of 2021 includes juveniles: 18 (36.0% of it) and the counts of 2007 and 2010 give no "
               "juvenile count: the growths may compare counts of different scope",
        "GUY": "the count of 2005 includes juveniles: 3 (5.3% of it) and the count of 2020 gives no juvenile count: "
               "the growth may compare counts of different scope"}
    assert latest.set_index("country").loc["BRB", "growth_since_first_year_pct"] == 25.0  # the number stands
    # At 1%, ten countries; Guyana's two notes (from 2005, 3 of 57, and from 2010, 1 of 98) are joined by '; ', and
    # each language translates the pair (a `dvc repro` with 1% in a built copy stopped at the report before the
    # notes had no '; ' of their own).
    low = regional.growth_notes(latest, tables["women_held"], juveniles, 1.0).set_axis(latest["country"])
    assert len(low[low != ""]) == 10 and low["GUY"].count("; ") == 1
    for language in ("es", "pt"):
        assert i18n.Translator(language).english(low["GUY"]).count("; ") == 1
    # The committed table and pages carry it, in each language (data/translations.csv).
    committed = pd.read_csv(paths.table("tab-01-women-held-latest", ".csv"), keep_default_na=False)
    assert committed.loc[committed["growth_note"] != "", "country"].tolist() == ["BRB", "GUY"]
    assert "el recuento de 2021 incluye menores de edad: 18 (36,0% del total) y los recuentos de 2007 y 2010" in \
        paths.briefing("es").read_text(encoding="utf-8")
    assert "a contagem de 2005 inclui adolescentes: 3 (5,3% do total) e a contagem de 2020" in paths.briefing(
        "pt").read_text(encoding="utf-8")


def test_world_panel_on_the_real_file(real):
    windows = real[1]["world_panel"]
    widest = windows[windows["widest"]].iloc[0]
    assert widest[["start_year", "end_year", "countries", "women_start", "women_end", "women_growth_pct",
                   "men_start", "men_end", "men_growth_pct", "share_of_counted_end_pct"]].tolist() == [
        2010, 2020, 64, 341963, 270802, -20.8, 4257880, 3553519, -16.5, 52.3]
    # The headline window ends before the pandemic releases (regional.world_panel_last_year: 2019). Its widest span,
    # 9 years, has two windows of 63 countries whose counts by sex can start and end a growth, and a tie takes the
    # later end: 2010-2019. 2009-2018 had 65 until the Philippines' 2009 (its total 58,711 between 94,961 and 95,390,
    # and its women and men with it: jails alone) and Korea's women of 2009 (1,507 between 2,534 and 2,375) were
    # found (rule 2); 2009-2019 has 58, under world_panel_min_countries (60). The women and men of Austria,
    # Azerbaijan, Bosnia and Herzegovina, Kenya, the Philippines, Singapore and Trinidad and Tobago in 2010, and of
    # Kenya and the Philippines in 2019, fall short of their totals (the Philippines' 2019: 130,731 of 215,000; Kenya's
    # about 60% in every year). An independent recount from the raw file found the Philippines and Kenya.
    chosen = windows[windows["chosen"]].iloc[0]
    assert chosen[["start_year", "end_year", "countries", "women_growth_pct", "men_growth_pct"]].tolist() == [
        2010, 2019, 63, 1.7, 0.7]
    # The tied window is shown beside it, and marked: its growths are far larger. Seven countries differ each way:
    # the Russian Federation (women 66,848 -> 42,429 on 2010-2019) has no count by sex in 2009, and Thailand
    # (30,153 -> 42,169 on 2009-2018) is only in the tied window.
    tied = windows[windows["tied"]]
    columns = ["start_year", "end_year", "countries", "women_growth_pct", "men_growth_pct", "chosen"]
    assert tied[columns].values.tolist() == [[2009, 2018, 63, 14.8, 10.5, False]]
    # Counting each country once: women's numbers grew faster in 39 of the headline's 63 countries and 38 of the tied
    # window's, so the order does not rest on the United States alone (which holds 55.5% of the panel's women); on the
    # widest window, ending in the first pandemic year, in 37 of 64.
    assert (chosen["countries_women_faster"], tied.iloc[0]["countries_women_faster"],
            widest["countries_women_faster"]) == (39, 38, 37)
    short = real[1]["world_panel_short_counts"]
    assert short[["country", "year", "short_pct"]].values.tolist() == [
        ["AUT", 2010, 6.0], ["AZE", 2010, 12.7], ["BIH", 2010, 19.0], ["KEN", 2010, 34.0], ["KEN", 2019, 38.0],
        ["PHL", 2010, 37.8], ["PHL", 2019, 39.2], ["SGP", 2010, 6.0], ["TTO", 2010, 15.3]]


def test_pretrial_on_the_real_file(real):
    table = real[1]["unsentenced_by_sex"].set_index("country")
    assert len(table) == 30 and (table["difference_pp"] > 0).sum() == 17
    assert table.loc["ARG", ["year", "women_unsentenced_pct", "men_unsentenced_pct"]].tolist() == [2021, 52.7, 43.3]
    assert table.loc["COL", "year"] == 2020  # 2021's unsentenced counts are an unconfirmed jump


def test_americas_on_the_real_file(real):
    interval = real[1]["americas_interval"].set_index("measure")
    assert interval.loc[regional.REPORTED, ["countries", "women_low"]].tolist() == [32, 87878]
    assert interval.loc[regional.ESTIMATED, ["countries", "women_low", "women_central", "women_high"]].tolist() == [
        16, 5352, 8504, 10385]
    assert interval.loc[regional.INTERVAL, ["women_low", "women_central", "women_high"]].tolist() == [
        93230, 96382, 98263]
    by_country = real[1]["americas_countries"].set_index("country")
    assert by_country.loc["SLV", ["year", "women_held"]].tolist() == [2019, 3012]
    assert by_country.loc["CUB", ["status", "year", "persons_held"]].tolist() == ["estimated", 2012, 57337]
    # Guyana's latest count (2021) has no total: its latest share is 2020's, a peer's share in the estimates, shown
    # with its year (an independent recount found the quantiles only with it, and the table without it).
    assert by_country.loc["GUY", ["year", "women_held", "women_share_pct", "share_year"]].tolist() == [2021, 57, 2.8,
                                                                                                        2020]
    reported = by_country[by_country["status"] == "reported"]
    assert (reported["share_year"] == reported["year"]).sum() == len(reported) - 1
    assert by_country.loc["SLV", "women_share_pct"] == 7.5


def test_long_rows_on_the_real_file(real):
    rows = longtable.validate(regional.long_rows(real[1], SETTINGS), "regional.csv").set_index(longtable.KEY)
    value = rows["value"]
    assert value[("WLD", "unodc_prisons", "persons_held_fixed_panel", "female", "2010")] == 370198
    assert value[("WLD", "unodc_prisons", "persons_held_fixed_panel", "male", "2019")] == 4638094
    # Growth from the counts at both ends (376,535 / 370,198 and 4,638,094 / 4,607,558), not from tab-04's one-decimal
    # growth: the claims subtract them.
    assert value[("WLD", "unodc_prisons", "persons_held_fixed_panel_growth", "female", "2019")] == 1.7118
    assert value[("WLD", "unodc_prisons", "persons_held_fixed_panel_growth", "male", "2019")] == 0.6627
    assert value[("WLD", "unodc_prisons", "fixed_panel_countries", "total", "2019")] == 63
    assert value[("WLD", "unodc_prisons", "fixed_panel_countries_women_faster", "total", "2019")] == 39
    # The panels' pool, year by year (the worldwide claim's context reads its first year): 5 countries in 2003, 92 in
    # 2013, 63 of the 84 of 2019 in the headline panel.
    pool = rows.reset_index().query("indicator == 'countries_counting_women_and_men'").set_index("period")["value"]
    assert (pool.index[0], pool["2003"], pool["2013"], pool["2019"], len(pool)) == ("2003", 5, 92, 84, 19)
    # Without the United States (55.5% of the panel's women in 2019), women held fell and men rose: the panel's
    # order is one country's (the worldwide claim's context says so).
    without = rows.reset_index()
    without = without[without["indicator"] == "persons_held_fixed_panel_growth_without_largest"]
    assert without[["sex", "period", "value"]].values.tolist() == [["female", "2019", -2.5918], ["male", "2019", 9.77]]
    assert without["definition"].str.endswith("(USA, 55.5% of the panel's women): 62 countries").all()
    # The widest window of all ends in the first pandemic year; it is carried beside the headline.
    assert value[("WLD", "unodc_prisons", "persons_held_widest_panel", "male", "2020")] == 3553519
    assert value[("WLD", "unodc_prisons", "persons_held_widest_panel_growth", "female", "2020")] == -20.8096
    assert value[("WLD", "unodc_prisons", "persons_held_widest_panel_growth", "male", "2020")] == -16.5425
    assert value[("LAC", "unodc_prisons", "countries_women_unsentenced_share_above_men", "total", "2021")] == 17
    assert value[("LAC", "unodc_prisons", "unsentenced_share_of_persons_held", "female", "2021")] == pytest.approx(
        40.498, abs=1e-3)
    assert value[("AMR", "unodc_prisons", "women_held_sum_reporting", "female", "2021")] == 87878
    assert value[("AMR", "unodc_prisons", "women_held_estimate_low", "female", "2021")] == 93230
    assert value[("AMR", "unodc_prisons", "women_held_estimate_high", "female", "2021")] == 98263


def test_the_americas_interval_with_brazils_women_in_cells_only_is_in_the_long_table(real):
    """UNODC's 41,580 women in Brazil (2020) hold 12,892 women outside prison cells (28,688 in cells, tab-08): the
    interval 93,230-98,263 (central 96,382) with Brazil's women in cells only is 80,338-85,371 (central 83,490), what
    the claims check shows beside the Americas claim. Without tab-08, or with Brazil's count estimated, no rows."""
    in_unodc = pd.DataFrame({"year": pd.array([2019, 2020], "Int64"), "sisdepen_in_cells": [34967.0, 28688.0]})
    rows = regional.long_rows(real[1], SETTINGS, in_unodc).set_index(longtable.KEY)["value"]
    assert [rows[("AMR", "unodc_prisons+sisdepen", f"women_held_estimate_{end}_brazil_in_cells", "female", "2021")]
            for end in ("low", "central", "high")] == [93230 - 12892, 96382 - 12892, 98263 - 12892]
    plain = regional.long_rows(real[1], SETTINGS)
    assert len(rows) - len(plain) == 3 and not plain["indicator"].str.endswith("_brazil_in_cells").any()
    assert regional.brazil_in_cells_interval(real[1]["americas_interval"], real[1]["americas_countries"],
                                             in_unodc[in_unodc["year"] == 2019]) is None  # no 2020 in tab-08
    estimated = real[1]["americas_countries"].assign(status="estimated")
    assert regional.brazil_in_cells_interval(real[1]["americas_interval"], estimated, in_unodc) is None


def test_tab06_and_tab07_say_what_brazils_count_holds_where_they_sum_it(real):
    """Whoever quotes Brazil's 41,580 from tab-06, or the interval 93,230-98,263 from tab-07, gets the same note as from
    tab-01: tab-06's row carries tab-01's note; tab-07's rows a. and c. (the sums with Brazil's count in them) say how
    many of its women are not in prison cells (12,892 = 12,696 outside cells + 196 held by the police, tab-08) and the
    sum with Brazil's women in cells only: 87,878 - 12,892 = 74,986, and 80,338 to 85,371 (central 83,490), the
    numbers the claims check shows beside the Americas claim. Row b. (no Brazil in it) names its largest estimates
    (3,359 + 2,866 + 1,586 = 7,811 of 8,504: 91.9%); row d. has none."""
    in_unodc = pd.DataFrame({"year": pd.array([2019, 2020], "Int64"), "sisdepen_in_cells": [34967.0, 28688.0],
                             "sisdepen_all": [36929.0, 41384.0], "sisdepen_patronato": [np.nan, np.nan],
                             "police_custody": [268.0, 196.0], "difference_from_cells_pct": [6.4, 44.9],
                             "difference_from_all_pct": [0.7, 0.5], "difference_from_every_count_pct": [0.0, 0.0]})
    countries, interval = real[1]["americas_countries"], real[1]["americas_interval"]
    notes = regional.americas_count_notes(countries, in_unodc)
    assert notes[countries["country"] == "BRA"].tolist() == [BRAZIL_COUNT_NOTE["en"]]
    assert (notes[countries["country"] != "BRA"] == "").all()
    notes = dict(zip(interval["measure"], regional.interval_notes(interval, countries, in_unodc)))
    brazil = ("includes Brazil's 41,580 women (2020), 12,892 of them not in SISDEPEN's prison cells (electronic "
              "monitoring, home detention, police custody; table 8 of the briefing); with Brazil's women in cells only "
              "(28,688, SISDEPEN December 2020): ")
    assert notes == {regional.REPORTED: brazil + "74,986", regional.ESTIMATED: LARGEST_ESTIMATES,
                     regional.INTERVAL: brazil + "80,338 to 85,371 (central 83,490)", regional.UNCOVERED: ""}
    # Brazil's count estimated: no note on Brazil; the estimated row's note names the (new) largest estimates.
    estimated = countries.assign(status=countries["status"].where(countries["country"] != "BRA", "estimated"),
                                 women_central=countries["women_central"].where(countries["country"] != "BRA", 2000.0))
    notes = regional.interval_notes(interval, estimated, in_unodc)
    assert notes.tolist() == ["", notes[1], "", ""] and "CUB 2,866 (2012); BRA 2,000 (2020)" in notes[1]
    assert (regional.americas_count_notes(estimated, in_unodc) == "").all()


# tab-07's row b.: in the pinned export, Venezuela's estimate (from its 2022 total, a round 67,200 and 79% above its
# 2020 total), Cuba's (from its only total, of 2012) and Canada's (a pandemic year's total) are most of it.
LARGEST_ESTIMATES = ("the 3 largest estimates, VEN 3,359 (2022); CUB 2,866 (2012); CAN 1,586 (2020), are 91.9% of the "
                     "central estimate; each is the country's total persons held of that year times a share (table 6 "
                     "of the briefing)")


def test_the_published_tab06_and_tab07_carry_the_note_in_each_language():
    """The committed tables and the pages: the note in every language, on Brazil's row and on rows a. and c."""
    tab06 = pd.read_csv(paths.table("tab-06-americas-women-by-country", ".csv"), keep_default_na=False)
    assert tab06.loc[tab06["note"] != "", "country"].tolist() == ["BRA"]
    tab07 = pd.read_csv(paths.table("tab-07-americas-women-interval", ".csv"), keep_default_na=False)
    assert tab07["note"].str.endswith(("74,986", "80,338 to 85,371 (central 83,490)")).tolist() == [
        True, False, True, False]
    assert tab07["note"][1] == LARGEST_ESTIMATES and tab07["note"][3] == ""
    for language, words in (("en", "(28,688, SISDEPEN December 2020): 80,338 to 85,371 (central 83,490)"),
                            ("es", "(28.688, SISDEPEN, diciembre de 2020): 80.338 a 85.371 (central 83.490)"),
                            ("pt", "(28.688, SISDEPEN, dezembro de 2020): 80.338 a 85.371 (central 83.490)")):
        page = paths.briefing(language).read_text(encoding="utf-8")
        section = page[page.index('<section id="tab-07-americas-women-interval">'):]
        assert words in section[:section.index("</section>")], language


def test_brazil_reconciliation_on_the_committed_long_table():
    police = regional.police_custody_women(pd.read_parquet(paths.interim_parquet("sisdepen_reports")))
    table = regional.brazil_in_unodc(longtable.read(paths.INDICATORS), police).set_index("year")
    assert table.loc[2020, "unodc_women_held"] == 41580
    # Every year both have: UNODC's count is above the women in cells in each, by a share that moves (6.4% to 44.9%),
    # in 2016-2018 nearest the count with the women a Patronato supervises (within 2.3-3.1%), and in 2019 and 2020
    # equal, to the woman, to SISDEPEN's establishments and the women the state reports show held by the police.
    assert table.index.tolist() == [2016, 2017, 2018, 2019, 2020]
    assert table["difference_from_cells_pct"].tolist() == [15.3, 11.6, 8.4, 6.4, 44.9]
    assert table["difference_from_every_count_pct"].tolist() == [3.1, 2.3, 2.9, 0.0, 0.0]
    assert table.loc[[2019, 2020], "police_custody"].tolist() == [268, 196]
    assert (table.loc[[2019, 2020], "sisdepen_all"] + table.loc[[2019, 2020], "police_custody"]).tolist() == [
        37197, 41580]
    assert police.loc[police["period"] == "2019-06", "unusable"].tolist() == ["PI, PR, TO"]
    assert abs(table.loc[2020, "difference_from_all_pct"]) < abs(table.loc[2020, "difference_from_cells_pct"])
    # ... so the committed tab-01 notes it for Brazil alone, in each language's page.
    published = pd.read_csv(paths.table("tab-01-women-held-latest", ".csv"), keep_default_na=False)
    assert published.loc[published["count_note"] != "", ["country", "count_note"]].values.tolist() == [
        ["BRA", BRAZIL_COUNT_NOTE["en"]]]
    assert "a contagem inclui 12.696 mulheres fora das celas" in paths.briefing("pt").read_text(encoding="utf-8")
    # Its blank counts are no units of that kind, not missing data (an author's review asked), in each language.
    stated = paths.table("tab-08-brazil-in-unodc-reconciliation", ".md").read_text(encoding="utf-8").splitlines()[-1]
    assert stated == f"Definitions used: blank_counts = {regional.BLANK_COUNTS}"
    assert "un recuento del SISDEPEN en blanco: el archivo de diciembre de ese año no contiene ninguna unidad" in \
        paths.briefing("es").read_text(encoding="utf-8")


def test_the_count_note_names_the_briefings_table_that_shows_which_count_unodc_carries():
    """The note sends a reader to a table by its number, in every place it is quoted (the profiles, the values files):
    that number must be the reconciliation's, whose id carries it (the briefing numbers tables by their ids)."""
    reconciliation = next(t for t in registry.tables_of("regional") if t.table == "brazil_in_unodc")
    assert reconciliation.id.startswith("tab-08-")
    assert "; table 8 of the briefing)" in regional.OUTSIDE_CELLS_NOTE


# ------------------------------------------------------------------------------ Parameter checks ---

@pytest.mark.parametrize("change, message", [
    ({"subregion": "Latin America"}, r"'regional.subregion' has 'Latin America', which the UNODC file does not "
                                     r"have — allowed values: .*Latin America and the Caribbean"),
    ({"first_year": 1990}, r"'regional.first_year' has 1990, which the UNODC file does not have — allowed "
                           r"values: 2000–2022"),
    ({"focus_countries": ["ARG", "XYZ"]}, r"'regional.focus_countries' has 'XYZ', .* ISO3 codes of Latin America "
                                          r"and the Caribbean: ABW, AIA, ARG"),
    ({"americas_excluded": ["FRA"]}, r"'regional.americas_excluded' has 'FRA', .* ISO3 codes of the Americas"),
])
def test_regional_parameters_are_checked_against_the_file(real, change, message):
    settings = Regional(**{**SETTINGS.model_dump(), **change})
    with pytest.raises(PipelineError, match=message):
        regional.check_params(settings, ["ARG", "BRA", "URY"], real[0])


def test_base_focus_countries_are_checked(real):
    with pytest.raises(PipelineError, match=r"'base.focus_countries' has 'USA', .* ISO3 codes of Latin America"):
        regional.check_params(SETTINGS, ["ARG", "USA"], real[0])
    with pytest.raises(PipelineError, match=r"'base.focus_countries' has 'CUB', which has no year with women held "
                                            r"and persons held both reported"):
        regional.check_headline_countries(real[1]["latest"], ["ARG", "CUB"])
