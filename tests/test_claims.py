"""Claims check: the number extractor, the rounding rule, loud failures, and the real registry's verdicts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline import claims, io, longtable, manuscript, params, paths, regional
from pipeline.errors import PipelineError

PAPER = paths.ROOT / "../shared/paper/justice-is-setting-them-free.txt"
needs_paper = pytest.mark.skipif(not PAPER.exists(), reason="the manuscript is not on this machine")


def _numbers(text):
    return [(n.printed, n.low, n.high, n.unit, rule) for n, rule, _ in manuscript.numbers(text)]


# --------------------------------------------------------------------------------------- Extractor ---

def test_percentages_with_sign_and_word():
    assert _numbers("37% and 38 percent, 12 per cent, 20 por ciento") == [
        ("37%", 37, 37, "percent", ""), ("38 percent", 38, 38, "percent", ""),
        ("12 per cent", 12, 12, "percent", ""), ("20 por ciento", 20, 20, "percent", "")]


def test_thousands_separators_english_and_spanish_and_decimals():
    found = _numbers("2,996 women, 4.391 mujeres, 448.3 percent, 37,5% and 1,234,567.5")
    assert [(p, v) for p, v, *_ in found] == [
        ("2,996", 2996), ("4.391", 4391), ("448.3 percent", Decimal("448.3")), ("37,5%", Decimal("37.5")),
        ("1,234,567.5", Decimal("1234567.5"))]


def test_ranges_of_percentages():
    assert _numbers("from 40 to 80 percent")[0][:4] == ("40 to 80 percent", 40, 80, "percent")
    assert _numbers("anywhere from 40 to even 80 percent")[0][:4] == ("40 to even 80 percent", 40, 80, "percent")
    assert _numbers("40–80%")[0][:3] == ("40–80%", 40, 80)
    # a falling pair with years between is two numbers, not a range
    assert [p for p, *_ in _numbers("from 30 percent in 2010 to 20 percent in 2021")] == \
        ["30 percent", "2010", "20 percent", "2021"]


def test_years_footnote_markers_and_identifiers_are_excluded():
    rules = {p: rule for p, _, _, _, rule in _numbers(
        'In 2015 there were 2,996 women.62 Then "a new approach."9 Law 2292 and COVID-19, the 43rd session, '
        "on July 6, 2022, per 77 bis. Superscripts¹² never match.")}
    assert rules == {"2015": "year", "2,996": "", "62": "footnote_marker", "9": "footnote_marker",
                     "2292": "identifier", "19": "identifier", "43": "ordinal", "6": "date", "2022": "year",
                     "77": "identifier"}
    assert manuscript.numbers("in 2015", years=(1900, 2000))[0][1] == ""  # the year range is a parameter


def test_parse_accepts_one_number_only():
    assert manuscript.parse("4,391").low == 4391
    with pytest.raises(ValueError):
        manuscript.parse("37 and 38")


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
    settings = claims.Settings(manuscript=str(paper), years=[1900, 2099])
    return claims.run(settings, registry=registry, indicators=indicators)


def test_a_reproduced_claim_that_stops_reproducing_fails_the_build(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("still-fine", "2015"), _claim("broken", "2022"))
    with pytest.raises(PipelineError) as error:
        _run(tmp_path, registry, monkeypatch)
    message = error.value.message
    assert "claims.yaml" in message and "1 claim(s) changed verdict" in message
    assert "broken: expected reproduced, now contradicted (36.40)" in message
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
    with pytest.raises(PipelineError, match=r"claims\.yaml: claim 'gone': key ARG/sneep/no_such_indicator/"
                                            r"female/2015 is not in data/processed/indicators\.csv"):
        _run(tmp_path, registry, monkeypatch)


def test_a_row_that_only_quotes_the_briefing_cannot_check_it(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("circular", "2022", key="ARG/published/women_held/female/2022"))
    with pytest.raises(PipelineError, match="only quotes the briefing itself"):
        _run(tmp_path, registry, monkeypatch)


def test_unknown_keys_and_wrong_shapes_name_the_claim(tmp_path):
    with pytest.raises(PipelineError, match=r"claim 'typo': 'expectd': extra inputs"):
        claims.load_registry(_registry(tmp_path, _claim("typo", "2015").replace("expected", "expectd")))
    with pytest.raises(PipelineError, match="growth_pct takes 2 key"):
        claims.load_registry(_registry(tmp_path, _claim("shape", "2015").replace("compute: value", "compute: growth_pct")))


def test_a_claim_whose_number_left_the_manuscript_fails(tmp_path, monkeypatch):
    registry = _registry(tmp_path, _claim("moved", "2015").replace("stated: 37 percent", "stated: 38 percent")
                         .replace("expected: reproduced", "expected: contradicted"))
    with pytest.raises(PipelineError, match="claim 'moved': no paragraph of section 'Intro' print"):
        _run(tmp_path, registry, monkeypatch)


# ------------------------------------------------------------- The real registry on the real data ---

@pytest.fixture(scope="module")
def real():
    registry = claims.load_registry()
    results = claims.evaluate(registry, longtable.read(paths.INDICATORS)).set_index("claim_id")
    return registry, results


def test_every_claim_gives_its_recorded_verdict(real):
    _, results = real
    assert (results["status"] == results["expected"]).all(), results[results["status"] != results["expected"]]


@pytest.mark.parametrize("claim_id, status, computed", [
    ("arg-trans-women-held-2015", "reproduced", "33"),
    ("arg-women-held-2015", "consistent", "2,988"),
    ("amr-women-held-latest", "consistent", "85,005 (32 countries, latest year each, 2019–2021)"),
    ("bra-drug-share-women-vs-men", "consistent", "98.30"),
    # women's 2021-12 share with Maranhão's implausible semesters excluded (Brazil per-capita rule; 55.86 before)
    ("lac-women-drug-share-range", "consistent", "56.89 to 60 (2 value(s))"),
    ("ury-women-held-rise-after-luc", "consistent", "evidence: ury-041;ury-059"),
    ("bra-monitoring-growth-men", "not_checkable", ""),
    ("arg-women-held-2022", "not_checkable", ""),
    ("wld-women-held-growth-since-2000", "not_checkable", ""),
])
def test_key_claims(real, claim_id, status, computed):
    _, results = real
    assert results.loc[claim_id, "status"] == status
    assert results.loc[claim_id, "computed"] == computed


def test_context_shows_the_nearest_computable_numbers(real):
    _, results = real
    assert results.loc["bra-monitoring-growth-men", "context"] == "growth 2019-12 to 2021-12 (SISDEPEN): 387.15"
    assert results.loc["bra-monitoring-growth-women", "context"] == "growth 2019-12 to 2021-12 (SISDEPEN): 335.42"
    assert results.loc["bra-drug-share-women-vs-men", "context"] == \
        "women's minus men's share, percentage points: 28.25"


@needs_paper
def test_manuscript_coverage(real):
    registry, _ = real
    settings = params.section("claims", claims.Settings)
    found = manuscript.scan(manuscript.manuscript_path(settings.manuscript), tuple(settings.years))
    numbers = claims.coverage(registry, found)
    counted = numbers[numbers["excluded_by"] == ""]
    assert len(counted) == 58
    assert (counted["covered_by"] != "").sum() == 37
    covered = counted.set_index(["line", "printed"])["covered_by"]
    assert covered[(322, "2,996")] == "arg-women-held-2015"
    assert covered[(63, "40 to even 80 percent")] == "lac-women-drug-share-range"
    assert covered[(63, "30 percent")] == "bra-drug-share-women-vs-men;lac-five-countries-drug-share-women-vs-men"
    assert covered[(260, "20")] == ""  # a sentence length in the Costa Rica paragraph, not the Uruguay share


def test_comparability_lists_every_aspect_for_every_focus_country(tmp_path):
    table = regional.comparability(["ARG", "BRA", "URY"])
    assert table.groupby("aspect")["country"].apply(list).to_dict() == {
        aspect: ["ARG", "BRA", "URY"] for aspect in
        ("count_date", "drug_offences_counted", "electronic_monitoring", "women_counted")}
    broken = tmp_path / "comparability.csv"
    pd.read_csv(paths.DATA / "regional" / "comparability.csv").iloc[1:].to_csv(broken, index=False)
    with pytest.raises(PipelineError, match="one non-empty row per aspect"):
        regional.comparability(["ARG", "BRA", "URY"], broken)
