"""The briefing's pages and the reviewer index, filled from the page templates (pipeline/report/templates/) in each
language: every text from the translation table (pipeline.i18n), every number in the language's format."""

from __future__ import annotations

import json

import jinja2
import pandas as pd

from pipeline import citation, dvc_yaml, i18n, params, paths, registry
from pipeline.report.inputs import Figure, Table, table_section

# Columns that quote the English manuscript as printed: never re-formatted, marked as English on other pages.
QUOTED_COLUMNS = ("printed",)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     trim_blocks=True, lstrip_blocks=True)
    # A text's English-written numbers in the page's language: {{ text|numbers(lang) }}.
    environment.filters["numbers"] = i18n.localise_numbers
    return environment


def html_table(table: Table, tr: i18n.Translator) -> dict:
    """A table's headers translated and its numbers in the language's format: years and ids never grouped, the
    same decimals down a column (per unit where the table has a `unit` column), numbers inside texts localised,
    and the cells its stage wrote as phrases rendered in the language."""
    columns = list(table.data.columns)
    headers = [tr.column(column) for column in columns]
    numeric = [pd.api.types.is_numeric_dtype(table.data[column]) and not pd.api.types.is_bool_dtype(
        table.data[column]) for column in columns]
    decimals = {column: _column_decimals(table.data, column) for column, is_number in zip(columns, numeric)
                if is_number}
    phrased = table.phrases.get("cells", {})
    keys = table.data[table.phrases["key"]].astype(str).tolist() if phrased else [None] * len(table.data)
    rows = []
    for position, (key, row) in enumerate(zip(keys, table.data.astype(object).where(table.data.notna(), None)
                                              .itertuples(index=False))):
        cells = phrased.get(key, {})
        rows.append([i18n.render(cells[column], tr) if column in cells
                     else ("" if value is None else str(value)) if column in QUOTED_COLUMNS
                     else i18n.format_cell(value, tr.language, grouping=i18n.groups_thousands(column),
                                           decimals=decimals[column][position] if column in decimals else None)
                     for column, value in zip(columns, row)])
    quoted = [column in QUOTED_COLUMNS and tr.language != "en" for column in columns]
    title = tr.english(table.title, f"{table.name} title") if table.title else tr(f"page.title.{table.name}")
    source = tr.english(table.source, f"{table.name} source") if table.source else ""
    return {"name": table.name, "title": title, "source": source, "csv": paths.table(table.name, ".csv").is_file(),
            "definitions": i18n.localise_numbers(table.definitions, tr.language), "headers": headers, "rows": rows,
            "numeric": numeric, "quoted": quoted, "section": table_section(table.name)}


def _column_decimals(data: pd.DataFrame, column: str) -> list[int]:
    """Decimals of each row's number in `column`: one count for the whole column, or one per unit when the
    table has a `unit` column (a percentage and a count in one column are not compared)."""
    values = data[column].astype(object).where(data[column].notna(), None)
    units = data["unit"].astype(str) if "unit" in data else pd.Series("", index=data.index)
    per_unit = {unit: i18n.column_decimals(values[units == unit].tolist()) for unit in units.unique()}
    return [per_unit[unit] for unit in units]


def definitions_used() -> list[dict]:
    """Every section of params.yaml, as the values this build used (each checked by its settings model)."""
    return [{"section": name, "entries": [(key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str)
                                          else value) for key, value in section.model_dump().items()]}
            for name, section in params.read_all().items()]


def render_briefing(language: str, languages: list[str], figures: list[Figure], tables: list[Table],
                    metrics: dict, state: dict, source_list: list[dict]) -> str:
    tr = i18n.Translator(language)
    figure_dir = paths.relative(paths.figure_folder(language))
    rendered_tables = [html_table(table, tr) for table in tables]
    context = {
        "t": tr, "lang": language, "languages": [(lang, paths.briefing(lang).name) for lang in languages],
        "figures": [{"name": f.name, "caption": f.caption, "source": f.source, "alt": f.alt,
                     "definitions": f.definitions, "src": f"../{figure_dir}/{f.name}"} for f in figures],
        "sections": {key: [t for t in rendered_tables if t["section"] == key]
                     for key in ("tables", "quality", "claims")},
        "claims_present": paths.CLAIMS_TABLE.with_suffix(".csv").is_file(),
        "headline": headline_rows(metrics, tr),
        "definitions": definitions_used(), "state": state, "sources": source_list,
        "zip": paths.figure_bundle(language).name, "index": paths.INDEX.name,
        "cite": citation.html_line(tr),  # the "how to cite" line (templates/_cite.html.j2)
    }
    return _environment().get_template("briefing.html.j2").render(**context)


def headline_rows(metrics: dict, tr: i18n.Translator) -> list[tuple[str, str]]:
    """The headline metrics as (label, value) in the language, for the top of the briefing."""
    rows = []
    for country, held in metrics["unodc-women-held"].items():
        year = metrics["unodc-latest-complete-year"][country]
        rows.append((tr("page.metric.regional_women_held", country=tr(f"page.country.{country}"), year=year),
                     tr.number(held)))
        rows.append((tr("page.metric.regional_share", country=tr(f"page.country.{country}"), year=year),
                     tr.percent(metrics["unodc-women-share-pct"][country])))
    period = metrics["sisdepen-latest-period"]["BRA"]
    rows.append((tr("page.metric.brazil_women_in_cells", period=period),
                 tr.number(metrics["sisdepen-women-in-cells"]["BRA"])))
    rows.append((tr("page.metric.brazil_drug_share_women", period=period),
                 tr.percent(metrics["sisdepen-women-drug-law-share-pct"]["BRA"])))
    rows.append((tr("page.metric.brazil_drug_share_men", period=period),
                 tr.percent(metrics["sisdepen-men-drug-law-share-pct"]["BRA"])))
    rows.append((tr("page.metric.argentina_women_held", year=metrics["argentina-latest-year"]["ARG"]),
                 tr.number(metrics["argentina-women-held"]["ARG"])))
    return rows


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
