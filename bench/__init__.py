"""Benchmarks (not tests): how fast the pipeline rebuilds the briefing, how the SNEEP loader scales, and how
both compare with what a researcher would otherwise write. Measured side by side in one run on this machine.

    python -m bench            # full run (make bench), writes reports/benchmarks.md
    python -m bench --quick    # small sizes, one repetition, writes to a temporary folder (the smoke test)

One module per measurement; each returns a `Section` that `bench.report` turns into markdown. Generated data
and the temporary copies of the repository live in bench/work/ (gitignored) or a temporary folder.
"""
