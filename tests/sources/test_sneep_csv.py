"""Reading one SNEEP CSV file (pipeline/sources/sneep_csv.py): header names agree across releases. Its recovery of
broken rows is tested through the loader, on generated files of every layout (tests/sources/test_sneep.py)."""

from __future__ import annotations

import pytest

from pipeline.sources import sneep_csv


@pytest.mark.parametrize("header, name", [("Delito1Descripcion", "delito1_descripcion"),
                                          ("delito1_descripcion", "delito1_descripcion"), ("\ufeffAño", "ano"),
                                          ("  Situación Legal  ", "situacion_legal")])
def test_header_names_agree_across_releases(header, name):
    assert sneep_csv.normalise_name(header) == name
