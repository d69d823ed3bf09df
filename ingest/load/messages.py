"""Loading ingested mails: one batch, its errors and its progress marker per transaction.

Rows arrive in batches and are loaded as Arrow tables, so a run killed at any point
leaves every message stored exactly once and the next run resumes after the marker.
``BatchWriter`` writes through the connection of a ``Database``
(ingest/load/database.py), which opens it and records the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingest.columns import MESSAGE_COLUMNS, ParsedBatch
from ingest.load.copies import classify, new_lists
from ingest.load.database import now_utc, registered, transaction
from ingest.model import Deletion, ParseFailure
from ingest.sources.base import Unit

_MESSAGE_NAMES = ", ".join(f'"{name}"' for name, _ in MESSAGE_COLUMNS)


@dataclass
class BatchCounts:
    read: int = 0
    new: int = 0
    cross_posted: int = 0  # the same mail again from another list's archive
    duplicate: int = 0  # the same Message-ID again from the same list (same or other content)
    failed: int = 0
    deleted: int = 0

    def add(self, other: BatchCounts) -> None:
        self.read += other.read
        self.new += other.new
        self.cross_posted += other.cross_posted
        self.duplicate += other.duplicate
        self.failed += other.failed
        self.deleted += other.deleted


class BatchWriter:
    """Writes the ingest's batches (and what a rewritten history removed) through a
    writable connection, one transaction each."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        # most archives never delete: skip the per-batch lookup until one does
        self._any_deleted = bool(
            self.con.execute("SELECT count(*) FROM deleted_messages").fetchall()[0][0]
        )

    # -- one batch, one transaction ---------------------------------------------------
    def write_batch(
        self,
        run_id: int,
        unit: Unit,
        parsed: ParsedBatch,
        failures: list[ParseFailure],
        deletions: list[tuple[Deletion, str | None]],
        marker: str | None,
    ) -> BatchCounts:
        counts = BatchCounts(read=len(parsed) + len(failures) + len(deletions))
        con = self.con
        copies = parsed.copies.to_pydict()
        ids: list[str] = copies["message_id"]
        hashes: list[str] = copies["content_hash"]
        lists: list[str | None] = copies["list"]
        keys = list(zip(ids, copies["source"], copies["epoch"], copies["commit"],
                        copies["path"], copies["byte_offset"], strict=True))
        with transaction(con):
            existing = self._existing(set(ids))
            got = classify(ids, hashes, lists, keys, stored=existing,
                           stored_locations=self._known_copies(set(existing)),
                           deleted=self._deleted(set(ids) - set(existing)))
            new, sources, list_updates = got.new, got.sources, got.list_updates
            counts.cross_posted, counts.duplicate = got.cross_posted, got.duplicate
            counts.new = len(new)
            if new:
                self._insert_messages(run_id, parsed.messages.take(list(new.values())),
                                      new_lists(got, lists, ids))
                self._insert_trailers(parsed.trailers, list(new.values()))
            pending = {k: v for k, v in list_updates.items() if k not in new}
            if pending:
                self._update_lists(pending)
            if sources:
                self._insert_sources(run_id, parsed.copies, sources)
            if failures:
                self._insert_errors(run_id, unit, failures)
            counts.failed = len(failures)
            if deletions:
                counts.deleted, failed_deletions = self._delete(run_id, unit, deletions)
                counts.failed += failed_deletions
            if marker is not None:
                con.execute(
                    "INSERT OR REPLACE INTO source_state VALUES (?, ?, ?, ?, ?)",
                    [unit.source, unit.epoch, str(unit.git_dir) if unit.git_dir else None,
                     marker, now_utc()],
                )
        return counts

    # -- rewritten history (public-inbox-purge, public-inbox-edit) -----------------------
    def prune_vanished(self, unit: Unit, commits: set[str]) -> set[str]:
        """Drop the stored copies of this epoch whose commits are no longer in it; drop
        the messages left with no copy at all and return their Message-IDs (an edited
        message comes back from the rescan; a purged one does not)."""
        rows = self.con.execute(
            "SELECT DISTINCT message_id, commit FROM message_sources "
            "WHERE source = ? AND epoch = ? AND commit IS NOT NULL",
            [unit.source, unit.epoch],
        ).fetchall()
        gone = [(mid, c) for mid, c in rows if c not in commits]
        if not gone:
            return set()
        table = pa.table({"message_id": [m for m, _ in gone], "commit": [c for _, c in gone]})
        with registered(self.con, "_gone", table), transaction(self.con):
            self.con.execute(
                "DELETE FROM message_sources s USING _gone g WHERE s.source = ? "
                "AND s.epoch = ? AND s.message_id = g.message_id AND s.commit = g.commit",
                [unit.source, unit.epoch],
            )
            orphans = [r[0] for r in self.con.execute(
                "SELECT DISTINCT g.message_id FROM _gone g WHERE NOT EXISTS "
                "(SELECT 1 FROM message_sources s WHERE s.message_id = g.message_id)"
            ).fetchall()]
            for mid in orphans:
                self.con.execute("DELETE FROM messages WHERE message_id = ?", [mid])
                self.con.execute("DELETE FROM trailers WHERE message_id = ?", [mid])
        return set(orphans)

    def record_purged(self, run_id: int, unit: Unit, ids: set[str]) -> int:
        """Record as deleted the pruned messages the rescan did not bring back."""
        back = self._existing(ids)
        purged = sorted(ids - set(back))
        for mid in purged:
            self.con.execute(
                "INSERT INTO deleted_messages VALUES (?, ?, ?, NULL, ?)",
                [mid, unit.source, unit.epoch, run_id],
            )
        if purged:
            self._any_deleted = True
        return len(purged)

    def _existing(self, ids: set[str]) -> dict[str, tuple[str, set[str]]]:
        if not ids:
            return {}
        table = pa.table({"message_id": pa.array(sorted(ids), pa.string())})
        with registered(self.con, "_batch_ids", table):
            rows = self.con.execute(
                "SELECT m.message_id, m.content_hash, m.lists FROM messages m "
                "JOIN _batch_ids b USING (message_id)"
            ).fetchall()
        return {mid: (h, set(lists or [])) for mid, h, lists in rows}

    def _deleted(self, ids: set[str]) -> set[str]:
        if not ids or not self._any_deleted:
            return set()
        with registered(self.con, "_maybe_deleted", pa.table({"message_id": sorted(ids)})):
            return {r[0] for r in self.con.execute(
                "SELECT DISTINCT message_id FROM deleted_messages "
                "JOIN _maybe_deleted USING (message_id)").fetchall()}

    def _known_copies(self, ids: set[str]) -> set[tuple[object, ...]]:
        """The stored copies (message_sources rows) of these Message-IDs, by location."""
        if not ids:
            return set()
        table = pa.table({"message_id": pa.array(sorted(ids), pa.string())})
        with registered(self.con, "_batch_ids", table):
            rows = self.con.execute(
                "SELECT s.message_id, s.source, s.epoch, s.commit, s.path, s.byte_offset "
                "FROM message_sources s JOIN _batch_ids b USING (message_id)"
            ).fetchall()
        return set(rows)

    def _insert_messages(self, run_id: int, table: pa.Table, lists: list[list[str]]) -> None:
        table = table.append_column("lists", pa.array(lists, pa.list_(pa.string())))
        with registered(self.con, "_new_messages", table):
            self.con.execute(
                f"INSERT INTO messages ({_MESSAGE_NAMES}, lists, first_seen_run) "
                f"SELECT {_MESSAGE_NAMES}, lists, {int(run_id)} FROM _new_messages"
            )

    def _insert_trailers(self, trailers: pa.Table, rows: list[int]) -> None:
        """The trailers of the messages at ``rows`` of the batch (its new ones)."""
        if not trailers.num_rows:
            return
        keep = pc.is_in(trailers["row"], value_set=pa.array(rows, pa.int32()))
        with registered(self.con, "_new_trailers", trailers.filter(keep)):
            self.con.execute(
                "INSERT INTO trailers SELECT message_id, position, kind, type, name, email, "
                "value, in_reply, target_message_id FROM _new_trailers"
            )

    def _update_lists(self, updates: dict[str, set[str]]) -> None:
        table = pa.table({
            "message_id": list(updates),
            "add": [sorted(v) for v in updates.values()],
        })
        with registered(self.con, "_list_updates", table):
            self.con.execute(
                "UPDATE messages SET lists = list_sort(list_distinct(list_concat(messages.lists, "
                "u.add))) FROM _list_updates u WHERE messages.message_id = u.message_id"
            )

    def _insert_sources(
        self, run_id: int, copies: pa.Table, rows: list[tuple[int, str]]
    ) -> None:
        table = copies.take([i for i, _ in rows]).append_column(
            "duplicate", pa.array([d for _, d in rows], pa.string()))
        with registered(self.con, "_new_sources", table):
            self.con.execute(
                f"INSERT INTO message_sources SELECT *, {int(run_id)} FROM _new_sources"
            )

    def _insert_errors(self, run_id: int, unit: Unit, failures: list[ParseFailure]) -> None:
        now = now_utc()
        for f in failures:
            loc = f.location
            self.con.execute(
                "INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, loc.source, loc.kind.value, loc.epoch, loc.commit, loc.blob, loc.path,
                 loc.byte_offset, "parse", f.reason, f.raw_size, now],
            )

    def _delete(
        self, run_id: int, unit: Unit, deletions: list[tuple[Deletion, str | None]]
    ) -> tuple[int, int]:
        """Apply deletions; return (messages deleted, deletions that failed)."""
        n = n_failed = 0
        for d, msgid in deletions:
            if msgid is None:
                self._insert_errors(run_id, unit, [ParseFailure(d.location,
                                    "deletion (file d) without a Message-ID", len(d.data))])
                n_failed += 1
                continue
            gone = self.con.execute(
                "DELETE FROM messages WHERE message_id = ? RETURNING message_id", [msgid]
            ).fetchall()
            self.con.execute("DELETE FROM trailers WHERE message_id = ?", [msgid])
            self.con.execute(
                "INSERT INTO deleted_messages VALUES (?, ?, ?, ?, ?)",
                [msgid, d.location.source, d.location.epoch, d.location.commit, run_id],
            )
            self._any_deleted = True
            n += len(gone)
        return n, n_failed
