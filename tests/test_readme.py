"""The pipeline diagram of README.md and docs/architecture.md is the one DVC draws from dvc.yaml."""

import pytest

from pipeline import readme


@pytest.mark.parametrize("document", readme.DOCUMENTS, ids=lambda document: document.name)
def test_the_diagram_is_current(document):
    text = document.read_text(encoding="utf-8")
    assert "<!-- dag:start" in text
    assert readme.with_diagram(text, readme.diagram()) == text, "run `make readme` and commit it"
