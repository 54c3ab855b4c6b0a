"""The Excel side (cchc_xl.excel) against real xlwings Books, not hand-written fakes.

- xlwings' file reader (xw.Book(path, mode="r"), calamine) shows that the open-workbook route
  gives the reader the same grids, and so the same figures and cells, as the file route.
- xlwings' remote engine (the one xlwings Server runs) builds a Book from the JSON a client
  sends and records every action meant for Excel; the buttons run on it and the tests read the
  recorded actions: fills, notes, sheets written, the message box.
The remote engine is licensed under PolyForm Noncommercial, which covers government use; the
key "noncommercial" must be in the environment before xlwings is imported.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, time

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import xlsxwriter  # noqa: E402
import xlwings as xw  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from cchc_xl import catalog as catalog_module  # noqa: E402
from cchc_xl import cells, checks, excel, grid, reading, sources  # noqa: E402
from cchc_xl.findings import RULES  # noqa: E402
from cchc_xl.history import History  # noqa: E402
from cchc_xl.writing import guide, tables  # noqa: E402
from cchc_xl.writing.marked import RESULT_HEADER, RESULT_SHEET  # noqa: E402
from cchc_xl.writing import rollup_view  # noqa: E402
from cchc_xl.writing.rollup_view import FINDINGS_SHEET  # noqa: E402

from handmade import seed_rows, write_form  # noqa: E402

ENGINES = {engine.name for engine in xw.engines}
needs_remote = pytest.mark.skipif("remote" not in ENGINES, reason="xlwings remote engine not available")
needs_reader = pytest.mark.skipif("calamine" not in ENGINES, reason="xlwings file reader not available")

CATALOG = catalog_module.load("phu-luc-ii")
RED, YELLOW = excel.FILLS["error"], excel.FILLS["warning"]
PLANNED, DONE = "Số nhiệm vụ đề ra trong kế hoạch", "Số nhiệm vụ đã hoàn thành"


# ----- building Books -----

def remote_book(sheets: dict[str, list[list]], *, names=(), notes=None, name="CCHC-PhuLuc-II.xlsm",
                without_notes=(), hidden=()):
    """A Book of the remote engine from the JSON an Office.js client sends.

    sheets: name -> rows from A1 (None for an empty cell); names: (name, sheet, "C2") workbook
    names; notes: sheet -> addresses that carry a note; without_notes: sheets whose client

    cannot add notes (Excel refuses them on a protected sheet the same way); hidden: hidden sheets.
    """
    notes = notes or {}
    index = {sheet: position for position, sheet in enumerate(sheets)}
    payload = []
    for sheet, rows in sheets.items():
        width = max((len(row) for row in rows), default=0)
        values = [["" if cell is None else cell for cell in list(row) + [None] * (width - len(row))] for row in rows]
        payload.append({"name": sheet, "values": values or [[]], "pictures": [],
                        "visibility": "Hidden" if sheet in hidden else "Visible",
                        "tables": [], "shapes": [], "charts": [],
                        "notes": [{"address": address} for address in notes.get(sheet, ())],
                        **({"notes_supported": False} if sheet in without_notes else {})})
    return xw.Book(json={
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": [{"name": item, "sheet_index": index[sheet], "address": address, "book_scope": True,
                   "scope_sheet_name": None, "scope_sheet_index": None} for item, sheet, address in names],
        "sheets": payload,
    })


def actions(book, func: str) -> list[dict]:
    return [action for action in book.json()["actions"] if action["func"] == func]


def cell_of(action: dict) -> tuple[int, str]:
    """(sheet position, 'D8') of a range action."""
    return action["sheet_position"], cells.column_letter(action["start_column"]) + str(action["start_row"] + 1)


def sent(rows) -> list[list]:
    """Rows as the remote engine sends them to Excel: None as "", dates as text."""
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ").split(".")[0]
        return value
    return [[cell(value) for value in row] for row in rows]


def values_written(book, sheet_position: int) -> list[list]:
    return [action["values"] for action in actions(book, "setValues") if action["sheet_position"] == sheet_position]


def alert_text(book) -> tuple[str, str]:
    (alert,) = actions(book, "alert")
    prompt, title, _, mode, _ = alert["args"]
    return prompt, mode


def form_rows(changes: dict[str, object] | None = None) -> list[tuple]:
    """Seed 004 (xã Bình Yên, Quý I/2024) as typed, with figures changed by label or STT."""
    changes = changes or {}
    rows = []
    for stt, label, unit, value, note in seed_rows("004"):
        key = label if label in changes else stt.strip()
        rows.append((stt, label, unit, changes.get(key, value), note))
    return rows


def hand_made(path: Path, rows) -> tuple[Path, grid.Grid]:
    """A province-style file and the grid of its form sheet as the file reader sees it."""
    written = write_form(path, rows)
    form = next(g for g in sources.load(written).grids if g.name == "Sheet1")
    return written, form


def grid_cell(form: grid.Grid, label: str, column: int = 3) -> str:
    """The address of the 'Số liệu' cell on the line with `label`."""
    for r, row in enumerate(form.rows):
        if label in row:
            return f"{cells.column_letter(column)}{r + 1}"
    raise AssertionError(label)


# ----- the file reader Book: same grids, same figures -----

def plain(value):
    """Numbers compared as numbers: one engine gives 6, another 6.0."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def trimmed(rows):
    rows = [[plain(cell) for cell in row] for row in rows]
    rows = [row[: max((i + 1 for i, cell in enumerate(row) if cell is not None), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


@needs_reader
def test_open_workbook_gives_the_grids_and_figures_of_the_file_reader(tmp_path):
    rows = form_rows({"1.1.": "50", PLANNED: "06", DONE: 3})
    path = write_form(tmp_path / "binh-yen", rows, sheet_before="Báo cáo", start_row=3, start_col=2)
    book = xw.Book(path, mode="r")
    through_xlwings = excel.book_grids(book)
    from_file = sources.load(path)

    assert [g.name for g in through_xlwings.grids] == [g.name for g in from_file.grids] == ["Báo cáo", "Sheet1"]
    for ours, theirs in zip(through_xlwings.grids, from_file.grids):
        assert trimmed(ours.rows) == trimmed(theirs.rows)
    form = through_xlwings.grids[1]
    assert form.rows[2][:2] == [None, "ỦY BAN NHÂN DÂN"]  # used range starts at B3: padded, not shifted

    ours = reading.read_grids(through_xlwings, path)
    theirs = reading.read_workbook(path)
    assert ours.catalog.id == theirs.catalog.id == "phu-luc-ii"
    assert (ours.unit, ours.period) == (theirs.unit, theirs.period) == (theirs.unit, "2024-Q1")
    assert {k: (f.cell, plain(f.value)) for k, f in ours.figures.items()} == \
           {k: (f.cell, plain(f.value)) for k, f in theirs.figures.items()}
    assert ours.figures["1.1.a"].value == 6 and ours.figures["1.1.a"].cell.startswith("Sheet1!E")


# ----- Kiểm tra on the remote engine -----

@needs_remote
def test_kiem_tra_marks_the_cells_lists_the_findings_and_says_so(tmp_path):
    # 8 of 6 tasks done (lỗi on the part and on the percent), 5 typed on group row 1.3 (cảnh báo).
    path, form = hand_made(tmp_path / "binh-yen", form_rows({DONE: 8, "1.3.": 5}))
    book = remote_book({"Sheet1": form.rows})

    found = excel.kiem_tra(book)

    expected = checks.check(reading.read_workbook(path))
    assert [(f.rule, f.cell) for f in found] == [(f.rule, f.cell) for f in expected]
    done_cell, percent_cell = grid_cell(form, DONE), grid_cell(form, "Tỷ lệ hoàn thành kế hoạch CCHC năm (lũy kế đến thời điểm báo cáo)")
    group_cell = grid_cell(form, "Thực hiện nhiệm vụ Chủ tịch UBND huyện, UBND huyện giao")
    rules = {(f.rule, f.cell) for f in found}
    assert {("part-le-whole", f"Sheet1!{done_cell}"), ("percent-mismatch", f"Sheet1!{percent_cell}"),
            ("figure-on-group", f"Sheet1!{group_cell}")} <= rules

    fills = {cell_of(a): a["args"][0] for a in actions(book, "setRangeColor")}
    assert fills[(0, done_cell)] == RED and fills[(0, percent_cell)] == RED and fills[(0, group_cell)] == YELLOW
    assert set(fills) == {(0, f.cell.split("!")[1]) for f in found if f.cell}

    notes = {cell_of(a): a["args"][1] for a in actions(book, "addNote")}
    assert notes[(0, done_cell)].startswith("[lỗi] Số nhiệm vụ đã hoàn thành (8) lớn hơn Số nhiệm vụ đề ra trong kế hoạch (6).")
    assert notes[(0, group_cell)].startswith("[cảnh báo] Dòng 1.3 «Thực hiện nhiệm vụ")

    added = [a["args"] for a in actions(book, "addSheet")]
    assert [name for _, name in added] == ["_cchc", RESULT_SHEET]
    (results,) = values_written(book, 2)
    assert results[0] == list(RESULT_HEADER)
    assert [row[:2] for row in results[1:]] == [[{"error": "lỗi", "warning": "cảnh báo"}[f.severity], f.cell]
                                                for f in found]
    done_line = next(row for row in results if row[1] == f"Sheet1!{done_cell}")
    assert done_line[3] == DONE and done_line[5] == RULES["part-le-whole"].title

    (marks,) = values_written(book, 1)
    assert marks[0][0] == excel.MARKS_KEY
    assert [entry[0] for entry in json.loads(marks[0][1])] == [f.cell for f in found if f.cell][: len(json.loads(marks[0][1]))]

    prompt, mode = alert_text(book)
    errors = sum(f.severity == "error" for f in found)
    warnings = len(found) - errors
    assert prompt.startswith(f"Đã kiểm tra: {errors} lỗi, {warnings} cảnh báo. Xem sheet Kết quả kiểm tra.")
    assert f"Ô Sheet1!{percent_cell}" in prompt and mode == "critical"
    assert actions(book, "activateSheet")[-1]["args"] == [0]  # the form stays in front


@needs_remote
def test_kiem_tra_undoes_the_previous_run_and_keeps_other_notes(tmp_path):
    path, form = hand_made(tmp_path / "binh-yen", form_rows({"1.3.": 5}))
    planned, done, group = grid_cell(form, PLANNED), grid_cell(form, DONE), grid_cell(form, "Thực hiện nhiệm vụ Chủ tịch UBND huyện, UBND huyện giao")
    earlier = [[f"Sheet1!{planned}", "#FFF8DC", ""], [f"Sheet1!{done}", None, "Ghi chú của xã"]]
    meta_rows = [["tool", "something-else"], [excel.MARKS_KEY, json.dumps(earlier, ensure_ascii=False)]]
    # The group cell already carries someone's note: the remote engine cannot read a note's text.
    book = remote_book({"Sheet1": form.rows, "_cchc": meta_rows}, notes={"Sheet1": [planned, done, group]})

    found = excel.kiem_tra(book)

    colours = [(cell_of(a), a["args"][0]) for a in actions(book, "setRangeColor")]
    assert colours[:2] == [((0, planned), "#FFF8DC"), ((0, done), None)]  # fills as they were
    assert [cell_of(a) for a in actions(book, "deleteNote")] == [(0, planned)]  # our note removed
    assert [(cell_of(a), a["args"][1]) for a in actions(book, "setNoteText")] == [((0, done), "Ghi chú của xã")]
    assert ((0, group), YELLOW) in colours
    assert (0, group) not in {cell_of(a) for a in actions(book, "addNote")}  # someone's note left alone
    assert [f.rule for f in found] == ["figure-on-group"]
    written_marks = [json.loads(rows[0][1]) if rows[0][1] else [] for rows in values_written(book, 1)]
    assert written_marks == [[], [[f"Sheet1!{group}", None, None]]]
    assert alert_text(book)[0].startswith("Đã kiểm tra: 0 lỗi, 1 cảnh báo.")


@needs_remote
def test_kiem_tra_reads_the_tools_own_template_by_its_names(tmp_path):
    from openpyxl import load_workbook as open_xlsx
    from cchc_xl.writing.template import write_template

    blank = tmp_path / "CCHC-PhuLuc-II.xlsx"
    layout = write_template(CATALOG, blank, unit="UBND xã Bình Yên", period_text="Quý I năm 2024")
    filled = open_xlsx(blank)
    for row_id, value in {"1.1.a": 6, "1.1.b": 8, "1.3.1": "năm", "1.5": 3}.items():
        filled["Phụ lục"][layout.cell(row_id)] = value
    path = tmp_path / "binh-yen.xlsx"
    filled.save(path)
    from_file = sources.load(path)
    book = remote_book({g.name: g.rows for g in from_file.grids},
                       names=[(item, "Phụ lục", ref.split("!")[1].replace("$", ""))
                              for item, ref in from_file.defined_names.items() if item.startswith("CCHC_")],
                       without_notes=("Phụ lục",))

    found = excel.kiem_tra(book)

    column, row = layout.cell("1.1.b")[0], layout.cell("1.1.b")[1:]
    assert excel.defined_names(book)["CCHC_1_1_b"] == f"='Phụ lục'!${column}${row}"
    assert excel.read_meta(book)["tool"] == "cchc-xl"  # so the reader goes by the names
    expected = checks.check(reading.read_workbook(path))
    assert [(f.rule, f.cell) for f in found] == [(f.rule, f.cell) for f in expected]
    assert {(f.rule, f.cell) for f in found} >= {("part-le-whole", f"Phụ lục!{layout.cell('1.1.b')}"),
                                                  ("not-a-number", f"Phụ lục!{layout.cell('1.3.1')}"),
                                                  ("code-unknown", f"Phụ lục!{layout.cell('1.5')}")}
    fills = {cell_of(a)[1] for a in actions(book, "setRangeColor")}
    assert fills == {f.cell.split("!")[1] for f in found}
    assert actions(book, "addNote") == []  # this client cannot add notes: said in the message
    prompt, _ = alert_text(book)
    assert f"{len(fills)} ô không tô màu hoặc không gắn được ghi chú vì sheet đang khóa" in prompt


@needs_remote
def test_a_stray_value_far_down_is_not_read_whole_and_is_said(tmp_path):
    rows = [["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"], *[list(row) for row in form_rows()]]
    rows += [[None] * 5 for _ in range(grid.MAX_GRID_ROWS + 100 - len(rows))] + [[None, None, None, None, None, None, "x"]]
    book = remote_book({"Phụ lục": rows})
    workbook = excel.book_grids(book)
    assert len(workbook.grids[0].rows) == grid.MAX_GRID_ROWS and len(workbook.grids[0].rows[0]) == 7
    assert workbook.notes == [f"Trang tính «Phụ lục» có {grid.MAX_GRID_ROWS + 101:,} dòng, 7 cột; "
                              f"chỉ đọc {grid.MAX_GRID_ROWS:,} dòng, {grid.MAX_GRID_COLS} cột đầu".replace(",", ".")]
    found = excel.kiem_tra(book)
    assert [f.rule for f in found] == ["sheet-cut"]
    assert "Trang tính «Phụ lục»" in found[0].message


@needs_remote
def test_a_clean_form_gets_a_clean_message():
    rows = [["PHỤ LỤC"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"], [],
            ["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"],
            *[list(row) for row in form_rows()]]
    book = remote_book({"Phụ lục": rows})
    assert excel.kiem_tra(book) == []
    assert alert_text(book) == ("Đã kiểm tra: không có lỗi, không có cảnh báo.", "info")
    assert actions(book, "setRangeColor") == [] and actions(book, "addNote") == []
    (results,) = values_written(book, 1)
    assert results == sent([RESULT_HEADER, ["Không có lỗi hay cảnh báo nào.", None, None, None, None, None]])


def every_figure_negative() -> list[tuple]:
    """Seed 004 with -5 typed on every line: a lỗi or cảnh báo on each, a list of many pages."""
    return [(stt, label, unit, -5, note) for stt, label, unit, _, note in seed_rows("004")]


@needs_remote
def test_kiem_tra_fills_the_results_sheet_the_workbook_carries_and_prints_exactly_its_lines(tmp_path):
    """The shipped workbooks carry "Kết quả kiểm tra" hidden and laid out for print: the button keeps
    that layout (clears values, not formats), shows the sheet and sets the print area to the lines it
    wrote, however many; a workbook without the sheet gets one with the same print area."""
    _, form = hand_made(tmp_path / "sai", every_figure_negative())
    book = remote_book({"Sheet1": form.rows, RESULT_SHEET: [list(RESULT_HEADER)]}, hidden=(RESULT_SHEET,))

    found = excel.kiem_tra(book)

    assert len(found) > 100
    on_results = [a["func"] for a in book.json()["actions"] if a["sheet_position"] == 1]
    assert "sheetClearContents" in on_results and "sheetClear" not in on_results
    assert [a["args"] for a in actions(book, "setSheetVisibility") if a["sheet_position"] == 1] == [["Visible"]]
    (area,) = actions(book, "setPrintArea")
    assert area["sheet_position"] == 1 and area["args"] == [f"$A$1:$F${len(found) + 1}"]
    (written,) = values_written(book, 1)
    assert len(written) == len(found) + 1 and written[-1][4] == found[-1].message

    plain_book = remote_book({"Sheet1": form.rows})
    excel.kiem_tra(plain_book)
    assert [name for _, name in (a["args"] for a in actions(plain_book, "addSheet"))][-1] == RESULT_SHEET
    assert [a["args"] for a in actions(plain_book, "setPrintArea")] == [[f"$A$1:$F${len(found) + 1}"]]


@pytest.mark.libreoffice
@needs_remote
def test_a_long_results_list_prints_whole_one_page_wide_with_its_header_on_every_page(tmp_path):
    """The shipped workbook's results sheet as the button leaves it in Excel, printed by LibreOffice:
    every finding on A4 landscape pages one page wide, the header on each, no page without a finding."""
    import copy
    import re
    import subprocess

    import lo
    from cchc_xl.writing.marked import _wrapped_height

    _, form = hand_made(tmp_path / "sai", every_figure_negative())
    book = remote_book({"Sheet1": form.rows, RESULT_SHEET: [list(RESULT_HEADER)]}, hidden=(RESULT_SHEET,))
    found = excel.kiem_tra(book)
    (written,) = values_written(book, 1)
    (area,) = actions(book, "setPrintArea")

    shipped = load_workbook(Path(__file__).resolve().parents[1] / "workbook" / "CCHC-PhuLuc-II.xlsm")
    for other in [sheet for sheet in shipped.worksheets if sheet.title != RESULT_SHEET]:
        shipped.remove(other)
    sheet = shipped[RESULT_SHEET]
    assert sheet.sheet_state == "hidden" and sheet.page_setup.orientation == "landscape"
    for r, line in enumerate(written[1:], start=2):  # as Excel writes into the laid-out columns
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(r, c, value if value != "" else None)
            cell._style = copy.copy(sheet.column_dimensions[cell.column_letter]._style)
        sheet.row_dimensions[r].height = _wrapped_height(line)  # what the button's autofit gives
    sheet.sheet_state = "visible"
    sheet.print_area = area["args"][0].replace("$", "")
    printed = tmp_path / "ket-qua.xlsx"
    shipped.save(printed)

    pdf = lo.convert(printed, "pdf", tmp_path)
    count = int(re.search(r"Pages: +(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    pages = [" ".join(lo.pdf_text(pdf, page).split()) for page in range(1, count + 1)]
    assert count >= 3
    header = " ".join(RESULT_HEADER)
    assert all(page.startswith(header) and len(page) > len(header) + 100 for page in pages)
    text = " ".join(page.removeprefix(header) for page in pages)
    position = 0
    for finding in found:  # every finding, in order, none cut off
        position = text.index(finding.cell.split("!")[1], position)
    assert " ".join(found[-1].message.split()[-6:]) in pages[-1]


@needs_remote
def test_a_failure_is_a_vietnamese_message_box_not_a_traceback(tmp_path, monkeypatch):
    book = remote_book({"Sheet1": [["Danh sách cán bộ"], ["Nguyễn Văn A", 35]]})
    assert excel.kiem_tra(book) is None
    prompt, mode = alert_text(book)
    assert mode == "critical" and prompt.startswith("Không kiểm tra được: ")
    assert "không tìm thấy bảng Phụ lục" in prompt and "Traceback" not in prompt

    monkeypatch.setattr(excel, "LOG_FILE", tmp_path / "nhat-ky.log")
    monkeypatch.setattr(checks, "check", lambda submission: 1 / 0)
    book = remote_book({"Phụ lục": [["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"], *form_rows()]})
    assert excel.kiem_tra(book) is None
    prompt, mode = alert_text(book)
    assert "lỗi không lường trước" in prompt and str(tmp_path / "nhat-ky.log") in prompt
    assert "ZeroDivisionError" in (tmp_path / "nhat-ky.log").read_text("utf-8")
    assert "ZeroDivisionError" not in prompt


# ----- Tổng hợp on the remote engine -----

def commune(folder: Path, name: str, changes=None, period="QUÝ I NĂM 2024", file_name=None, modified=None) -> Path:
    title = ("PHỤ LỤC SỐ II", f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {period}",
             f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã {name})")
    from cchc_xl.periods import fold
    path = write_form(folder / (file_name or "-".join(fold(name).split())), form_rows(changes), title_lines=title,
                      national_lines=(("ỦY BAN NHÂN DÂN", f"XÃ {name.upper()}"),
                                      ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")))
    if modified is not None:
        os.utime(path, (modified, modified))
    return path


@needs_remote
def test_tong_hop_writes_the_rollup_sheets_and_names_rejected_and_missing_units(tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên", modified=1_700_000_000)
    commune(folder, "Bình Yên", {PLANNED: 7, DONE: 7, "1.1.": 100}, file_name="binh-yen-sua-lai", modified=1_700_100_000)
    commune(folder, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    commune(folder, "Điềm Mặc", period="6 THÁNG ĐẦU NĂM 2024")
    roster = [["Tên đơn vị phải nộp", None, "Thư mục"], ["UBND xã Bình Yên", None, str(folder)],
              ["UBND xã Phú Đình"], ["UBND xã Điềm Mặc"], ["UBND xã Sơn Phú"]]
    book = remote_book({"Phụ lục": [["PHỤ LỤC"]], "Danh sách đơn vị": roster,
                        "_cchc": [["tool", "cchc-xl"], ["kind", "template"], ["catalog", "phu-luc-ii"]]},
                       names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C2")], name="CCHC-TongHop.xlsm")

    result = excel.tong_hop(book)

    assert result is not None
    totals = result.rollup.totals()
    assert totals["1.1.a"] == 17 and totals["1.1.b"] == 9  # the later Bình Yên file, plus Phú Đình
    assert totals["1.1"] == pytest.approx(900 / 17)  # recomputed from the summed parts
    assert [Path(item.path).name for item in result.rejected] == ["diem-mac.xlsx"]
    assert "UBND xã Sơn Phú" in result.missing and "UBND xã Bình Yên" not in result.missing
    summary_text = alert_text(book)[0]
    assert "\n• diem-mac.xlsx: Kỳ báo cáo 6 tháng" in summary_text and "diem-mac.xlsx: diem-mac.xlsx" not in summary_text

    added = [name for _, name in (a["args"] for a in actions(book, "addSheet"))]
    assert added == list(tables.SHEETS)
    expected = tables.rollup_tables(result)
    for offset, name in enumerate(tables.SHEETS):
        (written,) = values_written(book, 3 + offset)
        assert written == sent([[excel.as_text(cell) for cell in row] + [None] * (len(written[0]) - len(row))
                                for row in expected[name]]), name
    summary = values_written(book, 3)[0]
    planned_line = next(row for row in summary if row[1] == PLANNED)
    assert planned_line[3] == 17 and "Tổng của 2 đơn vị" in planned_line[4]

    # Excel stores "'2024-Q1" as the text 2024-Q1: the apostrophe only says "this is text".
    meta_written = {rows[0][0]: "".join(str(cell).removeprefix("'") for cell in rows[0][1:] if cell)
                    for rows in values_written(book, 2)}
    assert meta_written["kind"] == "rollup" and meta_written["period"] == "2024-Q1"
    assert json.loads(meta_written["state"])  # the state a province merges again

    assert actions(book, "activateSheet")[-1]["args"] == [3]  # the combined Phụ lục in front
    prompt, mode = alert_text(book)
    assert prompt.startswith("Đã tổng hợp 2 đơn vị từ 4 tệp.")
    assert "diem-mac.xlsx" in prompt and "UBND xã Sơn Phú" in prompt and "binh-yen.xlsx" in prompt
    assert mode == "critical"


@needs_remote
def test_tong_hop_fills_the_laid_out_sheets_the_workbook_carries_and_prints_exactly_their_lines(tmp_path):
    """CCHC-TongHop.xlsm carries the roll-up's sheets hidden and laid out for print: Tổng hợp keeps that
    layout, shows each and sets its print area to the lines written; a Kiểm tra's marks on the previous
    roll-up are undone first (the sheets keep their formats now)."""
    from cchc_xl.vba.workbooks import rollup_layouts

    shipped = load_workbook(Path(__file__).resolve().parents[1] / "workbook" / "CCHC-TongHop.xlsm")
    laid_out = ["Tổng hợp"] + [layout.name for layout in rollup_layouts()]  # Tổng hợp: the form's own layout
    assert laid_out == [name for name in tables.SHEETS if name != "Chi tiết"]
    for name in laid_out:
        sheet = shipped[name]
        assert sheet.sheet_state == "hidden" and sheet.print_title_rows, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0, name  # one page wide
    assert shipped["Tổng hợp"].page_setup.orientation == "portrait"
    assert not shipped["Tổng hợp"].protection.sheet  # the button writes into the form's layout (test_rollup_book)

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên")
    commune(folder, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    roster = [["Tên đơn vị phải nộp", None, str(folder)]]
    earlier = json.dumps([["Tổng hợp!D9", None, ""]])
    sheets = {"Danh sách đơn vị": roster,
              "_cchc": [["tool", "cchc-xl"], ["kind", "template"], ["catalog", "phu-luc-ii"], [excel.MARKS_KEY, earlier]],
              **{name: [[None]] for name in laid_out}}
    book = remote_book(sheets, names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")], hidden=laid_out,
                       name=str(tmp_path / "CCHC-TongHop.xlsm"), notes={"Tổng hợp": ["D9"]})

    result = excel.tong_hop(book)

    assert result is not None
    assert [cell_of(a) for a in actions(book, "setRangeColor")][:1] == [(2, "D9")]  # the old mark undone
    assert [cell_of(a) for a in actions(book, "deleteNote")] == [(2, "D9")]
    written = tables.rollup_tables(result)
    areas = {a["sheet_position"]: a["args"][0] for a in actions(book, "setPrintArea")}
    shown = {a["sheet_position"] for a in actions(book, "setSheetVisibility") if a["args"] == ["Visible"]}
    funcs = [(a["func"], a["sheet_position"]) for a in book.json()["actions"]]
    for position, name in enumerate(laid_out, start=2):
        width = max(len(row) for row in written[name])
        assert areas[position] == f"$A$1:${cells.column_letter(width - 1)}${len(written[name])}", name
        assert position in shown and ("sheetClearContents", position) in funcs and ("sheetClear", position) not in funcs
    # Tổng hợp's rows get the heights the roll-up workbook gives them (merged titles never AutoFit)
    heights = {(a["start_row"], a["row_count"], *a["args"]) for a in actions(book, "setRowHeight") if a["sheet_position"] == 2}
    assert heights == {(first, end - first, height) for first, end, height in excel._runs(tables.summary_heights(result))}
    assert ("setAutofit", 2) not in funcs and ("setAutofit", 3) in funcs


@needs_remote
def test_tong_hop_of_another_form_writes_a_plain_tong_hop_sheet(tmp_path):
    """CCHC-TongHop.xlsm lays "Tổng hợp" out for its own form: the files of another form are rolled up on
    the sheet cleared of that layout (its merged cells and borders would not fit their rows)."""
    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên")
    sheets = {"Danh sách đơn vị": [["Tên đơn vị phải nộp", None, str(folder)]],
              "_cchc": [["tool", "cchc-xl"], ["kind", "template"], ["catalog", "phu-luc-01b"]],
              **{name: [[None]] for name in tables.SHEETS}}
    book = remote_book(sheets, names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")],
                       name=str(tmp_path / "CCHC-TongHop.xlsm"))
    assert excel.tong_hop(book) is not None
    funcs = [(a["func"], a["sheet_position"]) for a in book.json()["actions"]]
    assert ("sheetClear", 2) in funcs and ("sheetClearContents", 2) not in funcs
    assert not [a for a in actions(book, "setRowHeight") if a["sheet_position"] == 2] and ("setAutofit", 2) in funcs


def test_the_printed_sheets_box_and_colour_the_lines_a_button_writes(tmp_path):
    """The buttons write values only: the sheets they fill box each line written and colour a lỗi, a cảnh báo
    and a unit's status as the roll-up workbook colours them, by conditional formats the workbooks carry."""
    from cchc_xl.vba.workbooks import PRINTED_LINES, build_all
    from cchc_xl.writing.rollup_book import STATUS_FILLS

    build_all(tmp_path)

    def rules(book, name):
        found = {}
        for area in book[name].conditional_formatting:
            for rule in area.rules:
                colour = rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill else None
                found[(str(area.sqref), rule.type, tuple(rule.formula))] = (colour, rule.dxf.border.left.style
                                                                            if rule.dxf and rule.dxf.border else None)
        return found

    def argb(colour):
        return "FF" + colour.lstrip("#").upper()

    rollup = load_workbook(tmp_path / "CCHC-TongHop.xlsm")
    form = load_workbook(tmp_path / "CCHC-PhuLuc-II.xlsm")
    error, warning = excel.FILLS["error"], excel.FILLS["warning"]
    findings = rules(rollup, FINDINGS_SHEET)
    assert findings[(f"A1:H{PRINTED_LINES + 1}", "expression", ("COUNTA($A1:$H1)>0",))] == (None, "thin")
    assert findings[(f"F2:F{PRINTED_LINES + 1}", "cellIs", ('"lỗi"',))] == (argb(error), "thin")
    priorities = {kind: [rule.priority for area in rollup[FINDINGS_SHEET].conditional_formatting for rule in area.rules
                         if rule.type == kind] for kind in ("cellIs", "expression")}
    assert max(priorities["cellIs"]) < min(priorities["expression"])  # LibreOffice applies the first that holds
    assert findings[(f"F2:F{PRINTED_LINES + 1}", "cellIs", ('"cảnh báo"',))][0] == argb(warning)
    submissions = rules(rollup, "Tình hình nộp")
    assert submissions[(f"A4:F{PRINTED_LINES + 4}", "expression", ("COUNTA($A4:$F4)>0",))] == (None, "thin")
    for status, (fill, _font) in STATUS_FILLS.items():
        assert submissions[(f"C5:C{PRINTED_LINES + 4}", "cellIs", (f'"{rollup_view.STATUS_VI[status]}"',))][0] == argb(fill)
    results = rules(form, RESULT_SHEET)
    assert results[(f"A2:A{PRINTED_LINES + 1}", "cellIs", ('"lỗi"',))][0] == argb(error)


@needs_remote
def test_tong_hop_compares_with_the_history_beside_the_workbook_and_records_the_period(tmp_path):
    office, q1, q2 = tmp_path / "phong-noi-vu", tmp_path / "quy-1", tmp_path / "quy-2"
    for folder in (office, q1, q2):
        folder.mkdir()
    commune(q1, "Bình Yên", {PLANNED: 10, DONE: 6, "1.1.": 60})
    commune(q1, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    commune(q2, "Bình Yên", {PLANNED: 10, DONE: 4, "1.1.": 40}, period="QUÝ II NĂM 2024")  # done since January: fell
    commune(q2, "Phú Đình", {PLANNED: 10, DONE: 3, "1.1.": 30}, period="QUÝ II NĂM 2024")

    def saved_book(folder: Path, name=str(office / "CCHC-TongHop.xlsm")):
        return remote_book({"Phụ lục": [["PHỤ LỤC"]], "Danh sách đơn vị": [["Tên đơn vị", None, str(folder)]],
                            "_cchc": [["tool", "cchc-xl"], ["kind", "template"], ["catalog", "phu-luc-ii"]]},
                           names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")], name=name)

    history = office / "lich-su-so-lieu.sqlite"  # where `cchc-xl merge -o` of this workbook keeps it
    first = saved_book(q1)
    assert excel.tong_hop(first) is not None
    assert f"Đã ghi số liệu 2 đơn vị vào lịch sử số liệu {history}." in alert_text(first)[0]

    second = saved_book(q2)
    result = excel.tong_hop(second)
    drops = [(unit.unit, finding.ids) for unit in result.rollup.units for finding in unit.findings
             if finding.rule == "cumulative-drop"]
    assert drops == [("UBND xã Bình Yên", ("1.1.b",))]
    (findings_sheet,) = values_written(second, 3 + tables.SHEETS.index(FINDINGS_SHEET))
    shown = [line for line in findings_sheet if "Số lũy kế giảm so với kỳ trước" in line]
    assert len(shown) == 1 and shown[0][1] == "UBND xã Bình Yên"
    assert "Quý II năm 2024 ghi 4 (tệp binh-yen.xlsx), nhỏ hơn Quý I năm 2024 ghi 6" in " ".join(map(str, shown[0]))
    prompt, _ = alert_text(second)
    assert "1 đơn vị có số liệu khác thường so với các kỳ trước (xem sheet Kiểm tra): UBND xã Bình Yên." in prompt
    assert prompt.endswith(f"Đã ghi số liệu 2 đơn vị vào lịch sử số liệu {history}.")
    with History(history) as store:
        assert sorted((r.unit, r.period) for r in store.reports()) == [
            ("UBND xã Bình Yên", "2024-Q1"), ("UBND xã Bình Yên", "2024-Q2"),
            ("UBND xã Phú Đình", "2024-Q1"), ("UBND xã Phú Đình", "2024-Q2")]

    unsaved = saved_book(q2, name="Book1")  # never saved: no folder to keep a history in
    assert excel.tong_hop(unsaved) is not None
    assert alert_text(unsaved)[0].endswith("Tệp này chưa được lưu nên chưa so sánh với các kỳ trước và chưa ghi "
                                           "lịch sử số liệu. Hãy lưu tệp (Ctrl+S) rồi bấm Tổng hợp lại.")
    assert not Path("lich-su-so-lieu.sqlite").exists()


@needs_remote
def test_tong_hop_without_a_folder_says_what_to_do(tmp_path):
    book = remote_book({"Danh sách đơn vị": [["Tên đơn vị"], [None, None, str(tmp_path / "khong-co")]]},
                       names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C2")])
    assert excel.tong_hop(book) is None
    prompt, mode = alert_text(book)
    assert prompt == f"Không tìm thấy thư mục «{tmp_path / 'khong-co'}». Hãy bấm Tổng hợp và chọn lại thư mục."
    assert mode == "critical"
    book = remote_book({"Sheet1": [["x"]]})
    assert excel.tong_hop(book) is None
    assert "CCHC_THU_MUC" in alert_text(book)[0]
    empty = tmp_path / "trong"
    empty.mkdir()
    (empty / "ghi-chu.txt").write_text("không phải bảng tính", "utf-8")
    book = remote_book({"Danh sách đơn vị": [["Tên đơn vị"], [None, None, str(empty)]]},
                       names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C2")])
    assert excel.tong_hop(book) is None
    assert alert_text(book)[0].startswith("Không tổng hợp được: Không có tệp nào")
    (empty / "hong.xlsx").write_bytes(b"garbage")
    book = remote_book({"Danh sách đơn vị": [["Tên đơn vị"], [None, None, str(empty)]]},
                       names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C2")])
    assert excel.tong_hop(book) is None
    assert alert_text(book)[0].endswith("\n• hong.xlsx: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods); "
                                        "hãy mở tệp bằng Excel, lưu lại rồi gửi lại")


# ----- writing values safely -----

@needs_remote
def test_text_from_submissions_stays_text():
    book = remote_book({"Sheet1": [["x"]]})
    excel.write_table(book, "Bảng", [["=HYPERLINK(\"http://x\")", "1.730", "06", "+84", "true", "UBND xã A", 5, 2.5],
                                     ["x" * 40_000]])
    (rows,) = values_written(book, 1)
    assert rows[0] == ["'=HYPERLINK(\"http://x\")", "'1.730", "'06", "'+84", "'true", "UBND xã A", 5, 2.5]
    assert len(rows[1][0]) == 32_767 and rows[1][1:] == [""] * 7


# ----- cell functions -----

def test_cchc_tyle_rounds_like_the_form():
    assert excel.CCHC_TYLE(3, 6) == 50
    assert excel.CCHC_TYLE(2230, 2241) == 99.51
    assert excel.CCHC_TYLE(1, 3) == 33.33 and excel.CCHC_TYLE(2, 3) == 66.67
    assert excel.CCHC_TYLE(1, 8, 1) == 12.5 and excel.CCHC_TYLE(1, 16, 1) == 6.3  # halves away from zero
    assert excel.CCHC_TYLE("1.868", "1.886") == 99.05
    assert excel.CCHC_TYLE(5.0, 0.0) == "" and excel.CCHC_TYLE(5, None) == "" and excel.CCHC_TYLE(None, 6) == ""
    assert excel.CCHC_TYLE(5, "-") == "" and excel.CCHC_TYLE("abc", 6) == ""


def test_cchc_so_reads_vietnamese_figures():
    assert excel.CCHC_SO("1.730") == 1730
    assert excel.CCHC_SO("91,3") == 91.3
    assert excel.CCHC_SO("99,53%") == 99.53
    assert excel.CCHC_SO("06") == 6 and excel.CCHC_SO(12.0) == 12
    assert excel.CCHC_SO(None) == "" and excel.CCHC_SO("-") == "" and excel.CCHC_SO("nt") == ""
    assert excel.CCHC_SO("mười") == "Không đọc được «mười» thành số"


def test_cchc_ky_normalises_periods():
    assert excel.CCHC_KY("QUÝ I NĂM 2024") == "2024-Q1"
    assert excel.CCHC_KY("6 tháng đầu năm 2021") == "2021-6M"
    assert excel.CCHC_KY("tháng 3") == "" and excel.CCHC_KY(None) == ""


TABLE = [["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"], *[list(row) for row in form_rows({DONE: 8})]]


def test_cchc_kiemtra_on_plain_values_names_the_cells():
    lines = [line for (line,) in excel.CCHC_KIEMTRA(TABLE)]
    # Header on row 1, then "1." on row 2, "1.1." on row 3, "Trong đó" on 4, the tasks done on 5.
    assert any(line.startswith("Lỗi ô D5: Số nhiệm vụ đã hoàn thành (8) lớn hơn Số nhiệm vụ đề ra") for line in lines)
    assert any(line.startswith("Lỗi ô D3: Dòng 1.1 «Tỷ lệ hoàn thành kế hoạch") for line in lines)
    assert excel.CCHC_KIEMTRA([[line for line in row] for row in TABLE[:1]]) != [["Không có lỗi, không có cảnh báo."]]
    clean = [["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"], *[list(row) for row in form_rows()]]
    assert excel.CCHC_KIEMTRA(clean) == [["Không có lỗi, không có cảnh báo."]]


@needs_remote
def test_cchc_kiemtra_on_a_range_names_the_cells_of_the_sheet():
    book = remote_book({"Phụ lục": [["PHỤ LỤC"], [], *[[None, *row] for row in TABLE]]})
    table = book.sheets["Phụ lục"].range((3, 2), (2 + len(TABLE), 6))
    lines = [line for (line,) in excel.CCHC_KIEMTRA(table)]
    # The table starts at B3: the tasks done are four rows below its header, in column E.
    assert any(line.startswith("Lỗi ô E7: Số nhiệm vụ đã hoàn thành (8) lớn hơn") for line in lines)


def test_cchc_kiemtra_on_something_else_says_so():
    (line,) = excel.CCHC_KIEMTRA([["abc"]])[0]
    assert line.startswith("Không kiểm tra được vùng đã chọn: ") and "không tìm thấy bảng Phụ lục" in line


# ----- the guide -----

def test_docs_guide_is_the_guide_the_workbooks_carry():
    docs = Path(__file__).resolve().parents[1] / "docs" / "huong-dan.md"
    assert docs.read_text("utf-8") == guide.guide_markdown()


def test_guide_explains_every_message_and_every_cell_function():
    text = guide.guide_markdown()
    for rule in RULES.values():
        assert rule.title in text
    assert all(code in guide.RULE_ADVICE for code in RULES)
    for name in (name for name in dir(excel) if name.startswith("CCHC_")):
        assert f"{name}(" in text
    for step in ("Add python.exe to PATH", "pip install cchc-xl", "cchc-xl excel-setup", "Enable Content",
                 "Unblock", "Trusted Locations", "d4f940ab-401b-4efc-aadc-ad5f3c50688a", "Action blocked",
                 "Bật nội dung", "Trust access to the VBA project", "CCHC-TongHop.xlsm", "Tình hình nộp",
                 "khác kỳ báo cáo", "Tệp trùng đơn vị", "Danh sách đơn vị", "cchc-xl merge"):
        assert step in text, step


def test_guide_names_every_kind_of_commune_level_unit():
    """A đặc khu (special zone) is a commune-level unit since the 2025 law: the guide says so where it says
    who reports, how to name the units that must report and which rows commune-level UBND must fill."""
    text = guide.guide_markdown()
    who = next(line for line in text.splitlines() if line.startswith("## 2."))
    assert all(level in who for level in ("xã", "phường", "thị trấn", "đặc khu"))
    assert "«UBND đặc khu Côn Đảo»" in text and "xã, phường, thị trấn và đặc khu" in text


def test_guide_sheet_reads_well(tmp_path):
    path = tmp_path / "guide.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    guide.write_guide_sheet(workbook)
    workbook.close()
    sheet = load_workbook(path)[guide.GUIDE_SHEET]
    texts = [cell for cell in sheet["B"] if cell.value]
    assert texts[0].value == guide.TITLE
    assert all(cell.font.name == "Times New Roman" and cell.alignment.wrap_text for cell in texts)
    assert sheet.column_dimensions["B"].width >= 90
    written = "\n".join(cell.value for cell in texts)
    for section in guide.SECTIONS:
        assert section.title in written
    assert "cchc-xl excel-setup" in written and "=CCHC_TYLE(3; 6)" in written
    long_line = next(cell for cell in texts if len(cell.value) > 300)
    assert sheet.row_dimensions[long_line.row].height >= 3 * 12  # wrapped text gets its lines


# ----- Báo cáo -----

def rollup_book(tmp_path, book_folder: Path):
    """A roll-up workbook as Tổng hợp leaves it: the _cchc state of two communes, one roster unit missing."""
    from cchc_xl import meta as meta_module
    from cchc_xl.writing.rollup_view import rollup_metadata

    units = tmp_path / "nop"
    units.mkdir(exist_ok=True)
    commune(units, "Bình Yên")
    commune(units, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    from cchc_xl import merging
    result = merging.merge([str(units)], roster=["UBND xã Bình Yên", "UBND xã Phú Đình", "UBND xã Sơn Phú"],
                           parent_unit="UBND huyện Định Hóa", jobs=1)
    book_folder.mkdir(parents=True, exist_ok=True)
    rows = meta_module.encode(rollup_metadata(result))
    book = remote_book({"Tổng hợp": [["PHỤ LỤC"]], "Danh sách đơn vị": [["Tên đơn vị", None, str(units)]],
                        "_cchc": rows}, names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")],
                       name=str(book_folder / "CCHC-TongHop.xlsm"))
    return book, result


@needs_remote
def test_bao_cao_writes_the_word_report_beside_the_workbook(tmp_path):
    from docx import Document

    book, result = rollup_book(tmp_path, tmp_path / "tong-hop")
    target = excel.bao_cao(book)
    assert target == tmp_path / "tong-hop" / "BaoCao-CCHC-2024-Q1.docx" and target.exists()
    lines = [paragraph.text for paragraph in Document(str(target)).paragraphs]
    assert "- Đơn vị chưa gửi báo cáo (1): UBND xã Sơn Phú." in lines
    assert f"- Kế hoạch CCHC năm đề ra {result.rollup.totals()['1.1.a']} nhiệm vụ" in " ".join(lines)
    prompt, mode = alert_text(book)
    assert prompt.startswith(f"Đã viết báo cáo: {target}") and "UBND xã Sơn Phú" in prompt and mode == "critical"
    again, _ = rollup_book(tmp_path, tmp_path / "tong-hop")
    assert excel.bao_cao(again) == tmp_path / "tong-hop" / "BaoCao-CCHC-2024-Q1 (2).docx"  # never over the first
    assert target.stat().st_size > 0


@needs_remote
def test_bao_cao_keeps_the_report_out_of_the_units_folder(tmp_path):
    book, _ = rollup_book(tmp_path, tmp_path / "nop")  # the workbook saved among the units' files
    target = excel.bao_cao(book)
    assert target.parent == tmp_path and target.exists()  # the next Tổng hợp must not read it as a unit


@needs_remote
def test_bao_cao_before_tong_hop_says_what_to_do(tmp_path):
    book = remote_book({"Phụ lục": [["PHỤ LỤC"]], "_cchc": [["tool", "cchc-xl"], ["kind", "template"]]},
                       name=str(tmp_path / "CCHC-TongHop.xlsm"))
    assert excel.bao_cao(book) is None
    assert alert_text(book) == ("Tệp này chưa có số liệu tổng hợp. Hãy bấm Tổng hợp trước, rồi bấm Báo cáo.", "critical")
    assert not list(tmp_path.glob("*.docx"))


# ----- Kiểm tra of a roll-up -----

def excel_holds(rows) -> list[list]:
    """Rows as Excel holds what write_table assigned: the apostrophe that kept a text text is not part of it."""
    held = [[excel.as_text(cell) for cell in row] for row in rows]
    return [[cell.removeprefix("'") if isinstance(cell, str) else cell for cell in row] for row in held]


def after_tong_hop(tmp_path: Path, change=lambda sheets: None):
    """CCHC-TongHop.xlsm as Tổng hợp leaves it (the sheets and the state the button wrote), then `change`d
    by hand; the roll-up sheets at positions 3 onwards."""
    from cchc_xl import meta as meta_module
    from cchc_xl.writing.rollup_view import rollup_metadata

    folder = tmp_path / "nop"
    folder.mkdir(parents=True)
    commune(folder, "Bình Yên", {PLANNED: 7, DONE: 7, "1.1.": 100})
    commune(folder, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    roster = [["Tên đơn vị phải nộp", None, str(folder)], ["UBND xã Bình Yên"], ["UBND xã Phú Đình"]]
    template = [["tool", "cchc-xl"], ["kind", "template"], ["catalog", "phu-luc-ii"], ["unit", "UBND huyện Định Hóa"]]
    name = str(tmp_path / "CCHC-TongHop.xlsm")
    pressed = remote_book({"Phụ lục": [["PHỤ LỤC"]], "Danh sách đơn vị": roster, "_cchc": template},
                          names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")], name=name)
    result = excel.tong_hop(pressed)
    sheets = {"Phụ lục": [["PHỤ LỤC"]], "Danh sách đơn vị": roster,
              "_cchc": excel_holds(meta_module.encode(rollup_metadata(result))),
              **{sheet: excel_holds(rows) for sheet, rows in tables.rollup_tables(result).items()}}
    change(sheets)
    return remote_book(sheets, names=[("CCHC_THU_MUC", "Danh sách đơn vị", "C1")], name=name)


@needs_remote
def test_kiem_tra_of_the_rollup_tong_hop_wrote_checks_it_clean_and_says_what_was_checked(tmp_path):
    book = after_tong_hop(tmp_path)
    assert excel.kiem_tra(book) == []
    assert alert_text(book) == ("Đã kiểm tra: không có lỗi, không có cảnh báo.\n" + excel.ROLLUP_CHECKED, "info")
    assert "«Tổng hợp»" in excel.ROLLUP_CHECKED and "«Chi tiết»" in excel.ROLLUP_CHECKED
    assert actions(book, "setRangeColor") == [] and actions(book, "addNote") == []


@needs_remote
def test_kiem_tra_in_the_rollup_workbook_before_tong_hop_says_to_press_tong_hop_first():
    """The shipped CCHC-TongHop.xlsm as it opens: its blank form would list only the rows it requires."""
    shipped = sources.load(Path(__file__).resolve().parents[1] / "workbook" / "CCHC-TongHop.xlsm")

    def opened():
        return remote_book({g.name: g.rows for g in shipped.grids}, hidden=[g.name for g in shipped.grids if g.hidden],
                           names=[(item, "Phụ lục", ref.split("!")[1].replace("$", ""))
                                  for item, ref in shipped.defined_names.items() if ref.startswith("'Phụ lục'!")])

    book = opened()
    assert excel.kiem_tra(book) is None
    assert alert_text(book) == ("Tệp tổng hợp này chưa có số liệu. Hãy bấm Tổng hợp trước; sau đó bấm Kiểm tra để "
                                "đối chiếu sheet «Tổng hợp» và «Chi tiết» với số liệu từ tệp của các đơn vị.", "critical")
    assert actions(book, "setValues") == []
    # figures the district typed into that form are checked as a form's
    next(row for row in shipped.grids[0].rows if PLANNED in row)[3] = 5
    typed = opened()
    assert [f.rule for f in excel.kiem_tra(typed)] == ["required-missing", "required-missing"]
    assert alert_text(typed)[0].startswith("Đã kiểm tra: 2 lỗi, 0 cảnh báo.")


@needs_remote
def test_kiem_tra_of_a_rollup_typed_over_marks_the_cell_and_names_the_units_left_off_chi_tiet(tmp_path):
    """The district officer "corrects" a total of the roll-up and deletes a commune's line from "Chi
    tiết", then clicks Kiểm tra: the same findings as `cchc-xl check` of the roll-up, shown the way
    the button shows findings."""
    typed_at = {}

    def correct_by_hand(sheets):
        summary = sheets[tables.SHEETS[0]]
        typed_at["row"] = next(r for r, row in enumerate(summary, start=1) if len(row) > 1 and row[1] == PLANNED)
        summary[typed_at["row"] - 1][3] = 140
        detail = sheets[tables.SHEETS[1]]
        assert detail[2][0] == "UBND xã Bình Yên"
        del detail[2]

    book = after_tong_hop(tmp_path, correct_by_hand)
    found = excel.kiem_tra(book)

    cell = f"Tổng hợp!D{typed_at['row']}"
    assert [(f.rule, f.severity, f.cell, f.value, f.expected) for f in found] == [
        ("rollup-typed-over", "error", cell, 140, 17), ("rollup-unit-unlisted", "warning", None, None, None)]
    assert "«UBND xã Bình Yên»" in found[1].message
    fills = {cell_of(a): a["args"][0] for a in actions(book, "setRangeColor")}
    assert fills == {(3, f"D{typed_at['row']}"): RED}
    (note,) = [a["args"][1] for a in actions(book, "addNote")]
    assert note.startswith("[lỗi] Dòng «Số nhiệm vụ đề ra") and "bản tổng hợp ghi 140" in note
    (results,) = [rows for rows in values_written(book, 8)]
    assert [row[:2] for row in results[1:]] == [["lỗi", cell], ["cảnh báo", ""]]
    prompt, mode = alert_text(book)
    assert prompt.startswith(f"Đã kiểm tra: 1 lỗi, 1 cảnh báo. Xem sheet {RESULT_SHEET}.\n{excel.ROLLUP_CHECKED}\n")
    assert f"• Ô {cell} (lỗi): " in prompt and mode == "critical"


@needs_remote
def test_kiem_tra_of_the_rollup_merge_wrote_finds_what_cchc_xl_check_finds(tmp_path):
    from cchc_xl import cli
    from cchc_xl.commands.check import check_file

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên", {PLANNED: 7, DONE: 7, "1.1.": 100})
    commune(folder, "Phú Đình", {PLANNED: 10, DONE: 2, "1.1.": 20})
    merged = tmp_path / "tong-hop.xlsx"
    assert cli.main(["merge", str(folder), "-o", str(merged), "--no-history", "--unit", "UBND huyện Định Hóa"]) == 0
    edited = load_workbook(merged)
    summary_cell = edited.defined_names["CCHC_1_1_a"].attr_text.replace("$", "").split("!")[1]
    edited["Tổng hợp"][summary_cell] = 140
    edited["Chi tiết"].delete_rows(3)
    edited.save(merged)
    from_file = sources.load(merged)
    book = remote_book({g.name: g.rows for g in from_file.grids},
                       names=[(item, "Tổng hợp", ref.split("!")[1].replace("$", ""))
                              for item, ref in from_file.defined_names.items() if item.startswith("CCHC_")])

    found = excel.kiem_tra(book)

    expected = check_file(merged).findings
    assert {f.rule for f in expected} == {"rollup-typed-over", "rollup-unit-unlisted"}
    assert [(f.rule, f.cell, f.message) for f in found] == [(f.rule, f.cell, f.message) for f in expected]
    assert found[0].cell == f"Tổng hợp!{summary_cell}"
