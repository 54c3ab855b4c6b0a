"""The history store: replace-on-re-record, all-or-nothing under a killed writer, versioned schema."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from cchc_xl.history import SCHEMA_VERSION, History, HistoryError, Report
from cchc_xl.roster import unit_key


def _stored(path) -> dict[tuple[str, str], dict]:
    with History(path) as history:
        return {(report.unit, report.period): report.values for report in history.reports("phu-luc-ii")}


def test_recording_a_period_again_replaces_the_units_record_of_that_period(tmp_path):
    path = tmp_path / "h.sqlite"
    source = tmp_path / "binh-yen.xlsx"
    source.write_bytes(b"first")
    with History(path) as history:
        history.record("phu-luc-ii", "1", [Report("UBND xã Bình Yên", "2024-Q1", {"1.1.a": 3, "1.1.b": 2, "2.1": None}, str(source)),
                                           Report("UBND xã Bình Yên", "2024-Q2", {"1.1.a": 4}, str(source))])
        source.write_bytes(b"second")
        history.record("phu-luc-ii", "1", [Report("Xã Bình Yên", "2024-Q1", {"1.1.a": 5}, str(source))])
        reports = history.reports("phu-luc-ii", year=2024)
    assert [(report.unit, report.period, report.values) for report in reports] == [
        ("Xã Bình Yên", "2024-Q1", {"1.1.a": 5}), ("UBND xã Bình Yên", "2024-Q2", {"1.1.a": 4})]
    assert reports[0].source_hash == "16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4"  # sha256(b"second")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM figures").fetchone() == (2,)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_the_units_of_one_roll_up_file_hash_that_file_once(tmp_path, monkeypatch):
    import cchc_xl.history as history_module

    hashed: list[str] = []
    real_hash = history_module.file_hash
    monkeypatch.setattr(history_module, "file_hash", lambda path: hashed.append(path) or real_hash(path))
    rollup = tmp_path / "tong-hop.xlsx"
    rollup.write_bytes(b"roll-up")
    other = tmp_path / "binh-yen.xlsx"
    other.write_bytes(b"commune")
    reports = [Report(f"UBND xã {n}", "2024-Q1", {"1.1.a": n}, str(rollup)) for n in range(50)]
    with History(tmp_path / "h.sqlite") as history:
        assert history.record("phu-luc-ii", "1", reports + [Report("UBND xã Bình Yên", "2024-Q1", {}, str(other))]) == 51
        stored = history.reports("phu-luc-ii")
    assert sorted(hashed) == sorted([str(rollup), str(other)])
    assert {report.source_hash for report in stored} == {real_hash(str(rollup)), real_hash(str(other))}


def test_values_keep_their_type_and_filters_select(tmp_path):
    path = tmp_path / "h.sqlite"
    with History(path) as history:
        history.record("phu-luc-ii", "1", [Report("xã A", "2024-Q1", {"x": 3, "y": 2.0, "z": 91.35}, "a.xlsx"),
                                           Report("xã B", "2023-Y", {"x": 1}, "b.xlsx"),
                                           Report("xã C", None, {"x": 1}, "c.xlsx")])
        history.record("phu-luc-01b", "1", [Report("xã A", "2024-Q1", {"x": 7}, "a2.xlsx")])
        values = history.reports("phu-luc-ii", year=2024)[0].values
        assert values == {"x": 3, "y": 2.0, "z": 91.35}
        assert [type(values[key]) for key in "xyz"] == [int, float, float]
        assert [r.unit for r in history.reports("phu-luc-ii")] == ["xã B", "xã A"]  # oldest period first
        assert [r.catalog for r in history.reports(units=["UBND xã A"])] == ["phu-luc-ii", "phu-luc-01b"]


def test_unit_key_ignores_the_authority_and_keeps_the_spelling_apart():
    assert unit_key("UBND xã Bình Yên") == unit_key("Xã Bình Yên") == "binh yen|bình yên|xa"
    assert unit_key("xã Đồng Thịnh") != unit_key("xã Đông Thịnh")


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from cchc_xl.history import History, Report

    class SlowValues(dict):
        def items(self):
            for index, item in enumerate(super().items()):
                if index == 5:
                    print("writing", flush=True)
                    time.sleep(60)
                yield item

    reports = [Report(f"xã {n}", "2024-Q1", {"a": 100 + n, "b": 200 + n}, "new.xlsx") for n in range(3)]
    reports.append(Report("xã 3", "2024-Q1", SlowValues({f"r{i}": i for i in range(10)}), "new.xlsx"))
    History(sys.argv[1]).record("phu-luc-ii", "1", reports)
""")


def test_a_writer_killed_mid_record_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "h.sqlite"
    before = [Report(f"xã {n}", "2024-Q1", {"a": n}, "old.xlsx") for n in range(4)]
    with History(path) as history:
        history.record("phu-luc-ii", "1", before)
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"  # inside the transaction, three units replaced
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(30)
    assert writer.returncode == -signal.SIGKILL
    assert _stored(path) == {(f"xã {n}", "2024-Q1"): {"a": n} for n in range(4)}
    with History(path) as history:  # and the store takes the next record normally
        history.record("phu-luc-ii", "1", [Report("xã 0", "2024-Q1", {"a": 9}, "again.xlsx")])
    assert _stored(path)[("xã 0", "2024-Q1")] == {"a": 9}


def test_a_newer_or_foreign_file_is_refused_in_vietnamese(tmp_path):
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="phiên bản cchc-xl mới hơn"):
        History(newer)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(HistoryError, match="không phải tệp lịch sử"):
        History(foreign)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"PK\x03\x04 not a database at all" * 100)
    with pytest.raises(HistoryError, match="bị hỏng hoặc không phải tệp SQLite"):
        History(garbage)
