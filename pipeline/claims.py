"""The claims check: every number the briefing states about incarceration, recomputed from the long table or
marked with why it cannot be, and a build that fails when a claim stops giving its recorded verdict.

    python -m pipeline.claims

Reads `data/claims.yaml` (the registry), `data/processed/indicators.csv` (the long table), the chapter
tables a claim points at, and the manuscript (params.yaml `claims.manuscript`). Writes
`reports/tables/claims.{csv,md}` and `reports/tables/manuscript-numbers.{csv,md}`.

A check is declarative, one of a few computations on long-table keys written `COUNTRY/source/indicator/
sex/period`:

- `value` (one key), `growth_pct` (from, to), `share_pct` (part, whole), `percent_higher` (higher, lower:
  how many percent the first exceeds the second), `difference_pp` (a − b, for context);
- `range_within` (any keys): every value lies inside the stated range;
- `sum_latest` (`over`: source, indicator, sex, countries excluded, first period): the sum of each
  country's latest value, a lower bound where countries are missing;
- `chapter_verdict` (`table`, `row`): the verdict a chapter's own claims table gives (supported →
  consistent, contradicted → contradicted, cannot test → not_checkable).

The verdict. The computed value, rounded to the stated precision (the last printed digit unless
`precision` says otherwise; halves round up), is compared with the stated value (`comparison`: equal,
more_than, at_least, at_most). A match is `reproduced`, or `consistent` when the check measures something
close to but not the same as the claim (`differs` says how). A miss within a declared `tolerance` is
`consistent` with the tolerance's reason; any other miss is `contradicted`. A long-table row that only
quotes the briefing cannot check it: pointing at one is an error unless `independent_source` names
another publication of the same figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

import pandas as pd
import pydantic
import yaml

from pipeline import io, longtable, manuscript, params, paths
from pipeline.errors import PipelineError, cli

REGISTRY = paths.DATA / "claims.yaml"
CLAIMS_TABLE = paths.TABLES / "claims"
NUMBERS_TABLE = paths.TABLES / "manuscript-numbers"

STATUSES = ("reproduced", "consistent", "contradicted", "not_checkable")
# A long-table row whose definition says it was read in the briefing itself.
QUOTES_THE_BRIEFING = re.compile(r"briefing paper", re.IGNORECASE)
# A chapter's claims table says supported / contradicted / cannot test; a claim without a stated number
# can at best be consistent with the data.
CHAPTER_VERDICTS = {"supported": "consistent", "contradicted": "contradicted", "cannot test": "not_checkable"}
_KEY = re.compile(r"^(?P<country>[A-Z]{3})/(?P<source>[a-z0-9_]+)/(?P<indicator>[a-z0-9_]+)/"
                  r"(?P<sex>[a-z_]+)/(?P<period>\d{4}(?:-\d{2})?)$")
_KEYS_NEEDED = {"value": 1, "growth_pct": 2, "share_pct": 2, "percent_higher": 2, "difference_pp": 2}


class Settings(params.Strict):
    manuscript: str  # the briefing's text, relative to the project root
    years: list[int]  # [first, last]: four-digit whole numbers in this range are years, not figures


class Tolerance(params.Strict):
    pct: float  # relative gap allowed, in percent of the stated value
    reason: str


class Over(params.Strict):
    source: str
    indicator: str
    sex: str
    exclude: list[str] = []
    since: str  # first period a country's latest value may come from


class Check(params.Strict):
    compute: Literal["value", "growth_pct", "share_pct", "percent_higher", "difference_pp", "range_within",
                     "sum_latest", "chapter_verdict"]
    keys: list[str] = []
    over: Over | None = None
    table: str | None = None
    row: str | None = None
    label: str | None = None  # for context checks: what the number is
    differs: str | None = None
    tolerance: Tolerance | None = None
    independent_source: str | None = None


class Claim(params.Strict):
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
    context: list[Check] = []
    expected: Literal["reproduced", "consistent", "contradicted", "not_checkable"]


@dataclass
class Computed:
    """What a check found: the number(s), a display text, and the long-table rows behind it."""

    values: list[float]
    text: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)


# ------------------------------------------------------------------------------------------- Registry ---

def load_registry(path: Path = REGISTRY) -> list[Claim]:
    """The registry, each entry validated; any problem names the file, the claim and what to do."""
    try:
        entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError("the claims registry is missing", file=path, fix="restore it from git") from None
    except yaml.YAMLError as error:
        raise PipelineError(f"not valid YAML ({error})", file=path, fix="fix the line shown") from None
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
                                "of pipeline/claims.py describes")
    return claim


def _shape_problem(claim: Claim) -> str:
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
    if claim.check is None:
        return ""
    if claim.stated is None and claim.check.compute != "chapter_verdict":
        return "a claim without a stated number can only take a chapter_verdict"
    for check in [claim.check, *claim.context]:
        problem = _check_problem(check)
        if problem:
            return problem
    if claim.check.compute == "range_within" and manuscript.parse(claim.stated).low == \
            manuscript.parse(claim.stated).high:
        return "range_within needs a stated range such as '40 to 80 percent'"
    return ""


def _check_problem(check: Check) -> str:
    bad = [k for k in check.keys if not _KEY.match(k)]
    if bad:
        return f"key {bad[0]!r} is not COUNTRY/source/indicator/sex/period"
    needed = _KEYS_NEEDED.get(check.compute)
    if needed and len(check.keys) != needed:
        return f"{check.compute} takes {needed} key(s), not {len(check.keys)}"
    if check.compute == "range_within" and not check.keys:
        return "range_within needs at least one key"
    if check.compute == "sum_latest" and check.over is None:
        return "sum_latest needs 'over'"
    if check.compute == "chapter_verdict" and not (check.table and check.row):
        return "chapter_verdict needs 'table' and 'row'"
    return ""


# ----------------------------------------------------------------------------------------- Evaluation ---

def evaluate(claims: list[Claim], table: pd.DataFrame, registry: Path = REGISTRY) -> pd.DataFrame:
    """One row per claim: stated and computed values, status, reason, and the sources and definitions used."""
    indexed = table.set_index(longtable.KEY).sort_index()
    return pd.DataFrame([_evaluate(claim, indexed, registry) for claim in claims], columns=COLUMNS)


COLUMNS = ["claim_id", "country", "period", "section", "description", "stated", "unit", "computed", "status",
           "expected", "reason", "check", "source", "definition", "context"]


def _evaluate(claim: Claim, indexed: pd.DataFrame, registry: Path) -> dict:
    row = {"claim_id": claim.id, "country": claim.country, "period": claim.period, "section": claim.section,
           "description": claim.description, "stated": claim.stated or "", "unit": claim.unit,
           "expected": claim.expected}
    context = [_compute(check, claim, indexed, registry) for check in claim.context]
    row["context"] = "; ".join(f"{check.label or check.compute}: {found.text}"
                               for check, found in zip(claim.context, context))
    if claim.check is None:
        return row | {"computed": "", "status": "not_checkable", "reason": claim.not_checkable, "check": "",
                      "source": "", "definition": ""} | _used(pd.concat([pd.DataFrame()] + [c.rows for c in context]))
    check = claim.check
    found = _compute(check, claim, indexed, registry)
    row |= {"computed": found.text, "check": describe(check)} | _used(found.rows)
    if check.compute == "chapter_verdict":
        status, reason = found.values  # a chapter verdict carries its status and reason
        return row | {"status": status, "reason": reason}
    status, reason = judge(claim, found.values)
    return row | {"status": status, "reason": reason}


def judge(claim: Claim, values: list[float]) -> tuple[str, str]:
    """Status and reason for computed values against the stated value, by the rounding rule."""
    check = claim.check
    if matches(claim.stated, values, claim.comparison, claim.precision):
        return ("consistent", check.differs) if check.differs else \
            ("reproduced", f"matches the stated value at its printed precision ({_rule(claim)})")
    stated = float(manuscript.parse(claim.stated).low)
    if check.tolerance and len(values) == 1 and stated and \
            abs(values[0] - stated) <= abs(stated) * check.tolerance.pct / 100:
        return "consistent", f"within {check.tolerance.pct:g}% of the stated value: {check.tolerance.reason}"
    reason = f"does not match the stated value at its printed precision ({_rule(claim)})"
    return "contradicted", reason + (f"; note: {check.differs}" if check.differs else "")


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


def _step(printed: str) -> Decimal:
    """The precision a number is printed to: 1 for '2,996' or '37%', 0.1 for '448.3'."""
    digits = re.match(r"[\d.,]+", printed).group(0)
    value = manuscript.value_of(digits.rstrip(".,"))
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0))


def _round(value: float, step: Decimal) -> Decimal:
    return (Decimal(repr(float(value))) / step).to_integral_value(ROUND_HALF_UP) * step


def _rule(claim: Claim) -> str:
    step = Decimal(str(claim.precision)) if claim.precision else _step(manuscript.parse(claim.stated).printed)
    return f"{claim.comparison}, rounded to {step.normalize():f}"


def _compute(check: Check, claim: Claim, indexed: pd.DataFrame, registry: Path) -> Computed:
    if check.compute == "chapter_verdict":
        return _chapter_verdict(check, claim, registry)
    if check.compute == "sum_latest":
        return _sum_latest(check.over, claim, indexed, registry)
    rows = pd.DataFrame([_row(key, check, claim, indexed, registry) for key in check.keys])
    v = rows["value"].tolist()
    if check.compute in ("value", "range_within"):
        values = v
    elif check.compute == "growth_pct":
        values = [100 * (v[1] / v[0] - 1)]
    elif check.compute == "share_pct":
        values = [100 * v[0] / v[1]]
    elif check.compute == "percent_higher":
        values = [100 * (v[0] / v[1] - 1)]
    else:  # difference_pp
        values = [v[0] - v[1]]
    text = ", ".join(_format(x) for x in values)
    if check.compute == "range_within":
        text = f"{_format(min(values))} to {_format(max(values))} ({len(values)} value(s))"
    return Computed(values, text, rows)


def _row(key: str, check: Check, claim: Claim, indexed: pd.DataFrame, registry: Path) -> dict:
    parts = _KEY.match(key).groupdict()
    index = tuple(parts[k] for k in longtable.KEY)
    if index not in indexed.index:
        raise PipelineError(f"claim '{claim.id}': key {key} is not in {paths.relative(paths.INDICATORS)}",
                            file=registry, fix="correct the key (see the long table's rows), or mark the claim "
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
    text = (f"{_format(total)} ({len(latest)} countries, latest year each, "
            f"{latest['period'].min()}–{latest['period'].max()})")
    return Computed([total], text, latest)


def _chapter_verdict(check: Check, claim: Claim, registry: Path) -> Computed:
    path = paths.TABLES / f"{check.table}.csv"
    if not path.exists():
        raise PipelineError(f"claim '{claim.id}': chapter table {paths.relative(path)} is missing",
                            file=registry, fix="run the chapter's notebook first (`dvc repro`)")
    chapter = pd.read_csv(path, dtype=str, keep_default_na=False)
    found = chapter[chapter["claim_id"] == check.row]
    if len(found) != 1 or found["status"].iloc[0] not in CHAPTER_VERDICTS:
        raise PipelineError(f"claim '{claim.id}': row '{check.row}' with a known status is not in "
                            f"{paths.relative(path)}", file=registry, fix="correct 'row'")
    verdict = found.iloc[0]
    status = CHAPTER_VERDICTS[verdict["status"]]
    reason = f"{paths.relative(path)} row {check.row} says '{verdict['status']}': {verdict['reason']}"
    rows = pd.DataFrame([{"source": f"chapter table {check.table}", "definition": verdict["claim"]}])
    return Computed([status, reason], f"evidence: {verdict['evidence'] or 'none'}", rows)


def _used(rows: pd.DataFrame) -> dict:
    if rows.empty:
        return {"source": "", "definition": ""}
    return {"source": "; ".join(sorted(set(rows["source"]))),
            "definition": "; ".join(sorted(set(rows["definition"])))}


def describe(check: Check) -> str:
    if check.compute == "sum_latest":
        o = check.over
        return (f"sum_latest {o.source}/{o.indicator}/{o.sex} from {o.since}"
                + (f" excluding {', '.join(o.exclude)}" if o.exclude else ""))
    if check.compute == "chapter_verdict":
        return f"chapter_verdict {check.table} {check.row}"
    return f"{check.compute} " + " ; ".join(check.keys)


def _format(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def changed_verdicts(results: pd.DataFrame) -> pd.DataFrame:
    """Claims whose status is not the one the registry records (a reproduced claim that stopped first)."""
    changed = results[results["status"] != results["expected"]].copy()
    changed["lost_reproduction"] = changed["expected"].eq("reproduced")
    return changed.sort_values(["lost_reproduction", "claim_id"], ascending=[False, True])


# ------------------------------------------------------------------------------------------- Coverage ---

def coverage(claims: list[Claim], found: list[manuscript.Found], registry: Path = REGISTRY) -> pd.DataFrame:
    """Every number found in the manuscript, with the claims that cover it (empty: not backed)."""
    table = pd.DataFrame([{"line": f.line, "order": i, "section": f.section, "printed": f.number.printed,
                           "low": f.number.low, "high": f.number.high, "unit": f.number.unit,
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

def claims_markdown(results: pd.DataFrame) -> str:
    counts = results["status"].value_counts()
    summary = ", ".join(f"{status}: {counts.get(status, 0)}" for status in STATUSES)
    shown = results[["claim_id", "description", "stated", "computed", "status", "reason", "source",
                     "definition", "context"]]
    return "\n".join([
        "# The briefing's incarceration figures, checked against the pipeline", "",
        f"{len(results)} claims ({summary}). Registry: data/claims.yaml; rules: pipeline/claims.py.", "",
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
        f"- Numbers found (after the exclusion rules): {len(counted)}",
        f"- Covered by a registry claim: {len(covered)} ({share:.1f}%)",
        f"- Not covered: {len(uncovered)} (listed below: figures in the text that the pipeline does not back)",
        f"- Registry claims with a stated number located in the text: {len(located)} of {len(with_numbers)}",
        "- Excluded by rule (see pipeline/manuscript.py): "
        + ", ".join(f"{rule}: {n}" for rule, n in excluded.items()), "",
        "## Not covered by any claim", "", uncovered.to_markdown(index=False), ""])


def write_outputs(results: pd.DataFrame, numbers: pd.DataFrame, claims: list[Claim]) -> None:
    results = results.sort_values("claim_id").reset_index(drop=True)
    io.write_text(CLAIMS_TABLE.with_suffix(".csv"), results.to_csv(index=False, lineterminator="\n"))
    io.write_text(CLAIMS_TABLE.with_suffix(".md"), claims_markdown(results))
    io.write_text(NUMBERS_TABLE.with_suffix(".csv"), numbers.to_csv(index=False, lineterminator="\n"))
    io.write_text(NUMBERS_TABLE.with_suffix(".md"), numbers_markdown(numbers, claims))


def run(settings: Settings, registry: Path = REGISTRY, indicators: Path = paths.INDICATORS) -> pd.DataFrame:
    """Check every claim, scan the manuscript, write the four outputs; fail if a verdict changed."""
    # Load inputs.
    claims = load_registry(registry)
    table = longtable.read(indicators)
    if len(settings.years) != 2:
        raise PipelineError("'claims.years' must be [first, last]", file=paths.PARAMS, fix="e.g. [1900, 2099]")
    found = manuscript.scan(manuscript.manuscript_path(settings.manuscript), tuple(settings.years))
    # Process data: verdicts first, then which printed numbers the claims cover.
    results = evaluate(claims, table, registry)
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
    settings = params.section("claims", Settings)
    results = run(settings)
    counts = results["status"].value_counts()
    print("claims: " + ", ".join(f"{s} {counts.get(s, 0)}" for s in STATUSES))


if __name__ == "__main__":
    main()
