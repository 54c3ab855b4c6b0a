"""The roll-up of many units: the units, one accumulator per combining row, and what each row
comes to (each by its rule, rules.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, TypeVar

from ..catalog import Catalog, Row
from . import state
from .rules import RULES, Common, Rule, Shown, Sum, given_on, own_rate_impossible
from .units import UnitReport

T = TypeVar("T")


@dataclass
class Rollup:
    catalog: Catalog
    period: str | None
    units: list[UnitReport]
    rows: dict[str, Rule] = field(default_factory=dict, repr=False)  # accumulators by row id
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def accumulator(self, row: Row) -> Rule:
        """The row's accumulator (an empty one for a row that keeps none)."""
        kept = self.rows.get(row.id)
        return kept if kept is not None else RULES[row.rollup]()

    def derived(self, row_id: str, compute: Callable[[], T]) -> T:
        """A figure of the row computed once from the units (a recomputed percent's basis), or
        something else computed once from them under a key that is no row id."""
        if row_id not in self._derived:
            self._derived[row_id] = compute()
        result: T = self._derived[row_id]
        return result

    # ----- what the outputs show -----

    def exact(self, row_id: str) -> Fraction | None:
        """The combined figure of a numeric row as an exact number (None when there is none)."""
        row = self.catalog.row(row_id)
        return self.accumulator(row).value(row, self)

    def totals(self) -> dict[str, Any]:
        """JSON-ready combined value of every row that combines, by row id."""
        return {row.id: self.accumulator(row).total(row, self) for row in self.catalog.rows if row.rollup != "none"}

    def display(self, row_id: str) -> Shown:
        """What the 'Tổng hợp' sheet shows in 'Số liệu' for this row."""
        row = self.catalog.row(row_id)
        return self.accumulator(row).shown(row, self)

    def combination(self, row_id: str) -> str:
        """How the row was combined, in Vietnamese, for the note beside the figure."""
        row = self.catalog.row(row_id)
        return self.accumulator(row).describe(row, self)

    def disagreements(self, row_id: str) -> list[tuple[str, Any]]:
        """For 'common' rows: (unit, value) of the units whose value differs from the common one."""
        kept = self.accumulator(self.catalog.row(row_id))
        return kept.disagreements() if isinstance(kept, Common) else []

    def notes(self, row_id: str) -> dict[str, str]:
        """The 'Ghi chú' each unit wrote on this row, by unit."""
        return dict(self.derived("notes of every row", self._notes_by_row).get(row_id, {}))

    def _notes_by_row(self) -> dict[str, dict[str, str]]:
        """Row id -> unit -> its note, in one pass over the units' notes (a unit writes few)."""
        by_row: dict[str, dict[str, str]] = {}
        for unit in self.units:
            for row_id, note in unit.notes.items():
                if note:
                    by_row.setdefault(row_id, {})[unit.unit] = note
        return by_row

    # ----- state -----

    def state_json(self) -> str:
        return state.dumps(self)

    @classmethod
    def from_state_json(cls, catalog: Catalog, text: str) -> Rollup:
        """The roll-up a workbook of ours carries; StateError (Vietnamese) when it cannot be used.

        A row whose stored rule is not the catalog's current one is rebuilt from the units' figures.
        """
        period, units, stored = state.loads(catalog, text)
        combining = combining_rows(catalog)
        rebuilt = _accumulated(catalog, [row for row in combining if row.id not in stored], units)
        rows = {row.id: stored[row.id] if row.id in stored else rebuilt[row.id] for row in combining}
        return Rollup(catalog, period, units, rows)


def combining_rows(catalog: Catalog) -> list[Row]:
    """Rows that keep an accumulator (recompute needs none: it reads its parts)."""
    return [row for row in catalog.rows if RULES[row.rollup].keeps_state]


def from_units(catalog: Catalog, units: Iterable[UnitReport], period: str | None) -> Rollup:
    units = list(units)
    return Rollup(catalog, period, units, _accumulated(catalog, combining_rows(catalog), units))


def _accumulated(catalog: Catalog, rows: list[Row], units: list[UnitReport]) -> dict[str, Rule]:
    """The accumulators of `rows` over `units`, by row id."""
    if not rows:
        return {}
    left_out = _parts_left_out(catalog, units)
    given = given_on(rows, units)
    accumulators = {}
    for row in rows:
        accumulators[row.id] = accumulator = RULES[row.rollup]()
        skipped = left_out.get(row.id)
        if skipped and isinstance(accumulator, Sum):
            accumulator.add(row, [unit for unit in units if id(unit) not in skipped])
            accumulator.leave_out([unit.unit for unit in units if id(unit) in skipped])
        else:
            accumulator.add(row, units, given[row.id])
    return accumulators


def _parts_left_out(catalog: Catalog, units: list[UnitReport]) -> dict[str, set[int]]:
    """Summed part row id -> the units (by id()) left out of it: those whose own parts give one of
    the form's rates above 100 %, as the rate itself leaves them out (rules.Recompute)."""
    left_out: dict[str, set[int]] = {}
    for row in catalog.rows:
        if row.rollup != "recompute" or row.percent is None:
            continue
        impossible = {id(unit) for unit in units if own_rate_impossible(row, unit)}
        if impossible:
            for ref in row.percent.ids:
                if catalog.row(ref).rollup == "sum":
                    left_out.setdefault(ref, set()).update(impossible)
    return left_out


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
    rows = {row.id: RULES[row.rollup]() for row in combining_rows(catalog)}
    units: list[UnitReport] = []
    for rollup in rollups:
        units.extend(rollup.units)
        for row in combining_rows(catalog):
            rows[row.id] = rows[row.id].merged(rollup.accumulator(row))
    return Rollup(catalog, periods.pop() if periods else None, units, rows)
