"""The claims check: `python -m pipeline.chapters.claims` (the DVC stage `claims`)."""

from pipeline.chapters.claims.build import main

main()
