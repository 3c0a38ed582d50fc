"""accept-verdicts: exactly the claims whose verdict moved get their new `expected:`, in place (comments and
layout kept), and the reason is logged; nothing is written when something is wrong."""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline.changes import accept, current_claims
from pipeline.errors import PipelineError

REGISTRY = """\
# The registry (header comment kept).
claims:
  # ---- first group ---
  - id: a-share
    section: Introduction
    stated: 37 percent
    check:
      compute: value
      keys:
        - ARG/src/share/female/2021   # a nested list item
      part: {covers: ARG, count: 1, of: 5, units: countries}
    expected: reproduced   # reviewed 2025-01

  - id: b-count
    stated: "2,996"
    context:
      - compute: value
        expected: not-a-claim-key   # a nested key with the same name: never touched
    expected: consistent

  - section: Introduction
    id: c-trend
    expected: partly_checked
"""


def test_only_the_named_claims_expected_lines_change():
    edited = accept.set_expected(REGISTRY, {"a-share": "contradicted", "c-trend": "not_checkable"})
    changed = [(old, new) for old, new in zip(REGISTRY.splitlines(), edited.splitlines()) if old != new]
    assert changed == [("    expected: reproduced   # reviewed 2025-01", "    expected: contradicted   # reviewed 2025-01"),
                       ("    expected: partly_checked", "    expected: not_checkable")]
    assert len(edited.splitlines()) == len(REGISTRY.splitlines()) and edited.endswith("\n")
    parsed = yaml.safe_load(edited)["claims"]
    assert [c["expected"] for c in parsed] == ["contradicted", "consistent", "not_checkable"]
    assert parsed[1]["context"][0]["expected"] == "not-a-claim-key"


def test_no_change_asked_leaves_the_text_byte_for_byte():
    assert accept.set_expected(REGISTRY, {}) == REGISTRY


@pytest.mark.parametrize("text, message", [
    (REGISTRY.replace("    expected: consistent\n", ""), r"claim 'b-count' has 0 'expected:' lines"),
    (REGISTRY + "  - id: b-count\n    expected: reproduced\n", r"claim 'b-count' has 2 'id:' lines"),
])
def test_an_unusual_layout_is_refused_not_guessed(text, message):
    with pytest.raises(PipelineError, match=message):
        accept.set_expected(text, {"b-count": "contradicted"})


@pytest.fixture
def registry_with_a_moved_verdict(tmp_path):
    """A copy of the real registry in which one claim records a verdict the data do not give: the moved one."""
    original = current_claims.REGISTRY.read_text(encoding="utf-8")
    results = current_claims.evaluate().results.set_index("claim_id")
    assert results.loc["amr-women-held-latest", "status"] == "consistent"
    moved = re.sub(r"(- id: amr-women-held-latest\n(?:(?!  - id:).*\n)*?    expected: )consistent",
                   r"\1reproduced", original)
    assert moved != original
    path = tmp_path / "claims.yaml"
    path.write_text(moved, encoding="utf-8")
    return path, original


def test_accept_records_the_new_verdict_and_why(registry_with_a_moved_verdict, tmp_path):
    registry, original = registry_with_a_moved_verdict
    log = tmp_path / "claims-accepted.yaml"
    accepted = accept.accept("SISDEPEN 2022-06 added; checked by A. Reviewer", "2026-01-15", registry=registry,
                             log=log)
    assert accepted[["claim_id", "expected", "status"]].values.tolist() == [
        ["amr-women-held-latest", "reproduced", "consistent"]]
    assert registry.read_text(encoding="utf-8") == original  # exactly that line changed back, comments kept
    entries = yaml.safe_load(log.read_text(encoding="utf-8"))["accepted"]
    assert entries == [{"date": "2026-01-15", "claim": "amr-women-held-latest", "from": "reproduced",
                        "to": "consistent", "computed": accepted["computed"].iloc[0],
                        "reason": "SISDEPEN 2022-06 added; checked by A. Reviewer"}]
    assert log.read_text(encoding="utf-8").startswith("# Verdict changes accepted")
    # Nothing moved any more: a second run changes nothing.
    before = log.read_text(encoding="utf-8")
    assert accept.accept("again", "2026-01-16", registry=registry, log=log).empty
    assert log.read_text(encoding="utf-8") == before


def test_a_second_acceptance_is_appended_to_the_log(registry_with_a_moved_verdict, tmp_path):
    registry, _ = registry_with_a_moved_verdict
    log = tmp_path / "claims-accepted.yaml"
    log.write_text(accept.LOG_HEADER + "  - date: '2025-01-01'\n    claim: x\n    from: a\n    to: b\n"
                                       "    computed: '1'\n    reason: earlier\n", encoding="utf-8")
    earlier = log.read_text(encoding="utf-8")
    accept.accept("later", "2026-01-15", registry=registry, log=log)
    text = log.read_text(encoding="utf-8")
    assert text.startswith(earlier)
    assert [e["reason"] for e in yaml.safe_load(text)["accepted"]] == ["earlier", "later"]


@pytest.mark.parametrize("reason, date, only, message", [
    ("  ", None, None, "no reason given"),
    ("ok", "15/01/2026", None, "is not a date written YYYY-MM-DD"),
    ("ok", None, ["arg-women-held-2015"], r"claim\(s\) arg-women-held-2015 did not change verdict"),
])
def test_nothing_is_written_on_a_bad_request(registry_with_a_moved_verdict, tmp_path, reason, date, only, message):
    registry, _ = registry_with_a_moved_verdict
    before = registry.read_text(encoding="utf-8")
    log = tmp_path / "claims-accepted.yaml"
    with pytest.raises(PipelineError, match=message):
        accept.accept(reason, date, only, registry=registry, log=log)
    assert registry.read_text(encoding="utf-8") == before and not log.exists()
