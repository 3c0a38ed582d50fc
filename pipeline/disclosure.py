"""Suppression of small cells in tables of people, so that no published number identifies a few persons.

A table of counts is published with its row and column totals. Cells with 1 to `min_cell - 1` people are
suppressed (primary suppression); then more cells are suppressed until no suppressed cell can be worked out
exactly from the published totals by subtraction — along one row or column, or by combining several
(complementary suppression, checked with linear algebra).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def suppress(counts: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Boolean frame, True where a cell of `counts` (rows x columns, totals not included) must be hidden."""
    cells = counts.to_numpy(dtype=float)
    hidden = (cells > 0) & (cells < min_cell)
    while True:
        exposed = recoverable(cells, hidden)
        if not exposed:
            return pd.DataFrame(hidden, index=counts.index, columns=counts.columns)
        i, j = exposed[0]
        hidden[_complement(cells, hidden, i, j)] = True


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
