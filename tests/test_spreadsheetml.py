"""Excel's XML Spreadsheet 2003 named .xls, as older reporting software sends it: read as Excel opens
it, with the same figures, findings and cells as the workbook it was made from; hostile ones bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_xl.grid import MAX_GRID_COLS, MAX_GRID_ROWS, ReadError
from cchc_xl.sources import load
from cchc_xl.values import CellError, FormulaWithoutValue

from handmade import write_form, write_web_page, write_xml_spreadsheet
from hostile import measured_load
from test_webpage import TITLE, checked, comparable, read_within_bounds, rows_with_percents_and_a_mistake

WORKBOOK = ('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">{styles}<Worksheet ss:Name="S"><Table>{rows}</Table>'
            "</Worksheet></Workbook>")


def test_xml_spreadsheet_reads_as_the_workbook(capsys, tmp_path):
    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    exported = write_xml_spreadsheet(tmp_path / "xuat-2003.xls", rows, title_lines=TITLE)
    by_workbook, by_export = checked(capsys, workbook, exported)
    assert any(finding["severity"] == "error" for finding in by_export["findings"])
    # Last period's table on a hidden sheet before the form is not read instead of it, nor warned of.
    assert comparable(by_export) == comparable(by_workbook)
    assert all(finding["cell"].startswith("Phu luc!") for finding in by_export["findings"] if finding["cell"])


def test_cells_placed_typed_and_formatted_as_excel_shows_them(tmp_path):
    styles = '<Styles><Style ss:ID="p"><NumberFormat ss:Format="0.0%"/></Style></Styles>'
    rows = ('<Row ss:Index="2" ss:Hidden="1"><Cell ss:Index="3" ss:MergeAcross="1" ss:StyleID="p">'
            '<Data ss:Type="Number">0.955</Data></Cell><Cell><Data ss:Type="Error">#DIV/0!</Data></Cell></Row>'
            '<Row><Cell ss:Formula="=R[-1]C"/><Cell><Data ss:Type="Boolean">1</Data></Cell>'
            '<Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>Kết</B> quả</ss:Data></Cell></Row>')
    path = tmp_path / "o.xls"
    path.write_text(WORKBOOK.format(styles=styles, rows=rows), "utf-8")
    (grid,) = load(path).grids
    assert grid.rows[1][2] == 0.955 and (1, 2) in grid.percent_cells and (1, 2, 1, 3) in grid.merged
    assert isinstance(grid.rows[1][4], CellError) and grid.rows[1][4] == "#DIV/0!"  # after the merge
    assert isinstance(grid.rows[2][0], FormulaWithoutValue)
    assert grid.rows[2][1] is True and grid.rows[2][2] == "Kết quả"
    assert grid.hidden_rows == {1}


def test_hostile_xml_spreadsheet_is_bounded(tmp_path):
    far = '<Row ss:Index="99999999999999999999"><Cell><Data ss:Type="String">xa</Data></Cell></Row>'
    wide = "<Row>" + '<Cell ss:MergeAcross="999999999" ss:MergeDown="999999999"><Data ss:Type="Number">1e999</Data></Cell>' * 50 + "</Row>"
    many = "".join('<Row><Cell><Data ss:Type="Number">1</Data></Cell></Row>' for _ in range(MAX_GRID_ROWS + 500))
    grid = read_within_bounds(tmp_path / "lon.xls", WORKBOOK.format(styles="", rows=wide + many + far))
    assert all(r1 < MAX_GRID_ROWS and c1 < MAX_GRID_COLS for _r0, _c0, r1, c1 in grid.merged)
    assert grid.rows[0][0] == "1e999"  # no figure past what a number holds


def test_entities_are_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE Workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
              '<?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
              "<Worksheet><Table><Row><Cell><Data>&b;</Data></Cell></Row></Table></Worksheet></Workbook>")
    path = tmp_path / "thuc-the.xls"
    path.write_text(laughs, "utf-8")
    with pytest.raises(ReadError) as refused:
        load(path)
    assert "thuc-the.xls" in str(refused.value)


def test_a_folder_gives_its_web_pages_and_xml_spreadsheets(capsys, tmp_path):
    """Saved under Excel's own names for these types (.htm, .xml), they are read from a folder; an .xml
    that is no spreadsheet is passed over, a single-file web page (.mht) is named with what to do."""
    rows = rows_with_percents_and_a_mistake()
    folder = tmp_path / "nop"
    folder.mkdir()
    write_xml_spreadsheet(folder / "xa-binh-yen.xml", rows, title_lines=TITLE)
    write_web_page(folder / "xa-bao-cuong.htm", rows, title_lines=(TITLE[0], TITLE[1], TITLE[2].replace("Bình Yên", "Bảo Cường")))
    (folder / "cau-hinh.xml").write_text('<?xml version="1.0"?><settings><a>1</a></settings>', "utf-8")
    (folder / "xa-bao-linh.mht").write_text("MIME-Version: 1.0\n", "utf-8")
    (folder / "xa-tan-an.et").write_bytes(b"\xd0\xcf\x11\xe0")  # WPS Spreadsheets' own type
    entries = checked(capsys, folder)
    read = {Path(entry["path"]).name: entry for entry in entries}
    assert set(read) == {"xa-binh-yen.xml", "xa-bao-cuong.htm", "xa-bao-linh.mht", "xa-tan-an.et"}
    assert read["xa-tan-an.et"]["code"] == "sent-as-other-excel"
    assert read["xa-binh-yen.xml"]["period"] == read["xa-bao-cuong.htm"]["period"] == "2024-Q1"
    assert "Bảo Cường" in read["xa-bao-cuong.htm"]["unit"]
    assert read["xa-bao-linh.mht"]["code"] == "sent-as-other-excel" and "Excel" in read["xa-bao-linh.mht"]["error"]


def test_rows_read_are_let_go(tmp_path):
    """Two million empty rows: read within a bounded memory (each row dropped once read)."""
    path = tmp_path / "hang.xls"
    path.write_text(WORKBOOK.format(styles="", rows="<Row/>" * 2_000_000), "utf-8")
    assert measured_load(path)["added_kib"] < 100 * 1024  # the rows kept would take about 200 MB


_FIRST_ROW = '<Row><Cell><Data ss:Type="String">STT</Data></Cell></Row>'
_SS_HTML = ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
            '<Worksheet ss:Name="S"><Table>' + _FIRST_ROW + "{table}</Table>{sheet}</Worksheet></Workbook>")
# Some 8 MB each: elements Excel never writes, by the million, where no row drops them; a cell of a
# million runs of rich text or nested a million deep.
HOSTILE_PARTS = {
    "unknown elements beside the table": {"table": "", "sheet": "<x/>" * 2_000_000},
    "unknown elements in the table": {"table": "<x/>" * 2_000_000, "sheet": ""},
    "a cell of a million runs": {"table": '<Row><Cell><Data ss:Type="String">' + "<html:B/>" * 1_000_000
                                 + "</Data></Cell></Row>", "sheet": ""},
    "a cell nested a million deep": {"table": "<Row><Cell><Data>" + "<html:B>" * 1_000_000, "sheet": ""},
}


@pytest.mark.parametrize("parts", HOSTILE_PARTS.values(), ids=HOSTILE_PARTS.keys())
def test_elements_by_the_million_cost_bounded_time_and_memory(tmp_path, parts):
    path = tmp_path / "phan-tu.xls"
    path.write_text(_SS_HTML.format(**parts), "utf-8")
    read = measured_load(path)
    assert read["seconds"] < 10 and read["added_kib"] < 200 * 1024  # a minute and a GB when kept
    assert read["first"][0] == "STT" and "quá lớn" in read["notes"][0]


def test_a_cell_holds_what_an_excel_cell_holds(tmp_path):
    path = tmp_path / "dai.xls"
    path.write_text(WORKBOOK.format(styles="", rows=f'<Row><Cell><Data ss:Type="String">{"x" * 5_000_000}</Data></Cell></Row>'), "utf-8")
    assert load(path).grids[0].rows == [["x" * 32_767]]


def test_a_workbook_of_thousands_of_sheets_is_refused(tmp_path):
    sheet = '<Worksheet><Table><Row><Cell><Data ss:Type="String">STT</Data></Cell></Row></Table></Worksheet>'
    path = tmp_path / "nhieu-trang.xls"
    path.write_text(WORKBOOK.replace('<Worksheet ss:Name="S"><Table>{rows}</Table></Worksheet>', sheet * 5000)
                    .format(styles=""), "utf-8")
    with pytest.raises(ReadError) as refused:
        load(path)
    assert "nhieu-trang.xls" in str(refused.value)


def test_merges_given_again_at_one_cell_are_one_merge(tmp_path):
    merges = '<Cell ss:Index="1" ss:MergeAcross="60" ss:MergeDown="2000"/>' * 100_000
    path = tmp_path / "gop.xls"
    path.write_text(WORKBOOK.format(styles="", rows=f'<Row><Cell><Data ss:Type="String">STT</Data></Cell>{merges}</Row>'), "utf-8")
    assert load(path).grids[0].merged == [(0, 0, 2000, 60)]


def test_a_title_of_millions_of_words_costs_little_memory(tmp_path):
    path = tmp_path / "tieu-de.xls"
    path.write_text(WORKBOOK.replace("<Worksheet", '<DocumentProperties xmlns="urn:schemas-microsoft-com:office:office">'
                                     "<Title>" + "a " * 20_000_000 + "</Title></DocumentProperties><Worksheet")
                    .format(styles="", rows=_FIRST_ROW), "utf-8")
    assert measured_load(path)["added_kib"] < 200 * 1024  # its words listed: 290 MB
