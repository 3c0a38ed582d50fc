"""A no-op `make repro` without asking DVC again: the files DVC last found up to date, as they stood then.

DVC's no-op (`dvc repro` when nothing changed) reads the whole pipeline, takes a read/write lock per stage and
compares every dependency and output with dvc.lock: about 2.6 times `dvc version`'s start-up here
(reports/benchmarks.md). It decides from files alone: their bytes (which DVC itself knows by each file's inode, size
and modification time, in its state database) and whether each cached output's objects are in the cache. So when
`make repro` (pipeline.repro) asks DVC and DVC finds nothing to do, `record` keeps, for every file that decision
reads, its device, inode, size, and modification and change times: each stage's dependencies and outputs (a folder
with every file and folder under it, the folder itself by the names it holds), the cache objects of the cached
outputs, the files DVC reads the stages from, its configuration, and the installed DVC. The next `make repro` stats
those files first (`unchanged`): if each one stands exactly as recorded, DVC would find the same, and the runner
says so without asking it. Any difference (a byte edited, even with the modification time put back: the change time
moves; a file touched, added to a folder or removed; a cache object deleted; a package installed) and DVC is asked,
as before. `dvc repro` and `dvc status` always ask DVC.

A record is kept only if no file moved while DVC looked: every file's change time (which programs cannot set) must
be earlier than the moment the check began, less MARGIN for the coarse clock the kernel stamps files with, and each
folder must hold exactly the files and folders recorded under it. A file edited, added or removed during the check
leaves no record, and the next run asks DVC. A folder is recorded by the names it holds, not by its times: Python
writing its compiled modules (`__pycache__`, which .dvcignore leaves out of DVC's hashes) into the pipeline's
folder, a dependency of the `code` stage, moves the folder's times and nothing DVC reads. The changes report that
`make repro` writes after the build keeps a record of its own the same way (pipeline.changes), with the files it
reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

from pipeline import paths

# The kernel stamps a file's times with a clock that lags the system's by up to a tick (a few milliseconds): a file
# changed just after the check began may carry a time just before it. Two seconds is far beyond a tick.
MARGIN_NS = 2_000_000_000
VERSION = 2  # of the record's layout: a record of another version is no record
PYCACHE = "__pycache__"  # Python's compiled modules: not recorded (.dvcignore)


def _stat(path: str) -> list | None:
    """A file's device, inode, size, modification and change times; a folder walked for its contents (its path ends
    with `/`): its device, inode and the digest of the names it holds."""
    try:
        found = os.stat(paths.ROOT / path)
        if path.endswith("/"):
            return [found.st_dev, found.st_ino, _digest(_names(paths.ROOT / path))]
    except OSError:  # missing (or unreadable): recorded so; if it appears, it differs
        return None
    return [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns]


def _names(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name != PYCACHE)


def _digest(names: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


def signature(files: Iterable[str]) -> dict[str, list[int] | None]:
    """Each file's device, inode, size, modification and change time (None: missing), by its path (relative to the
    project root when inside it)."""
    return {path: _stat(path) for path in sorted(set(files))}


def with_contents(path: Path) -> list[str]:
    """A file, or a folder with every folder and file under it, as paths relative to the root where possible; each
    folder walked ends with `/` (recorded by the names it holds). Not Python's `__pycache__` folders, which .dvcignore
    leaves out of DVC's hash of a folder (the pipeline's code)."""
    if not Path(path).is_dir():
        return [paths.relative(path)]
    found = []
    for folder, folders, names in os.walk(path):
        folders[:] = [name for name in folders if name != PYCACHE]
        found.append(paths.relative(folder) + "/")
        found += [paths.relative(Path(folder) / name) for name in names]
        found += [paths.relative(Path(folder) / name) for name in folders if (Path(folder) / name).is_symlink()]
    return found


def _as_walked(kept: dict[str, list | None]) -> bool:
    """Whether each folder walked holds exactly the files and folders recorded under it (none added or removed since
    the walk)."""
    held: dict[str, set[str]] = {path: set() for path, stat in kept.items() if path.endswith("/") and stat}
    for path in kept:
        parent, _, name = path.rstrip("/").rpartition("/")
        if parent + "/" in held:
            held[parent + "/"].add(name)
    return all(_digest(names) == kept[folder][2] for folder, names in held.items())


def now() -> int:
    """The moment a check begins (for `record`)."""
    return time.time_ns()


def record(where: Path, files: Iterable[str], began: int, written: Iterable[str] = (), **facts) -> bool:
    """Keep `files` as they stand (and `facts`), if none of them changed after `began` (less MARGIN_NS); `written`
    (what the check itself wrote) are kept without that condition. Whether it was kept; an old record is removed."""
    forget(where)
    kept = signature(files)
    moved = any(stat is not None and len(stat) == 5 and stat[4] >= began - MARGIN_NS for stat in kept.values())
    if moved or not _as_walked(kept):
        return False
    kept.update(signature(written))
    text = json.dumps({"version": VERSION, "files": kept, "facts": facts}, sort_keys=True)
    where.parent.mkdir(parents=True, exist_ok=True)
    partial = where.with_name(f"{where.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, where)
    return True


def unchanged(where: Path) -> dict | None:
    """The record at `where` with its facts and its digest (`digest`), if every file it holds stands as recorded;
    else None."""
    try:
        text = where.read_text(encoding="utf-8")
        kept = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("version") != VERSION or not isinstance(kept.get("files"), dict):
        return None
    if signature(kept["files"]) != kept["files"]:
        return None
    return {**kept["facts"], "files": list(kept["files"]), "digest": hashlib.sha256(text.encode()).hexdigest()}


def forget(where: Path) -> None:
    """Remove a record: the next run asks DVC (or rewrites the report)."""
    where.unlink(missing_ok=True)


def dvc_inputs(repo) -> list[str]:
    """Every file DVC's decision that a stage is up to date reads: each stage's dependencies and outputs, the cache
    objects of its cached outputs, the files its stages are read from, DVC's configuration (every level's file) and
    DVC itself."""
    import dvc  # the installed DVC: an upgrade can change its decision

    package = Path(dvc.__file__).parent
    files = [paths.relative(path) for path in (package / "__init__.py", package, package.parent)]  # and site-packages
    files += [paths.relative(Path(config)) for config in repo.config.files.values()]  # system, global, repo, local
    files.append(paths.relative(paths.ROOT / ".dvcignore"))
    for stage in repo.index.stages:
        read_from = Path(stage.dvcfile.path)
        files.append(paths.relative(read_from))
        if read_from.name == paths.DVC_YAML.name:  # and its dvc.lock
            files.append(paths.relative(read_from.with_suffix(".lock")))
        for dependency in stage.deps:
            files.extend(with_contents(Path(dependency.fs_path)))
        for output in stage.outs:
            files.extend(with_contents(Path(output.fs_path)))
            files.extend(_cache_objects(output))
    return files


def _cache_objects(output) -> list[str]:
    """The cache files of a cached output (a folder's listing and each of its files' objects)."""
    if not output.use_cache or not output.hash_info or not output.hash_info.value:
        return []
    cache = output.cache
    found = [cache.oid_to_path(output.hash_info.value)]
    if output.hash_info.isdir:
        tree = output.get_obj()
        if tree is not None:
            found.extend(cache.oid_to_path(entry.value) for _, (_, entry) in tree.iteritems())
    return [paths.relative(Path(path)) for path in found]
