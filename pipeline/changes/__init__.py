"""What changed when new data arrived: the changes report, and accepting the claims' new verdicts.

    make changes [BASE=REV | SNAPSHOT=DIR]       python -m pipeline.changes [--base REV | --snapshot DIR]
    python -m pipeline.changes --save-snapshot DIR
    make accept-verdicts REASON="…"             python -m pipeline.changes accept-verdicts --reason "…"

The report compares a baseline — the committed files at `HEAD` by default, any git revision, or a snapshot
folder saved earlier — with the work tree, and writes reports/changes.md (English) and reports/changes.html,
changes-es.html, changes-pt.html. In reading order: a summary (counts, the verdicts that moved, the largest
changes), then the long table (rows added, removed and changed, with old and new value, difference, relative
change, unit, source and definition), the claims (computed value or verdict moved, with the sentence of the
manuscript that states them), the headline numbers (every leaf of reports/metrics/*.json), the data-quality,
reconciliation and check tables (findings that appeared, disappeared or changed), the sources (data/sources.yaml
pins; the files each fetch recorded, including the files a user supplied by hand), and the command that accepts
the new verdicts.

Not a committed output: the baseline moves (HEAD is a different commit after every commit), so the report cannot
be byte-reproducible; it is git-ignored, written by `make changes`, and by `make repro` after `dvc repro` (also
when the build stops at a verdict that moved: that is when it is needed most).

Modules: `baseline` (the two sides), `diff` (pure comparisons), `current_claims` (the claims check without its
guard, and the manuscript's sentences: the only caller of the claims check), `compare` (gathers the parts),
`render` and `output` (the documents), `accept` (accept-verdicts).
"""
