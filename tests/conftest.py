"""Shared fixtures: the real source files (fetched from the mirror exactly as the pipeline does)."""

from __future__ import annotations

# DVC sets up its log handlers (and colorama's wrappers) on sys.stdout and sys.stderr as they are when `dvc` is first
# imported. Imported here, as pytest starts, those are the session's streams. First imported inside a test that
# captured its output (capsys), they were that test's, closed once it ended, and a later test of the same process
# that ran DVC in-process failed with "I/O operation on closed file" (tests/test_repro.py under `pytest -n 2`
# without `--dist loadfile`, which orders its tests otherwise).
import dvc  # noqa: F401
import pytest

from pipeline import fetch, io, paths


@pytest.fixture(autouse=True)
def _write_in_place(monkeypatch):
    """Unit tests write where they say; only nbval's kernels use the scratch folder set below."""
    monkeypatch.delenv(io.STAGING_ENV, raising=False)


@pytest.fixture(scope="session")
def raw_source():
    """Return a function that makes sure data/raw/<source> holds the verified files, and returns it."""

    def ensure(source_id: str):
        folder = paths.raw_dir(source_id)
        if not (folder / "provenance.json").exists():
            fetch.fetch(source_id)
        return folder

    return ensure


@pytest.fixture(scope="session")
def drawn():
    """Return a function giving a registry figure drawn in a language (`figures.draw`), drawn once per test process
    for the tests that only read a drawing: its points, its words, its layout."""
    from pipeline import figures

    charts = {}

    def draw(figure, language: str):
        if (figure.id, language) not in charts:
            charts[figure.id, language] = figures.draw(figure, language)
        return charts[figure.id, language]

    return draw


def pytest_configure(config):
    """nbval re-executes notebooks that save figures and tables: send those writes to a scratch folder
    (the staging mechanism of pipeline.io) so a test run never touches the committed outputs."""
    import os
    import tempfile

    from pipeline import io

    if config.getoption("nbval", default=False) and not os.environ.get(io.STAGING_ENV):
        os.environ[io.STAGING_ENV] = config._nbval_outputs = tempfile.mkdtemp(prefix="nbval-outputs-")


def pytest_unconfigure(config):
    """Remove the scratch folder pytest_configure made (a test run leaves nothing in the temporary folder)."""
    import os
    import shutil

    from pipeline import io

    made = getattr(config, "_nbval_outputs", None)
    if made:
        shutil.rmtree(made, ignore_errors=True)
        if os.environ.get(io.STAGING_ENV) == made:
            del os.environ[io.STAGING_ENV]


def pytest_sessionstart(session):
    """Note the project's own files as the run starts (in the process that reports, not in an xdist worker)."""
    if not hasattr(session.config, "workerinput"):
        import project_files

        session.config._project_files = project_files.state()


def pytest_sessionfinish(session):
    """End the fault corpus's run server if a test started one (tests/system/faults/preloaded.py), and wait for it:
    its runs' CPU time then counts among this process's children's, outside any one test.
    Then fail the run if a test created, changed or removed a file of the project itself: a test writes to its own
    temporary folder (a test that wrote a failed notebook into data/interim/failed made another test's check of the
    work tree fail now and then, by the order the two workers ran them)."""
    import sys

    preloaded = sys.modules.get("system.faults.preloaded")
    if preloaded is not None:
        preloaded.stop()
    before = getattr(session.config, "_project_files", None)
    if before is not None:
        import project_files

        written = {kind: names for kind, names in project_files.differences(before, project_files.state()).items()
                   if names}
        if written:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            message = f"error: the tests wrote into the project itself: {written} — a test must write to its tmp_path"
            if reporter is not None:
                reporter.write_line(message, red=True)
            else:
                print(message, file=sys.stderr)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


# The order pytest-xdist hands test files to its two workers (`--dist loadfile --no-loadscope-reorder`: without the
# last flag xdist sorts the files by their number of tests and ignores this order). Under make test the unit tests run
# beside the end-to-end sets at a lower priority and get little of the cores until those end, then have them alone.
# So the files whose tests mostly wait (on Chromium, on stages stopped or timed on purpose, on the fault corpus's
# server) go first, their waiting beside the end-to-end sets' work, and the longest of the rest next, so no long file
# runs alone at the end. (Against xdist's own order the whole ran within noise, 434-435 s against 440 s: the machine
# is busy about 97% of the time either way, CHANGELOG.) Measured per file with every pytest process's timeline (unit
# tests alone, 2026-12-06), wall and CPU seconds: the browser 70 and 30, make repro's runner 51 and 38, the fault
# suite 40 and 23, parallel stages 13 and 1, the Brazil chapter 7.5 and 0.7, the notebook runner 15 and 9, the source
# check 12 and 8; then the SISDEPEN reader 40, the figures' layout 20, personal data 18, the changes report on a real
# run 14, the SNEEP loader 12 (all CPU).
MOSTLY_WAITING = ("tests/system/test_browser.py", "tests/test_repro.py", "tests/system/test_faults.py",
                  "tests/test_parallel.py", "tests/chapters/brazil/test_build.py", "tests/test_run.py",
                  "tests/test_check_sources.py")
LONGEST = ("tests/sources/test_sisdepen.py", "tests/test_figure_layout.py", "tests/system/test_personal_data.py",
           "tests/changes/test_changes_real_run.py", "tests/sources/test_sneep.py")
FIRST = MOSTLY_WAITING + LONGEST


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    rank = {name: position for position, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest as collected
