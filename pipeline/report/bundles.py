"""The figures of one language in one zip, for authors: each figure's SVG, PNG, PDF and caption text, and its data
as a spreadsheet (.xlsx) and a CSV — the exact data CSV in English, the localised, rounded one in the other
languages (pipeline/report/spreadsheets.py). Byte-stable: sorted names, fixed date and permissions."""

from __future__ import annotations

import io
import zipfile

from pipeline.report.inputs import Figure

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: the same bytes on every run
DRAWN_FORMATS = ("svg", "png", "pdf", "txt")  # as the figures stage drew them


def figure_zip(figures: list[Figure], data_files: dict[str, dict[str, bytes]] | None = None) -> bytes:
    """Each figure's files, sorted, with a fixed date and permissions: the same bytes on every run. `data_files`
    gives each figure's data files by suffix (csv, xlsx); without it, the figure's own data CSV."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for figure in sorted(figures, key=lambda f: f.name):
            files = {fmt: figure.files[fmt] for fmt in DRAWN_FORMATS}
            files.update((data_files or {}).get(figure.name, {"csv": figure.files["csv"]}))
            for fmt in sorted(files):
                info = zipfile.ZipInfo(f"{figure.name}.{fmt}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the permissions below are read
                info.external_attr = 0o644 << 16
                bundle.writestr(info, files[fmt], compresslevel=9)
    return buffer.getvalue()
