"""Parsing one batch of raw mails: the work a parser process does.

Kept apart from :mod:`ingest.pipeline` so that a worker process imports only what
parsing needs (Arrow to hand over its rows, not DuckDB or the progress bar), and apart
from :mod:`ingest.parse` so that the main process, which hands batches to workers, does
not import b4 and the parsing code it never runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType

from ingest.columns import ParsedBatch, to_batch
from ingest.model import Deletion, ParsedMessage, ParseFailure, RawMail

Parsed = tuple[ParsedBatch, list[ParseFailure], list[tuple[Deletion, str | None]]]

# CPU seconds one mail may take to parse, plus as many again per MiB of mail (a real
# mail takes milliseconds; a 6.5 MiB patch 0.4 s): see docs/guide.md, "Limits on
# hostile mail"
PARSE_BUDGET = 1.0
_MIB = 1 << 20


class _OverBudget(BaseException):
    """Raised into the parser by the budget's timer. A BaseException, like
    KeyboardInterrupt, so that no library's ``except Exception`` swallows it."""


class ParseBudget:
    """No single mail takes more than its budget of CPU time to parse.

    A CPU-time interval timer (``ITIMER_VIRTUAL``) interrupts the parser, even inside a
    regular expression; the mail is then a :class:`ParseFailure` that says so, and the
    batch goes on. The timer goes on firing every 50 ms until the parser has stopped,
    in case some code catches the first interruption. Signals work only in a process's
    main thread (the command's, or a parser process's); elsewhere mails are parsed
    without a budget, bounded only by the input limits of the parser.
    """

    def __init__(self, seconds: float = PARSE_BUDGET) -> None:
        self.seconds = seconds
        self.enabled = False
        self._armed = False
        self._previous: object = None

    def __enter__(self) -> ParseBudget:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGVTALRM, self._on_timer)
            self.enabled = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, self._previous)  # type: ignore[arg-type]
            self.enabled = False

    def _on_timer(self, _signum: int, _frame: FrameType | None) -> None:
        if self._armed:
            raise _OverBudget

    def parse(self, raw: RawMail) -> ParsedMessage | ParseFailure:
        from ingest.parse import parse_mail  # preloaded in workers: a dictionary look-up

        if not self.enabled:
            return parse_mail(raw)
        limit = self.seconds * (1 + len(raw.data) / _MIB)
        self._armed = True
        signal.setitimer(signal.ITIMER_VIRTUAL, limit, 0.05)
        try:
            return parse_mail(raw)
        except _OverBudget:
            return ParseFailure(
                raw.location,
                f"parsing took over {limit:.2g} s of CPU: left unparsed (a hostile or "
                "broken mail? see docs/guide.md)", len(raw.data))
        finally:
            self._armed = False
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)


def parse_items(items: list[RawMail | Deletion], budget: float = PARSE_BUDGET) -> Parsed:
    """Parse one batch (runs in a worker process when there are several); each mail
    within ``budget`` seconds of CPU (see :class:`ParseBudget`)."""
    parsed: list[ParsedMessage] = []
    failures: list[ParseFailure] = []
    deletions: list[tuple[Deletion, str | None]] = []
    with ParseBudget(budget) as guard:
        for item in items:
            if isinstance(item, Deletion):
                res = guard.parse(RawMail(item.data, item.location, None))
                deletions.append(
                    (item, res.message_id if isinstance(res, ParsedMessage) else None))
                continue
            if not item.data and item.location.commit and item.location.blob is None:
                failures.append(ParseFailure(item.location, "commit holds neither m nor d", 0))
                continue
            res = guard.parse(item)
            if isinstance(res, ParseFailure):
                failures.append(res)
            else:
                parsed.append(res)
    return to_batch(parsed), failures, deletions


def fetch_and_parse(
    fetch: Callable[[list[tuple]], Iterable[RawMail | Deletion]], refs: list[tuple]
) -> Parsed:
    """Read a batch of git references and parse it (in a worker process)."""
    return parse_items(list(fetch(refs)))
