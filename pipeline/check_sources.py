"""`make check-sources`: do the publishers still serve the files that data/sources.yaml pins?

Every file with a URL in data/sources.yaml is asked for, HEAD first (status, size, `Last-Modified`, `ETag`),
then with a streamed GET whenever HEAD cannot settle the answer, so the served bytes are hashed and compared
with the pinned SHA-256. The answer is a dated table, reports/source-check.{csv,md}, and one line per source.

It never changes data/sources.yaml: a revised file is for a researcher to read and pin again. It is not a
DVC stage and not a committed output: its answer depends on the day and on the network, so the table is
git-ignored and never part of what `dvc repro` must rebuild byte for byte.

    python -m pipeline.check_sources [--timeout SECONDS] [--strict]

Exit status 0 when no file was found revised or gone (a file that could not be asked, offline or
unreachable, is reported but does not fail the check unless --strict); 1 when a file was revised or gone,
with --strict also when one could not be asked, and for a data/sources.yaml that cannot be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import socket
import sys
from urllib.parse import urlsplit

import pandas as pd
import requests
import urllib3

from pipeline import fetch, io, paths
from pipeline.errors import PipelineError, cli

# reports/source-check.csv and .md (git-ignored: see the module docstring).
OUTPUT = paths.SOURCE_CHECK
DEFAULT_TIMEOUT_S = 30.0  # seconds to wait for a connection, and then for each next block of the answer

STATUSES = {
    "unchanged": "the URL serves exactly the pinned bytes (same SHA-256)",
    "revised": "the URL serves other bytes than the pinned ones (another size, or another SHA-256)",
    "gone": "the URL answers 404 or 410, or serves an HTML page in place of the file",
    "unreachable": "the server did not answer with the file: connection refused, timed out, 5xx or another "
                   "HTTP error, while the network itself works",
    "offline": "no network at all: no host could be resolved or reached, so nothing could be asked",
    "manual": "no URL to ask: a file researchers download by hand (its hash is recorded at fetch time, "
              "not pinned), or one that is not published at a URL",
}
# What a user should do about each status (one line with the source or file it concerns).
_REGISTRY = paths.relative(paths.SOURCES)
_ADVICE = {
    "revised": f"read the new file, then update its sha256 and bytes in {_REGISTRY} and rerun "
               "`dvc repro` (this check never changes a pin)",
    "gone": "find where the publisher serves it now (see {page}) and update its url in " + _REGISTRY,
    "unreachable": "try again later, or allow more time (make check-sources TIMEOUT=120)",
    "offline": "run make check-sources again on a machine with internet access",
}
COLUMNS = ["source", "file", "url", "url_kind", "status", "pinned_bytes", "pinned_sha256", "served_bytes",
           "served_sha256", "http_status", "last_modified", "etag", "checked_at", "note"]
_NUMBERS = ("pinned_bytes", "served_bytes", "http_status")
URL_KINDS = {
    "publisher": "the URL is the publisher's own",
    "copy": "the URL is a copy of the publication at a fixed commit (snapshot.copy_of): it tells whether "
            "the copy is still served, not whether the publisher has revised the file since",
}

_GONE = (404, 410)
_NOT_ASKED = "; not asked again (same host as an earlier file)"
_NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)
# Ask for the bytes as stored, so Content-Length is the file's size and not a compressed one.
_HEADERS = {"Accept-Encoding": "identity", "User-Agent": "briefing-pipeline check-sources"}


def check(sources: dict, *, timeout: float = DEFAULT_TIMEOUT_S, clock=None) -> pd.DataFrame:
    """One row per file of the registry (COLUMNS), sorted by source and file."""
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    _check_registry(sources)
    failed_hosts: dict[str, tuple[str, str]] = {}
    rows = []
    with requests.Session() as session:
        session.headers.update(_HEADERS)
        for source_id, source in sources.items():
            for entry in source["files"]:
                row = _check_entry(source_id, source, entry, session, timeout, failed_hosts)
                rows.append(row | {"checked_at": clock().strftime("%Y-%m-%dT%H:%M:%SZ")})
    _settle_offline(rows)
    empty = {column: None if column in _NUMBERS else "" for column in COLUMNS}
    table = pd.DataFrame([empty | row for row in rows], columns=COLUMNS)
    table = table.astype({column: "Int64" for column in _NUMBERS})
    return table.sort_values(["source", "file"]).reset_index(drop=True)


def _check_registry(sources: dict) -> None:
    """Every entry the check will read: a URL it can ask, and the pin to compare with."""
    if not isinstance(sources, dict):
        raise PipelineError("'sources:' is not a mapping of source ids", file=paths.SOURCES,
                            fix=f"restore it from git: `git checkout {_REGISTRY}`")
    for source_id, source in sources.items():
        if not isinstance(source, dict) or not isinstance(source.get("files"), list):
            raise PipelineError(f"source '{source_id}' has no 'files:' list", file=paths.SOURCES,
                                fix="list its files as in the other sources")
        for entry in source["files"]:
            name = (entry.get("path") or entry.get("glob")) if isinstance(entry, dict) else None
            if not name:
                raise PipelineError(f"source '{source_id}': a file entry has neither 'path' nor 'glob'",
                                    file=paths.SOURCES, fix="give each entry a path (pinned) or a glob (manual)")
            if "glob" in entry or not entry.get("url"):
                continue
            if urlsplit(str(entry["url"])).scheme not in ("http", "https") or not urlsplit(entry["url"]).hostname:
                raise PipelineError(f"source '{source_id}', file '{name}': url '{entry['url']}' is not an "
                                    "http(s) address", file=paths.SOURCES, fix="correct the url")
            if not isinstance(entry.get("bytes"), int) or len(str(entry.get("sha256", ""))) != 64:
                raise PipelineError(f"source '{source_id}', file '{name}': a url without its pinned 'bytes' "
                                    "and 'sha256'", file=paths.SOURCES,
                                    fix="add the size and SHA-256 of the version the pipeline uses")


def _check_entry(source_id: str, source: dict, entry: dict, session: requests.Session, timeout: float,
                 failed_hosts: dict) -> dict:
    """Ask one file's URL; a host that failed at the connection already is not asked again."""
    if "glob" in entry or not entry.get("url"):
        return _manual_row(source_id, source, entry)
    url = entry["url"]
    row = {"source": source_id, "file": entry["path"], "url": url,
           "url_kind": "copy" if source.get("snapshot", {}).get("copy_of") else "publisher",
           "pinned_bytes": entry["bytes"], "pinned_sha256": entry["sha256"]}
    host = urlsplit(url).netloc
    if host in failed_hosts:
        status, note = failed_hosts[host]
        return row | {"status": status, "note": note + _NOT_ASKED}
    answer = _ask(session, url, entry, timeout)
    if answer.pop("host_failed", False):
        failed_hosts[host] = (answer["status"], answer["note"])
    return row | answer


def _manual_row(source_id: str, source: dict, entry: dict) -> dict:
    if "glob" in entry:
        where = source.get("manual_download") or source.get("page", "")
        note = f"downloaded by hand, not pinned (its hash is recorded in provenance.json): compare your copy " \
               f"with {where}"
    else:
        where = ""
        note = f"no URL in {_REGISTRY}, nothing to ask — {source.get('page', '')}".rstrip(" —")
    return {"source": source_id, "file": entry.get("glob") or entry["path"], "url": where, "url_kind": "",
            "status": "manual", "pinned_bytes": entry.get("bytes"), "pinned_sha256": entry.get("sha256", ""),
            "note": note}


def _ask(session: requests.Session, url: str, entry: dict, timeout: float) -> dict:
    """HEAD settles a missing file or a changed size; anything else needs the bytes (streamed GET)."""
    try:
        head = session.head(url, timeout=timeout, allow_redirects=True)
    except requests.RequestException as error:
        return _failure(error, url, timeout)
    answer = _answered(head, url)
    if head.status_code in _GONE:
        return answer | {"status": "gone", "note": _http(head)}
    length = head.headers.get("Content-Length", "")
    if head.ok and length.isdigit() and int(length) != entry["bytes"] and not _compressed(head) \
            and not _html_type(head, url):
        return answer | {"status": "revised", "served_bytes": int(length),
                         "note": _joined(answer["note"], f"HEAD gives {int(length):,} bytes, "
                                                         f"{entry['bytes']:,} pinned; not downloaded")}
    return _get(session, url, entry, timeout, answer)


def _get(session: requests.Session, url: str, entry: dict, timeout: float, head_answer: dict) -> dict:
    served, digest, first_bytes = 0, hashlib.sha256(), b""
    try:
        with session.get(url, timeout=timeout, stream=True) as response:
            answer = _answered(response, url, earlier=head_answer)
            if response.status_code in _GONE:
                return answer | {"status": "gone", "note": _http(response)}
            if not response.ok:
                return answer | {"status": "unreachable", "note": _http(response)}
            for chunk in response.iter_content(chunk_size=1 << 16):
                first_bytes = first_bytes or chunk[:512]
                served += len(chunk)
                digest.update(chunk)
    except requests.RequestException as error:
        failure = _failure(error, url, timeout)
        return failure | {"note": failure["note"] + (f" after {served:,} bytes" if served else "")}
    answer |= {"served_bytes": served, "served_sha256": digest.hexdigest()}
    if first_bytes.lstrip().lower().startswith(fetch._HTML_STARTS) and not url.lower().endswith((".htm", ".html")):
        return answer | {"status": "gone", "note": _joined(answer["note"], f"serves an HTML page ({served:,} "
                                                                            "bytes), not the file: moved, or "
                                                                            "behind a login")}
    if digest.hexdigest() == entry["sha256"]:
        return answer | {"status": "unchanged"}
    size = "same size" if served == entry["bytes"] else f"{served:,} bytes, {entry['bytes']:,} pinned"
    return answer | {"status": "revised", "note": _joined(answer["note"], f"other SHA-256 ({size})")}


def _answered(response: requests.Response, url: str, earlier: dict | None = None) -> dict:
    """What the server said about the file: HTTP status, dates and tags (kept from HEAD when GET omits them)."""
    earlier = earlier or {}
    moved = f"redirected to {response.url}" if response.url != url else ""
    return {"http_status": response.status_code,
            "last_modified": response.headers.get("Last-Modified") or earlier.get("last_modified", ""),
            "etag": response.headers.get("ETag") or earlier.get("etag", ""),
            "note": moved}


def _html_type(response: requests.Response, url: str) -> bool:
    """A web page where a data file was expected (checked on the bytes by GET)."""
    return response.headers.get("Content-Type", "").lower().startswith("text/html") \
        and not url.lower().endswith((".htm", ".html"))


def _compressed(response: requests.Response) -> bool:
    return response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")


def _http(response: requests.Response) -> str:
    moved = f" (redirected to {response.url})" if response.history else ""
    return f"HTTP {response.status_code} {response.reason}{moved}".strip()


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _failure(error: requests.RequestException, url: str, timeout: float) -> dict:
    """Why a request got no HTTP answer. `host_failed`: the host itself could not be reached, so the
    other files at the same host are not asked (one timeout per host, not one per file)."""
    host = urlsplit(url).netloc
    chain = list(_causes(error))

    def found(kind) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kind)), None)

    if found(socket.gaierror):
        return {"status": "offline", "note": f"no DNS answer for {urlsplit(url).hostname}",
                "host_failed": True}
    unreachable = next((e for e in chain if isinstance(e, OSError) and e.errno in _NO_ROUTE), None)
    if unreachable:
        return {"status": "offline", "note": f"no route to {host}: {unreachable.strerror}", "host_failed": True}
    # Before the timeouts: urllib3's NewConnectionError (a refused connection) is a ConnectTimeoutError too.
    if found(ConnectionRefusedError):
        return {"status": "unreachable", "note": f"{host} refused the connection", "host_failed": True}
    if found(requests.ConnectTimeout):
        return {"status": "unreachable", "note": f"{host} did not accept a connection within {timeout:g} s",
                "host_failed": True}
    if found((requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return {"status": "unreachable", "note": f"{host} sent nothing for {timeout:g} s", "host_failed": False}
    if found(requests.exceptions.ProxyError):
        return {"status": "unreachable", "note": f"the proxy failed to reach {host}", "host_failed": True}
    if found(requests.exceptions.SSLError):
        return {"status": "unreachable", "note": f"TLS failed with {host} (certificate or protocol)",
                "host_failed": True}
    system = next((e for e in chain if isinstance(e, OSError) and e.strerror), None)
    reason = system.strerror if system else type(error).__name__
    return {"status": "unreachable", "note": f"{host}: {reason}",
            "host_failed": bool(found(urllib3.exceptions.NewConnectionError))}


def _causes(error: BaseException):
    """The error and everything it wraps (requests -> urllib3 -> socket), each once."""
    seen, pending = set(), [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        pending += [e for e in wrapped if isinstance(e, BaseException)]


def _settle_offline(rows: list[dict]) -> None:
    """'offline' means no network at all: when some server did answer, a host that could not be resolved
    or routed to is unreachable, not offline."""
    if any(row.get("http_status") for row in rows):
        for row in rows:
            if row["status"] == "offline":
                row["status"] = "unreachable"
                row["note"] += " (other hosts answered: the network works)"


# ---- Reporting -------------------------------------------------------------------------------------------

def summary(table: pd.DataFrame, sources: dict) -> list[str]:
    """One line per source, then one per revised or gone file: what was found and what to do."""
    lines, findings = [], []
    for source_id, rows in table.groupby("source", sort=True):
        source = sources[source_id]
        if (rows["status"] == "manual").all():
            lines.append(f"{source_id}: manual — " + " | ".join(rows["note"]))
            continue
        counts = rows["status"].value_counts()
        said, advice = [], []
        for status in STATUSES:
            if status not in counts:
                continue
            reason = rows.loc[rows["status"] == status, "note"].iloc[0].removesuffix(_NOT_ASKED)
            said.append(f"{counts[status]} {status}" + (f" ({reason})" if status in ("offline", "unreachable") else ""))
            if status in ("offline", "unreachable"):
                advice.append(_ADVICE[status])
        if "unchanged" in counts and (rows.loc[rows["status"] == "unchanged", "url_kind"] == "copy").any():
            advice.append("the URL is a copy at a fixed commit, so a revision by the publisher would not show "
                          f"here: compare with {source.get('page', 'its page')}")
        lines.append(f"{source_id}: {', '.join(said)}" + "".join(f" — {a}" for a in advice))
        for row in rows[rows["status"].isin(["revised", "gone"])].itertuples():
            advice = _ADVICE[row.status].format(page=source.get("page", "its page"))
            findings.append(f"{source_id}, {row.file}: {row.status} — {row.note}; {advice}")
    return lines + findings


def exit_status(table: pd.DataFrame, *, strict: bool) -> int:
    failing = {"revised", "gone"} | ({"offline", "unreachable"} if strict else set())
    return 1 if table["status"].isin(failing).any() else 0


def write(table: pd.DataFrame, *, timeout: float, output=None) -> list:
    """The table as CSV (every column, full hashes) and Markdown (for reading), both dated by their rows."""
    output = output or OUTPUT
    csv_path, md_path = output.with_suffix(".csv"), output.with_suffix(".md")
    io.write_text(csv_path, io.csv_text(table))
    io.write_text(md_path, _markdown(table, timeout))
    return [csv_path, md_path]


def _markdown(table: pd.DataFrame, timeout: float) -> str:
    first, last = table["checked_at"].min(), table["checked_at"].max()
    shown = pd.DataFrame({
        "source": table["source"], "file": table["file"], "status": table["status"],
        "pinned": [_bytes_and_hash(b, h) for b, h in zip(table["pinned_bytes"], table["pinned_sha256"])],
        "served": [_bytes_and_hash(b, h) for b, h in zip(table["served_bytes"], table["served_sha256"])],
        "HTTP": table["http_status"].astype("string").fillna(""),
        "last modified": table["last_modified"], "ETag": table["etag"], "URL": table["url"],
        "note": table["note"]})
    counts = table["status"].value_counts()
    return "\n".join([
        "# Source check: do the publishers still serve the pinned files?", "",
        f"Checked from {first} to {last} (UTC), with a timeout of {timeout:g} s per request, by "
        "`make check-sources`. Not a pipeline output: not part of `dvc repro`, git-ignored; it never changes "
        f"the pins in {_REGISTRY}. Full hashes are in {paths.SOURCE_CHECK.name}.csv.", "",
        "| status | files | meaning |", "|---|---:|---|",
        *[f"| {s} | {counts.get(s, 0)} | {meaning} |" for s, meaning in STATUSES.items()], "",
        *[f"URL kind *{kind}*: {meaning}." for kind, meaning in URL_KINDS.items()], "",
        shown.to_markdown(index=False), ""])


def _bytes_and_hash(size, digest: str) -> str:
    if pd.isna(size) and not digest:
        return ""
    return " ".join(p for p in [f"{int(size):,} B" if pd.notna(size) else "", digest[:12]] if p)


def _registry() -> dict:
    """data/sources.yaml, read as the fetch stage reads it (one clear error when it cannot be)."""
    return fetch.registry()


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number of seconds")
    return value


@cli
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip("`"))
    parser.add_argument("--timeout", type=_positive_seconds, default=DEFAULT_TIMEOUT_S,
                        help=f"seconds to wait for a connection or the next bytes (default {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--strict", action="store_true",
                        help="also fail (exit 1) when a file could not be asked (offline or unreachable)")
    args = parser.parse_args(argv)
    sources = _registry()
    table = check(sources, timeout=args.timeout)
    written = write(table, timeout=args.timeout)
    print("\n".join(summary(table, sources)))
    print(f"wrote {' and '.join(paths.relative(p) for p in written)}")
    status = exit_status(table, strict=args.strict)
    if status:
        failing = table["status"].isin(["revised", "gone"]).sum()
        problem = f"{failing} file(s) revised or gone" if failing else \
            "--strict, and some files could not be asked (offline or unreachable)"
        print(f"error: {problem} — see {paths.relative(written[1])}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
