"""One rounding rule for every published number (pipeline/rounding.py): half away from zero, as the pages print and
a reader rounds, where NumPy, pandas and Python take a half to the even digit."""

from __future__ import annotations

import math
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from pipeline import i18n, paths
from pipeline.rounding import fixed, half_away, half_away_columns, half_away_int, signed


@pytest.mark.parametrize("value, decimals, expected", [
    (56.25, 1, 56.3),  # 18 of 32: pandas' round gave 56.2 in tab-05, the profile page 56.3
    (12.25, 1, 12.3), (1.25, 1, 1.3), (40.625, 2, 40.63), (0.125, 2, 0.13),
    (-3.45, 1, -3.5), (-0.05, 1, -0.1),  # away from zero on both sides
    (2.675, 2, 2.68),  # stored as 2.67499999…, rounded as printed
    (56.24999, 1, 56.2), (10.0, 1, 10.0), (0.0, 1, 0.0),
])
def test_a_half_goes_away_from_zero(value, decimals, expected):
    assert half_away(value, decimals) == expected


def test_the_libraries_round_a_half_to_the_even_digit():
    """Why the rule has a home of its own: pandas, NumPy and Python give 56.2 for 56.25."""
    assert pd.Series([56.25]).round(1).iloc[0] == np.round(56.25, 1) == round(56.25, 1) == 56.2


def test_series_frames_missing_values_and_negative_zero():
    series = pd.Series([56.25, np.nan, -0.04, 1.35])
    rounded = half_away(series, 1)
    assert isinstance(rounded, pd.Series) and rounded.index.equals(series.index)
    assert rounded.iloc[[0, 3]].tolist() == [56.3, 1.4] and math.isnan(rounded.iloc[1])
    assert str(rounded.iloc[2]) == "0.0"  # not -0.0
    frame = pd.DataFrame({"period": ["2020-12"], "female": [56.25], "male": [12.25]})
    assert half_away_columns(frame, 1).iloc[0].tolist() == ["2020-12", 56.3, 12.3]
    assert half_away_columns(frame, 1, ["male"]).iloc[0].tolist() == ["2020-12", 56.25, 12.3]
    assert (half_away_int(2.5), half_away_int(3.5), half_away_int(-2.5)) == (3, 4, -3)


def test_pages_and_tables_print_the_same_digits():
    """i18n.format_number rounds with the same rule, so a table's rounded value and a page's formatted one agree."""
    for value in (56.25, 12.25, 40.625, -3.45, 2.675):
        for decimals in (1, 2):
            assert i18n.format_number(value, "en", decimals) == f"{half_away(value, decimals):.{decimals}f}"
    assert i18n.format_number(4391.55, "es", 1) == "4.391,6"


def test_text_prints_the_same_digits_as_the_tables():
    """The evidence and the sentences the pipeline writes (f-strings) round by the same rule: a format specification
    such as `:.1f` rounds a half to even, and once printed 56.2 where the table beside it said 56.3."""
    assert (fixed(56.25, 1), fixed(2.675, 2), fixed(-0.05, 1), fixed(21.25, 1), fixed(1234.5, 0, grouped=True)) == \
        ("56.3", "2.68", "-0.1", "21.3", "1,235")
    assert (signed(9.65, 1), signed(-1.55, 1), signed(0.04, 1), signed(2, 0), signed(-0.009, 1), signed(0, 1)) == \
        ("+9.7", "-1.6", "+0.0", "+2", "-0.0", "+0.0")
    assert f"{56.25:.1f}" == "56.2"  # what the rule replaces


# Where a format specification with decimals may stay: messages about the run itself, never a published number.
NOT_PUBLISHED = {"figure_layout.py": "a layout check's pixels", "safe_xlsx.py": "a refused file's ratio",
                 "execute.py": "a profile run's seconds", "rounding.py": "the rule itself"}


def test_no_published_text_formats_a_decimal_number_with_a_format_specification():
    decimals = re.compile(r"\{[^{}]+:[+ ]?,?\.[1-9]f\}")  # {x:.1f}, {x:+.1f}, {x:,.2f}: a half to even
    found = [f"{path.relative_to(paths.ROOT)}:{number}: {line.strip()[:80]}"
             for path in sorted((paths.ROOT / "pipeline").rglob("*.py")) if path.name not in NOT_PUBLISHED
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if decimals.search(line)]
    found += [f"{path.relative_to(paths.ROOT)}, cell {cell.id}: {line.strip()[:80]}"  # the notebooks' sentences too
              for path in sorted(paths.NOTEBOOKS.glob("*.ipynb"))
              for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
              for line in cell.source.splitlines() if decimals.search(line)]
    assert not found, "use pipeline.rounding.fixed or signed: " + "; ".join(found)
