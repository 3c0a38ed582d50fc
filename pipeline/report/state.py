"""What the briefing pack was built from, stated so that it is the same for a given commit.

The git commit itself cannot be written into a committed file (the file is part of the commit), and the build time
would change on every run. Instead: the SHA-256 of this stage's own inputs (each hashed as DVC hashes it; they are
exactly the stage's deps, each module of its code named, so the pack is rebuilt whenever the fingerprint would
change), and DVC's own answer to whether every other stage is up to date (`dvc status --json`). Both follow from the
commit's files alone.
"""

from __future__ import annotations

import hashlib
import json

from pipeline import paths
from pipeline.errors import PipelineError
from pipeline.hashes import dvc_md5

STAGE = "report"  # this stage's name in dvc.yaml: left out of the status (it is the one running)


def pipeline_state() -> dict:
    """The fingerprint of this stage's inputs, and every other stage as up to date or why not."""
    from pipeline import dvc_yaml  # it reads params.yaml's models: not imported by `make repro`, which names STAGE

    hashed = {dep: dvc_md5(paths.ROOT / dep) for dep in dvc_yaml.stage_inputs(STAGE)}
    fingerprint = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()
    others = [name for name in dvc_yaml.stage_names() if name != STAGE]
    status = dvc_status(others)
    stale = {name: reason(changes) for name, changes in sorted(status.items()) if name != STAGE}
    current = {name: "up to date" for name in others if name not in stale}
    return {"fingerprint": fingerprint, "stale": stale, "current": current, "up_to_date": not stale}


def dvc_status(stages: list[str]) -> dict:
    """DVC's `status` of `stages`: stage -> what changed since its last run (stages up to date are left out), as
    `dvc status --json` gives it. Asked in this process through DVC's Python API: the command line's `dvc status
    STAGE ...` collects dvc.yaml again for every stage named (15 s for the 26 stages, against 2 s for all of
    them at once). This stage itself is never asked about: while `dvc repro` runs it, DVC holds its outputs for
    writing."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo, lock_repo

    wanted, status = set(stages), {}
    try:
        with Repo(str(paths.ROOT)) as repo, lock_repo(repo):
            found = {stage.addressing: stage for stage in repo.index.stages}
            missing = sorted(wanted - set(found))
            if missing:
                raise PipelineError(f"`dvc status`: no stage '{missing[0]}' in dvc.yaml", file=paths.DVC_YAML,
                                    fix="regenerate dvc.yaml (`make dvc-yaml`) and run `dvc repro` again")
            for name in sorted(wanted):
                status.update(found[name].status())
    except DvcException as error:
        raise PipelineError(f"`dvc status` failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                            file=paths.DVC_YAML, fix="run `dvc status` to see why, and `dvc repro` again") from None
    return status


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
