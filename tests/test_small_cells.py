"""Small cells: tables of people from SNEEP microdata at province or establishment level hide every cell and
every total of 1 to disclosure.min_cell - 1 people, and no hidden number can be worked out from what is published.

The attacker here is independent of pipeline/disclosure.py's linear algebra: it reads only the published
table (visible cells, visible totals and the grand total) and solves by subtraction, over and over, every
equation of the table (a row or column adds up to its total; the totals add up to the grand total) with one
unknown left, and sets to zero every unknown of an equation whose unknowns must sum to zero (counts are never
negative).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sneep_generator as generator

from pipeline import argentina, disclosure, params, paths
from pipeline.settings import Argentina, Disclosure
from pipeline.sources import sneep

MIN_CELL = params.read(Disclosure).min_cell
SETTINGS = Argentina(women_include_trans_women=True, drug_rule="any_offence", drug_include_smuggling=False,
                     legal_status="all", service="all", first_year=2005, last_year=2022, growth_base_year=2015)


def recovered_by_subtraction(shown: np.ndarray, hidden: np.ndarray, row_totals, column_totals,
                             grand_total: float | None = None) -> set:
    """Hidden numbers an attacker pins down from what is published: cells (i, j), and ("row", i) or
    ("column", j) for a row or column total published as unknown (NaN)."""
    r, c = shown.shape
    grand = np.nansum(row_totals) if grand_total is None else grand_total
    values = {(i, j): (np.nan if hidden[i, j] else float(shown[i, j])) for i in range(r) for j in range(c)}
    values |= {("row", i): float(row_totals[i]) for i in range(r)}
    values |= {("column", j): float(column_totals[j]) for j in range(c)}
    # Each equation: (the numbers that add up, the number they add up to).
    equations = [([(i, j) for j in range(c)], ("row", i)) for i in range(r)]
    equations += [([(i, j) for i in range(r)], ("column", j)) for j in range(c)]
    equations += [([("row", i) for i in range(r)], None), ([("column", j) for j in range(c)], None)]
    recovered, progress = set(), True
    while progress:
        progress = False
        for parts, total in equations:
            total_value = grand if total is None else values[total]
            unknown = [p for p in parts if np.isnan(values[p])] + ([total] if np.isnan(total_value) else [])
            if len(unknown) == 1:
                known_parts = sum(values[p] for p in parts if not np.isnan(values[p]))
                values[unknown[0]] = total_value - known_parts if unknown[0] != total else known_parts
            elif len(unknown) > 1 and not np.isnan(total_value) and \
                    total_value == sum(values[p] for p in parts if not np.isnan(values[p])):
                for p in unknown:
                    values[p] = 0.0
            else:
                continue
            recovered |= set(unknown)
            progress = True
    return recovered


def _published(table: pd.DataFrame, rows="province", columns="gender", all_rows="All provinces",
               all_columns="total", value="persons"):
    """The grid of cells (NaN where hidden), the totals (NaN where hidden) and the grand total, as a reader of
    the published table sees them."""
    cells = table[(table[rows] != all_rows) & (table[columns] != all_columns)]
    grid = cells.pivot(index=rows, columns=columns, values=value).astype("Float64")
    row_totals = table[(table[columns] == all_columns) & (table[rows] != all_rows)].set_index(rows)[value]
    column_totals = table[(table[rows] == all_rows) & (table[columns] != all_columns)].set_index(columns)[value]
    grand = table[(table[rows] == all_rows) & (table[columns] == all_columns)][value]
    return (grid, row_totals.loc[grid.index].to_numpy(float, na_value=np.nan),
            column_totals.loc[grid.columns].to_numpy(float, na_value=np.nan), float(grand.iloc[0]))


@pytest.fixture(scope="module")
def microdata(tmp_path_factory):
    """Generated census with few people per province, so many province x gender cells are small."""
    path = tmp_path_factory.mktemp("sneep") / "small.csv"
    generator.write(path, "current", [2022], 400, seed=3)
    loaded, _ = sneep.load([path])
    return loaded


def _no_small_number_and_nothing_recovered(grid, row_totals, column_totals, grand):
    hidden = grid.isna().to_numpy()
    shown = grid.fillna(0).to_numpy(float)
    assert hidden.any(), "the generated census should have small cells"
    published = np.concatenate([shown[~hidden], row_totals[~np.isnan(row_totals)],
                                column_totals[~np.isnan(column_totals)]])
    assert ((published == 0) | (published >= MIN_CELL)).all(), "a published number holds 1..min_cell-1 people"
    assert recovered_by_subtraction(shown, hidden, row_totals, column_totals, grand) == set()
    return hidden


def test_province_table_hides_small_cells_and_totals_and_nothing_is_recovered_by_subtraction(microdata):
    table = argentina.by_province(microdata, SETTINGS, 2022, min_cell=MIN_CELL)
    grid, row_totals, column_totals, grand = _published(table)
    _no_small_number_and_nothing_recovered(grid, row_totals, column_totals, grand)
    # The visible totals are the true ones (hidden cells included), so the table still adds up.
    truth = microdata[microdata["census_year"] == 2022].groupby("province", observed=True).size()
    shown_totals = {k: v for k, v in zip(grid.index, row_totals) if not np.isnan(v)}
    assert shown_totals and shown_totals == {k: float(truth[k]) for k in shown_totals}
    assert grand == float(len(microdata[microdata["census_year"] == 2022]))


def test_small_totals_are_hidden_too_not_only_cells():
    """A province total of 3 people at min_cell 5 is as identifying as a cell of 3 (the review found national
    marginal totals of 1 and 3 published)."""
    counts = pd.DataFrame({"female": [1, 40, 25], "male": [2, 70, 80]}, index=["A", "B", "C"])
    hidden = disclosure.protect(counts, min_cell=5)
    assert hidden.row_totals["A"] and hidden.cells.loc["A"].all()
    cells = counts.to_numpy(float)
    row_totals = np.where(hidden.row_totals, np.nan, cells.sum(axis=1))
    column_totals = np.where(hidden.column_totals, np.nan, cells.sum(axis=0))
    assert recovered_by_subtraction(np.where(hidden.cells, 0, cells), hidden.cells.to_numpy(), row_totals,
                                    column_totals, cells.sum()) == set()


def test_women_held_for_drugs_by_province_and_legal_status_is_protected(microdata):
    table = argentina.women_held_for_drugs_by_province(microdata, SETTINGS, 2022, min_cell=MIN_CELL)
    assert set(table["legal_status"]) == {"pre_trial", "sentenced_or_other", "all"}
    grid, row_totals, column_totals, grand = _published(table, columns="legal_status", all_columns="all",
                                                        value="women_held_for_drugs")
    _no_small_number_and_nothing_recovered(grid, row_totals, column_totals, grand)
    women = microdata[(microdata["census_year"] == 2022) & microdata["gender"].isin(["female", "trans_women"])]
    drug = argentina.held_for_drugs(women, SETTINGS)
    assert grand == float(drug.sum())


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
    _no_small_number_and_nothing_recovered(*_published(table))


@pytest.mark.parametrize("seed", range(25))
def test_protection_holds_on_random_tables(seed):
    """Random province x category tables with many small numbers, cells and totals: after protection no
    published number is small and the attacker recovers nothing."""
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 9)), int(rng.integers(2, 5)))
    cells = rng.choice([0, 1, 2, 3, 4, 6, 9, 30, 120], size=shape, p=[.15, .15, .1, .1, .1, .1, .1, .1, .1])
    counts = pd.DataFrame(cells, index=[f"p{i}" for i in range(shape[0])], columns=[f"c{j}" for j in range(shape[1])])
    hidden = disclosure.protect(counts, min_cell=5)
    row_totals = np.where(hidden.row_totals, np.nan, cells.sum(axis=1))
    column_totals = np.where(hidden.column_totals, np.nan, cells.sum(axis=0))
    mask = hidden.cells.to_numpy()
    published = np.concatenate([cells[~mask], row_totals[~np.isnan(row_totals)],
                                column_totals[~np.isnan(column_totals)]])
    assert ((published == 0) | (published >= 5)).all()
    recovered = recovered_by_subtraction(np.where(mask, 0, cells), mask, row_totals, column_totals,
                                         float(cells.sum()))
    truth = {(i, j): cells[i, j] for i in range(shape[0]) for j in range(shape[1])} | \
        {("row", i): cells[i].sum() for i in range(shape[0])} | {("column", j): cells[:, j].sum() for j in range(shape[1])}
    # A hidden empty cell that follows from a row of zeros reveals no one; a hidden person never follows.
    assert {number for number in recovered if truth[number] > 0} == set()
