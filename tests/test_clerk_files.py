"""Phụ lục files a commune or district clerk makes by hand, and what the reader makes of them.

Each test builds the file the way an office does (tests/handmade.py for Excel, tests/wordmade.py
for Word) from the seeds' figures and asserts the figures read by row id, the unit, the period and
the findings. The figures are seed 004's (UBND xã Bình Yên: 6 tasks planned, 3 done, 351 dossiers
received, all online, 348 resolved on time).
"""

import pytest

from cchc_xl.checks import check
from cchc_xl.findings import ERROR
from cchc_xl.reading import read_workbook
from handmade import seed_rows, write_cells, write_form
from wordmade import NATIONAL, NARRATIVE, report_body, write_docx, write_narrative

SEED004_READ = {"1.1": 50, "1.1.a": 6, "1.1.b": 3, "1.5": 0, "3.1.3.b": 118, "3.2.4": 100, "3.2.4.a": 351,
                "3.2.4.b": 351, "3.4.2": 100, "3.4.2.a": 348, "3.4.2.b": 348, "4.2.1": 19, "4.2.2": 19}
HEADER = ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]


def reported(submission):
    return {row_id: value for row_id, value in submission.values.items() if value is not None}


def errors(submission):
    return [f for f in check(submission) if f.severity == ERROR]


def seed004(rows=None):
    return [list(row) for row in (rows or seed_rows("004"))]


# --- a title naming its quarter without its year -------------------------------------------------


def national(date_line: str) -> list[list[str]]:
    return [["ỦY BAN NHÂN DÂN", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
            ["XÃ BÌNH YÊN", "", "Độc lập - Tự do - Hạnh phúc"], ["Số: 12/BC-UBND", "", date_line], []]


@pytest.mark.parametrize("title, date_line, below, period", [
    # the date line of the national header gives the year of the quarter the title names
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "Bình Yên, ngày 15 tháng 3 năm 2025", None, "2025-Q1"),
    ("Báo cáo kết quả CCHC quý 2", "Bình Yên, ngày 16 tháng 6 năm 2025", None, "2025-Q2"),
    # a Quý IV report dated in January is of the year before
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ IV", "Bình Yên, ngày 05 tháng 01 năm 2026", None, "2025-Q4"),
    # the day and month left blank for the signature: the year typed
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ III", "Bình Yên, ngày      tháng      năm 2025", None, "2025-Q3"),
    # dated only at the signature under the table
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "", "Bình Yên, ngày 14 tháng 3 năm 2025", "2025-Q1"),
    # two dates of two years: which is the report's cannot be told, no period rather than a wrong one
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "Bình Yên, ngày 15 tháng 3 năm 2025",
     "Bình Yên, ngày 14 tháng 3 năm 2024", None),
    # a date that fits no Quý I report (October): no period
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "Bình Yên, ngày 15 tháng 10 năm 2025", None, None),
])
def test_a_quarter_without_its_year_takes_the_year_of_the_report_date(tmp_path, title, date_line, below, period):
    signature = [[], [None, None, None, below], [None, None, None, "TM. ỦY BAN NHÂN DÂN"]] if below else []
    cells = national(date_line) + [["PHỤ LỤC SỐ II"], [title], []] + [HEADER] + seed004() + signature
    submission = read_workbook(write_cells(tmp_path / "phu-luc", cells))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", period)
    if period:
        assert submission.period_source == "title"
        assert submission.period_text == " ".join(f"{title} … {date_line or below}".split())
    assert reported(submission) == SEED004_READ and errors(submission) == []


def test_a_quarter_without_its_year_takes_the_year_of_the_attached_report_or_the_figure_column(tmp_path):
    attached = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I/"],
                ["(Kèm theo Báo cáo số 12/BC-UBND ngày 15/3/2025 của UBND xã Bình Yên)"], []]
    submission = read_workbook(write_cells(tmp_path / "a", attached + [HEADER] + seed004()))
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2025-Q1", "title")
    column = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I CỦA UBND XÃ BÌNH YÊN"], []]
    header = ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu năm 2025", "Ghi chú"]
    submission = read_workbook(write_cells(tmp_path / "b", column + [header] + seed004()))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2025-Q1")
    assert submission.period_text.endswith("… Số liệu năm 2025")
    assert reported(submission) == SEED004_READ
    # the column names another year than the report's date: no period
    dated = national("Bình Yên, ngày 15 tháng 3 năm 2025") + column
    submission = read_workbook(write_cells(tmp_path / "c", dated + [["STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2024",
                                                                         "Ghi chú"]] + seed004()))
    assert submission.period is None


def test_a_quarter_in_another_place_than_the_title_is_not_overruled_by_a_file_name_of_another_quarter(tmp_path):
    """The title says QUÝ I, the file name (copied from last quarter's) Q4-2024: not Quý IV."""
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I"], []] + [HEADER] + seed004()
    submission = read_workbook(write_cells(tmp_path / "PL_Q4-2024_XaBinhYen", cells))
    assert submission.period is None
    same = read_workbook(write_cells(tmp_path / "PL_Q1-2025_XaBinhYen", cells))
    assert (same.period, same.period_source) == ("2025-Q1", "file-name")


def test_a_word_report_titled_by_its_quarter_alone_is_dated_by_its_national_header(tmp_path):
    dated = (NATIONAL[0], (*NATIONAL[1][:3], "Bình Yên, ngày 15 tháng 3 năm 2025"))
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "(Kèm theo Báo cáo số      /BC-UBND)")
    report = write_docx(tmp_path / "bao-cao.docx", report_body(seed004(), title=title, national_lines=dated,
                                                               narrative=(NARRATIVE[0], "Kết quả công tác CCHC quý I")))
    submission = read_workbook(report)
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2025-Q1")
    assert submission.period_text.endswith("… Bình Yên, ngày 15 tháng 3 năm 2025")
    assert reported(submission) == SEED004_READ


def test_a_narrative_report_headed_by_its_quarter_alone_is_dated_by_its_date_line(tmp_path):
    from cchc_xl.commands.check import check_file

    paragraphs = ["ỦY BAN NHÂN DÂN", "XÃ BÌNH YÊN", "Bình Yên, ngày 15 tháng 3 năm 2025", "BÁO CÁO",
                  "Kết quả công tác cải cách hành chính quý I", "Căn cứ Kế hoạch số 5/KH-UBND ngày 5/1/2024 …",
                  "Kết quả năm 2024 so với năm 2023 tăng 12%."]
    result = check_file(write_narrative(tmp_path / "bao-cao", paragraphs, national=False))
    assert result.header.period == "2025-Q1" and result.header.period_source == "paragraphs"


# --- a narrative cover sheet ---------------------------------------------------------------------


def test_a_cover_sheet_gives_its_heading_s_period_never_a_sentence_s_year(tmp_path):
    """The cover's heading names the quarter without its year and a sentence of its text names 2024:
    the period is not 2024's; dated on the cover, it is the quarter of the date's year."""
    untitled = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"], []]
    cover = [["UBND XÃ BÌNH YÊN"], ["BÁO CÁO"], ["Kết quả công tác cải cách hành chính quý I"],
             ["I. KẾT QUẢ ĐẠT ĐƯỢC"], ["Kết quả năm 2024 so với năm 2023 tăng 12%."]]
    path = write_cells(tmp_path / "a", untitled + [HEADER] + seed004(), sheet="PL", sheets_before=["Báo cáo"],
                       sheet_cells={"Báo cáo": cover})
    submission = read_workbook(path)
    assert submission.period is None and reported(submission) == SEED004_READ
    cover.insert(1, ["Bình Yên, ngày 15 tháng 3 năm 2025"])
    path = write_cells(tmp_path / "b", untitled + [HEADER] + seed004(), sheet="PL", sheets_before=["Báo cáo"],
                       sheet_cells={"Báo cáo": cover})
    submission = read_workbook(path)
    assert (submission.period, submission.period_source) == ("2025-Q1", "other-sheet")
    assert submission.period_text == ("BÁO CÁO Kết quả công tác cải cách hành chính quý I … "
                                      "Bình Yên, ngày 15 tháng 3 năm 2025")


def test_a_heading_naming_six_months_then_next_quarter_s_tasks_is_the_six_months(tmp_path):
    untitled = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"], []]
    cover = [["BÁO CÁO"], ["Kết quả công tác cải cách hành chính 6 tháng đầu năm 2025, phương hướng nhiệm vụ quý III"]]
    path = write_cells(tmp_path / "a", untitled + [HEADER] + seed004(), sheet="PL", sheets_before=["Báo cáo"],
                       sheet_cells={"Báo cáo": cover})
    assert read_workbook(path).period == "2025-6M"
