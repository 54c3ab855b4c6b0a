"""The problems a file of any format can have, as ReadErrors (texts in problems.py)."""

from __future__ import annotations

from pathlib import Path

from ..grid import MAX_GRID_COLS, MAX_GRID_ROWS, ReadError

WORD_SUFFIXES = (".docx", ".docm")


def corrupt(path: Path) -> ReadError:
    if path.suffix.lower() in WORD_SUFFIXES:
        return word_corrupt(path)
    return ReadError("corrupt", file=path.name)


def word_corrupt(path: Path) -> ReadError:
    return ReadError("word-corrupt", file=path.name)


def password(path: Path) -> ReadError:
    return ReadError("password", file=path.name)


def program(path: Path) -> str:
    """The program the sender should open the file with."""
    return "Word" if path.suffix.lower() in WORD_SUFFIXES else "Excel"


def cut_note(sheet: str) -> str:
    """What Workbook.notes says of a sheet read only in part: up to the grid's bounds, or up to where a
    reader's own bound on the file's elements or characters stopped it, which may come first."""
    rows = f"{MAX_GRID_ROWS:,}".replace(",", ".")
    return f"Trang tính «{sheet}» quá lớn; chỉ đọc phần đầu (nhiều nhất {rows} dòng và {MAX_GRID_COLS} cột)"
