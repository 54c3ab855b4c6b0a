"""Findings are data: a rule code, a severity, the rows and the cell, and a Vietnamese message.

Every message a user sees comes from the RULES table below, so wording is reviewed in one place
and a test can compare findings as plain tuples (see `flatten`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from .cells import Place

ERROR, WARNING = "error", "warning"
SEVERITY_VI = {ERROR: "lỗi", WARNING: "cảnh báo"}


@dataclass(frozen=True)
class Rule:
    severity: str
    title: str
    template: str


# Placeholders are filled by `make`; {label} is the row's label, {stt} its STT as printed.
RULES: dict[str, Rule] = {
    "not-a-number": Rule(ERROR, "Không phải số",
                         "Dòng {stt} «{label}»: ô số liệu ghi «{value}», không đọc được thành số. Hãy ghi một số (ví dụ 1.730 hoặc 91,3; không phát sinh thì ghi 0) hoặc để trống nếu không có số liệu."),
    "number-as-text": Rule(ERROR, "Số liệu ghi dạng chữ",
                           "Dòng {stt} «{label}»: số liệu «{value}» đang được lưu dạng chữ trong ô của biểu mẫu, nên các công thức và phần kiểm tra trực tiếp của biểu mẫu không dùng được. Hãy xóa ô rồi gõ lại bằng số."),
    "cell-error": Rule(ERROR, "Ô báo lỗi công thức",
                       "Dòng {stt} «{label}»: ô số liệu đang báo lỗi {value} (công thức không tính được, ví dụ chia cho 0 hoặc tham chiếu ô đã xóa). Hãy sửa công thức hoặc ghi số liệu trực tiếp; để trống nếu không có số liệu."),
    "date-typed": Rule(ERROR, "Số liệu bị đổi thành ngày tháng",
                       "Dòng {stt} «{label}»: ô số liệu đang là ngày tháng «{value}» (Excel đã tự đổi số gõ vào thành ngày). Hãy định dạng ô là Number hoặc Text rồi gõ lại số liệu."),
    "not-whole": Rule(ERROR, "Phải là số nguyên",
                      "Dòng {stt} «{label}»: {value} không phải số nguyên; số {unit_lower} phải là số nguyên: hãy sửa thành số nguyên.{hint}"),
    "negative": Rule(ERROR, "Số âm",
                     "Dòng {stt} «{label}»: {value} là số âm; số liệu này không thể âm. Hãy ghi số không âm (không phát sinh thì ghi 0)."),
    "percent-range": Rule(ERROR, "Tỷ lệ ngoài 0–100",
                          "Dòng {stt} «{label}»: tỷ lệ {value}% nằm ngoài khoảng 0–100. Hãy ghi tỷ lệ từ 0 đến 100."),
    "code-unknown": Rule(ERROR, "Mã trả lời không hợp lệ",
                         "Dòng {stt} «{label}»: «{value}» không thuộc các mã cho phép ({legend}). Hãy ghi một trong các mã này."),
    "percent-mismatch": Rule(ERROR, "Tỷ lệ không khớp",
                             "Dòng {stt} «{label}»: tỷ lệ ghi {value}% nhưng tính từ số liệu là {expected}% ({detail}). Hãy sửa tỷ lệ, hoặc sửa số liệu các dòng dùng để tính tỷ lệ."),
    "part-le-whole": Rule(ERROR, "Phần lớn hơn tổng",
                          "{left_label} ({left}) lớn hơn {right_label} ({right}). Phần không thể lớn hơn tổng: hãy kiểm tra lại hai số liệu này."),
    "sum-equals": Rule(ERROR, "Tổng không khớp",
                       "{left_label} ({left}) khác tổng các phần {right_label} ({right}). Hãy sửa để tổng bằng các phần cộng lại."),
    "flow-balance": Rule(ERROR, "Hồ sơ không cân đối",
                         "Số hồ sơ không cân đối: {left_label} ({left}) khác {right_label} ({right}). Hãy kiểm tra lại các số hồ sơ này."),
    "percent-no-base": Rule(WARNING, "Tỷ lệ không có mẫu số",
                            "Dòng {stt} «{label}»: ghi tỷ lệ {value}% nhưng mẫu số bằng 0 ({detail}), nên không tính được tỷ lệ. Hãy kiểm tra lại số liệu các dòng «Trong đó» của tỷ lệ này."),
    "compare": Rule(ERROR, "Số liệu mâu thuẫn",
                    "{left_label} ({left}) và {right_label} ({right}) mâu thuẫn nhau ({relation}). Hãy kiểm tra lại các số liệu này."),
    "figure-on-group": Rule(WARNING, "Số liệu ở dòng tiêu đề",
                            "Dòng {stt} «{label}» là dòng tiêu đề nhóm, không có số liệu, nhưng có ghi «{value}»{detail}. Hãy ghi số liệu vào các dòng chi tiết bên dưới."),
    "percent-fraction": Rule(WARNING, "Tỷ lệ nhỏ hơn 1%",
                             "Dòng {stt} «{label}»: tỷ lệ ghi {value}, được đọc là {value}%. Nếu ý là {expected}%, hãy ghi {expected} (hoặc định dạng ô là phần trăm)."),
    "figure-in-note": Rule(WARNING, "Số liệu ghi ở cột Ghi chú",
                           "Dòng {stt} «{label}»: ô số liệu để trống nhưng cột Ghi chú ghi «{value}», số này không được tính. Nếu đây là số liệu, hãy ghi vào cột số liệu."),
    "figure-merged": Rule(WARNING, "Ô số liệu gộp qua nhiều dòng",
                          "Dòng {stt} «{label}»: ô số liệu được gộp (merge) xuống cả dòng {others}; số liệu «{value}» chỉ được tính cho dòng {stt}, dòng {others} coi như để trống. Hãy bỏ gộp ô và ghi số liệu riêng cho từng dòng."),
    "parts-without-parent": Rule(WARNING, "Dòng «Trong đó» không rõ thuộc dòng nào",
                                 "Dòng «{value}» thuộc nhóm «Trong đó» nhưng dòng trên nó ({stt} «{label}») đã bị xóa, và dòng {other} cũng có dòng cùng tên; công cụ đã coi là dòng của {stt}. Nếu không đúng, hãy ghi lại dòng {stt} vào tệp."),
    "unit-differs": Rule(WARNING, "Đơn vị tính khác mẫu",
                         "Dòng {stt} «{label}»: đơn vị tính ghi «{value}», mẫu quy định «{expected}». Hãy kiểm tra số liệu có tính theo «{expected}» không, rồi ghi lại đơn vị tính đúng mẫu."),
    "unknown-row": Rule(WARNING, "Dòng không có trong mẫu",
                        "Dòng «{value}» không có trong mẫu {catalog}; số liệu của dòng này không được tính. Hãy xóa dòng thêm vào, hoặc sửa STT và tên chỉ tiêu cho đúng dòng của mẫu."),
    "row-missing": Rule(WARNING, "Thiếu dòng của mẫu",
                        "Không tìm thấy dòng {stt} «{label}» của mẫu trong tệp. Hãy ghi lại dòng này (STT, tên chỉ tiêu và số liệu) đúng như mẫu."),
    "several-tables": Rule(WARNING, "Nhiều bảng Phụ lục trong tệp",
                           "Tệp có nhiều bảng Phụ lục: đã đọc bảng có dòng tiêu đề ở ô {table} ({period}), không đọc bảng ở ô {others}. Nếu cần đọc bảng khác, hãy xóa các bảng không dùng hoặc gửi mỗi kỳ một tệp."),
    "column-of-other-period": Rule(WARNING, "Cột số liệu ghi kỳ khác kỳ báo cáo",
                                   "Cột số liệu đã đọc có tiêu đề «{column}», không phải kỳ báo cáo của tệp ({period}): có thể số liệu không phải của kỳ này. Hãy ghi số liệu {period} vào cột có tiêu đề ghi đúng kỳ đó, hoặc sửa kỳ báo cáo ở tiêu đề Phụ lục cho đúng."),
    "sheet-cut": Rule(WARNING, "Trang tính quá lớn",
                      "{detail}. Nếu bảng Phụ lục còn dòng nằm ngoài phần đã đọc, hãy xóa các dòng thừa hoặc chuyển bảng sang một trang tính riêng rồi gửi lại."),
    "cumulative-drop": Rule(WARNING, "Số lũy kế giảm so với kỳ trước",
                            "Dòng {stt} «{label}» là số lũy kế từ đầu năm: {period} ghi {value} (tệp {file}), nhỏ hơn {earlier_period} ghi {expected} (tệp {earlier_file}). Số lũy kế không thể giảm: hãy kiểm tra lại số liệu kỳ này, hoặc báo cáo kỳ trước nếu kỳ trước ghi sai."),
    "stock-jump": Rule(WARNING, "Số liệu thay đổi bất thường giữa hai kỳ",
                       "Dòng {stt} «{label}»: {period} ghi {value} (tệp {file}), {direction} {times} lần so với {earlier_period} ghi {expected} (tệp {earlier_file}). Số liệu tại thời điểm báo cáo hiếm khi thay đổi gấp 10 lần giữa hai kỳ: hãy kiểm tra lại, có thể gõ thừa hoặc thiếu chữ số."),
    "quarter-looks-cumulative": Rule(WARNING, "Số liệu quý có vẻ là số từ đầu năm",
                                     "{period} (tệp {file}): ở {count}/{total} dòng số phát sinh, số liệu không nhỏ hơn tổng các kỳ trước trong năm ({earlier_periods}), như thể là số từ đầu năm ({since_january}). Nếu tệp ghi số {since_january}, hãy sửa kỳ báo cáo ở tiêu đề thành «{since_january}» rồi gửi lại, kẻo số liệu bị cộng hai lần khi tính cả năm; nếu đúng là số của riêng quý, bỏ qua cảnh báo này."),
    "flow-below-part": Rule(WARNING, "Số cả kỳ nhỏ hơn số của một phần kỳ",
                            "Dòng {stt} «{label}»: {period} ghi {value} (tệp {file}), nhỏ hơn {earlier_period} ghi {expected} (tệp {earlier_file}), dù {period} đã gồm cả {earlier_period}. Hãy kiểm tra lại số liệu: số phát sinh của cả kỳ phải bằng tổng các kỳ bên trong."),
    "unit-unclear-in-history": Rule(WARNING, "Tên đơn vị không rõ của đơn vị nào",
                                    "Tên đơn vị «{value}» không đủ để biết là đơn vị nào: có thể là {spellings} (các đơn vị có tên giống nhau khi bỏ dấu hay bỏ chữ xã, phường, thị trấn, đặc khu), nên {period} (tệp {file}) không được so sánh với {earlier_periods} trong lịch sử số liệu. Hãy ghi tên đơn vị đầy đủ, có dấu và có chữ xã, phường, thị trấn hay đặc khu, ở tiêu đề Phụ lục của tệp ghi tên thiếu rồi gửi lại."),
    "formula-no-value": Rule(WARNING, "Công thức chưa có kết quả",
                             "Dòng {stt} «{label}»: ô số liệu là công thức {value} nhưng tệp không lưu kết quả của công thức (tệp do phần mềm khác tạo ra), nên không đọc được số liệu. Hãy mở tệp bằng Excel, kiểm tra số liệu, lưu lại bằng Excel rồi gửi lại."),
    "period-unknown": Rule(WARNING, "Báo cáo không ghi kỳ báo cáo",
                           "Báo cáo không ghi kỳ báo cáo ở phần tiêu đề (dòng «BÁO CÁO» và dòng trích yếu dưới nó), ở tên tài liệu hay tên tệp, nên không biết số liệu của kỳ nào; công cụ không lấy kỳ từ các câu trong báo cáo (câu như «so với năm 2023 tăng …» nói về kỳ khác). Hãy ghi kỳ vào dòng trích yếu, ví dụ «Kết quả công tác cải cách hành chính quý I năm 2024», rồi kiểm tra lại."),
    "period-assumed": Rule(WARNING, "Tệp không ghi kỳ báo cáo",
                           "Tệp không ghi kỳ báo cáo (ở tiêu đề, tên trang tính, tên tệp hay thuộc tính tệp); đã tính vào kỳ tổng hợp {period}. Nếu tệp không phải của kỳ này, hãy ghi kỳ báo cáo ở tiêu đề Phụ lục (ví dụ «{period}») rồi gửi lại."),
    "unit-from-file-name": Rule(WARNING, "Tên đơn vị lấy từ tên tệp",
                                "Tệp không ghi tên đơn vị ở tiêu đề Phụ lục; tên đơn vị được lấy từ tên tệp «{value}»: «{expected}»{detail}. Nếu không đúng, hãy ghi tên đơn vị ở tiêu đề, ví dụ «(Kèm theo Báo cáo số … của UBND xã …)»."),
    "narrative-differs": Rule(WARNING, "Báo cáo ghi khác Phụ lục",
                              "Đoạn {paragraph} của báo cáo ghi «{quote}»: {value} cho dòng {stt} «{label}», nhưng Phụ lục ghi {expected} ở ô {where}. Hãy sửa báo cáo hoặc Phụ lục cho khớp."),
    "narrative-inconsistent": Rule(WARNING, "Báo cáo ghi nhiều số liệu khác nhau",
                                   "Báo cáo ghi {value} số liệu khác nhau cho dòng {stt} «{label}»: {listing}. Hãy thống nhất một số liệu, khớp với Phụ lục."),
    "rollup-typed-over": Rule(ERROR, "Số liệu tổng hợp bị sửa tay",
                              "Dòng {stt} «{label}»: bản tổng hợp {shown}, nhưng số liệu tổng hợp từ các đơn vị (lưu trong tệp) {total}: số trên bản tổng hợp đã bị sửa tay. Không biết số nào đúng, nên tệp này sẽ bị từ chối khi tổng hợp lên cấp trên. Đừng sửa số trên bản tổng hợp: hãy sửa tệp của đơn vị (hoặc đề nghị đơn vị gửi lại) rồi tổng hợp lại bằng nút «Tổng hợp» hoặc lệnh cchc-xl merge."),
    "rollup-state-broken": Rule(ERROR, "Dữ liệu tổng hợp trong tệp hỏng",
                                "Dữ liệu tổng hợp lưu trong tệp (sheet ẩn «{sheet}») không dùng được: {detail}. Không kiểm chứng được số liệu trên bản tổng hợp, và tệp này sẽ bị từ chối khi tổng hợp lên cấp trên. Hãy tổng hợp lại từ tệp của các đơn vị bằng nút «Tổng hợp» hoặc lệnh cchc-xl merge."),
    "rollup-summary-missing": Rule(WARNING, "Tệp tổng hợp mất sheet số liệu",
                                   "Tệp tổng hợp không còn sheet «{sheet}» (đã bị xóa hoặc đổi tên), nên không xem và không kiểm tra được số liệu tổng hợp; khi tổng hợp lên cấp trên, số liệu lưu trong tệp vẫn được dùng. Nếu đã đổi tên sheet, hãy đặt lại tên «{sheet}»; nếu đã xóa, hãy tổng hợp lại từ tệp của các đơn vị."),
    "rollup-unit-unlisted": Rule(WARNING, "Đơn vị bị xóa khỏi sheet Chi tiết vẫn được tính",
                                 "Sheet «{sheet}» không còn dòng của {count} đơn vị có trong số liệu tổng hợp: {units}. Xóa dòng ở sheet «{sheet}» không bỏ đơn vị khỏi tổng hợp: số liệu trên sheet «Tổng hợp», và khi tổng hợp lên cấp trên, vẫn gồm các đơn vị này. Muốn bỏ một đơn vị, hãy chuyển tệp của đơn vị ra khỏi thư mục rồi tổng hợp lại."),
    "rollup-unit-uncounted": Rule(WARNING, "Đơn vị thêm vào sheet Chi tiết không được tính",
                                  "Sheet «{sheet}» có dòng của {count} đơn vị không có trong số liệu tổng hợp: {units}. Thêm hay sửa tên đơn vị ở sheet «{sheet}» không đưa đơn vị vào tổng hợp: số liệu trên sheet «Tổng hợp» không gồm các đơn vị này. Muốn tính một đơn vị, hãy chép tệp của đơn vị vào thư mục rồi tổng hợp lại."),
    "required-missing": Rule(ERROR, "Thiếu số liệu bắt buộc",
                             "Dòng {stt} «{label}» bắt buộc phải có số liệu nhưng đang để trống. Hãy ghi số liệu (ghi 0 nếu không có)."),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    ids: tuple[str, ...]
    cell: str | None
    message: str
    value: Any = None
    expected: Any = None
    # The cell as data (sheet, row, column, or a Word table's row and column); `cell` is its text.
    # None for a finding about no cell, or one brought back from a roll-up's state.
    place: Place | None = field(default=None, compare=False)

    def to_json(self, *, with_place: bool = True) -> dict[str, Any]:
        data = {"severity": self.severity, "rule": self.rule, "ids": list(self.ids), "cell": self.cell,
                "place": self.place.to_json() if self.place else None, "message": self.message,
                "value": json_value(self.value), "expected": json_value(self.expected)}
        if not with_place:
            del data["place"]
        return data


def json_value(value: Any) -> Any:
    """A finding's value as JSON holds it: numbers and text as they are, exact fractions as numbers,
    anything else (a date, an Excel error, infinity from a hostile cell) as its text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    return str(value)


class _SafeDict(dict[str, Any]):
    """Missing placeholders render as '' so a template never raises on a finding."""

    def __missing__(self, key: str) -> str:
        return ""


def make(rule: str, ids: Iterable[str], cell: Place | str | None = None, *, severity: str | None = None,
         message: str | None = None, value: Any = None, expected: Any = None, **params: Any) -> Finding:
    """The rule's finding; `cell` a Place (rendered here, once) or, for a cell known only as text, its text;
    `message` replaces the table's template (catalog-supplied wording)."""
    spec = RULES[rule]
    fields = _SafeDict({key: format_value(val) for key, val in params.items()})
    fields.setdefault("value", format_value(value))
    fields.setdefault("expected", format_value(expected))
    text = (message or spec.template).format_map(fields)
    if isinstance(cell, Place):
        return Finding(rule, severity or spec.severity, tuple(ids), str(cell), text, value, expected, cell)
    return Finding(rule, severity or spec.severity, tuple(ids), cell, text, value, expected)


def format_value(value: Any) -> str:
    """Numbers the Vietnamese way: 1.730, 91,3; text as it is."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)) or hasattr(value, "numerator"):
        try:
            number = float(value)
        except OverflowError:
            return str(value)
        if not math.isfinite(number):  # NaN or infinity read from a hostile cell
            return str(value)
        if number == int(number) and abs(number) < 1e15:
            return f"{int(number):,}".replace(",", ".")
        text = f"{number:,.4f}".rstrip("0").rstrip(".")
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return str(value)


def flatten(findings: Iterable[Finding], keys: Iterable[str] = ("rule", "ids", "cell")) -> list[list[Any]]:
    """Findings as plain lists, for tests: flatten(f, ["rule", "cell"]) == [["negative", "Phụ lục!D9"]]."""
    keys = list(keys)
    return [[getattr(f, key) for key in keys] for f in findings]


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    result = {ERROR: 0, WARNING: 0}
    for finding in findings:
        result[finding.severity] += 1
    return result
