"""No English on the Spanish and Portuguese briefing pages, except what is meant to stay as written.

Every text node of an es/pt page (both variants) is compared with the text nodes of the English page: a node with a
word in it that is identical to an English one is English left on the page — a table cell ("women held",
"female"), a status ("not_checkable"), a definition, a caption — unless it is one of the allowed exceptions:

- marked passages: `<code>` (parameter keys and values as params.yaml holds them, file names, hashes),
  `translate="no"` (identifiers, codes, names of places and prison units: each checked to be one), `lang="en"`
  (quotations of the English manuscript as printed: each checked to be one);
- the same word in both languages, as the translation table says (a row whose translation is its English text):
  only names (keys `name.`, `country.`, `page.country.`), texts with no word outside their holes, and the short
  list SAME_IN_BOTH below — any other such row fails the test;
- FILE_FORMATS, the names of the download formats.

A second scan reads every unmarked node for ENGLISH_ONLY words (words of English that are not words of Spanish or
Portuguese), after setting aside codes (paths, keys) and terms quoted from a source in straight quotes or brackets
('female', (Persons held)): it catches English inside a translated sentence, which the node comparison cannot.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from pipeline import i18n, paths
from pipeline.errors import PipelineError
from pipeline.report import inputs, tables

OTHER_LANGUAGES = [language for language in i18n.languages() if language != "en"]
PAGES = [(language, page) for language in OTHER_LANGUAGES
         for page in (paths.briefing(language), paths.briefing_standalone(language))]
# Rows of the translation table allowed to be the English text itself, by language: words both languages write
# the same way, acronyms and paths.
SAME_IN_BOTH = {"col.total", "cell.total", "col.unodc", "cell.unodc_total", "page.bytes", "chart.luc",
                "reference.oud", "manuscript.excluded.ordinal", "source.published_registry", "known_errors.source",
                "page.no"}  # 'no' is Spanish too
NAME_KEYS = ("name.", "country.", "page.country.")
FILE_FORMATS = {"CSV", "XLSX", "SVG", "PNG", "PDF", "SHA-256"}
ENGLISH_ONLY = re.compile(r"\b(the|of|and|with|which|women|men|held|female|male|kept|published|not|supported|"
                          r"checkable|flags|were|this|that|only|than|from|prison|persons|share|growth|offences|"
                          r"between|within|rows|table|figure|source|definition|reason|evidence)\b")
_QUOTED = re.compile(r"'[^']*'|\([A-Z][^()]*\)|\"[^\"]*\"")  # a source's own term: 'female', (Persons held)
FILE_NAME = re.compile(r"[\w.-]+\.[a-z]{2,4}")  # a fetched file's name (justice-is-setting-them-free.txt)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Nodes(HTMLParser):
    """A page's text nodes (a code's <wbr> break opportunities removed first), each with how it is marked: 'code',
    'keep' (translate="no"; 'name' for a name cell), 'english' (lang="en"), or '' for text in the page's language."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.nodes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attrs = dict(attrs)
        mark = self.stack[-1][1] if self.stack else ""
        if not mark:
            if tag == "code":
                mark = "code"
            elif attrs.get("translate") == "no":
                mark = "name" if "name" in (attrs.get("class") or "").split() else "keep"
            elif attrs.get("lang") == "en" and tag != "html":
                mark = "english"
        self.stack.append((tag, "skip" if tag in ("style", "script") else mark))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        mark = self.stack[-1][1] if self.stack else ""
        text = " ".join(data.split())
        if text and mark != "skip":
            self.nodes.append((text, mark))


def text_nodes(html: str) -> list[tuple[str, str]]:
    parser = _Nodes()
    parser.feed(html.replace("<wbr>", ""))
    return parser.nodes


def same_as_english_rows(language: str) -> dict[str, str]:
    """The translation table's rows whose text in `language` is the English one: key -> text."""
    with open(paths.TRANSLATIONS, encoding="utf-8", newline="") as handle:
        return {row["key"]: row["en"] for row in csv.DictReader(handle) if row[language] == row["en"]}


def written_the_same(language: str) -> set[str]:
    return set(same_as_english_rows(language).values()) | FILE_FORMATS


def english_nodes(page_html: str, english_html: str, language: str) -> list[str]:
    """The unmarked text nodes of a page that are identical to a text node of the English page and hold a word."""
    english = {text for text, _ in text_nodes(english_html)}
    allowed = written_the_same(language)
    return [text for text, mark in text_nodes(page_html)
            if not mark and text in english and i18n.has_words(text) and text not in allowed]


def english_words(page_html: str) -> list[str]:
    """English-only words in the unmarked text of a page, codes and quoted source terms set aside."""
    found = []
    for text, mark in text_nodes(page_html):
        if mark:
            continue
        prose = " ".join(word for word in _QUOTED.sub(" ", text).split() if not i18n.is_code(word.strip(".,;:()")))
        found += [f"{m.group(0)!r} in {text[:100]!r}" for m in ENGLISH_ONLY.finditer(prose)]
    return found


# ----------------------------------------------------------------------------- The rules on small pages ---

ENGLISH_PAGE = ("<html lang='en'><table><thead><tr><th>sex</th><th>status</th></tr></thead><tbody><tr><td>female</td>"
                "<td>not checkable</td></tr></tbody></table><p>Costa Rica</p><p>total</p><p>CSV</p>"
                "<p lang='en'>Glossary</p><code>women_held</code></html>")


def test_the_scans_fire_on_english_left_on_a_page():
    half = ("<html lang='es'><table><thead><tr><th>sexo</th><th>estado</th></tr></thead><tbody><tr><td>female</td>"
            "<td>not checkable</td></tr></tbody></table><p>Costa Rica</p><p>total</p><p>CSV</p>"
            "<p>las mujeres held en 2020</p></html>")
    assert english_nodes(half, ENGLISH_PAGE, "es") == ["female", "not checkable"]
    assert english_words(half) == ["'female' in 'female'", "'not' in 'not checkable'",
                                   "'checkable' in 'not checkable'", "'held' in 'las mujeres held en 2020'"]


def test_the_scans_stay_silent_on_a_translated_page():
    translated = ("<html lang='es'><table><thead><tr><th>sexo</th><th>estado</th></tr></thead><tbody><tr>"
                  "<td>mujeres</td><td>no verificable</td></tr></tbody></table><p>Costa Rica</p><p>total</p><p>CSV</p>"
                  "<p lang='en'>Glossary</p><code>women_held</code><p>categoría 'female' de la UNODC "
                  "(Persons held), ver reports/tables/tab-13-argentina-drug-growth-check.md</p></html>")
    assert english_nodes(translated, ENGLISH_PAGE, "es") == []
    assert english_words(translated) == []


# ------------------------------------------------------------------------------------- The real pages ---

@pytest.fixture(scope="module")
def english_html() -> str:
    return paths.briefing("en").read_text(encoding="utf-8")


@pytest.mark.parametrize("language, page", PAGES, ids=lambda item: getattr(item, "name", item))
def test_no_english_text_node_on_a_spanish_or_portuguese_page(language, page, english_html):
    html = page.read_text(encoding="utf-8")
    nodes = text_nodes(html)
    assert len(nodes) > 12000  # the whole page was read
    assert english_nodes(html, english_html, language) == []
    assert english_words(html) == []


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_only_names_and_words_both_languages_share_are_left_as_english_in_the_table(language):
    same = same_as_english_rows(language)
    unexpected = {key: text for key, text in same.items()
                  if i18n.has_words(re.sub(r"\{\w+\}", "", text)) and not key.startswith(NAME_KEYS)
                  and key not in SAME_IN_BOTH}
    assert unexpected == {}, f"rows whose {language} text is English: translate them, or list them if a name"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_what_the_page_keeps_as_written_is_an_identifier_a_name_or_a_quotation(language):
    """The marks the scans trust are honest: translate="no" holds codes, codes in capitals, names of places and
    units, and values of the tables' identifier columns (tables.IDENTIFIER_COLUMNS and TABLE_IDENTIFIER_COLUMNS:
    claim ids, the claims check's `check` expressions over long-table keys and its source ids, Brazil's
    plausibility rules by their params.yaml names); lang="en" holds the manuscript's own words only (the quoted
    columns of the tables)."""
    table_list = inputs.read_tables()
    quoted = {str(value) for table in table_list for column in tables.QUOTED_COLUMNS
              if column in table.data for value in table.data[column].dropna()}
    identifiers = {str(value) for table in table_list
                   for column in tables.IDENTIFIER_COLUMNS | tables.TABLE_IDENTIFIER_COLUMNS.get(table.name, set())
                   if column in table.data for value in table.data[column].dropna()}
    nodes = text_nodes(paths.briefing(language).read_text(encoding="utf-8"))
    kept = [text for text, mark in nodes if mark == "keep"]
    assert len(kept) > 1000
    assert [text for text in kept if not (i18n.is_code(text) or text.upper() == text or text in identifiers
                                          or FILE_NAME.fullmatch(text))] == []
    english = [text for text, mark in nodes if mark == "english"]
    assert len(english) > 500
    assert [text for text in english if text not in quoted] == []


@pytest.mark.parametrize("language, flags", [("es", "advertencias"), ("pt", "advertências")])
def test_the_flags_column_is_called_warnings_not_indicators(language, flags):
    assert i18n.Translator(language).column("flags") == flags  # was 'indicadores' (issue 16)


@pytest.mark.parametrize("language, text, expected", [
    ("es", "SISDEPEN block 5.14", "SISDEPEN, bloque 5.14"),  # was 'bloque 5,14': a block number, not a decimal
    ("pt", "SISDEPEN block 4.1", "SISDEPEN, bloco 4.1")])
def test_an_identifier_filling_a_hole_after_block_or_table_is_kept_as_written(language, text, expected):
    assert i18n.Translator(language).english(text) == expected


@pytest.mark.parametrize("language, expected", [
    ("es", "mujeres 1.055, hombres 13 en 2009 (Age=Juveniles); en los otros 17 años con ambos recuentos, menos mujeres "
           "que hombres (p. ej., 2008: mujeres 13, hombres 127)"),
    ("pt", "mulheres 1.055, homens 13 em 2009 (Age=Juveniles); nos outros 17 anos com ambas as contagens, menos "
           "mulheres que homens (p. ex., 2008: mulheres 13, homens 127)")])
def test_the_evidence_of_a_sex_swap_reads_in_every_language(language, expected):
    """The plausibility rule's evidence, as it writes it (rule 5 of unodc_plausibility), with its numbers localised."""
    from pipeline.sources import unodc_plausibility as rules

    frame = pd.DataFrame([("AAA", "persons_held", sex, "juveniles", year, value)
                          for year, (female, male) in {2006: (0, 112), 2007: (6, 179), 2008: (13, 127),
                                                       2009: (1055, 13), 2010: (3, 74), 2011: (4, 78), 2012: (5, 80),
                                                       2013: (1, 60), 2014: (2, 61), 2015: (1, 50), 2016: (0, 40),
                                                       2017: (3, 41), 2018: (2, 72), 2019: (3, 70), 2020: (4, 47),
                                                       2021: (1, 36), 2022: (1, 30), 2023: (2, 31)}.items()
                          for sex, value in (("female", female), ("male", male))], columns=rules.COLUMNS)
    found = rules.sex_swaps(frame, rules.Thresholds())
    tr = i18n.Translator(language)
    assert tr.english(found["evidence"].iloc[0]) == expected
    assert tr.english(found["treatment"].iloc[0]) == tr("quality.unodc.treatment.no_women_share_swap")
    assert tr.english(rules.SEX_SWAP) == tr("quality.unodc.sex_swap")


def test_a_hole_of_codes_or_a_list_of_items_is_kept_or_translated_item_by_item():
    """A chapter's reason lists what the data and the parameters give: a hole of codes and numbers is kept (its
    numbers localised), and a list joined by '; ' with no row of its own is translated item by item, each by its own
    row (claims.uruguay.figure_*), so a list of other figures still reads in every language."""
    assert i18n.only_codes("ury-062 persons_prosecuted_drug_offences 2015-01/2015-11 = 1,237")
    assert not i18n.only_codes("ury-062 = 1,237 persons") and not i18n.only_codes("")
    tr = i18n.Translator("es")
    listed = ("ury-092 persons_prosecuted_drug_offences 2016 = 1,500 persons; ury-093 drug_sale_points_dismantled "
              "2019 = 12 sale_points")
    text = ("no series of drug-related detentions for 2013-2019 is available here (the briefing cites the observatory "
            "report without numbers, and the report is not among the project's source files). Published figures in "
            f"the window measure other things (prosecutions, sale points): {listed}. None of them is a count of detentions.")
    assert tr.english(text).endswith(
        "(procesamientos, puntos de venta): ury-092 persons_prosecuted_drug_offences 2016 = 1.500 personas; ury-093 "
        "drug_sale_points_dismantled 2019 = 12 puntos de venta. Ninguna de ellas es un recuento de detenciones.")
    with pytest.raises(PipelineError, match="no translation of 'ury-092 .*; ury-094 = 3 lorries'"):
        tr.english(text.replace("12 sale_points", "12 sale_points; ury-094 = 3 lorries"))
    # A whole text that is such a list (the evidence of a claim decided by the observatory's own report): a row that
    # would take it whole but cannot fill its holes gives way to the items.
    assert tr.english("oud: 2010: 30% read in the report vs 30% claimed; 2021: 20.8% read in the report vs 20% "
                      "claimed") == ("oud: 2010: 30% leído en el informe del observatorio frente al 30% afirmado; "
                                     "2021: 20,8% leído en el informe del observatorio frente al 20% afirmado")
