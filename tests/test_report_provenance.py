"""The data-quality reports (docs/metrics.md, "Data quality and provenance"): dates that
are not the Date header's, checked against the corpus' planted dates, and the ingest
runs and errors of real ingests with bad input."""

from __future__ import annotations

import collections
from typing import Any

from tests.conftest import make_mail, report_records, run_ingest, write_mbox


def test_untrusted_dates_are_the_planted_ones_with_every_copy(report_db):
    """Each planted archive-dated mail is listed once per list that archived it, its
    first copy first, with the archive's time as its date."""
    planted = {m["message_id"]: m for m in report_db.truth["messages"]
               if m["date_source"] != "header" and not m.get("duplicate")}
    rows = report_records(report_db.path, "untrusted_dates")
    copies = collections.Counter(r["message_id"] for r in rows)
    assert copies == {mid: len(m["lists"]) for mid, m in planted.items()}
    assert len(planted) >= 5
    firsts: dict[str, dict[str, Any]] = {}
    for r in rows:
        firsts.setdefault(r["message_id"], r)
    for mid, first in firsts.items():
        want = planted[mid]
        assert first["duplicate"] == "first", mid
        assert first["date_source"] == want["date_source"], mid
        assert first["date"].isoformat().replace("+00:00", "Z") == want["date"], mid
        assert first["date"] == first["archive_time"]
        assert first["git_dir"].endswith(".git") and len(first["blob"]) == 40
    listed = {r["list"] for r in rows}
    one = sorted(listed)[0]
    assert {r["message_id"] for r in report_records(report_db.path, "untrusted_dates",
                                             {"list": one})} == {
        mid for mid, m in planted.items() if one in m["lists"]}


def test_ingest_runs_and_errors_of_real_runs(tmp_path):
    """Run 1 reads an mbox with three mails (one without a Date) and two items that are
    no mail; run 2 reads it again: every mail a duplicate, the two errors again."""
    good = [make_mail(0), make_mail(1, date=None), make_mail(2)]
    garbage = b"this is not a mail at all\nno headers, nothing\n"
    path = write_mbox(tmp_path / "l.mbox", [good[0], garbage, good[1], b"\n", good[2]])
    db = tmp_path / "db.duckdb"
    run_ingest([path], db)
    run_ingest([path], db)
    runs = report_records(db, "ingest_runs")
    assert [r["run_id"] for r in runs] == [1, 2]
    first, second = runs
    assert (first["n_read"], first["n_new"], first["n_failed"], first["errors_logged"]) == (
        5, 3, 2, 2)
    assert (second["n_new"], second["n_duplicate"]) == (0, 3)
    for r in runs:
        assert r["status"] == "ok" and r["sources"] == [str(path)]
        assert r["errors_logged"] == r["n_failed"]
        assert r["deletion_items"] == 0
        assert sum(int(x.rsplit("(", 1)[1].rstrip(")")) for x in r["error_reasons"]) == (
            r["errors_logged"])
    errors = report_records(db, "ingest_errors")
    assert [e["run_id"] for e in errors] == [1, 1, 2, 2]
    raw = path.read_bytes()
    for e in errors:
        assert (e["kind"], e["path"], e["stage"]) == ("mbox", str(path), "parse")
        assert raw[e["byte_offset"]:].startswith(b"From ") and e["reason"]
    (undated,) = report_records(db, "untrusted_dates")
    assert (undated["message_id"], undated["date_source"]) == ("mail-1@example.com",
                                                              "archive:missing")
    assert (undated["kind"], undated["path"], undated["duplicate"]) == ("mbox", str(path),
                                                                       "first")
    assert raw[undated["byte_offset"]:].startswith(b"From ")
