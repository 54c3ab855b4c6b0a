"""The tables of a Word report (.docx) as grids, so the workbook reader finds the Phụ lục in them.

Many offices type the Phụ lục as a Word table at the end of their report. The package's
word/document.xml is read as a stream (w:tbl > w:tr > w:tc > w:p > w:r > w:t) after safezip has
checked the zip (sizes, ratios, DOCTYPE); every element is dropped once read, so memory stays
bounded by one table row.

- A cell's paragraphs are joined with "\\n"; w:tab reads as a space, w:br and w:cr as a line
  break; text boxes, drawings and deleted text are left out, and so are what Word does not show
  once changes are accepted or prints: the old place of text moved with tracked changes
  (w:moveFrom: its w:t would read "77348" for a "348" moved), text in a w:del, and hidden text
  (a run marked w:vanish, Font > Hidden). A table nested in a cell adds its paragraphs to that
  cell's text.
- w:gridSpan (cells merged across) and w:vMerge restart/continue (cells merged down) become the
  grid's merged ranges, the text in the top-left cell, so a two-level header ("Kết quả" over
  "Đơn vị tính | Số liệu") and "Trong đó" merged down the STT column read as in Excel.
- A table split across pages as several w:tbl elements (the header typed again on each page)
  is one grid: the next table continues the previous one when only a few paragraphs stand
  between them and it has the same columns or starts with the same header row, or lost one or two
  columns (Ghi chú deleted on the later pages: its other columns keep their widths, which place them, or,
  the table fitted to the page again, what they hold). The reader
  skips the repeated header rows.
- The title lines above the table ("PHỤ LỤC SỐ II", "BÁO CÁO ... QUÝ I NĂM 2024", "(Kèm theo
  Báo cáo số ... của UBND xã Bình Yên)") come before it in the grid as one-cell rows: the
  paragraphs since the last "Phụ lục"/"Biểu" heading or page break, at most MAX_TITLE_LINES.
  The narrative above them is left out: its "của UBND huyện ..." and dates ("ngày 15 tháng 3
  năm 2024") would be taken for the unit and the period. The issuing body of the national
  header ("ỦY BAN NHÂN DÂN / XÃ BÌNH YÊN") follows them, for reports whose titles name no unit; its
  place and date line ("Bình Yên, ngày 15 tháng 3 năm 2025") dates a title naming its quarter alone.

A Word table has no A1 addresses: each grid gets its `word_rows` (grid row -> table as Word
numbers it (Document.Tables, Go To > Bảng), row in that table), so findings name the table, its row
and (from the header the reader finds) its column: "Bảng 2, dòng 12, cột Số liệu".

The page header and footer parts (word/header1.xml, footer1.xml: Insert > Header), where some offices
write the unit and the period, are each grid's `page_header`, a line for each paragraph.

The running text (the body paragraphs outside tables: the narrative of the report) comes with
the grids, for the check of the figures it states against the Phụ lục (narrative.py).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET

from ..grid import (MAX_CELL_CHARS, MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEET_CELLS, Grid, ReadError, Workbook, page_lines,
                    says_continued)
from ..periods import fold, place_and_date
from .messages import word_corrupt

DOCUMENT_PART = "word/document.xml"

# Title paragraphs kept above a table, and paragraphs allowed between two parts of a split table.
MAX_TITLE_LINES = 8
MAX_CONTINUATION_GAP = 2
# The running text kept for the check of the narrative against the Phụ lục: a report runs to some
# 40,000 characters; a hostile document is cut here.
MAX_NARRATIVE_CHARS = 1_000_000
# A long report's document part is some 100,000 elements (Word writes a run's properties as several);
# a hostile one of millions (each read, then let go) stops here, as past MAX_SHEET_CELLS cells.
MAX_DOCUMENT_ELEMENTS = 500_000
_TITLE_HEADINGS = ("phu luc", "bieu")
_NATIONAL_HEADER = "cong hoa xa hoi chu nghia"
_ISSUER_STARTS = ("uy ban nhan dan", "ubnd")
_NATIONAL_HEADER_ROWS = 6  # a national header table is a row or two; its date line is looked for in no larger one

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"  # Word's "Strict Open XML" save option
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Content that is not the document's running text: text boxes, drawings, embedded objects, text
# deleted or moved away with tracked changes.
_SKIPPED = {f"{_MC}AlternateContent", f"{_W}drawing", f"{_W}pict", f"{_W}object", f"{_W}txbxContent",
            f"{_W}del", f"{_W}moveFrom"}
_RUN_TEXT = {f"{_W}tab": " ", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-", f"{_W}softHyphen": ""}


@dataclass
class _Cell:
    col: int
    span: int = 1
    vmerge: str | None = None  # "restart", "continue" or None
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs).strip()[:MAX_CELL_CHARS]


@dataclass
class _Paragraph:
    text: str
    new_page: bool  # starts a page or a section


@dataclass
class _Table:
    number: int  # 1-based, as Word's Document.Tables counts top-level tables
    gap: list[_Paragraph]  # body paragraphs between the previous table and this one
    rows: list[list[_Cell]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # w:tblGrid's columns, their widths in twentieths of a point
    cut: bool = False  # rows past the limit were left out
    # A part continuing a table split across pages that lost a column or two: the column of the first
    # part each of its columns is, else None.
    column_map: list[int] | None = None

    def first_row_text(self) -> tuple[str, ...]:
        return tuple(fold(cell.text) for cell in self.rows[0]) if self.rows else ()

    def text(self) -> str:
        return " ".join(fold(cell.text) for row in self.rows for cell in row)


# ---------------------------------------------------------------------------------------------
# Entry point


def load_docx(path: Path, parts: dict[str, bytes]) -> Workbook:
    """The tables of a Word package whose parts safezip has inflated and checked, as grids."""
    body = parts.get(DOCUMENT_PART)
    if body is None:
        raise word_corrupt(path)
    try:
        tables, stopped, narrative = _parse(body)
    except ReadError:
        raise
    except Exception:
        raise word_corrupt(path) from None
    grids, notes, issuer = _grids(tables)
    page_header = _page_header(path, parts)
    for grid in grids:
        grid.page_header = page_header
    dated = next((line for table in tables if len(table.rows) <= _NATIONAL_HEADER_ROWS and _is_national_header(table)
                  for row in table.rows for cell in row for line in cell.text.split("\n") if place_and_date(line)), "")
    if not grids:
        notes.append("tệp Word không có bảng nào: bảng Phụ lục phải là một bảng Word (Chèn > Bảng) "
                     "có dòng tiêu đề STT | Chỉ tiêu | Đơn vị tính | Số liệu, hoặc gửi bảng dạng Excel")
    if stopped:
        notes.append(f"Văn bản quá lớn: chỉ đọc phần đầu (nhiều nhất {MAX_SHEET_CELLS:,} ô bảng và đoạn văn)"
                     .replace(",", "."))
    return Workbook(str(path), grids, {}, notes, paragraphs=narrative, issuer=issuer, dated=dated,
                    page_header=page_header)


# The page header and footer parts (Insert > Header): Word writes one to three of each per section.
_PAGE_PART = re.compile(r"word/(header|footer)\d*\.xml")
MAX_PAGE_PARTS, MAX_PAGE_PART_ELEMENTS, MAX_PAGE_HEADER_CHARS = 12, 20_000, 1000


def _page_header(path: Path, parts: dict[str, bytes]) -> str:
    """The text of the printed page's headers and footers, a line for each paragraph or table cell
    paragraph ("UBND XÃ BÌNH YÊN", "Báo cáo CCHC quý II năm 2024"): where some offices write the unit
    and the period the Phụ lục's title leaves out. Headers come before footers."""
    names = sorted((name for name in parts if _PAGE_PART.fullmatch(name)),
                   key=lambda name: (not name.startswith("word/header"), name))
    lines: list[str] = []
    for name in names[:MAX_PAGE_PARTS]:
        try:
            tables, _, paragraphs = _parse(parts[name], MAX_PAGE_PART_ELEMENTS)
        except Exception:
            raise word_corrupt(path) from None
        lines += paragraphs + [text for table in tables for row in table.rows for cell in row for text in cell.paragraphs]
    return page_lines(lines)[:MAX_PAGE_HEADER_CHARS]


# ---------------------------------------------------------------------------------------------
# Reading word/document.xml as a stream


def _parse(body: bytes, max_elements: int = MAX_DOCUMENT_ELEMENTS) -> tuple[list[_Table], bool, list[str]]:
    """Top-level tables with the body paragraphs before each; True when the work limit stopped it;
    the running text: every body paragraph that is not in a table, at most MAX_NARRATIVE_CHARS."""
    tables: list[_Table] = []
    narrative: list[str] = []
    narrative_chars = 0
    gap: list[_Paragraph] = []
    stack: list[Any] = []
    depth = 0  # open w:tbl elements
    skipping = 0  # open elements of _SKIPPED
    table: _Table | None = None
    row: list[_Cell] | None = None
    cell: _Cell | None = None
    column = 0
    pieces: list[str] | None = None  # text of the open paragraph
    room = 0  # characters the open paragraph may still take: what an Excel cell, or the running text, holds
    hidden_run = None  # the open w:r when its properties hide it (w:vanish)
    new_page = section_ended = False
    work = 0
    for count, (event, element) in enumerate(SafeET.iterparse(io.BytesIO(body), events=("start", "end"), forbid_dtd=True)):
        if work > MAX_SHEET_CELLS or count >= 2 * max_elements:  # two events an element
            if table is not None and table.rows:
                tables.append(table)
            return tables, True, narrative
        tag = _tag(element)
        if event == "start":
            stack.append(element)
            if tag in _SKIPPED:
                skipping += 1
            if skipping:
                continue
            if tag == f"{_W}tbl":
                depth += 1
                if depth == 1:
                    if section_ended:  # the table opens a new section: nothing above titles it
                        gap.append(_Paragraph("", True))
                        section_ended = False
                    table = _Table(len(tables) + 1, gap)
                    gap = []
            elif depth == 1 and tag == f"{_W}tr":
                row, column = [], 0
            elif depth == 1 and tag == f"{_W}tc":
                cell = _Cell(column)
            elif tag == f"{_W}p":
                pieces, room = [], MAX_NARRATIVE_CHARS if depth == 0 else MAX_CELL_CHARS
                if depth == 0:
                    new_page, section_ended = section_ended, False
            continue
        stack.pop()
        if stack:
            stack[-1].remove(element)  # keep memory to the open elements
        if tag in _SKIPPED:
            skipping -= 1
            continue
        if skipping:
            continue
        parent = _tag(stack[-1]) if stack else ""
        if stack and stack[-1] is hidden_run:
            continue
        if tag == f"{_W}t" and pieces is not None:
            pieces.append((element.text or "")[:room])  # a paragraph of millions of words is cut
            room -= len(pieces[-1])
        elif tag == f"{_W}vanish" and parent == f"{_W}rPr" and len(stack) > 1 and _on(element):
            if _tag(stack[-2]) == f"{_W}r":  # not the paragraph mark's properties (w:pPr/w:rPr)
                hidden_run = stack[-2]
        elif tag in _RUN_TEXT and parent == f"{_W}r" and pieces is not None:
            pieces.append(_RUN_TEXT[tag])
        elif tag == f"{_W}br" and parent == f"{_W}r" and pieces is not None:
            if _attribute(element, "type") == "page" and depth == 0:
                pieces.clear()  # the text before the break belongs to the page before
                room = MAX_NARRATIVE_CHARS
                new_page = True
            else:
                pieces.append("\n")
        elif tag == f"{_W}pageBreakBefore" and _on(element):
            new_page = True
        elif tag == f"{_W}sectPr" and parent == f"{_W}pPr":
            section_ended = True
        elif tag == f"{_W}p" and pieces is not None:
            text = "".join(pieces)
            pieces = None
            work += 1
            if depth == 0:
                gap.append(_Paragraph(" ".join(text.split()), new_page))
                if gap[-1].text and narrative_chars < MAX_NARRATIVE_CHARS:
                    narrative.append(gap[-1].text[:MAX_NARRATIVE_CHARS - narrative_chars])
                    narrative_chars += len(narrative[-1])
            elif cell is not None:
                cell.paragraphs.append(text)
        elif depth != 1:
            if tag == f"{_W}tbl":
                depth -= 1
        elif tag == f"{_W}gridCol" and table is not None and len(table.widths) < MAX_GRID_COLS:
            table.widths.append(_width(_attribute(element, "w")))
        elif tag == f"{_W}gridBefore" and row is not None:
            column += _number(_attribute(element, "val"), 0)
        elif tag == f"{_W}gridSpan" and cell is not None:
            cell.span = _number(_attribute(element, "val"), 1)
        elif tag == f"{_W}vMerge" and cell is not None:
            cell.vmerge = "restart" if _attribute(element, "val") == "restart" else "continue"
        elif tag == f"{_W}tc" and cell is not None and row is not None:
            row.append(cell)
            column += cell.span
            cell = None
            work += 1
        elif tag == f"{_W}tr" and row is not None and table is not None:
            if len(table.rows) < MAX_GRID_ROWS:
                table.rows.append(row)
            else:
                table.cut = True
            row = None
        elif tag == f"{_W}tbl" and table is not None:
            tables.append(table)
            table = None
            depth = 0
    return tables, False, narrative


def _tag(element) -> str:
    """The element's tag, Strict Open XML's namespace read as the usual one."""
    tag = element.tag
    return _W + tag[len(_W_STRICT):] if tag.startswith(_W_STRICT) else tag


def _attribute(element, name: str, default: str | None = None) -> str | None:
    return element.get(f"{_W}{name}", element.get(f"{_W_STRICT}{name}", default))


def _on(element) -> bool:
    """A w:ST_OnOff property: present means on unless its value says off."""
    return _attribute(element, "val", "1") not in ("0", "false", "off")


def _width(text: str | None) -> int:
    """A column's width in twentieths of a point; 0 when not written so ("2.5in" in Strict Open XML)."""
    return int(text) if text and text.isdigit() and len(text) <= 6 else 0


def _number(text: str | None, default: int) -> int:
    try:
        return max(1 if default else 0, min(int(text or ""), MAX_GRID_COLS))
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------------
# Tables -> grids


def _grids(tables: list[_Table]) -> tuple[list[Grid], list[str], str]:
    """The grids, the notes on what was cut, and the issuing body of the first national header."""
    grids, notes = [], []
    issuer = first_issuer = ""
    for group in _groups(tables):
        first = group[0]
        if _is_national_header(first):
            issuer = _issuer(first) or issuer
            first_issuer = first_issuer or issuer
            continue
        name = f"Bảng {first.number}" if len(group) == 1 else f"Bảng {first.number}-{group[-1].number}"
        grid = _grid(name, _title_lines(first.gap), issuer, group)
        grids.append(grid)
        if any(table.cut for table in group) or len(grid.rows) >= MAX_GRID_ROWS:
            notes.append(f"«{name}» có hơn {MAX_GRID_ROWS:,} dòng; chỉ đọc {MAX_GRID_ROWS:,} dòng đầu"
                         .replace(",", "."))
    return grids, notes, first_issuer


def _groups(tables: list[_Table]) -> list[list[_Table]]:
    """Consecutive tables joined when the later one continues the earlier (a table split by pages)."""
    groups: list[list[_Table]] = []
    for table in tables:
        if groups and _continues(groups[-1], table):
            groups[-1].append(table)
        else:
            groups.append([table])
    return groups


def _continues(group: list[_Table], table: _Table) -> bool:
    between = [paragraph.text for paragraph in table.gap if paragraph.text]
    if len(between) > MAX_CONTINUATION_GAP or any(fold(text).startswith(_TITLE_HEADINGS) and not says_continued(text)
                                                  for text in between):
        return False
    if _is_national_header(group[0]) or _is_national_header(table):
        return False
    same_header = bool(table.rows) and table.first_row_text() == group[0].first_row_text()
    if same_header or (table.widths and len(table.widths) == len(group[-1].widths)):
        return True
    table.column_map = _column_map(table.widths, group[0].widths) or _column_map_by_content(table, group[0])
    return table.column_map is not None


# A part of a split table may have lost this many columns (Ghi chú deleted on the later pages).
_MAX_LOST_COLUMNS, _MAX_MAPPED_COLUMNS = 2, 16


def _column_map(widths: list[int], first: list[int]) -> list[int] | None:
    """The columns of the first part each column of a later part is, told by their widths: Word keeps
    the widths of the other columns when one is deleted. Only the one way to leave out one or two of the
    first part's columns so that the rest are as wide as the later part's, in order (within 2 %); None
    when there is none or more than one (two columns of one width: which was lost cannot be told)."""
    lost = len(first) - len(widths)
    if not widths or not 0 < lost <= _MAX_LOST_COLUMNS or len(first) > _MAX_MAPPED_COLUMNS:
        return None
    ways = []
    for left_out in combinations(range(len(first)), lost):
        kept = [c for c in range(len(first)) if c not in left_out]
        if all(abs(width - first[c]) <= max(20, first[c] // 50) for width, c in zip(widths, kept)):
            ways.append(kept)
    return ways[0] if len(ways) == 1 else None


def _is_national_header(table: _Table) -> bool:
    return _NATIONAL_HEADER in table.text()[:2000]


def _issuer(table: _Table) -> str:
    """'ỦY BAN NHÂN DÂN\\nXÃ BÌNH YÊN' from the national header's cell naming the issuing body:
    its upper-case lines, without 'Số: .../BC-UBND' below them."""
    for row in table.rows:
        for cell in row:
            lines = [line.strip() for line in cell.text.split("\n")]
            if lines and fold(lines[0]).startswith(_ISSUER_STARTS):
                kept = []
                for line in lines:
                    if not line or line != line.upper():
                        break
                    kept.append(line)
                return "\n".join(kept)
    return ""


def _title_lines(gap: list[_Paragraph]) -> list[str]:
    """The paragraphs above a table that title it: from the last heading or page break on."""
    lines: list[str] = []
    after_break = False
    for paragraph in gap:
        after_break = after_break or paragraph.new_page
        if paragraph.text:
            if after_break or fold(paragraph.text).startswith(_TITLE_HEADINGS):
                lines = []
            lines.append(paragraph.text)
            after_break = False
    return [] if after_break else lines[-MAX_TITLE_LINES:]


def _grid(name: str, titles: list[str], issuer: str, group: list[_Table]) -> Grid:
    rows: list[list[Any]] = [[line] for line in titles]
    if issuer:
        rows.append([issuer])
    places: dict[int, tuple[int, int]] = {}
    merged: list[tuple[int, int, int, int]] = []
    for table in group:
        top = len(rows)
        open_down: dict[int, list[int]] = {}  # column -> [first row, last row, span] of a vertical merge
        for index, cells in enumerate(table.rows):
            r = top + index
            if r >= MAX_GRID_ROWS:
                break
            places[r] = (table.number, index + 1)
            values: list[Any] = []
            for cell in cells:
                if table.column_map is not None:
                    cell = _placed(cell, table.column_map)
                if cell.col >= MAX_GRID_COLS:
                    break
                values.extend([None] * (cell.col - len(values)))
                text = cell.text
                values.append(text or None)
                span = min(cell.span, MAX_GRID_COLS - cell.col)
                values.extend([None] * (span - 1))
                below = open_down.get(cell.col)
                if cell.vmerge == "continue" and below is not None and below[2] == span:
                    below[1] = r
                    continue
                if below is not None:
                    merged.append(_span(cell.col, below))
                    del open_down[cell.col]
                if cell.vmerge == "restart":
                    open_down[cell.col] = [r, r, span]
                elif span > 1:
                    merged.append((r, cell.col, r, cell.col + span - 1))
            rows.append(values)
        merged.extend(_span(col, below) for col, below in open_down.items())
    return Grid(name, rows[:MAX_GRID_ROWS], [m for m in merged if m[0] != m[2] or m[1] != m[3]], word_rows=places)


# What a column holds, as shares of its cells: empty, a figure, a short text (a unit, an STT), a long text.
_FIGURE_CHARACTERS = re.compile(r"^[\d\s.,%()+-]+$")
_SHORT_TEXT = 15
# The content of the later part's columns must fit one way of leaving columns out clearly better than
# any other (in shares of cells, summed over the columns), and fit it well.
_CONTENT_MARGIN, _CONTENT_FIT = 0.5, 0.75
_MAX_HEADER_ROWS = 3  # a Phụ lục's header is one to three rows


def _column_map_by_content(table: _Table, first: _Table) -> list[int] | None:
    """The columns of the first part each column of a later part is, told by what they hold, when their
    widths tell nothing (Word fitted the table to the page again): the one way to leave out one or two
    of the first part's columns whose kept columns hold what the later part's hold (figures under
    figures, units under units, labels under labels; a header typed again names its columns), clearly
    better than any other; None otherwise."""
    lost = len(first.widths) - len(table.widths)
    if not table.widths or not 0 < lost <= _MAX_LOST_COLUMNS or len(first.widths) > _MAX_MAPPED_COLUMNS:
        return None
    later, before = _column_kinds(table, len(table.widths)), _column_kinds(first, len(first.widths))
    headers = _header_texts(first, len(first.widths))
    again = {cell.col: fold(cell.text) for cell in (table.rows[0] if table.rows else []) if cell.span == 1 and cell.text}
    fits = []
    for left_out in combinations(range(len(first.widths)), lost):
        kept = [c for c in range(len(first.widths)) if c not in left_out]
        fit = sum(1 - sum(abs(a - b) for a, b in zip(later[c], before[k])) / 2 + (again.get(c) in headers[k])
                  for c, k in enumerate(kept))
        fits.append((fit, kept))
    fits.sort(key=lambda entry: -entry[0])
    (best, kept), second = fits[0], fits[1][0] if len(fits) > 1 else 0.0
    return kept if best - second >= _CONTENT_MARGIN and best >= _CONTENT_FIT * len(kept) else None


def _header_texts(table: _Table, columns: int) -> list[set[str]]:
    """Per column, the texts of the first part's header rows above it ("số liệu" under "kết quả")."""
    texts: list[set[str]] = [set() for _ in range(columns)]
    for row in table.rows[:_MAX_HEADER_ROWS]:
        for cell in row:
            for c in range(cell.col, min(cell.col + cell.span, columns)):
                if cell.text:
                    texts[c].add(fold(cell.text))
    return texts


def _column_kinds(table: _Table, columns: int) -> list[list[float]]:
    """Per column, the shares of its cells that are empty, a figure, a short text, a long text."""
    counts = [[0, 0, 0, 0] for _ in range(columns)]
    for row in table.rows:
        for cell in row:
            if cell.col < columns and cell.span == 1:
                text = " ".join(cell.text.split())
                kind = (0 if not text else 3 if len(text) > _SHORT_TEXT
                        else 1 if _FIGURE_CHARACTERS.match(text) and any(ch.isdigit() for ch in text) else 2)
                counts[cell.col][kind] += 1
    return [[n / (sum(column) or 1) for n in column] for column in counts]


def _placed(cell: _Cell, column_map: list[int]) -> _Cell:
    """A cell of a part that lost columns, in the first part's columns."""
    if cell.col >= len(column_map):
        return replace(cell, col=MAX_GRID_COLS)  # beyond its table's grid: left out
    last = column_map[min(cell.col + cell.span, len(column_map)) - 1]
    return replace(cell, col=column_map[cell.col], span=last - column_map[cell.col] + 1)


def _span(col: int, below: list[int]) -> tuple[int, int, int, int]:
    first, last, span = below
    return first, col, last, col + span - 1
