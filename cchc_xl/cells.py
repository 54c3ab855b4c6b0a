"""Cell addresses, in one place (as XlsxWriter's utility.py): A1 text <-> (row, column), column
letters, sheet names quoted in references, and Place, the position a figure or a finding has.

Rows and columns count from 0 (A1 is (0, 0)), as in grids and in XlsxWriter; the text forms count
rows from 1. Excel's last cell is XFD1048576.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

MAX_ROWS = 1_048_576
MAX_COLS = 16_384  # XFD

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


@lru_cache(maxsize=1024)
def column_letter(c: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    c += 1
    while c:
        c, rest = divmod(c - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 0, 'aa' -> 26 (letters are not checked: see parse_cell)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def cell_name(r: int, c: int, *, absolute: bool = False) -> str:
    """(11, 3) -> 'D12'; absolute: '$D$12'."""
    dollar = "$" if absolute else ""
    return f"{dollar}{column_letter(c)}{dollar}{r + 1}"


def parse_cell(text: str) -> tuple[int, int] | None:
    """'D12', '$D$12' or 'd12' -> (11, 3); None when the text is no cell inside XFD1048576."""
    match = _A1.fullmatch(text)
    if not match:
        return None
    r, c = int(match.group(2)) - 1, column_index(match.group(1))
    return (r, c) if 0 <= r < MAX_ROWS and c < MAX_COLS else None


def quote_sheet(name: str) -> str:
    """A sheet name as a reference writes it: always quoted, quotes doubled ('Bà''s sheet')."""
    return "'" + name.replace("'", "''") + "'"


def unquote_sheet(text: str) -> str:
    """"'Phụ lục'" -> 'Phụ lục', "'A''s'" -> "A's"; an unquoted name as it is."""
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return text


def reference(sheet: str, r: int, c: int, *, absolute: bool = False) -> str:
    """("Phụ lục", 11, 3) -> "'Phụ lục'!D12" (the sheet always quoted)."""
    return f"{quote_sheet(sheet)}!{cell_name(r, c, absolute=absolute)}"


def split_reference(text: str) -> tuple[str, str]:
    """"'Phụ lục'!$D$12" or 'Phụ lục!D12' -> ('Phụ lục', 'D12'): the sheet unquoted, the address without
    '$' and in upper case (not checked: see parse_cell); ('', text) when there is no '!'."""
    sheet, _, address = text.rpartition("!")
    return unquote_sheet(sheet), address.replace("$", "").upper()


# A defined name's reference to one cell: "='Phụ lục'!$D$12", "Sheet1!D12".
_REFERENCE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]{1,3})\$?(\d+)$")


def parse_reference(text: str) -> tuple[str, int, int] | None:
    """"='Phụ lục'!$D$12" (a defined name's reference) -> ('Phụ lục', 11, 3); None for anything else
    (a range, #REF!)."""
    match = _REFERENCE.match(text.strip())
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, int(match.group(4)) - 1, column_index(match.group(3))


class Place(NamedTuple):
    """Where a figure or a finding is: a sheet's cell, or a cell of a table in a Word report.

    Rendered once, as the person finds it: 'Phụ lục!D12', or as Word numbers its tables 'Bảng 2,
    dòng 12, cột Số liệu' (title lines above a Word table: 'Bảng 2, phần tiêu đề phía trên bảng').
    A named tuple rather than a frozen dataclass: every figure read makes one, and a tuple is made
    in a quarter of the time.
    """

    sheet: str  # the sheet; in a Word report the grid its tables make ("Bảng 2-3")
    row: int  # from 0, on the sheet or the grid
    column: int  # from 0
    table: int | None = None  # the Word table as Word numbers it; None on a sheet and above a table
    table_row: int | None = None  # the row in that Word table, from 1
    column_name: str = ""  # the Word column's header text ("Số liệu")
    word: bool = False  # a cell of a Word report

    def __str__(self) -> str:
        if not self.word:
            return f"{self.sheet}!{column_letter(self.column)}{self.row + 1}"
        if self.table is None:
            return f"{self.sheet}, phần tiêu đề phía trên bảng"
        return f"Bảng {self.table}, dòng {self.table_row}, cột {self.column_name or self.column + 1}"

    def to_json(self) -> dict[str, Any]:
        """{"sheet", "row" (from 1), "column" (letters)}; in a Word report {"table", "row" (in the
        table), "column" (its header)}, the table null above it."""
        if not self.word:
            return {"sheet": self.sheet, "row": self.row + 1, "column": column_letter(self.column)}
        if self.table is None:
            return {"table": None, "row": None, "column": None}
        return {"table": self.table, "row": self.table_row, "column": self.column_name or str(self.column + 1)}
