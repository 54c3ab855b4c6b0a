"""The quick scan of .xlsx sheet XML finds exactly what the tag-by-tag scan finds, or steps aside."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl import grid
from cchc_xl.sources import xlsx
from cchc_xl.sources.calamine import SheetScan
from profiles import examples

# Cell and row tags as real files hold them, and forms only the tag-by-tag scan can place.
PIECES = [
    b'<row r="3">', b'<row r="7" hidden="1">', b'<row hidden="true">', b'<row r="9" spans="1:5">', b"</row>",
    b'<c r="B3" s="3"/>', b'<c r="C3" s="3" t="s"/>', b'<c r="D4" s="3"><v>0.5</v></c>', b'<c r="E4" s="03"><v>1</v></c>',
    b'<c r="F5" s="13" t="n"><v>1</v></c>', b'<c r="G6"><v>2</v></c>', b'<c r="H7" s="2" s="3"><v>1</v></c>',
    b'<c r="BM3000" s="3"><v>1</v></c>', b'<c r="A3001" s="3"><v>1</v></c>', b'<c r="XFD1048576"><v>1</v></c>',
    b'<c r="J10" t="e" s="1"><v>#DIV/0!</v></c>', b'<c r="K11" r="A1"><v>1</v></c>', b'<c  r="N3"/>',
    b'<c s="3" r="D4"><v>1</v></c>', b"<c><v>2</v></c>", b'<c r="d5" s="3"><v>1</v></c>', b'<c r="" s="1"/>',
    b'<c r="E" s="1"><v>1</v></c>', b'<x:c r="F6" s="3"><x:v>1</x:v></x:c>', b'<c\tr="G7"\ts="3"/>',
    b'<c-x r="A1"/>', b'<col min="1" max="3" hidden="1"/>', b'<is><t>a:c</t></is>',
]


def scans(body: bytes, styles: set[int]):
    quick = xlsx._scan_explicit_cells(body, styles)
    full = xlsx._scan_tag_by_tag(body, styles)
    return quick, full


def found(scan: SheetScan) -> tuple:
    return scan.rows, scan.cols, scan.cells, scan.percent_cells, scan.hidden_rows


@settings(max_examples=examples(3000), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from([set(), {3}, {1, 3}, {13}, {2}]))
def test_quick_scan_agrees_or_steps_aside(pieces, styles):
    body = b"<sheetData>" + b"".join(pieces) + b"</sheetData>"
    quick, full = scans(body, styles)
    if quick is not None:
        assert found(quick) == found(full)


def test_a_sheet_written_the_usual_way_takes_the_quick_scan():
    body = (b'<sheetData><row r="2"><c r="B2" s="1" t="s"><v>0</v></c><c r="D2" s="3"><v>0.9953</v></c>'
            b'<c r="E2" s="3"/></row><row r="5" hidden="1"><c r="C5" s="2"><v>7</v></c></row></sheetData>')
    quick, full = scans(body, {3})
    assert quick is not None and found(quick) == found(full)
    assert quick.percent_cells == {(1, 3)} and quick.hidden_rows == {4}
    assert (quick.rows, quick.cols, quick.cells) == (5, 4, 12)  # the empty styled E2 is not counted


def test_cells_placed_by_counting_take_the_full_scan():
    body = b'<sheetData><row r="1"><c s="3"><v>1</v></c><c r="C1"><v>2</v></c></row></sheetData>'
    assert xlsx._scan_explicit_cells(body, {3}) is None
    assert xlsx._scan_sheet_xml(body, {3}).percent_cells == {(0, 0)}


def test_row_cut_finds_the_first_row_past_the_limit():
    inside = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="3000"></row></sheetData>'
    assert xlsx._row_cut(inside) is None
    for number in (b"3001", b"03001", b"99999999999999999999"):
        body = inside.replace(b"</sheetData>", b'<row spans="1:2" r="' + number + b'"></row></sheetData>')
        assert body[xlsx._row_cut(body):].startswith(b'<row spans="1:2" r="' + number)


def test_a_sheet_with_more_cells_than_a_grid_holds_is_not_listed_at_once():
    body = b"<sheetData>" + b'<c r="A1"/>' * (grid.MAX_SHEET_CELLS + 1) + b"</sheetData>"
    assert xlsx._scan_explicit_cells(body, set()) is None


SMALL_PIECES = PIECES + [b'<c r="AZ999" s="3"><v>1</v></c>', b'<c r="BA2" s="3"><v>1</v></c>',
                         b'<c r="A1000" s="3"><v>1</v></c>', b'<c r="C4" t="n" s="3"><v>1</v></c>',
                         b'<c r="C5" s="3" t="s"><v>0</v></c>', b'<c r="D6" s="1" s="3"><v>1</v></c>']


@settings(max_examples=examples(3000), deadline=None)
@given(st.lists(st.sampled_from(SMALL_PIECES), max_size=14), st.sampled_from([set(), {3}, {1, 3}, {13}, {2}]))
def test_the_small_sheet_scan_is_within_the_limits_and_finds_what_the_full_scan_finds(pieces, styles):
    body = b"<sheetData>" + b"".join(pieces) + b"</sheetData>"
    small = xlsx._scan_small_sheet(body, styles)
    if small is None:
        return
    full = xlsx._scan_tag_by_tag(body, styles)
    assert full.rows <= small.rows <= grid.MAX_GRID_ROWS and full.cols <= small.cols <= grid.MAX_GRID_COLS
    assert small.cells <= grid.MAX_SHEET_CELLS
    assert (small.percent_cells, small.hidden_rows) == (full.percent_cells, full.hidden_rows)
    assert small.errors == xlsx._xlsx_error_cells(body)


def test_the_usual_sheet_takes_the_small_scan_and_a_far_cell_does_not():
    body = (b'<sheetData><row r="2"><c r="B2" s="1" t="s"><v>0</v></c><c r="D2" s="3"><v>0.9953</v></c>'
            b'<c r="E2" s="3"/></row></sheetData>')
    assert xlsx._scan_small_sheet(body, {3}).percent_cells == {(1, 3)}
    for far in (b'<c r="BA2"/>', b'<c r="A1000"/>', b'<c r="XFD1048576"><v>1</v></c>'):
        assert xlsx._scan_small_sheet(body.replace(b"</sheetData>", far + b"</sheetData>"), {3}) is None
