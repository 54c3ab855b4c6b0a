"""The blank Phụ lục a unit fills in, written from a catalog with XlsxWriter.

One workbook: the "Phụ lục" sheet in the official layout (see layout.py), a workbook-level name
for every input cell, and the very hidden "_cchc" sheet that says which form and period the file
is. The same function writes the .xlsm with buttons: pass the VBA project and the buttons.
"""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Callable, Mapping, Sequence

from xlsxwriter.workbook import Workbook

from .. import meta, periods
from ..catalog import Catalog
from ..submission import META_SHEET, defined_name
from . import live
from .formula_text import starts_like_formula
from .layout import Formats, FormLayout, workbook_options, write_form_sheet

TEMPLATE_SHEET = "Phụ lục"
TOOL = "cchc-xl"

# A fixed creation date: the same inputs give the same bytes (XlsxWriter already fixes zip entry dates).
FIXED_CREATED = datetime(2024, 1, 1, tzinfo=UTC)


ExtraSheets = Callable[[Workbook, FormLayout, Formats], None]


@dataclass(frozen=True)
class ButtonSpec:
    """A form-control button on the main sheet that runs a VBA macro (only useful in an .xlsm)."""

    macro: str
    caption: str
    cell: str = "G2"  # outside the print area A:E
    width: int = 220
    height: int = 36


def printable(text: str) -> str:
    """Text without control characters, which a cell cannot show (they would print as _x0001_) and a
    Word document cannot hold; a character no XML holds (U+FFFE, U+FFFF, half of a surrogate pair from
    an undecodable file name) as U+FFFD."""
    return "".join("\ufffd" if ch in "\ufffe\uffff" or "\ud800" <= ch <= "\udfff" else ch for ch in text
                   if unicodedata.category(ch) != "Cc" or ch == "\n")


def metadata(catalog: Catalog, *, unit: str, period_text: str, kind: str = "template") -> dict[str, str]:
    """The keys of the _cchc sheet; the period is stored normalised (2024-Q1) and as written."""
    return {
        "tool": TOOL, "kind": kind, "catalog": catalog.id, "catalog_version": catalog.version,
        "unit": unit, "period": periods.normalise(period_text) or "", "period_text": period_text,
    }


def meta_rows(entries: Mapping[str, str]) -> list[list[str]]:
    """[key, value, continuation...] rows of the metadata sheet."""
    return meta.encode(dict(entries))


def write_meta_sheet(workbook: Workbook, entries: Mapping[str, str]):
    sheet = workbook.add_worksheet(META_SHEET)
    quoted = None  # Excel's text marker, made only for a value (the --unit typed) that starts like a formula
    for row_index, row in enumerate(meta_rows(entries)):
        for column, text in enumerate(row):
            style = None
            if starts_like_formula(text):
                style = quoted = quoted or workbook.add_format({"quote_prefix": True})
            sheet.write_string(row_index, column, text, style)
    sheet.very_hidden()
    return sheet


def build_template(workbook: Workbook, catalog: Catalog, *, unit: str = "", period_text: str = "",
                   buttons: Sequence[ButtonSpec] = (), extra_sheets: ExtraSheets | None = None,
                   kind: str = "template") -> FormLayout:
    """Add the template's sheets and names to a workbook the caller owns (and closes)."""
    unit, period_text = printable(unit), printable(period_text)
    workbook.set_properties({"title": " ".join(catalog.title_lines(unit, period_text)).strip(),
                             "subject": catalog.name, "author": TOOL, "created": FIXED_CREATED})
    formats = Formats(workbook)
    sheet = workbook.add_worksheet(TEMPLATE_SHEET)
    layout = write_form_sheet(workbook, sheet, catalog, unit=unit, period_text=period_text, formats=formats)
    live.write_live_checks(workbook, sheet, catalog, layout, formats, unit)
    for row in catalog.rows:
        if row.is_input:
            workbook.define_name(defined_name(row.id), "=" + layout.reference(row.id))
    for button in buttons:
        sheet.insert_button(button.cell, {"macro": button.macro, "caption": button.caption,
                                          "width": button.width, "height": button.height})
    if extra_sheets is not None:
        extra_sheets(workbook, layout, formats)
    write_meta_sheet(workbook, metadata(catalog, unit=unit, period_text=period_text, kind=kind))
    sheet.activate()
    return layout


def write_template(catalog: Catalog, path: str | os.PathLike, *, unit: str = "", period_text: str = "",
                   vba_project: bytes | str | os.PathLike | None = None, buttons: Sequence[ButtonSpec] = (),
                   extra_sheets: ExtraSheets | None = None) -> FormLayout:
    """Write the template to `path` (.xlsx, or .xlsm with `vba_project`: vbaProject.bin bytes or its path)."""
    workbook = Workbook(os.fspath(path), workbook_options())
    try:
        if vba_project is not None:
            if isinstance(vba_project, bytes):
                workbook.add_vba_project(io.BytesIO(vba_project), is_stream=True)
            else:
                workbook.add_vba_project(os.fspath(vba_project))
            workbook.set_vba_name()
        layout = build_template(workbook, catalog, unit=unit, period_text=period_text, buttons=buttons,
                                extra_sheets=extra_sheets)
        if vba_project is not None:
            workbook.get_worksheet_by_name(TEMPLATE_SHEET).set_vba_name()
    except BaseException:
        workbook.fileclosed = True  # nothing to save; spares XlsxWriter's "close() may be required" warning
        raise
    workbook.close()
    return layout
