"""File-level problems are data, like findings: why a file cannot be read, or is left out of a
merge, as a stable code and a Vietnamese text that names the file and says what to do.

Every such text comes from the PROBLEMS table below, so wording is reviewed in one place (beside
findings.RULES) and tests assert codes, not wording. `check --json` gives the code beside "error",
`merge --json` beside each rejected file's "reason".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Placeholders: {file} is the file's name; the others are named where the problem is raised.
PROBLEMS: dict[str, str] = {
    # The file itself
    "file-empty": "{file}: tệp rỗng (0 byte); hãy gửi lại tệp",
    "file-too-large": ("{file}: tệp quá lớn ({size_mb} MB, tối đa {max_mb} MB); bảng Phụ lục chỉ cần vài chục kB: "
                       "hãy xóa hình ảnh và trang tính thừa, lưu lại rồi gửi lại"),
    "file-not-found": "{file}: không tìm thấy tệp ({path}); hãy kiểm tra lại tên và thư mục của tệp",
    "is-folder": "{file}: đây là thư mục, không phải tệp Excel; hãy chọn tệp Phụ lục trong thư mục đó",
    "not-a-file": ("{file}: không phải tệp thông thường (một thiết bị hay đường ống), không đọc; hãy chọn tệp "
                   "Phụ lục (.xlsx, .xls, .ods, .docx)"),
    "no-permission": ("{file}: không có quyền đọc tệp; hãy đóng tệp nếu đang mở trong Excel, "
                      "hoặc chép tệp sang thư mục của mình rồi thử lại"),
    "system-error": ("{file}: không đọc được tệp (mã lỗi hệ thống {errno}); "
                     "hãy chép tệp sang ổ đĩa của máy rồi thử lại"),
    "corrupt": ("{file}: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods); "
                "hãy mở tệp bằng Excel, lưu lại rồi gửi lại"),
    "word-corrupt": ("{file}: tệp Word bị hỏng, không đọc được; hãy mở tệp bằng Word, lưu lại thành .docx "
                     "(hoặc chép bảng Phụ lục sang Excel) rồi gửi lại"),
    "word-legacy": ("{file}: tệp Word cũ (.doc) không đọc được: hãy mở bằng Word, lưu thành .docx hoặc chép "
                    "bảng Phụ lục sang Excel rồi gửi lại"),
    "text-document": "{file}: đây là tệp Word, không phải tệp Excel; hãy gửi bảng Phụ lục dạng Excel",
    "password": "{file}: tệp có mật khẩu, hãy gỡ mật khẩu rồi gửi lại",
    "zip-bomb": ("{file}: tệp có nội dung nén bất thường (giải nén quá lớn so với tệp, giới hạn {max_mb} MB), "
                 "không đọc; hãy mở tệp bằng {program}, lưu lại rồi gửi lại"),
    "xml-doctype": ("{file}: tệp chứa khai báo XML không an toàn (DOCTYPE), không đọc; "
                    "hãy mở tệp bằng {program}, lưu lại rồi gửi lại"),
    "sheet-too-large": "{file}: trang tính «{sheet}» quá lớn ({size}), không đọc; hãy xóa các dòng, cột thừa rồi gửi lại",
    "book-too-large": ("{file}: {sheets} trang tính cộng lại quá lớn ({cells} ô, tối đa {max}), không đọc; hãy xóa "
                       "các trang, dòng, cột thừa (hoặc chép bảng Phụ lục sang một tệp mới) rồi gửi lại"),
    "too-many-sheets": ("{file}: tệp có {count} trang tính, quá nhiều để đọc (tối đa {max}), không đọc; hãy chép bảng "
                        "Phụ lục sang một tệp Excel mới rồi gửi lại"),
    "sheet-broken": ("{file}: trang tính «{sheet}» bị hỏng, không đọc được; "
                     "hãy mở tệp bằng Excel, lưu lại rồi gửi lại"),
    # The form in it
    "form-unknown": ("{file}: tệp được tạo theo mẫu «{catalog}» nhưng công cụ không có mẫu này; "
                     "hãy cập nhật công cụ hoặc dùng đúng mẫu"),
    "no-table": ("{file}: không tìm thấy bảng Phụ lục (dòng tiêu đề STT / Chỉ tiêu / Đơn vị tính / "
                 "Số liệu) trong tệp{notes}; hãy gửi tệp có bảng Phụ lục với dòng tiêu đề đó, "
                 "hoặc điền biểu mẫu CCHC-PhuLuc-II.xlsx"),
    "figure-column-unclear": ("{file}: bảng Phụ lục ở trang tính «{sheet}» chia cột số liệu thành nhiều cột ({columns}) "
                              "mà không có cột tổng, nên không biết cột nào là số liệu của đơn vị; hãy thêm cột «Tổng "
                              "cộng» (hoặc để một cột «Số liệu») rồi gửi lại"),
    "rollup-summary-unreadable": ("{file}: tệp tổng hợp có sheet «{sheet}» nhưng không còn đọc được bảng số liệu "
                                  "trên đó (dòng tiêu đề STT / Chỉ tiêu / Đơn vị tính / Số liệu đã bị xóa hoặc sửa), "
                                  "nên không biết số liệu gửi đi là số nào; hãy tổng hợp lại từ tệp của các đơn vị "
                                  "bằng nút «Tổng hợp» hoặc lệnh cchc-xl merge"),
    "form-not-recognised": ("{file}: có bảng Phụ lục ở trang tính «{sheet}» nhưng không khớp với mẫu nào đã "
                            "biết ({catalogs}); hãy dùng đúng mẫu Phụ lục hoặc chỉ rõ mẫu khi kiểm tra"),
    "catalogs-unreadable": ("{file}: không đọc được danh mục mẫu của công cụ ({detail}); "
                            "hãy sửa tệp mẫu đó hoặc cài lại cchc-xl (pip install --force-reinstall cchc-xl)"),
    "no-catalogs": ("{file}: công cụ chưa có mẫu Phụ lục nào để đối chiếu; "
                    "hãy cài lại cchc-xl (pip install --force-reinstall cchc-xl)"),
    # Reading it in a limited worker process (sandbox.py, for check and merge): the text quotes the code
    "reader-timeout": ("{file}: đọc tệp quá {seconds} giây, đã dừng (mã reader-timeout); hãy mở tệp bằng "
                       "Excel, xóa các phần thừa và lưu lại thành .xlsx."),
    "reader-memory": ("{file}: tệp cần quá nhiều bộ nhớ để đọc (mã reader-memory); hãy mở tệp bằng Excel, "
                      "xóa các dòng, cột thừa và lưu lại thành .xlsx."),
    "reader-crashed": ("{file}: tệp làm hỏng chương trình đọc (mã reader-crashed{detail}); "
                       "hãy mở tệp bằng Excel và lưu lại thành .xlsx."),
    "reader-error": ("{file}: không đọc được tệp (mã reader-error: {detail}); hãy mở tệp bằng Excel, "
                     "kiểm tra và lưu lại thành .xlsx."),
    # Inputs of check and merge
    "input-not-found": "{path}: không tìm thấy tệp hoặc thư mục; hãy kiểm tra lại tên và đường dẫn.",
    "not-a-spreadsheet": ("{file}: không phải tệp bảng tính (.xlsx, .xlsm, .xls, .ods) hay tệp Word (.docx); "
                          "hãy chọn tệp Phụ lục có một trong các đuôi đó."),
    "sent-as-archive": ("{file}: tệp nén, công cụ không mở tệp bên trong; hãy giải nén tệp Phụ lục vào thư mục này "
                        "(hoặc đề nghị đơn vị gửi tệp Excel) rồi chạy lại"),
    "sent-as-other-excel": ("{file}: tệp Excel dạng {suffix} không đọc được; hãy mở bằng Excel, chọn Lưu thành "
                            "(Save As) kiểu «Excel Workbook (*.xlsx)» rồi chạy lại"),
    "file-unopenable": ("{file}: không mở được tệp ({detail}); hãy đóng tệp nếu đang mở, hoặc chép tệp sang "
                        "thư mục của mình rồi thử lại."),
    "check-folder-empty": ("Thư mục không có tệp .xlsx, .xlsm, .xls, .ods hay .docx nào; hãy chép các tệp Phụ lục "
                           "vào thư mục rồi chạy lại."),
    "check-not-found": "Không tìm thấy tệp hay thư mục này. Hãy kiểm tra lại tên và đường dẫn.",
    # Left out of a merge
    "other-form": ("{file}: tệp theo mẫu «{catalog}», khác mẫu đang tổng hợp «{merged}»; tệp này không được tính. "
                   "Hãy đề nghị đơn vị gửi lại Phụ lục theo mẫu «{merged}»."),
    "other-period": ("{file}: Kỳ báo cáo {period} khác kỳ tổng hợp {merged}; tệp này không được tính. Hãy bỏ tệp "
                     "khỏi thư mục, hoặc nếu tiêu đề ghi nhầm kỳ, đề nghị đơn vị sửa kỳ báo cáo rồi gửi lại."),
    "rollup-unusable": "{file}: tệp tổng hợp không dùng được: {detail}. Hãy tạo lại tệp tổng hợp bằng cchc-xl merge.",
    "rollup-printed": ("{file}: đây là bảng số liệu đã tổng hợp của nhiều đơn vị (cột Ghi chú ghi cách tổng hợp "
                       "từng dòng), không phải Phụ lục của một đơn vị: không cộng lại chính xác được; tệp này không "
                       "được tính. Hãy dùng tệp tổng hợp .xlsx do cchc-xl merge tạo ra."),
    "unit-counted-twice": ("{file}: tệp tổng hợp đã gồm {unit}, đơn vị này cũng có trong tệp {other}; không tính "
                           "hai lần. Hãy bỏ một trong hai tệp rồi tổng hợp lại."),
}


@dataclass(frozen=True)
class Problem:
    """One file's problem: its code and its text."""

    code: str
    text: str

    def __str__(self) -> str:
        return self.text


# Where a problem's text turns from what is wrong to what to do, or says again that the file is left out.
_ADVICE = re.compile(r"[;,.:]\s*(?:hãy|Hãy|tệp này không được tính)")


def what_is_wrong(text: str) -> str:
    """A problem's text without what to do: for the report to the level above, which reads which files
    were left out and why, and has nothing to do about them ("hong.xlsx: tệp bị hỏng …")."""
    return _ADVICE.split(text, maxsplit=1)[0].rstrip(" .;,:")


def problem(code: str, **params: Any) -> Problem:
    return Problem(code, PROBLEMS[code].format(**params))
