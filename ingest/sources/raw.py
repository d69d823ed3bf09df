"""Reading one stored copy of a mail back from where it was archived."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

from core.errors import SourceError
from ingest.sources.gitstream import GIT
from ingest.sources.mailbox_files import _FROM_LINE, _QUOTED_FROM
from ingest.sources.paths import from_stored


def read_raw(
    kind: str, git_dir: str | None, blob: str | None, path: str | None, offset: int | None
) -> bytes:
    """The raw bytes of a copy recorded in ``message_sources``."""
    if git_dir and blob:
        proc = subprocess.run([*GIT, "--git-dir", git_dir, "cat-file", "blob", blob],
                              capture_output=True)
        if proc.returncode != 0:
            raise SourceError(f"blob {blob} is no longer in {git_dir}")
        return proc.stdout
    if kind == "mbox" and path and offset is not None:
        p = Path(path)
        if not p.exists():
            raise SourceError(f"{path} is gone")
        with p.open("rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(p, "rb") as fh:
            fh.seek(offset)
            fh.readline()  # the From_ line
            lines = []
            for line in fh:
                if line.startswith(b"From ") and _FROM_LINE.match(line.rstrip(b"\r\n")):
                    break
                lines.append(line)
        return _QUOTED_FROM.sub(rb"\1", b"".join(lines)).rstrip(b"\n") + b"\n"
    if path:
        p = from_stored(path)
        if not p.exists():
            raise SourceError(f"{path} is gone")
        return p.read_bytes()
    raise SourceError("this copy has no location to read from")
