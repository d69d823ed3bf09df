"""What one enrichment stage computes and a later one needs, within one run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ingest.enrich.orgs import OrgResolver
from ingest.enrich.people import AddressStat, Identities
from ingest.enrich.records import Message, read_messages
from ingest.enrich.rows import table_rows
from ingest.enrich.subsystems import SectionMatcher


@dataclass
class Delta:
    """An incremental run: what changed since the last enrichment, and what the stages
    found affected (filled stage by stage; see ``stages.py``)."""

    last_run: int  # messages with first_seen_run > last_run are new
    n_new: int
    relisted: frozenset[str] = frozenset()  # older messages that gained a list since
    # threads: the (new) thread ids of the new messages' threads
    threads: set[str] = field(default_factory=set)
    n_rethreaded: int = 0
    # people: normalised addresses whose person (or that person's bot flag) changed
    changed_people: set[str] = field(default_factory=set)
    # the people before (from the tables): address → (person, bot); person → addresses
    old_addresses: dict[str, tuple[str, bool]] = field(default_factory=dict)
    old_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # message_authors: stored ``from_email`` values whose person_addresses, people or
    # affiliations rows changed
    changed_authors: set[str] = field(default_factory=set)
    # subsystems: paths of older diffs whose matching a newly seen directory may change
    redirected_paths: list[str] = field(default_factory=list)
    # series: how many messages (of how many) the series stage recomputed
    n_recomputed: int | None = None


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
    # (paths of a diff, every) → `sections_for_files`
    _diff_sections: dict[tuple[tuple[str, ...], bool], tuple[str, ...]] = field(
        default_factory=dict, repr=False)
    # None: every stage recomputes its tables whole
    delta: Delta | None = None
    _messages: list[Message] | None = field(default=None, repr=False)

    def inputs(self, kind: str) -> list[tuple[str, str]]:
        return self.con.execute(
            "SELECT origin, content FROM enrich_inputs WHERE kind = ? ORDER BY position", [kind]
        ).fetchall()

    def person(self, email: str | None) -> str | None:
        if not email:
            return None
        return self.identities.person_id(email) if self.identities else email

    def sections_for_files(
        self, files: Sequence[str] | None, *, every: bool = False
    ) -> tuple[str, ...]:
        """The subsystems of a diff: per file the most specific matching sections (or,
        with ``every``, all matching sections: whose maintainers get_maintainer.pl would
        list), united in file order; memoised per path and per diff for the run."""
        if not files or self.matcher is None:
            return ()
        key = (tuple(files), every)
        found = self._diff_sections.get(key)
        if found is None:
            out: list[str] = []
            for f in files:
                pair = self.file_sections.get(f)
                if pair is None:
                    pair = self.file_sections[f] = self.matcher.both(f)
                out.extend(x for x in pair[0 if every else 1] if x not in out)
            found = self._diff_sections[key] = tuple(out)
        return found

    def messages(self, *, last_use: bool = False) -> list[Message]:
        """Every message as a `records.Message`, read once per run: the threads stage and
        a whole series stage both need them, and enrichment writes none of their
        columns. The ``last_use`` lets them go from the context (they are the run's
        largest holding)."""
        found = self._messages
        if found is None:
            found = read_messages(self.con)
        self._messages = None if last_use else found
        return found

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return table_rows(self.con.sql(sql, params=params).to_arrow_table())
