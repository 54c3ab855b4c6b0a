"""LibreOffice Calc opens the generated template, recalculates it, and the percent formulas are right.

XlsxWriter caches a result for every formula (blank here) and openpyxl drops cached results when
it saves, so the values read back after conversion are LibreOffice's own: the profile from
lo.profile() forces recalculation on load, and one test shows the cache survives without it.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.workbook import Workbook

from cchc_xl import catalog as catalogs
from cchc_xl.submission import META_SHEET
from cchc_xl.writing.layout import workbook_options, write_form_sheet
from cchc_xl.writing.template import TEMPLATE_SHEET, write_template

import lo

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(lo.soffice() is None,
                                 reason="LibreOffice (soffice) is not installed; CI installs libreoffice-calc")]

FIGURES = {  # 1.1 = 3/6 -> 50; 1.2.3 has a zero base -> blank; 4.1.5 = (8-6)/8 -> 25
    "1.1.a": 6, "1.1.b": 3,
    "1.2.3.a": 0, "1.2.3.b": 0,
    "4.1.5.a": 8, "4.1.5.b": 6,
    "3.2.4.a": 351, "3.2.4.b": 348,
}
EXPECTED = {"1.1": 50, "1.2.3": None, "4.1.5": 25, "3.2.4": 348 / 351 * 100, "2.4": None}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The phu-luc-ii template with figures typed in through openpyxl, formulas kept."""
    folder = tmp_path_factory.mktemp("lo")
    form = catalogs.load("phu-luc-ii")
    template = folder / "template.xlsx"
    layout = write_template(form, template, unit="UBND xã Bình Yên", period_text="Quý I năm 2024")
    book = openpyxl.load_workbook(template)
    sheet = book[TEMPLATE_SHEET]
    for row_id, value in FIGURES.items():
        sheet[layout.cell(row_id)] = value
    path = folder / "filled.xlsx"
    book.save(path)
    return folder, layout, template, path


def _blank(value):
    return value is None or value == ""


def test_recalculated_xlsx_has_the_right_percents(filled):
    folder, layout, template, path = filled
    cached_before = openpyxl.load_workbook(template, data_only=True)[TEMPLATE_SHEET]
    assert all(_blank(cached_before[layout.cell(row_id)].value) for row_id in EXPECTED)
    converted = lo.convert(path, "xlsx", folder / "out-xlsx")
    after = openpyxl.load_workbook(converted, data_only=True)[TEMPLATE_SHEET]
    for row_id, expected in EXPECTED.items():
        value = after[layout.cell(row_id)].value
        if expected is None:
            assert _blank(value), (row_id, value)
        else:
            assert value == pytest.approx(expected), row_id
    formulas = openpyxl.load_workbook(converted)[TEMPLATE_SHEET]
    assert str(formulas[layout.cell("1.1")].value).startswith("=IF(COUNT(")  # still a live formula


def test_recalculated_ods_and_csv(filled):
    folder, layout, _, path = filled
    ods = lo.convert(path, "ods", folder / "out-ods")
    grid = CalamineWorkbook.from_path(str(ods)).get_sheet_by_name(TEMPLATE_SHEET).to_python(skip_empty_area=False)
    cell = lambda row_id: grid[layout.rows[row_id]][3]  # noqa: E731 - column D
    assert cell("1.1") == pytest.approx(50) and cell("4.1.5") == pytest.approx(25)
    assert _blank(cell("1.2.3"))

    text = lo.convert(path, "csv", folder / "out-csv").read_text("utf-8")
    rows = list(csv.reader(text.splitlines()))
    shown = lambda row_id: rows[layout.rows[row_id]][3]  # noqa: E731 - as displayed, number format applied
    assert float(shown("1.1")) == 50 and float(shown("3.2.4")) == pytest.approx(99.15, abs=0.006)
    assert shown("1.2.3") == ""


def test_without_forced_recalculation_the_cache_is_kept(tmp_path):
    """Why the profile matters: a stale cached result survives unless recalculation is forced."""
    form = catalogs.load("phu-luc-ii")
    path = tmp_path / "cached.xlsx"
    workbook = Workbook(str(path), workbook_options())
    layout = write_form_sheet(workbook, workbook.add_worksheet(TEMPLATE_SHEET), form, unit="x", period_text="y",
                              values={"1.1.a": 6, "1.1.b": 3, "1.1": 12})  # 12 is a wrong cached result
    workbook.close()
    kept = openpyxl.load_workbook(lo.convert(path, "xlsx", tmp_path / "kept", recalc=False), data_only=True)
    assert kept[TEMPLATE_SHEET][layout.cell("1.1")].value == 12
    redone = openpyxl.load_workbook(lo.convert(path, "xlsx", tmp_path / "redone"), data_only=True)
    assert redone[TEMPLATE_SHEET][layout.cell("1.1")].value == 50


def test_saved_by_libreoffice_keeps_names_and_metadata(filled):
    folder, layout, _, path = filled
    converted = folder / "out-xlsx" / "filled.xlsx"
    if not converted.exists():
        converted = lo.convert(path, "xlsx", folder / "out-xlsx")
    book = openpyxl.load_workbook(converted)
    assert book.defined_names["CCHC_1_1_a"].attr_text.endswith(layout.cell("1.1.a", absolute=True))
    assert book[META_SHEET].sheet_state in ("hidden", "veryHidden")
    assert dict(book[META_SHEET].iter_rows(values_only=True))["catalog"] == "phu-luc-ii"
    assert book[TEMPLATE_SHEET].protection.sheet


@pytest.mark.parametrize("catalog_id", catalogs.shipped_ids())
def test_prints_on_a4_pages(catalog_id, tmp_path):
    path = tmp_path / f"{catalog_id}.xlsx"
    write_template(catalogs.load(catalog_id), path, unit="UBND xã Bình Yên", period_text="Quý I năm 2024")
    pages = lo.render_pdf_png(path, tmp_path / "png", dpi=30)
    assert all(page.stat().st_size > 0 for page in pages)
    if shutil.which("pdftotext"):
        # The form on at most 12 pages, then the live list on one page (its print area is a fixed range:
        # LibreOffice prints a whole sheet, empty lines as blank pages, for an area given by a formula).
        texts = [subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(tmp_path / "png" / f"{catalog_id}.pdf"),
                                 "-"], capture_output=True, text=True, check=True).stdout for page in range(1, len(pages) + 1)]
        listing = next(index for index, text in enumerate(texts) if text.startswith("KIỂM TRA TRỰC TIẾP"))
        assert 1 <= listing <= 12 and listing == len(texts) - 1
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(tmp_path / "png" / f"{catalog_id}.pdf")], capture_output=True,
                              text=True, check=True).stdout
        assert re.search(r"Page size: +595\.\d+ x 841\.\d+ pts", info), info  # portrait A4


def test_the_reader_reads_a_file_saved_by_libreoffice(filled):
    from cchc_xl.reading import read_workbook

    folder, _, _, path = filled
    converted = folder / "out-xlsx" / "filled.xlsx"
    if not converted.exists():
        converted = lo.convert(path, "xlsx", folder / "out-xlsx")
    submission = read_workbook(converted)
    assert (submission.catalog.id, submission.unit, submission.period) == ("phu-luc-ii", "UBND xã Bình Yên", "2024-Q1")
    assert {row_id: submission.values[row_id] for row_id in FIGURES} == FIGURES
