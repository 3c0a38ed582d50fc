"""Fetch stage: bring one source's files into data/raw/<source>/, verified, with a provenance record.

Each file is copied from the offline mirror when it is there (params.yaml `fetch.mirror`, overridden by
$BRIEFING_DATA_MIRROR), else downloaded from its URL in data/sources.yaml. Every file must match the
SHA-256 recorded there. The raw files are never parsed here: they stay exactly as published.

    python -m pipeline.fetch unodc_prisons
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from pipeline import params, paths
from pipeline.errors import PipelineError, cli

MIRROR_ENV = "BRIEFING_DATA_MIRROR"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml version=\"1.0\"?><html", b"<head", b"<body")
# First bytes of each format: a file that lacks them is not what its name says.
_MAGIC = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0", ".zip": b"PK\x03\x04"}


def registry() -> dict:
    """The sources registry (data/sources.yaml), keyed by source id."""
    return yaml.safe_load(paths.SOURCES.read_text(encoding="utf-8"))["sources"]


def mirror_dir() -> Path:
    """The offline mirror: $BRIEFING_DATA_MIRROR, else params.yaml fetch.mirror (relative to the root)."""
    configured = os.environ.get(MIRROR_ENV) or params.section("fetch")["mirror"]
    return (paths.ROOT / configured).resolve()


def fetch(source_id: str, *, mirror: Path | None = None, sources: dict | None = None,
          destination: Path | None = None) -> Path:
    """Fill data/raw/<source_id>/ (or `destination`) with verified files and provenance.json.

    All or nothing: files are gathered and checked in a staging folder, which replaces the
    destination only when every file passed."""
    sources = sources if sources is not None else registry()
    if source_id not in sources:
        raise PipelineError(f"unknown source '{source_id}'", file=paths.SOURCES,
                            fix=f"known sources: {', '.join(sorted(sources))}")
    source = sources[source_id]
    mirror = mirror or mirror_dir()
    destination = destination or paths.raw_dir(source_id)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{source_id}.partial-", dir=destination.parent))
    try:
        records = [r for entry in source["files"] for r in _bring_entry(entry, source, mirror, staging)]
        _write_provenance(staging, source_id, source, records)
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def _bring_entry(entry: dict, source: dict, mirror: Path, staging: Path) -> list[dict]:
    """A pinned file (path + sha256), or every mirror file matching `glob` for a source that researchers
    download by hand (its hash cannot be known in advance: it is recorded, not checked)."""
    if "glob" not in entry:
        return [_bring(entry, source, mirror, staging)]
    records = []
    for local in sorted(mirror.glob(entry["glob"])):
        target = staging / local.name
        shutil.copyfile(local, target)
        digest = _sha256(target)
        _verify(target, {"sha256": digest}, shown_as=local, page=source["page"])
        records.append({"file": local.name, "bytes": target.stat().st_size, "sha256": digest,
                        "retrieved_from": "mirror", "location": local.relative_to(mirror).as_posix(),
                        "pinned": False})
    return records


def _bring(entry: dict, source: dict, mirror: Path, staging: Path) -> dict:
    """Copy or download one file into the staging folder and verify it; returns its provenance record."""
    name = Path(entry["path"]).name
    local = mirror / entry["path"]
    target = staging / name
    if local.is_file():
        shutil.copyfile(local, target)
        origin = {"retrieved_from": "mirror", "location": entry["path"]}
    elif entry.get("url"):
        _download(entry["url"], target)
        origin = {"retrieved_from": "url", "location": entry["url"]}
    else:
        raise PipelineError("file is not in the mirror and has no download URL", file=local,
                            fix=f"download it by hand from {source['page']} into the mirror folder")
    _verify(target, entry, shown_as=local if origin["retrieved_from"] == "mirror" else entry["url"],
            page=source["page"])
    return {"file": name, "bytes": target.stat().st_size, "sha256": entry["sha256"], **origin}


def _download(url: str, target: Path) -> None:
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
        raise PipelineError(f"download failed ({error})", file=target.name,
                            fix=f"check the network, or put the file in the mirror folder (${MIRROR_ENV})") from None


def _verify(path: Path, entry: dict, shown_as, page: str) -> None:
    """Reject empty files, HTML pages saved in place of data, wrong formats and checksum mismatches."""
    head = path.open("rb").read(512)
    if not head:
        raise PipelineError("file is empty (0 bytes)", file=shown_as,
                            fix=f"the download was cut off: fetch it again from {page}")
    if head.lstrip().lower().startswith(_HTML_STARTS):
        raise PipelineError("file is an HTML page, not data (the portal served an error or login page)",
                            file=shown_as, fix=f"download the file again by hand from {page}")
    magic = _MAGIC.get(path.suffix.lower())
    if magic and not head.startswith(magic):
        raise PipelineError(f"file is not a valid {path.suffix} file (unexpected first bytes)",
                            file=shown_as, fix=f"download it again from {page}")
    digest = _sha256(path)
    if digest != entry["sha256"]:
        raise PipelineError(
            f"SHA-256 mismatch: expected {entry['sha256']}, got {digest} "
            f"({path.stat().st_size:,} bytes; expected {entry.get('bytes', 0):,})",
            file=shown_as,
            fix="the publisher may have revised the file: check it, then update its sha256 and bytes "
                "in data/sources.yaml and rerun `dvc repro` so every figure is rebuilt from the new data",
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
        record["status"] = f"not available: download by hand from {source['manual_download']} into the mirror"
    (folder / "provenance.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="source id from data/sources.yaml")
    args = parser.parse_args(argv)
    destination = fetch(args.source)
    print(f"fetched {args.source} into {paths.relative(destination)}")


if __name__ == "__main__":
    main()
