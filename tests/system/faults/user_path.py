"""The fault suite through the user's path: `dvc repro` in a built copy of the project, as a researcher runs it.

Each case changes what a user can change — a parameter, a hand-kept file, a file dropped into
data/manual/sneep/, a notebook, the pinned hash of a source, Ctrl-C — then runs `dvc repro` (the README's
command). The assertions are those of the user's experience: a non-zero exit, one clear message, no traceback,
and every file of the previous build byte-identical. The copy is the one rebuild of the test session (shared with the
end-to-end, interrupted-run and determinism tests, see faults.rebuild) and restored after each case: inputs from the copy's
own git commit, dropped files removed; a case whose upstream stage legitimately ran (the fetch of a user's file)
names those files and the copy is rebuilt to its previous state before the next case.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import rebuild

try:
    import sneep_generator  # tests/ is on sys.path under pytest
except ModuleNotFoundError:  # python -m tests.system.faults.report
    from tests import sneep_generator

# What a previous build is: every file under these folders, and dvc.lock (not data/interim/failed or logs, which
# are what a failed run leaves for the user to read).
BUILT = ("figures", "reports", "data/processed", "data/interim", "data/raw", "dvc.lock")
NOT_OUTPUTS = ("data/interim/failed/", "data/interim/logs/", "data/interim/cache/")  # not outputs: what a run leaves
MANUAL = Path("data/manual/sneep")


@dataclass(frozen=True)
class UserCase:
    id: str
    fault: str  # what the user did, in words
    prepare: Callable[[Path], None]  # changes the copy as the user would
    expect: tuple[str, ...]  # fragments of the one message
    may_change: tuple[str, ...] = ()  # files an upstream stage rightly rebuilt before the failing one
    records_may_change: tuple[str, ...] = ()  # stages whose record in dvc.lock (and nothing else of it) may change
    interrupt_after: str | None = None  # send Ctrl-C (SIGINT) once this stage starts
    dvc_message: bool = False  # DVC itself refuses the input (its own ERROR line), before any stage runs
    kept: str | None = None  # a file the failed run must leave for the user (the failed notebook)


@dataclass
class UserOutcome:
    case: UserCase
    returncode: int
    output: str  # stdout and stderr of `dvc repro`, as the user sees them
    changed: list[str] = field(default_factory=list)
    kept_exists: bool = True

    @property
    def messages(self) -> list[str]:
        """Our one-line messages ('error: ...'), or DVC's own ERROR lines for a case DVC refuses itself."""
        prefix = "ERROR:" if self.case.dvc_message else "error: "
        return [line for line in self.output.splitlines() if line.startswith(prefix)]


# ---- the cases ---------------------------------------------------------------------------------------------

def _edit(relative: str, old: str, new: str):
    def prepare(copy: Path) -> None:
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return prepare


def _resave_csv(relative: str, separator: str):
    """A hand-kept CSV saved again by a spreadsheet program that separates cells by `separator` (its list
    separator under Spanish or Portuguese settings), with a byte-order mark and CRLF line ends."""
    def prepare(copy: Path) -> None:
        import csv
        import io

        path = copy / relative
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8-sig")
    return prepare


def _edit_line(relative: str, number: int, edit: Callable[[str], str]):
    def prepare(copy: Path) -> None:
        path = copy / relative
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[number - 1] = edit(lines[number - 1])
        path.write_text("\n".join(lines), encoding="utf-8")
    return prepare


def _param(old: str, new: str):
    return _edit("params.yaml", old, new)


def _sneep_file(name: str, edit: Callable[[bytes], bytes] = lambda data: data, rows: int = 2000):
    def prepare(copy: Path) -> None:
        path = copy / MANUAL / name
        sneep_generator.write(path, "current", [2021, 2022], rows, seed=5, comma_names=False)
        path.write_bytes(edit(path.read_bytes()))
    return prepare


def _sparse_zeros(copy: Path) -> None:
    with open(copy / MANUAL / "sneep-2022.csv", "wb") as handle:
        handle.truncate(2 * 2**30)  # 2 GiB of zeros, sparse: no disk used


def _symlink_out(copy: Path) -> None:
    (copy / MANUAL / "sneep-2022.csv").symlink_to("/etc/passwd")


def _failing_cell(copy: Path) -> None:
    import nbformat

    path = copy / "notebooks" / "uruguay_observatory.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell('raise ValueError("a cell that fails, as a user\'s edit might")')
    cell.id = "failing-cell"
    notebook.cells.insert(5, cell)
    nbformat.write(notebook, path)


def _deep_latin1(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[-100] = lines[-100].replace("Varón".encode(), "Varón".encode("latin-1"))
    return b"\n".join(lines)


SNEEP_RAW = ("data/raw/sneep/", "dvc.lock")  # fetch_manual@sneep copies the user's file before ingest refuses it
# A notebook is a dependency of the `code` stage (it reads the notebook's imports to list the modules the notebook's
# stage runs): `code` reruns on the edited notebook, succeeds, and records it in dvc.lock; its lists are unchanged.
NOTEBOOK_EDITED = ("code",)

CASES: list[UserCase] = [
    UserCase("languages-unknown", "report.languages: [en, es, fr]", _param("languages: [en, es, pt]",
                                                                            "languages: [en, es, fr]"),
             ("params.yaml", "'report.languages' is 'fr'", "en, es, pt")),
    UserCase("notebook-cell-raises", "a cell that raises, added to the Uruguay notebook", _failing_cell,
             ("notebooks/uruguay_observatory.ipynb", "cell 6", "failed: ValueError: a cell that fails",
              "data/interim/failed/uruguay_observatory.ipynb"),
             kept="data/interim/failed/uruguay_observatory.ipynb", records_may_change=NOTEBOOK_EDITED),
    UserCase("brazil-base-period", "brazil.monitoring_base_period: \"2019-13\"",
             _param('monitoring_base_period: "2019-12"', 'monitoring_base_period: "2019-13"'),
             ("params.yaml", "brazil.monitoring_base_period", "2019-13", "2019-12")),
    UserCase("brazil-bad-regex", "an invalid regular expression in brazil.monitoring_pattern",
             _param('monitoring_pattern: "(?i)monitora|tornozel"', 'monitoring_pattern: "(?i)monitora|(tornozel"'),
             ("params.yaml", "brazil.monitoring_pattern", "not a valid regular expression")),
    UserCase("argentina-base-year", "argentina.growth_base_year: 1990",
             _param("growth_base_year: 2015", "growth_base_year: 1990"),
             ("params.yaml", "argentina.growth_base_year", "1990", "2015")),
    UserCase("min-cell-one", "disclosure.min_cell: 1 (would switch suppression off)",
             _param("min_cell: 5", "min_cell: 1"),
             ("params.yaml", "disclosure.min_cell", "greater than or equal to 3")),
    UserCase("region-typo", "unodc_prisons.region: Amercias", _param("region: Americas", "region: Amercias"),
             ("params.yaml", "unodc_prisons.region", "Amercias")),
    UserCase("params-duplicated-key", "a key given twice in params.yaml (DVC refuses the file itself)",
             _param("unodc_prisons:\n", "unodc_prisons:\n  region: Americas\n"), ("params.yaml",), dvc_message=True),
    UserCase("corrections-yaml-error", "a quote left open in data/corrections/unodc_prisons.yaml",
             _edit("data/corrections/unodc_prisons.yaml", "  reason: >-", "  reason: 'open"),
             ("data/corrections/unodc_prisons.yaml", "not valid YAML")),
    UserCase("corrections-misspelt-key", "'measure' misspelt in data/corrections/sisdepen.yaml",
             _edit("data/corrections/sisdepen.yaml", "  measure:", "  meassure:"),
             ("data/corrections/sisdepen.yaml", "unknown key 'meassure'")),
    UserCase("published-ragged-row", "a row of data/published/figures.csv with two cells too many",
             _edit_line("data/published/figures.csv", 3, lambda line: "x,y," + line),
             ("data/published/figures.csv", "row 3", "18 fields where the header has 16")),
    UserCase("translation-unquoted-comma", "a translation whose commas are left unquoted (an author's edit)",
             _edit("data/translations.csv", '"counts Brazil\'s offence records, not people","cuenta registros de delitos '
                   'de Brasil, no personas","conta registros de crimes do Brasil, não pessoas"',
                   "counts Brazil's offence records, not people,cuenta registros de delitos de Brasil, no personas,"
                   "conta registros de crimes do Brasil, não pessoas"),
             ("data/translations.csv", "7 fields where the header has 4", "quote values that contain commas")),
    UserCase("translation-empty-cell", "a Spanish text left empty in data/translations.csv (an author's edit)",
             _edit("data/translations.csv", ",recuento repetido del año anterior,", ",,"),
             ("data/translations.csv", "row ", "key 'quality.unodc.repeated' has no 'es' text",
              "fill the 'es' column of 'quality.unodc.repeated'")),
    UserCase("translation-hole-dropped", "a number's hole dropped from a Spanish text (an author's edit)",
             _edit("data/translations.csv", '"el mismo recuento, {0}, en {1} y {2}"',
                   '"el mismo recuento, {0}, en {1}"'),
             ("data/translations.csv", "row ", "the 'es' text of key 'quality.unodc.evidence.repeated' has the holes "
              "{0}, {1}, the English {0}, {1}, {2}", "write every hole of the English text in the 'es' text")),
    UserCase("translation-semicolons", "the translation table saved by a spreadsheet under Spanish settings (';' "
             "between cells)", _resave_csv("data/translations.csv", ";"),
             ("data/translations.csv", "row 1", "separated by ';' where commas are expected")),
    UserCase("source-pin-changed", "the pinned SHA-256 of a source edited in data/sources.yaml",
             _edit("data/sources.yaml", "sha256: 1c3b65eef5fed0d947d9b68eca51ef6dd30d2a776d1c441c52ec5bc645c7abfc",
                   "sha256: 1c3b65eef5fed0d947d9b68eca51ef6dd30d2a776d1c441c52ec5bc645c7abfd"),
             ("10.1_Drug_related_crimes.xlsx", "SHA-256 mismatch", "same size as the pinned file"),
             # The fetch stages depend on data/sources.yaml as a file: each reruns, and those before the failing one
             # record the edited file's hash in dvc.lock (their files are verified again, unchanged).
             may_change=("dvc.lock",)),
    UserCase("sneep-zeros", "a 2 GiB file of zeros saved as data/manual/sneep/sneep-2022.csv", _sparse_zeros,
             ("data/manual/sneep/sneep-2022.csv", "NUL bytes")),
    UserCase("sneep-symlink", "a link to /etc/passwd dropped into data/manual/sneep/", _symlink_out,
             ("data/manual/sneep/sneep-2022.csv", "symbolic link to /etc/passwd")),
    UserCase("sneep-latin1-row", "a census file with one latin-1 row deep inside UTF-8",
             _sneep_file("sneep-2022.csv", _deep_latin1, rows=15_000), ("data/manual/sneep/sneep-2022.csv", "not valid UTF-8"),
             may_change=SNEEP_RAW),
    UserCase("sneep-year-typo", "a census year typed 2O22", _sneep_file(
        "sneep-2022.csv", lambda data: data.replace(b"\n2022,", b"\n2O22,", 1)),
             ("data/manual/sneep/sneep-2022.csv", "'2O22' is not a year"), may_change=SNEEP_RAW),
    UserCase("sneep-body-twice", "a census file whose rows were pasted twice",
             _sneep_file("sneep-2022.csv", lambda data: data + data.split(b"\n", 1)[1]),
             ("data/manual/sneep/sneep-2022.csv", "appear again", "twice"), may_change=SNEEP_RAW),
    UserCase("interrupted", "Ctrl-C while a notebook stage runs (after an edit of its notebook)",
             _edit("notebooks/uruguay_observatory.ipynb", "# Uruguay: women in prison", "# Uruguay: women in prisons"),
             ("interrupted",), interrupt_after="uruguay_notebook", records_may_change=NOTEBOOK_EDITED),
]


# ---- running a case ----------------------------------------------------------------------------------------

def snapshot(copy: Path) -> dict[str, str]:
    files = {}
    for part in BUILT:
        root = copy / part
        for path in ([root] if root.is_file() else sorted(root.rglob("*"))):
            name = path.relative_to(copy).as_posix()
            if path.is_file() and not name.startswith(NOT_OUTPUTS):
                files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def dvc(copy: Path, *args: str, interrupt_after: str | None = None) -> tuple[int, str]:
    """`dvc ARGS` in the copy, as a user runs it; with `interrupt_after`, Ctrl-C (SIGINT to the whole process
    group, as a terminal sends it) a few seconds after that stage starts."""
    command = [str(Path(sys.executable).with_name("dvc")), *args]
    if interrupt_after is None:
        done = subprocess.run(command, cwd=copy, env=rebuild.environment(), capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr
    for log in (copy / "data" / "interim" / "logs").glob("kernel-*.log"):  # the stage's own appears when it runs
        log.unlink()
    # Ctrl-C as a terminal delivers it: SIGINT's default action restored, in case this test itself was started
    # with SIGINT ignored (a background job of a non-interactive shell is), which every child would inherit.
    process = subprocess.Popen(command, cwd=copy, env=rebuild.environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Running stage") and f"'{interrupt_after}'" in line:
            _wait_for_the_kernel(copy, interrupt_after, process)
            os.killpg(process.pid, signal.SIGINT)
    lines.append(process.stdout.read())
    return process.wait(), "".join(lines)


def _wait_for_the_kernel(copy: Path, stage: str, process: subprocess.Popen, limit: float = 180) -> None:
    """Until the notebook stage's kernel has started (the runner opens its kernel log then), plus a moment: a
    Ctrl-C then lands mid-notebook, whatever the machine's load, not while Python is still importing."""
    notebook = stage.removesuffix("_notebook")
    started, logs = time.time(), copy / "data" / "interim" / "logs"
    while time.time() - started < limit and process.poll() is None and not any(logs.glob(f"kernel-{notebook}*.log")):
        time.sleep(0.1)
    time.sleep(rebuild.SECONDS_INTO_THE_STAGE / 3)


def execute(case: UserCase, copy: Path, baseline: dict[str, str]) -> UserOutcome:
    lock_before = (copy / "dvc.lock").read_text(encoding="utf-8")
    case.prepare(copy)
    returncode, output = dvc(copy, "repro", interrupt_after=case.interrupt_after)
    after = snapshot(copy)
    changed = sorted(name for name in baseline.keys() | after.keys() if baseline.get(name) != after.get(name)
                     and not name.startswith(case.may_change))
    if "dvc.lock" in changed and _records_apart(lock_before, (copy / "dvc.lock").read_text(encoding="utf-8"),
                                                case.records_may_change):
        changed.remove("dvc.lock")
    kept = (copy / case.kept).is_file() if case.kept else True
    restore(copy, baseline, case)
    return UserOutcome(case, returncode, output, changed, kept)


def _records_apart(before: str, after: str, stages: tuple[str, ...]) -> bool:
    """Whether two texts of dvc.lock differ only in the records of `stages` (none: whether they are equal)."""
    import yaml

    if not stages:
        return before == after
    records = [yaml.safe_load(text) for text in (before, after)]
    for record in records:
        for stage in stages:
            record["stages"].pop(stage, None)
    return records[0] == records[1]


def restore(copy: Path, baseline: dict[str, str], case: UserCase) -> None:
    """The copy as it was before the case: inputs from its git commit, dropped files and what a failed run
    leaves removed; where an upstream stage ran on the user's file, run it again on the restored inputs."""
    subprocess.run(["git", "checkout", "--", "."], cwd=copy, check=True, capture_output=True)
    for path in (copy / MANUAL).iterdir():
        if path.name != "README.md":
            path.unlink()
    for folder in NOT_OUTPUTS:
        subprocess.run(["rm", "-rf", str(copy / folder)], check=True)
    if snapshot(copy) != baseline:
        returncode, output = dvc(copy, "repro")
        assert returncode == 0, f"the copy could not be restored after {case.id}:\n{output[-3000:]}"
    assert snapshot(copy) == baseline, f"the copy differs from the previous build after restoring {case.id}"
