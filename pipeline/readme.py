"""Keep the pipeline diagram in README.md and docs/architecture.md equal to `dvc dag --md`, without the `code` stage.

Every other stage depends on `code` (the list of the pipeline modules it runs, pipeline/code_inputs/): drawn, it
would be one arrow to each of them and hide the data's flow, so the diagram leaves it out and says so under it.

    python -m pipeline.readme          # rewrite the diagrams (make readme)
    python -m pipeline.readme --check  # exit 1 if one is stale
"""

from __future__ import annotations

import re
import subprocess
import sys

from pipeline import dvc_yaml, paths
from pipeline.errors import cli

DOCUMENTS = (paths.README, paths.ARCHITECTURE)  # each holds the diagram between its dag:start and dag:end marks
_BLOCK = re.compile(r"(<!-- dag:start[^\n]*-->\n).*?(<!-- dag:end -->)", re.S)


LEFT_OUT = (f"Every stage also depends on `{dvc_yaml.CODE_STAGE}`, which lists the pipeline modules each one runs "
            "(left out of the diagram).")


def diagram() -> str:
    dvc = [sys.executable, "-m", "dvc", "dag", "--md"]
    drawn = subprocess.run(dvc, cwd=paths.ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return without_stage(drawn, dvc_yaml.CODE_STAGE) + "\n\n" + LEFT_OUT


def without_stage(drawn: str, stage: str) -> str:
    """DVC's mermaid diagram without one stage's node and arrows (lines `\tnodeN["stage"]`, `\tnodeN-->nodeM`)."""
    node = re.search(rf'^\t(node\d+)\["{re.escape(stage)}"\]$', drawn, re.M)
    if node is None:
        return drawn
    name = node.group(1)
    return "\n".join(line for line in drawn.splitlines()
                     if line != node.group(0) and not re.fullmatch(rf"\t({name}-->node\d+|node\d+-->{name})", line))


def with_diagram(text: str, dag: str) -> str:
    return _BLOCK.sub(lambda m: f"{m.group(1)}{dag}\n{m.group(2)}", text)


@cli
def main() -> int:
    dag = diagram()
    stale = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        updated = with_diagram(text, dag)
        if updated != text:
            stale.append(document)
            if "--check" not in sys.argv:
                document.write_text(updated, encoding="utf-8")
    return 1 if stale and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
