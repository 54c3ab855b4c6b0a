"""Values taken from a roll-up state read from a file: checked against a schema with bounds, so
a hostile workbook can neither slip in a value of the wrong type nor exhaust memory or time.
Each raises TypeError or ValueError, which the state reader turns into a StateError.

The bounds: at most MAX_UNITS units (Vietnam has about 10,600 communes, wards and towns; a
province's roll-up of its districts' roll-ups holds its communes once each); lists and mappings
of at most MAX_ITEMS entries; texts of at most MAX_TEXT characters (a note typed in a Word table
can pass an Excel cell's 32,767), with undecodable characters shown as U+FFFD; figures finite and below values.MAX_FIGURE (as a figure
read from a cell); exact numbers ("12", "-7/3") of at most _MAX_DIGITS digits on each side,
never an exponent ("1e99999999" would take minutes to expand); nesting is JSON's own (RecursionError).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Collection

from ..inputs import printable
from ..values import MAX_FIGURE

MAX_UNITS = 12_000
MAX_ITEMS = 100_000
MAX_TEXT = 1_000_000
_MAX_DIGITS = 60
_EXACT = re.compile(rf"-?\d{{1,{_MAX_DIGITS}}}(?:/\d{{1,{_MAX_DIGITS}}})?")


def fraction_text(value: Fraction) -> str:
    return str(value)


def fraction(text: Any) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise TypeError("not a number")
    if isinstance(text, int):
        text = str(text)
    if not _EXACT.fullmatch(text):
        raise ValueError("not an exact number of bounded size")
    return Fraction(text)


def items(value: Any, limit: int = MAX_ITEMS) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list")
    if len(value) > limit:
        raise ValueError("too many items")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    if len(value) > MAX_TEXT:
        raise ValueError("text too long")
    # ASCII (row ids, most keys) holds no undecodable character: a state has a million such texts.
    return value if value.isascii() else printable(value)


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_FIGURE:
        raise TypeError("expected a count")
    return value


def figure(value: Any) -> int | float:
    """A unit's figure: a finite number a workbook holds exactly."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("value is not a number")
    if not -MAX_FIGURE < value < MAX_FIGURE:  # NaN and infinity included ("NaN" is valid to json.loads)
        raise ValueError("value out of range")
    return value


def figures(value: Any) -> dict[str, int | float]:
    """An object of figures by row id (a unit's): mapping() of figure()s. A state holds about a
    million of them: checked in bulk, and one by one only to raise the error of the first bad one."""
    checked = mapping(value)
    numbers = checked.values()
    # type() rather than isinstance(): a bool is no figure; NaN fails the comparison.
    if not (all(type(number) is int or type(number) is float for number in numbers)
            and all(-MAX_FIGURE < number < MAX_FIGURE for number in numbers)):
        for number in numbers:
            figure(number)
    return checked


def moment(value: Any) -> float:
    """A file's modification time (seconds since 1970)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError("not a time")
    return float(value)


def mapping(value: Any) -> dict[str, Any]:
    """An object of at most MAX_ITEMS entries, its keys checked as texts."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    if len(value) > MAX_ITEMS:
        raise ValueError("too many items")
    keys = value.keys()
    # ASCII keys (row ids) are the texts text() would give back: checked at once (not a str: TypeError).
    if all(map(str.isascii, keys)) and max(map(len, keys), default=0) <= MAX_TEXT:
        return dict(value)
    return {text(key): item for key, item in value.items()}


def texts(value: Any) -> dict[str, str]:
    checked = mapping(value)
    if _as_they_are(checked.values()):
        return checked
    return {key: text(item) for key, item in checked.items()}


def text_items(value: Any) -> list[str]:
    """items() of texts (the units named by a row's accumulator)."""
    listed = items(value)
    return list(listed) if _as_they_are(listed) else [text(item) for item in listed]


def _as_they_are(values: Collection[Any]) -> bool:
    """Whether text() would give back each of `values` as it is, checked at once (a state names
    each of its units in a dozen accumulators): texts within the length, no lone surrogate."""
    if not (all(type(item) is str for item in values) and max(map(len, values), default=0) <= MAX_TEXT):
        return False
    try:
        "".join(values).encode("utf-8")  # a lone surrogate anywhere fails here; printable() replaces it
    except UnicodeEncodeError:
        return False
    return True
