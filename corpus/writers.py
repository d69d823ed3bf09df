"""Archive writers: public-inbox v2 (epochs written as git packs by ``corpus.gitpack``),
v1, mboxrd (plain and gzip) and maildir.  Each gets the mails of one list in archive-time
order as that list's ``Copy`` (the exact bytes to store, git objects prepared).

The same writers build the tests' archives from mail bytes written by hand: ``raw_mail``
makes the copy and mail of such bytes, archived at a given time (docs/corpus.md)."""

from __future__ import annotations

import gzip
import os
import re
from binascii import hexlify
from pathlib import Path
from typing import BinaryIO

from corpus.gitpack import BLOB, COMMIT, PackWriter, Prepared, prepare, prepare_tree
from corpus.model import LIST_HOST, Mail
from corpus.render import archived_copies, asctime

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
    # (kernel.git is still written by fast-import) fast-import frees and re-grows its heap
    # for every object; without these glibc returns memory to the kernel each time
    "MALLOC_TOP_PAD_": str(256 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(512 << 20),
}
_MBOXRD = re.compile(rb"^(>*From )", re.M)
_BAD_IDENT = str.maketrans("", "", "<>\n")


def init_bare(git_dir: Path, include: str | None = None, description: str | None = None) -> None:
    """A minimal bare repository, as ``git init --bare`` or public-inbox would leave it."""
    for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
        (git_dir / sub).mkdir(parents=True, exist_ok=True)
    (git_dir / "HEAD").write_text("ref: refs/heads/master\n")
    cfg = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"
    if include:
        cfg += f"[include]\n\tpath = {include}\n"
    (git_dir / "config").write_text(cfg)
    if description:
        (git_dir / "description").write_text(description + "\n")


#: Largest number of objects per pack: a v2 epoch (<= 50,000 messages, three objects each)
#: fits in one; a v1 repository of a million messages is spread over several packs so the
#: writer's index (id, CRC, offset per object) stays small.
MAX_PACK_OBJECTS = 150_003
_TREE_ENTRY = {"m": b"100644 m\0", "d": b"100644 d\0"}


#: One list's copy of a mail: (raw, blob, tree) = the stored bytes (list server prefix +
#: mail) and, when a git format is written, its blob and one-file tree (``m``, or ``d`` for
#: the deletion), prepared where the mail was rendered (``corpus.gitpack.prepare``).  A
#: plain tuple: it is pickled for every mail, and a NamedTuple unpickles several times
#: slower.
Copy = tuple[bytes, Prepared | None, Prepared | None]


def list_copies(mail: Mail, is_delete: bool, git: bool) -> tuple[Copy, ...]:
    """The copies of ``mail`` for each of its lists (cross-posted copies differ only in the
    list server's prefix), with the git objects prepared if ``git``."""
    raws = archived_copies(mail.lists, mail.archive_ts, mail.body)
    if not git:
        return tuple([(raw, None, None) for raw in raws])
    entry = _TREE_ENTRY["d" if is_delete else "m"]
    out = []
    for raw in raws:
        blob = prepare(BLOB, raw)
        out.append((raw, blob, prepare_tree(entry, blob[0])))
    return tuple(out)


class CommitLog:
    """``refs/heads/master`` of a bare repository: one commit per mail whose tree holds the
    single file ``m`` (or ``d``), written straight into packs (``corpus.gitpack``).  A
    branch that exists already (a loose ref) gets the new commits on top.

    The objects are exactly those ``git fast-import`` wrote before (same ids: the tests
    compare both): blob = the raw mail, tree = one ``100644`` entry, commit = ``tree``,
    ``parent``, ``author <name> <<email>> <date> <tz>``, ``committer``, a blank line and
    the subject without a trailing newline.
    """

    def __init__(self, git_dir: Path, committer: str) -> None:
        self.git_dir = git_dir
        self._cmt = f"\ncommitter {committer} ".encode()
        self._idents: dict[tuple[str, str], bytes] = {}
        self._pack = PackWriter(git_dir)
        ref = git_dir / "refs" / "heads" / "master"
        self.head: bytes | None = bytes.fromhex(ref.read_text()) if ref.is_file() else None
        # "parent <hex>\n" of the next commit
        self._parent = b"parent %s\n" % hexlify(self.head) if self.head else b""
        self.count = 0

    def commit(self, copy: Copy, mail: Mail, at: int, atz: str, ct: int) -> None:
        pack = self._pack
        if pack.count >= MAX_PACK_OBJECTS:
            pack.close()
            pack = self._pack = PackWriter(self.git_dir)
        _, blob, prepared_tree = copy
        assert blob is not None and prepared_tree is not None
        pack.put(blob)
        tree = pack.put(prepared_tree)
        body = b"tree %s\n%s%s%d %s%s%d +0000\n\n%s" % (
            hexlify(tree),
            self._parent,
            self._ident(mail),
            at,
            atz.encode(),
            self._cmt,
            ct,
            mail.subject.replace("\n", " ").encode(),
        )
        head = self.head = pack.put(prepare(COMMIT, body))
        self._parent = b"parent %s\n" % hexlify(head)
        self.count += 1

    def _ident(self, mail: Mail) -> bytes:
        key = (mail.sender_name, mail.from_addr)
        ident = self._idents.get(key)
        if ident is None:
            if len(self._idents) > 20_000:
                self._idents.clear()
            name = key[0].translate(_BAD_IDENT)
            email = key[1].translate(_BAD_IDENT)
            ident = self._idents[key] = f"author {name} <{email}> ".encode()
        return ident

    def close(self) -> None:
        self._pack.close()
        if self.head is not None:
            (self.git_dir / "refs" / "heads" / "master").write_text(self.head.hex() + "\n")


def author_time(mail: Mail) -> tuple[int, str]:
    """public-inbox uses the Date header for the author time, the receipt for committer."""
    if mail.date_ts is None or mail.date_ts <= 0:
        return mail.archive_ts, "+0000"
    return mail.date_ts, mail.date_tz


class V2Inbox:
    """``<dir>/git/N.git`` epochs plus ``all.git``, ``inbox.lock`` and ``description``."""

    def __init__(self, root: Path, list_name: str, first_cap: int, cap: int = 50_000) -> None:
        self.root = root
        self.list_name = list_name
        self.first_cap, self.cap = first_cap, cap
        self.epoch = -1
        self.log: CommitLog | None = None
        (root / "git").mkdir(parents=True, exist_ok=True)
        (root / "description").write_text(
            f"{list_name}@{LIST_HOST}: sample archive written by lorelens (corpus generator)\n"
        )
        (root / "inbox.lock").write_bytes(b"")
        init_bare(root / "all.git")
        self.committer = f"{list_name} <{list_name}@{LIST_HOST}>"

    def next_epoch(self) -> CommitLog:
        """Start the next epoch (``add`` does when the current one is full)."""
        if self.log is not None:
            self.log.close()
        self.epoch += 1
        gd = self.root / "git" / f"{self.epoch}.git"
        init_bare(gd, include="../../all.git/config")
        self.log = CommitLog(gd, self.committer)
        return self.log

    def add(self, copy: Copy, mail: Mail) -> None:
        log = self.log
        limit = self.first_cap if self.epoch == 0 else self.cap
        if log is None or log.count >= limit:
            log = self.next_epoch()
        at, atz = author_time(mail)
        log.commit(copy, mail, at, atz, mail.archive_ts)

    def delete(self, copy: Copy, mail: Mail) -> None:
        """The deletion commit: the tree holds ``d`` (``copy.tree`` was prepared so)."""
        log = self.log or self.next_epoch()
        at, atz = author_time(mail)
        assert mail.deleted_at is not None
        log.commit(copy, mail, at, atz, mail.deleted_at)

    def close(self) -> int:
        if self.log is not None:
            self.log.close()
        alts = "".join(f"../../git/{i}.git/objects\n" for i in range(self.epoch + 1))
        (self.root / "all.git" / "objects" / "info" / "alternates").write_text(alts)
        return self.epoch + 1


class V1Repo:
    def __init__(self, git_dir: Path, list_name: str) -> None:
        init_bare(git_dir, description=f"{list_name}@{LIST_HOST} (public-inbox v1 sample)")
        self.log = CommitLog(git_dir, f"{list_name} <{list_name}@{LIST_HOST}>")

    def add(self, copy: Copy, mail: Mail) -> None:
        at, atz = author_time(mail)
        self.log.commit(copy, mail, at, atz, mail.archive_ts)

    def close(self) -> None:
        self.log.close()


class Mbox:
    """mboxrd: ``From `` lines (and already-quoted ones) in bodies get one more ``>``.

    The same bytes go to ``path`` and, gzip-compressed, to ``gz_path`` (either may be
    None)."""

    def __init__(self, path: Path | None, gz_path: Path | None) -> None:
        self._sinks: list[BinaryIO | gzip.GzipFile] = []  # written to, then closed in this order
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._sinks.append(open(path, "wb", buffering=1 << 20))  # noqa: SIM115
        self._gz_raw: BinaryIO | None = None
        if gz_path is not None:
            gz_path.parent.mkdir(parents=True, exist_ok=True)
            raw_gz = self._gz_raw = open(gz_path, "wb")  # noqa: SIM115
            self._sinks.append(
                gzip.GzipFile(filename="", mode="wb", fileobj=raw_gz, mtime=0, compresslevel=6)
            )

    def add(self, copy: Copy, mail: Mail) -> None:
        raw = copy[0]
        chunk = (
            f"From {mail.from_addr} {asctime(mail.archive_ts)}\n".encode()
            + _MBOXRD.sub(rb">\1", raw)
            + (b"\n" if raw.endswith(b"\n") else b"\n\n")
        )
        for f in self._sinks:
            f.write(chunk)

    def close(self) -> None:
        for f in self._sinks:
            f.close()
        if self._gz_raw is not None:
            self._gz_raw.close()


class Maildir:
    def __init__(self, path: Path) -> None:
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.cur = path / "cur"

    def add(self, copy: Copy, mail: Mail) -> None:
        p = self.cur / f"{mail.archive_ts}.M{mail.seq}P0.lorelens:2,S"
        p.write_bytes(copy[0])
        os.utime(p, (mail.archive_ts, mail.archive_ts))

    def close(self) -> None:
        pass


#: Sender of a ``raw_mail``: the commit author and the address of the mbox From_ line
#: (``mboxrd@z``, as public-inbox writes it when it does not know the sender).
RAW_SENDER = ("lorelens", "mboxrd@z")


def raw_mail(
    raw: bytes, archive_ts: int, *, seq: int = 0, file: str = "m", git: bool = True
) -> tuple[Copy, Mail]:
    """``raw`` (stored exactly as given) as the copy and mail the writers above take:
    archived at ``archive_ts`` (commit time and author time, From_ line, maildir mtime),
    committed as the tree's one ``file`` (``d``: a deletion, for ``V2Inbox.delete``),
    with the commit message ``mail``.  ``seq`` orders the maildir files of one second;
    without ``git`` the git objects are not prepared (mbox and maildir need none)."""
    blob = tree = None
    if git:
        blob = prepare(BLOB, raw)
        tree = prepare_tree(b"100644 %s\0" % file.encode(), blob[0])
    mail = Mail(
        seq=seq,
        archive_ts=archive_ts,
        lists=(),
        mid=None,
        sender_name=RAW_SENDER[0],
        from_addr=RAW_SENDER[1],
        subject="mail",
        date_ts=None,
        date_tz="+0000",
        body=raw,
        deleted_at=archive_ts if file == "d" else None,
    )
    return (raw, blob, tree), mail
