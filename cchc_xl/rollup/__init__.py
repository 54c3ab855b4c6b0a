"""Many units' figures combined into one roll-up ("Tổng hợp"), exactly and composably.

Each row of the catalog says how units combine (`Row.rollup`); each rule is one class (rules.py):

    sum             counts, money: the sum over the units that reported
    recompute       a percent defined by parts: numerator / denominator × 100 over the combined parts
                    (a unit whose own parts give more than 100 % is left out and named)
    weighted        a percent of a count (Row.weight): the units' percents weighted by that count
    mean            a percent with no parts: the mean over the units that reported it (a percent
                    outside 0–100 is left out and named)
    count_yes       a Có/Không answer: how many units answered 1 (of those that answered)
    count_per_code  other coded answers: how many units gave each code
    common          a count from a shared list (procedures): the value most units give; ties go to
                    the smallest value; the units that differ are listed
    per_unit        text: kept per unit
    none            not combined

Every row keeps an accumulator (sums and counts as Fractions, units per code or per value, texts
per unit) that merges by simple addition or union, so combining the roll-ups of groups of units
gives exactly what combining all those units at once gives. The accumulators and the units'
own figures travel in the roll-up workbook as JSON (state.py), so district roll-ups merge into a
province one. Floats appear only at the edge (`totals`, `display`).

    units.py     UnitReport, one contributing unit
    rules.py     one class per rule, and RULES by name
    combined.py  Rollup: the units and their accumulators; from_units, combine
    state.py     the JSON state, written and read back (untrusted.py checks what is read)
    numbers.py   exact sums of floats; exact numbers as the outputs show them
"""

from .combined import Rollup, combine, from_units
from .numbers import exact_sum
from .rules import RULES, Rule
from .state import STATE_FORMAT, StateError
from .units import UnitReport

__all__ = ["RULES", "STATE_FORMAT", "Rollup", "Rule", "StateError", "UnitReport", "combine", "exact_sum", "from_units"]
