"""The README's pipeline diagram is the one DVC draws from dvc.yaml."""

from pipeline import readme


def test_readme_diagram_is_current():
    text = readme.README.read_text(encoding="utf-8")
    assert readme.with_diagram(text, readme.diagram()) == text, "run `make readme` and commit README.md"
