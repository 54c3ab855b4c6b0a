"""Roll-up rules on hand-built units, the composability of roll-ups, and the state round trip."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl import catalog as catalog_module
from cchc_xl.findings import make
from cchc_xl.rollup import Rollup, StateError, UnitReport, combine, from_units
from profiles import examples

CATALOG_DATA = {
    "id": "test-rollup",
    "title": ["PHỤ LỤC", "{period}"],
    "level": "xã",
    "version": "1",
    "source": {"document": "test"},
    "columns": {"stt": "STT", "label": "Chỉ tiêu", "unit": "Đơn vị tính", "value": "Số liệu", "note": "Ghi chú"},
    "rows": [
        {"id": "1", "stt": "1", "label": "Công tác chỉ đạo", "unit": "", "kind": "section"},
        {"id": "1.1", "stt": "1.1", "label": "Tỷ lệ nhiệm vụ hoàn thành", "unit": "%", "kind": "percent",
         "percent": {"numerator": "[1.1.b]", "denominator": "[1.1.a]"}},
        {"id": "1.1.a", "stt": "", "label": "Số nhiệm vụ đề ra", "unit": "Nhiệm vụ", "kind": "count"},
        {"id": "1.1.b", "stt": "", "label": "Số nhiệm vụ đã hoàn thành", "unit": "Nhiệm vụ", "kind": "count"},
        {"id": "1.2", "stt": "1.2", "label": "Tỷ lệ hài lòng", "unit": "%", "kind": "percent"},
        {"id": "2.1", "stt": "2.1", "label": "Có công bố ISO", "unit": "Không = 0, Có = 1", "kind": "yesno",
         "codes": {"0": "Không", "1": "Có"}},
        {"id": "2.2", "stt": "2.2", "label": "Tiến độ số hóa", "unit": "Chưa = 0, Đang làm = 1, Hoàn thành = 2",
         "kind": "code", "codes": {"0": "Chưa", "1": "Đang làm", "2": "Hoàn thành"}},
        {"id": "3.1", "stt": "3.1", "label": "Số TTHC áp dụng tại cấp xã", "unit": "TTHC", "kind": "count",
         "rollup": "common"},
        {"id": "3.2", "stt": "3.2", "label": "Kinh phí", "unit": "Triệu đồng", "kind": "money"},
        {"id": "4", "stt": "4", "label": "Kiến nghị", "unit": "", "kind": "text"},
    ],
}
CATALOG = catalog_module.from_data(CATALOG_DATA, "test-rollup.json")
FIGURE_IDS = ["1.1", "1.1.a", "1.1.b", "1.2", "2.1", "2.2", "3.1", "3.2"]


def unit(name: str, *, notes=None, texts=None, findings=None, **values) -> UnitReport:
    """A unit with figures given as keyword arguments: unit('Xã A', a=6, b=3) sets 1.1.a and 1.1.b."""
    keys = {"p": "1.1", "a": "1.1.a", "b": "1.1.b", "sat": "1.2", "iso": "2.1", "digital": "2.2",
            "tthc": "3.1", "money": "3.2"}
    figures = {row_id: None for row_id in FIGURE_IDS}
    figures.update({keys[key]: value for key, value in values.items()})
    return UnitReport(unit=name, path=f"/in/{name}.xlsx", modified=1.0, period="2024-Q1", values=figures,
                      notes=notes or {}, cells={"1.1.a": "Phụ lục!D8"}, findings=findings or [],
                      texts=texts or {})


EIGHT = [
    unit("Xã A", a=6, b=3, sat=90, iso=1, digital=0, tthc=118, money=1.5),
    unit("Xã B", a=10, b=10, sat=95.5, iso=1, digital=1, tthc=118, money=2.25),
    unit("Xã C", a=4, b=1, iso=0, digital=1, tthc=120),
    unit("Xã D", a=0, b=0, iso=1, digital=2, tthc=118),
    unit("Xã E", sat=80, iso=0, tthc=118),
    unit("Xã F", a=5, b=5, sat=100, digital=1, tthc=118),
    unit("Xã G", a=1, b=0, sat=70, tthc=117),
    unit("Xã H", a=2, b=2),
]


def test_sum_counts_only_units_that_reported():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.totals()["1.1.a"] == 28
    assert rollup.display("1.1.a") == 28
    assert rollup.combination("1.1.a") == "Tổng của 7/8 đơn vị đã báo cáo"
    assert from_units(CATALOG, EIGHT[:2], "2024-Q1").combination("1.1.a") == "Tổng của 2 đơn vị"


def test_money_sum_is_exact_decimal():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.exact("3.2") == Fraction("3.75")
    assert rollup.totals()["3.2"] == 3.75


def test_sum_of_nobody_is_none_not_zero():
    rollup = from_units(CATALOG, [unit("Xã A"), unit("Xã B")], "2024-Q1")
    assert rollup.totals()["1.1.a"] is None
    assert rollup.combination("1.1.a") == "Không đơn vị nào báo cáo"


def test_percent_with_parts_is_recomputed_from_summed_parts_not_averaged():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    # 21 of 28 tasks done = 75 %, whereas the mean of the units' percents would be about 61 %.
    assert rollup.exact("1.1") == Fraction(75)
    assert rollup.totals()["1.1"] == 75
    assert rollup.combination("1.1") == "Tính lại từ tổng các phần: 21 / 28 × 100"


def test_recompute_like_the_district_in_seed_001():
    communes = [unit("Xã A", a=1241, b=1230), unit("Xã B", a=1000, b=1000)]
    rollup = from_units(CATALOG, communes, "2021-6M")
    assert rollup.exact("1.1") == Fraction(2230 * 100, 2241)
    assert rollup.display("1.1") == 99.51


def test_recompute_ignores_the_percents_units_wrote():
    rollup = from_units(CATALOG, [unit("Xã A", p=100, a=4, b=1)], "2024-Q1")
    assert rollup.totals()["1.1"] == 25


def test_recompute_with_zero_or_missing_denominator_is_none():
    zero = from_units(CATALOG, [unit("Xã A", a=0, b=0)], "2024-Q1")
    assert zero.totals()["1.1"] is None
    assert "mẫu số bằng 0" in zero.combination("1.1")
    missing = from_units(CATALOG, [unit("Xã A", a=3)], "2024-Q1")
    assert missing.totals()["1.1"] is None
    assert "thiếu số liệu" in missing.combination("1.1")


def test_percent_without_parts_is_the_mean_of_units_that_reported():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.exact("1.2") == Fraction("435.5") / 5
    assert rollup.totals()["1.2"] == pytest.approx(87.1)
    assert rollup.combination("1.2") == "Trung bình của 5/8 đơn vị đã báo cáo"


def test_yes_no_counts_units_that_answered_yes():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.totals()["2.1"] == 3
    assert rollup.display("2.1") == "3/5 đơn vị"
    assert rollup.combination("2.1") == "3/5 đơn vị trả lời Có; 3 đơn vị không trả lời"
    everyone = from_units(CATALOG, EIGHT[:2], "2024-Q1")
    assert everyone.combination("2.1") == "2/2 đơn vị trả lời Có"


def test_other_codes_are_counted_per_answer_with_legend_words():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.totals()["2.2"] == {"0": 1, "1": 3, "2": 1}
    assert rollup.display("2.2") == "Chưa: 1; Đang làm: 3; Hoàn thành: 1"
    assert rollup.combination("2.2") == "Số đơn vị theo từng câu trả lời (5/8 đơn vị trả lời)"


def test_unknown_code_is_counted_under_its_own_number():
    rollup = from_units(CATALOG, [unit("Xã A", digital=5), unit("Xã B", digital=2)], "2024-Q1")
    assert rollup.totals()["2.2"] == {"0": 0, "1": 0, "2": 1, "5": 1}
    assert rollup.display("2.2") == "Chưa: 0; Đang làm: 0; Hoàn thành: 1; Mã 5: 1"


def test_common_value_and_who_disagrees():
    rollup = from_units(CATALOG, EIGHT, "2024-Q1")
    assert rollup.totals()["3.1"] == 118
    assert rollup.disagreements("3.1") == [("Xã G", 117), ("Xã C", 120)]
    assert rollup.combination("3.1") == "Giá trị chung 118; khác: Xã G (117), Xã C (120)"


def test_common_tie_takes_the_smallest_value_and_says_so():
    rollup = from_units(CATALOG, [unit("Xã A", tthc=120), unit("Xã B", tthc=118)], "2024-Q1")
    assert rollup.totals()["3.1"] == 118
    assert rollup.disagreements("3.1") == [("Xã A", 120)]
    assert rollup.combination("3.1").endswith("lấy giá trị nhỏ nhất")


def test_common_when_everyone_agrees():
    rollup = from_units(CATALOG, EIGHT[:2], "2024-Q1")
    assert rollup.combination("3.1") == "Giá trị chung 118 (cả 2 đơn vị)"
    assert rollup.disagreements("3.1") == []


def test_text_and_notes_are_kept_per_unit():
    units = [unit("Xã A", texts={"4": "Đề nghị tập huấn"}, notes={"1.1.a": "=HYPERLINK(\"http://x\")"}),
             unit("Xã B"),
             unit("Xã C", texts={"4": "Cấp thêm máy tính"}, notes={"1.1.a": "QĐ 12/QĐ-UBND"})]
    rollup = from_units(CATALOG, units, "2024-Q1")
    assert rollup.totals()["4"] == {"Xã A": "Đề nghị tập huấn", "Xã C": "Cấp thêm máy tính"}
    assert rollup.display("4") == "Xã A: Đề nghị tập huấn\nXã C: Cấp thêm máy tính"
    assert rollup.notes("1.1.a") == {"Xã A": "=HYPERLINK(\"http://x\")", "Xã C": "QĐ 12/QĐ-UBND"}


def test_headings_are_not_in_totals():
    totals = from_units(CATALOG, EIGHT, "2024-Q1").totals()
    assert "1" not in totals
    assert set(totals) == set(FIGURE_IDS) | {"4"}


def test_totals_are_json_ready():
    json.dumps(from_units(CATALOG, EIGHT, "2024-Q1").totals())


def test_unit_counts_errors_and_warnings():
    findings = [make("negative", ["1.1.a"], "Phụ lục!D8", value=-1, stt="1.1.a", label="x"),
                make("row-missing", ["1.2"], None, stt="1.2", label="y")]
    report = unit("Xã A", findings=findings)
    assert (report.errors, report.warnings) == (1, 1)


def test_state_round_trip_keeps_everything():
    findings = [make("negative", ["1.1.a"], "Phụ lục!D8", value=-1, stt="1.1.a", label="x")]
    units = EIGHT[:3] + [unit("Xã Z", texts={"4": "Ghi «chú»"}, notes={"3.1": "=1+1"}, findings=findings,
                              a=0.1, money=0.30000000000000004)]
    original = from_units(CATALOG, units, "2024-Q1")
    copy = Rollup.from_state_json(CATALOG, original.state_json())
    assert copy.totals() == original.totals()
    assert copy.rows == original.rows
    assert copy.units == original.units
    assert copy.period == "2024-Q1"


def test_state_of_another_form_is_refused():
    other = catalog_module.from_data({**CATALOG_DATA, "id": "other-form"}, "other.json")
    text = from_units(other, EIGHT, "2024-Q1").state_json()
    with pytest.raises(StateError, match="other-form"):
        Rollup.from_state_json(CATALOG, text)


@pytest.mark.parametrize("text", ["", "[]", "{\"format\": 1, \"catalog\": \"test-rollup\", \"units\": [1]}",
                                  "{\"format\": 1, \"catalog\": \"test-rollup\", \"rows\": {\"3.2\": {\"rule\": \"sum\", \"total\": \"1/0\"}}}",
                                  "{\"format\": 1, \"catalog\": \"test-rollup\", \"rows\": {\"3.2\": {\"rule\": \"sum\", \"total\": \"" + "9" * 5000 + "\"}}}",
                                  "{\"format\": 1, \"catalog\": \"test-rollup\", \"units\": [{\"unit\": \"A\", \"values\": {\"3.2\": \"=1\"}}]}"])
def test_broken_state_is_a_state_error(text):
    with pytest.raises(StateError):
        Rollup.from_state_json(CATALOG, text)


def test_stored_rows_are_taken_as_stored_and_missing_ones_rebuilt():
    original = from_units(CATALOG, EIGHT, "2024-Q1")
    data = json.loads(original.state_json())
    del data["rows"]["3.2"]
    copy = Rollup.from_state_json(CATALOG, json.dumps(data))
    assert copy.rows == original.rows and list(copy.rows) == list(original.rows)
    assert copy.state_json() == original.state_json()


def test_state_with_a_changed_rule_is_rebuilt_from_units():
    original = from_units(CATALOG, EIGHT, "2024-Q1")
    data = json.loads(original.state_json())
    data["rows"]["3.1"]["rule"] = "sum"
    data["rows"]["3.1"]["total"] = "999"
    copy = Rollup.from_state_json(CATALOG, json.dumps(data))
    assert copy.totals()["3.1"] == 118


def test_combine_refuses_other_periods():
    with pytest.raises(ValueError):
        combine([from_units(CATALOG, EIGHT[:1], "2024-Q1"), from_units(CATALOG, EIGHT[1:2], "2024-Q2")])


# ----- composability -----

_values = {
    "a": st.one_of(st.none(), st.integers(0, 5000)),
    "b": st.one_of(st.none(), st.integers(0, 5000)),
    "sat": st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2))),
    "iso": st.one_of(st.none(), st.sampled_from([0, 1])),
    "digital": st.one_of(st.none(), st.sampled_from([0, 1, 2])),
    "tthc": st.one_of(st.none(), st.sampled_from([117, 118, 120])),
    "money": st.one_of(st.none(), st.decimals(0, 10000, places=3).map(float)),
}


@st.composite
def units_and_partition(draw):
    count = draw(st.integers(1, 12))
    units = []
    for index in range(count):
        values = {key: draw(strategy) for key, strategy in _values.items()}
        text = draw(st.one_of(st.none(), st.text(min_size=1, max_size=8)))
        note = draw(st.one_of(st.none(), st.text(min_size=1, max_size=8)))
        units.append(unit(f"Xã {index:02d}", texts={"4": text} if text else {}, notes={"3.2": note} if note else {},
                          **values))
    groups = draw(st.integers(2, 4))
    labels = draw(st.lists(st.integers(0, groups - 1), min_size=count, max_size=count))
    nested = draw(st.booleans())
    return units, [[u for u, label in zip(units, labels) if label == g] for g in range(groups)], nested


@settings(max_examples=examples(300), deadline=None)
@given(units_and_partition())
def test_roll_up_of_roll_ups_equals_roll_up_of_all_units(case):
    units, groups, nested = case
    all_at_once = from_units(CATALOG, units, "2024-Q1")
    parts = [from_units(CATALOG, group, "2024-Q1") for group in groups]
    if nested:  # ((g1 + g2) + g3) + ..., each step through the JSON state as a district file would be
        merged = parts[0]
        for part in parts[1:]:
            merged = Rollup.from_state_json(CATALOG, combine([merged, part]).state_json())
    else:
        merged = combine(parts)
    assert merged.rows == all_at_once.rows
    assert merged.totals() == all_at_once.totals()
    for row_id in FIGURE_IDS + ["4"]:
        assert merged.display(row_id) == all_at_once.display(row_id)
        assert merged.combination(row_id) == all_at_once.combination(row_id)
        assert merged.disagreements(row_id) == all_at_once.disagreements(row_id)
    assert sorted(u.unit for u in merged.units) == sorted(u.unit for u in units)
    assert {u.unit: u.notes for u in merged.units} == {u.unit: u.notes for u in units}


def test_a_long_list_of_disagreeing_units_is_cut_in_the_note():
    units = [unit(f"Xã {index:02d}", tthc=118) for index in range(20)]
    units += [unit(f"Xã khác {index:02d}", tthc=100 + index) for index in range(12)]
    combination = from_units(CATALOG, units, "2024-Q1").combination("3.1")
    assert combination.startswith("Giá trị chung 118; khác: Xã khác 00 (100)")
    assert combination.endswith("và 2 đơn vị khác (xem sheet Chi tiết)")


def test_recomputed_percent_leaves_out_units_that_gave_only_one_part():
    # Xã Y gave the tasks planned but not those done: counting its 50 planned tasks would
    # drag the rate from 50 % down to 10 %.
    units = [unit("Xã X", a=10, b=5), unit("Xã Y", a=50), unit("Xã Z", b=4)]
    rollup = from_units(CATALOG, units, "2024-Q1")
    assert rollup.totals()["1.1.a"] == 60  # the part rows still sum every unit that reported them
    assert rollup.totals()["1.1.b"] == 9
    assert rollup.exact("1.1") == 50
    assert rollup.combination("1.1") == ("Tính lại từ tổng các phần của 1 đơn vị có đủ số liệu "
                                         "(2 đơn vị thiếu một phần, không tính): 5 / 10 × 100")
    split = combine([from_units(CATALOG, units[:1], "2024-Q1"), from_units(CATALOG, units[1:], "2024-Q1")])
    assert split.exact("1.1") == 50


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=30))
def test_the_decimal_sum_of_floats_is_the_exact_fraction_sum(values):
    from cchc_xl.expr import as_fraction
    from cchc_xl.rollup import exact_sum

    try:
        expected = sum((as_fraction(value) for value in values), Fraction(0))
    except (ValueError, OverflowError) as exc:
        with pytest.raises(type(exc)):
            exact_sum(values)
        return
    assert exact_sum(values) == expected


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.tuples(st.one_of(st.floats(min_value=0, max_value=100), st.integers(0, 100)),
                          st.one_of(st.integers(0, 10 ** 6), st.fractions(min_value=0, max_value=10 ** 6))),
                max_size=30))
def test_the_decimal_sum_of_products_is_the_exact_fraction_sum(pairs):
    """What a weighted percent accumulates (percent × count over the units), the same as in fractions."""
    from cchc_xl.expr import as_fraction
    from cchc_xl.rollup.numbers import exact_sum_of_products

    assert exact_sum_of_products(pairs) == sum((as_fraction(value) * weight for value, weight in pairs), Fraction(0))


def test_every_rule_a_catalog_may_name_has_its_class():
    from cchc_xl.catalog import ALLOWED_ROLLUP
    from cchc_xl.rollup import RULES

    assert set(RULES) == set().union(*ALLOWED_ROLLUP.values())
    assert all(RULES[name].name == name for name in RULES)


def test_a_state_written_with_a_count_on_text_rows_still_reads():
    original = from_units(CATALOG, EIGHT[:2] + [unit("Xã Z", texts={"4": "Đề nghị"})], "2024-Q1")
    data = json.loads(original.state_json())
    data["rows"]["4"]["reported"] = 0  # as states written before the rules were classes carry it
    copy = Rollup.from_state_json(CATALOG, json.dumps(data))
    assert copy.rows == original.rows and copy.totals()["4"] == {"Xã Z": "Đề nghị"}


def test_a_units_own_rates_are_worked_out_once_and_travel_with_it():
    """The rates from a unit's own parts are worked out when it is read (in the worker) and carried
    to the roll-up with the unit: the same answers as working them out there."""
    import pickle

    row = CATALOG.row("1.1")
    over = unit("Xã Q", a=4, b=5)  # 5 done of 4 planned: a lỗi in its file
    read_early = pickle.loads(pickle.dumps(_worked_out(unit("Xã Q", a=4, b=5))))
    assert read_early.own_rates and read_early == over
    for each in (over, read_early):
        assert each.own_rate(row) == (125.0, True)
    assert unit("Xã R", a=3, b=1).own_rate(row) == (33.33, False)
    assert unit("Xã S", a=0, b=0).own_rate(row) == (None, False)
    assert unit("Xã T", a=4).own_rate(row) == (None, False)
    rollup = from_units(CATALOG, [read_early, unit("Xã R", a=3, b=1)], "2024-Q1")
    assert rollup.display("1.1") == from_units(CATALOG, [over, unit("Xã R", a=3, b=1)], "2024-Q1").display("1.1")


def _worked_out(report: UnitReport) -> UnitReport:
    report.work_out_rates(CATALOG.rows)
    return report
