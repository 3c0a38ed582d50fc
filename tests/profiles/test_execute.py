"""The profiles notebook stage reruns exactly the profiles whose inputs changed: each executed notebook records the
hash of its inputs; a profile whose recorded hash equals today's, with all its files there, is carried over byte for
byte. Tested on the committed profiles (they are current) and on a country whose numbers change."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest

from pipeline import citation, i18n, paths
from pipeline.errors import PipelineError
from pipeline.profiles import build, execute

LANGUAGES = ["en", "es", "pt"]


@pytest.fixture(scope="module")
def current() -> dict[tuple[str, str], execute.Job]:
    countries = build.read_summary()["country"].tolist()
    return {(job.country, job.language): job for job in execute.jobs(countries, LANGUAGES)}


def test_committed_profiles_are_current_so_a_rerun_executes_none(current):
    stale = [key for key, job in current.items() if execute.unchanged(job) is None]
    assert stale == []
    files = execute.unchanged(current["ARG", "es"])
    assert {path.name for path in files} == {"ARG-es.ipynb", "ARG-es.html", "ARG-women.svg", "ARG-women.csv",
                                              "ARG-unsentenced.svg", "ARG-unsentenced.csv"}


def test_a_changed_hash_reruns_that_profile_only(current):
    changed = dataclasses.replace(current["ARG", "en"], inputs="0" * 64)
    assert execute.unchanged(changed) is None
    assert execute.unchanged(current["BRA", "en"]) is not None


def test_a_countrys_numbers_change_its_three_profiles_hashes_and_no_others(current, tmp_path, monkeypatch):
    changed = tmp_path / "ARG.json"
    entry = json.loads(paths.profile_interim("ARG").read_text(encoding="utf-8"))
    entry["numbers"]["women_held"]["value"] += 1
    changed.write_text(build.to_json(entry), encoding="utf-8")
    real = paths.profile_interim
    monkeypatch.setattr(paths, "profile_interim", lambda country: changed if country == "ARG" else real(country))
    after = {(job.country, job.language): job.inputs for job in execute.jobs(["ARG", "BRA", "CUB"], LANGUAGES)}
    assert {key for key, inputs in after.items() if inputs != current[key].inputs} == {
        ("ARG", "en"), ("ARG", "es"), ("ARG", "pt")}


def test_a_definitions_translation_changed_reruns_the_profiles_showing_it_in_that_language(current, tmp_path,
                                                                                           monkeypatch):
    """A profile's definitions are found in the translation table by their English text, not by a key the shared
    hash covers: a changed Spanish text reruns the Spanish profiles that show it (Argentina's share of all persons
    held), not Nicaragua's (a share of female + male) nor another language's."""
    table = paths.TRANSLATIONS.read_text(encoding="utf-8")
    old = "como porcentaje de todas las personas privadas de libertad ({0})"
    assert table.count(old) == 1
    changed = tmp_path / "translations.csv"
    changed.write_text(table.replace(old, "como porcentaje del total de personas privadas de libertad ({0})"),
                       encoding="utf-8")
    real = i18n.Translator
    monkeypatch.setattr(i18n, "Translator", lambda language, table=changed: real(language, table))
    after = {(job.country, job.language): job.inputs for job in execute.jobs(["ARG", "NIC"], LANGUAGES)}
    assert {key for key, inputs in after.items() if inputs != current[key].inputs} == {("ARG", "es")}


def test_the_count_notes_translation_changed_reruns_brazils_profile_in_that_language(current, tmp_path, monkeypatch):
    """tab-01's note on Brazil's count is shown through its row of the translation table, found by the English text
    (cell.count_note.outside_cells_and_police, which the briefing's table uses too): a changed Portuguese text reruns
    Brazil's Portuguese profile, and no other."""
    table = paths.TRANSLATIONS.read_text(encoding="utf-8")
    old = "a contagem inclui {0} mulheres fora das celas (monitoração eletrônica, prisão domiciliar) e {1}"
    assert table.count(old) == 1
    changed = tmp_path / "translations.csv"
    changed.write_text(table.replace(old, "a contagem abrange {0} mulheres fora das celas e {1}"), encoding="utf-8")
    real = i18n.Translator
    monkeypatch.setattr(i18n, "Translator", lambda language, table=changed: real(language, table))
    after = {(job.country, job.language): job.inputs for job in execute.jobs(["ARG", "BRA"], LANGUAGES)}
    assert {key for key, inputs in after.items() if inputs != current[key].inputs} == {("BRA", "pt")}


def test_a_findings_translation_added_reruns_that_countrys_profiles(current, tmp_path, monkeypatch):
    """A finding's evidence or treatment with no row in the translation table is shown in English (_as_written); the
    row added later must rerun the profiles that showed it. Uruguay's 2016 known error had no row for its reason in
    one build: its profiles were made with the English reason, kept as 'unchanged' after the row was added, and a
    clean rebuild then differed from the committed profiles (CI failed). Without the row, only Uruguay's Spanish and
    Portuguese profiles change."""
    table = paths.TRANSLATIONS.read_text(encoding="utf-8")
    row = next(line for line in table.splitlines(keepends=True)
               if line.startswith("quality.unodc.treatment.repeat_short,"))
    changed = tmp_path / "translations.csv"
    changed.write_text(table.replace(row, ""), encoding="utf-8")
    real = i18n.Translator
    monkeypatch.setattr(i18n, "Translator", lambda language, table=changed: real(language, table))
    countries = build.read_summary()["country"].tolist()
    after = {(job.country, job.language): job.inputs for job in execute.jobs(countries, LANGUAGES)}
    assert {key for key, inputs in after.items() if inputs != current[key].inputs} == {("URY", "es"), ("URY", "pt")}


def _sources_with(tmp_path, monkeypatch, old: str, new: str) -> None:
    """data/sources.yaml with one text replaced, read afresh (the citation is read once per process: `fresh_citation`
    clears it again after the test)."""
    text = paths.SOURCES.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    changed = tmp_path / "sources.yaml"
    changed.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(paths, "SOURCES", changed)
    citation.read.cache_clear()


@pytest.fixture
def fresh_citation():
    citation.read.cache_clear()
    yield
    citation.read.cache_clear()  # the next test reads the project's own files again


def test_a_new_sisdepen_semester_pinned_reruns_no_profile(current, tmp_path, monkeypatch, fresh_citation):
    """Adding a semester as docs/adding-data.md says edits data/sources.yaml: profiles name only the UNODC source."""
    entry = re.search(r"      - path: sisdepen/dados-sisdepen-jul-dez-2021.xlsx\n(?:        .*\n){3}",
                      paths.SOURCES.read_text(encoding="utf-8")).group(0)
    _sources_with(tmp_path, monkeypatch, entry, "")
    after = execute.jobs(["ARG", "BRA", "CUB"], LANGUAGES)
    assert [job.inputs for job in after] == [current[job.country, job.language].inputs for job in after]


def test_a_new_unodc_snapshot_reruns_every_profile(current, tmp_path, monkeypatch, fresh_citation):
    """The citation line of every profile names the UNODC snapshot (here its date alone changes)."""
    date = build.source_entry()[build.SOURCE]["snapshot"]
    _sources_with(tmp_path, monkeypatch, f'date: "{date}"', 'date: "2031-01-01"')
    assert citation.read().data((build.SOURCE,)) == f"{build.SOURCE} 2031-01-01"
    after = execute.jobs(["ARG", "CUB"], LANGUAGES)
    assert all(job.inputs != current[job.country, job.language].inputs for job in after)


def _lock_with(tmp_path, monkeypatch, package: str) -> None:
    """The project's lock with one package's version changed, as `make lock` would write it after an upgrade."""
    lock = paths.REQUIREMENTS_LOCK.read_text()
    line = next(line for line in lock.splitlines() if line.startswith(f"{package}=="))
    changed = tmp_path / "requirements.lock"
    changed.write_text(lock.replace(line + "\n", f"{package}==999.0\n", 1))
    assert changed.read_text() != lock
    monkeypatch.setattr(paths, "REQUIREMENTS_LOCK", changed)


@pytest.mark.parametrize("package", ["polars", "pytest", "jupyterlab", "frictionless"])
def test_a_new_version_of_a_dev_tool_reruns_no_profile(current, tmp_path, monkeypatch, package):
    _lock_with(tmp_path, monkeypatch, package)
    after = execute.jobs(["ARG", "CUB"], LANGUAGES)
    assert all(job.inputs == current[job.country, job.language].inputs for job in after)


@pytest.mark.parametrize("package", ["pandas", "matplotlib", "kiwisolver", "jsonschema", "ipykernel"])
def test_a_new_version_of_a_library_the_profiles_run_with_reruns_every_profile(current, tmp_path, monkeypatch,
                                                                                package):
    """A direct dependency, or one of theirs (kiwisolver for matplotlib; jsonschema for nbformat, for papermill)."""
    _lock_with(tmp_path, monkeypatch, package)
    after = execute.jobs(["ARG", "CUB"], LANGUAGES)
    assert all(job.inputs != current[job.country, job.language].inputs for job in after)
    assert f"{package}==999.0" in execute.runtime_pins()


def test_a_dependency_missing_from_the_lock_is_one_message(tmp_path, monkeypatch):
    lock = tmp_path / "requirements.lock"
    lock.write_text("".join(line for line in paths.REQUIREMENTS_LOCK.read_text().splitlines(keepends=True)
                            if not line.startswith("babel==")))
    monkeypatch.setattr(paths, "REQUIREMENTS_LOCK", lock)
    with pytest.raises(PipelineError, match=r"dependencies \['babel'\] of pyproject.toml are not in the lock") as error:
        execute.runtime_pins()
    assert "make lock" in error.value.fix


def test_each_language_has_its_own_hash(current):
    assert len({current["ARG", language].inputs for language in LANGUAGES}) == 3


def _fail(job: execute.Job) -> dict:
    """A worker's answer when a profile's cell fails (module level: the pool pickles it by name)."""
    return {"error": f"{job.country} ({job.language}): cell 3 failed: KeyError: 'x'"}


def test_a_failing_profile_is_one_message_and_nothing_is_written(monkeypatch):
    monkeypatch.setattr(execute, "_execute_fresh", _fail)
    jobs = [execute.Job("ARG", "en", "x"), execute.Job("BRA", "en", "y")]
    with pytest.raises(PipelineError, match=r"the profile of ARG \(en\): cell 3 failed.*\(and 1 more\)"):
        execute.execute_all(jobs, "fresh", processes=1)


def test_no_jobs_start_no_pool():
    assert execute.execute_all([], "reused") == {}


def test_execution_counts_are_a_fresh_kernels_whatever_ran_before():
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("a"),
        nbformat.v4.new_code_cell("1", execution_count=41,
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1"},
                                                                  execution_count=41)]),
        nbformat.v4.new_code_cell("x = 2", execution_count=42)])
    execute._count_from_one(notebook)
    assert [cell.get("execution_count") for cell in notebook.cells] == [None, 1, 2]
    assert notebook.cells[1].outputs[0].execution_count == 1


def _two_notebooks_in_one_kernel(folder: str) -> list[dict]:
    """In a pool worker, as the stage runs them: two notebooks through the reused-kernel engine, the first leaving a
    name and an output behind; what the second found (module level: the pool pickles it by name)."""
    import nbformat
    import papermill

    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nleftover = 1\nos.getpid()")])
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nimport json\nprint(json.dumps({'pid': os.getpid(), 'names': sorted(n for n in globals() if "
        "not n.startswith('_'))}))")])
    found = []
    for name, notebook in (("first", first), ("second", second)):
        path = f"{folder}/{name}.ipynb"
        nbformat.write(notebook, path)
        executed = papermill.execute_notebook(path, None, kernel_name=execute.KERNEL, engine_name=execute.ENGINE,
                                              progress_bar=False, kernel_manager_class=execute._kernel_manager_class())
        found.append(executed.cells[-1].outputs[0])
    return found


def test_the_reused_kernel_starts_each_notebook_with_an_empty_namespace(tmp_path):
    """The stage's workers reuse one kernel; what a profile defined must not reach the next one."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context, initializer=execute._start_worker) as pool:
        first, second = pool.submit(_two_notebooks_in_one_kernel, str(tmp_path)).result(timeout=120)
    seen = json.loads(second["text"])
    assert int(first["data"]["text/plain"]) == seen["pid"]  # the same kernel ran both
    assert "leftover" not in seen["names"]
    assert seen["names"] == ["In", "Out", "exit", "get_ipython", "json", "open", "os", "quit"]  # a fresh kernel's


def test_committed_profiles_count_from_one():
    executed = json.loads(paths.profile("MEX", "es", ".ipynb").read_text(encoding="utf-8"))
    counts = [cell["execution_count"] for cell in executed["cells"] if cell["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))


# Run as its own process: it becomes the subreaper of everything the profiles' pool starts (a process whose parent
# ends is handed to it, not to the system's first process), runs one real profile as the stage does, and prints which
# of its pool's processes were left behind (their command lines), running or ended but not waited for by their parent.
_SUBREAPER = """
import ctypes, json, subprocess, sys
import psutil
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl failed")
stage = subprocess.run([sys.executable, "-c", "from pipeline.profiles import execute; "
                        "made = execute.execute_all(execute.jobs(['URY'], ['en']), 'reused', processes=1); "
                        "assert len(made) == 6, made"])
left = [" ".join(p.cmdline()) if p.status() != psutil.STATUS_ZOMBIE else f"ended, pid {p.pid}"
        for p in psutil.Process().children()]
for p in psutil.Process().children():
    p.kill()
print(json.dumps({"status": stage.returncode, "left": left}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's (prctl)")
def test_a_workers_kernel_ends_before_its_worker_and_is_waited_for():
    """A kernel left to end on its own notices within a second that its worker has gone: it outlives the stage, as
    no one's child, and its CPU time is missing from the stage's (make bench counted 13 of the stage's 42 seconds).
    Fails without the worker's finalizer (`_stop_kernel`): the kernel is left behind."""
    found = subprocess.run([sys.executable, "-c", _SUBREAPER], cwd=paths.ROOT, capture_output=True, text=True,
                           timeout=300)
    assert found.returncode == 0, found.stderr[-2000:]
    result = json.loads(found.stdout.strip().splitlines()[-1])
    assert result == {"status": 0, "left": []}
