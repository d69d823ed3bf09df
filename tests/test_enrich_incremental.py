"""Incremental enrichment: after an ingest that only adds messages, the enrichment tables
must equal those of a fresh database that ingested everything and enriched it whole.

The corpus generator's sample (and, when present, the real linux-watchdog archive) is
split in two: part 1 is ingested and enriched, then part 2 is ingested (and enriched
incrementally, as `lorelens ingest` does). Part 2 is chosen to hold what can change old
rows: the parent of part-1 orphans, a cover letter whose patches are in part 1, a later
version of a part-1 series, a first response to a part-1 patch, an "applied" reply, a
second list's copy of a part-1 mail, and the newest mails (the end of observation).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import duckdb
import pytest

from corpus.api import write_sample
from ingest.enrich.inputs import set_kernel_tree, set_maintainers, set_org_inputs
from ingest.enrich.stages import enrich, enrich_if_changed, plan_enrichment, run_stages
from ingest.enrich.threads import thread_ids
from ingest.load import Database
from ingest.load.database import (
    ENRICH_MEMORY_FLOOR,
    ENRICH_MEMORY_PER_MESSAGE,
    working_memory,
)
from tests.conftest import fetch_one, run_ingest, shared_root, skip_or_fail

# every enrichment table, and the columns enrichment writes into messages
TABLES = {
    "messages": "message_id, thread_id, series_id",
    "people": "*",
    "person_addresses": "*",
    "affiliations": "*",
    "message_authors": "*",
    "message_subsystems": "*",
    "subsystems": "*",
    "series": "*",
    "posts": "*",
    "review_tags": "*",
}


def dump(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    con.execute("SET TimeZone = 'UTC'")
    return {t: sorted(repr(r) for r in con.execute(f"SELECT {cols} FROM {t}").fetchall())
            for t, cols in TABLES.items()}


def differences(full: dict[str, list[str]], inc: dict[str, list[str]]) -> dict[str, tuple]:
    out = {}
    for t in TABLES:
        a, b = set(full[t]), set(inc[t])
        if a != b or len(full[t]) != len(inc[t]):
            out[t] = (sorted(a - b)[:3], sorted(b - a)[:3], len(full[t]), len(inc[t]))
    return out


def latest_run(con: duckdb.DuckDBPyConnection) -> dict:
    cur = con.execute("SELECT * FROM enrich_runs ORDER BY enrich_id DESC LIMIT 1")
    return dict(zip([d[0] for d in cur.description], fetch_one(cur), strict=True))


# -- the generated corpus, split by hand -------------------------------------------------


def _joining_parent(con: duckdb.DuckDBPyConnection, early: set[str]) -> str | None:
    """A message whose absence splits its thread in two (its replies do not name the
    thread's root), among ``early``."""
    rows = con.execute('SELECT message_id, in_reply_to, "references", date, thread_id '
                       "FROM messages").fetchall()
    by_thread = defaultdict(list)
    for r in rows:
        by_thread[r[4]].append(r)
    children: defaultdict[str, int] = defaultdict(int)
    for r in rows:
        if r[1]:
            children[r[1]] += 1
    for mid, _irt, _refs, _date, tid in sorted(rows, key=lambda r: r[0]):
        if mid not in early or children[mid] == 0 or mid == tid:
            continue
        rest = [r for r in by_thread[tid] if r[0] != mid]
        roots = thread_ids([r[0] for r in rest], [r[1] for r in rest], [r[2] for r in rest],
                           [r[3] for r in rest])
        if len(set(roots)) > 1:
            return mid
    return None


def choose_part2(con: duckdb.DuckDBPyConnection, *, new_address: bool
                 ) -> tuple[set[str], dict[str, str]]:
    """Message-IDs for part 2, and why each planted one is there; the database holds the
    whole sample, enriched. ``new_address``: also a maintainer's second address."""
    dates = [r[0] for r in con.execute(
        "SELECT message_id FROM messages ORDER BY date NULLS FIRST, message_id").fetchall()]
    n = len(dates)
    part2 = set(dates[int(n * 0.94):])  # the newest mails
    early = set(dates[: int(n * 0.7)])
    why: dict[str, str] = {}

    def pick(reason: str, sql: str) -> list[str]:
        found = [r[0] for r in con.execute(sql).fetchall() if r[0] in early]
        assert found, f"the sample has no {reason}"
        return found

    parent = _joining_parent(con, early)
    if parent is not None:
        why[parent] = "joins two threads"
    orphaned = pick("message with two replies", """
        SELECT m.message_id FROM messages m JOIN messages r ON r.in_reply_to = m.message_id
        WHERE NOT m.is_cover GROUP BY m.message_id HAVING count(*) >= 2
        ORDER BY m.message_id""")[0]
    why[orphaned] = "parent of orphans"
    # a later version posted in a thread of its own (not as a reply to the earlier one)
    v2, v1 = next((v, p) for v, p in con.execute("""
        SELECT s.series_id, s.prev_series_id FROM series s
        JOIN messages mv ON mv.message_id = s.series_id
        JOIN messages mp ON mp.message_id = s.prev_series_id
        WHERE s.next_series_id IS NULL AND mv.thread_id <> mp.thread_id
        ORDER BY s.series_id""").fetchall() if v in early and p in early)
    for (mid,) in con.execute("SELECT message_id FROM messages WHERE series_id = ?",
                              [v2]).fetchall():
        why[mid] = "later version"
    cover = next(c for c in pick("cover letter with patches", """
        SELECT series_id FROM series WHERE has_cover AND n_patches >= 2
        ORDER BY series_id""") if c not in (v1, v2))
    why[cover] = "cover letter"
    answered = pick("answered posting", """
        SELECT s.series_id FROM series s WHERE outcome_detail = 'discussed' AND n_responses = 1
        ORDER BY series_id""")
    reply = None
    for sid in answered:
        if sid in why:
            continue
        found = con.execute("""
            SELECT m.message_id FROM messages m JOIN message_authors a USING (message_id)
            JOIN series s ON s.series_id = m.series_id
            WHERE m.series_id = ? AND m.is_reply AND NOT a.is_bot
              AND a.person_id IS DISTINCT FROM s.author_person_id
            ORDER BY m.date LIMIT 1""", [sid]).fetchall()
        if found:
            reply = found[0][0]
            break
    assert reply is not None
    why[reply] = "first response"
    applied = pick("applied reply", """
        SELECT m.message_id FROM messages m JOIN series s ON s.series_id = m.series_id
        WHERE m.applied_notice IS NOT NULL AND s.outcome = 'applied' ORDER BY m.message_id""")
    why[next(a for a in applied if a not in why)] = "applied reply"
    part2 |= set(why)
    if not new_address:
        return part2, why
    # a maintainer's second address (MAINTAINERS names it) that first writes in part 2:
    # the person's answers from the other address become maintainer responses
    second = con.execute("""
        SELECT a.email FROM person_addresses a
        JOIN (SELECT unnest(maintainers) AS email FROM subsystems) s USING (email)
        WHERE a.person_id IN (SELECT person_id FROM person_addresses GROUP BY ALL
                              HAVING count(*) >= 2) AND a.email <> a.person_id
        ORDER BY a.email LIMIT 1""").fetchall()
    assert second, "the sample has no maintainer with a second address"
    for (mid,) in con.execute("SELECT message_id FROM messages WHERE from_email = ?",
                              [second[0][0]]).fetchall():
        why.setdefault(mid, "maintainer's second address")
    part2 |= set(why)
    return part2, why


def split_mboxes(con: duckdb.DuckDBPyConnection, mboxes: list[Path], part2: set[str],
                 relist: str | None, out: Path) -> tuple[list[Path], list[Path]]:
    """Cut every mbox at its messages' From_ lines (offsets from message_sources) into
    part1/ and part2/ files of the same names; every copy follows its message, except
    the ``relist`` message's copies after the first (they go to part 2)."""
    firsts: dict[str, tuple[str, int]] = {}
    for mid, path, off in con.execute(
            "SELECT message_id, path, byte_offset FROM message_sources "
            "ORDER BY path, byte_offset").fetchall():
        firsts.setdefault(mid, (path, off))
    owner = {(p, o): m for m, p, o in con.execute(
        "SELECT message_id, path, byte_offset FROM message_sources").fetchall()}
    parts: tuple[list[Path], list[Path]] = ([], [])
    for mbox in mboxes:
        data = mbox.read_bytes()
        cuts = sorted({0, *(o for p, o in owner if p == str(mbox))})
        chunks: tuple[list[bytes], list[bytes]] = ([], [])
        for i, start in enumerate(cuts):
            end = cuts[i + 1] if i + 1 < len(cuts) else len(data)
            mid = owner.get((str(mbox), start))
            # (``cast``: firsts is only read when mid == relist, a str)
            late = mid in part2 or (mid == relist and firsts[cast(str, mid)] != (str(mbox), start))
            chunks[1 if late else 0].append(data[start:end])
        for k in (0, 1):
            path = out / f"part{k + 1}" / mbox.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"".join(chunks[k]))
            parts[k].append(path)
    return parts


def set_inputs(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    set_maintainers(con, sample / "MAINTAINERS")
    set_org_inputs(con, domain_maps=[sample / "domain-map"])
    if (sample / "kernel.git").exists():
        set_kernel_tree(con, sample / "kernel.git")


@pytest.fixture(scope="module", params=["mails", "mails and kernel tree"])
def split(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """``kernel tree``: the sample's kernel git tree is an input too (its commits are
    "applied" evidence, which ties series with the same patch subject together)."""
    out = tmp_path_factory.mktemp("incremental")
    sample = out / "sample"
    write_sample(sample, seed=11, scale=1500, formats=("mbox",),
                 git_tree=request.param != "mails")
    mboxes = sorted((sample / "mbox").glob("*.mbox"))
    ref = out / "ref.duckdb"
    run_ingest(mboxes, ref)
    store = Database(ref)
    set_inputs(store.con, sample)
    run_stages(store.con)
    # with a kernel tree, a person changing makes the series stage recompute whole (the
    # commits name people): leave that out to test its incremental path
    part2, why = choose_part2(store.con, new_address=request.param == "mails")
    relist = next(m for (m,) in store.con.execute(
        "SELECT message_id FROM messages WHERE len(lists) >= 2 ORDER BY date, message_id"
    ).fetchall() if m not in part2)
    why[relist] = "copy from a second list"
    part1_files, part2_files = split_mboxes(store.con, mboxes, part2 - {relist}, relist, out)
    store.close()

    # the whole, enriched whole
    full_db = out / "full.duckdb"
    run_ingest([*part1_files, *part2_files], full_db)
    store = Database(full_db)
    set_inputs(store.con, sample)
    run_stages(store.con)
    full = dump(store.con)
    store.close()

    # part 1, enriched; then part 2, enriched after the ingest as `lorelens ingest` does
    inc_db = out / "inc.duckdb"
    run_ingest(part1_files, inc_db)
    store = Database(inc_db)
    set_inputs(store.con, sample)
    enrich(store.con)
    before = dump(store.con)
    store.close()
    log: list[str] = []
    run_ingest(part2_files, inc_db,
               after_load=lambda st, counts: enrich_if_changed(st.con, counts, log.append))
    con = duckdb.connect(str(inc_db))
    yield {"full": full, "before": before, "inc": dump(con), "log": log, "why": why,
           "con": con, "sample": sample, "part2": part2, "param": request.param}
    con.close()


def test_incremental_equals_full(split):
    assert differences(split["full"], split["inc"]) == {}


def test_incremental_path_was_taken(split):
    con = split["con"]
    run = latest_run(con)
    assert run["mode"] == "incremental", run
    assert 0 < run["n_new"] < run["n_messages"]
    assert run["n_recomputed"] < run["n_messages"]
    assert any(x.startswith("enrichment: incremental") for x in split["log"]), split["log"]
    series_line = next(x for x in split["log"] if x.startswith("series: "))
    assert "incremental: recomputed" in series_line
    assert con.execute("SELECT count(*) FROM enrich_runs").fetchall()[0][0] == 2


def test_part2_changes_old_rows(split):
    """The planted cases really change rows that part 1 had written (else the
    comparison above would prove little)."""
    before = {t: set(rows) for t, rows in split["before"].items()}
    changed = {t: set(rows) - before[t] for t, rows in split["inc"].items()}
    con = split["con"]
    why = split["why"]

    def old_rows_changed(table: str, sql: str) -> bool:
        return any(repr(r) in changed[table] for r in con.execute(sql).fetchall())

    # the cover letter: its part-1 patches now belong to its series
    cover = next(m for m, w in why.items() if w == "cover letter")
    assert old_rows_changed("messages", "SELECT message_id, thread_id, series_id FROM messages "
                            f"WHERE series_id = '{cover}' AND message_id <> '{cover}'")
    # the later version supersedes a part-1 series
    assert any("'superseded'" in r for r in changed["series"])
    # the first response and the applied reply change part-1 series
    for reason in ("first response", "applied reply"):
        mid = next(m for m, w in why.items() if w == reason)
        sid = con.execute("SELECT series_id FROM messages WHERE message_id = ?",
                          [mid]).fetchall()[0][0]
        assert sid is not None and any(f"'{sid}'" in r for r in changed["series"]), reason
    # the second list's copy adds a list
    relist = next(m for m, w in why.items() if w == "copy from a second list")
    assert con.execute("SELECT len(lists) FROM messages WHERE message_id = ?",
                       [relist]).fetchall()[0][0] >= 2
    # the maintainer's second address joins its person
    people = next(x for x in split["log"] if x.startswith("people: "))
    assert ("; 0 addresses changed person" in people) == (split["param"] != "mails"), people
    # the end of observation moves for series that part 2 does not touch
    assert len(changed["series"]) > 0 and len(changed["posts"]) > 0


def test_nothing_new_does_nothing_and_full_is_forced(split, tmp_path):
    con = split["con"]
    assert plan_enrichment(con).mode == "none"
    log: list[str] = []
    assert enrich(con, log.append) == {}
    assert "nothing new" in log[0]
    assert plan_enrichment(con, full=True).mode == "full"


# -- when the whole must be recomputed ---------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    sample = tmp_path / "sample"
    write_sample(sample, seed=3, scale=300, formats=("mbox",))
    db = tmp_path / "s.duckdb"
    run_ingest(sorted((sample / "mbox").glob("*.mbox")), db)
    store = Database(db)
    set_inputs(store.con, sample)
    enrich(store.con)
    yield store.con
    store.close()


def test_first_run_is_full_then_up_to_date(small):
    run = latest_run(small)
    assert (run["mode"], run["reason"]) == ("full", "no earlier enrichment")
    assert run["n_recomputed"] == run["n_messages"]
    assert plan_enrichment(small).mode == "none"


def test_deleted_message_forces_full(small):
    mid = small.execute("SELECT message_id FROM messages ORDER BY message_id LIMIT 1"
                        ).fetchall()[0][0]
    small.execute("DELETE FROM messages WHERE message_id = ?", [mid])
    plan = plan_enrichment(small)
    assert plan.mode == "full" and "deleted" in plan.reason


def test_changed_input_forces_full(small, tmp_path):
    sample = tmp_path / "sample"
    text = (sample / "domain-map").read_text()
    (tmp_path / "other-map").write_text(text + "\nnew-corp.example New Corp\n")
    set_org_inputs(small, domain_maps=[tmp_path / "other-map"])
    plan = plan_enrichment(small)
    assert (plan.mode, plan.reason) == ("full", "enrichment inputs changed")


def test_other_version_forces_full(small):
    small.execute("UPDATE enrich_runs SET version = 'enrich 0'")
    plan = plan_enrichment(small)
    assert plan.mode == "full" and "version" in plan.reason


def test_failed_run_leaves_tables_and_state_as_they_were(small, monkeypatch):
    """Enrichment is one transaction: a stage that fails after others wrote rolls back
    every table and the enrich_runs row, so the next run still has the work to do."""
    from ingest.enrich import stages

    before = dump(small)
    runs = small.execute("SELECT count(*) FROM enrich_runs").fetchall()[0][0]
    small.execute("UPDATE enrich_runs SET version = 'enrich 0'")  # forces a full run

    def boom(ctx):
        raise RuntimeError("series stage failed")

    monkeypatch.setattr(stages, "STAGES", tuple(
        stages.Stage(s.name, s.description, boom if s.name == "series" else s.run)
        for s in stages.STAGES))
    small.execute("UPDATE messages SET thread_id = NULL")
    with pytest.raises(RuntimeError):
        enrich(small)
    assert small.execute("SELECT count(*) FROM messages WHERE thread_id IS NULL"
                         ).fetchall()[0][0] > 0
    assert small.execute("SELECT count(*) FROM enrich_runs").fetchall()[0][0] == runs
    monkeypatch.undo()
    enrich(small)
    assert dump(small) == before


def test_enrichment_is_not_bound_by_the_ingest_memory_cap(small):
    """Ingest caps DuckDB's memory (it appends in batches and DuckDB spills the rest);
    enrichment rewrites whole tables in one transaction, whose undo data cannot spill, so
    it runs with DuckDB's own limit and puts the cap back afterwards. With the cap, a
    million messages ran out of memory; a 16 MB cap stands in for that here."""
    small.execute("UPDATE enrich_runs SET version = 'enrich 0'")  # forces a full run
    small.execute("SET memory_limit = '16MB'")
    cap = small.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    runs = small.execute("SELECT count(*) FROM enrich_runs").fetchall()[0][0]
    enrich(small)
    assert small.execute("SELECT count(*) FROM enrich_runs").fetchall()[0][0] == runs + 1
    assert latest_run(small)["mode"] == "full"
    # the cap is back (DuckDB shows and takes it back to 0.1 MiB)
    after = small.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert (after.split()[1], cap.split()[1]) == ("MiB", "MiB")
    assert abs(float(after.split()[0]) - float(cap.split()[0])) <= 0.1



def test_enrichment_memory_limit_is_set_and_grows_with_the_archive(small):
    """An enrichment runs under a DuckDB memory limit (not DuckDB's default of most of
    the machine): a floor and an allowance per stored message, since what its one
    transaction cannot spill grows with the messages; the limit before comes back."""
    small.execute("SET memory_limit = '16MB'")
    cap = small.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    for n in (0, 1_000_000):
        with working_memory(small, n):
            shown = small.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        value, unit = shown.split()
        want = (ENRICH_MEMORY_FLOOR + ENRICH_MEMORY_PER_MESSAGE * n) / 2**20
        got = float(value) * {"MiB": 1, "GiB": 1024}[unit]
        assert abs(got - want) <= 0.05 * 1024, (n, shown)
    # back to the limit before (DuckDB shows, and takes back, a limit to ~0.1 MiB; each
    # block here takes it back once)
    back = small.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert (back.split()[1], cap.split()[1]) == ("MiB", "MiB")
    assert abs(float(back.split()[0]) - float(cap.split()[0])) <= 0.3

# -- the real linux-watchdog archive -----------------------------------------------------

WATCHDOG = shared_root() / "data/archives/linux-watchdog.vger.kernel.org.0.git"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.slow
def test_watchdog_last_five_percent(tmp_path):
    """The archive up to 95% of its commits, enriched; then the rest, ingested and
    enriched incrementally: every table as in a database enriched whole."""
    if not WATCHDOG.exists():
        skip_or_fail(f"shared archive not available: {WATCHDOG}")
    shared = shared_root() / "data"
    repo = tmp_path / "linux-watchdog.vger.kernel.org.0.git"
    _git("clone", "-q", "--bare", str(WATCHDOG), str(repo))
    head = _git("-C", str(repo), "rev-parse", "HEAD")
    branch = _git("-C", str(repo), "symbolic-ref", "HEAD")
    n = int(_git("-C", str(repo), "rev-list", "--count", "HEAD"))

    def inputs(con):
        set_maintainers(con, shared / "MAINTAINERS")
        set_org_inputs(con, domain_maps=sorted((shared / "gitdm").iterdir()))

    full_db = tmp_path / "full.duckdb"
    run_ingest([repo], full_db, jobs=None)
    store = Database(full_db)
    inputs(store.con)
    run_stages(store.con)
    full = dump(store.con)
    store.close()

    inc_db = tmp_path / "inc.duckdb"
    _git("-C", str(repo), "update-ref", branch, f"{head}~{n // 20}")
    run_ingest([repo], inc_db, jobs=None)
    store = Database(inc_db)
    inputs(store.con)
    enrich(store.con)
    store.close()
    _git("-C", str(repo), "update-ref", branch, head)
    log: list[str] = []
    run_ingest([repo], inc_db, jobs=None,
               after_load=lambda st, counts: enrich_if_changed(st.con, counts, log.append))
    con = duckdb.connect(str(inc_db), read_only=True)
    try:
        run = latest_run(con)
        inc = dump(con)
    finally:
        con.close()
    assert run["mode"] == "incremental", (run, log)
    assert 0 < run["n_new"] <= n // 20
    assert run["n_recomputed"] < run["n_messages"] // 2
    assert differences(full, inc) == {}


def test_new_directory_redirects_older_paths():
    """``F: drivers/frob`` matches ``drivers/frob.c`` as a file-name prefix until a diff
    shows ``drivers/frob/`` is a directory: those older paths must be matched again."""
    from ingest.enrich.stages import _redirected

    old = ["drivers/frob.c", "drivers/frobnicate.c", "drivers/widget/a.c", "./drivers/frob.h"]
    assert _redirected(old, ["drivers/widget/b.c"]) == []
    assert _redirected(old, ["drivers/frob/core.c"]) == [
        "./drivers/frob.h", "drivers/frob.c", "drivers/frobnicate.c"]


def test_enrichment_does_not_depend_on_string_hashing(tmp_path):
    """Two processes with different ``PYTHONHASHSEED`` write the same tables: no result
    may follow the iteration order of a set of strings."""
    sample = tmp_path / "sample"
    write_sample(sample, seed=5, scale=600, formats=("mbox",))
    mboxes = [str(p) for p in sorted((sample / "mbox").glob("*.mbox"))]
    dumps = []
    for seed in ("1", "2"):
        db = tmp_path / f"h{seed}.duckdb"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for args in (
            ["maintainers", str(sample / "MAINTAINERS")],
            ["orgs", "--domain-map", str(sample / "domain-map")],
            ["ingest", *mboxes, "--quiet"],
        ):
            subprocess.run([sys.executable, "-m", "cli", *args, "--db", str(db)], env=env,
                           check=True, capture_output=True, cwd=Path(__file__).parents[1])
        con = duckdb.connect(str(db), read_only=True)
        try:
            dumps.append(dump(con))
        finally:
            con.close()
    assert differences(*dumps) == {}
