"""JSON fragments for truth.json, which :mod:`corpus.truth` writes record by record.

Lines are built from cached fragments (list combinations, a patch's files) and the C
string encoder that ``json`` itself uses; the large arrays are streamed through JSON-lines
files and copied into the array at the end (``copy_lines``).
"""

from __future__ import annotations

import json
from pathlib import Path

from corpus.model import LISTS, list_address

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode
encode_str = json.encoder.encode_basestring  # the C string encoder ``dumps`` uses
JSON_BOOL = {True: "true", False: "false"}
_LIST_COMBOS: dict[tuple[str, ...], str] = {
    combo: dumps([list_address(x) for x in combo])
    for combo in ((LISTS[0],), (LISTS[1],), LISTS, LISTS[::-1])
}


def lists_json(lists: tuple[str, ...]) -> str:
    return _LIST_COMBOS.get(lists) or dumps([list_address(x) for x in lists])


def str_json(x: str | None) -> str:
    return "null" if x is None else encode_str(x)


def list_json(xs) -> str:
    return "[" + ",".join(map(encode_str, xs)) + "]" if xs else "[]"


_FILE_LISTS: dict[tuple[str, ...], str] = {}


def files_json(files: tuple[str, ...]) -> str:
    """``list_json`` of a patch's files, cached (a few hundred combinations)."""
    return _FILE_LISTS.get(files) or _FILE_LISTS.setdefault(files, list_json(files))


def copy_lines(src: Path, out) -> None:
    """The JSON-lines file as the body of a JSON array: lines joined with ``,\\n`` (a JSON
    line never holds a raw newline), copied in 1 MiB blocks."""
    with open(src, encoding="utf-8") as f:
        block = f.read(1 << 20)
        while block:
            nxt = f.read(1 << 20)
            if not nxt:
                block = block[:-1] if block.endswith("\n") else block
            out.write(block.replace("\n", ",\n"))
            block = nxt


def read_head(path: Path) -> dict:
    """The opening fields of a truth.json (generator, seed, scale, period, lists,
    formats, epochs), without reading the rest: at a million messages the whole file is
    over a gigabyte and ``json.load`` of it takes ~4 GB of memory. ``Truth.write`` writes
    them first and ``"totals"`` next, so the text before ``,"totals":`` is an object
    missing only its closing brace. Only the first MiB is looked at."""
    marker = ',"totals":'
    with open(path, encoding="utf-8") as f:
        text = f.read(1 << 20)
    at = text.find(marker)
    if at == -1:
        raise ValueError(f"{path}: not a lorelens truth.json (no totals in its first MiB)")
    return json.loads(text[:at] + "}")


def round3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
