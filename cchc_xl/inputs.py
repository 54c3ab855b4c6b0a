"""Which files a folder given to `check` or `merge` contributes, when two paths are one file, and
names from the file system or the command line made printable."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .problems import Problem, problem

# Word: the Phụ lục typed as a table; web pages: what software exports as Excel, or Excel saved as a web page.
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".doc", ".htm", ".html")
# Excel's XML Spreadsheet 2003 is saved as .xml, a Phụ lục as CSV or text as .csv or .txt: names many
# other files have (a list of units). In a folder only those that are one count; given by name, any is
# read and told about.
SNIFFED_SUFFIXES = (".xml", ".csv", ".txt")
# Excel's and LibreOffice's lock files beside an open workbook ("~$Bình Yên.xlsx", ".~lock.x.ods#").
_SKIPPED_PREFIXES = ("~$", ".")


# A Phụ lục sent in a form the tool does not open: an archive (by e-mail or Zalo), an Excel binary
# workbook or template. Found in a folder, each is named with what to do rather than passed over.
_ARCHIVES = (".zip", ".rar", ".7z")
# .mht: Excel's single-file web page; .et: WPS Spreadsheets' own type; .numbers: Apple Numbers.
_OTHER_EXCEL = (".xlsb", ".xltx", ".xltm", ".xlt", ".mht", ".mhtml", ".et", ".ett", ".numbers")


def _listed(path: Path) -> bool:
    """A file found in a folder that counts: a regular file, not a temporary lock file, not hidden
    (a dot name, or the hidden attribute on Windows)."""
    if path.name.startswith(_SKIPPED_PREFIXES):
        return False
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and not getattr(info, "st_file_attributes", 0) & 2  # FILE_ATTRIBUTE_HIDDEN


def folder_submissions(folder: Path) -> list[Path]:
    """The submissions inside a folder and its sub-folders, in name order."""
    return folder_contents(folder)[0]


def folder_contents(folder: Path) -> tuple[list[Path], list[tuple[Path, Problem]]]:
    """In one walk of a folder and its sub-folders: the submissions, and the files that may hold a
    Phụ lục the tool cannot open as sent (an archive, an .xlsb) with what to do about each; each list
    in name order."""
    submissions: list[Path] = []
    unopened: list[tuple[Path, Problem]] = []
    for path in folder.rglob("*"):
        suffix = path.suffix.lower()
        if suffix in SUFFIXES or (suffix in SNIFFED_SUFFIXES and _holds_phu_luc(path)):
            if _listed(path):
                submissions.append(path)
        elif suffix in _ARCHIVES and _listed(path):
            unopened.append((path, problem("sent-as-archive", file=printable(path.name))))
        elif suffix in _OTHER_EXCEL and _listed(path):
            unopened.append((path, problem("sent-as-other-excel", file=printable(path.name), suffix=suffix)))
    return sorted(submissions), sorted(unopened, key=lambda entry: entry[0])


def _holds_phu_luc(path: Path) -> bool:
    """An .xml that is an XML Spreadsheet 2003, a .csv or .txt whose first lines hold the table's header."""
    from .sources.delimited import is_phu_luc_text
    from .sources.spreadsheetml import is_spreadsheetml

    from .sources.safezip import open_regular

    try:
        with open_regular(path) as handle:  # a FIFO named .csv would wait for a writer for ever
            start = handle.read(65536)
    except OSError:
        return False
    return is_spreadsheetml(start) if path.suffix.lower() == ".xml" else is_phu_luc_text(start)


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


# Characters that act on a terminal instead of showing: control characters (an escape sequence
# recolours or clears the screen, a carriage return writes over the line) and the marks that turn
# text right to left ("trung\u202eslx.exe.xlsx" shows as "trungxlsx.exe.xls"). A file's name or a
# cell's text may hold any of them.
_ACTING = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_ACTING_ON_TERMINAL = re.compile(f"[{_ACTING}]")
_ACTING_IN_LINE = re.compile(f"[{_ACTING}\t\n]")


def harmless(text: str, *, one_line: bool = False) -> str:
    """`text` with each character that would act on the terminal written as its code (\\u001b), and
    with `one_line` a line break or tab too (a file named "a<line break>Tổng cộng: 0 lỗi.xlsx" must not
    print a line of its own). Inside JSON strings the codes are JSON's own escapes: the text reads back
    the same."""
    pattern = _ACTING_IN_LINE if one_line else _ACTING_ON_TERMINAL
    return pattern.sub(lambda match: f"\\u{ord(match.group()):04x}", text) if pattern.search(text) else text
