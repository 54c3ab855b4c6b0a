"""A minimal [MS-CFB] compound-file writer: version 3, 512-byte sectors, one FAT, a mini stream.

Enough for a vbaProject.bin: a root storage holding storages and streams. Timestamps and CLSIDs
are zero so the same streams always give the same bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_STREAM_CUTOFF = 4096
_ENTRIES_PER_SECTOR = SECTOR // 128
_IDS_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT_SLOTS = 109

FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


class CompoundFileError(ValueError):
    pass


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """The compound file holding `streams`, keyed by "/"-separated paths such as "VBA/dir".

    Storages are created from the paths; names are at most 31 UTF-16 characters.
    """
    root = _tree(streams)
    entries = _number(root)
    mini_stream, mini_fat = _place_small_streams(entries)
    return _layout(entries, mini_stream, mini_fat)


def _tree(streams: dict[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for name in parts[:-1]:
            node = node.children.setdefault(_checked_name(name), _Entry(name, _STORAGE))
            if node.kind != _STORAGE:
                raise CompoundFileError(f"{path}: {name} is a stream, not a storage")
        leaf = _checked_name(parts[-1])
        if leaf in node.children:
            raise CompoundFileError(f"{path}: given twice")
        node.children[leaf] = _Entry(leaf, _STREAM, data=bytes(data), size=len(data))
    return root


def _checked_name(name: str) -> str:
    if not name or len(name) > 31 or any(ch in name for ch in "/\\:!"):
        raise CompoundFileError(f"invalid compound-file entry name {name!r}")
    return name


def _sort_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-cased characters."""
    return len(name.encode("utf-16-le")), name.upper()


def _number(root: _Entry) -> list[_Entry]:
    """Directory order: every storage's children form a balanced binary search tree, all black
    (allowed by [MS-CFB] 2.6.4); the root of that tree is the storage's child."""
    entries = [root]
    pending = [root]
    while pending:
        storage = pending.pop(0)
        children = sorted(storage.children.values(), key=lambda entry: _sort_key(entry.name))
        for child in children:
            child.index = len(entries)
            entries.append(child)
        storage.child = _link(children)
        pending.extend(child for child in children if child.kind == _STORAGE)
    return entries


def _link(ordered: list[_Entry]) -> int:
    if not ordered:
        return NOSTREAM
    middle = len(ordered) // 2
    node = ordered[middle]
    node.left = _link(ordered[:middle])
    node.right = _link(ordered[middle + 1:])
    return node.index


def _place_small_streams(entries: list[_Entry]) -> tuple[bytes, list[int]]:
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind != _STREAM or entry.size >= MINI_STREAM_CUTOFF or entry.size == 0:
            continue
        first = len(mini_fat)
        count = -(-entry.size // MINI_SECTOR)
        mini_fat.extend(range(first + 1, first + count))
        mini_fat.append(ENDOFCHAIN)
        entry.start = first
        mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\0")
    return bytes(mini_stream), mini_fat


def _sectors(size: int) -> int:
    return -(-size // SECTOR)


def _layout(entries: list[_Entry], mini_stream: bytes, mini_fat: list[int]) -> bytes:
    directory_sectors = _sectors(len(entries) * 128)
    mini_fat_sectors = _sectors(len(mini_fat) * 4)
    big = [entry for entry in entries if entry.kind == _STREAM and entry.size >= MINI_STREAM_CUTOFF]
    payload = [directory_sectors, mini_fat_sectors, _sectors(len(mini_stream))] + [_sectors(e.size) for e in big]
    other = sum(payload)
    fat_sectors = 1
    while fat_sectors * _IDS_PER_SECTOR < other + fat_sectors:
        fat_sectors += 1
    if fat_sectors > _HEADER_DIFAT_SLOTS:
        raise CompoundFileError("compound file too large for a header-only DIFAT")

    fat = [FATSECT] * fat_sectors
    body = bytearray()

    def add_chain(data: bytes) -> int:
        if not data:
            return ENDOFCHAIN
        count = _sectors(len(data))
        first = len(fat)
        fat.extend(range(first + 1, first + count))
        fat.append(ENDOFCHAIN)
        body.extend(data.ljust(count * SECTOR, b"\0"))
        return first

    root = entries[0]
    directory_start = len(fat)
    fat.extend(range(directory_start + 1, directory_start + directory_sectors))
    fat.append(ENDOFCHAIN)
    body.extend(bytes(directory_sectors * SECTOR))  # filled in below, once every start is known
    mini_fat_start = add_chain(b"".join(struct.pack("<I", value) for value in mini_fat))
    root.start = add_chain(mini_stream)
    root.size = len(mini_stream)
    for entry in big:
        entry.start = add_chain(entry.data)

    directory = b"".join(_directory_entry(entry) for entry in entries)
    directory += _unused_entry() * (directory_sectors * _ENTRIES_PER_SECTOR - len(entries))
    body[0:len(directory)] = directory

    fat_bytes = b"".join(struct.pack("<I", value) for value in fat)
    fat_bytes = fat_bytes.ljust(fat_sectors * SECTOR, b"\xff")
    difat = list(range(fat_sectors)) + [FREESECT] * (_HEADER_DIFAT_SLOTS - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0, fat_sectors, directory_start, 0, MINI_STREAM_CUTOFF,
        mini_fat_start, mini_fat_sectors, ENDOFCHAIN, 0,
    ) + struct.pack(f"<{_HEADER_DIFAT_SLOTS}I", *difat)
    return header + fat_bytes + bytes(body)


def _directory_entry(entry: _Entry) -> bytes:
    name = (entry.name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, _BLACK, entry.left, entry.right, entry.child,
        bytes(16), 0, 0, 0, entry.start if entry.kind != _STORAGE else 0, entry.size,
    )


def _unused_entry() -> bytes:
    return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0)
