"""Errors a user can act on, and the command-line wrapper that prints them as one clear message."""

from __future__ import annotations

import functools
import sys
from pathlib import Path


class PipelineError(Exception):
    """A problem with an input: says which file (row, column) and what to do about it."""

    def __init__(self, problem: str, *, file: str | Path | None = None, row: int | None = None,
                 column: str | None = None, fix: str | None = None):
        self.problem, self.file, self.row, self.column, self.fix = problem, file, row, column, fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file is not None:
            from pipeline.paths import relative

            where.append(relative(Path(self.file)))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.fix:
            text += f" — {self.fix}"
        return text


def cli(main):
    """Run `main` as a command: a PipelineError becomes one line on stderr and exit status 1."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except PipelineError as error:
            print(f"error: {error.message}", file=sys.stderr)
            sys.exit(1)

    return wrapper
