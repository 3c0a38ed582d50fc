"""The baseline of the changes report: a git revision of a tiny repository built here, a snapshot folder, and the
fetched files of a revision found through DVC's local cache."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipeline.changes import baseline
from pipeline.errors import PipelineError

from conftest import commit_all, git  # noqa: I001 — tests/changes is on sys.path

INDICATORS = "data/processed/indicators.csv"


def write(root, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    """Two commits: the first with one quality table and a long table of one row, the second with two rows and
    a second table."""
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", cwd=root)
    write(root, INDICATORS, "country,value\nARG,1\n")
    write(root, "reports/tables/tab-02-x-data-quality.csv", "rule,value\na,1\n")
    write(root, "reports/tables/tab-01-women-held.csv", "country\nARG\n")
    first = commit_all(root, "first")
    write(root, INDICATORS, "country,value\nARG,1\nBRA,2\n")
    write(root, "reports/tables/tab-23-x-reconciliation.csv", "check,value\nb,2\n")
    second = commit_all(root, "second: a subject line")
    return root, first, second


def test_a_git_revision_reads_its_committed_files(repo):
    root, first, second = repo
    head, old = baseline.GitRevision("HEAD", root), baseline.GitRevision(first, root)
    assert head.read(INDICATORS) == "country,value\nARG,1\nBRA,2\n"
    assert old.read(INDICATORS) == "country,value\nARG,1\n"
    assert old.read("reports/tables/tab-23-x-reconciliation.csv") is None
    assert baseline.findings_tables(old.table_names()) == ["tab-02-x-data-quality"]
    assert baseline.findings_tables(head.table_names()) == ["tab-02-x-data-quality", "tab-23-x-reconciliation"]
    assert head.facts | {"date": ""} == {"kind": "git", "revision": "HEAD", "commit": second[:7], "date": "",
                                         "subject": "second: a subject line"}
    assert baseline.GitRevision("HEAD~1", root).read(INDICATORS) == old.read(INDICATORS)


def test_an_unknown_revision_is_one_clear_message(repo):
    root, _, _ = repo
    with pytest.raises(PipelineError, match=r"'v9\.9' is not a git revision of this repository — give a commit"):
        baseline.GitRevision("v9.9", root)


def test_outside_a_git_repository_the_message_says_to_use_a_snapshot(tmp_path):
    with pytest.raises(PipelineError, match="not a git repository, so a git revision cannot be the baseline"):
        baseline.GitRevision("HEAD", tmp_path)


def test_a_saved_snapshot_is_the_work_tree_of_the_day(repo, tmp_path):
    root, _, _ = repo
    write(root, "data/raw/sneep/provenance.json", json.dumps({"files": [{"file": "sneep-2022.csv"}]}))
    write(root, "params.yaml", "brazil:\n  outlier_treatment: exclude\n")
    written = baseline.save_snapshot(tmp_path / "before", ["sneep", "sisdepen"], now=baseline.WorkTree(root))
    assert written == [INDICATORS, "params.yaml", "reports/tables/tab-02-x-data-quality.csv",
                       "reports/tables/tab-23-x-reconciliation.csv", "data/raw/sneep/provenance.json"]
    snapshot = baseline.Snapshot(tmp_path / "before")
    assert snapshot.read(INDICATORS) == "country,value\nARG,1\nBRA,2\n"
    assert snapshot.provenance("sneep") == ({"files": [{"file": "sneep-2022.csv"}]}, "")
    assert snapshot.provenance("sisdepen") == (None, "not fetched")
    assert snapshot.facts["kind"] == "snapshot" and snapshot.facts["commit"]
    with pytest.raises(PipelineError, match="already exists and is not empty"):
        baseline.save_snapshot(tmp_path / "before", [], now=baseline.WorkTree(root))
    with pytest.raises(PipelineError, match="not a snapshot folder"):
        baseline.Snapshot(root)
    with pytest.raises(PipelineError, match="either a git revision"):
        baseline.baseline("HEAD", tmp_path / "before")


def cache(root, text: str) -> str:
    md5 = hashlib.md5(text.encode()).hexdigest()
    write(root, f".dvc/cache/files/md5/{md5[:2]}/{md5[2:]}", text)
    return md5


def test_a_revision_finds_its_fetched_files_in_dvc_s_cache(repo):
    root, _, _ = repo
    record = json.dumps({"files": [{"file": "a.xlsx", "sha256": "1" * 64}]})
    listing = json.dumps([{"md5": cache(root, record), "relpath": "provenance.json"}])
    folder = cache(root, listing)
    (root / ".dvc/cache/files/md5" / folder[:2] / folder[2:]).rename(
        root / ".dvc/cache/files/md5" / folder[:2] / (folder[2:] + ".dir"))
    stale = "0" * 32 + ".dir"  # an entry dvc.lock kept for a stage dvc.yaml no longer declares
    write(root, "dvc.yaml", "stages:\n  fetch:\n    foreach: [sisdepen]\n    do:\n      cmd: fetch ${item}\n")
    write(root, "dvc.lock", "schema: '2.0'\nstages:\n"
                            f"  old_fetch@sisdepen:\n    outs:\n    - path: data/raw/sisdepen\n      md5: {stale}\n"
                            f"  fetch@sisdepen:\n    outs:\n    - path: data/raw/sisdepen\n      md5: {folder}.dir\n")
    commit_all(root, "lock")
    revision = baseline.GitRevision("HEAD", root)
    assert revision.provenance("sisdepen") == (json.loads(record), "")
    assert revision.provenance("sneep") == (None, "not fetched")
    (root / ".dvc/cache/files/md5" / folder[:2] / (folder[2:] + ".dir")).unlink()
    found, why = revision.provenance("sisdepen")
    assert found is None and why.startswith("not in DVC's local cache")
