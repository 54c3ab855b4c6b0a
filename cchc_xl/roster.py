"""The roster: the units that must submit, and matching a submission's unit name to it.

A roster is a plain list of names kept by the district office, as a .txt (one name a line), a
.csv or a spreadsheet (.xlsx, .xls, .ods: the first sheet). Names are matched loosely: case,
diacritics, punctuation and the words that name the kind of unit ("UBND", "xã", "phường", ...)
are ignored, so "UBND xã Bình Yên", "Xã Bình Yên", "binh yen" and "BÌNH YÊN" are one unit.

Limits: the key ignores diacritics and the kind of unit, so a commune and a ward with the same
proper name ("Xã Bình Yên", "Phường Bình Yên"), or two communes whose names differ only by
diacritics ("Đồng Thịnh", "Đông Thịnh"), share a key. When both are on the roster, a submission
matches only if it names the kind of unit, or spells the name with its diacritics; a bare
"Bình Yên" or "dong thinh" then matches neither rather than guessing. A name of another kind of
unit, or spelled with other diacritics, never matches a roster entry ("Phường Bình Yên" is not
"Xã Bình Yên"). A tone mark placed the old way ("Hoà", "Thuỷ") or the new way ("Hòa", "Thủy") is
one spelling.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from .findings import format_value
from .periods import fold

TEXT_SUFFIXES = (".txt",)
CSV_SUFFIXES = (".csv",)
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

# In the workbook with the buttons: the sheet listing the units, and the named cell on it that holds
# the folder of submitted files to merge.
ROSTER_SHEET = "Danh sách đơn vị"
FOLDER_NAME = "CCHC_THU_MUC"

# Folded header texts of the name column ("Tên đơn vị", "Đơn vị", "Tên đơn vị báo cáo" ...).
_NAME_HEADERS = ("ten don vi", "don vi", "ten co quan", "co quan, don vi", "co quan don vi")
_ORDINAL_HEADERS = ("stt", "tt", "so tt", "so thu tu")

# Words that say what kind of unit a name is; longest first so "thi xa" wins over "xa".
_AUTHORITY_WORDS = ("uy ban nhan dan", "ubnd")
_KIND_WORDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "xa")
# Abbreviations written with a dot in lists: "TT. Bút Sơn", "P. 1", "TP. Thái Nguyên".
_ABBREVIATIONS = {"tt": "thi tran", "tx": "thi xa", "tp": "thanh pho", "p": "phuong", "x": "xa", "h": "huyen", "q": "quan"}
_ABBREVIATION = re.compile(r"(?<![\w])(TT|TX|TP|P|X|H|Q)\s*\.\s*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_LETTER = re.compile(r"[\W_]+")
_LEADING_ZEROS = re.compile(r"\b0+(\d)")
# Tone marks (decomposed) and the ends of words where offices place them either way: "hoà" or "hòa",
# "hoè" or "hòe", "thuỷ" or "thủy" ("quý" is not one: its "u" belongs to "qu").
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_TONE_EITHER_WAY = re.compile(r"(?<!q)(?:o[ae]|uy)$")

# A roster is a short list; these bound what a wrong or hostile file can cost.
MAX_ROSTER_BYTES = 5_000_000
MAX_ROSTER_NAMES = 20_000


class RosterError(ValueError):
    """A roster that cannot be read; the message is Vietnamese and names the file."""


def read_roster(path: str | Path) -> list[str]:
    """Unit names in file order, without blanks, comments, header or repeats of the same unit."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + CSV_SUFFIXES + SHEET_SUFFIXES:
        raise RosterError(f"{path}: không dùng được làm danh sách đơn vị; hãy dùng tệp .txt, .csv hoặc .xlsx "
                          "có tên đơn vị ở cột đầu tiên.")
    if not path.is_file():
        raise RosterError(f"{path}: không tìm thấy tệp danh sách đơn vị; hãy kiểm tra đường dẫn và tên tệp.")
    if path.stat().st_size > MAX_ROSTER_BYTES:
        raise RosterError(f"{path}: tệp danh sách đơn vị quá lớn ({format_value(path.stat().st_size)} byte); "
                          "hãy dùng tệp chỉ có một cột tên đơn vị.")
    rows: Sequence[Sequence[object]]
    if suffix in SHEET_SUFFIXES:
        rows = _sheet_rows(path)
    else:
        text = _read_text(path)
        rows = _csv_rows(text) if suffix in CSV_SUFFIXES else [[line] for line in text.splitlines()]
    names = _names(rows, comments=suffix in TEXT_SUFFIXES)
    if not names:
        raise RosterError(f"{path}: danh sách đơn vị trống; hãy ghi mỗi đơn vị một dòng (cột đầu tiên).")
    if len(names) > MAX_ROSTER_NAMES:
        raise RosterError(f"{path}: danh sách có {format_value(len(names))} tên, quá nhiều cho một danh sách đơn vị "
                          f"(tối đa {format_value(MAX_ROSTER_NAMES)}); hãy kiểm tra đây đúng là danh sách đơn vị phải nộp.")
    return names


@lru_cache(maxsize=65536)
def normalise_unit(name: str) -> str:
    """Matching key of a unit name: 'UBND xã Bình Yên' -> 'binh yen'."""
    return " ".join(folded for _, folded in _proper_name(name))


def match_unit(name: str, roster: Iterable[str]) -> str | None:
    """The roster name of the same unit as `name`, or None (no match, or more than one).

    Names match on their key (normalise_unit). When several roster names share it, the kind of
    unit decides ("Phường Bình Yên"), then the spelling with diacritics ("Đồng Thịnh" is not
    "Đông Thịnh"); if that still leaves more than one, or none, there is no match.
    """
    key = normalise_unit(name)
    candidates = [entry for entry in roster if normalise_unit(entry) == key]
    typed = _typed_key(name)
    if len(candidates) > 1 and typed != key:  # the name says which kind of unit
        candidates = [entry for entry in candidates if _typed_key(entry) == typed]
    if len(candidates) > 1:
        spelled = spelled_key(name)
        candidates = [entry for entry in candidates if spelled_key(entry) == spelled]
    return candidates[0] if len(candidates) == 1 else None


Token = tuple[str, str]  # (as spelled, lower case with diacritics; folded, without)


@lru_cache(maxsize=65536)
def _tokens(name: str) -> tuple[Token, ...]:
    expanded = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1).lower()] + " ", str(name))
    spelled = _NOT_LETTER.sub(" ", unicodedata.normalize("NFC", expanded).lower()).split()
    tokens = []
    for word in spelled:
        word = _tone_on_first_vowel(_LEADING_ZEROS.sub(r"\1", word))
        folded = _NOT_WORD.sub("", fold(word))
        if folded:
            tokens.append((word, folded))
    return tuple(tokens)


def _tone_on_first_vowel(word: str) -> str:
    """One spelling for a tone placed either way: 'hoà' -> 'hòa', 'thuỷ' -> 'thủy'."""
    if word.isascii():  # no tone at all
        return word
    decomposed = unicodedata.normalize("NFD", word)
    tones = [mark for mark in decomposed if mark in _TONE_MARKS]
    bare = "".join(mark for mark in decomposed if mark not in _TONE_MARKS)
    if len(tones) != 1 or not _TONE_EITHER_WAY.search(bare):
        return word
    return unicodedata.normalize("NFC", bare[:-1] + tones[0] + bare[-1])


@lru_cache(maxsize=65536)
def _without_authority(name: str) -> tuple[Token, ...]:
    return _strip_leading(_tokens(name), _AUTHORITY_WORDS)


@lru_cache(maxsize=65536)
def _proper_name(name: str) -> tuple[Token, ...]:
    """The name without 'UBND' and the kind of unit: 'UBND xã Bình Yên' -> Bình Yên."""
    return _strip_leading(_without_authority(name), _KIND_WORDS)


def _typed_key(name: str) -> str:
    """Key that keeps the kind of unit: 'UBND xã Bình Yên' -> 'xa binh yen'."""
    return " ".join(folded for _, folded in _without_authority(name))


def spelled_key(name: str) -> str:
    """The proper name with its diacritics: 'UBND xã Đồng Thịnh' -> 'đồng thịnh'."""
    return " ".join(spelled for spelled, _ in _proper_name(name))


def _listed_key(name: str) -> str:
    """Two roster lines are the same unit only when kind and spelling agree: 'Xã Bình Yên' = 'UBND xã bình yên'."""
    return " ".join(spelled for spelled, _ in _without_authority(name))


def _strip_leading(tokens: tuple[Token, ...], prefixes: tuple[str, ...]) -> tuple[Token, ...]:
    """Drop any of `prefixes` (folded, multi-word) from the start, repeatedly, keeping at least one word."""
    folded = tuple(word for _, word in tokens)
    start = 0
    changed = True
    while changed:
        changed = False
        for prefix in _split_words(prefixes):
            if len(folded) - start > len(prefix) and folded[start:start + len(prefix)] == prefix:
                start += len(prefix)
                changed = True
                break
    return tokens[start:]


@lru_cache(maxsize=8)
def _split_words(prefixes: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(prefix.split()) for prefix in prefixes)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}: tệp không phải văn bản UTF-8; hãy mở bằng Notepad và "
                          "chọn Save As với Encoding: UTF-8.") from None
    except OSError as exc:
        raise RosterError(f"{path}: không đọc được tệp danh sách đơn vị ({exc.strerror}).") from None


def _csv_rows(text: str) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _sheet_rows(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheet = workbook.get_sheet_by_index(0)
            return [list(row) for _, row in zip(range(MAX_ROSTER_NAMES + 2), sheet.iter_rows())]
        finally:
            workbook.close()
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise RosterError(f"{path}: không đọc được bảng tính danh sách đơn vị ({type(exc).__name__}); "
                          "hãy mở lại bằng Excel và lưu thành .xlsx.") from None


def _names(rows: Sequence[Sequence[object]], *, comments: bool) -> list[str]:
    cleaned = [[_cell_text(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if comments:
        cleaned = [row for row in cleaned if not row[0].startswith("#")]
    column = 0
    if cleaned and _is_header(cleaned[0]):
        column = _name_column(cleaned[0])
        cleaned = cleaned[1:]
    names: list[str] = []
    seen: set[str] = set()
    for row in cleaned:
        name = row[column] if column < len(row) else ""
        if name and _listed_key(name) not in seen:
            seen.add(_listed_key(name))
            names.append(name)
    return names


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())


def _is_header(row: list[str]) -> bool:
    return any(_is_name_header(cell) for cell in row) or fold(row[0]) in _ORDINAL_HEADERS


def _is_name_header(cell: str) -> bool:
    folded = fold(cell).rstrip(":")
    return folded in _NAME_HEADERS or folded.startswith("ten don vi")


def _name_column(header: list[str]) -> int:
    """The 'Tên đơn vị' column when the header has one ('STT | Tên đơn vị'), else the first."""
    for index, cell in enumerate(header):
        if _is_name_header(cell):
            return index
    return 1 if len(header) > 1 and fold(header[0]) in _ORDINAL_HEADERS else 0


class UnitNames:
    """Which names denote one unit.

    Names match loosely (case, spaces, Unicode composition, "UBND" ignored), but the proper name's
    diacritics and the kind of unit are part of a unit's identity: "Đồng Thịnh" is not "Đông Thịnh",
    "Xã Tân Phú" is not "Phường Tân Phú". A name that leaves one of them out ("dong thinh" typed
    without diacritics, "Tân Phú" without its kind) is the unit of the one identity seen that fits
    it; when several fit, it is none of them (`choices` names them).
    """

    def __init__(self, roster: Iterable[str], names: Iterable[str]):
        self.roster = list(roster)
        self._roster_by_fold: dict[str, list[str]] = {}
        for entry in self.roster:
            self._roster_by_fold.setdefault(normalise_unit(entry), []).append(entry)
        self._seen: dict[str, dict[tuple[str, str], str]] = {}  # folded name -> (spelling, kind) -> as written
        for name in self.roster + list(names):
            self.register(name)

    def register(self, name: str) -> None:
        folded, spelling, kind = unit_identity(name)
        if spelling or kind:
            self._seen.setdefault(folded, {}).setdefault((spelling, kind), name)  # as first written

    def roster_name(self, name: str) -> str | None:
        """The roster entry of this unit, or None (not on the roster, or not telling which)."""
        candidates = [entry for entry in self._roster_by_fold.get(normalise_unit(name), ())
                      if _compatible(name, entry)]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        exact = [entry for entry in candidates if _spelling(entry) == _spelling(name)]
        return match_unit(name, exact or candidates)

    def key(self, name: str) -> str:
        """'roster:' and the roster entry, else unit_key's form with what the name leaves out taken
        from the one identity seen that fits it; left empty when none or several fit."""
        matched = self.roster_name(name)
        if matched:
            return "roster:" + matched
        return "|".join(self._resolved(name))

    def choices(self, name: str) -> dict[str, str]:
        """When `name` leaves out its diacritics or its kind and several units seen fit it: the key of
        each of them -> its name as written; {} when the name tells its unit (or none was seen)."""
        folded, spelling, kind = self._resolved(name)
        if spelling and kind:
            return {}
        fitting = {identity: written for identity, written in self._seen.get(folded, {}).items()
                   if _fits(identity, (spelling, kind))}
        fullest = {identity: written for identity, written in fitting.items()
                   if not any(other != identity and _fits(other, identity) for other in fitting)}
        return {"|".join((folded, *identity)): written for identity, written in fullest.items()} \
            if len(fullest) > 1 else {}

    def _resolved(self, name: str) -> tuple[str, str, str]:
        folded, spelling, kind = unit_identity(name)
        seen = self._seen.get(folded, {})
        if not spelling:
            spellings = {known for known, its_kind in seen if known and (not kind or not its_kind or its_kind == kind)}
            spelling = next(iter(spellings)) if len(spellings) == 1 else ""
        if not kind:
            kinds = {its_kind for known, its_kind in seen if its_kind and (not spelling or not known or known == spelling)}
            kind = next(iter(kinds)) if len(kinds) == 1 else ""
        return folded, spelling, kind


def _fits(identity: tuple[str, str], partial: tuple[str, str]) -> bool:
    """`identity` (spelling, kind) is what `partial` says, filled in where it says nothing."""
    return all(not said or said == known for known, said in zip(identity, partial))


@lru_cache(maxsize=65536)  # every unit's name is keyed several times in a merge
def unit_identity(name: str) -> tuple[str, str, str]:
    """(the proper name folded, its spelling with diacritics or '' when typed without, the kind of unit
    folded or '' when the name does not say): 'UBND xã Hoà Bình' -> ('hoa binh', 'hòa bình', 'xa'),
    'hoa binh' -> ('hoa binh', '', ''). A name with no Latin letter or digit is its own text, folded
    by case and spaces."""
    folded = normalise_unit(name) or " ".join(str(name).casefold().replace("|", " ").split())
    spelling = _spelling(name)
    return folded, spelling if _has_diacritics(spelling) else "", unit_kind(name)


@lru_cache(maxsize=65536)
def unit_kind(name: str) -> str:
    """The kind of unit a name says, folded: 'UBND xã Tân Phú' -> 'xa', 'TT. Bút Sơn' -> 'thi tran';
    '' for 'Tân Phú' or 'UBND Tân Phú'."""
    typed, proper = _without_authority(name), _proper_name(name)
    return " ".join(folded for _, folded in typed[:len(typed) - len(proper)])


def unit_key(name: str) -> str:
    """unit_identity as one text: 'UBND xã Bình Yên' -> 'binh yen|bình yên|xa', 'binh yen' -> 'binh yen||'."""
    return "|".join(unit_identity(name))


@lru_cache(maxsize=65536)  # every unit's name is looked at several times in a merge
def _spelling(name: str) -> str:
    return spelled_key(name)


@lru_cache(maxsize=65536)
def _has_diacritics(spelling: str) -> bool:
    return fold(spelling) != spelling


def _compatible(name: str, other: str) -> bool:
    """The two names may be one unit: neither says another kind of unit, nor other diacritics."""
    first, second = _spelling(name), _spelling(other)
    kinds = unit_kind(name), unit_kind(other)
    return ((first == second or not _has_diacritics(first) or not _has_diacritics(second))
            and (kinds[0] == kinds[1] or not all(kinds)))
