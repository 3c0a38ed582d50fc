"""Notebook runner: execute one notebook with papermill, parameters taken from its section of params.yaml.

    python -m pipeline.run notebooks/regional.ipynb [--section regional]

The executed notebook goes to reports/notebooks/NAME.ipynb with an HTML copy beside it. A chapter's notebook only
reads the tables its build wrote, narrates and shows its figures (pipeline.figures.draw): it writes nothing else. Volatile
metadata (timestamps, durations) is removed so that two runs give identical bytes. A parameter that
params.yaml has and the notebook does not (or the reverse), or one of the wrong type, is an error.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from pipeline import nbformat_fast  # noqa: F401, I001  (before nbformat: keeps its unused grammars out)
import nbformat

from pipeline import dvc_yaml, io, params, paths
from pipeline.errors import PipelineError, cli
from pipeline.hashes import dvc_md5, size

KERNEL = "python3"
# Metadata papermill and nbclient record that changes on every run; nothing else is removed.
_VOLATILE_CELL_KEYS = ("execution",)
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration")


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares in its cell tagged `parameters`: name -> papermill's description."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise PipelineError("notebook has no cell tagged 'parameters'", file=notebook,
                            fix="tag the cell that holds the defaults with 'parameters' (View > Cell Toolbar > Tags)")
    return declared


def check_parameters(notebook: Path, values: dict, section: str) -> None:
    """Same names on both sides, and each value of the type of the notebook's default."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(values) - set(declared))
    missing = sorted(set(declared) - set(values))
    if unknown:
        raise PipelineError(f"'{section}.{unknown[0]}' is not a parameter of {notebook.name} "
                            f"(it declares: {', '.join(sorted(declared))})", file=paths.PARAMS,
                            fix="fix the spelling in params.yaml, or add the parameter to the notebook")
    if missing:
        raise PipelineError(f"parameter '{missing[0]}' of {notebook.name} has no value in section "
                            f"'{section}'", file=paths.PARAMS, fix=f"add '{missing[0]}' under '{section}:'")
    for name, value in values.items():
        expected = _default_type(declared[name]["default"])
        if expected is not None and not _is_instance(value, expected):
            raise PipelineError(f"'{section}.{name}' is {type(value).__name__} {value!r}, but "
                                f"{notebook.name} expects {expected.__name__} (its default is "
                                f"{declared[name]['default']})", file=paths.PARAMS,
                                fix=f"give '{name}' a {expected.__name__} value")


def run(notebook: Path, section: str | None = None) -> tuple[Path, Path]:
    """Execute `notebook` and write the scrubbed executed copy and its HTML; returns both paths."""
    import papermill

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise PipelineError("notebook not found", file=notebook, fix=f"check the path ({paths.relative(paths.notebook('NAME'))})")
    section = section or params_section(notebook)
    values = params.section(section)
    check_parameters(notebook, values, section)
    executed = paths.executed_notebook(notebook.stem)
    html = paths.executed_notebook(notebook.stem, ".html")
    with io.transaction(), tempfile.TemporaryDirectory() as scratch, kernel_server():
        raw = Path(scratch) / notebook.name
        try:
            papermill.execute_notebook(
                str(notebook), str(raw), parameters=values, kernel_name=KERNEL, cwd=str(paths.ROOT),
                progress_bar=False, request_save_on_cell_execute=False,
                kernel_manager_class=kernel_manager_class(paths.log(f"kernel-{notebook.stem}"), Path(scratch)),
            )
        except papermill.PapermillExecutionError as error:
            raise failed_cell_error(notebook, raw, error) from None
        result = scrub(nbformat.read(raw, as_version=4), notebook)
        result.metadata["briefing"] = {**result.metadata.get("briefing", {}), "inputs": stage_inputs(notebook)}
        io.write_text(executed, nbformat.writes(result) + "\n")
        io.write_text(html, to_html(result))
    return executed, html


_KERNELS = itertools.count(1)  # kernels started by this process: each gets its own socket names
_KERNEL_SERVER: list = []  # this process's kernel server, while `kernel_server` holds it


@contextmanager
def kernel_server():
    """Kernels forked, while this is held, from a process forked from this one before any kernel runs (a kernel
    server: pipeline/stage_server.py), which has imported what a notebook's kernel imports (pandas, matplotlib), instead
    of started as a new Python that imports them again."""
    server = start_kernel_server()
    try:
        yield server
    finally:
        stop_kernel_server(server)


def start_kernel_server():
    """This process's kernel server (see `kernel_server`), until `stop_kernel_server`. Started before this process
    holds a Jupyter client (no sockets, no threads yet)."""
    from pipeline import stage_server  # noqa: I001 — the notebook stages' only

    server = stage_server.Server(kernels=True)
    _KERNEL_SERVER.append(server)
    return server


def stop_kernel_server(server) -> None:
    """No more kernels: the server ends once those it forked have ended (a kernel still running is stopped)."""
    _KERNEL_SERVER.remove(server)
    server.close()


def kernel_manager_class(log: Path, sockets: Path):
    """A kernel manager whose kernel writes its own messages (the traceback it prints when the runner stops it) to
    `log` instead of the user's terminal: what a cell prints is in the notebook, and a failure reaches the user as one
    message from this runner. The kernel talks to its client over Unix sockets in the folder `sockets` (the caller's,
    removed with it), not over TCP ports on localhost: two notebook stages that `make repro` starts at the same moment
    could pick the same free port, and one kernel would die ("Address already in use"); and a kernel on TCP warns that
    its messages travel unencrypted. While this process holds a kernel server (`kernel_server`), the kernel is forked
    from it; else, or if the server has ended, it starts as jupyter_client starts it."""
    from jupyter_client.manager import AsyncKernelManager  # papermill's default kernel manager, imported with it

    class LoggedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(sockets) / f"kernel-{next(_KERNELS)}"))  # its sockets: <ip>-1, <ip>-2…
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            log.parent.mkdir(parents=True, exist_ok=True)
            process = None
            if _KERNEL_SERVER and kernel_cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"]:
                # As LocalProvisioner.launch_kernel, but the process forked from the kernel server, its parent (a
                # kernel whose parent has gone ends itself: the server ends with this process).
                server = _KERNEL_SERVER[-1]
                env = {**(kw.get("env") or os.environ), "JPY_PARENT_PID": str(server.process.pid)}
                cwd = str(kw.get("cwd") or os.getcwd())
                try:
                    process = server.start(kernel_cmd[2:], cwd=cwd, env=env, output=str(log))
                except OSError:  # the server has ended (failed, or killed): a new Python, as jupyter_client starts
                    process = None
            if process is not None:
                provisioner = self.provisioner
                provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
                provisioner.cwd = cwd
                self._reconcile_connection_info(provisioner.connection_info)
                return
            with open(log, "wb") as output:  # the kernel holds its own copy of the descriptor
                kw.update(stdout=output, stderr=output)
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return LoggedKernelManager


def params_section(notebook: Path) -> str:
    """The params.yaml section a notebook reads: its metadata `briefing.params_section`, else its file name."""
    metadata = nbformat.read(notebook, as_version=4).metadata
    return metadata.get("briefing", {}).get("params_section", notebook.stem)


def failed_cell_error(notebook: Path, raw: Path, error) -> PipelineError:
    """The message for a cell that raised, and the executed copy kept where the user can read the traceback.

    The copy goes to data/interim/failed/ (never an output: the committed executed notebook stays as it was).
    The cell is named as the user finds it: its position in the source notebook (papermill's injected
    parameters cell left out), the execution count shown beside it in the kept copy, and its first line."""
    if error.ename == "PipelineError":  # a check in the notebook's code refused an input: its message says it all
        return PipelineError(str(error.evalue).splitlines()[0] if error.evalue else error.ename)
    kept = paths.FAILED_NOTEBOOKS / notebook.name
    where = f"the executed notebook with the traceback is kept in {paths.relative(kept)}"
    try:
        executed = nbformat.read(raw, as_version=4)
        kept.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, kept)
        kept.with_suffix(".html").write_text(to_html(executed), encoding="utf-8")
        injected = [i for i, cell in enumerate(executed.cells)
                    if "injected-parameters" in cell.metadata.get("tags", [])]
    except (OSError, ValueError):
        injected, where = [], "the executed notebook could not be saved"
    position = error.cell_index + 1 - sum(1 for i in injected if i < error.cell_index)
    first_line = next((line.strip() for line in (error.source or "").splitlines() if line.strip()), "")
    return PipelineError(
        f"cell {position} (shown as [{error.exec_count}] in the kept copy; it starts `{first_line[:60]}`) "
        f"failed: {error.ename}: {str(error.evalue).splitlines()[0][:300] if error.evalue else ''}",
        file=notebook, fix=f"{where} (and .html); fix the cause and run again — the previous outputs are unchanged")


def stage_inputs(notebook: Path) -> list[dict]:
    """The files the dvc.yaml stage that runs `notebook` reads (its deps, each module of its code named), each with
    its hash and size, as it ran."""
    running = dvc_yaml.stage_running(paths.relative(notebook)) if paths.DVC_YAML.is_file() else None
    deps = dvc_yaml.stage_inputs(running[0]) if running else []
    return [{"path": dep, "md5": dvc_md5(paths.ROOT / dep), "bytes": size(paths.ROOT / dep)}
            for dep in deps if (paths.ROOT / dep).exists()]


def scrub(nb: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """Remove what changes from run to run (timings), keep everything else, paths relative to the root. The Python
    that ran it is recorded as the kernel gives it, to its minor release (3.11): the patch release (3.11.2 on Debian
    12, 3.11.7 from pyenv, the latest 3.11 from environment.yml's conda) changes no number, and kept it made every
    executed notebook, and `make test`'s check of them, differ from one installation to the next."""
    language = nb.metadata.get("language_info", {})
    if isinstance(language.get("version"), str):
        language["version"] = ".".join(language["version"].split(".")[:2])
    for key in _VOLATILE_PAPERMILL_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    papermill_meta = nb.metadata.get("papermill", {})
    papermill_meta["input_path"] = paths.relative(source)
    papermill_meta["output_path"] = paths.relative(paths.executed_notebook(source.stem))
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id on every run
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        for key in _VOLATILE_PAPERMILL_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
    return nb


def to_html(nb: nbformat.NotebookNode) -> str:
    """A self-contained HTML page of the executed notebook (images embedded). The notebook is checked against
    nbformat's schema once, after the exporter's preprocessors, not after each of them."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True, optimistic_validation=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _default_type(default: str):
    """The Python type of a parameter's default as written in the notebook (None if not a literal)."""
    import ast

    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return None
    return type(value) if value is not None else None


def _is_instance(value, expected: type) -> bool:
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--section", help="params.yaml section (default: the notebook's file name)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugger notice would land in outputs
    executed, html = run(args.notebook, args.section)
    print(f"executed {paths.relative(args.notebook)} -> {paths.relative(executed)}, {paths.relative(html)}")


if __name__ == "__main__":
    main()
