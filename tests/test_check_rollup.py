"""`cchc-xl check` of a roll-up `cchc-xl merge` wrote: as the district officer opens it again, saves it
from Excel-like programs or LibreOffice (.xlsx, .xls, .ods), types a total over by hand, or deletes a
sheet. The roll-ups are made by merging the bundled samples; the changes are made by openpyxl, as a
program that loads and saves a workbook does, and by LibreOffice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl import cli
from cchc_xl.report import ROLLUP_UNNAMED
from cchc_xl.submission import DETAIL_SHEET, META_SHEET, SUMMARY_SHEET, defined_name

from lo import convert_many

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CATALOG = catalog_module.load("phu-luc-ii")
DISTRICT = "UBND huyện Định Hóa"


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """The samples' roll-up as huyen.xlsx (merged with --unit) and th.xlsx (without)."""
    folder = tmp_path_factory.mktemp("tong-hop")
    for name, extra in (("huyen.xlsx", ["--unit", DISTRICT]), ("th.xlsx", [])):
        code = cli.main(["merge", str(SAMPLES), "-o", str(folder / name), "--no-history", "--json", *extra])
        assert code == 1  # the samples hold a unit with a lỗi and one that sent two files, on purpose
    return folder


def merge_totals(capsys, path: Path) -> dict:
    capsys.readouterr()
    cli.main(["merge", str(path), "-o", str(path.parent / f"len-{path.stem}.xlsx"), "--no-history", "--json",
              "--force"])
    return json.loads(capsys.readouterr().out)


def check_json(capsys, path: Path) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["check", str(path), "--json"])
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    return code, entry


def check_text(capsys, path: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["check", str(path)])
    return code, capsys.readouterr().out


def summary_cell(book, row_id: str) -> str:
    """The summary sheet's cell of a row, by the defined name merge gave it ("D9")."""
    sheet, cell = book.defined_names[defined_name(row_id)].attr_text.replace("$", "").split("!")
    assert sheet.strip("'") == SUMMARY_SHEET
    return cell


def changed(source: Path, target: Path, change) -> Path:
    book = openpyxl.load_workbook(source)
    change(book)
    book.save(target)
    return target


def type_over(book) -> None:
    """A district officer "corrects" the roll-up in Excel: a total typed over, a percent cleared."""
    book[SUMMARY_SHEET][summary_cell(book, "1.1.a")] = 140
    book[SUMMARY_SHEET][summary_cell(book, "1.1")] = None


def sum_rows_shown(entry: dict, totals: dict) -> dict:
    return {row.id: (entry["values"][row.id], totals[row.id]) for row in CATALOG.figure_rows
            if row.rollup == "sum" and totals.get(row.id) is not None}


# ----- what merge wrote -----

def test_a_rollup_merge_wrote_checks_clean_naming_its_unit_and_period(merged, capsys):
    code, entry = check_json(capsys, merged / "huyen.xlsx")
    assert (entry["unit"], entry["period"], entry["rollup"], entry["findings"], code) == (
        DISTRICT, "2024-Q1", True, [], 0)
    # the figures read are those the summary sheet shows, the roll-up's own
    shown = sum_rows_shown(entry, merge_totals(capsys, merged / "huyen.xlsx")["totals"])
    assert len(shown) > 30 and all(value == total for value, total in shown.values())
    assert entry["values"]["1.1.a"] == 132


def test_a_rollup_merged_without_a_unit_is_not_named_after_its_file(merged, capsys):
    code, entry = check_json(capsys, merged / "th.xlsx")
    assert (entry["unit"], entry["period"], entry["rollup"], entry["findings"], code) == ("", "2024-Q1", True, [], 0)
    code, text = check_text(capsys, merged / "th.xlsx")
    assert f"Đơn vị: {ROLLUP_UNNAMED}" in text and "Đơn vị: th" not in text and code == 0


def test_a_rollup_saved_again_by_a_program_checks_clean(merged, capsys, tmp_path):
    resaved = changed(merged / "huyen.xlsx", tmp_path / "luu-lai.xlsx", lambda book: None)
    code, entry = check_json(capsys, resaved)
    assert (entry["unit"], entry["rollup"], entry["findings"], code) == (DISTRICT, True, [], 0)


# ----- typed over by hand -----

def test_a_total_typed_over_is_a_loi_naming_the_cell_both_figures_and_what_to_do(merged, capsys, tmp_path):
    book = openpyxl.load_workbook(merged / "huyen.xlsx")
    total_cell, percent_cell = summary_cell(book, "1.1.a"), summary_cell(book, "1.1")
    edited = changed(merged / "huyen.xlsx", tmp_path / "sua-tay.xlsx", type_over)
    code, entry = check_json(capsys, edited)
    assert code == 1
    found = {finding["ids"][0]: finding for finding in entry["findings"]}
    assert set(found) == {"1.1", "1.1.a"}
    total, percent = found["1.1.a"], found["1.1"]
    assert (total["rule"], total["severity"], total["cell"], total["value"], total["expected"]) == (
        "rollup-typed-over", "error", f"{SUMMARY_SHEET}!{total_cell}", 140, 132)
    assert total["place"] == {"sheet": SUMMARY_SHEET, "row": int(total_cell[1:]), "column": total_cell[0]}
    assert "bản tổng hợp ghi 140" in total["message"] and "từ các đơn vị (lưu trong tệp) là 132" in total["message"]
    assert "sửa tệp của đơn vị" in total["message"] and "tổng hợp lại" in total["message"]
    assert percent["cell"] == f"{SUMMARY_SHEET}!{percent_cell}" and "bản tổng hợp để trống" in percent["message"]
    assert "là 82,69" in percent["message"]
    # the text names the file, then the sheet and cell of each finding
    code, text = check_text(capsys, edited)
    assert f"Tệp: {edited}" in text and f"[lỗi] {SUMMARY_SHEET}!{total_cell} Dòng «Số nhiệm vụ đề ra" in text


def test_a_total_typed_over_after_the_names_were_lost_is_still_found_and_not_merged(merged, capsys, tmp_path):
    """A program that drops the defined names: the summary sheet is read as it shows, so the figure
    typed over is still told from the state, by check and by merge one level up."""
    def drop_names_and_type_over(book):
        cell = summary_cell(book, "1.1.a")
        for name in list(book.defined_names):
            del book.defined_names[name]
        book[SUMMARY_SHEET][cell] = 140

    edited = changed(merged / "huyen.xlsx", tmp_path / "khong-ten.xlsx", drop_names_and_type_over)
    code, entry = check_json(capsys, edited)
    assert [(f["rule"], f["ids"], f["value"], f["expected"]) for f in entry["findings"]] == [
        ("rollup-typed-over", ["1.1.a"], 140, 132)] and code == 1
    result = merge_totals(capsys, edited)
    assert result["output"] is None and [item["code"] for item in result["rejected"]] == ["rollup-unusable"]
    assert "ghi 140, số liệu tổng hợp là 132" in result["rejected"][0]["reason"]


def test_merge_names_a_cleared_total_as_left_empty(merged, capsys, tmp_path):
    edited = changed(merged / "huyen.xlsx", tmp_path / "xoa.xlsx", type_over)
    cell = summary_cell(openpyxl.load_workbook(merged / "huyen.xlsx"), "1.1")
    reason = merge_totals(capsys, edited)["rejected"][0]["reason"]
    assert f"ô {cell} để trống, số liệu tổng hợp là 82,69" in reason


# ----- sheets deleted, the state broken -----

def test_a_broken_state_is_a_loi_saying_to_merge_again(merged, capsys, tmp_path):
    def break_state(book):
        sheet = book[META_SHEET]
        (row,) = [row for row in sheet.iter_rows() if row[0].value == "state"]
        row[1].value = '{"format": 1, "units": ['
        for cell in row[2:]:
            cell.value = None

    code, entry = check_json(capsys, changed(merged / "huyen.xlsx", tmp_path / "hong.xlsx", break_state))
    (finding,) = entry["findings"]
    assert (finding["rule"], finding["severity"], code) == ("rollup-state-broken", "error", 1)
    assert f"«{META_SHEET}»" in finding["message"] and "tổng hợp lại" in finding["message"]


def test_the_summary_sheet_deleted_is_a_warning_and_the_state_still_merges(merged, capsys, tmp_path):
    edited = changed(merged / "huyen.xlsx", tmp_path / "mat-sheet.xlsx", lambda book: book.remove(book[SUMMARY_SHEET]))
    code, entry = check_json(capsys, edited)
    (finding,) = entry["findings"]
    assert (finding["rule"], finding["severity"], entry["unit"], entry["rollup"], code) == (
        "rollup-summary-missing", "warning", DISTRICT, True, 0)
    assert merge_totals(capsys, edited)["totals"]["1.1.a"] == 132


def test_the_state_sheet_deleted_is_checked_as_a_printed_rollup_and_not_merged(merged, capsys, tmp_path):
    edited = changed(merged / "huyen.xlsx", tmp_path / "mat-du-lieu.xlsx", lambda book: book.remove(book[META_SHEET]))
    code, entry = check_json(capsys, edited)
    assert (entry["rollup"], entry["findings"], code) == (True, [], 0)
    result = merge_totals(capsys, edited)
    assert result["output"] is None and [item["code"] for item in result["rejected"]] == ["rollup-printed"]


def test_a_unit_line_deleted_or_retyped_in_chi_tiet_is_a_warning_and_the_figures_stay(merged, capsys, tmp_path):
    """An officer deletes a commune's line from the detail sheet, thinking it leaves the roll-up, and
    retypes another's name: the summary's figures and the state still hold both units, so check says
    which units the sheet no longer lists or lists without counting them, and what to do instead."""
    def edit_detail(book):
        sheet = book[DETAIL_SHEET]
        names = [row[0].value for row in sheet.iter_rows(min_row=3)]
        assert names[:2] == ["UBND xã Bảo Cường", "UBND xã Bình Yên"]
        sheet["A4"] = "UBND xã Bình Yên (sửa)"
        sheet.delete_rows(3)

    code, entry = check_json(capsys, changed(merged / "huyen.xlsx", tmp_path / "chi-tiet.xlsx", edit_detail))
    found = {finding["rule"]: finding for finding in entry["findings"]}
    assert set(found) == {"rollup-unit-unlisted", "rollup-unit-uncounted"} and code == 0
    assert all(finding["severity"] == "warning" for finding in found.values())
    unlisted, uncounted = found["rollup-unit-unlisted"]["message"], found["rollup-unit-uncounted"]["message"]
    assert "2 đơn vị có trong số liệu tổng hợp: «UBND xã Bảo Cường», «UBND xã Bình Yên»" in unlisted
    assert "tổng hợp lại" in unlisted
    assert "1 đơn vị không có trong số liệu tổng hợp: «UBND xã Bình Yên (sửa)»" in uncounted
    # units only reordered (sorted by another column) say nothing
    def reorder(book):
        sheet = book[DETAIL_SHEET]
        first, last = sheet["A3"].value, sheet[f"A{sheet.max_row}"].value
        sheet["A3"], sheet[f"A{sheet.max_row}"] = last, first

    code, entry = check_json(capsys, changed(merged / "huyen.xlsx", tmp_path / "sap-xep.xlsx", reorder))
    assert entry["findings"] == [] and code == 0


def test_a_summary_sheet_whose_table_was_broken_is_refused_saying_to_merge_again(merged, capsys, tmp_path):
    edited = changed(merged / "huyen.xlsx", tmp_path / "mat-tieu-de.xlsx",
                     lambda book: book[SUMMARY_SHEET].delete_rows(5, 2))
    code, entry = check_json(capsys, edited)
    assert (entry["code"], code) == ("rollup-summary-unreadable", 2)
    assert f"sheet «{SUMMARY_SHEET}»" in entry["error"] and "tổng hợp lại" in entry["error"]
    assert "Chi tiết" not in entry["error"]  # the roll-up's own wide sheets are no concern of the officer's
    result = merge_totals(capsys, edited)
    assert [item["code"] for item in result["rejected"]] == ["rollup-summary-unreadable"]


# ----- across periods -----

def test_checking_a_rollup_against_the_history_records_no_unit(merged, capsys, tmp_path):
    """Recorded, the district's totals would be one more unit of the history, derived into its own
    6-month roll-up a second time."""
    import sqlite3

    store = tmp_path / "lich-su.sqlite"
    capsys.readouterr()
    assert cli.main(["check", str(merged / "huyen.xlsx"), "--history", str(store)]) == 0
    with sqlite3.connect(store) as connection:
        assert connection.execute("SELECT count(*) FROM reports").fetchone() == (0,)


def test_last_quarters_rollup_as_previous_compares_each_unit_with_its_own_figures(capsys, tmp_path):
    """`--previous tong-hop-quy-1.xlsx`: the units inside the roll-up, not the district's totals, are
    last quarter's reports; a roll-up's table printed in a report holds no unit's figures and is refused."""
    from test_merge import commune

    first, second = tmp_path / "quy-1", tmp_path / "quy-2"
    first.mkdir()
    second.mkdir()
    commune(first, "Bình Yên", values={"1.1.b": 3})
    commune(first, "Quy Kỳ", values={"1.1.b": 4, "1.1": "66,67"})
    late = commune(second, "Bình Yên", values={"1.1.b": 2, "1.1": "33,33"}, period="QUÝ II NĂM 2024")
    rollup = tmp_path / "tong-hop-quy-1.xlsx"
    assert cli.main(["merge", str(first), "-o", str(rollup), "--unit", DISTRICT, "--no-history"]) == 0
    capsys.readouterr()
    assert cli.main(["check", str(late), "--previous", str(rollup), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    (finding,) = entry["findings"]
    assert (finding["rule"], finding["ids"], finding["value"], finding["expected"]) == (
        "cumulative-drop", ["1.1.b"], 2, 3)
    assert "tệp tong-hop-quy-1.xlsx" in finding["message"]
    report = tmp_path / "bao-cao-quy-1.docx"
    assert cli.main(["report", str(rollup), "-o", str(report)]) == 0
    capsys.readouterr()
    assert cli.main(["check", str(late), "--previous", str(report)]) == 2
    assert "không có số liệu của từng đơn vị" in capsys.readouterr().err


# ----- saved again by LibreOffice -----

@pytest.mark.libreoffice
def test_a_rollup_saved_by_libreoffice_in_every_format_checks_as_merge_wrote_it(merged, capsys, tmp_path):
    sources = tmp_path / "goc"
    sources.mkdir()
    shutil.copy(merged / "huyen.xlsx", sources / "huyen.xlsx")
    changed(merged / "huyen.xlsx", sources / "sua-tay.xlsx", type_over)
    for fmt in ("xlsx", "xls", "ods"):
        clean, edited = convert_many([sources / "huyen.xlsx", sources / "sua-tay.xlsx"], fmt, tmp_path / fmt)
        code, entry = check_json(capsys, clean)
        assert (entry["unit"], entry["period"], entry["rollup"], entry["findings"], code) == (
            DISTRICT, "2024-Q1", True, [], 0), fmt
        code, entry = check_json(capsys, edited)
        assert sorted((f["rule"], f["ids"][0], f["value"]) for f in entry["findings"]) == [
            ("rollup-typed-over", "1.1", None), ("rollup-typed-over", "1.1.a", 140)] and code == 1, fmt
        assert merge_totals(capsys, clean)["totals"]["1.1.a"] == 132, fmt
        assert [item["code"] for item in merge_totals(capsys, edited)["rejected"]] == ["rollup-unusable"], fmt
