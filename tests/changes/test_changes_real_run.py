"""The command as a user runs it, on this project's real files in a temporary copy (never the work tree): against
HEAD with an edited long table, the report lists exactly the edited rows, the claims they move, and nothing else;
accept-verdicts then records exactly the verdict that moved."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipeline import paths

from conftest import MANUSCRIPT, git, run_changes  # noqa: I001 — tests/changes is on sys.path

INDICATORS = "data/processed/indicators.csv"
MOVES_VERDICT = "ARG/published/persons_held/trans_women/2015"  # 33 -> 40: the briefing's "33" is contradicted
MOVES_VALUE = "AMR/unodc_prisons/women_held_estimate_low/female/2021"  # 93,230 -> 93,500: inside the interval
REMOVED = "ABW/unodc_prisons/persons_held/total/2005"  # 231 persons
ADDED = "BRA/sisdepen/people_in_cells/female/2022-06"


def edit_long_table(copy) -> None:
    """Change two values, remove one row and add one, as text: every other line stays byte for byte."""
    path = copy / INDICATORS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    by_key = {"/".join(line.split(",")[:5]): i for i, line in enumerate(lines)}
    for key, old, new in ((MOVES_VERDICT, ",33,", ",40,"), (MOVES_VALUE, ",93230,", ",93500,")):
        assert old in lines[by_key[key]], lines[by_key[key]]
        lines[by_key[key]] = lines[by_key[key]].replace(old, new, 1)
    template = lines[by_key["BRA/sisdepen/people_in_cells/female/2021-12"]]
    lines.insert(by_key["BRA/sisdepen/people_in_cells/female/2021-12"] + 1,
                 template.replace(",2021-12,", ",2022-06,", 1).replace(template.split(",")[5], "30001", 1))
    del lines[by_key[REMOVED]]
    path.write_text("".join(lines), encoding="utf-8")


def section(markdown: str, heading: str) -> str:
    """The text under the first heading that starts with `heading`, up to the next heading of any level."""
    start = markdown.index(heading)
    following = [markdown.find(mark, start + len(heading)) for mark in ("\n## ", "\n### ")]
    ends = [i for i in following if i != -1]
    return markdown[start:min(ends) if ends else len(markdown)]


def table_rows(text: str) -> list[list[str]]:
    rows = [line.strip("|").split(" | ") for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip().strip("`") for cell in row] for row in rows[1:]]  # without the header


def long_keys(markdown: str, heading: str) -> list[list[str]]:
    """Key (country/source/indicator/sex/period) and the baseline and new values of each row under `heading`."""
    if heading not in markdown:
        return []
    return [["/".join([c, s, i, x, p]), old, new] for c, i, s, x, p, old, new, *_ in
            table_rows(section(markdown, heading))]


@pytest.fixture(scope="module")
def ran(tmp_path_factory, raw_source):
    """The copy, the report before any edit, after the edit, and after accepting the verdict."""
    raw_source("manuscript")
    from conftest import make_project_copy

    copy = make_project_copy(tmp_path_factory.mktemp("real") / "project")
    unchanged = run_changes(copy)
    unchanged_report = (copy / "reports/changes.md").read_text(encoding="utf-8")
    saved = run_changes(copy, "--save-snapshot", str(copy.parent / "before"))
    edit_long_table(copy)
    edited = run_changes(copy)
    report = (copy / "reports/changes.md").read_text(encoding="utf-8")
    from_snapshot = run_changes(copy, "--snapshot", str(copy.parent / "before"))
    snapshot_report = (copy / "reports/changes.md").read_text(encoding="utf-8")
    return {"copy": copy, "unchanged": unchanged, "unchanged_report": unchanged_report, "saved": saved,
            "edited": edited, "report": report, "from_snapshot": from_snapshot, "snapshot_report": snapshot_report}


def test_nothing_changed_right_after_a_commit(ran):
    assert ran["unchanged"].returncode == 0, ran["unchanged"].stderr
    rows = len(pd.read_csv(paths.INDICATORS, usecols=["country"]))
    report = ran["unchanged_report"]
    assert "Nothing changed: every compared file is as in the baseline." in report
    assert (f"{rows:,} rows in the baseline, {rows:,} now. Added: 0; removed: 0; another value: 0; "
            "another definition only: 0.") in report
    assert "No claim's verdict differs from the one recorded in `data/claims.yaml`: nothing to accept." in report


def test_the_report_lists_exactly_the_edited_rows(ran):
    assert ran["edited"].returncode == 0, ran["edited"].stderr
    report = ran["report"]
    assert long_keys(report, "### Changed values") == [[MOVES_VERDICT, "33", "40"], [MOVES_VALUE, "93,230", "93,500"]]
    assert long_keys(report, "### Rows added") == [[ADDED, "", "30,001"]]
    assert long_keys(report, "### Rows removed") == [[REMOVED, "231", ""]]
    assert long_keys(report, "### Same value, another definition") == []
    assert "Added: 1; removed: 1; another value: 2; another definition only: 0." in report
    # The largest relative change first: 33 -> 40 is +21.2%, 93,230 -> 93,500 is +0.3%.
    assert [row[0] for row in long_keys(report, "### Largest changes")] == [MOVES_VERDICT, MOVES_VALUE]


def test_the_claims_that_moved_with_their_sentence_and_nothing_else(ran):
    report = ran["report"]
    moved = table_rows(section(report, "### Claims whose verdict, caveat or computed value moved"))
    assert [(row[0], row[1], row[5], row[6]) for row in moved] == [
        ("arg-trans-women-held-2015", "verdict", "matches published", "contradicted"),
        ("amr-women-held-latest", "computed value", "consistent (includes Brazil's women outside cells)",
         "consistent (includes Brazil's women outside cells)")]
    assert moved[1][3:5] == ["93,230 to 98,263", "93,500 to 98,263"]
    # The sentence of the manuscript holding the claim's "33" (read here from the manuscript, never copied).
    line, quoted = re.fullmatch(r"line `(\d+)`: “(.+)”", moved[0][8]).groups()
    paragraph = MANUSCRIPT.read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert quoted in paragraph and len(quoted) < len(paragraph)
    assert re.search(r"\b33\b", quoted) and quoted.endswith(".") and quoted.count(". ") == 0
    to_accept = table_rows(section(report, "### Verdicts that moved"))
    assert [row[:4] for row in to_accept] == [["arg-trans-women-held-2015", "matches published", "contradicted", "40"]]
    for quiet in ("Metrics (`reports/metrics`, the headline numbers and more) that changed: 0 of",
                  "Data-quality, reconciliation and check tables that changed: 0.",
                  "Source pins changed in `data/sources.yaml`: 0. Fetched files added, removed or changed: 0."):
        assert quiet in report
    assert report.rstrip().endswith("Then run `make repro` and commit both files with the rebuilt outputs.")
    assert "make accept-verdicts" in ran["edited"].stdout
    for page in ("changes.html", "changes-es.html", "changes-pt.html"):
        assert (ran["copy"] / "reports" / page).is_file()


def test_a_saved_snapshot_gives_the_same_comparison(ran):
    assert ran["saved"].returncode == 0, ran["saved"].stderr
    assert ran["from_snapshot"].returncode == 0, ran["from_snapshot"].stderr
    for heading in ("### Changed values", "### Rows added", "### Rows removed"):
        assert long_keys(ran["snapshot_report"], heading) == long_keys(ran["report"], heading)
    assert "Baseline: the snapshot" in ran["snapshot_report"]


def test_accept_verdicts_edits_exactly_the_claim_that_moved(ran):
    copy = ran["copy"]
    accepted = run_changes(copy, "accept-verdicts", "--reason", "SNEEP revised its 2015 count (test)",
                           "--date", "2026-01-15")
    assert accepted.returncode == 0, accepted.stderr
    assert "arg-trans-women-held-2015: matches_published -> contradicted" in accepted.stdout
    diff = git("diff", "--unified=0", "--", "data/claims.yaml", cwd=copy)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-    expected: matches_published", "+    expected: contradicted"]
    log = (copy / "data/claims-accepted.yaml").read_text(encoding="utf-8")
    assert "claim: arg-trans-women-held-2015" in log and "reason: SNEEP revised its 2015 count (test)" in log
    again = run_changes(copy)
    assert again.returncode == 0 and "no longer give" not in again.stdout


def test_a_bad_baseline_is_one_message_and_writes_nothing(ran, tmp_path):
    copy = ran["copy"]
    before = (copy / "reports/changes.md").read_bytes()
    done = run_changes(copy, "--base", "no-such-tag")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: 'no-such-tag' is not a git revision of this repository — give a commit, branch or tag (`git log "
        "--oneline`), or compare with a saved snapshot: --snapshot DIR (make changes SNAPSHOT=DIR)"]
    assert (copy / "reports/changes.md").read_bytes() == before
