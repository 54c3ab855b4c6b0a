"""A run faced with hostile files or calls: no traceback, no input lost, every good file still read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hostile
from cchc_xl import cli, sandbox
from cchc_xl.commands import check as check_command
from handmade import seed_rows, write_form
from hostile import ABORTS


@pytest.fixture
def form(tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    return write_form(folder / "Bình Yên", seed_rows("004"))


def broken(_args):
    raise RuntimeError("a fault nobody foresaw")


def test_a_fault_of_the_program_is_one_vietnamese_line_and_exit_2(form, monkeypatch, capsys):
    monkeypatch.setattr(check_command, "run", broken)
    monkeypatch.setenv(cli.DEBUG_ENV, "0")  # recorded, so what main() sets is undone after the test
    assert cli.main(["check", str(form)]) == 2
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr and "a fault nobody foresaw" not in stderr
    assert stderr.startswith("cchc-xl check: lỗi chương trình (RuntimeError) khi xử lý ") and str(form) in stderr
    assert "--debug" in stderr


@pytest.mark.parametrize("how", ["flag after", "flag before", "environment"])
def test_debugging_shows_the_trace(form, monkeypatch, capsys, how):
    monkeypatch.setattr(check_command, "run", broken)
    monkeypatch.setenv(cli.DEBUG_ENV, "0")  # recorded, so what main() sets is undone after the test
    argv = {"flag after": ["check", str(form), "--debug"], "flag before": ["--debug", "check", str(form)],
            "environment": ["check", str(form)]}[how]
    if how == "environment":
        monkeypatch.setenv(cli.DEBUG_ENV, "1")
    assert cli.main(argv) == 2
    stderr = capsys.readouterr().err
    assert "Traceback" in stderr and "a fault nobody foresaw" in stderr and "lỗi chương trình" in stderr


@pytest.mark.parametrize("where", ["named", "inside the input folder", "the roster"])
def test_merge_never_writes_over_one_of_its_inputs(form, tmp_path, capsys, where):
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Bình Yên"
    roster = tmp_path / "danh-sach.xlsx"
    book.save(roster)
    before, roster_before = form.read_bytes(), roster.read_bytes()
    inputs = {"named": [str(form)], "inside the input folder": [str(form.parent)], "the roster": [str(form)]}[where]
    output = roster if where == "the roster" else form
    # The output spelled another way than the input names it, as a user might.
    spelled = os.path.join(str(output.parent), ".", output.name)
    code = cli.main(["merge", *inputs, "--roster", str(roster), "-o", spelled, "--force"])
    stderr = capsys.readouterr().err
    assert code == 2 and "sẽ xóa mất tệp đã nộp" in stderr and output.name in stderr
    assert form.read_bytes() == before and roster.read_bytes() == roster_before


def test_merge_may_write_a_new_file_into_the_input_folder(form, capsys):
    output = form.parent / "tong-hop.xlsx"
    assert cli.main(["merge", str(form.parent), "-o", str(output)]) == 0
    assert output.is_file()


def test_check_of_a_folder_skips_lock_and_hidden_files(form, capsys):
    (form.parent / "~$Bình Yên.xlsx").write_bytes(b"lock")
    (form.parent / ".sao-luu.xlsx").write_bytes(b"hidden")
    (form.parent / ".~lock.Bình Yên.xlsx#").write_bytes(b"lock")
    code = cli.main(["check", str(form.parent)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Tổng cộng: 1 tệp" in out and "~$" not in out and ".sao-luu" not in out


@pytest.mark.parametrize("command", ["check", "merge"])
def test_a_phu_luc_sent_zipped_or_as_xlsb_is_named_with_what_to_do_not_passed_over(form, tmp_path, capsys, command):
    import zipfile

    sub = form.parent / "xa Kim Phuong"
    sub.mkdir()
    with zipfile.ZipFile(sub / "PhuLuc Kim Phuong.zip", "w") as archive:
        archive.write(form, "kim-phuong.xlsx")
    (form.parent / "Trung Hoi.XLSB").write_bytes(form.read_bytes())
    (form.parent / "Bao cao.pdf").write_bytes(b"%PDF-1.4")  # the signed narrative beside the Phụ lục
    (form.parent / ".cu.zip").write_bytes(b"hidden")
    arguments = [command, str(form.parent), "--json"]
    if command == "merge":
        arguments += ["-o", str(tmp_path / "tong-hop.xlsx"), "--no-history"]
    assert cli.main(arguments) in (1, 2)
    data = json.loads(capsys.readouterr().out)
    refused = ({Path(entry["path"]).name: entry["code"] for entry in data["files"] if entry.get("error")}
               if command == "check" else {Path(entry["path"]).name: entry["code"] for entry in data["rejected"]})
    assert refused == {"PhuLuc Kim Phuong.zip": "sent-as-archive", "Trung Hoi.XLSB": "sent-as-other-excel"}
    assert len(data["files" if command == "check" else "units"]) == (3 if command == "check" else 1)


def calamine_reads(data: bytes) -> int:
    """calamine alone, as the reader calls it: the first sheet's height."""
    import io

    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).height


@pytest.mark.skipif(not sandbox.isolating(), reason="no fork and resource limits on this platform")
@pytest.mark.parametrize("name", sorted(ABORTS))
def test_each_hostile_file_aborts_calamine_alone(name):
    with sandbox.Pool() as pool:
        assert pool.call(calamine_reads, hostile.xlsx()) == 2
        assert pool.call(calamine_reads, ABORTS[name]()) == sandbox.Failure(sandbox.CRASHED, "SIGABRT")


def test_check_reports_each_hostile_file_and_reads_the_good_ones(form, tmp_path, capsys):
    paths = []
    for index, name in enumerate(sorted(ABORTS)):
        path = tmp_path / "nop" / f"Hỏng {index}.xlsx"
        path.write_bytes(ABORTS[name]())
        paths.append(path)
    code = cli.main(["check", "--json", str(form.parent)])
    files = {Path(entry["path"]).name: entry for entry in json.loads(capsys.readouterr().out)["files"]}
    assert code == 2
    assert files["Bình Yên.xlsx"]["values"]["3.4.2.a"] == 348
    for path in paths:
        assert files[path.name]["error"].startswith(path.name + ": "), files[path.name]


def test_a_roster_that_aborts_the_reader_is_refused_in_vietnamese(form, tmp_path, capsys):
    roster = tmp_path / "danh-sach.xlsx"
    roster.write_bytes(ABORTS["shared strings declaring four billion"]())
    code = cli.main(["merge", str(form.parent), "--roster", str(roster), "-o", str(tmp_path / "tong-hop.xlsx")])
    stderr = capsys.readouterr().err
    assert code == 2 and stderr.startswith("cchc-xl merge: danh-sach.xlsx: ") and "Traceback" not in stderr
    assert not (tmp_path / "tong-hop.xlsx").exists()


class _CountRow:
    kind, codes, unit, label = "count", None, "Nhiệm vụ", "Số nhiệm vụ"


@pytest.mark.parametrize("raw", ["1" + "0" * 400, "9" * 5000, 1.5e308, float("nan"), float("-inf"), 10 ** 400,
                                 "1.000.000.000.000.000", "1e308"])
def test_a_figure_no_workbook_can_hold_is_not_a_number(raw):
    from cchc_xl.values import NOT_A_NUMBER, parse_figure

    assert parse_figure(raw, _CountRow()) == (None, NOT_A_NUMBER)


def test_the_largest_exact_figures_are_still_read():
    from cchc_xl.values import parse_figure

    assert parse_figure("999.999.999.999.999", _CountRow()) == (999_999_999_999_999, None)
    assert parse_figure(-999_999_999_999_999.0, _CountRow()) == (-999_999_999_999_999, None)


@pytest.mark.parametrize("figure", ["1" + "0" * 400, 1.5e308])
def test_a_merge_of_figures_past_what_a_workbook_holds_reports_them_and_writes_the_rollup(tmp_path, capsys, figure):
    rows = [list(row) for row in seed_rows("004")]
    rows[2][3] = rows[3][3] = figure  # 1.1.a and 1.1.b of two communes: their sum passes 1e308
    folder = tmp_path / "nop"
    folder.mkdir()
    for name in ("Bình Yên", "Kim Phượng"):
        write_form(folder / name, [tuple(row) for row in rows], title_lines=(
            "PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
            f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã {name})"))
    output = tmp_path / "tong-hop.xlsx"
    code = cli.main(["merge", str(folder), "-o", str(output), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and output.is_file()
    assert len(report["units"]) == 2 and all(unit["errors"] >= 1 for unit in report["units"])
    assert report["totals"]["1.1.a"] is None


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are always Unicode")
def test_undecodable_file_names_and_unit_are_shown_as_well_as_they_can_be(form, tmp_path, capsys):
    """A file from a zip made on Windows (its name in another encoding) and a --unit typed in one."""
    strange = os.fsdecode(b"b\xe1\xbb\xffnh y\xean.xlsx")
    (form.parent / strange).write_bytes(form.read_bytes())
    output = tmp_path / "tong-hop.xlsx"
    code = cli.main(["merge", str(form.parent), "-o", str(output), "--unit", os.fsdecode(b"Huy\xe1\xbb\x87n \xff")])
    assert code in (0, 1) and output.is_file(), capsys.readouterr()
    assert cli.main(["check", str(form.parent)]) == 0
    out = capsys.readouterr().out
    assert "b\ufffd\ufffdnh y\ufffdn.xlsx" in out and "Bình Yên.xlsx" in out
    from openpyxl import load_workbook

    texts = [cell for sheet in load_workbook(output).worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    assert any("\ufffd" in text for text in texts) and not any("\udcff" in text for text in texts)


_FORGED_LINE = "Tổng cộng: 1 tệp; không có lỗi, không có cảnh báo."


@pytest.mark.parametrize("command", ["check", "merge"])
def test_names_and_cells_that_would_act_on_a_terminal_print_as_their_codes(form, tmp_path, capsys, command):
    """A file named with a line break (a forged last line), an escape sequence or a right-to-left mark,
    and a unit title holding an escape sequence (stored in the workbook as _x001B_)."""
    rows = [*seed_rows("004")]
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
             "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã _x001B_[2JBảo Cường)")
    write_form(form.parent / "bao-cuong", rows, title_lines=title)
    for name in (f"a\n{_FORGED_LINE}.xlsx", "b\x1b[31m.xlsx", "trung\u202eslx.exe.xlsx", "d\rx.xlsx"):
        (form.parent / name).write_bytes(form.read_bytes())
    arguments = [command, str(form.parent)] + (["-o", str(tmp_path / "tong-hop.xlsx"), "--no-history"]
                                               if command == "merge" else [])
    cli.main(arguments)
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert not any(ch in printed for ch in "\x1b\u202e\r")
    assert _FORGED_LINE not in printed.splitlines()
    assert "\\u000a" in printed and "b\\u001b[31m.xlsx" in printed and "trung\\u202eslx.exe.xlsx" in printed
    if command == "check":  # merge names a unit only when it has lỗi
        assert "\\u001b[2JBảo Cường" in printed
        cli.main([command, str(form.parent), "--json"])
        paths = [entry["path"] for entry in json.loads(capsys.readouterr().out)["files"]]
        assert {Path(path).name for path in paths} >= {f"a\n{_FORGED_LINE}.xlsx", "trung\u202eslx.exe.xlsx",
                                                        "b\x1b[31m.xlsx"}


def _reads_past_the_scan(read_as):
    """merging._read_as with a gap in the pre-scan: the file named Hỏng.xlsx goes to calamine as is."""
    def read(path, forced):
        if Path(path).name == "Hỏng.xlsx":
            calamine_reads(Path(path).read_bytes())
        return read_as(path, forced)
    return read


@pytest.mark.skipif(not sandbox.isolating(), reason="no fork and resource limits on this platform")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_native_abort_in_a_small_merge_costs_that_file_only(form, tmp_path, capsys, monkeypatch, jobs):
    from cchc_xl import merging

    monkeypatch.setattr(merging, "_read_as", _reads_past_the_scan(merging._read_as))
    (form.parent / "Hỏng.xlsx").write_bytes(ABORTS["shared strings declaring four billion"]())
    output = tmp_path / "tong-hop.xlsx"
    code = cli.main(["merge", str(form.parent), "-o", str(output), "--json", "--jobs", str(jobs)])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and output.is_file()
    assert [unit["unit"] for unit in report["units"]] == ["UBND xã Bình Yên"]
    [rejected] = report["rejected"]
    assert rejected["reason"].startswith("Hỏng.xlsx: tệp làm hỏng chương trình đọc (mã reader-crashed, SIGABRT)")


@pytest.mark.slow
def test_check_o_of_a_sheet_past_the_cut_marks_what_was_read_not_the_million_rows(form, tmp_path, capsys):
    import zipfile

    from openpyxl import load_workbook

    with zipfile.ZipFile(form) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    head, tail = parts["xl/worksheets/sheet1.xml"].split(b"</sheetData>", 1)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1000, 400_000))
    parts["xl/worksheets/sheet1.xml"] = head + rows + b"</sheetData>" + tail
    big = tmp_path / "Dài.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    marked = tmp_path / "Dài - đánh dấu.xlsx"
    code = cli.main(["check", str(big), "-o", str(marked)])
    out = capsys.readouterr().out
    assert code in (0, 1) and "Đã ghi bản đánh dấu" in out, out
    sheet = load_workbook(marked, read_only=True).worksheets[0]
    assert sheet.max_row <= 3000


@pytest.mark.skipif(not sandbox.isolating(), reason="no fork and resource limits on this platform")
def test_report_reads_its_input_in_a_worker_and_refuses_a_hostile_one(tmp_path, capsys, monkeypatch):
    from cchc_xl import reading

    def aborting(path, catalog=None):  # a gap in the pre-scan: calamine aborts on the file
        calamine_reads(ABORTS["shared strings declaring four billion"]())
    monkeypatch.setattr(reading, "read_workbook", aborting)
    path = tmp_path / "Hỏng.xlsx"
    path.write_bytes(hostile.xlsx())
    code = cli.main(["report", str(path), "-o", str(tmp_path / "bao-cao.docx")])
    stderr = capsys.readouterr().err
    assert code == 2 and "Hỏng.xlsx: tệp làm hỏng chương trình đọc (mã reader-crashed" in stderr
    assert not (tmp_path / "bao-cao.docx").exists()


def test_a_merge_beside_floods_in_every_text_format_refuses_each_by_name_and_merges_the_good_one(form, tmp_path, capsys):
    """Files of millions of tiny constructs, each reader's worst before it bounded its work."""
    table = "<html><body><table><tr><td>STT</td></tr></table>"
    floods = {
        "trang.xls": (table + "<!--" * 1_000_000).encode(),
        "the.htm": (table + "<table><tr>" + "<td>" * 1_000_000).encode(),
        "xml.xls": ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet>'
                    "<Table>" + "<x/>" * 1_000_000 + "</Table></Worksheet></Workbook>").encode(),
        "dong.csv": "STT,Các chỉ tiêu,Đơn vị tính,Số liệu,Ghi chú\r\n".encode() + b"," * 5_000_000,
        "bang.ods": hostile.ods(hostile.ODS_FIRST_ROW + hostile.numbered_elements(600_000)),
        "bao-cao.docx": hostile.docx(hostile.DOCX_TABLE + hostile.numbered_elements(600_000)),
    }
    for name, data in floods.items():
        (form.parent / name).write_bytes(data)
    output = tmp_path / "tong-hop.xlsx"
    code = cli.main(["merge", str(form.parent), "-o", str(output), "--json", "--no-history", "--unit", "UBND huyện Định Hóa"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and output.exists()
    assert [Path(unit["path"]).name for unit in report["units"]] == ["Bình Yên.xlsx"]
    rejected = {Path(entry["path"]).name: entry["reason"] for entry in report["rejected"]}
    assert set(rejected) == set(floods)
    assert all(reason.startswith(name + ": ") for name, reason in rejected.items()), rejected


def _history_run(*arguments: str) -> subprocess.CompletedProcess:
    """The command in its own process: on a store that waits, the test fails by its timeout, not by hanging."""
    return subprocess.run([sys.executable, "-m", "cchc_xl", *arguments], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
@pytest.mark.parametrize("where", ["the store", "its journal"])
@pytest.mark.parametrize("command", ["check", "merge", "export"])
def test_a_history_that_is_a_named_pipe_is_refused_at_once(form, tmp_path, where, command):
    """SQLite opens a "-journal" it finds beside a store read-only: a named pipe there waited forever."""
    store = tmp_path / "lich-su.sqlite"
    if where == "its journal":
        assert _history_run("merge", str(form.parent), "-o", str(tmp_path / "th.xlsx"), "--history", str(store)).returncode == 0
        os.mkfifo(f"{store}-journal")
        pipe = f"{store}-journal"
    else:
        os.mkfifo(store)
        pipe = str(store)
    calls = {"check": ["check", str(form), "--history", str(store)],
             "merge": ["merge", str(form.parent), "-o", str(tmp_path / "th2.xlsx"), "--history", str(store)],
             "export": ["export", "--history", str(store), "-o", str(tmp_path / "xuat.csv")]}
    done = _history_run(*calls[command])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert pipe in done.stderr and ("ống dẫn có tên" in done.stderr)
    assert not (tmp_path / "th2.xlsx").exists() and not (tmp_path / "xuat.csv").exists()


def test_a_marked_copy_openpyxl_cannot_make_is_said_in_vietnamese_only(form, tmp_path, capsys):
    """A part nested 100,000 deep (the document's properties here) is read by the scan, but the copy's
    parser stops at 256 levels: the officer gets the check's result and a Vietnamese line, no English."""
    import zipfile

    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    nested = tmp_path / "Lồng sâu.xlsx"
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(nested, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, body.replace(b"</cp:coreProperties>", deep + b"</cp:coreProperties>"))
    assert cli.main(["check", str(nested), "-o", str(tmp_path / "danh-dau.xlsx")]) == 2
    printed = capsys.readouterr()
    assert "Kết quả: không có lỗi" in printed.out and not (tmp_path / "danh-dau.xlsx").exists()
    assert "không tạo được bản đánh dấu" in printed.err and "Excessive" not in printed.err
