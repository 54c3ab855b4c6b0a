"""`cchc-xl check` on workbooks built the way provinces build them (tests/handmade.py)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xl import catalog, cli
from cchc_xl.writing.marked import RESULT_HEADER, RESULT_SHEET

from handmade import Pct, seed_rows, write_form

TITLE_004 = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QÚY I NĂM 2024",
             "(Kèm theo Báo cáo số      /BC-UBND ngày 15/3/2024 của UBND xã Bình Yên)")
TITLE_000 = ("Phụ lục 01b", "KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2022",
             "(Kèm theo Báo cáo của UBND thị trấn Bút Sơn)")
HEADER_000 = ("STT", "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, 9 tháng, năm)",
              "Đơn vị tính", "Số liệu", "Ghi chú")
TITLE_002 = ("PHỤ LỤC", "SỐ LIỆU THỐNG KÊ CẢI CÁCH HÀNH CHÍNH QUÝ III NĂM 2022",
             "(Kèm theo Báo cáo của UBND thị xã Ngã Năm)")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "--json", *argv)
    return code, json.loads(out)


def replaced(rows, label_start: str, value, occurrence: int = 1):
    """The seed rows with the figure of the n-th row whose label starts with `label_start` changed."""
    result, seen = [], 0
    for row in rows:
        if row[1].startswith(label_start):
            seen += 1
            if seen == occurrence:
                row = (row[0], row[1], row[2], value, row[4])
        result.append(row)
    assert seen >= occurrence, label_start
    return result


@pytest.fixture
def good_004(tmp_path) -> Path:
    return write_form(tmp_path / "xa_binh_yen", seed_rows("004"), title_lines=TITLE_004)


@pytest.fixture
def bad_004(tmp_path) -> Path:
    rows = replaced(seed_rows("004"), "Số hồ sơ TTHC giải quyết đúng hạn", 350, occurrence=2)
    return write_form(tmp_path / "xa_sai_so", rows, title_lines=TITLE_004)


@pytest.fixture
def corrupt(tmp_path) -> Path:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    return path


def cell_value(path: Path, cell: str):
    sheet, address = cell.rsplit("!", 1)
    return load_workbook(path)[sheet][address].value


def figure_of(report: dict, row_id: str):
    return report["files"][0]["values"][row_id]


# --- real layouts, real figures -----------------------------------------------------------------

def test_seed_004_as_typed_by_the_commune_has_no_loi(capsys, good_004):
    code, report = run_json(capsys, good_004)
    entry = report["files"][0]
    assert code == 0, entry
    assert entry["catalog"] == "phu-luc-ii"
    assert entry["period"] == "2024-Q1"
    assert [f for f in entry["findings"] if f["severity"] == "error"] == []
    assert figure_of(report, "3.4.2.a") == 348 and figure_of(report, "3.2.4") == 100


def test_seed_004_typed_as_numbers_with_percent_cells_has_no_loi(capsys, tmp_path):
    rows = [(stt, label, unit, Pct(value / 100) if unit == "%" and isinstance(value, int) else value, note)
            for stt, label, unit, value, note in seed_rows("004", as_numbers=True)]
    assert any(isinstance(row[3], Pct) for row in rows)
    code, report = run_json(capsys, write_form(tmp_path / "so", rows, title_lines=TITLE_004))
    assert code == 0, report["files"][0]["findings"]
    assert figure_of(report, "3.2.4") == 100 and figure_of(report, "1.1") == 50


def test_seed_004_text_report_names_file_form_unit_period(capsys, good_004):
    code, out, _ = run(capsys, good_004)
    assert code == 0
    assert f"Tệp: {good_004}" in out
    assert "phu-luc-ii" in out and "Bình Yên" in out and "Quý I năm 2024" in out
    assert "không có lỗi" in out
    assert out.rstrip().splitlines()[-1].startswith("Tổng cộng: 1 tệp;")


def test_part_larger_than_whole_named_with_cell_and_figures(capsys, bad_004):
    code, out, _ = run(capsys, bad_004)
    assert code == 1
    line = next(line for line in out.splitlines() if "[lỗi]" in line and "350" in line)
    assert "lớn hơn" in line and "348" in line
    cell = line.split("]", 1)[1].split()[0]
    sheet, address = cell.rsplit("!", 1)
    book = load_workbook(bad_004)
    assert book[sheet][address].value == 350  # the cell named is the part that is too large
    assert "1 lỗi" in out


def test_seed_000_staff_row_below_those_present_is_a_warning_naming_the_cell(capsys, tmp_path):
    path = write_form(tmp_path / "but_son", seed_rows("000"), title_lines=TITLE_000, header=HEADER_000,
                      result_header="Kết quả thống kê")
    code, report = run_json(capsys, path)
    entry = report["files"][0]
    assert entry["catalog"] == "phu-luc-01b"
    assert entry["values"]["4.1"] == 23  # the form prints 4.1 with its unit, Người: a figure row
    (staff,) = [f for f in entry["findings"] if f["ids"] == ["4.1.2", "4.1"]]
    assert (staff["rule"], staff["severity"]) == ("compare", "warning")
    assert "(33)" in staff["message"] and "(23)" in staff["message"]
    assert cell_value(path, staff["cell"]) == "33"  # typed as text, the way figures pasted from Word arrive


@pytest.mark.skipif("phu-luc-huyen-soc-trang" not in catalog.shipped_ids(),
                    reason="the Sóc Trăng district catalog is not shipped yet")
def test_seed_002_online_dossiers_larger_than_all_dossiers(capsys, tmp_path):
    path = write_form(tmp_path / "nga_nam", seed_rows("002"), title_lines=TITLE_002)
    code, report = run_json(capsys, path)
    assert code == 1
    findings = report["files"][0]["findings"]

    def finding_between(small, large):
        for finding in findings:
            if finding["severity"] == "error" and finding["cell"]:
                message = finding["message"]
                if (cell_value(path, finding["cell"]) == str(small)
                        and f"({small})" in message and f"({large})" in message):
                    return finding
        raise AssertionError(f"no lỗi naming {small} against {large}: {[f['message'] for f in findings]}")

    online = finding_between(16, 4)
    assert online["rule"] in ("part-le-whole", "compare")
    bcci = finding_between(54, 39)
    assert bcci["rule"] in ("part-le-whole", "compare")


def test_vietnamese_number_text_reads_and_checks(capsys, tmp_path):
    rows = replaced(seed_rows("004"), "Tổng số hồ sơ TTHC đã tiếp nhận", "1.730")
    rows = replaced(rows, "Số hồ sơ TTHC đã tiếp nhận trực tuyến", "1.731")
    rows = replaced(rows, "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến", "100%")
    code, report = run_json(capsys, write_form(tmp_path / "chu_so", rows, title_lines=TITLE_004))
    assert code == 1
    assert figure_of(report, "3.2.4.a") == 1730 and figure_of(report, "3.2.4.b") == 1731
    rules = {(f["rule"], tuple(f["ids"])) for f in report["files"][0]["findings"]}
    assert ("part-le-whole", ("3.2.4.b", "3.2.4.a")) in rules


def test_percent_written_with_comma_and_sign_is_accepted(capsys, tmp_path):
    rows = replaced(seed_rows("004"), "Tổng số hồ sơ TTHC đã giải quyết xong", "1.886", occurrence=2)
    rows = replaced(rows, "Số hồ sơ TTHC giải quyết đúng hạn", "1.868", occurrence=2)
    truncated = replaced(rows, "Tỷ lệ hồ sơ TTHC do UBND cấp xã", "99,04 %")
    code, report = run_json(capsys, write_form(tmp_path / "cat", truncated, title_lines=TITLE_004))
    assert code == 0, report["files"][0]["findings"]
    wrong = replaced(rows, "Tỷ lệ hồ sơ TTHC do UBND cấp xã", "99,1%")
    code, report = run_json(capsys, write_form(tmp_path / "sai", wrong, title_lines=TITLE_004))
    assert code == 1
    (mismatch,) = [f for f in report["files"][0]["findings"] if f["rule"] == "percent-mismatch"]
    assert "99,1%" in mismatch["message"] and "99,05%" in mismatch["message"]


# --- the command's contract ---------------------------------------------------------------------

def test_json_structure(capsys, good_004, bad_004):
    code, report = run_json(capsys, good_004, bad_004)
    assert code == 1
    assert set(report) == {"files"}
    for entry in report["files"]:
        assert {"path", "catalog", "unit", "period", "values", "findings"} <= set(entry)
        assert all(value is None or isinstance(value, (int, float)) for value in entry["values"].values())
        for finding in entry["findings"]:
            assert set(finding) == {"severity", "rule", "ids", "cell", "place", "message", "value", "expected"}
            assert finding["severity"] in ("error", "warning")
            place = finding["place"]
            # The position as data and as text agree: {"sheet", "row", "column"} beside "Sheet!D12".
            assert (place is None) == (finding["cell"] is None)
            if place is not None:
                assert finding["cell"] == f"{place['sheet']}!{place['column']}{place['row']}"
    shown = [(f["value"], f["expected"]) for entry in report["files"] for f in entry["findings"]]
    assert all(isinstance(value, (type(None), bool, int, float, str)) for pair in shown for value in pair)
    assert [entry["path"] for entry in report["files"]] == [str(good_004), str(bad_004)]


def test_a_finding_in_json_keeps_its_figures():
    from fractions import Fraction

    from cchc_xl.findings import make

    finding = make("negative", ["1.1.a"], "Phụ lục!D8", value=-1, expected=Fraction(1, 4), stt="1.1.a", label="x")
    data = json.loads(json.dumps(finding.to_json()))
    assert (data["value"], data["expected"], data["cell"]) == (-1, 0.25, "Phụ lục!D8")


def test_mixed_set_reports_every_file_and_exits_2(capsys, tmp_path, good_004, bad_004, corrupt):
    missing = tmp_path / "khong_co.xlsx"
    code, report = run_json(capsys, good_004, corrupt, missing, bad_004)
    assert code == 2
    by_path = {entry["path"]: entry for entry in report["files"]}
    assert list(by_path) == [str(good_004), str(corrupt), str(missing), str(bad_004)]
    assert "error" in by_path[str(corrupt)] and "values" not in by_path[str(corrupt)]
    assert "Không tìm thấy" in by_path[str(missing)]["error"]
    assert by_path[str(good_004)]["findings"] is not None
    assert any(f["severity"] == "error" for f in by_path[str(bad_004)]["findings"])

    code, out, _ = run(capsys, good_004, corrupt, missing, bad_004)
    assert code == 2
    assert out.count("Tệp: ") == 4
    assert "[không đọc được]" in out
    assert "Tổng cộng: 4 tệp (2 tệp không đọc được)" in out


def test_exit_codes_0_and_1(capsys, good_004, bad_004):
    assert run(capsys, good_004)[0] == 0
    assert run(capsys, bad_004)[0] == 1


def test_folder_with_subfolders_and_lock_files(capsys, tmp_path):
    folder = tmp_path / "nop"
    (folder / "thang3").mkdir(parents=True)
    write_form(folder / "a", seed_rows("004"), title_lines=TITLE_004)
    write_form(folder / "thang3" / "b", seed_rows("004"), title_lines=TITLE_004)
    (folder / "~$a.xlsx").write_bytes(b"lock")
    (folder / "ghi_chu.txt").write_text("không phải bảng tính")
    code, report = run_json(capsys, folder)
    assert code == 0
    assert sorted(Path(entry["path"]).name for entry in report["files"]) == ["a.xlsx", "b.xlsx"]


def test_empty_folder_is_a_failure(capsys, tmp_path):
    (tmp_path / "trong").mkdir()
    code, report = run_json(capsys, tmp_path / "trong")
    assert code == 2 and "Thư mục không có tệp" in report["files"][0]["error"]


def test_forced_catalog_and_unknown_catalog(capsys, good_004):
    code, report = run_json(capsys, "--catalog", "phu-luc-ii", good_004)
    assert code == 0 and report["files"][0]["catalog"] == "phu-luc-ii"
    code, out, err = run(capsys, "--catalog", "khong-co", good_004)
    assert code == 2 and "khong-co" in err and out == ""


# --- the marked copy ----------------------------------------------------------------------------

def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_marked_copy(capsys, tmp_path, bad_004):
    before = digest(bad_004)
    target = tmp_path / "ket_qua.xlsx"
    code, report = run_json(capsys, bad_004, "-o", target)
    assert code == 1
    assert digest(bad_004) == before
    findings = report["files"][0]["findings"]
    book = load_workbook(target)
    assert book.active.title == RESULT_SHEET
    sheet = book[RESULT_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == RESULT_HEADER
    assert len(rows) == 1 + len(findings)
    for finding, row in zip(findings, rows[1:]):
        assert row[0] == {"error": "lỗi", "warning": "cảnh báo"}[finding["severity"]]
        assert row[1] == finding["cell"] and row[4] == finding["message"]
    error = next(f for f in findings if f["severity"] == "error")
    sheet_name, address = error["cell"].rsplit("!", 1)
    cell = book[sheet_name][address]
    assert cell.fill.fgColor.rgb == "FFFFC7CE"
    assert error["message"] in cell.comment.text
    assert cell.value == 350  # the figure itself is untouched


def test_marked_copy_refuses_to_overwrite(capsys, tmp_path, good_004, bad_004):
    target = tmp_path / "ket_qua.xlsx"
    target.write_bytes(b"old")
    code, _, err = run(capsys, bad_004, "-o", target)
    assert code == 2 and "--force" in err and target.read_bytes() == b"old"
    code, _, _ = run(capsys, bad_004, "-o", target, "--force")
    assert code == 1 and load_workbook(target)[RESULT_SHEET]
    before = digest(good_004)
    code, _, err = run(capsys, good_004, "-o", good_004, "--force")
    assert code == 2 and digest(good_004) == before


def test_marked_copy_takes_one_file(capsys, tmp_path, good_004, bad_004):
    code, out, err = run(capsys, good_004, bad_004, "-o", tmp_path / "x.xlsx")
    assert code == 2 and "một tệp" in err and out == ""
    assert not (tmp_path / "x.xlsx").exists()


def test_marked_copy_of_a_clean_file_says_so(capsys, tmp_path, good_004):
    target = tmp_path / "sach.xlsx"
    code, _, _ = run(capsys, good_004, "-o", target)
    assert code == 0
    rows = list(load_workbook(target)[RESULT_SHEET].iter_rows(values_only=True))
    assert rows[0] == RESULT_HEADER


def test_marked_text_is_never_a_formula(tmp_path, good_004):
    from cchc_xl.findings import make
    from cchc_xl.writing.marked import write_marked

    hostile = make("not-a-number", ["1.1"], "Sheet1!D11", message='=HYPERLINK("http://x","bấm")')
    target = write_marked(good_004, tmp_path / "m.xlsx", [hostile], catalog.load("phu-luc-ii")).path
    sheet = load_workbook(target)[RESULT_SHEET]
    message_cell = sheet.cell(2, 5)
    assert message_cell.value == '=HYPERLINK("http://x","bấm")' and message_cell.data_type == "s"
    assert message_cell.quotePrefix


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_marked_copy_of_legacy_formats_holds_values_at_the_same_cells(capsys, tmp_path, fmt):
    from lo import require_soffice

    require_soffice()
    rows = replaced(seed_rows("004"), "Số hồ sơ TTHC giải quyết đúng hạn", 350, occurrence=2)
    source = write_form(tmp_path / "cu", rows, title_lines=TITLE_004, fmt=fmt)
    target = tmp_path / "ket_qua.xlsx"
    code, report = run_json(capsys, source, "-o", target)
    assert code == 1
    error = next(f for f in report["files"][0]["findings"] if f["severity"] == "error")
    sheet, address = error["cell"].rsplit("!", 1)
    cell = load_workbook(target)[sheet][address]
    assert cell.value == 350 and cell.fill.fgColor.rgb == "FFFFC7CE"
    code, _, err = run(capsys, source, "-o", tmp_path / "ket_qua.xlsm")
    assert code == 2 and ".xlsx" in err


def macro_workbook(source: Path, target: Path, project: bytes) -> Path:
    """`source` as an .xlsm holding `project` as its VBA part, wired the way Excel wires it, with an
    ActiveX control and an embedded OLE object on its first sheet."""
    import zipfile

    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/>'
                                    b'<Override PartName="/xl/activeX/activeX1.xml" '
                                    b'ContentType="application/vnd.ms-office.activeX+xml"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.'
                                    b'microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            out.writestr(item, data)
        out.writestr("xl/vbaProject.bin", project)
        out.writestr("xl/worksheets/_rels/sheet1.xml.rels",
                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     b'relationships/control" Target="../activeX/activeX1.xml"/><Relationship Id="rIdO" '
                     b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" '
                     b'Target="../embeddings/oleObject1.bin"/></Relationships>')
        out.writestr("xl/activeX/activeX1.xml", b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/'
                     b'activeX" ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}" ax:persistence="persistStorage"/>')
        out.writestr("xl/activeX/activeX1.bin", project)
        out.writestr("xl/embeddings/oleObject1.bin", project)
    return target


def test_marked_copy_of_xlsm_never_carries_its_macros_or_controls(capsys, tmp_path, bad_004):
    """The officer opens the copy: the sender's VBA, ActiveX controls and embedded objects stay out of it,
    and a copy named .xlsm, which would be opened as a workbook with macros, is refused."""
    import zipfile

    from cchc_xl.vba.cfb import write_compound_file

    project = write_compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"',
                                   "VBA/dir": b"\x01" * 64})
    source = macro_workbook(bad_004, tmp_path / "co_macro.xlsm", project)
    code, _, _ = run(capsys, source, "-o", tmp_path / "ket_qua.xlsx")
    assert code == 1
    names = zipfile.ZipFile(tmp_path / "ket_qua.xlsx").namelist()
    assert not [name for name in names if re.search(r"vba|activex|embeddings|ctrlprops|oleobject", name, re.I)]
    assert load_workbook(tmp_path / "ket_qua.xlsx")[RESULT_SHEET]
    assert zipfile.ZipFile(source).read("xl/activeX/activeX1.bin") == project  # the input still has them
    code, _, err = run(capsys, source, "-o", tmp_path / "ket_qua.xlsm")
    assert code == 2 and "phải là tệp .xlsx" in err and "macro" in err
    assert not (tmp_path / "ket_qua.xlsm").exists()


@pytest.mark.parametrize("argv", [["--help"], ["merge", "--help"], ["template", "--help"], ["check", "--help"]])
def test_help_is_in_vietnamese(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert out.startswith("Cách dùng: cchc-xl") and "tùy chọn:" in out and "in hướng dẫn này rồi thoát" in out
    assert not any(word in out for word in ("usage:", "options:", "positional arguments", "show this help"))


def test_a_wrong_call_says_in_vietnamese_where_the_help_is(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["lệnh-lạ"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "lựa chọn không hợp lệ" in err and "hãy chọn một trong 'template'" in err
    assert err.rstrip().endswith("Xem hướng dẫn: cchc-xl --help") and "choose from" not in err
