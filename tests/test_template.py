"""The template written from a catalog, read back with openpyxl as any other program would see it."""

from __future__ import annotations

import copy
import hashlib
import re
import zipfile

import openpyxl
import pytest

from cchc_xl import catalog as catalogs
from cchc_xl.cli import main
from cchc_xl.submission import META_SHEET, defined_name
from cchc_xl.writing import live
from cchc_xl.writing.layout import FormLayout, contradiction_formula, keep_together, page_breaks
from cchc_xl.writing.template import TEMPLATE_SHEET, write_template

SMALL = {
    "id": "mau-thu", "name": "Mẫu thử", "level": "xã", "version": "7",
    "title": ["PHỤ LỤC THỬ", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {PERIOD}",
              "(Kèm theo Báo cáo số …/BC-UBND ngày … của {unit})"],
    "source": {"document": "mẫu dựng cho kiểm thử"},
    "columns": {"stt": "STT", "label": "Các chỉ tiêu", "result": "Kết quả", "unit": "Đơn vị tính",
                "value": "Số liệu", "note": "Ghi chú"},
    "rows": [
        {"id": "1", "stt": "1.", "label": "Công tác chỉ đạo, điều hành CCHC", "unit": "", "kind": "section"},
        {"id": "1.1", "stt": "1.1.", "label": "Tỷ lệ hoàn thành kế hoạch CCHC năm", "unit": "%", "kind": "percent",
         "percent": {"numerator": "[1.1.b]", "denominator": "[1.1.a]"}},
        {"id": "1.1.a", "stt": "Trong đó", "label": "Số nhiệm vụ đề ra trong kế hoạch", "unit": "Nhiệm vụ",
         "kind": "count"},
        {"id": "1.1.b", "stt": "", "label": "Số nhiệm vụ đã hoàn thành", "unit": "Nhiệm vụ", "kind": "count",
         "checks": [{"rule": "part-le-whole", "assert": "[1.1.b] <= [1.1.a]"}]},
        {"id": "1.2", "stt": "1.2.", "label": "Kiểm tra CCHC", "unit": "", "kind": "group"},
        {"id": "1.2.1", "stt": "1.2.1.", "label": "Tỷ lệ phòng chuyên môn đã kiểm tra", "unit": "%",
         "kind": "percent"},
        {"id": "1.4.2", "stt": "1.4.2.", "label": "Hình thức khảo sát",
         "unit": "Trực tuyến = 0\nPhát phiếu = 1\nKết hợp = 2", "kind": "code",
         "codes": {"0": "Trực tuyến", "1": "Phát phiếu", "2": "Kết hợp"}},
        {"id": "1.5", "stt": "1.5.", "label": "Tổ chức đối thoại", "unit": "Không = 0, Có = 1", "kind": "yesno",
         "codes": {"0": "Không", "1": "Có"}},
        {"id": "4.1.5", "stt": "4.1.5.", "label": "Tỷ lệ đơn vị sự nghiệp đã cắt giảm so với năm 2015",
         "unit": "%", "kind": "percent",
         "percent": {"numerator": "[4.1.5.a] - [4.1.5.b]", "denominator": "[4.1.5.a]"}},
        {"id": "4.1.5.a", "stt": "Trong đó", "label": "Số đơn vị sự nghiệp năm 2015", "unit": "Đơn vị",
         "kind": "count"},
        {"id": "4.1.5.b", "stt": "", "label": "Số đơn vị sự nghiệp hiện nay", "unit": "Đơn vị", "kind": "count",
         "checks": [{"rule": "part-le-whole", "assert": "[4.1.5.b] <= [4.1.5.a]", "severity": "warning"}]},
        {"id": "3.1.3", "stt": "3.1.3.", "label": "Tổng số TTHC đang có hiệu lực", "unit": "Thủ tục",
         "kind": "count", "checks": [{"rule": "sum-equals", "assert": "[3.1.3] == [3.1.3.a] + [3.1.3.b]"}]},
        {"id": "3.1.3.a", "stt": "Trong đó", "label": "Số TTHC cấp huyện", "unit": "Thủ tục", "kind": "count"},
        {"id": "3.1.3.b", "stt": "", "label": "Số TTHC cấp xã", "unit": "Thủ tục", "kind": "count"},
        {"id": "6.1", "stt": "6.1.", "label": "Kinh phí thực hiện CCHC", "unit": "Triệu đồng", "kind": "money"},
        {"id": "6.2", "stt": "6.2.", "label": "Ghi nhận khác", "unit": "", "kind": "text"},
    ],
}
UNIT, PERIOD = "UBND xã Bình Yên", "Quý I năm 2024"


@pytest.fixture(scope="module")
def small():
    return catalogs.from_data(copy.deepcopy(SMALL), "mau-thu.json")


@pytest.fixture(scope="module")
def written(small, tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "mau.xlsx"
    layout = write_template(small, path, unit=UNIT, period_text=PERIOD)
    return path, layout, openpyxl.load_workbook(path)


def sheet_of(written):
    return written[2][TEMPLATE_SHEET]


def test_title_and_two_level_header(written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    assert [sheet.cell(row, 1).value for row in (1, 2, 3)] == [
        "PHỤ LỤC THỬ", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        "(Kèm theo Báo cáo số …/BC-UBND ngày … của UBND xã Bình Yên)"]
    top, bottom = layout.header_first + 1, layout.header_last + 1
    assert bottom == top + 1
    assert [sheet.cell(top, c).value for c in range(1, 6)] == ["STT", "Các chỉ tiêu", "Kết quả", None, "Ghi chú"]
    assert [sheet.cell(bottom, c).value for c in (3, 4)] == ["Đơn vị tính", "Số liệu"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {f"A{top}:A{bottom}", f"B{top}:B{bottom}", f"E{top}:E{bottom}", f"C{top}:D{top}"} <= merged
    assert sheet.cell(top, 1).font.name == "Times New Roman" and sheet.cell(top, 1).font.b


def test_single_level_header_without_result_column(tmp_path):
    data = copy.deepcopy(SMALL)
    del data["columns"]["result"]
    layout = write_template(catalogs.from_data(data), tmp_path / "one.xlsx", unit=UNIT, period_text=PERIOD)
    sheet = openpyxl.load_workbook(tmp_path / "one.xlsx")[TEMPLATE_SHEET]
    assert layout.header_first == layout.header_last
    header = layout.header_first + 1
    assert [sheet.cell(header, c).value for c in range(1, 6)] == [
        "STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.freeze_panes == f"A{header + 1}"


def test_every_row_has_its_stt_label_unit_and_style(small, written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    for row in small.rows:
        line = layout.rows[row.id] + 1
        assert sheet.cell(line, 2).value == row.label
        assert (sheet.cell(line, 3).value or "") == row.unit
        if row.stt != "":
            assert sheet.cell(line, 1).value == row.stt
    section, group = layout.rows["1"] + 1, layout.rows["1.2"] + 1
    assert sheet.cell(section, 2).font.b and not sheet.cell(section, 2).font.i
    assert sheet.cell(group, 2).font.b and sheet.cell(group, 2).font.i
    assert sheet.cell(layout.rows["1.1.a"] + 1, 2).font.name == "Times New Roman"


def test_trong_do_stt_is_merged_over_its_block(written):
    _, layout, book = written
    merged = {str(r) for r in book[TEMPLATE_SHEET].merged_cells.ranges}
    for first, last in (("1.1.a", "1.1.b"), ("4.1.5.a", "4.1.5.b"), ("3.1.3.a", "3.1.3.b")):
        assert f"A{layout.rows[first] + 1}:A{layout.rows[last] + 1}" in merged


def _validations(sheet):
    return {str(cell): dv for dv in sheet.data_validations.dataValidation for cell in dv.sqref.ranges}


def test_data_validation_by_kind(written):
    _, layout, book = written
    found = _validations(book[TEMPLATE_SHEET])
    count = found[layout.cell("1.1.a")]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    money = found[layout.cell("6.1")]
    assert (money.type, money.operator, money.formula1) == ("decimal", "greaterThanOrEqual", "0")
    typed_percent = found[layout.cell("1.2.1")]
    assert (typed_percent.type, typed_percent.formula1, typed_percent.formula2) == ("decimal", "0", "100")
    assert typed_percent.operator in (None, "between")
    code = found[layout.cell("1.4.2")]
    assert (code.type, code.formula1) == ("list", '"0,1,2"')
    assert "0 = Trực tuyến; 1 = Phát phiếu; 2 = Kết hợp" in code.prompt
    assert found[layout.cell("1.5")].formula1 == '"0,1"'
    # computed percents, headings and free text take no validation
    for row_id in ("1.1", "4.1.5", "1", "1.2", "6.2"):
        assert layout.cell(row_id) not in found
    for dv in found.values():
        assert dv.showErrorMessage and dv.allowBlank and dv.errorStyle in (None, "stop")
        assert dv.errorTitle == "Số liệu không hợp lệ" and len(dv.error) <= 255 and len(dv.prompt) <= 255


def test_inputs_unlocked_everything_else_locked(small, written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.protection.formatCells is False  # False = allowed in the OOXML sense
    for row in small.rows:
        line = layout.rows[row.id] + 1
        value = sheet.cell(line, 4)
        assert value.protection.locked is (not row.is_input), row.id
        for column in (1, 2, 3):
            assert sheet.cell(line, column).protection.locked, (row.id, column)
        assert not sheet.cell(line, 5).protection.locked  # Ghi chú stays writable
    assert sheet.cell(1, 1).protection.locked


def test_defined_name_for_every_input_cell(small, written):
    _, layout, book = written
    names = book.defined_names
    inputs = [row for row in small.rows if row.is_input]
    assert {defined_name(row.id) for row in inputs} == set(names)
    for row in inputs:
        assert names[defined_name(row.id)].attr_text == f"'{TEMPLATE_SHEET}'!{layout.cell(row.id, absolute=True)}"
    assert names["CCHC_1_1_b"].attr_text == f"'{TEMPLATE_SHEET}'!$D${layout.rows['1.1.b'] + 1}"


def test_metadata_sheet_is_very_hidden(written):
    book = written[2]
    meta = book[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert dict(meta.iter_rows(values_only=True)) == {
        "tool": "cchc-xl", "kind": "template", "catalog": "mau-thu", "catalog_version": "7",
        "unit": UNIT, "period": "2024-Q1", "period_text": PERIOD}
    assert book.sheetnames[0] == TEMPLATE_SHEET and book.active.title == TEMPLATE_SHEET


def test_percent_rows_are_formulas_over_their_parts(written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    done, planned = layout.cell("1.1.b", absolute=True), layout.cell("1.1.a", absolute=True)
    assert sheet[layout.cell("1.1")].value == (
        f'=IF(COUNT({done},{planned})<2,"",IF({planned}=0,"",{done}/{planned}*100))')
    then, now = layout.cell("4.1.5.a", absolute=True), layout.cell("4.1.5.b", absolute=True)
    assert f"({then}-{now})/{then}*100" in sheet[layout.cell("4.1.5")].value
    assert sheet[layout.cell("1.1")].number_format == "0.0#"
    assert sheet[layout.cell("1.2.1")].value is None  # a percent with no parts is typed in


def test_cached_percent_is_blank_not_zero(written):
    path, layout, _ = written
    values = openpyxl.load_workbook(path, data_only=True)[TEMPLATE_SHEET]
    assert values[layout.cell("1.1")].value in (None, "")


def _rules_by_cell(sheet):
    return {str(cf.sqref): [rule.formula[0] for rule in cf.rules] for cf in sheet.conditional_formatting}


def test_contradictions_are_marked_on_the_part(written, small):
    """The form's cells are coloured from the live checks' verdicts: a part-le-whole check on its
    part only, an equality on every row (the verdicts themselves: tests/test_live_checks.py)."""
    _, layout, book = written
    rules = _rules_by_cell(book[TEMPLATE_SHEET])
    found = live.lines(small, layout)

    def verdicts_marking(row_id):
        return {f"'{live.LINES_SHEET}'!$A${live.FIRST_LINE + index + 1}"
                for index, line in enumerate(found) if row_id in line.marked}

    def referenced(row_id):
        return {ref for formula in rules[layout.cell(row_id)] for ref in re.findall(r"'[^']+'![$A-Z0-9]+", formula)}

    done_line = next(line for line in found if line.rule == "part-le-whole" and line.ids == ("1.1.b", "1.1.a"))
    assert done_line.marked == ("1.1.b",)
    for row_id in ("1.1.b", "1.1.a", "3.1.3", "3.1.3.a", "3.1.3.b"):
        assert referenced(row_id) == verdicts_marking(row_id), row_id
    sum_line = next(line for line in found if line.rule == "sum-equals" and line.ids[0] == "3.1.3")
    assert sum_line.marked == ("3.1.3", "3.1.3.a", "3.1.3.b")


def test_contradiction_formula_of_the_roll_up():
    """The roll-up's Tổng hợp sheet marks contradictions itself: every figure given and the assertion
    failing, or the parts given, one blank, already over the total."""
    form = catalogs.load("phu-luc-ii")
    layout = FormLayout("Tổng hợp", 5, 6, 7, 7 + len(form.rows) - 1,
                        {row.id: 7 + index for index, row in enumerate(form.rows)})
    done, planned = layout.cell("1.1.b", absolute=True), layout.cell("1.1.a", absolute=True)
    (check,) = form.row("1.1.b").checks
    assert contradiction_formula(check, layout) == f"=IF(COUNT({done},{planned})=2,NOT(({done}<={planned})),FALSE)"
    total = [layout.cell(i, absolute=True) for i in ("3.1.3", "3.1.3.a", "3.1.3.b")]
    (check,) = form.row("3.1.3").checks
    assert contradiction_formula(check, layout) == (
        f"=OR(IF(COUNT({','.join(total)})=3,NOT(({total[0]}=({total[1]}+{total[2]}))),FALSE),"
        f"IF(AND(COUNT({total[0]})=1,COUNT({total[1]},{total[2]})>0),"
        f"IF(ISNUMBER({total[1]}),{total[1]},0)+IF(ISNUMBER({total[2]}),{total[2]},0)>{total[0]},FALSE))")


def test_warning_checks_use_a_different_fill(written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    fills = {}
    for cf in sheet.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill.bgColor.rgb if rule.dxf.fill.bgColor is not None else rule.dxf.fill.fgColor.rgb
            fills.setdefault(str(cf.sqref), []).append(fill)
    red, yellow = fills[layout.cell("4.1.5.b")]  # its own lỗi first, then the cảnh báo of 4.1.5.b ≤ 4.1.5.a
    assert red != yellow and fills[layout.cell("1.1.b")] == [red]


def test_print_setup(written):
    _, layout, book = written
    sheet = book[TEMPLATE_SHEET]
    assert sheet.page_setup.paperSize in (9, "9")
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # absent means 1 page wide
    assert sheet.page_setup.fitToHeight == 0  # as many pages down as needed
    assert sheet.print_title_rows == f"${layout.header_first + 1}:${layout.header_last + 1}"
    assert sheet.freeze_panes == f"A{layout.first_row + 1}"
    assert sheet.print_area == f"'{TEMPLATE_SHEET}'!$A$1:$E${layout.last_row + 1}"
    assert sheet.page_margins.left > sheet.page_margins.right  # binding margin on the left
    assert sheet.column_dimensions["B"].width > 2.5 * sheet.column_dimensions["C"].width


def test_same_inputs_same_bytes_other_unit_other_bytes(small, tmp_path):
    paths = [tmp_path / f"{name}.xlsx" for name in ("a", "b", "c")]
    write_template(small, paths[0], unit=UNIT, period_text=PERIOD)
    write_template(small, paths[1], unit=UNIT, period_text=PERIOD)
    write_template(small, paths[2], unit="UBND xã Tân Dương", period_text=PERIOD)
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in paths]
    assert digests[0] == digests[1] != digests[2]
    with zipfile.ZipFile(paths[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2024-01-01T00:00:00Z" in core


def test_text_from_the_user_is_never_a_formula(small, tmp_path):
    path = tmp_path / "x.xlsx"
    write_template(small, path, unit='=HYPERLINK("http://x","y")', period_text=PERIOD)
    book = openpyxl.load_workbook(path)
    assert book[TEMPLATE_SHEET]["A3"].data_type == "s"
    assert book[META_SHEET]["B5"].value == '=HYPERLINK("http://x","y")'
    assert book[META_SHEET]["B5"].data_type == "s"


def test_keep_together_blocks(small):
    blocks = [[small.rows[i].id for i in block] for block in keep_together(small.rows)]
    assert ["4.1.5", "4.1.5.a", "4.1.5.b"] in blocks
    assert ["3.1.3", "3.1.3.a", "3.1.3.b"] in blocks
    assert blocks[0] == ["1", "1.1", "1.1.a", "1.1.b"]  # a heading stays with what follows it
    assert ["1.2", "1.2.1"] in blocks


def test_page_breaks_never_split_a_block(small):
    heights = [100.0] * len(small.rows)
    breaks = page_breaks(small.rows, heights, first_page_used=50, page_used=30)
    assert breaks
    starts = {block[0] for block in keep_together(small.rows)}
    assert set(breaks) <= starts


@pytest.mark.parametrize("catalog_id", catalogs.shipped_ids())
def test_shipped_catalogs(catalog_id, tmp_path):
    form = catalogs.load(catalog_id)
    path = tmp_path / f"{catalog_id}.xlsx"
    layout = write_template(form, path, unit=UNIT, period_text=PERIOD)
    book = openpyxl.load_workbook(path)
    sheet = book[TEMPLATE_SHEET]
    for row in form.rows:
        assert sheet.cell(layout.rows[row.id] + 1, 2).value == row.label
    inputs = [row for row in form.rows if row.is_input]
    assert len(book.defined_names) == len(inputs)
    validated = _validations(sheet)
    numeric_inputs = [row for row in inputs if row.kind != "text"]
    assert {layout.cell(row.id) for row in numeric_inputs} == set(validated)
    rules = _rules_by_cell(sheet)
    for _, check in form.checks:
        assert any(layout.cell(row_id) in rules for row_id in check.ids), check.assertion.text
    for row in form.rows:
        if row.percent is not None:
            formula = sheet[layout.cell(row.id)].value
            assert formula.startswith("=IF(COUNT(")
            assert all(layout.cell(part, absolute=True) in formula for part in row.percent.ids)
    breaks = {brk.id for brk in sheet.row_breaks.brk}
    starts = {layout.first_row + block[0] for block in keep_together(form.rows)}
    assert breaks <= starts
    assert "Trong" not in str(sheet.cell(max(breaks, default=layout.first_row) + 1, 1).value or "")


# ---- the command ----

def test_cli_writes_and_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "bieu-mau.xlsx"
    args = ["template", "--catalog", "phu-luc-ii", "--unit", UNIT, "--period", PERIOD, "-o", str(target)]
    assert main(args) == 0
    assert "Đã tạo biểu mẫu" in capsys.readouterr().err
    first = target.read_bytes()
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == first
    assert main(args[:-2] + ["--unit", "UBND xã Tân Dương", "-o", str(target), "--force"]) == 0
    meta = dict(openpyxl.load_workbook(target)[META_SHEET].iter_rows(values_only=True))
    assert meta["unit"] == "UBND xã Tân Dương" and meta["period"] == "2024-Q1"
    assert [p.name for p in tmp_path.iterdir()] == ["bieu-mau.xlsx"]  # no temporary file left behind


def test_cli_normalised_period_is_printed_in_words(tmp_path):
    target = tmp_path / "t.xlsx"
    assert main(["template", "--period", "2024-6m", "-o", str(target)]) == 0
    book = openpyxl.load_workbook(target)
    meta = dict(book[META_SHEET].iter_rows(values_only=True))
    assert (meta["period"], meta["period_text"]) == ("2024-6M", "6 tháng năm 2024")
    assert "6 THÁNG NĂM 2024" in book[TEMPLATE_SHEET]["A2"].value


@pytest.mark.parametrize("args, words", [
    (["--catalog", "khong-co"], "Không có danh mục"),
    (["--period", "hôm qua"], "Không hiểu kỳ báo cáo"),
])
def test_cli_failures_exit_2_in_vietnamese(tmp_path, capsys, args, words):
    target = tmp_path / "t.xlsx"
    assert main(["template", *args, "-o", str(target)]) == 2
    assert words in capsys.readouterr().err
    assert not target.exists()


def test_cli_rejects_other_extensions(tmp_path, capsys):
    assert main(["template", "-o", str(tmp_path / "t.xls")]) == 2
    assert ".xlsx" in capsys.readouterr().err


def test_cli_catalog_file_path(tmp_path):
    import json

    source = tmp_path / "mau.json"
    source.write_text(json.dumps(SMALL, ensure_ascii=False), "utf-8")
    target = tmp_path / "t.xlsx"
    assert main(["template", "--catalog", str(source), "-o", str(target)]) == 0
    assert dict(openpyxl.load_workbook(target)[META_SHEET].iter_rows(values_only=True))["catalog"] == "mau-thu"


def test_xlsm_with_vba_project_buttons_and_extra_sheets(small, tmp_path):
    from cchc_xl.writing.template import ButtonSpec

    def guide(workbook, layout, formats):
        sheet = workbook.add_worksheet("Hướng dẫn")
        sheet.write_string(0, 0, f"Nhập số liệu vào cột D, từ dòng {layout.first_row + 1}.")

    path = tmp_path / "mau.xlsm"
    vba = b"\xd0\xcf\x11\xe0 project bytes"
    write_template(small, path, unit=UNIT, period_text=PERIOD, vba_project=vba,
                   buttons=[ButtonSpec("KiemTra", "Kiểm tra số liệu")], extra_sheets=guide)
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == vba
        assert "macroEnabled" in archive.read("[Content_Types].xml").decode()
        drawing = archive.read("xl/drawings/vmlDrawing1.vml").decode()
    assert "[0]!KiemTra" in drawing and "Kiểm tra số liệu" in drawing
    book = openpyxl.load_workbook(path, keep_vba=True)
    assert book.sheetnames == [TEMPLATE_SHEET, live.LIVE_SHEET, live.LINES_SHEET, "Hướng dẫn", META_SHEET]
    assert book.active.title == TEMPLATE_SHEET


def test_the_reader_reads_a_filled_template_by_its_names(tmp_path):
    from cchc_xl.reading import read_workbook

    form = catalogs.load("phu-luc-ii")
    path = tmp_path / "blank.xlsx"
    layout = write_template(form, path, unit=UNIT, period_text=PERIOD)
    blank = read_workbook(path)
    assert (blank.catalog.id, blank.unit, blank.period) == ("phu-luc-ii", UNIT, "2024-Q1")
    assert set(blank.values) == {row.id for row in form.rows if row.takes_figure}
    assert all(value is None for value in blank.values.values())  # a blank percent is not a 0
    book = openpyxl.load_workbook(path)
    sheet = book[TEMPLATE_SHEET]
    for row_id, value in {"1.1.a": 6, "1.1.b": 3, "1.4.2": 2, "1.5": 1}.items():
        sheet[layout.cell(row_id)] = value
    sheet[layout.note_cell("1.1.a")] = "Kế hoạch số 12/KH-UBND"
    book.save(tmp_path / "filled.xlsx")
    filled = read_workbook(tmp_path / "filled.xlsx")
    assert {k: v for k, v in filled.values.items() if v is not None} == {"1.1.a": 6, "1.1.b": 3, "1.4.2": 2, "1.5": 1}
    assert filled.notes == {"1.1.a": "Kế hoạch số 12/KH-UBND"}
    assert filled.cell("1.1.b").endswith(layout.cell("1.1.b"))


def test_control_characters_and_overlong_units(small, tmp_path, capsys):
    path = tmp_path / "ctl.xlsx"
    write_template(small, path, unit="UBND xã \x01Bình\x7f Yên", period_text=PERIOD)
    assert dict(openpyxl.load_workbook(path)[META_SHEET].iter_rows(values_only=True))["unit"] == UNIT
    assert main(["template", "--unit", "x" * 500, "-o", str(tmp_path / "long.xlsx")]) == 2
    assert "Tên đơn vị dài 500 ký tự" in capsys.readouterr().err
