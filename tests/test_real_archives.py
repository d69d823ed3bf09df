"""The two real archives of the shared folder, ingested whole.

linux-watchdog (16,365 mails) and live-patching (7,162 mails) are public-inbox v1
repositories copied from lore.kernel.org. The spot checks below were written from the
raw mails (``git show <commit>:m``), not from lorelens' output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LIVEPATCH, WATCHDOG, last_run, rows, run_ingest, scalar, table_digest

pytestmark = pytest.mark.slow

EXPECTED = {WATCHDOG: 16_365, LIVEPATCH: 7_162}
TABLES = ("messages", "trailers", "message_sources", "deleted_messages", "source_state")


@pytest.fixture(scope="module")
def ingested(shared_archives: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each archive ingested into its own database, then ingested a second time."""
    out = {}
    for name in EXPECTED:
        db = tmp_path_factory.mktemp(name.split(".")[0]) / "db.duckdb"
        run_ingest([shared_archives / name], db, jobs=None)
        first = last_run(db)
        digests = {t: table_digest(db, t) for t in TABLES}
        run_ingest([shared_archives / name], db, jobs=None)
        out[name] = {"db": db, "first": first, "second": last_run(db), "digests": digests}
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_mail_is_read_once(ingested: dict[str, dict], name: str) -> None:
    db, first = ingested[name]["db"], ingested[name]["first"]
    assert first["status"] == "ok"
    assert first["n_read"] == EXPECTED[name]
    assert first["n_failed"] == 0 and first["n_deleted"] == 0
    assert scalar(db, "SELECT count(*) FROM message_sources") == EXPECTED[name]
    messages = scalar(db, "SELECT count(*) FROM messages")
    copies = scalar(db, "SELECT count(*) FROM message_sources WHERE duplicate <> 'first'")
    assert messages + copies == EXPECTED[name]
    assert scalar(db, "SELECT count(*) FROM message_sources WHERE duplicate = 'first'") == messages
    assert scalar(db, "SELECT count(*) FROM ingest_errors") == 0
    assert scalar(db, "SELECT count(*) FROM messages WHERE date IS NULL") == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_second_run_adds_nothing(ingested: dict[str, dict], name: str) -> None:
    db, second = ingested[name]["db"], ingested[name]["second"]
    assert (second["status"], second["n_read"], second["n_new"]) == ("ok", 0, 0)
    assert {t: table_digest(db, t) for t in TABLES} == ingested[name]["digests"]


def test_list_labels(ingested: dict[str, dict]) -> None:
    got = rows(ingested[WATCHDOG]["db"],
               "SELECT DISTINCT list FROM message_sources ORDER BY 1")
    assert ("linux-watchdog@vger.kernel.org",) in got


def test_watchdog_patch_spot_check(ingested: dict[str, dict]) -> None:
    """[PATCH v3 2/4] watchdog: cadence_wdt (quoted-printable, iso-8859-1; its diffstat
    says 1 file, 12 insertions, 6 deletions)."""
    db = ingested[WATCHDOG]["db"]
    got = rows(db, "SELECT is_patch, is_reply, patch_version, patch_counter, patch_total, files, "
                   "lines_added, lines_removed, from_email, in_reply_to, date FROM messages "
                   "WHERE message_id = '20190709200801.42313-3-tomas.melin@vaisala.com'")
    assert len(got) == 1
    (is_patch, is_reply, version, counter, total, files, added, removed, sender, parent,
     date) = got[0]
    assert (is_patch, is_reply, version, counter, total) == (True, False, 3, 2, 4)
    assert files == ["drivers/watchdog/cadence_wdt.c"]
    assert (added, removed) == (12, 6)
    assert sender == "tomas.melin@vaisala.com"
    assert parent == "20190709200801.42313-1-tomas.melin@vaisala.com"
    assert date.isoformat() == "2019-07-09T20:09:05+00:00"
    assert rows(db, "SELECT kind, email FROM trailers WHERE message_id = "
                    "'20190709200801.42313-3-tomas.melin@vaisala.com' ORDER BY position") == [
        ("signed-off-by", "tomas.melin@vaisala.com")]


def test_watchdog_review_spot_check(ingested: dict[str, dict]) -> None:
    """Guenter Roeck's Reviewed-by of [PATCH 5/5] watchdog: coh901327; the quoted
    Signed-off-by and Reviewed-by of the patch must not count as his."""
    db = ingested[WATCHDOG]["db"]
    got = rows(db, "SELECT kind, name, email, in_reply, target_message_id FROM trailers "
                   "WHERE message_id = '20190429163701.GA14063@roeck-us.net'")
    assert got == [("reviewed-by", "Guenter Roeck", "linux@roeck-us.net", True,
                    "1556034515-28792-6-git-send-email-paul.gortmaker@windriver.com")]
    assert rows(db, "SELECT is_reply, is_patch FROM messages "
                    "WHERE message_id = '20190429163701.GA14063@roeck-us.net'") == [(True, False)]


def test_livepatch_patch_spot_check(ingested: dict[str, dict]) -> None:
    """[PATCH 3/4] livepatch/samples/selftest (Message-Id spelled that way): two files,
    36 lines added and 25 removed (counted with grep on the raw mail)."""
    db = ingested[LIVEPATCH]["db"]
    mid = "20200116153145.2392-4-pmladek@suse.com"
    assert rows(db, "SELECT is_patch, patch_version, patch_counter, patch_total, files, "
                    "lines_added, lines_removed FROM messages WHERE message_id = ?", [mid]) == [
        (True, 1, 3, 4, ["lib/livepatch/test_klp_shadow_vars.c",
                         "samples/livepatch/livepatch-shadow-fix1.c"], 36, 25)]
    assert rows(db, "SELECT kind, email FROM trailers WHERE message_id = ? ORDER BY position",
                [mid]) == [("reported-by", "dan.carpenter@oracle.com"),
                           ("signed-off-by", "pmladek@suse.com")]


def test_livepatch_ack_spot_check(ingested: dict[str, dict]) -> None:
    """Miroslav Benes' Acked-by, given below two levels of quoting."""
    db = ingested[LIVEPATCH]["db"]
    got = rows(db, "SELECT kind, email, in_reply, target_message_id FROM trailers "
                   "WHERE message_id = '177442832293.70541.15179138173140080388.b4-reply@b4'")
    assert got == [("acked-by", "mbenes@suse.cz", True, "acKje1XMQMQQYBIL@redhat.com")]
