"""A researcher edits the pipeline's code and runs `dvc repro` (README) in a built copy: the `code` stage rewrites
each stage's list of the modules it runs (pipeline/code_inputs/), and exactly the stages whose list changed rerun.
Python's compiled files (`__pycache__`) are not code: writing them changes nothing."""

from __future__ import annotations

import subprocess

import pytest
from system import built_copy

from pipeline import paths


def _stages_run(output: str) -> list[str]:
    return sorted(line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '"))


@pytest.mark.e2e
def test_an_edit_of_one_stages_module_reruns_that_stage_alone_under_dvc_repro(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    env = built_copy.plain_environment()
    listed = copy / paths.relative(paths.code_inputs_file("codebook"))
    before = listed.read_text(encoding="utf-8")
    outputs = {name: (copy / name).read_bytes() for name in ("reports/codebook.md", "reports/codebook.csv")}

    # Compiled files written beside the code (as any Python run may) leave every stage up to date.
    cache = copy / "pipeline" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "codebook.cpython-311.pyc").write_bytes(b"not code")
    status = built_copy.run(".venv/bin/dvc status", copy, env)
    assert status.returncode == 0 and "Data and pipelines are up to date." in status.stdout, status.stdout

    # An edit of the codebook's own module, and of a module no stage runs (the README's diagram writer).
    for name in ("pipeline/codebook.py", "pipeline/readme.py"):
        with (copy / name).open("a", encoding="utf-8") as handle:
            handle.write("# a researcher's note\n")
    rerun = built_copy.run(".venv/bin/dvc repro", copy, env)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert _stages_run(rerun.stdout) == ["code", "codebook"], rerun.stdout[-3000:]
    assert "Stage 'report' didn't change, skipping" in rerun.stdout
    after = listed.read_text(encoding="utf-8")
    changed = sorted(set(after.splitlines()) ^ set(before.splitlines()))
    assert [line.split("  ")[1] for line in changed] == ["pipeline/codebook.py"] * 2  # its old md5, its new one
    checked = subprocess.run(["md5sum", "--check", "--quiet", paths.relative(paths.code_inputs_file("codebook"))],
                             cwd=copy, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {name: (copy / name).read_bytes() for name in outputs} == outputs  # a comment changes no output
    again = built_copy.run(".venv/bin/dvc repro", copy, env)
    assert again.returncode == 0 and _stages_run(again.stdout) == [], again.stdout[-3000:]
