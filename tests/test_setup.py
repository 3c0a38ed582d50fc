"""`make setup`'s choice of Python (bin/make-venv), run as a user runs it: `make setup` in a folder holding the
project's Makefile, pyproject.toml and requirements.lock, with a PATH that holds only what the case needs.

Without the check, a `python3` of another minor release (Ubuntu 24.04's is 3.12) made a .venv that uv filled
without a word (it installed the project despite pyproject.toml's requires-python), and every executed notebook
then recorded another Python than the committed ones."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline import paths

MAKE_VENV = paths.ROOT / "bin" / "make-venv"
VERSION = re.search(r"^PYTHON_VERSION := (\S+)$", (paths.ROOT / "Makefile").read_text(), re.M).group(1)
OTHER = "3.12"


def test_the_makefiles_python_is_the_one_pyproject_and_environment_yml_ask_for():
    requires = re.search(r'^requires-python = "(.*)"$', (paths.ROOT / "pyproject.toml").read_text(), re.M).group(1)
    major, minor = VERSION.split(".")
    assert requires == f">={major}.{minor},<{major}.{int(minor) + 1}"
    conda = yaml.safe_load((paths.ROOT / "environment.yml").read_text())["dependencies"]
    assert f"python={VERSION}" in conda
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == VERSION  # the tests run on it too


def _fake_python(folder: Path, name: str, version: str) -> Path:
    """A `name` on PATH that answers the version question as Python `version` would (and can do nothing else)."""
    folder.mkdir(parents=True, exist_ok=True)
    fake = folder / name
    fake.write_text(f"#!/bin/sh\necho {version}\n")
    fake.chmod(0o755)
    return fake


def _tools(folder: Path) -> Path:
    """A PATH folder with make, the shell and the commands the recipe's first step (and a fake Python) call, and no
    Python at all."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in ("make", "sh", "rm", "grep", "mkdir", "dirname"):
        (folder / tool).symlink_to(shutil.which(tool))
    return folder


def _project(folder: Path) -> Path:
    (folder / "bin").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(paths.ROOT / name, folder / name)
    shutil.copy2(MAKE_VENV, folder / "bin" / MAKE_VENV.name)
    return folder


def _make_setup(project: Path, tools: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "setup", *arguments], cwd=project, capture_output=True, text=True, timeout=120,
                          env={"HOME": os.environ.get("HOME", "/tmp"), "PATH": str(tools)})


def test_make_setup_without_the_projects_python_says_what_to_do_and_makes_nothing(tmp_path):
    project, tools = _project(tmp_path / "repo"), _tools(tmp_path / "tools")
    _fake_python(tools, "python3", OTHER)
    setup = _make_setup(project, tools)
    assert setup.returncode == 2, setup.stderr
    errors = [line for line in setup.stderr.splitlines() if not line.startswith("make: ***")]
    assert errors == [
        f"error: make setup: this project needs Python {VERSION} (pyproject.toml), and `python3` is Python {OTHER} "
        f"and there is no python{VERSION} on PATH — install Python {VERSION} (`uv python install {VERSION}`, "
        f"`pyenv install {VERSION}`, your system's package, or use conda: `conda env create -f environment.yml`), "
        f"then run `make setup PYTHON=/path/to/python{VERSION}`"]
    assert setup.stdout == ""
    assert sorted(path.name for path in project.iterdir()) == ["Makefile", "bin", "pyproject.toml",
                                                               "requirements.lock"]
    # A PYTHON given that is not there at all: the same, naming it.
    setup = _make_setup(project, tools, "PYTHON=/opt/python3.11/bin/python3")
    assert "`/opt/python3.11/bin/python3` is not a Python that runs here" in setup.stderr
    assert setup.returncode == 2 and not (project / ".venv").exists()


@pytest.mark.parametrize("venv_python", ["another", "gone"])
def test_a_venv_made_by_another_python_is_named_and_left_as_it_is(tmp_path, venv_python):
    project, tools = _project(tmp_path / "repo"), _tools(tmp_path / "tools")
    if venv_python == "another":
        _fake_python(project / ".venv" / "bin", "python", OTHER)
        made_with = f"Python {OTHER}"
    else:  # a link to a Python since removed (the venv of a pyenv version uninstalled)
        (project / ".venv" / "bin").mkdir(parents=True)
        (project / ".venv" / "bin" / "python").symlink_to(tmp_path / "removed" / "python3")
        made_with = "a Python that no longer runs"
    before = sorted(str(path.relative_to(project)) for path in project.rglob("*"))
    setup = _make_setup(project, tools)
    assert setup.returncode == 2
    assert setup.stderr.splitlines()[0] == (
        f"error: make setup: .venv was made with {made_with}, and this project needs Python {VERSION} "
        "(pyproject.toml) — remove it (`rm -rf .venv`) and run `make setup` again")
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*")) == before


def test_a_venv_linked_to_another_checkouts_is_refused_not_pointed_here(tmp_path):
    """Two checkouts sharing one environment (`.venv` a link to the other's): `make setup` here, once this
    pyproject.toml is newer than the environment's install, would install this checkout's project into it, and the
    other checkout would then import this one's code without a word. It stops, naming the link, and changes nothing;
    a link to an environment kept outside any checkout is used as it is."""
    other, tools = _project(tmp_path / "other"), _tools(tmp_path / "tools")
    (tools / f"python{VERSION}").symlink_to(sys.executable)
    _fake_python(other / ".venv" / "bin", "python", VERSION)
    project = _project(tmp_path / "repo")
    (project / ".venv").symlink_to(other / ".venv", target_is_directory=True)
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    setup = _make_setup(project, tools)
    assert setup.returncode == 2
    assert setup.stderr.splitlines()[0] == (
        f"error: make setup: .venv is a link to {other / '.venv'}, the environment of another checkout; installing "
        "this one into it would make that checkout import this one's code — remove the link (`rm .venv`) and run "
        "`make setup` again to give this checkout its own")
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before
    # An environment kept elsewhere (no pyproject.toml beside it): the check lets it through to the next step.
    kept = tmp_path / "envs" / "briefing"
    _fake_python(kept / "bin", "python", VERSION)
    (project / ".venv").unlink()
    (project / ".venv").symlink_to(kept, target_is_directory=True)
    made = subprocess.run(["sh", str(MAKE_VENV), VERSION, "python3", ".venv"], cwd=project, capture_output=True,
                          text=True, timeout=60, env={"PATH": str(tools)})
    assert (made.returncode, made.stderr) == (0, "")


def test_with_python3_of_another_release_the_venv_is_made_with_the_versioned_python_beside_it(tmp_path):
    """Ubuntu 24.04 with python3.11 installed beside its python3 (3.12): that one is used, and said so."""
    tools = _tools(tmp_path / "tools")
    _fake_python(tools, "python3", OTHER)
    (tools / f"python{VERSION}").symlink_to(sys.executable)
    made = subprocess.run(["sh", str(MAKE_VENV), VERSION, "python3", str(tmp_path / "venv")], capture_output=True,
                          text=True, timeout=300, env={"PATH": str(tools)})
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"make setup: `python3` is Python {OTHER}; using python{VERSION}\n"
    version = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-c",
                              "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == VERSION


def test_a_venv_that_could_not_be_finished_is_removed(tmp_path):
    """`python -m venv` fails half-way where ensurepip is missing (Debian without python3.11-venv), leaving a folder
    the next `make setup` would take for a finished .venv."""
    tools = _tools(tmp_path / "tools")
    python = tools / "python3"
    python.write_text(f'#!/bin/sh\n[ "$1" = -c ] && {{ echo {VERSION}; exit 0; }}\n'
                      'mkdir -p "$3/bin" && echo "Error: ensurepip is not available" >&2 && exit 1\n')
    python.chmod(0o755)
    made = subprocess.run(["sh", str(MAKE_VENV), VERSION, "python3", str(tmp_path / "venv")], capture_output=True,
                          text=True, timeout=60, env={"PATH": str(tools)})
    assert made.returncode == 2
    assert made.stderr.splitlines() == [
        "Error: ensurepip is not available",
        f"error: make setup: `python3 -m venv {tmp_path / 'venv'}` failed (see above; on Debian and Ubuntu, install "
        f"the python{VERSION}-venv package) — then run `make setup` again"]
    assert not (tmp_path / "venv").exists()
