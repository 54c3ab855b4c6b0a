"""What the calamine-read formats (.xlsx/.xlsm, .xls, .ods) share: the scan of a sheet made from
the file's own records before calamine touches it, and the grid built from calamine's values
with what the scan found.

Cell values come from python-calamine (fast, never runs macros). What calamine does not expose
is read from the file by each format's module: which cells show a percent format, the cells
showing an Excel error (#DIV/0!, #REF!, a formula that cannot be computed: calamine gives them
as empty cells, and they are put in the grid as CellError so a broken formula is reported instead
of passing for "not reported"), hidden rows and columns, and each sheet's extent (calamine
allocates a sheet's dense range: a cell at XFD1048576 would cost gigabytes).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..findings import format_value
from ..grid import MAX_GRID_COLS, MAX_GRID_ROWS, Grid, ReadError
from ..values import CellError, FormulaWithoutValue
from .messages import corrupt, password

# .xls and .ods sheets cannot be cut before calamine builds them (about 64 bytes per cell of the
# dense range): larger ones are refused.
MAX_DENSE_CELLS = 2_000_000
# calamine builds every sheet of an .ods when it opens it, and reads each .xls sheet listed (many may
# list one sheet's records): the sheets together are bounded too.
MAX_DENSE_BOOK_CELLS = 2 * MAX_DENSE_CELLS

# Number formats 9 ("0%") and 10 ("0.00%") are built in; others are custom codes.
PERCENT_BUILTIN_FORMATS = {9, 10}


# A sheet's text boxes read for its unit and period: so many, of so many characters.
MAX_TEXT_BOXES, MAX_TEXT_BOX_CHARS = 50, 2000


@dataclass
class SheetScan:
    rows: int = 0  # last used row, counted from 1
    cols: int = 0
    cells: int = 0  # dense extent rows x cols
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formats_known: bool = True
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells showing #DIV/0!, #REF! ...
    without_value: dict[tuple[int, int], str] = field(default_factory=dict)  # formulas stored without a result
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: set[int] = field(default_factory=set)
    page_header: str = ""  # the printed page's header and footer (Page Setup), their codes left out
    text_boxes: list[str] = field(default_factory=list)  # the texts of the shapes drawn over the sheet


def shows_percent(code: str) -> bool:
    """A '%' in a number format code that is not quoted or escaped ("0.0%", not '0" %"')."""
    unquoted = re.sub(r'"[^"]*"|\\.', "", code)
    return "%" in unquoted

def refuse_dense(path: Path, scans: dict[str, SheetScan]) -> None:
    """ReadError for the first sheet whose dense range exceeds MAX_DENSE_CELLS, or for sheets whose
    dense ranges together exceed MAX_DENSE_BOOK_CELLS."""
    for name, scan in scans.items():
        if scan.cells > MAX_DENSE_CELLS:
            size = f"{scan.rows:,} dòng x {scan.cols:,} cột".replace(",", ".")
            raise ReadError("sheet-too-large", file=path.name, sheet=name, size=size)
    total = sum(scan.cells for scan in scans.values())
    if total > MAX_DENSE_BOOK_CELLS:
        raise ReadError("book-too-large", file=path.name, sheets=len(scans), cells=format_value(total),
                        max=format_value(MAX_DENSE_BOOK_CELLS))


def open_calamine(path: Path, data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:
        _reraise_unless_calamine(exc)
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise password(path) from None
        raise corrupt(path) from None


def _reraise_unless_calamine(exc: BaseException) -> None:
    """A panic inside calamine comes out as pyo3's PanicException, which is not an Exception: it
    means a damaged file like any other error; an interrupt or a time limit passes on."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc


def calamine_sheet(path: Path, book: CalamineWorkbook, name: str):
    try:
        return book.get_sheet_by_name(name)
    except BaseException as exc:
        _reraise_unless_calamine(exc)
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise password(path) from None
        raise ReadError("sheet-broken", file=path.name, sheet=name) from None


def grid_from_calamine(name: str, sheet, scan: SheetScan, *, hidden: bool, merged=None) -> Grid:
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
    for (r, c), formula in scan.without_value.items():
        if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
            rows[r][c] = FormulaWithoutValue("=" + formula)
        elif r < MAX_GRID_ROWS and c < MAX_GRID_COLS and (r >= len(rows) or c >= len(rows[r])):
            while len(rows) <= r:
                rows.append([])
            rows[r].extend([None] * (c + 1 - len(rows[r])))
            rows[r][c] = FormulaWithoutValue("=" + formula)
    return Grid(name, rows, merged, scan.percent_cells, scan.formats_known, hidden, scan.hidden_rows, scan.hidden_cols,
                page_header=scan.page_header, text_boxes=tuple(scan.text_boxes))

