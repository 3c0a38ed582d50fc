"""Parameters from params.yaml, checked strictly: an unknown or misspelt key is an error, not a default.

`section(name, Model)` returns one stage's section validated against that stage's pydantic model
(extra keys forbidden, types enforced). `check_sections()` rejects unknown top-level sections.
"""

from __future__ import annotations

import difflib
from typing import TypeVar

import pydantic
import yaml

from pipeline import paths
from pipeline.errors import PipelineError

# Every top-level section params.yaml may hold: one per stage or chapter, plus shared ones.
SECTIONS = ("base", "fetch", "disclosure", "unodc_prisons", "regional", "brazil", "argentina", "uruguay",
            "claims", "report")

Model = TypeVar("Model", bound=pydantic.BaseModel)


class Strict(pydantic.BaseModel):
    """Base for parameter models: unknown keys and wrong types are errors."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True, frozen=True)


def load() -> dict:
    """The whole params.yaml, with its top-level sections checked."""
    try:
        data = yaml.safe_load(paths.PARAMS.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PipelineError("params.yaml is missing", file=paths.PARAMS,
                            fix="restore it from git: `git checkout params.yaml`") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"not valid YAML ({error})", file=paths.PARAMS,
                            fix="fix the indentation or quoting at the line shown") from None
    check_sections(data)
    return data


def check_sections(data: dict) -> None:
    for name in data:
        if name not in SECTIONS:
            raise PipelineError(f"unknown section '{name}'{_did_you_mean(name, SECTIONS)}",
                                file=paths.PARAMS, fix=f"known sections are: {', '.join(SECTIONS)}")


def section(name: str, model: type[Model] | None = None) -> Model | dict:
    """One section of params.yaml, validated against `model` when given."""
    data = load()
    if name not in data:
        raise PipelineError(f"section '{name}' is missing", file=paths.PARAMS,
                            fix=f"add a '{name}:' section (see README, 'Changing a parameter')")
    if model is None:
        return data[name]
    try:
        return model.model_validate(data[name])
    except pydantic.ValidationError as error:
        # A misspelt key shows up as one extra and one missing key: report the extra one, with a suggestion.
        first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        key = ".".join([name, *map(str, first["loc"])])
        known = list(model.model_fields)
        hint = _did_you_mean(str(first["loc"][-1]), known) if first["type"] == "extra_forbidden" else ""
        raise PipelineError(f"'{key}': {first['msg'].lower()}{hint}", file=paths.PARAMS,
                            fix=f"keys allowed in '{name}': {', '.join(known)}") from None


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
