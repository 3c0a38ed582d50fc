"""What the briefing pack reads (pipeline/report/inputs.py): every figure of the registry in every language, every
table, each in its section."""

from __future__ import annotations

from pipeline import i18n, registry
from pipeline.report import inputs


def test_every_registered_figure_is_read_in_every_language():
    for language in i18n.languages():
        figures = inputs.read_figures(language)
        assert [f.name for f in figures] == sorted(f.id for f in registry.FIGURES)
        assert all(f.caption and f.source and f.alt and len(f.files) == 5 for f in figures)


def test_claims_table_is_placed_in_the_claims_section():
    assert inputs.table_section("claims") == "claims"
    assert inputs.table_section("tab-35-uruguay-claims") == "claims"
    assert inputs.table_section("tab-23-brazil-reconciliation") == "quality"
    assert inputs.table_section("tab-01-women-held-latest") == "tables"
