"""Registry entries of the data-quality reports: which dates are not the mail's own, and
what each ingest run read, stored and could not store (docs/metrics.md, "Data quality
and provenance"). Like every report, each is one SQL file here."""

from __future__ import annotations

from analytics.reports import Column, Report
from analytics.reports.params import LIST, SINCE, UNTIL

C = Column

PROVENANCE: tuple[Report, ...] = (
    Report(
        "untrusted_dates",
        "Messages dated by the archive, not by their Date header",
        "Every message whose date is not its Date header's (missing, unparsable, with an "
        "impossible time zone, before 1991 or in the future: date_source is not "
        "'header'), which then carries the archive's time of its first copy; one row "
        "per archived copy, the first copy first, with where it is so the raw mail can "
        "be read (`lorelens raw MESSAGE_ID`). since and until are by that stored date "
        "(docs/metrics.md, Data quality and provenance; docs/schema.md, Dates).",
        params=(LIST, SINCE, UNTIL),
        columns=(
            C("message_id", "the message"),
            C("date", "the date stored: the archive's time of its first copy (NULL: none)"),
            C("date_source", "why: archive:missing | archive:unparsable | "
              "archive:bad-offset | archive:too-old | archive:future | none"),
            C("date_raw", "the Date header as written (NULL: there was none)"),
            C("archive_time", "the archive's time of the first copy"),
            C("from_email", "its sender's address"),
            C("subject", "its subject"),
            C("list", "the list this copy was archived under"),
            C("kind", "the copy's source kind: public-inbox-v1 | public-inbox-v2 | remote "
              "| mbox | maildir"),
            C("source", "the source as given to lorelens ingest (path or URL)"),
            C("epoch", "public-inbox epoch (NULL: mbox, maildir)"),
            C("git_dir", "the bare repository holding the copy (NULL: mbox, maildir)"),
            C("commit", "the commit that added it (NULL: mbox, maildir)"),
            C("blob", "its blob: git --git-dir GIT_DIR cat-file -p BLOB prints the mail"),
            C("path", "the mbox or maildir file (NULL: git sources)"),
            C("byte_offset", "offset of the copy in the mbox (NULL: not an mbox)"),
            C("duplicate", "first (the copy the message and its date come from) | "
              "other-list | same-content | different-content | deleted"),
        ),
    ),
    Report(
        "ingest_runs",
        "Ingest runs: what each read, stored and could not store",
        "One row per lorelens ingest run, oldest first, with its counters as logged "
        "(they add up: read = new + cross-posted + duplicate + failed + deletion items) "
        "and the mails it could not parse, counted by reason; ingest_errors lists those "
        "mails one by one. A run whose status is still 'running' while no ingest is "
        "going on was killed (docs/metrics.md, Data quality and provenance).",
        columns=(
            C("run_id", "the run"),
            C("started_at", "its start"),
            C("finished_at", "its end (NULL: still going, or killed)"),
            C("status", "running | ok | interrupted | failed"),
            C("sources", "the sources given (paths, URLs)"),
            C("n_read", "raw items read: mails, deletions, empty commits"),
            C("n_new", "new messages stored"),
            C("n_cross_posted", "copies of a stored mail from another list"),
            C("n_duplicate", "copies already stored, or repeating a stored or deleted "
              "Message-ID"),
            C("n_failed", "items that could not be stored (the errors logged)"),
            C("n_deleted", "messages removed by public-inbox deletions"),
            C("deletion_items", "n_read − n_new − n_cross_posted − n_duplicate − n_failed: "
              "the deletions read"),
            C("errors_logged", "rows of ingest_errors of this run"),
            C("error_reasons", "their reasons, each with its count, most frequent first"),
            C("seconds", "wall time, enrichment included (NULL: never finished)"),
            C("msgs_per_sec", "n_read / seconds"),
            C("version", "the lorelens version that ran"),
        ),
    ),
    Report(
        "ingest_errors",
        "Mails that could not be stored, and why",
        "Every raw item an ingest run could not store (a mail that could not be parsed, "
        "a deletion without a Message-ID), with the run, why, and where the raw item is, "
        "oldest run first; the run goes on past them (docs/metrics.md, Data quality and "
        "provenance; docs/schema.md, ingest_errors).",
        columns=(
            C("run_id", "the run that met it"),
            C("logged_at", "when it was recorded"),
            C("stage", "read | parse | load"),
            C("reason", "why it could not be stored"),
            C("source", "the source as given to lorelens ingest (path or URL)"),
            C("kind", "source kind, as in message_sources.kind"),
            C("epoch", "public-inbox epoch (NULL: not a git source)"),
            C("commit", "the commit holding the item (NULL: not a git source)"),
            C("blob", "its blob (NULL: not a git source, or a commit with neither m nor d)"),
            C("path", "the mbox or maildir file (NULL: git sources)"),
            C("byte_offset", "offset in the mbox (NULL: not an mbox)"),
            C("raw_size", "size of the raw item in bytes"),
        ),
    ),
)
