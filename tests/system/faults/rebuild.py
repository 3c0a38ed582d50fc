"""One clean rebuild of the whole pipeline in a temporary copy, shared by every system test that needs a built
project: the end-to-end, determinism, interrupted-run and user-path tests (tests/system/conftest.py's `rebuild`).

The copy is the clean clone tests/system/test_pipeline_e2e.py describes (tracked files, no outputs, no raw data,
DVC fed from the mirror). `make repro`'s runner (`python -m pipeline.repro`, two stages at a time) builds it once,
as a researcher's first run (`make repro`, README) does; a plain `dvc repro` after it must have nothing to do, so DVC
itself finds every stage the runner recorded up to date. (Plain `dvc repro` runs the Brazil and Argentina branches,
the long table, the claims and the report in the user-path, adding-data and README tests; run cold over every stage,
it would add DVC's own bookkeeping, about 1.5 CPU-seconds a stage, which the runner pays once.)

The interruption is then tested on one stage of that built copy (`interrupt_one_stage`), not on a second
full rebuild: the stage's output is removed, `dvc repro` is killed (SIGKILL, the whole process group: DVC,
papermill and the kernel) while the stage runs, and run again, which must rerun just that stage and give back the
committed bytes.
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

NOTEBOOK_COMMAND = "-m pipeline.run"  # in the line DVC prints for a notebook stage, whichever python runs it
SECONDS_INTO_THE_STAGE = 3


@dataclass
class Rebuild:
    copy: Path
    first: subprocess.CompletedProcess  # the clean build by make repro's runner
    second: subprocess.CompletedProcess  # a plain `dvc repro` after it, which must have nothing to do
    params_log: Path  # the params.yaml sections each command of the first run read (pipeline.params' log)
    mirror_touched: list[str]  # files of the mirror whose modification time changed (must be none)


@dataclass
class Interrupted:
    stage: str
    killed_during: str  # the command running when `dvc repro` was killed
    first: str  # output of the killed run
    output_after_kill: bool  # whether the stage's removed output existed after the kill (it must not)
    staging_left: list[str]  # staging folders left once the resumed run finished (the killed one's removed)
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
    """The clean rebuild, made once per test session whichever test asks first (the tests that use it are marked
    e2e; make test runs them in one pytest process of their own, not spread over xdist workers)."""
    if "rebuild" not in _SHARED:
        _SHARED["rebuild"] = clean_rebuild(tmp_path_factory.mktemp("rebuild"))
    return _SHARED["rebuild"]


def _dvc() -> str:
    return str(Path(sys.executable).with_name("dvc"))


def clean_rebuild(workdir: Path) -> Rebuild:
    from pipeline import params

    copy = workdir / "repo"
    make_copy(copy)
    mirror_before = {p: p.stat().st_mtime_ns for p in fetch.mirror_dir().rglob("*") if p.is_file()}
    env = environment() | {params.READ_LOG_ENV: str(workdir / "params-read.jsonl")}
    first = subprocess.run([sys.executable, "-m", "pipeline.repro"], cwd=copy, env=env | {"PYTHONUNBUFFERED": "1"},
                           capture_output=True, text=True)  # as `make repro` runs it
    second = subprocess.run([_dvc(), "repro"], cwd=copy, env=environment(), capture_output=True, text=True)
    mirror_after = {p: p.stat().st_mtime_ns for p in fetch.mirror_dir().rglob("*") if p.is_file()}
    touched = sorted(str(p) for p in mirror_before.keys() | mirror_after.keys()
                     if mirror_before.get(p) != mirror_after.get(p))
    return Rebuild(copy, first, second, workdir / "params-read.jsonl", touched)


def stage_outputs(copy: Path, stage: str) -> list[Path]:
    """The outputs dvc.yaml declares for `stage` (a stage without `foreach`)."""
    import yaml

    body = yaml.safe_load((copy / "dvc.yaml").read_text())["stages"][stage]
    return [copy / (next(iter(out)) if isinstance(out, dict) else out) for out in body.get("outs", [])]


def interrupt_one_stage(copy: Path, stage: str) -> Interrupted:
    """Remove the notebook stage's outputs, kill `dvc repro` while the stage runs, run it again twice."""
    removed = stage_outputs(copy, stage)
    for path in removed:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    env = environment()
    process = subprocess.Popen([_dvc(), "repro"], cwd=copy, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines, killed_during = [], ""
    for line in process.stdout:
        lines.append(line)
        if NOTEBOOK_COMMAND in line and line.startswith(">"):
            killed_during = line.strip()
            time.sleep(SECONDS_INTO_THE_STAGE)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.stdout.close()
    process.wait()
    after_kill = any(path.exists() for path in removed)
    second = subprocess.run([_dvc(), "repro"], cwd=copy, env=env, capture_output=True, text=True)
    staging = sorted(p.name for p in copy.glob(".staging-*"))
    third = subprocess.run([_dvc(), "repro"], cwd=copy, env=env, capture_output=True, text=True)
    return Interrupted(stage, killed_during, "".join(lines), after_kill, staging, second, third)


def outputs(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for folder in e2e.OUTPUT_FOLDERS
                  for p in (root / folder).rglob("*") if p.is_file())
