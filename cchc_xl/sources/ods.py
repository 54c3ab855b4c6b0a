"""An OpenDocument spreadsheet (.ods; parts already inflated and bounded by safezip) as grids.

calamine reads every sheet of an .ods when opening it, so a huge one cannot be skipped: content.xml
is scanned first as a stream (extent counting repeated rows and cells that hold a value) and the
file is refused beyond MAX_DENSE_CELLS. The same scan finds the percentage cells
(office:value-type="percentage"), error cells, merged cells, hidden rows and columns, and each
table's page style, whose header and footer styles.xml holds. Each element is let go once read
(a flood of elements Excel and LibreOffice never write stays out of memory), and a content part of
more than MAX_SCANNED_ELEMENTS elements is refused: the scan must see all of it before calamine does.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import defusedxml.ElementTree as SafeET

from ..grid import MAX_GRID_COLS, MAX_GRID_ROWS, ReadError, Workbook, page_lines
from .calamine import (MAX_TEXT_BOX_CHARS, MAX_TEXT_BOXES, SheetScan, calamine_sheet, grid_from_calamine,
                       open_calamine, refuse_dense)
from .messages import corrupt
from .safezip import Parts, repack

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_CALCEXT_NS = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def load_ods(path: Path, data: bytes, parts: Parts) -> Workbook:
    scans = _scan_ods(path, parts["content.xml"])
    refuse_dense(path, scans)
    _with_page_headers(path, scans, parts.get("styles.xml") or b"")
    content = _usual_prefixes(parts["content.xml"])
    book = open_calamine(path, data if content is parts["content.xml"] else repack(parts, {"content.xml": content}))
    grids = []
    for meta in book.sheets_metadata:
        scan = scans.get(meta.name)
        sheet = calamine_sheet(path, book, meta.name)
        grids.append(grid_from_calamine(meta.name, sheet, scan or SheetScan(),
                                        hidden="Visible" not in str(meta.visible), merged=scan.merged if scan else []))
    return Workbook(str(path), grids, {})


# The prefixes calamine reads the spreadsheet's elements by ("table:table-row", "text:p").
_USUAL_PREFIXES = {_TABLE_NS.encode(): b"table", _OFFICE_NS.encode(): b"office",
                   b"urn:oasis:names:tc:opendocument:xmlns:text:1.0": b"text"}
_DECLARATION = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")


def _usual_prefixes(content: bytes) -> bytes:
    """content.xml with the table, office and text namespaces under their usual prefixes, which
    calamine takes for the names: it reads nothing of a table written "ns0:table-row" (as Python's
    ElementTree writes a file it rewrites). The part itself when they are so already, or when a usual
    prefix is bound to another namespace."""
    declared = dict(_DECLARATION.findall(content))
    renames = {}
    for prefix, uri in declared.items():
        usual = _USUAL_PREFIXES.get(uri)
        if usual and prefix != usual:
            if declared.get(usual, uri) != uri:
                return content
            renames[prefix] = usual
    if not renames:
        return content
    names = b"|".join(map(re.escape, renames))
    return re.sub(rb"(</?|\sxmlns:|\s)(" + names + rb")(?=:[A-Za-z_]|\s*=)",
                  lambda match: match.group(1) + renames[match.group(2)], content)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _count(element, local: str) -> int:
    """The largest of the element's attributes of that local name (1 when none): calamine reads
    "table:number-rows-repeated" by its prefix, whatever namespace the file binds to it."""
    return max((int(value) for name, value in element.attrib.items() if _local(name) == local), default=1)


# A Phụ lục's content part is some thousands of elements, a full grid's (3,000 rows of 64 cells) under
# a million; repeated rows and cells are one element each.
MAX_SCANNED_ELEMENTS = 1_000_000
_CELLS = ("table-cell", "covered-table-cell")


# Shapes drawn over a sheet that hold text (Insert > Text Box): LibreOffice's own, Excel's saved as .ods.
_SHAPES = {"custom-shape", "frame", "rect"}


def _scan_ods(path: Path, content: bytes) -> dict[str, SheetScan]:
    """Per table: extent counting repeated rows/cells that hold a value, and percentage cells.

    calamine knows the elements by their written names ("table:table-row"), not by namespace: the
    extent is counted on local names and any namespace, so that rebinding a prefix to another
    namespace hides no row or cell from the scan."""
    value_type = f"{{{_OFFICE_NS}}}value-type"
    calc_value_type = f"{{{_CALCEXT_NS}}}value-type"
    table_attribute = f"{{{_TABLE_NS}}}"
    visibility = f"{{{_TABLE_NS}}}visibility"
    scans: dict[str, SheetScan] = {}
    page_styles: dict[str, str] = {}  # a table style -> its page style
    try:
        events = SafeET.iterparse(io.BytesIO(content), events=("start", "end"))
        scan, row, col, row_repeat, column_count = None, 0, 0, 1, 0
        open_elements: list = []  # from the root to the element being read
        in_cell = 0  # inside a cell: its content is read when it ends
        in_shape = 0  # inside a text box or shape drawn over the sheet: its paragraphs are kept until it ends
        paragraphs: list[str] = []
        box_chars = 0
        for count, (event, element) in enumerate(events):
            if count >= 2 * MAX_SCANNED_ELEMENTS:  # two events an element
                raise corrupt(path)
            tag = _local(element.tag)
            if event == "start":
                open_elements.append(element)
                in_cell += tag in _CELLS
                in_shape += tag in _SHAPES
            elif tag == "p" and in_shape and box_chars < MAX_TEXT_BOX_CHARS:
                paragraphs.append("".join(element.itertext())[:MAX_TEXT_BOX_CHARS])
                box_chars += len(paragraphs[-1]) + 1
            elif tag in _SHAPES:
                in_shape -= 1
                if not in_shape and scan is not None and len(scan.text_boxes) < MAX_TEXT_BOXES:
                    if box := page_lines(paragraphs):
                        scan.text_boxes.append(box[:MAX_TEXT_BOX_CHARS])
                if not in_shape:
                    paragraphs, box_chars = [], 0
            if event == "start" and tag == "table":
                name = next((value for key, value in element.attrib.items() if _local(key) == "name"), "")
                scan = scans.setdefault(element.get(f"{{{_TABLE_NS}}}name", name), SheetScan())
                row = column_count = 0
                # the page style, by way of the table's style: named until the styles part is read
                scan.page_header = page_styles.get(element.get(f"{{{_TABLE_NS}}}style-name", ""), "")
            elif event == "end" and tag == "style" and element.get(f"{{{_STYLE_NS}}}family") == "table":
                page_styles[element.get(f"{{{_STYLE_NS}}}name", "")] = element.get(f"{{{_STYLE_NS}}}master-page-name", "")
            elif event == "start" and tag == "table-row" and scan is not None:
                row_repeat = _count(element, "number-rows-repeated")
                col = 0
                if element.get(visibility, "visible") != "visible" and row < MAX_GRID_ROWS:
                    scan.hidden_rows.update(range(row, min(row + row_repeat, MAX_GRID_ROWS)))
            elif event == "start" and tag == "table-column" and scan is not None:
                repeat = _count(element, "number-columns-repeated")
                if element.get(visibility, "visible") != "visible" and column_count < MAX_GRID_COLS:
                    scan.hidden_cols.update(range(column_count, min(column_count + repeat, MAX_GRID_COLS)))
                column_count += repeat
            elif event == "end" and tag in _CELLS and scan is not None:
                repeat = _count(element, "number-columns-repeated")
                kind = element.get(value_type)
                span_rows = _count(element, "number-rows-spanned")
                span_cols = _count(element, "number-columns-spanned")
                if (span_rows > 1 or span_cols > 1) and row < MAX_GRID_ROWS and col < MAX_GRID_COLS:
                    scan.merged.append((row, col, row + span_rows - 1, col + span_cols - 1))
                # calamine takes a cell with any office: value (office:value, office:string-value ...
                # even without a value type) or content; a formula alone is counted too, to be safe,
                # and so is any attribute outside the table namespace (a prefix bound elsewhere).
                if kind is not None or len(element) or any(not name.startswith(table_attribute) or _local(name) == "formula"
                                                           for name in element.attrib):
                    scan.rows = max(scan.rows, row + row_repeat)
                    scan.cols = max(scan.cols, col + repeat)
                    scan.cells = scan.rows * scan.cols
                    if kind == "percentage" and row < MAX_GRID_ROWS:
                        scan.percent_cells.update((row, c) for c in range(col, min(col + repeat, MAX_GRID_COLS)))
                    if element.get(calc_value_type) == "error" and row < MAX_GRID_ROWS:
                        shown = "".join(element.itertext()).strip()[:16] or "#VALUE!"
                        scan.errors.update(((row, c), shown) for c in range(col, min(col + repeat, MAX_GRID_COLS)))
                col += repeat
            elif event == "end" and tag == "table-row" and scan is not None:
                row += row_repeat
            if event == "end":
                open_elements.pop()
                in_cell -= tag in _CELLS
                # read: let go (its parent keeps no child); a shape's paragraph once its text is taken
                if not in_cell and (not in_shape or tag == "p") and open_elements:
                    element.clear()
                    open_elements[-1].remove(element)
    except ReadError:
        raise
    except Exception:
        raise corrupt(path) from None
    return scans



# Header and footer text kept per page style: what a period is written in, not a document.
_PAGE_HEADER_CHARS = 1000
_HEADERS = ("header", "footer")
_FIELDS = {"page-number", "page-count", "date", "time", "sheet-name", "file-name", "title"}


def _with_page_headers(path: Path, scans: dict[str, SheetScan], styles: bytes) -> None:
    """Each sheet's printed header and footer (Format > Page Style > Header), from its page style in
    styles.xml, in the place of the page style's name the scan of content.xml left."""
    wanted = {scan.page_header for scan in scans.values()} - {""}
    texts: dict[str, str] = {}
    if wanted and styles:
        try:
            page = None
            open_elements: list = []  # from the root to the element being read
            in_header = 0  # inside a header or footer: its text is read when it ends
            for count, (event, element) in enumerate(SafeET.iterparse(io.BytesIO(styles), events=("start", "end"))):
                if count >= 2 * MAX_SCANNED_ELEMENTS:
                    break  # read for the period alone: what follows is not needed
                tag = _local(element.tag)
                if event == "start":
                    open_elements.append(element)
                    in_header += tag in _HEADERS
                    if tag == "master-page":
                        page = element.get(f"{{{_STYLE_NS}}}name", "")
                    continue
                open_elements.pop()
                in_header -= tag in _HEADERS
                if tag in _HEADERS and page in wanted:
                    for field_element in element.iter():  # the page number, date, sheet name … a field shows
                        if _local(field_element.tag) in _FIELDS:
                            field_element.text = ""
                    lines = ("".join(line.itertext())[:_PAGE_HEADER_CHARS] for line in element.iter()
                             if _local(line.tag) == "p")  # a line for each region: left, centre, right
                    texts[page] = page_lines([texts.get(page, ""), *lines])[:_PAGE_HEADER_CHARS]
                elif tag == "master-page":
                    page = None
                if not in_header and open_elements:  # read: let go (its parent keeps no child)
                    element.clear()
                    open_elements[-1].remove(element)
        except Exception:
            raise corrupt(path) from None
    for scan in scans.values():
        scan.page_header = texts.get(scan.page_header, "")
