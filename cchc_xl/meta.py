"""The hidden "_cchc" sheet of the tool's own workbooks: key in column A, value in B.

A value longer than CHUNK characters (an Excel cell holds at most 32.767) continues in C, D ...
up to CHUNKS_PER_ROW cells, then on the rows below with column A empty (a roll-up's state runs to
megabytes, and the reader keeps only the first 64 columns of a sheet). Everything is
concatenated when read back. A value is cut where its next part does not start like a formula
(a state's text "a=b" is not cut before "="), so only a value that itself starts so needs Excel's
text marker.
"""

from __future__ import annotations

from typing import Any, Iterable

from .writing.formula_text import FORMULA_SIGNS

CHUNK = 30_000
CHUNKS_PER_ROW = 50


def encode(meta: dict[str, str]) -> list[list[str]]:
    """Rows for the metadata sheet: [key, part1, part2, ...], then ["", part51, ...] when longer."""
    rows = []
    for key, value in meta.items():
        text = "" if value is None else str(value)
        parts = _parts(text)
        for first in range(0, len(parts), CHUNKS_PER_ROW):
            rows.append([str(key) if first == 0 else "", *parts[first:first + CHUNKS_PER_ROW]])
    return rows


def _parts(text: str) -> list[str]:
    """`text` in parts of at most CHUNK characters, none after the first starting like a formula
    where the text allows (a run of CHUNK signs and spaces does not)."""
    parts, start = [], 0
    while len(text) - start > CHUNK:
        end = _cut_before(text, start, start + CHUNK)
        parts.append(text[start:end])
        start = end
    return parts + [text[start:]]


def _cut_before(text: str, start: int, end: int) -> int:
    """The last point in (start, end] where the rest of `text` does not start like a formula
    (a tab or carriage return, or a formula sign after any spaces); `end` when there is none."""
    solid = end  # the first character at or after `point` that is not a space
    while solid < len(text) and text[solid].isspace():
        solid += 1
    point = end
    while point > start:
        if text[point] not in "\t\r" and (solid == len(text) or text[solid] not in FORMULA_SIGNS):
            return point
        point -= 1
        if not text[point].isspace():
            solid = point
    return end


def decode(rows: Iterable[Iterable[Any]]) -> dict[str, str]:
    """The metadata from the sheet's rows; a row without a key continues the key above it."""
    parts: dict[str, list[str]] = {}  # joined once at the end: a state runs to megabytes over many rows
    key = None
    for row in rows:
        cells = list(row)
        if not cells:
            continue
        texts = [_text(cell) for cell in cells[1:]]
        if cells[0] in (None, ""):
            if key is not None:
                parts[key].extend(texts)
            continue
        key = str(cells[0]).strip()
        parts[key] = texts
    return {key: "".join(texts) for key, texts in parts.items()}


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a version "1" read back as the number 1.0
    return str(cell)
