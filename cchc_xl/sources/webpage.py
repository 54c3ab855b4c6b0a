"""A web page with an Excel name (.xls): what one-stop-shop and accounting software export as
"Excel", and what Excel keeps when such a file is filled and saved again without changing its type.

Excel opens it as one sheet: each table row a sheet row, each line of text outside the tables (and of
a table's caption, above its rows) a row of its own, cells merged by colspan and rowspan. It is read the same way, with Python's own HTML
parser (nothing in the page is run or fetched). A cell exported with its value beside what it shows
(Excel's x:num="0.95", LibreOffice's sdval) gives that number, unless the cell shows a percent
("95%"), which is read as shown; every other cell is its text, read like a figure typed as text.
Number formats are not known (formats_known False, as for .xls). Hidden rows (display:none) are
hidden. The printed page's header and footer Excel keeps in the page's style sheet (mso-header-data)
are the page header. The grid's bounds hold: rows past MAX_GRID_ROWS, columns past MAX_GRID_COLS and spans past
what the grid holds are not read (and said so).
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..grid import MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEET_CELLS, Grid, Workbook, page_header_text
from .delimited import text_by_mark
from .messages import corrupt, cut_note

# Tags that end a line of text outside a table (and, inside a cell, a line of the cell's text).
_LINE_ENDS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "caption", "title"}
_MAX_CELL = 32_767  # characters an Excel cell holds
_PIECE = 65_536
_SKIPPED = {"script", "style", "head", "xml", "template", "noscript"}
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""")
_NUMBER = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?(?:[eE][-+]?\d{1,3})?")
_SHEET_NAME = re.compile(r"<x:Name>([^<]{1,31})</x:Name>")
_LOOKS_LIKE_HTML = re.compile(r"<(?:html|!doctype\s+html|table|body|head|meta)\b", re.I)


def is_webpage(data: bytes) -> bool:
    """Whether the file is a web page: HTML markup at its start (after a byte-order mark and blanks),
    not Excel's XML Spreadsheet 2003."""
    start = _decoded(data[:8192]).lstrip()
    return (start.startswith("<") and bool(_LOOKS_LIKE_HTML.search(start))
            and "urn:schemas-microsoft-com:office:spreadsheet" not in start)


def load_webpage(path: Path, data: bytes) -> Workbook:
    text = _decoded(data)
    parser = _Page()
    try:
        # In pieces: once the grid is full, what follows cannot be read and is not parsed.
        for start in range(0, len(text), _PIECE):
            parser.feed(text[start:start + _PIECE])
            if parser.cut:
                break
        parser.close()
    except Exception:  # html.parser rarely fails; what it cannot take is a damaged file
        raise corrupt(path) from None
    if not parser.rows:
        raise corrupt(path)
    name = _sheet_name(text, path)
    grid, cut = _grid(name, parser.rows, parser.hidden_rows)
    grid.page_header = page_header_text(_css_unescaped(text) for text in _PAGE_HEADER.findall(text[:_STYLE_CHARS]))
    notes = [cut_note(name)] if parser.cut or cut else []
    return Workbook(str(path), [grid], notes=notes, title=" ".join(parser.title.split()))


def _decoded(data: bytes) -> str:
    """The page's text: by its byte-order mark, else the charset it declares, else UTF-8."""
    marked = text_by_mark(data)
    if marked is not None:
        return marked
    declared = _CHARSET.search(data[:4096])
    encoding = "utf-8"
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    if encoding.startswith("utf-16"):
        encoding = "utf-8"  # declared in an 8-bit file: the declaration is wrong
    return data.decode(encoding, "replace")


# Excel's "Save as Web Page" keeps Page Setup's header and footer in the style sheet of the page's head:
# @page { mso-header-data:"&CB\00E1o c\00E1o qu\00FD II"; mso-footer-data:"…" }, in CSS escapes.
_PAGE_HEADER = re.compile(r'mso-(?:header|footer)-data\s*:\s*"((?:[^"\\]|\\.){0,1000})"')
# Excel writes a letter outside ASCII as four hex digits ("\00E3"), a space after it kept as typed.
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{4})|(.))", re.S)
_STYLE_CHARS = 65_536


def _css_unescaped(text: str) -> str:
    def character(match: re.Match) -> str:
        code = int(match.group(1), 16) if match.group(1) else None
        if code is None:
            return match.group(2)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else " "
    return _CSS_ESCAPE.sub(character, text)


def _sheet_name(text: str, path: Path) -> str:
    """The sheet's name as Excel shows it: the one Excel wrote into the page, else the file's name."""
    found = _SHEET_NAME.search(text[:65536])
    name = found.group(1).strip() if found else path.stem
    return name[:31] or "Sheet1"


class _Cell:
    __slots__ = ("parts", "length", "colspan", "rowspan", "number")

    def __init__(self, colspan: int, rowspan: int, number: float | None):
        self.parts: list[str] = []
        self.length = 0
        self.colspan, self.rowspan, self.number = colspan, rowspan, number

    def add(self, text: str) -> None:
        """More of the cell's text, up to what an Excel cell holds (a page may split it into millions of pieces)."""
        if self.length < _MAX_CELL:
            self.parts.append(text[:_MAX_CELL - self.length])
            self.length += len(self.parts[-1])


class _Page(HTMLParser):
    """Rows of cells in document order: table rows, and lines of text outside tables as one-cell rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[_Cell]] = []
        self.hidden_rows: set[int] = set()
        self.title = ""
        self.cut = False
        self._skipping = 0  # depth inside script, style, head ...
        self._tables = 0  # depth of tables; a table inside a cell gives its text to that cell
        self._row: list[_Cell] | None = None
        self._cell: _Cell | None = None
        self._line = _Cell(1, 1, None)  # text outside tables, until its line ends: a row of its own
        self._in_title = False
        self._in_caption = False  # a table's caption ("PHỤ LỤC SỐ II", "BÁO CÁO … QUÝ I NĂM 2024"): lines above it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
            return
        if tag == "title":
            self._in_title = True
        if self._skipping:
            return
        if tag == "table":
            self._end_line()
            self._tables += 1
        elif tag == "caption" and self._tables == 1 and self._cell is None:
            self._end_row()
            self._in_caption = True
        elif self._tables > 1 or (self._cell is not None and tag not in ("tr", "td", "th")):
            if tag in _LINE_ENDS and self._cell is not None:
                self._cell.add("\n")
        elif tag == "tr" and self._tables == 1:
            self._end_row()
            if self._in_caption:  # a caption left open ends where the table's rows start
                self._end_line()
                self._in_caption = False
            if len(self.rows) >= MAX_GRID_ROWS:
                self.cut = True
                self._row = None
                return
            self._row = []
            self.rows.append(self._row)
            if "display:none" in (dict(attrs).get("style") or "").replace(" ", "").lower():
                self.hidden_rows.add(len(self.rows) - 1)
        elif tag in ("td", "th") and self._tables == 1:
            self._end_cell()
            if self._row is None:
                if self.cut:
                    return
                self._row = []
                self.rows.append(self._row)
            given = dict(attrs)
            self._cell = _Cell(_span(given.get("colspan"), MAX_GRID_COLS), _span(given.get("rowspan"), MAX_GRID_ROWS),
                               _number(given.get("x:num") or given.get("sdval")))
            self._row.append(self._cell)
        elif tag in _LINE_ENDS and (not self._tables or self._in_caption):
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if tag == "title":
            self._in_title = False
        if self._skipping:
            return
        if tag == "caption" and self._in_caption:
            self._end_line()
            self._in_caption = False
        elif tag == "table" and self._tables:
            self._in_caption = False
            self._tables -= 1
            if not self._tables:
                self._end_row()
        elif tag in ("td", "th") and self._tables == 1:
            self._end_cell()
        elif tag == "tr" and self._tables == 1:
            self._end_row()
        elif tag in _LINE_ENDS and (not self._tables or self._in_caption):
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 500:
            self.title += data
        if self._skipping:
            return
        if self._cell is not None:
            self._cell.add(data)
        elif not self._tables or self._in_caption:
            self._line.add(data)

    def close(self) -> None:
        super().close()
        self._end_row()
        self._end_line()

    def _end_cell(self) -> None:
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        self._row = None

    def _end_line(self) -> None:
        line, self._line = self._line, _Cell(1, 1, None)
        if (self._tables and not self._in_caption) or not "".join(line.parts).strip():
            return
        if len(self.rows) >= MAX_GRID_ROWS:
            self.cut = True
            return
        self.rows.append([line])


def _span(value: str | None, limit: int) -> int:
    try:
        return max(1, min(int((value or "1").strip()), limit))
    except ValueError:
        return 1


def _number(value: str | None) -> float | None:
    """A value exported beside what the cell shows (x:num="1234.5"), or None."""
    if value and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _grid(name: str, rows: list[list[_Cell]], hidden_rows: set[int]) -> tuple[Grid, bool]:
    """The cells placed as a browser and Excel place them: each after the cells above it that span
    down into its row; a span over the grid's edge is cut there."""
    values: list[list[Any]] = []
    merged: list[tuple[int, int, int, int]] = []
    taken: dict[int, set[int]] = {}  # row -> columns covered by a span from above
    work, cut = 0, False
    for r, cells in enumerate(rows):
        line: list[Any] = []
        below = taken.pop(r, set())
        c = 0
        for cell in cells:
            while c in below:
                c += 1
            if c >= MAX_GRID_COLS:
                cut = True
                break
            colspan = min(cell.colspan, MAX_GRID_COLS - c)
            rowspan = min(cell.rowspan, MAX_GRID_ROWS - r)
            work += colspan * rowspan
            if work > MAX_SHEET_CELLS:
                cut = True
                break
            line.extend([None] * (c + 1 - len(line)))
            line[c] = _value(cell)
            for down in range(r + 1, r + rowspan):
                taken.setdefault(down, set()).update(range(c, c + colspan))
            if colspan > 1 or rowspan > 1:
                merged.append((r, c, r + rowspan - 1, c + colspan - 1))
            c += colspan
        values.append(line)
        if work > MAX_SHEET_CELLS:
            break
    width = max(map(len, values), default=0)
    for line in values:
        line.extend([None] * (width - len(line)))
    grid = Grid(name, values, merged, formats_known=False, hidden_rows=hidden_rows & set(range(len(values))))
    return grid, cut


def _value(cell: _Cell) -> Any:
    # NFC: a page in windows-1258 spells Vietnamese letters as a base letter and a combining mark.
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", "".join(cell.parts)).split("\n"))
    text = "\n".join(line for line in lines if line)
    if cell.number is not None and "%" not in text:
        return cell.number
    return text or None
