"""The hidden "_cchc" sheet of the tool's own workbooks: key in column A, value in B.

A value longer than CHUNK characters (an Excel cell holds at most 32.767) continues in C, D ...
and is concatenated when read back.
"""

from __future__ import annotations

from typing import Any, Iterable

CHUNK = 30_000


def encode(meta: dict[str, str]) -> list[list[str]]:
    """Rows for the metadata sheet: [key, part1, part2, ...]."""
    rows = []
    for key, value in meta.items():
        text = "" if value is None else str(value)
        parts = [text[start:start + CHUNK] for start in range(0, len(text), CHUNK)] or [""]
        rows.append([str(key), *parts])
    return rows


def decode(rows: Iterable[Iterable[Any]]) -> dict[str, str]:
    """The metadata from the sheet's rows; rows without a key are ignored."""
    meta: dict[str, str] = {}
    for row in rows:
        cells = list(row)
        if not cells or cells[0] in (None, ""):
            continue
        meta[str(cells[0]).strip()] = "".join(_text(cell) for cell in cells[1:])
    return meta


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a version "1" read back as the number 1.0
    return str(cell)
