"""Figures across periods: checks against a unit's earlier reports of the year, and a 6-month,
9-month or year report derived from the quarters when the unit did not send one.

How a row moves from one period to the next is declared in its catalog (`Row.over_time`):
flow (the period's own figures), cumulative (since the start of the year), stock (a state at the
date of the report). Periods are the normalised ones of `periods`: 2024-Q1 ... 2024-Q4, 2024-6M,
2024-9M, 2024-Y; 6 tháng covers Quý I and II, 9 tháng Quý I to III.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable

from . import periods
from .catalog import Catalog, Row
from .checks import _row_make
from .expr import as_fraction
from .findings import Finding
from .history import Report, unit_key

SUMMED_KINDS = ("count", "money")  # the kinds whose flows add up over periods
STOCK_JUMP = 10  # a stock that grows or shrinks this many times between two reports is flagged
DERIVABLE = ("6M", "9M", "Y")


def earlier_of_year(period: str | None, reports: Iterable[Report]) -> list[Report]:
    """The reports of the same year that end before `period` ends, oldest first."""
    here = periods.span(period)
    if here is None:
        return []
    found = [report for report in reports
             if (there := periods.span(report.period)) and there[0] == here[0] and there[2] < here[2]]
    return sorted(found, key=lambda report: periods.chronological(report.period))


def cross_period_findings(catalog: Catalog, current: Report, others: Iterable[Report],
                          cell_of: Callable[[str], str | None] = lambda row_id: None) -> list[Finding]:
    """Cảnh báo where `current` contradicts the same unit's other reports of the year (`others`
    may hold any periods and units: only the unit's own earlier periods are compared)."""
    key = current.key
    here = periods.span(current.period)
    mine = [report for report in others if report.key == key]
    before = earlier_of_year(current.period, mine)
    if here is None or not mine:
        return []
    contained = [report for report in mine if report.period != current.period
                 and (there := periods.span(report.period))
                 and there[0] == here[0] and here[1] <= there[1] and there[2] <= here[2]]
    findings: list[Finding] = []
    for row in catalog.figure_rows:
        value = current.values.get(row.id)
        if value is None or row.percent is not None and row.over_time != "cumulative":
            continue
        found = None
        if row.over_time == "cumulative":
            found = _cumulative_drop(row, value, before)
        elif row.over_time == "stock" and row.kind in SUMMED_KINDS:
            found = _stock_jump(row, value, before)
        elif row.over_time == "flow" and row.kind in SUMMED_KINDS:
            found = _flow_below_part(row, value, contained)
        if found:
            rule, other, extra = found
            findings.append(_row_make(
                rule, row, cell_of(row.id), value=value, expected=other.values[row.id],
                period=periods.label(current.period), earlier_period=periods.label(other.period),
                file=Path(current.source).name, earlier_file=Path(other.source).name, **extra))
    return findings


def _cumulative_drop(row: Row, value, before: list[Report]):
    """The most recent earlier report whose cumulative figure is above this one."""
    for other in reversed(before):
        earlier = other.values.get(row.id)
        if earlier is not None and as_fraction(earlier) > as_fraction(value):
            return "cumulative-drop", other, {}
    return None


def _stock_jump(row: Row, value, before: list[Report]):
    """The latest earlier figure, when it is ten times this one or a tenth of it (zeros say nothing)."""
    for other in reversed(before):
        earlier = other.values.get(row.id)
        if earlier is None:
            continue
        if not earlier or not value:
            return None
        ratio = as_fraction(value) / as_fraction(earlier)
        if ratio >= STOCK_JUMP or ratio <= Fraction(1, STOCK_JUMP):
            times = ratio if ratio >= 1 else 1 / ratio
            return "stock-jump", other, {"times": round(float(times), 1),
                                         "direction": "tăng" if ratio > 1 else "giảm"}
        return None
    return None


def _flow_below_part(row: Row, value, contained: list[Report]):
    """A report of a period inside this one (Quý I inside 6 tháng) with a larger figure: the largest."""
    larger = [other for other in contained if other.values.get(row.id) is not None
              and as_fraction(other.values[row.id]) > as_fraction(value)]
    if not larger:
        return None
    return "flow-below-part", max(larger, key=lambda other: as_fraction(other.values[row.id])), {}


# ----- derived periods -----

@dataclass
class Derived:
    report: Report  # the unit's figures for the derived period
    used: list[Report]  # the reports the flows were summed over, in order
    latest: Report  # where cumulative and stock rows come from
    missing: list[str] = field(default_factory=list)  # quarters no report covers


def derive(catalog: Catalog, reports: Iterable[Report], target: str) -> Derived | None:
    """One unit's report for `target` (6M, 9M or Y) from its reports inside that period: flows
    summed over reports that cover the months once (the longest first: a 6-month report rather
    than its two quarters), cumulative and stock rows from the latest report, percents with parts
    recomputed from the derived parts. None when no report lies inside the period."""
    year, _first, end = periods.span(target) or (0, 0, 0)
    inside = [report for report in reports
              if (there := periods.span(report.period)) and there[0] == year and there[2] <= end]
    if not inside:
        return None
    pieces: list[Report] = []
    missing: list[str] = []
    month = 1
    while month <= end:
        starting = [report for report in inside if periods.span(report.period)[1] == month]
        if starting:
            piece = max(starting, key=lambda report: periods.span(report.period)[2])
            pieces.append(piece)
            month = periods.span(piece.period)[2] + 1
        else:
            missing.append(f"{year}-Q{(month - 1) // 3 + 1}")
            month += 3
    latest = max(inside, key=lambda report: periods.chronological(report.period))
    values: dict[str, int | float | None] = {}
    for row in catalog.figure_rows:
        if row.percent is None:
            values[row.id] = _derived_value(row, pieces, latest)
    for row in catalog.figure_rows:
        if row.percent is not None:
            values[row.id] = _percent_of(row, values)
    report = Report(latest.unit, target, values, latest.source, latest.catalog, latest.catalog_version)
    return Derived(report, pieces, latest, missing)


def _derived_value(row: Row, pieces: list[Report], latest: Report):
    if row.over_time != "flow":
        return latest.values.get(row.id)
    given = [piece.values[row.id] for piece in pieces if piece.values.get(row.id) is not None]
    if not given:
        return None
    if row.kind in SUMMED_KINDS:  # like the roll-up's sum: over the periods that reported
        return _plain(sum((as_fraction(value) for value in given), Fraction(0)))
    if row.kind == "yesno" and 1 in given:  # done in any quarter: done in the year
        return 1
    return given[-1]  # a code or a percent without parts: the last answer given


def _percent_of(row: Row, values: dict[str, int | float | None]):
    parts = {ref: as_fraction(values.get(ref)) for ref in row.percent.ids}
    numerator = row.percent.numerator.evaluate(parts)
    denominator = row.percent.denominator.evaluate(parts)
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _plain(numerator / denominator * 100)


def _plain(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def derivation_note(target: str, derived: list[Derived]) -> str:
    """What the derived roll-up was made of, for the sheet under the table and the summary."""
    if not derived:
        return ""
    used = sorted({report.period for item in derived for report in item.used}, key=periods.chronological)
    text = (f"{periods.label(target)} tính từ lịch sử số liệu các kỳ "
            f"{', '.join(periods.label(period) for period in used)}: số phát sinh cộng các kỳ, "
            "số lũy kế và số tại thời điểm lấy theo kỳ gần nhất, tỷ lệ tính lại")
    lacking = [(item.report.unit, item.missing) for item in derived if item.missing]
    if lacking:
        text += "; thiếu " + "; ".join(
            f"{', '.join(periods.label(period) for period in missing)} của {unit}" for unit, missing in lacking)
    return text + "."


def for_units(reports: Iterable[Report]) -> dict[str, list[Report]]:
    """Reports grouped by unit (unit_key), each group oldest first."""
    grouped: dict[str, list[Report]] = {}
    for report in sorted(reports, key=lambda report: periods.chronological(report.period)):
        grouped.setdefault(unit_key(report.unit), []).append(report)
    return grouped
