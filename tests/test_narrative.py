"""The narrative of a Word report checked against its Phụ lục and against itself (narrative.py and
`cchc-xl check`), on the seeds' narratives typed into .docx reports the way offices write them."""

from __future__ import annotations

import json
from pathlib import Path


from cchc_xl import catalog as catalog_module
from cchc_xl import cli, narrative

from handmade import seed_rows, seed_rows_by_id, write_form
from test_reading import SEED004_TITLE
from wordmade import paragraph, seed_narrative, write_docx, write_narrative, write_report

CATALOG = catalog_module.load("phu-luc-ii")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def check_json(capsys, *paths) -> tuple[int, list[dict]]:
    code = cli.main(["check", *map(str, paths), "--json"])
    return code, json.loads(capsys.readouterr().out)["files"]


def narrative_findings(entry: dict) -> list[dict]:
    return [finding for finding in entry.get("findings", []) if finding["rule"].startswith("narrative")]


def stated(text: str) -> list[tuple[tuple[str, ...], str]]:
    return [(item.rows, item.text) for item in narrative.figures([text], CATALOG)]


# ----- seed 004: the narrative says 348 received online, its own Phụ lục 351 -----

def test_seed004_narrative_against_its_own_table(tmp_path, capsys):
    report = write_report(tmp_path / "BC_CCHC_Quy1_2024_BinhYen", seed_rows("004"), title=SEED004_TITLE,
                          narrative=seed_narrative("004"))
    _, (entry,) = check_json(capsys, report)
    found = {tuple(finding["ids"]): finding for finding in narrative_findings(entry)}
    online = found[("3.2.4.b",)]
    assert online["severity"] == "warning"
    assert "«…351 hồ sơ (trong đó: hồ sơ kỳ trước chuyển sang: 03); Hồ sơ tiếp nhận qua mạng: 348;" in online["message"]
    assert "nhưng Phụ lục ghi 351 ở ô Bảng" in online["message"] and online["cell"].startswith("Bảng")
    assert online["cell"].endswith("cột Số liệu")
    # what agrees with the table is not reported: 351 in all, 348 resolved, 325 before and 23 on the
    # deadline (348 on time, as the form counts them), 3 of 6 tasks done
    assert list(found) == [("3.2.4.b",)]


def test_seed004_narrative_against_the_workbook_beside_it(tmp_path, capsys):
    report = write_narrative(tmp_path / "BaoCao", seed_narrative("004"))
    workbook = write_form(tmp_path / "PhuLuc.xlsx", seed_rows("004"), title_lines=SEED004_TITLE)
    _, entries = check_json(capsys, report, workbook)
    by_name = {Path(entry["path"]).name: entry for entry in entries}
    (online,) = [f for f in narrative_findings(by_name["BaoCao.docx"]) if f["ids"] == ["3.2.4.b"]]
    assert online["cell"].startswith("PhuLuc.xlsx: ") and "Hồ sơ tiếp nhận qua mạng: 348" in online["message"]
    assert not narrative_findings(by_name["PhuLuc.xlsx"])


# ----- seed 003: three totals for one row inside the narrative -----

def test_seed003_narrative_gives_three_totals_for_one_row(tmp_path, capsys):
    report = write_narrative(tmp_path / "BaoCao_BinhPhuoc_2023", seed_narrative("003"))
    code, (entry,) = check_json(capsys, report)
    assert entry["catalog"] == "phu-luc-ii" and "error" not in entry
    found = {tuple(finding["ids"]): finding["message"] for finding in narrative_findings(entry)}
    received = found[("3.2.4.a",)]
    assert received.startswith("Báo cáo ghi 3 số liệu khác nhau cho dòng 3.2.4.a «Tổng số hồ sơ TTHC đã tiếp nhận")
    for figure, words in (("1962", "tổng số hồ sơ được tiếp nhận và giải quyết tại Bộ phận một cửa xã là 1962 hồ sơ"),
                          ("1555", "nộp hồ sơ trực tuyến là 843/1555 hồ sơ"), ("1524", "là: 812/1524 hồ sơ")):
        assert f"{figure} (đoạn " in received and words in received
    online = found[("3.2.4.b",)]
    assert all(f"{figure} (đoạn " in online for figure in ("848", "843", "812"))
    assert "tiếp nhận trực tuyến 848 hồ sơ" in online
    assert code == 0  # cảnh báo only


# ----- seed 001: a district's consistent narrative -----

SEED001_FIGURES = {"3.4.1": "99,5", "3.4.1.a": 2241, "3.4.1.b": 2230, "3.4.2": "99,53", "3.4.2.a": 14746,
                   "3.4.2.b": 14677}


def seed001_workbook(path: Path, **changed) -> Path:
    figures = {**SEED001_FIGURES, **changed}
    rows = [row[1:] for row in seed_rows_by_id("004", "phu-luc-ii", figures)]
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH 6 THÁNG ĐẦU NĂM 2021",
             "(Kèm theo Báo cáo số …/BC-UBND của UBND huyện Cẩm Xuyên)")
    return write_form(path, rows, title_lines=title)


def test_seed001_narrative_agrees_with_its_phu_luc(tmp_path, capsys):
    report = write_narrative(tmp_path / "BaoCao_CamXuyen", seed_narrative("001"))
    _, entries = check_json(capsys, report, seed001_workbook(tmp_path / "PhuLuc.xlsx"))
    assert [narrative_findings(entry) for entry in entries] == [[], []]


def test_seed001_figure_of_the_district_level_is_compared_with_its_row(tmp_path, capsys):
    report = write_narrative(tmp_path / "BaoCao_CamXuyen", seed_narrative("001"))
    _, entries = check_json(capsys, report, seed001_workbook(tmp_path / "PhuLuc.xlsx", **{"3.4.1.b": 2231}))
    (finding,) = narrative_findings(entries[0])
    assert finding["ids"] == ["3.4.1.b"]
    assert "đã giải quyết 2.241 hồ sơ (giải quyết trước hạn và đúng hạn 2.230 hồ sơ" in finding["message"]
    assert ": 2.230 cho dòng 3.4.1.b «Số hồ sơ TTHC giải quyết đúng hạn»" in finding["message"]
    assert "nhưng Phụ lục ghi 2.231" in finding["message"]


# ----- the tool's own reports -----

def test_a_report_written_by_the_tool_checks_clean_against_its_own_phu_luc(tmp_path, capsys):
    rollup = tmp_path / "tong-hop.xlsx"
    cli.main(["merge", str(SAMPLES), "-o", str(rollup), "--roster", str(SAMPLES / "danh-sach.txt"),
              "--unit", "UBND huyện Định Hóa"])
    cli.main(["report", str(rollup), "-o", str(tmp_path / "huyen.docx")])
    cli.main(["report", str(SAMPLES / "trung-hoi.xlsx"), "-o", str(tmp_path / "xa.docx")])
    capsys.readouterr()
    _, entries = check_json(capsys, tmp_path / "huyen.docx")
    _, more = check_json(capsys, tmp_path / "xa.docx")
    for entry in entries + more:
        assert narrative_findings(entry) == []
        stated_here = narrative.figures(_paragraphs(tmp_path / Path(entry["path"]).name), CATALOG)
        assert len([item for item in stated_here if len(item.rows) == 1]) > 40  # its figures were read, and agree


def _paragraphs(path: Path) -> list[str]:
    from cchc_xl import sources

    return sources.load(path).paragraphs


# ----- what is and is not a figure of a row -----

def test_dates_document_numbers_levels_and_years_are_not_figures():
    text = ("Theo Quyết định số 906/QĐ-UBND ngày 14/6/2023, TCVN ISO 9001:2015, năm 2024, "
            "Tổng số TTHC đang cung cấp trực tuyến mức độ 3 và 4")
    assert stated(text) == []


def test_fraction_units_levels_and_the_percent_that_follows():
    assert stated("Đề ra 06 nhiệm vụ trọng tâm, đến nay đã hoàn thành 03/06 nhiệm vụ.") == [
        (("1.1.a",), "06"), (("1.1.b",), "03"), (("1.1.a",), "06")]
    # on time for tasks, not for dossiers: the unit tells
    assert stated("Đã giải quyết là 112 nhiệm vụ (trong đó: đúng hạn 85 nhiệm vụ, hoàn thành nhưng trễ hạn 27 nhiệm vụ).") \
        == [(("1.3.2",), "85"), (("1.3.3",), "27")]
    assert stated("- Cấp huyện tiếp nhận 2.641 hồ sơ; đã giải quyết 2.241 hồ sơ (giải quyết trước hạn và đúng hạn "
                  "2.230 hồ sơ, chiếm tỷ lệ 99,5%).") == [(("3.4.1.a",), "2.241"), (("3.4.1.b",), "2.230"),
                                                          (("3.4.1",), "99,5%")]
    # no level named: either level's row may hold it
    assert stated("Hồ sơ đã giải quyết: 348.") == [(("3.4.1.a", "3.4.2.a"), "348")]
    # figures no row holds are left alone
    assert stated("Hồ sơ kỳ trước chuyển sang: 03; hồ sơ quá hạn: 0; thu ngân sách 228.401 triệu đồng.") == []


def test_a_row_given_in_parts_is_their_sum():
    """Dossiers resolved on time are those before the deadline and those on it (the catalog's `parts`)."""
    both = ("3.4.1.b", "3.4.2.b")
    assert stated("Hồ sơ đã giải quyết: 348; hồ sơ giải quyết trước hạn: 325; hồ sơ giải quyết đúng hạn: 23; "
                  "hồ sơ quá hạn: 0.") == [(("3.4.1.a", "3.4.2.a"), "348"), (both, "325 + 23 = 348")]
    assert stated("Giải quyết trước hạn 325 hồ sơ, đúng hạn 23 hồ sơ.") == [(both, "325 + 23 = 348")]
    # one part alone is no figure of the row; "đúng hạn" alone is the whole row, as is both parts named together
    assert stated("Hồ sơ giải quyết trước hạn: 325.") == []
    assert stated("Hồ sơ giải quyết đúng hạn: 348.") == [(both, "348")]
    assert stated("Giải quyết trước hạn và đúng hạn 2.230 hồ sơ.") == [(both, "2.230")]


def test_a_sum_of_parts_that_disagrees_is_quoted_with_its_parts(tmp_path, capsys):
    rows = seed_rows_by_id("004", "phu-luc-ii", {"3.4.2.b": 340, "3.4.2": "97,7"})
    report = write_report(tmp_path / "BaoCao", [row[1:] for row in rows], title=SEED004_TITLE,
                          narrative=seed_narrative("004"))
    _, (entry,) = check_json(capsys, report)
    (on_time,) = [f for f in narrative_findings(entry) if f["ids"] == ["3.4.2.b"]]
    assert "325 + 23 = 348 cho dòng 3.4.2.b" in on_time["message"] and "Phụ lục ghi 340" in on_time["message"]


def test_a_narrative_only_report_takes_its_unit_and_period_as_a_table_report_does(tmp_path, capsys):
    """As a report with its table does: the issuing body at the top left, never the narrative's
    "của UBND huyện …" (the district the commune reports to)."""
    narrative_004 = seed_narrative("004")
    as_table = write_narrative(tmp_path / "bang", narrative_004)  # the header as Word's borderless table

    def tabbed(left: str, right: str) -> str:  # the header typed as paragraphs, a tab between the sides
        return (f'<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{left}</w:t></w:r>'
                f'<w:r><w:tab/><w:t>{right}</w:t></w:r></w:p>')

    top = (tabbed("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
           + tabbed("THỊ TRẤN CHỢ CHU", "Độc lập - Tự do - Hạnh phúc")
           + tabbed("Số: 12/BC-UBND", "Chợ Chu, ngày 15 tháng 3 năm 2024")
           + paragraph("BÁO CÁO") + paragraph("Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024")
           + paragraph("Thực hiện Kế hoạch của UBND huyện Định Hóa, UBND thị trấn báo cáo:"))
    as_paragraphs = write_docx(tmp_path / "doan.docx", top + "".join(paragraph(text) for text in narrative_004))
    without = write_narrative(tmp_path / "khong", seed_narrative("001"), national=False)
    _, entries = check_json(capsys, as_table, as_paragraphs, without)
    assert [entry["unit"] for entry in entries] == ["UBND xã Bình Yên", "UBND thị trấn Chợ Chu", ""]
    assert all(entry["catalog"] == "phu-luc-ii" for entry in entries)
    # its period as well, from its title among the paragraphs
    assert entries[1]["period"] == "2024-Q1" and entries[1]["period_found"] == {
        "where": "paragraphs", "text": "BÁO CÁO Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024"}



def test_a_narrative_only_report_takes_its_unit_and_period_from_its_page_header(tmp_path, capsys):
    """No national header and a heading naming no period: the page header (word/header1.xml) names both."""
    body = "".join(paragraph(text) for text in ["BÁO CÁO", "Kết quả công tác cải cách hành chính",
                                                 *seed_narrative("004")[2:]])
    header = paragraph("UBND XÃ KIM PHƯỢNG") + paragraph("Báo cáo CCHC quý II năm 2024")
    _, (entry,) = check_json(capsys, write_docx(tmp_path / "bao-cao.docx", body, page_header=header))
    assert (entry["unit"], entry["period"]) == ("UBND xã Kim Phượng", "2024-Q2")
    assert entry["period_found"] == {"where": "page-header", "text": "UBND XÃ KIM PHƯỢNG Báo cáo CCHC quý II năm 2024"}


def test_a_narrative_only_report_takes_its_period_from_its_heading_never_from_a_sentence(tmp_path, capsys):
    """Seed 004's narrative, a Quý I report: under a heading that names no period, with a sentence that
    compares with 2023, no period is taken ("Kết quả … so với năm 2023" is not the report's year, nor is
    its "Kết quả thực hiện … năm 2024") and a cảnh báo asks for it; under a heading naming Quý I over two
    lines, the period is Quý I."""
    text = [*seed_narrative("004")]
    text.insert(3, "Kết quả giải quyết thủ tục hành chính so với năm 2023 tăng 12%.")
    untitled = write_narrative(tmp_path / "BaoCao_BinhYen", ["BÁO CÁO", "Kết quả công tác cải cách hành chính", *text])
    bare = write_narrative(tmp_path / "BaoCao_xa", seed_narrative("004"))  # as the seed: no heading at all
    titled = write_narrative(tmp_path / "BaoCao_ChoChu", [
        "BÁO CÁO", "Kết quả công tác cải cách hành chính quý I,", "phương hướng nhiệm vụ quý II năm 2024", *text])
    _, entries = check_json(capsys, untitled, bare, titled)
    for entry in entries[:2]:
        assert entry["period"] is None and entry["period_found"] is None, entry["period_found"]
        (unknown,) = [finding for finding in entry["findings"] if finding["rule"] == "period-unknown"]
        assert unknown["severity"] == "warning" and "Hãy ghi kỳ vào dòng trích yếu" in unknown["message"]
    assert entries[2]["period"] == "2024-Q1" and entries[2]["period_found"] == {
        "where": "paragraphs",
        "text": "BÁO CÁO Kết quả công tác cải cách hành chính quý I, phương hướng nhiệm vụ quý II năm 2024"}
    assert not [finding for finding in entries[2]["findings"] if finding["rule"] == "period-unknown"]
    assert cli.main(["check", str(untitled)]) == 0  # a cảnh báo, not a lỗi
    assert "Kỳ báo cáo: (không xác định được kỳ)" in capsys.readouterr().out


def test_a_hostile_narrative_costs_bounded_work(tmp_path, capsys):
    """Tens of thousands of figures in one paragraph, and a paragraph of megabytes: read up to the bounds."""
    flood = "; ".join(f"hồ sơ tiếp nhận qua mạng: {n}" for n in range(40_000))
    report = write_docx(tmp_path / "lu.docx", paragraph(flood) + paragraph("x" * 3_000_000))
    _, (entry,) = check_json(capsys, report)
    found = narrative_findings(entry)
    assert len(found) == 1 and found[0]["rule"] == "narrative-inconsistent"
    assert len(found[0]["message"]) < 20_000


def test_a_report_and_a_workbook_in_one_folder_are_not_paired(tmp_path, capsys):
    """Files found in a folder may be any units': only the two files named are a report and its Phụ lục."""
    folder = tmp_path / "nop"
    folder.mkdir()
    write_narrative(folder / "BaoCao_xa_A", seed_narrative("004"))
    write_form(folder / "PhuLuc_xa_B.xlsx", seed_rows("004"), title_lines=SEED004_TITLE)
    _, entries = check_json(capsys, folder)
    assert all(f["rule"] != "narrative-differs" for entry in entries for f in narrative_findings(entry))


def test_the_narrative_is_the_running_text_outside_the_tables(tmp_path):
    from cchc_xl import sources
    from cchc_xl.sources.docx import MAX_NARRATIVE_CHARS

    report = write_report(tmp_path / "BaoCao", seed_rows("004"), title=SEED004_TITLE,
                          narrative=("BÁO CÁO", "Tổng số hồ sơ: 351 hồ sơ."))
    paragraphs = sources.load(report).paragraphs
    assert paragraphs[:2] == ["BÁO CÁO", "Tổng số hồ sơ: 351 hồ sơ."]
    assert "Số hồ sơ TTHC đã tiếp nhận trực tuyến" not in " ".join(paragraphs)  # table cells are not narrative
    assert "PHỤ LỤC SỐ II" in paragraphs  # the title lines above the table are running text
    text = " ".join(str(number * 7919 % 100_003) for number in range(100_000))  # compresses as prose does
    long = write_docx(tmp_path / "dai.docx", paragraph(text) + paragraph(text) + paragraph("w"))
    assert [len(kept) for kept in sources.load(long).paragraphs] == [len(text), MAX_NARRATIVE_CHARS - len(text)]
