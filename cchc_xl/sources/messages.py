"""The problems a file of any format can have, as ReadErrors (texts in problems.py)."""

from __future__ import annotations

from pathlib import Path

from ..grid import ReadError

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
