"""How to cite the project's outputs: one line, from CITATION.cff (authors, title, version) and the snapshot dates of
the data (data/sources.yaml), in each language. The briefing pages, the country profiles and the values files carry
it, so a number taken from any of them names the version that computed it and the data it was computed from."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import markupsafe

from pipeline import params, paths
from pipeline.errors import PipelineError

# A snapshot date as data/sources.yaml writes it (2023-05-11, 2023-05, 2024); other texts ("not pinned") are no date.
_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")
# Sources that are not data: the manuscript the claims check reads.
NOT_DATA = ("manuscript",)


@dataclass(frozen=True)
class Citation:
    authors: str
    title: str
    version: str
    snapshots: dict[str, str]  # source id -> snapshot date, for each data source with a dated snapshot

    def data(self, sources: tuple[str, ...] | None = None) -> str:
        """`unodc_prisons 2023-05-11; sisdepen 2023` for the named sources (default: every dated one)."""
        chosen = self.snapshots if sources is None else {s: self.snapshots[s] for s in sources if s in self.snapshots}
        return "; ".join(f"{source} {date}" for source, date in chosen.items())


@functools.cache
def read() -> Citation:
    """The citation of this version of the project (read once per process: a stage's inputs do not change while it
    runs)."""
    cff = params.read_yaml(paths.CITATION, paths.CITATION.name)
    listed = (params.read_yaml(paths.SOURCES, paths.SOURCES.name) or {}).get("sources")
    if not isinstance(listed, dict):
        raise PipelineError("no 'sources:' mapping of source ids", file=paths.SOURCES,
                            fix=f"restore it from git: `git checkout {paths.relative(paths.SOURCES)}`")
    snapshots = {source: str(entry["snapshot"]["date"]) for source, entry in listed.items()
                 if source not in NOT_DATA and isinstance(entry, dict) and isinstance(entry.get("snapshot"), dict)
                 and _DATE.match(str(entry["snapshot"].get("date", "")))}
    return Citation(_authors(cff), " ".join(str(cff["title"]).split()), str(cff["version"]), snapshots)


def _authors(cff) -> str:
    """CITATION.cff's authors as the line names them, once its title, version and authors are checked to be there."""
    missing = [key for key in ("authors", "title", "version") if not isinstance(cff, dict) or not cff.get(key)]
    if missing:
        raise PipelineError(f"no {' or '.join(repr(key) for key in missing)}: the how-to-cite line of every page, "
                            "profile and values file names the authors, title and version", file=paths.CITATION,
                            fix="give them as the Citation File Format writes them (https://citation-file-format."
                                "github.io), or restore the file from git")
    names = []
    for number, author in enumerate(cff["authors"] if isinstance(cff["authors"], list) else [None], start=1):
        name = author.get("name") or " ".join(filter(None, (author.get("given-names"), author.get("family-names")))) \
            if isinstance(author, dict) else None
        if not name:
            raise PipelineError(f"author {number} has no 'name' (an organisation) or 'given-names' and "
                                "'family-names' (a person)", file=paths.CITATION,
                                fix="give each entry of 'authors:' one of them")
        names.append(str(name))
    return ", ".join(names)


def line(tr, sources: tuple[str, ...] | None = None, citation: Citation | None = None) -> str:
    """The "how to cite" line in the translator's language, naming the data snapshots of `sources` (default: all)."""
    citation = citation or read()
    return tr("cite.line", authors=citation.authors, title=citation.title, version=citation.version,
              data=citation.data(sources))


def html_line(tr, sources: tuple[str, ...] | None = None, citation: Citation | None = None) -> markupsafe.Markup:
    """The line for an HTML page: every part escaped, the version marked as code (an identifier, not a number to
    write the language's way)."""
    citation = citation or read()
    version = markupsafe.Markup("<code>{}</code>").format(citation.version)
    # The authors and the title are names, written as CITATION.cff gives them in every language: marked as such.
    name = markupsafe.Markup('<span class="name" translate="no">{}</span>').format
    return markupsafe.escape(tr("cite.line")).format(authors=name(citation.authors), title=name(citation.title),
                                                     version=version, data=citation.data(sources))
