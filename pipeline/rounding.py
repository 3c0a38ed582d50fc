"""One rounding rule for every number the project publishes: half away from zero at the decimals printed (12.25 ->
12.3, -0.05 -> -0.1), as a reader rounds by hand, as spreadsheets' ROUND does and as the claims check reads a stated
figure. NumPy's, pandas' and Python's `round` take a half to the even digit (12.25 -> 12.2): a table rounded so and a
page formatted by `i18n.format_number` once printed 56.2% and 56.3% for the same 18 women of 32 (Saint Vincent and
the Grenadines, 2020, held unsentenced).

A value is rounded from its binary float as printed (`repr`): 2.675 is stored as 2.67499999…, and rounds to 2.68
here, as it reads; the tolerance that does it (a billionth of the scaled value) is far below any printed digit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def half_away(values, decimals: int = 0):
    """`values` (a number, a NumPy array or a pandas Series or DataFrame of numbers) rounded half away from zero to
    `decimals` places; a missing value stays missing, and -0.0 is 0.0."""
    scale = 10.0 ** decimals
    # One number without NumPy: i18n formats with this, and pipeline.repro imports i18n before it can stop cleanly on
    # Ctrl-C (tests/test_interrupt.py), so importing this module must stay cheap.
    if isinstance(values, (int, float)):
        if math.isnan(values):
            return values
        scaled = abs(values) * scale
        return math.copysign(math.floor(scaled + 0.5 + 1e-9 * max(1.0, scaled)), values) / scale + 0.0
    import numpy as np  # arrays and pandas objects only (see above)

    scaled = np.abs(values) * scale
    rounded = np.floor(scaled + 0.5 + 1e-9 * np.maximum(1.0, scaled))
    return np.sign(values) * rounded / scale + 0.0


def half_away_int(value: float) -> int:
    """One number rounded half away from zero to a whole number (an estimate of persons)."""
    return int(half_away(float(value)))


def half_away_columns(frame: pd.DataFrame, decimals: int, columns: list[str] | None = None) -> pd.DataFrame:
    """`frame` with `columns` (by default every column of numbers) rounded half away from zero."""
    columns = frame.select_dtypes("number").columns if columns is None else columns
    return frame.assign(**{column: half_away(frame[column], decimals) for column in columns})


def fixed(value, decimals: int, grouped: bool = False) -> str:
    """`value` as text with `decimals` places, rounded by the rule above: f"{fixed(56.25, 1)}" is 56.3, where
    f"{56.25:.1f}" is 56.2 (a format specification rounds a half to the even digit). `grouped` writes a comma
    between thousands."""
    return format(half_away(float(value), decimals), f"{',' if grouped else ''}.{decimals}f")


def signed(value, decimals: int) -> str:
    """`fixed` with its sign always written (a change: +9.6, -1.5), the sign of the value itself: a fall too small
    for the digits printed is -0.0, not +0.0 (68 persons of 744,126 is -0.0%)."""
    value = float(value)
    return ("-" if value < 0 else "+") + fixed(abs(value), decimals)
