"""The signals of a command started from a terminal, for the tests that send it Ctrl-C or a hang-up."""

from __future__ import annotations

import signal


def as_a_terminal_command() -> None:
    """A `preexec_fn`: Ctrl-C and hang-up at their defaults, as a terminal's command has them. A process started from
    a pytest-xdist worker or a background job has Ctrl-C ignored, one started under `nohup` (a CI job, say) the
    hang-up, and a process either starts inherits that."""
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
