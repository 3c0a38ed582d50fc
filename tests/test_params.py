"""params.yaml is checked strictly: typos are errors with a suggestion."""

from __future__ import annotations

import pytest

from pipeline import params, paths
from pipeline.errors import PipelineError
from pipeline.sources import unodc_prisons
from pipeline.settings import Disclosure, Fetch, UnodcPrisons


def test_committed_params_have_only_known_sections():
    params.load()


def test_a_file_is_parsed_once_per_content_and_each_caller_gets_its_own_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("regional:\n  first_year: 2005\n")
    first = params.load()
    first["regional"]["first_year"] = 1900  # a caller changing what it got changes no later read
    assert params.load() == {"regional": {"first_year": 2005}}
    paths.PARAMS.write_text("regional:\n  first_year: 2010\n")  # the file changed in the same process: seen
    assert params.load() == {"regional": {"first_year": 2010}}
    hits = params._parsed.cache_info().hits
    params.load()
    assert params._parsed.cache_info().hits == hits + 1  # the same text again: not parsed again


def test_unknown_key_in_a_section_suggests_the_right_one(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("unodc_prisons:\n  regoin: Americas\n")
    with pytest.raises(PipelineError, match=r"params.yaml: 'unodc_prisons.regoin': not a key of this "
                                            r"section \(did you mean 'region'\?\) — keys allowed in 'unodc_prisons'"):
        params.read(UnodcPrisons)


def test_wrong_type_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("unodc_prisons:\n  region: 5\n")
    with pytest.raises(PipelineError, match="'unodc_prisons.region': input should be a valid string"):
        params.read(UnodcPrisons)


def test_invalid_yaml_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("regional:\n  first_year: [2005\n")
    with pytest.raises(PipelineError, match="not valid YAML"):
        params.load()


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("regional:\n  first_year: 2005\n  subregion: X\n  first_year: 2010\n")
    with pytest.raises(PipelineError, match=r"row 4: not valid YAML: key 'first_year' appears twice \(lines 2 and 4\)"):
        params.load()


def test_a_wrong_type_names_the_value_given(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("fetch:\n  mirror: 5\n")
    with pytest.raises(PipelineError, match=r"'fetch.mirror': input should be a valid string \(given: 5\)"):
        params.read(Fetch)


@pytest.mark.parametrize("value", [0, 1, 2])
def test_min_cell_below_three_would_switch_suppression_off_and_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text(f"disclosure:\n  min_cell: {value}\n")
    with pytest.raises(PipelineError, match=rf"'disclosure.min_cell': input should be greater than or equal to 3 "
                                            rf"\(given: {value}\) — correct the value; the comment beside the key in "
                                            r"params.yaml says what it means$"):
        params.read(Disclosure)


def test_choices_and_regexes_are_checked_with_the_allowed_values():
    with pytest.raises(PipelineError, match=r"'brazil.monitoring_base_period' is '2019-13', not a semester in the "
                                            r"files .*use one of: 2019-06, 2019-12"):
        params.check_choice("brazil.monitoring_base_period", "2019-13", ["2019-06", "2019-12"],
                            "a semester in the files")
    params.check_choice("x", "2019-12", ["2019-06", "2019-12"])
    with pytest.raises(PipelineError, match=r"'profiles.countries' is 'arg', not an ISO3 code \(did you mean 'ARG'\?\)"):
        params.check_choice("profiles.countries", "arg", ["all", "Americas", "ABW", "ARG", "ARM"], "an ISO3 code")
    with pytest.raises(PipelineError, match=r"'profiles.countries' is 'latin america and caribbean', not a region "
                                            r"\(did you mean 'Latin America and the Caribbean'\?\)"):
        params.check_choice("profiles.countries", "latin america and caribbean", ["Latin America and the Caribbean",
                                                                                 "Americas"], "a region")
    with pytest.raises(PipelineError, match=r"'brazil.monitoring_pattern' is not a valid regular expression"):
        params.check_regex("brazil.monitoring_pattern", "(?i)monitora|(tornozel")
    params.check_regex("brazil.monitoring_pattern", "(?i)monitora|tornozel")
