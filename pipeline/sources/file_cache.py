"""The readers' cache of parsed files: one Parquet per source file, keyed by the file's SHA-256 and by a hash of
the code that parsed it, so a rerun, or a new file beside old ones, parses only what it has not seen.

    folder = cache_dir / code_version(module files, packages)     # e.g. data/interim/cache/sisdepen/3f2a.../
    entry = folder / entry_name(path)                             # <SHA-256 of the bytes>-<file name>.parquet
    write(entry, arrow_table)                                     # atomic; skipped if the disk refuses
    remove_other_versions(cache_dir, keep=folder.name)            # entries of older code are never read again

It holds no meaning of its own: each reader (pipeline/sources/sisdepen.py, sneep.py) decides what an entry holds,
checks what it reads back, and writes only after a load that passed every check.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def code_version(sources: list[Path], packages: tuple[str, ...]) -> str:
    """16 hex digits of a hash of the parsing code's files, this module and the packages' versions."""
    digest = hashlib.sha256()
    for source in (*sources, Path(__file__)):
        digest.update(Path(source).read_bytes())
    for package in packages:
        digest.update(f"{package} {metadata.version(package)}\n".encode())
    return digest.hexdigest()[:16]


def entry_name(path: Path) -> str:
    """'<SHA-256 of the file's bytes>-<its name without suffix>.parquet'. The name is part of the key where the
    parsed table depends on it (a period or a year read from the name, the name written in the rows)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**24), b""):
            digest.update(block)
    return f"{digest.hexdigest()}-{Path(path).stem}.parquet"


def read(entry: Path) -> pa.Table | None:
    """The entry's table; None when it is absent or unreadable (the caller then parses the file again)."""
    if not entry.is_file():
        return None
    try:
        return pq.read_table(entry)
    except Exception:  # noqa: BLE001 — a damaged entry is parsed again, never trusted
        return None


def write(entry: Path, table: pa.Table) -> None:
    """Write an entry atomically (temporary file, then rename). The cache only saves time: a read-only folder
    or a full disk skips the entry and the load goes on."""
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=f".{entry.name}.", delete=False) as handle:
            temporary = handle.name
            pq.write_table(table, handle)
        os.replace(temporary, entry)
    except OSError:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)


def remove_other_versions(cache_dir: Path, keep: str) -> None:
    """Entries written by another version of the code are never read again: remove their folders."""
    for folder in cache_dir.iterdir() if cache_dir.is_dir() else []:
        if folder.is_dir() and folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
