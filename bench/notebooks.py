"""Notebook overhead: kernel start alone, and each chapter notebook as its DVC stage runs it
(`python -m pipeline.run ...`: parameter checks, kernel start, execution, HTML export), in a rebuilt copy."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.common import Section, Target, Timing

TARGET_S = 10.0


def measure(repeat: int, copy: Path | None) -> Section:
    """Time every notebook stage of dvc.yaml in `copy` (already rebuilt); None: a one-cell notebook instead."""
    kernel = Timing([_kernel_start() for _ in range(repeat)])
    stages = _notebook_stages(copy) if copy else {"one-cell notebook (quick mode)": None}
    timings = {}
    for name, command in stages.items():
        timings[name] = Timing([_run(command, copy) for _ in range(repeat)])
    lines = [
        f"Kernel start and shutdown alone (jupyter_client, python3 kernel): {kernel.text()}.",
        "",
        "| Notebook stage | Kernel start + execution + export, median (min–max, runs) |",
        "|---|---|",
        *(f"| `{name}` | {t.text()} |" for name, t in timings.items()),
    ]
    worst = max(timings.items(), key=lambda item: item[1].median)
    return Section("Notebook overhead", lines,
                   [Target("Notebook overhead", f"≤ {TARGET_S:.0f} s each",
                           f"slowest `{worst[0]}` {worst[1].median:.1f} s",
                           all(t.median <= TARGET_S for t in timings.values()))])


def _notebook_stages(copy: Path) -> dict[str, list[str]]:
    """Stage name -> its command, for the stages that execute a notebook (read from the copy's dvc.yaml)."""
    stages = yaml.safe_load((copy / "dvc.yaml").read_text())["stages"]
    return {name: stage["cmd"].split() for name, stage in stages.items()
            if isinstance(stage.get("cmd"), str) and " -m pipeline.run " in stage["cmd"]}


def _run(command: list[str] | None, copy: Path | None) -> float:
    """Seconds of one notebook run, in its own process."""
    if command is None:
        return _one_cell_notebook()
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BRIEFING_STAGING_DIR", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *command[1:]], cwd=copy, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def _kernel_start() -> float:
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return time.perf_counter() - started


def _one_cell_notebook() -> float:
    """papermill on a notebook with one cell: the fixed cost every chapter pays."""
    import nbformat

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "one.ipynb", Path(folder) / "out.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), source)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "papermill", "-k", "python3", "--log-level", "ERROR",
                        str(source), str(target)], check=True, capture_output=True)
        return time.perf_counter() - started
