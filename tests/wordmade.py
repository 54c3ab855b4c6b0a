"""Word reports (.docx) built the way offices type them, written part by part with zipfile.

`write_report` lays out what a commune's report looks like in Word: the national header as a
borderless two-column table (ỦY BAN NHÂN DÂN / XÃ ... | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM, with
"Số: .../BC-UBND" and the date line), narrative paragraphs, a page break, "PHỤ LỤC SỐ II" and
the title lines, then the Phụ lục table: a two-level header (STT / label / Ghi chú merged down
two rows with w:vMerge, "Kết quả" across "Đơn vị tính | Số liệu" with w:gridSpan), "Trong đó"
merged down the STT column over its rows, figures as text ("1.730", "06", "99,53%"), labels
broken over two paragraphs or with a w:br. `split_after` cuts the table in two w:tbl elements
with the header typed again, as happens when a table is continued on the next page.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Sequence
from xml.sax.saxutils import escape

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"')

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" \
ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""

HEADER = ("STT", "Các chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú")
TITLE = (
    "PHỤ LỤC SỐ II",
    "BÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH QUÝ I NĂM 2024",
    "(Kèm theo Báo cáo số      /BC-UBND ngày 15/3/2024 của UBND xã Bình Yên)",
)
NATIONAL = (("ỦY BAN NHÂN DÂN", "XÃ BÌNH YÊN", "", "Số:     /BC-UBND"),
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
             "Bình Yên, ngày 15 tháng 3 năm 2024"))
# Narrative as reports open: its "của UBND huyện ..." and dates must not be taken for the
# unit or the period of the Phụ lục.
NARRATIVE = (
    "BÁO CÁO",
    "Kết quả công tác cải cách hành chính quý I, phương hướng nhiệm vụ quý II năm 2024",
    "Căn cứ Kế hoạch cải cách hành chính năm 2024 của UBND huyện Định Hóa, UBND xã báo cáo như sau:",
    "Tổng số hồ sơ đã tiếp nhận là 351 hồ sơ, trong đó trực tuyến 348 hồ sơ.",
)
WIDTHS = (700, 4200, 1300, 1100, 1700)  # twentieths of a point, as Word writes w:gridCol


def paragraph(text: str = "", *, bold: bool = False, center: bool = False, page_break: bool = False) -> str:
    """One w:p; a "\\n" inside `text` becomes a w:br, as Shift+Enter types it."""
    props = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    run_props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    runs = "".join(f'<w:r>{run_props}{"<w:br/>" if i else ""}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>'
                   for i, part in enumerate(text.split("\n")))
    brk = '<w:r><w:br w:type="page"/></w:r>' if page_break else ""
    return f"<w:p>{props}{brk}{runs}</w:p>"


def cell(text: Any = "", *, width: int = 1000, span: int = 1, vmerge: str | None = None, bold: bool = False) -> str:
    """One w:tc; paragraphs split on "\\n\\n" (Enter), line breaks on "\\n" (Shift+Enter)."""
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    text = "" if text is None else str(text)
    body = "".join(paragraph(part, bold=bold) for part in text.split("\n\n")) or "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def table(rows: Iterable[str], widths: Sequence[int] = WIDTHS, *, borders: bool = True) -> str:
    line = 'w:val="single" w:sz="4" w:space="0" w:color="000000"' if borders else 'w:val="nil"'
    sides = "".join(f"<w:{side} {line}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{sides}</w:tblBorders></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def row(cells: Iterable[str], *, header: bool = False) -> str:
    props = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr>{props}{''.join(cells)}</w:tr>"


def header_rows(header: Sequence[str] = HEADER, result_header: str = "Kết quả", two_level: bool = True) -> list[str]:
    stt, label, unit, value, note = header
    w = WIDTHS
    if not two_level:
        return [row([cell(text, width=width, bold=True) for text, width in zip(header, w)], header=True)]
    return [
        row([cell(stt, width=w[0], vmerge="restart", bold=True), cell(label, width=w[1], vmerge="restart", bold=True),
             cell(result_header, width=w[2] + w[3], span=2, bold=True),
             cell(note, width=w[4], vmerge="restart", bold=True)], header=True),
        row([cell(width=w[0], vmerge="continue"), cell(width=w[1], vmerge="continue"),
             cell(unit, width=w[2], bold=True), cell(value, width=w[3], bold=True),
             cell(width=w[4], vmerge="continue")], header=True),
    ]


def body_rows(rows: Sequence[Sequence[Any]], *, wrap_labels: bool = True) -> list[str]:
    """Data rows; "Trong đó" merged down the STT column over the unnumbered rows after it."""
    out = []
    in_trong_do = False
    for index, values in enumerate(rows):
        stt, label, unit, value, note = (list(values) + [""] * 5)[:5]
        stt = "" if stt is None else str(stt)
        starts = stt.strip().lower() == "trong đó"
        following = index + 1 < len(rows) and not str(rows[index + 1][0] or "").strip()
        if starts:
            stt_cell = cell(stt, width=WIDTHS[0], vmerge="restart" if following else None)
            in_trong_do = following
        elif in_trong_do and not stt.strip():
            stt_cell = cell(width=WIDTHS[0], vmerge="continue")
        else:
            in_trong_do = False
            stt_cell = cell(stt, width=WIDTHS[0])
        label = str(label or "")
        if wrap_labels and len(label) > 60:  # a long label typed over two lines
            cut = label.rfind(" ", 0, len(label) // 2 + 10)
            label = label[:cut] + "\n" + label[cut + 1:]
        out.append(row([stt_cell, cell(label, width=WIDTHS[1]), cell(unit, width=WIDTHS[2]),
                        cell(value, width=WIDTHS[3]), cell(note, width=WIDTHS[4])]))
    return out


def national_header(lines: tuple[Sequence[str], Sequence[str]] = NATIONAL) -> str:
    left, right = ("\n\n".join(side) for side in lines)
    return table([row([cell(left, width=4000, bold=True), cell(right, width=5500, bold=True)])],
                 widths=(4000, 5500), borders=False)


def document(body: str, references: str = "") -> str:
    section = (f'<w:sectPr>{references}<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
               '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"/></w:sectPr>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}><w:body>'
            f"{body}{section}</w:body></w:document>")


def report_body(rows: Sequence[Sequence[Any]], *, title: Sequence[str] = TITLE, header: Sequence[str] = HEADER,
                result_header: str = "Kết quả", two_level: bool = True, national: bool = True,
                national_lines: tuple[Sequence[str], Sequence[str]] = NATIONAL,
                narrative: Sequence[str] = NARRATIVE, split_after: int | None = None,
                footer: bool = True) -> str:
    parts = []
    if national:
        parts.append(national_header(national_lines))
    parts.extend(paragraph(text, center=i == 0, bold=i == 0) for i, text in enumerate(narrative))
    for i, text in enumerate(title):
        parts.append(paragraph(text, bold=True, center=True, page_break=i == 0 and bool(narrative)))
    head = header_rows(header, result_header, two_level)
    cut = len(rows) if split_after is None else split_after
    parts.append(table(head + body_rows(rows[:cut])))
    if split_after is not None:
        parts.append(paragraph(page_break=True))
        parts.append(table(head + body_rows(rows[cut:])))
    if footer:
        parts.append(paragraph())
        parts.append(table([row([cell("Nơi nhận:\n\n- UBND huyện;\n\n- Lưu: VT.", width=4000),
                                 cell("TM. ỦY BAN NHÂN DÂN\n\nCHỦ TỊCH", width=5500, bold=True)])],
                           widths=(4000, 5500), borders=False))
    return "".join(parts)


_PAGE_PART_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PAGE_PART_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml."


def write_docx(path: str | Path, body_xml: str, *, extra_parts: dict[str, bytes | str] | None = None,
               page_header: str = "", page_footer: str = "") -> Path:
    """A .docx package holding `body_xml` as the body of word/document.xml. page_header, page_footer: the
    body (paragraphs, tables) of the section's header and footer (Insert > Header), parts of their own
    (word/header1.xml, word/footer1.xml) that the section refers to, as Word writes them."""
    path = Path(path)
    pages = {kind: xml for kind, xml in (("header", page_header), ("footer", page_footer)) if xml}
    references = "".join(f'<w:{kind}Reference w:type="default" r:id="rId{kind}"/>' for kind in pages)
    content_types = CONTENT_TYPES.replace("</Types>", "".join(
        f'<Override PartName="/word/{kind}1.xml" ContentType="{_PAGE_PART_CONTENT}{kind}+xml"/>' for kind in pages)
        + "</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", document(body_xml, references))
        if pages:
            archive.writestr("word/_rels/document.xml.rels", (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(f'<Relationship Id="rId{kind}" Type="{_PAGE_PART_TYPE}{kind}" Target="{kind}1.xml"/>'
                          for kind in pages) + "</Relationships>"))
        for kind, xml in pages.items():
            root = "hdr" if kind == "header" else "ftr"
            archive.writestr(f"word/{kind}1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                                   f"<w:{root} {NS}>{xml}</w:{root}>")
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return path


def write_report(path: str | Path, rows: Sequence[Sequence[Any]], **options) -> Path:
    """A Word report with its Phụ lục table (see report_body for the options)."""
    return write_docx(Path(path).with_suffix(".docx"), report_body(rows, **options))


SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
_NEW_PARAGRAPH = re.compile(r"^([-+•]\s|\d+\.\s|[IVX]+[./]\s)")


def seed_narrative(name: str) -> list[str]:
    """The narrative of a seed report as the paragraphs an office types in Word: the text before its
    Phụ lục, the line breaks of the text conversion joined again, a new paragraph at each line that
    starts with "- ", "+ ", "2. " or "II. ", or that starts a sentence after one ended."""
    (source,) = SEEDS.glob(f"{name}_*.txt")
    paragraphs: list[str] = []
    ended = True
    for line in source.read_text("utf-8").splitlines():
        text = " ".join(line.replace("*", "").split())
        if not text:
            continue
        if text.upper().startswith("PHỤ LỤC"):
            break
        if not paragraphs or _NEW_PARAGRAPH.match(text) or (ended and text[:1].isupper()):
            paragraphs.append(text)
        else:
            paragraphs[-1] += " " + text
        ended = text.endswith((".", ":", ";", "./."))
    return paragraphs


def write_narrative(path: str | Path, paragraphs: Sequence[str], *, national: bool = True) -> Path:
    """A Word report with its narrative only (no Phụ lục table), as seeds 001 and 003 were sent."""
    body = (national_header() if national else "") + "".join(
        paragraph(text, center=index < 2 and text.isupper(), bold=text.isupper()) for index, text in enumerate(paragraphs))
    return write_docx(Path(path).with_suffix(".docx"), body)
