"""`make repro`'s watchdog: when the runner (pipeline/repro.py) dies without stopping its stages, it stops them.

Each stage the runner starts runs in a process group of its own, so that Ctrl-C in the terminal reaches the runner
alone, which stops the stages itself. But a runner that cannot do that (killed with SIGKILL, by the kernel's
out-of-memory killer, or a CI job that kills its process group) would leave them running on their own: writing
outputs that dvc.lock never records, beside the next `make repro` that runs the same stage again (DVC drops a dead
process's read/write locks, so nothing holds it back).

The runner starts this process in a session of its own (a kill of the runner's process group does not reach it) and
writes to its standard input one line as each stage starts (`+GROUP NAME`: the stage's process group) and one as it
ends (`-GROUP`). When the runner ends, its end of the pipe closes, whatever ended it. If stages are still listed
then, the runner died with them running: each of their process groups gets SIGTERM, as the runner's own stop sends
it (a stage says in one line that it was interrupted and publishes nothing), this waits until their processes have
ended, and says in one line which stages it stopped. Only the standard library and psutil: it starts in a moment.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import psutil


def group_running(group: int) -> bool:
    """Whether a process of this process group is still running (one that has ended but was not yet waited for by
    its parent, a zombie, is not: it does nothing more, and a container's first process may never wait for it)."""
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, PermissionError):  # it ended meanwhile, or is another user's
            continue
    return False


def stopped_message(names: list[str]) -> str:
    """The watchdog's line: the stages it stopped, and that the runner's bookkeeping since dvc.lock was last written
    is lost (those stages run again)."""
    listed = ", ".join(f"'{name}'" for name in names)
    return (f"error: the rebuild's runner ended without stopping its stages (killed?): {listed} stopped before "
            f"finishing, {'their' if len(names) > 1 else 'its'} previous outputs unchanged; stages that finished "
            "since dvc.lock was last written run again — run `make repro` (or `dvc repro`) again to go on")


def watch(lines) -> dict[int, str]:
    """The stages still running when `lines` (the runner's messages) end: process group -> stage name."""
    running: dict[int, str] = {}
    for line in lines:
        sign, _, rest = line.rstrip("\n").partition(" ")
        if sign.startswith("+"):
            running[int(sign[1:])] = rest
        elif sign.startswith("-"):
            running.pop(int(sign[1:]), None)
    return running


def stop(running: dict[int, str]) -> None:
    """SIGTERM to each group, then SIGCONT (a stage stopped by Ctrl-Z acts on SIGTERM only once it runs again: the
    runner may have been killed while the build was suspended), then wait until none of their processes runs."""
    for signum in (signal.SIGTERM, signal.SIGCONT):
        for group in running:
            try:
                os.killpg(group, signum)
            except ProcessLookupError:  # it had ended
                pass
    while any(group_running(group) for group in running):
        time.sleep(0.05)


def main() -> None:
    # Its own session has no terminal; a hang-up or Ctrl-C sent to it by hand changes nothing: the runner decides.
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    running = watch(sys.stdin)
    if running:
        stop(running)
        try:
            print(stopped_message(sorted(running.values())), file=sys.stderr, flush=True)
        except OSError:  # the terminal is gone
            pass
        sys.exit(1)


if __name__ == "__main__":
    main()
