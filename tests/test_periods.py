import pytest

from cchc_xl.periods import from_filename, label, normalise


@pytest.mark.parametrize("text, period", [
    ("BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QÚY I NĂM 2024", "2024-Q1"),
    ("QUÝ III NĂM 2022 CỦA UBND THỊ XÃ NGÃ NĂM", "2022-Q3"),
    ("6 tháng đầu năm 2021", "2021-6M"), ("9 tháng năm 2023", "2023-9M"), ("Quý 3/2022", "2022-Q3"),
    ("Báo cáo năm 2023", "2023-Y"), ("2024-Q1", "2024-Q1"), ("Phụ lục số II", None), ("", None),
    # a date in words names the day a report was signed, not a year's report
    ("(Kèm theo Báo cáo số 12/BC-UBND ngày 14 tháng 3 năm 2026 của UBND xã Bình Phước)", None),
    ("Bình Phước, ngày 14 tháng 6, năm 2026", None),
    ("Bình Yên, ngày      tháng      năm 2024", None), ("Bình Yên, ngày … tháng … năm 2024", None),
    ("Bình Yên, ngày ... tháng 3 năm 2024", None), ("6 tháng năm 2024", "2024-6M"),
    # a year's figures up to a cut-off: the months until then
    ("BÁO CÁO CCHC năm 2026 (số liệu đến 14/6)", "2026-6M"), ("Năm 2026 (số liệu tính đến ngày 14/9/2026)", "2026-9M"),
    ("Báo cáo năm 2026 (số liệu đến 14/12)", "2026-Y"), ("Năm 2026 (số liệu đến 20/5)", "2026-Y"),
    ("Báo cáo quý I (ngày 14 tháng 3 năm 2026)", "2026-Q1"),
    ("Báo cáo năm 2026, ngày 10 tháng 12 năm 2026", "2026-Y"),
    # the first period named is the report's, the next one its tasks ahead
    ("Kết quả 6 tháng đầu năm 2025, phương hướng nhiệm vụ quý III năm 2025", "2025-6M"),
    ("Kết quả quý III, phương hướng nhiệm vụ 9 tháng cuối năm 2025", "2025-Q3"),
    # "Quí", the old spelling, was read as the year's report; a quarter in words right before its year
    ("BÁO CÁO CCHC QUÍ I NĂM 2025", "2025-Q1"), ("Quí 2/2025", "2025-Q2"), ("Quý Một năm 2025", "2025-Q1"),
    ("PL xã Quý Ba 2025", None),  # a name, not Quý III
    # the second half of a year is no report's period (it was read as 6 tháng)
    ("6 tháng cuối năm 2025", None),
    ("Kết quả 6 tháng đầu năm 2025, phương hướng nhiệm vụ 6 tháng cuối năm 2025", "2025-6M"),
])
def test_normalise(text, period):
    assert normalise(text) == period


@pytest.mark.parametrize("name, period", [
    ("PL_Quy1_2024_XaBinhYen.xlsx", "2024-Q1"), ("BC_6T_2021_HuyenCamXuyen.xls", "2021-6M"),
    ("q3-2022 Nga Nam.ods", "2022-Q3"), ("QUY_III_2022.xlsx", "2022-Q3"), ("9thang2023.xlsx", "2023-9M"),
    ("PhuLuc_Nam2023.xlsx", "2023-Y"), ("Bình Yên.xlsx", None), ("BC_Qui1_2025_XaBinhYen.xlsx", "2025-Q1"),
])
def test_from_filename(name, period):
    assert from_filename(name) == period


def test_label():
    assert label("2024-Q1") == "Quý I năm 2024" and label("2021-6M") == "6 tháng năm 2021" and label("2023-Y") == "Năm 2023"


@pytest.mark.parametrize("text, dated", [
    ("Bình Yên, ngày 15 tháng 3 năm 2025", (2025, 3)), ("Phường 5, ngày 15 tháng 3 năm 2025", (2025, 3)),
    ("TP. Thái Nguyên, ngày 05 tháng 01 năm 2026.", (2026, 1)), ("Côn Đảo, ngày    tháng    năm 2025", (2025, None)),
    # another document's date, in a note: not the report's place and date line
    ("Báo cáo số 12, ngày 5 tháng 1 năm 2025", None), ("Quyết định số 12/QĐ-UBND ngày 5 tháng 1 năm 2025", None),
    ("Bình Yên, ngày 15 tháng 3 năm 2025 và các văn bản khác", None),
])
def test_place_and_date(text, dated):
    from cchc_xl.periods import place_and_date

    assert place_and_date(text) == dated
