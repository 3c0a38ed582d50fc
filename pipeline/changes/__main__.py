"""Command line of the changes report; see pipeline/changes/__init__.py.

    python -m pipeline.changes [--base REV | --snapshot DIR]      # write reports/changes.{md,html}, -es, -pt
    python -m pipeline.changes --save-snapshot DIR                # keep today's files to compare with later
    python -m pipeline.changes accept-verdicts --reason "…" [--date YYYY-MM-DD] [--claim ID …]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pipeline import paths, up_to_date
from pipeline.errors import PipelineError, cli

ACCEPT = "accept-verdicts"


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline.changes",
                                     description="What changed against a baseline: reports/changes.md and "
                                                 "reports/changes.html (-es, -pt). Also: `accept-verdicts`.")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="REV", help="git revision to compare with (default HEAD)")
    base.add_argument("--snapshot", metavar="DIR", type=Path, help="snapshot folder to compare with")
    base.add_argument("--save-snapshot", metavar="DIR", type=Path,
                      help="save the files the report compares, as they are now, into DIR (a new folder), and stop")
    parser.add_argument("--after-failed-build", action="store_true",
                        help="run by `make repro` after a build failed: if the build stopped on an input it checks "
                             "before any stage (pipeline.repro.check_shared_inputs), say so in a note instead of "
                             "printing its message again")
    return parser


def _accept_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m pipeline.changes {ACCEPT}",
                                     description="Record the claims' new verdicts in data/claims.yaml, and why.")
    parser.add_argument("--reason", required=True, help="why the new verdicts are right (logged)")
    parser.add_argument("--date", help="date of the decision, YYYY-MM-DD (default: today)")
    parser.add_argument("--claim", action="append", metavar="ID", help="accept only this claim (repeatable)")
    return parser


@cli
def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [ACCEPT]:
        _accept(_accept_parser().parse_args(argv[1:]))
        return
    args = _report_parser().parse_args(argv)
    began, unchanged = up_to_date.now(), None
    if not argv:  # as `make repro` runs it: against HEAD
        unchanged = _unchanged_since_last_report()
        if unchanged is not None and "summary" in unchanged:
            print(unchanged["summary"])
            return
    # The report's modules read tables with pandas: imported once it is known that the report must be written.
    from pipeline import repro  # (pandas, pydantic)
    from pipeline.changes import baseline, compare, output  # (pandas, jinja)

    if args.after_failed_build:
        if not repro.in_git_repository():  # the build said so, and the report compares with the last commit
            print("note: no changes report: it compares with the last commit, and this folder is not a git repository")
            return
        if repro.builds_running():  # its outputs are being written: compared now, they would be half of each build
            print("note: no changes report while another build is running: `make changes` once it has ended (its "
                  "own `make repro` writes one)")
            return
        try:
            repro.check_shared_inputs()
        except PipelineError:  # the build printed this message already, and the report needs the same input
            print("note: no changes report: it reads the file named in the error above")
            return
    if args.save_snapshot:
        written = baseline.save_snapshot(args.save_snapshot, compare.source_ids(baseline_sources()))
        print(f"saved {len(written)} files into {paths.relative(args.save_snapshot)}; compare with it later: "
              f"make changes SNAPSHOT={paths.relative(args.save_snapshot)}")
        return
    changes = compare.compare(baseline.baseline(args.base, args.snapshot))
    written = output.write(changes)
    summary = output.summary_line(changes, written)
    if not argv:  # as `make repro` runs it: where the briefing it built is
        summary += "\n" + output.briefing_line()
    print(summary)
    if unchanged is not None:
        up_to_date.record(paths.changes_record(), unchanged["files"], began,
                          written=[paths.relative(path) for path in written], summary=summary, **unchanged["facts"])


def _unchanged_since_last_report() -> dict | None:
    """When the work tree stands as DVC last found it up to date (pipeline.up_to_date) and git's HEAD is a commit:
    the files the report reads (those DVC's decision read, and every file git tracks), HEAD and that record, as
    `facts`; with the last report's record (its summary line) if none of them moved since it was written."""
    pipeline_record = up_to_date.unchanged(paths.up_to_date_record())
    if pipeline_record is None:
        up_to_date.forget(paths.changes_record())
        return None
    try:
        head = subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=paths.ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, capture_output=True, text=True,
                                 check=True).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git work tree (the report says why when it runs)
    facts = {"head": head, "pipeline_record": pipeline_record["digest"]}
    files = pipeline_record["files"] + [path for path in tracked if path]
    last = up_to_date.unchanged(paths.changes_record())
    if last is not None and all(last.get(key) == value for key, value in facts.items()):
        return {"summary": last["summary"], "files": files, "facts": facts}
    return {"files": files, "facts": facts}


def baseline_sources() -> dict:
    from pipeline.changes import baseline, compare  # imported here: see main

    return compare.registry_sources(baseline.WorkTree().read(baseline.SOURCES))


def _accept(args: argparse.Namespace) -> None:
    from pipeline.changes import accept  # imported here: see main

    accepted = accept.accept(args.reason, args.date, args.claim)
    if accepted.empty:
        print("no claim's verdict differs from the one recorded in data/claims.yaml: nothing to accept")
        return
    listing = "; ".join(f"{r.claim_id}: {r.expected} -> {r.status}" for r in accepted.itertuples())
    print(f"accepted {len(accepted)} verdict(s): {listing}. Recorded in data/claims.yaml (expected) and "
          f"{paths.relative(paths.CLAIMS_ACCEPTED)} (with the reason). Next: `make repro`, then commit both files "
          "with the rebuilt outputs.")


if __name__ == "__main__":
    main()
