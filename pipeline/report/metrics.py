"""The numbers the briefing leads with: reports/metrics/<quantity>.json (`dvc metrics show`, `dvc metrics diff`),
read from the chapters' build tables as the registry declares them (pipeline/registry.py, METRICS): numbers only
(and the period they are of), the same numbers the figures and tables show.

One file per quantity, keyed by country, so that `dvc metrics show` prints a row per quantity and a column per
country (one file of nested keys was one row of 22 columns)."""

from __future__ import annotations

import json

import pandas as pd

from pipeline import params, registry
from pipeline.chapters import interim
from pipeline.errors import PipelineError
from pipeline.rounding import half_away
from pipeline.settings import Base


def headline_metrics() -> dict[str, dict]:
    """Every metric of the registry: quantity -> {country: value}; "{country}" stands for each of
    base.focus_countries."""
    focus = params.read(Base).focus_countries
    tables: dict[tuple[str, str], pd.DataFrame] = {}
    metrics: dict[str, dict] = {}
    for metric in registry.METRICS:
        quantity, country_key = metric.key
        for country in (focus if country_key == registry.METRIC_COUNTRY else [country_key]):
            where = {column: value.replace(registry.METRIC_COUNTRY, country) if isinstance(value, str) else value
                     for column, value in metric.where.items()}
            table = tables.setdefault((metric.chapter, metric.table), interim.read(metric.chapter, metric.table))
            metrics.setdefault(quantity, {})[country] = value(metric, table, where)
    return metrics


def metric_file(values: dict) -> str:
    """One quantity's file: {country: value}, sorted, byte-stable."""
    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def row(metric: registry.Metric, table: pd.DataFrame, where: dict) -> pd.Series:
    """The one row of the build table a metric reads: columns equal to `where`, then the last by `last_by`."""
    rows = table
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    if metric.last_by:
        rows = rows.sort_values(metric.last_by).tail(1)
    if len(rows) != 1:
        raise PipelineError(f"metric {'/'.join(metric.key)}: {len(rows)} rows of the {metric.chapter} table "
                            f"'{metric.table}' match {where}", fix="the registry's metric must pick one row")
    return rows.iloc[0]


def value(metric: registry.Metric, table: pd.DataFrame, where: dict):
    """One metric's number: its row's column, as `kind`."""
    cell = row(metric, table, where)[metric.column]
    if metric.kind == "pct":
        return float(half_away(float(cell), 1))
    if metric.kind == "period":
        return str(cell)
    if metric.kind == "whole_year":
        return int(float(cell))
    return int(cell)
