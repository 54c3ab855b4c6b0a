"""Bad and hostile files: each gives a Vietnamese ReadError naming the file and the reason, fast."""

import io
import os
import struct
import time
import zipfile

import msoffcrypto.format.ooxml
import pytest

from cchc_xl.grid import MAX_GRID_COLS, MAX_GRID_ROWS, ReadError
from cchc_xl.sources import load
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
@pytest.mark.parametrize("command", [["check", "{fifo}"], ["merge", "{fifo}", "{good}", "-o", "{out}.xlsx", "--no-history", "--force"],
                                     ["report", "{fifo}", "-o", "{out}.docx"], ["check", "--previous", "{fifo}", "{good}"]])
def test_a_named_pipe_or_a_link_to_one_is_refused_at_once_not_waited_on(form, tmp_path, command):
    """Opening a FIFO waits for a writer that never comes: the command hung until the worker's time
    limit, or for ever where a file is read in the calling process."""
    import subprocess
    import sys

    fifo = tmp_path / "quy1.xlsx"
    os.mkfifo(fifo)
    (tmp_path / "lien-ket.xlsx").symlink_to(fifo)
    for named in (fifo, tmp_path / "lien-ket.xlsx"):
        arguments = [part.format(fifo=named, good=form, out=tmp_path / "ra") for part in command]
        done = subprocess.run([sys.executable, "-m", "cchc_xl", *arguments], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode in (1, 2) and "không phải tệp thông thường" in done.stdout + done.stderr, done
        assert "Traceback" not in done.stderr


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


def _with_row(form, target, row_xml: bytes):
    """The form with one more <row> written at the end of its sheet's data."""
    sheet = zipfile.ZipFile(form).read("xl/worksheets/sheet1.xml")
    return rebuild(form, target, replace={"xl/worksheets/sheet1.xml": sheet.replace(
        b"</sheetData>", row_xml + b"</sheetData>", 1)})


def test_a_cell_at_the_last_row_and_column_does_not_exhaust_memory(tmp_path, form):
    path = _with_row(form, tmp_path / "Góc.xlsx", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    submission = read_workbook(path)
    assert submission.values["1.1.a"] == 6


def test_a_sheet_cut_by_its_columns_only_says_so(tmp_path, form):
    """A note typed far to the right (column CV) of a short sheet: the columns past the grid are cut,
    and the note names the columns, not the rows the sheet does not have too many of."""
    path = _with_row(form, tmp_path / "Rộng.xlsx",
                     b'<row r="2000"><c r="CV2000" t="inlineStr"><is><t>ghi ch\xc3\xba</t></is></c></row>')
    submission = read_workbook(path)
    assert submission.values["3.4.2.a"] == 348
    cut = [f.message for f in submission.findings if f.rule == "sheet-cut"]
    assert len(cut) == 1 and f"có 100 cột; chỉ đọc {MAX_GRID_COLS} cột đầu" in cut[0], cut
    assert "dòng" not in cut[0].split("»", 1)[1].split(".")[0], cut


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


# --- The pre-scan alone: what would abort or swell calamine is refused or cut before it --------

import hostile  # noqa: E402
from cchc_xl import sandbox  # noqa: E402


def _load_summary(path: str):
    """("refused", message) or ("read", [(sheet, rows, columns)], notes): plain data from a worker."""
    from cchc_xl.sources import load

    try:
        book = load(path)
    except ReadError as error:
        return "refused", str(error)
    return "read", [(grid.name, len(grid.rows), max(map(len, grid.rows), default=0)) for grid in book.grids], book.notes


def scanned(path):
    """The file loaded in a limited worker, so that an abort fails the test instead of ending it."""
    with sandbox.Pool(seconds=TIME_LIMIT) as pool:
        outcome = pool.call(_load_summary, str(path))
    assert not isinstance(outcome, sandbox.Failure), outcome
    return outcome


@pytest.mark.parametrize("name", sorted(hostile.ABORTS))
def test_every_file_that_aborts_calamine_is_refused_or_cut_by_the_scan(tmp_path, name):
    path = tmp_path / "Hỏng.xlsx"
    path.write_bytes(hostile.ABORTS[name]())
    outcome = scanned(path)
    if outcome[0] == "refused":
        assert outcome[1].startswith("Hỏng.xlsx: ")
    else:
        assert all(rows <= MAX_GRID_ROWS and columns <= 64 for _name, rows, columns in outcome[1])
        assert any(f"chỉ đọc {MAX_GRID_ROWS:,} dòng đầu".replace(",", ".") in note
                   or f"chỉ đọc {MAX_GRID_COLS} cột đầu" in note for note in outcome[2]), outcome[2]


FAR = hostile.sheet(hostile.CELLS + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


@pytest.mark.parametrize("spelling", ["XL/WORKSHEETS/SHEET1.XML", "xl\\worksheets\\sheet1.xml", "xl/worksheets/sheet1.xml"])
def test_a_second_member_for_one_part_is_the_one_scanned_as_calamine_reads_it(tmp_path, spelling):
    """Two zip members naming one part in another case or with backslashes: calamine reads the later."""
    import warnings

    path = tmp_path / "Hai tên.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name
        path.write_bytes(hostile.xlsx(extra={spelling: FAR}))
    outcome = scanned(path)
    assert outcome[0] == "read" and outcome[1] == [("Sheet1", 2, 2)], outcome
    assert any("1.048.576 dòng" in note for note in outcome[2])


def _utf16(body: bytes) -> bytes:
    return body.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode("utf-8").encode("utf-16")


def test_a_sheet_part_in_utf16_is_scanned_as_calamine_is_given_it(tmp_path):
    """The format allows UTF-16 parts: read in UTF-8 by the scans and by calamine, never unscanned."""
    path = tmp_path / "UTF-16.xlsx"
    path.write_bytes(hostile.xlsx(sheet_xml=_utf16(FAR)))
    outcome = scanned(path)
    assert outcome[0] == "read" and outcome[1] == [("Sheet1", 2, 2)], outcome
    assert any("1.048.576 dòng" in note for note in outcome[2])
    path.write_bytes(hostile.xlsx(strings=_utf16(LAUGHS.encode() + hostile.shared_strings("STT").split(b"?>", 1)[1])))
    outcome = scanned(path)
    assert outcome[0] == "refused" and "khai báo XML không an toàn" in outcome[1], outcome


def test_a_sheet_part_the_workbook_does_not_name_as_we_read_it_is_bounded_too(tmp_path):
    """Relationships naming one id twice: whichever sheet calamine takes, it has been cut."""
    rels = hostile.WORKBOOK_RELS.replace(b"</Relationships>", b'<Relationship Id="rId1" Type="http://schemas.openxmlformats'
                                         b'.org/officeDocument/2006/relationships/worksheet" Target="worksheets/far.xml"/>'
                                         b"</Relationships>")
    for order in (rels, rels.replace(b'Target="worksheets/sheet1.xml"', b'Target="worksheets/x.xml"', 1)
                  .replace(b"worksheets/far.xml", b"worksheets/sheet1.xml").replace(b"worksheets/x.xml", b"worksheets/far.xml")):
        path = tmp_path / "Hai quan hệ.xlsx"
        path.write_bytes(hostile.xlsx(extra={"xl/_rels/workbook.xml.rels": order, "xl/worksheets/far.xml": FAR}))
        outcome = scanned(path)
        assert outcome[0] == "refused" or all(rows <= 3 for _name, rows, _columns in outcome[1]), outcome


def test_a_sheet_calamine_is_given_under_another_name_is_bounded_under_both(tmp_path):
    """A target "./worksheets/far.xml": the part is handed to calamine also under the name it looks for."""
    rels = hostile.WORKBOOK_RELS.replace(b'Target="worksheets/sheet1.xml"', b'Target="./worksheets/far.xml"')
    path = tmp_path / "Đích.xlsx"
    path.write_bytes(hostile.xlsx(extra={"xl/_rels/workbook.xml.rels": rels, "xl/worksheets/far.xml": FAR}))
    outcome = scanned(path)
    assert outcome[0] == "read" and outcome[1] == [("Sheet1", 2, 2)], outcome
    assert any("1.048.576 dòng" in note for note in outcome[2])


def test_rows_placed_by_counting_past_the_limit_leave_the_sheet_unread_and_say_so_once(tmp_path):
    """Rows without positions cannot be cut by their numbers: the sheet is not read, and the note says
    that alone (not also that its first 3,000 rows were read)."""
    path = tmp_path / "Dòng không số.xlsx"
    path.write_bytes(hostile.xlsx(sheet_xml=hostile.sheet(hostile.CELLS + b"<row/>" * 150_000
                                                          + b"<row><c/><c><v>1</v></c></row>")))
    assert scanned(path) == ("read", [], ["Trang tính «Sheet1» quá lớn, không đọc"])


@pytest.mark.parametrize("cells", [
    b'<row r="3"><c r="XFD3"><v>1</v></c>' + b'<c r="A3" ' * 3_000,  # cut at column 64, tags never closed
    b"<row>" + b"<c " * 20_000 + b'"',  # a quote left open
    b'<row r="4"><c r="A4" xr="5000"/></row>' + b"<row " * 20_000,  # row tags never closed, a number past 3,000
    b'<row r="3">' + b'<c r="A3" t="e"><v>#N/A</v>' * 20_000,  # error cells never closed (the quick scan)
    b"<row r='3'>" + b"<c r='A3'><f>1</f>" * 20_000,  # formulas never closed (the scan tag by tag)
], ids=["cut", "open quote", "open rows", "open errors", "open formulas"])
def test_tags_left_open_cost_the_scan_linear_time(tmp_path, cells):
    """Each tag is read once: a tag that is never closed must not make the scan read the rest of the
    part again for every tag (the patterns took minutes on files of a few hundred kilobytes)."""
    path = tmp_path / "Thẻ mở.xlsx"
    path.write_bytes(hostile.xlsx(sheet_xml=hostile.sheet(hostile.CELLS + cells)))
    start = time.perf_counter()
    outcome = scanned(path)
    assert time.perf_counter() - start < TIME_LIMIT, outcome
    assert outcome[0] in ("read", "refused")


@pytest.mark.parametrize("part, tail", [
    ("xl/worksheets/sheet1.xml", b'<col hidden="1" '), ("xl/worksheets/sheet1.xml", b'<row hidden="1" '),
    ("xl/worksheets/sheet1.xml", b'<c r="A1" '), ("docProps/core.xml", b"<dc:title "),
], ids=["columns", "rows", "cells", "title"])
def test_a_part_ending_in_tags_left_open_costs_linear_time(tmp_path, part, tail):
    """A part cut short after thousands of open tags: what follows its last ">" holds no tag to read."""
    body = hostile.sheet()[:-len(b"</sheetData></worksheet>")] if part.startswith("xl/") else b"<cp:coreProperties>"
    path = tmp_path / "Thẻ mở.xlsx"
    path.write_bytes(hostile.xlsx(extra={part: body + tail * 60_000}))
    start = time.perf_counter()
    outcome = scanned(path)
    assert time.perf_counter() - start < TIME_LIMIT, outcome
    assert outcome[0] in ("read", "refused")


def test_shared_strings_declaring_more_than_they_hold_are_refused(tmp_path):
    path = tmp_path / "Chuỗi.xlsx"
    path.write_bytes(hostile.xlsx(strings=hostile.shared_strings("STT", count="3000000")))
    assert scanned(path) == ("refused", "Chuỗi.xlsx: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods); "
                                        "hãy mở tệp bằng Excel, lưu lại rồi gửi lại")
    path.write_bytes(hostile.xlsx(strings=hostile.shared_strings("STT", count="900")))  # miscounted, harmless
    assert scanned(path)[0] == "read"


@pytest.mark.parametrize("cell", ['office:value="1"', 'office:string-value="x"', 'office:boolean-value="true"',
                                  'table:formula="of:=1+1"'])
def test_ods_cells_without_a_value_type_count_toward_the_sheet_size(tmp_path, cell):
    rows = hostile.ODS_FIRST_ROW + ('<table:table-row table:number-rows-repeated="100000">'
                                    f'<table:table-cell table:number-columns-repeated="100" {cell}/></table:table-row>')
    path = tmp_path / "Lặp.ods"
    path.write_bytes(hostile.ods(rows))
    outcome = scanned(path)
    assert outcome[0] == "refused" and "quá lớn (100.001 dòng x 100 cột)" in outcome[1], outcome


@pytest.mark.parametrize("rebound", ["row", "cell"])
def test_ods_rows_and_cells_under_a_prefix_bound_to_another_namespace_count_too(tmp_path, rebound):
    """calamine knows "table:table-row" by its written name: binding the prefix to another namespace
    on the element hides it from a scan by namespace, not from calamine."""
    row = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="100" '
           'office:value-type="float" office:value="1"/></table:table-row>')
    tag = "<table:table-row " if rebound == "row" else "<table:table-cell "
    path = tmp_path / "Lặp.ods"
    path.write_bytes(hostile.ods(hostile.ODS_FIRST_ROW + row.replace(tag, tag + 'xmlns:table="urn:x" ')))
    outcome = scanned(path)
    assert outcome[0] == "refused" and "quá lớn (100.001 dòng x 100 cột)" in outcome[1], outcome
    path.write_bytes(hostile.ods())
    assert scanned(path) == ("read", [("S", 1, 1)], [])


@pytest.fixture(scope="module")
def small_xls(tmp_path_factory):
    require_soffice()
    from openpyxl import Workbook

    from lo import convert

    folder = tmp_path_factory.mktemp("xls")
    book = Workbook()
    book.active["A1"] = "STT"
    book.active["B2"] = 5
    book.save(folder / "Nhỏ.xlsx")
    return convert(folder / "Nhỏ.xlsx", "xls", folder / "out").read_bytes()


def _xls(tmp_path, data, change):
    path = tmp_path / "Cũ.xls"
    path.write_bytes(data)
    hostile.patch_workbook_stream(path, change)
    return path


def _first(stream, record):
    return next(offset for offset, kind, _size in hostile.biff_records(bytes(stream)) if kind == record)


@pytest.mark.libreoffice
def test_xls_dimensions_claiming_four_billion_rows_are_refused(tmp_path, small_xls):
    def claim(stream):
        struct.pack_into("<IIHH", stream, _first(stream, 0x0200) + 4, 0, 0xFFFFFFFF, 0, 0xFFFF)
    assert scanned(_xls(tmp_path, small_xls, lambda stream: None))[0] == "read"
    outcome = scanned(_xls(tmp_path, small_xls, claim))
    assert outcome[0] == "refused" and "quá lớn" in outcome[1], outcome


@pytest.mark.libreoffice
def test_xls_shared_strings_claiming_more_than_the_stream_holds_are_refused(tmp_path, small_xls):
    def claim(stream):
        struct.pack_into("<i", stream, _first(stream, 0x00FC) + 8, 2 ** 31 - 1)
    assert scanned(_xls(tmp_path, small_xls, claim))[0] == "refused"


@pytest.mark.libreoffice
def test_an_xls_sheet_offset_pointing_inside_another_record_is_scanned_from_there(tmp_path, small_xls):
    """A sheet hidden in the body of a record the globals skip (WRITEACCESS), with a cell at IV65536."""
    def hide(stream):
        inside = _first(stream, 0x005C) + 4
        fake = (struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x10, 0, 0, 0, 0)
                + struct.pack("<HH", 0x0203, 14) + struct.pack("<HHHd", 65535, 255, 0, 1.0) + struct.pack("<HH", 0x000A, 0))
        stream[inside:inside + len(fake)] = fake
        struct.pack_into("<I", stream, _first(stream, 0x0085) + 4, inside)
    outcome = scanned(_xls(tmp_path, small_xls, hide))
    assert outcome[0] == "refused" and "quá lớn (65.536 dòng x 256 cột)" in outcome[1], outcome


@pytest.mark.parametrize("part", ["styles", "names"])
def test_parts_we_parse_ourselves_listing_more_than_the_bound_are_refused(tmp_path, monkeypatch, part):
    """Styles and defined names are read element by element and counted (a bound of 1,000 here)."""
    from cchc_xl.sources import xlsx

    monkeypatch.setattr(xlsx, "MAX_LISTED", 1000)
    for count, expected in ((1001, "refused"), (990, "read")):
        if part == "styles":
            formats = '<xf numFmtId="9"/>' * count
            body = f'<styleSheet xmlns="{hostile.MAIN}"><cellXfs>{formats}</cellXfs></styleSheet>'
            extra = {"xl/styles.xml": body.encode()}
        else:
            names = "".join(f'<definedName name="N{index}">Sheet1!$A$1</definedName>' for index in range(count))
            extra = {"xl/workbook.xml": hostile.WORKBOOK.replace(
                b"</sheets>", f"</sheets><definedNames>{names}</definedNames>".encode())}
        path = tmp_path / f"Nhiều {count}.xlsx"
        path.write_bytes(hostile.xlsx(extra=extra))
        assert scanned(path)[0] == expected, count


@pytest.mark.libreoffice
def test_an_xls_stream_whose_sectors_loop_is_refused_at_once(tmp_path, small_xls):
    """A sector chain looping back, under a size of two gigabytes: olefile read the loop until it held
    them (14 s, 4.6 GB); a stream larger than the file cannot be whole."""
    path = tmp_path / "Vòng.xls"
    path.write_bytes(hostile.cyclic_stream(small_xls, "Root Entry", 0x7FFFFF00))
    refused(path, "hỏng")


def test_ods_elements_by_the_hundred_thousand_are_let_go_once_scanned(tmp_path):
    """Elements no office writes, in the table between its rows: each kept until the end (4 million:
    19 s and 1.7 GB in the scan)."""
    path = tmp_path / "Rác.ods"
    path.write_bytes(hostile.ods(hostile.ODS_FIRST_ROW + hostile.numbered_elements(900_000)))
    read = hostile.measured_load(path)
    assert read["first"] == ["STT"] and read["added_kib"] < 150 * 1024


def test_ods_of_more_elements_than_the_scan_reads_is_refused(tmp_path):
    path = tmp_path / "Rác.ods"
    path.write_bytes(hostile.ods(hostile.ODS_FIRST_ROW + hostile.numbered_elements(1_100_000)))
    refused(path, "hỏng")


def test_a_word_document_of_millions_of_elements_is_read_to_a_bound_and_said_so(tmp_path):
    path = tmp_path / "Rác.docx"
    path.write_bytes(hostile.docx(hostile.DOCX_TABLE + hostile.numbered_elements(2_000_000) + hostile.DOCX_TABLE))
    started = time.perf_counter()
    workbook = load(path)
    assert time.perf_counter() - started < TIME_LIMIT  # 8 s for two million, 16 s for four
    assert [grid.rows[0][:2] for grid in workbook.grids] == [["STT", "Chỉ tiêu"]]
    assert any("Văn bản quá lớn" in note for note in workbook.notes)


def _biff(record: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(body)) + body


def test_an_xls_whose_sheets_each_walk_millions_of_records_is_refused_in_little_time(tmp_path):
    """200 sheets listed at offsets four bytes apart in a stream of three million empty records and no
    EOF: each sheet is walked from its offset to the end of the stream (hours), so the records walked
    are counted over all sheets."""
    bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x05, 0, 0, 0, 0))

    def sheet(offset: int, index: int) -> bytes:
        return _biff(0x0085, struct.pack("<IBBBB", offset, 0, 0, 4, 0) + b"S%03d" % index)

    globals_size = len(bof) + 200 * len(sheet(0, 0)) + 4
    stream = (bof + b"".join(sheet(globals_size + 4 * index, index) for index in range(200)) + _biff(0x000A)
              + _biff(0x7200) * 3_000_000)
    path = tmp_path / "Dài.xls"
    path.write_bytes(hostile.compound_file({"Workbook": stream}))
    refused(path, "hỏng")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_folder_holding_named_pipes_and_a_device_under_text_names_is_read_at_once(form, tmp_path):
    """A .csv, .txt or .xml is looked into for a Phụ lục's header before it is listed: a FIFO under
    such a name made `check` of the folder wait for ever. None of them is a submission."""
    import json
    import subprocess
    import sys

    for name in ("danh-sach.csv", "ghi-chu.txt", "bang.xml"):
        os.mkfifo(form.parent / name)
    (form.parent / "khong.csv").symlink_to("/dev/zero")
    done = subprocess.run([sys.executable, "-m", "cchc_xl", "check", "--json", str(form.parent)],
                          capture_output=True, text=True, timeout=60)
    files = [os.path.basename(entry["path"]) for entry in json.loads(done.stdout)["files"]]
    assert files == [form.name] and "Traceback" not in done.stderr


def test_the_hash_of_a_source_replaced_by_a_device_is_none(tmp_path):
    """A source is hashed for the history after it was read: replaced by a link to /dev/zero in between,
    the hash read for ever."""
    from cchc_xl.history import file_hash

    link = tmp_path / "quy1.xlsx"
    link.symlink_to("/dev/zero")
    assert file_hash(str(link)) == ""


def test_a_word_paragraph_of_millions_of_words_is_cut_at_what_a_cell_holds(tmp_path):
    """Its words were split into a list of millions (850 MB) and the cell kept them all (63 MB)."""
    words = " ".join(str(index) for index in range(8_000_000))
    path = tmp_path / "Dài.docx"
    path.write_bytes(hostile.docx(hostile.DOCX_TABLE.replace("STT", words) + f"<w:p><w:r><w:t>{words}</w:t></w:r></w:p>"))
    read = hostile.measured_load(path)
    assert len(read["first"][0]) == 32_767 and read["added_kib"] < 400 * 1024


@pytest.mark.parametrize("styles", [
    "<office:styles>{junk}</office:styles>{page}",  # 4 million: 16 s and 1.6 GB
    '<office:master-styles><style:master-page style:name="mp"><style:header><text:p>{words}</text:p>'
    "</style:header></style:master-page></office:master-styles>",  # 5 million words split: 490 MB
], ids=["elements before the page style", "a header of millions of words"])
def test_ods_page_styles_are_read_in_bounded_memory(tmp_path, styles):
    page = ('<office:master-styles><style:master-page style:name="mp"><style:header><text:p>Quý II năm 2024'
            "</text:p></style:header></style:master-page></office:master-styles>")
    path = tmp_path / "Trang.ods"
    path.write_bytes(hostile.ods(master_styles=styles.format(junk=hostile.numbered_elements(900_000), page=page,
                                                             words=" ".join(map(str, range(3_000_000))))))
    read = hostile.measured_load(path)
    assert read["first"] == ["STT"] and read["added_kib"] < 200 * 1024


def _listing(count: int) -> bytes:
    """An .xlsx whose workbook lists `count` sheets S0, S1, … all pointing at its one sheet part."""
    sheets = "".join(f'<sheet name="S{n}" sheetId="{n + 1}" r:id="rId{n + 10}"/>' for n in range(count))
    relations = "".join(f'<Relationship Id="rId{n + 10}" Type="{hostile._REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                        for n in range(count))
    workbook = hostile.WORKBOOK.replace(b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/>', sheets.encode())
    rels = hostile.WORKBOOK_RELS.replace(b"</Relationships>", relations.encode() + b"</Relationships>")
    return hostile.xlsx(extra={"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels})


def test_a_workbook_listing_more_sheets_than_an_office_keeps_is_refused_at_once(tmp_path):
    """Each sheet listed is read, also when they all point at one part: 60,000 of them took 26 s."""
    from cchc_xl.grid import MAX_SHEETS

    path = tmp_path / "Nhiều trang.xlsx"
    path.write_bytes(_listing(5 * MAX_SHEETS))
    refused(path, "5.000 trang tính", f"tối đa {MAX_SHEETS}")
    path.write_bytes(_listing(MAX_SHEETS))
    assert scanned(path)[0] == "read"


def test_sheets_past_the_cells_a_workbook_may_hold_are_left_unread_and_named(tmp_path, monkeypatch):
    """Sheets listing one large part cost a reading each (40 of 180,000 cells took 19 s and 350 MB):
    once the sheets read hold MAX_BOOK_CELLS, the others are named as unread (a bound of 20 here,
    each sheet holding 4: the sixth sheet is the first past it)."""
    from cchc_xl.sources import xlsx

    monkeypatch.setattr(xlsx, "MAX_BOOK_CELLS", 20)
    path = tmp_path / "Nhiều trang.xlsx"
    path.write_bytes(_listing(30))
    book = load(path)
    assert [grid.name for grid in book.grids] == [f"S{n}" for n in range(5)]
    assert book.notes == ["Trang tính «S5», «S6», «S7», «S8», «S9» và 20 trang khác không đọc: các trang trước "
                          "đã có 20 ô; nếu bảng Phụ lục ở đó, hãy chép nó sang một tệp mới"]


def test_zip_members_sharing_one_compressed_stream_are_refused_at_once(tmp_path, form):
    """3,000 directory entries inflating one sheet's stream were each inflated and scanned (28 s)."""
    package = form.read_bytes()
    copies = [f"xl/worksheets/sheet{n}.xml" for n in range(2, 3002)]
    for name, names in (("Chồng tên.xlsx", copies), ("Chồng một tên.xlsx", ["xl/worksheets/sheet1.xml"] * 3000)):
        (tmp_path / name).write_bytes(hostile.central_entries(package, "xl/worksheets/sheet1.xml", names))
        refused(tmp_path / name, "tệp bị hỏng")


@pytest.mark.parametrize("fields, fragment", [
    ({"usize": 10}, "tệp bị hỏng"), ({"usize": 0xFFFFFFF0}, "nội dung nén bất thường"),
    ({"method": 0, "csize": 0xFFFFFFF0, "usize": 0xFFFFFFF0}, "nội dung nén bất thường")])
def test_a_directory_entry_lying_about_its_part_is_refused(tmp_path, form, fields, fragment):
    path = tmp_path / "Dối.xlsx"
    path.write_bytes(hostile.central_entries(form.read_bytes(), "xl/worksheets/sheet1.xml", [], **fields))
    refused(path, fragment)


def test_an_xlsb_named_xlsx_says_how_to_save_it(tmp_path):
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("[Content_Types].xml", hostile.CONTENT_TYPES)
        archive.writestr("xl/workbook.bin", os.urandom(2000))
        archive.writestr("xl/worksheets/sheet1.bin", os.urandom(5000))
    (tmp_path / "Nhị phân.xlsx").write_bytes(package.getvalue())
    refused(tmp_path / "Nhị phân.xlsx", ".xlsb", "Excel Workbook (*.xlsx)")


def test_ods_tables_each_within_the_bound_but_too_large_together_are_refused(tmp_path):
    """calamine builds every table of an .ods when it opens it: twenty tables of 1.9 million cells
    (a 900-byte file) took 1 GB and aborted the reader."""
    from cchc_xl.sources.calamine import MAX_DENSE_BOOK_CELLS, MAX_DENSE_CELLS

    rows = ('<table:table-row table:number-rows-repeated="120"><table:table-cell table:number-columns-repeated='
            '"16000" office:value-type="float" office:value="1"/></table:table-row>')
    assert 121 * 16000 <= MAX_DENSE_CELLS < 2 * 121 * 16000 <= MAX_DENSE_BOOK_CELLS < 20 * 121 * 16000
    path = tmp_path / "Nhiều bảng.ods"
    path.write_bytes(hostile.ods(hostile.ODS_FIRST_ROW + rows, tables=20))
    refused(path, "20 trang tính cộng lại quá lớn")
    path.write_bytes(hostile.ods(hostile.ODS_FIRST_ROW + rows, tables=2))
    assert scanned(path)[0] == "read"
