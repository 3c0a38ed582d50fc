"""The executed profiles as committed (reports/profiles/): Argentina's numbers on its pages in every language, written
the language's way, with its figures and their data; El Salvador's juvenile-only finding on its page; the short
profile of a country with totals only; the index; the "how to cite" line. The pages are what `dvc repro` built
(a test elsewhere fails when the committed outputs are stale)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest
from expected_notes import BRAZIL_COUNT_NOTE

from pipeline import citation, i18n, paths
from pipeline.profiles import build, charts, pages
from pipeline.sources import unodc_plausibility

LANGUAGES = ("en", "es", "pt")


def page_text(country: str, language: str) -> str:
    """A profile page's visible text (no style, no SVG, no tags)."""
    page = paths.profile(country, language, ".html").read_text(encoding="utf-8")
    page = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("language, title, women, share, denominator, rate, unsentenced, trend", [
    ("en", "Women in prison: Argentina", "4,013", "3.9%", "of 102,150", "17.6", "52.7% / 43.3%", "+43.1%"),
    ("es", "Mujeres en prisión: Argentina", "4.013", "3,9%", "de 102.150", "17,6", "52,7% / 43,3%", "+43,1%"),
    ("pt", "Mulheres na prisão: Argentina", "4.013", "3,9%", "de 102.150", "17,6", "52,7% / 43,3%", "+43,1%"),
])
def test_argentina_page_gives_the_long_tables_numbers_in_its_language(language, title, women, share, denominator,
                                                                      rate, unsentenced, trend):
    shown = page_text("ARG", language)
    tr = i18n.Translator(language)
    assert shown.startswith(title)
    for label, value in ((tr("profile.women_held"), women), (tr("profile.women_share"), share),
                         (tr("profile.women_rate"), rate)):
        assert f"{label} {value} 2021" in shown, (label, value)
    assert f"{share} 2021 {denominator}" in shown
    assert f"{unsentenced} 2021" in shown
    assert f"{trend} 2007–2021" in shown  # from 2007: 2005 and 2006 fall far short of their totals
    assert "ARG/unodc_prisons/persons_held/female/2021" in shown  # every number names its long-table key
    # The text is the language's own: the other languages' headings are absent.
    for other in LANGUAGES:
        assert (i18n.Translator(other)("profile.headline") in shown) == (other == language)
    assert citation.line(tr, (build.SOURCE,)) in shown


def test_argentina_page_links_its_chapter_figures_and_other_languages():
    page = paths.profile("ARG", "es", ".html").read_text(encoding="utf-8")
    for target in ("../notebooks/argentina_sneep.html", "../briefing-es.html", "ARG.html", "ARG-pt.html",
                   "index-es.html", "ARG-es.ipynb", "figures/es/ARG-women.svg", "figures/es/ARG-unsentenced.csv"):
        assert f'href="{target}"' in page, target
    assert page.count('src="data:image/svg+xml;base64,') == 2  # both figures, inline
    title = i18n.Translator("es")("profile.figure.women.title", country="Argentina")
    assert f'<img alt="{title}. ' in page and "No description has been provided" not in page
    assert 'href="../notebooks/' not in paths.profile("SLV", "es", ".html").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_argentina_figures_are_saved_with_exactly_the_points_drawn(language):
    profile = build.read("ARG")
    for figure in charts.FIGURES:
        svg = paths.profile_figure("ARG", figure, language, ".svg")
        data = pd.read_csv(paths.profile_figure("ARG", figure, language, ".csv"))
        assert svg.read_text(encoding="utf-8").startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg.read_text(encoding="utf-8")
        pd.testing.assert_frame_equal(data, charts.drawn_data(profile, figure), check_dtype=False)
    women = pd.read_csv(paths.profile_figure("ARG", "women", language, ".csv")).set_index("year")
    assert (women.loc[2005, "women_held"], women.loc[2021, "women_held"]) == (2172.0, 4013.0)
    title = i18n.Translator(language)("profile.figure.women.title", country=i18n.country_name("ARG", language))
    assert html.escape(title, quote=False) in paths.profile_figure("ARG", "women", language, ".svg").read_text(
        encoding="utf-8")
    # The executed notebook shows each figure as the SVG file holds it, with its alt text as the text fallback.
    outputs = [output for cell in json.loads(paths.profile("ARG", language, ".ipynb").read_text(encoding="utf-8"))[
        "cells"] for output in cell.get("outputs", []) if "image/svg+xml" in output.get("data", {})]
    assert [output["metadata"]["profile_figure"] for output in outputs] == list(charts.FIGURES)
    for output in outputs:
        svg = paths.profile_figure("ARG", output["metadata"]["profile_figure"], language, ".svg")
        assert "".join(output["data"]["image/svg+xml"]) == svg.read_text(encoding="utf-8")
        assert "".join(output["data"]["text/plain"]) == output["metadata"]["alt"]
    assert outputs[0]["metadata"]["alt"].startswith(f"{title}. ")


def test_el_salvador_page_shows_the_juvenile_only_finding_and_the_2019_headline():
    shown = page_text("SLV", "es")
    rule = i18n.Translator("es").english(unodc_plausibility.JUVENILES_ONLY)
    assert shown.count(rule) == 4  # 2020 and 2021, women and men
    assert "Mujeres privadas de libertad (número) 3.012 2019" in shown
    assert "El Salvador" in shown


@pytest.mark.parametrize("language, expected", [
    ("en", ("Persons held, Male, Counts: 15,281 + 413", "summed (equal to that year's Adult + Juveniles rows)")),
    ("es", ("Personas privadas de libertad, hombres, recuentos: 15.281 + 413",
            "sumado (igual a las filas Adult + Juveniles de ese año)")),
    ("pt", ("Pessoas presas, homens, contagens: 15.281 + 413", None)),
])
def test_a_finding_s_evidence_and_treatment_are_shown_in_the_profile_s_language(language, expected):
    """Panama 2017: two Age=Total rows, the adult and juvenile parts; the evidence and treatment as the briefing's
    data-quality table gives them in that language, numbers included (no English left on an es/pt page)."""
    shown = page_text("PAN", language)
    evidence, treatment = expected
    tr = i18n.Translator(language)
    assert evidence in shown
    assert (treatment or tr.english("summed (equal to that year's Adult + Juveniles rows)")) in shown
    if language != "en":
        assert "Persons held, " not in shown and "summed (" not in shown


@pytest.mark.parametrize("country, language, expected", [
    ("ARG", "en", "women_share_of_persons_held : female persons held as a percentage of all persons held (102,150) "
                  "(UNODC CTS 'Persons held', Age=Total, same year)."),
    ("ARG", "es", "women_share_of_persons_held : mujeres privadas de libertad como porcentaje de todas las personas "
                  "privadas de libertad (102.150) (UNODC CTS 'Persons held', Age=Total, mismo año)."),
    ("NIC", "pt", "women_share_of_persons_held : mulheres presas como porcentagem de mulheres + homens presos (17.906; "
                  "sem um total utilizável naquele ano) (UNODC CTS 'Persons held', Age=Total, mesmo ano)."),
])
def test_the_long_tables_definitions_are_shown_in_the_profile_s_language(country, language, expected):
    """The definitions of the series a profile shows, as the briefing's tables give them in that language (the same
    rows of the translation table), the stated denominator written the language's way; no English one is left."""
    shown = page_text(country, language)
    assert expected in shown
    if language != "en":
        assert "Values that fail a plausibility rule" not in shown and "persons held in prisons" not in shown


@pytest.mark.parametrize("language, expected", [
    ("en", f"The briefing's table 1 notes of the 2020 count of women held: {BRAZIL_COUNT_NOTE['en']}."),
    ("es", "La tabla 1 del informe incluye esta nota sobre el recuento de mujeres privadas de libertad de 2020: "
           f"{BRAZIL_COUNT_NOTE['es']}."),
    ("pt", f"A tabela 1 do informe anota sobre a contagem de mulheres de 2020: {BRAZIL_COUNT_NOTE['pt']}."),
])
def test_brazil_page_says_what_its_count_of_women_holds_as_the_briefing_does(language, expected):
    """UNODC's 41,580 women held in Brazil in 2020 include those under electronic monitoring and in home detention (the
    regional chapter's reconciliation with SISDEPEN's December 2020: 28,688 in cells, 8,130 monitored, 4,566 at home).
    The profile repeats tab-01's note in its language, with a link to that table of the briefing in the same language;
    a country without a note has none."""
    shown = page_text("BRA", language)
    see_note = i18n.Translator(language)("profile.see_note")
    thousands = "." if language != "en" else ","
    assert f"41{thousands}580 2020 {see_note}" in shown  # the count's row, and the change to it, point to the note
    assert f"41{thousands}580; {see_note}" in shown
    assert shown.count(see_note) == 4  # the count, its share and rate (2020), and the change to it
    assert see_note not in page_text("ARG", language)
    assert expected in shown
    page = paths.profile("BRA", language, ".html").read_text(encoding="utf-8")
    briefing = paths.briefing(language).name
    assert f'href="../{briefing}#tab-01-women-held-latest"' in page
    assert "tab-01-women-held-latest" not in paths.profile("ARG", language, ".html").read_text(encoding="utf-8")


@pytest.mark.parametrize("language, expected", [
    ("en", "The UNODC file gives Cuba no count of persons held by sex: only the total, 57,337 persons held in 2012."),
    ("es", "El archivo de la UNODC no da para Cuba ningún recuento de personas privadas de libertad por sexo: solo el "
           "total, 57.337 personas en 2012."),
    ("pt", "O arquivo do UNODC não traz para Cuba nenhuma contagem de pessoas presas por sexo: apenas o total, "
           "57.337 pessoas em 2012."),
])
def test_a_country_with_totals_only_gets_the_short_profile_saying_what_is_missing(language, expected):
    shown = page_text("CUB", language)
    tr = i18n.Translator(language)
    assert expected in shown and tr("profile.missing.what") in shown
    assert tr("profile.figures") not in shown and "data:image/svg" not in paths.profile("CUB", language, ".html").read_text(
        encoding="utf-8")
    assert not list((paths.PROFILES / "figures").rglob("CUB-*"))


def test_every_profile_in_every_language_is_there_and_listed_in_the_index():
    summary = build.read_summary()
    for language in LANGUAGES:
        index = paths.profiles_index(language).read_text(encoding="utf-8")
        for country in summary["country"]:
            assert paths.profile(country, language, ".ipynb").is_file()
            assert f'href="{paths.profile(country, language, ".html").name}"' in index
        assert index.count("<tr>") == len(summary) + 1
        assert "<script>" in index and "http" not in index.split("<script>")[1]  # sorting inline, no CDN
    row = re.search(r"<tr><td data-sort=\"Argentina\">.*?</tr>", paths.profiles_index("es").read_text(
        encoding="utf-8")).group(0)
    assert '<td class="number" data-sort="4013.0">4.013</td>' in row
    assert '<td class="number" data-sort="2021.0">2021</td>' in row


@pytest.mark.parametrize("language, held, note", [
    ("en", "41,580", f"* Brazil: {BRAZIL_COUNT_NOTE['en']}"),
    ("pt", "41.580", f"* Brasil: {BRAZIL_COUNT_NOTE['pt']}"),
])
def test_the_index_marks_a_noted_count_and_gives_the_note_below(language, held, note):
    index = paths.profiles_index(language).read_text(encoding="utf-8")
    assert f'<td class="number" data-sort="41580.0">{held}*</td>' in index  # still sorts by its value
    assert f'<p class="muted">{note}</p>' in index
    assert index.count("*</td>") == 1


def test_index_cell_is_written_the_languages_way_and_sorts_by_its_value():
    tr = i18n.Translator("pt")
    assert pages._cell(4013.0, tr, 0) == {"text": "4.013", "sort": "4013.0"}
    assert pages._cell(84.76, tr, 1, "%", signed=True) == {"text": "+84,8%", "sort": "84.76"}
    assert pages._cell(pd.NA, tr, 0) == {"text": "—", "sort": ""}
    assert pages._cell(2019, tr, None) == {"text": "2019", "sort": "2019.0"}


def test_country_names_come_from_cldr_or_the_translation_table():
    assert (i18n.country_name("BRA", "en"), i18n.country_name("BRA", "es"), i18n.country_name("DEU", "pt")) == (
        "Brazil", "Brasil", "Alemanha")
    assert i18n.country_name("GBR_S", "es") == "Reino Unido (Escocia)"
