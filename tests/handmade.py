"""Workbooks built the way a province's staff build them in Excel, not with the tool's template writer.

`write_form` lays out a Phụ lục table with the quirks real files have: the national header block
("ỦY BAN NHÂN DÂN ... CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") above the title, a two-level header
with "Kết quả" merged over "Đơn vị tính | Số liệu", "Trong đó" merged down the STT column, header
rows repeated at page breaks, a narrative sheet before the form, figures typed as text ("1.730",
"06") or as numbers, and percents stored as fractions with a % number format (`Pct`).
.xls and .ods files are the .xlsx converted by LibreOffice, as an office would save them.
"""

from __future__ import annotations

import csv
import io
import os
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lo import convert

FIXTURES = Path(__file__).parent / "fixtures"

DEFAULT_HEADER = ("STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")
DEFAULT_TITLE = (
    "PHỤ LỤC",
    "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
    "(Kèm theo Báo cáo số      /BC-UBND ngày 15/3/2024 của UBND xã Bình Yên)",
)
NATIONAL_LEFT = ("ỦY BAN NHÂN DÂN", "XÃ BÌNH YÊN")
NATIONAL_RIGHT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Pct:
    """A percent typed the Excel way: the fraction 0.5 in a cell formatted '0%' (shows 50%)."""

    fraction: float
    number_format: str = "0%"


Row = Sequence[Any]  # (stt, label, unit, value, note)


def seed_rows(name: str, *, as_numbers: bool = False) -> list[tuple[Any, ...]]:
    """Rows of tests/fixtures/<name>.tsv ('seed004' or '004') as (stt, label, unit, value, note).

    Figures stay text as printed ("1.730", "06"); `as_numbers` turns plain digit strings into
    ints, as Excel does when a person types 6 into a General cell ("06" becomes 6 too).
    """
    stem = name if name.startswith("seed") else f"seed{name}"
    lines = (FIXTURES / f"{stem}.tsv").read_text("utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    reader = csv.reader(body[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for cells in reader:
        stt, label, unit, value, note = (cells + [""] * 5)[:5]
        if as_numbers and value.isdigit():
            value = int(value)
        rows.append((stt, label, unit, value, note))
    return rows


def write_form(path: str | os.PathLike, rows: Iterable[Row], *,
               title_lines: Sequence[str] = DEFAULT_TITLE,
               header: Sequence[str] = DEFAULT_HEADER,
               two_level_header: bool = True,
               result_header: str = "Kết quả",
               sheet: str = "Sheet1",
               start_row: int = 1,
               start_col: int = 1,
               national_header: bool = True,
               national_lines: tuple[Sequence[str], Sequence[str]] = (NATIONAL_LEFT, NATIONAL_RIGHT),
               merge_trong_do: bool = True,
               repeat_header_every: int | None = None,
               sheet_before: str | None = None,
               properties_title: str | None = None,
               fmt: str = "xlsx") -> Path:
    """Write a province-style Phụ lục workbook and return its path (with the extension of `fmt`).

    rows: (stt, label, unit, value, note); value is written as given: str as text, int/float as a
    number, Pct as a fraction with a percent format, None as an empty cell. A row of five empty
    values is an empty row, as people leave them. properties_title: the document's title (File >
    Info > Title in Excel), where some offices write the period.
    """
    path = Path(path)
    if fmt not in ("xlsx", "xls", "ods"):
        raise ValueError(f"unknown format {fmt}")
    book = Workbook()
    first = book.active
    if sheet_before:
        first.title = sheet_before
        first["A1"] = "BÁO CÁO"
        first["A2"] = "Kết quả thực hiện công tác cải cách hành chính"
        form = book.create_sheet(sheet)
    else:
        first.title = sheet
        form = first
    _layout(form, list(rows), title_lines=title_lines, header=header, two_level=two_level_header,
            result_header=result_header, top=start_row, left=start_col,
            national=national_lines if national_header else None,
            merge_trong_do=merge_trong_do, repeat_every=repeat_header_every)
    if properties_title is not None:
        book.properties.title = properties_title
    if fmt == "xlsx":
        target = path.with_suffix(".xlsx")
        book.save(target)
        return target
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / (path.stem + ".xlsx")
        book.save(source)
        return convert(source, fmt, path.parent)


def _layout(ws, rows: list[Row], *, title_lines, header, two_level, result_header, top, left,
            national, merge_trong_do, repeat_every) -> None:
    width = 5
    r = top
    if national:
        left_lines, right_lines = national
        for a, b in zip(left_lines, right_lines):
            ws.cell(r, left, a).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=left, end_row=r, end_column=left + 1)
            ws.cell(r, left + 2, b).font = Font(bold=True)
            ws.merge_cells(start_row=r, start_column=left + 2, end_row=r, end_column=left + 4)
            r += 1
        r += 1
    for line in title_lines:
        cell = ws.cell(r, left, line)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=r, start_column=left, end_row=r, end_column=left + width - 1)
        r += 1
    r += 1
    r = _header(ws, r, left, header, two_level, result_header)
    written = 0
    trong_do_start = None
    for row in rows:
        if repeat_every and written and written % repeat_every == 0:
            _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
            trong_do_start = None
            r = _header(ws, r, left, header, two_level, result_header)
        stt, label, unit, value, note = (list(row) + [None] * 5)[:5]
        is_trong_do = isinstance(stt, str) and stt.strip().lower() == "trong đó"
        if (stt not in (None, "") and not is_trong_do) or _is_blank(row):
            _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
            trong_do_start = None
        if is_trong_do:
            trong_do_start = r
        for offset, content in enumerate((stt, label, unit, value, note)):
            cell = ws.cell(r, left + offset)
            if isinstance(content, Pct):
                cell.value = content.fraction
                cell.number_format = content.number_format
            elif isinstance(content, str):
                cell.value = content if content != "" else None
                if offset == 3 and content:
                    cell.number_format = "@"  # text the way Word-pasted figures arrive
            else:
                cell.value = content
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        r += 1
        written += 1
    _close_trong_do(ws, trong_do_start, r, left, merge_trong_do)
    for offset, size in enumerate((8, 60, 16, 12, 30)):
        ws.column_dimensions[get_column_letter(left + offset)].width = size


def _header(ws, r: int, left: int, header, two_level: bool, result_header: str) -> int:
    stt, label, unit, value, note = header
    if not two_level:
        for offset, text in enumerate(header):
            ws.cell(r, left + offset, text).font = Font(bold=True)
        return r + 1
    for offset, text in ((0, stt), (1, label), (2, result_header), (4, note)):
        ws.cell(r, left + offset, text).font = Font(bold=True)
    ws.cell(r + 1, left + 2, unit).font = Font(bold=True)
    ws.cell(r + 1, left + 3, value).font = Font(bold=True)
    for offset in (0, 1, 4):
        ws.merge_cells(start_row=r, start_column=left + offset, end_row=r + 1, end_column=left + offset)
    ws.merge_cells(start_row=r, start_column=left + 2, end_row=r, end_column=left + 3)
    return r + 2


def _close_trong_do(ws, start: int | None, end: int, left: int, merge: bool) -> None:
    """Merge the 'Trong đó' cell down over the rows of its block (start .. end - 1)."""
    if merge and start is not None and end - 1 > start:
        ws.merge_cells(start_row=start, start_column=left, end_row=end - 1, end_column=left)


def _is_blank(row: Row) -> bool:
    return all(value in (None, "") for value in row)


# --- free layouts: any cells, any sheets ------------------------------------------------------


def seed_rows_by_id(name: str, catalog_id: str, figures: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of a seed table as (row id, stt, label, unit, value, note), the value taken from
    `figures` by catalog row id ('' when absent). The seed tables list the catalog's rows in order."""
    from cchc_xl import catalog as catalog_module

    rows = seed_rows(name)
    catalog = catalog_module.load(catalog_id)
    if len(rows) != len(catalog.rows):
        raise ValueError(f"{name} has {len(rows)} rows, {catalog_id} has {len(catalog.rows)}")
    figures = figures or {}
    return [(row.id, stt, label, unit, figures.get(row.id, ""), note)
            for row, (stt, label, unit, _, note) in zip(catalog.rows, rows)]


def write_cells(path: str | os.PathLike, cells: Sequence[Sequence[Any]], *, sheet: str = "Sheet1",
                sheets_before: Sequence[str] = (), sheets_after: Sequence[str] = (),
                merges: Sequence[str] = (), hidden_rows: Sequence[int] = (), hidden_columns: Sequence[str] = (),
                sheet_cells: dict[str, Sequence[Sequence[Any]]] | None = None, fmt: str = "xlsx") -> Path:
    """A workbook whose sheet `sheet` holds `cells` from A1 (None or '' = empty cell; Pct = a fraction
    with a percent format; '=...' = a formula, computed only when LibreOffice converts the file).
    Sheets before it get a narrative line when their name starts with 'Báo cáo', else stay blank;
    sheet_cells fills the other sheets named the same way (a table continued on the next sheet).
    merges: ranges like 'A5:A6'; hidden_rows: 1-based row numbers; hidden_columns: letters."""
    path = Path(path)
    book = Workbook()
    names = [*sheets_before, sheet, *sheets_after]
    book.active.title = names[0]
    for name in names[1:]:
        book.create_sheet(name)
    for name in sheets_before:
        if name.startswith("Báo cáo"):
            book[name]["A1"] = "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính"
    ws = book[sheet]
    for name, sheet_cells_of in {sheet: cells, **(sheet_cells or {})}.items():
        for r, row in enumerate(sheet_cells_of, 1):
            for c, content in enumerate(row, 1):
                if content is None or content == "":
                    continue
                cell = book[name].cell(r, c)
                if isinstance(content, Pct):
                    cell.value = content.fraction
                    cell.number_format = content.number_format
                else:
                    cell.value = content
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    for span in merges:
        ws.merge_cells(span)
    for r in hidden_rows:
        ws.row_dimensions[r].hidden = True
    for letter in hidden_columns:
        ws.column_dimensions[letter].hidden = True
    target = path.with_suffix(".xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        book.save(target)
        return target
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / target.name
        book.save(source)
        return convert(source, fmt, path.parent)


# --- Excel 5.0/95 workbooks (.xls, BIFF5) -----------------------------------------------------


def write_excel95(path: str | os.PathLike, rows: Iterable[Row], *, title_lines: Sequence[str] = DEFAULT_TITLE,
                  sheet: str = "Sheet1", national_header: bool = True, page_header: str = "",
                  page_footer: str = "") -> Path:
    """The form `write_form` lays out, saved as Excel 95 saves it (LibreOffice no longer writes BIFF5):
    a "Book" stream of BIFF5 records in a compound file, text in the code page its CODEPAGE record names
    (1258, Vietnamese Windows: a tone mark Excel keeps as a combining byte after its letter), values
    only (Excel 95 has no merged cells), Page Setup's header and footer as HEADER and FOOTER records
    ("&LUBND xã Bình Yên&RQuý II năm 2024")."""
    from cchc_xl.vba.cfb import write_compound_file

    book = Workbook()
    _layout(book.active, list(rows), title_lines=title_lines, header=DEFAULT_HEADER, two_level=True,
            result_header="Kết quả", top=1, left=1,
            national=(NATIONAL_LEFT, NATIONAL_RIGHT) if national_header else None, merge_trong_do=False, repeat_every=None)
    cells = [(r, c, value) for r, values in enumerate(book.active.iter_rows(values_only=True))
             for c, value in enumerate(values) if value not in (None, "")]
    records = [_biff5(0x0809, struct.pack("<HHHH", 0x0500, 0x0010, 0x0DBB, 0x07CC)),  # BOF: a worksheet
               _biff5(0x0200, struct.pack("<HHHHH", 0, max(r for r, _, _ in cells) + 1, 0,
                                         max(c for _, c, _ in cells) + 1, 0))]  # DIMENSIONS
    records += [_biff5(kind, _cp1258_counted(text)) for kind, text in ((0x0014, page_header), (0x0015, page_footer)) if text]
    for r, c, value in cells:
        if isinstance(value, Pct):
            value = value.fraction
        if isinstance(value, (int, float)):
            records.append(_biff5(0x0203, struct.pack("<HHHd", r, c, 15, float(value))))  # NUMBER
        else:
            text = _cp1258(str(value))[:255]
            records.append(_biff5(0x0204, struct.pack("<HHHH", r, c, 15, len(text)) + text))  # LABEL
    records.append(_biff5(0x000A))  # EOF

    def workbook_globals(sheet_offset: int) -> bytes:
        font = _biff5(0x0031, struct.pack("<HHHHHBBBB", 240, 0, 0x7FFF, 400, 0, 0, 0, 163, 0) + _cp1258_counted("Times New Roman"))
        xf = _biff5(0x00E0, struct.pack("<HHHBBBBII", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0)[:16])
        return (_biff5(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x0DBB, 0x07CC)) + _biff5(0x0042, struct.pack("<H", 1258))
                + font * 5 + xf * 16 + _biff5(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + _cp1258_counted(sheet))
                + _biff5(0x000A))

    stream = workbook_globals(len(workbook_globals(0))) + b"".join(records)
    target = Path(path).with_suffix(".xls")
    target.write_bytes(write_compound_file({"Book": stream}))
    return target


def _biff5(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _cp1258_counted(text: str) -> bytes:
    encoded = _cp1258(text)[:255]
    return bytes([len(encoded)]) + encoded


def _cp1258(text: str) -> bytes:
    """Windows-1258: a letter the code page holds as one byte (â, ê, ơ, đ …), else its base letter and
    its tone mark as a combining byte ("ệ" is "ê" and the dot below)."""
    encoded = bytearray()
    for char in unicodedata.normalize("NFC", text):
        base, *marks = unicodedata.normalize("NFD", char)
        for mark in list(marks):
            joined = unicodedata.normalize("NFC", base + mark)
            if len(joined) == 1 and _in_cp1258(joined):
                base = joined
                marks.remove(mark)
        encoded += (base + "".join(marks)).encode("cp1258")
    return bytes(encoded)


def _in_cp1258(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


# --- web pages with an Excel name (.xls) ------------------------------------------------------


def write_web_page(path: str | os.PathLike, rows: Iterable[Row], *, style: str = "excel",
                   title_lines: Sequence[str] = DEFAULT_TITLE, encoding: str = "utf-8",
                   page_header: str | None = None) -> Path:
    """A Phụ lục saved as a web page with an Excel name, the way offices receive and resend them.

    style "excel": as Excel's "Save as Web Page" writes a sheet (conditional comments holding the
    sheet's name, classes, the national header and title as rows spanning the table, the two-level
    header with rowspan/colspan, "Trong đó" spanning its block down the STT column, numbers with
    their value in x:num, a percent shown "95,5%" with its fraction in x:num).
    style "software": as one-stop-shop software exports "Excel": the title in headings above a
    bordered table, <th> headers, every figure as the text shown ("1.234").
    `encoding` is declared in the page (windows-1258 as older Vietnamese systems write it).
    page_header: Page Setup's header ("&L…&R…"), kept by Excel in the style sheet (mso-header-data),
    every letter outside ASCII as a CSS escape.
    """
    from html import escape

    rows = list(rows)
    if style == "software":
        body = [f"<h3>{escape(line)}</h3>" for line in title_lines]
        body.append('<table border="1" cellspacing="0"><thead><tr>'
                    + "".join(f"<th>{escape(text)}</th>" for text in DEFAULT_HEADER) + "</tr></thead><tbody>")
        for row in rows:
            cells = (list(row) + [None] * 5)[:5]
            shown = [_shown_in_page(value) for value in cells]
            body.append("<tr>" + "".join(f"<td>{escape(text)}</td>" for text in shown) + "</tr>")
        body.append("</tbody></table><p>Người lập biểu</p>")
        page = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
                f"<title>Bao cao</title></head><body>{''.join(body)}</body></html>")
        target = Path(path)
        target.write_bytes(_encoded(page, encoding))
        return target
    lines = []
    for a, b in zip(NATIONAL_LEFT, NATIONAL_RIGHT):
        lines.append(f'<tr><td colspan=2 class=xl65>{escape(a)}</td><td colspan=3 class=xl65>{escape(b)}</td></tr>')
    lines.append("<tr><td></td><td></td><td></td><td></td><td></td></tr>")
    lines += [f'<tr><td colspan=5 class=xl66 style="text-align:center">{escape(line)}</td></tr>' for line in title_lines]
    lines.append("<tr><td></td><td></td><td></td><td></td><td></td></tr>")
    stt, label, unit, value, note = DEFAULT_HEADER
    lines.append(f"<tr><td rowspan=2 class=xl67>{stt}</td><td rowspan=2 class=xl67>{label}</td>"
                 f"<td colspan=2 class=xl67>Kết quả</td><td rowspan=2 class=xl67>{note}</td></tr>")
    lines.append(f"<tr><td class=xl67>{unit}</td><td class=xl67>{value}</td></tr>")
    spans = _trong_do_spans(rows)
    for index, row in enumerate(rows):
        cells = (list(row) + [None] * 5)[:5]
        tds = []
        for offset, content in enumerate(cells):
            if offset == 0 and index in spans.covered:
                continue  # under the "Trong đó" above, spanning down
            span = f" rowspan={spans.starts[index]}" if offset == 0 and index in spans.starts else ""
            tds.append(f"<td{span}{_excel_value(content)}</td>")
        lines.append("<tr height=20>" + "".join(tds) + "</tr>")
    page = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"'
            ' xmlns="http://www.w3.org/TR/REC-html40"><head>'
            f'<meta http-equiv=Content-Type content="text/html; charset={encoding}">'
            '<meta name=ProgId content=Excel.Sheet><meta name=Generator content="Microsoft Excel 15">'
            "<style><!--table {mso-displayed-decimal-separator:\"\\,\";} .xl65 {font-weight:700;}"
            + (f"@page {{margin:.75in .7in .75in .7in; mso-header-data:\"{_css_escaped(page_header)}\";"
               " mso-footer-data:\"&CTrang &P\";}" if page_header else "")
            + "--></style>"
            "<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>"
            "<x:Name>Phu luc</x:Name><x:WorksheetOptions><x:Selected/></x:WorksheetOptions>"
            "</x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]--></head>"
            '<body link=blue vlink=purple><table border=0 cellpadding=0 cellspacing=0 width=900>'
            '<col width=60><col width=480><col width=90><col width=90><col width=180>'
            + "".join(lines) + "<![if supportMisc]><tr><td></td></tr><![endif]></table></body></html>")
    target = Path(path)
    target.write_bytes(_encoded(page, encoding))
    return target


def _css_escaped(text: str) -> str:
    """As Excel writes a text into a style sheet: every character outside ASCII as four hex digits."""
    return "".join(char if ord(char) < 128 and char not in '"\\' else f"\\{ord(char):04X}" for char in text)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _encoded(page: str, encoding: str) -> bytes:
    """The page in `encoding`; windows-1258 has letters with their vowel marks but not their tones,
    which follow as combining marks (as Vietnamese Windows writes them)."""
    if encoding.replace("-", "").lower() not in ("windows1258", "cp1258"):
        return page.encode(encoding)
    import unicodedata

    spelled = []
    for char in page:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in parts if mark in _TONE_MARKS)
        spelled.append(unicodedata.normalize("NFC", "".join(mark for mark in parts if mark not in _TONE_MARKS)) + tones)
    return "".join(spelled).encode("cp1258")


@dataclass
class _Spans:
    starts: dict[int, int]  # row index of a "Trong đó" -> rows it spans
    covered: set[int]


def _trong_do_spans(rows: list[Row]) -> _Spans:
    """The "Trong đó" cells spanning down over the unnumbered rows of their block."""
    starts, covered = {}, set()
    index = 0
    while index < len(rows):
        stt = rows[index][0]
        if isinstance(stt, str) and stt.strip().lower() == "trong đó":
            end = index + 1
            while end < len(rows) and rows[end][0] in (None, "") and not _is_blank(rows[end]):
                end += 1
            if end - index > 1:
                starts[index] = end - index
                covered.update(range(index + 1, end))
            index = end
        else:
            index += 1
    return _Spans(starts, covered)


def _excel_value(content: Any) -> str:
    """The rest of a <td> as Excel writes the cell: its value in x:num for a number."""
    from html import escape

    if isinstance(content, Pct):
        shown = f"{content.fraction * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "%"
        return f' class=xl68 x:num="{content.fraction!r}">{shown}'
    if isinstance(content, bool):
        return f" x:bool>{'TRUE' if content else 'FALSE'}"
    if isinstance(content, (int, float)):
        shown = f"{content:,}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return f' class=xl69 x:num="{content!r}">{shown}'
    if content in (None, ""):
        return " class=xl70>"
    return f" class=xl70>{escape(str(content))}"


def _shown_in_page(value: Any) -> str:
    if isinstance(value, Pct):
        return f"{value.fraction * 100:g}".replace(".", ",") + "%"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f"{value:,}".replace(",", ".")
    return str(value)


# --- Excel's XML Spreadsheet 2003 -------------------------------------------------------------


def write_xml_spreadsheet(path: str | os.PathLike, rows: Iterable[Row], *,
                          title_lines: Sequence[str] = DEFAULT_TITLE, sheet: str = "Phu luc",
                          hidden_sheet_before: bool = True, page_header: str | None = None) -> Path:
    """A Phụ lục as Excel's "XML Spreadsheet 2003" writes it (named .xls, as reporting software sends
    it): styles with a Percent number format, titles merged across (ss:MergeAcross), the two-level
    header and "Trong đó" merged down (ss:MergeDown, the cells beside them placed by ss:Index), rows
    skipped by ss:Index, percents as fractions in percent-styled cells, figures as Number data; a
    hidden sheet before the form holding last period's table, as offices keep it; page_header: Page
    Setup's header ("&L…&R…") of the form's sheet."""
    from xml.sax.saxutils import escape

    rows = list(rows)

    def data(value: Any, style: str = "s70") -> str:
        if isinstance(value, Pct):
            return f'<Cell ss:StyleID="s72"><Data ss:Type="Number">{value.fraction!r}</Data></Cell>'
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<Cell ss:StyleID="s71"><Data ss:Type="Number">{value!r}</Data></Cell>'
        if value in (None, ""):
            return f'<Cell ss:StyleID="{style}"/>'
        return f'<Cell ss:StyleID="{style}"><Data ss:Type="String">{escape(str(value))}</Data></Cell>'

    def table(lines: Sequence[str], body: list[tuple]) -> str:
        out = ['<Table ss:ExpandedColumnCount="5" x:FullColumns="1" x:FullRows="1">',
               '<Column ss:Width="45"/><Column ss:Width="360"/><Column ss:Width="70" ss:Span="1"/><Column ss:Width="150"/>']
        for a, b in zip(NATIONAL_LEFT, NATIONAL_RIGHT):
            out.append(f'<Row><Cell ss:MergeAcross="1" ss:StyleID="s65"><Data ss:Type="String">{escape(a)}</Data></Cell>'
                       f'<Cell ss:MergeAcross="2" ss:StyleID="s65"><Data ss:Type="String">{escape(b)}</Data></Cell></Row>')
        first_title = len(NATIONAL_LEFT) + 2  # a blank row, skipped by ss:Index
        for offset, line in enumerate(lines):
            index = f' ss:Index="{first_title + offset}"' if offset == 0 else ""
            out.append(f'<Row{index}><Cell ss:MergeAcross="4" ss:StyleID="s66"><Data ss:Type="String">{escape(line)}</Data></Cell></Row>')
        header = first_title + len(lines) + 1
        stt, label, unit, value, note = DEFAULT_HEADER
        out.append(f'<Row ss:Index="{header}"><Cell ss:MergeDown="1" ss:StyleID="s67"><Data ss:Type="String">{stt}</Data></Cell>'
                   f'<Cell ss:MergeDown="1" ss:StyleID="s67"><Data ss:Type="String">{label}</Data></Cell>'
                   '<Cell ss:MergeAcross="1" ss:StyleID="s67"><Data ss:Type="String">Kết quả</Data></Cell>'
                   f'<Cell ss:MergeDown="1" ss:StyleID="s67"><Data ss:Type="String">{note}</Data></Cell></Row>')
        out.append(f'<Row><Cell ss:Index="3" ss:StyleID="s67"><Data ss:Type="String">{unit}</Data></Cell>'
                   f'<Cell ss:StyleID="s67"><Data ss:Type="String">{value}</Data></Cell></Row>')
        spans = _trong_do_spans(body)
        for index, row in enumerate(body):
            cells = (list(row) + [None] * 5)[:5]
            parts = []
            for offset, content in enumerate(cells):
                if offset == 0 and index in spans.covered:
                    continue
                if offset == 0 and index in spans.starts:
                    parts.append(f'<Cell ss:MergeDown="{spans.starts[index] - 1}" ss:StyleID="s70">'
                                 f'<Data ss:Type="String">{escape(str(content))}</Data></Cell>')
                    continue
                cell = data(content)
                if offset == 1 and index in spans.covered:
                    cell = cell.replace("<Cell ", '<Cell ss:Index="2" ', 1)
                parts.append(cell)
            out.append("<Row>" + "".join(parts) + "</Row>")
        out.append("</Table>")
        return "".join(out)

    last_period = [(stt, label, unit, None, note) for stt, label, unit, _value, note in rows]
    sheets = []
    if hidden_sheet_before:
        old_title = [line.replace("QUÝ I", "QUÝ IV").replace("2024", "2023") for line in title_lines]
        sheets.append('<Worksheet ss:Name="Ky truoc">' + table(old_title, last_period)
                      + '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible>'
                      "</WorksheetOptions></Worksheet>")
    sheets.append(f'<Worksheet ss:Name="{escape(sheet)}">' + table(title_lines, rows)
                  + '<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">'
                  + (f'<PageSetup><Header x:Margin="0.3" x:Data="{escape(page_header, {chr(34): "&quot;"})}"/>'
                     '<Footer x:Margin="0.3" x:Data="&amp;CTrang &amp;P"/></PageSetup>' if page_header else "")
                  + "<Selected/></WorksheetOptions></Worksheet>")
    page = ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"'
            ' xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
            ' xmlns:html="http://www.w3.org/TR/REC-html40">'
            '<DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Author>UBND</Author></DocumentProperties>'
            '<Styles><Style ss:ID="Default" ss:Name="Normal"><Font ss:FontName="Times New Roman"/></Style>'
            '<Style ss:ID="s65"><Font ss:Bold="1"/></Style><Style ss:ID="s66"><Alignment ss:Horizontal="Center"/></Style>'
            '<Style ss:ID="s67"><Font ss:Bold="1"/></Style><Style ss:ID="s70"/>'
            '<Style ss:ID="s71"><NumberFormat ss:Format="#,##0"/></Style>'
            '<Style ss:ID="s72"><NumberFormat ss:Format="Percent"/></Style></Styles>'
            + "".join(sheets) + "</Workbook>")
    target = Path(path)
    target.write_text(page, "utf-8")
    return target


# --- delimited text -----------------------------------------------------------------------------


def write_delimited(path: str | os.PathLike, rows: Iterable[Row], *, title_lines: Sequence[str] = DEFAULT_TITLE,
                    separator: str = ",", encoding: str = "utf-8-sig") -> Path:
    """A Phụ lục saved as text the way Excel saves a sheet: "CSV UTF-8" (utf-8-sig, comma), "CSV" on
    Vietnamese Windows (windows-1258, the regional list separator), "Unicode Text" (utf-16, tab);
    the rows of `write_form`'s layout, figures as the cells show them ("1.234", "95,5%")."""
    lines: list[list[str]] = [[a, "", b, "", ""] for a, b in zip(NATIONAL_LEFT, NATIONAL_RIGHT)]
    lines.append([""] * 5)
    lines += [[line, "", "", "", ""] for line in title_lines]
    lines.append([""] * 5)
    stt, label, unit, value, note = DEFAULT_HEADER
    lines += [[stt, label, "Kết quả", "", note], ["", "", unit, value, ""]]
    lines += [[_shown_in_page(cell) for cell in (list(row) + [None] * 5)[:5]] for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(lines)
    target = Path(path)
    target.write_bytes(_encoded(buffer.getvalue(), encoding))
    return target


# --- a text box drawn over the sheet --------------------------------------------------------------


def with_text_box(path: str | os.PathLike, paragraphs: Sequence[str], *, row: int = 0, col: int = 0) -> Path:
    """The workbook at `path` (from write_cells or write_form, one sheet) with a text box anchored at (row,
    col), its paragraphs as given, as Excel writes one (Insert > Text Box): the sheet's <drawing>, its
    relationship to xl/drawings/drawing1.xml and the drawing's content type."""
    import zipfile
    from xml.sax.saxutils import escape

    path = Path(path)
    runs = "".join(f'<a:p><a:r><a:rPr lang="vi-VN" sz="1200" b="1"/><a:t>{escape(text)}</a:t></a:r></a:p>'
                   for text in paragraphs)
    drawing = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
               ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
               f'<xdr:twoCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>'
               '<xdr:rowOff>0</xdr:rowOff></xdr:from>'
               f'<xdr:to><xdr:col>{col + 4}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row + 3}</xdr:row>'
               '<xdr:rowOff>0</xdr:rowOff></xdr:to>'
               '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/>'
               '</xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="5000000" cy="600000"/></a:xfrm>'
               '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
               f'<xdr:txBody><a:bodyPr wrap="square" rtlCol="0" anchor="t"/><a:lstStyle/>{runs}</xdr:txBody></xdr:sp>'
               '<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rIdTextBox" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"'
            ' Target="../drawings/drawing1.xml"/></Relationships>')
    target = path.with_name(path.stem + "-tb" + path.suffix)
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            body = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</worksheet>", b'<drawing r:id="rIdTextBox"/></worksheet>')
                if b'xmlns:r="' not in body[:1000]:
                    body = body.replace(b"<worksheet ", b'<worksheet xmlns:r="http://schemas.openxmlformats.org/'
                                        b'officeDocument/2006/relationships" ', 1)
            elif item.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/drawings/drawing1.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
            out.writestr(item, body)
        out.writestr("xl/worksheets/_rels/sheet1.xml.rels", rels)
        out.writestr("xl/drawings/drawing1.xml", drawing)
    target.replace(path)
    return path
