"""The chapters of the briefing, each built one way (see docs/architecture.md):

- `build.py`: the chapter's numbers, a DVC stage of its own (`python -m pipeline.chapters.<chapter>`): reads interim
  data, checks its settings against the data, computes every table the chapter publishes and writes them through
  the table registry, its interim tables (`pipeline.chapters.interim`) and its long-table part;
- `charts.py`: one function per figure, drawing it from the build's tables (the figures stage and the notebook
  call them through `pipeline.figures`);
- helpers the build needs, named without the chapter's prefix (quality.py, reconcile.py, claims.py, notes.py …);
- the notebook (notebooks/), which reads the build's tables, narrates and shows each figure once.
"""
