"""How fast `cchc-xl merge` reads, checks, merges and writes N commune files, against plain openpyxl.

    python benchmarks/bench_merge.py [N] [--jobs J] [--repeat R] [--baseline-files K] [--keep DIR]

0. byte-compiles the cchc_xl package, as pip does when it installs it, so that the timed runs do
   not compile its sources (an editable install with PYTHONDONTWRITEBYTECODE set would, every run);
1. writes N realistic Phụ lục files (benchmarks/make_submissions.py) into a temporary folder, or
   into DIR with --keep (files already there from an earlier run with the same N are reused);
2. runs `python -m cchc_xl merge FOLDER -o OUT.xlsx` as a subprocess R times: wall clock, start-up
   included; the best and the median run are reported;
3. loads each file with openpyxl (data_only=True) and reads every cell of every sheet, in this
   process, one after another: what a script written the obvious way does (K files, default all).
Prints files per second for both, the ratio, the peak resident memory of the merge processes, the
start-up time (interpreter, imports, catalogs) and the load average before each timed run: other programs on the
machine slow both sides, so compare numbers taken at a similar load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_submissions  # noqa: E402


def run_merge(folder: Path, output: Path, jobs: int) -> tuple[float, int, str]:
    """(seconds, exit code, stdout's first line) of one `cchc-xl merge` run."""
    command = [sys.executable, "-m", "cchc_xl", "merge", str(folder), "-o", str(output), "--force",
               "--unit", "UBND huyện Định Hóa"]
    if jobs:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
        raise SystemExit(f"merge failed with exit code {done.returncode}")
    return seconds, done.returncode, (done.stdout.splitlines() or [""])[0]


def load_average() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load unknown"


# What a merge imports and loads before it reads the first file.
_START_UP = ("import cchc_xl.cli, cchc_xl.commands.merge, cchc_xl.merging, cchc_xl.reading, cchc_xl.checks, "
             "cchc_xl.writing.rollup_book, cchc_xl.catalog as c; c.load_all()")


def start_up_seconds(runs: int = 5) -> float:
    """The best of a few runs of the interpreter importing the merge's modules and loading the catalogs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", _START_UP], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def submissions(folder: Path, count: int) -> list[Path]:
    """The files of an earlier run with the same count, or freshly generated ones."""
    existing = sorted(path for path in folder.glob("*.xlsx")) if folder.is_dir() else []
    if len(existing) == count:
        return existing
    return list(make_submissions.generate(folder, count))


def run_baseline(files: list[Path]) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    cpu_start = time.process_time()
    cells = 0
    for path in files:
        book = load_workbook(path, data_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += sum(1 for value in row if value is not None)
        book.close()
    seconds = time.perf_counter() - start
    if not cells:
        raise SystemExit("baseline read no cells")
    print(f"openpyxl baseline CPU: {time.process_time() - cpu_start:.2f} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes for merge (0 = all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="merge runs (best and median reported)")
    parser.add_argument("--baseline-files", type=int, default=0, help="files for the openpyxl baseline (0 = all)")
    parser.add_argument("--keep", help="write the files here and keep them (reused when already there)")
    args = parser.parse_args(argv)

    import compileall

    import cchc_xl
    compileall.compile_dir(Path(cchc_xl.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(args.keep) if args.keep else Path(temp) / "nop"
        start = time.perf_counter()
        files = submissions(folder, args.count)
        generated = time.perf_counter() - start
        size = sum(path.stat().st_size for path in files)
        print(f"{len(files)} files, {size / 1e6:.1f} MB, ready in {generated:.1f} s; {os.cpu_count()} CPU cores")
        print(f"start-up (interpreter, imports, catalogs; best of 5): {start_up_seconds():.2f} s")

        output = Path(temp) / "tong-hop.xlsx"
        runs = []
        for _ in range(max(1, args.repeat)):
            load = load_average()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            merge_seconds, code, first_line = run_merge(folder, output, args.jobs)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            runs.append(merge_seconds)
            print(f"cchc-xl merge: {merge_seconds:.2f} s, {len(files) / merge_seconds:.0f} files/s, exit {code}, "
                  f"CPU {cpu:.2f} s over all processes, output {output.stat().st_size / 1e6:.1f} MB, "
                  f"peak RSS of one process {after.ru_maxrss / 1024:.0f} MB ({load})")
        print(f"  {first_line}")
        best, median = min(runs), statistics.median(runs)
        print(f"merge best {best:.2f} s, median {median:.2f} s of {len(runs)} runs")

        sample = files[: args.baseline_files] if args.baseline_files else files
        load = load_average()
        baseline_seconds = run_baseline(sample)
        baseline_rate = len(sample) / baseline_seconds
        print(f"openpyxl baseline: {baseline_seconds:.2f} s for {len(sample)} files, {baseline_rate:.0f} files/s ({load})")
        print(f"ratio: merge is {len(files) / best / baseline_rate:.1f}x the baseline's files/s at its best run, "
              f"{len(files) / median / baseline_rate:.1f}x at the median")
    return 0


if __name__ == "__main__":
    sys.exit(main())
