"""What moved between two versions of each compared file: pure functions on tables and parsed files.

- `long_table`: rows of the long table added, removed and changed (value, unit or definition), matched on the
  long table's key; changed rows grouped by country and indicator, the group with the largest relative change
  first, and inside a group the largest relative change first.
- `metrics`: every leaf of the metrics files (quantity.country), old and new.
- `claims`: claims whose computed value or verdict moved (and claims added to or removed from the registry).
- `findings_table`: rows of a data-quality, reconciliation or check table that appeared or disappeared, whole
  rows compared; a removed and an added row that share the table's key (inferred, see `infer_key`) are one
  changed row.
- `source_pins` and `fetched_files`: data/sources.yaml pins, and the files each fetch recorded.
- `parameters`: the keys of params.yaml whose value changed, was added or was removed.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from pipeline import longtable

KEY = longtable.KEY
LONG_COLUMNS = ["change", *KEY, "old_value", "new_value", "difference", "relative_change_pct", "unit", "old_unit",
                "definition", "old_definition", "definition_changed"]
# Order of the kinds of change in every listing: what a reviewer must look at first.
LONG_CHANGES = ("changed", "definition", "added", "removed")


# ------------------------------------------------------------------------------------------ Long table ---

def read_long_table(text: str | None) -> pd.DataFrame:
    """A long-table CSV as written by pipeline.longtable (values as numbers, every other cell as text)."""
    if not text:
        return pd.DataFrame(columns=longtable.COLUMNS).astype({"value": float})
    return pd.read_csv(io.StringIO(text), dtype={c: str for c in longtable.COLUMNS if c != "value"} | {"value": float},
                       keep_default_na=False, na_values={"value": [""]})


def long_table(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """One row per added, removed or changed long-table row (LONG_COLUMNS), in reading order."""
    both = old[longtable.COLUMNS].merge(new[longtable.COLUMNS], on=KEY, how="outer", suffixes=("_old", "_new"),
                                        indicator=True)
    rows = pd.DataFrame({
        **{k: both[k] for k in KEY},
        "old_value": both["value_old"], "new_value": both["value_new"],
        "unit": both["unit_new"].fillna(both["unit_old"]), "old_unit": both["unit_old"].fillna(""),
        "definition": both["definition_new"].fillna(both["definition_old"]),
        "old_definition": both["definition_old"].fillna("")})
    present = both["_merge"] == "both"
    value_moved = present & ((both["value_old"] != both["value_new"]) | (both["unit_old"] != both["unit_new"]))
    definition_moved = present & (both["definition_old"] != both["definition_new"])
    rows["change"] = ""
    rows.loc[both["_merge"] == "left_only", "change"] = "removed"
    rows.loc[both["_merge"] == "right_only", "change"] = "added"
    rows.loc[definition_moved, "change"] = "definition"
    rows.loc[value_moved, "change"] = "changed"
    rows["definition_changed"] = definition_moved
    rows.loc[~definition_moved, "old_definition"] = ""
    rows.loc[~(present & (both["unit_old"] != both["unit_new"])), "old_unit"] = ""
    rows = rows[rows["change"] != ""].copy()
    rows["difference"] = rows["new_value"] - rows["old_value"]
    rows["relative_change_pct"] = [_relative(old_value, difference) for old_value, difference
                                   in zip(rows["old_value"], rows["difference"])]
    return order_long_changes(rows[LONG_COLUMNS])


def _relative(old_value: float, difference: float) -> float:
    """The change as a percentage of the old value; infinite from zero; NaN when there is no old value."""
    if pd.isna(old_value) or pd.isna(difference):
        return math.nan
    if old_value == 0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return 100 * difference / abs(old_value)


def order_long_changes(rows: pd.DataFrame) -> pd.DataFrame:
    """Kinds of change in LONG_CHANGES order. Changed values: grouped by country and indicator, the group
    holding the largest relative change (in absolute value) first, then inside it the largest first; ties
    and the other kinds by country, indicator, source, sex, period."""
    rows = rows.copy()
    size = rows["relative_change_pct"].abs().fillna(-1.0)
    rows["_kind"] = rows["change"].map({c: i for i, c in enumerate(LONG_CHANGES)})
    rows["_size"] = size.where(rows["change"] == "changed", -1.0)
    rows["_group"] = rows.groupby(["_kind", "country", "indicator"])["_size"].transform("max")
    rows = rows.sort_values(["_kind", "_group", "country", "indicator", "_size", "source", "sex", "period"],
                            ascending=[True, False, True, True, False, True, True, True], kind="stable")
    return rows.drop(columns=["_kind", "_size", "_group"]).reset_index(drop=True)


def largest_changes(rows: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` changed values with the largest relative change (in absolute value)."""
    changed = rows[rows["change"] == "changed"].copy()
    changed["_size"] = changed["relative_change_pct"].abs().fillna(-1.0)
    changed = changed.sort_values(["_size", *KEY], ascending=[False, True, True, True, True, True], kind="stable")
    return changed.drop(columns="_size").head(count).reset_index(drop=True)


def counts_by_source(rows: pd.DataFrame) -> pd.DataFrame:
    """How many rows of each kind of change per long-table source (columns LONG_CHANGES)."""
    table = pd.crosstab(rows["source"], rows["change"]) if len(rows) else pd.DataFrame()
    return table.reindex(columns=list(LONG_CHANGES), fill_value=0).astype(int).sort_index()


# ---------------------------------------------------------------------------------------------- Params ---

PARAMETER_COLUMNS = ["key", "change", "old", "new"]


def parameters(old: dict | None, new: dict | None) -> pd.DataFrame:
    """params.yaml, key by key (`key` dotted; a list is one value): each key whose value changed, was added or was
    removed, with its old and new value as the file writes it (JSON for a list or a mapping)."""
    old_keys, new_keys = dict(_settings(old or {})), dict(_settings(new or {}))
    rows = []
    for key in sorted(old_keys.keys() | new_keys.keys()):
        before, after = old_keys.get(key, _ABSENT), new_keys.get(key, _ABSENT)
        if before is not _ABSENT and after is not _ABSENT and before == after and type(before) is type(after):
            continue
        change = "added" if before is _ABSENT else "removed" if after is _ABSENT else "changed"
        rows.append({"key": key, "change": change, "old": None if before is _ABSENT else _shown(before),
                     "new": None if after is _ABSENT else _shown(after)})
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS, dtype=object)


def _settings(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from _settings(value, name)
        else:
            yield name, value


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --------------------------------------------------------------------------------------------- Metrics ---

def metrics(old: dict | None, new: dict | None) -> pd.DataFrame:
    """Every leaf of the two metrics files (`path` dotted): old, new, difference, and what happened to it."""
    old_leaves, new_leaves = dict(_leaves(old or {})), dict(_leaves(new or {}))
    rows = []
    for path in sorted(old_leaves.keys() | new_leaves.keys()):
        before, after = old_leaves.get(path, _ABSENT), new_leaves.get(path, _ABSENT)
        change = ("added" if before is _ABSENT else "removed" if after is _ABSENT
                  else "unchanged" if before == after and type(before) is type(after) else "changed")
        numeric = _is_number(before) and _is_number(after)
        rows.append({"path": path, "old": None if before is _ABSENT else before,
                     "new": None if after is _ABSENT else after,
                     "difference": after - before if numeric else None, "change": change})
    return pd.DataFrame(rows, columns=["path", "old", "new", "difference", "change"], dtype=object)


_ABSENT = object()


def _leaves(tree, prefix: str = ""):
    if isinstance(tree, dict) and tree:
        for key, value in tree.items():
            yield from _leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(tree, list) and tree:
        for index, value in enumerate(tree):
            yield from _leaves(value, f"{prefix}.{index}" if prefix else str(index))
    elif prefix:  # an empty side (no metrics files) has no leaves
        yield prefix, tree


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------- Claims ---

CLAIM_COLUMNS = ["claim_id", "section", "stated", "change", "old_computed", "new_computed", "old_status",
                 "new_status", "old_caveat", "new_caveat", "expected"]


def claims(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Claims whose verdict (status), caveat or computed value moved, or that were added to or removed from the
    registry (CLAIM_COLUMNS); verdict changes first, then caveats, then by claim id. `expected` is the new
    registry's. A baseline from before claims had caveats (2026-12-05) has none."""
    columns = ["claim_id", "section", "stated", "computed", "status", "caveat", "expected"]
    old, new = (side.reindex(columns=columns, fill_value="") for side in (old, new))
    both = old.merge(new, on="claim_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    both = both.fillna("")
    change = pd.Series("", index=both.index)
    change[both["computed_old"] != both["computed_new"]] = "computed"
    change[both["caveat_old"] != both["caveat_new"]] = "caveat"
    change[both["status_old"] != both["status_new"]] = "verdict"
    change[both["_merge"] == "left_only"] = "removed"
    change[both["_merge"] == "right_only"] = "added"
    rows = pd.DataFrame({
        "claim_id": both["claim_id"],
        "section": both["section_new"].where(both["section_new"] != "", both["section_old"]),
        "stated": both["stated_new"].where(both["stated_new"] != "", both["stated_old"]), "change": change,
        "old_computed": both["computed_old"], "new_computed": both["computed_new"],
        "old_status": both["status_old"], "new_status": both["status_new"], "old_caveat": both["caveat_old"],
        "new_caveat": both["caveat_new"], "expected": both["expected_new"]})
    rows = rows[rows["change"] != ""]
    order = {"verdict": 0, "caveat": 1, "computed": 2, "added": 3, "removed": 4}
    return rows.sort_values(["change", "claim_id"], key=lambda c: c.map(order) if c.name == "change" else c,
                            kind="stable").reset_index(drop=True)[CLAIM_COLUMNS]


# -------------------------------------------------------------------------- Data-quality findings ---

@dataclass
class TableChanges:
    """What moved in one findings table. `key`: the columns a removed and an added row were matched on
    (None when no key could be inferred: rows are then only added or removed)."""

    name: str
    status: str  # "new table", "table removed", "changed", "unchanged"
    columns: list[str]
    key: list[str] | None = None
    added: pd.DataFrame = field(default_factory=pd.DataFrame)
    removed: pd.DataFrame = field(default_factory=pd.DataFrame)
    changed: list[tuple[dict, dict, list[str]]] = field(default_factory=list)  # (old row, new row, columns moved)
    columns_changed: tuple[list[str], list[str]] | None = None  # (baseline's, now) when they differ

    @property
    def counts(self) -> dict:
        return {"appeared": len(self.added), "disappeared": len(self.removed), "changed": len(self.changed)}


# A whole number written with decimal zeros ("4013.0", as the tables were written before 2026-12-04): the same number
# as "4013", so a baseline from before then does not report every count as changed.
_WHOLE_WITH_ZEROS = re.compile(r"^(-?\d+)\.0+$")


def read_table(text: str | None) -> pd.DataFrame | None:
    """A committed table's CSV, every cell as written (text; a whole number without its decimal zeros), or None when
    the file does not exist."""
    if text is None:
        return None
    if not text.strip():
        return pd.DataFrame()
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return table.apply(lambda column: column.str.replace(_WHOLE_WITH_ZEROS, r"\1", regex=True))


def findings_table(name: str, old: pd.DataFrame | None, new: pd.DataFrame | None) -> TableChanges:
    """Rows that appeared or disappeared (whole rows compared as written); pairs sharing the inferred key
    are reported once, as changed, with the columns that moved."""
    if old is None and new is None:
        raise ValueError(f"table {name} is on neither side")
    if new is None:
        return TableChanges(name, "table removed", list(old.columns), removed=old.reset_index(drop=True))
    status = "new table" if old is None else None
    old = old if old is not None else pd.DataFrame(columns=new.columns)
    columns = list(new.columns) + [c for c in old.columns if c not in new.columns]
    old_rows, new_rows = (frame.reindex(columns=columns).astype(object).fillna("") for frame in (old, new))
    old_set, new_set = _row_counts(old_rows), _row_counts(new_rows)
    removed = _rows_not_in(old_rows, new_set)
    added = _rows_not_in(new_rows, old_set)
    key = infer_key(old, new) if list(old.columns) == list(new.columns) else None
    changed = []
    if key and len(removed) and len(added):
        removed_by_key = {tuple(r[k] for k in key): r for r in removed.to_dict("records")}
        kept_added = []
        for row in added.to_dict("records"):
            before = removed_by_key.pop(tuple(row[k] for k in key), None)
            if before is None:
                kept_added.append(row)
            else:
                changed.append((before, row, [c for c in columns if before[c] != row[c]]))
        added = pd.DataFrame(kept_added, columns=columns)
        removed = pd.DataFrame(list(removed_by_key.values()), columns=columns)
    columns_changed = status is None and list(old.columns) != list(new.columns)
    status = status or ("changed" if len(added) or len(removed) or changed or columns_changed else "unchanged")
    return TableChanges(name, status, columns, key, added.reset_index(drop=True), removed.reset_index(drop=True),
                        changed, (list(old.columns), list(new.columns)) if columns_changed else None)


def _row_counts(rows: pd.DataFrame) -> dict:
    counts: dict = {}
    for row in rows.itertuples(index=False, name=None):
        counts[row] = counts.get(row, 0) + 1
    return counts


def _rows_not_in(rows: pd.DataFrame, other: dict) -> pd.DataFrame:
    """Rows of `rows` beyond what `other` holds (a row repeated twice and once in `other` counts once)."""
    left = dict(other)
    kept = []
    for index, row in zip(rows.index, rows.itertuples(index=False, name=None)):
        if left.get(row, 0):
            left[row] -= 1
        else:
            kept.append(index)
    return rows.loc[kept]


def infer_key(old: pd.DataFrame, new: pd.DataFrame) -> list[str] | None:
    """The table's key, when it can be told from the two files: the shortest run of leading columns that
    identifies every row of both versions and by which both are sorted (every table is saved sorted by its
    key), leaving at least one column that is not part of it; each version needs at least two rows, since
    any column identifies a single row. None when no such run exists."""
    if len(old) < 2 or len(new) < 2 or list(old.columns) != list(new.columns):
        return None
    typed_old, typed_new = _typed(old), _typed(new)
    for width in range(1, len(old.columns)):
        key = list(old.columns[:width])
        if all(not frame.duplicated(key).any() and _sorted_by(typed, key)
               for frame, typed in ((old, typed_old), (new, typed_new))):
            return key
    return None


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as the table's writer sorted them: numbers where a whole column is numeric, else text."""
    return frame.apply(lambda column: pd.to_numeric(column, errors="coerce")
                       if pd.to_numeric(column, errors="coerce").notna().all() else column)


def _sorted_by(frame: pd.DataFrame, key: list[str]) -> bool:
    try:
        order = frame.sort_values(key, kind="stable").index
    except TypeError:
        return False
    return list(order) == list(frame.index)


# --------------------------------------------------------------------------------------------- Sources ---

PIN_FIELDS = ("sha256", "bytes", "url")
SNAPSHOT_FIELDS = ("date", "note", "copy_of")


def source_pins(old: dict | None, new: dict | None) -> pd.DataFrame:
    """data/sources.yaml, pin by pin: one row per source or file added or removed, and per field changed
    (a file's sha256, bytes, url; a source's snapshot date, note, copy_of)."""
    old, new, rows = old or {}, new or {}, []
    for source_id in sorted(old.keys() | new.keys()):
        before, after = old.get(source_id), new.get(source_id)
        if before is None or after is None:
            rows.append(_pin(source_id, "", "added" if before is None else "removed", "", "", ""))
            continue
        for name in SNAPSHOT_FIELDS:
            a, b = (before.get("snapshot") or {}).get(name), (after.get("snapshot") or {}).get(name)
            if a != b:
                rows.append(_pin(source_id, "", "changed", f"snapshot.{name}", a, b))
        old_files, new_files = _files(before), _files(after)
        for file in sorted(old_files.keys() | new_files.keys()):
            a, b = old_files.get(file), new_files.get(file)
            if a is None or b is None:
                rows.append(_pin(source_id, file, "added" if a is None else "removed", "",
                                 "", "", b or a))
                continue
            for name in PIN_FIELDS:
                if a.get(name) != b.get(name):
                    rows.append(_pin(source_id, file, "changed", name, a.get(name), b.get(name)))
    return pd.DataFrame(rows, columns=["source", "file", "change", "field", "old", "new", "bytes", "sha256"])


def _files(source: dict) -> dict:
    return {str(entry.get("path") or entry.get("glob")): entry for entry in source.get("files") or []
            if isinstance(entry, dict)}


def _pin(source, file, change, name, old, new, entry=None) -> dict:
    entry = entry or {}
    return {"source": source, "file": file, "change": change, "field": name,
            "old": "" if old is None else str(old), "new": "" if new is None else str(new),
            "bytes": entry.get("bytes"), "sha256": entry.get("sha256") or ""}


def fetched_files(source_id: str, old: dict | None, new: dict | None) -> pd.DataFrame:
    """The files one fetch recorded in provenance.json (for a manual source: the files the user supplied):
    added, removed, or with other bytes (another SHA-256 or size)."""
    old_files = {f["file"]: f for f in (old or {}).get("files", [])}
    new_files = {f["file"]: f for f in (new or {}).get("files", [])}
    rows = []
    for file in sorted(old_files.keys() | new_files.keys()):
        a, b = old_files.get(file, {}), new_files.get(file, {})
        change = "added" if not a else "removed" if not b else \
            "changed" if (a.get("sha256"), a.get("bytes")) != (b.get("sha256"), b.get("bytes")) else ""
        if change:
            rows.append({"source": source_id, "file": file, "change": change, "old_bytes": a.get("bytes"),
                         "new_bytes": b.get("bytes"), "old_sha256": a.get("sha256", ""),
                         "new_sha256": b.get("sha256", "")})
    return pd.DataFrame(rows, columns=["source", "file", "change", "old_bytes", "new_bytes", "old_sha256",
                                       "new_sha256"]).astype({"old_bytes": "Int64", "new_bytes": "Int64"})
