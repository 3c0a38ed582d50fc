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

from pipeline import disclosure, longtable, params, paths
from pipeline.chapters.argentina import microdata as argentina
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


def test_the_exposed_numbers_are_those_one_rank_test_per_number_finds():
    """disclosure finds the exposed hidden numbers from one null space; the textbook test is one matrix rank per
    hidden number (its unit row added to the equations leaves the rank unchanged). Both, on random tables and
    random hidden sets, of every size the province tables have."""
    rng = np.random.default_rng(17)
    for _ in range(300):
        shape = (int(rng.integers(1, 25)), int(rng.integers(1, 6)))
        table = disclosure._Margins(rng.integers(0, 50, size=shape).astype(float))
        hidden = rng.random(len(table.values)) < rng.uniform(0.05, 0.9)
        unknowns = np.flatnonzero(hidden)
        system = table.equations[:, unknowns]
        rank = np.linalg.matrix_rank(system)
        expected = [int(v) for k, v in enumerate(unknowns)
                    if np.linalg.matrix_rank(np.vstack([system, np.eye(len(unknowns))[k]])) == rank]
        assert table.exposed(hidden) == expected, (shape, unknowns.tolist())


# ---- the chapter's measures, on generated census files of two eras ---------------------------------------------
def _write(tmp_path, layout, rows=400, **options):
    path = tmp_path / f"{layout}.csv"
    years = {"unified_2002_2018": [2013, 2015, 2017], "current": [2014, 2015, 2020, 2021, 2022]}[layout]
    truth = generator.write(path, layout, years, rows, seed=7, **options)
    return path, truth


@pytest.mark.parametrize("rule", ["first_offence", "any_offence"])
@pytest.mark.parametrize("smuggling", [False, True])
def test_drug_rules_give_exact_counts(tmp_path, rule, smuggling):
    path, truth = _write(tmp_path, "current", rows=800)
    microdata, _ = sneep.load([path])
    settings = SETTINGS.model_copy(update={"drug_rule": rule, "drug_include_smuggling": smuggling})
    rows = argentina.measures(microdata, settings)
    drug_labels = {generator.DRUG_LAW} | ({generator.SMUGGLING} if smuggling else set())
    columns = ["offence_1"] if rule == "first_offence" else [f"offence_{i}" for i in range(1, 6)]
    women = truth["gender"].isin(["female", "trans_women"])
    drug = truth[columns].isin(drug_labels).any(axis=1)
    expected = (women & drug).groupby(truth["census_year"].astype(str)).sum()
    got = rows[rows["indicator"] == "women_held_drug_offences"].set_index("period")["value"]
    assert got.astype(int).to_dict() == expected.to_dict()
    assert "first offence" in rows["definition"].iloc[0] if rule == "first_offence" else "any offence" in \
        rows["definition"].iloc[0]


def test_measures_women_trans_pre_trial_and_children(tmp_path):
    old, old_truth = _write(tmp_path, "unified_2002_2018", rows=600)  # 0/1 children coding
    new, new_truth = _write(tmp_path, "current", rows=600)  # 1/2/0 children coding
    old_truth = old_truth[old_truth["census_year"] < 2014]
    old.write_text("".join(line for line in old.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not line.startswith(("2015,", "2017,"))), encoding="utf-8")
    microdata, report = sneep.load([old, new])
    truth = pd.concat([old_truth, new_truth], ignore_index=True)
    assert report["children_coding_by_year"]["2013"] == "no0_yes1"
    assert report["children_coding_by_year"]["2022"] == "yes1_no2_unknown0"
    rows = argentina.measures(microdata, SETTINGS).set_index(["indicator", "sex", "period"])["value"]
    year = truth["census_year"].astype(str)
    women = truth["gender"].isin(["female", "trans_women"])
    for period, count in women.groupby(year).sum().items():
        assert rows[("women_held", "female", period)] == count
    for period, count in truth["gender"].eq("trans_women").groupby(year).sum().items():
        assert rows.get(("persons_held", "trans_women", period), 0) == count
    children = (women & truth["children_in_prison"].eq("yes")).groupby(year).sum()
    for period, count in children.items():
        assert rows[("women_with_children_in_prison", "female", period)] == count
    pre_trial = truth["legal_status"].eq("Procesado").groupby([year, truth["gender"]]).mean() * 100
    for (period, sex), share in pre_trial.items():
        assert rows[("pre_trial_share", sex, period)] == pytest.approx(share)


@pytest.mark.parametrize("legal_status", ["all", "pre_trial", "sentenced"])
@pytest.mark.parametrize("service", ["all", "federal"])
def test_legal_status_and_service_definitions_give_exact_counts(tmp_path, legal_status, service):
    """The counts cover the persons of the chosen legal status and service; the pre-trial share is of everyone the
    service holds, whatever the legal status chosen (a share of the pre-trial among the pre-trial would be 100%)."""
    path, truth = _write(tmp_path, "current", rows=800)
    microdata, _ = sneep.load([path])
    settings = SETTINGS.model_copy(update={"legal_status": legal_status, "service": service})
    rows = argentina.measures(microdata, settings).set_index(["indicator", "sex", "period"])["value"]
    everyone = truth[truth["service"].eq("Federal")] if service == "federal" else truth
    pre_trial = everyone["legal_status"].eq("Procesado")
    held = everyone if legal_status == "all" else everyone[pre_trial == (legal_status == "pre_trial")]
    year, women = held["census_year"].astype(str), held["gender"].isin(["female", "trans_women"])
    drug = held[[f"offence_{i}" for i in range(1, 6)]].isin({generator.DRUG_LAW}).any(axis=1)
    for period, count in held.groupby(year).size().items():
        assert rows[("persons_held", "total", period)] == count
        assert rows[("women_held", "female", period)] == women[year == period].sum()
        assert rows[("women_held_drug_offences", "female", period)] == (women & drug)[year == period].sum()
    shares = pre_trial.groupby(everyone["census_year"].astype(str)).mean() * 100
    for period, share in shares.items():
        assert rows[("pre_trial_share", "total", period)] == pytest.approx(share, abs=1e-12)
    assert len(shares) == 5 and held.groupby(year).ngroups == 5  # every census has persons under each definition


def test_measures_are_a_valid_long_table_with_only_the_genders_each_census_recorded(tmp_path):
    """The chapter's rows go into the long table as they are: valid, one row per key, one total per year (the
    review found a zero `persons_held/total` row beside the real one), and no zero for a gender category a census
    did not have (trans men before 2020 are unknown, not none)."""
    old, old_truth = _write(tmp_path, "unified_2002_2018", rows=600)
    new, new_truth = _write(tmp_path, "current", rows=600)
    old.write_text("".join(line for line in old.read_text(encoding="utf-8").splitlines(keepends=True)
                           if not line.startswith(("2015,", "2017,"))), encoding="utf-8")
    microdata, _ = sneep.load([old, new])
    rows = longtable.validate(argentina.measures(microdata, SETTINGS), "argentina.csv")
    held = rows[rows["indicator"] == "persons_held"].set_index(["sex", "period"])["value"]
    truth = pd.concat([old_truth[old_truth["census_year"] < 2014], new_truth], ignore_index=True)
    for period, count in truth.groupby(truth["census_year"].astype(str)).size().items():
        assert held[("total", period)] == count
    recorded = set(zip(truth["gender"], truth["census_year"].astype(str)))
    assert set(held.drop("total", level="sex").index) == recorded


@pytest.mark.parametrize("wanted", [[], ["b"], ["a", "f"], ["a", "b", "c", "d", "e"], ["z"]])
def test_a_category_lookup_agrees_with_isin_for_few_and_many_categories(wanted):
    """_of_categories compares codes for a few categories and looks them up for more: both agree with pandas."""
    assert argentina.FEW_CATEGORIES < 5  # so that the five-category case takes the lookup
    column = pd.Series(pd.Categorical(list("abcfeab") + [None, "d"], categories=list("abcdef")))
    assert argentina._of_categories(column, wanted).tolist() == column.isin(wanted).tolist()


def test_a_person_without_a_gender_code_is_in_no_cell(tmp_path):
    """The counts are one pass over cells of (census, gender): a person without a gender is in none of them, and
    no other cell changes. In the first census her cell number would be negative."""
    path, _ = _write(tmp_path, "current", rows=800)
    microdata, _ = sneep.load([path])
    before = argentina.measures(microdata, SETTINGS).set_index(["indicator", "sex", "period"])["value"]
    first = microdata.index[microdata["census_year"] == 2014][0]
    gender = microdata.at[first, "gender"]
    microdata.loc[first, "gender"] = None
    after = argentina.measures(microdata, SETTINGS).set_index(["indicator", "sex", "period"])["value"]
    changed = (before - after.reindex(before.index)).loc[lambda d: d != 0]
    assert changed[("persons_held", gender, "2014")] == 1 and changed[("persons_held", "total", "2014")] == 1
    assert set(changed.index.get_level_values("period")) == {"2014"}
    assert set(changed.index.get_level_values("indicator")) <= {"persons_held", "women_held", "pre_trial_share",
                                                               "women_held_drug_offences", "women_drug_offences_share",
                                                               "women_with_children_in_prison"}


def test_suppression_hides_small_cells_and_their_complements():
    counts = pd.DataFrame({"female": [3, 40, 25], "male": [60, 70, 80], "trans_women": [0, 2, 9]},
                          index=["A", "B", "C"])
    hidden = disclosure.suppress(counts, min_cell=5)
    assert hidden.loc["A", "female"] and hidden.loc["B", "trans_women"]
    assert not disclosure.recoverable(counts.to_numpy(float), hidden.to_numpy())
    for axis in (0, 1):  # no row or column with exactly one hidden cell: nothing by one subtraction
        assert (hidden.sum(axis=axis) != 1).all()


def test_suppression_is_not_recoverable_on_a_province_table(tmp_path):
    path, _ = _write(tmp_path, "current", rows=1500)
    microdata, _ = sneep.load([path])
    table = argentina.by_province(microdata, SETTINGS, 2022, min_cell=5)
    cells = table[(table["province"] != "All provinces") & (table["gender"] != "total")]
    shown = cells.dropna(subset=["persons"])
    assert (shown["persons"].eq(0) | shown["persons"].ge(5)).all()
    grid = cells.pivot(index="province", columns="gender", values="suppressed").fillna(False)
    counts = microdata[microdata["census_year"] == 2022].groupby(["province", "gender"], observed=True) \
        .size().unstack(fill_value=0).loc[grid.index, grid.columns]
    assert grid.to_numpy().any()
    assert not disclosure.recoverable(counts.to_numpy(float), grid.to_numpy(bool))
