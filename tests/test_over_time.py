"""How rows behave over time (catalog key "over_time"), checks across periods, derived periods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl import overtime, periods
from cchc_xl.catalog import CatalogError
from cchc_xl.history import Report

CATALOGS = Path(__file__).resolve().parents[1] / "schema" / "catalogs"
MINI = {
    "id": "mini", "title": ["T"], "level": "xã", "version": "1", "source": {"document": "test"},
    "columns": {"stt": "STT", "label": "Chỉ tiêu", "unit": "ĐVT", "value": "Số liệu", "note": "Ghi chú"},
    "rows": [
        {"id": "1", "stt": "1", "label": "Kế hoạch năm (lũy kế đến thời điểm báo cáo)", "unit": "%", "kind": "percent",
         "percent": {"numerator": "[1.b]", "denominator": "[1.a]"}},
        {"id": "1.a", "stt": "", "label": "Số nhiệm vụ đề ra", "unit": "Nhiệm vụ", "kind": "count"},
        {"id": "1.b", "stt": "", "label": "Số nhiệm vụ đã hoàn thành", "unit": "Nhiệm vụ", "kind": "count"},
        {"id": "2", "stt": "2", "label": "Số hồ sơ đã giải quyết", "unit": "Hồ sơ", "kind": "count"},
        {"id": "3", "stt": "3", "label": "Số biên chế có mặt", "unit": "Người", "kind": "count"},
        {"id": "4", "stt": "4", "label": "Tổ chức đối thoại", "unit": "", "kind": "yesno", "codes": {"0": "Không", "1": "Có"}},
    ],
}


def mini(over_time=None):
    data = json.loads(json.dumps(MINI))
    if over_time is not None:
        data["over_time"] = over_time
    return catalog_module.from_data(data, "mini.json")


def test_lũy_kế_in_a_label_or_an_enclosing_rows_label_means_cumulative_unless_declared():
    inferred = mini()
    assert [inferred.row(i).over_time for i in ("1", "1.a", "1.b", "2", "3")] == ["cumulative"] * 3 + ["flow"] * 2
    declared = mini({"stock": ["1.a", "3"]})
    assert [declared.row(i).over_time for i in ("1", "1.a", "1.b", "2", "3")] == [
        "cumulative", "stock", "cumulative", "flow", "stock"]


@pytest.mark.parametrize("over_time, message", [
    ({"stock": ["9"]}, "'9' không phải dòng có số liệu"),
    ({"stock": ["2"], "flow": ["2"]}, "được khai ở cả"),
    ({"sometimes": ["2"]}, "Additional properties"),
])
def test_a_wrong_over_time_declaration_is_refused(over_time, message):
    with pytest.raises(CatalogError, match=message):
        mini(over_time)


def test_the_seed_forms_declare_their_rows_and_every_lũy_kế_row_is_reviewed():
    for catalog in catalog_module.load_all():
        data = json.loads((CATALOGS / f"{catalog.id}.json").read_text("utf-8"))
        declared = data["over_time"]
        assert set(declared) <= {"flow", "cumulative", "stock"} and declared.get("stock")
        assert any("over_time" in note for note in data["notes"]), catalog.id
        for row in catalog.figure_rows:
            if "luy ke" in periods.fold(row.label):
                assert row.over_time == "cumulative", (catalog.id, row.id)
    ii = catalog_module.load("phu-luc-ii")
    assert (ii.row("1.1.b").over_time, ii.row("1.1.a").over_time, ii.row("3.4.2.a").over_time,
            ii.row("4.2.2").over_time, ii.row("6.1.b").over_time) == ("cumulative", "stock", "flow", "stock", "cumulative")


def report(unit, period, values, source=None):
    return Report(unit, period, values, source or f"/nop/{period}.xlsx")


def test_cross_period_findings_name_both_values_and_both_files():
    catalog = mini({"stock": ["1.a", "3"]})
    q1 = report("UBND xã A", "2024-Q1", {"1.a": 10, "1.b": 6, "2": 100, "3": 20})
    q2 = report("xã A", "2024-Q2", {"1.a": 10, "1.b": 4, "2": 40, "3": 200})
    half = report("Xã A", "2024-6M", {"1.a": 10, "1.b": 7, "2": 90, "3": 21})
    other_unit = report("xã B", "2024-Q1", {"1.b": 99, "2": 999})
    last_year = report("xã A", "2023-Q4", {"1.b": 50})
    found = overtime.cross_period_findings(catalog, q2, [q1, other_unit, last_year], lambda row_id: f"D{row_id}")
    assert [(f.rule, f.severity, f.ids, f.cell, f.value, f.expected) for f in found] == [
        ("cumulative-drop", "warning", ("1.b",), "D1.b", 4, 6), ("stock-jump", "warning", ("3",), "D3", 200, 20)]
    assert "Quý II năm 2024 ghi 4 (tệp 2024-Q2.xlsx)" in found[0].message
    assert "Quý I năm 2024 ghi 6 (tệp 2024-Q1.xlsx)" in found[0].message
    assert "tăng 10 lần" in found[1].message
    found = overtime.cross_period_findings(catalog, half, [q1, q2])
    assert [(f.rule, f.ids, f.value, f.expected) for f in found] == [("flow-below-part", ("2",), 90, 100)]
    assert "dù 6 tháng năm 2024 đã gồm cả Quý I năm 2024" in found[0].message
    # an increase, a stock that moved less than tenfold, a zero: nothing
    fine = report("xã A", "2024-Q2", {"1.b": 6, "2": 1, "3": 199})
    assert overtime.cross_period_findings(catalog, fine, [q1]) == []
    assert overtime.cross_period_findings(catalog, report("xã A", "2024-Q2", {"3": 0}), [q1]) == []


def test_a_year_derived_from_quarters_sums_flows_and_takes_the_rest_from_the_latest():
    catalog = mini({"stock": ["1.a", "3"]})
    quarters = [report("xã A", "2024-Q1", {"1.a": 10, "1.b": 2, "2": 100, "3": 20, "4": 0}),
                report("xã A", "2024-Q2", {"1.a": 12, "1.b": 5, "2": 50.5, "3": 21, "4": 1}),
                report("xã A", "2024-Q3", {"1.a": 12, "1.b": 9, "2": None, "3": 22, "4": 0}),
                report("xã A", "2024-Q4", {"1.a": 12, "1.b": 11, "2": 7, "3": 23})]
    year = overtime.derive(catalog, quarters, "2024-Y")
    assert year.missing == [] and [r.period for r in year.used] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert year.report.values == {"1": pytest.approx(11 / 12 * 100), "1.a": 12, "1.b": 11, "2": 157.5, "3": 23, "4": 1}
    assert year.report.period == "2024-Y"
    half = overtime.derive(catalog, quarters[:1] + quarters[2:], "2024-6M")
    assert half.missing == ["2024-Q2"] and half.report.values["2"] == 100 and half.report.values["3"] == 20
    nine = overtime.derive(catalog, [report("xã A", "2024-6M", {"2": 150, "3": 30}), quarters[2], quarters[3]], "2024-9M")
    assert [r.period for r in nine.used] == ["2024-6M", "2024-Q3"] and nine.report.values["2"] == 150
    assert nine.report.values["3"] == 22  # Q3 ends after 6M; Q4 lies outside the 9 months
    assert overtime.derive(catalog, quarters, "2025-Y") is None
    note = overtime.derivation_note("2024-6M", [half])
    assert note.startswith("6 tháng năm 2024 tính từ lịch sử số liệu các kỳ Quý I năm 2024")
    assert note.endswith("thiếu Quý II năm 2024 của xã A.")


def test_a_quarter_holding_the_figures_since_january_is_suspected():
    catalog = catalog_module.load("phu-luc-ii")
    flows = [row.id for row in catalog.figure_rows
             if row.over_time == "flow" and row.kind == "count" and row.percent is None][:8]
    q1 = report("xã A", "2024-Q1", {row_id: 10 + index for index, row_id in enumerate(flows)})
    q2 = report("xã A", "2024-Q2", {row_id: 12 for row_id in flows})
    nine_months = report("xã A", "2024-Q3", {row_id: q1.values[row_id] + 12 + 5 for row_id in flows})
    found = overtime.cross_period_findings(catalog, nine_months, [q1, q2])
    assert [(f.rule, f.severity, f.ids) for f in found] == [("quarter-looks-cumulative", "warning", ())]
    assert found[0].message.startswith(f"Quý III năm 2024 (tệp 2024-Q3.xlsx): ở {len(flows)}/{len(flows)} dòng")
    assert "(Quý I năm 2024, Quý II năm 2024)" in found[0].message and "«9 tháng năm 2024»" in found[0].message
    own_quarter = report("xã A", "2024-Q3", {**nine_months.values, flows[0]: 3, flows[1]: 4})
    assert overtime.cross_period_findings(catalog, own_quarter, [q1, q2]) == []  # 6/8 rows: not enough
    assert overtime.cross_period_findings(catalog, nine_months, [q1]) == []  # Quý II unknown: no comparison
    half = report("xã A", "2024-6M", {row_id: 22 for row_id in flows})
    assert [f.rule for f in overtime.cross_period_findings(catalog, nine_months, [half])] == ["quarter-looks-cumulative"]
