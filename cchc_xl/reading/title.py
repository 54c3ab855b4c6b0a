"""The unit and the period of a table, wherever offices write them.

The unit: "(Kèm theo Báo cáo số ... của UBND xã Bình Yên)" in the title lines, else the issuing body
of the national header above the table ("ỦY BAN NHÂN DÂN / XÃ BÌNH YÊN", "UBND HUYỆN … / PHÒNG TƯ
PHÁP"), else the signature below it ("TM. UBND XÃ …"), else the printed page's header or footer, else the file's name ("Phu luc 01b - xa Hoang
Quy.xlsx"), which the merge matches against the roster.

The period, in this order: the title lines ("BÁO CÁO ... QUÝ I NĂM 2024", or the cut-off dates "Số
liệu từ ngày 15/12/2023 đến ngày 14/3/2024"); the header of the figure column ("Quý I/2024", "Lũy
kế 6 tháng năm 2024"; not a bare year, "Năm 2024", which names the year the figures are of); the
sheet's name ("Q3-2022", "Quy 3.2022", "6T-2024"); the printed page's header or footer (Page Setup,
.xlsx, .xls, .ods, a web page or XML Spreadsheet saved by Excel; a Word report's header and footer); a report title on another sheet with
no table of its own (a narrative cover sheet "BÁO CÁO ... 6 tháng đầu năm 2022") or heading a Word report (its "BÁO CÁO" line and the subject lines under it,
never a sentence of its text: "so với năm 2023 tăng ..." names another year); the document's title
in its properties; the file's name. `TitleFacts.period_source` says which. A title naming its quarter
without its year ("BÁO CÁO … QUÝ I") takes the year of the report's date ("Bình Yên, ngày 15 tháng 3
năm 2025") or of its figure column, when all of them give the same.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple, Sequence

from .. import periods
from ..catalog import reporter
from ..grid import Grid, Workbook
from ..periods import fold, period_from_dates
from .header import Table
from .rows import is_abbreviation

_LEVELS = ("thị trấn", "thị xã", "thành phố", "đặc khu", "xã", "phường", "huyện", "quận", "tỉnh")
_UNIT_IN_TITLE = re.compile(
    r"(?:của\s+)?(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(" + "|".join(_LEVELS) + r")\s+"
    r"([^()\n,;]+?)\s*(?:\)|$|,|;|\s+(?:ngày|năm|quý|qúy)\s+(?:\d|[IVX]+\b)|\s+(?:về|tỉnh|huyện)\s)", re.IGNORECASE)
# "của Xã Bình Phước, huyện Đồng Phú", "Đơn vị báo cáo: Xã Bình Phước", "Cơ quan thực hiện: Phường Tân An":
# a commune named without "UBND".
_PLACE_IN_TITLE = re.compile(
    r"(?:\bcủa|(?:đơn vị|cơ quan)(?:\s+(?:báo cáo|thực hiện))?\s*:)\s+(" + "|".join(_LEVELS) + r")\s+"
    r"([^()\n,;]+?)\s*(?:\)|$|,|;|\s+(?:ngày|năm|quý|qúy)\s+(?:\d|[IVX]+\b)|\s+(?:về|tỉnh|huyện)\s)", re.IGNORECASE)
_OFFICE_IN_TITLE = re.compile(r"của\s+((?:Phòng|Văn phòng|Ban|Sở|Trung tâm)\s+[^()\n,;]+?)\s*(?:\)|$|,|;)", re.IGNORECASE)


# Where a period was found (Submission.period_source), as `check --json` reports it; "metadata" is
# the _cchc sheet of the tool's own workbooks.
PERIOD_SOURCES = ("metadata", "title", "column", "sheet-name", "page-header", "text-box", "other-sheet", "paragraphs",
                  "properties", "file-name")

# How much of a sheet without a table is looked at for a report title, and how long a line may be.
_COVER_ROWS, _COVER_COLS, _COVER_LINE = 20, 12, 300


class TitleFacts(NamedTuple):
    unit: str
    unit_from_file: bool  # the unit was read from the file's name only
    period: str | None
    period_text: str  # the text the period was read from
    period_source: str  # one of PERIOD_SOURCES, '' when no period was found


def unit_and_period(table: Table, path: Path, workbook: Workbook | None = None,
                    covers: Sequence[Grid] = ()) -> TitleFacts:
    """covers: the workbook's sheets holding no table, where a narrative may title the report."""
    lines = _title_lines(table)
    unit = (_unit_above(table) or unit_in_page_header(table.grid.page_header)
            or unit_in_page_header("\n".join(table.grid.text_boxes)))
    from_file = False
    if not unit:
        unit, from_file = unit_from_filename(path), True
    period, text, source = _period(lines, table, path, workbook, covers)
    return TitleFacts(unit, from_file and bool(unit), period, text, source)


def _period(lines: list[str], table: Table, path: Path, workbook: Workbook | None,
            covers: Sequence[Grid]) -> tuple[str | None, str, str]:
    """(period, the text it was read from, where) from the first place that names one; among the
    title lines, a report's own title first ("BÁO CÁO … QUÝ I NĂM 2024" under a line of text kept
    above the table, "… so với năm 2023 tăng 5%"). A title or figure column naming its part of the
    year alone ("QUÝ I") takes its year from the dates and years around it (`_year_of_part`)."""
    for line in lines:
        if found := _report_period(line):
            return found, line, "title"
    part_line = ""  # a title broken before its year: "… QUÝ I" over "NĂM 2024"
    for line in lines:
        if found := periods.normalise(line):
            if part_line:
                joined = f"{part_line} {line}"
                return periods.normalise(joined) or found, joined, "title"
            return found, line, "title"
        part_line = part_line or (line if periods.part_named(line) else "")
    for line in lines:
        if found := period_from_dates(line):
            return found, line, "title"
    column = table.value_header()
    elsewhere = _period_besides_title(column, table.grid, path, workbook, covers)
    part_source = "title" if part_line else "column" if periods.part_named(column) else ""
    part_text = part_line or column
    part = periods.part_named(part_text) if part_source else None
    if part is None or (elsewhere[0] or "").endswith("-" + part):
        return elsewhere
    return _year_of_part(part, part_text, part_source, lines, column, table, workbook, elsewhere)


def _period_besides_title(column: str, grid: Grid, path: Path, workbook: Workbook | None,
                          covers: Sequence[Grid]) -> tuple[str | None, str, str]:
    if periods.part_named(column) and (found := periods.normalise(column)):
        return found, column, "column"
    if found := periods.from_label(grid.name):
        return found, grid.name, "sheet-name"
    page_header = " ".join(grid.page_header.split())
    if found := _period_in(page_header):
        return found, page_header, "page-header"
    for box in grid.text_boxes:
        text = " ".join(box.split())
        if found := _period_in(text):
            return found, text, "text-box"
    for cover in covers:
        if titled := _cover_period(cover):
            return (*titled, "other-sheet")
    return report_period(workbook, path)


def _year_of_part(part: str, part_text: str, part_source: str, lines: list[str], column: str, table: Table,
                  workbook: Workbook | None, elsewhere: tuple[str | None, str, str]) -> tuple[str | None, str, str]:
    """The period of a title or figure column naming its part of the year alone ("BÁO CÁO … QUÝ I"):
    the year the report's dates give ("Bình Yên, ngày 15 tháng 3 năm 2025" above the title or at its
    signature, "Kèm theo Báo cáo số 12/BC-UBND ngày 15/3/2025"; a Quý IV report dated in January is of
    the year before), the year its figure column names ("Năm 2025") or another place names as the
    report's year. The year is taken only when everything that gives one gives the same: a wrong
    period is worse than none."""
    years: list[tuple[int, str]] = []
    for line in lines:
        years += [(year, line) for dated in periods.dates_in(line) if (year := periods.year_reported(part, *dated))]
    if part_source == "title":  # the figure column's "Năm 2025"
        years += [(year, column) for year in periods.years_in(column)]
    if elsewhere[0] and elsewhere[0].endswith("-Y"):  # "Năm 2025" as a sheet's name, a report's year
        years.append((int(elsewhere[0][:4]), elsewhere[1]))
    sheet = table.grid.name.strip()
    if sheet.isdigit() and periods.years_in(sheet):  # a sheet named "2025"
        years.append((int(sheet), table.grid.name))
    years += _years_dated(part, _cells_below(table) + _report_top(workbook))
    if (agreed := _one_year(years)) is None:
        return None, "", ""
    year, text = agreed
    return f"{year}-{part}", f"{part_text} … {text}" if text != part_text else text, part_source


def _one_year(years: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The year and the first text giving it, when the texts give one year and no other."""
    return years[0] if years and len({year for year, _ in years}) == 1 else None


def _years_dated(part: str, lines: Sequence[str]) -> list[tuple[int, str]]:
    """(year, line) of each report's place and date line among `lines` that fits `part`."""
    return [(year, line) for line in lines
            if (dated := periods.place_and_date(line)) and (year := periods.year_reported(part, *dated))]


def _dated_part(heading: str, lines: Sequence[str]) -> tuple[str, str] | None:
    """(period, text) of a heading naming its part of the year alone ("BÁO CÁO … quý I") in the year of
    the report's place and date line among `lines` ("Bình Yên, ngày 15 tháng 3 năm 2025"), when they
    give one year that fits the part."""
    part = periods.part_named(heading)
    if not part or (agreed := _one_year(_years_dated(part, lines))) is None:
        return None
    year, text = agreed
    return f"{year}-{part}", f"{heading} … {text}"


# The rows at the end of a table's part of the sheet where its signature and date stand.
_SIGNATURE_ROWS = 40


def _cells_below(table: Table) -> list[str]:
    """The texts of the last rows of the table's part of the sheet, where its signature is dated."""
    end = len(table.grid.rows) if table.end_row is None else table.end_row
    start = max(table.first_row, end - _SIGNATURE_ROWS)
    return [value for row in table.grid.rows[start:end] for value in row if isinstance(value, str)]


def _report_top(workbook: Workbook | None) -> list[str]:
    """A Word report's national header date line and first paragraphs, where it is dated."""
    return [] if workbook is None else [workbook.dated, *workbook.paragraphs[:_HEADER_LINES]]


def report_period(workbook: Workbook | None, path: Path) -> tuple[str | None, str, str]:
    """(period, text, where) from what names a report's period besides its table: a Word report's page
    header or footer, the title heading it, the document's title in its properties, the file's name."""
    page_header = " ".join((workbook.page_header if workbook is not None else "").split())
    if page_header and (found := _period_in(page_header)):
        return found, page_header, "page-header"
    heading = report_heading(workbook.paragraphs if workbook is not None else [])
    if heading and (found := _period_in(heading)):
        return found, heading, "paragraphs"
    if heading and (dated := _dated_part(heading, _report_top(workbook))):
        return (*dated, "paragraphs")
    title = " ".join((workbook.title if workbook is not None else "").split())
    if title and (found := _period_in(title)):
        return found, title, "properties"
    if found := periods.from_filename(path.name):
        return found, path.name, "file-name"
    return None, "", ""


def _cover_period(grid: Grid) -> tuple[str, str] | None:
    """(period, text) of the report a sheet holding no table titles: its heading ("BÁO CÁO" and the
    subject lines under it), else a line of its top naming a report ("Kết quả thực hiện công tác CCHC
    quý I năm 2025"), above its first section ("I. …") or sentence; never a sentence of its text
    ("Kết quả năm 2024 so với năm 2023 tăng 12%." names another year)."""
    lines = []
    for row in grid.rows[:_COVER_ROWS]:
        for value in row[:_COVER_COLS]:
            if isinstance(value, str) and value.strip() and len(value) <= _COVER_LINE:
                lines.append(" ".join(value.split()))
    heading = report_heading(lines)
    if heading and (found := _period_in(heading)):
        return found, heading
    if heading and (dated := _dated_part(heading, lines)):
        return dated
    for line in lines:
        if _SECTION.match(line) or line.rstrip().endswith((".", ":", ";")):
            break
        if found := _report_period(line):
            return found, line
    return None


_REPORT_WORDS = ("bao cao", "ket qua", "thong ke", "phu luc")
# A Word report's heading: its "BÁO CÁO" among its first paragraphs (after a national header typed as
# paragraphs), and the subject lines under it, up to the first words of its text.
_HEADING_FROM, _SUBJECT_LINES = 12, 3
_HEADING = re.compile(r"\bBÁO CÁO\b")
_TEXT_STARTS = re.compile(r"[.:;]|\s(?:Căn cứ|Thực hiện|Kính gửi|Công văn|Nay|Theo|Để|Trên cơ sở)\s")
_SECTION = re.compile(r"^\s*(?:[IVXivx]+|\d+|[a-zđ])[./)]\s|^\s*[-+•*]")  # "I. …", "1. …", "a) …", "- …"


def report_heading(paragraphs: Sequence[str]) -> str:
    """The title heading a Word report: from its "BÁO CÁO" with the subject lines under it ("BÁO CÁO Kết
    quả công tác cải cách hành chính quý I, phương hướng nhiệm vụ quý II năm 2024"), up to the first
    words of its text ("Căn cứ …", "Thực hiện …", "I. …", a full stop or a colon); '' when none of its
    first paragraphs holds "BÁO CÁO"."""
    for start, line in enumerate(paragraphs[:_HEADING_FROM]):
        if found := _HEADING.search(line := unicodedata.normalize("NFC", line)):
            lines = [line[found.start():]]
            for subject in paragraphs[start + 1:start + 1 + _SUBJECT_LINES]:
                if _SECTION.match(subject):
                    break
                lines.append(unicodedata.normalize("NFC", subject))
            text = " ".join(lines)[:_COVER_LINE]
            end = _TEXT_STARTS.search(text)
            return " ".join(text[:end.start() if end else len(text)].split())
    return ""


def _period_in(text: str) -> str | None:
    """The period a line names in words ("Quý II năm 2024") or by its cut-off dates."""
    return periods.normalise(text) or period_from_dates(text)


def _report_period(line: str) -> str | None:
    """The period a report's own title names ("BÁO CÁO Kết quả ... 6 tháng đầu năm 2022"); other
    sentences of a narrative name other years ("Căn cứ Kế hoạch ... năm 2024") and are passed over."""
    folded = fold(line)
    if len(line) > _COVER_LINE or folded.startswith("can cu") or not any(word in folded for word in _REPORT_WORDS):
        return None
    return _period_in(line)


def _title_lines(table: Table) -> list[str]:
    lines = []
    for r in range(table.title_from, table.header_row):
        for value in table.grid.rows[r]:
            if isinstance(value, str) and value.strip():  # composed: a Mac writes "xã" as "xa" and a tilde
                lines.append(" ".join(unicodedata.normalize("NFC", value).split()))
    return lines


def unit_from_text(text: str) -> str:
    """'... của UBND xã Bình Yên)' -> 'UBND xã Bình Yên'; 'CỦA UBND THỊ TRẤN BÚT SƠN' -> 'UBND thị trấn Bút Sơn'."""
    match = _UNIT_IN_TITLE.search(text)
    if match:
        return f"UBND {match.group(2).lower()} {_tidy_name(match.group(3))}"
    match = _PLACE_IN_TITLE.search(text)
    if match and not fold(match.group(2)).startswith(("nam ", "quy ", "thang ", "ngay ", "dau ")):
        return f"UBND {match.group(1).lower()} {_tidy_name(match.group(2))}"
    match = _OFFICE_IN_TITLE.search(text)
    if match:
        return _tidy_name(match.group(1)) if match.group(1).isupper() else match.group(1).strip()
    return ""


def _tidy_name(name: str) -> str:
    """'BÌNH YÊN' -> 'Bình Yên'; 'VĂN PHÒNG HĐND VÀ UBND' -> 'Văn Phòng HĐND và UBND' (abbreviations kept)."""
    name = " ".join(name.split()).strip(" .:-")
    if not name.isupper():
        return name
    return " ".join(word if is_abbreviation(word) else "và" if word == "VÀ" else word.capitalize()
                    for word in name.split())


def unit_in_page_header(text: str) -> str:
    """The unit a printed page's header or footer (or a text box) names, one line of it ("UBND xã Bình Yên",
    "… của UBND xã Bình Yên") or a national header typed there ("ỦY BAN NHÂN DÂN" over "XÃ BÌNH YÊN"); else ''."""
    lines = text.split("\n")
    return next((found for line in lines if (found := unit_from_text(line))), "") or issuing_body(lines)


def _unit_above(table: Table) -> str:
    """The unit named above the table: a title line "… của UBND xã Bình Yên", else the issuing body of
    the national header (its column of upper-case lines, see `issuing_body`); else the body the
    signature below the table signs for."""
    titles: list[str] = []
    headers: list[list[str]] = []
    in_header: set[tuple[int, int]] = set()
    for r in range(table.title_from, table.header_row):
        caption = ""  # "Đơn vị báo cáo:" typed in a cell of its own, the name in the next one
        for c, value in enumerate(table.grid.rows[r]):
            if not (isinstance(value, str) and value.strip()) or (r, c) in in_header:
                continue
            if _starts_national_header(_line(value.split("\n")[0])):
                lines = _column_lines(table, r, c)
                in_header.update((below, c) for below in range(r, r + len(lines)))
                headers.append([line for cell in lines for line in cell.split("\n")])
            else:
                titles.append(f"{caption} {_line(value)}" if caption else _line(value))
                caption = titles[-1] if titles[-1].endswith(":") else ""
    return (next((found for line in titles if (found := unit_from_text(line))), "")
            or next((found for lines in headers if (found := issuing_body(lines))), "")
            or _unit_signing(table))


_ON_BEHALF = re.compile(r"^\s*(?:TM|T\.M|T/M)\s*[.:]?\s*", re.IGNORECASE)


def _unit_signing(table: Table) -> str:
    """The body a signature below the table signs for: "TM. UBND XÃ BÌNH PHƯỚC" (thay mặt). Only a cell
    starting so is read: a row's label may well name "UBND xã" too."""
    end = len(table.grid.rows) if table.end_row is None else table.end_row
    for row in table.grid.rows[table.first_row:end]:
        for value in row:
            if isinstance(value, str) and (match := _ON_BEHALF.match(value)):
                if found := unit_from_text(_line(value[match.end():].split("\n")[0])):  # not "CHỦ TỊCH" below
                    return found
    return ""


def _line(text: str) -> str:  # composed: a Mac writes "xã" as "xa" and a tilde
    return " ".join(unicodedata.normalize("NFC", text).split())


_COUNCIL = ("uy ban nhan dan", "ubnd")


def _starts_national_header(line: str) -> bool:
    """'ỦY BAN NHÂN DÂN' alone, in any case ('Ủy ban nhân dân' over 'Xã Bình Yên'), or 'UBND HUYỆN …'."""
    folded = fold(line)
    return folded in _COUNCIL or (line.isupper() and (folded.startswith(_COUNCIL[0]) or folded.split(" ")[0] == "ubnd"))


def _column_lines(table: Table, r: int, c: int) -> list[str]:
    """The texts of the cells from (r, c) down to the first above the table's header that is empty or
    names no body (the title below the national header, "PHỤ LỤC SỐ II … của UBND xã …")."""
    cells: list[str] = []
    for below in range(r, table.header_row):
        value = table.grid.value(below, c)
        if not (isinstance(value, str) and value.strip()) or (below > r and not _names_a_body(_line(value.split("\n")[0]))):
            break
        cells.append(value)
    return cells


def _names_a_body(line: str) -> bool:
    """A line of a national header's left column: 'ỦY BAN NHÂN DÂN', 'XÃ BÌNH YÊN', 'UBND HUYỆN …', 'PHÒNG TƯ PHÁP'."""
    folded = fold(line)
    return folded in _COUNCIL or _level_of(folded) is not None or (line.isupper() and bool(_office_or_unit(line)))


def _office_or_unit(line: str) -> str:
    """'UBND XÃ BÌNH YÊN' -> 'UBND xã Bình Yên', 'PHÒNG TƯ PHÁP' -> 'Phòng Tư Pháp' (never 'SỐ: 12/BC-UBND'), else ''."""
    if found := unit_from_text(line):
        return found
    return _tidy_name(line) if reporter(line) == "phòng ban" and not any(ch.isdigit() for ch in line) else ""


def _level_of(folded: str) -> str | None:
    """The level a folded line starts with: 'xa binh yen' -> 'xã'."""
    return next((level for words, level in _LEVEL_WORDS if folded.startswith(" ".join(words) + " ")), None)


def issuing_body(lines: Sequence[str]) -> str:
    """The body a national header names as issuing the report, from the lines of its left column, top
    down. Nghị định 30/2020 puts the body it belongs to above the issuing body, so the lowest line
    naming a body is the one: 'UBND HUYỆN ĐỊNH HÓA' over 'PHÒNG TƯ PHÁP' -> 'Phòng Tư Pháp', 'UBND TỈNH
    ĐỒNG NAI' over 'UBND XÃ BÌNH PHƯỚC' -> 'UBND xã Bình Phước', 'ỦY BAN NHÂN DÂN' over 'XÃ BÌNH YÊN'
    -> 'UBND xã Bình Yên'. The lines end at the first that names no body ("Số: …/BC-UBND", a rule)."""
    found = ""
    after_council = False  # the line above read "ỦY BAN NHÂN DÂN": the next names its level and place
    for raw in lines:
        line = _line(raw)
        if not line:
            continue
        folded = fold(line)
        if folded in _COUNCIL:
            after_council = True
            continue
        named = ""
        level = _level_of(folded)
        if after_council and level:  # 'XÃ BÌNH YÊN', 'Xã Bình Yên', 'PHƯỜNG 5'
            named = f"UBND {level} {_tidy_name(line[len(level):])}"
        elif line.isupper():
            named = _office_or_unit(line)
            if named and folded.endswith(" ubnd") and found.startswith("UBND "):  # "VĂN PHÒNG HĐND VÀ UBND" of that UBND
                named += found[len("UBND"):]
        if not named:
            break
        found, after_council = named, False
    return found


# The motto beside the issuing body, when the national header is typed as paragraphs (tabs read as spaces).
_NATIONAL_MOTTO = (("cong", "hoa", "xa", "hoi", "chu", "nghia", "viet", "nam"), ("doc", "lap", "tu", "do", "hanh", "phuc"))
_HEADER_LINES = 8  # lines of a report's top looked at for its national header
_LEVEL_WORDS = sorted(((tuple(fold(level).split()), level) for level in _LEVELS), key=lambda item: -len(item[0]))


def unit_from_header_lines(lines: Sequence[str]) -> str:
    """The issuing body of a report's national header, from its lines ('ỦY BAN NHÂN DÂN' then 'XÃ BÌNH
    YÊN', or 'UBND HUYỆN ĐỊNH HÓA' over 'PHÒNG TƯ PHÁP', the motto typed beside them in the same
    paragraphs) up to its "BÁO CÁO" heading: see `issuing_body`. Only the upper-case lines are read, never
    the narrative's "của UBND huyện …"; '' when the top names no UBND."""
    left: list[str] = []
    for line in lines[:_HEADER_LINES]:
        if fold(line).startswith("bao cao"):
            break
        words = [word for word in line.split() if any(ch.isalnum() for ch in word)]
        folded = [fold(word) for word in words]
        for motto in _NATIONAL_MOTTO:
            for start in range(len(folded) - len(motto), -1, -1):
                if tuple(folded[start:start + len(motto)]) == motto:
                    del words[start:start + len(motto)], folded[start:start + len(motto)]
        text = " ".join(words)
        if left or _starts_national_header(text):
            left.append(text)
    return issuing_body(left)


_FILE_LEVELS = (  # folded words of a level as written in file names -> the level
    (("thi", "tran"), "thị trấn"), (("thi", "xa"), "thị xã"), (("thanh", "pho"), "thành phố"),
    (("dac", "khu"), "đặc khu"), (("xa",), "xã"), (("phuong",), "phường"), (("tt",), "thị trấn"), (("tx",), "thị xã"), (("tp",), "thành phố"),
    (("huyen",), "huyện"), (("quan",), "quận"),
)
_FILE_OFFICES = ((("van", "phong"), "Văn phòng"), (("phong",), "Phòng"), (("ban",), "Ban"))
# Words that only name the form or the report: dropped wherever they stand.
_FILE_REPORT_WORDS = {"bc", "baocao", "cchc", "phuluc", "bieu", "mau", "final", "copy", "sua", "dasua", "new"}
_FILE_REPORT_PAIRS = {("bao", "cao"), ("thong", "ke"), ("kem", "theo"), ("chinh", "thuc"), ("ban", "sao"),
                      ("da", "sua"), ("ban", "sua"), ("dau", "nam"), ("ca", "nam")}
_FILE_FORM_STARTS = {"pl", "phuluc", "bieu", "mau"}  # followed by a form code: 01b, II, 2, số II
_ROMAN_CODES = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}")
_QUARTER_TOKEN = re.compile(r"q(?:uy)?(?:iv|iii|ii|i)")
_FILE_TOKEN = re.compile(r"[^\W_]+")


def unit_from_filename(path: str | os.PathLike) -> str:
    """The unit named in a file name, diacritics as typed: 'Phu luc 01b - xa Hoang Quy.xlsx' ->
    'UBND xã Hoang Quy', 'PL_Quy1_2024_XaBinhYen.xlsx' -> 'UBND xã Binh Yen'. Form codes (PL,
    01b, Phụ lục II), periods (Quý 1 2024, 6T, Năm 2023) and version words (lần 2, final, sửa)
    are dropped; words that are also parts of commune names (Quý, Phú, Bảo, Nam, Thắng) stay
    unless they are part of such a phrase. '' when no name is left."""
    stem = unicodedata.normalize("NFC", Path(str(path).replace("\\", "/")).stem)
    words = [piece for word in _FILE_TOKEN.findall(stem) for piece in _camel_pieces(word)]
    folded = [fold(word) for word in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        size = _noise_at(folded, i)
        for j in range(i, i + size):
            keep[j] = False
        i += max(size, 1)
    # The name runs from the first level word to the next dropped word.
    for start in range(len(words)):
        if not keep[start]:
            continue
        level, size = _level_at(folded, start)
        if level is None:
            continue
        name = []
        for j in range(start + size, len(words)):
            if not keep[j] or _level_at(folded, j, offices=False)[0] is not None:
                break
            name.append(words[j])
        if name:
            return f"{level} {' '.join(_tidy_word(word) for word in name)}"
    kept = [_tidy_word(word) for word, kept_word in zip(words, keep) if kept_word]
    return " ".join(kept)


def _noise_at(folded: list[str], i: int) -> int:
    """How many words from i only name the form, the period or the version (0: none)."""
    word = folded[i]
    nxt = folded[i + 1] if i + 1 < len(folded) else ""
    after = folded[i + 2] if i + 2 < len(folded) else ""
    if word.isdigit() or _YEAR_TOKEN.fullmatch(word):
        if nxt in ("t", "thang"):  # 6T, 6 tháng (đầu năm)
            return 2 + (after == "dau")
        return 1
    if word in ("quy", "qui", "q") and (nxt in _ROMAN_CODES or nxt in ("1", "2", "3", "4")):
        return 2
    if _QUARTER_TOKEN.fullmatch(word):  # QI, QIII, QuyII: no Vietnamese word is spelled so
        return 1
    if word == "nam" and _YEAR_TOKEN.fullmatch(nxt):
        return 2
    if word in ("sau", "chin") and nxt == "thang":
        return 2
    if word == "lan" and nxt.isdigit():
        return 2
    if word == "phu" and nxt == "luc" or word in _FILE_FORM_STARTS:
        size = 2 if word == "phu" else 1
        while i + size < len(folded) and (folded[i + size] in _ROMAN_CODES or folded[i + size].isdigit()
                                          or folded[i + size] == "so" or len(folded[i + size]) == 1):
            size += 1
        return size
    if word == "ban" and (nxt, after) == ("chinh", "thuc"):
        return 3
    if (word, nxt) in _FILE_REPORT_PAIRS:
        return 2
    if word in _FILE_REPORT_WORDS:
        return 1
    return 0


def _level_at(folded: list[str], i: int, *, offices: bool = True) -> tuple[str | None, int]:
    for words, level in _FILE_LEVELS:
        if tuple(folded[i:i + len(words)]) == words:
            return f"UBND {level}", len(words)
    for words, office in _FILE_OFFICES if offices else ():
        if tuple(folded[i:i + len(words)]) == words:
            return office, len(words)
    return None, 0


def _camel_pieces(word: str) -> list[str]:
    """'XaBinhYen' -> Xa, Binh, Yen; 'TTButSon' -> TT, But, Son; 'Quy1' -> Quy, 1."""
    pieces, start = [], 0
    for i in range(1, len(word)):
        before, here = word[i - 1], word[i]
        after = word[i + 1] if i + 1 < len(word) else ""
        if (before.isdigit() != here.isdigit() or (before.islower() and here.isupper())
                or (before.isupper() and here.isupper() and after.islower())):
            pieces.append(word[start:i])
            start = i
    pieces.append(word[start:])
    return pieces


def _tidy_word(word: str) -> str:
    return word.capitalize() if word.isupper() and len(word) > 1 else word
