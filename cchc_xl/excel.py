"""Inside Excel: the Kiểm tra, Tổng hợp and Báo cáo buttons and the cell functions (UDFs).

The only module that imports xlwings. It moves values between an open workbook and the core
(reading, checks, merging, the roll-up tables) and shows results the way Excel users read
them: fills and notes on the cells, a results sheet, a message box. The buttons take the
workbook as an optional argument: in Excel it is the calling workbook (RunPython), elsewhere
any xlwings Book (one built from JSON by the remote engine, a file opened read-only).

What a button leaves in a workbook is undone by the next run: the cells it marked, with the
fill they had before, are listed under the key "marked_cells" of the "_cchc" sheet.

Over 500 lines on purpose: it is the only module that imports xlwings, so every button and cell
function lives here and the core stays testable without Excel.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import re
import tempfile
import traceback
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import xlwings as xw

from . import checks, grid, meta, overtime, periods, reading, values
from .catalog import Catalog
from .cells import cell_name, split_reference
from .findings import ERROR, SEVERITY_VI, WARNING, Finding, counts
from .history import DEFAULT_NAME, HistoryError
from .roster import FOLDER_NAME, ROSTER_SHEET
from .submission import DETAIL_SHEET, META_SHEET, ROLLUP_KIND, SUMMARY_SHEET
from .writing import tables
from .writing.formula_text import starts_like_formula
from .writing.guide import GUIDE_SHEET
from .writing.layout import TROUBLE_FILL
from .writing.marked import RESULT_HEADER, RESULT_SHEET, cell_marks, result_line
from .writing.rollup_view import FINDINGS_SHEET, rollup_metadata

XLWINGS_CONF_SHEET = "xlwings.conf"
# Sheets the tool writes or reads for itself, never part of a filled form.
OWN_SHEETS = (RESULT_SHEET, GUIDE_SHEET, ROSTER_SHEET, XLWINGS_CONF_SHEET, *tables.SHEETS)
# In a roll-up, the sheets its check reads (checks.against_state) are not the tool's results but what is checked.
ROLLUP_OWN_SHEETS = tuple(name for name in OWN_SHEETS if name not in (SUMMARY_SHEET, DETAIL_SHEET))
MARKS_KEY = "marked_cells"

FILLS = {severity: colours[0] for severity, colours in TROUBLE_FILL.items()}

# A message box shows about a screenful; the full list is on the results sheet.
_ALERT_FINDINGS = 5
_ALERT_NAMES = 10
LOG_FILE = Path(tempfile.gettempdir()) / "cchc-xl-nhat-ky.log"


# ----------------------------------------------------------------------------------------------
# Reading the open workbook
# ----------------------------------------------------------------------------------------------

def sheet_rows(sheet: xw.Sheet, notes: list[str] | None = None) -> list[list[Any]]:
    """The sheet's values as rows from A1, so row and column numbers are the sheet's own.

    Only the first grid.MAX_GRID_ROWS rows and MAX_GRID_COLS columns are fetched (a stray
    value far down would otherwise pull a million rows out of Excel); a cut is noted in `notes`.
    """
    used = sheet.used_range
    height, width = used.shape
    kept_rows = min(used.row + height - 1, grid.MAX_GRID_ROWS) - used.row + 1
    kept_cols = min(used.column + width - 1, grid.MAX_GRID_COLS) - used.column + 1
    if (kept_rows, kept_cols) != (height, width) and notes is not None:
        notes.append(f"Trang tính «{sheet.name}» có {used.row + height - 1:,} dòng, {used.column + width - 1} cột; "
                     f"chỉ đọc {grid.MAX_GRID_ROWS:,} dòng, {grid.MAX_GRID_COLS} cột đầu".replace(",", "."))
    if kept_rows <= 0 or kept_cols <= 0:
        return []
    if (kept_rows, kept_cols) != (height, width):
        used = used.resize(kept_rows, kept_cols)
    rows = used.options(ndim=2).value or []
    if not any(cell is not None for row in rows for cell in row):
        return []
    left_pad = [None] * (used.column - 1)
    full_width = len(left_pad) + max(len(row) for row in rows)
    return [[None] * full_width for _ in range(used.row - 1)] + [left_pad + list(row) for row in rows]


def book_grids(book: xw.Book, skip: Iterable[str] = ()) -> grid.Workbook:
    """The workbook as the reader takes it: every sheet as a grid (but the sheets the tool writes
    itself), the workbook's defined names, by which the tool's own templates are read, and notes
    on sheets read only in part."""
    skipped = {name.casefold() for name in skip}
    notes: list[str] = []
    grids = [grid.grid_from_values(sheet.name, sheet_rows(sheet, notes))
             for sheet in book.sheets if sheet.name.casefold() not in skipped]
    return grid.Workbook(book_path(book), grids, defined_names(book), notes)


def defined_names(book: xw.Book) -> dict[str, str]:
    """Workbook-level names and what they refer to: {"CCHC_1_1_a": "='Phụ lục'!$D$9"}."""
    names: dict[str, str] = {}
    for name in book.names:
        try:
            refers_to = name.refers_to
        except Exception:  # a name Excel itself cannot resolve (#REF!)
            continue
        if refers_to is not None:
            names[name.name] = refers_to
    return names


def book_path(book: xw.Book) -> str:
    try:
        return book.fullname or book.name
    except Exception:  # engines without a file behind the book
        return book.name


def _sheet(book: xw.Book, name: str):
    """The sheet of that name in any case, None when there is none."""
    return next((sheet for sheet in book.sheets if sheet.name.casefold() == name.casefold()), None)


# ----------------------------------------------------------------------------------------------
# Kiểm tra
# ----------------------------------------------------------------------------------------------

class ButtonError(Exception):
    """A situation the user can fix; the message says how, in Vietnamese."""


def _button(title: str) -> Callable:
    """Run a button's work on the calling workbook; any failure becomes a Vietnamese message box."""

    def decorate(work: Callable[[xw.Book], Any]) -> Callable[..., Any]:
        @functools.wraps(work)
        def run(book: xw.Book | None = None):
            book = xw.Book.caller() if book is None else book
            try:
                return work(book)
            except Exception as exc:  # the user sees a message box, never a traceback
                log = log_failure(title, exc)
                set_status(book, False)
                alert(book, failure_message(title, exc, log), title, critical=True)
                return None
        return run

    return decorate


@_button("Kiểm tra")
def kiem_tra(book: xw.Book) -> list[Finding]:
    """The Kiểm tra button: check the form in this workbook and show where the problems are."""
    set_status(book, "Đang kiểm tra số liệu …")
    clear_marks(book)
    rollup = read_meta(book).get("kind") == ROLLUP_KIND
    # A roll-up is checked as `cchc-xl check` checks it: its "Tổng hợp" sheet against the state it
    # carries and its "Chi tiết" sheet's units against the state's, so the reader needs those two.
    skip = ROLLUP_OWN_SHEETS if rollup else OWN_SHEETS
    submission = reading.read_grids(book_grids(book, skip=skip), book_path(book))
    if not rollup and _sheet(book, ROSTER_SHEET) is not None and not any(
            figure.raw not in (None, "") for figure in submission.figures.values()):
        # The roll-up workbook before Tổng hợp: its blank form would only list the rows it requires.
        raise ButtonError(f"Tệp tổng hợp này chưa có số liệu. Hãy bấm Tổng hợp trước; sau đó bấm Kiểm tra để đối "
                          f"chiếu sheet «{SUMMARY_SHEET}» và «{DETAIL_SHEET}» với số liệu từ tệp của các đơn vị.")
    found = checks.check(submission)
    refused = mark_cells(book, found)
    write_printed(book, RESULT_SHEET, result_rows(found, submission.catalog))
    set_status(book, False)
    alert(book, check_summary(found, refused, rollup=rollup), "Kiểm tra", critical=counts(found)[ERROR] > 0)
    return found


def result_rows(found: Sequence[Finding], catalog: Catalog | None) -> list[list[Any]]:
    """The results sheet, with the columns of the marked copy the command line writes."""
    rows: list[list[Any]] = [list(RESULT_HEADER)]
    rows += [result_line(finding, catalog) for finding in found]
    if not found:
        rows.append(["Không có lỗi hay cảnh báo nào."])
    return rows


# What Kiểm tra checks in a roll-up, and where each unit's own findings are.
ROLLUP_CHECKED = (f"Đây là tệp tổng hợp: đã đối chiếu số liệu trên sheet «{SUMMARY_SHEET}» và danh sách đơn vị ở "
                  f"sheet «{DETAIL_SHEET}» với số liệu tổng hợp từ tệp của các đơn vị. Lỗi và cảnh báo trong tệp "
                  f"của từng đơn vị ở sheet «{FINDINGS_SHEET}».")


def write_printed(book: xw.Book, name: str, rows: Sequence[Sequence[Any]], *,
                  heights: dict[int, float] | None = None, keep_layout: bool = True) -> None:
    """`rows` on the sheet `name`, shown and printed whole. The shipped workbooks carry the sheets the
    buttons write hidden and laid out for print (vba/workbooks.py): their values are replaced, their
    layout kept (unless not `keep_layout`), and the print area is exactly the lines written, so a long
    list prints whole and a shorter one after it prints no empty lines. `heights` (row from 0 -> points)
    sets the rows AutoFit would not grow (merged cells); without it the rows below the first are fitted."""
    write_table(book, name, rows, keep_layout=keep_layout)
    sheet = _sheet(book, name)
    sheet.visible = True
    last = cell_name(len(rows) - 1, max(len(row) for row in rows) - 1, absolute=True)
    if heights is None:
        sheet.range((2, 1), (len(rows), 1)).rows.autofit()  # the wrapped messages' heights
    for first, end, height in _runs(heights or {}):
        sheet.range((first + 1, 1), (end, 1)).row_height = height
    sheet.page_setup.print_area = f"$A$1:{last}"


def _runs(heights: dict[int, float]) -> list[tuple[int, int, float]]:
    """(first row, end row, height) of each run of consecutive rows of one height: one call each."""
    runs: list[tuple[int, int, float]] = []
    for row in sorted(heights):
        if runs and runs[-1][1] == row and runs[-1][2] == heights[row]:
            runs[-1] = (runs[-1][0], row + 1, heights[row])
        else:
            runs.append((row, row + 1, heights[row]))
    return runs


def check_summary(found: Sequence[Finding], refused: int = 0, *, rollup: bool = False) -> str:
    """The message box after Kiểm tra: the counts, the first problems with their cells, where to read on."""
    tally = counts(found)
    about = [ROLLUP_CHECKED] if rollup else []
    if not found:
        return "\n".join(["Đã kiểm tra: không có lỗi, không có cảnh báo.", *about])
    lines = [f"Đã kiểm tra: {tally[ERROR]} lỗi, {tally[WARNING]} cảnh báo. Xem sheet {RESULT_SHEET}.", *about, ""]
    for finding in found[:_ALERT_FINDINGS]:
        where = f"Ô {finding.cell}" if finding.cell else "Không gắn với ô"
        lines.append(f"• {where} ({SEVERITY_VI[finding.severity]}): {finding.message}")
    if len(found) > _ALERT_FINDINGS:
        lines.append(f"… và {len(found) - _ALERT_FINDINGS} mục khác.")
    lines += ["", "Ô có lỗi tô đỏ, ô có cảnh báo tô vàng; di chuột vào ô để đọc ghi chú. Sửa xong, bấm Kiểm tra lại."]
    if refused:
        lines.append(f"{refused} ô không tô màu hoặc không gắn được ghi chú vì sheet đang khóa; "
                     f"nội dung vẫn có trong sheet {RESULT_SHEET}.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Marks: fills and notes on the cells of findings, undone by the next run
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """A cell a run marked, and what it had before."""

    cell: str  # "Phụ lục!D12"
    color: str | None  # the fill before, "#RRGGBB"; None for none or unknown
    note: str | None  # None: note untouched; "": the note is ours; text: someone's note we added to


def _range(book: xw.Book, cell: str):
    sheet_name, address = split_reference(cell)
    for sheet in book.sheets:
        if sheet.name.casefold() == sheet_name.casefold():
            try:
                return sheet.range(address)
            except Exception:  # text that is no cell address
                return None
    return None


def mark_cells(book: xw.Book, found: Iterable[Finding]) -> int:
    """Fill each finding's cell red (lỗi) or yellow (cảnh báo) and put the messages in its note.

    A note already on the cell keeps its text, with the messages after it. Returns how many
    cells refused a mark (a sheet protected against it); their findings are still listed.
    """
    marks: list[Mark] = []
    refused = 0
    for cell, (severity, text) in cell_marks(found, lambda cell: cell).items():
        target = _range(book, cell)
        if target is None:
            continue
        before = _fill(target)
        try:
            target.color = FILLS[severity]
        except Exception:  # a protected sheet that forbids formatting
            refused += 1
            continue
        try:
            note = _annotate(target, text)
        except Exception:  # a protected sheet refuses notes; the fill stays
            refused += 1
            note = None
        marks.append(Mark(cell, before, note))
    save_marks(book, marks)
    return refused


def _annotate(target, text: str) -> str | None:
    """Put `text` in the cell's note; returns what the note held before ('' when there was none)."""
    existing = target.note
    if existing is None:
        target.add_note(text)
        return ""
    try:
        previous = existing.text
    except NotImplementedError:  # engines that cannot read a note back: leave it as it is
        return None
    existing.text = f"{previous}\n\n{text}" if previous else text
    return previous or ""


def _fill(target) -> str | None:
    try:
        color = target.color
    except NotImplementedError:  # engines that cannot read a fill back
        return None
    if color is None or isinstance(color, str):
        return color
    return "#{:02X}{:02X}{:02X}".format(*color)


def clear_marks(book: xw.Book) -> None:
    """Undo the previous run: its fills back to what they were, its notes removed or restored."""
    marks = load_marks(book)
    for mark in marks:
        target = _range(book, mark.cell)
        if target is None:
            continue
        try:
            target.color = mark.color
            if mark.note is not None and target.note is not None:
                if mark.note:
                    target.note.text = mark.note
                else:
                    target.note.delete()
        except Exception:  # the sheet was protected since: leave that cell as it is
            continue
    if marks:
        save_marks(book, [])


def load_marks(book: xw.Book) -> list[Mark]:
    text = read_meta(book).get(MARKS_KEY, "")
    try:
        entries = json.loads(text) if text else []
    except json.JSONDecodeError:
        return []
    return [Mark(str(entry[0]), entry[1] or None, entry[2] if isinstance(entry[2], str) else None)
            for entry in entries if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)]


def save_marks(book: xw.Book, marks: Sequence[Mark]) -> None:
    text = json.dumps([[mark.cell, mark.color, mark.note] for mark in marks], ensure_ascii=False) if marks else ""
    if text or MARKS_KEY in read_meta(book):
        write_meta(book, {MARKS_KEY: text})


# ----------------------------------------------------------------------------------------------
# The "_cchc" sheet: key in column A, value in B (long values continue in C, D, ..., see meta.py)
# ----------------------------------------------------------------------------------------------

def _meta_sheet(book: xw.Book):
    for sheet in book.sheets:
        if sheet.name == META_SHEET:
            return sheet
    return None


def read_meta(book: xw.Book) -> dict[str, str]:
    sheet = _meta_sheet(book)
    return meta.decode(sheet_rows(sheet)) if sheet is not None else {}


def write_meta(book: xw.Book, entries: dict[str, str]) -> None:
    """Set keys of the "_cchc" sheet (created hidden when missing), leaving the other keys as they are."""
    sheet = _meta_sheet(book)
    if sheet is None:
        active = book.sheets.active
        sheet = book.sheets.add(META_SHEET, after=book.sheets[-1])
        sheet.visible = False
        active.activate()
    rows = sheet_rows(sheet)
    lines = {row[0]: index for index, row in enumerate(rows) if row and isinstance(row[0], str)}
    free = max((index + 1 for index, row in enumerate(rows) if any(cell is not None for cell in row)), default=0)
    for encoded in meta.encode(entries):
        if not encoded[0]:  # the keys kept here (marked cells) are far shorter than a row holds
            raise ValueError(f"Giá trị của khóa trong sheet {META_SHEET} quá dài để cập nhật tại chỗ")
        line = lines.get(encoded[0])
        if line is None:
            line, free = free, free + 1
        elif len(rows[line]) > len(encoded):
            sheet.range((line + 1, len(encoded) + 1), (line + 1, len(rows[line]))).clear_contents()
        sheet.range((line + 1, 1)).value = [[as_text(cell) for cell in encoded]]


# ----------------------------------------------------------------------------------------------
# Tổng hợp
# ----------------------------------------------------------------------------------------------

@_button("Tổng hợp")
def tong_hop(book: xw.Book):
    """The Tổng hợp button: merge the files of the folder chosen in VBA into this workbook's sheets,
    as `cchc-xl merge` does with its default history: the units compared with their earlier periods
    in lich-su-so-lieu.sqlite beside this workbook, and this period recorded there."""
    folder = chosen_folder(book)
    history = history_path(book)
    clear_marks(book)  # a Kiểm tra's marks on the previous roll-up's cells (its sheets keep their formats)
    set_status(book, f"Đang đọc các tệp trong thư mục {folder} …")

    def progress(done: int, total: int, path: str) -> None:
        set_status(book, f"Đang tổng hợp {done}/{total}: {Path(path).name}")

    # One process: worker processes started from Excel's RunPython gain little for a district's files.
    before = read_meta(book)
    result, derived = overtime.merge_with_history(
        [folder], history, roster=roster_names(book), parent_unit=before.get("unit", ""),
        jobs=1, progress=progress, exclude=[book_path(book)])
    set_status(book, "Đang ghi kết quả tổng hợp …")
    # The workbook lays "Tổng hợp" out for its own form: another form's rows are written on a plain sheet.
    laid_out = before.get("catalog") == result.rollup.catalog.id
    for name, rows in tables.rollup_tables(result).items():
        if name == SUMMARY_SHEET:
            write_printed(book, name, rows, heights=tables.summary_heights(result) if laid_out else None,
                          keep_layout=laid_out)
        else:
            write_printed(book, name, rows)
    write_meta(book, rollup_metadata(result))
    book.sheets[tables.SHEETS[0]].activate()
    lines = [merge_summary(result), ""]
    if history is None:
        lines.append("Tệp này chưa được lưu nên chưa so sánh với các kỳ trước và chưa ghi lịch sử số liệu. "
                     "Hãy lưu tệp (Ctrl+S) rồi bấm Tổng hợp lại.")
    else:
        set_status(book, "Đang ghi lịch sử số liệu …")
        try:
            recorded = overtime.record_merge(result, history, derived)
            lines.append(f"Đã ghi số liệu {recorded} đơn vị vào lịch sử số liệu {history}.")
        except HistoryError as exc:  # the roll-up is written; the officer learns the history was not
            lines.append(f"Chưa ghi được lịch sử số liệu: {exc}")
    set_status(book, False)
    alert(book, "\n".join(lines), "Tổng hợp", critical=bool(result.rejected or result.missing or result.period_gaps))
    return result


def history_path(book: xw.Book) -> Path | None:
    """The history `cchc-xl merge` keeps beside its roll-up: beside this workbook; None while the
    workbook has never been saved (it has no folder)."""
    here = Path(book_path(book))
    return here.parent / DEFAULT_NAME if here.is_absolute() and here.parent.is_dir() else None


# ----------------------------------------------------------------------------------------------
# Báo cáo
# ----------------------------------------------------------------------------------------------

@_button("Báo cáo")
def bao_cao(book: xw.Book) -> Path:
    """The Báo cáo button: the Word report of the roll-up this workbook holds, written beside it."""
    from .catalog import CatalogError, load
    from .rollup import StateError
    from .writing.atomic import atomic_output
    from .writing.report_doc import from_rollup_metadata, write_report

    metadata = read_meta(book)
    if metadata.get("kind") != ROLLUP_KIND or not metadata.get("state"):
        raise ButtonError("Tệp này chưa có số liệu tổng hợp. Hãy bấm Tổng hợp trước, rồi bấm Báo cáo.")
    try:
        content = from_rollup_metadata(load(metadata.get("catalog", "")), metadata)
    except (StateError, ValueError, CatalogError) as exc:
        raise ButtonError(f"Số liệu tổng hợp trong tệp không dùng được ({exc}). Hãy bấm Tổng hợp lại.") from None
    target = report_path(book, metadata.get("period", ""))
    set_status(book, "Đang viết báo cáo …")
    with atomic_output(target) as temp:
        write_report(content, temp)
    set_status(book, False)
    lines = [f"Đã viết báo cáo: {target}", "Mở bằng Word, ghi số, ngày và phần đánh giá (những chỗ «…»), rồi ký gửi."]
    if content.missing:
        lines.append(f"Đơn vị chưa gửi báo cáo ({len(content.missing)}): {', '.join(content.missing[:_ALERT_NAMES])}"
                     + (" …" if len(content.missing) > _ALERT_NAMES else ""))
    if content.flawed:
        lines.append(f"Đơn vị có lỗi trong số liệu ({len(content.flawed)}): {', '.join(content.flawed[:_ALERT_NAMES])}"
                     + (" …" if len(content.flawed) > _ALERT_NAMES else ""))
    alert(book, "\n".join(lines), "Báo cáo", critical=bool(content.missing or content.flawed))
    return target


def report_path(book: xw.Book, period: str) -> Path:
    """Where the report goes: beside this workbook, under a name not yet taken, and never inside the
    folder of the units' files, which the next Tổng hợp reads (a .docx there would count as a unit)."""
    here = Path(book_path(book))
    if not here.is_absolute() or not here.parent.is_dir():
        raise ButtonError("Hãy lưu tệp tổng hợp này (Ctrl+S) rồi bấm Báo cáo: báo cáo được ghi vào thư mục của tệp.")
    folder = here.parent.resolve()
    try:
        chosen = str(book.names[FOLDER_NAME].refers_to_range.value or "").strip()
    except Exception:  # no folder cell: nothing to keep out of
        chosen = ""
    if chosen and Path(chosen).is_dir():
        units = Path(chosen).resolve()
        if folder == units or units in folder.parents:
            folder = units.parent
    stem = f"BaoCao-CCHC-{period}" if period else "BaoCao-CCHC"
    target, number = folder / f"{stem}.docx", 2
    while target.exists():
        target, number = folder / f"{stem} ({number}).docx", number + 1
    return target


def roster_names(book: xw.Book) -> list[str]:
    """The units expected to submit: column A of the sheet "Danh sách đơn vị" below its header."""
    sheet = _sheet(book, ROSTER_SHEET)
    if sheet is None:
        return []
    names = [str(row[0]).strip() for row in sheet_rows(sheet)[1:] if row and row[0] not in (None, "")]
    return [name for name in names if name]


def chosen_folder(book: xw.Book) -> str:
    """The folder VBA wrote into the cell named CCHC_THU_MUC."""
    try:
        value = book.names[FOLDER_NAME].refers_to_range.value
    except Exception:  # no such name in this workbook
        raise ButtonError(f"Tệp này không có ô tên {FOLDER_NAME} để ghi thư mục cần tổng hợp. "
                          "Hãy dùng tệp CCHC-TongHop.xlsm do tỉnh/huyện gửi.") from None
    folder = str(value or "").strip()
    if not folder:
        raise ButtonError("Chưa chọn thư mục chứa các tệp cần tổng hợp. Bấm Tổng hợp và chọn thư mục.")
    if not os.path.isdir(folder):
        raise ButtonError(f"Không tìm thấy thư mục «{folder}». Hãy bấm Tổng hợp và chọn lại thư mục.")
    return folder


def rejected_lines(rejected: list, *, more: str = "") -> list[str]:
    """One line per file a merge left out, at most _ALERT_NAMES; each reason names its own file."""
    lines = [f"• {item.reason}" for item in rejected[:_ALERT_NAMES]]
    if len(rejected) > _ALERT_NAMES:
        lines.append(f"… và {len(rejected) - _ALERT_NAMES} tệp khác{more}.")
    return lines


def merge_summary(result) -> str:
    """The message box after Tổng hợp: what was used, and by name what was rejected or is missing."""
    used = len(result.rollup.units)
    lines = [f"Đã tổng hợp {used} đơn vị từ {result.inputs} tệp. Xem các sheet Tổng hợp, Chi tiết, "
             "Kiểm tra và Tình hình nộp."]
    if result.rejected:
        lines.append("")
        lines.append(f"{len(result.rejected)} tệp bị từ chối (không được tính):")
        lines += rejected_lines(result.rejected, more=" (xem sheet Tình hình nộp)")
    if result.duplicates:
        lines.append("")
        lines.append(f"{len(result.duplicates)} đơn vị nộp nhiều tệp; dùng tệp sửa sau cùng:")
        lines += [f"• {item.unit}: dùng {Path(item.used).name}, bỏ {', '.join(Path(p).name for p in item.ignored)}"
                  for item in result.duplicates[:_ALERT_NAMES]]
    if result.missing:
        lines.append("")
        lines.append(f"{len(result.missing)} đơn vị chưa nộp: {', '.join(result.missing[:_ALERT_NAMES * 3])}"
                     + (" …" if len(result.missing) > _ALERT_NAMES * 3 else "."))
    if result.period_note:
        lines += ["", result.period_note]
    across = [unit.unit for unit in result.rollup.units
              if any(finding.rule in overtime.RULES for finding in unit.findings)]
    if across:
        lines.append("")
        lines.append(f"{len(across)} đơn vị có số liệu khác thường so với các kỳ trước (xem sheet Kiểm tra): "
                     f"{', '.join(across[:_ALERT_NAMES])}" + (" …" if len(across) > _ALERT_NAMES else "."))
    with_errors = [unit.unit for unit in result.rollup.units if unit.errors]
    if with_errors:
        lines.append("")
        lines.append(f"{len(with_errors)} đơn vị có lỗi trong số liệu (xem sheet Kiểm tra): "
                     f"{', '.join(with_errors[:_ALERT_NAMES])}" + (" …" if len(with_errors) > _ALERT_NAMES else "."))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Writing sheets, status bar, message boxes
# ----------------------------------------------------------------------------------------------

def write_table(book: xw.Book, name: str, rows: Sequence[Sequence[Any]], *, keep_layout: bool = False) -> None:
    """Replace the sheet `name` (created at the end if missing) by `rows` as values from A1; with
    `keep_layout`, an existing sheet keeps its formats (only its values are cleared)."""
    active = book.sheets.active
    existing = _sheet(book, name)
    if existing is None:
        sheet = book.sheets.add(name, after=book.sheets[-1])
    else:
        sheet = existing
        if keep_layout:
            sheet.clear_contents()
        else:
            sheet.clear()
    if rows:
        width = max(len(row) for row in rows)
        sheet.range("A1").value = [[as_text(cell) for cell in row] + [None] * (width - len(row)) for row in rows]
    if active.name != sheet.name:
        active.activate()


# Text Excel would turn into something else when assigned as a value, besides a formula: a number,
# a date, a boolean. A leading apostrophe keeps it the text it is.
_CONVERTIBLE = re.compile(r"^\s*([(.,]|\d)|^\s*(true|false)\s*$", re.IGNORECASE)
_CELL_MAX = 32_767  # characters an Excel cell holds


def as_text(value: Any) -> Any:
    """A value safe to assign to a cell: text stays text (and fits), numbers stay numbers."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, str):
        if starts_like_formula(value) or _CONVERTIBLE.match(value):
            value = "'" + value
        return value if len(value) <= _CELL_MAX else value[: _CELL_MAX - 1] + "…"
    return value


def set_status(book: xw.Book, text: str | bool) -> None:
    """Excel's status bar; False gives it back to Excel. Engines without one are skipped."""
    try:
        book.app.status_bar = text
    except NotImplementedError:
        pass


def alert(book: xw.Book, message: str, title: str, *, critical: bool = False) -> None:
    book.app.alert(message, title=f"CCHC - {title}", buttons="ok", mode="critical" if critical else "info")


def failure_message(title: str, exc: BaseException, log: Path | None) -> str:
    """What the user reads when a button fails: what happened and what to do."""
    action = title.lower()
    if isinstance(exc, ButtonError):
        return str(exc)
    if type(exc).__module__.startswith("cchc_xl"):  # the core's errors carry Vietnamese messages
        return "\n".join([f"Không {action} được: {exc}", *rejected_lines(getattr(exc, "rejected", []))])
    if isinstance(exc, PermissionError):
        return (f"Không {action} được: không mở được «{exc.filename}» (tệp đang mở ở chương trình khác "
                "hoặc không có quyền). Đóng tệp đó rồi bấm lại.")
    if isinstance(exc, OSError):
        return (f"Không {action} được: lỗi đọc/ghi tệp «{exc.filename or ''}». "
                "Kiểm tra thư mục và tệp còn tồn tại, rồi bấm lại.")
    where = f" Chi tiết kỹ thuật đã ghi vào tệp {log}." if log else ""
    return (f"Không {action} được do một lỗi không lường trước.{where} Hãy lưu tệp, đóng Excel, mở lại và "
            "bấm lại. Nếu vẫn lỗi, gửi tệp Excel này kèm tệp nhật ký cho cán bộ phụ trách CCHC.")


def log_failure(title: str, exc: BaseException) -> Path | None:
    """Append the traceback to a log file in the temp folder, for whoever helps the user."""
    try:
        with open(LOG_FILE, "a", encoding="utf-8") as log:
            log.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')} {title}\n")
            log.write("".join(traceback.format_exception(exc)))
        return LOG_FILE
    except OSError:
        return None


# ----------------------------------------------------------------------------------------------
# Cell functions
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _AnyFigure:
    """A row that takes any number, for parsing a figure outside a form."""

    kind: str = "money"
    codes: dict[int, str] | None = None


def figure(raw: Any) -> int | float | None | str:
    """A cell's figure as a number; None when nothing is reported; a Vietnamese text when unreadable."""
    number, problem = values.parse_figure(raw, _AnyFigure())
    if problem:
        return f"Không đọc được «{raw}» thành số"
    return number


@xw.func
@xw.arg("o", doc="Ô có số liệu, có thể là chữ số kiểu Việt Nam: 1.730; 91,3; 99,53%; 06")
def CCHC_SO(o):
    """Đọc số liệu ghi kiểu Việt Nam thành số: "1.730" → 1730, "91,3" → 91,3. Trống, "-", "nt" → ô trống."""
    number = figure(o)
    return "" if number is None else number


@xw.func
@xw.arg("tu", doc="Tử số (ô hoặc số)")
@xw.arg("mau", doc="Mẫu số (ô hoặc số)")
@xw.arg("so_le", doc="Số chữ số thập phân, mặc định 2 như mẫu Phụ lục")
def CCHC_TYLE(tu, mau, so_le=2):
    """Tỷ lệ % = tử số / mẫu số × 100, làm tròn như mẫu (2 chữ số thập phân). Trống khi mẫu số trống hoặc bằng 0."""
    numerator, denominator = figure(tu), figure(mau)
    if not isinstance(numerator, (int, float)) or not isinstance(denominator, (int, float)) or denominator == 0:
        return ""
    decimals = figure(so_le) if so_le not in (None, "") else 2
    if not isinstance(decimals, (int, float)) or not 0 <= decimals <= 10:
        return ""
    exact = Fraction(numerator) / Fraction(denominator) * 100
    return values.tidy(float(values.round_half_up(exact, int(decimals))))


@xw.func
@xw.arg("bang", "range", doc="Cả bảng Phụ lục (từ dòng tiêu đề STT đến dòng cuối), ví dụ 'Phụ lục'!A1:E120")
def CCHC_KIEMTRA(bang):
    """Kiểm tra bảng Phụ lục đã chọn; trả về một cột các lỗi, cảnh báo kèm ô, hoặc «Không có lỗi»."""
    try:
        if isinstance(bang, xw.Range):
            sheet_name = bang.sheet.name
            top, left = bang.row, bang.column
            rows = bang.options(ndim=2).value or []
        else:
            sheet_name, top, left = "Phụ lục", 1, 1
            rows = bang if isinstance(bang, list) and bang and isinstance(bang[0], list) else [[bang]]
        return [[line] for line in range_findings(sheet_name, rows, top, left)]
    except Exception as exc:  # a cell shows a message, never a Python error
        return [[f"Không kiểm tra được vùng đã chọn: {exc}"]]


def range_findings(sheet_name: str, rows: Sequence[Sequence[Any]], top: int = 1, left: int = 1) -> list[str]:
    """The check messages of a table read from a range whose first cell is at (top, left)."""
    padded = [[None] * (left - 1) + list(row) for row in rows]
    padded = [[None] * (left - 1 + max((len(row) for row in rows), default=0)) for _ in range(top - 1)] + padded
    submission = reading.read_grids([grid.grid_from_values(sheet_name, padded)], sheet_name)
    found = checks.check(submission)
    if not found:
        return ["Không có lỗi, không có cảnh báo."]
    return [f"{SEVERITY_VI[f.severity].capitalize()}" + (f" ô {split_reference(f.cell)[1]}" if f.cell else "")
            + f": {f.message}" for f in found]


@xw.func
@xw.arg("chu", doc="Ô ghi kỳ báo cáo, ví dụ «Quý I năm 2024», «6 tháng đầu năm 2021»")
def CCHC_KY(chu):
    """Kỳ báo cáo chuẩn hóa: «Quý I năm 2024» → 2024-Q1; 6 tháng → 2024-6M; năm → 2024-Y. Trống nếu không nhận ra."""
    return periods.normalise(None if chu is None else str(chu)) or ""
