"""`make check-sources`: asked against a local HTTP server on 127.0.0.1, offline, and on the real registry.

The server (started by the tests, in a thread, on a free port) serves the pinned bytes, revised bytes, a
missing file, a withdrawn one, a server error, a login page, a slow answer, a redirect and a server that
refuses HEAD; a closed port stands for an unreachable host; a patched resolver for a machine with no network.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import urllib3
import yaml

from pipeline import check_sources, fetch, paths

PINNED = b"PK\x03\x04" + b"pinned spreadsheet body " * 40
REVISED = b"PK\x03\x04" + b"revised spreadsheet body" * 40  # same size, other bytes
LONGER = PINNED + b"one more row"
LOGIN_PAGE = b"<!DOCTYPE html><html><body>Please log in</body></html>"
PINNED_SHA = hashlib.sha256(PINNED).hexdigest()
LAST_MODIFIED = "Thu, 11 May 2023 08:00:00 GMT"
TIMEOUT_S = 0.5
CHECKED_AT = "2026-01-15T09:30:00Z"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def _clock():
    return dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


# ---- the local server ------------------------------------------------------------------------------------

ROUTES = {
    "/same.xlsx": {"body": PINNED, "headers": {"Last-Modified": LAST_MODIFIED, "ETag": '"v1"'}},
    "/revised.xlsx": {"body": REVISED, "headers": {"Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT",
                                                   "ETag": '"v2"'}},
    "/longer.xlsx": {"body": LONGER},
    "/withdrawn.xlsx": {"status": 410, "body": b"gone"},
    "/error.xlsx": {"status": 500, "body": b"oops"},
    "/no-head.xlsx": {"head_status": 405, "body": PINNED},
    "/login.xlsx": {"body": LOGIN_PAGE, "headers": {"Content-Type": "text/html; charset=utf-8"}},
    "/slow.xlsx": {"delay": 2.0, "body": PINNED},
    "/old.xlsx": {"status": 301, "headers": {"Location": "/same.xlsx"}},
}


class _Publisher(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self._answer(head=True)

    def do_GET(self):
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        self.server.asked.append(f"{self.command} {self.path}")
        route = ROUTES.get(self.path, {"status": 404, "body": b"not found"})
        time.sleep(route.get("delay", 0))
        body = route.get("body", b"")
        self.send_response(route.get("head_status", route.get("status", 200)) if head else route.get("status", 200))
        self.send_header("Content-Length", str(len(body)))
        for name, value in route.get("headers", {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Publisher)
    httpd.daemon_threads = True
    httpd.asked = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _source(files: list[dict], **extra) -> dict:
    return {"title": "Demo", "publisher": "Demo publisher", "page": "https://example.org/demo", "licence": "CC0",
            "citation": "Demo", "snapshot": {"date": "2024"}, "files": files, **extra}


def _pinned(path: str, url: str, data: bytes = PINNED) -> dict:
    return {"path": path, "url": url, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _registry(base: str, closed: str) -> dict:
    names = ["same", "revised", "longer", "missing", "withdrawn", "error", "no-head", "login", "slow", "old"]
    return {
        "publisher": _source([_pinned(f"pub/{n}.xlsx", f"{base}/{n}.xlsx") for n in names]),
        "copied": _source([_pinned("copy/same.xlsx", f"{base}/same.xlsx")],
                          snapshot={"date": "2024", "copy_of": "a repository at a fixed commit"}),
        "down": _source([_pinned("down/a.xlsx", f"{closed}/a.xlsx"), _pinned("down/b.xlsx", f"{closed}/b.xlsx")]),
        "by_hand": _source([{"glob": "by_hand/census*.csv"}], manual_download="https://example.org/get"),
        "no_url": _source([_pinned("paper/draft.txt", "", b"draft text")],
                          page="the authors' draft (not published at a URL)"),
    }


def _row(source, file, url, status, **values) -> dict:
    row = {"source": source, "file": file, "url": url, "url_kind": "publisher", "status": status,
           "pinned_bytes": len(PINNED), "pinned_sha256": PINNED_SHA, "served_bytes": None, "served_sha256": "",
           "http_status": None, "last_modified": "", "etag": "", "checked_at": CHECKED_AT, "note": ""}
    return row | values


def _as_records(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict("records")]


# ---- the table, row by row, against the local server ---------------------------------------------------

def test_every_status_against_a_local_server(server):
    base = f"http://127.0.0.1:{server.server_port}"
    closed = f"127.0.0.1:{_closed_port()}"
    table = check_sources.check(_registry(base, f"http://{closed}"), timeout=TIMEOUT_S, clock=_clock)

    same = {"served_bytes": len(PINNED), "served_sha256": PINNED_SHA, "http_status": 200}
    expected = [
        _row("by_hand", "by_hand/census*.csv", "https://example.org/get", "manual", url_kind="",
             pinned_bytes=None, pinned_sha256="",
             note="downloaded by hand, not pinned (its hash is recorded in provenance.json): compare your copy "
                  "with https://example.org/get"),
        _row("copied", "copy/same.xlsx", f"{base}/same.xlsx", "unchanged", url_kind="copy", **same,
             last_modified=LAST_MODIFIED, etag='"v1"'),
        _row("down", "down/a.xlsx", f"http://{closed}/a.xlsx", "unreachable",
             note=f"{closed} refused the connection"),
        _row("down", "down/b.xlsx", f"http://{closed}/b.xlsx", "unreachable",
             note=f"{closed} refused the connection; not asked again (same host as an earlier file)"),
        _row("no_url", "paper/draft.txt", "", "manual", url_kind="", pinned_bytes=10,
             pinned_sha256=hashlib.sha256(b"draft text").hexdigest(),
             note="no URL in data/sources.yaml, nothing to ask — the authors' draft (not published at a URL)"),
        _row("publisher", "pub/error.xlsx", f"{base}/error.xlsx", "unreachable", http_status=500,
             note="HTTP 500 Internal Server Error"),
        _row("publisher", "pub/login.xlsx", f"{base}/login.xlsx", "gone", http_status=200,
             served_bytes=len(LOGIN_PAGE), served_sha256=hashlib.sha256(LOGIN_PAGE).hexdigest(),
             note=f"serves an HTML page ({len(LOGIN_PAGE)} bytes), not the file: moved, or behind a login"),
        _row("publisher", "pub/longer.xlsx", f"{base}/longer.xlsx", "revised", http_status=200,
             served_bytes=len(LONGER), note=f"HEAD gives {len(LONGER):,} bytes, {len(PINNED):,} pinned; "
                                            "not downloaded"),
        _row("publisher", "pub/missing.xlsx", f"{base}/missing.xlsx", "gone", http_status=404,
             note="HTTP 404 Not Found"),
        _row("publisher", "pub/no-head.xlsx", f"{base}/no-head.xlsx", "unchanged", **same),
        _row("publisher", "pub/old.xlsx", f"{base}/old.xlsx", "unchanged", **same, last_modified=LAST_MODIFIED,
             etag='"v1"', note=f"redirected to {base}/same.xlsx"),
        _row("publisher", "pub/revised.xlsx", f"{base}/revised.xlsx", "revised", http_status=200,
             served_bytes=len(REVISED), served_sha256=hashlib.sha256(REVISED).hexdigest(),
             last_modified="Mon, 05 Jan 2026 10:00:00 GMT", etag='"v2"', note="other SHA-256 (same size)"),
        _row("publisher", "pub/same.xlsx", f"{base}/same.xlsx", "unchanged", **same, last_modified=LAST_MODIFIED,
             etag='"v1"'),
        _row("publisher", "pub/slow.xlsx", f"{base}/slow.xlsx", "unreachable",
             note=f"127.0.0.1:{server.server_port} sent nothing for 0.5 s"),
        _row("publisher", "pub/withdrawn.xlsx", f"{base}/withdrawn.xlsx", "gone", http_status=410,
             note="HTTP 410 Gone"),
    ]
    assert list(table.columns) == check_sources.COLUMNS
    assert _as_records(table) == expected
    # HEAD settles a missing file and a changed size without downloading; GET only when HEAD cannot.
    assert "GET /longer.xlsx" not in server.asked and "GET /missing.xlsx" not in server.asked
    assert {"HEAD /no-head.xlsx", "GET /no-head.xlsx", "GET /same.xlsx"} <= set(server.asked)


def test_clean_registry_is_silent_and_exits_0(server, tmp_path, monkeypatch, capsys):
    base = f"http://127.0.0.1:{server.server_port}"
    sources = {"publisher": _source([_pinned("pub/same.xlsx", f"{base}/same.xlsx")])}
    monkeypatch.setattr(fetch, "registry", lambda: sources)
    monkeypatch.setattr(check_sources, "OUTPUT", tmp_path / "source-check")
    assert check_sources.main(["--timeout", "2", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["publisher: 1 unchanged",
                                f"wrote {tmp_path}/source-check.csv and {tmp_path}/source-check.md"]
    assert err == ""


def test_findings_name_the_file_and_what_to_do(server, tmp_path, monkeypatch, capsys):
    base = f"http://127.0.0.1:{server.server_port}"
    sources = _registry(base, f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setattr(fetch, "registry", lambda: sources)
    monkeypatch.setattr(check_sources, "OUTPUT", tmp_path / "source-check")
    assert check_sources.main(["--timeout", str(TIMEOUT_S)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[1] == ("copied: 1 unchanged — the URL is a copy at a fixed commit, so a revision by the "
                        "publisher would not show here: compare with https://example.org/demo")
    assert lines[4] == ("publisher: 3 unchanged, 2 revised, 3 gone, 2 unreachable (HTTP 500 Internal Server "
                        "Error) — try again later, or allow more time (make check-sources TIMEOUT=120)")
    assert (f"publisher, pub/revised.xlsx: revised — other SHA-256 (same size); read the new file, then update "
            "its sha256 and bytes in data/sources.yaml and rerun `dvc repro` (this check never changes a pin)") \
        in lines
    assert ("publisher, pub/missing.xlsx: gone — HTTP 404 Not Found; find where the publisher serves it now "
            "(see https://example.org/demo) and update its url in data/sources.yaml") in lines
    assert len(lines) == 5 + 5 + 1  # a line per source, per revised or gone file, and the files written
    assert err == f"error: 5 file(s) revised or gone — see {tmp_path}/source-check.md\n"
    written = pd.read_csv(tmp_path / "source-check.csv", dtype=str, keep_default_na=False)
    assert written["status"].value_counts().to_dict() == {"unchanged": 4, "unreachable": 4, "gone": 3,
                                                          "revised": 2, "manual": 2}
    markdown = (tmp_path / "source-check.md").read_text()
    assert "with a timeout of 0.5 s per request" in markdown and "| revised | 2 |" in markdown


def test_unreachable_only_exits_0_unless_strict(server, tmp_path, monkeypatch):
    base = f"http://127.0.0.1:{server.server_port}"
    sources = {"publisher": _source([_pinned("pub/error.xlsx", f"{base}/error.xlsx")]),
               "down": _source([_pinned("down/a.xlsx", f"http://127.0.0.1:{_closed_port()}/a.xlsx")])}
    monkeypatch.setattr(fetch, "registry", lambda: sources)
    monkeypatch.setattr(check_sources, "OUTPUT", tmp_path / "source-check")
    assert check_sources.main(["--timeout", "2"]) == 0
    assert check_sources.main(["--timeout", "2", "--strict"]) == 1


# ---- no network ------------------------------------------------------------------------------------------

def _no_dns(monkeypatch, *, except_loopback: bool = False):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if except_loopback and host in ("127.0.0.1", "localhost"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_no_dns_is_offline_per_source_and_exits_0(monkeypatch, tmp_path, capsys):
    _no_dns(monkeypatch)
    sources = {"a": _source([_pinned("a/one.xlsx", "https://data.example.org/one.xlsx"),
                             _pinned("a/two.xlsx", "https://data.example.org/two.xlsx")]),
               "b": _source([_pinned("b/three.xlsx", "https://files.example.net/three.xlsx")])}
    monkeypatch.setattr(fetch, "registry", lambda: sources)
    monkeypatch.setattr(check_sources, "OUTPUT", tmp_path / "source-check")
    assert check_sources.main([]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "a: 2 offline (no DNS answer for data.example.org) — run make check-sources again on a machine with "
        "internet access",
        "b: 1 offline (no DNS answer for files.example.net) — run make check-sources again on a machine with "
        "internet access"]
    assert check_sources.main(["--strict"]) == 1
    assert "--strict, and some files could not be asked" in capsys.readouterr().err


def test_no_route_is_offline(monkeypatch):
    def no_route(*args, **kwargs):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_route)
    sources = {"a": _source([_pinned("a/one.xlsx", "https://data.example.org/one.xlsx")])}
    table = check_sources.check(sources, timeout=1, clock=_clock)
    assert table[["status", "note"]].values.tolist() == [
        ["offline", "no route to data.example.org: Network is unreachable"]]


def test_unresolvable_host_is_unreachable_when_others_answer(server, monkeypatch):
    """'offline' means no network at all: one host without DNS while another answers is unreachable."""
    _no_dns(monkeypatch, except_loopback=True)
    sources = {"a": _source([_pinned("a/same.xlsx", f"http://127.0.0.1:{server.server_port}/same.xlsx"),
                             _pinned("a/moved.xlsx", "https://lapsed.example.org/moved.xlsx")])}
    table = check_sources.check(sources, timeout=2, clock=_clock)
    assert table[["file", "status", "note"]].values.tolist() == [
        ["a/moved.xlsx", "unreachable",
         "no DNS answer for lapsed.example.org (other hosts answered: the network works)"],
        ["a/same.xlsx", "unchanged", ""]]


def test_real_registry_offline_here(monkeypatch, tmp_path, capsys):
    """Every real source is reported offline or manual when no name resolves, and the check exits 0."""
    _no_dns(monkeypatch)
    monkeypatch.setattr(check_sources, "OUTPUT", tmp_path / "source-check")
    assert check_sources.main([]) == 0
    offline = "offline (no DNS answer for raw.githubusercontent.com) — run make check-sources again on a " \
              "machine with internet access"
    assert capsys.readouterr().out.splitlines() == [
        "manuscript: manual — no URL in data/sources.yaml, nothing to ask — the authors' manuscript, shared "
        "with the project (not published at a URL)",
        f"sisdepen: 13 {offline}",
        f"sisdepen_reports: 108 {offline}",
        "sneep: manual — downloaded by hand, not pinned (its hash is recorded in provenance.json): compare your "
        "copy with http://datos.jus.gob.ar/dataset/sneep",
        f"unodc_drug_crimes: 1 {offline}",
        f"unodc_prisons: 1 {offline}",
        f"wrote {tmp_path}/source-check.csv and {tmp_path}/source-check.md"]
    table = pd.read_csv(tmp_path / "source-check.csv", dtype=str, keep_default_na=False)
    assert table["status"].value_counts().to_dict() == {"offline": 123, "manual": 2}
    assert set(table.loc[table["status"] == "offline", "url_kind"]) == {"copy"}


# ---- the command as users run it: make check-sources in a copy of the project ----------------------------

def _project_copy(tmp_path: Path, registry: str) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(paths.ROOT / "pipeline", copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "params.yaml"):
        shutil.copy2(paths.ROOT / name, copy / name)
    (copy / "data").mkdir()
    (copy / "data" / "sources.yaml").write_text(registry, encoding="utf-8")
    return copy


def _make_check_sources(copy: Path, *variables: str) -> subprocess.CompletedProcess:
    # As typed in a shell: not inside the `make test` that runs this suite (its -j jobserver would be inherited).
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES + MAKE_VARIABLES}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(["make", "--no-print-directory", "-o", "setup", "check-sources", *variables],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=120)


def test_make_check_sources_never_changes_a_pin(server, tmp_path):
    base = f"http://127.0.0.1:{server.server_port}"
    registry = yaml.safe_dump({"sources": {"publisher": _source([
        _pinned("pub/same.xlsx", f"{base}/same.xlsx"), _pinned("pub/revised.xlsx", f"{base}/revised.xlsx")])}})
    copy = _project_copy(tmp_path, registry)
    done = _make_check_sources(copy, "TIMEOUT=5")
    assert done.returncode == 2, done.stdout + done.stderr  # make's status when the command exits 1
    assert done.stdout.splitlines()[1:] == [
        "publisher: 1 unchanged, 1 revised",
        "publisher, pub/revised.xlsx: revised — other SHA-256 (same size); read the new file, then update its "
        "sha256 and bytes in data/sources.yaml and rerun `dvc repro` (this check never changes a pin)",
        "wrote reports/source-check.csv and reports/source-check.md"]
    assert done.stdout.splitlines()[0] == "python -m pipeline.check_sources --timeout 5"
    assert "error: 1 file(s) revised or gone — see reports/source-check.md" in done.stderr
    assert "Traceback" not in done.stderr
    assert (copy / "data" / "sources.yaml").read_text(encoding="utf-8") == registry
    table = pd.read_csv(copy / "reports" / "source-check.csv", dtype=str, keep_default_na=False)
    assert table[["file", "status"]].values.tolist() == [["pub/revised.xlsx", "revised"],
                                                        ["pub/same.xlsx", "unchanged"]]


def test_make_check_sources_unreachable_fails_only_when_strict(tmp_path):
    registry = yaml.safe_dump({"sources": {"a": _source([_pinned("a/one.xlsx", f"http://127.0.0.1:"
                                                                               f"{_closed_port()}/one.xlsx")])}})
    copy = _project_copy(tmp_path, registry)
    plain = _make_check_sources(copy)
    assert (plain.returncode, plain.stderr) == (0, "")
    assert plain.stdout.splitlines()[0] == "python -m pipeline.check_sources"
    strict = _make_check_sources(copy, "STRICT=1", "TIMEOUT=3")
    assert strict.returncode == 2
    assert strict.stdout.splitlines()[0] == "python -m pipeline.check_sources --timeout 3 --strict"
    assert strict.stderr.splitlines()[0] == ("error: --strict, and some files could not be asked (offline or "
                                             "unreachable) — see reports/source-check.md")
    assert _make_check_sources(copy, "STRICT=0").returncode == 0


@pytest.mark.parametrize(("registry", "message"), [
    ("sources: [unclosed", "error: data/sources.yaml, row 1: not valid YAML: expected ',' or ']', but got "
                           "'<stream end>' — fix the indentation, quoting or repeated key on that line"),
    ("title: no sources key\n", "error: data/sources.yaml: expected a top-level 'sources:' mapping — restore it "
                                "from git: `git checkout data/sources.yaml`"),
    ("sources:\n  a:\n    page: p\n    files:\n      - path: a/one.xlsx\n        url: https://x.org/one.xlsx\n",
     "error: data/sources.yaml: source 'a', file 'a/one.xlsx': a url without its pinned 'bytes' and 'sha256' "
     "— add the size and SHA-256 of the version the pipeline uses"),
    ("sources:\n  a:\n    page: p\n    files:\n      - path: a/one.xlsx\n        url: ftp://x.org/one.xlsx\n"
     "        bytes: 1\n        sha256: " + "0" * 64 + "\n",
     "error: data/sources.yaml: source 'a', file 'a/one.xlsx': url 'ftp://x.org/one.xlsx' is not an http(s) "
     "address — correct the url"),
])
def test_broken_registry_is_one_line_and_exit_1(tmp_path, registry, message):
    copy = _project_copy(tmp_path, registry)
    done = subprocess.run([sys.executable, "-m", "pipeline.check_sources"], cwd=copy, capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stderr) == (1, message + "\n")
    assert not (copy / "reports").exists()


def test_timeout_must_be_positive(capsys):
    with pytest.raises(SystemExit) as stopped:
        check_sources.main(["--timeout", "0"])
    assert stopped.value.code == 2
    assert "'0' is not a positive number of seconds" in capsys.readouterr().err


def test_not_a_pipeline_stage_nor_a_committed_output():
    """Its answer depends on the day and the network: never in dvc.yaml, and git-ignored."""
    assert "check_sources" not in (paths.ROOT / "dvc.yaml").read_text()
    for suffix in (".csv", ".md"):
        shown = paths.relative(check_sources.OUTPUT.with_suffix(suffix))
        ignored = subprocess.run(["git", "check-ignore", "-q", shown], cwd=paths.ROOT)
        assert ignored.returncode == 0, f"{shown} is not git-ignored"
