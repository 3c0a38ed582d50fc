"""The executed notebooks a reviewer reads (reports/notebooks/*.ipynb): every table shown in full with its numbers
formatted (pipeline/notebook_tables.py), no raw float or NaN anywhere, and each of the chapter's figures shown
exactly once, by the one cell that draws it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import project_files
import pytest

from pipeline import i18n, paths, registry

NOTEBOOKS = {name: chapter for chapter, name in registry.NOTEBOOKS.items()}
# pandas' own display of a table (cuts texts at 50 characters, prints floats raw): never in an executed notebook.
PANDAS_TABLE = re.compile(r'class="dataframe"|^\s*\.\.\.\s*$|\[\d+ rows x \d+ columns\]', re.M)
# A text cut short: a word followed at once by an ellipsis (pandas writes "…" in HTML, "..." in plain text).
CUT = re.compile(r"\w(?:\.\.\.|…)(?=\s|$|<|\")")
# A raw float: four or more decimals (2003.500000, 21.632653), or a missing value written by Python or pandas.
RAW_NUMBER = re.compile(r"\d\.\d{4,}|\b(?:NaN|nan|<NA>|NaT)\b|\bNone\b(?! [a-z])")
NUMBER = re.compile(r"^-?[\d,]+(?:\.(\d+))?%?$")
DRAW = re.compile(r'figures\.draw\("(fig-[\w-]+)"')


def executed(name: str) -> nbformat.NotebookNode:
    return nbformat.read(paths.executed_notebook(name), as_version=4)


def outputs(nb):
    """(cell index, mime type or 'stream', text) of every text output."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                yield index, "stream", output.text
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    yield index, mime, data if isinstance(data, str) else "".join(data)


class _Tables(HTMLParser):
    """The cells of every table the notebook shows, by table, row and column."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_no_table_is_cut_and_no_number_is_raw(name):
    for index, mime, text in outputs(executed(name)):
        where = f"{name}.ipynb cell {index} ({mime})"
        assert not PANDAS_TABLE.search(text), f"{where}: a table shown by pandas; use notebook_tables.show"
        assert not CUT.search(text), f"{where}: text cut short: {CUT.search(text).group(0)!r}"
        assert not RAW_NUMBER.search(text), f"{where}: raw number {RAW_NUMBER.search(text).group(0)!r}"


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_every_column_shows_its_numbers_with_one_number_of_decimals(name):
    checked = 0
    for index, mime, text in outputs(executed(name)):
        if mime != "text/html" or "briefing-table" not in text:
            continue
        parser = _Tables()
        parser.feed(text)
        for table in parser.tables:
            header, rows = table[0], table[1:]
            # Rows of one unit, measure or rule share their decimals, as on the briefing's pages.
            group = next((name_ for name_ in i18n.GROUP_COLUMNS if name_ in header), None)
            units = [row[header.index(group)] for row in rows] if group else [None] * len(rows)
            for column, name_ in enumerate(header):
                if not all(NUMBER.match(row[column]) or row[column] in ("", "—") for row in rows):
                    continue  # a column of texts (numbers a build stored as text keep their own decimals)
                decimals = {}
                for row, unit in zip(rows, units):
                    match = NUMBER.match(row[column])
                    if match:
                        decimals.setdefault(unit, set()).add(len(match.group(1) or ""))
                for unit, found in decimals.items():
                    assert len(found) == 1 and max(found) <= 2, \
                        f"{name}.ipynb cell {index}, column {name_!r} ({unit}): decimals {sorted(found)}"
                checked += 1
    assert checked > 0, f"{name}.ipynb shows no table"


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_each_figure_of_the_chapter_is_shown_once_by_the_cell_that_draws_it(name):
    nb = executed(name)
    expected = sorted(figure.id for figure in registry.figures_of(NOTEBOOKS[name]))
    drawn, images = [], {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        drawn += [(figure, index) for figure in DRAW.findall(cell.source)]
        images[index] = sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
    assert sorted(figure for figure, _ in drawn) == expected
    for figure, index in drawn:
        assert images[index] == 1, f"{name}.ipynb: {figure} is shown {images[index]} time(s) by cell {index}"
    assert sum(images.values()) == len(expected), f"{name}.ipynb: an image outside the cells that draw figures"


def test_an_interactive_run_of_a_notebook_writes_nothing(monkeypatch):
    """As README "Running a notebook yourself" and each notebook's first cell say: run as JupyterLab runs it (the
    kernel started at the project's root, the notebook's own defaults, no staging folder), a notebook reads its
    chapter's build, narrates and draws, and no file of the project is created, changed or removed."""
    import nbclient

    monkeypatch.delenv("BRIEFING_STAGING_DIR", raising=False)
    name = "uruguay_observatory"
    source = nbformat.read(paths.notebook(name), as_version=4)
    assert "writes no file" in source.cells[0].source
    before = project_files.state()
    nbclient.NotebookClient(source, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(paths.ROOT)}}).execute()
    assert any("image/png" in output.get("data", {}) for cell in source.cells for output in cell.get("outputs", []))
    assert project_files.differences(before, project_files.state()) == {"created": [], "removed": [], "changed": []}
