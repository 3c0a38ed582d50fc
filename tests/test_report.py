"""The briefing pack: one translation table, complete; locale numbers; deterministic bundles; nothing left out."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import matplotlib.pyplot as plt
import pytest

from pipeline import i18n, paths, report
from pipeline.errors import PipelineError

LANGUAGES = report.settings().languages


@pytest.fixture(scope="module")
def figures():
    return report.read_figures()


@pytest.fixture(scope="module")
def tables():
    return report.read_tables()


# ---------------------------------------------------------------------------------- Translations ---

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


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_caption_table_title_and_header_translates(language, figures, tables):
    tr = i18n.Translator(language)
    for figure in figures:
        for text in (figure.caption, figure.source, figure.alt):
            tr.english(text, figure.name)
    for table in tables:
        report.html_table(table, tr)


def _table(tmp_path, rows):
    path = tmp_path / "translations.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["key", "en", "es", "pt"])
        writer.writerows(rows)
    i18n.load.cache_clear()
    return path


def test_missing_translation_is_an_error_naming_key_and_language(tmp_path):
    table = _table(tmp_path, [["page.title", "Briefing", "", "Informe"], ["fig-01.title", "Women held", "", "x"]])
    with pytest.raises(PipelineError, match=r"'page\.title'.*'es'"):
        i18n.Translator("es", table)("page.title")
    with pytest.raises(PipelineError, match=r"'fig-01\.title'.*'es'"):
        i18n.Translator("es", table).english("Women held")
    assert i18n.Translator("pt", table)("page.title") == "Informe"


def test_text_without_a_row_is_an_error_not_english(tmp_path):
    table = _table(tmp_path, [["page.title", "Briefing", "Informe", "Informe"]])
    with pytest.raises(PipelineError, match=r"no translation of 'Men held'.*'pt'"):
        i18n.Translator("pt", table).english("Men held")
    with pytest.raises(PipelineError, match=r"no translation key 'page\.other'.*'es'"):
        i18n.Translator("es", table)("page.other")


def test_holes_carry_numbers_and_translate_words():
    tr = i18n.Translator("es")
    assert tr.english("Women held in Argentina's prisons, 2005–2022") == \
        "Mujeres privadas de libertad en las cárceles de Argentina, 2005–2022"
    assert tr.english("SENAPPEN/MJSP – SISDEPEN, per-establishment files, December 2016 to December 2021") == \
        "SENAPPEN/MJSP – SISDEPEN, archivos por establecimiento, diciembre de 2016 a diciembre de 2021"


# ------------------------------------------------------------------------------------- Numbers ---

@pytest.mark.parametrize("language, count, share", [("en", "4,391", "37.5%"), ("es", "4.391", "37,5%"),
                                                    ("pt", "4.391", "37,5%")])
def test_numbers_by_locale(language, count, share):
    assert i18n.format_number(4391, language) == count
    assert i18n.format_percent(37.5, language) == share
    assert i18n.format_number(1234567.25, language, 1) == {"en": "1,234,567.3"}.get(language, "1.234.567,3")
    assert i18n.format_number(-0.04, language, 1) == "0" + ("." if language == "en" else ",") + "0"
    assert i18n.format_cell(2015, language, grouping=False) == "2015"


# ------------------------------------------------------------------------------------- Figures ---

def test_translated_figure_is_byte_identical_across_runs(figures):
    figure = next(f for f in figures if f.name.startswith("fig-20"))
    tr = i18n.Translator("pt")
    first, second = report.translate_figure(figure, tr), report.translate_figure(figure, tr)
    assert first.files == second.files
    assert first.files["txt"].decode().startswith("Legenda: Pessoas custodiadas em celas no Brasil")
    assert b"Homens" in first.files["svg"] or len(first.files["svg"]) > 1000  # text drawn as paths
    plt.close("all")


def test_every_figure_has_a_redraw(figures):
    assert sorted(report.FIGURE_REGISTRY) == sorted(f.name for f in figures)


def test_zip_is_deterministic_and_complete(figures):
    first, second = report.figure_zip(figures), report.figure_zip(list(reversed(figures)))
    assert first == second
    bundle = zipfile.ZipFile(io.BytesIO(first))
    names = bundle.namelist()
    assert names == sorted(names)
    assert names == sorted(f"{f.name}.{fmt}" for f in figures for fmt in report.FIGURE_FORMATS)
    assert {info.date_time for info in bundle.infolist()} == {report.ZIP_DATE}


# -------------------------------------------------------------------------------- Built outputs ---

@pytest.mark.parametrize("language", LANGUAGES)
def test_briefing_lists_every_figure_and_table(language, figures, tables):
    page = report.briefing_path(language).read_text(encoding="utf-8")
    for figure in figures:
        assert f'id="{figure.name}"' in page and f"{figure.name}.svg" in page, figure.name
    for table in tables:
        assert f'id="{table.name}"' in page and f"tables/{table.name}.csv" in page, table.name
    for section in ("headline", "figures", "tables", "claims", "quality", "definitions", "provenance"):
        assert f'id="{section}"' in page
    # Nothing the page loads or links to is online (source URLs appear as text only).
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_committed_english_zip_matches_a_fresh_build(figures):
    assert report.zip_path("en").read_bytes() == report.figure_zip(figures)


def test_index_links_every_executed_notebook():
    page = report.INDEX.read_text(encoding="utf-8")
    for notebook in sorted(paths.EXECUTED_NOTEBOOKS.glob("*.html")):
        assert f'href="notebooks/{notebook.name}"' in page, notebook.name


def test_claims_table_is_placed_in_the_claims_section():
    assert report.table_section("claims") == "claims"
    assert report.table_section("tab-35-uruguay-claims") == "claims"
    assert report.table_section("tab-23-brazil-reconciliation") == "quality"
    assert report.table_section("tab-01-women-held-latest") == "tables"


def test_pipeline_state_is_stable_and_ignores_this_stage():
    first, second = report.pipeline_state(), report.pipeline_state()
    assert first == second
    assert report.STAGE not in first["stale"] and report.STAGE not in first["current"]


def test_metrics_are_numbers_only():
    def leaves(value):
        if isinstance(value, dict):
            for inner in value.values():
                yield from leaves(inner)
        else:
            yield value

    assert all(isinstance(v, (int, float)) for v in leaves(report.headline_metrics()))
