"""A legacy Excel file (.xls, an OLE compound file holding a BIFF stream) as grids.

calamine builds every sheet of an .xls densely when opening it (a cell at IV65536 costs about
1 GB), so the BIFF record stream is scanned first: each sheet's extent (refused beyond
MAX_DENSE_CELLS), its percent-formatted cells (FORMAT/XF records and each cell record's XF index),
error cells, hidden rows and columns and the printed page's header and footer. BIFF5 files (Excel 5.0/95)
have no readable formats: their grids have formats_known False; their sheet names, headers and footers
are bytes of the code page their CODEPAGE record names (1258 in Vietnamese Windows). An OLE file can also be an encrypted OOXML package or a Word .doc: both
are refused with what to do.
"""

from __future__ import annotations

import codecs
import io
import struct
from pathlib import Path

import olefile

from ..grid import MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEETS, ReadError, Workbook, page_header_text
from .calamine import (PERCENT_BUILTIN_FORMATS, SheetScan, calamine_sheet, grid_from_calamine, open_calamine,
                       refuse_dense, shows_percent)
from .messages import corrupt, password
from .safezip import MAX_FILE_BYTES


def load_cfb(path: Path, data: bytes) -> Workbook:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        entries = ole.listdir(streams=True, storages=False)
        streams = {"/".join(entry).lower() for entry in entries}
        # A stream's sectors are the file's: one declared larger than the file has a chain looping back,
        # which olefile follows until it holds the gigabytes declared (the root's: the small streams').
        looping = ole.root.size > len(data) or any(ole.get_size(entry) > len(data) for entry in entries)
    except Exception:
        raise corrupt(path) from None
    if looping:
        raise corrupt(path)
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise password(path)
    if "worddocument" in streams:
        raise ReadError("word-legacy", file=path.name)
    if not ({"workbook", "book"} & streams):
        raise corrupt(path)
    stream_name = "workbook" if "workbook" in streams else "book"
    scan = _scan_biff(path, ole.openstream(stream_name).read(MAX_FILE_BYTES + 1))
    book = open_calamine(path, data)
    grids = []
    for meta in book.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue
        sheet = calamine_sheet(path, book, meta.name)
        sheet_scan = scan.get(meta.name)
        grids.append(grid_from_calamine(meta.name, sheet, sheet_scan or SheetScan(formats_known=False),
                                        hidden="Visible" not in str(meta.visible)))
    return Workbook(str(path), grids, title=_summary_title(ole))


def _summary_title(ole: olefile.OleFileIO) -> str:
    """The document's title in the file's summary information (File > Properties > Title)."""
    try:
        summary = ole.get_metadata()
        title, codepage = summary.title, (summary.codepage or 0) & 0xFFFF
    except Exception:  # a damaged property stream costs the title only
        return ""
    if isinstance(title, bytes):
        title = title.decode(_encoding(codepage, "utf-8"), "replace")
    return " ".join((title or "").split())[:500]


def _encoding(codepage: int, unknown: str) -> str:
    """Python's name of a Windows code page number (1258 for Vietnamese), `unknown` for one it lacks."""
    name = {65001: "utf-8", 1200: "utf-16-le", 367: "ascii", 10000: "mac-roman", 32768: "mac-roman"}.get(
        codepage, f"cp{codepage}" if codepage else "cp1252")
    try:
        codecs.lookup(name)
    except LookupError:
        return unknown
    return name



_BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS = 0x0809, 0x000A, 0x002F
_BIFF_SHEET, _BIFF_FORMAT, _BIFF_XF, _BIFF_CODEPAGE = 0x0085, 0x041E, 0x00E0, 0x0042
_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0204, 0x0205, 0x0006}  # NUMBER LABELSST RK LABEL BOOLERR FORMULA
_BIFF_MULRK = 0x00BD
_BIFF_BOOLERR, _BIFF_FORMULA = 0x0205, 0x0006
_BIFF_ROW, _BIFF_COLINFO = 0x0208, 0x007D
_BIFF_SST, _BIFF_DIMENSIONS = 0x00FC, 0x0200
_BIFF_PAGE_HEADERS = {0x0014, 0x0015}  # HEADER, FOOTER: the printed page's (Page Setup)
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}


def _scan_biff(path: Path, stream: bytes) -> dict[str, SheetScan]:
    """Per sheet: extent of the cells holding a value and the cells with a percent format.

    Read as calamine reads the stream: the workbook globals from the start (sheet list, formats,
    shared strings), then each sheet from the offset its BOUNDSHEET record gives, wherever in the
    stream that points, up to its EOF. calamine builds every sheet densely, and reserves room for
    as many cells as a DIMENSIONS record claims and for as many shared strings as the SST record
    claims, before reading any: a sheet whose extent or claimed dimensions exceed MAX_DENSE_CELLS
    is refused, and so is a shared-string count that the stream cannot hold.
    """
    records = _Records(stream)
    sheets: list[tuple[int, str]] = []
    custom_formats: dict[int, str] = {}
    xf_formats: list[int] = []
    biff8 = False
    encoding = "cp1252"  # of a BIFF5 file's strings: its CODEPAGE record's (1258 in Vietnamese Windows)
    try:
        for record, body in records.walk(0):
            if record == _BIFF_BOF:
                biff8 = biff8 or _is_biff8(body)
            elif record == _BIFF_FILEPASS:
                raise password(path)
            elif record == _BIFF_CODEPAGE and len(body) >= 2:
                encoding = _encoding(int.from_bytes(body[:2], "little"), encoding)
            elif record == _BIFF_SHEET and len(body) >= 8:
                name = _biff_short_string(body[6:]) if biff8 else _byte_string(body[6:], encoding)
                sheets.append((int.from_bytes(body[:4], "little"), name))
            elif record == _BIFF_FORMAT and biff8 and len(body) >= 5:
                custom_formats[int.from_bytes(body[:2], "little")] = _biff_string(body[2:])
            elif record == _BIFF_XF and len(body) >= 4:
                xf_formats.append(int.from_bytes(body[2:4], "little"))
            elif record == _BIFF_SST and len(body) >= 8:
                unique = int.from_bytes(body[4:8], "little", signed=True)
                if not 0 <= unique <= len(stream) // 3:  # each string takes 3 bytes at least
                    raise corrupt(path)
        if len(sheets) > MAX_SHEETS:
            raise corrupt(path)
        walked: dict[int, SheetScan] = {}
        for offset, _name in sheets:
            if offset not in walked:
                walked[offset] = _scan_sheet(records, offset, xf_formats, custom_formats, encoding)
    except ReadError:
        raise
    except Exception:
        raise corrupt(path) from None
    refuse_dense(path, {name: walked[offset] for offset, name in sheets})
    return {name: walked[offset] for offset, name in sheets}  # of two sheets with one name, calamine keeps the last


# A Phụ lục's stream is a few thousand records, a workbook of 65,536 full rows under a million.
MAX_BIFF_RECORDS = 1_500_000


class _Records:
    """The stream's records, counted over every walk: sheets listed at offsets whose walks each run on
    to the end of a stream of millions of empty records (no EOF) cost minutes; past MAX_BIFF_RECORDS
    in all, the file is refused."""

    def __init__(self, stream: bytes):
        self.stream = stream
        self.left = MAX_BIFF_RECORDS

    def walk(self, position: int):
        """(record type, body) from `position` to the end of the stream."""
        stream, end = self.stream, len(self.stream)
        while position + 4 <= end:
            self.left -= 1
            if self.left < 0:
                raise ValueError("more records than a workbook holds")
            record, size = struct.unpack_from("<HH", stream, position)
            yield record, stream[position + 4:position + 4 + size]
            position += 4 + size


def _is_biff8(bof: bytes) -> bool:
    return len(bof) >= 2 and int.from_bytes(bof[:2], "little") == 0x0600


def _scan_sheet(records: _Records, offset: int, xf_formats: list[int], custom_formats: dict[int, str],
                encoding: str) -> SheetScan:
    """One sheet's records from `offset` to its EOF; `encoding`: a BIFF5 file's, of its header and footer."""
    scan = SheetScan(formats_known=False)
    page_headers: list[str] = []
    for index, (record, body) in enumerate(records.walk(offset)):
        if index == 0 and record == _BIFF_BOF:
            scan.formats_known = _is_biff8(body)
        elif record in _BIFF_CELLS and len(body) >= 6:
            _biff_cell(scan, body[0:2], body[2:4], body[4:6], xf_formats, custom_formats)
            _biff_error(scan, record, body)
        elif record == _BIFF_MULRK and len(body) >= 6:
            first, last = int.from_bytes(body[2:4], "little"), int.from_bytes(body[-2:], "little")
            _extend(scan, int.from_bytes(body[0:2], "little") + 1, last + 1)  # however many columns it claims
            for place, column in enumerate(range(first, min(last + 1, MAX_GRID_COLS))):
                start = 4 + 6 * place
                _biff_cell(scan, body[0:2], column.to_bytes(2, "little"), body[start:start + 2],
                           xf_formats, custom_formats)
        elif record == _BIFF_DIMENSIONS:
            _extend(scan, *_claimed(body))
        elif record in (_BIFF_ROW, _BIFF_COLINFO):
            _biff_hidden(scan, record, body)
        elif record in _BIFF_PAGE_HEADERS and len(body) >= (3 if scan.formats_known else 1):  # BIFF8: unicode; BIFF5: bytes
            page_headers.append(_biff_string(body) if scan.formats_known else _byte_string(body, encoding))
        elif record == _BIFF_EOF:
            break
    scan.page_header = page_header_text(page_headers[:4])
    return scan


def _claimed(body: bytes) -> tuple[int, int]:
    """The rows and columns calamine reserves cells for on a DIMENSIONS record, computed as it
    does (32-bit unsigned)."""
    if len(body) == 10:
        first_row, last_row, first_col, last_col = (int.from_bytes(body[i:i + 2], "little") for i in (0, 2, 4, 6))
    elif len(body) == 14:
        first_row, last_row = int.from_bytes(body[0:4], "little"), int.from_bytes(body[4:8], "little")
        first_col, last_col = int.from_bytes(body[8:10], "little"), int.from_bytes(body[10:12], "little")
    else:
        return 0, 0  # calamine refuses the file
    end_row, end_col = (last_row - 1, last_col - 1) if last_row >= 1 and last_col >= 1 else (first_row, first_col)
    return (end_row - first_row + 1) % 2 ** 32, (end_col - first_col + 1) % 2 ** 32


def _extend(scan: SheetScan, rows: int, cols: int) -> None:
    scan.rows, scan.cols = max(scan.rows, rows), max(scan.cols, cols)
    scan.cells = max(scan.cells, rows * cols, scan.rows * scan.cols)


def _biff_cell(scan: SheetScan, row_bytes: bytes, col_bytes: bytes, xf_bytes: bytes,
               xf_formats: list[int], custom_formats: dict[int, str]) -> None:
    row, col = int.from_bytes(row_bytes, "little"), int.from_bytes(col_bytes, "little")
    _extend(scan, row + 1, col + 1)
    xf = int.from_bytes(xf_bytes, "little")
    if row < MAX_GRID_ROWS and xf < len(xf_formats):
        fmt = xf_formats[xf]
        if fmt in PERCENT_BUILTIN_FORMATS or shows_percent(custom_formats.get(fmt, "")):
            scan.percent_cells.add((row, col))


def _biff_hidden(scan: SheetScan, record: int, body: bytes) -> None:
    """ROW records with the zero-height flag, COLINFO records with the hidden flag."""
    if record == _BIFF_ROW and len(body) >= 14 and body[12] & 0x20:
        row = int.from_bytes(body[0:2], "little")
        if row < MAX_GRID_ROWS:
            scan.hidden_rows.add(row)
    elif record == _BIFF_COLINFO and len(body) >= 10 and body[8] & 0x01:
        first, last = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
        scan.hidden_cols.update(range(first, min(last + 1, MAX_GRID_COLS)))


def _biff_error(scan: SheetScan, record: int, body: bytes) -> None:
    """A BOOLERR cell holding an error, or a FORMULA whose cached result is an error."""
    code = None
    if record == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
        code = body[6]
    elif record == _BIFF_FORMULA and len(body) >= 14 and body[6] == 0x02 and body[12:14] == b"\xff\xff":
        code = body[8]
    row = int.from_bytes(body[0:2], "little")
    if code is not None and row < MAX_GRID_ROWS:
        scan.errors[(row, int.from_bytes(body[2:4], "little"))] = _BIFF_ERRORS.get(code, "#VALUE!")


def _biff_string(body: bytes) -> str:
    """XLUnicodeString: character count (2 bytes), flags, characters (Latin-1 or UTF-16)."""
    count, wide = int.from_bytes(body[:2], "little"), body[2] & 1
    raw = body[3:3 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _byte_string(body: bytes, encoding: str) -> str:
    """BIFF5's string of a sheet's name, header or footer: character count (1 byte), the code page's bytes."""
    return body[1:1 + body[0]].decode(encoding, "replace")


def _biff_short_string(body: bytes) -> str:
    count, wide = body[0], body[1] & 1
    raw = body[2:2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")
