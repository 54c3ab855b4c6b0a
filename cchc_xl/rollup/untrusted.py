"""Values taken from a roll-up state read from a file: checked and bounded, so a hostile workbook
can neither slip in a value of the wrong type nor exhaust memory. Each raises TypeError or
ValueError, which the state reader turns into a StateError."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

_MAX_NUMBER_TEXT = 200


def fraction_text(value: Fraction) -> str:
    return str(value)


def fraction(text: Any) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise TypeError("not a number")
    if isinstance(text, str) and len(text) > _MAX_NUMBER_TEXT:
        raise ValueError("number too long")
    return Fraction(text)


def items(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a count")
    return value


def texts(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return {text(key): text(item) for key, item in value.items()}
