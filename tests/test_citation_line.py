"""The "how to cite" line (pipeline/citation.py): CITATION.cff's authors, title and version and the data snapshots
of data/sources.yaml, in each language; the briefing pages and the profiles carry it."""

from __future__ import annotations

import markupsafe

from pipeline import citation, i18n, paths

CITED = citation.Citation("A. Author", "A title", "9.9.9", {"unodc_prisons": "2023-05-11", "sisdepen": "2023"})


def test_line_names_version_and_snapshots_in_the_language():
    assert citation.line(i18n.Translator("en"), citation=CITED) == (
        "How to cite: A. Author, “A title”, version 9.9.9; data as published in the snapshots unodc_prisons "
        "2023-05-11; sisdepen 2023 (data/sources.yaml). Cite the publishers of the data as well.")
    assert citation.line(i18n.Translator("es"), ("unodc_prisons", "absent"), citation=CITED).startswith(
        "Cómo citar: A. Author, «A title», versión 9.9.9; datos tal como se publicaron en las versiones "
        "unodc_prisons 2023-05-11 (data/sources.yaml)")


def test_the_projects_citation_takes_dated_snapshots_only():
    cited = citation.read()
    assert (cited.version, cited.authors) == ("0.1.0", "The briefing-pipeline maintainers")
    assert cited.snapshots == {"unodc_prisons": "2023-05-11", "unodc_drug_crimes": "2024", "sisdepen": "2023",
                               "sisdepen_reports": "2023"}  # sneep's is "not pinned"; the manuscript is no data


def test_briefing_pages_carry_the_line():
    for language in ("en", "es", "pt"):
        page = paths.briefing(language).read_text(encoding="utf-8")
        line = citation.html_line(i18n.Translator(language))
        assert f'<p class="muted cite">{line}</p>' in page and "<code>0.1.0</code>" in line
        assert markupsafe.Markup(line).striptags() == citation.line(i18n.Translator(language))


def test_html_line_escapes_its_parts():
    tricky = citation.Citation("A <b>", "T & U", "1.0", {"x": "2020"})
    line = citation.html_line(i18n.Translator("en"), citation=tricky)
    assert "A &lt;b&gt;" in line and "T &amp; U" in line and "<code>1.0</code>" in line
