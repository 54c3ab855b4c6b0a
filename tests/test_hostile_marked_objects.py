"""The marked copy of `check -o` carries no link to outside the workbook that is not a formula either:
cell links to a web page or a file (a sheet relationship with TargetMode="External"), charts whose series
read another workbook, pivot tables fed from another workbook or a data connection, an OLE object linked
to a file and a picture fetched from the web. A commune's hand-made form is given each of them the way
Excel writes them; the copy keeps the cells' text and figures, drops the rest, says so on each cell, in
"Kết quả kiểm tra" and in what `check` prints, and keeps the workbook's own link and chart."""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.hyperlink import Hyperlink

from cchc_xl.cli import main
from cchc_xl.writing.marked import COPY_TITLES, RESULT_SHEET
from cchc_xl.writing.outside_links import reaches_outside
from handmade import seed_rows, write_form
from hostile import repacked

TITLE = ("PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
         "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)")
SHEET = "Liên kết"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WEB, FILE = "http://x.example/a?b=1", "file:///C:/Windows/System32/calc.exe"
OUTSIDE_SERIES = "'C:\\tmp\\[nguon.xlsx]Sheet1'!$A$1:$A$3"
# (cell, rule) of each note the copy must hold, in the order the results list them.
REMOVED = [(f"{SHEET}!A1", "outside-hyperlink"), (f"{SHEET}!A2", "outside-hyperlink"),
           (f"{SHEET}!H1", "outside-pivot"), (f"{SHEET}!H5", "outside-pivot"), (f"{SHEET}!D2", "outside-chart")]


def _cache(number: int, source: str) -> bytes:
    return (f'<pivotCacheDefinition xmlns="{MAIN}" xmlns:r="{REL}" refreshOnLoad="1" recordCount="0">{source}'
            '<cacheFields count="1"><cacheField name="so" numFmtId="0"><sharedItems/></cacheField></cacheFields>'
            '</pivotCacheDefinition>').encode()


def _pivot(number: int, where: str) -> bytes:
    return (f'<pivotTableDefinition xmlns="{MAIN}" name="PT{number}" cacheId="{number}" dataCaption="Values">'
            f'<location ref="{where}" firstHeaderRow="1" firstDataRow="1" firstDataCol="0"/>'
            '<pivotFields count="1"><pivotField showAll="0"/></pivotFields></pivotTableDefinition>').encode()


def _rels(*relations: str) -> bytes:
    return f'<Relationships xmlns="{PKG}">{"".join(relations)}</Relationships>'.encode()


def reaching_workbook(folder: Path) -> Path:
    path = write_form(folder / "xa_doi_tuong", seed_rows("004"), title_lines=TITLE)
    book = load_workbook(path)
    sheet = book.create_sheet(SHEET)
    sheet["A1"], sheet["A2"], sheet["A3"] = "trang web", "tệp", "trong tệp"
    sheet["A1"].hyperlink, sheet["A2"].hyperlink = WEB, FILE
    sheet["A3"].hyperlink = Hyperlink(ref="A3", location=f"'{SHEET}'!B1")
    for row in range(1, 4):
        sheet.cell(row, 2).value = row
    for anchor in ("D2", "D20"):  # the first is pointed at another file below, the second is the workbook's own
        chart = BarChart()
        chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=3))
        sheet.add_chart(chart, anchor)
    book.save(path)

    def rewrite(name: str, data: bytes) -> bytes:
        if name == "xl/charts/chart1.xml":
            series = b"<f>" + html.escape(OUTSIDE_SERIES, quote=False).encode() + b"</f>"
            return re.sub(rb"<f>[^<]*</f>", lambda _: series, data, count=1)
        if name == "xl/worksheets/sheet2.xml":
            return data.replace(b"</worksheet>", f'<oleObjects xmlns:r="{REL}"><oleObject progId="Excel.Sheet.12" '
                                f'link="[1]" oleUpdate="OLEUPDATE_ALWAYS" shapeId="1025" r:id="rIdOle"/></oleObjects>'
                                '</worksheet>'.encode())
        if name == "xl/worksheets/_rels/sheet2.xml.rels":
            return data.replace(b"</Relationships>", (
                f'<Relationship Id="rIdOle" Type="{REL}/oleObject" Target="file:///C:/tmp/nguon.xlsx" TargetMode="External"/>'
                f'<Relationship Id="rIdPT1" Type="{REL}/pivotTable" Target="../pivotTables/pivotTable1.xml"/>'
                f'<Relationship Id="rIdPT2" Type="{REL}/pivotTable" Target="../pivotTables/pivotTable2.xml"/>'
                '</Relationships>').encode())
        if name == "xl/drawings/drawing1.xml":
            return data.replace(b"</wsDr>", (
                '<oneCellAnchor><from><col>8</col><colOff>0</colOff><row>10</row><rowOff>0</rowOff></from>'
                '<ext cx="990000" cy="990000"/><pic><nvPicPr><cNvPr id="9" name="Anh"/><cNvPicPr/></nvPicPr>'
                f'<blipFill><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{REL}" '
                'r:link="rIdImg"/></blipFill><spPr/></pic><clientData/></oneCellAnchor></wsDr>').encode())
        if name == "xl/drawings/_rels/drawing1.xml.rels":
            return data.replace(b"</Relationships>", f'<Relationship Id="rIdImg" Type="{REL}/image" '
                                'Target="http://x.example/anh.png" TargetMode="External"/></Relationships>'.encode())
        if name == "xl/workbook.xml":
            return data.replace(b"</workbook>", f'<pivotCaches xmlns:r="{REL}"><pivotCache cacheId="1" r:id="rIdPC1"/>'
                                '<pivotCache cacheId="2" r:id="rIdPC2"/></pivotCaches></workbook>'.encode())
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", "".join(
                f'<Relationship Id="rIdPC{n}" Type="{REL}/pivotCacheDefinition" Target="pivotCache/pivotCacheDefinition{n}.xml"/>'
                for n in (1, 2)).encode() + b"</Relationships>")
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b"".join(
                b'<Override PartName="/xl/pivotCache/pivotCacheDefinition%d.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.pivotCacheDefinition+xml"/><Override PartName="/xl/pivotTables/pivotTable%d.xml"'
                b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.pivotTable+xml"/>' % (n, n)
                for n in (1, 2)) + b"</Types>")
        return data

    extra = {
        # A pivot table over another workbook's sheet, and one over a data connection.
        "xl/pivotCache/pivotCacheDefinition1.xml": _cache(1, '<cacheSource type="worksheet"><worksheetSource '
                                                            'ref="A1:A3" sheet="Nguồn" r:id="rIdSrc"/></cacheSource>'),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": _rels(
            f'<Relationship Id="rIdSrc" Type="{REL}/externalLinkPath" Target="file:///C:/tmp/nguon.xlsx" TargetMode="External"/>'),
        "xl/pivotCache/pivotCacheDefinition2.xml": _cache(2, '<cacheSource type="external" connectionId="1"/>'),
        "xl/connections.xml": (f'<connections xmlns="{MAIN}"><connection id="1" name="web" type="4" refreshOnLoad="1">'
                               '<webPr url="http://x.example/data"/></connection></connections>').encode(),
    }
    for n, where in ((1, "H1:H2"), (2, "H5:H6")):
        extra[f"xl/pivotTables/pivotTable{n}.xml"] = _pivot(n, where)
        extra[f"xl/pivotTables/_rels/pivotTable{n}.xml.rels"] = _rels(
            f'<Relationship Id="rId1" Type="{REL}/pivotCacheDefinition" Target="../pivotCache/pivotCacheDefinition{n}.xml"/>')
    return repacked(path, folder / "xa_doi_tuong_ngoai.xlsx", rewrite, extra)


def _outside_relations(package: zipfile.ZipFile) -> list[str]:
    return [target for name in package.namelist() if name.endswith(".rels")
            for target in re.findall(r'Target="([^"]*)"[^>]*TargetMode="External"', package.read(name).decode())]


@pytest.fixture
def marked(tmp_path, capsys):
    """(source, copy, what check printed, what check --json printed)."""
    source = reaching_workbook(tmp_path)
    before = source.read_bytes()
    assert main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx")]) == 0
    printed = capsys.readouterr().out
    assert main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx"), "--force", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert source.read_bytes() == before
    return source, tmp_path / "danh-dau.xlsx", printed, report


def test_the_hostile_source_reaches_outside_in_each_way(tmp_path):
    with zipfile.ZipFile(reaching_workbook(tmp_path)) as package:
        outside = _outside_relations(package)
        chart = package.read("xl/charts/chart1.xml").decode()
        sheet = package.read("xl/worksheets/sheet2.xml").decode()
    assert sorted(outside) == sorted([WEB, FILE, "file:///C:/tmp/nguon.xlsx", "file:///C:/tmp/nguon.xlsx",
                                      "http://x.example/anh.png"])
    assert html.escape(OUTSIDE_SERIES, quote=False) in chart and "<oleObject " in sheet
    book = load_workbook(reaching_workbook(tmp_path))[SHEET]
    assert len(book._charts) == 2 and len(book._pivots) == 2 and book["A1"].hyperlink.target == WEB


def test_the_copy_reaches_nothing_outside(marked):
    _, copy, _, _ = marked
    with zipfile.ZipFile(copy) as package:
        assert _outside_relations(package) == []
        names = package.namelist()
        references = [html.unescape(f) for name in names if name.startswith("xl/charts/")
                      for f in re.findall(r"<(?:\w+:)?f>([^<]*)</", package.read(name).decode())]
        parts = b"".join(package.read(name) for name in names if name.endswith(".xml"))
    assert references and not [f for f in references if reaches_outside("=" + f)]
    assert b"oleObject" not in parts and b"<connection" not in parts and b'url="' not in parts
    assert not [name for name in names if "pivot" in name.lower() or "connections" in name]


def test_the_copy_keeps_the_text_the_own_link_and_the_own_chart(marked):
    _, copy, _, _ = marked
    sheet = load_workbook(copy)[SHEET]
    assert [sheet.cell(row, 1).value for row in (1, 2, 3)] == ["trang web", "tệp", "trong tệp"]
    assert sheet["A1"].hyperlink is None and sheet["A2"].hyperlink is None
    assert sheet["A3"].hyperlink.location == f"'{SHEET}'!B1"
    assert len(sheet._charts) == 1 and sheet._charts[0].anchor._from.row == 19


def test_each_removal_is_named_on_its_cell_in_the_results_and_by_check(marked):
    _, copy, printed, report = marked
    book = load_workbook(copy)
    assert WEB in book[SHEET]["A1"].comment.text and "bỏ liên kết" in book[SHEET]["A1"].comment.text
    assert "nguon.xlsx" in book[SHEET]["D2"].comment.text and "bỏ biểu đồ" in book[SHEET]["D2"].comment.text
    assert "PivotTable" in book[SHEET]["H5"].comment.text
    lines = [[cell.value for cell in row] for row in book[RESULT_SHEET].iter_rows(min_row=2)]
    assert [(line[1], line[5]) for line in lines if line[5] in COPY_TITLES.values()] == [
        (cell, COPY_TITLES[rule]) for cell, rule in REMOVED]
    for cell, rule in REMOVED:
        assert f"- {cell}: {COPY_TITLES[rule]}" in printed
    assert f"đã bỏ {len(REMOVED)} phần" in printed
    assert [(note["cell"], note["rule"]) for note in report["files"][0]["marked_removed"]] == REMOVED


@pytest.mark.libreoffice
def test_libreoffice_opens_the_copy_with_its_cells(marked, tmp_path):
    from lo import convert, require_soffice

    require_soffice()
    _, copy, _, _ = marked
    opened = load_workbook(convert(copy, "xlsx", tmp_path / "lo"))
    assert [opened[SHEET].cell(row, 1).value for row in (1, 2, 3)] == ["trang web", "tệp", "trong tệp"]
    assert RESULT_SHEET in opened.sheetnames


def test_a_chart_sheet_whose_chart_reads_another_file_is_left_out(tmp_path, capsys):
    """A chart sheet holds its chart only: left without it, Excel would repair the copy (and openpyxl
    could not open it again); the sheet goes, named in the results."""
    path = write_form(tmp_path / "xa_bieu_do", seed_rows("004"), title_lines=TITLE)
    book = load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=4, min_row=10, max_row=12))
    book.create_chartsheet("Biểu đồ").add_chart(chart)
    book.save(path)

    def outside(name: str, data: bytes) -> bytes:
        series = b"<f>" + html.escape(OUTSIDE_SERIES, quote=False).encode() + b"</f>"
        return re.sub(rb"<f>[^<]*</f>", lambda _: series, data) if name.startswith("xl/charts/") else data

    source = repacked(path, tmp_path / "xa_bieu_do_ngoai.xlsx", outside, {})
    assert main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx")]) == 0
    assert "- Biểu đồ: " + COPY_TITLES["outside-chart"] in capsys.readouterr().out
    copy = load_workbook(tmp_path / "danh-dau.xlsx")
    assert "Biểu đồ" not in copy.sheetnames
    lines = [[cell.value for cell in row] for row in copy[RESULT_SHEET].iter_rows(min_row=2)]
    assert [line[1] for line in lines if line[5] == COPY_TITLES["outside-chart"]] == ["Biểu đồ"]
