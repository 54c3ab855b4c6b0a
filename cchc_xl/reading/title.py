"""The unit and the period of a table, from its title lines, the national header above it or the file's name.

"(Kèm theo Báo cáo số ... của UBND xã Bình Yên)" gives the unit, "BÁO CÁO ... QUÝ I NĂM 2024" or
"Số liệu từ ngày 15/12/2023 đến ngày 14/3/2024" the period; a file name such as
"PL_Quy1_2024_XaBinhYen.xlsx" is the last resort for both.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import periods
from ..periods import fold, period_from_dates
from .header import Table


_LEVELS = ("thị trấn", "thị xã", "thành phố", "xã", "phường", "huyện", "quận", "tỉnh")
_UNIT_IN_TITLE = re.compile(
    r"(?:của\s+)?(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(" + "|".join(_LEVELS) + r")\s+"
    r"([^()\n,;]+?)\s*(?:\)|$|,|;|\s+(?:ngày|năm|quý|qúy)\s+(?:\d|[IVX]+\b)|\s+(?:về|tỉnh|huyện)\s)", re.IGNORECASE)
_OFFICE_IN_TITLE = re.compile(r"của\s+((?:Phòng|Văn phòng|Ban|Sở|Trung tâm)\s+[^()\n,;]+?)\s*(?:\)|$|,|;)", re.IGNORECASE)


def unit_and_period(table: Table, path: Path) -> tuple[str, str | None, str]:
    lines = _title_lines(table)
    unit = next((found for line in lines if (found := unit_from_text(line))), "")
    if not unit:
        unit = _unit_from_national_header(table) or unit_from_filename(path)
    period, period_text = None, ""
    for line in lines:
        period = periods.normalise(line)
        if period:
            period_text = line
            break
    if period is None:
        period, period_text = next(((found, line) for line in lines if (found := period_from_dates(line))), (None, ""))
    if period is None:
        period = periods.from_filename(path.name)
        period_text = path.name if period else ""
    return unit, period, period_text


def _title_lines(table: Table) -> list[str]:
    lines = []
    for r in range(table.title_from, table.header_row):
        for value in table.grid.rows[r]:
            if isinstance(value, str) and value.strip():
                lines.append(" ".join(value.split()))
    return lines


def unit_from_text(text: str) -> str:
    """'... của UBND xã Bình Yên)' -> 'UBND xã Bình Yên'; 'CỦA UBND THỊ TRẤN BÚT SƠN' -> 'UBND thị trấn Bút Sơn'."""
    match = _UNIT_IN_TITLE.search(text)
    if match:
        return f"UBND {match.group(2).lower()} {_tidy_name(match.group(3))}"
    match = _OFFICE_IN_TITLE.search(text)
    if match:
        return _tidy_name(match.group(1)) if match.group(1).isupper() else match.group(1).strip()
    return ""


def _tidy_name(name: str) -> str:
    name = " ".join(name.split()).strip(" .:-")
    return name.title() if name.isupper() else name


def _unit_from_national_header(table: Table) -> str:
    """'ỦY BAN NHÂN DÂN' with 'XÃ BÌNH YÊN' in the cell below it -> 'UBND xã Bình Yên'."""
    rows = table.grid.rows
    for r in range(min(table.header_row, len(rows) - 1)):
        for c, value in enumerate(rows[r]):
            if not (isinstance(value, str) and fold(value) in ("uy ban nhan dan", "ubnd")):
                continue
            below = table.grid.value(r + 1, c)
            if not isinstance(below, str):
                continue
            below = " ".join(below.split())
            for level in _LEVELS:
                if fold(below).startswith(fold(level) + " "):
                    return f"UBND {level} {_tidy_name(below[len(level):])}"
    return ""


_FILENAME_NOISE = {"pl", "phu", "luc", "phuluc", "bc", "baocao", "bao", "cao", "cchc", "bieu", "mau", "quy", "q",
                   "nam", "thang", "t", "dau", "i", "ii", "iii", "iv", "final", "ban", "chinh", "sua", "copy"}
_FILENAME_LEVELS = {"xa": "xã", "phuong": "phường", "thitran": "thị trấn", "tt": "thị trấn", "huyen": "huyện",
                    "thixa": "thị xã", "tx": "thị xã", "quan": "quận", "thanhpho": "thành phố", "tp": "thành phố"}


def unit_from_filename(path: Path) -> str:
    """'PL_Quy1_2024_XaBinhYen.xlsx' -> 'UBND xã Binh Yen' (no diacritics to restore); else the stem."""
    stem = path.stem
    spaced = re.sub(r"(?<=[a-zà-ỹđ])(?=[A-ZÀ-ỸĐ])", " ", stem)
    words = [w for w in re.split(r"[\s_\-.]+|(?<=\D)(?=\d)|(?<=\d)(?=\D)", spaced) if w]
    kept = [w for w in words if not w.isdigit() and fold(w) not in _FILENAME_NOISE]
    if not kept:
        return stem
    for size in (2, 1):
        head = fold("".join(kept[:size])).replace(" ", "")
        if head in _FILENAME_LEVELS and len(kept) > size:
            return f"UBND {_FILENAME_LEVELS[head]} {' '.join(kept[size:])}"
    return " ".join(kept)
