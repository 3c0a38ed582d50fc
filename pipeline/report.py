"""The briefing pack: the pipeline's last stage turns every chapter's outputs into what people use.

    python -m pipeline.report

Writes, for each language of params.yaml `report.languages` (English first):

- `reports/briefing.html` (English) and `reports/briefing-<lang>.html`: every figure with its caption, source
  line and alt text, every table of reports/tables/, the claims, the data-quality and reconciliation tables,
  the definitions used (params.yaml) and the provenance of each source;
- `figures/<lang>/fig-NN-slug.{svg,png,pdf,csv,txt}`: each figure re-drawn from its committed data CSV by
  the chapter's own chart function, its texts translated (English figures stay in figures/, as saved);
- `reports/figures-<lang>.zip`: each figure's SVG, PNG, PDF, data CSV and caption text, for authors;

and, once: `reports/index.html` (reviewer index of the executed notebooks), `reports/metrics.json` (headline
numbers, DVC metrics) and `reports/plots/women-held.csv` (the main time series, DVC plots).

All texts come from data/translations.csv; a missing translation stops the build. Every output is a
function of the committed inputs only: no dates, no git commit (see `pipeline_state`), fixed zip timestamps.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipeline import corrections, i18n, io, params, paths
from pipeline.errors import PipelineError, cli
from pipeline.hashes import dvc_md5
from pipeline.settings import Argentina, Report

# Outputs of this stage (dvc.yaml names the same files).
BRIEFING = paths.REPORTS / "briefing.html"
INDEX = paths.REPORTS / "index.html"
METRICS = paths.REPORTS / "metrics.json"
PLOTS = paths.REPORTS / "plots"
DVC_YAML = paths.ROOT / "dvc.yaml"
DVC_LOCK = paths.ROOT / "dvc.lock"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STAGE = "report"  # this stage's name in dvc.yaml: its own dvc.lock entry is left out of the fingerprint

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: the same bytes on every run
FIGURE_FORMATS = ("svg", "png", "pdf", "csv", "txt")
_CAPTION_FIELDS = {"Caption": "caption", "Source": "source", "Alt text": "alt", "Definitions used": "definitions"}
# Columns that quote the English manuscript as printed: never re-formatted, marked as English on other pages.
QUOTED_COLUMNS = ("printed",)


def settings() -> Report:
    chosen = params.read(Report)
    if not chosen.languages or chosen.languages[0] != "en":
        raise PipelineError("'report.languages' must start with 'en' (the chapters write in English)",
                            file=paths.PARAMS, fix="write e.g. languages: [en, es, pt]")
    for language in chosen.languages:
        params.check_choice("report.languages", language, i18n.load()[0],
                            f"a language of the translation table ({paths.relative(i18n.TABLE)})")
    return chosen


def briefing_path(language: str) -> Path:
    return BRIEFING if language == "en" else BRIEFING.with_name(f"briefing-{language}.html")


def figure_folder(language: str) -> Path:
    return paths.FIGURES if language == "en" else paths.FIGURES / language


def zip_path(language: str) -> Path:
    return paths.REPORTS / f"figures-{language}.zip"


# ------------------------------------------------------------------------------------- Inputs ---

@dataclass
class Figure:
    name: str
    caption: str
    source: str
    alt: str
    definitions: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # format -> bytes, in the figure's language


@dataclass
class Table:
    name: str
    title: str
    source: str
    definitions: str
    data: pd.DataFrame
    phrases: dict = field(default_factory=dict)  # from `<name>.phrases.json`: cells shown in each language


def read_figures() -> list[Figure]:
    """Every figure the chapters saved (figures/fig-*.txt), with its caption fields and files."""
    figures = []
    for text in sorted(paths.FIGURES.glob("fig-*.txt")):
        fields = _caption_fields(text)
        missing = [f"{label}:" for label, name in _CAPTION_FIELDS.items()
                   if name != "definitions" and not fields.get(name)]
        absent = [fmt for fmt in FIGURE_FORMATS if not text.with_suffix(f".{fmt}").is_file()]
        if missing or absent:
            raise PipelineError(f"figure {text.stem} lacks {', '.join(missing + [f'.{a}' for a in absent])}",
                                file=text, fix="rerun the chapter's notebook (export.save_figure writes all five)")
        files = {fmt: text.with_suffix(f".{fmt}").read_bytes() for fmt in FIGURE_FORMATS}
        figures.append(Figure(text.stem, files=files, **fields))
    if not figures:
        raise PipelineError("no figures found", file=paths.FIGURES, fix="run the chapters first (dvc repro)")
    return figures


def _caption_fields(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, value = line.partition(": ")
        if label not in _CAPTION_FIELDS:
            raise PipelineError(f"unexpected line {line[:40]!r}", file=path,
                                fix=f"caption files hold only: {', '.join(_CAPTION_FIELDS)}")
        fields[_CAPTION_FIELDS[label]] = value
    return fields


def read_tables() -> list[Table]:
    """Every table in reports/tables/*.csv, with title, source and definitions from its Markdown twin and the
    cells its stage wrote as phrases (a `.phrases.json` twin, see pipeline.i18n)."""
    tables = []
    for path in sorted(paths.TABLES.glob("*.csv")):
        title, source, definitions = _markdown_fields(path.with_suffix(".md"))
        data = pd.read_csv(path, dtype={"period": str}, keep_default_na=False, na_values=[""])
        tables.append(Table(path.stem, title, source, definitions, data, _phrases(path, data)))
    return tables


def known_errors_table() -> Table:
    """The known errors of data/corrections/, one row each, with their status with the publisher: shown in the
    briefing's data-quality section beside the plausibility findings."""
    rows = []
    for path, model in ((corrections.UNODC_PRISONS, corrections.UnodcPrisonsCorrection),
                        (corrections.SISDEPEN, corrections.SisdepenCorrection)):
        for entry in corrections.load(path, model):
            rows.append({"file": paths.relative(path), "correction_id": entry.id, "published": entry.published,
                         "action": entry.action, "status": entry.status.state,
                         "status_date": entry.status.date.isoformat() if entry.status.date else "",
                         "channel": entry.status.channel or "", "found_in": entry.found_in,
                         "reason": " ".join(entry.reason.split())})
    return Table("known-errors-quality", "Known errors in the sources, and their status with the publisher",
                 "data/corrections/*.yaml", "", pd.DataFrame(rows))


def _phrases(path: Path, data: pd.DataFrame) -> dict:
    """The phrases of a table's cells by row key, checked to cover every row (a stale twin is an error)."""
    twin = path.with_suffix(i18n.PHRASES_SUFFIX)
    if not twin.is_file():
        return {}
    phrases = json.loads(twin.read_text(encoding="utf-8"))
    keys = data[phrases["key"]].astype(str).tolist() if phrases.get("key") in data else None
    if keys is None or sorted(keys) != sorted(phrases["cells"]):
        raise PipelineError(f"{twin.name} does not give phrases for exactly the rows of {path.name}", file=twin,
                            fix="rebuild both with the stage that writes them (dvc repro)")
    return phrases


def _markdown_fields(path: Path) -> tuple[str, str, str]:
    """Title, source and definitions of a table saved by export.save_table ('' when it has no .md twin)."""
    if not path.is_file():
        return "", "", ""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].removeprefix("# ") if lines and lines[0].startswith("# ") else ""
    source = next((line.removeprefix("Source: ") for line in lines if line.startswith("Source: ")), "")
    definitions = next((line.removeprefix("Definitions used: ") for line in lines
                        if line.startswith("Definitions used: ")), "")
    return title, source, definitions


def table_section(name: str) -> str:
    """Where a table goes in the briefing: claims, data quality and reconciliation, or the chapter tables."""
    if "claims" in name or "manuscript" in name:
        return "claims"
    if re.search(r"quality|reconciliation|comparability|conflicts|-vs-|check", name):
        return "quality"
    return "tables"


# ---------------------------------------------------------------------------- Translated figures ---

def _redraw_regional(data: pd.DataFrame):
    from pipeline import regional

    chosen = params.section("regional")
    return regional.share_chart(data, chosen["focus_countries"], chosen["first_year"])


def _redraw_argentina(chart: str):
    def redraw(data: pd.DataFrame):
        from pipeline import argentina

        chosen = params.read(Argentina)
        draw = argentina.women_chart if chart == "women" else argentina.share_chart
        return draw(data, chosen)

    return redraw


def _redraw_brazil_panels(title: str, ylabel: str):
    def redraw(data: pd.DataFrame):
        from pipeline import brazil_charts

        return brazil_charts.sex_panels(data, title, ylabel)

    return redraw


def _redraw_brazil_share(data: pd.DataFrame):
    from pipeline import brazil_charts

    return brazil_charts.share_chart(data, "Drug-law offences as a share of all incidences, Brazil")


def _redraw_uruguay(chart: str):
    def redraw(data: pd.DataFrame):
        from pipeline import uruguay_charts

        luc_month = params.section("uruguay")["luc_month"]
        data = data.astype({"flags": "object"}) if "flags" in data else data
        draw = uruguay_charts.prison_chart if chart == "prison" else uruguay_charts.stage_chart
        return draw(data, luc_month)

    return redraw


# Figure -> the chart call that drew it, fed from the figure's data CSV. The English texts these calls draw
# are translated afterwards (i18n.translate_figure); the titles passed here are the notebooks' own.
FIGURE_REGISTRY = {
    "fig-01-women-share-latin-america": _redraw_regional,
    "fig-10-argentina-women-held": _redraw_argentina("women"),
    "fig-11-argentina-women-share": _redraw_argentina("share"),
    "fig-20-brazil-women-men-prison": _redraw_brazil_panels("People held in cells, Brazil", "people"),
    "fig-21-brazil-electronic-monitoring": _redraw_brazil_panels("People under electronic monitoring, Brazil",
                                                                 "people"),
    "fig-22-brazil-drug-share-women-men": _redraw_brazil_share,
    "fig-30-uruguay-prison-by-sex": _redraw_uruguay("prison"),
    "fig-31-uruguay-women-share-by-stage": _redraw_uruguay("stage"),
}


def translate_figure(figure: Figure, tr: i18n.Translator) -> Figure:
    """The figure in `tr`'s language: re-drawn from its data CSV, texts and numbers translated."""
    import matplotlib.pyplot as plt

    from pipeline import export

    if tr.language == "en":
        return figure
    redraw = FIGURE_REGISTRY.get(figure.name)
    if redraw is None:
        raise PipelineError(f"figure {figure.name} has no entry in FIGURE_REGISTRY", file=__file__,
                            fix="add the chart call that draws it, so it can be drawn in every language")
    data = pd.read_csv(_io.BytesIO(figure.files["csv"]), dtype={"period": str})
    caption = tr.english(figure.caption, f"{figure.name} caption")
    source = tr.english(figure.source, f"{figure.name} source")
    alt = tr.english(figure.alt, f"{figure.name} alt text")
    chart = redraw(data)
    try:
        i18n.translate_figure(chart, tr, figure.name)
        # The source line, as export.add_source_line draws it, in the figure's language.
        chart.text(0.01, 0.01, f"{tr('page.source')}: {source}", fontsize=7, color="#555555", ha="left",
                   va="bottom", wrap=True)
        files = export.figure_files(chart)
    finally:
        plt.close(chart)
    lines = [f"{tr('page.caption')}: {caption}", f"{tr('page.source')}: {source}", f"{tr('page.alt_text')}: {alt}"]
    if figure.definitions:
        lines.append(f"{tr('page.definitions_used')}: {figure.definitions}")
    files.update(csv=figure.files["csv"], txt=("\n".join(lines) + "\n").encode("utf-8"))
    return Figure(figure.name, caption, source, alt, figure.definitions, files)


# ---------------------------------------------------------------------------------- Provenance ---

def read_lock() -> dict:
    if not DVC_LOCK.is_file():
        raise PipelineError("dvc.lock is missing", file=DVC_LOCK, fix="run `dvc repro` to build the pipeline")
    return yaml.safe_load(DVC_LOCK.read_text(encoding="utf-8")).get("stages", {})


def stage_names() -> list[str]:
    """The stages of dvc.yaml, `foreach` stages expanded as DVC names them (fetch@unodc_prisons)."""
    stages = yaml.safe_load(DVC_YAML.read_text(encoding="utf-8"))["stages"]
    names = []
    for name, body in stages.items():
        items = body.get("foreach")
        names += [f"{name}@{item}" for item in items] if items else [name]
    return names


def pipeline_state() -> dict:
    """What the pack was built from, stated so that it is the same for a given commit.

    The git commit itself cannot be written into a committed file (the file is part of the commit), and the
    build time would change on every run. Instead: the SHA-256 of this stage's own inputs (each hashed as
    DVC hashes it; they are exactly the stage's deps, so the pack is rebuilt whenever the fingerprint would
    change), and whether every other stage's files and parameters still match dvc.lock (the `dvc status`
    question, answered from the files). Both follow from the commit's files alone.
    """
    lock = read_lock()
    own_inputs = yaml.safe_load(DVC_YAML.read_text(encoding="utf-8"))["stages"][STAGE]["deps"]
    hashed = {dep: dvc_md5(paths.ROOT / dep) for dep in sorted(own_inputs)}
    fingerprint = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()
    stale, current = {}, {}
    all_params = {"params.yaml": params.load(), "data/sources.yaml": yaml.safe_load(paths.SOURCES.read_text())}
    for name in stage_names():
        if name == STAGE:
            continue
        entry = lock.get(name)
        if entry is None:
            stale[name] = "never run (no dvc.lock entry)"
            continue
        changed = [item["path"] for item in entry.get("deps", []) + entry.get("outs", [])
                   if dvc_md5(paths.ROOT / item["path"]) != item.get("md5")]
        for file, values in entry.get("params", {}).items():
            changed += [f"{file}:{key}" for key, value in values.items()
                        if _dotted(all_params.get(file, {}), key) != value]
        if changed:
            stale[name] = "changed since the last run: " + ", ".join(changed)
        else:
            current[name] = "up to date"
    return {"fingerprint": fingerprint, "stale": stale, "current": current, "up_to_date": not stale}


def _dotted(data: dict, key: str):
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def sources() -> list[dict]:
    """Each source of data/sources.yaml with the provenance record the fetch stage wrote beside its files."""
    listed = yaml.safe_load(paths.SOURCES.read_text(encoding="utf-8"))["sources"]
    described = []
    for source_id, entry in listed.items():
        record = paths.raw_dir(source_id) / "provenance.json"
        fetched = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
        described.append({"id": source_id, **entry, "fetched": fetched,
                          "record": paths.relative(record) if fetched else None})
    return described


# ------------------------------------------------------------------------------------- Metrics ---

def headline_metrics() -> dict:
    """The numbers the briefing leads with, read from the committed figure data and tables; numbers only, so
    that `dvc metrics show` lists them and `dvc metrics diff` shows how an experiment moves each one."""
    latest = _csv(paths.TABLES / "tab-01-women-held-latest.csv").set_index("country")
    focus = params.section("base")["focus_countries"]
    from pipeline.argentina import latest_independent  # the chapter's rule for its headline year

    argentina = latest_independent(_csv(paths.FIGURES / "fig-10-argentina-women-held.csv"))
    in_cells = _csv(paths.FIGURES / "fig-20-brazil-women-men-prison.csv").sort_values("period").iloc[-1]
    monitored = _csv(paths.FIGURES / "fig-21-brazil-electronic-monitoring.csv").sort_values("period").iloc[-1]
    drug_shares = _csv(paths.FIGURES / "fig-22-brazil-drug-share-women-men.csv").set_index("period").sort_index()
    drug_share = drug_shares.iloc[-1]
    # December 2019 holds SISDEPEN's largest known entry error (Maranhão): how it is treated shows here.
    maranhao_semester = drug_shares.loc["2019-12"]
    uruguay = _csv(paths.TABLES / "tab-30-uruguay-prison-series.csv")
    uruguay = uruguay[(uruguay["sex"] == "female") & (uruguay["reference"] == "unodc_prisons")] \
        .sort_values("position").iloc[-1]
    return {
        "regional": {country: {"latest_year": int(latest.at[country, "latest_year"]),
                               "women_held": int(latest.at[country, "women_held"]),
                               "women_share_pct": round(float(latest.at[country, "women_share_pct"]), 1)}
                     for country in focus},
        "argentina": {"year": int(argentina["year"]), "women_held": int(argentina["women_held"]),
                      "women_share_pct": round(float(argentina["women_share_pct"]), 1)},
        "brazil": {"year": int(in_cells["period"][:4]), "month": int(in_cells["period"][5:7]),
                   "women_in_cells": int(in_cells["female"]),
                   "women_electronic_monitoring": int(monitored["female"]),
                   "women_drug_law_share_pct": round(float(drug_share["female"]), 1),
                   "men_drug_law_share_pct": round(float(drug_share["male"]), 1),
                   "drug_law_share_pct_2019_12": {"women": round(float(maranhao_semester["female"]), 1),
                                                  "men": round(float(maranhao_semester["male"]), 1)}},
        "uruguay": {"year": int(float(uruguay["period"])), "women_held": int(uruguay["persons"])},
    }


def women_held_series() -> pd.DataFrame:
    """Women held per year in the three focus countries (UNODC CTS): the DVC plot of the main time series."""
    series = _csv(paths.FIGURES / "fig-01-women-share-latin-america.csv")
    focus = params.section("base")["focus_countries"]
    series = series[series["country"].isin(focus)]
    wide = series.pivot(index="year", columns="country", values="women_held").reindex(columns=focus)
    return wide.astype("Int64").reset_index()


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise PipelineError("input of the briefing pack is missing", file=path,
                            fix="run the chapter that writes it (dvc repro)")
    return pd.read_csv(path, dtype={"period": str})


# ------------------------------------------------------------------------------------ Rendering ---

def _environment():
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
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
    csv_file = paths.TABLES / f"{table.name}.csv"
    return {"name": table.name, "title": title, "source": source, "csv": csv_file.is_file(),
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
    """Every section of params.yaml, as the values this build used."""
    return [{"section": name, "entries": [(key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str)
                                          else value) for key, value in values.items()]}
            for name, values in params.load().items() if isinstance(values, dict)]


def render_briefing(language: str, languages: list[str], figures: list[Figure], tables: list[Table],
                    metrics: dict, state: dict, source_list: list[dict]) -> str:
    tr = i18n.Translator(language)
    figure_dir = paths.relative(figure_folder(language))
    rendered_tables = [html_table(table, tr) for table in tables]
    context = {
        "t": tr, "lang": language, "languages": [(lang, briefing_path(lang).name) for lang in languages],
        "figures": [{"name": f.name, "caption": f.caption, "source": f.source, "alt": f.alt,
                     "definitions": f.definitions, "src": f"../{figure_dir}/{f.name}"} for f in figures],
        "sections": {key: [t for t in rendered_tables if t["section"] == key]
                     for key in ("tables", "quality", "claims")},
        "claims_present": (paths.TABLES / "claims.csv").is_file(),
        "headline": headline_rows(metrics, tr),
        "definitions": definitions_used(), "state": state, "sources": source_list,
        "zip": zip_path(language).name, "index": INDEX.name,
    }
    return _environment().get_template("briefing.html.j2").render(**context)


def headline_rows(metrics: dict, tr: i18n.Translator) -> list[tuple[str, str]]:
    """The headline metrics as (label, value) in the language, for the top of the briefing."""
    rows = []
    for country, values in metrics["regional"].items():
        rows.append((tr("page.metric.regional_women_held", country=tr(f"page.country.{country}"),
                        year=values["latest_year"]), tr.number(values["women_held"])))
        rows.append((tr("page.metric.regional_share", country=tr(f"page.country.{country}"),
                        year=values["latest_year"]), tr.percent(values["women_share_pct"])))
    brazil = metrics["brazil"]
    brazil = {**brazil, "period": f"{brazil['year']}-{brazil['month']:02d}"}
    rows.append((tr("page.metric.brazil_women_in_cells", period=brazil["period"]),
                 tr.number(brazil["women_in_cells"])))
    rows.append((tr("page.metric.brazil_drug_share_women", period=brazil["period"]),
                 tr.percent(brazil["women_drug_law_share_pct"])))
    rows.append((tr("page.metric.brazil_drug_share_men", period=brazil["period"]),
                 tr.percent(brazil["men_drug_law_share_pct"])))
    argentina = metrics["argentina"]
    rows.append((tr("page.metric.argentina_women_held", year=argentina["year"]),
                 tr.number(argentina["women_held"])))
    return rows


def notebook_entries(state: dict) -> list[dict]:
    """Each executed notebook: its HTML, the parameters papermill ran it with, and the hashes of its inputs
    as the runner recorded them when it ran (pipeline.run), so this page changes only when a notebook does."""
    stages = yaml.safe_load(DVC_YAML.read_text(encoding="utf-8"))["stages"]
    entries = []
    for page in sorted(paths.EXECUTED_NOTEBOOKS.glob("*.html")):
        executed = page.with_suffix(".ipynb")
        notebook_metadata = json.loads(executed.read_text(encoding="utf-8"))["metadata"] if executed.is_file() else {}
        metadata = notebook_metadata.get("papermill", {})
        inputs = notebook_metadata.get("briefing", {}).get("inputs", [])
        stage = next((name for name, body in stages.items()
                      if any(_out_path(out) == paths.relative(executed) for out in body.get("outs", []))), None)
        entries.append({
            "name": page.stem, "href": paths.relative(page).removeprefix("reports/"),
            "input": metadata.get("input_path", ""),
            "parameters": json.dumps(metadata.get("parameters", {}), indent=2, sort_keys=True, ensure_ascii=False),
            "stage": stage, "deps": [(d["path"], d["md5"], d["bytes"]) for d in inputs],
            "status": state["current"].get(stage) or state["stale"].get(stage) if stage else None,
        })
    return entries


def _out_path(out) -> str:
    return next(iter(out)) if isinstance(out, dict) else out


def render_index(languages: list[str], state: dict) -> str:
    context = {"notebooks": notebook_entries(state), "state": state,
               "briefings": [(lang, briefing_path(lang).name, zip_path(lang).name) for lang in languages],
               "metrics": METRICS.name}
    return _environment().get_template("index.html.j2").render(**context)


# ------------------------------------------------------------------------------------ Bundles ---

def figure_zip(figures: list[Figure]) -> bytes:
    """Each figure's five files, sorted, with a fixed date and permissions: the same bytes on every run."""
    buffer = _io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for figure in sorted(figures, key=lambda f: f.name):
            for fmt in sorted(figure.files):
                info = zipfile.ZipInfo(f"{figure.name}.{fmt}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the permissions below are read
                info.external_attr = 0o644 << 16
                bundle.writestr(info, figure.files[fmt], compresslevel=9)
    return buffer.getvalue()


def plot_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


# --------------------------------------------------------------------------------------- Build ---

def build() -> list[Path]:
    """Build the whole pack inside one transaction; returns the paths written."""
    chosen = settings()
    english = read_figures()
    tables = read_tables() + [known_errors_table()]
    metrics = headline_metrics()
    state = pipeline_state()
    source_list = sources()
    written = []

    def write(path: Path, data: bytes | str) -> None:
        (io.write_text if isinstance(data, str) else io.write_bytes)(path, data)
        written.append(path)

    translated_folders = tuple(figure_folder(lang) for lang in chosen.languages if lang != "en")
    with io.transaction(replace=translated_folders):
        for language in chosen.languages:
            tr = i18n.Translator(language)
            figures = [translate_figure(figure, tr) for figure in english]
            if language != "en":
                for figure in figures:
                    for fmt, data in sorted(figure.files.items()):
                        write(figure_folder(language) / f"{figure.name}.{fmt}", data)
            write(zip_path(language), figure_zip(figures))
            write(briefing_path(language),
                  render_briefing(language, chosen.languages, figures, tables, metrics, state, source_list))
        write(INDEX, render_index(chosen.languages, state))
        write(METRICS, json.dumps(metrics, indent=2, sort_keys=True) + "\n")
        write(PLOTS / "women-held.csv", plot_csv(women_held_series()))
    return written


@cli
def main() -> None:
    written = build()
    print(f"briefing pack: {len(written)} files written ({', '.join(sorted({paths.relative(p.parent) for p in written}))})")


if __name__ == "__main__":
    main()
