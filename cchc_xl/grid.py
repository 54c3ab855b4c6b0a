"""A workbook as plain grids of cell values, read safely from .xlsx/.xlsm/.xls/.ods.

Cell values come from python-calamine (fast, never runs macros). What calamine does not expose
is read from the file's own XML: which cells show a percent format and the workbook's defined
names. Every file is checked before calamine touches it, because calamine aborts the whole
process on some hostile inputs (a cell at XFD1048576 makes it allocate the dense range):

- the file's size, the zip directory's declared sizes and compression ratios, and the actual
  inflated size of every part (a part that inflates past its declared size fails its CRC);
- XML parts that declare a DOCTYPE (entity bombs) are refused; Excel never writes one;
- each sheet's extent is measured from its cell references: an .xlsx sheet with more than
  MAX_GRID_ROWS rows is cut to its first MAX_GRID_ROWS rows and MAX_GRID_COLS columns before
  calamine sees it (and said so in Workbook.notes); .xls and .ods sheets, which calamine builds
  all at once when opening the file, are refused beyond MAX_DENSE_CELLS.

Percent formats: .xlsx/.xlsm from styles.xml (cellXfs numFmtId 9/10 or a custom code with '%');
.xls (BIFF8) from the FORMAT/XF records and each cell record's XF index; .ods from
office:value-type="percentage". Only BIFF5 files and grids handed over without formats have
Grid.formats_known False; the reader then uses a heuristic (see reading.py).

Cells showing an Excel error (#DIV/0!, #REF!, a formula that cannot be computed) come out of
calamine as empty cells; they are read from the same sources (the cell's t="e" value, the BIFF
error byte, the .ods error value type) and put in the grid as CellError, so a broken formula is
reported instead of passing for "not reported".
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable

import defusedxml.ElementTree as SafeET
import olefile
from python_calamine import CalamineWorkbook

from .values import CellError

# Limits (bytes, cells). A commune's Phụ lục is ~200 rows x 5 columns, a file of 20-60 kB.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # applies to parts larger than RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_GRID_ROWS = 3000
MAX_GRID_COLS = 64
MAX_SHEET_CELLS = MAX_GRID_ROWS * MAX_GRID_COLS
# .xls and .ods sheets cannot be cut before calamine builds them (about 64 bytes per cell of the
# dense range): larger ones are refused.
MAX_DENSE_CELLS = 2_000_000

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PERCENT_BUILTIN_FORMATS = {9, 10}


class ReadError(Exception):
    """A workbook that cannot be read; the message is Vietnamese and names the file."""


@dataclass
class Grid:
    """One sheet: rows[r][c] with r, c counted from 0 at A1; None for an empty cell."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    formats_known: bool = True  # False when percent formats could not be read (.xls)
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    # Sources without A1 addresses (a Word table) name their cells themselves.
    locate: Callable[[int, int], str] | None = field(default=None, repr=False, compare=False)

    def value(self, r: int, c: int) -> Any:
        if r < 0 or c < 0:
            return None
        try:
            return self.rows[r][c]
        except IndexError:
            return None

    def address(self, r: int, c: int) -> str:
        if self.locate is not None:
            return self.locate(r, c)
        return f"{self.name}!{column_letter(c)}{r + 1}"


@dataclass
class Workbook:
    path: str
    grids: list[Grid]
    defined_names: dict[str, str] = field(default_factory=dict)  # name -> "Sheet!$D$12"
    notes: list[str] = field(default_factory=list)  # Vietnamese: sheets cut or skipped

    def grid(self, name: str) -> Grid | None:
        return next((grid for grid in self.grids if grid.name == name), None)


@lru_cache(maxsize=1024)
def column_letter(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def grid_from_values(name: str, rows: Iterable[Iterable[Any]], *, merged=(), percent_cells=(),
                     formats_known: bool = False) -> Grid:
    """A grid from plain values (an open workbook's used range, from A1); '' counts as empty."""
    clean = [[None if value == "" else value for value in row] for row in rows]
    return Grid(name, clean[:MAX_GRID_ROWS], list(merged), set(percent_cells), formats_known)


# ---------------------------------------------------------------------------------------------
# Opening the file


# A sheet read before the others, and the test on its grid that makes the others unnecessary.
FirstSheet = tuple[str, Callable[[Grid], bool]]


def load_workbook_grids(path: str | Path, *, first: FirstSheet | None = None) -> Workbook:
    """Every worksheet of the file as a grid; ReadError (Vietnamese, naming the file) otherwise.

    first=(name, enough): in an .xlsx holding that sheet (small and plain), it is read before the
    others, and when enough(its grid) it is the only grid returned: a roll-up's state sheet is all
    a merge reads of it, and its other sheets run to thousands of lines."""
    path = Path(path)
    data = _read_bytes(path)
    try:
        if data[:4] == b"PK\x03\x04":
            return _load_zip(path, data, first)
        if data[:8] == olefile.MAGIC:
            return _load_cfb(path, data)
    except ReadError:
        raise
    except Exception:
        # Damaged files fail in endless ways inside zlib, zipfile, olefile and calamine: all of
        # them mean the same thing to the person who sent the file.
        raise ReadError(_corrupt(path)) from None
    raise ReadError(_corrupt(path))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, opened read-only (the input is never modified), at most MAX_FILE_BYTES + 1."""
    name = path.name
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            size = info.st_size
            if size == 0:
                raise ReadError(f"{name}: tệp rỗng (0 byte); hãy gửi lại tệp")
            if size > MAX_FILE_BYTES:
                raise ReadError(f"{name}: tệp quá lớn ({size // (1024 * 1024)} MB, tối đa "
                                f"{MAX_FILE_BYTES // (1024 * 1024)} MB); bảng Phụ lục chỉ cần vài chục kB")
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ReadError(f"{name}: không tìm thấy tệp ({path}); hãy kiểm tra lại tên và thư mục của tệp") from None
    except IsADirectoryError:
        raise ReadError(f"{name}: đây là thư mục, không phải tệp Excel") from None
    except PermissionError:
        if path.is_dir():  # Windows refuses to open a folder with a permission error
            raise ReadError(f"{name}: đây là thư mục, không phải tệp Excel") from None
        raise ReadError(f"{name}: không có quyền đọc tệp; hãy đóng tệp nếu đang mở trong Excel, "
                        "hoặc chép tệp sang thư mục của mình rồi thử lại") from None
    except OSError as exc:
        raise ReadError(f"{name}: không đọc được tệp (mã lỗi hệ thống {exc.errno}); "
                        "hãy chép tệp sang ổ đĩa của máy rồi thử lại") from None


def _corrupt(path: Path) -> str:
    from .wordtables import WORD_SUFFIXES, corrupt_message
    if path.suffix.lower() in WORD_SUFFIXES:
        return corrupt_message(path)
    return (f"{path.name}: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods); "
            "hãy mở tệp bằng Excel, lưu lại rồi gửi lại")


def _password(path: Path) -> str:
    return f"{path.name}: tệp có mật khẩu, hãy gỡ mật khẩu rồi gửi lại"


def _word(path: Path) -> str:
    return f"{path.name}: đây là tệp Word, không phải tệp Excel; hãy gửi bảng Phụ lục dạng Excel"


def _load_cfb(path: Path, data: bytes) -> Workbook:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception:
        raise ReadError(_corrupt(path)) from None
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise ReadError(_password(path))
    if "worddocument" in streams:
        from .wordtables import legacy_message
        raise ReadError(legacy_message(path))
    if not ({"workbook", "book"} & streams):
        raise ReadError(_corrupt(path))
    stream_name = "workbook" if "workbook" in streams else "book"
    scan = _scan_biff(path, ole.openstream(stream_name).read(MAX_FILE_BYTES + 1))
    book = _open_calamine(path, data)
    grids = []
    for meta in book.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue
        sheet = _calamine_sheet(path, book, meta.name)
        sheet_scan = scan.get(meta.name)
        grids.append(_grid_from_calamine(meta.name, sheet, sheet_scan or _SheetScan(formats_known=False),
                                         hidden="Visible" not in str(meta.visible)))
    return Workbook(str(path), grids)


def _open_calamine(path: Path, data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReadError(_password(path)) from None
        raise ReadError(_corrupt(path)) from None


def _calamine_sheet(path: Path, book: CalamineWorkbook, name: str):
    try:
        return book.get_sheet_by_name(name)
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReadError(_password(path)) from None
        raise ReadError(f"{path.name}: trang tính «{name}» bị hỏng, không đọc được; "
                        "hãy mở tệp bằng Excel, lưu lại rồi gửi lại") from None


def _grid_from_calamine(name: str, sheet, scan: _SheetScan, *, hidden: bool, merged=None) -> Grid:
    """The calamine sheet's values with what the scan of the file found: percent formats, error
    values, hidden rows and columns."""
    # iter_rows yields rows from the sheet's first row, but cells from its first used column.
    left = sheet.start[1] if sheet.start else 0
    width, padding = max(0, MAX_GRID_COLS - left), [None] * left
    blank_as_none = {"": None}.get  # calamine gives "" for an empty cell; any other value maps to itself
    rows: list[list[Any]] = []
    for row in sheet.iter_rows():
        if len(rows) >= MAX_GRID_ROWS:
            break
        cells = row[:width]
        rows.append([*padding, *map(blank_as_none, cells, cells)])
    if merged is None:
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    merged = [span for span in merged if span[0] < MAX_GRID_ROWS and span[1] < MAX_GRID_COLS]
    for (r, c), text in scan.errors.items():
        if r < MAX_GRID_ROWS and c < MAX_GRID_COLS:
            while len(rows) <= r:
                rows.append([])
            if len(rows[r]) <= c:
                rows[r].extend([None] * (c + 1 - len(rows[r])))
            if rows[r][c] is None:
                rows[r][c] = CellError(text)
    return Grid(name, rows, merged, scan.percent_cells, scan.formats_known, hidden, scan.hidden_rows, scan.hidden_cols)


# ---------------------------------------------------------------------------------------------
# Zip packages: .xlsx / .xlsm / .ods


def _load_zip(path: Path, data: bytes, first: FirstSheet | None = None) -> Workbook:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ReadError(_corrupt(path)) from None
    names = {member.filename for member in members}
    _check_declared_sizes(path, members)
    parts = _inflate_all(path, archive, members, data)
    if "xl/workbook.xml" in names:
        return _load_xlsx(path, data, parts, first)
    if "content.xml" in names and parts.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return _load_ods(path, data, parts)
    if "word/document.xml" in names:
        from .wordtables import load_docx
        return load_docx(path, parts)
    if parts.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument.text"):
        raise ReadError(_word(path))
    raise ReadError(_corrupt(path))


def _bomb(path: Path) -> str:
    return (f"{path.name}: tệp có nội dung nén bất thường (giải nén quá lớn so với tệp, giới hạn "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB), không đọc; hãy mở tệp bằng {_program(path)}, lưu lại rồi gửi lại")


def _program(path: Path) -> str:
    """The program the sender should open the file with."""
    from .wordtables import WORD_SUFFIXES
    return "Word" if path.suffix.lower() in WORD_SUFFIXES else "Excel"


def _check_declared_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise ReadError(_corrupt(path))
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO):
            raise ReadError(_bomb(path))


def _inflate_all(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], data: bytes) -> dict[str, bytes]:
    """Every part inflated, counting real bytes: a part is never inflated past what is left of
    MAX_UNCOMPRESSED_BYTES, and one whose bytes differ from its declared size or CRC is corrupt."""
    parts: dict[str, bytes] = {}
    total = 0
    view = memoryview(data)
    for member in members:
        if member.is_dir():
            continue
        if member.flag_bits & 0x1:
            raise ReadError(_password(path))
        budget = MAX_UNCOMPRESSED_BYTES - total
        try:
            body = _inflate_in_memory(view, member, budget)
            if body is None:
                body = _inflate_streamed(archive, member, budget)
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, RuntimeError,
                struct.error):
            raise ReadError(_corrupt(path)) from None
        if len(body) > budget:
            raise ReadError(_bomb(path))
        total += len(body)
        if (member.filename.endswith((".xml", ".rels", ".vml")) and b"<!" in body
                and (b"<!DOCTYPE" in body or b"<!ENTITY" in body)):
            raise ReadError(f"{path.name}: tệp chứa khai báo XML không an toàn (DOCTYPE), không đọc; "
                            f"hãy mở tệp bằng {_program(path)}, lưu lại rồi gửi lại")
        parts[member.filename] = body
    return parts


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


def worksheet_parts(workbook_body: bytes, rels_body: bytes) -> dict[str, str]:
    """Sheet name -> its part in the package ('xl/worksheets/sheet2.xml'), in workbook order."""
    layout = _workbook_layout.__wrapped__(workbook_body, rels_body)
    if layout is None:
        raise ValueError("xl/workbook.xml hoặc quan hệ của nó không phải XML hợp lệ")
    return {name: part for name, part, _hidden in layout[0]}


def _inflate_streamed(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> bytes:
    """The part through zipfile, at most budget + 1 bytes (a lying declared size fails its CRC check)."""
    chunks, size = [], 0
    with archive.open(member) as stream:
        while size <= budget and (chunk := stream.read(min(1 << 20, budget + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks)


def _load_xlsx(path: Path, data: bytes, parts: dict[str, bytes], first: FirstSheet | None = None) -> Workbook:
    workbook_body, rels_body = parts["xl/workbook.xml"], parts.get("xl/_rels/workbook.xml.rels") or b""
    if len(workbook_body) + len(rels_body) <= _CACHED_PART_BYTES:
        layout = _workbook_layout(workbook_body, rels_body)
    else:
        layout = _workbook_layout.__wrapped__(workbook_body, rels_body)
    if layout is None:
        raise ReadError(_corrupt(path))
    sheets = [(name, part, hidden) for name, part, hidden in layout[0] if part in parts]
    defined = dict(layout[1])
    percent_styles = _xlsx_percent_styles(path, parts.get("xl/styles.xml"))
    book = None
    read_first: dict[str, Grid] = {}
    if first is not None:
        name, enough = first
        entry = next((sheet for sheet in sheets if sheet[0] == name), None)
        scan = _scan_small_sheet(parts[entry[1]], percent_styles) if entry else None
        if scan is not None:
            book = _open_calamine(path, data)
            grid = _grid_from_calamine(name, _calamine_sheet(path, book, name), scan, hidden=entry[2])
            if enough(grid):
                return Workbook(str(path), [grid], defined)
            read_first[name] = grid  # read once: kept in its place among the others
    notes: list[str] = []
    scans = {}
    replaced: dict[str, bytes] = {}
    for name, part, _hidden in sheets:
        body = parts.get(part)
        if body is None or name in read_first:
            continue
        scan = _scan_small_sheet(body, percent_styles)
        if scan is None:
            cut = _row_cut(body)
            scan = _scan_sheet_xml(body if cut is None else body[:cut], percent_styles)
        else:
            cut = None
        scans[name] = scan
        if cut is not None or scan.rows > MAX_GRID_ROWS or scan.cols > MAX_GRID_COLS:
            replaced[part] = _trim_sheet_xml(body, cut)
            notes.append(_cut_note(name, _last_row(body), scan.cols))
    if replaced:
        book = _open_calamine(path, _repack(parts, replaced))
    elif book is None:
        book = _open_calamine(path, data)
    grids = []
    for name, part, hidden in sheets:
        if name in read_first:
            grids.append(read_first[name])
            continue
        if name not in scans:
            continue
        if part in replaced and _scan_sheet_xml(replaced[part], set()).cells > MAX_SHEET_CELLS:
            notes.append(f"Trang tính «{name}» quá lớn, không đọc")
            continue
        sheet = _calamine_sheet(path, book, name)
        grids.append(_grid_from_calamine(name, sheet, scans[name], hidden=hidden))
    return Workbook(str(path), grids, defined, notes)


# Files filled from one template share their workbook, relationships and styles parts: each is
# parsed once per process; larger parts are not kept (bounded memory).
_CACHED_PART_BYTES = 64 * 1024


@lru_cache(maxsize=32)
def _workbook_layout(workbook_body: bytes, rels_body: bytes):
    """((sheet name, part path, hidden) of the worksheets in workbook order, (name, reference) of
    the workbook-level defined names), or None when a part is not well-formed XML."""
    try:
        workbook_xml = SafeET.fromstring(workbook_body)
        relationships = SafeET.fromstring(rels_body).iter(f"{_PKG_REL_NS}Relationship") if rels_body else ()
    except Exception:
        return None
    targets = {}
    for rel in relationships:
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = _normalise_part(part)
    sheets = []
    for sheet in workbook_xml.iter(f"{_MAIN_NS}sheet"):
        part = targets.get(sheet.get(f"{_REL_NS}id"))
        if part and "worksheets/" in part:
            sheets.append((sheet.get("name", ""), part, sheet.get("state", "visible") != "visible"))
    defined = []
    for element in workbook_xml.iter(f"{_MAIN_NS}definedName"):
        if element.get("localSheetId") is None and element.get("name") and element.text:
            defined.append((element.get("name"), element.text.strip()))
    return tuple(sheets), tuple(defined)


def _normalise_part(part: str) -> str:
    pieces: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if pieces:
                pieces.pop()
        elif piece not in ("", "."):
            pieces.append(piece)
    return "/".join(pieces)


def _xlsx_percent_styles(path: Path, styles_body: bytes | None) -> frozenset[int]:
    """Indexes into cellXfs whose number format shows a percent."""
    if not styles_body:
        return frozenset()
    if len(styles_body) <= _CACHED_PART_BYTES:
        found = _percent_styles(styles_body)
    else:
        found = _percent_styles.__wrapped__(styles_body)
    if found is None:
        raise ReadError(_corrupt(path))
    return found


@lru_cache(maxsize=32)
def _percent_styles(styles_body: bytes) -> frozenset[int] | None:
    """The percent styles of a styles part, or None when it is not well-formed XML."""
    try:
        root = SafeET.fromstring(styles_body)
    except Exception:
        return None
    custom = {}
    for fmt in root.iter(f"{_MAIN_NS}numFmt"):
        try:
            custom[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
        except ValueError:
            continue
    percent = set()
    cell_xfs = root.find(f"{_MAIN_NS}cellXfs")
    if cell_xfs is None:
        return frozenset()
    for index, xf in enumerate(cell_xfs.findall(f"{_MAIN_NS}xf")):
        try:
            fmt_id = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        if fmt_id in _PERCENT_BUILTIN_FORMATS or _shows_percent(custom.get(fmt_id, "")):
            percent.add(index)
    return frozenset(percent)


def _shows_percent(code: str) -> bool:
    """A '%' in a number format code that is not quoted or escaped ("0.0%", not '0" %"')."""
    unquoted = re.sub(r'"[^"]*"|\\.', "", code)
    return "%" in unquoted


@dataclass
class _SheetScan:
    rows: int = 0  # last used row, counted from 1
    cols: int = 0
    cells: int = 0  # dense extent rows x cols
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formats_known: bool = True
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells showing #DIV/0!, #REF! ...
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: set[int] = field(default_factory=set)


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_ATTR_R = re.compile(rb'\sr="([A-Za-z]*)(\d*)"')
_ATTR_S = re.compile(rb'\ss="(\d+)"')


def _scan_sheet_xml(body: bytes, percent_styles: frozenset[int] | set[int]) -> _SheetScan:
    """Extent and percent-formatted cells of a sheet, from its row and cell tags alone."""
    scan = _scan_explicit_cells(body, percent_styles)
    if scan is None:
        scan = _scan_tag_by_tag(body, percent_styles)
    for match in _COLUMN_SPEC.finditer(body) if b'hidden="' in body else ():
        attrs = match.group(1)
        first, last = _ATTR_MIN.search(attrs), _ATTR_MAX.search(attrs)
        if _HIDDEN.search(attrs) and first and last:
            scan.hidden_cols.update(range(int(first.group(1)) - 1, min(int(last.group(1)), MAX_GRID_COLS)))
    return _with_errors(scan, body)


def _with_errors(scan: _SheetScan, body: bytes) -> _SheetScan:
    """The scan with the sheet's error cells (#DIV/0!, #REF! ...), which calamine reads as blanks."""
    if b't="e"' in body:
        scan.errors = _xlsx_error_cells(body)
    return scan


# Cell tags as Excel, LibreOffice and XlsxWriter write them: no namespace prefix, the position
# first ("<c r="D12" s="3" t="s">"). The attributes after it are few distinct strings per sheet.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>')
# Other tags the tag-by-tag scan takes for cells: "<c>", "<c/>", "<c\t", "<c-x" (and "<x:c", found by ":c").
_OTHER_CELL_TAG = re.compile(rb"<c(?![A-Za-z0-9_ ])")
_HIDDEN_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")


# A Phụ lục sheet as offices write it: every cell tag plain, none past column AZ or row 999. Such
# a sheet is inside the grid's limits by construction, so its extent need not be found cell by cell.
_OUTSIDE_SMALL_SHEET = re.compile(rb'<c (?!r="A?[A-Z]\d{1,3}")')  # a cell tag of any other form
_SMALL_SHEET_ROWS = 999
_SMALL_SHEET_COLS = 52


def _scan_small_sheet(body: bytes, percent_styles: frozenset[int] | set[int]) -> _SheetScan | None:
    """The scan of a sheet known to be small (no _OUTSIDE_SMALL_SHEET tag), with `rows` and `cols` the
    bounds of that case rather than the last used ones; None for any other sheet, which takes the
    full scan. About twice as fast as listing every cell with its attributes."""
    if (b'hidden="' in body or b":c" in body or _OTHER_CELL_TAG.search(body)
            or _OUTSIDE_SMALL_SHEET.search(body)):
        return None
    scan = _SheetScan(rows=_SMALL_SHEET_ROWS, cols=_SMALL_SHEET_COLS,
                      cells=_SMALL_SHEET_ROWS * _SMALL_SHEET_COLS)
    if percent_styles:
        scan.percent_cells = {(int(number) - 1, column_index(letters.decode()))
                              for letters, number, rest in _percent_cell_pattern(frozenset(percent_styles)).findall(body)
                              if not rest.endswith(b"/") or b' t="' in rest}
    return _with_errors(scan, body)


@lru_cache(maxsize=32)
def _percent_cell_pattern(percent_styles: frozenset[int]) -> re.Pattern:
    """Plain cell tags whose first style attribute is one of `percent_styles` ("s="03"" is 3)."""
    styles = b"|".join(str(style).encode() for style in sorted(percent_styles))
    return re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"((?:\s(?!s=)[\w:.-]+="[^"]*")*\ss="0*(?:' + styles
                      + rb')"[^>]*)>')


def _scan_explicit_cells(body: bytes, percent_styles: set[int]) -> _SheetScan | None:
    """What _scan_tag_by_tag finds, with the per-cell work done by the regular-expression engine
    and on the few distinct attribute strings, for a sheet whose every cell tag is a _PLAIN_CELL
    (positions spelled out, so no counting is needed); None for any other sheet."""
    tags = body.count(b"<c ")
    if tags > MAX_SHEET_CELLS or b":c" in body or _OTHER_CELL_TAG.search(body):
        return None  # a sheet too large to list its cells at once, or with other cell tags
    refs = _PLAIN_CELL.findall(body)
    if len(refs) != tags:
        return None
    scan = _SheetScan()
    if b'hidden="' in body:
        for match in _HIDDEN_ROW.finditer(body):
            if _HIDDEN.search(match.group(1)):
                ref = _ATTR_R.search(match.group(1))
                if not (ref and ref.group(2)):
                    return None  # a hidden row numbered by position
                if int(ref.group(2)) <= MAX_GRID_ROWS:
                    scan.hidden_rows.add(int(ref.group(2)) - 1)
    if not refs:
        return scan
    letters, digits, rests = zip(*refs)
    kinds = set(rests)
    # Empty styled cells ("/>" without a type): calamine leaves them out of the range.
    counted = {rest for rest in kinds if not rest.endswith(b"/") or b' t="' in rest}
    if counted != kinds:
        kept = list(compress(refs, map(counted.__contains__, rests)))
        letters, digits, rests = zip(*kept) if kept else ((), (), ())
    if rests:
        rows = [int(number) for number in set(digits)]
        cols = [column_index(text.decode()) for text in set(letters)]
        scan.rows, scan.cols = max(rows), max(cols) + 1
        scan.cells = (scan.rows - min(rows) + 1) * (scan.cols - min(cols))
    percent = {rest for rest in counted if _style_of(rest) in percent_styles}
    if percent:
        scan.percent_cells = {(int(number) - 1, column_index(text.decode()))
                              for text, number in compress(zip(letters, digits), map(percent.__contains__, rests))
                              if int(number) <= MAX_GRID_ROWS}
    return scan


def _style_of(attrs: bytes) -> int | None:
    style = _ATTR_S.search(attrs)
    return int(style.group(1)) if style else None


def _scan_tag_by_tag(body: bytes, percent_styles: set[int]) -> _SheetScan:
    scan = _SheetScan()
    row = 0
    col = -1
    min_row, min_col, max_row, max_col = None, None, 0, 0
    for match in _TAG.finditer(body):
        tag, attrs = match.group(1), match.group(2)
        ref = _ATTR_R.search(attrs)
        if tag == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = -1
            if _HIDDEN.search(attrs) and row <= MAX_GRID_ROWS:
                scan.hidden_rows.add(row - 1)
            continue
        if ref and ref.group(1):
            col = column_index(ref.group(1).decode())
            if ref.group(2):
                row = int(ref.group(2))
        else:
            col += 1
        if attrs.endswith(b"/") and b' t="' not in attrs:
            continue  # an empty styled cell: calamine leaves it out of the range
        max_row, max_col = max(max_row, row), max(max_col, col + 1)
        min_row = row if min_row is None else min(min_row, row)
        min_col = col if min_col is None else min(min_col, col)
        if percent_styles and row <= MAX_GRID_ROWS:
            style = _ATTR_S.search(attrs)
            if style and int(style.group(1)) in percent_styles:
                scan.percent_cells.add((row - 1, col))
    if min_row is not None:
        scan.rows, scan.cols = max_row, max_col
        scan.cells = (max_row - min_row + 1) * (max_col - min_col)
    return scan


_HIDDEN = re.compile(rb'\shidden="(?:1|true)"')
_COLUMN_SPEC = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>")
_ATTR_MIN = re.compile(rb'\smin="(\d+)"')
_ATTR_MAX = re.compile(rb'\smax="(\d+)"')


_ERROR_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b(?=[^>]*\st="e")[^>]*?\sr="([A-Z]+)(\d+)"[^>]*>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>', re.S)
_CACHED_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]{1,16})</")


def _xlsx_error_cells(body: bytes) -> dict[tuple[int, int], str]:
    errors = {}
    for match in _ERROR_CELL.finditer(body):
        row = int(match.group(2))
        value = _CACHED_VALUE.search(match.group(3))
        if value and row <= MAX_GRID_ROWS:
            errors[(row - 1, column_index(match.group(1).decode()))] = value.group(1).decode("ascii", "replace")
    return errors


_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*\sr=\"(\d+)\"")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr=\"([A-Z]+)(\d+)\"[^>]*?(?:/>|>.*?</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)


_NUMBER_R = re.compile(rb'r="(\d+)"')  # every row tag's number, among others
_QUICK_ROW_CUT_BYTES = 8 * 1024 * 1024  # the numbers of a larger sheet are not listed at once


def _row_cut(body: bytes) -> int | None:
    """Offset of the first row tag past MAX_GRID_ROWS, or None."""
    if len(body) <= _QUICK_ROW_CUT_BYTES:
        numbers = set(_NUMBER_R.findall(body))
        if max(map(len, numbers), default=0) < 10 and max(map(int, numbers), default=0) <= MAX_GRID_ROWS:
            return None
    for match in _ROW_START.finditer(body):
        if int(match.group(1)) > MAX_GRID_ROWS:
            return match.start()
    return None


def _last_row(body: bytes) -> int:
    start = body.rfind(b"<row ")
    match = _ROW_START.match(body, start) if start >= 0 else None
    return int(match.group(1)) if match else MAX_GRID_ROWS + 1


def _cut_note(name: str, rows: int, cols: int) -> str:
    note = f"Trang tính «{name}» có {rows:,} dòng; chỉ đọc {MAX_GRID_ROWS:,} dòng đầu".replace(",", ".")
    if cols > MAX_GRID_COLS:
        note += f" và {MAX_GRID_COLS} cột đầu"
    return note


def _keep_cell(match: re.Match) -> bytes:
    inside = column_index(match.group(1).decode()) < MAX_GRID_COLS and int(match.group(2)) <= MAX_GRID_ROWS
    return match.group(0) if inside else b""


def _trim_sheet_xml(body: bytes, cut: int | None) -> bytes:
    """The sheet cut after row MAX_GRID_ROWS and column MAX_GRID_COLS (parts after sheetData kept)."""
    end = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>", body)
    if end is None:
        return body
    head, tail = body[: min(end.start(), cut if cut is not None else end.start())], body[end.start():]
    return _CELL.sub(_keep_cell, head) + tail


def _repack(parts: dict[str, bytes], replaced: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, replaced.get(name, body))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# OpenDocument spreadsheets

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT_NS = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _load_ods(path: Path, data: bytes, parts: dict[str, bytes]) -> Workbook:
    scans = _scan_ods(path, parts["content.xml"])
    for name, scan in scans.items():
        # calamine reads every sheet of an .ods when opening it: a huge one cannot be skipped.
        if scan.cells > MAX_DENSE_CELLS:
            size = f"{scan.rows:,} dòng x {scan.cols:,} cột".replace(",", ".")
            raise ReadError(f"{path.name}: trang tính «{name}» quá lớn ({size}), không đọc; "
                            "hãy xóa các dòng, cột thừa rồi gửi lại")
    book = _open_calamine(path, data)
    grids = []
    for meta in book.sheets_metadata:
        scan = scans.get(meta.name)
        sheet = _calamine_sheet(path, book, meta.name)
        grids.append(_grid_from_calamine(meta.name, sheet, scan or _SheetScan(),
                                         hidden="Visible" not in str(meta.visible), merged=scan.merged if scan else []))
    return Workbook(str(path), grids, {})


def _scan_ods(path: Path, content: bytes) -> dict[str, _SheetScan]:
    """Per table: extent counting repeated rows/cells that hold a value, and percentage cells."""
    table_tag = f"{{{_TABLE_NS}}}table"
    row_tag = f"{{{_TABLE_NS}}}table-row"
    cell_tags = {f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"}
    rows_repeated = f"{{{_TABLE_NS}}}number-rows-repeated"
    cols_repeated = f"{{{_TABLE_NS}}}number-columns-repeated"
    value_type = f"{{{_OFFICE_NS}}}value-type"
    calc_value_type = f"{{{_CALCEXT_NS}}}value-type"
    visibility = f"{{{_TABLE_NS}}}visibility"
    column_tag = f"{{{_TABLE_NS}}}table-column"
    rows_spanned = f"{{{_TABLE_NS}}}number-rows-spanned"
    cols_spanned = f"{{{_TABLE_NS}}}number-columns-spanned"
    scans: dict[str, _SheetScan] = {}
    try:
        events = SafeET.iterparse(io.BytesIO(content), events=("start", "end"))
        scan, row, col, row_repeat, column_count = None, 0, 0, 1, 0
        for event, element in events:
            tag = element.tag
            if event == "start" and tag == table_tag:
                scan = scans.setdefault(element.get(f"{{{_TABLE_NS}}}name", ""), _SheetScan())
                row = column_count = 0
            elif event == "start" and tag == row_tag and scan is not None:
                row_repeat = int(element.get(rows_repeated, "1"))
                col = 0
                if element.get(visibility, "visible") != "visible" and row < MAX_GRID_ROWS:
                    scan.hidden_rows.update(range(row, min(row + row_repeat, MAX_GRID_ROWS)))
            elif event == "start" and tag == column_tag and scan is not None:
                repeat = int(element.get(cols_repeated, "1"))
                if element.get(visibility, "visible") != "visible" and column_count < MAX_GRID_COLS:
                    scan.hidden_cols.update(range(column_count, min(column_count + repeat, MAX_GRID_COLS)))
                column_count += repeat
            elif event == "end" and tag in cell_tags and scan is not None:
                repeat = int(element.get(cols_repeated, "1"))
                kind = element.get(value_type)
                span_rows = int(element.get(rows_spanned, "1"))
                span_cols = int(element.get(cols_spanned, "1"))
                if (span_rows > 1 or span_cols > 1) and row < MAX_GRID_ROWS:
                    scan.merged.append((row, col, row + span_rows - 1, col + span_cols - 1))
                if kind is not None or len(element):
                    scan.rows = max(scan.rows, row + row_repeat)
                    scan.cols = max(scan.cols, col + repeat)
                    scan.cells = scan.rows * scan.cols
                    if kind == "percentage" and row < MAX_GRID_ROWS:
                        scan.percent_cells.update((row, c) for c in range(col, min(col + repeat, MAX_GRID_COLS)))
                    if element.get(calc_value_type) == "error" and row < MAX_GRID_ROWS:
                        shown = "".join(element.itertext()).strip()[:16] or "#VALUE!"
                        scan.errors.update(((row, c), shown) for c in range(col, min(col + repeat, MAX_GRID_COLS)))
                col += repeat
                element.clear()
            elif event == "end" and tag == row_tag and scan is not None:
                row += row_repeat
                element.clear()
    except ReadError:
        raise
    except Exception:
        raise ReadError(_corrupt(path)) from None
    return scans


# ---------------------------------------------------------------------------------------------
# Legacy .xls (BIFF8): extents and percent formats from the record stream

_BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS = 0x0809, 0x000A, 0x002F
_BIFF_SHEET, _BIFF_FORMAT, _BIFF_XF = 0x0085, 0x041E, 0x00E0
_BIFF_CELLS = {0x0203, 0x00FD, 0x027E, 0x0204, 0x0205, 0x0006}  # NUMBER LABELSST RK LABEL BOOLERR FORMULA
_BIFF_MULRK = 0x00BD
_BIFF_BOOLERR, _BIFF_FORMULA = 0x0205, 0x0006
_BIFF_ROW, _BIFF_COLINFO = 0x0208, 0x007D
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A"}


def _scan_biff(path: Path, stream: bytes) -> dict[str, _SheetScan]:
    """Per sheet: extent of the cells holding a value and the cells with a percent format.

    calamine builds every sheet of an .xls densely when opening it (a cell at IV65536 costs
    about 1 GB), so a sheet whose extent exceeds MAX_DENSE_CELLS is refused here.
    """
    names: dict[int, str] = {}
    custom_formats: dict[int, str] = {}
    xf_formats: list[int] = []
    scans: dict[str, _SheetScan] = {}
    scan: _SheetScan | None = None
    biff8 = False
    position, end = 0, len(stream)
    try:
        while position + 4 <= end:
            record = int.from_bytes(stream[position:position + 2], "little")
            size = int.from_bytes(stream[position + 2:position + 4], "little")
            body = stream[position + 4:position + 4 + size]
            offset = position
            position += 4 + size
            if record == _BIFF_BOF:
                biff8 = len(body) >= 2 and int.from_bytes(body[:2], "little") == 0x0600
                scan = scans.setdefault(names[offset], _SheetScan(formats_known=biff8)) if offset in names else None
            elif record == _BIFF_FILEPASS:
                raise ReadError(_password(path))
            elif record == _BIFF_SHEET and len(body) >= 8:
                names[int.from_bytes(body[:4], "little")] = _biff_short_string(body[6:])
            elif record == _BIFF_FORMAT and biff8 and len(body) >= 5:
                custom_formats[int.from_bytes(body[:2], "little")] = _biff_string(body[2:])
            elif record == _BIFF_XF and len(body) >= 4:
                xf_formats.append(int.from_bytes(body[2:4], "little"))
            elif scan is not None and record in _BIFF_CELLS and len(body) >= 6:
                _biff_cell(scan, body[0:2], body[2:4], body[4:6], xf_formats, custom_formats)
                _biff_error(scan, record, body)
            elif scan is not None and record == _BIFF_MULRK and len(body) >= 6:
                first, last = int.from_bytes(body[2:4], "little"), int.from_bytes(body[-2:], "little")
                for index, column in enumerate(range(first, last + 1)):
                    start = 4 + 6 * index
                    _biff_cell(scan, body[0:2], column.to_bytes(2, "little"), body[start:start + 2],
                               xf_formats, custom_formats)
            elif scan is not None and record in (_BIFF_ROW, _BIFF_COLINFO):
                _biff_hidden(scan, record, body)
            elif record == _BIFF_EOF:
                scan = None
    except ReadError:
        raise
    except Exception:
        raise ReadError(_corrupt(path)) from None
    for name, sheet_scan in scans.items():
        if sheet_scan.cells > MAX_DENSE_CELLS:
            size = f"{sheet_scan.rows:,} dòng x {sheet_scan.cols:,} cột".replace(",", ".")
            raise ReadError(f"{path.name}: trang tính «{name}» quá lớn ({size}), không đọc; "
                            "hãy xóa các dòng, cột thừa rồi gửi lại")
    return scans


def _biff_cell(scan: _SheetScan, row_bytes: bytes, col_bytes: bytes, xf_bytes: bytes,
               xf_formats: list[int], custom_formats: dict[int, str]) -> None:
    row, col = int.from_bytes(row_bytes, "little"), int.from_bytes(col_bytes, "little")
    scan.rows, scan.cols = max(scan.rows, row + 1), max(scan.cols, col + 1)
    scan.cells = scan.rows * scan.cols
    xf = int.from_bytes(xf_bytes, "little")
    if row < MAX_GRID_ROWS and xf < len(xf_formats):
        fmt = xf_formats[xf]
        if fmt in _PERCENT_BUILTIN_FORMATS or _shows_percent(custom_formats.get(fmt, "")):
            scan.percent_cells.add((row, col))


def _biff_hidden(scan: _SheetScan, record: int, body: bytes) -> None:
    """ROW records with the zero-height flag, COLINFO records with the hidden flag."""
    if record == _BIFF_ROW and len(body) >= 14 and body[12] & 0x20:
        row = int.from_bytes(body[0:2], "little")
        if row < MAX_GRID_ROWS:
            scan.hidden_rows.add(row)
    elif record == _BIFF_COLINFO and len(body) >= 10 and body[8] & 0x01:
        first, last = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
        scan.hidden_cols.update(range(first, min(last + 1, MAX_GRID_COLS)))


def _biff_error(scan: _SheetScan, record: int, body: bytes) -> None:
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


def _biff_short_string(body: bytes) -> str:
    count, wide = body[0], body[1] & 1
    raw = body[2:2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")
