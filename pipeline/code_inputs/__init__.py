"""The pipeline code each stage runs, one list a stage: the `code` stage of dvc.yaml.

    python -m pipeline.code_inputs    # write data/interim/code/<stage>.md5 for every stage (the `code` stage)

closure.py reads the imports (a stage's modules, its list); __main__.py is the stage, which takes each stage's entry
points from pipeline/dvc_yaml.py.

A stage's code is the pipeline modules its entry point imports, directly or not (read from their import statements;
a notebook's from its code cells), so that changing any code a stage runs reruns it, and no other. Each stage
depends on one file that lists them with their md5, data/interim/code/<stage>.md5, in `md5sum`'s format (from the
project's root, `md5sum -c data/interim/code/brazil.md5` checks it). The `code` stage writes every list; it depends
on the whole pipeline folder (.dvcignore leaves out Python's `__pycache__`) and on the notebooks whose imports it
reads. When a module changes, `code` reruns and rewrites the lists; a stage whose list now differs reruns after it,
and the others find their list byte for byte as recorded and are skipped, as before.

Why lists, and not each module as a dependency of each stage that imports it (as until December 2026): DVC records
every dependency in dvc.lock, and `dvc repro` reads and writes the whole of dvc.lock again, with a pure-Python YAML
parser, after each stage it runs (about 1.1 CPU-seconds a stage for 128 kB); a no-op compares and locks every
dependency of every stage. The modules were 571 of dvc.lock's 937 entries (pipeline/paths.py alone 28 times); with
the lists, 404 entries and 68 kB. Measured (reports/benchmarks.md, 2026-12-06): DVC's own work after each stage of
a cold `dvc repro` from 0.9-1.1 to 0.6-0.8 CPU-seconds, a no-op `dvc repro` from 3.74 to 2.57 times `dvc version`.
What a stage ran is still stated in full: an executed notebook records each module with its md5 and size, and the
briefing's fingerprint covers them (`dvc_yaml.stage_inputs`), exactly as before. An edited notebook reruns `code`
too (it reads the notebook's imports), whose record in dvc.lock then moves even if the notebook's stage fails.
"""