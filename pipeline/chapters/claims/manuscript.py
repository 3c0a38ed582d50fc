"""Every number printed in the briefing's text, found by rule, so that figures not backed by the pipeline show.

The manuscript is read at build time (path in params.yaml `claims.manuscript`, or $BRIEFING_MANUSCRIPT) and
never copied into the repository: the outputs give each number as printed, its line and its section title,
not the sentence around it.

What counts as a number: digits with English (4,391) or Spanish (4.391) thousands separators, decimals
(448.3; 37,5 only before a percent sign or word), percentages ("37%", "37 percent", "37 por ciento") and
percent ranges ("40 to 80 percent", "40 to even 80 percent", "40–80%"). Numbers written in words are not
scanned. Excluded by rule, and counted per rule in the report:

- `contents`: page numbers in the table of contents (before the first section heading);
- `endnote`: anything from the first numbered endnote after the glossary to the end (citations: dates, pages, ids);
- `footnote_marker`: one or two digits glued to the end of a word or punctuation ("women.48");
  superscript markers (¹²) are not digits and never match;
- `year`: a four-digit whole number inside `claims.years` (ranges of years included);
- `date`: a day of the month next to a month name ("6 July", "July 6,");
- `ordinal`: 43rd, 54th;
- `identifier`: law, article and document numbers (Law 2292, T-388, COVID-19, 77 bis).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline import paths
from pipeline.errors import PipelineError

MANUSCRIPT_ENV = "BRIEFING_MANUSCRIPT"

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December")
# Alternatives in order: English thousands, Spanish thousands, Spanish decimal comma (only before a percent),
# plain whole number or English decimal.
_NUMBER = (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)"
           r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.])"
           r"|\d+,\d{1,2}(?=\s*(?:%|percent|per cent|por ciento))"
           r"|\d+(?:\.\d+)?")
_PERCENT = r"\s*(?:%|\s(?:percent|per cent|por ciento)\b)"
_TOKEN = re.compile(
    rf"(?<!\d)(?<!\d[.,])(?P<low>{_NUMBER})"
    rf"(?:\s*(?:to|–|-)\s*(?:even\s+)?(?P<high>{_NUMBER})(?={_PERCENT}))?"
    rf"(?P<percent>{_PERCENT})?"
)
_SINGLE = re.compile(rf"(?P<low>{_NUMBER})(?P<high>)(?P<percent>{_PERCENT})?")
_MARKER_BEFORE = re.compile(r"[A-Za-z.,;:\"”’')\]]$")
_MARKER_AFTER = re.compile(r"^(?:[\s,.;:]|$)")
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b")
_IDENTIFIER_BEFORE = re.compile(r"(?:[A-Za-z]-|\b(?:Law|Ley|Article|Artículo|Resolution:?|No\.)\s)$")
_IDENTIFIER_AFTER = re.compile(r"^\s?bis\b")
_DATE_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s$")
_DATE_AFTER = re.compile(rf"^\s(?:{_MONTHS})\b")
_ENDNOTE = re.compile(r"^\d{1,2}\.\s")
_CONTENTS_LINE = re.compile(r"^(?P<title>.+?)\t+\d+\s*$")


@dataclass(frozen=True)
class Number:
    """One number as printed: a single value (low == high) or a range, in percent or not."""

    printed: str
    low: Decimal
    high: Decimal
    percent: bool
    currency: bool = False

    @property
    def match_key(self) -> tuple:
        return (self.low, self.high, self.percent)

    @property
    def unit(self) -> str:
        return "percent" if self.percent else ("currency" if self.currency else "number")


@dataclass(frozen=True)
class Found:
    """A number found in the manuscript, where it was found, and the rule that excluded it (if any)."""

    number: Number
    line: int  # one line of the text file is one paragraph
    section: str
    excluded_by: str = ""


def value_of(text: str) -> Decimal:
    """The value of one printed number: 4,391 and 4.391 are 4391; 448.3 is 448.3; 37,5 is 37.5."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return Decimal(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+,\d{1,2}", text):
        return Decimal(text.replace(",", "."))
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    raise ValueError(f"not a number as printed: {text!r}")


def numbers(text: str, years: tuple[int, int] = (1900, 2099)) -> list[tuple[Number, str, int]]:
    """Every number in one paragraph: (number, rule that excludes it or '', character offset)."""
    found, position = [], 0
    while match := _TOKEN.search(text, position):
        if match["high"] and value_of(match["low"]) > value_of(match["high"]):
            # "from 30 percent in 2010 to 20 percent": a falling pair, not a range; take the first alone.
            match = _SINGLE.match(text, match.start())
        position = match.end()
        low, high = match["low"], match["high"] or match["low"]
        number = Number(printed=match.group(0).strip(), low=value_of(low), high=value_of(high),
                        percent=bool(match["percent"]), currency=text[:match.start()].endswith("$"))
        found.append((number, _excluded_by(text, match, number, years), match.start()))
    return found


def parse(printed: str) -> Number:
    """A number exactly as a claim states it ('2,996', '37%', '40 to 80 percent'); one number, no rules."""
    found = numbers(printed, years=(0, -1))
    if len(found) != 1 or found[0][0].printed != printed.strip():
        raise ValueError(f"'{printed}' is not one number as the manuscript would print it")
    return found[0][0]


def _excluded_by(text: str, match: re.Match, number: Number, years: tuple[int, int]) -> str:
    before, after = text[:match.start()], text[match.end():]
    low = match["low"]
    if re.fullmatch(r"\d{1,2}", match.group(0)) and _MARKER_BEFORE.search(before) and _MARKER_AFTER.match(after):
        return "footnote_marker"
    if _ORDINAL.match(after):
        return "ordinal"
    if _IDENTIFIER_BEFORE.search(before) or _IDENTIFIER_AFTER.match(after):
        return "identifier"
    if not number.percent and (_DATE_BEFORE.search(before) or _DATE_AFTER.match(after)) and number.low <= 31 \
            and re.fullmatch(r"\d{1,2}", low):
        return "date"
    if not number.percent and re.fullmatch(r"\d{4}", low) and years[0] <= int(low) <= years[1]:
        return "year"
    return ""


def manuscript_path(configured: str) -> Path:
    """The manuscript: $BRIEFING_MANUSCRIPT if set, else params.yaml's path relative to the project root."""
    path = Path(os.environ.get(MANUSCRIPT_ENV) or configured)
    path = path if path.is_absolute() else paths.ROOT / path
    if not path.is_file():
        raise PipelineError("the manuscript is missing", file=path,
                            fix=f"set params.yaml claims.manuscript or ${MANUSCRIPT_ENV} to the briefing's text")
    return path


def scan(path: Path, years: tuple[int, int]) -> list[Found]:
    """Every number in the manuscript with its line, section (from the table of contents) and exclusion."""
    lines = path.read_text(encoding="utf-8").splitlines()
    titles = _section_titles(lines)
    if not titles:
        raise PipelineError("no table of contents found (lines 'Title<TAB>page')", file=path,
                            fix="the section of each number is read from the contents; restore it")
    section, in_notes, found = "", False, []
    for number_of_line, line in enumerate(lines, start=1):
        heading = _heading(line, titles)
        if heading:
            section, in_notes = heading, False
            continue
        in_notes = in_notes or (section == "Glossary" and bool(_ENDNOTE.match(line)))
        rule = "contents" if not section else ("endnote" if in_notes else "")
        for number, excluded_by, _ in numbers(line, years):
            found.append(Found(number, number_of_line, section, rule or excluded_by))
    return found


def _section_titles(lines: list[str]) -> list[str]:
    titles = []
    for line in lines:
        match = _CONTENTS_LINE.match(line.strip("\n"))
        if match:
            titles.append(re.sub(r"^Inset Box:\s*", "", match["title"].strip()))
    return titles


def _heading(line: str, titles: list[str]) -> str:
    text = line.strip().rstrip(":").strip("*").strip()
    return text if text in titles and "\t" not in line else ""
