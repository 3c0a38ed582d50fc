"""The project's registry of published figures: numbers read in reports and news, each with its citation.

    python -m pipeline.sources.published     # validate data/published/figures.csv, write its long rows

`data/published/figures.csv` is curated by hand (see `data/published/README.md` for the columns, the
period convention and the flags). Where two sources disagree both rows stay, each naming the other in
`conflicts_with`; nothing is averaged. Only numeric, unambiguous figures at a single date become long-table
rows (source 'published'); everything else is available through `select` and `conflicts`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline import io, longtable, paths
from pipeline.errors import PipelineError, cli

REGISTRY = paths.PUBLISHED_FIGURES

COLUMNS = [
    "figure_id",          # '<iso3 in lower case>-NNN', stable once published
    "country",            # ISO 3166-1 alpha-3
    "period",             # 'YYYY', 'YYYY-MM', or a span 'START/END' of those (see README)
    "period_as_printed",  # the date as the source printed it
    "indicator",          # snake_case, one unit per indicator across the registry
    "sex",                # one of longtable.SEXES
    "value",              # the number; empty only for ranges and qualitative statements
    "value_as_printed",   # the printed text, when it was not a plain number
    "unit",               # longtable.UNITS or EXTRA_UNITS
    "flags",              # ';'-separated, from FLAGS
    "source",             # publisher or outlet read
    "original_data",      # who produced the number, as the source says
    "citation",           # what was read, in our words, and when
    "url",                # where it was read (empty when the outlet gave none)
    "conflicts_with",     # ';'-separated figure_ids of rows that disagree with this one
    "note",
]

# Units the registry needs beyond the long table's. They stay out of the long table until
# pipeline/longtable.py lists them.
EXTRA_UNITS = {
    "sale_points": "count",   # drug sale points (bocas) raided or dismantled by the police
    "proceedings": "count",   # prosecution decisions (procesamientos), not persons
}
UNITS = longtable.UNITS | EXTRA_UNITS

FLAGS = {
    "approximate": "printed as 'about', 'almost', rounded thousands and the like",
    "lower_bound": "printed as 'more than' the value",
    "upper_bound": "printed as 'less than' the value",
    "range": "printed as a range; value left empty, see value_as_printed",
    "qualitative": "a statement, not a number; value left empty",
    "period_inferred": "the date is inferred or approximate, see period_as_printed",
    "period_partial": "covers part of the period only (year to date)",
    "ambiguous": "what the number counts is unclear in the text read",
    "secondary": "relayed second-hand, the original not named or not read",
    "derived": "computed by the source from other figures",
    "disputed": "disagrees with an official series outside the registry (see note); check before use",
}
# Each flag as a sentence says it, after a figure quoted in a claim's reason ('+26% [approximate; second-hand]');
# data/translations.csv gives each in the other languages (keys published.flag.<flag>).
FLAG_WORDS = {
    "approximate": "approximate",
    "lower_bound": "a lower bound",
    "upper_bound": "an upper bound",
    "range": "a range",
    "qualitative": "qualitative",
    "period_inferred": "date inferred",
    "period_partial": "part of the period",
    "ambiguous": "ambiguous",
    "secondary": "second-hand",
    "derived": "derived",
    "disputed": "disputed",
}
# A figure with any of these flags is not precise enough to enter the long table.
KEEP_OUT_OF_LONG_TABLE = {"approximate", "lower_bound", "upper_bound", "range", "qualitative",
                          "period_inferred", "period_partial", "ambiguous", "disputed"}
# Flags that say why a figure has no precise value, and so need the printed text.
NEEDS_PRINTED_TEXT = {"approximate", "lower_bound", "upper_bound", "range", "qualitative"}

_POINT = r"\d{4}(-(0[1-9]|1[0-2]))?"
_PERIOD = re.compile(rf"^{_POINT}(/{_POINT})?$")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z]{3}-\d{3}$")


def load(path: Path = REGISTRY) -> pd.DataFrame:
    """The registry, every row checked; a problem raises a PipelineError naming file, row and column."""
    path = Path(path)
    figures = io.read_text_csv(path, what="registry of published figures")
    check(figures, path)
    return figures.assign(value=pd.to_numeric(figures["value"]).astype(float))


def select(figures: pd.DataFrame, *, country: str | None = None, indicator: str | list[str] | None = None,
           sex: str | None = None, exact_only: bool = False) -> pd.DataFrame:
    """Figures matching all the given filters; `exact_only` drops flagged, imprecise or conflicting ones."""
    keep = pd.Series(True, index=figures.index)
    if country is not None:
        keep &= figures["country"] == country
    if indicator is not None:
        keep &= figures["indicator"].isin([indicator] if isinstance(indicator, str) else indicator)
    if sex is not None:
        keep &= figures["sex"] == sex
    if exact_only:
        keep &= ~figures["flags"].map(_flag_set).map(lambda f: bool(f & KEEP_OUT_OF_LONG_TABLE))
        keep &= figures["conflicts_with"] == ""
    return figures[keep]


def conflicts(figures: pd.DataFrame, country: str | None = None) -> pd.DataFrame:
    """One row per pair of figures that disagree, with both values and citations side by side."""
    rows = []
    for _, figure in figures.iterrows():
        for other_id in _id_list(figure["conflicts_with"]):
            if figure["figure_id"] < other_id:  # each pair once
                other = figures.set_index("figure_id").loc[other_id]
                rows.append({
                    "country": figure["country"], "figure_id": figure["figure_id"], "other_id": other_id,
                    "indicator": figure["indicator"], "other_indicator": other["indicator"],
                    "sex": figure["sex"], "period": figure["period"], "other_period": other["period"],
                    "value": figure["value"], "other_value": other["value"], "unit": figure["unit"],
                    "source": figure["source"], "other_source": other["source"], "note": figure["note"],
                })
    table = pd.DataFrame(rows, columns=["country", "figure_id", "other_id", "indicator", "other_indicator",
                                        "sex", "period", "other_period", "value", "other_value", "unit",
                                        "source", "other_source", "note"])
    if country is not None:
        table = table[table["country"] == country]
    return table.sort_values(["figure_id", "other_id"]).reset_index(drop=True)


def long_rows(figures: pd.DataFrame) -> pd.DataFrame:
    """Long-table rows (source 'published') for numeric, unflagged, undisputed figures at a single date.

    A figure in a declared conflict is left out (neither number can stand alone); figures that share a
    key and agree become one row citing all of them.
    """
    usable = figures[
        figures["value"].notna()
        & (figures["conflicts_with"] == "")
        & figures["unit"].isin(list(longtable.UNITS))
        & ~figures["period"].str.contains("/", regex=False)
        & ~figures["flags"].map(_flag_set).map(lambda f: bool(f & KEEP_OUT_OF_LONG_TABLE))
    ]
    rows = []
    for key, group in usable.groupby(["country", "indicator", "sex", "period"], sort=True):
        first = group.iloc[0]
        cited = "; ".join(f"{row.figure_id} ({row.source})" for row in group.itertuples())
        rows.append({"country": key[0], "source": "published", "indicator": key[1], "sex": key[2],
                     "period": key[3], "value": first["value"], "unit": first["unit"],
                     "definition": f"figure printed by {cited}; see {paths.relative(REGISTRY)}"})
    return longtable.frame(rows)


def check(figures: pd.DataFrame, path: Path) -> None:
    """Columns, codes, periods, values, units and conflict declarations, row by row."""
    _check_columns(figures, path)
    for i, row in figures.iterrows():
        _check_row(row, int(i) + 2, path)  # line 1 is the header
    _check_unique_ids(figures, path)
    _check_one_unit_per_indicator(figures, path)
    _check_conflict_links(figures, path)
    _check_undeclared_conflicts(figures, path)


def _check_columns(figures: pd.DataFrame, path: Path) -> None:
    if list(figures.columns) != COLUMNS:
        missing = [c for c in COLUMNS if c not in figures.columns]
        unknown = [c for c in figures.columns if c not in COLUMNS]
        raise PipelineError(f"columns differ from the registry layout (missing {missing}, unknown {unknown})",
                            file=path, row=1, fix=f"the header must be exactly: {','.join(COLUMNS)}")


def _check_row(row: pd.Series, line: int, path: Path) -> None:
    def fail(column: str, problem: str, fix: str) -> None:
        raise PipelineError(problem, file=path, row=line, column=column, fix=fix)

    if not _ID.match(row["figure_id"]) or row["figure_id"][:3] != row["country"].lower():
        fail("figure_id", f"figure id {row['figure_id']!r} is not '<country in lower case>-NNN'",
             "number the row after the country's last id, e.g. ury-093")
    if row["country"] not in ("ARG", "BRA", "URY") and not re.match(r"^[A-Z]{3}$", row["country"]):
        fail("country", f"country {row['country']!r} is not an ISO3 code", "use ISO 3166-1 alpha-3, e.g. URY")
    if not _PERIOD.match(row["period"]) or not _span_in_order(row["period"]):
        fail("period", f"period {row['period']!r} is not 'YYYY', 'YYYY-MM' or an ordered span 'START/END'",
             "normalise the date (keep the printed text in period_as_printed)")
    if not _SNAKE.match(row["indicator"]):
        fail("indicator", f"indicator {row['indicator']!r} is not snake_case", "e.g. persons_held")
    if row["sex"] not in longtable.SEXES:
        fail("sex", f"unknown sex {row['sex']!r}", f"use one of {', '.join(longtable.SEXES)}")
    if row["unit"] not in UNITS:
        fail("unit", f"unknown unit {row['unit']!r}", f"use one of {', '.join(UNITS)} or add it to EXTRA_UNITS")
    unknown_flags = _flag_set(row["flags"]) - set(FLAGS)
    if unknown_flags:
        fail("flags", f"unknown flag(s) {sorted(unknown_flags)}", f"use {', '.join(FLAGS)}")
    _check_value(row, fail)
    for column in ("source", "citation", "period_as_printed"):
        if not row[column].strip():
            fail(column, f"{column} is empty", "every figure needs its source, citation and printed date")


def _number_fix(value: str) -> str:
    """What to do with a value that is not a number: one written with a decimal comma or thousands separators (as a
    spreadsheet under Spanish or Portuguese settings writes it) is named as such."""
    digits = value.replace(" ", "").lstrip("-")
    if digits and set(digits) <= set("0123456789.,") and "," in digits:
        return ("write it with a decimal point and no thousands separator (is ',' the decimal mark or a thousands "
                "separator here?); the printed text goes in value_as_printed")
    return "put the printed text in value_as_printed and flag it"


def _check_value(row: pd.Series, fail) -> None:
    flags = _flag_set(row["flags"])
    if row["value"] == "":
        if not flags & {"range", "qualitative"}:
            fail("value", "value is empty", "give the number, or flag the row 'range' or 'qualitative'")
    else:
        try:
            value = float(row["value"])
        except ValueError:
            fail("value", f"value {row['value']!r} is not a number", _number_fix(row["value"]))
        if UNITS[row["unit"]] == "count" and "/" not in row["period"] and (value < 0 or value % 1):
            fail("value", f"count {value:g} is negative or fractional", "a count must be a whole number")
    if flags & NEEDS_PRINTED_TEXT and not row["value_as_printed"].strip():
        fail("value_as_printed", "an imprecise figure needs its printed text",
             "copy what the source printed, e.g. 'more than 105 thousand'")


def _check_unique_ids(figures: pd.DataFrame, path: Path) -> None:
    duplicated = figures.index[figures["figure_id"].duplicated()]
    if len(duplicated):
        i = duplicated[0]
        raise PipelineError(f"figure id {figures.at[i, 'figure_id']!r} is used twice", file=path,
                            row=int(i) + 2, column="figure_id", fix="give the later row the next free id")


def _check_one_unit_per_indicator(figures: pd.DataFrame, path: Path) -> None:
    units = figures.groupby("indicator")["unit"].nunique()
    mixed = units[units > 1].index
    if len(mixed):
        i = figures.index[figures["indicator"] == mixed[0]][-1]
        raise PipelineError(f"indicator {mixed[0]!r} appears with more than one unit", file=path,
                            row=int(i) + 2, column="unit", fix="give each unit its own indicator name")


def _check_conflict_links(figures: pd.DataFrame, path: Path) -> None:
    links = {row.figure_id: set(_id_list(row.conflicts_with)) for row in figures.itertuples()}
    for i, row in figures.iterrows():
        for other in links[row["figure_id"]]:
            if other not in links or other == row["figure_id"]:
                problem = f"conflicts_with names {other!r}, which is not another figure in the registry"
            elif row["figure_id"] not in links[other]:
                problem = f"conflicts_with names {other!r}, but {other} does not name {row['figure_id']}"
            else:
                continue
            raise PipelineError(problem, file=path, row=int(i) + 2, column="conflicts_with",
                                fix="a conflict is declared on both rows, each naming the other")


def _check_undeclared_conflicts(figures: pd.DataFrame, path: Path) -> None:
    numeric = figures[figures["value"] != ""]
    for _, group in numeric.groupby(["country", "indicator", "sex", "period"]):
        if group["value"].astype(float).nunique() < 2:
            continue
        for i, row in group.iterrows():
            others = set(group["figure_id"]) - {row["figure_id"]}
            disagreeing = {o for o in others
                           if float(figures.set_index("figure_id").at[o, "value"]) != float(row["value"])}
            undeclared = disagreeing - set(_id_list(row["conflicts_with"]))
            if undeclared:
                raise PipelineError(
                    f"{row['figure_id']} and {sorted(undeclared)[0]} give different values for the same "
                    f"indicator, sex and period, but the conflict is not declared",
                    file=path, row=int(i) + 2, column="conflicts_with",
                    fix="name each other in conflicts_with (keep both values), or correct a misread figure")


def _span_in_order(period: str) -> bool:
    start, _, end = period.partition("/")
    return not end or start < end


def _flag_set(flags: str) -> set[str]:
    return {f.strip() for f in flags.split(";") if f.strip()}


def flag_words(flags: str) -> str:
    """A figure's flags ('approximate;secondary') in words, in their order: 'approximate; second-hand'."""
    return "; ".join(FLAG_WORDS[flag.strip()] for flag in flags.split(";") if flag.strip())


def _id_list(ids: str) -> list[str]:
    return [i.strip() for i in ids.split(";") if i.strip()]


@cli
def main() -> None:
    # Load inputs.
    figures = load()
    # Process data: only exact single-date figures enter the long table.
    rows = long_rows(figures)
    # Save outputs.
    with io.transaction():
        longtable.save(rows, paths.indicator_part("published"))
    print(f"published: {len(figures)} figures, {len(rows)} long rows -> "
          f"{paths.relative(paths.indicator_part('published'))}")


if __name__ == "__main__":
    main()
