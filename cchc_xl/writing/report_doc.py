"""The Word report (Báo cáo) a unit sends upward: the figure paragraphs and the Phụ lục as a table.

What the report says (`ReportContent`, built from a roll-up or from one filled Phụ lục) is kept
apart from how Word shows it (`write_report`, python-docx). The tool writes the figures; the
officer finishes what only people can write: the document number and date, the assessment
paragraphs, the recipients and the signature. Those places hold "…".

Layout, after Nghị định 30/2020/NĐ-CP on administrative documents: A4 portrait, margins 20 mm top
and bottom, 30 mm left, 15 mm right, Times New Roman 13 pt (12 pt in the table); the national
header as a borderless two-column table; then, on a new page, the Phụ lục with its title block and
the official two-level header repeated on every page, "Trong đó" merged down the STT column, rows
never split across pages and a percent kept on the page of its "Trong đó" rows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Mapping

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .. import periods
from ..catalog import Catalog, Row
from ..problems import what_is_wrong
from ..rollup import Rollup
from ..sentences import number_text
from ..submission import Submission
from .layout import keep_together
from .rollup_view import summary_value
from .template import printable

FONT = "Times New Roman"
BODY_SIZE, TABLE_SIZE, TITLE_SIZE = 13, 12, 14
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}
# Column widths (cm) inside the 16.5 cm between the margins; a roll-up's "Ghi chú" says how each
# row was combined and needs the room. "Đơn vị tính" holds "Triệu đồng", "Nhiệm vụ" on one line.
UNIT_WIDTHS = (2.0, 7.1, 2.6, 2.2, 2.6)
ROLLUP_WIDTHS = (2.0, 5.0, 2.6, 2.1, 4.8)
BLANK = "…"
NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Standard parts of the report after the figures, left for the officer (Văn bản 581/BNV-CCHC).
CLOSING_HEADINGS = ("II. ĐÁNH GIÁ CHUNG", "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI")


@dataclass
class ReportContent:
    """Everything the report shows, as text, whatever it was built from."""

    catalog: Catalog
    unit: str
    period_text: str
    figures: dict[str, str]  # row id -> the figure as a sentence says it
    table_values: dict[str, str]  # row id -> the "Số liệu" cell
    table_notes: dict[str, str] = field(default_factory=dict)  # row id -> the "Ghi chú" cell
    status: list[str] = field(default_factory=list)  # a roll-up: who sent, who did not, who has lỗi
    table_footer: str = ""  # a roll-up: the units behind the figures and those left out
    rollup: bool = False
    missing: list[str] = field(default_factory=list)  # a roll-up: roster units that did not send
    flawed: list[str] = field(default_factory=list)  # a roll-up: units whose figures have lỗi

    def sections(self) -> list[tuple[Row, list[str]]]:
        """(section row, its sentences) in form order: each template goes under the section of its
        first figure, and is written when its figures are there."""
        spec = self.catalog.report
        section_of: dict[str, Row] = {}
        current = None
        for row in self.catalog.rows:
            if row.kind == "section":
                current = row
            if current is not None:
                section_of[row.id] = current
        found: dict[str, list[str]] = {row.id: [] for row in self.catalog.rows if row.kind == "section"}
        for template in spec.sentences if spec else ():
            sentence = template.render(self.figures.get)
            section = section_of.get(template.ids[0])
            if sentence and section is not None:
                found[section.id].append(sentence)
        return [(self.catalog.row(row_id), texts) for row_id, texts in found.items()]


def from_submission(submission: Submission, unit: str = "") -> ReportContent:
    """A commune's own report from its filled Phụ lục: the figures as the table gives them."""
    catalog = submission.catalog
    values = submission.values
    figures, table = {}, {}
    for row in catalog.figure_rows:
        value = values.get(row.id)
        if value is None:
            continue
        table[row.id] = number_text(value)
        figures[row.id] = _code_word(row, value) if row.codes else table[row.id]
    notes = {row_id: note for row_id, note in submission.notes.items()}
    return ReportContent(catalog, unit or submission.unit, periods.label(submission.period) or submission.period_text,
                         figures, table, notes)


def from_rollup(rollup: Rollup, unit: str, missing: list[str] | None = None,
                rejected: list[str] | None = None) -> ReportContent:
    """The district's report from its roll-up: combined figures, how each row was combined, and the
    units that did not send or whose figures have lỗi, by name."""
    catalog = rollup.catalog
    figures: dict[str, str] = {}
    table: dict[str, str] = {}
    notes: dict[str, str] = {}
    for row in catalog.rows:
        if row.rollup == "none" or not row.takes_figure:
            continue
        shown = summary_value(rollup, row)
        if shown is None:
            continue
        notes[row.id] = rollup.combination(row.id)
        if isinstance(shown, str):  # "5/8 đơn vị"; units per answer, one answer a line in the table
            table[row.id] = shown
            figures[row.id] = notes[row.id] if row.rollup == "count_yes" else str(rollup.display(row.id))
            continue
        exact = rollup.exact(row.id)
        assert exact is not None  # a figure is shown: the row has a combined number
        table[row.id] = number_text(exact)
        figures[row.id] = _code_word(row, exact) if row.codes else table[row.id]
    missing, rejected = list(missing or ()), list(rejected or ())
    names = [unit_report.unit for unit_report in rollup.units]
    status = [f"Số liệu tổng hợp từ {len(names)} đơn vị: {', '.join(names)}."]
    if missing:
        status.append(f"Đơn vị chưa gửi báo cáo ({len(missing)}): {', '.join(missing)}.")
    flawed = [unit_report for unit_report in rollup.units if unit_report.errors]
    if flawed:
        listed = ", ".join(f"{unit_report.unit} ({unit_report.errors} lỗi)" for unit_report in flawed)
        status.append(f"Đơn vị có lỗi trong số liệu, cần kiểm tra và gửi lại ({len(flawed)}): {listed}; "
                      "số liệu của các đơn vị này vẫn được tính.")
    if rejected:
        # One line a file: a reason has its own semicolons, so in one line the files ran together.
        status.append(f"Tệp không được tính ({len(rejected)}):")
        status.extend(f"{what_is_wrong(reason)}." for reason in rejected)
    footer = f"Ghi chú: số liệu tổng hợp từ {len(names)} đơn vị"
    if missing:
        footer += f"; đơn vị chưa gửi báo cáo, không có trong số liệu: {', '.join(missing)}"
    if rejected:
        footer += f"; {len(rejected)} tệp không được tính"
    footer += ". Cột «Ghi chú» ghi cách tổng hợp từng dòng."
    return ReportContent(catalog, unit, periods.label(rollup.period), figures, table, notes, status, footer, True,
                         missing, [unit_report.unit for unit_report in flawed])


def from_rollup_metadata(catalog: Catalog, metadata: Mapping[str, str], unit: str = "") -> ReportContent:
    """The report of the roll-up a workbook's _cchc entries carry (its state, the units missing, the
    files rejected); StateError or ValueError (Vietnamese) when they cannot be used."""
    rollup = Rollup.from_state_json(catalog, metadata.get("state") or "")
    return from_rollup(rollup, unit or metadata.get("unit", ""), _texts(metadata.get("missing")),
                       _texts(metadata.get("rejected")))


def _texts(text: str | None) -> list[str]:
    """A JSON list of texts from the metadata; a roll-up made before it was stored has none."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("danh sách đơn vị trong dữ liệu tổng hợp không hợp lệ")
    return items


def _code_word(row: Row, value: Any) -> str:
    """A coded answer in words ("Có", "Phát phiếu"); a code outside the legend as its number."""
    number = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    words = row.codes or {}
    return words.get(int(number), number_text(number)) if number.denominator == 1 else number_text(number)


# ----- Word -----

def write_report(content: ReportContent, path: str | os.PathLike) -> None:
    """Write the .docx to `path` (as given: wrap in atomic_output to replace safely)."""
    content = _printable(content)
    document = Document()
    _page_setup(document)
    _default_font(document)
    _national_header(document, content)
    _heading(document, content)
    _narrative(document, content)
    _closing(document)
    _appendix(document, content)
    document.core_properties.title = " ".join(content.catalog.title_lines(content.unit or BLANK, content.period_text or BLANK,
                                                                          _report_title(content.catalog)))
    document.core_properties.author = "cchc-xl"
    document.save(os.fspath(path))


def _printable(content: ReportContent) -> ReportContent:
    """The texts that come from submissions (unit names, notes, reasons) without the control characters
    a cell or a file name may carry and a Word document cannot hold."""
    return replace(
        content, unit=printable(content.unit), period_text=printable(content.period_text),
        figures={key: printable(text) for key, text in content.figures.items()},
        table_values={key: printable(text) for key, text in content.table_values.items()},
        table_notes={key: printable(text) for key, text in content.table_notes.items()},
        status=[printable(line) for line in content.status], table_footer=printable(content.table_footer),
        missing=[printable(name) for name in content.missing], flawed=[printable(name) for name in content.flawed])


def _report_title(catalog: Catalog) -> tuple[str, ...]:
    return catalog.report.title if catalog.report else ("BÁO CÁO", "Kết quả thực hiện công tác cải cách hành chính {period}")


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)


def _page_number(paragraph) -> None:
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


def _default_font(document) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_SIZE)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)


def _paragraph(container, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None,
               align=None, indent: bool = False, space_after: float = 0, keep_next: bool = False):
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    form = paragraph.paragraph_format
    if indent:
        form.first_line_indent = Cm(1)
    form.space_after = Pt(space_after)
    form.keep_with_next = keep_next
    return paragraph


def _issuer_lines(unit: str) -> tuple[str, str]:
    """'UBND huyện Định Hóa' -> ('ỦY BAN NHÂN DÂN', 'HUYỆN ĐỊNH HÓA'), as the header prints it."""
    words = unit.split()
    if words and periods.fold(words[0]) == "ubnd":
        return "ỦY BAN NHÂN DÂN", " ".join(words[1:]).upper() or BLANK
    if periods.fold(unit).startswith("uy ban nhan dan "):
        return "ỦY BAN NHÂN DÂN", " ".join(words[4:]).upper()
    return (unit.upper() or BLANK), ""


def _national_header(document, content: ReportContent) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, (6.5, 10.0))
    left, right = table.rows[0].cells
    issuer, place = _issuer_lines(content.unit)
    lines_left = [(issuer, True, False), (place, True, False), ("Số: …/BC-UBND", False, False)]
    lines_right = [(NATIONAL[0], True, False), (NATIONAL[1], True, False), ("…, ngày … tháng … năm …", False, True)]
    for cell, lines in ((left, lines_left), (right, lines_right)):
        cell.paragraphs[0].text = ""
        first = True
        for text, bold, italic in lines:
            if not text:
                continue
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(BODY_SIZE if cell is right or not bold else 12)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(3 if text.startswith(("Độc", "HUYỆN")) else 0)


def _heading(document, content: ReportContent) -> None:
    lines = content.catalog.title_lines(content.unit or BLANK, content.period_text or BLANK, _report_title(content.catalog))
    _paragraph(document, "", space_after=6)
    for index, line in enumerate(lines):
        _paragraph(document, line, bold=True, size=TITLE_SIZE if index == 0 else BODY_SIZE,
                   align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6 if index == len(lines) - 1 else 0)
    who = content.unit or BLANK
    _paragraph(document, f"Thực hiện …, {who} báo cáo kết quả thực hiện công tác cải cách hành chính "
                         f"{content.period_text or BLANK} như sau:", indent=True, space_after=6,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _narrative(document, content: ReportContent) -> None:
    if content.status:
        _paragraph(document, "Tình hình tổng hợp số liệu", bold=True, indent=True, keep_next=True)
        for line in content.status:
            _paragraph(document, f"- {line}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=3)
    _paragraph(document, "I. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH", bold=True, indent=True,
               keep_next=True, space_after=3)
    for number, (section, sentences) in enumerate(content.sections(), start=1):
        _paragraph(document, f"{number}. {section.label}", bold=True, indent=True, keep_next=True, space_after=3)
        for sentence in sentences:
            _paragraph(document, f"- {sentence}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=3)
        if not sentences:
            _paragraph(document, "- Phụ lục chưa có số liệu của phần này.", italic=True, indent=True, space_after=3)
        _paragraph(document, BLANK, indent=True, space_after=3)


def _closing(document) -> None:
    for heading in CLOSING_HEADINGS:
        _paragraph(document, heading, bold=True, indent=True, keep_next=True, space_after=3)
        _paragraph(document, BLANK, indent=True, space_after=3)
    _paragraph(document, "", space_after=6)
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    _widths(table, (8.0, 8.5))
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for text in ("- …;", "- Lưu: VT."):
        paragraph = left.add_paragraph()
        paragraph.add_run(text).font.size = Pt(11)
    right.paragraphs[0].text = ""
    for index, text in enumerate(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "", "", BLANK)):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            paragraph.add_run(text).bold = True


def _appendix(document, content: ReportContent) -> None:
    catalog = content.catalog
    breaker = document.add_paragraph()
    breaker.add_run().add_break(WD_BREAK.PAGE)
    for line in catalog.title_lines(content.unit or BLANK, content.period_text or BLANK):
        subtitle = line.lstrip().startswith("(")
        _paragraph(document, line, bold=not subtitle, italic=subtitle, align=WD_ALIGN_PARAGRAPH.CENTER,
                   keep_next=True)
    _paragraph(document, "", keep_next=True)
    _table(document, content)
    if content.table_footer:
        _paragraph(document, "", keep_next=True)
        _paragraph(document, content.table_footer, italic=True, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _table(document, content: ReportContent) -> None:
    catalog = content.catalog
    columns = catalog.columns
    two_levels = "result" in columns
    widths = ROLLUP_WIDTHS if content.rollup else UNIT_WIDTHS
    header_rows = 2 if two_levels else 1
    table = document.add_table(rows=header_rows + len(catalog.rows), cols=5)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, widths)
    texts = (columns["stt"], columns["label"], columns["unit"], columns["value"], columns["note"])
    if two_levels:
        top, bottom = table.rows[0].cells, table.rows[1].cells
        for column in (0, 1, 4):
            merged = top[column].merge(bottom[column])
            _cell_text(merged, texts[column], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        result = top[2].merge(top[3])
        _cell_text(result, columns["result"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(bottom[2], texts[2], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(bottom[3], texts[3], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        for cell, text in zip(table.rows[0].cells, texts):
            _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index in range(header_rows):
        _row_property(table.rows[index], "w:tblHeader")
        _row_property(table.rows[index], "w:cantSplit")
    for index, row in enumerate(catalog.rows):
        cells = table.rows[header_rows + index].cells
        _row_property(table.rows[header_rows + index], "w:cantSplit")
        bold = row.is_heading
        italic = row.kind == "group"
        stt = row.stt.strip()
        _cell_text(cells[0], stt, bold=bold, italic=italic or periods.fold(stt) == "trong do",
                   align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[1], row.label, bold=bold, italic=italic)
        _cell_text(cells[2], row.unit, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(cells[3], content.table_values.get(row.id, ""), bold=bold,
                   align=WD_ALIGN_PARAGRAPH.RIGHT if row.kind != "text" else WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[4], content.table_notes.get(row.id, ""), size=TABLE_SIZE - 1 if content.rollup else TABLE_SIZE)
    _merge_trong_do(table, catalog.rows, header_rows)
    # A percent kept with its "Trong đó" rows, a heading with what follows: every paragraph of every
    # row but a block's last keeps with the next, those of the cells a merged "Trong đó" continues
    # into too (LibreOffice keeps a row with the next only when all its paragraphs do).
    kept = [index for block in keep_together(catalog.rows) for index in block[:-1]]
    if content.table_footer:  # the note under the table is not left alone on a page
        kept.append(len(catalog.rows) - 1)
    for index in kept:
        for paragraph in table.rows[header_rows + index]._tr.iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True


def _widths(table, widths: tuple[float, ...]) -> None:
    """Column widths as Word and LibreOffice both read them: the grid and every cell, layout fixed."""
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _merge_trong_do(table, rows: tuple[Row, ...], offset: int) -> None:
    """A "Trong đó" STT cell spans the unnumbered rows under it, as the forms print it."""
    index = 0
    while index < len(rows):
        end = index
        if periods.fold(rows[index].stt.strip()) == "trong do":
            while end + 1 < len(rows) and rows[end + 1].stt.strip() == "":
                end += 1
        if end > index:
            first = table.cell(offset + index, 0)
            first.merge(table.cell(offset + end, 0))
            # merge() joins the cells' paragraphs: the rows below held empty ones, dropped here.
            for paragraph in first.paragraphs[1:]:
                paragraph._p.getparent().remove(paragraph._p)
            first.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        index = end + 1


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, align=None,
               size: float = TABLE_SIZE) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = str(text).split("\n")
    paragraph = cell.paragraphs[0]
    for number, line in enumerate(lines):
        if number:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
        if align is not None:
            paragraph.alignment = align


def _row_property(row, name: str) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    properties.append(element)
