"""The layout holds (docs/architecture.md): no import circle, imports at the top of modules (a function-level project
import says why), packages that only hold a docstring, and every module of pipeline/ imported by a test."""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

from pipeline import paths

TESTS = paths.ROOT / "tests"


def modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found = {}
    for path in sorted(paths.PACKAGE.rglob("*.py")):
        parts = path.relative_to(paths.ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def project_imports(path: Path, top_level_only: bool = False) -> list[tuple[str, ast.AST]]:
    """(module imported, node) for each import of a pipeline module; `from pipeline.x import y` imports x.y when y is
    a module, else x."""
    known = modules()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names if alias.name.startswith("pipeline")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.append((name if name in known else node.module, node))
    return found


def test_no_import_circle():
    graph = {name: {imported for imported, _ in project_imports(path)} - {name} for name, path in modules().items()}
    visiting, done, circles = set(), set(), []

    def visit(name, trail):
        if name in visiting:
            circles.append(trail[trail.index(name):] + [name])
            return
        if name in done or name not in graph:
            return
        visiting.add(name)
        for imported in sorted(graph[name]):
            visit(imported, trail + [name])
        visiting.discard(name)
        done.add(name)

    for name in graph:
        visit(name, [])
    assert circles == []


def test_a_function_level_project_import_says_why():
    unexplained = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        top = {node.lineno for _, node in project_imports(path, top_level_only=True)}
        for _, node in project_imports(path):
            if node.lineno not in top and "#" not in lines[node.lineno - 1] + lines[node.lineno - 2]:
                unexplained.append(f"{name}:{node.lineno}")
    assert unexplained == []


def test_packages_hold_a_docstring_only():
    """So that a stage's code inputs (pipeline/code_inputs/) can leave them out. The one exception, in the root
    package: what a command does while it starts, Ctrl-C handling (pipeline/interrupt.py) and the line for a library
    its Python lacks (pipeline/missing_libraries.py), installed at import because the package is the first thing
    `python -m pipeline.<command>` imports. Every stage lists both modules among its code inputs (pipeline.errors,
    which every stage's `cli` comes from, imports them)."""
    for path in paths.PACKAGE.rglob("__init__.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        if path == paths.PACKAGE / "__init__.py":
            docstring, *hooks, condition = body
            assert [ast.unparse(hook) for hook in hooks] + [ast.unparse(condition)] == [
                "from pipeline import interrupt as _interrupt",
                "from pipeline import missing_libraries as _missing_libraries",
                "if _interrupt.starting_as_command():\n    _interrupt.install()\n    _missing_libraries.install()"]
            body = [docstring]
        assert len(body) <= 1 and all(isinstance(node, ast.Expr) for node in body), path
    hooked = {"pipeline/interrupt.py", "pipeline/missing_libraries.py"}
    lists = sorted(paths.CODE_INPUTS.glob("*.md5"))  # written by the build (`code` stage)
    assert lists
    for listed in lists:
        assert hooked <= {line.split()[1] for line in listed.read_text(encoding="utf-8").splitlines()}, listed


def test_every_module_is_imported_by_a_test():
    tested = set()
    for path in TESTS.rglob("*.py"):
        tested |= {imported for imported, _ in project_imports(path)}
        text = path.read_text(encoding="utf-8")
        tested |= {name for name in modules() if f'"{name}"' in text or f"'{name}'" in text}  # run as a stage
    entry_points = {name for name in modules() if name.endswith("__main__")}  # `python -m` shims of a build
    packages = {name for name, path in modules().items() if path.name == "__init__.py"}
    untested = set(modules()) - tested - entry_points - packages
    assert untested == set()


def test_the_order_of_test_files_names_files_that_exist_and_xdist_keeps_it():
    """tests/conftest.py's FIRST is the order make test's two workers take the files in: a renamed file would drop out
    of it silently, and xdist keeps the order only with --no-loadscope-reorder (the Makefile's XDIST)."""
    first = runpy.run_path(str(TESTS / "conftest.py"))["FIRST"]  # by path: every conftest.py is module `conftest`
    assert [name for name in first if not (paths.ROOT / name).is_file()] == []
    xdist = next(line for line in (paths.ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
                 if line.startswith("XDIST :="))
    assert "--dist loadfile" in xdist and "--no-loadscope-reorder" in xdist
