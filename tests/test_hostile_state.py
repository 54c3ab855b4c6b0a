"""A roll-up's state is data from a stranger: validated against bounded rules before use, inside the
file's worker and time limit; a broken or hostile state costs that file, never the merge."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cchc_xl import catalog as catalog_module
from cchc_xl import meta
from cchc_xl.cli import main
from cchc_xl.rollup import Rollup, StateError
from cchc_xl.rollup.untrusted import MAX_UNITS
from handmade import seed_rows, write_form

CATALOG = catalog_module.load("phu-luc-ii")


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A district roll-up of one commune made by the tool: (its _cchc entries, its state as data)."""
    folder = tmp_path_factory.mktemp("huyen")
    (folder / "nop").mkdir()
    write_form(folder / "nop" / "Bình Yên", seed_rows("004"))
    assert main(["merge", str(folder / "nop"), "-o", str(folder / "huyen.xlsx"), "--unit", "UBND huyện Định Hóa"]) == 0
    rows = [list(row) for row in load_workbook(folder / "huyen.xlsx", read_only=True)["_cchc"].iter_rows(values_only=True)]
    entries = meta.decode(rows)
    return entries, json.loads(entries["state"])


def hostile_states(state):
    """(what is wrong, the state as text) for each class of hostile state."""
    unit = state["units"][0]

    def changed(change):
        data = copy.deepcopy(state)
        change(data)
        return json.dumps(data, ensure_ascii=False)

    def value(number):
        return lambda data: data["units"][0]["values"].update({"1.1.a": number})

    many = [dict(unit, unit=f"Xã {index}") for index in range(MAX_UNITS + 1)]
    return {
        "more units than the country has communes": changed(lambda data: data.update(units=many)),
        "a NaN figure": changed(value(float("nan"))),
        "an infinite figure": changed(value(float("inf"))),
        "a figure past what a workbook holds": changed(value(10 ** 20)),
        "an exact number with an exponent": changed(
            lambda data: data["rows"].update({"1.1.a": {"rule": "sum", "reported": 1, "total": "1e99999999"}})),
        "an exact number of 400 digits": changed(
            lambda data: data["rows"].update({"1.1.a": {"rule": "sum", "reported": 1, "total": "9" * 400}})),
        "a count that is a number of 30 digits": changed(
            lambda data: data["rows"].update({"1.1.a": {"rule": "sum", "reported": 10 ** 30, "total": "1"}})),
        "a unit name of two million characters": changed(lambda data: data["units"][0].update(unit="x" * 2_000_000)),
        "a modification time that is text": changed(lambda data: data["units"][0].update(modified="nan")),
        "nesting a hundred thousand deep": json.dumps(state)[:-1] + ',"x":' + "[" * 100_000 + "]" * 100_000 + "}",
        "a unit that is a number": changed(lambda data: data["units"].append(7)),
    }


def test_every_hostile_state_is_a_state_error_in_vietnamese_and_fast(district):
    _entries, state = district
    assert Rollup.from_state_json(CATALOG, json.dumps(state)).units  # the state as written reads back
    for what, text in hostile_states(state).items():
        start = time.perf_counter()
        with pytest.raises(StateError) as caught:
            Rollup.from_state_json(CATALOG, text)
        assert time.perf_counter() - start < 5, what
        assert str(caught.value).startswith("dữ liệu"), (what, str(caught.value))
    with pytest.raises(StateError, match="nhiều hơn số xã, phường của cả nước"):
        Rollup.from_state_json(CATALOG, hostile_states(state)["more units than the country has communes"])


def test_undecodable_text_in_a_state_is_read_as_replacement_characters(district):
    _entries, state = district
    data = copy.deepcopy(state)
    data["units"][0]["unit"] = "Xã \ud800 Bình Yên"
    rollup = Rollup.from_state_json(CATALOG, json.dumps(data))
    assert rollup.units[0].unit == "Xã ? Bình Yên"


def _rollup_file(path: Path, entries: dict[str, str]) -> Path:
    """A workbook holding only a _cchc sheet with these entries: what a merge reads of a roll-up."""
    book = Workbook()
    sheet = book.active
    sheet.title = "_cchc"
    for row in meta.encode(entries):
        sheet.append(row)
    book.save(path)
    return path


def test_a_merge_beside_a_roll_up_with_a_hostile_state_rejects_it_and_reads_the_others(district, tmp_path, capsys):
    entries, state = district
    folder = tmp_path / "nop"
    folder.mkdir()
    write_form(folder / "Bình Yên", seed_rows("004"))
    bad = dict(entries, state=hostile_states(state)["a NaN figure"])
    _rollup_file(folder / "huyen-hong.xlsx", bad)
    output = tmp_path / "tinh.xlsx"
    code = main(["merge", str(folder), "-o", str(output), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and output.is_file()
    assert [Path(item["path"]).name for item in report["rejected"]] == ["huyen-hong.xlsx"]
    assert "tệp tổng hợp không dùng được" in report["rejected"][0]["reason"]
    assert len(report["units"]) == 1
