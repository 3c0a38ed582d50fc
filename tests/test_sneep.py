"""SNEEP loader and Argentina measures: exact counts on generated files of every layout and defect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sneep_generator as generator

from pipeline import argentina, disclosure, longtable
from pipeline.errors import PipelineError
from pipeline.settings import Argentina
from pipeline.sources import published, sneep

SETTINGS = Argentina(women_include_trans_women=True, drug_rule="any_offence", drug_include_smuggling=False,
                     legal_status="all", service="all", first_year=2005, last_year=2022, growth_base_year=2015)
YEARS = {"unified_2002_2018": [2013, 2015, 2017], "per_year_old": [2010], "per_year_2017": [2017],
         "release_2019": [2019], "current": [2014, 2015, 2020, 2021, 2022], "query_export": [2021, 2022]}


def _write(tmp_path, layout, rows=400, **options):
    path = tmp_path / f"{layout}.csv"
    truth = generator.write(path, layout, YEARS[layout], rows, seed=7, **options)
    return path, truth


def _by_year_gender(frame) -> dict:
    counts = frame.groupby([frame["census_year"].astype(int), frame["gender"].astype(str)]).size()
    return {key: int(n) for key, n in counts.items()}


@pytest.mark.parametrize("layout", sorted(generator.LAYOUTS))
def test_every_layout_loads_with_exact_counts(tmp_path, layout):
    path, truth = _write(tmp_path, layout)
    microdata, report = sneep.load([path])
    assert _by_year_gender(microdata) == _by_year_gender(truth)
    assert report["files"][0]["rows_rejected"] == 0
    assert len(microdata) == len(truth)


@pytest.mark.parametrize("layout", ["unified_2002_2018", "current", "per_year_2017"])
def test_unquoted_commas_in_names_are_recovered_exactly(tmp_path, layout):
    path, truth = _write(tmp_path, layout)
    with_comma = truth["establishment"].str.contains(",")
    assert with_comma.sum() > 0
    microdata, report = sneep.load([path])
    assert report["files"][0]["rows_recovered"] == with_comma.sum()
    expected = truth.groupby("establishment").size().to_dict()
    got = microdata.groupby(microdata["establishment"].astype(str)).size().to_dict()
    assert got == expected


def test_quoted_commas_are_values_not_extra_fields(tmp_path):
    """A quoted value with a comma is one field, in a well-formed row and in a row that is also broken by an
    unquoted comma (whose fields are then counted by a CSV reader, not by its commas)."""
    path, truth = _write(tmp_path, "current")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[0].count(",")
    broken = [i for i, line in enumerate(lines) if line.count(",") > fields and ",Argentina," in line]
    whole = [i for i, line in enumerate(lines[1:], 1) if line.count(",") == fields and ",Argentina," in line]
    for i in broken[:3] + whole[:3]:
        lines[i] = lines[i].replace(",Argentina,", ',"Argentina, naturalizada",', 1)
    path.write_text("".join(lines), encoding="utf-8")
    microdata, report = sneep.load([path])
    assert report["files"][0]["rows_rejected"] == 0
    assert report["files"][0]["rows_recovered"] == truth["establishment"].str.contains(",").sum()
    assert _by_year_gender(microdata) == _by_year_gender(truth)
    got = microdata.groupby(microdata["establishment"].astype(str)).size().to_dict()
    assert got == truth.groupby("establishment").size().to_dict()


def test_ambiguous_rows_are_rejected_by_count_not_shifted(tmp_path):
    path, truth = _write(tmp_path, "current", ambiguous_rows=3)
    with pytest.raises(PipelineError, match="3 row"):
        sneep.load([path])
    microdata, report = sneep.load([path], max_rejected_rows=3)
    assert report["files"][0]["rows_rejected"] == 3
    assert _by_year_gender(microdata) == _by_year_gender(truth[truth["readable"]])


def test_2017_header_is_repaired_and_reported(tmp_path):
    path, truth = _write(tmp_path, "per_year_2017")
    microdata, report = sneep.load([path])
    repairs = report["files"][0]["header_repairs"]
    assert any("fecha_egreso" in r for r in repairs) and any("missing _id" in r for r in repairs)
    assert (microdata["establishment_id"].astype(int) == truth["establishment_id"]).all() or \
        sorted(microdata["establishment_id"].astype(int)) == sorted(truth["establishment_id"])


def test_province_ids_are_sneep_codes_in_every_era(tmp_path):
    for layout in ("unified_2002_2018", "release_2019", "current"):
        path, truth = _write(tmp_path, layout)
        microdata, _ = sneep.load([path])
        pairs = set(zip(microdata["province_id"].astype(int), microdata["province"].astype(str)))
        assert pairs == set(zip(truth["province_id"], truth["province"])), layout


def test_query_export_latin1_semicolon_keeps_accents(tmp_path):
    path, truth = _write(tmp_path, "query_export")
    microdata, report = sneep.load([path])
    assert (report["files"][0]["encoding"], report["files"][0]["delimiter"]) == ("latin-1", ";")
    assert "Córdoba" in set(microdata["province"].astype(str)) or "Córdoba" not in set(truth["province"])
    assert _by_year_gender(microdata) == _by_year_gender(truth)


def test_several_files_of_different_eras_combine_and_overlaps_fail(tmp_path):
    old, old_truth = _write(tmp_path, "per_year_old")
    new, new_truth = _write(tmp_path, "release_2019")
    microdata, _ = sneep.load([old, new])
    assert len(microdata) == len(old_truth) + len(new_truth)
    assert set(microdata["gender"]) >= {"female", "male", "trans_women"}
    clash = tmp_path / "again.csv"
    generator.write(clash, "release_2019", [2019], 50, seed=3)
    with pytest.raises(PipelineError, match="census 2019 is in both"):
        sneep.load([new, clash])


def test_unknown_gender_label_names_file_row_and_label(tmp_path):
    path, _ = _write(tmp_path, "current", rows=50)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40].replace(",Varón,", ",Hombre,", 1)
    assert "Hombre" in lines[40]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PipelineError) as error:
        sneep.load([path])
    assert "'Hombre'" in str(error.value) and "row 41" in str(error.value) and path.name in str(error.value)


def test_every_historical_gender_label_maps_to_the_documented_coding():
    crosswalk = sneep.gender_crosswalk()
    for label, ours in generator.LABELS.items():
        assert crosswalk[sneep._normal(label)] == ours
    assert crosswalk[sneep._normal("TRANS MUJER/TRAVESTI")] == "trans_women"


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


def test_absent_microdata_gives_an_empty_table_with_the_real_columns(tmp_path):
    assert sneep.available_files(tmp_path / "nothing") == []
    empty = sneep.empty()
    assert len(empty) == 0 and {"census_year", "gender", "offence_1", "children_in_prison"} <= set(empty.columns)


def test_the_chapter_reads_the_published_registry_in_its_own_vocabulary():
    figures, origin = argentina.published_figures(published.load())
    assert origin == "data/published/figures.csv"
    assert argentina.published_value(figures, argentina.WOMEN_HELD, "2015") == 2996
    assert argentina.published_value(figures, argentina.PERSONS_IN_UNITS, "2022") == 105053
    assert argentina.published_value(figures, argentina.WOMEN_DRUG_GROWTH, "2015/2022") == 47
    # A figure printed by two sources (33 trans women in 2015: arg-004 and arg-012) is one fact.
    assert argentina.published_value(figures, ("persons_held", "trans_women"), "2015") == 33


def test_a_fact_missing_from_the_registry_is_one_error_naming_it():
    registry = published.load()
    without = registry[registry["figure_id"] != "arg-014"]  # women held, 2022
    with pytest.raises(PipelineError, match=r"data/published/figures.csv: the registry of published figures lacks "
                                            r"the Argentina facts persons_held/female/2022"):
        argentina.published_figures(without)


def test_drug_growth_check_finds_the_shares_that_give_47_percent():
    published, _ = argentina.published_figures()
    check = argentina.drug_growth_check(published, SETTINGS).set_index("quantity")
    assert check.iloc[0]["low_pct"] == pytest.approx(50.52, abs=0.01)
    assert check.iloc[3]["low_pct"] > 37.2 and check.iloc[3]["high_pct"] < 37.5
    assert check.iloc[4]["low_pct"] >= 37.5 and check.iloc[4]["high_pct"] < 37.8
    assert np.isclose(check.iloc[2]["low_pct"], 47)
