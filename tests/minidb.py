"""Hand-made databases for the report tests: a few rows whose answers can be worked out
by hand (docs/metrics.md), written with the real schema and read with the real reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from analytics.db import Result
from analytics.reports import run_report
from core.database import connect_readonly
from ingest.load import Database

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

_DEFAULTS: dict[str, dict[str, Any]] = {
    "series": {
        "version": 1, "n_patches": 1, "has_cover": False, "is_rfc": False,
        "is_resend": False, "first_review_carried": False, "carried_review_tags": 0,
        "n_replies": 0, "n_responses": 0, "n_bot_replies": 0, "outcome_detail": "discussed",
        "lists": ["l@example.org"],
    },
    "messages": {
        "msgid_synthetic": False, "date_source": "header", "is_reply": False,
        "is_patch": False, "is_cover": False, "is_rfc": False, "is_resend": False,
        "has_diff": False, "content_hash": "x", "first_seen_run": 1,
        "lists": ["l@example.org"],
    },
    "message_authors": {"is_bot": False, "org_kind": "unknown"},
    "posts": {"is_cover": False, "n_responses": 0},
    "review_tags": {"position": 0, "kind": "reviewed-by", "carried": False},
    "people": {"is_bot": False},
}


class MiniDB:
    """A database with the schema; ``add`` inserts one row with sensible defaults."""

    def __init__(self, path: Path) -> None:
        self.path = path
        Database(path).close()
        self.con = duckdb.connect(str(path))
        self.con.execute("SET TimeZone = 'UTC'")

    def add(self, table: str, **values: Any) -> None:
        row = {**_DEFAULTS.get(table, {}), **values}
        if table == "series":
            row.setdefault("version_key", f"k|{row['series_id']}")
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.con.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))

    def report(self, name: str, params: dict[str, Any] | None = None) -> Result:
        self.con.close()
        con = connect_readonly(self.path)
        try:
            return run_report(con, name, params)
        finally:
            con.close()
            self.con = duckdb.connect(str(self.path))


def at(days: float) -> dt.datetime:
    """T0 plus ``days``."""
    return T0 + dt.timedelta(days=days)


def enrich_sample(db: Path, sample: Path, tree: Path | None) -> tuple[str, dict[str, tuple]]:
    """Enrich ``db`` (a copy of an ingested sample) with the sample's MAINTAINERS and
    domain map and kernel tree ``tree`` (or none): the files stage's note, and
    ``file_activity`` as {path: (last_commit_at, commits, subsystems)}."""
    from ingest.enrich.inputs import set_kernel_tree, set_maintainers, set_org_inputs
    from ingest.enrich.stages import run_stages

    store = Database(db)
    try:
        set_maintainers(store.con, sample / "MAINTAINERS")
        set_org_inputs(store.con, domain_maps=[sample / "domain-map"])
        set_kernel_tree(store.con, tree)
        note = run_stages(store.con)["files"]
        rows = {r[0]: r[1:] for r in store.con.execute(
            "SELECT path, last_commit_at, commits, subsystems FROM file_activity").fetchall()}
    finally:
        store.close()
    return note, rows
