"""Gather every source's long-table rows into data/processed/indicators.csv, validated.

    python -m pipeline.indicators unodc_prisons brazil argentina uruguay

The parts are named on the command line (as in dvc.yaml), never discovered by listing a folder, so
the gathered table depends on exactly the parts DVC tracks.
"""

from __future__ import annotations

import argparse

import pandas as pd

from pipeline import longtable, paths
from pipeline.errors import cli


def gather(parts: list[str]) -> pd.DataFrame:
    """All rows of the named parts; validation catches a key that two parts both claim."""
    table = pd.concat([longtable.read(paths.indicator_part(p)) for p in sorted(parts)], ignore_index=True)
    return longtable.validate(table, paths.INDICATORS)


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="+", help=f"long-table parts in {paths.relative(paths.INDICATOR_PARTS)}/")
    args = parser.parse_args(argv)
    table = gather(args.parts)
    longtable.save(table, paths.INDICATORS)
    print(f"indicators: {len(table):,} rows from {len(args.parts)} part(s)")


if __name__ == "__main__":
    main()
