"""Workbooks built the way a province's staff build them in Excel, not with the tool's template writer.

`write_form` lays out a Phụ lục table with the quirks real files have: the national header block
("ỦY BAN NHÂN DÂN ... CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") above the title, a two-level header
with "Kết quả" merged over "Đơn vị tính | Số liệu", "Trong đó" merged down the STT column, header
rows repeated at page breaks, a narrative sheet before the form, figures typed as text ("1.730",
"06") or as numbers, and percents stored as fractions with a % number format (`Pct`).
.xls and .ods files are the .xlsx converted by LibreOffice, as an office would save them.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lo import convert

FIXTURES = Path(__file__).parent / "fixtures"

DEFAULT_HEADER = ("STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")
DEFAULT_TITLE = (
    "PHỤ LỤC",
    "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
    "(Kèm theo Báo cáo số      /BC-UBND ngày 15/3/2024 của UBND xã Bình Yên)",
)
NATIONAL_LEFT = ("ỦY BAN NHÂN DÂN", "XÃ BÌNH YÊN")
NATIONAL_RIGHT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Pct:
    """A percent typed the Excel way: the fraction 0.5 in a cell formatted '0%' (shows 50%)."""

    fraction: float
    number_format: str = "0%"


Row = Sequence[Any]  # (stt, label, unit, value, note)


def seed_rows(name: str, *, as_numbers: bool = False) -> list[tuple[Any, ...]]:
    """Rows of tests/fixtures/<name>.tsv ('seed004' or '004') as (stt, label, unit, value, note).

    Figures stay text as printed ("1.730", "06"); `as_numbers` turns plain digit strings into
    ints, as Excel does when a person types 6 into a General cell ("06" becomes 6 too).
    """
    stem = name if name.startswith("seed") else f"seed{name}"
    lines = (FIXTURES / f"{stem}.tsv").read_text("utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    reader = csv.reader(body[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for cells in reader:
        stt, label, unit, value, note = (cells + [""] * 5)[:5]
        if as_numbers and value.isdigit():
            value = int(value)
        rows.append((stt, label, unit, value, note))
    return rows


def write_form(path: str | os.PathLike, rows: Iterable[Row], *,
               title_lines: Sequence[str] = DEFAULT_TITLE,
               header: Sequence[str] = DEFAULT_HEADER,
               two_level_header: bool = True,
               result_header: str = "Kết quả",
               sheet: str = "Sheet1",
               start_row: int = 1,
               start_col: int = 1,
               national_header: bool = True,
               national_lines: tuple[Sequence[str], Sequence[str]] = (NATIONAL_LEFT, NATIONAL_RIGHT),
               merge_trong_do: bool = True,
               repeat_header_every: int | None = None,
               sheet_before: str | None = None,
               properties_title: str | None = None,
               fmt: str = "xlsx") -> Path:
    """Write a province-style Phụ lục workbook and return its path (with the extension of `fmt`).

    rows: (stt, label, unit, value, note); value is written as given: str as text, int/float as a
    number, Pct as a fraction with a percent format, None as an empty cell. A row of five empty
    values is an empty row, as people leave them. properties_title: the document's title (File >
    Info > Title in Excel), where some offices write the period.
    """
    path = Path(path)
    if fmt not in ("xlsx", "xls", "ods"):
        raise ValueError(f"unknown format {fmt}")
    book = Workbook()
    first = book.active
    if sheet_before:
        first.title = sheet_before
        first["A1"] = "BÁO CÁO"
        first["A2"] = "Kết quả thực hiện công tác cải cách hành chính"
        form = book.create_sheet(sheet)
    else:
        first.title = sheet
        form = first
    _layout(form, list(rows), title_lines=title_lines, header=header, two_level=two_level_header,
            result_header=result_header, top=start_row, left=start_col,
            national=national_lines if national_header else None,
            merge_trong_do=merge_trong_do, repeat_every=repeat_header_every)
    if properties_title is not None:
        book.properties.title = properties_title
    if fmt == "xlsx":
        target = path.with_suffix(".xlsx")
        book.save(target)
        return target
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / (path.stem + ".xlsx")
        book.save(source)
        return convert(source, fmt, path.parent)


def _layout(ws, rows: list[Row], *, title_lines, header, two_level, result_header, top, left,
            national, merge_trong_do, repeat_every) -> None:
    width = 5
    r = top
    if national:
        left_lines, right_lines = national
        for a, b in zip(left_lines, right_lines):
            ws.cell(r, left, a).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=left, end_row=r, end_column=left + 1)
            ws.cell(r, left + 2, b).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=left + 2, end_row=r, end_column=left + 4)
            r += 1
        r += 1
    for line in title_lines:
        cell = ws.cell(r, left, line)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=r, start_column=left, end_row=r, end_column=left + width - 1)
        r += 1
    r += 1
    r = _header(ws, r, left, header, two_level, result_header)
    written = 0
    trong_do_start = None
    for row in rows:
        if repeat_every and written and written % repeat_every == 0:
            _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
            trong_do_start = None
            r = _header(ws, r, left, header, two_level, result_header)
        stt, label, unit, value, note = (list(row) + [None] * 5)[:5]
        is_trong_do = isinstance(stt, str) and stt.strip().lower() == "trong đó"
        if (stt not in (None, "") and not is_trong_do) or _is_blank(row):
            _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
            trong_do_start = None
        if is_trong_do:
            trong_do_start = r
        for offset, content in enumerate((stt, label, unit, value, note)):
            cell = ws.cell(r, left + offset)
            if isinstance(content, Pct):
                cell.value = content.fraction
                cell.number_format = content.number_format
            elif isinstance(content, str):
                cell.value = content if content != "" else None
                if offset == 3 and content:
                    cell.number_format = "@"  # text the way Word-pasted figures arrive
            else:
                cell.value = content
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        r += 1
        written += 1
    _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
    for offset, size in enumerate((8, 60, 16, 12, 30)):
        ws.column_dimensions[get_column_letter(left + offset)].width = size


def _header(ws, r: int, left: int, header, two_level: bool, result_header: str) -> int:
    stt, label, unit, value, note = header
    if not two_level:
        for offset, text in enumerate(header):
            ws.cell(r, left + offset, text).font = Font(bold=True)
        return r + 1
    for offset, text in ((0, stt), (1, label), (2, result_header), (4, note)):
        ws.cell(r, left + offset, text).font = Font(bold=True)
    ws.cell(r + 1, left + 2, unit).font = Font(bold=True)
    ws.cell(r + 1, left + 3, value).font = Font(bold=True)
    for offset in (0, 1, 4):
        ws.merge_cells(start_row=r, start_column=left + offset, end_row=r + 1, end_column=left + offset)
    ws.merge_cells(start_row=r, start_column=left + 2, end_row=r, end_column=left + 3)
    return r + 2


def _close_trong_do(ws, start: int | None, end: int, left: int, merge: bool) -> None:
    """Merge the 'Trong đó' cell down over the rows of its block (start .. end - 1)."""
    if merge and start is not None and end - 1 > start:
        ws.merge_cells(start_row=start, start_column=left, end_row=end - 1, end_column=left)


def _is_blank(row: Row) -> bool:
    return all(value in (None, "") for value in row)


# --- free layouts: any cells, any sheets ------------------------------------------------------


def seed_rows_by_id(name: str, catalog_id: str, figures: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a seed table as (row id, stt, label, unit, value, note), the value taken from
    `figures` by catalog row id ('' when absent). The seed tables list the catalog's rows in order."""
    from cchc_xl import catalog as catalog_module

    rows = seed_rows(name)
    catalog = catalog_module.load(catalog_id)
    if len(rows) != len(catalog.rows):
        raise ValueError(f"{name} has {len(rows)} rows, {catalog_id} has {len(catalog.rows)}")
    figures = figures or {}
    return [(row.id, stt, label, unit, figures.get(row.id, ""), note)
            for row, (stt, label, unit, _, note) in zip(catalog.rows, rows)]


def write_cells(path: str | os.PathLike, cells: Sequence[Sequence[Any]], *, sheet: str = "Sheet1",
                sheets_before: Sequence[str] = (), sheets_after: Sequence[str] = (),
                merges: Sequence[str] = (), hidden_rows: Sequence[int] = (), hidden_columns: Sequence[str] = (),
                fmt: str = "xlsx") -> Path:
    """A workbook whose sheet `sheet` holds `cells` from A1 (None or '' = empty cell; Pct = a fraction
    with a percent format; '=...' = a formula, computed only when LibreOffice converts the file).
    Sheets before it get a narrative line when their name starts with 'Báo cáo', else stay blank.
    merges: ranges like 'A5:A6'; hidden_rows: 1-based row numbers; hidden_columns: letters."""
    path = Path(path)
    book = Workbook()
    names = [*sheets_before, sheet, *sheets_after]
    book.active.title = names[0]
    for name in names[1:]:
        book.create_sheet(name)
    for name in sheets_before:
        if name.startswith("Báo cáo"):
            book[name]["A1"] = "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính"
    ws = book[sheet]
    for r, row in enumerate(cells, 1):
        for c, content in enumerate(row, 1):
            if content is None or content == "":
                continue
            cell = ws.cell(r, c)
            if isinstance(content, Pct):
                cell.value = content.fraction
                cell.number_format = content.number_format
            else:
                cell.value = content
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for span in merges:
        ws.merge_cells(span)
    for r in hidden_rows:
        ws.row_dimensions[r].hidden = True
    for letter in hidden_columns:
        ws.column_dimensions[letter].hidden = True
    target = path.with_suffix(".xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        book.save(target)
        return target
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / target.name
        book.save(source)
        return convert(source, fmt, path.parent)
