"""The briefing's monitoring-growth claim (pipeline/chapters/brazil/claim.py): the total the claimed percentages
imply, its interval from their printed precision, and the published total it is tested against."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.chapters.brazil import claim
from pipeline.errors import PipelineError



# ---- the monitoring-growth claim ---------------------------------------------------------------------------
def _totals(*values):
    return pd.DataFrame({"figure_id": [f"bra-{i:03d}" for i in range(1, len(values) + 1)], "period": "2022",
                         "value": [float(v) for v in values]})


def test_claim_table_implies_the_end_total_and_its_interval_from_the_printed_precision():
    monitored = pd.DataFrame({"period": ["2019-06", "2019-12"], "male": [1000.0, 2000.0], "female": [100.0, 200.0]})
    table = claim.claim_table(monitored, {"male": 100.0, "female": 50.5}, ["2019-06", "2019-12"],
                                     _totals(4302, 5000))
    december = table[(table["base_period"] == "2019-12") & (table["published_figure_id"] == "bra-001")].iloc[0]
    # 2000 x 2 = 4000 men; 200 x 1.505 = 301 women; percentages printed to 0.1 (100.0 +- 0.05, 50.5 +- 0.05)
    assert december[["male_implied", "female_implied", "total_implied", "total_implied_low",
                     "total_implied_high", "published_minus_implied"]].tolist() == [4000, 301, 4301, 4299, 4303, 1]
    assert december["published_within_interval"]
    assert not table[table["published_total"] == 5000]["published_within_interval"].any()
    assert not table[table["base_period"] == "2019-06"]["published_within_interval"].any()
    rows = claim.long_rows(table, {"male": 100.0, "female": 50.5}, "2022")
    assert len(rows) == 2 * 5 and set(rows["indicator"]) == {claim.IMPLIED, f"{claim.IMPLIED}_low",
                                                            f"{claim.IMPLIED}_high"}


def test_claim_end_period_without_a_published_total_names_the_key_and_the_choices():
    figures = _totals(91362).assign(country="BRA", indicator=claim.PUBLISHED_INDICATOR, sex="total",
                                    flags="", conflicts_with="")
    with pytest.raises(PipelineError) as error:
        claim.published_totals(figures, "2023")
    assert "'brazil.claimed_end_period' is '2023'" in error.value.message and "2022" in error.value.fix


def test_the_verdict_carries_a_caveat_only_when_the_count_covers_other_states_at_its_two_ends():
    monitored = pd.DataFrame({"period": ["2019-12"], "male": [2000.0], "female": [200.0]})
    table = claim.claim_table(monitored, {"male": 100.0, "female": 50.5}, ["2019-12"], _totals(4302))
    growth = pd.DataFrame({"period": ["2019-12", "2021-12"], "male_growth_pct": [0.0, 100.0],
                           "female_growth_pct": [0.0, 50.5]})
    same = pd.DataFrame({"period": ["2019-12", "2021-12"], "states_in_both": [2, 2],
                         "male_growth_same_states_pct": [0.0, 10.0], "female_growth_same_states_pct": [0.0, 5.0]})

    def coverage(first, last):
        return pd.DataFrame({"period": ["2019-12", "2021-12"], "states_reporting": [first, last],
                             "states_with_monitoring": [first, last]})

    note = claim.coverage_of_growth(coverage(2, 27), same, growth)
    assert note.startswith("SISDEPEN's count of people monitored comes from the 2 of the 27 states")
    verdict = claim.chapter_claims(table, {"male": 100.0, "female": 50.5}, "2022", note).iloc[0]
    assert verdict[["status", "caveat"]].tolist() == ["supported", claim.DIFFERENT_SCOPE]
    assert verdict["reason"].endswith(note) and claim.DIFFERENT_SCOPE == "compares counts of different scope"
    # The same states at both ends: no note, no caveat.
    assert claim.coverage_of_growth(coverage(2, 2), same, growth) == ""
    plain = claim.chapter_claims(table, {"male": 100.0, "female": 50.5}, "2022", "").iloc[0]
    assert plain["caveat"] == "" and list(plain.index) == claim.CHAPTER_CLAIM_COLUMNS


def test_the_verdict_reads_in_every_language_whatever_the_bases_and_totals():
    """A researcher who tests the claim from one base only (`claimed_base_periods`), or whose published totals lie
    outside every interval, gets a reason the pages translate: it once had a row only for the default two bases, and
    the report stage stopped at "no translation" (found by changing params.yaml in a built copy)."""
    from pipeline import i18n  # only this test reads the translations

    monitored = pd.DataFrame({"period": ["2019-12"], "male": [2000.0], "female": [200.0]})
    for total, status in ((4302, "supported"), (9000, "contradicted")):
        table = claim.claim_table(monitored, {"male": 100.0, "female": 50.5}, ["2019-12"], _totals(total))
        verdict = claim.chapter_claims(table, {"male": 100.0, "female": 50.5}, "2021", "").iloc[0]
        assert verdict["status"] == status
        for language in ("es", "pt"):
            tr = i18n.Translator(language)
            for text in verdict[["claim", "reason"]]:
                assert tr.english(text) != text
    assert i18n.Translator("es").english(verdict["reason"]) == (
        "ningún total publicado está dentro del intervalo que implican los porcentajes desde alguna base: desde "
        "2019-12 (2.000 hombres, 200 mujeres en SISDEPEN) los porcentajes enunciados implican 4.299–4.303 personas en "
        "2021; el 9.000 de bra-001 está fuera; los totales publicados de 2021 nombran un año, no su semestre (las "
        "cifras anuales del anuario del FBSP corresponden al ciclo de junio: tabla 3)")
    # An end given as a semester needs no such remark (a reviewer asked which semester a yearbook's year is).
    semester = claim.chapter_claims(table, {"male": 100.0, "female": 50.5}, "2021-12", "").iloc[0]
    assert "name a year" in verdict["reason"] and "name a year" not in semester["reason"]
