"""data/processed/datapackage.json: a valid Frictionless Data Package (checked with the `frictionless` library, data
and all), whose Table Schema is the long table's own (pipeline/longtable.py) and whose sources are data/sources.yaml's,
each with its licence and citation."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from frictionless import Package

from pipeline import citation, fetch, longtable, paths
from pipeline.errors import PipelineError
from pipeline.reuse import datapackage


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))


def test_the_package_and_its_data_validate_with_frictionless():
    report = Package(str(paths.DATAPACKAGE)).validate()
    problems = [error.message for task in report.tasks for error in task.errors] + \
               [error.message for error in report.errors]
    assert report.valid, problems[:5]
    assert report.stats["tasks"] == 1


def test_frictionless_rejects_a_row_that_breaks_the_schema(tmp_path, descriptor):
    """The validation can fail: a long table with a bad sex and a duplicated key does not pass."""
    lines = paths.INDICATORS.read_text(encoding="utf-8").splitlines()
    broken = [lines[0], lines[1], lines[1], lines[2].replace(",female,", ",woman,", 1).replace(",total,", ",woman,", 1)]
    (tmp_path / paths.INDICATORS.name).write_text("\n".join(broken) + "\n", encoding="utf-8")
    changed = json.loads(json.dumps(descriptor))
    for field in ("bytes", "hash"):
        changed["resources"][0].pop(field)
    (tmp_path / "datapackage.json").write_text(json.dumps(changed), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    types = {error.type for task in report.tasks for error in task.errors}
    assert not report.valid and {"primary-key", "constraint-error"} <= types, types


def test_schema_is_the_long_tables(descriptor):
    schema = descriptor["resources"][0]["schema"]
    assert [field["name"] for field in schema["fields"]] == longtable.COLUMNS
    assert schema["primaryKey"] == longtable.KEY
    fields = {field["name"]: field for field in schema["fields"]}
    assert fields["value"]["type"] == "number" and fields["country"]["type"] == "string"
    assert set(fields["sex"]["constraints"]["enum"]) >= {"female", "male", "total"}
    assert all(field["constraints"]["required"] for name, field in fields.items() if name != "value")


def test_size_hash_version_and_every_sources_licence_and_citation(descriptor):
    resource = descriptor["resources"][0]
    data = paths.INDICATORS.read_bytes()
    assert resource["bytes"] == len(data) and resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert descriptor["version"] == citation.read().version == "0.1.0"
    listed = fetch.registry()
    described = {source["id"]: source for source in descriptor["sources"]}
    assert sorted(described) == ["oud", "published", "sisdepen", "unodc_drug_crimes", "unodc_prisons"]
    # Each source once, also where a row joins two (the Americas interval with Brazil's women in cells only).
    joined = pd.read_csv(paths.INDICATORS, usecols=["source"], dtype=str)["source"]
    assert sorted(joined[joined.str.contains("+", regex=False)].unique()) == ["unodc_prisons+sisdepen"]
    for source, entry in described.items():
        if source in listed:
            assert entry["licence"] == " ".join(str(listed[source]["licence"]).split())
            assert entry["citation"] == " ".join(str(listed[source]["citation"]).split())
            assert entry["snapshot"] == str(listed[source]["snapshot"]["date"])
    assert len(resource["licenses"]) == 3  # the hand-kept sources cite per row


def test_a_source_nobody_describes_is_one_message():
    with pytest.raises(PipelineError, match="'nowhere' is neither in data/sources.yaml nor a hand-kept source"):
        datapackage.sources(["unodc_prisons", "nowhere"])
