"""The `code` stage: `python -m pipeline.code_inputs` writes every stage's list of the modules it runs."""

from __future__ import annotations

from pipeline import dvc_yaml, io, paths
from pipeline.code_inputs.closure import code_files, listing
from pipeline.errors import cli


@cli
def main() -> None:
    entries = dvc_yaml.code_entries()
    with io.transaction(replace=(paths.CODE_INPUTS,)):  # a stage no longer defined leaves no list behind
        for stage, names in entries.items():
            io.write_text(paths.code_inputs_file(stage), listing(*names))
    counted = len({name for names in entries.values() for name in code_files(*names)})
    print(f"{paths.relative(paths.CODE_INPUTS)}: the code of {len(entries)} stages ({counted} modules)")


main()
