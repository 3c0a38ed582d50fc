"""The briefing pack: `python -m pipeline.report` (the DVC stage `report`)."""

from pipeline.report.build import main

main()
