"""The OLE2 container of an old Excel 97-2003 (.xls) workbook, checked before any parser reads it.

An .xls file is a small file system (Compound File Binary): a header, a table of sector chains (FAT), a directory
and streams, the workbook being the stream 'Workbook' (or 'Book' from older programs). Every number in it is
checked against the file's own size before it is followed, and every chain is followed at most once around, so a
damaged or hostile file is refused in a finding (raised as Damaged) instead of sending a parser into a loop or a
huge allocation.
"""
from __future__ import annotations

import struct

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_WORKBOOK_NAMES = ("Workbook", "Book")


class Damaged(ValueError):
    """The container does not hold together; the message says where."""


def workbook_stream(data: bytes) -> bytes:
    """The Workbook stream of an .xls file, read through its sector chains, or Damaged."""
    if len(data) < 512 or not data.startswith(SIGNATURE):
        raise Damaged("no OLE2 header")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise Damaged(f"sector sizes 2^{sector_shift} and 2^{mini_shift}")
    size = 1 << sector_shift
    sectors = (len(data) - 512 + size - 1) // size if sector_shift == 9 else (len(data) - size + size - 1) // size
    fat_count, first_dir, _, mini_cutoff, first_mini_fat, mini_fat_count, first_difat, difat_count = struct.unpack_from(
        "<IIIIIIII", data, 0x2C)
    if fat_count > sectors or mini_fat_count > sectors or difat_count > sectors:
        raise Damaged("more table sectors than the file holds")
    offset = (lambda s: 512 + s * size) if sector_shift == 9 else (lambda s: (s + 1) * size)

    def sector(s: int) -> bytes:
        if s >= sectors:
            raise Damaged(f"sector {s} lies past the end of the file")
        return data[offset(s):offset(s) + size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    s, seen = first_difat, set()
    while s not in (_END_OF_CHAIN, _FREE) and len(seen) < difat_count:
        if s in seen:
            raise Damaged("the DIFAT chain loops")
        seen.add(s)
        entries = struct.unpack(f"<{size // 4}I", sector(s))
        difat += entries[:-1]
        s = entries[-1]
    fat: list[int] = []
    for s in difat[:fat_count]:
        fat += struct.unpack(f"<{size // 4}I", sector(s))

    def chain(first: int, table: list[int], limit: int) -> list[int]:
        out, s = [], first
        while s not in (_END_OF_CHAIN, _FREE):
            if s >= len(table) or len(out) >= limit:
                raise Damaged("a sector chain runs off its table or loops")
            out.append(s)
            s = table[s]
        return out

    directory = b"".join(sector(s) for s in chain(first_dir, fat, sectors))
    entries = []
    for at in range(0, len(directory) - 127, 128):
        name_len = struct.unpack_from("<H", directory, at + 64)[0]
        name = directory[at:at + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        kind = directory[at + 66]
        start, length = struct.unpack_from("<IQ", directory, at + 116)
        if sector_shift == 9:
            length &= 0xFFFFFFFF
        entries.append((name, kind, start, length))
    if not entries or entries[0][1] != 5:
        raise Damaged("no root entry")
    workbook = next((e for e in entries if e[1] == 2 and e[0] in _WORKBOOK_NAMES), None)
    if workbook is None:
        raise Damaged("no Workbook stream")
    _, _, start, length = workbook
    if length > len(data):
        raise Damaged(f"the Workbook stream claims {length:,} bytes in a file of {len(data):,}")
    if length >= mini_cutoff:
        return b"".join(sector(s) for s in chain(start, fat, sectors))[:length]
    # A small stream lives in the mini stream, the root entry's chain, in 64-byte pieces.
    root = b"".join(sector(s) for s in chain(entries[0][2], fat, sectors))
    mini_fat: list[int] = []
    for s in chain(first_mini_fat, fat, sectors):
        mini_fat += struct.unpack(f"<{size // 4}I", sector(s))
    pieces = chain(start, mini_fat, len(root) // 64 + 1)
    if any((p + 1) * 64 > len(root) for p in pieces):
        raise Damaged("a mini sector lies past the mini stream")
    return b"".join(root[p * 64:(p + 1) * 64] for p in pieces)[:length]
