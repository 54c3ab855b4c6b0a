import datetime
from dataclasses import dataclass

import pytest
from hypothesis import given, strategies as st

from cchc_xl.values import parse_figure, parse_number


@dataclass
class FakeRow:
    kind: str = "count"
    codes: dict | None = None


COUNT = FakeRow("count")
PERCENT = FakeRow("percent")
YESNO = FakeRow("yesno", {0: "Không", 1: "Có"})
SURVEY = FakeRow("code", {0: "Trực tuyến", 1: "Phát phiếu", 2: "Kết hợp"})
PROGRESS = FakeRow("code", {0: "Chưa", 1: "Đang làm", 2: "Hoàn thành"})
REGULATION = FakeRow("yesno", {0: "Không ban hành QC", 1: "Có ban hành QC"})


@pytest.mark.parametrize("raw, expected", [
    ("1.730", 1730), ("15.780", 15780), ("2.933", 2933), ("1.234.567", 1234567),
    ("91,3", 91.3), ("06", 6), ("08", 8), ("0", 0), (" 12 ", 12), ("1 730", 1730),
    ("1\u00a0730", 1730), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1,234,567", 1234567),
    ("91.3", 91.3), ("0.5", 0.5), ("0.500", 0.5), ("1,234", 1.234), ("-5", -5),
    (6, 6), (6.0, 6), (91.3, 91.3), (0, 0),
])
def test_counts_and_number_text(raw, expected):
    assert parse_figure(raw, COUNT) == (expected, None)
    assert type(parse_figure(raw, COUNT)[0]) is type(expected)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "- -", "--", "—", "nt", "NT", "như trên", "Như  trên", "x", "X"])
def test_not_reported(raw):
    assert parse_figure(raw, COUNT) == (None, None)


@pytest.mark.parametrize("raw", ["abc", "12a", "1.2.3,4,5", "1..2", "khoảng 10", "10 hồ sơ",
                                 float("nan"), True])
def test_unreadable_is_a_problem_not_an_exception(raw):
    assert parse_figure(raw, COUNT) == (None, "not-a-number")


def test_a_figure_excel_turned_into_a_date_is_its_own_problem():
    assert parse_figure(datetime.datetime(2024, 5, 1), COUNT) == (None, "date-typed")


def test_percent_text_and_numbers():
    assert parse_figure("99,53%", PERCENT) == (99.53, None)
    assert parse_figure("99,04 %", PERCENT) == (99.04, None)
    assert parse_figure("100", PERCENT) == (100, None)
    assert parse_figure(50, PERCENT) == (50, None)


def test_percent_stored_as_fraction_with_percent_format():
    assert parse_figure(0.5, PERCENT, percent_format=True) == (50, None)
    assert parse_figure(0.9953, PERCENT, percent_format=True) == (99.53, None)
    assert parse_figure(1, PERCENT, percent_format=True) == (100, None)
    # without the format 0.5 stays 0.5: the reader alone knows how the cell is shown
    assert parse_figure(0.5, PERCENT) == (0.5, None)
    # text in a percent-formatted cell is read as written
    assert parse_figure("50", PERCENT, percent_format=True) == (50, None)


@pytest.mark.parametrize("row, raw, code", [
    (YESNO, "Có", 1), (YESNO, "co", 1), (YESNO, "KHÔNG", 0), (YESNO, 1, 1), (YESNO, "1", 1),
    (YESNO, True, 1), (SURVEY, "Kết hợp", 2), (SURVEY, "ket hop", 2), (SURVEY, "phát  phiếu", 1),
    (PROGRESS, "Hoàn thành", 2), (PROGRESS, "hoan thanh", 2), (PROGRESS, "Chưa", 0),
    (REGULATION, "Có", 1), (REGULATION, "Không", 0), (REGULATION, "có ban hành QC", 1),
])
def test_coded_rows_accept_code_or_legend_word(row, raw, code):
    assert parse_figure(raw, row) == (code, None)


def test_a_code_number_is_not_read_as_a_legend_word():
    meeting = FakeRow("code", {0: "Chưa có", 1: "2 cấp", 2: "3 cấp"})
    assert parse_figure("2", meeting) == (2, None)
    assert parse_figure("2 cấp", meeting) == (1, None)


def test_coded_row_with_an_unknown_word():
    assert parse_figure("Đã xong", PROGRESS) == (None, "code-unknown")
    assert parse_figure("-", PROGRESS) == (None, None)


@given(st.integers(min_value=0, max_value=10**12))
def test_vietnamese_thousands_round_trip(number):
    text = f"{number:,}".replace(",", ".")
    assert parse_number(text) == number


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_vietnamese_decimals_round_trip(whole, hundredths):
    text = f"{whole:,}".replace(",", ".") + f",{hundredths:02d}"
    assert parse_number(text) == pytest.approx(whole + hundredths / 100)
