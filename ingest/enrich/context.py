"""What one enrichment stage computes and a later one needs, within one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from ingest.enrich.orgs import OrgResolver
from ingest.enrich.people import AddressStat, Identities
from ingest.enrich.subsystems import SectionMatcher


@dataclass
class Context:
    """What one stage computes and a later one needs, within one enrichment run."""

    con: duckdb.DuckDBPyConnection
    identities: Identities | None = None
    stats: list[AddressStat] = field(default_factory=list)
    resolver: OrgResolver | None = None
    matcher: SectionMatcher | None = None
    # path → (primary sections, most specific sections)
    file_sections: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)

    def inputs(self, kind: str) -> list[tuple[str, str]]:
        return self.con.execute(
            "SELECT origin, content FROM enrich_inputs WHERE kind = ? ORDER BY position", [kind]
        ).fetchall()

    def person(self, email: str | None) -> str | None:
        if not email:
            return None
        return self.identities.person_id(email) if self.identities else email

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return self.con.sql(sql).to_arrow_table().to_pylist()
