"""Files nobody here made, made the way offices make them: the seeds' own tables as printed, their
figures retyped into other layouts, pasted from tab-separated text, typed into a Word table, saved
as .xls/.ods, a narrative cover sheet in front, the period only in the sheet name, the file name,
the document title or the paragraphs above a Word table, the unit only in the file name, parts
left blank as the seeds leave them. Each test states exactly what must be read, found and summed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl.checks import check
from cchc_xl.findings import ERROR, flatten
from cchc_xl.merging import merge
from cchc_xl.reading import read_workbook
from handmade import seed_rows, write_form

PL2 = catalog_module.load("phu-luc-ii")
SOC_TRANG = catalog_module.load("phu-luc-huyen-soc-trang")

# Seed 000's table as Thanh Hóa prints it: the title names the unit, no period anywhere.
SEED000_HEADER = ("STT", "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, 9 tháng, năm)",
                  "Đơn vị tính", "Số liệu", "Ghi chú")


def seed000_title(unit: str = "THỊ TRẤN BÚT SƠN") -> list[str]:
    return ["Phụ lục 01b", "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC",
            f"CẢI CÁCH HÀNH CHÍNH CỦA UBND {unit}"]


def seed004_rows(figures: dict | None = None):
    """Seed 004's rows as printed, its own figures replaced by `figures` where given."""
    rows = seed_rows("004")
    if figures is None:
        return rows
    return [(stt, label, unit, figures.get(row.id, ""), note)
            for row, (stt, label, unit, _, note) in zip(PL2.rows, rows)]


def pl2_file(folder: Path, name: str, unit: str, figures: dict, *, period: str = "QUÝ I NĂM 2024", **options):
    title = ["PHỤ LỤC SỐ II", f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {period}".strip(),
             f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của {unit})"]
    options.setdefault("title_lines", title)
    folder.mkdir(parents=True, exist_ok=True)
    return write_form(folder / name, seed004_rows(figures), national_header=False, **options)


SEED004_READ = {"1.1": 50, "1.1.a": 6, "1.1.b": 3, "1.5": 0, "3.1.3.b": 118, "3.2.4": 100, "3.2.4.a": 351,
                "3.2.4.b": 351, "3.4.2": 100, "3.4.2.a": 348, "3.4.2.b": 348, "4.2.1": 19, "4.2.2": 19}


def test_a_count_typed_1_250_gives_one_finding_that_says_how_to_write_it(tmp_path):
    rows = seed004_rows({**SEED004_READ, "3.2.4.a": "1,250", "3.2.4.b": "1.250", "3.2.4": "100"})
    path = write_form(tmp_path / "binh-yen", rows)
    submission = read_workbook(path)
    found = check(submission)
    assert flatten(found, ["rule", "ids", "cell"]) == [["not-whole", ("3.2.4.a",), submission.figures["3.2.4.a"].cell]]
    assert "hãy ghi 1250 hoặc 1.250" in found[0].message


def test_a_department_filling_phu_luc_ii_owes_no_commune_rows(tmp_path):
    figures = {"1.1": 50, "1.1.a": 6, "1.1.b": 3, "2.3": 4}
    department = pl2_file(tmp_path, "noi-vu", "Phòng Nội vụ huyện Định Hóa", figures)
    commune = pl2_file(tmp_path, "binh-yen", "UBND xã Bình Yên", figures)
    assert read_workbook(department).unit == "Phòng Nội vụ huyện Định Hóa"
    assert check(read_workbook(department)) == []
    assert flatten(check(read_workbook(commune)), ["rule", "ids"]) == [
        ["required-missing", ("3.4.2.a",)], ["required-missing", ("3.4.2.b",)]]


def test_shares_of_documents_roll_up_weighted_by_the_documents(tmp_path):
    folder = tmp_path / "nop"
    base = {"3.4.2.a": 10, "3.4.2.b": 10}
    pl2_file(folder, "a", "UBND xã Bình Yên", {**base, "7.5.2": 300, "7.5.2.a": 90, "7.5.2.b": 10})
    pl2_file(folder, "b", "UBND xã Bảo Cường", {**base, "7.5.2": 100, "7.5.2.a": 50, "7.5.2.b": 30})
    pl2_file(folder, "c", "UBND xã Phú Đình", {**base, "7.5.2.a": 20})  # no count of documents
    result = merge([str(folder)], jobs=1)
    totals = result.rollup.totals()
    assert totals["7.5.2"] == 400
    assert totals["7.5.2.a"] == 80       # (90 × 300 + 50 × 100) / 400, not (90 + 50 + 20) / 3
    assert totals["7.5.2.b"] == 15       # (10 × 300 + 30 × 100) / 400
    note = result.rollup.combination("7.5.2.a")
    assert note == ("Bình quân gia quyền theo dòng 7.5.2 của 2 đơn vị: 320 / 400 × 100; "
                    "không tính 1 đơn vị thiếu dòng 7.5.2: UBND xã Phú Đình")


def test_satisfaction_rolls_up_weighted_by_the_survey_forms_and_v6_is_summed(tmp_path):
    # Seed 002's table as printed (Ngã Năm: 200 forms, 100 % satisfied, V.6 = 0), and a second
    # district retyped from it with 600 forms, 90 % satisfied and 2 people disciplined.
    header = ("THỨ TỰ", "TÊN CHỈ TIÊU", "ĐƠN VỊ TÍNH", "Số lượng/ tỷ lệ", "Ghi chú")
    other = {"I.7.a": "600", "I.7.c": "90", "V.6": "2", "V.6.a": "1", "V.6.c": "1"}
    folder = tmp_path / "nop"
    folder.mkdir()
    for name, unit, figures in (("nga-nam", "THỊ XÃ NGÃ NĂM", {}), ("my-tu", "HUYỆN MỸ TÚ", other)):
        rows = [(stt, label, unit_text, figures.get(row.id, value), note)
                for row, (stt, label, unit_text, value, note) in zip(SOC_TRANG.rows, seed_rows("002"))]
        title = ["Phụ lục", "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH ĐỊNH KỲ", f"QUÝ III NĂM 2022 CỦA UBND {unit}"]
        write_form(folder / name, rows, header=header, two_level_header=False, title_lines=title, national_header=False)
    result = merge([str(folder)], jobs=1)
    assert result.rejected == [] and len(result.rollup.units) == 2
    totals = result.rollup.totals()
    assert totals["I.7.a"] == 800
    assert totals["I.7.c"] == 92.5   # (100 × 200 + 90 × 600) / 800, not (100 + 90) / 2
    assert totals["V.6"] == 2 and totals["V.6.a"] == 1


def test_a_rate_is_never_published_above_100_because_of_a_units_loi(tmp_path):
    folder = tmp_path / "nop"
    pl2_file(folder, "a", "UBND xã Bình Yên", {"3.4.2.a": 348, "3.4.2.b": 348, "7.5.2": 100, "7.5.2.a": 40})
    pl2_file(folder, "b", "UBND xã Bảo Cường", {"3.4.2.a": 100, "3.4.2.b": 90, "7.5.2": 100, "7.5.2.a": 60})
    pl2_file(folder, "c", "UBND xã Phú Đình", {"3.4.2.a": 10, "3.4.2.b": 120, "7.5.2": 100, "7.5.2.a": 140})
    result = merge([str(folder)], jobs=1)
    totals = result.rollup.totals()
    assert totals["3.4.2"] == pytest.approx(438 / 448 * 100)
    assert totals["7.5.2.a"] == 50     # (40 × 100 + 60 × 100) / 200; 140 % is a lỗi, left out
    for row_id in ("3.4.2", "7.5.2.a"):
        note = result.rollup.combination(row_id)
        assert "UBND xã Phú Đình" in note and "mâu thuẫn" in note, note
    # its parts of the rate are left out of their sums too, so no part is published above its whole
    assert totals["3.4.2.a"] == 448 and totals["3.4.2.b"] == 438
    assert "UBND xã Phú Đình" in result.rollup.combination("3.4.2.b")
    assert totals["7.5.2"] == 300   # a count with no rate of its own defined by parts: summed
    (phu_dinh,) = [unit for unit in result.rollup.units if unit.unit == "UBND xã Phú Đình"]
    assert sorted(f.rule for f in phu_dinh.findings if f.severity == ERROR) == ["part-le-whole", "percent-range"]


def test_the_seeds_own_tables_merge(tmp_path):
    for seed, options in (("000", {"header": SEED000_HEADER, "result_header": "Kết quả thống kê",
                                   "title_lines": seed000_title()}),
                          ("002", {"header": ("THỨ TỰ", "TÊN CHỈ TIÊU", "ĐƠN VỊ TÍNH", "Số lượng/ tỷ lệ", "Ghi chú"),
                                   "two_level_header": False,
                                   "title_lines": ["Phụ lục", "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH ĐỊNH KỲ",
                                                   "QUÝ III NĂM 2022 CỦA UBND THỊ XÃ NGÃ NĂM"]}),
                          ("004", {})):
        folder = tmp_path / seed
        folder.mkdir()
        write_form(folder / f"seed{seed}", seed_rows(seed), national_header=False, **options)
        result = merge([str(folder)], jobs=1)
        assert result.rejected == [] and len(result.rollup.units) == 1, seed
