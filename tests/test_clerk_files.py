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
from handmade import seed_rows, write_cells, write_excel95, write_form
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
    blank = [attached[0], attached[1], ["(Kèm theo Báo cáo số …/BC-UBND ngày …/…/2025 của UBND xã Bình Yên)"], []]
    submission = read_workbook(write_cells(tmp_path / "d", blank + [HEADER] + seed004()))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2025-Q1")
    # the column names another year than the report's date: no period
    dated = national("Bình Yên, ngày 15 tháng 3 năm 2025") + column
    submission = read_workbook(write_cells(tmp_path / "c", dated + [["STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2024",
                                                                         "Ghi chú"]] + seed004()))
    assert submission.period is None


@pytest.mark.parametrize("title, period", [
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÍ I NĂM 2025", "2025-Q1"),  # was the year's report, 2025-Y
    ("BÁO CÁO KẾT QUẢ CCHC QUÝ MỘT NĂM 2025", "2025-Q1"),
    ("BÁO CÁO KẾT QUẢ CCHC 6 THÁNG CUỐI NĂM 2025", None),  # was the first six months, 2025-6M
])
def test_titles_spelled_as_clerks_spell_them(tmp_path, title, period):
    cells = [["PHỤ LỤC SỐ II"], [title], ["(Kèm theo Báo cáo số 12/BC-UBND của UBND xã Bình Yên)"], [], HEADER]
    submission = read_workbook(write_cells(tmp_path / "phu-luc", cells + seed004()))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", period)
    assert reported(submission) == SEED004_READ and check(submission) == []


def test_a_quarter_without_its_year_on_a_sheet_named_by_its_year(tmp_path):
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ II CỦA UBND XÃ BÌNH YÊN"], []] + [HEADER]
    submission = read_workbook(write_cells(tmp_path / "phu-luc", cells + seed004(), sheet="2025"))
    assert (submission.period, submission.period_text) == ("2025-Q2", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ II "
                                                                      "CỦA UBND XÃ BÌNH YÊN … 2025")


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


# --- units of the two-tier local government (since 1 July 2025) ----------------------------------


@pytest.mark.parametrize("above, below, name, unit", [
    # the national header's issuing body, under the province it belongs to or under "ỦY BAN NHÂN DÂN"
    ([["ỦY BAN NHÂN DÂN", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["ĐẶC KHU PHÚ QUỐC", "", "Độc lập - Tự do - Hạnh phúc"]],
     None, "phu-luc", "UBND đặc khu Phú Quốc"),
    ([["UBND TỈNH AN GIANG"], ["UBND ĐẶC KHU PHÚ QUỐC"], ["Số: 12/BC-UBND"]], None, "phu-luc", "UBND đặc khu Phú Quốc"),
    ([["UBND TỈNH THÁI NGUYÊN"], ["UBND PHƯỜNG PHAN ĐÌNH PHÙNG"]], None, "phu-luc", "UBND phường Phan Đình Phùng"),
    # the title's "của …"
    ([["(Kèm theo Báo cáo số 12/BC-UBND ngày 15/3/2025 của Ủy ban nhân dân đặc khu Côn Đảo)"]], None, "phu-luc",
     "UBND đặc khu Côn Đảo"),
    ([["Đơn vị báo cáo: Đặc khu Vân Đồn"]], None, "phu-luc", "UBND đặc khu Vân Đồn"),
    # the signature under the table
    ([], "TM. ỦY BAN NHÂN DÂN ĐẶC KHU LÝ SƠN", "phu-luc", "UBND đặc khu Lý Sơn"),
    # the file name only
    ([], None, "PL2_Q1-2025_DacKhu_CoTo", "UBND đặc khu Co To"),
])
def test_a_special_zone_is_a_unit_wherever_its_name_is_written(tmp_path, above, below, name, unit):
    title = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025"]]
    signature = [[], [None, None, None, below], [None, None, None, "CHỦ TỊCH"]] if below else []
    cells = above + [[]] + title + [[]] + [HEADER] + seed004() + signature
    submission = read_workbook(write_cells(tmp_path / name, cells))
    assert (submission.unit, submission.unit_from_file, submission.period) == (unit, name != "phu-luc", "2025-Q1")
    assert reported(submission) == SEED004_READ and errors(submission) == []


def test_a_special_zone_answers_what_a_commune_must(tmp_path):
    """3.4.2.a/b are required of commune-level UBND; a đặc khu is one since 2025 (a phòng is not)."""
    blank = [row if row[1] != "Tổng số hồ sơ TTHC đã giải quyết xong" else [*row[:3], "", row[4]] for row in seed004()]
    for unit, required in (("UBND đặc khu Phú Quốc", True), ("UBND phường Phan Đình Phùng", True), ("Phòng Nội vụ", False)):
        title = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025"],
                 [f"(Kèm theo Báo cáo số 12/BC-UBND ngày 15/3/2025 của {unit})"], []]
        submission = read_workbook(write_cells(tmp_path / unit, title + [HEADER] + blank))
        assert submission.unit == unit
        missing = [f.ids for f in check(submission) if f.rule == "required-missing"]
        assert missing == ([("3.4.2.a",)] if required else []), unit


# --- a Word table split across pages that lost a column -------------------------------------------


@pytest.mark.parametrize("lost, header_again, refitted", [(4, False, False), (4, True, False), (2, False, False),
                                                        (2, False, True), (4, True, True), (4, False, True)])
def test_a_word_table_continued_on_the_next_page_without_a_column_keeps_its_rows(tmp_path, lost, header_again,
                                                                                refitted):
    """The Phụ lục split by a page break, the later part's Ghi chú (or Đơn vị tính) column deleted and
    its header not repeated: Word keeps the other columns' widths, which place them; when the table was
    fitted to the page again (other widths), what the columns hold places them (units under units,
    figures under figures, the header typed again), unless two fit alike: seed 004's few figures leave
    its Số liệu column as empty as its Ghi chú, so with no header typed again which of them was lost is
    not guessed, and the later rows are named missing."""
    from wordmade import TITLE, WIDTHS, body_rows, cell, header_rows, national_header, paragraph, row, table

    rows = seed004()
    for values in rows:  # notes where the later part keeps them, so a shifted column would show
        values[4] = values[4] or ("Đã cập nhật" if values[3] else "")
    cut = 60
    kept = [c for c in range(5) if c != lost]
    widths = [WIDTHS[c] * 9000 // sum(WIDTHS[c] for c in kept) if refitted else WIDTHS[c] for c in kept]
    later = [row([cell(values[c], width=width) for c, width in zip(kept, widths)]) for values in rows[cut:]]
    if header_again:
        later = [row([cell(("STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")[c], width=WIDTHS[c], bold=True)
                      for c in kept], header=True)] + later
    body = (national_header() + "".join(paragraph(text, bold=True, center=True) for text in TITLE)
            + table(header_rows() + body_rows(rows[:cut])) + paragraph(page_break=True)
            + table(later, widths=widths))
    submission = read_workbook(write_docx(tmp_path / "bao-cao.docx", body))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2024-Q1")
    if refitted and lost == 4 and not header_again:
        assert "3.4.2.b" not in reported(submission) and "row-missing" in {f.rule for f in check(submission)}
        return
    assert reported(submission) == SEED004_READ
    assert [f.rule for f in check(submission) if f.rule in ("row-missing", "required-missing", "not-a-number")] == []
    on_time = submission.figures["3.4.2.b"]
    assert (on_time.place.table, on_time.place.column_name) == (3, "Số liệu")
    assert on_time.note == ("Đã cập nhật" if lost != 4 else "")


def test_a_word_table_continued_without_a_column_of_the_width_of_another_is_not_guessed(tmp_path):
    """Two columns of one width and one of them gone from the later part: which cannot be told, so the
    later part is not read as the table's (its rows are named missing), never read shifted."""
    from wordmade import TITLE, body_rows, cell, header_rows, national_header, paragraph, row, table

    widths = (700, 4200, 1200, 1200, 1700)
    rows = seed004()
    later = [row([cell(values[c], width=widths[c]) for c in (0, 1, 2, 4)]) for values in rows[60:]]
    body = (national_header() + "".join(paragraph(text, bold=True, center=True) for text in TITLE)
            + table(header_rows() + body_rows(rows[:60]), widths=widths) + paragraph(page_break=True)
            + table(later, widths=[widths[c] for c in (0, 1, 2, 4)]))
    submission = read_workbook(write_docx(tmp_path / "bao-cao.docx", body))
    values = reported(submission)
    assert "3.4.2.b" not in values and values["1.1"] == 50
    assert "row-missing" in {f.rule for f in check(submission)}


# --- the period in the printed page's header, whatever the format ---------------------------------

UNTITLED = ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
            "(Kèm theo Báo cáo số 25/BC-UBND của UBND xã Bình Yên)"]


def _with_page_header(path, left: str, right: str, fmt: str):
    """The .xlsx at `path` with Page Setup's header `left` | `right` and a page-number footer, saved as `fmt`:
    Excel keeps them in the .xls (HEADER record), LibreOffice in the .ods (the sheet's page style)."""
    from openpyxl import load_workbook

    from lo import convert, require_soffice

    book = load_workbook(path)
    book.active.oddHeader.left.text, book.active.oddHeader.right.text = left, right
    book.active.oddFooter.center.text = "Trang &[Page]"
    book.save(path)
    if fmt == "xlsx":
        return path
    require_soffice()
    return convert(path, fmt, path.parent / fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_the_period_in_the_page_header_of_a_sheet_saved_as_xls_or_ods(tmp_path, fmt):
    """Page Setup > Header holds "Báo cáo CCHC Quý II năm 2024", the title no period: Excel keeps it in
    the .xls (HEADER record), LibreOffice in the .ods (the sheet's page style)."""
    path = _with_page_header(write_form(tmp_path / "xa-binh-yen", seed_rows("004"), title_lines=UNTITLED),
                             "UBND xã Bình Yên", "Báo cáo CCHC Quý II năm 2024", fmt)
    submission = read_workbook(path)
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-Q2",
                                                                              "page-header")
    assert submission.period_text == "UBND xã Bình Yên Báo cáo CCHC Quý II năm 2024 Trang"
    assert reported(submission) == SEED004_READ


def test_the_period_in_the_page_header_of_a_web_page_or_xml_spreadsheet(tmp_path):
    from handmade import write_web_page, write_xml_spreadsheet

    header = "&L&\"Times New Roman,Bold\"UBND xã Bình Yên&RBáo cáo CCHC Quý II năm 2024"
    for path in (write_web_page(tmp_path / "trang.xls", seed_rows("004"), title_lines=UNTITLED, page_header=header),
                 write_xml_spreadsheet(tmp_path / "xml.xls", seed_rows("004"), title_lines=UNTITLED, page_header=header)):
        submission = read_workbook(path)
        assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-Q2",
                                                                                  "page-header"), path.name
        assert submission.period_text == "UBND xã Bình Yên Báo cáo CCHC Quý II năm 2024 Trang", path.name
        assert reported(submission) == SEED004_READ


NO_UNIT = ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods", "excel95"])
def test_the_unit_and_period_only_in_the_page_header(tmp_path, fmt):
    """No national header, a title naming neither unit nor period: Page Setup's header names both, the
    unit at the left, the report at the right. The file's name ("bao-cao") names no unit."""
    left, right = "UBND xã Kim Phượng", "Báo cáo CCHC Quý II năm 2024"
    if fmt == "excel95":  # Excel 5.0/95 keeps them in the sheet's HEADER record, in windows-1258
        path = write_excel95(tmp_path / "bao-cao", seed_rows("004"), title_lines=NO_UNIT, national_header=False,
                             page_header=f"&L&\"Times New Roman,Bold\"{left}&R{right}", page_footer="&CTrang &P")
    else:
        path = _with_page_header(write_form(tmp_path / "bao-cao", seed_rows("004"), title_lines=NO_UNIT,
                                            national_header=False), left, right, fmt)
    submission = read_workbook(path)
    assert (submission.unit, submission.unit_from_file) == ("UBND xã Kim Phượng", False)
    assert (submission.period, submission.period_source) == ("2024-Q2", "page-header")
    assert submission.period_text == "UBND xã Kim Phượng Báo cáo CCHC Quý II năm 2024 Trang"
    assert reported(submission) == SEED004_READ


def test_an_excel95_sheet_named_in_vietnamese_keeps_its_page_header(tmp_path):
    """An Excel 95 sheet's name is bytes of its code page (BIFF5 has no Unicode): read as calamine reads
    it, so the sheet's records (its page header) are the sheet's."""
    path = write_excel95(tmp_path / "bao-cao", seed_rows("004"), title_lines=NO_UNIT, sheet="Phụ lục quý",
                         page_header="&CBáo cáo 6 tháng đầu năm 2024")
    submission = read_workbook(path)
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-6M",
                                                                              "page-header")
    assert reported(submission) == SEED004_READ


# --- a web page titled in its table's caption -----------------------------------------------------


def caption_page(path, caption: str, *, close_caption: bool = True):
    """One-stop-shop software's "Excel" export: the title in the table's <caption>, lines broken by <br>."""
    from html import escape

    from handmade import DEFAULT_HEADER

    rows = "".join("<tr>" + "".join(f"<td>{escape(str(value or ''))}</td>" for value in row) + "</tr>"
                   for row in seed_rows("004"))
    page = ('<html><head><meta charset="utf-8"><title>Bao cao</title></head><body><table border="1">'
            f"<caption>{caption}" + ("</caption>" if close_caption else "")
            + "<thead><tr>" + "".join(f"<th>{text}</th>" for text in DEFAULT_HEADER) + "</tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>")
    path.write_text(page, "utf-8")
    return path


def test_a_web_page_titled_in_its_table_caption(tmp_path):
    caption = ("PHỤ LỤC SỐ II<br>BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024<br>"
               "(Kèm theo Báo cáo số 12/BC-UBND của UBND xã Bình Yên)")
    submission = read_workbook(caption_page(tmp_path / "xuat-excel.htm", caption))
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-Q1", "title")
    assert submission.period_text == "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"
    assert reported(submission) == SEED004_READ and errors(submission) == []
    # the caption's three lines are rows above the table's, as Excel shows them: 1.1 is the second row under
    # the header on row 4
    assert submission.cell("1.1") == "xuat-excel!D6"


def test_a_web_page_whose_caption_is_never_closed_is_still_read(tmp_path):
    caption = "PHỤ LỤC SỐ II<br>BÁO CÁO QUÝ I NĂM 2024 " + "x" * 100_000
    submission = read_workbook(caption_page(tmp_path / "hong.htm", caption, close_caption=False))
    assert submission.period == "2024-Q1" and reported(submission) == SEED004_READ


# --- the Word report's table copied into Excel ----------------------------------------------------


def pasted_from_word(rows, *, merged: bool = True):
    """The Phụ lục copied from the Word report into Excel: a label Word showed over two lines, typed as two
    paragraphs, becomes two rows, the row's other cells merged down over both (or, typed again by hand,
    the second line alone on a row of its own)."""
    from openpyxl.utils import get_column_letter

    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025"],
             ["(Kèm theo Báo cáo số 12/BC-UBND ngày 14/3/2025 của UBND xã Bình Yên)"], [], HEADER]
    merges = []
    for stt, label, unit, value, note in rows:
        if len(label) <= 60:
            cells.append([stt, label, unit, value, note])
            continue
        cut = label.rfind(" ", 0, len(label) // 2 + 10)
        top = len(cells) + 1
        cells += [[stt, label[:cut], unit, value, note], [None, label[cut + 1:], None, None, None]]
        merges += [f"{get_column_letter(c)}{top}:{get_column_letter(c)}{top + 1}" for c in (1, 3, 4, 5)] if merged else []
    return cells, merges


@pytest.mark.parametrize("merged", [True, False])
def test_a_table_pasted_from_word_with_labels_on_two_rows(tmp_path, merged):
    """33 labels of seed 004 on two rows each, the figure on the first; one goes on with "Chủ tịch UBND cấp
    huyện", which was taken for the signature ("CHỦ TỊCH") and ended the table after its first 25 rows: the
    form was not recognised."""
    cells, merges = pasted_from_word(seed004(), merged=merged)
    assert "Chủ tịch UBND cấp huyện" in [row[1] for row in cells if len(row) > 1]
    submission = read_workbook(write_cells(tmp_path / "dan-tu-word", cells, merges=merges))
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2025-Q1")
    assert reported(submission) == SEED004_READ
    assert check(submission) == []
    on_time = next(r for r, row in enumerate(cells, 1) if row[1:4] == ["Số hồ sơ TTHC giải quyết đúng hạn", "Hồ sơ", "348"])
    assert submission.cell("3.4.2.b") == f"Sheet1!D{on_time}"


def test_a_signature_in_capitals_still_ends_the_table(tmp_path):
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025 CỦA UBND XÃ BÌNH YÊN"], [],
             HEADER] + seed004() + [[None, "Người lập biểu", None, "CHỦ TỊCH"], [None, "Nguyễn Văn A", None, "12"]]
    submission = read_workbook(write_cells(tmp_path / "ky", cells))
    assert reported(submission) == SEED004_READ and check(submission) == []


def test_a_row_typed_on_two_lines_its_figure_on_the_first(tmp_path):
    """"Số hồ sơ TTHC" with its unit and 348, "giải quyết đúng hạn" on the line under it: one row, 3.4.2.b,
    not a row the form does not have and a required row left empty."""
    rows = []
    for stt, label, unit, value, note in seed004():
        if label == "Số hồ sơ TTHC giải quyết đúng hạn" and value == "348":
            rows += [[stt, "Số hồ sơ TTHC", unit, value, note], [None, "giải quyết đúng hạn", None, None, None]]
        else:
            rows.append([stt, label, unit, value, note])
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025 CỦA UBND XÃ BÌNH YÊN"], []]
    submission = read_workbook(write_cells(tmp_path / "hai-dong", cells + [HEADER] + rows))
    assert reported(submission) == SEED004_READ and check(submission) == []


@pytest.mark.parametrize("seed", ["000", "002"])
def test_the_province_forms_pasted_from_word_read_as_typed_one_row_each(tmp_path, seed):
    """Seeds 000 (Phụ lục 01b) and 002 (Sóc Trăng's district form) pasted from Word: the same figures and
    findings as the rows typed one per row. Seed 002's "Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và
    trực tuyến đối với các" goes on "TTHC đã cung cấp trực tuyến …": a line starting with an abbreviation
    goes on mid-sentence (VII.6.d was lost)."""
    rows = [list(row) for row in seed_rows(seed)]
    cells, merges = pasted_from_word(rows)
    typed = read_workbook(write_cells(tmp_path / "go-tay", cells[:5] + rows))
    pasted = read_workbook(write_cells(tmp_path / "dan-tu-word", cells, merges=merges))
    assert len(merges) > 10 and typed.catalog.id == pasted.catalog.id
    assert reported(pasted) == reported(typed) and len(reported(typed)) > 25
    assert sorted((f.rule, f.ids) for f in check(pasted)) == sorted((f.rule, f.ids) for f in check(typed))


# --- a second sheet with a copy of the form ----------------------------------------------------------


@pytest.mark.parametrize("blank_title", ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025",
                                         "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ II NĂM 2025"])
def test_the_filled_sheet_is_read_not_the_blank_copy_of_the_form_before_it(tmp_path, blank_title):
    """The form kept blank on the first sheet ("Mẫu", or next quarter's prepared ahead), the copy filled
    on the next: the blank one was read (no figure, a required row missing) and the filled one only named."""
    def sheet(title, rows):
        return [["PHỤ LỤC SỐ II"], [title], ["(Kèm theo Báo cáo số 12/BC-UBND của UBND xã Bình Yên)"], [], HEADER] + rows

    blank = [row[:3] + [None, None] for row in seed004()]
    filled = sheet("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025", seed004())
    path = write_cells(tmp_path / "hai-trang", sheet(blank_title, blank), sheet="Mẫu", sheets_after=["Quý I"],
                       sheet_cells={"Quý I": filled})
    submission = read_workbook(path)
    assert (submission.sheet, submission.unit, submission.period) == ("Quý I", "UBND xã Bình Yên", "2025-Q1")
    assert reported(submission) == SEED004_READ
    assert [f.rule for f in check(submission)] == ["several-tables"]
    assert "Mẫu!A5" in check(submission)[0].message


def test_a_note_typed_in_the_figure_cell_says_to_write_0_when_nothing_arose(tmp_path):
    rows = seed004()
    late = next(row for row in rows if row[1] == "Số nhiệm vụ đã hoàn thành nhưng quá hạn")
    late[3] = "Không phát sinh"
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2025 CỦA UBND XÃ BÌNH YÊN"], []]
    submission = read_workbook(write_cells(tmp_path / "ghi-chu", cells + [HEADER] + rows))
    assert reported(submission) == SEED004_READ
    (finding,) = check(submission)
    assert (finding.rule, finding.ids, finding.cell) == ("not-a-number", ("1.3.3",), f"Sheet1!D{4 + rows.index(late) + 1}")
    assert "«Không phát sinh»" in finding.message and "không phát sinh thì ghi 0" in finding.message


# --- a Word report saved as a web page ---------------------------------------------------------------


def test_a_word_report_saved_as_a_web_page_reads_as_the_report(tmp_path, capsys):
    """Word's (here Writer's) "Save as Web Page": the national header a table, the narrative lines of text,
    then the Phụ lục. The narrative's "của UBND huyện Định Hóa" was taken for the unit: its lines, from
    "BÁO CÁO" to "PHỤ LỤC", are the report's text, checked against the table as a .docx's are."""
    import json

    from cchc_xl import cli
    from lo import convert, require_soffice
    from wordmade import write_report

    require_soffice()
    narrative = (*NARRATIVE[:3], "Kết quả năm 2023 so với năm 2022 tăng 12%, do UBND huyện Định Hóa giao.",
                 "Tổng số hồ sơ đã tiếp nhận là 352 hồ sơ.")
    report = write_report(tmp_path / "bao-cao", seed004(), narrative=narrative)
    page = convert(report, "htm", tmp_path / "web")
    cli.main(["check", str(report), "--json"])
    (by_word,) = json.loads(capsys.readouterr().out)["files"]
    cli.main(["check", str(page), "--json"])
    (by_page,) = json.loads(capsys.readouterr().out)["files"]
    assert (by_page["unit"], by_page["period"]) == ("UBND xã Bình Yên", "2024-Q1") == (by_word["unit"], by_word["period"])
    assert by_page["values"] == by_word["values"] and reported(read_workbook(page)) == SEED004_READ
    # the narrative says 352 dossiers were received, the table 351: found in both, quoting the sentence
    assert [f["rule"] for f in by_page["findings"]] == ["narrative-differs"]
    assert [f["message"] for f in by_page["findings"]] == [f["message"] for f in by_word["findings"]]
    assert "352" in by_page["findings"][0]["message"]


def test_a_web_page_whose_source_lines_wrap_reads_its_cells_as_shown(tmp_path):
    """Excel and LibreOffice wrap long lines when they write a page: a line break in the source is a
    space. "XÃ BÌNH" and "YÊN" on two source lines were two lines of the cell: the unit "UBND xã Bình"."""
    from html import escape

    from handmade import DEFAULT_HEADER

    rows = "".join("<tr>" + "".join(f"<td>{escape(str(value or ''))}</td>" for value in row) + "</tr>\n"
                   for row in seed_rows("004"))
    page = ('<html><head><meta charset="utf-8"></head><body><table>\n<tr><td colspan=2>ỦY BAN NHÂN DÂN<br>XÃ BÌNH\n'
            'YÊN</td><td colspan=3>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</td></tr>\n'
            '<tr><td colspan=5>PHỤ LỤC SỐ II</td></tr><tr><td colspan=5>BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH\n'
            'QUÝ I NĂM 2024</td></tr>\n<tr>' + "".join(f"<td>{text}</td>" for text in DEFAULT_HEADER) + "</tr>\n"
            + rows + "</table></body></html>")
    path = tmp_path / "trang.htm"
    path.write_text(page, "utf-8")
    submission = read_workbook(path)
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2024-Q1")
    assert reported(submission) == SEED004_READ


def test_a_web_page_report_with_a_flood_of_text_keeps_its_narrative_bounded(tmp_path):
    """A hostile "report" page: 2.000 lines of 1.000 characters between BÁO CÁO and PHỤ LỤC."""
    from html import escape

    from cchc_xl.sources import load
    from cchc_xl.sources.docx import MAX_NARRATIVE_CHARS
    from handmade import DEFAULT_HEADER

    rows = "".join("<tr>" + "".join(f"<td>{escape(str(value or ''))}</td>" for value in row) + "</tr>"
                   for row in seed_rows("004"))
    flood = "".join(f"<p>Tổng số hồ sơ đã tiếp nhận là {n} hồ sơ {'x' * 960}</p>" for n in range(2000))
    page = ("<html><body><p>BÁO CÁO</p>" + flood + "<p>PHỤ LỤC SỐ II</p><p>BÁO CÁO CCHC QUÝ I NĂM 2024</p><table><tr>"
            + "".join(f"<td>{text}</td>" for text in DEFAULT_HEADER) + f"</tr>{rows}</table></body></html>")
    path = tmp_path / "lu.htm"
    path.write_text(page, "utf-8")
    workbook = load(path)
    assert 0 < sum(map(len, workbook.paragraphs)) <= MAX_NARRATIVE_CHARS
    submission = read_workbook(path)
    assert submission.period == "2024-Q1" and reported(submission) == SEED004_READ


def test_a_cover_sheet_titled_without_bao_cao_gives_its_title_s_period_not_a_later_sentence_s(tmp_path):
    untitled = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"], []]
    for cover, period in (([["UBND XÃ BÌNH YÊN"], ["Kết quả thực hiện công tác cải cách hành chính quý I năm 2025"],
                            ["I. KẾT QUẢ"], ["Kết quả năm 2024 so với năm 2023 tăng 12%."]], "2025-Q1"),
                          ([["UBND XÃ BÌNH YÊN"], ["Tình hình thực hiện trong quý:"],
                            ["Kết quả năm 2024 so với năm 2023 tăng 12%"]], None)):
        path = write_cells(tmp_path / ("bia-co-ky" if period else "bia"), untitled + [HEADER] + seed004(), sheet="PL",
                           sheets_before=["Bìa"], sheet_cells={"Bìa": cover})
        submission = read_workbook(path)
        assert submission.period == period and reported(submission) == SEED004_READ


# --- the quarter written short in a file or sheet name --------------------------------------------


@pytest.mark.parametrize("name, sheet, unit, period", [
    ("Xa Bao Cuong - QI-2025.xlsx", "Sheet1", "UBND xã Bao Cuong", "2025-Q1"),
    ("BC_CCHC_QIII.2025_xa_Bao_Cuong.xlsx", "Sheet1", "UBND xã Bao Cuong", "2025-Q3"),
    ("Phuong Tan An Q.IV 2024.xlsx", "Sheet1", "UBND phường Tan An", "2024-Q4"),
    ("xa Bao Cuong quyII_2025.xlsx", "Sheet1", "UBND xã Bao Cuong", "2025-Q2"),
    ("xa Bao Cuong.xlsx", "PL QII-2025", "UBND xã Bao Cuong", "2025-Q2"),
])
def test_a_quarter_written_qi_in_the_file_or_sheet_name(tmp_path, name, sheet, unit, period):
    """"QI", "Q.IV", "quyII": Quý and its Roman number run together. Read as a word of the name, the unit was
    "UBND xã Bao Cuong Qi", a commune no roster holds, and the file had no period."""
    title = [["PHỤ LỤC"], ["KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"], []]
    submission = read_workbook(write_cells(tmp_path / name, title + [HEADER] + seed004(), sheet=sheet))
    assert (submission.unit, submission.period) == (unit, period)
    assert submission.period_source == ("sheet-name" if sheet != "Sheet1" else "file-name")
    assert reported(submission) == SEED004_READ


@pytest.mark.parametrize("caption, name, unit", [
    ("Đơn vị báo cáo:", "Xã Bình Yên", "UBND xã Bình Yên"),
    ("Tên đơn vị:", "XÃ BÌNH YÊN", "UBND xã Bình Yên"),
    ("Cơ quan thực hiện:", "Phường Tân An", "UBND phường Tân An"),
])
def test_the_unit_typed_in_the_cell_after_its_caption(tmp_path, caption, name, unit):
    """"Đơn vị báo cáo:" in a cell of its own (merged over A:B), the commune's name in the next (merged over
    C:E): read one cell at a time, neither named the unit, which came from the file's name."""
    above = [["PHỤ LỤC"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"],
             [caption, None, name], ["Kỳ báo cáo:", None, "Quý I năm 2024"], []]
    path = write_cells(tmp_path / "phu-luc.xlsx", above + [HEADER] + seed004(), merges=["A3:B3", "C3:E3", "A4:B4", "C4:E4"])
    submission = read_workbook(path)
    assert (submission.unit, submission.unit_from_file, submission.period) == (unit, False, "2024-Q1")
    assert reported(submission) == SEED004_READ


# --- a sheet per quarter --------------------------------------------------------------------------


def _quarter_sheets(tmp_path, sheets, titles, current):
    """A commune's workbook of the year, a sheet per quarter; the sheet `current` holds seed 004's figures,
    the others last quarters' (one more dossier on every count)."""
    earlier = [row[:3] + [row[3] + 1 if isinstance(row[3], int) else row[3]] + row[4:] for row in seed004(seed_rows("004", as_numbers=True))]
    cells = {sheet: [["PHỤ LỤC"], [titles[sheet]], ["(Kèm theo Báo cáo của UBND xã Bình Yên)"], [], HEADER]
             + (seed004() if sheet == current else earlier) for sheet in sheets}
    at = sheets.index(current)
    return write_cells(tmp_path / "PhuLuc-CCHC.xlsx", cells[current], sheet=current, sheets_before=sheets[:at],
                       sheets_after=sheets[at + 1:], sheet_cells={sheet: cells[sheet] for sheet in sheets if sheet != current})


@pytest.mark.parametrize("sheets, title, period", [
    # each sheet titled with the year alone: the first sheet's quarter was read as the year's figures
    (["Quý I", "Quý II", "Quý III"], "KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2024", "2024-Q3"),
    (["Q1", "Q2", "6T", "Q3"], "KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2024", "2024-Q3"),
    # no year anywhere: the latest quarter is read, its period left unknown rather than guessed
    (["Quy 1", "Quy 2", "Quy 3"], "KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH", None),
])
def test_a_sheet_per_quarter_titled_with_the_year_reads_the_latest_quarter(tmp_path, sheets, title, period):
    path = _quarter_sheets(tmp_path, sheets, dict.fromkeys(sheets, title), current=sheets[-1])
    submission = read_workbook(path)
    assert (submission.sheet, submission.period) == (sheets[-1], period)
    assert reported(submission) == SEED004_READ
    assert [f.rule for f in submission.findings] == ["several-tables"]


def test_a_sheet_per_quarter_each_titled_with_its_quarter_reads_the_latest(tmp_path):
    """The titles name their quarters: they decide, whatever the sheets' order (the current one first here)."""
    sheets = ["Quý III", "Quý I", "Quý II"]
    titles = {sheet: f"KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {sheet.upper()} NĂM 2024" for sheet in sheets}
    submission = read_workbook(_quarter_sheets(tmp_path, sheets, titles, current="Quý III"))
    assert (submission.sheet, submission.period, submission.period_source) == ("Quý III", "2024-Q3", "title")
    assert reported(submission) == SEED004_READ


def test_one_sheet_named_by_a_quarter_under_a_year_s_title_keeps_the_title_s_period(tmp_path):
    """A single sheet left named "Quý I" when the year's report was made from the quarter's file: the title
    says the report, not the sheet's old name."""
    path = write_cells(tmp_path / "PhuLuc.xlsx", [["PHỤ LỤC"], ["KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2024"],
                                                  ["(Kèm theo Báo cáo của UBND xã Bình Yên)"], [], HEADER] + seed004(),
                       sheet="Quý I")
    assert read_workbook(path).period == "2024-Y"


# --- a district's own roll-up typed by hand: its communes' figures column by column beside the total ---


COMMUNES = ("Xã Phú Đình", "Xã Bình Yên", "Thị trấn Chợ Chu")
COUNTS = ("1.1.a", "1.1.b", "3.2.4.a", "3.2.4.b", "3.4.2.a", "3.4.2.b", "4.2.1", "4.2.2")


def _district_by_commune(tmp_path, district, shares, *, names=COMMUNES, total="Tổng cộng", total_first=False,
                         two_levels=True, top="Số liệu", fmt="xlsx"):
    """The district's Phụ lục as its Phòng Nội vụ types it: a column per commune (`shares[i]` times seed 004's
    counts) and the total, under `top` merged across them or in one header row."""
    figures = {row_id: value for row_id, value in SEED004_READ.items() if row_id in COUNTS}
    columns = [*names, total]
    at = 0 if total_first else len(names)
    if total_first:
        columns = [total, *names]
    title = [["PHỤ LỤC SỐ II"], ["BÁO CÁO TỔNG HỢP CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"],
             [f"(Kèm theo Báo cáo số 15/BC-UBND ngày 18/3/2024 của UBND {district})"], []]
    width = 3 + len(columns) + 1
    if two_levels:
        header = [["STT", "Chỉ tiêu", "Đơn vị tính", top] + [None] * (len(columns) - 1) + ["Ghi chú"],
                  [None, None, None, *columns, None]]
    else:
        header = [["STT", "Chỉ tiêu", "Đơn vị tính", *columns, "Ghi chú"]]
    body = []
    for row_id, (stt, label, unit, _, note) in zip(_row_ids(), seed004()):
        parts = [figures[row_id] * share if row_id in figures else None for share in shares]
        whole = sum(parts) if row_id in figures else None
        cells = parts[:at] + [whole] + parts[at:]
        body.append([stt, label, unit, *cells, note])
    first = len(title) + 1
    last = chr(ord("A") + width - 1)
    merges = ([f"{letter}{first}:{letter}{first + 1}" for letter in ("A", "B", "C", last)]
              + [f"D{first}:{chr(ord(last) - 1)}{first}"] if two_levels else [])
    path = write_cells(tmp_path / f"{district}.xlsx", title + header + body, merges=merges, fmt=fmt)
    return path, {row_id: value * sum(shares) for row_id, value in figures.items()}


def _row_ids():
    from cchc_xl import catalog
    return [row.id for row in catalog.load("phu-luc-ii").rows]


@pytest.mark.parametrize("two_levels", [True, False], ids=["so-lieu-over-the-columns", "one-header-row"])
@pytest.mark.parametrize("total, total_first", [("Tổng cộng", False), ("Tổng cộng", True), ("Toàn huyện", True),
                                                ("Cộng", False), ("Tổng số", False)])
def test_a_district_table_by_commune_reads_its_total(tmp_path, two_levels, total, total_first):
    """"Số liệu" merged over "Xã Phú Đình | Xã Bình Yên | Thị trấn Chợ Chu | Tổng cộng": the first commune's
    column was read as the district's figures; in one header row the table was not found at all."""
    path, expected = _district_by_commune(tmp_path, "huyện Định Hóa", (1, 2, 3), total=total, total_first=total_first,
                                          two_levels=two_levels)
    submission = read_workbook(path)
    assert (submission.unit, submission.period) == ("UBND huyện Định Hóa", "2024-Q1")
    assert {row_id: submission.values[row_id] for row_id in COUNTS} == expected
    assert errors(submission) == []


@pytest.mark.parametrize("names", [COMMUNES, ("Phú Đình", "Bình Yên", "Chợ Chu"), ("Cấp huyện", "Cấp xã", "Cấp thôn")])
@pytest.mark.parametrize("top", ["Số liệu", "Kết quả"])
def test_a_table_whose_figures_are_split_without_a_total_is_refused_not_read_from_its_first_column(tmp_path, names, top):
    """"Số liệu" (or "Kết quả") over columns named as no figure and no total: which figures are the unit's cannot
    be told. The first column was read as the district's; the file is refused, naming the columns."""
    from cchc_xl.grid import ReadError
    path, _ = _district_by_commune(tmp_path, "huyện Định Hóa", (1, 2), names=names[:2], total=names[2], top=top)
    with pytest.raises(ReadError) as refused:
        read_workbook(path)
    assert refused.value.code == "figure-column-unclear"
    assert ", ".join(names) in str(refused.value) and "Tổng cộng" in str(refused.value)


@pytest.mark.libreoffice
def test_districts_tables_by_commune_merge_one_level_up(tmp_path):
    """The province merges two districts' hand-made tables (one saved as .xls, its total first): the totals."""
    import contextlib
    import io
    import json

    from cchc_xl.cli import main
    from lo import require_soffice
    require_soffice()
    folder = tmp_path / "nop"
    folder.mkdir()
    _, dinh_hoa = _district_by_commune(folder, "huyện Định Hóa", (1, 2, 3))
    _, phu_luong = _district_by_commune(folder, "huyện Phú Lương", (2, 5), names=("Xã Yên Đổ", "Xã Ôn Lương"),
                                        total="Toàn huyện", total_first=True, fmt="xls")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["merge", str(folder), "-o", str(tmp_path / "tinh.xlsx"), "--json", "--unit", "UBND tỉnh Thái Nguyên"])
    result = json.loads(buffer.getvalue())
    assert code == 0, result
    assert sorted(unit["unit"] for unit in result["units"]) == ["UBND huyện Phú Lương", "UBND huyện Định Hóa"]
    assert {row_id: result["totals"][row_id] for row_id in COUNTS} == {
        row_id: dinh_hoa[row_id] + phu_luong[row_id] for row_id in COUNTS}


@pytest.mark.parametrize("title, top, columns, read", [
    # the quarter's own column beside the cumulative one: "Trong quý" is this period (the 9 months were read,
    # with a warning, as the quarter's figures)
    ("QUÝ I", "Số liệu", ("Trong quý", "Lũy kế 6 tháng"), "D"),
    ("6 THÁNG", "Số liệu", ("Trong quý", "Lũy kế 6 tháng"), "E"),
    # one column named as no figure beside a figure's is no split of the figure: the period's column is read
    ("QUÝ I", "Thực hiện", ("Trong kỳ", "Lũy kế"), "D"),
    # a running total over the months ("cộng dồn") is no units' total
    ("QUÝ I", "Thực hiện", ("Trong kỳ", "Cộng dồn"), "D"),
])
def test_this_period_s_column_beside_the_cumulative_one(tmp_path, title, top, columns, read):
    cells = [["PHỤ LỤC SỐ II"], [f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {title} NĂM 2024"],
             ["(Kèm theo Báo cáo số 12/BC-UBND ngày 14/6/2024 của UBND xã Bình Yên)"], [],
             ["STT", "Chỉ tiêu", "Đơn vị tính", top, None, "Ghi chú"], [None, None, None, *columns, None]]
    cells += [[stt, label, unit, value or None, 9999 if value else None, note] for stt, label, unit, value, note in seed004()]
    merges = [f"{letter}5:{letter}6" for letter in "ABCF"] + ["D5:E5"]
    submission = read_workbook(write_cells(tmp_path / "phu-luc.xlsx", cells, merges=merges))
    assert submission.figures["1.1.a"].cell == f"Sheet1!{read}9"
    if read == "D":
        assert reported(submission) == SEED004_READ and submission.findings == []


def test_a_plan_beside_one_column_named_otherwise_is_no_split_of_the_figure(tmp_path):
    """"Số liệu" over "Kế hoạch | Trong tháng": the plan is never the figure and is no unit's column either; the
    other column is read as before, not refused as a split without a total."""
    cells = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"],
             ["(Kèm theo Báo cáo số 12/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)"], [],
             ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", None, "Ghi chú"], [None, None, None, "Kế hoạch", "Trong tháng", None]]
    cells += [[stt, label, unit, 9999 if value else None, value or None, note] for stt, label, unit, value, note in seed004()]
    merges = [f"{letter}5:{letter}6" for letter in "ABCF"] + ["D5:E5"]
    submission = read_workbook(write_cells(tmp_path / "phu-luc.xlsx", cells, merges=merges))
    assert reported(submission) == SEED004_READ


# --- the title typed in a text box over the sheet -------------------------------------------------


@pytest.mark.parametrize("resaved", [None, "xlsx", "ods"], ids=["excel", "xlsx-by-libreoffice", "ods-by-libreoffice"])
def test_the_title_in_a_text_box_names_the_unit_and_period(tmp_path, resaved):
    """Insert > Text Box: "BÁO CÁO … QUÝ IV NĂM 2024" and "(Kèm theo … của UBND xã Bình Yên)" drawn over the
    sheet, its cells holding no title: the unit came from the file's name and there was no period."""
    from handmade import with_text_box
    path = write_cells(tmp_path / "phu-luc.xlsx", [[], [], [], ["PHỤ LỤC"], [], HEADER] + seed004())
    with_text_box(path, ["BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ IV NĂM 2024",
                         "(Kèm theo Báo cáo số 12/BC-UBND ngày 14/12/2024 của UBND xã Bình Yên)"])
    if resaved:
        from lo import convert, require_soffice
        require_soffice()
        path = convert(path, resaved, tmp_path / "lo")
    submission = read_workbook(path)
    assert (submission.unit, submission.unit_from_file) == ("UBND xã Bình Yên", False)
    assert (submission.period, submission.period_source) == ("2024-Q4", "text-box")
    assert reported(submission) == SEED004_READ


def test_the_title_in_cells_is_read_before_a_text_box(tmp_path):
    """A text box holding a note of another year does not overrule the title typed in the cells."""
    from handmade import with_text_box
    path = write_cells(tmp_path / "phu-luc.xlsx", [["PHỤ LỤC"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"],
                                                  ["(Kèm theo Báo cáo của UBND xã Bình Yên)"], [], HEADER] + seed004())
    with_text_box(path, ["Số liệu năm 2023 của UBND xã Phú Đình để đối chiếu"], row=40, col=6)
    submission = read_workbook(path)
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-Q1", "title")


def test_a_flood_of_text_boxes_is_read_within_bounds(tmp_path):
    """A hostile drawing: a text box of 100.000 paragraphs (random letters, so the package is no zip bomb).
    What is looked at is bounded; the file reads as before."""
    import random
    import string
    import time

    from handmade import with_text_box
    path = write_cells(tmp_path / "phu-luc.xlsx", [["PHỤ LỤC"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"],
                                                  ["(Kèm theo Báo cáo của UBND xã Bình Yên)"], [], HEADER] + seed004())
    letters = random.Random(7)
    with_text_box(path, ["".join(letters.choices(string.ascii_lowercase, k=40)) for _ in range(100_000)])
    started = time.process_time()
    submission = read_workbook(path)
    assert time.process_time() - started < 5
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2024-Q1")
    assert reported(submission) == SEED004_READ
