"""Git objects written straight into a pack (``objects/pack/pack-*.pack`` + ``.idx``).

Why not ``git fast-import``: for the archives' one-file commits it spent ~80 µs of CPU per
message, most of it in git's collision-detecting SHA-1 and in zlib set-up per object.
Python's ``hashlib`` SHA-1 (OpenSSL) is several times faster, and the objects here need
neither deltas nor compression to be valid, so a pack can be written at close to the speed
of the disk.  The format is git's (``gitformat-pack``):

* pack v2: ``PACK``, version 2, object count (all big-endian 32-bit), then per object a
  type-and-size header (3-bit type, size in 4 + 7·n bits, little-endian groups, high bit =
  more) followed by the object's zlib stream; then the SHA-1 of everything before it.
* idx v2: ``\\377tOc``, version 2, a 256-entry fan-out table (objects whose first id byte
  is <= i), the sorted object ids, the CRC-32 of each object's packed bytes (header and
  zlib stream), each object's 32-bit offset (high bit set: index into a following table of
  64-bit offsets, for packs over 2 GiB), the pack's checksum, and the SHA-1 of the idx.

Objects are stored undeltified and, by default, uncompressed: the zlib streams are built
here from *stored* deflate blocks (``zlib.compress`` would set up a 256 KiB deflate state
per object, which costs more than everything else here together).  ``git gc`` or
``git repack -adf`` recompresses such a pack when size matters.
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
import zlib
from pathlib import Path

COMMIT, TREE, BLOB = 1, 2, 3
_TYPE_NAME = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_TYPE_PREFIX = {k: v + b" " for k, v in _TYPE_NAME.items()}
_STORED_MAX = 0xFFFF  # largest stored deflate block
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, "fastest" level; (0x7801 % 31 == 0)
_BIG_OFFSET = 0x80000000


def object_id(kind: int, data: bytes) -> bytes:
    """The binary SHA-1 git names an object by: ``<type> <size>\\0`` + content."""
    h = hashlib.sha1(b"%s %d\0" % (_TYPE_NAME[kind], len(data)))
    h.update(data)
    return h.digest()


def entry_header(kind: int, size: int) -> bytes:
    """The pack entry's type-and-size varint: low 4 size bits in the first byte, then 7
    bits per byte; the high bit says another byte follows."""
    if size < 0x40000:  # the common case (trees, commits, mails): three bytes at most
        if size < 0x10:
            return bytes(((kind << 4) | size,))
        if size < 0x800:
            return bytes((0x80 | (kind << 4) | (size & 0x0F), size >> 4))
        return bytes((0x80 | (kind << 4) | (size & 0x0F), 0x80 | ((size >> 4) & 0x7F), size >> 11))
    out = bytearray()
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


def pack_entry(kind: int, data: bytes, level: int = 0) -> bytes:
    """The bytes of one undeltified pack entry: header, then the zlib stream of ``data``
    (level 0: *stored* deflate blocks built here, without zlib's per-call deflate state;
    the framing is 2 + 5 per 64 KiB + 4 bytes)."""
    n = len(data)
    head = entry_header(kind, n)
    if level:
        return head + zlib.compress(data, level)
    if n <= _STORED_MAX:
        return b"".join(
            (head, _ZLIB_HEADER, _pack_block(1, n, n ^ 0xFFFF), data, _pack_adler(_adler32(data)))
        )
    parts = [head, _ZLIB_HEADER]
    for i in range(0, n, _STORED_MAX):
        block = data[i : i + _STORED_MAX]
        last = i + _STORED_MAX >= n
        parts.append(_pack_block(last, len(block), len(block) ^ 0xFFFF))
        parts.append(block)
    parts.append(_pack_adler(_adler32(data)))
    return b"".join(parts)


_pack_block = struct.Struct("<BHH").pack
_pack_adler = struct.Struct(">I").pack
_adler32, _crc32, _sha1 = zlib.adler32, zlib.crc32, hashlib.sha1


#: (object id, pack entry as pieces to concatenate, CRC-32 of the entry): everything about
#: an object that does not depend on where in which pack it lands.  For a stored mail the
#: middle piece is the caller's own ``data`` object, so pickling a mail together with its
#: prepared blob (to send it to the writing process) carries its bytes only once.
Prepared = tuple[bytes, tuple[bytes, ...], int]


def prepare(kind: int, data: bytes, level: int = 0) -> Prepared:
    """Hash and frame one object for a pack.  Pure: the shard workers prepare the blobs and
    trees of their mails, the writing process only appends them."""
    n = len(data)
    if level or n > _STORED_MAX or n < 64:
        h = _sha1(_TYPE_PREFIX[kind] + b"%d\0" % n)
        h.update(data)
        entry = pack_entry(kind, data, level)
        return h.digest(), (entry,), _crc32(entry)
    frame = _frame(kind, n)
    h = _sha1(frame[0])
    h.update(data)
    tail = _pack_adler(_adler32(data))
    return h.digest(), (frame[1], data, tail), _crc32(tail, _crc32(data, frame[2]))


@functools.lru_cache(maxsize=1 << 16)
def _frame(kind: int, n: int) -> tuple[bytes, bytes, int]:
    """(object id prefix ``<type> <size>\0``, the entry's bytes before the data:
    type-and-size header, zlib header, stored block header; their CRC-32)."""
    head = b"".join((entry_header(kind, n), _ZLIB_HEADER, _pack_block(1, n, n ^ 0xFFFF)))
    return _TYPE_PREFIX[kind] + b"%d\0" % n, head, _crc32(head)


def prepare_tree(entry: bytes, blob: bytes) -> Prepared:
    """``prepare(TREE, entry + blob)`` for a one-entry tree (``100644 m\\0`` + blob id),
    with the constant parts of the frame precomputed: it runs for every copy of a mail."""
    frame = _TREE_FRAMES.get(entry)
    if frame is None:
        n = len(entry) + 20
        frame = _TREE_FRAMES[entry] = (
            b"tree %d\0" % n,
            entry_header(TREE, n) + _ZLIB_HEADER + _pack_block(1, n, n ^ 0xFFFF),
        )
    data = entry + blob
    packed = b"".join((frame[1], data, _pack_adler(_adler32(data))))
    return _sha1(frame[0] + data).digest(), (packed,), _crc32(packed)


_TREE_FRAMES: dict[bytes, tuple[bytes, bytes]] = {}


class PackWriter:
    """One pack of undeltified objects under ``<git_dir>/objects/pack``.

    ``add``/``put`` return the object id; an object already in this pack is not stored
    twice (git's index would reject the duplicate).  ``close`` fixes the object count in the
    header, appends the checksum, writes the ``.idx`` and renames both into place, so a
    half-written pack is never visible under its final name.
    """

    def __init__(self, git_dir: Path) -> None:
        self.dir = git_dir / "objects" / "pack"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._tmp = self.dir / f"tmp_pack_{os.getpid()}_{id(self):x}"
        self._f = open(self._tmp, "w+b", buffering=1 << 20)  # noqa: SIM115
        self._f.write(b"PACK" + struct.pack(">II", 2, 0))
        self._write = self._f.write
        self._offset = 12
        self._index: dict[bytes, tuple[int, int]] = {}  # id -> (crc32, offset)

    @property
    def count(self) -> int:
        return len(self._index)

    def add(self, kind: int, data: bytes) -> bytes:
        """Store an object (unless already in this pack); returns its id."""
        return self.put(prepare(kind, data))

    def put(self, obj: Prepared) -> bytes:
        """Store an object made by ``prepare`` (possibly in another process)."""
        oid = obj[0]
        index = self._index
        if oid not in index:
            offset = self._offset
            index[oid] = (obj[2], offset)
            write = self._write
            for part in obj[1]:
                write(part)
                offset += len(part)
            self._offset = offset
        return oid

    def close(self) -> Path | None:
        """Finish the pack; returns the ``.pack`` path (None, and nothing kept, if empty)."""
        f = self._f
        if not self._index:
            f.close()
            self._tmp.unlink()
            return None
        f.seek(8)
        f.write(struct.pack(">I", len(self._index)))
        f.flush()
        f.seek(0)
        h = hashlib.sha1()
        while block := f.read(1 << 20):
            h.update(block)
        checksum = h.digest()
        f.write(checksum)
        f.close()
        name = f"pack-{checksum.hex()}"
        idx_tmp = self.dir / f"tmp_idx_{os.getpid()}_{id(self):x}"
        idx_tmp.write_bytes(idx_v2(self._index, checksum))
        pack = self.dir / f"{name}.pack"
        os.replace(self._tmp, pack)
        os.replace(idx_tmp, self.dir / f"{name}.idx")
        return pack


def idx_v2(index: dict[bytes, tuple[int, int]], pack_checksum: bytes) -> bytes:
    """The ``.idx`` (version 2) of a pack, from {object id: (crc32, offset)}."""
    rows = sorted(index.items())
    n = len(rows)
    fanout = [0] * 256
    for oid, _ in rows:
        fanout[oid[0]] += 1
    total = 0
    for i in range(256):
        total += fanout[i]
        fanout[i] = total
    offsets = [off for _, (_, off) in rows]
    large = [off for off in offsets if off >= _BIG_OFFSET]
    if large:  # packs over 2 GiB: the 32-bit slot points into the 64-bit table
        big = iter(range(len(large)))
        offsets = [off if off < _BIG_OFFSET else _BIG_OFFSET | next(big) for off in offsets]
    body = b"".join(
        (
            b"\377tOc",
            struct.pack(">I", 2),
            struct.pack(">256I", *fanout),
            b"".join([oid for oid, _ in rows]),
            struct.pack(f">{n}I", *[crc for _, (crc, _) in rows]),
            struct.pack(f">{n}I", *offsets),
            struct.pack(f">{len(large)}Q", *large),
            pack_checksum,
        )
    )
    return body + hashlib.sha1(body).digest()
