"""Files nobody here made, made the way offices make them: the seeds' own tables as printed, their
figures retyped into other layouts, pasted from tab-separated text, typed into a Word table, saved
as .xls/.ods, a narrative cover sheet in front, the period only in the sheet name, the file name,
the document title or the paragraphs above a Word table, the unit only in the file name, parts
left blank as the seeds leave them. Each test states exactly what must be read, found and summed.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from cchc_xl import catalog as catalog_module
from cchc_xl.checks import check
from cchc_xl.cli import main
from cchc_xl.findings import ERROR, WARNING, flatten
from cchc_xl.merging import merge
from cchc_xl.reading import read_workbook
from cchc_xl.reading.title import unit_from_filename, unit_from_header_lines
from handmade import NATIONAL_LEFT, NATIONAL_RIGHT, seed_rows, write_cells, write_form
from lo import require_soffice
from wordmade import report_body, write_docx

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


def pl2_file(folder: Path, name: str, unit: str, figures: dict | None, *, period: str = "QUÝ I NĂM 2024", **options):
    """Seed 004's table retyped for `unit`, with `figures` (None: the seed's own) and `period` in its title."""
    title = ["PHỤ LỤC SỐ II", f"BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {period}".strip(),
             f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của {unit})"]
    options.setdefault("title_lines", title)
    folder.mkdir(parents=True, exist_ok=True)
    return write_form(folder / name, seed004_rows(figures), national_header=False, **options)


def seed000_file(folder: Path, name: str, unit: str = "THỊ TRẤN BÚT SƠN", **options) -> Path:
    options.setdefault("title_lines", seed000_title(unit))
    folder.mkdir(parents=True, exist_ok=True)
    return write_form(folder / name, seed_rows("000"), header=SEED000_HEADER, result_header="Kết quả thống kê",
                      national_header=False, **options)


def reported(submission) -> dict:
    return {row_id: value for row_id, value in submission.values.items() if value is not None}


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
    assert result.rollup.combination("3.4.2.b") == (
        "Tổng của 2/3 đơn vị; không tính 1 đơn vị có số liệu mâu thuẫn với các dòng cùng tỷ lệ (tỷ lệ của đơn vị "
        "vượt 100 %): UBND xã Phú Đình")
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


def test_seed000_states_no_period_and_merges_under_the_period_asked_for(tmp_path):
    folder = tmp_path / "nop"
    seed000_file(folder, "but-son")
    seed000_file(folder, "hai-binh", unit="XÃ HẢI BÌNH")
    result = merge([str(folder)], period="Quý I năm 2022", jobs=1)
    assert result.rejected == []
    assert result.rollup.period == "2022-Q1"
    assert sorted(unit.unit for unit in result.rollup.units) == ["UBND thị trấn Bút Sơn", "UBND xã Hải Bình"]
    for unit in result.rollup.units:
        (assumed,) = [f for f in unit.findings if f.rule == "period-assumed"]
        assert assumed.severity == WARNING
        assert "không ghi kỳ báo cáo" in assumed.message and "Quý I năm 2022" in assumed.message
    totals = result.rollup.totals()
    assert totals["3.3.1"] == 1540 and totals["4.1"] == 46 and totals["4.1.2"] == 66


def test_a_file_stating_no_period_joins_the_period_the_others_agree_on(tmp_path):
    folder = tmp_path / "nop"
    resolved = {"3.4.2.a": 10, "3.4.2.b": 10}
    pl2_file(folder, "binh-yen", "UBND xã Bình Yên", {**resolved, "1.1.a": 6, "1.1.b": 3})
    pl2_file(folder, "bao-cuong", "UBND xã Bảo Cường", {**resolved, "1.1.a": 4, "1.1.b": 4})
    pl2_file(folder, "phu-dinh", "UBND xã Phú Đình", {**resolved, "1.1.a": 10, "1.1.b": 5}, period="")
    pl2_file(folder, "quy-ky", "UBND xã Quy Kỳ", {**resolved, "1.1.a": 2, "1.1.b": 2}, period="QUÝ II NĂM 2024")
    result = merge([str(folder)], jobs=1)
    assert result.rollup.period == "2024-Q1"
    assert [Path(item.path).name for item in result.rejected] == ["quy-ky.xlsx"]
    assert "Kỳ báo cáo Quý II năm 2024 khác kỳ tổng hợp Quý I năm 2024" in result.rejected[0].reason
    assert result.rollup.totals()["1.1.a"] == 20 and result.rollup.totals()["1.1.b"] == 12
    (phu_dinh,) = [unit for unit in result.rollup.units if unit.unit == "UBND xã Phú Đình"]
    assert [f.rule for f in phu_dinh.findings] == ["period-assumed"]
    from cchc_xl.writing.rollup_view import submission_lines
    lines = {line.name: line for line in submission_lines(result)}
    assert "Tệp không ghi kỳ báo cáo" in lines["UBND xã Phú Đình"].note
    assert lines["UBND xã Bình Yên"].note == ""


@pytest.mark.parametrize("sheet, period", [
    ("Q3-2022", "2022-Q3"), ("Quy 3.2022", "2022-Q3"), ("6T-2024", "2024-6M"), ("Nam 2023", "2023-Y"),
    ("PL 9 tháng 2023", "2023-9M"),
])
def test_period_only_in_the_sheet_name(tmp_path, sheet, period):
    path = pl2_file(tmp_path, "xa-binh-yen", "UBND xã Bình Yên", None, period="", sheet=sheet)
    submission = read_workbook(path)
    assert (submission.period, submission.period_source, submission.period_text) == (period, "sheet-name", sheet)
    assert reported(submission) == SEED004_READ


@pytest.mark.parametrize("value_header, period", [
    ("Quý I/2024", "2024-Q1"), ("Lũy kế 6 tháng năm 2024", "2024-6M"),
    ("Năm 2024", None),  # the year the figures are of, not a year's report
])
def test_period_only_in_the_header_of_the_figure_column(tmp_path, value_header, period):
    path = pl2_file(tmp_path, "xa-binh-yen", "UBND xã Bình Yên", None, period="",
                    header=("STT", "Các chỉ tiêu", "Đơn vị tính", value_header, "Ghi chú"))
    submission = read_workbook(path)
    assert (submission.period, submission.period_source) == (period, "column" if period else "")
    assert submission.period_text == (value_header if period else "")
    assert reported(submission) == SEED004_READ and submission.findings == []


@pytest.mark.parametrize("part, section, text, period", [
    ("oddHeader", "right", "Báo cáo CCHC Quý II năm 2024", "2024-Q2"),
    ("oddFooter", "center", "Kỳ báo cáo: 6 tháng đầu năm 2024", "2024-6M"),
    ("oddFooter", "right", "Trang &[Page]/&[Pages]", None),
])
def test_period_only_in_the_page_header_or_footer(tmp_path, part, section, text, period):
    from openpyxl import load_workbook

    path = pl2_file(tmp_path, "xa-binh-yen", "UBND xã Bình Yên", None, period="")
    book = load_workbook(path)
    header = getattr(book.active, part)
    header.left.text, header.left.font, header.left.size = "UBND xã Bình Yên", "Times New Roman,Bold", 12
    getattr(header, section).text = text
    book.save(path)
    submission = read_workbook(path)
    assert (submission.period, submission.period_source) == (period, "page-header" if period else "")
    if period:
        assert submission.period_text == f"UBND xã Bình Yên {text}"
    assert reported(submission) == SEED004_READ


def test_period_on_a_narrative_cover_sheet(tmp_path):
    cells = [["UBND XÃ BÌNH YÊN"], ["BÁO CÁO"], ["Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2022"],
             ["Phương hướng nhiệm vụ quý III năm 2022: tiếp tục …"]]
    path = pl2_file(tmp_path, "binh-yen", "UBND xã Bình Yên", None, period="", sheet_before="Báo cáo")
    from openpyxl import load_workbook
    book = load_workbook(path)
    cover = book["Báo cáo"]
    cover.delete_rows(1, 10)
    for r, (text,) in enumerate(cells, 1):
        cover.cell(r, 1, text)
    book.save(path)
    submission = read_workbook(path)
    assert (submission.period, submission.period_source) == ("2022-6M", "other-sheet")
    assert submission.period_text == ("BÁO CÁO Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2022 "
                                      "Phương hướng nhiệm vụ quý III năm 2022")


def test_period_only_in_the_file_name_and_in_the_document_title(tmp_path):
    by_name = pl2_file(tmp_path, "PL2_Q3-2022_XaBinhYen", "UBND xã Bình Yên", None, period="")
    submission = read_workbook(by_name)
    assert (submission.period, submission.period_source) == ("2022-Q3", "file-name")
    titled = pl2_file(tmp_path, "phu-luc", "UBND xã Bình Yên", None, period="",
                      properties_title="Báo cáo CCHC 9 tháng năm 2023 - xã Bình Yên")
    submission = read_workbook(titled)
    assert (submission.period, submission.period_source) == ("2023-9M", "properties")
    assert submission.period_text == "Báo cáo CCHC 9 tháng năm 2023 - xã Bình Yên"


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_period_in_the_sheet_name_and_the_document_title_survive_saving_as_xls_and_ods(tmp_path, fmt):
    require_soffice()
    title = ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH", "(Kèm theo Báo cáo số 25/BC-UBND của UBND xã Bình Yên)"]
    in_sheet = write_form(tmp_path / "a", seed_rows("004"), title_lines=title, sheet="6T-2024", fmt=fmt)
    submission = read_workbook(in_sheet)
    assert (submission.period, submission.period_source, submission.period_text) == ("2024-6M", "sheet-name", "6T-2024")
    assert reported(submission) == SEED004_READ
    titled = write_form(tmp_path / "b", seed_rows("004"), title_lines=title, fmt=fmt,
                        properties_title="Báo cáo CCHC 9 tháng năm 2023")
    submission = read_workbook(titled)
    assert (submission.period, submission.period_source) == ("2023-9M", "properties")
    assert submission.period_text == "Báo cáo CCHC 9 tháng năm 2023"


def test_hostile_titles_names_and_formulas_are_bounded(tmp_path):
    """A document title of 100.000 characters is not taken for one; a name of 2.000 words gives a name,
    not a hang; 20.000 formulas saved without results are looked at up to a bound."""
    assert unit_from_filename("PL " + "xa " + "Quy " * 2000 + ".xlsx").startswith("UBND xã Quy Quy")
    body = [["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]]
    body += [[stt, label, unit, value, note] for stt, label, unit, value, note in seed_rows("004")]
    body += [[None, None, None, None, f"=A{r}+1"] for r in range(200, 20_200)]
    flooded = write_cells(tmp_path / "flood", [["PHỤ LỤC SỐ II"], ["BÁO CÁO CCHC QUÝ I NĂM 2024"]] + body)
    submission = read_workbook(flooded)
    assert submission.period == "2024-Q1" and reported(submission) == SEED004_READ
    assert not [f for f in check(submission) if f.rule == "formula-no-value"]  # notes hold no figure
    untitled = ["PHỤ LỤC SỐ II", "BÁO CÁO CCHC", "(Kèm theo Báo cáo số 25/BC-UBND của UBND xã Bình Yên)"]
    huge = write_form(tmp_path / "bao-cao", seed_rows("004"), title_lines=untitled,
                      properties_title="Báo cáo CCHC Quý I năm 2024 " * 4_000)
    assert read_workbook(huge).period is None  # a "title" of 100.000 characters is no title


def test_period_in_the_paragraphs_above_a_word_table(tmp_path):
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
             "(Kèm theo Báo cáo số 25/BC-UBND của UBND xã Bình Yên)")
    narrative = ("BÁO CÁO", "Kết quả công tác cải cách hành chính năm 2023",
                 "Căn cứ Kế hoạch cải cách hành chính năm 2024 của UBND huyện Định Hóa, UBND xã báo cáo như sau:")
    path = write_docx(tmp_path / "bao-cao.docx", report_body(seed004_rows(), title=title, narrative=narrative))
    submission = read_workbook(path)
    assert (submission.period, submission.period_source) == ("2023-Y", "paragraphs")
    assert submission.period_text == "BÁO CÁO Kết quả công tác cải cách hành chính năm 2023"
    assert submission.unit == "UBND xã Bình Yên"
    assert reported(submission) == SEED004_READ


def test_check_json_says_where_the_period_was_found(tmp_path, capsys):
    in_title = pl2_file(tmp_path, "a", "UBND xã Bình Yên", None)
    in_sheet = pl2_file(tmp_path, "b", "UBND xã Bình Yên", None, period="", sheet="Quy 1.2024")
    nowhere = seed000_file(tmp_path, "c")
    main(["check", str(in_title), str(in_sheet), str(nowhere), "--json"])
    files = {Path(item["path"]).name: item for item in json.loads(capsys.readouterr().out)["files"]}
    assert files["a.xlsx"]["period_found"] == {"where": "title", "text": "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"}
    assert files["b.xlsx"]["period"] == "2024-Q1"
    assert files["b.xlsx"]["period_found"] == {"where": "sheet-name", "text": "Quy 1.2024"}
    assert files["c.xlsx"]["period"] is None and files["c.xlsx"]["period_found"] is None


@pytest.mark.parametrize("name, unit", [
    ("Phu luc 01b - xa Hoang Quy.xlsx", "UBND xã Hoang Quy"),
    ("xa Hoang Phu.xlsx", "UBND xã Hoang Phu"),
    ("PL_Quy1_2024_XaBinhYen.xlsx", "UBND xã Binh Yen"),
    ("PL2 - Xã Quý Lộc - Quý I năm 2024.xlsx", "UBND xã Quý Lộc"),
    ("Phụ lục II xã Bảo Cường (lần 2).xls", "UBND xã Bảo Cường"),
    ("BC CCHC 6T-2024 phuong Nam Thanh final.xlsx", "UBND phường Nam Thanh"),
    ("Xa Thang Loi - sua.ods", "UBND xã Thang Loi"),
    ("PL2_XaBaoLam_Nam2023.xlsx", "UBND xã Bao Lam"),
    ("Thị trấn Bút Sơn.xlsx", "UBND thị trấn Bút Sơn"),
    ("Phu luc 01b - xa Quy Loc ban chinh thuc.xlsx", "UBND xã Quy Loc"),
    ("thi tran Phu Thang - ban sua lan 3.xlsx", "UBND thị trấn Phu Thang"),
    ("Xa Nam Phong_Quy II_2024.xlsx", "UBND xã Nam Phong"),
    (unicodedata.normalize("NFD", "Xã Đồng Thịnh.xlsx"), "UBND xã Đồng Thịnh"),  # as macOS names files
    ("phong Noi vu - Q1 2024.xlsx", "Phòng Noi vu"),
])
def test_unit_from_the_file_name(name, unit):
    assert unit_from_filename(name) == unit


def test_units_known_only_from_file_names_are_never_duplicates_of_each_other(tmp_path):
    folder = tmp_path / "nop"
    untitled = ["Phụ lục 01b", "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"]
    seed000_file(folder, "Phu luc 01b - xa Hoang Quy", title_lines=untitled)
    seed000_file(folder, "Phu luc 01b - xa Hoang Phu", title_lines=untitled)
    seed000_file(folder, "xa Hoang Quy (lan 2)", title_lines=untitled)
    result = merge([str(folder)], period="Quý I năm 2022", jobs=1)
    assert sorted(unit.unit for unit in result.rollup.units) == ["UBND xã Hoang Phu", "UBND xã Hoang Quy"]
    (duplicate,) = result.duplicates
    assert duplicate.unit == "UBND xã Hoang Quy"
    assert result.rollup.totals()["3.3.1"] == 1540


def test_a_unit_known_only_from_its_file_name_is_matched_against_the_roster(tmp_path):
    folder = tmp_path / "nop"
    untitled = ["Phụ lục 01b", "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"]
    seed000_file(folder, "Phu luc 01b - xa Hoang Quy", title_lines=untitled)
    seed000_file(folder, "but-son")
    roster = ["UBND xã Hoằng Quỳ", "UBND xã Hoằng Phụ", "UBND thị trấn Bút Sơn"]
    result = merge([str(folder)], period="2022-Q1", roster=roster, jobs=1)
    assert sorted(unit.unit for unit in result.rollup.units) == ["UBND thị trấn Bút Sơn", "UBND xã Hoằng Quỳ"]
    assert result.missing == ["UBND xã Hoằng Phụ"]
    (quy,) = [unit for unit in result.rollup.units if unit.unit == "UBND xã Hoằng Quỳ"]
    (said,) = [f for f in quy.findings if f.rule == "unit-from-file-name"]
    assert said.severity == WARNING
    assert "Phu luc 01b - xa Hoang Quy.xlsx" in said.message and "UBND xã Hoằng Quỳ" in said.message


@pytest.mark.parametrize("blank", ["—", "–", "---", "n/t", "như trên", "Như trên"])
def test_dashes_and_same_as_above_are_not_reported_for_the_table_finder_and_the_reader(tmp_path, blank):
    figures = {**SEED004_READ, "1.2": blank, "1.2.1": blank, "4.1": blank, "4.1.5.a": blank, "7.5.1": blank}
    rows = [(stt, label, unit, figures.get(row.id, ""), note)
            for row, (stt, label, unit, _, note) in zip(PL2.rows, seed_rows("004"))]
    submission = read_workbook(write_form(tmp_path / "binh-yen", rows))
    assert reported(submission) == SEED004_READ
    assert check(submission) == []


def test_a_formula_with_no_stored_value_asks_to_save_in_excel(tmp_path):
    body = [["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]]
    for _row, (stt, label, unit, value, note) in zip(PL2.rows, seed_rows("004")):
        body.append([stt, label, unit, value, note])
    at = {row.id: index + 4 for index, row in enumerate(PL2.rows)}  # the sheet row of each catalog row
    body[at["1.1"] - 3][3] = f"=D{at['1.1.b']}/D{at['1.1.a']}*100"
    path = write_cells(tmp_path / "viet-bang-phan-mem", [["PHỤ LỤC SỐ II"], ["BÁO CÁO CCHC QUÝ I NĂM 2024"]] + body)
    submission = read_workbook(path)
    assert submission.values["1.1"] is None
    found = check(submission)
    assert flatten(found, ["rule", "ids", "cell"]) == [["formula-no-value", ("1.1",), f"Sheet1!D{at['1.1']}"]]
    assert found[0].severity == WARNING and "lưu lại bằng Excel" in found[0].message


def test_a_percent_typed_as_the_unit_of_a_count_row_is_flagged(tmp_path):
    rows = [(stt, label, "%" if row.id == "1.1.a" else unit, value, note)
            for row, (stt, label, unit, value, note) in zip(PL2.rows, seed_rows("004"))]
    submission = read_workbook(write_form(tmp_path / "binh-yen", rows))
    found = check(submission)
    assert flatten(found, ["rule", "ids"]) == [["unit-differs", ("1.1.a",)]]
    assert "«%»" in found[0].message and "«Nhiệm vụ»" in found[0].message


# The issuing body under the body it belongs to (Nghị định 30/2020): a department's file names its
# district or province above it, and is the department's, never the district's.
DEPARTMENT_HEADERS = [
    (("UBND HUYỆN ĐỊNH HÓA", "PHÒNG TƯ PHÁP"), "Phòng Tư Pháp"),
    (("UBND TỈNH THÁI NGUYÊN", "SỞ NỘI VỤ"), "Sở Nội Vụ"),
    (("UBND HUYỆN ĐỊNH HÓA", "PHÒNG VH-XH"), "Phòng VH-XH"),
    (("UBND TỈNH ĐỒNG NAI", "UBND XÃ BÌNH PHƯỚC"), "UBND xã Bình Phước"),
    (("ỦY BAN NHÂN DÂN", "PHƯỜNG TÂN AN"), "UBND phường Tân An"),
    (("UBND XÃ BÌNH PHƯỚC", "VĂN PHÒNG HĐND VÀ UBND"), "Văn Phòng HĐND và UBND xã Bình Phước"),
]
UNTITLED_PL2 = ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"]


@pytest.mark.parametrize("left, unit", DEPARTMENT_HEADERS)
def test_the_unit_is_the_issuing_body_under_the_body_it_belongs_to(tmp_path, left, unit):
    workbook = write_form(tmp_path / "phu-luc", seed_rows("004"), title_lines=UNTITLED_PL2,
                          national_lines=((*left, "Số: 12/BC-UBND"), NATIONAL_RIGHT))
    report = write_docx(tmp_path / "bao-cao.docx", report_body(
        seed_rows("004"), title=UNTITLED_PL2, national_lines=((*left, "", "Số:     /BC-UBND"), NATIONAL_RIGHT)))
    assert read_workbook(workbook).unit == read_workbook(report).unit == unit
    # a report without its table, its header typed as paragraphs with the motto tabbed beside
    typed = [" ".join(pair) for pair in zip((*left, "Số: 12/BC-UBND"), (*NATIONAL_RIGHT, "Định Hóa, ngày 14/3/2024"))]
    assert unit_from_header_lines([*typed, "BÁO CÁO", "Kết quả công tác CCHC của UBND huyện Định Hóa"]) == unit


@pytest.mark.parametrize("left, unit", [
    (("Ủy ban nhân dân", "Xã Bình Yên"), "UBND xã Bình Yên"),  # typed in lower case
    (("UBND", "xã Bình Yên"), "UBND xã Bình Yên"),
    (("ỦY BAN NHÂN DÂN", "PHƯỜNG 5"), "UBND phường 5"),  # a ward named by its number
])
def test_the_issuing_body_typed_in_lower_case_or_named_by_a_number(tmp_path, left, unit):
    workbook = write_form(tmp_path / "phu-luc", seed_rows("004"), title_lines=UNTITLED_PL2,
                          national_lines=((*left, "Số: 12/BC-UBND"), NATIONAL_RIGHT))
    assert read_workbook(workbook).unit == unit


def test_departments_of_one_district_are_as_many_units_not_duplicates_of_the_district(tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    for name, department in (("tu-phap", "PHÒNG TƯ PHÁP"), ("noi-vu", "PHÒNG NỘI VỤ"), ("van-phong", "VĂN PHÒNG HĐND VÀ UBND")):
        write_form(folder / name, seed004_rows({"1.1.a": 3, "1.1.b": 3, "1.1": 100}), title_lines=UNTITLED_PL2,
                   national_lines=(("UBND HUYỆN ĐỊNH HÓA", department), NATIONAL_RIGHT))
    result = merge([str(folder)], jobs=1)
    assert sorted(unit.unit for unit in result.rollup.units) == [
        "Phòng Nội Vụ", "Phòng Tư Pháp", "Văn Phòng HĐND và UBND huyện Định Hóa"]
    assert result.duplicates == [] and result.rollup.totals()["1.1.a"] == 9


@pytest.mark.parametrize("line, unit", [
    ("(Kèm theo Báo cáo số 12/BC-UBND của Xã Bình Phước, huyện Đồng Phú)", "UBND xã Bình Phước"),
    ("BÁO CÁO CCHC QUÝ I NĂM 2024 CỦA XÃ BÌNH PHƯỚC", "UBND xã Bình Phước"),
    ("Đơn vị báo cáo: Phường Tân An", "UBND phường Tân An"),
    ("Đơn vị: UBND thị trấn Bút Sơn", "UBND thị trấn Bút Sơn"),
    ("Kết quả công tác cải cách hành chính của xã năm 2024", ""),  # no name: not a unit
])
def test_a_unit_named_in_the_title_without_ubnd(tmp_path, line, unit):
    path = write_form(tmp_path / "phu-luc", seed_rows("004"), title_lines=[*UNTITLED_PL2, line], national_header=False)
    assert read_workbook(path).unit == unit


@pytest.mark.parametrize("title, period", [
    # a long title broken over two merged rows before its year
    (["PHỤ LỤC SỐ II", "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I", "NĂM 2026"], "2026-Q1"),
    (["PHỤ LỤC SỐ II", "BÁO CÁO KẾT QUẢ CCHC 6 THÁNG ĐẦU NĂM", "NĂM 2026"], "2026-6M"),
    (["BÁO CÁO KẾT QUẢ CCHC QUÝ I,", "PHƯƠNG HƯỚNG NHIỆM VỤ QUÝ II NĂM 2026"], "2026-Q1"),
    # the report's date in words gives the year of the quarter its title names, never a year's report
    (["PHỤ LỤC SỐ II", "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I"], "2026-Q1"),
    (["PHỤ LỤC SỐ II", "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"], None),
    # a date that does not fit the quarter (dated March, a Quý III report): some other date, no period
    (["PHỤ LỤC SỐ II", "BÁO CÁO KẾT QUẢ CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ III"], None),
])
def test_the_period_of_a_title_broken_before_its_year_or_dated_in_words(tmp_path, title, period):
    dated = "(Kèm theo Báo cáo số 12/BC-UBND ngày 14 tháng 3 năm 2026 của UBND xã Bình Phước)"
    path = write_form(tmp_path / "phu-luc", seed_rows("004"), title_lines=[*title, dated], national_header=False)
    submission = read_workbook(path)
    assert (submission.unit, submission.period) == ("UBND xã Bình Phước", period)
    assert reported(submission) == SEED004_READ


def test_files_naming_no_unit_with_one_file_name_in_different_folders_are_different_units(tmp_path):
    """Every commune's "Phu luc II.xlsx", each in a folder of its own, none naming its unit: as many
    units, named by their paths, each with a cảnh báo; they were taken for one unit's copies and all
    but the latest left out of the totals."""
    folder = tmp_path / "nop"
    untitled = ["PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024"]
    for commune, done in (("binh-yen", 3), ("kim-phuong", 4)):
        pl2_file(folder / commune, "Phu luc II", "", {"1.1.a": done, "1.1.b": done, "1.1": 100},
                 title_lines=untitled)
    result = merge([str(folder)], jobs=1)
    assert result.duplicates == [] and result.rollup.totals()["1.1.a"] == 7
    assert sorted(unit.unit for unit in result.rollup.units) == [
        str(Path("binh-yen", "Phu luc II")), str(Path("kim-phuong", "Phu luc II"))]
    for unit in result.rollup.units:
        (said,) = [f for f in unit.findings if f.rule == "unit-from-file-name"]
        assert said.severity == WARNING and "«Phu luc II.xlsx»" in said.message


@pytest.mark.parametrize("signature, unit", [
    ("TM. ỦY BAN NHÂN DÂN XÃ BÌNH PHƯỚC", "UBND xã Bình Phước"),
    ("TM. UBND XÃ BÌNH PHƯỚC\nCHỦ TỊCH", "UBND xã Bình Phước"),
    ("T/M UBND phường Tân An", "UBND phường Tân An"),
    ("TM. ỦY BAN NHÂN DÂN", ""),  # names no body: none, as before (the file's name "phu-luc" names none either)
])
def test_a_unit_named_only_in_the_signature_below_the_table(tmp_path, signature, unit):
    rows = [*seed_rows("004"), ("", "", "", "", ""), ("", "", "", signature, "")]
    path = write_form(tmp_path / "phu-luc", rows, title_lines=UNTITLED_PL2, national_header=False)
    assert read_workbook(path).unit == unit


@pytest.mark.parametrize("dated", ["Bình Yên, ngày      tháng      năm 2024", "Bình Yên, ngày … tháng … năm 2024",
                                   "Bình Yên, ngày 15 tháng 3 năm 2024"])
def test_the_date_line_of_the_national_header_is_not_the_period(tmp_path, dated):
    """The place and date under the motto, the day and month left blank for the signature as templates
    leave them: read first, its year made the quarter's file a year's report."""
    path = write_form(tmp_path / "binh-yen", seed_rows("004"),
                      national_lines=((*NATIONAL_LEFT, "Số:    /BC-UBND"), (*NATIONAL_RIGHT, dated)))
    submission = read_workbook(path)
    assert (submission.unit, submission.period, submission.period_source) == ("UBND xã Bình Yên", "2024-Q1", "title")
