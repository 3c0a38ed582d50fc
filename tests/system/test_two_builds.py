"""Two builds at once in one project, as a researcher starts `make repro` in a second terminal while the first still
runs: DVC lets one command at a time write a stage's files, so the second must stop with one message that says a
build is running (which process, which stage) and what to do, and write no changes report from the half-built
outputs; the first must end as if alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import psutil
import pytest
from system import built_copy


def _wait_for_stage(rwlock, stage: str, timeout: float = 60) -> None:
    """Wait until DVC's read/write lock lists `stage`'s outputs as being written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            written = json.loads(rwlock.read_text(encoding="utf-8")).get("write", {})
        except (OSError, ValueError):
            written = {}
        if any(holder["cmd"].endswith(f"({stage})") for holder in written.values()):
            return
        time.sleep(0.01)
    pytest.fail(f"stage {stage} did not start")


def _signal_session(session: int, signum: int) -> None:
    """`signum` to every process of the first build's session: its process group, and the stages the runner moved
    into groups of their own (a stage forked just as the group was stopped is stopped too, then moved: a SIGCONT to
    the group alone would leave it, and the build, stopped for ever)."""
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session:
                os.kill(process.pid, signum)
        except (ProcessLookupError, PermissionError):  # ended meanwhile, or another user's
            pass


@pytest.mark.e2e
def test_a_second_make_repro_while_one_runs_says_so_and_waits_for_nothing(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    env = built_copy.plain_environment()
    codebook = copy / "reports" / "codebook.md"
    committed = codebook.read_bytes()
    codebook.write_bytes(committed.replace(b"indicator", b"indicatur", 1))  # an output edited: its stage reruns
    report = copy / "reports" / "changes.md"

    first = subprocess.Popen(["/bin/sh", "-c", "make repro"], cwd=copy, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        _wait_for_stage(copy / ".dvc" / "tmp" / "rwlock", "codebook")
        _signal_session(first.pid, signal.SIGSTOP)  # the first build held where it writes a stage's files
        report_before = report.stat().st_mtime_ns if report.exists() else None

        second = built_copy.run("make repro", copy, env, timeout=300)
        assert second.returncode == 2, second.stdout[-3000:]
        errors = [line for line in second.stdout.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, second.stdout[-3000:]
        assert errors[0].startswith("error: another build is running in this project (process "), errors[0]
        assert "(codebook)" in errors[0] and errors[0].endswith(
            "DVC lets one command at a time write the stages' files — wait for it to end (or stop it), then run "
            "`make repro` again"), errors[0]
        assert ("note: no changes report while another build is running: `make changes` once it has ended"
                in second.stdout), second.stdout[-3000:]
        assert "Traceback" not in second.stdout
        assert (report.stat().st_mtime_ns if report.exists() else None) == report_before
    finally:
        _signal_session(first.pid, signal.SIGCONT)
        try:
            output, _ = first.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            _signal_session(first.pid, signal.SIGKILL)
            raise
    assert first.returncode == 0, output[-3000:]
    assert "Running stage 'codebook'" in output
    assert codebook.read_bytes() == committed
