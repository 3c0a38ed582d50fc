"""The briefing opened from disk in a real headless browser (Debian's chromium), with networking off: every image
loads, every link leads to a file that exists or an anchor on the page, and nothing is fetched from the network.
At a laptop's width (1366 px) nothing is wider than the page: no table (with every row's details open, too), no
horizontal scrollbar. Each section of each page, in each language, is photographed into SCREENSHOTS
(tests/output/browser/<page>/NN-<section>.png, 00-header.png for the page's top; git-ignored) for a person to look
at: the linked variant only, since the self-contained one shows the same SVG files inline, in the same layout (its
photographs took 35 s of the unit tests; its widths are still measured). In the executed notebooks' pages (what a
reviewer reads), no long text of a table is squeezed to a word a line.

Chromium is installed by `make browser` (CI runs it). Without it the test fails in CI (CI is set) and is skipped
on a developer's machine.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from pipeline import i18n, notebook_tables, paths, registry
from pipeline.report import render

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "install it with `make browser` (apt-get install -y chromium)"
LAPTOP = {"width": 1366, "height": 768}  # the width the briefing must fit (a common laptop screen)
SCREENSHOTS = Path(os.environ.get("BRIEFING_SCREENSHOTS", paths.ROOT / "tests" / "output" / "browser"))
SCREENSHOT_MAX_HEIGHT = 8000  # px of one section's picture (the rest of a long section is left out)
# Links and images the page holds once loaded, with the images that failed to decode.
_INSPECT = """JSON.stringify({
  ready: document.readyState,
  href: location.href,
  brokenImages: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  images: Array.from(document.images).map(i => i.src.slice(0, 200)),
  links: Array.from(document.links).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  resources: performance.getEntriesByType('resource').map(r => r.name)
})"""
# What is wider than the page: the page itself (a horizontal scrollbar), and each table that sticks out of it or
# scrolls inside itself; with every <details> closed as authored, then with every one open.
_WIDTHS = """(() => {
  const page = document.documentElement.clientWidth;
  const measure = () => ({
    scrollWidth: document.documentElement.scrollWidth,
    tables: Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null).map(t => {
      const box = t.getBoundingClientRect();
      return {where: (t.closest('[id]') || {}).id || '', left: box.left, right: box.right, width: box.width,
              inner: t.scrollWidth - t.clientWidth};
    }).filter(t => t.right > page + 1 || t.left < -1 || t.inner > 1),
    tableCount: Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null).length
  });
  const closed = measure();
  const details = Array.from(document.querySelectorAll('details'));
  const wasOpen = details.map(d => d.open);
  details.forEach(d => { d.open = true; });
  const open = measure();
  details.forEach((d, i) => { d.open = wasOpen[i]; });
  return JSON.stringify({page, closed, open, details: details.length});
})()"""
# Each long text of a notebook's tables (notebook_tables.show) that wraps into more lines than its column's minimum
# width allows (a word a line in a squeezed column): its table, column, length and lines.
_SQUEEZED = """JSON.stringify(Array.from(document.querySelectorAll('table.briefing-table')).flatMap((t, k) => {
  const heads = Array.from(t.querySelectorAll('th')).map(h => h.innerText);
  return Array.from(t.querySelectorAll('tbody td:not(.number)')).map(cell => {
    const length = cell.innerText.length;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
    const allowed = Math.max(%(lines)d, Math.ceil(length / %(widest)d)) + 2;
    return {table: k, column: heads[cell.cellIndex], length, lines, allowed,
            width: Math.round(cell.getBoundingClientRect().width)};
  }).filter(c => c.length > %(long)d && c.lines > c.allowed);
}))""" % {"lines": notebook_tables.TEXT_LINES, "widest": notebook_tables.TEXT_WIDEST,
         "long": notebook_tables.LONG_TEXT}
NOTEBOOK_PAGES = [paths.executed_notebook(name, ".html") for name in sorted(registry.NOTEBOOKS.values())]
# Each section of the page: its heading's id and its top and bottom in page coordinates.
_SECTIONS = """JSON.stringify(Array.from(document.querySelectorAll('h2[id]')).map((h, i, all) => {
  const top = h.getBoundingClientRect().top + window.scrollY;
  const next = all[i + 1];
  const bottom = next ? next.getBoundingClientRect().top + window.scrollY
                      : document.documentElement.scrollHeight;
  return {id: h.id, top: Math.max(0, top - 8), height: bottom - top};
}))"""


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
         "--allow-file-access-from-files", "--hide-scrollbars", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
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


class Tab:
    """One browser tab, driven through the DevTools protocol."""

    def __init__(self, browser, page: Path, viewport: dict | None = None):
        websocket, self.port = browser
        self.page = page
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the debugging port is local
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        self.target = json.loads(self.opener.open(request, timeout=10).read())
        self.connection = websocket.create_connection(self.target["webSocketDebuggerUrl"], timeout=120,
                                                      suppress_origin=True)
        self.calls = 0
        if viewport:
            self.call("Emulation.setDeviceMetricsOverride", {**viewport, "deviceScaleFactor": 1, "mobile": False})
        self.call("Page.navigate", {"url": page.resolve().as_uri()})

    def call(self, method: str, params: dict | None = None) -> dict:
        self.calls += 1
        self.connection.send(json.dumps({"id": self.calls, "method": method, "params": params or {}}))
        while True:
            answer = json.loads(self.connection.recv())
            if answer.get("id") == self.calls:
                if "error" in answer:
                    pytest.fail(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return json.loads(result["result"].get("value") or "null")

    def loaded(self) -> dict:
        """Wait for the page's own document to finish loading; what _INSPECT reports."""
        for _ in range(600):
            found = self.evaluate(_INSPECT) or {}
            if found.get("ready") == "complete" and found.get("href") == self.page.resolve().as_uri():
                return found
            time.sleep(0.1)
        pytest.fail(f"{self.page.name} did not finish loading")

    def screenshot(self, path: Path, top: float, height: float, width: int) -> None:
        clip = {"x": 0, "y": top, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT), "scale": 1}
        shot = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        self.connection.close()
        self.opener.open(urllib.request.Request(f"http://127.0.0.1:{self.port}/json/close/{self.target['id']}"),
                         timeout=10)


def _load(browser, page: Path) -> dict:
    tab = Tab(browser, page)
    try:
        return tab.loaded()
    finally:
        tab.close()


BRIEFINGS = [paths.briefing(language) for language in i18n.languages()]
STANDALONE = [paths.briefing_standalone(language) for language in i18n.languages()]
PAGES = BRIEFINGS + STANDALONE + [paths.INDEX]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_loads_offline_with_no_missing_image_or_broken_link(browser, page):
    if not page.is_file():
        pytest.fail(f"{page} is missing: run `python -m pipeline.report`")
    found = _load(browser, page)
    if page != paths.INDEX:  # the briefing shows every figure; an empty list would make this test vacuous
        assert len(found["images"]) >= 8, found["images"]
    assert not found["brokenImages"], f"images that did not load: {found['brokenImages']}"
    online = [name for name in found["resources"] + found["images"]
              if not name.startswith(("file:", "data:image/svg+xml;base64,"))]
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


@pytest.mark.parametrize("page", STANDALONE, ids=lambda p: p.name)
def test_the_self_contained_page_shows_its_figures_when_copied_alone(browser, page, tmp_path):
    """Copied into an empty folder (as an e-mail attachment is), the self-contained page still shows every figure:
    each is inside the page, nothing is read from figures/."""
    alone = tmp_path / page.name
    shutil.copy(page, alone)
    found = _load(browser, alone)
    assert len(found["images"]) >= 8
    assert all(image.startswith("data:image/svg+xml;base64,") for image in found["images"]), found["images"]
    assert not found["brokenImages"]


@pytest.mark.parametrize("page", BRIEFINGS + STANDALONE, ids=lambda p: p.name)
def test_the_briefing_fits_a_laptop_screen_and_every_section_is_photographed(browser, page):
    """At 1366 px: no horizontal scrollbar, no table wider than the page or scrolling inside itself, with the rows'
    details closed as the page opens and with all of them open; then, for a linked page, one picture per section."""
    tab = Tab(browser, page, LAPTOP)
    try:
        found = tab.loaded()
        assert not found["brokenImages"], found["brokenImages"]
        widths = tab.evaluate(_WIDTHS)
        for state in ("closed", "open"):
            measured = widths[state]
            assert measured["tableCount"] > 40, measured  # the tables were found: the check is not vacuous
            assert measured["scrollWidth"] <= widths["page"], \
                f"{page.name} ({state} details): the page is {measured['scrollWidth']} px wide at {widths['page']}"
            assert measured["tables"] == [], f"{page.name} ({state} details): tables wider than the page"
        sections = tab.evaluate(_SECTIONS)
        assert [section["id"] for section in sections] == list(render.SECTIONS)
        folder = SCREENSHOTS / page.name.removesuffix(".html")
        shutil.rmtree(folder, ignore_errors=True)  # no picture left from an earlier run
        if page in STANDALONE:
            return
        # The page's header (title, languages, variant, downloads) above the first section, then each section.
        tab.screenshot(folder / "00-header.png", 0, sections[0]["top"], LAPTOP["width"])
        for number, section in enumerate(sections, start=1):
            tab.screenshot(folder / f"{number:02d}-{section['id']}.png", section["top"], section["height"],
                           LAPTOP["width"])
        assert len(list(folder.glob("*.png"))) == len(render.SECTIONS) + 1
    finally:
        tab.close()


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=lambda p: p.name)
def test_a_notebook_shows_no_long_text_squeezed_to_a_word_a_line(browser, page):
    """A reviewer's page (the executed notebook as HTML) at 1366 px: each long text of a table (a note, a finding's
    detail) wraps into a few lines (at most notebook_tables.TEXT_LINES, or its length over TEXT_WIDEST
    characters, and two lines of slack for word breaks), even in a table of 14 columns that the output area
    scrolls. Before the columns had a minimum width, regional's count_note took 26 lines of 97 px."""
    tab = Tab(browser, page, LAPTOP)
    try:
        tab.loaded()
        assert tab.evaluate("JSON.stringify(document.querySelectorAll('table.briefing-table').length)") > 3
        assert tab.evaluate(_SQUEEZED) == [], f"{page.name}: long texts squeezed into too many lines"
    finally:
        tab.close()


def test_the_squeeze_check_sees_a_long_note_in_a_table_of_many_columns(browser, tmp_path):
    """Control: the same table of 14 columns with a long note, shown by notebook_tables.show, passes; without the
    note column's minimum width, the check reports it."""
    frame = pd.DataFrame({f"column_{i}": ["a text of some words"] for i in range(13)})
    frame["note"] = [" ".join(["word"] * 60)]
    shown = notebook_tables.show(frame)._repr_html_()
    assert 'style="min-width:' in shown
    squeezed = []
    for name, html_ in (("kept", shown), ("squeezed", re.sub(r' style="min-width:\d+ch"', "", shown))):
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><html><body>{html_}</body></html>", encoding="utf-8")
        tab = Tab(browser, page, LAPTOP)
        try:
            tab.loaded()
            squeezed.append([cell["column"] for cell in tab.evaluate(_SQUEEZED)])
        finally:
            tab.close()
    assert squeezed == [[], ["note"]]


def test_the_checks_see_a_missing_image_and_a_table_wider_than_the_page(browser, tmp_path):
    """Controls: a missing image is reported, and so is a table wider than the page (the checks are not
    vacuous)."""
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.svg" alt="x"></body></html>', encoding="utf-8")
    assert _load(browser, page)["brokenImages"] == [(tmp_path / "missing.svg").as_uri()]
    wide = tmp_path / "wide.html"
    wide.write_text('<!DOCTYPE html><html><body><section id="s"><details><summary>x</summary><table><tr><td '
                    'style="white-space:nowrap">' + "word " * 400 + "</td></tr></table></details></section>"
                    '<section id="t"><table style="display:block;overflow-x:auto"><tr><td style="white-space:nowrap">'
                    + "word " * 400 + "</td></tr></table></section></body></html>", encoding="utf-8")
    tab = Tab(browser, wide, LAPTOP)
    try:
        tab.loaded()
        widths = tab.evaluate(_WIDTHS)
    finally:
        tab.close()
    # The table inside the folded details is measured too (chromium lays folded content out); the page itself
    # grows a horizontal scrollbar only once it is unfolded.
    for state in ("closed", "open"):
        assert [t["where"] for t in widths[state]["tables"]] == ["s", "t"], widths[state]
    assert widths["closed"]["scrollWidth"] == widths["page"]
    assert widths["open"]["scrollWidth"] > widths["page"]
