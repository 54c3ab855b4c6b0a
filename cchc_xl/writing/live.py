"""Kiểm tra trực tiếp: the template's checks as Excel formulas, live while a unit types, no Python.

Every check `checks.check` can make on the template's own cells is written here as a formula,
from the same catalog rows and expressions (expr → Excel through `expr.node_to_excel` and
`layout.broken_formula`), with the same Vietnamese message as the Python check, its figures
written by formulas. One line per possible finding on the very hidden sheet `LINES_SHEET`:

    A verdict (TRUE when the finding holds) | B severity | C message | D rule | E row ids | F running count
    | G the row the finding points at
and, in I:J, each input row's id and its figure as the checks use it (blank when the figure is
missing or already a lỗi on its own row, as checks.check leaves such a figure out).

The visible sheet `LIVE_SHEET` lists the failing lines in sheet order with INDEX/MATCH over the
running count (no dynamic arrays: Excel 2010 and LibreOffice Calc), the form's top shows the count,
and conditional formats colour each input cell red (a lỗi) or yellow (a cảnh báo) from the verdicts.

What a formula cannot see stays with `cchc-xl check` (and the Kiểm tra button): a figure kept as
text is marked but not read ("1.730" typed as text), a number Excel turned into a date, a
percent cell given the % format, rows inserted or deleted, retyped units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import checks, expr
from ..catalog import Catalog, Check, Row
from ..cells import cell_name, quote_sheet
from ..findings import ERROR, SEVERITY_VI, WARNING, format_value
from ..values import NOT_REPORTED
from .layout import TROUBLE_FILL, VALUE, Formats, FormLayout, broken_formula, flagged_ids

LIVE_SHEET = "Kiểm tra trực tiếp"
LINES_SHEET = "_kiemtra"
VERDICT, SEVERITY, MESSAGE, RULE, IDS, RUNNING, WHERE = range(7)
INPUT_ID, USABLE = 8, 9  # per input row: its id and its figure as the checks use it
FIRST_LINE = 3  # worksheet row of the first line; rows 0-2 hold the separators and the totals
SEPARATORS_ROW, TOTALS_ROW = 0, 1
SUMMARY_CELL = (0, 5)  # F1 of the form, merged down the title lines: beside the title, outside the print area

# Cell text that means "not reported", as values.is_not_reported reads it: its folded words (and
# "như trên" with its marks, which a formula cannot fold away), or nothing but dashes and spaces.
NOT_REPORTED_TEXTS = tuple(sorted(NOT_REPORTED | {"như trên"}))
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212 "

# Placeholders for a figure inside a message made by the Python side: \ue000<n>\ue001.
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_LITERAL_MAX = 255  # Excel's limit for one string literal in a formula


@dataclass(frozen=True)
class Line:
    """One finding the template can show: when it holds, how it reads, where it is marked."""

    rule: str
    severity: str
    ids: tuple[str, ...]
    marked: tuple[str, ...]  # rows whose cell is coloured
    verdict: str  # formula body, TRUE when the finding holds
    message: str  # formula body giving the Vietnamese message
    place: int  # the sheet row the finding points at, for the order of the list
    where: str  # the id of that row, shown in the list's "Dòng" column
    # The message when the finding holds on the blank form (a required row), else None: the cached
    # result of each formula, which LibreOffice shows until it recalculates (it keeps the cached
    # results of a file it did not write) and Excel until it opens the file.
    blank: str | None = None


class _Message:
    """A message made by the Python side with placeholders where figures go, turned into a formula."""

    def __init__(self):
        self.parts: list[str] = []

    def figure(self, formula: str) -> str:
        self.parts.append(formula)
        return f"\ue000{len(self.parts) - 1}\ue001"

    def formula(self, text: str) -> str:
        pieces, position = [], 0
        for match in _PLACEHOLDER.finditer(text):
            pieces += _literals(text[position:match.start()])
            pieces.append(self.parts[int(match.group(1))])
            position = match.end()
        pieces += _literals(text[position:])
        return "&".join(pieces) or '""'


def _literals(text: str) -> list[str]:
    return ['"' + text[start:start + _LITERAL_MAX].replace('"', '""') + '"'
            for start in range(0, len(text), _LITERAL_MAX)]


def number_text(value: str) -> str:
    """A formula writing the number `value` as format_value does (1.730; 91,3; up to 4 decimals),
    in any Excel locale: FIXED gives the locale's marks, which are swapped for Vietnamese ones."""
    group, decimal = _separator_cells()
    decimals = f"IF(ROUND({value},1)={value},1,IF(ROUND({value},2)={value},2,IF(ROUND({value},3)={value},3,4)))"
    whole = f'SUBSTITUTE(FIXED({value},0,FALSE),{group},".")'
    fraction = (f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(FIXED({value},{decimals},FALSE),{group},"~"),{decimal},","),'
                f'"~",".")')
    return f"IF(ROUND({value},0)={value},{whole},{fraction})"


def _separator_cells() -> tuple[str, str]:
    sheet = quote_sheet(LINES_SHEET)
    return (f"{sheet}!{cell_name(SEPARATORS_ROW, 1, absolute=True)}",
            f"{sheet}!{cell_name(SEPARATORS_ROW, 2, absolute=True)}")


def cell_text(cell: str) -> str:
    """What a figure cell shows, for a message: its number written the Vietnamese way, or its text."""
    return f'IF(ISNUMBER({cell}),{number_text(cell)},IF(ISERROR({cell}),"",{cell}&""))'


def not_reported(cell: str) -> str:
    """TRUE for a blank cell or one of the texts meaning "not reported"."""
    texts = ",".join('"' + text + '"' for text in NOT_REPORTED_TEXTS)
    undashed = cell
    for dash in DASHES:
        undashed = f'SUBSTITUTE({undashed},"{dash}","")'
    return (f"OR(ISBLANK({cell}),ISNUMBER(MATCH(TRIM(LOWER({cell})),{{{texts}}},0)),"
            f"AND(ISTEXT({cell}),LEN({undashed})=0))")


# --- the lines -------------------------------------------------------------------------------

def input_rows(catalog: Catalog) -> list[Row]:
    """The rows a unit types a figure into; the i-th has its usable value on line i of USABLE."""
    return [row for row in catalog.rows if row.is_input and row.takes_figure]


def usable_cells(catalog: Catalog) -> dict[str, str]:
    """Row id -> the cell holding the row's figure as the checks use it."""
    return {row.id: _lines_ref(FIRST_LINE + index, USABLE) for index, row in enumerate(input_rows(catalog))}


def usable_formula(row: Row, cell: str) -> str:
    """The figure as checks.check uses it: its number, or "" when it is blank, text, an error, or
    already a lỗi on its own row (one mistake, one finding)."""
    faulty = [condition for _, condition in _kind_rules(row, cell)]
    given = f"AND(ISNUMBER({cell}),NOT(OR({','.join(faulty)})))" if faulty else f"ISNUMBER({cell})"
    return f'IFERROR(IF({given},{cell},""),"")'


def lines(catalog: Catalog, layout: FormLayout, unit: str = "") -> list[Line]:
    """Every finding the template's cells can give, in the order of the sheet's rows; `unit` is the
    reporter the template is made for (a row may be required only of some)."""
    inputs = input_rows(catalog)
    cells = {row.id: f"{quote_sheet(layout.sheet)}!{layout.cell(row.id, absolute=True)}" for row in inputs}
    usable = usable_cells(catalog)
    found: list[Line] = []
    for row in inputs:
        required = row.required and checks.required_of(row, unit)
        found += _row_lines(row, cells[row.id], layout.rows[row.id], required)
    for _, check in catalog.checks:
        if all(row_id in usable for row_id in check.ids):
            found.append(_check_line(check, catalog, usable, layout))
    order = {line: index for index, line in enumerate(found)}
    return sorted(found, key=lambda line: (line.place, line.severity != ERROR, order[line]))


def _kind_rules(row: Row, cell: str) -> list[tuple[str, str]]:
    """checks.kind_and_range as conditions on a cell holding a number: each a lỗi."""
    if row.kind == "count":
        return [("not-whole", f"{cell}<>INT({cell})"), ("negative", f"AND({cell}=INT({cell}),{cell}<0)")]
    if row.kind == "money":
        return [("negative", f"{cell}<0")]
    if row.kind == "percent":
        return [("percent-range", f"OR({cell}<0,{cell}>100)")]
    if row.kind in ("yesno", "code") and row.codes:
        return [("code-unknown", f"NOT(OR({','.join(f'{cell}={code}' for code in sorted(row.codes))}))")]
    return []


def _row_lines(row: Row, cell: str, place: int, required: bool) -> list[Line]:
    """The findings one input cell gives on its own, as checks.own_finding, row_findings and the reader."""
    rules = [("cell-error", f"ISERROR({cell})"),
             ("number-as-text", f"AND(ISTEXT({cell}),NOT({not_reported(cell)}))")]
    if required:
        rules.append(("required-missing", not_reported(cell)))
    rules += [(rule, f"AND(ISNUMBER({cell}),{condition})") for rule, condition in _kind_rules(row, cell)]
    if row.kind == "percent":
        rules.append(("percent-fraction", f"AND(ISNUMBER({cell}),{cell}>0,{cell}<1)"))
    made = []
    for rule, verdict in rules:
        message = _Message()
        shown = message.figure(_ERROR_TEXT.format(cell=cell) if rule == "cell-error" else cell_text(cell))
        expected = message.figure(number_text(f"({cell}*100)")) if rule == "percent-fraction" else None
        finding = checks.row_message(rule, row, value=shown, expected=expected)
        blank = finding.message if rule == "required-missing" else None
        made.append(Line(rule, finding.severity, (row.id,), (row.id,), f"IFERROR({verdict},FALSE)",
                         message.formula(finding.message), place, row.id, blank))
    return made


_ERROR_TEXT = ('IFERROR(CHOOSE(ERROR.TYPE({cell}),"#NULL!","#DIV/0!","#VALUE!","#REF!","#NAME?","#NUM!",'
               '"#N/A"),"#?")')


def _check_line(check: Check, catalog: Catalog, cells: dict[str, str], layout: FormLayout) -> Line:
    message = _Message()
    finding = checks.check_finding(check, catalog, lambda side: message.figure(_side_numbers(side, cells)))
    text = message.formula(finding.message)
    split = checks.parts_and_whole(check)
    if split is not None and len(split.part_ids) > 1:
        every_part = ",".join(cells[row_id] for row_id in split.part_ids)
        text += f'&IF(COUNT({every_part})={len(split.part_ids)},""," "&"{checks.PARTS_LEFT_BLANK}")'
    left, _, right = checks.message_sides(check)
    first = (*left.ids, *right.ids)[0]
    return Line(check.rule, check.severity, check.ids, flagged_ids(check),
                f"IFERROR({broken_formula(check, cells)},FALSE)", text, layout.rows[first], first)


def _side_numbers(side: expr.Expression, cells: dict[str, str]) -> str:
    """checks.side_numbers as a formula: '274 + để trống + 139 = 413'."""
    terms = checks.linear_terms(side.root)
    if terms is None or isinstance(side.root, expr.Ref):
        return number_text(side.to_excel(cells))
    shown, total = [], []
    for index, (sign, node) in enumerate(terms):
        joint = ("" if sign == "+" else "− ") if index == 0 else (" + " if sign == "+" else " − ")
        if isinstance(node, expr.Ref):
            cell = cells[node.id]
            figure = f'IF(ISNUMBER({cell}),{number_text(cell)},"{checks.BLANK_PART}")'
            total.append(f"{'-' if sign == '-' else '+'}IF(ISNUMBER({cell}),{cell},0)")
        else:  # linear_terms gives rows and numbers only
            assert isinstance(node, expr.Num)
            figure = f'"{format_value(node.value)}"'
            total.append(f"{'-' if sign == '-' else '+'}{expr.node_to_excel(node, cells)}")
        shown.append(f'"{joint}"&{figure}' if joint else figure)
    return "&".join(shown) + f'&" = "&{number_text("(" + "".join(total) + ")")}'


# --- the sheets ------------------------------------------------------------------------------

def write_live_checks(workbook: Workbook, form_sheet: Worksheet, catalog: Catalog, layout: FormLayout,
                      formats: Formats, unit: str = "") -> list[Line]:
    """The lines sheet, the visible list, the count at the top of the form and the cell colours."""
    found = lines(catalog, layout, unit)
    _write_list_sheet(workbook, formats, found, layout.sheet)
    _write_lines_sheet(workbook, found, catalog, layout)
    _write_summary(form_sheet, formats, layout, found)
    _mark_cells(form_sheet, formats, layout, found)
    return found


def _lines_ref(row: int, column: int) -> str:
    return f"{quote_sheet(LINES_SHEET)}!{cell_name(row, column, absolute=True)}"


def _column_range(column: int, count: int) -> str:
    first, last = cell_name(FIRST_LINE, column, absolute=True), cell_name(FIRST_LINE + count - 1, column, absolute=True)
    return f"{quote_sheet(LINES_SHEET)}!{first}:{last}"


def _write_lines_sheet(workbook: Workbook, found: Sequence[Line], catalog: Catalog, layout: FormLayout) -> None:
    sheet = workbook.add_worksheet(LINES_SHEET)
    sheet.write_string(FIRST_LINE - 1, INPUT_ID, "Dòng nhập")
    sheet.write_string(FIRST_LINE - 1, USABLE, "Số liệu dùng để kiểm tra")
    for index, input_row in enumerate(input_rows(catalog)):
        cell = f"{quote_sheet(layout.sheet)}!{layout.cell(input_row.id, absolute=True)}"
        sheet.write_string(FIRST_LINE + index, INPUT_ID, input_row.id)
        sheet.write_formula(FIRST_LINE + index, USABLE, "=" + usable_formula(input_row, cell), None, "")
    sheet.write_string(SEPARATORS_ROW, 0, "Dấu ngăn cách của máy (hàng nghìn, thập phân)")
    sheet.write_formula(SEPARATORS_ROW, 1, "=MID(FIXED(1000,0,FALSE),2,1)", None, ",")
    sheet.write_formula(SEPARATORS_ROW, 2, "=MID(FIXED(1.5,1,TRUE),2,1)", None, ".")
    count = max(1, len(found))
    severity = _column_range(SEVERITY, count)
    verdict = _column_range(VERDICT, count)
    sheet.write_string(TOTALS_ROW, 0, "Số lỗi, số cảnh báo")
    blank_errors, blank_warnings = _blank_counts(found)
    sheet.write_formula(TOTALS_ROW, 1, f'=SUMPRODUCT(({verdict}=TRUE)*({severity}="{SEVERITY_VI[ERROR]}"))', None,
                        blank_errors)
    sheet.write_formula(TOTALS_ROW, 2, f'=SUMPRODUCT(({verdict}=TRUE)*({severity}="{SEVERITY_VI[WARNING]}"))', None,
                        blank_warnings)
    for column, title in enumerate(("Có lỗi", "Mức", "Nội dung", "Quy tắc", "Các dòng", "Thứ tự", "Dòng")):
        sheet.write_string(FIRST_LINE - 1, column, title)
    holding = 0
    for index, line in enumerate(found):
        row = FIRST_LINE + index
        holding += line.blank is not None
        sheet.write_formula(row, VERDICT, "=" + line.verdict, None, line.blank is not None)
        sheet.write_string(row, SEVERITY, SEVERITY_VI[line.severity])
        sheet.write_formula(row, MESSAGE, f'=IF({cell_name(row, VERDICT)},{line.message},"")', None, line.blank or "")
        sheet.write_string(row, RULE, line.rule)
        sheet.write_string(row, IDS, " ".join(line.ids))
        sheet.write_string(row, WHERE, line.where)
        above = "0" if index == 0 else cell_name(row - 1, RUNNING)
        sheet.write_formula(row, RUNNING, f"={above}+IF({cell_name(row, VERDICT)},1,0)", None, holding)
    sheet.protect("", {})
    sheet.very_hidden()


def _blank_counts(found: Sequence[Line]) -> tuple[int, int]:
    """The lỗi and cảnh báo the blank form shows."""
    holding = [line for line in found if line.blank is not None]
    return (sum(line.severity == ERROR for line in holding), sum(line.severity == WARNING for line in holding))


def _count_text(errors: int, warnings: int) -> str:
    if errors + warnings == 0:
        return NOTHING_FOUND
    more = MORE_THAN_PRINTED.format(printed=PRINTED_LINES) if errors + warnings > PRINTED_LINES else ""
    return f"Có {errors} lỗi và {warnings} cảnh báo{more}:"


def totals() -> tuple[str, str]:
    """References to the number of lỗi and of cảnh báo the live checks find."""
    return _lines_ref(TOTALS_ROW, 1), _lines_ref(TOTALS_ROW, 2)


LIST_TITLE = "KIỂM TRA TRỰC TIẾP: CÁC LỖI VÀ CẢNH BÁO CỦA TRANG «{sheet}»"
LIST_NOTE = ("Trang này tự cập nhật khi gõ số liệu, không cần Python hay macro (Excel 2010 trở lên, LibreOffice). "
             "Ô có lỗi được tô đỏ, ô có cảnh báo tô vàng ngay trên trang Phụ lục. Nút «Kiểm tra» hoặc lệnh "
             "cchc-xl check còn kiểm tra thêm: số liệu ghi dạng chữ được đọc thành số, số bị Excel đổi thành "
             "ngày tháng, ô tỷ lệ bị định dạng %, dòng bị chèn hay xóa, đơn vị tính bị sửa. Khi in, trang này in "
             "một trang: tiêu đề và {printed} mục đầu của danh sách; trang «Kết quả kiểm tra» mà nút «Kiểm tra» "
             "ghi ra thì in đủ cả danh sách.")
LIST_FIRST = 4  # worksheet row of the first listed finding
# The lines printed: as many as one landscape A4 page holds under the title. The print area is this
# fixed range, not one following the count: LibreOffice takes only a fixed range (it prints the whole
# sheet for a formula, every empty line as a blank page), and a fixed range prints the same in Excel.
PRINTED_LINES = 12
MORE_THAN_PRINTED = (" (bản in chỉ có {printed} mục đầu; muốn in cả danh sách, hãy chọn các dòng của danh sách "
                     "rồi in phần đã chọn)")
NOTHING_FOUND = "Chưa thấy lỗi hay cảnh báo nào trong các ô đã điền."
SUMMARY_TEXT = "Kiểm tra trực tiếp: {} lỗi, {} cảnh báo (xem trang «" + LIVE_SHEET + "»)"


def _write_list_sheet(workbook: Workbook, formats: Formats, found: Sequence[Line], form_sheet: str) -> None:
    sheet = workbook.add_worksheet(LIVE_SHEET)
    count = len(found)
    shown_blank = [line for line in found if line.blank is not None]
    text = {"font_name": "Times New Roman", "font_size": 12, "text_wrap": True, "valign": "top"}
    widths = (6, 10, 9, 120)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    last = len(widths) - 1
    title = formats.get(**{**text, "font_size": 13}, bold=True)
    sheet.merge_range(0, 0, 0, last, "", title)
    sheet.write_string(0, 0, LIST_TITLE.format(sheet=form_sheet), title)
    sheet.set_row(0, 20)
    errors, warnings = totals()
    bold = formats.get(**text, bold=True)
    sheet.merge_range(1, 0, 1, last, "", bold)
    more = MORE_THAN_PRINTED.format(printed=PRINTED_LINES)
    sheet.write_formula(1, 0, f'=IF({errors}+{warnings}=0,"{NOTHING_FOUND}","Có "&{errors}&" lỗi và "&{warnings}&'
                              f'" cảnh báo"&IF({errors}+{warnings}>{PRINTED_LINES},"{more}","")&":")', bold,
                        _count_text(*_blank_counts(found)))
    sheet.set_row(1, 34)
    italic = formats.get(**text, italic=True)
    sheet.merge_range(2, 0, 2, last, "", italic)
    sheet.write_string(2, 0, LIST_NOTE.format(printed=PRINTED_LINES), italic)
    sheet.set_row(2, 48)
    header = formats.get(**text, bold=True, border=1, bg_color="#DDEBF7", align="center")
    for column, title in enumerate(("STT", "Mức", "Dòng", "Nội dung")):
        sheet.write_string(LIST_FIRST - 1, column, title, header)
    columns = (SEVERITY, WHERE, MESSAGE)
    ranges = [_column_range(column, max(1, count)) for column in (RUNNING, *columns)]
    running, shown = ranges[0], ranges[1:]
    cell = formats.get(**text)
    total = f"({errors}+{warnings})"
    for index in range(count):
        row, number = LIST_FIRST + index, index + 1
        blank = shown_blank[index] if index < len(shown_blank) else None
        cached = (SEVERITY_VI[blank.severity], blank.where, blank.blank) if blank else ("", "", "")
        sheet.write_formula(row, 0, f'=IF({number}<={total},{number},"")', cell, number if blank else "")
        for column, (source, value) in enumerate(zip(shown, cached), start=1):
            sheet.write_formula(row, column, f'=IF({number}<={total},INDEX({source},MATCH({number},{running},0)),"")',
                                cell, value)
        sheet.set_row(row, 34)  # two lines: most messages fit the wide column
    for severity_code in (ERROR, WARNING):
        fill, font = TROUBLE_FILL[severity_code]
        sheet.conditional_format(LIST_FIRST, 1, LIST_FIRST + max(count, 1) - 1, 1, {
            "type": "cell", "criteria": "==", "value": f'"{SEVERITY_VI[severity_code]}"',
            "format": formats.get(bg_color=fill, font_color=font, border=1)})
    # Boxed while it lists a finding, so the printed page's empty lines show nothing. After the fills:
    # LibreOffice applies only the first condition that holds.
    sheet.conditional_format(LIST_FIRST, 0, LIST_FIRST + max(count, 1) - 1, last, {
        "type": "formula", "criteria": f'=${cell_name(LIST_FIRST, 0)}<>""', "format": formats.get(border=1)})
    sheet.freeze_panes(LIST_FIRST, 0)
    workbook.define_name(f"{quote_sheet(LIVE_SHEET)}!_xlnm.Print_Area", "=" + print_area(count, last))
    sheet.repeat_rows(LIST_FIRST - 1)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def print_area(count: int, last: int) -> str:
    """The list's title and its first PRINTED_LINES lines (fewer when fewer findings are possible)."""
    corner = cell_name(LIST_FIRST + min(max(count, 1), PRINTED_LINES) - 1, last, absolute=True)
    return f"{quote_sheet(LIVE_SHEET)}!$A$1:{corner}"


def _write_summary(form_sheet: Worksheet, formats: Formats, layout: FormLayout, found: Sequence[Line]) -> None:
    """The count of lỗi at the top of the form (frozen with the title), red while there is one."""
    errors, warnings = totals()
    row, column = SUMMARY_CELL
    style = formats.get(font_name="Times New Roman", font_size=12, bold=True, text_wrap=True, valign="top")
    form_sheet.set_column(column, column, 28)
    last_title_row = max(row, layout.header_first - 2)
    if last_title_row > row:
        form_sheet.merge_range(row, column, last_title_row, column, "", style)
    form_sheet.write_formula(
        row, column, f'="Kiểm tra trực tiếp: "&{errors}&" lỗi, "&{warnings}&" cảnh báo (xem trang «{LIVE_SHEET}»)"',
        style, SUMMARY_TEXT.format(*_blank_counts(found)))
    fill, font = TROUBLE_FILL[ERROR]
    form_sheet.conditional_format(row, column, row, column, {
        "type": "formula", "criteria": f"={errors}>0", "format": formats.get(bg_color=fill, font_color=font)})


def _mark_cells(form_sheet: Worksheet, formats: Formats, layout: FormLayout, found: Sequence[Line]) -> None:
    """Each input cell red while a lỗi holds on it, else yellow while a cảnh báo does."""
    verdicts: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(found):
        for row_id in line.marked:
            verdicts.setdefault(row_id, {}).setdefault(line.severity, []).append(
                _lines_ref(FIRST_LINE + index, VERDICT))
    for row_id, by_severity in verdicts.items():
        sheet_row = layout.rows[row_id]
        for severity in (ERROR, WARNING):
            if severity in by_severity:
                fill, font = TROUBLE_FILL[severity]
                form_sheet.conditional_format(sheet_row, VALUE, sheet_row, VALUE, {
                    "type": "formula", "criteria": f"=OR({','.join(by_severity[severity])})",
                    "format": formats.get(bg_color=fill, font_color=font), "stop_if_true": True})
