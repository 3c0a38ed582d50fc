"""Everything the report says, gathered from the baseline and the work tree (no formatting here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pandas as pd

from pipeline import longtable, params, paths
from pipeline.changes import baseline as sides
from pipeline.changes import current_claims, diff
from pipeline.errors import PipelineError

LARGEST = 10  # changed long-table values shown in the summary


@dataclass
class Changes:
    baseline: str  # what the baseline is, in words (revision and commit, or snapshot folder)
    baseline_facts: dict  # the same as fields: kind (git | snapshot), revision, commit, date, subject, folder, saved
    rows_before: int
    rows_now: int
    long_table: pd.DataFrame  # diff.LONG_COLUMNS
    metrics: pd.DataFrame
    claims: pd.DataFrame  # diff.CLAIM_COLUMNS, the computed values as phrases, `sentence` and `line`
    to_accept: pd.DataFrame  # claim_id, expected, status, computed (and as a phrase), sentence, line
    tables: list[diff.TableChanges]
    pins: pd.DataFrame
    fetched: pd.DataFrame
    manuscript: str = ""  # where the manuscript was read ($BRIEFING_MANUSCRIPT, else params.yaml claims.manuscript)
    notes: dict[str, str] = field(default_factory=dict)  # section -> why part of it could not be compared
    # params.yaml's keys whose value changed (diff.PARAMETER_COLUMNS): the definitions a researcher changed
    parameters: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=diff.PARAMETER_COLUMNS))

    @property
    def largest(self) -> pd.DataFrame:
        return diff.largest_changes(self.long_table, LARGEST)

    def counts(self) -> dict:
        kinds = self.long_table["change"].value_counts()
        findings = {f"findings_{k}": sum(t.counts[k] for t in self.tables) for k in ("appeared", "disappeared",
                                                                                     "changed")}
        return {"rows_before": self.rows_before, "rows_now": self.rows_now,
                **{kind: int(kinds.get(kind, 0)) for kind in diff.LONG_CHANGES},
                "metrics_changed": int((self.metrics["change"] != "unchanged").sum()),
                "metrics": len(self.metrics),
                "claims_verdict": int((self.claims["change"] == "verdict").sum()),
                "claims_caveat": int((self.claims["change"] == "caveat").sum()),
                "claims_computed": int((self.claims["change"] == "computed").sum()),
                "claims_registry": int(self.claims["change"].isin(["added", "removed"]).sum()),
                "to_accept": len(self.to_accept), **findings,
                "tables_changed": sum(t.status != "unchanged" for t in self.tables),
                "pins_changed": len(self.pins), "files_changed": len(self.fetched),
                "parameters_changed": len(self.parameters)}


def compare(old) -> Changes:
    """Compare the baseline `old` (a GitRevision or Snapshot) with the project's work tree."""
    now = sides.WorkTree()
    notes: dict[str, str] = {}
    # Load inputs: the work tree's long table is required; every other file is compared when present.
    old_table = _long_table(old, notes)
    new_text = now.read(sides.INDICATORS)
    if new_text is None:
        raise PipelineError("the long table is missing", file=now.root / sides.INDICATORS,
                            fix="run `make repro` to build it, then `make changes`")
    new_table = longtable.validate(diff.read_long_table(new_text), now.root / sides.INDICATORS)
    # Process data: each part on its own, so one missing file leaves the others compared.
    claim_changes, to_accept = _claims(old, notes)
    return Changes(
        baseline=old.label, baseline_facts=old.facts, rows_before=len(old_table), rows_now=len(new_table),
        long_table=diff.long_table(old_table, new_table),
        metrics=diff.metrics(_metrics(old), _metrics(now)),
        claims=claim_changes, to_accept=to_accept, tables=_tables(old, now),
        pins=diff.source_pins(registry_sources(old.read(sides.SOURCES)), registry_sources(now.read(sides.SOURCES))),
        fetched=_fetched(old, now, notes), manuscript=_manuscript(), notes=notes,
        parameters=diff.parameters(_params(old, "baseline", notes), _params(now, "work tree", notes)))


def _manuscript() -> str:
    try:
        return current_claims.manuscript_name()
    except PipelineError:  # a params.yaml problem: the claims part already says why it is empty
        return "params.yaml claims.manuscript"


def _params(side, which: str, notes: dict) -> dict | None:
    """A side's params.yaml as parsed (its comments aside), or None with a note when it has none (a snapshot saved
    before snapshots held it) or cannot be read; `which` names the side in the note."""
    text = side.read(sides.PARAMS)
    if text is None:
        notes["parameters"] = f"the {which} has no {sides.PARAMS}"
        return None
    try:
        return params.parse_yaml(text, sides.PARAMS) or {}
    except PipelineError as error:
        notes["parameters"] = f"{sides.PARAMS} could not be read: {error.message}"
        return None


def _long_table(old, notes: dict) -> pd.DataFrame:
    text = old.read(sides.INDICATORS)
    if text is None:
        notes["long_table"] = f"the baseline has no {sides.INDICATORS}: every row counts as added"
    return diff.read_long_table(text)


def _metrics(side) -> dict | None:
    """Every metrics file of a side as {quantity: its content}; None when it has none."""
    names = side.metric_names()
    return {PurePosixPath(name).stem: _json(side.read(f"{sides.METRICS}/{name}")) for name in names} or None


def _json(text: str | None) -> dict | None:
    return json.loads(text) if text else None


def registry_sources(text: str | None) -> dict:
    listed = params.parse_yaml(text, sides.SOURCES) if text else None
    return (listed or {}).get("sources") or {}


def _claims(old, notes: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims that moved (baseline's claims.csv against the claims evaluated now), and those whose verdict
    differs from the registry's `expected`, with their sentence of the manuscript."""
    old_claims = diff.read_table(old.read(sides.CLAIMS))
    if old_claims is None:
        notes["claims"] = f"the baseline has no {sides.CLAIMS}"
        old_claims = pd.DataFrame(columns=current_claims.COLUMNS)
    try:
        evaluated = current_claims.evaluate()
    except PipelineError as error:  # the rest of the report is still worth reading: say why this part is empty
        notes["claims"] = f"the claims could not be checked on the data as they are now: {error.message}"
        empty = pd.DataFrame(columns=[*diff.CLAIM_COLUMNS, "old_computed_phrase", "new_computed_phrase",
                                      "sentence", "line"])
        return empty, pd.DataFrame(columns=["claim_id", "expected", "status", "computed", "computed_phrase",
                                            "sentence", "line"])
    moved = diff.claims(old_claims, evaluated.results.astype({c: str for c in current_claims.COLUMNS}))
    to_accept = evaluated.moved[["claim_id", "expected", "status", "computed"]].reset_index(drop=True)
    # The computed values as phrases, so each language writes their numbers (pipeline.i18n, phrases).
    old_phrases = (_json(old.read(sides.CLAIM_PHRASES)) or {}).get("cells", {})
    new_phrases = {row.claim_id: row.phrases for row in evaluated.results.itertuples()}
    moved["old_computed_phrase"] = [old_phrases.get(c, {}).get("computed") for c in moved["claim_id"]]
    moved["new_computed_phrase"] = [new_phrases.get(c, {}).get("computed") for c in moved["claim_id"]]
    to_accept["computed_phrase"] = [new_phrases[c].get("computed") for c in to_accept["claim_id"]]
    quoted, problem = current_claims.sentences(set(moved["claim_id"]) | set(to_accept["claim_id"]))
    if problem:
        notes["sentences"] = problem
    for table in (moved, to_accept):
        table["sentence"] = [quoted[c].text if c in quoted else "" for c in table["claim_id"]]
        table["line"] = [quoted[c].line if c in quoted else None for c in table["claim_id"]]
    return moved, to_accept


def _tables(old, now) -> list[diff.TableChanges]:
    names = sides.findings_tables(old.table_names() + now.table_names())
    return [diff.findings_table(name, diff.read_table(old.read(paths.relative(paths.table(name, ".csv")))),
                                diff.read_table(now.read(paths.relative(paths.table(name, ".csv")))))
            for name in names]


def source_ids(*registries: dict) -> list[str]:
    return sorted({source_id for registry in registries for source_id in registry})


def _fetched(old, now, notes: dict) -> pd.DataFrame:
    registry = registry_sources(now.read(sides.SOURCES))
    frames, unavailable = [], []
    for source_id in source_ids(registry, registry_sources(old.read(sides.SOURCES))):
        before, why_not = old.provenance(source_id)
        after, _ = now.provenance(source_id)
        if before is None and after is not None and why_not != "not fetched":
            unavailable.append(source_id)
            continue
        rows = diff.fetched_files(source_id, before, after)
        rows["manual"] = bool((registry.get(source_id) or {}).get("manual_download"))
        frames.append(rows)
    if unavailable:
        notes["fetched"] = (f"the baseline's provenance records of {', '.join(unavailable)} are not in DVC's local "
                            "cache (git does not hold data/raw/): compare with a snapshot saved before the new data "
                            "(--save-snapshot DIR, then --snapshot DIR) to see those files")
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["source", "file", "change", "old_bytes", "new_bytes", "old_sha256", "new_sha256", "manual"])
