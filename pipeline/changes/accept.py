"""`make accept-verdicts REASON="…"`: record the claims' new verdicts once a person has read why they moved.

The claims stage stops the build when a claim's verdict differs from the `expected` recorded in
data/claims.yaml. After reading reports/changes.md, a researcher who finds the new verdicts right accepts
them with one command, which

1. checks every claim on the data as they are now, without that guard (pipeline.changes.current_claims);
2. sets `expected:` of exactly the claims whose verdict moved (or of the ones named with --claim) to the new
   verdict, editing those lines of data/claims.yaml in place, so its comments and layout stay as they are;
3. appends one entry per claim to data/claims-accepted.yaml: date, claim, old and new verdict, the value
   computed, and the reason given.

Both files are written together or not at all. Then `make repro` reruns the claims stage, which passes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import yaml

from pipeline import io, paths
from pipeline.changes import current_claims
from pipeline.errors import PipelineError

LOG_HEADER = """\
# Verdict changes accepted after reading the changes report (reports/changes.md), one entry per claim, appended
# by `make accept-verdicts REASON="…"` (python -m pipeline.changes accept-verdicts): when, which claim, the
# verdict recorded before and the one accepted, the value the claims check computed, and why. Never rewritten:
# data/claims.yaml's `expected:` holds the verdict now recorded.
accepted:
"""


def accept(reason: str, date: str | None = None, only: list[str] | None = None,
           registry: Path = current_claims.REGISTRY, log: Path = paths.CLAIMS_ACCEPTED) -> pd.DataFrame:
    """Accept the verdicts that moved; returns the claims accepted (claim_id, expected, status, computed)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PipelineError("no reason given: say why the new verdicts are right (it is logged with them)",
                            fix='make accept-verdicts REASON="what changed in the data, and who checked it"')
    date = _date(date)
    moved = current_claims.evaluate(registry).moved
    if only:
        unknown = sorted(set(only) - set(moved["claim_id"]))
        if unknown:
            raise PipelineError(f"claim(s) {', '.join(unknown)} did not change verdict", file=registry,
                                fix="name only claims listed under 'Verdicts that moved' in reports/changes.md")
        moved = moved[moved["claim_id"].isin(only)]
    if moved.empty:
        return moved
    accepted = dict(zip(moved["claim_id"], moved["status"]))
    text = registry.read_text(encoding="utf-8")
    edited = set_expected(text, accepted, registry)
    log_text = log.read_text(encoding="utf-8") if log.exists() else LOG_HEADER
    entries = [{"date": date, "claim": r.claim_id, "from": r.expected, "to": r.status,
                "computed": r.computed or "", "reason": reason} for r in moved.itertuples()]
    appended = _append(log_text, entries, log)
    # Save outputs: both files, or neither.
    with io.transaction():
        io.write_text(registry, edited)
        io.write_text(log, appended)
    return moved[["claim_id", "expected", "status", "computed"]].reset_index(drop=True)


def set_expected(text: str, verdicts: dict[str, str], registry: Path = current_claims.REGISTRY) -> str:
    """`text` (data/claims.yaml) with the `expected:` line of each claim in `verdicts` set to its new verdict,
    every other character unchanged; checked by parsing both versions."""
    lines = text.splitlines(keepends=True)
    for claim_id, verdict in verdicts.items():
        number = _expected_line(lines, claim_id, registry)
        found = re.match(r"^(?P<head>\s*(?:- )?expected:\s*)(?P<value>[^\s#]+)(?P<tail>.*)$", lines[number],
                         re.DOTALL)
        lines[number] = f"{found['head']}{verdict}{found['tail']}"
    edited = "".join(lines)
    _check_only_expected_moved(text, edited, verdicts, registry)
    return edited


def _expected_line(lines: list[str], claim_id: str, registry: Path) -> int:
    """Index of the `expected:` line of the claim `claim_id`: the key at the claim's own indentation, inside
    the list item whose `id:` is `claim_id`."""
    pattern = re.compile(rf"^(?P<lead>\s*(?:- )?)id:\s*['\"]?{re.escape(claim_id)}['\"]?\s*(?:#.*)?$")
    starts = [i for i, line in enumerate(lines) if pattern.match(line.rstrip("\n"))]
    if len(starts) != 1:
        raise PipelineError(f"claim '{claim_id}' has {len(starts)} 'id:' lines", file=registry,
                            fix="each claim needs exactly one 'id:' line; edit its 'expected:' by hand")
    key_column = len(pattern.match(lines[starts[0]].rstrip("\n"))["lead"])  # where the claim's keys begin
    opener = re.compile(rf"^ {{{max(key_column - 2, 0)}}}- ")  # the `- ` that opens the claim's list item
    first = next((i for i in range(starts[0], -1, -1) if opener.match(lines[i])), None) if key_column >= 2 else None
    if first is None:
        raise PipelineError(f"claim '{claim_id}' is not an item of the claims list", file=registry,
                            fix="edit its 'expected:' by hand")
    found = []
    for number in range(first, len(lines)):
        line = lines[number]
        content = line.strip()
        ends_item = number > first and content and not content.startswith("#") and \
            len(line) - len(line.lstrip(" ")) <= key_column - 2
        if ends_item:
            break
        own_key = line.startswith(" " * key_column + "expected:") or (number == first and
                                                                      line.lstrip(" ").startswith("- expected:"))
        if own_key:
            found.append(number)
    if len(found) != 1:
        raise PipelineError(f"claim '{claim_id}' has {len(found)} 'expected:' lines at its indentation",
                            file=registry, fix="give the claim one 'expected:' line; edit it by hand")
    return found[0]


def _check_only_expected_moved(before: str, after: str, verdicts: dict[str, str], registry: Path) -> None:
    old, new = yaml.safe_load(before)["claims"], yaml.safe_load(after)["claims"]
    wanted = [claim | {"expected": verdicts[claim["id"]]} if claim.get("id") in verdicts else claim for claim in old]
    if new != wanted:
        raise PipelineError("editing the 'expected:' lines would change more than the verdicts", file=registry,
                            fix="nothing was written; edit the claims' 'expected:' by hand")


def _append(text: str, entries: list[dict], log: Path) -> str:
    """The log with `entries` appended under `accepted:` (its earlier text kept byte for byte)."""
    dumped = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    block = "".join(f"  {line}\n" for line in dumped.splitlines())
    appended = (text if text.endswith("\n") else text + "\n") + block
    parsed = yaml.safe_load(appended)
    listed = parsed.get("accepted") if isinstance(parsed, dict) else None
    if not isinstance(listed, list) or listed[-len(entries):] != entries:
        raise PipelineError("the log of accepted verdicts does not end with its 'accepted:' list", file=log,
                            fix="restore it from git (`git checkout` it); nothing was written")
    return appended


def _date(given: str | None) -> str:
    if given is None:
        return dt.date.today().isoformat()
    try:
        return dt.date.fromisoformat(given).isoformat()
    except ValueError:
        raise PipelineError(f"--date '{given}' is not a date written YYYY-MM-DD",
                            fix="e.g. --date 2025-06-30, or leave it out for today") from None
