"""Series grouping and version linking on small hand-made postings (pure functions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ingest.enrich.series import Post, backport_branch, group_series, link_versions

T0 = dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)


def post(mid: str, counter: int, total: int, *, minutes: int = 0, cover: bool = False,
         diff: bool = True, irt: str | None = None, version: int = 1, rfc: bool = False,
         author: str = "a", subject: str = "frob: fix", branch: str = "") -> Post:
    return Post(
        message_id=mid, author=author, author_email=f"{author}@x.org",
        date=T0 + dt.timedelta(minutes=minutes), subject=subject, version=version,
        counter=counter, total=total, is_cover=cover, is_patch=diff and not cover,
        is_rfc=rfc, is_resend=False, in_reply_to=irt, references=(irt,) if irt else (),
        change_id=None, lists=("l@x.org",), branch=branch,
    )


def test_unnumbered_diffless_posting_is_the_cover_of_the_patch_below_it():
    # "[PATCH v3] foo" without a diff, the patch itself sent as a reply to it
    anchor, series = group_series([
        post("c", 1, 1, diff=False, version=3),
        post("p", 1, 1, minutes=1, irt="c", version=3),
    ])
    assert anchor == {"c": "c", "p": "c"}
    assert series["c"].patch_ids == ["p"]


def test_patches_in_reply_to_a_review_join_their_cover():
    # v2 0/2 and its patches all answer a review of v1: threaded under nothing of theirs
    anchor, _ = group_series([
        post("c", 0, 2, cover=True, version=2, irt="review"),
        post("p1", 1, 2, minutes=1, version=2, irt="review"),
        post("p2", 2, 2, minutes=1, version=2, irt="review"),
    ])
    assert anchor == {"c": "c", "p1": "c", "p2": "c"}


def test_unthreaded_fallback_does_not_take_a_second_copy_of_a_patch_number():
    anchor, _ = group_series([
        post("a2", 2, 6, irt="gone-1"), post("b2", 2, 6, minutes=2, irt="gone-2"),
    ])
    assert anchor == {"a2": "a2", "b2": "b2"}


def test_rfc_on_some_patches_only_is_still_one_series():
    anchor, series = group_series([
        post("c", 0, 2, cover=True), post("p1", 1, 2, irt="c"),
        post("p2", 2, 2, irt="c", rfc=True),
    ])
    assert anchor == {"c": "c", "p1": "c", "p2": "c"}
    assert series["c"].is_rfc


def test_rfc_then_patch_of_the_same_version_is_a_later_version():
    _a, series = group_series([
        post("rfc", 1, 1, rfc=True), post("patch", 1, 1, minutes=60 * 24 * 30),
    ])
    link_versions(series)
    assert series["patch"].prev_series_id == "rfc" and series["patch"].resend_of is None
    assert series["rfc"].later_version


def test_stable_backports_by_branch():
    assert backport_branch(["PATCH", "AUTOSEL", "6.6", "01/23"]) == "AUTOSEL 6.6"
    assert backport_branch(["PATCH", "5.10", "012/123"]) == "5.10"
    assert backport_branch(["PATCH", "v3", "2/5"]) == ""
    # the same pick for two branches: two postings, not one
    anchor, series = group_series([
        post("a1", 1, 1, branch="AUTOSEL 6.6"), post("b1", 1, 1, minutes=1,
                                                        branch="AUTOSEL 6.1"),
    ])
    link_versions(series)
    assert anchor == {"a1": "a1", "b1": "b1"}
    assert series["b1"].resend_of is None


def test_patches_answering_a_cover_weeks_later_are_a_new_posting():
    anchor, _ = group_series([
        post("c", 0, 43, cover=True), post("p1", 1, 43, irt="c"),
        post("late12", 12, 43, minutes=60 * 24 * 38, irt="c"),
        post("late13", 13, 43, minutes=60 * 24 * 38 + 1, irt="c"),
    ])
    assert anchor["p1"] == "c"
    assert anchor["late12"] == "late12" and anchor["late13"] == "late12"


def test_versions_before_b4_change_id_join_the_change_id_line():
    base: dict[str, Any] = dict(subject="arm: ep93xx: device tree conversion")
    _a, series = group_series([
        post("v1", 1, 1, **base),
        post("v4", 1, 1, minutes=60 * 24 * 90, version=4, **base),
    ])
    series["v4"].change_id = "20230601-ep93xx-3a2b1c0d9e8f"
    link_versions(series)
    assert series["v4"].prev_series_id == "v1"
    assert series["v1"].version_key == series["v4"].version_key
    assert series["v1"].later_version


def test_applied_notice_counts_from_maintainers_and_bots_only():
    """docs/metrics.md, "Outcome": "applied" is a maintainer's reply or a bot's notice; a tester's
    or bystander's "Applied" line does not decide the outcome (with MAINTAINERS known)."""
    from ingest.enrich.review import Node, ReplyIndex, post_events

    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def node(mid, parent, hours, person, bot=False, notice=None, post=False):
        return Node(mid, parent, t0 + dt.timedelta(hours=hours), person, bot, post, notice)

    index = ReplyIndex([
        node("p", None, 0, "author", post=True),
        node("r1", "p", 1, "bystander", notice="Applied on my tree, works"),
        node("r2", "p", 2, "maint", notice="Applied to wdt-next, thanks!"),
        node("q", None, 0, "author", post=True),
        node("r3", "q", 3, "bystander", notice="Applied, thanks"),
        node("r4", "q", 4, "patchwork-bot", bot=True, notice="This patch was applied to x"),
    ])
    maint = frozenset({"maint"})
    ev = post_events(index, "p", "author", maint, {}, appliers=maint)
    assert (ev.applied_by, ev.applied_at) == ("maint", t0 + dt.timedelta(hours=2))
    ev = post_events(index, "q", "author", maint, {}, appliers=maint)
    assert ev.applied_by == "patchwork-bot"
    # without MAINTAINERS nobody is known to be a maintainer: any sender counts
    assert post_events(index, "p", "author", frozenset(), {}).applied_by == "bystander"


def test_review_tags_attach_to_the_post_they_answer(tmp_path):
    """A tag in a reply goes to the nearest post above it, however deep the reply; a tag
    carried in a later version's patch goes to that patch (docs/metrics.md, "Review tag")."""
    from ingest.enrich.stages import run_stages
    from ingest.load import Database
    from tests.conftest import run_ingest, write_v1

    def mail(mid, subject, sender, day, body, parent=None):
        head = (f"From: {sender}\nSubject: {subject}\nMessage-ID: <{mid}>\n"
                f"Date: Mon, {day} Jan 2024 10:00:00 +0000\n")
        if parent:
            head += f"In-Reply-To: <{parent}>\nReferences: <{parent}>\n"
        return (head + "\n" + body).encode()

    diff = ("---\ndiff --git a/drivers/wdt.c b/drivers/wdt.c\n--- a/drivers/wdt.c\n"
            "+++ b/drivers/wdt.c\n@@ -1 +1 @@\n-int a;\n+int b;\n")
    ann, rev, tst = ("Ann Author <ann@corp.example>", "Rita Reviewer <rita@corp.example>",
                     "Tom Tester <tom@corp.example>")
    mails = [
        mail("c@x", "[PATCH 0/1] wdt: things", ann, 1, "cover\n"),
        mail("p@x", "[PATCH 1/1] wdt: change a", ann, 1,
             f"Change it.\n\nSigned-off-by: {ann}\n{diff}", "c@x"),
        mail("r1@x", "Re: [PATCH 1/1] wdt: change a", rev, 2,
             "> Change it.\n\nLooks good.\n\nReviewed-by: Rita Reviewer <rita@corp.example>\n",
             "p@x"),
        mail("r2@x", "Re: [PATCH 1/1] wdt: change a", ann, 3, "> Looks good.\n\nThanks!\n",
             "r1@x"),
        mail("r3@x", "Re: [PATCH 1/1] wdt: change a", tst, 4,
             "> Thanks!\n\nTested-by: Tom Tester <tom@corp.example>\n", "r2@x"),
        mail("r4@x", "Re: [PATCH 0/1] wdt: things", rev, 4,
             "> cover\n\nAcked-by: Rita Reviewer <rita@corp.example>\n", "c@x"),
        mail("v2@x", "[PATCH v2] wdt: change a", ann, 9,
             f"Change it.\n\nReviewed-by: Rita Reviewer <rita@corp.example>\n"
             f"Signed-off-by: {ann}\n{diff}"),
    ]
    db = tmp_path / "x.duckdb"
    run_ingest([write_v1(tmp_path / "l.git", mails)], db)
    store = Database(db)
    try:
        run_stages(store.con)
        got = sorted(store.con.execute(
            "SELECT post_id, message_id, kind, person_id, carried FROM review_tags").fetchall())
        first = store.con.execute(
            "SELECT first_review_carried, first_review_by FROM series WHERE series_id = 'v2@x'"
        ).fetchall()
    finally:
        store.close()
    assert got == [
        ("c@x", "r4@x", "acked-by", "rita@corp.example", False),
        ("p@x", "r1@x", "reviewed-by", "rita@corp.example", False),
        ("p@x", "r3@x", "tested-by", "tom@corp.example", False),
        ("v2@x", "v2@x", "reviewed-by", "rita@corp.example", True),
    ]
    assert first == [(True, "rita@corp.example")]


def test_applied_reply_without_a_date_still_applies():
    """A maintainer's "Applied" in a reply with no usable date (no Date header and no
    archive time) decides the outcome; applied_at stays NULL, a dated notice wins."""
    from ingest.enrich.review import Events, Node, ReplyIndex, post_events

    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    index = ReplyIndex([
        Node("p", None, t0, "author", False, True, None),
        Node("r", "p", None, "maint", False, False, "Applied, thanks!"),
    ])
    ev = post_events(index, "p", "author", frozenset({"maint"}), {})
    assert (ev.applied_notice, ev.applied_at, ev.applied_by) == ("Applied, thanks!", None, "maint")
    dated = Events(applied_at=t0, applied_by="bot", applied_notice="This patch was applied")
    merged = Events()
    merged.merge(ev)
    merged.merge(dated)
    assert merged.applied_notice == "This patch was applied"
    undated_second = Events()
    undated_second.merge(dated)
    undated_second.merge(ev)
    assert undated_second.applied_notice == "This patch was applied"


def test_stage_summary_counts_the_contract_outcomes() -> None:
    from ingest.enrich.series_stage import _summary

    text = _summary({"applied": 3, "superseded": 2, "ignored": 1, "pending": 1,
                     "discussed": 4, "backport": 5})
    assert text == ("16 series; outcome: 3 applied, 2 superseded, 1 ignored, "
                    "5 pending (4 discussed); 5 stable backports (no outcome)")
    assert _summary({"applied": 1}) == (
        "1 series; outcome: 1 applied, 0 superseded, 0 ignored, 0 pending")
