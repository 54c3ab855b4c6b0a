"""Regenerate the bundled sample submissions: communes of huyện Định Hóa, PHỤ LỤC SỐ II, Quý I năm 2024.

    python samples/make_samples.py            # rewrites samples/*.xlsx, .xls, .ods and danh-sach.txt

What the folder shows when merged (`cchc-xl merge samples/ -o out/tong-hop.xlsx --roster
samples/danh-sach.txt --unit "UBND huyện Định Hóa"`):
- seven communes' files in different layouts, figures typed as numbers and as Vietnamese text;
- one legacy .xls and one .ods (converted with LibreOffice when it is installed);
- Bình Yên sent its file twice (lan-1, then lan-2): the later one is used, both are reported;
- Kim Phượng's file has a lỗi: more dossiers resolved on time than resolved (part > whole);
- Quy Kỳ is on the roster and sent nothing.
Files are written in alphabetical order with increasing modification times, so a fresh checkout
(which also writes them in that order) keeps "lan-2" the newer file.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))

import make_submissions as ms  # noqa: E402

from cchc_xl import catalog as catalog_module  # noqa: E402

PERIOD = "Quý I năm 2024"
ROSTER = ("UBND xã Bình Yên", "UBND xã Bảo Cường", "UBND xã Điềm Mặc", "UBND xã Định Biên",
          "UBND xã Kim Phượng", "UBND xã Phú Đình", "UBND xã Quy Kỳ", "UBND xã Trung Hội")

# (file name, unit as the commune writes it, layout)
FILES = (
    ("bao-cuong.xlsx", "UBND xã Bảo Cường", ms.Style(text_numbers=0.0, notes=0.1)),
    ("binh-yen-lan-1.xlsx", "UBND xã Bình Yên", ms.Style(text_numbers=0.5, blanks=0.15)),
    ("binh-yen-lan-2.xlsx", "UBND xã Bình Yên", ms.Style(text_numbers=0.5, notes=0.1)),
    ("diem-mac.xls", "UBND xã Điềm Mặc", ms.Style(national_header=False, sheet_name="Sheet1", text_numbers=0.3)),
    ("dinh-bien.ods", "UBND xã Định Biên", ms.Style(two_level_header=False, text_numbers=0.6)),
    ("kim-phuong.xlsx", "UBND xã Kim Phượng", ms.Style(first_col=1, blank_rows_above=1, text_numbers=1.0)),
    ("phu-dinh.xlsx", "UBND xã Phú Đình", ms.Style(narrative_sheet=True, stt_trailing_dot=False, notes=0.15)),
    ("trung-hoi.xlsx", "xã Trung Hội", ms.Style(two_level_header=False, sheet_name="PL II", text_numbers=0.8)),
)


def main() -> int:
    catalog = catalog_module.load("phu-luc-ii")
    rng = random.Random(2024)
    shared = ms.province_list(catalog, rng)
    for old in list(HERE.glob("*.xlsx")) + list(HERE.glob("*.xls")) + list(HERE.glob("*.ods")):
        old.unlink()
    start = time.time() - 3600
    with tempfile.TemporaryDirectory() as work:
        for index, (name, unit, style) in enumerate(FILES):
            values = ms.figures(catalog, shared, rng, differ=name.startswith("trung-hoi"))
            notes = {row.id: rng.choice(ms.NOTES) for row in catalog.rows
                     if row.takes_figure and rng.random() < style.notes}
            if name.startswith("kim-phuong"):
                _part_above_whole(catalog, values)
                ms.fill_percents(catalog, values)
            submission = ms.Submission(unit, PERIOD, values, notes)
            source = Path(work) / (Path(name).stem + ".xlsx")
            ms.write_submission(source, catalog, submission, style, rng)
            target = HERE / name
            if target.suffix == ".xlsx":
                shutil.copyfile(source, target)
            else:
                _convert(source, target)
            os.utime(target, (start + index * 60, start + index * 60))
    (HERE / "danh-sach.txt").write_text(
        "# Đơn vị phải nộp báo cáo CCHC Quý I năm 2024 - huyện Định Hóa\n" + "\n".join(ROSTER) + "\n", "utf-8")
    total = sum(path.stat().st_size for path in HERE.iterdir() if path.is_file())
    print(f"samples: {len(FILES)} files, {total / 1024:.0f} kB")
    return 0


def _part_above_whole(catalog, values) -> None:
    """Raise the first 'part <= whole' part above its whole, as a typing slip does."""
    for _row, check in catalog.checks:
        if check.rule != "part-le-whole":
            continue
        part, whole = check.assertion.sides()
        if len(part.ids) == 1 and len(whole.ids) == 1 and catalog.row(part.ids[0]).rollup == "sum":
            base = values.get(whole.ids[0]) or 0
            if base >= 10:
                values[part.ids[0]] = base + 7
                return


def _convert(source: Path, target: Path) -> None:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        raise SystemExit(f"LibreOffice is needed to write {target.name}")
    fmt = {".xls": "xls:MS Excel 97", ".ods": "ods"}[target.suffix]
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", out, str(source)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
        shutil.copyfile(Path(out) / (source.stem + target.suffix), target)


if __name__ == "__main__":
    sys.exit(main())
