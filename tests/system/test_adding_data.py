"""docs/adding-data.md, "A SISDEPEN semester", followed on a built copy of the project.

Before: the copy as it was before SENAPPEN published its last semester (jul-dez-2021): the file's entry removed
from data/sources.yaml and the file from the copy's mirror, and the claims that cite that semester pointed at the
one before (a claim's key names its period). `make repro`'s runner builds it and the state is committed. Then the
guide's steps, as written there: the file back into the mirror, its entry (size and SHA-256 computed as the guide says)
back into data/sources.yaml, the claims' keys moved to the new semester, `dvc repro`, `python -m pipeline.changes`.

The changes report must list exactly the semester's long-table rows as added, the rows the new semester moves
(and nothing else), the claims whose computed value moved; and the project rebuilt with the semester must be the
committed one, byte for byte."""

from __future__ import annotations

import filecmp
import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from system import built_copy

from pipeline import fetch, paths
from pipeline.sources import sisdepen

SEMESTER_FILE = "dados-sisdepen-jul-dez-2021.xlsx"
PERIOD, PREVIOUS = "2021-12", "2021-06"
# The semester's rows of the long table: 15 SISDEPEN indicators x total, female, male; the states the monitoring count
# covers; its growth from 2019-12 in the states counted in both (female, male, total). The guide states the number.
ROWS_ADDED = 45 + 1 + 3
GUIDE = paths.ROOT / "docs" / "adding-data.md"
HEADING = re.compile(r"^#+ (.*?)(?: \(\d[\d,]*\))?\s*$")  # a heading, without its count


def _changes_tables(markdown: str) -> dict[str, list[list[str]]]:
    """Every table of the changes report, by the heading above it (without its count)."""
    tables, heading = {}, None
    for line in markdown.splitlines():
        found = HEADING.match(line)
        if found:
            heading = found.group(1)
            tables.setdefault(heading, [])
        elif heading and line.startswith("| `"):
            tables[heading].append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return tables


def _keys(rows: list[list[str]]) -> set[str]:
    return {"/".join(row[:5][i] for i in (0, 2, 1, 3, 4)) for row in rows}  # country/source/indicator/sex/period


def test_the_guide_gives_the_steps_this_test_runs():
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("## A SISDEPEN semester"):guide.index("## A SNEEP census")]
    for step in ("../shared/data/sisdepen/", "`files:` of `sisdepen` in `data/sources.yaml`", "stat -c %s",
                 "sha256sum", "data/claims.yaml", "`.venv/bin/dvc repro`, then `.venv/bin/python -m pipeline.changes`",
                 f"{ROWS_ADDED} for December 2021"):
        assert step in section, step
    pinned = _entry_of(paths.SOURCES.read_text(encoding="utf-8"), SEMESTER_FILE)
    pinned = [line.strip() for line in pinned.splitlines()]
    shown = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    shown = [line.strip() for line in shown.splitlines() if line.strip()]
    assert (shown[0], shown[2:]) == (pinned[0], pinned[2:])  # path, bytes and sha256 as pinned


@pytest.mark.e2e
def test_adding_the_last_sisdepen_semester_as_the_guide_says(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    # The copy's mirror (the fetch refuses links that lead out of it): a copy of the mirror, and beside it what the
    # registry reaches outside it (the manuscript, `../paper/`).
    mirror = tmp_path / "shared" / fetch.mirror_dir().name
    shutil.copytree(fetch.mirror_dir(), mirror)
    for path in {(fetch.mirror_dir() / entry).resolve().parent for entry in _paths_outside_mirror()}:
        shutil.copytree(path, mirror.parent / path.name)
    _writable(tmp_path / "shared")  # a mirror may be read-only (copied with its modes): the guide's steps move files
    env = built_copy.plain_environment(BRIEFING_DATA_MIRROR=str(mirror))
    sources = copy / "data" / "sources.yaml"
    claims = copy / "data" / "claims.yaml"
    committed_sources, committed_claims = sources.read_text(encoding="utf-8"), claims.read_text(encoding="utf-8")
    entry = _entry_of(committed_sources, SEMESTER_FILE)
    semester = mirror / "sisdepen" / SEMESTER_FILE
    kept = tmp_path / SEMESTER_FILE

    # Before: the semester not yet published.
    shutil.move(semester, kept)
    sources.write_text(committed_sources.replace(entry, ""), encoding="utf-8")
    claims.write_text(committed_claims.replace(PERIOD, PREVIOUS), encoding="utf-8")
    parsed = sorted((copy / paths.relative(sisdepen.CACHE_DIR)).glob(f"*/*-{Path(SEMESTER_FILE).stem}.parquet"))
    assert len(parsed) == 1  # ... and never parsed (the parsed-file cache holds every file the build has read)
    parsed[0].unlink()
    # (Preparing the copy, not a step of the guide: make repro's runner, two stages at a time.)
    before = built_copy.run(".venv/bin/python -m pipeline.repro", copy, env)
    assert before.returncode == 0, before.stdout[-4000:]
    table_before = pd.read_csv(copy / "data" / "processed" / "indicators.csv", dtype={"period": str})
    assert not (table_before["period"] == PERIOD).any()
    built_copy.commit(copy, "before SISDEPEN 2021-12")

    # The guide's steps.
    shutil.move(kept, semester)  # 1. the file into the mirror's SISDEPEN folder
    size = built_copy.run(f"stat -c %s {semester}", copy, env).stdout.strip()  # 2. its size and SHA-256 ...
    sha256 = built_copy.run(f"sha256sum {semester}", copy, env).stdout.split()[0]
    url = re.search(r"url: (\S+)", entry).group(1)
    added_entry = (f"      - path: sisdepen/{SEMESTER_FILE}\n        url: {url}\n        bytes: {size}\n"
                   f"        sha256: {sha256}\n")
    text = sources.read_text(encoding="utf-8")  # ... in an entry after the last December file
    last_december = _entry_of(text, "dados-sisdepen-jul-dez-2020.xlsx")
    sources.write_text(text.replace(last_december, last_december + added_entry), encoding="utf-8")
    claims.write_text(committed_claims, encoding="utf-8")  # 3. the claims that follow the new semester
    after = built_copy.run(".venv/bin/dvc repro", copy, env)  # 4. build, then the changes report
    assert after.returncode == 0, after.stdout[-4000:]
    assert "Running stage 'ingest_sisdepen'" in after.stdout
    # Only the new file is parsed; the other eleven semesters come from the parsed-file cache.
    assert "12 semester files: 11 read from the cache, 1 to parse" in after.stdout, after.stdout[-4000:]
    assert f"parsed 1/1 {SEMESTER_FILE}" in after.stdout
    # The country profiles cite the UNODC data (and Brazil's, tab-01's note on its 2020 count, which the new semester
    # does not change): none is executed again (the guide says so).
    assert "profiles: 0 executed, 135 unchanged" in after.stdout, after.stdout[-4000:]
    assert "profiles: 0 executed, 135 unchanged" in GUIDE.read_text(encoding="utf-8").replace("\n   ", " ")
    changes = built_copy.run(".venv/bin/python -m pipeline.changes", copy, env)
    assert changes.returncode == 0, changes.stdout[-4000:]
    report = _changes_tables((copy / "reports" / "changes.md").read_text(encoding="utf-8"))

    # Rows added: exactly the semester's SISDEPEN rows of the long table.
    table = pd.read_csv(copy / "data" / "processed" / "indicators.csv", dtype={"period": str})
    semester_rows = table[(table["source"] == "sisdepen") & (table["period"] == PERIOD)]
    expected_added = {f"{r.country}/{r.source}/{r.indicator}/{r.sex}/{r.period}" for r in semester_rows.itertuples()}
    assert _keys(report.get("Rows added", [])) == expected_added
    assert len(expected_added) == ROWS_ADDED
    assert report.get("Rows removed", []) == []
    # No other row moves: every SISDEPEN row is one semester's (no long-table row spans to the last semester).
    assert report.get("Changed values", []) == [] and report.get("Same value, another definition", []) == []
    # Claims whose computed value moved: the one whose key now names the new semester (its range's lower end, the
    # women's drug-law share of incidences, 57.67 in 2021-06 -> 56.89); its verdict stays.
    claims_moved = {row[0]: row[1:3] + row[5:8]
                    for row in report["Claims whose verdict, caveat or computed value moved"]}
    assert claims_moved == {"lac-women-drug-share-range": [
        "computed value", "40 to even 80 percent", "partly checked (counts Brazil's offence records, not people)",
        "partly checked (counts Brazil's offence records, not people)", "partly checked"]}
    # The headline numbers of the latest semester, and nothing else.
    metrics = {row[0]: row[2:4] for row in report["Metrics that changed"]}
    assert metrics == {"sisdepen-latest-period.BRA": ["2021-06", "2021-12"],
                       "sisdepen-men-drug-law-share-pct.BRA": ["30.3", "30.4"],
                       "sisdepen-women-drug-law-share-pct.BRA": ["57.7", "56.9"],
                       "sisdepen-women-electronic-monitoring.BRA": ["8,845", "8,543"],
                       "sisdepen-women-in-cells.BRA": ["29,433", "29,843"]}
    # The data-quality findings the new semester brings: coverage (6), per_capita (MA, 2) and monitoring_in_cell
    # (SP's "MONITORAMENTO ELETRÔNICO - CELA FÍSICA" units, which first appear in 2021-12: 2); and unit_jump, whose
    # neighbouring semesters it extends: 5 state-semesters appear (among them units whose 2021-12 confirms or
    # contradicts 2021-06), DF 2021-06 disappears (2021-12 confirms its level: no longer an unconfirmed last semester), and
    # RJ 2021-06 changes (its neighbours are now 2020-12 and 2021-12). RJ 2020-12 does not change: its jail Cotrin Neto,
    # renamed in 2020-12 ('SEAPCN' became 'SEAP/CN') and followed across its new name, is compared with 2020-06 and
    # 2021-06 with or without 2021-12, so the rule finds the entry that corrects it (rj-2020-12-cotrin-neto-male-people)
    # either way. MG 2021-06's jail Carangola I, renamed in 2020-12 ('PRESIDIO DE CARANGOLA') and followed across its
    # new name, is found without 2021-12 too: by unit_jump as its last semester (938 men against 101 in 2020-06 and
    # 2020-12), and by the two-counts rule (105 by age group); both findings change (2021-12 becomes a neighbour), as
    # Ceará's Caridade's does. The two-counts rule finds 2 rows more: Acre's
    # 2021-12, and Acre's women's unit of Tarauacá in 2021-06, which has no earlier semester to compare until 2021-12.
    # The copy rule finds 5 rows in 2021-12 (Minas Gerais's two jails, and Paraíba's and Pernambuco's pseudo-units of
    # home detention given their prison's counts), and 3 of June 2021 change (each unit's people in the semester after).
    # The repeat rule finds 2 rows in 2021-12 (Rio de Janeiro's Instituto Penal Vicente Piragibe, 5,085 men, and São
    # Paulo's Itapetininga, 231 men, as in June 2021), and its row of June 2021 changes (the state's people in the
    # semester after). The rule for the same numbers under other legal situations finds 1 row in 2021-12 (Minas
    # Gerais's Ribeirão das Neves I, 672 men, 3 of them moved from the semi-open to the closed regime), and its row of
    # June 2021 (Pará's Salinópolis) changes (the state's people in the semester after). The offence-repeat rule finds
    # 4 rows in 2021-12 (units whose block 5.14 is June 2021's). The absent-unit rule finds 2: Rio de Janeiro's Oscar
    # Stevenson, missing from 2020-12 and 2021-06, is listed again in 2021-12 (517 women), which closes its gap.
    quality = (copy / "reports" / "changes.md").read_text(encoding="utf-8")
    assert "### `tab-22-brazil-data-quality` — appeared: 31; disappeared: 1; changed: 9" in quality
    assert "| appeared | unit_offence_repeat | BA | 2021-12 | all_offence_incidences | male | 542 |" in quality
    assert "| appeared | unit_repeat_moved | MG | 2021-12 | people_in_cells | male | 672 |" in quality
    assert "| changed | unit_repeat_moved | PA | 2021-06 | people_in_cells | male | 146 |" in quality
    assert "| appeared | unit_repeat | RJ | 2021-12 | people_in_cells | male | 5,085 |" in quality
    assert "| changed | unit_repeat | SE | 2021-06 | people_in_cells | male | 430 |" in quality
    assert "| appeared | unit_copy | PE | 2021-12 | people_domiciliary | female | 448 |" in quality
    assert "| RJ | 2020-12 | people_in_cells | male |" not in quality  # Cotrin Neto's jump, found either way
    assert "| appeared | unit_absent | RJ | 2020-12 | people_in_cells | female | 713 |" in quality
    assert "| appeared | unit_absent | RJ | 2021-06 | people_in_cells | female | 713 |" in quality
    assert "| changed | unit_jump | MG | 2021-06 | people_in_cells | male | 938 |" in quality
    assert "| changed | unit_count_gap | MG | 2021-06 | people_in_cells | male | 938 |" in quality
    assert "| appeared | unit_count_gap | AC | 2021-06 | people_in_cells | female | 184 |" in quality
    assert "| disappeared | known_error | MG |" not in quality
    assert quality.count("### `tab-") == 1
    # The one pin and the one fetched file.
    pins = [rows for heading, rows in report.items() if heading.startswith(("Pins in", "Files fetched"))]
    assert [[row[:3] for row in rows] for rows in pins] == [[["sisdepen", f"sisdepen/{SEMESTER_FILE}", "added"]],
                                                            [["sisdepen", SEMESTER_FILE, "added"]]]

    # With the semester back, the project is the committed one, byte for byte.
    assert sources.read_text(encoding="utf-8") == committed_sources
    outputs = [name for name in built_copy.project_files()
               if name.startswith(("figures/", "reports/", "data/processed/")) or name == "dvc.lock"]
    differ = [name for name in outputs if not (copy / name).is_file() or
              not filecmp.cmp(paths.ROOT / name, copy / name, shallow=False)]
    assert differ == []


def _writable(folder: Path) -> None:
    """`folder` and everything in it writable by its owner, as a folder of one's own is (a copy keeps the modes of
    a read-only mirror, which only root could then change)."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _paths_outside_mirror() -> list[str]:
    import yaml

    registry = yaml.safe_load(paths.SOURCES.read_text(encoding="utf-8"))["sources"]
    return [f["path"] for source in registry.values() for f in source.get("files", [])
            if f.get("path", "").startswith("../")]


def _entry_of(sources_text: str, name: str) -> str:
    """A SISDEPEN file's entry in data/sources.yaml, as written there (path, url, bytes, sha256)."""
    match = re.search(rf"      - path: sisdepen/{re.escape(name)}\n(?:        .*\n){{3}}", sources_text)
    assert match, f"{name} is not pinned in data/sources.yaml"
    return match.group(0)

