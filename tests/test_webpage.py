"""A Phụ lục saved as a web page with an Excel name (.xls): exported by one-stop-shop software, saved
by Excel as "Web Page", or by LibreOffice as HTML. It is read as Excel opens it: the same figures,
findings, cells, unit and period as the workbook it was made from; hostile pages stay bounded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cchc_xl import cli
from cchc_xl.grid import MAX_GRID_COLS, MAX_GRID_ROWS, Grid
from cchc_xl.sources import load

from handmade import Pct, seed_rows, write_form, write_web_page
from hostile import measured_load

TITLE = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
         "(Kèm theo Báo cáo số      /BC-UBND ngày 15/3/2024 của UBND xã Bình Yên)")


def checked(capsys, *paths: Path) -> list[dict]:
    cli.main(["check", *map(str, paths), "--json"])
    return json.loads(capsys.readouterr().out)["files"]


def rows_with_percents_and_a_mistake() -> list[tuple]:
    """Seed 004 typed as numbers, its percents as Excel percents, and one part larger than its whole."""
    rows = [(stt, label, unit, Pct(value / 100) if unit == "%" and isinstance(value, int) else value, note)
            for stt, label, unit, value, note in seed_rows("004", as_numbers=True)]
    assert any(isinstance(row[3], Pct) for row in rows)
    index = [i for i, row in enumerate(rows) if row[1] == "Số hồ sơ TTHC giải quyết đúng hạn"][-1]  # 3.4.2's
    rows[index] = (*rows[index][:3], 9999, rows[index][4])
    return rows


def comparable(entry: dict) -> tuple:
    """What a reading gives, the cells named without their sheet (the page's is Excel's name for it)."""
    return (entry["catalog"], entry["unit"], entry["period"], entry["values"],
            sorted((finding["rule"], finding["cell"].split("!")[-1], finding["severity"]) for finding in entry["findings"]))


def test_excel_web_page_reads_as_the_workbook(capsys, tmp_path):
    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    page = write_web_page(tmp_path / "xa-web.xls", rows, title_lines=TITLE)
    by_workbook, by_page = checked(capsys, workbook, page)
    assert by_page["period"] == "2024-Q1" and "Bình Yên" in by_page["unit"]
    assert any(finding["severity"] == "error" for finding in by_page["findings"])  # the part over its whole
    assert comparable(by_page) == comparable(by_workbook)
    # The cells named are those Excel shows when it opens the page: its sheet name and A1 rows.
    assert all(finding["cell"].startswith("Phu luc!") for finding in by_page["findings"] if finding["cell"])


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1258"])
def test_software_export_reads_as_the_workbook(capsys, tmp_path, encoding):
    """Titles in headings above the table, <th> headers, figures as shown text ("1.234", "95,5%")."""
    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    page = write_web_page(tmp_path / "xuat-tu-phan-mem.xls", rows, style="software", title_lines=TITLE,
                          encoding=encoding)
    by_workbook, by_page = checked(capsys, workbook, page)
    assert by_page["values"] == by_workbook["values"]
    assert (by_page["unit"], by_page["period"]) == (by_workbook["unit"], by_workbook["period"])
    assert {finding["rule"] for finding in by_page["findings"]} == {finding["rule"] for finding in by_workbook["findings"]}


@pytest.mark.libreoffice
def test_libreoffice_web_page_reads_as_the_workbook(capsys, tmp_path):
    from lo import convert

    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    html = convert(workbook, "html", tmp_path / "html")
    page = html.rename(tmp_path / "xa-libreoffice.xls")
    by_workbook, by_page = checked(capsys, workbook, page)
    assert comparable(by_page) == comparable(by_workbook)


def test_merge_takes_web_pages_beside_workbooks(tmp_path):
    rows = seed_rows("004", as_numbers=True)
    other = [(stt, label, unit, value * 2 if isinstance(value, int) else value, note) for stt, label, unit, value, note in rows]
    other_title = (TITLE[0], TITLE[1], TITLE[2].replace("Bình Yên", "Bảo Cường"))
    workbooks, mixed = tmp_path / "workbooks", tmp_path / "mixed"
    workbooks.mkdir()
    mixed.mkdir()
    write_form(workbooks / "binh-yen", rows, title_lines=TITLE)
    write_form(workbooks / "bao-cuong", other, title_lines=other_title)
    write_form(mixed / "binh-yen", rows, title_lines=TITLE)
    write_web_page(mixed / "bao-cuong.xls", other, title_lines=other_title)
    outcomes = []
    for folder in (workbooks, mixed):
        output = tmp_path / f"tong-hop-{folder.name}.xlsx"
        code = cli.main(["merge", str(folder), "-o", str(output), "--no-history", "--unit", "UBND huyện Định Hóa"])
        outcomes.append((code, load(output).grid("Tổng hợp").rows))
    assert outcomes[0] == outcomes[1]
    assert any(isinstance(value, (int, float)) and value > 0 for row in outcomes[1][1] for value in row)


def read_within_bounds(path: Path, content: str) -> Grid:
    """The one grid of a hostile file, read in little time, within the grid's bounds, the cut said."""
    path.write_text(content, "utf-8")
    started = time.perf_counter()
    workbook = load(path)
    assert time.perf_counter() - started < 20
    (grid,) = workbook.grids
    assert len(grid.rows) <= MAX_GRID_ROWS and all(len(row) <= MAX_GRID_COLS for row in grid.rows)
    assert workbook.notes and "quá lớn" in workbook.notes[0]
    return grid


def test_hostile_page_is_bounded(tmp_path):
    """Spans far past the grid, tables nested deep, scripts, a number past what a float holds and
    text that reads like a formula: read within the grid's bounds in little time, nothing evaluated."""
    cell = '<td rowspan=99999999 colspan=99999>=HYPERLINK("http://x","bấm")</td>'
    rows = '<tr><td x:num="1e400">7</td></tr>' + "".join(f"<tr>{cell * 20}</tr>" for _ in range(5000))
    nested = "<table><tr><td>" * 300 + "sâu" + "</td></tr></table>" * 300
    page = (f"<html><head><script>alert(1)</script></head><body>{nested}<table>{rows}</table>"
            "<script>document.write('<table><tr><td>X</td></tr></table>')</script></body></html>")
    grid = read_within_bounds(tmp_path / "doc-hai.xls", page)
    texts = [value for row in grid.rows for value in row if value is not None]
    assert "sâu" in texts and '=HYPERLINK("http://x","bấm")' in texts
    assert "alert(1)" not in texts and "X" not in texts
    assert "7" in texts  # a value past what a float holds: the cell as shown


def test_a_cell_in_a_million_pieces_is_read_in_little_time(tmp_path):
    """Text split by tags into hundreds of thousands of pieces, and as many line breaks, in one cell."""
    path = tmp_path / "manh.xls"
    path.write_text("<table><tr><td>" + "x<b></b>" * 300_000 + "<br>" * 300_000 + "</td></tr></table>", "utf-8")
    started = time.perf_counter()
    (grid,) = load(path).grids
    assert time.perf_counter() - started < 20
    assert grid.rows[0][0] == "x" * 32_767


def test_a_page_without_a_table_says_so(capsys, tmp_path):
    path = tmp_path / "trang-web.xls"
    path.write_text("<html><body><p>Báo cáo công tác cải cách hành chính quý I năm 2024</p></body></html>", "utf-8")
    (entry,) = checked(capsys, path)
    assert entry["code"] == "no-table" and "trang-web.xls" in entry["error"]


def test_word_report_generated_as_a_web_page_is_read(capsys, tmp_path):
    """E-government systems hand out "Word" reports that are web pages named .doc: the narrative as
    paragraphs, the Phụ lục as a table whose cells hold paragraphs."""
    from html import escape

    paragraphs = ["ỦY BAN NHÂN DÂN XÃ BÌNH YÊN", "Số: 40/BC-UBND", "BÁO CÁO",
                  "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2024, so với năm 2023 tăng 5%.", *TITLE]
    rows = rows_with_percents_and_a_mistake()
    cells = [[escape(text) for text in ("STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")]]
    cells += [[escape(str(value.fraction * 100).replace(".", ",") + "%") if isinstance(value, Pct)
               else escape(str(value)) if value not in (None, "") else "&nbsp;" for value in row] for row in rows]
    table = "".join("<tr>" + "".join(f"<td><p class=MsoNormal>{text}</p></td>" for text in line) + "</tr>" for line in cells)
    page = ('<html xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8">'
            "<meta name=ProgId content=Word.Document></head><body><div class=WordSection1>"
            + "".join(f"<p class=MsoNormal>{escape(text)}</p>" for text in paragraphs)
            + f"<table class=MsoTableGrid border=1>{table}</table><p>Nơi nhận:</p></div></body></html>")
    path = tmp_path / "bao-cao.doc"
    path.write_text(page, "utf-8")
    (entry,) = checked(capsys, path)
    assert (entry["catalog"], entry["period"]) == ("phu-luc-ii", "2024-Q1") and "Bình Yên" in entry["unit"]
    assert {finding["rule"] for finding in entry["findings"] if finding["severity"] == "error"} >= {"part-le-whole"}


def test_what_follows_a_full_grid_is_not_parsed(tmp_path):
    """Rows past the grid cannot be read: a page of a million and a half empty rows is not parsed to its end."""
    path = tmp_path / "dai.xls"
    path.write_text("<html><body><table>" + "<tr></tr>" * 1_500_000 + "</table></body></html>", "utf-8")
    started = time.perf_counter()
    workbook = load(path)
    assert time.perf_counter() - started < 5
    assert len(workbook.grids[0].rows) == MAX_GRID_ROWS
    assert workbook.notes == [f"Trang tính «dai» quá lớn; chỉ đọc phần đầu (nhiều nhất 3.000 dòng và {MAX_GRID_COLS} cột)"]


_TABLE = "<html><body><table><tr><td>STT</td><td>7</td></tr></table>"
_MB = 1024 * 1024
# What attackers append after a small table, each some 8 MB: constructs left open (which a parser fed
# in pieces reads again for every piece, or again from every "<" when it is closed), events by the
# million, and tags whose attributes a regular expression would list by the million.
HOSTILE_TAILS = {
    "an attribute never closed": '<td title="' + "x" * 8 * _MB,
    "a comment never closed": "<!--" + "x" * 8 * _MB,
    "a script never closed": "<script>" + "x<" * 4 * _MB,
    "comments opened by the million": "<!--" * 2 * _MB,
    "tags never closed by the million": "<a" * 4 * _MB,
    "empty end tags by the million": "</>" * 3 * _MB,
    "a lone < by the million": "<" * 8 * _MB,
    "divs nested by the million": "<div>" * 2 * _MB,
    "two million cells in one row": "<table><tr>" + "<td>" * 2 * _MB,
    "a tag of two million attributes": '<p a=">" ' + "a=b " * 2 * _MB + ">",
    "tags of thousands of attributes": ("<p " + "a " * 4000 + ">") * 1000,
}


@pytest.mark.parametrize("tail", HOSTILE_TAILS.values(), ids=HOSTILE_TAILS.keys())
def test_hostile_page_costs_bounded_time_and_the_table_before_is_read(tmp_path, tail):
    path = tmp_path / "tan-cong.xls"
    path.write_text(_TABLE + tail, "utf-8")
    started = time.perf_counter()
    workbook = load(path)
    assert time.perf_counter() - started < 10  # tens of seconds or minutes when reread or listed
    assert workbook.grids[0].rows[0][:2] == ["STT", "7"]
    assert workbook.notes == [f"Trang tính «tan-cong» quá lớn; chỉ đọc phần đầu (nhiều nhất 3.000 dòng và {MAX_GRID_COLS} cột)"]


def test_a_tag_of_millions_of_attributes_costs_bounded_memory(tmp_path):
    path = tmp_path / "thuoc-tinh.xls"
    path.write_text(_TABLE + HOSTILE_TAILS["a tag of two million attributes"], "utf-8")
    assert measured_load(path)["added_kib"] < 150 * 1024  # matching its attributes whole took 1.7 GB


def test_a_picture_inlined_in_a_tag_is_passed_over(tmp_path):
    path = tmp_path / "logo.xls"
    path.write_text('<html><body><img src="data:image/png;base64,' + "QUJD" * 100_000 + '">'
                    "<table><tr><td>STT</td><td>7</td></tr></table></body></html>", "utf-8")
    workbook = load(path)
    assert workbook.grids[0].rows == [["STT", "7"]] and not workbook.notes


def test_a_table_left_inside_an_open_comment_is_said_cut(tmp_path):
    """A comment never closed holds the rest of the page, as a browser shows it; a cell in it may be
    a figure: the sheet is said cut, not read as if whole."""
    path = tmp_path / "mo.xls"
    path.write_text(_TABLE + "<!-- <table><tr><td>8</td></tr></table>", "utf-8")
    workbook = load(path)
    assert workbook.grids[0].rows == [["STT", "7"]] and "quá lớn" in workbook.notes[0]


@pytest.mark.parametrize("charset", ["punycode", "unicode_escape", "utf-16"])
def test_a_charset_no_page_is_written_in_is_read_as_utf8(tmp_path, charset):
    """Decoding punycode takes time growing with the square of its length (this page: minutes)."""
    path = tmp_path / "ma-hoa.xls"
    path.write_bytes(f'<html><head><meta charset="{charset}"></head><body><table><tr><td>Số liệu</td></tr>'
                     "</table><p>-".encode() + b"99999999" * 100_000 + b"</p></body></html>")
    started = time.perf_counter()
    workbook = load(path)
    assert time.perf_counter() - started < 10
    assert workbook.grids[0].rows[0] == ["Số liệu"]
