"""Translations and locale formatting for the briefing pack, from ONE committed table (pipeline/translations.csv).

The table has one row per text: a stable `key`, the English text (`en`) and one column per other language.
Texts are looked up two ways:

- by key, for texts the report writes itself (page headings `page.*`, table headers `col.<column>`);
- by English text, for texts the chapters wrote in English (figure titles and labels, captions, alt text,
  source lines, table titles). An English text may hold numbered holes, `{0}`, `{1}`, … that match any run of
  characters (years, periods, parameter values); the matched text is carried into the translation unchanged.

A text without a row, or a row without a value for the language asked, is a `PipelineError` naming the key
(or the English text) and the language: the pack never falls back to English.

Numbers are formatted by hand rather than by CLDR (babel): CLDR leaves four-digit numbers ungrouped in
Spanish (4391), whereas the briefing's style is 4.391 in every language but English.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from matplotlib.axis import XAxis
from matplotlib.ticker import Formatter, FuncFormatter, ScalarFormatter

from pipeline.errors import PipelineError

TABLE = Path(__file__).resolve().parent / "translations.csv"
# Thousands separator and decimal mark of each language the briefing is published in.
NUMBER_MARKS = {"en": (",", "."), "es": (".", ","), "pt": (".", ",")}
_HOLE = re.compile(r"\\\{(\d)\\\}")  # a `{n}` hole after re.escape
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word to translate


@dataclass(frozen=True)
class Entry:
    key: str
    texts: dict[str, str]  # language -> text


@functools.cache
def load(table: Path = TABLE) -> tuple[tuple[str, ...], dict[str, Entry]]:
    """Languages of the table and its entries by key; duplicate keys or English texts are errors."""
    with table.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        if fields[:2] != ["key", "en"]:
            raise PipelineError(f"the first columns must be 'key,en' (found {','.join(fields[:2])})", file=table)
        languages = tuple(name for name in fields[1:] if name != "note")
        entries: dict[str, Entry] = {}
        seen_english: dict[str, str] = {}
        for row_number, row in enumerate(reader, start=2):
            key = row["key"].strip()
            if key in entries:
                raise PipelineError(f"key '{key}' appears twice", file=table, row=row_number)
            english = row["en"]
            if not key.startswith(("page.", "col.")):  # texts found by their English must be unambiguous
                if english in seen_english:
                    raise PipelineError(f"English text of '{key}' repeats '{seen_english[english]}'",
                                        file=table, row=row_number, fix="keep one row per English text")
                seen_english[english] = key
            entries[key] = Entry(key, {lang: (row.get(lang) or "") for lang in languages})
    return languages, entries


class Translator:
    """Texts and numbers of one language."""

    def __init__(self, language: str, table: Path = TABLE):
        languages, self.entries = load(table)
        if language not in languages:
            raise PipelineError(f"language '{language}' has no column in the translation table", file=table,
                                fix=f"add a '{language}' column, or use one of: {', '.join(languages)}")
        self.language, self.table = language, table
        self._by_english = {e.texts["en"]: e for e in self.entries.values()
                            if not e.key.startswith(("page.", "col."))}
        self._patterns = [(re.compile("^" + _HOLE.sub(r"(?P<h\1>.+?)", re.escape(text)) + "$"), entry)
                          for text, entry in self._by_english.items() if _HOLE.search(re.escape(text))]

    # ------------------------------------------------------------------------------------ Texts ---

    def __call__(self, key: str, **values) -> str:
        """The text of `key` in this language, with `{name}` fields filled from `values`."""
        entry = self.entries.get(key)
        if entry is None:
            raise PipelineError(f"no translation key '{key}' (language '{self.language}')", file=self.table,
                                fix=f"add a row '{key}' with its text in every language")
        text = self._value(entry)
        return text.format(**values) if values else text

    def column(self, name: str) -> str:
        """A table header: the row `col.<name>`."""
        return self(f"col.{name}")

    def english(self, text: str, where: str = "") -> str:
        """The translation of an English text written by a chapter (exact row first, then rows with holes)."""
        if self.language == "en":
            return text
        entry = self._by_english.get(text)
        if entry is not None:
            return self._value(entry)
        for pattern, entry in self._patterns:
            found = pattern.match(text)
            if found:
                holes = {int(name[1:]): self._hole(value, where) for name, value in found.groupdict().items()}
                return re.sub(r"\{(\d)\}", lambda m: holes[int(m.group(1))], self._value(entry))
        raise PipelineError(f"no translation of {text!r}{' in ' + where if where else ''} "
                            f"(language '{self.language}')", file=self.table,
                            fix="add a row with this English text (use {0}, {1} for parts that vary)")

    def _hole(self, value: str, where: str) -> str:
        """What filled a hole: words are translated in turn (December 2016), numbers and codes kept (2016-12)."""
        return self.english(value, where) if _WORD.search(value) and not _IDENTIFIER.match(value) else value

    def _value(self, entry: Entry) -> str:
        value = entry.texts.get(self.language, "")
        if not value.strip():
            raise PipelineError(f"key '{entry.key}' has no '{self.language}' text", file=self.table,
                                fix=f"fill the '{self.language}' column of '{entry.key}'")
        return value

    # ---------------------------------------------------------------------------------- Numbers ---

    def number(self, value: float, decimals: int = 0, grouping: bool = True) -> str:
        return format_number(value, self.language, decimals, grouping)

    def percent(self, value: float, decimals: int = 1) -> str:
        return format_percent(value, self.language, decimals)


def format_number(value: float, language: str, decimals: int = 0, grouping: bool = True) -> str:
    """`value` rounded half away from zero to `decimals` places, with the language's marks: 4,391.5 / 4.391,5."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    thousands, decimal = NUMBER_MARKS[language]
    scaled = abs(value) * 10 ** decimals
    rounded = math.floor(scaled + 0.5 + 1e-9 * max(1.0, scaled))
    whole, fraction = divmod(rounded, 10 ** decimals)
    digits = str(int(whole))
    if grouping:
        digits = f"{int(whole):,}".replace(",", thousands)
    text = digits + (decimal + str(int(fraction)).zfill(decimals) if decimals else "")
    return ("-" if value < 0 and rounded else "") + text


def format_percent(value: float, language: str, decimals: int = 1) -> str:
    """A percentage written the way each language writes it: 37.5% / 37,5%."""
    return format_number(value, language, decimals) + "%"


def format_cell(value, language: str, grouping: bool = True) -> str:
    """A table cell: whole numbers grouped, others with up to two decimals; text unchanged."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        if float(value).is_integer():
            return format_number(value, language, 0, grouping)
        decimals = 1 if abs(round(value, 1) - value) < 1e-9 else 2
        return format_number(value, language, decimals, grouping)
    return str(value)


# ------------------------------------------------------------------------------------- Figures ---

# Texts drawn on a chart that are identifiers, not words: registry ids (ury-045), source ids (unodc_prisons).
_IDENTIFIER = re.compile(r"^([a-z]{2,4}-\d+|[a-z0-9]+(_[a-z0-9]+)+|[\d\s.,:%–\-/]*)$")


def translate_figure(figure, translator: Translator, where: str) -> None:
    """Translate every text a chart function drew in English (titles, axis labels, legend, annotations), and
    format the numeric axes by locale. A text without a translation is an error naming it."""
    if translator.language == "en":
        return
    for text in _figure_texts(figure):
        content = text.get_text()
        if content.strip() and not _IDENTIFIER.match(content):
            text.set_text(translator.english(content, where))
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if isinstance(axis.get_major_formatter(), (ScalarFormatter, FuncFormatter)):  # not categorical
                axis.set_major_formatter(LocaleFormatter(translator.language, grouping=not isinstance(axis, XAxis)))


def _figure_texts(figure) -> list:
    texts = list(figure.texts)
    if getattr(figure, "_suptitle", None) is not None:
        texts.append(figure._suptitle)
    for legend in figure.legends:
        texts += legend.get_texts()
    for axes in figure.axes:
        texts += [axes.title, axes._left_title, axes._right_title, axes.xaxis.label, axes.yaxis.label]
        texts += list(axes.texts)
        if axes.get_legend() is not None:
            texts += axes.get_legend().get_texts()
    return list({id(text): text for text in texts}.values())  # the suptitle is also among figure.texts


class LocaleFormatter(Formatter):
    """Tick labels with the language's marks; as many decimals as the tick spacing needs (at most 3).
    x axes of the briefing's charts hold years, so they are not grouped (2015, not 2.015)."""

    def __init__(self, language: str, grouping: bool = True):
        self.language, self.grouping, self.decimals = language, grouping, 0

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = next((d for d in range(4) if all(abs(round(v, d) - v) < 1e-9 for v in locs)), 3)

    def __call__(self, value, pos=None):
        return format_number(value, self.language, self.decimals, self.grouping)
