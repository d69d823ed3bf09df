"""What a unified diff in a mail body touches: files, lines added and removed."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class DiffStat:
    files: tuple[str, ...]
    added: int
    removed: int


def git_paths(line: str) -> tuple[str, str] | None:
    """The two paths of a ``diff --git`` line, in linear time.

    The same groups as ``re.match(r'^diff --git (?:"?a/)?(.+?)"? (?:"?b/)?(.+?)"?$', line)``,
    whose lazy groups backtrack quadratically on a long line: the first path ends at the
    first space (with a quote before it taken off) that has something after it (read
    without the ``a/`` when there is none after that); the
    second is the rest, without its ``b/`` and a closing quote.
    """
    if not line.startswith("diff --git ") or "\n" in line:
        return None
    rest = line[11:]
    prefix = 3 if rest.startswith('"a/') else 2 if rest.startswith("a/") else 0
    for skip in dict.fromkeys((prefix, 0)):  # without the "a/" when that finds no split
        space = rest.find(" ", skip + 1)
        if space != -1 and space + 1 < len(rest):
            break
    else:
        return None
    end = space - 1 if space - 1 >= skip + 1 and rest[space - 1] == '"' else space
    tail = rest[space + 1 :]
    if tail.startswith('"b/') and len(tail) > 3:
        tail = tail[3:]
    elif tail.startswith("b/") and len(tail) > 2:
        tail = tail[2:]
    if len(tail) >= 2 and tail.endswith('"'):
        tail = tail[:-1]
    return rest[skip:end], tail


def _strip_prefix(path: str) -> str:
    path = path.strip().split("\t", 1)[0].strip('"')
    if path == "/dev/null":
        return path
    return path.split("/", 1)[1] if "/" in path else path


_NO_HUNK = ("\nrename from ", "\nnew mode ", "\ndeleted file mode ", "\nnew file mode ",
            "\nsimilarity index ", "\nBinary files ", "\nGIT binary patch")


def looks_like_diff(body: str) -> bool:
    if "\n@@ -" in body and ("diff --git " in body or "\n+++ " in body):
        return True
    # renames, mode changes and binary files have a git header but no hunk
    return "diff --git " in body and any(x in body for x in _NO_HUNK)


def parse_diff(body: str) -> DiffStat | None:
    """Files touched and +/- line counts, or None when the body holds no diff.

    Hunks are consumed by the line counts in their ``@@ -a,b +c,d @@`` headers, so a
    removed line that itself starts with ``-- `` is not mistaken for a file header.
    Renames and deletions name the path that exists after the change (the old path for a
    deleted file).
    """
    if not looks_like_diff(body):
        return None
    files: list[str] = []
    seen: set[str] = set()
    added = removed = 0
    old_path: str | None = None
    in_git_header = False
    lines = body.split("\n")
    i, n = 0, len(lines)

    def add(path: str) -> None:
        if path and path != "/dev/null" and path not in seen:
            seen.add(path)
            files.append(path)

    while i < n:
        line = lines[i].rstrip("\r")
        if line.startswith("diff --git "):
            paths = git_paths(line)
            old_path = None
            # a mailer-wrapped "diff --git" line does not parse: the ---/+++ pair names it
            in_git_header = paths is not None
            if paths is not None:
                old_path, pending_new = paths
                # the path is confirmed by ---/+++ or rename/delete lines below;
                # a mode-only or binary change has none of those, so record it now
                add(pending_new)
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < n and lines[i + 1].startswith("+++ "):
            old = _strip_prefix(line[4:])
            new = _strip_prefix(lines[i + 1].rstrip("\r")[4:])
            if not in_git_header:
                add(new if new != "/dev/null" else old)
            elif new == "/dev/null" and old_path:
                pass  # deletion: the diff --git line already named it
            in_git_header = False
            i += 2
            continue
        m = _HUNK.match(line)
        if m:
            old_len = int(m.group(1)) if m.group(1) is not None else 1
            new_len = int(m.group(2)) if m.group(2) is not None else 1
            i += 1
            while i < n and (old_len > 0 or new_len > 0):
                h = lines[i]
                c = h[:1]
                if c == "+":
                    added += 1
                    new_len -= 1
                elif c == "-":
                    removed += 1
                    old_len -= 1
                elif c == " " or h in ("", "\r"):
                    old_len -= 1
                    new_len -= 1
                elif c == "\\":
                    pass  # "\ No newline at end of file"
                else:
                    break  # truncated or mangled hunk: stop counting it
                i += 1
            continue
        i += 1
    if not files:
        return None
    return DiffStat(tuple(files), added, removed)
