"""The workbooks shipped in workbook/: the Phụ lục template with a Kiểm tra button, the same
template without macros, and the roll-up workbook with Tổng hợp and Kiểm tra buttons.

The macros come from macros/*.bas (text) plus the cell-function wrappers xlwings generates; the
VBA project is compiled here into vbaProject.bin. Same sources, same bytes.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from xlsxwriter.workbook import Workbook

from .. import catalog as catalogs
from ..roster import FOLDER_NAME, ROSTER_SHEET  # where the Python side of the buttons looks
from ..writing import guide
from ..cells import column_letter
from ..findings import SEVERITY_VI
from ..writing.layout import TROUBLE_FILL, workbook_options
from ..submission import SUMMARY_SHEET
from ..writing.marked import RESULT_HEADER, RESULT_SHEET, RESULT_WIDTHS, RESULT_WRAPPED
from ..writing.rollup_book import STATUS_FILLS, write_summary_sheet
from ..writing.rollup_view import FINDINGS_SHEET, STATUS_VI, SUBMISSIONS_SHEET, UNIT_NOTES_SHEET
from ..writing.template import ButtonSpec, build_template
from . import project, udf

MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
UDF_PYTHON_MODULE = "cchc_xl.excel"
CATALOG = "phu-luc-ii"
WORKBOOK_CODENAME = "ThisWorkbook"

KIEM_TRA = ButtonSpec(macro="KiemTra", caption="Kiểm tra", cell="G2")
TONG_HOP = ButtonSpec(macro="TongHop", caption="Tổng hợp", cell="G2")
KIEM_TRA_BELOW = ButtonSpec(macro="KiemTra", caption="Kiểm tra", cell="G5")
BAO_CAO = ButtonSpec(macro="BaoCao", caption="Báo cáo", cell="K2")  # beside Tổng hợp

XLWINGS_CONF_SHEET = "xlwings.conf"
# Read by the add-in from A1 down, key in A, value in B. No interpreter key: the one `xlwings addin
# install` writes to the user's config must apply, and a key present here, even empty, would win.
XLWINGS_SETTINGS = (("UDF Modules", UDF_PYTHON_MODULE), ("Debug UDFs", False),
                    ("Use UDF Server", False), ("Show Console", False))

ROSTER_HEADER = "Tên đơn vị phải nộp (mỗi dòng một đơn vị, từ ô A2)"
FOLDER_LABEL = "Thư mục đã chọn khi bấm Tổng hợp"


@dataclass(frozen=True)
class Product:
    file_name: str
    buttons: Sequence[ButtonSpec] = ()
    macros: bool = True
    roll_up: bool = False


PRODUCTS = (
    Product("CCHC-PhuLuc-II.xlsm", buttons=(KIEM_TRA,)),
    Product("CCHC-PhuLuc-II.xlsx", macros=False),
    Product("CCHC-TongHop.xlsm", buttons=(TONG_HOP, BAO_CAO, KIEM_TRA_BELOW), roll_up=True),
)


def macro_modules(directory: Path | None = None) -> list[project.Module]:
    """Our standard modules, one per macros/*.bas, in file-name order; the file stem must be the module name."""
    directory = MACROS_DIR if directory is None else directory
    paths = sorted(directory.glob("*.bas"))
    if not paths:
        raise FileNotFoundError(f"{directory}: không có tệp .bas nào (no VBA modules found)")
    modules = []
    for path in paths:
        module = project.standard_module(path.read_text(encoding="ascii"))
        if module.name != path.stem:
            raise project.VbaSourceError(f"{path}: Attribute VB_Name is {module.name!r}, expected {path.stem!r}")
        modules.append(module)
    return modules


def vba_project(sheet_count: int, workbook_name: str, macros: Sequence[project.Module]) -> bytes:
    """ThisWorkbook, Sheet1..SheetN, our modules and the UDF wrappers, as vbaProject.bin."""
    modules = [project.document_module(WORKBOOK_CODENAME, workbook=True)]
    modules += [project.document_module(sheet_codename(index)) for index in range(sheet_count)]
    modules += macros
    wrappers = udf.udf_module(UDF_PYTHON_MODULE, workbook_name)
    if wrappers is not None:
        modules.append(wrappers)
    return project.build_vba_project(modules)


def sheet_codename(index: int) -> str:
    return f"Sheet{index + 1}"




def build(product: Product, path: str | os.PathLike, macros: Sequence[project.Module]) -> None:
    workbook = Workbook(os.fspath(path), workbook_options())
    build_template(workbook, catalogs.load(CATALOG), buttons=product.buttons,
                   extra_sheets=_extra_sheets(product.roll_up) if product.macros else None)
    if not product.macros:
        workbook.close()
        return
    sheets = workbook.worksheets()
    workbook.set_vba_name(WORKBOOK_CODENAME)
    for index, sheet in enumerate(sheets):
        sheet.set_vba_name(sheet_codename(index))
    workbook.add_vba_project(io.BytesIO(vba_project(len(sheets), product.file_name, macros)), is_stream=True)
    workbook.close()


def _extra_sheets(roll_up: bool) -> Callable:
    def add(workbook: Workbook, _layout, formats) -> None:
        if roll_up:
            _write_roster_sheet(workbook)
            guide.write_guide_sheet(workbook)
            summary = workbook.add_worksheet(SUMMARY_SHEET)  # as `cchc-xl merge` writes it, blank for the button
            write_summary_sheet(workbook, summary, formats, catalogs.load(CATALOG), unit="", period_text="",
                                protect=False)
            summary.hide()
            for layout in rollup_layouts():
                _write_printed_sheet(workbook, layout)
        _write_printed_sheet(workbook, RESULT_LAYOUT)
        _write_xlwings_conf(workbook)
    return add


@dataclass(frozen=True)
class PrintedSheet:
    """A sheet a button fills with values, shipped hidden and laid out for print: the button writes
    values only (keeping this layout), shows the sheet and sets its print area to the lines it wrote."""

    name: str
    widths: tuple[float, ...]
    wrapped: tuple[int, ...]  # the columns of long texts, wrapped to their width
    header_row: int  # repeated at the top of every printed page, in bold
    landscape: bool = True
    header: tuple[str, ...] = ()  # written here when the button does not write it
    # (column, {text: (fill, font colour)}): a cell showing one of the texts takes its colours, as the roll-up
    # workbook colours a lỗi, a cảnh báo, a unit that did not submit (conditional formats: the button writes values)
    colours: tuple[tuple[int, dict[str, tuple[str, str]]], ...] = ()


# The lines a printed sheet boxes and colours as they are written: more than a district's units ever give.
PRINTED_LINES = 5000


_SEVERITY_COLOURS = {SEVERITY_VI[severity]: colours for severity, colours in TROUBLE_FILL.items()}
RESULT_LAYOUT = PrintedSheet(RESULT_SHEET, RESULT_WIDTHS,
                             tuple(RESULT_HEADER.index(title) for title in RESULT_WRAPPED), 0, header=RESULT_HEADER,
                             colours=((RESULT_HEADER.index("Mức độ"), _SEVERITY_COLOURS),))


def rollup_layouts() -> tuple[PrintedSheet, ...]:
    """The roll-up's lists as the Tổng hợp button writes them (writing/tables.py). "Tổng hợp" itself has
    the official layout of the form, as the roll-up workbook has it (rollup_book.write_summary_sheet);
    "Chi tiết", a column per row of the form, is for reading on screen and keeps Excel's defaults."""
    return (PrintedSheet(FINDINGS_SHEET, (6, 24, 30, 14, 9, 10, 22, 70), (1, 2, 6, 7), 0,
                         colours=((5, _SEVERITY_COLOURS),)),
            PrintedSheet(SUBMISSIONS_SHEET, (6, 28, 18, 40, 18, 45), (1, 3, 5), 3,
                         colours=((2, {STATUS_VI[status]: colours for status, colours in STATUS_FILLS.items()}),)),
            PrintedSheet(UNIT_NOTES_SHEET, (6, 26, 9, 45, 16, 55), (1, 3, 5), 0))


def _write_printed_sheet(workbook: Workbook, layout: PrintedSheet) -> None:
    """`layout`'s sheet, hidden until a button fills it: A4, one page wide, its header on every page."""
    sheet = workbook.add_worksheet(layout.name)
    text = {"font_name": guide.FONT, "font_size": 12, "valign": "top"}
    for column, width in enumerate(layout.widths):
        sheet.set_column(column, column, width, workbook.add_format({**text, "text_wrap": column in layout.wrapped}))
    bold = workbook.add_format({**text, "bold": True, "text_wrap": True})
    sheet.set_row(layout.header_row, None, bold)
    for column, title in enumerate(layout.header):
        sheet.write_string(layout.header_row, column, title, bold)
    sheet.freeze_panes(layout.header_row + 1, 0)
    # Each line written and the header are boxed, as the roll-up workbook's are; the empty lines below stay plain. The
    # colours come first and box their cell too: LibreOffice applies the first format that holds, Excel all.
    first, last, right = layout.header_row + 1, layout.header_row + PRINTED_LINES, len(layout.widths) - 1
    for column, colours in layout.colours:
        for shown, (fill, font) in colours.items():
            sheet.conditional_format(first, column, last, column, {
                "type": "cell", "criteria": "==", "value": f'"{shown}"',
                "format": workbook.add_format({"bg_color": fill, "font_color": font, "border": 1})})
    top = layout.header_row  # the header boxed as well
    row_cells = f"$A{top + 1}:${column_letter(right)}{top + 1}"
    sheet.conditional_format(top, 0, last, right, {"type": "formula", "criteria": f"=COUNTA({row_cells})>0",
                                                   "format": workbook.add_format({"border": 1})})
    sheet.set_paper(9)
    if layout.landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(layout.header_row)
    sheet.hide()


def _write_roster_sheet(workbook: Workbook) -> None:
    """The units expected to submit (column A) and the cell where the Tổng hợp button puts the folder."""
    sheet = workbook.add_worksheet(ROSTER_SHEET)
    bold = workbook.add_format({"bold": True, "font_name": guide.FONT, "font_size": 12, "text_wrap": True})
    text = workbook.add_format({"font_name": guide.FONT, "font_size": 12})
    sheet.set_column(0, 0, 45, text)
    sheet.set_column(2, 2, 60, text)
    sheet.write_string(0, 0, ROSTER_HEADER, bold)
    sheet.write_string(0, 2, FOLDER_LABEL, bold)
    sheet.write_blank(1, 2, None, text)
    workbook.define_name(FOLDER_NAME, f"='{ROSTER_SHEET}'!$C$2")


def _write_xlwings_conf(workbook: Workbook) -> None:
    sheet = workbook.add_worksheet(XLWINGS_CONF_SHEET)
    for row, (key, value) in enumerate(XLWINGS_SETTINGS):
        sheet.write_string(row, 0, key)
        if isinstance(value, bool):
            sheet.write_boolean(row, 1, value)
        else:
            sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 20)
    sheet.hide()


def build_all(directory: str | os.PathLike, macros_dir: Path | None = None) -> dict[str, Path]:
    """Write every product into `directory` (which must exist); returns file name -> path."""
    macros = macro_modules(macros_dir)
    written = {}
    for product in PRODUCTS:
        path = Path(directory) / product.file_name
        build(product, path, macros)
        written[product.file_name] = path
    return written


def built_bytes(macros_dir: Path | None = None) -> dict[str, bytes]:
    """Every product as bytes, built in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="cchc-xl-build-") as temp:
        return {name: path.read_bytes() for name, path in build_all(temp, macros_dir).items()}
