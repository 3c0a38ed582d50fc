"""Country profiles (issue 19): what the profiles add to a cold rebuild, the two ways of executing the notebooks in
parallel (one kernel reused per worker process, or papermill's own kernel per notebook), a rerun after one country's
numbers changed, and every country of the UNODC file (`profiles.countries: [all]`).

Measured in a copy of the repository whose other stages are built (the rebuild benchmark's copy, or, for
`python -m bench --only profiles`, a copy of this work tree's tracked files and built data): each stage's command runs
as `dvc repro` would run it, in its own process, with the profiles' outputs removed first (cold).
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

ADDED_TARGET_S, ALL_TARGET_S = 40.0, 300.0
# The stages issue 19 adds, in the order dvc runs them, and their commands (from dvc.yaml).
STAGES = ("profiles", "profiles_notebook", "datapackage", "values")
# What the profiles' stages read that `--only profiles` copies from this work tree (besides the tracked files).
BUILT = ("data/interim", "data/processed", "reports/tables", "reports/metrics.json")
CHANGED_COUNTRY = "ARG"
QUICK_COUNTRIES = ["ARG"]  # its profile executed when its numbers change, carried over when nothing did
QUICK_LANGUAGES = ["en"]  # quick: one profile, not one per language
_DONE = re.compile(r"profiles: (\d+) executed, (\d+) unchanged")


def measure(repeat: int, copy: Path, quick: bool) -> Section:
    """Time the profiles in `copy` (its other stages built). Quick: one country in one language (one profile), one
    run of each."""
    if quick:
        _set_list(copy, "profiles", "countries", QUICK_COUNTRIES)
        _set_list(copy, "report", "languages", QUICK_LANGUAGES)
        _build_upstream(copy)
    load_before = os.getloadavg()
    commands = _commands(copy)
    # Quick, after the one-stage rebuild: the long table and the claims are not built, so neither are their stages.
    stages = STAGES if (copy / "data" / "processed" / "indicators.csv").is_file() else STAGES[:2]
    added = {stage: [] for stage in stages}
    reused, fresh, one_changed, unchanged_run = [], [], [], []
    executed_after_change = None
    for _ in range(repeat):
        _remove_outputs(copy)  # cold: every output of the four stages removed, then each stage as dvc runs it
        for stage in stages:
            added[stage].append(_run(copy, commands[stage])[0])
        reused.append(added["profiles_notebook"][-1])  # the default executor
        if not fresh:  # once: a kernel per notebook is the slow alternative (about 5x), its ratio is clear at n=1
            _remove_profiles(copy)
            fresh.append(_run(copy, commands["profiles_notebook"] + " --executor fresh")[0])
        numbers = copy / "data" / "interim" / "profiles" / f"{CHANGED_COUNTRY}.json"
        original = numbers.read_text(encoding="utf-8")
        numbers.write_text(original.replace('"unodc_name"', '"unodc_name" ', 1), encoding="utf-8")  # a new hash
        seconds, output = _run(copy, commands["profiles_notebook"])
        one_changed.append(seconds)
        executed_after_change = _DONE.search(output).groups()
        unchanged_run.append(_run(copy, commands["profiles_notebook"])[0])  # nothing changed since the run above
        numbers.write_text(original, encoding="utf-8")  # as built (the next repetition builds the numbers anew)
    count = len(list((copy / "data" / "interim" / "profiles").glob("*.json")))
    languages = len(yaml.safe_load((copy / "params.yaml").read_text())["report"]["languages"])
    every = None
    if not quick:  # every country of the file, once: long, and the figure the issue asks for
        _set_list(copy, "profiles", "countries", ["all"])
        _remove_profiles(copy)
        build_s = _run(copy, commands["profiles"])[0]
        run_s, output = _run(copy, commands["profiles_notebook"])
        every = (build_s, run_s, len(list((copy / "data" / "interim" / "profiles").glob("*.json"))),
                 int(_DONE.search(output).group(1)))
    total = Timing([sum(runs) for runs in zip(*added.values())])
    loads = " → ".join(", ".join(f"{x:.2f}" for x in load) for load in (load_before, os.getloadavg()))
    lines = [
        f"{_count(count, 'country', 'countries')} × {_count(languages, 'language')} = "
        f"{_count(count * languages, 'profile')} (`profiles.countries` "
        f"{'of the quick run: ' + ', '.join(QUICK_COUNTRIES) if quick else 'as committed'}"
        f"{'; `report.languages` of the quick run: ' + ', '.join(QUICK_LANGUAGES) if quick else ''}), "
        f"{os.cpu_count()} cores; each stage's command in its own process, as `dvc repro` runs it. Load average "
        f"(1, 5, 15 min) when these measurements started and ended: {loads} ({_load_reading(load_before)}).",
        "",
        "| Profiles | Median (min–max, runs) |",
        "|---|---|",
        *(f"| cold: `{stage}` stage | {Timing(runs).text()} |" for stage, runs in added.items()),
        f"| **cold: the {len(stages)} stages together (added to a cold rebuild)** | {total.text()} |",
        f"| notebooks, one kernel reused per worker (`--executor reused`, the default) | {Timing(reused).text()} |",
        f"| notebooks, a kernel per notebook (papermill's own engine, `--executor fresh`) | {Timing(fresh).text()} |",
        f"| one country's numbers changed ({CHANGED_COUNTRY}): the notebook stage | {Timing(one_changed).text()} |",
        f"| nothing changed: the notebook stage (every profile carried over) | {Timing(unchanged_run).text()} |",
    ]
    if every:
        lines.append(f"| `profiles.countries: [all]` ({every[2]} countries, {every[3]} profiles executed): build "
                     f"{every[0]:.1f} s + notebooks {every[1]:.1f} s | {every[0] + every[1]:.2f} s (n=1) |")
    lines += ["", f"After {CHANGED_COUNTRY}'s numbers changed, the notebook stage executed "
              f"{_count(int(executed_after_change[0]), 'profile')} and carried {executed_after_change[1]} over "
              "unchanged (each executed notebook records the SHA-256 of its inputs; pipeline/profiles/execute.py)."]
    targets = [
        Target("Profiles added to a cold rebuild", f"≤ {ADDED_TARGET_S:.0f} s", f"{total.median:.1f} s",
               total.median <= ADDED_TARGET_S),
        Target("Profiles: one country changed", f"only its {_count(languages, 'profile')} rerun",
               f"{executed_after_change[0]} executed", int(executed_after_change[0]) == languages),
    ]
    if every:
        targets.append(Target("Profiles: every country (`all`)", f"≤ {ALL_TARGET_S:.0f} s",
                              f"{every[0] + every[1]:.1f} s", every[0] + every[1] <= ALL_TARGET_S))
    return Section("Country profiles", lines, targets)


def light_copy() -> Path:
    """This work tree's tracked files and the built data the profiles' stages read, in a temporary folder (for
    `python -m bench --only profiles`: no cold rebuild of the other stages first)."""
    copy = Path(tempfile.mkdtemp(prefix="bench-profiles-")) / "repo"
    listed = subprocess.run(["git", "ls-files", "--cached", "-z"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.split("\0")
    for name in sorted(f for f in listed if f and (ROOT / f).is_file() and not f.startswith("reports/profiles/")):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    for name in BUILT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, copy / name)
    return copy


def remove_light_copy(copy: Path) -> None:
    shutil.rmtree(copy.parent)


def _commands(copy: Path) -> dict[str, str]:
    stages = yaml.safe_load((copy / "dvc.yaml").read_text())["stages"]
    return {stage: stages[stage]["cmd"] for stage in STAGES}


def _remove_outputs(copy: Path) -> None:
    for folder in ("data/interim/profiles", "reports/profiles", "reports/values"):
        shutil.rmtree(copy / folder, ignore_errors=True)
    (copy / "data" / "processed" / "datapackage.json").unlink(missing_ok=True)


def _remove_profiles(copy: Path) -> None:
    shutil.rmtree(copy / "reports" / "profiles", ignore_errors=True)


def _load_reading(load_before: tuple[float, float, float]) -> str:
    """What the starting load says about the figures: the stages' own workers keep both cores busy, so the load
    when the section ends is mostly its own; only the 1-minute load before it started shows other work."""
    if load_before[0] >= 1.0:
        return ("other processes held at least one core when it started, so the figures below are slower than on an "
                "idle machine")
    return "the machine was near idle when it started; the load at the end is mostly the profile workers' own"


def _set_list(copy: Path, section: str, key: str, values: list[str]) -> None:
    """Set the list `section.key` in the copy's params.yaml (the line as written, its comment kept)."""
    params = copy / "params.yaml"
    text, count = re.subn(rf"^(  {key}: )\[[^\]]*\]", lambda m: m.group(1) + "[" + ", ".join(values) + "]",
                          params.read_text(), count=1, flags=re.MULTILINE)
    if count != 1 or yaml.safe_load(text)[section][key] != values:
        raise RuntimeError(f"could not set {section}.{key} in {params}")
    params.write_text(text)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _build_upstream(copy: Path) -> None:
    """Quick: the rebuild built one ingest stage; `dvc repro profiles` builds what the profiles read besides it (the
    regional chapter's table of the latest year and what that chapter reads) and the profiles' numbers."""
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    done = subprocess.run([str(Path(sys.executable).with_name("dvc")), "repro", "profiles"], cwd=copy, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dvc repro profiles failed in {copy}:\n{(done.stdout + done.stderr)[-3000:]}")


def _run(copy: Path, command: str) -> tuple[float, str]:
    """Seconds of one stage command in the copy, and what it printed."""
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    argv = command.split()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *argv[1:]], cwd=copy, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed in {copy}:\n{(done.stdout + done.stderr)[-3000:]}")
    return seconds, done.stdout
