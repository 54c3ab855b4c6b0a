"""Which files a folder given to `check` or `merge` contributes, when two paths are one file, and
names from the file system or the command line made printable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".doc")  # Word: the Phụ lục typed as a table
# Excel's and LibreOffice's lock files beside an open workbook ("~$Bình Yên.xlsx", ".~lock.x.ods#").
_SKIPPED_PREFIXES = ("~$", ".")


def is_submission(path: Path) -> bool:
    """A file found in a folder that counts as a submitted Phụ lục: a workbook or Word suffix, not
    a temporary lock file, not hidden (a dot name, or the hidden attribute on Windows)."""
    if path.suffix.lower() not in SUFFIXES or path.name.startswith(_SKIPPED_PREFIXES):
        return False
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and not getattr(info, "st_file_attributes", 0) & 2  # FILE_ATTRIBUTE_HIDDEN


def folder_submissions(folder: Path) -> list[Path]:
    """The submissions inside a folder and its sub-folders, in name order."""
    return sorted(found for found in folder.rglob("*") if is_submission(found))


def same_file(first: str | os.PathLike, second: str | os.PathLike) -> bool:
    """Both paths name one existing file (links and case-insensitive file systems included)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def printable(text: str) -> str:
    """`text` with the bytes the system could not decode (a file name from a zip made on Windows,
    an argument in another encoding: lone surrogates in Python) shown as U+FFFD, as well as they
    can be; other text unchanged. The original stays usable to open the file."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte ("\\ud800" from JSON)
        return text.encode("utf-8", "replace").decode("utf-8")
