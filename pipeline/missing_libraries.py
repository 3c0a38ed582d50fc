"""A command started by a Python that lacks the project's libraries: one line saying so and what to do, exit 1.

`dvc repro` runs each stage's `bin/python -m pipeline.<command>`; without the checkout's .venv (no `make setup` yet)
`bin/python` runs the `python` on PATH, which may be any Python: pyenv's, a system one, DVC's own environment.
Its first import of a library the project installs (babel, pandas, pyarrow…) then ended the stage with Python's
traceback. When the package is imported by `python -m` (pipeline.interrupt.starting_as_command), `install` puts a
hook in place that turns such an import error into `message`'s line, and `pipeline.errors.cli` does the same for one
raised later (a library imported where it is used). An import error of the project's own modules is left alone: it
is a bug, not the environment. Only the standard library here: it runs before any library is imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = "pipeline"


def missing(error: BaseException) -> str | None:
    """The library `error` says is missing (its top-level name), if `error` is the import error of one that is not
    the project's own; else None."""
    if not isinstance(error, ModuleNotFoundError) or not error.name:
        return None
    top = error.name.split(".")[0]
    return None if top == PACKAGE else top


def message(library: str) -> str:
    if _checkout_venv().is_file():  # `make setup` was run: the command was typed with another Python
        return (f"this Python ({sys.executable}) lacks the project's libraries (no module named '{library}') — "
                "this checkout has them in .venv (`make setup`): run the command with `.venv/bin/python` (as the "
                "README writes it), or activate the venv first (`source .venv/bin/activate`)")
    return (f"this Python ({sys.executable}) lacks the project's libraries (no module named '{library}') — "
            "run `make setup`: it makes .venv with the locked versions, which `bin/python` (so `dvc repro`) and "
            "`make repro` use; or install them into this Python (`pip install -r requirements.lock -e .`)")


def _checkout_venv() -> Path:
    """The Python of the checkout's .venv, beside the package (as the command found it: links not followed)."""
    return Path(__file__).parent.parent / ".venv" / "bin" / "python"


def _hook(kind, error, trace) -> None:
    library = missing(error)
    if library is None:
        _previous(kind, error, trace)
        return
    print(f"error: {message(library)}", file=sys.stderr, flush=True)


def install() -> None:
    """The hook for an uncaught error (Python exits with status 1 after it, as after a traceback)."""
    global _previous
    _previous = sys.excepthook
    sys.excepthook = _hook


_previous = sys.excepthook
