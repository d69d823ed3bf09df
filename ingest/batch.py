"""Parsing one batch of raw mails: the work a parser process does.

Kept apart from :mod:`ingest.pipeline` so that a worker process imports only what
parsing needs (Arrow to hand over its rows, not DuckDB or the progress bar), and apart
from :mod:`ingest.parse` so that the main process, which hands batches to workers, does
not import b4 and the parsing code it never runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ingest.columns import ParsedBatch, to_batch
from ingest.model import Deletion, ParsedMessage, ParseFailure, RawMail

Parsed = tuple[ParsedBatch, list[ParseFailure], list[tuple[Deletion, str | None]]]


def parse_items(items: list[RawMail | Deletion]) -> Parsed:
    """Parse one batch (runs in a worker process when there are several)."""
    from ingest.parse import parse_mail  # preloaded in workers: a dictionary look-up

    parsed: list[ParsedMessage] = []
    failures: list[ParseFailure] = []
    deletions: list[tuple[Deletion, str | None]] = []
    for item in items:
        if isinstance(item, Deletion):
            res = parse_mail(RawMail(item.data, item.location, None))
            deletions.append((item, res.message_id if isinstance(res, ParsedMessage) else None))
            continue
        if not item.data and item.location.commit and item.location.blob is None:
            failures.append(ParseFailure(item.location, "commit holds neither m nor d", 0))
            continue
        res = parse_mail(item)
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
