"""The fast paths give the simple path's results, on a generated set of commune files.

`cchc-xl merge` reads files in chunks on a pool of limited worker processes (batch.py, sandbox.py),
reads only the state sheet of a roll-up, and combines and writes the units in bulk; `cchc-xl check`
reads each file in a warm worker. Each is compared here with the simple path: every file read and
checked alone in this process by the one-file functions (commands.check.check_file: the whole
workbook, the reader, the checks), in the reverse order (so a per-process cache filled by other
files shows up as a difference), and the roll-up combined in this process from those readings. Any
speed-up that changes a figure, a finding or a unit fails here.
"""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stdout
from fractions import Fraction
from pathlib import Path

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl import meta, sources
from cchc_xl.cells import parse_reference
from cchc_xl.cli import main
from cchc_xl.commands.check import check_file
from cchc_xl.commands.merge import json_report
from cchc_xl.expr import as_fraction
from cchc_xl.merging import merge, read_one
from cchc_xl.rollup import Rollup, UnitReport, from_units
from cchc_xl.rollup.numbers import edge
from cchc_xl.submission import META_SHEET, defined_name
from cchc_xl.writing.rollup_view import DETAIL_SHEET, summary_value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import make_submissions  # noqa: E402

COUNT = 40
CATALOG = catalog_module.load("phu-luc-ii")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """40 generated commune files (seeded: the same set every run) and one that is no workbook."""
    folder = tmp_path_factory.mktemp("nop")
    files = [str(path) for path in make_submissions.generate(folder, COUNT, seed=12)]
    (folder / "9999-hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return folder, files


@pytest.fixture(scope="module")
def simple(generated):
    """Each file read and checked alone in this process, last file first: path -> FileResult."""
    _folder, files = generated
    return {path: check_file(Path(path)) for path in reversed(files)}


def _cli(*argv) -> tuple[int, dict]:
    """The command run here (its workers forked from this process), and the JSON it printed."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main([str(arg) for arg in argv])
    return code, json.loads(out.getvalue())


@pytest.fixture(scope="module")
def merged(generated, tmp_path_factory):
    """`cchc-xl merge --json` of the folder (worker pool), its JSON and the roll-up it wrote."""
    folder, _files = generated
    output = tmp_path_factory.mktemp("out") / "huyen.xlsx"
    code, report = _cli("merge", folder, "-o", output, "--json", "--no-history", "--unit", "UBND huyện Định Hóa")
    assert code == 1  # the broken file is rejected
    return report, output


def _unit_report(result) -> UnitReport:
    """A unit as the simple path reads it (the form has no text rows: no text answers to carry)."""
    submission = result.submission
    return UnitReport(unit=submission.unit, path=result.path, modified=os.stat(result.path).st_mtime,
                      period=submission.period, values=submission.values, notes=submission.notes,
                      findings=result.findings)


def test_the_form_has_no_text_rows():
    """What _unit_report leaves out is nothing for this form."""
    assert not [row for row in CATALOG.rows if row.kind == "text"]


def test_every_generated_file_is_read_alone_without_error(simple):
    assert all(result.error is None and result.submission.catalog.id == CATALOG.id for result in simple.values())


def test_merge_json_equals_the_one_file_path_in_this_process(generated, merged, monkeypatch):
    """The worker pool (chunks, pickled answers) against merge's own one-file read run here, in turn."""
    folder, _files = generated
    report, output = merged
    monkeypatch.setattr("cchc_xl.merging.read_all",
                        lambda files, catalog, **_: [read_one(path, catalog) for path in files])
    inline = merge([str(folder)], parent_unit="UBND huyện Định Hóa")
    assert json_report(inline, str(output)) == {key: value for key, value in report.items()
                                                if key not in ("period_note", "history", "history_recorded")}
    assert [Path(item["path"]).name for item in report["rejected"]] == ["9999-hong.xlsx"]


def test_merge_totals_and_units_equal_the_simple_roll_up(generated, simple, merged):
    _folder, files = generated
    report, _output = merged
    units = [_unit_report(simple[path]) for path in files]
    expected = from_units(CATALOG, units, "2024-Q1")
    assert report["totals"] == expected.totals()
    for row in CATALOG.rows:  # the sums, added up here without the roll-up's rules
        if row.rollup == "sum":
            given = [as_fraction(unit.values[row.id]) for unit in units if unit.values.get(row.id) is not None]
            assert not expected.rows[row.id].left_out
            assert report["totals"][row.id] == (edge(sum(given, Fraction(0))) if given else None), row.id
    by_path = {unit.path: unit for unit in units}
    assert len(report["units"]) == COUNT
    for entry in report["units"]:
        unit = by_path[entry["path"]]
        assert (entry["unit"], entry["errors"], entry["warnings"]) == (unit.unit, unit.errors, unit.warnings)


def test_the_written_roll_up_holds_the_simple_figures_and_findings(generated, simple, merged):
    """Its summary sheet's figures, each unit's line of Chi tiết, and its state: the units' figures,
    notes and findings."""
    _folder, files = generated
    _report, output = merged
    units = [_unit_report(simple[path]) for path in files]
    expected = from_units(CATALOG, units, "2024-Q1")
    book = sources.load(output)
    state = Rollup.from_state_json(CATALOG, _meta_entry(book, "state"))
    by_path = {unit.path: unit for unit in units}
    assert sorted(unit.path for unit in state.units) == sorted(by_path)
    for unit in state.units:
        mine = by_path[unit.path]
        assert unit.values == mine.values and unit.notes == mine.notes
        assert ([finding.to_json(with_place=False) for finding in unit.findings]
                == [finding.to_json(with_place=False) for finding in mine.findings])
    assert state.totals() == expected.totals()

    shown = {row.id: summary_value(expected, row) for row in CATALOG.rows if row.rollup != "none"}
    written = _summary_column(book)
    assert set(shown) <= set(written)
    for row_id, value in shown.items():
        assert _same_cell(written.get(row_id), value), row_id

    detail = book.grid(DETAIL_SHEET)  # as far as a grid reads: its first 64 columns
    ids = detail.rows[0]
    by_name = {unit.unit: unit for unit in units}
    assert len(by_name) == COUNT and len(detail.rows) == COUNT + 2
    for line in detail.rows[2:]:
        unit = by_name[line[0]]
        assert (line[1], line[2]) == (unit.errors, unit.warnings)
        for column, row_id in enumerate(ids):
            if row_id in unit.values and CATALOG.row(row_id).percent is None:
                assert _same_cell(line[column], unit.values[row_id]), (unit.unit, row_id)


def test_merge_findings_equal_check_json_of_each_file(generated, simple, merged):
    """`cchc-xl check --json` of the folder, each file's findings: those the simple path finds, and
    those the roll-up's state keeps of that unit."""
    folder, files = generated
    _report, output = merged
    code, checked = _cli("check", folder, "--json")
    assert code == 2  # the broken file
    by_path = {entry["path"]: entry for entry in checked["files"]}
    state = Rollup.from_state_json(CATALOG, _meta_entry(sources.load(output), "state"))
    kept = {unit.path: [finding.to_json(with_place=False) for finding in unit.findings] for unit in state.units}
    assert any(kept.values())  # the set has findings to compare
    for path in files:
        entry = by_path[path]
        assert entry["findings"] == [finding.to_json() for finding in simple[path].findings]
        assert [{key: value for key, value in finding.items() if key != "place"}
                for finding in entry["findings"]] == kept[path]
        assert entry["values"] == json.loads(json.dumps(
            {row_id: value for row_id, value in simple[path].submission.values.items()}))


def test_the_roll_up_merged_one_level_up_gives_the_same_totals_and_units(merged, tmp_path):
    report, output = merged
    code, up = _cli("merge", output, "-o", tmp_path / "tinh.xlsx", "--json", "--no-history")
    assert code in (0, 1)
    assert up["totals"] == report["totals"]
    assert ([(unit["unit"], unit["path"], unit["errors"], unit["warnings"], unit["via"]) for unit in up["units"]]
            == [(unit["unit"], unit["path"], unit["errors"], unit["warnings"], str(output)) for unit in report["units"]])


def _meta_entry(book, key: str) -> str:
    return meta.decode(book.grid(META_SHEET).rows)[key]


def _summary_column(book) -> dict[str, object]:
    """Row id -> the 'Số liệu' cell of the summary sheet, found by the defined name of its cell."""
    cells = {}
    for row in CATALOG.rows:
        reference = book.defined_names.get(defined_name(row.id))
        if reference:
            sheet, r, c = parse_reference(reference)
            cells[row.id] = book.grid(sheet).value(r, c)
    return cells


def _same_cell(cell, value) -> bool:
    if value is None or value == "":
        return cell in (None, "")
    if isinstance(value, str):
        return cell == value
    return cell == value or (isinstance(cell, float) and abs(cell - value) <= 1e-9 * max(1, abs(value)))
