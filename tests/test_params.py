"""params.yaml is checked strictly: typos are errors with a suggestion."""

from __future__ import annotations

import pytest

from pipeline import params, paths
from pipeline.errors import PipelineError
from pipeline.sources import unodc_prisons


def test_committed_params_have_only_known_sections():
    params.load()


def test_unknown_key_in_a_section_suggests_the_right_one(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("unodc_prisons:\n  regoin: Americas\n")
    with pytest.raises(PipelineError, match=r"params.yaml: 'unodc_prisons.regoin': extra inputs are not "
                                            r"permitted \(did you mean 'region'\?\)"):
        params.section("unodc_prisons", unodc_prisons.Params)


def test_wrong_type_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("unodc_prisons:\n  region: 5\n")
    with pytest.raises(PipelineError, match="'unodc_prisons.region': input should be a valid string"):
        params.section("unodc_prisons", unodc_prisons.Params)


def test_invalid_yaml_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PARAMS", tmp_path / "params.yaml")
    paths.PARAMS.write_text("regional:\n  first_year: [2005\n")
    with pytest.raises(PipelineError, match="not valid YAML"):
        params.load()
