"""Reporting periods: "QUÝ I NĂM 2024", "6 tháng đầu năm 2021", "Quý 3/2022" -> 2024-Q1, 2021-6M, 2022-Q3."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUARTER_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4}
_NORMALISED = re.compile(r"^(\d{4})-(Q[1-4]|6M|9M|Y)$")
_YEAR = r"((?:19|20)\d{2})"
# "Quý I", "Quí 2" (the old spelling), "Quý Một năm 2025": a number in words only right before its year
# ("xã Quý Ba" is a name).
_QUARTER = re.compile(r"\bq(?:u[iy]|\w*y)\s+(?:(iv|iii|ii|i|[1-4])\b|(mot|hai|ba|bon|tu)(?=\s*(?:nam|/|-)\s*(?:19|20)\d{2}))"
                      r"(?:\s*(?:nam|/|-)\s*" + _YEAR + r")?")
_MONTHS = re.compile(r"\b(6|9|sau|chin)\s+thang(?!\s+cuoi)(?:\s+dau)?(?:\s+nam)?\s*" + _YEAR + r"?")
# "6 tháng cuối năm": the second half of a year, no report of the calendar (tasks ahead, in a heading).
_LATER_MONTHS = re.compile(r"\b(?:3|6|9|ba|sau|chin)\s+thang\s+cuoi\b")
_YEAR_REPORT = re.compile(r"\bnam\s+" + _YEAR + r"\b")
# A date in words, "ngày 14 tháng 3 năm 2024" (how Nghị định 30 dates a document), its day and month
# often left blank for the signature ("ngày     tháng     năm 2024", "ngày … tháng … năm 2024"): its year
# is no year's report.
_DATE_IN_WORDS = re.compile(r"\b(?:ngay\b[\s.…_/\d-]*)?thang\b[\s.…_,/\d-]*nam\s+" + _YEAR + r"\b")

# The months each normalised period covers, counted from the start of the year.
_MONTHS_COVERED = {"Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12), "6M": (1, 6), "9M": (1, 9), "Y": (1, 12)}

_LABELS = {"Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III", "Q4": "Quý IV",
           "6M": "6 tháng", "9M": "9 tháng"}


@lru_cache(maxsize=65536)  # the same labels and headers recur in every file of a merge
def fold(text: str) -> str:
    """Lower case without diacritics, whitespace collapsed: 'Qúy  I NĂM' -> 'quy i nam'."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def normalise(text: str | None) -> str | None:
    """The normalised period named in `text`, or None when it names none with a year."""
    if not text:
        return None
    raw = str(text).strip()
    if _NORMALISED.match(raw.upper()):
        return raw.upper()
    folded = fold(raw)
    year_anywhere = re.search(_YEAR, folded)
    # The first period named is the report's: "6 tháng đầu năm 2022, phương hướng nhiệm vụ quý III" is 6M.
    quarter, months = _first_named(folded)
    if quarter is None and months is None and _LATER_MONTHS.search(folded):
        return None  # "6 tháng cuối năm 2025" is no report's period, nor the year's
    if quarter:
        year = quarter.group(3) or (year_anywhere.group(1) if year_anywhere else None)
        if year:
            return f"{year}-Q{_quarter_number(quarter)}"
    if months:
        year = months.group(2) or (year_anywhere.group(1) if year_anywhere else None)
        if year:
            return f"{year}-{'6M' if months.group(1) in ('6', 'sau') else '9M'}"
    year_report = _YEAR_REPORT.search(_DATE_IN_WORDS.sub(" ", folded))
    if year_report:
        cut_off = _FIGURES_UP_TO.search(folded)
        part = _CUMULATIVE_ENDS.get(int(cut_off.group(1))) if cut_off else "Y"
        return f"{year_report.group(1)}-{part or 'Y'}"
    return None


_WHOLE_YEAR = re.compile(r"\bca nam\b")
# "năm 2026 (số liệu đến 14/6)": a year's figures up to a cut-off, the months of the year until then.
_FIGURES_UP_TO = re.compile(r"\bso lieu\b[^()]{0,20}?\bden\s+(?:ngay\s+)?\d{1,2}\s*/\s*(\d{1,2})\b")


def _first_named(folded: str) -> tuple[re.Match[str] | None, re.Match[str] | None]:
    """The quarter or the months a folded text names first, the other None; both None when the first
    period it names is a "6 tháng cuối năm"."""
    found = [match for match in (_QUARTER.search(folded), _MONTHS.search(folded), _LATER_MONTHS.search(folded)) if match]
    first = min(found, key=lambda match: match.start(), default=None)
    if first is None or first.re is _LATER_MONTHS:
        return None, None
    return (first, None) if first.re is _QUARTER else (None, first)


def _quarter_number(quarter: re.Match[str]) -> int:
    number = quarter.group(1) or quarter.group(2)
    return _QUARTER_NUMBERS.get(number) or int(number)


def part_named(text: str) -> str | None:
    """The part of a year a figure column's header names, with or without its year: 'Quý II/2024' -> 'Q2',
    'Lũy kế 6 tháng' -> '6M', 'Cả năm' -> 'Y'; None for 'Số liệu' or 'Năm 2024' (a year, not a report)."""
    folded = fold(text)
    quarter, months = _first_named(folded)
    if quarter:
        return f"Q{_quarter_number(quarter)}"
    if months:
        return "6M" if months.group(1) in ("6", "sau") else "9M"
    return "Y" if _WHOLE_YEAR.search(folded) else None


# A date, in words as Nghị định 30 dates a document ("ngày 15 tháng 3 năm 2025", its day and month
# left blank for the signature: "ngày … tháng … năm 2025") or in figures ("15/3/2025", "15-03-2025").
_DATE_WORDS = re.compile(r"\bngay\s*(\d{1,2})?[\s.…_]*thang\s*(\d{1,2})?[\s.…_]*nam\s+" + _YEAR + r"\b")
_DATE_FIGURES = re.compile(r"(?<![\d/.-])\d{1,2}\s*([/.-])\s*(\d{1,2})\s*\1\s*" + _YEAR + r"\b")
# "ngày …/…/2025", "ngày   /3/2025": a date in figures left blank for the signature.
_DATE_BLANK_FIGURES = re.compile(r"\bngay[\s.…_]*/[\s.…_]*(\d{1,2})?[\s.…_]*/\s*" + _YEAR + r"\b")
# A document's place and date line, the whole of its cell or paragraph: "Bình Yên, ngày 15 tháng 3 năm 2025",
# "Phường 5, ngày …" (a place, not "Báo cáo số 12, ngày …").
_PLACE_AND_DATE = re.compile(r"^(?!.*\bso\b)[^\W\d_][^\d,;:()/]{0,40}(?:\s\d{1,2})?,\s*(?:ngay\b.*)$")


def years_in(text: str) -> list[int]:
    """The years a text names: 'Năm 2025' -> [2025]."""
    return [int(year) for year in re.findall(r"\b" + _YEAR + r"\b", text)]


def dates_in(text: str) -> list[tuple[int, int | None]]:
    """(year, month or None when left blank) of every date in `text`."""
    folded = fold(text)
    found = [(int(m.group(3)), int(m.group(2)) if m.group(2) else None) for m in _DATE_WORDS.finditer(folded)]
    found += [(int(m.group(3)), int(m.group(2))) for m in _DATE_FIGURES.finditer(folded)]
    found += [(int(m.group(2)), int(m.group(1)) if m.group(1) else None) for m in _DATE_BLANK_FIGURES.finditer(folded)]
    return [(year, month if month and 1 <= month <= 12 else None) for year, month in found]


def place_and_date(text: str) -> tuple[int, int | None] | None:
    """(year, month) of a document's place and date line ("Bình Yên, ngày 15 tháng 3 năm 2025"); None
    for any other text (a note citing "Quyết định số 12/QĐ-UBND ngày 5/1/2025")."""
    if len(text) > 100:
        return None
    folded = fold(text).rstrip(" .")
    if not _PLACE_AND_DATE.match(folded):
        return None
    match = _DATE_WORDS.search(folded)
    if match is None or match.end() != len(folded):
        return None
    month = int(match.group(2)) if match.group(2) else None
    return int(match.group(3)), month if month and 1 <= month <= 12 else None


# A report is dated from the month before its period's cut-off (due by the 20th of that month) up to
# three months after it: a Quý IV report dated in January is of the year before.
_DATED_BEFORE, _DATED_AFTER = 1, 3


def year_reported(part: str, year: int, month: int | None) -> int | None:
    """The year whose `part` ('Q1' … 'Y') a report dated `month`/`year` reports on; None when the date
    does not fit that part (a Quý I report dated in October: some other document's date). A date whose
    month is left blank gives its year."""
    if month is None:
        return year
    last = _MONTHS_COVERED[part][1]
    if last - _DATED_BEFORE <= month <= last + _DATED_AFTER:
        return year
    if month + 12 <= last + _DATED_AFTER:
        return year - 1
    return None


def from_filename(name: str) -> str | None:
    """The period in a file name: 'PL_Quy1_2024_XaBinhYen.xlsx' -> 2024-Q1, 'BC_6T_2021.xls' -> 2021-6M."""
    return from_label(re.sub(r"\.[A-Za-z0-9]{2,4}$", "", str(name).replace("\\", "/").rsplit("/", 1)[-1]))


# "QI", "Q.III", "Q IV", "QuyII" in a file or sheet name: Quý written short, its number in Roman figures.
_QUARTER_ABBREVIATED = re.compile(r"\bq(?:uy)? ?(iv|iii|ii|i)\b")


def from_label(text: str) -> str | None:
    """The period in a short name (a file's stem, a sheet's name): 'Q3-2022', 'Quy 3.2022', '6T-2024',
    'Nam 2023' -> 2022-Q3, 2022-Q3, 2024-6M, 2023-Y."""
    return normalise(_spelled_out(text))


def part_in_label(text: str) -> str | None:
    """The part of a year a short name names, with or without its year: 'Quý III', 'Q3', '6T' -> Q3, Q3, 6M."""
    return part_named(_spelled_out(text))


def _spelled_out(label: str) -> str:
    """A short name folded, its abbreviations spelled out: 'Q3-2022' -> 'quy 3 2022', '6T' -> '6 thang'."""
    text = re.sub(r"[_\-.]+", " ", fold(label))
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    text = re.sub(r"\bq ([1-4])\b", r"quy \1", text)
    text = _QUARTER_ABBREVIATED.sub(r"quy \1", text)
    return re.sub(r"\b(6|9) t\b", r"\1 thang", text)


def label(period: str | None) -> str:
    """Vietnamese wording of a normalised period: 2024-Q1 -> 'Quý I năm 2024'."""
    if not period or not _NORMALISED.match(period):
        return period or ""
    year, part = period.split("-")
    return f"Năm {year}" if part == "Y" else f"{_LABELS[part]} năm {year}"


_DATE_RANGE = re.compile(r"tu\s+(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:den|-)\s*(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})")
# The month a reporting period ends in, for a period counted from the start of the year (cut-off
# 15/12 of the year before, or 1/1) and for a single quarter.
_CUMULATIVE_ENDS = {3: "Q1", 6: "6M", 9: "9M", 12: "Y"}
_QUARTER_ENDS = {6: "Q2", 9: "Q3", 12: "Q4"}


def period_from_dates(text: str) -> str | None:
    """'Số liệu từ ngày 15/12/2023 đến ngày 14/3/2024' -> '2024-Q1' (the national reporting calendar)."""
    match = _DATE_RANGE.search(fold(text))
    if not match:
        return None
    start_day, start_month, start_year, _, end_month, end_year = map(int, match.groups())
    if not (1 <= start_month <= 12 and 1 <= end_month <= 12 and 1 <= start_day <= 31):
        return None
    from_year_start = (start_month == 12 and start_year == end_year - 1) or (start_month == 1 and start_year == end_year)
    if from_year_start:
        part = _CUMULATIVE_ENDS.get(end_month)
    elif start_year == end_year and end_month - start_month in (2, 3):
        part = _QUARTER_ENDS.get(end_month)
    else:
        part = None
    return f"{end_year}-{part}" if part else None


def span(period: str | None) -> tuple[int, int, int] | None:
    """(year, first month, last month) a normalised period covers: 2024-6M -> (2024, 1, 6)."""
    if not period or not _NORMALISED.match(period):
        return None
    year, part = period.split("-")
    first, last = _MONTHS_COVERED[part]
    return int(year), first, last


def chronological(period: str) -> tuple[int, int, int]:
    """Sort key: by year, then the month the period ends, the longer period last (Q2 before 6M)."""
    year, first, last = span(period) or (0, 0, 0)
    return year, last, last - first
