"""Many units' figures combined into one roll-up ("Tổng hợp"), exactly and composably.

Each row of the catalog says how units combine (`Row.rollup`):

    sum             counts, money: the sum over the units that reported
    recompute       a percent defined by parts: numerator / denominator × 100 over the combined parts
    mean            a percent with no parts: the mean over the units that reported it
    count_yes       a Có/Không answer: how many units answered 1 (of those that answered)
    count_per_code  other coded answers: how many units gave each code
    common          a count from a shared list (procedures): the value most units give; ties go to
                    the smallest value; the units that differ are listed
    per_unit        text: kept per unit
    none            not combined

Every row keeps an accumulator (sums and counts as Fractions, units per code or per value, texts
per unit) that merges by simple addition or union, so combining the roll-ups of groups of units
gives exactly what combining all those units at once gives. The accumulators and the units'
own figures travel in the roll-up workbook as JSON (`state_json`), so district roll-ups merge
into a province one. Floats appear only at the edge (`totals`, `display`).
"""

from __future__ import annotations

import decimal
import json
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from .catalog import Catalog, Row
from .expr import as_fraction
from .findings import ERROR, WARNING, Finding, format_value
from .periods import fold

STATE_FORMAT = 1
# Bounds on what a state read from a file may hold, so a hostile workbook cannot exhaust memory.
_MAX_NUMBER_TEXT = 200
# What one cell of the roll-up sheet lists before pointing to the detail sheet (Excel holds 32,767 characters).
_LISTED_UNITS = 10
_MAX_CELL_TEXT = 30_000


class StateError(ValueError):
    """A roll-up state that cannot be used; the message is Vietnamese."""


@dataclass
class UnitReport:
    """One contributing unit: a commune's (or department's) file, as read and checked."""

    unit: str
    path: str
    modified: float
    period: str | None
    values: dict[str, float | int | None]
    notes: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # rows of kind 'text', by row id
    via: str = ""  # the roll-up file this unit came through, when it was not read directly

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == WARNING)


@dataclass
class RowState:
    """What one row needs to be combined again: every field merges by addition or union."""

    total: Fraction = Fraction(0)  # sum, mean
    reported: int = 0  # units that gave a figure (sum, mean, codes, common)
    codes: dict[int, int] = field(default_factory=dict)  # code -> units (count_yes, count_per_code)
    values: dict[Fraction, list[str]] = field(default_factory=dict)  # value -> units (common)
    texts: dict[str, str] = field(default_factory=dict)  # unit -> text (per_unit)

    def merged(self, other: "RowState") -> "RowState":
        codes = Counter(self.codes)
        codes.update(other.codes)
        values = {value: list(units) for value, units in self.values.items()}
        for value, units in other.values.items():
            values[value] = sorted(values.get(value, []) + list(units))
        return RowState(self.total + other.total, self.reported + other.reported,
                        dict(sorted(codes.items())), dict(sorted(values.items())), {**self.texts, **other.texts})


@dataclass
class Rollup:
    catalog: Catalog
    period: str | None
    units: list[UnitReport]
    rows: dict[str, RowState] = field(default_factory=dict, repr=False)
    _recompute_cache: dict[str, tuple] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ----- exact values -----

    def exact(self, row_id: str) -> Fraction | None:
        """The combined figure of a numeric row as an exact number (None when there is none)."""
        row = self.catalog.row(row_id)
        if row.rollup == "recompute":
            return self._recomputed(row)[2]
        return _exact(row, self.rows.get(row_id, RowState()))

    def _recomputed(self, row: Row) -> tuple[Fraction | None, Fraction | None, Fraction | None]:
        """(numerator, denominator, percent) over the units that gave every part of the percent.

        A unit that gave the dossiers resolved but not those resolved on time must not pull the
        on-time rate down: the parts are combined over the complete units only, each by its own rule.
        """
        return self._percent_basis(row)[:3]

    def _percent_basis(self, row: Row) -> tuple[Fraction | None, Fraction | None, Fraction | None, int, int]:
        """_recomputed's figures plus how many units gave every part and how many gave only some."""
        cached = self._recompute_cache.get(row.id)
        if cached is None:
            ids = row.percent.ids
            given = [sum(unit.values.get(ref) is not None for ref in ids) for unit in self.units]
            complete = [unit for unit, count in zip(self.units, given) if count == len(ids)]
            partial = sum(1 for count in given if 0 < count < len(ids))
            parts = {ref: _exact(self.catalog.row(ref), _state_of(self.catalog.row(ref), complete)) for ref in ids}
            numerator = row.percent.numerator.evaluate(parts)
            denominator = row.percent.denominator.evaluate(parts)
            percent = (None if numerator is None or denominator is None or denominator == 0
                       else numerator / denominator * 100)
            cached = self._recompute_cache[row.id] = (numerator, denominator, percent, len(complete), partial)
        return cached

    # ----- what the outputs show -----

    def totals(self) -> dict[str, Any]:
        """JSON-ready combined value of every row that combines, by row id."""
        result: dict[str, Any] = {}
        for row in self.catalog.rows:
            if row.rollup == "none":
                continue
            state = self.rows.get(row.id, RowState())
            if row.rollup == "count_per_code":
                result[row.id] = ({_code_key(code): count for code, count in self._code_counts(row).items()}
                                  if state.reported else None)
            elif row.rollup == "per_unit":
                result[row.id] = dict(_by_unit_name(state.texts)) or None
            else:
                result[row.id] = _edge(self.exact(row.id))
        return result

    def display(self, row_id: str) -> int | float | str | None:
        """What the 'Tổng hợp' sheet shows in 'Số liệu' for this row."""
        row = self.catalog.row(row_id)
        state = self.rows.get(row_id, RowState())
        if row.rollup in ("sum", "common"):
            return _edge(self.exact(row_id))
        if row.rollup in ("mean", "recompute"):
            value = self.exact(row_id)
            return None if value is None else round(float(value), 2)
        if row.rollup == "count_yes":
            return f"{state.codes.get(1, 0)}/{state.reported} đơn vị" if state.reported else None
        if row.rollup == "count_per_code":
            if not state.reported:
                return None
            return "; ".join(f"{_code_word(row, code)}: {count}" for code, count in self._code_counts(row).items())
        if row.rollup == "per_unit":
            text = "\n".join(f"{unit}: {text}" for unit, text in _by_unit_name(state.texts))
            return (text[:_MAX_CELL_TEXT] + "…" if len(text) > _MAX_CELL_TEXT else text) or None
        return None

    def combination(self, row_id: str) -> str:
        """How the row was combined, in Vietnamese, for the note beside the figure."""
        row = self.catalog.row(row_id)
        state = self.rows.get(row_id, RowState())
        everyone = len(self.units)
        rule = row.rollup
        if rule == "sum":
            if not state.reported:
                return "Không đơn vị nào báo cáo"
            if state.reported == everyone:
                return f"Tổng của {everyone} đơn vị"
            return f"Tổng của {state.reported}/{everyone} đơn vị đã báo cáo"
        if rule == "mean":
            if not state.reported:
                return "Không đơn vị nào báo cáo"
            return f"Trung bình của {state.reported}/{everyone} đơn vị đã báo cáo"
        if rule == "recompute":
            numerator, denominator, percent, complete, partial = self._percent_basis(row)
            basis = (f" của {complete} đơn vị có đủ số liệu ({partial} đơn vị thiếu một phần, không tính)"
                     if partial else "")
            if percent is not None:
                return (f"Tính lại từ tổng các phần{basis}: "
                        f"{format_value(numerator)} / {format_value(denominator)} × 100")
            if denominator == 0:
                return "Tính lại từ tổng các phần: mẫu số bằng 0, không tính được tỷ lệ"
            return "Tính lại từ tổng các phần: thiếu số liệu các phần, không tính được tỷ lệ"
        if rule == "count_yes":
            if not state.reported:
                return "Không đơn vị nào trả lời"
            text = f"{state.codes.get(1, 0)}/{state.reported} đơn vị trả lời {_code_word(row, 1)}"
            silent = everyone - state.reported
            return text + (f"; {silent} đơn vị không trả lời" if silent > 0 else "")
        if rule == "count_per_code":
            if not state.reported:
                return "Không đơn vị nào trả lời"
            return f"Số đơn vị theo từng câu trả lời ({state.reported}/{everyone} đơn vị trả lời)"
        if rule == "common":
            common = _most_common(state.values)
            if common is None:
                return "Không đơn vị nào báo cáo"
            others = self.disagreements(row_id)
            if not others:
                return f"Giá trị chung {format_value(common)} (cả {state.reported} đơn vị)"
            listed = ", ".join(f"{unit} ({format_value(value)})" for unit, value in others[:_LISTED_UNITS])
            if len(others) > _LISTED_UNITS:
                listed += f" và {len(others) - _LISTED_UNITS} đơn vị khác (xem sheet Chi tiết)"
            tie = _is_tied(state.values)
            return (f"Giá trị chung {format_value(common)}; khác: {listed}"
                    + ("; nhiều giá trị có cùng số đơn vị, lấy giá trị nhỏ nhất" if tie else ""))
        if rule == "per_unit":
            return f"Giữ nguyên theo từng đơn vị ({len(state.texts)} đơn vị có ghi)"
        return ""

    def disagreements(self, row_id: str) -> list[tuple[str, Any]]:
        """For 'common' rows: (unit, value) of the units whose value differs from the common one."""
        state = self.rows.get(row_id, RowState())
        common = _most_common(state.values)
        return [(unit, _edge(value)) for value, units in sorted(state.values.items())
                if value != common for unit in units]

    def notes(self, row_id: str) -> dict[str, str]:
        """The 'Ghi chú' each unit wrote on this row, by unit."""
        return {unit.unit: unit.notes[row_id] for unit in self.units if unit.notes.get(row_id)}

    def _code_counts(self, row: Row) -> dict[int | Fraction, int]:
        """Units per code: every code of the legend (0 when nobody gave it), then any other code given."""
        state = self.rows.get(row.id, RowState())
        codes = {code: 0 for code in sorted(row.codes or {})}
        codes.update(state.codes)
        return dict(sorted(codes.items()))

    # ----- state -----

    def state_json(self) -> str:
        data = {
            "format": STATE_FORMAT,
            "catalog": self.catalog.id,
            "catalog_version": self.catalog.version,
            "period": self.period,
            "units": [_unit_to_json(unit) for unit in self.units],
            "rows": {row_id: _state_to_json(self.catalog.row(row_id).rollup, state)
                     for row_id, state in self.rows.items()},
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_state_json(cls, catalog: Catalog, text: str) -> "Rollup":
        """The roll-up a workbook of ours carries; StateError (Vietnamese) when it cannot be used.

        A row whose stored rule is not the catalog's current one is rebuilt from the units' figures.
        """
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
                raise StateError("dữ liệu tổng hợp không đúng định dạng")
            if data.get("catalog") != catalog.id:
                raise StateError(f"dữ liệu tổng hợp thuộc mẫu '{data.get('catalog')}', không phải '{catalog.id}'")
            period = data.get("period")
            if period is not None and not isinstance(period, str):
                raise StateError("kỳ báo cáo trong dữ liệu tổng hợp không hợp lệ")
            units = [_unit_from_json(item) for item in _list(data.get("units"))]
            stored = data.get("rows") or {}
            if not isinstance(stored, dict):
                raise StateError("dữ liệu các dòng không hợp lệ")
        except StateError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, ZeroDivisionError, RecursionError) as exc:
            raise StateError(f"dữ liệu tổng hợp bị hỏng ({type(exc).__name__})") from None
        for unit in units:  # the state leaves out blanks; a unit's values name every figure row
            unit.values = {row.id: unit.values.get(row.id) for row in catalog.figure_rows}
        rebuilt = from_units(catalog, units, period)
        for row_id in list(rebuilt.rows):
            item = stored.get(row_id)
            if isinstance(item, dict) and item.get("rule") == catalog.row(row_id).rollup:
                try:
                    rebuilt.rows[row_id] = _state_from_json(item)
                except (ValueError, TypeError, KeyError, AttributeError, ZeroDivisionError) as exc:
                    raise StateError(f"dữ liệu dòng {row_id} bị hỏng ({type(exc).__name__})") from None
        return rebuilt


def combining_rows(catalog: Catalog) -> list[Row]:
    """Rows that keep an accumulator (recompute needs none: it reads its parts)."""
    return [row for row in catalog.rows if row.rollup not in ("none", "recompute")]


def from_units(catalog: Catalog, units: Iterable[UnitReport], period: str | None) -> Rollup:
    units = list(units)
    return Rollup(catalog, period, units, {row.id: _state_of(row, units) for row in combining_rows(catalog)})


def combine(rollups: list[Rollup]) -> Rollup:
    """The roll-up of all units behind `rollups` (same form and period)."""
    if not rollups:
        raise ValueError("Không có bản tổng hợp nào để gộp")
    catalog = rollups[0].catalog
    periods = {rollup.period for rollup in rollups if rollup.period is not None}
    if any(rollup.catalog.id != catalog.id for rollup in rollups):
        raise ValueError("Các bản tổng hợp thuộc các mẫu khác nhau, không gộp được")
    if len(periods) > 1:
        raise ValueError("Các bản tổng hợp thuộc các kỳ báo cáo khác nhau, không gộp được")
    rows = {row.id: RowState() for row in combining_rows(catalog)}
    units: list[UnitReport] = []
    for rollup in rollups:
        units.extend(rollup.units)
        for row_id in rows:
            rows[row_id] = rows[row_id].merged(rollup.rows.get(row_id, RowState()))
    return Rollup(catalog, periods.pop() if periods else None, units, rows)


def _state_of(row: Row, units: list[UnitReport]) -> RowState:
    """The accumulator of one row over `units`."""
    if row.rollup == "per_unit":
        return RowState(texts={unit.unit: unit.texts[row.id] for unit in units if unit.texts.get(row.id)})
    given = [(unit.unit, unit.values[row.id]) for unit in units if unit.values.get(row.id) is not None]
    state = RowState(reported=len(given))
    if row.rollup in ("sum", "mean"):
        whole = sum(value for _, value in given if isinstance(value, int))  # exact and fast for counts
        state.total = Fraction(whole) + exact_sum([value for _, value in given if not isinstance(value, int)])
    elif row.rollup in ("count_yes", "count_per_code"):
        codes = Counter(value if isinstance(value, int) else _code(as_fraction(value)) for _, value in given)
        state.codes = dict(sorted(codes.items()))
    elif row.rollup == "common":
        values: dict[Fraction, list[str]] = {}
        for name, value in given:
            values.setdefault(as_fraction(value), []).append(name)
        state.values = {value: sorted(names) for value, names in sorted(values.items())}
    return state


# Wide enough for any sum of floats' shortest decimal texts met in practice; a sum that would still
# need rounding raises Inexact and is done in fractions instead.
_EXACT_DECIMAL = decimal.Context(prec=400, traps=[decimal.Inexact, decimal.InvalidOperation])


def exact_sum(values: list[float]) -> Fraction:
    """The exact sum of the floats read as their shortest decimal texts (as_fraction of each):
    decimal arithmetic, several times faster than adding fractions, trapped so it never rounds."""
    try:
        with decimal.localcontext(_EXACT_DECIMAL):
            return Fraction(sum((decimal.Decimal(repr(value)) for value in values), decimal.Decimal(0)))
    except (decimal.Inexact, decimal.InvalidOperation, ValueError, OverflowError):  # NaN, infinity: as before
        return sum((as_fraction(value) for value in values), Fraction(0))


def _exact(row: Row, state: RowState) -> Fraction | None:
    """The combined figure of a row whose rule needs only its own accumulator."""
    rule = row.rollup
    if rule == "sum":
        return state.total if state.reported else None
    if rule == "mean":
        return state.total / state.reported if state.reported else None
    if rule == "count_yes":
        return Fraction(state.codes.get(1, 0)) if state.reported else None
    if rule == "common":
        return _most_common(state.values)
    return None


def _code(value: Fraction) -> int | Fraction:
    """A code as a whole number; a non-integer code is a lỗi the checks report, counted as given."""
    return int(value) if value.denominator == 1 else value


def _by_unit_name(texts: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(texts.items(), key=lambda item: (fold(item[0]), item[0]))


def _most_common(values: dict[Fraction, list[str]]) -> Fraction | None:
    """The value given by most units; among equally frequent values, the smallest."""
    if not values:
        return None
    return min(values, key=lambda value: (-len(values[value]), value))


def _is_tied(values: dict[Fraction, list[str]]) -> bool:
    sizes = sorted((len(units) for units in values.values()), reverse=True)
    return len(sizes) > 1 and sizes[0] == sizes[1]


def _edge(value: Fraction | None) -> int | float | None:
    """An exact number as JSON/Excel shows it: whole numbers as int."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _code_key(code: int | Fraction) -> str:
    return str(code) if isinstance(code, int) else str(float(code))


def _code_word(row: Row, code: Any) -> str:
    words = row.codes or {}
    return words.get(code, f"Mã {format_value(code)}") if isinstance(code, int) else f"Mã {format_value(code)}"


# ----- JSON of the state -----

def _fraction_text(value: Fraction) -> str:
    return str(value)


def _fraction(text: Any) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise TypeError("not a number")
    if isinstance(text, str) and len(text) > _MAX_NUMBER_TEXT:
        raise ValueError("number too long")
    return Fraction(text)


def _state_to_json(rule: str, state: RowState) -> dict[str, Any]:
    item: dict[str, Any] = {"rule": rule, "reported": state.reported}
    if rule in ("sum", "mean"):
        item["total"] = _fraction_text(state.total)
    if state.codes:
        item["codes"] = [[_fraction_text(Fraction(code)), count] for code, count in state.codes.items()]
    if state.values:
        item["values"] = [[_fraction_text(value), units] for value, units in state.values.items()]
    if state.texts:
        item["texts"] = state.texts
    return item


def _state_from_json(item: dict[str, Any]) -> RowState:
    codes = {}
    for code, count in _list(item.get("codes")):
        number = _fraction(code)
        codes[int(number) if number.denominator == 1 else number] = _int(count)
    values = {_fraction(value): sorted(_text(unit) for unit in _list(units))
              for value, units in _list(item.get("values"))}
    texts = {_text(unit): _text(text) for unit, text in (item.get("texts") or {}).items()}
    return RowState(_fraction(item.get("total", "0")), _int(item.get("reported", 0)),
                    dict(sorted(codes.items())), dict(sorted(values.items())), texts)


def _unit_to_json(unit: UnitReport) -> dict[str, Any]:
    return {
        "unit": unit.unit, "path": unit.path, "modified": unit.modified, "period": unit.period,
        "values": {row_id: value for row_id, value in unit.values.items() if value is not None},
        "notes": unit.notes, "cells": unit.cells, "texts": unit.texts, "via": unit.via,
        "findings": [_finding_to_json(finding) for finding in unit.findings],
    }


def _unit_from_json(item: Any) -> UnitReport:
    if not isinstance(item, dict):
        raise TypeError("unit is not an object")
    values = {}
    for row_id, value in (item.get("values") or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("value is not a number")
        values[_text(row_id)] = value
    period = item.get("period")
    return UnitReport(
        unit=_text(item["unit"]), path=_text(item.get("path", "")), modified=float(item.get("modified", 0.0)),
        period=None if period is None else _text(period), values=values,
        notes=_texts(item.get("notes")), cells=_texts(item.get("cells")), texts=_texts(item.get("texts")),
        via=_text(item.get("via", "")),
        findings=[_finding_from_json(finding) for finding in _list(item.get("findings"))])


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity, "ids": list(finding.ids), "cell": finding.cell,
            "message": finding.message, "value": _plain(finding.value), "expected": _plain(finding.expected)}


def _finding_from_json(item: Any) -> Finding:
    if not isinstance(item, dict):
        raise TypeError("finding is not an object")
    severity = item.get("severity")
    if severity not in (ERROR, WARNING):
        raise ValueError("unknown severity")
    cell = item.get("cell")
    return Finding(_text(item.get("rule", "")), severity, tuple(_text(i) for i in _list(item.get("ids"))),
                   None if cell is None else _text(cell), _text(item.get("message", "")),
                   _plain(item.get("value")), _plain(item.get("expected")))


def _plain(value: Any) -> Any:
    """A finding's value as JSON keeps it: numbers and text as they are, anything else as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Fraction):
        return _edge(value)
    return str(value)


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a count")
    return value


def _texts(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return {_text(key): _text(text) for key, text in value.items()}
