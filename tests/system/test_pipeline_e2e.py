"""End to end: a clean copy of the repository rebuilds every committed output, byte for byte.

The copy gets the tracked files only (no data/raw, no DVC cache), its committed outputs are deleted, and
`make repro`'s runner builds it from the mirror. Every output must come back identical to the committed one, dvc.lock
must not change, and a plain `dvc repro` after it must have nothing to do. The copy is the one rebuild the system tests
share (tests/system/faults/rebuild.py, the `rebuild` fixture of tests/system/conftest.py).
"""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import dvc_yaml, paths, settings

OUTPUT_FOLDERS = ("figures", "reports", "data/processed")
# Committed reports that are not pipeline outputs: written by `python -m tests.system.faults.report` and `make bench`.
NOT_PIPELINE_OUTPUTS = ("reports/faults.md", "reports/benchmarks.md")


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _project_files() -> list[str]:
    """The files git tracks (as they are in the work tree): what a clean clone would hold."""
    listed = _git("ls-files", "--cached", "-z", cwd=paths.ROOT)
    return sorted(f for f in listed.split("\0") if f and (paths.ROOT / f).is_file())


def committed_outputs() -> list[str]:
    """The committed files a clean build must give back byte for byte."""
    folders = tuple(f + "/" for f in OUTPUT_FOLDERS)
    return [f for f in _project_files() if f.startswith(folders) and f not in NOT_PIPELINE_OUTPUTS]


def _copy_without_outputs(destination: Path) -> None:
    for name in _project_files():
        if name.startswith(tuple(f + "/" for f in OUTPUT_FOLDERS)):
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.ROOT / name, target)
    _git("init", "-q", cwd=destination)
    _git("add", "-A", cwd=destination)
    _git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", "copy", cwd=destination)


@pytest.mark.e2e
def test_clean_copy_rebuilds_every_committed_output(rebuild):
    copy, first, second = rebuild.copy, rebuild.first, rebuild.second
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert sections_read(rebuild.params_log) == sections_declared(copy)

    committed = committed_outputs()
    rebuilt = sorted(str(p.relative_to(copy)) for folder in OUTPUT_FOLDERS
                     for p in (copy / folder).rglob("*") if p.is_file())
    assert rebuilt == committed
    mismatched = [f for f in committed if not filecmp.cmp(paths.ROOT / f, copy / f, shallow=False)]
    assert mismatched == [], "outputs differ from the committed ones: run `make repro` and commit"
    assert (copy / "dvc.lock").read_text() == (paths.ROOT / "dvc.lock").read_text()

    assert second.returncode == 0 and "Data and pipelines are up to date." in second.stdout
    assert "Running stage" not in second.stdout

    # The mirror is read-only to the pipeline.
    assert rebuild.mirror_touched == []


def sections_read(log: Path) -> dict[tuple, set]:
    """The sections of params.yaml each command of the rebuild read (logged by pipeline.params)."""
    read: dict[tuple, set] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        read.setdefault(tuple(entry["command"]), set()).add(entry["section"])
    return read


def sections_declared(copy: Path) -> dict[tuple, set]:
    """The sections each stage of dvc.yaml declares, by the command it runs (only the stages that declare some)."""
    declared = {}
    for name, body in dvc_yaml.stages().items():
        stage = body.get("do", body)
        items = body.get("foreach", [None])
        sections = set()
        for entry in stage.get("params", []):
            sections |= set(settings.SECTIONS) if isinstance(entry, dict) else {entry}
        for item in items:
            words = stage["cmd"].replace("${item}", str(item)).split()
            module = copy.joinpath(*words[2].split("."))
            script = module.with_suffix(".py") if module.with_suffix(".py").is_file() else module / "__main__.py"
            if sections:
                declared[(script.relative_to(copy).as_posix(), *words[3:])] = sections
    return declared
