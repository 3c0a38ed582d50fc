"""The Argentina chapter's build: `python -m pipeline.chapters.argentina` (the DVC stage `argentina`)."""

from pipeline.chapters.argentina.build import main

main()
