"""What the briefing pack is made of, read through the registry: every figure in every language (the files the
figures stages drew), every table the chapters and the claims check published, the known errors, the sources."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import corrections, export, i18n, params, paths, registry
from pipeline.chapters import interim
from pipeline.errors import PipelineError


@dataclass
class Figure:
    name: str
    caption: str
    source: str
    alt: str
    definitions: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # format -> bytes, in the figure's language
    stated: dict = field(default_factory=dict)  # the definitions it states, by name (the build's values.json)
    data: pd.DataFrame | None = None  # the points drawn (its data CSV, exact)


@dataclass
class Table:
    name: str
    title: str
    source: str
    definitions: str
    data: pd.DataFrame
    phrases: dict = field(default_factory=dict)  # from `<name>.phrases.json`: cells shown in each language
    stated: dict = field(default_factory=dict)  # the definitions it states, by name (the build's values.json)
    source_key: str = ""  # the translation key of its source line (the registry's choice for this build)
    float_digits: int | None = None  # the digits the registry declares for its decimals (None: not registered)


def read_figures(language: str = "en") -> list[Figure]:
    """Every figure of the registry in `language`, with its caption fields and files, in the order of their ids."""
    tr = i18n.Translator(language)
    labels = {tr(key): name for name, key in export.CAPTION_KEYS.items()}
    figures = []
    for spec in sorted(registry.FIGURES, key=lambda f: f.id):
        text = paths.figure(spec.id, language, "txt")
        absent = [fmt for fmt in export.FIGURE_FORMATS if not paths.figure(spec.id, language, fmt).is_file()]
        fields = _caption_fields(text, labels) if text.is_file() else {}
        missing = [f"{label}:" for label, name in labels.items() if name != "definitions" and not fields.get(name)]
        if missing or absent:
            raise PipelineError(f"figure {spec.id} ({language}) lacks {', '.join(missing + [f'.{a}' for a in absent])}",
                                file=text, fix=f"run the chapter's figures stage (`dvc repro {spec.chapter}_figures`)")
        files = {fmt: paths.figure(spec.id, language, fmt).read_bytes() for fmt in export.FIGURE_FORMATS}
        stated = registry.definitions(spec.definitions, interim.values(spec.chapter)) or {}
        data = pd.read_csv(paths.figure(spec.id, language, "csv"), dtype={"period": str}, keep_default_na=False,
                           na_values=[""])
        figures.append(Figure(spec.id, files=files, stated=stated, data=data, **fields))
    return figures


def _caption_fields(path: Path, labels: dict[str, str]) -> dict[str, str]:
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, value = line.partition(": ")
        if label not in labels:
            raise PipelineError(f"unexpected line {line[:40]!r}", file=path,
                                fix=f"caption files hold only: {', '.join(labels)}")
        fields[labels[label]] = value
    return fields


def read_tables() -> list[Table]:
    """Every table the registry declares and the claims check's own, in the order of their file names, with
    title, source and definitions from its Markdown twin and the cells its stage wrote as phrases (a
    `.phrases.json` twin, see pipeline.i18n)."""
    tables = []
    for name in sorted([*registry.CLAIMS_TABLES, *(t.id for t in registry.TABLES)]):
        path = paths.table(name, ".csv")
        if not path.is_file():
            raise PipelineError("a table of the briefing is missing", file=path,
                                fix="run the stage that writes it (dvc repro)")
        title, source, definitions = _markdown_fields(path.with_suffix(".md"))
        data = pd.read_csv(path, dtype={"period": str}, keep_default_na=False, na_values=[""])
        tables.append(Table(path.stem, title, source, definitions, data, _phrases(path, data), **_declared(name)))
    return tables


def _declared(name: str) -> dict:
    """What the registry declares of a table, with the build's values: the definitions it states, the key of its
    source line, its digits (nothing for the claims check's own tables)."""
    spec = next((t for t in registry.TABLES if t.id == name), None)
    if spec is None:
        return {}
    values = interim.values(spec.chapter)
    return {"stated": registry.definitions(spec.definitions, values) or {},
            "source_key": registry.text(spec.source, values).key, "float_digits": spec.float_digits}


def known_errors_table() -> Table:
    """The known errors of data/corrections/, one row each, with their status with the publisher: shown in the
    briefing's data-quality section beside the plausibility findings."""
    rows = []
    for path, model in ((paths.UNODC_PRISONS_CORRECTIONS, corrections.UnodcPrisonsCorrection),
                        (paths.SISDEPEN_CORRECTIONS, corrections.SisdepenCorrection)):
        for entry in corrections.load(path, model):
            rows.append({"file": paths.relative(path), "correction_id": entry.id, "published": entry.published,
                         "action": entry.action, "status": entry.status.state,
                         "status_date": entry.status.date.isoformat() if entry.status.date else "",
                         "channel": entry.status.channel or "", "found_in": entry.found_in,
                         "reason": " ".join(entry.reason.split())})
    english = i18n.Translator("en")
    # The status with the publisher in words, in each language (open: not yet reported, ...).
    phrases = {"key": "correction_id", "cells": {row["correction_id"]: {
        "status": i18n.phrase(f"page.correction_status.{row['status']}")} for row in rows}}
    return Table("known-errors-quality", english("known_errors.title"), english("known_errors.source"), "",
                 pd.DataFrame(rows), phrases)


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


def sources() -> list[dict]:
    """Each source of data/sources.yaml with the provenance record the fetch stage wrote beside its files."""
    listed = params.read_yaml(paths.SOURCES, paths.SOURCES.name)["sources"]  # its shape checked before any stage
    described = []
    for source_id, entry in listed.items():
        record = paths.provenance(source_id)
        fetched = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None
        described.append({"id": source_id, **entry, "fetched": fetched,
                          "record": paths.relative(record) if fetched else None})
    return described

