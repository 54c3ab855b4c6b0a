"""A roll-up's table as printed: a district's Word report (`cchc-xl report`), or the "Tổng hợp" sheet
copied into a workbook of its own, read back without the state a roll-up workbook carries.

Such a table is not one unit's Phụ lục: each row was combined by its rule over the units that gave
it (rollup/rules.py), so the identities that hold inside one unit's figures do not hold on it (a
whole summed over six units, its parts over seven; a percent recomputed over the units that gave
every part, beside parts summed over all), and a coded row shows how many units gave each answer
("3/6 đơn vị", "Trực tuyến: 1; Phát phiếu: 2"). It is told by what the rules print, row by row,
never by a word anywhere in the file: the "Ghi chú" of a row saying how that row's own rule
combined it ("Tổng của 6/7 đơn vị", "Tính lại từ tổng các phần: 5.942 / 7.098 × 100"), and coded
rows in the roll-up's form. A table is a roll-up's when at least MIN_ROWS rows say so and they
are at least half of the rows holding a figure or a note (the notes can be lost or retyped in
part), or when every coded row holding an answer shows it in the roll-up's form (a unit answers
with a code: "3/6 đơn vị" is no answer of one unit).
"""

from __future__ import annotations

import re
from fractions import Fraction

from .catalog import Row
from .periods import fold
from .submission import Submission

MIN_ROWS = 3  # rows in the roll-up's form a table needs, whatever it holds besides
_MAX_ANSWER_TEXT = 2_000  # a count per answer is a few lines: a longer cell is not read as one

# How each rule's note begins (rules.py `describe`), folded: a note begins so only beside its own rule.
_NOTES = {
    "sum": r"tong cua \d+(?:/\d+)? don vi|khong don vi nao bao cao",
    "mean": r"trung binh cua \d+/\d+ don vi|khong don vi nao bao cao",
    "recompute": r"tinh lai tu tong cac phan",
    "weighted": r"binh quan gia quyen theo",
    "count_yes": r"\d+/\d+ don vi tra loi|khong don vi nao tra loi",
    "count_per_code": r"so don vi theo tung cau tra loi|khong don vi nao tra loi",
    "common": r"gia tri chung|khong don vi nao bao cao",
    "per_unit": r"giu nguyen theo tung don vi",
}
_NOTE_PATTERNS = {rule: re.compile(rf"(?:{pattern})\b") for rule, pattern in _NOTES.items()}
_UNITS_ANSWERING = re.compile(r"(\d+)\s*/\s*(\d+) don vi")
_COUNT_THEN_ANSWER = re.compile(r"\s*(\d+)[\s;,]+(.+?)\s*")
_LAST_COUNT = re.compile(r"\s*(\d+)[\s;,.]*")
_OTHER_CODE = re.compile(r"ma \d+(?:,\d+)?")  # a code outside the legend, as the roll-up names it
# "…: 5.942 / 7.098 × 100": the parts a recomputed or weighted percent was combined from.
_VI_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"  # as findings.format_value writes it
_QUOTIENT = re.compile(rf":\s*({_VI_NUMBER})\s*/\s*({_VI_NUMBER})\s*[×xX*]\s*100\b")


def combined_note(row: Row, note: str) -> bool:
    """Whether `note` is what the row's roll-up rule writes beside it."""
    pattern = _NOTE_PATTERNS.get(row.rollup)
    return pattern is not None and pattern.match(fold(note)) is not None


def combined_answer(row: Row, raw: object) -> bool:
    """Whether a coded row's cell shows the units per answer, as a roll-up prints it: "3/6 đơn vị"
    (units that answered Có, of those that answered), or one "answer: units" per line or per ";"."""
    if row.kind not in ("yesno", "code") or not row.codes or not isinstance(raw, str):
        return False
    if len(raw) > _MAX_ANSWER_TEXT:
        return False
    text = fold(raw)
    whole = _UNITS_ANSWERING.fullmatch(text)
    if whole:
        return int(whole.group(1)) <= int(whole.group(2))
    words = {fold(meaning) for meaning in row.codes.values()}
    # One answer a line as the report prints it, or retyped on one line, with or without ";": split
    # at the colons, each stretch between two is the count of one answer and the next answer's words.
    first, *rest = text.split(":")
    answers = [first.strip()]
    for index, stretch in enumerate(rest):
        found = (_LAST_COUNT if index == len(rest) - 1 else _COUNT_THEN_ANSWER).fullmatch(stretch)
        if not found:
            return False
        answers.extend(found.groups()[1:])
    return bool(rest) and all(answer in words or _OTHER_CODE.fullmatch(answer) for answer in answers)


def recognise(submission: Submission) -> None:
    """Mark the table read as a roll-up's when it is one (see the module's text)."""
    held = said = coded = 0
    answers = _answers(submission)
    for row in submission.catalog.figure_rows:
        figure = submission.figures.get(row.id)
        if figure is None:
            continue
        shows = not (figure.raw is None or isinstance(figure.raw, str) and not figure.raw.strip())
        if not (shows or figure.note):
            continue
        held += 1
        said += combined_note(row, figure.note) or row.id in answers
        if row.kind in ("yesno", "code") and shows:
            coded += 1
    if (said >= MIN_ROWS and 2 * said >= held) or (MIN_ROWS <= len(answers) == coded):
        mark(submission)


def mark(submission: Submission) -> None:
    """The table read is a roll-up's: its coded rows in the roll-up's form are then no unknown codes,
    and hold no figure of one unit."""
    answers = _answers(submission)
    submission.printed_rollup = True
    submission.findings = [finding for finding in submission.findings
                           if not (finding.rule in _ANSWER_RULES and finding.ids and set(finding.ids) <= answers)]


def _answers(submission: Submission) -> set[str]:
    """The coded rows whose cell shows units per answer."""
    return {row.id for row in submission.catalog.figure_rows
            if (figure := submission.figures.get(row.id)) is not None and combined_answer(row, figure.raw)}


# What the reader says of a cell that is not one code: not so for a roll-up's count of units per answer.
_ANSWER_RULES = ("code-unknown", "not-a-number")


def note_quotient(note: str) -> tuple[Fraction, Fraction, bool] | None:
    """(numerator, denominator, exact) a recomputed or weighted percent's note gives ("…: 86 / 104 ×
    100"); exact False when they are written rounded (decimals), None when the note gives none."""
    found = _QUOTIENT.search(note)
    if not found:
        return None
    top, bottom = (Fraction(found.group(index).replace(".", "").replace(",", ".")) for index in (1, 2))
    return top, bottom, top.denominator == bottom.denominator == 1
