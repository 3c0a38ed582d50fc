"""The profiles build: each country's same-year headline numbers, trend, pre-trial shares by sex and findings — on
small generated series (the rules fire on the case they name and stay silent otherwise) and on the real UNODC file
(Argentina's numbers against the long table; El Salvador's juvenile-only rows; a country with totals only)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import longtable, paths
from pipeline.chapters import interim
from pipeline.errors import PipelineError
from pipeline.profiles import build
from pipeline.sources import unodc_plausibility

SOURCES = {"unodc_prisons": {"snapshot": "2023-05-11"}, "plausibility": {}}
COUNTRY = pd.Series({"country": "AAA", "country_name": "Aland", "region": "Americas",
                     "subregion": "Latin America and the Caribbean"})


def rows(*values) -> pd.DataFrame:
    """(indicator, sex, year, value[, basis]) rows of one country in the shape of the cleaned national series."""
    table = pd.DataFrame([(*v, None) if len(v) == 4 else v for v in values],
                         columns=["indicator", "sex", "year", "value", "basis"])
    return table.assign(country="AAA", period=table["year"].astype(str), definition=table["indicator"] + " def")


def no_findings() -> pd.DataFrame:
    return pd.DataFrame(columns=["rule", "country", "year", "series", "sex", "value", "evidence", "treatment"])


def profile(*values, findings=None, count_note=None) -> dict:
    return build.profile(COUNTRY, rows(*values), no_findings() if findings is None else findings, SOURCES, count_note)


def test_headline_numbers_are_of_the_latest_year_whose_share_can_be_computed():
    found = profile(("persons_held", "female", 2018, 100), ("persons_held", "total", 2018, 2000),
                    ("women_share_of_persons_held", "female", 2018, 5.0, "total"),
                    ("persons_held_rate", "female", 2018, 3.5),
                    ("persons_held", "female", 2020, 130))  # a later count of women, without a denominator
    numbers = found["numbers"]
    assert found["status"] == build.BY_SEX and numbers["headline_year"] == 2018
    assert numbers["women_held"] == {"value": 100.0, "year": 2018, "key": "AAA/unodc_prisons/persons_held/female/2018"}
    assert numbers["women_share_pct"]["value"] == 5.0 and numbers["women_share_pct"]["denominator_value"] == 2000.0
    assert numbers["women_per_100k_women"]["value"] == 3.5
    assert numbers["later_women_held"] == {"value": 130.0, "year": 2020,
                                           "key": "AAA/unodc_prisons/persons_held/female/2020"}
    # The trend runs from the first count of women to the headline year, never to the later count: here both are
    # 2018, so there is no trend.
    assert numbers["trend"] is None


def test_tab_01s_note_on_a_count_is_kept_for_the_headline_year_only():
    values = [("persons_held", "female", 2018, 100), ("persons_held", "total", 2018, 2000),
              ("women_share_of_persons_held", "female", 2018, 5.0, "total")]
    note = {"year": 2018, "text": "count includes 7 women outside cells (electronic monitoring, home detention; "
                                  "table 8 of the briefing)"}
    assert profile(*values, count_note=note)["numbers"]["count_note"] == note
    assert profile(*values, count_note=note | {"year": 2017})["numbers"]["count_note"] is None  # another year's
    assert profile(*values)["numbers"]["count_note"] is None
    latest = pd.DataFrame({"country": ["AAA", "BBB"], "latest_year": [2018, 2020], "count_note": [note["text"], ""]})
    assert build.count_notes(latest) == {"AAA": note}


def test_trend_from_the_first_count_of_women_and_the_level_shifts_between():
    findings = pd.DataFrame([{"rule": unodc_plausibility.LEVEL_SHIFT, "country": "AAA", "year": 2012,
                              "series": "persons_held", "sex": "female", "value": 300.0, "evidence": "e",
                              "treatment": "t"}])
    found = profile(("persons_held", "female", 2010, 100), ("persons_held", "female", 2012, 300),
                    ("persons_held", "female", 2015, 250), ("persons_held", "total", 2015, 5000),
                    ("women_share_of_persons_held", "female", 2015, 5.0, "total"), findings=findings)
    trend = found["numbers"]["trend"]
    assert (trend["first"]["value"], trend["first"]["year"], trend["last"]["year"]) == (100.0, 2010, 2015)
    assert trend["change_pct"] == 150.0 and trend["level_shifts"] == [2012]
    assert found["findings"][0]["rule"] == unodc_plausibility.LEVEL_SHIFT
    # Without the finding, no break is reported.
    assert profile(("persons_held", "female", 2010, 100), ("persons_held", "female", 2015, 250),
                   ("persons_held", "total", 2015, 5000),
                   ("women_share_of_persons_held", "female", 2015, 5.0, "total"))["numbers"]["trend"][
               "level_shifts"] == []


def test_pre_trial_shares_by_sex_at_the_latest_year_with_both():
    found = profile(("persons_held", "female", 2019, 100), ("persons_held", "total", 2019, 1000),
                    ("women_share_of_persons_held", "female", 2019, 10.0, "total"),
                    ("unsentenced_share_of_persons_held", "female", 2018, 60.0),
                    ("unsentenced_share_of_persons_held", "male", 2018, 40.0),
                    ("unsentenced_share_of_persons_held", "female", 2019, 55.0))  # no men's share that year
    unsentenced = found["numbers"]["unsentenced"]
    assert (unsentenced["year"], unsentenced["women"]["value"], unsentenced["men"]["value"],
            unsentenced["difference_pp"]) == (2018, 60.0, 40.0, 20.0)
    assert profile(("persons_held", "female", 2019, 100))["numbers"]["unsentenced"] is None


@pytest.mark.parametrize("values, status", [
    ((("persons_held", "female", 2019, 100), ("persons_held", "total", 2019, 1000),
      ("women_share_of_persons_held", "female", 2019, 10.0, "total")), build.BY_SEX),
    ((("persons_held", "female", 2019, 100),), build.WOMEN_WITHOUT_SHARE),
    ((("persons_held", "total", 2019, 1000), ("persons_held_rate", "total", 2019, 90.0)), build.TOTALS_ONLY),
    ((), build.NO_COUNT),
])
def test_status_says_what_the_file_counts(values, status):
    found = profile(*values)
    assert found["status"] == status
    if status == build.TOTALS_ONLY:
        assert found["numbers"]["total"]["value"] == 1000.0 and found["numbers"]["total"]["rate"]["value"] == 90.0
        assert found["numbers"]["headline_year"] is None


def test_countries_chosen_by_subregion_code_or_all_and_an_unknown_item_is_one_message():
    countries = pd.DataFrame({"country": ["AAA", "BBB", "CCC"], "country_name": ["A", "B", "C"],
                              "region": ["Americas", "Americas", "Europe"],
                              "subregion": ["Latin America and the Caribbean"] * 2 + ["Western Europe"]})
    national = pd.DataFrame({"country": ["AAA", "CCC"], "indicator": ["persons_held", "persons_held"]})
    assert build.chosen_countries(["Latin America and the Caribbean"], countries, national) == ["AAA"]  # with data
    assert build.chosen_countries(["Latin America and the Caribbean", "BBB"], countries, national) == ["AAA", "BBB"]
    assert build.chosen_countries(["all"], countries, national) == ["AAA", "BBB", "CCC"]
    with pytest.raises(PipelineError, match=r"'profiles.countries' is 'Latin Amrica'.*did you mean"):
        build.chosen_countries(["Latin Amrica"], countries, national)


# ------------------------------------------------------------------------------------ Real data ---

def as_written(value: float) -> float:
    """A value as the long table's CSV writes it (10 significant digits)."""
    return float(f"{value:.10g}")


def long_value(table: pd.DataFrame, key: str) -> float:
    country, source, indicator, sex, period = key.split("/")
    found = table[(table["country"] == country) & (table["source"] == source) & (table["indicator"] == indicator)
                  & (table["sex"] == sex) & (table["period"] == period)]["value"]
    assert len(found) == 1, key
    return float(found.iloc[0])


@pytest.fixture(scope="module")
def long_table() -> pd.DataFrame:
    return longtable.read(paths.INDICATORS)


def numbers_of(entry: dict) -> list[dict]:
    """Every number of a profile that carries a long-table key."""
    found, todo = [], [entry["numbers"]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "key" in node and "value" in node:
                found.append(node)
            todo += list(node.values())
        elif isinstance(node, list):
            todo += node
    return found


def test_the_trend_does_not_start_from_a_count_by_sex_short_of_its_total():
    """2010: women 100 and men 800 of a total of 1,000, no women's share (the rule left it out): women may be missing
    from that count too, so the trend starts in 2012. A count with nothing to fall short of (no total) still starts
    one (test above)."""
    found = profile(("persons_held", "female", 2010, 100), ("persons_held", "male", 2010, 800),
                    ("persons_held", "total", 2010, 1000),
                    ("persons_held", "female", 2012, 120), ("persons_held", "male", 2012, 880),
                    ("persons_held", "total", 2012, 1000),
                    ("women_share_of_persons_held", "female", 2012, 12.0, "total"),
                    ("persons_held", "female", 2015, 150), ("persons_held", "total", 2015, 1500),
                    ("women_share_of_persons_held", "female", 2015, 10.0, "total"))
    trend = found["numbers"]["trend"]
    assert (trend["first"]["year"], trend["last"]["year"], trend["change_pct"]) == (2012, 2015, 25.0)
    assert trend["skipped"] == [2010]  # the profile says why it starts in 2012


def test_argentina_numbers_are_the_long_tables(long_table):
    argentina = build.read("ARG")
    numbers = argentina["numbers"]
    assert argentina["status"] == build.BY_SEX and argentina["chapter"] == "argentina"
    assert (numbers["headline_year"], numbers["women_held"]["value"]) == (2021, 4013.0)
    assert round(numbers["women_share_pct"]["value"], 6) == 3.928536
    assert numbers["women_share_pct"]["denominator_value"] == 102150.0
    assert round(numbers["women_per_100k_women"]["value"], 2) == 17.55
    assert (numbers["unsentenced"]["year"], round(numbers["unsentenced"]["women"]["value"], 2),
            round(numbers["unsentenced"]["men"]["value"], 2)) == (2021, 52.73, 43.34)
    # From 2007, the first year whose women and men do not fall short of the total (2005: 43,689 of 55,423; 2006:
    # 50,428 of 54,000), as tab-01 (unodc_plausibility.starts_growth): +43.1%, where 2005's count gave +84.8%.
    assert (numbers["trend"]["first"]["year"], numbers["trend"]["first"]["value"]) == (2007, 2804.0)
    assert round(numbers["trend"]["change_pct"], 1) == 43.1
    for number in numbers_of(argentina):
        assert as_written(number["value"]) == long_value(long_table, number["key"]), number["key"]


def test_el_salvador_juvenile_only_rows_are_flagged_and_left_out(long_table):
    salvador = build.read("SLV")
    juveniles = [f for f in salvador["findings"] if f["rule"] == unodc_plausibility.JUVENILES_ONLY]
    assert [(f["year"], f["sex"], f["value"]) for f in juveniles] == [
        (2020, "female", 58.0), (2020, "male", 1372.0), (2021, "female", 39.0), (2021, "male", 1184.0)]
    # 2020 and 2021 count juveniles only: the headline is 2019, and no series holds the juveniles' counts.
    assert salvador["numbers"]["headline_year"] == 2019 and salvador["numbers"]["women_held"]["value"] == 3012.0
    assert all(row["women_held"] is None for row in salvador["series"] if row["year"] >= 2020)
    for number in numbers_of(salvador):
        assert as_written(number["value"]) == long_value(long_table, number["key"]), number["key"]


def test_a_country_with_totals_only_has_the_short_profile(long_table):
    cuba = build.read("CUB")
    assert cuba["status"] == build.TOTALS_ONLY
    assert cuba["numbers"]["headline_year"] is None and "women_held" not in cuba["numbers"]
    total = cuba["numbers"]["total"]
    assert total["value"] == long_value(long_table, total["key"]) and total["key"].endswith("/total/" + str(total["year"]))
    female = long_table[(long_table["country"] == "CUB") & (long_table["sex"] == "female")]
    assert female.empty  # what the short profile says is missing is missing


def test_a_trend_that_starts_after_the_first_count_of_women_says_why():
    """An independent recount asked why Argentina's change starts in 2007 when its figure starts in 2005: the counts
    of 2005 and 2006 fall short of their totals (tab-02's finding), so they may miss women. The profile says so, in
    each language; so do Costa Rica's (2005) and Jamaica's (2009), and no other."""
    skipped = {country: build.read(country)["numbers"]["trend"]["skipped"] for country in build.read_summary()[
        "country"] if (build.read(country)["numbers"].get("trend") or {}).get("skipped")}
    assert skipped == {"ARG": [2005, 2006], "CRI": [2005], "JAM": [2009]}
    assert "The change starts in 2007: the earlier counts of women (2005, 2006) cannot start one" in paths.profile(
        "ARG", "en", ".html").read_text(encoding="utf-8")
    assert "La variación parte de 2007: los recuentos anteriores de mujeres (2005, 2006) no pueden iniciarla" in \
        paths.profile("ARG", "es", ".html").read_text(encoding="utf-8")
    assert "The change starts in 2006: the earlier count of women (2005) cannot start one, since its women" in \
        paths.profile("CRI", "en", ".html").read_text(encoding="utf-8")  # one year: in the singular


def test_a_trend_with_juveniles_at_one_end_only_has_a_note():
    """The profile's own trend (from its first usable year, which may come before tab-01's first_year): Barbados'
    2007 -> 2021 compares a count without a juvenile count with one of which 18 of 50 are juveniles; the page
    says so below the table, in each language. Guyana's trend starts in 2004 (2 juveniles of 53, under 5%)."""
    barbados = build.read("BRB")["numbers"]["trend"]
    assert (barbados["first"]["year"], barbados["juveniles"]) == (2007, {"year": 2021, "juveniles": 18.0,
                                                                           "pct": 36.0, "without": 2007})
    assert build.read("GUY")["numbers"]["trend"]["juveniles"] is None
    assert build.read("ARG")["numbers"]["trend"]["juveniles"] is None  # 15 of 4,013 in 2021: 0.4%
    pages = {language: paths.profile("BRB", language, ".html").read_text(encoding="utf-8")
             for language in ("en", "es", "pt")}
    assert "includes juveniles: 18 (36.0% of it), and the count of 2007 gives no juvenile count" in pages["en"]
    assert "incluye menores de edad: 18 (36,0% del total), y el recuento de 2007 no los desglosa" in \
        pages["es"]
    assert "inclui adolescentes: 18 (36,0% do total), e a contagem de 2007 não os discrimina" in \
        pages["pt"]


def test_every_profile_of_latin_america_agrees_with_the_regional_chapters_tab_01():
    """Same rule, same numbers: a country's headline year is its latest complete one, as in tab-01."""
    latest = interim.read("regional", "latest").set_index("country")
    summary = build.read_summary().set_index("country")
    by_sex = summary[summary["status"] == build.BY_SEX]
    assert set(latest.index) <= set(by_sex.index)
    for country, row in latest.iterrows():
        profile = summary.loc[country]
        assert (int(profile["headline_year"]), profile["women_held"]) == (row["latest_year"], row["women_held"])
        assert round(profile["women_share_pct"], 1) == row["women_share_pct"], country
        # ... and its note on what the count holds (Brazil's: women outside cells), the same text.
        noted = build.read(country)["numbers"]["count_note"]
        assert (noted["text"] if noted else "") == row["count_note"], country
    assert build.read("BRA")["numbers"]["count_note"]["text"].startswith("count includes 12,696 women outside cells")


def test_the_default_profiles_are_every_country_of_the_subregion_with_data():
    summary = build.read_summary()
    assert len(summary) == 45
    assert summary["status"].value_counts().to_dict() == {build.BY_SEX: 31, build.TOTALS_ONLY: 14}
    assert json.loads(paths.profile_interim("ARG").read_text(encoding="utf-8"))["country"] == "ARG"


def test_definitions_are_the_latest_years_so_a_stated_denominator_is_the_headlines():
    definitions = build.read("ARG")["definitions"]
    assert "all persons held (102,150)" in definitions["women_share_of_persons_held"]  # 2021's, the headline's
    assert set(definitions) == {"persons_held", "persons_held_rate", "persons_held_unsentenced",
                                "unsentenced_share_of_persons_held (female)",
                                "unsentenced_share_of_persons_held (male)", "women_share_of_persons_held"}
    # The men's unsentenced share is of men held, as the long table's row for men says (not of women held).
    assert "as a percentage of women held" in definitions["unsentenced_share_of_persons_held (female)"]
    assert "as a percentage of men held" in definitions["unsentenced_share_of_persons_held (male)"]
