"""A built copy of the project, as a researcher's checkout is after `make repro`: the project's files with the
committed outputs, the fetched sources (data/raw), the interim tables and parsed-file cache (data/interim), DVC's
local cache, and `.venv` (a link to this checkout's). It is a git repository of its own whose one commit holds the
work tree, so `dvc exp run` and the changes report (baseline HEAD) work in it, and `dvc repro` in it has nothing to
do until the copy is changed.

Shared by the README's experiment test and the adding-data guide's test: copying is seconds, a rebuild from
nothing is many minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipeline import paths

# Folders a build leaves that git does not track, copied as they are (not the failed notebooks and logs a
# failed run leaves for the user, nor the staging folders of an interrupted one).
BUILT = ("data/raw", "data/interim", ".dvc/cache")
NOT_COPIED = ("data/interim/failed", "data/interim/logs", ".dvc/tmp")
# A shell as a user opens it: the system's programs only, no venv activated, no project variable.
PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def project_files() -> list[str]:
    """Tracked files and new files git does not ignore (the work tree as it would be committed)."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=paths.ROOT)
    return sorted(f for f in set(listed.split("\0")) if f and (paths.ROOT / f).is_file())


def make(destination: Path) -> Path:
    """Copy the built project to `destination` (a new folder) and commit it there; returns `destination`."""
    for name in project_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.ROOT / name, target)
    skipped = tuple(str(paths.ROOT / name) for name in NOT_COPIED)
    for folder in BUILT:
        if (paths.ROOT / folder).is_dir():
            shutil.copytree(paths.ROOT / folder, destination / folder, dirs_exist_ok=True,
                            ignore=lambda here, names: [n for n in names if os.path.join(here, n).startswith(skipped)])
    (destination / ".venv").symlink_to(paths.ROOT / ".venv", target_is_directory=True)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    commit(destination, "built copy")
    return destination


def commit(copy: Path, message: str) -> None:
    git("add", "-A", cwd=copy)
    git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", message, "--allow-empty",
        cwd=copy)


def plain_environment(**extra: str) -> dict:
    """The environment of a fresh shell: PATH without the venv, none of the project's or pytest's variables."""
    keep = ("HOME", "LANG", "LC_ALL", "TERM", "TMPDIR", "USER")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, "PATH": PLAIN_PATH, **extra}


def run(command: str, copy: Path, env: dict, timeout: int = 1800) -> subprocess.CompletedProcess:
    """`command` as typed in a shell at the copy's root; stdout and stderr together, as the user reads them."""
    return subprocess.run(["/bin/sh", "-c", command], cwd=copy, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)
