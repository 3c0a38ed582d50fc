"""The briefing's "Definitions used" (pipeline/report/definitions.py): every parameter with the value the build used
and its explanation read from the comments of params.yaml (not a copy of them)."""

from __future__ import annotations

import pytest

from pipeline import i18n, params, paths
from pipeline.report import definitions, render


def test_comments_are_split_from_values_outside_quotes():
    assert definitions.split_comment(' 5.0  # a gap # with a hash') == ("5.0", "a gap # with a hash")
    assert definitions.split_comment(' "(?i)a#b"  # pattern') == ('"(?i)a#b"', "pattern")
    assert definitions.split_comment(" [ARG, BRA]") == ("[ARG, BRA]", "")


def test_a_small_params_file_is_read_with_its_groups_introductions_and_explanations(tmp_path, monkeypatch):
    (tmp_path / "params.yaml").write_text(
        "# header of the file\n"
        "base:\n  focus_countries: [ARG]  # the countries\n\n"
        "# ---------------- Brazil (SISDEPEN) ---\n"
        "brazil:  # Brazil's chapter\n"
        "  # Plausibility rules: findings in tab-22.\n"
        "  outlier_ratio: 5.0  # spike rule: this many times\n"
        "  claimed: {male: 448.3}  # the claim\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    monkeypatch.setattr(params, "read_all", lambda: {"base": _Model({"focus_countries": ["ARG"]}),
                                                     "brazil": _Model({"outlier_ratio": 5.0,
                                                                       "claimed": {"male": 448.3}})})
    sections = definitions.parameters()
    assert [(s.name, s.group, s.explanation) for s in sections] == [("base", "", ""),
                                                                    ("brazil", "Brazil (SISDEPEN)", "Brazil's chapter")]
    assert [(p.key, p.value, p.explanation) for p in sections[0].items] == [("focus_countries", '["ARG"]',
                                                                            "the countries")]
    note, ratio, claimed = sections[1].items
    assert note == "Plausibility rules: findings in tab-22."
    assert (ratio.key, ratio.value, ratio.explanation) == ("outlier_ratio", "5.0", "spike rule: this many times")
    assert (claimed.key, claimed.value) == ("claimed", '{"male": 448.3}')


class _Model:
    def __init__(self, values):
        self.values = values

    def model_dump(self):
        return self.values


def test_every_parameter_of_the_real_file_is_shown_with_the_value_used_and_its_explanation():
    sections = definitions.parameters()
    used = params.read_all()
    assert [s.name for s in sections] == list(used)
    brazil = next(s for s in sections if s.name == "brazil")
    assert brazil.group == "Brazil (SISDEPEN)"
    items = {p.key: p for p in brazil.items if isinstance(p, definitions.Parameter)}
    assert items["outlier_treatment"].value == "exclude"
    assert items["outlier_treatment"].explanation.startswith("state-semesters flagged by the spike or per-capita rule")
    assert items["claimed_monitoring_growth_pct"].value == '{"male": 448.3, "female": 403.8}'
    explained = [p for s in sections for p in s.items if isinstance(p, definitions.Parameter)]
    assert len(explained) > 50 and sum(bool(p.explanation) for p in explained) / len(explained) > 0.9


@pytest.mark.parametrize("language", ["es", "pt"])
def test_every_explanation_is_translated(language):
    tr = i18n.Translator(language)
    groups = render.definitions_used(tr)
    english = render.definitions_used(i18n.Translator("en"))
    pairs = [(mine.get("explanation") or mine.get("note"), theirs.get("explanation") or theirs.get("note"))
             for group, other in zip(groups, english) for section, other_section in zip(group["sections"],
                                                                                         other["sections"])
             for mine, theirs in zip(section["items"], other_section["items"])]
    assert len(pairs) > 50
    assert [english_text for text, english_text in pairs if text and text == english_text] == []


@pytest.mark.parametrize("override", ["brazil.outlier_treatment=keep", "regional.juveniles_note_min_pct=2.5",
                                      "report.languages=[en,es]"])
def test_params_yaml_as_dvc_exp_run_set_rewrites_it_gives_the_same_definitions_but_the_value(override, tmp_path,
                                                                                              monkeypatch):
    """`dvc exp run -S key=value` rewrites params.yaml in DVC's own layout (lists one item a line, quotes dropped, a
    banner after a list moved into it; README, "Rerunning one part"), with `dvc.utils.hydra.apply_overrides`, the
    function it calls (DVC pinned in requirements.lock). The settings still validate, and the definitions the
    pages show (groups, explanations, values) are the committed file's but for the key set."""
    from dvc.utils.hydra import apply_overrides

    rewritten = tmp_path / "params.yaml"
    rewritten.write_bytes(paths.PARAMS.read_bytes())
    apply_overrides(str(rewritten), [override])
    assert rewritten.read_text(encoding="utf-8") != paths.PARAMS.read_text(encoding="utf-8")
    before = definitions.parameters()
    monkeypatch.setattr(paths, "PARAMS", rewritten)
    after = definitions.parameters()
    key, value = override.split("=")
    section, name = key.split(".")
    differ = [(b.name, p.key, p.value, q.value) for b, a in zip(before, after) for p, q in zip(b.items, a.items)
              if p != q]
    assert [(s.name, s.group, s.explanation, len(s.items)) for s in after] == \
        [(s.name, s.group, s.explanation, len(s.items)) for s in before]
    shown = definitions.show_value(params.read_all()[section].model_dump()[name])
    assert len(differ) == 1 and differ[0][:2] == (section, name) and differ[0][3] == shown, differ
    assert shown.replace('"', "").replace(", ", ",") == value
