"""The figure bundles (pipeline/report/bundles.py): deterministic and complete, as committed."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipeline import export, paths
from pipeline.report import bundles, inputs


@pytest.fixture(scope="module")
def figures():
    return inputs.read_figures()


def test_zip_is_deterministic_and_complete(figures):
    first, second = bundles.figure_zip(figures), bundles.figure_zip(list(reversed(figures)))
    assert first == second
    bundle = zipfile.ZipFile(io.BytesIO(first))
    names = bundle.namelist()
    assert names == sorted(names)
    assert names == sorted(f"{f.name}.{fmt}" for f in figures for fmt in export.FIGURE_FORMATS)
    assert {info.date_time for info in bundle.infolist()} == {bundles.ZIP_DATE}


def test_committed_english_zip_matches_a_fresh_build(figures):
    assert paths.figure_bundle("en").read_bytes() == bundles.figure_zip(figures)
