"""The one drawing path (pipeline/figures.py): every figure of the registry, in every language, draws exactly the
points of its data CSV (issue 13, item 4); a drawing is byte-stable; the check fires on a figure that draws more or
less than its data; and adding a figure is one registry entry, one chart function and its translation rows."""

from __future__ import annotations

import csv
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline import dvc_yaml, export, figure_layout, figures, i18n, paths, registry, style
from pipeline import io as pipeline_io
from pipeline.chapters.regional import charts as regional_charts
from pipeline.errors import PipelineError

LANGUAGES = i18n.languages()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("figure", registry.FIGURES, ids=lambda figure: figure.id)
def test_every_figure_draws_exactly_the_points_of_its_committed_csv(figure, language, drawn):
    committed = paths.figure(figure.id, language, "csv").read_text(encoding="utf-8")
    chart = drawn(figure, language)
    export.check_points(chart, committed, figure.x, figure.y, figure.id)
    assert sum(export.drawn_points(chart).values()) == sum(export.csv_points(committed, figure.x, figure.y).values())
    # ... and the CSV holds the build's rows the figure draws, nothing else.
    assert committed == pipeline_io.csv_text(figures.data(figure))


def test_fig01s_panels_follow_the_alphabet_of_the_language_it_is_drawn_in(drawn):
    """The focus countries first, then the others in the alphabetical order of their names as the page writes them
    (the alt text says so): an author's review found Spanish and Portuguese panels in the English order."""
    figure = registry.figure("fig-01-women-share-latin-america")
    titles = {language: [" ".join(axes.get_title(loc="left").split()) for axes in drawn(figure, language).axes]
              for language in LANGUAGES}
    assert titles["en"][:3] == ["Argentina", "Brazil", "Uruguay"]
    assert titles["en"][3:] == sorted(titles["en"][3:])
    for language in ("es", "pt"):
        assert titles[language][3:] == sorted(titles[language][3:], key=regional_charts._alphabetical), language
    assert titles["es"].index("Puerto Rico") < titles["es"].index("República Dominicana") < titles["es"].index(
        "Saint Kitts y Nevis")
    assert titles["pt"].index("Santa Lúcia") < titles["pt"].index("São Cristóvão e Névis")


def test_the_check_fires_when_the_data_holds_a_point_not_drawn_or_lacks_one_drawn():
    style.use_house_style()
    chart, axes = plt.subplots()
    axes.plot([2015, 2022], [2996.0, 4391.0])
    axes.axvline(2020)  # a reference line is not a point
    axes.plot([], [])  # nor an empty legend entry
    table = pd.DataFrame({"year": [2015, 2022], "women_held": [2996.0, 4391.0]})
    export.check_points(chart, table.to_csv(index=False), "year", ("women_held",), "fig-99-test")
    with pytest.raises(PipelineError, match=r"1 in the CSV but not drawn, e\.g\. \[\(2023\.0, 5000\.0\)\]"):
        export.check_points(chart, pd.concat([table, pd.DataFrame({"year": [2023], "women_held": [5000.0]})])
                            .to_csv(index=False), "year", ("women_held",), "fig-99-test")
    with pytest.raises(PipelineError, match=r"1 drawn but not in the CSV"):
        export.check_points(chart, table.head(1).to_csv(index=False), "year", ("women_held",), "fig-99-test")
    plt.close(chart)


def test_a_translated_drawing_is_byte_identical_across_runs():
    figure = registry.figure("fig-20-brazil-women-men-prison")
    first, second = (export.figure_files(figures.draw(figure, "pt")) for _ in range(2))
    assert first == second
    assert first["svg"] == paths.figure(figure.id, "pt", "svg").read_bytes()
    caption = paths.figure(figure.id, "pt", "txt").read_text(encoding="utf-8")
    assert caption.startswith("Legenda: Pessoas custodiadas em celas no Brasil")


# What each figure says of its place, in every language: its title names the country or region.
PLACES = {"en": ("Latin America", "Argentina", "Brazil", "Uruguay"),
          "es": ("América Latina", "Argentina", "Brasil", "Uruguay"),
          "pt": ("América Latina", "Argentina", "Brasil", "Uruguai")}
LUC = {"en": "Law of Urgent Consideration", "es": "Ley de Urgente Consideración",
       "pt": "Lei de Urgente Consideração"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_figures_speak_in_words_name_their_country_and_cite_publishers(language, drawn):
    """For print: no registry ids (ury-065) or repository paths (data/....csv) on a figure, its source line
    included; the country in every title; an abbreviation such as LUC expanded on the figure that uses it."""
    for figure in registry.FIGURES:
        chart = drawn(figure, language)
        words = [text.get_text() for _, text in figure_layout.texts(chart)]
        paths_or_ids = r"\b[a-z]{3}-\d{3}\b|\w+/\w+\.(csv|py|yaml)|\boud\b"
        assert not [w for w in words if re.search(paths_or_ids, w)], figure.id
        assert any(place in style.title_of(chart).replace("\n", " ") for place in PLACES[language]), figure.id
        if any(re.search(r"\bLUC\b", w) for w in words):
            assert sum(LUC[language] in w.replace("\n", " ") for w in words) == 1, figure.id


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_a_caption_file_states_its_definitions_in_its_language(language):
    """figures/<lang>/*.txt, what authors paste: the definitions in words are in the language, as the briefing's
    page states them (parameters and codes as params.yaml holds them); fig-22's caption says what became of the
    flagged state-semesters, in words, and names Brazil."""
    from pipeline.chapters import interim
    from pipeline.report import definitions

    tr = i18n.Translator(language)
    label = tr(export.CAPTION_KEYS["definitions"])
    for figure in registry.FIGURES:
        if figure.definitions is None:
            continue
        stated = registry.definitions(figure.definitions, interim.values(figure.chapter))
        lines = paths.figure(figure.id, language, "txt").read_text(encoding="utf-8").splitlines()
        shown = definitions.in_language(stated, tr, figure.id)
        assert f"{label}: {export.definitions_text(shown)}" in lines, figure.id
    spanish = paths.figure("fig-10-argentina-women-held", "es", "txt").read_text(encoding="utf-8")
    if language == "es":
        assert "proporción, SNEEP según se cita = mujeres sobre las personas alojadas" in spanish
        assert "women over the persons housed" not in spanish
    caption = paths.figure("fig-22-brazil-drug-share-women-men", language, "txt").read_text(encoding="utf-8")
    assert caption.splitlines()[0].endswith({"es": "(tabla 22 del informe): excluidos de las sumas nacionales.",
                                             "pt": "(tabela 22 do informe): excluídos das somas nacionais."}[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_written_in_a_caption_or_alt_text_is_in_the_figures_data(language):
    """The numbers a caption or alt text states in words (Uruguay's 'about 600 … over 1,400', '24.5%') are typed in
    the translation table, not computed: each must lie within 5% of a value of the figure's data CSV, so a new
    semester or census that moves the data makes this fail until the text is rewritten. Years and table numbers
    are not statistics."""
    thousands, decimal = i18n.NUMBER_MARKS[language]
    number = re.compile(rf"(?<![\w.,-])(\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+(?:{re.escape(decimal)}\d+)?)(%?)")
    table_word = re.compile(r"(table|tabla|tabela)\s+$")
    stated = 0
    for figure in registry.FIGURES:
        lines = paths.figure(figure.id, language, "txt").read_text(encoding="utf-8").splitlines()[:3:2]  # caption, alt
        data = pd.read_csv(paths.figure(figure.id, "en", "csv"))
        values = [float(v) for v in data.select_dtypes("number").to_numpy().ravel() if pd.notna(v)]
        for line in lines:
            for found in number.finditer(line):
                value = float(found.group(1).replace(thousands, "").replace(decimal, "."))
                if (1990 <= value <= 2030 and not found.group(2)) or table_word.search(line[:found.start()]):
                    continue
                stated += 1
                assert any(abs(v - value) <= 0.05 * value for v in values), (figure.id, language, found.group(0))
    assert stated >= 9  # fig-30's four counts and fig-31's five shares


def test_every_figure_has_its_chart_function_and_every_text_a_translation():
    for figure in registry.FIGURES:
        assert callable(getattr(figures.CHARTS[figure.chapter], figure.chart)), figure.id
        for language in LANGUAGES:
            tr = i18n.Translator(language)
            title = tr(figure.title)  # the chart's title: a row of the translation table
            assert title.strip(), figure.id


def test_adding_a_figure_is_one_registry_entry_one_chart_function_and_its_translation_rows(tmp_path, monkeypatch):
    """The worked example of docs/architecture.md, in a copy: a new figure of the Brazil chapter (women in
    home detention) drawn in every language from the build's table, its points checked, its files written."""
    # 1. One chart function (here beside the chapter's others, as pipeline/chapters/brazil/charts.py would hold it).
    def people_domiciliary(table, settings):
        return figures.CHARTS["brazil"].sex_panels(table, "People in home detention, Brazil", "people")

    monkeypatch.setattr(figures.CHARTS["brazil"], "people_domiciliary", people_domiciliary, raising=False)
    # 2. One registry entry.
    entry = registry.Figure("fig-23-brazil-domiciliary", "brazil", "domiciliary", "people_domiciliary",
                            x="period", y=("female", "male"), title="fig-23.title",
                            caption=registry.Text("fig-23.caption"),
                            alt=registry.Text("fig-23.alt"), source=registry.Text("source.sisdepen",
                                                                                 ("first_semester", "last_semester")),
                            definitions="units")
    monkeypatch.setattr(registry, "FIGURES", (*registry.FIGURES, entry))
    # ... which dvc.yaml lists as fifteen outputs of the stage brazil_figures once regenerated (make dvc-yaml):
    # until then the stage refuses to draw it.
    outputs = [out for out in dvc_yaml._figures("brazil", LANGUAGES) if "fig-23" in out]
    assert len(outputs) == 5 * len(LANGUAGES) and "figures/es/fig-23-brazil-domiciliary.svg" in outputs
    with pytest.raises(PipelineError, match="make dvc-yaml"):
        figures.check_declared("brazil", LANGUAGES)
    generated = dvc_yaml.document()["stages"]
    monkeypatch.setattr(dvc_yaml, "stages", lambda: generated)
    figures.check_declared("brazil", LANGUAGES)
    monkeypatch.setattr(figures, "check_declared", lambda chapter, languages: None)  # its outputs go to tmp_path
    # The stage then draws it with the chapter's other figures; here it draws the new one alone (the others are
    # the committed build's, checked by the other tests of this file).
    monkeypatch.setattr(registry, "FIGURES", (entry,))
    # 3. Its translation rows (the title, caption and alt text; the panels' labels are already there).
    table = tmp_path / "translations.csv"
    with paths.TRANSLATIONS.open(encoding="utf-8", newline="") as source, table.open("w", encoding="utf-8",
                                                                                      newline="") as target:
        target.write(source.read())
        csv.writer(target, lineterminator="\n").writerows([
            ["fig-23.title", "People in home detention, Brazil", "Personas en prisión domiciliaria, Brasil",
             "Pessoas em prisão domiciliar, Brasil"],
            ["fig-23.caption", "People in home detention in Brazil by sex, in the semesters with such units.",
             "Personas en prisión domiciliaria en Brasil por sexo, en los semestres con tales unidades.",
             "Pessoas em prisão domiciliar no Brasil por sexo, nos semestres com tais unidades."],
            ["fig-23.alt", "Two line charts: women and men in home detention per semester.",
             "Dos gráficos de líneas: mujeres y hombres en prisión domiciliaria por semestre.",
             "Dois gráficos de linhas: mulheres e homens em prisão domiciliar por semestre."]])
    monkeypatch.setattr(paths, "TRANSLATIONS", table)
    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.setattr(i18n, "TABLE", table)
    monkeypatch.setattr(i18n.Translator.__init__, "__defaults__", (table,))
    i18n.load.cache_clear()
    try:
        written = figures.build("brazil")
    finally:
        i18n.load.cache_clear()
    new = sorted(p.relative_to(tmp_path).as_posix() for p in written if "fig-23" in p.name)
    assert new == sorted(f"figures/{lang + '/' if lang != 'en' else ''}fig-23-brazil-domiciliary.{fmt}"
                         for lang in LANGUAGES for fmt in export.FIGURE_FORMATS)
    caption = (tmp_path / "figures" / "es" / "fig-23-brazil-domiciliary.txt").read_text(encoding="utf-8")
    assert caption.startswith("Leyenda: Personas en prisión domiciliaria en Brasil por sexo, en los semestres")
    drawn = pd.read_csv(tmp_path / "figures" / "fig-23-brazil-domiciliary.csv", dtype={"period": str})
    assert drawn["period"].tolist() == ["2020-12", "2021-06", "2021-12"]


def test_a_language_dvc_yaml_does_not_list_stops_the_stage_before_it_draws():
    figures.check_declared("uruguay", LANGUAGES)
    with pytest.raises(PipelineError, match=r"dvc.yaml: 'report.languages' has 'fr', but dvc.yaml does not list the "
                                            r"uruguay figures in it .*make dvc-yaml"):
        figures.check_declared("uruguay", [*LANGUAGES, "fr"])


def test_data_is_read_from_the_builds_table_not_from_a_figure_file():
    figure = registry.figure("fig-30-uruguay-prison-by-sex")
    data = figures.data(figure)
    assert set(data["sex"]) == {"female", "male"}  # the table's totals are not drawn, so not in the CSV
    assert pipeline_io.csv_text(data) == paths.figure(figure.id, "en", "csv").read_text()
