"""Progress on a terminal for long runs: one live status line per stage, silence everywhere else.

Commands wrap their stages in :func:`progress`::

    with progress() as shown:
        with shown.stage("loading descriptors"):
            catalog = load(...)
        with shown.stage("precomputing blast radius") as stage:
            for done, item in enumerate(items, 1):
                stage.advance(done, len(items))

The line goes to stderr (never stdout, so piped results stay clean) and only when stderr is a
terminal, ``CI`` is unset and the command says its output is not machine-readable (``--format
json`` and friends) and not quiet (``-q``); otherwise every call is a no-op. The line is
transient: it disappears when the run ends, so a fast run leaves no trace.
"""


import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

def should_show(stream: TextIO | None = None, environ: dict | None = None) -> bool:
    """True when progress belongs on ``stream`` (default stderr): a terminal, not CI.

    >>> import io
    >>> should_show(io.StringIO(), environ={})
    False
    """
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    if environ.get("CI") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Stage:
    """One running stage; :meth:`advance` adds ``done/total`` to its line."""

    def __init__(self, display: "Progress", text: str):
        self._display = display
        self.text = text
        self.started = time.monotonic()

    def advance(self, done: int, total: int) -> None:
        self._display._update(f"{self.text} {done:,}/{total:,}")

    def retitle(self, text: str) -> None:
        """Say what the stage is doing now (a long stage of several steps)."""
        self.text = text
        self._display._update(text)


class Progress:
    """The live line; a disabled Progress does nothing at all."""

    def __init__(self, status=None):
        self._status = status
        self.stages: list[tuple[str, float]] = []  # (text, seconds) of finished stages

    @property
    def enabled(self) -> bool:
        return self._status is not None

    @contextmanager
    def stage(self, text: str) -> Iterator[Stage]:
        """Show ``text`` while the block runs; record how long it took."""
        current = Stage(self, text)
        self._update(text)
        try:
            yield current
        finally:
            self.stages.append((text, time.monotonic() - current.started))

    def _update(self, text: str) -> None:
        if self._status is not None:
            self._status.update(f"[bold]depgraph[/bold] {_markup_safe(text)}…")


def _markup_safe(text: str) -> str:
    return text.replace("[", "\\[")


@contextmanager
def progress(enabled: bool | None = None, stream: TextIO | None = None, *,
             machine_readable: bool = False, quiet: bool = False) -> Iterator[Progress]:
    """A :class:`Progress` for one command run: off for machine-readable output or ``quiet``;
    ``enabled`` None then decides by :func:`should_show`."""
    stream = sys.stderr if stream is None else stream
    if machine_readable or quiet:
        enabled = False
    elif enabled is None:
        enabled = should_show(stream)
    if not enabled:
        yield Progress()
        return
    from rich.console import Console

    console = Console(file=stream, force_terminal=True)
    with console.status("depgraph…", spinner="dots") as status:
        yield Progress(status)
