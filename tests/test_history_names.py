"""A unit's records in the history stay one unit however its name is typed from quarter to quarter
("UBND xã Bình Yên", "Xã  Bình  Yên" decomposed as a Mac writes it, "binh yen" from a file name,
"Hoà"/"Hòa"), two communes whose names differ only by diacritics stay two, a name that could be
either is said to be unclear rather than compared, and a version 1 store is brought up to date."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_xl import catalog as catalog_module
from cchc_xl.cli import main
from cchc_xl.history import SCHEMA_VERSION, History, Report
from cchc_xl.overtime import cross_period_findings, for_units
from cchc_xl.roster import UnitNames, match_unit, unit_key
from handmade import seed_rows_by_id, write_form

PL2 = catalog_module.load("phu-luc-ii")
QUARTERS = ("QUÝ I NĂM 2024", "QUÝ II NĂM 2024", "QUÝ III NĂM 2024")
MAC = unicodedata.normalize("NFD", "UBND xã  Bình  Yên")  # decomposed, with double spaces


def test_one_key_for_the_ways_a_unit_is_typed_and_two_for_two_spellings():
    same = ["UBND xã Bình Yên", "Xã Bình Yên", "xã BÌNH YÊN", MAC, "Xã  Bình Yên "]
    assert {unit_key(name) for name in same} == {"binh yen|bình yên|xa"}
    assert unit_key("Bình Yên") == unit_key("BÌNH YÊN") == "binh yen|bình yên|"  # the kind left out
    assert unit_key("binh yen") == "binh yen||" and unit_key("UBND xã Binh Yen") == "binh yen||xa"
    assert unit_key("UBND xã Hoà Bình") == unit_key("Xã Hòa Bình") == "hoa binh|hòa bình|xa"
    assert unit_key("Thuỷ An") == unit_key("Thủy An") and unit_key("Quý Lộc") == "quy loc|quý lộc|"
    assert unit_key("xã Đồng Thịnh") != unit_key("xã Đông Thịnh")
    assert unit_key("北京") != unit_key("上海")  # no Latin letter: the text itself, not one empty key


def test_the_roster_matches_a_tone_placed_the_other_way():
    names = UnitNames(["Xã Hoà Bình", "Xã Bình Yên"], ["UBND xã Hòa Bình"])
    assert names.roster_name("UBND xã Hòa Bình") == "Xã Hoà Bình"
    assert match_unit("UBND xã Hòa Bình", ["Xã Hoà Bình", "Xã Hòa Bình An"]) == "Xã Hoà Bình"


def quarter_file(folder: Path, name: str, quarter: int, unit: str | None, done: int, received: int) -> Path:
    """A commune's Phụ lục typed by hand: 12 tasks planned, `done` of them done since January
    (cumulative), `received` dossiers resolved in the quarter, all on time. `unit` None: the title
    does not name the unit, which then comes from the file name."""
    figures = {"1.1": round(done / 12 * 100, 2), "1.1.a": 12, "1.1.b": done,
               "3.4.2": 100, "3.4.2.a": received, "3.4.2.b": received}
    whose = f" của {unit}" if unit else ""
    title = ("PHỤ LỤC SỐ II", f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {QUARTERS[quarter - 1]}",
             f"(Kèm theo Báo cáo số 12/BC-UBND ngày 10/{quarter * 3}/2024{whose})")
    folder.mkdir(parents=True, exist_ok=True)
    rows = [row[1:] for row in seed_rows_by_id("004", "phu-luc-ii", figures)]
    return write_form(folder / name, rows, title_lines=title, national_header=False)


def merge(*argv) -> tuple[int, dict]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["merge", *map(str, argv), "--json", "--force"])
    return code, json.loads(out.getvalue())


def findings_of(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Kiểm tra").to_python()


def test_a_unit_spelled_differently_each_quarter_is_one_unit_of_the_history(tmp_path, capsys):
    # Bình Yên: accented in Quý I, decomposed with double spaces in Quý II, only in the file name
    # (so without diacritics) in Quý III; its cumulative figure falls each time. Hòa Bình: the tone
    # placed the new way, then the old way, its figure falling too.
    spellings = {1: ("UBND xã Bình Yên", "UBND xã Hòa Bình"), 2: (MAC, "UBND xã Hoà Bình"), 3: (None, "UBND XÃ HOÀ BÌNH")}
    done = {1: 8, 2: 6, 3: 5}
    out = tmp_path / "tong-hop"
    for quarter in (1, 2, 3):
        folder = tmp_path / f"q{quarter}"
        binh_yen, hoa_binh = spellings[quarter]
        quarter_file(folder, "Phu luc - xa binh yen", quarter, binh_yen, done[quarter], 100 + quarter)
        quarter_file(folder, "hoa-binh", quarter, hoa_binh, done[quarter], 200 + quarter)
        code, report = merge(folder, "-o", out / f"q{quarter}.xlsx")
        assert report["history_recorded"] == 2
    for quarter in (2, 3):
        drops = [line for line in findings_of(out / f"q{quarter}.xlsx") if "Số lũy kế giảm so với kỳ trước" in line]
        assert len(drops) == 2, (quarter, drops)
        assert all(f"nhỏ hơn {'Quý II' if quarter == 3 else 'Quý I'} năm 2024 ghi {done[quarter - 1]}" in line[7]
                   for line in drops)

    with History(out / "lich-su-so-lieu.sqlite") as history:
        stored = history.reports("phu-luc-ii", year=2024)
        assert len(stored) == 6
        assert sorted(len(reports) for reports in for_units(stored).values()) == [3, 3]
        assert len(history.reports(units=["binh yen"])) == 3

    code, derived = merge("--period", "9 tháng năm 2024", "-o", out / "9t.xlsx")
    assert code == 0 and [unit["unit"] for unit in derived["units"]] == ["UBND xã Bình Yên", "UBND xã Hoà Bình"]
    assert derived["totals"]["3.4.2.a"] == 101 + 102 + 103 + 201 + 202 + 203
    assert "thiếu" not in derived["period_note"]

    main(["check", str(tmp_path / "q3" / "Phu luc - xa binh yen.xlsx"), "--history",
          str(out / "lich-su-so-lieu.sqlite"), "--json"])
    found = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [f["ids"] for f in found if f["rule"] == "cumulative-drop"] == [["1.1.b"]]


def test_re_recording_a_period_under_another_spelling_replaces_it(tmp_path):
    with History(tmp_path / "h.sqlite") as history:
        history.record("phu-luc-ii", "1", [Report("UBND xã Bình Yên", "2024-Q1", {"1.1.b": 3}, "a.xlsx")])
        history.record("phu-luc-ii", "1", [Report("xa binh yen", "2024-Q1", {"1.1.b": 4}, "b.xlsx")])
        assert [(r.unit, r.values) for r in history.reports()] == [("xa binh yen", {"1.1.b": 4})]
        history.record("phu-luc-ii", "1", [Report(MAC, "2024-Q1", {"1.1.b": 5}, "c.xlsx")])
        assert [(r.unit, r.values) for r in history.reports()] == [(MAC, {"1.1.b": 5})]


def test_communes_differing_only_by_diacritics_stay_apart_and_a_bare_name_is_not_guessed(tmp_path, capsys):
    path = tmp_path / "h.sqlite"
    with History(path) as history:
        history.record("phu-luc-ii", "1", [Report("UBND xã Đồng Thịnh", "2024-Q1", {"1.1.b": 9, "3.4.2.a": 50}, "dong.xlsx"),
                                           Report("UBND xã Đông Thịnh", "2024-Q1", {"1.1.b": 2, "3.4.2.a": 70}, "đông.xlsx")])
    current = Report("UBND xã Đông Thịnh", "2024-Q2", {"1.1.b": 5}, "q2.xlsx")
    with History(path) as history:
        stored = history.reports("phu-luc-ii", year=2024)
    assert [f.rule for f in cross_period_findings(PL2, current, stored)] == []  # 5 ≥ Đông Thịnh's 2
    assert [f.rule for f in cross_period_findings(PL2, Report("Xã Đồng Thịnh", "2024-Q2", {"1.1.b": 5}, "q2.xlsx"),
                                                  stored)] == ["cumulative-drop"]

    bare = quarter_file(tmp_path / "q2", "Phu luc - xa dong thinh", 2, None, 5, 40)
    main(["check", str(bare), "--history", str(path), "--json"])
    found = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    unclear = [f for f in found if f["rule"] == "unit-unclear-in-history"]
    assert not [f for f in found if f["rule"] == "cumulative-drop"] and len(unclear) == 1
    assert unclear[0]["severity"] == "warning" and unclear[0]["message"] == (
        "Tên đơn vị «UBND xã dong thinh» không đủ để biết là đơn vị nào: có thể là UBND xã Đông Thịnh, UBND xã Đồng "
        "Thịnh (các đơn vị có tên giống nhau khi bỏ dấu hay bỏ chữ xã, phường, thị trấn, đặc khu), nên Quý II năm 2024 "
        "(tệp Phu luc - xa dong thinh.xlsx) không được so sánh với Quý I năm 2024 trong lịch sử số liệu. Hãy ghi tên "
        "đơn vị đầy đủ, có dấu và có chữ xã, phường, thị trấn hay đặc khu, ở tiêu đề Phụ lục của tệp ghi tên thiếu "
        "rồi gửi lại.")

    # The bare Quý II (recorded by that check) is neither commune's: a 6-month report from the
    # history derives the two communes from their Quý I and leaves it out, saying so.
    code, derived = merge("--period", "2024-6M", "-o", tmp_path / "6t.xlsx", "--history", path)
    assert code == 1 and sorted(unit["unit"] for unit in derived["units"]) == ["UBND xã Đông Thịnh", "UBND xã Đồng Thịnh"]
    assert derived["totals"]["3.4.2.a"] == 120
    assert ("Không tính từ lịch sử số liệu các kỳ ghi tên «UBND xã dong thinh»: có thể là "
            "UBND xã Đông Thịnh hoặc UBND xã Đồng Thịnh") in derived["period_note"]

    # Compared from the other side: an accented Quý III says the bare Quý II was left out.
    later = Report("UBND xã Đồng Thịnh", "2024-Q3", {"1.1.b": 10}, "q3.xlsx")
    with History(path) as history:
        found3 = cross_period_findings(PL2, later, history.reports("phu-luc-ii", year=2024))
    assert [f.rule for f in found3] == ["unit-unclear-in-history"]
    assert "«UBND xã dong thinh»" in found3[0].message and "với Quý II năm 2024" in found3[0].message


V1_SCHEMA = """
CREATE TABLE reports (id INTEGER PRIMARY KEY, catalog TEXT NOT NULL, catalog_version TEXT NOT NULL,
    unit TEXT NOT NULL, unit_key TEXT NOT NULL, period TEXT NOT NULL, source TEXT NOT NULL,
    source_hash TEXT NOT NULL, recorded TEXT NOT NULL, UNIQUE (catalog, unit_key, period));
CREATE TABLE figures (report INTEGER NOT NULL REFERENCES reports(id), row_id TEXT NOT NULL, value NOT NULL,
    PRIMARY KEY (report, row_id)) WITHOUT ROWID;
PRAGMA user_version = 1;
"""


def test_a_version_1_store_is_rekeyed_keeping_the_last_record_of_a_unit_and_period(tmp_path):
    path = tmp_path / "v1.sqlite"
    # As version 1 keyed them: the spelling with diacritics, so "Hoà" and "Hòa" were two units.
    records = [(1, "UBND xã Hòa Bình", "hòa bình", "2024-Q1", "2024-04-05T00:00:00+00:00", 7),
               (2, "UBND xã Hoà Bình", "hoà bình", "2024-Q1", "2024-04-09T00:00:00+00:00", 8),
               (3, "UBND xã Bình Yên", "bình yên", "2024-Q1", "2024-04-02T00:00:00+00:00", 9),
               (4, "xa binh yen", "binh yen", "2024-Q2", "2024-07-02T00:00:00+00:00", 4)]
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        for ident, unit, key, period, recorded, done in records:
            db.execute("INSERT INTO reports VALUES (?, 'phu-luc-ii', '1', ?, ?, ?, 'x.xlsx', '', ?)",
                       (ident, unit, key, period, recorded))
            db.execute("INSERT INTO figures VALUES (?, '1.1.b', ?)", (ident, done))
    with History(path) as history:
        stored = history.reports("phu-luc-ii")
    assert [(r.unit, r.period, r.values) for r in stored] == [
        ("UBND xã Bình Yên", "2024-Q1", {"1.1.b": 9}), ("UBND xã Hoà Bình", "2024-Q1", {"1.1.b": 8}),
        ("xa binh yen", "2024-Q2", {"1.1.b": 4})]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (3,)
        assert db.execute("SELECT unit, unit_key FROM reports ORDER BY id").fetchall() == [
            ("UBND xã Hoà Bình", "hoa binh|hòa bình|xa"), ("UBND xã Bình Yên", "binh yen|bình yên|xa"),
            ("xa binh yen", "binh yen||xa")]
        assert db.execute("SELECT count(*) FROM figures").fetchone() == (3,)
    drop = cross_period_findings(PL2, stored[2], stored)
    assert [f.rule for f in drop] == ["cumulative-drop"]  # the bare Quý II is Bình Yên's: 4 < 9
    with History(path) as history:  # opened again: already version 3, nothing changes
        assert len(history.reports()) == 3


def test_a_unit_of_the_same_run_makes_a_bare_name_unclear_too():
    stored = [Report("UBND xã Đồng Thịnh", "2024-Q1", {"1.1.b": 9}, "q1.xlsx")]
    bare = Report("UBND xã dong thinh", "2024-Q2", {"1.1.b": 5}, "q2.xlsx")
    assert [f.rule for f in cross_period_findings(PL2, bare, stored)] == ["cumulative-drop"]  # one spelling known
    found = cross_period_findings(PL2, bare, stored, also_named=["UBND xã Đông Thịnh"])  # sent a file in this run
    assert [f.rule for f in found] == ["unit-unclear-in-history"]
    assert "có thể là UBND xã Đông Thịnh, UBND xã Đồng Thịnh" in found[0].message


def test_the_kind_of_unit_is_part_of_its_key_and_spellings_of_one_unit_are_one():
    one = ["UBND xã Tân Phú", "Xã Tân Phú", "xã Tân  Phú", unicodedata.normalize("NFD", "UBND XÃ TÂN PHÚ"), "X. Tân Phú"]
    assert {unit_key(name) for name in one} == {"tan phu|tân phú|xa"}
    kinds = ["Xã Tân Phú", "Phường Tân Phú", "Thị trấn Tân Phú", "TT. Tân Phú", "Đặc khu Tân Phú", "Tân Phú"]
    assert [unit_key(name).rsplit("|", 1)[1] for name in kinds] == ["xa", "phuong", "thi tran", "thi tran", "dac khu", ""]
    assert unit_key("Sở Nội vụ") != unit_key("Phòng Nội vụ") != unit_key("UBND Nội vụ")
    names = UnitNames([], ["Xã Tân Phú", "Phường Tân Phú", "UBND xã Bình Yên"])
    assert names.key("UBND xã Tân Phú") != names.key("UBND phường Tân Phú")
    assert names.key("Bình Yên") == names.key("binh yen") == names.key("Xã Bình Yên")  # one unit of that name
    assert names.choices("Xã Tân Phú") == {} and sorted(names.choices("Tân Phú").values()) == ["Phường Tân Phú", "Xã Tân Phú"]
    assert UnitNames(["Xã Tân Phú"], []).roster_name("UBND phường Tân Phú") is None  # not the commune on the roster


def test_a_commune_and_a_ward_of_one_name_keep_two_histories(tmp_path, capsys):
    """Over two quarters, each typed its own way: the commune's tasks done rise 8 -> 9, the ward's fall
    3 -> 2. Only the ward's fall is a cảnh báo, each quarter keeps both units, a 6-month roll-up from the
    history sums both, and a name without its kind ("Tan Phu", from a file name) is said to be unclear."""
    commune = {1: "UBND xã Tân Phú", 2: unicodedata.normalize("NFD", "Xã  Tân  Phú")}
    ward = {1: "UBND phường Tân Phú", 2: "UBND PHƯỜNG TÂN PHÚ"}
    done = {"xa": {1: 8, 2: 9}, "phuong": {1: 3, 2: 2}}
    out = tmp_path / "tong-hop"
    for quarter in (1, 2):
        folder = tmp_path / f"q{quarter}"
        quarter_file(folder, "xa-tan-phu", quarter, commune[quarter], done["xa"][quarter], 100 + quarter)
        quarter_file(folder, "phuong-tan-phu", quarter, ward[quarter], done["phuong"][quarter], 200 + quarter)
        code, report = merge(folder, "-o", out / f"q{quarter}.xlsx")
        assert report["history_recorded"] == 2 and len(report["units"]) == 2 and not report["duplicates"]
    drops = [line[7] for line in findings_of(out / "q2.xlsx") if "Số lũy kế giảm so với kỳ trước" in line]
    assert len(drops) == 1 and "nhỏ hơn Quý I năm 2024 ghi 3" in drops[0], drops

    with History(out / "lich-su-so-lieu.sqlite") as history:
        stored = history.reports("phu-luc-ii", year=2024)
    assert len(stored) == 4 and sorted(len(reports) for reports in for_units(stored).values()) == [2, 2]
    code, derived = merge("--period", "2024-6M", "-o", out / "6t.xlsx")
    assert code == 0 and sorted(unit_key(unit["unit"]) for unit in derived["units"]) == [
        "tan phu|tân phú|phuong", "tan phu|tân phú|xa"]
    assert derived["totals"]["3.4.2.a"] == 101 + 102 + 201 + 202

    bare = quarter_file(tmp_path / "q3", "Tan Phu", 3, None, 1, 50)
    main(["check", str(bare), "--history", str(out / "lich-su-so-lieu.sqlite"), "--json"])
    found = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert not [f for f in found if f["rule"] == "cumulative-drop"]
    (unclear,) = [f for f in found if f["rule"] == "unit-unclear-in-history"]
    assert "có thể là UBND phường Tân Phú, UBND xã Tân Phú" in unclear["message"]


def test_a_version_2_store_parts_the_commune_and_the_ward_it_kept_as_one(tmp_path):
    """Version 2 keyed both "tan phu|tân phú": the ward's Quý II was compared with the commune's Quý I."""
    path = tmp_path / "v2.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA.replace("user_version = 1", "user_version = 2"))
        for ident, unit, period, done in [(1, "UBND xã Tân Phú", "2024-Q1", 8), (2, "UBND phường Tân Phú", "2024-Q2", 2)]:
            db.execute("INSERT INTO reports VALUES (?, 'phu-luc-ii', '1', ?, 'tan phu|tân phú', ?, 'x.xlsx', '', ?)",
                       (ident, unit, period, f"{period}T00:00:00+00:00"))
            db.execute("INSERT INTO figures VALUES (?, '1.1.b', ?)", (ident, done))
    with History(path) as history:
        stored = history.reports("phu-luc-ii")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (3,)
        assert db.execute("SELECT unit_key FROM reports ORDER BY id").fetchall() == [
            ("tan phu|tân phú|xa",), ("tan phu|tân phú|phuong",)]
    assert cross_period_findings(PL2, stored[1], stored) == []  # 2 is not below the ward's own Quý I: none
    assert [f.rule for f in cross_period_findings(PL2, Report("Xã Tân Phú", "2024-Q2", {"1.1.b": 5}, "q2.xlsx"),
                                                  stored)] == ["cumulative-drop"]
