"""The common long table: one row per (country, source, indicator, sex, period) with its value and unit.

Every source module returns rows of this shape; `data/processed/indicators.csv` gathers them and is what
figures, tables and the claims check read. `validate` turns every problem into a PipelineError that names
the file, the row and the column.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from pipeline import io, paths
from pipeline.errors import PipelineError

COLUMNS = ["country", "source", "indicator", "sex", "period", "value", "unit", "definition"]
KEY = ["country", "source", "indicator", "sex", "period"]

# Sex and gender categories. SNEEP's gender coding (issue: Argentina) maps onto these.
SEXES = ("total", "female", "male", "trans_women", "trans_men", "non_binary", "unknown")

# Units, and whether values in them are counts (which can never be negative or fractional).
UNITS = {
    "persons": "count",
    "incidences": "count",  # offence records: one person can have several
    "proceedings": "count",  # prosecution decisions, not persons
    "sale_points": "count",  # drug sale points raided or dismantled
    "countries": "count",  # how many countries an aggregate covers (or meet its condition)
    "states": "count",  # how many of a country's states an aggregate covers
    "percent": "share",
    "percentage_points": "difference",
    "per_100k_population": "rate",
    "ratio": "ratio",
}

# ISO 3166-1 alpha-3, plus "WLD", "LAC" and "AMR" for the aggregates the pipeline computes (world, Latin
# America and the Caribbean, the Americas): the pattern admits them as it stands.
_ISO3 = r"^[A-Z]{3}$"
_PERIOD = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
_SNAKE = r"^[a-z][a-z0-9_]*$"
# A source id, or several joined by `SOURCES_JOINED_BY` where one value is computed from more than one source
# (`unodc_prisons+sisdepen`).
SOURCES_JOINED_BY = "+"
_SOURCE = r"^[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$"


def source_ids(source: str) -> list[str]:
    """The source ids a long row's `source` names: one, or each of those joined by `SOURCES_JOINED_BY`."""
    return source.split(SOURCES_JOINED_BY)

@cache
def schema():
    """The long table's pandera schema, built on first use: pandera takes about 0.4 s to import, which a stage
    that stops on bad input before it writes a long table (and the fault suite's many such runs) need not pay."""
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            "country": pa.Column(str, pa.Check.str_matches(_ISO3)),
            "source": pa.Column(str, pa.Check.str_matches(_SOURCE)),
            "indicator": pa.Column(str, pa.Check.str_matches(_SNAKE)),
            "sex": pa.Column(str, pa.Check.isin(SEXES)),
            "period": pa.Column(str, pa.Check.str_matches(_PERIOD)),
            "value": pa.Column(float, pa.Check(lambda v: v.notna() & (v != float("inf")), element_wise=False,
                                               error="missing or infinite value")),
            "unit": pa.Column(str, pa.Check.isin(list(UNITS))),
            "definition": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        strict=True,
        ordered=True,
        coerce=True,
    )


def frame(rows) -> pd.DataFrame:
    """Rows (dicts or a DataFrame with the long-table columns) as a long table in canonical column order."""
    table = pd.DataFrame(rows, columns=COLUMNS) if not isinstance(rows, pd.DataFrame) else rows[COLUMNS]
    return table.astype({"value": float})


def validate(table: pd.DataFrame, file: str | Path) -> pd.DataFrame:
    """Check shape, codes, signs and key uniqueness; raise one PipelineError naming row and column."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise PipelineError(f"long table lacks columns {missing}", file=file,
                            fix=f"every source must produce exactly {COLUMNS}")
    table = table.reset_index(drop=True)
    from pandera.errors import SchemaErrors

    try:
        table = schema().validate(table[COLUMNS], lazy=True)
    except SchemaErrors as errors:
        case = errors.failure_cases.iloc[0]
        row = None if pd.isna(case["index"]) else int(case["index"]) + 2  # header is line 1
        raise PipelineError(
            f"value {case['failure_case']!r} fails check '{case['check']}' "
            f"({len(errors.failure_cases)} failing cell(s) in all)",
            file=file, row=row, column=case["column"],
            fix="fix the source module or its crosswalk so it emits only known codes",
        ) from None
    _check_counts(table, file)
    _check_key(table, file)
    _check_one_unit_per_indicator(table, file)
    return table


def save(table: pd.DataFrame, path: Path) -> None:
    """Validate, sort by the key and write the long table as byte-stable CSV."""
    table = validate(table, path).sort_values(KEY, kind="stable").reset_index(drop=True)
    io.write_text(path, to_csv(table))


def read(path: Path) -> pd.DataFrame:
    """Read a long-table CSV written by `save`, with the same validation."""
    if not Path(path).exists():
        raise PipelineError("long-table file is missing", file=path,
                            fix="run `dvc repro` to build it")
    table = pd.read_csv(path, dtype={c: str for c in COLUMNS if c != "value"} | {"value": float},
                        keep_default_na=False, na_values={"value": [""]})
    return validate(table, path)


def read_parts(*sources: str) -> pd.DataFrame:
    """The long-table rows of the named sources (from `data/interim/indicators/`), concatenated."""
    return pd.concat([read(paths.indicator_part(s)) for s in sources], ignore_index=True)


def to_csv(table: pd.DataFrame) -> str:
    """CSV text with values written to 10 significant digits, so reruns give identical bytes."""
    out = table.copy()
    out["value"] = out["value"].map(lambda v: f"{v:.10g}")
    return out.to_csv(index=False, lineterminator="\n")


def _check_counts(table: pd.DataFrame, file) -> None:
    is_count = table["unit"].map(UNITS).eq("count")
    bad = table.index[is_count & ((table["value"] < 0) | (table["value"] % 1 != 0))]
    if len(bad):
        i = bad[0]
        raise PipelineError(
            f"count {float(table.at[i, 'value']):g} for {table.at[i, 'indicator']} ({table.at[i, 'country']}, "
            f"{table.at[i, 'period']}) is negative or fractional ({len(bad)} such row(s))",
            file=file, row=int(i) + 2, column="value",
            fix="a count of people or incidences must be a non-negative whole number: check the source row",
        )


def _check_key(table: pd.DataFrame, file) -> None:
    duplicated = table.index[table.duplicated(KEY, keep="first")]
    if len(duplicated):
        i = duplicated[0]
        key = ", ".join(f"{k}={table.at[i, k]}" for k in KEY)
        raise PipelineError(f"duplicated key ({key}); {len(duplicated)} duplicate row(s) in all",
                            file=file, row=int(i) + 2,
                            fix="each (country, source, indicator, sex, period) must appear once: "
                                "a total and its parts may have been mixed")


def _check_one_unit_per_indicator(table: pd.DataFrame, file) -> None:
    units = table.groupby(["source", "indicator"])["unit"].nunique()
    mixed = units[units > 1]
    if len(mixed):
        source, indicator = mixed.index[0]
        raise PipelineError(f"indicator '{indicator}' of source '{source}' uses more than one unit",
                            file=file, column="unit", fix="give each unit its own indicator name")
