"""A filled Phụ lục as other programs than Excel spell its XML: the same figures and findings.

Each test takes one province-style workbook (percents typed as fractions with a % format, a cell
showing #DIV/0!, a formula saved without its result, a hidden row and column) and rewrites its
zip parts as another writer would: Excel's Strict Open XML namespaces, attributes in single quotes
or with spaces and line breaks around "=", namespace prefixes, cells and rows without positions,
UTF-16. What `check --json` says of the copy must be what it says of the original.
"""

import io
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from cchc_xl.cells import column_index
from cchc_xl.commands.check import check_file, json_report
from cchc_xl.sources import load
from handmade import Pct, seed_rows, write_form
from lo import require_soffice

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_RELATIONSHIPS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    folder = tmp_path_factory.mktemp("form")
    rows = [list(row) for row in seed_rows("004", as_numbers=True)]
    for row in rows:
        if row[0] == "1.1.":
            row[3] = Pct(0.5)
        elif row[0] == "3.2.4.":
            row[3] = Pct(1.0, "0.00%")
    path = write_form(folder / "Bình Yên", rows)
    book = load_workbook(path)
    sheet = book.active
    for line in sheet.iter_rows():
        if line[0].value == "3.4.2.":
            sheet.cell(line[0].row, 4).value = "#DIV/0!"  # openpyxl writes an error cell (t="e")
            sheet.row_dimensions[line[0].row + 3].hidden = True
        elif line[0].value == "4.2.1.":
            sheet.cell(line[0].row, 4).value = "=2*10"  # saved without its result
    sheet.column_dimensions["F"].hidden = True
    sheet["F20"] = 7
    book.save(path)
    return path


def respelled(form: Path, name: str, change, parts: str = "") -> Path:
    """A copy of `form` with change(body) applied to its XML parts whose names contain `parts`."""
    target = form.parent / f"{name}{form.suffix}"
    with zipfile.ZipFile(form) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename.endswith((".xml", ".rels")) and parts in info.filename:
                body = change(body)
            new.writestr(info.filename, body)
    return target


def checked(path: Path) -> dict:
    report = json_report([check_file(path)])["files"][0]
    report.pop("path")
    return report


def grids(path: Path) -> list:
    return [(grid.name, grid.rows, grid.percent_cells, grid.hidden_rows, grid.hidden_cols) for grid in load(path).grids]


def assert_read_the_same(form: Path, copy: Path) -> None:
    original = checked(form)
    assert original["values"]["1.1"] == 50 and original["values"]["3.2.4"] == 100  # the percents, as shown
    rules = {finding["rule"] for finding in original["findings"]}
    assert {"cell-error", "formula-no-value"} <= rules, rules
    assert grids(copy) == grids(form)
    assert checked(copy) == original


def test_excel_strict_open_xml_namespaces(form):
    """Excel's "Strict Open XML Spreadsheet" (File > Save As) writes the ISO namespaces."""
    copy = respelled(form, "Strict", lambda body: body.replace(MAIN, STRICT_MAIN).replace(RELATIONSHIPS,
                                                                                           STRICT_RELATIONSHIPS))
    assert STRICT_MAIN in zipfile.ZipFile(copy).read("xl/workbook.xml")
    assert_read_the_same(form, copy)


def test_a_sheet_part_outside_the_worksheets_folder_is_known_by_its_relationship_type(form):
    """Generators name parts as they like ("xl/sheets/data.xml"): the relationship's type says it is a worksheet."""
    copy = form.parent / "Thư mục khác.xlsx"
    with zipfile.ZipFile(form) as old, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"/xl/worksheets/sheet1.xml", b"sheets/data.xml")
            new.writestr(info.filename.replace("xl/worksheets/sheet1.xml", "xl/sheets/data.xml"), body)
    assert "xl/sheets/data.xml" in zipfile.ZipFile(copy).namelist()
    assert_read_the_same(form, copy)


ATTRIBUTE = re.compile(rb'(\s)([\w:.-]+)="([^"\']*)"')
TAG = re.compile(rb"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])")
CELL = re.compile(rb'<c r="([A-Z]+)\d+"([^>]*?)(/>|>.*?</c>)', re.S)
ROW = re.compile(rb'<row r="(\d+)"([^>]*?)(/>|>(.*?)</row>)', re.S)


def single_quoted(body: bytes) -> bytes:
    return ATTRIBUTE.sub(rb"\1\2='\3'", body)


def single_quoted_but_positions(body: bytes) -> bytes:
    """Positions as Excel writes them (r="D12"), every other attribute in single quotes."""
    return ATTRIBUTE.sub(lambda match: match.group(0) if match.group(2) == b"r" else
                         match.group(1) + match.group(2) + b"='" + match.group(3) + b"'", body)


def spaced(body: bytes) -> bytes:
    return ATTRIBUTE.sub(rb'\n\t \2 =\t"\3"', body)


def prefixed(body: bytes) -> bytes:
    """Every element of the main namespace under the prefix "x" (<x:worksheet xmlns:x=...>, <x:c>)."""
    body = TAG.sub(lambda match: b"<" + match.group(1) + b"x:" + match.group(2), body)
    return body.replace(b'xmlns="' + MAIN + b'"', b'xmlns:x="' + MAIN + b'"')


def unnumbered(body: bytes) -> bytes:
    """Rows and cells without positions, each placed by counting: every row and cell before a used
    one written out empty, as generators that never write r="..." do."""
    last = 0

    def row(match):
        nonlocal last
        written, column = [], 0
        for cell in CELL.finditer(match.group(4) or b""):
            index = column_index(cell.group(1).decode())
            written += [b"<c/>"] * (index - column) + [b"<c" + cell.group(2) + cell.group(3)]
            column = index + 1
        gap, last = b"<row/>" * (int(match.group(1)) - last - 1), int(match.group(1))
        return gap + b"<row" + match.group(2) + b">" + b"".join(written) + b"</row>"

    return ROW.sub(row, body)


@pytest.mark.parametrize("change", [single_quoted, single_quoted_but_positions, spaced, prefixed, unnumbered], ids=lambda change: change.__name__)
def test_sheet_xml_in_other_spellings(form, change):
    """Percent formats, error cells, formulas without a result, hidden rows and columns are found
    however the sheet's tags are spelled, not only as Excel spells them."""
    copy = respelled(form, change.__name__, change, parts="worksheets/")
    assert zipfile.ZipFile(copy).read("xl/worksheets/sheet1.xml") != zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    assert_read_the_same(form, copy)


def utf16(body: bytes) -> bytes:
    """The part in UTF-16 with a byte-order mark, its declaration saying so, as the format allows."""
    text = re.sub(r"^<\?xml[^>]*\?>", "", body.decode("utf-8"))
    return ('<?xml version="1.0" encoding="UTF-16" standalone="yes"?>' + text).encode("utf-16")


def test_parts_in_utf16(form):
    copy = respelled(form, "UTF-16", utf16)
    assert zipfile.ZipFile(copy).read("xl/workbook.xml").startswith(b"\xff\xfe")
    assert_read_the_same(form, copy)


@pytest.fixture(scope="module")
def ods_form(tmp_path_factory):
    require_soffice()
    return write_form(tmp_path_factory.mktemp("ods") / "Bình Yên", seed_rows("004"), fmt="ods")


def rewritten_by_elementtree(body: bytes) -> bytes:
    """The part as Python's ElementTree writes a file it has read: every namespace as ns0, ns1 ..."""
    out = io.BytesIO()
    ElementTree.ElementTree(ElementTree.fromstring(body)).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue()


@pytest.mark.libreoffice
@pytest.mark.parametrize("change", [utf16, rewritten_by_elementtree], ids=lambda change: change.__name__)
def test_an_ods_content_part_written_by_another_program(ods_form, change):
    copy = respelled(ods_form, change.__name__, change, parts="content.xml")
    original = checked(ods_form)
    assert original["values"]["3.4.2.a"] == 348
    assert checked(copy) == original


def moved(form: Path, name: str, member: str, to: str, target: str, written: str) -> Path:
    """A copy of `form` with the part `member` stored as `to`, its relationship's target `target`
    spelled `written`."""
    copy = form.parent / f"{name}{form.suffix}"
    with zipfile.ZipFile(form) as old, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                assert f'Target="{target}"'.encode() in body
                body = body.replace(f'Target="{target}"'.encode(), f'Target="{written}"'.encode())
            new.writestr(to if info.filename == member else info.filename, body)
    return copy


@pytest.mark.parametrize("to, written", [
    ("sheets/data.xml", "../sheets/data.xml"),
    ("xl/worksheets/sheet1.xml", "./worksheets/sheet1.xml"),
    ("xl/worksheets/sheet 1.xml", "worksheets/sheet%201.xml"),
], ids=["parent folder", "dot", "escaped space"])
def test_relationship_targets_resolved_as_excel_resolves_them(form, to, written):
    """A target is a URI relative to the workbook's folder: Excel resolves "..", "." and "%20"."""
    assert_read_the_same(form, moved(form, "Đích", "xl/worksheets/sheet1.xml", to, "/xl/worksheets/sheet1.xml", written))


def test_styles_under_another_name_keep_the_percent_formats(form):
    assert_read_the_same(form, moved(form, "Kiểu", "xl/styles.xml", "xl/format.xml", "styles.xml", "format.xml"))


def test_shared_strings_under_another_name(tmp_path):
    """Excel follows the relationship to the shared strings whatever their part is named."""
    form = tmp_path / "Bảo Cường.xlsx"
    shutil.copy(SAMPLES / "bao-cuong.xlsx", form)
    copy = moved(form, "Chuỗi", "xl/sharedStrings.xml", "xl/strings/all.xml", "sharedStrings.xml", "strings/all.xml")
    original = checked(form)
    assert original["values"]["3.4.2.a"] is not None
    assert checked(copy) == original
