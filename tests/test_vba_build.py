"""The VBA project and the shipped workbooks: written on Linux, read back by olevba, olefile,
openpyxl; rebuilt byte for byte; --check catches a stale workbook."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from cchc_xl import cli
from cchc_xl.vba import cfb, project, udf, workbooks

ROOT = Path(__file__).resolve().parents[1]
MACRO_FILES = sorted((ROOT / "macros").glob("*.bas"))
XLSM = ["CCHC-PhuLuc-II.xlsm", "CCHC-TongHop.xlsm"]
_CODENAME = re.compile(r'codeName="([^"]+)"')


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    return workbooks.build_all(tmp_path_factory.mktemp("workbook"))


def vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def without_attributes(code: str) -> list[str]:
    return [line for line in code.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute VB_")]


def vba_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/vbaProject.bin")


def buttons(path: Path) -> list[tuple[str, str]]:
    """(macro, caption) of every form button in the workbook's VML drawings."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/drawings/vmlDrawing"):
                xml = archive.read(name).decode("utf-8")
                for shape in re.findall(r"<v:shape .*?</v:shape>", xml, re.S):
                    macro = re.search(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", shape)
                    caption = re.search(r"<font [^>]*>([^<]*)</font>", shape)
                    if macro:
                        found.append((macro.group(1), caption.group(1) if caption else ""))
    return found


# ---- the compound file ------------------------------------------------------------------------

def test_compound_file_reads_back_with_olefile():
    streams = {
        "PROJECT": b"x" * 100, "PROJECTwm": b"", "VBA/dir": bytes(range(256)) * 20,
        "VBA/Module1": b"m" * 4096, "VBA/Short": b"s" * 4095, "Other/Deep": b"d" * 70_000,
    }
    streams.update({f"VBA/Sheet{index}": bytes([index]) * (index * 37) for index in range(1, 40)})
    data = cfb.write_compound_file(streams)
    assert len(data) % cfb.SECTOR == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    assert sorted("/".join(entry) for entry in ole.listdir()) == sorted(streams)


def test_compound_file_is_reproducible_and_order_independent():
    streams = {"B": b"2" * 5000, "A/x": b"1", "A/y": b"3" * 700}
    assert cfb.write_compound_file(streams) == cfb.write_compound_file(dict(reversed(list(streams.items()))))


@pytest.mark.parametrize("path", ["VBA/" + "n" * 32, "VBA/a:b", "VBA/"])
def test_compound_file_refuses_bad_names(path):
    with pytest.raises(cfb.CompoundFileError):
        cfb.write_compound_file({path: b"x"})


# ---- the VBA project ---------------------------------------------------------------------------

def test_project_values_decrypt_like_excel_written_ones():
    """xlwings' quickstart.xlsm was saved by Excel: its CMG/DPB/GC decrypt to 'not protected,
    no password, visible', the values we encrypt."""
    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as archive:
        ole = olefile.OleFileIO(io.BytesIO(archive.read("xl/vbaProject.bin")))
    text = ole.openstream("PROJECT").read().decode("cp1252")
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.M))
    assert project.decrypt(bytes.fromhex(values["CMG"])) == bytes(4)
    assert project.decrypt(bytes.fromhex(values["DPB"])) == b"\0"
    assert project.decrypt(bytes.fromhex(values["GC"])) == b"\xff"
    for plain in (bytes(4), b"\0", b"\xff"):
        assert project.decrypt(project.encrypt("{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}", plain)) == plain


def test_project_streams_describe_a_source_only_project():
    modules = [project.document_module("ThisWorkbook", workbook=True), project.document_module("Sheet1"),
               project.standard_module('Attribute VB_Name = "Tools"\nSub Hello()\nEnd Sub\n')]
    ole = olefile.OleFileIO(io.BytesIO(project.build_vba_project(modules)))
    # Reserved1, version 0xFFFF (no performance cache), Reserved2, Reserved3 = 1 as Excel writes it
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000\r\nDocument=Sheet1/&H00000000\r\nModule=Tools\r\n" in text
    directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    for libid in dict(project.STANDARD_REFERENCES).values():
        assert libid.encode("cp1252") in directory
    source = bytes(decompress_stream(bytearray(ole.openstream("VBA/Tools").read())))
    assert source == b'Attribute VB_Name = "Tools"\r\nSub Hello()\r\nEnd Sub\r\n'


def test_module_text_must_be_ascii():
    module = project.standard_module('Attribute VB_Name = "Tools"\nSub A()\n  MsgBox "Kiểm tra"\nEnd Sub\n')
    with pytest.raises(project.VbaSourceError, match="Tools: line 3"):
        project.build_vba_project([module])


@pytest.mark.parametrize("first_line", ["Sub A()", 'Attribute VB_Name = "Two Words"', ""])
def test_module_needs_its_name_attribute(first_line):
    with pytest.raises(project.VbaSourceError):
        project.standard_module(first_line + "\n")


def test_macro_files_are_named_after_their_modules(tmp_path):
    (tmp_path / "Wrong.bas").write_text('Attribute VB_Name = "Right"\n', "ascii")
    with pytest.raises(project.VbaSourceError, match="expected 'Wrong'"):
        workbooks.macro_modules(tmp_path)


# ---- the built workbooks -----------------------------------------------------------------------

@pytest.mark.parametrize("name", XLSM)
def test_every_macro_module_reads_back_as_written(built, name):
    modules = vba_modules(built[name])
    assert MACRO_FILES
    for path in MACRO_FILES:
        written = without_attributes(path.read_text("ascii"))
        assert without_attributes(modules[path.stem]) == written, path.name


@pytest.mark.parametrize("name", XLSM)
def test_document_modules_match_the_codenames(built, name):
    modules = vba_modules(built[name])
    with zipfile.ZipFile(built[name]) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode("utf-8")
        sheet_names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        sheet_codenames = [_CODENAME.search(archive.read(n).decode("utf-8")).group(1) for n in sheet_names]
    assert re.search(r'<workbookPr [^>]*codeName="ThisWorkbook"', workbook_xml)
    for codename in ["ThisWorkbook", *sheet_codenames]:
        assert 'Attribute VB_Base = "0{000208' in modules[codename]
        assert "Attribute VB_PredeclaredId = True" in modules[codename]
    assert len(sheet_codenames) == len(set(sheet_codenames)) >= 3


@pytest.mark.parametrize("name, expected", [
    ("CCHC-PhuLuc-II.xlsm", [("KiemTra", "Kiểm tra")]),
    ("CCHC-TongHop.xlsm", [("TongHop", "Tổng hợp"), ("BaoCao", "Báo cáo"), ("KiemTra", "Kiểm tra")]),
])
def test_each_button_runs_a_sub_of_ours(built, name, expected):
    assert buttons(built[name]) == expected
    code = "\n".join(vba_modules(built[name]).values())
    for macro, _ in expected:
        assert re.search(rf"^Public Sub {macro}\(\)", code, re.M), macro


def test_buttons_call_functions_that_exist_in_python():
    import cchc_xl.excel as excel

    called = re.findall(r'RunPythonButton "(\w+)"', (ROOT / "macros" / "CCHC.bas").read_text("ascii"))
    assert sorted(called) == ["bao_cao", "kiem_tra", "tong_hop"]
    for name in called:
        assert callable(getattr(excel, name))
    helpers = (ROOT / "macros" / "Helpers.bas").read_text("ascii")
    assert '"import cchc_xl.excel; cchc_xl.excel." & functionName & "()"' in helpers


def test_udf_wrappers_come_from_xlwings_generator(built):
    import cchc_xl.excel as excel

    wrappers = vba_modules(built["CCHC-PhuLuc-II.xlsm"])[udf.UDF_MODULE_NAME]
    names = [name for name in dir(excel) if name.startswith("CCHC_") and callable(getattr(excel, name))]
    assert names
    for name in names:
        assert re.search(rf"^Function {name}\(", wrappers, re.M), name
        assert f'XLPy.CallUDF("cchc_xl.excel", "{name}"' in wrappers
    bridge = vba_modules(built["CCHC-PhuLuc-II.xlsm"])["XlwingsBridge"]
    assert "Public Function XLPy() As Object" in bridge


def test_no_module_references_the_xlwings_addin_project(built):
    ole = olefile.OleFileIO(io.BytesIO(vba_bin(built["CCHC-TongHop.xlsm"])))
    directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert b"xlwings.xlam" not in directory  # a missing add-in must not break the project
    assert b"stdole2.tlb" in directory and b"MSO.DLL" in directory


@pytest.mark.parametrize("name", XLSM)
def test_xlwings_settings_sheet(built, name):
    book = openpyxl.load_workbook(built[name])
    sheet = book[workbooks.XLWINGS_CONF_SHEET]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert rows == dict(workbooks.XLWINGS_SETTINGS)
    assert rows["UDF Modules"] == "cchc_xl.excel"
    assert not any("interpreter" in key.lower() or "conda" in key.lower() for key in rows)
    assert sheet.sheet_state == "hidden"


def test_tong_hop_has_the_folder_cell_and_roster_sheet(built):
    book = openpyxl.load_workbook(built["CCHC-TongHop.xlsm"])
    destinations = list(book.defined_names[workbooks.FOLDER_NAME].destinations)
    assert destinations == [(workbooks.ROSTER_SHEET, "$C$2")]
    assert "Hướng dẫn" in book.sheetnames
    assert workbooks.FOLDER_NAME not in openpyxl.load_workbook(built["CCHC-PhuLuc-II.xlsm"]).defined_names


def test_xlsx_has_no_macros_and_no_buttons(built):
    with zipfile.ZipFile(built["CCHC-PhuLuc-II.xlsx"]) as archive:
        assert not [n for n in archive.namelist() if "vba" in n.lower() or "vml" in n.lower()]


@pytest.mark.parametrize("name", XLSM)
def test_openpyxl_keeps_the_vba_project(built, name, tmp_path):
    book = openpyxl.load_workbook(built[name], keep_vba=True)
    copy = tmp_path / name
    book.save(copy)
    assert vba_bin(copy) == vba_bin(built[name])
    assert "CCHC" in vba_modules(copy)


def test_build_is_byte_reproducible(built, tmp_path):
    again = workbooks.build_all(tmp_path)
    assert sorted(again) == sorted(built) == ["CCHC-PhuLuc-II.xlsm", "CCHC-PhuLuc-II.xlsx", "CCHC-TongHop.xlsm"]
    for name, path in built.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_check_passes_on_a_fresh_build_and_names_a_stale_file(built, tmp_path, monkeypatch, capsys):
    out = tmp_path / "workbook"
    shutil.copytree(built["CCHC-TongHop.xlsm"].parent, out)
    assert cli.main(["build-workbook", "--check", "-o", str(out)]) == 0

    macros = tmp_path / "macros"
    shutil.copytree(ROOT / "macros", macros)
    source = (macros / "Helpers.bas").read_text("ascii")
    (macros / "Helpers.bas").write_text(source.replace('"&H"', '"&h"'), "ascii")
    monkeypatch.setattr(workbooks, "MACROS_DIR", macros)
    capsys.readouterr()
    assert cli.main(["build-workbook", "--check", "-o", str(out)]) == 1
    message = capsys.readouterr().err
    assert "CCHC-PhuLuc-II.xlsm: đã cũ (stale)" in message
    assert "CCHC-TongHop.xlsm: đã cũ (stale)" in message
    assert "CCHC-PhuLuc-II.xlsx" not in message


def test_check_reports_a_missing_file(tmp_path, capsys):
    assert cli.main(["build-workbook", "--check", "-o", str(tmp_path)]) == 1
    assert "chưa có (missing)" in capsys.readouterr().err


def test_build_writes_into_the_output_folder(tmp_path, capsys):
    assert cli.main(["build-workbook", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.file_name for p in workbooks.PRODUCTS)


def test_committed_workbooks_are_up_to_date():
    """CI: the files in workbook/ are what the sources build; rebuild with `cchc-xl build-workbook`."""
    assert cli.main(["build-workbook", "--check", "-o", str(ROOT / "workbook")]) == 0


def test_build_ignores_state_left_by_earlier_workbooks(built, tmp_path):
    from cchc_xl import catalog
    from cchc_xl.writing.template import write_template

    write_template(catalog.load("phu-luc-ii"), tmp_path / "earlier.xlsx")  # XlsxWriter touches shared options
    again = workbooks.built_bytes()
    assert again == {name: path.read_bytes() for name, path in built.items()}


def test_declare_statements_stay_out_of_modules_with_buttons():
    """LibreOffice's procedure scan takes "Declare PtrSafe Function" for a function that runs to
    the next End Function, hiding the Subs in between: keep Declare in modules without buttons."""
    button_macros = {macro for product in workbooks.PRODUCTS for macro in (b.macro for b in product.buttons)}
    for path in MACRO_FILES:
        source = path.read_text("ascii")
        if any(re.search(rf"^Public Sub {macro}\(", source, re.M) for macro in button_macros):
            assert not re.search(r"^\s*(Private |Public )?Declare ", source, re.M), path.name


def test_building_the_workbooks_does_not_import_the_excel_buttons():
    """The buttons' module runs inside Excel only; the builder takes its names from roster.py."""
    import subprocess
    import sys

    code = "import sys, cchc_xl.vba.workbooks; print('cchc_xl.excel' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"
