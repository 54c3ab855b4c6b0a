"""Hostile workbooks built byte by byte: minimal packages whose parts a test spells as it likes.

An .xlsx here is the five parts Excel needs, each replaceable; an .ods one table; an .xls is one
LibreOffice wrote, patched record by record. `ABORTS` are small files that make the native reader
(calamine) abort its whole process when nothing stops them before it.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Callable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>")
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>').encode()

# A1 "STT" (a shared string), B2 5.
CELLS = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="B2"><v>5</v></c></row>'


def shared_strings(*texts: str, count: str | None = None) -> bytes:
    """The shared-strings part; `count` replaces the declared count and uniqueCount."""
    declared = count if count is not None else str(len(texts))
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{declared}" '
            f'uniqueCount="{declared}">{items}</sst>').encode()


def sheet(cells: bytes = CELLS, *, dimension: bytes = b'<dimension ref="A1:B2"/>') -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN.encode() + b'">' + dimension
            + b"<sheetData>" + cells + b"</sheetData></worksheet>")


def xlsx(*, sheet_xml: bytes | None = None, strings: bytes | None = None, names: dict[str, str] | None = None,
         extra: dict[str, bytes] | None = None) -> bytes:
    """A package of the five parts; `names` renames members (to spell paths another way)."""
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS, "xl/workbook.xml": WORKBOOK,
             "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/worksheets/sheet1.xml": sheet_xml or sheet(),
             "xl/sharedStrings.xml": strings or shared_strings("STT"), **(extra or {})}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr((names or {}).get(name, name), body)
    return buffer.getvalue()


def repacked(source: Path, target: Path, rewrite: Callable[[str, bytes], bytes], extra: dict[str, bytes]) -> Path:
    """`source`'s package written to `target` with each part passed through rewrite(name, body), and
    the `extra` parts added."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            out.writestr(item, rewrite(item.filename, original.read(item.filename)))
        for name, data in extra.items():
            out.writestr(name, data)
    return target


def central_entries(package: bytes, part: str, names: list[str], **fields: int) -> bytes:
    """`package` with one more central-directory entry for each of `names`, each a copy of `part`'s
    entry (its local header and compressed stream shared: D. Fifield's non-recursive zip bomb, the
    names differing from the local header's); `fields` (usize, csize, method) change `part`'s own entry."""
    end = package.rfind(b"PK\x05\x06")
    count, size, start = struct.unpack_from("<HII", package, end + 10)
    records, position = [], start
    for _ in range(count):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", package, position + 28)
        records.append(bytearray(package[position:position + 46 + name_length + extra_length + comment_length]))
        position += len(records[-1])
    entry = next(record for record in records if record[46:46 + len(part)] == part.encode())
    for field, offset, kind in (("method", 10, "<H"), ("csize", 20, "<I"), ("usize", 24, "<I")):
        if field in fields:
            struct.pack_into(kind, entry, offset, fields[field])
    name_length = struct.unpack_from("<H", entry, 28)[0]
    for name in names:
        records.append(entry[:28] + struct.pack("<H", len(name.encode())) + entry[30:46] + name.encode()
                       + entry[46 + name_length:])
    directory = b"".join(records)
    return (package[:start] + directory
            + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records), len(records), len(directory), start, 0))


# Each aborts calamine 0.9 (an allocation of tens or hundreds of GB fails: SIGABRT) when it reads
# the sheet; each is under 1 KB.
ABORTS = {
    "shared strings declaring four billion": lambda: xlsx(strings=shared_strings("STT", count="4000000000")),
    "a far cell in single quotes": lambda: xlsx(sheet_xml=sheet(CELLS + b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")),
    "a far cell in lower case": lambda: xlsx(sheet_xml=sheet(CELLS + b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>')),
    "a far cell with spaces around =": lambda: xlsx(sheet_xml=sheet(CELLS + b'<row r="1048576"><c r = "XFD1048576"><v>1</v></c></row>')),
    "a column past XFD": lambda: xlsx(sheet_xml=sheet(CELLS + b'<row r="3"><c r="ZZZZZZ3"><v>1</v></c></row>')),
    "a row past 2^32": lambda: xlsx(sheet_xml=sheet(CELLS + b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>')),
}


# --- .ods: content.xml of one table -------------------------------------------------------------

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
ODS_FIRST_ROW = ('<table:table-row><table:table-cell office:value-type="string"><text:p>STT</text:p>'
                 "</table:table-cell></table:table-row>")


_ODS_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
    b'manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
    b'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
    b'"text/xml"/></manifest:manifest>')


def ods(rows: str = ODS_FIRST_ROW, *, master_styles: str | None = None, tables: int = 1) -> bytes:
    """A spreadsheet package with one table "S" holding `rows` (table:table-row elements), with the
    manifest calamine requires (without it calamine refuses the file whatever the scan does).
    `master_styles`: the body of styles.xml, the table printed with its master page "mp"; `tables`:
    that many copies of the table, "S", "S2", "S3" …"""
    printed, style = ("", "") if master_styles is None else (
        '<office:automatic-styles><style:style style:name="ta1" style:family="table" style:master-page-name="mp"/>'
        "</office:automatic-styles>", ' table:style-name="ta1"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f'{printed}<office:body><office:spreadsheet>'
               + "".join(f'<table:table table:name="S{n if n > 1 else ""}"{style}>{rows}</table:table>'
                         for n in range(1, tables + 1))
               + "</office:spreadsheet></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
        if master_styles is not None:
            archive.writestr("styles.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
                             f"{_ODS_NS}>{master_styles}</office:document-styles>")
    return buffer.getvalue()


# --- .xls: records of a BIFF8 stream, patched in place in a file LibreOffice wrote --------------

def biff_records(stream: bytes) -> list[tuple[int, int, int]]:
    """(offset, record type, body size) of each record, from the start of the stream."""
    found, position = [], 0
    while position + 4 <= len(stream):
        record, size = struct.unpack_from("<HH", stream, position)
        found.append((position, record, size))
        position += 4 + size
    return found


def patch_workbook_stream(path, change) -> None:
    """The .xls at `path` with its Workbook stream replaced by change(bytearray of it), same length."""
    import olefile

    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        change(stream)
        ole.write_stream("Workbook", bytes(stream))


# --- Reading a hostile file in a fresh process, measured ------------------------------------------

_MEASURED_LOAD = """\
import json, sys, time
from cchc_xl.sources import load

def status(field):  # kB; the peak (VmHWM) restarts at exec, unlike ru_maxrss, which keeps the parent's
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field + ":"))

before = status("VmRSS")
started = time.perf_counter()
workbook = load(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "added_kib": status("VmHWM") - before,
                  "first": [next((value for value in row if value is not None), None) for row in workbook.grids[0].rows[:2]],
                  "notes": workbook.notes}, default=str))
"""


def measured_load(path) -> dict:
    """sources.load(path) in a new process: seconds, memory added at its peak (KiB), the first value of
    the first two rows of the first grid, notes."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _MEASURED_LOAD, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def cyclic_stream(data: bytes, name: str, size: int) -> bytes:
    """The compound file (.xls) `data` with stream `name`'s sector chain looping back to its first
    sector and its directory entry declaring `size` bytes: a reader following the chain reads the
    same sector for ever, or until it has `size` bytes. "Root Entry" is the stream holding the small
    streams (the Workbook stream of a small .xls among them)."""
    data = bytearray(data)
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    per_sector = sector_size // 4

    def offset(sector: int) -> int:
        return 512 + sector * sector_size

    fat_sectors = [sector for sector in struct.unpack_from("<109i", data, 0x4C) if sector >= 0]

    def next_sector(sector: int) -> int:
        return struct.unpack_from("<i", data, offset(fat_sectors[sector // per_sector]) + sector % per_sector * 4)[0]

    sector = struct.unpack_from("<i", data, 0x30)[0]  # the directory's first sector
    while sector >= 0:
        for entry in range(offset(sector), offset(sector) + sector_size, 128):
            length = struct.unpack_from("<H", data, entry + 0x40)[0]
            if bytes(data[entry:entry + max(0, length - 2)]).decode("utf-16-le", "replace") == name:
                first, declared = struct.unpack_from("<iI", data, entry + 0x74)
                assert name == "Root Entry" or declared >= 4096, "a stream in the regular sectors"
                struct.pack_into("<i", data, offset(fat_sectors[first // per_sector]) + first % per_sector * 4, first)
                struct.pack_into("<I", data, entry + 0x78, size)
                return bytes(data)
        sector = next_sector(sector)
    raise KeyError(name)


# --- .docx: a document part of one table ----------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_TABLE = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>STT</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Chỉ tiêu</w:t>"
              "</w:r></w:p></w:tc></w:tr></w:tbl>")


def docx(body: str = DOCX_TABLE) -> bytes:
    """A Word package whose document's body is `body` (w:p and w:tbl elements)."""
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def numbered_elements(count: int) -> str:
    """`count` elements no office writes, each with its own number (so that they do not compress past
    the ratio a zip bomb is refused at)."""
    return "".join(f'<x n="{index}"/>' for index in range(count))


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (the container of an .xls) holding `streams` (each at least 4,096 bytes), written
    as version 4 (4,096-byte sectors) so that a FAT of a few sectors maps some 40 MB."""
    sector, per_fat = 4096, 1024
    chains, data = [], b""
    for body in streams.values():
        assert len(body) >= 4096, "a stream in the regular sectors"
        chains.append((len(data) // sector, -(-len(body) // sector)))
        data += body.ljust(-(-len(body) // sector) * sector, b"\0")
    used = len(data) // sector
    fat_count = -(-(used + 1) // (per_fat - 1))
    assert fat_count <= 109
    fat = [-1] * (fat_count * per_fat)
    for first, count in chains:
        fat[first:first + count] = [*range(first + 1, first + count), -2]
    fat[used:used + fat_count] = [-3] * fat_count  # the FAT's own sectors
    directory_sector = used + fat_count
    fat[directory_sector] = -2

    def entry(name: str, kind: int, start: int, size: int, child: int = -1, right: int = -1) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBiii", len(encoded), kind, 1, -1, right, child)
                + b"\0" * 36 + struct.pack("<iQ", start, size))

    names = list(streams)
    entries = entry("Root Entry", 5, -2, 0, child=1 if names else -1)
    for index, name in enumerate(names):
        first, _count = chains[index]
        entries += entry(name, 2, first, len(streams[name]), right=index + 2 if index + 1 < len(names) else -1)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 4, 0xFFFE, 12, 6)
              + b"\0" * 6 + struct.pack("<iiiiiiiii", 1, fat_count, directory_sector, 0, 4096, -2, 0, -2, 0)
              + struct.pack("<109i", *([used + index for index in range(fat_count)] + [-1] * (109 - fat_count))))
    return (header.ljust(sector, b"\0") + data + struct.pack(f"<{len(fat)}i", *fat)
            + entries.ljust(sector, b"\0"))
