"""Phụ lục files as communes nobody here has seen would make them.

Each test builds a workbook the way an office does (a province's retyped layout, extra columns,
figures typed with their units, formulas, deleted and moved rows, several sheets, .xls/.ods) and
asserts the figures read by row id, and that only the findings that should be there are there.
The figures are those of the narrative seeds: xã Bình Phước, năm 2023 (1962 hồ sơ received, 848
online, 1886 resolved, 1868 on time "99,04 %") and huyện Cẩm Xuyên, 6 tháng 2021 (2.241 resolved,
2.230 on time "99,5%"; communes 14.746 / 14.677 "99,53%").
"""

import datetime

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl.checks import check
from cchc_xl.findings import ERROR, flatten
from cchc_xl.reading import read_workbook
from handmade import Pct, convert, require_soffice, seed_rows_by_id, write_cells

PL2 = catalog_module.load("phu-luc-ii")

BINH_PHUOC = {"1.1": 100, "1.1.a": 12, "1.1.b": 12, "1.5": 1, "3.1.3.b": 118,
              "3.2.4": "43,2", "3.2.4.a": 1962, "3.2.4.b": 848,
              "3.4.2": "99,04 %", "3.4.2.a": 1886, "3.4.2.b": 1868, "4.2.1": 21, "4.2.2": 20}
BINH_PHUOC_READ = {"1.1": 100, "1.1.a": 12, "1.1.b": 12, "1.5": 1, "3.1.3.b": 118,
                   "3.2.4": 43.2, "3.2.4.a": 1962, "3.2.4.b": 848,
                   "3.4.2": 99.04, "3.4.2.a": 1886, "3.4.2.b": 1868, "4.2.1": 21, "4.2.2": 20}
CAM_XUYEN = {"1.1": 50, "1.1.a": 30, "1.1.b": 15, "3.1.3": 413, "3.1.3.a": 274, "3.1.3.b": 139,
             "3.2.4": "65,5", "3.2.4.a": "2.641", "3.2.4.b": "1.730",
             "3.4.1": "99,5%", "3.4.1.a": "2.241", "3.4.1.b": "2.230",
             "3.4.2": "99,53%", "3.4.2.a": "14.746", "3.4.2.b": "14.677"}

TITLE = [["PHỤ LỤC SỐ II"], ["BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2023"],
         ["(Kèm theo Báo cáo số 12/BC-UBND ngày 10/12/2023 của UBND xã Bình Phước)"], []]
HEADER = ["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]


def reported(submission):
    return {row_id: value for row_id, value in submission.values.items() if value is not None}


def errors(findings):
    return [f for f in findings if f.severity == ERROR]


def rules(findings):
    return sorted({f.rule for f in findings})


def plain(rows):
    """(id, stt, label, unit, value, note) rows as the five cells of the usual layout."""
    return [[stt, label, unit, value, note] for _, stt, label, unit, value, note in rows]


def binh_phuoc(figures=None):
    return seed_rows_by_id("004", "phu-luc-ii", BINH_PHUOC if figures is None else figures)


# --- the same form retyped by a province ----------------------------------------------------------


def test_district_figures_of_cam_xuyen_read_and_pass_the_checks(tmp_path):
    title = [["PHỤ LỤC"], ["BÁO CÁO CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2021"],
             ["(Kèm theo Báo cáo số 150/BC-UBND ngày 16/6/2021 của UBND huyện Cẩm Xuyên)"], []]
    path = write_cells(tmp_path / "CamXuyen", title + [HEADER] + plain(seed_rows_by_id("004", "phu-luc-ii", CAM_XUYEN)))
    submission = read_workbook(path)
    values = reported(submission)
    assert (values["3.4.1.a"], values["3.4.1.b"], values["3.4.1"]) == (2241, 2230, 99.5)
    assert (values["3.4.2.a"], values["3.4.2.b"], values["3.4.2"]) == (14746, 14677, 99.53)
    assert values["3.2.4.a"] == 2641 and values["3.1.3"] == 413
    assert (submission.unit, submission.period) == ("UBND huyện Cẩm Xuyên", "2021-6M")
    assert errors(check(submission)) == []


def test_percent_of_the_narrative_that_does_not_match_its_parts_is_a_finding(tmp_path):
    """Seed 003 writes 43,6% online: 848 / (1962 - 17 carried over), not 848 / 1962 as the form asks."""
    figures = dict(BINH_PHUOC, **{"3.2.4": "43,6%"})
    submission = read_workbook(write_cells(tmp_path / "BinhPhuoc", TITLE + [HEADER] + plain(binh_phuoc(figures))))
    found = errors(check(submission))
    assert flatten(found, ["rule", "ids", "cell"]) == [["percent-mismatch", ("3.2.4", "3.2.4.b", "3.2.4.a"), "Sheet1!D50"]]
    assert "43,6%" in found[0].message and "848/1.962" in found[0].message


@pytest.mark.parametrize("header, figure_at, other_figures", [
    # one header row; plan, last year and a comparison between the label and the figure
    ([["TT", "Nội dung", "ĐVT", "Kế hoạch năm", "Cùng kỳ năm trước", "Kết quả thực hiện", "So sánh (%)", "Ghi chú"]],
     5, {3: 99, 4: 77, 6: 98}),
    # "Số liệu" merged over "Kế hoạch | Thực hiện"
    ([["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", None, "Ghi chú"],
      [None, None, None, "Kế hoạch", "Thực hiện", None]], 4, {3: 99}),
    # "Kết quả" merged over "Cùng kỳ năm trước | Kỳ báo cáo"
    ([["STT", "Chỉ tiêu", "ĐVT", "Kết quả", None, "Ghi chú"],
      [None, None, None, "Cùng kỳ năm trước", "Kỳ báo cáo", None]], 4, {3: 99}),
    # "Số liệu" merged over two years: the later one is this report's
    ([["STT", "Chỉ tiêu", "ĐVT", "Số liệu", None, "Ghi chú"],
      [None, None, None, "Năm 2022", "Năm 2023", None]], 4, {3: 99}),
    # figure column before the unit, "Số lượng"
    ([["STT", "Chỉ tiêu", "Số lượng", "ĐVT", "Ghi chú"]], 2, {}),
])
def test_plan_last_year_and_comparison_columns_are_never_the_figure(tmp_path, header, figure_at, other_figures):
    width = len(header[0])
    body = []
    for _, stt, label, unit, value, note in binh_phuoc():
        cells = [None] * width
        cells[0], cells[1], cells[-1] = stt, label, note
        unit_at = next(c for c, text in enumerate(header[0]) if text in ("Đơn vị tính", "ĐVT"))
        cells[unit_at] = unit
        cells[figure_at] = value
        for column, other in other_figures.items():
            cells[column] = other if value != "" else None
        body.append(cells)
    merges = []
    if len(header) == 2:
        first = len(TITLE) + 1
        merges = [f"{letter}{first}:{letter}{first + 1}" for letter in "ABCF"] + [f"D{first}:E{first}"]
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + header + body, merges=merges))
    assert reported(submission) == BINH_PHUOC_READ
    assert submission.findings == []


def test_three_header_rows_with_column_numbers_starting_at_column_c_row_15(tmp_path):
    above = [[] for _ in range(10)] + [[None, None, "PHỤ LỤC"],
                                       [None, None, "Báo cáo CCHC năm 2023 của UBND xã Bình Phước"], [], []]
    header = [[None, None, "STT", "Nội dung", "Kết quả thực hiện", None, "Ghi chú"],
              [None, None, None, None, "ĐVT", "Số liệu", None],
              [None, None, "(1)", "(2)", "(3)", "(4)", "(5)"]]
    body = [[None, None, *cells] for cells in plain(binh_phuoc())]
    path = write_cells(tmp_path / "f", above + header + body, merges=["C15:C16", "D15:D16", "E15:F15", "G15:G16"])
    submission = read_workbook(path)
    assert reported(submission) == BINH_PHUOC_READ
    assert submission.figures["1.1.a"].cell == "Sheet1!F20"
    assert submission.findings == [] and (submission.unit, submission.period) == ("UBND xã Bình Phước", "2023-Y")


# --- STT as offices type it ------------------------------------------------------------------------


def _children_marked(marker):
    """'Trong đó:' on its own row, the parts numbered a), b) ... or all marked '-' / '+'."""
    body = []
    for _, stt, label, unit, value, note in binh_phuoc():
        if stt == "Trong đó":
            body.append([None, "Trong đó:", None, None, None])
            letter = "a"
        if stt in ("Trong đó", ""):
            body.append([f"{letter})" if marker == "a)" else marker, label, unit, value, note])
            letter = chr(ord(letter) + 1)
        else:
            body.append([stt, label, unit, value, note])
    return body


def _stt_in_label():
    return [[None, f"{stt} {label}", unit, value, note] if stt[:1].isdigit() else [stt, label, unit, value, note]
            for _, stt, label, unit, value, note in binh_phuoc()]


def _stt_as_numbers():
    """1.1. typed as the number 1.1, 1. as 1; 1.2.1 stays text."""
    body = []
    for _, stt, label, unit, value, note in binh_phuoc():
        bare = stt.rstrip(".")
        number = float(bare) if bare.count(".") == 1 else int(bare) if bare.isdigit() else stt
        body.append([number, label, unit, value, note])
    return body


def _roman_sections():
    roman = {"1.": "I", "2.": "II", "3.": "III", "4.": "IV", "5.": "V", "6.": "VI", "7.": "VII"}
    return [[roman.get(stt, stt), label, unit, value, note] for _, stt, label, unit, value, note in binh_phuoc()]


@pytest.mark.parametrize("body", [_children_marked("a)"), _children_marked("-"), _children_marked("+"),
                                  _stt_in_label(), _stt_as_numbers(), _roman_sections()],
                         ids=["a-b-c", "dash", "plus", "stt-in-label", "stt-as-numbers", "roman"])
def test_stt_variants(tmp_path, body):
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + [HEADER] + body))
    assert submission.catalog.id == "phu-luc-ii"
    assert reported(submission) == BINH_PHUOC_READ
    assert submission.findings == []


# --- figures as people type them ---------------------------------------------------------------------


def test_figures_typed_with_their_unit(tmp_path):
    figures = dict(BINH_PHUOC, **{"1.1.a": "12 nhiệm vụ", "1.1.b": "12 NV", "1.1": "100 %",
                                  "3.2.4.a": "1 962", "3.2.4.b": "848 hồ sơ", "4.2.1": "21 người",
                                  "1.4.1": "120 phiếu", "6.1.a": "15.780 trđ", "7.2": "2 cấp"})
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + [HEADER] + plain(binh_phuoc(figures))))
    assert reported(submission) == dict(BINH_PHUOC_READ, **{"1.4.1": 120, "6.1.a": 15780, "7.2": 1})
    assert submission.findings == []


@pytest.mark.parametrize("typed, row_id, rule", [
    ("5 tỷ", "6.1.a", "not-a-number"),  # not the row's unit (triệu đồng): never scaled or guessed
    ("6 (3 quá hạn)", "1.3.1", "not-a-number"),
    ("khoảng 6", "1.1.a", "not-a-number"),
    ("1 cấp", "7.2", "code-unknown"),  # a legend word that is not in the legend
])
def test_figures_with_other_words_are_not_guessed(tmp_path, typed, row_id, rule):
    figures = dict(BINH_PHUOC, **{row_id: typed})
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + [HEADER] + plain(binh_phuoc(figures))))
    assert submission.values[row_id] is None
    assert flatten(submission.findings, ["rule", "ids"]) == [[rule, (row_id,)]]
    assert typed in submission.findings[0].message


def test_error_values_and_dates_are_findings_not_blanks(tmp_path):
    figures = dict(BINH_PHUOC, **{"4.2.1": datetime.datetime(2023, 1, 21), "4.2.2": "#REF!", "1.3.1": "#N/A"})
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + [HEADER] + plain(binh_phuoc(figures))))
    assert flatten(submission.findings, ["rule", "ids", "cell"]) == [
        ["cell-error", ("1.3.1",), "Sheet1!D17"], ["date-typed", ("4.2.1",), "Sheet1!D76"],
        ["cell-error", ("4.2.2",), "Sheet1!D77"]]
    messages = {f.ids[0]: f.message for f in submission.findings}
    assert "21/01/2023" in messages["4.2.1"] and "#REF!" in messages["4.2.2"]
    found = check(submission)
    assert not [f for f in found if f.rule == "required-missing" and f.ids[0] in ("4.2.1", "4.2.2")]


@pytest.fixture(scope="module")
def formulas(tmp_path_factory):
    """Percent rows computed by formulas; 1.2.3 divides by its empty parts (#DIV/0!). Saved by
    LibreOffice, which stores the computed values, as .xlsx, .xls and .ods."""
    require_soffice()
    folder = tmp_path_factory.mktemp("formulas")
    rows = binh_phuoc()
    body = plain(rows)
    ids = [row[0] for row in rows]
    first = len(TITLE) + 2

    def cell(row_id):
        return f"D{first + ids.index(row_id)}"

    for percent in ("1.1", "1.2.3", "3.2.4", "3.4.2"):
        body[ids.index(percent)][3] = f"=ROUND({cell(percent + '.b')}/{cell(percent + '.a')}*100,2)"
    source = write_cells(folder / "src" / "BinhPhuoc", TITLE + [HEADER] + body)
    return {fmt: convert(source, fmt, folder / fmt) for fmt in ("xlsx", "xls", "ods")}


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_formulas_read_their_values_and_a_division_by_zero_is_reported(formulas, fmt):
    submission = read_workbook(formulas[fmt])
    assert reported(submission) == dict(BINH_PHUOC_READ, **{"3.2.4": 43.22, "3.4.2": 99.05})
    assert flatten(submission.findings, ["rule", "ids", "cell"]) == [["cell-error", ("1.2.3",), "Sheet1!D13"]]
    assert "#DIV/0!" in submission.findings[0].message
    assert errors(check(submission)) == submission.findings


def test_percent_as_fraction_without_percent_format_is_caught_by_its_parts(tmp_path):
    """0,9904 typed in a General cell of an .xlsx is 0,9904 %, not 99,04 %: the parts say otherwise."""
    figures = dict(BINH_PHUOC, **{"1.1": Pct(1.0), "3.2.4": Pct(0.432, "0.0%"), "3.4.2": 0.9904})
    submission = read_workbook(write_cells(tmp_path / "f", TITLE + [HEADER] + plain(binh_phuoc(figures))))
    assert submission.values["1.1"] == 100 and submission.values["3.2.4"] == 43.2
    assert flatten(errors(check(submission)), ["rule", "ids"]) == [["percent-mismatch", ("3.4.2", "3.4.2.b", "3.4.2.a")]]
