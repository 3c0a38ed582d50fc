"""Keep the pipeline diagram in README.md and docs/architecture.md equal to `dvc dag --md`.

    python -m pipeline.readme          # rewrite the diagrams (make readme)
    python -m pipeline.readme --check  # exit 1 if one is stale
"""

from __future__ import annotations

import re
import subprocess
import sys

from pipeline import paths
from pipeline.errors import cli

DOCUMENTS = (paths.README, paths.ARCHITECTURE)  # each holds the diagram between its dag:start and dag:end marks
_BLOCK = re.compile(r"(<!-- dag:start[^\n]*-->\n).*?(<!-- dag:end -->)", re.S)


def diagram() -> str:
    dvc = [sys.executable, "-m", "dvc", "dag", "--md"]
    return subprocess.run(dvc, cwd=paths.ROOT, check=True, capture_output=True, text=True).stdout.strip()


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
