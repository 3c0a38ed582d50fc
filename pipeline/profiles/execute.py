"""The profiles notebook stage: notebooks/country_profile.ipynb executed for every country the build covered and every
language of params.yaml `report.languages`, in parallel, skipping the profiles whose inputs did not change.

    python -m pipeline.profiles.execute      # the DVC stage `profiles_notebook`

Parallel: one worker process per core, each with ONE Jupyter kernel that it starts once and reuses for every profile
it executes (papermill's engine API: `ReusedKernelEngine` hands papermill's notebook client the worker's kernel and
resets the kernel's namespace before each notebook). Starting a kernel and importing pandas and matplotlib in it
costs more than running a profile, so a kernel per notebook (`fresh`, papermill's own engine) is several times as
slow; `make bench` measures both (reports/benchmarks.md).
Kernels talk to their worker over Unix sockets (no TCP port to race for), and execution counts are renumbered from
one, so an executed profile has the same bytes whichever worker ran it.

Only what changed reruns: DVC reruns a stage as a whole, so each profile records in its executed notebook's
metadata (`briefing.profile_inputs`) the SHA-256 of everything it is made from: the country's numbers
(data/interim/profiles/<ISO3>.json), the notebook, the code it imports, the profiles' texts in the translation table
and the long table's definitions it shows as translated, the citation line (with the UNODC snapshot it names), the
locked versions of the libraries it runs with (not dev tools) and the language. A profile whose recorded hash equals
the one computed now, and whose files are all there, is not executed again: its files are carried over byte for
byte. The folder reports/profiles/ is replaced as a whole (pipeline.io.transaction), so a country no longer profiled
leaves it.

Each worker shuts its kernel down as it ends (`_stop_kernel`), so the stage's processes and their CPU time end with
it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing.util
import os
import re
import shutil
import tempfile
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import citation, i18n, io, parallel, paths, run
from pipeline.code_inputs import closure
from pipeline.errors import PipelineError, cli
from pipeline.profiles import build, pages, text

KERNEL = run.KERNEL
ENGINE = "briefing_reused_kernel"  # papermill engine name of ReusedKernelEngine
EXECUTORS = ("reused", "fresh")
# Rows of the translation table a profile's texts come from (a change to another row does not rerun profiles).
TEXT_KEYS = ("profile.", "country.", "cite.", "chart.women", "chart.men", "page.source")
# Code outside the modules the notebook imports that shapes a profile's files: this stage, its pages and templates.
EXTRA_CODE = ("pipeline.profiles.execute", "pipeline.profiles.pages")


@dataclass(frozen=True)
class Job:
    country: str
    language: str
    inputs: str  # SHA-256 of everything the profile is made from

    @property
    def notebook(self):
        return paths.profile(self.country, self.language, ".ipynb")


# ------------------------------------------------------------------------------- What to run ---

def jobs(countries: list[str], languages: list[str]) -> list[Job]:
    """One job per country and language, each with the hash of its inputs: besides the shared ones, the country's
    numbers, and its definitions and note on its count as the profile shows them in the language (their rows of the
    translation table are found by their English text, so they are hashed as translated)."""
    shared = _shared_inputs()
    translators = {language: i18n.Translator(language) for language in languages}
    found = []
    for country in countries:
        content = paths.profile_interim(country).read_bytes()
        numbers = hashlib.sha256(content).hexdigest()
        profile = json.loads(content)
        for language in languages:
            shown = json.dumps(text.found_by_english(profile, translators[language]), ensure_ascii=False)
            digest = hashlib.sha256(f"{shared}\n{numbers}\n{language}\n{shown}".encode()).hexdigest()
            found.append(Job(country, language, digest))
    return found


def _shared_inputs() -> str:
    """The hash of what every profile is made from besides its own numbers."""
    digest = hashlib.sha256()
    code = closure.modules(paths.relative(paths.PROFILE_NOTEBOOK), *EXTRA_CODE)
    for name in code:
        digest.update(name.encode() + b"\0" + (paths.ROOT / name).read_bytes())
    for template in sorted(paths.PROFILE_TEMPLATES.glob("*")):
        digest.update(template.name.encode() + b"\0" + template.read_bytes())
    entries = i18n.load()[1]
    texts = {key: entry.texts for key, entry in sorted(entries.items()) if key.startswith(TEXT_KEYS)}
    digest.update(json.dumps(texts, sort_keys=True, ensure_ascii=False).encode())
    digest.update(paths.BASE_CSS.read_bytes())
    # The citation as a profile writes it, not data/sources.yaml as a whole: a profile names the UNODC snapshot only,
    # so pinning a new SISDEPEN semester or SNEEP census reruns no profile (the UNODC entry's other fields are in
    # each country's numbers file).
    cited = citation.read()
    digest.update(json.dumps([cited.authors, cited.title, cited.version, cited.data((build.SOURCE,))]).encode())
    digest.update("\n".join(runtime_pins()).encode())
    return digest.hexdigest()


def runtime_pins() -> list[str]:
    """The locked 'name==version' of every library the pipeline runs with: pyproject.toml's dependencies and, from
    the lock's '# via' lines, everything they require. A dev-only tool (pytest, JupyterLab, polars) and what only it
    requires are left out, so locking a new version of one does not execute 135 profiles again."""
    lock, pyproject = paths.REQUIREMENTS_LOCK, paths.PYPROJECT
    direct = {_package(requirement) for requirement in tomllib.loads(pyproject.read_text())["project"]["dependencies"]}
    pins, required_by, name = {}, {}, None
    for line in lock.read_text().splitlines():
        pinned = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+).*", line)
        via = re.fullmatch(r"\s+#\s+(?:via\s+)?([A-Za-z0-9].*)", line)  # '# via X', or one of the lines under '# via'
        if pinned:
            name = _package(pinned.group(1))
            pins[name], required_by[name] = f"{name}=={pinned.group(2)}", set()
        elif via and name is not None:
            required_by[name].add(_package(via.group(1)))
    runtime, grown = set(direct), True
    while grown:  # the dependencies' dependencies, until nothing more is added
        grown = False
        for package, parents in required_by.items():
            if package not in runtime and parents & runtime:
                runtime.add(package)
                grown = True
    missing = sorted(direct - pins.keys())
    if missing:
        raise PipelineError(f"dependencies {missing} of {paths.relative(pyproject)} are not in the lock", file=lock,
                            fix="run `make lock` after changing the dependencies")
    return sorted(pins[package] for package in runtime)


def _package(requirement: str) -> str:
    """A requirement's distribution name as the lock writes it: 'ruamel.yaml.clib>=0.2' -> 'ruamel-yaml-clib'."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)).lower()


def recorded(job: Job) -> dict | None:
    """What the previous run recorded for a profile: its inputs' hash and its files; None if absent or unreadable."""
    if not job.notebook.is_file():
        return None
    try:
        metadata = json.loads(job.notebook.read_text(encoding="utf-8"))["metadata"].get("briefing", {})
    except (OSError, ValueError, KeyError):
        return None
    return metadata if "profile_inputs" in metadata else None


def unchanged(job: Job) -> list | None:
    """The files of a profile whose inputs did not change since they were made (all still there); else None."""
    previous = recorded(job)
    if previous is None or previous["profile_inputs"] != job.inputs:
        return None
    files = [paths.ROOT / name for name in previous.get("profile_files", [])]
    return files if files and all(path.is_file() for path in files) else None


# ---------------------------------------------------------------------------------- Executing ---

def execute(job: Job, engine: str | None = ENGINE) -> dict:
    """Execute one profile: its notebook, its page and its figures, as {path: text} (nothing written here)."""
    import nbformat  # imported here, after pipeline.run, which keeps nbformat's costly rfc3987_syntax out (1.8 s)
    import papermill  # imported where notebooks run: the stage's other work does not need it

    try:
        executed = papermill.execute_notebook(
            str(paths.PROFILE_NOTEBOOK), None, parameters={"country": job.country, "language": job.language},
            kernel_name=KERNEL, engine_name=engine, cwd=str(paths.ROOT), progress_bar=False,
            request_save_on_cell_execute=False, log_output=False,
            kernel_manager_class=_kernel_manager_class())
    except papermill.PapermillExecutionError as error:
        return {"error": f"{job.country} ({job.language}): cell {error.cell_index + 1} failed: {error.ename}: "
                         f"{str(error.evalue).splitlines()[0][:300] if error.evalue else ''}"}
    executed = run.scrub(executed, paths.PROFILE_NOTEBOOK)
    _count_from_one(executed)
    executed.metadata["papermill"]["output_path"] = paths.relative(job.notebook)
    files = {}
    for figure, (svg, data) in _figures(executed).items():
        files[paths.profile_figure(job.country, figure, job.language, ".svg")] = svg
        files[paths.profile_figure(job.country, figure, job.language, ".csv")] = data
    page = paths.profile(job.country, job.language, ".html")
    files[page] = pages.profile_page(executed, job.country, job.language)
    executed.metadata["briefing"] = {"profile_inputs": job.inputs,
                                     "profile_files": sorted(paths.relative(p) for p in [*files, job.notebook])}
    files[job.notebook] = nbformat.writes(executed) + "\n"
    return {"files": files}


def _count_from_one(executed) -> None:
    """Execution counts as a fresh kernel gives them (1, 2, …): a reused kernel counts on from the profiles it ran
    before, which differ from run to run with the pool's order, and the executed notebook must not."""
    count = 0
    for cell in executed.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if output.get("output_type") == "execute_result":
                    output.execution_count = count


def _figures(executed) -> dict[str, tuple[str, str]]:
    """Each figure the notebook showed: name -> (SVG, data CSV), from the output that displayed it."""
    found = {}
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            figure = output.get("metadata", {}).get("profile_figure")
            if figure:
                found[figure] = (output["data"]["image/svg+xml"], output["metadata"]["data"])
    return found


# ---------------------------------------------------------------------- One kernel per worker ---

_WORKER: dict = {}  # this worker process's kernel manager and client, started on its first notebook
# Before each notebook the kernel's namespace is cleared as `%reset -f` clears it, without its two full garbage
# collections (one by the magic, one by the output cache's flush, which a kernel that keeps no output cache skips).
# In a kernel holding pandas and matplotlib they took 0.23 s per profile, more than drawing its figures (py-spy, 135
# profiles); what the namespace held is freed when it is cleared, and reference cycles by Python's own collector.
KERNEL_ARGUMENTS = ["--InteractiveShell.cache_size=0"]  # no Out[n] / _n cache: a batch run never reads it
RESET = "get_ipython().reset(new_session=False)"


def _reused_kernel_engine():
    """Papermill's nbclient engine, handing its notebook client this worker's kernel instead of starting one."""
    from papermill.clientwrap import PapermillNotebookClient  # papermill is imported in the workers only
    from papermill.engines import NBClientEngine

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            manager = _WORKER.get("km")
            if manager is None:
                manager = _WORKER["km"] = kwargs["kernel_manager_class"](kernel_name=kernel_name)
                # Before the sockets' folder goes (exit priority 0): the kernel ends with its worker, not after it.
                multiprocessing.util.Finalize(None, _stop_kernel, exitpriority=10)
            client = PapermillNotebookClient(nb_man, km=manager, kernel_name=kernel_name,
                                             startup_timeout=kwargs.get("start_timeout", 60), log=_quiet_log(),
                                             extra_arguments=KERNEL_ARGUMENTS)
            if "kc" in _WORKER:
                client.kc = _WORKER["kc"]
                client.kc.execute(RESET, silent=True, store_history=False)  # nothing left from the last one
            result = client.execute()
            _WORKER["kc"] = client.kc
            return result

    return ReusedKernelEngine


def _stop_kernel() -> None:
    """This worker's kernel, shut down and waited for as the worker ends. Left to itself, a kernel notices within a
    second that its worker has gone and ends then, no one's child: it outlives the stage (the runner waits for the
    stage's processes, not for kernels, which have a session of their own), and its CPU time is missing from the
    stage's (make bench counted 13 CPU-seconds for a stage that used 42)."""
    from jupyter_core.utils import run_sync

    client, manager = _WORKER.pop("kc", None), _WORKER.pop("km", None)
    if client is not None:
        client.stop_channels()
    if manager is not None and manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=True)  # a batch kernel keeps nothing: no shutdown request to wait for


def _quiet_log():
    import logging

    return logging.getLogger("papermill.profiles")


def _kernel_manager_class():
    """The runner's kernel manager (pipeline.run: the kernel's own messages to a log, Unix sockets instead of TCP),
    with this worker's own folder for the sockets, made on first use and removed as the worker ends."""
    if "sockets" not in _WORKER:
        _WORKER["sockets"] = tempfile.mkdtemp(prefix="briefing-kernel-")
        # A pool's worker ends without running atexit: multiprocessing's own finalizers run.
        multiprocessing.util.Finalize(None, shutil.rmtree, (_WORKER["sockets"], True), exitpriority=0)
    return run.kernel_manager_class(paths.log(f"kernel-profiles-{os.getpid()}"), Path(_WORKER["sockets"]))


def _start_worker() -> None:
    """Each worker registers the engine (and starts its kernel on its first notebook). Its signals are a quiet
    worker's (pipeline/parallel.py): when the stage is stopped, it finishes the notebook it holds, then ends and
    stops its kernel."""
    from papermill.engines import papermill_engines  # imported in the workers only

    parallel.quiet_worker()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    papermill_engines.register(ENGINE, _reused_kernel_engine())
    # Its kernel forked from a kernel server of its own, forked now, before any Jupyter client runs in this worker.
    # It ends after the kernel is stopped (exit priority 10) and before the sockets' folder goes (0).
    multiprocessing.util.Finalize(None, run.stop_kernel_server, (run.start_kernel_server(),), exitpriority=5)


def _execute_reused(job: Job) -> dict:
    return execute(job, ENGINE)


def _execute_fresh(job: Job) -> dict:
    return execute(job, None)


def execute_all(todo: list[Job], executor: str = "reused", processes: int | None = None) -> dict:
    """Every job of `todo` in a pool of processes (one kernel each when `reused`): {path: text} of all of them.
    The first failure is raised after the pool ends (nothing is written)."""
    if not todo:
        return {}
    count = max(1, min(processes or parallel.cores(), len(todo)))
    task = _execute_reused if executor == "reused" else _execute_fresh
    with ProcessPoolExecutor(count, initializer=_start_worker) as pool:
        results = list(pool.map(task, todo))
    errors = [result["error"] for result in results if "error" in result]
    if errors:
        raise PipelineError(f"the profile of {errors[0]}{f' (and {len(errors) - 1} more)' if len(errors) > 1 else ''}",
                            file=paths.PROFILE_NOTEBOOK, fix="fix the cause (run the notebook by hand with that "
                            "country and language to see the traceback); the previous profiles are unchanged")
    return {path: text for result in results for path, text in result["files"].items()}


# -------------------------------------------------------------------------------------- Stage ---

def stage(executor: str = "reused", processes: int | None = None) -> dict:
    """Run the stage: execute the profiles whose inputs changed, carry the others over, write the index pages;
    everything at once. Returns counts and timings."""
    started = time.perf_counter()
    languages = i18n.languages()
    summary = build.read_summary()
    countries = summary["country"].tolist()
    todo, kept = [], []
    for job in jobs(countries, languages):
        files = unchanged(job)
        (kept.append(files) if files is not None else todo.append(job))
    made = execute_all(todo, executor, processes)
    with io.transaction(replace=(paths.PROFILES,)):
        for files in kept:
            for path in files:
                io.write_bytes(path, path.read_bytes())
        for path, text in made.items():
            io.write_text(path, text)
        for language in languages:
            io.write_text(paths.profiles_index(language), pages.index_page(summary, language, languages))
    return {"executed": len(todo), "kept": sum(1 for _ in kept), "seconds": time.perf_counter() - started,
            "executor": executor}


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", choices=EXECUTORS, default="reused",
                        help="reused: one kernel per worker (default); fresh: a kernel per notebook")
    args = parser.parse_args(argv)
    done = stage(args.executor)
    print(f"profiles: {done['executed']} executed, {done['kept']} unchanged (inputs' hash as recorded), "
          f"{done['seconds']:.1f} s -> {paths.relative(paths.PROFILES)}")


if __name__ == "__main__":
    main()
