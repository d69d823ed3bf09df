"""Parsed mails as Arrow tables: what a parser process hands to the loading process.

A batch of parsed messages used to cross the pipe as Python objects, rebuilt one by one
in the loading process and then turned into columns there: about a second of CPU per
16,000 mails, all of it in the one process that also writes the database. The parser
process now builds the Arrow tables itself (Arrow pickles as a few buffers), and the
loader takes the rows it keeps with ``Table.take``. Imports Arrow, never DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.arrow import pa
from ingest.model import ParsedMessage

# the columns of ``messages`` that parsing fills (``lists`` and ``first_seen_run`` are
# the loader's), in the order of docs/schema.md
MESSAGE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("message_id", pa.string()),
    ("msgid_synthetic", pa.bool_()),
    ("date", pa.timestamp("us", tz="UTC")),
    ("date_source", pa.string()),
    ("date_raw", pa.string()),
    ("archive_time", pa.timestamp("us", tz="UTC")),
    ("from_name", pa.string()),
    ("from_email", pa.string()),
    ("from_domain", pa.string()),
    ("from_raw", pa.string()),
    ("from_via", pa.string()),
    ("subject", pa.string()),
    ("subject_base", pa.string()),
    ("prefixes", pa.list_(pa.string())),
    ("in_reply_to", pa.string()),
    ("references", pa.list_(pa.string())),
    ("is_reply", pa.bool_()),
    ("is_patch", pa.bool_()),
    ("is_cover", pa.bool_()),
    ("is_rfc", pa.bool_()),
    ("is_resend", pa.bool_()),
    ("patch_version", pa.int32()),
    ("patch_counter", pa.int32()),
    ("patch_total", pa.int32()),
    ("has_diff", pa.bool_()),
    ("files", pa.list_(pa.string())),
    ("lines_added", pa.int32()),
    ("lines_removed", pa.int32()),
    ("change_id", pa.string()),
    ("applied_notice", pa.string()),
    ("bot_report", pa.string()),
    ("to_addrs", pa.list_(pa.string())),
    ("cc_addrs", pa.list_(pa.string())),
    ("body_bytes", pa.int32()),
    ("content_hash", pa.string()),
)
MESSAGE_SCHEMA = pa.schema(MESSAGE_COLUMNS)

# where each copy was read (``message_sources`` without the loader's columns)
COPY_SCHEMA = pa.schema([
    ("message_id", pa.string()),
    ("source", pa.string()),
    ("kind", pa.string()),
    ("list", pa.string()),
    ("epoch", pa.int32()),
    ("git_dir", pa.string()),
    ("commit", pa.string()),
    ("blob", pa.string()),
    ("path", pa.string()),
    ("byte_offset", pa.int64()),
    ("content_hash", pa.string()),
])

# ``trailers`` rows, with ``row``: the position of their message in the batch
TRAILER_SCHEMA = pa.schema([
    ("row", pa.int32()),
    ("message_id", pa.string()),
    ("position", pa.int32()),
    ("kind", pa.string()),
    ("type", pa.string()),
    ("name", pa.string()),
    ("email", pa.string()),
    ("value", pa.string()),
    ("in_reply", pa.bool_()),
    ("target_message_id", pa.string()),
])


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    """The parsed messages of one batch, row ``i`` of each table being mail ``i``
    (``trailers`` refers to it by ``row``)."""

    messages: pa.Table
    copies: pa.Table
    trailers: pa.Table

    def __len__(self) -> int:
        return self.messages.num_rows


def to_batch(parsed: Sequence[ParsedMessage]) -> ParsedBatch:
    messages = pa.Table.from_pydict(
        {name: [getattr(p, name) for p in parsed] for name, _ in MESSAGE_COLUMNS},
        schema=MESSAGE_SCHEMA,
    )
    locs = [p.location for p in parsed]
    copies = pa.Table.from_pydict({
        "message_id": [p.message_id for p in parsed],
        "source": [loc.source for loc in locs],
        "kind": [loc.kind.value for loc in locs],
        "list": [p.list for p in parsed],
        "epoch": [loc.epoch for loc in locs],
        "git_dir": [loc.git_dir for loc in locs],
        "commit": [loc.commit for loc in locs],
        "blob": [loc.blob for loc in locs],
        "path": [loc.path for loc in locs],
        "byte_offset": [loc.byte_offset for loc in locs],
        "content_hash": [p.content_hash for p in parsed],
    }, schema=COPY_SCHEMA)
    trailers: dict[str, list] = {f.name: [] for f in TRAILER_SCHEMA}
    for row, p in enumerate(parsed):
        if not p.trailers:
            continue
        # a reply's trailers are about the mail it answers; a patch's about itself
        parent = p.in_reply_to or (p.references[-1] if p.references else None)
        for t in p.trailers:
            trailers["row"].append(row)
            trailers["message_id"].append(p.message_id)
            trailers["position"].append(t.position)
            trailers["kind"].append(t.kind)
            trailers["type"].append(t.type)
            trailers["name"].append(t.name)
            trailers["email"].append(t.email)
            trailers["value"].append(t.value)
            trailers["in_reply"].append(t.in_reply)
            trailers["target_message_id"].append(parent if t.in_reply else p.message_id)
    return ParsedBatch(messages, copies, pa.Table.from_pydict(trailers, schema=TRAILER_SCHEMA))
