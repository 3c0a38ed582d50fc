"""One rebuild of the whole pipeline in a temporary copy, shared by the interrupted-run and determinism tests.

The copy is made as tests/system/test_pipeline_e2e.py makes its clean clone (tracked files, no outputs, no raw data,
DVC fed from the mirror). `dvc repro` is killed (SIGKILL, the whole process group: DVC, papermill and the
kernel) while the first notebook stage runs, then run again to the end. Its outputs are compared byte for
byte with the committed ones, which the e2e test's own clean rebuild also matches: two rebuilds in separate
copies, identical.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from system import test_pipeline_e2e as e2e

from pipeline import fetch, paths

NOTEBOOK_COMMAND = "bin/python -m pipeline.run"  # as dvc.yaml writes it (pipeline.dvc_yaml.command)
SECONDS_INTO_THE_STAGE = 3


@dataclass
class Rebuild:
    copy: Path
    killed_during: str  # the command running when the first `dvc repro` was killed
    first: str  # output of the killed run
    second: subprocess.CompletedProcess  # the run that finished
    third: subprocess.CompletedProcess  # a further `dvc repro`, which must have nothing to do


def environment() -> dict:
    env = os.environ | {"BRIEFING_DATA_MIRROR": str(fetch.mirror_dir()),
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    return env


def make_copy(destination: Path) -> None:
    """The e2e clean clone, plus the work tree's new project files that git does not track yet (code,
    notebooks, hand-kept data; not outputs or tests): a clone has them once they are committed, and without
    them the copy's dvc.yaml could name files it lacks."""
    e2e._copy_without_outputs(destination)
    untracked = e2e._git("ls-files", "--others", "--exclude-standard", "-z", cwd=paths.ROOT)
    skipped = tuple(f + "/" for f in (*e2e.OUTPUT_FOLDERS, "tests", "bench", "data/raw", "data/interim"))
    for name in filter(None, untracked.split("\0")):
        if not name.startswith(skipped) and not (destination / name).exists():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(paths.ROOT / name, destination / name)


_SHARED: dict[str, Rebuild] = {}


def shared(tmp_path_factory) -> Rebuild:
    """The interrupted rebuild, made once per test session whichever test asks first."""
    if "rebuild" not in _SHARED:
        _SHARED["rebuild"] = interrupted_rebuild(tmp_path_factory.mktemp("interrupted"))
    return _SHARED["rebuild"]


def interrupted_rebuild(workdir: Path) -> Rebuild:
    copy = workdir / "repo"
    make_copy(copy)
    env = environment()
    dvc = str(Path(sys.executable).with_name("dvc"))
    process = subprocess.Popen([dvc, "repro"], cwd=copy, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines, killed_during = [], ""
    for line in process.stdout:
        lines.append(line)
        if line.lstrip("> ").startswith(NOTEBOOK_COMMAND):
            killed_during = line.strip()
            time.sleep(SECONDS_INTO_THE_STAGE)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    process.wait()
    second = subprocess.run([dvc, "repro"], cwd=copy, env=env, capture_output=True, text=True)
    third = subprocess.run([dvc, "repro"], cwd=copy, env=env, capture_output=True, text=True)
    return Rebuild(copy, killed_during, "".join(lines), second, third)


def outputs(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for folder in e2e.OUTPUT_FOLDERS
                  for p in (root / folder).rglob("*") if p.is_file())
