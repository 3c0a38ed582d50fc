"""Whatever goes wrong in an entry point, the user sees one line and a non-zero exit, and nothing is written:
a bad input, Ctrl-C, SIGTERM or SIGHUP, a full disk, or an error no check anticipated (its traceback goes to a log)."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from pipeline import dvc_yaml, io, paths
from pipeline.errors import PipelineError, cli


def _run(main, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        cli(main)()
    return stopped.value.code, capsys.readouterr().err


def _writes_then(tmp_path, failure):
    def main():
        with io.transaction():
            io.write_text(tmp_path / "out.txt", "new")
            failure()
    return main


def test_a_full_disk_names_the_file_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "out.txt").write_text("previous")

    def full():
        raise OSError(errno.ENOSPC, "No space left on device", str(paths.ROOT / "figures" / "fig-01.png"))

    status, message = _run(_writes_then(tmp_path, full), capsys)
    assert status == 1
    assert message == ("error: figures/fig-01.png: no space left on device while writing — free disk space and run "
                       "again; nothing was written (the previous outputs are unchanged)\n")
    assert (tmp_path / "out.txt").read_text() == "previous"


def test_a_disk_that_fills_while_an_output_is_written_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    """A file written outside a transaction (the long table: one file, renamed into place) goes through a temporary
    file beside it. Tried on a full tmpfs: `make repro` left data/processed/.indicators.csv.5edjg0bv (2 MB) beside
    the previous indicators.csv, and the message said "an output" (the write's error names no file)."""
    import tempfile

    (tmp_path / "indicators.csv").write_text("previous")
    real = tempfile.NamedTemporaryFile

    def filling(*args, **kwargs):
        handle = real(*args, **kwargs)
        write = handle.write

        def write_half(data):
            write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        handle.write = write_half
        return handle

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", filling)
    status, message = _run(lambda: io.write_text(tmp_path / "indicators.csv", "new table " * 1000), capsys)
    assert status == 1
    assert message == (f"error: {tmp_path / 'indicators.csv'}: no space left on device while writing — free disk "
                       "space and run again; nothing was written (the previous outputs are unchanged)\n")
    assert [p.name for p in tmp_path.iterdir()] == ["indicators.csv"]
    assert (tmp_path / "indicators.csv").read_text() == "previous"


def test_ctrl_c_and_sigterm_exit_130_and_write_nothing(tmp_path, capsys):
    (tmp_path / "out.txt").write_text("previous")

    def interrupt():
        raise KeyboardInterrupt

    status, message = _run(_writes_then(tmp_path, interrupt), capsys)
    assert status == 130 and message.startswith("error: interrupted before the stage finished — nothing was written")

    for number in (signal.SIGTERM, signal.SIGHUP):  # `kill`, `make repro` stopping a stage; the terminal closed
        inherited = signal.signal(number, signal.SIG_DFL)  # as a terminal's command has it (not under nohup)
        try:
            status, message = _run(_writes_then(tmp_path, lambda: os.kill(os.getpid(), number)), capsys)
            assert signal.getsignal(number) is signal.SIG_DFL  # as before the command, once it has ended
        finally:
            signal.signal(number, inherited)
        assert status == 130 and message.count("\n") == 1
        assert (tmp_path / "out.txt").read_text() == "previous"
        assert not list(paths.ROOT.glob(f".staging-{os.getpid()}-*"))


def test_a_signal_ignored_when_the_command_started_stays_ignored(capsys):
    """`nohup` starts a command with SIGHUP ignored: closing the terminal must not stop it."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        def hang_up():
            os.kill(os.getpid(), signal.SIGHUP)
            return "finished"

        assert cli(hang_up)() == "finished"
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_an_unanticipated_error_is_one_line_and_its_traceback_goes_to_a_log(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(paths, "LOGS", tmp_path / "logs")

    def bug():
        return {}["missing"]

    status, message = _run(bug, capsys)
    assert status == 1 and message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith("error: unexpected KeyError: 'missing' in test_errors — nothing was written; this is a "
                              "bug in the pipeline, not in your data")
    log = tmp_path / "logs" / "test_errors.log"
    assert "Traceback" in log.read_text() and "KeyError" in log.read_text()


def test_a_pipeline_error_is_printed_as_it_is(capsys):
    def bad():
        raise PipelineError("value 'x' is not a number", file=paths.PARAMS, fix="give a number")

    assert _run(bad, capsys) == (1, "error: params.yaml: value 'x' is not a number — give a number\n")


def test_every_dvc_output_persists_so_a_failed_stage_keeps_it():
    """Without `persist: true` DVC deletes an output before running its stage: a failure would lose it."""
    stages = dvc_yaml.stages()
    missing = []
    for name, stage in stages.items():
        body = stage.get("do", stage)
        for kind in ("outs", "metrics", "plots"):
            for out in body.get(kind, []):
                path, options = (out, {}) if isinstance(out, str) else next(iter(out.items()))
                if not (options or {}).get("persist"):
                    missing.append(f"{name}: {path}")
    assert missing == []


def test_a_killed_runs_zombie_counts_as_dead_so_its_staging_folder_is_removed():
    import subprocess
    import sys
    import time

    finished = subprocess.Popen([sys.executable, "-c", "pass"])  # not reaped yet: a zombie once it exits
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        for _ in range(100):
            if "Z" in open(f"/proc/{finished.pid}/stat").read().rsplit(")", 1)[1].split()[0]:
                break
            time.sleep(0.05)
        assert io._alive(finished.pid) is False
        assert io._alive(running.pid) is True
        assert io._alive(os.getpid()) is True
    finally:
        running.kill()
        running.wait()
        finished.wait()
    assert io._alive(finished.pid) is False  # reaped: no such process


def test_ctrl_c_in_a_notebook_leaves_no_asyncio_traceback_on_the_terminal(tmp_path):
    """A notebook stopped by Ctrl-C leaves an asyncio task whose error (the kernel died) Python reports when it
    exits: the user sees the one line; the task's traceback is in the log."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import asyncio
        from pathlib import Path
        from pipeline import paths
        from pipeline.errors import cli
        paths.LOGS = Path({str(tmp_path / "logs")!r})

        async def kernel_died():
            raise RuntimeError("Kernel died")

        async def notebook():
            asyncio.ensure_future(kernel_died())  # never awaited: reported when collected
            await asyncio.sleep(0.1)
            raise KeyboardInterrupt

        @cli
        def main():
            loop = asyncio.new_event_loop()
            loop.run_until_complete(notebook())

        main()
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, capture_output=True, text=True)
    assert done.returncode == 130
    assert done.stderr.startswith("error: interrupted before the stage finished") and "Traceback" not in done.stderr
    assert "Task exception was never retrieved" in "".join(
        log.read_text() for log in (tmp_path / "logs").glob("*.log"))


def test_a_command_allocates_arrow_memory_from_malloc_unless_the_user_chose_another():
    """Every stage's command (errors.cli) moves pyarrow to the C library's malloc, even when pandas imported pyarrow
    first, and passes the choice to the processes it starts; a user's ARROW_DEFAULT_MEMORY_POOL is kept."""
    import subprocess
    import sys

    code = ("import os, pandas, pyarrow as pa\nfrom pipeline.errors import cli\n"
            "cli(lambda: print(pa.default_memory_pool().backend_name, os.environ['ARROW_DEFAULT_MEMORY_POOL']))()")
    plain = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    for chosen, expected in ((None, ["system", "system"]), ("jemalloc", ["jemalloc", "jemalloc"])):
        env = plain | ({"ARROW_DEFAULT_MEMORY_POOL": chosen} if chosen else {})
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert done.stdout.split() == expected, done.stderr
