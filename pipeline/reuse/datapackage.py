"""The long table as a Frictionless Data Package: data/processed/datapackage.json beside data/processed/indicators.csv.

    python -m pipeline.reuse.datapackage      # the DVC stage `datapackage`

The Table Schema is generated from the long table's own schema (pipeline/longtable.py: its columns, types, patterns,
allowed values and key), so the two cannot disagree; each source the table's `source` column names is described with
its publisher, licence, citation and snapshot from data/sources.yaml (or, for the two hand-kept sources, the file that
holds them); the package carries the project's version and the table's size and SHA-256. tests/reuse validates it
with the `frictionless` library.
"""

from __future__ import annotations

import hashlib
import json
import os

import pandas as pd

from pipeline import citation, io, longtable, params, paths
from pipeline.errors import PipelineError, cli

NAME = "briefing-pipeline-indicators"
# What each column of the long table holds (the schema gives its type and constraints).
DESCRIPTIONS = {
    "country": "ISO 3166-1 alpha-3 code; WLD, LAC and AMR for the world, Latin America and the Caribbean and the "
               "Americas, aggregates the pipeline computes",
    "source": f"where the value comes from: a source of {paths.relative(paths.SOURCES)}, or one of the hand-kept "
              f"sources below; several joined by '{longtable.SOURCES_JOINED_BY}' where the value is computed from "
              "more than one (the definition says how)",
    "indicator": "what is counted or computed (snake_case)",
    "sex": "sex or gender category",
    "period": "the year (YYYY) or month (YYYY-MM) the value is of",
    "value": "the value, in `unit`",
    "unit": "unit of the value: counts (persons, incidences, proceedings, sale_points, countries), percent, "
            "percentage_points, per_100k_population or ratio",
    "definition": "what exactly the value counts, with the rules applied to it",
}
_TYPES = {"float64": "number"}  # any other column is text
# Long-table sources that are not in data/sources.yaml: hand-kept files of the repository.
HAND_KEPT = {
    "published": ("Published figures used for reconciliation: one row per figure with its citation",
                  paths.PUBLISHED_FIGURES, "each row of the file cites its own publication (column 'citation')"),
    "oud": ("Observatorio Uruguayo de Drogas, indicators typed by hand from its report", paths.OUD_TEMPLATE,
            "Observatorio Uruguayo de Drogas (JND), as each row of the file cites it"),
}


def table_schema() -> dict:
    """The Table Schema of the long table, from pipeline/longtable.py."""
    fields = []
    for name, column in longtable.schema().columns.items():
        field = {"name": name, "type": _TYPES.get(str(column.dtype), "string"), "description": DESCRIPTIONS[name],
                 "constraints": {"required": not column.nullable}}
        for check in column.checks:
            if check.name == "str_matches":  # Table Schema patterns are whole-value matches: no anchors
                field["constraints"]["pattern"] = check.statistics["pattern"].removeprefix("^").removesuffix("$")
            elif check.name == "isin":
                field["constraints"]["enum"] = list(check.statistics["allowed_values"])
            elif check.name == "str_length" and check.statistics.get("min_value"):
                field["constraints"]["minLength"] = check.statistics["min_value"]
        fields.append(field)
    if [field["name"] for field in fields] != longtable.COLUMNS:
        raise PipelineError("the long table's schema and its columns differ", file=paths.PACKAGE / "longtable.py")
    return {"fields": fields, "primaryKey": list(longtable.KEY), "missingValues": [""]}


def sources(used: list[str]) -> list[dict]:
    """Each source the long table names, as data/sources.yaml (or the hand-kept file) describes it."""
    listed = params.read_yaml(paths.SOURCES, paths.SOURCES.name)["sources"]
    described = []
    for source in used:
        if source in listed:
            entry = listed[source]
            described.append({"id": source, "title": " ".join(str(entry["title"]).split()), "path": entry["page"],
                              "publisher": " ".join(str(entry["publisher"]).split()),
                              "licence": " ".join(str(entry["licence"]).split()),
                              "citation": " ".join(str(entry["citation"]).split()),
                              "snapshot": str(entry["snapshot"]["date"])})
        elif source in HAND_KEPT:
            title, path, cited = HAND_KEPT[source]
            described.append({"id": source, "title": title, "citation": cited,
                              "path": os.path.relpath(path, paths.DATAPACKAGE.parent).replace(os.sep, "/")})
        else:
            raise PipelineError(f"the long table's source '{source}' is neither in {paths.relative(paths.SOURCES)} "
                                "nor a hand-kept source", file=paths.SOURCES, fix="describe it in that file")
    return described


def package(table_bytes: bytes, used: list[str]) -> dict:
    cite = citation.read()
    listed = sources(used)
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "Women, drug policy and incarceration in Latin America: the long table of the briefing's numbers",
        "description": "Every number the briefing's pipeline computes or reads, one row per country, source, "
                       "indicator, sex and period, with its unit and definition. Rebuilt from the publishers' files "
                       "by `dvc repro`; the data remain under their publishers' terms (licences below): cite them as "
                       "well as this project.",
        "version": cite.version,
        "contributors": [{"title": cite.authors, "role": "author"}],
        "citation": f"{cite.authors}, {cite.title}, version {cite.version}",
        "sources": listed,
        "resources": [{
            "name": "indicators",
            "path": paths.INDICATORS.name,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(table_bytes),
            "hash": "sha256:" + hashlib.sha256(table_bytes).hexdigest(),
            "schema": table_schema(),
            "licenses": [{"title": source["licence"], "path": source["path"]} for source in listed
                         if "licence" in source],
        }],
    }


@cli
def main() -> None:
    table_bytes = paths.INDICATORS.read_bytes() if paths.INDICATORS.is_file() else None
    if table_bytes is None:
        raise PipelineError("the long table is missing", file=paths.INDICATORS, fix="run `dvc repro indicators`")
    used = sorted({source for named in pd.read_csv(paths.INDICATORS, usecols=["source"], dtype=str)["source"].unique()
                   for source in longtable.source_ids(named)})
    with io.transaction():
        io.write_text(paths.DATAPACKAGE, json.dumps(package(table_bytes, used), indent=1, ensure_ascii=False) + "\n")
    print(f"{paths.relative(paths.DATAPACKAGE)}: the long table ({len(table_bytes):,} bytes), {len(used)} sources")


if __name__ == "__main__":
    main()
