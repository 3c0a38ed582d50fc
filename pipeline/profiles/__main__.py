"""The profiles build: `python -m pipeline.profiles` (the DVC stage `profiles`)."""

from pipeline.profiles.build import main

main()
