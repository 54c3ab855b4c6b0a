import json
import re
import time
import zipfile
from datetime import datetime
from fractions import Fraction
from importlib import resources

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cchc_xl import catalog as catalogs
from cchc_xl import findings
from cchc_xl.merging import Duplicate, MergeResult, Rejected, RosterEntry
from cchc_xl.rollup import Rollup, UnitReport, from_units
from cchc_xl.submission import META_SHEET, defined_name
from cchc_xl.writing.rollup_book import write_rollup_workbook
from cchc_xl.submission import SUMMARY_SHEET
from cchc_xl.writing.rollup_view import (CHARTS_SHEET, DETAIL_SHEET, FINDINGS_SHEET, SUBMISSIONS_SHEET,
                                         UNIT_NOTES_SHEET, chart_groups, unit_percent)

CHARTS = {"1.1": "Tỷ lệ hoàn thành kế hoạch CCHC",
          "3.2.4": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
          "3.4.1": "Tỷ lệ hồ sơ giải quyết đúng hạn",
          "3.4.2": "Tỷ lệ hồ sơ giải quyết đúng hạn"}
MODIFIED = datetime(2024, 3, 18, 9, 30).timestamp()


def charted_catalog():
    """phu-luc-ii with chart titles on four percent rows, as a catalog file would carry them."""
    data = json.loads(resources.files("cchc_xl.schema.catalogs").joinpath("phu-luc-ii.json").read_text("utf-8"))
    for row in data["rows"]:
        if row["id"] in CHARTS:
            row["chart"] = CHARTS[row["id"]]
    return catalogs.from_data(data, "phu-luc-ii+charts")


def unit(name, values, *, notes=None, found=(), texts=None, path=None):
    return UnitReport(unit=name, path=path or f"nop/{name}.xlsx", modified=MODIFIED, period="2024-Q1",
                      values=values, notes=notes or {}, cells={k: f"Phụ lục!D{10 + i}" for i, k in enumerate(values)},
                      findings=list(found), texts=texts or {})


def commune_values(planned, done, received, online, resolved, on_time, dialogue, lgsp, procedures):
    return {"1.1.a": planned, "1.1.b": done, "3.2.4.a": received, "3.2.4.b": online,
            "3.4.2.a": resolved, "3.4.2.b": on_time, "1.5": dialogue, "7.4": lgsp, "3.1.3.b": procedures,
            "4.2.1": 19}


def sample_result():
    """Three communes, one with findings, plus a missing, a rejected and a superseded file."""
    catalog = charted_catalog()
    part_gt_whole = findings.make("part-le-whole", ["3.4.2.b", "3.4.2.a"], "Phụ lục!D74",
                                  left_label="Số hồ sơ TTHC giải quyết đúng hạn", left=12,
                                  right_label="Tổng số hồ sơ TTHC đã giải quyết xong", right=10)
    odd_unit = findings.make("unit-differs", ["1.1.a"], "Phụ lục!C9", stt="", label="Số nhiệm vụ",
                             value="%", expected="Nhiệm vụ")
    units = [
        unit("UBND xã Bình Yên", commune_values(6, 3, 351, 351, 348, 348, 0, 2, 118),
             notes={"1.1.b": "=HYPERLINK(\"http://x\",\"y\")"}),
        unit("UBND xã Trung Hội", commune_values(8, 8, 200, 150, 190, 180, 1, 1, 118),
             found=[part_gt_whole, odd_unit], texts={}),
        unit("=1+1", commune_values(10, 5, 100, 20, 100, 90, 1, 0, 120), notes={"3.1.3.b": "Danh mục riêng"}),
    ]
    rollup = from_units(catalog, units, "2024-Q1")
    # As merging reports them: a unit that sent two files is "duplicate" with the file used.
    roster = [RosterEntry("Xã Bình Yên", "duplicate", "nop/UBND xã Bình Yên.xlsx", MODIFIED),
              RosterEntry("Xã Trung Hội", "submitted", "nop/UBND xã Trung Hội.xlsx", MODIFIED),
              RosterEntry("Xã Phú Đình", "missing", None, None),
              RosterEntry("Xã Điềm Mặc", "rejected", "nop/diem-mac.xlsx", MODIFIED),
              RosterEntry("=1+1", "submitted", "nop/=1+1.xlsx", MODIFIED, in_roster=False)]
    return MergeResult(
        rollup=rollup, parent_unit="UBND huyện Định Hóa",
        rejected=[Rejected("nop/diem-mac.xlsx", "Kỳ báo cáo là 6 tháng năm 2024, không phải Quý I năm 2024")],
        duplicates=[Duplicate("UBND xã Bình Yên", "nop/UBND xã Bình Yên.xlsx", ["nop/binh-yen-cu.xlsx"])],
        missing=["Xã Phú Đình"], roster=roster, inputs=5)


@pytest.fixture(scope="module")
def result():
    return sample_result()


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("rollup") / "tong-hop.xlsx"
    write_rollup_workbook(result, path)
    return path


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written)


def figure_cell(book, row_id):
    sheet_name, cell = next(iter(book.defined_names[defined_name(row_id)].destinations))
    return book[sheet_name][cell.replace("$", "")]


def row_of(sheet, stt):
    return next(row for row in sheet.iter_rows(min_row=1) if row[0].value == stt)


def test_sheet_names_and_order(book):
    assert book.sheetnames == [SUMMARY_SHEET, DETAIL_SHEET, FINDINGS_SHEET, SUBMISSIONS_SHEET, CHARTS_SHEET,
                               UNIT_NOTES_SHEET, META_SHEET]
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert book.active.title == SUMMARY_SHEET


def test_title_names_parent_unit_and_period(book):
    sheet = book[SUMMARY_SHEET]
    lines = [sheet.cell(row, 1).value for row in range(1, 4)]
    assert lines == ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
                     "(Kèm theo Báo cáo số …/BC-UBND ngày … của UBND huyện Định Hóa)"]


def test_summed_and_recomputed_figures_sit_in_the_so_lieu_cells(book):
    assert figure_cell(book, "1.1.a").value == 24
    assert figure_cell(book, "1.1.b").value == 16
    assert figure_cell(book, "3.2.4.a").value == 651
    assert figure_cell(book, "4.2.1").value == 57
    percent = figure_cell(book, "1.1")  # the roll-up's own value: its parts are combined over complete units only
    assert percent.data_type == "n" and percent.value == pytest.approx(66.67)
    sheet = book[SUMMARY_SHEET]
    assert figure_cell(book, "3.4.2.b").coordinate == "D" + str(row_of(sheet, "3.4.2.")[0].row + 2)


def test_recomputed_percent_cached_value(written):
    values = openpyxl.load_workbook(written, data_only=True)
    assert values[SUMMARY_SHEET][figure_cell(values, "1.1").coordinate].value == pytest.approx(66.67)
    assert values[SUMMARY_SHEET][figure_cell(values, "3.4.2").coordinate].value == pytest.approx(96.87, abs=0.01)  # 618 / 638


def test_yes_no_codes_and_common_rows(book):
    assert figure_cell(book, "1.5").value == "2/3 đơn vị"
    assert figure_cell(book, "7.4").value == "Chưa: 1\nĐang làm: 1\nHoàn thành: 1"  # one answer a line
    assert figure_cell(book, "3.1.3.b").value == 118
    note = book[SUMMARY_SHEET].cell(figure_cell(book, "3.1.3.b").row, 5).value
    assert "Giá trị chung 118" in note and "=1+1 (120)" in note
    assert "1 đơn vị có ghi chú (xem sheet «Ghi chú đơn vị»)" in note


def test_notes_say_how_rows_were_combined(book):
    sheet = book[SUMMARY_SHEET]
    assert sheet.cell(figure_cell(book, "1.1.a").row, 5).value == "Tổng của 3 đơn vị"
    assert sheet.cell(figure_cell(book, "1.1").row, 5).value.startswith("Tính lại từ tổng các phần: 16 / 24")
    assert sheet.cell(figure_cell(book, "1.5").row, 5).value.startswith("2/3 đơn vị trả lời Có")
    heading = row_of(sheet, "1.")
    assert heading[4].value is None


def test_footer_line_names_missing_units(book):
    sheet = book[SUMMARY_SHEET]
    texts = [cell.value for row in sheet.iter_rows(min_row=sheet.max_row - 1) for cell in row if cell.value]
    assert ("Số liệu tổng hợp từ 3 đơn vị (2/4 đơn vị trong danh sách); chưa nộp: Xã Phú Đình; "
            "1 đơn vị có lỗi (xem sheet «Kiểm tra»); 1 tệp bị từ chối (xem sheet «Tình hình nộp»).") in texts


def test_detail_sheet_row_per_unit_column_per_id(book, result):
    sheet = book[DETAIL_SHEET]
    header = [cell.value for cell in sheet[1]]
    ids = [row.id for row in result.rollup.catalog.figure_rows]
    assert header[:4] == ["Đơn vị", "Lỗi", "Cảnh báo", "Kỳ báo cáo"]
    assert header[4:4 + len(ids)] == ids and header[-1] == "Tệp"
    assert sheet.cell(2, 5).value.startswith("1.1. Tỷ lệ hoàn thành")
    units = [sheet.cell(row, 1).value for row in range(3, 6)]
    assert units == ["UBND xã Bình Yên", "UBND xã Trung Hội", "=1+1"]
    column = header.index("3.4.2.b") + 1
    assert [sheet.cell(row, column).value for row in range(3, 6)] == [348, 180, 90]
    assert [sheet.cell(row, 2).value for row in range(3, 6)] == [0, 1, 0]
    assert [sheet.cell(row, 3).value for row in range(3, 6)] == [0, 1, 0]
    assert sheet.cell(3, header.index("1.2.1") + 1).value is None  # not reported stays blank
    percent = header.index("1.1") + 1  # each unit's own percent, from its own parts
    assert [sheet.cell(row, percent).value for row in range(3, 6)] == [50, 100, 50]
    assert sheet.cell(3, len(header)).value == "nop/UBND xã Bình Yên.xlsx"
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(header))}5"


def test_findings_sheet_lists_every_finding(book):
    sheet = book[FINDINGS_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:7] for row in rows] == [
        [1, "UBND xã Trung Hội", "nop/UBND xã Trung Hội.xlsx", "Phụ lục!D74", "3.4.2.b, 3.4.2.a", "lỗi",
         "Phần lớn hơn tổng"],
        [2, "UBND xã Trung Hội", "nop/UBND xã Trung Hội.xlsx", "Phụ lục!C9", "1.1.a", "cảnh báo",
         "Đơn vị tính khác mẫu"],
    ]
    assert rows[0][7].startswith("Số hồ sơ TTHC giải quyết đúng hạn (12) lớn hơn")


def test_submissions_sheet_statuses_times_and_reasons(book):
    sheet = book[SUBMISSIONS_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5, max_row=10)]
    assert [row[:4] for row in rows] == [
        [1, "Xã Bình Yên", "Đã nộp", "nop/UBND xã Bình Yên.xlsx"],
        [2, "Xã Bình Yên", "Trùng (không dùng)", "nop/binh-yen-cu.xlsx"],
        [3, "Xã Trung Hội", "Đã nộp", "nop/UBND xã Trung Hội.xlsx"],
        [4, "Xã Phú Đình", "Chưa nộp", None],
        [5, "Xã Điềm Mặc", "Bị từ chối", "nop/diem-mac.xlsx"],
        [6, "=1+1", "Đã nộp", "nop/=1+1.xlsx"],
    ]
    assert rows[0][4] == datetime(2024, 3, 18, 9, 30) and sheet["E5"].is_date
    assert rows[3][4] is None
    assert rows[0][5] == "Nộp 2 tệp; dùng tệp sửa gần nhất"
    assert rows[1][5] == "Không dùng: đã có tệp mới hơn nop/UBND xã Bình Yên.xlsx"
    assert "6 tháng năm 2024" in rows[4][5]
    assert rows[5][5] == "Không có trong danh sách đơn vị phải nộp"
    assert sheet["C5"].fill.fgColor.rgb.endswith("C6EFCE") and sheet["C8"].fill.fgColor.rgb.endswith("FFC7CE")
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "Tệp bị từ chối (1)" in texts
    assert sheet["A2"].value.startswith("Đã nộp: 3; Chưa nộp: 1; Bị từ chối: 1; Tệp trùng không dùng: 1")


def test_without_a_roster_the_units_used_are_listed(tmp_path, result):
    bare = MergeResult(rollup=result.rollup, parent_unit="Huyện", inputs=3)
    write_rollup_workbook(bare, tmp_path / "khong-ds.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "khong-ds.xlsx")[SUBMISSIONS_SHEET]
    assert [[c.value for c in row][1:3] for row in sheet.iter_rows(min_row=5, max_row=sheet.max_row)] == [
        ["UBND xã Bình Yên", "Đã nộp"], ["UBND xã Trung Hội", "Đã nộp"], ["=1+1", "Đã nộp"]]
    assert "Không có danh sách đơn vị phải nộp" in sheet["A2"].value


def test_chart_groups_come_from_the_catalog(result):
    groups = chart_groups(result.rollup.catalog)
    assert {title: [row.id for row in rows] for title, rows in groups.items()} == {
        "Tỷ lệ hoàn thành kế hoạch CCHC": ["1.1"], "Tỷ lệ hồ sơ tiếp nhận trực tuyến": ["3.2.4"],
        "Tỷ lệ hồ sơ giải quyết đúng hạn": ["3.4.1", "3.4.2"]}
    shipped = chart_groups(catalogs.load("phu-luc-ii"))
    assert {title: [row.id for row in rows] for title, rows in shipped.items()} == {
        title: [row.id for row in rows] for title, rows in groups.items()}


def test_unit_percent_recomputes_from_the_units_parts(result):
    row = result.rollup.catalog.row("3.2.4")
    assert [unit_percent(u, row) for u in result.rollup.units] == [100.0, 75.0, 20.0]
    reported_only = UnitReport("x", "x.xlsx", 0, None, {"3.2.4": 91.3})
    assert unit_percent(reported_only, row) == 91.3


def test_chart_sheet_has_a_table_and_native_bar_charts(written, book):
    sheet = book[CHARTS_SHEET]
    assert [sheet.cell(row, 1).value for row in range(4, 7)] == ["UBND xã Bình Yên", "UBND xã Trung Hội", "=1+1"]
    headers = [sheet.cell(3, column).value for column in range(2, 5)]
    assert headers[0].startswith("1.1. Tỷ lệ hoàn thành") and headers[2].startswith("3.4.2.")
    assert [sheet.cell(row, 2).value for row in range(4, 7)] == [50, 100, 50]
    assert sheet.cell(7, 1).value == "Chung (số liệu tổng hợp)"
    with zipfile.ZipFile(written) as archive:
        charts = sorted(name for name in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml$", name))
        assert len(charts) == 3  # 3.4.1 has no figures in any unit: its series is left out
        xml = [archive.read(name).decode("utf-8") for name in charts]
    assert all("<c:barChart>" in text and '<c:barDir val="bar"/>' in text for text in xml)
    assert "'Biểu đồ'!$A$4:$A$6" in xml[0] and "'Biểu đồ'!$B$4:$B$6" in xml[0]
    assert "Tỷ lệ hoàn thành kế hoạch CCHC (chung: 66,67%)" in xml[0]
    assert "Tỷ lệ (%)" in xml[0] and "Đơn vị" in xml[0] and "Times New Roman" in xml[0]
    assert "'Biểu đồ'!$D$4:$D$6" in xml[2]
    anchors = sorted(chart.anchor._from.row for chart in sheet._charts)
    assert len(anchors) == 3 and anchors[0] > 7  # below the table
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    assert breaks and set(breaks) <= set(anchors)  # pages break only right above a chart


def test_unit_notes_sheet(book):
    sheet = book[UNIT_NOTES_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[1:3] + row[5:] for row in rows] == [["UBND xã Bình Yên", "1.1.b", "=HYPERLINK(\"http://x\",\"y\")"],
                                                    ["=1+1", "3.1.3.b", "Danh mục riêng"]]


def test_copied_text_stays_text(book):
    notes = book[UNIT_NOTES_SHEET]
    assert notes.cell(2, 6).data_type == "s"
    detail = book[DETAIL_SHEET]
    assert detail.cell(5, 1).value == "=1+1" and detail.cell(5, 1).data_type == "s"
    charts = book[CHARTS_SHEET]
    assert charts.cell(6, 1).data_type == "s"
    summary_note = book[SUMMARY_SHEET].cell(figure_cell(book, "1.1.b").row, 5)
    assert summary_note.value == "Tổng của 3 đơn vị\n1 đơn vị có ghi chú (xem sheet «Ghi chú đơn vị»)"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)  # no formula anywhere


def test_metadata_and_state_round_trip(book, result):
    meta = {}
    for row in book[META_SHEET].iter_rows(values_only=True):
        meta[row[0]] = "".join(value or "" for value in row[1:])
    assert {key: meta[key] for key in ("tool", "kind", "catalog", "unit", "period", "period_text")} == {
        "tool": "cchc-xl", "kind": "rollup", "catalog": "phu-luc-ii", "unit": "UBND huyện Định Hóa",
        "period": "2024-Q1", "period_text": "Quý I năm 2024"}
    assert meta["catalog_version"] == result.rollup.catalog.version
    again = Rollup.from_state_json(result.rollup.catalog, meta["state"])
    assert again.totals() == result.rollup.totals()
    assert [u.unit for u in again.units] == ["UBND xã Bình Yên", "UBND xã Trung Hội", "=1+1"]


def test_long_state_is_split_into_cells(tmp_path):
    catalog = charted_catalog()
    units = [unit(f"Xã số {i}", commune_values(i, i, 10 * i, i, i, i, 1, 2, 118),
                  notes={"1.1.a": "ghi chú " * 40}) for i in range(1, 120)]
    result = MergeResult(rollup=from_units(catalog, units, "2024-Q1"), parent_unit="Huyện", inputs=len(units))
    path = tmp_path / "lon.xlsx"
    write_rollup_workbook(result, path)
    sheet = openpyxl.load_workbook(path)[META_SHEET]
    state_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "state")
    chunks = [value for value in state_row[1:] if value]
    assert len(chunks) > 1 and all(len(chunk) <= 30_000 for chunk in chunks)
    assert Rollup.from_state_json(catalog, "".join(chunks)).totals() == result.rollup.totals()


def test_no_charts_when_the_catalog_names_none(tmp_path):
    data = json.loads(resources.files("cchc_xl.schema.catalogs").joinpath("phu-luc-ii.json").read_text("utf-8"))
    for row in data["rows"]:
        row.pop("chart", None)
    plain = catalogs.from_data(data, "phu-luc-ii-no-charts")
    units = [unit("Xã A", commune_values(1, 1, 1, 1, 1, 1, 1, 1, 1))]
    result = MergeResult(rollup=from_units(plain, units, "2024-Q1"), parent_unit="Huyện", inputs=1)
    path = tmp_path / "khong-bieu-do.xlsx"
    write_rollup_workbook(result, path)
    sheet = openpyxl.load_workbook(path)[CHARTS_SHEET]
    assert "không chỉ định" in sheet["A2"].value
    with zipfile.ZipFile(path) as archive:
        assert not [name for name in archive.namelist() if name.startswith("xl/charts/")]


def test_a_thousand_units_write_quickly(tmp_path):
    catalog = charted_catalog()
    figure_ids = [row.id for row in catalog.figure_rows if row.is_input]
    units = [UnitReport(f"Xã số {i}", f"nop/xa-{i}.xlsx", MODIFIED, "2024-Q1",
                        {row_id: (i + n) % 50 if catalog.row(row_id).kind in ("count", "money", "percent")
                         else (i + n) % 2 for n, row_id in enumerate(figure_ids)})
             for i in range(1000)]
    result = MergeResult(rollup=from_units(catalog, units, "2024-Q1"), parent_unit="Tỉnh", inputs=1000)
    started = time.perf_counter()
    write_rollup_workbook(result, tmp_path / "nghin.xlsx")
    elapsed = time.perf_counter() - started
    assert elapsed < 10, elapsed


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_same_percents_and_prints_the_charts(written, book, result, tmp_path):
    import shutil
    import subprocess

    import lo

    recalculated = openpyxl.load_workbook(lo.convert(written, "xlsx", tmp_path / "recalc"), data_only=True)
    summary = recalculated[SUMMARY_SHEET]
    percent_rows = [row for row in result.rollup.catalog.rows if row.percent is not None]
    shown = {row.id: summary[figure_cell(book, row.id).coordinate].value for row in percent_rows}
    expected = {row.id: result.rollup.display(row.id) for row in percent_rows}
    assert {k: v for k, v in shown.items() if v not in (None, "")} == pytest.approx(
        {k: v for k, v in expected.items() if v is not None}, abs=0.005)
    pdf = lo.convert(written, "pdf", tmp_path / "pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024" in text
    assert "Tỷ lệ hoàn thành kế hoạch CCHC (chung: 66,67%)" in text  # the chart, printed
    assert "TÌNH HÌNH NỘP BÁO CÁO QUÝ I NĂM 2024" in text
    assert '"format":1' not in text  # the very hidden metadata sheet never prints


def test_a_non_finite_figure_is_left_blank_not_a_crash(tmp_path):
    catalog = charted_catalog()
    odd = unit("Xã A", {"3.2.1.c": float("inf"), "4.2.1": 5})  # 3.2.1.c is not combined, only listed
    result = MergeResult(rollup=from_units(catalog, [odd], "2024-Q1"), parent_unit="Huyện", inputs=1)
    write_rollup_workbook(result, tmp_path / "inf.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "inf.xlsx")[DETAIL_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(3, header.index("3.2.1.c") + 1).value is None
    assert sheet.cell(3, header.index("4.2.1") + 1).value == 5


# ----- the one-line-per-item tables, rendered beside XlsxWriter (writing/sheetrows.py) -----

LONG_NOTE = "Ghi chú dài về kết quả thực hiện. " * 1200  # 40,800 characters
ODD_NOTE = "Dòng\x01có\x1fký tự điều khiển\r\nvà xuống dòng & <thẻ>"
FIVE_LINES = "1\n2\n3\n4\n5"


def odd_result():
    """Five communes as a merge gives them: notes that look like formulas, carry control characters,
    run past what a cell holds or over five lines; findings of both severities; figures that
    are NaN or infinite on rows only listed, not combined."""
    catalog = charted_catalog()
    part_gt_whole = findings.make("part-le-whole", ["3.4.2.b", "3.4.2.a"], "Phụ lục!D74", left=12, right=10,
                                  left_label="Số hồ sơ đúng hạn", right_label="Tổng số hồ sơ")
    odd_unit = findings.make("unit-differs", ["1.1.a"], "Phụ lục!C9", stt="", label="Số nhiệm vụ", value="%",
                             expected="Nhiệm vụ")
    units = [
        unit("UBND xã Bình Yên", {**commune_values(6, 3, 351, 351, 348, 348, 0, 2, 118), "3.2.1.c": float("nan")},
             notes={"1.1.b": "=SUM(D1:D9)", "3.1.3.b": ODD_NOTE}, found=[part_gt_whole, odd_unit]),
        unit("UBND xã Trung Hội", {**commune_values(8, 8, 200, 150, 190, 180, 1, 1, 118), "3.2.1.c": float("inf")},
             notes={"1.1.a": LONG_NOTE}),
        unit("  Xã có dấu cách  ", commune_values(10, 5, 100, 20, 100, 90, 1, 0, 120), notes={"1.5": FIVE_LINES}),
        unit("Xã & <Hòa>", commune_values(1, 1, 1, 1, 1, 1, 1, 1, 118)),
        unit("+84 Xã", commune_values(2, 1, 2, 1, 2, 1, 0, 2, 118), found=[odd_unit]),
    ]
    rollup = from_units(catalog, units, "2024-Q1")
    roster = [RosterEntry(u.unit, "submitted", u.path, MODIFIED) for u in units]
    roster.append(RosterEntry("Xã Phú Đình", "missing", None, None))
    return MergeResult(rollup=rollup, parent_unit="UBND huyện Định Hóa", roster=roster,
                       missing=["Xã Phú Đình"], rejected=[Rejected("nop/hong.xlsx", "Tệp bị hỏng")], inputs=6)


@pytest.fixture(scope="module")
def odd_written(tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "tong-hop.xlsx"
    write_rollup_workbook(odd_result(), path)
    return path


@pytest.fixture(scope="module")
def odd_book(odd_written):
    return openpyxl.load_workbook(odd_written)


def borders(cell):
    return {side.style for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)}


def test_unit_notes_lines_values_styles_and_heights(odd_book, odd_written):
    sheet = odd_book[UNIT_NOTES_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (1, "UBND xã Bình Yên", "1.1.b"), (2, "UBND xã Bình Yên", "3.1.3.b"),
        (3, "UBND xã Trung Hội", "1.1.a"), (4, "  Xã có dấu cách  ", "1.5")]
    assert rows[0][5] == "=SUM(D1:D9)" and sheet["F2"].data_type == "s"  # text, never a formula
    # openpyxl shows the control characters as the _xHHHH_ escapes Excel stores (as it did for shared
    # strings); Excel, LibreOffice and calamine read them back as typed (below).
    assert rows[1][5] == "Dòng_x0001_có_x001F_ký tự điều khiển_x000D_\nvà xuống dòng & <thẻ>"
    assert rows[2][5] == LONG_NOTE[:32_767]  # cut where an Excel cell ends, as before
    assert rows[3][5] == FIVE_LINES
    assert rows[0][4] == "Phụ lục!D11" and rows[0][3].startswith("Số nhiệm vụ")
    for cell in sheet[2]:
        assert borders(cell) == {"thin"} and cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert cell.font.name == "Times New Roman" and cell.font.sz == 12 and not cell.font.b
    assert [cell.alignment.horizontal for cell in sheet[2]] == ["center", None, "center", None, None, None]
    assert sheet.row_dimensions[2].height is None  # one line: the default height
    assert sheet.row_dimensions[5].height == 78.75  # five lines of 15 points and 4 of padding, in whole pixels
    assert sheet.row_dimensions[4].height <= 409  # the long note: Excel's tallest row, not thousands of points
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F5"
    calamine = CalamineWorkbook.from_path(str(odd_written)).get_sheet_by_name(UNIT_NOTES_SHEET).to_python()
    assert [row[5] for row in calamine[1:]] == ["=SUM(D1:D9)", ODD_NOTE, LONG_NOTE[:32_767], FIVE_LINES]
    assert calamine[4][1] == "  Xã có dấu cách  "


def test_findings_lines_keep_the_severity_styles(odd_book):
    sheet = odd_book[FINDINGS_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:3] + row[4:6] for row in rows] == [
        [1, "UBND xã Bình Yên", "nop/UBND xã Bình Yên.xlsx", "3.4.2.b, 3.4.2.a", "lỗi"],
        [2, "UBND xã Bình Yên", "nop/UBND xã Bình Yên.xlsx", "1.1.a", "cảnh báo"],
        [3, "+84 Xã", "nop/+84 Xã.xlsx", "1.1.a", "cảnh báo"]]
    error, warning = sheet["F2"], sheet["F3"]
    assert error.font.b and error.fill.fgColor.rgb.endswith("FFC7CE") and error.font.color.rgb.endswith("9C0006")
    assert not warning.font.b and warning.fill.fgColor.rgb.endswith("FFEB9C")
    assert error.alignment.horizontal == "center" and borders(error) == {"thin"}
    assert sheet["H2"].alignment.wrap_text and sheet["H2"].alignment.horizontal is None
    assert sheet["A2"].data_type == "n" and sheet["B4"].data_type == "s"


def test_submission_lines_then_the_rejected_files_below(odd_book):
    sheet = odd_book[SUBMISSIONS_SHEET]
    names = [sheet.cell(row, 2).value for row in range(5, 11)]
    assert names == ["UBND xã Bình Yên", "UBND xã Trung Hội", "  Xã có dấu cách  ", "Xã & <Hòa>",
                     "+84 Xã", "Xã Phú Đình"]
    when = sheet["E5"]
    assert when.is_date and when.value == datetime(2024, 3, 18, 9, 30)
    assert when.number_format == "dd/mm/yyyy hh:mm"
    assert when.alignment.horizontal == "center" and borders(when) == {"thin"}
    assert sheet["E10"].value is None and borders(sheet["E10"]) == {"thin"}  # a bordered blank
    missing = sheet["C10"]
    assert missing.value == "Chưa nộp" and missing.font.b and missing.fill.fgColor.rgb.endswith("FFC7CE")
    texts = [cell.value for row in sheet.iter_rows(min_row=11) for cell in row if cell.value]
    assert texts[:2] == ["Tệp bị từ chối (1)", "STT"] and "Tệp bị hỏng" in texts
    assert sheet.auto_filter.ref == "A4:F10"


def test_detail_lines_number_formats_and_figures_a_cell_cannot_hold(odd_book, odd_written):
    sheet = odd_book[DETAIL_SHEET]
    header = [cell.value for cell in sheet[1]]
    column = {row_id: header.index(row_id) + 1 for row_id in ("1.1", "1.1.a", "1.5", "3.2.1.c", "4.2.1")}
    assert [sheet.cell(row, 1).value for row in range(3, 8)] == [
        "UBND xã Bình Yên", "UBND xã Trung Hội", "  Xã có dấu cách  ", "Xã & <Hòa>", "+84 Xã"]
    assert [sheet.cell(row, column["3.2.1.c"]).value for row in range(3, 8)] == [None] * 5  # NaN, infinity
    assert not sheet.cell(3, column["3.2.1.c"]).has_style  # no cell at all, as before
    assert [sheet.cell(row, column["1.1"]).value for row in range(3, 8)] == [50, 100, 50, 100, 50]
    assert sheet.cell(3, column["1.1"]).number_format == "0.0#"
    assert sheet.cell(3, column["1.1.a"]).number_format == "#,##0" and sheet.cell(3, column["1.5"]).number_format == "0"
    assert [sheet.cell(3, col).alignment.horizontal for col in (1, 2, 3, 4)] == [None, "center", "center", "center"]
    assert [sheet.cell(3, col).value for col in (2, 3, 4)] == [1, 1, "Quý I năm 2024"]
    assert sheet.cell(3, len(header)).value == "nop/UBND xã Bình Yên.xlsx"
    assert sheet.cell(7, column["4.2.1"]).value == 19 and sheet.cell(7, column["4.2.1"]).data_type == "n"
    with zipfile.ZipFile(odd_written) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert f'<dimension ref="A1:{openpyxl.utils.get_column_letter(len(header))}7"/>' in xml
    assert "<v>nan" not in xml.lower() and "<v>inf" not in xml.lower() and "<v>-inf" not in xml.lower()


def test_our_reader_reads_the_state_back(odd_written):
    from cchc_xl import sources
    from cchc_xl import meta

    grid = sources.load(odd_written).grid(META_SHEET)
    entries = meta.decode(grid.rows)
    result = odd_result()
    assert entries["state"] == result.rollup.state_json()
    again = Rollup.from_state_json(result.rollup.catalog, entries["state"])
    assert [u.unit for u in again.units] == [u.unit for u in result.rollup.units]
    assert again.units[1].notes["1.1.a"] == LONG_NOTE  # the state keeps what the cell could not


def test_the_same_result_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_rollup_workbook(odd_result(), first)
    write_rollup_workbook(odd_result(), second)
    with zipfile.ZipFile(first) as one, zipfile.ZipFile(second) as other:
        assert one.testzip() is None and one.namelist() == other.namelist()
        for name in one.namelist():
            if name != "docProps/core.xml":  # holds the time the workbook was made
                assert one.read(name) == other.read(name), name


def test_chart_caches_hold_the_table(tmp_path):
    """The charts' cached values (what a viewer shows without recalculating) are the table's, though
    the table's unit lines are not in XlsxWriter's cell table: a unit without the figure is cached
    as XlsxWriter caches a blank cell."""
    result = sample_result()
    units = result.rollup.units + [unit("Xã chưa có số liệu", {"4.2.1": 1})]
    result = MergeResult(rollup=from_units(result.rollup.catalog, units, "2024-Q1"), parent_unit="Huyện", inputs=4)
    path = tmp_path / "bieu-do.xlsx"
    write_rollup_workbook(result, path)
    sheet = openpyxl.load_workbook(path)[CHARTS_SHEET]
    assert [sheet.cell(row, 2).value for row in range(4, 8)] == [50, 100, 50, None]
    assert sheet["B7"].border.left.style == "thin" and sheet["B4"].number_format == "0.0#"
    assert sheet["A4"].alignment.wrap_text is not True and sheet["A4"].border.left.style == "thin"
    assert sheet["A8"].value == "Chung (số liệu tổng hợp)"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode()
    categories = re.search(r"<c:cat>.*?</c:cat>", xml).group()
    values = re.search(r"<c:val>.*?</c:val>", xml).group()
    assert "'Biểu đồ'!$A$4:$A$7" in categories and "'Biểu đồ'!$B$4:$B$7" in values
    assert re.findall(r"<c:v>([^<]*)</c:v>", categories) == ["UBND xã Bình Yên", "UBND xã Trung Hội", "=1+1",
                                                           "Xã chưa có số liệu"]
    assert '<c:ptCount val="4"/>' in values
    assert re.findall(r'<c:pt idx="(\d)"><c:v>([^<]*)</c:v>', values) == [("0", "50"), ("1", "100"), ("2", "50"),
                                                                         ("3", "0")]


def test_text_shaped_like_rich_text_markup_is_written_as_text(tmp_path):
    """XlsxWriter copies a string that starts with "<r>" and ends with "</r>" into the file as XML:
    a unit's text answer shown on Tổng hợp as "unit: text" must not become markup."""
    from xml.etree import ElementTree

    catalog = catalogs.load("phu-luc-huyen-soc-trang")
    answer = "<t>chèn</t></r><r><t>thêm"
    units = [unit("<r>", {"I.1": 1}, texts={"I.8": answer + "</r>"})]
    result = MergeResult(rollup=from_units(catalog, units, "2024-Q1"), parent_unit="UBND tỉnh", inputs=1)
    path = tmp_path / "tong-hop.xlsx"
    write_rollup_workbook(result, path)
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(package.read(name))  # every part well-formed
    shown = "<r>: " + answer + "</r>"
    cells = [cell.value for row in openpyxl.load_workbook(path)[SUMMARY_SHEET].iter_rows() for cell in row]
    assert shown in cells
    calamine_cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SUMMARY_SHEET).to_python()
    assert any(shown == value for row in calamine_cells for value in row)


# ----- the sheet the Tổng hợp button fills -----

def _button_result():
    """Two communes of the form CCHC-TongHop.xlsm is laid out for, one with a long note, one unit missing."""
    units = [unit("UBND xã Bình Yên", commune_values(6, 3, 351, 351, 348, 348, 0, 2, 118),
                  notes={"3.1.3.b": "Danh mục thủ tục hành chính của xã được công bố theo Quyết định số 1234/QĐ-UBND "
                                    "ngày 15 tháng 01 năm 2024 của Chủ tịch UBND tỉnh"}),
             unit("UBND xã Trung Hội", commune_values(8, 8, 200, 150, 190, 180, 1, 1, 118))]
    rollup = from_units(catalogs.load("phu-luc-ii"), units, "2024-Q1")
    roster = [RosterEntry("Xã Bình Yên", "submitted", "nop/UBND xã Bình Yên.xlsx", MODIFIED),
              RosterEntry("Xã Trung Hội", "submitted", "nop/UBND xã Trung Hội.xlsx", MODIFIED),
              RosterEntry("Xã Phú Đình", "missing", None, None)]
    return MergeResult(rollup=rollup, parent_unit="UBND huyện Định Hóa", rejected=[], duplicates=[],
                       missing=["Xã Phú Đình"], roster=roster, inputs=2)


def _as_the_button_fills(shipped, rows, heights):
    """What the Tổng hợp button does to the shipped sheet through xlwings (excel.write_printed), done with
    openpyxl: its values cleared and replaced from A1 (formats kept), the rows' heights set, the print area."""
    sheet = shipped[SUMMARY_SHEET]
    for line in sheet.iter_rows():
        for cell in line:
            if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                cell.value = None
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(r, c)
            if isinstance(cell, openpyxl.cell.cell.MergedCell):  # Excel drops what lands inside a merged cell
                assert value in (None, ""), (r, c)
            else:
                cell.value = value
    for row, height in heights.items():
        sheet.row_dimensions[row + 1].height = height
    sheet.print_area = f"A1:E{len(rows)}"
    return sheet


def _shown(value):
    """What a cell shows: "" as empty (Excel stores a cell set to "" as empty), figures as numbers."""
    return None if value == "" else float(value) if isinstance(value, (int, float, Fraction)) else value


def _look(cell):
    border = cell.border
    return (cell.number_format, cell.font.b, cell.font.i, cell.font.name, cell.font.sz, cell.alignment.horizontal,
            cell.alignment.vertical, cell.alignment.wrap_text, cell.fill.fgColor.rgb if cell.fill.fill_type else None,
            tuple(side.style for side in (border.left, border.right, border.top, border.bottom)))


def test_the_tong_hop_buttons_sheet_is_laid_out_as_merge_writes_it(tmp_path):
    """CCHC-TongHop.xlsm carries "Tổng hợp" blank in the official layout (rollup_book.write_summary_sheet,
    unprotected); the button writes tables.summary_rows into it as values and sets tables.summary_heights.
    Filled so, the sheet equals the one `cchc-xl merge` writes: each value in its cell, and the same
    borders, fonts, fills, number formats, merged cells, widths, heights, repeated header and print area."""
    from cchc_xl.vba.workbooks import build_all
    from cchc_xl.writing import tables

    result = _button_result()
    merged_path = tmp_path / "tong-hop.xlsx"
    write_rollup_workbook(result, merged_path)
    expected = openpyxl.load_workbook(merged_path)[SUMMARY_SHEET]
    build_all(tmp_path)
    shipped = openpyxl.load_workbook(tmp_path / "CCHC-TongHop.xlsm", keep_vba=True)
    assert shipped[SUMMARY_SHEET].sheet_state == "hidden" and not shipped[SUMMARY_SHEET].protection.sheet
    rows = tables.summary_rows(result)
    filled = _as_the_button_fills(shipped, rows, tables.summary_heights(result))

    assert len(rows) == expected.max_row
    assert {str(span) for span in filled.merged_cells.ranges} == {str(span) for span in expected.merged_cells.ranges}
    for r in range(1, len(rows) + 1):
        # XlsxWriter rounds a height to whole pixels (19 points are 18.75), as Excel does with the button's
        assert filled.row_dimensions[r].height == pytest.approx(expected.row_dimensions[r].height, abs=0.5), r
        for c in range(1, 6):
            got, want = filled.cell(r, c), expected.cell(r, c)
            assert _shown(got.value) == _shown(want.value), (r, c)
            assert _look(got) == _look(want), (r, c)
    for letter in "ABCDE":
        assert filled.column_dimensions[letter].width == pytest.approx(expected.column_dimensions[letter].width)
    assert filled.print_title_rows == expected.print_title_rows
    assert filled.print_area == expected.print_area
    assert filled.page_setup.orientation == expected.page_setup.orientation == "portrait"
