"""The parallel runner (pipeline/repro.py): a stage starts only once every stage it depends on has finished, at
most `--jobs` at once, and after a failure no stage starts and the exit status is the failed stage's."""

from __future__ import annotations

import pytest

from pipeline import repro

# a -> b, a -> c, (b, c) -> d; e independent
ORDER = ["a", "e", "b", "c", "d"]
UPSTREAM = {"a": set(), "e": set(), "b": {"a"}, "c": {"a"}, "d": {"b", "c"}}


class FakeStages:
    """Popen stand-in: each stage 'runs' for two polls; records starts, what was done then, and concurrency."""

    def __init__(self, failing: str | None = None):
        self.failing, self.started, self.running, self.most = failing, [], set(), 0
        self.finished: set[str] = set()

    def __call__(self, command, cwd=None):
        stage = command[-1]
        assert command[-3:-1] == ["repro", "--single-item"] and "--wait-for-lock" in command
        self.started.append((stage, frozenset(self.finished)))
        self.running.add(stage)
        self.most = max(self.most, len(self.running))
        fake = self

        class Process:
            polls, returncode = 0, None

            def poll(self):
                self.polls += 1
                if self.polls >= 2:
                    self.returncode = 3 if stage == fake.failing else 0
                    fake.running.discard(stage)
                    fake.finished.add(stage)
                return self.returncode

            def wait(self):
                return self.poll()

        return Process()


@pytest.fixture
def stages(monkeypatch):
    def make(failing=None):
        fake = FakeStages(failing)
        monkeypatch.setattr(repro, "plan", lambda: (list(ORDER), {k: set(v) for k, v in UPSTREAM.items()}))
        monkeypatch.setattr(repro.subprocess, "Popen", fake)
        monkeypatch.setattr(repro.time, "sleep", lambda seconds: None)
        return fake
    return make


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_each_stage_starts_after_its_upstream_and_at_most_jobs_at_once(stages, jobs):
    fake = stages()
    assert repro.run(jobs) == 0
    assert sorted(stage for stage, _ in fake.started) == sorted(ORDER)
    for stage, done_then in fake.started:
        assert UPSTREAM[stage] <= done_then, f"{stage} started before {UPSTREAM[stage] - done_then}"
    assert fake.most <= jobs and fake.most >= min(jobs, 2)  # a and e side by side when two may run
    if jobs == 1:
        assert [stage for stage, _ in fake.started] == ORDER  # dvc repro's own order


def test_after_a_failure_no_stage_starts_and_the_exit_status_is_the_failed_stages(stages):
    fake = stages(failing="a")
    assert repro.run(2) == 3
    assert [stage for stage, _ in fake.started] == ["a", "e"]  # e was already running beside a; nothing after


def test_nothing_to_do_runs_nothing(monkeypatch, capsys):
    monkeypatch.setattr(repro, "plan", lambda: ([], {}))
    monkeypatch.setattr(repro.subprocess, "Popen", lambda *a, **k: pytest.fail("a stage was started"))
    assert repro.run(2) == 0
    assert "up to date" in capsys.readouterr().out


def test_jobs_below_one_is_refused():
    with pytest.raises(SystemExit) as stopped:
        repro.main(["--jobs", "0"])
    assert stopped.value.code != 0


def test_a_stage_that_asks_for_every_stages_status_runs_alone(stages, monkeypatch):
    """As 'report' does: it starts once nothing else runs, and nothing starts beside it ('e' is ready all along)."""
    monkeypatch.setattr(repro, "ALONE", {"b"})
    fake = stages()
    assert repro.run(3) == 0
    starts = [stage for stage, _ in fake.started]
    b_done = next(done for stage, done in fake.started if stage == "b")
    assert {"a", "e"} <= b_done  # b waited for e, which ran beside a, to finish
    after_b = [done for stage, done in fake.started if starts.index(stage) > starts.index("b")]
    assert after_b and all("b" in done for done in after_b)  # nothing started while b ran


def test_ready_stages_start_while_a_stage_that_runs_alone_waits(stages, monkeypatch):
    """'b' runs alone; when it is ready 'r' is running and 'c' is ready too: 'c' starts beside 'r' rather than waiting
    behind 'b' (as 'codebook' waited behind 'report'), and 'b' starts once both have finished."""
    monkeypatch.setattr(repro, "ALONE", {"b"})
    fake = stages()
    monkeypatch.setattr(repro, "plan", lambda: (["a", "r", "b", "c"], {"a": set(), "r": {"a"}, "b": {"a"},
                                                                          "c": {"a"}}))
    assert repro.run(2) == 0
    starts = [stage for stage, _ in fake.started]
    assert starts == ["a", "r", "c", "b"]
    assert {"r", "c"} <= next(done for stage, done in fake.started if stage == "b")


def test_the_report_stage_is_the_one_that_runs_alone():
    assert repro.ALONE == {"report"} and "report" in repro.plan.__globals__["state"].STAGE
