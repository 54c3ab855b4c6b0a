"""The small expression grammar of catalogs, parsed here and never by eval.

    comparison := sum (("<=" | ">=" | "<" | ">" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | "[" ROW_ID "]" | "(" sum ")"

"×", "÷" and "−" are accepted for "*", "/" and "-". Evaluation over a mapping of row id to
number: a missing figure (None or absent) makes the whole result None, so a check whose
figures are missing is skipped rather than failed; division by zero is None too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Any, Mapping, overload

Number = int | float | Fraction

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|\[(?P<id>[^\[\]\s]+)\]|(?P<op><=|>=|==|!=|[-+*/()<>×÷−]))"
)
_CANONICAL = {"×": "*", "÷": "/", "−": "-"}
COMPARISONS = ("<=", ">=", "<", ">", "==", "!=")


class ExpressionError(ValueError):
    """The expression text does not follow the grammar."""


@dataclass(frozen=True)
class Num:
    value: Fraction


@dataclass(frozen=True)
class Ref:
    id: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Num | Ref | Neg | BinOp


@dataclass(frozen=True)
class Expression:
    text: str
    root: Node

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Row ids in order of first appearance."""
        seen: dict[str, None] = {}
        _collect(self.root, seen)
        return tuple(seen)

    @property
    def is_comparison(self) -> bool:
        return isinstance(self.root, BinOp) and self.root.op in COMPARISONS

    @property
    def operator(self) -> str:
        """The operator of a comparison ('<=', '==', ...)."""
        if not isinstance(self.root, BinOp) or self.root.op not in COMPARISONS:
            raise ExpressionError(f"'{self.text}' không phải là một phép so sánh")
        return self.root.op

    def sides(self) -> tuple[Expression, Expression]:
        """The two sides of a comparison, as expressions of their own."""
        if not self.is_comparison:
            raise ExpressionError(f"'{self.text}' không phải là một phép so sánh")
        assert isinstance(self.root, BinOp)
        return Expression(self.text, self.root.left), Expression(self.text, self.root.right)

    def evaluate(self, values: Mapping[str, Number | None]) -> Fraction | bool | None:
        result = _evaluate(self.root, values)
        return Fraction(result) if type(result) is int else result

    def exact(self, values: Mapping[str, Number | None]) -> int | Fraction | None:
        """The value of an arithmetic expression, a whole one left an int: what evaluate gives, without
        making a Fraction of it (comparing or dividing it needs none), for the many units of a roll-up."""
        result: int | Fraction | bool | None = _evaluate(self.root, values)
        if isinstance(result, bool):
            raise ExpressionError(f"'{self.text}' là một phép so sánh, không phải một số")
        return result

    def number(self, values: Mapping[str, Number | None]) -> Fraction | None:
        """The value of an arithmetic expression (a percent's numerator or denominator)."""
        result = self.evaluate(values)
        if isinstance(result, bool):
            raise ExpressionError(f"'{self.text}' là một phép so sánh, không phải một số")
        return result

    def to_excel(self, cell_of: Mapping[str, str]) -> str:
        """The expression as an Excel formula body (no leading '='), ids replaced by cells."""
        return node_to_excel(self.root, cell_of)


def parse(text: str) -> Expression:
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    root = parser.comparison()
    if parser.pos != len(tokens):
        raise ExpressionError(f"'{text}': thừa '{tokens[parser.pos][1]}'")
    return Expression(text, root)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"'{text}': không hiểu ký tự '{text[pos:].strip()[:1]}' ở vị trí {pos + 1}")
        if match.group("num") is not None:
            tokens.append(("num", match.group("num")))
        elif match.group("id") is not None:
            tokens.append(("id", match.group("id")))
        else:
            op = match.group("op")
            tokens.append(("op", _CANONICAL.get(op, op)))
        pos = match.end()
    if not tokens:
        raise ExpressionError("biểu thức rỗng")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str):
        self.tokens, self.text, self.pos = tokens, text, 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take_op(self, *ops: str) -> str | None:
        token = self._peek()
        if token and token[0] == "op" and token[1] in ops:
            self.pos += 1
            return token[1]
        return None

    def comparison(self) -> Node:
        left = self.sum()
        op = self._take_op(*COMPARISONS)
        if op is None:
            return left
        return BinOp(op, left, self.sum())

    def sum(self) -> Node:
        node = self.product()
        while (op := self._take_op("+", "-")) is not None:
            node = BinOp(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while (op := self._take_op("*", "/")) is not None:
            node = BinOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self._take_op("-"):
            return Neg(self.unary())
        return self.atom()

    def atom(self) -> Node:
        token = self._peek()
        if token is None:
            raise ExpressionError(f"'{self.text}': thiếu toán hạng ở cuối")
        kind, value = token
        self.pos += 1
        if kind == "num":
            return Num(Fraction(value))
        if kind == "id":
            return Ref(value)
        if value == "(":
            node = self.sum()
            if not self._take_op(")"):
                raise ExpressionError(f"'{self.text}': thiếu dấu ')'")
            return node
        raise ExpressionError(f"'{self.text}': không mong đợi '{value}'")


@overload
def as_fraction(value: Number) -> Fraction: ...
@overload
def as_fraction(value: None) -> None: ...
@overload
def as_fraction(value: Number | None) -> Fraction | None: ...


def as_fraction(value: Number | None) -> Fraction | None:
    """A figure as an exact fraction; floats by their shortest decimal text (99.53 -> 9953/100)."""
    if value is None:
        return None
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _collect(node: Node, seen: dict[str, None]) -> None:
    if isinstance(node, Ref):
        seen.setdefault(node.id, None)
    elif isinstance(node, Neg):
        _collect(node.operand, seen)
    elif isinstance(node, BinOp):
        _collect(node.left, seen)
        _collect(node.right, seen)


def _evaluate(node: Node, values: Mapping[str, Number | None]) -> Any:
    """Exact throughout: figures that are ints stay ints (sums of counts cost no Fraction work),
    anything else becomes a Fraction, and a division always gives a Fraction."""
    if isinstance(node, Num):
        value = node.value
        return value.numerator if value.denominator == 1 else value
    if isinstance(node, Ref):
        figure = values.get(node.id)
        return figure if type(figure) is int else as_fraction(figure)
    if isinstance(node, Neg):
        operand = _evaluate(node.operand, values)
        return None if operand is None else -operand
    left, right = _evaluate(node.left, values), _evaluate(node.right, values)
    if left is None or right is None:
        return None
    op = node.op
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return None if right == 0 else Fraction(left) / right
    return {"<=": left <= right, ">=": left >= right, "<": left < right,
            ">": left > right, "==": left == right, "!=": left != right}[op]


def node_to_excel(node: Node, cell_of: Mapping[str, str]) -> str:
    """A node of an expression as an Excel formula body, ids replaced by cells."""
    if isinstance(node, Num):
        value = node.value
        return str(value.numerator) if value.denominator == 1 else repr(float(value))
    if isinstance(node, Ref):
        return cell_of[node.id]
    if isinstance(node, Neg):
        return f"-({node_to_excel(node.operand, cell_of)})"
    op = {"==": "=", "!=": "<>"}.get(node.op, node.op)
    return f"({node_to_excel(node.left, cell_of)}{op}{node_to_excel(node.right, cell_of)})"
