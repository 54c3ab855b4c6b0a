"""Figures as people type them into a Phụ lục, turned into numbers.

Vietnamese number text uses a dot for thousands and a comma for decimals ("1.730", "15.780",
"91,3", "99,53%"), figures are zero-padded ("06"), and "not reported" is written many ways
("", "-", "- -", "nt", "như trên", "x"). Coded rows accept the code or the word of the legend.

Separators, decided once for every file:
- a comma alone is the decimal mark ("91,3" = 91.3, "1,234" = 1.234), except when it appears
  more than once ("1,234,567" = 1234567): a decimal mark appears at most once;
- a dot alone followed by groups of exactly three digits is the thousands mark ("1.730" = 1730,
  "1.234.567"); any other lone dot is a decimal point typed the English way ("91.3", "0.5");
- with both marks, the later one is the decimal mark and the other must group by three:
  "1.234,5" = 1234.5 (Vietnamese), "1,234.5" = 1234.5 (English).
Whether a count is whole, non-negative or a valid code is the checks' business, not this module's.
A figure of MAX_FIGURE or more (a 400-digit text, 1e308) is not read as a number: no workbook
keeps it exactly, and sums of such figures would leave the numbers a workbook can hold.
"""

from __future__ import annotations

import datetime as _dt
import re
from fractions import Fraction
from functools import lru_cache
from typing import Any, Protocol

from .periods import fold

NOT_A_NUMBER = "not-a-number"
CODE_UNKNOWN = "code-unknown"
CELL_ERROR = "cell-error"
DATE_TYPED = "date-typed"
FORMULA_NO_VALUE = "formula-no-value"


class CellError(str):
    """A cell showing an Excel error value ("#DIV/0!", "#REF!"): a formula that could not be computed."""


class FormulaWithoutValue(str):
    """A formula stored without its result ("=D12/D11*100"): files written by programs that do not
    compute, which Excel computes only when the file is opened and saved."""

# Folded cell text meaning "nothing reported": dashes of every length and kind, "nt" / "n/t" /
# "như trên" (same as above), "x", "/", ".". The table finder and the value reader both ask
# `is_not_reported`, so a cell is never a figure to one and a blank to the other.
NOT_REPORTED = {"", "nt", "n/t", "n.t", "nhu tren", "x", "/", "."}  # folded; and any run of dashes
_DASHES = re.compile(r"^[-\u2010-\u2015\u2212\s]+$")

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_PLAIN = re.compile(r"^[+-]?\d+$")
_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3}){2,}$")
_VI_BOTH = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")
_EN_BOTH = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")
_ONE_DECIMAL_MARK = re.compile(r"^[+-]?\d*[.,]\d+$|^[+-]?\d+[.,]$")


class RowLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def codes(self) -> dict[int, str] | None: ...


Number = int | float

# Excel keeps 15 significant digits: a figure from here on cannot be stored exactly.
MAX_FIGURE = 10 ** 15
_MAX_FIGURE_DIGITS = 20  # longer number texts are refused before int() or float() reads them


def parse_figure(raw: Any, row: RowLike, *, percent_format: bool = False) -> tuple[Number | None, str | None]:
    """(value, problem): value None means not reported; problem is a finding rule or None.

    percent_format tells that the cell shows its number with a '%' format, i.e. stores the
    fraction (0.5 shown as 50%); on a percent row that becomes 50.
    """
    kind = type(raw)
    if kind is float or kind is int:  # the common cases first: a number (bool is neither) ...
        if not _holdable(raw):  # NaN, infinity, or too large to keep exactly
            return None, NOT_A_NUMBER
        return tidy(raw * 100 if percent_format and row.kind == "percent" else raw), None
    if kind is str:  # ... or text typed into the cell (a CellError is a subclass)
        return parse_text(raw, row)
    if raw is None:
        return None, None
    if isinstance(raw, CellError):
        return None, CELL_ERROR
    if isinstance(raw, FormulaWithoutValue):
        return None, FORMULA_NO_VALUE
    if isinstance(raw, bool):
        if row.kind in ("yesno", "code"):
            return int(raw), None
        return None, NOT_A_NUMBER
    if isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
        return None, DATE_TYPED  # "1/5" auto-converted to a date by Excel: ask for the figure again
    if isinstance(raw, (int, float)):
        if not _holdable(raw):  # NaN, infinity, or too large to keep exactly
            return None, NOT_A_NUMBER
        value = raw * 100 if percent_format and row.kind == "percent" else raw
        return tidy(value), None
    return parse_text(str(raw), row)


def parse_text(text: str, row: RowLike) -> tuple[Number | None, str | None]:
    """A figure typed as text."""
    compact, folded, number = _read_text(text) if len(text) <= _CACHED_TEXT_LENGTH else _read_text_uncached(text)
    if _folded_not_reported(folded):
        return None, None
    if number is not None:
        return number, None  # a code typed as its number ("2" is code 2, not the legend "2 cấp")
    if row.kind in ("yesno", "code") and row.codes:
        code = code_for_word(folded, row.codes)
        return (code, None) if code is not None else (None, CODE_UNKNOWN)
    number = _number_with_unit(compact, row)
    if number is not None:
        return number, None
    return None, NOT_A_NUMBER


def is_not_reported(text: str) -> bool:
    """Whether cell text means "nothing reported": '', '-', '- -', '—', '–', '---', 'nt', 'n/t',
    'như trên', 'x' …"""
    return _folded_not_reported(fold(text))


def _folded_not_reported(folded: str) -> bool:
    return folded in NOT_REPORTED or bool(_DASHES.match(folded))


# The same figure texts recur in every file of a merge; longer texts are not kept (bounded memory).
_CACHED_TEXT_LENGTH = 200


def _read_text_uncached(text: str) -> tuple[str, str, Number | None]:
    """(the text with spaces collapsed, folded, its number or None): what does not depend on the row."""
    compact = _SPACES.sub(" ", text).strip()
    number_text = _SPACES.sub("", compact)
    if number_text.endswith("%"):
        number_text = number_text[:-1]
    return compact, fold(compact), parse_number(number_text)


_read_text = lru_cache(maxsize=16384)(_read_text_uncached)


_NUMBER_THEN_WORDS = re.compile(r"^([+-]?\d[\d.,\s]*?)\s*([^\W\d_][^\d]*)$")
_LETTERS = re.compile(r"[0-9a-z]+")


def _number_with_unit(text: str, row: RowLike) -> Number | None:
    """'12 nhiệm vụ', '21 người', '12 NV', '1.730 hồ sơ': a number followed by the row's own unit
    (or its initials, or words of its label). Any other trailing words ('5 tỷ' on a row counted in
    triệu đồng, '6 (3 quá hạn)') leave the cell unread: a figure is never guessed."""
    match = _NUMBER_THEN_WORDS.match(text)
    if not match:
        return None
    number = parse_number(_SPACES.sub("", match.group(1)))
    suffix = _LETTERS.findall(fold(match.group(2)))
    if number is None or not suffix or len(suffix) != len(fold(match.group(2)).replace(".", " ").split()):
        return None
    unit_words = _LETTERS.findall(fold(getattr(row, "unit", "") or ""))
    label_words = set(_LETTERS.findall(fold(getattr(row, "label", "") or "")))
    if set(suffix) <= set(unit_words) | label_words or _abbreviates("".join(suffix), unit_words):
        return number
    return None


def _abbreviates(letters: str, words: list[str]) -> bool:
    """'nv' for 'nhiệm vụ', 'trd' for 'triệu đồng', 'hs' for 'hồ sơ': a prefix of each word in turn."""
    if not letters or not words:
        return False
    word, rest = words[0], letters
    for size in range(min(len(word), len(rest)), 0, -1):
        if rest[:size] == word[:size] and (size == len(rest) or _abbreviates(rest[size:], words[1:])):
            return True
    return False


def _holdable(value: Number) -> bool:
    return -MAX_FIGURE < value < MAX_FIGURE  # False for NaN too


def parse_number(text: str) -> Number | None:
    """Vietnamese or English number text without spaces or '%', or None (also for a number
    of MAX_FIGURE or more)."""
    if not text or sum(map(str.isdigit, text)) > _MAX_FIGURE_DIGITS:
        return None
    number = _parse_number(text)
    return number if number is None or _holdable(number) else None


def _parse_number(text: str) -> Number | None:
    if _PLAIN.match(text):
        return int(text)
    if _DOT_THOUSANDS.match(text) and not _leading_zero_group(text):
        return int(text.replace(".", ""))
    if _COMMA_THOUSANDS.match(text):
        return int(text.replace(",", ""))
    if _VI_BOTH.match(text):
        return tidy(float(text.replace(".", "").replace(",", ".")))
    if _EN_BOTH.match(text):
        return tidy(float(text.replace(",", "")))
    if _ONE_DECIMAL_MARK.match(text):
        return tidy(float(text.replace(",", ".")))
    return None


def _leading_zero_group(text: str) -> bool:
    """'0.500' is a decimal, not five hundred."""
    return text.lstrip("+-").startswith("0")


def code_for_word(folded: str, codes: dict[int, str]) -> int | None:
    """The code whose legend word is `folded` ('co' -> 1 for {0: 'Không', 1: 'Có'}), or None.

    Exact folded match first; otherwise a legend that starts with the typed words, when only
    one does ("co" for "Có ban hành QC").
    """
    words = {code: fold(meaning) for code, meaning in codes.items()}
    exact = [code for code, word in words.items() if word == folded]
    if len(exact) == 1:
        return exact[0]
    prefixed = [code for code, word in words.items() if word.startswith(folded + " ")]
    if len(prefixed) == 1:
        return prefixed[0]
    return None


def tidy(value: Number) -> Number:
    """Whole floats as ints; binary noise from ×100 removed (0.9953 * 100 -> 99.53)."""
    if isinstance(value, float):
        value = round(value, 9)
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
    return value


def round_half_up(number: Fraction, decimals: int) -> Fraction:
    """Rounding as Excel's ROUND and as people do it: halves away from zero."""
    scale = 10 ** decimals
    numerator, denominator = abs(number.numerator), number.denominator
    # floor(|number| × scale + 1/2), in integers
    magnitude = Fraction((2 * numerator * scale + denominator) // (2 * denominator), scale)
    return magnitude if number >= 0 else -magnitude
