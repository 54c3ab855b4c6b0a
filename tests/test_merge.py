"""merge(): which files count, and the `cchc-xl merge` command, on hand-made commune files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl.cli import main
from cchc_xl.merging import MergeError, merge

from handmade import seed_rows, write_form

CATALOG = catalog_module.load("phu-luc-ii")

# A commune's figures (row ids of phu-luc-ii); percents are written as the commune computes them.
BASE = {"1.1": "50", "1.1.a": 6, "1.1.b": 3, "3.1.3": 118, "3.1.3.a": 0, "3.1.3.b": 118,
        "3.4.2": "96,5", "3.4.2.a": "200", "3.4.2.b": 193, "4.2.1": "06", "4.2.2": 5, "1.5": 1,
        "7.3": 2, "6.1.a": "1.234,5", "6.1.b": "1.000", "6.1": "81"}


def commune(folder: Path, name: str, *, values=None, notes=None, period="QUÝ I NĂM 2024", fmt="xlsx",
            file_name=None, modified: float | None = None) -> Path:
    """A province-style PHỤ LỤC SỐ II of `name` ('Bình Yên'), figures BASE updated by `values`."""
    figures = {**BASE, **(values or {})}
    notes = notes or {}
    rows = [(row.stt, row.label, row.unit, figures.get(row.id) if row.takes_figure else None, notes.get(row.id))
            for row in CATALOG.rows]
    title = ("PHỤ LỤC SỐ II", f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {period}",
             f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã {name})")
    path = write_form(folder / (file_name or _slug(name)), rows, title_lines=title,
                      national_lines=(("ỦY BAN NHÂN DÂN", f"XÃ {name.upper()}"),
                                      ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")),
                      fmt=fmt)
    if modified is not None:
        os.utime(path, (modified, modified))
    return path


def _slug(name: str) -> str:
    from cchc_xl.periods import fold
    return "-".join(fold(name).split())


def hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def three(tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên")
    commune(folder, "Bảo Cường", values={"1.1.a": 10, "1.1.b": 10, "1.1": 100, "1.5": 0, "7.3": 1})
    commune(folder, "Quy Kỳ", values={"1.1.a": "04", "1.1.b": 1, "1.1": "25", "3.1.3.b": 120, "3.1.3": 120})
    return folder


# ----- merge() -----

def test_three_communes_are_summed_and_recomputed(three):
    result = merge([str(three)], jobs=1)
    totals = result.rollup.totals()
    names = [unit.unit for unit in result.rollup.units]
    assert len(names) == 3 and all(any(name in unit for unit in names) for name in ("Bình Yên", "Bảo Cường", "Quy Kỳ"))
    assert totals["1.1.a"] == 20 and totals["1.1.b"] == 14
    assert totals["1.1"] == 70  # 14 / 20, not the mean of 50, 100 and 25
    assert totals["1.5"] == 2
    assert totals["7.3"] == {"0": 0, "1": 1, "2": 2}
    assert totals["3.1.3.b"] == 118
    assert result.rollup.disagreements("3.1.3.b")[0][1] == 120
    assert totals["6.1.a"] == pytest.approx(3703.5)
    assert result.rollup.period == "2024-Q1"
    assert result.rejected == [] and result.duplicates == [] and result.missing == []
    assert result.inputs == 3


def test_parallel_reading_gives_the_same_roll_up(three, tmp_path):
    for index in range(9):
        commune(three, f"Số {index + 1}", values={"1.1.a": index + 3})
    serial = merge([str(three)], jobs=1)
    parallel = merge([str(three)], jobs=2)
    assert parallel.rollup.totals() == serial.rollup.totals()
    assert [u.unit for u in parallel.rollup.units] == [u.unit for u in serial.rollup.units]


def test_unreadable_file_is_rejected_with_its_name(three):
    (three / "hong.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    result = merge([str(three)], jobs=1)
    assert [Path(item.path).name for item in result.rejected] == ["hong.xlsx"]
    assert "hong.xlsx" in result.rejected[0].reason
    assert len(result.rollup.units) == 3


def test_a_sheet_that_is_not_a_phu_luc_is_rejected(three):
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["Họ và tên", "Ngày sinh", "Địa chỉ"])
    book.active.append(["Nguyễn Văn A", "01/01/1980", "Thôn Nà Mòn"])
    book.save(three / "danh-ba.xlsx")
    result = merge([str(three)], jobs=1)
    assert [Path(item.path).name for item in result.rejected] == ["danh-ba.xlsx"]
    assert "danh-ba.xlsx" in result.rejected[0].reason


def test_file_of_another_period_is_rejected_naming_both_periods(three):
    commune(three, "Phú Đình", period="QUÝ II NĂM 2024")
    result = merge([str(three)], jobs=1)
    reason = result.rejected[0].reason
    assert "phu-dinh.xlsx" in reason
    assert "Kỳ báo cáo Quý II năm 2024 khác kỳ tổng hợp Quý I năm 2024" in reason
    assert len(result.rollup.units) == 3


def test_period_asked_for_wins_over_the_majority(three):
    commune(three, "Phú Đình", period="QUÝ II NĂM 2024")
    result = merge([str(three)], period="Quý II năm 2024", jobs=1)
    assert [unit.unit for unit in result.rollup.units] == ["UBND xã Phú Đình"]
    assert len(result.rejected) == 3
    assert merge([str(three)], period="2024-Q2", jobs=1).rollup.period == "2024-Q2"


def test_unknown_period_text_is_a_merge_error(three):
    with pytest.raises(MergeError, match="Không hiểu kỳ báo cáo"):
        merge([str(three)], period="tuần sau", jobs=1)


def test_file_of_another_form_is_rejected(three):
    rows = seed_rows("000")
    write_form(three / "but-son.xlsx", rows, title_lines=(
        "Phụ lục 01b", "THỐNG KÊ SỐ LIỆU CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        "(Kèm theo Báo cáo số 30/BC-UBND của UBND thị trấn Bút Sơn)"))
    result = merge([str(three)], jobs=1)
    assert [Path(item.path).name for item in result.rejected] == ["but-son.xlsx"]
    assert "phu-luc-ii" in result.rejected[0].reason
    forced = merge([str(three / "but-son.xlsx")], catalog="phu-luc-01b", jobs=1)
    assert len(forced.rollup.units) == 1 and forced.rollup.catalog.id == "phu-luc-01b"
    forced_other = merge([str(three)], catalog="phu-luc-ii", jobs=1)
    assert [Path(item.path).name for item in forced_other.rejected] == ["but-son.xlsx"]
    assert "phu-luc-01b" in forced_other.rejected[0].reason


def test_two_files_of_one_unit_use_the_newer_and_report_both(three):
    old = commune(three, "Bình Yên", values={"1.1.a": 100, "1.1.b": 1}, file_name="binh-yen-cu", modified=1_700_000_000)
    newer = three / "binh-yen.xlsx"
    os.utime(newer, (1_700_100_000, 1_700_100_000))
    result = merge([str(three)], jobs=1)
    assert len(result.rollup.units) == 3
    assert result.rollup.totals()["1.1.a"] == 20
    [duplicate] = result.duplicates
    assert duplicate.used == str(newer) and duplicate.ignored == [str(old)]
    assert not result.clean


def test_roster_missing_and_not_in_roster(three):
    roster = ["UBND xã Bình Yên", "Xã Bảo Cường", "UBND xã Điềm Mặc"]
    result = merge([str(three)], roster=roster, jobs=1)
    assert result.missing == ["UBND xã Điềm Mặc"]
    statuses = {(entry.name, entry.status, entry.in_roster) for entry in result.roster}
    assert ("UBND xã Bình Yên", "submitted", True) in statuses
    assert ("Xã Bảo Cường", "submitted", True) in statuses
    assert ("UBND xã Điềm Mặc", "missing", True) in statuses
    assert ("UBND xã Quy Kỳ", "submitted", False) in statuses


def test_roster_unit_whose_file_was_rejected_is_missing_and_marked_rejected(three):
    commune(three, "Điềm Mặc", period="QUÝ II NĂM 2024")
    result = merge([str(three)], roster=["UBND xã Điềm Mặc", "UBND xã Bình Yên"], jobs=1)
    assert result.missing == ["UBND xã Điềm Mặc"]
    entry = next(entry for entry in result.roster if entry.name == "UBND xã Điềm Mặc")
    assert entry.status == "rejected" and entry.path.endswith("diem-mac.xlsx")


def test_file_with_a_loi_is_merged_and_its_loi_listed(three):
    commune(three, "Phú Đình", values={"3.4.2.a": 50, "3.4.2.b": 60, "3.4.2": "120"})
    result = merge([str(three)], jobs=1)
    unit = next(unit for unit in result.rollup.units if "Phú Đình" in unit.unit)
    assert unit.errors >= 1
    assert any("3.4.2.b" in finding.ids for finding in unit.findings if finding.severity == "error")
    # 60 on time of 50 resolved: left out of the rate 3.4.2 and of its parts, and named there
    assert result.rollup.totals()["3.4.2.b"] == 193 * 3 and result.rollup.totals()["3.4.2.a"] == 200 * 3
    assert "UBND xã Phú Đình" in result.rollup.combination("3.4.2")
    assert not result.clean


def test_lock_files_and_our_output_are_skipped(three):
    (three / "~$binh-yen.xlsx").write_bytes(b"lock")
    output = three / "tong-hop.xlsx"
    output.write_bytes(b"previous output")
    result = merge([str(three)], jobs=1, exclude=[str(output)])
    assert result.rejected == [] and len(result.rollup.units) == 3


def test_no_usable_file_is_a_merge_error_with_reasons(tmp_path):
    (tmp_path / "hong.xlsx").write_bytes(b"garbage")
    with pytest.raises(MergeError) as caught:
        merge([str(tmp_path)], jobs=1)
    assert [Path(item.path).name for item in caught.value.rejected] == ["hong.xlsx"]


def test_a_folder_without_workbooks_is_named_with_what_to_do(tmp_path):
    empty = tmp_path / "Quy-I"
    empty.mkdir()
    (empty / "ghi-chu.txt").write_text("không phải bảng tính", "utf-8")
    with pytest.raises(MergeError, match=r"trong .*Quy-I\. Hãy chọn đúng thư mục") as caught:
        merge([str(empty)], jobs=1)
    assert caught.value.rejected == []


@pytest.mark.libreoffice
def test_legacy_xls_and_ods_are_merged(tmp_path):
    from lo import require_soffice
    require_soffice()
    commune(tmp_path, "Bình Yên", fmt="xls")
    commune(tmp_path, "Bảo Cường", fmt="ods")
    result = merge([str(tmp_path)], jobs=1)
    assert result.rejected == []
    assert result.rollup.totals()["1.1.a"] == 12


# ----- the command -----

def run_cli(capsys, *argv):
    code = main(["merge", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_command_exit_0_when_every_input_is_used(three, tmp_path, capsys):
    out = tmp_path / "out" / "tong-hop.xlsx"
    before = hashes(three)
    code, stdout, _ = run_cli(capsys, three, "-o", out, "--unit", "UBND huyện Định Hóa")
    assert code == 0
    assert out.exists()
    assert "Đã tổng hợp 3 đơn vị" in stdout
    assert hashes(three) == before


def test_command_exit_1_when_an_input_is_rejected(three, tmp_path, capsys):
    commune(three, "Phú Đình", period="QUÝ II NĂM 2024")
    before = hashes(three)
    code, stdout, _ = run_cli(capsys, three, "-o", tmp_path / "t.xlsx")
    assert code == 1
    assert "Kỳ báo cáo Quý II năm 2024 khác kỳ tổng hợp Quý I năm 2024" in stdout
    assert hashes(three) == before


def test_command_exit_1_when_a_roster_unit_is_missing(three, tmp_path, capsys):
    roster = tmp_path / "danh-sach.txt"
    roster.write_text("UBND xã Bình Yên\nUBND xã Bảo Cường\nUBND xã Quy Kỳ\nUBND xã Điềm Mặc\n", "utf-8")
    code, stdout, _ = run_cli(capsys, three, "-o", tmp_path / "t.xlsx", "--roster", roster)
    assert code == 1
    assert "Điềm Mặc" in stdout


def test_command_exit_2_when_nothing_is_usable(tmp_path, capsys):
    (tmp_path / "hong.xlsx").write_bytes(b"garbage")
    out = tmp_path / "out.xlsx"
    code, _, stderr = run_cli(capsys, tmp_path, "-o", out)
    assert code == 2
    assert "hong.xlsx" in stderr
    assert not out.exists()


def test_command_refuses_to_replace_output_without_force(three, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"keep me")
    code, _, stderr = run_cli(capsys, three, "-o", out)
    assert code == 2
    assert "--force" in stderr
    assert out.read_bytes() == b"keep me"
    code, _, _ = run_cli(capsys, three, "-o", out, "--force")
    assert code == 0
    assert out.read_bytes() != b"keep me"


def test_the_history_is_recorded_once_the_roll_up_is_written_and_only_then(three, tmp_path, capsys, monkeypatch):
    """The history is recorded beside the writing (in a copy of the process, where processes fork),
    and kept only when the roll-up was written: a writing that fails leaves the store as it was."""
    from cchc_xl.history import History

    history = tmp_path / "lich-su.sqlite"
    code, out, _ = run_cli(capsys, three, "-o", tmp_path / "t.xlsx", "--history", history, "--json")
    assert code == 0 and json.loads(out)["history_recorded"] == 3
    commune(three, "Phú Đình", values={"1.1.a": 7})

    def disk_full(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cchc_xl.writing.rollup_book.write_rollup_workbook", disk_full)
    code, _, stderr = run_cli(capsys, three, "-o", tmp_path / "u.xlsx", "--history", history)
    assert code == 2 and "không ghi được tệp tổng hợp" in stderr
    with History(history) as store:
        assert sorted(report.unit for report in store.reports()) == [
            "UBND xã Bình Yên", "UBND xã Bảo Cường", "UBND xã Quy Kỳ"]
    monkeypatch.undo()
    code, out, _ = run_cli(capsys, three, "-o", tmp_path / "u.xlsx", "--history", history, "--json")
    assert code in (0, 1) and json.loads(out)["history_recorded"] == 4
    with History(history) as store:
        assert len(store.reports()) == 4


def test_command_bad_period_and_bad_output_suffix_exit_2(three, tmp_path, capsys):
    assert run_cli(capsys, three, "-o", tmp_path / "t.xlsx", "--period", "hôm qua")[0] == 2
    assert run_cli(capsys, three, "-o", tmp_path / "t.csv")[0] == 2


def test_command_json_shape(three, tmp_path, capsys):
    commune(three, "Phú Đình", period="QUÝ II NĂM 2024")
    out = tmp_path / "t.xlsx"
    code, stdout, _ = run_cli(capsys, three, "-o", out, "--json")
    data = json.loads(stdout)
    assert code == 1
    assert {"output", "period", "units", "rejected", "duplicates", "missing", "totals"} <= set(data)
    assert data["output"] == str(out) and data["period"] == "2024-Q1"
    assert set(data["units"][0]) >= {"unit", "path", "errors", "warnings"}
    assert len(data["units"]) == 3
    assert data["rejected"][0]["path"].endswith("phu-dinh.xlsx") and "Quý II" in data["rejected"][0]["reason"]
    assert data["rejected"][0]["code"] == "other-period"
    assert data["totals"]["1.1.a"] == 20 and data["totals"]["1.1"] == 70


def test_formula_looking_note_stays_text_in_the_output(three, tmp_path, capsys):
    from openpyxl import load_workbook
    note = '=HYPERLINK("http://example.com/x","Bấm vào đây")'
    path = commune(three, "Phú Đình", notes={"1.1.a": note})
    book = load_workbook(path)  # typed as text (a quote-prefixed cell in Excel), not as a formula
    for row in book.active.iter_rows():
        for cell in row:
            if cell.value == note:
                cell.data_type = "s"
    book.save(path)
    out = tmp_path / "t.xlsx"
    assert run_cli(capsys, three, "-o", out)[0] == 0
    book = load_workbook(out)
    found = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert found
    assert all(cell.data_type == "s" for cell in found)


def test_roll_up_of_roll_ups_equals_roll_up_of_all_units(tmp_path, capsys):
    east, west, everyone = tmp_path / "dong", tmp_path / "tay", tmp_path / "tat-ca"
    for folder in (east, west, everyone):
        folder.mkdir()
    figures = [("Bình Yên", {}), ("Bảo Cường", {"1.1.a": 9, "1.1.b": 9, "1.1": 100, "1.5": 0, "7.3": 0}),
               ("Quy Kỳ", {"3.1.3.b": 120, "3.1.3": 120, "4.2.1": "", "4.2.2": ""}),
               ("Phú Đình", {"6.1.a": "10,5", "6.1.b": "0,5", "6.1": "4,76"}), ("Điềm Mặc", {"1.1.a": 1, "1.1.b": 0, "1.1": 0})]
    for index, (name, values) in enumerate(figures):
        commune(east if index % 2 else west, name, values=values)
        commune(everyone, name, values=values)
    districts = tmp_path / "huyen"
    assert run_cli(capsys, east, "-o", districts / "dong.xlsx", "--unit", "UBND huyện Đông")[0] == 0
    assert run_cli(capsys, west, "-o", districts / "tay.xlsx", "--unit", "UBND huyện Tây")[0] == 0
    code, stdout, _ = run_cli(capsys, districts, "-o", tmp_path / "tinh.xlsx", "--json", "--unit", "UBND tỉnh")
    assert code == 0
    province = json.loads(stdout)
    code, stdout, _ = run_cli(capsys, everyone, "-o", tmp_path / "tat-ca.xlsx", "--json")
    direct = json.loads(stdout)
    assert province["totals"] == direct["totals"]
    assert sorted(u["unit"] for u in province["units"]) == sorted(u["unit"] for u in direct["units"])


def test_a_unit_counted_twice_through_a_roll_up_is_refused(tmp_path, capsys):
    communes = tmp_path / "xa"
    communes.mkdir()
    commune(communes, "Bình Yên")
    commune(communes, "Bảo Cường")
    district = tmp_path / "huyen.xlsx"
    assert run_cli(capsys, communes, "-o", district)[0] == 0
    result = merge([str(district), str(communes / "binh-yen.xlsx")], jobs=1)
    assert len(result.rollup.units) == 1
    assert "Bình Yên" in result.rejected[0].reason and "huyen.xlsx" in result.rejected[0].reason


# ----- which names are one unit -----

def test_names_differing_only_in_diacritics_are_different_communes():
    from cchc_xl.roster import UnitNames
    names = UnitNames([], ["UBND xã Đồng Thịnh", "Xã Đông Thịnh"])
    assert names.key("UBND xã Đồng Thịnh") != names.key("Xã Đông Thịnh")
    assert names.key("UBND xã Đồng Thịnh") == names.key("xã ĐỒNG THỊNH")


def test_a_name_typed_without_diacritics_joins_the_one_accented_spelling():
    from cchc_xl.roster import UnitNames
    names = UnitNames([], ["UBND xã Bình Yên", "xa binh yen"])
    assert names.key("xa binh yen") == names.key("UBND xã Bình Yên")
    ambiguous = UnitNames([], ["xã Đồng Thịnh", "xã Đông Thịnh", "dong thinh"])
    assert ambiguous.key("dong thinh") not in (ambiguous.key("xã Đồng Thịnh"), ambiguous.key("xã Đông Thịnh"))


def test_roster_matching_respects_diacritics():
    from cchc_xl.roster import UnitNames
    roster = ["UBND xã Đồng Thịnh", "UBND xã Đông Thịnh", "UBND xã Bình Yên"]
    names = UnitNames(roster, [])
    assert names.roster_name("Xã Đông Thịnh") == "UBND xã Đông Thịnh"
    assert names.roster_name("xã đồng thịnh") == "UBND xã Đồng Thịnh"
    assert names.roster_name("binh yen") == "UBND xã Bình Yên"
    assert names.roster_name("Xã Bình Yến") is None


def test_two_communes_with_near_identical_names_are_both_counted(tmp_path):
    commune(tmp_path, "Đồng Thịnh", file_name="dong-thinh-1")
    commune(tmp_path, "Đông Thịnh", file_name="dong-thinh-2")
    result = merge([str(tmp_path)], jobs=1)
    assert result.duplicates == []
    assert len(result.rollup.units) == 2


def test_bundled_samples_show_a_duplicate_a_missing_unit_and_a_loi(tmp_path, capsys):
    import shutil
    samples = Path(__file__).resolve().parent.parent / "samples"
    folder = tmp_path / "samples"
    shutil.copytree(samples, folder)
    for index, path in enumerate(sorted(folder.iterdir())):
        os.utime(path, (1_710_000_000 + index, 1_710_000_000 + index))
    before = hashes(folder)
    code, stdout, _ = run_cli(capsys, folder, "-o", tmp_path / "out" / "tong-hop.xlsx", "--roster",
                              folder / "danh-sach.txt", "--unit", "UBND huyện Định Hóa", "--json")
    data = json.loads(stdout)
    assert code == 1
    assert len(data["units"]) == 7 and data["rejected"] == []
    assert {Path(p).suffix for p in (u["path"] for u in data["units"])} == {".xlsx", ".xls", ".ods"}
    assert [Path(data["duplicates"][0]["used"]).name] == ["binh-yen-lan-2.xlsx"]
    assert data["missing"] == ["UBND xã Quy Kỳ"]
    assert [u["unit"] for u in data["units"] if u["errors"]] == ["UBND xã Kim Phượng"]
    assert hashes(folder) == before


def test_progress_bar_on_a_terminal_only(three, tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, stderr = run_cli(capsys, three, "-o", tmp_path / "a.xlsx")
    assert code == 0 and "Đang đọc 3/3 tệp" in stderr
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, stdout, stderr = run_cli(capsys, three, "-o", tmp_path / "b.xlsx", "--json")
    assert "Đang đọc" not in stderr
    json.loads(stdout)


def test_a_file_that_kills_its_reader_process_is_rejected_and_the_others_read(three, monkeypatch):
    import multiprocessing
    from cchc_xl import merging
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork to pass the patched reader to workers")
    for index in range(8):
        commune(three, f"Số {index + 1}")
    (three / "crash.xlsx").write_bytes(b"x")
    original = merging._read_and_check

    def read_or_die(path, catalog, modified):
        if path.endswith("crash.xlsx"):
            os._exit(3)
        return original(path, catalog, modified)

    monkeypatch.setattr(merging, "_read_and_check", read_or_die)
    result = merge([str(three)], jobs=2)
    assert [Path(item.path).name for item in result.rejected] == ["crash.xlsx"]
    assert "crash.xlsx" in result.rejected[0].reason
    assert len(result.rollup.units) == 11


def test_a_file_that_takes_too_long_is_stopped_and_rejected(three, monkeypatch):
    import time
    from cchc_xl import batch, merging
    original = merging._read_and_check

    def slow_for_one(path, catalog, modified):
        if path.endswith("quy-ky.xlsx"):
            time.sleep(30)
        return original(path, catalog, modified)

    monkeypatch.setattr(merging, "_read_and_check", slow_for_one)
    monkeypatch.setattr(batch, "MAX_SECONDS_PER_FILE", 0.3)
    started = time.monotonic()
    result = merge([str(three)], jobs=1)
    assert time.monotonic() - started < 10
    assert [Path(item.path).name for item in result.rejected] == ["quy-ky.xlsx"]
    assert "quy-ky.xlsx" in result.rejected[0].reason and "giây" in result.rejected[0].reason
    assert len(result.rollup.units) == 2


def test_a_roll_up_is_read_by_its_state_sheet_alone(tmp_path, capsys):
    """A merge reads nothing of a roll-up but its _cchc sheet; a commune's file is read whole."""
    from cchc_xl import sources
    from cchc_xl.merging import _declares_rollup
    from cchc_xl.submission import META_SHEET

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên", values={"1.1.a": 4})
    commune(folder, "Quy Kỳ", values={"1.1.a": 5})
    rollup = tmp_path / "huyen.xlsx"
    code, _, errors = run_cli(capsys, folder, "-o", rollup, "--unit", "UBND huyện Định Hóa")
    assert code in (0, 1), errors
    first = (META_SHEET, _declares_rollup)
    assert [grid.name for grid in sources.load(rollup, first=first).grids] == [META_SHEET]
    assert len(sources.load(rollup).grids) == 7
    own_form = tmp_path / "mau.xlsx"
    assert main(["template", "-o", str(own_form)]) == 0
    whole = sources.load(own_form).grids
    read_first = sources.load(own_form, first=first).grids
    assert len(whole) > 1 and [(g.name, g.rows) for g in read_first] == [(g.name, g.rows) for g in whole]
    code, out, _ = run_cli(capsys, rollup, "-o", tmp_path / "tinh.xlsx", "--json")
    assert code in (0, 1) and json.loads(out)["totals"]["1.1.a"] == 9


def test_a_state_whose_texts_hold_an_equals_sign_is_still_read_alone(tmp_path, capsys):
    """" =" in a note (or a check's message) is text, not a tag's spelling: the state sheet of such a
    roll-up is still all a merge reads of it."""
    from cchc_xl import sources
    from cchc_xl.merging import _declares_rollup
    from cchc_xl.submission import META_SHEET

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên", values={"1.1.a": 4}, notes={"1.1.a": "Tổng = 4 < 5 & đúng kế hoạch"})
    commune(folder, "Quy Kỳ", values={"1.1.a": 5})
    rollup = tmp_path / "huyen.xlsx"
    code, _, errors = run_cli(capsys, folder, "-o", rollup)
    assert code in (0, 1), errors
    read = sources.load(rollup, first=(META_SHEET, _declares_rollup))
    assert [grid.name for grid in read.grids] == [META_SHEET]
    assert "Tổng = 4 < 5 & đúng kế hoạch" in "".join(str(cell) for row in read.grids[0].rows for cell in row)


def test_a_state_sheet_past_the_grid_limits_is_cut_like_any_sheet(tmp_path):
    """A hostile file declaring itself a roll-up, its state sheet running past the rows a grid holds
    (texts with " =" so the quick scans do not apply): it is not read alone but cut, as any sheet."""
    from openpyxl import Workbook

    from cchc_xl import sources
    from cchc_xl.grid import MAX_GRID_ROWS
    from cchc_xl.merging import _declares_rollup
    from cchc_xl.submission import META_SHEET

    book = Workbook()
    book.active.title = "Tổng hợp"
    book.active.append(["a = b"])
    state = book.create_sheet(META_SHEET)
    state.append(["tool", "cchc-xl"])
    state.append(["kind", "rollup"])
    state.cell(row=MAX_GRID_ROWS + 5, column=2, value="x = y")
    path = tmp_path / "gia.xlsx"
    book.save(path)
    read = sources.load(path, first=(META_SHEET, _declares_rollup))
    assert [grid.name for grid in read.grids] == ["Tổng hợp", META_SHEET]
    assert len(read.grids[1].rows) <= MAX_GRID_ROWS
    assert any(META_SHEET in note for note in read.notes)


def test_a_roll_up_typed_over_by_hand_is_not_merged_from_its_hidden_figures(tmp_path, capsys):
    """A district officer corrects a total on the roll-up's summary sheet in Excel instead of the
    commune's file: merged one level up, the stored figures would pass on 9 where the sheet shows 12.
    The file is refused, naming the cell; the same roll-up saved again unchanged is merged."""
    from openpyxl import load_workbook

    from cchc_xl.submission import SUMMARY_SHEET, defined_name

    folder = tmp_path / "nop"
    folder.mkdir()
    commune(folder, "Bình Yên", values={"1.1.a": 4})
    commune(folder, "Quy Kỳ", values={"1.1.a": 5})
    rollup = tmp_path / "huyen.xlsx"
    code, _, errors = run_cli(capsys, folder, "-o", rollup, "--no-history")
    assert code in (0, 1), errors
    book = load_workbook(rollup)
    sheet_name, cell = book.defined_names[defined_name("1.1.a")].attr_text.replace("$", "").split("!")
    assert sheet_name.strip("'") == SUMMARY_SHEET and book[SUMMARY_SHEET][cell].value == 9
    book.save(tmp_path / "luu-lai.xlsx")
    book[SUMMARY_SHEET][cell] = 12
    book.save(tmp_path / "sua-tay.xlsx")

    code, out, _ = run_cli(capsys, tmp_path / "luu-lai.xlsx", "-o", tmp_path / "tinh.xlsx", "--no-history", "--json")
    assert code in (0, 1) and json.loads(out)["totals"]["1.1.a"] == 9
    code, out, errors = run_cli(capsys, tmp_path / "sua-tay.xlsx", "-o", tmp_path / "tinh2.xlsx", "--no-history")
    assert code == 2 and not (tmp_path / "tinh2.xlsx").exists()
    assert f"sua-tay.xlsx: tệp tổng hợp không dùng được: số liệu trên sheet «{SUMMARY_SHEET}» đã bị sửa tay (ô {cell} ghi 12, số liệu tổng hợp là 9)" in out + errors
