"""Fetch stages: bring each source's files into data/raw/<source>/, verified, with a provenance record.

Each file is copied from the offline mirror when it is there (params.yaml `fetch.mirror`, overridden by
$BRIEFING_DATA_MIRROR), else downloaded from its URL in data/sources.yaml. Every file must match the
SHA-256 recorded there. The raw files are never parsed here: they stay exactly as published.

    python -m pipeline.fetch unodc_prisons [sisdepen ...]   # the stage `fetch` names every mirrored source
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from pipeline import params, paths
from pipeline.errors import PipelineError, cli
from pipeline.settings import Fetch

MIRROR_ENV = "BRIEFING_DATA_MIRROR"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml version=\"1.0\"?><html", b"<head", b"<body")
# First bytes of each format: a file that lacks them is not what its name says.
_MAGIC = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0", ".zip": b"PK\x03\x04"}


# A hand-downloaded file larger than this is refused unless its source sets `max_bytes` in data/sources.yaml.
MANUAL_MAX_BYTES = 4 * 2**30
_TEXT_SUFFIXES = (".csv", ".txt")


def registry() -> dict:
    """The sources registry (data/sources.yaml), keyed by source id."""
    listed = params.read_yaml(paths.SOURCES, "the sources registry")
    if not isinstance(listed, dict) or not isinstance(listed.get("sources"), dict):
        raise PipelineError("expected a top-level 'sources:' mapping", file=paths.SOURCES,
                            fix=f"restore it from git: `git checkout {paths.relative(paths.SOURCES)}`")
    return listed["sources"]


def mirror_dir() -> Path:
    """The offline mirror: $BRIEFING_DATA_MIRROR, else params.yaml fetch.mirror (relative to the root)."""
    configured = params.read(Fetch).mirror  # read (and checked) even when the environment overrides it
    configured = os.environ.get(MIRROR_ENV) or configured
    return (paths.ROOT / configured).resolve()


def fetch(source_id: str, *, mirror: Path | None = None, sources: dict | None = None,
          destination: Path | None = None, manual: Path | None = None) -> Path:
    """Fill data/raw/<source_id>/ (or `destination`) with verified files and provenance.json.

    Pinned files come from the mirror, else from their URL. A manual source (`manual_download` in the
    registry) takes whatever the user put in data/manual/<source_id>/ (or `manual`). All or nothing: files are
    gathered and checked in a staging folder, which replaces the destination only when every file passed."""
    destination = destination or paths.raw_dir(source_id)
    staging = _gather(source_id, sources if sources is not None else registry(), mirror, destination, manual)
    _install(staging, destination)
    return destination


def fetch_all(source_ids: list[str], *, mirror: Path | None = None, sources: dict | None = None) -> list[Path]:
    """Several sources at once (the `fetch` stage), all or nothing across them: each source is gathered and checked
    in its own staging folder, two at a time (copying and hashing wait on the disk, in C, outside the GIL), and the
    data/raw/<source>/ folders are replaced only once every source passed. Of several failures, the message is
    the first source's in the order given."""
    from concurrent.futures import ThreadPoolExecutor

    sources = sources if sources is not None else registry()
    if any(not sources.get(source_id, {}).get("manual_download") for source_id in source_ids):
        mirror = mirror or mirror_dir()  # read (and checked) once, before any thread starts
    destinations = {source_id: paths.raw_dir(source_id) for source_id in source_ids}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {source_id: pool.submit(_gather, source_id, sources, mirror, destinations[source_id], None)
                   for source_id in source_ids}
    staged, failures = {}, []
    for source_id, future in futures.items():
        if future.exception() is None:
            staged[source_id] = future.result()
        else:
            failures.append(future.exception())
    try:
        if failures:
            raise failures[0]
        for source_id, staging in staged.items():
            _install(staging, destinations[source_id])
    finally:
        for staging in staged.values():
            shutil.rmtree(staging, ignore_errors=True)
    return list(destinations.values())


def _gather(source_id: str, sources: dict, mirror: Path | None, destination: Path, manual: Path | None) -> Path:
    """One source's files and provenance.json, checked, in a new staging folder beside `destination`; removed
    again if any check fails."""
    if source_id not in sources:
        raise PipelineError(f"unknown source '{source_id}'", file=paths.SOURCES,
                            fix=f"known sources: {', '.join(sorted(sources))}")
    source = sources[source_id]
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{source_id}.partial-", dir=destination.parent))
    try:
        if source.get("manual_download"):
            records = _bring_manual(source, manual or paths.manual_dir(source_id), staging)
        else:
            mirror = mirror or mirror_dir()
            records = [_bring(entry, source, mirror, staging) for entry in source["files"]]
        _write_provenance(staging, source_id, source, records)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _install(staging: Path, destination: Path) -> None:
    """The checked staging folder becomes the destination (the previous one removed)."""
    try:
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _bring_manual(source: dict, folder: Path, staging: Path) -> list[dict]:
    """Every file the user put in the manual folder that matches the source's patterns (any letter case).
    Their hashes cannot be known in advance: they are recorded, not checked; size and content are."""
    patterns = [entry["glob"] for entry in source["files"]]
    limit = int(source.get("max_bytes", MANUAL_MAX_BYTES))
    found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                   and any(fnmatch.fnmatch(p.name.lower(), pattern.lower()) for pattern in patterns)) \
        if folder.is_dir() else []
    records = []
    for local in found:
        _refuse_link_out_of(local, folder)
        size = local.stat().st_size
        if size > limit:
            raise PipelineError(f"file is {size:,} bytes, over the {limit:,}-byte limit for this source",
                                file=local, fix="this is not a census file as published: check what was "
                                                f"downloaded from {source['page']} (the limit is `max_bytes` "
                                                f"in {paths.relative(paths.SOURCES)})")
        check_content(local, local, source["page"])  # before copying: a 2 GiB file of zeros stops here
        target = staging / local.name
        shutil.copyfile(local, target)
        digest = _sha256(target)
        records.append({"file": local.name, "bytes": size, "sha256": digest, "retrieved_from": "manual",
                        "location": paths.relative(local), "pinned": False})
    return records


def _bring(entry: dict, source: dict, mirror: Path, staging: Path) -> dict:
    """Copy or download one file into the staging folder and verify it; returns its provenance record."""
    name = Path(entry["path"]).name
    local = mirror / entry["path"]
    target = staging / name
    if local.is_file():
        _refuse_link_out_of(local, mirror, entry["path"])
        shutil.copyfile(local, target)
        origin = {"retrieved_from": "mirror", "location": entry["path"]}
    elif entry.get("url"):
        _download(entry["url"], target, looked_in=_where_looked(local, mirror))
        origin = {"retrieved_from": "url", "location": entry["url"]}
    else:
        raise PipelineError(f"file is not in the mirror ({_where_looked(local, mirror)}) and has no download URL",
                            file=local, fix=f"download it by hand from {source['page']} into that folder")
    _verify(target, entry, shown_as=local if origin["retrieved_from"] == "mirror" else entry["url"],
            page=source["page"])
    return {"file": name, "bytes": target.stat().st_size, "sha256": entry["sha256"], **origin}


def _where_looked(local: Path, mirror: Path) -> str:
    """Which mirror folder was searched, and why the file was not found there: for the messages."""
    if not mirror.is_dir():
        return (f"the mirror folder {mirror} does not exist: set params.yaml fetch.mirror or "
                f"${MIRROR_ENV} to the folder that holds the source files")
    if not local.parent.is_dir():
        return f"the mirror has no folder {paths.relative(local.parent)} (misspelt or not copied?)"
    return f"{paths.relative(local.parent)} has no file named {local.name}"


def _refuse_link_out_of(path: Path, folder: Path, declared: str | None = None) -> None:
    """A symbolic link that leads out of the folder it sits in is refused: copying it could bring any file of
    the machine (say /etc/passwd) into data/raw and from there into the outputs."""
    logical = Path(os.path.normpath(folder.resolve() / (declared or path.name)))
    real = path.resolve()
    if real != logical and not real.is_relative_to(folder.resolve()):
        raise PipelineError(f"is a symbolic link to {real}, outside {paths.relative(folder)}", file=path,
                            fix="put the file itself in the folder, not a link to another place")


def _download(url: str, target: Path, looked_in: str = "") -> None:
    import requests
    from tqdm import tqdm

    try:
        with requests.get(url, stream=True, timeout=60) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length", 0)) or None
            with open(target, "wb") as out, tqdm(total=total, unit="B", unit_scale=True,
                                                 desc=target.name) as progress:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    out.write(chunk)
                    progress.update(len(chunk))
    except requests.RequestException as error:
        raise PipelineError(f"not in the mirror ({looked_in}), and the download failed "
                            f"({type(error).__name__})", file=target.name,
                            fix=f"check the network, or put the file in the mirror (params.yaml fetch.mirror or "
                                f"${MIRROR_ENV})") from None


def _verify(path: Path, entry: dict, shown_as, page: str) -> None:
    """Reject empty files, HTML pages saved in place of data, wrong formats and checksum mismatches."""
    check_content(path, shown_as, page)
    _check_hash(path, entry, shown_as, page)


def check_content(path: Path, shown_as, page: str) -> None:
    """Empty files, HTML pages saved in place of data, NUL bytes in a text file, a wrong format: from the first
    64 KiB only, so a huge wrong file is refused before it is copied."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head:
        raise PipelineError("file is empty (0 bytes)", file=shown_as,
                            fix=f"the download was cut off: fetch it again from {page}")
    if head.lstrip().lower().startswith(_HTML_STARTS):
        raise PipelineError("file is an HTML page, not data (the portal served an error or login page)",
                            file=shown_as, fix=f"download the file again by hand from {page}")
    if path.suffix.lower() in _TEXT_SUFFIXES and b"\0" in head:
        raise PipelineError("file is not text (it holds NUL bytes): not a CSV as published", file=shown_as,
                            fix=f"the download is damaged or is another kind of file: get it again from {page}")
    magic = _MAGIC.get(path.suffix.lower())
    if magic and not head.startswith(magic):
        raise PipelineError(f"file is not a valid {path.suffix} file (unexpected first bytes)",
                            file=shown_as, fix=f"download it again from {page}")


def _check_hash(path: Path, entry: dict, shown_as, page: str) -> None:
    digest = _sha256(path)
    if digest != entry["sha256"]:
        size, pinned = path.stat().st_size, entry.get("bytes")
        same_size = "same size as the pinned file, so more likely damaged than revised" if size == pinned \
            else f"{size:,} bytes; pinned {pinned:,}" if pinned else f"{size:,} bytes"
        raise PipelineError(
            f"SHA-256 mismatch: expected {entry['sha256']}, got {digest} ({same_size})",
            file=shown_as,
            fix=f"compare the file with the publisher's ({page}) before changing anything: if the copy is "
                "damaged, fetch it again; only if the publisher revised it, record the new sha256 and bytes in "
                f"{paths.relative(paths.SOURCES)} (with the date in its snapshot note) and rerun `dvc repro`",
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_provenance(folder: Path, source_id: str, source: dict, records: list[dict]) -> None:
    """Who published the files, which version these bytes are, where each came from; no run dates,
    so an unchanged source gives an unchanged record (the hash says which version it is)."""
    record = {
        "source": source_id,
        "title": source["title"],
        "publisher": source["publisher"],
        "page": source["page"],
        "licence": source["licence"],
        "citation": source["citation"],
        "snapshot": source["snapshot"],
        "files": sorted(records, key=lambda r: r["file"]),
    }
    if not records and source.get("manual_download"):
        record["status"] = (f"not available: download by hand from {source['manual_download']} into "
                            f"{paths.relative(paths.manual_dir(source_id))}/")
    (folder / paths.PROVENANCE).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", metavar="source", help=f"source ids from {paths.relative(paths.SOURCES)}")
    args = parser.parse_args(argv)
    destinations = fetch_all(args.sources)
    for source, destination in zip(args.sources, destinations):
        print(f"fetched {source} into {paths.relative(destination)}")


if __name__ == "__main__":
    main()
