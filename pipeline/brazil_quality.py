"""Data quality of SISDEPEN state totals: outliers between consecutive semesters, known errors, treatment.

A state's semester is an outlier when its value is `ratio` times above (or below) BOTH neighbouring
semesters and differs from each by at least `min_change`: a one-semester spike, not a level shift. Known
errors are data (`data/corrections/sisdepen.yaml`); each is checked against the value as published, so a
fix by SENAPPEN makes the pipeline fail until the entry is reviewed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from pipeline import paths
from pipeline.errors import PipelineError

CORRECTIONS = paths.CORRECTIONS / "sisdepen.yaml"
TREATMENTS = ("keep", "exclude", "replace")
_ACTIONS = (*TREATMENTS, "outlier_treatment")


def detect_outliers(series: pd.DataFrame, ratio: float, min_change: float) -> pd.DataFrame:
    """Rows of `series` (state, period, measure, sex, value) that spike against both neighbouring semesters.

    Neighbours are the previous and next semester present for the same state, measure and sex. Both must
    be positive: a neighbour of zero (a state that reported nothing) is no basis for comparison, and the
    first and last semester of a state's series cannot be told apart from a level shift, so they are not
    tested (next to a spike they would otherwise be flagged themselves).
    """
    key = ["state", "measure", "sex"]
    ordered = series.sort_values([*key, "period"], kind="stable").reset_index(drop=True)
    grouped = ordered.groupby(key, sort=False)["value"]
    ordered["previous"] = grouped.shift(1)
    ordered["next"] = grouped.shift(-1)
    spikes = [_departs(ordered, side, ratio, min_change) for side in ("previous", "next")]
    usable = ordered["previous"].gt(0) & ordered["next"].gt(0)
    up = usable & spikes[0]["up"] & spikes[1]["up"]
    down = usable & spikes[0]["down"] & spikes[1]["down"]
    flagged = ordered[up | down].copy()
    flagged["direction"] = np.where(up[up | down], "spike", "drop")
    flagged["ratio_to_previous"] = (flagged["value"] / flagged["previous"]).round(2)
    flagged["ratio_to_next"] = (flagged["value"] / flagged["next"]).round(2)
    return flagged.reset_index(drop=True)


def _departs(table: pd.DataFrame, side: str, ratio: float, min_change: float) -> dict[str, pd.Series]:
    value, neighbour = table["value"], table[side]
    far = (value - neighbour).abs() >= min_change
    return {"up": far & (value >= ratio * neighbour), "down": far & (value * ratio <= neighbour)}


def load_corrections(state_values: pd.DataFrame) -> pd.DataFrame:
    """Known errors, each checked against the value as published in the state totals."""
    entries = yaml.safe_load(CORRECTIONS.read_text(encoding="utf-8")) or []
    corrections = pd.DataFrame(entries, columns=["id", "state", "period", "measure", "sex", "published",
                                                 "action", "reason", "reported"])
    indexed = state_values.set_index(["state", "period", "measure", "sex"])["value"]
    for row, entry in enumerate(corrections.itertuples(), start=1):
        if entry.action not in _ACTIONS:
            raise PipelineError(f"correction '{entry.id}': unknown action '{entry.action}'", file=CORRECTIONS,
                                fix=f"use one of {', '.join(_ACTIONS)}")
        where = (entry.state, str(entry.period), entry.measure, entry.sex)
        found = indexed.get(where)
        if found is None or float(found) != float(entry.published):
            raise PipelineError(
                f"correction '{entry.id}': published value {entry.published:,} no longer matches the data "
                f"({'absent' if found is None else f'{float(found):,.0f}'})", file=CORRECTIONS,
                fix="SENAPPEN may have fixed the file: review the entry, then update or remove it")
    return corrections.astype({"period": str})


def quality_table(outliers: pd.DataFrame, corrections: pd.DataFrame, treatment: str) -> pd.DataFrame:
    """One row per flagged state-period-measure-sex: detected and/or known, and the treatment applied."""
    key = ["state", "period", "measure", "sex"]
    detected = outliers.assign(detected=True)
    known = corrections[[*key, "id", "action", "reason"]].rename(columns={"id": "correction_id"})
    table = detected.merge(known, on=key, how="outer")
    table["detected"] = table["detected"].fillna(False).astype(bool)
    table["known_error"] = table["correction_id"].notna()
    action = table["action"].fillna("outlier_treatment")
    table["treatment"] = action.where(action != "outlier_treatment", treatment)
    table["reason"] = table["reason"].fillna("detected by the outlier check; not a documented error")
    columns = [*key, "value", "previous", "next", "ratio_to_previous", "ratio_to_next", "direction",
               "detected", "known_error", "correction_id", "treatment", "reason"]
    return table.reindex(columns=columns).sort_values(key, kind="stable").reset_index(drop=True)


def treated_state_periods(quality: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """(state, period, treatment) to apply to every sex and every one of `measures`; keep rows dropped.

    A flag on one sex treats the whole state-period, so that women's and men's figures (and shares
    computed from them) stay comparable.
    """
    relevant = quality[quality["measure"].isin(measures) & (quality["treatment"] != "keep")]
    treated = relevant[["state", "period", "treatment"]].drop_duplicates()
    conflicting = treated[treated.duplicated(["state", "period"], keep=False)]
    if len(conflicting):
        first = conflicting.iloc[0]
        raise PipelineError(f"state {first['state']} {first['period']} has two treatments",
                            file=CORRECTIONS, fix="give the corrections for one state-period the same action")
    return treated.reset_index(drop=True)


def apply_treatment(state_values: pd.DataFrame, treated: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """State values with treated state-periods of `measures` excluded or replaced by the previous semester."""
    marked = state_values.merge(treated, on=["state", "period"], how="left")
    marked.loc[~marked["measure"].isin(measures), "treatment"] = pd.NA
    kept = marked[marked["treatment"].isna()]
    replaced = marked[marked["treatment"] == "replace"]
    previous = _previous_semester_values(state_values, replaced)
    return pd.concat([kept, previous], ignore_index=True).drop(columns="treatment")


def _previous_semester_values(state_values: pd.DataFrame, replaced: pd.DataFrame) -> pd.DataFrame:
    periods = sorted(state_values["period"].unique())
    before = {p: periods[i - 1] for i, p in enumerate(periods) if i > 0}
    wanted = replaced[["state", "period", "measure", "sex"]].copy()
    missing = wanted.loc[~wanted["period"].isin(before), "period"]
    if len(missing):
        raise PipelineError(f"cannot replace {missing.iloc[0]}: it is the first semester",
                            fix="use outlier_treatment: exclude for the first semester")
    wanted["source_period"] = wanted["period"].map(before)
    source = state_values.rename(columns={"period": "source_period"})
    return wanted.merge(source, on=["state", "source_period", "measure", "sex"], how="left") \
                 .drop(columns="source_period").fillna({"value": 0})
