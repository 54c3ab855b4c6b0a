import unicodedata

import openpyxl
import pytest

from cchc_xl.roster import RosterError, match_unit, normalise_unit, read_roster


@pytest.mark.parametrize("name", [
    "UBND xã Bình Yên", "Xã Bình Yên", "binh yen", "BÌNH YÊN", "Ủy ban nhân dân xã Bình Yên",
    "Uỷ ban nhân dân Xã  Bình   Yên", "UBND xã Bình Yên.", "X. Bình Yên", "UBND - xã Bình Yên",
])
def test_variants_of_one_commune_share_a_key(name):
    assert normalise_unit(name) == "binh yen"


@pytest.mark.parametrize("name, key", [
    ("UBND thị trấn Bút Sơn", "but son"),
    ("TT. Bút Sơn", "but son"),
    ("UBND thị xã Ngã Năm", "nga nam"),
    ("Thành phố Thái Nguyên", "thai nguyen"),
    ("TP. Thái Nguyên", "thai nguyen"),
    ("UBND huyện Cẩm Xuyên", "cam xuyen"),
    ("Phường 01", "1"),
    ("P. 1", "1"),
    ("Phòng Tư pháp", "phong tu phap"),  # departments keep their whole name
    ("Xã", "xa"),  # a name that is only a kind word is kept, not emptied
])
def test_kind_words_abbreviations_and_numbers(name, key):
    assert normalise_unit(name) == key


def test_match_unit_returns_the_roster_spelling():
    roster = ["Xã Bình Yên", "Xã Trung Hội", "Thị trấn Chợ Chu"]
    assert match_unit("UBND XÃ BÌNH YÊN", roster) == "Xã Bình Yên"
    assert match_unit("ubnd thi tran cho chu", roster) == "Thị trấn Chợ Chu"
    assert match_unit("Xã Bình Thành", roster) is None
    assert match_unit("Bình", roster) is None  # no partial matches


def test_commune_and_ward_of_the_same_name_need_the_kind_to_match():
    roster = ["Xã Bình Yên", "Phường Bình Yên"]
    assert match_unit("UBND phường Bình Yên", roster) == "Phường Bình Yên"
    assert match_unit("UBND xã Bình Yên", roster) == "Xã Bình Yên"
    assert match_unit("Bình Yên", roster) is None


def test_names_that_differ_only_by_diacritics_need_the_diacritics_to_match():
    roster = ["Xã Đồng Thịnh", "Xã Đông Thịnh"]  # two communes of one district
    assert match_unit("UBND xã Đông Thịnh", roster) == "Xã Đông Thịnh"
    assert match_unit("ĐỒNG THỊNH", roster) == "Xã Đồng Thịnh"
    assert match_unit("dong thinh", roster) is None
    assert match_unit("Xã Đồng Thịnh", ["Xã Đồng Thịnh"]) == "Xã Đồng Thịnh"
    assert match_unit("dong thinh", ["Xã Đồng Thịnh"]) == "Xã Đồng Thịnh"  # alone, no diacritics needed


def test_decomposed_unicode_matches_composed():
    decomposed = unicodedata.normalize("NFD", "Xã Đông Thịnh")
    assert match_unit(decomposed, ["Xã Đồng Thịnh", "Xã Đông Thịnh"]) == "Xã Đông Thịnh"


def test_roster_keeps_communes_that_differ_only_by_diacritics(tmp_path):
    path = tmp_path / "ds.txt"
    path.write_text("Xã Đồng Thịnh\nXã Đông Thịnh\nUBND xã Đồng Thịnh\nPhường Đồng Thịnh\n", "utf-8")
    assert read_roster(path) == ["Xã Đồng Thịnh", "Xã Đông Thịnh", "Phường Đồng Thịnh"]


@pytest.mark.parametrize("name, content, expected", [
    # a .txt with a byte-order mark, comments, blank lines and a repeated name
    ("ds.txt", "\ufeff# Danh sách xã phải nộp\nXã Bình Yên\n\n  Xã Trung Hội  \n# hết\nXã bình yên\n".encode("utf-8"),
     ["Xã Bình Yên", "Xã Trung Hội"]),
    ("ds.txt", "Xã Bình Yên\r\nXã Phú Đình\r\n".encode(), ["Xã Bình Yên", "Xã Phú Đình"]),
    # a .csv with a header and more columns, a name holding a comma
    ("ds.csv", "Tên đơn vị,Người liên hệ\nXã Bình Yên,Nguyễn Văn A\n\"Xã Trung Hội, Định Hóa\",B\n".encode("utf-8-sig"),
     ["Xã Bình Yên", "Xã Trung Hội, Định Hóa"]),
    ("ds.csv", "Xã Bình Yên;1\nXã Trung Hội;2\n".encode(), ["Xã Bình Yên", "Xã Trung Hội"]),  # no header
    ("ds.csv", "STT,Tên đơn vị\n1,Xã Bình Yên\n2,Xã Trung Hội\n".encode(),  # the name column, not STT
     ["Xã Bình Yên", "Xã Trung Hội"]),
])
def test_text_and_csv_rosters(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert read_roster(path) == expected


def test_txt_in_a_legacy_encoding_is_refused_with_the_file_name(tmp_path):
    path = tmp_path / "ds.txt"
    path.write_bytes("Xã Bình Yên\n".encode("utf-16"))
    with pytest.raises(RosterError, match=r"ds\.txt.*UTF-8"):
        read_roster(path)


def test_xlsx_first_column_of_first_sheet_with_header(tmp_path):
    path = tmp_path / "ds.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Đơn vị", "Ghi chú"], ["Xã Bình Yên", "x"], [None, None], ["  Xã Phú Đình ", None]):
        sheet.append(row)
    book.create_sheet("Khác").append(["Không đọc"])
    book.save(path)
    assert read_roster(path) == ["Xã Bình Yên", "Xã Phú Đình"]


def test_xlsx_without_header_keeps_the_first_name(tmp_path):
    path = tmp_path / "ds.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Xã Bình Yên"])
    book.active.append(["Xã Trung Hội"])
    book.save(path)
    assert read_roster(path) == ["Xã Bình Yên", "Xã Trung Hội"]


@pytest.mark.parametrize("name, content, pattern", [
    ("ds.docx", b"x", r"ds\.docx.*\.txt, \.csv hoặc \.xlsx"),
    ("ds.xlsx", b"not a zip", r"ds\.xlsx: không đọc được bảng tính"),
    ("ds.txt", b"\n# only a comment\n\n", r"ds\.txt: danh sách đơn vị trống"),
    ("ds.csv", "Tên đơn vị\n".encode(), r"ds\.csv: danh sách đơn vị trống"),
])
def test_unusable_files_are_named_in_vietnamese(tmp_path, name, content, pattern):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError, match=pattern):
        read_roster(path)


def test_missing_file(tmp_path):
    with pytest.raises(RosterError, match=r"khong-co\.txt: không tìm thấy"):
        read_roster(tmp_path / "khong-co.txt")


def test_a_list_too_long_gives_vietnamese_numbers_and_what_to_check(tmp_path, monkeypatch):
    monkeypatch.setattr("cchc_xl.roster.MAX_ROSTER_NAMES", 1000)
    path = tmp_path / "ds.txt"
    path.write_text("".join(f"Xã Số {number}\n" for number in range(1200)), "utf-8")
    with pytest.raises(RosterError, match=r"ds\.txt: danh sách có 1\.200 tên, .*\(tối đa 1\.000\); hãy kiểm tra"):
        read_roster(path)


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_spreadsheets_saved_by_an_office_suite(tmp_path, fmt):
    import lo

    source = tmp_path / "ds.xlsx"
    book = openpyxl.Workbook()
    for row in (["STT", "Tên đơn vị"], [1, "Xã Bình Yên"], [2, "Thị trấn Chợ Chu"]):
        book.active.append(row)
    book.save(source)
    converted = lo.convert(source, fmt, tmp_path / "out")
    assert read_roster(converted) == ["Xã Bình Yên", "Thị trấn Chợ Chu"]
