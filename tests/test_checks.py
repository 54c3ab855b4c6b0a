"""Checks on Submissions built directly: rule cases as data (tests/cases/checks/*.json) and the
properties of the percent rule."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl import catalog as catalog_module
from cchc_xl import checks, values
from cchc_xl.findings import ERROR, WARNING, flatten, make
from cchc_xl.submission import Figure, Submission
from profiles import examples

CASES_DIR = Path(__file__).parent / "cases" / "checks"
FIRST_ROW = 8  # the sheet row of the catalog's first row, as in a form with a title block


def load_catalog(name: str):
    local = CASES_DIR / f"{name}.catalog.json"
    return catalog_module.load(str(local) if local.exists() else name)


def submission_of(catalog, figures: dict) -> Submission:
    """A Submission as the reader makes it: every catalog row found on the sheet, in order, with
    the raw cell text turned into a value the way the reader does."""
    sub = Submission(path="case.xlsx", catalog=catalog, unit="UBND xã Thử", period="2024-Q1", sheet="Phụ lục")
    for index, row in enumerate(catalog.rows):
        cell = f"Phụ lục!D{FIRST_ROW + index}"
        raw, percent_format = figures.get(row.id), False
        if isinstance(raw, dict):
            raw, percent_format = raw["raw"], raw.get("percent_format", False)
        if row.kind == "text":
            sub.figures[row.id] = Figure(row.id, cell, raw=raw, value=None)
            continue
        value, problem = values.parse_figure(raw, row, percent_format=percent_format)
        if problem:
            sub.findings.append(make(problem, [row.id], cell, stt=row.stt, label=row.label, value=raw))
        sub.figures[row.id] = Figure(row.id, cell, raw=raw, value=value)
    return sub


def _cases():
    for path in sorted(CASES_DIR.glob("*.json")):
        if path.name.endswith(".catalog.json"):
            continue
        data = json.loads(path.read_text("utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["catalog"], {**data.get("base", {}), **case["figures"]}, case,
                               id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("catalog_name, figures, case", list(_cases()))
def test_rule_case(catalog_name, figures, case):
    found = checks.check(submission_of(load_catalog(catalog_name), figures))
    assert flatten(found, ["rule", "ids"]) == [[rule, tuple(ids)] for rule, ids in case["expect"]]
    for text in case.get("message_contains", []):
        assert any(text in finding.message for finding in found), (text, [f.message for f in found])
    if "cells_of" in case:  # each finding points at the cell of the row named
        catalog = load_catalog(catalog_name)
        rows = [row.id for row in catalog.rows]
        assert [f.cell for f in found] == [f"Phụ lục!D{FIRST_ROW + rows.index(row_id)}" for row_id in case["cells_of"]]
    if "severity" in case:
        assert {finding.severity for finding in found} == {case["severity"]}


def test_every_rule_has_a_case():
    covered = set()
    for path in CASES_DIR.glob("*.json"):
        if not path.name.endswith(".catalog.json"):
            for case in json.loads(path.read_text("utf-8"))["cases"]:
                covered.update(rule for rule, _ in case["expect"])
    assert covered >= {"not-whole", "negative", "percent-range", "code-unknown", "percent-mismatch",
                       "percent-no-base", "part-le-whole", "sum-equals", "flow-balance", "compare",
                       "required-missing", "figure-on-group"}


@pytest.fixture(scope="module")
def mini():
    return load_catalog("mini")


def test_finding_points_at_the_part_that_is_too_large(mini):
    found = checks.check(submission_of(mini, {"3.1": 0, "3.2.a": 348, "3.2.b": 350}))
    (finding,) = found
    assert finding.cell == f"Phụ lục!D{FIRST_ROW + [r.id for r in mini.rows].index('3.2.b')}"
    assert finding.severity == ERROR
    assert finding.message.startswith("Số hồ sơ TTHC giải quyết đúng hạn (350) lớn hơn "
                                      "Tổng số hồ sơ TTHC đã giải quyết xong (348). Phần không thể lớn hơn tổng")


def test_percent_mismatch_message_names_written_and_computed(mini):
    (finding,) = checks.check(submission_of(mini, {"3.1": 0, "3.2": "100", "3.2.a": 351, "3.2.b": 348}))
    assert finding.message.startswith("Dòng 3.2 «Tỷ lệ hồ sơ giải quyết đúng hạn»: tỷ lệ ghi 100% nhưng "
                                      "tính từ số liệu là 99,15% (348/351). Hãy sửa")


def test_zero_denominator_is_a_warning_not_a_crash(mini):
    (finding,) = checks.check(submission_of(mini, {"3.1": 0, "1.1": "50", "1.1.a": 0, "1.1.b": 0}))
    assert finding.severity == WARNING and "mẫu số bằng 0" in finding.message


def test_findings_in_sheet_row_order(mini):
    found = checks.check(submission_of(mini, {"1.2.2": -1, "3.1": None, "2.2": -5, "1.3": 9}))
    rows = [int(finding.cell.rsplit("D", 1)[1]) for finding in found]
    assert rows == sorted(rows) and len(rows) == 4


def test_reading_findings_are_kept_and_not_doubled(mini):
    sub = submission_of(mini, {"3.1": 0, "1.2.2": "mười hai", "1.2": 23})
    found = checks.check(sub)
    assert flatten(found, ["rule", "ids"]) == [["figure-on-group", ("1.2",)], ["not-a-number", ("1.2.2",)]]
    sub.findings.append(make("figure-on-group", ["1.2"], "Phụ lục!D12", value=23))
    assert [f.rule for f in checks.check(sub)].count("figure-on-group") == 1


def test_findings_about_no_row_are_all_kept(mini):
    sub = submission_of(mini, {"3.1": 0})
    sub.findings += [make("unknown-row", [], "Phụ lục!B40", value="Dòng thêm 1", catalog="mini"),
                     make("unknown-row", [], "Phụ lục!B41", value="Dòng thêm 2", catalog="mini")]
    assert flatten(checks.check(sub), ["rule", "cell"]) == [["unknown-row", "Phụ lục!B40"],
                                                             ["unknown-row", "Phụ lục!B41"]]


def test_required_row_with_unreadable_text_is_reported_once(mini):
    found = checks.check(submission_of(mini, {"3.1": "không rõ"}))
    assert flatten(found, ["rule"]) == [["not-a-number"]]


def test_bad_data_never_raises(mini):
    hostile = {row.id: raw for row, raw in zip(mini.rows, [
        float("nan"), "=1+1", "1e309", -0.0, "", 10 ** 30, "99,5,5", True, "Có", "٣", "1.2.3", "∞",
        "100%%", " ", 1e-300, -1e300, "12/3", None, 0, "0,0001", "inf", "--", "x", 5, 5, 5])}
    findings = checks.check(submission_of(mini, hostile))
    assert findings and all(f.message for f in findings)


@pytest.mark.parametrize("numerator, denominator, written, accepted", [
    (2230, 2241, "99,5", True), (14677, 14746, "99,53", True), (1868, 1886, "99,04", True),
    (1868, 1886, "99,05", True), (1868, 1886, "99", True), (848, 1945, "43,6", True), (3, 6, "50", True),
    (1868, 1886, "99,1", False), (1868, 1886, "100", False), (1868, 1886, "99,0", True), (1868, 1886, "99,2", False),
    (2, 3, "66,67", True), (2, 3, "66,66", True), (2, 3, "66,7", True), (2, 3, "66,6", True),
    (2, 3, "67", True), (2, 3, "66", True), (2, 3, "66,68", False), (2, 3, "65", False),
    (1, 8, "12,5", True), (1, 8, "13", True), (1, 8, "12", True), (1, 8, "12,6", False),
])
def test_percent_acceptance(numerator, denominator, written, accepted):
    value, decimals = checks.written_number(written, values.parse_number(written))
    assert checks.accepts(value, decimals, Fraction(numerator, denominator) * 100) is accepted


@pytest.mark.parametrize("raw, value, expected", [
    ("99,5", 99.5, (Fraction("99.5"), 1)), ("99,53%", 99.53, (Fraction("99.53"), 2)),
    ("100", 100, (Fraction(100), 0)), ("99,50", 99.5, (Fraction("99.5"), 2)), ("99.5", 99.5, (Fraction("99.5"), 1)),
    (99.53, 99.53, (Fraction("99.53"), 2)), (50, 50, (Fraction(50), 0)), ("1.730", 1730, (Fraction(1730), 0)),
    ("1.234,5", 1234.5, (Fraction("1234.5"), 1)), ("1,234.5", 1234.5, (Fraction("1234.5"), 1)),
    ("1,234,567", 1234567, (Fraction(1234567), 0)), ("99,04 %", 99.04, (Fraction("99.04"), 2)),
])
def test_written_precision(raw, value, expected):
    assert checks.written_number(raw, value) == expected


def test_float_noise_is_not_precision():
    assert checks.written_number(0.9953 * 100, 0.9953 * 100) == (Fraction("99.53"), 2)


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400), float("inf"), float("nan"), 1e308, -1e-320])
def test_values_no_reader_would_give_still_do_not_raise(mini, value):
    sub = submission_of(mini, {})
    for row in mini.rows:
        sub.figures[row.id].value = value
        sub.figures[row.id].raw = value
    assert all(f.message for f in checks.check(sub))


def test_huge_parts_under_a_typed_percent(mini):
    largest = values.MAX_FIGURE - 1
    found = checks.check(submission_of(mini, {"3.1": 0, "3.2": "50", "3.2.a": 3, "3.2.b": largest}))
    assert [f.rule for f in found] == ["percent-mismatch", "part-le-whole"]
    past = checks.check(submission_of(mini, {"3.1": 0, "3.2": "50", "3.2.a": 3, "3.2.b": 10 ** 400}))
    assert [f.rule for f in past] == ["not-a-number"]  # no workbook holds it: not read as a figure


def test_required_text_row_counts_text_as_reported():
    small = catalog_module.from_data({
        "id": "van-ban", "title": ["PHỤ LỤC"], "level": "xã", "version": "1", "source": {"document": "test"},
        "columns": {"stt": "STT", "label": "Chỉ tiêu", "unit": "Đơn vị tính", "value": "Số liệu", "note": "Ghi chú"},
        "rows": [{"id": "1", "stt": "1", "label": "Kế hoạch CCHC năm (số, ngày ban hành)", "unit": "",
                  "kind": "text", "required": True}]})
    assert checks.check(submission_of(small, {"1": "Kế hoạch số 05/KH-UBND ngày 17/01/2022"})) == []
    assert flatten(checks.check(submission_of(small, {"1": "-"})), ["rule"]) == [["required-missing"]]


@settings(max_examples=examples(2000), deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6).filter(bool), st.integers(0, 4),
       st.integers(-2, 2), st.integers(-10**8, 10**8))
def test_the_whole_number_percent_test_is_rounding_or_truncating_in_fractions(numerator, denominator, decimals,
                                                                              nudge, other):
    from cchc_xl.checks import accepts_quotient, round_half_up

    def truncate(number: Fraction, decimals: int) -> Fraction:
        return Fraction(math.trunc(number * 10 ** decimals), 10 ** decimals)

    exact = Fraction(100 * numerator, denominator)
    candidates = [round_half_up(exact, decimals) + Fraction(nudge, 10 ** decimals), truncate(exact, decimals),
                  Fraction(other, 10 ** (decimals + 1))]
    for written in candidates:
        expected = written in (round_half_up(exact, decimals), truncate(exact, decimals))
        assert accepts_quotient(written, decimals, 100 * numerator, denominator) == expected


def test_a_figure_already_wrong_is_not_reported_again_by_the_checks_using_it(mini):
    # "1,250" typed for 1250 reads as 1,25: one not-whole finding, not also "348 > 1,25" and a
    # percent mismatch computed from 1,25.
    found = checks.check(submission_of(mini, {"3.1": 0, "3.2": "99,15", "3.2.a": "1,250", "3.2.b": 348}))
    assert flatten(found, ["rule", "ids"]) == [["not-whole", ("3.2.a",)]]
    (finding,) = found
    assert finding.message == ("Dòng «Tổng số hồ sơ TTHC đã giải quyết xong»: 1,250 không phải số nguyên; "
                               "số hồ sơ phải là số nguyên: hãy sửa thành số nguyên. Nếu ý là 1.250, hãy ghi 1250 "
                               "hoặc 1.250: dấu phẩy là dấu thập phân, dấu chấm mới ngăn cách hàng nghìn.")
    found = checks.check(submission_of(mini, {"3.1": 0, "2.1": 413, "2.1.a": -274, "2.1.b": 139}))
    assert flatten(found, ["rule", "ids"]) == [["negative", ("2.1.a",)]]


@pytest.mark.parametrize("raw", ["12,5", 12.5, "1,2500"])
def test_a_decimal_in_a_count_gets_no_thousands_hint(mini, raw):
    (finding,) = checks.check(submission_of(mini, {"3.1": 0, "3.2.a": raw}))
    assert finding.rule == "not-whole" and "hàng nghìn" not in finding.message


@pytest.mark.parametrize("raw", ["—", "–", "---", "n/t", "N/T", "như trên", "- - -", "−"])
def test_dashes_and_same_as_above_are_not_reported_even_on_a_group_row(mini, raw):
    assert values.is_not_reported(raw)
    assert checks.check(submission_of(mini, {"3.1": 0, "1.2": raw, "1.2.2": raw})) == []


@pytest.mark.parametrize("unit, expected", [
    ("UBND xã Bình Yên", [["required-missing", ("3.4.2.a",)], ["required-missing", ("3.4.2.b",)]]),
    ("UBND thị trấn Bút Sơn", [["required-missing", ("3.4.2.a",)], ["required-missing", ("3.4.2.b",)]]),
    ("Phòng Nội vụ", []), ("Văn phòng HĐND và UBND huyện", []), ("UBND huyện Định Hóa", []),
    ("", [["required-missing", ("3.4.2.a",)], ["required-missing", ("3.4.2.b",)]]),
])
def test_rows_required_of_communes_only(unit, expected):
    sub = submission_of(load_catalog("phu-luc-ii"), {})
    sub.unit = unit
    assert flatten(checks.check(sub), ["rule", "ids"]) == expected
