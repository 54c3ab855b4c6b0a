"""A Phụ lục saved as delimited text: CSV as software exports it or Excel saves it (comma or semicolon,
by the regional settings), and Excel's "Unicode Text" (tab-separated UTF-16, often named .txt).

Text has no mark of its own, so it is told by its name and by its first lines holding the table's
header words (STT and Chỉ tiêu): a list of units beside the files, or any other text, is not taken
for a Phụ lục. The encoding is the byte-order mark's, else UTF-8, else windows-1258 (older Vietnamese
Windows); the separator the one that splits the header row. Every cell is its text (figures read
like figures typed as text), empty cells are empty; rows past MAX_GRID_ROWS and columns past
MAX_GRID_COLS are not read (and said so). A hostile text costs bounded memory: it is read a line at a
time, a line cut past what 64 cells take (a line of forty million separators made a list of forty
million cells); a field past what csv reads (131,072 characters) makes the file unreadable.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from typing import Iterator
from pathlib import Path

from ..grid import MAX_CELL_CHARS, MAX_GRID_COLS, MAX_GRID_ROWS, Grid, Workbook
from ..periods import fold
from .messages import corrupt, cut_note

SUFFIXES = (".csv", ".txt")
_SEPARATORS = ",;\t"
# A line longer than 64 fields of what csv reads (each quoted, and their separators) holds more than
# 64 cells or a field csv refuses: cut there, it still does.
_MAX_LINE = MAX_GRID_COLS * (csv.field_size_limit() + 3)
_LINE_END = re.compile(r"\r\n?|\n")


def text_by_mark(data: bytes) -> str | None:
    """Text that starts with a byte-order mark, decoded as the mark says; None without one."""
    for mark, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(mark):
            return data[len(mark):].decode(encoding, "replace")
    return None


def _decoded(data: bytes, *, whole: bool = True) -> str:
    """The text: by its byte-order mark, else UTF-8, else windows-1258. whole=False: `data` is the file's
    start, which may end inside a UTF-8 character."""
    marked = text_by_mark(data)
    if marked is not None:
        return marked
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=whole)
    except UnicodeDecodeError:
        text = data.decode("cp1258", "replace")
    return unicodedata.normalize("NFC", text)


def is_phu_luc_text(data: bytes) -> bool:
    """Whether delimited text starts like a Phụ lục: a line in its first 64 KB with STT and Chỉ tiêu."""
    return _header_separator(_decoded(data[:65536], whole=False).splitlines()[:200]) is not None


def _header_separator(lines: list[str]) -> str | None:
    """The separator that splits a header line (STT | Chỉ tiêu ...) into cells, or None."""
    for line in lines:
        folded = fold(line)
        if "stt" not in folded or "chi tieu" not in folded:
            continue
        for separator in _SEPARATORS:
            cells = [fold(cell).strip(' "') for cell in line.split(separator)]
            if "stt" in cells and any("chi tieu" in cell for cell in cells):
                return separator
    return None


def load_delimited(path: Path, data: bytes) -> Workbook:
    text = _decoded(data)
    separator = _header_separator(text[:65536].splitlines()[:200])
    if separator is None:
        raise corrupt(path)
    rows: list[list[str | None]] = []
    cut = False
    try:
        for record in csv.reader(_lines(text), delimiter=separator):
            if len(rows) >= MAX_GRID_ROWS:
                cut = True
                break
            cut = cut or len(record) > MAX_GRID_COLS
            rows.append([cell[:MAX_CELL_CHARS] if cell.strip() else None for cell in record[:MAX_GRID_COLS]])
    except csv.Error:  # a field past what the reader holds, a NUL byte: not a file to read
        raise corrupt(path) from None
    width = max(map(len, rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    name = path.stem[:31] or "Sheet1"
    notes = [cut_note(name)] if cut else []
    return Workbook(str(path), [Grid(name, rows, formats_known=False)], notes=notes)


def _lines(text: str) -> Iterator[str]:
    """The text's lines one at a time, each with its line end (as csv reads them), at most _MAX_LINE
    characters."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start:min(end.end(), start + _MAX_LINE)]
        start = end.end()
    if start < len(text):
        yield text[start:start + _MAX_LINE]
