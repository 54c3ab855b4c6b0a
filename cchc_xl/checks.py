"""Kiểm tra: a read Phụ lục in, findings out.

`check(submission)` returns the reading findings plus those of the rules below, sorted by the
row of the sheet they point at. Every rule is a small function over a catalog row and the
figures; none of them raises on bad data: a figure that is missing skips the rule, and a
figure that makes no sense becomes a finding.

Rules (severity): not-whole, negative, percent-range, code-unknown, percent-mismatch, number-as-text (lỗi);
percent-no-base (cảnh báo); the catalog's own checks (part-le-whole, sum-equals, flow-balance,
compare: the severity the catalog gives); required-missing (lỗi); figure-on-group (cảnh báo).

One module, over 500 lines, on purpose: every rule is a short function beside the others it
shares helpers with (figures of a row, the percent arithmetic, the finding's place); split, the
rules would be scattered and their helpers made public.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from . import expr
from .catalog import Catalog, Check, Row, reporter
from .cells import Place, parse_cell, split_reference
from .findings import ERROR, Finding, format_value, make
from .periods import fold
from .printed_rollup import note_quotient
from .submission import DETAIL_SHEET, META_SHEET, ROLLUP_KIND, Figure, Submission
from .values import is_not_reported, round_half_up

if TYPE_CHECKING:
    from .rollup import Rollup

Values = Mapping[str, "float | int | None"]

# How far a label is shortened inside a sum of several rows, so a message stays one readable line.
_SHORT_LABEL = 60
# How many units a message about a roll-up's detail sheet names.
_MAX_UNITS_NAMED = 5
# How many detail rows a figure-on-group message lists.
_MAX_GROUP_DETAILS = 4
# Numbers typed with more decimals than this are treated as carrying full precision.
_MAX_WRITTEN_DECIMALS = 6

_RELATION_VI = {
    "<=": "nhỏ hơn hoặc bằng", "<": "nhỏ hơn", ">=": "lớn hơn hoặc bằng", ">": "lớn hơn",
    "==": "bằng", "!=": "khác",
}
_SWAPPED = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}


def check(submission: Submission) -> list[Finding]:
    """The reading findings of `submission` and every rule's findings, in sheet row order."""
    catalog = submission.catalog
    found: list[Finding] = [_with_group_detail(finding, submission) for finding in submission.findings]
    template = submission.metadata.get("kind") == "template"
    own = {row.id: own_finding(row, figure, template)
           for row in catalog.figure_rows
           if (figure := submission.figures.get(row.id)) is not None and figure.value is not None}
    # One mistake, one finding: a figure that is already a lỗi on its own row is left out of every
    # check that uses it (the others would only repeat it, with a wrong number in their message).
    faulty = {row_id for row_id, finding in own.items() if finding is not None and finding.severity == ERROR}
    if submission.printed_rollup:
        found.extend(rollup_findings(submission, own))
        if submission.metadata.get("kind") == ROLLUP_KIND:
            found.extend(against_state(submission))
        return sort_findings(_unique(found), catalog)
    values = {row_id: (None if row_id in faulty else value) for row_id, value in submission.values.items()}
    for row in catalog.rows:
        figure = submission.figures.get(row.id)
        if row.id in own and figure is not None:  # own: the rows with a figure
            said = own[row.id]
            found.extend([said] if said is not None else percent_findings(row, figure, values))
        else:
            found.extend(row_findings(row, figure, values, submission))
    for row, rule_check in catalog.checks:
        finding = catalog_check(row, rule_check, catalog, values, submission.where)
        if finding is not None:
            found.append(finding)
    return sort_findings(_unique(found), catalog)


def rollup_findings(submission: Submission, own: Mapping[str, Finding | None]) -> list[Finding]:
    """What holds on a roll-up's printed table (printed_rollup.py): each figure's kind and range (sums
    of counts are whole, percents 0–100), no figure on a heading, and a recomputed or weighted
    percent equal to the parts its note says it was combined from. Not the identities between rows
    nor a percent against the parts printed beside it (each row combined over the units that gave
    it), nor a required row (no unit may have given it)."""
    found: list[Finding] = []
    for row in submission.catalog.rows:
        figure = submission.figures.get(row.id)
        if row.is_heading:
            found.extend(figure_on_group(row, figure, submission))
        elif figure is not None and row.id in own:
            said = own[row.id] or _percent_against_note(row, figure)
            found.extend([said] if said is not None else [])
    return found


def against_state(submission: Submission) -> list[Finding]:
    """A roll-up made by merge: the figures its summary sheet shows against those its state gives."""
    from .rollup import Rollup, StateError

    try:
        rollup = Rollup.from_state_json(submission.catalog, submission.metadata.get("state") or "")
    except StateError as exc:
        return [make("rollup-state-broken", (), None, sheet=META_SHEET, detail=exc)]
    return typed_over(submission, rollup) + units_listed(submission, rollup)


def typed_over(submission: Submission, rollup: Rollup) -> list[Finding]:
    """The figures a roll-up's summary sheet shows that are not those its state gives (a total typed
    over by hand in Excel): which is right cannot be told, and merging the state one level up would
    pass on figures the sender did not send. Texts and counts per answer are not compared."""
    found = []
    for row in submission.catalog.figure_rows:
        figure = submission.figures.get(row.id)
        written = rollup.display(row.id)
        if figure is None or isinstance(written, (bool, str)):
            continue
        shown = figure.raw
        number = isinstance(shown, (int, float)) and not isinstance(shown, bool)
        if (written is None and not number) or (number and shown == written):
            continue
        found.append(row_make("rollup-typed-over", row, figure.where, value=shown, expected=written,
                              shown=cell_shows(shown), total=rollup_gives(written)))
    return found


def units_listed(submission: Submission, rollup: Rollup) -> list[Finding]:
    """The units a roll-up's detail sheet lists against those its figures are of: a line deleted there
    takes no unit out of the roll-up, nor does a line added put one in."""
    if submission.listed_units is None:
        return []
    listed = Counter(submission.listed_units)
    counted = Counter(" ".join(unit.unit.split()) for unit in rollup.units)
    found = []
    for rule, names in (("rollup-unit-unlisted", counted - listed), ("rollup-unit-uncounted", listed - counted)):
        if names:
            shown = [f"«{name}»" for name in sorted(names.elements(), key=lambda name: (fold(name), name))]
            more = f" và {len(shown) - _MAX_UNITS_NAMED} đơn vị khác" if len(shown) > _MAX_UNITS_NAMED else ""
            found.append(make(rule, (), None, sheet=DETAIL_SHEET, count=len(shown),
                              units=", ".join(shown[:_MAX_UNITS_NAMED]) + more))
    return found


def cell_shows(raw: Any) -> str:
    """What a cell shows, said after the cell: 'ghi 140', 'ghi «abc»', 'để trống'."""
    if raw is None or isinstance(raw, str) and not raw.strip():
        return "để trống"
    return f"ghi «{raw}»" if isinstance(raw, str) else f"ghi {format_value(raw)}"


def rollup_gives(figure: Any) -> str:
    """A roll-up's own figure, said after 'số liệu tổng hợp': 'là 132', or 'không có' when no unit gave one."""
    return f"là {format_value(figure)}" if figure is not None else "không có (không đơn vị nào báo cáo dòng này)"


# A roll-up's percent that is not the quotient its own "Ghi chú" gives: the figure was retyped.
_ROLLUP_PERCENT = ("Dòng {stt} «{label}»: tỷ lệ ghi {value}% nhưng cột Ghi chú ghi tỷ lệ này được tính từ "
                   "{detail}, tức là {expected}%. Hãy sửa lại tỷ lệ (hoặc tạo lại báo cáo từ tệp tổng hợp).")


def _percent_against_note(row: Row, figure: Figure) -> Finding | None:
    quotient = note_quotient(figure.note) if row.rollup in ("recompute", "weighted") else None
    written = written_number(figure.raw, figure.value)
    if quotient is None or written is None or quotient[1] == 0:
        return None
    top, bottom, exact = quotient
    value, decimals = written
    percent = top / bottom * 100
    # Parts written with decimals were rounded for the note: one unit of the last place written is allowed.
    if accepts(value, decimals, percent) or (not exact and abs(value - percent) < Fraction(1, 10 ** (decimals or 0))):
        return None
    return row_make("percent-mismatch", row, figure.where, value=figure.value, message=_ROLLUP_PERCENT,
                    expected=round_half_up(percent, max(decimals or 0, 2)),
                    detail=f"{format_value(top)} / {format_value(bottom)} × 100")


def row_findings(row: Row, figure: Figure | None, values: Values, submission: Submission) -> list[Finding]:
    """The findings one row gives on its own: its kind and range, its percent, required, group."""
    value = figure.value if figure else None
    cell = figure.where if figure else None
    if row.is_heading:
        return list(figure_on_group(row, figure, submission))
    if (row.required and _left_empty(row, figure) and not _unreadable(row.id, submission.findings)
            and required_of(row, submission.unit)):
        return [row_make("required-missing", row, cell)]
    if figure is None or value is None:
        return []
    kind_finding = kind_and_range(row, value, cell, figure.raw)
    if kind_finding is not None:
        return [kind_finding]
    return percent_findings(row, figure, values)


def percent_findings(row: Row, figure: Figure, values: Values) -> list[Finding]:
    """A typed percent against its parts, for a row defined by parts."""
    if row.percent is None:
        return []
    mismatch = percent_mismatch(row, figure, values)
    return [mismatch] if mismatch is not None else []


# "1,250": a comma before exactly three digits, typed for one thousand two hundred fifty.
_COMMA_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3},\d{3}\s*$")


def own_finding(row: Row, figure: Figure, template: bool) -> Finding | None:
    """What a figure that was read says of itself: kept as text in a cell of the tool's own template
    (its formulas and live checks cannot use it, so neither do the checks here), else its kind and range."""
    if template and isinstance(figure.raw, str):
        return row_make("number-as-text", row, figure.where, value=figure.raw)
    assert figure.value is not None  # own_finding is asked only of figures that were read
    return kind_and_range(row, figure.value, figure.where, figure.raw)


def row_message(rule: str, row: Row, value: object, expected: object = None) -> Finding:
    """The finding `rule` makes about `row` alone, for any value (the live checks pass placeholders)."""
    return row_make(rule, row, None, value=value, expected=expected, unit_lower=_unit_lower(row.unit),
                     legend=legend(row.codes or {}))


def kind_and_range(row: Row, value: float | int, cell: Place | str | None, raw: object = None) -> Finding | None:
    """Counts whole and not negative, money not negative, percents 0..100, codes inside the legend."""
    if row.kind == "count":
        if not _is_whole(value):
            written = raw.strip() if isinstance(raw, str) else value
            return row_make("not-whole", row, cell, value=written, unit_lower=_unit_lower(row.unit),
                             hint=_thousands_hint(raw))
        if value < 0:
            return row_make("negative", row, cell, value=value)
    elif row.kind == "money":
        if value < 0:
            return row_make("negative", row, cell, value=value)
    elif row.kind == "percent":
        if not 0 <= value <= 100:
            return row_make("percent-range", row, cell, value=value)
    elif row.kind in ("yesno", "code") and row.codes:
        if not _is_whole(value) or int(value) not in row.codes:
            return row_make("code-unknown", row, cell, value=value, legend=legend(row.codes))
    return None


def _thousands_hint(raw: object) -> str:
    """For "1,250" in a count: how to write one thousand two hundred fifty."""
    if not (isinstance(raw, str) and _COMMA_THOUSANDS.match(raw)):
        return ""
    whole = int(raw.strip().replace(",", ""))
    return (f" Nếu ý là {format_value(whole)}, hãy ghi {whole} hoặc {format_value(whole)}: dấu phẩy là dấu thập phân, "
            "dấu chấm mới ngăn cách hàng nghìn.")


def legend(codes: Mapping[int, str]) -> str:
    """The codes as a form prints them: 'Không = 0, Có = 1'."""
    return ", ".join(f"{meaning} = {code}" for code, meaning in sorted(codes.items()))


# --- percent written against its parts -------------------------------------------------------

def percent_mismatch(row: Row, figure: Figure, values: Values) -> Finding | None:
    """A typed percent must equal numerator / denominator × 100 as rounded or truncated to the
    precision it is written with; a zero denominator cannot give a percent at all."""
    percent = row.percent
    if percent is None:
        return None
    numerator = percent.numerator.number(values)
    denominator = percent.denominator.number(values)
    if numerator is None or denominator is None:
        return None
    written = written_number(figure.raw, figure.value)
    if written is None:
        return None
    written_value, decimals = written
    ids = [row.id, *percent.ids]
    if denominator == 0:
        detail = f"{format_value(numerator)}/{format_value(denominator)}"
        return row_make("percent-no-base", row, figure.where, ids=ids, value=figure.value, detail=detail)
    # The evaluator gives whole numbers or fractions: the quotient is compared in whole numbers.
    top, bottom = 100 * numerator.numerator * denominator.denominator, numerator.denominator * denominator.numerator
    if accepts_quotient(written_value, decimals, top, bottom):
        return None
    exact = Fraction(top, bottom)
    detail = f"{format_value(numerator)}/{format_value(denominator)}"
    shown = round_half_up(exact, max(decimals or 0, 2))
    return row_make("percent-mismatch", row, figure.where, ids=ids, value=figure.value, expected=shown,
                     detail=detail)


def accepts(written: Fraction, decimals: int | None, exact: Fraction) -> bool:
    """Whether `written` is `exact` rounded or truncated to `decimals` places.

    decimals None means a number carrying full precision (a formula's result): it must equal
    the exact quotient up to float noise."""
    return accepts_quotient(written, decimals, exact.numerator, exact.denominator)


def accepts_quotient(written: Fraction, decimals: int | None, top: int, bottom: int) -> bool:
    """accepts(written, decimals, top / bottom), rounding and truncating in whole numbers: Fraction
    arithmetic costs several times more, and a percent is checked in every file."""
    if decimals is None:
        exact = Fraction(top, bottom)
        return abs(written - exact) <= Fraction(1, 10 ** 9) * max(Fraction(1), abs(exact))
    scale = 10 ** decimals
    scaled, remainder = divmod(written.numerator * scale, written.denominator)
    if remainder:
        return False
    top *= scale
    negative = (top < 0) != (bottom < 0)
    top, bottom = abs(top), abs(bottom)
    truncated, rounded = top // bottom, (2 * top + bottom) // (2 * bottom)  # floor(x + 1/2): halves away from 0
    if negative:
        truncated, rounded = -truncated, -rounded
    return scaled in (rounded, truncated)


_NUMBER_TEXT = re.compile(r"[-+]?\d[\d.,\s]*")


def written_number(raw: object, value: float | int | None) -> tuple[Fraction, int | None] | None:
    """The value as written and its number of decimals.

    From the text when the cell held text ("99,5" -> 1, "99,53%" -> 2, "100" -> 0), else from
    the number itself (99.53 -> 2); None decimals for a number with more than a person types."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    exact = expr.as_fraction(value)
    if isinstance(raw, str):
        decimals = _text_decimals(raw, value)
        if decimals is not None:
            return round_half_up(exact, decimals), decimals
    shown = _shortest_decimals(value, exact)
    if shown is not None:
        return exact, shown
    noise = Fraction(1, 10 ** 9) * max(Fraction(1), abs(exact))
    for decimals in range(_MAX_WRITTEN_DECIMALS + 1):
        if abs(exact - round_half_up(exact, decimals)) <= noise:
            return round_half_up(exact, decimals), decimals
    return exact, None


def _shortest_decimals(value: float | int, exact: Fraction) -> int | None:
    """What the search below finds, known without it in the common case: an int has 0 decimals;
    a float whose shortest text has k <= 6 decimals (the last one not 0) differs by at least
    10^-k from any rounding to fewer places, which is more than the float noise allowed when
    |value| < 10^(9-k). None when the search must decide."""
    if isinstance(value, int):
        return 0
    text = repr(value)
    if "e" in text:
        return None
    places = len(text.partition(".")[2].rstrip("0"))
    return places if places <= _MAX_WRITTEN_DECIMALS and abs(exact) < 10 ** (9 - places) else None


def _text_decimals(text: str, value: float | int) -> int | None:
    """Digits after the decimal mark, the marks read as values.py reads them: with both marks the
    later one is decimal; a mark repeated, or a lone dot before three digits of a whole number,
    groups thousands."""
    match = _NUMBER_TEXT.search(text)
    if not match:
        return None
    digits = re.sub(r"\s", "", match.group()).rstrip(".,")
    if "," in digits and "." in digits:
        mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        return len(digits.rsplit(mark, 1)[1])
    for mark in (",", "."):
        if mark in digits:
            if digits.count(mark) > 1:
                return 0
            tail = digits.rsplit(mark, 1)[1]
            return 0 if mark == "." and len(tail) == 3 and _is_whole(value) else len(tail)
    return 0


# --- the catalog's checks ---------------------------------------------------------------------

def catalog_check(row: Row, rule_check: Check, catalog: Catalog, values: Values,
                  cell_of: Callable[[str], Place | str | None] = lambda row_id: None) -> Finding | None:
    """One declared check; None when it holds or when the figures it needs are missing. Parts left
    blank do not save a part-le-whole or sum-equals check whose given parts already exceed the whole."""
    try:
        holds = rule_check.assertion.evaluate(values)
    except (ArithmeticError, ValueError, TypeError):
        return None
    incomplete = holds is None
    if incomplete:
        holds = not given_parts_exceed(rule_check, values)
    if holds:
        return None
    left, _, right = message_sides(rule_check)
    given = [row_id for row_id in (*left.ids, *right.ids, row.id) if values.get(row_id) is not None]
    cell = _first_cell(given or (row.id,), cell_of)
    return check_finding(rule_check, catalog, lambda side: side_numbers(side, values), cell, incomplete)


def check_finding(rule_check: Check, catalog: Catalog, numbers: Callable[[expr.Expression], str],
                  cell: Place | str | None = None, incomplete: bool = False) -> Finding:
    """The finding of a broken check: its sides named by their rows' labels, their figures written
    by `numbers` (side_numbers here; formulas in the template's live checks)."""
    left, op, right = message_sides(rule_check)
    # The sum-equals message already says "tổng các phần" before the parts.
    total_word = rule_check.rule != "sum-equals"
    finding = make(rule_check.rule, rule_check.ids, cell, severity=rule_check.severity,
                   message=rule_check.message, left_label=side_label(left, catalog, total_word),
                   right_label=side_label(right, catalog, total_word), left=numbers(left), right=numbers(right),
                   relation=f"số đầu phải {_RELATION_VI[op]} số sau")
    message = finding.message[:1].upper() + finding.message[1:]
    if incomplete:
        message += " " + PARTS_LEFT_BLANK
    return replace(finding, message=message)


def message_sides(rule_check: Check) -> tuple[expr.Expression, str, expr.Expression]:
    """The sides as the message reads them: as written for the catalog's own wording (it names
    {left} and {right}), else the part before its whole and the total before its parts."""
    if rule_check.message:
        (left, right), op = rule_check.assertion.sides(), rule_check.assertion.operator
        return left, op, right
    return _oriented_sides(rule_check)


# Said after a part-le-whole or sum-equals finding whose parts are not all given.
PARTS_LEFT_BLANK = "Các phần để trống chưa được cộng: riêng các phần đã ghi đã lớn hơn tổng."


@dataclass(frozen=True)
class PartsAndWhole:
    """A part-le-whole or sum-equals check read as parts added up against a whole."""

    parts: tuple[expr.Node, ...]  # rows and numbers, all added
    whole: expr.Expression
    op: str  # parts `op` whole: "<=", "<" or "=="

    @cached_property
    def part_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(node.id for node in self.parts if isinstance(node, expr.Ref)))


def parts_and_whole(rule_check: Check) -> PartsAndWhole | None:
    """The check as parts against a whole, when it is a part-le-whole or sum-equals check whose parts
    side only adds rows and numbers; None for any other check. Figures are never negative (a negative
    one is a lỗi of its own), so parts left blank can only add to those given."""
    if rule_check.rule not in ("part-le-whole", "sum-equals"):
        return None
    left, op, right = _oriented_sides(rule_check)
    if rule_check.rule == "part-le-whole" and op in ("<=", "<"):
        parts, whole = left, right
    elif rule_check.rule == "sum-equals" and op == "==":
        whole, parts = left, right
    else:
        return None
    terms = linear_terms(parts.root)
    if terms is None or any(sign != "+" for sign, _ in terms) or not parts.ids:
        return None
    return PartsAndWhole(tuple(node for _, node in terms), whole, op)


def given_parts_exceed(rule_check: Check, values: Values) -> bool:
    """Whether the parts that are given already break the check whatever the blank parts hold:
    their sum is above the whole (or reaches it, for a strict '<'). False when the whole or every
    part is missing, and for checks that are not parts against a whole."""
    split = parts_and_whole(rule_check)
    if split is None:
        return False
    whole = split.whole.number(values)
    given = [_term_value(node, values) for node in split.parts]
    if whole is None or all(values.get(row_id) is None for row_id in split.part_ids):
        return False
    total = sum(value for value in given if value is not None)
    return total >= whole if split.op == "<" else total > whole


def _oriented_sides(rule_check: Check) -> tuple[expr.Expression, str, expr.Expression]:
    """The sides in the order the rule's message reads them: the part before its whole, the
    total before its parts."""
    left, right = rule_check.assertion.sides()
    op = rule_check.assertion.operator
    if rule_check.rule == "part-le-whole" and op in (">=", ">"):
        return right, _SWAPPED[op], left
    total_on_right = isinstance(right.root, expr.Ref) and not isinstance(left.root, expr.Ref)
    if rule_check.rule in ("sum-equals", "flow-balance") and total_on_right:
        return right, _SWAPPED[op], left
    return left, op, right


BLANK_PART = "để trống"


def side_label(side: expr.Expression, catalog: Catalog, with_total_word: bool = True) -> str:
    """A side of a check in words: a row's label, or for a sum the rows' labels joined with +."""
    if isinstance(side.root, expr.Ref):
        return _without_long_remark(_row_label(catalog, side.root.id))
    terms = linear_terms(side.root)
    if terms is not None:
        label = _join_terms([(sign, _term_label(node, catalog, len(terms) > 2)) for sign, node in terms])
        all_added = all(sign == "+" for sign, _ in terms)
        return ("tổng " if with_total_word and all_added else "") + label
    return _words(side.root, catalog)


def side_numbers(side: expr.Expression, values: Values) -> str:
    """A side of a check in numbers: a row's value, or for a sum the values '274 + 139 = 413'
    (a part left blank is written so, and the total is of those given)."""
    total = side.number(values)
    terms = linear_terms(side.root)
    if terms is None or isinstance(side.root, expr.Ref):
        return format_value(total)
    term_values = [(sign, _term_value(node, values)) for sign, node in terms]
    numbers = _join_terms([(sign, BLANK_PART if value is None else format_value(value))
                           for sign, value in term_values])
    if total is None:
        total = sum((value if sign == "+" else -value for sign, value in term_values if value is not None),
                    Fraction(0))
    return f"{numbers} = {format_value(total)}"


def linear_terms(node: expr.Node, sign: str = "+") -> list[tuple[str, expr.Node]] | None:
    """A side made only of rows and numbers added or subtracted, as signed terms; None otherwise."""
    if isinstance(node, (expr.Ref, expr.Num)):
        return [(sign, node)]
    if isinstance(node, expr.Neg):
        return linear_terms(node.operand, "-" if sign == "+" else "+")
    if isinstance(node, expr.BinOp) and node.op in ("+", "-"):
        left = linear_terms(node.left, sign)
        flipped = sign if node.op == "+" else ("-" if sign == "+" else "+")
        right = linear_terms(node.right, flipped)
        if left is None or right is None:
            return None
        return left + right
    return None


def _join_terms(terms: list[tuple[str, str]]) -> str:
    text = ""
    for index, (sign, part) in enumerate(terms):
        if index == 0:
            text = part if sign == "+" else f"− {part}"
        else:
            text += f" {'+' if sign == '+' else '−'} {part}"
    return text


def _term_label(node: expr.Node, catalog: Catalog, short: bool) -> str:
    if isinstance(node, expr.Num):
        return format_value(node.value)
    assert isinstance(node, expr.Ref)  # a term is a figure or a number
    label = _row_label(catalog, node.id)
    return f"«{_shortened(label) if short else label}»"


_TRAILING_REMARK = re.compile(r"\s*\([^()]{20,}\)\s*$")


def _without_long_remark(label: str) -> str:
    """A label without a long closing remark in brackets ('… (Chỉ thống kê đối với …)'); the cell
    named in the finding shows the full text. Short ones like '(BCCI)' stay."""
    return _TRAILING_REMARK.sub("", label) or label


def _shortened(label: str) -> str:
    return label[:_SHORT_LABEL].rstrip() + "…" if len(label) > _SHORT_LABEL + 2 else label


def _term_value(node: expr.Node, values: Values) -> Fraction | None:
    if isinstance(node, expr.Num):
        return node.value
    assert isinstance(node, expr.Ref)  # a term is a figure or a number
    return expr.as_fraction(values.get(node.id))


def _words(node: expr.Node, catalog: Catalog) -> str:
    """Any other expression, rows named by their labels."""
    if isinstance(node, expr.Num):
        return format_value(node.value)
    if isinstance(node, expr.Ref):
        return f"«{_row_label(catalog, node.id)}»"
    if isinstance(node, expr.Neg):
        return f"−({_words(node.operand, catalog)})"
    symbol = {"*": "×", "/": ":", "-": "−"}.get(node.op, node.op)
    return f"({_words(node.left, catalog)} {symbol} {_words(node.right, catalog)})"


def _row_label(catalog: Catalog, row_id: str) -> str:
    """The label as a sentence part: list dashes some forms print before labels dropped."""
    return catalog.row(row_id).label.lstrip("-–•+ ").strip() or catalog.row(row_id).label


def _first_cell(ids: Iterable[str], cell_of: Callable[[str], Place | str | None]) -> Place | str | None:
    for row_id in ids:
        cell = cell_of(row_id)
        if cell:
            return cell
    return None


# --- rows that should or should not hold a figure ---------------------------------------------

def figure_on_group(row: Row, figure: Figure | None, submission: Submission) -> Iterator[Finding]:
    """A section or group row with a figure typed on it: the figure counts for nothing."""
    if figure is None or (figure.value is None and not _has_text(figure.raw)):
        return
    shown = figure.raw if figure.value is None else figure.value
    yield row_make("figure-on-group", row, figure.where, value=shown, detail=group_detail(row, submission))


def group_detail(group: Row, submission: Submission) -> str:
    """The figures of the rows under a group, so the group's own figure can be compared with
    them: ' (các dòng chi tiết ghi: 4.1.2 = 33; 4.1.3 = 1)'."""
    details = []
    for child in _children(group, submission.catalog):
        child_figure = submission.figures.get(child.id)
        if child_figure is not None and child_figure.value is not None:
            name = printed_stt(child) or f"«{_shortened(_row_label(submission.catalog, child.id))}»"
            details.append(f"{name} = {format_value(child_figure.value)}")
    if len(details) > _MAX_GROUP_DETAILS:
        details = details[:_MAX_GROUP_DETAILS] + ["…"]
    return f" (các dòng chi tiết ghi: {'; '.join(details)})" if details else ""


def _with_group_detail(finding: Finding, submission: Submission) -> Finding:
    """The reader's figure-on-group finding, reworded to name the detail rows' figures."""
    catalog = submission.catalog
    if finding.rule != "figure-on-group" or len(finding.ids) != 1 or finding.ids[0] not in catalog:
        return finding
    row = catalog.row(finding.ids[0])
    return row_make("figure-on-group", row, finding.place or finding.cell, value=finding.value,
                     detail=group_detail(row, submission))


def _children(group: Row, catalog: Catalog) -> list[Row]:
    """The figure rows right under a group: those after it up to the next heading."""
    rows = list(catalog.rows)
    start = rows.index(group) + 1
    children = []
    for row in rows[start:]:
        if row.is_heading:
            break
        if row.takes_figure:
            children.append(row)
    numbered = [row for row in children if row.id.startswith(group.id + ".")]
    return numbered or children


def required_of(row: Row, unit: str) -> bool:
    """Whether the unit must fill this required row: every reporter unless the catalog names some;
    a unit whose kind the name does not tell is held to it."""
    if not row.required_of:
        return True
    kind = reporter(unit)
    return kind is None or kind in row.required_of


def _left_empty(row: Row, figure: Figure | None) -> bool:
    """Nothing reported: no figure, or for a text row no text."""
    if figure is None:
        return True
    if row.kind == "text":
        return not _has_text(figure.raw)
    return figure.value is None


_UNREADABLE_RULES = ("not-a-number", "cell-error", "date-typed", "formula-no-value", "code-unknown")


def _unreadable(row_id: str, reading: Iterable[Finding]) -> bool:
    """The reader already said the cell holds something that is not a number."""
    return any(f.rule in _UNREADABLE_RULES and row_id in f.ids for f in reading)


# --- order and helpers ------------------------------------------------------------------------


def sort_findings(findings: Iterable[Finding], catalog: Catalog) -> list[Finding]:
    """In the order of the sheet's rows; findings without a cell after, in catalog order."""
    position = {row.id: index for index, row in enumerate(catalog.rows)}

    def key(finding: Finding) -> tuple[bool, tuple[int, int], int, bool]:
        place = _sheet_place(finding.cell)
        first = min((position.get(row_id, len(position)) for row_id in finding.ids), default=len(position))
        return (place is None, place or (0, 0), first, finding.severity != "error")

    return sorted(findings, key=key)


def _sheet_place(cell: str | None) -> tuple[int, int] | None:
    """(row, column) of 'Sheet!D12'; None for a cell of a Word table or no cell."""
    return parse_cell(split_reference(cell)[1]) if cell else None


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    """A rule reported once per rows and cell; a rule's finding replaces the reader's one for the
    same rows, since it carries more detail. Findings about no catalog row are all kept."""
    latest: dict[object, Finding] = {}
    for index, finding in enumerate(findings):
        key = (finding.rule, finding.ids, finding.cell) if finding.ids else index
        latest.pop(key, None)
        latest[key] = finding
    return list(latest.values())


def _is_whole(value: float | int) -> bool:
    return isinstance(value, int) or (math.isfinite(value) and float(value).is_integer())


def _has_text(raw: object) -> bool:
    return isinstance(raw, str) and not is_not_reported(raw)


def row_make(rule: str, row: Row, cell: Place | str | None, ids: Iterable[str] | None = None,
              **params: Any) -> Finding:
    """A finding about one row, named by its STT and label ('Dòng 3.2.4 «…»', or 'Dòng «…»'
    for a row printed without STT)."""
    stt = printed_stt(row)
    finding = make(rule, list(ids) if ids is not None else [row.id], cell, stt=stt, label=row.label, **params)
    if stt:
        return finding
    return replace(finding, message=finding.message.replace("Dòng  «", "Dòng «"))


def printed_stt(row: Row) -> str:
    """The row's number as printed ('3.4.2.' -> '3.4.2', 'II' stays), '' for none or 'Trong đó'."""
    stt = row.stt.strip().rstrip(".")
    return stt if any(ch.isdigit() for ch in stt) or _ROMAN.fullmatch(stt) else ""


_ROMAN = re.compile(r"[IVXLC]+")


def _unit_lower(unit: str) -> str:
    """'Hồ sơ' -> 'hồ sơ', 'Số lượng hồ sơ' -> 'lượng hồ sơ' (the template says 'số …')."""
    text = unit.strip().lower()
    return text[3:] if text.startswith("số ") else text or "liệu"


