"""The hidden "_cchc" sheet of the tool's own workbooks: key in column A, value in B.

A value longer than CHUNK characters (an Excel cell holds at most 32.767) continues in C, D ...
up to CHUNKS_PER_ROW cells, then on the rows below with column A empty (a roll-up's state runs to
megabytes, and the reader keeps only the first 64 columns of a sheet). Everything is
concatenated when read back.
"""

from __future__ import annotations

from typing import Any, Iterable

CHUNK = 30_000
CHUNKS_PER_ROW = 50


def encode(meta: dict[str, str]) -> list[list[str]]:
    """Rows for the metadata sheet: [key, part1, part2, ...], then ["", part51, ...] when longer."""
    rows = []
    for key, value in meta.items():
        text = "" if value is None else str(value)
        parts = [text[start:start + CHUNK] for start in range(0, len(text), CHUNK)] or [""]
        for first in range(0, len(parts), CHUNKS_PER_ROW):
            rows.append([str(key) if first == 0 else "", *parts[first:first + CHUNKS_PER_ROW]])
    return rows


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
