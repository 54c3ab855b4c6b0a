"""What in a submitted workbook reaches outside it: formulas and names that read another file
(`[1]Sheet!A1`, the externalLink parts), ask another program (DDE `=cmd|'/c calc'!A1`, RTD,
CALL/REGISTER) or fetch from the web (WEBSERVICE, FILTERXML, HYPERLINK, IMAGE); cell links to a web
page or a file; charts whose series read another file; pivot tables fed from outside the workbook.

The marked copy is opened by the officer, not by the sender: none of these may survive in it. Each
such formula is replaced by the value the sender's program last computed for it, each such link,
chart or pivot table is dropped (a cell keeps its text, a pivot table its figures), and the cell says so.
(openpyxl itself keeps no OLE object, picture linked from outside, data connection or query table.)
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.xml.functions import tostring
from openpyxl.worksheet.formula import ArrayFormula

from ..sources.safezip import package_parts, read_bytes, repack

# The workbook's list of its links (the externalLink parts: other workbooks, DDE and OLE links).
_LINK_LIST = re.compile(rb"<(\w+:)?externalReferences\b[^>]*?(?:/>|>.*?</(\w+:)?externalReferences\s*>)", re.DOTALL)
_STRING = re.compile(r'"(?:[^"]|"")*"')
# A workbook index ([1]Sheet!A1, '[1]Sheet 1'!A1, [1]!Name) or a file name in brackets before a sheet:
# a sheet name cannot hold a bracket, and a table's column ([Col], Table1[Col]) follows a name or a bracket.
_OTHER_BOOK = re.compile(r"(?<![\w.\]\[])\[[^\[\]]+\][^!\s(),;]*!|'[^']*\[[^']*\][^']*'!|(?<![\w.\]\[])\[\d+\]")
_OUTSIDE_CALL = re.compile(r"(?<![\w.])(?:_xlfn\.|_xlws\.)?(?:WEBSERVICE|FILTERXML|HYPERLINK|IMAGE|RTD|CALL|"
                           r"REGISTER(?:\.ID)?|EXEC)\s*\(", re.IGNORECASE)


# A chart's references (<c:f>) and the pivot table it shows (<c:pivotSource><c:name>), as openpyxl writes them.
_CHART_REFERENCE = re.compile(r"<(?:\w+:)?(?:f|name)(?:\s[^>]*)?>([^<]*)</")
HYPERLINK, CHART, PIVOT = "hyperlink", "chart", "pivot"


@dataclass(frozen=True)
class CutFormula:
    sheet: str
    coordinate: str
    formula: str
    value: object


@dataclass(frozen=True)
class CutObject:
    """A link, chart or pivot table dropped from the copy: what it was (`kind`), the cell it sat on
    (empty for a chart sheet) and where it reached (`reach`: the address, the formula or the source)."""
    kind: str
    sheet: str
    coordinate: str
    reach: str


@dataclass(frozen=True)
class Cut:
    formulas: list[CutFormula]
    objects: list[CutObject]


def reaches_outside(formula: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether `formula` reads another file, asks another program or fetches from the web; also when it
    uses one of `names` (upper-case), the defined names that do."""
    code = _STRING.sub('""', formula)
    if "|" in code or _OTHER_BOOK.search(code) or _OUTSIDE_CALL.search(code):
        return True
    return bool(names) and any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.(])", code, re.IGNORECASE)
                               for name in names)


def linkless_package(source: Path) -> io.BytesIO:
    """The package of `source` without its list of links to other workbooks and programs, read within the
    reader's bounds: openpyxl neither keeps the links nor fails on one (a DDE link has no target part)."""
    parts = package_parts(source, read_bytes(source))
    linked = {key: _LINK_LIST.sub(b"", body) for key, body in parts.items()
              if key.endswith(".xml") and b"externalReferences" in body}
    return io.BytesIO(repack(parts, linked))


def cut_outside_links(book: Workbook, source: Path) -> Cut:
    """Remove from `book` (opened from `linkless_package(source)` with its formulas) the defined names,
    links, charts and pivot tables that reach outside; return those dropped, and every formula that
    reaches outside or uses such a name, with the value last computed, in sheet order, for the caller
    to write in its place."""
    outside_names = _cut_names(book)
    objects: list[CutObject] = []
    found = []
    for sheet in book.worksheets:
        _cut_rules(sheet, outside_names)
        for row in sheet.iter_rows():
            for cell in row:
                if (text := _formula(cell)) is not None and reaches_outside(text, outside_names):
                    found.append((sheet.title, cell.coordinate, text))
                if cell.hyperlink is not None and cell.hyperlink.target and not cell.hyperlink.target.startswith("#"):
                    objects.append(CutObject(HYPERLINK, sheet.title, cell.coordinate, cell.hyperlink.target))
                    cell.hyperlink = None
        objects += _cut_pivots(sheet, book, outside_names)
    for sheet in book.worksheets:
        objects += _cut_charts(sheet, outside_names, on_cells=True)
    for chartsheet in list(book.chartsheets):
        objects += _cut_charts(chartsheet, outside_names, on_cells=False)
        if not chartsheet._charts:  # a chart sheet must hold a chart: Excel repairs one without
            book.remove(chartsheet)
    if not found:
        return Cut([], objects)
    cached = _cached_values(source, {(sheet, coordinate) for sheet, coordinate, _ in found})
    return Cut([CutFormula(sheet, coordinate, text, cached.get((sheet, coordinate)))
                for sheet, coordinate, text in found], objects)


def _cut_charts(holder, names: frozenset[str], *, on_cells: bool) -> list[CutObject]:
    """Drop the charts of a sheet or chart sheet whose series, titles or pivot source read another file."""
    cut = []
    for chart in list(holder._charts):
        references = [html.unescape(text) for text in _CHART_REFERENCE.findall(tostring(chart._write()).decode())]
        outside = next((text for text in references if reaches_outside("=" + text, names)), None)
        if outside is not None:
            holder._charts.remove(chart)
            cut.append(CutObject(CHART, holder.title, _anchor_cell(chart.anchor) if on_cells else "", outside))
    return cut


def _cut_pivots(sheet, book: Workbook, names: frozenset[str]) -> list[CutObject]:
    """Drop the pivot tables fed from outside the workbook (a data connection, another file, a
    consolidation or scenario); their figures stay in the sheet's cells as plain values."""
    cut = []
    for pivot in list(sheet._pivots):
        source = pivot.cache.cacheSource if pivot.cache is not None else None
        where = source.worksheetSource if source is not None else None
        inside = (source is not None and source.type == "worksheet" and where is not None
                  and (where.sheet in book.sheetnames if where.sheet else bool(where.name))
                  and not (where.name and reaches_outside("=" + where.name, names)))
        if not inside:
            sheet._pivots.remove(pivot)
            reach = (where.name or where.sheet or "") if where is not None else (source.type if source else "")
            cut.append(CutObject(PIVOT, sheet.title, pivot.location.ref.split(":")[0], reach or "?"))
    return cut


def _anchor_cell(anchor) -> str:
    """The cell under a chart's top-left corner."""
    if isinstance(anchor, str):
        return anchor
    start = getattr(anchor, "_from", None)
    return f"{get_column_letter(start.col + 1)}{start.row + 1}" if start is not None else ""


def _cut_names(book: Workbook) -> frozenset[str]:
    """Delete the defined names (of the workbook and of each sheet) whose value reaches outside."""
    cut: set[str] = set()
    for names in [book.defined_names] + [sheet.defined_names for sheet in book.worksheets]:
        for name, defined in list(names.items()):
            if defined.value and reaches_outside(defined.value):
                del names[name]
                cut.add(name.upper())
    return frozenset(cut)


def _cut_rules(sheet, names: frozenset[str]) -> None:
    """Drop the data validations and conditional formats whose formulas reach outside: a reference to a
    link no longer listed is also one Excel repairs the file for."""
    def outside(formulas) -> bool:
        return any(reaches_outside("=" + formula, names) for formula in formulas if formula)

    validations = sheet.data_validations.dataValidation
    validations[:] = [rule for rule in validations if not outside((rule.formula1, rule.formula2))]
    for formatting in list(sheet.conditional_formatting):
        kept = [rule for rule in formatting.rules if not outside(rule.formula or ())]
        if kept:
            formatting.rules[:] = kept
        else:
            del sheet.conditional_formatting[str(formatting.sqref)]


def _formula(cell) -> str | None:
    if cell.data_type != "f":
        return None
    return (cell.value.text or "") if isinstance(cell.value, ArrayFormula) else str(cell.value)


def _cached_values(source: Path, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """The values the sender's program stored for the `wanted` cells, read in one pass over each sheet."""
    sheets = {sheet for sheet, _ in wanted}
    values = load_workbook(linkless_package(source), data_only=True, read_only=True)
    found: dict[tuple[str, str], object] = {}
    try:
        for sheet in values.worksheets:
            if sheet.title not in sheets:
                continue
            for row in sheet.iter_rows():
                for cell in row:
                    place = (sheet.title, getattr(cell, "coordinate", None))
                    if place in wanted and cell.value is not None:
                        found[place] = cell.value
    finally:
        values.close()
    return found
