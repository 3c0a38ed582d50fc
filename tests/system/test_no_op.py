"""A `make repro` with nothing to do, as a researcher runs it again (README): in a built copy, from a shell without
the venv. The first time DVC is asked and finds nothing to do; from then on, while no file moves, neither DVC nor
the changes report's comparison is run again (pipeline/up_to_date.py), and the output says so. Once an output is
edited, DVC is asked again, reruns its stage, and the output is the committed one again. (An edit that keeps the
size and puts the modification time back voids the record too, tests/test_up_to_date.py; DVC itself, which knows a
file's hash by its inode, size and modification time, then finds nothing to do.)"""

from __future__ import annotations

import time

import pytest
from system import built_copy

from pipeline import repro, up_to_date


def _after_the_margin() -> None:
    """Files written less than up_to_date.MARGIN_NS before a check leave no record: wait past it."""
    time.sleep(up_to_date.MARGIN_NS / 1e9 + 0.2)


@pytest.mark.e2e
def test_a_second_make_repro_with_nothing_to_do_asks_neither_dvc_nor_the_comparison(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    env = built_copy.plain_environment()
    _after_the_margin()  # the copy was just written

    asked = built_copy.run("make repro", copy, env)
    assert asked.returncode == 0, asked.stdout[-3000:]
    assert "Data and pipelines are up to date.\n" in asked.stdout and repro.NO_FILE_CHANGED not in asked.stdout
    summary = next(line for line in asked.stdout.splitlines() if line.startswith("changes against HEAD"))
    where = ("the briefing: reports/briefing.html (reports/briefing-es.html, reports/briefing-pt.html) — open it in a "
             "browser")
    assert asked.stdout.rstrip("\n").splitlines()[-1] == where  # the last line says where to look
    records = [copy / ".dvc" / "tmp" / name for name in ("briefing-up-to-date.json",
                                                        "briefing-changes-up-to-date.json")]
    assert all(record.is_file() for record in records)

    # Python's own import log shows what each command loaded: neither DVC's repository nor the comparison.
    again = built_copy.run("make repro", copy, {**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert again.returncode == 0, again.stdout[-3000:]
    assert repro.NO_FILE_CHANGED + "\n" in again.stdout and summary + "\n" + where + "\n" in again.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stdout.splitlines()
                if line.startswith("import time:")}
    assert {"pipeline.up_to_date", "pipeline.changes"} <= imported  # the log is there
    assert not {"dvc.repo", "pandas", "pipeline.changes.compare"} & imported

    codebook = copy / "reports" / "codebook.md"
    committed = codebook.read_bytes()
    codebook.write_bytes(committed.replace(b"indicator", b"indicatur", 1))  # an author's edit of an output
    rerun = built_copy.run("make repro", copy, env)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert "Running stage 'codebook'" in rerun.stdout and repro.NO_FILE_CHANGED not in rerun.stdout
    assert codebook.read_bytes() == committed
    assert not any(record.exists() for record in records)  # a run that ran a stage keeps no record
