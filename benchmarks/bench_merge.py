"""How fast `cchc-xl merge` reads, checks, merges and writes N commune files, against plain loops.

    python benchmarks/bench_merge.py [N] [--jobs J] [--rounds R] [--baselines LIST] [--openpyxl-files K]
                                     [--up] [--keep DIR]

0. byte-compiles the cchc_xl package, as pip does when it installs it, so that the timed runs do
   not compile its sources (an editable install with PYTHONDONTWRITEBYTECODE set would, every run);
1. writes N realistic Phụ lục files (benchmarks/make_submissions.py) into a temporary folder, or
   into DIR with --keep (files already there from an earlier run with the same N are reused);
2. runs R rounds; each round runs, one after the other so that they share the machine's load:
   - `python -m cchc_xl merge FOLDER -o OUT.xlsx`: start-up, reading, checks, roll-up and the
     written workbook;
   - the baselines (--baselines, default all of them), each a script written the obvious way that
     reads every cell of every sheet of every file and does nothing more:
       pandas1   `pandas.read_excel(path, sheet_name=None, header=None, engine="calamine")`, one process;
       pandas2   the same loop on a pool of two processes (as many as merge uses on two cores);
       openpyxl  `openpyxl.load_workbook(path, data_only=True)`, one process (K files, default all:
                 the time is scaled up to N files when K < N);
   every contender runs as its own Python process and is timed from outside, interpreter start-up
   and imports included on both sides;
3. with --up, the roll-up the merge wrote (N units) is merged one level up, R times: what a province
   does with a district's roll-up; its totals must equal the first level's;
4. prints every run with the load average before it, then a table of the best and the median run of
   each contender and the ratios. The machine's other programs slow every contender; only numbers
   of the same run compare.

10,000 files: `bench_merge.py 10000 --rounds 1 --baselines pandas2 --up --keep DIR` (generating the
files takes a few minutes the first time). The pandas baselines need pandas: `pip install -e .[bench]`.
"""

from __future__ import annotations

import argparse
import json
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

BASELINES = ("pandas1", "pandas2", "openpyxl")

# The baseline loops, run as `python -c LOOP LIST_FILE WORKERS`; each prints the cells it read.
_PANDAS_LOOP = """
import sys, pandas
def cells(path):
    sheets = pandas.read_excel(path, sheet_name=None, header=None, engine="calamine")
    return sum(int(frame.count().sum()) for frame in sheets.values())
files = open(sys.argv[1], encoding="utf-8").read().splitlines()
if int(sys.argv[2]) == 1:
    print(sum(map(cells, files)))
else:
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(int(sys.argv[2])) as pool:
        print(sum(pool.imap_unordered(cells, files, chunksize=16)))
"""
_OPENPYXL_LOOP = """
import sys
from openpyxl import load_workbook
count = 0
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    book = load_workbook(path, data_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            count += sum(1 for value in row if value is not None)
    book.close()
print(count)
"""


class Runs:
    """The timed runs of one contender."""

    def __init__(self, name: str, files: int, scale: float = 1.0):
        self.name, self.files, self.scale = name, files, scale
        self.seconds: list[float] = []
        self.cpu: list[float] = []

    def timed(self, command: list[str], *, ok_codes=(0,)) -> subprocess.CompletedProcess:
        load = load_average()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
        seconds = (time.perf_counter() - start) * self.scale
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in ok_codes:
            sys.stderr.write(done.stderr[-3000:])
            raise SystemExit(f"{self.name} failed with exit code {done.returncode}")
        cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * self.scale
        self.seconds.append(seconds)
        self.cpu.append(cpu)
        scaled = f" (scaled from {self.files / self.scale:.0f} files)" if self.scale != 1 else ""
        print(f"  {self.name:<12} {seconds:7.2f} s{scaled}, CPU {cpu:.2f} s over its processes, "
              f"exit {done.returncode} ({load})", flush=True)
        return done

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


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


def merge_command(inputs: list[str], output: Path, jobs: int) -> list[str]:
    command = [sys.executable, "-m", "cchc_xl", "merge", *inputs, "-o", str(output), "--force", "--json",
               "--unit", "UBND huyện Định Hóa"]
    return command + (["--jobs", str(jobs)] if jobs else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes for merge (0 = all cores)")
    parser.add_argument("--rounds", "--repeat", type=int, default=3, help="interleaved rounds (best and median reported)")
    parser.add_argument("--baselines", default=",".join(BASELINES),
                        help=f"comma-separated, from {', '.join(BASELINES)}; '' for none")
    parser.add_argument("--openpyxl-files", "--baseline-files", type=int, default=0,
                        help="files for the openpyxl baseline, its time scaled to all (0 = all)")
    parser.add_argument("--up", action="store_true", help="also merge the roll-up one level up")
    parser.add_argument("--keep", help="write the files here and keep them (reused when already there)")
    args = parser.parse_args(argv)
    baselines = [name for name in args.baselines.split(",") if name]
    unknown = set(baselines) - set(BASELINES)
    if unknown:
        parser.error(f"unknown baseline {', '.join(sorted(unknown))}")

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
        lists = {}
        for name in baselines:
            sample = files[: args.openpyxl_files] if name == "openpyxl" and args.openpyxl_files else files
            lists[name] = Path(temp) / f"{name}.txt"
            lists[name].write_text("\n".join(str(path) for path in sample), encoding="utf-8")
        openpyxl_count = min(args.openpyxl_files or len(files), len(files))
        merge_runs = Runs("merge", len(files))
        runs = {"pandas1": Runs("pandas1", len(files)), "pandas2": Runs("pandas2", len(files)),
                "openpyxl": Runs("openpyxl", len(files), len(files) / openpyxl_count)}
        commands = {"pandas1": [sys.executable, "-c", _PANDAS_LOOP, str(lists.get("pandas1")), "1"],
                    "pandas2": [sys.executable, "-c", _PANDAS_LOOP, str(lists.get("pandas2")), "2"],
                    "openpyxl": [sys.executable, "-c", _OPENPYXL_LOOP, str(lists.get("openpyxl")), "1"]}
        output = Path(temp) / "tong-hop.xlsx"
        report = None
        for round_number in range(1, max(1, args.rounds) + 1):
            print(f"round {round_number}:")
            done = merge_runs.timed(merge_command([str(folder)], output, args.jobs), ok_codes=(0, 1))
            report = json.loads(done.stdout)
            for name in baselines:
                if not int(runs[name].timed(commands[name]).stdout.strip() or 0):
                    raise SystemExit(f"{name} read no cells")
        print(f"  merged {len(report['units'])} units, {len(report['rejected'])} files rejected")

        up_runs = Runs("one level up", len(report["units"]))
        if args.up:
            print(f"one level up: the roll-up of {len(report['units'])} units, {output.stat().st_size / 1e6:.1f} MB")
            for _ in range(max(1, args.rounds)):
                done = up_runs.timed(merge_command([str(output)], Path(temp) / "tinh.xlsx", args.jobs), ok_codes=(0, 1))
                up = json.loads(done.stdout)
                if up["totals"] != report["totals"] or len(up["units"]) != len(report["units"]):
                    raise SystemExit("the roll-up merged one level up does not give the same totals")

        print()
        print(f"| {len(files):,} files, {args.rounds} interleaved rounds | best | median | merge's speed-up (best, median) |")
        print("|---|---|---|---|")
        for contender in [merge_runs] + [runs[name] for name in baselines]:
            ratio = ("" if contender is merge_runs else
                     f"{contender.best / merge_runs.best:.1f}×, {contender.median / merge_runs.median:.1f}×")
            print(f"| {contender.name} | {contender.best:.2f} s | {contender.median:.2f} s | {ratio} |")
        if args.up:
            print(f"| merge one level up ({len(report['units']):,} units) | {up_runs.best:.2f} s | {up_runs.median:.2f} s | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
