"""The expression grammar of catalogs: parsing, exact evaluation, row ids, errors, Excel formulas,
and that nothing in an expression is ever handed to Python."""

from __future__ import annotations

import builtins
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_xl import expr
from cchc_xl.expr import ExpressionError, as_fraction, parse


def test_comparison_of_two_rows():
    check = parse("[3.4.2.b] <= [3.4.2.a]")
    assert check.is_comparison
    assert check.ids == ("3.4.2.b", "3.4.2.a")
    assert check.evaluate({"3.4.2.a": 348, "3.4.2.b": 348}) is True
    assert check.evaluate({"3.4.2.a": 4, "3.4.2.b": 16}) is False


def test_ids_in_order_of_first_appearance_without_repeats():
    assert parse("([4.1.5.a] - [4.1.5.b]) / [4.1.5.a]").ids == ("4.1.5.a", "4.1.5.b")
    assert parse("[VII.6] == [VII.6.a.2] + [VII.6.b.2]").ids == ("VII.6", "VII.6.a.2", "VII.6.b.2")
    assert parse("100").ids == ()


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),           # left-associative
    ("12 / 4 / 3", 1),
    ("-2 * 3", -6),
    ("- -2", 2),
    ("2 × 3 − 1", 5),            # the signs people type
    ("7 ÷ 2", Fraction(7, 2)),
    ("1.5 + 0.25", Fraction(7, 4)),
])
def test_arithmetic_is_exact_and_follows_precedence(text, expected):
    assert parse(text).evaluate({}) == expected


def test_percent_defined_by_parts_is_exact():
    percent = parse("[1.1.b] / [1.1.a] * 100")
    assert percent.evaluate({"1.1.a": 6, "1.1.b": 3}) == 50
    assert percent.evaluate({"1.1.a": 3, "1.1.b": 1}) == Fraction(100, 3)
    cut = parse("([4.1.5.a] - [4.1.5.b]) / [4.1.5.a] * 100")
    assert cut.evaluate({"4.1.5.a": 8, "4.1.5.b": 6}) == 25


def test_floats_are_taken_by_their_decimal_text():
    assert parse("[a] + [b] == 0.3").evaluate({"a": 0.1, "b": 0.2}) is True
    assert as_fraction(99.53) == Fraction(9953, 100)
    assert as_fraction(None) is None


def test_a_missing_figure_makes_the_result_unknown_not_false():
    check = parse("[3.3.1.a] + [3.3.1.b] <= [3.3.1]")
    assert check.evaluate({"3.3.1": 770, "3.3.1.a": 590}) is None
    assert check.evaluate({"3.3.1": 770, "3.3.1.a": 590, "3.3.1.b": None}) is None
    assert check.evaluate({"3.3.1": 770, "3.3.1.a": 590, "3.3.1.b": 0}) is True


def test_division_by_zero_is_unknown():
    assert parse("[b] / [a] * 100").evaluate({"a": 0, "b": 0}) is None
    assert parse("[b] / [a] >= 1").evaluate({"a": 0, "b": 3}) is None


@pytest.mark.parametrize("op, left, right, expected", [
    ("<=", 3, 3, True), ("<", 3, 3, False), (">=", 2, 3, False), (">", 4, 3, True),
    ("==", 413, 413, True), ("!=", 413, 413, False),
])
def test_every_comparison(op, left, right, expected):
    assert parse(f"[x] {op} [y]").evaluate({"x": left, "y": right}) is expected


def test_sides_of_a_comparison():
    left, right = parse("[III.2.c] == [III.2.c.1] + [III.2.c.2]").sides()
    assert left.ids == ("III.2.c",) and right.ids == ("III.2.c.1", "III.2.c.2")
    assert right.evaluate({"III.2.c.1": 274, "III.2.c.2": 139}) == 413
    with pytest.raises(ExpressionError):
        parse("[a] + [b]").sides()


def test_excel_formula_uses_the_cells_of_the_rows():
    cells = {"1.1.a": "D9", "1.1.b": "D10", "4.1.5.a": "D70", "4.1.5.b": "D71"}
    assert parse("[1.1.b] / [1.1.a] * 100").to_excel(cells) == "((D10/D9)*100)"
    assert parse("[1.1.b] <= [1.1.a]").to_excel(cells) == "(D10<=D9)"
    assert parse("[1.1.b] == [1.1.a]").to_excel(cells) == "(D10=D9)"
    assert parse("[1.1.b] != [1.1.a]").to_excel(cells) == "(D10<>D9)"
    assert parse("([4.1.5.a] - [4.1.5.b]) / [4.1.5.a]").to_excel(cells) == "((D70-D71)/D70)"
    assert parse("-[1.1.a] + 0.5").to_excel(cells) == "(-(D9)+0.5)"


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "[1.1] <=",
    "[1.1] <= <= 2",
    "1 < 2 < 3",
    "(1 + 2",
    "1 + 2)",
    "1 2",
    "[]",
    "[1.1",
    "a + b",
    "1,5 + 1",
    "2 ** 3",
    "[1.1] = [1.2]",
    "__import__('os')",
    "__import__('os').system('echo hacked')",
    "[1.1]; import os",
    "open('/etc/passwd')",
    "[1.1] if 1 else 0",
])
def test_text_outside_the_grammar_is_refused(text):
    with pytest.raises(ExpressionError) as error:
        parse(text)
    assert str(error.value)


def test_refusal_names_the_expression_and_the_place():
    with pytest.raises(ExpressionError) as error:
        parse("[1.1] <= __import__('os')")
    message = str(error.value)
    assert "[1.1] <= __import__('os')" in message and "vị trí" in message


def test_no_python_evaluation_happens(monkeypatch):
    """Even a well-formed expression never reaches eval, exec or compile."""
    def forbidden(*args, **kwargs):
        raise AssertionError("Python evaluation must not be used")
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert parse("[a] * 2 + 1 >= [b]").evaluate({"a": 3, "b": 7}) is True
    source = Path(expr.__file__).read_text("utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\s*\(", source)


def test_ids_may_hold_roman_sections_letters_and_suffixes():
    check = parse("[I.6b] + [VII.7.a.3] <= [VII.7.a.1]")
    assert check.ids == ("I.6b", "VII.7.a.3", "VII.7.a.1")


values = st.integers(min_value=-10_000, max_value=10_000)


@given(values, values, values)
def test_evaluation_matches_exact_arithmetic(a, b, c):
    figures = {"a": a, "b": b, "c": c}
    assert parse("[a] + [b] * [c]").evaluate(figures) == a + b * c
    assert parse("([a] - [b]) * -[c]").evaluate(figures) == (a - b) * -c
    quotient = parse("[a] / [c]").evaluate(figures)
    assert quotient == (None if c == 0 else Fraction(a, c))
    assert parse("[a] + [b] <= [c]").evaluate(figures) is (a + b <= c)
