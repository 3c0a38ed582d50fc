"""One clean rebuild of the whole pipeline in a temporary copy, shared by every system test that needs a built
project: the end-to-end, determinism, interrupted-run and user-path tests (tests/system/conftest.py's `rebuild`).

The copy is the clean clone tests/system/test_pipeline_e2e.py describes (tracked files, no outputs, no raw data,
DVC fed from the mirror). `make repro`'s runner (`python -m pipeline.repro`, two stages at a time) builds it once,
as a researcher's first run (`make repro`, README) does; a plain `dvc repro` after it must have nothing to do, so DVC
itself finds every stage the runner recorded up to date. (Plain `dvc repro` runs the Brazil and Argentina branches,
the long table, the claims and the report in the user-path, adding-data and README tests; run cold over every stage,
it would add DVC's own bookkeeping, about 1.5 CPU-seconds a stage, which the runner pays once.)

`make test` builds it before its tests (`python -m system.faults.rebuild FOLDER`, with tests/ on the path): the clean
build then also gives this work tree its built files (outputs, fetched sources, interim tables), which `make test`
checks against the last commit and the unit tests read, so a fresh clone is built once, not once in its work tree
and again in the copy. The end-to-end set finds that copy through $BRIEFING_TEST_REBUILD; without it (`make
test-e2e`, pytest run by hand) the first test that needs the copy builds it.

The interruption is then tested on one stage of that built copy (`interrupt_one_stage`), not on a second
full rebuild: the stage's output is removed, `dvc repro` is killed (SIGKILL, the whole process group: DVC,
papermill and the kernel) while the stage runs, and run again, which must rerun just that stage and give back the
committed bytes.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from system import built_copy
from system import test_pipeline_e2e as e2e

from pipeline import fetch, paths

PREBUILT_ENV = "BRIEFING_TEST_REBUILD"  # the folder `make test` built the shared clean copy in before its tests
RECORD = "rebuild.json"  # in that folder: how the two runs ended and what they printed
# What the clean copy's build gives the work tree (`make test`): the outputs and dvc.lock git compares, and what a
# built checkout holds that git does not track, as tests/system/built_copy.py copies it: data/raw, data/interim (the
# unit tests read them) and DVC's cache, which holds the outputs dvc.yaml caches (without them DVC finds those
# outputs "not in cache" and reruns their stages); not the logs or failed notebooks a run leaves.
GIVEN_TO_THE_WORK_TREE = (*e2e.OUTPUT_FOLDERS, *built_copy.BUILT, "dvc.lock")
NOT_GIVEN = tuple(f"{folder}/" for folder in built_copy.NOT_COPIED)
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
        prebuilt = os.environ.get(PREBUILT_ENV)
        _SHARED["rebuild"] = (load(Path(prebuilt)) if prebuilt
                              else clean_rebuild(tmp_path_factory.mktemp("rebuild")))
    return _SHARED["rebuild"]


def save(built: Rebuild, workdir: Path) -> None:
    """The rebuild's record, for the pytest process that runs the tests on it (`load`)."""
    runs = {name: {"args": run.args, "returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
            for name, run in (("first", built.first), ("second", built.second))}
    record = {"copy": str(built.copy), "params_log": str(built.params_log), "mirror_touched": built.mirror_touched,
              **runs}
    (workdir / RECORD).write_text(json.dumps(record), encoding="utf-8")


def load(workdir: Path) -> Rebuild:
    record = json.loads((workdir / RECORD).read_text(encoding="utf-8"))
    first, second = (subprocess.CompletedProcess(**record[name]) for name in ("first", "second"))
    return Rebuild(Path(record["copy"]), first, second, Path(record["params_log"]), record["mirror_touched"])


def _dvc() -> str:
    return str(Path(sys.executable).with_name("dvc"))


def clean_rebuild(workdir: Path, echo: bool = False) -> Rebuild:
    """Copy and build; with `echo`, the build's lines are printed as they come (`make test` shows its progress)."""
    from pipeline import params

    copy = workdir / "repo"
    make_copy(copy)
    mirror_before = {p: p.stat().st_mtime_ns for p in fetch.mirror_dir().rglob("*") if p.is_file()}
    env = environment() | {params.READ_LOG_ENV: str(workdir / "params-read.jsonl")}
    command = [sys.executable, "-m", "pipeline.repro"]  # as `make repro` runs it
    with subprocess.Popen(command, cwd=copy, env=env | {"PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if echo:
                print(line, end="", flush=True)
    first = subprocess.CompletedProcess(command, process.returncode, "".join(lines), "")
    second = subprocess.run([_dvc(), "repro"], cwd=copy, env=environment(), capture_output=True, text=True)
    mirror_after = {p: p.stat().st_mtime_ns for p in fetch.mirror_dir().rglob("*") if p.is_file()}
    touched = sorted(str(p) for p in mirror_before.keys() | mirror_after.keys()
                     if mirror_before.get(p) != mirror_after.get(p))
    return Rebuild(copy, first, second, workdir / "params-read.jsonl", touched)


def give_to_the_work_tree(copy: Path, root: Path = paths.ROOT) -> list[str]:
    """Copy the built files of `copy` that `root` lacks or holds with other bytes into `root`; returns their names.
    Nothing of `root` is removed: a build in `root` would have written the same files (tests/system/
    test_determinism.py compares the two builds' outputs)."""
    given = []
    for part in GIVEN_TO_THE_WORK_TREE:
        source = copy / part
        for path in [source] if source.is_file() else sorted(source.rglob("*")):
            name = path.relative_to(copy).as_posix()
            if not path.is_file() or name.startswith(NOT_GIVEN):
                continue
            target = root / name
            if target.is_file() and filecmp.cmp(path, target, shallow=False):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.given")
            shutil.copy2(path, staged)
            staged.replace(target)
            given.append(name)
    return given


def hand_downloaded(root: Path = paths.ROOT) -> list[str]:
    """Files a user dropped into data/manual/ (SNEEP microdata): git ignores them, so the clean copy never has them."""
    return sorted(path.relative_to(root).as_posix() for path in (root / paths.relative(paths.MANUAL)).glob("*/*")
                  if path.name != "README.md")


def main(arguments: list[str]) -> int:
    """`make test`'s build: the shared clean copy in FOLDER, then its built files into this work tree."""
    workdir = Path(arguments[0])
    dropped = hand_downloaded()
    if dropped:
        print(f"error: {', '.join(dropped)}: make test builds a clean copy of this checkout, which leaves out what "
              "git ignores (these files too), and gives this work tree that build's outputs, which would replace the "
              "ones built from them — move them out of data/manual/ while make test runs, then put them back and run "
              "make repro")
        return 2
    built = clean_rebuild(workdir, echo=True)
    save(built, workdir)
    if built.first.returncode != 0:
        print(f"error: the clean build of this checkout failed (exit {built.first.returncode}; its output is above)")
        return built.first.returncode
    given = give_to_the_work_tree(built.copy)
    print(f"make test: the clean copy built in {workdir}; {len(given)} of its files were missing or different here "
          "and are copied into this work tree")
    return 0


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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
