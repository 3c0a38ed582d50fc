"""The changes report as documents: one language-neutral model, written as Markdown (English) and as HTML in
every language of params.yaml `report.languages`.

Every text is a row of data/translations.csv (`page.changes.*`, and the chapters' `col.*` headers); numbers
are kept as numbers until a language writes them (pipeline.i18n). Identifiers (long-table keys, claim ids, file
names, hashes) and the manuscript's sentences are shown as written. The long table's definitions are shown as
written, with their numbers in the page's format. A findings table's cells are shown, on a page in another language
than English, as the briefing's table shows them (pipeline.report.tables.cell: evidence, treatments and flags
translated; names and identifiers as written), and as written where no translation fits (a baseline's older
wording). The headers of a findings table come from the chapters' `col.<column>` rows; a column that has none is
shown by its name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import i18n, longtable, paths
from pipeline.changes import baseline as sides
from pipeline.changes.compare import Changes
from pipeline.changes.diff import LONG_CHANGES
from pipeline.errors import PipelineError

TEMPLATES = Path(__file__).resolve().parent / "templates"
COLLAPSE_ROWS = 10  # an HTML table longer than this is collapsed under its caption
HASH_CHARACTERS = 12  # of a SHA-256, in the report (the full hashes are in data/sources.yaml and provenance.json)
ACCEPT_MAKE = 'make accept-verdicts REASON="…"'
ACCEPT_PYTHON = 'python -m pipeline.changes accept-verdicts --reason "…"'


@dataclass(frozen=True)
class Code:
    """An identifier: shown exactly as written, in every language."""

    text: str


@dataclass(frozen=True)
class Quote:
    """A quotation of the English manuscript: shown as written in every language, numbers included."""

    text: str


@dataclass(frozen=True)
class English:
    """A text a stage wrote in English (a claim's caveat): shown in the page's language, through the translation
    table's row for it."""

    text: str


@dataclass(frozen=True)
class Written:
    """A text cell of a findings table as its CSV has it (the module's docstring: how each language shows it)."""

    text: str
    table: str
    column: str


@dataclass
class Block:
    """One table: header keys (translation keys), rows of cells, which columns hold numbers."""

    caption: dict
    headers: list[str]
    rows: list[list]
    numeric: set[int] = field(default_factory=set)
    collapse: bool | None = None  # None: collapse when longer than COLLAPSE_ROWS


@dataclass
class Section:
    anchor: str
    title: dict
    paragraphs: list = field(default_factory=list)  # phrases, or Code (a command on its own line)
    blocks: list[Block] = field(default_factory=list)


def phrase(key: str, **values) -> dict:
    return i18n.phrase(f"page.changes.{key}", **values)


def count(value: int) -> dict:
    return i18n.quantity(value, 0)


# ---------------------------------------------------------------------------------------------- Model ---

def model(changes: Changes, written: dt.datetime) -> list[Section]:
    """The report's sections, summary first."""
    return [_summary(changes, written), _parameters(changes), _long_table(changes), _claims(changes),
            _metrics(changes), _findings(changes), _sources(changes), _accept(changes)]


def _summary(changes: Changes, written: dt.datetime) -> Section:
    n = changes.counts()
    paragraphs = [phrase("compared", baseline=_baseline(changes.baseline_facts),
                         written=Code(written.strftime("%Y-%m-%d %H:%M"))), phrase("not_committed")]
    if _nothing_changed(changes):
        paragraphs.append(phrase("nothing"))
    paragraphs += [
        phrase("summary.parameters", file=Code(sides.PARAMS), changed=count(n["parameters_changed"])),
        phrase("summary.long_table", file=Code(sides.INDICATORS), before=count(n["rows_before"]),
               now=count(n["rows_now"]), added=count(n["added"]), removed=count(n["removed"]),
               changed=count(n["changed"]), definition=count(n["definition"])),
        phrase("summary.claims", verdict=count(n["claims_verdict"]), caveat=count(n["claims_caveat"]),
               computed=count(n["claims_computed"]), registry=count(n["claims_registry"]),
               to_accept=count(n["to_accept"])),
        phrase("summary.metrics", file=Code(sides.METRICS), changed=count(n["metrics_changed"]),
               total=count(n["metrics"])),
        phrase("summary.findings", appeared=count(n["findings_appeared"]),
               disappeared=count(n["findings_disappeared"]), changed=count(n["findings_changed"]),
               tables=count(n["tables_changed"])),
        phrase("summary.sources", file=Code(sides.SOURCES), pins=count(n["pins_changed"]),
               files=count(n["files_changed"]))]
    paragraphs += [phrase("note", part=phrase(f"part.{part}"), note=note) for part, note in changes.notes.items()]
    blocks = []
    if len(changes.to_accept):
        blocks.append(_to_accept_block(changes.to_accept))
    if len(changes.largest):
        blocks.append(_long_block(changes.largest, phrase("largest", count=count(len(changes.largest))),
                                  collapse=False))
    return Section("summary", phrase("summary"), paragraphs, blocks)


def _baseline(facts: dict) -> dict:
    if facts["kind"] == "snapshot":
        return phrase("baseline.snapshot", folder=Code(facts["folder"]), saved=Code(facts["saved"]),
                      commit=Code(facts["commit"]))
    return phrase("baseline.git", revision=Code(facts["revision"]), commit=Code(facts["commit"]),
                  date=Code(facts["date"]), subject=facts["subject"])


def _nothing_changed(changes: Changes) -> bool:
    n = changes.counts()
    return not any(n[k] for k in ("added", "removed", "changed", "definition", "metrics_changed", "claims_verdict",
                                  "claims_caveat", "claims_computed", "claims_registry", "to_accept", "tables_changed",
                                  "pins_changed", "files_changed", "parameters_changed"))


def _to_accept_block(rows: pd.DataFrame) -> Block:
    body = [[Code(r.claim_id), _verdict(r.expected), _verdict(r.status), _computed(r, "computed"),
             _sentence(r)] for r in rows.itertuples()]
    return Block(phrase("to_accept", count=count(len(rows))),
                 ["col.claim_id", "page.changes.col.recorded", "page.changes.col.now", "col.computed",
                  "page.changes.col.sentence"], body, collapse=False)


# ------------------------------------------------------------------------------------- Parameters ---

def _parameters(changes: Changes) -> Section:
    """The definitions a researcher changed (params.yaml), first: every number below may follow from them."""
    section = Section("parameters", phrase("parameters", file=Code(sides.PARAMS)))
    if changes.parameters.empty:
        section.paragraphs.append(phrase("parameters.none"))
        return section
    body = [[Code(r.key), phrase(f"change.{r.change}"), "" if r.old is None else Code(r.old),
             "" if r.new is None else Code(r.new)] for r in changes.parameters.itertuples()]
    section.blocks.append(Block(phrase("parameters.intro"), ["page.changes.col.parameter", "page.changes.col.change",
                                                             "page.changes.col.old", "page.changes.col.new"],
                                body, collapse=False))
    return section


# ------------------------------------------------------------------------------------- Long table ---

def _long_table(changes: Changes) -> Section:
    rows = changes.long_table
    section = Section("long-table", phrase("long_table", file=Code(sides.INDICATORS)), [phrase("long_table.intro")])
    for kind in LONG_CHANGES:
        chosen = rows[rows["change"] == kind]
        if len(chosen):
            section.blocks.append(_long_block(chosen, phrase(f"long_table.{kind}", count=count(len(chosen)))))
    if len(rows):
        by_source = rows.groupby("source")["change"].value_counts().unstack(fill_value=0)
        by_source = by_source.reindex(columns=list(LONG_CHANGES), fill_value=0)
        section.blocks.insert(0, Block(phrase("long_table.by_source"),
                                       ["col.source", *[f"page.changes.change.{k}" for k in LONG_CHANGES]],
                                       [[Code(s), *[count(int(v)) for v in values]]
                                        for s, values in zip(by_source.index, by_source.values)],
                                       numeric={1, 2, 3, 4}, collapse=False))
        section.blocks.append(_definitions_block(rows))
    return section


def _long_block(rows: pd.DataFrame, caption: dict, collapse: bool | None = None) -> Block:
    decimals = unit_decimals(rows)
    body = []
    for r in rows.itertuples():
        places = decimals.get(r.unit, 0)
        body.append([Code(r.country), Code(r.indicator), Code(r.source), Code(r.sex), Code(r.period),
                     _number(r.old_value, places), _number(r.new_value, places),
                     *(["", ""] if r.change == "definition" else
                       [_number(r.difference, places), _relative(r.relative_change_pct)]), Code(r.unit + (f" (← {r.old_unit})" if r.old_unit else "")),
                     phrase("yes") if r.definition_changed else ""])
    return Block(caption, ["col.country", "col.indicator", "col.source", "col.sex", "col.period",
                           "page.changes.col.old_value", "page.changes.col.new_value", "col.difference",
                           "page.changes.col.relative_change", "col.unit", "page.changes.col.definition_changed"],
                 body, numeric={5, 6, 7, 8}, collapse=collapse)


def unit_decimals(rows: pd.DataFrame) -> dict[str, int]:
    """Decimals of each unit's values: none for counts, else as many as its most precise value needs (at
    most two), so every number of one unit reads alike."""
    decimals = {}
    for unit, group in rows.groupby("unit"):
        values = [v for v in pd.concat([group["old_value"], group["new_value"]]) if pd.notna(v)]
        decimals[unit] = 0 if _is_count(unit) else i18n.column_decimals(values)
    return decimals


def _is_count(unit: str) -> bool:
    return longtable.UNITS.get(unit) == "count"


def _definitions_block(rows: pd.DataFrame) -> Block:
    """Each definition of the rows listed, once per source and indicator; the old one beside it when it changed."""
    shown = rows.sort_values(["source", "indicator", "definition", "old_definition"])
    shown = shown.drop_duplicates(["source", "indicator", "definition", "old_definition"])
    body = [[Code(r.source), Code(r.indicator), r.definition, r.old_definition] for r in shown.itertuples()]
    return Block(phrase("long_table.definitions"),
                 ["col.source", "col.indicator", "col.definition", "page.changes.col.old_definition"], body,
                 collapse=True)


# ------------------------------------------------------------------------------------------ Claims ---

def _claims(changes: Changes) -> Section:
    rows = changes.claims
    section = Section("claims", phrase("claims"), [phrase("claims.intro", file=Code(changes.manuscript))])
    if len(rows):
        body = [[Code(r.claim_id), phrase(f"change.{r.change}"), r.stated, _computed(r, "old_computed"),
                 _computed(r, "new_computed"), _verdict(r.old_status, r.old_caveat),
                 _verdict(r.new_status, r.new_caveat), _verdict(r.expected),
                 _sentence(r)] for r in rows.itertuples()]
        section.blocks.append(Block(phrase("claims.moved", count=count(len(rows))),
                                    ["col.claim_id", "page.changes.col.change", "col.stated",
                                     "page.changes.col.old_computed", "page.changes.col.new_computed",
                                     "page.changes.col.old_verdict", "page.changes.col.new_verdict", "col.expected",
                                     "page.changes.col.sentence"], body))
    else:
        section.paragraphs.append(phrase("claims.none"))
    return section


def _verdict(status: str, caveat: str = ""):
    """A verdict in words, with its caveat (an English text, translated) beside it when it has one."""
    if not status:
        return ""
    verdict = i18n.phrase(f"page.verdict.{status}")
    return phrase("verdict_with_caveat", verdict=verdict, caveat=English(caveat)) if caveat else verdict


def _computed(row, column: str):
    """A computed value in the page's language: its phrase when the claims check stored one, else the
    English text with its numbers localised."""
    stored = getattr(row, f"{column}_phrase", None)
    return stored if isinstance(stored, dict) and stored else getattr(row, column)


def _sentence(row):
    if not row.sentence:
        return ""
    return phrase("sentence", line=Code(str(int(row.line))), text=Quote(row.sentence))


# ----------------------------------------------------------------------------------------- Metrics ---

def _metrics(changes: Changes) -> Section:
    rows = changes.metrics
    section = Section("metrics", phrase("metrics", file=Code(sides.METRICS)))
    moved, unchanged = rows[rows["change"] != "unchanged"], rows[rows["change"] == "unchanged"]
    if moved.empty:
        section.paragraphs.append(phrase("metrics.none", total=count(len(rows))))
    for key, chosen, collapse in (("metrics.changed", moved, False), ("metrics.unchanged", unchanged, True)):
        if len(chosen):
            section.blocks.append(Block(phrase(key, count=count(len(chosen))),
                                        ["page.changes.col.path", "page.changes.col.change", "page.changes.col.old",
                                         "page.changes.col.new", "col.difference"],
                                        [_metric_row(r) for r in chosen.itertuples()], numeric={2, 3, 4},
                                        collapse=collapse))
    return section


def _metric_row(r) -> list:
    places = _metric_decimals(r.path, [r.old, r.new])
    return [Code(r.path), phrase(f"change.{r.change}"), _metric(r.old, r.path, places),
            _metric(r.new, r.path, places), _metric(r.difference, r.path, places)]


def _metric_quantity(path: str) -> str:
    """The quantity a metric leaf measures, in snake_case: `sisdepen-latest-period.BRA` -> `sisdepen_latest_period`
    (reports/metrics/<quantity>.json, keyed by country)."""
    return path.split(".", 1)[0].replace("-", "_")


def _metric_decimals(path: str, values: list) -> int:
    """One metric's old, new and difference with the same decimals; a percentage (`_pct`) with at least one."""
    places = i18n.column_decimals([v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)])
    return max(places, 1) if "_pct" in _metric_quantity(path) else places


def _metric(value, path: str, decimals: int):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    grouping = i18n.groups_thousands(_metric_quantity(path))
    return {"number": float(value), "decimals": decimals, "grouping": grouping}


# ---------------------------------------------------------------------------------------- Findings ---

def _findings(changes: Changes) -> Section:
    section = Section("findings", phrase("findings"), [phrase("findings.intro", folder=Code(sides.TABLES))])
    unchanged = [t.name for t in changes.tables if t.status == "unchanged"]
    for table in changes.tables:
        if table.status == "unchanged":
            continue
        notes = [phrase(f"findings.status.{table.status.replace(' ', '_')}")] if table.status != "changed" else []
        if table.columns_changed:
            before, after = table.columns_changed
            notes.append(phrase("findings.columns", old=Code(", ".join(before)), new=Code(", ".join(after))))
        notes.append(phrase("findings.key", columns=Code(", ".join(table.key))) if table.key
                     else phrase("findings.no_key"))
        caption = phrase("findings.table", table=Code(table.name), appeared=count(len(table.added)),
                         disappeared=count(len(table.removed)), changed=count(len(table.changed)), notes=notes)
        section.blocks.append(_findings_block(table, caption))
    if unchanged:
        section.paragraphs.append(phrase("findings.unchanged", tables=Code(", ".join(unchanged))))
    return section


def _findings_block(table, caption: dict) -> Block:
    columns = table.columns
    body = []
    for kind, frame in (("appeared", table.added), ("disappeared", table.removed)):
        for row in frame.to_dict("records"):
            body.append([phrase(f"change.{kind}"), *[_cell(row[c], c, table.name) for c in columns]])
    for before, after, moved in table.changed:
        body.append([phrase("change.changed"), *[
            phrase("arrow", old=_cell(before[c], c, table.name), new=_cell(after[c], c, table.name))
            if c in moved else _cell(after[c], c, table.name) for c in columns]])
    return Block(caption, ["page.changes.col.change", *[f"col.{c}" for c in columns]], body)


def _cell(text: str, column: str, table: str | None = None):
    """A cell as the table's CSV wrote it: a number in the page's format (years, periods and ids never
    grouped), or a text (of `table`: shown as the module's docstring says)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return Written(text, table, column) if table and isinstance(text, str) and text else text
    if text.strip().lower() in ("nan", "inf", "-inf", "infinity"):
        return text
    return {"number": value, "decimals": i18n.column_decimals([value]), "grouping": i18n.groups_thousands(column)}


def _written(cell: Written, tr: i18n.Translator) -> str:
    """A findings table's text cell on a page in `tr`'s language."""
    from pipeline.report import tables  # the briefing's rule for a table's cell, in one place

    value = {"True": True, "False": False}.get(cell.text, cell.text)  # the CSV's flags (known_error)
    try:
        return tables.cell(cell.table, cell.column, value, tr).text
    except PipelineError:  # a text no row of the translation table fits (a baseline's older wording)
        return i18n.localise_numbers(cell.text, tr.language)


# ----------------------------------------------------------------------------------------- Sources ---

def _sources(changes: Changes) -> Section:
    section = Section("sources", phrase("sources"))
    if changes.pins.empty and changes.fetched.empty:
        section.paragraphs.append(phrase("sources.none"))
    if len(changes.pins):
        body = [[Code(r.source), Code(r.file), phrase(f"change.{r.change}"), Code(r.field),
                 _pin_value(r.old, r.field), _pin_value(r.new, r.field)] for r in changes.pins.itertuples()]
        section.blocks.append(Block(phrase("sources.pins", file=Code(sides.SOURCES)),
                                    ["col.source", "col.file", "page.changes.col.change", "page.changes.col.field",
                                     "page.changes.col.old", "page.changes.col.new"], body))
    if len(changes.fetched):
        body = [[Code(r.source), Code(r.file) if not r.manual else
                 phrase("sources.supplied", file=Code(r.file), folder=Code(f"data/manual/{r.source}/")),
                 phrase(f"change.{r.change}"), _bytes(r.old_bytes), _bytes(r.new_bytes),
                 Code(r.old_sha256[:HASH_CHARACTERS]), Code(r.new_sha256[:HASH_CHARACTERS])]
                for r in changes.fetched.itertuples()]
        section.blocks.append(Block(phrase("sources.fetched"),
                                    ["col.source", "col.file", "page.changes.col.change",
                                     "page.changes.col.old_bytes", "page.changes.col.new_bytes",
                                     "page.changes.col.old_sha256", "page.changes.col.new_sha256"], body,
                                    numeric={3, 4}))
    return section


def _pin_value(value: str, name: str):
    if name == "sha256":
        return Code(value[:HASH_CHARACTERS])
    if name == "bytes" and value.isdigit():
        return count(int(value))
    return Code(value) if name == "url" else value


def _bytes(value):
    return "" if value is None or pd.isna(value) else count(int(value))


# ------------------------------------------------------------------------------------------ Accept ---

def _accept(changes: Changes) -> Section:
    if changes.to_accept.empty:
        return Section("accept", phrase("accept"), [phrase("accept.none", registry=Code("data/claims.yaml"))])
    return Section("accept", phrase("accept"), [
        phrase("accept.text", count=count(len(changes.to_accept)), registry=Code("data/claims.yaml"),
               log=Code(paths.relative(paths.CLAIMS_ACCEPTED))),
        Code(ACCEPT_MAKE), phrase("accept.or"), Code(ACCEPT_PYTHON), phrase("accept.after")])


# ------------------------------------------------------------------------------------------- Cells ---

def _number(value, decimals: int):
    return "" if value is None or pd.isna(value) else i18n.quantity(value, decimals)


def _relative(value):
    if value is None or pd.isna(value):
        return ""
    if math.isinf(value):
        return phrase("from_zero")
    return phrase("percent", value=i18n.quantity(value, 1))


def text(item, tr: i18n.Translator, markdown: bool = False) -> str:
    """One cell or paragraph in `tr`'s language; identifiers in backticks in Markdown."""
    if item is None or item == "":
        return ""
    if isinstance(item, Code):
        return f"`{item.text}`" if markdown and item.text else item.text
    if isinstance(item, Quote):
        return item.text
    if isinstance(item, English):
        return tr.english(item.text, "the changes report")
    if isinstance(item, Written):
        return i18n.localise_numbers(item.text, tr.language) if markdown or tr.language == "en" else _written(item, tr)
    if isinstance(item, list):
        return "; ".join(text(part, tr, markdown) for part in item if part != "")
    if isinstance(item, str):
        return i18n.localise_numbers(item, tr.language)
    if "number" in item:
        if math.isinf(item["number"]):
            return "∞" if item["number"] > 0 else "-∞"
        return i18n.format_number(item["number"], tr.language, item["decimals"], item.get("grouping", True))
    values = {name: text(value, tr, markdown) for name, value in item.get("values", {}).items()}
    return tr(item["key"], **values)


def header(key: str, tr: i18n.Translator) -> str:
    """A column header: its translation; a chapter column without one is shown by its name."""
    if key.startswith("col.") and key not in tr.entries:
        return key.removeprefix("col.")
    return tr(key)


# ------------------------------------------------------------------------------------------ Output ---

def markdown(sections: list[Section]) -> str:
    """The report in English, as Markdown."""
    tr = i18n.Translator("en")
    lines = [f"# {tr('page.changes.title')}", ""]
    for section in sections:
        lines += [f"## {text(section.title, tr, True)}", ""]
        for paragraph in section.paragraphs:
            lines += [f"    {paragraph.text}" if isinstance(paragraph, Code) else text(paragraph, tr, True), ""]
        for block in section.blocks:
            lines += [f"### {text(block.caption, tr, True)}", "", *_markdown_table(block, tr), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_table(block: Block, tr: i18n.Translator) -> list[str]:
    def cell(item) -> str:
        return text(item, tr, True).replace("|", "\\|").replace("\n", " ")

    align = ["---:" if i in block.numeric else "---" for i in range(len(block.headers))]
    return ["| " + " | ".join(header(h, tr) for h in block.headers) + " |", "|" + "|".join(align) + "|",
            *["| " + " | ".join(cell(c) for c in row) + " |" for row in block.rows]]


def html(sections: list[Section], language: str, languages: list[str]) -> str:
    """The report in one language, as a self-contained HTML page (long tables collapsed)."""
    import jinja2

    tr = i18n.Translator(language)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.filters["code_spans"] = _code_spans
    pages = [{"code": code, "href": page_name(code), "name": tr(f"page.language.{code}"),
              "current": code == language} for code in languages]
    shown = [{"anchor": s.anchor, "title": text(s.title, tr),
              "paragraphs": [{"command": p.text} if isinstance(p, Code) else {"text": text(p, tr)}
                             for p in s.paragraphs],
              "blocks": [_html_block(b, tr) for b in s.blocks]} for s in sections]
    return environment.get_template("changes.html.j2").render(
        language=language, title=tr("page.changes.title"), languages_label=tr("page.languages"), pages=pages,
        sections=shown, contents=tr("page.changes.contents"))


def _code_spans(value: str):
    """A translated text, escaped, with its `command` spans as <code>."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(value))))


def _html_block(block: Block, tr: i18n.Translator) -> dict:
    collapse = block.collapse if block.collapse is not None else len(block.rows) > COLLAPSE_ROWS
    counted = "count" in block.caption.get("values", {})  # the caption says how many rows already
    return {"caption": text(block.caption, tr), "collapse": collapse,
            "rows_label": "" if counted else tr("page.changes.rows",
                                                   count=i18n.format_number(len(block.rows), tr.language)),
            "headers": [header(h, tr) for h in block.headers],
            "rows": [[_html_cell(c, tr, i in block.numeric) for i, c in enumerate(row)] for row in block.rows]}


def _html_cell(item, tr: i18n.Translator, number: bool) -> dict:
    """A cell of an HTML table. An identifier (a key, a file name, a findings table's rule or measure) may wrap after
    its signs, as on the briefing's pages (pipeline.report.render.breakable): a long one such as
    people_electronic_monitoring otherwise widens its column and squeezes the evidence beside it."""
    from pipeline.report.render import breakable  # the briefing's rule, in one place (imported where HTML is made)

    shown = text(item, tr)
    if isinstance(item, Code) or (isinstance(item, Written) and i18n.is_code(shown)):
        shown = breakable(shown)
    return {"text": shown, "code": isinstance(item, Code), "number": number}


def page_name(language: str) -> str:
    """changes.html for English, changes-es.html and changes-pt.html for the others."""
    return paths.changes_page(language).name
