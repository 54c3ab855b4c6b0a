"""What a person is told when a file cannot be read at all, shared by the sources of every format."""

from __future__ import annotations

from pathlib import Path

WORD_SUFFIXES = (".docx", ".docm")


def corrupt(path: Path) -> str:
    if path.suffix.lower() in WORD_SUFFIXES:
        return word_corrupt(path)
    return (f"{path.name}: tệp bị hỏng hoặc không phải tệp Excel (.xlsx, .xls, .ods); "
            "hãy mở tệp bằng Excel, lưu lại rồi gửi lại")


def word_corrupt(path: Path) -> str:
    return (f"{path.name}: tệp Word bị hỏng, không đọc được; hãy mở tệp bằng Word, lưu lại thành .docx "
            "(hoặc chép bảng Phụ lục sang Excel) rồi gửi lại")


def word_legacy(path: Path) -> str:
    return (f"{path.name}: tệp Word cũ (.doc) không đọc được: hãy mở bằng Word, lưu thành .docx hoặc chép "
            "bảng Phụ lục sang Excel rồi gửi lại")


def password(path: Path) -> str:
    return f"{path.name}: tệp có mật khẩu, hãy gỡ mật khẩu rồi gửi lại"


def word_text(path: Path) -> str:
    return f"{path.name}: đây là tệp Word, không phải tệp Excel; hãy gửi bảng Phụ lục dạng Excel"


def program(path: Path) -> str:
    """The program the sender should open the file with."""
    return "Word" if path.suffix.lower() in WORD_SUFFIXES else "Excel"
