"""Registry entries of the reports that explore single things rather than count them:
the dashboard's series explorer and person pages, and the values its filters offer.
Like every report, each is one SQL file here, runnable with ``lorelens report``."""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import LIST, ORG_KIND, SCOPE, SINCE, SUBSYSTEM, UNTIL, Param

C = Column

OUTCOMES = ("applied", "superseded", "ignored", "pending", "discussed", "backport")
Q = Param("q", "text", "part of the subject, the author's address or name, or a series id")
OUTCOME = Param("outcome", "choice", "only this outcome (or outcome detail)", choices=OUTCOMES)
LIMIT = Param("limit", "int", "show at most this many rows", default=200, minimum=1)
SERIES_ID = Param("series_id", "text", "the series (Message-ID of its cover letter or "
                  "first patch, as in series.series_id)")
PERSON = Param("person", "text", "a person_id or any of the person's addresses")

EXPLORE: tuple[Report, ...] = (
    Report(
        "scope_values",
        "Lists, subsystems and days on offer",
        "Every archived list with its messages, every MAINTAINERS section that series "
        "touch with their series, and the first and last day with a trusted date.",
        columns=(
            C("kind", "list | subsystem | first_day | last_day"),
            C("value", "the list address, the section title, or the day (YYYY-MM-DD)"),
            C("n", "messages of the list, series of the section, messages with a "
                   "trusted date"),
        ),
    ),
    Report(
        "schema_columns",
        "Tables and columns of the database",
        "Every table of the database and its columns in order, with their SQL types "
        "(docs/schema.md describes each).",
        columns=(
            C("table_name", "the table"),
            C("column_name", "the column"),
            C("data_type", "its SQL type"),
        ),
    ),
    Report(
        "section_contacts",
        "Whom to write to, and where",
        "Per MAINTAINERS section: its status, its lists (L:) and those archived here, "
        "and its maintainers (M:) and reviewers (R:) with their names, as in the file.",
        params=(SUBSYSTEM,),
        columns=(
            C("subsystem", "MAINTAINERS section"),
            C("status", "its S: line"),
            C("lists", "its L: lists: where to send patches"),
            C("lists_archived", "of those, the lists archived in this database"),
            C("maintainers", "its M: lines, 'Name <address>'"),
            C("reviewers", "its R: lines, 'Name <address>'"),
        ),
    ),
    Report(
        "series_search",
        "Series matching a search",
        "Postings of a series in the scope whose subject, author address or name "
        "contains the search text (any case), newest first. matches counts all of "
        "them; at most limit rows are listed.",
        params=(*SCOPE, ORG_KIND, Q, OUTCOME, LIMIT),
        columns=(
            C("series_id", "the series (its cover letter's or first patch's Message-ID)"),
            C("posted_at", "when it was posted (UTC)"),
            C("version", "its version (1 without vN)"),
            C("subject", "its subject without prefixes"),
            C("author", "the author's name (or address)"),
            C("author_org_kind", "the author's organisation kind at the time"),
            C("subsystems", "MAINTAINERS sections of its patches"),
            C("lists", "lists it was posted to"),
            C("n_patches", "patches in the posting"),
            C("n_responses", "responses below it (not the author, not bots)"),
            C("outcome", "applied | superseded | ignored | pending | discussed | backport"),
            C("hours_to_first_response", "hours from posting to the first response"),
            C("matches", "how many series match, in all"),
        ),
    ),
    Report(
        "series_versions",
        "The versions of a series",
        "Every posting linked to the series by its version key (b4 change-id, else "
        "author and normalised subject): versions and resends, oldest first.",
        params=(SERIES_ID,),
        columns=(
            C("series_id", "the posting"),
            C("version", "its version"),
            C("is_rfc", "an RFC posting"),
            C("is_resend", "a RESEND"),
            C("posted_at", "when it was posted"),
            C("subject", "its subject"),
            C("n_patches", "patches"),
            C("n_responses", "responses below it"),
            C("first_response_at", "first response"),
            C("first_maintainer_response_at", "first response from a maintainer"),
            C("first_review_at", "first Reviewed-by / Acked-by"),
            C("first_review_kind", "reviewed-by or acked-by"),
            C("outcome", "its outcome detail"),
            C("applied_notice", "the line (or commit) that made it applied"),
            C("is_this", "the posting asked for"),
        ),
    ),
    Report(
        "series_messages",
        "The messages of a series, all versions",
        "Cover letters, patches and the replies below them, of every version of the "
        "series, in date order, with the review tags given in each reply.",
        params=(SERIES_ID,),
        columns=(
            C("date", "when it was written (UTC)"),
            C("version", "the version it belongs to"),
            C("kind", "cover letter | patch | reply | message"),
            C("subject", "its subject"),
            C("sender", "the sender's name (or address)"),
            C("from_email", "the sender's address"),
            C("review_tags", "Reviewed-by / Acked-by / Tested-by given in it"),
            C("applied_notice", "its 'applied' line, if any"),
            C("list", "the first list that archived it (for its lore link)"),
            C("message_id", "its Message-ID"),
            C("series_id", "the posting it belongs to"),
        ),
    ),
    Report(
        "person_activity",
        "A person: sections, series, responses",
        "The MAINTAINERS sections that list the person (M: or R:), and in the scope "
        "the series they posted, the series they answered first (as maintainer when "
        "they are one of its sections'), and those they gave the first review tag.",
        params=(LIST, SUBSYSTEM, SINCE, UNTIL, PERSON),
        columns=(
            C("what", "section | authored | first response | first review tag"),
            C("happened_at", "when (UTC)"),
            C("detail", "the section title, or the series' subject"),
            C("role", "maintainer / reviewer, the outcome, how they answered"),
            C("series_id", "the series"),
        ),
    ),
)
