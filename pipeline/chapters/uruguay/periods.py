"""Where a period of the Uruguay chapter's sources sits on a time axis: the build places every point with it (the
`position` column), the charts mark the LUC with it; and a month in words, as the figure's legend and caption say it
(in English: the translation table's `month.*` rows give it in the other languages)."""

from __future__ import annotations


def period_position(period: str) -> float:
    """Where a period sits on a time axis in years: a year at its middle, a month at its middle, a span at
    the middle of its ends (UNODC annual counts give no reference day, so mid-year is the neutral choice)."""
    if "/" in period:
        start, end = period.split("/")
        return (period_position(start) + period_position(end)) / 2
    year, _, month = period.partition("-")
    return int(year) + ((int(month) - 0.5) / 12 if month else 0.5)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def month_name(month: str) -> str:
    """'2020-07' -> 'July 2020'."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"
