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
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import meta, periods
from ..catalog import Catalog, Row
from ..findings import RULES, SEVERITY_VI, format_value
from ..merging import Duplicate, MergeResult, RosterEntry
from ..rollup import Rollup, UnitReport
from ..submission import META_SHEET, defined_name
from .layout import (COLUMN_WIDTHS, FONT, LAST_COLUMN, LINE_HEIGHT, NOTE, NUMBER_FORMATS, ROW_PADDING, STT,
                     TABLE_SIZE, TROUBLE_FILL, VALUE, WORKBOOK_OPTIONS, Formats, FormLayout, line_count,
                     workbook_options, write_form_sheet, write_text)
from .sheetrows import SheetRows, save
from .template import TOOL, metadata

SUMMARY_SHEET = "Tổng hợp"
DETAIL_SHEET = "Chi tiết"
FINDINGS_SHEET = "Kiểm tra"
SUBMISSIONS_SHEET = "Tình hình nộp"
CHARTS_SHEET = "Biểu đồ"
UNIT_NOTES_SHEET = "Ghi chú đơn vị"

STATUS_VI = {"submitted": "Đã nộp", "missing": "Chưa nộp", "duplicate": "Trùng (không dùng)",
             "rejected": "Bị từ chối"}
STATUS_FILLS = {"submitted": ("#C6EFCE", "#006100"), "missing": TROUBLE_FILL["error"],
                "rejected": TROUBLE_FILL["error"], "duplicate": TROUBLE_FILL["warning"]}

# The roll-up says more than a unit: "5/8 đơn vị" in "Số liệu", how a row was combined in "Ghi chú".
SUMMARY_WIDTHS = {VALUE: 13, NOTE: 28}
DATE_FORMAT = "dd/mm/yyyy hh:mm"
A4 = 9
# Chart placement on "Biểu đồ" (pixels): rows keep the workbook's default height, the table's header
# row is taller; a printed A4 portrait page inside the margins holds about PAGE_PIXELS.
ROW_PIXELS = WORKBOOK_OPTIONS["default_row_height"]
CHART_HEADER_POINTS = 80
HEADER_EXTRA_PIXELS = CHART_HEADER_POINTS * 4 // 3 - ROW_PIXELS
PAGE_PIXELS = 940
CHART_WIDTH = 690
ONE_LINE_HEIGHT = ROW_PADDING + LINE_HEIGHT


@dataclass(frozen=True)
class ChartSeries:
    row: Row
    values: list[float | None]  # one per unit, in the units' order


def write_rollup_workbook(result: MergeResult, path: str | os.PathLike) -> FormLayout:
    """Write the roll-up workbook to `path` (as given: wrap in atomic_output to replace safely)."""
    rollup = result.rollup
    package = io.BytesIO()
    workbook = Workbook(package, workbook_options())
    try:
        period_text = periods.label(rollup.period)
        workbook.set_properties({"title": " ".join(rollup.catalog.title_lines(result.parent_unit, period_text)),
                                 "subject": f"Tổng hợp {rollup.catalog.name}", "author": TOOL})
        formats = Formats(workbook)
        summary = workbook.add_worksheet(SUMMARY_SHEET)
        layout = _write_summary(workbook, summary, formats, result, period_text)
        percents = unit_percents(rollup)
        # Each returns its sheet's lines, finished: they compress while the next sheets are written.
        lines = [_write_detail(workbook.add_worksheet(DETAIL_SHEET), formats, rollup, percents),
                 _write_findings(workbook.add_worksheet(FINDINGS_SHEET), formats, rollup),
                 _write_submissions(workbook.add_worksheet(SUBMISSIONS_SHEET), formats, result, period_text),
                 _write_charts(workbook, workbook.add_worksheet(CHARTS_SHEET), formats, rollup, percents),
                 _write_unit_notes(workbook.add_worksheet(UNIT_NOTES_SHEET), formats, rollup),
                 _write_meta(workbook.add_worksheet(META_SHEET), rollup_metadata(result))]
        summary.activate()
    except BaseException:
        workbook.fileclosed = True  # nothing to save; spares XlsxWriter's "close() may be required" warning
        raise
    workbook.close()  # into `package`: the sheets without their lines
    save(package.getvalue(), path, lines)
    return layout


def rollup_metadata(result: MergeResult) -> dict[str, str]:
    rollup = result.rollup
    entries = metadata(rollup.catalog, unit=result.parent_unit, period_text=periods.label(rollup.period),
                       kind="rollup")
    entries["period"] = rollup.period or ""
    entries["state"] = rollup.state_json()
    # Who is not in the figures, for the Word report made from this roll-up (cchc-xl report).
    entries["missing"] = json.dumps(result.missing, ensure_ascii=False)
    entries["rejected"] = json.dumps([item.reason for item in result.rejected], ensure_ascii=False)
    return entries


# ----- Tổng hợp -----

def _write_summary(workbook: Workbook, sheet: Worksheet, formats: Formats, result: MergeResult,
                   period_text: str) -> FormLayout:
    rollup = result.rollup
    catalog = rollup.catalog
    values = {row.id: summary_value(rollup, row) for row in catalog.rows if row.rollup != "none"}
    notes = {row.id: summary_note(rollup, row) for row in catalog.rows}
    layout = write_form_sheet(workbook, sheet, catalog, unit=result.parent_unit, period_text=period_text,
                              values=values, notes={k: v for k, v in notes.items() if v},
                              formats=formats, for_input=False, widths=SUMMARY_WIDTHS)
    for row in catalog.rows:
        if row.takes_figure:
            workbook.define_name(defined_name(row.id), "=" + layout.reference(row.id))
    footer_row = layout.last_row + 2
    style = formats.get(font_name=FONT, font_size=TABLE_SIZE, italic=True, text_wrap=True, valign="top")
    sheet.merge_range(footer_row, STT, footer_row, LAST_COLUMN, "", style)
    footer = sources_text(result)
    sheet.write_string(footer_row, STT, footer, style)
    sheet.set_row(footer_row, _height([(footer, sum({**COLUMN_WIDTHS, **SUMMARY_WIDTHS}.values()))]))
    sheet.print_area(0, STT, footer_row, LAST_COLUMN)
    return layout


def summary_value(rollup: Rollup, row: Row) -> Any:
    """What 'Số liệu' shows; the count per answer goes one answer a line, to read in a narrow column."""
    value = rollup.display(row.id)
    if row.rollup == "count_per_code" and isinstance(value, str):
        return value.replace("; ", "\n")
    return value


def summary_note(rollup: Rollup, row: Row) -> str:
    """'Ghi chú' of a combined row: how it was combined, and where the units' own notes on it are."""
    if row.is_heading:
        return ""
    how = rollup.combination(row.id)
    if not how and row.takes_figure:
        how = f"Không cộng gộp; số liệu từng đơn vị ở sheet «{DETAIL_SHEET}»"
    noted = len(rollup.notes(row.id))
    pointer = f"{noted} đơn vị có ghi chú (xem sheet «{UNIT_NOTES_SHEET}»)" if noted else ""
    return "\n".join(part for part in (how, pointer) if part)


def sources_text(result: MergeResult) -> str:
    """One sentence under the table: how many units the figures come from, and who is missing."""
    units = result.rollup.units
    text = f"Số liệu tổng hợp từ {len(units)} đơn vị"
    expected = [entry for entry in result.roster if entry.in_roster]
    if expected:
        submitted = sum(1 for entry in expected if entry.status in ("submitted", "duplicate"))
        text += f" ({submitted}/{len(expected)} đơn vị trong danh sách)"
    if result.missing:
        text += f"; chưa nộp: {', '.join(result.missing)}"
    with_errors = sum(1 for unit in units if unit.errors)
    if with_errors:
        text += f"; {with_errors} đơn vị có lỗi (xem sheet «{FINDINGS_SHEET}»)"
    if result.rejected:
        text += f"; {len(result.rejected)} tệp bị từ chối (xem sheet «{SUBMISSIONS_SHEET}»)"
    return text + "."


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


def short_label(row: Row, limit: int = 70) -> str:
    label = row.label if len(row.label) <= limit else row.label[: limit - 1].rstrip() + "…"
    stt = row.stt.strip()
    return f"{stt} {label}" if stt and stt.casefold() != "trong đó" else label


def unit_source(unit: UnitReport) -> str:
    return f"{unit.path} (qua bản tổng hợp {unit.via})" if unit.via else unit.path


# ----- Kiểm tra -----

def _write_findings(sheet: Worksheet, formats: Formats, rollup: Rollup) -> SheetRows:
    columns = [("STT", 5), ("Đơn vị", 24), ("Tệp", 28), ("Ô", 14), ("Dòng", 9), ("Mức độ", 9),
               ("Quy tắc", 18), ("Nội dung", 70)]
    _write_header_row(sheet, formats, 0, columns)
    text = formats.table(valign="top")
    centred = formats.table(valign="top", align="center")
    severity_styles = {severity: formats.table(valign="top", align="center", bold=severity == "error",
                                               bg_color=fill, font_color=font)
                       for severity, (fill, font) in TROUBLE_FILL.items()}
    widths = [width for _, width in columns]
    lines = SheetRows(sheet)
    line = 0
    catalog = rollup.catalog
    for unit in rollup.units:
        for finding in unit.findings:
            line += 1
            rule = RULES.get(finding.rule)
            _write_line(lines, line, widths, [
                (line, centred), (unit.unit, text), (unit_source(unit), text), (finding.cell, text),
                (", ".join(row_stt(catalog, row_id) for row_id in finding.ids), centred),
                (SEVERITY_VI.get(finding.severity, finding.severity), severity_styles.get(finding.severity, centred)),
                (rule.title if rule else finding.rule, text), (finding.message, text)])
    _finish_list(sheet, line, len(columns), text, "Không có lỗi hay cảnh báo nào trong các tệp đã dùng.")
    lines.finish()
    return lines


def row_stt(catalog: Catalog, row_id: str) -> str:
    """The STT a reader finds the row by; the row id when the STT says nothing ('Trong đó', blank)."""
    if row_id not in catalog:
        return row_id
    stt = catalog.row(row_id).stt.strip().rstrip(".")
    return stt if stt and stt.casefold() != "trong đó" else row_id


# ----- Tình hình nộp -----

@dataclass(frozen=True)
class SubmissionLine:
    """One line of 'Tình hình nộp': a unit of the roster, or one more file it sent."""

    name: str
    status: str  # a key of STATUS_VI
    path: str
    modified: float | None
    note: str


def submission_lines(result: MergeResult) -> list[SubmissionLine]:
    """The roster in order (or, without one, the units used), each unit's unused extra files below it."""
    reasons = {item.path: item.reason for item in result.rejected}
    entries = result.roster or [RosterEntry(unit.unit, "submitted", unit.path, unit.modified)
                                for unit in result.rollup.units]
    lines = []
    for entry in entries:
        outside = [] if entry.in_roster else ["Không có trong danh sách đơn vị phải nộp"]
        duplicate = _duplicate_of(entry, result.duplicates)
        if entry.status == "missing":
            lines.append(SubmissionLine(entry.name, "missing", "", None, "Chưa nhận được tệp của đơn vị"))
        elif entry.status == "rejected":
            reason = reasons.get(entry.path or "", "Tệp không dùng được")
            lines.append(SubmissionLine(entry.name, "rejected", entry.path or "", entry.modified, reason))
        else:
            note = [f"Nộp {len(duplicate.ignored) + 1} tệp; dùng tệp sửa gần nhất"] if duplicate else []
            lines.append(SubmissionLine(entry.name, "submitted", entry.path or "", entry.modified,
                                        "; ".join(note + outside)))
        for ignored in duplicate.ignored if duplicate else ():
            lines.append(SubmissionLine(entry.name, "duplicate", ignored, _modified(ignored),
                                        f"Không dùng: đã có tệp mới hơn {duplicate.used}"))
    return lines


def _duplicate_of(entry: RosterEntry, duplicates: list[Duplicate]) -> Duplicate | None:
    if not entry.path:
        return None
    return next((item for item in duplicates if item.used == entry.path), None)


def _modified(path: str) -> float | None:
    """When a set-aside file was last changed (a Duplicate records only the paths)."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


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
    line = header_row
    for number, item in enumerate(lines, start=1):
        line += 1
        modified = datetime.fromtimestamp(item.modified).replace(microsecond=0) if item.modified else None
        _write_line(rendered, line, widths, [
            (number, centred), (item.name, text), (STATUS_VI[item.status], status_styles[item.status]),
            (item.path, text), (modified, when), (item.note, text)])
    sheet.autofilter(header_row, 0, max(line, header_row + 1), last_column)
    sheet.freeze_panes(header_row + 1, 0)

    if result.rejected:
        line += 2
        sheet.write_string(line, 0, f"Tệp bị từ chối ({len(result.rejected)})", formats.get(font_name=FONT, bold=True))
        line += 1
        _write_header_row(sheet, formats, line, [("STT", 0), ("Tệp", 0), ("Lý do", 0)],
                          spans={1: (1, 3), 2: (4, last_column)})
        for number, item in enumerate(result.rejected, start=1):
            line += 1
            sheet.write_number(line, 0, number, centred)
            sheet.merge_range(line, 1, line, 3, "", text)
            write_text(sheet, line, 1, item.path, text)
            sheet.merge_range(line, 4, line, last_column, "", text)
            write_text(sheet, line, 4, item.reason, text)
            sheet.set_row(line, _height([(item.path, sum(widths[1:4])), (item.reason, sum(widths[4:]))]))
    _print_setup(sheet, landscape=True, header_rows=(header_row, header_row))
    rendered.finish()
    return rendered


def submission_counts(result: MergeResult, lines: list[SubmissionLine]) -> str:
    by_status = {status: sum(1 for item in lines if item.status == status) for status in STATUS_VI}
    parts = [f"Đã nộp: {by_status['submitted']}"]
    if result.roster:
        parts.append(f"Chưa nộp: {by_status['missing']}")
    if by_status["rejected"]:
        parts.append(f"Bị từ chối: {by_status['rejected']}")
    if by_status["duplicate"]:
        parts.append(f"Tệp trùng không dùng: {by_status['duplicate']}")
    parts.append(f"Tổng số tệp đã xét: {result.inputs}")
    if not result.roster:
        parts.append("Không có danh sách đơn vị phải nộp (--roster), nên không biết đơn vị nào chưa nộp")
    return "; ".join(parts) + "."


# ----- Biểu đồ -----

def chart_groups(catalog: Catalog) -> dict[str, list[Row]]:
    """Chart title -> the percent rows the catalog puts on it, in catalog order."""
    groups: dict[str, list[Row]] = {}
    for row in catalog.rows:
        if row.chart and row.kind == "percent":
            groups.setdefault(row.chart, []).append(row)
    return groups


def unit_percents(rollup: Rollup) -> dict[str, list[float | None]]:
    """Row id -> each unit's unit_percent, for the rows "Chi tiết" recomputes and the charted rows."""
    rows = [row for row in rollup.catalog.rows if row.percent is not None or (row.chart and row.kind == "percent")]
    return {row.id: [unit_percent(unit, row) for unit in rollup.units] for row in rows}


def unit_percent(unit: UnitReport, row: Row) -> float | None:
    """A unit's percent on a row: recomputed from its own parts when the form defines them, else as reported."""
    if row.percent is not None:
        numerator = row.percent.numerator.evaluate(unit.values)
        denominator = row.percent.denominator.evaluate(unit.values)
        if numerator is not None and denominator:
            # float(numerator / denominator * 100) in one correctly rounded int division, without Fractions
            return round(100 * numerator.numerator * denominator.denominator
                         / (numerator.denominator * denominator.numerator), 2)
    value = unit.values.get(row.id)
    return float(value) if _finite(value) else None


def chart_series(rollup: Rollup, percents: dict[str, list[float | None]] | None = None) -> dict[str, list[ChartSeries]]:
    """Chart title -> its series with each unit's percent; series and charts without any figure left out.
    `percents` (from unit_percents) saves computing them again."""
    percents = percents or {}
    charted = {}
    for name, rows in chart_groups(rollup.catalog).items():
        series = [ChartSeries(row, percents[row.id] if row.id in percents
                              else [unit_percent(unit, row) for unit in rollup.units]) for row in rows]
        series = [item for item in series if any(value is not None for value in item.values)]
        if series:
            charted[name] = series
    return charted


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
    return value if _finite(value) else ""


def _write_number_or_blank(sheet: Worksheet, line: int, column: int, value: float | None, style) -> None:
    if _finite(value):
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
            "values_data": [f"{value:.16g}" if _finite(value) else "" for value in item.values],
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


def series_name(row: Row) -> str:
    return short_label(row, 90)


def chart_height(units: int, series: int) -> int:
    """Enough height for readable bars and unit names, within what a page and Excel handle."""
    return min(3000, max(320, 110 + 16 * units * series + (30 if series > 1 else 0)))


# ----- Ghi chú đơn vị -----

def _write_unit_notes(sheet: Worksheet, formats: Formats, rollup: Rollup) -> SheetRows:
    columns = [("STT", 5), ("Đơn vị", 24), ("Dòng", 8), ("Chỉ tiêu", 45), ("Ô số liệu", 14), ("Ghi chú / nội dung", 70)]
    _write_header_row(sheet, formats, 0, columns)
    text = formats.table(valign="top")
    centred = formats.table(valign="top", align="center")
    catalog = rollup.catalog
    widths = [width for _, width in columns]
    order = catalog_order(catalog)
    stts = {row.id: row_stt(catalog, row.id) for row in catalog.rows}
    lines = SheetRows(sheet)
    line = 0
    for unit in rollup.units:
        for row_id, note in unit_texts(unit, order):
            line += 1
            _write_line(lines, line, widths, [
                (line, centred), (unit.unit, text), (stts[row_id], centred),
                (catalog.row(row_id).label, text), (unit.cells.get(row_id), text), (note, text)])
    _finish_list(sheet, line, len(columns), text, "Các đơn vị không ghi chú gì thêm.")
    lines.finish()
    return lines


def catalog_order(catalog: Catalog) -> dict[str, int]:
    """Row id -> its position in the catalog."""
    return {row.id: position for position, row in enumerate(catalog.rows)}


def unit_texts(unit: UnitReport, order: dict[str, int]) -> Iterable[tuple[str, str]]:
    """(row id, text) of a unit's notes and text answers on the rows of `order` (row id -> position
    in the catalog), in catalog order; a row's text answer before its note."""
    written = [row_id for row_id in unit.texts.keys() | unit.notes.keys() if row_id in order]
    for row_id in sorted(written, key=order.__getitem__):
        for text in (unit.texts.get(row_id), unit.notes.get(row_id)):
            if text:
                yield row_id, text


# ----- _cchc -----

def _write_meta(sheet: Worksheet, entries: dict[str, str]) -> SheetRows:
    lines = SheetRows(sheet)
    for line, cells in enumerate(meta.encode(entries)):
        lines.write(line, [(text, None) for text in cells])
    sheet.very_hidden()
    lines.finish()
    return lines


# ----- shared -----

def _finite(value: Any) -> bool:
    """A number a cell can hold (a state read from a file could carry NaN or infinity)."""
    return value is not None and math.isfinite(value)


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


def _write_line(lines: SheetRows, line: int, widths: list[float], cells: list[tuple[Any, Any]]) -> None:
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


def _write_header_row(sheet: Worksheet, formats: Formats, line: int, columns: list[tuple[str, float]],
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
