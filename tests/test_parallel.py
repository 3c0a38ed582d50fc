"""Work side by side (pipeline/parallel.py): the results in the items' order, one process when one is enough, and
no traceback from a worker when the work is stopped, by Ctrl-C (a plain `dvc repro`: every process of the terminal's
group) or by SIGTERM (`make repro`: the stage's process group)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from terminal import as_a_terminal_command

from pipeline import parallel, paths


def _square(number: int) -> int:
    return number * number


def _pid(_) -> int:
    return os.getpid()


def _dispositions(_) -> tuple:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)


def test_results_come_in_the_items_order():
    assert parallel.fork_map(_square, range(9), 2) == [n * n for n in range(9)]
    assert parallel.fork_map(_square, [], 2) == []


def test_one_worker_or_one_item_runs_in_this_process():
    assert parallel.fork_map(_pid, [1, 2, 3], 1) == [os.getpid()] * 3
    assert parallel.fork_map(_pid, [1], 4) == [os.getpid()]
    assert os.getpid() not in parallel.fork_map(_pid, [1, 2], 2)


def test_a_worker_leaves_ctrl_c_sigterm_and_sighup_to_its_parent():
    assert parallel.fork_map(_dispositions, [1, 2], 2) == [(signal.SIG_IGN,) * 3] * 2


_HELD = {"value": "before the first submit"}


def _held(_) -> str:
    return _HELD["value"]


def _fails(number: int) -> int:
    if number == 1:
        raise ValueError("item 1 is wrong")
    return number


def test_a_pools_workers_start_with_what_this_process_held_at_the_first_submit():
    """The report submits each language's spreadsheets, then asks DVC for the pipeline's state while they are
    written: work submitted later is sent its arguments, the workers already hold the rest."""
    with parallel.fork_pool(2) as pool:
        first = pool.submit(_held, 1)
        _HELD["value"] = "changed after it"
        later = pool.submit(_held, 2)
        assert [first.result(), later.result()] == ["before the first submit"] * 2
        assert pool.submit(_pid, 3).result() != os.getpid()
    _HELD["value"] = "before the first submit"


def test_a_pool_of_one_is_this_process_and_its_work_runs_as_it_is_submitted():
    with parallel.fork_pool(1) as pool:
        assert pool.submit(_pid, 1).result() == os.getpid()
        with pytest.raises(ValueError, match="item 1 is wrong"):  # raised by submit itself: nothing after it runs
            pool.submit(_fails, 1)


def test_a_failure_in_a_pool_reaches_the_caller_and_the_pool_ends():
    with pytest.raises(ValueError, match="item 1 is wrong"):
        with parallel.fork_pool(2) as pool:
            futures = [pool.submit(_fails, number) for number in range(4)]
            [future.result() for future in futures]
    assert all(future.done() for future in futures)


# A stage of its own: eight items of 2 s on two workers, under the stages' `cli`; each item leaves a file when it
# starts.
STAGE = textwrap.dedent("""\
    import pathlib, time
    from pipeline import parallel
    from pipeline.errors import cli

    def item(number):
        pathlib.Path(f"item-{number}").write_text("")
        time.sleep(2)
        return number

    @cli
    def main():
        parallel.fork_map(item, range(8), 2)

    main()
    """)


@pytest.mark.parametrize("signum, group", [(signal.SIGINT, "every process (a plain dvc repro)"),
                                           (signal.SIGTERM, "the stage's group (make repro)"),
                                           (signal.SIGHUP, "every process (the terminal closed)")])
def test_a_stopped_stage_says_so_in_one_line_and_its_workers_print_nothing(tmp_path, signum, group):
    (tmp_path / "stage.py").write_text(STAGE)
    stage = subprocess.Popen([sys.executable, "stage.py"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, start_new_session=True,
                             env={**os.environ, "PYTHONPATH": str(paths.ROOT)},
                             preexec_fn=as_a_terminal_command)
    deadline = time.monotonic() + 60
    while not {"item-0", "item-1"} <= {path.name for path in tmp_path.iterdir()}:
        assert time.monotonic() < deadline and stage.poll() is None, stage.communicate()[0]
        time.sleep(0.05)
    os.killpg(stage.pid, signum)
    output = stage.communicate(timeout=60)[0]
    assert stage.returncode == 130, output
    assert output.splitlines() == ["error: interrupted before the stage finished — nothing was written; the previous "
                                   "outputs are unchanged: run the command (or `dvc repro`) again"], output
    # The items the workers held were finished, and those the pool had queued for them (as many as its workers, and
    # one); the others never started.
    assert {path.name for path in tmp_path.glob("item-*")} <= {f"item-{n}" for n in range(5)}
