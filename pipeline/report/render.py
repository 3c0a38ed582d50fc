"""The briefing's pages and the reviewer index, filled from the page templates (pipeline/report/templates/) in each
language: every text from the translation table (pipeline.i18n), every number in the language's format.

Each briefing page is written twice: linked (`briefing[-lang].html`: its figures are the SVG files of figures/,
so the page stays small and shows exactly the committed figures) and standalone (`briefing[-lang].standalone.html`:
the same page with each figure inside it as a data URI, so that a copy sent by e-mail or saved elsewhere still
shows them; its links to data files work beside the repository's reports/ folder only, as it says).
"""

from __future__ import annotations

import base64
import json
import re

import jinja2
import markupsafe

from pipeline import citation, dvc_yaml, i18n, paths, registry
from pipeline.report import definitions, tables
from pipeline.report.inputs import Figure, Table

# The page's sections, by the id of their heading, each with the translation key of its title (`page.<key>`) and,
# for the sections of tables, the table section (inputs.table_section) it shows. The claims heading is not
# `claims`: that is the claims check's own table's anchor.
SECTIONS = {"headline": "headline", "contents": "contents", "figures": "figures", "tables": "tables",
            "claims-check": "claims", "quality": "quality", "definitions": "definitions", "provenance": "provenance"}
TABLE_SECTIONS = ("tables", "claims", "quality")
ROWS_SHOWN_OPEN = 40  # a table with more rows starts folded (its summary says how many): the claims check (33) opens
_BREAK_AFTER = re.compile(r"([_/;,.:=|-])(?=\S)")  # where a long code may wrap: after these signs


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     trim_blocks=True, lstrip_blocks=True)
    # A text's English-written numbers in the page's language: {{ text|numbers(lang) }}.
    environment.filters["numbers"] = i18n.localise_numbers
    environment.filters["breakable"] = breakable
    return environment


def breakable(text: str) -> markupsafe.Markup:
    """A code that may wrap after its signs (people_in_cells_in_reporting_units_pct, ury-062;ury-063): a line
    break opportunity (<wbr>) after each, so a narrow column never pushes its table off the page."""
    return markupsafe.Markup("<wbr>").join(markupsafe.escape(part) for part in _BREAK_AFTER.sub("\\1\0", text)
                                           .split("\0"))


# ----------------------------------------------------------------------------------------- Tables ---

def html_table(table: Table, tr: i18n.Translator, shown: tables.ShownTable | None = None) -> dict:
    """A table for the page: tables.show() split into the columns of the row and those of its details (`shown`:
    what tables.show gives, when the caller has it already)."""
    shown = shown or tables.show(table, tr)
    main, details = shown.main, shown.details
    rows = []
    for row in shown.rows:
        more = [(shown.columns[i].header, _cell(row[i], tr)) for i in details if row[i].text]
        rows.append({"cells": [_cell(row[i], tr) for i in main], "details": more})
    return {"name": shown.name, "title": shown.title, "source": shown.source, "csv": shown.csv,
            "xlsx": paths.relative(paths.spreadsheet(shown.name, tr.language)).removeprefix("reports/"),
            "stated": shown.stated, "headers": [shown.columns[i].header for i in main],
            "numeric": [shown.columns[i].numeric for i in main], "rows": rows, "empty": shown.empty,
            "section": shown.section, "folded": len(rows) > ROWS_SHOWN_OPEN,
            "explained": [shown.columns[i].header for i in details]}


def _cell(cell: tables.Cell, tr: i18n.Translator) -> dict:
    """A cell's text and the attributes that say what it is: a number, a code or name (translate="no", never
    translated), a quotation of the English manuscript (lang="en")."""
    classes = {"number": "number", "identifier": "code", "name": "name", "flag": "flag"}.get(cell.kind, "")
    return {"text": breakable(cell.text) if cell.kind == "identifier" else cell.text, "class": classes,
            "keep": cell.kind in ("identifier", "name"), "english": cell.kind == "quote" and tr.language != "en"}


# ---------------------------------------------------------------------------------------- Figures ---

def figure_entry(figure: Figure, tr: i18n.Translator, standalone: bool) -> dict:
    """A figure for the page: its image (a file of figures/, or inside the page), texts and downloads."""
    files = {fmt: "../" + paths.relative(paths.figure(figure.name, tr.language, fmt))
             for fmt in ("svg", "png", "pdf", "txt")}
    data = {"csv": "../" + paths.relative(paths.figure(figure.name, "en", "csv")) if tr.language == "en"
            else _report_link(paths.spreadsheet(figure.name, tr.language, ".csv")),
            "xlsx": _report_link(paths.spreadsheet(figure.name, tr.language))}
    image = ("data:image/svg+xml;base64," + base64.b64encode(figure.files["svg"]).decode("ascii")
             if standalone else files["svg"])
    return {"name": figure.name, "number": _number(figure.name), "caption": figure.caption, "source": figure.source,
            "alt": figure.alt, "image": image, "files": files, "data": data,
            "stated": definitions.stated(figure.stated, tr, f"{figure.name} definitions")}


def _report_link(path) -> str:
    return paths.relative(path).removeprefix(paths.relative(paths.REPORTS) + "/")


def _number(name: str) -> str:
    """The number of a figure or table in its id, as text: 'fig-01-women-share' -> '1' ('' if it has none)."""
    found = registry.number(name)
    return "" if found is None else str(found)


# ------------------------------------------------------------------------------------ Definitions ---

def definitions_used(tr: i18n.Translator) -> list[dict]:
    """Every section of params.yaml with the values this build used and the explanation of each (the file's
    comments), grouped under the file's banners, in the language."""
    groups: list[dict] = []
    for section in definitions.parameters():
        where = f"params.yaml {section.name}"
        title = tr.english(section.group, where) if section.group else ""
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "sections": []})
        items = [{"note": tr.english(item, where)} if isinstance(item, str) else
                 {"key": item.key, "value": item.value,
                  "explanation": tr.english(item.explanation, f"{where}.{item.key}") if item.explanation else ""}
                 for item in section.items]
        groups[-1]["sections"].append({"name": section.name, "items": items, "explanation":
                                       tr.english(section.explanation, where) if section.explanation else ""})
    return groups


# ----------------------------------------------------------------------------------------- Sources ---

def source_entry(source: dict, tr: i18n.Translator) -> dict:
    """A source of data/sources.yaml with its provenance record, its texts in the language (URLs, dates, file
    names and hashes as written)."""
    where = f"{paths.relative(paths.SOURCES)} {source['id']}"

    def text(value: str) -> str:
        return tr.english(value, where) if value and i18n.has_words(value) and not i18n.is_code(value) \
            else i18n.localise_numbers(value, tr.language)

    snapshot = source.get("snapshot", {})
    page = source.get("page", "")
    fetched = source.get("fetched")
    return {"id": source["id"], "title": text(source["title"]), "publisher": text(source["publisher"]),
            "licence": text(source["licence"]), "citation": text(source["citation"]),
            "page": page, "page_is_link": page.startswith(("http://", "https://")),
            "page_text": "" if page.startswith(("http://", "https://")) else text(page),
            "snapshot_date": text(str(snapshot.get("date", ""))), "snapshot_note": text(snapshot.get("note", "")),
            "copy_of": text(snapshot.get("copy_of", "")), "record": source.get("record"),
            "files": [{**file, "retrieved": tr(f"page.retrieved.{file['retrieved_from']}")}
                      for file in (fetched or {}).get("files", [])] if fetched else None}


# ------------------------------------------------------------------------------------------- Pages ---

def render_briefing(language: str, languages: list[str], figures: list[Figure], table_list: list[Table],
                    metrics: dict, state: dict, source_list: list[dict], standalone: bool = False,
                    shown: list[tables.ShownTable] | None = None) -> str:
    """The briefing page in `language` (`shown`: each table of `table_list` as tables.show gives it in the language,
    when the caller has them already: the page's two variants and the spreadsheets show the same)."""
    tr = i18n.Translator(language)
    shown = shown or [tables.show(table, tr) for table in table_list]
    rendered_tables = [html_table(table, tr, one) for table, one in zip(table_list, shown, strict=True)]
    sections = {key: [t for t in rendered_tables if t["section"] == key] for key in TABLE_SECTIONS}
    figure_entries = [figure_entry(figure, tr, standalone) for figure in figures]
    context = {
        "t": tr, "lang": language, "standalone": standalone,
        "languages": [(lang, (paths.briefing_standalone(lang) if standalone else paths.briefing(lang)).name)
                      for lang in languages],
        "figures": figure_entries, "sections": sections,
        "contents": contents(figure_entries, sections, tr),
        "claims_present": paths.CLAIMS_TABLE.with_suffix(".csv").is_file(),
        "headline": headline_rows(metrics, tr, count_notes(table_list)),
        "definitions": definitions_used(tr), "state": state,
        "sources": [source_entry(source, tr) for source in source_list],
        "zip": paths.figure_bundle(language).name, "index": paths.INDEX.name,
        "cite": citation.html_line(tr),  # the "how to cite" line (templates/_cite.html.j2)
        "other_variant": (paths.briefing(language) if standalone else paths.briefing_standalone(language)).name,
        "page_file": paths.relative(paths.briefing_standalone(language) if standalone else paths.briefing(language)),
    }
    return _environment().get_template("briefing.html.j2").render(**context)


def contents(figures: list[dict], sections: dict, tr: i18n.Translator) -> list[dict]:
    """The page's table of contents: each section, with its figures and tables listed by number and title."""
    entries = []
    for anchor, key in SECTIONS.items():
        if anchor == "contents":
            continue
        items = []
        if key == "figures":
            items = [(f["name"], tr("page.figure_label", number=f["number"]), f["caption"]) for f in figures]
        elif key in TABLE_SECTIONS:
            items = [(t["name"], tr("page.table_label", number=_number(t["name"])) if _number(t["name"]) else "",
                      t["title"]) for t in sections[key]]
        entries.append({"id": anchor, "title": tr(f"page.{key}"), "items": items})
    return entries


def headline_rows(metrics: dict, tr: i18n.Translator,
                  notes: dict[str, str] | None = None) -> list[tuple[str, str, str]]:
    """The headline metrics as (label, value, note) in the language, for the top of the briefing: the UNODC numbers
    of a country whose count tab-01 notes (Brazil's includes women outside cells) carry that note, as the table says
    it. The Argentina chapter's latest count is shown only where it is not UNODC's count of the same year."""
    rows, notes = [], notes or {}
    for country, held in metrics["unodc-women-held"].items():
        year = metrics["unodc-latest-complete-year"][country]
        note = tr.english(notes[country], f"tab-01's note on the {country} count") if notes.get(country) else ""
        rows.append((tr("page.metric.regional_women_held", country=tr(f"page.country.{country}"), year=year),
                     tr.number(held), note))
        rows.append((tr("page.metric.regional_share", country=tr(f"page.country.{country}"), year=year),
                     tr.percent(metrics["unodc-women-share-pct"][country]), note))
    period = metrics["sisdepen-latest-period"]["BRA"]
    rows.append((tr("page.metric.brazil_women_in_cells", period=period),
                 tr.number(metrics["sisdepen-women-in-cells"]["BRA"]), ""))
    rows.append((tr("page.metric.brazil_drug_share_women", period=period),
                 tr.percent(metrics["sisdepen-women-drug-law-share-pct"]["BRA"]), ""))
    rows.append((tr("page.metric.brazil_drug_share_men", period=period),
                 tr.percent(metrics["sisdepen-men-drug-law-share-pct"]["BRA"]), ""))
    # The Argentina chapter's count is UNODC's unless SNEEP microdata were supplied: a row that repeats one above
    # (UNODC, the same year) is left out.
    year, held = metrics["argentina-latest-year"]["ARG"], metrics["argentina-women-held"]["ARG"]
    if (year, held) != (metrics["unodc-latest-complete-year"].get("ARG"), metrics["unodc-women-held"].get("ARG")):
        rows.append((tr("page.metric.argentina_women_held", year=year), tr.number(held), ""))
    return rows


def count_notes(table_list: list[Table]) -> dict[str, str]:
    """tab-01's notes on what a country's latest count holds (English), by country: its published table's column."""
    latest = next((table.data for table in table_list if table.name == registry.LATEST_BY_COUNTRY.id), None)
    if latest is None or "count_note" not in latest.columns:
        return {}
    return {row.country: row.count_note for row in latest.itertuples()
            if isinstance(row.count_note, str) and row.count_note}


def notebook_entries(state: dict) -> list[dict]:
    """Each executed notebook: its HTML, the parameters papermill ran it with, and the hashes of its inputs
    as the runner recorded them when it ran (pipeline.run), so this page changes only when a notebook does."""
    entries = []
    for name in sorted(registry.NOTEBOOKS.values()):
        page, executed = paths.executed_notebook(name, ".html"), paths.executed_notebook(name)
        notebook_metadata = json.loads(executed.read_text(encoding="utf-8"))["metadata"] if executed.is_file() else {}
        metadata = notebook_metadata.get("papermill", {})
        inputs = notebook_metadata.get("briefing", {}).get("inputs", [])
        stage = dvc_yaml.stage_writing(paths.relative(executed))
        entries.append({
            "name": page.stem, "href": paths.relative(page).removeprefix(paths.relative(paths.REPORTS) + "/"),
            "input": metadata.get("input_path", ""),
            "parameters": json.dumps(metadata.get("parameters", {}), indent=2, sort_keys=True, ensure_ascii=False),
            "stage": stage, "deps": [(d["path"], d["md5"], d["bytes"]) for d in inputs],
            "status": state["current"].get(stage) or state["stale"].get(stage) if stage else None,
        })
    return entries


def render_index(languages: list[str], state: dict, quantities: list[str]) -> str:
    """The reviewer index; `quantities` are the headline numbers' files (reports/metrics/<quantity>.json), each
    linked (a link to the folder would lead to nothing in a browser opening the page from disk)."""
    reports = paths.relative(paths.REPORTS) + "/"
    context = {"notebooks": notebook_entries(state), "state": state,
               "briefings": [(lang, paths.briefing(lang).name, paths.figure_bundle(lang).name) for lang in languages],
               "metrics": [(quantity, paths.relative(paths.metrics_file(quantity)).removeprefix(reports))
                           for quantity in sorted(quantities)]}
    return _environment().get_template("index.html.j2").render(**context)
