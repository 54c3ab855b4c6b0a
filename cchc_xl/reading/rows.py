"""The rows of a found table as FileRows: STT, label, unit, figure and note, with the label's words.

A row's text cells recur in every file of a merge and are read once per process (bounded caches;
long texts are not kept). Header rows repeated at a page break and the column-number row are
skipped, a signature line ends the table, "1.1. Label" typed in one cell is split into STT and
label. A label's words are compared folded (no diacritics); spelled-out abbreviations the forms
use ("thủ tục hành chính" for TTHC) are also given in their abbreviated form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..periods import fold
from ..values import is_not_reported
from .header import STT_HEADERS, Table, is_label_header, is_value_header

_FOOTER_STARTS = ("nguoi lap", "nguoi ky", "tm.", "tm ", "chu tich", "noi nhan", "xac nhan",
                  "thu truong", "k/t", "kt.", "kt ")
# A signer's title is a footer written as signatures are, in capitals ("CHỦ TỊCH", "THỦ TRƯỞNG ĐƠN VỊ") or
# alone ("Chủ tịch"): "Chủ tịch UBND cấp huyện" is the second line of a label wrapped in the table.
_SIGNER_TITLES = ("chu tich", "thu truong")


@dataclass
class FileRow:
    r: int
    stt: str
    label: str
    unit: str
    raw: Any
    note: str
    stt_key: str = ""
    words: frozenset[str] = frozenset()
    hidden: bool = False  # a hidden row: an older copy of a row loses to a visible one
    abbreviated: frozenset[str] = frozenset()  # words with spelled-out abbreviations replaced


def extract_rows(table: Table) -> list[FileRow]:
    grid = table.grid
    rows: list[FileRow] = []
    columns = (table.stt, table.label, table.unit, table.value, table.note)
    hidden_rows = grid.hidden_rows
    grid_rows = grid.rows
    for r in range(table.first_row, len(grid_rows) if table.end_row is None else table.end_row):
        cells = grid_rows[r]
        width = len(cells)
        stt, label, unit, raw, note = [cells[c] if c is not None and c < width else None for c in columns]
        text_cells = (stt, label, unit, note)
        cacheable = _all_short_texts(text_cells)
        texts = _ROW_TEXTS.get(text_cells) if cacheable else None
        if texts is None:
            texts = _row_texts(stt, label, unit, note)
            if cacheable:
                if len(_ROW_TEXTS) >= _MAX_CACHED_ROWS:
                    _ROW_TEXTS.clear()
                _ROW_TEXTS[text_cells] = texts
        stt, label, unit, note, key, words, abbreviated, header, label_heads, numbered = texts
        if not (stt or label or unit or note) and raw in (None, ""):
            continue
        if header or (label_heads and isinstance(raw, str) and is_value_header(fold(raw))):
            continue  # a header repeated at a page break, or the column-number row
        if not numbered and _has_footer(cells):
            break  # a signature line ("Người lập biểu", "TM. UBND xã") ends the table
        if not label and not stt and not unit and raw is None:
            continue
        rows.append(FileRow(r, stt, label, unit, raw, note, key, words, r in hidden_rows, abbreviated))
    return rows


# A row's text cells recur in every file of a merge: what they say is kept by their texts, for rows
# whose text cells are all short texts or empty (a str key cannot stand for a number or a date,
# which read differently: 1 and True are equal keys). Long texts are not kept (bounded memory).
_ROW_TEXTS: dict[tuple, tuple] = {}
_MAX_CACHED_ROWS = 16384


def _all_short_texts(cells: tuple) -> bool:
    for value in cells:
        if value is not None and (type(value) is not str or len(value) > CACHED_TEXT_LENGTH):
            return False
    return True


def _has_footer(cells: list[Any]) -> bool:
    for value in cells:
        if isinstance(value, str) and _starts_footer(value):
            return True
    return False


def _row_texts(stt: Any, label: Any, unit: Any, note: Any) -> tuple:
    """What a row's text cells say: (stt, label, unit, note) as text, the STT key, the label's words
    and abbreviated words, whether the row repeats the header (without its figure cell), whether
    its label is empty or a label header, and whether its STT holds a digit (never a footer)."""
    stt, label, unit, note = cell_text(stt), cell_text(label), cell_text(unit), cell_text(note)
    if not stt:
        stt, label = _split_numbered_label(label)
    return (stt, label, unit, note, stt_key(stt), label_words(label), abbreviated_words(label),
            _is_repeated_header(stt, label, unit), not label or is_label_header(fold(label)),
            bool(stt and _DIGIT.search(stt)))


_NUMBERED_LABEL = re.compile(r"^((?:\d{1,2}\.)+\d{0,2}|[IVX]{1,4}\.)\s+(\S.*)$")


def _split_numbered_label(label: str) -> tuple[str, str]:
    """'1.1. Tỷ lệ hoàn thành ...' typed in one cell -> ('1.1.', 'Tỷ lệ hoàn thành ...')."""
    match = _NUMBERED_LABEL.match(label)
    return (match.group(1), match.group(2)) if match else ("", label)


_COLUMN_NUMBER_STT = re.compile(r"\(?[a-d1-2]\)?")
_COLUMN_NUMBER_LABEL = re.compile(r"\(?[b-c1-3]\)?")


def _is_repeated_header(stt: str, label: str, unit: str) -> bool:
    """From its text cells: a header repeated at a page break, or the column-number row ("1 | 2 | 3 | 4").
    A figure cell reading "Số liệu" under an empty or header label is one too (extract_rows)."""
    folded_stt = fold(stt)
    if folded_stt.rstrip(".") in STT_HEADERS:
        return True
    if unit and "don vi tinh" in fold(unit):
        return True
    return bool(_COLUMN_NUMBER_STT.fullmatch(folded_stt) and _COLUMN_NUMBER_LABEL.fullmatch(fold(label)))


_DIGIT = re.compile(r"\d")


# Cell texts recur in every file of a merge; longer texts are not kept (bounded memory on hostile files).
CACHED_TEXT_LENGTH = 200


def _starts_footer(text: str) -> bool:
    if len(text) > CACHED_TEXT_LENGTH:
        return _is_footer(text)
    return _starts_footer_cached(text)


@lru_cache(maxsize=16384)
def _starts_footer_cached(text: str) -> bool:
    return _is_footer(text)


def _is_footer(text: str) -> bool:
    folded = fold(text)
    if folded.startswith(_SIGNER_TITLES):
        return text.isupper() or len(folded.split()) <= 2
    return folded.startswith(_FOOTER_STARTS)


def is_abbreviation(word: str) -> bool:
    """UBND, HĐND, TTHC, VH-XH, TN&MT: upper-case words that are no syllable of their own."""
    if not word.isupper():  # most first words of a label ("Số", "Tỷ"): no fold needed
        return False
    folded = fold(word)
    return folded == "ubnd" or (len(folded) > 1 and not any(vowel in folded for vowel in "aeiouy"))


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _squashed(value) if len(value) <= CACHED_TEXT_LENGTH else " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


@lru_cache(maxsize=16384)
def _squashed(text: str) -> str:
    return " ".join(text.split())


def stt_key(stt: Any) -> str:
    """STT compared loosely: '1.1.' = '1.1' = ' 1.1 ', 'Trong đó' = 'trong do', 'I' = 'i'."""
    if isinstance(stt, str) and len(stt) <= CACHED_TEXT_LENGTH:
        return _stt_key_of_text(stt)
    return _loose_stt(stt)


@lru_cache(maxsize=4096)
def _stt_key_of_text(stt: str) -> str:
    return _loose_stt(stt)


def _loose_stt(stt: Any) -> str:
    return fold(cell_text(stt)).replace(" ", "").rstrip(".)").lstrip("(")


_NUMBERED = re.compile(r".*\d|[ivxl]+$")


def is_numbered(key: str) -> bool:
    return bool(_NUMBERED.match(key))


WORD = re.compile(r"[0-9a-z]+")

# Abbreviations the forms use (TTHC, VBQPPL, HĐND, ĐVSN ...), learnt from their labels (see
# align.learn_abbreviations): a label that spells one out ("thủ tục hành chính") is also compared
# with the abbreviation in its place.
ABBREVIATIONS: set[str] = set()
_LONGEST_ABBREVIATION = 8


def forget_words() -> None:
    """Drop the words computed so far: they lack abbreviations learnt since."""
    abbreviated_words.cache_clear()
    _ROW_TEXTS.clear()


@lru_cache(maxsize=32768)
def label_words(label: str) -> frozenset[str]:
    return frozenset(WORD.findall(fold(label)))


# Words that are never part of a spelled-out abbreviation ("Đảng và chính quyền" is not DVC).
_LINKING_WORDS = {"va", "cua", "cac", "da", "duoc", "tai", "theo", "voi", "cho", "tren", "trong", "la", "co",
                  "nhung", "mot", "so"}


@lru_cache(maxsize=32768)
def abbreviated_words(label: str) -> frozenset[str]:
    """The label's words with spelled-out abbreviations replaced ('thủ tục hành chính' -> 'tthc');
    the empty set when nothing was replaced."""
    words = WORD.findall(fold(label))
    if not ABBREVIATIONS or len(words) < 3:
        return frozenset()
    collapsed, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST_ABBREVIATION, len(words) - i), 2, -1):
            phrase = words[i:i + size]
            initials = "".join(word[0] for word in phrase)
            if initials in ABBREVIATIONS and not _LINKING_WORDS.intersection(phrase):
                collapsed.append(initials)
                i += size
                break
        else:
            collapsed.append(words[i])
            i += 1
    return frozenset(collapsed) if len(collapsed) < len(words) else frozenset()


def has_figure(row: FileRow) -> bool:
    return row.raw is not None and not (isinstance(row.raw, str) and is_not_reported(row.raw))


def row_text(row: FileRow) -> str:
    return " ".join(part for part in (row.stt, row.label) if part) or cell_text(row.raw)
