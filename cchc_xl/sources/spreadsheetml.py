"""Excel's "XML Spreadsheet 2003" (a single XML file, often named .xls): what older reporting
software exports and what Excel keeps when such a file is saved again in its own type.

Each Worksheet's Table becomes a grid as Excel places it: a Row or Cell with ss:Index jumps to that
row or column, ss:MergeAcross / ss:MergeDown make merged ranges, and a cell's Data is read by its
ss:Type (Number, String, Boolean, DateTime, Error; an Error as a CellError, a formula with no Data
as a FormulaWithoutValue). Cells whose style's NumberFormat shows a percent are percent cells; rows,
columns and sheets Excel hides are hidden; the PageSetup's Header and Footer are the page header. The XML is read as a stream by defusedxml (no DTD, no
entity), and the grid's bounds hold: rows past MAX_GRID_ROWS and columns past MAX_GRID_COLS are not
read (and said so), however far an ss:Index points. A hostile file costs bounded time and memory: each
element is let go once read (what Excel never writes, such as millions of unknown elements, as well),
the reading stops (the sheet said cut) past MAX_XML_ELEMENTS elements, a cell's text is cut at what
an Excel cell holds, and a workbook of more than MAX_SHEETS sheets is refused.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from ..grid import MAX_CELL_CHARS, MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEETS, Grid, Workbook, page_header_text
from ..values import CellError, FormulaWithoutValue
from .calamine import shows_percent
from .messages import corrupt, cut_note

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"
_TITLE = "{urn:schemas-microsoft-com:office:office}Title"  # File > Properties > Title
_MARK = b"urn:schemas-microsoft-com:office:spreadsheet"
# A Phụ lục in this type is a few thousand elements (a cell and its Data are two).
MAX_XML_ELEMENTS = 300_000
_READ_AT_END = {f"{_SS}Cell", f"{_SS}Style"}  # elements whose children are read when they end
_PERCENT_FORMATS = {"percent"}  # named formats showing a percent; other codes are read for "%"


def is_spreadsheetml(data: bytes) -> bool:
    """Whether the file is an XML Spreadsheet 2003: its Workbook in Excel's spreadsheet namespace."""
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<?xml") and _MARK in start and b"Workbook" in start


def load_spreadsheetml(path: Path, data: bytes) -> Workbook:
    """The worksheets as grids; XML that is not well-formed or declares entities fails here and is
    reported by sources.load as a damaged file."""
    percent_styles: set[str] = set()
    grids: list[Grid] = []
    notes: list[str] = []
    sheet: _Sheet | None = None
    title = ""
    open_elements: list = []  # from the root to the element being read
    reading_children = 0  # inside a Cell or Style: its children are kept until it ends
    for count, (event, element) in enumerate(SafeET.iterparse(io.BytesIO(data), events=("start", "end"))):
        tag = element.tag
        if event == "start":
            if count >= 2 * MAX_XML_ELEMENTS:  # two events an element
                if sheet is not None:
                    sheet.cut = True
                    _finish(sheet, grids, notes)
                break
            open_elements.append(element)
            reading_children += tag in _READ_AT_END
            if tag == f"{_SS}Worksheet":
                if len(grids) >= MAX_SHEETS:
                    raise corrupt(path)
                sheet = _Sheet(element.get(f"{_SS}Name") or f"Sheet{len(grids) + 1}")
            elif tag == f"{_SS}Row" and sheet is not None:
                sheet.start_row(element)
            continue
        open_elements.pop()
        reading_children -= tag in _READ_AT_END
        if tag == f"{_SS}Style":
            number_format = element.find(f"{_SS}NumberFormat")
            code = number_format.get(f"{_SS}Format", "") if number_format is not None else ""
            if code.strip().lower() in _PERCENT_FORMATS or shows_percent(code):
                percent_styles.add(element.get(f"{_SS}ID", ""))
        elif sheet is not None and tag == f"{_SS}Cell":
            sheet.add_cell(element, percent_styles)
        elif sheet is not None and tag == f"{_SS}Column":
            sheet.add_column(element)
        elif sheet is not None and tag == f"{_X}Visible":
            sheet.hidden = (element.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
        elif sheet is not None and tag in (f"{_X}Header", f"{_X}Footer") and len(sheet.page_headers) < 2:
            sheet.page_headers.append(element.get(f"{_X}Data", "")[:1000])  # Page Setup's, Excel's codes in it
        elif tag == _TITLE:
            title = " ".join((element.text or "")[:1000].split())[:500]
        elif tag == f"{_SS}Worksheet" and sheet is not None:
            _finish(sheet, grids, notes)
            sheet = None
        if not reading_children and open_elements:  # read: let go (its parent keeps no child)
            element.clear()
            open_elements[-1].remove(element)
    if not grids:
        raise corrupt(path)
    return Workbook(str(path), grids, notes=notes, title=title)


def _finish(sheet: _Sheet, grids: list[Grid], notes: list[str]) -> None:
    grids.append(sheet.grid())
    if sheet.cut:
        notes.append(cut_note(sheet.name))


class _Sheet:
    def __init__(self, name: str):
        self.name = name[:31]
        self.cells: dict[tuple[int, int], Any] = {}
        self.merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}  # by its first cell: one merge a cell
        self.percent: set[tuple[int, int]] = set()
        self.hidden_rows: set[int] = set()
        self.hidden_cols: set[int] = set()
        self.hidden = False
        self.page_headers: list[str] = []
        self.cut = False
        self._row = -1
        self._col = -1
        self._next_col = 0

    def start_row(self, element) -> None:
        self._row = _index(element, self._row + 1)
        self._next_col = 0
        if self._row >= MAX_GRID_ROWS:
            self.cut = True
        elif element.get(f"{_SS}Hidden") == "1":
            self.hidden_rows.add(self._row)

    def add_cell(self, element, percent_styles: set[str]) -> None:
        col = _index(element, self._next_col)
        across, down = _count(element.get(f"{_SS}MergeAcross")), _count(element.get(f"{_SS}MergeDown"))
        self._next_col = col + across + 1
        if self._row >= MAX_GRID_ROWS:
            return
        if col >= MAX_GRID_COLS:
            self.cut = True
            return
        value = _value(element)
        if value is not None:
            self.cells[(self._row, col)] = value
        if element.get(f"{_SS}StyleID", "") in percent_styles:
            self.percent.add((self._row, col))
        if across or down:
            self.merged[(self._row, col)] = (self._row, col, min(self._row + down, MAX_GRID_ROWS - 1),
                                             min(col + across, MAX_GRID_COLS - 1))

    def add_column(self, element) -> None:
        self._col = _index(element, self._col + 1)
        span = _count(element.get(f"{_SS}Span"))
        if element.get(f"{_SS}Hidden") == "1" and self._col < MAX_GRID_COLS:
            self.hidden_cols.update(range(self._col, min(self._col + span + 1, MAX_GRID_COLS)))
        self._col += span

    def grid(self) -> Grid:
        last_row = max((r for r, _ in self.cells), default=-1)
        width = max((c for _, c in self.cells), default=-1) + 1
        rows: list[list[Any]] = [[None] * width for _ in range(last_row + 1)]
        for (r, c), value in self.cells.items():
            rows[r][c] = value
        return Grid(self.name, rows, list(self.merged.values()), self.percent, True, self.hidden, self.hidden_rows, self.hidden_cols,
                    page_header=page_header_text(self.page_headers))


def _index(element, default: int) -> int:
    """The 0-based position an ss:Index gives (counted from 1), else `default`; a position past
    every bound stays past it without a number of thousands of digits being read."""
    given = element.get(f"{_SS}Index")
    if given is None:
        return default
    given = given.strip()
    if not given.isdigit() or len(given) > 9:
        return 10 ** 9
    return max(0, int(given) - 1)


def _count(given: str | None) -> int:
    if not given or not given.strip().isdigit() or len(given.strip()) > 9:
        return 0
    return int(given)


def _value(element) -> Any:
    data = element.find(f"{_SS}Data")
    if data is None:
        formula = element.get(f"{_SS}Formula")
        return FormulaWithoutValue(formula[:200]) if formula else None
    kind = data.get(f"{_SS}Type", "String")
    text = "".join(data.itertext())[:MAX_CELL_CHARS]  # rich text (html:B, html:Font) read as its text
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text.strip() or None
        return number if math.isfinite(number) else text.strip()
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "DateTime":
        try:
            return _dt.datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text.strip() or None
    if kind == "Error":
        return CellError(text.strip()[:16])
    return text or None
