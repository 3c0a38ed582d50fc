"""The fault suite's bad-input corpus: see cases.py for the cases and corpus.py for how inputs are built.

`execute(case, workdir)` builds a project copy under `workdir`, writes the case's input, runs the entry point
(forked from a process with the libraries imported: preloaded.py; `preloaded=False` starts `python -m` afresh)
and returns what the user saw together with whether anything in the copy changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import paths

from . import corpus
from .cases import CASES, Case


@dataclass
class Outcome:
    case: Case
    run: corpus.Run
    changed: list[str]  # files of the project copy added, removed or modified by the run
    project: Path


def available(case: Case) -> bool:
    return case.requires is None or (paths.ROOT / case.requires).exists()


def execute(case: Case, workdir: Path, preloaded: bool = True) -> Outcome:
    project = corpus.make_project(workdir / "project")
    for part in case.extra_parts:
        source = paths.ROOT / part
        if source.is_dir():
            corpus.shutil.copytree(source, project / part, ignore=corpus.IGNORED, dirs_exist_ok=True)
        elif source.is_file():
            corpus.shutil.copy2(source, project / part)
    case.prepare(project)
    before = corpus.snapshot(project)
    run = corpus.run_module(project, *case.command, env=case.env(project), preloaded=preloaded)
    after = corpus.snapshot(project)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    return Outcome(case, run, changed, project)


__all__ = ["CASES", "Case", "Outcome", "available", "execute"]
