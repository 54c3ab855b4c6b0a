"""The roll-up's state as JSON: what a roll-up workbook carries in its "_cchc" sheet so that a
higher level (district into province) combines roll-ups exactly, and reading it back.

The state holds the units' own figures and every row's accumulator (each rule writes and reads its
own, rules.py). A state read from a file is untrusted: anything malformed is a StateError with a
Vietnamese message, never a crash, and its sizes are bounded (untrusted.py).
"""

from __future__ import annotations

import json
from math import isfinite
from typing import TYPE_CHECKING, Any

from ..catalog import Catalog
from ..findings import ERROR, WARNING, Finding, format_value, json_value
from ..submission import short_unit
from . import untrusted
from .rules import RULES, Rule
from .units import UnitReport

if TYPE_CHECKING:
    from .combined import Rollup

STATE_FORMAT = 1
_BROKEN = (ValueError, TypeError, KeyError, AttributeError, ZeroDivisionError)


class StateError(ValueError):
    """A roll-up state that cannot be used; the message is Vietnamese."""


def dumps(rollup: Rollup) -> str:
    data = {
        "format": STATE_FORMAT,
        "catalog": rollup.catalog.id,
        "catalog_version": rollup.catalog.version,
        "period": rollup.period,
        "units": [_unit_to_json(unit) for unit in rollup.units],
        "rows": {row_id: accumulator.to_json() for row_id, accumulator in rollup.rows.items()},
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def loads(catalog: Catalog, text: str) -> tuple[str | None, list[UnitReport], dict[str, Rule]]:
    """(period, units, stored accumulators) of a state; StateError (Vietnamese) when it cannot be used.

    Only accumulators stored under the catalog's current rule of their row come back; the others
    are to be rebuilt from the units' figures.
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
        listed = data.get("units")
        if isinstance(listed, list) and len(listed) > untrusted.MAX_UNITS:
            raise StateError(f"dữ liệu tổng hợp có {format_value(len(listed))} đơn vị, nhiều hơn số xã, phường "
                             f"của cả nước (tối đa {format_value(untrusted.MAX_UNITS)})")
        units = [_unit_from_json(item) for item in untrusted.items(listed, untrusted.MAX_UNITS)]
        stored = data.get("rows") or {}
        if not isinstance(stored, dict):
            raise StateError("dữ liệu các dòng không hợp lệ")
    except StateError:
        raise
    except (*_BROKEN, RecursionError) as exc:
        raise StateError(f"dữ liệu tổng hợp bị hỏng ({type(exc).__name__})") from None
    # The state leaves out blanks; a unit's values name every figure row, in the catalog's order.
    blank = dict.fromkeys(row.id for row in catalog.figure_rows)
    for unit in units:
        filled = blank.copy()
        if unit.values.keys() <= filled.keys():
            filled.update(unit.values)
        else:  # figures of rows the catalog does not have (any more): left out
            filled = {row_id: unit.values.get(row_id) for row_id in blank}
        unit.values = filled
    accumulators: dict[str, Rule] = {}
    for row in catalog.rows:
        item = stored.get(row.id)
        rule = RULES[row.rollup]
        if rule.keeps_state and isinstance(item, dict) and item.get("rule") == row.rollup:
            try:
                accumulators[row.id] = rule.from_json(item)
            except _BROKEN as exc:
                raise StateError(f"dữ liệu dòng {row.id} bị hỏng ({type(exc).__name__})") from None
    return period, units, accumulators


def _unit_to_json(unit: UnitReport) -> dict[str, Any]:
    return {
        "unit": unit.unit, "path": unit.path, "modified": unit.modified, "period": unit.period,
        # NaN or infinity is no figure (and not JSON): left out, as a blank is.
        "values": {row_id: value for row_id, value in unit.values.items() if value is not None and isfinite(value)},
        "notes": unit.notes, "cells": unit.cells, "texts": unit.texts, "via": unit.via,
        # The cell's text is all a roll-up shows of a unit's finding: its place is not kept.
        "findings": [finding.to_json(with_place=False) for finding in unit.findings],
    }


def _unit_from_json(item: Any) -> UnitReport:
    if not isinstance(item, dict):
        raise TypeError("unit is not an object")
    values: dict[str, float | int | None] = {**untrusted.figures(item.get("values"))}
    period = item.get("period")
    text = untrusted.text
    return UnitReport(
        unit=short_unit(text(item["unit"])), path=text(item.get("path", "")), modified=untrusted.moment(item.get("modified", 0.0)),
        period=None if period is None else text(period), values=values,
        notes=untrusted.texts(item.get("notes")), cells=untrusted.texts(item.get("cells")),
        texts=untrusted.texts(item.get("texts")), via=text(item.get("via", "")),
        findings=[_finding_from_json(finding) for finding in untrusted.items(item.get("findings"))])


def _finding_from_json(item: Any) -> Finding:
    if not isinstance(item, dict):
        raise TypeError("finding is not an object")
    severity = item.get("severity")
    if severity not in (ERROR, WARNING):
        raise ValueError("unknown severity")
    cell = item.get("cell")
    text = untrusted.text
    return Finding(text(item.get("rule", "")), severity, tuple(text(i) for i in untrusted.items(item.get("ids"))),
                   None if cell is None else text(cell), text(item.get("message", "")),
                   json_value(item.get("value")), json_value(item.get("expected")))

