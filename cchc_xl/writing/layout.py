"""The official Phụ lục layout on an XlsxWriter worksheet: title block, header, one line per catalog row.

The template ("Phụ lục") and the roll-up's "Tổng hợp" sheet are both written here, so a
combined report looks exactly like the form the units filled in. Everything about a row comes
from the catalog: its kind picks the number format and the data validation, its percent
definition becomes a formula, its checks become conditional formats.

Over 500 lines on purpose: the template and the roll-up's sheet must stay the same drawing of the
form, so title, header, rows, validation and conditional formats are written by one module.
"""

from __future__ import annotations

import copy

from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction
from typing import Any, Mapping

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import checks, expr
from ..cells import cell_name, reference
from ..catalog import Catalog, Check, Row
from .formula_text import starts_like_formula

FONT = "Times New Roman"
TITLE_SIZE, TABLE_SIZE = 13, 12

# The workbook's default font is the table's, so column widths (counted in the default font's digit
# width) come out the same in Excel and in LibreOffice, which lacks Calibri. Pass these options to
# xlsxwriter.Workbook for any workbook that holds this layout. Text stays text: a unit name like
# "=HYPERLINK(...)" is written as it reads, never as a formula or a link.
DEFAULT_ROW_HEIGHT = 21  # pixels for Times New Roman 12
WORKBOOK_OPTIONS = {
    "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
    "default_column_width": 72, "default_row_height": DEFAULT_ROW_HEIGHT,
}
DIGIT_PIXELS, CELL_PADDING_PIXELS = 8, 5


def workbook_options() -> dict:
    """XlsxWriter options of a fresh workbook. XlsxWriter writes "theme_font_name" into the
    default format dict it is given, so a shared dict would make every later workbook of the
    process differ from the first; each workbook gets a clean copy."""
    return copy.deepcopy(WORKBOOK_OPTIONS)


# Column order of the official table and widths (in characters) that print on A4 portrait.
STT, LABEL, UNIT, VALUE, NOTE = range(5)
COLUMN_WIDTHS = {STT: 7.5, LABEL: 38, UNIT: 12.5, VALUE: 8.5, NOTE: 12}
LAST_COLUMN = NOTE

# Margins of administrative documents (Nghị định 30/2020/NĐ-CP): left 30 mm, right 15 mm, top/bottom 20 mm.
MARGINS_INCHES = {"left": 1.18, "right": 0.59, "top": 0.79, "bottom": 0.79}
A4 = 9

# Row height in points for Times New Roman 12: one line of text plus the padding official tables have.
LINE_HEIGHT, ROW_PADDING = 15, 4
MAX_ROW_HEIGHT = 409  # Excel's limit
TITLE_LINE_HEIGHT, BLANK_ROW_HEIGHT = 19, 12
# Printable A4 (210 x 297 mm) inside the margins, in points; the height keeps room for the footer.
PAGE_WIDTH = (8.27 - MARGINS_INCHES["left"] - MARGINS_INCHES["right"]) * 72
PAGE_HEIGHT = (11.69 - MARGINS_INCHES["top"] - MARGINS_INCHES["bottom"]) * 72 - 24

TROUBLE_FILL = {"error": ("#FFC7CE", "#9C0006"), "warning": ("#FFEB9C", "#9C5700")}
INPUT_FILL, COMPUTED_FILL = "#FFF8DC", "#EDEDED"

NUMBER_FORMATS = {"count": "#,##0", "money": "#,##0.0##", "percent": "0.0#", "yesno": "0", "code": "0",
                  "text": "@"}

# Sheet protection: figures and notes stay editable, labels/units/formulas cannot drift.
# No password: protection prevents accidents, not intent, and a lost password would lock a commune out.
# Objects stay editable so the "Kiểm tra" button can put its notes on the cells it marks.
PROTECTION_OPTIONS = {
    "select_locked_cells": True, "select_unlocked_cells": True,
    "format_cells": True, "format_columns": True, "format_rows": True, "objects": True,
}

# Excel limits for data validation texts.
_TITLE_MAX, _MESSAGE_MAX = 32, 255


@dataclass(frozen=True)
class FormLayout:
    """Where things landed on the sheet (0-based worksheet rows)."""

    sheet: str
    header_first: int
    header_last: int
    first_row: int
    last_row: int
    rows: dict[str, int] = field(default_factory=dict)  # row id -> worksheet row

    def cell(self, row_id: str, *, absolute: bool = False) -> str:
        """The 'Số liệu' cell of a row: 'D12', or '$D$12' when absolute."""
        return cell_name(self.rows[row_id], VALUE, absolute=absolute)

    def note_cell(self, row_id: str) -> str:
        return cell_name(self.rows[row_id], NOTE)

    def reference(self, row_id: str) -> str:
        """The cell with its sheet, for defined names and other sheets: 'Phụ lục'!$D$12."""
        return reference(self.sheet, self.rows[row_id], VALUE, absolute=True)

    @property
    def cells(self) -> dict[str, str]:
        """Row id -> 'D12' for every row of the catalog."""
        return {row_id: self.cell(row_id) for row_id in self.rows}

    @property
    def print_area(self) -> str:
        return f"A1:{cell_name(self.last_row, LAST_COLUMN)}"


class Formats:
    """XlsxWriter formats made on demand and shared, so equal styles are one style in the file."""

    def __init__(self, workbook: Workbook):
        self._workbook = workbook
        self._cache: dict[tuple, Any] = {}
        self._props: dict[Any, dict[str, Any]] = {}

    def get(self, **props: Any):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(props)
            self._props[self._cache[key]] = props
        return self._cache[key]

    def quoted(self, *styles: Any) -> dict[Any, Any]:
        """Each style (None: no style) -> the same with Excel's text marker (quotePrefix), which keeps a
        text that starts like a formula text when someone edits the cell."""
        return {style: self.get(**(self._props[style] if style is not None else {}), quote_prefix=True)
                for style in styles}

    def table(self, **props: Any):
        base = {"font_name": FONT, "font_size": TABLE_SIZE, "border": 1, "valign": "vcenter", "text_wrap": True}
        return self.get(**{**base, **props})


def write_form_sheet(workbook: Workbook, worksheet: Worksheet, catalog: Catalog, *, unit: str, period_text: str,
                     values: Mapping[str, Any] | None = None, notes: Mapping[str, str] | None = None,
                     formats: Formats | None = None, for_input: bool = True,
                     widths: Mapping[int, float] | None = None, protect: bool = True) -> FormLayout:
    """Write the official layout of `catalog` and return where each row landed.

    `values` (row id -> number or text) and `notes` fill the 'Số liệu' and 'Ghi chú' cells, e.g. the
    combined figures of a roll-up ("5/8 đơn vị" on a Có/Không row). With `for_input`, input cells are
    unlocked and validated; without, every cell stays locked and no validation is attached.
    `widths` replaces some of COLUMN_WIDTHS (a roll-up's wider 'Ghi chú'); heights and page breaks follow.
    Without `protect`, a macro can write into the sheet (the Tổng hợp button's roll-up).
    """
    formats = formats or Formats(workbook)
    values, notes = values or {}, notes or {}
    widths = {**COLUMN_WIDTHS, **(widths or {})}
    for column, width in widths.items():
        worksheet.set_column(column, column, width)

    title = catalog.title_lines(unit or "……", period_text or "……")
    next_row = _write_title(worksheet, formats, title, widths)
    header_first = next_row + 1
    header_last = _write_header(worksheet, formats, catalog.columns, header_first, widths)
    first_row = header_last + 1
    rows = {row.id: first_row + index for index, row in enumerate(catalog.rows)}
    layout = FormLayout(worksheet.name, header_first, header_last, first_row, first_row + len(catalog.rows) - 1, rows)

    heights = []
    for row in catalog.rows:
        value, note = values.get(row.id), notes.get(row.id, "")
        heights.append(row_height(row, value, note, widths))
        worksheet.set_row(rows[row.id], heights[-1])
        _write_row(worksheet, formats, layout, row, value, note, for_input)
    _merge_trong_do(worksheet, formats, catalog.rows, layout)
    if not for_input:  # the form a unit fills gets the live checks of live.py instead
        for _, check in catalog.checks:
            _mark_contradiction(worksheet, formats, layout, check)
    _page_setup(worksheet, layout)
    title_height = sum(title_heights(title, widths)) + BLANK_ROW_HEIGHT
    header_height = sum(_header_heights(catalog.columns, widths))
    breaks = page_breaks(catalog.rows, heights, first_page_used=title_height + header_height,
                         page_used=header_height, widths=widths)
    worksheet.set_h_pagebreaks([first_row + index for index in breaks])
    if protect:
        worksheet.protect("", PROTECTION_OPTIONS)
    return layout


def _write_title(worksheet: Worksheet, formats: Formats, lines: list[str],
                 widths: Mapping[int, float] = COLUMN_WIDTHS) -> int:
    for index, (line, height) in enumerate(zip(lines, title_heights(lines, widths))):
        italic = _is_subtitle(line)
        style = formats.get(font_name=FONT, font_size=TITLE_SIZE, bold=not italic, italic=italic,
                            align="center", valign="vcenter", text_wrap=True)
        worksheet.merge_range(index, STT, index, LAST_COLUMN, "", style)
        worksheet.write_string(index, STT, line, style)
        worksheet.set_row(index, height)
    worksheet.set_row(len(lines), BLANK_ROW_HEIGHT)
    return len(lines)


def _is_subtitle(line: str) -> bool:
    return line.lstrip().startswith("(")


def title_heights(lines: list[str], widths: Mapping[int, float] = COLUMN_WIDTHS) -> list[float]:
    # Merged cells never grow to fit their text, so heights come from an estimate.
    total_width = sum(widths.values())
    return [min(MAX_ROW_HEIGHT, TITLE_LINE_HEIGHT * line_count(line, total_width, TITLE_SIZE,
                                                                 bold=not _is_subtitle(line)))
            for line in lines]


def _header_texts(columns: Mapping[str, str]) -> dict[int, str]:
    return {STT: columns["stt"], LABEL: columns["label"], UNIT: columns["unit"], VALUE: columns["value"],
            NOTE: columns["note"]}


def header_lines(columns: Mapping[str, str]) -> list[list[str | None]]:
    """The header's texts in the rows `_write_header` lays out, a merged cell's text in its first cell."""
    texts = _header_texts(columns)
    if "result" not in columns:
        return [[texts[column] for column in range(LAST_COLUMN + 1)]]
    return [[texts[STT], texts[LABEL], columns["result"], None, texts[NOTE]],
            [None, None, texts[UNIT], texts[VALUE], None]]


def _header_heights(columns: Mapping[str, str], widths: Mapping[int, float] = COLUMN_WIDTHS) -> list[float]:
    texts = _header_texts(columns)
    lines = {column: line_count(text, widths[column], TABLE_SIZE, bold=True) for column, text in texts.items()}
    if "result" not in columns:
        return [ROW_PADDING + LINE_HEIGHT * max(lines.values())]
    upper = ROW_PADDING + LINE_HEIGHT * line_count(columns["result"], widths[UNIT] + widths[VALUE],
                                                    TABLE_SIZE, bold=True)
    lower = ROW_PADDING + LINE_HEIGHT * max(lines[UNIT], lines[VALUE])
    # STT, label and note are merged over both rows: together the rows must hold the longest of them.
    merged = ROW_PADDING + LINE_HEIGHT * max(lines[STT], lines[LABEL], lines[NOTE])
    return [upper, max(lower, merged - upper)]


def _write_header(worksheet: Worksheet, formats: Formats, columns: Mapping[str, str], first: int,
                  widths: Mapping[int, float] = COLUMN_WIDTHS) -> int:
    style = formats.table(bold=True, align="center")
    texts = _header_texts(columns)
    heights = _header_heights(columns, widths)
    for offset, height in enumerate(heights):
        worksheet.set_row(first + offset, height)
    if "result" not in columns:
        for column, text in texts.items():
            worksheet.write_string(first, column, text, style)
        return first
    second = first + 1
    for column in (STT, LABEL, NOTE):
        worksheet.merge_range(first, column, second, column, "", style)
        worksheet.write_string(first, column, texts[column], style)
    worksheet.merge_range(first, UNIT, first, VALUE, "", style)
    worksheet.write_string(first, UNIT, columns["result"], style)
    worksheet.write_string(second, UNIT, texts[UNIT], style)
    worksheet.write_string(second, VALUE, texts[VALUE], style)
    return second


@lru_cache(maxsize=8192)  # a roll-up measures the same labels and names once per unit
def line_count(text: str, width_chars: float, size: int, *, bold: bool = False) -> int:
    """Lines `text` wraps to in a column `width_chars` wide: greedy word wrap with a generous glyph width."""
    char_width = size / TABLE_SIZE * (0.95 if bold else 0.87) * (1.2 if text.isupper() else 1.0)
    per_line = max(1, int((width_chars - 1) / char_width))
    if len(text) <= per_line and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            needed = len(word) if used == 0 else used + 1 + len(word)
            if needed <= per_line:
                used = needed
            else:
                lines += (used > 0) + (len(word) - 1) // per_line
                used = len(word) % per_line or per_line
    return max(1, lines)


def _row_style(row: Row) -> dict[str, Any]:
    if row.kind == "section":
        return {"bold": True}
    if row.kind == "group":
        return {"bold": True, "italic": True}
    return {}


def row_height(row: Row, value: Any = None, note: str = "", widths: Mapping[int, float] = COLUMN_WIDTHS) -> float:
    """Height in points that shows every wrapped line of the row.

    Rows get explicit heights because LibreOffice does not grow rows to fit wrapped text when it
    opens an .xlsx; explicit heights also make the page breaks below exact.
    """
    texts = {LABEL: row.label, UNIT: row.unit, NOTE: note}  # STT texts are short or merged over rows
    if isinstance(value, str):
        texts[VALUE] = value
    bold = row.is_heading
    lines = max(line_count(text, widths[column], TABLE_SIZE, bold=bold) for column, text in texts.items())
    return min(MAX_ROW_HEIGHT, ROW_PADDING + LINE_HEIGHT * lines)


def keep_together(rows: tuple[Row, ...]) -> list[list[int]]:
    """Row indexes in blocks a page break must not split: a row with its 'Trong đó' block,
    and a section or group heading with what follows it."""
    blocks: list[list[int]] = []
    in_trong_do = False
    for index, row in enumerate(rows):
        stt = row.stt.strip().casefold()
        in_trong_do = stt == "trong đó" or (stt == "" and in_trong_do)
        if blocks and (in_trong_do or rows[blocks[-1][-1]].is_heading):
            blocks[-1].append(index)
        else:
            blocks.append([index])
    return blocks


def print_scale(widths: Mapping[int, float] = COLUMN_WIDTHS) -> float:
    """The shrink 'fit to one page wide' applies to the table: 1 when the columns fit A4."""
    pixels = sum(int(width * DIGIT_PIXELS + 0.5) + CELL_PADDING_PIXELS for width in widths.values())
    return min(1.0, PAGE_WIDTH / (pixels * 72 / 96))


def page_breaks(rows: tuple[Row, ...], heights: list[float], *, first_page_used: float,
                page_used: float, widths: Mapping[int, float] = COLUMN_WIDTHS) -> list[int]:
    """Indexes of the rows that start a new printed page, so no block of `keep_together` is split."""
    page_height = PAGE_HEIGHT / print_scale(widths)
    breaks, used = [], first_page_used
    for block in keep_together(rows):
        height = sum(heights[index] for index in block)
        if used + height > page_height and used > page_used:
            breaks.append(block[0])
            used = page_used
        used += height
    return breaks


def _write_row(worksheet: Worksheet, formats: Formats, layout: FormLayout, row: Row, value: Any, note: str,
               for_input: bool) -> None:
    line = layout.rows[row.id]
    style = _row_style(row)
    worksheet.write_string(line, STT, row.stt, formats.table(align="center", **style))
    worksheet.write_string(line, LABEL, row.label, formats.table(align="left", **style))
    worksheet.write_string(line, UNIT, row.unit, formats.table(align="center", **style))
    note_style = formats.table(align="left", locked=not for_input, **style)
    if note:
        write_text(worksheet, line, NOTE, note, note_style, formats)
    else:
        worksheet.write_blank(line, NOTE, None, note_style)

    # In the form a percent is a live formula over its parts. A roll-up writes the value it computed:
    # it combines the parts over the units that gave every part, which the summed part cells do not show.
    if row.percent is not None and for_input:
        formula = percent_formula(row, layout)
        # The cached result is what readers of the file see before any recalculation: blank, not 0.
        cached = "" if value is None else value if isinstance(value, str) else _plain_number(value)
        worksheet.write_formula(line, VALUE, formula,
                                formats.table(align="right", indent=1, num_format=NUMBER_FORMATS["percent"],
                                              bg_color=COMPUTED_FILL, **style), cached)
        return
    value_style = {"align": "right" if row.kind != "text" else "left", "indent": 1, **style}
    if row.percent is not None:
        value_style["bg_color"] = COMPUTED_FILL
    if row.kind in NUMBER_FORMATS:
        value_style["num_format"] = NUMBER_FORMATS[row.kind]
    if for_input and row.is_input:
        value_style.update(locked=False, bg_color=INPUT_FILL)
        validation = data_validation(row)
        if validation:
            worksheet.data_validation(line, VALUE, line, VALUE, validation)
    _write_value(worksheet, line, value, formats.table(**value_style), formats)


def _write_value(worksheet: Worksheet, line: int, value: Any, style, formats: Formats) -> None:
    if value is None or value == "":
        worksheet.write_blank(line, VALUE, None, style)
    elif isinstance(value, str):
        write_text(worksheet, line, VALUE, value, style, formats)
    else:
        worksheet.write_number(line, VALUE, _plain_number(value), style)


def write_text(worksheet: Worksheet, row: int, column: int, text: str, style=None, formats: Formats | None = None) -> None:
    """Text written as text, whatever it holds: never a formula (strings_to_formulas is off), and
    never markup: XlsxWriter copies a string that starts with "<r>" and ends with "</r>" into the
    file as rich-text XML unescaped, so such a text goes in as escaped rich-text pieces (XlsxWriter
    takes no fewer than three). With `formats`, a text that starts like a formula gets the style's
    twin with Excel's text marker, so it stays text when someone edits the cell."""
    if formats is not None and starts_like_formula(text):
        style = formats.quoted(style)[style]
    if text.startswith("<r>") and text.endswith("</r>"):
        worksheet.write_rich_string(row, column, text[:1], text[1:2], text[2:], style)
    else:
        worksheet.write_string(row, column, text, style)


def _plain_number(value: Any) -> int | float:
    """Exact figures (Fraction, Decimal) as the int or float a cell stores."""
    if isinstance(value, (int, float)):
        return value
    fraction = Fraction(value)
    return int(fraction) if fraction.denominator == 1 else float(fraction)


def percent_formula(row: Row, layout: FormLayout) -> str:
    """=IF(COUNT(parts)<n,"",IF(den=0,"",num/den*100)): blank until every part is a number and den <> 0."""
    percent = row.percent
    assert percent is not None  # asked for percent rows with parts only
    cells = {row_id: layout.cell(row_id, absolute=True) for row_id in percent.ids}
    numerator = percent.numerator.to_excel(cells)
    denominator = percent.denominator.to_excel(cells)
    parts = ",".join(cells.values())
    return (f'=IF(COUNT({parts})<{len(cells)},"",'
            f'IF({denominator}=0,"",{numerator}/{denominator}*100))')


def data_validation(row: Row) -> dict[str, Any] | None:
    """The validation of an input cell by the row's kind, with Vietnamese prompts and error texts."""
    unit = row.unit.strip()
    if row.kind == "count":
        rule = {"validate": "integer", "criteria": ">=", "value": 0}
        title = "Nhập số nguyên"
        prompt = (f"{_unit_prefix(unit)}Số nguyên không âm, ví dụ 15, gõ không có dấu chấm ngăn cách "
                  "hàng nghìn. Để trống nếu không có số liệu; ghi 0 nếu bằng không.")
        error = ("Ô này chỉ nhận số nguyên không âm (0, 1, 2, …). Không gõ chữ, đơn vị hay dấu chấm "
                 "ngăn cách hàng nghìn. Để trống nếu không có số liệu.")
    elif row.kind == "money":
        rule = {"validate": "decimal", "criteria": ">=", "value": 0}
        title = "Nhập số tiền"
        prompt = (f"{_unit_prefix(unit)}Số không âm, có thể có phần thập phân. "
                  "Để trống nếu không có số liệu.")
        error = "Ô này chỉ nhận số không âm. Không gõ chữ hay đơn vị. Để trống nếu không có số liệu."
    elif row.kind == "percent":
        rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
        title = "Nhập tỷ lệ (%)"
        prompt = "Tỷ lệ phần trăm từ 0 đến 100, ví dụ 91,3 (không gõ dấu %). Để trống nếu không có số liệu."
        error = "Tỷ lệ phải là một số từ 0 đến 100, không kèm dấu %. Để trống nếu không có số liệu."
    elif row.kind in ("yesno", "code"):
        codes = row.codes or {}  # the catalog gives every coded row its legend
        legend = "; ".join(f"{code} = {meaning}" for code, meaning in sorted(codes.items()))
        rule = {"validate": "list", "source": [str(code) for code in sorted(codes)]}
        title = "Chọn mã trả lời"
        prompt = f"Chọn trong danh sách hoặc gõ mã: {legend}. Để trống nếu chưa trả lời."
        error = f"Chỉ nhận một trong các mã: {legend}."
    else:
        return None
    return {**rule, "ignore_blank": True,
            "input_title": title[:_TITLE_MAX], "input_message": _clip(prompt),
            "error_title": "Số liệu không hợp lệ", "error_message": _clip(error), "error_type": "stop"}


def _unit_prefix(unit: str) -> str:
    return f"Đơn vị tính: {unit}. " if unit else ""


def _clip(text: str) -> str:
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1] + "…"


def flagged_ids(check: Check) -> tuple[str, ...]:
    """The rows a contradiction is shown on: the part of an inequality, every row of an equality."""
    op = check.assertion.operator
    left, right = check.assertion.sides()
    if op in ("<=", "<"):
        return left.ids
    if op in (">=", ">"):
        return right.ids
    return check.ids


def contradiction_formula(check: Check, layout: FormLayout) -> str:
    """True when the check is broken: every figure is a number and the assertion fails, or (for
    parts against a whole) the parts given already exceed the whole, as checks.given_parts_exceed."""
    cells = {row_id: layout.cell(row_id, absolute=True) for row_id in check.ids}
    return "=" + broken_formula(check, cells)


def broken_formula(check: Check, cells: Mapping[str, str]) -> str:
    """The formula body (no '=') that is TRUE when `check` is broken, row ids replaced by `cells`."""
    # IF, not AND, guards each comparison: AND evaluates every argument, and text in a cell makes
    # the arithmetic an error that AND would return.
    complete = (f"IF(COUNT({_cell_list(check.ids, cells)})={len(check.ids)},"
                f"NOT({check.assertion.to_excel(cells)}),FALSE)")
    split = checks.parts_and_whole(check)
    if split is None or len(split.part_ids) < 2:  # one part given is every part given
        return complete
    # A part that is blank, text or an error counts 0, as a figure the reader cannot read.
    parts = [f"IF(ISNUMBER({cells[node.id]}),{cells[node.id]},0)" if isinstance(node, expr.Ref)
             else expr.node_to_excel(node, cells) for node in split.parts]
    exceeds = ">=" if split.op == "<" else ">"
    whole_given = (f"COUNT({_cell_list(split.whole.ids, cells)})={len(split.whole.ids)},"
                   if split.whole.ids else "")
    incomplete = (f"IF(AND({whole_given}COUNT({_cell_list(split.part_ids, cells)})>0),"
                  f"{'+'.join(parts)}{exceeds}{split.whole.to_excel(cells)},FALSE)")
    return f"OR({complete},{incomplete})"


def _cell_list(ids, cells: Mapping[str, str]) -> str:
    return ",".join(cells[row_id] for row_id in ids)


def _mark_contradiction(worksheet: Worksheet, formats: Formats, layout: FormLayout, check: Check) -> None:
    fill, font = TROUBLE_FILL.get(check.severity, TROUBLE_FILL["error"])
    style = formats.get(bg_color=fill, font_color=font)
    formula = contradiction_formula(check, layout)
    for row_id in flagged_ids(check):
        line = layout.rows[row_id]
        worksheet.conditional_format(line, VALUE, line, VALUE,
                                     {"type": "formula", "criteria": formula, "format": style})


def _merge_trong_do(worksheet: Worksheet, formats: Formats, rows: tuple[Row, ...], layout: FormLayout) -> None:
    """A 'Trong đó' STT cell spans the unnumbered rows that follow it, as printed in the forms."""
    style = formats.table(align="center", italic=True)
    index = 0
    while index < len(rows):
        row = rows[index]
        end = index
        if row.stt.strip().casefold() == "trong đó":
            while end + 1 < len(rows) and rows[end + 1].stt.strip() == "":
                end += 1
        if end > index:
            worksheet.merge_range(layout.rows[row.id], STT, layout.rows[rows[end].id], STT, "", style)
            worksheet.write_string(layout.rows[row.id], STT, row.stt, style)
        elif row.stt.strip().casefold() == "trong đó":
            worksheet.write_string(layout.rows[row.id], STT, row.stt, style)
        index = end + 1


def _page_setup(worksheet: Worksheet, layout: FormLayout) -> None:
    worksheet.set_paper(A4)
    worksheet.set_portrait()
    worksheet.fit_to_pages(1, 0)
    worksheet.center_horizontally()
    worksheet.set_margins(**MARGINS_INCHES)
    worksheet.repeat_rows(layout.header_first, layout.header_last)
    worksheet.print_area(layout.print_area)
    worksheet.set_footer('&C&"Times New Roman,Regular"&11Trang &P/&N')
    worksheet.freeze_panes(layout.first_row, 0)
