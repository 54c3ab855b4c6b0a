"""Lines rendered by sheetrows read back as the same lines written through XlsxWriter's own API.

Each test writes the same cells twice into one workbook: on sheet "xw" with XlsxWriter's write_*
calls and set_row, on sheet "sr" with SheetRows, and reads both back with openpyxl (values,
types, styles, heights) and python-calamine (what our reader uses).
"""

import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.workbook import Workbook

from cchc_xl import sources
from cchc_xl.sources.xlsx import worksheet_parts
from cchc_xl.writing.sheetrows import MAX_TEXT, SheetRows, cell_text, save

TEXTS = ["bình thường", "=SUM(A1:A3)", "+1", "@x", "A & B <c> > d \"q\" 'a'", "a\x01b\x1fc\x0bd\x00e",
         "dòng 1\r\ndòng 2\nba", "  hai đầu có dấu cách  ", "\tđầu là tab", "cuối xuống dòng\n",
         "kỳ lạ \ufffe\uffff", "😀 ngoài BMP", "x" * 40_000, "y" * (MAX_TEXT - 1) + "😀" + "z"]
NUMBERS = [0, 1, -7, 123456789, 2 ** 53, 2 ** 53 + 1, 10 ** 17, 0.1 + 0.2, 86.48999999999999, 1e20, 1e-7,
           -0.0, 50.0, 3.5, True]
WHEN = [datetime(2024, 3, 18, 9, 30), datetime(1900, 2, 28, 12), datetime(1900, 3, 1),
        datetime(2099, 12, 31, 23, 59, 59)]
STYLES = [
    None,
    {"font_name": "Times New Roman", "font_size": 12, "border": 1, "valign": "top", "text_wrap": True},
    {"bold": True, "bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "align": "center", "valign": "top"},
    {"num_format": "0.0#", "align": "right"},
    {"num_format": "dd/mm/yyyy hh:mm", "border": 1, "align": "center"},
]
FIXED_TIME = datetime(2024, 1, 1)


def style_of(cell):
    font, fill, alignment, border = cell.font, cell.fill, cell.alignment, cell.border
    return (font.b, font.i, font.sz, font.name, font.color.rgb if font.color is not None else None,
            fill.fill_type, fill.fgColor.rgb, cell.number_format, alignment.wrap_text, alignment.horizontal,
            alignment.vertical, border.left.style, border.right.style, border.top.style, border.bottom.style)


def both_ways(path, lines, heights=None):
    """`lines` (lists of (value, style index) cells from column A) as sheet "xw" and sheet "sr"."""
    heights = heights or {}
    package = io.BytesIO()
    workbook = Workbook(package, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                  "strings_to_numbers": False})
    workbook.set_properties({"created": FIXED_TIME})
    xw, sr = workbook.add_worksheet("xw"), workbook.add_worksheet("sr")
    # Distinct Format objects with the same properties for each sheet: the ones of "sr" are used by
    # no cell XlsxWriter writes, so they are in styles.xml only because SheetRows registered them.
    xw_formats = [props and workbook.add_format(props) for props in STYLES]
    sr_formats = [props and workbook.add_format(props) for props in STYLES]
    rows = SheetRows(sr)
    for row, cells in enumerate(lines):
        for column, (value, style) in enumerate(cells):
            cell_format = xw_formats[style]
            if value is None:
                continue
            if value == "":
                xw.write_blank(row, column, None, cell_format)
            elif isinstance(value, str):
                xw.write_string(row, column, value, cell_format)
            elif isinstance(value, datetime):
                xw.write_datetime(row, column, value, cell_format)
            elif value == value and abs(value) != float("inf"):
                xw.write_number(row, column, value, cell_format)
        if row in heights:
            xw.set_row(row, heights[row])
        rows.write(row, [(value, sr_formats[style]) for value, style in cells], heights.get(row))
    workbook.close()
    path.with_suffix(".xlsxwriter.xlsx").write_bytes(package.getvalue())  # the package as XlsxWriter saved it
    save(package.getvalue(), path, [rows])
    return path


def cells_of(book, name):
    sheet = book[name]
    return {cell.coordinate: cell for row in sheet.iter_rows() for cell in row
            if cell.has_style or cell.value is not None}


def calamine_rows(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_text_numbers_and_date_times_read_back_as_xlsxwriter_writes_them(tmp_path):
    lines = [[(text, style), (len(text), 2)] for text in TEXTS for style in (0, 1)]
    lines += [[(number, style)] for number in NUMBERS for style in (0, 3)]
    lines += [[(when, 4), (when, 0)] for when in WHEN]
    path = both_ways(tmp_path / "cells.xlsx", lines)
    book = openpyxl.load_workbook(path)
    xw, sr = cells_of(book, "xw"), cells_of(book, "sr")
    assert xw.keys() == sr.keys()
    for coordinate, expected in xw.items():
        cell = sr[coordinate]
        assert (cell.value, cell.data_type, style_of(cell)) == \
            (expected.value, expected.data_type, style_of(expected)), coordinate
    assert calamine_rows(path, "sr") == calamine_rows(path, "xw")
    assert sr["A1"].value == "bình thường" and sr["A3"].value == "=SUM(A1:A3)" and sr["A3"].data_type == "s"
    long_text = sr[f"A{2 * TEXTS.index('x' * 40_000) + 1}"].value
    assert long_text == "x" * MAX_TEXT  # cut where an Excel cell ends, as XlsxWriter cuts it
    assert sr[f"A{2 * len(TEXTS)}"].value == "y" * (MAX_TEXT - 1)  # never half a character
    assert isinstance(sr[f"A{2 * len(TEXTS) + 1}"].value, int)  # 0 reads back as a whole number
    assert sr[f"A{2 * len(TEXTS) + 2 * NUMBERS.index(50.0) + 1}"].value == 50
    assert sr[f"A{2 * len(TEXTS) + 2 * len(NUMBERS) + 1}"].is_date


def test_escapes_read_back_as_typed(tmp_path):
    """What Excel escapes as _xHHHH_ (and a literal _xHHHH_ typed by someone) reads back as typed with
    calamine, our reader (openpyxl does not unescape the escaped underscore of inline strings)."""
    odd = ["_x0041_ và _x005F_", "a\x01b", "<r><t>giàu</t></r>", "  ", "x\r\ny"]
    path = both_ways(tmp_path / "escapes.xlsx", [[(text, 1)] for text in odd])
    assert [row[0] for row in calamine_rows(path, "sr")] == odd
    # XlsxWriter writes a string that starts with "<r>" and ends with "</r>" as rich text markup;
    # the rendered lines keep every text as text.
    assert [row[0] for row in calamine_rows(path, "xw")][2] != odd[2]


def test_cell_text_escapes_like_excel():
    assert cell_text("a & b <c> d") == "a &amp; b &lt;c&gt; d"
    assert cell_text("a\x00\x08\x0b\x1f\r\tb\n") == "a_x0000__x0008__x000B__x001F__x000D_\tb\n"
    assert cell_text("_x0041_ _x00e9_ _X00e9_ _x12_") == "_x005F_x0041_ _x005F_x00e9_ _X00e9_ _x12_"
    assert cell_text("\ufffe\uffff") == "_xFFFE__xFFFF_"
    plain = "Ủy ban nhân dân xã"
    assert cell_text(plain) is plain


def test_blanks_none_and_numbers_a_cell_cannot_hold(tmp_path):
    lines = [[("", 1), ("", 0), (None, 1), (float("nan"), 3), (float("inf"), 1), (-float("inf"), 0), (7, 1)]]
    path = both_ways(tmp_path / "blanks.xlsx", lines)
    sheet = openpyxl.load_workbook(path)["sr"]
    assert sheet["A1"].value is None and sheet["A1"].border.left.style == "thin"  # a blank keeps its borders
    assert [cell.coordinate for cell in sheet[1] if cell.has_style or cell.value is not None] == ["A1", "G1"]
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(worksheet_parts(archive.read("xl/workbook.xml"),
                                           archive.read("xl/_rels/workbook.xml.rels"))["sr"]).decode()
    assert "nan" not in xml.lower() and "inf" not in xml.lower()
    assert '<dimension ref="A1:G1"/>' in xml


def test_row_heights_are_those_set_row_gives(tmp_path):
    heights = {0: 34, 1: 19.5, 3: 96, 4: 7504}
    path = both_ways(tmp_path / "heights.xlsx", [[(f"dòng {row}", 1)] for row in range(5)], heights)
    book = openpyxl.load_workbook(path)
    for row in range(1, 6):
        expected = book["xw"].row_dimensions[row]
        assert (book["sr"].row_dimensions[row].height, book["sr"].row_dimensions[row].customHeight) == \
            (expected.height, expected.customHeight), row
    assert book["sr"].row_dimensions[1].height == 33.75 and book["sr"].row_dimensions[3].height is None


def fresh(path=None):
    package = io.BytesIO()
    workbook = Workbook(package, {"in_memory": True})
    workbook.set_properties({"created": FIXED_TIME})
    return package, workbook


def test_lines_go_between_the_rows_xlsxwriter_wrote(tmp_path):
    package, workbook = fresh()
    sheet = workbook.add_worksheet("Nộp & 'x' <y>")
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, "Tiêu đề", bold)
    sheet.set_row(1, 40)  # a row with a height only
    sheet.write_string(12, 1, "Bên dưới", bold)
    rows = SheetRows(sheet)
    for row in range(3, 8):
        rows.write(row, [(row, None), (f"dòng {row}", bold)])
    workbook.close()
    save(package.getvalue(), tmp_path / "giua.xlsx", [rows])
    with zipfile.ZipFile(tmp_path / "giua.xlsx") as archive:
        assert archive.testzip() is None
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert [int(number) for number in re.findall(r'<row r="(\d+)"', xml)] == [1, 2, 4, 5, 6, 7, 8, 13]
    assert '<dimension ref="A1:B13"/>' in xml
    sheet = openpyxl.load_workbook(tmp_path / "giua.xlsx")["Nộp & 'x' <y>"]
    assert [sheet.cell(row, 2).value for row in (1, 4, 8, 13)] == [None, "dòng 3", "dòng 7", "Bên dưới"]
    assert sheet["B4"].font.b and sheet.row_dimensions[2].height == 39.75
    assert calamine_rows(tmp_path / "giua.xlsx", "Nộp & 'x' <y>")[12][1] == "Bên dưới"


def test_a_sheet_xlsxwriter_left_empty_gets_its_rows(tmp_path):
    package, workbook = fresh()
    workbook.add_worksheet("Đầu")
    rows = SheetRows(workbook.add_worksheet("_cchc"))
    rows.write(0, [("khóa", None), ("giá trị", None)])
    rows.write(1, [("state", None), ("{" + "x" * 30_000, None), ("y" * 10 + "}", None)])
    workbook.close()
    save(package.getvalue(), tmp_path / "meta.xlsx", [rows])
    with zipfile.ZipFile(tmp_path / "meta.xlsx") as archive:
        assert '<dimension ref="A1:C2"/>' in archive.read("xl/worksheets/sheet2.xml").decode()
    assert calamine_rows(tmp_path / "meta.xlsx", "_cchc") == [["khóa", "giá trị", ""],
                                                             ["state", "{" + "x" * 30_000, "y" * 10 + "}"]]


def test_rows_out_of_order_or_on_xlsxwriter_rows_are_refused(tmp_path):
    package, workbook = fresh()
    sheet = workbook.add_worksheet("A")
    sheet.write_string(5, 0, "đã có")
    rows = SheetRows(sheet)
    rows.write(4, [("a", None)])
    with pytest.raises(ValueError):
        rows.write(4, [("lại", None)])
    with pytest.raises(ValueError):
        rows.write(2, [("lùi", None)])
    rows.write(6, [("b", None)])
    rows.finish()
    with pytest.raises(ValueError):
        rows.write(9, [("sau khi xong", None)])
    workbook.close()
    with pytest.raises(ValueError, match="dòng 6"):
        save(package.getvalue(), tmp_path / "trung.xlsx", [rows])


def test_same_workbook_same_bytes_and_the_package_keeps_xlsxwriters_parts(tmp_path):
    lines = [[(text, 1), (index, 2), (0.5 * index, 3)] for index, text in enumerate(TEXTS * 50)]
    first, second = both_ways(tmp_path / "a.xlsx", lines), both_ways(tmp_path / "b.xlsx", lines)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive, zipfile.ZipFile(first.with_suffix(".xlsxwriter.xlsx")) as plain:
        assert archive.testzip() is None
        assert archive.namelist() == plain.namelist()
        assert [info.date_time for info in archive.infolist()] == [info.date_time for info in plain.infolist()]


def test_our_reader_reads_the_rendered_sheet_as_the_xlsxwriter_one(tmp_path):
    lines = [[(f"Xã {row}", 1), (row, 0), (row / 7, 3), ("" if row % 3 else None, 1)] for row in range(40)]
    path = both_ways(tmp_path / "grid.xlsx", lines)
    grids = {grid.name: grid for grid in sources.load(path).grids}
    assert grids["sr"].rows == grids["xw"].rows
