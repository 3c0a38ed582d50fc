"""Deterministic saving of every figure and table the briefing uses.

A figure is saved as `fig-NN-slug.{svg,png,pdf}` (figures/, or figures/<lang>/ for another language) with the
exact data plotted beside it (`.csv`) and its caption, source line and alt text (`.txt`); before anything is
written, the points the figure draws are checked against the rows of that CSV. A table is saved as
`reports/tables/tab-NN-slug.{csv,md}`. The same inputs always give the same bytes: no dates, fixed SVG hash salt,
sorted rows, fixed column order.
"""

from __future__ import annotations

import contextlib
import io as _io
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from pipeline import i18n, io, paths, registry
from pipeline.errors import PipelineError

PNG_DPI = 300
FIGURE_FORMATS = ("svg", "png", "pdf", "csv", "txt")
_NAME = re.compile(r"^(fig|tab)-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")
# The labels of a caption file's lines, in English; a figure in another language passes its own, from these keys of
# the translation table.
CAPTION_LABELS = {"caption": "Caption", "source": "Source", "alt": "Alt text", "definitions": "Definitions used"}
CAPTION_KEYS = {"caption": "page.caption", "source": "page.source", "alt": "page.alt_text",
                "definitions": "page.definitions_used"}


def save_figure(fig, name: str, *, data: pd.DataFrame, caption: str, source: str, alt: str,
                definitions: dict | None = None, language: str = "en", labels: dict | None = None,
                x: str | None = None, y: tuple[str, ...] = ()) -> list[Path]:
    """Save a figure as SVG, PNG and PDF (one drawing, three renderings), its data as CSV, and its caption as
    text, in its language's folder (figures/, figures/<lang>/). With `x` and `y`, the points drawn must be
    exactly the CSV's rows (`check_points`). Returns the paths."""
    _check_name(name, "fig")
    table = io.csv_text(data)
    if x is not None:
        check_points(fig, table, x, y, name)
    files = {**figure_files(fig), "csv": table, "txt": caption_text(caption, source, alt, definitions, labels)}
    for fmt, content in files.items():
        (io.write_text if isinstance(content, str) else io.write_bytes)(paths.figure(name, language, fmt), content)
    return [paths.figure(name, language, fmt) for fmt in files]


def save_table(table: pd.DataFrame, name: str, *, key: list[str], title: str, source: str,
               definitions: dict | None = None, float_digits: int = 1) -> list[Path]:
    """Save a table as CSV and Markdown after checking its key is unique; rows sorted by the key."""
    _check_name(name, "tab")
    duplicated = table.duplicated(key)
    if duplicated.any():
        raise PipelineError(f"table {name}: key {key} is not unique "
                            f"(first duplicate: {table.loc[duplicated, key].iloc[0].tolist()})",
                            fix="aggregate or add a key column before saving")
    table = table.sort_values(key, kind="stable").reset_index(drop=True)
    csv_file, markdown_file = paths.table(name, ".csv"), paths.table(name, ".md")
    io.write_text(csv_file, io.csv_text(table))
    markdown = [f"# {title}", "", markdown_table(table, float_digits), "", f"Source: {source}"]
    if definitions:
        markdown += ["", "Definitions used: " + definitions_text(definitions)]
    io.write_text(markdown_file, "\n".join(markdown) + "\n")
    return [csv_file, markdown_file]


def markdown_table(table: pd.DataFrame, float_digits: int) -> str:
    """`table` as Markdown, each number as the briefing's pages show it: the decimals of i18n.row_decimals (at most
    `float_digits`; none where every value is whole, so a count of people reads 4,013, not 4,013.0), thousands
    grouped except in years, periods and ids, English marks; a missing value is an empty cell, not nan or <NA>."""
    numeric = [column for column in table.columns if pd.api.types.is_numeric_dtype(table[column])
               and not pd.api.types.is_bool_dtype(table[column])]
    shown = {}
    for column in table.columns:
        values = table[column].astype(object).where(table[column].notna(), None).tolist()
        if column in numeric:
            decimals, grouping = i18n.row_decimals(table, column, float_digits), i18n.groups_thousands(column)
            shown[column] = ["" if value is None else i18n.format_number(float(value), "en", places, grouping)
                             for value, places in zip(values, decimals)]
        else:
            shown[column] = ["" if value is None else str(value) for value in values]
    alignment = ["right" if column in numeric else "left" for column in table.columns]
    return pd.DataFrame(shown, columns=table.columns).to_markdown(index=False, disable_numparse=True, colalign=alignment)


def save_registered(chapter: str, tables: dict[str, pd.DataFrame], values: dict) -> list[Path]:
    """Every table the registry declares for `chapter`, from the build's tables, with its title, source and
    definitions filled from the build's values."""
    written = []
    for spec in registry.tables_of(chapter):
        written += save_table(tables[spec.table].drop(columns=list(spec.drop)), spec.id, key=list(spec.key),
                              title=registry.english(spec.title, values), source=registry.english(spec.source, values),
                              definitions=registry.definitions(spec.definitions, values),
                              float_digits=spec.float_digits)
    return written


def caption_text(caption: str, source: str, alt: str, definitions: dict | None, labels: dict | None = None) -> str:
    """A figure's `.txt`: caption, source line, alt text and the definitions used, one per line."""
    labels = labels or CAPTION_LABELS
    lines = [f"{labels['caption']}: {caption}", f"{labels['source']}: {source}", f"{labels['alt']}: {alt}"]
    if definitions:
        lines.append(f"{labels['definitions']}: " + definitions_text(definitions))
    return "\n".join(lines) + "\n"


def definitions_text(definitions: dict) -> str:
    return "; ".join(f"{k} = {v}" for k, v in sorted(definitions.items()))


def _check_name(name: str, kind: str) -> None:
    if not _NAME.match(name) or not name.startswith(kind):
        raise PipelineError(f"output name '{name}' does not follow '{kind}-NN-slug'",
                            fix="use two digits and a lowercase, hyphenated slug, e.g. fig-01-women-held")


# ---------------------------------------------------------------------------- Points drawn ---

def drawn_points(fig) -> Counter:
    """Every data point the figure's artists draw, as (x, y): the vertices of its lines and the offsets of its
    scatters, in data coordinates. Reference lines (a vertical marker across the axes), text and empty legend
    entries are not points."""
    points: Counter = Counter()
    for axes in fig.axes:
        for line in axes.lines:
            if line.get_transform() is axes.transData:
                points.update(_point(x, y) for x, y in zip(line.get_xdata(orig=True), line.get_ydata(orig=True)))
        for collection in axes.collections:
            if collection.get_offset_transform() is axes.transData:
                points.update(_point(x, y) for x, y in collection.get_offsets())
    del points[None]
    return points


def csv_points(table: str, x: str, y: tuple[str, ...]) -> Counter:
    """The points a data CSV holds: (x, y) for each row and each y column with a value."""
    data = pd.read_csv(_io.StringIO(table))
    return Counter(point for column in y for point in map(_point, data[x], data[column]) if point is not None)


def check_points(fig, table: str, x: str, y: tuple[str, ...], name: str) -> None:
    """The points drawn are exactly the CSV's rows (x, y per series): a figure shows all of its data and no
    more, so a reader who takes the CSV has what the picture shows (issue 13, item 4)."""
    drawn, held = drawn_points(fig), csv_points(table, x, y)
    if drawn != held:
        extra, missing = sorted(drawn - held, key=str), sorted(held - drawn, key=str)
        raise PipelineError(f"figure {name}: the points drawn differ from its data CSV ({len(extra)} drawn but not "
                            f"in the CSV, e.g. {extra[:3]}; {len(missing)} in the CSV but not drawn, e.g. "
                            f"{missing[:3]})", fix="draw exactly the rows of the figure's table (its x and y in "
                                                   "pipeline/registry.py), or give the figure the rows it draws")


def _point(x, y):
    """A point as compared: numbers as floats, text as text; None when either coordinate is missing."""
    coordinates = []
    for value in (x, y):
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return None
        coordinates.append(value if isinstance(value, str) else float(value))
    return tuple(coordinates)


# Render options per format: no dates or tool versions, so the same figure gives the same bytes.
_RENDER = (
    ("svg", {"metadata": {"Date": None, "Creator": None}}),
    ("png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
    ("pdf", {"metadata": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}),
)


def figure_files(fig) -> dict[str, bytes]:
    """The figure rendered as SVG, PNG and PDF: format -> bytes, from the one drawing."""
    rendered = {}
    for fmt, options in _RENDER:
        buffer = _io.BytesIO()
        with pdf_fonts_without_layout_tables() if fmt == "pdf" else contextlib.nullcontext():
            fig.savefig(buffer, format=fmt, **options)
        rendered[fmt] = buffer.getvalue()
    return rendered


# A PDF embeds the subset of each font its texts use (style: `pdf.fonttype` 42), made by fontTools with the options
# matplotlib gives it, which keep the fonts' OpenType layout tables: substitutions (GSUB), positioning (GPOS) and
# glyph classes (GDEF). A PDF never uses them: it places every glyph itself, and a reader copies text through the
# PDF's own ToUnicode map. Decompiling and subsetting them for DejaVu Sans was 18% of a figures stage's CPU time
# (issue 17: uruguay_figures 12.6 -> 10.3 CPU-s). They are dropped while a PDF is saved, through fontTools' default
# list of tables to drop, as matplotlib exposes no option of its own: the fonts' glyphs and every other object of the
# PDF are unchanged (tests/test_export.py compares the two).
PDF_UNUSED_FONT_TABLES = ("GSUB", "GPOS", "GDEF")


@contextlib.contextmanager
def pdf_fonts_without_layout_tables():
    from fontTools import subset

    default = subset.Options._drop_tables_default
    subset.Options._drop_tables_default = [*default, *PDF_UNUSED_FONT_TABLES]
    try:
        yield
    finally:
        subset.Options._drop_tables_default = default
