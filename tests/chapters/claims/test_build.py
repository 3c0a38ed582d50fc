"""Claims check: the number extractor, the rounding rule, loud failures, and the real registry's verdicts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import i18n, io, longtable, params, paths
from pipeline.chapters.claims import build as claims
from pipeline.chapters.claims import manuscript
from pipeline.chapters.regional import build as regional
from pipeline.errors import PipelineError
from pipeline.settings import Claims, SourceClasses

PAPER = paths.ROOT / "../shared/paper/justice-is-setting-them-free.txt"
needs_paper = pytest.mark.skipif(not PAPER.exists(), reason="the manuscript is not on this machine")


# ---------------------------------------------------------------------------------- Rounding rule ---

@pytest.mark.parametrize("stated, value, expected", [
    ("37%", 37.4, True), ("37%", 36.5, True), ("37%", 36.4, False), ("37%", 37.5, False),
    ("448.3 percent", 448.25, True), ("448.3 percent", 448.35, False), ("448.3 percent", 448.2, False),
    ("2,996", 2996, True), ("2,996", 2988, False),
])
def test_rounding_rule_is_the_stated_precision(stated, value, expected):
    assert claims.matches(stated, [value]) is expected


def test_comparisons_precision_and_ranges():
    assert claims.matches("95,000", [94_600], precision=1000)
    assert not claims.matches("95,000", [94_400], precision=1000)
    assert claims.matches("150 percent", [150.01], comparison="more_than")
    assert not claims.matches("150 percent", [150.0], comparison="more_than")
    assert claims.matches("30 percent", [29.6], comparison="at_least")
    assert claims.matches("95,000", [85_005], comparison="at_most", precision=1000)
    assert claims.matches("40 to 80 percent", [55.9, 60])
    assert not claims.matches("40 to 80 percent", [37.4, 60])


# ------------------------------------------------------------------------------ Registry failures ---

LONG = longtable.frame([
    {"country": "ARG", "source": "sneep", "indicator": "women_drug_share", "sex": "female", "period": "2015",
     "value": 37.4, "unit": "percent", "definition": "share of women held for drug offences"},
    {"country": "ARG", "source": "sneep", "indicator": "women_drug_share", "sex": "female", "period": "2022",
     "value": 36.4, "unit": "percent", "definition": "share of women held for drug offences"},
    {"country": "ARG", "source": "published", "indicator": "women_held", "sex": "female", "period": "2022",
     "value": 4391, "unit": "persons", "definition": "figure printed by arg-014 (briefing paper (footnote 63))"},
])


CLASSES = SourceClasses(primary=["sneep"], secondary=["published"])


def _registry(tmp_path, *entries: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n" + "".join(entries), encoding="utf-8")
    return path


def _claim(claim_id, period, expected="reproduced", key=None, extra=""):
    key = key or f"ARG/sneep/women_drug_share/female/{period}"
    return (f"  - id: {claim_id}\n    section: Intro\n    country: ARG\n    period: '{period}'\n"
            f"    description: test\n    stated: 37 percent\n    unit: percent\n"
            f"    check: {{compute: value, keys: [{key}]}}\n    expected: {expected}\n{extra}")


def _run(tmp_path, registry, monkeypatch):
    monkeypatch.delenv(io.STAGING_ENV, raising=False)  # write where the test reads, even under nbval
    indicators = tmp_path / "indicators.csv"
    longtable.save(LONG, indicators)
    paper = tmp_path / "paper.txt"
    paper.write_text("Intro\t1\n\nIntro\nOf these, 37 percent were held for drugs.\n", encoding="utf-8")
    monkeypatch.setattr(claims, "CLAIMS_TABLE", tmp_path / "claims")
    monkeypatch.setattr(claims, "NUMBERS_TABLE", tmp_path / "manuscript-numbers")
    settings = Claims(manuscript=str(paper), years=[1900, 2099], source_classes=CLASSES)
    return claims.run(settings, registry=registry, indicators=indicators)


def test_a_reproduced_claim_that_stops_reproducing_fails_the_build(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("still-fine", "2015"), _claim("broken", "2022"))
    with pytest.raises(PipelineError) as error:
        _run(tmp_path, registry, monkeypatch)
    message = error.value.message
    assert "claims.yaml" in message and "1 claim(s) changed verdict" in message
    assert "broken: expected reproduced, now contradicted (36.40%)" in message
    assert "still-fine" not in message
    assert not (tmp_path / "claims.csv").exists()  # nothing published on failure


def test_the_same_registry_passes_once_the_verdict_is_recorded(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("still-fine", "2015"), _claim("broken", "2022", "contradicted"))
    results = _run(tmp_path, registry, monkeypatch).set_index("claim_id")
    assert results.loc["still-fine", "status"] == "reproduced"
    assert results.loc["broken", "status"] == "contradicted"
    assert (tmp_path / "claims.csv").read_text().startswith("claim_id,country,period,section,")


def test_a_claim_pointing_at_a_missing_indicator(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("gone", "2015", key="ARG/sneep/no_such_indicator/female/2015"))
    with pytest.raises(PipelineError, match=r"claims\.yaml, row 9: claim 'gone': key ARG/sneep/no_such_indicator/"
                                            r"female/2015 is not in data/processed/indicators\.csv — correct"):
        _run(tmp_path, registry, monkeypatch)


def test_a_claim_keyed_to_a_period_the_series_no_longer_has_names_the_periods_it_has(tmp_path, monkeypatch):
    """As after a new UNODC export moves the latest year of a regional sum (tried: an export to 2020, then the one to
    2021): the claim's key names the old year, and the message the years the series has now."""
    registry = _registry(tmp_path, _claim("still-fine", "2015"), _claim("moved", "2021"))
    with pytest.raises(PipelineError, match=r"claims\.yaml, row 18: claim 'moved': key ARG/sneep/women_drug_share/"
                                            r"female/2021 is not in data/processed/indicators\.csv \(the long table "
                                            r"has this series for 2015, 2022\) — correct the key"):
        _run(tmp_path, registry, monkeypatch)


def test_the_line_of_a_key_is_that_of_the_whole_key(tmp_path):
    registry = tmp_path / "claims.yaml"
    registry.write_text("claims:\n  keys: [BRA/sisdepen/x/female/2019-12]\n  keys: [BRA/sisdepen/x/female/2019]\n")
    assert claims._line_of("BRA/sisdepen/x/female/2019", registry) == 3
    assert claims._line_of("BRA/sisdepen/x/female/2019-12", registry) == 2
    assert claims._line_of("BRA/sisdepen/x/female/2020", registry) is None


def test_a_row_that_only_quotes_the_briefing_cannot_check_it(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("circular", "2022", key="ARG/published/women_held/female/2022"))
    with pytest.raises(PipelineError, match="only quotes the briefing itself"):
        _run(tmp_path, registry, monkeypatch)


def test_unknown_keys_and_wrong_shapes_name_the_claim(tmp_path):
    with pytest.raises(PipelineError, match=r"claim 'typo': 'expectd': extra inputs"):
        claims.load_registry(_registry(tmp_path, _claim("typo", "2015").replace("expected", "expectd")))
    with pytest.raises(PipelineError, match="growth_pct takes 2 key"):
        claims.load_registry(_registry(tmp_path, _claim("shape", "2015").replace("compute: value", "compute: growth_pct")))


def test_a_registry_that_is_not_yaml_or_repeats_a_key_is_one_line_naming_the_row(tmp_path):
    """Read as every hand-kept YAML file is (params.read_yaml): it was PyYAML's message of several lines, with
    '<unicode string>' and the line where the list began, and a key given twice kept the last value silently."""
    path = _registry(tmp_path, _claim("broken", "2015").replace("    section:", "   bad: [unclosed\n    section:"))
    with pytest.raises(PipelineError) as error:
        claims.load_registry(path)
    assert str(error.value).count("\n") == 0 and "unicode string" not in str(error.value)
    assert (error.value.file, "not valid YAML" in str(error.value)) == (path, True) and error.value.row is not None
    repeated = _registry(tmp_path, _claim("twice", "2015").replace("    section:", "    period: '2016'\n    section:"))
    with pytest.raises(PipelineError, match="period"):
        claims.load_registry(repeated)
    with pytest.raises(PipelineError, match="the claims registry is missing"):
        claims.load_registry(tmp_path / "nowhere.yaml")


def test_a_claim_whose_number_left_the_manuscript_fails(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("moved", "2015").replace("stated: 37 percent", "stated: 38 percent")
                         .replace("expected: reproduced", "expected: contradicted"))
    with pytest.raises(PipelineError, match="claim 'moved': no paragraph of section 'Intro' print"):
        _run(tmp_path, registry, monkeypatch)


# ----------------------------------------------------------- The verdict scale, on generated frames ---

def _long(*rows) -> pd.DataFrame:
    """A small long table: rows of (key, value) or (key, value, unit, definition)."""
    records = []
    for key, value, *rest in rows:
        unit, definition = (rest + ["persons", "a count"])[:2] if rest else ("persons", "a count")
        country, source, indicator, sex, period = key.split("/")
        records.append({"country": country, "source": source, "indicator": indicator, "sex": sex,
                        "period": period, "value": value, "unit": unit, "definition": definition})
    return longtable.frame(records)


SCALE_CLASSES = SourceClasses(primary=["unodc_prisons", "sisdepen"], secondary=["published"])


def _verdict(table: pd.DataFrame, check: dict, stated: str | None = "100", **claim) -> pd.Series:
    entry = {"id": "c", "section": "s", "country": "ARG", "period": "2015", "description": "d", "stated": stated,
             "unit": "persons", "check": check, "expected": "reproduced"} | claim
    return claims.evaluate([claims.Claim.model_validate(entry)], table, SCALE_CLASSES).iloc[0]


KEY = "ARG/unodc_prisons/persons_held/female/2015"


@pytest.mark.parametrize("stated, value, status", [
    ("37%", 36.5, "reproduced"), ("37%", 37.4999, "reproduced"),  # the printed precision's two edges
    ("37%", 36.4999, "contradicted"), ("37%", 37.5, "contradicted"),  # just outside them
    ("448.3 percent", 448.25, "reproduced"), ("448.3 percent", 448.35, "contradicted"),
    ("2,996", 2996.49, "reproduced"), ("2,996", 2995.49, "contradicted"),
])
def test_reproduced_is_a_primary_recomputation_within_the_printed_precision(stated, value, status):
    found = _verdict(_long((KEY, value, "percent")), {"compute": "value", "keys": [KEY]}, stated)
    assert found["status"] == status
    assert found["source_class"] == "primary"


def test_the_tolerance_shown_is_the_rounding_of_the_stated_value():
    table = _long((KEY, 36.5, "percent"))
    assert _verdict(table, {"compute": "value", "keys": [KEY]}, "37%")["tolerance_or_interval"] == \
        "equal to 37% when rounded to 1 percentage point"
    assert _verdict(table, {"compute": "value", "keys": [KEY]}, "95,000", precision=1000)["tolerance_or_interval"] \
        == "equal to 95,000 when rounded to 1,000"
    assert _verdict(table, {"compute": "value", "keys": [KEY]}, "30 percent", comparison="at_least")[
        "tolerance_or_interval"] == "at least 30% when rounded to 1 percentage point"
    assert _verdict(table, {"compute": "value", "keys": [KEY]}, "36.5%")["tolerance_or_interval"] == \
        "equal to 36.5% when rounded to 0.1 percentage points"


def test_a_match_with_a_secondary_source_is_matches_published_never_reproduced():
    published = "ARG/published/persons_held/female/2015"
    table = _long((KEY, 100, "persons"), (published, 100, "persons", "figure printed by a newspaper"))
    alone = _verdict(table, {"compute": "value", "keys": [published]})
    assert (alone["status"], alone["source_class"]) == ("matches_published", "secondary")
    assert "not a recomputation" in alone["reason"]
    # One secondary number among primary ones is enough to make it an agreement, not a recomputation.
    mixed = _verdict(table, {"compute": "range_within", "keys": [KEY, published]}, "90 to 110 percent")
    assert (mixed["status"], mixed["source_class"]) == ("matches_published", "primary; secondary")
    # A secondary source can still contradict.
    assert _verdict(table, {"compute": "value", "keys": [published]}, "120")["status"] == "contradicted"


def test_a_figure_quoted_by_the_briefing_and_another_publication_is_secondary_whatever_its_source():
    quoted = "ARG/unodc_prisons/persons_held/total/2015"  # even under a primary source name
    table = _long((quoted, 100, "persons", "figure printed by the briefing paper and a newspaper"))
    with pytest.raises(PipelineError, match="only quotes the briefing itself"):
        _verdict(table, {"compute": "value", "keys": [quoted]})
    found = _verdict(table, {"compute": "value", "keys": [quoted], "independent_source": "a newspaper, 2016"})
    assert (found["status"], found["source_class"]) == ("matches_published", "secondary")


def _interval(low: float, high: float, unit: str = "percent") -> pd.DataFrame:
    return _long(("ARG/unodc_prisons/low/female/2015", low, unit), ("ARG/unodc_prisons/high/female/2015", high, unit))


INTERVAL = {"compute": "interval", "low": "ARG/unodc_prisons/low/female/2015",
            "high": "ARG/unodc_prisons/high/female/2015", "method": "a lower count and an upper estimate"}


@pytest.mark.parametrize("low, high, status", [
    (99.5, 120, "consistent"), (100.5, 120, "contradicted"),  # the low end rounds to 100, or to 101
    (80, 100.4999, "consistent"), (80, 99.4999, "contradicted"),  # the high end rounds to 100, or to 99
    (100, 100, "consistent"),  # an interval of one value
])
def test_consistent_needs_the_stated_value_inside_a_two_sided_interval(low, high, status):
    found = _verdict(_interval(low, high), INTERVAL)
    assert found["status"] == status
    text = found["tolerance_or_interval"]
    assert text.startswith("interval ") and text.endswith(": a lower count and an upper estimate")
    # The ends as compared are shown when rounding changes them (the editor read "ends rounded" on unrounded ends).
    rounded = "rounded to 1 percentage point, as the stated value is" in text
    assert rounded == (low != int(low) or high != int(high)), text


def test_an_interval_whose_ends_are_reversed_is_an_error():
    with pytest.raises(PipelineError, match=r"claim 'c': the interval's low end \(120\) exceeds its high end \(80\)"):
        _verdict(_interval(120, 80), INTERVAL)


def test_an_interval_of_percentages_is_written_in_percent():
    """The computed range, the interval's ends and their rounding carry the unit, as a point check's do."""
    table = _long(("ARG/unodc_prisons/women_share/female/2021", 36.52, "percent"),
                  ("ARG/unodc_prisons/women_share_high/female/2021", 38.1, "percent"))
    check = {"compute": "interval", "low": "ARG/unodc_prisons/women_share/female/2021",
             "high": "ARG/unodc_prisons/women_share_high/female/2021", "method": "a low and a high share"}
    found = _verdict(table, check, "37%", unit="percent")
    assert (found["status"], found["computed"]) == ("consistent", "36.52% to 38.10%")
    assert found["tolerance_or_interval"] == ("interval 36.52% to 38.10% (37% to 38% rounded to 1 percentage point, "
                                              "as the stated value is): a low and a high share")


def test_an_interval_at_a_coarser_precision_and_from_a_computed_end():
    table = _long(("AMR/unodc_prisons/women_held/female/2021", 94_500), ("AMR/unodc_prisons/missing/female/2021",
                                                                        4_500))
    check = {"compute": "interval", "low": "AMR/unodc_prisons/women_held/female/2021",
             "high": {"compute": "sum", "keys": ["AMR/unodc_prisons/women_held/female/2021",
                                                 "AMR/unodc_prisons/missing/female/2021"]},
             "method": "the reported sum, plus an estimate of the missing countries"}
    found = _verdict(table, check, "95,000", precision=1000)
    assert (found["status"], found["computed"]) == ("consistent", "94,500 to 99,000")
    assert found["tolerance_or_interval"] == ("interval 94,500 to 99,000 (95,000 to 99,000 rounded to 1,000, as the "
                                              "stated value is): the reported sum, plus an estimate of the missing "
                                              "countries")
    assert _verdict(table, check, "93,000", precision=1000)["status"] == "contradicted"


@pytest.mark.parametrize("stated, status", [
    ("85,000", "not_checkable"), ("95,000", "not_checkable"), ("1,000,000", "not_checkable"),  # any larger figure
    ("84,000", "contradicted"),  # below what is already counted
])
def test_a_one_sided_bound_is_never_consistent(stated, status):
    table = _long(("AMR/unodc_prisons/persons_held/female/2021", 85_005))
    check = {"compute": "value", "keys": ["AMR/unodc_prisons/persons_held/female/2021"], "bound": "lower",
             "method": "countries without a count are missing"}
    found = _verdict(table, check, stated, precision=1000)
    assert found["status"] == status
    assert found["tolerance_or_interval"] == \
        "one-sided: a lower bound of 85,005 (countries without a count are missing)"
    upper = _verdict(table, check | {"bound": "upper"}, stated, precision=1000)
    assert upper["status"] == {"84,000": "not_checkable", "85,000": "not_checkable"}.get(stated, "contradicted")


@pytest.mark.parametrize("bound, value, stated, comparison, status", [
    ("lower", 150.01, "150 percent", "more_than", "reproduced"),  # a one-sided claim on the bound's side
    ("lower", 150.0, "150 percent", "more_than", "not_checkable"),  # not more than 150: the true value may be
    ("lower", 149.5, "150 percent", "at_least", "reproduced"),
    ("upper", 29.4, "30 percent", "at_most", "reproduced"),
    ("upper", 150.0, "150 percent", "more_than", "contradicted"),  # at most 150 cannot be more than 150
    ("upper", 31.0, "30 percent", "at_most", "not_checkable"),
])
def test_a_bound_proves_a_one_sided_claim_on_its_own_side_only(bound, value, stated, comparison, status):
    table = _long((KEY, value, "percent"))
    check = {"compute": "value", "keys": [KEY], "bound": bound, "method": "why it is a bound"}
    assert _verdict(table, check, stated, comparison=comparison)["status"] == status


def test_a_check_covering_part_of_the_claim_is_partly_checked():
    table = _long(("BRA/sisdepen/share/female/2019", 57.0, "percent"),
                  ("BRA/sisdepen/share/male/2019", 28.7, "percent"))
    check = {"compute": "percent_higher", "keys": ["BRA/sisdepen/share/female/2019", "BRA/sisdepen/share/male/2019"],
             "part": {"covers": "BRA", "of": 5, "units": "countries"}}
    found = _verdict(table, check, "30 percent", comparison="at_least")
    assert (found["status"], found["computed"]) == ("partly_checked", "98.61%")
    assert found["tolerance_or_interval"] == ("Brazil only, 1 of 5 countries; at least 30% when rounded to 1 "
                                              "percentage point")
    assert found["reason"].startswith("holds for Brazil only (1 of 5 countries)")
    spanish = i18n.render(found["phrases"]["tolerance_or_interval"], i18n.Translator("es"))
    assert spanish == "solo Brasil, 1 de 5 países; al menos 30% al redondear a 1 punto porcentual"
    # The check column is code, the same on every page: which part it covers is the verdict's to say, translated.
    assert claims.describe(claims.Check.model_validate(check)) == (
        "percent_higher BRA/sisdepen/share/female/2019 ; BRA/sisdepen/share/male/2019 [part 1/5]")
    # A part that fails contradicts the claim.
    assert _verdict(table, check, "150 percent", comparison="at_least")["status"] == "contradicted"


def test_a_computed_number_is_written_with_its_unit_and_a_count_without_one():
    """An editor found computed shares written "98.30" beside a stated "30%": a percentage computed or read is
    written with %, a difference of percentages in percentage points; counts stay bare (their table says persons)."""
    table = _long(("ARG/unodc_prisons/women_held/female/2020", 3000.0), ("ARG/unodc_prisons/women_held/female/2021",
                                                                        3300.0))
    growth = {"compute": "growth_pct", "keys": ["ARG/unodc_prisons/women_held/female/2020",
                                                "ARG/unodc_prisons/women_held/female/2021"]}
    assert _verdict(table, growth, "10 percent", unit="percent_change")["computed"] == "10.00%"
    count = {"compute": "value", "keys": ["ARG/unodc_prisons/women_held/female/2021"]}
    assert _verdict(table, count, "3,300")["computed"] == "3,300"


def test_an_order_without_a_number():
    table = _long(("ARG/unodc_prisons/pretrial_share/female/2020", 60.0, "percent"),
                  ("ARG/unodc_prisons/pretrial_share/male/2020", 45.0, "percent"),
                  ("BRA/unodc_prisons/pretrial_share/female/2020", 30.0, "percent"),
                  ("BRA/unodc_prisons/pretrial_share/male/2020", 31.0, "percent"))
    argentina = {"compute": "greater", "keys": ["ARG/unodc_prisons/pretrial_share/female/2020",
                                                "ARG/unodc_prisons/pretrial_share/male/2020"]}
    found = _verdict(table, argentina, None, unit="trend")
    assert (found["status"], found["computed"]) == \
        ("reproduced", "in the stated order (gap 15.00 percentage points)")
    both = {"compute": "greater", "keys": argentina["keys"] + ["BRA/unodc_prisons/pretrial_share/female/2020",
                                                               "BRA/unodc_prisons/pretrial_share/male/2020"]}
    found = _verdict(table, both, None, unit="trend")
    assert (found["status"], found["computed"]) == ("contradicted", "1 of 2 pairs in the stated order (smallest gap "
                                                                    "-1.00 percentage points)")
    assert found["reason"] == ("BRA/unodc_prisons/pretrial_share/female/2020 is not above "
                               "BRA/unodc_prisons/pretrial_share/male/2020")
    # Stated numbers whose order alone is tested ("women +60%, men +22%"): the order is a part of the claim.
    direction = argentina | {"part": {"covers": "the direction", "of": 2, "units": "aspects"}}
    found = _verdict(table, direction, "60 percent", unit="percent_change")
    assert (found["status"], found["tolerance_or_interval"]) == (
        "partly_checked", "the direction only, 1 of 2 aspects; the first value above the second")


def test_a_key_may_name_the_first_or_latest_period_of_its_series():
    """tab-04's headline window ends where the data put it (2018, then 2019 once two countries' 2009 counts were
    found implausible): a claim on it names `latest` and `first`, and the check shows the periods used."""
    table = _long(("WLD/unodc_prisons/persons_held_fixed_panel/male/2010", 4607558),
                  ("WLD/unodc_prisons/persons_held_fixed_panel/male/2019", 4638094),
                  ("WLD/unodc_prisons/persons_held_fixed_panel/female/2019", 376535))
    grew = {"compute": "greater", "keys": ["WLD/unodc_prisons/persons_held_fixed_panel/male/latest",
                                           "WLD/unodc_prisons/persons_held_fixed_panel/male/first"]}
    found = _verdict(table, grew, None, unit="trend", country="WLD")
    assert (found["status"], found["computed"]) == ("reproduced", "in the stated order (gap "
                                                                  "30,536)")
    assert found["check"] == ("greater WLD/unodc_prisons/persons_held_fixed_panel/male/2019 ; "
                              "WLD/unodc_prisons/persons_held_fixed_panel/male/2010")
    fell = {"compute": "greater", "keys": list(reversed(grew["keys"]))}
    assert _verdict(table, fell, None, unit="trend", country="WLD")[["status", "computed"]].tolist() == [
        "contradicted", "not in the stated order (gap -30,536)"]
    # A context's label names the period its key resolved to, in each language (data/claims.yaml's widest panel).
    widest = {"compute": "value", "keys": ["WLD/unodc_prisons/persons_held_fixed_panel/male/latest"],
              "label": "widest panel of all (ending in {period}), women's minus men's growth, percentage points"}
    found = _verdict(table, grew, None, unit="trend", country="WLD", context=[widest])
    assert found["context"] == ("widest panel of all (ending in 2019), women's minus men's growth, percentage points: "
                                "4,638,094")
    assert i18n.render(found["phrases"]["context"], i18n.Translator("pt")).startswith(
        "o painel mais amplo de todos (que termina em 2019), crescimento das mulheres menos o dos homens")
    missing = {"compute": "value", "keys": ["WLD/unodc_prisons/persons_held_fixed_panel/total/latest"]}
    with pytest.raises(PipelineError, match="key WLD/unodc_prisons/persons_held_fixed_panel/total/latest is not in"):
        _verdict(table, missing)


@pytest.mark.parametrize("evidence, status", [
    ("ury-041;ury-059", "matches_published"),  # figures of the published registry: secondary
    ("sisdepen: 2019: 631 -> 2020: 805", "reproduced"),  # a primary source, named
])
def test_a_supported_chapter_verdict_is_graded_by_its_evidence(tmp_path, monkeypatch, evidence, status):
    monkeypatch.setattr(paths, "TABLES", tmp_path)
    pd.DataFrame([{"claim_id": "row", "claim": "c", "status": "supported", "evidence": evidence, "reason": "r"},
                  {"claim_id": "gone", "claim": "c", "status": "not checkable", "evidence": "", "reason": "r"}]) \
        .to_csv(tmp_path / "tab-99-chapter-claims.csv", index=False)
    check = {"compute": "chapter_verdict", "table": "tab-99-chapter-claims", "row": "row"}
    assert _verdict(_long((KEY, 1)), check, None, unit="trend")["status"] == status
    assert _verdict(_long((KEY, 1)), check | {"row": "gone"}, None, unit="trend")["status"] == "not_checkable"


def test_a_chapter_verdicts_caveat_stands_beside_the_verdict(tmp_path, monkeypatch):
    """A chapter table's `caveat` is the claim's; a table without the column (Uruguay's tab-35) gives none."""
    monkeypatch.setattr(paths, "TABLES", tmp_path)
    pd.DataFrame([{"claim_id": "row", "claim": "c", "status": "supported", "caveat": "compares counts of different "
                   "scope", "evidence": "ury-041", "reason": "r"},
                  {"claim_id": "plain", "claim": "c", "status": "supported", "caveat": "", "evidence": "ury-041",
                   "reason": "r"}]).to_csv(tmp_path / "tab-98-chapter-claims.csv", index=False)
    pd.DataFrame([{"claim_id": "row", "claim": "c", "status": "supported", "evidence": "ury-041", "reason": "r"}]) \
        .to_csv(tmp_path / "tab-99-chapter-claims.csv", index=False)
    check = {"compute": "chapter_verdict", "table": "tab-98-chapter-claims", "row": "row"}
    found = _verdict(_long((KEY, 1)), check, None, unit="trend")
    assert (found["status"], found["caveat"]) == ("matches_published", "compares counts of different scope")
    assert _verdict(_long((KEY, 1)), check | {"row": "plain"}, None, unit="trend")["caveat"] == ""
    assert _verdict(_long((KEY, 1)), check | {"table": "tab-99-chapter-claims"}, None, unit="trend")["caveat"] == ""
    # A claim checked by a computation has no caveat.
    assert _verdict(_long((KEY, 100)), {"compute": "value", "keys": [KEY]})["caveat"] == ""


def test_a_registry_caveat_stands_beside_the_verdict_whatever_it_is():
    """data/claims.yaml may give a claim a caveat: what the check's count holds that the claim's words do not."""
    found = _verdict(_long((KEY, 100)), {"compute": "value", "keys": [KEY]}, caveat="includes women outside cells")
    assert (found["status"], found["caveat"]) == ("reproduced", "includes women outside cells")
    found = _verdict(_long((KEY, 140)), {"compute": "value", "keys": [KEY]}, caveat="includes women outside cells")
    assert (found["status"], found["caveat"]) == ("contradicted", "includes women outside cells")


def test_a_source_that_is_neither_primary_nor_secondary_is_an_error():
    table = _long(("ARG/new_source/persons_held/female/2015", 100))
    with pytest.raises(PipelineError, match=r"params\.yaml: claim 'c': source 'new_source' is neither primary nor "
                                            r"secondary — add it to claims\.source_classes"):
        _verdict(table, {"compute": "value", "keys": ["ARG/new_source/persons_held/female/2015"]})


@pytest.mark.parametrize("check, stated, message", [
    ({"compute": "value", "keys": [KEY], "differs": "counts records"}, "100", "can confirm at most part of it"),
    (INTERVAL | {"method": None}, "100", "interval needs 'low', 'high' and 'method'"),
    (INTERVAL, "40 to 80 percent", "an interval tests one stated value"),
    ({"compute": "value", "keys": [KEY], "bound": "lower"}, "100", "with a 'method' saying why it is a bound"),
    ({"compute": "range_within", "keys": [KEY], "bound": "lower", "method": "m"}, "40 to 80 percent",
     "a bound is one value"),
    ({"compute": "value", "keys": [KEY], "part": {"covers": "BRA", "count": 5, "of": 5, "units": "countries"}},
     "100", "5 of 5 is not a part"),
    ({"compute": "greater", "keys": [KEY, KEY]}, "100", "with a stated number it checks only the order"),
    ({"compute": "greater", "keys": [KEY]}, None, "greater takes keys in pairs"),
    ({"compute": "value", "keys": [KEY], "low": KEY}, "100", "'low' and 'high' belong to an interval check"),
    ({"compute": "chapter_verdict", "table": "claims", "row": "c"}, "100",
     "chapter_verdict's table 'claims' is not a table of the briefing"),
])
def test_malformed_checks_are_named(tmp_path, check, stated, message):
    entry = {"id": "bad", "section": "s", "country": "ARG", "period": "2015", "description": "d", "stated": stated,
             "unit": "persons", "check": {k: v for k, v in check.items() if v is not None}, "expected": "reproduced"}
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"claims": [entry]}), encoding="utf-8")
    with pytest.raises(PipelineError, match=re.escape(message)):
        claims.load_registry(path)


# ------------------------------------------------------------- The real registry on the real data ---

@pytest.fixture(scope="module")
def real():
    registry = claims.load_registry()
    classes = params.read(Claims).source_classes
    results = claims.evaluate(registry, longtable.read(paths.INDICATORS), classes).set_index("claim_id")
    return registry, results


def test_every_claim_gives_its_recorded_verdict(real):
    _, results = real
    assert (results["status"] == results["expected"]).all(), results[results["status"] != results["expected"]]


@pytest.mark.parametrize("claim_id, status, computed, tolerance_or_interval, source_class", [
    # A newspaper's figure, not a recomputation.
    ("arg-trans-women-held-2015", "matches_published", "33", "equal to 33 when rounded to 1", "secondary"),
    # UNODC's female count up to its total minus its male count: 2,988 to 72,693 - 69,572 = 3,121.
    ("arg-women-held-2015", "consistent", "2,988 to 3,121", "interval 2,988 to 3,121: UNODC CTS "
     "reports the same SNEEP census of 31 December 2015; its female count is the low end and its total minus its "
     "male count the high end (female plus the persons counted neither as female nor as male, among them trans "
     "women, whom SNEEP counts as women; see reports/tables/tab-11-argentina-reconciliation.md)", "primary"),
    # The reporting countries plus an estimate of the others, from the quartiles of the reporters' shares.
    ("amr-women-held-latest", "consistent", "93,230 to 98,263",
     "interval 93,230 to 98,263 (93,000 to 98,000 rounded to 1,000, as the stated value is): the latest "
     "UNODC CTS count of women held of each country of the Americas that reports one (United States left out, as "
     "in the claim), plus, for each country without a count by sex (among them Canada, Cuba, Haiti and Venezuela), "
     "its latest total persons held times a low and a high quantile of the reporting countries' women's shares "
     "(regional.missing_share_quantiles; table 7)", "primary"),
    # The direction on a fixed panel of countries (2010 and 2019), not the sizes since 2000.
    ("wld-women-held-growth-since-2000", "partly_checked", "in the stated order (gap 1.05 percentage points)",
     "the direction (women's numbers grew faster than men's) only, 1 of 2 aspects; the first value above the "
     "second", "primary"),
    # Gaps between counts of persons are whole persons.
    ("wld-men-held-growth-since-2000", "partly_checked", "in the stated order (gap 30,536)",
     "the direction (men's numbers grew) only, 1 of 2 aspects; the first value above the second",
     "primary"),
    ("lac-women-pretrial-share-above-men", "partly_checked", "in the stated order (gap 6.11 percentage points)",
     "persons held for any offence (the data do not split pre-trial detention by offence) only, 1 of 2 aspects; "
     "the first value above the second", "primary"),
    ("lac-five-countries-drug-share-women-vs-men", "partly_checked", "98.30%",
     "Brazil only, 1 of 5 countries; at least 30% when rounded to 1 percentage point", "primary"),
    ("lac-women-drug-share-range", "partly_checked", "56.89% to 60.00% (2 values)",
     "Brazil only, 1 of 20 countries; every value from 40% to 80% when rounded to 1 percentage point",
     "primary; secondary"),
    ("ury-women-held-rise-after-luc", "matches_published", "evidence: ury-041;ury-059",
     "the chapter's own rule (table 35)", "secondary"),
    ("ury-women-share-prosecuted-drugs-2010", "not_checkable", "evidence: ury-065",
     "the chapter's own rule (table 35)", "secondary"),
    # The two growth rates applied to SISDEPEN's December 2019 counts imply 91,348-91,365 monitored people in
    # 2022; the total published from the FBSP yearbook (news reports) is 91,362: an agreement with a secondary figure.
    ("bra-monitoring-growth-men", "matches_published", "evidence: bra-016",
     "the chapter's own rule (table 26)", "secondary"),
    ("arg-women-held-2022", "not_checkable", "", "no test", ""),
    ("amr-women-held-2000", "not_checkable", "", "no test", ""),
])
def test_key_claims(real, claim_id, status, computed, tolerance_or_interval, source_class):
    _, results = real
    assert results.loc[claim_id, "status"] == status
    assert results.loc[claim_id, "computed"] == computed
    assert results.loc[claim_id, "tolerance_or_interval"] == tolerance_or_interval
    assert results.loc[claim_id, "source_class"] == source_class


def test_the_real_registry_on_the_new_scale(real):
    registry, results = real
    assert len(registry) == 33
    assert results["status"].value_counts().to_dict() == {"not_checkable": 22, "partly_checked": 5,
                                                           "matches_published": 4, "consistent": 2}
    assert (results["tolerance_or_interval"] != "").all()  # the test applied is shown beside every verdict


def test_context_shows_the_nearest_computable_numbers(real):
    _, results = real
    # The count's growth, and its growth in the 9 states with a monitoring unit in both files (the others entered the
    # count after 2019-12: tab-27): 23,033 / 14,859 men and 2,938 / 1,962 women, recounted from the raw files.
    assert results.loc["bra-monitoring-growth-men", "context"] == (
        "growth 2019-12 to 2021-12, percent (SISDEPEN): 387.15; "
        "growth 2019-12 to 2021-12 in the states counted at both ends, percent (SISDEPEN): 55.01")
    assert results.loc["bra-monitoring-growth-women", "context"] == (
        "growth 2019-12 to 2021-12, percent (SISDEPEN): 335.42; "
        "growth 2019-12 to 2021-12 in the states counted at both ends, percent (SISDEPEN): 49.75")
    assert results.loc["lac-five-countries-drug-share-women-vs-men", "context"] == \
        "Brazil, women's minus men's share, percentage points: 28.25"


@needs_paper
def test_manuscript_coverage(real):
    registry, _ = real
    settings = params.read(Claims)
    found = manuscript.scan(manuscript.manuscript_path(settings.manuscript), tuple(settings.years))
    numbers = claims.coverage(registry, found)
    counted = numbers[numbers["excluded_by"] == ""]
    assert len(counted) == 58
    assert (counted["covered_by"] != "").sum() == 37
    covered = counted.set_index(["line", "printed"])["covered_by"]
    assert covered[(322, "2,996")] == "arg-women-held-2015"
    assert covered[(63, "40 to even 80 percent")] == "lac-women-drug-share-range"
    assert covered[(63, "30 percent")] == "lac-five-countries-drug-share-women-vs-men"
    assert covered[(260, "20")] == ""  # a sentence length in the Costa Rica paragraph, not the Uruguay share
    # A number a rule excludes (134 years among them) is not a figure: it has no value to format.
    excluded = numbers[numbers["excluded_by"] != ""]
    assert (excluded["excluded_by"] == "year").sum() == 134
    assert excluded["low"].isna().all() and excluded["high"].isna().all()
    assert counted["low"].notna().all()


def test_comparability_lists_every_aspect_for_every_focus_country(tmp_path):
    table = regional.comparability(["ARG", "BRA", "URY"])
    assert table.groupby("aspect")["country"].apply(list).to_dict() == {
        aspect: ["ARG", "BRA", "URY"] for aspect in
        ("count_date", "drug_offences_counted", "electronic_monitoring", "women_counted")}
    broken = tmp_path / "comparability.csv"
    pd.read_csv(paths.DATA / "regional" / "comparability.csv").iloc[1:].to_csv(broken, index=False)
    with pytest.raises(PipelineError, match="one non-empty row per aspect"):
        regional.comparability(["ARG", "BRA", "URY"], broken)


def test_definitions_one_passage_apart_are_written_as_one():
    """The Americas estimate reads two rows, the two ends of its interval, whose definitions differ by the quantile
    alone: an editor read the claims table's two long texts as one definition written twice. They are written once
    with the passage's two versions side by side; definitions that differ by more are listed one after the other."""
    low = "women held: the count, plus the others × the 0.25-quantile women's share of their subregion (tab-07)"
    high = low.replace("0.25-quantile", "0.75-quantile")
    assert claims.joined_definitions([high, low, high]) == (
        "women held: the count, plus the others × the 0.25-quantile / 0.75-quantile women's share of their subregion "
        "(tab-07)")
    assert claims.joined_definitions([low]) == low
    women = "women held unsentenced as a percentage of women held, pooled over the 30 countries (tab-05)"
    men = "men held unsentenced as a percentage of men held, pooled over the 30 countries (tab-05)"
    assert claims.joined_definitions([women, men]) == f"{men}; {women}"  # two passages apart, not one
    table = pd.read_csv(paths.TABLES / "claims.csv").set_index("claim_id")
    assert "× the 0.25-quantile / 0.75-quantile women's share" in table.at["amr-women-held-latest", "definition"]
    assert table.at["amr-women-held-latest", "definition"].count("women held in the Americas") == 1
