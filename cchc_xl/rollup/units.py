"""One contributing unit of a roll-up: a commune's (or department's) file, as read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Sequence

from ..findings import ERROR, WARNING, Finding

if TYPE_CHECKING:
    from ..catalog import Row


class OwnRate(NamedTuple):
    """A rate of the form from one unit's own parts (numerator / denominator × 100)."""

    percent: float | None  # rounded to 2 places; None without both parts or with a zero denominator
    impossible: bool  # the parts give a rate outside 0–100 % (on time more than resolved): a lỗi in its file


@dataclass
class UnitReport:
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
    # The form's rates from this unit's own parts, by row id, each worked out once: the roll-up asks
    # for them several times per unit, and a merge has them worked out by the worker that read the file.
    own_rates: dict[str, OwnRate] = field(default_factory=dict, compare=False, repr=False)

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == WARNING)

    def own_rate(self, row: Row) -> OwnRate:
        """The unit's own rate on a row the form defines by parts (`row.percent`). Its figures are
        not changed once it is read, so the rate is kept."""
        rate = self.own_rates.get(row.id)
        if rate is None:
            rate = self.own_rates[row.id] = _own_rate(row, self.values)
        return rate

    def work_out_rates(self, rows: Sequence[Row]) -> None:
        """Every rate of `rows` defined by parts, now (in the worker that read the file)."""
        for row in rows:
            if row.percent is not None:
                self.own_rate(row)


def _own_rate(row: Row, values: dict[str, float | int | None]) -> OwnRate:
    assert row.percent is not None
    numerator = row.percent.numerator.exact(values)
    denominator = row.percent.denominator.exact(values)
    if numerator is None or denominator is None:
        return OwnRate(None, False)
    # In whole numbers (Fraction comparisons cost several times more; denominators are positive; an
    # int is its own numerator, over 1):
    # numerator / denominator compared with 1, and float(numerator / denominator * 100) in one
    # correctly rounded division.
    top, bottom = numerator.numerator * denominator.denominator, denominator.numerator * numerator.denominator
    impossible = top < 0 or bottom < 0 or (bottom > 0 and top > bottom)
    if not bottom:
        return OwnRate(None, impossible)
    return OwnRate(round(100 * top / bottom, 2), impossible)
