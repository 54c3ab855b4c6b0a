"""The Vietnamese user guide, written once as data and rendered two ways.

`write_guide_sheet(workbook)` puts it on the "Hướng dẫn" sheet of a workbook being written with
XlsxWriter; `guide_markdown()` gives docs/huong-dan.md (a test keeps the two in step). Messages
are explained from findings.RULES, so every message the checks can give has its line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from xlsxwriter.workbook import Workbook

from ..findings import RULES

GUIDE_SHEET = "Hướng dẫn"
FONT = "Times New Roman"
TEXT_SIZE, HEADING_SIZE, TITLE_SIZE = 12, 13, 15
# Column A holds the step number or bullet, B the text; B is about a printed A4 page wide.
NUMBER_WIDTH, TEXT_WIDTH = 5, 100


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: Sequence[str] = ()
    steps: Sequence[str] = ()  # numbered
    bullets: Sequence[str] = ()
    commands: Sequence[str] = ()  # typed at the command prompt, shown as they are
    table: Sequence[Sequence[str]] = ()  # first row is the header
    after: Sequence[str] = ()  # paragraphs after the list or table


TITLE = "HƯỚNG DẪN SỬ DỤNG CÔNG CỤ PHỤ LỤC THỐNG KÊ CẢI CÁCH HÀNH CHÍNH (cchc-xl)"

INTRO = (
    "Công cụ giúp điền, kiểm tra và tổng hợp Phụ lục số liệu của báo cáo cải cách hành chính (CCHC) định kỳ "
    "(Quý I, 6 tháng, 9 tháng/Quý III, năm). Gồm: tệp biểu mẫu CCHC-PhuLuc-II.xlsm có nút «Kiểm tra» cho "
    "đơn vị báo cáo; tệp CCHC-TongHop.xlsm có nút «Tổng hợp» cho cơ quan tổng hợp (huyện, tỉnh); bản biểu mẫu "
    "CCHC-PhuLuc-II.xlsx không có macro; và lệnh cchc-xl để làm việc với nhiều tệp cùng lúc."
)

# What to do about each message, by rule code of findings.RULES.
RULE_ADVICE = {
    "not-a-number": "Ô số liệu có chữ hoặc ký hiệu. Ghi một số (1.730 hoặc 1730; 91,3) hoặc để trống nếu không có số liệu.",
    "number-as-text": "Ô số liệu của biểu mẫu đang chứa chữ (số dán từ Word, gõ kèm dấu nháy đơn, ô định dạng Text): công thức và phần kiểm tra trực tiếp không dùng được. Xóa ô rồi gõ lại bằng số.",
    "cell-error": "Ô số liệu báo lỗi công thức (#DIV/0!, #REF!…). Sửa công thức hoặc ghi số trực tiếp; để trống nếu không có số liệu.",
    "date-typed": "Excel đã đổi số gõ vào thành ngày tháng. Định dạng ô là Number hoặc Text rồi gõ lại số liệu.",
    "not-whole": ("Số đếm (nhiệm vụ, văn bản, hồ sơ, người…) phải là số nguyên. Kiểm tra lại dấu phẩy, dấu chấm. "
                  "Gõ «1,250» trong dòng đếm được đọc là một phẩy hai lăm: một nghìn hai trăm năm mươi ghi 1250 "
                  "hoặc 1.250."),
    "negative": "Số liệu không thể âm. Xóa dấu trừ hoặc ghi lại đúng số.",
    "percent-range": "Tỷ lệ phải từ 0 đến 100. Nếu gõ 0,95 mà ý là 95%, hãy ghi 95.",
    "code-unknown": "Dòng trả lời bằng mã: chỉ ghi một trong các mã ghi ở cột Đơn vị tính (ví dụ Không = 0, Có = 1).",
    "percent-mismatch": "Tỷ lệ ghi không khớp với số liệu các dòng «Trong đó» bên dưới. Sửa tỷ lệ hoặc sửa các số liệu thành phần.",
    "percent-no-base": "Có tỷ lệ nhưng thiếu số liệu các dòng thành phần để tính lại. Ghi thêm số liệu thành phần.",
    "part-le-whole": "Một phần lớn hơn tổng của nó (ví dụ số hồ sơ trực tuyến lớn hơn tổng số hồ sơ), hoặc các phần đã ghi cộng lại đã lớn hơn tổng dù còn phần để trống. Kiểm tra lại các số được nêu.",
    "sum-equals": "Tổng không bằng cộng các phần. Khi còn phần để trống, chỉ báo khi các phần đã ghi cộng lại đã lớn hơn tổng. Kiểm tra lại tổng và từng phần.",
    "flow-balance": "Số hồ sơ không cân đối: tiếp nhận (kỳ trước chuyển sang + mới) phải bằng đã giải quyết + đang giải quyết + chờ bổ sung + trả lại/rút.",
    "compare": "Hai số liệu mâu thuẫn nhau. Kiểm tra lại hai số được nêu.",
    "figure-on-group": "Dòng tiêu đề nhóm không ghi số liệu. Chuyển số liệu xuống các dòng chi tiết bên dưới.",
    "percent-fraction": "Tỷ lệ ghi dạng số thập phân (0,95) trong ô không định dạng phần trăm được đọc là 0,95%. Nếu ý là 95%, ghi 95 hoặc định dạng ô là phần trăm.",
    "figure-in-note": "Số liệu ghi nhầm sang cột Ghi chú thì không được tính. Chuyển số vào cột số liệu của dòng đó.",
    "figure-merged": "Ô số liệu gộp (merge) qua nhiều dòng chỉ được tính cho dòng đầu; các dòng dưới coi như để trống. Bỏ gộp ô và ghi số liệu riêng cho từng dòng.",
    "parts-without-parent": "Các dòng «Trong đó» cần dòng tổng hoặc dòng tỷ lệ ngay phía trên; khi dòng đó bị xóa mà mẫu có dòng cùng tên ở nhóm khác, công cụ chỉ đoán theo vị trí. Ghi lại dòng đã xóa.",
    "unit-differs": "Đơn vị tính trong tệp khác mẫu (ví dụ dòng đếm nhiệm vụ lại ghi «%»). Sửa lại cột Đơn vị tính theo mẫu.",
    "unknown-row": "Tệp có dòng không thuộc mẫu; số liệu dòng đó không được tính. Nếu là dòng của mẫu bị sửa chữ, ghi lại đúng như mẫu.",
    "row-missing": "Không tìm thấy một dòng của mẫu. Không xóa dòng nào của mẫu; để trống số liệu nếu không có.",
    "several-tables": "Tệp có bảng Phụ lục ở nhiều trang tính (ví dụ kỳ trước và kỳ này). Công cụ đọc trang của kỳ mới nhất; xóa các trang không dùng hoặc gửi mỗi kỳ một tệp.",
    "column-of-other-period": ("Bảng có nhiều cột số liệu theo kỳ (Quý I, Quý II, Lũy kế 6 tháng…): công cụ đọc cột ghi đúng kỳ "
                               "báo cáo ở tiêu đề Phụ lục. Khi không cột nào ghi đúng kỳ đó, công cụ đọc cột kỳ muộn nhất và "
                               "báo điều này: ghi số liệu của kỳ báo cáo vào cột có tiêu đề đúng kỳ, hoặc sửa kỳ ở tiêu đề."),
    "sheet-cut": "Trang tính có quá nhiều dòng nên chỉ đọc phần đầu. Xóa các dòng thừa bên dưới bảng, hoặc chuyển bảng Phụ lục sang một trang tính riêng.",
    "formula-no-value": ("Ô số liệu là công thức nhưng tệp không lưu kết quả (tệp do phần mềm khác tạo ra). Mở tệp "
                         "bằng Excel, kiểm tra số liệu, lưu lại bằng Excel rồi gửi lại."),
    "period-unknown": ("Chỉ với báo cáo Word không có bảng Phụ lục: phần tiêu đề (dòng «BÁO CÁO» và dòng trích yếu "
                       "dưới nó) không ghi kỳ báo cáo, nên công cụ không biết số liệu của kỳ nào; nó không đoán kỳ từ "
                       "các câu trong báo cáo. Ghi kỳ vào dòng trích yếu, ví dụ «Kết quả công tác cải cách hành chính "
                       "quý I năm 2024»."),
    "period-assumed": ("Tệp không ghi kỳ báo cáo ở đâu cả (tiêu đề, tên trang tính, tên tệp, thuộc tính tệp): công cụ "
                       "tính vào kỳ đang tổng hợp (kỳ chọn khi tổng hợp, hoặc kỳ các tệp khác cùng ghi) và ghi rõ ở "
                       "«Tình hình nộp». Tệp ghi một kỳ khác thì bị từ chối. Nên ghi kỳ ở tiêu đề Phụ lục."),
    "unit-from-file-name": ("Tiêu đề Phụ lục không ghi tên đơn vị nên tên được lấy từ tên tệp (bỏ dấu khi so với danh "
                            "sách đơn vị phải nộp). Ghi tên đơn vị ở tiêu đề, ví dụ «(Kèm theo Báo cáo số … của UBND "
                            "xã …)»."),
    "required-missing": ("Dòng bắt buộc đang để trống. Ghi số liệu (ghi 0 nếu bằng không). Dòng chỉ bắt buộc với "
                         "UBND cấp xã: xã, phường, thị trấn và đặc khu (ví dụ 3.4.2 của Phụ lục số II) thì phòng, ban "
                         "để trống được."),
    "rollup-typed-over": ("Chỉ với tệp tổng hợp do công cụ tạo: một số trên sheet «Tổng hợp» khác số liệu tổng hợp "
                          "từ các đơn vị lưu trong tệp, tức là đã bị sửa tay. Tệp như vậy bị từ chối khi tổng hợp lên "
                          "cấp trên. Không sửa số trên bản tổng hợp: sửa tệp của đơn vị (hoặc đề nghị đơn vị gửi lại) "
                          "rồi bấm Tổng hợp lại."),
    "rollup-state-broken": ("Chỉ với tệp tổng hợp do công cụ tạo: dữ liệu tổng hợp lưu ở sheet ẩn «_cchc» bị hỏng "
                            "hoặc bị sửa, nên tệp không tổng hợp lên cấp trên được. Tổng hợp lại từ tệp của các đơn vị."),
    "rollup-summary-missing": ("Chỉ với tệp tổng hợp do công cụ tạo: sheet «Tổng hợp» đã bị xóa hoặc đổi tên. Đặt lại "
                               "tên sheet, hoặc tổng hợp lại từ tệp của các đơn vị."),
    "rollup-unit-unlisted": ("Chỉ với tệp tổng hợp do công cụ tạo: dòng của một đơn vị đã bị xóa khỏi sheet «Chi tiết» "
                             "nhưng số liệu tổng hợp vẫn gồm đơn vị đó. Muốn bỏ đơn vị, chuyển tệp của đơn vị ra khỏi "
                             "thư mục rồi bấm Tổng hợp lại."),
    "rollup-unit-uncounted": ("Chỉ với tệp tổng hợp do công cụ tạo: sheet «Chi tiết» có dòng đơn vị được thêm hoặc sửa "
                              "tên bằng tay, không có trong số liệu tổng hợp. Muốn tính đơn vị, chép tệp của đơn vị vào "
                              "thư mục rồi bấm Tổng hợp lại."),
    "cumulative-drop": "Chỉ khi so với các kỳ trước (lịch sử số liệu hoặc --previous): số lũy kế từ đầu năm của kỳ này nhỏ hơn của một kỳ trước. Sửa số liệu kỳ này, hoặc báo cáo lại kỳ trước nếu kỳ trước ghi sai.",
    "stock-jump": "Chỉ khi so với các kỳ trước: số tại thời điểm báo cáo (biên chế, số TTHC…) tăng hoặc giảm gấp 10 lần trở lên so với kỳ trước. Kiểm tra có gõ thừa hay thiếu chữ số không.",
    "quarter-looks-cumulative": "Chỉ khi so với các kỳ trước: số phát sinh của một quý gần như dòng nào cũng không nhỏ hơn tổng các kỳ trước trong năm, như thể tệp ghi số từ đầu năm (ví dụ «Quý III» mà thực ra là số 9 tháng). Nếu vậy, sửa kỳ báo cáo ở tiêu đề cho đúng.",
    "flow-below-part": "Chỉ khi so với các kỳ trước: số phát sinh của cả kỳ (6 tháng, 9 tháng, năm) nhỏ hơn số của một quý nằm trong kỳ đó. Số cả kỳ phải bằng tổng các quý.",
    "unit-unclear-in-history": ("Chỉ khi so với các kỳ trước: một kỳ ghi tên đơn vị không dấu (ví dụ «xa dong thinh») "
                                "trong khi huyện có các đơn vị tên chỉ khác nhau ở dấu (Đồng Thịnh, Đông Thịnh), hoặc "
                                "không ghi xã, phường, thị trấn hay đặc khu (ví dụ «Tân Phú») trong khi có cả xã Tân "
                                "Phú và phường Tân Phú, nên không biết kỳ đó của đơn vị nào và không so sánh. Ghi tên "
                                "đơn vị đầy đủ, có dấu và có chữ xã, phường, thị trấn hay đặc khu."),
    "narrative-differs": "Chỉ với báo cáo Word: một câu của báo cáo ghi số liệu khác với bảng Phụ lục (của chính báo cáo, hoặc tệp Phụ lục kiểm tra cùng). Sửa câu đó hoặc ô Phụ lục cho khớp.",
    "narrative-inconsistent": "Chỉ với báo cáo Word: các đoạn của báo cáo ghi những số khác nhau cho cùng một chỉ tiêu. Thống nhất một số liệu, đúng với Phụ lục.",
}

SECTIONS: tuple[Section, ...] = (
    Section(
        "1. Cài đặt (làm một lần trên mỗi máy tính Windows)",
        steps=(
            "Tải Python tại https://www.python.org/downloads/ (bản 3.11 trở lên, «Windows installer 64-bit»). "
            "Khi cài, đánh dấu ô «Add python.exe to PATH» rồi bấm «Install Now». Máy cần có Internet khi cài; "
            "nếu không có, nhờ bộ phận công nghệ thông tin.",
            "Mở cửa sổ lệnh: bấm Start, gõ cmd, bấm Enter.",
            "Cài công cụ: gõ lệnh «pip install cchc-xl» rồi Enter. Nếu tỉnh gửi tệp cài đặt (đuôi .whl), gõ "
            "«pip install » rồi kéo tệp .whl vào cửa sổ lệnh, Enter.",
            "Cài đặt cho Excel: gõ «cchc-xl excel-setup», Enter. Lệnh chép phần bổ trợ xlwings vào thư mục khởi "
            "động của Excel (%APPDATA%\\Microsoft\\Excel\\XLSTART), ghi đường dẫn của Python này vào tệp cấu hình "
            "của xlwings (%USERPROFILE%\\.xlwings\\xlwings.conf), rồi thử gọi Python như Excel sẽ gọi, và in từng "
            "việc đã làm. Chạy lại bao nhiêu lần cũng được; «cchc-xl excel-setup --check» chỉ kiểm tra, không "
            "thay đổi gì. Dòng nào ghi [cần sửa] thì làm theo hướng dẫn ghi ngay trên dòng đó.",
            "Đóng hẳn Excel rồi mở lại: thấy thêm thẻ «xlwings» là xong. Gõ «cchc-xl --help» để xem các lệnh.",
        ),
        commands=("pip install cchc-xl", "cchc-xl excel-setup", "cchc-xl excel-setup --check"),
    ),
    Section(
        "2. Đơn vị báo cáo (xã, phường, thị trấn, đặc khu, phòng ban): điền và kiểm tra Phụ lục",
        steps=(
            "Mở tệp CCHC-PhuLuc-II.xlsm. Nếu Excel hiện dải vàng «Macros have been disabled» / «Macro đã bị tắt», "
            "bấm «Enable Content» / «Bật nội dung».",
            "Tệp nhận qua thư điện tử, Zalo hay tải từ Internet bị Windows đánh dấu là «từ Internet»: Excel mở tệp ở "
            "dải vàng «PROTECTED VIEW» (Dạng xem được bảo vệ), phải bấm «Enable Editing» (Cho phép chỉnh sửa) mới "
            "gõ được và phần kiểm tra trực tiếp mới tính; với tệp .xlsm Excel còn hiện "
            "dải đỏ «SECURITY RISK: Microsoft has blocked macros from running because the source of this file is "
            "untrusted» («RỦI RO BẢO MẬT: Microsoft đã chặn macro…»), không có nút Bật nội dung. Cách gỡ: đóng tệp, "
            "bấm chuột phải vào tệp → Properties (Thuộc tính) → thẻ General, cuối thẻ đánh dấu «Unblock» (Bỏ chặn) "
            "→ OK, rồi mở lại. Cách cho cả thư mục (làm một lần): trong Excel vào File → Options → Trust Center → "
            "Trust Center Settings → Trusted Locations → Add new location…, chọn thư mục để các tệp Phụ lục (ví dụ "
            "D:\\CCHC), đánh dấu «Subfolders of this location are also trusted» → OK; tệp chép vào thư mục này mở ra "
            "là chạy được nút bấm (thư mục mạng cần đánh dấu thêm «Allow Trusted Locations on my network»).",
            "Điền số liệu vào các ô màu vàng nhạt của cột «Số liệu». Ô màu xám là tỷ lệ tự tính, không cần gõ. "
            "Để trống nếu không có số liệu; ghi 0 nếu bằng không. Dòng trả lời bằng mã: chọn mã trong danh sách.",
            "Ngay khi gõ, biểu mẫu tự kiểm tra (không cần Python, không cần bật macro): ô có lỗi tô đỏ, ô có cảnh "
            "báo tô vàng; ô F1 ở đầu trang, cạnh tiêu đề, ghi số lỗi, ví dụ «Kiểm tra trực tiếp: 2 lỗi, 1 cảnh báo»; trang «Kiểm "
            "tra trực tiếp» liệt kê từng lỗi kèm dòng (STT) và nội dung, ví dụ «Số TTHC đang cung cấp trực tuyến "
            "mức độ 3 (412) lớn hơn Tổng số TTHC đủ điều kiện (410)». Sửa đến khi hết lỗi.",
            "Bấm nút «Kiểm tra». Sau vài giây hiện hộp thông báo, ví dụ: «Đã kiểm tra: 2 lỗi, 1 cảnh báo. "
            "Xem sheet Kết quả kiểm tra.»",
            "Đọc kết quả: ô tô đỏ là lỗi (phải sửa), ô tô vàng là cảnh báo (xem lại); di chuột vào ô để đọc ghi chú. "
            "Sheet «Kết quả kiểm tra» liệt kê từng mục: Mức độ, Ô, Dòng (STT), Chỉ tiêu, Nội dung, Quy tắc.",
            "Sửa số liệu rồi bấm «Kiểm tra» lại. Màu và ghi chú của lần kiểm tra trước tự xóa.",
            "Lưu tệp (giữ đuôi .xlsm) và gửi cho cơ quan tổng hợp. Không đổi tên sheet, không chèn hay xóa dòng của mẫu.",
        ),
    ),
    Section(
        "3. Cơ quan tổng hợp (huyện, tỉnh): tổng hợp các tệp",
        steps=(
            "Chép tất cả tệp Phụ lục của các đơn vị vào một thư mục riêng, ví dụ D:\\CCHC\\2024-Quy-I. Chỉ để tệp "
            "của kỳ đang tổng hợp. Nhận được các tệp .xlsx, .xlsm, .xls (Excel cũ), .ods và báo cáo Word .docx "
            "có bảng Phụ lục (tệp Word cũ .doc thì mở bằng Word, lưu thành .docx trước).",
            "Mở tệp CCHC-TongHop.xlsm, bấm «Bật nội dung» như trên.",
            "Nếu muốn biết đơn vị nào chưa nộp: ghi tên các đơn vị phải nộp vào sheet «Danh sách đơn vị», cột A, "
            "mỗi dòng một đơn vị, từ ô A2 (ví dụ «UBND xã Bình Yên», «UBND phường Tân An», «UBND đặc khu Côn Đảo»: "
            "đặc khu là đơn vị hành chính cấp xã từ năm 2025, nộp Phụ lục như xã).",
            "Bấm nút «Tổng hợp», chọn thư mục chứa các tệp, bấm OK. Thanh trạng thái ở đáy cửa sổ Excel hiện "
            "tiến độ, ví dụ «Đang tổng hợp 3/20: Binh-Yen.xlsx».",
            "Đọc hộp thông báo: số đơn vị đã tổng hợp, tệp bị từ chối và lý do, đơn vị nộp nhiều tệp, đơn vị chưa nộp.",
            "Xem các sheet: «Tổng hợp» (Phụ lục của cấp mình, cột Ghi chú nói cách cộng từng dòng), «Chi tiết» "
            "(số liệu từng đơn vị), «Kiểm tra» (lỗi, cảnh báo của từng đơn vị), «Tình hình nộp», «Ghi chú đơn vị».",
            "Đã sửa tay sheet «Tổng hợp» hay «Chi tiết»? Bấm nút «Kiểm tra»: số nào khác số liệu tổng hợp từ tệp "
            "của các đơn vị bị tô đỏ, ghi chú ở ô nói số đúng; đơn vị bị xóa hoặc thêm ở sheet «Chi tiết» được nêu "
            "tên. Số liệu phải sửa trong tệp của đơn vị, rồi bấm «Tổng hợp» lại.",
            "Mỗi lần tổng hợp, số liệu của các đơn vị được ghi vào tệp lịch sử số liệu lich-su-so-lieu.sqlite cạnh "
            "tệp CCHC-TongHop.xlsm (hãy lưu tệp trước khi tổng hợp). Từ kỳ thứ hai, sheet «Kiểm tra» có thêm cảnh "
            "báo khi số liệu khác thường so với các kỳ trước trong năm (số lũy kế giảm, số tại thời điểm tăng giảm "
            "gấp 10 lần…). Khi tổng hợp 6 tháng, 9 tháng hay cả năm, đơn vị chưa gửi tệp của kỳ được tính từ các "
            "quý đã ghi. Giữ nguyên tệp lịch sử này ở cùng thư mục qua các kỳ.",
            "Bấm nút «Báo cáo» để viết báo cáo Word (.docx) cạnh tệp tổng hợp: các đoạn số liệu theo từng phần, "
            "tên đơn vị chưa nộp và đơn vị có lỗi, Phụ lục dạng bảng. Mở bằng Word, ghi số, ngày và phần đánh giá "
            "(những chỗ «…») rồi ký gửi.",
        ),
        bullets=(
            "Số đếm và số tiền: cộng các đơn vị.",
            "Tỷ lệ có các dòng «Trong đó»: tính lại từ tổng các phần, không lấy trung bình các tỷ lệ.",
            "Tỷ lệ của một số đếm (tỷ lệ văn bản gửi điện tử trên tổng số văn bản đi, tỷ lệ hài lòng trên số phiếu "
            "khảo sát): bình quân gia quyền theo số đó của từng đơn vị, không lấy trung bình cộng. Tỷ lệ không có "
            "thành phần nào khác: lấy trung bình.",
            "Đơn vị có số liệu mâu thuẫn làm tỷ lệ của chính đơn vị vượt 100 % (ví dụ số hồ sơ đúng hạn lớn hơn số "
            "hồ sơ đã giải quyết), hoặc ghi tỷ lệ ngoài 0–100: không tính vào tỷ lệ đó và các dòng thành phần của "
            "nó; cột Ghi chú nêu tên đơn vị. Tổng hợp không bao giờ ra tỷ lệ trên 100 % vì lỗi của một tệp.",
            "Câu trả lời Có/Không: số đơn vị trả lời Có (ví dụ «5/8 đơn vị»). Các mã khác: số đơn vị theo từng câu trả lời.",
            "Số thủ tục hành chính theo danh mục chung của tỉnh: lấy giá trị chung và nêu đơn vị ghi khác, không cộng.",
            "Tệp ghi kỳ báo cáo khác, hoặc theo mẫu khác, bị từ chối và không được tính. Kỳ được tìm ở tiêu đề Phụ lục, "
            "tên trang tính («Q3-2022», «6T-2024»), đầu trang hoặc chân trang khi in (Header/Footer của Excel hay "
            "Word), trang bìa báo cáo, các đoạn văn của báo cáo Word, tiêu đề trong "
            "thuộc tính tệp và tên tệp. Tệp không ghi kỳ ở đâu cả (như mẫu 01b) được tính vào kỳ đang tổng hợp, có "
            "cảnh báo và ghi rõ ở «Tình hình nộp».",
            "Tiêu đề Phụ lục không ghi tên đơn vị: tên được lấy từ đầu trang hoặc chân trang khi in (ví dụ «UBND xã "
            "Bình Yên» ở đầu trang), nếu không có thì từ tên tệp (ví dụ «Phu luc 01b - xa Hoang Quy.xlsx» "
            "là xã Hoang Quy) và so với danh sách đơn vị phải nộp không kể dấu; hai xã khác tên không bao giờ bị "
            "coi là một.",
            "Một đơn vị nộp nhiều tệp: dùng tệp sửa sau cùng, các tệp kia được liệt kê trong «Tình hình nộp».",
            "Tệp tổng hợp do công cụ tạo lại tổng hợp được lên cấp trên mà không cộng trùng.",
            "Bảng số liệu đã tổng hợp in trong báo cáo Word (cột Ghi chú ghi cách tổng hợp từng dòng, như «Tổng của "
            "6/7 đơn vị») không phải Phụ lục của một đơn vị: không được tính. Hãy gửi kèm tệp tổng hợp .xlsx để cấp "
            "trên tổng hợp. Khi kiểm tra báo cáo Word đó, công cụ nhận ra bảng tổng hợp và chỉ kiểm tra những gì "
            "đúng với số liệu tổng hợp.",
        ),
    ),
    Section(
        "4. Dùng lệnh cchc-xl cho nhiều tệp",
        paragraphs=("Mở cửa sổ lệnh (cmd) và gõ các lệnh sau; đường dẫn có dấu cách thì đặt trong ngoặc kép.",),
        commands=(
            'cchc-xl template --unit "UBND xã Bình Yên" --period "Quý I năm 2024" -o PhuLuc.xlsx',
            "cchc-xl check D:\\CCHC\\2024-Quy-I",
            "cchc-xl check Binh-Yen.xlsx -o Binh-Yen-da-kiem-tra.xlsx",
            'cchc-xl merge D:\\CCHC\\2024-Quy-I --roster DanhSach.txt --unit "UBND huyện Định Hóa" -o TongHop.xlsx',
        ),
        after=(
            "«template» tạo biểu mẫu trống; «check» kiểm tra một tệp hay cả thư mục (thêm -o để có bản sao tô màu "
            "lỗi); «merge» tổng hợp cả thư mục thành tệp Excel (--roster: danh sách đơn vị phải nộp, mỗi dòng một "
            "tên; --period: kỳ báo cáo phải khớp). Lệnh trả mã 0 khi không có lỗi, 1 khi có lỗi hoặc tệp bị từ "
            "chối, 2 khi không chạy được.",
        ),
    ),
    Section(
        "5. Bản biểu mẫu không có macro (CCHC-PhuLuc-II.xlsx)",
        paragraphs=(
            "Dùng khi máy không cài được Python hoặc không được phép chạy macro. Điền như bản .xlsm; ô nhập chỉ nhận "
            "số hợp lệ, tỷ lệ tự tính, và phần kiểm tra trực tiếp chạy như bản .xlsm (cả trong LibreOffice Calc): "
            "ô tô đỏ, vàng, số lỗi ở ô F1 và trang «Kiểm tra trực tiếp». Bản này không có nút Kiểm tra: gửi tệp "
            "cho cơ quan tổng hợp, nơi kiểm tra bằng nút Tổng hợp hoặc lệnh cchc-xl check.",
        ),
    ),
    Section(
        "6. Biểu mẫu tự kiểm tra gì, nút Kiểm tra kiểm tra thêm gì",
        paragraphs=(
            "Phần kiểm tra trực tiếp là công thức Excel có sẵn trong biểu mẫu (cả bản .xlsx và .xlsm, Excel 2010 "
            "trở lên hoặc LibreOffice Calc), sinh từ cùng danh mục với nút Kiểm tra và lệnh cchc-xl check, nên với "
            "các ô của biểu mẫu cả hai báo cùng một lỗi. Có những điều công thức không thấy được; những điều đó chỉ "
            "nút Kiểm tra (cần Python) hoặc lệnh cchc-xl check (ở cơ quan tổng hợp) mới báo:",
        ),
        table=(
            ("Nội dung kiểm tra", "Biểu mẫu tự kiểm tra khi gõ", "Nút Kiểm tra, cchc-xl check"),
            ("Phần lớn hơn tổng, tổng khác các phần cộng lại, hồ sơ không cân đối, số liệu mâu thuẫn (theo danh mục; "
             "kể cả khi còn phần để trống mà các phần đã ghi đã lớn hơn tổng)", "Có", "Có"),
            ("Số đếm không nguyên, số âm, tỷ lệ ngoài 0–100, tỷ lệ ghi dạng 0,5, mã trả lời ngoài danh sách, dòng "
             "bắt buộc để trống, ô báo lỗi công thức", "Có", "Có"),
            ("Ô số liệu chứa chữ (dán từ Word, «1.730» lưu dạng chữ)", "Có: tô đỏ; các kiểm tra dùng ô đó tạm bỏ qua",
             "Có: đọc được số trong chữ và kiểm tra tiếp"),
            ("Tỷ lệ ghi tay khác tỷ lệ tính từ các phần (làm tròn hoặc cắt bớt theo số chữ số thập phân đã ghi)",
             "Không cần: trong biểu mẫu, tỷ lệ có các phần là công thức tự tính", "Có, cho tệp không làm từ biểu mẫu"),
            ("Số bị Excel đổi thành ngày tháng; ô tỷ lệ bị định dạng %", "Không", "Có"),
            ("Dòng bị chèn hay xóa, đơn vị tính bị sửa, số ghi ở cột Ghi chú, bảng tự kẻ hay bảng trong Word",
             "Không", "Có"),
        ),
    ),
    Section(
        "7. Hàm dùng trong ô",
        paragraphs=(
            "Các tệp CCHC-PhuLuc-II.xlsm và CCHC-TongHop.xlsm đã có sẵn các hàm dưới đây: gõ vào ô như hàm Excel "
            "thường (cần đã cài đặt như phần 1 và đã bật nội dung). Muốn dùng trong một tệp khác: trong Excel vào "
            "File → Options → Trust Center → Trust Center Settings → Macro Settings, đánh dấu «Trust access to the "
            "VBA project object model»; trên thẻ xlwings, ô «UDF Modules» ghi cchc_xl.excel rồi bấm «Import "
            "Functions». Dấu ngăn cách tham số là dấu chấm phẩy (;) hoặc dấu phẩy (,) tùy cài đặt vùng của Windows.",
        ),
        table=(
            ("Hàm", "Ví dụ", "Kết quả"),
            ("CCHC_SO(ô)", '=CCHC_SO("1.730")   =CCHC_SO("91,3")',
             "1730 và 91,3: đọc số ghi kiểu Việt Nam thành số. Ô trống, «-», «nt» cho ô trống."),
            ("CCHC_TYLE(tử số; mẫu số; [số chữ số lẻ])", "=CCHC_TYLE(3; 6)   =CCHC_TYLE(D14; D13)",
             "50: tử số / mẫu số × 100, làm tròn 2 chữ số thập phân như mẫu. Mẫu số trống hoặc bằng 0 cho ô trống."),
            ("CCHC_KIEMTRA(bảng)", "=CCHC_KIEMTRA('Phụ lục'!A1:E120)",
             "Một cột các lỗi, cảnh báo của bảng đã chọn (có tên ô), cập nhật khi sửa số liệu; «Không có lỗi, "
             "không có cảnh báo.» khi đúng. Chọn cả bảng, từ dòng tiêu đề STT. Excel 365 tự trải kết quả xuống "
             "các ô bên dưới; Excel cũ hơn: chọn trước một cột nhiều ô, gõ hàm, bấm Ctrl+Shift+Enter."),
            ("CCHC_KY(ô)", '=CCHC_KY("Quý I năm 2024")',
             "2024-Q1: kỳ báo cáo viết gọn (6 tháng: 2024-6M; 9 tháng: 2024-9M; năm: 2024-Y), dùng để so kỳ giữa các tệp."),
        ),
    ),
    Section(
        "8. Ý nghĩa các thông báo kiểm tra",
        paragraphs=("Mỗi thông báo nêu tệp, ô và dòng (STT). Lỗi phải sửa trước khi gửi; cảnh báo cần xem lại. "
                    "Một ô sai chỉ báo một lần: số đã bị báo lỗi (không phải số, không nguyên, số âm, tỷ lệ ngoài "
                    "0–100) không được dùng thêm trong các phép so sánh khác. Ô để trống, ghi «-», «—», «–», «---», "
                    "«nt», «n/t» hay «như trên» đều là không báo cáo.",),
    ),
    Section(
        "9. Sự cố thường gặp",
        bullets=(
            "Bấm nút báo chưa cài Python hoặc chưa cài xlwings: làm lại phần 1 (Cài đặt). Mở cửa sổ lệnh gõ "
            "«cchc-xl excel-setup --check» để xem thiếu gì, rồi «cchc-xl excel-setup», đóng hẳn Excel rồi mở lại.",
            "Bấm nút không có gì xảy ra hoặc Excel báo «Cannot run the macro»: macro đang bị tắt; bấm «Bật nội dung» "
            "hoặc bỏ chặn tệp, hoặc đặt tệp vào thư mục tin cậy (phần 2, bước 2).",
            "Bấm nút thì hiện hộp «Không chạy được Python: …» kèm lời của Windows (ví dụ «Method 'Run' of object "
            "'IWshShell3' failed» hoặc «Access is denied»), và góc màn hình có thể hiện thông báo của Windows "
            "Security «Action blocked» / «Your IT administrator caused Windows Security to block this action»: "
            "máy đang bật quy tắc Microsoft Defender «Block all Office applications from creating child processes» "
            "(mã d4f940ab-401b-4efc-aadc-ad5f3c50688a), quy tắc này cấm Excel khởi động chương trình khác, kể cả "
            "Python. Đề nghị bộ phận công nghệ thông tin cho phép (loại trừ hoặc chuyển quy tắc sang chế độ "
            "Warn). Trong lúc chờ: phần kiểm tra trực tiếp của biểu mẫu vẫn chạy, và lệnh cchc-xl check, cchc-xl "
            "merge gõ ở cửa sổ lệnh (phần 4) không bị quy tắc này chặn.",
            "Tệp bị từ chối vì khác kỳ báo cáo: tệp ghi kỳ khác với đa số tệp (hoặc khác kỳ đã chọn); lý do nêu cả "
            "hai kỳ. Đề nghị đơn vị gửi lại đúng kỳ, hoặc chuyển tệp đó ra khỏi thư mục rồi tổng hợp lại. Tệp không "
            "ghi kỳ thì không bị từ chối mà được tính vào kỳ đang tổng hợp, kèm cảnh báo.",
            "Tệp trùng đơn vị: hai tệp cùng tên đơn vị; công cụ dùng tệp sửa sau cùng. Nếu tệp được dùng không phải "
            "tệp đúng, xóa tệp sai khỏi thư mục rồi bấm Tổng hợp lại.",
            "Tệp bị từ chối vì hỏng, có mật khẩu hoặc không phải Phụ lục: mở tệp bằng Excel, gỡ mật khẩu, lưu lại, "
            "hoặc xin đơn vị gửi lại.",
            "Số tự đổi thành ngày tháng (gõ 1.5 thành 01/05): gõ lại số; công cụ báo ô đó là không phải số.",
            "Thông báo «một lỗi không lường trước»: chi tiết được ghi vào tệp cchc-xl-nhat-ky.log trong thư mục "
            "%TEMP%; gửi tệp Excel và tệp nhật ký cho cán bộ phụ trách CCHC.",
            "Ô bị tô màu nhưng không có ghi chú: sheet đang khóa không cho thêm ghi chú; nội dung vẫn có ở sheet "
            "«Kết quả kiểm tra».",
        ),
    ),
    Section(
        "10. Những gì đã được kiểm chứng",
        paragraphs=(
            "Đã kiểm chứng tự động trên máy Linux: đọc bảng, kiểm tra, tổng hợp và các hàm CCHC_SO, CCHC_TYLE, "
            "CCHC_KIEMTRA, CCHC_KY; nút Kiểm tra và Tổng hợp chạy trên sổ tính của xlwings dựng từ dữ liệu (bộ máy "
            "«remote» mà xlwings Server dùng), kiểm tra đúng ô được tô màu, ghi chú, sheet «Kết quả kiểm tra», các "
            "sheet tổng hợp và hộp thông báo; đọc tệp qua bộ đọc tệp của xlwings cho cùng kết quả như lệnh cchc-xl.",
            "Phần kiểm tra trực tiếp của biểu mẫu: với hàng chục cách điền (số liệu ba tệp báo cáo thật, mỗi loại lỗi, "
            "và điền ngẫu nhiên), LibreOffice Calc tính lại các công thức và kết quả trùng với lệnh cchc-xl check "
            "trên cùng tệp, từng quy tắc một. Lệnh «cchc-xl excel-setup» được chạy thử với tệp cấu hình thật của "
            "xlwings (trên Linux).",
            "Chỉ Excel trên Windows mới xác nhận được: cách Excel hiện màu và trang «Kiểm tra trực tiếp», thư mục "
            "khởi động XLSTART của từng máy, nút bấm và macro gọi Python (RunPython), thông báo khi máy "
            "chưa cài Python/xlwings, hộp chọn thư mục, thanh trạng thái, thêm ghi chú trên sheet có khóa, nạp hàm "
            "bằng «Import Functions» và việc kết quả CCHC_KIEMTRA tự trải xuống các ô.",
        ),
    ),
)


def rule_table() -> list[tuple[str, str, str]]:
    """(Thông báo, Mức độ, Cách xử lý) for every rule the checks know."""
    severity = {"error": "Lỗi", "warning": "Cảnh báo"}
    return [(rule.title, severity.get(rule.severity, rule.severity), RULE_ADVICE.get(code, ""))
            for code, rule in RULES.items()]


def _sections() -> list[Section]:
    """The sections with the message table filled in from the rules."""
    table = (("Thông báo", "Mức độ", "Cách xử lý"), *rule_table())
    return [Section(s.title, s.paragraphs, s.steps, s.bullets, s.commands, table, s.after)
            if s.title.startswith("8.") else s for s in SECTIONS]


# ----- Markdown -----

def guide_markdown() -> str:
    lines = [f"# {TITLE}", "", INTRO, ""]
    for section in _sections():
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.steps:
            lines += [f"{number}. {step}" for number, step in enumerate(section.steps, start=1)] + [""]
        if section.bullets:
            lines += [f"- {bullet}" for bullet in section.bullets] + [""]
        if section.commands:
            lines += ["```", *section.commands, "```", ""]
        if section.table:
            header, *body = section.table
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
            lines.append("")
        for paragraph in section.after:
            lines += [paragraph, ""]
    return "\n".join(lines).rstrip() + "\n"


# ----- Sheet -----

def write_guide_sheet(workbook: Workbook, name: str = GUIDE_SHEET):
    """Add the guide as a sheet: Times New Roman, wrapped text, a column a page wide. Returns the sheet."""
    sheet = workbook.add_worksheet(name)
    base = {"font_name": FONT, "font_size": TEXT_SIZE, "text_wrap": True, "valign": "top"}
    styles = {
        "title": workbook.add_format({**base, "font_size": TITLE_SIZE, "bold": True}),
        "heading": workbook.add_format({**base, "font_size": HEADING_SIZE, "bold": True}),
        "text": workbook.add_format(base),
        "number": workbook.add_format({**base, "align": "right"}),
        "command": workbook.add_format({**base, "bold": True, "bg_color": "#F2F2F2"}),
        "head": workbook.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7"}),
        "cell": workbook.add_format({**base, "border": 1}),
    }
    sheet.set_column(0, 0, NUMBER_WIDTH)
    sheet.set_column(1, 1, TEXT_WIDTH)
    line = 0

    def put(text: str, style: str, number: str = "", size: int = TEXT_SIZE) -> None:
        nonlocal line
        if number:
            sheet.write_string(line, 0, number, styles["number"])
        sheet.write_string(line, 1, text, styles[style])
        sheet.set_row(line, row_height(text, TEXT_WIDTH, size))
        line += 1

    put(TITLE, "title", size=TITLE_SIZE)
    put(INTRO, "text")
    for section in _sections():
        line += 1
        put(section.title, "heading", size=HEADING_SIZE)
        for paragraph in section.paragraphs:
            put(paragraph, "text")
        for number, step in enumerate(section.steps, start=1):
            put(step, "text", f"{number}.")
        for bullet in section.bullets:
            put(bullet, "text", "•")
        for command in section.commands:
            put(command, "command")
        if section.table:
            # One row per table line, the columns joined: a page-wide sheet reads better than a narrow grid.
            header, *body = section.table
            put(" | ".join(header), "head")
            for row in body:
                put("\n".join(f"{title}: {cell}" if index else cell
                              for index, (title, cell) in enumerate(zip(header, row)) if cell), "cell")
        for paragraph in section.after:
            put(paragraph, "text")
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.hide_gridlines(2)
    return sheet


def row_height(text: str, width_chars: float, size: int) -> float:
    """Points for `text` wrapped in a column `width_chars` wide: Excel does not grow rows written this way."""
    per_line = max(1, int(width_chars * 11 / size * 1.1))
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    return round(lines * size * 1.3, 1)
