"""A no-op `make repro` without DVC (pipeline/up_to_date.py), and the runner's use of it (pipeline/repro.py).

The record's own rules on files in a temporary folder: any move of a recorded file (a byte edited with its size and
modification time put back, a file added deep in a folder, one removed) voids it; a file that changed after the check
began leaves no record; what the check wrote is recorded anyway. Then the runner on a small DVC project with a
cached output: DVC's no-op leaves a record of every file its decision read, the next run says so without DVC, and a
deleted cache object or a parameter edited behind DVC's back sends it to DVC again, which reruns the stage."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dvc_projects import dvc_project

from pipeline import paths, repro, up_to_date


def _edit_behind_the_clock(path: Path, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (same length) in place, and put the modification time back."""
    assert len(old) == len(new)
    before = path.stat()
    with open(path, "r+b") as file:
        text = file.read()
        file.seek(0)
        file.write(text.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "data" / "deep").mkdir(parents=True)
    (tmp_path / "data" / "deep" / "a.csv").write_text("x\n1\n")
    (tmp_path / "params.yaml").write_text("side: 5\n")
    began = time.time_ns() + 2 * up_to_date.MARGIN_NS  # as if the check began long after the files were written
    files = up_to_date.with_contents(tmp_path / "data") + ["params.yaml", "missing.txt"]
    assert up_to_date.record(tmp_path / "record.json", files, began, answer=42) is True
    return tmp_path, files


def test_a_record_holds_while_no_file_moves_and_gives_its_facts(tree):
    root, files = tree
    assert sorted(files) == ["data/", "data/deep/", "data/deep/a.csv", "missing.txt", "params.yaml"]
    kept = up_to_date.unchanged(root / "record.json")
    assert kept["answer"] == 42 and sorted(kept["files"]) == sorted(files) and len(kept["digest"]) == 64
    assert up_to_date.unchanged(root / "record.json") == kept  # reading it changes nothing


@pytest.mark.parametrize("move", ["byte edited, size and time put back", "file added deep in a folder",
                                  "file removed", "missing file created", "file touched"])
def test_any_move_of_a_recorded_file_voids_the_record(tree, move):
    root, _ = tree
    if move.startswith("byte"):
        _edit_behind_the_clock(root / "params.yaml", b"5", b"6")
    elif move.startswith("file added"):
        (root / "data" / "deep" / "b.csv").write_text("x\n")
    elif move == "file removed":
        (root / "data" / "deep" / "a.csv").unlink()
    elif move.startswith("missing"):
        (root / "missing.txt").write_text("")
    else:
        os.utime(root / "params.yaml")
    assert up_to_date.unchanged(root / "record.json") is None


def test_a_file_that_changed_after_the_check_began_leaves_no_record(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "input.txt").write_text("1")
    began = time.time_ns()  # the file was written less than MARGIN_NS before: it may have moved while DVC looked
    (tmp_path / "record.json").write_text("an older record")
    assert up_to_date.record(tmp_path / "record.json", ["input.txt"], began) is False
    assert not (tmp_path / "record.json").exists()  # the older one is gone too
    # Long enough after, it is kept; what the check wrote itself is kept whatever its time.
    (tmp_path / "report.md").write_text("written by the check")
    assert up_to_date.record(tmp_path / "record.json", ["input.txt"], began + 2 * up_to_date.MARGIN_NS,
                             written=["report.md"]) is True
    assert sorted(up_to_date.unchanged(tmp_path / "record.json")["files"]) == ["input.txt", "report.md"]


def test_pythons_compiled_modules_written_into_a_recorded_folder_leave_the_record_as_it_was(tree):
    """The pipeline's folder is a dependency (of the `code` stage): Python adds `__pycache__` to it and its folders
    whenever it first imports a module, which moves their times but nothing DVC reads (.dvcignore)."""
    root, _ = tree
    cache = root / "data" / "deep" / "__pycache__"
    cache.mkdir()
    (cache / "a.cpython-311.pyc").write_bytes(b"compiled")
    (root / "data" / "__pycache__").mkdir()
    assert up_to_date.unchanged(root / "record.json") is not None
    (root / "data" / "deep" / "b.py").write_text("x = 1\n")  # a new module is a change
    assert up_to_date.unchanged(root / "record.json") is None


@pytest.mark.parametrize("move", ["added", "removed"])
def test_a_file_added_or_removed_after_the_folder_was_walked_leaves_no_record(tmp_path, monkeypatch, move):
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n")
    began = time.time_ns() + 2 * up_to_date.MARGIN_NS
    files = up_to_date.with_contents(tmp_path / "data")  # DVC's decision read the folder as it was then ...
    if move == "added":  # ... and a file appears (or goes) before the record is written
        (tmp_path / "data" / "b.csv").write_text("y\n")
    else:
        (tmp_path / "data" / "a.csv").unlink()
    assert up_to_date.record(tmp_path / "record.json", files, began) is False


@pytest.mark.parametrize("text", ["", "{not json", '{"version": 0, "files": {}, "facts": {}}', "[]"])
def test_a_damaged_or_older_record_is_no_record(tmp_path, text):
    (tmp_path / "record.json").write_text(text)
    assert up_to_date.unchanged(tmp_path / "record.json") is None


# A DVC project with a cached output (this project's ingest stages cache theirs in .dvc/cache).
PROJECT = {
    "params.yaml": "side: 5\n",
    "dvc.yaml": textwrap.dedent("""\
        stages:
          side:
            cmd: python -c "import yaml; open('side.txt', 'w').write(str(yaml.safe_load(open('params.yaml'))['side']))"
            params: [side]
            outs: [side.txt]
        """),
}


@pytest.fixture
def project(tmp_path, monkeypatch, capsys):
    folder = dvc_project(tmp_path / "project", PROJECT)
    monkeypatch.setattr(paths, "ROOT", folder)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    monkeypatch.setattr(up_to_date, "MARGIN_NS", 0)  # the files of a run a moment ago count as older than the check
    assert repro.run(jobs=1) == 0
    assert "Running stage 'side'" in capsys.readouterr().out
    assert not paths.up_to_date_record().exists()  # a run that ran a stage keeps no record
    time.sleep(0.05)  # past the kernel's clock tick: the next check begins after every file was written
    assert repro.run(jobs=1) == 0
    assert capsys.readouterr().out == "Data and pipelines are up to date.\n"
    return folder


def _cache_object(folder: Path) -> Path:
    found = [path for path in (folder / ".dvc" / "cache").rglob("*") if path.is_file()]
    assert len(found) == 1
    return found[0]


def test_dvcs_no_op_records_every_file_its_decision_read(project):
    kept = up_to_date.unchanged(paths.up_to_date_record())
    assert kept is not None
    assert {"dvc.yaml", "dvc.lock", "params.yaml", "side.txt", ".dvc/config", ".dvc/config.local"} <= set(kept["files"])
    assert any(path.endswith("dvc/config") and path.startswith("/") for path in kept["files"])  # global, system
    assert paths.relative(_cache_object(project)) in kept["files"]
    assert any(path.endswith("dvc/__init__.py") for path in kept["files"])  # the installed DVC


def test_the_next_run_says_so_without_asking_dvc(project, monkeypatch, capsys):
    monkeypatch.setattr(repro, "run", lambda *args, **kwargs: pytest.fail("asked DVC"))
    repro.main([])
    assert capsys.readouterr().out == repro.NO_FILE_CHANGED + "\n"


@pytest.mark.parametrize("change", ["cache object deleted", "parameter edited behind the clock"])
def test_a_change_dvc_would_see_sends_the_run_to_dvc_which_reruns_the_stage(project, monkeypatch, capsys, change):
    if change.startswith("cache"):
        _cache_object(project).unlink()
    else:
        _edit_behind_the_clock(project / "params.yaml", b"5", b"6")
    asked, run = [], repro.run
    monkeypatch.setattr(repro, "check_shared_inputs", lambda: None)  # this project has no translation table
    monkeypatch.setattr(repro, "run", lambda jobs, fork: asked.append(jobs) or run(jobs, fork))
    with pytest.raises(SystemExit) as exited:
        repro.main(["--jobs", "1"])
    assert exited.value.code == 0 and asked == [1]
    assert "Running stage 'side'" in capsys.readouterr().out
    assert (project / "side.txt").read_text() == ("5" if change.startswith("cache") else "6")
    if change.startswith("cache"):
        assert _cache_object(project).exists()  # DVC put it back
    assert not paths.up_to_date_record().exists()

