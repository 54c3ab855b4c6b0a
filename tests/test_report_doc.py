"""`cchc-xl report`: the Word report from a roll-up of the bundled samples or from one commune's
Phụ lục. The written .docx is our own output, so the tests open it with python-docx, and read its
table back through the project's own bounded reader (the way a district reads a Word report)."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from cchc_xl import catalog as catalog_module
from cchc_xl import cli, sentences
from cchc_xl.catalog import CatalogError
from cchc_xl.reading import read_workbook
from cchc_xl.rollup import Rollup
from cchc_xl.writing.layout import keep_together

from handmade import seed_rows, write_form
from lo import pdf_text, render_pdf_png
from test_reading import SEED000_HEADER, SEED000_TITLE, SEED002_HEADER, SEED002_TITLE

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The samples merged (with the roster: one unit missing, one with lỗi) and the report of it."""
    folder = tmp_path_factory.mktemp("district")
    rollup_path = folder / "tong-hop.xlsx"
    assert cli.main(["merge", str(SAMPLES), "-o", str(rollup_path), "--roster", str(SAMPLES / "danh-sach.txt"),
                     "--unit", "UBND huyện Định Hóa"]) == 1
    report = folder / "BaoCao.docx"
    code = cli.main(["report", str(rollup_path), "-o", str(report)])
    submission = read_workbook(rollup_path)
    rollup = Rollup.from_state_json(submission.catalog, submission.metadata["state"])
    return report, rollup, code


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def test_rollup_report_names_units_missing_and_with_loi_and_exits_1(district, capsys):
    report, rollup, code = district
    assert code == 1
    lines = texts(Document(str(report)))
    assert "BÁO CÁO" in lines
    assert "Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024" in lines
    assert any(line.startswith("- Đơn vị chưa gửi báo cáo (1): UBND xã Quy Kỳ") for line in lines)
    assert any("UBND xã Kim Phượng (2 lỗi)" in line for line in lines)
    assert any(line.startswith(f"- Số liệu tổng hợp từ {len(rollup.units)} đơn vị") for line in lines)
    header = Document(str(report)).tables[0].rows[0].cells
    assert [p.text for p in header[0].paragraphs][:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN ĐỊNH HÓA"]


def test_rollup_report_names_each_file_left_out_on_a_line_of_its_own_without_what_to_do(tmp_path):
    """A reason has its own semicolons: on one line the files ran together, each with the officer's to-do."""
    import shutil

    folder = tmp_path / "nop"
    shutil.copytree(SAMPLES, folder)
    (folder / "hong.xlsx").write_bytes(b"garbage")
    (folder / "ho-so.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    rollup_path = tmp_path / "tong-hop.xlsx"
    cli.main(["merge", str(folder), "-o", str(rollup_path), "--no-history", "--unit", "UBND huyện Định Hóa"])
    report = tmp_path / "BaoCao.docx"
    cli.main(["report", str(rollup_path), "-o", str(report)])
    lines = texts(Document(str(report)))
    first = lines.index("- Tệp không được tính (2):")
    assert sorted(lines[first + 1:first + 3]) == [
        "- ho-so.zip: tệp nén, công cụ không mở tệp bên trong.",
        "- hong.xlsx: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods)."]
    assert not [line for line in lines if "hãy" in line.casefold() and "hong.xlsx" in line]


def test_rollup_report_sentences_state_the_combined_figures(district):
    report, rollup, _ = district
    lines = texts(Document(str(report)))
    n = sentences.number_text
    received, online, share = (rollup.exact(row_id) for row_id in ("3.2.4.a", "3.2.4.b", "3.2.4"))
    assert (f"- Tổng số hồ sơ TTHC đã tiếp nhận: {n(received)} hồ sơ; trong đó tiếp nhận trực tuyến "
            f"{n(online)} hồ sơ, chiếm {n(share)}%.") in lines
    assert "." in n(received)  # thousands written 5.840, the Vietnamese way
    sections = [line for line in lines if line[:2] in {f"{k}." for k in range(1, 8)}]
    assert [line.split(". ", 1)[1] for line in sections] == [
        row.label for row in rollup.catalog.rows if row.kind == "section"]


def test_rollup_report_table_reads_back_as_the_rollup(district):
    """The Word table is a Phụ lục the reader understands: every summed row and every recomputed
    percent reads back as the roll-up's figure (percents to the two places written)."""
    report, rollup, _ = district
    back = read_workbook(report)
    assert back.catalog.id == rollup.catalog.id and back.period == "2024-Q1"
    compared = 0
    for row in rollup.catalog.figure_rows:
        exact = rollup.exact(row.id)
        if row.rollup not in ("sum", "recompute") or exact is None:
            continue
        expected = exact if row.rollup == "sum" else Fraction(sentences.number_text(exact).replace(",", "."))
        assert Fraction(str(back.values[row.id])) == expected, row.id
        compared += 1
    assert compared > 50


def test_rollup_report_layout(district):
    report, rollup, _ = district
    document = Document(str(report))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.styles["Normal"].font.name == "Times New Roman"
    table = document.tables[-1]
    rows = table.rows
    assert [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in rows[:3]] == [True, True, False]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert rows[0].cells[2].text == "Kết quả" and rows[1].cells[3].text == "Số liệu"
    # "Trong đó" merged down the STT column over its rows (1.1.a, 1.1.b under 1.1)
    first = 2 + [row.id for row in rollup.catalog.rows].index("1.1.a")
    starts = rows[first]._tr.tc_lst[0].tcPr.find(qn("w:vMerge"))
    continues = rows[first + 1]._tr.tc_lst[0].tcPr.find(qn("w:vMerge"))
    assert starts.get(qn("w:val")) == "restart" and continues.get(qn("w:val")) in (None, "continue")
    assert rows[first].cells[0].text == "Trong đó"
    notes = {row.id: rows[2 + index].cells[4].text for index, row in enumerate(rollup.catalog.rows)}
    assert notes["3.2.4"].startswith("Tính lại từ tổng các phần")
    assert notes["3.2.4.a"] == rollup.combination("3.2.4.a")
    footer = texts(document)[-1]
    assert "UBND xã Quy Kỳ" in footer and footer.startswith("Ghi chú: số liệu tổng hợp từ")


def test_rollup_report_keeps_each_percent_with_its_trong_do_rows(district):
    """Every paragraph of a row but the last of its block keeps with the next, the cells a merged
    "Trong đó" continues into included; the table's last row keeps with the note under it."""
    report, rollup, _ = district
    rows = Document(str(report)).tables[-1].rows[2:]
    last = len(rollup.catalog.rows) - 1
    for block in keep_together(rollup.catalog.rows):
        for index in block:
            marks = [paragraph.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None
                     for paragraph in rows[index]._tr.iter(qn("w:p"))]
            kept = index != block[-1] or index == last
            assert marks and all(mark == kept for mark in marks), rollup.catalog.rows[index].id


@pytest.mark.libreoffice
def test_rollup_report_renders_on_a4_pages_without_splitting_a_trong_do_block(district, tmp_path):
    report, rollup, _ = district
    pages = render_pdf_png(report, tmp_path, dpi=50)
    assert len(pages) >= 5  # narrative, then the Phụ lục of 122 rows over several pages
    assert all(page.stat().st_size > 5_000 for page in pages)
    # where each row of the table is printed: its label, found in print order page by page
    texts = [" ".join(pdf_text(tmp_path / f"{report.stem}.pdf", page).split()) for page in range(1, len(pages) + 1)]
    page_of, page, at = {}, 0, texts[0].find("PHỤ LỤC SỐ II")
    for index, row in enumerate(rollup.catalog.rows):
        label = " ".join(row.label.split())
        while (found := texts[page].find(label, at)) < 0:
            page, at = page + 1, 0
        page_of[index], at = page, found + len(label)
    blocks = [block for block in keep_together(rollup.catalog.rows) if len(block) > 1]
    assert len(blocks) > 10 and len(set(page_of.values())) >= 4
    for block in blocks:
        assert len({page_of[index] for index in block}) == 1, [rollup.catalog.rows[index].id for index in block]
    # the "Đơn vị tính" column holds each two-word unit on one line ("Triệu đồng", never "Triệu" over "đồng")
    printed = "\n".join(pdf_text(tmp_path / f"{report.stem}.pdf", page) for page in range(1, len(pages) + 1))
    units = {row.unit for row in rollup.catalog.rows if len(row.unit.split()) == 2 and "=" not in row.unit}
    assert {"Nhiệm vụ", "Triệu đồng", "Văn bản"} <= units
    assert [unit for unit in units if unit.replace(" ", "\n") in printed] == []


def test_commune_report_from_its_phu_luc(tmp_path):
    source = SAMPLES / "diem-mac.xls"
    report = tmp_path / "BaoCao.docx"
    assert cli.main(["report", str(source), "-o", str(report)]) == 0
    submission = read_workbook(source)
    lines = texts(Document(str(report)))
    values = submission.values
    assert f"- Kế hoạch CCHC năm đề ra {values['1.1.a']} nhiệm vụ, đã hoàn thành {values['1.1.b']} nhiệm vụ, " \
           f"đạt {sentences.number_text(values['1.1'])}%." in lines
    assert not any(line.startswith("- Số liệu tổng hợp") for line in lines)  # a commune's own report
    back = read_workbook(report)
    assert {k: v for k, v in back.values.items() if v is not None} == \
           {k: v for k, v in values.items() if v is not None}


def test_control_characters_of_a_unit_name_and_a_note_are_left_out_of_the_report(tmp_path):
    """A workbook stores an escape or a bell typed in a cell as _x001B_, _x0007_: a Word document cannot
    hold them, and the report of a roll-up of such a unit stopped with a program fault."""
    rows = [(stt, label, unit, value, "Quyết định_x000B_ số 12" if value == "118" else note)
            for stt, label, unit, value, note in seed_rows("004")]
    title = ("PHỤ LỤC SỐ II", "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
             "(Kèm theo Báo cáo số 25/BC-UBND ngày 14/3/2024 của UBND xã _x001B_[2JBảo Cường_x0007_)")
    (tmp_path / "in").mkdir()
    source = write_form(tmp_path / "in" / "bao-cuong", rows, title_lines=title)
    assert read_workbook(source).unit == "UBND xã \x1b[2JBảo Cường\x07"
    rollup = tmp_path / "tong-hop.xlsx"
    assert cli.main(["merge", str(source.parent), "-o", str(rollup), "--no-history"]) == 0
    for made_from, shown in ((source, "XÃ [2JBẢO CƯỜNG"), (source, "Quyết định số 12"),
                             (rollup, "Số liệu tổng hợp từ 1 đơn vị: UBND xã [2JBảo Cường.")):
        report = tmp_path / f"BaoCao-{made_from.stem}.docx"
        assert cli.main(["report", str(made_from), "-o", str(report), "--force"]) == 0
        document = Document(str(report))
        written = "\n".join(texts(document) + [cell.text for table in document.tables for row in table.rows
                                               for cell in row.cells])
        assert shown in written
        assert not any(ch in written for ch in "\x1b\x07\x0b")


def test_a_template_whose_figure_is_missing_is_left_out():
    template = sentences.parse("Tổng số: {a} hồ sơ[; trực tuyến {b} hồ sơ][, chiếm {c}%].")
    assert template.render({"a": "5", "b": "2", "c": "40"}.get) == "Tổng số: 5 hồ sơ; trực tuyến 2 hồ sơ, chiếm 40%."
    assert template.render({"a": "5", "c": "40"}.get) == "Tổng số: 5 hồ sơ, chiếm 40%."
    assert template.render({"b": "2"}.get) is None
    assert template.lead_words() == {"a": ["Tổng số"], "b": ["trực tuyến"], "c": ["chiếm"]}


@pytest.mark.parametrize("text, words", [("Tổng {a", "ngoặc nhọn"), ("Tổng [{a}", "thiếu dấu"),
                                         ("Tổng [{a} [{b}]]", "ngoặc vuông"), ("Không có số", "không có số liệu")])
def test_a_broken_template_is_a_catalog_error(text, words):
    data = catalog_module.load("phu-luc-ii")
    raw = _raw("phu-luc-ii")
    raw["report"]["sentences"] = [text]
    with pytest.raises(CatalogError, match=words):
        catalog_module.from_data(raw, "x.json")
    assert data.report and data.report.sentences


def test_a_template_naming_an_unknown_row_is_a_catalog_error():
    raw = _raw("phu-luc-ii")
    raw["report"]["sentences"] = ["Số: {9.9.9} hồ sơ."]
    with pytest.raises(CatalogError, match="9.9.9"):
        catalog_module.from_data(raw, "x.json")


@pytest.mark.parametrize("catalog_id", catalog_module.shipped_ids())
def test_every_catalog_declares_its_report(catalog_id):
    catalog = catalog_module.load(catalog_id)
    assert catalog.report is not None
    used = {row_id for template in catalog.report.sentences for row_id in template.ids}
    # the figure paragraphs state every figure of the form, but the breakdown of a part they state
    # (PHỤ LỤC SỐ II 6.2.4.a-c of 6.2.4, Sóc Trăng V.6.d.1-3 of V.6.d)
    left = [row.id for row in catalog.figure_rows if row.id not in used]
    assert all(row_id.rpartition(".")[0] in used for row_id in left), left


def test_report_refuses_existing_output_wrong_suffix_and_unreadable_input(tmp_path, capsys):
    source = tmp_path / "xa.xlsx"
    shutil.copy(SAMPLES / "trung-hoi.xlsx", source)
    out = tmp_path / "BaoCao.docx"
    out.write_bytes(b"old")
    assert cli.main(["report", str(source), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"old"
    assert cli.main(["report", str(source), "-o", str(tmp_path / "a.xlsx")]) == 2
    assert "đuôi .docx" in capsys.readouterr().err
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    assert cli.main(["report", str(broken), "-o", str(tmp_path / "b.docx")]) == 2
    err = capsys.readouterr().err
    assert "hong.xlsx" in err and "Traceback" not in err and not (tmp_path / "b.docx").exists()
    assert cli.main(["report", str(source), "-o", str(out), "--force"]) in (0, 1)
    assert out.read_bytes()[:2] == b"PK"


def _raw(catalog_id: str) -> dict:
    import json
    from importlib import resources

    return json.loads(resources.files("cchc_xl.schema.catalogs").joinpath(f"{catalog_id}.json").read_text("utf-8"))


@pytest.mark.parametrize("seed, options, sentence", [
    ("000", dict(header=SEED000_HEADER, result_header="Kết quả thống kê", title_lines=SEED000_TITLE,
                 national_header=False),
     "- Tổng số hồ sơ đã tiếp nhận: 770 hồ sơ; tiếp nhận trực tiếp 590 hồ sơ"),
    ("002", dict(header=SEED002_HEADER, two_level_header=False, title_lines=SEED002_TITLE, national_header=False),
     "- Hồ sơ TTHC do UBND cấp huyện tiếp nhận: 1.730 hồ sơ"),
])
def test_every_form_gets_its_report_from_its_own_templates(tmp_path, capsys, seed, options, sentence):
    """The provinces' forms (Phụ lục 01b, Sóc Trăng's district form) write their own sentences and
    their own table, and the report checks clean against itself."""
    source = write_form(tmp_path / f"seed{seed}", seed_rows(seed), **options)
    report = tmp_path / "BaoCao.docx"
    assert cli.main(["report", str(source), "-o", str(report)]) in (0, 1)
    lines = texts(Document(str(report)))
    assert any(line.startswith(sentence) for line in lines), [line for line in lines if line.startswith("- ")][:8]
    submission = read_workbook(source)
    back = read_workbook(report)
    assert back.catalog.id == submission.catalog.id
    assert {k: v for k, v in back.values.items() if v is not None} == \
           {k: v for k, v in submission.values.items() if v is not None}
    capsys.readouterr()
    cli.main(["check", str(report), "--json"])
    import json
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert not [f for f in entry["findings"] if f["rule"].startswith("narrative")]
