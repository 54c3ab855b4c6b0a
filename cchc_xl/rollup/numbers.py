"""Exact sums of the units' figures, and exact numbers as the outputs show them."""

from __future__ import annotations

import decimal
from fractions import Fraction

from ..expr import as_fraction

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


def exact_sum_of_products(pairs: list[tuple[float | int, int | Fraction]]) -> Fraction:
    """Σ value × weight, exactly, the values read as exact_sum reads them: in decimal arithmetic when
    every weight is whole (adding thousands of fractions costs far more), else in fractions."""
    whole = [(value, weight) for value, weight in pairs if isinstance(weight, int)]
    if len(whole) == len(pairs):
        try:
            with decimal.localcontext(_EXACT_DECIMAL):
                return Fraction(sum((decimal.Decimal(repr(value)) * weight for value, weight in whole),
                                    decimal.Decimal(0)))
        except (decimal.Inexact, decimal.InvalidOperation, ValueError, OverflowError):
            pass  # NaN, infinity, or a sum that would need rounding: in fractions
    return sum((as_fraction(value) * weight for value, weight in pairs), Fraction(0))


def edge(value: Fraction | None) -> int | float | None:
    """An exact number as JSON/Excel shows it: whole numbers as int."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)
