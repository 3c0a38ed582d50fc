"""The briefing's pages and the reviewer index (pipeline/report/render.py): every figure and table listed, every
text translated, every number in the language's format, no year with a thousands separator."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
import yaml
from expected_notes import BRAZIL_COUNT_NOTE

from pipeline import i18n, paths
from pipeline.errors import PipelineError
from pipeline.report import inputs, render

LANGUAGES = i18n.languages()


@pytest.fixture(scope="module")
def figures():
    return inputs.read_figures()


@pytest.fixture(scope="module")
def tables():
    return inputs.read_tables()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_caption_table_title_and_header_translates(language, figures, tables):
    tr = i18n.Translator(language)
    for figure in figures:
        for text in (figure.caption, figure.source, figure.alt):
            tr.english(text, figure.name)
    for table in tables:
        render.html_table(table, tr)



def test_a_table_is_shown_with_its_phrases_and_quotations(tmp_path):
    long = "counted 85,005 in the published total, which is more than sixty characters long"
    data = pd.DataFrame({"claim_id": ["a", "b"], "status": ["partly_checked", "not_checkable"],
                         "printed": ["95,000", "37 percent"], "reason": [long, ""],
                         "year": [2015, 2016], "persons": [2996.0, 4391.5]})
    phrases = {"key": "claim_id", "cells": {
        "a": {"status": i18n.phrase("page.verdict.partly_checked"),
              "reason": i18n.phrase("page.verdict.not_checkable")},
        "b": {"status": i18n.phrase("page.verdict.not_checkable")}}}
    table = inputs.Table("claims", "", "", "", data, phrases)
    shown = render.html_table(table, i18n.Translator("es"))
    assert [[cell["text"] for cell in row["cells"]] for row in shown["rows"]] == [
        ["a", "verificada en parte", "95,000", "2015", "2.996,0"],
        ["b", "no verificable", "37 percent", "2016", "4.391,5"]]
    assert [cell["english"] for cell in shown["rows"][0]["cells"]] == [False, False, True, False, False]
    assert shown["rows"][0]["details"] == [("motivo", {"text": "no verificable", "class": "", "keep": False,
                                                       "english": False})]  # the long column: in the details
    assert shown["rows"][1]["details"] == []  # nothing to unfold
    # A phrases twin that does not cover the table's rows is stale: an error, not English on the page.
    (tmp_path / "claims.csv").write_text(data.to_csv(index=False), encoding="utf-8")
    (tmp_path / "claims.phrases.json").write_text(json.dumps({"key": "claim_id", "cells": {"a": {}}}))
    with pytest.raises(PipelineError, match="does not give phrases for exactly the rows of claims.csv"):
        inputs._phrases(tmp_path / "claims.csv", data)



# -------------------------------------------------------------------------------- Built outputs ---

@pytest.mark.parametrize("language", LANGUAGES)
def test_briefing_lists_every_figure_and_table(language, figures, tables):
    page = paths.briefing(language).read_text(encoding="utf-8")
    for figure in figures:
        assert f'id="{figure.name}"' in page and f"{figure.name}.svg" in page, figure.name
    for table in tables:
        assert f'id="{table.name}"' in page and f"tables/{table.name}.csv" in page, table.name
    for section in render.SECTIONS:
        assert f'<h2 id="{section}">' in page
    # Every anchor once: the table of contents and the links lead to one place each.
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) > 60 and [i for i in set(ids) if ids.count(i) > 1] == []
    # Nothing the page loads or links to is online (source URLs appear as text only).
    assert not re.search(r'(src|href)="(https?:)?//', page)



def test_index_links_every_executed_notebook():
    page = paths.INDEX.read_text(encoding="utf-8")
    for notebook in sorted(paths.EXECUTED_NOTEBOOKS.glob("*.html")):
        assert f'href="notebooks/{notebook.name}"' in page, notebook.name


# ------------------------------------------------------------------- Number formats on the pages ---

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _PageText(HTMLParser):
    """A page's text, piece by piece, with the header of the table column it sits in ('' outside tables).
    Left out: styles, code (parameter values, hashes, file names, keys) and passages marked as written in
    another language than the page's (quotations of the English manuscript: manuscript-numbers' `printed`)."""

    def __init__(self):
        super().__init__()
        self.pieces, self.skipping, self.headers, self.column, self.in_head = [], [], [], -1, False
        self.language = ""

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:  # no end tag: never opens a passage to skip
            return
        language = dict(attrs).get("lang")
        if tag == "html":
            self.language = language
        elif self.skipping or tag in ("style", "code") or (language and language != self.language):
            self.skipping.append(tag)
        if tag == "table":
            self.headers = []
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.column = -1
        elif tag in ("td", "th"):
            self.column += 1
            if self.in_head:
                self.headers.append("")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag == "thead":
            self.in_head = False
        if tag == "table":
            self.headers, self.column = [], -1

    def handle_data(self, data):
        if self.in_head and self.headers:
            self.headers[-1] += data
        elif not self.skipping and data.strip():
            header = self.headers[self.column] if 0 <= self.column < len(self.headers) else ""
            self.pieces.append((header, data))


def page_text(page: str) -> list[tuple[str, str]]:
    parser = _PageText()
    parser.feed(page)
    return parser.pieces


# English-formatted numbers: grouped with a comma (85,005), or a decimal point before one, two or more than
# three digits (24.5, 0.1844); a point before exactly three digits is how Spanish and Portuguese group (4.391).
ENGLISH_FORMAT = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?![\d])")
# The short list of numbers that stay as written on every page: identifiers, not quantities.
WRITTEN_AS_IDENTIFIERS = re.compile(r"\b(?:[Tt]able|[Tt]abla|[Cc]uadro|[Tt]abela) \d+\.\d+"  # UNODC table 10.1
                                    r"|\b[Bb]lo(?:ck|que|co) \d+\.\d+"  # SISDEPEN questionnaire blocks 4.1, 5.14
                                    r"|\bCC0 1\.0\b"  # a licence's name
                                    r"|\bUNODC \d+\.\d+")  # UNODC's table 10.1
# A year written with a thousands separator (2,015; 2.015; 2,003.5).
SEPARATED_YEAR = r"(?:1[.,]9|2[.,]0)\d\d(?![\d]|[.,]\d{3})"
TIME_HEADER = re.compile(r"\b(?:year|años?|anos?|period|per[ií]odo|line|l[ií]nea|linha)\b", re.IGNORECASE)
# Outside time columns, a separated year is one in a year's context: after 'in', 'since', 'from'... or a dash,
# or before a month (2,019-12) or a dash; a count such as 'total 2,066' is not a year.
YEAR_IN_TEXT = re.compile(rf"(?:\b(?:in|since|from|to|until|between|and|en|desde|hasta|entre|y|em|até|e)\s+|[–/])"
                          rf"(?<![\d.,]){SEPARATED_YEAR}|(?<![\d.,]){SEPARATED_YEAR}(?=[–/]|-\d\d\b)")


def english_formatted(pieces) -> list[str]:
    return [m.group(0) + " in " + repr(text.strip()[:80]) for _, text in pieces
            for m in ENGLISH_FORMAT.finditer(WRITTEN_AS_IDENTIFIERS.sub("", text))]


def separated_years(pieces) -> list[str]:
    in_columns = [text for header, text in pieces if TIME_HEADER.search(header) and re.search(r"\d[.,]\d{3}", text)]
    in_text = [re.search(SEPARATED_YEAR, m.group(0)).group(0) + " in " + repr(text.strip()[:80])
               for header, text in pieces if not TIME_HEADER.search(header) for m in YEAR_IN_TEXT.finditer(text)]
    return in_columns + in_text


def test_the_page_scan_fires_on_bad_numbers_and_stays_silent_on_good_ones():
    bad = ("<html lang=\"es\"><table><thead><tr><th>año</th><th>personas</th></tr></thead><tbody>"
           "<tr><td>2,015</td><td>85,005</td></tr><tr><td>2.003,5</td><td>37.5</td></tr></tbody></table>"
           "<p>desde 2.015 hasta 2,019-12: 24.5%</p></html>")
    assert [found.split(" in ")[0] for found in separated_years(page_text(bad))] == ["2,015", "2.003,5", "2.015",
                                                                                     "2,019"]
    assert [found.split(" in ")[0] for found in english_formatted(page_text(bad))] == ["2,015", "85,005", "37.5",
                                                                                       "2,019", "24.5"]
    good = ("<html lang=\"es\"><style>p { line-height: 1.45; }</style><table><thead><tr><th>año</th><th>personas</th>"
            "<th>impreso</th></tr></thead><tbody><tr><td>2015</td><td>85.005</td><td lang=\"en\">95,000</td></tr>"
            "<tr><td>2003,5</td><td>37,5</td><td lang=\"en\">448.3 percent</td></tr></tbody></table>"
            "<p>total 2.066 en 2019-12; cuadro 10.1; block 5.14; CC0 1.0; Ley 23.737 <code>ratio = 5.0</code>"
            "</p></html>")
    assert separated_years(page_text(good)) == []
    assert english_formatted(page_text(good)) == []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_number_on_a_spanish_or_portuguese_page_is_written_the_language_way(language):
    pieces = page_text(paths.briefing(language).read_text(encoding="utf-8"))
    assert len(pieces) > 5000  # the whole page was read
    assert english_formatted(pieces) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_year_or_period_on_a_page_has_a_thousands_separator(language):
    pieces = page_text(paths.briefing(language).read_text(encoding="utf-8"))
    assert sum(bool(TIME_HEADER.search(header)) for header, _ in pieces) > 500  # year columns were found
    assert separated_years(pieces) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_manuscript_numbers_table_shows_no_year_as_a_grouped_number(language):
    page = paths.briefing(language).read_text(encoding="utf-8")
    section = page[page.index('<section id="manuscript-numbers">'):]
    section = section[:section.index("</section>")]
    assert section.count("<tr>") > 200
    assert not re.findall(rf'<td class="number">{SEPARATED_YEAR}</td>', section)  # was 2,015, 2,022, ... (134)


@pytest.mark.parametrize("language, words", [("en", ["partly checked", "matches published", "not checkable"]),
                                             ("es", ["verificada en parte", "coincide con lo publicado"]),
                                             ("pt", ["verificada em parte", "coincide com o publicado"])])
def test_the_claims_table_shows_verdicts_in_words_and_numbers_in_the_language(language, words):
    page = paths.briefing(language).read_text(encoding="utf-8")
    claims_section = page[page.index('<section id="claims">'):page.index('<section id="manuscript-numbers">')]
    for word in words:
        assert f"<td>{word}</td>" in claims_section
    assert "partly_checked" not in claims_section.replace("/claims.csv", "")
    interval = {"en": "93,230 to 98,263", "es": "93.230 a 98.263", "pt": "93.230 a 98.263"}[language]
    assert f"<td>{interval}</td>" in claims_section


@pytest.mark.parametrize("language, caveat", [("en", "compares counts of different scope"),
                                              ("es", "compara recuentos de distinto alcance"),
                                              ("pt", "compara contagens de abrangência diferente")])
def test_the_claims_table_shows_a_verdicts_caveat_beside_it_in_the_language(language, caveat):
    """Brazil's monitoring growth matches the published totals, but its count covers 9 states at the base and 27 at
    the end: a reader of the verdicts sees that in the row itself, in the column after the verdict."""
    page = paths.briefing(language).read_text(encoding="utf-8")
    claims_section = page[page.index('<section id="claims">'):page.index('<section id="manuscript-numbers">')]
    header = re.findall(r"<th[^>]*>([^<]*)</th>", claims_section)
    tr = i18n.Translator(language)
    assert header[4:6] == [tr("col.status"), tr("col.caveat")]
    rows = re.findall(r'<tr><td class="code" translate="no">(.*?)</td>.*?</tr>', claims_section)
    with_caveat = re.findall(r'<tr><td class="code" translate="no">([^<]*(?:<wbr>[^<]*)*)</td>(?:<td[^>]*>[^<]*</td>)'
                             rf'{{3}}<td>[^<]*</td><td>{caveat}</td>', claims_section)
    assert len(rows) == 33
    assert [row.replace("<wbr>", "") for row in with_caveat] == ["bra-monitoring-growth-men",
                                                                "bra-monitoring-growth-women"]
    # The Americas' women held: its count holds Brazil's women outside prison cells (the registry's caveat).
    outside = tr.english("includes Brazil's women outside cells")
    assert len(re.findall(rf"<td>{tr('page.verdict.consistent')}</td><td>{outside}</td>",
                          claims_section.replace("&#39;", "'"))) == 1
    # A chapter verdict's source is the chapter table's id, the same in every language (it read 'chapter table
    # tab-26-brazil-claims', in English on every page, until 2026-12-05).
    assert "chapter table" not in claims_section
    assert claims_section.replace("<wbr>", "").count('<td class="code" translate="no">tab-26-brazil-claims</td>') == 2


@pytest.mark.parametrize("language", ["es", "pt"])
def test_the_claims_table_says_which_part_a_check_covers_in_the_language_only(language):
    """A partial check's part is said in the verdict, translated; the check column (code, shown as it is) holds
    only its size: it once repeated the registry's English words on the Spanish and Portuguese pages."""
    page = paths.briefing(language).read_text(encoding="utf-8")
    claims_section = page[page.index('<section id="claims">'):page.index('<section id="manuscript-numbers">')]
    shown = claims_section.replace("<wbr>", "")  # the places a long code may break
    registry = yaml.safe_load(paths.CLAIMS.read_text(encoding="utf-8"))
    covers = {claim["check"]["part"]["covers"] for claim in registry["claims"] if "part" in claim.get("check", {})}
    words = sorted(c for c in covers if not re.fullmatch(r"[A-Z]{3}", c))
    assert len(words) == 3
    for english in words:
        assert english.split(" (")[0] not in shown
    assert (shown.count("[part 1/2]"), shown.count("[part 1/5]"), shown.count("[part 1/20]")) == (3, 1, 1)


@pytest.mark.parametrize("language, said", [
    ("en", "not corrected, counted as published: "), ("es", "sin corrección, según lo publicado: "),
    ("pt", "sem correção, conforme publicado: ")])
def test_the_data_quality_table_names_the_units_a_correction_leaves_as_published(language, said):
    """Two findings of tab-22 list several units and have a known error for one of them (Rio Grande do Sul, December
    2016; Rio de Janeiro, December 2020): the effect says, in the page's language, which units stay as published,
    their names as the files write them."""
    page = paths.briefing(language).read_text(encoding="utf-8").replace("&#39;", "'")
    assert page.count(said) == 2
    assert f"{said}'PRESÍDIO ESTADUAL DE SÃO FRANCISCO DE ASSIS'" in page
    assert (f"{said}'CADEIA PÚBLICA FRANZ DE CASTRO HOLZWARTH - SEAP/FC'"
            in page.replace("<wbr>", ""))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_says_how_to_find_its_own_commit(language):
    """The footer's `git log -1 -- <file>` names the page it is on (each language and variant is its own file)."""
    for page in (paths.briefing(language), paths.briefing_standalone(language)):
        footer = page.read_text(encoding="utf-8").split('<footer id="page-footer">')[1]
        named = re.findall(r"git log -1 -- (\S+?)\.?</p>", footer)
        assert named == [paths.relative(page)], (page.name, named)


@pytest.mark.parametrize("language, note", BRAZIL_COUNT_NOTE.items())
def test_the_headline_numbers_of_a_noted_count_carry_tab_01s_note(language, note, tables):
    """Brazil's UNODC count of women held (41,580 in 2020) includes women outside cells, as tab-01 notes: the
    briefing's headline rows made from it (the count and the share) say so beside the number; no other row does."""
    from pipeline.report import metrics

    rows = render.headline_rows(metrics.headline_metrics(), i18n.Translator(language), render.count_notes(tables))
    noted = [(label, value) for label, value, row_note in rows if row_note]
    assert [row_note for _, _, row_note in rows if row_note] == [note, note]
    assert [value for _, value in noted] == ["41.580" if language != "en" else "41,580",
                                             "5,1%" if language != "en" else "5.1%"]
    page = paths.briefing(language).read_text(encoding="utf-8")
    value = "41.580" if language != "en" else "41,580"
    assert f'<td class="number">{value}</td><td class="muted">{note}</td>' in page


def test_the_argentina_chapters_count_is_a_headline_row_only_where_it_is_not_unodcs():
    """Without SNEEP microdata the Argentina chapter's latest count is UNODC's 2021 count, already a headline row: an
    editor read the two rows of 4,013 as two sources. With microdata (another count, or another year) it is shown,
    saying which count it is."""
    from pipeline.report import metrics

    figures, tr = metrics.headline_metrics(), i18n.Translator("en")
    labels = [label for label, _, _ in render.headline_rows(figures, tr)]
    assert "Women held in prison, Argentina, 2021 (UNODC)" in labels
    assert not any("Argentina chapter" in label for label in labels)
    with_microdata = figures | {"argentina-latest-year": {"ARG": 2022}, "argentina-women-held": {"ARG": 4391}}
    rows = render.headline_rows(with_microdata, tr)
    assert rows[-1] == ("Women held in prison, Argentina, 2022 (the Argentina chapter's latest count: SNEEP census "
                        "microdata when supplied, else UNODC)", "4,391", "")


def test_a_tables_csv_link_says_the_file_is_in_english_on_other_pages():
    """The CSV beside each table is the exact table, in English (the XLSX is the language's): an author's review
    found the Spanish and Portuguese pages did not say so."""
    for language, label in (("en", "CSV"), ("es", "CSV (en inglés)"), ("pt", "CSV (em inglês)")):
        page = paths.briefing(language).read_text(encoding="utf-8")
        labels = set(re.findall(r'<a href="tables/[\w.-]+\.csv">([^<]*)</a>', page))
        assert labels == {label}, (language, labels)
