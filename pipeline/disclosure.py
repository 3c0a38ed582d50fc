"""Suppression of small cells in tables of people, so that no published number identifies a few persons.

A table of counts is published with its row and column totals and its grand total. Every number of 1 to
`min_cell - 1` people is suppressed — a cell, and also a row or column total (a province total of 3 women is
as small a count as a cell of 3) — (primary suppression); then more numbers are suppressed until no suppressed
number can be worked out exactly from what is published, by subtraction along a row or column or by combining
several (complementary suppression, checked with linear algebra). The grand total is always published: it is
the national figure, printed elsewhere anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# A null-space component below this is zero. The equations hold 0 and ±1 only: a hidden number that can move has
# components of the order of 1 / (the table's numbers) in an orthonormal null-space basis, far above rounding (1e-15).
NULL_TOLERANCE = 1e-9


@dataclass
class Protected:
    """What to hide in a table of counts: cells, row totals and column totals (True = hidden)."""

    cells: pd.DataFrame
    row_totals: pd.Series
    column_totals: pd.Series


def suppress(counts: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Boolean frame, True where a cell of `counts` (rows x columns, totals not included) must be hidden,
    when the totals are published whatever they hold (use `protect` when totals can be small too)."""
    cells = counts.to_numpy(dtype=float)
    hidden = (cells > 0) & (cells < min_cell)
    while True:
        exposed = recoverable(cells, hidden)
        if not exposed:
            return pd.DataFrame(hidden, index=counts.index, columns=counts.columns)
        i, j = exposed[0]
        hidden[_complement(cells, hidden, i, j)] = True


def protect(counts: pd.DataFrame, min_cell: int) -> Protected:
    """Cells and totals of `counts` to hide so that no small number is published or can be worked out."""
    table = _Margins(counts.to_numpy(dtype=float))
    values = table.values
    hidden = (values > 0) & (values < min_cell)
    hidden[table.grand] = False
    while True:
        exposed = table.exposed(hidden)
        if not exposed:
            break
        hidden[table.complement(hidden, exposed)] = True
    r, c = counts.shape
    return Protected(pd.DataFrame(hidden[: r * c].reshape(r, c), index=counts.index, columns=counts.columns),
                     pd.Series(hidden[r * c: r * c + r], index=counts.index),
                     pd.Series(hidden[r * c + r: r * c + r + c], index=counts.columns))


class _Margins:
    """A table's cells, row totals, column totals and grand total as one vector, with the equations that tie
    them (each row and column adds up to its total; the totals add up to the grand total)."""

    def __init__(self, cells: np.ndarray):
        r, c = cells.shape
        self.shape = (r, c)
        self.values = np.concatenate([cells.ravel(), cells.sum(axis=1), cells.sum(axis=0), [cells.sum()]])
        self.grand = len(self.values) - 1
        equations = []
        for i in range(r):
            equation = np.zeros(len(self.values))
            equation[i * c:(i + 1) * c] = 1
            equation[r * c + i] = -1
            equations.append(equation)
        for j in range(c):
            equation = np.zeros(len(self.values))
            equation[j: r * c: c] = 1
            equation[r * c + r + j] = -1
            equations.append(equation)
        for first, count in ((r * c, r), (r * c + r, c)):
            equation = np.zeros(len(self.values))
            equation[first:first + count] = 1
            equation[self.grand] = -1
            equations.append(equation)
        self.equations = np.array(equations)

    def exposed(self, hidden: np.ndarray) -> list[int]:
        """Hidden numbers whose exact value follows from the published ones."""
        unknowns = np.flatnonzero(hidden)
        if not len(unknowns):
            return []
        # A hidden number follows from the published ones when its unit vector lies in the row space of the
        # equations over the hidden numbers: when no solution of the homogeneous system moves it, i.e. it is zero
        # in every vector of the null space. One SVD gives that null space for all of them (one matrix rank per
        # hidden number, as before, took 0.07 s for a province table); the rank's tolerance is numpy's.
        system = self.equations[:, unknowns]
        _, singular, vt = np.linalg.svd(system)
        rank = int((singular > singular.max(initial=0) * max(system.shape) * np.finfo(float).eps).sum())
        moves = np.abs(vt[rank:]).max(axis=0, initial=0) > NULL_TOLERANCE
        return [int(variable) for variable, free in zip(unknowns, moves) if not free]

    def complement(self, hidden: np.ndarray, exposed: list[int]) -> int:
        """The next number to hide. Exposed totals are protected first (a hidden total is recovered from the
        grand total whatever its cells do, so hiding more cells would not help it); for the first exposed number
        with a published neighbour (sharing an equation), the neighbour whose hiding costs least: people before
        empty cells (an empty cell hidden protects less), then the smallest; never the grand total."""
        cells = self.shape[0] * self.shape[1]
        for variable in sorted(exposed, key=lambda v: (v < cells, self.values[v], v)):
            related = np.flatnonzero(np.abs(self.equations[self.equations[:, variable] != 0]).sum(axis=0))
            candidates = [v for v in related if not hidden[v] and v != self.grand]
            if candidates:
                return min(candidates, key=lambda v: (self.values[v] == 0, self.values[v], v))
        raise ValueError(f"numbers {exposed} of the table cannot be protected: all their neighbours are hidden")


def recoverable(cells: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells whose exact value follows from the visible cells and the row and column totals."""
    positions = list(zip(*np.nonzero(hidden)))
    if not positions:
        return []
    # One equation per row and per column: the sum of its hidden cells is known.
    equations = np.zeros((cells.shape[0] + cells.shape[1], len(positions)))
    for k, (i, j) in enumerate(positions):
        equations[i, k] = equations[cells.shape[0] + j, k] = 1
    rank = np.linalg.matrix_rank(equations)
    exposed = []
    for k, position in enumerate(positions):
        unit = np.zeros((1, len(positions)))
        unit[0, k] = 1
        if np.linalg.matrix_rank(np.vstack([equations, unit])) == rank:
            exposed.append(tuple(int(x) for x in position))
    return exposed


def _complement(cells: np.ndarray, hidden: np.ndarray, i: int, j: int) -> tuple[int, int]:
    """The smallest visible cell in the same row or column as (i, j): hiding it costs the least."""
    candidates = [(i, c) for c in range(cells.shape[1]) if not hidden[i, c]] + \
                 [(r, j) for r in range(cells.shape[0]) if not hidden[r, j]]
    if not candidates:
        raise ValueError(f"cell {(i, j)} cannot be protected: its row and column are all hidden")
    # Prefer people over empty cells (an empty cell hidden protects less), then the smallest.
    return min(candidates, key=lambda rc: (cells[rc] == 0, cells[rc], rc))
