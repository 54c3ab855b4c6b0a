"""A roll-up's table printed in a district's Word report (printed_rollup.py): told from one unit's
Phụ lục row by row, checked by the rules that hold on combined rows, its narrative checked against
it; a commune's report that merely contains a roll-up's words is still checked as a unit's."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from docx import Document

from cchc_xl import catalog as catalog_module
from cchc_xl import cli, printed_rollup
from cchc_xl.reading import read_workbook
from cchc_xl.rollup import Rollup
from cchc_xl.rollup.rules import RULES

from lo import convert

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CATALOG = catalog_module.load("phu-luc-ii")
ROW_INDEX = {row.id: index for index, row in enumerate(CATALOG.rows)}
HEADER_ROWS = 2  # the Word table's two-level header
NOTE, VALUE = 4, 3  # columns of the Word table


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The samples' roll-up, the district's report written from it, and a commune's own report."""
    folder = tmp_path_factory.mktemp("reports")
    rollup = folder / "tong-hop.xlsx"
    cli.main(["merge", str(SAMPLES), "-o", str(rollup), "--roster", str(SAMPLES / "danh-sach.txt"),
              "--unit", "UBND huyện Định Hóa", "--no-history"])
    cli.main(["report", str(rollup), "-o", str(folder / "huyen.docx")])
    cli.main(["report", str(SAMPLES / "trung-hoi.xlsx"), "-o", str(folder / "xa.docx")])
    return folder


def check_json(capsys, *paths) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = cli.main(["check", *map(str, paths), "--json"])
    return code, json.loads(capsys.readouterr().out)["files"]


def edited(source: Path, target: Path, change) -> Path:
    """A copy of a report changed the way an officer changes it in Word (python-docx here)."""
    document = Document(str(source))
    change(document)
    document.save(str(target))
    return target


def table_cell(document, row_id: str, column: int):
    return document.tables[-1].rows[HEADER_ROWS + ROW_INDEX[row_id]].cells[column]


def retype(cell, text: str) -> None:
    """The cell's text replaced, one paragraph kept, as typing over a selection does."""
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    first = cell.paragraphs[0]
    for run in first.runs[1:]:
        run._r.getparent().remove(run._r)
    if first.runs:
        first.runs[0].text = text
    else:
        first.add_run(text)


def retype_in_paragraph(document, old: str, new: str) -> str:
    """One figure of the narrative retyped; the paragraph's new text."""
    (paragraph,) = [p for p in document.paragraphs if old in p.text]
    (run,) = [run for run in paragraph.runs if old in run.text]
    run.text = run.text.replace(old, new)
    return paragraph.text


# ----- the tool's own reports -----

def test_the_samples_rollup_report_checks_clean(reports, capsys):
    code, (entry,) = check_json(capsys, reports / "huyen.docx")
    assert entry["rollup"] is True and entry["unit"] == "UBND huyện Định Hóa" and entry["period"] == "2024-Q1"
    assert entry["findings"] == [] and code == 0
    # what the officer reads says why the unit's identities were not asserted
    capsys.readouterr()
    cli.main(["check", str(reports / "huyen.docx")])
    assert "Bảng số liệu tổng hợp của nhiều đơn vị" in capsys.readouterr().out


def test_a_narrative_figure_retyped_in_word_is_exactly_that_warning(reports, capsys, tmp_path):
    changed = {}

    def change(document):
        changed["text"] = retype_in_paragraph(document, "đã tiếp nhận: 7.098 hồ sơ", "đã tiếp nhận: 7.089 hồ sơ")

    report = edited(reports / "huyen.docx", tmp_path / "huyen-sua.docx", change)
    code, (entry,) = check_json(capsys, report)
    (finding,) = entry["findings"]
    assert finding["rule"] == "narrative-differs" and finding["severity"] == "warning" and code == 0
    assert finding["ids"] == ["3.2.4.a"] and finding["value"] == "7.089" and finding["expected"] == 7098
    assert changed["text"].lstrip("- ") in finding["message"] and finding["cell"].startswith("Bảng 3, dòng ")


def test_a_percent_retyped_in_the_table_disagrees_with_its_note_and_its_narrative(reports, capsys, tmp_path):
    report = edited(reports / "huyen.docx", tmp_path / "huyen-ty-le.docx",
                    lambda document: retype(table_cell(document, "3.2.4", VALUE), "87,71"))
    code, (entry,) = check_json(capsys, report)
    found = {finding["rule"]: finding for finding in entry["findings"]}
    assert set(found) == {"percent-mismatch", "narrative-differs"} and code == 1
    mismatch = found["percent-mismatch"]
    assert mismatch["ids"] == ["3.2.4"] and mismatch["severity"] == "error"
    assert "5.942 / 7.098 × 100, tức là 83,71%" in mismatch["message"]
    assert found["narrative-differs"]["value"] == "83,71%"


def test_the_rollup_is_told_without_its_notes(reports, capsys, tmp_path):
    """The "Ghi chú" column emptied: the coded rows, counted per answer, still tell a roll-up."""
    def clear_notes(document):
        for row in document.tables[-1].rows[HEADER_ROWS:]:
            retype(row.cells[NOTE], "")

    report = edited(reports / "huyen.docx", tmp_path / "khong-ghi-chu.docx", clear_notes)
    code, (entry,) = check_json(capsys, report)
    assert entry["rollup"] is True and entry["findings"] == [] and code == 0


@pytest.mark.libreoffice
def test_the_rollup_report_saved_again_by_a_word_processor_checks_clean(reports, capsys, tmp_path):
    resaved = convert(reports / "huyen.docx", "docx", tmp_path / "luu-lai")
    code, (entry,) = check_json(capsys, resaved)
    assert entry["rollup"] is True and entry["findings"] == [] and code == 0


def test_the_rollup_sheet_copied_without_its_state_is_a_rollup(reports, capsys, tmp_path):
    import openpyxl

    workbook = openpyxl.load_workbook(reports / "tong-hop.xlsx")
    for name in workbook.sheetnames[1:]:
        del workbook[name]
    workbook.save(tmp_path / "chep.xlsx")
    code, (entry,) = check_json(capsys, tmp_path / "chep.xlsx")
    assert entry["rollup"] is True and entry["findings"] == [] and code == 0


def test_a_printed_rollup_is_not_merged_as_a_unit_nor_reported_again(reports, capsys, tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    for name in ("binh-yen-lan-2.xlsx", "trung-hoi.xlsx"):
        shutil.copy(SAMPLES / name, folder / name)
    shutil.copy(reports / "huyen.docx", folder / "huyen.docx")
    capsys.readouterr()
    cli.main(["merge", str(folder), "-o", str(tmp_path / "th.xlsx"), "--json", "--no-history"])
    result = json.loads(capsys.readouterr().out)
    assert [(Path(item["path"]).name, item["code"]) for item in result["rejected"]] == [("huyen.docx", "rollup-printed")]
    assert len(result["units"]) == 2
    assert cli.main(["report", str(reports / "huyen.docx"), "-o", str(tmp_path / "lai.docx")]) == 2
    assert "tệp tổng hợp .xlsx do cchc-xl merge" in capsys.readouterr().err


# ----- a commune's report stays a unit's -----

def test_a_commune_report_with_rollup_words_is_still_checked_as_a_unit(reports, capsys, tmp_path):
    def change(document):
        document.paragraphs[3].add_run(" Số liệu tổng hợp từ 7 đơn vị, tổng của 7 đơn vị.")
        for row_id in ("1.1.a", "1.1.b", "2.1", "2.2"):  # a few notes in a roll-up's words
            retype(table_cell(document, row_id, NOTE), "Tổng của 7 đơn vị")
        retype(table_cell(document, "1.5", VALUE), "3/6 đơn vị")
        retype(table_cell(document, "3.2.4", VALUE), "50")

    report = edited(reports / "xa.docx", tmp_path / "xa-sua.docx", change)
    code, (entry,) = check_json(capsys, report)
    assert entry["rollup"] is False and code == 1
    rules = {(finding["rule"], tuple(finding["ids"])) for finding in entry["findings"]}
    assert ("code-unknown", ("1.5",)) in rules
    assert any(rule == "percent-mismatch" and ids[0] == "3.2.4" for rule, ids in rules)
    assert any(rule == "sum-equals" for rule, _ in rules)  # the unit's identities still asserted


def test_a_commune_table_dressed_as_a_rollup_is_refused_by_merge(reports, capsys, tmp_path):
    """Notes in a roll-up's words on most rows escape the unit's identities, and so the merge too."""
    def dress(document):
        for row in CATALOG.figure_rows:
            retype(table_cell(document, row.id, NOTE), "Tổng của 1 đơn vị")

    folder = tmp_path / "nop"
    folder.mkdir()
    edited(reports / "xa.docx", folder / "xa.docx", dress)
    shutil.copy(SAMPLES / "trung-hoi.xlsx", folder / "trung-hoi.xlsx")
    capsys.readouterr()
    cli.main(["merge", str(folder), "-o", str(tmp_path / "th.xlsx"), "--json", "--no-history"])
    result = json.loads(capsys.readouterr().out)
    assert [item["code"] for item in result["rejected"]] == ["rollup-printed"]


# ----- what a roll-up prints, row by row -----

def test_every_note_the_rules_write_is_told_beside_its_own_rule_only(reports):
    submission = read_workbook(reports / "tong-hop.xlsx")
    rollup = Rollup.from_state_json(submission.catalog, submission.metadata["state"])
    rules_seen = set()
    for row in rollup.catalog.figure_rows:
        note = rollup.combination(row.id)
        if not note:
            continue
        assert printed_rollup.combined_note(row, note), (row.id, note)
        rules_seen.add(row.rollup)
        others = {name for name in RULES if name != row.rollup and printed_rollup.combined_note(replace(row, rollup=name), note)}
        assert not others, (row.id, note, others)
    assert rules_seen >= {"sum", "mean", "recompute", "weighted", "count_yes", "count_per_code", "common"}


def test_counts_per_answer_as_printed_or_retyped():
    yesno, code = CATALOG.row("1.5"), CATALOG.row("7.2")
    assert printed_rollup.combined_answer(yesno, "3/6 đơn vị")
    assert not printed_rollup.combined_answer(yesno, "7/6 đơn vị")  # more units said Có than answered
    assert not printed_rollup.combined_answer(yesno, "Có")
    assert not printed_rollup.combined_answer(CATALOG.row("1.1.a"), "3/6 đơn vị")  # a count row holds no answers
    for text in ("Chưa có: 2\n2 cấp: 2\n3 cấp: 3", "Chưa có: 2; 2 cấp: 2; 3 cấp: 3", "chua co: 2 2 cap: 2 3 cap: 3",
                 "Mã 5: 1\nChưa có: 0"):
        assert printed_rollup.combined_answer(code, text), text
    for text in ("Chưa có: 2\nBốn cấp: 1", "2 cấp", "Chưa có 2", "Chưa có: 2" * 1_000):
        assert not printed_rollup.combined_answer(code, text), text


def test_the_parts_a_note_gives():
    assert printed_rollup.note_quotient("Tính lại từ tổng các phần: 5.942 / 7.098 × 100") == (5942, 7098, True)
    assert printed_rollup.note_quotient(
        "Tính lại từ tổng các phần của 5 đơn vị có đủ số liệu (1 đơn vị thiếu một phần, không tính): 86 / 104 × 100; "
        "không tính 1 đơn vị …") == (86, 104, True)
    assert printed_rollup.note_quotient("Bình quân gia quyền theo dòng 7.5.2 của 7 đơn vị: 93,22 / 137 × 100") == (
        Fraction("93.22"), 137, False)
    assert printed_rollup.note_quotient("Tính lại từ tổng các phần: mẫu số bằng 0, không tính được tỷ lệ") is None
