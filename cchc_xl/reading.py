"""Any filled Phụ lục workbook -> Submission: figures by catalog row id, with their cells.

The table is found by its header text (STT | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú, over one
to three header rows) on whichever sheet, row and column it starts; a sheet whose STT column was
deleted is read by its label column. The figure column is the one named like a figure (Số liệu,
Số lượng, Kết quả thực hiện, Quý I/2024 ...), never a plan, last year's figure or a comparison;
among several, a visible one, one naming this period, then the latest year. A separate "Tỷ lệ
(%)" column holds the percent rows' figures.

File rows are matched to catalog rows by an order-preserving alignment: every (file row, catalog
row) pair with a similar label gets a score (word overlap of the labels folded without
diacritics, abbreviations spelled out counted as the abbreviation; an inexact label costs what it
misses; a bonus when the STT agrees, a penalty when two STT numbers differ, a small bonus for a
"Trong đó" part next to a row of its own block), and the heaviest chain of pairs increasing in
both file order and catalog order is kept. Repeated labels ("Số vấn đề phát hiện qua kiểm tra"
under several groups) and unnumbered "Trong đó" rows are placed by their order; inserted, blank or
unknown rows are skipped over; hidden rows lose to visible ones; rows moved out of order are put
back by their STT and label; a label wrapped over two lines is one row. The form is recognised by
running the alignment against every shipped catalog and keeping the best-covered one; when a
workbook holds several tables (sheets, or last period's table under this one), the latest period
is read and a warning names the others.

Workbooks made by the tool carry a hidden "_cchc" sheet (catalog, unit, period) and a defined
name on every input cell: those are read by name, not by alignment; rows inserted with a figure
and rows deleted (a name turned #REF!) are reported.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from . import catalog as catalog_module
from . import findings, meta, periods
from .catalog import Catalog, CatalogError
from .grid import Grid, ReadError, Workbook, column_index, load_workbook_grids
from .periods import fold
from .submission import META_SHEET, Figure, Submission, defined_name
from .values import parse_figure, tidy

__all__ = ["ReadError", "read_workbook", "read_grids", "find_table", "extract_rows", "align", "Table"]

# A form is recognised when the alignment covers at least this share (F1 of catalog rows found
# and file rows placed).
MIN_RECOGNITION_SCORE = 0.5
# Pairs below this label similarity are not considered, unless their STT numbers agree.
MIN_LABEL_SIMILARITY = 0.6
MIN_LABEL_SIMILARITY_SAME_STT = 0.3
STT_AGREES_BONUS = 0.6
STT_DIFFERS_PENALTY = 0.4
TRONG_DO_BONUS = 0.2
INEXACT_LABEL_COST = 1.0
# A numbered row of the file taken for an unnumbered "Trong đó" part of the form.
NUMBERED_ON_PART_PENALTY = 0.3
# A part chained after a row of its own block (its percent row, a sibling part): decides between
# identical parts of two blocks by the rows around them ("... mức độ 4" next to "Tổng số TTHC đủ
# điều kiện" puts both in 3.2.2).
SAME_BLOCK_BONUS = 0.05
# A row out of order is put back on the free row of its STT when their labels are this close
# (a typo or two allowed).
MOVED_ROW_SIMILARITY = 0.8
# Between catalog rows a file row matches equally well, the earlier one: the parts of 3.4.1 stay
# there when the identical block 3.4.2 was deleted, instead of sliding into its place.
LATER_ROW_COST = 1e-4
# A hidden row still counts when nothing visible takes its place (a row hidden because it is
# empty), but a visible row with the same label and STT wins over it (an older copy hidden above).
HIDDEN_ROW_PENALTY = 0.5
# Two lines are joined into one wrapped label only when together they match a row this closely.
MIN_WRAPPED_SIMILARITY = 0.85
WRAPPED_MARGIN = 0.05

_STT_HEADERS = {"stt", "tt", "thu tu", "so tt", "so thu tu"}
_FOOTER_STARTS = ("nguoi lap", "nguoi ky", "tm.", "tm ", "chu tich", "noi nhan", "xac nhan",
                  "thu truong", "k/t", "kt.", "kt ")
_NOT_WRITTEN = {"", "-", "--", "- -", "nt", "x", "/", "."}


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


@dataclass
class FileRow:
    r: int
    stt: str
    label: str
    unit: str
    raw: Any
    note: str
    stt_key: str = ""
    words: frozenset[str] = frozenset()
    hidden: bool = False  # a hidden row: an older copy of a row loses to a visible one
    abbreviated: frozenset[str] = frozenset()  # words with spelled-out abbreviations replaced


@dataclass
class Alignment:
    catalog: Catalog
    pairs: dict[int, int]  # file row index -> catalog row index
    score: float


# ---------------------------------------------------------------------------------------------
# Entry points


def read_workbook(path: str | os.PathLike, catalog: Catalog | None = None) -> Submission:
    """Read a filled workbook (.xlsx/.xlsm/.xls/.ods) without modifying it."""
    path = Path(path)
    workbook = load_workbook_grids(path)
    submission = read_grids(workbook, path, catalog)
    try:
        submission.modified = path.stat().st_mtime
    except OSError:
        pass
    return submission


def read_grids(workbook_or_grids: Workbook | Sequence[Grid], path: str | os.PathLike,
               catalog: Catalog | None = None) -> Submission:
    """The same from grids already in memory (the open workbook, through xlwings)."""
    path = Path(path)
    workbook = (workbook_or_grids if isinstance(workbook_or_grids, Workbook)
                else Workbook(str(path), list(workbook_or_grids)))
    metadata = _metadata(workbook)
    if metadata.get("tool") == "cchc-xl":
        return _read_own(workbook, path, metadata, catalog)
    return _read_foreign(workbook, path, catalog)


# ---------------------------------------------------------------------------------------------
# Workbooks made by the tool


def _metadata(workbook: Workbook) -> dict[str, str]:
    grid = workbook.grid(META_SHEET)
    return meta.decode(grid.rows) if grid is not None else {}


def _read_own(workbook: Workbook, path: Path, metadata: dict[str, str], forced: Catalog | None) -> Submission:
    catalog = forced or _catalog_from_metadata(path, metadata)
    period = periods.normalise(metadata.get("period")) or periods.normalise(metadata.get("period_text"))
    submission = Submission(path=str(path), catalog=catalog, unit=metadata.get("unit", ""),
                            period=period, period_text=metadata.get("period_text", ""), metadata=metadata)
    if metadata.get("kind") == "rollup":
        submission.unit = submission.unit or _unit_from_filename(path)
        return submission
    named = _named_cells(workbook, catalog)
    if not named:
        # Names lost on the way (saved as .xls or .ods by another program): read like any file.
        foreign = _read_foreign(workbook, path, catalog)
        foreign.unit = submission.unit or foreign.unit
        foreign.period = submission.period or foreign.period
        foreign.period_text = submission.period_text or foreign.period_text
        foreign.metadata = metadata
        return foreign
    sheets = {grid.name: grid for grid, _, _ in named.values()}
    tables = {name: find_table(grid) for name, grid in sheets.items()}
    for row in catalog.rows:
        if row.id not in named:
            continue
        grid, r, c = named[row.id]
        table = tables.get(grid.name)
        note = _text(grid.value(r, table.note)) if table and table.note is not None else ""
        unit = _text(grid.value(r, table.unit)) if table and table.unit is not None else None
        _add_figure(submission, grid, row, r, c, note, unit, row.stt)
    for row in catalog.rows:
        if row.is_input and row.id not in named and defined_name(row.id) in workbook.defined_names:
            # The name lost its cell (#REF!): the row was deleted from the form.
            submission.findings.append(findings.make(
                "row-missing", (row.id,), None, stt=_shown_stt(row), label=row.label, catalog=catalog.name))
    for table in tables.values():
        if table is not None:
            _warn_rows_added(submission, table, {r for grid, r, _ in named.values() if grid is table.grid})
    submission.sheet = next(iter(tables), "")
    if not (submission.unit and submission.period):
        # A blank template filled by hand: the unit and period are in its title lines.
        table = tables[submission.sheet]
        unit, period, period_text = _unit_and_period(table, path) if table else (_unit_from_filename(path), None, "")
        submission.unit = submission.unit or unit
        if not submission.period:
            submission.period, submission.period_text = period, period_text
    return submission


def _warn_rows_added(submission: Submission, table: Table, named_rows: set[int]) -> None:
    """Rows a person inserted into the tool's form with a figure on them: not counted, and said so."""
    index = _index(submission.catalog)
    for row in extract_rows(table):
        if row.r in named_rows or not _has_figure(row) or row.hidden:
            continue
        if any(label_similarity(row.words, words) >= 0.9 for variants in index.words for words in variants):
            continue  # a row of the form itself (a percent computed by its formula)
        submission.findings.append(findings.make(
            "unknown-row", (), table.grid.address(row.r, table.label), value=_row_text(row),
            stt=row.stt, label=row.label, catalog=submission.catalog.name))


def _catalog_from_metadata(path: Path, metadata: dict[str, str]) -> Catalog:
    catalog_id = metadata.get("catalog", "")
    try:
        return catalog_module.load(catalog_id)
    except CatalogError:
        raise ReadError(f"{path.name}: tệp được tạo theo mẫu «{catalog_id}» nhưng công cụ không có mẫu này; "
                        "hãy cập nhật công cụ hoặc dùng đúng mẫu") from None


_REFERENCE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]{1,3})\$?(\d+)$")


def _named_cells(workbook: Workbook, catalog: Catalog) -> dict[str, tuple[Grid, int, int]]:
    cells = {}
    for row in catalog.rows:
        reference = workbook.defined_names.get(defined_name(row.id))
        match = _REFERENCE.match(reference.strip()) if reference else None
        if not match:
            continue
        sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
        grid = workbook.grid(sheet)
        if grid is not None:
            cells[row.id] = (grid, int(match.group(4)) - 1, column_index(match.group(3)))
    return cells


# ---------------------------------------------------------------------------------------------
# Any other workbook


def _read_foreign(workbook: Workbook, path: Path, forced: Catalog | None) -> Submission:
    candidates = []
    for grid in workbook.grids:
        if grid.name == META_SHEET:
            continue
        candidates.extend((table, extract_rows(table)) for table in find_tables(grid))
    if not candidates:
        raise ReadError(_no_table(path, workbook))
    catalogs = [forced] if forced else _shipped_catalogs(path)
    if not _LEARNT.issuperset((c.id, c.version, c.path) for c in catalogs):
        learn_abbreviations(catalogs)
        candidates = [(table, extract_rows(table)) for table, _ in candidates]
    found: list[tuple[Alignment, Table, list[FileRow]]] = []
    for table, rows in candidates:
        tried = []
        for candidate in catalogs:
            joined = join_wrapped_labels(rows, candidate)
            tried.append((align(joined, candidate), joined))
        best, joined = max(tried, key=lambda entry: entry[0].score)
        found.append((best, table, joined))
    recognised = [entry for entry in found if forced is not None or entry[0].score >= MIN_RECOGNITION_SCORE]
    if not recognised:
        alignment, table, _ = max(found, key=lambda entry: entry[0].score)
        names = ", ".join(c.id for c in catalogs)
        raise ReadError(f"{path.name}: có bảng Phụ lục ở trang tính «{table.grid.name}» nhưng không khớp với "
                        f"mẫu nào đã biết ({names}); hãy dùng đúng mẫu Phụ lục hoặc chỉ rõ mẫu khi kiểm tra")
    read = [(entry, _unit_and_period(entry[1], path)) for entry in recognised]
    (alignment, table, rows), (unit, period, period_text) = max(read, key=_table_rank)
    submission = Submission(path=str(path), catalog=alignment.catalog, unit=unit, period=period,
                            period_text=period_text, sheet=table.grid.name)
    _fill(submission, table, rows, alignment)
    others = [other for (_, other, _), _ in read if other is not table and not other.grid.hidden]
    if others and not table.grid.hidden:
        submission.findings.append(findings.make(
            "several-tables", (), _header_address(table), table=_header_address(table),
            others=", ".join(_header_address(other) for other in others), period=periods.label(period) or "không rõ kỳ"))
    if any(f"«{table.grid.name}»" in note for note in workbook.notes):
        submission.findings.append(findings.make(
            "sheet-cut", (), table.grid.address(table.first_row, _first_column(table)),
            detail=next(n for n in workbook.notes if f"«{table.grid.name}»" in n)))
    return submission


def _header_address(table: Table) -> str:
    return table.grid.address(table.header_row, _first_column(table))


def _first_column(table: Table) -> int:
    return table.stt if table.stt is not None else table.label


# A later period's table wins over an earlier one kept in the same workbook; within a year the
# cumulative reports come after the quarter they end.
_PERIOD_ORDER = {"Q1": 1, "Q2": 2, "6M": 3, "Q3": 4, "9M": 5, "Q4": 6, "Y": 7}


def _table_rank(entry) -> tuple:
    """Visible sheets before hidden ones, then the latest period, then the best match (max keeps the
    first sheet on a tie)."""
    (alignment, table, _), (_, period, _) = entry
    year, part = period.split("-") if period else ("0", "")
    return not table.grid.hidden, int(year), _PERIOD_ORDER.get(part, 0), round(alignment.score, 2)


def _shipped_catalogs(path: Path) -> list[Catalog]:
    try:
        catalogs = catalog_module.load_all()
    except CatalogError as exc:
        raise ReadError(f"{path.name}: không đọc được danh mục mẫu của công cụ ({exc})") from None
    if not catalogs:
        raise ReadError(f"{path.name}: công cụ chưa có mẫu Phụ lục nào để đối chiếu; "
                        "hãy cài lại cchc-xl (pip install --force-reinstall cchc-xl)")
    return catalogs


def _no_table(path: Path, workbook: Workbook) -> str:
    message = (f"{path.name}: không tìm thấy bảng Phụ lục (dòng tiêu đề STT / Chỉ tiêu / Đơn vị tính / "
               "Số liệu) trong tệp")
    if workbook.notes:
        message += " (" + "; ".join(workbook.notes) + ")"
    return message


# ---------------------------------------------------------------------------------------------
# Finding the table


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
        if isinstance(cell, str) and (fold(cell).rstrip(".") in _STT_HEADERS or _is_label_header(fold(cell))):
            title = _title_start(grid, r)
            following = _header_at(grid, r, filled, table.stt is not None) if title is not None else None
            if following is not None:
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


def _header_at(grid: Grid, r: int, filled: dict, with_stt: bool = True) -> Table | None:
    width = len(grid.rows[r])
    texts = [_header_cell(grid, r, c, filled) for c in range(width)]
    stt = next((c for c, text in enumerate(texts) if text.rstrip(".") in _STT_HEADERS), None)
    if (stt is None) == with_stt:
        return None
    label = next((c for c, text in enumerate(texts) if c != stt and _is_label_header(text)), None)
    if label is None:
        return None
    if stt is None and not any(_is_unit_header(text) or _is_value_header(text) for text in texts):
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
    value = _value_column(columns, taken, grid.hidden_cols)
    if value is None:
        result = next((c for c, text in enumerate(texts) if text.startswith("ket qua") and c not in taken), None)
        if result is None:
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
    return Table(grid, r, r + len(band), stt, label, unit, value, note, percent)


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
_THIS_PERIOD_HEADERS = ("thuc hien", "ky bao cao", "ky nay")


def _is_unit_header(text: str) -> bool:
    return "don vi tinh" in text or text in ("dvt", "d.v.t", "don vi")


def _is_sub_header(grid: Grid, r: int, stt: int, label: int, filled: dict) -> bool:
    """A row of header words under the header row, whose STT and label cells are empty or merged from above."""
    if r >= len(grid.rows):
        return False
    for c in (stt, label):
        if c is not None and grid.value(r, c) is not None and (r, c) not in filled:
            return False
    words = [_header_cell(grid, r, c, filled) for c in range(len(grid.rows[r])) if c not in (stt, label)]
    return any(_is_unit_header(text) or _is_value_header(text) or text.startswith(("ghi chu", "ket qua", "nam "))
               or _YEAR_HEADER.search(text) or any(word in text for word in _OTHER_FIGURE_HEADERS + _THIS_PERIOD_HEADERS)
               for text in words if text)


def _value_column(columns: list[list[str]], taken: set, hidden: set[int]) -> int | None:
    """The column of this period's figures.

    Candidates are columns named like a figure (Số liệu, Số lượng, Kết quả thực hiện, a year ...);
    a plan, last year's figure or a comparison is never the figure. Among several, a visible one
    wins over a hidden one, then one naming this period (Thực hiện, Kỳ báo cáo), then the latest
    year, then the leftmost.
    """
    candidates = []
    for c, parts in enumerate(columns):
        if c in taken or not parts:
            continue
        text = " ".join(parts)
        if _names_other_figure(parts):
            continue
        named = any(_is_value_header(part) for part in parts)
        this_period = any(word in text for word in _THIS_PERIOD_HEADERS)
        years = [int(year) for year in _YEAR_HEADER.findall(text)]
        if named or this_period or years:
            candidates.append((c, this_period, max(years, default=0)))
    if not candidates:
        return None
    if any(c not in hidden for c, _, _ in candidates):
        candidates = [candidate for candidate in candidates if candidate[0] not in hidden]
    if any(this_period for _, this_period, _ in candidates):
        candidates = [candidate for candidate in candidates if candidate[1]]
    latest = max(year for _, _, year in candidates)
    return next(c for c, _, year in candidates if year == latest)


def _is_label_header(text: str) -> bool:
    return "chi tieu" in text or text.startswith(("noi dung", "ten chi", "tieu chi", "danh muc", "hang muc"))


def _is_value_header(text: str) -> bool:
    return (text.startswith(("so lieu", "so luong", "ty le", "gia tri", "ket qua thuc hien"))
            or bool(_PERIOD_HEADER.match(text)))


# A figure column named by its period: "Quý I/2024", "9 tháng", "Lũy kế", "Cả năm".
_PERIOD_HEADER = re.compile(r"(?:quy\b|[369] thang\b|sau thang\b|chin thang\b|ca nam\b|luy ke\b|ky nay\b)")


# ---------------------------------------------------------------------------------------------
# Rows of the table


def extract_rows(table: Table) -> list[FileRow]:
    grid = table.grid
    rows: list[FileRow] = []
    columns = (table.stt, table.label, table.unit, table.value, table.note)
    for r in range(table.first_row, len(grid.rows) if table.end_row is None else table.end_row):
        cells = grid.rows[r]
        width = len(cells)
        stt, label, unit, raw, note = [cells[c] if c is not None and c < width else None for c in columns]
        if _short(label) and _short(note) and _short(stt) and _short(unit):
            try:
                texts = _row_texts(stt, label, unit, note)
            except TypeError:  # a cell value that cannot be a cache key
                texts = _row_texts.__wrapped__(stt, label, unit, note)
        else:  # long texts are not kept (bounded memory on hostile files)
            texts = _row_texts.__wrapped__(stt, label, unit, note)
        stt, label, unit, note, key, words, abbreviated, header, label_heads, numbered = texts
        if not (stt or label or unit or note) and raw in (None, ""):
            continue
        if header or (label_heads and isinstance(raw, str) and _is_value_header(fold(raw))):
            continue  # a header repeated at a page break, or the column-number row
        if not numbered and any(isinstance(value, str) and _starts_footer(value) for value in cells):
            break  # a signature line ("Người lập biểu", "TM. UBND xã") ends the table
        if not label and not stt and not unit and raw is None:
            continue
        rows.append(FileRow(r, stt, label, unit, raw, note, key, words, r in grid.hidden_rows, abbreviated))
    return rows


@lru_cache(maxsize=16384, typed=True)  # the STT, label, unit and note cells recur in every file of a merge
def _row_texts(stt: Any, label: Any, unit: Any, note: Any) -> tuple:
    """What a row's text cells say: (stt, label, unit, note) as text, the STT key, the label's words
    and abbreviated words, whether the row repeats the header (without its figure cell), whether
    its label is empty or a label header, and whether its STT holds a digit (never a footer)."""
    stt, label, unit, note = _text(stt), _text(label), _text(unit), _text(note)
    if not stt:
        stt, label = _split_numbered_label(label)
    return (stt, label, unit, note, stt_key(stt), label_words(label), abbreviated_words(label),
            _is_repeated_header(stt, label, unit), not label or _is_label_header(fold(label)),
            bool(stt and _DIGIT.search(stt)))


def _short(value: Any) -> bool:
    return not isinstance(value, str) or len(value) <= _CACHED_TEXT_LENGTH


_NUMBERED_LABEL = re.compile(r"^((?:\d{1,2}\.)+\d{0,2}|[IVX]{1,4}\.)\s+(\S.*)$")


def _split_numbered_label(label: str) -> tuple[str, str]:
    """'1.1. Tỷ lệ hoàn thành ...' typed in one cell -> ('1.1.', 'Tỷ lệ hoàn thành ...')."""
    match = _NUMBERED_LABEL.match(label)
    return (match.group(1), match.group(2)) if match else ("", label)


_COLUMN_NUMBER_STT = re.compile(r"\(?[a-d1-2]\)?")
_COLUMN_NUMBER_LABEL = re.compile(r"\(?[b-c1-3]\)?")


def _is_repeated_header(stt: str, label: str, unit: str) -> bool:
    """From its text cells: a header repeated at a page break, or the column-number row ("1 | 2 | 3 | 4").
    A figure cell reading "Số liệu" under an empty or header label is one too (extract_rows)."""
    folded_stt = fold(stt)
    if folded_stt.rstrip(".") in _STT_HEADERS:
        return True
    if unit and "don vi tinh" in fold(unit):
        return True
    return bool(_COLUMN_NUMBER_STT.fullmatch(folded_stt) and _COLUMN_NUMBER_LABEL.fullmatch(fold(label)))


_DIGIT = re.compile(r"\d")


# Cell texts recur in every file of a merge; longer texts are not kept (bounded memory on hostile files).
_CACHED_TEXT_LENGTH = 200


def _starts_footer(text: str) -> bool:
    if len(text) > _CACHED_TEXT_LENGTH:
        return fold(text).startswith(_FOOTER_STARTS)
    return _starts_footer_cached(text)


@lru_cache(maxsize=16384)
def _starts_footer_cached(text: str) -> bool:
    return fold(text).startswith(_FOOTER_STARTS)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _squashed(value) if len(value) <= _CACHED_TEXT_LENGTH else " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


@lru_cache(maxsize=16384)
def _squashed(text: str) -> str:
    return " ".join(text.split())


def stt_key(stt: Any) -> str:
    """STT compared loosely: '1.1.' = '1.1' = ' 1.1 ', 'Trong đó' = 'trong do', 'I' = 'i'."""
    if isinstance(stt, str) and len(stt) <= _CACHED_TEXT_LENGTH:
        return _stt_key_of_text(stt)
    return _loose_stt(stt)


@lru_cache(maxsize=4096)
def _stt_key_of_text(stt: str) -> str:
    return _loose_stt(stt)


def _loose_stt(stt: Any) -> str:
    return fold(_text(stt)).replace(" ", "").rstrip(".)").lstrip("(")


_NUMBERED = re.compile(r".*\d|[ivxl]+$")


def _is_numbered(key: str) -> bool:
    return bool(_NUMBERED.match(key))


_WORD = re.compile(r"[0-9a-z]+")

# Abbreviations the forms use (TTHC, VBQPPL, HĐND, ĐVSN ...), learnt from their labels: a label
# that spells one out ("thủ tục hành chính") is also compared with the abbreviation in its place.
_ABBREVIATIONS: set[str] = set()
_LEARNT: set[tuple[str, str, str]] = set()
_ABBREVIATION = re.compile(r"\b[A-ZĐ]{3,8}\b")
_LONGEST_ABBREVIATION = 8


def learn_abbreviations(catalogs: Sequence[Catalog]) -> None:
    known = len(_ABBREVIATIONS)
    for catalog in catalogs:
        key = (catalog.id, catalog.version, catalog.path)
        if key in _LEARNT:
            continue
        _LEARNT.add(key)
        for row in catalog.rows:
            for text in (row.label, *row.aliases):
                _ABBREVIATIONS.update(fold(token) for token in _ABBREVIATION.findall(text))
    if len(_ABBREVIATIONS) != known:  # words computed before now lack the new abbreviations
        abbreviated_words.cache_clear()
        _row_texts.cache_clear()
        _INDEXES.clear()
        _ALIGNMENTS.clear()


@lru_cache(maxsize=32768)
def label_words(label: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(label)))


# Words that are never part of a spelled-out abbreviation ("Đảng và chính quyền" is not DVC).
_LINKING_WORDS = {"va", "cua", "cac", "da", "duoc", "tai", "theo", "voi", "cho", "tren", "trong", "la", "co",
                  "nhung", "mot", "so"}


@lru_cache(maxsize=32768)
def abbreviated_words(label: str) -> frozenset[str]:
    """The label's words with spelled-out abbreviations replaced ('thủ tục hành chính' -> 'tthc');
    the empty set when nothing was replaced."""
    words = _WORD.findall(fold(label))
    if not _ABBREVIATIONS or len(words) < 3:
        return frozenset()
    collapsed, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST_ABBREVIATION, len(words) - i), 2, -1):
            phrase = words[i:i + size]
            initials = "".join(word[0] for word in phrase)
            if initials in _ABBREVIATIONS and not _LINKING_WORDS.intersection(phrase):
                collapsed.append(initials)
                i += size
                break
        else:
            collapsed.append(words[i])
            i += 1
    return frozenset(collapsed) if len(collapsed) < len(words) else frozenset()


def label_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


# ---------------------------------------------------------------------------------------------
# Alignment


@dataclass
class _CatalogIndex:
    keys: list[str]
    numbered: list[bool]
    words: list[list[frozenset[str]]]  # label and aliases of each catalog row
    variant_row: list[int]  # variant -> catalog row
    variant_size: list[int]
    postings: dict[str, list[int]]  # word -> variants
    block_of: list[int]  # the numbered row each row belongs to (itself when numbered)
    parts: dict[int, list[int]]  # numbered row -> its unnumbered rows ("Trong đó" parts)


_INDEXES: dict[tuple[str, str, str], _CatalogIndex] = {}


def _variants(row) -> list[frozenset[str]]:
    """The words of a catalog row's label (first), its aliases, and their abbreviated forms."""
    texts = [row.label, *row.aliases]
    variants = [label_words(text) for text in texts]
    return variants + [words for words in map(abbreviated_words, texts) if words]


def _index(catalog: Catalog) -> _CatalogIndex:
    cache_key = (catalog.id, catalog.version, catalog.path)
    index = _INDEXES.get(cache_key)
    if index is None or len(index.keys) != len(catalog.rows):
        keys = [stt_key(row.stt) for row in catalog.rows]
        words = [_variants(row) for row in catalog.rows]
        variant_row, variant_size, postings = [], [], {}
        for j, variants in enumerate(words):
            for variant in variants:
                for word in variant:
                    postings.setdefault(word, []).append(len(variant_row))
                variant_row.append(j)
                variant_size.append(len(variant))
        numbered = [_is_numbered(key) for key in keys]
        block_of, parts, current = [], {}, -1
        for j, is_numbered in enumerate(numbered):
            current = j if is_numbered else current
            block_of.append(current)
            if not is_numbered:
                parts.setdefault(current, []).append(j)
        index = _CatalogIndex(keys, numbered, words, variant_row, variant_size, postings, block_of, parts)
        _INDEXES[cache_key] = index
    return index


def join_wrapped_labels(rows: list[FileRow], catalog: Catalog) -> list[FileRow]:
    """A label wrapped over two rows with its unit and figure on the second line (text pasted from
    Word or PDF) becomes one row, when the second line does not start with a capital and the halves
    together match a row of the form better than either half does (so a group heading and the
    unnumbered rows under it stay apart)."""
    index = None
    joined = rows
    for i in range(len(rows) - 1):
        head, tail = joined[i], joined[i + 1]
        if not (tail.r == head.r + 1 and not tail.stt and tail.label and not tail.label[0].isupper() and head.words
                and not head.unit and not _has_figure(head) and (tail.unit or _has_figure(tail))):
            continue  # a wrapped line goes on mid-sentence: not with a capital
        index = index or _index(catalog)
        tail_alone = _best_similarity(tail.words, index)
        if tail_alone >= 1 - WRAPPED_MARGIN:
            continue  # the line is a row of the form on its own (under a group heading)
        together = _best_similarity(head.words | tail.words, index)
        if together >= MIN_WRAPPED_SIMILARITY and together > max(tail_alone, _best_similarity(head.words, index)) + WRAPPED_MARGIN:
            if joined is rows:
                joined = list(rows)
            joined[i + 1] = replace(tail, stt=head.stt, stt_key=head.stt_key, label=f"{head.label} {tail.label}",
                                    words=head.words | tail.words)
            joined[i] = replace(head, stt="", stt_key="", label="", words=frozenset())
    return joined


def _best_similarity(words: frozenset[str], index: _CatalogIndex) -> float:
    return max(_similarities(FileRow(0, "", "", "", None, "", words=words), index).values(), default=0.0)


def _similarities(row: FileRow, index: _CatalogIndex) -> dict[int, float]:
    """Label similarity (Dice on folded words) of the row to each catalog row sharing a word; the
    row's abbreviated words are tried too."""
    best: dict[int, float] = {}
    postings = index.postings
    for words in (row.words, row.abbreviated) if row.abbreviated else (row.words,):
        shared = Counter(itertools.chain.from_iterable(postings[word] for word in words if word in postings))
        size = len(words)
        for variant, count in shared.items():
            j = index.variant_row[variant]
            similarity = 2 * count / (size + index.variant_size[variant])
            if similarity > best.get(j, 0.0):
                best[j] = similarity
    return best


def pair_score(similarity: float, file_key: str, file_numbered: bool, key: str, numbered: bool) -> float | None:
    both_numbered = file_numbered and numbered
    same = both_numbered and file_key == key
    if similarity < (MIN_LABEL_SIMILARITY_SAME_STT if same else MIN_LABEL_SIMILARITY):
        return None
    # An inexact label costs as much as it misses: a chain of near misses (every row shifted one
    # place onto its neighbour's similar label) never outweighs the exact matches it displaces.
    score = similarity - INEXACT_LABEL_COST * (1 - similarity)
    if same:
        score += STT_AGREES_BONUS
    elif both_numbered:
        score -= STT_DIFFERS_PENALTY
    elif file_key == key == "trongdo":
        score += TRONG_DO_BONUS
    elif file_numbered and not numbered:
        score -= NUMBERED_ON_PART_PENALTY
    return score if score > 0 else None


# Files filled from one province template have the same rows: align each layout once per process.
_ALIGNMENTS: dict[tuple, tuple[dict[int, int], float]] = {}
_MAX_ALIGNMENTS = 512


def align(rows: Sequence[FileRow], catalog: Catalog) -> Alignment:
    """The heaviest chain of (file row, catalog row) pairs increasing in both orders (memoised:
    it depends only on the rows' STT keys and label words)."""
    key = (catalog.id, catalog.version, catalog.path,
           tuple((row.stt_key, row.words, row.abbreviated, row.hidden) for row in rows))
    cached = _ALIGNMENTS.get(key)
    if cached is None:
        alignment = _align(rows, catalog)
        if len(_ALIGNMENTS) >= _MAX_ALIGNMENTS:
            _ALIGNMENTS.clear()
        _ALIGNMENTS[key] = (dict(alignment.pairs), alignment.score)
        return alignment
    return Alignment(catalog, dict(cached[0]), cached[1])


def _align(rows: Sequence[FileRow], catalog: Catalog) -> Alignment:
    index = _index(catalog)
    m = len(catalog.rows)
    # Fenwick tree over catalog positions holding the best chain ending at or before j.
    tree_value = [0.0] * (m + 1)
    tree_pair: list[int] = [-1] * (m + 1)
    pairs: list[tuple[int, int, float, int]] = []  # (i, j, total, previous pair)

    def best_before(j: int) -> tuple[float, int]:
        value, pair = 0.0, -1
        while j > 0:
            if tree_value[j] > value:
                value, pair = tree_value[j], tree_pair[j]
            j -= j & -j
        return value, pair

    def record(j: int, value: float, pair: int) -> None:
        j += 1
        while j <= m:
            if value > tree_value[j]:
                tree_value[j], tree_pair[j] = value, pair
            j += j & -j

    in_block: dict[int, dict[int, tuple[float, int]]] = {}  # block -> catalog row -> best (total, pair) so far
    for i, row in enumerate(rows):
        file_numbered = _is_numbered(row.stt_key)
        found = []
        for j, similarity in _similarities(row, index).items():
            if similarity < MIN_LABEL_SIMILARITY_SAME_STT:
                continue
            score = pair_score(similarity, row.stt_key, file_numbered, index.keys[j], index.numbered[j])
            if score is not None and row.hidden:
                score = score - HIDDEN_ROW_PENALTY if score > HIDDEN_ROW_PENALTY else None
            if score is not None:
                score -= LATER_ROW_COST * j
                value, previous = best_before(j)
                if not index.numbered[j]:
                    for earlier, (total, pair) in in_block.get(index.block_of[j], {}).items():
                        if earlier < j and total + SAME_BLOCK_BONUS > value:
                            value, previous = total + SAME_BLOCK_BONUS, pair
                found.append((j, value + score, previous))
        for j, total, previous in found:  # recorded after the whole row: one catalog row per file row
            pairs.append((i, j, total, previous))
            record(j, total, len(pairs) - 1)
            block = in_block.setdefault(index.block_of[j], {})
            if total > block.get(j, (-1.0, -1))[0]:
                block[j] = (total, len(pairs) - 1)
    _, last = best_before(m)
    chain: dict[int, int] = {}
    while last >= 0:
        i, j, _, last = pairs[last]
        chain[i] = j
    _place_moved_rows(rows, index, chain)
    return Alignment(catalog, chain, _recognition_score(rows, catalog, chain))


def _place_moved_rows(rows: Sequence[FileRow], index: _CatalogIndex, chain: dict[int, int]) -> None:
    """A row moved out of order keeps its place when its STT and label both match one free row
    (also when the chain had put it on a neighbouring row with another STT and a similar label);
    the unnumbered rows right under it ("Trong đó" parts) follow it when they match the free rows
    under that catalog row, in order."""
    used = set(chain.values())
    for i, row in enumerate(rows):
        if not _is_numbered(row.stt_key) or (i in chain and index.keys[chain[i]] == row.stt_key):
            continue
        matches = [j for j, key in enumerate(index.keys) if key == row.stt_key and j not in used
                   and _label_fit(row, index, j) >= MOVED_ROW_SIMILARITY]
        if len(matches) != 1 or (i in chain and _label_fit(row, index, matches[0]) < _label_fit(row, index, chain[i])):
            continue
        if i in chain:  # chained onto a neighbour's similar label: its own row is free
            used.discard(chain[i])
        chain[i] = j = matches[0]
        used.add(j)
        for below in range(i + 1, len(rows)):
            j += 1
            part = rows[below]
            if (below in chain or _is_numbered(part.stt_key) or j >= len(index.keys) or j in used
                    or index.numbered[j] or not _close_label(part, index, j)):
                break
            chain[below] = j
            used.add(j)
    _place_swapped_parts(rows, index, chain, used)
    _uncross_parts(rows, index, chain)


def _place_swapped_parts(rows: Sequence[FileRow], index: _CatalogIndex, chain: dict[int, int], used: set[int]) -> None:
    """"Trong đó" parts typed in another order (1.1.b above 1.1.a): a part left out of the chain
    takes the one free row of the same block whose label it has."""
    above = None  # catalog row of the nearest placed file row above
    for i, row in enumerate(rows):
        if i in chain:
            above = chain[i]
            continue
        if above is None or _is_numbered(row.stt_key) or not row.words or row.hidden:
            continue
        matches = [j for j in index.parts.get(index.block_of[above], ()) if j not in used and _close_label(row, index, j)]
        if len(matches) == 1:
            chain[i] = matches[0]
            used.add(matches[0])


def _uncross_parts(rows: Sequence[FileRow], index: _CatalogIndex, chain: dict[int, int]) -> None:
    """Two neighbouring rows of one block typed in the other order can be chained crosswise, each on
    the other's row, when both labels are alike ("... mức độ 3" and "... mức độ 3 có phát sinh hồ
    sơ"): they are swapped back when each fits the other's place clearly better."""
    placed = sorted(chain)
    for first, second in zip(placed, placed[1:]):
        j, k = chain[first], chain[second]
        if index.block_of[j] != index.block_of[k] or index.numbered[j] or index.numbered[k]:
            continue
        kept = _label_fit(rows[first], index, j) + _label_fit(rows[second], index, k)
        if kept > 1.9:
            continue  # both fit their rows: nothing to gain
        swapped = _label_fit(rows[first], index, k) + _label_fit(rows[second], index, j)
        if swapped > kept + 0.1:
            chain[first], chain[second] = k, j


def _label_fit(row: FileRow, index: _CatalogIndex, j: int) -> float:
    return max(label_similarity(mine, words) for mine in (row.words, row.abbreviated) for words in index.words[j])


def _close_label(row: FileRow, index: _CatalogIndex, j: int) -> bool:
    return _label_fit(row, index, j) >= 0.9


def _recognition_score(rows: Sequence[FileRow], catalog: Catalog, chain: dict[int, int]) -> float:
    labelled = sum(1 for row in rows if row.words)
    if not labelled or not catalog.rows:
        return 0.0
    placed = len(chain) / labelled
    covered = len(chain) / len(catalog.rows)
    return 2 * placed * covered / (placed + covered) if placed + covered else 0.0


# ---------------------------------------------------------------------------------------------
# Figures and findings


def _fill(submission: Submission, table: Table, rows: list[FileRow], alignment: Alignment) -> None:
    catalog = alignment.catalog
    grid = table.grid
    matched = set()
    in_notes = False  # numbered lines under a "Ghi chú:" line are remarks, not rows of the form
    for i, row in enumerate(rows):
        j = alignment.pairs.get(i)
        if j is None:
            in_notes = in_notes or _is_notes_heading(row)
            if _looks_like_data(row) and not row.hidden and not (in_notes and not _has_figure(row)):
                submission.findings.append(findings.make(
                    "unknown-row", (), grid.address(row.r, table.label), value=_row_text(row),
                    stt=row.stt, label=row.label, catalog=catalog.name))
            continue
        in_notes = False
        catalog_row = catalog.rows[j]
        matched.add(catalog_row.id)
        if catalog_row.is_heading:
            value, _ = parse_figure(row.raw, _COUNT_ROW)
            if value is not None or (isinstance(row.raw, str) and fold(row.raw) not in _NOT_WRITTEN):
                submission.findings.append(findings.make(
                    "figure-on-group", (catalog_row.id,), grid.address(row.r, table.value), value=row.raw,
                    stt=_shown_stt(catalog_row, row.stt), label=catalog_row.label, catalog=catalog.name))
            continue
        if not (catalog_row.takes_figure or catalog_row.kind == "text"):
            continue
        column = _figure_column(table, row.r, catalog_row)
        raw = _add_figure(submission, grid, catalog_row, row.r, column, row.note, row.unit, row.stt)
        if table.note is not None and catalog_row.takes_figure and _is_blank(raw):
            _warn_figure_in_note(submission, table, row, catalog_row)
    for catalog_row in catalog.rows:
        if catalog_row.takes_figure and catalog_row.id not in matched:
            submission.findings.append(findings.make(
                "row-missing", (catalog_row.id,), None, stt=_shown_stt(catalog_row), label=catalog_row.label,
                catalog=catalog.name))
    _warn_orphan_parts(submission, table, rows, alignment, matched)


def _warn_orphan_parts(submission: Submission, table: Table, rows: list[FileRow], alignment: Alignment,
                       matched: set[str]) -> None:
    """"Trong đó" rows whose parent row was deleted, with the same label as the parts of another
    block whose parent is missing too (3.4.1.a and 3.4.2.a): only their position placed them, so
    the person is told where they went."""
    catalog = alignment.catalog
    index = _index(catalog)
    placed = set(alignment.pairs.values())
    blocks: dict[int, list[tuple[int, int]]] = {}
    for i, j in sorted(alignment.pairs.items()):
        parent = index.block_of[j]
        if not index.numbered[j] and parent >= 0 and catalog.rows[parent].id not in matched:
            blocks.setdefault(parent, []).append((i, j))
    for parent, parts in blocks.items():
        for other in sorted(index.parts):
            if other == parent or catalog.rows[other].id in matched:
                continue
            free = [k for k in index.parts[other] if k not in placed]
            if all(any(label_similarity(rows[i].words, index.words[k][0]) >= 0.99 for k in free) for i, _ in parts):
                i, j = parts[0]
                submission.findings.append(findings.make(
                    "parts-without-parent", (catalog.rows[j].id,), table.grid.address(rows[i].r, table.label),
                    value=rows[i].label, stt=_shown_stt(catalog.rows[parent]), label=catalog.rows[parent].label,
                    other=f"{_shown_stt(catalog.rows[other])} «{catalog.rows[other].label}»"))
                break


def _warn_figure_in_note(submission: Submission, table: Table, row: FileRow, catalog_row) -> None:
    """An empty figure cell with a bare number in the note column: typed one column too far."""
    note = table.grid.value(row.r, table.note)
    if isinstance(note, bool) or not isinstance(note, (int, float, str)):
        return
    value, problem = parse_figure(note, catalog_row)
    if value is not None and problem is None:
        submission.findings.append(findings.make(
            "figure-in-note", (catalog_row.id,), table.grid.address(row.r, table.note), value=note,
            stt=_shown_stt(catalog_row, row.stt), label=catalog_row.label))


def _figure_column(table: Table, r: int, row) -> int:
    """The figure column; for a percent row left empty there, the table's percent column."""
    if row.kind == "percent" and table.percent is not None and _is_blank(table.grid.value(r, table.value)):
        return table.percent
    return table.value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and fold(value) in _NOT_WRITTEN)


def _shown_stt(row, file_stt: str = "") -> str:
    """The STT a person sees for a row; unnumbered rows ("Trong đó" blocks) show their id."""
    if row.stt and fold(row.stt) != "trong do":
        return row.stt
    return file_stt if _is_numbered(stt_key(file_stt)) else row.id


class _CountRow:
    kind = "count"
    codes = None


_COUNT_ROW = _CountRow()


def _add_figure(submission: Submission, grid: Grid, row, r: int, c: int, note: str, unit: str | None,
                file_stt: str) -> Any:
    """Record the row's figure from cell (r, c) with what is wrong with it; the cell's value."""
    raw = grid.value(r, c)
    cell = grid.address(r, c)
    if row.kind == "text":
        submission.figures[row.id] = Figure(row.id, cell, raw, None, note, unit)
        return raw
    shows_percent = _shows_percent(grid, r, c, row, raw)
    value, problem = parse_figure(raw, row, percent_format=shows_percent)
    submission.figures[row.id] = Figure(row.id, cell, raw, value, note, unit)
    if row.kind == "percent" and value is not None and 0 < value < 1 and not shows_percent and "%" not in str(raw):
        # 0,95 in a General cell: 0,95 % as written, but perhaps meant as 95 %. Kept as written.
        submission.findings.append(findings.make(
            "percent-fraction", (row.id,), cell, value=value, expected=tidy(value * 100),
            stt=_shown_stt(row, file_stt), label=row.label))
    if problem:
        legend = ", ".join(f"{meaning} = {code}" for code, meaning in sorted((row.codes or {}).items()))
        submission.findings.append(findings.make(
            problem, (row.id,), cell, value=_shown_raw(raw), stt=_shown_stt(row, file_stt), label=row.label,
            legend=legend, catalog=submission.catalog.name))
    if unit and _unit_differs(unit, row.unit):
        submission.findings.append(findings.make(
            "unit-differs", (row.id,), _unit_cell(grid, r, c, unit),
            value=unit, expected=row.unit, stt=_shown_stt(row, file_stt), label=row.label,
            catalog=submission.catalog.name))
    return raw


def _shown_raw(raw: Any) -> Any:
    """A cell value as the person sees it in Excel (dates day/month/year, TRUE/FALSE)."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, _dt.datetime) and (raw.hour, raw.minute, raw.second) != (0, 0, 0):
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, _dt.date):
        return raw.strftime("%d/%m/%Y")
    return raw


def _unit_cell(grid: Grid, r: int, value_col: int, unit: str) -> str:
    """The address of the unit cell a person typed (a sheet cell, or a Word table's row and column)."""
    for c in range(max(0, value_col - 3), value_col + 1):
        if _text(grid.value(r, c)) == unit:
            return grid.address(r, c)
    return grid.address(r, value_col)


def _shows_percent(grid: Grid, r: int, c: int, row, raw: Any) -> bool:
    if row.kind != "percent":
        return False
    if grid.formats_known:
        return (r, c) in grid.percent_cells
    # Formats unknown (.xls, an open workbook): a fraction strictly between 0 and 1 on a percent
    # row is taken as a percent-formatted cell (0,5 shown as 50%). A real 0,5 % is read as 50.
    return isinstance(raw, float) and 0 < raw < 1


def _unit_differs(found: str, expected: str) -> bool:
    if len(found) > _CACHED_TEXT_LENGTH:
        return _unit_words_differ(found, expected)
    return _unit_differs_cached(found, expected)


@lru_cache(maxsize=4096)
def _unit_differs_cached(found: str, expected: str) -> bool:
    return _unit_words_differ(found, expected)


def _unit_words_differ(found: str, expected: str) -> bool:
    found_words = sorted(_WORD.findall(fold(found)))
    if fold(found) in _NOT_WRITTEN or not found_words:
        return False
    return found_words != sorted(_WORD.findall(fold(expected)))


def _looks_like_data(row: FileRow) -> bool:
    """Rows worth a warning: a figure, or a numbered label; a lone text line is a wrapped label."""
    return _has_figure(row) or (_is_numbered(row.stt_key) and bool(row.label))


def _has_figure(row: FileRow) -> bool:
    return row.raw is not None and not (isinstance(row.raw, str) and fold(row.raw) in _NOT_WRITTEN)


def _is_notes_heading(row: FileRow) -> bool:
    return fold(row.label or row.stt).startswith(("ghi chu", "chu thich", "luu y")) and not _has_figure(row)


def _row_text(row: FileRow) -> str:
    return " ".join(part for part in (row.stt, row.label) if part) or _text(row.raw)


# ---------------------------------------------------------------------------------------------
# Unit and period


_LEVELS = ("thị trấn", "thị xã", "thành phố", "xã", "phường", "huyện", "quận", "tỉnh")
_UNIT_IN_TITLE = re.compile(
    r"(?:của\s+)?(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(" + "|".join(_LEVELS) + r")\s+"
    r"([^()\n,;]+?)\s*(?:\)|$|,|;|\s+(?:ngày|năm|quý|qúy)\s+(?:\d|[IVX]+\b)|\s+(?:về|tỉnh|huyện)\s)", re.IGNORECASE)
_OFFICE_IN_TITLE = re.compile(r"của\s+((?:Phòng|Văn phòng|Ban|Sở|Trung tâm)\s+[^()\n,;]+?)\s*(?:\)|$|,|;)", re.IGNORECASE)


def _unit_and_period(table: Table, path: Path) -> tuple[str, str | None, str]:
    lines = _title_lines(table)
    unit = next((found for line in lines if (found := unit_from_text(line))), "")
    if not unit:
        unit = _unit_from_national_header(table) or _unit_from_filename(path)
    period, period_text = None, ""
    for line in lines:
        period = periods.normalise(line)
        if period:
            period_text = line
            break
    if period is None:
        period, period_text = next(((found, line) for line in lines if (found := period_from_dates(line))), (None, ""))
    if period is None:
        period = periods.from_filename(path.name)
        period_text = path.name if period else ""
    return unit, period, period_text


_DATE_RANGE = re.compile(r"tu\s+(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:den|-)\s*(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})")
# The month a reporting period ends in, for a period counted from the start of the year (cut-off
# 15/12 of the year before, or 1/1) and for a single quarter.
_CUMULATIVE_ENDS = {3: "Q1", 6: "6M", 9: "9M", 12: "Y"}
_QUARTER_ENDS = {6: "Q2", 9: "Q3", 12: "Q4"}


def period_from_dates(text: str) -> str | None:
    """'Số liệu từ ngày 15/12/2023 đến ngày 14/3/2024' -> '2024-Q1' (the national reporting calendar)."""
    match = _DATE_RANGE.search(fold(text))
    if not match:
        return None
    start_day, start_month, start_year, _, end_month, end_year = map(int, match.groups())
    if not (1 <= start_month <= 12 and 1 <= end_month <= 12 and 1 <= start_day <= 31):
        return None
    from_year_start = (start_month == 12 and start_year == end_year - 1) or (start_month == 1 and start_year == end_year)
    if from_year_start:
        part = _CUMULATIVE_ENDS.get(end_month)
    elif start_year == end_year and end_month - start_month in (2, 3):
        part = _QUARTER_ENDS.get(end_month)
    else:
        part = None
    return f"{end_year}-{part}" if part else None


def _title_lines(table: Table) -> list[str]:
    lines = []
    for r in range(table.title_from, table.header_row):
        for value in table.grid.rows[r]:
            if isinstance(value, str) and value.strip():
                lines.append(" ".join(value.split()))
    return lines


def unit_from_text(text: str) -> str:
    """'... của UBND xã Bình Yên)' -> 'UBND xã Bình Yên'; 'CỦA UBND THỊ TRẤN BÚT SƠN' -> 'UBND thị trấn Bút Sơn'."""
    match = _UNIT_IN_TITLE.search(text)
    if match:
        return f"UBND {match.group(2).lower()} {_tidy_name(match.group(3))}"
    match = _OFFICE_IN_TITLE.search(text)
    if match:
        return _tidy_name(match.group(1)) if match.group(1).isupper() else match.group(1).strip()
    return ""


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" .:-")
    return name.title() if name.isupper() else name


def _unit_from_national_header(table: Table) -> str:
    """'ỦY BAN NHÂN DÂN' with 'XÃ BÌNH YÊN' in the cell below it -> 'UBND xã Bình Yên'."""
    rows = table.grid.rows
    for r in range(min(table.header_row, len(rows) - 1)):
        for c, value in enumerate(rows[r]):
            if not (isinstance(value, str) and fold(value) in ("uy ban nhan dan", "ubnd")):
                continue
            below = table.grid.value(r + 1, c)
            if not isinstance(below, str):
                continue
            below = " ".join(below.split())
            for level in _LEVELS:
                if fold(below).startswith(fold(level) + " "):
                    return f"UBND {level} {_tidy_name(below[len(level):])}"
    return ""


_FILENAME_NOISE = {"pl", "phu", "luc", "phuluc", "bc", "baocao", "bao", "cao", "cchc", "bieu", "mau", "quy", "q",
                   "nam", "thang", "t", "dau", "i", "ii", "iii", "iv", "final", "ban", "chinh", "sua", "copy"}
_FILENAME_LEVELS = {"xa": "xã", "phuong": "phường", "thitran": "thị trấn", "tt": "thị trấn", "huyen": "huyện",
                    "thixa": "thị xã", "tx": "thị xã", "quan": "quận", "thanhpho": "thành phố", "tp": "thành phố"}


def _unit_from_filename(path: Path) -> str:
    """'PL_Quy1_2024_XaBinhYen.xlsx' -> 'UBND xã Binh Yen' (no diacritics to restore); else the stem."""
    stem = path.stem
    spaced = re.sub(r"(?<=[a-zà-ỹđ])(?=[A-ZÀ-ỸĐ])", " ", stem)
    words = [w for w in re.split(r"[\s_\-.]+|(?<=\D)(?=\d)|(?<=\d)(?=\D)", spaced) if w]
    kept = [w for w in words if not w.isdigit() and fold(w) not in _FILENAME_NOISE]
    if not kept:
        return stem
    for size in (2, 1):
        head = fold("".join(kept[:size])).replace(" ", "")
        if head in _FILENAME_LEVELS and len(kept) > size:
            return f"UBND {_FILENAME_LEVELS[head]} {' '.join(kept[size:])}"
    return " ".join(kept)
