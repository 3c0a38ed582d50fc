"""What the briefing pack was built from, stated so that it is the same for a given commit.

The git commit itself cannot be written into a committed file (the file is part of the commit), and the build time
would change on every run. Instead: the SHA-256 of this stage's own inputs (each hashed as DVC hashes it; they are
exactly the stage's deps, so the pack is rebuilt whenever the fingerprint would change), and DVC's own answer to
whether every other stage is up to date (`dvc status --json`). Both follow from the commit's files alone.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from pipeline import dvc_yaml, paths
from pipeline.errors import PipelineError
from pipeline.hashes import dvc_md5

STAGE = "report"  # this stage's name in dvc.yaml: left out of the status (it is the one running)


def pipeline_state() -> dict:
    """The fingerprint of this stage's inputs, and every other stage as up to date or why not."""
    hashed = {dep: dvc_md5(paths.ROOT / dep) for dep in sorted(dvc_yaml.stage_deps(STAGE))}
    fingerprint = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()
    others = [name for name in dvc_yaml.stage_names() if name != STAGE]
    status = dvc_status(others)
    stale = {name: reason(changes) for name, changes in sorted(status.items()) if name != STAGE}
    current = {name: "up to date" for name in others if name not in stale}
    return {"fingerprint": fingerprint, "stale": stale, "current": current, "up_to_date": not stale}


def dvc_status(stages: list[str]) -> dict:
    """`dvc status --json` of `stages`: stage -> what changed since its last run (stages up to date are left out).
    This stage itself is never asked about: while `dvc repro` runs it, DVC holds its outputs for writing."""
    done = subprocess.run([sys.executable, "-m", "dvc", "status", "--json", *stages], cwd=paths.ROOT,
                          capture_output=True, text=True)
    try:
        return json.loads(done.stdout or "{}") if done.returncode == 0 else _failed(done)
    except json.JSONDecodeError:
        return _failed(done)


def _failed(done: subprocess.CompletedProcess):
    problem = (done.stderr or done.stdout).strip().splitlines()
    raise PipelineError(f"`dvc status` failed: {problem[-1] if problem else f'exit status {done.returncode}'}",
                        file=paths.DVC_YAML, fix="run `dvc status` to see why, and `dvc repro` again")


def reason(changes: list) -> str:
    """One stage's changes as DVC reports them, in words: the files and parameters that changed."""
    changed = []
    for change in changes:
        if isinstance(change, str):  # "changed command", "always changed"
            changed.append(change)
            continue
        for kind, items in change.items():
            for path, what in items.items():
                if isinstance(what, dict):  # parameters: file -> {key: modified}
                    changed += [f"{path}:{key}" for key in what]
                else:
                    changed.append(path if what == "modified" else f"{path} ({what})")
            if not items:
                changed.append(kind)
    return "changed since the last run: " + ", ".join(changed)
