"""Small DVC projects for the runner's tests (tests/test_repro.py, tests/test_up_to_date.py)."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_INITIALISED: list[Path] = []  # the repository `dvc init` made, once per test process


def dvc_project(folder: Path, files: dict[str, str]) -> Path:
    """`files` in a new git repository where `dvc init` has run, at `folder`. The repository is made once per test
    process and copied (`git init`, `dvc init` and `dvc config` are a second of work, for some 30 tests)."""
    if not _INITIALISED:
        empty = Path(tempfile.mkdtemp(prefix="dvc-project-")) / "project"
        atexit.register(shutil.rmtree, empty.parent, True)
        empty.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=empty, check=True)
        # As this project's .dvc/config: no usage report, which DVC sends from a process it starts after each command.
        quiet = {**os.environ, "DVC_NO_ANALYTICS": "1"}
        subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=empty, check=True, env=quiet)
        subprocess.run([sys.executable, "-m", "dvc", "config", "core.analytics", "false"], cwd=empty, check=True,
                       env=quiet)
        _INITIALISED.append(empty)
    shutil.copytree(_INITIALISED[0], folder, symlinks=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder
