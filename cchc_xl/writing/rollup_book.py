"""The roll-up workbook a district officer opens: the combined Phụ lục and how it was made.

Sheets, in order:

    Tổng hợp        the official layout of the form with the combined figures; "Ghi chú" says how
                    each row was combined and who disagrees on shared values
    Chi tiết        one line per unit, one column per figure row, so any total can be traced
    Kiểm tra        every finding of every unit: unit, file, cell, lỗi/cảnh báo, rule, message
    Tình hình nộp   who submitted, who did not, files rejected or not used
    Biểu đồ         bar charts per unit of the percents the catalog marks with "chart"
    Ghi chú đơn vị  the notes and text answers each unit wrote, row by row
    _cchc           (very hidden) form, unit, period and the roll-up state, to merge again one level up

Everything copied from the submissions (names, notes, file names, messages) is written as text,
never as a formula: through write_string, with the workbook opened with strings_to_formulas off as
well, or as an inline string by sheetrows. A note "=..." stays text.

The one-line-per-item tables (the units of "Chi tiết" and of the chart table on "Biểu đồ", the
lines of "Kiểm tra", "Tình hình nộp" and "Ghi chú đơn vị", the rows of "_cchc") are rendered by
sheetrows.SheetRows and put into the sheets XlsxWriter wrote around them: for 1,000 units that is
some 150,000 cells, which XlsxWriter's cell table took most of a second to write (see sheetrows.py).

Over 500 lines on purpose: one function per sheet of one workbook, which share its formats.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import meta, periods
from ..catalog import Catalog
from ..findings import RULES, SEVERITY_VI, format_value
from ..merging import MergeResult
from ..rollup import Rollup
from ..submission import META_SHEET, SUMMARY_SHEET, defined_name
from .layout import (COLUMN_WIDTHS, DEFAULT_ROW_HEIGHT, FONT, LAST_COLUMN, LINE_HEIGHT, NOTE, NUMBER_FORMATS,
                     ROW_PADDING, STT, TABLE_SIZE, TROUBLE_FILL, VALUE, Formats, FormLayout, line_count,
                     workbook_options, write_form_sheet, write_text)
from .rollup_view import (CHARTS_SHEET, DETAIL_SHEET, FINDINGS_SHEET, STATUS_VI, SUBMISSIONS_SHEET,
                          UNIT_NOTES_SHEET, ChartSeries, catalog_order, chart_groups, chart_series,
                          finite, modified_time, rollup_metadata, row_stt, series_name, short_label, sources_text,
                          submission_counts, submission_lines, summary_note, summary_value, unit_percents,
                          unit_source, unit_texts)
from .formula_text import starts_like_formula
from .sheetrows import RowsAside, SheetRows, register_styles, save
from .template import TOOL

STATUS_FILLS = {"submitted": ("#C6EFCE", "#006100"), "missing": TROUBLE_FILL["error"],
                "rejected": TROUBLE_FILL["error"], "duplicate": TROUBLE_FILL["warning"]}

# The roll-up says more than a unit: "5/8 đơn vị" in "Số liệu", how a row was combined in "Ghi chú".
SUMMARY_WIDTHS = {VALUE: 13, NOTE: 28}
DATE_FORMAT = "dd/mm/yyyy hh:mm"
A4 = 9
# Chart placement on "Biểu đồ" (pixels): rows keep the workbook's default height, the table's header
# row is taller; a printed A4 portrait page inside the margins holds about PAGE_PIXELS.
ROW_PIXELS = DEFAULT_ROW_HEIGHT
CHART_HEADER_POINTS = 80
HEADER_EXTRA_PIXELS = CHART_HEADER_POINTS * 4 // 3 - ROW_PIXELS
PAGE_PIXELS = 940
CHART_WIDTH = 690
ONE_LINE_HEIGHT = ROW_PADDING + LINE_HEIGHT


def write_rollup_workbook(result: MergeResult, path: str | os.PathLike) -> FormLayout:
    """Write the roll-up workbook to `path` (as given: wrap in atomic_output to replace safely)."""
    rollup = result.rollup
    package = io.BytesIO()
    workbook = Workbook(package, workbook_options())
    aside = None
    try:
        period_text = periods.label(rollup.period)
        workbook.set_properties({"title": " ".join(rollup.catalog.title_lines(result.parent_unit, period_text)),
                                 "subject": f"Tổng hợp {rollup.catalog.name}", "author": TOOL})
        formats = Formats(workbook)
        sheets = [workbook.add_worksheet(name) for name in (SUMMARY_SHEET, DETAIL_SHEET, FINDINGS_SHEET, SUBMISSIONS_SHEET,
                                                              CHARTS_SHEET, UNIT_NOTES_SHEET, META_SHEET)]
        summary, detail, findings, submissions, charts, unit_notes, meta_sheet = sheets
        hostile = _formula_like_text(rollup)
        finding_styles = _list_styles(findings, formats, FINDING_COLUMNS, hostile)
        note_styles = _list_styles(unit_notes, formats, NOTE_COLUMNS, hostile)
        # The state's parts never start like a formula (meta.encode); the officer's --unit may.
        meta_quoted = formats.quoted(None) if starts_like_formula(result.parent_unit or "") else {}
        register_styles(meta_quoted.values())
        # Kiểm tra, Ghi chú đơn vị and _cchc take their lines from a copy of this process meanwhile.
        aside = RowsAside([(findings, lambda rows: _finding_lines(rows, rollup, finding_styles)),
                           (unit_notes, lambda rows: _unit_note_lines(rows, rollup, note_styles)),
                           (meta_sheet, lambda rows: _write_meta(rows, rollup_metadata(result), meta_quoted))])
        layout = _write_summary(workbook, summary, formats, result, period_text)
        percents = unit_percents(rollup)
        # Each returns its sheet's lines, finished: they compress while the next sheets are written.
        lines = [_write_detail(detail, formats, rollup, percents),
                 _write_submissions(submissions, formats, result, period_text),
                 _write_charts(workbook, charts, formats, rollup, percents)]
        finding_rows, note_rows, state_rows = aside.take()
        lines += [finding_rows, note_rows, state_rows]
        _finish_list(findings, len(finding_rows), len(FINDING_COLUMNS), finding_styles.text,
                     "Không có lỗi hay cảnh báo nào trong các tệp đã dùng.")
        _finish_list(unit_notes, len(note_rows), len(NOTE_COLUMNS), note_styles.text,
                     "Các đơn vị không ghi chú gì thêm.")
        meta_sheet.very_hidden()
        summary.activate()
    except BaseException:
        if aside is not None:
            aside.cancel()
        workbook.fileclosed = True  # nothing to save; spares XlsxWriter's "close() may be required" warning
        raise
    workbook.close()  # into `package`: the sheets without their lines
    save(package.getvalue(), path, lines)
    return layout


# ----- Tổng hợp -----

def _write_summary(workbook: Workbook, sheet: Worksheet, formats: Formats, result: MergeResult,
                   period_text: str) -> FormLayout:
    rollup = result.rollup
    catalog = rollup.catalog
    values = {row.id: summary_value(rollup, row) for row in catalog.rows if row.rollup != "none"}
    notes = {row.id: summary_note(rollup, row) for row in catalog.rows}
    layout = write_summary_sheet(workbook, sheet, formats, catalog, unit=result.parent_unit, period_text=period_text,
                                 values=values, notes={k: v for k, v in notes.items() if v},
                                 footer=sources_text(result))
    for row in catalog.rows:
        if row.takes_figure:
            workbook.define_name(defined_name(row.id), "=" + layout.reference(row.id))
    return layout


def write_summary_sheet(workbook: Workbook, sheet: Worksheet, formats: Formats, catalog: Catalog, *, unit: str,
                        period_text: str, values: Mapping[str, Any] | None = None,
                        notes: Mapping[str, str] | None = None, footer: str = "", protect: bool = True) -> FormLayout:
    """The "Tổng hợp" sheet: the official layout of the form, the combined figures and notes, and under
    it the line saying which units the figures come from (`footer`). Blank and unprotected, it is the
    sheet CCHC-TongHop.xlsm carries for its Tổng hợp button to fill (writing/tables.py, summary_rows)."""
    layout = write_form_sheet(workbook, sheet, catalog, unit=unit, period_text=period_text, values=values,
                              notes=notes, formats=formats, for_input=False, widths=SUMMARY_WIDTHS, protect=protect)
    footer_row = footer_line(layout)
    style = formats.get(font_name=FONT, font_size=TABLE_SIZE, italic=True, text_wrap=True, valign="top")
    sheet.merge_range(footer_row, STT, footer_row, LAST_COLUMN, "", style)
    if footer:
        sheet.write_string(footer_row, STT, footer, style)
        sheet.set_row(footer_row, footer_height(footer))
    sheet.print_area(0, STT, footer_row, LAST_COLUMN)
    return layout


def footer_line(layout: FormLayout) -> int:
    """The row of the "Tổng hợp" sheet saying which units its figures come from: a blank row below the form."""
    return layout.last_row + 2


def footer_height(footer: str) -> float:
    """Points that show the whole line saying which units the figures come from, across the form's width."""
    return _height([(footer, sum({**COLUMN_WIDTHS, **SUMMARY_WIDTHS}.values()))])


# ----- Chi tiết -----

def _write_detail(sheet: Worksheet, formats: Formats, rollup: Rollup,
                  percents: dict[str, list[float | None]]) -> SheetRows:
    """Units down, figure rows across: header row 1 the row id, row 2 its STT and a short label."""
    figure_rows = rollup.catalog.figure_rows
    fixed = [("Đơn vị", 28), ("Lỗi", 6), ("Cảnh báo", 9), ("Kỳ báo cáo", 15)]
    first_figure = len(fixed)
    file_column = first_figure + len(figure_rows)
    head = formats.table(bold=True, align="center")
    small_head = formats.table(bold=False, align="center", font_size=9, valign="top")
    for column, (title, width) in enumerate(fixed + [("Tệp", 45)]):
        column = column if column < first_figure else file_column
        sheet.merge_range(0, column, 1, column, "", head)
        sheet.write_string(0, column, title, head)
        sheet.set_column(column, column, width)
    # Each figure's cells carry its column's number format, as XlsxWriter gives a cell written
    # without a format the format of its column.
    numbers = [formats.get(num_format=NUMBER_FORMATS.get(row.kind, "General")) for row in figure_rows]
    for offset, (row, style) in enumerate(zip(figure_rows, numbers)):
        column = first_figure + offset
        sheet.write_string(0, column, row.id, head)
        sheet.write_string(1, column, short_label(row), small_head)
        sheet.set_column(column, column, 12, style)
    sheet.set_row(1, 96)

    lines = SheetRows(sheet)
    lines.quote_formula_like(formats.quoted(None))
    centred = formats.get(align="center")
    styles = [None, centred, centred, centred, *numbers, None]
    ids = [row.id for row in figure_rows]
    # Percents as the unit's own form computes them from its parts: (position in a line, per unit).
    computed = [(first_figure + offset, percents[row.id]) for offset, row in enumerate(figure_rows)
                if row.percent is not None]
    for index, unit in enumerate(rollup.units):
        get = unit.values.get
        line = [unit.unit, unit.errors, unit.warnings, periods.label(unit.period), *[get(row_id) for row_id in ids],
                unit_source(unit)]
        for position, values in computed:
            line[position] = values[index]
        # Not reported (None) stays an empty cell; NaN or infinity too (see sheetrows).
        lines.write(index + 2, zip(line, styles))
    last = max(2, len(rollup.units) + 1)
    for column, severity in ((1, "error"), (2, "warning")):
        fill, font = TROUBLE_FILL[severity]
        sheet.conditional_format(2, column, last, column, {"type": "cell", "criteria": ">", "value": 0,
                                                           "format": formats.get(bg_color=fill, font_color=font)})
    sheet.autofilter(1, 0, last, file_column)
    sheet.freeze_panes(2, 1)
    _print_setup(sheet, landscape=True, header_rows=(0, 1), fit_width=False)
    sheet.repeat_columns(0, 0)
    lines.finish()
    return lines


# ----- Kiểm tra -----

FINDING_COLUMNS: list[tuple[str, float]] = [("STT", 5), ("Đơn vị", 24), ("Tệp", 28), ("Ô", 14), ("Dòng", 9), ("Mức độ", 9),
                   ("Quy tắc", 18), ("Nội dung", 70)]


@dataclass(frozen=True)
class _ListStyles:
    """The cell styles of a one-line-per-item sheet (Kiểm tra, Ghi chú đơn vị) and its column widths."""

    text: Any
    centred: Any
    severity: dict[str, Any]  # lỗi / cảnh báo cells of Kiểm tra
    widths: list[float]
    quoted: dict[Any, Any]  # the text style's twin with quotePrefix, when a submitted text starts like a formula


def _list_styles(sheet: Worksheet, formats: Formats, columns: list[tuple[str, float]], hostile: bool) -> _ListStyles:
    """The header row of a one-line-per-item sheet written, and the styles of its lines registered
    (its lines may be rendered in another process, see RowsAside); `hostile`: some submitted text
    starts like a formula, so the quotePrefix twin of the text style is registered too."""
    _write_header_row(sheet, formats, 0, columns)
    text = formats.table(valign="top")
    styles = _ListStyles(
        text, formats.table(valign="top", align="center"),
        {severity: formats.table(valign="top", align="center", bold=severity == "error", bg_color=fill, font_color=font)
         for severity, (fill, font) in TROUBLE_FILL.items()},
        [width for _, width in columns], formats.quoted(text) if hostile else {})
    register_styles([styles.text, styles.centred, *styles.severity.values(), *styles.quoted.values()])
    return styles


def _formula_like_text(rollup: Rollup) -> bool:
    """Whether a text the units sent (name, file, note, text answer, a finding's cell) starts like a formula."""
    return any(starts_like_formula(text) for unit in rollup.units
               for text in (unit.unit, unit_source(unit), *unit.notes.values(), *unit.texts.values(),
                            *unit.cells.values(), *(finding.cell or "" for finding in unit.findings)))


def _finding_lines(lines: SheetRows, rollup: Rollup, styles: _ListStyles) -> None:
    lines.quote_formula_like(styles.quoted)
    text, centred = styles.text, styles.centred
    line = 0
    catalog = rollup.catalog
    for unit in rollup.units:
        for finding in unit.findings:
            line += 1
            rule = RULES.get(finding.rule)
            _write_line(lines, line, styles.widths, [
                (line, centred), (unit.unit, text), (unit_source(unit), text), (finding.cell, text),
                (", ".join(row_stt(catalog, row_id) for row_id in finding.ids), centred),
                (SEVERITY_VI.get(finding.severity, finding.severity), styles.severity.get(finding.severity, centred)),
                (rule.title if rule else finding.rule, text), (finding.message, text)])


# ----- Tình hình nộp -----

def _write_submissions(sheet: Worksheet, formats: Formats, result: MergeResult, period_text: str) -> SheetRows:
    columns = [("STT", 5), ("Đơn vị", 30), ("Tình trạng", 18), ("Tệp", 40), ("Thời điểm sửa tệp", 17),
               ("Ghi chú", 45)]
    last_column = len(columns) - 1
    title = formats.get(font_name=FONT, font_size=13, bold=True, align="center", valign="vcenter")
    sheet.merge_range(0, 0, 0, last_column, "", title)
    sheet.write_string(0, 0, f"TÌNH HÌNH NỘP BÁO CÁO {period_text.upper()}".strip(), title)
    lines = submission_lines(result)
    summary = formats.get(font_name=FONT, font_size=TABLE_SIZE, italic=True)
    sheet.write_string(1, 0, submission_counts(result, lines), summary)

    text = formats.table(valign="top")
    centred = formats.table(valign="top", align="center")
    when = formats.table(valign="top", align="center", num_format=DATE_FORMAT)
    status_styles = {status: formats.table(valign="top", align="center", bold=status in ("missing", "rejected"),
                                           font_color=font, bg_color=fill)
                     for status, (fill, font) in STATUS_FILLS.items()}
    header_row = 3
    _write_header_row(sheet, formats, header_row, columns)
    widths = [width for _, width in columns]
    rendered = SheetRows(sheet)
    rendered.quote_formula_like(formats.quoted(text))
    line = header_row
    for number, item in enumerate(lines, start=1):
        line += 1
        _write_line(rendered, line, widths, [
            (number, centred), (item.name, text), (STATUS_VI[item.status], status_styles[item.status]),
            (item.path, text), (modified_time(item.modified), when), (item.note, text)])
    sheet.autofilter(header_row, 0, max(line, header_row + 1), last_column)
    sheet.freeze_panes(header_row + 1, 0)

    if result.rejected:
        line += 2
        sheet.write_string(line, 0, f"Tệp bị từ chối ({len(result.rejected)})", formats.get(font_name=FONT, bold=True))
        line += 1
        _write_header_row(sheet, formats, line, [("STT", 0), ("Tệp", 0), ("Lý do", 0)],
                          spans={1: (1, 3), 2: (4, last_column)})
        for number, rejected in enumerate(result.rejected, start=1):
            line += 1
            sheet.write_number(line, 0, number, centred)
            sheet.merge_range(line, 1, line, 3, "", text)
            write_text(sheet, line, 1, rejected.path, text, formats)
            sheet.merge_range(line, 4, line, last_column, "", text)
            write_text(sheet, line, 4, rejected.reason, text, formats)
            sheet.set_row(line, _height([(rejected.path, sum(widths[1:4])), (rejected.reason, sum(widths[4:]))]))
    _print_setup(sheet, landscape=True, header_rows=(header_row, header_row))
    rendered.finish()
    return rendered


# ----- Biểu đồ -----

@dataclass(frozen=True)
class ChartTable:
    """Where the charts' data landed on the sheet (0-based rows and columns)."""

    header_row: int
    first: int
    last: int
    columns: dict[str, int]  # row id -> column


def _write_charts(workbook: Workbook, sheet: Worksheet, formats: Formats, rollup: Rollup,
                  percents: dict[str, list[float | None]]) -> SheetRows:
    _print_setup(sheet, landscape=False, header_rows=None)
    charted = chart_series(rollup, percents)
    lines = SheetRows(sheet)
    if not charted:
        sheet.set_column(0, 0, 90)
        sheet.write_string(0, 0, "BIỂU ĐỒ", formats.get(font_name=FONT, font_size=13, bold=True))
        reason = ("Mẫu báo cáo này không chỉ định chỉ tiêu nào để vẽ biểu đồ." if not chart_groups(rollup.catalog)
                  else "Chưa có đơn vị nào báo cáo các tỷ lệ dùng để vẽ biểu đồ.")
        sheet.write_string(1, 0, reason, formats.get(font_name=FONT, font_size=TABLE_SIZE, italic=True))
        return lines
    table = _write_chart_table(sheet, lines, formats, rollup, [item for series in charted.values() for item in series])

    overall_row = table.last + 1
    table_bottom = (overall_row + 1) * ROW_PIXELS + HEADER_EXTRA_PIXELS
    position = overall_row + 3
    top = position * ROW_PIXELS + HEADER_EXTRA_PIXELS
    page_top = 0 if table_bottom <= PAGE_PIXELS else None  # a long table: charts start on a new page
    breaks = []
    for name, series in charted.items():
        height = chart_height(len(rollup.units), len(series))
        if page_top is None or top + height > page_top + PAGE_PIXELS:
            breaks.append(position)  # a chart is never cut by a page break
            page_top = top
        chart = _bar_chart(workbook, sheet.name, name, series, rollup, table)
        chart.set_size({"width": CHART_WIDTH, "height": height})
        # A little below its row, so no sliver of the frame prints above a page break.
        sheet.insert_chart(position, 0, chart, {"y_offset": 6, "object_position": 1})
        rows = -(-height // ROW_PIXELS) + 2
        position += rows
        top += rows * ROW_PIXELS
    sheet.set_h_pagebreaks(breaks)
    lines.finish()
    return lines


def _write_chart_table(sheet: Worksheet, lines: SheetRows, formats: Formats, rollup: Rollup,
                       series: list[ChartSeries]) -> ChartTable:
    """Units down, one column per series (the units' lines in `lines`), then the combined figure:
    what the charts are drawn from."""
    title = formats.get(font_name=FONT, font_size=13, bold=True)
    sheet.write_string(0, 0, "SỐ LIỆU DÙNG CHO BIỂU ĐỒ (tỷ lệ %, mỗi đơn vị tính từ số liệu của chính đơn vị)", title)
    header_row, first = 2, 3
    last = first + len(rollup.units) - 1
    columns = {item.row.id: offset for offset, item in enumerate(series, start=1)}
    head = formats.table(bold=True, align="center")
    sheet.write_string(header_row, 0, "Đơn vị", head)
    sheet.set_column(0, 0, 34)
    for item in series:
        sheet.write_string(header_row, columns[item.row.id], series_name(item.row), head)
        sheet.set_column(columns[item.row.id], columns[item.row.id], 16)
    sheet.set_row(header_row, CHART_HEADER_POINTS)

    name, number = formats.table(text_wrap=False), formats.table(num_format="0.0#", align="right")
    lines.quote_formula_like(formats.quoted(name))
    for index, unit in enumerate(rollup.units):  # a unit without the figure: a bordered blank
        lines.write(first + index, [(unit.unit, name), *((_blank_unless_finite(item.values[index]), number)
                                                          for item in series)])
    bold_name = formats.table(bold=True, text_wrap=False)
    bold_number = formats.table(bold=True, num_format="0.0#", align="right")
    sheet.write_string(last + 1, 0, "Chung (số liệu tổng hợp)", bold_name)
    for item in series:
        value = rollup.display(item.row.id)
        _write_number_or_blank(sheet, last + 1, columns[item.row.id],
                               value if isinstance(value, (int, float)) else None, bold_number)
    return ChartTable(header_row, first, last, columns)


def _blank_unless_finite(value: float | None) -> float | str:
    return value if value is not None and finite(value) else ""


def _write_number_or_blank(sheet: Worksheet, line: int, column: int, value: float | None, style) -> None:
    if finite(value):
        sheet.write_number(line, column, value, style)
    else:
        sheet.write_blank(line, column, None, style)


def _bar_chart(workbook: Workbook, sheet_name: str, name: str, series: list[ChartSeries], rollup: Rollup,
               table: ChartTable):
    chart = workbook.add_chart({"type": "bar"})
    # The units' lines are not in XlsxWriter's cell table (they are rendered by sheetrows), so the
    # chart's cached values, which viewers show without recalculating, are given as XlsxWriter
    # would take them from its table: text as it is, numbers as "%.16g", blanks as "".
    # "categories_data"/"values_data" are XlsxWriter's options for series data given by the caller
    # (not in its documentation; test_chart_caches_hold_the_table guards them).
    categories = [unit.unit for unit in rollup.units]
    for item in series:
        column = table.columns[item.row.id]
        chart.add_series({
            "name": [sheet_name, table.header_row, column],
            "categories": [sheet_name, table.first, 0, table.last, 0],
            "values": [sheet_name, table.first, column, table.last, column],
            "categories_data": categories,
            "values_data": [f"{value:.16g}" if finite(value) else "" for value in item.values],
            "data_labels": {"value": True, "num_format": "0.0", "font": {"name": FONT, "size": 9}},
            "gap": 60,
        })
    overall = rollup.display(series[0].row.id) if len(series) == 1 else None
    title = name + (f" (chung: {format_value(overall)}%)" if isinstance(overall, (int, float)) else "")
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 13, "bold": True}})
    chart.set_x_axis({"name": "Tỷ lệ (%)", "min": 0, "max": 100, "major_unit": 20,
                      "name_font": {"name": FONT, "size": 11, "bold": False},
                      "num_font": {"name": FONT, "size": 10}, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"name": "Đơn vị", "reverse": True, "crossing": "max",
                      "name_font": {"name": FONT, "size": 11, "bold": False},
                      "num_font": {"name": FONT, "size": 10}})
    if len(series) > 1:
        chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
    else:
        chart.set_legend({"none": True})
    return chart


def chart_height(units: int, series: int) -> int:
    """Enough height for readable bars and unit names, within what a page and Excel handle."""
    return min(3000, max(320, 110 + 16 * units * series + (30 if series > 1 else 0)))


# ----- Ghi chú đơn vị -----

NOTE_COLUMNS: list[tuple[str, float]] = [("STT", 5), ("Đơn vị", 24), ("Dòng", 8), ("Chỉ tiêu", 45), ("Ô số liệu", 14),
                ("Ghi chú / nội dung", 70)]


def _unit_note_lines(lines: SheetRows, rollup: Rollup, styles: _ListStyles) -> None:
    lines.quote_formula_like(styles.quoted)
    text, centred = styles.text, styles.centred
    catalog = rollup.catalog
    order = catalog_order(catalog)
    stts = {row.id: row_stt(catalog, row.id) for row in catalog.rows}
    line = 0
    for unit in rollup.units:
        for row_id, note in unit_texts(unit, order):
            line += 1
            _write_line(lines, line, styles.widths, [
                (line, centred), (unit.unit, text), (stts[row_id], centred),
                (catalog.row(row_id).label, text), (unit.cells.get(row_id), text), (note, text)])


# ----- _cchc -----

def _write_meta(lines: SheetRows, entries: dict[str, str], quoted: dict[Any, Any]) -> None:
    lines.quote_formula_like(quoted)
    for line, cells in enumerate(meta.encode(entries)):
        lines.write(line, [(text, None) for text in cells])


# ----- shared -----

def _finish_list(sheet: Worksheet, lines: int, columns: int, style: Any, when_empty: str) -> None:
    """After the last line of a one-line-per-item sheet: a filter over the lines, or the sentence
    `when_empty` across the table when there are none; header frozen, printed landscape."""
    if not lines:
        sheet.merge_range(1, 0, 1, columns - 1, "", style)
        sheet.write_string(1, 0, when_empty, style)
    else:
        sheet.autofilter(0, 0, lines, columns - 1)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, landscape=True, header_rows=(0, 0))


def _write_line(lines: SheetRows, line: int, widths: Sequence[float], cells: list[tuple[Any, Any]]) -> None:
    """One table line of (value, style) cells from column A: text always as text (never a formula),
    numbers and date-times as such, None or "" as a bordered blank; the row is made tall enough for
    wrapped text."""
    height = _height([(value, width) for (value, _), width in zip(cells, widths) if isinstance(value, str)])
    lines.write(line, [("" if value is None else value, style) for value, style in cells],
                height if height > ONE_LINE_HEIGHT else None)


# Excel's tallest row, in points: a taller one makes it repair the file when it opens it.
MAX_ROW_HEIGHT = 409


def _height(texts: Iterable[tuple[str, float]]) -> float:
    """Points that show every wrapped line: LibreOffice does not grow rows to fit when it opens a file.
    A text longer than the tallest row shows its beginning; the cell holds all of it."""
    lines = max((line_count(text, width, TABLE_SIZE) for text, width in texts if text), default=1)
    return min(MAX_ROW_HEIGHT, ROW_PADDING + LINE_HEIGHT * lines)


def _write_header_row(sheet: Worksheet, formats: Formats, line: int, columns: Sequence[tuple[str, float]],
                      spans: dict[int, tuple[int, int]] | None = None) -> None:
    """Bold bordered header; widths set when given (> 0); `spans` merges a title over several columns."""
    head = formats.table(bold=True, align="center")
    spans = spans or {}
    for index, (title, width) in enumerate(columns):
        first, last = spans.get(index, (index, index))
        if last > first:
            sheet.merge_range(line, first, line, last, "", head)
        sheet.write_string(line, first, title, head)
        if width:
            sheet.set_column(index, index, width)


def _print_setup(sheet: Worksheet, *, landscape: bool, header_rows: tuple[int, int] | None,
                 fit_width: bool = True) -> None:
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    if header_rows is not None:
        sheet.repeat_rows(*header_rows)
    if fit_width:
        sheet.fit_to_pages(1, 0)
    sheet.set_footer('&C&"Times New Roman,Regular"&11Trang &P/&N')
