"""A stage's code: the pipeline modules its entry points import, directly or not, and its list of them."""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterator
from pathlib import Path

from pipeline import paths
from pipeline.hashes import file_md5


def modules(*entries: str) -> list[str]:
    """The pipeline modules `entries` (module names, or notebooks by path) import, directly or not, themselves
    included: files relative to the root, sorted."""
    found, todo = set(), list(entries)
    while todo:
        entry = todo.pop()
        path = _module_file(entry) if not entry.endswith(".ipynb") else paths.ROOT / entry
        if path is None or path in found:
            continue
        found.add(path)
        todo += _imports(path)
    return sorted(paths.relative(path) for path in found if path.name != "__init__.py")  # packages: a docstring only


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "pipeline":
        return None
    base = paths.ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache  # a stage's list reads the modules it shares with others (pipeline/paths.py: 28 stages) once
def _imports(path: Path) -> tuple[str, ...]:
    """Module names a file imports (a notebook: its code cells); `from pipeline.x import y` names both x and x.y."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    else:
        source = path.read_text(encoding="utf-8")
    names = []
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return tuple(name for name in names if name.startswith("pipeline"))


def _statements(body: list) -> Iterator[ast.AST]:
    """Every statement of a block and of the blocks inside it (a function's, a branch's, a handler's): where an
    import can stand. Expressions are not visited (a tenth of a module's nodes are statements)."""
    for node in body:
        yield node
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, block, None)
            if isinstance(inner, list):
                yield from _statements(inner)


def code_files(*entries: str) -> list[str]:
    """The pipeline modules a stage with these entries runs (its notebook, a dependency of its own, left out)."""
    return [name for name in modules(*entries) if not name.endswith(".ipynb")]


def listing(*entries: str) -> str:
    """A stage's list: each module's md5 and path, as `md5sum` writes them."""
    return "".join(f"{_md5(name)}  {name}\n" for name in code_files(*entries))


@functools.cache
def _md5(name: str) -> str:
    return file_md5(paths.ROOT / name)
