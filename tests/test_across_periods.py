"""Four quarters of the sample communes through merge, check and the history: a planted drop of a
cumulative figure is flagged, the year derived from the quarters equals merging year files made
by hand, a re-merge replaces the period's figures, and the export reads back in pandas."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from cchc_xl import catalog as catalog_module
from cchc_xl.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "samples"))

import make_samples  # noqa: E402
import make_submissions as ms  # noqa: E402

QUARTERS = ("Quý I năm 2024", "Quý II năm 2024", "Quý III năm 2024", "Quý IV năm 2024")
DROPPED = "UBND xã Phú Đình"  # its Quý II cumulative 1.1.b falls below its Quý I
DROP_ROW = "1.1.b"


def sample_units():
    """The .xlsx communes of the bundled samples (one file each), with their layouts."""
    chosen = {}
    for name, unit, style in make_samples.FILES:
        if name.endswith(".xlsx") and "kim-phuong" not in name:
            chosen[unit] = (Path(name).stem.replace("-lan-2", "").replace("-lan-1", ""), style)
    return chosen


def quarter_figures(catalog, rng):
    """Each unit's figures for the four quarters: flows new each quarter, stocks and cumulative rows
    growing by a little, percents computed from their parts as a commune's sheet does."""
    shared = ms.province_list(catalog, rng)
    figures = {}
    for unit in sample_units():
        first = typed_whole(catalog, ms.figures(catalog, shared, rng))
        quarters = []
        for index in range(4):
            values = first if index == 0 else typed_whole(catalog, ms.figures(catalog, shared, rng))
            for row in catalog.figure_rows:
                if row.over_time != "flow" and row.percent is None:
                    grows = row.kind in ("count", "money") and row.rollup != "common"
                    values[row.id] = first[row.id] + index if grows else first[row.id]
            quarters.append(ms.fill_percents(catalog, dict(values)))
        figures[unit] = quarters
    figures[DROPPED][1][DROP_ROW] = figures[DROPPED][0][DROP_ROW] - 2
    ms.fill_percents(catalog, figures[DROPPED][1])
    return figures


def typed_whole(catalog, values):
    """Percents a unit types itself as whole numbers, so every file shows them the same way."""
    for row in catalog.figure_rows:
        if row.kind == "percent" and row.percent is None and values.get(row.id) is not None:
            values[row.id] = Fraction(round(values[row.id]))
    return values


def year_by_hand(catalog, quarters):
    """The year report an office would type: period flows added up, the rest as at Quý IV."""
    year = dict(quarters[3])
    for row in catalog.figure_rows:
        given = [quarter.get(row.id) for quarter in quarters if quarter.get(row.id) is not None]
        if row.over_time == "flow" and row.percent is None and given:
            if row.kind in ("count", "money"):
                year[row.id] = sum(given, Fraction(0))
            elif row.kind == "yesno":
                year[row.id] = 1 if 1 in given else given[-1]
    return ms.fill_percents(catalog, year)


def write(folder: Path, catalog, unit, period_text, values, slug, style, rng) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.xlsx"
    style = ms.Style(**{**style.__dict__, "blanks": 0.0})
    ms.write_submission(path, catalog, ms.Submission(unit, period_text, values, {}), style, rng)
    return path


@pytest.fixture(scope="module")
def year_of_quarters(tmp_path_factory):
    catalog = catalog_module.load("phu-luc-ii")
    rng = random.Random(15)
    figures = quarter_figures(catalog, rng)
    root = tmp_path_factory.mktemp("quarters")
    units = sample_units()
    for index, period_text in enumerate(QUARTERS):
        for unit, (slug, style) in units.items():
            write(root / f"q{index + 1}", catalog, unit, period_text, figures[unit][index], slug, style, rng)
    for unit, (slug, style) in units.items():
        write(root / "nam", catalog, unit, "Năm 2024", year_by_hand(catalog, figures[unit]), slug, style, rng)
    return root, figures


def merge_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["merge", *map(str, argv), "--json", "--force"])
    return code, json.loads(capsys.readouterr().out)


def findings_sheet(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Kiểm tra").to_python()


def test_four_quarters_flag_the_dropped_cumulative_figure_and_derive_the_year(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    out = tmp_path / "out"
    history = out / "lich-su-so-lieu.sqlite"
    for index in range(4):
        code, report = merge_json(capsys, root / f"q{index + 1}", "-o", out / f"q{index + 1}.xlsx")
        assert report["period"] == f"2024-Q{index + 1}" and report["history_recorded"] == len(figures)
        assert report["history"] == str(history)
    rows = findings_sheet(out / "q2.xlsx")
    drops = [line for line in rows if "Số lũy kế giảm so với kỳ trước" in line]
    assert len(drops) == 1 and drops[0][1] == DROPPED
    q1, q2 = figures[DROPPED][0][DROP_ROW], figures[DROPPED][1][DROP_ROW]
    assert (f"Quý II năm 2024 ghi {q2} (tệp phu-dinh.xlsx), nhỏ hơn Quý I năm 2024 ghi {q1} (tệp phu-dinh.xlsx)"
            in drops[0][7])
    assert not [line for line in findings_sheet(out / "q1.xlsx") if "kỳ trước" in str(line)]

    code, derived = merge_json(capsys, "--period", "2024-Y", "-o", out / "nam-tu-cac-quy.xlsx")
    assert code == 0 and derived["period"] == "2024-Y" and derived["history_recorded"] == 0
    assert derived["period_note"].startswith("Năm 2024 tính từ lịch sử số liệu các kỳ Quý I năm 2024, Quý II năm 2024,")
    assert "thiếu" not in derived["period_note"]
    code, by_hand = merge_json(capsys, root / "nam", "-o", tmp_path / "nam.xlsx", "--no-history")
    assert by_hand["period"] == "2024-Y" and by_hand["history"] is None
    assert not (tmp_path / "lich-su-so-lieu.sqlite").exists()
    assert derived["totals"] == by_hand["totals"]
    assert derived["totals"]["3.4.2.a"] == sum(figures[unit][q]["3.4.2.a"] for unit in figures for q in range(4))
    footer = CalamineWorkbook.from_path(str(out / "nam-tu-cac-quy.xlsx")).get_sheet_by_name("Tổng hợp").to_python()
    assert any("Năm 2024 tính từ lịch sử số liệu" in str(cell) for line in footer for cell in line)


def test_six_months_from_history_names_the_missing_quarter(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    history = tmp_path / "h.sqlite"
    merge_json(capsys, root / "q1", "-o", tmp_path / "q1.xlsx", "--history", history)
    code, derived = merge_json(capsys, "--period", "6 tháng năm 2024", "-o", tmp_path / "6t.xlsx", "--history", history)
    assert derived["period"] == "2024-6M" and code == 1  # written, but a quarter is missing: attention needed
    assert derived["period_note"].startswith("6 tháng năm 2024 tính từ lịch sử số liệu các kỳ Quý I năm 2024:")
    assert derived["period_note"].endswith("thiếu Quý II năm 2024 của UBND xã Bảo Cường, UBND xã Bình Yên, "
                                           "UBND xã Phú Đình, UBND xã Trung Hội.")
    assert derived["totals"]["3.4.2.a"] == sum(figures[unit][0]["3.4.2.a"] for unit in figures)


def test_a_re_merge_replaces_the_period_and_check_compares_with_the_history(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    history = tmp_path / "h.sqlite"
    for _ in range(2):
        merge_json(capsys, root / "q1", "-o", tmp_path / "q1.xlsx", "--history", history)
    with sqlite3.connect(history) as db:
        assert db.execute("SELECT count(*), count(DISTINCT unit_key) FROM reports").fetchone() == (len(figures),) * 2
        per_report = db.execute("SELECT count(*), count(DISTINCT report || row_id) FROM figures").fetchone()
    assert per_report[0] == per_report[1]
    planted = root / "q2" / "phu-dinh.xlsx"
    main(["check", str(planted), "--history", str(history), "--json"])
    found = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [f["ids"] for f in found if f["rule"] == "cumulative-drop"] == [[DROP_ROW]]
    drop = next(f for f in found if f["rule"] == "cumulative-drop")
    assert drop["cell"] and drop["cell"].startswith("Phụ lục!")
    with sqlite3.connect(history) as db:  # check records the period it read, when given a history
        assert db.execute("SELECT count(*) FROM reports WHERE period = '2024-Q2'").fetchone() == (1,)
    main(["check", str(planted), "--previous", str(root / "q1" / "phu-dinh.xlsx"), "--json"])
    found = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [f["ids"] for f in found if f["rule"] == "cumulative-drop"] == [[DROP_ROW]]
    main(["check", str(planted), "--json"])  # nothing asked: no history, no comparison
    assert not [f for f in json.loads(capsys.readouterr().out)["files"][0]["findings"] if f["rule"] == "cumulative-drop"]


def test_export_reads_back_in_pandas_with_the_stored_figures(year_of_quarters, tmp_path, capsys):
    pandas = pytest.importorskip("pandas")
    root, figures = year_of_quarters
    history = tmp_path / "h.sqlite"
    for index in range(4):
        merge_json(capsys, root / f"q{index + 1}", "-o", tmp_path / f"q{index + 1}.xlsx", "--history", history)
    with sqlite3.connect(history) as db:
        stored = {(unit, period, row_id): value for unit, period, row_id, value in db.execute(
            "SELECT r.unit, r.period, f.row_id, f.value FROM figures f JOIN reports r ON f.report = r.id")}
    assert len(stored) > 1000

    assert main(["export", "--history", str(history), "-o", str(tmp_path / "long.parquet")]) == 0
    long = pandas.read_parquet(tmp_path / "long.parquet")
    assert list(long.columns) == ["mau", "don_vi", "ky", "ma_dong", "stt", "chi_tieu", "don_vi_tinh", "so_lieu",
                                  "tep_nguon", "ma_bam"]
    assert {(u, p, r): v for u, p, r, v in zip(long.don_vi, long.ky, long.ma_dong, long.so_lieu)} == stored
    assert list(long.ky.drop_duplicates()) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    line = long[(long.ma_dong == "3.4.2.a") & (long.ky == "2024-Q3") & (long.don_vi == DROPPED)].iloc[0]
    assert (line.stt, line.don_vi_tinh, line.so_lieu) == ("Trong đó", "Hồ sơ", figures[DROPPED][2]["3.4.2.a"])
    assert line.chi_tieu == "Tổng số hồ sơ TTHC đã giải quyết xong" and line.tep_nguon.endswith("q3/phu-dinh.xlsx")

    assert main(["export", "--history", str(history), "-o", str(tmp_path / "wide.csv"), "--wide"]) == 0
    wide = pandas.read_csv(tmp_path / "wide.csv")
    assert len(wide) == 4 * len(figures) and list(wide.columns[:4]) == ["mau", "don_vi", "ky", "tep_nguon"]
    for _, unit_line in wide.iterrows():
        for row_id in wide.columns[4:]:
            value = stored.get((unit_line.don_vi, unit_line.ky, row_id))
            assert (value is None and pandas.isna(unit_line[row_id])) or unit_line[row_id] == pytest.approx(value)

    assert main(["export", "--history", str(history), "-o", str(tmp_path / "xu-huong.xlsx")]) == 0
    capsys.readouterr()
    sheets = pandas.read_excel(tmp_path / "xu-huong.xlsx", sheet_name=None, engine="calamine")
    assert list(sheets) == ["Dạng dài", "Dạng rộng", "Xu hướng"]
    # a label, a unit's name and a file's path are read whole on the screen: their columns are wide enough
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "xu-huong.xlsx", read_only=False)
    for name in ("Dạng dài", "Dạng rộng"):
        sheet = book[name]
        widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
        longest = {title: max(len(str(value)) for value in sheets[name][title]) for title in ("don_vi", "tep_nguon")}
        assert all(widths[title] >= min(longest[title], 45) for title in longest), (name, widths, longest)
    label_width = book["Dạng dài"].column_dimensions["F"].width
    assert book["Dạng dài"]["F1"].value == "chi_tieu" and label_width >= 60
    assert len(sheets["Dạng dài"]) == len(stored)
    trend = sheets["Xu hướng"]
    assert list(trend["Kỳ báo cáo"][:4]) == ["Quý I năm 2024", "Quý II năm 2024", "Quý III năm 2024", "Quý IV năm 2024"]
    # each point is the roll-up of the period: the on-time rate recomputed from the summed parts
    on_time = next(column for column in trend.columns if column.startswith("3.4.2"))
    done = sum(figures[unit][1]["3.4.2.a"] for unit in figures)
    in_time = sum(figures[unit][1]["3.4.2.b"] for unit in figures)
    assert trend[on_time][1] == pytest.approx(round(float(in_time / done * 100), 2))
    with zipfile.ZipFile(tmp_path / "xu-huong.xlsx") as package:
        charts = [name for name in package.namelist() if name.startswith("xl/charts/chart")]
        assert charts and all(b"<c:lineChart>" in package.read(name) for name in charts)


def test_export_keeps_hostile_unit_names_as_text(tmp_path, capsys):
    pandas = pytest.importorskip("pandas")
    from cchc_xl.history import History, Report

    history = tmp_path / "h.sqlite"
    hostile = '=HYPERLINK("http://x","bấm")'
    with History(history) as store:
        store.record("phu-luc-ii", "1", [Report(hostile, "2024-Q1", {"3.4.2.a": 10, "3.4.2.b": 9}, str(tmp_path / "a.xlsx"))])
    assert main(["export", "--history", str(history), "-o", str(tmp_path / "a.xlsx")]) == 0
    with zipfile.ZipFile(tmp_path / "a.xlsx") as package:
        sheets = b"".join(package.read(name) for name in package.namelist() if name.startswith("xl/worksheets/"))
        assert b"<f>" not in sheets
    assert pandas.read_excel(tmp_path / "a.xlsx", sheet_name="Dạng dài", engine="calamine").don_vi[0] == hostile
    assert main(["export", "--history", str(history), "-o", str(tmp_path / "a.csv")]) == 0
    assert pandas.read_csv(tmp_path / "a.csv").don_vi[0] == "'" + hostile
    assert main(["export", "--history", str(history), "-o", str(tmp_path / "a.txt")]) == 2
    assert "phải có đuôi .csv, .parquet hoặc .xlsx" in capsys.readouterr().err


def test_export_to_xlsx_refuses_more_lines_than_a_sheet_holds(tmp_path, capsys, monkeypatch):
    """Excel's sheets end at row 1,048,576 (10,000 units over a year pass it): said, and nothing written."""
    pytest.importorskip("pandas")
    from cchc_xl.commands import export
    from cchc_xl.history import History, Report

    history = tmp_path / "h.sqlite"
    with History(history) as store:
        store.record("phu-luc-ii", "1", [Report(f"UBND xã {name}", "2024-Q1", {"3.4.2.a": 10, "3.4.2.b": 9},
                                                str(tmp_path / f"{name}.xlsx")) for name in ("A", "B")])
    monkeypatch.setattr(export, "MAX_ROWS", 4)  # 4 figures: one line more than the rows under the header
    assert main(["export", "--history", str(history), "-o", str(tmp_path / "a.xlsx")]) == 2
    assert "lịch sử có 4 số liệu, nhiều hơn số dòng một trang tính Excel chứa được (3 dòng dưới dòng tiêu đề)" \
        in capsys.readouterr().err
    assert not (tmp_path / "a.xlsx").exists()
    assert main(["export", "--history", str(history), "-o", str(tmp_path / "a.csv")]) == 0


def test_check_and_merge_do_not_import_pandas():
    code = ("import sys; from cchc_xl.cli import main; main(['check', 'samples/bao-cuong.xlsx']); "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120).stdout
    assert out.strip().endswith("False")


def test_a_year_with_some_year_files_derives_only_the_units_that_sent_none(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    history = tmp_path / "h.sqlite"
    for index in range(4):
        merge_json(capsys, root / f"q{index + 1}", "-o", tmp_path / f"q{index + 1}.xlsx", "--history", history)
    sent = tmp_path / "nam-mot-phan"
    sent.mkdir()
    for name in ("bao-cuong.xlsx", "phu-dinh.xlsx"):
        (sent / name).write_bytes((root / "nam" / name).read_bytes())
    roster = tmp_path / "danh-sach.txt"
    roster.write_text("\n".join([*figures, "UBND xã Quy Kỳ"]), "utf-8")
    code, mixed = merge_json(capsys, sent, "-o", tmp_path / "nam.xlsx", "--history", history, "--roster", roster)
    assert mixed["period"] == "2024-Y" and mixed["history_recorded"] == 2  # the two year files, not the derived units
    assert mixed["missing"] == ["UBND xã Quy Kỳ"] and code == 1
    lines = CalamineWorkbook.from_path(str(tmp_path / "nam.xlsx")).get_sheet_by_name("Tình hình nộp").to_python()
    notes = {line[1]: (line[2], line[5]) for line in lines if len(line) > 5 and line[1] in [*figures, "UBND xã Quy Kỳ"]}
    derived_note = ("Đã nộp", "Không gửi báo cáo Năm 2024: số liệu tính từ lịch sử các kỳ trước")
    assert notes == {"UBND xã Bình Yên": derived_note, "xã Trung Hội": derived_note, "UBND xã Bảo Cường": ("Đã nộp", ""),
                     "UBND xã Phú Đình": ("Đã nộp", ""), "UBND xã Quy Kỳ": ("Chưa nộp", "Chưa nhận được tệp của đơn vị")}
    assert [unit["unit"] for unit in mixed["units"]][:2] == ["UBND xã Bảo Cường", "UBND xã Phú Đình"]
    assert len(mixed["units"]) == len(figures) and "UBND xã Bình Yên" in mixed["period_note"]
    assert "Phú Đình" not in mixed["period_note"]
    code, by_hand = merge_json(capsys, root / "nam", "-o", tmp_path / "nam-tay.xlsx", "--no-history")
    assert mixed["totals"] == by_hand["totals"]


def test_previous_takes_one_file_or_folder_each_time_in_any_order(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    earlier, planted = root / "q1" / "phu-dinh.xlsx", root / "q2" / "phu-dinh.xlsx"
    # --previous first, then the folder to merge: the folder is merged, not read as an earlier period.
    code, merged = merge_json(capsys, "--previous", earlier, root / "q2", "-o", tmp_path / "a.xlsx", "--no-history")
    assert merged["period"] == "2024-Q2" and len(merged["units"]) == len(figures)
    drops = [line for line in findings_sheet(tmp_path / "a.xlsx") if "Số lũy kế giảm so với kỳ trước" in line]
    assert [line[1] for line in drops] == [DROPPED]
    # A folder of the earlier quarter, given after the output and before a second input.
    code, merged = merge_json(capsys, "-o", tmp_path / "b.xlsx", root / "q2" / "bao-cuong.xlsx", "--previous",
                              root / "q1", planted, "--no-history")
    assert sorted(unit["unit"] for unit in merged["units"]) == ["UBND xã Bảo Cường", DROPPED]
    assert [line[1] for line in findings_sheet(tmp_path / "b.xlsx") if "Số lũy kế giảm so với kỳ trước" in line] == [DROPPED]
    # check: the file to check may follow --previous's file; --previous repeated.
    assert main(["check", "--previous", str(root / "q3" / "phu-dinh.xlsx"), "--previous", str(earlier),
                 str(planted), "--json"]) == 1
    checked = json.loads(capsys.readouterr().out)["files"]
    assert [file["path"] for file in checked] == [str(planted)]
    assert [f["ids"] for f in checked[0]["findings"] if f["rule"] == "cumulative-drop"] == [[DROP_ROW]]
    empty = tmp_path / "trong"
    empty.mkdir()
    assert main(["check", str(planted), "--previous", str(empty)]) == 2
    assert f"{empty}: thư mục kỳ trước không có tệp Phụ lục nào" in capsys.readouterr().err


def test_merge_with_history_is_the_merge_of_the_command_and_the_button(year_of_quarters, tmp_path):
    from cchc_xl import overtime
    from cchc_xl.merging import MergeError

    root, figures = year_of_quarters
    history = tmp_path / "h.sqlite"
    result, derived = overtime.merge_with_history([str(root / "q1")], history, jobs=1)
    assert derived == [] and overtime.record_merge(result, history, derived) == len(figures)
    result, derived = overtime.merge_with_history([str(root / "q2")], history, jobs=1)
    assert [unit.unit for unit in result.rollup.units
            if any(finding.rule == "cumulative-drop" for finding in unit.findings)] == [DROPPED]
    empty = tmp_path / "trong"
    empty.mkdir()
    result, derived = overtime.merge_with_history([str(empty)], history, period="2024-6M", jobs=1)
    assert derived == result.rollup.units and len(derived) == len(figures)
    assert result.period_gaps and "thiếu Quý II năm 2024" in result.period_note  # Quý II was never recorded
    with pytest.raises(MergeError):  # no file and no period to derive from the history
        overtime.merge_with_history([str(empty)], history, jobs=1)


def test_a_previous_folder_skips_its_unusable_files_and_says_so(year_of_quarters, tmp_path, capsys):
    root, figures = year_of_quarters
    earlier = tmp_path / "quy-1"
    earlier.mkdir()
    (earlier / "phu-dinh.xlsx").write_bytes((root / "q1" / "phu-dinh.xlsx").read_bytes())
    (earlier / "hong.xlsx").write_bytes(b"not a workbook")  # refused last quarter too
    assert main(["check", str(root / "q2" / "phu-dinh.xlsx"), "--previous", str(earlier), "--json"]) == 1
    out, err = capsys.readouterr()
    found = json.loads(out)["files"][0]["findings"]
    assert [f["ids"] for f in found if f["rule"] == "cumulative-drop"] == [[DROP_ROW]]
    assert "cchc-xl check: bỏ qua một tệp trong thư mục kỳ trước:" in err and "hong.xlsx" in err
    (earlier / "phu-dinh.xlsx").unlink()
    code, refused = merge_json(capsys, root / "q2", "--previous", earlier, "-o", tmp_path / "b.xlsx", "--no-history")
    assert code == 2 and refused["error"].startswith(f"{earlier}: không tệp nào trong thư mục kỳ trước dùng được;")
    assert main(["check", str(root / "q2" / "phu-dinh.xlsx"), "--previous", str(earlier / "hong.xlsx")]) == 2
    assert "hong.xlsx" in capsys.readouterr().err  # a file named is not skipped: the user asked for it
