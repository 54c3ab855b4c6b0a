"""`cchc-xl excel-setup` (Cài đặt cho Excel): the xlwings add-in and its configuration for this
Python, then a check that Excel can reach it; --check only reports. Running it again changes nothing."""

from __future__ import annotations

import argparse

from ..cli import EXIT_FINDINGS, EXIT_OK
from ..excel_setup import run_setup


def run(args: argparse.Namespace) -> int:
    steps = run_setup(check_only=args.check)
    print("Cài đặt cho Excel (cchc-xl excel-setup" + (" --check): chỉ kiểm tra, không thay đổi gì" if args.check else ")"))
    for step in steps:
        print(f"  {'[đúng]' if step.ok else '[cần sửa]'} {step.text}")
    if all(step.ok for step in steps):
        changed = any(step.changed for step in steps)
        print("Đã cài xong. Đóng hẳn Excel rồi mở lại để nút «Kiểm tra», «Tổng hợp» dùng được."
              if changed else "Mọi thứ đã sẵn sàng; không cần thay đổi gì.")
        return EXIT_OK
    print("Còn mục cần sửa (xem các dòng [cần sửa] ở trên)."
          + ("" if args.check else " Sửa theo hướng dẫn rồi chạy lại «cchc-xl excel-setup»."))
    return EXIT_FINDINGS
