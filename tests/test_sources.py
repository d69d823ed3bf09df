"""Source kinds: every kind yields the mails byte for byte, with its archive time.

The archives are real: bare git repositories written by git fast-import the way
public-inbox writes them, mboxrd files (plain and gzip), maildirs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import pytest

from core.errors import SourceError
from ingest import sources
from ingest.model import Deletion, RawMail, SourceKind
from ingest.sources.gitstream import commit_range, head_ref, iter_commits, read_objects
from tests.conftest import (
    Entry,
    add_commits,
    odd_mails,
    times,
    write_maildir,
    write_mbox,
    write_v1,
    write_v2,
)

MAILS = odd_mails()


def read_all(spec: Path | str, state: dict[int, str] | None = None, label: str | None = None):
    units = sources.plan(str(spec), state or {}, label=label, mirrors=Path("/nonexistent"))
    out = []
    for u in units:
        out += [item for item, _marker in u.read()]
    return units, out


def build(kind: str, tmp: Path, mails=MAILS) -> Path:
    whens = times(len(mails))
    if kind == "v1":
        return write_v1(tmp / "test-list.example.org.0.git", mails, whens)
    if kind == "v2":
        half = len(mails) // 2
        ents = [Entry(m, w) for m, w in zip(mails, whens, strict=True)]
        return write_v2(tmp / "inbox", [ents[:half], ents[half:]])
    if kind == "mbox":
        return write_mbox(tmp / "list.mbox", mails, whens)
    if kind == "mbox.gz":
        return write_mbox(tmp / "list.mbox.gz", mails, whens, gz=True)
    if kind == "maildir":
        return write_maildir(tmp / "maildir", mails, whens)
    raise AssertionError(kind)


KINDS = {
    "v1": SourceKind.PUBLIC_INBOX_V1,
    "v2": SourceKind.PUBLIC_INBOX_V2,
    "mbox": SourceKind.MBOX,
    "mbox.gz": SourceKind.MBOX,
    "maildir": SourceKind.MAILDIR,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_yields_the_mails_byte_for_byte(kind: str, tmp_path: Path) -> None:
    spec = build(kind, tmp_path)
    assert sources.detect(str(spec)) == KINDS[kind]
    _units, items = read_all(spec)
    assert all(isinstance(i, RawMail) for i in items)
    assert [i.data for i in items] == MAILS
    assert [i.archive_time for i in items] == times(len(MAILS))
    assert all(i.location.kind == KINDS[kind] for i in items)


def test_mboxrd_from_quoting_is_undone(tmp_path: Path) -> None:
    body = b"From the start\n>From quoted\n>>From twice\nFrom: not a header\n"
    mail = b"From: a@example.com\nSubject: s\nMessage-ID: <q@x>\n\n" + body
    path = write_mbox(tmp_path / "q.mbox", [mail, mail.replace(b"<q@x>", b"<r@x>")])
    raw = path.read_bytes()
    assert b"\n>From the start\n>>From quoted\n>>>From twice\n" in raw
    _units, items = read_all(path)
    assert [i.data for i in items] == [mail, mail.replace(b"<q@x>", b"<r@x>")]


def test_mbox_locations_point_at_the_from_lines(tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "l.mbox", MAILS[:5])
    raw = path.read_bytes()
    _units, items = read_all(path)
    for item in items:
        assert raw[item.location.byte_offset :].startswith(b"From mboxrd@z ")


def test_v1_label_comes_from_the_repository_name(tmp_path: Path) -> None:
    spec = build("v1", tmp_path)
    units, items = read_all(spec)
    assert units[0].label == "test-list@example.org"
    assert {i.location.list for i in items} == {"test-list@example.org"}
    _units, items = read_all(spec, label="other@lists.example.org")
    assert {i.location.list for i in items} == {"other@lists.example.org"}


def test_v1_incremental_from_the_last_commit(tmp_path: Path) -> None:
    spec = build("v1", tmp_path, MAILS[:4])
    units = sources.plan(str(spec), {}, mirrors=tmp_path)
    markers = [m for _i, m in units[0].read()]
    add_commits(spec, [Entry(m, w) for m, w in zip(MAILS[4:7], times(3), strict=True)])
    units, items = read_all(spec, {0: cast(str, markers[-1])})  # a git source's marker
    assert [i.data for i in items] == MAILS[4:7]
    assert not units[0].rescan


def test_an_epoch_with_nothing_new_is_an_empty_range(tmp_path: Path) -> None:
    repo = write_v1(tmp_path / "l.git", MAILS[:2])
    head = head_ref(repo)
    assert head is not None
    assert commit_range(repo, head) == ([], False)  # no git process to check or count
    units, items = read_all(repo, {0: head})
    assert (units[0].total, units[0].rescan, items) == (0, False, [])


def test_v1_gone_marker_means_rescan(tmp_path: Path) -> None:
    spec = build("v1", tmp_path, MAILS[:3])
    units, items = read_all(spec, {0: "0" * 40})
    assert units[0].rescan and len(items) == 3


def test_v2_epochs_and_deletions(tmp_path: Path) -> None:
    t = times(5)
    inbox = write_v2(tmp_path / "inbox", [
        [Entry(MAILS[0], t[0]), Entry(MAILS[1], t[1])],
        [Entry(MAILS[2], t[2]), Entry(MAILS[1], t[3], file="d"), Entry(MAILS[3], t[4])],
    ])
    units, items = read_all(inbox)
    assert [u.epoch for u in units] == [0, 1]
    assert [type(i).__name__ for i in items] == [
        "RawMail", "RawMail", "RawMail", "Deletion", "RawMail"]
    assert isinstance(items[3], Deletion) and items[3].data == MAILS[1]
    assert [i.location.epoch for i in items] == [0, 0, 1, 1, 1]


def test_read_objects_answers_each_name_in_order(tmp_path: Path) -> None:
    """One batch read from git: blobs with their ids, in the order asked; a missing
    object and a tree (where a blob was expected) are (None, None), and the answers after
    them are still the right ones."""
    repo = build("v1", tmp_path, MAILS[:3])
    shas = [sha for sha, _t in iter_commits(repo, ["HEAD"])]
    names = [f"{shas[0]}:m", f"{shas[0]}:d", f"{shas[1]}^{{tree}}", "0" * 40,
             f"{shas[2]}:m", f"{shas[1]}:m"]
    found = read_objects(repo, names)
    assert [data for _oid, data in found] == [MAILS[0], None, None, None, MAILS[2], MAILS[1]]
    assert [oid is not None for oid, _data in found] == [True, False, False, False, True, True]
    assert read_objects(repo, []) == []
    with pytest.raises(SourceError, match="cat-file"):
        read_objects(tmp_path / "not-a-repo", names)


def test_read_objects_without_a_temporary_folder_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git's answer goes to a temporary file: no writable TMPDIR is a SourceError that
    says so (one line from the command), not an OSError traceback."""
    import tempfile

    repo = build("v1", tmp_path, MAILS[:1])
    shas = [sha for sha, _t in iter_commits(repo, ["HEAD"])]
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    with pytest.raises(SourceError, match="TMPDIR"):
        read_objects(repo, [f"{shas[0]}:m"])


def test_empty_epoch_is_fine(tmp_path: Path) -> None:
    inbox = write_v2(tmp_path / "inbox", [[Entry(MAILS[0], times(1)[0])], []])
    _units, items = read_all(inbox)
    assert [i.data for i in items] == [MAILS[0]]


def test_maildir_reads_new_and_cur(tmp_path: Path) -> None:
    md = write_maildir(tmp_path / "md", MAILS[:3])
    moved = next((md / "cur").iterdir())  # the writer files mails as seen (in cur/)
    moved.rename(md / "new" / moved.name.split(":")[0])
    _units, items = read_all(md)
    assert sorted(i.data for i in items) == sorted(MAILS[:3])


@pytest.mark.parametrize("what", ["missing", "text-file", "empty-dir", "plain-git-dir"])
def test_not_an_archive(what: str, tmp_path: Path) -> None:
    path = tmp_path / "x"
    if what == "text-file":
        path.write_text("hello\n")
    elif what == "empty-dir":
        path.mkdir()
    elif what == "plain-git-dir":
        (path / "git").mkdir(parents=True)
    with pytest.raises(SourceError) as err:
        sources.detect(str(path))
    assert str(path) in str(err.value)


def test_mbox_archive_time_from_asctime(tmp_path: Path) -> None:
    when = dt.datetime(1999, 12, 31, 23, 59, 58, tzinfo=dt.UTC)
    path = write_mbox(tmp_path / "t.mbox", [MAILS[0]], [when])
    _units, items = read_all(path)
    assert items[0].archive_time == when
