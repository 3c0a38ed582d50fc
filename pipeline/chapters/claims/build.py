"""The claims check: every number the briefing states about incarceration, tested against the long table and
given a verdict that says what was done; the build fails when a claim stops giving its recorded verdict.

    python -m pipeline.chapters.claims      # the DVC stage `claims`

Reads `data/claims.yaml` (the registry), `data/processed/indicators.csv` (the long table), the chapter
tables a claim points at, and the manuscript (params.yaml `claims.manuscript`). Writes
`reports/tables/claims.{csv,md}`, `reports/tables/claims.phrases.json` (the same table's statuses and numbers
kept as numbers, so the briefing shows them in each language) and `reports/tables/manuscript-numbers.{csv,md}`.

The verdict scale (also in README.md, "The claims check: what a verdict means"), from the strongest test to none:

- `reproduced`: recomputed from primary sources only (a publisher's own statistics: params.yaml
  `claims.source_classes.primary`) and equal to the stated value at its printed precision — the last printed
  digit, or `precision`; halves round up: '37%' is reproduced by 36.5 up to (not including) 37.5.
- `consistent`: a two-sided test passed — the stated value lies inside an interval [low, high] computed from
  primary data (`compute: interval`, with its method in words), the ends rounded to the stated precision.
  A one-sided bound is never `consistent`.
- `matches_published`: the test passed, but a number it used comes from a secondary source (another
  publication quoting the figure: `claims.source_classes.secondary`) — an agreement, not a recomputation.
- `partly_checked`: the check covers only part of the claim (`part`: which part, how many of how many) and
  holds for that part.
- `contradicted`: the test failed (a mismatch at the printed precision, a value outside the interval, a bound
  on the wrong side of the stated value, a pair in the wrong order).
- `not_checkable`: no test is possible here: the registry's reason, or a one-sided bound that the stated value
  passes (any larger, or smaller, figure would pass as well).

Beside every verdict the column `tolerance_or_interval` shows the test applied: the rounding step, the interval
and its method, the bound, the part covered. A long-table row that only quotes the briefing cannot check it:
pointing at one is an error unless `independent_source` names another publication of the same figure (the
match is then `matches_published` at best).

A verdict may carry a caveat (the column `caveat`, shown beside the verdict): the test holds, but what the numbers
count differs from the claim's words or between the periods compared (Brazil's monitoring count covers 9 states in
2019-12 and all 27 in 2021-12; Brazil's UNODC count of women held includes women outside prison cells). A chapter's
claims table gives it in its own `caveat` column, the registry in a claim's `caveat`; the reason or the context gives
the numbers.

A check is declarative, one computation on long-table keys written `COUNTRY/source/indicator/sex/period` (the
period may be `first` or `latest`: the first or latest period of that series in the long table, for a window that
moves with the data, such as tab-04's headline; a context's `label` then names it as `{period}`, the period its first
key resolves to):

- `value` (one key), `growth_pct` (from, to), `share_pct` (part, whole), `percent_higher` (higher, lower: how
  many percent the first exceeds the second), `difference` (a − b, in the keys' unit), `sum` (any keys);
- `range_within` (any keys): every value lies inside the stated range;
- `sum_latest` (`over`: source, indicator, sex, countries excluded, first period): the sum of each country's
  latest value;
- `greater` (keys in pairs): the first of each pair exceeds the second — for a claim stated without a number,
  or, with `part`, the order implied by stated numbers (women's growth above men's);
- `interval` (`low`, `high`, `method`): each end a key, or a check giving one value;
- `chapter_verdict` (`table`, `row`): the verdict of a chapter's own claims table ('supported' is
  `reproduced` when all its evidence is primary, else `matches_published`; 'contradicted' is `contradicted`;
  'not checkable' is `not_checkable`). Evidence names its source ('oud: …') or lists published figures
  (`ury-041`, data/published/figures.csv: source `published`).

and, on any check: `bound` (lower | upper: the value is only a one-sided bound of what the claim states, e.g. a
sum over the countries that report), `part` (the check covers part of the claim), `differs` (how the measure
differs from the claim's: such a check can confirm at most a part, so it needs `part`, `bound` or `interval`).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal, get_args

import pandas as pd
import pydantic

from pipeline import i18n, io, longtable, params, paths
from pipeline.chapters.claims import manuscript
from pipeline.errors import PipelineError, cli
from pipeline.registry import number as briefing_number
from pipeline.rounding import fixed
from pipeline.settings import Claims, SourceClasses, Strict

REGISTRY = paths.CLAIMS
CLAIMS_TABLE = paths.CLAIMS_TABLE
NUMBERS_TABLE = paths.MANUSCRIPT_NUMBERS

Status = Literal["reproduced", "consistent", "matches_published", "partly_checked", "contradicted", "not_checkable"]
STATUSES = get_args(Status)
# A long-table row whose definition says it was read in the briefing itself. Such a row checks nothing unless
# `independent_source` names another publication of the figure, and then only as that secondary publication.
QUOTES_THE_BRIEFING = re.compile(r"briefing paper", re.IGNORECASE)
QUOTED_WITH_ANOTHER_PUBLICATION = "quoted by the briefing and another publication"  # always secondary
# A chapter's claims table says supported / contradicted / not checkable; 'supported' is graded by its evidence.
CHAPTER_VERDICTS = {"supported": "holds", "contradicted": "contradicted", "not checkable": "not_checkable"}
_FIGURE_ID = re.compile(r"^[a-z]{3}-\d{3}$")  # a figure of data/published/figures.csv (source `published`)
_NAMED_EVIDENCE = re.compile(r"^(?P<source>[a-z][a-z0-9_]*): ")  # 'oud: 2010: 30% read in the report …'
_KEY = re.compile(r"^(?P<country>[A-Z]{3})/(?P<source>[a-z0-9_]+(?:\+[a-z0-9_]+)*)/(?P<indicator>[a-z0-9_]+)/"
                  r"(?P<sex>[a-z_]+)/(?P<period>\d{4}(?:-\d{2})?|first|latest)$")
PERIOD_WORDS = {"first": min, "latest": max}  # a key's period by its place among the long table's periods
_KEYS_NEEDED = {"value": 1, "growth_pct": 2, "share_pct": 2, "percent_higher": 2, "difference": 2}
_ONE_VALUE = ("value", "growth_pct", "share_pct", "percent_higher", "difference", "sum", "sum_latest")
RATIO_DECIMALS = 2  # computed shares, growth rates and differences of percentages are shown to two decimals


class Over(Strict):
    source: str
    indicator: str
    sex: str
    exclude: list[str] = []
    since: str  # first period a country's latest value may come from


class Part(Strict):
    covers: str  # the part the check covers: a country's ISO 3166-1 alpha-3 code (shown by name), or words
    count: int = 1  # how many of the claim's units that part is
    of: int  # how many units the claim is about
    units: Literal["countries", "aspects"]


class Check(Strict):
    compute: Literal["value", "growth_pct", "share_pct", "percent_higher", "difference", "sum", "range_within",
                     "sum_latest", "greater", "interval", "chapter_verdict"]
    keys: list[str] = []
    over: Over | None = None
    low: Check | None = None  # interval ends: a key, or a check giving one value
    high: Check | None = None
    method: str | None = None  # interval or bound: how its numbers are derived, in words
    bound: Literal["lower", "upper"] | None = None
    part: Part | None = None
    table: str | None = None
    row: str | None = None
    label: str | None = None  # for context checks: what the number is
    differs: str | None = None
    independent_source: str | None = None

    @pydantic.field_validator("low", "high", mode="before")
    @classmethod
    def _a_key_is_a_value_check(cls, end):
        return {"compute": "value", "keys": [end]} if isinstance(end, str) else end


Check.model_rebuild()


class Claim(Strict):
    id: str
    section: str
    country: str
    period: str
    description: str
    stated: str | None  # as printed in the manuscript; None for a trend stated without a number
    unit: Literal["persons", "percent", "percent_change", "percent_higher", "trend"]
    also_printed: list[str] = []  # other numbers of the same paragraph that restate this claim
    precision: float | None = None
    comparison: Literal["equal", "more_than", "at_least", "at_most"] = "equal"
    check: Check | None = None
    not_checkable: str | None = None
    # Used instead of `check` (or `not_checkable`) when the long table holds every row it names: numbers only
    # a user's own SNEEP microdata can give. Its verdict is reported, not guarded against `expected`, which
    # was reviewed on the pinned sources alone.
    with_microdata: Check | None = None
    context: list[Check] = []
    # What the check's count holds that the claim's words do not, in a few words shown beside the verdict (the
    # context gives the numbers): Brazil's UNODC count of women held includes women outside prison cells.
    caveat: str | None = None
    expected: Status


@dataclass
class Computed:
    """What a check found: the number(s), a phrase showing them, the long-table rows and sources behind them."""

    values: list
    phrase: dict
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: list[str] = field(default_factory=list)
    decimals: int = 0
    caveat: str = ""  # a chapter's caveat on its verdict, in words (the column `caveat`)
    unit: str | None = None  # the unit its phrase writes its number(s) with (_unit_of)


@dataclass
class Verdict:
    status: str
    reason: str
    test: dict  # the tolerance, interval, bound or part applied, as a phrase


# ------------------------------------------------------------------------------------------- Registry ---

def load_registry(path: Path = REGISTRY) -> list[Claim]:
    """The registry, each entry validated; any problem names the file, the claim and what to do."""
    entries = params.read_yaml(path, "the claims registry")  # one line naming the row; a repeated key refused
    if not isinstance(entries, dict) or not isinstance(entries.get("claims"), list):
        raise PipelineError("expected a top-level 'claims:' list", file=path, fix="see the header comment")
    claims = [_claim(entry, i, path) for i, entry in enumerate(entries["claims"], start=1)]
    duplicated = [k for k, n in Counter(c.id for c in claims).items() if n > 1]
    if duplicated:
        raise PipelineError(f"claim id(s) used twice: {duplicated}", file=path, fix="give each claim its own id")
    return claims


def _claim(entry, number: int, path: Path) -> Claim:
    name = entry.get("id", f"#{number}") if isinstance(entry, dict) else f"#{number}"
    try:
        claim = Claim.model_validate(entry)
    except pydantic.ValidationError as error:
        first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]  # a typo: name it
        where = ".".join(map(str, first["loc"]))
        raise PipelineError(f"claim '{name}': '{where}': {first['msg'].lower()}", file=path,
                            fix=f"keys allowed in a claim: {', '.join(Claim.model_fields)}; in a check: "
                                f"{', '.join(Check.model_fields)}") from None
    problem = _shape_problem(claim)
    if problem:
        raise PipelineError(f"claim '{name}': {problem}", file=path,
                            fix="give either a check or a not_checkable reason, in the shapes the header "
                                "of pipeline/chapters/claims/build.py describes")
    return claim


def _shape_problem(claim: Claim) -> str:
    if claim.with_microdata is not None:
        keys = claim.with_microdata.keys
        if not keys or any(_KEY.match(k) is None or _KEY.match(k)["source"] != "sneep" for k in keys):
            return "with_microdata names SNEEP microdata rows only (keys COUNTRY/sneep/indicator/sex/period)"
        problem = _shape_problem(claim.model_copy(update={"check": claim.with_microdata, "not_checkable": None,
                                                          "with_microdata": None}))
        if problem:
            return f"with_microdata: {problem}"
    if (claim.check is None) == (claim.not_checkable is None):
        return "needs exactly one of 'check' and 'not_checkable'"
    if claim.not_checkable is not None and claim.expected != "not_checkable":
        return "a claim marked not_checkable must expect 'not_checkable'"
    for printed in [claim.stated or "", *claim.also_printed]:
        if printed:
            try:
                manuscript.parse(printed)
            except ValueError as error:
                return str(error)
    for check in [claim.check, *claim.context] if claim.check else claim.context:
        problem = _check_problem(check)
        if problem:
            return problem
    check = claim.check
    if check is None:
        return ""
    if claim.stated is None:
        return "" if check.compute in ("chapter_verdict", "greater") else \
            "a claim without a stated number takes a chapter_verdict or a greater check"
    if check.compute == "greater" and not check.part:
        return ("greater tests an order, not a number: with a stated number it checks only the order, so it "
                "needs 'part' (e.g. covers: the direction, units: aspects)")
    number = manuscript.parse(claim.stated)
    if check.compute == "range_within" and number.low == number.high:
        return "range_within needs a stated range such as '40 to 80 percent'"
    if check.compute == "interval" and (number.low != number.high or claim.comparison != "equal"):
        return "an interval tests one stated value (comparison 'equal'), not a range or a one-sided claim"
    if check.differs and not (check.part or check.bound or check.compute == "interval"):
        return ("a check whose measure differs from the claim's ('differs') can confirm at most part of it: "
                "add 'part' (what it covers), or make it a 'bound' or an 'interval'")
    return ""


def _check_problem(check: Check) -> str:
    bad = [k for k in check.keys if not _KEY.match(k)]
    if bad:
        return f"key {bad[0]!r} is not COUNTRY/source/indicator/sex/period"
    needed = _KEYS_NEEDED.get(check.compute)
    if needed and len(check.keys) != needed:
        return f"{check.compute} takes {needed} key(s), not {len(check.keys)}"
    if check.compute in ("range_within", "sum") and not check.keys:
        return f"{check.compute} needs at least one key"
    if check.compute == "greater" and (not check.keys or len(check.keys) % 2):
        return "greater takes keys in pairs (first, second, first, second, …)"
    if check.compute == "sum_latest" and check.over is None:
        return "sum_latest needs 'over'"
    if check.compute == "chapter_verdict" and not (check.table and check.row):
        return "chapter_verdict needs 'table' and 'row'"
    if check.compute == "chapter_verdict" and briefing_number(check.table) is None:  # the verdict names it by number
        return (f"chapter_verdict's table '{check.table}' is not a table of the briefing (tab-NN-…, "
                "pipeline/registry.py)")
    if check.compute == "interval":
        if not (check.low and check.high and check.method):
            return "interval needs 'low', 'high' and 'method'"
        for end in (check.low, check.high):
            if end.compute not in _ONE_VALUE or end.bound or end.part:
                return f"an interval's ends each give one value ({', '.join(_ONE_VALUE)}), not {end.compute}"
            problem = _check_problem(end)
            if problem:
                return problem
    elif check.low or check.high:
        return "'low' and 'high' belong to an interval check"
    if check.bound and (check.compute not in _ONE_VALUE or not check.method):
        return "a bound is one value (" + ", ".join(_ONE_VALUE) + ") with a 'method' saying why it is a bound"
    if check.part and not 1 <= check.part.count < check.part.of:
        return f"part: {check.part.count} of {check.part.of} is not a part (1 <= count < of)"
    return ""


# ----------------------------------------------------------------------------------------- Evaluation ---

COLUMNS = ["claim_id", "country", "period", "section", "description", "stated", "unit", "computed", "status",
           "caveat", "tolerance_or_interval", "expected", "reason", "check", "source", "source_class", "definition",
           "context"]
# Cells the briefing shows from phrases, in each language (the CSV keeps the English text or code).
PHRASE_COLUMNS = ["stated", "computed", "status", "tolerance_or_interval", "expected", "source_class", "context"]


def evaluate(claims: list[Claim], table: pd.DataFrame, classes: SourceClasses,
             registry: Path = REGISTRY) -> pd.DataFrame:
    """One row per claim: stated and computed values, verdict, the test applied, reason, sources and
    definitions used; the column `phrases` holds the cells the briefing shows in each language."""
    indexed = table.set_index(longtable.KEY).sort_index()
    rows = []
    for claim in claims:
        claim = resolve_periods(claim, indexed)
        with_microdata = claim.with_microdata is not None and all(
            tuple(_KEY.match(key).groupdict()[k] for k in longtable.KEY) in indexed.index
            for key in claim.with_microdata.keys)
        if with_microdata:
            claim = claim.model_copy(update={"check": claim.with_microdata, "not_checkable": None})
        rows.append(_evaluate(claim, indexed, classes, registry) | {"guarded": not with_microdata})
    return pd.DataFrame(rows, columns=COLUMNS + ["phrases", "guarded"])


def resolve_periods(claim: Claim, indexed: pd.DataFrame) -> Claim:
    """The claim with each key whose period is `first` or `latest` written with the first or latest period the long
    table has for that country, source, indicator and sex (tab-04's headline window ends where the data put it), so
    that the check, and every page that shows it, uses a period. A key whose series is absent stays as written: the
    check names it."""
    def resolved(value):
        if isinstance(value, dict):
            return {name: resolved(item) for name, item in value.items()}
        if isinstance(value, list):
            return [resolved(item) for item in value]
        found = _KEY.match(value) if isinstance(value, str) else None
        if found is None or found["period"] not in PERIOD_WORDS:
            return value
        series = tuple(found[name] for name in longtable.KEY[:-1])
        periods = indexed.index[indexed.index.droplevel("period").isin([series])].get_level_values("period")
        if not len(periods):
            return value
        return "/".join([*series, PERIOD_WORDS[found["period"]](periods)])

    if not re.search(r"/(first|latest)\b", claim.model_dump_json()):  # PERIOD_WORDS
        return claim
    return Claim.model_validate(resolved(claim.model_dump(exclude_unset=True)))


def context_label(check: Check) -> str:
    """What a context number is, in words: its `label` (or its computation), with `{period}` written as the period
    of its first key (resolved: the end of tab-04's headline window, wherever the data put it)."""
    label = check.label or check.compute
    if "{period}" in label and check.keys:
        label = label.replace("{period}", _KEY.match(check.keys[0])["period"])
    return label


def _evaluate(claim: Claim, indexed: pd.DataFrame, classes: SourceClasses, registry: Path) -> dict:
    row = {"claim_id": claim.id, "country": claim.country, "period": claim.period, "section": claim.section,
           "description": claim.description, "stated": claim.stated or "", "unit": claim.unit,
           "expected": claim.expected}
    context = [(check, _compute(check, claim, indexed, registry)) for check in claim.context]
    context_phrases = [i18n.phrase("page.claims.context", label=context_label(check), value=found.phrase)
                       for check, found in context]
    if claim.check is None:
        verdict = Verdict("not_checkable", claim.not_checkable, i18n.phrase("page.claims.test.none"))
        found = Computed([], "", pd.concat([pd.DataFrame()] + [c.rows for _, c in context]))
        row["check"], source_classes = "", []
    else:
        found = _compute(claim.check, claim, indexed, registry, units=True)
        verdict = judge(claim, found, classes, registry)
        row["check"] = describe(claim.check)
        source_classes = sorted(set(_classify(source, classes, claim, registry) for source in found.sources))
    phrases = {"stated": stated_phrase(claim.stated) if claim.stated else "", "computed": found.phrase,
               "status": i18n.phrase(f"page.verdict.{verdict.status}"), "tolerance_or_interval": verdict.test,
               "expected": i18n.phrase(f"page.verdict.{claim.expected}"), "context": context_phrases,
               "source_class": [i18n.phrase(f"page.claims.source_class.{c}") for c in source_classes]}
    english = _english()
    return row | _used(found.rows) | {
        "computed": i18n.render(found.phrase, english), "status": verdict.status,
        "caveat": found.caveat or (claim.caveat or "").strip(),
        "reason": verdict.reason,
        "tolerance_or_interval": i18n.render(verdict.test, english), "source_class": "; ".join(source_classes),
        "context": i18n.render(context_phrases, english), "phrases": phrases}


@functools.cache
def _english() -> i18n.Translator:
    return i18n.Translator("en")


# ------------------------------------------------------------------------------------------- Verdicts ---

def judge(claim: Claim, found: Computed, classes: SourceClasses, registry: Path = REGISTRY) -> Verdict:
    """The verdict of a claim's check on what it computed (see the scale in the module header)."""
    check = claim.check
    secondary = [s for s in found.sources if _classify(s, classes, claim, registry) == "secondary"]
    if check.compute == "chapter_verdict":
        outcome, said, because = found.values
        test = i18n.phrase("page.claims.test.chapter", number=str(briefing_number(check.table)))
        if outcome != "holds":
            return Verdict(outcome, f"{said}: {because}", test)
        return _holds(check, "reproduced", said, test, secondary, because)
    if check.compute == "greater":
        return _judge_order(claim, found, secondary)
    step = precision_step(claim)
    if check.compute == "interval":
        return _judge_interval(claim, found, step, secondary)
    if check.bound:
        return _judge_bound(claim, found, step, secondary)
    test = precision_test(claim)
    if matches(claim.stated, found.values, claim.comparison, claim.precision):
        return _holds(check, "reproduced", "agrees with the stated value at its printed precision", test, secondary)
    return Verdict("contradicted", "does not agree with the stated value at its printed precision" + _note(check),
                   test)


def _holds(check: Check, status: str, reason: str, test: dict, secondary: list[str], because: str = "") -> Verdict:
    """A test that passed: a part of the claim, an agreement with a secondary source, or `status`. `because`: a
    chapter's own reason for its verdict (`reason` then says which row of which table gave it), said after the
    grade, so that what qualifies the agreement comes before the chapter's long explanation."""
    if because and not (secondary and not check.part):
        reason, because = f"{reason}: {because}", ""
    if check.part:
        p = check.part
        covers = i18n.phrase(f"page.country.{p.covers}") if re.fullmatch(r"[A-Z]{3}", p.covers) else p.covers
        part_test = i18n.phrase("page.claims.test.part", covers=covers, count=i18n.quantity(p.count, 0),
                                of=i18n.quantity(p.of, 0), units=i18n.phrase(f"page.claims.units.{p.units}"),
                                test=test)
        return Verdict("partly_checked", f"holds for {i18n.render(covers, _english())} only ({p.count} of {p.of} "
                                         f"{p.units}); the rest of the claim is not tested here; {reason}"
                                         + _note(check), part_test)
    if secondary:
        named = "; ".join(sorted(set(secondary)))
        if check.independent_source:
            named += f"; {check.independent_source.strip().rstrip('.')}"
        reason = (f"{reason}, but with a secondary source ({named}): an agreement with another publication, not a "
                  f"recomputation")
        if because:
            reason += f". The chapter's reason: {because}"
        return Verdict("matches_published", reason + _note(check), test)
    return Verdict(status, reason + _note(check), test)


def _judge_interval(claim: Claim, found: Computed, step: Decimal, secondary: list[str]) -> Verdict:
    check = claim.check
    low, high = found.values
    ends = {"low": _amount(low, found.decimals, found.unit), "high": _amount(high, found.decimals, found.unit)}
    if all(_round(value, step) == Decimal(repr(float(value))) for value in (low, high)):  # nothing to round
        test = i18n.phrase("page.claims.test.interval_on_step", **ends, method=check.method)
    else:
        test = i18n.phrase("page.claims.test.interval", **ends, step=_rounding(step, found.unit),
                           rounded_low=_rounded_quantity(low, step, found.unit),
                           rounded_high=_rounded_quantity(high, step, found.unit), method=check.method)
    if interval_contains(claim.stated, low, high, step):
        return _holds(check, "consistent", "the stated value lies inside the interval computed from the data",
                      test, secondary)
    return Verdict("contradicted", "the stated value lies outside the interval computed from the data" + _note(check),
                   test)


def _judge_bound(claim: Claim, found: Computed, step: Decimal, secondary: list[str]) -> Verdict:
    """A one-sided bound can contradict a claim, or prove a one-sided claim on its side; it never confirms a
    stated value: every figure beyond the bound would pass as well."""
    check, value = claim.check, found.values[0]
    test = i18n.phrase(f"page.claims.test.{check.bound}_bound", bound=i18n.quantity(value, found.decimals),
                       method=check.method)
    stated = manuscript.parse(claim.stated)
    rounded = _round(value, step)
    lower = check.bound == "lower"
    # The claim's own side: "more than / at least" above a lower bound, "at most" below an upper bound.
    proves = {("lower", "more_than"): Decimal(repr(float(value))) > stated.low,
              ("lower", "at_least"): rounded >= stated.low,
              ("upper", "at_most"): rounded <= stated.high}.get((check.bound, claim.comparison))
    if proves:
        return _holds(check, "reproduced", f"the {check.bound} bound alone satisfies the one-sided claim", test,
                      secondary)
    beyond = rounded > stated.high if lower else rounded < stated.low
    wrong_side = beyond and claim.comparison in (("equal", "at_most") if lower else ("equal", "at_least")) or \
        (not lower and claim.comparison == "more_than" and Decimal(repr(float(value))) <= stated.low)
    if wrong_side:
        side = "below the lower" if lower else "above the upper"
        return Verdict("contradicted", f"the stated value lies {side} bound computed from the data" + _note(check),
                       test)
    larger = "larger" if lower else "smaller"
    return Verdict("not_checkable", f"only a one-sided {check.bound} bound is available (see its method): the "
                                    f"stated value passes it, as would any {larger} figure, so it is not a test"
                                    + _note(check), test)


def _judge_order(claim: Claim, found: Computed, secondary: list[str]) -> Verdict:
    check = claim.check
    test = i18n.phrase("page.claims.test.greater_one") if len(found.values) == 1 else \
        i18n.phrase("page.claims.test.greater", pairs=i18n.quantity(len(found.values), 0))
    wrong = [f"{a} is not above {b}" for (a, b), gap in zip(zip(check.keys[::2], check.keys[1::2]), found.values)
             if gap <= 0]
    if wrong:
        return Verdict("contradicted", "; ".join(wrong) + _note(check), test)
    return _holds(check, "reproduced", "the first value of each pair is above the second", test, secondary)


def _note(check: Check) -> str:
    return f"; note: {check.differs.strip()}" if check.differs else ""


def matches(stated: str, values: list[float], comparison: str = "equal", precision: float | None = None) -> bool:
    """Do the computed values agree with the stated number once rounded to its precision?

    '37%' is reproduced by 37.4 and by 36.5 (halves round up), not by 36.4; '448.3 percent' needs
    448.25 <= x < 448.35. A stated range ('40 to 80 percent') needs every value inside it.
    """
    number = manuscript.parse(stated)
    step = Decimal(str(precision)) if precision else _step(number.printed)
    rounded = [_round(v, step) for v in values]
    if number.low != number.high:
        return all(number.low <= r <= number.high for r in rounded)
    target = number.low
    if comparison == "more_than":  # "more than 150 percent": the unrounded value must exceed it
        return all(Decimal(repr(float(v))) > target for v in values)
    compare = {"equal": lambda r: r == target, "at_least": lambda r: r >= target, "at_most": lambda r: r <= target}
    return all(compare[comparison](r) for r in rounded)


def interval_contains(stated: str, low: float, high: float, step: Decimal) -> bool:
    """Does the stated value lie inside [low, high] once the ends are rounded to its precision?

    With '95,000' at precision 1,000: [93,000, 94,499] is outside (its high end rounds to 94,000); [94,500,
    99,000] is inside. The same as asking whether the values the stated figure stands for overlap the interval.
    """
    value = manuscript.parse(stated).low
    return _round(low, step) <= value <= _round(high, step)


def precision_step(claim: Claim) -> Decimal:
    """The step a stated value is printed to: `precision`, else its last printed digit (1 for '2,996')."""
    return Decimal(str(claim.precision)) if claim.precision else _step(manuscript.parse(claim.stated).printed)


def _step(printed: str) -> Decimal:
    """The precision a number is printed to: 1 for '2,996' or '37%', 0.1 for '448.3'."""
    digits = re.match(r"[\d.,]+", printed).group(0)
    value = manuscript.value_of(digits.rstrip(".,"))
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0))


def _round(value: float, step: Decimal) -> Decimal:
    return (Decimal(repr(float(value))) / step).to_integral_value(ROUND_HALF_UP) * step


def _step_decimals(step: Decimal) -> int:
    return max(0, -step.normalize().as_tuple().exponent)


def _step_quantity(step: Decimal) -> dict:
    return i18n.quantity(float(step), _step_decimals(step))


def _rounding(step: Decimal, unit: str | None) -> dict:
    """The step a value is rounded to, in a phrase: '1,000'; for a percentage, '1 percentage point'."""
    if unit != "percent":
        return _step_quantity(step)
    return _amount(float(step), _step_decimals(step), "percentage_point" if step == 1 else "percentage_points")


def _rounded_quantity(value: float, step: Decimal, unit: str | None = None) -> dict:
    """A computed value rounded to the stated value's step, as the interval test compares it (with its unit)."""
    return _amount(float(_round(value, step)), _step_decimals(step), unit)


def precision_test(claim: Claim) -> dict:
    """The tolerance of a point check as a phrase: the stated value, how it is compared, the rounding step."""
    step = precision_step(claim)
    number = manuscript.parse(claim.stated)
    decimals = _step_decimals(step) if claim.precision else max(0, -number.low.as_tuple().exponent)
    # A stated percentage is compared as one: '30%', rounded to '1 percentage point'.
    unit = "percent" if number.percent else None
    rounding = _rounding(step, unit)
    if number.low != number.high:
        return i18n.phrase("page.claims.test.range", low=_amount(number.low, decimals, unit),
                           high=_amount(number.high, decimals, unit), step=rounding)
    stated = _amount(number.low, decimals, unit)
    if claim.comparison == "more_than":
        return i18n.phrase("page.claims.test.more_than", stated=stated)
    return i18n.phrase(f"page.claims.test.{claim.comparison}", stated=stated, step=rounding)


def stated_phrase(printed: str) -> dict:
    """A stated number as the briefing shows it in each language: 95,000 / 95.000; 448.3% / 448,3%."""
    number = manuscript.parse(printed)
    decimals = max(0, -min(number.low.as_tuple().exponent, number.high.as_tuple().exponent))
    low, high = i18n.quantity(number.low, decimals), i18n.quantity(number.high, decimals)
    shape = ("percent" if number.percent else "number") + ("_range" if number.low != number.high else "")
    return i18n.phrase(f"page.claims.stated.{shape}", low=low, high=high) if number.low != number.high else \
        i18n.phrase(f"page.claims.stated.{shape}", value=low)


def _classify(source: str, classes: SourceClasses, claim: Claim, registry: Path) -> str:
    if source == QUOTED_WITH_ANOTHER_PUBLICATION:
        return "secondary"
    if source in classes.primary:
        return "primary"
    if source in classes.secondary:
        return "secondary"
    raise PipelineError(f"claim '{claim.id}': source '{source}' is neither primary nor secondary", file=paths.PARAMS,
                        fix="add it to claims.source_classes.primary (a publisher's own statistics) or .secondary "
                            f"(a figure quoted from another publication); used by {paths.relative(registry)}")


# ---------------------------------------------------------------------------------------- Computation ---

def _compute(check: Check, claim: Claim, indexed: pd.DataFrame, registry: Path, units: bool = False) -> Computed:
    """What `check` finds. With `units` (the claim's own check, not a context, whose label says its unit), a
    percentage or a difference of percentages is written with its unit (`_unit_of`)."""
    if check.compute == "chapter_verdict":
        return _chapter_verdict(check, claim, registry)
    if check.compute == "sum_latest":
        return _sum_latest(check.over, claim, indexed, registry)
    if check.compute == "interval":
        low, high = (_compute(end, claim, indexed, registry, units) for end in (check.low, check.high))
        if low.values[0] > high.values[0]:
            raise PipelineError(f"claim '{claim.id}': the interval's low end ({low.values[0]:g}) exceeds its high "
                                f"end ({high.values[0]:g})", file=registry,
                                fix="check the keys of 'low' and 'high' and the method that derives them")
        decimals = max(low.decimals, high.decimals)
        unit = low.unit if low.unit == high.unit else None
        return Computed([low.values[0], high.values[0]],
                        i18n.phrase("page.claims.computed.range", low=_amount(low.values[0], decimals, unit),
                                    high=_amount(high.values[0], decimals, unit)),
                        pd.concat([low.rows, high.rows], ignore_index=True), low.sources + high.sources, decimals,
                        unit=unit)
    rows = pd.DataFrame([_row(key, check, claim, indexed, registry) for key in check.keys])
    v = rows["value"].tolist()
    counts = all(longtable.UNITS.get(unit) == "count" for unit in rows["unit"])
    decimals = 0 if counts and check.compute in ("value", "sum", "difference", "range_within", "greater") else RATIO_DECIMALS
    sources = [QUOTED_WITH_ANOTHER_PUBLICATION if QUOTES_THE_BRIEFING.search(definition) else source
               for source, definition in zip(rows["source"], rows["definition"])]
    unit = _unit_of(check, rows) if units else None
    if check.compute == "range_within":
        phrase = i18n.phrase("page.claims.computed.values_between", low=_amount(min(v), decimals, unit),
                             high=_amount(max(v), decimals, unit), count=i18n.quantity(len(v), 0))
        return Computed(v, phrase, rows, sources, decimals, unit=unit)
    if check.compute == "greater":
        gaps = [a - b for a, b in zip(v[::2], v[1::2])]
        if len(gaps) == 1:  # "in the stated order (gap 1.05)", not "1 of 1 pairs"
            phrase = i18n.phrase("page.claims.computed.greater_one" + ("" if gaps[0] > 0 else "_not"),
                                 gap=_amount(gaps[0], decimals, unit))
        else:
            phrase = i18n.phrase("page.claims.computed.greater", holding=i18n.quantity(sum(g > 0 for g in gaps), 0),
                                 pairs=i18n.quantity(len(gaps), 0), gap=_amount(min(gaps), decimals, unit))
        return Computed(gaps, phrase, rows, sources, decimals, unit=unit)
    value = {"value": lambda: v[0], "sum": lambda: sum(v), "growth_pct": lambda: 100 * (v[1] / v[0] - 1),
             "share_pct": lambda: 100 * v[0] / v[1], "percent_higher": lambda: 100 * (v[0] / v[1] - 1),
             "difference": lambda: v[0] - v[1]}[check.compute]()
    return Computed([value], i18n.phrase("page.claims.computed.value", value=_amount(value, decimals, unit)),
                    rows, sources, decimals, unit=unit)


def _unit_of(check: Check, rows: pd.DataFrame) -> str | None:
    """The unit a claim's computed number is written with: `percent` for a share, growth or percentage
    computed here or read as one, `percentage_points` for a difference of percentages; None for anything else
    (counts, ratios, a difference of counts), written as a bare number as before."""
    if check.compute in ("share_pct", "growth_pct", "percent_higher"):
        return "percent"
    read = set(rows["unit"]) if len(rows) else set()
    if read == {"percent"}:
        return {"value": "percent", "range_within": "percent", "difference": "percentage_points",
                "greater": "percentage_points"}.get(check.compute)
    if read == {"percentage_points"} and check.compute in ("value", "range_within", "greater"):
        return "percentage_points"
    return None


def _amount(value: float, decimals: int, unit: str | None):
    """A computed number in a phrase, with its unit when it has one (page.claims.amount.<unit>)."""
    number = i18n.quantity(value, decimals)
    return i18n.phrase(f"page.claims.amount.{unit}", number=number) if unit else number


def _other_periods(index: tuple, indexed: pd.DataFrame) -> str:
    """The periods the long table has for the key's series (all but its period), as a hint: a claim keyed to the
    latest year of a regional sum loses its key when a new UNODC export moves that year."""
    series = indexed.index.droplevel("period")
    periods = sorted(indexed.index.get_level_values("period")[series == index[:-1]])
    if not periods:
        return ""
    shown = ", ".join(periods[-5:])
    return f" (the long table has this series for {'…, ' if len(periods) > 5 else ''}{shown})"


def _line_of(key: str, registry: Path) -> int | None:
    """The line of the claims file that names `key` first, or None: the whole key, not the start of a longer one
    (`…/2015` is not `…/2015-12`)."""
    whole = re.compile(re.escape(key) + r"(?![\w-])")
    for number, line in enumerate(Path(registry).read_text(encoding="utf-8").splitlines(), start=1):
        if whole.search(line):
            return number
    return None


def _row(key: str, check: Check, claim: Claim, indexed: pd.DataFrame, registry: Path) -> dict:
    parts = _KEY.match(key).groupdict()
    index = tuple(parts[k] for k in longtable.KEY)
    if index not in indexed.index:
        raise PipelineError(f"claim '{claim.id}': key {key} is not in {paths.relative(paths.INDICATORS)}"
                            f"{_other_periods(index, indexed)}", file=registry, row=_line_of(key, registry),
                            fix="correct the key (see the long table's rows), or mark the claim "
                                "not_checkable with the reason if the figure is gone")
    found = indexed.loc[index]
    if QUOTES_THE_BRIEFING.search(found["definition"]) and not check.independent_source:
        raise PipelineError(f"claim '{claim.id}': key {key} only quotes the briefing itself, so it cannot "
                            f"check it ({found['definition']})", file=registry,
                            fix="check against an independent row, or name the other publication of the "
                                "figure in 'independent_source'")
    return parts | {"value": float(found["value"]), "unit": found["unit"], "definition": found["definition"]}


def _sum_latest(over: Over, claim: Claim, indexed: pd.DataFrame, registry: Path) -> Computed:
    rows = indexed.reset_index()
    rows = rows[(rows["source"] == over.source) & (rows["indicator"] == over.indicator)
                & (rows["sex"] == over.sex) & ~rows["country"].isin(over.exclude) & (rows["period"] >= over.since)]
    if rows.empty:
        raise PipelineError(f"claim '{claim.id}': no {over.source}/{over.indicator}/{over.sex} rows from "
                            f"{over.since} in {paths.relative(paths.INDICATORS)}", file=registry,
                            fix="correct 'over', or mark the claim not_checkable with the reason")
    latest = rows.sort_values(["country", "period"]).groupby("country").tail(1)
    total = float(latest["value"].sum())
    decimals = 0 if all(longtable.UNITS.get(unit) == "count" for unit in latest["unit"]) else RATIO_DECIMALS
    phrase = i18n.phrase("page.claims.computed.sum_latest", total=i18n.quantity(total, decimals),
                         countries=i18n.quantity(len(latest), 0), first=latest["period"].min(),
                         last=latest["period"].max())
    return Computed([total], phrase, latest, [over.source], decimals)


def _chapter_verdict(check: Check, claim: Claim, registry: Path) -> Computed:
    path = paths.table(check.table, ".csv")
    if not path.exists():
        raise PipelineError(f"claim '{claim.id}': chapter table {paths.relative(path)} is missing",
                            file=registry, fix="run the chapter's build first (`dvc repro`)")
    chapter = pd.read_csv(path, dtype=str, keep_default_na=False)
    found = chapter[chapter["claim_id"] == check.row]
    if len(found) != 1 or found["status"].iloc[0] not in CHAPTER_VERDICTS:
        raise PipelineError(f"claim '{claim.id}': row '{check.row}' with a known status is not in "
                            f"{paths.relative(path)}", file=registry, fix="correct 'row'")
    verdict = found.iloc[0]
    outcome = CHAPTER_VERDICTS[verdict["status"]]
    said = f"{paths.relative(path)} row {check.row} says '{verdict['status']}'"
    rows = pd.DataFrame([{"source": check.table, "definition": verdict["claim"]}])
    phrase = i18n.phrase("page.claims.computed.evidence", evidence=verdict["evidence"] or "-")
    return Computed([outcome, said, verdict["reason"]], phrase, rows,
                    _evidence_sources(verdict["evidence"], claim, path),
                    caveat=verdict.get("caveat", ""))  # a chapter table without the column has no caveats


def _evidence_sources(evidence: str, claim: Claim, path: Path) -> list[str]:
    """The long-table sources a chapter's evidence comes from: 'oud: …' names one; published figure ids
    (ury-041;ury-059) are the registry of published figures."""
    named = _NAMED_EVIDENCE.match(evidence)
    if named:
        return [named["source"]]
    items = [item.strip() for item in evidence.split(";") if item.strip()]
    unknown = [item for item in items if not _FIGURE_ID.match(item)]
    if unknown:
        raise PipelineError(f"claim '{claim.id}': evidence '{unknown[0]}' names no source", file=path,
                            fix="write evidence as 'source: detail' or as published figure ids (ury-041)")
    return ["published"] * len(items)


def _used(rows: pd.DataFrame) -> dict:
    if rows.empty:
        return {"source": "", "definition": ""}
    return {"source": "; ".join(sorted(set(rows["source"]))), "definition": joined_definitions(rows["definition"])}


SHORT_PASSAGE = 24  # characters: the most a passage may differ by for definitions to be written as one


def joined_definitions(definitions) -> str:
    """The definitions of the rows a claim reads, each once. Where they differ in one passage only (the two ends of an
    interval: "× the 0.25-quantile women's share …" and "× the 0.75-quantile …"), the passage's versions side by side
    in the one text ("× the 0.25-quantile / 0.75-quantile women's share …"); else one after the other. An editor read
    the Americas estimate's definition, two long texts one number apart, as a definition written twice."""
    texts = sorted(set(definitions))
    if len(texts) < 2:
        return "".join(texts)
    prefix = os.path.commonprefix(texts)
    suffix = os.path.commonprefix([text[::-1] for text in texts])[::-1]
    prefix, suffix = prefix[:prefix.rfind(" ") + 1], suffix[suffix.find(" "):] if " " in suffix else ""  # whole words
    passages = [text[len(prefix):len(text) - len(suffix)] for text in texts]
    # a short passage each (a number, a word or two), and the rest in common (not texts inside one another)
    if len(prefix) + len(suffix) > min(len(text) for text in texts) or max(len(p) for p in passages) > SHORT_PASSAGE:
        return "; ".join(texts)
    return prefix + " / ".join(passages) + suffix


def describe(check: Check) -> str:
    """The check in one line of code-like text (the `check` column), shown as it is on every page: keys, names of
    computations and numbers, no prose a page would have to translate (which part a partial check covers is said in
    the verdict's `reason`, in the page's language)."""
    if check.compute == "sum_latest":
        o = check.over
        text = (f"sum_latest {o.source}/{o.indicator}/{o.sex} from {o.since}"
                + (f" excluding {', '.join(o.exclude)}" if o.exclude else ""))
    elif check.compute == "chapter_verdict":
        text = f"chapter_verdict {check.table} {check.row}"
    elif check.compute == "interval":
        text = f"interval from ({describe(check.low)}) to ({describe(check.high)})"
    else:
        text = f"{check.compute} " + " ; ".join(check.keys)
    if check.bound:
        text += f" [{check.bound} bound]"
    if check.part:  # its size only: which part, in words, is in the verdict
        text += f" [part {check.part.count}/{check.part.of}]"
    return text


def changed_verdicts(results: pd.DataFrame) -> pd.DataFrame:
    """Claims whose status is not the one the registry records (a reproduced claim that stopped first)."""
    guarded = results["guarded"] if "guarded" in results else True
    changed = results[(results["status"] != results["expected"]) & guarded].copy()
    changed["lost_reproduction"] = changed["expected"].eq("reproduced")
    return changed.sort_values(["lost_reproduction", "claim_id"], ascending=[False, True])


# ------------------------------------------------------------------------------------------- Coverage ---

def coverage(claims: list[Claim], found: list[manuscript.Found], registry: Path = REGISTRY) -> pd.DataFrame:
    """Every number found in the manuscript, with the claims that cover it (empty: not backed)."""
    # A number a rule excludes (a year, a date, an id, a footnote marker, a page number) is not a figure: no value.
    table = pd.DataFrame([{"line": f.line, "order": i, "section": f.section, "printed": f.number.printed,
                           "low": None if f.excluded_by else f.number.low,
                           "high": None if f.excluded_by else f.number.high, "unit": f.number.unit,
                           "excluded_by": f.excluded_by, "covered_by": ""} for i, f in enumerate(found)])
    keys = [f.number.match_key for f in found]
    covering: dict[int, list[str]] = {}
    sections = set(table["section"])
    for claim in sorted(claims, key=lambda c: c.id):
        tokens = [manuscript.parse(p).match_key for p in [claim.stated, *claim.also_printed] if p]
        if not tokens:
            continue
        if claim.section not in sections:
            raise PipelineError(f"claim '{claim.id}': section '{claim.section}' is not a section of the "
                                f"manuscript", file=registry, fix="use a title from the manuscript's contents")
        for position in _locate(claim, tokens, table, keys, covering, registry):
            covering.setdefault(position, []).append(claim.id)
    table["covered_by"] = [";".join(covering.get(i, [])) for i in range(len(table))]
    return table.drop(columns="order")


def _locate(claim: Claim, tokens: list, table: pd.DataFrame, keys: list, covering: dict, registry: Path):
    """Positions of the claim's numbers in the one paragraph of its section that holds them all."""
    usable = table[(table["section"] == claim.section) & (table["excluded_by"] == "")]
    candidates = []
    for line, paragraph in usable.groupby("line"):
        positions, taken = [], set()
        for token in tokens:
            same = [i for i in paragraph.index if keys[i] == token and i not in taken]
            free = [i for i in same if i not in covering] or same  # share a number only when none is free
            if not free:
                break
            positions.append(free[0])
            taken.add(free[0])
        else:
            candidates.append((line, positions))
    if len(candidates) != 1:
        printed = ", ".join(p for p in [claim.stated, *claim.also_printed] if p)
        problem = "no paragraph" if not candidates else f"{len(candidates)} paragraphs"
        raise PipelineError(f"claim '{claim.id}': {problem} of section '{claim.section}' print(s) {printed}",
                            file=registry, fix="the manuscript changed or the claim's numbers are wrong: update "
                                               "stated/also_printed (or the section) to match the text")
    return candidates[0][1]


# -------------------------------------------------------------------------------------------- Outputs ---

# Each table's source line (its Markdown twin's `Source:`, which the pages and spreadsheets show, translated).
CLAIMS_SOURCE = (f"the claims of {paths.relative(REGISTRY)}, each checked against the long table "
                 f"({paths.relative(paths.INDICATORS)}) and the published figures "
                 f"({paths.relative(paths.PUBLISHED_FIGURES)})")
NUMBERS_SOURCE = (f"the numbers printed in the manuscript's text, and the claims of {paths.relative(REGISTRY)} that "
                  "cover them")


def claims_markdown(results: pd.DataFrame) -> str:
    counts = results["status"].value_counts()
    summary = ", ".join(f"{status}: {counts.get(status, 0)}" for status in STATUSES)
    caveats = int((results["caveat"] != "").sum())
    if caveats:
        summary += f"; {caveats} with a caveat beside the verdict"
    shown = results[["claim_id", "description", "stated", "computed", "unit", "status", "caveat",
                     "tolerance_or_interval",
                     "reason", "source", "source_class", "definition", "context"]]
    return "\n".join([
        "# The briefing's incarceration figures, checked against the pipeline", "",
        f"Source: {CLAIMS_SOURCE}", "",
        f"{len(results)} claims ({summary}). Registry: {paths.relative(REGISTRY)}; rules: "
        "pipeline/chapters/claims/build.py; what each verdict means: README.md, 'The claims check: what a verdict "
        "means'.", "",
        shown.to_markdown(index=False), ""])


def numbers_markdown(numbers: pd.DataFrame, claims: list[Claim]) -> str:
    counted = numbers[numbers["excluded_by"] == ""]
    covered = counted[counted["covered_by"] != ""]
    excluded = numbers.loc[numbers["excluded_by"] != "", "excluded_by"].value_counts().sort_index()
    located = {c for ids in numbers["covered_by"] if ids for c in ids.split(";")}
    with_numbers = [c for c in claims if c.stated]
    share = 100 * len(covered) / len(counted) if len(counted) else 0.0
    uncovered = counted[counted["covered_by"] == ""][["line", "section", "printed", "unit"]]
    return "\n".join([
        "# Numbers printed in the manuscript and the claims that back them", "",
        f"Source: {NUMBERS_SOURCE}", "",
        f"- Numbers found (after the exclusion rules): {len(counted)}",
        f"- Covered by a registry claim: {len(covered)} ({fixed(share, 1)}%)",
        f"- Not covered: {len(uncovered)} (listed below: figures in the text that the pipeline does not back)",
        f"- Registry claims with a stated number located in the text: {len(located)} of {len(with_numbers)}",
        "- Excluded by rule (see pipeline/chapters/claims/manuscript.py): "
        + ", ".join(f"{rule}: {n}" for rule, n in excluded.items()), "",
        "## Not covered by any claim", "", uncovered.to_markdown(index=False), ""])


def phrases_json(results: pd.DataFrame) -> str:
    """The cells the briefing shows in each language, keyed by claim id (see pipeline.i18n, phrases)."""
    cells = {row.claim_id: {column: row.phrases[column] for column in PHRASE_COLUMNS}
             for row in results.itertuples()}
    return json.dumps({"key": "claim_id", "cells": cells}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_outputs(results: pd.DataFrame, numbers: pd.DataFrame, claims: list[Claim]) -> None:
    results = results.sort_values("claim_id").reset_index(drop=True)
    table = results[COLUMNS]
    io.write_text(CLAIMS_TABLE.with_suffix(".csv"), io.csv_text(table))
    io.write_text(CLAIMS_TABLE.with_suffix(".md"), claims_markdown(table))
    io.write_text(CLAIMS_TABLE.with_suffix(i18n.PHRASES_SUFFIX), phrases_json(results))
    io.write_text(NUMBERS_TABLE.with_suffix(".csv"), io.csv_text(numbers))
    io.write_text(NUMBERS_TABLE.with_suffix(".md"), numbers_markdown(numbers, claims))


def run(settings: Claims, registry: Path = REGISTRY, indicators: Path = paths.INDICATORS) -> pd.DataFrame:
    """Check every claim, scan the manuscript, write the five outputs; fail if a verdict changed."""
    # Load inputs.
    claims = load_registry(registry)
    table = longtable.read(indicators)
    if len(settings.years) != 2:
        raise PipelineError("'claims.years' must be [first, last]", file=paths.PARAMS, fix="e.g. [1900, 2099]")
    found = manuscript.scan(manuscript.manuscript_path(settings.manuscript), tuple(settings.years))
    # Process data: verdicts first, then which printed numbers the claims cover.
    results = evaluate(claims, table, settings.source_classes, registry)
    numbers = coverage(claims, found, registry)
    # A verdict that moved must be looked at by a person before the paper's numbers are published.
    changed = changed_verdicts(results)
    if len(changed):
        listing = "; ".join(f"{r.claim_id}: expected {r.expected}, now {r.status} ({r.computed or r.reason})"
                            for r in changed.itertuples())
        raise PipelineError(f"{len(changed)} claim(s) changed verdict — {listing}", file=registry,
                            fix="if the data or code change is right, update the claim's 'expected' (and tell "
                                "the authors); otherwise fix the change that broke it")
    # Save outputs.
    with io.transaction():
        write_outputs(results, numbers, claims)
    return results


@cli
def main() -> None:
    settings = params.read(Claims)
    results = run(settings)
    counts = results["status"].value_counts()
    print("claims: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES))


if __name__ == "__main__":
    main()
