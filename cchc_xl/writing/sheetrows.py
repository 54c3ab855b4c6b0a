"""Table lines written straight as worksheet XML, then put into the package XlsxWriter saved.

Why: XlsxWriter keeps every cell in its cell table and later serialises it through several layers
(argument conversion, dimension checks, attribute escaping, shared-string bookkeeping): about 5 µs
a cell, twice over (once to store, once to write). A roll-up of 1,000 units has some 150,000 such
cells in its one-line-per-item tables, which made writing the workbook take over a second.
Rendering those lines here takes a fraction of that.

How: XlsxWriter still writes everything else of a sheet (headers, merged cells, column widths and
formats, autofilter, frozen panes, conditional formats, print setup, charts, defined names) into
an in-memory package. The lines of each sheet are collected in a SheetRows as ready <row> elements
and `save` puts them into that sheet's <sheetData> in row order, widens its <dimension>, and
writes the final package to the path once.

The cells come out as XlsxWriter would write them, except that text is an inline string
(t="inlineStr") instead of an index into sharedStrings.xml:

- text is always text, never a formula; &, < and > are escaped, control characters become
  _xHHHH_ as Excel and XlsxWriter write them (a literal "_x0041_" gets its underscore escaped so
  it reads back as typed), leading or trailing white space is kept with xml:space="preserve",
  and text longer than an Excel cell holds (32,767 UTF-16 units) is cut there, as XlsxWriter does;
- numbers are written with XlsxWriter's "%.16G", so they read back with the same values and types
  as before (50.0 as 50); NaN and infinity, which a cell cannot hold, are left out like None;
- date-times are Excel serial numbers (1900 date system, as XlsxWriter's default);
- None is no cell; "" is a blank cell that keeps its style (borders, fill), or no cell without one;
- a row height is rounded to whole pixels as XlsxWriter's set_row does, with customHeight.

Styles: a cell's s="N" is the index of its XlsxWriter Format in styles.xml. XlsxWriter gives a
format that index only when one of its own cells (or rows, columns) uses it, while it writes the
sheets, and writes styles.xml with the formats that got one. `SheetRows.style` therefore asks
the Format for its index itself (Format._get_xf_index, the method XlsxWriter's own cell writer
calls), which registers the format for styles.xml. That method is XlsxWriter's internal API
(checked with XlsxWriter 3.3.1); tests/test_sheetrows.py fails if it stops working this way.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import pickle
import re
import signal
import struct
import threading
import zipfile
import zlib
from datetime import datetime
from typing import Any, Callable, Iterable

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..cells import column_index, column_letter
from .formula_text import starts_like_formula
from ..sources.safezip import member_data
from ..sources.xlsx import worksheet_parts

Cell = tuple[Any, "Format | None"]  # (value, style)

MAX_TEXT = 32_767  # UTF-16 units in an Excel cell
# Deflate level of the rendered rows. They compress beside the rest of the writing (see
# SheetRows.finish), where level 4 costs no more time than level 1 on two cores, for a smaller
# file: 1,000 units in 1.5 MB against 1.7 (zlib's default 6, about 1.3 MB, took longer than the
# rest of the writing and showed in the time).
COMPRESS_LEVEL = 4


_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone one (an undecodable file name) cannot be written as UTF-8
_ROW_START = re.compile(r'<row r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')
_EXCEL_EPOCH = datetime(1899, 12, 31)
_EXACT_INT = 2 ** 53  # whole numbers up to this are exact as floats

_column_names: list[str] = []


def column_name(column: int) -> str:
    """'A' for 0, 'AB' for 27 (cached: every cell reference needs one)."""
    while len(_column_names) <= column:
        _column_names.append(column_letter(len(_column_names)))
    return _column_names[column]


def cell_text(text: str) -> str:
    """`text` as the content of a <t> element: cut to what a cell holds, escaped as XlsxWriter escapes it."""
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le", "surrogatepass")) > 2 * MAX_TEXT:
        text = _truncate(text)
    # Control characters and U+FFFE/U+FFFF are not printable: most texts need no escaping at all.
    if text.isprintable() and "&" not in text and "<" not in text and ">" not in text and "_x" not in text:
        return text
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline_string(text: str) -> str:
    """The end of a text cell from its type on: ' t="inlineStr"><is><t>...</t></is></c>'."""
    text = cell_text(text)
    # As XlsxWriter: leading or trailing white space (after escaping) is kept explicitly.
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _other_cell(ref: str, style: str, value: Any) -> str | None:
    """A cell of any other value: text of a str subclass, a date-time, a number; None for a blank
    (""), "" for no cell at all (NaN or infinity, which a cell cannot hold: like None)."""
    if value == "":
        return None
    if isinstance(value, str):
        return f'<c r="{ref}"{style}{_inline_string(value)}'
    if isinstance(value, datetime):
        value = excel_serial(value)
    if not math.isfinite(value):
        return ""
    return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'


def _truncate(text: str) -> str:
    """The longest start of `text` within MAX_TEXT UTF-16 units, never splitting a character."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:index]
    return text


def excel_serial(moment: datetime) -> float:
    """A naive date-time as the number Excel stores (1900 date system), computed as XlsxWriter does."""
    if moment.tzinfo is not None:
        raise TypeError("Excel không lưu múi giờ: cần thời điểm không kèm múi giờ")
    delta = moment - _EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / (60 * 60 * 24)
    if serial > 59:  # Excel counts 29 February 1900, which never was
        serial += 1
    return serial


def row_height(points: float) -> str:
    """The ht="..." of a row set to `points`: whole pixels, as XlsxWriter's set_row gives it."""
    return f"{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}"


class SheetRows:
    """The rendered lines of one worksheet, kept until `save` puts them into the saved sheet."""

    def __init__(self, sheet: Worksheet):
        self.name = sheet.name
        # The <row> elements in UTF-8, encoded as they come: a text of Vietnamese letters takes two
        # bytes a character, and joining the texts before encoding them held them all twice more
        # (1.1 GB beside 0.4 GB of UTF-8 for 384,000 lines of ten cells), and took longer.
        self._rows: list[bytes] = []
        self._styles: dict[Format | None, str] = {None: ""}
        # Text -> the end of its cell from ' t="inlineStr"': names, labels and references repeat
        # on many lines, and are escaped once.
        self._texts: dict[str, str] = {}
        # Text that starts like a formula gets its style's twin with Excel's text marker (quotePrefix),
        # so it stays text when an officer edits the cell: the twin of each style (see quote_formula_like).
        self._quoted: dict[Format | None, Format] = {}
        self._formula_like: set[str] = set()
        self.first_row = self.last_row = self.first_column = self.last_column = -1
        self._count = 0
        self._block: bytes | None = None  # the rows' XML, once finished
        self._deflated: bytes | None = None
        self._deflating: threading.Thread | None = None

    def __len__(self) -> int:
        """How many rows were written."""
        return self._count

    def style(self, cell_format: Format | None) -> str:
        """' s="N"' for a cell of this format ('' for none), registering the format for styles.xml."""
        known = self._styles.get(cell_format)
        if known is None:
            assert cell_format is not None  # no format: registered as '' from the start
            # XlsxWriter's own cell writer gets the index this way; a format with the same
            # properties as one already indexed gets that index (see the module's docstring).
            known = self._styles[cell_format] = f' s="{cell_format._get_xf_index()}"'
        return known

    def quote_formula_like(self, twins: dict[Format | None, Format]) -> None:
        """Write text that starts like a formula with the twin of its style (style -> the same with
        quote_prefix), when it has one. A twin is registered (register_styles) before rows are rendered
        in a forked copy."""
        self._quoted = twins

    def write(self, row: int, cells: Iterable[Cell], height: float | None = None) -> None:
        """One worksheet row (0-based, below the rows written before) of (value, style) cells from
        column A on: None is no cell at all, "" a blank cell that keeps its style (borders, fill).
        `height` in points, None for the default height."""
        if row <= self.last_row or self._block is not None:
            raise ValueError(f"trang tính «{self.name}»: dòng {row + 1} ghi sau dòng {self.last_row + 1} "
                             "hoặc sau khi đã xong")
        number = str(row + 1)
        names, styles, texts, quoted, formula_like = (_column_names, self._styles, self._texts, self._quoted,
                                                      self._formula_like)
        parts = []
        first = last = column = -1
        for value, cell_format in cells:
            column += 1
            if value is None:
                continue
            try:
                ref = names[column] + number
            except IndexError:
                ref = column_name(column) + number
            style = styles.get(cell_format)
            if style is None:
                style = self.style(cell_format)
            kind = type(value)
            # The common cases first: whole numbers (exact as floats, where "%.16G" is str()), other
            # numbers (x - x is 0 unless x is NaN or infinite, which no cell holds) and text.
            if kind is int and -_EXACT_INT <= value <= _EXACT_INT:
                parts.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
            elif kind is float:
                if value - value != 0:
                    continue
                parts.append(f'<c r="{ref}"{style}><v>{value:.16G}</v></c>')
            elif kind is str and value:
                end = texts.get(value)
                if end is None:
                    end = texts[value] = _inline_string(value)
                    if starts_like_formula(value):
                        formula_like.add(value)
                if formula_like and value in formula_like and cell_format in quoted:
                    style = self.style(quoted[cell_format])
                parts.append(f'<c r="{ref}"{style}{end}')
            else:
                content = _other_cell(ref, style, value)
                if content is None:  # "": a blank, kept for its style
                    if cell_format is None:
                        continue
                    content = f'<c r="{ref}"{style}/>'
                elif not content:
                    continue
                parts.append(content)
            if first < 0:
                first = column
            last = column
        if not parts and height is None:
            return
        ht = f' ht="{row_height(height)}" customHeight="1"' if height is not None else ""
        self._rows.append(f'<row r="{number}"{ht}>{"".join(parts)}</row>'.encode())
        self._extend(row, first, last)

    def _extend(self, row: int, first: int, last: int) -> None:
        self._count += 1
        if self.first_row < 0:
            self.first_row = row
        self.last_row = row
        if first >= 0:
            if self.first_column < 0 or first < self.first_column:
                self.first_column = first
            self.last_column = max(self.last_column, last)

    def finish(self) -> None:
        """No more rows: start compressing them, on a thread of their own. zlib does not hold
        Python's lock while it compresses, so this runs beside the rest of the workbook's writing
        (XlsxWriter's close() alone is most of the remaining time) on a second core."""
        if self._block is not None:
            return
        self._block = b"".join(self._rows)
        self._rows = []
        self._deflating = threading.Thread(target=self._deflate, name=f"deflate {self.name}", daemon=True)
        self._deflating.start()

    def _deflate(self) -> None:
        assert self._block is not None
        self._deflated = _deflate(self._block, last=False)

    def deflated(self) -> tuple[bytes, bytes]:
        """(the rows' XML, the same deflated as a piece of a part) once compressed."""
        self.finish()
        assert self._block is not None
        if self._deflating is not None:  # None for rows unpacked from another process, already deflated
            self._deflating.join()
        if self._deflated is None:
            self._deflated = _deflate(self._block, last=False)  # the thread failed (out of memory): again, here
        return self._block, self._deflated

    def packed(self) -> tuple:
        """The finished rows as plain data, for `unpacked` in another process."""
        block, deflated = self.deflated()
        return (block, deflated, self._count, self.first_row, self.last_row, self.first_column, self.last_column)

    @classmethod
    def unpacked(cls, sheet: Worksheet, packed: tuple) -> SheetRows:
        """The finished rows of `sheet` that `packed` gave."""
        rows = cls(sheet)
        (rows._block, rows._deflated, rows._count, rows.first_row, rows.last_row, rows.first_column,
         rows.last_column) = packed
        return rows

    def frame(self, xml: str) -> tuple[str, str]:
        """The worksheet XML `xml` as XlsxWriter wrote it, cut where these rows go: the text
        before them (with the <dimension> widened to them) and the text after them."""
        start = xml.find("<sheetData")
        end = xml.find("</sheetData>", start)
        if xml.startswith("<sheetData/>", start):
            theirs, after = [], start + len("<sheetData/>")
        elif start >= 0 and end >= 0 and xml.startswith("<sheetData>", start):
            theirs, after = _split_rows(xml[start + len("<sheetData>"):end]), end + len("</sheetData>")
        else:
            raise ValueError(f"trang tính «{self.name}»: không thấy <sheetData>")
        clash = [row for row, _ in theirs if self.first_row <= row <= self.last_row]
        if clash:  # XlsxWriter wrote a row where these go: a mistake in the caller
            raise ValueError(f"trang tính «{self.name}»: dòng {clash[0] + 1} nằm giữa các dòng ghi sẵn")
        head = _DIMENSION.sub(lambda match: self._dimension(match, bool(theirs)), xml[:start], count=1)
        return ("".join([head, "<sheetData>", *(text for row, text in theirs if row < self.first_row)]),
                "".join([*(text for row, text in theirs if row > self.last_row), "</sheetData>", xml[after:]]))

    def _dimension(self, match: re.Match, counted: bool) -> str:
        """The used range of the sheet: XlsxWriter's cells (when it wrote any) and these."""
        rows, columns = [self.first_row, self.last_row], [self.first_column, self.last_column]
        if self.first_column < 0:
            columns = [0, 0]
        if counted:
            first_column, first_row, last_column, last_row = match.groups()
            last_column, last_row = last_column or first_column, last_row or first_row
            rows += [int(first_row) - 1, int(last_row) - 1]
            columns += [column_index(first_column), column_index(last_column)]
        first = f"{column_name(min(columns))}{min(rows) + 1}"
        last = f"{column_name(max(columns))}{max(rows) + 1}"
        return f'<dimension ref="{first}"/>' if first == last else f'<dimension ref="{first}:{last}"/>'


def register_styles(formats: Iterable[Format]) -> None:
    """Give these formats their index in styles.xml now, before rows that use them are rendered in
    a forked copy (RowsAside), whose own registrations this process never sees."""
    for cell_format in formats:
        cell_format._get_xf_index()


class RowsAside:
    """The rows of some sheets, each as its `fill(rows)` writes them, rendered in a forked copy of
    this process while the caller writes the other sheets: on two cores the long one-line-per-item
    tables of a large roll-up (its state sheet runs to megabytes) cost no time of their own. The
    styles they use are registered beforehand (register_styles). Where processes do not start by
    fork (Windows, macOS), or the copy fails, the fills run when the rows are taken."""

    def __init__(self, fills: list[tuple[Worksheet, Callable[[SheetRows], None]]]):
        self._fills = fills
        self._child: tuple[int, int] | None = None  # (process id, read end of its pipe)
        if multiprocessing.get_start_method() != "fork":
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the copy: render, send, and end without running any of the caller's clean-up
            code = 1
            try:
                os.close(read)
                packed = [rows.packed() for rows in self._render()]
                with os.fdopen(write, "wb") as out:
                    out.write(pickle.dumps(packed, pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._child = (pid, read)

    def _render(self) -> list[SheetRows]:
        rendered = []
        for sheet, fill in self._fills:
            rows = SheetRows(sheet)
            fill(rows)
            rows.finish()
            rendered.append(rows)
        return rendered

    def take(self) -> list[SheetRows]:
        """The finished rows of each sheet, in order (waiting for the copy to end)."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            with os.fdopen(read, "rb") as source:
                data = source.read()
            if os.waitpid(pid, 0)[1] == 0 and data:
                return [SheetRows.unpacked(sheet, packed) for (sheet, _), packed in zip(self._fills, pickle.loads(data))]
        return self._render()

    def cancel(self) -> None:
        """The rows are not needed (the writing failed): the copy is ended."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def _split_rows(sheet_data: str) -> list[tuple[int, str]]:
    """The <row> elements of a <sheetData> body as (0-based row, element)."""
    starts = [(int(match.group(1)) - 1, match.start()) for match in _ROW_START.finditer(sheet_data)]
    if (starts[0][1] if starts else len(sheet_data)) != 0:
        raise ValueError("<sheetData> có nội dung ngoài các dòng")
    ends = [position for _, position in starts[1:]] + [len(sheet_data)]
    return [(row, sheet_data[position:end]) for (row, position), end in zip(starts, ends)]


def save(package: bytes, path: str | os.PathLike, sheets: Iterable[SheetRows]) -> None:
    """Write the .xlsx `package` (as XlsxWriter saved it) to `path` with the rows of `sheets` put in.

    A sheet with rows is stored as three pieces of one deflate stream: the text before the rows,
    the rows (compressed beforehand, see SheetRows.finish) and the text after them. Each piece but
    the last ends on a byte boundary without ending the stream (Z_SYNC_FLUSH), so the pieces
    simply follow each other, as parallel gzip tools do. Python's zipfile cannot store data
    compressed beforehand, hence the few lines of zip writing below. The parts keep XlsxWriter's
    order and time stamps, and compression does not depend on timing: the same workbook gives the
    same bytes."""
    sheets = [rows for rows in sheets if rows]
    for finished in sheets:
        finished.finish()
    members = []
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        parts = worksheet_parts(source.read("xl/workbook.xml"), source.read("xl/_rels/workbook.xml.rels"))
        by_part = {parts[rows.name]: rows for rows in sheets}
        if len(by_part) != len(sheets):
            raise ValueError("hai bộ dòng cho cùng một trang tính")
        for info in source.infolist():
            rows = by_part.get(info.filename)
            if rows is None:
                members.append(_copied(package, source, info))
                continue
            head, tail = (text.encode("utf-8") for text in rows.frame(source.read(info).decode("utf-8")))
            block, deflated = rows.deflated()
            crc = zlib.crc32(tail, zlib.crc32(block, zlib.crc32(head)))
            members.append((info, crc, len(head) + len(block) + len(tail),
                            [_deflate(head, last=False), deflated, _deflate(tail, last=True)]))
    _write_zip(path, members)


def _copied(package: bytes, source: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple:
    """A member of the package as it is: its deflated bytes as XlsxWriter stored them, from behind
    its local header (no need to inflate and deflate again what nobody changes)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x08:
        data = source.read(info)  # not stored the way XlsxWriter stores parts: compress it again
        return info, zlib.crc32(data), len(data), [_deflate(data, last=True)]
    return info, info.CRC, info.file_size, [member_data(package, info)]


def _deflate(data: bytes, *, last: bool) -> bytes:
    """`data` as raw deflate (what a zip member holds); not `last`: a piece more can follow."""
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
_ZIP_VERSION, _DEFLATED, _UTF8_NAME = 20, 8, 0x800


def _write_zip(path: str | os.PathLike, members: list[tuple[zipfile.ZipInfo, int, int, list[bytes]]]) -> None:
    """A zip file of deflated members (name and time stamp, CRC-32, size, compressed pieces), as
    zipfile writes one: no zip64 (an .xlsx over 4 GB is refused, as XlsxWriter does by default)."""
    directory = []
    offset = 0
    with open(path, "wb") as out:
        for info, crc, size, pieces in members:
            name = info.filename.encode("utf-8")
            flags = 0 if info.filename.isascii() else _UTF8_NAME
            year, month, day, hour, minute, second = info.date_time
            dos_time, dos_date = hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
            compressed = sum(map(len, pieces))
            if max(size, compressed, offset) >= 0xFFFFFFFF:
                raise zipfile.LargeZipFile("tệp tổng hợp quá lớn (trên 4 GB)")
            header = _LOCAL_HEADER.pack(b"PK\x03\x04", _ZIP_VERSION, flags, _DEFLATED, dos_time, dos_date, crc,
                                        compressed, size, len(name), 0)
            out.write(header + name)
            out.writelines(pieces)
            directory.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", _ZIP_VERSION, _ZIP_VERSION, flags, _DEFLATED,
                                                  dos_time, dos_date, crc, compressed, size, len(name), 0, 0, 0, 0,
                                                  0, offset) + name)
            offset += len(header) + len(name) + compressed
        central = b"".join(directory)
        out.write(central)
        out.write(_END_OF_DIRECTORY.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0))
