"""A workbook as plain grids of cell values: what every source (cchc_xl.sources: .xlsx/.xlsm,
.xls, .ods, a Word report's tables; the open workbook through xlwings) produces and the reader reads.

Grids are bounded: at most MAX_GRID_ROWS rows and MAX_GRID_COLS columns are kept, whatever the file
holds (sources cut or refuse larger sheets and say so in Workbook.notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable

MAX_GRID_ROWS = 3000
MAX_GRID_COLS = 64
MAX_SHEET_CELLS = MAX_GRID_ROWS * MAX_GRID_COLS


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
    # A Word table has no A1 addresses: grid row -> (table number as Word counts it, row in that table).
    word_rows: dict[int, tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    # Its columns' header texts ("Số liệu"), named by the reader once it has found the header.
    column_names: dict[int, str] | None = field(default=None, repr=False, compare=False)

    def value(self, r: int, c: int) -> Any:
        if r < 0 or c < 0:
            return None
        try:
            return self.rows[r][c]
        except IndexError:
            return None

    def address(self, r: int, c: int) -> str:
        """'Sheet1!D12'; in a Word table 'Bảng 2, dòng 12, cột Số liệu' (the column's number before
        the reader has named the columns)."""
        if self.word_rows is None:
            return f"{self.name}!{column_letter(c)}{r + 1}"
        place = self.word_rows.get(r)
        if place is None:
            return f"{self.name}, phần tiêu đề phía trên bảng"
        column = (self.column_names or {}).get(c) or str(c + 1)
        return f"Bảng {place[0]}, dòng {place[1]}, cột {column}"


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
