"""`dvc repro` on every core: the stages that are out of date, independent ones side by side (`make repro`).

    python -m pipeline.repro             # what `dvc repro` would run, two stages at a time on two cores
    python -m pipeline.repro --jobs 1    # one stage at a time, each after the stages it depends on
    python -m pipeline.repro --new-processes   # every command a new process, as `dvc repro` starts it

DVC runs one stage at a time (its maintainers call a parallel `repro` unsupported). This runner asks DVC which
stages are out of date (their `status`), adds every stage downstream of them, and starts each one as soon as every
stage it depends on has finished, at most `--jobs` at once. It is one process holding DVC's own stage objects, and
it does for each stage what `dvc repro` does, with DVC's own code: when the stage's turn comes, it is skipped if DVC
finds it unchanged (an upstream stage may have rebuilt the same bytes); else its dependencies are hashed, its
command runs in DVC's shell and environment (a `bin/python -m …` command with that environment in a process forked
from the stage server, which has imported the libraries every stage imports: pipeline/stage_server.py), and once the
command succeeds its dependencies, outputs and parameters are hashed and recorded in dvc.lock. DVC's repository lock
is held only for that bookkeeping, never while commands run (as `dvc repro` itself releases it), and each running
stage holds DVC's read/write lock on its dependencies and outputs. So the outputs and dvc.lock are the ones `dvc
repro` gives, byte for byte, without what DVC repeats for every stage: a `dvc` process started and the whole
pipeline read (about 1.4 CPU-seconds a stage), and dvc.lock read and written again (about half a second: it is
written once for all the stages recorded so far, before the report stage and at the end, even after a failure or
Ctrl-C; see Recorder).

When a stage fails, no other stage starts; those running finish and are recorded; the exit status is the failed
stage's and its message is the last one printed. Each stage runs in a process group of its own, so Ctrl-C in the
terminal (or its hang-up, when it is closed) reaches this runner alone: it stops the running stages with SIGTERM
(each says in one line that it was interrupted), waits until every process of theirs has ended, records nothing of
theirs, says in one line of its own which stages it stopped and that those that finished are recorded
(`stopped_message`), and exits 130. If the runner itself is killed (SIGKILL, the out-of-memory killer, a kill of its
process group), its watchdog (pipeline/repro_watchdog.py, a process in a session of its own) stops the stages that
were running in the same way, waits for them, and says so in one line. Ctrl-Z suspends the rebuild as it suspends
any command: the terminal stops the runner's group, and the runner stops the stages' groups, which the terminal
does not reach, then itself; `fg` (or `bg`) continues the runner, which continues them (`suspend`). The report
stage runs alone and last (ALONE):
it states whether every other stage is up to date, so it starts once every other stage has finished.

When DVC finds nothing to do, the runner keeps a record of every file that decision read, as each stood; the next
run, while none of them has moved, says so from the record without asking DVC (pipeline/up_to_date.py).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from pipeline import paths, repro_watchdog, stage_server, up_to_date
from pipeline.errors import Interrupted, PipelineError, cli
from pipeline.report import state

# Stages that run last, with no other stage beside them: the report asks DVC for every other stage's status (which
# needs DVC's repository lock and every stage's read lock, so nothing may be running or recorded meanwhile) and
# states it in the briefing pack, so every other stage must have run before it (a stage it does not depend on, such
# as the codebook, too: before this, a rerun could leave the pack saying the codebook was out of date).
ALONE = {state.STAGE}
# The process groups of the stages' commands running now, which Ctrl-Z must stop too (`suspend`).
RUNNING_GROUPS: set[int] = set()
# What a no-op `make repro` says when it did not need to ask DVC (pipeline/up_to_date.py).
NO_FILE_CHANGED = ("Data and pipelines are up to date: no file has changed since DVC last found nothing to do "
                   "(`dvc status` asks DVC again).")
# The exit status `dvc` gives when DVC itself refuses (a missing dependency, a lock held by another DVC command).
DVC_FAILED = 255


def plan(repo) -> tuple[list, dict[str, set[str]]]:
    """The stages to run (DVC's stage objects), upstream first (a topological order of DVC's graph), and each one's
    upstream stages among them (by name)."""
    import networkx as nx

    graph = repo.index.graph  # edges go from a stage to the stages it depends on
    stale = {stage for stage in graph if stage.status()}
    run = stale.union(*(nx.ancestors(graph, stage) for stage in stale))  # ancestors: the stages downstream
    order = [stage for stage in reversed(list(nx.topological_sort(graph))) if stage in run]
    upstream = {stage.addressing: {dep.addressing for dep in nx.descendants(graph, stage) if dep in run}
                for stage in order}
    return order, upstream


class Running:
    """One stage's commands running one after another, with DVC's read/write lock on its files held until they end."""

    def __init__(self, stage, locks: ExitStack, watchdog: Watchdog | None = None,
                 server: stage_server.Server | None = None):
        self.stage, self.locks, self.watchdog, self.server = stage, locks, watchdog, server
        self.commands = _commands(stage)
        self.command = ""
        self.process: subprocess.Popen | None = None
        self._next()

    def _next(self) -> None:
        from dvc.stage.run import _make_cmd, get_executable, prepare_kwargs

        self.command = self.commands.pop(0)
        print(f"> {self.command}", flush=True)
        # A process group of its own: Ctrl-C in the terminal reaches this runner alone, which stops the stage with
        # SIGTERM (stop), waits for it, and is the one to say that the rebuild stopped.
        kwargs = prepare_kwargs(self.stage)
        module = stage_server.python_command(self.command, kwargs["cwd"]) if self.server else None
        if self.process is not None:
            RUNNING_GROUPS.discard(self.process.pid)
        self.process = None
        if module is not None:  # `bin/python -m …`: forked from a process that has imported its libraries
            try:  # held until the watchdog knows its process group (a runner killed before then leaves nothing)
                self.process = self.server.start(module, kwargs["cwd"], kwargs["env"], held=True)
            except OSError:  # the server has ended (it failed, or was killed): a new process, as `dvc repro` starts
                self.process = None
        if self.process is None:
            self.process = subprocess.Popen(_make_cmd(get_executable(), self.command), process_group=0, **kwargs)
        RUNNING_GROUPS.add(self.process.pid)
        if self.watchdog is not None:
            self.watchdog.started(self.process.pid, self.stage.addressing)
        if isinstance(self.process, stage_server.Forked):
            try:
                self.process.release()
            except OSError:  # the server ended meanwhile: the held process ends with it; its status says so
                pass

    def poll(self) -> int | None:
        """The stage's exit status once its last command has ended or one failed, else None."""
        status = self.process.poll()
        if status == 0 and self.commands:
            self._next()
            return None
        return status

    def stop(self) -> None:
        """SIGTERM to the stage's process group (its shell and its command; their pool workers leave it to them): a
        `pipeline` command stops as its `cli` says, or as `pipeline.interrupt` says while still importing its
        modules (one line, nothing published). Then SIGCONT, as a shell's `kill` sends it to a stopped job: a stage
        stopped by hand (or by Ctrl-Z, `suspend`) acts on SIGTERM only once it runs again."""
        signal_groups([self.process.pid], signal.SIGTERM, signal.SIGCONT)

    def wait(self) -> None:
        """Until every process of the stage has ended: its shell, and the command that shell started if it did not
        hand its own process over (dash, the usual /bin/sh, does not), with the command's pool workers."""
        self.process.wait()
        while repro_watchdog.group_running(self.process.pid):
            time.sleep(0.05)

    def release(self) -> None:
        RUNNING_GROUPS.discard(self.process.pid)
        if self.watchdog is not None:
            self.watchdog.ended(self.process.pid)
        self.locks.close()


class Watchdog:
    """The process that stops the running stages if this runner dies without stopping them (pipeline/repro_watchdog.py):
    started in a session of its own, told each stage's process group as it starts and ends, and ended when this
    runner closes its standard input."""

    def __init__(self):
        # Run as a file, isolated (-I: no folder of the project's on its path): it needs nothing of the project's.
        self.process = subprocess.Popen([sys.executable, "-I", repro_watchdog.__file__], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, text=True, start_new_session=True)

    def started(self, group: int, name: str) -> None:
        self._tell(f"+{group} {name}")

    def ended(self, group: int) -> None:
        self._tell(f"-{group}")

    def _tell(self, line: str) -> None:
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except OSError:  # it is gone (stopped by hand): the runner goes on without it
            pass

    def close(self) -> None:
        """Every stage has ended and been told: the watchdog ends with nothing to do."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()

    def __enter__(self) -> Watchdog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def signal_groups(groups, *signums: int) -> None:
    """Each signal of `signums`, in turn, to each process group of `groups` (one that has ended is passed over)."""
    for signum in signums:
        for group in groups:
            try:
                os.killpg(group, signum)
            except ProcessLookupError:  # it had ended
                pass


def suspend(signum, frame) -> None:
    """Ctrl-Z (SIGTSTP), or a `kill -TSTP`. The terminal sends it to its foreground process group (make, this runner,
    the stage server), which stops; the stages run in process groups of their own (so that Ctrl-C reaches this
    runner alone), which it does not reach, so they would run on while the shell says the build is stopped. This
    stops them (SIGSTOP: a stage's group has no parent in its session, and the kernel discards a SIGTSTP sent to such
    a group), then this runner; when the shell continues it (`fg`, `bg`, or the kernel's SIGCONT after a hang-up),
    it continues them, even if another signal (`kill %1`: SIGTERM) ends its wait with an exception."""
    groups = sorted(RUNNING_GROUPS)
    signal_groups(groups, signal.SIGSTOP)
    try:
        os.kill(os.getpid(), signal.SIGSTOP)  # returns once this runner is continued
    finally:
        signal_groups(groups, signal.SIGCONT)


def _commands(stage) -> list[str]:
    return list(stage.cmd) if isinstance(stage.cmd, list) else stage.cmd.splitlines()


def _file_lock(repo, stage) -> ExitStack:
    """DVC's read/write lock (.dvc/tmp/rwlock) on the stage's dependencies (read) and outputs (write), named after
    the stage so that two stages of this process reading one file (params.yaml) hold it apart."""
    from dvc.rwlock import rwlock

    locks = ExitStack()
    locks.enter_context(rwlock(repo.tmp_dir, repo.fs, f"{' '.join(sys.argv)} ({stage.addressing})",
                               [dep.fs_path for dep in stage.deps], [out.fs_path for out in stage.outs],
                               repo.config["core"].get("hardlink_lock", False)))
    return locks


def in_git_repository() -> bool:
    """Whether the project is in a git work tree (its folder or one above it holds `.git`, where DVC looks)."""
    return any((folder / ".git").exists() for folder in (paths.ROOT, *paths.ROOT.parents))


def builds_running() -> list[str]:
    """The other processes that hold DVC's read/write lock on a stage's files (a `make repro` or `dvc repro` running
    in this project), each as 'process PID: its command (its stage)'. DVC itself drops a process that has ended from
    the lock when it next takes it; one still listed but ended is left out here too."""
    import psutil

    try:
        lock = json.loads(paths.dvc_rwlock().read_text(encoding="utf-8"))
        holders = [*lock.get("write", {}).values(),
                   *(info for infos in lock.get("read", {}).values() for info in infos)]
        running = {(int(info["pid"]), str(info["cmd"])) for info in holders}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # none, or not as DVC writes it
        return []
    return [f"process {pid}: {command}" for pid, command in sorted(running)
            if pid != os.getpid() and psutil.pid_exists(pid)]


def dvc_error(error: Exception) -> PipelineError:
    """DVC's refusal as one message: another build holding DVC's locks (which process, which stage), the folder not
    being a git repository (a download of the project's files, not a clone: DVC needs git) with the two ways out, any
    other with DVC's first line."""
    from dvc.lock import LockError
    from dvc.scm import SCMError

    if isinstance(error, LockError):  # DVC's read/write lock on a stage's files, or its lock on the repository
        running = builds_running()
        return PipelineError("another build is running in this project"
                             + (f" ({'; '.join(running)})" if running else "")
                             + ", and DVC lets one command at a time write the stages' files",
                             fix="wait for it to end (or stop it), then run `make repro` again")
    if isinstance(error, SCMError) and not in_git_repository():
        return PipelineError(f"{paths.ROOT} is not a git repository, and DVC needs one (a download of the project's "
                             "files, such as a 'Download ZIP', is not a clone)",
                             fix="clone the project with `git clone`, or make this folder a repository: `git init && "
                                 "git add -A && git commit -m 'the project as downloaded'`; then `make repro` again")
    return PipelineError(f"DVC: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
                         file=paths.DVC_YAML, fix="run `dvc repro` to see DVC's own message")


def run(jobs: int, fork: bool = True) -> int:
    """Run the stages out of date, `jobs` at a time (a `bin/python -m` command forked from the stage server when
    `fork`); the exit status of the first that failed, else 0."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo, lock_repo

    began = up_to_date.now()
    # Started first: its imports run while DVC reads the pipeline and checks the stages (ended at once, unused, when
    # no stage's command is one it can fork).
    server = stage_server.Server() if fork else None
    try:
        with Repo(str(paths.ROOT)) as repo:
            with lock_repo(repo):
                order, upstream = plan(repo)
                if not order:  # kept so that the next run can say so without asking DVC (pipeline.up_to_date)
                    up_to_date.record(paths.up_to_date_record(), up_to_date.dvc_inputs(repo), began)
            if not order:
                print("Data and pipelines are up to date.")
                return 0
            up_to_date.forget(paths.up_to_date_record())
            if server is not None and not any(stage_server.python_command(command, stage.wdir)
                                               for stage in order for command in _commands(stage)):
                server.close()
                server = None
            recorder = Recorder(repo, lock_repo)
            previous = signal.signal(signal.SIGTSTP, suspend)  # Ctrl-Z stops the stages too
            try:
                with Watchdog() as watchdog:
                    start = lambda stage: _start(repo, lock_repo, stage, watchdog, server)  # noqa: E731
                    return schedule(order, upstream, jobs, start=start, record=recorder.record, flush=recorder.flush)
            finally:
                signal.signal(signal.SIGTSTP, previous)
    except DvcException as error:
        raise dvc_error(error) from None
    finally:
        if server is not None:
            server.close()


def schedule(order: list, upstream: dict[str, set[str]], jobs: int, start, record, flush) -> int:
    """Start each stage of `order` once the stages it depends on are done, at most `jobs` at once: `start(stage)`
    gives a running stage (None: skipped, nothing to do), `record(running)` runs once its command succeeded, and
    `flush()` writes what was recorded to dvc.lock: before a stage that runs alone starts, and at the end whatever
    happened (a failure, Ctrl-C). The exit status of the first stage that failed, else 0."""
    from dvc.exceptions import DvcException

    running: dict[str, Running] = {}
    done: set[str] = set()
    failed: int = 0
    try:
        while order or running:
            while not failed and len(running) < jobs and not running.keys() & ALONE:
                # A stage that runs alone runs last: it waits until every other stage has finished (but those
                # downstream of it), and those that are ready meanwhile start before it.
                ready = next((stage for stage in order if upstream[stage.addressing] <= done
                              and not (stage.addressing in ALONE and (running or any(
                                  stage.addressing not in upstream[other.addressing]
                                  for other in order if other is not stage)))), None)
                if ready is None:
                    break
                order.remove(ready)
                if ready.addressing in ALONE:
                    flush()  # it reads dvc.lock (the report asks DVC for every other stage's status)
                try:
                    started = start(ready)
                except DvcException as error:
                    print(f"ERROR: failed to reproduce '{ready.addressing}': {error}", file=sys.stderr, flush=True)
                    failed = DVC_FAILED
                    break
                if started is None:
                    done.add(ready.addressing)
                else:
                    running[ready.addressing] = started
            if failed and not running:
                break
            time.sleep(0.05)
            for name, stage in list(running.items()):
                status = stage.poll()
                if status is None:
                    continue
                del running[name]
                stage.release()
                if status:
                    print(f"ERROR: failed to reproduce '{name}': failed to run: {stage.command}, exited with "
                          f"{status}", file=sys.stderr, flush=True)
                    failed = failed or status
                    continue
                try:
                    record(stage)
                except DvcException as error:  # DVC refuses to record it (an output the command did not write)
                    print(f"ERROR: failed to reproduce '{name}': {error}", file=sys.stderr, flush=True)
                    failed = failed or DVC_FAILED
                    continue
                done.add(name)
    except BaseException as stop:  # Ctrl-C or SIGTERM, which reach this runner only: the stages are stopped (SIGTERM)
        for stage in running.values():  # no stage starts, none is recorded, none is left unwatched
            stage.stop()
        for stage in running.values():
            stage.wait()
            stage.release()
        if isinstance(stop, (KeyboardInterrupt, Interrupted)):  # each stage said it was interrupted; this says the rest
            raise Interrupted(stopped_message(sorted(running), len(done))) from None
        raise
    finally:
        flush()  # the stages that finished are in dvc.lock, whatever stopped the others
    return failed


def stopped_message(stopped: list[str], finished: int) -> str:
    """The runner's line when Ctrl-C (or SIGTERM, SIGHUP) stopped the rebuild: the stages it stopped, and that those
    that had finished stay recorded, so that running it again goes on from there."""
    names = ", ".join(f"'{name}'" for name in stopped)
    return ("the rebuild was stopped"
            + (f": {names} stopped before finishing, {'their' if len(stopped) > 1 else 'its'} previous outputs "
               "unchanged" if stopped else "")
            + (f"; the {finished} stage(s) that finished or were up to date are recorded in dvc.lock"
               if finished else "")
            + " — run `make repro` (or `dvc repro`) again to go on")


def _start(repo, lock_repo, stage, watchdog: Watchdog | None = None,
           server: stage_server.Server | None = None) -> Running | None:
    """Start `stage`'s command, as `dvc repro --single-item` would; None when DVC finds it unchanged (skipped)."""
    with lock_repo(repo):
        if not stage.changed():
            print(f"Stage '{stage.addressing}' didn't change, skipping", flush=True)
            return None
        stage.save_deps()  # as DVC does before the command: a missing dependency stops it here
        print(f"Running stage '{stage.addressing}':", flush=True)
        locks = _file_lock(repo, stage)
    try:
        return Running(stage, locks, watchdog, server)
    except BaseException:
        locks.close()
        raise


class Recorder:
    """What `dvc repro` records once a stage's command has succeeded: its dependencies, outputs and parameters hashed
    (no run cache: every output is `cache: false`) at once, and its entry in dvc.lock when `flush` is called.

    DVC rewrites the whole of dvc.lock for each stage it records: read with ruamel.yaml's round-trip parser, the
    stage's entry updated, written again (in pure Python: about half a second for this project's 68 kB, 29 times in
    a cold rebuild, the largest part of DVC's bookkeeping; a second for the 128 kB before each stage listed its code
    in one file, pipeline/code_inputs/). Here the entries are written together, when the report stage
    needs them and at the end, and the parsed file is kept between two writes (`LockDocument`): the report's entry
    is added to what was written before it, without reading it again."""

    def __init__(self, repo, lock_repo):
        self.repo, self.lock_repo, self.pending = repo, lock_repo, []
        self.documents: dict[str, LockDocument] = {}

    def record(self, running: Running) -> None:
        with self.lock_repo(self.repo):
            running.stage.save(run_cache=False)
            running.stage.commit()
        self.pending.append(running.stage)

    def flush(self) -> None:
        from dvc.dvcfile import check_dvcfile_path

        if not self.pending:
            return
        with self.lock_repo(self.repo):
            by_file: dict[str, list] = {}
            for stage in self.pending:
                by_file.setdefault(stage.dvcfile.path, []).append(stage)
            for path, stages in by_file.items():
                if stages[0].dvcfile.verify:  # as DVC checks before it writes a pipeline file's lock file
                    check_dvcfile_path(self.repo, path)
                lock_path = os.path.splitext(path)[0] + ".lock"  # as DVC names it
                document = self.documents.setdefault(lock_path, LockDocument(self.repo, lock_path))
                document.dump_stages(stages)
        self.pending = []


class LockDocument:
    """A lock file as DVC's `Lockfile.dump_stages` writes it, with DVC's own functions: the file parsed with DVC's
    round-trip parser (`parse_yaml_for_update`), the stages' entries (`serialize.to_lockfile`) put in, the whole
    written with DVC's `dump_yaml`. The parsed document is kept after a write and used for the next one as long as the
    file still holds exactly what was written (anything else, such as another DVC command, and it is parsed again), so
    the bytes are those DVC writes (tests/system/test_pipeline_e2e.py compares a rebuild's dvc.lock with the
    committed one)."""

    def __init__(self, repo, path: str):
        self.repo, self.path = repo, path
        self.data, self.written = None, None

    def dump_stages(self, stages: list) -> None:
        from dvc.stage import serialize
        from dvc.utils import relpath
        from dvc.utils.serialize import dump_yaml, parse_yaml_for_update

        text = Path(self.path).read_text(encoding="utf-8") if os.path.exists(self.path) else None
        if self.data is None or text != self.written:
            self.data = parse_yaml_for_update(text, self.path) if text is not None else {}
        data = self.data
        if not data:
            data.update({"schema": "2.0"})
        data["stages"] = data.get("stages", {})
        modified = False
        for stage in stages:
            entry = serialize.to_lockfile(stage)
            modified = modified or data["stages"].get(stage.name, {}) != entry.get(stage.name, {})
            data["stages"].update(entry)
        dump_yaml(self.path, data, fs=self.repo.fs)
        self.written = Path(self.path).read_text(encoding="utf-8")
        if modified:
            self.repo.scm_context.track_file(relpath(self.path))


@cli
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", "-j", type=int, default=len(os.sched_getaffinity(0)),
                        help="stages at once (default: the cores this process may use)")
    parser.add_argument("--new-processes", action="store_true",
                        help="start every stage's command as a new process, as `dvc repro` does (default: a "
                             "`pipeline` command is forked from a process that has imported its libraries)")
    args = parser.parse_args(argv)
    jobs = args.jobs
    if jobs < 1:
        raise PipelineError(f"--jobs {jobs}: at least one stage must run at a time", fix="give --jobs 1 or more")
    if up_to_date.unchanged(paths.up_to_date_record()) is not None:
        print(NO_FILE_CHANGED)
        return
    check_shared_inputs()
    check_registry()
    sys.exit(run(jobs, fork=not args.new_processes))


def check_shared_inputs() -> None:
    """The inputs many stages read, checked once before any stage starts, so that a mistake in one is one message, not
    one from each stage running beside another: the translation table, params.yaml (every section against its
    model, and the languages against the table) and the citation (CITATION.cff, data/sources.yaml). Checks that need
    a stage's data stay in that stage (0.1 s with the imports they need)."""
    from pipeline import citation, i18n, params  # here, not at the top: a no-op `make repro` needs none of them
    from pipeline.settings import Report  # (pipeline.up_to_date)

    i18n.load()
    sections = params.read_all(log=False)  # not a stage: its reads are not logged as one's (tests/system)
    i18n.check_languages(sections[Report.SECTION])
    citation.read()



def check_registry() -> None:
    """The registry of published figures (data/published/figures.csv), checked once before any stage starts: four
    stages read it (its ingest and three chapters), two of which may run side by side, and a mistake in it (a file
    saved by a spreadsheet with ';' between cells, a decimal comma) would be one message from each. Not one of the
    shared inputs the changes report needs: the report reads the long table, not the registry. 0.5 s (pandas)."""
    from pipeline.sources import published  # here, not at the top: a no-op `make repro` needs no pandas

    published.load(paths.PUBLISHED_FIGURES)


if __name__ == "__main__":
    main()
