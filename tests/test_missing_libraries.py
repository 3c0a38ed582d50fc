"""A stage run by a Python without the project's libraries (pipeline/missing_libraries.py): `dvc repro` before
`make setup`, whose `bin/python` then runs the `python` on PATH. One line saying what to do, no traceback."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dvc_projects import dvc_project

from pipeline import errors, missing_libraries, paths

COMMAND = "pipeline.code_inputs"  # a stage's module, which imports libraries (yaml, babel…)
NAMED = re.compile(r"no module named '([\w.]+)'")


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> Path:
    """A Python with the standard library only: a virtual environment of this Python, nothing installed."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv / "bin" / "python"


def _with_the_package(folder: Path) -> Path:
    """`folder` holding the project's package (linked) and `bin/python`, as a checkout without .venv holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pipeline").symlink_to(paths.ROOT / "pipeline", target_is_directory=True)
    (folder / "bin").mkdir()
    shutil.copy2(paths.ROOT / "bin" / "python", folder / "bin" / "python")
    return folder


def _expected(python: str, line: str) -> str:
    """The line for the library `line` names (the first the command imports), which must be a library of this
    environment, not a module of the project's."""
    library = NAMED.search(line).group(1)
    assert library != "pipeline" and importlib.util.find_spec(library) is not None, library
    return (f"error: this Python ({python}) lacks the project's libraries (no module named '{library}') — run `make "
            "setup`: it makes .venv with the locked versions, which `bin/python` (so `dvc repro`) and `make repro` "
            "use; or install them into this Python (`pip install -r requirements.lock -e .`)")


def test_a_command_started_by_a_python_without_the_libraries_says_so_in_one_line(tmp_path, bare_python):
    folder = _with_the_package(tmp_path / "checkout")
    ran = subprocess.run([str(bare_python), "-m", COMMAND], cwd=folder, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin"})
    assert ran.returncode == 1
    assert ran.stderr.splitlines() == [_expected(str(bare_python), ran.stderr)]
    assert ran.stdout == "" and sorted(path.name for path in folder.iterdir()) == ["bin", "pipeline"]


def test_a_command_typed_with_another_python_after_make_setup_names_the_checkouts_venv(tmp_path, bare_python):
    """The README's `.venv/bin/python -m pipeline.changes …` typed as `python -m …` (a newcomer did): the checkout
    has its .venv, so the line says to run the command with it rather than `make setup` again."""
    folder = _with_the_package(tmp_path / "checkout")
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "python").symlink_to(sys.executable)
    ran = subprocess.run([str(bare_python), "-m", COMMAND], cwd=folder, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin"})
    assert ran.returncode == 1
    library = NAMED.search(ran.stderr).group(1)
    assert ran.stderr.splitlines() == [
        f"error: this Python ({bare_python}) lacks the project's libraries (no module named '{library}') — this "
        "checkout has them in .venv (`make setup`): run the command with `.venv/bin/python` (as the README writes "
        "it), or activate the venv first (`source .venv/bin/activate`)"]


def test_dvc_repro_before_make_setup_gives_that_line_for_the_stage(tmp_path, bare_python):
    """The user's path: no .venv, a `python` on PATH without the libraries, `dvc repro`."""
    folder = dvc_project(tmp_path / "project", {"dvc.yaml": textwrap.dedent(f"""\
        stages:
          code:
            cmd: bin/python -m {COMMAND}
            outs: [{{out.txt: {{cache: false, persist: true}}}}]
        """)})
    _with_the_package(folder)
    ran = subprocess.run([sys.executable, "-m", "dvc", "repro"], cwd=folder, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PATH": f"{bare_python.parent}:/usr/bin:/bin",
                                           "DVC_NO_ANALYTICS": "1"})
    output = ran.stdout + ran.stderr
    assert ran.returncode != 0
    assert "Traceback" not in output, output
    assert _expected(str(bare_python), output) in output.splitlines(), output
    assert output.splitlines()[-1] == (f"ERROR: failed to reproduce 'code': failed to run: bin/python -m {COMMAND}, "
                                       "exited with 1")


def test_a_library_imported_where_it_is_used_is_named_too_and_a_missing_module_of_the_project_is_a_bug(capsys):
    def needs(name):
        def main():
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        main.__module__ = "pipeline.chapters.brazil.__main__"
        return errors.cli(main)

    with pytest.raises(SystemExit) as stopped:
        needs("pyarrow.parquet")()
    assert stopped.value.code == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {missing_libraries.message('pyarrow')}"]
    assert missing_libraries.missing(ModuleNotFoundError("No module named 'pipeline.nothing'",
                                                         name="pipeline.nothing")) is None
    assert missing_libraries.missing(ImportError("cannot import name 'x' from 'pandas'", name="pandas")) is None
