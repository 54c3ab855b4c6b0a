"""The template's live checks (writing/live.py): formulas that LibreOffice recalculates give, rule by
rule, the findings `cchc-xl check` gives on the same file.

Fillings are typed into the generated template with openpyxl (hand-made ones from the seeds and one
per kind of mistake, and seeded random ones), all converted in one LibreOffice start with the
recalculating profile, then `cchc-xl check --json` reads every converted file in one run and the
verdicts of the hidden lines sheet are read back with openpyxl.
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from cchc_xl import catalog as catalogs
from cchc_xl import checks
from cchc_xl.values import is_not_reported
from cchc_xl.writing import live
from cchc_xl.writing.template import TEMPLATE_SHEET, write_template

import lo

# Excel 2010 and LibreOffice Calc both have these; nothing dynamic-array-only.
PORTABLE_FUNCTIONS = {
    "AND", "OR", "NOT", "IF", "IFERROR", "ISNUMBER", "ISTEXT", "ISBLANK", "ISERROR", "COUNT", "INT", "MATCH",
    "INDEX", "TRIM", "LOWER", "FIXED", "MID", "SUBSTITUTE", "ROUND", "CHOOSE", "ERROR.TYPE", "SUMPRODUCT", "LEN",
}
ROW_RULES = {"cell-error", "number-as-text", "required-missing", "not-whole", "negative", "percent-range",
             "percent-fraction", "code-unknown"}
TEXT_RULES = ("not-a-number", "code-unknown", "number-as-text")  # what Python says of text in a figure cell

SHIPPED = catalogs.shipped_ids()


def _formulas(found):
    for line in found:
        yield line.verdict
        yield line.message


@pytest.mark.parametrize("catalog_id", SHIPPED)
def test_every_check_of_the_catalog_is_live(catalog_id, tmp_path):
    """Generic over whatever checks a catalog holds: each declared check and each input row's own
    rules have their line, and the formulas use only functions both programs have."""
    form = catalogs.load(catalog_id)
    layout = write_template(form, tmp_path / "t.xlsx")
    found = live.lines(form, layout, "UBND xã Thử")
    row_lines = [line for line in found if line.rule in ROW_RULES]
    assert all(len(line.ids) == 1 for line in row_lines)
    assert sorted((line.rule, line.ids) for line in found if line.rule not in ROW_RULES) == sorted(
        (check.rule, check.ids) for _, check in form.checks)
    inputs = [row for row in form.rows if row.is_input and row.takes_figure]
    for row in inputs:
        rules = {line.rule for line in found if line.ids == (row.id,)}
        assert {"number-as-text", "cell-error"} <= rules, row.id
        assert ("required-missing" in rules) == (row.required and checks.required_of(row, "UBND xã Thử")), row.id
        expected = {"count": {"not-whole", "negative"}, "money": {"negative"},
                    "percent": {"percent-range", "percent-fraction"}}.get(row.kind, {"code-unknown"})
        assert expected <= rules, row.id
    for formula in _formulas(found):
        assert set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula)) <= PORTABLE_FUNCTIONS, formula
        assert len(formula) < 8000
        assert all(len(literal) <= 257 for literal in re.findall(r'"(?:[^"]|"")*"', formula))


# --- fillings ---------------------------------------------------------------------------------

def _inputs(form):
    return [row for row in form.rows if row.is_input and row.takes_figure]


def random_filling(form, rng: random.Random) -> dict:
    """Mostly small counts so parts and wholes cross often, blanks as often as figures, and now and
    then each mistake the checks know."""
    filling = {}
    for row in _inputs(form):
        draw = rng.random()
        if draw < 0.4:
            continue
        if draw < 0.43:
            filling[row.id] = rng.choice(["-", "nt", " ", "—", "- -", "abc", "12 tấn", "như trên", "7", "1.730"])
            continue
        if row.kind == "count":
            filling[row.id] = rng.choice([rng.randint(0, 12)] * 8 + [rng.randint(0, 5) + 0.5, -rng.randint(1, 3)])
        elif row.kind == "money":
            filling[row.id] = rng.choice([round(rng.uniform(0, 500), 1)] * 5 + [-2.5])
        elif row.kind == "percent":
            filling[row.id] = rng.choice([round(rng.uniform(1, 100), rng.randint(0, 2)), 0, 100, 0.4, 104.5, -3])
        else:
            filling[row.id] = rng.choice(sorted(row.codes) * 4 + [max(row.codes) + 1, 0.5])
    return filling


SEED_000 = {"1.1.1": 28, "1.1.3": 12, "1.3.1": 7, "2.3": 6, "3.1.3": 193, "3.2.1": 111, "3.2.3": 82,
            "3.2.4": 100, "3.3.1": 770, "3.3.1.a": 590, "3.3.1.c": 91, "3.3.1.d": 85, "3.3.2": 770,
            "3.3.2.a": 594, "3.3.2.c": 91, "3.3.2.d": 85, "3.4.2": 770, "4.1.2": 33, "4.1.3": 1}

HAND_MADE = {
    "phu-luc-01b": [
        SEED_000,  # as typed: the BCCI parts blank, every check holds or cannot be known
        {**SEED_000, "3.3.1.a": 790},  # given parts 790 + 91 + 85 over the 770 received, BCCI blank
        {**SEED_000, "3.3.2.a": 412, "3.3.2": 410, "3.3.2.c": None, "3.3.2.d": None},  # one part over
        {"3.3.1": None, "3.3.2": "-", "3.3.3": 1.5, "1.1.2": 9, "1.1.1": 4},
    ],
    "phu-luc-ii": [
        {"1.1.a": 6, "1.1.b": 3, "1.5": 0, "3.1.3.b": 118, "3.2.4.a": 351, "3.2.4.b": 351,
         "3.4.2.a": 348, "3.4.2.b": 348, "4.2.1": 19, "4.2.2": 19},  # seed 004, clean
        {"1.1.a": 6, "1.1.b": 8, "3.1.3": 400, "3.1.3.a": 274, "3.2.1.a": 410, "3.2.1.b": 412, "1.2.1": 150,
         "1.3.1": 10, "1.3.2": 7, "1.3.3": 5, "2.4.a": 3.5, "2.4.b": -1, "3.4.2.a": "abc", "1.5": 3,
         "4.2.5": 0.5, "6.2.1": 20, "6.2.2": 1500, "5.4": 3, "5.4.a": 1, "5.4.c": 4},
        {"3.1.3": 413, "3.1.3.a": 274, "3.1.3.b": 139, "6.2.4": 2, "6.2.4.b": 3, "3.4.2.a": 0, "3.4.2.b": 0},
        {"1.1.a": "7", "1.1.b": 9, "3.4.2.a": "1.730", "3.4.2.b": 1800, "1.5": "Có"},  # numbers pasted as text
    ],
    "phu-luc-huyen-soc-trang": [
        {"III.2.c": 413, "III.2.c.1": 274, "III.2.c.2": 139, "VII.6.d": 4, "VII.6.e": 16,
         "VII.7.a.1": 39, "VII.7.a.3": 54, "VII.7.a.2": 39, "VII.7.a.4": 0, "III.6.a": 1730, "III.6.b": 1553},
        {"VII.6.j": 10, "VII.6.k": 2, "VII.6.m": 35, "VI.3": 31, "VI.3.c": 1, "VI.3.d": 30, "I.3.a": 101,
         "I.1.a": 25, "I.1.b": 26},
    ],
}
RANDOM_PER_CATALOG = 12
EVERY_CELL_WRONG = "phu-luc-ii-every-cell-wrong"


def every_cell_wrong(form) -> dict:
    """A lỗi in every input cell: far more findings than a page of the list holds."""
    return {row.id: -1 if row.kind in ("count", "money") else 150 if row.kind == "percent"
            else max(row.codes) + 1 if row.codes else "abc" for row in _inputs(form)}


def _fillings():
    rng = random.Random(20261203)
    cases = []
    for catalog_id in SHIPPED:
        form = catalogs.load(catalog_id)
        known = {row.id for row in _inputs(form)}
        for index, filling in enumerate(HAND_MADE.get(catalog_id, [])):
            assert set(filling) <= known, set(filling) - known
            cases.append((catalog_id, f"{catalog_id}-hand-{index}", filling))
        for index in range(RANDOM_PER_CATALOG):
            cases.append((catalog_id, f"{catalog_id}-random-{index}", random_filling(form, rng)))
        if EVERY_CELL_WRONG.startswith(catalog_id + "-every"):
            cases.append((catalog_id, EVERY_CELL_WRONG, every_cell_wrong(form)))
    return cases


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """(catalog id, name, filling, formula verdicts, Python findings, count at the top, listed lines)
    for every filling and for each blank template, and the blank templates as written."""
    lo.require_soffice()
    folder = tmp_path_factory.mktemp("live")
    typed = folder / "typed"
    typed.mkdir()
    cases = _fillings()
    sources = []
    for catalog_id in SHIPPED:
        form = catalogs.load(catalog_id)
        template = folder / f"{catalog_id}.xlsx"
        layout = write_template(form, template, unit="UBND xã Thử", period_text="Quý I năm 2024")
        book = openpyxl.load_workbook(template)
        sheet = book[TEMPLATE_SHEET]
        for case_catalog, name, filling in cases:
            if case_catalog != catalog_id:
                continue
            for row in _inputs(form):
                sheet[layout.cell(row.id)] = filling.get(row.id)
            book.save(typed / f"{name}.xlsx")
            sources.append(typed / f"{name}.xlsx")
    blanks = [folder / f"{catalog_id}.xlsx" for catalog_id in SHIPPED]  # as written, with cached results
    converted = lo.convert_many(sources + blanks, "xlsx", folder / "recalculated")
    checked = subprocess.run([sys.executable, "-m", "cchc_xl", "check", "--json", *map(str, converted)],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode in (0, 1), checked.stderr
    python = {Path(entry["path"]).stem: entry for entry in json.loads(checked.stdout)["files"]}
    results = []
    cases += [(catalog_id, catalog_id, {}) for catalog_id in SHIPPED]
    for (catalog_id, name, filling), path in zip(cases, converted):
        book = CalamineWorkbook.from_path(str(path))  # the values LibreOffice computed; a twentieth of openpyxl's time
        verdicts = [tuple(row) for row in _rows(book, live.LINES_SHEET, live.FIRST_LINE) if row[0] in (True, False)]
        summary = _rows(book, TEMPLATE_SHEET, live.SUMMARY_CELL[0])[0][live.SUMMARY_CELL[1]]
        listed = [row for row in _rows(book, live.LIVE_SHEET, live.LIST_FIRST) if row[0] not in (None, "")]
        results.append((catalog_id, name, filling, verdicts, python[name], summary, listed))
    return results, blanks


def _rows(book, sheet: str, first: int) -> list:
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)[first:]


def _typed_text(value) -> bool:
    """Text that is a figure or a mistake, not one of the ways of writing "not reported"."""
    return isinstance(value, str) and not is_not_reported(value)


@pytest.mark.libreoffice
@pytest.mark.parametrize("index", range(len(_fillings())), ids=[name for _, name, _ in _fillings()])
def test_formulas_give_what_check_gives(recalculated, index):
    _, _, filling, verdicts, python, summary, listed = recalculated[0][index]
    assert "error" not in python, python
    texts = {row_id for row_id, value in filling.items() if _typed_text(value)}
    formula_side = sorted((rule, tuple(ids.split()), severity)
                          for verdict, severity, _, rule, ids, *_ in verdicts if verdict is True)
    python_side = sorted(("number-as-text" if f["rule"] in TEXT_RULES and f["ids"][0] in texts else f["rule"],
                          tuple(f["ids"]), {"error": "lỗi", "warning": "cảnh báo"}[f["severity"]])
                         for f in python["findings"])
    assert formula_side == python_side
    errors = sum(1 for verdict, severity, *_ in verdicts if verdict is True and severity == "lỗi")
    warnings = sum(1 for verdict, severity, *_ in verdicts if verdict is True and severity == "cảnh báo")
    assert summary == f"Kiểm tra trực tiếp: {errors} lỗi, {warnings} cảnh báo (xem trang «{live.LIVE_SHEET}»)"
    assert len(listed) == errors + warnings
    assert [row[3] for row in listed] == [message for verdict, _, message, *_ in verdicts if verdict is True]


@pytest.mark.libreoffice
def test_fillings_reach_every_rule(recalculated):
    """The fillings are not all clean: between them every live rule fails somewhere."""
    failed = {row[3] for *_, verdicts, _, _, _ in recalculated[0] for row in verdicts if row[0] is True}
    assert failed >= {"number-as-text", "required-missing", "not-whole", "negative", "percent-range",
                      "percent-fraction", "code-unknown", "part-le-whole", "sum-equals"}


@pytest.mark.libreoffice
def test_message_of_a_part_over_its_whole(recalculated):
    by_name = {name: verdicts for _, name, _, verdicts, *_ in recalculated[0]}
    messages = [row[2] for row in by_name["phu-luc-ii-hand-1"] if row[0] is True]
    assert ("Số TTHC đang cung cấp trực tuyến mức độ 3 (412) lớn hơn Tổng số TTHC đủ điều kiện (410). "
            "Phần không thể lớn hơn tổng: hãy kiểm tra lại hai số liệu này.") in messages
    over = [row[2] for row in by_name["phu-luc-01b-hand-1"] if row[0] is True and row[3] == "part-le-whole"]
    assert len(over) == 1 and "(790 + để trống + 91 + 85 = 966)" in over[0] and over[0].endswith(
        "Các phần để trống chưa được cộng: riêng các phần đã ghi đã lớn hơn tổng.")
    where = {row[6]: row[2] for row in by_name["phu-luc-ii-hand-1"] if row[0] is True}
    assert where["3.2.1.b"].startswith("Số TTHC đang cung cấp trực tuyến mức độ 3 (412)")


@pytest.mark.libreoffice
def test_a_form_wrong_in_every_cell_lists_every_finding(recalculated):
    results, blanks = recalculated
    (case,) = [case for case in results if case[1] == EVERY_CELL_WRONG]
    _, _, _, verdicts, python, summary, listed = case
    holding = [row for row in verdicts if row[0] is True]
    assert len(holding) > live.PRINTED_LINES * 5 and len(listed) == len(holding)
    assert [row[0] for row in listed] == list(range(1, len(holding) + 1))
    assert [(row[1], row[3]) for row in listed] == [(row[1], row[2]) for row in holding]
    errors, warnings = map(int, re.findall(r"(\d+) (?:lỗi|cảnh báo)", summary))
    assert errors + warnings == len(listed)
    with zipfile.ZipFile(blanks[SHIPPED.index("phu-luc-ii")]) as package:
        names = package.read("xl/workbook.xml").decode()
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="1">([^<]*)</definedName>', names).group(1)
    # A fixed range, the only kind LibreOffice prints: the title and the list's first lines.
    assert html.unescape(area) == f"'Kiểm tra trực tiếp'!$A$1:$D${live.LIST_FIRST + live.PRINTED_LINES}"


def _printed_pages(pdf: Path) -> list[str]:
    pages = int(re.search(r"Pages: +(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                             check=True).stdout).group(1))
    return [" ".join(lo.pdf_text(pdf, page).split()) for page in range(1, pages + 1)]


@pytest.mark.libreoffice
def test_printed_with_libreoffice_the_list_takes_one_page_and_no_page_is_blank(recalculated, tmp_path):
    """Printing the blank template, a form with a few findings and one wrong in every cell gives the
    form's pages and one page of the list each, never a page of empty lines; the page says when the list
    holds more than it prints."""
    results, blanks = recalculated
    listed = {name: rows for _, name, *_, rows in results}
    names = ["phu-luc-ii", "phu-luc-ii-hand-1", EVERY_CELL_WRONG]
    sources = [blanks[SHIPPED.index("phu-luc-ii")], *(blanks[0].parent / "recalculated" / f"{name}.xlsx"
                                                       for name in names[1:])]
    for name, pdf in zip(names, lo.convert_many(sources, "pdf", tmp_path)):
        pages = _printed_pages(pdf)
        (first,) = [index for index, text in enumerate(pages) if text.startswith("KIỂM TRA TRỰC TIẾP")]
        assert first == len(pages) - 1, (name, len(pages) - first)  # the list: one page, the last
        assert 1 <= first <= 12 and all(pages[:first]), name  # the form before it, no blank page
        rows = listed[name]
        assert rows and all(" ".join(row[3].split()[:8]) in pages[first] for row in rows[:live.PRINTED_LINES]), name
        more = live.MORE_THAN_PRINTED.format(printed=live.PRINTED_LINES).strip()
        assert (more in pages[first]) == (len(rows) > live.PRINTED_LINES), name


@pytest.mark.parametrize("name", ["CCHC-PhuLuc-II.xlsx", "CCHC-PhuLuc-II.xlsm", "CCHC-TongHop.xlsm"])
def test_shipped_workbooks_carry_the_live_checks(name):
    path = Path(__file__).resolve().parents[1] / "workbook" / name
    book = openpyxl.load_workbook(path, keep_vba=name.endswith(".xlsm"))
    assert book.sheetnames[:3] == [TEMPLATE_SHEET, live.LIVE_SHEET, live.LINES_SHEET]
    assert book[live.LINES_SHEET].sheet_state == "veryHidden"
    summary = book[TEMPLATE_SHEET].cell(live.SUMMARY_CELL[0] + 1, live.SUMMARY_CELL[1] + 1).value
    assert summary.startswith('="Kiểm tra trực tiếp: "&')
    form = catalogs.load("phu-luc-ii")
    lines = [row for row in book[live.LINES_SHEET].iter_rows(min_row=live.FIRST_LINE + 1, values_only=True)]
    assert {(row[3], tuple(row[4].split())) for row in lines} >= {(c.rule, c.ids) for _, c in form.checks}


@pytest.mark.libreoffice
def test_a_number_kept_as_text_is_marked_live_and_read_by_check(recalculated):
    """"7" pasted as text: both say number-as-text and leave it out of the checks (9 done out of 7
    planned is not claimed twice); `check` still reads the figures, for the roll-up."""
    (case,) = [case for case in recalculated[0] if case[1] == "phu-luc-ii-hand-3"]
    _, _, _, verdicts, python, *_ = case
    live_rules = {(row[3], row[4]) for row in verdicts if row[0] is True}
    assert {("number-as-text", "1.1.a"), ("number-as-text", "3.4.2.a"), ("number-as-text", "1.5")} <= live_rules
    assert not any(rule == "part-le-whole" for rule, _ in live_rules)
    found = {(f["rule"], tuple(f["ids"])) for f in python["findings"]}
    assert {("number-as-text", ("1.1.a",)), ("number-as-text", ("3.4.2.a",)), ("number-as-text", ("1.5",))} <= found
    assert not any(rule == "part-le-whole" for rule, _ in found)
    assert python["values"]["3.4.2.a"] == 1730 and python["values"]["1.5"] == 1 and python["values"]["1.1.a"] == 7


@pytest.mark.libreoffice
def test_blank_template_caches_what_it_computes(recalculated):
    """LibreOffice shows a file's cached results until it recalculates: the blank form's cached verdicts,
    count and list are those LibreOffice computes (the required rows left empty)."""
    results, blanks = recalculated
    computed = {name: (verdicts, summary, listed) for _, name, _, verdicts, _, summary, listed in results}
    for catalog_id, path in zip(SHIPPED, blanks):
        book = CalamineWorkbook.from_path(str(path))
        lines = [tuple(row) for row in book.get_sheet_by_name(live.LINES_SHEET).to_python(skip_empty_area=False)
                 [live.FIRST_LINE:] if row[0] in (True, False)]
        verdicts, summary, listed = computed[catalog_id]
        assert [row[:5] for row in lines] == [row[:5] for row in verdicts], catalog_id
        assert book.get_sheet_by_name(TEMPLATE_SHEET).to_python(skip_empty_area=False)[0][live.SUMMARY_CELL[1]] == summary
        cached_list = [row for row in book.get_sheet_by_name(live.LIVE_SHEET).to_python(skip_empty_area=False)
                       [live.LIST_FIRST:] if row[0] not in (None, "")]
        assert cached_list == listed
        required = [row for row in lines if row[0] is True]
        assert required and all(row[3] == "required-missing" for row in required)
