"""`cchc-xl export --history FILE -o OUT.(csv|parquet|xlsx) [--wide] [--catalog ID] [--force]`.

The history's figures as tidy tables for analysts: long form (one line per unit, period and row)
or wide form (one line per unit and period, one column per row id); an .xlsx holds both and a
"Xu hướng" sheet with native line charts of the form's chart rows over the periods, each point the
roll-up of every unit of that period. pandas is imported here only (an optional extra), so the
other commands start without it. Exit code 0 when written, 2 when nothing could be.
"""

from __future__ import annotations

import io
import sys
from itertools import repeat
from pathlib import Path

from ..cells import MAX_ROWS
from ..cli import EXIT_FAILED, EXIT_OK

SUFFIXES = (".csv", ".parquet", ".xlsx")
LONG_COLUMNS = ["mau", "don_vi", "ky", "ma_dong", "stt", "chi_tieu", "don_vi_tinh", "so_lieu", "tep_nguon", "ma_bam"]
WIDE_KEYS = ["mau", "don_vi", "ky", "tep_nguon"]
LONG_SHEET, WIDE_SHEET, TREND_SHEET = "Dạng dài", "Dạng rộng", "Xu hướng"
# Widths (characters) in the .xlsx: a label, a unit's name, a file's path read whole; a figure column, 12.
COLUMN_WIDTHS = {"mau": 14, "don_vi": 28, "ky": 10, "ma_dong": 10, "stt": 9, "chi_tieu": 70, "don_vi_tinh": 14,
                 "so_lieu": 12, "tep_nguon": 45, "ma_bam": 20}
_INSTALL = 'Lệnh export cần gói {package}; hãy cài: python3 -m pip install "cchc-xl[{extra}]"'


def run(args) -> int:
    from ..catalog import CatalogError, load
    from ..history import History, HistoryError
    from ..writing.atomic import OutputExists, atomic_output

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in SUFFIXES:
        return _fail(f"{output}: tệp kết quả phải có đuôi .csv, .parquet hoặc .xlsx; hãy đặt tên như xuat.csv.")
    if output.exists() and not args.force:
        return _fail(str(OutputExists(output)))
    if not Path(args.history).exists():
        return _fail(f"{args.history}: không tìm thấy tệp lịch sử số liệu; hãy ghi đường dẫn tới tệp "
                     "lich-su-so-lieu.sqlite nằm cạnh tệp tổng hợp.")
    try:
        import pandas
    except ImportError:
        return _fail(_INSTALL.format(package="pandas", extra="export"))
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return _fail(_INSTALL.format(package="pyarrow", extra="parquet"))
    try:
        with History(args.history) as history:
            reports = history.reports(args.catalog)
    except HistoryError as exc:
        return _fail(str(exc))
    forms = sorted({report.catalog for report in reports})
    if not reports:
        return _fail(f"{args.history}: lịch sử chưa có số liệu" + (f" của mẫu «{args.catalog}»" if args.catalog else "")
                     + "; hãy tổng hợp một kỳ bằng cchc-xl merge (nút «Tổng hợp») trước khi xuất.")
    if len(forms) > 1 and (args.wide or suffix == ".xlsx"):
        return _fail(f"Lịch sử có số liệu của nhiều mẫu ({', '.join(forms)}); dạng rộng và tệp .xlsx cần một mẫu: "
                     "hãy thêm --catalog với một trong các mẫu này.")
    try:
        catalogs = {form: load(form) for form in forms}
    except CatalogError as exc:
        return _fail(str(exc))
    long = long_table(pandas, reports, catalogs)
    if suffix == ".xlsx" and len(long) >= MAX_ROWS:
        from ..findings import format_value

        return _fail(f"{output}: lịch sử có {format_value(len(long))} số liệu, nhiều hơn số dòng một trang tính Excel "
                     f"chứa được ({format_value(MAX_ROWS - 1)} dòng dưới dòng tiêu đề). Hãy xuất ra .csv hoặc "
                     ".parquet (mở được bằng Excel, Power BI hay pandas).")
    try:
        with atomic_output(output, force=args.force) as temp:
            if suffix == ".xlsx":
                write_workbook(temp, long, wide_table(pandas, long, catalogs[forms[0]]),
                               catalogs[forms[0]], reports)
            else:
                table = wide_table(pandas, long, catalogs[forms[0]]) if args.wide else long
                if suffix == ".csv":
                    _csv_safe(table).to_csv(temp, index=False, encoding="utf-8-sig")
                else:
                    table.to_parquet(temp, index=False)
    except OutputExists as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{output}: không ghi được tệp ({exc.strerror or exc}). "
                     "Nếu tệp đang mở trong Excel, hãy đóng lại rồi chạy lại.")
    units = long[["mau", "don_vi"]].drop_duplicates().shape[0]
    print(f"Đã ghi {len(long)} số liệu của {units} đơn vị, {long['ky'].nunique()} kỳ vào {output}.")
    return EXIT_OK


def long_table(pandas, reports, catalogs):
    """One line per reported figure, rows in the form's order, periods in time order."""
    from .. import periods

    lines = []
    for report in reports:
        catalog = catalogs[report.catalog]
        for position, row in enumerate(catalog.figure_rows):
            value = report.values.get(row.id)
            if value is not None:
                lines.append((report.catalog, report.unit, report.period, row.id, row.stt, row.label,
                              "" if row.codes else row.unit, value, report.source, report.source_hash,
                              periods.chronological(report.period), position))
    table = pandas.DataFrame(lines, columns=LONG_COLUMNS + ["_when", "_position"])
    table["so_lieu"] = table["so_lieu"].astype("float64")
    table = table.sort_values(["mau", "_when", "don_vi", "_position"], kind="stable")
    return table.drop(columns=["_when", "_position"]).reset_index(drop=True)


def wide_table(pandas, long, catalog):
    """One line per unit and period, one column per figure row of the form (in its order)."""
    wide = long.pivot_table(index=WIDE_KEYS, columns="ma_dong", values="so_lieu", aggfunc="first", sort=False)
    wide = wide.reindex(columns=[row.id for row in catalog.figure_rows if row.id in wide.columns])
    wide.columns.name = None
    return wide.reset_index()


def trend_table(catalog, reports):
    """(period labels, {row id: roll-up value per period}) for the form's chart rows: each period's
    value is the roll-up of every unit recorded for it, recomputed from the summed parts."""
    from .. import periods
    from ..rollup import UnitReport, from_units
    from ..writing.rollup_view import chart_groups

    charted = [row for rows in chart_groups(catalog).values() for row in rows]
    by_period: dict[str, list] = {}
    for report in reports:
        by_period.setdefault(report.period, []).append(report)
    ordered = sorted(by_period, key=periods.chronological)
    values = {row.id: [] for row in charted}
    for period in ordered:
        units = [UnitReport(report.unit, report.source, 0.0, period,
                            {row.id: report.values.get(row.id) for row in catalog.figure_rows})
                 for report in by_period[period]]
        rollup = from_units(catalog, units, period)
        for row in charted:
            exact = rollup.exact(row.id)
            values[row.id].append(None if exact is None else round(float(exact), 2))
    return [periods.label(period) for period in ordered], values


def write_workbook(path, long, wide, catalog, reports) -> None:
    """Long and wide sheets, and "Xu hướng": the chart rows' table over periods and a line chart per chart title.
    The tables' lines are written as worksheet XML (writing/sheetrows.py: a million cells in seconds, where
    pandas' to_excel took half a minute), every text as an inline string: a unit name starting with "="
    never becomes a formula."""
    from xlsxwriter import Workbook

    from ..writing.sheetrows import save

    package = io.BytesIO()
    book = Workbook(package, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    lines = [_table_sheet(book, name, table) for name, table in ((LONG_SHEET, long), (WIDE_SHEET, wide))]
    _trend_sheet(book, catalog, reports)
    book.close()
    save(package.getvalue(), path, lines)


def _table_sheet(book, name: str, table):
    """A sheet of `table`: its column names in bold, frozen, above its lines (rendered by SheetRows)."""
    from ..writing.sheetrows import SheetRows

    sheet = book.add_worksheet(name)
    bold = book.add_format({"bold": True})
    for column, title in enumerate(table.columns):
        sheet.write_string(0, column, str(title), bold)
    sheet.freeze_panes(1, 0)
    for column, title in enumerate(table.columns):
        sheet.set_column(column, column, COLUMN_WIDTHS.get(str(title), 12))
    rows = SheetRows(sheet)
    rows.quote_formula_like({None: book.add_format({"quote_prefix": True})})  # a unit's name as the sender wrote it
    columns = [table[column].tolist() for column in table.columns]  # Python values, NaN for a blank
    for index, line in enumerate(zip(*columns), start=1):
        rows.write(index, zip(line, repeat(None)))
    return rows


def _trend_sheet(book, catalog, reports) -> None:
    """The "Xu hướng" sheet: the chart rows' table over periods and a line chart per chart title."""
    from ..writing.rollup_view import chart_groups, series_name

    sheet = book.add_worksheet(TREND_SHEET)
    labels, values = trend_table(catalog, reports)
    groups = {title: [row for row in rows if any(v is not None for v in values[row.id])]
              for title, rows in chart_groups(catalog).items()}
    groups = {title: rows for title, rows in groups.items() if rows}
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 22)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_row(0, 80)
    if not groups:
        sheet.write_string(0, 0, "Mẫu báo cáo này không có chỉ tiêu nào để vẽ biểu đồ, "
                                 "hoặc chưa kỳ nào có số liệu các chỉ tiêu đó.")
        return
    sheet.write_string(0, 0, "Kỳ báo cáo", bold)
    for index, label in enumerate(labels, start=1):
        sheet.write_string(index, 0, label)
    column = 0
    columns = {}
    for rows in groups.values():
        for row in rows:
            column += 1
            columns[row.id] = column
            sheet.set_column(column, column, 16)
            sheet.write_string(0, column, series_name(row), bold)
            for index, value in enumerate(values[row.id], start=1):
                if value is not None:
                    sheet.write_number(index, column, value)
    top = len(labels) + 3
    for title, rows in groups.items():
        chart = book.add_chart({"type": "line"})
        for row in rows:
            chart.add_series({"name": [TREND_SHEET, 0, columns[row.id]],
                              "categories": [TREND_SHEET, 1, 0, len(labels), 0],
                              "values": [TREND_SHEET, 1, columns[row.id], len(labels), columns[row.id]],
                              "marker": {"type": "circle"}})
        chart.set_title({"name": f"{title} (toàn bộ đơn vị, theo kỳ)", "name_font": {"size": 12}})
        chart.set_y_axis({"name": "%", "min": 0, "max": 100})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 330})
        sheet.insert_chart(top, 0, chart)
        top += 17


def _csv_safe(table):
    """Text cells that a spreadsheet would take for a formula get a leading apostrophe."""
    from ..writing.formula_text import starts_like_formula

    table = table.copy()
    for column in table.columns:
        if table[column].dtype.kind not in "biufc":  # text columns (object or pandas' string type)
            table[column] = table[column].map(
                lambda text: "'" + text if isinstance(text, str) and starts_like_formula(text) else text)
    return table


def _fail(message: str) -> int:
    print(f"cchc-xl export: {message}", file=sys.stderr)
    return EXIT_FAILED
