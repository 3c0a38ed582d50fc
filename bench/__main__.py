"""Run every benchmark and write the report: `python -m bench [--quick] [--repeat N] [--output PATH]`;
`python -m bench --only profiles` (or `rebuilds`, `sisdepen`, `sneep`, `tests`) measures the country profiles (or the
rebuilds, the SISDEPEN reader, the SNEEP loader against its contenders, `make test` on fresh clones) alone and replaces that part of the report,
keeping the other measurements as they were."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench import notebooks, profiles, rebuild, report, sisdepen_read, sneep_scale, test_suite
from bench.common import ROOT, WORK, conditions, conditions_text, machine

# Full run: the sizes. Quick: small enough for the test suite (about a minute).
FULL = {"repeat": 3, "sisdepen_files": 12, "sneep_rows": 2_000_000,
        "scaling_rows": [1_000_000, 2_000_000, 5_000_000, 10_000_000]}  # 10M rows: a 2.2 GB file in bench/work/
QUICK = {"repeat": 1, "sisdepen_files": 1, "sneep_rows": 21_000, "scaling_rows": [5_250, 10_500, 21_000, 42_000]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition (the smoke test)")
    parser.add_argument("--repeat", type=int, help="repetitions of each measurement (default 3; quick 1)")
    parser.add_argument("--output", type=Path, help="report path (default reports/benchmarks.md; quick: a temp file)")
    parser.add_argument("--mirror", type=Path, help="source mirror (default: $BRIEFING_DATA_MIRROR or params.yaml)")
    parser.add_argument("--only", choices=["profiles", "rebuilds", "sisdepen", "sneep", "tests"],
                        help="measure one part alone (the country profiles, in a copy of this work tree's built data; "
                        "the cold, no-op and selective rebuilds; the SISDEPEN reader; the SNEEP loader against its "
                        "contenders; or `make test` on fresh clones) and replace its section and targets in the report")
    arguments = parser.parse_args()
    # Every measurement runs the pipeline's code as its stage commands do: pyarrow on malloc (errors.cli sets this
    # for every stage; the benchmark's children call the code directly, so they inherit it from here).
    from pipeline.errors import _arrow_on_malloc

    _arrow_on_malloc()
    if arguments.only == "profiles":
        only_profiles(arguments)
        return
    sizes = QUICK if arguments.quick else FULL
    repeat = arguments.repeat or sizes["repeat"]
    scratch = Path(tempfile.mkdtemp(prefix="bench-quick-")) if arguments.quick else WORK
    output = arguments.output or (scratch / "benchmarks.md" if arguments.quick else ROOT / "reports" / "benchmarks.md")
    from pipeline import fetch

    mirror = (arguments.mirror or fetch.mirror_dir()).resolve()
    started, started_load = time.perf_counter(), machine()

    def step(name):
        print(f"[{time.perf_counter() - started:6.0f} s] {name}", file=sys.stderr, flush=True)

    before = conditions() if arguments.only else None  # a full run states them under Machine
    if arguments.only in ("sisdepen", "sneep", "tests"):
        section = {"sisdepen": lambda: sisdepen_read.measure(repeat, sizes["sisdepen_files"], mirror),
                   "sneep": lambda: sneep_scale.compare(sizes["sneep_rows"], repeat, scratch),
                   "tests": lambda: test_suite.measure(arguments.repeat or 1)}[arguments.only]()
        report.replace_section(output, section, command=f"python -m bench --only {arguments.only}",
                               seconds=time.perf_counter() - started,
                               conditions=conditions_text(before, conditions()))
        step(f"replaced the section \"{section.title}\" in {output}")
        print(output)
        return
    step("rebuilds")
    rebuilds, copy = rebuild.measure(repeat, arguments.quick, mirror)
    if arguments.only == "rebuilds":
        rebuild.remove_copy(copy)
        report.replace_section(output, rebuilds, command="python -m bench --only rebuilds",
                               seconds=time.perf_counter() - started,
                               conditions=conditions_text(before, conditions()))
        step(f"replaced the rebuilds in {output}")
        print(output)
        return
    try:
        step("notebooks")
        notebook_section = notebooks.measure(repeat, None if arguments.quick else copy)
        step("profiles")
        profile_section = profiles.measure(repeat, copy, arguments.quick)
    finally:
        rebuild.remove_copy(copy)
    step("sisdepen")
    sisdepen = sisdepen_read.measure(repeat, sizes["sisdepen_files"], mirror)
    step("sneep")
    sneep = sneep_scale.compare(sizes["sneep_rows"], repeat, scratch)
    step("scaling")
    scaling = sneep_scale.scaling(sizes["scaling_rows"], repeat, scratch)
    sections = [rebuilds, sisdepen, sneep, scaling, notebook_section, profile_section]
    if not arguments.quick:  # many minutes: a fresh clone's make test, before and now
        step("tests")
        sections.append(test_suite.measure())
    command = "python -m bench" + (" --quick" if arguments.quick else "")
    report.write(output, sections,
                 quick=arguments.quick,
                 started_load=started_load, seconds=time.perf_counter() - started, command=command)
    if arguments.quick:  # small, but a test suite should not leave data behind
        for generated in [*scratch.glob("sneep-*.csv"), *scratch.glob("sneep-*.parquet")]:
            generated.unlink()
        if not any(scratch.iterdir()):
            scratch.rmdir()
    step(f"wrote {output}")
    print(output)


def only_profiles(arguments) -> None:
    """`--only profiles`: the profiles' section of the report, measured in a light copy of this work tree."""
    output = arguments.output or ROOT / "reports" / "benchmarks.md"
    started, before = time.perf_counter(), conditions()
    copy = profiles.light_copy()
    try:
        section = profiles.measure(arguments.repeat or (1 if arguments.quick else FULL["repeat"]), copy,
                                   arguments.quick)
    finally:
        profiles.remove_light_copy(copy)
    report.replace_section(output, section, command="python -m bench --only profiles",
                           seconds=time.perf_counter() - started, conditions=conditions_text(before, conditions()))
    print(output)


if __name__ == "__main__":
    main()
