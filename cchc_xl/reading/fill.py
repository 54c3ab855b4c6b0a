"""A table's figures into a Submission, with what is wrong with each: the reader's findings.

Each aligned row's figure cell is parsed for its catalog row (counts, percents, coded answers); a
percent typed as a fraction, a unit other than the form's, a figure on a group heading, a figure
typed in the note column, rows the form does not have, rows it has that are missing and
"Trong đó" rows left without their parent row are reported.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Any

from .. import findings
from ..cells import Place
from ..grid import Grid
from ..periods import fold
from ..submission import Figure, Submission
from ..values import is_not_reported, parse_figure, tidy
from .align import Alignment, catalog_index, label_similarity
from .header import Table, place
from .rows import (CACHED_TEXT_LENGTH, WORD, FileRow, cell_text, extract_rows, has_figure, is_numbered,
                   row_text, stt_key)


def fill(submission: Submission, table: Table, rows: list[FileRow], alignment: Alignment) -> None:
    catalog = alignment.catalog
    grid = table.grid
    matched = set()
    in_notes = False  # numbered lines under a "Ghi chú:" line are remarks, not rows of the form
    for i, row in enumerate(rows):
        j = alignment.pairs.get(i)
        if j is None:
            in_notes = in_notes or _is_notes_heading(row)
            if _looks_like_data(row) and not row.hidden and not (in_notes and not has_figure(row)):
                submission.findings.append(findings.make(
                    "unknown-row", (), place(grid, row.r, table.label), value=row_text(row),
                    stt=row.stt, label=row.label, catalog=catalog.name))
            continue
        in_notes = False
        catalog_row = catalog.rows[j]
        matched.add(catalog_row.id)
        if catalog_row.is_heading:
            value, _ = parse_figure(row.raw, _COUNT_ROW)
            if value is not None or (isinstance(row.raw, str) and not is_not_reported(row.raw)):
                submission.findings.append(findings.make(
                    "figure-on-group", (catalog_row.id,), place(grid, row.r, table.value), value=row.raw,
                    stt=shown_stt(catalog_row, row.stt), label=catalog_row.label, catalog=catalog.name))
            continue
        if not (catalog_row.takes_figure or catalog_row.kind == "text"):
            continue
        column = _figure_column(table, row.r, catalog_row)
        raw = add_figure(submission, grid, catalog_row, row.r, column, row.note, row.unit, row.stt)
        if table.note is not None and catalog_row.takes_figure and _is_blank(raw):
            _warn_figure_in_note(submission, table, row, catalog_row)
    for catalog_row in catalog.rows:
        if catalog_row.takes_figure and catalog_row.id not in matched:
            submission.findings.append(findings.make(
                "row-missing", (catalog_row.id,), None, stt=shown_stt(catalog_row), label=catalog_row.label,
                catalog=catalog.name))
    _warn_orphan_parts(submission, table, rows, alignment, matched)
    _warn_merged_figures(submission, table, rows, alignment)


def _warn_merged_figures(submission: Submission, table: Table, rows: list[FileRow], alignment: Alignment) -> None:
    """A figure cell merged down over the next rows' figure cells: Excel and Word keep the figure in the
    first row only, so the rows under it are read as blank. Which rows the person meant it for cannot
    be told; they are named so the cell is split and each row given its figure."""
    catalog = alignment.catalog
    by_r = {row.r: catalog.rows[j] for i, row in enumerate(rows)
            if (j := alignment.pairs.get(i)) is not None and catalog.rows[j].takes_figure}
    for r0, c0, r1, c1 in table.grid.merged:
        if not (c0 <= table.value <= c1 and r1 > r0 and r0 in by_r) or _is_blank(table.grid.value(r0, c0)):
            continue
        under = [by_r[r] for r in range(r0 + 1, r1 + 1) if r in by_r]
        if under:
            first = by_r[r0]
            read = submission.values.get(first.id)
            submission.findings.append(findings.make(
                "figure-merged", (first.id, *(row.id for row in under)), place(table.grid, r0, c0),
                value=table.grid.value(r0, c0) if read is None else read, stt=shown_stt(first), label=first.label,
                others=", ".join(shown_stt(row) for row in under)))


def _warn_orphan_parts(submission: Submission, table: Table, rows: list[FileRow], alignment: Alignment,
                       matched: set[str]) -> None:
    """"Trong đó" rows whose parent row was deleted, with the same label as the parts of another
    block whose parent is missing too (3.4.1.a and 3.4.2.a): only their position placed them, so
    the person is told where they went."""
    catalog = alignment.catalog
    index = catalog_index(catalog)
    placed = set(alignment.pairs.values())
    blocks: dict[int, list[tuple[int, int]]] = {}
    for i, j in sorted(alignment.pairs.items()):
        parent = index.block_of[j]
        if not index.numbered[j] and parent >= 0 and catalog.rows[parent].id not in matched:
            blocks.setdefault(parent, []).append((i, j))
    for parent, parts in blocks.items():
        for other in sorted(index.parts):
            if other == parent or catalog.rows[other].id in matched:
                continue
            free = [k for k in index.parts[other] if k not in placed]
            if all(any(label_similarity(rows[i].words, index.words[k][0]) >= 0.99 for k in free) for i, _ in parts):
                i, j = parts[0]
                submission.findings.append(findings.make(
                    "parts-without-parent", (catalog.rows[j].id,), place(table.grid, rows[i].r, table.label),
                    value=rows[i].label, stt=shown_stt(catalog.rows[parent]), label=catalog.rows[parent].label,
                    other=f"{shown_stt(catalog.rows[other])} «{catalog.rows[other].label}»"))
                break


def _warn_figure_in_note(submission: Submission, table: Table, row: FileRow, catalog_row) -> None:
    """An empty figure cell with a bare number in the note column: typed one column too far."""
    if table.note is None:
        return
    note = table.grid.value(row.r, table.note)
    if isinstance(note, bool) or not isinstance(note, (int, float, str)):
        return
    value, problem = parse_figure(note, catalog_row)
    if value is not None and problem is None:
        submission.findings.append(findings.make(
            "figure-in-note", (catalog_row.id,), place(table.grid, row.r, table.note), value=note,
            stt=shown_stt(catalog_row, row.stt), label=catalog_row.label))


def _figure_column(table: Table, r: int, row) -> int:
    """The figure column; for a percent row left empty there, the table's percent column."""
    if row.kind == "percent" and table.percent is not None and _is_blank(table.grid.value(r, table.value)):
        return table.percent
    return table.value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and is_not_reported(value))


def shown_stt(row, file_stt: str = "") -> str:
    """The STT a person sees for a row; unnumbered rows ("Trong đó" blocks) show their id."""
    if row.stt and fold(row.stt) != "trong do":
        return row.stt
    return file_stt if is_numbered(stt_key(file_stt)) else row.id


class _CountRow:
    kind: str = "count"
    codes: dict[int, str] | None = None


_COUNT_ROW = _CountRow()


def add_figure(submission: Submission, grid: Grid, row, r: int, c: int, note: str, unit: str | None,
                file_stt: str) -> Any:
    """Record the row's figure from cell (r, c) with what is wrong with it; the cell's value."""
    raw = grid.value(r, c)
    cell = place(grid, r, c)
    if row.kind == "text":
        submission.figures[row.id] = Figure(row.id, str(cell), raw, None, note, place=cell)
        return raw
    shows_percent = _shows_percent(grid, r, c, row, raw)
    value, problem = parse_figure(raw, row, percent_format=shows_percent)
    submission.figures[row.id] = Figure(row.id, str(cell), raw, value, note, place=cell)
    if row.kind == "percent" and value is not None and 0 < value < 1 and not shows_percent and "%" not in str(raw):
        # 0,95 in a General cell: 0,95 % as written, but perhaps meant as 95 %. Kept as written.
        submission.findings.append(findings.make(
            "percent-fraction", (row.id,), cell, value=value, expected=tidy(value * 100),
            stt=shown_stt(row, file_stt), label=row.label))
    if problem:
        legend = ", ".join(f"{meaning} = {code}" for code, meaning in sorted((row.codes or {}).items()))
        submission.findings.append(findings.make(
            problem, (row.id,), cell, value=_shown_raw(raw), stt=shown_stt(row, file_stt), label=row.label,
            legend=legend, catalog=submission.catalog.name))
    if unit and _unit_differs(unit, row.unit):
        submission.findings.append(findings.make(
            "unit-differs", (row.id,), _unit_cell(grid, r, c, unit),
            value=unit, expected=row.unit, stt=shown_stt(row, file_stt), label=row.label,
            catalog=submission.catalog.name))
    return raw


def _shown_raw(raw: Any) -> Any:
    """A cell value as the person sees it in Excel (dates day/month/year, TRUE/FALSE)."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, _dt.datetime) and (raw.hour, raw.minute, raw.second) != (0, 0, 0):
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, _dt.date):
        return raw.strftime("%d/%m/%Y")
    return raw


def _unit_cell(grid: Grid, r: int, value_col: int, unit: str) -> Place:
    """The address of the unit cell a person typed (a sheet cell, or a Word table's row and column)."""
    for c in range(max(0, value_col - 3), value_col + 1):
        if cell_text(grid.value(r, c)) == unit:
            return place(grid, r, c)
    return place(grid, r, value_col)


def _shows_percent(grid: Grid, r: int, c: int, row, raw: Any) -> bool:
    if row.kind != "percent":
        return False
    if grid.formats_known:
        return (r, c) in grid.percent_cells
    # Formats unknown (.xls, an open workbook): a fraction strictly between 0 and 1 on a percent
    # row is taken as a percent-formatted cell (0,5 shown as 50%). A real 0,5 % is read as 50.
    return isinstance(raw, float) and 0 < raw < 1


def _unit_differs(found: str, expected: str) -> bool:
    if len(found) > CACHED_TEXT_LENGTH:
        return _unit_words_differ(found, expected)
    return _unit_differs_cached(found, expected)


@lru_cache(maxsize=4096)
def _unit_differs_cached(found: str, expected: str) -> bool:
    return _unit_words_differ(found, expected)


def _unit_words_differ(found: str, expected: str) -> bool:
    found_words = sorted(WORD.findall(fold(found)))
    if is_not_reported(found):
        return False
    if not found_words:  # a symbol alone: "%" typed as the unit of a count row is a changed unit
        return "%" in found and "%" not in expected

    return found_words != sorted(WORD.findall(fold(expected)))


def _looks_like_data(row: FileRow) -> bool:
    """Rows worth a warning: a figure, or a numbered label; a lone text line is a wrapped label."""
    return has_figure(row) or (is_numbered(row.stt_key) and bool(row.label))


def _is_notes_heading(row: FileRow) -> bool:
    return fold(row.label or row.stt).startswith(("ghi chu", "chu thich", "luu y")) and not has_figure(row)


def warn_rows_added(submission: Submission, table: Table, named_rows: set[int]) -> None:
    """Rows a person inserted into the tool's form with a figure on them: not counted, and said so."""
    index = catalog_index(submission.catalog)
    for row in extract_rows(table):
        if row.r in named_rows or not has_figure(row) or row.hidden:
            continue
        if any(label_similarity(row.words, words) >= 0.9 for variants in index.words for words in variants):
            continue  # a row of the form itself (a percent computed by its formula)
        submission.findings.append(findings.make(
            "unknown-row", (), place(table.grid, row.r, table.label), value=row_text(row),
            stt=row.stt, label=row.label, catalog=submission.catalog.name))
