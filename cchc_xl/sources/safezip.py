"""A submitted file's bytes and, for a zip package (.xlsx/.xlsm/.ods/.docx), its parts, bounded.

Every file is checked before a parser touches it, because calamine aborts the whole process on
some hostile inputs and zip bombs cost what their declared sizes hide:

- the file's size, the zip directory's declared sizes and compression ratios, and the actual
  inflated size of every part (a part that inflates past its declared size fails its CRC);
- XML parts that declare a DOCTYPE (entity bombs) are refused; Excel and Word never write one.

XML parts written in UTF-16 (which the format allows and calamine does not read) are kept in UTF-8,
so that the scans and calamine read them as they read any other part.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from ..grid import ReadError
from .messages import corrupt, password, program

# Limits (bytes). A commune's Phụ lục is ~200 rows x 5 columns, a file of 20-60 kB.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # applies to parts larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 5000


# Opening a FIFO (or a link to one) waits for a writer that may never come: opened without waiting,
# anything but a regular file is refused before it is read.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """A FIFO, a device (/dev/zero), a socket: nothing to read as a file."""


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """The file opened read-only without waiting; IsADirectoryError for a folder, NotRegularFile for
    anything else that is not a regular file."""
    handle = open(os.open(path, _OPEN_FLAGS), "rb")
    mode = os.fstat(handle.fileno()).st_mode
    if not stat.S_ISREG(mode):
        handle.close()
        raise IsADirectoryError(path) if stat.S_ISDIR(mode) else NotRegularFile(path)
    return handle


def read_bytes(path: Path) -> bytes:
    """The file's bytes, opened read-only (the input is never modified), at most MAX_FILE_BYTES + 1."""
    name = path.name
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise ReadError("file-empty", file=name)
            if size > MAX_FILE_BYTES:
                raise ReadError("file-too-large", file=name, size_mb=size // (1024 * 1024),
                                max_mb=MAX_FILE_BYTES // (1024 * 1024))
            return handle.read(MAX_FILE_BYTES + 1)
    except NotRegularFile:
        raise ReadError("not-a-file", file=name) from None
    except FileNotFoundError:
        raise ReadError("file-not-found", file=name, path=path) from None
    except IsADirectoryError:
        raise ReadError("is-folder", file=name) from None
    except PermissionError:
        if path.is_dir():  # Windows refuses to open a folder with a permission error
            raise ReadError("is-folder", file=name) from None
        raise ReadError("no-permission", file=name) from None
    except OSError as exc:
        raise ReadError("system-error", file=name, errno=exc.errno) from None



def package_parts(path: Path, data: bytes) -> Parts:
    """Every part of the zip package, inflated within the limits; ReadError otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise corrupt(path) from None
    _check_declared_sizes(path, members)
    _check_apart(path, members, data)
    return _inflate_all(path, archive, members, data)


def _bomb(path: Path) -> ReadError:
    return ReadError("zip-bomb", file=path.name, max_mb=MAX_UNCOMPRESSED_BYTES // (1024 * 1024), program=program(path))



def _check_declared_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise corrupt(path)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise _bomb(path)


def _check_apart(path: Path, members: list[zipfile.ZipInfo], data: bytes) -> None:
    """Refuse members that share bytes: Office writes each part once, and directory entries pointing
    into one compressed stream (a non-recursive zip bomb) would each be inflated and scanned."""
    spans = []
    for member in members:
        start = member.header_offset
        if start < 0 or start + _LOCAL_HEADER_SIZE > len(data):
            raise corrupt(path)
        name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
        spans.append((start, start + _LOCAL_HEADER_SIZE + name_length + extra_length + member.compress_size))
    spans.sort()
    if any(following < end for (_, end), (following, _) in zip(spans, spans[1:])):
        raise corrupt(path)


class Parts(dict):
    """A package's parts by name, found as calamine finds them: in any case and with "\\" for "/";
    of two members that match one name, the later is the one read (and the only one kept).
    `transcoded`: some part is not as the package holds it (UTF-16 made UTF-8), so a parser that
    reads the package itself must be given `repack(parts)`."""

    transcoded = False

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}  # key -> the member's name as written

    @staticmethod
    def key(name: str) -> str:
        return name.replace("\\", "/").lower()

    def __setitem__(self, name: str, body: bytes) -> None:
        super().__setitem__(self.key(name), body)
        self.names[self.key(name)] = name

    def __getitem__(self, name: str) -> bytes:
        return super().__getitem__(self.key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(self.key(name))

    def get(self, name: str, default=None):
        return super().get(self.key(name), default)


def _inflate_all(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], data: bytes) -> Parts:
    """Every part inflated, counting real bytes: a part is never inflated past what is left of
    MAX_UNCOMPRESSED_BYTES, and one whose bytes differ from its declared size or CRC is corrupt."""
    parts = Parts()
    total = 0
    view = memoryview(data)
    for member in members:
        if member.is_dir():
            continue
        if member.flag_bits & 0x1:
            raise password(path)
        budget = MAX_UNCOMPRESSED_BYTES - total
        try:
            body = _inflate_in_memory(view, member, budget)
            if body is None:
                body = _inflate_streamed(archive, member, budget)
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, RuntimeError,
                struct.error):
            raise corrupt(path) from None
        if len(body) > budget:
            raise _bomb(path)
        if member.filename.lower().endswith((".xml", ".rels", ".vml")):
            if body.startswith(_UTF16_STARTS):
                body = _utf8(path, body)
                parts.transcoded = True
                if len(body) > budget:
                    raise _bomb(path)
            if b"<!" in body and (b"<!DOCTYPE" in body or b"<!ENTITY" in body):
                raise ReadError("xml-doctype", file=path.name, program=program(path))
        total += len(body)
        parts[member.filename] = body
    return parts


# A byte-order mark, or "<" in UTF-16 without one (little- or big-endian).
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\sencoding\s*=\s*["'])[^"']*""")


def _utf8(path: Path, body: bytes) -> bytes:
    """A UTF-16 XML part in UTF-8, its declaration saying so; corrupt when it is not UTF-16."""
    encoding = "utf-16" if body.startswith((b"\xff\xfe", b"\xfe\xff")) else (
        "utf-16-le" if body.startswith(b"<") else "utf-16-be")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise corrupt(path) from None
    return _DECLARED_ENCODING.sub(r"\g<1>UTF-8", text, count=1).encode("utf-8")


def repack(parts: Parts, replaced: dict[str, bytes] | None = None) -> bytes:
    """A zip package of the parts under their names as written (those whose keys are in `replaced`
    replaced), for calamine to read."""
    replaced = replaced or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, body in parts.items():
            archive.writestr(parts.names[key], replaced.get(key, body))
    return buffer.getvalue()


_LOCAL_HEADER = b"PK\x03\x04"
_LOCAL_HEADER_SIZE = 30


def _inflate_in_memory(data: memoryview, member: zipfile.ZipInfo, budget: int) -> bytes | None:
    """A stored or deflated part straight from the archive's bytes, at most budget + 1 bytes
    (more means too much); None for other methods, left to zipfile. Skips zipfile's per-part
    stream objects, the larger share of inflating a small workbook."""
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    raw = member_data(data, member)
    if member.compress_type == zipfile.ZIP_STORED:
        body = bytes(raw[:budget + 1])
    else:
        body = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, budget + 1)
    if len(body) > budget:
        return body
    if len(body) != member.file_size or zlib.crc32(body) != member.CRC:
        raise zipfile.BadZipFile(member.filename)
    return body


def member_data(data: bytes | memoryview, member: zipfile.ZipInfo) -> bytes | memoryview:
    """The bytes a zip member holds as stored (compressed or not), found behind its local header."""
    offset = member.header_offset
    if data[offset:offset + 4] != _LOCAL_HEADER:
        raise zipfile.BadZipFile(member.filename)
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + _LOCAL_HEADER_SIZE + name_length + extra_length
    raw = data[start:start + member.compress_size]
    if len(raw) != member.compress_size:
        raise zipfile.BadZipFile(member.filename)
    return raw


def _inflate_streamed(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> bytes:
    """The part through zipfile, at most budget + 1 bytes (a lying declared size fails its CRC check)."""
    chunks, size = [], 0
    with archive.open(member) as stream:
        while size <= budget and (chunk := stream.read(min(1 << 20, budget + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)

