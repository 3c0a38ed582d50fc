"""The figure bundles (pipeline/report/bundles.py): deterministic and complete, as committed: each figure's drawn
files, its data as a spreadsheet, and its data CSV (exact in English, localised and rounded in the others)."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipeline import i18n, paths
from pipeline.report import bundles, inputs, spreadsheets


@pytest.fixture(scope="module")
def figures():
    return inputs.read_figures()


def test_zip_is_deterministic_and_complete(figures):
    first, second = bundles.figure_zip(figures), bundles.figure_zip(list(reversed(figures)))
    assert first == second
    bundle = zipfile.ZipFile(io.BytesIO(first))
    names = bundle.namelist()
    assert names == sorted(names)
    assert names == sorted(f"{f.name}.{fmt}" for f in figures for fmt in (*bundles.DRAWN_FORMATS, "csv"))
    assert {info.date_time for info in bundle.infolist()} == {bundles.ZIP_DATE}


@pytest.mark.parametrize("language", i18n.languages())
def test_committed_zip_matches_a_fresh_build(language):
    figures = inputs.read_figures(language)
    tr = i18n.Translator(language)
    data_files = {figure.name: spreadsheets.figure_files(figure, tr) for figure in figures}
    committed = paths.figure_bundle(language).read_bytes()
    assert committed == bundles.figure_zip(figures, data_files)
    bundle = zipfile.ZipFile(io.BytesIO(committed))
    assert len(bundle.namelist()) == 6 * len(figures)
    for figure in figures:
        csv = bundle.read(f"{figure.name}.csv")
        if language == "en":  # the exact data, as drawn
            assert csv == paths.figure(figure.name, "en", "csv").read_bytes()
        else:  # localised: ';' between fields, decimal comma, headers in the language
            assert csv.startswith("\ufeff".encode()) and b";" in csv.splitlines()[0]
            assert csv != paths.figure(figure.name, "en", "csv").read_bytes()
