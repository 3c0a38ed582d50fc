"""The changes report in three languages: every text translated, numbers in each language's format, the
manuscript quoted as written, long tables collapsed in HTML, and the command to accept the verdicts at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from pipeline import i18n
from pipeline.changes import diff, output, render
from pipeline.changes.compare import Changes

from test_changes_diff import BASE, FINDINGS, SOURCES  # noqa: I001 — tests/changes is on sys.path

WRITTEN = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
SENTENCE = "A made-up sentence of a manuscript: 2,996 people, 33 of them counted twice."


def everything_changed() -> Changes:
    new = BASE.copy()
    new.loc[1, "value"] = 1234.0  # ARG persons_held 2021: 200 -> 1,234 (+517.0%)
    new.loc[2, "value"] = 12.25  # ARG share: 10.00 -> 12.25 percent (+22.5%)
    new.loc[4, "definition"] = "revised definition"
    new = pd.concat([new.drop(index=0)], ignore_index=True)
    claims = pd.DataFrame([{"claim_id": "arg-trans-women-held-2015", "section": "Intro", "stated": "33",
                            "change": "verdict", "old_computed": "33", "new_computed": "40.5",
                            "old_status": "matches_published", "new_status": "contradicted", "old_caveat": "",
                            "new_caveat": "compares counts of different scope",
                            "expected": "matches_published", "old_computed_phrase": None,
                            "new_computed_phrase": {"key": "page.claims.computed.value",
                                                    "values": {"value": i18n.quantity(4040.5, 1)}},
                            "sentence": SENTENCE, "line": 322}])
    to_accept = pd.DataFrame([{"claim_id": "arg-trans-women-held-2015", "expected": "matches_published",
                               "status": "contradicted", "computed": "40.5", "computed_phrase": None,
                               "sentence": SENTENCE, "line": 322}])
    findings_new = FINDINGS.replace("27.8,exclude", "1027.8,exclude")
    tables = [diff.findings_table("tab-22-brazil-data-quality", diff.read_table(FINDINGS),
                                  diff.read_table(findings_new)),
              diff.findings_table("tab-98-new-check", None, diff.read_table("rule,value\nz,1\n")),
              diff.findings_table("tab-97-old-check", diff.read_table("rule,value\nz,1\n"), None)]
    new_sources = {"sisdepen": SOURCES["sisdepen"] | {"files": [SOURCES["sisdepen"]["files"][0]
                                                                | {"bytes": 12345, "sha256": "e" * 64}]},
                   "sneep": SOURCES["sneep"]}
    fetched = diff.fetched_files("sneep", {"files": []}, {"files": [{"file": "sneep-2022.csv", "bytes": 98765,
                                                                       "sha256": "f" * 64}]})
    fetched["manual"] = True
    return Changes(baseline="HEAD (commit abc1234 of 2026-01-14)",
                   baseline_facts={"kind": "git", "revision": "HEAD", "commit": "abc1234", "date": "2026-01-14",
                                   "subject": "Add SISDEPEN 2022-06"},
                   rows_before=len(BASE), rows_now=len(new), long_table=diff.long_table(BASE, new),
                   metrics=diff.metrics({"brazil": {"women_in_cells": 29843, "share_pct": 57.0}},
                                        {"brazil": {"women_in_cells": 31250, "share_pct": 58.25}}),
                   claims=claims, to_accept=to_accept, tables=tables, pins=diff.source_pins(SOURCES, new_sources),
                   fetched=fetched, manuscript="data/raw/manuscript/paper.txt",
                   notes={"fetched": "the baseline's provenance records are not in DVC's local cache"},
                   parameters=diff.parameters({"brazil": {"outlier_treatment": "exclude", "ratio": 5.0},
                                               "report": {"languages": ["en", "es", "pt"]}},
                                              {"brazil": {"outlier_treatment": "keep", "ratio": 5.0,
                                                          "new_key": 1}, "report": {"languages": ["en", "es"]}}))


def nothing_changed() -> Changes:
    same = diff.read_table(FINDINGS)
    return Changes(baseline="snapshot", baseline_facts={"kind": "snapshot", "folder": "../before",
                                                        "saved": "2026-01-14T08:00:00Z", "commit": "abc1234"},
                   rows_before=len(BASE), rows_now=len(BASE), long_table=diff.long_table(BASE, BASE),
                   metrics=diff.metrics({"a": 1}, {"a": 1}),
                   claims=pd.DataFrame(columns=[*diff.CLAIM_COLUMNS, "sentence", "line"]),
                   to_accept=pd.DataFrame(columns=["claim_id", "expected", "status", "computed", "sentence", "line"]),
                   tables=[diff.findings_table("tab-22-brazil-data-quality", same, same)],
                   pins=diff.source_pins(SOURCES, SOURCES), fetched=diff.fetched_files("sneep", None, None),
                   manuscript="data/raw/manuscript/paper.txt")


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    sections = render.model(everything_changed(), WRITTEN)
    return {"md": render.markdown(sections),
            **{code: render.html(sections, code, ["en", "es", "pt"]) for code in ("en", "es", "pt")}}


def visible(html: str) -> str:
    """The page's text as a reader sees it: tags as spaces, a line-break opportunity in an identifier (<wbr>) as
    nothing."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.replace("<wbr>", "")))


def test_the_summary_comes_first_with_counts_the_verdicts_that_moved_and_the_largest_changes(pages):
    markdown = pages["md"]
    assert markdown.index("## Summary") < markdown.index("### Verdicts that moved (1)") < \
        markdown.index("### Largest changes in the long table") < markdown.index("## Long table")
    assert ("Long table (`data/processed/indicators.csv`): 6 rows in the baseline, 5 now. Added: 0; removed: 1; "
            "another value: 2; another definition only: 1.") in markdown
    assert "Claims with another verdict: 1;" in markdown
    assert "Not fully compared (fetched files): the baseline's provenance records" in markdown
    assert "| `ARG` | `persons_held` | `src` | `female` | `2021` | 200 | 1,234 | 1,034 | 517.0% |" in markdown
    assert "| `ARG` | `share` | `src` | `female` | `2021` | 10.00 | 12.25 | 2.25 | 22.5% | `percent` |" in markdown
    assert markdown.rstrip().endswith("Then run `make repro` and commit both files with the rebuilt outputs.")
    assert 'make accept-verdicts REASON="…"' in markdown


def test_the_definitions_a_researcher_changed_come_right_after_the_summary(pages):
    """A newcomer changed `brazil.outlier_treatment` and read "104 changed, 94 new definition(s)" with the
    parameter named only deep in a definitions table: the report names the keys of params.yaml that changed first."""
    markdown = pages["md"]
    assert "Keys of `params.yaml` changed, added or removed: 3." in markdown
    assert markdown.index("## Summary") < markdown.index("## Definitions changed (`params.yaml`)") < \
        markdown.index("## Long table")
    for row in ("| `brazil.new_key` | added |  | `1` |",
                "| `brazil.outlier_treatment` | changed | `exclude` | `keep` |",
                '| `report.languages` | changed | `["en", "es", "pt"]` | `["en", "es"]` |'):
        assert row in markdown
    assert "ratio" not in markdown.split("## Long table")[0]  # an unchanged key is not listed
    assert "Claves de params.yaml cambiadas, añadidas o eliminadas: 3." in visible(pages["es"])
    assert "Definições alteradas (params.yaml)" in visible(pages["pt"])


@pytest.mark.parametrize("language, number, percent, verdict", [
    ("en", "1,234", "517.0%", "contradicted (compares counts of different scope)"),
    ("es", "1.234", "517,0%", "contradicha (compara recuentos de distinto alcance)"),
    ("pt", "1.234", "517,0%", "contradita (compara contagens de abrangência diferente)")])
def test_each_language_writes_its_numbers_and_words(pages, language, number, percent, verdict):
    page = visible(pages[language])
    assert number in page and percent in page and verdict in page
    assert i18n.format_number(12.25, language, 2) in page  # a share, with its unit's decimals
    assert i18n.format_number(12345, language) in page  # the new pin's size
    assert i18n.format_number(4040.5, language, 1) in page  # the claim's computed value, from its phrase
    assert i18n.format_number(1027.8, language, 1) in page  # a finding's new value
    assert f'<html lang="{language}">' in pages[language]


def test_the_manuscript_is_quoted_as_written_in_every_language(pages):
    for language in ("en", "es", "pt"):
        assert SENTENCE in visible(pages[language])
    assert "2.996 people" not in pages["es"]


def test_spanish_and_portuguese_pages_have_no_english_report_text(pages):
    english = i18n.Translator("en")
    for language in ("es", "pt"):
        page = visible(pages[language])
        for key in ("page.changes.title", "page.changes.summary", "page.changes.claims", "page.changes.sources"):
            assert english(key) not in page, (language, key)


def test_long_tables_are_collapsed_and_short_ones_shown(pages):
    html = pages["en"]
    assert "<summary>Unchanged metrics" not in html  # both metrics changed
    assert "<details>\n<summary>Definitions of the rows listed" in html
    assert "<h3>Verdicts that moved (1)" in html


def test_findings_say_what_appeared_disappeared_and_changed(pages):
    markdown = pages["md"]
    assert ("### `tab-22-brazil-data-quality` — appeared: 0; disappeared: 0; changed: 1 (rows matched on "
            "`rule, state, period`)") in markdown
    assert "| changed | per_capita | MA | 2019-12 | male | 27.8 → 1,027.8 | exclude |" in markdown
    assert "`tab-98-new-check` — appeared: 1; disappeared: 0; changed: 0 (a new table;" in markdown
    assert "`tab-97-old-check` — appeared: 0; disappeared: 1; changed: 0 (the table is gone;" in markdown


def test_a_findings_row_is_shown_as_the_briefings_table_shows_it_in_each_language():
    """On the es and pt pages a finding's evidence, treatment, sex and flag are translated as the briefing's tab-22 has
    them (pipeline.report.tables.cell); the rule and the unit's name stay as written; a text no translation fits (a
    baseline's older wording) is shown as written, its numbers in the page's format. English pages and the Markdown
    keep the CSV's text."""
    header = "rule,state,period,measure,sex,value,evidence,known_error,treatment\n"
    evidence = ("34 women in 1 unit whose counts of block 4.1 hold the numbers of the semester the unit reported "
                "before, court by court and sex by sex, some under another legal situation (the women each reports, "
                "its places for women, how many counts, how many of them moved, and that semester): 'CENTRAL DE "
                "MONITORAMENTO' (34; –; 2; 2; 2018-06); the state's women in all its units in 2018-12: 248 (2018-06: "
                "258; 2019-06: 212)")
    old_wording = "1,234 women in units sent again (an older wording)"
    new = (header + f'unit_repeat_moved,TO,2018-12,people_electronic_monitoring,female,34,"{evidence}",False,keep\n'
           + f'unit_repeat,TO,2018-06,people_in_cells,female,1234,"{old_wording}",False,keep\n')
    changes = dataclasses.replace(nothing_changed(), tables=[
        diff.findings_table("tab-22-brazil-data-quality", diff.read_table(header), diff.read_table(new))])
    sections = render.model(changes, WRITTEN)
    es = visible(render.html(sections, "es", ["en", "es"])).replace("&#39;", "'")
    assert ("apareció unit_repeat_moved TO 2018-12 people_electronic_monitoring mujeres 34 34 mujeres en 1 unidad "
            "cuyos recuentos del bloque 4.1 tienen los números del semestre") in es
    assert ("'CENTRAL DE MONITORAMENTO' (34; –; 2; 2; 2018-06); las mujeres del estado en todas sus unidades en "
            "2018-12: 248 (2018-06: 258; 2019-06: 212) no mantener apareció unit_repeat") in es
    assert " False " not in es and " keep " not in es
    # Identifiers may wrap after their signs, so a long measure does not squeeze the evidence's column.
    assert "people_<wbr>electronic_<wbr>monitoring" in render.html(sections, "es", ["en", "es"])
    assert "1.234 women in units sent again (an older wording)" in es  # no translation fits: as written
    pt = visible(render.html(sections, "pt", ["en", "pt"]))
    assert "34 mulheres em 1 unidade cujas contagens do bloco 4.1 têm os números" in pt and " manter " in pt
    english = visible(render.html(sections, "en", ["en", "es"])).replace("&#39;", "'")
    assert f"female 34 {evidence} False keep" in english
    assert f"| {evidence} | False | keep |" in render.markdown(sections)


def test_sources_name_the_files_a_user_supplied(pages):
    assert "`sneep-2022.csv`, supplied by hand in `data/manual/sneep/`" in pages["md"]
    assert "| `sisdepen` | `sisdepen/b.xlsx` | removed |" in pages["md"]


def test_nothing_changed_says_so_in_every_language():
    sections = render.model(nothing_changed(), WRITTEN)
    markdown = render.markdown(sections)
    assert "Nothing changed: every compared file is as in the baseline." in markdown
    assert "the snapshot `../before`, saved `2026-01-14T08:00:00Z` (UTC) at commit `abc1234`" in markdown
    assert "No claim's verdict differs from the one recorded in `data/claims.yaml`: nothing to accept." in markdown
    assert "No parameter changed: the definitions are the baseline's." in markdown
    assert "accept-verdicts" not in markdown
    for language in ("es", "pt"):
        assert i18n.Translator(language)("page.changes.nothing") in render.html(sections, language, ["en", language])


def test_write_puts_every_file_in_place_at_once(tmp_path):
    written = output.write(everything_changed(), WRITTEN, target=tmp_path / "changes")
    assert sorted(p.name for p in written) == ["changes-es.html", "changes-pt.html", "changes.html", "changes.md"]
    assert all(p.exists() for p in written)
    line = output.summary_line(everything_changed(), written)
    assert "claims 1 new verdict(s)" in line and "(arg-trans-women-held-2015)" in line


def test_the_line_after_a_build_says_where_the_briefing_is_in_each_language(monkeypatch):
    """A newcomer's `make repro` ended on the changes line, with nothing to say where the briefing is: the line after
    it names each language's page (params.yaml `report.languages`, English first)."""
    assert output.briefing_line() == ("the briefing: reports/briefing.html (reports/briefing-es.html, "
                                      "reports/briefing-pt.html) — open it in a browser")
    monkeypatch.setattr(output, "languages", lambda: ["en"])
    assert output.briefing_line() == "the briefing: reports/briefing.html — open it in a browser"


def test_headline_numbers_keyed_by_country_keep_years_ungrouped_and_shares_with_a_decimal():
    """reports/metrics/<quantity>.json is keyed by country: the quantity, not the country code, says whether a
    number is a year (never grouped) or a share (at least one decimal)."""
    rows = diff.metrics({"argentina-latest-year": {"ARG": 2021}, "sisdepen-women-drug-law-share-pct": {"BRA": 57},
                         "unodc-women-held": {"BRA": 41580}},
                        {"argentina-latest-year": {"ARG": 2022}, "sisdepen-women-drug-law-share-pct": {"BRA": 56.9},
                         "unodc-women-held": {"BRA": 41580}})
    shown = {r.path: render._metric_row(r)[2:] for r in rows.itertuples()}
    assert [cell["grouping"] for cell in shown["argentina-latest-year.ARG"]] == [False, False, False]
    assert [cell["decimals"] for cell in shown["sisdepen-women-drug-law-share-pct.BRA"]] == [1, 1, 1]
    assert [(cell["grouping"], cell["decimals"]) for cell in shown["unodc-women-held.BRA"]] == [(True, 0)] * 3
