"""Uruguay chapter: exact numbers from the real sources, claims judged from data, and the template driving
the outputs (one more observatory row changes the tables and long rows, with no code change)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from pipeline import i18n, longtable, params
from pipeline.chapters.uruguay import build as uruguay
from pipeline.chapters.uruguay.periods import period_position
from pipeline.errors import PipelineError
from pipeline.sources import oud, published, unodc_drug_crimes, unodc_prisons
from pipeline.settings import Uruguay


@pytest.fixture(scope="module")
def sources(raw_source):
    prisons = unodc_prisons.load(raw_source(unodc_prisons.SOURCE))[2]
    tidy, quality, _ = unodc_drug_crimes.load(raw_source(unodc_drug_crimes.SOURCE))
    return prisons, tidy, quality


@pytest.fixture(scope="module")
def settings():
    return params.read(Uruguay)


def _inputs(sources, template=oud.TEMPLATE):
    prisons, tidy, quality = sources
    return uruguay.uruguay_only(prisons, tidy, quality, oud.load(template), published.load())


def _template_with(tmp_path, *lines):
    """A temporary copy of the shipped template with rows appended."""
    path = tmp_path / "oud_indicators.csv"
    shutil.copy(oud.TEMPLATE, path)
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    return path


@pytest.fixture(scope="module")
def tables(sources, settings):
    return uruguay.build(_inputs(sources), settings)


def test_prison_series_combines_unodc_and_published_points(tables):
    series = tables["prison_series"].set_index(["sex", "period", "reference"])["persons"]
    assert series[("female", "2003", "unodc_prisons")] == 280
    assert series[("female", "2019", "unodc_prisons")] == 631
    assert series[("female", "2020", "unodc_prisons")] == 805
    assert series[("male", "2020", "unodc_prisons")] == 12234
    assert series[("female", "2020-01", "ury-001")] == 635
    assert series[("female", "2025-08", "ury-002")] == 1422
    assert ("female", "2002", "ury-047") not in series.index  # before first_year
    # 14,968 is the end of 2023 for Grupo R (ury-028) and 2023's annual average for La Mañana (ury-039), from the same
    # report: flagged as ambiguous where the series shows it (an independent recount found it unflagged).
    flags = tables["prison_series"].set_index("reference")["flags"]
    assert flags["ury-028"] == "ambiguous"


def test_the_prison_series_says_which_published_counts_it_leaves_out(sources, tables, settings):
    """Three published counts are of adults only (12,438 in the first half of 2020, 13,443 in April 2021, 1,166 adult
    women in 2023): not the people held of all ages that tab-30 and fig-30 show. They stay out, and the definitions
    tab-30 and fig-30 state name them."""
    assert not tables["prison_series"]["reference"].isin(["ury-017", "ury-090", "ury-091"]).any()
    definitions = uruguay.values(settings, tables, _inputs(sources).registry)["definitions"]
    assert definitions["prison"]["prison_series_scope"] == ("people held of all ages; published counts of adults "
                                                            "only (ury-017;ury-090;ury-091) are left out")


def test_each_output_states_the_definitions_that_made_it(sources, tables, settings):
    """The prison series states its years and scope, not the claims' thresholds; the stages figure the LUC month it
    marks; the claims table the claims' windows and thresholds. Every parameter is stated by some output."""
    definitions = uruguay.values(settings, tables, _inputs(sources).registry)["definitions"]
    assert sorted(definitions["prison"]) == ["first_year", "luc_month", "prison_series_scope"]
    assert definitions["stages"] == {"luc_month": "2020-07"}
    assert definitions["claims"] == {"detention_claim_years": [2012, 2018], "luc_claim_years": [2020, 2021],
                                     "sharp_rise_min_pct": 20.0, "sharp_rise_min_ratio": 2.0,
                                     "share_tolerance_pp": 1.0}
    assert set().union(*definitions.values()) - {"prison_series_scope"} == set(type(settings).model_fields)


def test_the_caption_gives_the_years_unodc_counts_each_sex(sources, tables, settings):
    """fig-30 breaks its lines where UNODC has no count: women 2005-2009 (read from the raw UNODC file: 2003 and 2004,
    then 2010 on), men before 2010. The caption says which years it has, in every language."""
    assert uruguay.unodc_years(tables["prison_series"]) == {"female": "2003–2004, 2010–2020", "male": "2010–2020"}
    text = uruguay.values(settings, tables, _inputs(sources).registry)["text"]
    assert (text["unodc_women_years"], text["unodc_men_years"]) == ("2003–2004, 2010–2020", "2010–2020")
    assert text["luc_month_name"] == "July 2020"  # as the legend says it (params.yaml: 2020-07)
    one_year = tables["prison_series"].query("not (sex == 'male' and period != '2015')")
    assert uruguay.unodc_years(one_year)["male"] == "2015"
    with pytest.raises(PipelineError, match="UNODC has no count of men held in Uruguay"):
        uruguay.unodc_years(tables["prison_series"].query("sex != 'male'"))


def test_formal_contact_shares(tables):
    stages = tables["drug_share_by_stage"]
    contact = stages[stages["stage"] == "formal contact (police)"].set_index(["period", "offence_scope"])
    assert contact.at[("2018", "trafficking"), "women_share_pct"] == pytest.approx(100 * 636 / 2940)
    assert contact.at[("2021", "trafficking"), "women_share_pct"] == pytest.approx(100 * 1073 / 4673)
    assert contact.at[("2020", "all types reported"), "persons"] == 90 + 18 + 195 + 27 + 619 + 198


def test_reconciliation_with_unodc(tables):
    rec = tables["reconciliation"].set_index("figure_id")
    assert rec.at["ury-054", "unodc"] == pytest.approx(100 * (655 / 280 - 1), abs=0.01)
    assert rec.at["ury-054", "verdict"] == "differs"
    assert rec.at["ury-022", "verdict"] == "same at printed precision"  # 631 / 11,525 = 5.48% printed as 5%
    # The compared number is shown (an editor read the published 5, shown as 5.0 beside 5.48, as a contradiction):
    # UNODC rounded to the published figure's decimals (ury-054: +100% printed, 133.93% from UNODC).
    assert rec["unodc_at_published_precision"].to_dict() == {"ury-022": 5, "ury-029": 13.1, "ury-054": 134,
                                                             "ury-055": -2}
    # Counts in the basis are grouped as in the chapter's other tables (an author's review found "11525").
    assert rec.at["ury-022", "unodc_basis"] == "2019: 631 / 2019: 11,525"
    # Serpaj's +39% for men, 2003-2013: UNODC has no count of men for 2003, so its men are its total less its women
    # (9,207 - 280), said in the basis. Found by an independent recount from the raw file.
    assert rec.loc["ury-055", ["unodc", "unodc_basis", "verdict"]].tolist() == [
        -1.5, "2003: 8,927 (total - female) -> 2013: 8,793", "differs"]


def test_a_change_over_several_unodc_years_names_the_series_largest_step(tables):
    """Serpaj's changes from 2003 rest on UNODC's 2003 counts; UNODC's own total falls by a third from 2004 to 2005
    (9,144 to 6,211; an independent recount from the raw file found it), more than the whole change it is compared
    with, and tab-34 says so beside the verdict. A change of one step (2019 to 2020) and a share have no note."""
    notes = tables["reconciliation"].set_index("figure_id")["note"]
    step = ("UNODC's total persons held, largest change between consecutive reported years within 2003–2013: "
            "2004: 9,144 -> 2005: 6,211 (-32.1%)")
    assert notes.to_dict() == {"ury-022": "", "ury-029": "", "ury-054": step, "ury-055": step}
    for language, words in (("es", "mayor cambio entre años informados consecutivos en 2003–2013: 2004: 9.144 -> "
                                   "2005: 6.211 (-32,1%)"),
                            ("pt", "maior variação entre anos informados consecutivos em 2003–2013: 2004: 9.144 -> "
                                   "2005: 6.211 (-32,1%)")):
        assert words in i18n.Translator(language).english(step)


def test_the_largest_step_uses_female_plus_male_where_the_total_is_missing():
    counts = pd.DataFrame({"female": [10.0, 20.0, 30.0], "male": [90.0, 80.0, 170.0], "total": [100.0, None, None]},
                          index=["2018", "2019", "2020"])
    figure = SimpleNamespace(indicator="change_in_persons_held", period="2018/2020")
    assert uruguay._largest_step_note(figure, counts).endswith("2019: 100 -> 2020: 200 (+100.0%)")
    assert uruguay._largest_step_note(SimpleNamespace(indicator="change_in_persons_held", period="2019/2020"),
                                      counts) == ""


def test_later_stage_exceeding_formal_contact_is_flagged(tables):
    quality = tables["data_quality"]
    finding = quality[quality["check"] == "later_stage_exceeds_formal_contact"]
    assert finding["detail"].str.startswith("ury-051: 518 (female, ").all() and len(finding) == 1
    # Whose count `formal_contact` holds: the women's 243 here, all people's 1,156 in the same year's other rows.
    assert finding[["sex", "formal_contact"]].values.tolist() == [["female", 243.0]]
    others = quality[quality["check"] != "later_stage_exceeds_formal_contact"]
    assert set(others["sex"]) == {"total"} and list(quality.columns[3:6]) == ["offence_type", "sex", "check"]


def test_claims_on_the_shipped_data(tables):
    status = dict(zip(tables["claims"]["claim_id"], tables["claims"]["status"]))
    assert status == {"1_prosecution_share": "not checkable", "2_detentions_decline": "not checkable",
                      "3_rise_after_luc": "supported"}
    reason = tables["claims"].set_index("claim_id").at["1_prosecution_share", "reason"]
    assert "ury-065 (2015-01/2015-11: 24.5%, between the two)" in reason
    # A quoted figure's flags in words, which the other languages translate (not the registry's codes).
    reason = tables["claims"].set_index("claim_id").at["3_rise_after_luc", "reason"]
    assert ("ury-059 2020/2021: women +28% vs total +10.3% in ury-030 (2.7 times) [approximate; second-hand]; "
            "UNODC") in reason
    assert "counts as sharp, judged on ury-041 (a figure whose flags" in reason  # ury-059 is approximate
    spanish = i18n.Translator("es").english(reason)
    assert "[aproximada; de segunda mano]" in spanish and "approximate" not in spanish


def test_one_more_template_row_changes_table_and_long_rows(sources, settings, tmp_path):
    before_inputs = _inputs(sources)
    before = uruguay.build(before_inputs, settings)
    path = _template_with(tmp_path, "2015,women_share_of_persons_prosecuted_drug_offences,female,26,percent,"
                                    "OUD report,table 5,,typed in a test")
    after_inputs = _inputs(sources, path)
    after = uruguay.build(after_inputs, settings)
    new = after["drug_share_by_stage"].merge(before["drug_share_by_stage"], how="left", indicator=True)
    new = new[new["_merge"] == "left_only"]
    assert len(new) == 1 and new.iloc[0]["period"] == "2015" and new.iloc[0]["women_share_pct"] == 26
    long_before = uruguay.long_rows(before, before_inputs)
    long_after = uruguay.long_rows(after, after_inputs)
    longtable.validate(long_after, "uruguay")
    assert len(long_after) == len(long_before) + 1
    added = long_after[(long_after["source"] == "oud") & (long_after["period"] == "2015")]
    assert added["value"].tolist() == [26.0]


def test_counts_in_the_template_give_a_share(sources, settings, tmp_path):
    path = _template_with(tmp_path,
                          "2016,persons_prosecuted_drug_offences,total,1200,persons,OUD report,table 5,,",
                          "2016,persons_prosecuted_drug_offences,female,300,persons,OUD report,table 5,,")
    stages = uruguay.build(_inputs(sources, path), settings)["drug_share_by_stage"]
    row = stages[(stages["stage"] == "prosecution") & (stages["period"] == "2016")]
    assert row["women_share_pct"].tolist() == [25.0]


@pytest.mark.parametrize("share_2021, expected", [(20, "supported"), (20.8, "supported"), (25, "contradicted")])
def test_report_figures_decide_the_prosecution_claim(sources, settings, tmp_path, share_2021, expected):
    path = _template_with(
        tmp_path,
        "2010,women_share_of_persons_prosecuted_drug_offences,female,30,percent,OUD report,p. 32,,",
        f"2021,women_share_of_persons_prosecuted_drug_offences,female,{share_2021},percent,OUD report,p. 32,,")
    inputs = _inputs(sources, path)
    tables = uruguay.build(inputs, settings)
    assert tables["claims"].set_index("claim_id").at["1_prosecution_share", "status"] == expected
    assert tables["claims"].set_index("claim_id").at["1_prosecution_share", "reason"].endswith(
        "% claimed (tolerance 1 percentage point)")
    for language in ("es", "pt"):  # the report's own figures, added by a user, read in every language
        for text in tables["claims"][["claim", "reason", "evidence"]].to_numpy().ravel():
            if text and not i18n.is_code(text):  # a list of ids (the evidence) is kept as written
                assert i18n.Translator(language).english(text) != text
    # The long table keeps the figure read in the report, not the briefing's quotation of it.
    rows = uruguay.long_rows(tables, inputs)
    longtable.validate(rows, "uruguay")
    assert rows[(rows["source"] == "oud") & (rows["period"] == "2021")]["value"].tolist() == [share_2021]


def test_claim_without_its_quoted_figures_cannot_be_tested(sources, settings, tmp_path):
    path = tmp_path / "oud_indicators.csv"
    path.write_text(oud.TEMPLATE.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    claims = uruguay.build(_inputs(sources, path), settings)["claims"].set_index("claim_id")
    assert claims.at["1_prosecution_share", "status"] == "not checkable"


@pytest.mark.parametrize("values, expected", [
    ([900, 850, 800, 760, 700, 650, 600], "supported"),
    ([900, 850, 870, 760, 700, 650, 600], "contradicted"),
    ([900, 600], "not checkable"),
])
def test_detention_series_decides_the_decline_claim(sources, settings, tmp_path, values, expected):
    years = [2012, 2018] if len(values) == 2 else range(2012, 2019)
    lines = [f"{y},persons_detained_drug_offences,total,{v},persons,OUD report,table 2,," for y, v in zip(years, values)]
    claims = uruguay.build(_inputs(sources, _template_with(tmp_path, *lines)), settings)["claims"]
    assert claims.set_index("claim_id").at["2_detentions_decline", "status"] == expected


def test_period_position():
    assert period_position("2020") == 2020.5
    assert period_position("2020-07") == pytest.approx(2020 + 6.5 / 12)
    assert period_position("2019/2021") == 2020.5


def test_the_numbers_the_text_cites_are_one_row_each_with_their_unit(tables):
    """The notebook's closing table (was a JSON dump): each number with what it is of, its value and unit, so counts
    read as counts (1,422) and shares with their decimal."""
    numbers = uruguay.headline_numbers(tables)
    assert list(numbers.columns) == ["number", "of", "value", "unit"]
    by_number = numbers.set_index(["number", "of"])["value"]
    assert by_number[("women held (UNODC CTS)", "2003")] == 280
    assert by_number[("women held (UNODC CTS)", "2020")] == 805
    assert by_number[("women held (published)", "2025-08 (ury-002)")] == 1422
    assert by_number[("women's share of formal contacts for trafficking", "2018")] == 21.6
    assert numbers["unit"].value_counts().to_dict() == {"persons": 16, "percent": 3, "pairs": 1, "findings": 1}


def test_the_claims_read_in_every_language_whatever_the_definitions(sources, settings):
    """A researcher who disputes a definition of the claims (the LUC month, the claims' windows, what counts as
    sharp) gets claims and reasons that read in Spanish and Portuguese: their texts once had rows only for the
    defaults, and the report stage stopped at "no translation" (found by changing params.yaml in a built copy)."""
    other = settings.model_copy(update={"luc_month": "2020-08", "detention_claim_years": [2013, 2018],
                                        "luc_claim_years": [2019, 2020], "sharp_rise_min_pct": 25.0,
                                        "sharp_rise_min_ratio": 1.5})
    found = uruguay.build(_inputs(sources), other)["claims"].set_index("claim_id")
    assert found.loc["3_rise_after_luc", "claim"].endswith("from 2019 to 2020, after the urgent-consideration law "
                                                           "(LUC, 2020-08)")
    for language in ("es", "pt"):
        tr = i18n.Translator(language)
        for text in [*found["claim"], *found["reason"]]:
            assert tr.english(text) != text
    spanish = i18n.Translator("es").english(found.loc["2_detentions_decline", "reason"])
    assert spanish.startswith("aquí no hay ninguna serie de detenciones relacionadas con drogas para 2013-2018")
    assert "ury-069 persons_convicted_drug_sale_offences 2018 = 593 personas" in spanish
    assert "ury-079 drug_sale_points_dismantled 2018 = 330 puntos de venta" in spanish
    # No published change lies inside 2019-2020: the claim cannot be tested, and the reason says how far UNODC's
    # counts of women run (2020), not the window's first year (it once said "end in 2019" here).
    assert found.loc["3_rise_after_luc", "status"] == "not checkable"
    assert found.loc["3_rise_after_luc", "reason"].startswith(
        "no exact published change for 2019-2020; UNODC's counts of women run to 2020. Evidence: UNODC women held "
        "2018: 482 -> 2020: 805 (+67.0%, partly before the law).")  # the window's span, the law in its last year



def test_the_alt_texts_of_fig_30_and_fig_31_say_the_figures_data():
    """fig-30's and fig-31's alt texts were typed ("to over 1,400 in 2025", "between 12% and 27% (2018-2022)"), so a
    new count would have left them stale: they are written from the chapter's tables, as the Brazil figures' are. A
    reader of the screen's text hears the ends of each series and every share drawn."""
    from pipeline import paths
    from pipeline.chapters import interim

    series, stages = interim.read("uruguay", "prison_series"), interim.read("uruguay", "drug_share_by_stage")
    assert uruguay.series_ends(series) == {
        "women_first": "280", "women_first_period": "2003", "women_last": "1,422", "women_last_period": "2025-08",
        "men_first": "8,012", "men_first_period": "2010", "men_last": "14,732", "men_last_period": "2024-12"}
    assert uruguay.stage_points(stages) == {
        "police_share_low": "12.2", "police_share_high": "27.1", "police_years": "2018–2022",
        "prosecution_points": "30.0% (2010), 24.5% (2015-01/2015-11), 20.0% (2021)"}
    women = series[series["sex"] == "female"]
    assert (women["persons"].iloc[0], women["persons"].iloc[-1]) == (280, 1422)  # the drawn order is the table's
    written = (paths.FIGURES / "fig-30-uruguay-prison-by-sex.txt").read_text(encoding="utf-8")
    assert "women from 280 (2003) to 1,422 (2025-08), men from 8,012 (2010) to 14,732 (2024-12)" in written
    spanish = (paths.FIGURES / "es" / "fig-31-uruguay-women-share-by-stage.txt").read_text(encoding="utf-8")
    assert "entre el 12,2% y el 27,1% (2018–2022); procesamiento 30,0% (2010), 24,5% (2015-01/2015-11)" in spanish
