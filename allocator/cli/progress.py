"""Live progress on stderr (never on stdout, which carries only the requested output)."""

from __future__ import annotations

import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click
from rich.console import Console
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text


def _plain(text: str) -> None:
    """One progress line on stderr, for logs and pipes (no terminal to redraw)."""
    click.echo(text, err=True)


@contextmanager
def progress_bar(
    label: str, total: int, enabled: bool | None = None
) -> Iterator[Callable[[int, int], None]]:
    """A transient bar on a terminal, plain ``label: done/total`` lines when progress is asked
    for without one, nothing otherwise; the yielded callback takes (done, total)."""
    console = Console(stderr=True)
    wanted = console.is_terminal if enabled is None else enabled
    if wanted and not console.is_terminal:
        started = time.perf_counter()
        yield lambda done, count: _plain(
            f"{label}: {done}/{count} ({time.perf_counter() - started:.1f}s)"
        )
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not wanted) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


# A row of the HiGHS branch-and-bound table: source letter, nodes, queue, leaves, explored %,
# best bound, best solution, gap, cuts, in LP, conflicts, LP iterations, time.
_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>\S+)\s+(?P<incumbent>\S+)\s+"
    r"(?P<gap>\S+)\s+\d+\s+\d+\s+\d+\s+\d+\s+(?P<time>[\d.]+)s\s*$"
)


class SolveProgress(io.StringIO):
    """A text stream for the HiGHS log that shows incumbent, bound, gap and time: live on a
    terminal, else as plain lines (``live`` None), one per row of HiGHS's table."""

    def __init__(self, live: Live | None, stream: TextIO | None = None) -> None:
        super().__init__()
        self.live, self.stream, self._pending = live, stream or sys.stderr, ""
        self._show(_status("presolving", "-", "-", "-"))

    def _show(self, status: Text) -> None:
        if self.live is not None:
            self.live.update(status)
        else:
            self.stream.write(status.plain + "\n")
            self.stream.flush()

    def writable(self) -> bool:
        """HiGHS writes its log here."""
        return True

    def write(self, text: str) -> int:
        """Parse complete lines of the log; keep a partial line for the next write."""
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            row = _ROW.match(line)
            if row:
                self._show(
                    _status("solving", row["incumbent"], row["bound"], row["gap"], row["time"])
                )
        return len(text)


def _status(stage: str, incumbent: str, bound: str, gap: str, seconds: str = "0") -> Text:
    return Text(
        f"HiGHS {stage}: incumbent {incumbent}  bound {bound}  gap {gap}  elapsed {seconds}s",
        style="cyan",
    )


@contextmanager
def _own_stderr() -> Iterator[TextIO]:
    """A stream to the stderr of now: the solver captures fds 1 and 2 while it runs (its log
    is kept, not printed), so progress writes to a duplicate of the real stderr."""
    stream = sys.stderr
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test runner's buffer)
        yield stream
        return
    copy = os.fdopen(os.dup(descriptor), "w", buffering=1, encoding="utf-8")
    try:
        yield copy
    finally:
        copy.close()


@contextmanager
def solve_progress(enabled: bool | None) -> Iterator[SolveProgress | None]:
    """Solve progress on stderr: by default live when stderr is a terminal; when asked for
    without one (``--progress`` into a log), plain lines."""
    terminal = Console(stderr=True).is_terminal
    if not (terminal if enabled is None else enabled):
        yield None
        return
    with _own_stderr() as stream:
        if not terminal:
            yield SolveProgress(None, stream)
            return
        console = Console(file=stream, force_terminal=True)
        with Live(console=console, transient=True, refresh_per_second=4) as live:
            yield SolveProgress(live, stream)
