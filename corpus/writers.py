"""Archive writers: public-inbox v2 (epochs written with ``git fast-import``), v1, mboxrd
(plain and gzip) and maildir.  Each gets the mails of one list in archive-time order as
the exact bytes to store."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
from pathlib import Path

from corpus.model import LIST_HOST, Mail
from corpus.render import asctime

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
    # fast-import frees and re-grows its heap for every object; without these glibc
    # returns memory to the kernel each time and the import is four times slower
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


#: zlib level of the packs fast-import writes.  Compressing is most of fast-import's CPU
#: (zlib sets up a fresh 256 KiB deflate state for every object): level 0 (stored) halves
#: it; fast-import still stores each message as a delta against the previous one, so the
#: packs are only ~1.5x the size of git's default (``git gc`` recompresses them).
PACK_COMPRESSION = "0"
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux); not exported by the fcntl module of 3.11
_CHUNK = 256 << 10


class FastImport:
    """One ``git fast-import`` process writing commits of a single file ``m`` (or ``d``).

    The stream is collected in Python and handed to the pipe in chunks of 256 KiB, with
    the pipe enlarged to 1 MiB: git digests one chunk while Python renders the next, instead
    of Python blocking until git has read a whole 1 MiB buffer (which serialised the two).
    """

    def __init__(self, git_dir: Path, committer: str) -> None:
        self.git_dir = git_dir
        self.committer = committer
        self.proc = subprocess.Popen(
            [
                "git",
                "-c",
                f"pack.compression={PACK_COMPRESSION}",
                f"--git-dir={git_dir}",
                "fast-import",
                "--quiet",
                "--done",
                "--date-format=raw-permissive",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=GIT_ENV,
            bufsize=0,
        )
        assert self.proc.stdin is not None
        self._fd = self.proc.stdin.fileno()
        try:
            import fcntl

            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, 1 << 20)
        except OSError:  # pragma: no cover - older kernels / a lower pipe-max-size
            pass
        self._buf = bytearray()
        self._cmt = f"\ncommitter {committer} ".encode()
        self._idents: dict[tuple[str, str], bytes] = {}
        self.current: str | None = None
        self.count = 0

    def commit(self, raw: bytes, mail: Mail, at: int, atz: str, ct: int, path: str = "m") -> None:
        key = (mail.sender.name, mail.from_addr)
        ident = self._idents.get(key)
        if ident is None:
            if len(self._idents) > 20_000:
                self._idents.clear()
            name = key[0].translate(_BAD_IDENT)
            email = key[1].translate(_BAD_IDENT)
            ident = f"commit refs/heads/master\nauthor {name} <{email}> ".encode()
            self._idents[key] = ident
        msg = mail.subject.replace("\n", " ").encode()
        tree = ""
        if self.current != path:
            if self.current is not None:
                tree = f"D {self.current}\n"
            self.current = path
        buf = self._buf
        buf += ident
        buf += f"{at} {atz}".encode()
        buf += self._cmt
        buf += f"{ct} +0000\ndata {len(msg)}\n".encode()
        buf += msg
        buf += f"\n{tree}M 100644 inline {path}\ndata {len(raw)}\n".encode()
        buf += raw
        buf += b"\n\n"
        self.count += 1
        if len(buf) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        view = memoryview(self._buf)
        while view:
            view = view[os.write(self._fd, view) :]
        view.release()
        self._buf.clear()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self._buf += b"done\n"
        self._flush()
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise RuntimeError(f"git fast-import failed for {self.git_dir}")


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
        self.fi: FastImport | None = None
        (root / "git").mkdir(parents=True, exist_ok=True)
        (root / "description").write_text(
            f"{list_name}@{LIST_HOST}: sample archive written by lorelens (corpus generator)\n"
        )
        (root / "inbox.lock").write_bytes(b"")
        init_bare(root / "all.git")
        self.committer = f"{list_name} <{list_name}@{LIST_HOST}>"

    def _rotate(self) -> FastImport:
        if self.fi is not None:
            self.fi.close()
        self.epoch += 1
        gd = self.root / "git" / f"{self.epoch}.git"
        init_bare(gd, include="../../all.git/config")
        self.fi = FastImport(gd, self.committer)
        return self.fi

    def add(self, raw: bytes, mail: Mail) -> None:
        fi = self.fi
        limit = self.first_cap if self.epoch == 0 else self.cap
        if fi is None or fi.count >= limit:
            fi = self._rotate()
        at, atz = author_time(mail)
        fi.commit(raw, mail, at, atz, mail.archive_ts)

    def delete(self, raw: bytes, mail: Mail) -> None:
        fi = self.fi or self._rotate()
        at, atz = author_time(mail)
        assert mail.deleted_at is not None
        fi.commit(raw, mail, at, atz, mail.deleted_at, path="d")

    def close(self) -> int:
        if self.fi is not None:
            self.fi.close()
        alts = "".join(f"../../git/{i}.git/objects\n" for i in range(self.epoch + 1))
        (self.root / "all.git" / "objects" / "info" / "alternates").write_text(alts)
        return self.epoch + 1


class V1Repo:
    def __init__(self, git_dir: Path, list_name: str) -> None:
        init_bare(git_dir, description=f"{list_name}@{LIST_HOST} (public-inbox v1 sample)")
        self.fi = FastImport(git_dir, f"{list_name} <{list_name}@{LIST_HOST}>")

    def add(self, raw: bytes, mail: Mail) -> None:
        at, atz = author_time(mail)
        self.fi.commit(raw, mail, at, atz, mail.archive_ts)

    def close(self) -> None:
        self.fi.close()


class Mbox:
    """mboxrd: ``From `` lines (and already-quoted ones) in bodies get one more ``>``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.f = open(path, "wb", buffering=1 << 20)  # noqa: SIM115
        raw_gz = open(path.with_name(path.name + ".gz"), "wb")  # noqa: SIM115
        self._gz_raw = raw_gz
        self.gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw_gz, mtime=0, compresslevel=6)

    def add(self, raw: bytes, mail: Mail) -> None:
        chunk = (
            f"From {mail.from_addr} {asctime(mail.archive_ts)}\n".encode()
            + _MBOXRD.sub(rb">\1", raw)
            + (b"\n" if raw.endswith(b"\n") else b"\n\n")
        )
        self.f.write(chunk)
        self.gz.write(chunk)

    def close(self) -> None:
        self.f.close()
        self.gz.close()
        self._gz_raw.close()


class Maildir:
    def __init__(self, path: Path) -> None:
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.cur = path / "cur"

    def add(self, raw: bytes, mail: Mail) -> None:
        p = self.cur / f"{mail.archive_ts}.M{mail.seq}P0.lorelens:2,S"
        p.write_bytes(raw)
        os.utime(p, (mail.archive_ts, mail.archive_ts))

    def close(self) -> None:
        pass
