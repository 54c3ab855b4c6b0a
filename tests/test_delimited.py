"""A Phụ lục saved as CSV or Excel's "Unicode Text": read with the figures, findings, cells, unit and
period of the workbook it came from; other text beside the files (a list of units) is passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_xl.grid import MAX_GRID_ROWS, ReadError
from cchc_xl.sources import load

from handmade import write_delimited, write_form
from hostile import measured_load
from test_webpage import TITLE, checked, comparable, rows_with_percents_and_a_mistake


@pytest.mark.parametrize(("name", "separator", "encoding"), [
    ("csv-utf8.csv", ",", "utf-8-sig"),  # Excel's "CSV UTF-8"
    ("csv-windows.csv", ";", "windows-1258"),  # Excel's "CSV" on Vietnamese Windows
    ("unicode-text.txt", "\t", "utf-16"),  # Excel's "Unicode Text"
])
def test_text_reads_as_the_workbook(capsys, tmp_path, name, separator, encoding):
    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    text = write_delimited(tmp_path / name, rows, title_lines=TITLE, separator=separator, encoding=encoding)
    by_workbook, by_text = checked(capsys, workbook, text)
    assert any(finding["severity"] == "error" for finding in by_text["findings"])
    assert comparable(by_text) == comparable(by_workbook)


@pytest.mark.libreoffice
def test_csv_saved_by_libreoffice_reads_as_the_workbook(capsys, tmp_path):
    from lo import convert

    rows = rows_with_percents_and_a_mistake()
    workbook = write_form(tmp_path / "xa", rows, title_lines=TITLE)
    text = convert(workbook, "csv", tmp_path / "csv")
    by_workbook, by_text = checked(capsys, workbook, text)
    assert comparable(by_text) == comparable(by_workbook)


def test_a_folder_gives_its_phu_luc_text_and_passes_over_other_text(capsys, tmp_path):
    folder = tmp_path / "nop"
    folder.mkdir()
    write_delimited(folder / "xa-binh-yen.csv", rows_with_percents_and_a_mistake(), title_lines=TITLE)
    (folder / "danh-sach-don-vi.txt").write_text("UBND xã Bình Yên\nUBND xã Bảo Cường\n", "utf-8")
    (folder / "ghi-chu.csv").write_text("STT,Đơn vị,Ngày nộp\n1,Bình Yên,15/3\n", "utf-8")
    entries = checked(capsys, folder)
    assert [Path(entry["path"]).name for entry in entries] == ["xa-binh-yen.csv"]
    assert entries[0]["period"] == "2024-Q1" and "Bình Yên" in entries[0]["unit"]


def test_long_or_broken_text_is_bounded(tmp_path):
    header = "STT,Các chỉ tiêu,Đơn vị tính,Số liệu,Ghi chú\r\n"
    long = tmp_path / "dai.csv"
    long.write_text(header + "1,a,b,2,c\r\n" * (MAX_GRID_ROWS + 10), "utf-8")
    workbook = load(long)
    assert len(workbook.grids[0].rows) == MAX_GRID_ROWS and "quá lớn" in workbook.notes[0]
    broken = tmp_path / "hong.csv"
    broken.write_text(header + '1,"' + "x" * 200_000 + '",b,2,c\r\n', "utf-8")
    with pytest.raises(ReadError) as refused:
        load(broken)
    assert "hong.csv" in str(refused.value)


def test_a_line_of_millions_of_separators_costs_bounded_memory(tmp_path):
    path = tmp_path / "tab.txt"
    path.write_text("STT\tCác chỉ tiêu\tĐơn vị tính\tSố liệu\tGhi chú\r\n1\t" + "\t" * 20_000_000, "utf-8")
    read = measured_load(path)
    assert read["added_kib"] < 250 * 1024  # the line as one list of cells: 340 MB
    assert read["first"] == ["STT", "1"] and "quá lớn" in read["notes"][0]


def test_a_text_whose_first_64_kb_end_inside_a_letter_is_still_utf8(tmp_path):
    """The header is looked for in the first 64 KB; cut there inside "ý", they were taken for
    windows-1258, the header no longer read "Chỉ tiêu" and the Phụ lục was refused."""
    header = "STT,Các chỉ tiêu,Đơn vị tính,Số liệu,Ghi chú\r\n".encode()
    line = b"1," + b"x" * (65_535 - len(header) - 2) + "ý,b,1,c\r\n".encode()
    path = tmp_path / "dai.csv"
    path.write_bytes(header + line)
    assert (header + line)[65_535:65_537] == "ý".encode()
    assert load(path).grids[0].rows[0][1] == "Các chỉ tiêu"
