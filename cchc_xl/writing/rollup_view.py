"""What the roll-up says, apart from how it is drawn: the summary's figures and notes, the
submission lines, the chart series, the units' texts, the metadata of the "_cchc" sheet.

The roll-up workbook file (rollup_book.py, XlsxWriter) and the tables the Tổng hợp button writes
into an open workbook (tables.py, xlwings) both render this content, so the two say the same.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from .. import periods
from ..catalog import Catalog, Row
from ..merging import Duplicate, MergeResult, RosterEntry
from ..rollup import Rollup, UnitReport
from ..submission import DETAIL_SHEET, ROLLUP_KIND
from .template import metadata

FINDINGS_SHEET = "Kiểm tra"
SUBMISSIONS_SHEET = "Tình hình nộp"
CHARTS_SHEET = "Biểu đồ"
UNIT_NOTES_SHEET = "Ghi chú đơn vị"

STATUS_VI = {"submitted": "Đã nộp", "missing": "Chưa nộp", "duplicate": "Trùng (không dùng)",
             "rejected": "Bị từ chối"}


# ----- Tổng hợp -----

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
    return text + "." + (" " + result.period_note if result.period_note else "")


def rollup_metadata(result: MergeResult) -> dict[str, str]:
    rollup = result.rollup
    entries = metadata(rollup.catalog, unit=result.parent_unit, period_text=periods.label(rollup.period),
                       kind=ROLLUP_KIND)
    entries["period"] = rollup.period or ""
    entries["state"] = rollup.state_json()
    # Who is not in the figures, for the Word report made from this roll-up (cchc-xl report).
    entries["missing"] = json.dumps(result.missing, ensure_ascii=False)
    entries["rejected"] = json.dumps([item.reason for item in result.rejected], ensure_ascii=False)
    return entries


# ----- Chi tiết, Kiểm tra, Ghi chú đơn vị -----

def short_label(row: Row, limit: int = 70) -> str:
    label = row.label if len(row.label) <= limit else row.label[: limit - 1].rstrip() + "…"
    stt = row.stt.strip()
    return f"{stt} {label}" if stt and stt.casefold() != "trong đó" else label


def unit_source(unit: UnitReport) -> str:
    return f"{unit.path} (qua bản tổng hợp {unit.via})" if unit.via else unit.path


def row_stt(catalog: Catalog, row_id: str) -> str:
    """The STT a reader finds the row by; the row id when the STT says nothing ('Trong đó', blank)."""
    if row_id not in catalog:
        return row_id
    stt = catalog.row(row_id).stt.strip().rstrip(".")
    return stt if stt and stt.casefold() != "trong đó" else row_id


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
    assumed = {unit.path for unit in result.rollup.units if any(f.rule == "period-assumed" for f in unit.findings)}
    period = periods.label(result.rollup.period)
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
            if entry.path in assumed:
                note.append(f"Tệp không ghi kỳ báo cáo; đã tính vào kỳ {period}")
            lines.append(SubmissionLine(entry.name, "submitted", entry.path or "", entry.modified,
                                        "; ".join(note + outside + ([entry.note] if entry.note else []))))
        if duplicate:
            for ignored in duplicate.ignored:
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


def modified_time(modified: float | None) -> datetime | None:
    """When a file was last changed, to the second, as a cell shows it."""
    return datetime.fromtimestamp(modified).replace(microsecond=0) if modified else None


# ----- Biểu đồ -----

@dataclass(frozen=True)
class ChartSeries:
    row: Row
    values: list[float | None]  # one per unit, in the units' order


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
        percent = unit.own_rate(row).percent
        if percent is not None:
            return percent
    value = unit.values.get(row.id)
    return float(value) if value is not None and finite(value) else None


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


def series_name(row: Row) -> str:
    return short_label(row, 90)


def finite(value: Any) -> bool:
    """A number a cell can hold (a state read from a file could carry NaN or infinity)."""
    return value is not None and math.isfinite(value)
