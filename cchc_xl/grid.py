"""A workbook as plain grids of cell values: what every source (cchc_xl.sources: .xlsx/.xlsm,
.xls, .ods, a Word report's tables; the open workbook through xlwings) produces and the reader reads.

Grids are bounded: at most MAX_GRID_ROWS rows and MAX_GRID_COLS columns are kept, whatever the file
holds (sources cut or refuse larger sheets and say so in Workbook.notes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from .cells import Place
from .periods import fold
from .problems import Problem, problem

MAX_GRID_ROWS = 3000
MAX_GRID_COLS = 64
MAX_SHEET_CELLS = MAX_GRID_ROWS * MAX_GRID_COLS
MAX_CELL_CHARS = 32_767  # what an Excel cell holds
MAX_SHEETS = 1000  # a workbook rarely has more than a few dozen sheets
# Cells of all the sheets of a workbook read (ten sheets at the limit of a sheet): many sheets listing
# one large part are each read by calamine, and each costs as much as one sheet.
MAX_BOOK_CELLS = 2_000_000


class ReadError(Exception):
    """A workbook that cannot be read: a problem of the PROBLEMS table (problems.py), its code kept
    (`code`), its Vietnamese text naming the file as the message."""

    def __init__(self, code: str, **params: Any):
        self.problem: Problem = problem(code, **params)
        super().__init__(self.problem.text)

    @property
    def code(self) -> str:
        return self.problem.code

    def __reduce__(self):  # across worker processes: rebuilt from its problem, not from its message
        return _read_error, (self.problem,)


def _read_error(found: Problem) -> ReadError:
    error = ReadError.__new__(ReadError)
    error.problem = found
    Exception.__init__(error, found.text)
    return error


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
    # A Word table has no A1 addresses: grid row -> (table number as Word counts it, row in that table).
    word_rows: dict[int, tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    # Its columns' header texts ("Số liệu"), named by the reader once it has found the header.
    column_names: dict[int, str] | None = field(default=None, repr=False, compare=False)
    page_header: str = ""  # the printed page's header and footer (Page Setup), where some write the period
    # The texts of the text boxes drawn over the sheet (the title or "Kèm theo Báo cáo số …" typed in one),
    # each its paragraphs one a line.
    text_boxes: tuple[str, ...] = ()
    # A table continued on the next sheet, read as one grid (`stacked`): (the row that sheet starts at, its name).
    continued: tuple[int, str] | None = field(default=None, repr=False, compare=False)

    def value(self, r: int, c: int) -> Any:
        if r < 0 or c < 0:
            return None
        try:
            return self.rows[r][c]
        except IndexError:
            return None

    def place(self, r: int, c: int) -> Place:
        """Where the cell is, for findings: a sheet's cell, or a Word table's row and column (the
        column's number until the reader has named the columns)."""
        if self.word_rows is None:
            if self.continued is not None and r >= self.continued[0]:
                return Place(self.continued[1], r - self.continued[0], c)
            return Place(self.name, r, c)
        table, table_row = self.word_rows.get(r, (None, None))
        return Place(self.name, r, c, table, table_row, (self.column_names or {}).get(c, ""), word=True)


@dataclass
class Workbook:
    path: str
    grids: list[Grid]
    defined_names: dict[str, str] = field(default_factory=dict)  # name -> "Sheet!$D$12"
    notes: list[str] = field(default_factory=list)  # Vietnamese: sheets cut or skipped
    title: str = ""  # the document's title in its properties (File > Info > Title)
    paragraphs: list[str] = field(default_factory=list)  # a Word report's paragraphs outside its tables
    issuer: str = ""  # a Word report's issuing body, from its national header table ("ỦY BAN NHÂN DÂN\nXÃ BÌNH YÊN")
    dated: str = ""  # a Word report's place and date line, from its national header table ("Bình Yên, ngày 15 tháng 3 năm 2025")
    page_header: str = ""  # a Word report's page header and footer, a line each (its grids carry it too)

    def grid(self, name: str) -> Grid | None:
        return next((grid for grid in self.grids if grid.name == name), None)


def stacked(first: Grid, second: Grid) -> Grid:
    """`second`'s rows under `first`'s, one grid whose cells keep the places of their own sheets: a
    table split over two sheets as over two pages."""
    offset = len(first.rows)
    return Grid(first.name, first.rows + second.rows,
                first.merged + [(r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in second.merged],
                first.percent_cells | {(r + offset, c) for r, c in second.percent_cells},
                first.formats_known and second.formats_known, first.hidden,
                first.hidden_rows | {r + offset for r in second.hidden_rows}, first.hidden_cols | second.hidden_cols,
                page_header=first.page_header, text_boxes=first.text_boxes, continued=(offset, second.name))


# Excel's codes in a header: &L &C &R (sections), &P &N &D &T &F &A (fields), &"Arial,Bold", &12, &K00FF00, &B …
_HEADER_CODE = re.compile(r'&(?:"[^"]*"|\d+|K[0-9A-Fa-f]{6}|[A-Za-z])')
_HEADER_SECTION = re.compile(r"&[LCR]")


def page_header_text(texts: Iterable[str]) -> str:
    """The words of Excel's page headers and footers ("&L&\"Times New Roman,Bold\"UBND xã &CQuý II năm
    2024"), their codes left out and "&&" read as "&": a line for each section, so the unit at the
    left is not read into the title at the right ("UBND xã Bình Yên\nQuý II năm 2024")."""
    sections = (section for text in texts for section in _HEADER_SECTION.split(text.replace("&&", "\0")))
    return page_lines(_HEADER_CODE.sub(" ", section).replace("\0", "&") for section in sections)


def page_lines(texts: Iterable[str]) -> str:
    """The non-empty lines of the texts of a printed page's header and footer, composed (NFC)."""
    return "\n".join(line for text in texts for raw in text.split("\n")
                     if (line := " ".join(unicodedata.normalize("NFC", raw).split())))


def says_continued(text: str) -> bool:
    """Whether a heading says the table goes on from the page or sheet before: "PHỤ LỤC SỐ II (tiếp theo)"."""
    return _CONTINUED.search(fold(text)) is not None


_CONTINUED = re.compile(r"\btiep(?: theo)?\b")


def grid_from_values(name: str, rows: Iterable[Iterable[Any]], *, merged=(), percent_cells=(),
                     formats_known: bool = False) -> Grid:
    """A grid from plain values (an open workbook's used range, from A1); '' counts as empty."""
    clean = [[None if value == "" else value for value in row] for row in rows]
    return Grid(name, clean[:MAX_GRID_ROWS], list(merged), set(percent_cells), formats_known)
