"""The pre-scan and calamine agree on a sheet's extent, however the XML spells it.

Hypothesis writes sheets in the spellings XML allows and Excel never uses (either quote, white
space around "=", any case of a cell reference, a prefix, an attribute given twice, ">" inside a
value, rows and cells placed by counting) and checks that the extent the scan finds holds the
range calamine builds: the scan can then cut or refuse whatever calamine would allocate.
"""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import hostile
from cchc_xl.cells import column_letter
from cchc_xl.sources import xlsx
from profiles import examples

SPACE = st.sampled_from([" ", "\t", "\n", "  "])
QUOTE = st.sampled_from(['"', "'"])
EQUALS = st.sampled_from(["=", " =", "= ", " = ", "\t=\n"])


@st.composite
def reference(draw) -> str:
    letters = column_letter(draw(st.integers(0, 40)))
    letters = draw(st.sampled_from([letters, letters.lower(), letters.swapcase()]))
    number = str(draw(st.integers(1, 40)))
    return letters + draw(st.sampled_from(["", "0", "00"])) + number


@st.composite
def attribute(draw, name: str, value: str) -> str:
    quote = draw(QUOTE)
    return f"{draw(SPACE)}{name}{draw(EQUALS)}{quote}{value}{quote}"


@st.composite
def cell(draw) -> str:
    prefix = draw(st.sampled_from(["", "x:"]))
    attributes = []
    for _ in range(draw(st.integers(0, 2))):  # none (placed by counting), one, or given twice
        attributes.append(draw(attribute(draw(st.sampled_from(["r", "r", "R", "x:r"])), draw(reference()))))
    if draw(st.booleans()):
        attributes.append(draw(attribute("s", draw(st.sampled_from(["3", "0"])))))
    if draw(st.booleans()):
        attributes.append(draw(attribute("x:note", draw(st.sampled_from([">", "/>", "a>b", "r=", "'"])))))
    kind = draw(st.sampled_from(["n", "s", "str", "inlineStr", None]))
    if kind:
        attributes.insert(draw(st.integers(0, len(attributes))), draw(attribute("t", kind)))
    draw(st.randoms()).shuffle(attributes)
    content = {"s": "<v>0</v>", "inlineStr": "<is><t>a</t></is>", "str": "<v>a</v>"}.get(kind or "", "<v>1</v>")
    content = draw(st.sampled_from([content, "", None, "<f>1+1</f>"]))
    opening = f"<{prefix}c{''.join(attributes)}{draw(st.sampled_from(['', ' ']))}"
    return f"{opening}/>" if content is None else f"{opening}>{content.replace('<', f'<{prefix}')}</{prefix}c>"


@st.composite
def row(draw) -> str:
    attributes = "".join(draw(attribute(draw(st.sampled_from(["r", "r", "x:r"])), str(draw(st.integers(1, 40)))))
                         for _ in range(draw(st.integers(0, 2))))
    cells = "".join(draw(st.lists(cell(), max_size=4)))
    return f"<row{attributes}>{cells}</row>"


def calamine_extent(data: bytes) -> tuple[int, int, int] | None:
    """(last row, last column, cells of the dense range) calamine builds, counted from 1; None
    when calamine refuses the sheet."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception:
        return None
    if sheet.end is None:
        return 0, 0, 0
    (top, left), (bottom, right) = sheet.start, sheet.end
    return bottom + 1, right + 1, (bottom - top + 1) * (right - left + 1)


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(row(), min_size=1, max_size=5))
# Quotes run together: calamine does not see the position and places the cell by counting (A2).
@example(rows=["<row></row>", """<row><c t="n" x:note=''' r="A1"><v>1</v></c>"""
                                """<c t="n" R="A1" x:note='>' r="A1"><v>1</v></c></row>"""])
def test_the_scan_holds_what_calamine_builds(rows):
    body = hostile.sheet("".join(rows).encode(), dimension=b"").replace(
        b"<worksheet ", b'<worksheet xmlns:x="' + hostile.MAIN.encode() + b'" ', 1)
    built = calamine_extent(hostile.xlsx(sheet_xml=body))
    if built is None:
        return
    for scan in (xlsx._scan_sheet_xml(body, set()), xlsx._scan_small_sheet(body, set()),
                 xlsx._scan_explicit_cells(body, set())):
        if scan is not None:
            assert (scan.rows, scan.cols) >= built[:2] and scan.rows >= built[0] and scan.cols >= built[1]
            assert scan.cells >= built[2]


def test_the_scan_and_calamine_agree_exactly_on_plain_and_other_spellings():
    plain = b'<row r="2"><c r="B2"><v>1</v></c><c r="D5"><v>1</v></c></row>'
    for cells in (plain, plain.replace(b'"', b"'"), plain.replace(b"r=", b"r = "), plain.lower(),
                  plain.replace(b'<c r="D5"', b'<c r="A1" r="D5"')):
        body = hostile.sheet(cells, dimension=b"")
        assert calamine_extent(hostile.xlsx(sheet_xml=body)) == (5, 4, 12)
        scan = xlsx._scan_sheet_xml(body, set())
        assert (scan.rows, scan.cols) == (5, 4) and scan.cells >= 12, cells
