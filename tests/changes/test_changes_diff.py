"""The comparisons of the changes report on small generated tables: each kind of change is found, nothing is
found on identical inputs, and the order is the one a reviewer reads."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline import longtable
from pipeline.changes import diff

DEFINITION = "persons held on a given day"


def long_rows(*rows) -> pd.DataFrame:
    """Long-table rows from (country, indicator, sex, period, value[, unit, definition]) with source 'src'."""
    records = []
    for country, indicator, sex, period, value, *rest in rows:
        unit = rest[0] if rest else "persons"
        definition = rest[1] if len(rest) > 1 else DEFINITION
        records.append({"country": country, "source": "src", "indicator": indicator, "sex": sex, "period": period,
                        "value": float(value), "unit": unit, "definition": definition})
    return longtable.frame(records)


BASE = long_rows(("ARG", "persons_held", "female", "2020", 100), ("ARG", "persons_held", "female", "2021", 200),
                 ("ARG", "share", "female", "2021", 10.0, "percent"), ("BRA", "persons_held", "female", "2021", 1000),
                 ("BRA", "persons_held", "male", "2021", 5000), ("URY", "persons_held", "female", "2021", 0))


def keys(rows: pd.DataFrame) -> list[str]:
    return ["/".join(r) for r in rows[diff.KEY].itertuples(index=False)]


def test_identical_long_tables_give_no_row():
    assert diff.long_table(BASE, BASE.copy()).empty


def test_added_removed_changed_and_definition_rows_are_each_found_once():
    new = BASE.copy()
    new.loc[1, "value"] = 260.0  # ARG persons_held 2021: +30%
    new.loc[4, "definition"] = "persons held, revised definition"  # same value
    new = pd.concat([new.drop(index=0), long_rows(("BRA", "persons_held", "female", "2022", 1100))],
                    ignore_index=True)
    rows = diff.long_table(BASE, new)
    assert rows["change"].tolist() == ["changed", "definition", "added", "removed"]
    assert keys(rows) == ["ARG/src/persons_held/female/2021", "BRA/src/persons_held/male/2021",
                          "BRA/src/persons_held/female/2022", "ARG/src/persons_held/female/2020"]
    changed = rows.iloc[0]
    assert (changed["old_value"], changed["new_value"], changed["difference"]) == (200.0, 260.0, 60.0)
    assert changed["relative_change_pct"] == pytest.approx(30.0)
    assert not changed["definition_changed"] and changed["old_definition"] == ""
    definition = rows.iloc[1]
    assert definition["definition_changed"] and definition["old_definition"] == DEFINITION
    assert definition["definition"] == "persons held, revised definition"
    added, removed = rows.iloc[2], rows.iloc[3]
    assert math.isnan(added["old_value"]) and added["new_value"] == 1100.0 and math.isnan(added["relative_change_pct"])
    assert removed["old_value"] == 100.0 and math.isnan(removed["new_value"])


def test_a_value_and_definition_change_is_one_changed_row_that_says_the_definition_moved():
    new = BASE.copy()
    new.loc[3, ["value", "definition"]] = [900.0, "another definition"]
    rows = diff.long_table(BASE, new)
    assert rows["change"].tolist() == ["changed"]
    assert rows["definition_changed"].tolist() == [True] and rows["old_definition"].tolist() == [DEFINITION]


def test_a_unit_change_is_a_changed_row_with_the_old_unit():
    new = BASE.copy()
    new.loc[2, "unit"] = "ratio"
    rows = diff.long_table(BASE, new)
    assert rows[["change", "unit", "old_unit", "difference"]].values.tolist() == [["changed", "ratio", "percent", 0.0]]


def test_changed_rows_are_grouped_by_country_and_indicator_largest_relative_change_first():
    new = BASE.copy()
    new["value"] = [101.0,  # ARG persons_held 2020: +1%
                    300.0,  # ARG persons_held 2021: +50%
                    10.5,  # ARG share: +5%
                    1200.0,  # BRA female: +20%
                    4000.0,  # BRA male: -20%
                    3.0]  # URY from 0: infinite
    rows = diff.long_table(BASE, new)
    # URY (from zero) first, then ARG persons_held (largest +50%, then +1%), then BRA (20% twice: by sex), then
    # ARG share (+5%): the group with the largest change first, inside it the largest first.
    assert keys(rows) == ["URY/src/persons_held/female/2021", "ARG/src/persons_held/female/2021",
                          "ARG/src/persons_held/female/2020", "BRA/src/persons_held/female/2021",
                          "BRA/src/persons_held/male/2021", "ARG/src/share/female/2021"]
    assert rows["relative_change_pct"].tolist()[1:] == pytest.approx([50.0, 1.0, 20.0, -20.0, 5.0])
    assert math.isinf(rows["relative_change_pct"].iloc[0])
    largest = diff.largest_changes(rows, 3)
    assert keys(largest) == ["URY/src/persons_held/female/2021", "ARG/src/persons_held/female/2021",
                             "BRA/src/persons_held/female/2021"]
    assert diff.counts_by_source(rows).to_dict("index") == {"src": {"changed": 6, "definition": 0, "added": 0,
                                                                   "removed": 0}}


def test_metrics_every_leaf_old_and_new():
    old = {"brazil": {"women_in_cells": 29843, "share_pct": {"men": 28.7, "women": 57.0}, "year": 2021},
           "uruguay": {"women_held": 805}}
    new = {"brazil": {"women_in_cells": 30100, "share_pct": {"men": 28.7, "women": 58.2}, "year": 2022},
           "regional": {"URY": {"women_held": 805}}}
    rows = diff.metrics(old, new).set_index("path")
    assert rows["change"].to_dict() == {
        "brazil.share_pct.men": "unchanged", "brazil.share_pct.women": "changed", "brazil.women_in_cells": "changed",
        "brazil.year": "changed", "regional.URY.women_held": "added", "uruguay.women_held": "removed"}
    assert rows.loc["brazil.women_in_cells", ["old", "new", "difference"]].tolist() == [29843, 30100, 257]
    assert rows.loc["brazil.share_pct.women", "difference"] == pytest.approx(1.2)
    assert rows.loc["uruguay.women_held", "new"] is None
    assert (diff.metrics(old, old)["change"] == "unchanged").all()
    # A baseline without metrics files: every number is added, and no nameless row stands for the empty side.
    assert diff.metrics(None, {"uruguay": {"women_held": 805}})[["path", "change"]].values.tolist() == \
        [["uruguay.women_held", "added"]]
    assert diff.metrics({}, None).empty


def claims_table(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"claim_id": c, "section": "Introduction", "stated": s, "computed": v, "status": st,
                          "expected": e} for c, s, v, st, e in rows])


def test_claims_whose_verdict_or_computed_value_moved_verdicts_first():
    old = claims_table(("a-share", "37%", "36.9", "reproduced", "reproduced"),
                       ("b-count", "2,996", "2,996", "reproduced", "reproduced"),
                       ("c-interval", "95,000", "93,230 to 98,263", "consistent", "consistent"),
                       ("d-gone", "5", "5", "reproduced", "reproduced"))
    new = claims_table(("a-share", "37%", "38.2", "contradicted", "reproduced"),
                       ("b-count", "2,996", "2,996", "reproduced", "reproduced"),
                       ("c-interval", "95,000", "93,500 to 98,263", "consistent", "consistent"),
                       ("e-new", "7", "7", "reproduced", "reproduced"))
    rows = diff.claims(old, new)
    assert rows[["claim_id", "change"]].values.tolist() == [["a-share", "verdict"], ["c-interval", "computed"],
                                                            ["e-new", "added"], ["d-gone", "removed"]]
    first = rows.iloc[0]
    assert (first["old_computed"], first["new_computed"], first["old_status"], first["new_status"],
            first["expected"]) == ("36.9", "38.2", "reproduced", "contradicted", "reproduced")
    assert diff.claims(old, old).empty


def test_a_caveat_that_appeared_beside_the_same_verdict_is_a_change_of_its_own():
    """A baseline written before claims had caveats has no such column: its claims had none."""
    old = claims_table(("bra-growth", "448.3 percent", "evidence: bra-016", "matches_published", "matches_published"),
                       ("c-interval", "95,000", "93,230 to 98,263", "consistent", "consistent"))
    new = old.assign(caveat=["compares counts of different scope", ""], computed=["evidence: bra-016",
                                                                                  "93,500 to 98,263"])
    rows = diff.claims(old, new)
    assert rows[["claim_id", "change", "old_caveat", "new_caveat"]].values.tolist() == [
        ["bra-growth", "caveat", "", "compares counts of different scope"], ["c-interval", "computed", "", ""]]
    assert rows.iloc[0][["old_status", "new_status"]].tolist() == ["matches_published", "matches_published"]
    assert diff.claims(new, new).empty


FINDINGS = "rule,state,period,sex,value,treatment\n" \
           "coverage,AC,2017-12,female,9.0,keep\n" \
           "per_capita,MA,2019-12,male,27.8,exclude\n" \
           "per_capita,MA,2020-06,male,5.0,exclude\n"


def test_findings_that_appeared_disappeared_and_changed_matched_on_the_inferred_key():
    old = diff.read_table(FINDINGS)
    new = diff.read_table(FINDINGS.replace("coverage,AC,2017-12,female,9.0,keep\n", "")
                          .replace("27.8,exclude", "27.9,exclude") + "spike,RS,2018-06,male,0.2,exclude\n")
    table = diff.findings_table("tab-99-x-data-quality", old, new)
    assert table.key == ["rule", "state", "period"]
    assert table.status == "changed"
    assert table.added.values.tolist() == [["spike", "RS", "2018-06", "male", "0.2", "exclude"]]
    assert table.removed.values.tolist() == [["coverage", "AC", "2017-12", "female", "9", "keep"]]
    assert [(before["value"], after["value"], moved) for before, after, moved in table.changed] == \
        [("27.8", "27.9", ["value"])]
    assert table.counts == {"appeared": 1, "disappeared": 1, "changed": 1}


def test_identical_findings_tables_are_unchanged():
    table = diff.findings_table("tab-99-x-data-quality", diff.read_table(FINDINGS), diff.read_table(FINDINGS))
    assert (table.status, table.counts) == ("unchanged", {"appeared": 0, "disappeared": 0, "changed": 0})


def test_a_whole_number_written_with_decimal_zeros_is_the_same_finding():
    """A baseline written before the CSVs dropped the decimal zeros of whole numbers (4013.0 -> 4013) reports no
    change for that alone; a real change beside it is still found."""
    now = FINDINGS.replace("female,9.0,keep", "female,9,keep").replace("male,5.0,exclude", "male,5,exclude")
    assert now != FINDINGS
    same = diff.findings_table("tab-99-x-data-quality", diff.read_table(FINDINGS), diff.read_table(now))
    assert (same.status, same.counts) == ("unchanged", {"appeared": 0, "disappeared": 0, "changed": 0})
    moved = diff.findings_table("tab-99-x-data-quality", diff.read_table(FINDINGS),
                                diff.read_table(now.replace("male,5,exclude", "male,5.5,exclude")))
    assert [(before["value"], after["value"]) for before, after, _ in moved.changed] == [("5", "5.5")]


def test_without_a_reliable_key_rows_only_appear_or_disappear():
    unsorted = "rule,value\nb,1\na,2\n"  # not sorted by its first column: no key can be told
    changed = "rule,value\nb,1\na,3\n"
    table = diff.findings_table("tab-99-x-check", diff.read_table(unsorted), diff.read_table(changed))
    assert table.key is None
    assert (table.added.values.tolist(), table.removed.values.tolist(), table.changed) == ([["a", "3"]],
                                                                                          [["a", "2"]], [])
    one_row = diff.findings_table("tab-99-x-check", diff.read_table("rule,value\na,1\n"),
                                  diff.read_table("rule,value\nb,2\n"))
    assert one_row.key is None and len(one_row.added) == 1 and len(one_row.removed) == 1


def test_a_column_that_appears_is_said_and_every_row_differs():
    table = diff.findings_table("tab-99-x-check", diff.read_table("rule,value\na,1\nb,2\n"),
                                diff.read_table("rule,value,note\na,1,\nb,2,new\n"))
    assert table.columns_changed == (["rule", "value"], ["rule", "value", "note"])
    assert table.key is None and table.status == "changed"
    assert table.added.values.tolist() == [["b", "2", "new"]] and table.removed.values.tolist() == [["b", "2", ""]]


def test_a_repeated_row_counts_as_often_as_it_appears():
    table = diff.findings_table("tab-99-x-check", diff.read_table("a,b\nx,1\nx,1\n"), diff.read_table("a,b\nx,1\n"))
    assert table.removed.values.tolist() == [["x", "1"]] and table.added.empty


def test_new_and_removed_tables():
    new = diff.findings_table("tab-99-x-check", None, diff.read_table(FINDINGS))
    assert (new.status, len(new.added), len(new.removed)) == ("new table", 3, 0)
    gone = diff.findings_table("tab-99-x-check", diff.read_table(FINDINGS), None)
    assert (gone.status, len(gone.added), len(gone.removed)) == ("table removed", 0, 3)


def test_key_inference_sorts_numbers_as_numbers():
    by_year = "year,female\n9,1\n10,2\n2005,3\n"  # numerically sorted, not as text
    assert diff.infer_key(diff.read_table(by_year), diff.read_table(by_year)) == ["year"]


SOURCES = {"sisdepen": {"snapshot": {"date": "2023"}, "files": [
    {"path": "sisdepen/a.xlsx", "url": "https://x/a.xlsx", "bytes": 10, "sha256": "a" * 64},
    {"path": "sisdepen/b.xlsx", "url": "https://x/b.xlsx", "bytes": 20, "sha256": "b" * 64}]},
    "sneep": {"manual_download": "http://datos", "snapshot": {"date": "not pinned"}, "files": [{"glob": "*.csv"}]}}


def test_source_pins_added_removed_and_changed_field_by_field():
    new = {"sisdepen": {"snapshot": {"date": "2024"}, "files": [
        {"path": "sisdepen/a.xlsx", "url": "https://x/a.xlsx", "bytes": 11, "sha256": "c" * 64},
        {"path": "sisdepen/c.xlsx", "url": "https://x/c.xlsx", "bytes": 30, "sha256": "d" * 64}]},
        "unodc": {"snapshot": {"date": "2023-05-11"}, "files": []}}
    rows = diff.source_pins(SOURCES, new)
    assert rows[["source", "file", "change", "field", "old", "new"]].values.tolist() == [
        ["sisdepen", "", "changed", "snapshot.date", "2023", "2024"],
        ["sisdepen", "sisdepen/a.xlsx", "changed", "sha256", "a" * 64, "c" * 64],
        ["sisdepen", "sisdepen/a.xlsx", "changed", "bytes", "10", "11"],
        ["sisdepen", "sisdepen/b.xlsx", "removed", "", "", ""],
        ["sisdepen", "sisdepen/c.xlsx", "added", "", "", ""],
        ["sneep", "", "removed", "", "", ""],
        ["unodc", "", "added", "", "", ""]]
    assert diff.source_pins(SOURCES, SOURCES).empty


def test_fetched_files_including_the_files_a_user_supplied():
    old = {"files": [{"file": "sneep-2021.csv", "bytes": 100, "sha256": "1" * 64},
                     {"file": "sneep-2022.csv", "bytes": 200, "sha256": "2" * 64}]}
    new = {"files": [{"file": "sneep-2022.csv", "bytes": 210, "sha256": "3" * 64},
                     {"file": "sneep-2023.csv", "bytes": 300, "sha256": "4" * 64}]}
    rows = diff.fetched_files("sneep", old, new)
    listed = [[file, change, None if pd.isna(old_bytes) else old_bytes, None if pd.isna(new_bytes) else new_bytes]
              for file, change, old_bytes, new_bytes in rows[["file", "change", "old_bytes", "new_bytes"]].values]
    assert listed == [["sneep-2021.csv", "removed", 100, None], ["sneep-2022.csv", "changed", 200, 210],
                      ["sneep-2023.csv", "added", None, 300]]
    assert diff.fetched_files("sneep", old, old).empty
    assert diff.fetched_files("sneep", None, {"files": []}).empty


def test_on_the_committed_findings_tables_one_edit_is_one_finding():
    """Every committed findings table compared with itself is unchanged; in the Brazil data-quality table, a
    row taken out is one finding that disappeared, and a value edited one changed finding (the value)."""
    from pipeline import paths
    from pipeline.changes import baseline

    names = baseline.findings_tables(p.name for p in paths.TABLES.glob("*.csv"))
    assert "tab-22-brazil-data-quality" in names and "claims" not in names
    # The units the rules follow across a new name are compared too: a new semester's renames show in the report.
    assert "tab-28-brazil-unit-rename-reconciliation" in names
    renames = diff.read_table(
        (paths.TABLES / "tab-28-brazil-unit-rename-reconciliation.csv").read_text(encoding="utf-8"))
    found = diff.findings_table("tab-28-brazil-unit-rename-reconciliation", renames.drop(index=0), renames)
    assert found.key == ["period", "state", "municipality", "unit_name"] and len(found.added) == 1
    for name in names:
        table = diff.read_table((paths.TABLES / f"{name}.csv").read_text(encoding="utf-8"))
        assert diff.findings_table(name, table, table.copy()).status == "unchanged", name
    quality = diff.read_table((paths.TABLES / "tab-22-brazil-data-quality.csv").read_text(encoding="utf-8"))
    edited = quality.drop(index=len(quality) - 1).copy()
    edited.loc[0, "value"] = "123456.0"
    table = diff.findings_table("tab-22-brazil-data-quality", quality, edited)
    assert table.key == ["rule", "state", "period", "measure", "sex"]  # the key the chapter saves it with
    assert table.removed.values.tolist() == [quality.iloc[-1].tolist()] and table.added.empty
    assert [(before["value"], after["value"], moved) for before, after, moved in table.changed] == \
        [(quality.loc[0, "value"], "123456.0", ["value"])]


def test_parameters_lists_each_key_that_changed_was_added_or_was_removed_and_nothing_else():
    old = {"brazil": {"outlier_treatment": "exclude", "claimed": {"male": 448.3}, "periods": ["2019-06"]},
           "disclosure": {"min_cell": 5}}
    new = {"brazil": {"outlier_treatment": "exclude", "claimed": {"male": 448.0}, "periods": ["2019-06", "2019-12"]},
           "disclosure": {"min_cell": 5.0}}
    assert diff.parameters(old, new).values.tolist() == [
        ["brazil.claimed.male", "changed", "448.3", "448.0"],
        ["brazil.periods", "changed", '["2019-06"]', '["2019-06", "2019-12"]'],
        ["disclosure.min_cell", "changed", "5", "5.0"]]  # 5 and 5.0 read differently: the file says which
    assert diff.parameters(old, old).empty
    assert diff.parameters(None, {"base": {"focus_countries": ["ARG"]}}).values.tolist() == [
        ["base.focus_countries", "added", None, '["ARG"]']]
    assert diff.parameters({"sneep": {"encoding": "utf-8"}}, {}).values.tolist() == [
        ["sneep.encoding", "removed", "utf-8", None]]
