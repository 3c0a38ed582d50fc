"""Shared by the changes-report tests: a temporary copy of the project with its own git history, and the
command run inside it as a user runs it (never in the work tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import paths

# What `python -m pipeline.changes` reads: the code, the hand-kept data, the committed outputs it compares.
COPIED = ("pipeline/", "data/", "reports/tables/", "reports/metrics/", "params.yaml", "dvc.yaml", "dvc.lock",
          "pyproject.toml", ".gitignore", ".dvc/config")
MANUSCRIPT = paths.RAW / "manuscript" / "justice-is-setting-them-free.txt"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


def make_project_copy(destination: Path) -> Path:
    """The project's files as they are in the work tree (tracked, and new ones git does not ignore) under
    COPIED, committed in a fresh git repository: its HEAD is the work tree's state."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=paths.ROOT).split("\0")
    for name in filter(None, listed):
        if name.startswith(COPIED) and (paths.ROOT / name).is_file() and not name.startswith("data/raw/"):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(paths.ROOT / name, destination / name)
    git("init", "-q", cwd=destination)
    commit_all(destination, "baseline")
    return destination


def run_changes(copy: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m pipeline.changes ARGS` inside the copy, with the manuscript the work tree fetched."""
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                        "BRIEFING_MANUSCRIPT": str(MANUSCRIPT)}
    env.pop("BRIEFING_STAGING_DIR", None)
    return subprocess.run([sys.executable, "-m", "pipeline.changes", *args], cwd=copy, env=env,
                          capture_output=True, text=True)


@pytest.fixture
def project_copy(tmp_path, raw_source) -> Path:
    raw_source("manuscript")
    return make_project_copy(tmp_path / "project")
