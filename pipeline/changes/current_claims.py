"""The claims as the data now give them, and the manuscript's sentence that holds each claim's number.

This is the one place pipeline.changes calls the claims check (pipeline.chapters.claims.build): its public `load_registry` and `evaluate`, run
without the guard that stops the build when a verdict moved (`changed_verdicts` names those claims), so the
report can say what moved even when the claims stage refused to write reports/tables/claims.csv. The
manuscript is read with pipeline.chapters.claims.manuscript (`scan`, `numbers`) and the claims' own `coverage`, which finds the
one paragraph of the claim's section that prints its numbers; the sentence goes into the report, which is a
generated, git-ignored file: the manuscript's text is never copied into the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import longtable, params, paths
from pipeline.chapters.claims import build as claims
from pipeline.chapters.claims import manuscript
from pipeline.errors import PipelineError
from pipeline.settings import Claims

REGISTRY = claims.REGISTRY
COLUMNS = claims.COLUMNS
# Where a sentence ends: '.', '!' or '?' (and any closing quote or bracket), then space and what starts the next
# one (after any closing quote, bracket or superscript footnote marker). A decimal point (37.5) or an
# abbreviation followed by a lower-case word does not end a sentence.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # the manuscript's footnote markers
_SENTENCE_END = re.compile(rf"(?<=[.!?])[\"”’)\]{_SUPERSCRIPTS}]*\s+(?=[\"“‘(\[]?[A-ZÁÉÍÓÚÑ0-9])")


@dataclass
class Evaluated:
    """Every claim's row as the claims check would write it (claims.COLUMNS, plus `phrases` and `guarded`),
    and the claims whose verdict differs from the `expected` recorded in data/claims.yaml."""

    results: pd.DataFrame
    moved: pd.DataFrame


def settings() -> Claims:
    return params.read(Claims)


def manuscript_name() -> str:
    """Where the manuscript is read: $BRIEFING_MANUSCRIPT, else params.yaml `claims.manuscript`."""
    configured = settings().manuscript
    try:
        return paths.relative(manuscript.manuscript_path(configured))
    except PipelineError:  # missing: `sentences` says so
        return configured


def evaluate(registry: Path = REGISTRY, indicators: Path = paths.INDICATORS) -> Evaluated:
    """The claims check on the long table as it is now, without stopping at a verdict that moved."""
    registered = claims.load_registry(registry)
    table = longtable.read(indicators)
    results = claims.evaluate(registered, table, settings().source_classes, registry)
    results = results.sort_values("claim_id").reset_index(drop=True)
    return Evaluated(results, claims.changed_verdicts(results))


@dataclass
class Sentence:
    line: int  # the manuscript's line (one paragraph per line)
    text: str


def sentences(claim_ids, registry: Path = REGISTRY) -> tuple[dict[str, Sentence], str]:
    """The sentence of the manuscript that prints each claim's stated number, found in the claim's section;
    and a note when the manuscript cannot be read (the report then says so instead of quoting)."""
    wanted = set(claim_ids)
    if not wanted:
        return {}, ""
    try:
        configured = settings()
        path = manuscript.manuscript_path(configured.manuscript)
        registered = [c for c in claims.load_registry(registry) if c.id in wanted]
        found = manuscript.scan(path, tuple(configured.years))
        located = claims.coverage(registered, found, registry)
    except PipelineError as error:
        return {}, error.message
    lines = path.read_text(encoding="utf-8").splitlines()
    result = {}
    for claim in registered:
        if not claim.stated:
            continue
        rows = located[located["covered_by"].str.split(";").map(lambda ids: claim.id in ids)]
        if rows.empty:
            continue
        number = manuscript.parse(claim.stated)
        line = int(rows["line"].iloc[0])
        result[claim.id] = Sentence(line, sentence_with(lines[line - 1], number.match_key))
    return result, ""


def sentence_with(paragraph: str, match_key: tuple) -> str:
    """The sentence of `paragraph` holding the first number that reads as `match_key` (the paragraph's first
    sentence when none does), without its footnote markers."""
    found = manuscript.numbers(paragraph)
    offsets = [offset for number, excluded_by, offset in found if number.match_key == match_key and not excluded_by]
    at = offsets[0] if offsets else 0
    start, end = 0, len(paragraph)
    for boundary in _SENTENCE_END.finditer(paragraph):
        if boundary.end() > at:
            end = boundary.start()
            break
        start = boundary.end()
    markers = [(offset, offset + len(number.printed)) for number, excluded_by, offset in found
               if excluded_by == "footnote_marker" and start <= offset < end]
    pieces, position = [], start
    for first, last in markers:
        pieces.append(paragraph[position:first])
        position = last
    pieces.append(paragraph[position:end])
    return "".join(pieces).strip().translate({ord(c): None for c in _SUPERSCRIPTS})
