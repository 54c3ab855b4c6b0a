"""One class per roll-up rule: how the units' figures of one row combine.

An instance is the row's accumulator. It takes in units (`add`), merges with the accumulator of
another group of units by addition or union (`merged`), so combining the roll-ups of groups gives
exactly what combining all their units at once gives, and it says what the row comes to: the exact
figure (`value`), the JSON total (`total`), what the summary sheet shows (`shown`) and how it was
combined, in Vietnamese (`describe`). `to_json` / `from_json` carry it in the roll-up's state.

`RULES` maps the catalog's rule name (`Row.rollup`) to its class: a new rule is one new class.

Over 500 lines on purpose: the classes share small exact-arithmetic helpers, and one file lets
the registry at the end read as the list of rules a catalog may name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Self, Sequence

from ..catalog import Row
from ..expr import as_fraction
from ..findings import format_value
from ..periods import fold
from . import untrusted
from .numbers import edge, exact_sum, exact_sum_of_products
from .units import UnitReport

if TYPE_CHECKING:
    from .combined import Rollup

# What one cell of the roll-up sheet lists before pointing to the detail sheet (Excel holds 32,767 characters).
_LISTED_UNITS = 10
_MAX_CELL_TEXT = 30_000

Shown = int | float | str | None


@dataclass
class Rule:
    """The accumulator of a row whose units' figures are not combined (rule 'none')."""

    name: ClassVar[str] = "none"
    # False for rules that keep nothing of their own in Rollup.rows ('recompute' reads its parts).
    keeps_state: ClassVar[bool] = False

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        """Take in what `units` gave on `row`; `given` is that already gathered (given_on), when it is."""

    def merged(self, other: Self) -> Self:
        return self

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        """The combined figure as an exact number (None when there is none)."""
        return None

    def total(self, row: Row, rollup: Rollup) -> Any:
        """The combined figure, JSON-ready."""
        return edge(self.value(row, rollup))

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        """What the 'Tổng hợp' sheet shows in 'Số liệu'."""
        return None

    def describe(self, row: Row, rollup: Rollup) -> str:
        """How the row was combined, in Vietnamese, for the note beside the figure."""
        return ""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.name}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        """The accumulator stored by to_json; TypeError/ValueError when `item` is broken."""
        return cls()


# (unit, figure) of the units that gave a figure on a row, in unit order; (unit, text) on a per_unit row.
Given = list[tuple[str, Any]]


def _given(row: Row, units: Sequence[UnitReport]) -> Given:
    """(unit, figure) of the units that gave a figure on `row`."""
    given = []
    for unit in units:
        value = unit.values.get(row.id)
        if value is not None:
            given.append((unit.unit, value))
    return given


def given_on(rows: Sequence[Row], units: Sequence[UnitReport]) -> dict[str, Given]:
    """What `units` gave on each of `rows` (figures; texts on per_unit rows), by row id, in one pass
    over each unit's own figures: far fewer lookups than every row of every unit."""
    figures: dict[str, Given] = {row.id: [] for row in rows if row.rollup != "per_unit"}
    texts: dict[str, Given] = {row.id: [] for row in rows if row.rollup == "per_unit"}
    for unit in units:
        name = unit.unit
        for row_id, value in unit.values.items():
            if value is not None and row_id in figures:
                figures[row_id].append((name, value))
        for row_id, text in unit.texts.items():
            if text and row_id in texts:
                texts[row_id].append((name, text))
    return {**figures, **texts}


@dataclass
class Sum(Rule):
    """Counts, money: the sum over the units that reported. A unit whose own figures give a rate of
    the form above 100 % (on time more than resolved) is left out of that rate's parts as well, so
    the roll-up never shows a part above its whole; it is named in the note."""

    name: ClassVar[str] = "sum"
    keeps_state: ClassVar[bool] = True
    why_left_out: ClassVar[str] = "có số liệu mâu thuẫn với các dòng cùng tỷ lệ (tỷ lệ của đơn vị vượt 100 %)"
    amount: Fraction = Fraction(0)  # the exact sum of the figures given
    reported: int = 0  # units that gave a figure
    left_out: list[str] = field(default_factory=list)  # units not counted, named in the note

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        figures = [value for _, value in (_given(row, units) if given is None else given)]
        whole = sum(value for value in figures if isinstance(value, int))  # exact and fast for counts
        self.amount += Fraction(whole) + exact_sum([value for value in figures if not isinstance(value, int)])
        self.reported += len(figures)

    def leave_out(self, names: Sequence[str]) -> None:
        self.left_out = sorted(self.left_out + list(names))

    def merged(self, other: Self) -> Self:
        return type(self)(self.amount + other.amount, self.reported + other.reported,
                          sorted(self.left_out + other.left_out))

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return self.amount if self.reported else None

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return edge(self.value(row, rollup))

    def describe(self, row: Row, rollup: Rollup) -> str:
        everyone = len(rollup.units)
        if not self.reported:
            text = "Không đơn vị nào báo cáo"
        elif self.reported == everyone:
            text = f"Tổng của {everyone} đơn vị"
        elif self.left_out:  # the units left out reported too: the count is of those summed
            text = f"Tổng của {self.reported}/{everyone} đơn vị"
        else:
            text = f"Tổng của {self.reported}/{everyone} đơn vị đã báo cáo"
        return text + _left_out(self.left_out, self.why_left_out)

    def to_json(self) -> dict[str, Any]:
        item = {"rule": self.name, "reported": self.reported, "total": untrusted.fraction_text(self.amount)}
        if self.left_out:
            item["left_out"] = self.left_out
        return item

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(untrusted.fraction(item.get("total", "0")), untrusted.count(item.get("reported", 0)),
                   sorted(untrusted.text_items(item.get("left_out"))))


def _rounded(value: Fraction | None) -> float | None:
    """A percent as the summary sheet shows it."""
    return None if value is None else round(float(value), 2)


@dataclass
class Mean(Sum):
    """A percent with no parts: the mean over the units that reported it. A percent outside 0–100
    (a lỗi in that unit's file) is left out and named, so the mean never passes 100 %."""

    name: ClassVar[str] = "mean"
    why_left_out: ClassVar[str] = "ghi tỷ lệ ngoài 0–100"

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        wrong = [unit for unit in units if (value := unit.values.get(row.id)) is not None and not 0 <= value <= 100]
        if wrong:
            left_out = {id(unit) for unit in wrong}  # by identity: comparing units field by field is slow
            super().add(row, [unit for unit in units if id(unit) not in left_out])
        else:
            super().add(row, units, given)
        self.leave_out([unit.unit for unit in wrong])

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return self.amount / self.reported if self.reported else None

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return _rounded(self.value(row, rollup))

    def describe(self, row: Row, rollup: Rollup) -> str:
        left_out = _left_out(self.left_out, self.why_left_out)
        if not self.reported:
            return "Không đơn vị nào báo cáo" + left_out
        return f"Trung bình của {self.reported}/{len(rollup.units)} đơn vị đã báo cáo" + left_out


class PercentBasis(NamedTuple):
    numerator: Fraction | None
    denominator: Fraction | None
    percent: Fraction | None
    complete: int  # units that gave every part
    partial: int  # units that gave only some parts (left out)
    contradicting: tuple[str, ...] = ()  # units whose own parts give a rate outside 0–100 (left out)


@dataclass
class Recompute(Rule):
    """A percent defined by parts: numerator / denominator × 100 over the combined parts.

    A unit that gave the dossiers resolved but not those resolved on time must not pull the
    on-time rate down: the parts are combined over the complete units only, each by its own rule.
    """

    name: ClassVar[str] = "recompute"

    @staticmethod
    def basis(row: Row, rollup: Rollup) -> PercentBasis:
        assert row.percent is not None  # the catalog gives every 'recompute' row its parts
        ids = row.percent.ids
        units = rollup.units
        # How many of the parts each unit gave, counted part by part (a lookup per unit and part).
        gave = [[unit.values.get(ref) is not None for unit in units] for ref in ids]
        given = [sum(flags) for flags in zip(*gave)] if ids else [0] * len(units)
        complete = [unit for unit, count in zip(units, given) if count == len(ids)]
        partial = sum(1 for count in given if 0 < count < len(ids))
        contradicting = [unit for unit in complete if own_rate_impossible(row, unit)]
        left_out = {id(unit) for unit in contradicting}  # by identity: comparing units field by field is slow
        complete = [unit for unit in complete if id(unit) not in left_out]
        parts = {}
        for ref in ids:
            part_row = rollup.catalog.row(ref)
            part = RULES[part_row.rollup]()
            part.add(part_row, complete)
            # a part is taken by its own accumulator only (a percent of percents is not recomputed)
            parts[ref] = part.value(part_row, rollup) if part.keeps_state else None
        numerator = row.percent.numerator.number(parts)
        denominator = row.percent.denominator.number(parts)
        percent = (None if numerator is None or denominator is None or denominator == 0
                   else numerator / denominator * 100)
        return PercentBasis(numerator, denominator, percent, len(complete), partial,
                            tuple(sorted(unit.unit for unit in contradicting)))

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return rollup.derived(row.id, lambda: self.basis(row, rollup)).percent

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return _rounded(self.value(row, rollup))

    def describe(self, row: Row, rollup: Rollup) -> str:
        numerator, denominator, percent, complete, partial, contradicting = rollup.derived(
            row.id, lambda: self.basis(row, rollup))
        basis = (f" của {complete} đơn vị có đủ số liệu ({partial} đơn vị thiếu một phần, không tính)"
                 if partial else "")
        left_out = _left_out(contradicting, "có số liệu các phần mâu thuẫn (tỷ lệ của đơn vị vượt 100 %)")
        if percent is not None:
            return (f"Tính lại từ tổng các phần{basis}: "
                    f"{format_value(numerator)} / {format_value(denominator)} × 100{left_out}")
        if denominator == 0:
            return "Tính lại từ tổng các phần: mẫu số bằng 0, không tính được tỷ lệ" + left_out
        return "Tính lại từ tổng các phần: thiếu số liệu các phần, không tính được tỷ lệ" + left_out


def own_rate_impossible(row: Row, unit: UnitReport) -> bool:
    """Whether a unit's own parts give this rate outside 0–100 % (on time more than resolved): a lỗi
    in its file, which must not carry the roll-up above 100 %."""
    return unit.own_rate(row).impossible


def _row_name(row: Row) -> str:
    """'dòng 7.5.2' for a numbered row, else its label in quotes."""
    stt = row.stt.strip().rstrip(".")
    return f"dòng {stt}" if any(ch.isdigit() for ch in stt) else f"«{row.label}»"


def _left_out(names: Sequence[str], why: str) -> str:
    """'; không tính 2 đơn vị …: A, B' for the note of a rate, '' for none."""
    if not names:
        return ""
    listed = ", ".join(names[:_LISTED_UNITS])
    if len(names) > _LISTED_UNITS:
        listed += f" và {len(names) - _LISTED_UNITS} đơn vị khác (xem sheet Chi tiết)"
    return f"; không tính {len(names)} đơn vị {why}: {listed}"


@dataclass
class Weighted(Rule):
    """A percent of a count (documents sent electronically, of the documents sent; satisfied, of the
    survey forms): the units' percents weighted by that count (Row.weight), i.e. the percent of all
    their documents together, not a plain mean. A unit giving the percent without the count, or a
    percent outside 0–100 (a lỗi in its file), is left out and named."""

    name: ClassVar[str] = "weighted"
    keeps_state: ClassVar[bool] = True
    product: Fraction = Fraction(0)  # Σ percent × count
    weight: Fraction = Fraction(0)  # Σ count
    reported: int = 0  # units counted
    without_weight: list[str] = field(default_factory=list)
    contradicting: list[str] = field(default_factory=list)

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        assert row.weight is not None  # the catalog gives every 'weighted' row its weight
        counted: list[tuple[float | int, int | Fraction]] = []
        for unit in units:
            percent = unit.values.get(row.id)
            if percent is None:
                continue
            weight = row.weight.exact(unit.values)
            if weight is None:
                self.without_weight.append(unit.unit)
            elif not 0 <= percent <= 100 or weight < 0:
                self.contradicting.append(unit.unit)
            else:
                counted.append((percent, weight))
        self.product += exact_sum_of_products(counted)
        self.weight += sum(weight for _, weight in counted)
        self.reported += len(counted)
        self.without_weight.sort()
        self.contradicting.sort()

    def merged(self, other: Self) -> Self:
        return type(self)(self.product + other.product, self.weight + other.weight, self.reported + other.reported,
                          sorted(self.without_weight + other.without_weight),
                          sorted(self.contradicting + other.contradicting))

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return self.product / self.weight if self.weight > 0 else None

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return _rounded(self.value(row, rollup))

    def describe(self, row: Row, rollup: Rollup) -> str:
        assert row.weight is not None
        weight_label = " + ".join(_row_name(rollup.catalog.row(ref)) for ref in row.weight.ids)
        if not self.reported:
            text = f"Bình quân gia quyền theo {weight_label}: không đơn vị nào có đủ tỷ lệ và số liệu này"
        elif self.weight == 0:
            text = f"Bình quân gia quyền theo {weight_label}: tổng bằng 0, không tính được tỷ lệ"
        else:
            text = (f"Bình quân gia quyền theo {weight_label} của {self.reported} đơn vị: "
                    f"{format_value(self.product / 100)} / {format_value(self.weight)} × 100")
        return (text + _left_out(self.without_weight, f"thiếu {weight_label}")
                + _left_out(self.contradicting, "có số liệu mâu thuẫn (tỷ lệ ngoài 0–100)"))

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"rule": self.name, "reported": self.reported,
                                "product": untrusted.fraction_text(self.product),
                                "weight": untrusted.fraction_text(self.weight)}
        if self.without_weight:
            item["without_weight"] = self.without_weight
        if self.contradicting:
            item["contradicting"] = self.contradicting
        return item

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(untrusted.fraction(item.get("product", "0")), untrusted.fraction(item.get("weight", "0")),
                   untrusted.count(item.get("reported", 0)),
                   sorted(untrusted.text_items(item.get("without_weight"))),
                   sorted(untrusted.text_items(item.get("contradicting"))))


Code = int | Fraction


def _code(value: Fraction) -> Code:
    """A code as a whole number; a non-integer code is a lỗi the checks report, counted as given."""
    return int(value) if value.denominator == 1 else value


def _code_word(row: Row, code: Code) -> str:
    words = row.codes or {}
    return words.get(code, f"Mã {format_value(code)}") if isinstance(code, int) else f"Mã {format_value(code)}"


@dataclass
class _Answers(Rule):
    """Coded answers, kept as how many units gave each code."""

    keeps_state: ClassVar[bool] = True
    reported: int = 0  # units that answered
    codes: dict[Code, int] = field(default_factory=dict)  # code -> units

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        given = _given(row, units) if given is None else given
        codes = Counter(self.codes)
        codes.update(value if isinstance(value, int) else _code(as_fraction(value)) for _, value in given)
        self.codes = dict(sorted(codes.items()))
        self.reported += len(given)

    def merged(self, other: Self) -> Self:
        codes = Counter(self.codes)
        codes.update(other.codes)
        return type(self)(self.reported + other.reported, dict(sorted(codes.items())))

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"rule": self.name, "reported": self.reported}
        if self.codes:
            item["codes"] = [[untrusted.fraction_text(Fraction(code)), count] for code, count in self.codes.items()]
        return item

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        codes = {}
        for code, count in untrusted.items(item.get("codes")):
            codes[_code(untrusted.fraction(code))] = untrusted.count(count)
        return cls(untrusted.count(item.get("reported", 0)), dict(sorted(codes.items())))


@dataclass
class CountYes(_Answers):
    """A Có/Không answer: how many units answered 1 (of those that answered)."""

    name: ClassVar[str] = "count_yes"

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return Fraction(self.codes.get(1, 0)) if self.reported else None

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return f"{self.codes.get(1, 0)}/{self.reported} đơn vị" if self.reported else None

    def describe(self, row: Row, rollup: Rollup) -> str:
        if not self.reported:
            return "Không đơn vị nào trả lời"
        text = f"{self.codes.get(1, 0)}/{self.reported} đơn vị trả lời {_code_word(row, 1)}"
        silent = len(rollup.units) - self.reported
        return text + (f"; {silent} đơn vị không trả lời" if silent > 0 else "")


@dataclass
class CountPerCode(_Answers):
    """Other coded answers: how many units gave each code."""

    name: ClassVar[str] = "count_per_code"

    def counts(self, row: Row) -> dict[Code, int]:
        """Units per code: every code of the legend (0 when nobody gave it), then any other code given."""
        codes: dict[Code, int] = {code: 0 for code in sorted(row.codes or {})}
        codes.update(self.codes)
        return dict(sorted(codes.items()))

    def total(self, row: Row, rollup: Rollup) -> Any:
        if not self.reported:
            return None
        return {str(code) if isinstance(code, int) else str(float(code)): count
                for code, count in self.counts(row).items()}

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        if not self.reported:
            return None
        return "; ".join(f"{_code_word(row, code)}: {count}" for code, count in self.counts(row).items())

    def describe(self, row: Row, rollup: Rollup) -> str:
        if not self.reported:
            return "Không đơn vị nào trả lời"
        return f"Số đơn vị theo từng câu trả lời ({self.reported}/{len(rollup.units)} đơn vị trả lời)"


@dataclass
class Common(Rule):
    """A count from a shared list (procedures): the value most units give; ties go to the smallest
    value; the units that differ are listed."""

    name: ClassVar[str] = "common"
    keeps_state: ClassVar[bool] = True
    reported: int = 0  # units that gave a figure
    values: dict[Fraction, list[str]] = field(default_factory=dict)  # value -> units

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        given = _given(row, units) if given is None else given
        # Units mostly give the same few figures: each distinct figure becomes a Fraction once (equal
        # numbers are equal keys whatever their type; the names are sorted in the end).
        by_figure: dict[Any, list[str]] = {}
        for name, value in given:
            by_figure.setdefault(value, []).append(name)
        values = {value: list(names) for value, names in self.values.items()}
        for figure, names in by_figure.items():
            values.setdefault(as_fraction(figure), []).extend(names)
        self.values = {value: sorted(names) for value, names in sorted(values.items())}
        self.reported += len(given)

    def merged(self, other: Self) -> Self:
        values = {value: list(units) for value, units in self.values.items()}
        for value, units in other.values.items():
            values[value] = sorted(values.get(value, []) + list(units))
        return type(self)(self.reported + other.reported, dict(sorted(values.items())))

    def common(self) -> Fraction | None:
        """The value given by most units; among equally frequent values, the smallest."""
        if not self.values:
            return None
        return min(self.values, key=lambda value: (-len(self.values[value]), value))

    def value(self, row: Row, rollup: Rollup) -> Fraction | None:
        return self.common()

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        return edge(self.common())

    def disagreements(self) -> list[tuple[str, int | float | None]]:
        """(unit, value) of the units whose value differs from the common one."""
        common = self.common()
        return [(unit, edge(value)) for value, units in sorted(self.values.items())
                if value != common for unit in units]

    def describe(self, row: Row, rollup: Rollup) -> str:
        common = self.common()
        if common is None:
            return "Không đơn vị nào báo cáo"
        others = self.disagreements()
        if not others:
            return f"Giá trị chung {format_value(common)} (cả {self.reported} đơn vị)"
        listed = ", ".join(f"{unit} ({format_value(value)})" for unit, value in others[:_LISTED_UNITS])
        if len(others) > _LISTED_UNITS:
            listed += f" và {len(others) - _LISTED_UNITS} đơn vị khác (xem sheet Chi tiết)"
        sizes = sorted((len(units) for units in self.values.values()), reverse=True)
        tie = len(sizes) > 1 and sizes[0] == sizes[1]
        return (f"Giá trị chung {format_value(common)}; khác: {listed}"
                + ("; nhiều giá trị có cùng số đơn vị, lấy giá trị nhỏ nhất" if tie else ""))

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"rule": self.name, "reported": self.reported}
        if self.values:
            item["values"] = [[untrusted.fraction_text(value), units] for value, units in self.values.items()]
        return item

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        values = {untrusted.fraction(value): sorted(untrusted.text_items(units))
                  for value, units in untrusted.items(item.get("values"))}
        return cls(untrusted.count(item.get("reported", 0)), dict(sorted(values.items())))


@dataclass
class PerUnit(Rule):
    """Text: kept per unit."""

    name: ClassVar[str] = "per_unit"
    keeps_state: ClassVar[bool] = True
    texts: dict[str, str] = field(default_factory=dict)  # unit -> text

    def add(self, row: Row, units: Sequence[UnitReport], given: Given | None = None) -> None:
        self.texts.update({unit.unit: unit.texts[row.id] for unit in units if unit.texts.get(row.id)}
                          if given is None else given)

    def merged(self, other: Self) -> Self:
        return type(self)({**self.texts, **other.texts})

    def by_unit_name(self) -> list[tuple[str, str]]:
        return sorted(self.texts.items(), key=lambda item: (fold(item[0]), item[0]))

    def total(self, row: Row, rollup: Rollup) -> Any:
        return dict(self.by_unit_name()) or None

    def shown(self, row: Row, rollup: Rollup) -> Shown:
        text = "\n".join(f"{unit}: {text}" for unit, text in self.by_unit_name())
        return (text[:_MAX_CELL_TEXT] + "…" if len(text) > _MAX_CELL_TEXT else text) or None

    def describe(self, row: Row, rollup: Rollup) -> str:
        return f"Giữ nguyên theo từng đơn vị ({len(self.texts)} đơn vị có ghi)"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.name, **({"texts": self.texts} if self.texts else {})}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Self:
        return cls(untrusted.texts(item.get("texts")))


RULES: dict[str, type[Rule]] = {rule.name: rule for rule in (Rule, Sum, Mean, Recompute, Weighted, CountYes,
                                                              CountPerCode, Common, PerUnit)}
