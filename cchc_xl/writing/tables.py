"""A roll-up as plain tables (lists of rows), for writers that put values into an open workbook.

The Tổng hợp button writes these through xlwings into the workbook it was pressed in; the
sheets carry the same names and the same texts (rollup_view.py) as the roll-up workbook file
(rollup_book.py), without the styling a file writer adds.
"""

from __future__ import annotations

from typing import Any

from .. import periods
from ..findings import RULES, SEVERITY_VI
from ..merging import MergeResult
from ..rollup import Rollup
from ..submission import SUMMARY_SHEET
from .rollup_view import (DETAIL_SHEET, FINDINGS_SHEET, STATUS_VI, SUBMISSIONS_SHEET,
                          UNIT_NOTES_SHEET, catalog_order, modified_time, row_stt, short_label, sources_text,
                          submission_counts, submission_lines, summary_note, summary_value, unit_source, unit_texts)

Rows = list[list[Any]]
SHEETS = (SUMMARY_SHEET, DETAIL_SHEET, FINDINGS_SHEET, SUBMISSIONS_SHEET, UNIT_NOTES_SHEET)


def rollup_tables(result: MergeResult) -> dict[str, Rows]:
    """Sheet name -> rows, in the order the roll-up workbook has them."""
    rollup = result.rollup
    tables = (summary_rows(result), detail_rows(rollup), findings_rows(rollup), submissions_rows(result),
              unit_notes_rows(rollup))
    return dict(zip(SHEETS, tables))


def summary_rows(result: MergeResult) -> Rows:
    """The form's title and header, one line per catalog row with the combined figure and how it was combined."""
    rollup = result.rollup
    catalog = rollup.catalog
    columns = catalog.columns
    rows: Rows = [[line] for line in catalog.title_lines(result.parent_unit or "……",
                                                         periods.label(rollup.period) or "……")]
    rows.append([])
    rows.append([columns["stt"], columns["label"], columns["unit"], columns["value"], columns["note"]])
    for row in catalog.rows:
        value = summary_value(rollup, row) if row.rollup != "none" else None
        rows.append([row.stt, row.label, row.unit, value, summary_note(rollup, row)])
    rows.append([])
    rows.append([sources_text(result)])
    return rows


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
