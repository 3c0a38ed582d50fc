"""The briefing opened from disk in a real headless browser (Debian's chromium), with networking off: every image
loads, every link leads to a file that exists or an anchor on the page, and nothing is fetched from the network.

Chromium is installed by `make browser` (CI runs it). Without it the test fails in CI (CI is set) and is skipped
on a developer's machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from pipeline import i18n, paths

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "install it with `make browser` (apt-get install -y chromium)"
# Links and images the page holds once loaded, with the images that failed to decode.
_INSPECT = """JSON.stringify({
  ready: document.readyState,
  href: location.href,
  brokenImages: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  images: Array.from(document.images).map(i => i.src),
  links: Array.from(document.links).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  resources: performance.getEntriesByType('resource').map(r => r.name)
})"""


def _browser() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None:
        message = f"no chromium on PATH: {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + " (skipped because CI is not set)")
    return found


@pytest.fixture(scope="module")
def browser():
    """A headless chromium with its network cut (dead proxy, no DNS, no background services); its debugging
    port is written by chromium itself into the profile folder."""
    websocket = pytest.importorskip("websocket")
    profile = tempfile.mkdtemp(prefix="briefing-chromium-")
    process = subprocess.Popen(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--allow-file-access-from-files", f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        for _ in range(200):
            if port_file.is_file() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        else:
            pytest.fail("chromium did not start (no DevToolsActivePort)")
        port = int(port_file.read_text().splitlines()[0])
        yield websocket, port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _load(browser, page: Path) -> dict:
    """Open `page` in a new tab, wait for it to finish loading, and return what _INSPECT reports."""
    websocket, port = browser
    request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?{page.resolve().as_uri()}", method="PUT")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the debugging port is local
    target = json.loads(opener.open(request, timeout=10).read())
    connection = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30,
                                             suppress_origin=True)
    try:
        for attempt in range(300):
            connection.send(json.dumps({"id": attempt + 1, "method": "Runtime.evaluate",
                                        "params": {"expression": _INSPECT, "returnByValue": True}}))
            while True:
                answer = json.loads(connection.recv())
                if answer.get("id") == attempt + 1:
                    break
            found = json.loads(answer["result"]["result"].get("value") or "{}")
            # The new tab starts on about:blank, itself "complete": wait for the page's own document.
            if found.get("ready") == "complete" and found.get("href") == page.resolve().as_uri():
                return found
            time.sleep(0.1)
        pytest.fail(f"{page.name} did not finish loading")
    finally:
        connection.close()
        opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/json/close/{target['id']}"), timeout=10)


PAGES = [paths.briefing(language) for language in i18n.languages()] + [paths.INDEX]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_loads_offline_with_no_missing_image_or_broken_link(browser, page):
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `python -m pipeline.report`")
    found = _load(browser, page)
    if page != paths.INDEX:  # the briefing shows every figure; an empty list would make this test vacuous
        assert len(found["images"]) >= 8, found["images"]
    assert not found["brokenImages"], f"images that did not load: {found['brokenImages']}"
    online = [name for name in found["resources"] + found["images"] if not name.startswith("file:")]
    assert not online, f"the page asks the network for: {online}"
    broken = []
    for link in found["links"]:
        target = urlparse(link)
        if target.scheme != "file":
            broken.append(link)
        elif target.fragment and Path(unquote(target.path)) == page.resolve():
            if target.fragment not in found["ids"]:
                broken.append(link)
        elif not Path(unquote(target.path)).is_file():
            broken.append(link)
    assert not broken, f"links to nothing (or to the network): {broken}"


def test_the_check_sees_a_missing_image(browser, tmp_path):
    """Control: a page with a missing image is reported as such (the check is not vacuous)."""
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.svg" alt="x"></body></html>', encoding="utf-8")
    assert _load(browser, page)["brokenImages"] == [(tmp_path / "missing.svg").as_uri()]
