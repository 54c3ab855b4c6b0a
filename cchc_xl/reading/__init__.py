"""Any filled Phụ lục workbook -> Submission: figures by catalog row id, with their cells.

The table is found by its header text (STT | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú, over one
to three header rows) on whichever sheet, row and column it starts; a sheet whose STT column was
deleted is read by its label column. The figure column is the one named like a figure (Số liệu,
Số lượng, Kết quả thực hiện, Quý I/2024 ...), never a plan, last year's figure or a comparison;
among several, a visible one, one naming this period, then the latest year. A separate "Tỷ lệ
(%)" column holds the percent rows' figures.

File rows are matched to catalog rows by an order-preserving alignment: every (file row, catalog
row) pair with a similar label gets a score (word overlap of the labels folded without
diacritics, abbreviations spelled out counted as the abbreviation; an inexact label costs what it
misses; a bonus when the STT agrees, a penalty when two STT numbers differ, a small bonus for a
"Trong đó" part next to a row of its own block), and the heaviest chain of pairs increasing in
both file order and catalog order is kept. Repeated labels ("Số vấn đề phát hiện qua kiểm tra"
under several groups) and unnumbered "Trong đó" rows are placed by their order; inserted, blank or
unknown rows are skipped over; hidden rows lose to visible ones; rows moved out of order are put
back by their STT and label; a label wrapped over two lines is one row. The form is recognised by
running the alignment against every shipped catalog and keeping the best-covered one; when a
workbook holds several tables (sheets, or last period's table under this one), the latest period
is read and a warning names the others.

Workbooks made by the tool carry a hidden "_cchc" sheet (catalog, unit, period) and a defined
name on every input cell: those are read by name, not by alignment; rows inserted with a figure

Modules: header.py (finding the table), rows.py (its rows), align.py (rows to catalog rows),
fill.py (figures and findings), title.py (unit and period), workbook.py (the two kinds of workbook).
"""

from __future__ import annotations

from ..grid import ReadError
from .align import Alignment, align, prepare
from .header import Table, find_table, find_tables
from .rows import FileRow, extract_rows
from .workbook import read_grids, read_workbook

__all__ = ["ReadError", "read_workbook", "read_grids", "find_table", "find_tables", "extract_rows", "align", "Table",
           "FileRow", "Alignment", "prepare"]
