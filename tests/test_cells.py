"""Cell addresses: column letters, A1 text, sheet quoting and references round-trip, within XFD1048576."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cchc_xl.cells import (MAX_COLS, MAX_ROWS, Place, cell_name, column_index, column_letter, parse_cell,
                           parse_reference, quote_sheet, reference, split_reference, unquote_sheet)


def test_every_column_letter_round_trips():
    letters = [column_letter(c) for c in range(MAX_COLS)]
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"] and letters[-1] == "XFD"
    assert [column_index(text) for text in letters] == list(range(MAX_COLS))
    assert column_index("xfd") == MAX_COLS - 1
    assert len(set(letters)) == MAX_COLS


@given(st.integers(0, MAX_ROWS - 1), st.integers(0, MAX_COLS - 1), st.booleans())
def test_cell_names_round_trip(r, c, absolute):
    name = cell_name(r, c, absolute=absolute)
    assert name.startswith("$") == absolute
    assert parse_cell(name) == (r, c)
    assert parse_cell(name.lower()) == (r, c)


def test_the_last_cell_and_beyond():
    assert parse_cell("XFD1048576") == (MAX_ROWS - 1, MAX_COLS - 1)
    assert cell_name(MAX_ROWS - 1, MAX_COLS - 1, absolute=True) == "$XFD$1048576"
    for outside in ("XFE1", "A1048577", "A0", "ZZZ1", "AAAA1", "D", "12", "D-1", "D12:D14", "D 12", "", "Bảng 2"):
        assert parse_cell(outside) is None, outside


SHEET_NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="[]:*?/\\"),
                      min_size=1, max_size=31)


@given(SHEET_NAMES)
def test_quoting_round_trips(name):
    quoted = quote_sheet(name)
    assert quoted.startswith("'") and quoted.endswith("'") and quoted.count("'") == name.count("'") * 2 + 2
    assert unquote_sheet(quoted) == name


def test_quoting_names_offices_use():
    assert quote_sheet("Phụ lục") == "'Phụ lục'"
    assert quote_sheet("Bà's sheet") == "'Bà''s sheet'"
    assert unquote_sheet("Sheet1") == "Sheet1"
    assert reference("Biểu 01 (Quý I)", 11, 3, absolute=True) == "'Biểu 01 (Quý I)'!$D$12"


@given(SHEET_NAMES, st.integers(0, MAX_ROWS - 1), st.integers(0, MAX_COLS - 1), st.booleans())
def test_references_round_trip(sheet, r, c, absolute):
    text = reference(sheet, r, c, absolute=absolute)
    assert split_reference(text) == (sheet, cell_name(r, c))
    assert parse_reference("=" + text) == (sheet, r, c)


def test_split_reference_as_findings_and_marks_write_cells():
    assert split_reference("Phụ lục!D12") == ("Phụ lục", "D12")
    assert split_reference("'Phụ lục'!$d$12") == ("Phụ lục", "D12")
    assert split_reference("D12") == ("", "D12")


def test_parse_reference_refuses_what_is_no_single_cell():
    assert parse_reference(" ='It''s'!$B$3 ") == ("It's", 2, 1)
    for text in ("#REF!", "=Sheet1!$D$12:$D$14", "=Sheet1!D", "=Sheet1", "=SUM(Sheet1!D1)"):
        assert parse_reference(text) is None, text


def test_places_render_as_people_find_them():
    assert str(Place("Phụ lục", 11, 3)) == "Phụ lục!D12"
    assert Place("Phụ lục", 11, 3).to_json() == {"sheet": "Phụ lục", "row": 12, "column": "D"}
    word = Place("Bảng 2-3", 40, 3, table=3, table_row=12, column_name="Số liệu", word=True)
    assert str(word) == "Bảng 3, dòng 12, cột Số liệu"
    assert word.to_json() == {"table": 3, "row": 12, "column": "Số liệu"}
    assert str(Place("Bảng 2", 1, 0, word=True)) == "Bảng 2, phần tiêu đề phía trên bảng"
    assert str(Place("Bảng 2", 5, 4, table=2, table_row=3, word=True)) == "Bảng 2, dòng 3, cột 5"


def test_a_finding_carries_its_place_as_data_and_renders_it_once():
    import datetime
    from fractions import Fraction

    from cchc_xl import findings

    at = Place("Phụ lục", 11, 3)
    found = findings.make("percent-range", ("1.1",), at, value=Fraction(301, 2), expected=datetime.date(2024, 3, 1),
                          stt="1.1", label="Tỷ lệ")
    assert found.cell == "Phụ lục!D12" and found.place == at
    data = found.to_json()
    assert data["cell"] == "Phụ lục!D12" and data["place"] == {"sheet": "Phụ lục", "row": 12, "column": "D"}
    assert data["value"] == 150.5 and data["expected"] == "2024-03-01"
    by_text = findings.make("percent-range", ("1.1",), "Phụ lục!D12", value=float("inf"), stt="1.1", label="Tỷ lệ")
    assert by_text.place is None and by_text == findings.make("percent-range", ("1.1",), at, value=float("inf"),
                                                              stt="1.1", label="Tỷ lệ")
    assert by_text.to_json()["place"] is None and by_text.to_json()["value"] == "inf"
