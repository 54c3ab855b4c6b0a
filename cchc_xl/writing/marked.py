"""The marked copy: the input workbook with every finding on its cell, and a results sheet.

Each cell a finding points at is filled red (lỗi) or yellow (cảnh báo) and carries a note with
the Vietnamese messages; the sheet "Kết quả kiểm tra" lists every finding with a link to its cell.
The input is never touched: the copy is written through `atomic_output` to another path.

.xlsx and .xlsm inputs are copied with their formatting, as an .xlsx: the sender's macros, ActiveX
controls and embedded objects never reach the copy, nor do formulas reaching outside the workbook
(see outside_links). Legacy .xls and .ods inputs cannot be edited in place by openpyxl: their
values are carried into a new .xlsx at the same cell addresses, without formatting, so the
marks still land on the right cells.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink

from ..catalog import Catalog
from ..cells import parse_cell, quote_sheet, split_reference
from ..checks import printed_stt
from ..findings import ERROR, RULES, SEVERITY_VI, WARNING, Finding
from ..grid import Workbook as GridBook
from .atomic import atomic_output
from .formula_text import starts_like_formula
from .outside_links import CHART, HYPERLINK, PIVOT, CutFormula, CutObject, cut_outside_links, linkless_package

RESULT_SHEET = "Kết quả kiểm tra"
RESULT_HEADER = ("Mức độ", "Ô", "Dòng (STT)", "Chỉ tiêu", "Nội dung", "Quy tắc")
RESULT_WIDTHS = (10, 16, 12, 45, 90, 24)
RESULT_WRAPPED = ("Chỉ tiêu", "Nội dung", "Quy tắc")  # the long columns, wrapped to their width
FILLS = {
    ERROR: PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE"),
    WARNING: PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C"),
}
NOTE_AUTHOR = "Kiểm tra CCHC"
LINE_POINTS = 15
EDITABLE = (".xlsx", ".xlsm")
VALUES_ONLY = (".xls", ".ods")
# Notes of the copy itself, not findings of the check.
OUTSIDE_FORMULA = "outside-formula"
OUTSIDE_OBJECTS = {HYPERLINK: "outside-hyperlink", CHART: "outside-chart", PIVOT: "outside-pivot"}
COPY_TITLES = {OUTSIDE_FORMULA: "Công thức lấy dữ liệu ngoài tệp đã bỏ",
               OUTSIDE_OBJECTS[HYPERLINK]: "Liên kết ra ngoài tệp đã bỏ",
               OUTSIDE_OBJECTS[CHART]: "Biểu đồ lấy dữ liệu ngoài tệp đã bỏ",
               OUTSIDE_OBJECTS[PIVOT]: "Bảng tổng hợp (PivotTable) lấy dữ liệu ngoài tệp đã bỏ"}
QUOTED_CHARS = 200  # of a formula or an address quoted in a note
P = TypeVar("P")  # where a mark goes: a cell address, or (sheet, coordinate)


class MarkError(ValueError):
    """The marked copy cannot be written as asked; the message says why, in Vietnamese."""


def check_target(source: str | Path, target: str | Path) -> None:
    """Refuse, before any work, a copy that would replace the input or lose its format."""
    source, target = Path(source), Path(target)
    if target.exists() and target.resolve() == source.resolve():
        raise MarkError(f"{target}: không ghi đè lên chính tệp đang kiểm tra. Hãy chọn một tên tệp khác.")
    source_kind, target_kind = source.suffix.lower(), target.suffix.lower()
    if source_kind in (".docx", ".docm", ".doc"):
        raise MarkError(f"{source}: tệp Word không có ô Excel để tô màu, nên không làm được bản đánh dấu. "
                        "Hãy kiểm tra lại mà không dùng -o (kết quả vẫn ghi rõ bảng, dòng, cột), hoặc chép "
                        "bảng Phụ lục sang Excel rồi kiểm tra với -o.")
    if source_kind not in EDITABLE + VALUES_ONLY:
        raise MarkError(f"{source}: chỉ đánh dấu được tệp .xlsx, .xlsm, .xls hoặc .ods.")
    if target_kind != ".xlsx":
        # The sender's macros are never carried into a copy the officer opens.
        raise MarkError(f"{target}: bản đánh dấu phải là tệp .xlsx (bản đánh dấu không mang macro của tệp gửi đến). "
                        "Hãy đặt tên tệp kết quả có đuôi .xlsx.")


@dataclass(frozen=True)
class MarkedCopy:
    path: Path
    removed: list[Finding]  # what of the sender's reached outside the workbook and was left out, one note each


def write_marked(source: str | Path, target: str | Path, findings: Iterable[Finding],
                 catalog: Catalog | None = None, *, force: bool = False) -> MarkedCopy:
    """Write the marked copy of `source` to `target`."""
    source, target = Path(source), Path(target)
    check_target(source, target)
    book = open_copy(source)
    cut = cut_outside_links(book, source)
    for item in cut.formulas:
        write_text_safe(book[item.sheet][item.coordinate], item.value)
    removed = [cut_note(item) for item in cut.formulas] + [object_note(item) for item in cut.objects]
    findings = list(findings) + removed
    mark_cells(book, findings)
    add_result_sheet(book, findings, catalog)
    with atomic_output(target, force=force) as temp:
        book.save(temp)
    return MarkedCopy(target, removed)


def open_copy(source: Path) -> Workbook:
    """The workbook to mark: the file itself through openpyxl, without its macros, ActiveX controls
    and embedded objects (openpyxl keeps none of them), or (an .xls or .ods file, or an .xlsx whose
    sheets the reader cut: openpyxl would read all of a million rows) its values as the reader read them."""
    from .. import sources

    if source.suffix.lower() in VALUES_ONLY:
        return values_workbook(sources.load(source))
    read = sources.load(source)
    if read.notes:
        return values_workbook(read)
    with warnings.catch_warnings():
        # openpyxl's English notes on what it drops (the print area of our "Kiểm tra trực tiếp" sheet
        # follows the count by a formula, which it cannot keep) must not reach the user; the copy prints
        # that sheet whole.
        warnings.simplefilter("ignore", UserWarning)
        return load_workbook(linkless_package(source))


def values_workbook(read: GridBook) -> Workbook:
    """A file's values as the grid reader read them (bounded whatever the file), in a new workbook:
    every sheet, the same cell addresses and merged ranges, percent cells shown as percents."""
    book = Workbook()
    book.remove(book.active)
    for grid in read.grids:
        sheet = book.create_sheet(grid.name[:31])
        for r, cells in enumerate(grid.rows):
            for c, value in enumerate(cells):
                if value is not None and value != "":
                    cell = write_text_safe(sheet.cell(r + 1, c + 1), value)
                    if (r, c) in grid.percent_cells:
                        cell.number_format = "0.00%"
        for r0, c0, r1, c1 in grid.merged:
            if (r0, c0) != (r1, c1):
                sheet.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        if grid.hidden:
            sheet.sheet_state = "hidden"
    return book


def cell_marks(findings: Iterable[Finding], place: Callable[[str], P | None]) -> dict[P, tuple[str, str]]:
    """(worst severity, note text) of each cell the findings name, keyed by place(cell); findings
    whose place is None are not marked. Both the marked copy and the Kiểm tra button word them so."""
    grouped: dict[P, list[Finding]] = {}
    for finding in findings:
        where = place(finding.cell) if finding.cell else None
        if where is not None:
            grouped.setdefault(where, []).append(finding)
    return {where: (ERROR if any(f.severity == ERROR for f in on_cell) else WARNING,
                    "\n\n".join(f"[{SEVERITY_VI[f.severity]}] {f.message}" for f in on_cell))
            for where, on_cell in grouped.items()}


def result_line(finding: Finding, catalog: Catalog | None) -> list[str]:
    """One line of the results sheet, under RESULT_HEADER."""
    row = _catalog_row(catalog, finding.ids)
    title = RULES[finding.rule].title if finding.rule in RULES else COPY_TITLES.get(finding.rule, finding.rule)
    return [SEVERITY_VI.get(finding.severity, finding.severity), finding.cell or "",
            printed_stt(row) if row else "", row.label if row else "", finding.message, title]


def cut_note(cut: CutFormula) -> Finding:
    """What the copy says on a cell whose formula reached outside the workbook and was replaced by its value."""
    kept = "để trống (tệp không lưu giá trị)" if cut.value is None else f"giữ giá trị đã lưu «{cut.value}»"
    formula = _quoted(cut.formula)
    return Finding(OUTSIDE_FORMULA, WARNING, (), f"{cut.sheet}!{cut.coordinate}",
                   f"Ô {cut.coordinate} (trang «{cut.sheet}») có công thức lấy dữ liệu ngoài tệp (liên kết tới tệp "
                   f"khác, chương trình khác hoặc trang web): «{formula}». Để an toàn, bản đánh dấu này bỏ công thức "
                   f"và {kept}; tệp gốc không bị sửa. Nếu số liệu ô này cần dùng, hãy đề nghị đơn vị ghi trực "
                   "tiếp số liệu thay cho công thức liên kết.")


def object_note(cut: CutObject) -> Finding:
    """What the copy says where it left out a link, chart or pivot table reaching outside the workbook."""
    reach = _quoted(cut.reach)
    where = f"ô {cut.coordinate} (trang «{cut.sheet}»)" if cut.coordinate else f"trang biểu đồ «{cut.sheet}»"
    if cut.kind == HYPERLINK:
        what = (f"Ô {cut.coordinate} (trang «{cut.sheet}») có liên kết tới «{reach}» bên ngoài tệp. Để an toàn, "
                "bản đánh dấu này bỏ liên kết và giữ nguyên chữ trong ô")
    elif cut.kind == CHART:
        dropped = "biểu đồ" if cut.coordinate else "trang biểu đồ này"
        what = (f"Biểu đồ ở {where} lấy dữ liệu ngoài tệp («{reach}»). Để an toàn, bản đánh dấu này bỏ {dropped}; "
                "số liệu trong các ô giữ nguyên")
    else:
        what = (f"Bảng tổng hợp (PivotTable) ở {where} lấy dữ liệu ngoài tệp («{reach}»). Để an toàn, bản đánh dấu "
                "này bỏ bảng tổng hợp và giữ các số đang hiện trong ô")
    return Finding(OUTSIDE_OBJECTS[cut.kind], WARNING, (), f"{cut.sheet}!{cut.coordinate}" if cut.coordinate else cut.sheet,
                   f"{what}; tệp gốc không bị sửa. Nếu cần dùng phần này, hãy đề nghị đơn vị ghi trực tiếp "
                   "số liệu vào tệp thay cho liên kết.")


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…"


def mark_cells(book: Workbook, findings: list[Finding]) -> None:
    """Fill and annotate each finding's cell; several findings on one cell share one note."""
    def place(cell: str) -> tuple[str, str] | None:
        found = _sheet_cell(cell)
        return found if found and found[0] in book.sheetnames else None

    for (sheet_name, coordinate), (severity, text) in cell_marks(findings, place).items():
        cell = _writable_cell(book[sheet_name], coordinate)
        cell.fill = FILLS[severity]
        if cell.comment is not None and cell.comment.text:
            text = f"{cell.comment.text}\n\n{text}"
        note = Comment(text, NOTE_AUTHOR)
        note.width, note.height = 360, min(80 + 18 * len(text) // 45, 600)
        cell.comment = note


def add_result_sheet(book: Workbook, findings: list[Finding], catalog: Catalog | None) -> None:
    """The list of findings, with a link to each cell; replaces the sheet of an earlier check."""
    if RESULT_SHEET in book.sheetnames:
        book.remove(book[RESULT_SHEET])
    sheet = book.create_sheet(RESULT_SHEET)
    for column, (title, width) in enumerate(zip(RESULT_HEADER, RESULT_WIDTHS), 1):
        write_text_safe(sheet.cell(1, column), title).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    if not findings:
        write_text_safe(sheet.cell(2, 1), "Không có lỗi hay cảnh báo nào.")
    for row_number, finding in enumerate(findings, 2):
        values = result_line(finding, catalog)
        for column, value in enumerate(values, 1):
            cell = write_text_safe(sheet.cell(row_number, column), value)
            cell.alignment = Alignment(wrap_text=RESULT_HEADER[column - 1] in RESULT_WRAPPED, vertical="top")
        sheet.row_dimensions[row_number].height = _wrapped_height(values)
        sheet.cell(row_number, 1).fill = FILLS.get(finding.severity, FILLS[WARNING])
        place = _sheet_cell(finding.cell)
        if place and place[0] in book.sheetnames:
            link = sheet.cell(row_number, 2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheet(place[0])}!{place[1]}")
            link.font = Font(color="FF0563C1", underline="single")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:F{max(len(findings), 1) + 1}"
    # Printed as officers file it: A4 landscape, one page wide, the header on every page.
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    for other in book.worksheets:
        other.sheet_view.tabSelected = False
    sheet.sheet_view.tabSelected = True
    book.active = book.worksheets.index(sheet)


def _wrapped_height(values) -> float:
    """Points for a row whose wrapped cells hold `values`: not every program fits rows itself."""
    lines = max(math.ceil(len(str(value)) / max(RESULT_WIDTHS[column] - 2, 1)) or 1
                for column, value in enumerate(values))
    return LINE_POINTS * min(lines, 15) + 3


def write_text_safe(cell, value):
    """Put `value` in `cell`; text stays text even when it starts like a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if starts_like_formula(value):  # kept text also when someone edits the cell again
            cell.quotePrefix = True
    return cell


def _sheet_cell(cell: str | None) -> tuple[str, str] | None:
    """'Phụ lục!D38' -> ('Phụ lục', 'D38'); None when there is no usable address (a Word table's cell)."""
    if not cell or "!" not in cell:
        return None
    sheet, coordinate = split_reference(cell)
    return (sheet, coordinate) if parse_cell(coordinate) else None


def _writable_cell(sheet, coordinate: str):
    """The cell itself, or the top-left cell of the merged range that covers it."""
    cell = sheet[coordinate]
    if not isinstance(cell, MergedCell):
        return cell
    for merged in sheet.merged_cells.ranges:
        if coordinate in merged:
            min_col, min_row, _, _ = range_boundaries(merged.coord)
            return sheet.cell(min_row, min_col)
    return cell


def _catalog_row(catalog: Catalog | None, ids: tuple[str, ...]):
    for row_id in ids:
        if catalog is not None and row_id in catalog:
            return catalog.row(row_id)
    return None
