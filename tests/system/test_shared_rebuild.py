"""`make test`'s build (tests/system/faults/rebuild.py run as a module): the clean copy gives the work tree the built
files it lacks or holds with other bytes, and nothing else; the end-to-end tests' process reads the two runs back
from the folder `make test` names ($BRIEFING_TEST_REBUILD)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from system.faults import rebuild


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_the_clean_copy_gives_the_work_tree_only_what_it_lacks_or_holds_otherwise(tmp_path):
    copy, work_tree = tmp_path / "copy", tmp_path / "work"
    _write(copy, {"figures/a.svg": "a", "figures/es/b.svg": "b", "reports/c.html": "new", "dvc.lock": "lock",
                  "data/raw/sisdepen/d.xlsx": "d", "data/interim/e.parquet": "e", ".dvc/cache/files/md5/ab/cd": "f",
                  "data/interim/logs/kernel.log": "a log", "data/interim/failed/x.ipynb": "a failed notebook",
                  "notebooks/n.ipynb": "code is not given", "params.yaml": "nor are the inputs"})
    _write(work_tree, {"figures/a.svg": "a", "reports/c.html": "old", "reports/faults.md": "not a build's",
                       "dvc.lock": "lock", "notebooks/n.ipynb": "mine", "params.yaml": "mine"})
    unchanged = (work_tree / "figures" / "a.svg").stat()
    given = rebuild.give_to_the_work_tree(copy, work_tree)
    assert sorted(given) == [".dvc/cache/files/md5/ab/cd", "data/interim/e.parquet", "data/raw/sisdepen/d.xlsx",
                             "figures/es/b.svg", "reports/c.html"]
    assert (work_tree / "reports" / "c.html").read_text() == "new"
    assert (work_tree / "reports" / "faults.md").read_text() == "not a build's"  # nothing is removed
    assert (work_tree / "notebooks" / "n.ipynb").read_text() == "mine"
    assert not (work_tree / "data" / "interim" / "logs").exists()
    assert not (work_tree / "data" / "interim" / "failed").exists()
    after = (work_tree / "figures" / "a.svg").stat()
    assert (after.st_ino, after.st_mtime_ns) == (unchanged.st_ino, unchanged.st_mtime_ns)  # the same bytes: untouched
    assert not list(work_tree.rglob("*.given"))
    assert rebuild.give_to_the_work_tree(copy, work_tree) == []


def test_the_end_to_end_tests_read_the_rebuild_make_test_made(tmp_path, monkeypatch):
    first = subprocess.CompletedProcess(["python", "-m", "pipeline.repro"], 0, "Running stage 'code':\n", "")
    second = subprocess.CompletedProcess(["dvc", "repro"], 0, "Data and pipelines are up to date.\n", "")
    made = rebuild.Rebuild(tmp_path / "repo", first, second, tmp_path / "params-read.jsonl", [])
    rebuild.save(made, tmp_path)
    monkeypatch.setenv(rebuild.PREBUILT_ENV, str(tmp_path))
    monkeypatch.setattr(rebuild, "_SHARED", {})

    def built_again(workdir, echo=False):
        raise AssertionError("the copy was built again")

    monkeypatch.setattr(rebuild, "clean_rebuild", built_again)
    read = rebuild.shared(tmp_path_factory=None)
    assert (read.copy, read.params_log, read.mirror_touched) == (made.copy, made.params_log, made.mirror_touched)
    for run, written in ((read.first, first), (read.second, second)):
        assert (run.args, run.returncode, run.stdout, run.stderr) == (
            written.args, written.returncode, written.stdout, written.stderr)


def test_make_test_stops_before_building_when_the_work_tree_holds_a_users_microdata(tmp_path, monkeypatch, capsys):
    """The clean copy never holds data/manual/'s files (git ignores them): its outputs would replace the ones the
    user built from them. make test says so and builds nothing."""
    work_tree = tmp_path / "work"
    _write(work_tree, {"data/manual/sneep/README.md": "how to add them", "data/manual/sneep/sneep-2022.csv": "rows"})
    assert rebuild.hand_downloaded(work_tree) == ["data/manual/sneep/sneep-2022.csv"]
    monkeypatch.setattr(rebuild, "hand_downloaded", lambda: ["data/manual/sneep/sneep-2022.csv"])
    monkeypatch.setattr(rebuild, "clean_rebuild", lambda *args, **kwargs: pytest.fail("built"))
    assert rebuild.main([str(tmp_path / "rebuild")]) == 2
    message = capsys.readouterr().out
    assert message.startswith("error: data/manual/sneep/sneep-2022.csv: make test builds a clean copy")
    assert "then put them back and run make repro" in message
