"""Translations and locale formatting (pipeline/i18n.py): one translation table, complete; numbers by locale,
inside texts too; phrases that keep numbers as numbers until shown."""

from __future__ import annotations

import csv
import json
import re

import pytest

from pipeline import i18n
from pipeline.errors import PipelineError

LANGUAGES = i18n.languages()


def test_every_key_has_a_text_in_every_language():
    languages, entries = i18n.load()
    assert set(LANGUAGES) <= set(languages)
    empty = [(key, lang) for key, entry in entries.items() for lang in LANGUAGES if not entry.texts[lang].strip()]
    assert not empty, f"keys without a text: {empty[:5]}"


def test_holes_match_between_languages():
    _, entries = i18n.load()
    for key, entry in entries.items():
        holes = {lang: sorted(set(re.findall(r"\{\w+\}", text))) for lang, text in entry.texts.items()}
        assert len({tuple(h) for h in holes.values()}) == 1, f"{key}: placeholders differ {holes}"



def _table(tmp_path, rows):
    path = tmp_path / "translations.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["key", "en", "es", "pt"])
        writer.writerows(rows)
    i18n.load.cache_clear()
    return path


def test_missing_translation_is_an_error_naming_key_language_and_row(tmp_path):
    """An empty text refuses the table as it is read, in any language's translator (the first stage that reads the
    table stops a `dvc repro`, before a stage that does not use the row records the edited table:
    tests/system/faults/user_path.py, translation-empty-cell); the first empty cell is named."""
    table = _table(tmp_path, [["page.title", "Briefing", "Informe", "Informe"], ["fig-01.title", "Women held", "", "x"],
                              ["fig-02.title", "Men held", "Hombres", ""]])
    for language in ("en", "es", "pt"):
        i18n.load.cache_clear()
        with pytest.raises(PipelineError) as raised:
            i18n.Translator(language, table)
        error = raised.value
        assert (error.file, error.row, error.problem, error.fix) == (
            table, 3, "key 'fig-01.title' has no 'es' text", "fill the 'es' column of 'fig-01.title'")


@pytest.mark.parametrize(("spanish", "found"), [
    ("el mismo recuento, {0}, en {1}", "{0}, {1}"),               # a number dropped: the text would lose it
    ("el mismo recuento, {0}, en {1} y {3}", "{0}, {1}, {3}"),    # a hole nothing fills
    ("el mismo recuento, {0}, en {1} y {año}", "{0}, {1}, {año}"),
])
def test_a_translation_whose_holes_differ_from_the_english_is_an_error(tmp_path, spanish, found):
    """An author's edit that drops or renames a hole would print a text without its number (or fail as it is
    filled): the table is refused as it is read, naming the row, the key and both sets of holes."""
    table = _table(tmp_path, [["page.title", "Briefing", "Informe", "Informe"],
                              ["quality.repeated", "the same count, {0}, in {1} and {2}", spanish,
                               "a mesma contagem, {0}, em {1} e {2}"]])
    with pytest.raises(PipelineError) as raised:
        i18n.Translator("pt", table)
    error = raised.value
    assert (error.file, error.row) == (table, 3)
    assert error.problem == (f"the 'es' text of key 'quality.repeated' has the holes {found}, "
                             "the English {0}, {1}, {2}")
    assert error.fix.startswith("write every hole of the English text in the 'es' text, and no other")


def test_a_row_with_a_comma_outside_quotes_is_an_error_naming_its_line(tmp_path):
    """A text with a comma written without quotes splits into one field more (it happened on 2026-12-05: the row
    was read with its English cut at the comma, and the page printed half a heading). The table is read as every
    CSV kept by hand is (pipeline.kept_csv)."""
    path = tmp_path / "translations.csv"
    path.write_text('key,en,es,pt\npage.title,Briefing,Informe,Informe\n'
                    'page.moved,Verdict, caveat or value,Veredicto, salvedad o valor,Veredito\n', encoding="utf-8")
    i18n.load.cache_clear()
    with pytest.raises(PipelineError, match=r"row 3: 6 fields where the header has 4 \(a comma inside a value without "
                                            r"quotes, or a missing or extra cell\) — quote values that contain commas"):
        i18n.load(path)
    path.write_text('key,en,es,pt\npage.title,Briefing,Informe\n', encoding="utf-8")
    with pytest.raises(PipelineError, match=r"row 2: 3 fields where the header has 4"):
        i18n.load(path)
    i18n.load.cache_clear()


def test_text_without_a_row_is_an_error_not_english(tmp_path):
    table = _table(tmp_path, [["page.title", "Briefing", "Informe", "Informe"]])
    with pytest.raises(PipelineError, match=r"no translation of 'Men held'.*'pt'"):
        i18n.Translator("pt", table).english("Men held")
    with pytest.raises(PipelineError, match=r"no translation key 'page\.other'.*'es'"):
        i18n.Translator("es", table)("page.other")


def test_a_translator_reads_the_rows_of_the_table_as_last_loaded(tmp_path):
    """Translators share the table's lookups (compiled once), but a table loaded again is what the next one reads."""
    table = _table(tmp_path, [["fig-01.title", "Women held in {0}", "Mujeres presas en {0}", "Mulheres presas em {0}"]])
    assert i18n.Translator("es", table).english("Women held in 2021") == "Mujeres presas en 2021"
    assert i18n.Translator("es", table)._patterns is i18n.Translator("pt", table)._patterns  # made once
    table = _table(tmp_path, [["fig-01.title", "Women held in {0}", "Mujeres privadas de libertad en {0}", "x {0}"],
                              ["fig-02.title", "Men held", "Hombres presos", "Homens presos"]])
    translator = i18n.Translator("es", table)
    assert translator.english("Women held in 2021") == "Mujeres privadas de libertad en 2021"
    assert translator.english("Men held") == "Hombres presos"


def test_holes_carry_numbers_and_translate_words():
    tr = i18n.Translator("es")
    assert tr.english("Women held in Argentina's prisons, 2005–2022") == \
        "Mujeres privadas de libertad en las cárceles de Argentina, 2005–2022"
    assert tr.english("SENAPPEN/MJSP – SISDEPEN, per-establishment files, December 2016 to December 2021") == \
        "SENAPPEN/MJSP – SISDEPEN, archivos por establecimiento, diciembre de 2016 a diciembre de 2021"



def test_a_name_in_a_hole_is_kept_and_english_words_still_need_their_row(tmp_path):
    """A researcher who adds a published figure from a new outlet (docs/adding-data.md) writes its name in `source`;
    the Spanish page stopped at the report stage, last of all, for want of a row for 'Montevideo Portal'. A name is
    kept as written; a hole of English words without its row is still an error, not English on the page."""
    table = _table(tmp_path, [["published.news_dated", "{0} (news), {1}", "{0} (prensa), {1}", "{0} (imprensa), {1}"],
                              ["month.december", "December {0}", "diciembre de {0}", "dezembro de {0}"]])
    spanish = i18n.Translator("es", table)
    assert spanish.english("Montevideo Portal (news), 2024") == "Montevideo Portal (prensa), 2024"
    assert spanish.english("Diario de la Costa (news), December 2016") == \
        "Diario de la Costa (prensa), diciembre de 2016"  # a row with holes wins over the name rule
    with pytest.raises(PipelineError, match=r"no translation of 'an example outlet'"):
        spanish.english("an example outlet (news), 2024")
    assert [i18n.is_proper_name(text) for text in ("Infobae", "El País Uruguay", "Caras y Caretas", "Example outlet",
                                                     "2024", "the Patronato")] == [True, True, True, False, False,
                                                                                  False]


def test_a_hole_used_twice_is_the_same_text_both_times(tmp_path):
    """A row may repeat a hole ('{0} to {1}. … in {0}'): the second use must hold the first one's text."""
    table = _table(tmp_path, [["fig-21.caption", "From {0} to {1}; states in {0}: {2}",
                               "De {0} a {1}; estados en {0}: {2}", "De {0} a {1}; estados em {0}: {2}"]])
    translator = i18n.Translator("es", table)
    assert translator.english("From 2016-12 to 2021-12; states in 2016-12: 6") == \
        "De 2016-12 a 2021-12; estados en 2016-12: 6"
    with pytest.raises(PipelineError, match="no translation of 'From 2016-12 to 2021-12; states in 2019-12: 6'"):
        translator.english("From 2016-12 to 2021-12; states in 2019-12: 6")

# ------------------------------------------------------------------------------------- Numbers ---

@pytest.mark.parametrize("language, count, share", [("en", "4,391", "37.5%"), ("es", "4.391", "37,5%"),
                                                    ("pt", "4.391", "37,5%")])
def test_numbers_by_locale(language, count, share):
    assert i18n.format_number(4391, language) == count
    assert i18n.format_percent(37.5, language) == share
    assert i18n.format_number(1234567.25, language, 1) == {"en": "1,234,567.3"}.get(language, "1.234.567,3")
    assert i18n.format_number(-0.04, language, 1) == "0" + ("." if language == "en" else ",") + "0"
    assert i18n.format_cell(2015, language, grouping=False) == "2015"


@pytest.mark.parametrize("english, spanish", [
    ("total 12,015; female + male 2,059", "total 12.015; female + male 2.059"),
    ("women +26% vs 10.3% total (x2.9); 27.7x the median", "women +26% vs 10,3% total (x2,9); 27,7x the median"),
    ("Counts: [3.0, 288.0]", "Counts: [3,0; 288,0]"),  # a list keeps its items apart
    ("12.2-27.1% in 2018-2022; 2015-01/2015-11", "12,2-27,1% in 2018-2022; 2015-01/2015-11"),  # years untouched
    ("Rate per 100,000 population: 1,234,567.25", "Rate per 100.000 population: 1.234.567,25"),
    # Identifiers stay as written: documents, questionnaire blocks, licences, laws, codes.
    ("UNODC table 10.1; SISDEPEN block 5.14; CC0 1.0; Ley 23.737; Lei 11.343/06; ury-041; v0001",
     "UNODC table 10.1; SISDEPEN block 5.14; CC0 1.0; Ley 23.737; Lei 11.343/06; ury-041; v0001"),
])
def test_numbers_inside_english_texts_are_written_the_language_way(english, spanish):
    assert i18n.localise_numbers(english, "es") == spanish
    assert i18n.localise_numbers(english, "pt") == spanish
    assert i18n.localise_numbers(english, "en") == english


def test_a_column_shares_its_decimals_and_years_are_never_grouped():
    assert i18n.column_decimals([37.5, 40.0, None]) == 1
    assert i18n.column_decimals([2996, 4391.0]) == 0
    assert i18n.column_decimals([0.184463840475671, 3]) == 2
    assert [i18n.format_cell(v, "es", decimals=1) for v in (37.5, 40)] == ["37,5", "40,0"]
    assert [c for c in ("year", "latest_year", "period", "position", "line", "figure_id", "persons", "low")
            if i18n.groups_thousands(c)] == ["persons", "low"]


def test_a_phrase_keeps_numbers_as_numbers_until_shown():
    found = i18n.phrase("page.claims.computed.sum_latest", total=i18n.quantity(85005, 0),
                        countries=i18n.quantity(32, 0), first="2019", last="2021")
    assert json.loads(json.dumps(found)) == found  # stored as JSON by the stage that computes it
    assert i18n.render(found, i18n.Translator("en")) == "85,005 (32 countries, latest year each, 2019–2021)"
    assert i18n.render(found, i18n.Translator("es")) == "85.005 (32 países, el último año de cada uno, 2019–2021)"
    assert i18n.render(found, i18n.Translator("pt")) == "85.005 (32 países, o último ano de cada um, 2019–2021)"
    listed = [i18n.phrase("page.verdict.partly_checked"), "2019-12: 1.3"]
    assert i18n.render(listed, i18n.Translator("pt")) == "verificada em parte; 2019-12: 1,3"
    # A text in words the stage wrote in English is translated too: without a row, one clear error (it was
    # shown in English on the Portuguese page).
    with pytest.raises(PipelineError, match=r"no translation of 'note: 1.3 times' \(language 'pt'\)"):
        i18n.render([i18n.phrase("page.verdict.partly_checked"), "note: 1.3 times"], i18n.Translator("pt"))


def test_a_column_of_percentages_has_one_count_of_decimals_at_least_one():
    """tab-10's growth of rows of different measures read "47" beside "46.6", tab-06's median share "5" beside
    "3.2": a column of percentages (name ending _pct or _pp) is one kind of number whatever its rows measure. A count
    beside a ratio in a column without such a name keeps its own decimals per group; the table's digits cap both."""
    import pandas as pd

    growth = pd.DataFrame({"measure": ["persons housed", "women held"], "growth_pct": [47.0, 46.6]})
    assert i18n.row_decimals(growth, "growth_pct", 1) == [1, 1]
    assert i18n.grouped_decimals([5.0, 5.0], "share_median_pct") == [1, 1]
    assert i18n.grouped_decimals([50.52, 47.0], "low_pct", digits=2) == [2, 2]
    assert i18n.grouped_decimals([5.0, 3.2], "share_median_pct", digits=0) == [0, 0]
    findings = pd.DataFrame({"rule": ["monitoring_in_cell", "per_capita"], "value": [593.0, 27.84]})
    assert i18n.row_decimals(findings, "value", 2) == [0, 2]
    assert i18n.grouped_decimals([4013.0, None, 41.0], "women_held") == [0, 0, 0]


def test_a_list_of_items_is_not_cut_inside_brackets_or_parentheses():
    assert i18n.list_items("a (x; y); b [p; q]; c") == ["a (x; y)", "b [p; q]", "c"]
    assert i18n.list_items("one item") == ["one item"]
    assert i18n.list_items("a) first; b) second; c") == ["a) first", "b) second", "c"]  # no opening bracket
