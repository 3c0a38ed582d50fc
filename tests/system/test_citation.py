"""LICENSE and CITATION.cff: what a user expects to find, consistent with pyproject.toml and data/sources.yaml.

tests/schemas/cff-1.2.0.schema.json is the Citation File Format 1.2.0 JSON schema
(https://citation-file-format.github.io/1.2.0/schema.json, by the Citation File Format contributors,
CC-BY-4.0), byte for byte as the cffconvert 2.0.0 wheel on PyPI ships it (sha256 below). cffconvert itself
cannot be a dependency: it requires jsonschema<4, and the Jupyter stack here requires jsonschema>=4.18.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib

import jsonschema
import pytest
import yaml

from pipeline import fetch, paths

SCHEMA = paths.ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json"
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"
HOLDER = "The briefing-pipeline maintainers"


def _citation() -> dict:
    # CFF asks tools to read YAML dates as strings before validating (the schema says so).
    text = (paths.ROOT / "CITATION.cff").read_text(encoding="utf-8")
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def _pyproject() -> dict:
    return tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _problems(citation: dict) -> list[str]:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")),
                                           format_checker=jsonschema.FormatChecker())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(citation))


def test_citation_is_valid_cff_1_2_0():
    assert _problems(_citation()) == []


@pytest.mark.parametrize(("change", "problem"), [
    (lambda c: c.pop("authors"), ": 'authors' is a required property"),
    (lambda c: c.update({"cff-version": "1.1"}), "cff-version"),
    (lambda c: c.update({"license": "MIT License"}), "license"),
    (lambda c: c["references"][0].pop("type"), "references/0: 'type' is a required property"),
    (lambda c: c["references"][0].update({"url": "dataunodc.un.org"}), "references/0/url"),
    (lambda c: c["references"][0].update({"date-published": "11 May 2023"}), "references/0/date-published"),
])
def test_schema_check_rejects_a_broken_citation(change, problem):
    broken = copy.deepcopy(_citation())
    change(broken)
    assert any(p.startswith(problem) for p in _problems(broken)), _problems(broken)


def test_version_and_licence_match_pyproject():
    project = _pyproject()["project"]
    citation = _citation()
    assert citation["version"] == project["version"] == "0.1.0"
    assert citation["license"] == project["license"]["text"] == "MIT"
    assert citation["title"].startswith(f"{project['name']}: ")
    assert citation["authors"] == [{"name": HOLDER}]


def test_references_cite_every_source_with_its_publisher():
    cited = {r["title"]: r for r in _citation()["references"]}
    sources = fetch.registry()
    assert len(cited) == len(sources) == 6
    for source_id, source in sources.items():
        reference = cited.get(source["title"])
        assert reference is not None, f"CITATION.cff does not cite '{source_id}' ({source['title']})"
        assert reference["publisher"] == {"name": source["publisher"]}
        assert reference["authors"] == [{"name": source["publisher"]}]
        assert reference.get("url") == (source["page"] if source["page"].startswith("http") else None)
        assert reference["notes"].startswith(f"Cite as: {source['citation']}.") or source_id == "manuscript"


def test_licence_file_is_the_standard_mit_text_with_the_project_holder():
    text = (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["MIT License", "", f"Copyright (c) 2026 {HOLDER}"]
    assert hashlib.sha256(text.split("\n", 3)[3].encode()).hexdigest() == \
        "21a76c19ae398e37fc00bca26e6850feee362e8188f8507ad44a53475ee62c33"
