"""Parameters from params.yaml, checked strictly: an unknown or misspelt key is an error, not a default.

`read(Model)` returns one section validated against its model in pipeline/settings.py (extra keys forbidden,
types enforced); `load()` is the whole file, its top-level sections checked against `settings.SECTIONS`. A key
given twice is an error (YAML itself would keep the last one silently; DVC rejects the file), here and in every
hand-kept YAML file read through `read_yaml`.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import os
import re
import sys
from pathlib import Path
from typing import TypeVar

import pydantic
import yaml

from pipeline import paths, settings
from pipeline.errors import PipelineError

Model = TypeVar("Model", bound=pydantic.BaseModel)
# When set, every section a command reads is logged there (one JSON line: the command and the section), so that the
# end-to-end test can check that each dvc.yaml stage declares exactly the sections its command reads.
READ_LOG_ENV = "BRIEFING_PARAMS_READ_LOG"
SectionModel = TypeVar("SectionModel", bound=settings.Section)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a mapping that names a key twice."""


class _FastUniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same with libyaml's parser where PyYAML was built with it (the pure-Python one took a third of the report
    stage, which reads params.yaml for every table it shows). A file it refuses is parsed again by the loader above,
    whose messages say the problem and its line more plainly ("expected ',' or ']', but got '<stream end>'", row 1,
    where libyaml says "did not find expected ',' or ']'", row 2)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)
_FastUniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_yaml(path, what: str = "file"):
    """A hand-kept YAML file, parsed safely; a missing file, a syntax error or a repeated key is one
    PipelineError naming the file and the line."""
    try:
        text = paths.ROOT.joinpath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PipelineError(f"{what} is missing", file=path,
                            fix=f"restore it from git: `git checkout {paths.relative(path)}`") from None
    except UnicodeDecodeError:
        raise PipelineError(f"{what} is not UTF-8 text", file=path, fix="save it again as UTF-8") from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path):
    """YAML text read from `path` (named in the error), parsed as `read_yaml` parses a file."""
    return copy.deepcopy(_parsed(text, path))  # a copy: a caller may change what it got


@functools.lru_cache(maxsize=32)
def _parsed(text: str, path):
    """The YAML of `text`, parsed once per process for each content of the file (a step reads params.yaml for every
    table and definition it shows; the text is read again each time, so a file changed in between is seen)."""
    try:
        return yaml.load(text, Loader=_FastUniqueKeyLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError:
        pass
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise PipelineError(f"not valid YAML: {problem}", file=path, row=mark.line + 1 if mark else None,
                            fix="fix the indentation, quoting or repeated key on that line") from None


def load() -> dict:
    """The whole params.yaml, with its top-level sections checked."""
    data = read_yaml(paths.PARAMS, paths.PARAMS.name) or {}
    if not isinstance(data, dict):
        raise PipelineError("params.yaml must be a mapping of sections", file=paths.PARAMS,
                            fix="restore it from git: `git checkout params.yaml`")
    check_sections(data)
    return data


def check_sections(data: dict) -> None:
    for name in data:
        if name not in settings.SECTIONS:
            raise PipelineError(f"unknown section '{name}'{_did_you_mean(name, settings.SECTIONS)}",
                                file=paths.PARAMS, fix=f"known sections are: {', '.join(settings.SECTIONS)}")


def read(model: type[SectionModel]) -> SectionModel:
    """The section of params.yaml that `model` (a class of pipeline/settings.py) describes, validated."""
    return section(model.SECTION, model)


def read_all(log: bool = True) -> dict[str, settings.Section]:
    """Every section of params.yaml, each validated by its model, in the file's order. `log=False`: the reads are not
    logged as a stage's (`make repro` checks the whole file before any stage starts)."""
    return {name: section(name, settings.SECTIONS[name], log) for name in load()}


def section(name: str, model: type[Model] | None = None, log: bool = True) -> Model | dict:
    """One section of params.yaml, validated against `model` when given."""
    if log:
        _log_read(name)
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
        unknown = first["type"] == "extra_forbidden"
        hint = _did_you_mean(str(first["loc"][-1]), known) if unknown else ""
        given = _at(data[name], first["loc"])
        value = f" (given: {given!r})" if given is not _MISSING and not unknown else ""
        # A wrong value names what the key takes (pydantic's message); the keys allowed help only with a key.
        about_a_key = unknown or first["type"] == "missing"
        raise PipelineError(f"'{key}': {'not a key of this section' if unknown else first['msg'].lower()}"
                            f"{value}{hint}", file=paths.PARAMS,
                            fix=f"keys allowed in '{name}': {', '.join(known)}" if about_a_key else
                            "correct the value; the comment beside the key in params.yaml says what it means") from None


_MISSING = object()


def _log_read(name: str) -> None:
    log = os.environ.get(READ_LOG_ENV)
    if log:
        command = [paths.relative(Path(os.path.abspath(sys.argv[0]))), *sys.argv[1:]] if sys.argv else []
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"command": command, "section": name}) + "\n")


def _at(data, location):
    for part in location:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def check_choice(key: str, value, allowed, what: str = "an allowed value") -> None:
    """A parameter's value must be one the data has (`what` says what it is, e.g. "a semester in the files"):
    one message naming the key, the value and the allowed values."""
    allowed = list(allowed)
    if value not in allowed:
        shown = ", ".join(map(str, allowed[:40])) + (" …" if len(allowed) > 40 else "")
        raise PipelineError(f"'{key}' is {value!r}, not {what}{_did_you_mean(str(value), map(str, allowed))}",
                            file=paths.PARAMS, fix=f"use one of: {shown}")


def check_regex(key: str, pattern: str) -> None:
    """A regular expression given as a parameter must compile."""
    try:
        re.compile(pattern)
    except re.error as error:
        raise PipelineError(f"'{key}' is not a valid regular expression ({error}): {pattern!r}",
                            file=paths.PARAMS, fix="fix the pattern (Python `re` syntax), e.g. \"(?i)monitora|tornozel\"") from None


def _did_you_mean(word: str, choices) -> str:
    """The choice closest to `word`, letter case aside ('arg' is 'ARG', an ISO3 code), as a hint; or nothing."""
    folded = {}
    for choice in choices:
        folded.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1)
    return f" (did you mean '{folded[close[0]]}'?)" if close else ""
