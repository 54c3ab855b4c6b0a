"""A roll-up as plain tables (lists of rows), for writers that put values into an open workbook.

The Tổng hợp button writes these through xlwings into the workbook it was pressed in; the
sheets carry the same names and the same texts (rollup_view.py) as the roll-up workbook file
(rollup_book.py). Their styling is the workbook's: CCHC-TongHop.xlsm carries them laid out
(vba/workbooks.py), "Tổng hợp" in the official layout of the form, each value in its cell there.
"""

from __future__ import annotations

from typing import Any

from .. import periods
from ..findings import RULES, SEVERITY_VI
from ..merging import MergeResult
from ..rollup import Rollup
from ..submission import SUMMARY_SHEET
from .layout import COLUMN_WIDTHS, header_lines, row_height, title_heights
from .rollup_book import SUMMARY_WIDTHS, footer_height
from .rollup_view import (DETAIL_SHEET, FINDINGS_SHEET, STATUS_VI, SUBMISSIONS_SHEET,
                          UNIT_NOTES_SHEET, catalog_order, modified_time, row_stt, short_label, sources_text,
                          submission_counts, submission_lines, summary_note, summary_value, unit_source, unit_texts)

Rows = list[list[Any]]
SHEETS = (SUMMARY_SHEET, DETAIL_SHEET, FINDINGS_SHEET, SUBMISSIONS_SHEET, UNIT_NOTES_SHEET)
SUMMARY_COLUMN_WIDTHS = {**COLUMN_WIDTHS, **SUMMARY_WIDTHS}


def rollup_tables(result: MergeResult) -> dict[str, Rows]:
    """Sheet name -> rows, in the order the roll-up workbook has them."""
    rollup = result.rollup
    tables = (summary_rows(result), detail_rows(rollup), findings_rows(rollup), submissions_rows(result),
              unit_notes_rows(rollup))
    return dict(zip(SHEETS, tables))


def summary_rows(result: MergeResult) -> Rows:
    """The form's title and header, one line per catalog row with the combined figure and how it was
    combined, the line naming the units: each in the cell the roll-up workbook's "Tổng hợp" has it
    (rollup_book.write_summary_sheet), which CCHC-TongHop.xlsm carries laid out for the button to fill."""
    rollup = result.rollup
    catalog = rollup.catalog
    rows: Rows = [[line] for line in _title(result)]
    rows.append([])
    rows += header_lines(catalog.columns)
    for row, (value, note) in zip(catalog.rows, _figures(rollup)):
        rows.append([row.stt, row.label, row.unit, value, note])
    rows.append([])
    rows.append([sources_text(result)])
    return rows


def summary_heights(result: MergeResult) -> dict[int, float]:
    """Row of summary_rows (from 0) -> the height in points the roll-up workbook gives it, for the rows
    whose text varies with the roll-up: the title (its unit and period), the form's rows (figures, notes)
    and the line naming the units. Excel's AutoFit does not grow merged cells (the title, "Trong đó")."""
    catalog = result.rollup.catalog
    title = _title(result)
    heights = dict(enumerate(title_heights(title, SUMMARY_COLUMN_WIDTHS)))
    first = len(title) + 1 + len(header_lines(catalog.columns))
    for index, (row, (value, note)) in enumerate(zip(catalog.rows, _figures(result.rollup))):
        heights[first + index] = row_height(row, value, note, SUMMARY_COLUMN_WIDTHS)
    heights[first + len(catalog.rows) + 1] = footer_height(sources_text(result))
    return heights


def _title(result: MergeResult) -> list[str]:
    return result.rollup.catalog.title_lines(result.parent_unit or "……", periods.label(result.rollup.period) or "……")


def _figures(rollup: Rollup) -> list[tuple[Any, str]]:
    """(combined figure, how it was combined) of each row of the form."""
    return [(summary_value(rollup, row) if row.rollup != "none" else None, summary_note(rollup, row))
            for row in rollup.catalog.rows]


def detail_rows(rollup: Rollup) -> Rows:
    """Units down, figure rows across; the two header rows of the file: row ids, then STT and label."""
    figure_rows = rollup.catalog.figure_rows
    fixed = ["Đơn vị", "Lỗi", "Cảnh báo", "Kỳ báo cáo"]
    rows: Rows = [fixed + [row.id for row in figure_rows] + ["Tệp"],
                  [""] * len(fixed) + [short_label(row) for row in figure_rows] + [""]]
    for unit in rollup.units:
        rows.append([unit.unit, unit.errors, unit.warnings, periods.label(unit.period)]
                    + [unit.values.get(row.id) for row in figure_rows] + [unit_source(unit)])
    return rows


def findings_rows(rollup: Rollup) -> Rows:
    rows: Rows = [["STT", "Đơn vị", "Tệp", "Ô", "Dòng", "Mức độ", "Quy tắc", "Nội dung"]]
    catalog = rollup.catalog
    for unit in rollup.units:
        for finding in unit.findings:
            rule = RULES.get(finding.rule)
            rows.append([len(rows), unit.unit, unit_source(unit), finding.cell or "",
                         ", ".join(row_stt(catalog, row_id) for row_id in finding.ids),
                         SEVERITY_VI.get(finding.severity, finding.severity),
                         rule.title if rule else finding.rule, finding.message])
    if len(rows) == 1:
        rows.append(["Không có lỗi hay cảnh báo nào trong các tệp đã dùng."])
    return rows


def submissions_rows(result: MergeResult) -> Rows:
    """Who submitted and who did not (each unused extra file below its unit), then the rejected files."""
    period_text = periods.label(result.rollup.period)
    lines = submission_lines(result)
    rows: Rows = [[f"TÌNH HÌNH NỘP BÁO CÁO {period_text.upper()}".strip()], [submission_counts(result, lines)], [],
                  ["STT", "Đơn vị", "Tình trạng", "Tệp", "Thời điểm sửa tệp", "Ghi chú"]]
    rows += [[number, item.name, STATUS_VI[item.status], item.path, modified_time(item.modified), item.note]
             for number, item in enumerate(lines, start=1)]
    if result.rejected:
        rows += [[], [f"Tệp bị từ chối ({len(result.rejected)})"], ["STT", "Tệp", "Lý do"]]
        rows += [[number, item.path, item.reason] for number, item in enumerate(result.rejected, start=1)]
    return rows


def unit_notes_rows(rollup: Rollup) -> Rows:
    rows: Rows = [["STT", "Đơn vị", "Dòng", "Chỉ tiêu", "Ô số liệu", "Ghi chú / nội dung"]]
    catalog = rollup.catalog
    order = catalog_order(catalog)
    for unit in rollup.units:
        for row_id, note in unit_texts(unit, order):
            label = catalog.row(row_id).label if row_id in catalog else row_id
            rows.append([len(rows), unit.unit, row_stt(catalog, row_id), label, unit.cells.get(row_id, ""), note])
    if len(rows) == 1:
        rows.append(["Các đơn vị không ghi chú gì thêm."])
    return rows
