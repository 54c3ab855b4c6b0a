"""cchc-xl build-workbook: write workbook/*.xlsm and .xlsx from macros/ and the catalog, or with
--check only compare (CI fails when a committed workbook is stale)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..cli import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from ..vba import project, workbooks
from ..writing.atomic import atomic_output


def run(args: argparse.Namespace) -> int:
    out_dir = Path(args.output_dir)
    try:
        built = workbooks.built_bytes()
    except (OSError, project.VbaSourceError) as exc:
        print(f"cchc-xl build-workbook: lỗi (error): {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.check:
        return _check(out_dir, built)
    for name, data in built.items():
        with atomic_output(out_dir / name, force=True) as temp:
            temp.write_bytes(data)
            temp.chmod(0o644)  # a temporary file is private; the workbooks are for everyone
        print(f"Đã ghi (written) {out_dir / name}")
    return EXIT_OK


def stale_files(out_dir: Path, built: dict[str, bytes]) -> list[Path]:
    """The files in `out_dir` that are missing or differ from a fresh build."""
    return [out_dir / name for name, data in built.items()
            if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != data]


def _check(out_dir: Path, built: dict[str, bytes]) -> int:
    stale = stale_files(out_dir, built)
    for path in stale:
        state = "đã cũ (stale)" if path.exists() else "chưa có (missing)"
        print(f"{path}: {state} so với macros/ và mã nguồn. Chạy «cchc-xl build-workbook» rồi commit lại. "
              f"(Rebuild with `cchc-xl build-workbook` and commit.)", file=sys.stderr)
    if stale:
        return EXIT_FINDINGS
    print(f"Các tệp trong {out_dir} khớp với bản dựng mới (up to date): {', '.join(sorted(built))}")
    return EXIT_OK
