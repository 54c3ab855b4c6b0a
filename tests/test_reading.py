"""Reading filled Phụ lục workbooks built the way provinces build them (tests/handmade.py)."""

import os
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from cchc_xl import catalog as catalog_module
from cchc_xl.checks import check
from cchc_xl.findings import ERROR, WARNING, flatten
from cchc_xl.meta import decode, encode
from cchc_xl.periods import fold
from cchc_xl.reading import ReadError, read_workbook
from cchc_xl.submission import META_SHEET, defined_name
from handmade import Pct, seed_rows, write_form
from lo import convert, require_soffice
from profiles import examples

SEED004_TITLE = [
    "PHỤ LỤC SỐ II",
    "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QÚY I NĂM 2024",
    "(Kèm theo Báo cáo số       /BC-UBND  ngày 15/3/2024  của UBND xã Bình Yên)",
]
SEED000_HEADER = ("STT", "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, 9 tháng, năm)",
                  "Đơn vị tính", "Số liệu", "Ghi chú")
SEED000_TITLE = ["Phụ lục 01b", "THỐNG KÊ SỐ LIỆU VỀ KẾT QUẢ THỰC HIỆN CÔNG TÁC",
                 "CẢI CÁCH HÀNH CHÍNH CỦA UBND THỊ TRẤN BÚT SƠN"]
SEED002_HEADER = ("THỨ TỰ", "TÊN CHỈ TIÊU", "ĐƠN VỊ TÍNH", "Số lượng/ tỷ lệ", "Ghi chú")
SEED002_TITLE = ["Phụ lục", "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH ĐỊNH KỲ",
                 "QUÝ III NĂM 2022 CỦA UBND THỊ XÃ NGÃ NĂM",
                 "(Kèm theo Báo cáo số /BC-UBND ngày / /2022 của UBND thị xã Ngã Năm)"]

SEED004_FIGURES = {"1.1": 50, "1.1.a": 6, "1.1.b": 3, "1.5": 0, "3.1.3.b": 118, "3.2.4": 100,
                   "3.2.4.a": 351, "3.2.4.b": 351, "3.4.2": 100, "3.4.2.a": 348, "3.4.2.b": 348,
                   "4.2.1": 19, "4.2.2": 19}


def reported(submission):
    return {row_id: value for row_id, value in submission.values.items() if value is not None}


def write_seed004(tmp_path, rows=None, name="PL_Quy1_2024_XaBinhYen", **options):
    options.setdefault("title_lines", SEED004_TITLE)
    return write_form(tmp_path / name, seed_rows("004") if rows is None else rows, **options)


def errors(submission):
    return [f for f in submission.findings if f.severity == ERROR]


# --- the three seeds, typed in their province's layout --------------------------------------


def test_seed004_reads_every_figure_by_row_id(tmp_path):
    submission = read_workbook(write_seed004(tmp_path, sheet="Phụ lục II"))
    assert submission.catalog.id == "phu-luc-ii"
    assert reported(submission) == SEED004_FIGURES
    assert submission.findings == []
    assert submission.figures["3.2.4.a"].cell == "Phụ lục II!D55"
    assert submission.unit == "UBND xã Bình Yên"
    assert submission.period == "2024-Q1"
    assert submission.sheet == "Phụ lục II"


def test_seed000_reads_and_flags_the_figure_on_group_row(tmp_path):
    path = write_form(tmp_path / "phu luc", seed_rows("000"), header=SEED000_HEADER,
                      result_header="Kết quả thống kê", title_lines=SEED000_TITLE, national_header=False)
    submission = read_workbook(path)
    assert submission.catalog.id == "phu-luc-01b"
    values = reported(submission)
    assert values["1.1.1"] == 28 and values["1.3.1"] == 7 and values["2.3"] == 6
    assert values["3.3.1"] == 770 and values["3.3.1.a"] == 590 and values["3.3.1.d"] == 85
    assert values["3.3.2.a"] == 594 and values["4.1.2"] == 33 and values["7.1"] == 2
    assert values["7.4.1"] == 8 and values["7.4.2"] == 31
    assert submission.figures["3.3.1.a"].note == "Kỳ trước chuyển qua 04 HS"
    # 4.1 prints "Người" and holds 23: a figure row, compared with the 33 present on 4.1.2.
    assert values["4.1"] == 23
    assert not [f for f in submission.findings if f.ids == ("4.1",)]
    (staff,) = [f for f in check(submission) if f.ids == ("4.1.2", "4.1")]
    assert staff.severity == WARNING and staff.cell == submission.figures["4.1.2"].cell
    assert "(33)" in staff.message and "(23)" in staff.message
    assert errors(submission) == []
    assert submission.unit == "UBND thị trấn Bút Sơn"


def test_seed002_reads_with_repeated_numbers_and_notes(tmp_path):
    path = write_form(tmp_path / "NgaNam", seed_rows("002"), header=SEED002_HEADER, two_level_header=False,
                      title_lines=SEED002_TITLE, national_header=False)
    submission = read_workbook(path)
    assert submission.catalog.id == "phu-luc-huyen-soc-trang"
    figures = submission.figures
    by_label = {fold(submission.catalog.row(i).label): f.value for i, f in figures.items()}
    assert by_label[fold("Số hồ sơ TTHC do UBND cấp huyện tiếp nhận")] == 1730
    assert by_label[fold("Số hồ sơ TTHC do UBND cấp xã tiếp nhận")] == 15780
    assert by_label[fold("Tổng số TTHC đang có hiệu lực:")] == 413
    assert by_label[fold("Tổng số người làm việc được giao")] == 1062
    notes = [f.note for f in figures.values() if f.note.startswith("Kế hoạch số 05/KH-UBND")]
    assert notes == ["Kế hoạch số 05/KH-UBND ngày 17/01/2022 của UBND thị xã Ngã Năm"]
    assert errors(submission) == []
    assert not [f for f in submission.findings if f.rule in ("unknown-row", "row-missing")]
    assert submission.unit == "UBND thị xã Ngã Năm" and submission.period == "2022-Q3"


@pytest.mark.parametrize("seed, expected", [("004", "phu-luc-ii"), ("000", "phu-luc-01b"),
                                            ("002", "phu-luc-huyen-soc-trang")])
def test_recognition_picks_each_seed_catalog_from_a_plain_layout(tmp_path, seed, expected):
    path = write_form(tmp_path / f"s{seed}", seed_rows(seed), title_lines=["PHỤ LỤC"], national_header=False)
    assert read_workbook(path).catalog.id == expected


def test_forced_catalog_is_used(tmp_path):
    path = write_seed004(tmp_path)
    forced = catalog_module.load("phu-luc-01b")
    submission = read_workbook(path, forced)
    assert submission.catalog.id == "phu-luc-01b"


def test_a_table_of_an_unknown_form_is_refused_clearly(tmp_path):
    rows = [("1", "Số cây xanh đã trồng", "Cây", "12", ""), ("2", "Số km đường đã láng nhựa", "km", "3", "")]
    path = write_form(tmp_path / "Lạ", rows)
    with pytest.raises(ReadError, match=r"^Lạ.xlsx: .*không khớp với mẫu nào"):
        read_workbook(path)


# --- how people type --------------------------------------------------------------------------


def test_vietnamese_number_text_and_percent_text(tmp_path):
    rows = seed_rows("004")
    replace = {"Tổng số hồ sơ TTHC đã tiếp nhận (cả trực tiếp và trực tuyến)": "1.730",
               "Số hồ sơ TTHC đã tiếp nhận trực tuyến": "1.722",
               "Tỷ lệ hồ sơ TTHC được tiếp nhận trực tuyến mức độ 3 và 4 (Chỉ thống kê đối với các TTHC mức độ 3 và 4 có phát sinh hồ sơ)": "99,53%",
               "Tỷ lệ thực hiện kế hoạch giải ngân vốn đầu tư công": "91,3",
               "Kế hoạch được giao": "15.780", "Số lượng phiếu khảo sát": "06"}
    rows = [(s, l, u, replace.get(l, v), n) for s, l, u, v, n in rows]
    values = read_workbook(write_seed004(tmp_path, rows)).values
    assert (values["3.2.4.a"], values["3.2.4.b"], values["3.2.4"]) == (1730, 1722, 99.53)
    assert (values["6.1"], values["6.1.a"], values["1.4.1"]) == (91.3, 15780, 6)


def test_numbers_typed_as_numbers_and_legend_words(tmp_path):
    rows = [(s, l, u, {"Hình thức khảo sát": "Kết hợp"}.get(l, v), n) for s, l, u, v, n in seed_rows("004", as_numbers=True)]
    rows = [(s, l, u, "Có" if l.startswith("Tổ chức đối thoại") else v, n) for s, l, u, v, n in rows]
    submission = read_workbook(write_seed004(tmp_path, rows))
    assert submission.values["1.4.2"] == 2 and submission.values["1.5"] == 1
    assert submission.figures["3.4.2.a"].raw == 348 and submission.values["3.4.2.a"] == 348


def test_percent_stored_as_fraction_with_percent_format(tmp_path):
    rows = [(s, l, u, Pct(0.5) if s == "1.1." else Pct(0.9953, "0.00%") if s == "3.2.4." else v, n)
            for s, l, u, v, n in seed_rows("004")]
    values = read_workbook(write_seed004(tmp_path, rows)).values
    assert values["1.1"] == 50 and values["3.2.4"] == 99.53


def test_unreadable_figure_is_an_error_finding_with_its_cell(tmp_path):
    rows = [(s, l, u, "khoảng 6" if l == "Số nhiệm vụ đề ra trong kế hoạch" else v, n) for s, l, u, v, n in seed_rows("004")]
    submission = read_workbook(write_seed004(tmp_path, rows, national_header=False))
    assert flatten(errors(submission), ["rule", "ids", "cell"]) == [["not-a-number", ("1.1.a",), "Sheet1!D9"]]
    assert "khoảng 6" in errors(submission)[0].message and submission.values["1.1.a"] is None


def test_inserted_blank_and_extra_rows(tmp_path):
    rows = seed_rows("004")
    rows.insert(3, ("", "", "", "", ""))
    rows.insert(10, ("", "", "", "", ""))
    rows.insert(20, ("1.3.4.", "Số cuộc họp giao ban về CCHC", "Cuộc", "4", "thêm"))
    rows.append(("", "", "", "", ""))
    rows.append(("", "Số sáng kiến CCHC được công nhận", "Sáng kiến", "2", ""))
    submission = read_workbook(write_seed004(tmp_path, rows))
    assert reported(submission) == SEED004_FIGURES
    unknown = [f for f in submission.findings if f.rule == "unknown-row"]
    assert [f.severity for f in unknown] == ["warning", "warning"]
    assert "Số cuộc họp giao ban về CCHC" in unknown[0].message and unknown[0].cell.startswith("Sheet1!B")
    assert errors(submission) == []


def test_missing_rows_are_warned(tmp_path):
    rows = [row for row in seed_rows("004") if row[0] not in ("4.2.3.", "4.2.4.")]
    submission = read_workbook(write_seed004(tmp_path, rows))
    missing = [f.ids for f in submission.findings if f.rule == "row-missing"]
    assert missing == [("4.2.3",), ("4.2.4",)]
    assert reported(submission) == SEED004_FIGURES


def strip_marks(text):
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def test_labels_retyped_without_diacritics_with_line_breaks_and_stt_without_dots(tmp_path):
    rows = []
    for stt, label, unit, value, note in seed_rows("004"):
        words = strip_marks(label).split()
        retyped = " ".join(words[: len(words) // 2]) + "\n" + " ".join(words[len(words) // 2:])
        rows.append((stt.rstrip("."), retyped, unit, value, note))
    submission = read_workbook(write_seed004(tmp_path, rows))
    assert submission.catalog.id == "phu-luc-ii"
    assert reported(submission) == SEED004_FIGURES
    assert errors(submission) == []


def test_trailing_dot_stt_where_the_form_has_none(tmp_path):
    rows = [(s + "." if s[:1].isdigit() and not s.endswith(".") else s, l, u, v, n) for s, l, u, v, n in seed_rows("000")]
    submission = read_workbook(write_form(tmp_path / "f", rows, header=SEED000_HEADER, title_lines=SEED000_TITLE))
    assert submission.catalog.id == "phu-luc-01b" and submission.values["3.3.1"] == 770
    assert not [f for f in submission.findings if f.rule in ("unknown-row", "row-missing")]


def test_form_on_second_sheet_below_national_header_with_repeated_headers_and_offset(tmp_path):
    path = write_seed004(tmp_path, sheet="PL", sheet_before="Báo cáo", national_header=True,
                         repeat_header_every=35, start_row=3, start_col=2, merge_trong_do=False)
    submission = read_workbook(path)
    assert submission.sheet == "PL" and reported(submission) == SEED004_FIGURES
    assert submission.figures["1.1.a"].cell.startswith("PL!E")
    assert submission.findings == []


def test_unit_cell_differing_from_the_form_is_warned(tmp_path):
    rows = [(s, l, "Hồ sơ" if s == "3.3.1." else u, "2" if s == "3.3.1." else v, n) for s, l, u, v, n in seed_rows("004")]
    submission = read_workbook(write_seed004(tmp_path, rows, national_header=False))
    differs = [f for f in submission.findings if f.rule == "unit-differs"]
    assert flatten(differs, ["ids", "cell", "value", "expected"]) == [[("3.3.1",), "Sheet1!C58", "Hồ sơ", "Thủ tục"]]


# --- unit and period ------------------------------------------------------------------------------


def test_unit_and_period_from_the_file_name_when_titles_have_none(tmp_path):
    path = write_seed004(tmp_path, title_lines=["PHỤ LỤC SỐ II"], national_header=False)
    submission = read_workbook(path)
    assert submission.period == "2024-Q1"
    assert submission.unit == "UBND xã Binh Yen"


def test_unit_from_national_header_and_period_from_title(tmp_path):
    path = write_seed004(tmp_path, name="nop", title_lines=["PHỤ LỤC", "6 tháng đầu năm 2021"])
    submission = read_workbook(path)
    assert (submission.unit, submission.period) == ("UBND xã Bình Yên", "2021-6M")


def test_modified_time_and_input_untouched(tmp_path):
    path = write_seed004(tmp_path)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    before = path.read_bytes()
    submission = read_workbook(path)
    assert submission.modified == 1_700_000_000
    assert path.read_bytes() == before


# --- .xls and .ods -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    require_soffice()
    folder = tmp_path_factory.mktemp("converted")
    rows = [(s, l, u, Pct(0.5) if s == "1.1." else v, n) for s, l, u, v, n in seed_rows("004")]
    files = {fmt: write_form(folder / "PL_Quy1_2024_XaBinhYen", rows, title_lines=SEED004_TITLE, fmt=fmt,
                             sheet_before="Báo cáo") for fmt in ("xlsx", "xls", "ods")}
    files["resaved"] = convert(files["xlsx"], "xlsx", folder / "resaved")
    return files


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods", "resaved"])
def test_xls_and_ods_read_the_same_as_xlsx(converted, fmt):
    reference = read_workbook(converted["xlsx"])
    other = read_workbook(converted[fmt])
    assert other.catalog.id == reference.catalog.id == "phu-luc-ii"
    assert other.values == reference.values
    assert other.values["1.1"] == 50
    assert {k: f.cell for k, f in other.figures.items()} == {k: f.cell for k, f in reference.figures.items()}
    assert (other.unit, other.period) == (reference.unit, reference.period)
    assert other.findings == reference.findings == []


# --- workbooks made by the tool -----------------------------------------------------------------


def own_workbook(path, kind="template", values=None):
    catalog = catalog_module.load("phu-luc-ii")
    book = Workbook()
    sheet = book.active
    sheet.title = "Phụ lục"
    sheet.append(["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"])
    for row in catalog.rows:
        sheet.append([row.stt, row.label, row.unit, (values or {}).get(row.id), ""])
        if row.is_input:
            name = defined_name(row.id)
            book.defined_names[name] = DefinedName(name, attr_text=f"'Phụ lục'!$D${sheet.max_row}")
    meta_sheet = book.create_sheet(META_SHEET)
    for line in encode({"tool": "cchc-xl", "kind": kind, "catalog": "phu-luc-ii", "catalog_version": "1",
                        "unit": "UBND xã Bình Yên", "period": "2024-Q1", "period_text": "Quý I năm 2024"}):
        meta_sheet.append(line)
    meta_sheet.sheet_state = "veryHidden"
    book.save(path)
    return path


def test_own_workbook_is_read_by_metadata_and_defined_names(tmp_path):
    path = own_workbook(tmp_path / "mau.xlsx", values={"1.1.a": 6, "1.1.b": "3", "3.4.2.a": "1.730"})
    submission = read_workbook(path)
    assert (submission.catalog.id, submission.unit, submission.period) == ("phu-luc-ii", "UBND xã Bình Yên", "2024-Q1")
    assert submission.metadata["tool"] == "cchc-xl"
    assert reported(submission) == {"1.1.a": 6, "1.1.b": 3, "3.4.2.a": 1730}
    assert submission.figures["1.1.a"].cell == "Phụ lục!D4"


def test_own_rollup_returns_metadata_without_figures(tmp_path):
    submission = read_workbook(own_workbook(tmp_path / "tong hop.xlsx", kind="rollup"))
    assert submission.metadata["kind"] == "rollup" and submission.figures == {}


def test_metadata_round_trip_with_long_values():
    long_state = "x" * 65_001
    rows = encode({"tool": "cchc-xl", "state": long_state})
    assert [len(cell) for cell in rows[1][1:]] == [30_000, 30_000, 5_001]
    assert decode(rows) == {"tool": "cchc-xl", "state": long_state}



def test_a_state_of_megabytes_comes_back_whole_through_the_readers_column_limit(tmp_path):
    """A province roll-up of a thousand units carries a ~2 MB state: more chunks than the 64
    columns the reader keeps, so it continues on the rows below."""
    import xlsxwriter

    from cchc_xl import sources
    from cchc_xl.grid import MAX_GRID_COLS
    from cchc_xl.meta import CHUNK

    state = "".join(f"{i:07d}," for i in range(400_000))  # 3.2 MB, every piece distinct
    assert len(state) > MAX_GRID_COLS * CHUNK
    rows = encode({"tool": "cchc-xl", "state": state, "period": "2024-Q1"})
    assert max(len(row) for row in rows) <= MAX_GRID_COLS
    path = tmp_path / "tong-hop.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet(META_SHEET)
    for line, cells in enumerate(rows):
        for column, text in enumerate(cells):
            if text:
                sheet.write_string(line, column, text)
    book.close()
    grid = sources.load(path).grid(META_SHEET)
    assert decode(grid.rows) == {"tool": "cchc-xl", "state": state, "period": "2024-Q1"}

def test_read_grids_from_values_of_an_open_workbook():
    from cchc_xl.grid import grid_from_values
    from cchc_xl.reading import read_grids
    rows = [["PHỤ LỤC SỐ II", "", "", "", ""], ["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]]
    rows += [[s, l, u, v, n] for s, l, u, v, n in seed_rows("004", as_numbers=True)]
    rows[3][3] = 0.5  # 1.1 shown as 50% in Excel: formats unknown, a fraction on a percent row
    submission = read_grids([grid_from_values("Phụ lục", rows)], "Bình Yên.xlsx")
    assert submission.catalog.id == "phu-luc-ii"
    assert submission.values["1.1"] == 50 and submission.values["3.4.2.a"] == 348
    assert submission.figures["1.1.a"].cell == "Phụ lục!D5"


def test_own_blank_template_filled_by_hand_takes_unit_and_period_from_its_title(tmp_path):
    path = own_workbook(tmp_path / "PL_Quy1_2024_XaBinhYen.xlsx", values={"1.1.a": 6})
    from openpyxl import load_workbook
    book = load_workbook(path)
    book["Phụ lục"].insert_rows(1, 2)
    book["Phụ lục"]["A1"] = "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ II NĂM 2024 CỦA UBND XÃ TÂN LẬP"
    for name in list(book.defined_names):
        reference = book.defined_names[name].attr_text
        row = int(reference.rsplit("$", 1)[1])
        book.defined_names[name].attr_text = reference.rsplit("$", 1)[0] + f"${row + 2}"
    meta = book[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value in ("unit", "period", "period_text"):
            row[1].value = None
    book.save(path)
    submission = read_workbook(path)
    assert (submission.unit, submission.period) == ("UBND xã Tân Lập", "2024-Q2")
    assert submission.values["1.1.a"] == 6



@settings(max_examples=examples(40), deadline=None)
@given(st.data())
def test_alignment_survives_dropped_and_inserted_rows(data):
    """Numbered leaf rows dropped, junk and blank rows inserted: the other figures keep their ids.

    (A "Trong đó" block whose parent row is dropped too is ambiguous between identical blocks,
    e.g. 3.2.1.a and 3.2.2.a: not part of this property.)
    """
    from cchc_xl.grid import grid_from_values
    from cchc_xl.reading import read_grids
    rows = seed_rows("004", as_numbers=True)
    catalog = catalog_module.load("phu-luc-ii")
    ids = [row.id for row in catalog.rows]
    assert len(ids) == len(rows)
    leaves = [index for index, row in enumerate(rows) if row[0][:1].isdigit()
              and (index + 1 == len(rows) or rows[index + 1][0] != "Trong đó")]
    dropped = data.draw(st.sets(st.sampled_from(leaves), max_size=25), label="dropped")
    kept = [index for index in range(len(rows)) if index not in dropped]
    body = []
    for index in kept:
        if data.draw(st.integers(0, 9), label=f"junk before {index}") == 0:
            body.append(["", "Dòng ghi thêm của xã", "Lần", 5, ""])
        if data.draw(st.integers(0, 9), label=f"blank before {index}") == 0:
            body.append(["", "", "", "", ""])
        body.append(list(rows[index]))
    grid = grid_from_values("PL", [["STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]] + body)
    submission = read_grids([grid], "x.xlsx", catalog)
    expected = {ids[index]: rows[index][3] for index in kept
                if catalog.rows[index].takes_figure and rows[index][3] not in ("", "-")}
    assert reported(submission) == expected
    missing = {f.ids[0] for f in submission.findings if f.rule == "row-missing"}
    assert missing == {ids[index] for index in range(len(rows)) if index not in kept and catalog.rows[index].takes_figure}


def test_one_level_header_followed_by_a_row_whose_unit_is_don_vi(tmp_path):
    rows = [("1", "Số đơn vị sự nghiệp tại thời điểm báo cáo", "Đơn vị", "10", "")] + seed_rows("004")
    path = write_form(tmp_path / "a", rows, two_level_header=False, national_header=False)
    submission = read_workbook(path, catalog_module.load("phu-luc-ii"))
    assert submission.figures["1.1.a"].cell == "Sheet1!D9"
    assert reported(submission)["1.1.a"] == 6
    # the first data row is read as data (an unknown row here), not taken for a second header row
    assert flatten(submission.findings, ["rule", "cell"]) == [["unknown-row", "Sheet1!B6"]]


@pytest.mark.parametrize("header", [
    ("TT", "Nội dung", "ĐVT", "Kết quả", "Ghi chú"),
    ("Số TT", "Tên chỉ tiêu", "Đơn vị\ntính", "Số lượng", ""),
    ("STT.", "CHỈ TIÊU THỐNG KÊ", "ĐƠN VỊ TÍNH", "SỐ LIỆU", "GHI CHÚ"),
    ("THỨ TỰ", "Các chỉ tiêu", "Đơn vị tính", "Giá trị", "Ghi chú"),
])
def test_header_variants(header):
    from cchc_xl.grid import grid_from_values
    from cchc_xl.reading import find_table
    grid = grid_from_values("S", [["PHỤ LỤC"], [], list(header), ["1.", "Công tác chỉ đạo", "", "", ""]])
    table = find_table(grid)
    assert (table.header_row, table.first_row, table.stt, table.label, table.unit, table.value) == (2, 3, 0, 1, 2, 3)


def test_a_line_of_text_above_the_title_does_not_give_the_period(tmp_path):
    """A sentence kept above the table ("… so với năm 2023 tăng 5%") names another year than the
    report's title under it: the title gives the period."""
    title = ("Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2024, so với năm 2023 tăng 5%.", "PHỤ LỤC SỐ II",
             "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024")
    submission = read_workbook(write_form(tmp_path / "xa", seed_rows("004"), title_lines=title))
    assert (submission.period, submission.period_source) == ("2024-Q1", "title")
