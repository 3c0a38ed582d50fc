"""All-or-nothing output writing.

A stage writes its outputs inside `transaction()`: files go to a staging folder first and are moved into
place only when the whole stage succeeds. A failure leaves the previous outputs untouched and nothing
half-written behind. Notebooks run by `pipeline.run` inherit the staging folder through the environment.
"""

from __future__ import annotations

import contextlib
import io as text_io
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import kept_csv, paths

if TYPE_CHECKING:
    import pandas as pd

STAGING_ENV = "BRIEFING_STAGING_DIR"


def target(path: Path) -> Path:
    """Where to write `path` now: inside the staging folder during a transaction, else in place."""
    path = Path(path).resolve()
    staging = os.environ.get(STAGING_ENV)
    if not staging:
        return path
    staged = Path(staging) / _staged_name(path)
    staged.parent.mkdir(parents=True, exist_ok=True)
    return staged


def _staged_name(path: Path) -> Path:
    """Place of `path` inside the staging folder: relative to the root, or under _abs/ when outside it."""
    if path.is_relative_to(paths.ROOT):
        return path.relative_to(paths.ROOT)
    return Path("_abs") / path.relative_to(path.anchor)


def _final_name(staged: Path, staging: Path) -> Path:
    relative = staged.relative_to(staging)
    if relative.parts[0] == "_abs":
        return Path("/", *relative.parts[1:])
    return paths.ROOT / relative


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically (temporary file, then rename), honouring an open transaction. A write that fails (a
    full disk, Ctrl-C) removes its temporary file, and the error names the output, not the temporary file."""
    destination = target(path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=destination.parent, prefix=f".{destination.name}.", delete=False)
    try:
        with handle:
            handle.write(data)
        os.chmod(handle.name, 0o644)  # tempfile creates 0600; outputs are meant to be read by anyone
        os.replace(handle.name, destination)
    except BaseException as error:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(Path(path).resolve())
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def csv_text(table: pd.DataFrame) -> str:
    """`table` as the CSV text of an output: no index, one line end (\\n), a missing value as an empty cell, and each
    number as a reader expects it: a whole number without decimals (a count of 4,013 people is `4013`, not the
    `4013.0` a float column would give), any other as the shortest text that reads back as the same float."""
    return table.to_csv(index=False, lineterminator="\n", float_format=number_text)


def number_text(value: float) -> str:
    """A number as a CSV cell: 4013, 5.34533, 0.30000000000000004 (never 4013.0 or -0)."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@contextlib.contextmanager
def transaction(*, replace: tuple[Path, ...] = ()):
    """Stage every output written inside the block; publish them together only on success.

    Folders in `replace` are outputs as a whole (a DVC folder output): on success each is replaced by what
    the block wrote into it, so a file the stage no longer writes does not linger. On failure, Ctrl-C or
    SIGTERM nothing is published: the previous outputs stay byte for byte (DVC's `persist: true` keeps it
    from deleting them before the stage runs)."""
    if os.environ.get(STAGING_ENV):  # nested: the outer transaction publishes
        yield
        return
    _remove_abandoned_staging()
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=paths.ROOT))
    os.environ[STAGING_ENV] = str(staging)
    try:
        yield
        _publish(staging, tuple(Path(folder).resolve() for folder in replace))
    finally:
        del os.environ[STAGING_ENV]
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned_staging() -> None:
    """Staging folders of runs that were killed (no `finally` runs on SIGKILL): never published, so removed."""
    for folder in paths.ROOT.glob(".staging-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether the process runs. A killed process whose parent died too may stay a zombie (reparented to a
    container's first process, which need not reap it): it answers a signal but will never publish, so it is dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): trust the signal
        return True
    return state != "Z"


def _publish(staging: Path, replace: tuple[Path, ...] = ()) -> None:
    for folder in replace:  # whole-folder outputs: swap in the new folder, then drop the old one
        staged = staging / _staged_name(folder)
        staged.mkdir(parents=True, exist_ok=True)
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        if folder.exists():
            os.replace(folder, old)
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, folder)
        shutil.rmtree(old, ignore_errors=True)
    for staged in sorted(p for p in staging.rglob("*") if p.is_file()):
        final = _final_name(staged, staging)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)


def read_text_csv(path: Path, what: str = "file"):
    """A CSV kept by hand in the repository, every cell as text, once pipeline.kept_csv's checks have passed (the file
    exists, is UTF-8, and every row has the header's number of fields)."""
    import pandas as pd  # here, not at the top: the `code` stage writes its lists with this module and no table

    text, _ = kept_csv.read(path, what)
    return pd.read_csv(text_io.StringIO(text), dtype=str, keep_default_na=False)
