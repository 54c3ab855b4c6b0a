"""Untrusted files -> Workbook of grids: one module per format behind load(path).

safezip reads the bytes and bounds and inflates a zip package; xlsx, ods and biff turn a
spreadsheet into grids through calamine (calamine.py holds what they share); docx turns a Word
report's tables into grids, webpage a web page named .xls, spreadsheetml Excel's XML Spreadsheet 2003,
delimited a Phụ lục saved as CSV or tab-separated text. The format is told by the file's content, never by its name.
"""

from __future__ import annotations

import re
from pathlib import Path

import olefile

from ..grid import ReadError, Workbook
from .biff import load_cfb
from .delimited import SUFFIXES as DELIMITED_SUFFIXES
from .delimited import is_phu_luc_text, load_delimited
from .docx import DOCUMENT_PART, load_docx
from .messages import corrupt
from .ods import load_ods
from .safezip import package_parts, read_bytes, repack
from .spreadsheetml import is_spreadsheetml, load_spreadsheetml
from .webpage import is_webpage, load_webpage
from .xlsx import FirstSheet, load_xlsx

__all__ = ["FirstSheet", "load"]


def load(path: str | Path, *, first: FirstSheet | None = None, along: tuple[str, ...] = ()) -> Workbook:
    """Every worksheet of the file as a grid; ReadError (Vietnamese, naming the file) otherwise.

    first=(name, enough): in an .xlsx holding that sheet (small and plain), it is read before the
    others, and when enough(its grid) it is the only grid returned with the small sheets named in
    `along`: a roll-up's state sheet and its summary are all a merge reads of it, and its other
    sheets run to thousands of lines."""
    path = Path(path)
    data = read_bytes(path)
    try:
        if data[:4] == b"PK\x03\x04":
            return _load_package(path, data, first, along)
        if data[:8] == olefile.MAGIC:
            return load_cfb(path, data)
        if is_spreadsheetml(data):
            return load_spreadsheetml(path, data)
        if is_webpage(data):
            return load_webpage(path, data)
        if path.suffix.lower() in DELIMITED_SUFFIXES and is_phu_luc_text(data):
            return load_delimited(path, data)  # text carries no mark of its own: told by its name and header
    except ReadError:
        raise
    except Exception:
        # Damaged files fail in endless ways inside zlib, zipfile, olefile and calamine: all of
        # them mean the same thing to the person who sent the file.
        raise corrupt(path) from None
    raise corrupt(path)


# The title in the package's properties: docProps/core.xml (Office), meta.xml (OpenDocument).
_TITLE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?title\b[^<>]*>([^<]{1,500})</")  # a tag stops at "<": linear


def _titled(workbook: Workbook, parts: dict[str, bytes]) -> Workbook:
    """The workbook with the document's title (File > Info > Title), where some offices write the period."""
    for name in ("docProps/core.xml", "meta.xml"):
        match = _TITLE.search(parts.get(name) or b"")
        if match:
            workbook.title = _unescaped(match.group(1).decode("utf-8", "replace")).strip()
            break
    return workbook


def _load_package(path: Path, data: bytes, first: FirstSheet | None, along: tuple[str, ...]) -> Workbook:
    parts = package_parts(path, data)
    if parts.transcoded:
        data = repack(parts)
    mimetype = parts.get("mimetype", b"")
    if "xl/workbook.xml" in parts:
        return _titled(load_xlsx(path, data, parts, first, along), parts)
    if "xl/workbook.bin" in parts:  # an .xlsb given another name
        raise ReadError("sent-as-other-excel", file=path.name, suffix=".xlsb")
    if "content.xml" in parts and mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return _titled(load_ods(path, data, parts), parts)
    if DOCUMENT_PART in parts:
        return _titled(load_docx(path, parts), parts)
    if mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        raise ReadError("text-document", file=path.name)
    raise corrupt(path)


def _unescaped(text: str) -> str:
    """XML's &lt; &gt; &amp; undone, as xml.sax.saxutils.unescape does (importing that module pulls in
    urllib and http.client: a quarter of the readers' import time, paid by every check)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
