"""`cchc-xl template`: write the blank Phụ lục of a catalog for one unit and period."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import periods
from ..catalog import CatalogError, load
from ..cli import EXIT_FAILED, EXIT_OK
from ..writing.atomic import OutputExists, atomic_output
from ..writing.template import write_template

MAX_UNIT_LENGTH = 200


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        return _fail(f"{output}: tệp biểu mẫu phải có đuôi .xlsx; hãy đặt tên như bieu-mau.xlsx.")
    try:
        catalog = load(args.catalog)
    except CatalogError as exc:
        return _fail(str(exc))
    period_text = (args.period or "").strip()
    if period_text and periods.normalise(period_text) is None:
        return _fail(f"Không hiểu kỳ báo cáo «{period_text}». Hãy ghi như: \"Quý I năm 2024\", "
                     "\"6 tháng năm 2024\", \"9 tháng năm 2024\", \"Năm 2024\" hoặc 2024-Q1.")
    if periods.normalise(period_text) == period_text.upper() and period_text:
        period_text = periods.label(period_text.upper())  # "2024-Q1" is printed as "Quý I năm 2024"
    unit = " ".join((args.unit or "").split())
    if len(unit) > MAX_UNIT_LENGTH:
        return _fail(f"Tên đơn vị dài {len(unit)} ký tự; hãy ghi ngắn hơn {MAX_UNIT_LENGTH} ký tự, "
                     "ví dụ \"UBND xã Bình Yên\".")
    try:
        with atomic_output(output, force=args.force) as temp:
            layout = write_template(catalog, temp, unit=unit, period_text=period_text)
    except OutputExists as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{output}: không ghi được tệp ({exc.strerror or exc}). "
                     "Nếu tệp đang mở trong Excel, hãy đóng lại rồi chạy lại.")
    inputs = sum(1 for row in catalog.rows if row.is_input)
    print(f"Đã tạo biểu mẫu {output} ({catalog.name}, {len(layout.rows)} dòng, {inputs} ô nhập số liệu"
          f"{', ' + unit if unit else ''}{', ' + period_text if period_text else ''}).", file=sys.stderr)
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"cchc-xl template: lỗi: {message}", file=sys.stderr)
    return EXIT_FAILED
