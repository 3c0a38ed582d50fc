"""The regional chapter's findings in words (pipeline/chapters/regional/notes.py), written from the build's tables:
the numbers in the text are the tables' numbers."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters import interim
from pipeline.chapters.regional import notes


def test_the_americas_paragraph_states_the_tables_interval():
    tables = interim.read_all("regional")
    text = notes.americas(tables["americas_interval"], tables["americas_countries"])
    # The latest count of women of each country, which may be of a later year than tab-01's complete year (Guyana:
    # 57 women in 2021, a year without a total; 53 in 2020, its latest complete year).
    assert text.startswith("The 32 countries that count women held report 87,878 in their latest counts of women "
                           "(2019–2021; a country's latest count may be of a later year than its latest share, "
                           "table 1 of the briefing): a lower bound.")
    # The shares the 16 countries without a count by sex are estimated with (tab-06), by group.
    assert text.endswith("would add 5,352 to 10,385 women (central 8,504) at the women's shares of the countries that "
                         "report in their group (countries estimated, and the lower quantile, median and upper "
                         "quantile of the shares they are estimated with: 14 in Latin America and the Caribbean, from "
                         "the shares of 31 reporting countries: 3.2%, 5.0%, 6.1%; 2 in Americas (fewer than 5 in "
                         "Northern America), from the shares of 32 reporting countries: 3.0%, 5.0%, 6.1%; table 6 of the briefing), "
                         "giving 93,230 to 98,263 (central 96,382).")
    # The 14 and the 2 are the countries estimated; the quantiles are of the reporting countries' shares (a
    # reviewer read "14 countries: 3.2%, …" as the shares of 14 countries).


def test_the_text_under_fig_01_counts_which_way_each_countrys_share_went():
    """The notebook once said women were "in most countries, growing share": fig-01's own data (and a reviewer's
    recount from it) has the share rising in 13 of the 30 countries drawn with two years or more, and falling in the
    three focus countries."""
    from pipeline import figures

    text = notes.share_direction(figures.data("fig-01-women-share-latin-america"), ["ARG", "BRA", "URY"])
    assert text == ("From each country's first year drawn to its last, women's share of persons held rose in 13 of "
                    "the 30 countries drawn with at least two years, fell in 16 and stayed the same in 1 (to one "
                    "decimal). The focus countries: Argentina 5.3% (2007) to 3.9% (2021); Brazil 5.7% (2006) to 5.1% "
                    "(2020); Uruguay 7.9% (2010) to 6.2% (2020).")


def test_the_share_direction_compares_at_one_decimal_and_leaves_out_a_single_year():
    drawn = pd.DataFrame({"country": ["AAA", "AAA", "BBB", "BBB", "BBB", "CCC", "DDD", "DDD"],
                          "country_name": ["A", "A", "B", "B", "B", "C", "D", "D"],
                          "year": [2010, 2020, 2012, 2015, 2014, 2019, 2011, 2018],
                          "women_share_pct": [5.04, 5.0, 4.0, 6.0, None, 7.0, 3.0, 2.0]})
    assert notes.share_direction(drawn, ["DDD", "XXX"]) == (
        "From each country's first year drawn to its last, women's share of persons held rose in 1 of the 3 "
        "countries drawn with at least two years, fell in 1 and stayed the same in 1 (to one decimal). The focus "
        "countries: D 3.0% (2011) to 2.0% (2018).")


def test_the_world_panel_paragraph_names_the_headline_window_and_the_widest():
    windows = interim.read("regional", "world_panel")
    chosen = windows[windows["chosen"]].iloc[0]
    text = notes.world_panel(windows, interim.read("regional", "world_panel_countries"))
    assert f"On the headline window, {chosen['start_year']}–{chosen['end_year']}" in text
    assert ("Counting each country once, whatever its size, women's numbers grew faster than men's (or fell less) in "
            "39 of the 63.") in text
    assert (" Women's numbers grew faster than men's (or fell less) in 8 of the 12 windows. Of the 4 windows ending "
            "in 2020 (the pandemic, when several countries released prisoners), 4 show falls for both. On the widest "
            "window of all, 2010–2020 (64 countries; it ends in the first pandemic year), women held changed by "
            "-20.8% and men by -16.5%: the opposite order to the headline's. ") in text


def test_the_world_panel_paragraph_says_where_the_files_counts_by_sex_begin():
    """The notebook once said "counts by sex from 2003, for few countries" as fixed text. The raw file has women and
    men (Age=Total) for 16 countries in 2003: in six, a sex's count is its juveniles labelled as a total (DNK, ISR,
    KOR, LVA, POL, ROU); five fall far short of their totals (BLR, CYP, FIN, IRL, MLT); 5 can start a growth (CHL,
    COL, ECU, ESP, MNE). At most 92 (2013)."""
    windows, members = interim.read("regional", "world_panel"), interim.read("regional", "world_panel_countries")
    text = notes.world_panel(windows, members, interim.read("regional", "world_panel_coverage"))
    assert (" The file starts too late to test the growth since 2000 itself: its first year with counts of women and "
            "men that can start a growth (the plausibility rules, whose findings table 2 of the briefing lists, leave out the rest), 2003, has 5 countries, against 92 in "
            "2013. The countries whose women held changed most") in text
    earlier = pd.DataFrame({"year": [1999, 2000, 2010], "countries": [3, 10, 80]})
    assert (" The file reaches back to 2000: its first year with counts of women and men that can start a growth "
            "(the plausibility rules, whose findings table 2 of the briefing lists, leave out the rest), 1999, has 3 countries, against 80 in 2010. ") in \
        notes.world_panel(windows, members, earlier)
    assert "The file" not in notes.world_panel(windows, members)  # without the coverage table: nothing said


def _windows(*rows) -> pd.DataFrame:
    """tab-04's windows: (start, end, women's growth, men's growth, chosen, widest) each."""
    return pd.DataFrame([{"start_year": start, "end_year": end, "countries": 10, "women_start": 100, "women_end": 100,
                          "women_growth_pct": women, "men_start": 1000, "men_end": 1000, "men_growth_pct": men,
                          "countries_women_faster": 6, "share_of_counted_start_pct": 50.0,
                          "share_of_counted_end_pct": 50.0, "chosen": chosen, "widest": widest, "tied": False}
                         for start, end, women, men, chosen, widest in rows])


def test_the_world_panel_paragraph_says_what_the_data_say_of_the_widest_window_and_the_pandemic():
    """Whether the widest window ends in a pandemic year, reverses the headline's order, or the pandemic's windows
    show falls for both, is the data's to say, not the text's."""
    members = pd.DataFrame({"country_name": ["A", "B"], "women_start": [60, 40], "women_end": [70, 30],
                            "men_start": [600, 400], "men_end": [650, 350]})
    same_order = notes.world_panel(_windows((2010, 2015, 5.0, 2.0, True, False),
                                            (2008, 2018, 9.0, 1.0, False, True)), members)
    assert ("On the widest window of all, 2008–2018 (10 countries), women held changed by +9.0% and men by +1.0%: "
            "the same order as the headline's.") in same_order
    assert "pandemic" not in same_order
    pandemic = notes.world_panel(_windows((2010, 2019, 5.0, 2.0, True, False), (2009, 2021, -3.0, 1.0, False, True),
                                          (2012, 2020, -3.0, -1.0, False, False)), members)
    assert (" Of the 2 windows ending in 2020 or 2021 (the pandemic, when several countries released prisoners), 1 "
            "shows falls for both. On the widest window of all, 2009–2021 (10 countries; it ends in the second "
            "pandemic year), women held changed by -3.0% and men by +1.0%: the opposite order to the "
            "headline's.") in pandemic


def test_the_rules_paragraph_names_the_one_swap_found_outside_the_americas():
    tables = interim.read_all("regional")
    text = notes.rules_found(tables["unodc_quality"], tables["latest"], "Americas")
    lines = text.splitlines()
    assert ("- **female and male counts look swapped**: 0 in the Americas; elsewhere 1 value (1 country-year): MNG 2009 "
            "(female 55).") in lines
    jumps = next(line for line in lines if line.startswith("- **year-on-year jump"))
    # A rule counts values; its list names country-years, some with several values (COL 2021: three).
    assert jumps.startswith("- **year-on-year jump not shared by neighbouring years**: 20 values (16 country-years) in "
                            "the Americas, 20 with a value or a share taken out (BHS 2021 (female 141); ")
    assert jumps.endswith("; URY 2016 (sentenced total 5,798)); elsewhere 27 values (25 country-years).")  # counted
    assert ("- **counts by sex share the total's jump**: 0 in the Americas; elsewhere 2 values (1 country-year): "
            "PHL 2009 (female 5,459, male 52,160).") in lines
    assert "; 9 of them in the Americas, in 5 country-years: BOL 2012 (female 141, male 1,733); " in lines[0]
    # tab-01's count and share are of one year; tab-06's latest count may be later than its share (Guyana: 2021's
    # count, 2020's share), which the text says rather than "a share no longer comes from an earlier year".
    assert lines[-1].endswith("The estimate for the Americas (table 6 of the briefing) takes each country's latest count of women "
                              "instead, which may be of a later year than its latest share (its column `share_year`).")
    assert " now " not in text and "no longer" not in text


def test_the_brazil_paragraph_says_what_the_americas_interval_would_be_with_brazils_women_in_cells():
    """UNODC's 41,580 women in Brazil (2020) match SISDEPEN's count with electronic monitoring and home detention
    (41,384), not its 28,688 women in cells, the definition of the Brazil chapter: the interval's two ends and its
    centre each lose the 12,892 women between them (93,230 to 98,263, central 96,382, becomes 80,338 to 85,371, central
    83,490). Checked by hand against tab-07 and tab-08."""
    tables = interim.read_all("regional")
    text = notes.brazil(tables["brazil_in_unodc"], tables["americas_interval"], tables["americas_countries"])
    # 41,580 of tab-07's reported sum, 87,878: 47.3% (the notebook once said "almost half" as fixed text).
    assert text.startswith("Brazil's 41,580 women (2020) are 47.3% of the sum of the countries' reported counts above "
                           "(87,878). In 2020, UNODC's count of women held in Brazil matches SISDEPEN's December count "
                           "*including*")
    assert ("- 2016: UNODC 40,967; SISDEPEN December, in cells 35,541 (+15.3%), with electronic monitoring and home "
            "detention 36,391 (+12.6%), with the women a Patronato supervises too 39,751 (+3.1%): closer to the count "
            "with the women a Patronato supervises too.") in text
    assert ("- 2019: UNODC 37,197; SISDEPEN December, in cells 34,967 (+6.4%), with electronic monitoring and home "
            "detention 36,929 (+0.7%), with the women held by the police too 37,197 (+0.0%): closer to the count with "
            "the women held by the police too.") in text
    assert ("In 2019 and 2020, SISDEPEN's establishments and the women held by the police (the state reports) "
            "together give UNODC's count exactly: that is the count UNODC carries.") in text
    assert ("In every year from 2016 to 2020, UNODC's count is above SISDEPEN's women in cells (by 6.4% to 44.9%)"
            in text)
    assert text.endswith("The Americas interval above counts Brazil at UNODC's 41,580 women (2020). With Brazil's "
                         "women in cells only (28,688, SISDEPEN December 2020), as the Brazil chapter counts them, it "
                         "would be 80,338 to 85,371 (central 83,490).")
    alone = notes.brazil(tables["brazil_in_unodc"])  # without the interval: neither its share nor the interval
    assert alone.startswith("In 2020, UNODC's count") and "Americas interval" not in alone
    estimated = tables["americas_countries"].assign(
        status=lambda t: t["status"].mask(t["country"] == "BRA", "estimated"))  # Brazil without a reported count
    assert notes.brazil_share_of_reported(tables["americas_interval"], estimated) is None


def test_the_world_panel_paragraph_names_the_countries_that_carry_its_sum():
    """Russia's women fall from 66,848 to 42,429 on the headline panel, while the United States hold over half its
    women: without them, women held fell and men rose. (The Philippines' jails-only counts of 2009, which an independent
    recount found carrying the panel to 2018, are left out by rule 2 since 2026-12-05.)"""
    text = notes.world_panel(interim.read("regional", "world_panel"), interim.read("regional", "world_panel_countries"))
    assert (" The window 2009–2018 is as wide and has as many countries (a tie takes the later end): there, women held "
            "changed by +14.8% and men by +10.5%. ") in text
    assert text.endswith(
        "The countries whose women held changed most on it: Russian Federation 66,848 → 42,429, United States of "
        "America 198,000 → 208,800, Türkiye 4,218 → 11,432 (a count whose coverage changed between the two years moves "
        "the sum too). United States of America holds 55.5% of the panel's women in 2019; "
        "without it, women held changed by -2.6% and men by +9.8%.")


def test_the_unsentenced_paragraph_names_the_countries_whose_women_are_too_few_to_compare():
    """tab-05 compares shares: Dominica's 2 unsentenced women of 6 are 33.3%, one woman more would be 42.9%. Below
    100 women, one woman moves the share by a point or more; the paragraph names those countries (9 of the 30), and
    how many of them count among the countries where women are more often unsentenced (Grenada, Saint Lucia,
    Suriname)."""
    text = notes.unsentenced(interim.read("regional", "unsentenced_by_sex"))
    assert text.startswith("In 17 of the 30 countries, a larger share of women than of men is held unsentenced (ARG, ")
    assert "pooled over all 30, 40.5% of women and 34.4% of men (each country at its latest year with both, " \
           "2019–2021)." in text
    assert text.endswith(
        " Where fewer than 100 women are held, one woman more or less moves their share by a point or more: 9 of the "
        "30 (BHS 41, BRB 50, DMA 6, GRD 13, GUY 53, KNA 14, LCA 15, SUR 10, VCT 32; 3 of them among the 17).")
    large = pd.DataFrame({"country": ["AAA"], "year": [2020], "women_held": [100], "women_unsentenced": [40],
                          "men_held": [1000], "men_unsentenced": [300], "difference_pp": [10.0]})
    assert notes.unsentenced(large).endswith("(each country at its latest year with both, 2020–2020).")


def test_the_panels_missing_countries_can_be_found_from_the_notebook():
    """A reviewer found 71 countries counting women and men in 2010 and 2019 in the raw file against the panel's 63,
    and could not see why 8 were left out: 7 have a count by sex short of its total (world_panel_short_counts, shown
    under tab-04), Costa Rica's women of 2019 a jump a rule took out (shown beside them)."""
    tables = interim.read_all("regional")
    short = tables["world_panel_short_counts"]
    assert sorted(set(short["country"])) == ["AUT", "AZE", "BIH", "KEN", "PHL", "SGP", "TTO"]
    taken = notes.panel_values_taken_out(tables["unodc_quality"], tables["world_panel"],
                                         tables["world_panel_countries"])
    assert ("CRI", 2019, "female", 295.0) in set(zip(taken["country"], taken["year"], taken["sex"], taken["value"]))
    assert not set(taken["country"]) & set(tables["world_panel_countries"]["country"])
    assert set(taken["year"]) <= {2010, 2019} and (tables["world_panel_countries"]["country"].nunique() == 63)
