"""An .xlsx/.xlsm package (parts already inflated and bounded by safezip) as grids.

Before calamine sees a sheet, its extent is measured from its cell references: a sheet with more
than MAX_GRID_ROWS rows is cut to its first MAX_GRID_ROWS rows and MAX_GRID_COLS columns (and
said so in Workbook.notes). The same scan finds the percent-formatted cells (styles.xml's cellXfs
with numFmtId 9/10 or a custom code with '%'), the error cells (t="e") and the hidden rows and
columns; the workbook part gives the sheet order, hidden sheets and defined names.

Over 500 lines on purpose: the pre-scan must read a package the way calamine will, so the member
names, the sheet scan and the grid built from calamine's cells stay in one place to be read together.
"""

from __future__ import annotations

import io
import re
from html import unescape
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Callable

import defusedxml.ElementTree as SafeET

from ..cells import column_index
from ..findings import format_value
from ..grid import (MAX_BOOK_CELLS, MAX_GRID_COLS, MAX_GRID_ROWS, MAX_SHEET_CELLS, MAX_SHEETS, Grid, ReadError, Workbook,
                    page_header_text, page_lines)
from .calamine import (MAX_TEXT_BOX_CHARS, MAX_TEXT_BOXES, PERCENT_BUILTIN_FORMATS, SheetScan, calamine_sheet,
                       grid_from_calamine, open_calamine, shows_percent)
from .messages import corrupt
from .safezip import Parts, repack



# A sheet read before the others, and the test on its grid that makes the others unnecessary.
FirstSheet = tuple[str, Callable[[Grid], bool]]


def load_xlsx(path: Path, data: bytes, parts: Parts, first: FirstSheet | None = None,
              along: tuple[str, ...] = ()) -> Workbook:
    workbook_body, rels_body = parts["xl/workbook.xml"], parts.get("xl/_rels/workbook.xml.rels") or b""
    if len(workbook_body) + len(rels_body) <= _CACHED_PART_BYTES:
        layout = _workbook_layout(workbook_body, rels_body)
    else:
        layout = _workbook_layout.__wrapped__(workbook_body, rels_body)
    if layout is None:
        raise corrupt(path)
    if len(layout[0]) > MAX_SHEETS:  # each read costs, also when they all list one part
        raise ReadError("too-many-sheets", file=path.name, count=format_value(len(layout[0])), max=MAX_SHEETS)
    data = _as_calamine_finds_them(parts, data, layout[2])
    sheets = [(name, part, hidden) for name, part, hidden in layout[0] if part in parts]
    defined = dict(layout[1])
    percent_styles = _xlsx_percent_styles(path, parts.get("xl/styles.xml"))
    book = None
    read_first: dict[str, Grid] = {}
    if first is not None:
        name, enough = first
        entry = next((sheet for sheet in sheets if sheet[0] == name), None)
        scan = _first_sheet_scan(parts[entry[1]], percent_styles) if entry else None
        if scan is not None and entry is not None:
            _check_shared_strings(path, parts)
            book = open_calamine(path, data)
            grid = grid_from_calamine(name, calamine_sheet(path, book, name), scan, hidden=entry[2])
            if enough(grid):
                return _with_sheet_texts(Workbook(
                    str(path), [grid, *_small_sheets(path, book, parts, sheets, along, percent_styles)], defined),
                    parts, sheets)
            read_first[name] = grid  # read once: kept in its place among the others
    notes: list[str] = []
    scans: dict[str, SheetScan] = {}
    replaced: dict[str, bytes] = {}
    too_large: set[str] = set()
    _check_shared_strings(path, parts)
    named: dict[str, list[str]] = {}
    for name, part, _hidden in sheets:
        if name not in read_first:
            named.setdefault(Parts.key(part), []).append(name)
    # Every part with sheet data, also one the workbook does not name as we read it: calamine may
    # resolve a sheet to another part than we do, and it must find that part bounded too.
    for part, body in parts.items():
        if b"sheetData" not in body:
            continue
        scan = _scan_small_sheet(body, percent_styles)
        if scan is None:
            cut = _row_cut(body)
            scan = _scan_sheet_xml(body if cut is None else body[:cut], percent_styles)
        else:
            cut = None
        scans.update((name, scan) for name in named.get(part, ()))
        if cut is not None or scan.rows > MAX_GRID_ROWS or scan.cols > MAX_GRID_COLS:
            replaced[part] = _trim_sheet_xml(body, cut)
            if _scan_sheet_xml(replaced[part], set()).cells > MAX_SHEET_CELLS:
                too_large.add(part)  # rows and cells placed by counting, which the cut cannot drop
                notes.extend(f"Trang tính «{name}» quá lớn, không đọc" for name in named.get(part, ()))
            else:
                notes.extend(_cut_note(name, max(_last_row(body), scan.rows), scan.cols) for name in named.get(part, ()))
    if replaced:
        book = open_calamine(path, repack(parts, replaced))
    elif book is None:
        book = open_calamine(path, data)
    grids = []
    budget = MAX_BOOK_CELLS - sum(len(row) for grid in read_first.values() for row in grid.rows)
    unread: list[str] = []
    for name, part, hidden in sheets:
        if name in read_first:
            grids.append(read_first[name])
            continue
        if name not in scans:
            continue
        if Parts.key(part) in too_large:
            continue
        if budget <= 0:
            unread.append(name)
            continue
        sheet = calamine_sheet(path, book, name)
        grids.append(grid_from_calamine(name, sheet, scans[name], hidden=hidden))
        budget -= sum(len(row) for row in grids[-1].rows)  # as read: a small sheet's scan gives only its bounds
    if unread:
        notes.append(_unread_note(unread))
    return _with_sheet_texts(Workbook(str(path), grids, defined, notes), parts, sheets)


_HEADER_FOOTER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:odd|even|first)(?:Header|Footer)>([^<]{1,1000})<")


def _with_sheet_texts(workbook: Workbook, parts: Parts, sheets: list[tuple[str, str, bool]]) -> Workbook:
    """Each sheet's page header and footer text (Page Setup), its codes left out, and its text boxes'."""
    part_of = {name: part for name, part, _ in sheets}
    for grid in workbook.grids:
        part = part_of.get(grid.name, "")
        body = parts.get(part) or b""
        if b"Header>" in body or b"Footer>" in body:
            grid.page_header = page_header_text(unescape(text.decode("utf-8", "replace"))
                                                for text in _HEADER_FOOTER.findall(body))
        if b"drawing" in body:
            grid.text_boxes = _text_boxes(parts, part)
    return workbook


_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]{0,2000})>")
_DRAWING_TYPE = re.compile(rb"""\bType\s*=\s*["'][^"']*/drawing["']""")
_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']{1,1000})["']""")
# A drawing's shapes (xdr:sp), their paragraphs (a:p) and the runs of text in them (a:t).
_SHAPE_PIECE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?t(?:\s[^>]{0,200})?>([^<]{0,10000})<|</(?:[A-Za-z_][\w.-]*:)?(p|sp)>")
_MAX_DRAWING_BYTES = 2_000_000  # a drawing's own XML; its pictures and charts are parts of their own


def _text_boxes(parts: Parts, sheet_part: str) -> tuple[str, ...]:
    """The texts of the shapes drawn over a sheet (its relationships to drawing parts), each its
    paragraphs one a line; bounded in number, length and bytes looked at, as a hostile drawing may
    hold millions."""
    folder, _, name = sheet_part.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{name}.rels") or b""
    boxes: list[str] = []
    for attributes in _RELATIONSHIP.findall(rels)[:MAX_TEXT_BOXES]:
        target = _TARGET.search(attributes)
        if not _DRAWING_TYPE.search(attributes) or target is None:
            continue
        drawing = parts.get(_part_named(target.group(1).decode("utf-8", "replace"), folder)) or b""
        paragraphs: list[str] = []
        paragraph = ""
        for match in _SHAPE_PIECE.finditer(drawing, 0, _MAX_DRAWING_BYTES):
            text, end = match.groups()
            if end is None:
                paragraph = (paragraph + unescape(text.decode("utf-8", "replace")))[:MAX_TEXT_BOX_CHARS]
            elif end == b"p":
                if sum(map(len, paragraphs)) < MAX_TEXT_BOX_CHARS:
                    paragraphs.append(paragraph)
                paragraph = ""
            else:
                if box := page_lines(paragraphs):
                    boxes.append(box[:MAX_TEXT_BOX_CHARS])
                paragraphs = []
                if len(boxes) >= MAX_TEXT_BOXES:
                    break
    return tuple(boxes)


def _first_sheet_scan(body: bytes, percent_styles: frozenset[int]) -> SheetScan | None:
    """The scan of the sheet read before the others, as the others' loop below would make it, or None
    when that sheet must be cut (it is then read with the others). A small sheet takes the quick
    scan; any other the full one: a roll-up's state sheet has a few hundred cells, but megabytes of
    text in which a " =" (a check's message) rules out the quick scans' spelling test."""
    scan = _scan_small_sheet(body, percent_styles)
    if scan is None:
        if _row_cut(body) is not None:
            return None
        scan = _scan_sheet_xml(body, percent_styles)
        if scan.rows > MAX_GRID_ROWS or scan.cols > MAX_GRID_COLS:
            return None
    return scan


def _small_sheets(path: Path, book, parts: Parts, sheets: list[tuple[str, str, bool]], names: tuple[str, ...],
                  percent_styles: frozenset[int]) -> list[Grid]:
    """The sheets of `names` read along with the first one, those within the grid's limits (a larger
    one is left out, not cut)."""
    grids = []
    for name, part, hidden in sheets:
        scan = _first_sheet_scan(parts[part], percent_styles) if name in names else None
        if scan is not None:
            grids.append(grid_from_calamine(name, calamine_sheet(path, book, name), scan, hidden=hidden))
    return grids


# Files filled from one template share their workbook, relationships and styles parts: each is
# parsed once per process; larger parts are not kept (bounded memory).
_CACHED_PART_BYTES = 64 * 1024


@lru_cache(maxsize=32)
def _workbook_layout(workbook_body: bytes, rels_body: bytes):
    """((sheet name, part path, hidden) of the worksheets in workbook order, (name, reference) of
    the workbook-level defined names, (name calamine looks for, part path) where the two differ),
    or None when a part is not well-formed XML or lists more than the bounds allow. Elements are
    known by their local names, as calamine knows them: Excel's "Strict Open XML" format writes
    other namespaces than the usual (transitional) one."""
    try:
        targets, aliases = {}, []
        for rel in _elements(rels_body, {"Relationship"}, MAX_LISTED) if rels_body else ():
            if rel.get("TargetMode") == "External":
                continue
            target, kind = rel.get("Target", ""), rel.get("Type", "").rpartition("/")[2]
            part = _part_named(target)
            looked_for = _CALAMINE_FIXED_PARTS.get(kind) or (target[1:] if target.startswith("/") else "xl/" + target)
            if kind == "worksheet" or "worksheets/" in part:
                targets[rel.get("Id")] = part
            elif kind not in _CALAMINE_FIXED_PARTS:
                continue
            if Parts.key(looked_for) != Parts.key(part):
                aliases.append((looked_for, part))
        sheets, defined = [], []
        for element in _elements(workbook_body, {"sheet", "definedName"}, MAX_LISTED):
            if _local(element.tag) == "sheet":
                sheet_part = targets.get(_relationship_id(element))
                if sheet_part:
                    sheets.append((element.get("name", ""), sheet_part, element.get("state", "visible") != "visible"))
            elif element.get("localSheetId") is None and element.get("name") and element.text:
                defined.append((element.get("name"), element.text.strip()))
    except Exception:
        return None
    return tuple(sheets), tuple(defined), tuple(aliases)


# Parts calamine reads from these names, whatever the relationships say.
_CALAMINE_FIXED_PARTS = {"sharedStrings": "xl/sharedStrings.xml", "styles": "xl/styles.xml"}


def _as_calamine_finds_them(parts: Parts, data: bytes, aliases: tuple[tuple[str, str], ...]) -> bytes:
    """The package (`data`, or a copy made from `parts`) holding each part the relationships name also
    under the name calamine looks for: Excel resolves a target such as "../sheets/a.xml", "./a.xml"
    or "sheet%201.xml" and follows the relationship to the shared strings and styles, calamine reads
    "xl/" + the target as written and the shared strings and styles from fixed names. The parts added
    are in `parts`, so the scans see every part calamine may read."""
    added = False
    for looked_for, part in aliases:
        if part in parts and parts.get(looked_for) is not parts[part]:
            parts[looked_for] = parts[part]
            added = True
    return repack(parts) if added else data


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace ("{…/main}sheet" is "sheet")."""
    return name.rpartition("}")[2]


def _relationship_id(element) -> str | None:
    """The sheet's r:id, in whichever namespace the file binds to its prefix (transitional or strict)."""
    return next((value for name, value in element.attrib.items() if name.startswith("{") and _local(name) == "id"),
                None)


# Parts we parse ourselves are read as a stream, element by element, and refused when they list
# more than this (sheets, defined names, relationships, number formats, cell formats): Excel
# allows 64,000 cell formats; a Phụ lục workbook has a few sheets and a few hundred names.
MAX_LISTED = 65_536


class _TooMany(ValueError):
    pass


def _elements(body: bytes, tags: set[str], limit: int):
    """The elements with these local names, each complete when given, then cleared (bounded memory);
    _TooMany past `limit` of them, ParseError for XML that is not well-formed."""
    count = 0
    for _event, element in SafeET.iterparse(io.BytesIO(body), events=("end",)):
        if _local(element.tag) in tags:
            count += 1
            if count > limit:
                raise _TooMany(element.tag)
            yield element
            element.clear()


def _part_named(target: str, folder: str = "xl") -> str:
    """The part a relationship's target names, resolved as a URI from the folder of the part holding the
    relationship (the workbook's, xl): "%20" decoded, "." and ".." resolved."""
    target = _PERCENT_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), target.encode()).decode("utf-8", "replace")
    return _normalise_part(target.lstrip("/") if target.startswith("/") else f"{folder}/{target}")


_PERCENT_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")


def _normalise_part(part: str) -> str:
    pieces: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if pieces:
                pieces.pop()
        elif piece not in ("", "."):
            pieces.append(piece)
    return "/".join(pieces)


def _xlsx_percent_styles(path: Path, styles_body: bytes | None) -> frozenset[int]:
    """Indexes into cellXfs whose number format shows a percent."""
    if not styles_body:
        return frozenset()
    if len(styles_body) <= _CACHED_PART_BYTES:
        found = _percent_styles(styles_body)
    else:
        found = _percent_styles.__wrapped__(styles_body)
    if found is None:
        raise corrupt(path)
    return found


@lru_cache(maxsize=32)
def _percent_styles(styles_body: bytes) -> frozenset[int] | None:
    """The percent styles of a styles part, or None when it is not well-formed XML or lists more
    formats than MAX_LISTED."""
    custom: dict[int, str] = {}
    percent: set[int] = set()
    index = 0
    try:
        for element in _elements(styles_body, {"numFmt", "xf", "cellXfs", "cellStyleXfs"}, MAX_LISTED):
            tag = _local(element.tag)
            if tag == "numFmt":
                try:
                    custom[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
                except ValueError:
                    continue
            elif tag == "cellStyleXfs":  # the xf elements so far were cell styles', not cells'
                percent, index = set(), 0
            elif tag == "cellXfs":  # the xf elements since were the cells' formats
                return frozenset(percent)
            else:
                xf_index, index = index, index + 1
                try:
                    fmt_id = int(element.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fmt_id in PERCENT_BUILTIN_FORMATS or shows_percent(custom.get(fmt_id, "")):
                    percent.add(xf_index)
    except Exception:
        return None
    return frozenset()


def worksheet_parts(workbook_body: bytes, rels_body: bytes) -> dict[str, str]:
    """Sheet name -> its part in the package ('xl/worksheets/sheet2.xml'), in workbook order."""
    layout = _workbook_layout.__wrapped__(workbook_body, rels_body)
    if layout is None:
        raise ValueError("xl/workbook.xml hoặc quan hệ của nó không phải XML hợp lệ")
    return {name: part for name, part, _hidden in layout[0]}



# XML allows more spellings than Excel writes: a namespace prefix, either quote, white space around
# "=", a ">" inside a quoted value, an attribute given twice (calamine uses the last). The tag-by-tag
# scan reads them all; the quick scans below run only on sheets written the plain way (_plain_spelling).
# A quote left open or a ">" missing takes the tag to the end of the part (calamine refuses such a
# part): a tag that could fail only after scanning far would make the scan quadratic in the tags.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])((?:[^>\"']|\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z))*)(?:>|\Z)")
_ATTR_R = re.compile(rb'\sr="([A-Za-z]*)(\d*)"')
_ANY_ATTR_R = re.compile(rb"(?<![\w:.-])r\s*=\s*(?:\"([A-Za-z]*)(\d*)\"|'([A-Za-z]*)(\d*)')")
_ANY_ATTR_T = re.compile(rb"(?<![\w:.-])t\s*=")
# A row or column number past this is as far as any: int() is not asked to read 4,000 digits.
_FAR = 10 ** 12
_ATTR_S = re.compile(rb'\ss="(\d+)"')


def _scan_sheet_xml(body: bytes, percent_styles: frozenset[int] | set[int]) -> SheetScan:
    """Extent, percent-formatted cells, error cells, formulas saved without a result and hidden rows
    and columns of a sheet, from its tags alone."""
    body = _complete_tags(body)
    scan = _scan_explicit_cells(body, percent_styles)
    if scan is None:
        scan = _scan_tag_by_tag(body, percent_styles)
    else:
        scan = _with_formulas_without_value(_with_errors(scan, body), body)
    for match in _COLUMN_SPEC.finditer(body) if b"hidden" in body else ():
        attrs = match.group(1)
        first, last = _attribute(attrs, b"min"), _attribute(attrs, b"max")
        if _is_hidden(attrs) and first and last and first.isdigit() and last.isdigit():
            scan.hidden_cols.update(range(int(first[:12]) - 1, min(int(last[:12]), MAX_GRID_COLS)))
    return scan


def _with_errors(scan: SheetScan, body: bytes) -> SheetScan:
    """The scan with the sheet's error cells (#DIV/0!, #REF! ...), which calamine reads as blanks."""
    if b't="e"' in body:
        scan.errors = _xlsx_error_cells(body)
    return scan


# Cell tags as Excel, LibreOffice and XlsxWriter write them: no namespace prefix, the position
# first ("<c r="D12" s="3" t="s">"). The attributes after it are few distinct strings per sheet.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>')
# Other tags the tag-by-tag scan takes for cells: "<c>", "<c/>", "<c\t", "<c-x" (and "<x:c", found by ":c").
_OTHER_CELL_TAG = re.compile(rb"<c(?![A-Za-z0-9_ ])")
_HIDDEN_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
# The attributes of an empty cell tag after its position, whole (a "/>" inside a value is not its end).
_EMPTY_CELL_REST = re.compile(rb'(?:\s[\w:.-]+="[^"<>]*")*\s*/')


# A Phụ lục sheet as offices write it: every cell tag plain, none past column AZ or row 999. Such
# a sheet is inside the grid's limits by construction, so its extent need not be found cell by cell.
_OUTSIDE_SMALL_SHEET = re.compile(rb'<c (?!r="A?[A-Z]\d{1,3}")')  # a cell tag of any other form
_SMALL_SHEET_ROWS = 999
_SMALL_SHEET_COLS = 52


def _scan_small_sheet(body: bytes, percent_styles: frozenset[int] | set[int]) -> SheetScan | None:
    """The scan of a sheet known to be small (no _OUTSIDE_SMALL_SHEET tag), with `rows` and `cols` the
    bounds of that case rather than the last used ones; None for any other sheet, which takes the
    full scan. About twice as fast as listing every cell with its attributes."""
    body = _complete_tags(body)
    if (b'hidden="' in body or b":c" in body or _OTHER_CELL_TAG.search(body)
            or _OUTSIDE_SMALL_SHEET.search(body) or not _plain_spelling(body)):
        return None
    scan = SheetScan(rows=_SMALL_SHEET_ROWS, cols=_SMALL_SHEET_COLS,
                      cells=_SMALL_SHEET_ROWS * _SMALL_SHEET_COLS)
    if percent_styles:
        scan.percent_cells = {(int(number) - 1, column_index(letters.decode()))
                              for letters, number, rest in _percent_cell_pattern(frozenset(percent_styles)).findall(body)
                              if not rest.endswith(b"/") or b' t="' in rest}
    return _with_formulas_without_value(_with_errors(scan, body), body)


@lru_cache(maxsize=32)
def _percent_cell_pattern(percent_styles: frozenset[int]) -> re.Pattern:
    """Plain cell tags whose first style attribute is one of `percent_styles` ("s="03"" is 3)."""
    styles = b"|".join(str(style).encode() for style in sorted(percent_styles))
    return re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"((?:\s(?!s=)[\w:.-]+="[^"]*")*\ss="0*(?:' + styles
                      + rb')"[^>]*)>')


def _scan_explicit_cells(body: bytes, percent_styles: frozenset[int] | set[int]) -> SheetScan | None:
    """What _scan_tag_by_tag finds, with the per-cell work done by the regular-expression engine
    and on the few distinct attribute strings, for a sheet whose every cell tag is a _PLAIN_CELL
    (positions spelled out, so no counting is needed); None for any other sheet."""
    tags = body.count(b"<c ")
    if tags > MAX_SHEET_CELLS or b":c" in body or _OTHER_CELL_TAG.search(body) or not _plain_spelling(body):
        return None  # a sheet too large to list its cells at once, or with other cell tags or spellings
    refs = _PLAIN_CELL.findall(body)
    if len(refs) != tags:
        return None
    scan = SheetScan()
    if b'hidden="' in body:
        for match in _HIDDEN_ROW.finditer(body):
            if _is_hidden(match.group(1)):
                ref = _ATTR_R.search(match.group(1))
                if not (ref and ref.group(2)):
                    return None  # a hidden row numbered by position
                if int(ref.group(2)) <= MAX_GRID_ROWS:
                    scan.hidden_rows.add(int(ref.group(2)) - 1)
    if not refs:
        return scan
    letters, digits, rests = zip(*refs)
    kinds = set(rests)
    # Empty styled cells ("/>" without a type): calamine leaves them out of the range.
    counted = {rest for rest in kinds if not _EMPTY_CELL_REST.fullmatch(rest) or b' t="' in rest}
    if counted != kinds:
        kept = list(compress(refs, map(counted.__contains__, rests)))
        letters, digits, rests = zip(*kept) if kept else ((), (), ())
    if rests:
        rows = [int(number) for number in set(digits)]
        cols = [column_index(text.decode()) for text in set(letters)]
        scan.rows, scan.cols = max(rows), max(cols) + 1
        scan.cells = (scan.rows - min(rows) + 1) * (scan.cols - min(cols))
    percent = {rest for rest in counted if _style_of(rest) in percent_styles}
    if percent:
        scan.percent_cells = {(int(number) - 1, column_index(text.decode()))
                              for text, number in compress(zip(letters, digits), map(percent.__contains__, rests))
                              if int(number) <= MAX_GRID_ROWS}
    return scan


def _style_of(attrs: bytes) -> int | None:
    style = _ATTR_S.search(attrs)
    return int(style.group(1)) if style else None


def _scan_tag_by_tag(body: bytes, percent_styles: frozenset[int] | set[int]) -> SheetScan:
    """What the quick scans find, in any spelling: the extent of the cells (a tag naming its position
    twice counts at both places, and a cell placed by counting after it at either: the extent found
    holds what calamine builds), percent-formatted and error cells, formulas saved without a result
    and hidden rows, each cell placed by its position or, without one, by counting."""
    scan = SheetScan()
    formulas = _FORMULA_TAG.search(body) is not None
    # (lowest, highest) number the last row tag may stand for, and column the last cell tag may
    # stand for: a cell without a position is in its row tag's row, after the cell before it.
    row_tag, cols = (0, 0), (-1, -1)
    min_row, min_col, max_row, max_col = None, None, 0, 0
    for match in _TAG.finditer(body):
        tag, attrs = match.group(1), match.group(2)
        refs = _positions(attrs)
        numbers = [_number(digits) for _letters, digits in refs if digits]
        # Attributes that are not well-formed (x:note=''' r="A1") can hide the position from
        # calamine, which then places the tag by counting: such a tag counts at both places.
        counted_too = not _WELL_FORMED_ATTRIBUTES.fullmatch(attrs)
        if tag == b"row":
            counted_row = (row_tag[0] + 1, row_tag[1] + 1)
            row_tag = (min(numbers), max(numbers)) if numbers else counted_row
            if numbers and counted_too:
                row_tag = (min(row_tag[0], counted_row[0]), max(row_tag[1], counted_row[1]))
            cols = (-1, -1)
            if _is_hidden(attrs) and row_tag[0] == row_tag[1] <= MAX_GRID_ROWS:
                scan.hidden_rows.add(row_tag[0] - 1)
            continue
        columns = [_column(letters) for letters, _digits in refs if letters]
        counted_cols = (cols[0] + 1, cols[1] + 1)
        cols = (min(columns), max(columns)) if columns else counted_cols
        rows = (min(numbers), max(numbers)) if numbers else row_tag
        if counted_too:
            cols = (min(cols[0], counted_cols[0]), max(cols[1], counted_cols[1]))
            rows = (min(rows[0], row_tag[0]), max(rows[1], row_tag[1]))
        if attrs.endswith(b"/") and not _ANY_ATTR_T.search(attrs):
            continue  # an empty styled cell: calamine leaves it out of the range
        max_row, max_col = max(max_row, rows[1]), max(max_col, cols[1] + 1)
        min_row = rows[0] if min_row is None else min(min_row, rows[0])
        min_col = cols[0] if min_col is None else min(min_col, cols[0])
        if rows[0] != rows[1] or rows[0] > MAX_GRID_ROWS or cols[0] != cols[1]:
            continue
        place = (rows[0] - 1, cols[0])
        style = _attribute(attrs, b"s") if percent_styles else None
        if style and style.isdigit() and int(style[:12]) in percent_styles:
            scan.percent_cells.add(place)
        kind = _attribute(attrs, b"t")
        if (kind == b"e" or formulas) and not attrs.endswith(b"/"):
            end = _CELL_END.search(body, match.end())
            inside = body[match.end():end.start() if end else len(body)]  # up to </c> or the next tag
            value = _CACHED_VALUE.search(inside)
            if kind == b"e" and value:
                scan.errors[place] = value.group(1).decode("ascii", "replace")
            elif (formulas and len(scan.without_value) < _MAX_FORMULA_CELLS and _FORMULA_TAG.search(inside)
                  and not _VALUE_TEXT.search(inside)):
                formula = _FORMULA_TEXT.search(inside)
                scan.without_value[place] = formula.group(1).decode("utf-8", "replace") if formula else "…"
    if min_row is not None and min_col is not None:
        scan.rows, scan.cols = max_row, max_col
        scan.cells = (max_row - min_row + 1) * (max_col - min_col)
    return scan


# A tag's attributes as XML allows them: each value quoted, white space before each name; then its "/".
_WELL_FORMED_ATTRIBUTES = re.compile(rb"""(?:\s+[^\s=/"'<>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/?""")


def _positions(attrs: bytes) -> list[tuple[bytes, bytes]]:
    """(column letters, row digits) of every r attribute of a tag, either possibly empty."""
    return [(found.group(1) or found.group(3) or b"", found.group(2) or found.group(4) or b"")
            for found in _ANY_ATTR_R.finditer(attrs)]


def _attribute(attrs: bytes, name: bytes) -> bytes | None:
    """The value of the attribute `name` among a tag's attributes in any spelling (either quote,
    white space around "="); of two (XML that is not well-formed), the first, as the quick scans."""
    found = _attribute_pattern(name).search(attrs)
    return None if found is None else found.group(1) if found.group(1) is not None else found.group(2)


@lru_cache(maxsize=8)
def _attribute_pattern(name: bytes) -> re.Pattern:
    return re.compile(rb"(?<![\w:.-])" + name + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _is_hidden(attrs: bytes) -> bool:
    return _attribute(attrs, b"hidden") in (b"1", b"true")


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else _FAR


def _column(letters: bytes) -> int:
    """Column letters in either case, as calamine reads them ("xfd" is XFD)."""
    return column_index(letters.decode().upper()) if len(letters) <= 8 else _FAR


def _complete_tags(body: bytes) -> bytes:
    """The part up to its last ">": what follows holds no complete tag (calamine stops there with an
    error), and a pattern looking for a tag's ">" from each of thousands of tags left open there would
    read it again for every one."""
    end = body.rfind(b">") + 1
    return body if not body[end:].strip() else body[:end]


def _plain_spelling(body: bytes) -> bool:
    """Every position in the sheet data is the first attribute of a plain row or cell tag, spelled
    r="..." (no other quote, no space around "=", not given twice), and no attribute in single
    quotes: what the quick scans read."""
    start, end = body.find(b"sheetData"), body.rfind(b"sheetData")
    data = body[start:end] if start >= 0 else body
    if b" =" in data or b"\t=" in data or b"\n=" in data or b"\r=" in data or b"='" in data:
        return False
    return data.count(b"r=") == data.count(b'<c r="') + data.count(b'<row r="')


_COLUMN_SPEC = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>")


# An error cell and what follows it up to the next cell tag (its closing tag, or a cell that never closes).
_ERROR_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b(?=[^>]*\st="e")[^>]*?\sr="([A-Z]+)(\d+)"[^>]*>'
                         rb'((?:(?!</?(?:[A-Za-z_][\w.-]*:)?c\b).)*)', re.S)
_CACHED_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]{1,16})</")
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c\s*>|<(?:[A-Za-z_][\w.-]*:)?(?:row|c)[\s/>]")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


# A formula cell: its position, then what it holds ("<f>D12/D11*100</f><v></v>").
_FORMULA_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr="([A-Z]+)(\d+)"[^>]*>((?:(?!</?(?:[A-Za-z_][\w.-]*:)?c\b).)*?'
                           rb'<(?:[A-Za-z_][\w.-]*:)?f\b(?:(?!</?(?:[A-Za-z_][\w.-]*:)?c\b).)*?)</(?:[A-Za-z_][\w.-]*:)?c>', re.S)
_FORMULA_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*>([^<]{1,200})</")
_VALUE_TEXT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)\b[^>]*>\s*[^<\s]")
_MAX_FORMULA_CELLS = 10_000


def _with_formulas_without_value(scan: SheetScan, body: bytes) -> SheetScan:
    """The scan with the formula cells saved without their result (a file written by a program that
    does not compute: openpyxl, scripts), which calamine reads as blanks. Excel and LibreOffice store
    every result: a sheet is searched only when it holds more formulas than stored values or an
    empty value tag."""
    formulas = body.count(b"</f>") + body.count(b"<f ") + body.count(b"<f>")
    if not formulas or (formulas <= body.count(b"</v>") and b"<v/>" not in body and b"<v />" not in body
                        and b"<v></v>" not in body):
        return scan
    for count, match in enumerate(_FORMULA_CELL.finditer(body)):
        row = int(match.group(2))
        if count >= _MAX_FORMULA_CELLS or row > MAX_GRID_ROWS:
            break
        inside = match.group(3)
        if not _VALUE_TEXT.search(inside):
            formula = _FORMULA_TEXT.search(inside)
            text = formula.group(1).decode("utf-8", "replace") if formula else "…"
            scan.without_value[(row - 1, column_index(match.group(1).decode()))] = text
    return scan


def _xlsx_error_cells(body: bytes) -> dict[tuple[int, int], str]:
    errors = {}
    for match in _ERROR_CELL.finditer(body):
        row = int(match.group(2))
        value = _CACHED_VALUE.search(match.group(3))
        if value and row <= MAX_GRID_ROWS:
            errors[(row - 1, column_index(match.group(1).decode()))] = value.group(1).decode("ascii", "replace")
    return errors


# Row and cell tags in any quote and case: a sheet cut drops every cell it can place past the limits,
# and what it cannot place is found by scanning the cut sheet again (load_xlsx).
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^<>]*\sr\s*=\s*[\"'](\d+)[\"']")


_NUMBER_R = re.compile(rb'r="(\d+)"')  # every row tag's number, among others
_QUICK_ROW_CUT_BYTES = 8 * 1024 * 1024  # the numbers of a larger sheet are not listed at once


def _row_cut(body: bytes) -> int | None:
    """Offset of the first row tag past MAX_GRID_ROWS, or None."""
    if len(body) <= _QUICK_ROW_CUT_BYTES:
        numbers = set(_NUMBER_R.findall(body))
        if max(map(len, numbers), default=0) < 10 and max(map(int, numbers), default=0) <= MAX_GRID_ROWS:
            return None
    for match in _ROW_START.finditer(body):
        if int(match.group(1)) > MAX_GRID_ROWS:
            return match.start()
    return None


def _last_row(body: bytes) -> int:
    start = body.rfind(b"<row ")
    match = _ROW_START.match(body, start) if start >= 0 else None
    return int(match.group(1)) if match else MAX_GRID_ROWS + 1


def _cut_note(name: str, rows: int, cols: int) -> str:
    """What was cut of a sheet: its rows past the grid, its columns, or both."""
    sizes, kept = [], []
    if rows > MAX_GRID_ROWS:
        sizes.append(f"{rows:,} dòng".replace(",", "."))
        kept.append(f"{MAX_GRID_ROWS:,} dòng đầu".replace(",", "."))
    if cols > MAX_GRID_COLS or not sizes:
        sizes.append(f"{cols:,} cột".replace(",", "."))
        kept.append(f"{MAX_GRID_COLS} cột đầu")
    return f"Trang tính «{name}» có {' và '.join(sizes)}; chỉ đọc {' và '.join(kept)}"


def _unread_note(names: list[str]) -> str:
    """The sheets left unread once the workbook's cells reached MAX_BOOK_CELLS, the first few named."""
    shown = ", ".join(f"«{name}»" for name in names[:5]) + (f" và {len(names) - 5} trang khác" if len(names) > 5 else "")
    return f"Trang tính {shown} không đọc: các trang trước đã có {format_value(MAX_BOOK_CELLS)} ô; nếu bảng Phụ lục ở đó, hãy chép nó sang một tệp mới"


def _trim_sheet_xml(body: bytes, cut: int | None) -> bytes:
    """The sheet cut after row MAX_GRID_ROWS and column MAX_GRID_COLS (parts after sheetData kept):
    a cell tag naming a position past them is dropped with its content (up to its closing tag, or
    the next row or cell tag when it has none), in one pass over the tags."""
    end = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>", body)
    if end is None:
        return body
    head, tail = body[: min(end.start(), cut if cut is not None else end.start())], body[end.start():]
    pieces, kept_from = [], 0
    for match in _TAG.finditer(head):
        if match.group(1) != b"c" or match.start() < kept_from or all(
                _column(letters) < MAX_GRID_COLS and _number(digits) <= MAX_GRID_ROWS
                for letters, digits in _positions(match.group(2)) if letters and digits):
            continue
        stop = match.end()
        if not match.group(2).endswith(b"/"):
            close = _CELL_END.search(head, stop)
            if close is not None and close.group(0).startswith(b"</"):
                stop = close.end()
        pieces.append(head[kept_from:match.start()])
        kept_from = stop
    pieces.append(head[kept_from:])
    return b"".join(pieces) + tail


def _check_shared_strings(path: Path, parts: Parts) -> None:
    """calamine reserves room for as many shared strings as a part declares (uniqueCount, any
    spelling) before reading one: a declared count past the strings the part holds is refused."""
    for body in parts.values():
        if b"niqueCount" not in body:
            continue
        declared = max((_number(value) for value in _UNIQUE_COUNT.findall(body)), default=0)
        if declared > _SHARED_STRINGS_SLACK and declared > len(_STRING_ITEM.findall(body)) + _SHARED_STRINGS_SLACK:
            raise corrupt(path)


# A declared count a little past the real one (some writers miscount) costs nothing.
_SHARED_STRINGS_SLACK = 1000
_UNIQUE_COUNT = re.compile(rb"uniqueCount\s*=\s*[\"']\+?(\d+)")
_STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
