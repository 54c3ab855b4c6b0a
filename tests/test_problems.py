"""File-level problems are coded data: each unreadable or left-out file has a stable code, its text from one table."""

from __future__ import annotations

import json
import pickle
import re
import string
import zipfile
from pathlib import Path

import pytest

from cchc_xl import catalog as catalogs
from cchc_xl import cli, sources
from cchc_xl.findings import RULES
from cchc_xl.grid import ReadError
from cchc_xl.problems import PROBLEMS, problem, what_is_wrong
from cchc_xl.reading import read_workbook

from handmade import seed_rows, write_form


def test_codes_are_kebab_case_and_every_text_names_what_it_needs():
    for code, template in PROBLEMS.items():
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", code), code
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert problem(code, **{name: "X" for name in fields}).code == code
        assert code.startswith("check-") or {"file", "path"} & fields, code  # the file is named


# What to do, in the words every message uses for it: a text stating only what is wrong leaves a clerk stuck.
_WHAT_TO_DO = re.compile(r"\b[Hh]ãy\b")


def _rendered(template: str) -> str:
    """The text with sample values, as a user reads it: an optional part ({hint}, {notes}) left empty."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: "" if name in ("hint", "notes", "detail") else "X" for name in fields})


def test_every_problem_finding_and_catalog_message_says_what_to_do():
    """Rendered with sample values, every file problem, every finding and every message a catalog writes
    for its checks tells the reader what to do ("hãy …")."""
    texts = {f"problem {code}": _rendered(template) for code, template in PROBLEMS.items()}
    texts |= {f"finding {code}": _rendered(rule.template) for code, rule in RULES.items()}
    texts |= {f"{form.id} {row.id} {check.rule}": _rendered(check.message)
              for form in catalogs.load_all() for row, check in form.checks if check.message}
    assert [name for name, text in texts.items() if not _WHAT_TO_DO.search(text)] == []


def test_every_refused_call_names_its_file_and_says_what_to_do(tmp_path, capsys):
    """A command that cannot do its work (exit 2) says which file and what to do, in Vietnamese."""
    existing = tmp_path / "da-co.xlsx"
    write_form(existing, seed_rows("004"))
    empty = tmp_path / "rong"
    empty.mkdir()
    missing = tmp_path / "khong-co.sqlite"
    calls = {"template -o a.txt": (["template", "-o", str(tmp_path / "a.txt")], "a.txt"),
             "template --period": (["template", "--period", "hôm qua", "-o", str(tmp_path / "b.xlsx")], "hôm qua"),
             "template existing": (["template", "-o", str(existing)], existing.name),
             "merge -o a.txt": (["merge", str(empty), "-o", str(tmp_path / "a.txt")], "a.txt"),
             "report -o a.txt": (["report", str(existing), "-o", str(tmp_path / "a.txt")], "a.txt"),
             "export -o a.txt": (["export", "--history", str(missing), "-o", str(tmp_path / "a.txt")], "a.txt"),
             "export missing": (["export", "--history", str(missing), "-o", str(tmp_path / "a.csv")], missing.name),
             "check -o existing": (["check", str(existing), "-o", str(existing)], existing.name),
             "check folder": (["check", str(empty)], empty.name)}
    for name, (call, named) in calls.items():
        assert cli.main(call) == 2, name
        said = capsys.readouterr()
        text = said.err + said.out
        assert named in text and _WHAT_TO_DO.search(text), (name, text)


def test_every_code_is_used_and_every_used_code_is_in_the_table():
    source = "\n".join(path.read_text(encoding="utf-8") for path in Path("cchc_xl").rglob("*.py")
                       if path.name != "problems.py")
    used = set(re.findall(r'(?:ReadError|problem)\(\s*"([a-z-]+)"', source))
    sandbox_kinds = {"reader-crashed", "reader-memory", "reader-timeout", "reader-error"}  # problem(KIND, ...)
    assert used <= set(PROBLEMS)
    assert set(PROBLEMS) == used | sandbox_kinds


def refused_with(path: Path) -> ReadError:
    with pytest.raises(ReadError) as raised:
        read_workbook(path)
    return raised.value


def test_unreadable_files_come_with_their_codes(tmp_path):
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    broken_word = tmp_path / "hong.docx"
    broken_word.write_bytes(b"PK\x03\x04 not a document")
    text = tmp_path / "van-ban.odt"
    with zipfile.ZipFile(text, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", "<office:document-content/>")
    doctype = tmp_path / "doctype.xlsx"
    with zipfile.ZipFile(doctype, "w") as package:
        package.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><workbook/>')
    folder = tmp_path / "thu-muc.xlsx"
    folder.mkdir()
    cases = {empty: "file-empty", broken: "corrupt", broken_word: "word-corrupt", text: "text-document",
             doctype: "xml-doctype", folder: "is-folder", tmp_path / "khong-co.xlsx": "file-not-found"}
    for path, code in cases.items():
        error = refused_with(path)
        assert error.code == code, (path.name, error.code)
        assert path.name in str(error) and str(error) == error.problem.text


def test_a_workbook_without_the_table_and_one_of_an_unknown_form(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Bảng lương", "tháng 3"])
    book.save(tmp_path / "khac.xlsx")
    assert refused_with(tmp_path / "khac.xlsx").code == "no-table"
    rows = [("1", "Số trận bóng đá đã xem", "Trận", 3, None), ("2", "Số cây đã trồng", "Cây", 5, None)]
    assert refused_with(write_form(tmp_path / "bong-da", rows)).code == "form-not-recognised"


def test_a_read_error_crosses_processes_with_its_code(tmp_path):
    error = ReadError("sheet-too-large", file="a.xls", sheet="Sheet1", size="70.000 dòng x 256 cột")
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, ReadError) and again.code == "sheet-too-large" and str(again) == str(error)
    assert "«Sheet1»" in str(again)


def test_check_json_gives_the_code_beside_the_error(tmp_path, capsys):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    good = write_form(tmp_path / "xa_binh_yen", seed_rows("004"))
    code = cli.main(["check", "--json", str(broken), str(good), str(tmp_path / "khong-co")])
    files = json.loads(capsys.readouterr().out)["files"]
    assert code == 2
    assert [entry.get("code") for entry in files] == ["corrupt", None, "check-not-found"]
    assert files[0]["error"].startswith("hong.xlsx: ")


def test_merge_json_gives_each_rejected_file_its_code(tmp_path, capsys):
    inputs = tmp_path / "nop"
    inputs.mkdir()
    write_form(inputs / "xa_binh_yen", seed_rows("004"))
    (inputs / "hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (inputs / "rong.ods").write_bytes(b"")
    cli.main(["merge", str(inputs), "-o", str(tmp_path / "tong-hop.xlsx"), "--json", "--no-history"])
    rejected = json.loads(capsys.readouterr().out)["rejected"]
    assert {Path(item["path"]).name: item["code"] for item in rejected} == {"hong.xlsx": "corrupt",
                                                                             "rong.ods": "file-empty"}
    assert all(item["reason"].startswith(Path(item["path"]).name) for item in rejected)


def test_a_package_inflating_past_the_limit_is_a_zip_bomb(tmp_path, monkeypatch):
    from cchc_xl.sources import safezip

    monkeypatch.setattr(safezip, "MAX_UNCOMPRESSED_BYTES", 10_000)
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", b"<" + b" " * 20_000 + b"/>")
    with pytest.raises(ReadError) as raised:
        sources.load(bomb)
    assert raised.value.code == "zip-bomb"


def test_what_is_wrong_keeps_what_is_wrong_and_leaves_out_what_to_do():
    """The Word report to the level above names the files left out and why, without the officer's to-dos."""
    for code, template in PROBLEMS.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        text = problem(code, **{name: "X" for name in fields}).text
        short = what_is_wrong(text)
        assert len(short) > 10 and text.startswith(short), code
        assert "hãy" not in short.casefold() and "tệp này không được tính" not in short, code
    assert what_is_wrong(problem("corrupt", file="hong.xlsx").text) == (
        "hong.xlsx: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods)")
