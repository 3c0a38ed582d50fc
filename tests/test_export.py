"""Figure and table export: same inputs, same bytes; names and keys checked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from io import BytesIO, StringIO

from pipeline import export, io, paths, style
from pipeline.errors import PipelineError


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "FIGURES", tmp_path / "figures")
    monkeypatch.setattr(paths, "TABLES", tmp_path / "tables")
    return tmp_path


def _figure():
    style.use_house_style()
    fig, ax = plt.subplots()
    ax.plot([2015, 2022], [2996, 4391], label="Women held")
    ax.set_title("Women held")
    style.add_source_line(fig, "SNEEP")
    return fig


def test_figure_bytes_are_identical_across_saves(outputs):
    data = pd.DataFrame({"year": [2015, 2022], "women_held": [2996, 4391]})
    kwargs = dict(data=data, caption="Women held", source="SNEEP", alt="Two points", definitions={"b": 1, "a": 2})
    first = {p.name: p.read_bytes() for p in export.save_figure(_figure(), "fig-99-test", **kwargs)}
    second = {p.name: p.read_bytes() for p in export.save_figure(_figure(), "fig-99-test", **kwargs)}
    assert first == second
    assert sorted(first) == [f"fig-99-test.{ext}" for ext in ("csv", "pdf", "png", "svg", "txt")]
    assert b"CreationDate" not in first["fig-99-test.pdf"] and b"<dc:date>" not in first["fig-99-test.svg"]
    assert first["fig-99-test.txt"].decode().splitlines() == [
        "Caption: Women held", "Source: SNEEP", "Alt text: Two points", "Definitions used: a = 2; b = 1"]
    plt.close("all")


def _streams(pdf: bytes) -> list[bytes]:
    """A PDF's streams, inflated (matplotlib compresses them)."""
    import re
    import zlib

    return [zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)]


def test_a_pdf_embeds_its_fonts_without_layout_tables_and_is_otherwise_unchanged():
    """export.figure_files drops the fonts' OpenType layout tables from the PDF (a PDF does not use them; subsetting
    them was 18% of a figures stage). Against the same figure saved with matplotlib's own options: the same streams
    except the embedded font files, which lose exactly those tables; the drawing's operators (every glyph and where
    it is placed) are byte for byte the same, and fontTools' defaults are as they were after the save."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    fig = _figure()
    fig.text(0.5, 0.5, "fi ffl Año mulheres, 4.391")  # ligature pairs and accents: what GSUB would act on
    default = list(subset.Options._drop_tables_default)
    ours = _streams(export.figure_files(fig)["pdf"])
    assert subset.Options._drop_tables_default == default
    theirs = _streams(_matplotlib_pdf(fig))
    assert len(ours) == len(theirs)
    fonts = [(a, b) for a, b in zip(ours, theirs) if a != b]
    assert fonts and all(a[:4] == b[:4] == b"\x00\x01\x00\x00" for a, b in fonts)  # only TrueType font files differ
    for a, b in fonts:
        kept, before = TTFont(BytesIO(a)), TTFont(BytesIO(b))
        assert set(before.keys()) - set(kept.keys()) == {"GSUB", "GPOS", "GDEF"}
        assert kept.getGlyphOrder() == before.getGlyphOrder()[:len(kept.getGlyphOrder())]
        assert kept["glyf"].keys() <= before["glyf"].keys()
        for name in kept.getGlyphOrder():  # the same outline for every glyph embedded
            assert kept["glyf"][name].getCoordinates(kept["glyf"])[0] == before["glyf"][name].getCoordinates(
                before["glyf"])[0]
    plt.close("all")


def _matplotlib_pdf(fig) -> bytes:
    """The figure as a PDF saved with matplotlib's own font options."""
    buffer = BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "ModDate": None, "Creator": None,
                                                "Producer": None})
    return buffer.getvalue()


def test_table_is_sorted_by_key_and_rejects_duplicates(outputs):
    table = pd.DataFrame({"country": ["URY", "ARG"], "women_held": [805.0, 2988.0]})
    csv, md = export.save_table(table, "tab-99-test", key=["country"], title="T", source="UNODC")
    assert csv.read_text().splitlines() == ["country,women_held", "ARG,2988", "URY,805"]
    assert "| ARG       |        2,988 |" in md.read_text()
    with pytest.raises(PipelineError, match="key \\['country'\\] is not unique"):
        export.save_table(pd.concat([table, table]), "tab-99-test", key=["country"], title="T", source="U")


def test_a_markdown_table_shows_numbers_as_the_pages_do_and_missing_values_as_empty_cells():
    """Counts stored as floats (a column with a gap) read as whole people; a share keeps the decimals its values
    need, up to the table's digits; years are not grouped; a group of rows (`unit`) chooses its own decimals; a
    missing number or text is an empty cell, never nan or <NA>."""
    table = pd.DataFrame({
        "country": ["ARG", "ATG", "BHS"],
        "first_year": pd.array([2007, pd.NA, 2012], dtype="Int64"),
        "women_held": [4013.0, float("nan"), 41.0],
        "women_share_pct": [3.93, 10.25, 2.8],
        "unit": ["persons", "percent", "percent"],
        "value": [1200.0, 12.5, 3.0],
        "note": ["", pd.NA, "estimated"],
    })
    assert export.markdown_table(table, 1).splitlines() == [
        "| country   |   first_year |   women_held |   women_share_pct | unit    |   value | note      |",
        "|:----------|-------------:|-------------:|------------------:|:--------|--------:|:----------|",
        "| ARG       |         2007 |        4,013 |               3.9 | persons |   1,200 |           |",
        "| ATG       |              |              |              10.3 | percent |    12.5 |           |",
        "| BHS       |         2012 |           41 |               2.8 | percent |     3.0 | estimated |",
    ]
    assert export.markdown_table(table, 2).splitlines()[2].split("|")[4].strip() == "3.93"


def test_no_committed_markdown_table_shows_nan_or_a_count_with_decimals():
    """What authors paste from reports/tables/*.md: no nan or <NA> cell, and a column of whole numbers (people
    counted) without '.0' (a column of percentages keeps its decimal: test_i18n)."""
    import re

    for markdown in sorted(paths.TABLES.glob("tab-*.md")):
        lines = [line for line in markdown.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
        header, rows = [c.strip() for c in lines[0].strip("|").split("|")], lines[1:]
        cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
        assert not any(c in ("nan", "<NA>", "None") for row in cells for c in row), markdown.name
        csv = pd.read_csv(markdown.with_suffix(".csv"))
        for position, column in enumerate(header):
            numbers = csv[column].dropna() if column in csv and pd.api.types.is_float_dtype(csv[column]) else None
            percent = column.endswith(("_pct", "_pp"))  # percentages keep one decimal: 5.0 beside 3.2
            if numbers is not None and len(numbers) and (numbers == numbers.round()).all() and "unit" not in csv \
                    and not percent:
                shown = [row[position] for row in cells if row[position]]
                assert not any(re.search(r"\.0$", c) for c in shown), (markdown.name, column, shown[:3])


def test_a_csv_writes_a_whole_number_without_decimals_and_any_other_as_it_reads_back():
    """What researchers open: 4013 people, not 4013.0 (a count read back as float because its column has a gap); a
    share with the digits it has; a missing value as an empty cell; a negative zero as 0."""
    table = pd.DataFrame({"year": [2007, 2008, 2009], "women_held": [2804.0, float("nan"), 4013.0],
                          "women_share_pct": [5.34533, 0.1 + 0.2, -0.0],
                          "first_year": pd.array([2007, pd.NA, 2012], dtype="Int64"), "note": ["a", None, "c,d"]})
    assert io.csv_text(table).splitlines() == [
        "year,women_held,women_share_pct,first_year,note",
        "2007,2804,5.34533,2007,a",
        "2008,,0.30000000000000004,,",
        '2009,4013,0,2012,"c,d"',
    ]
    assert pd.read_csv(StringIO(io.csv_text(table)))["women_share_pct"].tolist()[:2] == [5.34533, 0.1 + 0.2]


def test_no_committed_csv_writes_a_whole_number_with_decimals():
    """Every CSV the pipeline commits for authors and researchers (figures' data in each language, tables, profiles'
    figures, the exact numbers of the values files): no cell like 4013.0."""
    files = [*paths.FIGURES.rglob("*.csv"), *paths.TABLES.glob("*.csv"), *paths.PROFILES.rglob("*.csv")]
    assert len(files) > 100
    found = {}
    for path in [*files, *paths.VALUES.glob("*.csv")]:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.parent == paths.VALUES:  # its `value` is the number as the text writes it (a rate of "31.0")
            table = table[["number"]]
        cells = table.stack()
        whole_with_zeros = cells[cells.str.fullmatch(r"-?\d+\.0+")]
        if len(whole_with_zeros):
            found[paths.relative(path)] = whole_with_zeros.iloc[0]
    assert not found


@pytest.mark.parametrize("name", ["fig-1-x", "figure-01-x", "fig-01-Women", "tab-01-x"])
def test_bad_figure_names_are_refused(outputs, name):
    with pytest.raises(PipelineError, match="does not follow 'fig-NN-slug'"):
        export.save_figure(_figure(), name, data=pd.DataFrame(), caption="", source="", alt="")
    plt.close("all")
