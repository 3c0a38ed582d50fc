"""The bad-input corpus (tests/system/faults): every bad input stops its stage with one clear message and changes
nothing; the real layouts that look broken load exactly; the cut-down clean inputs the corpus is built from
pass, so each failure below is caused by its fault and nothing else."""

from __future__ import annotations

import pytest
from system.faults import CASES, available, corpus, execute, preloaded
from system.faults.cases import _report, _sisdepen, _unodc

from pipeline import paths


def _id(case):
    return case.id


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "error"], ids=_id)
def test_bad_input_stops_with_one_clear_message_and_changes_nothing(case, tmp_path):
    if not available(case):
        pytest.skip(f"{case.requires} does not exist yet")
    outcome = execute(case, tmp_path)
    message = outcome.run.message
    assert outcome.run.returncode == 1, f"exit status {outcome.run.returncode}; stderr: {message[-2000:]}"
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1 and message.startswith("error: "), message
    assert " — " in message, f"the message does not say what to do: {message}"
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert str(paths.ROOT) not in message, "messages show paths relative to the project"
    assert outcome.changed == [], f"a failed run changed {outcome.changed}"


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "accepted"], ids=_id)
def test_real_layouts_that_look_broken_load_exactly(case, tmp_path):
    outcome = execute(case, tmp_path)
    assert outcome.run.returncode == 0, outcome.run.message[-2000:]
    case.accepted(outcome.project)


@pytest.mark.parametrize("prepare, command", [
    (_unodc(), ("pipeline.sources.unodc_prisons",)),
    (_sisdepen(), ("pipeline.sources.sisdepen",)),
    (_report(), ("pipeline.sources.sisdepen_reports",)),
], ids=["unodc_prisons", "sisdepen", "sisdepen_reports"])
def test_the_clean_cut_down_inputs_pass(prepare, command, tmp_path):
    project = corpus.make_project(tmp_path / "project")
    prepare(project)
    run = corpus.run_module(project, *command)
    assert run.returncode == 0, run.message[-2000:]


def test_the_corpus_is_large_and_covers_every_source():
    assert len(CASES) >= 25
    assert {c.source for c in CASES} >= {"unodc_prisons", "unodc_drug_crimes", "sisdepen", "sisdepen_reports",
                                         "published", "oud", "sneep", "params.yaml", "claims"}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id", ["unodc-header-row-moved", "sisdepen-negative-count"])
def test_a_preloaded_run_gives_what_python_m_gives(case_id, tmp_path):
    """The corpus runs its cases forked from a process with the libraries imported (faults/preloaded.py): the same
    status, output and files changed as a fresh `python -m`."""
    case = next(c for c in CASES if c.id == case_id)
    seen = {}
    for kind in ("fresh", "preloaded"):
        outcome = execute(case, tmp_path / kind, preloaded=kind == "preloaded")
        seen[kind] = (outcome.run.returncode, outcome.run.stdout, outcome.run.stderr, outcome.changed)
    assert seen["fresh"] == seen["preloaded"]
    assert seen["fresh"][0] == 1 and seen["fresh"][2].startswith("error: ")


def test_a_preloaded_run_exits_as_python_does(tmp_path):
    """Exit status, streams, environment, working folder and an uncaught exception, as `python -m` gives them."""
    (tmp_path / "exits.py").write_text(
        "import os, sys\nprint('out', os.getcwd() == sys.path[0], os.environ['CASE'], sys.argv[1:])\n"
        "print('err', file=sys.stderr)\nsys.exit(int(sys.argv[1]))\n")
    (tmp_path / "raises.py").write_text("raise ValueError('broken')\n")
    env = {"CASE": "seven", "PATH": "/usr/bin:/bin"}
    assert preloaded.run(("exits", "3"), tmp_path, env, 60) == (3, "out True seven ['3']\n", "err\n")
    assert preloaded.run(("exits", "0"), tmp_path, env, 60)[0] == 0
    status, out, err = preloaded.run(("raises",), tmp_path, env, 60)
    assert (status, out) == (1, "") and err.startswith("Traceback") and err.endswith("ValueError: broken\n")
