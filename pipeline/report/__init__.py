"""The briefing pack: the pipeline's last stage turns every chapter's outputs into what people use.

    python -m pipeline.report

Writes, for each language of params.yaml `report.languages` (English first):

- `reports/briefing.html` (English) and `reports/briefing-<lang>.html`: every figure with its caption, source
  line and alt text, every table of the registry, the claims, the data-quality and reconciliation tables, the
  definitions used (params.yaml) and the provenance of each source;
- `reports/figures-<lang>.zip`: each figure's SVG, PNG, PDF, data CSV and caption text, for authors (the figures
  themselves are drawn by the chapters' figures stages, pipeline/figures.py);

and, once: `reports/index.html` (reviewer index of the executed notebooks), `reports/metrics/*.json` (headline
numbers, DVC metrics) and `reports/plots/women-held.csv` (the main time series, DVC plots).

One module per job: inputs.py reads the built tables and figures through the registry, state.py asks DVC whether
every stage is up to date, metrics.py reads the headline numbers, render.py fills the page templates (texts from
data/translations.csv, through pipeline.i18n), bundles.py packs the figures; build.py writes it all at once.
Every output is a function of the committed inputs only: no dates, no git commit, fixed zip timestamps.
"""
