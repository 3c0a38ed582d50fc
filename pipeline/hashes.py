"""Hashes of files and folders, computed the way DVC records them in dvc.lock (DVC 3 `md5`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dvc_md5(path: Path) -> str | None:
    """A file's md5, or a folder's (md5 of its sorted listing, suffixed `.dir`); None if it does not exist."""
    path = Path(path)
    if path.is_file():
        return file_md5(path)
    if path.is_dir():
        listing = [{"md5": file_md5(p), "relpath": p.relative_to(path).as_posix()}
                   for p in sorted(path.rglob("*")) if p.is_file()]
        return hashlib.md5(json.dumps(listing, sort_keys=True).encode()).hexdigest() + ".dir"
    return None


def size(path: Path) -> int:
    """Bytes of a file, or of every file in a folder."""
    path = Path(path)
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
