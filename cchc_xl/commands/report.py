"""`cchc-xl report INPUT -o BaoCao.docx [--unit NAME] [--force]`: the Word report from a roll-up made
by `merge` (read through the state in its _cchc sheet) or from one filled Phụ lục.

Exit code: 0 written; 1 written, but figures behind it have lỗi (a unit's file, or the Phụ lục
itself) or units are missing from the roll-up; 2 nothing written (unreadable input, a wrong call,
an existing output without --force).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..cli import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from ..findings import ERROR


def run(args) -> int:
    from ..rollup import StateError
    from ..sandbox import Failure, Pool, failure_reason
    from ..submission import ROLLUP_KIND
    from ..writing.atomic import OutputExists, atomic_output
    from ..writing.report_doc import from_rollup_metadata, from_submission, write_report

    output = Path(args.output)
    if output.suffix.lower() != ".docx":
        return _fail(f"{output}: tệp báo cáo phải có đuôi .docx; hãy đặt tên như bao-cao.docx.")
    if output.exists() and not args.force:
        return _fail(str(OutputExists(output)))
    with Pool() as pool:  # the input is a file from elsewhere: parsed in a limited worker process
        outcome = pool.call(_read, args.input)
    submission, problem = (None, failure_reason(args.input, outcome)) if isinstance(outcome, Failure) else outcome
    if problem:
        return _fail(problem)
    assert submission is not None  # _read gives the submission or the problem
    name = Path(args.input).name
    attention: list[str] = []
    if submission.printed_rollup and submission.metadata.get("kind") != ROLLUP_KIND:
        return _fail(f"{name}: đây là bảng số liệu đã tổng hợp của nhiều đơn vị (không kèm dữ liệu tổng hợp), "
                     "không phải Phụ lục của một đơn vị. Hãy tạo báo cáo từ tệp tổng hợp .xlsx do cchc-xl merge tạo ra.")
    if submission.metadata.get("kind") == ROLLUP_KIND:
        try:
            content = from_rollup_metadata(submission.catalog, submission.metadata, args.unit)
        except (StateError, ValueError) as exc:
            return _fail(f"{name}: tệp tổng hợp không dùng được ({exc}). Hãy tạo lại bằng cchc-xl merge.")
        if content.missing:
            attention.append(f"{len(content.missing)} đơn vị chưa gửi báo cáo: {', '.join(content.missing)}.")
        if content.flawed:
            attention.append(f"{len(content.flawed)} đơn vị có lỗi trong số liệu: {', '.join(content.flawed)}.")
    else:
        from ..checks import check

        content = from_submission(submission, args.unit)
        errors = [finding for finding in check(submission) if finding.severity == ERROR]
        if errors:
            attention.append(f"Phụ lục {name} có {len(errors)} lỗi; hãy chạy cchc-xl check {name}, sửa rồi "
                             "tạo lại báo cáo trước khi gửi.")
    try:
        with atomic_output(output, force=args.force) as temp:
            write_report(content, temp)
    except OutputExists as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{output}: không ghi được tệp báo cáo ({exc.strerror or exc}). "
                     "Nếu tệp đang mở trong Word, hãy đóng lại rồi chạy lại.")
    print(f"Đã viết báo cáo {output} ({content.period_text or 'không rõ kỳ báo cáo'}, mẫu {content.catalog.name}). "
          "Hãy ghi số, ngày, phần đánh giá (chỗ «…») rồi ký gửi.")
    for line in attention:
        print(f"  - {line}")
    return EXIT_FINDINGS if attention else EXIT_OK


def _read(path: str):
    """(the file read, None) or (None, why it cannot be read, in Vietnamese)."""
    from ..reading import ReadError, read_workbook

    try:
        return read_workbook(path), None
    except ReadError as exc:
        return None, str(exc)


def _fail(message: str) -> int:
    print(f"cchc-xl report: {message}", file=sys.stderr)
    return EXIT_FAILED
