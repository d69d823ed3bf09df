"""Series grouping and version linking on small hand-made postings (pure functions)."""

from __future__ import annotations

import datetime as dt

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
    base = dict(subject="arm: ep93xx: device tree conversion")
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
    """Issue #4: "applied" is a maintainer's reply or patchwork-bot's notice; a tester's
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
