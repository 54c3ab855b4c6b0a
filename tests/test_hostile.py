"""Bad and hostile files: each gives a Vietnamese ReadError naming the file and the reason, fast."""

import io
import os
import struct
import time
import zipfile

import msoffcrypto.format.ooxml
import pytest

from cchc_xl.grid import MAX_GRID_ROWS, ReadError
from cchc_xl.sources.safezip import MAX_COMPRESSION_RATIO, MAX_UNCOMPRESSED_BYTES
from cchc_xl.reading import read_workbook
from handmade import seed_rows, write_form
from lo import require_soffice

# Generous for a slow CI machine; the measured times are a few milliseconds (see the report).
TIME_LIMIT = 10.0


def refused(path, *fragments):
    start = time.perf_counter()
    with pytest.raises(ReadError) as caught:
        read_workbook(path)
    elapsed = time.perf_counter() - start
    message = str(caught.value)
    assert message.startswith(os.path.basename(str(path)) + ": "), message
    for fragment in fragments:
        assert fragment in message, message
    assert elapsed < TIME_LIMIT
    return message


@pytest.fixture
def form(tmp_path):
    return write_form(tmp_path / "Bình Yên", seed_rows("004"))


def rebuild(source, target, replace=None, add=None):
    """A copy of the zip package `source` with parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, body in add.items():
            new.writestr(name, body)
    return target


def test_missing_path(tmp_path):
    refused(tmp_path / "Không có.xlsx", "không tìm thấy tệp")


def test_a_folder(tmp_path):
    folder = tmp_path / "Thư mục.xlsx"
    folder.mkdir()
    refused(folder, "thư mục")


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "Rỗng.xlsx"
    empty.write_bytes(b"")
    refused(empty, "tệp rỗng")


@pytest.mark.parametrize("content", [b"STT;Chi tieu;So lieu\n1;abc;2\n", os.urandom(4096), b"PK\x03\x04" + os.urandom(2000),
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000)])
def test_not_a_workbook_or_random_bytes(tmp_path, content):
    path = tmp_path / "Hỏng.xlsx"
    path.write_bytes(content)
    refused(path, "tệp bị hỏng hoặc không phải tệp Excel")


def test_truncated_zip(tmp_path, form):
    data = form.read_bytes()
    path = tmp_path / "Cắt.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(path, "tệp bị hỏng hoặc không phải tệp Excel")


def test_password_protected_workbook(tmp_path, form):
    encrypted = io.BytesIO()
    with form.open("rb") as plain:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("matkhau", encrypted)
    path = tmp_path / "Bình Yên.xlsx"
    path.write_bytes(encrypted.getvalue())
    assert refused(path) == "Bình Yên.xlsx: tệp có mật khẩu, hãy gỡ mật khẩu rồi gửi lại"


def test_word_document_sent_instead(tmp_path):
    path = tmp_path / "Báo cáo.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    refused(path, "tệp Word")


def test_workbook_without_a_phu_luc_table(tmp_path):
    path = write_form(tmp_path / "Danh sách", [("1", "Nguyễn Văn A", "", "", "")],
                      header=("Số", "Họ và tên", "Chức vụ", "Điện thoại", "Ghi chú"))
    refused(path, "không tìm thấy bảng Phụ lục (dòng tiêu đề STT / Chỉ tiêu / Đơn vị tính / Số liệu)")


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip directory and local header declare for `member`."""
    data = bytearray(data)
    name = member.encode()
    central = data.find(b"PK\x01\x02" + b"\x00" * 0, 0)
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + name_length]) == name:
            struct.pack_into("<I", data, central + 24, size)
            local = struct.unpack_from("<I", data, central + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_zip_bomb_declared_gigabytes(tmp_path, form):
    path = tmp_path / "Bom.xlsx"
    path.write_bytes(_patch_declared_size(form.read_bytes(), "xl/worksheets/sheet1.xml", 3_000_000_000))
    refused(path, "nội dung nén bất thường", f"giới hạn {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB")


def test_zip_bomb_compression_ratio(tmp_path, form):
    padding = b" " * (MAX_COMPRESSION_RATIO * 20_000)  # 4 MB of spaces: a ratio near 1000
    sheet = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    path = rebuild(form, tmp_path / "Bom.xlsx",
                   replace={"xl/worksheets/sheet1.xml": sheet.replace(b"<sheetData>", b"<sheetData>" + padding, 1)})
    refused(path, "nội dung nén bất thường")


def _padded_with_a_lying_size(form, tmp_path, padding_bytes):
    """The form with blank bytes padded into its sheet, the sheet's declared size 1000 bytes."""
    sheet = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * padding_bytes, 1)
    inflated = rebuild(form, tmp_path / "tmp.xlsx", replace={"xl/worksheets/sheet1.xml": padded})
    path = tmp_path / "Bom.xlsx"
    path.write_bytes(_patch_declared_size(inflated.read_bytes(), "xl/worksheets/sheet1.xml", 1000))
    return path


def test_zip_bomb_lying_small_size(tmp_path, form):
    refused(_padded_with_a_lying_size(form, tmp_path, 5_000_000), "tệp bị hỏng")


def test_inflating_stops_at_the_real_bytes_budget(tmp_path, form, monkeypatch):
    """Declared sizes that pass the directory check do not let a part inflate past the limit."""
    from cchc_xl.sources import safezip

    path = _padded_with_a_lying_size(form, tmp_path, 3_000_000)
    monkeypatch.setattr(safezip, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    refused(path, "nội dung nén bất thường")


def _copy(form, target, method):
    with zipfile.ZipFile(form) as old, zipfile.ZipFile(target, "w", method) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
    return target


def test_stored_parts_read_the_same(tmp_path, form):
    assert read_workbook(_copy(form, tmp_path / "Khác.xlsx", zipfile.ZIP_STORED)).values == read_workbook(form).values


def test_parts_compressed_as_excel_never_does_are_refused_not_crashed(tmp_path, form):
    refused(_copy(form, tmp_path / "Khác.xlsx", zipfile.ZIP_BZIP2), "tệp bị hỏng")


def test_a_damaged_stored_part_is_refused(tmp_path, form):
    copy = _copy(form, tmp_path / "Hỏng.xlsx", zipfile.ZIP_STORED)
    data = bytearray(copy.read_bytes())
    at = data.find(b"<sheetData>")
    data[at + 1:at + 10] = b"sheetDatX"  # same length: only the CRC tells
    copy.write_bytes(bytes(data))
    refused(copy, "tệp bị hỏng")

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + "]>")


def test_xml_entity_bomb_in_sheet(tmp_path, form):
    original = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml").decode("utf-8")
    body = LAUGHS + original.split("?>", 1)[-1].replace("<t>STT</t>", "<t>&lol9;</t>", 1)
    path = rebuild(form, tmp_path / "Bom.xlsx", replace={"xl/worksheets/sheet1.xml": body.encode("utf-8")})
    refused(path, "khai báo XML không an toàn")


def test_xml_entity_bomb_in_shared_strings(tmp_path, form):
    rels = zipfile.ZipFile(form).read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    strings = LAUGHS + ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                        'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    path = rebuild(form, tmp_path / "Bom.xlsx", replace={"xl/_rels/workbook.xml.rels": rels},
                   add={"xl/sharedStrings.xml": strings.encode("utf-8")})
    refused(path, "khai báo XML không an toàn")


def _with_extra_rows(form, target, rows: int, column: str = "A"):
    """The form with `rows` one-cell rows appended below it, written straight into the sheet XML."""
    sheet = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>", 1)
    start = 1000
    filler = b"".join(b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (r, column.encode(), r)
                      for r in range(start, start + rows))
    return rebuild(form, target, replace={"xl/worksheets/sheet1.xml": head + filler + b"</sheetData>" + tail})


@pytest.mark.slow
def test_a_million_rows_are_cut_and_said_so(tmp_path, form):
    path = _with_extra_rows(form, tmp_path / "Triệu dòng.xlsx", 1_000_000)
    start = time.perf_counter()
    submission = read_workbook(path)
    assert time.perf_counter() - start < TIME_LIMIT
    assert submission.values["3.4.2.a"] == 348
    cut = [f for f in submission.findings if f.rule == "sheet-cut"]
    assert len(cut) == 1 and f"chỉ đọc {MAX_GRID_ROWS:,} dòng đầu".replace(",", ".") in cut[0].message
    assert [f.rule for f in submission.findings] == ["sheet-cut"]


def test_a_cell_at_the_last_row_and_column_does_not_exhaust_memory(tmp_path, form):
    sheet = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = rebuild(form, tmp_path / "Góc.xlsx",
                   replace={"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", far + b"</sheetData>", 1)})
    submission = read_workbook(path)
    assert submission.values["1.1.a"] == 6


@pytest.mark.libreoffice
def test_xls_with_a_far_cell_is_refused(tmp_path):
    require_soffice()
    from openpyxl import Workbook
    book = Workbook()
    book.active["A1"] = "STT"
    book.active["IV65536"] = 1
    source = tmp_path / "Xa.xlsx"
    book.save(source)
    from lo import convert
    refused(convert(source, "xls", tmp_path / "out"), "quá lớn (65.536 dòng x 256 cột)")


def test_macro_workbook_is_read_and_never_run(tmp_path, form):
    content_types = zipfile.ZipFile(form).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    path = rebuild(form, tmp_path / "Macro.xlsm", replace={"[Content_Types].xml": content_types},
                   add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + os.urandom(512)})
    assert read_workbook(path).values["3.2.4.a"] == 351


def test_calamine_alone_does_not_expand_entities(tmp_path, form):
    """Even without our DOCTYPE refusal, calamine's XML reader rejects undeclared entities."""
    from python_calamine import CalamineWorkbook
    original = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml").decode("utf-8")
    body = LAUGHS + original.replace("<t>STT</t>", "<t>&lol9;</t>", 1)
    path = rebuild(form, tmp_path / "Bom.xlsx", replace={"xl/worksheets/sheet1.xml": body.encode("utf-8")})
    with pytest.raises(Exception, match="entity"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_damaged_bytes_anywhere_give_a_read_error_or_a_reading(tmp_path, form):
    """Random byte changes: every outcome is a reading or a ReadError, never another exception."""
    import random
    data = form.read_bytes()
    rnd = random.Random(20240315)
    for attempt in range(60):
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 6)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        path = tmp_path / f"Hỏng {attempt}.xlsx"
        path.write_bytes(bytes(damaged))
        try:
            read_workbook(path)
        except ReadError as error:
            assert str(error).startswith(path.name + ": ")
