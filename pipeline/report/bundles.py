"""The figures of one language in one zip, for authors: byte-stable (sorted names, fixed date and permissions)."""

from __future__ import annotations

import io
import zipfile

from pipeline.report.inputs import Figure

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: the same bytes on every run


def figure_zip(figures: list[Figure]) -> bytes:
    """Each figure's five files, sorted, with a fixed date and permissions: the same bytes on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for figure in sorted(figures, key=lambda f: f.name):
            for fmt in sorted(figure.files):
                info = zipfile.ZipInfo(f"{figure.name}.{fmt}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so that the permissions below are read
                info.external_attr = 0o644 << 16
                bundle.writestr(info, figure.files[fmt], compresslevel=9)
    return buffer.getvalue()
