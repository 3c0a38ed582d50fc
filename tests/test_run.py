"""The papermill runner: strict parameters and byte-identical executed notebooks."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pipeline import paths, run
from pipeline.errors import PipelineError


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A params.yaml and an output folder of our own, and a notebook with two parameters."""
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    monkeypatch.setattr(paths, "EXECUTED_NOTEBOOKS", tmp_path / "executed")
    monkeypatch.setattr(paths, "FAILED_NOTEBOOKS", tmp_path / "failed")  # never the project's own data/interim
    notebook = tmp_path / "regional.ipynb"
    nb = new_notebook(cells=[
        new_markdown_cell("# Demo"),
        new_code_cell("first_year = 2005  # first year\nlabel = 'women'", metadata={"tags": ["parameters"]}),
        new_code_cell("print(first_year + 1, label)"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    nbformat.write(nb, notebook)
    return notebook


def test_unknown_parameter_is_rejected(project):
    paths.PARAMS.write_text("regional:\n  first_year: 2005\n  label: women\n  frist_year: 2006\n")
    with pytest.raises(PipelineError, match=r"'regional.frist_year' is not a parameter of regional.ipynb"):
        run.run(project)
    assert not paths.EXECUTED_NOTEBOOKS.exists()


def test_missing_parameter_is_rejected(project):
    paths.PARAMS.write_text("regional:\n  first_year: 2005\n")
    with pytest.raises(PipelineError, match="parameter 'label' of regional.ipynb has no value"):
        run.run(project)


def test_parameter_of_wrong_type_is_rejected(project):
    paths.PARAMS.write_text("regional:\n  first_year: '2005'\n  label: women\n")
    with pytest.raises(PipelineError, match="'regional.first_year' is str '2005', but regional.ipynb expects int"):
        run.run(project)


def test_unknown_section_is_rejected(project):
    paths.PARAMS.write_text("regionl:\n  first_year: 2005\n")
    with pytest.raises(PipelineError, match="unknown section 'regionl' \\(did you mean 'regional'\\?\\)"):
        run.run(project)


def test_executes_with_params_and_twice_gives_identical_bytes(project):
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    executed, html = run.run(project)
    first = executed.read_bytes(), html.read_bytes()
    nb = nbformat.read(executed, as_version=4)
    assert nb.cells[-1].outputs[0]["text"] == "2011 women\n"
    assert "start_time" not in nb.metadata["papermill"]
    assert all("execution" not in cell.metadata for cell in nb.cells)
    run.run(project)
    assert (executed.read_bytes(), html.read_bytes()) == first


def test_the_python_that_ran_it_is_recorded_to_its_minor_release(project):
    """The kernel reports its patch release (3.11.2 on Debian 12, 3.11.7 from pyenv): kept, it made every executed
    notebook differ between two installations of the same locked environment, and `make test` fail on them."""
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    executed, _ = run.run(project)
    major, minor = sys.version_info[:2]
    assert nbformat.read(executed, as_version=4).metadata["language_info"]["version"] == f"{major}.{minor}"
    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python", "version": "3.11.14"}})
    assert run.scrub(nb, project).metadata["language_info"]["version"] == "3.11"


def test_committed_executed_notebooks_record_python_to_its_minor_release():
    notebooks = sorted(paths.EXECUTED_NOTEBOOKS.glob("*.ipynb")) + sorted(paths.PROFILES.glob("*.ipynb"))
    assert len(notebooks) > 100
    versions = {nbformat.read(notebook, as_version=4).metadata["language_info"]["version"] for notebook in notebooks}
    assert versions == {"3.11"}


def test_failing_cell_leaves_no_output(project):
    nb = nbformat.read(project, as_version=4)
    nb.cells[-1].source = "raise ValueError('broken input')"
    nbformat.write(nb, project)
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    with pytest.raises(PipelineError, match="ValueError: broken input"):
        run.run(project)
    assert not (paths.EXECUTED_NOTEBOOKS / "regional.ipynb").exists()
    kept = paths.FAILED_NOTEBOOKS / "regional.ipynb"
    assert "broken input" in kept.read_text(encoding="utf-8") and kept.with_suffix(".html").is_file()


def test_committed_notebooks_have_no_outputs_and_kernel_python3():
    for notebook in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3", notebook.name
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), notebook.name
        assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1, notebook.name


def test_the_iri_format_checker_is_kept_out_and_notebooks_are_still_validated(tmp_path):
    """pipeline.run keeps rfc3987_syntax from being imported (its grammars cost 1.8 s of every notebook stage):
    jsonschema then registers no `iri` format checker, and nbformat still validates a notebook (it uses none)."""
    import subprocess
    import sys

    code = ("import sys, pipeline.run, jsonschema, nbformat\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'), 'iri' in jsonschema.FormatChecker.checkers)\n"
            "bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "bad.cells[0]['execution_count'] = 'not a number'\n"
            "try:\n    nbformat.validate(bad)\nexcept nbformat.ValidationError:\n    print('invalid')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["None", "False", "invalid"]


# Packages that import jsonschema (so rfc3987_syntax) when they are imported: pipeline.run must come first.
IMPORT_JSONSCHEMA = ("nbformat", "nbconvert", "nbclient", "papermill", "jsonschema")


def test_no_module_imports_nbformat_before_pipeline_run_keeps_rfc3987_syntax_out():
    """A module that imported nbformat at its top before pipeline.run was imported paid the 1.8 s of grammars: the
    profiles' notebook stage did (its `import nbformat` came before `from pipeline import … run`)."""
    import ast

    def imports_run(node) -> bool:
        return isinstance(node, ast.ImportFrom) and (node.module == "pipeline.run" or (
            node.module == "pipeline" and "run" in [alias.name for alias in node.names]))

    def imported(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        return [node.module or ""] if isinstance(node, ast.ImportFrom) else []

    offenders = []
    for module in sorted((paths.ROOT / "pipeline").rglob("*.py")):
        if module == paths.ROOT / "pipeline" / "run.py":
            continue
        run_imported = False
        for node in ast.parse(module.read_text()).body:  # the module's top level: what importing it runs
            run_imported = run_imported or imports_run(node)
            if not run_imported and any(name.split(".")[0] in IMPORT_JSONSCHEMA for name in imported(node)):
                offenders.append(f"{paths.relative(module)}:{node.lineno}")
    assert offenders == [], "import pipeline.run first, or import these inside the function that needs them"


def test_the_profiles_notebook_stage_keeps_rfc3987_syntax_out():
    import subprocess
    import sys

    code = "import sys, pipeline.profiles.execute\nprint(sys.modules.get('rfc3987_syntax', 'absent'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["None"]


def test_pytest_keeps_rfc3987_syntax_out_of_its_own_processes():
    """This process is pytest's (or one of its xdist workers): pyproject.toml's addopts load pipeline.nbformat_fast
    before nbval's plugin imports nbformat, so the grammars' 2.3 s are not paid by every pytest process."""
    import sys

    assert "nbformat" in sys.modules  # nbval's plugin imported it as pytest started
    assert sys.modules.get("rfc3987_syntax", "absent") is None


def test_the_kernel_talks_over_unix_sockets_not_tcp(project, monkeypatch, tmp_path):
    """Two notebook stages that make repro starts together could pick the same free TCP port (one kernel then dies:
    "Address already in use"), and a kernel on TCP warns that its messages are unencrypted: the runner's kernels use
    Unix sockets in the run's own temporary folder. The kernel's log says nothing of TCP."""
    monkeypatch.setattr(paths, "LOGS", tmp_path / "logs")
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    run.run(project)
    log = (tmp_path / "logs" / "kernel-regional.log").read_text(encoding="utf-8")
    assert "TCP" not in log, log
    manager = run.kernel_manager_class(tmp_path / "k.log", tmp_path / "sockets")(kernel_name="python3")
    assert manager.transport == "ipc" and manager.ip.startswith(str(tmp_path / "sockets" / "kernel-"))


def test_a_kernel_forked_from_the_kernel_server_gives_the_notebook_a_new_kernel_gives(project, monkeypatch):
    """The notebook stages fork their kernels from a kernel server (pandas, matplotlib and ipykernel imported once):
    the executed notebook is byte for byte the one a kernel started as a new Python gives, a figure left open shown
    as a PNG by the inline backend, as a new kernel's matplotlib has it. Whatever the process that forks it did with
    matplotlib (here: a figure drawn and left open with the Agg backend, and a setting changed, as a test before this
    one in the same process may do; CI found it) does not reach the kernel."""
    import contextlib
    import os

    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    plt.figure()
    plt.plot([1, 2], [3, 1])
    monkeypatch.setitem(matplotlib.rcParams, "figure.dpi", 33)

    nb = nbformat.read(project, as_version=4)
    # The last line's value is assigned, not shown: it is the length of a text with a process id, which differs
    # between the two kernels when their parents' ids have different numbers of digits (CI found it).
    nb.cells.append(new_code_cell("import matplotlib.pyplot as plt\nplt.plot([2005, 2006], [3, 4])\n"
                                  "import pathlib, os, matplotlib\n"
                                  "written = pathlib.Path('kernel.txt')"
                                  ".write_text(f'{os.getppid()} {matplotlib.get_backend()}')"))
    nb.cells[-1].id = "cell-figure"
    nbformat.write(nb, project)
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    monkeypatch.chdir(project.parent)
    monkeypatch.setattr(paths, "ROOT", project.parent)  # the kernel's folder (papermill's cwd)
    executed, html = run.run(project)
    forked = executed.read_bytes(), html.read_bytes()
    parent, backend = (project.parent / "kernel.txt").read_text().split()
    assert int(parent) != os.getpid() and backend == "module://matplotlib_inline.backend_inline"
    assert "image/png" in nbformat.read(executed, as_version=4).cells[-1].outputs[-1]["data"]
    monkeypatch.setattr(run, "kernel_server", contextlib.nullcontext)  # a new Python, as jupyter_client starts it
    run.run(project)
    assert int((project.parent / "kernel.txt").read_text().split()[0]) == os.getpid()
    assert (executed.read_bytes(), html.read_bytes()) == forked
    assert plt.get_fignums() and matplotlib.rcParams["figure.dpi"] == 33  # this process's own state untouched
    plt.close("all")


def test_a_forked_kernel_holds_nothing_of_its_stage_and_ends_with_its_kernel_server(tmp_path):
    """What a new kernel would not have is gone: the project's modules, the stage's `atexit` functions and open
    files; it has a session of its own (jupyter_client signals its group), /dev/null as input and its log as output.
    A kernel still running when its stage closes the server (the stage killed) is stopped, not waited for."""
    import json
    import os
    import signal
    import sys
    import time

    from pipeline import stage_server

    (tmp_path / "facts.py").write_text(
        "import atexit, json, os, sys, time\n"
        "print('to the log')\n"
        "json.dump({'project': sorted(m for m in sys.modules if m.split('.')[0] == 'pipeline'),\n"
        "           'atexit': atexit._ncallbacks(), 'fds': sorted(os.listdir('/proc/self/fd')),\n"
        "           'stdin': os.readlink('/proc/self/fd/0'), 'session': os.getsid(0) == os.getpid()},\n"
        "          open('facts.json', 'w'))\n"
        "sys.stdout.flush()\n"
        "time.sleep(120)\n")
    kept = open(tmp_path / "kept-open.txt", "w")  # noqa: SIM115 — a descriptor of the stage's
    server = stage_server.Server(kernels=True)
    try:
        kernel = server.start(["facts"], cwd=str(tmp_path), env=dict(os.environ), output=str(tmp_path / "kernel.log"))
        deadline = time.monotonic() + 60
        while not (tmp_path / "facts.json").is_file() or not (tmp_path / "facts.json").read_text():
            assert time.monotonic() < deadline and kernel.poll() is None
            time.sleep(0.05)
        time.sleep(0.2)
        facts = json.loads((tmp_path / "facts.json").read_text())
        assert facts["project"] == [] and facts["session"] and facts["stdin"] == os.devnull
        assert set(facts["fds"]) <= {"0", "1", "2", "3", "4", "5"}  # the three, and what Python opened since
        assert (tmp_path / "kernel.log").read_text() == "to the log\n"
        started = time.monotonic()
    finally:
        kept.close()
        server.close()
    assert time.monotonic() - started < 30  # it would have slept 120 s
    with pytest.raises(ProcessLookupError):  # stopped, and waited for by the server
        os.kill(kernel.pid, signal.SIG_DFL)
    assert "pipeline" in sys.modules  # the stage keeps its own


def test_a_notebook_runs_in_a_new_kernel_when_its_kernel_server_has_ended(project, monkeypatch):
    """A kernel server that failed or was killed does not fail the notebook: its kernel starts as a new Python."""
    import os

    started = run.start_kernel_server

    def dead_on_arrival():
        server = started()
        server.process.kill()
        server.process.wait()
        return server

    nb = nbformat.read(project, as_version=4)
    nb.cells[-1].source += "\nimport os, pathlib\npathlib.Path('parent.txt').write_text(str(os.getppid()))"
    nbformat.write(nb, project)
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    monkeypatch.chdir(project.parent)
    monkeypatch.setattr(paths, "ROOT", project.parent)
    monkeypatch.setattr(run, "start_kernel_server", dead_on_arrival)
    executed, _ = run.run(project)
    assert nbformat.read(executed, as_version=4).cells[-1].outputs[0]["text"] == "2011 women\n"
    assert int((project.parent / "parent.txt").read_text()) == os.getpid()  # started by this process


def test_a_kernel_ends_when_its_stage_and_kernel_server_are_killed(project, monkeypatch):
    """`dvc repro` killed with its process group (tests/system/test_interrupted.py does so) kills the stage and its
    kernel server, but not the kernel, which has a session of its own: it must notice that its parent has gone and
    end, as a kernel started by jupyter_client does (ipykernel's parent poller, told the parent's id)."""
    import os
    import signal
    import time

    nb = nbformat.read(project, as_version=4)
    nb.cells[-1].source = "import os, pathlib, time\npathlib.Path('kernel.pid').write_text(str(os.getpid()))\ntime.sleep(120)"
    nbformat.write(nb, project)
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n  label: women\n")
    monkeypatch.chdir(project.parent)
    monkeypatch.setattr(paths, "ROOT", project.parent)
    stage = os.fork()
    if stage == 0:  # the stage: a process group of its own, as `dvc repro` runs it in its own
        os.setpgid(0, 0)
        try:
            run.run(project)
        finally:
            os._exit(0)
    written, deadline = project.parent / "kernel.pid", time.monotonic() + 120
    while not written.is_file() or not written.read_text():
        assert time.monotonic() < deadline, "the kernel did not start"
        time.sleep(0.1)
    kernel = int(written.read_text())
    os.killpg(stage, signal.SIGKILL)  # the stage and its kernel server, not the kernel
    os.waitpid(stage, 0)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(kernel, signal.SIGKILL)
    pytest.fail("the kernel ran on after its stage was killed")
