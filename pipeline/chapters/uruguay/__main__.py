"""The Uruguay chapter's build: `python -m pipeline.chapters.uruguay` (the DVC stage `uruguay`)."""

from pipeline.chapters.uruguay.build import main

main()
