"""A web page with an Excel name (.xls): what one-stop-shop and accounting software export as
"Excel", and what Excel keeps when such a file is filled and saved again without changing its type.

Excel opens it as one sheet: each table row a sheet row, each line of text outside the tables (and
of a table's caption, above its rows) a row of its own, cells merged by colspan and rowspan. It is
read the same way, with Python's own HTML parser (nothing in the page is run or fetched). A cell
exported with its value beside what it shows (Excel's x:num="0.95", LibreOffice's sdval) gives that
number, unless the cell shows a percent ("95%"), which is read as shown; every other cell is its text,
read like a figure typed as text. A report saved as a web page (its "BÁO CÁO" heading and text above
its "PHỤ LỤC") is read as a Word report: its text is the narrative, its cells are named "Bảng 2, dòng
12, cột Số liệu", as the page shows them in Word or a browser. Number formats are not known
(formats_known False, as for .xls). Hidden rows (display:none) are hidden. The printed page's header
and footer, which Excel keeps in the page's style sheet (mso-header-data), are the page header. The
grid's bounds hold: rows past MAX_GRID_ROWS, columns past MAX_GRID_COLS and spans past what the grid
holds are not read (and said so).

A hostile page costs bounded time and memory: the page is parsed in one pass (HTMLParser fed in pieces
reads an unclosed tag, comment or script again for every piece), a construct left open stops the
reading there, and the reading also stops (the sheet said to be cut) past MAX_PAGE_CHARS characters or
MAX_PAGE_EVENTS tags and runs of text, far more than any exported Phụ lục or Word report holds. A tag
longer than _MAX_TAG (a picture inlined as data) is passed over whole, its attributes never listed.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..grid import MAX_CELL_CHARS, MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEET_CELLS, Grid, Workbook, page_header_text
from ..periods import fold
from .delimited import text_by_mark
from .docx import MAX_NARRATIVE_CHARS
from .messages import corrupt, cut_note

# Tags that end a line of text outside a table (and, inside a cell, a line of the cell's text).
_LINE_ENDS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "caption", "title"}
# Excel's web page of a Phụ lục is some 200 kB and a few thousand tags; a Word report a few MB.
MAX_PAGE_CHARS = 8 * 1024 * 1024
MAX_PAGE_EVENTS = 250_000
_MAX_TAG = 8_192
_SOURCE_SPACES = str.maketrans("\r\n\t\f", "    ")
_SKIPPED = {"script", "style", "head", "xml", "template", "noscript"}
# Canonical names of the character sets pages declare (UTF-8, windows-125x, ISO-8859, code pages),
# each decoded in linear time.
_CHARACTER_SETS = ("utf-8", "ascii", "cp", "iso8859", "mac-", "koi8")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""")
_NUMBER = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?(?:[eE][-+]?\d{1,3})?")
_SHEET_NAME = re.compile(r"<x:Name>([^<]{1,31})</x:Name>")
_TABLE_TAG = re.compile(r"<t[dhr]\b", re.I)
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
        # One feed and no close(): close() reads what is left open again from every "<" in it.
        parser.feed(text[:MAX_PAGE_CHARS])
    except _Full:
        pass  # the grid is full or the page past its bounds: what follows is not parsed
    except Exception:  # html.parser rarely fails; what it cannot take is a damaged file
        raise corrupt(path) from None
    # A tag, comment or script left open holds the rest of the page: said cut when a table's cell is in it.
    parser.finish(cut=len(text) > MAX_PAGE_CHARS or bool(_TABLE_TAG.search(parser.rawdata)))
    if not parser.rows:
        raise corrupt(path)
    name = _sheet_name(text, path)
    grid, cut = _grid(name, parser.rows, parser.hidden_rows)
    grid.page_header = page_header_text(_css_unescaped(text) for text in _PAGE_HEADER.findall(text[:_STYLE_CHARS]))
    notes = [cut_note(name)] if parser.cut or cut else []
    narrative = _narrative(grid, parser.text_lines)
    if narrative:  # a report, opened in Word or a browser: its cells are named as in a Word report
        grid.word_rows = parser.table_rows
    return Workbook(str(path), [grid], notes=notes, title=" ".join(parser.title.split()), paragraphs=narrative)


_TITLE_HEADINGS = ("phu luc", "bieu")


def _narrative(grid: Grid, text_lines: list[int]) -> list[str]:
    """The running text of a report saved as a web page (Word's "Save as Web Page"): its lines from its
    "BÁO CÁO" heading down to its first "PHỤ LỤC"/"Biểu" heading. They are taken out of the grid, as the
    Word reader leaves them out of a table's title: "Căn cứ … của UBND huyện …" and "so với năm 2023"
    name another unit and year than the Phụ lục's; the national header above "BÁO CÁO" stays. The text
    is checked against the table as a Word report's is, bounded as a Word report's."""
    def starts(r: int, words: tuple[str, ...]) -> bool:
        return isinstance(grid.rows[r][0], str) and fold(grid.rows[r][0]).startswith(words)

    appendix = next((r for r in text_lines if starts(r, _TITLE_HEADINGS)), None)
    if appendix is None:
        return []
    report = next((r for r in text_lines if r < appendix and starts(r, ("bao cao",))), None)
    if report is None:
        return []
    narrative, size = [], 0
    for r in text_lines:
        if report <= r < appendix:
            if size < MAX_NARRATIVE_CHARS:
                narrative.append(" ".join(str(grid.rows[r][0]).split())[:MAX_NARRATIVE_CHARS - size])
                size += len(narrative[-1])
            grid.rows[r][0] = None
    return narrative


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
    if not encoding.startswith(_CHARACTER_SETS):
        # UTF-16 declared in an 8-bit file is wrong; punycode, UTF-7 or an escape codec are no page's
        # charset (decoding punycode takes time growing with the square of its length)
        encoding = "utf-8"
    return data.decode(encoding, "replace")


# Excel's "Save as Web Page" keeps Page Setup's header and footer in the style sheet of the page's head:
# @page { mso-header-data:"&CB\00E1o c\00E1o qu\00FD II"; mso-footer-data:"…" }, in CSS escapes.
_PAGE_HEADER = re.compile(r'mso-(?:header|footer)-data\s*:\s*"((?:[^"\\]|\\.){0,1000})"')
# Excel writes a letter outside ASCII as four hex digits ("\00E3"), a space after it kept as typed.
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{4})|(.))", re.S)
_STYLE_CHARS = 65_536


def _css_unescaped(text: str) -> str:
    def character(match: re.Match[str]) -> str:
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
        if self.length < MAX_CELL_CHARS:
            self.parts.append(text[:MAX_CELL_CHARS - self.length])
            self.length += len(self.parts[-1])


class _Full(Exception):
    """Raised by the parser's handlers: nothing more of the page can be read."""


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
        self._events = 0
        self.text_lines: list[int] = []  # the rows that are lines of text outside the tables
        self.tables = 0  # top-level tables so far, as Word numbers them
        self.table_rows: dict[int, tuple[int, int]] = {}  # a table's row -> (its table, its row in it from 1)
        self._rows_in_table = 0

    def _count(self, events: int = 1) -> None:
        self._events += events
        if self._events > MAX_PAGE_EVENTS:
            self.cut = True
            raise _Full

    def check_for_whole_start_tag(self, i: int) -> int:
        """Where the start tag at i ends; -1 when not within _MAX_TAG characters. The standard
        matching runs on to the end of the page, its memory growing with the attributes it passes
        (a quoted ">" does not end a tag): it is given the page up to the tag's first ">", then
        windows twice as wide, each a copy no longer than what the tag turns out to be twice."""
        rawdata = self.rawdata
        first = rawdata.find(">", i, i + _MAX_TAG)
        if first < 0:
            return -1
        width = first + 1 - i
        while True:
            self.rawdata = rawdata[i:i + width]
            try:
                end = super().check_for_whole_start_tag(0)
            finally:
                self.rawdata = rawdata
            if end >= 0:
                return i + end
            if width >= _MAX_TAG or i + width >= len(rawdata):
                return -1
            width = min(2 * width, _MAX_TAG)

    def parse_starttag(self, i: int) -> int:
        if self.check_for_whole_start_tag(i) < 0 and len(self.rawdata) - i > _MAX_TAG:
            # Longer than any table's tag (a picture inlined as data): passed over to its ">".
            self._count()
            end = self.rawdata.find(">", i + _MAX_TAG)
            return end + 1 if end >= 0 else -1
        return super().parse_starttag(i)

    def parse_endtag(self, i: int) -> int:
        self._count()  # "</>" is passed over without a handler: counted here
        return super().parse_endtag(i)

    # Comments, declarations and processing instructions are read for nothing but counted.
    def handle_comment(self, data: str) -> None:
        self._count()

    def handle_decl(self, decl: str) -> None:
        self._count()

    def handle_pi(self, data: str) -> None:
        self._count()

    def unknown_decl(self, data: str) -> None:
        self._count()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(1 + len(attrs))
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
            if self._tables == 1:
                self.tables += 1
                self._rows_in_table = 0
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
                raise _Full
            self._start_row()
            if "display:none" in (dict(attrs).get("style") or "").replace(" ", "").lower():
                self.hidden_rows.add(len(self.rows) - 1)
        elif tag in ("td", "th") and self._tables == 1:
            self._end_cell()
            if self._row is None and len(self.rows) >= MAX_GRID_ROWS:
                self.cut = True
                raise _Full
            row = self._row if self._row is not None else self._start_row()
            if len(row) >= MAX_GRID_COLS:  # each cell takes a column at least: past the grid
                self.cut = True
                return
            given = dict(attrs)
            self._cell = _Cell(_span(given.get("colspan"), MAX_GRID_COLS), _span(given.get("rowspan"), MAX_GRID_ROWS),
                               _number(given.get("x:num") or given.get("sdval")))
            row.append(self._cell)
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
        self._count()
        if self._in_title and len(self.title) < 500:
            self.title += data
        if self._skipping:
            return
        # A line break in the page's source is a space, as a browser and Excel show it (Excel and
        # LibreOffice wrap long lines when they write a page); a line of a cell ends at <br> or <p>.
        data = data.translate(_SOURCE_SPACES)
        if self._cell is not None:
            self._cell.add(data)
        elif not self._tables or self._in_caption:
            self._line.add(data)

    def finish(self, cut: bool) -> None:
        """The row and the line being read end where the reading stopped."""
        self.cut = self.cut or cut
        self._end_row()
        self._end_line()

    def _start_row(self) -> list[_Cell]:
        row: list[_Cell] = []
        self._row = row
        self._rows_in_table += 1
        self.table_rows[len(self.rows)] = (self.tables, self._rows_in_table)
        self.rows.append(row)
        return row

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
        if not self._in_caption:
            self.text_lines.append(len(self.rows))
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
