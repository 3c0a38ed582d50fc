"""Keep the pipeline diagram in README.md equal to `dvc dag --md`.

    python -m pipeline.readme          # rewrite the diagram
    python -m pipeline.readme --check  # exit 1 if it is stale
"""

from __future__ import annotations

import re
import subprocess
import sys

from pipeline import paths

README = paths.README
_BLOCK = re.compile(r"(<!-- dag:start[^\n]*-->\n).*?(<!-- dag:end -->)", re.S)


def diagram() -> str:
    dvc = [sys.executable, "-m", "dvc", "dag", "--md"]
    return subprocess.run(dvc, cwd=paths.ROOT, check=True, capture_output=True, text=True).stdout.strip()


def with_diagram(text: str, dag: str) -> str:
    return _BLOCK.sub(lambda m: f"{m.group(1)}{dag}\n{m.group(2)}", text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    updated = with_diagram(text, diagram())
    if "--check" in sys.argv:
        return 0 if updated == text else 1
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
