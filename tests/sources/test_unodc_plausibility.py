"""UNODC plausibility rules on small generated frames: each fires on bad data and stays silent on clean data."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.sources import unodc_plausibility as rules
from pipeline.sources.unodc_plausibility import Thresholds

DEFAULT = Thresholds()


def counts(*rows) -> pd.DataFrame:
    """Rows of (country, series, sex, age, year, value)."""
    return pd.DataFrame(rows, columns=rules.COLUMNS)


def series(values: dict[int, float], sex="female", name="persons_held", country="AAA") -> list[tuple]:
    return [(country, name, sex, "total", year, value) for year, value in values.items()]


def findings_of(table: pd.DataFrame, rule: str) -> list[tuple]:
    hit = table[table["rule"] == rule]
    return sorted(zip(hit["country"], hit["year"], hit["series"], hit["sex"], hit["excludes"]))


# ---------------------------------------------------------------------------------- Juveniles only ---

def test_total_equal_to_juveniles_without_adults_is_excluded():
    found = rules.juveniles_only(counts(("AAA", "persons_held", "female", "total", 2020, 58),
                                        ("AAA", "persons_held", "female", "juveniles", 2020, 58)))
    assert findings_of(found, rules.JUVENILES_ONLY) == [("AAA", 2020, "persons_held", "female", "value")]
    assert found["value"].tolist() == [58]
    assert found["evidence"].iloc[0] == "Age=Total 58 equals Age=Juveniles 58, and there is no Age=Adult row"


@pytest.mark.parametrize("rows", [
    [("total", 3070), ("adult", 3012), ("juveniles", 58)],  # adults reported: a real total
    [("total", 3070), ("juveniles", 58)],                   # total larger than the juveniles
    [("total", 3070)],                                      # no age breakdown at all
])
def test_complete_totals_are_not_flagged(rows):
    frame = counts(*[("AAA", "persons_held", "female", age, 2019, value) for age, value in rows])
    assert rules.juveniles_only(frame).empty


# ---------------------------------------------------------------------------------- Series breaks ---

def test_one_year_outlier_is_excluded():
    found = rules.series_breaks(counts(*series({2014: 480, 2015: 500, 2016: 166, 2017: 729, 2018: 734})), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2016, "persons_held", "female", "value")]
    assert "below both neighbours" in found["evidence"].iloc[0]


def test_unconfirmed_jump_at_the_series_end_is_excluded():
    found = rules.series_breaks(counts(*series({2018: 59, 2019: 64, 2020: 41, 2021: 141})), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2021, "persons_held", "female", "value")]
    assert "end of the series" in found["evidence"].iloc[0]


def test_level_shift_is_listed_and_kept():
    found = rules.series_breaks(counts(*series({2014: 2400, 2015: 2476, 2016: 9923, 2017: 10100, 2018: 10300},
                                               sex="total", name="persons_held_drug_offences")), DEFAULT)
    assert findings_of(found, rules.LEVEL_SHIFT) == [("AAA", 2016, "persons_held_drug_offences", "total", "")]
    assert findings_of(found, rules.JUMP) == []


def test_a_change_the_next_year_largely_reverses_is_an_outlier_not_a_level_shift():
    """Costa Rica's women 2018-2020 in the UNODC file: 674, 295, 571 — 571 is under twice 295, so the plain
    outlier test misses it, but it is far nearer the level before the fall than after it."""
    found = rules.series_breaks(counts(*series({2017: 700, 2018: 674, 2019: 295, 2020: 571, 2021: 600})), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2019, "persons_held", "female", "value")]
    assert findings_of(found, rules.LEVEL_SHIFT) == []
    assert "the next year largely reverses" in found["evidence"].iloc[0]
    kept = rules.series_breaks(counts(*series({2017: 700, 2018: 674, 2019: 295, 2020: 320, 2021: 330})), DEFAULT)
    assert findings_of(kept, rules.LEVEL_SHIFT) == [("AAA", 2019, "persons_held", "female", "")]
    assert "stays nearer the new level" in kept["evidence"].iloc[0]


@pytest.mark.parametrize("values", [
    {2015: 100, 2016: 150, 2017: 225, 2018: 340, 2019: 500},  # steady growth: every year shares it
    {2015: 10, 2016: 40, 2017: 10, 2018: 12},                 # a spike smaller than the minimum change
    {2015: 1000, 2016: 1900, 2017: 1000, 2018: 1100},         # below the ratio
    {2015: 100, 2018: 400},                                   # two values: nothing to compare a jump with
])
def test_series_without_breaks_are_silent(values):
    assert rules.series_breaks(counts(*series(values)), DEFAULT).empty


def test_series_break_treatment_keep_excludes_nothing():
    keep = Thresholds(series_break_treatment="keep")
    found = rules.series_breaks(counts(*series({2014: 480, 2015: 500, 2016: 166, 2017: 729})), keep)
    assert findings_of(found, rules.JUMP) == [("AAA", 2016, "persons_held", "female", "")]
    assert found["treatment"].iloc[0].startswith("kept as published")


def test_series_break_thresholds_are_parameters():
    values = counts(*series({2014: 480, 2015: 500, 2016: 166, 2017: 729}))
    assert rules.series_breaks(values, Thresholds(series_break_ratio=5.0)).empty
    assert rules.series_breaks(values, Thresholds(series_break_min_change=600)).empty


def test_a_one_year_dip_both_agreeing_neighbours_contradict_is_an_outlier_at_the_lower_ratio():
    """Korea's women held in the UNODC file, 2008-2010: 2,534, 1,507, 2,375 (1.58x below both, which agree within
    7%): under the plain ratio (2), over the agreeing one (1.5)."""
    found = rules.series_breaks(counts(*series({2008: 2534, 2009: 1507, 2010: 2375, 2011: 2400})), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2009, "persons_held", "female", "value")]
    assert found["evidence"].iloc[0] == ("1,507 in 2009 against 2008: 2,534 and 2010: 2,375: below both neighbouring "
                                         "years by 1.5x or more, which agree with each other within 15%")
    rise = rules.series_breaks(counts(*series({2014: 1494, 2015: 2292, 2016: 1323})), DEFAULT)
    assert findings_of(rise, rules.JUMP) == [("AAA", 2015, "persons_held", "female", "value")]
    assert "above both neighbouring years" in rise["evidence"].iloc[0]


@pytest.mark.parametrize("values", [
    {2008: 2534, 2009: 1507, 2010: 2000},               # the neighbours differ by 27%: they do not agree
    {2008: 2534, 2009: 1507, 2011: 2375},               # 2011 is not the year after 2009
    {2008: 2534, 2009: 1807, 2010: 2375},               # 1.40x below: under the agreeing ratio too
    {2008: 357, 2009: 553, 2010: 357},                  # the same count twice (carried over?) confirms nothing
    {2008: 250, 2009: 160, 2010: 240},                  # 1.5x, but fewer than 100 persons away
])
def test_the_agreeing_ratio_needs_adjacent_agreeing_distinct_neighbours(values):
    found = rules.series_breaks(counts(*series(values)), DEFAULT)
    assert "agree with each other" not in " ".join(found["evidence"])


def test_a_year_next_to_an_outlier_is_not_judged_at_the_agreeing_ratio():
    """Uruguay's sentenced: 2016 is 2018's count; 2017 lies between it and a count near it, but 2016 is wrong."""
    found = rules.series_breaks(counts(*series({2015: 2978, 2016: 5798, 2017: 3388, 2018: 5500}, sex="total")),
                                DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2016, "persons_held", "total", "value")]


def test_the_agreeing_thresholds_are_parameters():
    values = counts(*series({2008: 2534, 2009: 1507, 2010: 2375}))
    assert rules.series_breaks(values, Thresholds(series_break_agreeing_ratio=1.7)).empty
    assert rules.series_breaks(values, Thresholds(series_break_agreeing_pct=5.0)).empty


def coverage(total_2009, female_2009, male_2009):
    """The Philippines' counts, 2008-2010, with 2009's as given."""
    return counts(*series({2008: 94961, 2009: total_2009, 2010: 95390}, sex="total"),
                  *series({2008: 5506, 2009: female_2009, 2010: 5685}),
                  *series({2008: 52303, 2009: male_2009, 2010: 53604}, sex="male"))


def test_counts_by_sex_that_share_a_totals_jump_are_treated_as_the_total():
    """The Philippines 2009: the total falls to 58,711 between 94,961 and 95,390, and female + male (57,619) falls
    with it: the year counts fewer people, so its counts by sex cannot start a growth to a later whole count."""
    found = rules.check(coverage(58711, 5459, 52160), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2009, "persons_held", "total", "value")]
    assert findings_of(found, rules.SHARED_JUMP) == [("AAA", 2009, "persons_held", "female", "value"),
                                                     ("AAA", 2009, "persons_held", "male", "value")]
    shared = found[found["rule"] == rules.SHARED_JUMP]
    assert shared["value"].tolist() == [5459, 52160]
    assert shared["evidence"].iloc[0] == ("female 5,459 + male 52,160 = 57,619, within 5% of the total 58,711 of "
                                          "2009, a one-year jump: they count the same population")
    assert set(shared["treatment"]) == {"excluded from totals, shares, rates and growth (series_break_treatment: "
                                        "exclude)"}
    assert rules.excluded_values(found) == {("AAA", "persons_held", sex, 2009) for sex in ("total", "female", "male")}


def test_counts_by_sex_at_the_neighbours_level_do_not_share_a_totals_jump():
    """A wrong total alone: female + male (94,000) stays at the level of the years around it."""
    found = rules.check(counts(*series({2008: 94961, 2009: 58711, 2010: 95390}, sex="total"),
                               *series({2008: 5506, 2009: 5600, 2010: 5685}),
                               *series({2008: 89000, 2009: 88400, 2010: 89200}, sex="male")), DEFAULT)
    assert findings_of(found, rules.JUMP) == [("AAA", 2009, "persons_held", "total", "value")]
    assert findings_of(found, rules.SHARED_JUMP) == []


def test_counts_by_sex_sharing_a_kept_jump_are_kept_too():
    found = rules.check(coverage(58711, 5459, 52160), Thresholds(series_break_treatment="keep"))
    assert findings_of(found, rules.SHARED_JUMP) == [("AAA", 2009, "persons_held", "female", ""),
                                                     ("AAA", 2009, "persons_held", "male", "")]
    assert rules.excluded_values(found) == set()


# ---------------------------------------------------------------------------------- Female + male ---

def sexes(total, female, male, year=2019):
    return [("AAA", "persons_held", sex, "total", year, value)
            for sex, value in (("total", total), ("female", female), ("male", male))]


def test_female_plus_male_far_from_the_total_rules_out_the_share():
    found = rules.sex_gaps(counts(*sexes(1000, 100, 800)), DEFAULT)
    assert findings_of(found, rules.SEX_GAP_FAR) == [("AAA", 2019, "persons_held", "total", "women_share")]
    assert found["evidence"].iloc[0] == "total 1,000; female + male 900; difference +100 (+10.0% of the total)"


def test_total_below_female_plus_male_says_so():
    found = rules.sex_gaps(counts(*sexes(898, 60, 924)), DEFAULT)
    assert findings_of(found, rules.SEX_GAP_FAR) == [("AAA", 2019, "persons_held", "total", "women_share")]
    assert found["evidence"].iloc[0].endswith("the total is below its parts")


def test_small_gaps_are_listed_and_kept():
    found = rules.sex_gaps(counts(*sexes(72693, 2988, 69572)), DEFAULT)
    assert findings_of(found, rules.SEX_GAP_NEAR) == [("AAA", 2019, "persons_held", "total", "")]
    assert found["evidence"].iloc[0] == "total 72,693; female + male 72,560; difference +133 (+0.2% of the total)"


def test_parts_adding_up_are_silent():
    assert rules.sex_gaps(counts(*sexes(1000, 100, 900)), DEFAULT).empty


def test_sex_gap_threshold_and_treatment_are_parameters():
    frame = counts(*sexes(1000, 100, 800))
    assert findings_of(rules.sex_gaps(frame, Thresholds(sex_gap_max_pct=12)), rules.SEX_GAP_NEAR)
    kept = rules.sex_gaps(frame, Thresholds(sex_gap_treatment="keep"))
    assert findings_of(kept, rules.SEX_GAP_FAR) == [("AAA", 2019, "persons_held", "total", "")]


# ---------------------------------------------------------------------------------- Below its parts ---

def test_persons_held_below_persons_held_unsentenced():
    frame = counts(("AAA", "persons_held", "female", "total", 2019, 54),
                   ("AAA", "persons_held_unsentenced", "female", "total", 2019, 69))
    found = rules.below_parts(frame, frame, DEFAULT)
    assert findings_of(found, rules.BELOW_PARTS) == [("AAA", 2019, "persons_held", "female", "unsentenced_share")]
    assert found["evidence"].iloc[0] == ("persons_held 54 is below persons_held_unsentenced 69 "
                                         "(short by 15, 27.8% of the count)")


def test_age_total_below_adult_plus_juveniles_is_not_used_in_shares():
    frame = counts(("AAA", "persons_held", "total", "total", 2011, 25367),
                   ("AAA", "persons_held", "total", "adult", 2011, 25367),
                   ("AAA", "persons_held", "total", "juveniles", 2011, 1606))
    found = rules.below_parts(frame, frame[frame["age"] == "total"], DEFAULT)
    assert findings_of(found, rules.BELOW_PARTS) == [("AAA", 2011, "persons_held", "total", "ratios")]


def test_persons_held_below_sentenced_plus_unsentenced():
    frame = counts(*[("AAA", name, "total", "total", 2016, value) for name, value in
                     (("persons_held", 10561), ("persons_held_sentenced", 8000), ("persons_held_unsentenced", 4901))])
    found = rules.below_parts(frame, frame, DEFAULT)
    assert findings_of(found, rules.BELOW_PARTS) == [("AAA", 2016, "persons_held", "total", "unsentenced_share")]


@pytest.mark.parametrize("unsentenced", [40, 52])  # below the whole, or above it within the 5% tolerance
def test_parts_within_their_whole_are_silent(unsentenced):
    frame = counts(("AAA", "persons_held", "female", "total", 2019, 50),
                   ("AAA", "persons_held_unsentenced", "female", "total", 2019, unsentenced),
                   ("AAA", "persons_held", "female", "adult", 2019, 49),
                   ("AAA", "persons_held", "female", "juveniles", 2019, 1))
    assert rules.below_parts(frame, frame[frame["age"] == "total"], DEFAULT).empty


def test_below_parts_treatment_keep_excludes_nothing():
    frame = counts(("AAA", "persons_held", "female", "total", 2019, 54),
                   ("AAA", "persons_held_unsentenced", "female", "total", 2019, 69))
    found = rules.below_parts(frame, frame, Thresholds(below_parts_treatment="keep"))
    assert found["excludes"].tolist() == [""]


# ---------------------------------------------------------------------------------- Sexes swapped ---

def juveniles(by_year: dict[int, tuple[float, float]], country="AAA") -> list[tuple]:
    """Juvenile counts, year -> (female, male)."""
    return [row for year, (female, male) in by_year.items()
            for row in ((country, "persons_held", "female", "juveniles", year, female),
                        (country, "persons_held", "male", "juveniles", year, male))]


# The shape of a real case: girls outnumber boys in one year only, by about the boys' usual count.
CROSSED = {2006: (0, 112), 2007: (6, 179), 2008: (13, 127), 2009: (55, 13), 2010: (3, 74), 2011: (4, 78)}


def test_female_and_male_crossed_in_one_year_only_rules_out_the_share():
    found = rules.sex_swaps(counts(*juveniles(CROSSED)), DEFAULT)
    assert findings_of(found, rules.SEX_SWAP) == [("AAA", 2009, "persons_held", "female", "women_share")]
    assert found["value"].tolist() == [55]
    assert found["evidence"].tolist() == ["female 55, male 13 in 2009 (Age=Juveniles); in the other 5 years with "
                                          "both counts, fewer women than men (e.g. 2008: female 13, male 127)"]


def test_men_fewer_than_women_in_one_year_only_is_found_too():
    mirrored = {year: (male, female) for year, (female, male) in CROSSED.items()}
    found = rules.sex_swaps(counts(*juveniles(mirrored)), DEFAULT)
    assert findings_of(found, rules.SEX_SWAP) == [("AAA", 2009, "persons_held", "female", "women_share")]
    assert "fewer men than women (e.g. 2008: female 127, male 13)" in found["evidence"].iloc[0]


@pytest.mark.parametrize("change", ["small counts", "few other years", "crossed twice", "a tie"])
def test_crossings_that_chance_explains_are_silent(change):
    by_year = dict(CROSSED)
    if change == "small counts":
        by_year[2009] = (8, 5)  # 13 persons: below sex_swap_min_persons
    elif change == "few other years":
        by_year = {year: by_year[year] for year in (2007, 2008, 2009, 2010, 2011)}  # 4 other years
    elif change == "crossed twice":
        by_year[2011] = (80, 78)
    else:
        by_year[2011] = (78, 78)  # a year with equal counts: not "fewer" in every other year
    assert rules.sex_swaps(counts(*juveniles(by_year)), DEFAULT).empty


def test_sex_swap_thresholds_and_treatment_are_parameters():
    frame = counts(*juveniles(CROSSED))
    assert rules.sex_swaps(frame, Thresholds(sex_swap_min_years=6)).empty
    assert rules.sex_swaps(frame, Thresholds(sex_swap_min_persons=69)).empty
    kept = rules.sex_swaps(frame, Thresholds(sex_swap_treatment="keep"))
    assert findings_of(kept, rules.SEX_SWAP) == [("AAA", 2009, "persons_held", "female", "")]
    assert kept["treatment"].tolist() == ["kept as published (sex_swap_treatment: keep)"]


# ---------------------------------------------------------------------------------- Repeated counts ---

def test_a_count_equal_to_the_year_befores_is_listed_and_kept():
    """Haiti's total persons held, 8,882 in 2017 and 2018: most likely one count carried over."""
    found = rules.repeated_counts(counts(*series({2016: 10_297, 2017: 8_882, 2018: 8_882, 2019: 11_532}, sex="total")),
                                  DEFAULT)
    assert findings_of(found, rules.REPEATED) == [("AAA", 2018, "persons_held", "total", "")]
    assert found["value"].tolist() == [8882]
    assert found["evidence"].tolist() == ["the same count, 8,882, in 2017 and 2018"]
    assert found["treatment"].tolist() == [rules.REPEATED_TREATMENT]


@pytest.mark.parametrize("values", [
    {2017: 49, 2018: 49},            # below repeated_count_min: small counts repeat by chance
    {2015: 500, 2017: 500},          # not the year just before (2016 missing)
    {2017: 500, 2018: 501},          # not equal
])
def test_counts_that_chance_or_a_gap_explains_are_silent(values):
    assert rules.repeated_counts(counts(*series(values)), DEFAULT).empty


def test_a_repeat_across_two_series_or_sexes_is_not_one():
    frame = counts(*series({2017: 500}), *series({2018: 500}, sex="male"),
                   *series({2018: 500}, name="persons_held_unsentenced"))
    assert rules.repeated_counts(frame, DEFAULT).empty


def test_the_repeated_count_minimum_is_a_parameter():
    frame = counts(*series({2017: 49, 2018: 49}))
    assert len(rules.repeated_counts(frame, Thresholds(repeated_count_min=40))) == 1


# ---------------------------------------------------------------------------------- Juveniles of one sex ---

def by_age(sex: str, year: int, total: float, juveniles: float | None = None) -> list[tuple]:
    rows = [("AAA", "persons_held", sex, "total", year, total)]
    return rows + ([("AAA", "persons_held", sex, "juveniles", year, juveniles)] if juveniles is not None else [])


def test_a_count_of_women_without_juveniles_beside_men_with_them_is_listed_and_kept():
    """El Salvador's pattern: women of 2016 to 2018 without a juvenile row, men's counts with juveniles; the series
    counts juvenile women in 2015 and 2019. Each year's evidence gives the nearest of those (the earlier of two as
    near)."""
    frame = counts(*by_age("female", 2015, 3253, 77), *by_age("male", 2015, 30005, 536),
                   *by_age("female", 2016, 3632), *by_age("male", 2016, 33987, 795),
                   *by_age("female", 2017, 3692), *by_age("male", 2017, 36467, 877),
                   *by_age("female", 2018, 3460), *by_age("male", 2018, 36884, 929),
                   *by_age("female", 2019, 3012, 104), *by_age("male", 2019, 36949, 1742))
    found = rules.juveniles_one_sex(frame)
    assert findings_of(found, rules.JUVENILES_ONE_SEX) == [("AAA", year, "persons_held", "female", "")
                                                           for year in (2016, 2017, 2018)]
    assert found["value"].tolist() == [3632, 3692, 3460]
    assert found["evidence"].tolist() == [
        "female Age=Total 3,632 gives no juvenile count, male Age=Total 33,987 includes Age=Juveniles 795; the series "
        "counts juvenile women in other years (nearest: 77 in 2015)",
        "female Age=Total 3,692 gives no juvenile count, male Age=Total 36,467 includes Age=Juveniles 877; the series "
        "counts juvenile women in other years (nearest: 77 in 2015)",
        "female Age=Total 3,460 gives no juvenile count, male Age=Total 36,884 includes Age=Juveniles 929; the series "
        "counts juvenile women in other years (nearest: 104 in 2019)"]
    assert found["treatment"].tolist() == [rules.JUVENILES_ONE_SEX_TREATMENT] * 3


def test_a_count_of_men_without_juveniles_and_a_series_that_never_counts_them():
    found = rules.juveniles_one_sex(counts(*by_age("female", 2005, 634, 8), *by_age("male", 2005, 7645)))
    assert findings_of(found, rules.JUVENILES_ONE_SEX) == [("AAA", 2005, "persons_held", "male", "")]
    assert found["evidence"].tolist() == ["male Age=Total 7,645 gives no juvenile count, female Age=Total 634 includes "
                                          "Age=Juveniles 8; the series counts juvenile men in no other year"]


def test_the_both_sexes_juveniles_give_how_many_the_count_leaves_out():
    """Costa Rica's men of 2005: 26 juveniles of both sexes, 8 of them women, so 18 juvenile men are not in the men's
    count."""
    found = rules.juveniles_one_sex(counts(*by_age("female", 2005, 634, 8), *by_age("male", 2005, 7645),
                                           ("AAA", "persons_held", "total", "juveniles", 2005, 26)))
    assert found["evidence"].tolist() == ["male Age=Total 7,645 gives no juvenile count, female Age=Total 634 includes "
                                          "Age=Juveniles 8; Age=Juveniles of both sexes, 26, implies juvenile men "
                                          "outside the male count: 18"]


@pytest.mark.parametrize("rows", [
    # Bermuda's women of 2017: the both-sexes juveniles are the men's, so the file's own sum gives the women none
    by_age("female", 2017, 7) + by_age("male", 2017, 193, 9) + [("AAA", "persons_held", "total", "juveniles", 2017, 9)],
    by_age("female", 2017, 3692, 0) + by_age("male", 2017, 36467, 877),  # juvenile women counted: none
    by_age("female", 2017, 3692) + by_age("male", 2017, 36467, 0),       # no juvenile men either
    by_age("female", 2017, 3692) + by_age("male", 2017, 36467),          # neither sex gives juveniles
    by_age("female", 2017, 3692) + [("AAA", "persons_held", "male", "juveniles", 2017, 877)],  # no men's total
    by_age("female", 2017, 3692) + by_age("male", 2016, 36467, 877),     # the men's juveniles of another year
    by_age("female", 2017, 3692) + [("AAA", "persons_held_unsentenced", "male", "total", 2017, 9000),
                                    ("AAA", "persons_held_unsentenced", "male", "juveniles", 2017, 500)],  # series
])
def test_counts_of_the_same_scope_are_silent(rows):
    assert rules.juveniles_one_sex(counts(*rows)).empty


def test_a_juveniles_only_total_is_not_also_a_count_without_juveniles():
    """Rule 1 first: a women's Age=Total that is its juveniles alone is excluded, and the men's count of the year
    gives no second finding; its juvenile women stay a count of juvenile women (the nearest year of 2021's)."""
    frame = counts(*by_age("female", 2020, 58, 58), *by_age("male", 2020, 1372, 1372), *by_age("female", 2021, 40),
                   *by_age("male", 2021, 1200, 30), ("AAA", "persons_held", "female", "adult", 2021, 40))
    found = rules.check(frame, DEFAULT)
    assert findings_of(found, rules.JUVENILES_ONE_SEX) == [("AAA", 2021, "persons_held", "female", "")]
    assert "(nearest: 58 in 2020)" in found.loc[found["rule"] == rules.JUVENILES_ONE_SEX, "evidence"].iloc[0]


# ---------------------------------------------------------------------------------- All rules ---

def test_one_wrong_row_gives_one_finding():
    """A juveniles-only total is excluded first, so it is not also a series break or a sex gap."""
    frame = counts(*series({2017: 3692, 2018: 3460, 2019: 3012}), *series({2020: 58}),
                   ("AAA", "persons_held", "female", "juveniles", 2020, 58),
                   *series({2017: 36467, 2018: 36884, 2019: 36949, 2020: 1372}, sex="male"),
                   ("AAA", "persons_held", "male", "juveniles", 2020, 1372))
    found = rules.check(frame, DEFAULT)
    assert sorted(zip(found["rule"], found["year"], found["sex"])) == [
        (rules.JUVENILES_ONLY, 2020, "female"), (rules.JUVENILES_ONLY, 2020, "male")]
    assert rules.excluded_values(found) == {("AAA", "persons_held", "female", 2020),
                                           ("AAA", "persons_held", "male", 2020)}


def test_clean_data_gives_no_findings():
    frame = counts(*series({2017: 300, 2018: 310, 2019: 320}),
                   *series({2017: 2700, 2018: 2790, 2019: 2880}, sex="male"),
                   *series({2017: 3000, 2018: 3100, 2019: 3200}, sex="total"))
    found = rules.check(frame, DEFAULT)
    assert found.empty and list(found.columns) == rules.FINDINGS


def test_a_growth_with_juveniles_at_one_end_only_is_told_apart():
    """One end's count includes juveniles (at least min_pct of it), the other gives no juvenile count (no row): the
    two counts may differ in scope. Both ends with a juvenile count (0 is a count), or neither, or fewer juveniles
    than min_pct: nothing to tell."""
    women = pd.Series({2007: 40.0, 2010: 45.0, 2015: 48.0, 2021: 50.0})
    juveniles = pd.Series({2015: 0.0, 2021: 18.0})
    assert rules.juveniles_at_one_end(juveniles, women, 2007, 2021, 5.0) == {
        "year": 2021, "juveniles": 18.0, "pct": 36.0, "without": 2007}
    assert rules.juveniles_at_one_end(juveniles, women, 2021, 2007, 5.0)["without"] == 2007  # either end
    assert rules.juveniles_at_one_end(juveniles, women, 2015, 2021, 5.0) is None  # both give a count
    assert rules.juveniles_at_one_end(juveniles, women, 2007, 2010, 5.0) is None  # neither does
    assert rules.juveniles_at_one_end(juveniles, women, 2007, 2021, 36.1) is None  # fewer than min_pct
    assert rules.juveniles_at_one_end(juveniles, women, 2007, 2021, 36.0) is not None  # at min_pct: told
    assert rules.juveniles_at_one_end(pd.Series(dtype=float), women, 2007, 2021, 5.0) is None  # no juvenile row
    assert rules.juveniles_at_one_end(pd.Series({2021: 0.0}), women.replace({50.0: 0.0}), 2007, 2021, 5.0) is None
