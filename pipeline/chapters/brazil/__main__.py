"""The Brazil chapter's build: `python -m pipeline.chapters.brazil` (the DVC stage `brazil`)."""

from pipeline.chapters.brazil.build import main

main()
