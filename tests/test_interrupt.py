"""Ctrl-C while a stage is still importing its modules (pipeline/interrupt.py), the way a user stops `dvc repro`: the
stage's one line, no traceback, nothing written.

The stage is a real command (`python -m pipeline.chapters.argentina`) held at its import of pandas by a
`sitecustomize` module the test puts first on PYTHONPATH, so the signal comes while it imports, every time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from terminal import as_a_terminal_command

from pipeline import interrupt, paths

HOLD = textwrap.dedent("""\
    import importlib.abc, os, pathlib, sys, time

    class Hold(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            # A stage's import of pandas is held; not the stage server's (make repro starts it before any stage),
            # nor the runner's (started by `python -c` here; it checks the registry of figures before any stage).
            if name == "pandas" and not sys.argv[0].endswith("stage_server.py") and sys.argv[0] != "-c":
                pathlib.Path("importing").write_text(str(os.getpid()))
                time.sleep(60)

    sys.meta_path.insert(0, Hold())
    """)

LINE = f"error: {interrupt.MESSAGE}"


def _environment(folder: Path) -> dict:
    (folder / "hold").mkdir()
    (folder / "hold" / "sitecustomize.py").write_text(HOLD)
    return {**os.environ, "PYTHONPATH": f"{folder / 'hold'}:{paths.ROOT}", "DVC_NO_ANALYTICS": "1",
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}


def _held(process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 60
    while not (folder / "importing").is_file() or not (folder / "importing").read_text():
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()[0]
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_command_stopped_while_importing_says_so_in_one_line(tmp_path, signum):
    command = subprocess.Popen([sys.executable, "-m", "pipeline.chapters.argentina"], cwd=tmp_path,
                               env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, preexec_fn=as_a_terminal_command)
    _held(command, tmp_path)
    os.killpg(command.pid, signum)
    output = command.communicate(timeout=60)[0]
    assert command.returncode == interrupt.EXIT, output
    assert output.splitlines() == [LINE], output


def _project(folder: Path, environment: dict) -> None:
    """A DVC project whose one stage is the Argentina chapter's build (it never gets past its imports here)."""
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=folder, check=True, env=environment)
    subprocess.run([sys.executable, "-m", "dvc", "config", "core.analytics", "false"], cwd=folder, check=True,
                   env=environment)
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"argentina": {
        "cmd": "python -m pipeline.chapters.argentina", "outs": [{"never.txt": {"persist": True}}]}}}))


# A plain `dvc repro`: DVC starts the stage in the terminal's process group, so Ctrl-C reaches DVC and the stage.
# `make repro`: the runner starts the stage in a group of its own, and stops it with SIGTERM.
RUNNERS = {"dvc repro": [sys.executable, "-m", "dvc", "repro"],
           "make repro": [sys.executable, "-c", "from pathlib import Path; from pipeline import paths, repro; "
                                                "paths.ROOT = Path.cwd(); repro.main(['--jobs', '2'])"]}


@pytest.mark.parametrize("runner", RUNNERS)
def test_ctrl_c_in_the_terminal_while_the_stage_imports(tmp_path, runner):
    """The stage prints its one line and no traceback; DVC says the stage failed, or the runner which stage it
    stopped; nothing is recorded."""
    environment = _environment(tmp_path)
    _project(tmp_path, environment)
    process = subprocess.Popen(RUNNERS[runner], cwd=tmp_path, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True,
                               preexec_fn=as_a_terminal_command)
    _held(process, tmp_path)
    os.killpg(process.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole foreground group
    output = process.communicate(timeout=60)[0]
    assert process.returncode != 0, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert output.splitlines().count(LINE) == 1, output  # the stage's own line, once
    if runner == "make repro":  # then the runner's, which names the stage it stopped instead of repeating the line
        assert output.splitlines()[-1] == (
            "error: the rebuild was stopped: 'argentina' stopped before finishing, its previous outputs unchanged — "
            "run `make repro` (or `dvc repro`) again to go on"), output
    assert not (tmp_path / "dvc.lock").exists()


def test_a_program_importing_the_package_keeps_its_own_handlers():
    """A notebook kernel, pytest or a researcher's script imports `pipeline` as a library: its Ctrl-C is its own."""
    shown = subprocess.run([sys.executable, "-c", "import signal, pipeline.errors; "
                                                  "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, "
                                                  "signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)"],
                           env={**os.environ, "PYTHONPATH": str(paths.ROOT)}, capture_output=True, text=True,
                           check=True, preexec_fn=as_a_terminal_command)
    assert shown.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP])
def test_a_command_started_with_a_signal_ignored_keeps_ignoring_it(tmp_path, signum):
    """A background job (or a pool worker) starts with Ctrl-C ignored, and a command under `nohup` with SIGHUP
    ignored; a command started from it does not take it back: SIGTERM still stops it."""
    command = subprocess.Popen([sys.executable, "-m", "pipeline.chapters.argentina"], cwd=tmp_path,
                               env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True,
                               preexec_fn=lambda: (as_a_terminal_command(), signal.signal(signum, signal.SIG_IGN)))
    _held(command, tmp_path)
    os.killpg(command.pid, signum)
    time.sleep(0.5)
    assert command.poll() is None  # ignored, as its parent asked
    os.killpg(command.pid, signal.SIGTERM)
    output = command.communicate(timeout=60)[0]
    assert (command.returncode, output.splitlines()) == (interrupt.EXIT, [LINE]), output
