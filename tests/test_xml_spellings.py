"""A filled Phụ lục as other programs than Excel spell its XML: the same figures and findings.

Each test takes one province-style workbook (percents typed as fractions with a % format, a cell
showing #DIV/0!, a formula saved without its result, a hidden row and column) and rewrites its
zip parts as another writer would: Excel's Strict Open XML namespaces, attributes in single quotes
or with spaces and line breaks around "=", namespace prefixes, cells and rows without positions,
UTF-16. What `check --json` says of the copy must be what it says of the original.
"""

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xl.commands.check import check_file, json_report
from cchc_xl.sources import load
from handmade import Pct, seed_rows, write_form

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_RELATIONSHIPS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"


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
    target = form.parent / f"{name}.xlsx"
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
