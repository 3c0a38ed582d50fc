"""The numbers the briefing leads with (reports/metrics.json: `dvc metrics show`, `dvc metrics diff`) and the main
time series (reports/plots/women-held.csv: `dvc plots show`), read from the chapters' build tables as the registry
declares them (pipeline/registry.py, METRICS): numbers only, the same numbers the figures and tables show."""

from __future__ import annotations

import csv

import pandas as pd

from pipeline import params, registry
from pipeline.chapters import interim
from pipeline.errors import PipelineError
from pipeline.settings import Base


def headline_metrics() -> dict:
    """Every metric of the registry, nested by its key; "{country}" stands for each of base.focus_countries."""
    focus = params.read(Base).focus_countries
    tables: dict[tuple[str, str], pd.DataFrame] = {}
    metrics: dict = {}
    for metric in registry.METRICS:
        for country in (focus if registry.METRIC_COUNTRY in metric.key else [None]):
            key = [part.replace(registry.METRIC_COUNTRY, country) if country else part for part in metric.key]
            where = {column: value.replace(registry.METRIC_COUNTRY, country) if country and isinstance(value, str)
                     else value for column, value in metric.where.items()}
            table = tables.setdefault((metric.chapter, metric.table), interim.read(metric.chapter, metric.table))
            node = metrics
            for part in key[:-1]:
                node = node.setdefault(part, {})
            node[key[-1]] = value(metric, table, where)
    return metrics


def row(metric: registry.Metric, table: pd.DataFrame, where: dict) -> pd.Series:
    """The one row of the build table a metric reads: columns equal to `where`, then the last by `last_by`."""
    rows = table
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    if metric.last_by:
        rows = rows.sort_values(metric.last_by).tail(1)
    if len(rows) != 1:
        raise PipelineError(f"metric {'.'.join(metric.key)}: {len(rows)} rows of the {metric.chapter} table "
                            f"'{metric.table}' match {where}", fix="the registry's metric must pick one row")
    return rows.iloc[0]


def value(metric: registry.Metric, table: pd.DataFrame, where: dict):
    """One metric's number: its row's column, as `kind`."""
    cell = row(metric, table, where)[metric.column]
    if metric.kind == "pct":
        return round(float(cell), 1)
    if metric.kind == "year":
        return int(cell[:4])
    if metric.kind == "month":
        return int(cell[5:7])
    if metric.kind == "whole_year":
        return int(float(cell))
    return int(cell)


def women_held_series() -> pd.DataFrame:
    """Women held per year in the focus countries (UNODC CTS): the DVC plot of the main time series."""
    series = interim.read("regional", "women_held")
    focus = params.read(Base).focus_countries
    series = series[series["country"].isin(focus)]
    wide = series.pivot(index="year", columns="country", values="women_held").reindex(columns=focus)
    return wide.astype("Int64").reset_index()


def plot_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
