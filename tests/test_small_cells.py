"""Small cells: tables of people from SNEEP microdata at province or establishment level hide every cell of
1 to disclosure.min_cell - 1 people, and no hidden cell can be worked out from what is published.

The attacker here is independent of pipeline/disclosure.py's linear algebra: it reads only the published
table (visible cells and totals) and solves by subtraction, over and over, every row or column with one
unknown cell left, and sets to zero every unknown cell of a row or column whose unknown cells sum to zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sneep_generator as generator

from pipeline import argentina, disclosure, params, paths
from pipeline.sources import sneep

MIN_CELL = params.section("disclosure")["min_cell"]
SETTINGS = argentina.Params(women_include_trans_women=True, drug_rule="any_offence", drug_include_smuggling=False,
                            legal_status="all", service="all", children_coding="auto", max_rejected_rows=0,
                            first_year=2005, last_year=2022, growth_base_year=2015)


def recovered_by_subtraction(shown: np.ndarray, hidden: np.ndarray, row_totals, column_totals) -> set:
    """Hidden cells an attacker pins down from the visible cells and the totals (row/column arithmetic)."""
    known = np.where(hidden, np.nan, shown.astype(float))
    recovered = set()
    progress = True
    while progress:
        progress = False
        for lines, totals, transpose in ((known, row_totals, False), (known.T, column_totals, True)):
            for k, line in enumerate(lines):
                unknown = np.flatnonzero(np.isnan(line))
                rest = totals[k] - np.nansum(line)
                if len(unknown) == 1 or (len(unknown) > 1 and rest == 0):
                    for u in unknown:
                        line[u] = rest if len(unknown) == 1 else 0
                        recovered.add((u, k) if transpose else (k, u))
                    progress = True
    return recovered


def _published(table: pd.DataFrame):
    """The grid of cells (NaN where hidden) and the totals, as a reader of the published table sees them."""
    cells = table[(table["province"] != "All provinces") & (table["gender"] != "total")]
    grid = cells.pivot(index="province", columns="gender", values="persons").astype("Float64")
    row_totals = table[table["gender"] == "total"].set_index("province")["persons"]
    column_totals = table[(table["province"] == "All provinces")].set_index("gender")["persons"]
    return grid, row_totals.loc[grid.index].to_numpy(float), column_totals.loc[grid.columns].to_numpy(float)


@pytest.fixture(scope="module")
def microdata(tmp_path_factory):
    """Generated census with few people per province, so many province x gender cells are small."""
    path = tmp_path_factory.mktemp("sneep") / "small.csv"
    generator.write(path, "current", [2022], 400, seed=3)
    loaded, _ = sneep.load([path])
    return loaded


def test_province_table_hides_small_cells_and_nothing_is_recovered_by_subtraction(microdata):
    table = argentina.by_province(microdata, SETTINGS, 2022, min_cell=MIN_CELL)
    grid, row_totals, column_totals = _published(table)
    hidden = grid.isna().to_numpy()
    shown = grid.fillna(0).to_numpy(float)
    assert hidden.any(), "the generated census should have small cells"
    visible = shown[~hidden]
    assert ((visible == 0) | (visible >= MIN_CELL)).all(), "a visible cell holds 1..min_cell-1 people"
    assert recovered_by_subtraction(shown, hidden, row_totals, column_totals) == set()
    # The totals are the true ones (hidden cells included), so the table still adds up.
    truth = microdata[microdata["census_year"] == 2022].groupby("province", observed=True).size()
    assert dict(zip(grid.index, row_totals)) == {k: float(v) for k, v in truth.items() if k in grid.index}


def test_establishment_table_hides_small_cells_and_nothing_is_recovered(microdata):
    # Fifteen establishments: disclosure.suppress checks every hidden cell by matrix rank, which grows fast.
    counts = microdata.groupby(["establishment", "gender"], observed=True).size().unstack(fill_value=0)
    counts = counts.sort_index().iloc[:15]
    hidden = disclosure.suppress(counts, MIN_CELL).to_numpy()
    cells = counts.to_numpy(float)
    assert ((cells > 0) & (cells < MIN_CELL)).any()
    assert not ((cells > 0) & (cells < MIN_CELL) & ~hidden).any()
    assert recovered_by_subtraction(cells, hidden, cells.sum(axis=1), cells.sum(axis=0)) == set()


def test_the_attacker_does_recover_a_lone_hidden_cell():
    cells = np.array([[3.0, 40.0], [60.0, 70.0]])
    hidden = np.array([[True, False], [False, False]])
    assert recovered_by_subtraction(cells, hidden, cells.sum(axis=1), cells.sum(axis=0)) == {(0, 0)}


def test_committed_province_table_respects_min_cell():
    table = pd.read_csv(paths.TABLES / "tab-14-argentina-persons-by-province.csv", dtype={"persons": "Int64"})
    if table.empty:
        pytest.skip("no SNEEP microdata in this build: the province table is empty")
    grid, row_totals, column_totals = _published(table)
    hidden = grid.isna().to_numpy()
    shown = grid.fillna(0).to_numpy(float)
    assert ((shown[~hidden] == 0) | (shown[~hidden] >= MIN_CELL)).all()
    assert recovered_by_subtraction(shown, hidden, row_totals, column_totals) == set()
