"""Write the changes report (Markdown, and HTML in each language), all files at once, and say what it found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import io, params, paths
from pipeline.changes import render
from pipeline.changes.compare import Changes
from pipeline.settings import Report


def languages() -> list[str]:
    """The briefing's languages (params.yaml `report.languages`), English first."""
    listed = list(params.read(Report).languages or ["en"])
    return ["en"] + [code for code in listed if code != "en"]


def write(changes: Changes, written: dt.datetime | None = None, target: Path = paths.CHANGES_REPORT) -> list[Path]:
    """reports/changes.md and reports/changes.html, changes-es.html, changes-pt.html; returns their paths."""
    written = written or dt.datetime.now(dt.UTC)
    sections = render.model(changes, written)
    codes = languages()
    files = {target.with_suffix(".md"): render.markdown(sections)}
    for code in codes:
        files[target.with_name(render.page_name(code))] = render.html(sections, code, codes)
    with io.transaction():
        for path, text in files.items():
            io.write_text(path, text)
    return list(files)


def summary_line(changes: Changes, written: list[Path]) -> str:
    """What the terminal shows: the counts, the verdicts to accept, where to read more."""
    n = changes.counts()
    line = (f"changes against {changes.baseline}: params.yaml {n['parameters_changed']} key(s) changed; "
            f"long table {n['added']} added, {n['removed']} removed, "
            f"{n['changed']} changed, {n['definition']} new definition(s); claims {n['claims_verdict']} new "
            f"verdict(s), {n['claims_caveat']} new caveat(s), {n['claims_computed']} new computed value(s); "
            f"{n['metrics_changed']} metric(s); "
            f"findings {n['findings_appeared']} appeared, {n['findings_disappeared']} disappeared, "
            f"{n['findings_changed']} changed; "
            f"sources {n['pins_changed']} pin(s), {n['files_changed']} file(s) — read {paths.relative(written[0])} "
            f"(or {paths.relative(written[1])})")
    if n["to_accept"]:
        ids = ", ".join(changes.to_accept["claim_id"])
        line += (f"\n{n['to_accept']} claim(s) no longer give the verdict recorded in data/claims.yaml ({ids}): "
                 f"if the report shows why and it is right, accept them: {render.ACCEPT_MAKE}")
    return line


def briefing_line() -> str:
    """Where the briefing is, in each language, after a build (a newcomer's `make repro` ended on the changes line,
    with nothing to say where to look)."""
    pages = [paths.relative(paths.briefing(code)) for code in languages()]
    others = f" ({', '.join(pages[1:])})" if pages[1:] else ""
    return f"the briefing: {pages[0]}{others} — open it in a browser"
