"""Enrichment on the real linux-watchdog archive: spot checks written from the raw mails.

Needs the shared data (archives, MAINTAINERS, gitdm maps): skips without it, fails when
the environment variable CI is set.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.enrich.inputs import set_maintainers, set_org_inputs
from ingest.enrich.stages import run_stages
from ingest.load import Database
from ingest.pipeline import ingest

SHARED = Path(os.environ.get("LORELENS_SHARED",
                             Path(__file__).resolve().parents[2] / "shared"))
WATCHDOG = SHARED / "data/archives/linux-watchdog.vger.kernel.org.0.git"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def watchdog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    if not WATCHDOG.exists():
        if os.environ.get("CI"):
            pytest.fail(f"shared archive missing: {WATCHDOG}")
        pytest.skip(f"shared archive not available: {WATCHDOG}")
    db = tmp_path_factory.mktemp("watchdog") / "w.duckdb"
    ingest([str(WATCHDOG)], db, mirrors=db.parent / "mirrors", show_progress=False)
    store = Database(db)
    set_maintainers(store.con, SHARED / "data/MAINTAINERS")
    set_org_inputs(store.con, domain_maps=sorted((SHARED / "data/gitdm").iterdir()))
    run_stages(store.con)
    yield store.con
    store.close()


def test_watchdog_core_patch_maps_to_watchdog_section(watchdog):
    # Rasmus Villemoes' 2019 patch touches only drivers/watchdog/watchdog_dev.c
    mid = "20190605140628.618-4-rasmus.villemoes@prevas.dk"
    subs = watchdog.execute(
        "SELECT list(subsystem ORDER BY subsystem) FROM message_subsystems WHERE message_id = ?",
        [mid],
    ).fetchall()[0][0]
    assert subs == ["WATCHDOG DEVICE DRIVERS"]


def test_multi_version_series_is_linked(watchdog):
    # Ahmad Fatoum's f71808e_wdt conversion: v2 (2020-10) → v3 (2021-02) → v3 again
    # (2021-04) → v4 (2021-07) → v5 (2021-08)
    rows = watchdog.execute(
        "SELECT version, series_id, prev_series_id, resend_of FROM series "
        "WHERE subject = 'watchdog: f71808e_wdt: migrate to new kernel API' "
        "ORDER BY posted_at"
    ).fetchall()
    assert [r[0] for r in rows] == [2, 3, 3, 4, 5]
    v2, v3, v3_again, v4, v5 = rows
    assert v3[2] == v2[1]
    assert v3_again[3] == v3[1] and v3_again[2] is None
    assert v4[2] == v3_again[1]
    assert v5[2] == v4[1]
    outcomes = dict(watchdog.execute(
        "SELECT version, outcome FROM series WHERE series_id IN (?, ?)", [v2[1], v4[1]]
    ).fetchall())
    assert outcomes == {2: "superseded", 4: "superseded"}


def test_patchwork_bot_reply_is_not_a_response(watchdog):
    series = "20221118224540.619276-1-uwe@kleine-koenig.org"
    bot_replies, first_by = watchdog.execute(
        "SELECT n_bot_replies, first_response_by FROM series WHERE series_id = ?", [series]
    ).fetchall()[0]
    assert bot_replies >= 1
    assert first_by is not None and "patchwork" not in first_by
    assert watchdog.execute(
        "SELECT count(*) FROM series WHERE first_response_by LIKE 'patchwork-bot%' "
        "OR first_response_by = 'lkp@intel.com'"
    ).fetchall()[0][0] == 0


def test_long_version_chain_with_reposts(watchdog):
    # the Nuvoton NCT6694 MFD series: v2 … v14, v14 posted four times (2025-07 … 2025-09)
    rows = watchdog.execute(
        "SELECT version, series_id, prev_series_id, resend_of FROM series "
        "WHERE subject = 'Add Nuvoton NCT6694 MFD drivers' ORDER BY posted_at"
    ).fetchall()
    assert [r[0] for r in rows] == [*range(2, 15), 14, 14, 14]
    for before, after in itertools.pairwise(rows[:13]):
        assert after[2] == before[1]  # each version points at the one before
    for before, after in itertools.pairwise(rows[12:]):
        assert after[3] == before[1] and after[2] is None  # reposts of v14


def test_every_patch_has_a_series_and_a_subsystem(watchdog):
    missing = watchdog.execute(
        "SELECT count(*) FILTER (series_id IS NULL), "
        "count(*) FILTER (message_id NOT IN (SELECT message_id FROM message_subsystems)) "
        "FROM messages WHERE is_patch"
    ).fetchall()[0]
    assert missing == (0, 0)


def test_outcomes_cover_every_series(watchdog):
    n, applied, ignored = watchdog.execute(
        "SELECT count(*), count(*) FILTER (outcome = 'applied'), "
        "count(*) FILTER (outcome = 'ignored') FROM series"
    ).fetchall()[0]
    assert n > 1500 and applied > 100 and ignored > 100
    # every applied series can be checked by a person: the line that said so is kept
    assert watchdog.execute(
        "SELECT count(*) FROM series WHERE outcome = 'applied' AND applied_notice IS NULL"
    ).fetchall()[0][0] == 0
