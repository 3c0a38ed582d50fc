"""Translations and locale formatting for the briefing pack, from ONE committed table (data/translations.csv).

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

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.core import get_global

from pipeline import kept_csv, params, paths
from pipeline.errors import PipelineError
from pipeline.rounding import half_away
from pipeline.settings import Report

TABLE = paths.TRANSLATIONS
# Thousands separator and decimal mark of each language the briefing is published in.
NUMBER_MARKS = {"en": (",", "."), "es": (".", ","), "pt": (".", ",")}
_HOLE = re.compile(r"\\\{(\d+)\\\}")  # a `{n}` hole after re.escape
TEXT_HOLE = re.compile(r"\{\w+\}")  # a hole in a text: `{0}`, `{year}`
# Rows only ever looked up by their key (the pages' and profiles' own texts, column headers), never by their
# English text: they may share an English text with another row.
KEYED_ONLY = ("page.", "col.", "profile.")
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word to translate
# Texts that are identifiers, not words: registry ids (ury-045), source ids (unodc_prisons), numbers and dates.
IDENTIFIER = re.compile(r"^([a-z]{2,4}-\d+|[a-z0-9]+(_[a-z0-9]+)+|[\d\s.,:%–\-/]*)$")
# Codes written as one token: paths, commits, lists of ids, campaign codes (data-raw/relatorios/, ury-041;ury-059,
# HIST2018, 18ed5b9f…): letters mixed with '/', '_', ';', ':' or digits, and no space. Kept as written in every
# language, inside texts too (a hole of a translated text that holds one is carried over unchanged).
CODE = re.compile(r"^(?=\S*[A-Za-z])(?=\S*[/_;:\d])[\w.\-/;:]+$")


def has_words(text: str) -> bool:
    """Whether a text holds a word (two letters in a row), as opposed to numbers, dates and signs only."""
    return bool(_WORD.search(text))


def is_code(text: str) -> bool:
    """Whether a text is an identifier or code, never translated: see IDENTIFIER and CODE."""
    return bool(IDENTIFIER.match(text) or CODE.match(text))


def is_proper_name(text: str) -> bool:
    """Whether a text reads as a proper name: its first word and every word of four letters or more capitalised, as
    outlets and institutions are written (Montevideo Portal, Diario de la Costa), where an English phrase has words
    in lower case (an example outlet, the Patronato). A hole holding one is kept as written in every language when
    the table has no row for it."""
    words = _WORD.findall(text)
    return bool(words) and words[0][0].isupper() and all(word[0].isupper() or len(word) <= 3 for word in words)


def only_codes(text: str) -> bool:
    """Whether a text is codes, numbers and signs only, separated by spaces ('ury-062 persons_prosecuted_drug_offences
    2015-01/2015-11 = 1237'): no word to translate."""
    tokens = [token.strip("()[],;") for token in text.split()]
    return bool(tokens) and all(token in ("", "=", "->", "→") or is_code(token) for token in tokens)


def list_items(text: str) -> list[str]:
    """The items of a list joined by '; ' (a claim's evidence), not cutting inside brackets or parentheses: an item
    may hold a list of its own ('women +26% [approximate; second-hand]'), translated as a hole in turn. A closing
    bracket without its opening one (a quoted 'a)' list marker) does not stop the splitting of what follows."""
    items, depth, start = [], 0, 0
    for position, character in enumerate(text):
        depth = max(0, depth + (character in "([") - (character in ")]"))
        if depth == 0 and text.startswith("; ", position):
            items.append(text[start:position])
            start = position + 2
    return items + [text[start:]]


@dataclass(frozen=True)
class Entry:
    key: str
    texts: dict[str, str]  # language -> text


def languages() -> list[str]:
    """The languages the briefing pack is published in (params.yaml `report.languages`), English first, each a
    column of the translation table."""
    return check_languages(params.read(Report))


def check_languages(report: Report) -> list[str]:
    """`report.languages` as given, once checked: English first, each a column of the translation table."""
    if not report.languages or report.languages[0] != "en":
        raise PipelineError("'report.languages' must start with 'en' (the chapters write in English)",
                            file=paths.PARAMS, fix="write e.g. languages: [en, es, pt]")
    for language in report.languages:
        params.check_choice("report.languages", language, load()[0],
                            f"a language of the translation table ({paths.relative(TABLE)})")
    return report.languages


@functools.cache
def load(table: Path = TABLE) -> tuple[tuple[str, ...], dict[str, Entry]]:
    """Languages of the table and its entries by key; duplicate keys or English texts are errors, and so are a row
    whose number of fields is not the header's (a text with a comma left unquoted: pipeline.kept_csv), an empty text
    in any language and a text whose holes are not its English text's (refused here, by the first stage that reads
    the table, rather than by the stage that happens to use the row: a `dvc repro` then stops before any stage
    records the edited table, and no text is printed without its number)."""
    _, (fields, *rows) = kept_csv.read(table, what="translation table")
    if fields[:2] != ["key", "en"]:
        raise PipelineError(f"the first columns must be 'key,en' (found {','.join(fields[:2])})", file=table)
    languages = tuple(name for name in fields[1:] if name != "note")
    entries: dict[str, Entry] = {}
    seen_english: dict[str, str] = {}
    for row_number, row in enumerate((dict(zip(fields, row)) for row in rows), start=2):
        key = row["key"].strip()
        if key in entries:
            raise PipelineError(f"key '{key}' appears twice", file=table, row=row_number)
        english = row["en"]
        if not key.startswith(KEYED_ONLY):  # texts found by their English must be unambiguous
            if english in seen_english:
                raise PipelineError(f"English text of '{key}' repeats '{seen_english[english]}'",
                                    file=table, row=row_number, fix="keep one row per English text")
            seen_english[english] = key
        holes = set(TEXT_HOLE.findall(english))
        for language in languages:
            if not row[language].strip():
                raise PipelineError(f"key '{key}' has no '{language}' text", file=table, row=row_number,
                                    fix=f"fill the '{language}' column of '{key}'")
            if set(TEXT_HOLE.findall(row[language])) != holes:  # a number or name dropped, or one it cannot fill
                raise PipelineError(
                    f"the '{language}' text of key '{key}' has the holes "
                    f"{_hole_list(TEXT_HOLE.findall(row[language]))}, the English {_hole_list(holes)}",
                    file=table, row=row_number, fix=f"write every hole of the English text in the '{language}' text, "
                                                    "and no other (a hole is filled with a number, year or name)")
        entries[key] = Entry(key, {lang: row[lang] for lang in languages})
    return languages, entries


def _hole_list(holes) -> str:
    return ", ".join(sorted(set(holes))) or "none"


class Translator:
    """Texts and numbers of one language."""

    def __init__(self, language: str, table: Path = TABLE):
        languages, self.entries = load(table)
        if language not in languages:
            raise PipelineError(f"language '{language}' has no column in the translation table", file=table,
                                fix=f"add a '{language}' column, or use one of: {', '.join(languages)}")
        self.language, self.table = language, table
        self._by_english, self._patterns = _lookups(table)
        self._translated: dict[str, str] = {}

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
        if text not in self._translated:
            self._translated[text] = self._translate(text, where)
        return self._translated[text]

    def has(self, text: str) -> bool:
        """Whether the table has a row (exact, or with holes) for this English text."""
        return text in self._translated or text in self._by_english or any(
            pattern.match(text) for pattern, _ in self._patterns)

    def _translate(self, text: str, where: str) -> str:
        entry = self._by_english.get(text)
        if entry is not None:
            return self._value(entry)
        failed = None  # a row whose holes could not be translated: the next row, or the items, may fit the text
        for pattern, entry in self._patterns:
            found = pattern.match(text)
            if found:
                # A hole after 'block', 'table'... holds an identifier (SISDEPEN block 5.14): kept as written.
                english = entry.texts["en"]
                kept = {int(m.group(1)) for m in re.finditer(r"\{(\d+)\}", english)
                        if _IDENTIFIER_BEFORE.search(english[:m.start()])}
                try:
                    holes = {int(name[1:]): value if int(name[1:]) in kept else self._hole(value, where)
                             for name, value in found.groupdict().items()}
                except PipelineError as error:
                    failed = failed or error
                    continue
                return re.sub(r"\{(\d+)\}", lambda m: holes[int(m.group(1))], self._value(entry))
        # A list of items joined by '; ' (a claim's evidence) that no row takes whole: item by item.
        items = list_items(text)
        if len(items) > 1 and all(not self._has_words(item) or only_codes(item) or self.has(item) for item in items):
            return "; ".join(self._hole(item, where) for item in items)
        if failed is not None:
            raise failed
        raise PipelineError(f"no translation of {text!r}{' in ' + where if where else ''} "
                            f"(language '{self.language}')", file=self.table,
                            fix="add a row with this English text (use {0}, {1} for parts that vary)")

    def _hole(self, value: str, where: str) -> str:
        """What filled a hole: words are translated in turn (December 2016), codes and names in capitals kept
        (2016-12, 'PATRONATO CENTRAL DE CURITIBA' (PR)), numbers written in the language's format (2,996 is
        2.996 in Spanish). A run of codes and numbers is kept too ('ury-062 persons_prosecuted_drug_offences
        2015-01/2015-11'), and a list of items joined by '; ' that has no row of its own is translated item by item
        (a claim's evidence: which items it lists depends on the data and the parameters)."""
        if self._has_words(value):
            if value in self._by_english:
                return self.english(value, where)
            items = list_items(value)
            if len(items) > 1 and all(not self._has_words(item) or only_codes(item) or self.has(item)
                                      for item in items):
                return "; ".join(self._hole(item, where) for item in items)
            if self.has(value):
                return self.english(value, where)
            if is_proper_name(value):  # a name a researcher's new row brings (an outlet): no row to write for it
                return localise_numbers(value, self.language)
            if not only_codes(value):
                return self.english(value, where)
        return localise_numbers(value, self.language)

    @staticmethod
    def _has_words(value: str) -> bool:
        """Whether a hole's text has words to translate: not a code, a number or a name in capitals."""
        return bool(_WORD.search(value)) and not is_code(value) and value != value.upper()

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


_LOOKUPS: dict[Path, tuple] = {}  # table -> (the entries `load` gave, by English text, patterns)


def _holes_as_groups(escaped: str) -> str:
    """An escaped English text with each hole `{n}` as a named group, and a hole used again as the same text."""
    seen: set[str] = set()

    def group(hole: re.Match) -> str:
        name = f"h{hole.group(1)}"
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.+?)"

    return _HOLE.sub(group, escaped)


def _lookups(table: Path) -> tuple[dict[str, Entry], list[tuple[re.Pattern, Entry]]]:
    """The table's rows by English text, and its rows with holes as patterns: made once for each reading of the
    table by `load` (a profile page makes two translators, and compiling the patterns each time took 3 s of the
    profiles' stage)."""
    entries = load(table)[1]
    made = _LOOKUPS.get(table)
    if made is None or made[0] is not entries:  # first use, or `load` read the table again (its cache cleared)
        by_english = {e.texts["en"]: e for e in entries.values() if not e.key.startswith(KEYED_ONLY)}
        # Rows with holes, the most specific first (the longest text outside the holes), so that a general row
        # never takes a text a more precise row was written for.
        patterns = [(re.compile("^" + _holes_as_groups(re.escape(text)) + "$", re.DOTALL), entry)
                    for text, entry in by_english.items() if _HOLE.search(re.escape(text))]
        patterns.sort(key=lambda item: -len(re.sub(r"\{\d+\}", "", item[1].texts["en"])))
        made = _LOOKUPS[table] = (entries, by_english, patterns)
    return made[1], made[2]


# UNODC codes CLDR knows by another code (Kosovo); parts of a country have a row `country.<code>` instead.
CLDR_CODES = {"XKX": "XK"}


def country_name(code: str, language: str) -> str:
    """The country's name in `language`: a row `country.<code>` of the translation table (parts of a country, which
    CLDR does not name), else CLDR's name of the territory (babel), never the English one in another language."""
    if f"country.{code}" in load()[1]:
        return Translator(language)(f"country.{code}")
    territory = CLDR_CODES.get(code) or (get_global("territory_aliases").get(code) or [None])[0]
    names = Locale.parse(language).territories
    if territory not in names:
        raise PipelineError(f"no name for the country '{code}' in '{language}' (CLDR has none)",
                            file=paths.TRANSLATIONS,
                            fix=f"add a row 'country.{code}' with its name in every language")
    return names[territory]


def format_number(value: float, language: str, decimals: int = 0, grouping: bool = True) -> str:
    """`value` rounded half away from zero to `decimals` places, with the language's marks: 4,391.5 / 4.391,5."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    thousands, decimal = NUMBER_MARKS[language]
    rounded = round(float(half_away(abs(value), decimals)) * 10 ** decimals)  # a whole number of the last digits
    whole, fraction = divmod(rounded, 10 ** decimals)
    digits = str(int(whole))
    if grouping:
        digits = f"{int(whole):,}".replace(",", thousands)
    text = digits + (decimal + str(int(fraction)).zfill(decimals) if decimals else "")
    return ("-" if value < 0 and rounded else "") + text


def format_percent(value: float, language: str, decimals: int = 1) -> str:
    """A percentage written the way each language writes it: 37.5% / 37,5%."""
    return format_number(value, language, decimals) + "%"


def format_cell(value, language: str, grouping: bool = True, decimals: int | None = None) -> str:
    """A table cell: a number with the column's `decimals` (see `column_decimals`; without it, as many as the
    value needs, at most two) and the language's marks; text has its English-written numbers localised."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return format_number(value, language, _decimals_needed(value) if decimals is None else decimals, grouping)
    return localise_numbers(str(value), language)


# Columns whose numbers are points in time or identifiers, never grouped: years and periods (2015, not
# 2,015), a point's place on a time axis (`position`: 2003.5 is mid-2003), line numbers and ids.
_TIME_OR_ID_COLUMN = re.compile(r"year|period|date|position|^line$|_id$|^id$")


def groups_thousands(column: str) -> bool:
    """Whether numbers in a table column get a thousands separator (not in years, periods, lines and ids)."""
    return not _TIME_OR_ID_COLUMN.search(column)


# Columns whose rows say what their numbers measure (a table in long form): decimals are chosen per value of the first
# one present, so a count beside a percentage is not forced to its decimals.
GROUP_COLUMNS = ("unit", "measure", "rule")


def row_decimals(data, column: str, digits: int) -> list[int]:
    """The decimals of each row's number in `column` of the DataFrame `data`: one count for the column, or for each
    group of rows that measure the same thing (GROUP_COLUMNS), never more than `digits`. Every table a reader gets
    (the briefing's pages, the spreadsheets, reports/tables/*.md) shows its numbers with these decimals."""
    values = data[column].astype(object).where(data[column].notna(), None).tolist()
    group = next((name for name in GROUP_COLUMNS if name in data and name != column), None)
    groups = data[group].astype(str).tolist() if group else None
    return grouped_decimals(values, column, groups, digits)


def grouped_decimals(values: list, column: str, groups: list | None = None, digits: int = 2) -> list[int]:
    """The decimals of each of a column's `values`: those of its group (`groups`, one label per value: rows that
    measure the same thing), at most `digits`. A column of percentages or percentage points (its name ends in _pct
    or _pp) holds one kind of number whatever the rows measure: one count for all of it, at least one decimal, so
    a growth of 47.0% reads 47.0 beside 46.6, not 47."""
    percent = column.endswith(("_pct", "_pp"))
    groups = [""] * len(values) if groups is None or percent else groups
    least = min(1, digits) if percent else 0
    chosen = {name: min(digits, max(least, column_decimals([v for v, g in zip(values, groups) if g == name])))
              for name in dict.fromkeys(groups)}
    return [chosen[name] for name in groups]


def column_decimals(values) -> int:
    """The decimals every number of one column is shown with: 0 when all are whole, otherwise as many as the
    most precise value needs, at most two — so 37.5 and 40 in one column read 37.5 and 40.0."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)]
    return max((_decimals_needed(v) for v in numbers), default=0)


def _decimals_needed(value: float) -> int:
    return next((d for d in (0, 1) if abs(round(value, d) - value) < 1e-9), 2)


# ------------------------------------------------------------------------- Numbers inside text ---

# A number written the English way inside a text: grouped (12,015; 1,234.5) or with a decimal point (24.5).
# Not inside a longer token: no letter, digit, '.' or ',' before it (except 'x' of a ratio, x2.9), and no
# digit or '/' after it (a unit may follow: 1.5x, 12.5pp). A decimal with exactly three digits after the point
# and no grouping (Ley 23.737, Lei 11.343/06) is a law or document number in these sources, never a
# statistic, and is left as it is.
_ENGLISH_NUMBER = re.compile(r"(?:(?<![\w.,])|(?<=\bx))"
                             r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.(?!\d{3}(?![\d]))\d+)"
                             r"(?![\d/]|[.,]\d)")
# Identifiers written with a point, never numbers: table 10.1, block 5.14 (SISDEPEN), licence CC0 1.0; and UNODC's
# category after its dimension, kept as the file writes it in every language (Age=Juveniles).
_IDENTIFIER_BEFORE = re.compile(r"(?:\b(?:[Tt]abl[ea]|[Cc]uadro|[Tt]abela|[Bb]lo(?:ck|que|co)|CC0|CC BY(?:-SA)?|"
                                r"[Vv]ersion|[Vv]ersión|[Vv]ersão)\s|\bAge=)$")
_NUMBER_LIST = re.compile(r"\[(?P<items>[^\[\]]*)\]")


def localise_numbers(text: str, language: str) -> str:
    """A text written in English (a chapter's evidence, a reason, a source line) with each number in the
    language's format: 'total 12,015; 24.5%' is 'total 12.015; 24,5%' in Spanish. A list of numbers in
    brackets gets ';' between its items where the decimal mark is a comma ([3,0; 288,0], not [3,0, 288,0])."""
    if language == "en" or not text:
        return text
    thousands, decimal = NUMBER_MARKS[language]

    def number(match: re.Match) -> str:
        if _IDENTIFIER_BEFORE.search(text[:match.start()]):
            return match.group(0)
        written = match["number"]
        whole, _, fraction = written.replace(",", "").partition(".")
        grouped = f"{int(whole):,}".replace(",", thousands) if "," in written else whole
        return grouped + (decimal + fraction if fraction else "")

    def number_list(match: re.Match) -> str:
        items = match["items"].split(", ")
        if decimal != "," or len(items) < 2 or not all(_ENGLISH_NUMBER.fullmatch(i.strip()) or
                                                       i.strip().lstrip("-").isdigit() for i in items):
            return match.group(0)
        return "[" + "; ".join(items) + "]"

    return _ENGLISH_NUMBER.sub(number, _NUMBER_LIST.sub(number_list, text))


# ---------------------------------------------------------------------------------- Phrases ---

PHRASES_SUFFIX = ".phrases.json"  # beside a table's CSV: some of its cells as phrases, to show in each language
# A phrase is a text with numbers kept as numbers until it is shown, so each language formats them itself:
#     {"key": "page.claims.computed.sum", "values": {"total": {"number": 85005.0, "decimals": 0}, "first": "2019"}}
# `key` is a row of the translation table whose text has `{name}` fields; a value is a number with its
# decimals, a text (kept, its English-written numbers localised; periods such as 2019 are texts and never
# grouped), another phrase, or a list of them. A build step stores phrases as JSON; the report renders them.

def quantity(value: float, decimals: int) -> dict:
    """A number in a phrase, shown with `decimals` decimals in every language."""
    return {"number": float(value), "decimals": int(decimals)}


def phrase(key: str, **values) -> dict:
    return {"key": key, "values": values} if values else {"key": key}


def render(item, tr: "Translator") -> str:
    """A phrase (or list of phrases, joined with '; ') in `tr`'s language."""
    if isinstance(item, list):
        return "; ".join(render(part, tr) for part in item)
    if isinstance(item, str):  # a text the build wrote in English: words translated, codes and numbers kept
        return tr.english(item) if _WORD.search(item) and not is_code(item) else localise_numbers(item, tr.language)
    if "number" in item:
        return format_number(item["number"], tr.language, item["decimals"])
    return tr(item["key"], **{name: render(value, tr) for name, value in item.get("values", {}).items()})

