"""Cold, no-op and selective rebuilds: `dvc repro` in fresh copies of the repository, from the mirror.

Each copy holds the files git tracks (as in the work tree) minus the committed outputs, and no DVC cache,
so the first `dvc repro` fetches and rebuilds everything — what a researcher gets on a fresh clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.common import ROOT, Section, Target, Timing

OUTPUT_FOLDERS = ("figures", "reports", "data/processed")
COLD_TARGET_S, NOOP_TARGET_S = 90.0, 3.0
SELECTIVE_PARAM = ("brazil", "outlier_treatment", "keep")  # section, key, the value the copy changes it to
# What a Brazil parameter may rerun: its branch and every stage downstream of it (from dvc.yaml's graph).
BRAZIL_AND_DOWNSTREAM = {"brazil", "brazil_figures", "brazil_notebook", "regional", "regional_figures",
                         "regional_notebook", "indicators", "claims", "report"}


def measure(repeat: int, quick: bool, mirror: Path) -> tuple[Section, Path]:
    """Time the rebuilds; return the section and one rebuilt copy (the notebook benchmark reuses it)."""
    targets = ["ingest_unodc_prisons"] if quick else []  # quick: one stage (and the fetch it needs)
    section_key = SELECTIVE_PARAM[:2]
    original = yaml.safe_load((ROOT / "params.yaml").read_text())[section_key[0]][section_key[1]]
    cold, noop, selective, reran, cold_stages = [], [], [], {}, {}
    copy = None
    for _ in range(repeat):
        if copy:
            remove_copy(copy)  # one copy on disk at a time; the last is kept for the notebook benchmark
        copy = _fresh_copy()
        seconds, cold_stages = _repro(copy, mirror, targets)
        cold.append(seconds)
        noop.append(_repro(copy, mirror, targets)[0])
        _set_param(copy / "params.yaml", *SELECTIVE_PARAM)
        seconds, reran = _repro(copy, mirror, targets)
        selective.append(seconds)
        if not quick:  # leave the copy as committed for the notebook benchmark
            _set_param(copy / "params.yaml", section_key[0], section_key[1], original)
            _repro(copy, mirror, targets)
    cold_t, noop_t, selective_t = Timing(cold), Timing(noop), Timing(selective)
    startup = Timing([_dvc_startup() for _ in range(repeat)])
    scope = f"`dvc repro {' '.join(targets)}` (quick mode: one stage)" if quick else "`dvc repro` (all stages)"
    unexpected = sorted(set(reran) - BRAZIL_AND_DOWNSTREAM)
    section, key, value = SELECTIVE_PARAM
    lines = [
        f"Scope: {scope}, from the mirror, in a fresh copy of the tracked files with an empty DVC cache; "
        f"one copy per repetition.",
        "",
        "| Rebuild | Median (min–max, runs) |",
        "|---|---|",
        f"| Cold: fetch + every stage | {cold_t.text()} |",
        f"| No-op: `dvc repro` again | {noop_t.text()} |",
        f"| (dvc's own start-up: `dvc version`) | {startup.text()} |",
        f"| Selective: `{section}.{key}` set to `{value}` | {selective_t.text()} |",
        "",
        f"Stages the selective rebuild reran ({len(reran)}): "
        + (", ".join(f"`{s}` ({t:.1f} s)" for s, t in reran.items()) or "none") + ". "
        + ("Every one is the Brazil branch or downstream of it." if reran and not unexpected
           else "(Quick mode: the Brazil branch is not among the targets.)" if not unexpected
           else f"**Outside the Brazil branch and its downstream: {unexpected}.**"),
        "",
        "Where the cold rebuild's time goes (last repetition; slowest stages first, from dvc's output):",
        "",
        "| Stage | Seconds |",
        "|---|---|",
        *(f"| `{s}` | {t:.1f} |" for s, t in sorted(cold_stages.items(), key=lambda item: -item[1])[:10]),
    ]
    targets_met = [
        Target("Cold rebuild", f"≤ {COLD_TARGET_S:.0f} s median (2 cores)", f"{cold_t.median:.1f} s",
               cold_t.median <= COLD_TARGET_S),
        Target("No-op rebuild", f"≤ {NOOP_TARGET_S:.0f} s", f"{noop_t.median:.1f} s", noop_t.median <= NOOP_TARGET_S),
        Target("Selective rebuild", "only the Brazil branch and downstream rerun",
               f"{len(reran)} stages, {selective_t.median:.1f} s", not unexpected and (quick or "brazil" in reran)),
    ]
    return Section("Rebuilds (dvc repro)", lines, targets_met), copy


def remove_copy(copy: Path) -> None:
    """Delete a copy made by _fresh_copy (and the `shared` link beside it, not what it points to)."""
    (copy.parent / "shared").unlink()
    shutil.rmtree(copy.parent)


def _fresh_copy() -> Path:
    """The tracked files without committed outputs, as a new git repository; ../shared beside it.

    dvc.yaml reads one file through ../shared (the manuscript), so the copy gets a `shared` link next to it:
    read only, as in the project's own layout."""
    base = Path(tempfile.mkdtemp(prefix="bench-repo-"))
    (base / "shared").symlink_to(ROOT.parent / "shared")
    copy = base / "repo"
    listed = _git("ls-files", "--cached", "-z", cwd=ROOT).split("\0")
    for name in sorted(f for f in listed if f and (ROOT / f).is_file()):
        if name.startswith(tuple(folder + "/" for folder in OUTPUT_FOLDERS)):
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    _git("init", "-q", cwd=copy)
    _git("add", "-A", cwd=copy)
    _git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "copy", cwd=copy)
    return copy


def _repro(copy: Path, mirror: Path, targets: list[str]) -> tuple[float, dict[str, float]]:
    """Seconds of one `dvc repro`, and the stages it ran (in order) with the seconds each took.

    A stage's seconds run from dvc's "Running stage" line to the next one (or to the end): dvc's own
    bookkeeping between stages is charged to the stage before."""
    dvc = Path(sys.executable).with_name("dvc")
    env = os.environ | {"BRIEFING_DATA_MIRROR": str(mirror),
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    started = time.perf_counter()
    output, stages, stage, stage_started = [], {}, None, started
    with subprocess.Popen([str(dvc), "repro", *targets], cwd=copy, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            output.append(line)
            running = re.search(r"Running stage '([^']+)'", line)
            if running:
                now = time.perf_counter()
                if stage:
                    stages[stage] = now - stage_started
                stage, stage_started = running.group(1), now
    seconds = time.perf_counter() - started
    if stage:
        stages[stage] = started + seconds - stage_started
    if process.returncode != 0:
        raise RuntimeError(f"dvc repro failed in {copy}:\n{''.join(output)[-4000:]}")
    return seconds, stages


def _dvc_startup() -> float:
    """Seconds dvc takes to start and exit: the floor under every `dvc repro`."""
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("dvc")), "version"], check=True, capture_output=True)
    return time.perf_counter() - started


def _set_param(params_file: Path, section: str, key: str, value) -> None:
    """Change one value in the copy's params.yaml, keeping every other line (and comment) as it is."""
    text = params_file.read_text()
    current = yaml.safe_load(text)[section][key]
    pattern = re.compile(rf"(^{section}:\n(?:[ ].*\n|\n)*?  {key}: ){re.escape(str(current))}", re.MULTILINE)
    changed, count = pattern.subn(rf"\g<1>{value}", text)
    if count != 1 or yaml.safe_load(changed)[section][key] != value:
        raise RuntimeError(f"could not set {section}.{key} in {params_file}")
    params_file.write_text(changed)


def _git(*args, cwd) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout
