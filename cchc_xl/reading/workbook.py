"""A workbook's grids -> Submission: the tool's own workbooks by their names, any other by alignment.

Workbooks made by the tool carry a hidden "_cchc" sheet (catalog, unit, period) and a defined
name on every input cell: those are read by name, not by alignment; rows inserted with a figure
and rows deleted (a name turned #REF!) are reported. In any other workbook every table of every
sheet is aligned with every shipped catalog; when a workbook holds several tables (sheets, or
last period's table under this one), the latest period is read and a warning names the others; a
table holding no figure (the blank form kept on a sheet of its own) is read only when all are blank.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from .. import catalog as catalog_module
from .. import findings, meta, periods, printed_rollup, sources
from ..catalog import Catalog, CatalogError
from ..cells import Place, parse_reference
from ..grid import MAX_GRID_ROWS, Grid, ReadError, Workbook, stacked
from ..submission import (DETAIL_HEADER_ROWS, DETAIL_SHEET, META_SHEET, ROLLUP_KIND, SUMMARY_SHEET, Submission,
                          defined_name, short_unit)
from .align import MIN_RECOGNITION_SCORE, Alignment, align, join_wrapped_labels, knows_abbreviations_of, learn_abbreviations
from .fill import add_figure, fill, shown_stt, warn_rows_added
from .header import Table, find_table, find_tables, for_period, place, unclear_figure_columns
from .rows import FileRow, cell_text, extract_rows, has_figure
from .title import unit_and_period, unit_from_filename


def read_workbook(path: str | os.PathLike, catalog: Catalog | None = None) -> Submission:
    """Read a filled workbook (.xlsx/.xlsm/.xls/.ods) without modifying it."""
    path = Path(path)
    workbook = sources.load(path)
    submission = read_grids(workbook, path, catalog)
    try:
        submission.modified = path.stat().st_mtime
    except OSError:
        pass
    return submission


def read_grids(workbook_or_grids: Workbook | Sequence[Grid], path: str | os.PathLike,
               catalog: Catalog | None = None) -> Submission:
    """The same from grids already in memory (the open workbook, through xlwings)."""
    path = Path(path)
    workbook = (workbook_or_grids if isinstance(workbook_or_grids, Workbook)
                else Workbook(str(path), list(workbook_or_grids)))
    metadata = _metadata(workbook)
    if metadata.get("tool") == "cchc-xl":
        return _read_own(workbook, path, metadata, catalog)
    return _read_foreign(workbook, path, catalog)


# ---------------------------------------------------------------------------------------------
# Workbooks made by the tool


def _metadata(workbook: Workbook) -> dict[str, str]:
    grid = workbook.grid(META_SHEET)
    return meta.decode(grid.rows) if grid is not None else {}


def _read_own(workbook: Workbook, path: Path, metadata: dict[str, str], forced: Catalog | None) -> Submission:
    catalog = forced or _catalog_from_metadata(path, metadata)
    period = periods.normalise(metadata.get("period")) or periods.normalise(metadata.get("period_text"))
    submission = Submission(path=str(path), catalog=catalog, unit=metadata.get("unit", ""),
                            period=period, period_text=metadata.get("period_text", ""),
                            period_source="metadata" if period else "", metadata=metadata)
    if metadata.get("kind") == ROLLUP_KIND:
        return _read_rollup(workbook, path, submission)
    return _read_named(workbook, path, submission)


def _read_rollup(workbook: Workbook, path: Path, submission: Submission) -> Submission:
    """A roll-up made by merge: the figures its summary sheet shows, read as a template's (by name, or
    as the sheet shows where the names were lost or moved), as a roll-up's table. Its unit is the one
    merge recorded, else one a person wrote in the sheet's title, never the file's name: the roll-up
    is of the unit that merged, not of a file name such as "th"."""
    summary = workbook.grid(SUMMARY_SHEET)
    if summary is None:  # deleted or renamed: the figures are in the state alone
        submission.findings.append(findings.make("rollup-summary-missing", (), None, sheet=SUMMARY_SHEET))
        printed_rollup.mark(submission)
        return submission
    recorded_unit = submission.unit
    notes = [note for note in workbook.notes if f"«{SUMMARY_SHEET}»" in note]  # its other sheets are not read
    shown = Workbook(workbook.path, [summary], workbook.defined_names, notes, workbook.title)
    try:
        read = _read_named(shown, path, submission)
    except ReadError as exc:
        if exc.code not in ("no-table", "form-not-recognised"):
            raise
        raise ReadError("rollup-summary-unreadable", file=path.name, sheet=SUMMARY_SHEET) from None
    if not recorded_unit and read.unit_from_file:
        read.unit, read.unit_from_file = "", False
    printed_rollup.mark(read)
    read.listed_units = _listed_units(workbook)
    return read


def _listed_units(workbook: Workbook) -> list[str] | None:
    """The units a roll-up's detail sheet lists (column A under its header); None without the sheet,
    or when its rows were cut (a long list read in part would seem to lack units)."""
    grid = workbook.grid(DETAIL_SHEET)
    if grid is None or len(grid.rows) >= MAX_GRID_ROWS:
        return None
    return [short_unit(text) for row in grid.rows[DETAIL_HEADER_ROWS:] if row and (text := cell_text(row[0]))]


def _read_named(workbook: Workbook, path: Path, submission: Submission) -> Submission:
    """The figures of a workbook of ours by the names of its input cells, or as its sheet shows them
    when the names are gone or moved; `submission` holds what its metadata says."""
    catalog = submission.catalog
    metadata = submission.metadata
    named = _named_cells(workbook, catalog)
    if not named or not _names_on_the_form(named):
        # Names lost on the way (saved as .xls or .ods by another program), or moved off the form to
        # cells the officer does not see: read like any file, from what the sheet shows.
        foreign = _read_foreign(workbook, path, catalog)
        foreign.unit = submission.unit or foreign.unit
        if submission.period:
            foreign.period, foreign.period_text = submission.period, submission.period_text
            foreign.period_source = submission.period_source
        foreign.metadata = metadata
        return foreign
    sheets = {grid.name: grid for grid, _, _ in named.values()}
    tables = {name: find_table(grid) for name, grid in sheets.items()}
    for row in catalog.rows:
        if row.id not in named:
            continue
        grid, r, c = named[row.id]
        table = tables.get(grid.name)
        note = cell_text(grid.value(r, table.note)) if table and table.note is not None else ""
        unit = cell_text(grid.value(r, table.unit)) if table and table.unit is not None else None
        add_figure(submission, grid, row, r, c, note, unit, row.stt)
    for row in catalog.rows:
        if row.is_input and row.id not in named and defined_name(row.id) in workbook.defined_names:
            # The name lost its cell (#REF!): the row was deleted from the form.
            submission.findings.append(findings.make(
                "row-missing", (row.id,), None, stt=shown_stt(row), label=row.label, catalog=catalog.name))
    for table in tables.values():
        if table is not None:
            warn_rows_added(submission, table, {r for grid, r, _ in named.values() if grid is table.grid})
    submission.sheet = next(iter(tables), "")
    if not (submission.unit and submission.period):
        # A blank template filled by hand: the unit and period are in its title lines.
        table = tables[submission.sheet]
        facts = unit_and_period(table, path, workbook) if table else None
        if not submission.unit:
            submission.unit = facts.unit if facts else unit_from_filename(path)
            submission.unit_from_file = facts.unit_from_file if facts else bool(submission.unit)
        if not submission.period and facts:
            submission.period, submission.period_text = facts.period, facts.period_text
            submission.period_source = facts.period_source
    return submission


def _names_on_the_form(named: dict[str, tuple[Grid, int, int]]) -> bool:
    """Every named input cell is where the template put it: in the figure column of the table on one
    visible sheet, in a visible row. A name pointed (Name Manager) at a hidden sheet, row or column
    would give figures other than those the sheet shows."""
    grids = {id(grid): grid for grid, _, _ in named.values()}
    if len(grids) != 1:
        return False
    (grid,) = grids.values()
    table = find_table(grid)
    if grid.hidden or table is None:
        return False
    return all(c in (table.value, table.percent) and r >= table.first_row and r not in grid.hidden_rows
               and c not in grid.hidden_cols for _, r, c in named.values())


def _catalog_from_metadata(path: Path, metadata: dict[str, str]) -> Catalog:
    catalog_id = metadata.get("catalog", "")
    try:
        return catalog_module.load(catalog_id)
    except CatalogError:
        raise ReadError("form-unknown", file=path.name, catalog=catalog_id) from None


def _named_cells(workbook: Workbook, catalog: Catalog) -> dict[str, tuple[Grid, int, int]]:
    cells = {}
    for row in catalog.rows:
        reference = workbook.defined_names.get(defined_name(row.id))
        found = parse_reference(reference) if reference else None
        if not found:
            continue
        sheet, r, c = found
        grid = workbook.grid(sheet)
        if grid is not None:
            cells[row.id] = (grid, r, c)
    return cells


# ---------------------------------------------------------------------------------------------
# Any other workbook


def _read_foreign(workbook: Workbook, path: Path, forced: Catalog | None) -> Submission:
    candidates: list[tuple[Table, list[FileRow]]] = []
    for grid in workbook.grids:
        if grid.name == META_SHEET:
            continue
        candidates.extend((table, extract_rows(table)) for table in find_tables(grid))
    if not candidates:
        for grid in workbook.grids:
            if columns := unclear_figure_columns(grid):
                raise ReadError("figure-column-unclear", file=path.name, sheet=grid.name, columns=", ".join(columns))
        raise ReadError("no-table", file=path.name,
                        notes=" (" + "; ".join(workbook.notes) + ")" if workbook.notes else "")
    catalogs = [forced] if forced else _shipped_catalogs(path)
    if not knows_abbreviations_of(catalogs):
        learn_abbreviations(catalogs)
        candidates = [(table, extract_rows(table)) for table, _ in candidates]
    found: list[tuple[Alignment, Table, list[FileRow]]] = []
    for table, rows in candidates:
        tried = []
        for candidate in catalogs:
            joined = join_wrapped_labels(rows, candidate)
            tried.append((align(joined, candidate), joined))
        best, joined = max(tried, key=lambda entry: entry[0].score)
        found.append((best, table, joined))
    recognised = [entry for entry in found if forced is not None or entry[0].score >= MIN_RECOGNITION_SCORE]
    if not recognised:
        alignment, table, _ = max(found, key=lambda entry: entry[0].score)
        names = ", ".join(c.id for c in catalogs)
        raise ReadError("form-not-recognised", file=path.name, sheet=table.grid.name, catalogs=names)
    # Sheets holding no table (a narrative cover sheet) may title the report with its period.
    with_tables = {id(table.grid) for table, _ in candidates}
    covers = [grid for grid in workbook.grids
              if id(grid) not in with_tables and grid.name != META_SHEET and not grid.hidden]
    read = _sheets_per_part(
        [(entry, unit_and_period(entry[1], path, workbook, covers)) for entry in recognised])
    (alignment, found_table, rows), facts = max(read, key=_table_rank)
    period = facts.period
    table = for_period(found_table, period)
    if table is not found_table:
        rows = join_wrapped_labels(extract_rows(table), alignment.catalog)
        alignment = align(rows, alignment.catalog)
    table, rows, alignment = _continued_on_next_sheet(workbook, table, rows, alignment)
    submission = Submission(path=str(path), catalog=alignment.catalog, unit=facts.unit, period=period,
                            period_text=facts.period_text, period_source=facts.period_source,
                            unit_from_file=facts.unit_from_file, sheet=table.grid.name)
    fill(submission, table, rows, alignment)
    printed_rollup.recognise(submission)
    continued_on = table.grid.continued[1] if table.grid.continued else None  # the sheet it was read on to
    others = [other for (_, other, _), _ in read
              if other is not found_table and not other.grid.hidden and other.grid.name != continued_on]
    if others and not table.grid.hidden:
        submission.findings.append(findings.make(
            "several-tables", (), _header_place(table), table=str(_header_place(table)),
            others=", ".join(str(_header_place(other)) for other in others), period=periods.label(period) or "không rõ kỳ"))
    if period and (named := table.column_period(table.value)) and _other_period(named, period):
        header = place(table.grid, table.header_row, table.value)
        submission.findings.append(findings.make(
            "column-of-other-period", (), header, column=table.value_header(),
            period=periods.label(period)))
    if any(f"«{table.grid.name}»" in note for note in workbook.notes):
        submission.findings.append(findings.make(
            "sheet-cut", (), place(table.grid, table.first_row, _first_column(table)),
            detail=next(n for n in workbook.notes if f"«{table.grid.name}»" in n)))
    return submission


def _continued_on_next_sheet(workbook: Workbook, table: Table, rows: list[FileRow],
                             alignment: Alignment) -> tuple[Table, list[FileRow], Alignment]:
    """A table whose last rows are on the next sheet, split there as over a page (the header typed
    again or not), is read as one: when the form's rows stop short at the end of this sheet and the
    next sheet's rows, read under them, carry on the form where they stopped."""
    grid = table.grid
    visible = [other for other in workbook.grids if other.name != META_SHEET and not other.hidden]
    following = next((visible[i + 1] for i, other in enumerate(visible[:-1]) if other is grid), None)
    catalog = alignment.catalog
    last = max(alignment.pairs.values(), default=len(catalog.rows))
    if (following is None or table.end_row is not None or grid.word_rows is not None
            or len(grid.rows) + len(following.rows) > MAX_GRID_ROWS
            or not any(row.takes_figure for row in catalog.rows[last + 1:])):
        return table, rows, alignment
    whole = stacked(grid, following)
    longer = next((other for other in find_tables(whole) if other.header_row == table.header_row), None)
    if longer is None:
        return table, rows, alignment
    longer_rows = join_wrapped_labels(extract_rows(longer), catalog)
    longer_alignment = align(longer_rows, catalog)
    carried_on = [j for i, j in longer_alignment.pairs.items() if longer_rows[i].r >= len(grid.rows)]
    on_next_sheet = [row for row in longer_rows if row.r >= len(grid.rows) and row.label]
    if carried_on and min(carried_on) > last and 2 * len(carried_on) >= len(on_next_sheet):
        return longer, longer_rows, longer_alignment
    return table, rows, alignment


def _other_period(named: tuple[int, str], period: str) -> bool:
    """A figure column's header names another period than the report's (year 0: it names no year)."""
    year, part = named
    report_year, report_part = period.split("-")
    return part != report_part or year not in (0, int(report_year))


def _header_place(table: Table) -> Place:
    return place(table.grid, table.header_row, _first_column(table))


def _first_column(table: Table) -> int:
    return table.stt if table.stt is not None else table.label


# A later period's table wins over an earlier one kept in the same workbook; within a year the
# cumulative reports come after the quarter they end.
_PERIOD_ORDER = {"Q1": 1, "Q2": 2, "6M": 3, "Q3": 4, "9M": 5, "Q4": 6, "Y": 7}


def _sheets_per_part(read: list) -> list:
    """A workbook of a sheet per part of the year ("Quý I", "Quý II", "Quý III"), each table titled with
    the year alone ("KẾT QUẢ CCHC NĂM 2023"): each table is of its sheet's part, not all of the year (the
    first sheet's quarter was read as the year's figures). A table naming no period is ranked by its
    sheet's part (`_table_rank`)."""
    parts = [periods.part_in_label(table.grid.name) for (_, table, _), _ in read]
    if len(set(parts) - {None}) < 2:
        return read
    dated = []
    for (entry, facts), part in zip(read, parts):
        if part and facts.period and facts.period.endswith("-Y") and facts.period_source != "column":
            sheet = entry[1].grid.name
            facts = facts._replace(period=f"{facts.period[:4]}-{part}", period_source="sheet-name",
                                   period_text=f"{sheet} ({facts.period_text})")
        dated.append((entry, facts))
    return dated


def _table_rank(entry) -> tuple:
    """Visible sheets before hidden ones, a table holding figures before a blank copy of the form (the
    template kept on a sheet of its own, next quarter's prepared ahead), then the latest period (of a
    table naming none, the latest part of the year its sheet's name names), then the best match (max
    keeps the first sheet on a tie)."""
    (alignment, table, rows), facts = entry
    period = facts.period
    year, part = period.split("-") if period else ("0", periods.part_in_label(table.grid.name) or "")
    return (not table.grid.hidden, any(map(has_figure, rows)), int(year), _PERIOD_ORDER.get(part, 0),
            round(alignment.score, 2))


def _shipped_catalogs(path: Path) -> list[Catalog]:
    try:
        catalogs = catalog_module.load_all()
    except CatalogError as exc:
        raise ReadError("catalogs-unreadable", file=path.name, detail=exc) from None
    if not catalogs:
        raise ReadError("no-catalogs", file=path.name)
    return catalogs
