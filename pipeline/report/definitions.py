"""The definitions a build used, with their explanations, for the briefing's "Definitions used".

The explanations are the comments of params.yaml, read from the file itself (one home: the file that holds a
value explains it): a key's trailing comment explains it, a comment line above a key introduces the keys that
follow, a section's trailing comment explains the section, and a banner (`# ---- Brazil (SISDEPEN) ---`) names
the group of sections below it. The values shown are those the settings models checked (pipeline.params), not
the file's text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from pipeline import i18n, params, paths

_BANNER = re.compile(r"^#\s*-{3,}\s*(?P<title>.*?)\s*-{3,}\s*$")
_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][\w]*):(?P<rest>.*)$")


@dataclass
class Parameter:
    key: str  # dotted path inside its section: outlier_treatment, source_classes.primary
    value: str  # as the build used it (JSON for lists and mappings); '' for a mapping written as its own block
    explanation: str  # the key's comment, in English ('' when it has none)


@dataclass
class Section:
    name: str
    explanation: str  # the section line's comment
    group: str  # the banner above it ('' before the first banner)
    items: list = field(default_factory=list)  # Parameter, or a str: a comment line introducing the keys below


def parameters() -> list[Section]:
    """Every section of params.yaml, in the file's order, each key with the value used and its explanation."""
    used = {name: section.model_dump() for name, section in params.read_all().items()}
    sections: list[Section] = []
    group, pending, parents = "", [], []
    for line in paths.PARAMS.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        banner = _BANNER.match(stripped)
        if banner:
            group, pending = banner["title"], []
            continue
        if stripped.startswith("#"):
            if sections and line.startswith(" "):  # inside a section: introduces the keys below
                pending.append(stripped.lstrip("#").strip())
            continue
        found = _KEY.match(line)
        if not found:
            continue
        value_text, comment = split_comment(found["rest"])
        depth = len(found["indent"]) // 2
        if depth == 0:
            sections.append(Section(found["key"], comment, group))
            parents, pending = [], []
            continue
        parents = parents[:depth - 1] + [found["key"]]
        sections[-1].items += pending
        pending = []
        value = _at(used[sections[-1].name], parents)
        shown = "" if not value_text.strip() and isinstance(value, dict) else show_value(value)
        sections[-1].items.append(Parameter(".".join(parents), shown, comment))
    return sections


def split_comment(text: str) -> tuple[str, str]:
    """A YAML line's value and its trailing comment: a '#' after a space, outside quotes."""
    quote = None
    for position, character in enumerate(text):
        if quote:
            quote = None if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character == "#" and (position == 0 or text[position - 1].isspace()):
            return text[:position].strip(), text[position + 1:].strip()
    return text.strip(), ""


def show_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _at(section: dict, keys: list[str]):
    for key in keys:
        section = section[key]
    return section


# ---------------------------------------------------------------- Definitions a table states ---

def stated(definitions: dict, tr: i18n.Translator, where: str) -> list[tuple[str, str, bool, bool]]:
    """The definitions a figure or table states, in the language: (label, text, label is a code, text is a code).
    A label that names a parameter and its value stay as written (they are what params.yaml holds); a label or
    value in words is translated; a value of codes the build wrote keeps its codes and has its numbers in the
    language's format ('AZE 2010 (12,7%)')."""
    known = {key for section in params.load().values() if isinstance(section, dict) for key in section}
    shown = []
    for label, value in sorted(definitions.items()):
        label_is_code = label in known or i18n.is_code(label)
        text = show_value(value)
        value_is_code = label in known or not isinstance(value, str) or _is_code_text(text)
        if not value_is_code:
            text = tr.english(text, where)
        elif label not in known and isinstance(value, str):
            text = i18n.localise_numbers(text, tr.language)
        shown.append((label if label_is_code else tr.english(label, where), text, label_is_code, value_is_code))
    return shown


def in_language(definitions: dict, tr: i18n.Translator, where: str) -> dict:
    """The definitions with their words in `tr`'s language, as `stated` shows them on the briefing's pages (a
    figure's caption file: figures/<lang>/*.txt); parameters, codes and values that are not words are kept as the
    build holds them."""
    if tr.language == "en":
        return definitions
    held = [definitions[label] for label in sorted(definitions)]
    return {label: text if isinstance(value, str) else value
            for (label, text, _, _), value in zip(stated(definitions, tr, where), held)}


def _is_code_text(text: str) -> bool:
    """A definition's value that is a list of codes (ISO codes, state-semesters): no word in lower case."""
    return i18n.is_code(text) or not re.search(r"\b[a-z]{2,}", text)
