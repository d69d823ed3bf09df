"""A remote inbox (e.g. https://lore.kernel.org/linux-watchdog), mirrored with git.

The epochs are listed in the inbox's grokmirror manifest (``manifest.js.gz``, gzipped
JSON keyed by ``/<inbox>/git/<N>.git``); each is cloned with ``git clone --mirror`` from
``<url>/<N>`` (lore's form) or ``<url>/git/<N>.git``, and later brought up to date with
``git fetch``. The mirror is then read as a public-inbox v2 inbox. Only git and the
manifest travel over HTTP(S): lore's web pages sit behind a bot wall and are not read.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.errors import RemoteError, SourceError
from ingest.model import SourceKind
from ingest.sources.base import Unit, list_label_from_name
from ingest.sources.gitstream import GIT
from ingest.sources.public_inbox import v2_units

_EPOCH_KEY = re.compile(r"/git/(\d+)\.git$")
TIMEOUT = 60


LORE = "https://lore.kernel.org"
_LIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def lore_url(name: str, base: str = LORE) -> str:
    """The inbox URL of a list on lore (``linux-watchdog`` → ``<base>/linux-watchdog``);
    a URL is taken as it is."""
    if is_url(name):
        return name.rstrip("/")
    if not _LIST_NAME.match(name.strip("/")):
        raise SourceError(f"{name!r} is not a list name on {base} (such as linux-watchdog) "
                          "nor an http(s) inbox URL")
    return f"{base.rstrip('/')}/{name.strip('/')}"


def mirror_path(url: str, mirrors: Path) -> Path:
    parts = urllib.parse.urlsplit(url.rstrip("/"))
    inbox = [p for p in parts.path.split("/") if p]
    host = mirrors / parts.netloc.replace(":", "_")
    return host / Path(*inbox) if inbox else host


def manifest_epochs(url: str) -> list[int] | None:
    """Epoch numbers from the grokmirror manifest, or None when there is none."""
    try:
        with urllib.request.urlopen(f"{url}/manifest.js.gz", timeout=TIMEOUT) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise RemoteError(f"{url}: manifest request failed with HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"{url} is unreachable: {reason}") from exc
    try:
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError) as exc:
        raise RemoteError(f"{url}/manifest.js.gz is not a grokmirror manifest: {exc}") from exc
    found = sorted({int(m.group(1)) for key in data if (m := _EPOCH_KEY.search(key))})
    return found


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GIT, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )


def _clone(url: str, n: int, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".partial")
    last_error = ""
    for candidate in (f"{url}/{n}", f"{url}/git/{n}.git"):
        if tmp.exists():
            _rmtree(tmp)
        proc = _git("clone", "--mirror", "--quiet", candidate, str(tmp))
        if proc.returncode == 0:
            tmp.rename(dest)  # a clone is only used once it is complete
            return
        last_error = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
    raise RemoteError(f"cannot clone epoch {n} of {url}: {last_error}")


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def mirror(url: str, mirrors: Path, log: Callable[[str], None] = lambda _m: None) -> Path:
    """Clone new epochs and fetch known ones; return the local v2 inbox folder."""
    url = url.rstrip("/")
    dest = mirror_path(url, mirrors)
    # the outermost folder this call creates: taken away again if the mirroring fails
    created = next((p for p in (*reversed(dest.parents), dest) if not p.exists()), None)
    (dest / "git").mkdir(parents=True, exist_ok=True)
    try:
        return _mirror(url, dest, log)
    except BaseException:
        if created is not None:
            _rmtree(created)
        raise


def _mirror(url: str, dest: Path, log: Callable[[str], None]) -> Path:
    wanted = manifest_epochs(url)
    if wanted is None:
        # no manifest: probe epochs 0, 1, … until one is missing
        wanted = []
        n = 0
        while _git("ls-remote", "--heads", f"{url}/{n}").returncode == 0 or (
            _git("ls-remote", "--heads", f"{url}/git/{n}.git").returncode == 0
        ):
            wanted.append(n)
            n += 1
        if not wanted:
            raise RemoteError(f"{url}: no manifest.js.gz and no git epoch answers")
    for n in wanted:
        repo = dest / "git" / f"{n}.git"
        if repo.is_dir():
            log(f"fetching epoch {n} of {url}")
            proc = _git("--git-dir", str(repo), "fetch", "--quiet", "--prune", "origin")
            if proc.returncode != 0:
                err = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
                raise RemoteError(f"cannot fetch epoch {n} of {url}: {err}")
        else:
            log(f"cloning epoch {n} of {url}")
            _clone(url, n, repo)
    return dest


def remote_units(
    url: str, state: dict[int, str], label: str | None, mirrors: Path,
    log: Callable[[str], None] = lambda _m: None,
) -> list[Unit]:
    local = mirror(url, mirrors, log)
    name = urllib.parse.urlsplit(url.rstrip("/")).path.rstrip("/").rsplit("/", 1)[-1]
    return v2_units(
        local, state, label or list_label_from_name(name), SourceKind.REMOTE, key=url.rstrip("/")
    )
