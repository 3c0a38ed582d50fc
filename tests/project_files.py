"""The project's own files as a test run finds them, to show that a test (or a notebook run as JupyterLab runs it)
created, changed or removed none of them."""

from __future__ import annotations

from pipeline import paths

# Written by design and never outputs: the verified source files the fixtures fetch, the hand-kept data (read only),
# and the logs every run leaves.
NOT_WATCHED = ("data/raw/", "data/manual/", "data/interim/logs/")


def state() -> dict[str, tuple[int, int]]:
    """Every file a test or a notebook could write (outputs, interim data, notebooks): its size and mtime."""
    files = {}
    for folder in ("figures", "reports", "data", "notebooks"):
        for path in (paths.ROOT / folder).rglob("*"):
            name = path.relative_to(paths.ROOT).as_posix()
            if path.is_file() and not name.startswith(NOT_WATCHED) and "__pycache__" not in name \
                    and ".ipynb_checkpoints" not in name:
                stat = path.stat()
                files[name] = (stat.st_size, stat.st_mtime_ns)
    return files


def differences(before: dict, after: dict) -> dict[str, list[str]]:
    """The files created, removed and changed between two states."""
    return {"created": sorted(after.keys() - before.keys()), "removed": sorted(before.keys() - after.keys()),
            "changed": sorted(name for name in before.keys() & after.keys() if before[name] != after[name])}
