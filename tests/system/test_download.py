"""The project's files without git's repository, as a researcher has them after downloading them (a forge's
'Download ZIP') instead of cloning: DVC needs git, so `make repro` (README) must stop with one message that says so
and how to go on, change nothing, and work once the folder is made a repository as the message says."""

from __future__ import annotations

import shutil

import pytest
from system import built_copy

OUTPUT_FOLDERS = ("figures", "reports", "data/processed")


def _outputs(copy) -> dict[str, tuple[int, int]]:
    """Every output file (and dvc.lock) by path: its size and modification time."""
    files = [copy / "dvc.lock", *(path for folder in OUTPUT_FOLDERS for path in (copy / folder).rglob("*"))]
    return {str(path.relative_to(copy)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in files if path.is_file()}


@pytest.mark.e2e
def test_make_repro_in_a_download_without_git_says_how_to_make_it_a_repository(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    shutil.rmtree(copy / ".git")  # the files as downloaded: no repository (the copy's files keep their times)
    env = built_copy.plain_environment()
    before = _outputs(copy)

    stopped = built_copy.run("make repro", copy, env)
    assert stopped.returncode == 2, stopped.stdout[-3000:]
    errors = [line for line in stopped.stdout.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {copy} is not a git repository, and DVC needs one (a download of the project's files, "
                      "such as a 'Download ZIP', is not a clone) — clone the project with `git clone`, or make this "
                      "folder a repository: `git init && git add -A && git commit -m 'the project as downloaded'`; "
                      "then `make repro` again"], stopped.stdout[-3000:]
    assert ("note: no changes report: it compares with the last commit, and this folder is not a git repository"
            in stopped.stdout)
    assert "Traceback" not in stopped.stdout
    assert _outputs(copy) == before

    # The message's way out, as typed (with an identity for the commit, which a fresh shell may lack).
    identity = {"GIT_AUTHOR_NAME": "r", "GIT_AUTHOR_EMAIL": "r@localhost", "GIT_COMMITTER_NAME": "r",
                "GIT_COMMITTER_EMAIL": "r@localhost"}
    made = built_copy.run("git init -q && git add -A && git commit -qm 'the project as downloaded'", copy,
                          {**env, **identity})
    assert made.returncode == 0, made.stdout
    rebuilt = built_copy.run("make repro", copy, env)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    assert "Data and pipelines are up to date." in rebuilt.stdout, rebuilt.stdout
    after = _outputs(copy)
    report = {name for name in after if name.startswith("reports/changes")}  # written after every build (ignored)
    assert report and {name: after[name] for name in after if name not in report} == before
