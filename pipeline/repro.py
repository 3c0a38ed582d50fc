"""`dvc repro` on every core: the stages that are out of date, independent ones side by side (`make repro`).

    python -m pipeline.repro             # what `dvc repro` would run, two stages at a time on two cores
    python -m pipeline.repro --jobs 1    # one stage at a time, in the order `dvc repro` runs them

DVC runs one stage at a time (its maintainers call a parallel `repro` unsupported), but it releases its repository
lock while a stage's command runs, and locks each running stage's inputs and outputs. So several `dvc repro
--single-item STAGE` processes can run stages that do not depend on each other: this runner asks DVC which stages
are out of date (their `status`), adds every stage downstream of them, and starts each one as soon as every stage it
depends on has finished, at most `--jobs` at once. Every stage is still run, checked and recorded in dvc.lock by DVC
itself, waiting for the repository lock when the other holds it (`--wait-for-lock`): the outputs are the ones `dvc
repro` gives, byte for byte. When a stage fails, no other stage starts; those running finish; the exit status is the
failed stage's and its message is the last one printed. The report stage runs alone (ALONE): it starts once nothing
else runs, and the stages that are ready meanwhile start before it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from pipeline import paths
from pipeline.errors import PipelineError, cli
from pipeline.report import state

# Stages that run with no other stage beside them: the report asks DVC for every other stage's status, and DVC
# refuses that while another stage holds its outputs for writing ("... is busy"), as the codebook stage did when
# both were rerun at once.
ALONE = {state.STAGE}


def plan() -> tuple[list[str], dict[str, set[str]]]:
    """The stages to run, in the order `dvc repro` would run them, and each one's upstream stages among them."""
    import networkx as nx
    from dvc.exceptions import DvcException
    from dvc.repo import Repo, lock_repo

    try:
        with Repo(str(paths.ROOT)) as repo, lock_repo(repo):
            graph = repo.index.graph  # edges go from a stage to the stages it depends on
            stale = {stage for stage in graph if stage.status()}
            run = stale.union(*(nx.ancestors(graph, stage) for stage in stale))  # ancestors: the stages downstream
            order = [stage for stage in reversed(list(nx.topological_sort(graph))) if stage in run]
            upstream = {stage.addressing: {dep.addressing for dep in nx.descendants(graph, stage) if dep in run}
                        for stage in order}
    except DvcException as error:
        raise PipelineError(f"DVC could not read the pipeline: {str(error).splitlines()[0]}", file=paths.DVC_YAML,
                            fix="run `dvc repro` to see DVC's own message") from None
    return [stage.addressing for stage in order], upstream


def run(jobs: int) -> int:
    """Run the stages out of date, `jobs` at a time; the exit status of the first that failed, else 0."""
    order, upstream = plan()
    if not order:
        print("Data and pipelines are up to date.")
        return 0
    running: dict[str, subprocess.Popen] = {}
    done: set[str] = set()
    failed: int = 0
    try:
        while order or running:
            while not failed and len(running) < jobs and not running.keys() & ALONE:
                # A stage that runs alone waits for the running ones to finish; meanwhile others may start.
                ready = next((stage for stage in order
                              if upstream[stage] <= done and not (stage in ALONE and running)), None)
                if ready is None:
                    break
                order.remove(ready)
                running[ready] = subprocess.Popen([sys.executable, "-m", "dvc", "--wait-for-lock", "repro",
                                                   "--single-item", ready], cwd=paths.ROOT)
            if failed and not running:
                break
            time.sleep(0.05)
            for stage, process in list(running.items()):
                if process.poll() is not None:
                    del running[stage]
                    done.add(stage)
                    failed = failed or process.returncode
    except BaseException:  # Ctrl-C reached the stages too (one process group); SIGTERM, this runner only
        for process in running.values():  # either way no stage starts, and none is left running unwatched
            process.wait()
        raise
    return failed


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", "-j", type=int, default=len(os.sched_getaffinity(0)),
                        help="stages at once (default: the cores this process may use)")
    jobs = parser.parse_args(argv).jobs
    if jobs < 1:
        raise PipelineError(f"--jobs {jobs}: at least one stage must run at a time", fix="give --jobs 1 or more")
    sys.exit(run(jobs))


if __name__ == "__main__":
    main()
