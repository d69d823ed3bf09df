"""A progress bar (messages/s, ETA) on a terminal; silent otherwise."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


def _bar() -> Any:
    # rich is imported only when a bar is shown (a quiet or piped run does not need it)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} msg/s" if speed else "– msg/s", style="cyan")

    return RichProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        _Rate(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )


class Progress:
    def __init__(self, total: int, *, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.total = total
        self._bar: Any = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = _bar()
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self.total)
        return self

    def describe(self, text: str) -> None:
        if self._bar is not None:
            short = text if len(text) <= 24 else text[:23] + "…"
            self._bar.update(self._task, description=short)

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
