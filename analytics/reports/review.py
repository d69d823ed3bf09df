"""Registry entries of the reports on review work and where patches end: who gives review
tags, patches nobody answered, outcomes by the author's organisation kind and how many
versions a patch set needs (docs/metrics.md). Like every report, each is one SQL file
here, runnable with ``lorelens report``."""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import ORG_KIND, SCOPE

C = Column

REVIEW: tuple[Report, ...] = (
    Report(
        "top_reviewers",
        "Who gives review tags",
        "Per person, the Reviewed-by, Acked-by and Tested-by tags they gave in replies "
        "(not those carried in a patch), counted for the reply's sender as every review "
        "is; bots' replies are left out. With the posts and series they reviewed, the "
        "organisation kind they had at most of their tags, and the subsystems of the "
        "posts they reviewed. The scope: the series' list, the reviewed post's subsystem "
        "(else its series'), the date the tag was given, and org_kind for the reviewer's "
        "kind at that date. Rows are ordered by review tags; all are shown "
        "(docs/metrics.md, Top reviewers).",
        params=(*SCOPE, ORG_KIND),
        columns=(
            C("reviewer", "the person who sent the replies (id: most used address)"),
            C("name", "their name"),
            C("review_tags", "Reviewed-by and Acked-by tags they gave in replies"),
            C("reviewed_by", "of those, Reviewed-by"),
            C("acked_by", "of those, Acked-by"),
            C("tested_by", "Tested-by tags they gave in replies (apart: not a review)"),
            C("posts_reviewed", "distinct patches and cover letters with a Reviewed-by or "
              "Acked-by of theirs"),
            C("series_reviewed", "distinct series (postings) with one"),
            C("usual_org_kind", "their organisation kind at most of their tags (ties: "
              "alphabetical)"),
            C("subsystems", "MAINTAINERS sections of the posts they reviewed, most "
              "reviewed first"),
            C("first_given_at", "date of their first tag in the scope"),
            C("last_given_at", "date of their latest tag in the scope"),
        ),
    ),
    Report(
        "unanswered_patches",
        "Patches without any response, per subsystem",
        "Per MAINTAINERS section of each patch (its own files; a patch counts in each of "
        "its sections and once in 'all'): the patches posted, those with no response "
        "below the patch itself, those whose whole series went unanswered or was "
        "ignored, and those with a review tag given below them. Reviewers often answer "
        "the cover letter or one patch for a whole series, so without_response is much "
        "larger than in_unanswered_series. Stable backports are left out "
        "(docs/metrics.md, Unanswered patches).",
        params=(*SCOPE, ORG_KIND),
        columns=(
            C("subsystem", "MAINTAINERS section of the patch's files, or 'all'"),
            C("patches", "patches posted in the scope"),
            C("without_response", "of those, with no response below the patch itself"),
            C("share_without_response", "without_response / patches (0-1)"),
            C("in_unanswered_series", "patches whose series got no response at all"),
            C("in_ignored_series", "patches whose series' outcome is ignored (no response "
              "within 30 days, no later version)"),
            C("with_review_tag", "patches with a Reviewed-by / Acked-by given in a reply "
              "below them"),
        ),
    ),
    Report(
        "outcomes_by_org_kind",
        "Series outcomes by the author's organisation kind",
        "The outcomes of series_outcomes per organisation kind of the author at posting "
        "(corporate, individual, academic, unknown, each always listed, and 'all'), RFCs "
        "and stable backports left out: applied, superseded, discussed, ignored and "
        "pending, the ignored rate (of the series whose outcome can be told) and the "
        "applied rate (of the last posting of each patch set, i.e. those not "
        "superseded) (docs/metrics.md, Outcomes by organisation kind).",
        params=SCOPE,
        columns=(
            C("org_kind", "corporate | individual | academic | unknown | all"),
            C("series", "postings of a series in the scope (not RFC, not a backport)"),
            C("applied", "outcome applied"),
            C("superseded", "outcome superseded (a later version exists)"),
            C("discussed", "answered within 30 days, nothing decided (outcome pending)"),
            C("ignored", "no response within 30 days and no later version"),
            C("pending", "no response yet, observed for less than 30 days"),
            C("ignored_rate", "ignored / (series − pending), 0-1 (NULL when none)"),
            C("applied_rate", "applied / (series − superseded), 0-1 (NULL when none)"),
        ),
    ),
    Report(
        "versions_needed",
        "How many versions a patch set needs",
        "Postings grouped into patch sets by their version key (all versions and resends "
        "of one change: b4's change-id, else author and subject), counted by the number "
        "of distinct versions each set had in the scope, with an 'all' row: patch sets, "
        "their postings and resends, how many were applied (any posting), and how the "
        "others stand (their last posting ignored, or still undecided). RFCs and stable "
        "backports are left out (docs/metrics.md, Versions needed).",
        params=(*SCOPE, ORG_KIND),
        columns=(
            C("versions", "distinct versions of the patch set in the scope (1, 2, ...), or "
              "'all'"),
            C("patch_sets", "patch sets (version keys) with that many versions"),
            C("postings", "their postings, resends included"),
            C("resends", "postings repeating a version already posted (RESEND, or sent "
              "twice)"),
            C("applied", "patch sets with an applied posting"),
            C("last_ignored", "not applied, and the last posting (highest version, then "
              "latest) was ignored"),
            C("undecided", "not applied, and the last posting is pending or discussed"),
            C("applied_rate", "applied / patch_sets (0-1)"),
        ),
    ),
)
