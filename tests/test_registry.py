"""The registry (pipeline/registry.py): every figure, table and metric declared once, each pointing at a table its
chapter's build wrote, each text at a row of the translation table; the texts it renders are the committed ones."""

from __future__ import annotations

import re

import pytest

from pipeline import export, i18n, paths, registry
from pipeline.chapters import interim

_NAME = re.compile(r"^(fig|tab)-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")


def test_ids_are_unique_named_by_the_rule_and_numbered_by_chapter():
    ids = [f.id for f in registry.FIGURES] + [t.id for t in registry.TABLES]
    assert len(ids) == len(set(ids)) and all(_NAME.match(i) for i in ids)
    first_digit = {"regional": "0", "argentina": "1", "brazil": "2", "uruguay": "3"}
    for entry in (*registry.FIGURES, *registry.TABLES):
        assert entry.chapter in registry.CHAPTERS and entry.id[4] == first_digit[entry.chapter], entry.id


@pytest.mark.parametrize("entry", [*registry.FIGURES, *registry.TABLES], ids=lambda entry: entry.id)
def test_each_entry_reads_a_build_table_and_states_definitions_the_build_gives(entry):
    table = interim.read(entry.chapter, entry.table)
    values = interim.values(entry.chapter)
    columns = [entry.x, *entry.y] if isinstance(entry, registry.Figure) else list(entry.key)
    assert set(columns) <= set(table.columns), entry.id
    assert entry.definitions is None or entry.definitions in values["definitions"]


@pytest.mark.parametrize("table", registry.TABLES, ids=lambda table: table.id)
def test_the_registry_renders_each_tables_committed_title_and_source(table):
    values = interim.values(table.chapter)
    markdown = paths.table(table.id, ".md").read_text(encoding="utf-8").splitlines()
    assert markdown[0] == f"# {registry.english(table.title, values)}"
    assert f"Source: {registry.english(table.source, values)}" in markdown
    definitions = registry.definitions(table.definitions, values)
    stated = [line for line in markdown if line.startswith("Definitions used: ")]
    assert stated == ([f"Definitions used: {export.definitions_text(definitions)}"] if definitions else [])


@pytest.mark.parametrize("language", i18n.languages())
def test_every_text_of_the_registry_has_a_row_in_every_language(language):
    tr = i18n.Translator(language)
    for entry in (*registry.FIGURES, *registry.TABLES):
        texts = [entry.title, entry.source] if isinstance(entry, registry.Table) else [entry.caption, entry.alt,
                                                                                      entry.source]
        for text in texts:
            for chosen in ([text.if_true, text.if_false] if isinstance(text, registry.Choice) else [text]):
                assert tr(chosen.key).strip(), (entry.id, chosen.key)


def test_an_unknown_figure_or_table_is_one_message_naming_the_declared_ones():
    with pytest.raises(Exception, match="declared figures: fig-01-women-share-latin-america"):
        registry.figure("fig-99-nothing")
    with pytest.raises(Exception, match="declared tables: tab-01-women-held-latest"):
        registry.table("tab-99-nothing")


def test_the_unodc_definitions_point_to_the_published_findings_table():
    """The long table's UNODC definitions name the file that lists the Americas' plausibility findings: tab-02, a
    committed output (the findings of every country, data/interim/unodc_prisons_quality.csv, are not published)."""
    from pipeline.sources import unodc_prisons

    assert paths.UNODC_QUALITY_TABLE == paths.table(registry.table("tab-02-unodc-data-quality").id, ".csv")
    assert paths.UNODC_QUALITY_TABLE.is_file()
    assert "(the Americas' findings: reports/tables/tab-02-unodc-data-quality.csv)." in unodc_prisons.PLAUSIBILITY_NOTE
