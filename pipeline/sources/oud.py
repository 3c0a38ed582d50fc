"""Uruguay's drug observatory (Observatorio Uruguayo de Drogas, OUD): indicators typed from its reports.

The OUD publishes its justice indicators as a report, not a data file, so researchers fill
`data/uruguay/oud_indicators.csv` by hand (documented in `data/uruguay/README.md`). `load` validates it
strictly — a typing slip must stop the stage, not move a figure — and `long_rows` turns it into long-table
rows (source 'oud').
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline import io, longtable, paths
from pipeline.errors import PipelineError

TEMPLATE = paths.OUD_TEMPLATE

COLUMNS = ["period", "indicator", "sex", "value", "unit", "source", "page_or_table", "quoted_in", "note"]
KEY = ["period", "indicator", "sex", "quoted_in"]  # a figure read in the report may sit beside its quotation

# Indicator -> (unit it must use, meaning). Shares are of women among all people at that stage.
INDICATORS = {
    "women_share_of_persons_prosecuted_drug_offences": ("percent", "women per 100 people prosecuted for drug offences"),
    "persons_prosecuted_drug_offences": ("persons", "people prosecuted for drug offences in the year"),
    "women_share_of_persons_detained_drug_offences": ("percent", "women per 100 people detained for drug offences"),
    "persons_detained_drug_offences": ("persons", "people detained by the police for drug offences in the year"),
    "women_share_of_persons_held_drug_offences": ("percent", "women per 100 people in prison for drug offences"),
    "persons_held_drug_offences": ("persons", "people in prison for drug offences"),
}
SEXES = ("total", "female", "male")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def load(path: Path = TEMPLATE) -> pd.DataFrame:
    """The template with every row checked; any problem raises a PipelineError naming file, row and fix."""
    path = Path(path)
    table = io.read_text_csv(path, what="observatory template")
    if list(table.columns) != COLUMNS:
        raise PipelineError(f"header is {list(table.columns)}", file=path, row=1,
                            fix=f"the header must be exactly: {','.join(COLUMNS)} (see "
                                f"{paths.relative(paths.OUD_README)})")
    for i, row in table.iterrows():
        _check_row(row, int(i) + 2, path)
    _check_key(table, path)
    return table.assign(value=table["value"].astype(float))


def long_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Long-table rows, source 'oud'; a figure read in the report replaces its quotation elsewhere."""
    read_directly = set(zip(*[table.loc[table["quoted_in"] == "", k] for k in ("period", "indicator", "sex")]))
    quoted_only = ~pd.Series([(r.period, r.indicator, r.sex) in read_directly for r in table.itertuples()],
                             index=table.index, dtype=bool)
    table = table[(table["quoted_in"] == "") | quoted_only]
    rows = [{
        "country": "URY", "source": "oud", "indicator": row.indicator, "sex": row.sex, "period": row.period,
        "value": row.value, "unit": row.unit,
        "definition": f"{INDICATORS[row.indicator][1]}; {row.source}, {row.page_or_table}"
                      + (f" (as quoted in {row.quoted_in})" if row.quoted_in else ""),
    } for row in table.itertuples()]
    return longtable.frame(rows)


def _check_row(row: pd.Series, line: int, path: Path) -> None:
    def fail(column: str, problem: str, fix: str) -> None:
        raise PipelineError(problem, file=path, row=line, column=column, fix=fix)

    if not _PERIOD.match(row["period"]):
        fail("period", f"period {row['period']!r} is not YYYY or YYYY-MM", "e.g. 2015 or 2015-06")
    if row["indicator"] not in INDICATORS:
        fail("indicator", f"unknown indicator {row['indicator']!r}",
             f"use one of {', '.join(INDICATORS)} (or add it to INDICATORS in pipeline/sources/oud.py)")
    if row["sex"] not in SEXES:
        fail("sex", f"unknown sex {row['sex']!r}", f"use one of {', '.join(SEXES)}")
    expected_unit = INDICATORS[row["indicator"]][0]
    if row["unit"] not in longtable.UNITS:
        fail("unit", f"unknown unit {row['unit']!r}", f"{row['indicator']} is measured in {expected_unit}")
    if row["unit"] != expected_unit:
        fail("unit", f"{row['indicator']} is measured in {expected_unit}, not {row['unit']}",
             f"write {expected_unit} (a share as 0-100)")
    try:
        value = float(row["value"])
    except ValueError:
        fail("value", f"value {row['value']!r} is not a number", "type the number only, e.g. 24.5")
    if expected_unit == "percent" and not 0 <= value <= 100:
        fail("value", f"share {value:g} is outside 0-100", "a share is typed as a percentage, e.g. 30 for 30%")
    if expected_unit == "persons" and (value < 0 or value % 1):
        fail("value", f"count {value:g} is negative or fractional", "a count of people is a whole number")
    for column in ("source", "page_or_table"):
        if not row[column].strip():
            fail(column, f"{column} is empty", "say where the figure was read (publication and page or table)")


def _check_key(table: pd.DataFrame, path: Path) -> None:
    duplicated = table.index[table.duplicated(KEY)]
    if len(duplicated):
        i = duplicated[0]
        key = ", ".join(f"{k}={table.at[i, k]}" for k in KEY)
        first = table.index[(table[KEY] == table.loc[i, KEY]).all(axis=1)][0]
        raise PipelineError(f"duplicate key ({key}), first given on row {int(first) + 2}", file=path,
                            row=int(i) + 2, fix="keep one row per period, indicator, sex and place read (quoted_in)")
