"""Hostile files beside good ones: what `cchc-xl check` and `cchc-xl merge` cost on them.

    python benchmarks/bench_hostile.py [N] [--keep DIR]

1. writes N good commune files (benchmarks/make_submissions.py) and every hostile file the tests
   build (tests/hostile.py: files that abort calamine, a far cell in each XML spelling, a shared
   strings count of billions, a sheet part under two zip names, a million rows, a zip bomb, an
   .ods of repeated cells, 50,000 defined names) and six near 50 MB (web pages of millions of cells,
   attributes or open comments, or declaring punycode; an XML spreadsheet of millions of unknown
   elements; a CSV line of millions of separators) into one folder;
2. runs `python -m cchc_xl check FOLDER --json` and `python -m cchc_xl merge FOLDER -o OUT --json`
   as subprocesses, each once, polling /proc every 20 ms for the resident memory of the command
   and all its worker processes together;
3. prints, for each: wall-clock seconds, the peak of that total memory, the exit code, how many
   good files were read and how many files were refused, and whether every good file was read;
4. times `check` of one good file five times (the Kiểm tra of one commune: start-up, the warm
   worker, reading and checking), best and median.
Linux only (it reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import hostile  # noqa: E402
import make_submissions  # noqa: E402


def hostile_files(folder: Path) -> list[Path]:
    """Every hostile file, written into `folder`; their paths."""
    files = {f"abort {index}.xlsx": build() for index, build in enumerate(hostile.ABORTS.values())}
    far = hostile.sheet(hostile.CELLS + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    files["two names.xlsx"] = hostile.xlsx(extra={"XL\\WORKSHEETS\\SHEET1.XML": far})
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(3, 1_000_000))
    files["million rows.xlsx"] = hostile.xlsx(sheet_xml=hostile.sheet(hostile.CELLS + rows))
    files["zip bomb.xlsx"] = hostile.xlsx(extra={"xl/media/padding.bin": b"\0" * 150_000_000})
    files["repeated.ods"] = hostile.ods(hostile.ODS_FIRST_ROW + '<table:table-row table:number-rows-repeated="1000000">'
                                        '<table:table-cell table:number-columns-repeated="1000" office:value="1"/>'
                                        "</table:table-row>")
    names = "".join(f'<definedName name="N{index}">Sheet1!$A$1</definedName>' for index in range(70_000))
    files["names.xlsx"] = hostile.xlsx(extra={"xl/workbook.xml": hostile.WORKBOOK.replace(
        b"</sheets>", f"</sheets><definedNames>{names}</definedNames>".encode())})
    files.update(hostile_texts())
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def hostile_texts() -> dict[str, bytes]:
    """Web pages, XML spreadsheets and text near the 50 MB a file may have, each built to cost what
    their readers did before they were bounded: minutes of events or reparsing, GBs of elements."""
    table = b"<html><body><table><tr><td>STT</td></tr></table>"
    xml = (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell>'
           b'<Data ss:Type="String">STT</Data></Cell></Row></Table>')
    mb = 1024 * 1024
    return {
        "cells in one row.xls": table + b"<table><tr>" + b"<td>" * 11 * mb,
        "attributes.xls": table + b'<p a=">" ' + b"a=b " * 11 * mb + b">",
        "open comments.htm": table + b"<!--" * 11 * mb,
        "punycode.xls": b'<html><head><meta charset="punycode"></head><body><table><tr><td>STT</td></tr></table>-'
                        + b"99999999" * 5 * mb,
        "elements.xml": xml + b"<x/>" * 11 * mb + b"</Worksheet></Workbook>",
        "separators.csv": "STT,Các chỉ tiêu,Đơn vị tính,Số liệu,Ghi chú\r\n".encode() + b"," * 45 * mb,
    }


def tree_rss(pid: int) -> int:
    """Resident bytes of the process and all its descendants."""
    total, children = 0, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                continue
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        pending.extend(children.get(current, ()))
    return total


def run(command: list[str]) -> tuple[float, int, int, str]:
    """(seconds, peak bytes of the process tree, exit code, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()))
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.02)
    reader.join()
    return time.perf_counter() - start, peak, process.returncode, "".join(output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=20)
    parser.add_argument("--keep", metavar="DIR")
    args = parser.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="cchc-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    good = {path.name for path in make_submissions.generate(folder, args.count)}
    bad = hostile_files(folder)
    print(f"{len(good)} good files, {len(bad)} hostile files in {folder}")
    output = folder.parent / f"{folder.name}-tong-hop.xlsx"
    for name, command in (("check", [sys.executable, "-m", "cchc_xl", "check", str(folder), "--json"]),
                          ("merge", [sys.executable, "-m", "cchc_xl", "merge", str(folder), "-o", str(output),
                                     "--force", "--json", "--no-history"])):
        seconds, peak, code, stdout = run(command)
        report = json.loads(stdout)
        if name == "check":
            read = {Path(entry["path"]).name for entry in report["files"] if not entry.get("error")}
            refused = [entry for entry in report["files"] if entry.get("error")]
        else:
            read = {Path(unit["path"]).name for unit in report.get("units", [])}
            refused = report["rejected"]
        print(f"{name}: {seconds:.1f} s, peak {peak / 2 ** 20:.0f} MiB (command and workers together), exit {code}, "
              f"{len(read & good)}/{len(good)} good files read, {len(refused)} files refused; "
              f"every good file read: {good <= read}")
        for entry in refused:
            print(f"    {entry.get('error') or entry.get('reason')}"[:160])
    one = folder / sorted(good)[0]
    times = sorted(run([sys.executable, "-m", "cchc_xl", "check", str(one)])[0] for _ in range(5))
    print(f"check of one file ({one.name}): best {times[0]:.2f} s, median {times[2]:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
