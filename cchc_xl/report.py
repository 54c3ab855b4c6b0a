"""Findings as Vietnamese text for the terminal: one block per file and a line of totals.

Pure functions returning lines, so `check` and `merge` print the same wording and tests read it.
"""

from __future__ import annotations

from typing import Iterable

from .findings import ERROR, SEVERITY_VI, WARNING, Finding, counts
from .inputs import harmless, printable
from .periods import label as period_label


def counts_text(findings: Iterable[Finding]) -> str:
    """'2 lỗi, 1 cảnh báo', or 'không có lỗi, không có cảnh báo'."""
    tally = counts(findings)
    parts = [f"{tally[severity]} {SEVERITY_VI[severity]}" if tally[severity]
             else f"không có {SEVERITY_VI[severity]}" for severity in (ERROR, WARNING)]
    return ", ".join(parts)


def finding_line(finding: Finding) -> str:
    """'[lỗi] Phụ lục!D38 Dòng 3.2.4 «…»: …'."""
    where = f" {finding.cell}" if finding.cell else ""
    message = " ".join(finding.message.split())  # one finding, one line, whatever the cell held
    return f"[{SEVERITY_VI.get(finding.severity, finding.severity)}]{where} {message}"


# Said of a roll-up (merge's workbook, or its table printed in a report), so the officer knows why fewer rules apply.
ROLLUP_TABLE = ("Bảng số liệu tổng hợp của nhiều đơn vị: mỗi dòng được cộng gộp theo quy tắc "
                "riêng, nên không kiểm tra các ràng buộc giữa các dòng như với Phụ lục của một đơn vị.")

# A roll-up merged without naming the unit it is of (merge --unit, or the unit of the Tổng hợp workbook).
ROLLUP_UNNAMED = "(bản tổng hợp không ghi tên đơn vị tổng hợp; lần sau hãy ghi tên khi tổng hợp: cchc-xl merge --unit)"


def file_block(path: str, catalog_name: str, catalog_id: str, unit: str, period: str | None,
               findings: list[Finding], rollup: bool = False) -> list[str]:
    """The lines for one file that was read: what it is, how many findings, each finding."""
    unnamed = ROLLUP_UNNAMED if rollup else "(không ghi tên đơn vị)"
    described = [f"Mẫu: {catalog_name} ({catalog_id})",
                 f"Đơn vị: {unit or unnamed}",
                 f"Kỳ báo cáo: {period_label(period) or '(không xác định được kỳ)'}"]
    lines = [f"Tệp: {printable(path)}", "  " + " · ".join(described)]
    if rollup:
        lines.append(f"  {ROLLUP_TABLE}")
    lines.append(f"  Kết quả: {counts_text(findings)}")
    lines.extend("  " + finding_line(finding) for finding in findings)
    return lines


def failure_block(path: str, message: str) -> list[str]:
    """The lines for a file (or argument) that could not be read."""
    return [f"Tệp: {printable(path)}", f"  [không đọc được] {printable(message)}"]


def totals_line(files: int, unreadable: int, findings: Iterable[Finding]) -> str:
    """'Tổng cộng: 3 tệp (1 tệp không đọc được); 2 lỗi, 1 cảnh báo.'"""
    failed = f" ({unreadable} tệp không đọc được)" if unreadable else ""
    return f"Tổng cộng: {files} tệp{failed}; {counts_text(findings)}."


def printed(lines: Iterable[str]) -> str:
    """The lines as one text for the terminal: a line break or a tab in a file's name or a cell's text
    shows as its code, never as a line of its own."""
    return "\n".join(harmless(line, one_line=True) for line in lines)
