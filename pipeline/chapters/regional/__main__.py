"""The regional chapter's build: `python -m pipeline.chapters.regional` (the DVC stage `regional`)."""

from pipeline.chapters.regional.build import main

main()
