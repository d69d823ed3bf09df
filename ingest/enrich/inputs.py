"""The files enrichment reads, stored in the database (table ``enrich_inputs``).

Storing the text (not just the path) makes every later ``lorelens ingest`` or
``lorelens enrich`` use the same inputs, and lets anyone see what a figure was computed
from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.errors import ConfigError
from ingest.enrich.domainmap import DomainMap
from ingest.enrich.maintainers import load_maintainers, parse_maintainers
from ingest.enrich.orgs import parse_overrides
from ingest.enrich.people import AliasFile, parse_mailmap
from ingest.load import store_inputs
from ingest.sources.kernel_tree import check_repo, read_maintainers_from_git, resolve_rev_at


@dataclass(frozen=True)
class Loaded:
    kind: str
    origin: str
    detail: str


def _read(path: Path, what: str) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_maintainers(
    path: Path | None = None,
    *,
    repo: Path | None = None,
    rev: str = "HEAD",
    at: str | None = None,
) -> tuple[str, str, Loaded]:
    """Read and check a MAINTAINERS file, from a path or from a kernel git tree at a
    revision: ``(origin, text, what was loaded)``. Nothing is written."""
    if repo is not None:
        if at is not None:
            rev = resolve_rev_at(repo, at, rev)
        text = read_maintainers_from_git(repo, rev)
        origin = f"{Path(repo).resolve()}@{rev}"
        sections = parse_maintainers(text)
    elif path is not None:
        sections = load_maintainers(path)
        text = _read(path, "MAINTAINERS file")
        origin = str(Path(path).resolve())
    else:
        raise ConfigError("give a MAINTAINERS path or --from-git REPO")
    if not sections:
        raise ConfigError(f"{origin}: no MAINTAINERS sections found")
    return origin, text, Loaded("maintainers", origin, f"{len(sections):,} sections")


def store_maintainers(con: duckdb.DuckDBPyConnection, origin: str, text: str) -> None:
    store_inputs(con, "maintainers", [(origin, text)])


def set_maintainers(
    con: duckdb.DuckDBPyConnection,
    path: Path | None = None,
    *,
    repo: Path | None = None,
    rev: str = "HEAD",
    at: str | None = None,
) -> Loaded:
    """Store a MAINTAINERS file, from a path or from a kernel git tree at a revision."""
    origin, text, loaded = read_maintainers(path, repo=repo, rev=rev, at=at)
    store_maintainers(con, origin, text)
    return loaded


def set_kernel_tree(con: duckdb.DuckDBPyConnection, repo: Path | None) -> Loaded | None:
    """Remember a kernel git tree (its path; the commits are read at enrichment) whose
    commits count as "applied" evidence; None forgets it."""
    if repo is None:
        store_inputs(con, "kernel-git", [])
        return None
    head = check_repo(repo)
    origin = str(Path(repo).resolve())
    store_inputs(con, "kernel-git", [(origin, head)])
    return Loaded("kernel-git", origin, f"HEAD {head[:12]}")


def set_org_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    domain_maps: Sequence[Path] = (),
    overrides: Sequence[Path] = (),
    mailmaps: Sequence[Path] = (),
    aliases: Sequence[Path] = (),
) -> list[Loaded]:
    """Replace the organisation inputs; each file is checked before anything is stored."""
    loaded: list[Loaded] = []
    plan: dict[str, list[tuple[str, str]]] = {}
    for kind, paths, check in (
        ("domain-map", domain_maps, lambda t, o: len(DomainMap.from_text(t, o).entries)),
        ("overrides", overrides, lambda t, o: len(parse_overrides(t, o))),
        ("mailmap", mailmaps, lambda t, _o: len(parse_mailmap(t))),
        ("aliases", aliases, lambda t, o: len(AliasFile.from_text(t, o).groups)),
    ):
        items = []
        for p in paths:
            text = _read(p, f"{kind} file")
            origin = str(Path(p).resolve())
            n = check(text, origin)
            loaded.append(Loaded(kind, origin, f"{n:,} entries"))
            items.append((origin, text))
        plan[kind] = items
    for kind, items in plan.items():
        store_inputs(con, kind, items)
    return loaded
