"""The `cchc-xl` command: argument parsing and dispatch. Every message is Vietnamese."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from typing import NoReturn

from .inputs import harmless, printable
from .sandbox import DEBUG_ENV, debugging

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

_ARGPARSE_VI = (
    ("the following arguments are required", "thiếu tham số bắt buộc"),
    ("unrecognized arguments", "không hiểu tham số"),
    ("invalid choice", "lựa chọn không hợp lệ"),
    ("choose from", "hãy chọn một trong"),
    ("expected one argument", "cần một giá trị sau tham số"),
    ("invalid int value", "không phải số nguyên"),
    ("argument ", "tham số "),
)


_USAGE = "Cách dùng: "


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # argparse's "usage: " put into Vietnamese
        super().add_usage(usage, actions, groups, _USAGE if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its own headings, -h and error words in Vietnamese."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs["add_help"] = False  # -h is added below, with Vietnamese help
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")
        # Accepted before or after the command; absent unless given, so a command's default never hides it.
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help=f"in chi tiết lỗi chương trình (cho người phát triển; như {DEBUG_ENV}=1)")

    def error(self, message: str) -> NoReturn:  # argparse's own words, put into Vietnamese
        for english, vietnamese in _ARGPARSE_VI:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"cchc-xl: lỗi: {message}\nXem hướng dẫn: {self.prog} --help\n")


class _CommandParser(_Parser):
    """A command's parser: its files and options in any order, `merge --previous CU.xlsx thu-muc/ -o TH.xlsx`
    and `check a.xlsx --previous cu.xlsx b.xlsx` alike (argparse alone refuses a file after an option's value)."""

    _mixing = False

    def parse_known_args(self, args=None, namespace=None):
        if self._mixing:  # parse_known_intermixed_args parses in two passes through this method
            return super().parse_known_args(args, namespace)
        # Its usage text computed here: argparse's own cuts off the English "usage: " by length.
        self._mixing, self.usage = True, self.format_usage()[len(_USAGE):]
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing, self.usage = False, None


def _handler(module: str):
    """Import the command module only when it runs: `check` must start fast."""
    def run(args: argparse.Namespace) -> int:
        return importlib.import_module(f"cchc_xl.commands.{module}").run(args)
    return run


_ONE_EACH = "mỗi tệp (hoặc thư mục) một lần --previous: --previous quy1.xlsx --previous quy2.xlsx"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cchc-xl", description="Phụ lục thống kê cải cách hành chính: biểu mẫu, kiểm tra, tổng hợp.")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_CommandParser)

    template = sub.add_parser("template", help="tạo biểu mẫu Phụ lục (.xlsx) từ danh mục")
    template.add_argument("--catalog", metavar="MÃ_HOẶC_TỆP", default="phu-luc-ii", help="mã danh mục hoặc tệp .json (mặc định phu-luc-ii)")
    template.add_argument("--unit", metavar="TÊN", default="", help='tên đơn vị, ví dụ "UBND xã Bình Yên", "UBND phường Tân An", "UBND đặc khu Côn Đảo"')
    template.add_argument("--period", metavar="KỲ", default="", help='kỳ báo cáo, ví dụ "Quý I năm 2024"')
    template.add_argument("-o", "--output", metavar="TỆP", required=True, help="tệp .xlsx sẽ tạo")
    template.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    template.set_defaults(handler=_handler("template"))

    check = sub.add_parser("check", help="kiểm tra số liệu của một hay nhiều tệp Phụ lục")
    check.add_argument("files", nargs="+", metavar="TỆP", help="tệp .xlsx, .xlsm, .xls, .ods, .docx hoặc thư mục")
    check.add_argument("--catalog", metavar="MÃ", help="bắt buộc dùng danh mục này thay vì tự nhận dạng")
    check.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    check.add_argument("-o", "--output", metavar="TỆP", help="ghi bản sao có đánh dấu lỗi (.xlsx); chỉ dùng với một tệp")
    check.add_argument("--force", action="store_true", help="ghi đè nếu tệp kết quả đã có")
    check.add_argument("--history", metavar="TỆP", help="so với các kỳ trước trong tệp lịch sử số liệu (.sqlite) và ghi thêm kỳ này vào đó")
    check.add_argument("--previous", action="append", metavar="TỆP", default=[],
                       help=f"tệp báo cáo kỳ trước của cùng đơn vị, để so sánh; {_ONE_EACH}")
    check.set_defaults(handler=_handler("check"))

    merge = sub.add_parser("merge", help="tổng hợp các tệp Phụ lục của các đơn vị")
    merge.add_argument("inputs", nargs="*", metavar="TỆP",
                       help="tệp hoặc thư mục chứa các tệp đã nộp (có thể bỏ trống khi tính kỳ 6 tháng, 9 tháng, năm từ lịch sử)")
    merge.add_argument("-o", "--output", metavar="TỆP", required=True, help="tệp tổng hợp .xlsx sẽ tạo")
    merge.add_argument("--catalog", metavar="MÃ", help="bắt buộc dùng danh mục này")
    merge.add_argument("--period", metavar="KỲ", help='kỳ báo cáo phải khớp, ví dụ "2024-Q1" hoặc "Quý I năm 2024"')
    merge.add_argument("--roster", metavar="TỆP", help="danh sách đơn vị phải nộp (.txt, .csv hoặc .xlsx một cột)")
    merge.add_argument("--unit", metavar="TÊN", default="", help='tên đơn vị tổng hợp, ví dụ "UBND huyện Định Hóa"')
    merge.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    merge.add_argument("--force", action="store_true", help="ghi đè nếu tệp kết quả đã có")
    merge.add_argument("--jobs", metavar="SỐ", type=int, default=0, help="số tiến trình đọc tệp (mặc định: số lõi CPU)")
    merge.add_argument("--history", metavar="TỆP", help="tệp lịch sử số liệu (.sqlite; mặc định lich-su-so-lieu.sqlite cạnh tệp tổng hợp)")
    merge.add_argument("--no-history", action="store_true", help="không đọc, không ghi lịch sử số liệu")
    merge.add_argument("--previous", action="append", metavar="TỆP", default=[],
                       help=f"tệp báo cáo kỳ trước, để so sánh; {_ONE_EACH}")
    merge.set_defaults(handler=_handler("merge"))

    report = sub.add_parser("report", help="viết báo cáo Word (.docx) từ bản tổng hợp hoặc một Phụ lục đã điền")
    report.add_argument("input", metavar="TỆP", help="tệp tổng hợp do cchc-xl merge tạo, hoặc một tệp Phụ lục đã điền")
    report.add_argument("-o", "--output", metavar="TỆP", required=True, help="tệp báo cáo .docx sẽ tạo")
    report.add_argument("--unit", metavar="TÊN", default="", help='tên đơn vị báo cáo, ví dụ "UBND huyện Định Hóa"')
    report.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    report.set_defaults(handler=_handler("report"))

    export = sub.add_parser("export", help="xuất lịch sử số liệu các kỳ ra bảng .csv, .parquet hoặc .xlsx (cần pandas)")
    export.add_argument("--history", metavar="TỆP", required=True, help="tệp lịch sử số liệu (.sqlite)")
    export.add_argument("-o", "--output", metavar="TỆP", required=True, help="tệp .csv, .parquet hoặc .xlsx sẽ tạo")
    export.add_argument("--wide", action="store_true", help="dạng rộng: mỗi đơn vị, mỗi kỳ một dòng (mặc định dạng dài)")
    export.add_argument("--catalog", metavar="MÃ", help="chỉ xuất số liệu của mẫu này")
    export.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
    export.set_defaults(handler=_handler("export"))

    setup = sub.add_parser("excel-setup", help="cài đặt cho Excel: phần bổ trợ xlwings và Python mà các nút bấm dùng")
    setup.add_argument("--check", action="store_true", help="chỉ kiểm tra và báo cáo, không thay đổi gì")
    setup.set_defaults(handler=_handler("excel_setup"))

    build = sub.add_parser("build-workbook", help="dựng các tệp .xlsm có nút bấm vào thư mục workbook/")
    build.add_argument("-o", "--output-dir", metavar="THƯ_MỤC", default="workbook", help="thư mục ghi (mặc định workbook/)")
    build.add_argument("--check", action="store_true", help="chỉ so sánh với các tệp đã có; mã thoát 1 nếu khác")
    build.set_defaults(handler=_handler("build"))
    return parser


class _Harmless:
    """A text stream writing what it is given with the characters that would act on the terminal shown
    as their codes (inputs.harmless): every message quotes names and cells from submitted files."""

    def __init__(self, stream) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        return self.wrapped.write(harmless(text))

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


def main(argv: list[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    for stream in streams:  # a name with undecodable bytes prints as U+FFFD, never fails
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    sys.stdout, sys.stderr = _Harmless(sys.stdout), _Harmless(sys.stderr)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_FAILED
    if getattr(args, "debug", False):
        os.environ[DEBUG_ENV] = "1"
    for name in ("unit", "period"):  # texts written into the roll-up
        if isinstance(getattr(args, name, None), str):
            setattr(args, name, printable(getattr(args, name)))
    try:
        return args.handler(args)
    except BrokenPipeError:  # output piped into a reader that stopped early (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("\ncchc-xl: đã dừng theo yêu cầu (Ctrl+C); tệp kết quả chưa được ghi.", file=sys.stderr)
        return EXIT_FAILED
    except MemoryError:
        print(f"cchc-xl {args.command}: không đủ bộ nhớ để xử lý {_files_of(args)}; lệnh đã dừng, "
              "không tệp nào bị sửa. Hãy bớt số tệp mỗi lần chạy rồi thử lại.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a fault of the program: one Vietnamese line, the trace only on request
        print(unexpected(f"cchc-xl {args.command}", _files_of(args), exc), file=sys.stderr)
        return EXIT_FAILED


def unexpected(where: str, files: str, exc: BaseException) -> str:
    """The line a user sees for an error nobody foresaw; when debugging, the trace is printed first."""
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    return (f"{where}: lỗi chương trình ({type(exc).__name__}) khi xử lý {files}; lệnh đã dừng, không tệp nào "
            "bị sửa. Hãy gửi tệp này cho người quản lý chương trình (chạy lại với --debug để xem chi tiết).")


def _files_of(args: argparse.Namespace) -> str:
    named = [*(getattr(args, "files", None) or ()), *(getattr(args, "inputs", None) or ())]
    named = named or [getattr(args, "output", None) or getattr(args, "output_dir", None) or ""]
    shown = ", ".join(map(str, named[:3])) + (f" và {len(named) - 3} tệp khác" if len(named) > 3 else "")
    return shown or "lệnh"


if __name__ == "__main__":
    sys.exit(main())
