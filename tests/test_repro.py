"""The parallel runner (pipeline/repro.py).

Its schedule: a stage starts only once every stage it depends on has finished, at most `--jobs` at once, and after a
failure no stage starts and the exit status is the failed stage's. Its bookkeeping, on a small DVC project of its
own: dvc.lock as `dvc repro` writes it, byte for byte; a stage whose inputs an upstream stage rebuilt unchanged is
skipped; a failed stage is not recorded; a missing dependency stops it with DVC's message."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
import yaml
from dvc_projects import dvc_project
from terminal import as_a_terminal_command

from pipeline import dvc_yaml, paths, repro, repro_watchdog, stage_server
from pipeline.errors import Interrupted

# a -> b, a -> c, (b, c) -> d; e independent
ORDER = ["a", "e", "b", "c", "d"]
UPSTREAM = {"a": set(), "e": set(), "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}


class FakeStage:
    def __init__(self, name):
        self.addressing = name


class FakeStages:
    """`start` and `record` stand-ins: each stage 'runs' for two polls; records starts, what was done then,
    concurrency, and the stages recorded."""

    def __init__(self, failing: str | None = None, interrupting: str | None = None):
        self.failing, self.interrupting, self.started, self.running, self.most = failing, interrupting, [], set(), 0
        self.finished: set[str] = set()
        self.recorded: list[str] = []
        self.events: list[tuple[str, str | None]] = []  # recorded and flushed, in order

    def start(self, stage):
        name = stage.addressing
        self.events.append(("started", name))
        if name == self.interrupting:
            raise KeyboardInterrupt
        self.started.append((name, frozenset(self.finished)))
        self.running.add(name)
        self.most = max(self.most, len(self.running))
        fake = self

        class Process:
            polls, command = 0, f"run {name}"

            def poll(self):
                self.polls += 1
                if self.polls >= 2:
                    fake.running.discard(name)
                    fake.finished.add(name)
                    return 3 if name == fake.failing else 0
                return None

            def stop(self):
                fake.events.append(("stopped", name))

            def wait(self):
                fake.events.append(("waited", name))
                return self.poll()

            def release(self):
                pass

            stage = FakeStage(name)

        return Process()

    def record(self, running):
        self.recorded.append(running.stage.addressing)
        self.events.append(("recorded", running.stage.addressing))

    def flush(self):
        self.events.append(("flushed", None))


@pytest.fixture
def stages(monkeypatch):
    monkeypatch.setattr(repro.time, "sleep", lambda seconds: None)

    def make(failing=None, order=ORDER, upstream=UPSTREAM, jobs=2, interrupting=None):
        fake = FakeStages(failing, interrupting)
        status = repro.schedule([FakeStage(name) for name in order], {k: set(v) for k, v in upstream.items()}, jobs,
                                start=fake.start, record=fake.record, flush=fake.flush)
        return fake, status
    return make


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_each_stage_starts_after_its_upstream_and_at_most_jobs_at_once(stages, jobs):
    fake, status = stages(jobs=jobs)
    assert status == 0
    assert sorted(stage for stage, _ in fake.started) == sorted(ORDER)
    for stage, done_then in fake.started:
        assert UPSTREAM[stage] <= done_then, f"{stage} started before {UPSTREAM[stage] - done_then}"
    assert fake.most <= jobs and fake.most >= min(jobs, 2)  # a and e side by side when two may run
    if jobs == 1:
        assert [stage for stage, _ in fake.started] == ORDER  # the planned order
    assert sorted(fake.recorded) == sorted(ORDER)


def test_after_a_failure_no_stage_starts_and_the_exit_status_is_the_failed_stages(stages, capsys):
    fake, status = stages(failing="a")
    assert status == 3
    assert [stage for stage, _ in fake.started] == ["a", "e"]  # e was already running beside a; nothing after
    assert fake.recorded == ["e"]  # the stage that ran beside it is recorded; the failed one is not
    assert capsys.readouterr().err.strip() == "ERROR: failed to reproduce 'a': failed to run: run a, exited with 3"


def test_dvc_lock_is_written_before_a_stage_that_runs_alone_and_at_the_end(stages, monkeypatch):
    """The report (here 'd') asks DVC for every other stage's status: what was recorded is in dvc.lock before it
    starts. Then once more at the end, for 'd' itself."""
    monkeypatch.setattr(repro, "ALONE", {"d"})
    fake, status = stages()
    assert status == 0
    events = fake.events
    assert events[events.index(("started", "d")) - 1] == ("flushed", None)
    assert {name for kind, name in events[:events.index(("started", "d"))] if kind == "recorded"} == {"a", "b", "c",
                                                                                                       "e"}
    assert events[-2:] == [("recorded", "d"), ("flushed", None)]


def test_after_a_failure_or_ctrl_c_the_stages_that_finished_are_written_to_dvc_lock(stages, monkeypatch):
    fake, status = stages(failing="a")
    assert status == 3 and fake.events[-2:] == [("recorded", "e"), ("flushed", None)]
    fake = FakeStages(interrupting="c")  # Ctrl-C as 'c' starts, one job at a time: a, e and b have finished
    with pytest.raises(Interrupted) as stopped:
        repro.schedule([FakeStage(name) for name in ORDER], {k: set(v) for k, v in UPSTREAM.items()}, 1,
                       start=fake.start, record=fake.record, flush=fake.flush)
    assert fake.recorded == ["a", "e", "b"] and fake.events[-1] == ("flushed", None)
    assert stopped.value.message == ("the rebuild was stopped; the 3 stage(s) that finished or were up to date are "
                                     "recorded in dvc.lock — run `make repro` (or `dvc repro`) again to go on")


def test_ctrl_c_stops_the_running_stages_before_waiting_for_them(stages):
    """Two jobs: Ctrl-C as 'c' starts, while 'b' runs; 'b' is stopped (SIGTERM), then waited for, never recorded."""
    fake = FakeStages(interrupting="c")
    with pytest.raises(Interrupted) as stopped:
        repro.schedule([FakeStage(name) for name in ORDER], {k: set(v) for k, v in UPSTREAM.items()}, 2,
                       start=fake.start, record=fake.record, flush=fake.flush)
    assert fake.events[fake.events.index(("started", "c")):] == [
        ("started", "c"), ("stopped", "b"), ("waited", "b"), ("flushed", None)]
    assert "b" not in fake.recorded
    # One line that says what the stages' own lines do not: which were stopped, and that the finished ones are kept.
    assert stopped.value.message == (
        "the rebuild was stopped: 'b' stopped before finishing, its previous outputs unchanged; the 2 stage(s) that "
        "finished or were up to date are recorded in dvc.lock — run `make repro` (or `dvc repro`) again to go on")


def test_nothing_to_do_runs_nothing(stages):
    fake, status = stages(order=[], upstream={})
    assert status == 0 and fake.started == []


def test_jobs_below_one_is_refused():
    with pytest.raises(SystemExit) as stopped:
        repro.main(["--jobs", "0"])
    assert stopped.value.code != 0


def test_a_stage_that_asks_for_every_stages_status_runs_alone(stages, monkeypatch):
    """As 'report' does: it starts once nothing else runs, and nothing starts beside it ('e' is ready all along)."""
    monkeypatch.setattr(repro, "ALONE", {"b"})
    fake, status = stages(jobs=3)
    assert status == 0
    starts = [stage for stage, _ in fake.started]
    b_done = next(done for stage, done in fake.started if stage == "b")
    assert {"a", "e"} <= b_done  # b waited for e, which ran beside a, to finish
    after_b = [done for stage, done in fake.started if starts.index(stage) > starts.index("b")]
    assert after_b and all("b" in done for done in after_b)  # nothing started while b ran


def test_ready_stages_start_while_a_stage_that_runs_alone_waits(stages, monkeypatch):
    """'b' runs alone; when it is ready 'r' is running and 'c' is ready too: 'c' starts beside 'r' rather than waiting
    behind 'b' (as 'codebook' waited behind 'report'), and 'b' starts once both have finished."""
    monkeypatch.setattr(repro, "ALONE", {"b"})
    fake, status = stages(order=["a", "r", "b", "c"], upstream={"a": set(), "r": {"a"}, "b": {"a"}, "c": {"a"}})
    assert status == 0
    starts = [stage for stage, _ in fake.started]
    assert starts == ["a", "r", "c", "b"]
    assert {"r", "c"} <= next(done for stage, done in fake.started if stage == "b")


def test_a_stage_that_runs_alone_runs_after_every_stage_it_does_not_depend_on(stages, monkeypatch):
    """The report ('r') states every other stage's status: 'c', ready at the same time and first only by the plan's
    order, runs before it (the codebook and the report, in a rerun after Ctrl-C)."""
    monkeypatch.setattr(repro, "ALONE", {"r"})
    fake, status = stages(order=["a", "r", "c"], upstream={"a": set(), "r": {"a"}, "c": {"a"}})
    assert status == 0
    assert [stage for stage, _ in fake.started] == ["a", "c", "r"]


def test_the_report_stage_is_the_one_that_runs_alone():
    assert repro.ALONE == {"report"} and "report" in repro.plan.__globals__["state"].STAGE


# A DVC project of its own: `low` writes a number rounded from a parameter, `high` reads it, `side` is independent;
# every output persists and is not cached, as in this project's dvc.yaml.
PROJECT = {
    "params.yaml": "low:\n  value: 1.2\nside: 5\n",
    "dvc.yaml": textwrap.dedent("""\
        stages:
          low:
            cmd: python -c "import yaml; v = yaml.safe_load(open('params.yaml'))['low']['value']; open('low.txt', 'w').write(str(round(v)))"
            params: [low.value]
            outs: [{low.txt: {cache: false, persist: true}}]
          high:
            cmd: python -c "open('high.txt', 'w').write(str(int(open('low.txt').read()) * 10))"
            deps: [low.txt]
            outs: [{high.txt: {cache: false, persist: true}}]
          side:
            cmd: python -c "import yaml; open('side.txt', 'w').write(str(yaml.safe_load(open('params.yaml'))['side']))"
            params: [side]
            outs: [{side.txt: {cache: false, persist: true}}]
        """),
}


def _project(folder: Path) -> Path:
    return dvc_project(folder, PROJECT)


def _runner(folder: Path, monkeypatch, jobs: int = 2) -> int:
    monkeypatch.setattr(paths, "ROOT", folder)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return repro.run(jobs)


def _dvc_repro(folder: Path) -> None:
    subprocess.run([sys.executable, "-m", "dvc", "repro", "-q"], cwd=folder, check=True,
                   env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"})


@pytest.fixture
def twin(tmp_path, monkeypatch):
    """The same DVC project twice: one for this runner, one for `dvc repro`."""
    ours, dvcs = _project(tmp_path / "ours"), _project(tmp_path / "dvc")
    monkeypatch.chdir(ours)
    return ours, dvcs


def test_the_runner_records_what_dvc_repro_records(twin, monkeypatch, capsys):
    ours, dvcs = twin
    assert _runner(ours, monkeypatch) == 0
    _dvc_repro(dvcs)
    # A new dvc.lock lists the stages in the order they were recorded; this project's exists, and each entry is
    # updated in place (the next test compares the bytes).
    assert yaml.safe_load((ours / "dvc.lock").read_text()) == yaml.safe_load((dvcs / "dvc.lock").read_text())
    assert [(ours / f).read_text() for f in ("low.txt", "high.txt", "side.txt")] == ["1", "10", "5"]
    assert capsys.readouterr().out.count("Running stage") == 3
    assert _runner(ours, monkeypatch) == 0  # nothing left to do
    assert capsys.readouterr().out == "Data and pipelines are up to date.\n"
    status = subprocess.run([sys.executable, "-m", "dvc", "status", "-q"], cwd=ours)
    assert status.returncode == 0  # DVC agrees: every stage up to date


def test_a_stage_whose_inputs_came_back_unchanged_is_skipped_and_dvc_lock_is_dvc_repros_byte_for_byte(
        twin, monkeypatch, capsys):
    for folder in twin:
        _dvc_repro(folder)
    for folder in twin:  # 1.2 -> 1.4: 'low' reruns and writes the same 1, so 'high' has nothing to do
        (folder / "params.yaml").write_text(PROJECT["params.yaml"].replace("1.2", "1.4").replace("5", "6"))
    ours, dvcs = twin
    assert _runner(ours, monkeypatch) == 0
    _dvc_repro(dvcs)
    out = capsys.readouterr().out
    assert "Running stage 'low'" in out and "Running stage 'side'" in out
    assert "Stage 'high' didn't change, skipping" in out and "Running stage 'high'" not in out
    assert (ours / "dvc.lock").read_bytes() == (dvcs / "dvc.lock").read_bytes()
    assert b"value: 1.4" in (ours / "dvc.lock").read_bytes()


# A stage named as the one that runs alone: it writes what it read of params.yaml.
REPORT_STAGE = textwrap.indent(textwrap.dedent("""\
    report:
      cmd: python -c "import yaml; open('report.txt', 'w').write(str(yaml.safe_load(open('params.yaml'))))"
      params: [side]
      outs: [{report.txt: {cache: false, persist: true}}]
    """), "  ")


def _counting_lock_parses(monkeypatch) -> list[str]:
    """The lock files parsed with DVC's round-trip parser from now on (their paths)."""
    import dvc.utils.serialize

    parsed, parse = [], dvc.utils.serialize.parse_yaml_for_update

    def counting(text, path):
        parsed.append(str(path))
        return parse(text, path)

    monkeypatch.setattr(dvc.utils.serialize, "parse_yaml_for_update", counting)
    return parsed


def test_a_stage_that_runs_alone_is_recorded_from_dvc_lock_as_kept_and_the_bytes_are_dvc_repros(tmp_path, monkeypatch,
                                                                                                 capsys):
    """With a stage that runs alone (as the report does), dvc.lock is written twice: before it and after it. The
    second write adds its entry to the document the first one wrote, without parsing the file again; the bytes are
    those `dvc repro` writes."""
    folders = []
    for name in ("ours", "dvc"):
        folder = _project(tmp_path / name)
        (folder / "dvc.yaml").write_text(PROJECT["dvc.yaml"] + REPORT_STAGE)
        _dvc_repro(folder)
        (folder / "params.yaml").write_text(PROJECT["params.yaml"].replace("1.2", "2.2").replace("5", "6"))
        folders.append(folder)
    ours, dvcs = folders
    monkeypatch.chdir(ours)
    parsed = _counting_lock_parses(monkeypatch)
    assert _runner(ours, monkeypatch) == 0
    _dvc_repro(dvcs)
    assert "Running stage 'report'" in capsys.readouterr().out
    assert (ours / "report.txt").read_text() == (dvcs / "report.txt").read_text()
    assert (ours / "dvc.lock").read_bytes() == (dvcs / "dvc.lock").read_bytes()
    assert [Path(path).name for path in parsed] == ["dvc.lock"]  # once, before 'report'; not again after it


def test_dvc_lock_changed_by_another_command_between_two_writes_is_parsed_again(twin, monkeypatch):
    """The kept document is used only while dvc.lock holds exactly what was written: a comment another command added
    in between survives the next write (DVC's round-trip parser keeps comments), so the file was read again."""
    from dvc.repo import Repo

    ours, _ = twin
    _dvc_repro(ours)
    parsed = _counting_lock_parses(monkeypatch)
    lock = ours / "dvc.lock"
    with Repo(str(ours)) as repo:
        stages = {stage.addressing: stage for stage in repo.index.stages}
        document = repro.LockDocument(repo, str(lock))
        before = lock.read_bytes()
        document.dump_stages([stages["low"]])
        document.dump_stages([stages["side"]])
        assert len(parsed) == 1 and lock.read_bytes() == before  # the same entries: the same bytes
        lock.write_text("# written by another command\n" + lock.read_text())
        document.dump_stages([stages["high"]])
    assert len(parsed) == 2
    assert lock.read_text() == "# written by another command\n" + before.decode()


def test_a_failed_stage_is_not_recorded_and_its_status_is_the_runners(twin, monkeypatch, capsys):
    ours, _ = twin
    assert _runner(ours, monkeypatch) == 0
    before = (ours / "dvc.lock").read_text()
    (ours / "dvc.yaml").write_text((ours / "dvc.yaml").read_text().replace("cmd: python -c \"import yaml; v",
                                                                          "cmd: exit 7; python -c \"import yaml; v"))
    (ours / "params.yaml").write_text(PROJECT["params.yaml"].replace("1.2", "2.2").replace("5", "6"))
    capsys.readouterr()
    assert _runner(ours, monkeypatch, jobs=1) == 7
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines()[-1].startswith(
        "ERROR: failed to reproduce 'low': failed to run: exit 7; python -c \"import yaml;")
    assert captured.err.strip().endswith(", exited with 7")
    assert "Running stage 'side'" not in captured.out and "Running stage 'high'" not in captured.out
    assert (ours / "dvc.lock").read_text() == before  # nothing recorded: 'low' failed, the others never started


def test_a_missing_dependency_stops_the_stage_with_dvcs_message(twin, monkeypatch, capsys):
    """'low' no longer writes low.txt (its output dropped from dvc.yaml, the file gone): 'high' depends on a file no
    stage makes, and DVC refuses to run it, as `dvc repro` does."""
    ours, _ = twin
    assert _runner(ours, monkeypatch) == 0
    (ours / "low.txt").unlink()
    low = PROJECT["dvc.yaml"].split("  high:")[0].split("  low:")[1]
    (ours / "dvc.yaml").write_text(PROJECT["dvc.yaml"].replace(low, "\n    cmd: 'true'\n"))
    capsys.readouterr()
    assert _runner(ours, monkeypatch, jobs=1) == repro.DVC_FAILED
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "ERROR: failed to reproduce 'high': dependency 'low.txt' does not exist"]
    assert "Running stage 'side'" not in captured.out


def test_a_stage_that_does_not_write_its_output_fails_with_dvcs_message(twin, monkeypatch, capsys):
    """Its command succeeds, but DVC cannot record it: the same error line as a command that failed, exit 255, and
    its entry in dvc.lock unchanged; the stage beside it is recorded."""
    ours, _ = twin
    assert _runner(ours, monkeypatch) == 0
    before = yaml.safe_load((ours / "dvc.lock").read_text())["stages"]
    (ours / "side.txt").unlink()
    (ours / "dvc.yaml").write_text(PROJECT["dvc.yaml"].replace(
        "cmd: python -c \"import yaml; open('side.txt'", "cmd: true; python -c \"import yaml; open('other.txt'"))
    (ours / "params.yaml").write_text(PROJECT["params.yaml"].replace("1.2", "2.2"))
    capsys.readouterr()
    assert _runner(ours, monkeypatch, jobs=1) == repro.DVC_FAILED
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == ["ERROR: failed to reproduce 'side': output 'side.txt' does not exist"]
    after = yaml.safe_load((ours / "dvc.lock").read_text())["stages"]
    assert after["side"] == before["side"] and after["low"] != before["low"]


def _from_the_terminal(folder: Path, shell: str, command: str, signum: int = signal.SIGINT,
                       send=os.killpg) -> tuple[int, str, int]:
    """The runner on a project whose one stage runs `command` (which writes its process id to `pid`) in `shell`,
    stopped by the terminal's Ctrl-C (or `signum`, sent as the terminal sends it: to the runner's process group; or
    as `send` sends it): the runner's exit status and output (until every process holding it has ended), and the
    stage's process id."""
    runner = _started_from_a_terminal(folder, shell, command)
    send(runner.pid, signum)  # the terminal's Ctrl-C (or hang-up): the whole foreground group
    output = runner.communicate(timeout=60)[0]
    return runner.returncode, output, int((folder / "pid").read_text())


def _started_from_a_terminal(folder: Path, shell: str, command: str, job: bool = False) -> subprocess.Popen:
    """The runner, as a terminal's command, on a project whose one stage runs `command` (which writes its process id
    to `pid`) in `shell`, once the stage has written it. In a session of its own; or, as a job of an interactive
    shell (`job`), in a process group of its own in this session: the kernel discards Ctrl-Z (SIGTSTP) sent to a
    group with no parent elsewhere in its session, so only such a job stops on it by default."""
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"slow": {
        "cmd": command, "outs": [{"slow.txt": {"cache": False, "persist": True}}]}}}))
    runner = subprocess.Popen(
        [sys.executable, "-c", "import faulthandler, signal; faulthandler.register(signal.SIGUSR1, all_threads=True); "
                               "from pathlib import Path; from pipeline import paths, repro; paths.ROOT = Path.cwd(); "
                               "repro.main(['--jobs', '2'])"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        **({"process_group": 0} if job else {"start_new_session": True}),
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
             "PYTHONPATH": str(paths.ROOT), "SHELL": shell},
        preexec_fn=as_a_terminal_command)
    deadline = time.monotonic() + 60
    while not (folder / "pid").is_file() or not (folder / "pid").read_text():
        assert time.monotonic() < deadline and runner.poll() is None, runner.communicate()[0]
        time.sleep(0.1)
    return runner


def _ended(pid: int) -> bool:
    """Gone, or ended and not yet waited for by its new parent (a zombie, which runs nothing)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


# DVC runs a stage's command in $SHELL: bash hands its own process over to the command; dash (/bin/sh on Debian, and
# DVC's shell when $SHELL is unset) starts the command as its child, which the runner must wait for too. A command
# `bin/python -m <module>` is forked from the stage server instead (pipeline/stage_server.py), whatever the shell.
CASES = [("/bin/sh", "new"), ("/bin/bash", "new"), ("/bin/sh", "forked")]
# A stage still 'importing' for a minute: no handler of its own.
SLEEPING = "import os, pathlib, time; pathlib.Path('pid').write_text(str(os.getpid())); time.sleep(60)"
# A stage past its imports: on SIGTERM it takes a second and a half to finish what it holds, then says so and ends
# (its line flushed before `os._exit`, which flushes nothing: only a PYTHONUNBUFFERED in the environment, set on
# the CI machine and by `make repro`, not in a contributor's shell, would print it otherwise). It waits in steps of a
# tenth of a second, not one `time.sleep(60)`: Python runs a handler between two bytecodes, so a SIGTERM whose C
# handler ran just before the sleep began (the stage stopped there by Ctrl-Z, under load, and continued with the
# SIGTERM pending) waits for the whole minute. The test then timed out (a few times in full local runs, once in CI):
# the runner's stack (faulthandler) showed it waiting for the stage as it should, the stage had nothing pending, and
# its handler ran a minute after it started.
FINISHING = ("import os, pathlib, signal, time; signal.signal(signal.SIGTERM, lambda *_: (time.sleep(1.5), "
             "pathlib.Path('ended').write_text('yes'), print('stage: stopped', flush=True), os._exit(130))); "
             "pathlib.Path('pid').write_text(str(os.getpid())); [time.sleep(0.1) for _ in range(600)]")


def _command(folder: Path, code: str, how: str) -> str:
    """The stage's command running `code`: `python -c` in DVC's shell, or a module of the folder run with
    `bin/python -m`, which the runner forks from its stage server (the folder gets the project's bin/python)."""
    if how == "new":
        return f'python -c "{code}"'
    # Preloaded by the server, so there only (a stage that was not forked fails here, before writing its `pid`).
    (folder / "stage_code.py").write_text(f"import sys; assert 'pandas' in sys.modules, 'not forked'; {code}\n")
    (folder / "bin").mkdir(exist_ok=True)
    shutil.copy2(paths.ROOT / "bin" / "python", folder / "bin" / "python")
    return "bin/python -m stage_code"


@pytest.mark.parametrize(("shell", "how"), CASES)
def test_a_closed_terminal_stops_the_stages_too(tmp_path, shell, how):
    """SIGHUP (the terminal closed, the SSH connection lost) reaches the runner alone, as Ctrl-C does: it must stop
    the stages, not leave them running on their own, unrecorded."""
    folder = _project(tmp_path / "ours")
    status, output, stage = _from_the_terminal(folder, shell, _command(folder, SLEEPING, how), signal.SIGHUP)
    assert status == 130, output
    assert "Traceback" not in output, output
    assert _ended(stage)
    assert not (folder / "dvc.lock").exists()


@pytest.mark.parametrize(("shell", "how"), CASES)
def test_ctrl_c_in_the_terminal_stops_a_stage_without_a_traceback(tmp_path, shell, how):
    """Ctrl-C reaches the terminal's foreground process group: the runner alone, which stops the stage with SIGTERM.
    The stage here is still 'importing' (no handler of its own yet): with Ctrl-C it would print Python's traceback;
    it ends without a word, and the runner prints one line naming the stage it stopped, exit 130."""
    folder = _project(tmp_path / "ours")
    command = _command(folder, SLEEPING, how)
    status, output, stage = _from_the_terminal(folder, shell, command)
    assert status == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert output.strip().splitlines() == [
        "Running stage 'slow':", f"> {command}",
        "error: the rebuild was stopped: 'slow' stopped before finishing, its previous outputs unchanged — run `make "
        "repro` (or `dvc repro`) again to go on"], output
    assert _ended(stage)
    assert not (folder / "dvc.lock").exists()  # nothing recorded


@pytest.mark.parametrize(("shell", "how"), CASES)
def test_ctrl_c_waits_for_a_stage_that_finishes_what_it_was_given(tmp_path, shell, how):
    """A stage past its imports stops as its `cli` says, after its pool workers finish the items they hold: the
    runner exits only once the stage's command has ended, whatever the shell, so nothing of the stage's is still
    running (or still writing) when the user gets the prompt back."""
    folder = _project(tmp_path / "ours")
    status, output, _ = _from_the_terminal(folder, shell, _command(folder, FINISHING, how))
    assert status == 130, output
    assert (folder / "ended").is_file(), output  # the stage ended before the runner did
    # The stage's own line first, then the runner's, which says something else: what it stopped.
    assert output.strip().splitlines()[-2:] == [
        "stage: stopped", "error: the rebuild was stopped: 'slow' stopped before finishing, its previous outputs "
                          "unchanged — run `make repro` (or `dvc repro`) again to go on"], output
    assert not (folder / "dvc.lock").exists()


@pytest.mark.parametrize("how", ["new", "forked"])
def test_a_killed_runner_leaves_no_stage_running(tmp_path, how):
    """SIGKILL (by hand, or the kernel's out-of-memory killer) gives the runner no chance to stop its stages, which
    run in process groups of their own: its watchdog stops them (without it the stage sleeps on for a minute), and
    says so in one line. Nothing is recorded."""
    folder = _project(tmp_path / "ours")
    status, output, stage = _from_the_terminal(folder, "/bin/sh", _command(folder, SLEEPING, how), signal.SIGKILL,
                                               send=os.kill)
    assert status == -signal.SIGKILL, output
    assert _ended(stage), output
    assert output.strip().splitlines()[-1] == repro_watchdog.stopped_message(["slow"]), output
    assert "Traceback" not in output, output
    assert not (folder / "dvc.lock").exists()


@pytest.mark.parametrize("how", ["new", "forked"])
def test_a_killed_process_group_leaves_no_stage_running_and_the_watchdog_waits_for_it(tmp_path, how):
    """A CI job cancelled kills the runner's whole process group: the watchdog runs in a session of its own, so it
    outlives that too. It waits until the stage it stopped has ended (here a second and a half after SIGTERM) before
    it ends, so nothing of the stage's is left writing when the output closes."""
    folder = _project(tmp_path / "ours")
    status, output, _ = _from_the_terminal(folder, "/bin/sh", _command(folder, FINISHING, how), signal.SIGKILL)
    assert status == -signal.SIGKILL, output
    assert (folder / "ended").is_file(), output
    assert output.strip().splitlines()[-2:] == ["stage: stopped", repro_watchdog.stopped_message(["slow"])], output
    assert not (folder / "dvc.lock").exists()


# A stage that works for three seconds and more, counting in `ticks` as it goes, then writes its output.
TICKING = ("import os, pathlib, time; pathlib.Path('pid').write_text(str(os.getpid())); "
           "[(pathlib.Path('ticks').write_text(str(tick)), time.sleep(0.05)) for tick in range(60)]; "
           "pathlib.Path('slow.txt').write_text('done')")


@contextmanager
def _terminal_job(folder: Path, code: str, how: str):
    """The runner as a job of an interactive shell (`_started_from_a_terminal`), its stage running `code`; whatever
    the test asserts, nothing of theirs is left stopped or running after it."""
    runner = _started_from_a_terminal(folder, "/bin/sh", _command(folder, code, how), job=True)
    try:
        yield runner
    except subprocess.TimeoutExpired as timeout:  # say what each process was doing: the race is not found yet
        processes = _processes(runner.pid, folder)
        os.kill(runner.pid, signal.SIGUSR1)  # the runner's Python stack, from faulthandler, into its output
        try:
            output = runner.communicate(timeout=3)[0]
        except subprocess.TimeoutExpired as again:
            output = again.output
        raise AssertionError(f"{timeout}\n{output}\n{processes}") from None
    finally:
        if runner.poll() is None:
            for group in {runner.pid, int((folder / "pid").read_text())}:  # the stage's group is its shell's or its own
                for signum in (signal.SIGKILL, signal.SIGCONT):
                    try:
                        os.killpg(os.getpgid(group), signum)
                    except ProcessLookupError:
                        pass
            runner.communicate(timeout=60)


def _processes(runner: int, folder: Path) -> str:
    """Every process of the runner's group, of the stage's, and the runner's watchdog (its own session): pid, group,
    status, the kernel function it waits in, and its command line. Written into a timed-out test's message:
    `test_a_suspended_build_killed_from_the_shell_stops_its_stages` has timed out a few times in a full local run
    (never alone, never in CI), the runner still running a minute after SIGTERM and SIGCONT."""
    groups = {runner}
    try:
        groups.add(os.getpgid(int((folder / "pid").read_text())))
    except (ProcessLookupError, ValueError, OSError):
        pass
    lines = []
    for process in psutil.process_iter(["pid", "status", "cmdline"]):
        try:
            group, command = os.getpgid(process.pid), " ".join(process.info["cmdline"] or [])[:160]
            wchan = Path(f"/proc/{process.pid}/wchan").read_text()
            masks = " ".join(line.replace(":\t", "=") for line in Path(f"/proc/{process.pid}/status").read_text()
                             .splitlines() if line[:6] in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"))
        except (ProcessLookupError, OSError):
            continue
        if group in groups or repro_watchdog.__file__ in command:
            lines.append(f"{process.pid} group {group} {process.info['status']} in {wchan or '-'} ({masks}): "
                         f"{command}")
    return "processes:\n" + "\n".join(lines)


def _suspended(runner: subprocess.Popen, folder: Path) -> None:
    """Ctrl-Z, as the terminal sends it (SIGTSTP to the runner's process group); returns once the runner and the
    stage's process (its `pid`) have both stopped (a process stops when it next runs, a moment after the signal)."""
    os.killpg(runner.pid, signal.SIGTSTP)
    deadline = time.monotonic() + 30
    for process, name in ((runner.pid, "the runner"), (int((folder / "pid").read_text()), "the stage")):
        while psutil.Process(process).status() != psutil.STATUS_STOPPED:
            assert time.monotonic() < deadline and runner.poll() is None, f"{name} did not stop"
            time.sleep(0.05)


@pytest.mark.parametrize("how", ["new", "forked"])
def test_ctrl_z_suspends_the_stages_with_the_build_and_fg_continues_them(tmp_path, how):
    """The stages run in process groups of their own, which the terminal's Ctrl-Z does not reach: the runner stops
    them as it stops, so nothing works on while the shell says the build is stopped; `fg` (SIGCONT to the runner's
    group) continues the runner and it continues them: the build ends as if never suspended."""
    folder = _project(tmp_path / "ours")
    with _terminal_job(folder, TICKING, how) as runner:
        _suspended(runner, folder)
        stage = psutil.Process(int((folder / "pid").read_text()))
        ticks = (folder / "ticks").read_text()
        time.sleep(0.5)
        assert (folder / "ticks").read_text() == ticks and stage.status() == psutil.STATUS_STOPPED  # no tick
        os.killpg(runner.pid, signal.SIGCONT)  # `fg`
        output = runner.communicate(timeout=60)[0]
    assert runner.returncode == 0, output
    assert (folder / "ticks").read_text() == "59" and (folder / "slow.txt").read_text() == "done"
    assert "slow" in yaml.safe_load((folder / "dvc.lock").read_text())["stages"]
    assert "Traceback" not in output, output


@pytest.mark.parametrize("how", ["new", "forked"])
def test_a_suspended_build_killed_from_the_shell_stops_its_stages(tmp_path, how):
    """`kill %1` on the stopped job: the shell sends SIGTERM and then SIGCONT to the runner's group. The runner stops
    the stages, which act on SIGTERM only once they run again, and ends as Ctrl-C ends it."""
    folder = _project(tmp_path / "ours")
    with _terminal_job(folder, FINISHING, how) as runner:
        _suspended(runner, folder)
        os.killpg(runner.pid, signal.SIGTERM)
        os.killpg(runner.pid, signal.SIGCONT)
        output = runner.communicate(timeout=60)[0]
    assert runner.returncode == 130, output
    assert (folder / "ended").is_file(), output
    assert output.strip().splitlines()[-1].startswith("error: the rebuild was stopped: 'slow' stopped"), output
    assert not (folder / "dvc.lock").exists()


def test_a_runner_killed_while_suspended_leaves_no_stage_stopped_for_ever(tmp_path):
    """SIGKILL to a runner that Ctrl-Z has stopped: its stages are stopped too, and a stopped process acts on
    SIGTERM only once continued, so the watchdog continues them after it (else it would wait for ever)."""
    folder = _project(tmp_path / "ours")
    with _terminal_job(folder, FINISHING, "forked") as runner:
        _suspended(runner, folder)
        os.kill(runner.pid, signal.SIGKILL)
        output = runner.communicate(timeout=60)[0]
    assert (folder / "ended").is_file(), output
    assert output.strip().splitlines()[-2:] == ["stage: stopped", repro_watchdog.stopped_message(["slow"])], output


# A stage `bin/python -m probe one two` that says how it was started: its outputs as `dvc repro` makes them, and
# what it saw (in a file DVC does not track, as the libraries already imported differ).
PROBE = textwrap.dedent("""\
    import gc, json, os, sys
    preloaded, frozen = "pandas" in sys.modules, gc.get_freeze_count() > 0
    facts = {"name": __name__, "argv": sys.argv[1:], "file": os.path.basename(sys.argv[0]), "cwd": os.getcwd(),
             "path": sys.path[0], "stage": os.environ.get("DVC_STAGE"), "group": os.getpgid(0), "pid": os.getpid(),
             "preloaded": preloaded, "frozen": frozen}
    open("facts.json", "w").write(json.dumps(facts))
    open("probe.txt", "w").write(" ".join(sys.argv[1:]))
    if sys.argv[1:] == ["fail"]:
        print("probe: failing")
        sys.exit(3)
    if sys.argv[1:] == ["work"]:  # a second of CPU in a pool worker, as a stage's pool does its work
        import concurrent.futures, time
        def work(_):
            started = time.process_time()
            while time.process_time() - started < 1.0:
                pass
        with concurrent.futures.ProcessPoolExecutor(1) as pool:
            list(pool.map(work, [0]))
    """)


def _probe_project(folder: Path, arguments: str = "one two") -> Path:
    _project(folder)
    (folder / "probe.py").write_text(PROBE)
    (folder / "bin").mkdir()
    shutil.copy2(paths.ROOT / "bin" / "python", folder / "bin" / "python")
    (folder / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"probe": {
        "cmd": f"bin/python -m probe {arguments}", "outs": [{"probe.txt": {"cache": False, "persist": True}}]}}}))
    return folder


def test_a_python_stage_is_forked_from_the_stage_server_and_records_what_dvc_repro_records(tmp_path, monkeypatch):
    """`bin/python -m module` is forked from the server that imported pandas: run as `python -m` runs it (as
    __main__, its arguments, the stage's folder first on the path, DVC's variables), in a process group of its own,
    with what the server imported kept out of its garbage collections (gc.freeze);
    its output and dvc.lock are `dvc repro`'s byte for byte. With --new-processes it starts as `dvc repro` starts it."""
    ours, dvcs = _probe_project(tmp_path / "ours"), _probe_project(tmp_path / "dvc")
    monkeypatch.chdir(ours)
    assert _runner(ours, monkeypatch) == 0
    _dvc_repro(dvcs)
    facts = _facts(ours)
    assert facts == {"name": "__main__", "argv": ["one", "two"], "file": "probe.py", "cwd": str(ours),
                     "path": str(ours), "stage": "probe", "group": "its own, led by it", "preloaded": True,
                     "frozen": True}
    # The same under `dvc repro` but for the folder, the libraries imported (and kept out of garbage collections)
    # and the process group (DVC's own).
    assert _facts(dvcs) | {"cwd": str(ours), "path": str(ours)} == facts | {"preloaded": False, "frozen": False,
                                                                            "group": "DVC's"}
    assert (ours / "dvc.lock").read_bytes() == (dvcs / "dvc.lock").read_bytes()
    (ours / "probe.txt").unlink()
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    monkeypatch.setattr(paths, "ROOT", ours)
    assert repro.run(2, fork=False) == 0
    # A new process in DVC's shell: the group is the shell's (dash starts the command as its child; bash hands over).
    assert _facts(ours)["group"] in ("its own, led by it", "its own") and _facts(ours) | {"group": "-"} == facts | {
        "preloaded": False, "frozen": False, "group": "-"}


def _facts(folder: Path) -> dict:
    """What the probe saw, with its process group said against the test's own."""
    facts = json.loads((folder / "facts.json").read_text())
    group, pid = facts.pop("group"), facts.pop("pid")
    facts["group"] = "DVC's" if group == os.getpgid(0) else "its own, led by it" if group == pid else "its own"
    return facts


def test_a_forked_stage_that_fails_gives_its_exit_status_and_is_not_recorded(tmp_path, monkeypatch, capfd):
    folder = _probe_project(tmp_path / "ours", "fail")
    monkeypatch.chdir(folder)
    assert _runner(folder, monkeypatch) == 3
    captured = capfd.readouterr()
    assert "probe: failing" in captured.out
    assert captured.err.strip().splitlines()[-1] == ("ERROR: failed to reproduce 'probe': failed to run: "
                                                     "bin/python -m probe fail, exited with 3")
    assert json.loads((folder / "facts.json").read_text())["preloaded"] is True
    assert not (folder / "dvc.lock").exists()


def test_the_work_of_a_forked_stage_and_its_pool_is_counted_as_the_runners_childrens(tmp_path, monkeypatch):
    """A stage's pool workers are its own children, forked from it (not from the server), and every process is
    waited for: its CPU time is the runner's children's once the runner returns, as with a new process (make bench
    counts a rebuild's work that way)."""
    folder = _probe_project(tmp_path / "ours", "work")
    monkeypatch.chdir(folder)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert _runner(folder, monkeypatch) == 0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert json.loads((folder / "facts.json").read_text())["preloaded"] is True
    assert (after.ru_utime + after.ru_stime) - (used.ru_utime + used.ru_stime) >= 1.0


def test_a_stage_starts_as_a_new_process_when_the_server_has_ended(tmp_path, monkeypatch):
    """A server that failed or was killed does not stop the rebuild: the stage starts in DVC's shell instead."""
    folder = _probe_project(tmp_path / "ours")
    monkeypatch.chdir(folder)
    started = stage_server.Server.__init__

    def dead_on_arrival(self):
        started(self)
        self.process.kill()
        self.process.wait()

    monkeypatch.setattr(stage_server.Server, "__init__", dead_on_arrival)
    assert _runner(folder, monkeypatch) == 0
    assert json.loads((folder / "facts.json").read_text())["preloaded"] is False
    assert (folder / "probe.txt").read_text() == "one two"


def test_a_server_never_asked_to_fork_is_ended_at_once():
    """The runner starts the server before it knows whether any stage will be forked; unused, it is killed (it may
    still be importing), not waited for; used, it ends by itself once the runner closes its requests."""
    unused = stage_server.Server()
    unused.close()
    assert unused.process.returncode == -signal.SIGKILL


def test_a_held_stage_runs_nothing_until_released_and_ends_with_its_server_if_never_released(tmp_path):
    """The runner starts each stage held and releases it once its watchdog knows the stage's process group: a runner
    killed in between (its server ends with it, in its process group) leaves no stage running that the watchdog does
    not know of. Found by a `make test` run on a loaded machine: the watchdog test above, forked, waited 60 s for a
    stage that had started before the watchdog was told."""
    (tmp_path / "marker.py").write_text("import pathlib, sys; pathlib.Path(sys.argv[1]).write_text('ran')\n")
    server = stage_server.Server()
    try:
        released = server.start(["marker", "released.txt"], str(tmp_path), dict(os.environ), held=True)
        never = server.start(["marker", "never.txt"], str(tmp_path), dict(os.environ), held=True)
        time.sleep(1)
        assert released.poll() is None and never.poll() is None  # waiting, both
        assert not (tmp_path / "released.txt").exists() and not (tmp_path / "never.txt").exists()
        released.release()
        assert released.wait() == 0 and (tmp_path / "released.txt").read_text() == "ran"
    finally:
        server.close()  # as when the runner dies: the server ends, and the process never released with it
    assert _ended(never.pid) and not (tmp_path / "never.txt").exists()


def test_the_server_runs_the_python_dvc_yaml_names():
    assert stage_server.PYTHON == dvc_yaml.PYTHON


def test_only_a_plain_python_module_command_of_this_python_is_forked(tmp_path, monkeypatch):
    folder = _probe_project(tmp_path / "ours")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    assert stage_server.python_command("bin/python -m pipeline.figures brazil", str(folder)) == [
        "pipeline.figures", "brazil"]
    for command in ("python -m pipeline.figures", "bin/python -c 'print(1)'", "bin/python -m pipeline.x > log",
                    "bin/python -m pipeline.x && true", "bin/python -m pipeline.x $HOME", "bin/python -m -x",
                    "LANG=C bin/python -m pipeline.x", "bin/python pipeline/x.py"):
        assert stage_server.python_command(command, str(folder)) is None, command
    other = _probe_project(tmp_path / "other")  # its bin/python runs another Python environment
    (other / "bin" / "python").write_text("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n")
    assert stage_server.python_command("bin/python -m pipeline.figures brazil", str(other)) is None


def test_the_watchdog_is_told_each_stage_and_ends_with_the_runner(tmp_path, monkeypatch):
    """On a rebuild that ends well the watchdog is told each stage as it starts and as it ends, and ends with the
    runner, with nothing to stop."""
    told = []
    started, ended, close = repro.Watchdog.started, repro.Watchdog.ended, repro.Watchdog.close
    monkeypatch.setattr(repro.Watchdog, "started", lambda self, group, name: (told.append(("+", name)),
                                                                              started(self, group, name)))
    monkeypatch.setattr(repro.Watchdog, "ended", lambda self, group: (told.append(("-", group)), ended(self, group)))
    watchdogs = []
    monkeypatch.setattr(repro.Watchdog, "close", lambda self: (watchdogs.append(self), close(self)))
    folder = _project(tmp_path / "ours")
    monkeypatch.chdir(folder)
    assert _runner(folder, monkeypatch) == 0
    assert sorted(name for sign, name in told if sign == "+") == ["high", "low", "side"]
    assert sum(sign == "-" for sign, _ in told) == 3
    assert [w.process.returncode for w in watchdogs] == [0]


def test_a_broken_translation_table_stops_the_build_before_any_stage_with_one_message(tmp_path, monkeypatch, capsys):
    """Most stages read the translation table: `make repro` checks it once, before any stage starts, so an author's
    unquoted comma is one message (it was one from each stage running beside another, and one more from the changes
    report). The changes report, run after the failed build, says in a note that it reads the same file."""
    from pipeline import i18n
    from pipeline.changes import __main__ as changes
    from pipeline.changes import compare

    _as_changed_since_dvc_checked(tmp_path, monkeypatch)
    broken = tmp_path / "translations.csv"
    broken.write_text(paths.TRANSLATIONS.read_text(encoding="utf-8").replace(
        '"counts Brazil\'s offence records, not people"', "counts Brazil's offence records, not people", 1),
        encoding="utf-8")
    real_load = i18n.load
    monkeypatch.setattr(i18n, "load", lambda table=broken: real_load(table))
    monkeypatch.setattr(repro, "run", lambda jobs: pytest.fail("a stage started"))
    with pytest.raises(SystemExit) as stopped:
        repro.main(["--jobs", "2"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "5 fields where the header has 4" in err
    assert "translations.csv, row " in err and "quote values that contain commas" in err
    monkeypatch.setattr(compare, "compare", lambda base: pytest.fail("the report was written"))
    changes.main(["--after-failed-build"])
    out = capsys.readouterr()
    assert out.out == "note: no changes report: it reads the file named in the error above\n" and out.err == ""
    real_load.cache_clear()


def _as_changed_since_dvc_checked(tmp_path, monkeypatch) -> None:
    """No record of DVC's last no-op (pipeline.up_to_date): the work tree's, if any, is of its files, not of the
    edited copies these tests put in their place, so the runner checks them as after any change."""
    monkeypatch.setattr(paths, "up_to_date_record", lambda: tmp_path / "no-record.json")


def _copy_with(tmp_path, monkeypatch, attribute: str, old: str, new: str) -> None:
    """The file at paths.<attribute> with one text replaced, as an author's edit, in place of the real one."""
    _as_changed_since_dvc_checked(tmp_path, monkeypatch)
    real = getattr(paths, attribute)
    text = real.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    changed = tmp_path / real.name
    changed.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(paths, attribute, changed)


@pytest.mark.parametrize(("attribute", "old", "new", "expected"), [
    ("PARAMS", "languages: [en, es, pt]", "languages: [en, es, fr]",
     "'report.languages' is 'fr', not a language of the translation table (data/translations.csv)"
     " — use one of: en, es, pt"),
    ("PARAMS", "  outlier_treatment:", "  outlier_treatmnt:",
     "'brazil.outlier_treatmnt': not a key of this section (did you mean "
     "'outlier_treatment'?)"),
    ("CITATION", "\nversion: ", "\nversio: ",
     "no 'version': the how-to-cite line of every page, profile and values file names the "
     "authors, title and version"),
    ("CITATION", "  - name: The briefing-pipeline maintainers", "  - nme: The briefing-pipeline maintainers",
     "author 1 has no 'name' (an organisation) or 'given-names' and 'family-names' (a person)"),
    ("SOURCES", "\nsources:", "\nsource:", "no 'sources:' mapping of source ids"),
], ids=["language-not-translated", "params-key-misspelt", "citation-without-version", "citation-author-unnamed",
        "sources-without-mapping"])
def test_a_mistake_in_a_file_many_stages_read_stops_the_build_before_any_stage_with_one_message(
        tmp_path, monkeypatch, capsys, attribute, old, new, expected):
    """params.yaml, CITATION.cff and data/sources.yaml are read by many stages, several of which run side by side:
    checked once before any stage starts, a mistake in one is one message (a language the translation table lacks
    was two messages from two stages and a third, about a missing translation key, from the changes report; a
    CITATION.cff without its version was an unexpected KeyError, reported as a bug, from each stage). The runner's
    check is not logged as a stage's read of params.yaml (the clean rebuild compares each stage's reads with what
    dvc.yaml declares)."""
    from pipeline import citation, params
    from pipeline.changes import __main__ as changes
    from pipeline.changes import compare

    _copy_with(tmp_path, monkeypatch, attribute, old, new)
    citation.read.cache_clear()
    log = tmp_path / "params-read.jsonl"
    monkeypatch.setenv(params.READ_LOG_ENV, str(log))
    monkeypatch.setattr(repro, "run", lambda jobs: pytest.fail("a stage started"))
    try:
        with pytest.raises(SystemExit) as stopped:
            repro.main(["--jobs", "2"])
        assert stopped.value.code == 1
        err = capsys.readouterr().err
        where = tmp_path / getattr(paths, attribute).name  # the edited copy
        assert err.count("\n") == 1 and err.startswith(f"error: {where}: {expected}"), err
        assert "Traceback" not in err and "unexpected" not in err
        monkeypatch.setattr(compare, "compare", lambda base: pytest.fail("the report was written"))
        changes.main(["--after-failed-build"])
        out = capsys.readouterr()
        assert out.out == "note: no changes report: it reads the file named in the error above\n" and out.err == ""
        assert not log.exists()
    finally:
        citation.read.cache_clear()


@pytest.mark.parametrize(("old", "new", "expected"), [
    (",", ";", "row 1: separated by ';' where commas are expected"),
    (",persons_held,female,635,", ",persons_held,female,\"635,5\",", "row 2, column 'value': value '635,5' is not a "
                                                                     "number — write it with a decimal point"),
], ids=["semicolons", "decimal-comma"])
def test_a_mistake_in_the_registry_of_published_figures_is_one_message_before_any_stage(
        tmp_path, monkeypatch, capsys, old, new, expected):
    """Four stages read data/published/figures.csv, two of which may run side by side: a registry saved by a
    spreadsheet under Spanish or Portuguese settings was the same message from each."""
    _as_changed_since_dvc_checked(tmp_path, monkeypatch)
    registry = tmp_path / "figures.csv"
    registry.write_text(paths.PUBLISHED_FIGURES.read_text(encoding="utf-8").replace(old, new, 1 if old != "," else -1),
                        encoding="utf-8")
    monkeypatch.setattr(paths, "PUBLISHED_FIGURES", registry)
    monkeypatch.setattr(repro, "run", lambda jobs, fork: pytest.fail("a stage started"))
    with pytest.raises(SystemExit) as stopped:
        repro.main(["--jobs", "2"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {registry}, {expected}"), err


def test_the_check_before_any_stage_passes_the_committed_files_and_logs_no_read(tmp_path, monkeypatch):
    from pipeline import params

    log = tmp_path / "params-read.jsonl"
    monkeypatch.setenv(params.READ_LOG_ENV, str(log))
    repro.check_shared_inputs()
    assert not log.exists()
    params.read(params.settings.Report)  # a stage's read is logged
    assert log.exists()


def test_the_builds_running_are_the_live_processes_other_than_this_one_in_dvcs_read_write_lock(tmp_path, monkeypatch):
    """What the message of a second build names (tests/system/test_two_builds.py runs the two builds): each live
    process DVC's lock lists, once, with its command; not this process, not one that has ended; nothing from a lock
    file that is absent or not as DVC writes it."""
    import json
    import os
    import subprocess
    import sys

    rwlock = tmp_path / "rwlock"
    monkeypatch.setattr(paths, "dvc_rwlock", lambda: rwlock)
    assert repro.builds_running() == []
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        rwlock.write_text(json.dumps({
            "write": {"/p/a": {"pid": alive.pid, "cmd": "repro.py (codebook)"},
                      "/p/b": {"pid": alive.pid, "cmd": "repro.py (codebook)"},
                      "/p/c": {"pid": int(ended.stdout), "cmd": "repro.py (report)"},
                      "/p/d": {"pid": os.getpid(), "cmd": "repro.py (values)"}},
            "read": {"/p/e": [{"pid": alive.pid, "cmd": "repro.py (claims)"}]}}), encoding="utf-8")
        assert repro.builds_running() == [f"process {alive.pid}: repro.py (claims)",
                                          f"process {alive.pid}: repro.py (codebook)"]
    finally:
        alive.kill()
        alive.wait()
    rwlock.write_text("{not json", encoding="utf-8")
    assert repro.builds_running() == []
