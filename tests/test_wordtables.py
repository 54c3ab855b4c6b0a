"""Phụ lục tables typed in Word reports (.docx) read like workbooks: form, unit, period, figures, findings."""

from __future__ import annotations

import re

import json
import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from cchc_xl import checks
from cchc_xl.cli import main
from cchc_xl.findings import ERROR, WARNING
from cchc_xl import sources
from cchc_xl.grid import MAX_GRID_ROWS, ReadError
from cchc_xl.sources.safezip import MAX_COMPRESSION_RATIO
from cchc_xl.reading import read_workbook
from cchc_xl.vba.cfb import write_compound_file
from handmade import seed_rows, write_form
from lo import profile, require_soffice
from test_reading import SEED000_HEADER, SEED000_TITLE, SEED002_HEADER, SEED002_TITLE, SEED004_FIGURES, SEED004_TITLE
from wordmade import NS, body_rows, cell, header_rows, paragraph, report_body, row, table, write_docx, write_report

TIME_LIMIT = 10.0


def reported(submission):
    return {row_id: value for row_id, value in submission.values.items() if value is not None}


def errors(found):
    return [f for f in found if f.severity == ERROR]


@pytest.fixture(scope="module")
def seed004(tmp_path_factory):
    """Seed 004 as the commune typed it in Word (split over two pages), and the same rows in Excel."""
    folder = tmp_path_factory.mktemp("seed004")
    rows = seed_rows("004")
    word = write_report(folder / "BC_CCHC_Quy1_2024_BinhYen", rows, title=SEED004_TITLE, split_after=40)
    excel = write_form(folder / "PL_Quy1_2024_XaBinhYen", rows, title_lines=SEED004_TITLE)
    return word, excel


# --- the seeds ----------------------------------------------------------------------------------


def test_seed004_in_word_reads_like_the_workbook(seed004):
    word, excel = seed004
    submission = read_workbook(word)
    reference = read_workbook(excel)
    assert submission.catalog.id == "phu-luc-ii"
    assert submission.unit == "UBND xã Bình Yên"  # not the narrative's "UBND huyện Định Hóa"
    assert submission.period == "2024-Q1"  # not "năm 2024" of the date line
    assert reported(submission) == SEED004_FIGURES
    assert submission.values == reference.values
    assert submission.findings == [] and errors(checks.check(submission)) == errors(checks.check(reference))


def test_cells_are_named_by_table_row_and_column(seed004):
    submission = read_workbook(seed004[0])
    # Table 1 is the national header; the Phụ lục is tables 2 and 3 (split after 40 rows, the
    # two header rows typed again), as Word's Go To > Bảng counts them.
    assert submission.figures["1.1.a"].cell == "Bảng 2, dòng 5, cột Số liệu"
    assert submission.figures["3.2.4.a"].cell == "Bảng 3, dòng 8, cột Số liệu"
    assert submission.figures["3.2.4.a"].place.to_json() == {"table": 3, "row": 8, "column": "Số liệu"}
    assert submission.sheet == "Bảng 2-3"


def test_merged_header_and_trong_do_become_merged_ranges(seed004):
    grid = sources.load(seed004[0]).grid("Bảng 2-3")
    top = next(r for r, values in enumerate(grid.rows) if values[0] == "STT")
    assert grid.rows[top] == ["STT", "Các chỉ tiêu", "Kết quả", None, "Ghi chú"]
    assert grid.rows[top + 1] == [None, None, "Đơn vị tính", "Số liệu", None]
    assert {(top, 2, top, 3), (top, 0, top + 1, 0), (top, 1, top + 1, 1), (top, 4, top + 1, 4)} <= set(grid.merged)
    trong_do = next(r for r, values in enumerate(grid.rows) if values[0] == "Trong đó")
    assert (trong_do, 0, trong_do + 1, 0) in grid.merged  # over "Số nhiệm vụ đã hoàn thành"
    assert grid.rows[trong_do + 1][0] is None and grid.rows[trong_do + 1][3] == "3"
    assert "\n" in grid.rows[top + 3][1]  # a long label typed over two lines keeps its break
    titles = [[" ".join(line.split())] for line in SEED004_TITLE]  # the narrative above is left out
    assert grid.rows[:4] == titles + [["ỦY BAN NHÂN DÂN\nXÃ BÌNH YÊN"]]


def test_seed002_in_word_finds_the_part_larger_than_its_whole(tmp_path):
    path = write_report(tmp_path / "NgaNam", seed_rows("002"), header=SEED002_HEADER, two_level=False,
                        title=SEED002_TITLE, national=False, narrative=())
    submission = read_workbook(path)
    assert submission.catalog.id == "phu-luc-huyen-soc-trang"
    assert submission.unit == "UBND thị xã Ngã Năm" and submission.period == "2022-Q3"
    found = [f for f in checks.check(submission) if f.rule == "part-le-whole" and f.severity == ERROR]
    assert any("(16)" in f.message and "(4)" in f.message for f in found), [f.message for f in found]
    assert all(f.cell is None or f.cell.startswith("Bảng 1, dòng ") for f in submission.findings + found)
    # Seed 002 typed "%" as the unit of a count of tasks: the warning points at the unit cell itself.
    differs = [f for f in submission.findings if f.rule == "unit-differs"]
    assert differs and all(re.fullmatch(r"Bảng 1, dòng \d+, cột ĐƠN VỊ TÍNH", f.cell) for f in differs), \
        [f.cell for f in differs]


def test_seed000_in_word_warns_that_its_staff_row_is_below_those_present(tmp_path):
    path = write_report(tmp_path / "ButSon", seed_rows("000"), header=SEED000_HEADER, title=SEED000_TITLE,
                        result_header="Kết quả thống kê", split_after=55)
    submission = read_workbook(path)
    assert submission.catalog.id == "phu-luc-01b"
    assert submission.unit == "UBND thị trấn Bút Sơn"
    # Row 4.1 (23 people, the 55th row typed) is a figure row; 4.1.2 says 33 are present.
    (staff,) = [f for f in checks.check(submission) if f.ids == ("4.1.2", "4.1")]
    assert staff.severity == WARNING and "(33)" in staff.message and "(23)" in staff.message
    # 4.1.2 is the 57th row typed: the second row of the table's second part (Word table 3), below
    # its two header rows typed again.
    assert staff.cell == "Bảng 3, dòng 4, cột Số liệu"
    values = reported(submission)
    assert values["3.3.1"] == 770 and values["3.3.1.a"] == 590 and values["2.3"] == 6 and values["4.1.2"] == 33
    assert submission.figures["3.3.1.a"].note == "Kỳ trước chuyển qua 04 HS"
    assert errors(submission.findings) == []


# --- what Word puts in a cell -------------------------------------------------------------------


def test_runs_tabs_breaks_nested_tables_text_boxes_and_skipped_grid_columns(tmp_path):
    runs = ('<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
            '<w:r><w:t>Số</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">hồ sơ</w:t></w:r>'
            '<w:r><w:br/><w:t>trực tuyến</w:t></w:r>'
            '<w:del><w:r><w:delText>xóa</w:delText></w:r></w:del>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>hộp chữ</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>')
    nested = table([row([cell("a"), cell("b")])], widths=(500, 500))
    body = table([
        row([cell("STT"), cell("Chỉ tiêu"), cell("Số liệu")]),
        f'<w:tr><w:tc>{paragraph("1")}</w:tc><w:tc>{runs}</w:tc><w:tc>{paragraph("1.730")}</w:tc></w:tr>',
        f'<w:tr><w:tc>{paragraph("2")}</w:tc><w:tc>{paragraph("Bảng con")}{nested}<w:p/></w:tc>'
        f'<w:tc>{paragraph("99,53%")}</w:tc></w:tr>',
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc>{paragraph("x")}</w:tc>'
        f'<w:tc>{paragraph("06")}</w:tc></w:tr>',
    ], widths=(500, 3000, 1000))
    grid = sources.load(write_docx(tmp_path / "o.docx", body)).grids[0]
    assert grid.rows == [["STT", "Chỉ tiêu", "Số liệu"], ["1", "Số hồ sơ\ntrực tuyến", "1.730"],
                         ["2", "Bảng con\na\nb", "99,53%"], [None, "x", "06"]]
    assert grid.formats_known and not grid.percent_cells


_TRACKED = 'w:id="{}" w:author="Phòng Nội vụ" w:date="2024-03-14T08:00:00Z"'


@pytest.mark.parametrize("figure_cell, what", [
    # Track Changes on, "1" cut from the front of "1348" and pasted in the note: Word's final view shows 348
    (f'<w:moveFrom {_TRACKED.format(1)}><w:r><w:t>1</w:t></w:r></w:moveFrom><w:r><w:t>348</w:t></w:r>', "moved away"),
    # a tracked deletion written with w:t, as some editors do
    (f'<w:del {_TRACKED.format(2)}><w:r><w:t>1</w:t></w:r></w:del><w:r><w:t>348</w:t></w:r>', "deleted"),
    # Font > Hidden: neither shown nor printed
    ('<w:r><w:rPr><w:vanish/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>348</w:t></w:r>',
     "hidden"),
])
def test_text_word_neither_shows_nor_prints_is_not_read(tmp_path, figure_cell, what):
    """A figure read otherwise than the officer sees it would go into the total unseen."""
    rows = [(stt, label, unit, "@@" if label.startswith("Tổng số hồ sơ TTHC đã giải quyết") and value else value, note)
            for stt, label, unit, value, note in seed_rows("004")]
    body = report_body(rows, title=SEED004_TITLE)
    marker = '<w:r><w:t xml:space="preserve">@@</w:t></w:r>'
    assert body.count(marker) == 1
    submission = read_workbook(write_docx(tmp_path / "BinhYen.docx", body.replace(marker, figure_cell)))
    assert reported(submission) == SEED004_FIGURES, what


def test_one_table_split_by_a_page_is_one_grid_but_two_forms_are_two(tmp_path):
    rows = seed_rows("004")
    heading = paragraph("PHỤ LỤC SỐ III")
    two_forms = (table(header_rows() + body_rows(rows[:30])) + heading + paragraph("QUÝ I NĂM 2024")
                 + table(header_rows() + body_rows(rows[30:])))
    names = [grid.name for grid in sources.load(write_docx(tmp_path / "two.docx", two_forms)).grids]
    assert names == ["Bảng 1", "Bảng 2"]
    split = table(header_rows() + body_rows(rows[:30])) + paragraph() + table(header_rows() + body_rows(rows[30:]))
    assert [g.name for g in sources.load(write_docx(tmp_path / "one.docx", split)).grids] == ["Bảng 1-2"]


@pytest.mark.parametrize("heading", ["PHỤ LỤC SỐ II (tiếp theo)", "Phụ lục (tiếp)", "Biểu số liệu (tiếp theo)"])
def test_a_table_continued_under_a_tiep_theo_heading_is_one_table(tmp_path, heading):
    """The rest of the table on the next page under "PHỤ LỤC SỐ II (tiếp theo)": one table, every figure
    read; it was taken for a second Phụ lục, and the first part's figures were left out."""
    rows = seed_rows("004")
    titled = "".join(paragraph(line) for line in SEED004_TITLE)
    body = (titled + table(header_rows() + body_rows(rows[:60])) + paragraph(heading, page_break=True)
            + table(header_rows() + body_rows(rows[60:])))
    submission = read_workbook(write_docx(tmp_path / "bao-cao.docx", body))
    assert reported(submission) == SEED004_FIGURES
    assert [f.rule for f in submission.findings] == []


# --- commands on folders mixing Excel and Word ---------------------------------------------------


def test_check_and_merge_a_folder_of_xlsx_and_docx(tmp_path, capsys):
    from cchc_xl.merging import merge
    from test_merge import BASE, CATALOG, commune

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên")
    commune(folder, "Bảo Cường", values={"1.1.a": 10, "1.1.b": 10, "1.1": 100})
    figures = {**{k: str(v) for k, v in BASE.items()}, "1.1": "25", "1.1.a": "04", "1.1.b": "1"}
    rows = [(r.stt, r.label, r.unit, figures.get(r.id) if r.takes_figure else None, None) for r in CATALOG.rows]
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
             "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Quy Kỳ)")
    write_report(folder / "Bao cao CCHC Quy Ky", rows, title=title, split_after=70)

    assert main(["check", str(folder), "--json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    word = next(entry for entry in report["files"] if entry["path"].endswith(".docx"))
    assert (word["catalog"], word["unit"], word["period"]) == ("phu-luc-ii", "UBND xã Quy Kỳ", "2024-Q1")
    assert word["values"]["1.1.a"] == 4 and len(report["files"]) == 3
    assert all(isinstance(f["cell"], (str, type(None))) for f in word["findings"])

    out = tmp_path / "tong-hop.xlsx"
    code = main(["merge", str(folder), "-o", str(out), "--unit", "UBND huyện Định Hóa"])
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert "Đã tổng hợp 3 đơn vị" in stdout
    result = merge([str(folder)], jobs=1)
    assert result.rejected == [] and result.rollup.totals()["1.1.a"] == 6 + 10 + 4


def test_a_commune_that_sent_both_its_word_report_and_its_workbook_counts_once(tmp_path):
    from cchc_xl.merging import merge
    from test_merge import BASE, CATALOG, commune

    folder = tmp_path / "nop"
    folder.mkdir()
    workbook = commune(folder, "Bình Yên", modified=1_700_000_000)
    rows = [(r.stt, r.label, r.unit, str(BASE[r.id]) if r.takes_figure and r.id in BASE else None, None)
            for r in CATALOG.rows]
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
             "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)")
    report = write_report(folder / "Bao cao CCHC quy I", rows, title=title)
    os.utime(report, (1_700_100_000, 1_700_100_000))
    result = merge([str(folder)], jobs=1)
    assert len(result.rollup.units) == 1 and result.rollup.totals()["1.1.a"] == 6
    [duplicate] = result.duplicates
    assert duplicate.used == str(report) and duplicate.ignored == [str(workbook)]


def test_marked_copy_of_a_word_report_is_refused_in_vietnamese(seed004, tmp_path, capsys):
    out = tmp_path / "danh-dau.xlsx"
    assert main(["check", str(seed004[0]), "-o", str(out)]) == 2
    assert "tệp Word không có ô Excel để tô màu" in capsys.readouterr().err
    assert not out.exists()


# --- files that cannot be read --------------------------------------------------------------------


def refused(path, *fragments):
    start = time.perf_counter()
    with pytest.raises(ReadError) as caught:
        read_workbook(path)
    assert time.perf_counter() - start < TIME_LIMIT
    message = str(caught.value)
    assert message.startswith(Path(path).name + ": "), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_old_binary_doc_says_to_save_as_docx(tmp_path):
    path = tmp_path / "Báo cáo.doc"
    path.write_bytes(write_compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 1000, "1Table": b"\0" * 600}))
    refused(path, "tệp Word cũ (.doc)", "lưu thành .docx", "chép bảng Phụ lục sang Excel")


def test_corrupt_docx(tmp_path, seed004):
    truncated = tmp_path / "Hỏng.docx"
    truncated.write_bytes(seed004[0].read_bytes()[:3000])
    refused(truncated, "tệp Word bị hỏng")
    broken = write_docx(tmp_path / "Lỗi.docx", "<w:p><w:r><w:t>PHỤ LỤC</w:t></w:r>")  # not well-formed
    refused(broken, "tệp Word bị hỏng", "lưu lại thành .docx")


def test_docx_without_a_phu_luc_table(tmp_path):
    narrative = write_docx(tmp_path / "Báo cáo.docx", paragraph("BÁO CÁO") + paragraph("Kết quả CCHC quý I năm 2024"))
    refused(narrative, "không tìm thấy bảng Phụ lục", "tệp Word không có bảng nào")
    other = write_docx(tmp_path / "Danh sách.docx", table([row([cell("Số"), cell("Họ và tên")]),
                                                          row([cell("1"), cell("Nguyễn Văn A")])], widths=(500, 3000)))
    refused(other, "không tìm thấy bảng Phụ lục")


def test_zip_bomb_in_a_docx_is_refused_quickly(tmp_path):
    padding = " " * (MAX_COMPRESSION_RATIO * 20_000)  # 4 MB of spaces: a ratio near 1000
    path = write_docx(tmp_path / "Bom.docx", paragraph("PHỤ LỤC") + f"<w:p>{padding}</w:p>")
    refused(path, "nội dung nén bất thường", "mở tệp bằng Word")


def test_entity_bomb_in_a_docx_is_refused_quickly(tmp_path, seed004):
    from test_hostile import LAUGHS

    with zipfile.ZipFile(seed004[0]) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    bomb = LAUGHS + document.split("?>", 1)[1].replace(">STT<", ">&lol9;<", 1)
    path = tmp_path / "Bom.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", bomb)
    refused(path, "khai báo XML không an toàn", "mở tệp bằng Word")


def test_huge_tables_are_cut_and_said_so(tmp_path):
    filler = row([cell(), cell(), cell(), cell(), cell()]) * (MAX_GRID_ROWS + 50)  # rows left empty below
    path = write_docx(tmp_path / "Dài.docx", table(header_rows() + body_rows(seed_rows("004")) + [filler]))
    start = time.perf_counter()
    submission = read_workbook(path)
    assert time.perf_counter() - start < TIME_LIMIT
    assert submission.catalog.id == "phu-luc-ii"
    cut = [f for f in submission.findings if f.rule == "sheet-cut"]
    assert len(cut) == 1 and f"chỉ đọc {MAX_GRID_ROWS:,} dòng đầu".replace(",", ".") in cut[0].message


# --- a real Word writer ---------------------------------------------------------------------------


def _html(rows, title) -> str:
    """The Phụ lục as an HTML page with rowspan/colspan, for LibreOffice Writer to save as .docx."""
    from html import escape

    out = [f"<p><b>{escape(line)}</b></p>" for line in title]
    out.append('<table border="1"><tr><td rowspan="2">STT</td><td rowspan="2">Các chỉ tiêu</td>'
               '<td colspan="2">Kết quả</td><td rowspan="2">Ghi chú</td></tr>'
               "<tr><td>Đơn vị tính</td><td>Số liệu</td></tr>")
    index = 0
    while index < len(rows):
        stt, label, unit, value, note = rows[index]
        span = 1
        if stt.strip().lower() == "trong đó":
            while index + span < len(rows) and not rows[index + span][0].strip():
                span += 1
        for offset in range(span):
            stt_o, label_o, unit_o, value_o, note_o = rows[index + offset]
            first = "" if offset else (f'<td rowspan="{span}">{escape(stt)}</td>' if span > 1 else
                                       f"<td>{escape(stt)}</td>")
            out.append(f"<tr>{first}" + "".join(f"<td>{escape(str(v or ''))}</td>"
                                                for v in (label_o, unit_o, value_o, note_o)) + "</tr>")
        index += span
    out.append("</table>")
    return '<html><head><meta charset="utf-8"></head><body>' + "".join(out) + "</body></html>"


def _writer_convert(source: Path, filter_name: str, suffix: str, outdir: Path) -> Path:
    """`source` opened in LibreOffice Writer and saved with `filter_name`."""
    binary = require_soffice()
    if not (Path(binary).resolve().parent / "swriter").exists():
        pytest.skip("LibreOffice Writer is not installed (apt-get install libreoffice-writer)")
    infilter = ["--infilter=HTML (StarWriter)"] if source.suffix == ".html" else []
    with profile(recalc=False) as folder:
        subprocess.run([binary, f"-env:UserInstallation={folder.as_uri()}", "--headless", "--norestore", *infilter,
                        "--convert-to", filter_name, "--outdir", str(outdir), str(source)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    target = outdir / f"{source.stem}.{suffix}"
    assert target.exists(), f"LibreOffice did not write {target}"
    return target


@pytest.mark.libreoffice
def test_docx_written_by_libreoffice_reads_the_same(tmp_path, seed004):
    source = tmp_path / "PhuLuc_BinhYen.html"
    source.write_text(_html(seed_rows("004"), SEED004_TITLE), "utf-8")
    converted = _writer_convert(source, "docx:MS Word 2007 XML", "docx", tmp_path / "out")
    with zipfile.ZipFile(converted) as archive:
        document = archive.read("word/document.xml")
    assert b"w:vMerge" in document and b"w:gridSpan" in document  # the merges came through as Word writes them
    submission = read_workbook(converted)
    reference = read_workbook(seed004[1])
    assert submission.catalog.id == "phu-luc-ii"
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2024-Q1")
    assert submission.values == reference.values
    assert submission.findings == []


@pytest.mark.libreoffice
def test_report_resaved_by_libreoffice_reads_the_same_and_its_doc_is_refused(tmp_path, seed004):
    """The whole report (national header, narrative, table split in two) re-saved by a Word writer."""
    resaved = _writer_convert(seed004[0], "docx:MS Word 2007 XML", "docx", tmp_path / "docx")
    submission = read_workbook(resaved)
    assert (submission.catalog.id, submission.unit, submission.period) == ("phu-luc-ii", "UBND xã Bình Yên", "2024-Q1")
    assert submission.values == read_workbook(seed004[1]).values
    assert submission.findings == []
    legacy = _writer_convert(seed004[0], "doc:MS Word 97", "doc", tmp_path / "doc")
    refused(legacy, "tệp Word cũ (.doc)")


def test_reading_time_per_docx(seed004):
    read_workbook(seed004[0])  # catalogs loaded once
    start = time.perf_counter()
    for _ in range(5):
        read_workbook(seed004[0])
    per_file = (time.perf_counter() - start) / 5
    print(f"\n{per_file * 1000:.1f} ms per .docx")
    assert per_file < 2.0


# --- which paragraphs title a table -------------------------------------------------------------


def _titles(tmp_path, name, paragraphs_xml):
    body = paragraphs_xml + table([row([cell("STT"), cell("Chỉ tiêu"), cell("Số liệu")])], widths=(500, 3000, 1000))
    grid = sources.load(write_docx(tmp_path / name, body)).grids[0]
    return [values[0] for values in grid.rows[:-1]]


def test_title_lines_start_at_the_phu_luc_heading_or_the_page_break(tmp_path):
    narrative = "".join(paragraph(text) for text in (
        "Căn cứ Kế hoạch số 12/KH-UBND của UBND huyện Định Hóa;", "Bình Yên, ngày 15 tháng 3 năm 2024"))
    heading = paragraph("Phụ lục") + paragraph("QUÝ I NĂM 2024")
    assert _titles(tmp_path, "a.docx", narrative + heading) == ["Phụ lục", "QUÝ I NĂM 2024"]
    after_break = paragraph("BIỂU THỐNG KÊ CCHC QUÝ I NĂM 2024", page_break=True)
    assert _titles(tmp_path, "b.docx", narrative + after_break) == ["BIỂU THỐNG KÊ CCHC QUÝ I NĂM 2024"]
    section_end = '<w:p><w:pPr><w:sectPr/></w:pPr><w:r><w:t>Nơi nhận: như trên</w:t></w:r></w:p>'
    assert _titles(tmp_path, "c.docx", narrative + section_end) == []  # the table opens a new section
    plain = "".join(paragraph(f"Đoạn {i}") for i in range(12))
    assert _titles(tmp_path, "d.docx", plain) == [f"Đoạn {i}" for i in range(4, 12)]  # the nearest eight


def test_strict_open_xml_reads_like_transitional(seed004, tmp_path):
    """Word's "Strict Open XML Document" save option uses another namespace for the same elements."""
    with zipfile.ZipFile(seed004[0]) as archive:
        document = archive.read("word/document.xml").replace(
            b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    path = write_docx(tmp_path / "strict.docx", "")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", document)
    assert read_workbook(path).values == read_workbook(seed004[1]).values


def test_a_title_typed_in_the_tables_first_row_names_the_unit_and_period(tmp_path):
    """The title in a row of the table itself, merged across it, right under the national header:
    read as title lines (the unit its "của …" names comes before the header's, as for titles above a
    table), not as more lines of the national header."""
    title = row([cell("PHỤ LỤC SỐ II\n\nBÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ II NĂM 2024\n\n"
                      "(Kèm theo Báo cáo số 12/BC-UBND của UBND xã Kim Phượng)", width=9000, span=5)])
    body = report_body(seed_rows("004"), title=(), narrative=())
    header_end = body.index("</w:tbl>") + len("</w:tbl>")  # the national header's table, then the Phụ lục's
    phu_luc = body.index("<w:tr>", header_end)
    submission = read_workbook(write_docx(tmp_path / "bao-cao.docx", body[:phu_luc] + title + body[phu_luc:]))
    assert (submission.unit, submission.period) == ("UBND xã Kim Phượng", "2024-Q2")
    assert reported(submission) == SEED004_FIGURES


# --- the unit and the period in the page's header and footer (Insert > Header) --------------------

_UNTITLED = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH")
_NARRATIVE_UNDATED = ("Tình hình thực hiện công tác cải cách hành chính của xã như sau:",)
_RUNNING_FOOTER = paragraph("Trang 1")


@pytest.mark.parametrize("page_header, page_footer, unit, period", [
    (paragraph("UBND XÃ KIM PHƯỢNG") + paragraph("Báo cáo CCHC quý II năm 2024"), _RUNNING_FOOTER,
     "UBND xã Kim Phượng", "2024-Q2"),
    # the national header typed as a borderless table in the header, the period in the footer
    (table([row([cell("ỦY BAN NHÂN DÂN\n\nXÃ KIM PHƯỢNG", width=4000),
                 cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐộc lập - Tự do - Hạnh phúc", width=5500)])],
           widths=(4000, 5500), borders=False),
     paragraph("Kỳ báo cáo: 6 tháng đầu năm 2024"), "UBND xã Kim Phượng", "2024-6M"),
])
def test_the_unit_and_period_only_in_the_page_header_and_footer_parts(tmp_path, page_header, page_footer, unit, period):
    """A report with no national header and a Phụ lục titled without unit or period: its page header and
    footer (word/header1.xml, word/footer1.xml) name them; the file's name ("bao-cao") does not."""
    body = report_body(seed_rows("004"), title=_UNTITLED, national=False, narrative=_NARRATIVE_UNDATED)
    path = write_docx(tmp_path / "bao-cao.docx", body, page_header=page_header, page_footer=page_footer)
    submission = read_workbook(path)
    assert (submission.unit, submission.unit_from_file) == (unit, False)
    assert (submission.period, submission.period_source) == (period, "page-header")
    assert reported(submission) == SEED004_FIGURES


@pytest.mark.libreoffice
def test_the_page_header_of_a_report_resaved_by_libreoffice(tmp_path):
    header = paragraph("UBND XÃ KIM PHƯỢNG") + paragraph("Báo cáo CCHC quý II năm 2024")
    body = report_body(seed_rows("004"), title=_UNTITLED, national=False, narrative=_NARRATIVE_UNDATED)
    source = write_docx(tmp_path / "bao-cao.docx", body, page_header=header, page_footer=_RUNNING_FOOTER)
    resaved = _writer_convert(source, "docx:MS Word 2007 XML", "docx", tmp_path / "docx")
    with zipfile.ZipFile(resaved) as archive:
        assert any(name.startswith("word/header") for name in archive.namelist())
    submission = read_workbook(resaved)
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Kim Phượng", "2024-Q2",
                                                                              "page-header")
    assert reported(submission) == SEED004_FIGURES


def test_page_header_parts_are_bounded(tmp_path):
    """A hostile package's many header parts, one of them long, cost what a few small ones do: the first
    MAX_PAGE_PARTS parts are read, each up to MAX_PAGE_PART_ELEMENTS elements."""
    from cchc_xl.sources import docx

    parts = {f"word/header{n}.xml": f"<w:hdr {NS}>{paragraph(f'Phần {n}')}</w:hdr>" for n in range(2, 60)}
    # empty paragraphs, each marked with its editing session as Word marks them (w:rsidR)
    filler = "".join(f'<w:p w:rsidR="{n * 2654435761 % 2 ** 32:08X}"/>' for n in range(docx.MAX_PAGE_PART_ELEMENTS))
    parts["word/header1.xml"] = f"<w:hdr {NS}>{paragraph('Phần 1')}{filler}{paragraph('Cuối phần 1')}</w:hdr>"
    body = report_body(seed_rows("004"), title=_UNTITLED, national=False, narrative=_NARRATIVE_UNDATED)
    page_header = sources.load(write_docx(tmp_path / "bao-cao.docx", body, extra_parts=parts)).grids[0].page_header
    assert "Phần 1" in page_header and "Cuối phần 1" not in page_header
    assert len([line for line in page_header.split("\n") if line.startswith("Phần ")]) == docx.MAX_PAGE_PARTS
