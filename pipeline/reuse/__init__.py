"""The numbers packaged for reuse and citation: the long table as a Frictionless Data Package (datapackage.py, the
DVC stage `datapackage`) and every number the briefing and the profiles cite, per language, for authors to paste
(values.py, the stage `values`)."""
