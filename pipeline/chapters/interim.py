"""The tables a chapter's build writes for the stages after it: one Parquet per table in data/interim/<chapter>/,
and `values.json` (the texts' parameters and the definitions the chapter states, see pipeline/registry.py).

The figures stage, the notebooks and the briefing read them here, so every number they show is one the build
computed. Parquet keeps each column's type (whole years, flags, missing values) exactly as the build made it.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io, paths
from pipeline.errors import PipelineError


def write(chapter: str, tables: dict[str, pd.DataFrame], values: dict) -> None:
    """Write every table and the values (inside the build's transaction, which replaces the whole folder)."""
    for name, table in tables.items():
        with io.target(paths.chapter_table(chapter, name)).open("wb") as handle:
            pq.write_table(pa.Table.from_pandas(table, preserve_index=False), handle)
    # Keys in the build's order (not sorted): a definition's value may be a mapping stated as the parameter gives it.
    io.write_text(paths.chapter_values(chapter), json.dumps(values, indent=1, ensure_ascii=False) + "\n")


def read(chapter: str, name: str) -> pd.DataFrame:
    """One table a chapter's build wrote."""
    path = paths.chapter_table(chapter, name)
    if not path.is_file():
        raise PipelineError(f"the {chapter} chapter's table '{name}' is missing", file=path,
                            fix=f"run its build first: `dvc repro {chapter}`")
    return pd.read_parquet(path)


def read_all(chapter: str) -> dict[str, pd.DataFrame]:
    """Every table a chapter's build wrote, by name."""
    folder = paths.chapter_dir(chapter)
    return {path.stem: read(chapter, path.stem) for path in sorted(folder.iterdir())
            if path == paths.chapter_table(chapter, path.stem)}


def values(chapter: str) -> dict:
    """The texts' parameters and the definitions a chapter's build stated."""
    path = paths.chapter_values(chapter)
    if not path.is_file():
        raise PipelineError(f"the {chapter} chapter's values are missing", file=path,
                            fix=f"run its build first: `dvc repro {chapter}`")
    return json.loads(path.read_text(encoding="utf-8"))
