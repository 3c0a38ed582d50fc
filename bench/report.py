"""reports/benchmarks.md: the machine, a table of every target (met or not), then each measurement."""

from __future__ import annotations

import datetime
from pathlib import Path

from bench.common import Section, load_note

# For a target not met: what would fix it (the measured profile or stage times sit in the section itself).
FIXES = {
    "Cold rebuild": "the Rebuilds section's last paragraph sets the target against the work itself: the CPU-seconds "
                    "of every process of a cold rebuild (checked against the machine's busy time meanwhile) divided "
                    "by the cores. Where that floor is above the target, no schedule meets it, only less work; "
                    "where it is below, the rebuild's distance to its floor is the schedule's. The stage table gives "
                    "each stage's CPU-seconds, its command's and DVC's own, and names the stages with the most work: "
                    "the commands that make what readers get (the country profiles' notebooks, each executed in a "
                    "kernel, its figures drawn as SVG and its page exported; every figure drawn in three languages "
                    "and saved as SVG, PNG and PDF; the "
                    "report's pages; the SISDEPEN files parsed). Its like-for-like line separates the stages both "
                    "commits run from the work added since (the country profiles, their data package and values), "
                    "which the whole ratio includes. Under `dvc repro` every stage also pays a fresh Python process "
                    "importing pandas and pyarrow (and matplotlib for the figures); `make repro` forks each stage's "
                    "Python command from its stage server, which imports them once (since 2026-12-05; the Rebuilds "
                    "section times a cold rebuild both ways), so a stage there pays the project's own modules, and "
                    "a notebook stage papermill and its kernel (forked since 2026-12-05 from a kernel server of the "
                    "stage's, which holds pandas, matplotlib and ipykernel imported: CHANGELOG). Every stage pays "
                    "DVC's hashing of its dependencies and outputs (DVC's own column: under `dvc repro` it starts "
                    "and reads the whole pipeline for each stage; `make repro` keeps one DVC process for all of "
                    "them). Between a rebuild and its floor lie the stages that wait for one another: the report "
                    "stage runs alone, after every other (it writes each language's workbooks while it asks DVC for "
                    "the pipeline's state, then the pages, six pieces on two cores), and dvc.lock is written before "
                    "it and after it; a stage starts only when those it reads have ended; the first waits for the "
                    "stage server's imports; so at times one core has nothing to run. The "
                    "figures' PDFs embed their fonts without the OpenType layout tables a PDF does not use, which "
                    "fontTools otherwise subsets for every PDF (since 2026-12-04: the figures' drawing and "
                    "rendering 0.79× their CPU-seconds before; CHANGELOG). On this machine a fresh process also "
                    "pays for the memory it writes first beyond what another process freed just before it "
                    "(Machine: memory first written).",
    "No-op rebuild": "the Rebuilds section: DVC itself finds nothing to do in a project of one stage in about the "
                     "time `dvc version` takes (the smallest project's ratio), so what this project's no-op takes "
                     "beyond that is DVC's work per declared stage and path (the table of its parts): each stage's "
                     "read/write lock file (created, read, every declared path compared with every locked path, "
                     "rewritten, twice per stage), reading dvc.yaml and dvc.lock, checking each stage's files "
                     "against dvc.lock. All of it is DVC's code. The project declares fewer paths since "
                     "2026-12-06: each stage depends on one list of the modules it runs (pipeline/code_inputs/), "
                     "not on every module, which took dvc.lock from 937 entries to 404 and this ratio from 3.74× "
                     "to 2.57× (CHANGELOG). What is left is DVC's start-up (as long as `dvc version`'s) and its "
                     "work for 29 stages and their data and outputs; fewer still would mean the figures of a "
                     "chapter as one folder per language instead of 15 to 45 files, which would move the files "
                     "authors use, or fewer stages. The project's own command does meet it once DVC has found "
                     "nothing to do: `make repro` then keeps a record of every file that decision read and, while "
                     "none of them moves, says so from the record without asking DVC (the section's last rows, "
                     "pipeline/up_to_date.py); the first `make repro` after any change, and every `dvc repro`, "
                     "still pay DVC's no-op.",
    "Selective rebuild": "a stage outside the Brazil branch reads a Brazil parameter or output: narrow its "
                         "`params:`/`deps:` in dvc.yaml to the keys it really reads.",
    "SISDEPEN ingest per file": "the calamine read itself is the floor (our reader starts from its output); "
                                "above it, building the object block of the sheet and checking its types. The "
                                "per-file ratios in the section name the files over the target.",
    "SNEEP vs pandas, time": "the SNEEP section's paragraph on the work compares pandas' time with ours' floor (ours' "
                             "CPU-seconds on every core, its part processes included, ÷ the cores: no schedule of "
                             "that work is faster) and, where that floor is within reach, with the fastest schedule "
                             "the order of ours' steps allows: the steps after the parts need every part's rows, so "
                             "they run after the parts, in one process while the other core waits (the table of "
                             "steps times them). It says whether a better schedule could reach the target or only "
                             "less work could. Moving the conversion to pandas into the parts was measured (by hand, "
                             "2026-12-07, the 2-million-row file): each part turning its rows into codes of its own "
                             "sorted categories took 0.09 s, and joining the two parts' codes under the whole file's "
                             "categories 0.13 s: 0.22 s on the path, against 0.12-0.25 s for today's conversion (two "
                             "scripts) and 0.04 s for sorting the categories after it. At best 0.07 s off the path, "
                             "at worst 0.06 s on it; compare it with the work on that path the SNEEP section says the "
                             "target takes. The searches read the part's bytes "
                             "as fast as memory gives them (glibc's memmem measured no faster than Python's find: "
                             "0.05 s per search and part); since 2026-12-07 a part searches for the header only "
                             "where its parsed values leave a place for it, so a well-formed part makes one search, "
                             "not two. "
                             "The section also measures pyarrow's parse alone, called as our loader calls it, on both "
                             "cores (a limit row), and says whether that parse alone is within the target: no loader "
                             "built on pyarrow's CSV reader is faster than it. Above it, ours keeps its guarantees: "
                             "recovering the broken rows (their text parsed again and every reading checked), the "
                             "searches for a repeated header or body, the dialect sniff, passing the parts' tables "
                             "back and converting them to pandas; then the chapter's measures. The table of steps "
                             "under it times each as it runs. pyarrow parses on one thread per process: with parse "
                             "threads every broken row's callback into Python stalls them, so a large file is cut "
                             "into one part per core, which helps only as far as the machine gives a second core "
                             "(parallel headroom under Machine). polars as the parser was measured and cannot find "
                             "the broken rows (see the polars row below). pandas does less: it skips the broken rows "
                             "and gives the wrong count. The limit row 'ours without two of its guarantees' times "
                             "ours without the searches and the recovery: the ratio against pandas that those two "
                             "guarantees cost. pandas' time moves more between runs than ours: it writes 1.9 GiB of "
                             "fresh memory (first-write cost under Machine).",
    "SNEEP vs DuckDB single scan, time": "the SNEEP section's paragraph on the work compares DuckDB's time with ours' "
                                         "floor (ours' CPU-seconds on every core ÷ the cores): when DuckDB is below "
                                         "it, no schedule of ours' work meets the target, only less work. DuckDB "
                                         "parses on every core in one process and skips or shifts the broken rows; "
                                         "ours parses each part on one thread and recovers them. The SNEEP section's "
                                         "table of steps says where ours' time goes as it runs: the parts in parallel "
                                         "(pyarrow's parse, then the recovery of their broken rows, one in seven in "
                                         "this file), then, in one process, the conversion to pandas, the coding of "
                                         "years, genders and children, and the chapter's measures. pyarrow's parse "
                                         "alone (the limit row) is within DuckDB's time; the recovery and the steps "
                                         "in one process are what ours adds to it. The limit row 'ours without two of "
                                         "its guarantees' switches off the searches for a repeated header or body and "
                                         "the recovery: the section says what they cost and how the rest of ours "
                                         "compares with DuckDB. Meeting the target would take both guarantees for "
                                         "free, or a faster parse than pyarrow's on one thread per core. DuckDB as "
                                         "our parser was tried (DuckDB 2.0, the 2-million-row file, by hand): with "
                                         "`strict_mode=true` and `store_rejects=true` it set aside 13,277 rows as "
                                         "having too many columns and returned the other 275,532 broken rows shifted, "
                                         "as rows. Given four column names more than the header has, "
                                         "`null_padding=true` and a `nullstr` no field holds, it does find them "
                                         "(2026-12-05): a broken row has a value after the header's last column, a "
                                         "short row a null in it, and an empty field stays an empty text; it found "
                                         "the 288,809. But reading the 14 columns and those two as Arrow text took "
                                         "1.1 s on both cores, and setting the broken rows aside, dictionary-encoding "
                                         "the rest and converting it to pandas 0.8-0.9 s more (two runs after a "
                                         "first, slower one, right after the section above): 1.9-2.0 s before any "
                                         "recovery, coding of years and genders or measures, as long as ours with all "
                                         "of them (the section's table, same day): not faster, so not pursued. Each "
                                         "part's process is a fresh one, and on this machine the memory a fresh "
                                         "process writes first can cost seconds per GiB (Machine).",
    "SNEEP vs polars' plain scan (limit)": "the SNEEP section's paragraph on the work compares this limit with ours' "
                                           "floor (ours' CPU-seconds on every core ÷ the cores), as for the targets "
                                           "above. polars parses on every core and does no recovery, no checks and no "
                                           "measures; the row is a limit, not a contender (its answer is wrong). "
                                           "polars as our parser was measured (issue 17) and not adopted: its CSV "
                                           "reader cuts a row with too many fields to the header's width without "
                                           "saying which. Given more column names than the header has "
                                           "(`missing_columns='insert'`) it reads the extra fields, but a missing "
                                           "field and an empty one read alike (polars 2.1), so a broken row whose "
                                           "last field is empty (here the children field, empty for every man) looks "
                                           "well-formed: it cannot find the broken rows. Reading the file as lines "
                                           "and splitting them in polars (`str.splitn`, `split_exact`) took longer "
                                           "than our whole read before any recovery. The SNEEP section compares ours "
                                           "without its searches and recovery with this limit too: the parse, the "
                                           "conversion to pandas and the measures alone are over it.",
    "SNEEP vs pandas, peak memory": "the peak is the parse plus the broken rows' text held for recovery; "
                                    "recovery works on 64k rows at a time.",
    "SNEEP load grows linearly": "time is linear; a low R² on memory comes from the fixed ~250 MiB of "
                                 "imports dominating the small sizes and from run-to-run variation of the "
                                 "allocator.",
    "Profiles added to a cold rebuild": "the notebook stage is most of it: each profile's execution and HTML "
                                        "export on the machine's cores (see the rows above); a loaded machine gives "
                                        "the second core little (parallel headroom under Machine).",
    "Profiles: every country (`all`)": "as above, times the number of countries: on more cores the pool scales "
                                       "with them (one kernel per worker).",
    "Profiles: one country changed": "a profile's recorded input hash changed for another country: see "
                                     "pipeline/profiles/execute.py `jobs` for what the hash covers.",
    "make test": "the Test suite section: the suite has grown since (the user-path cases through `dvc repro`, the "
                 "adding-data guide, the README's experiment, the browser pages; the benchmark's smoke run is `make "
                 "test-bench` now, outside `make test`), and its "
                 "work in CPU-seconds with it; the whole ratio includes that work, the per-test ratio does not. The "
                 "three full rebuilds of before are one now: make test builds the clean copy the end-to-end tests "
                 "share first and gives this work tree its built files from it (since 2026-12-06; the work tree was "
                 "built apart before); the interruption is tested on one stage; the tests run on both "
                 "cores (xdist, and the two end-to-end sets as processes of their own beside the unit tests). What is "
                 "left is the work itself: the section's floors (CPU-seconds ÷ cores, and the machine's busy "
                 "core-seconds ÷ cores, which also counts the processes no parent waited for, such as Chromium's) are "
                 "what a perfect schedule would reach, and where they are above the target only fewer or cheaper "
                 "tests can meet it; the section's last line compares the target's core-seconds with that work. The "
                 "section's tables name the work by test file and by kind of process: most of it is the end-to-end "
                 "tests, each a rebuild or a `dvc repro` in a copy of the project as a user runs it (the shared clean "
                 "rebuild, before the tests; the user-path cases; the adding-data guide; the README's experiment), "
                 "which test what no unit test can, and in them the pipeline's stages and DVC itself. DVC's work per "
                 "stage is mostly dvc.lock's: after each stage it reads the whole file and writes it back with "
                 "ruamel.yaml's round-trip parser (py-spy on a `dvc repro` of 10 stages, 2026-12-06: 9.0 of the 15.6 s "
                 "sampled in the `dvc` process, 5.7 reading and 3.2 writing the 68 KB dvc.lock); DVC's code, growing "
                 "with the stages and paths dvc.yaml declares (the No-op rebuild target). The unit tests take their "
                 "files in the order tests/conftest.py gives, those that mostly wait first (since 2026-12-06); the "
                 "machine is busy about 97% of the time the three pytest processes run side by side either way "
                 "(/proc/stat), so no order shortens it. On this machine the memory each fresh process (a stage, a "
                 "`dvc repro` in a test) writes first beyond what another freed just before it costs time too "
                 "(Machine: memory first written).",
    "Notebook overhead": "the kernel start is a fixed cost (see above); the rest is the notebook's own work "
                         "and the HTML export: move heavy computation to its DVC stage and read its output.",
}


UNMET_HEADING = "## Targets not met: what would fix them"


def write(path: Path, sections: list[Section], *, quick: bool, started_load: list[str],
          seconds: float, command: str) -> None:
    targets = [t for s in sections for t in s.targets]
    unmet = [t for t in targets if not t.met]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{command}` on {datetime.date.today().isoformat()} in {seconds / 60:.1f} min. "
        "Do not edit by hand: rerun `make bench`. Benchmarks never fail CI; they say how fast a researcher's "
        "rerun is on this machine, side by side with what they would otherwise write.",
        "",
        *(["**Quick smoke mode: tiny sizes, one repetition — these figures say nothing about speed.**", ""]
          if quick else []),
        "## Machine",
        "",
        *started_load,
        f"- Load average when the run ended: {load_note()} (1, 5, 15 min). Other processes on this machine "
        "(for example other test or pipeline runs) compete for its cores: a load above 0 before the run "
        "means the figures are slower than on an idle machine.",
        "",
        "## Targets",
        "",
        "| Target | Wanted | Measured (median) | |",
        "|---|---|---|---|",
        *(t.row() for t in targets),
        "",
        f"{len(targets) - len(unmet)} of {len(targets)} targets met.",
        "",
    ]
    for section in sections:
        lines += [f"## {section.title}", "", *section.lines, ""]
    if unmet:
        lines += [UNMET_HEADING, ""]
        lines += [f"- **{t.name}** ({t.measured}; wanted {t.wanted}): {FIXES.get(t.name, '')}" for t in unmet]
        lines += [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def replace_section(path: Path, section: Section, *, command: str, seconds: float, conditions: str = "") -> None:
    """Put one measurement's section and target rows into an existing report (`python -m bench --only ...`),
    keeping every other measurement as it was: each target row where it stood, the count of targets met recounted,
    and a line under the report's opening saying which section was measured again, when, how, and under what load
    (`conditions`: the load and parallel headroom before and after, as the full run states them under Machine)."""
    lines = path.read_text().split("\n") if path.exists() else []
    if "## Targets" not in lines:
        raise RuntimeError(f"{path} has no targets table: run the full `make bench` first")
    # The section itself: replaced where it was, else before "Targets not met" (or at the end).
    heading = f"## {section.title}"
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        del lines[start:end]
    else:
        start = lines.index(UNMET_HEADING) if UNMET_HEADING in lines else len(lines)
    lines[start:start] = [heading, "", *section.lines, ""]
    # The target rows: each in its old place; a new one after the row of the section's target before it (else at
    # the end of the table).
    table_start = lines.index("## Targets") + 4

    def row_of(name: str) -> int | None:
        table_end = next(i for i in range(table_start, len(lines)) if not lines[i].startswith("|"))
        return next((i for i in range(table_start, table_end) if lines[i].startswith(f"| {name} |")), None)

    for number, target in enumerate(section.targets):
        old = row_of(target.name)
        if old is not None:
            lines[old] = target.row()
            continue
        previous = row_of(section.targets[number - 1].name) if number else None
        at = previous + 1 if previous is not None else \
            next(i for i in range(table_start, len(lines)) if not lines[i].startswith("|"))
        lines.insert(at, target.row())
    table_end = next(i for i in range(table_start, len(lines)) if not lines[i].startswith("|"))
    rows = lines[table_start:table_end]
    met = sum(1 for row in rows if row.endswith("| met |"))
    lines = [f"{met} of {len(rows)} targets met." if line.endswith("targets met.") else line for line in lines]
    lines = _unmet_from_table(lines)  # what would fix each target not met, as the table now stands
    # Under the opening paragraph: which sections were measured again since, one line each (the latest kept).
    note = (f"- Section \"{section.title}\" measured again by `{command}` on {datetime.date.today().isoformat()} "
            f"in {seconds / 60:.1f} min{f' ({conditions})' if conditions else ''}; the other sections are from the "
            "run above.")
    machine_at = lines.index("## Machine")
    opening = [line for line in lines[:machine_at] if not line.startswith(f"- Section \"{section.title}\"")]
    while opening and not opening[-1]:
        opening.pop()
    opening += ([] if opening[-1].startswith("- Section ") else [""]) + [note, ""]
    lines = opening + lines[machine_at:]
    path.write_text("\n".join(lines))


def _unmet_from_table(lines: list[str]) -> list[str]:
    """The list of targets not met, rewritten from the targets table and today's FIXES texts: one entry per target
    the table marks not met, in the table's order (a section measured again may have changed any of them)."""
    table_start = lines.index("## Targets") + 4
    table_end = next(i for i in range(table_start, len(lines)) if not lines[i].startswith("|"))
    entries = []
    for row in lines[table_start:table_end]:
        name, wanted, measured, verdict = (cell.strip() for cell in row.strip("|").split(" | "))
        if verdict != "met":
            entries.append(f"- **{name}** ({measured}; wanted {wanted}): {FIXES.get(name, '')}")
    if UNMET_HEADING in lines:
        start = lines.index(UNMET_HEADING)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        del lines[start:end]
    while lines and not lines[-1]:
        lines.pop()
    return [*lines, "", UNMET_HEADING, "", *entries, ""] if entries else [*lines, ""]
