"""The two sides of the comparison: a baseline (a git revision, or a saved snapshot folder) and the work tree.

Each side answers the same questions with project-relative POSIX paths: the text of a file (None when that side
has no such file), the names of the committed tables, and a source's provenance record. A git revision holds no
fetched data (data/raw/ is git-ignored), so its provenance records are read from DVC's local cache through the
revision's dvc.lock; when the cache no longer holds them the side says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from pipeline import dvc_yaml, i18n, params, paths
from pipeline.errors import PipelineError

# Committed files the report compares (project-relative). The claims files are written by pipeline.chapters.claims,
# the metrics (one file per quantity in a folder) by pipeline.report; they are read as files, never through those modules' internals.
INDICATORS = paths.relative(paths.INDICATORS)
METRICS = paths.relative(paths.METRICS)
CLAIMS = paths.relative(paths.CLAIMS_TABLE.with_suffix(".csv"))
CLAIM_PHRASES = paths.relative(paths.CLAIMS_TABLE.with_suffix(i18n.PHRASES_SUFFIX))
SOURCES = paths.relative(paths.SOURCES)
PARAMS = paths.relative(paths.PARAMS)
DVC_LOCK = "dvc.lock"
TABLES = paths.relative(paths.TABLES)
# Tables that hold data-quality findings, reconciliations and checks: read from the file names, so a new
# chapter's `tab-NN-…-data-quality` table is compared without being listed anywhere.
FINDINGS_TABLE = re.compile(r"quality|reconciliation|check|conflicts|-vs-")
SNAPSHOT_MANIFEST = paths.SNAPSHOT_MANIFEST
SUBJECT_CHARACTERS = 100  # of a commit's subject line, in the report's summary


def findings_tables(names) -> list[str]:
    """The stems of the data-quality, reconciliation and check tables among table file names."""
    stems = {PurePosixPath(n).stem for n in names if n.endswith(".csv")}
    return sorted(s for s in stems if FINDINGS_TABLE.search(s))


def provenance_path(source_id: str) -> str:
    return paths.relative(paths.provenance(source_id))


class WorkTree:
    """The project as it is on disk now: what `dvc repro` (or a failed run of it) left."""

    def __init__(self, root: Path = paths.ROOT):
        self.root = Path(root)
        self.label = "working tree"

    def read(self, relative: str) -> str | None:
        path = self.root / relative
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def table_names(self) -> list[str]:
        folder = self.root / TABLES
        return sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []

    def metric_names(self) -> list[str]:
        folder = self.root / METRICS
        return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []

    def provenance(self, source_id: str) -> tuple[dict | None, str]:
        text = self.read(provenance_path(source_id))
        return (json.loads(text), "") if text else (None, "not fetched")


class Snapshot(WorkTree):
    """A folder written by `python -m pipeline.changes --save-snapshot DIR`: the same files at the same
    project-relative paths, and snapshot.json saying when and from which commit it was saved."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        manifest = folder / SNAPSHOT_MANIFEST
        if not manifest.is_file():
            raise PipelineError(f"not a snapshot folder (no {SNAPSHOT_MANIFEST})", file=folder,
                                fix="give a folder written by `python -m pipeline.changes --save-snapshot DIR`")
        super().__init__(folder)
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        self.facts = {"kind": "snapshot", "folder": paths.relative(folder), "saved": saved.get("saved_at", "?"),
                      "commit": saved.get("commit") or "?"}
        self.label = f"snapshot {self.facts['folder']} (saved {self.facts['saved']} at commit {self.facts['commit']})"


class GitRevision:
    """The committed files of one git revision (HEAD by default): `git show REV:path`."""

    def __init__(self, revision: str = "HEAD", root: Path = paths.ROOT):
        self.root, self.revision = Path(root), revision
        commit = self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
        if "not a git repository" in commit.stderr:
            raise PipelineError("this copy of the project is not a git repository, so a git revision cannot be the "
                                "baseline", fix="compare with a saved snapshot: --snapshot DIR (make changes "
                                                "SNAPSHOT=DIR)")
        if commit.returncode != 0:
            raise PipelineError(f"'{revision}' is not a git revision of this repository",
                                fix="give a commit, branch or tag (`git log --oneline`), or compare with a saved "
                                    "snapshot: --snapshot DIR (make changes SNAPSHOT=DIR)")
        self.commit = commit.stdout.strip()
        short, date, subject = self._git("log", "-1", "--format=%h%x00%cs%x00%s", self.commit).stdout.strip().split(
            "\0", 2)
        if len(subject) > SUBJECT_CHARACTERS:
            subject = subject[:SUBJECT_CHARACTERS - 1].rstrip() + "…"
        self.facts = {"kind": "git", "revision": revision, "commit": short, "date": date, "subject": subject}
        self.label = f"{revision} (commit {short} of {date})"

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, encoding="utf-8")
        except FileNotFoundError:
            raise PipelineError("git is not installed, so no git revision can be the baseline",
                                fix="install git, or compare with a saved snapshot: --snapshot DIR") from None
        if check and done.returncode != 0:
            raise PipelineError(f"git {' '.join(args[:2])} failed: {done.stderr.strip()[:200]}",
                                fix="run the command inside the project's git repository")
        return done

    def read(self, relative: str) -> str | None:
        done = self._git("show", f"{self.commit}:{relative}", check=False)
        return done.stdout if done.returncode == 0 else None

    def table_names(self) -> list[str]:
        listed = self._git("ls-tree", "--name-only", self.commit, f"{TABLES}/").stdout.splitlines()
        return sorted(PurePosixPath(name).name for name in listed if name.endswith(".csv"))

    def metric_names(self) -> list[str]:
        listed = self._git("ls-tree", "--name-only", self.commit, f"{METRICS}/").stdout.splitlines()
        return sorted(PurePosixPath(name).name for name in listed if name.endswith(".json"))

    def provenance(self, source_id: str) -> tuple[dict | None, str]:
        """The record the revision's dvc.lock points at, if DVC's local cache still holds it."""
        lock = params.parse_yaml(self.read(DVC_LOCK) or "{}", DVC_LOCK) or {}  # parsed once per run (libyaml)
        named = dvc_yaml.stage_names(self.read(paths.relative(paths.DVC_YAML)) or "")
        declared = None if named is None else set(named)
        folder = paths.relative(paths.raw_dir(source_id))
        # dvc.lock may keep the entry of a stage that dvc.yaml no longer declares: only declared stages count.
        outs = [out for name, stage in (lock.get("stages") or {}).items() for out in stage.get("outs", [])
                if out.get("path") == folder and (declared is None or name in declared)]
        if not outs:
            return None, "not fetched"
        cache = dvc_cache(self.root)
        listing = _cached(cache, outs[0].get("md5", ""))
        if listing is None:
            return None, "not in DVC's local cache (compare with a saved snapshot to see the files)"
        record = [entry for entry in json.loads(listing) if entry.get("relpath") == paths.PROVENANCE]
        text = _cached(cache, record[0]["md5"]) if record else None
        if text is None:
            return None, "not in DVC's local cache (compare with a saved snapshot to see the files)"
        return json.loads(text), ""


def dvc_cache(root: Path) -> Path:
    """DVC's local cache of file contents: `[cache] dir` of .dvc/config(.local), else .dvc/cache."""
    folder = Path(root) / ".dvc" / "cache"
    for name in ("config", "config.local"):
        config = Path(root) / ".dvc" / name
        if config.is_file():
            found = re.search(r"^\[cache\][^\[]*?^\s*dir\s*=\s*(\S+)", config.read_text(), re.MULTILINE)
            if found:
                folder = (config.parent / found.group(1)).resolve()
    return folder / "files" / "md5"


def _cached(cache: Path, md5: str) -> str | None:
    if not re.fullmatch(r"[0-9a-f]{32}(\.dir)?", md5 or ""):
        return None
    path = cache / md5[:2] / md5[2:]
    return path.read_text(encoding="utf-8") if path.is_file() else None


def baseline(base: str | None = None, snapshot: Path | None = None, root: Path = paths.ROOT):
    """The side to compare with: a snapshot folder, or a git revision (HEAD when neither is given)."""
    if base and snapshot:
        raise PipelineError("give either a git revision (--base) or a snapshot folder (--snapshot), not both")
    return Snapshot(snapshot) if snapshot else GitRevision(base or "HEAD", root)


def save_snapshot(folder: Path, source_ids, now: WorkTree | None = None) -> list[str]:
    """Copy the files the report compares, as they are now, into `folder` (which must not exist yet or be
    empty); returns the project-relative paths written."""
    now = now or WorkTree()
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PipelineError("the snapshot folder already exists and is not empty", file=folder,
                            fix="give a new folder (a snapshot is never overwritten)")
    names = [INDICATORS, CLAIMS, CLAIM_PHRASES, SOURCES, PARAMS, DVC_LOCK]
    names += [f"{METRICS}/{name}" for name in now.metric_names()]
    names += [f"{TABLES}/{stem}{suffix}" for stem in findings_tables(now.table_names()) for suffix in (".csv", ".md")]
    names += [provenance_path(source_id) for source_id in sorted(source_ids)]
    written = []
    for name in names:
        source = now.root / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / name)
            written.append(name)
    if INDICATORS not in written:
        shutil.rmtree(folder, ignore_errors=True)
        raise PipelineError("there is no long table to save", file=now.root / INDICATORS,
                            fix="run `make repro` first")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=now.root, capture_output=True, text=True)
    manifest = {"saved_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "commit": commit.stdout.strip() if commit.returncode == 0 else "", "files": written}
    (folder / SNAPSHOT_MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return written
