"""One model per section of params.yaml (pipeline/settings.py), named after it, its fields in the file's order, so
that the briefing's 'Definitions used' lists them as the file does; every notebook declares exactly its section."""

from __future__ import annotations

import pytest

from pipeline import params, paths, registry, run, settings


def test_every_section_has_its_model_with_the_keys_of_params_yaml_in_order():
    data = params.load()
    assert list(data) == list(settings.SECTIONS)
    for name, model in settings.SECTIONS.items():
        assert model.SECTION == name and model.__name__.lower() == name.replace("_", "")
        assert list(model.model_fields) == list(data[name]), name


def test_the_models_are_the_lowest_settings_module():
    """Imported downward only: settings.py imports nothing of the pipeline."""
    source = (paths.PACKAGE / "settings.py").read_text(encoding="utf-8")
    assert "from pipeline" not in source and "import pipeline" not in source


@pytest.mark.parametrize("chapter", registry.CHAPTERS)
def test_each_notebook_declares_exactly_its_sections_keys(chapter):
    notebook = paths.notebook(registry.NOTEBOOKS[chapter])
    section = run.params_section(notebook)
    assert section == chapter
    assert list(run.notebook_parameters(notebook)) == list(settings.SECTIONS[section].model_fields)


def test_a_notebook_builds_its_settings_in_one_line_from_the_injected_parameters():
    namespace = {**params.load()["uruguay"], "unrelated": 1}
    assert settings.Uruguay.from_notebook(namespace) == params.read(settings.Uruguay)
