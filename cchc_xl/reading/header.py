"""Finding the Phụ lục table on a grid: its header row, its columns, where it ends.

The table is found by its header text (STT | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú, over one
to three header rows) on whichever sheet, row and column it starts; a sheet whose STT column was
deleted is read by its label column. The figure column is the one named like a figure (Số liệu,
Số lượng, Kết quả thực hiện, Quý I/2024 ...), never a plan, last year's figure or a comparison;
among several, a visible one, one naming this period, then the latest year and period ("Quý II/2024"
beside "Quý I/2024"). Once the report's period is known, the column whose header names that period
is read ("Lũy kế 6 tháng" beside "Quý II/2024" in a 6-month report: `for_period`). A separate "Tỷ lệ
(%)" column holds the percent rows' figures. A header repeated under a new title (last period's
table kept under this one) starts another table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .. import periods
from ..cells import Place
from ..grid import Grid, says_continued
from ..periods import fold, period_from_dates

STT_HEADERS = {"stt", "tt", "thu tu", "so tt", "so thu tu"}


@dataclass
class Table:
    """Where the Phụ lục table sits on a sheet (0-based rows and columns)."""

    grid: Grid
    header_row: int
    first_row: int
    stt: int | None  # None when the sheet has no STT column: numbers are then read off the labels
    label: int
    unit: int | None
    value: int
    note: int | None
    percent: int | None = None  # a separate "Tỷ lệ (%)" column next to "Số lượng": percent rows' figures
    title_from: int = 0  # first row of its title lines
    end_row: int | None = None  # where the next table's title starts, on a sheet holding two
    # Figure columns whose headers name a period: (column, year or 0 when the header names none, part).
    period_columns: tuple[tuple[int, int, str], ...] = ()

    def column_period(self, column: int) -> tuple[int, str] | None:
        """(year or 0, part) the header of a figure column names, or None."""
        return next(((year, part) for c, year, part in self.period_columns if c == column), None)

    def value_header(self) -> str:
        """The figure column's header as typed, its lines joined ("Kết quả / Quý II/2024")."""
        texts: list[str] = []
        for r in range(self.header_row, self.first_row):
            value = self.grid.value(r, self.value)
            if isinstance(value, str) and value.strip() and " ".join(value.split()) not in texts:
                texts.append(" ".join(value.split()))
        return " / ".join(texts)


def for_period(table: Table, period: str | None) -> Table:
    """The table read from the figure column whose header names `period` (2024-6M: "Lũy kế 6 tháng",
    "6 tháng năm 2024"), when it is another than the one chosen without knowing the period."""
    if not period or "-" not in period:
        return table
    year, part = period.split("-")
    column = next((c for c, named_year, named_part in table.period_columns
                   if named_part == part and named_year in (0, int(year))), None)
    return table if column is None or column == table.value else replace(table, value=column)


def find_table(grid: Grid, filled: dict[tuple[int, int], Any] | None = None) -> Table | None:
    """The first header row on the sheet: STT, a label column and a figure column; on a sheet
    without an STT header (the column deleted), a label column beside a unit or figure column."""
    filled = _merged_fill(grid) if filled is None else filled
    for with_stt in (True, False):
        for r in range(len(grid.rows)):
            table = _header_at(grid, r, filled, with_stt)
            if table is not None:
                return table
    return None


def find_tables(grid: Grid) -> list[Table]:
    """Every Phụ lục table on the sheet: a header row repeated under a new title (a Phụ lục line or
    a period, as when last period's table is kept below this one) starts another table; a header
    repeated at a page break does not."""
    filled = _merged_fill(grid)
    first = find_table(grid, filled)
    if first is None:
        return []
    tables = [first]
    r = first.first_row
    while r < len(grid.rows):
        table = tables[-1]
        header_column = table.stt if table.stt is not None else table.label
        cell = grid.value(r, header_column)
        if isinstance(cell, str) and (fold(cell).rstrip(".") in STT_HEADERS or is_label_header(fold(cell))):
            title = _title_start(grid, r)
            following = _header_at(grid, r, filled, table.stt is not None) if title is not None else None
            if following is not None and title is not None:
                table.end_row = following.title_from = title
                tables.append(following)
                r = following.first_row
                continue
        r += 1
    return tables


_TITLE_WORDS = ("phu luc", "bao cao", "thong ke", "bieu")


def _title_start(grid: Grid, header: int) -> int | None:
    """The first title line right above a header row (blank lines allowed, at most six rows up),
    or None when a data row comes first."""
    start = None
    for r in range(header - 1, max(-1, header - 7), -1):
        texts = [value for value in grid.rows[r] if value is not None]
        if not texts:
            continue
        if len(texts) > 2 or not all(isinstance(value, str) for value in texts):
            break
        line = fold(" ".join(texts))
        if says_continued(line):  # "PHỤ LỤC (tiếp theo)" above the header typed again: the same table
            return None
        if line.startswith(_TITLE_WORDS) or periods.normalise(line) or period_from_dates(line):
            start = r
    return start


def _merged_fill(grid: Grid) -> dict[tuple[int, int], Any]:
    """Header cells covered by a merge, carrying the merge's text ("Kết quả" over two columns)."""
    filled = {}
    for r0, c0, r1, c1 in grid.merged:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 64:
            continue
        value = grid.value(r0, c0)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                filled[(r, c)] = value
    return filled


def _header_cell(grid: Grid, r: int, c: int, filled: dict) -> str:
    value = grid.value(r, c)
    if value is None:
        value = filled.get((r, c))
    return fold(value) if isinstance(value, str) else ""


def _header_at(grid: Grid, r: int, filled: dict, with_stt: bool = True,
               unclear: list[str] | None = None) -> Table | None:
    """The table whose header row is r, or None; `unclear` gets the headers of the columns its figures
    could be in when none of them says it is (see `unclear_figure_columns`)."""
    width = len(grid.rows[r])
    texts = [_header_cell(grid, r, c, filled) for c in range(width)]
    stt = next((c for c, text in enumerate(texts) if text.rstrip(".") in STT_HEADERS), None)
    if (stt is None) == with_stt:
        return None
    label = next((c for c, text in enumerate(texts) if c != stt and is_label_header(text)), None)
    if label is None:
        return None
    if stt is None and not any(_is_unit_header(text) or is_value_header(text) for text in texts):
        return None
    band = [texts]
    while len(band) < _MAX_HEADER_ROWS and _is_sub_header(grid, r + len(band), stt, label, filled):
        below = r + len(band)
        band.append([_header_cell(grid, below, c, filled) for c in range(len(grid.rows[below]))])
    width = max(len(texts) for texts in band)
    columns = [[texts[c] for texts in band if c < len(texts) and texts[c]] for c in range(width)]
    taken = {stt, label}

    def first(predicate) -> int | None:
        """The leftmost free column whose header (any row of the band, top first) satisfies predicate."""
        for level in range(len(band)):
            for c, parts in enumerate(columns):
                if c not in taken and any(predicate(text) for text in parts[: level + 1]):
                    return c
        return None

    unit = first(_is_unit_header)
    taken.add(unit)
    value, period_columns = _value_column(columns, taken, grid.hidden_cols)
    if value is None:
        others = _split_columns(columns, taken)
        result = next((c for c, text in enumerate(texts)
                       if text.startswith("ket qua") and c not in taken and c not in others), None)
        if result is None:
            if unclear is not None and others:
                bottom = r + len(band) - 1
                unclear.extend(" ".join(str(grid.value(bottom, c) or filled.get((bottom, c)) or "").split())
                               for c in others)
            return None
        value = result
    taken.add(value)
    note = first(lambda t: t.startswith("ghi chu"))
    taken.add(note)
    percent = None
    # Beside a plan or last year's column, "Tỷ lệ" compares the two: it is not a figure.
    if not any(_is_percent_header(text) for text in columns[value]) and not any(map(_names_other_figure, columns)):
        percent = next((c for c, parts in enumerate(columns) if c not in taken and parts
                        and _is_percent_header(parts[-1]) and not _names_other_figure(parts)), None)
    return Table(grid, r, r + len(band), stt, label, unit, value, note, percent, period_columns=period_columns)


def _is_percent_header(text: str) -> bool:
    return text.startswith("ty le") or text.strip("() ") == "%"


def _names_other_figure(parts: list[str]) -> bool:
    text = " ".join(parts)
    return any(word in text for word in _OTHER_FIGURE_HEADERS)


# Header rows below the first: a second or third level ("Kết quả" over "Đơn vị tính | Số liệu").
_MAX_HEADER_ROWS = 3
_YEAR_HEADER = re.compile(r"\b(?:19|20)\d{2}\b")
# Figure columns that are not this period's result: plans, last year, comparisons.
_OTHER_FIGURE_HEADERS = ("ke hoach", "cung ky", "nam truoc", "ky truoc", "so sanh", "tang giam", "tang, giam",
                         "muc tieu", "chi tieu giao", "du kien", "luy ke nam truoc")
_THIS_PERIOD_HEADERS = ("thuc hien", "ky bao cao", "ky nay", "trong ky", "trong quy", "quy nay")


def _is_unit_header(text: str) -> bool:
    return "don vi tinh" in text or text in ("dvt", "d.v.t", "don vi")


def _is_sub_header(grid: Grid, r: int, stt: int | None, label: int, filled: dict) -> bool:
    """A row of header words under the header row, whose STT and label cells are empty or merged from above."""
    if r >= len(grid.rows):
        return False
    for c in (stt, label):
        if c is not None and grid.value(r, c) is not None and (r, c) not in filled:
            return False
    words = [_header_cell(grid, r, c, filled) for c in range(len(grid.rows[r])) if c not in (stt, label)]
    return any(_is_unit_header(text) or is_value_header(text) or text.startswith(("ghi chu", "ket qua", "nam "))
               or _is_total_header(text) or _YEAR_HEADER.search(text) or any(word in text for word in _OTHER_FIGURE_HEADERS + _THIS_PERIOD_HEADERS)
               for text in words if text)


def _value_column(columns: list[list[str]], taken: set,
                  hidden: set[int]) -> tuple[int | None, tuple[tuple[int, int, str], ...]]:
    """The column of this period's figures, and the candidates whose headers name a period.

    Candidates are columns named like a figure (Số liệu, Số lượng, Kết quả thực hiện, a year, a
    total ...); a plan, last year's figure or a comparison is never the figure, nor one of the
    columns "Số liệu" is split into and names otherwise (`_split_columns`: the communes' columns of a
    district's table beside their total). Among several, a visible one wins over a hidden one, then
    one naming this period (Thực hiện, Kỳ báo cáo), then the total ("Tổng cộng", "Toàn huyện") over
    the units' columns, then the latest year and, within it, the latest period (a header without a
    year is of the others' year), then the leftmost.
    """
    candidates = []
    totals = set()
    split = _split_columns(columns, taken)
    for c, parts in enumerate(columns):
        if c in taken or not parts:
            continue
        text = " ".join(parts)
        if _names_other_figure(parts) or c in split:
            continue
        if _is_total_header(parts[-1]):
            totals.add(c)
        named = any(is_value_header(part) for part in parts)
        this_period = any(word in text for word in _THIS_PERIOD_HEADERS)
        years = [int(year) for year in _YEAR_HEADER.findall(text)]
        if named or this_period or years or c in totals:
            candidates.append((c, this_period, max(years, default=0), periods.part_named(text)))
    if not candidates:
        return None, ()
    if any(c not in hidden for c, *_ in candidates):
        candidates = [candidate for candidate in candidates if candidate[0] not in hidden]
    named_periods = tuple((c, year, part) for c, _, year, part in candidates if part)
    if any(this_period for _, this_period, _, _ in candidates):
        candidates = [candidate for candidate in candidates if candidate[1]]
    if any(candidate[0] in totals for candidate in candidates):
        candidates = [candidate for candidate in candidates if candidate[0] in totals]
    latest = max(year for _, _, year, _ in candidates)

    def rank(candidate: tuple[int, bool, int, str | None]) -> tuple[int, int, int]:
        _, _, year, part = candidate
        return periods.chronological(f"{year or latest:04d}-{part}") if part else (year or latest, 0, 0)

    best = max(map(rank, candidates))
    return next(candidate[0] for candidate in candidates if rank(candidate) == best), named_periods


# The total of a district's table that gives its communes' figures column by column.
# "Cộng dồn", "cộng lũy kế" are running totals over time, not the units' total.
_TOTAL_HEADER = re.compile(r"^(?:tong cong|tong so|tong|cong(?! don| luy)|toan (?:huyen|quan|thi xa|thanh pho|tinh))\b")


def _is_total_header(text: str) -> bool:
    return bool(_TOTAL_HEADER.match(text))


def _split_columns(columns: list[list[str]], taken: set) -> set[int]:
    """The columns a header of two or three rows splits "Số liệu" (or "Kết quả") into and names, at least
    two of them, but not as a figure, a period, a total, the unit or a note: "Xã Phú Đình | Xã Bình Yên",
    "Cấp huyện | Cấp xã". One such column beside a figure's ("Trong tháng | Lũy kế") is left a candidate."""
    split = {c for c, parts in enumerate(columns)
             if c not in taken and _names_no_figure(parts) and not _names_other_figure(parts)}
    return split if len(split) > 1 else set()


def _names_no_figure(parts: list[str]) -> bool:
    below = [text for text in parts[1:] if any(char.isalpha() for char in text)]
    return bool(below) and not any(
        is_value_header(text) or _is_total_header(text) or _is_unit_header(text) or _is_percent_header(text)
        or text.startswith("ghi chu") or _YEAR_HEADER.search(text) or any(word in text for word in _THIS_PERIOD_HEADERS)
        for text in below)


def unclear_figure_columns(grid: Grid) -> list[str]:
    """The headers of the columns the figures of the sheet's table could be in, when its header names
    none of them as the figure or a total ("Số liệu" over "Xã Phú Đình | Xã Bình Yên", "Cấp huyện | Cấp
    xã"); [] when there is no such table. Asked only of a sheet where no table was found."""
    filled = _merged_fill(grid)
    unclear: list[str] = []
    for with_stt in (True, False):
        for r in range(len(grid.rows)):
            _header_at(grid, r, filled, with_stt, unclear)
            if unclear:
                return unclear
    return []


def is_label_header(text: str) -> bool:
    return "chi tieu" in text or text.startswith(("noi dung", "ten chi", "tieu chi", "danh muc", "hang muc"))


def is_value_header(text: str) -> bool:
    return (text.startswith(("so lieu", "so luong", "ty le", "gia tri", "ket qua thuc hien"))
            or bool(_PERIOD_HEADER.match(text)))


# A figure column named by its period: "Quý I/2024", "9 tháng", "Lũy kế", "Cả năm".
_PERIOD_HEADER = re.compile(r"(?:quy\b|[369] thang\b|sau thang\b|chin thang\b|ca nam\b|luy ke\b|ky nay\b)")


def place(grid: Grid, r: int, c: int) -> Place:
    """Where a cell is, for figures and findings; a Word table's columns are named by their header."""
    if grid.word_rows is not None and grid.column_names is None:
        grid.column_names = _column_names(grid)
    return grid.place(r, c)


def _column_names(grid: Grid) -> dict[int, str]:
    """Each column's lowest header text ("Số liệu" under "Kết quả"), shortened before a bracket."""
    table = find_table(grid)
    if table is None:
        return {}
    band = range(table.header_row, table.first_row)
    covering: dict[int, Any] = {}
    for r0, c0, r1, c1 in grid.merged:
        if r0 <= band[-1] and r1 >= band[0]:
            for c in range(c0, c1 + 1):
                covering.setdefault(c, grid.value(r0, c0))
    names = {}
    for c in range(max(len(grid.rows[r]) for r in band)):
        texts = [grid.value(r, c) for r in reversed(band)]
        found = next((text for text in texts if isinstance(text, str) and text.strip()), covering.get(c))
        if isinstance(found, str):
            names[c] = (" ".join(found.split("(")[0].split()) or " ".join(found.split()))[:40]
    return names
