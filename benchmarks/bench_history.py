"""What the history costs a merge, and how fast the export reads it back.

    python benchmarks/bench_history.py [N] [--repeat R] [--keep DIR]

Writes N Phụ lục files (benchmarks/make_submissions.py; reused from DIR with --keep), then times
`cchc-xl merge` as a subprocess, R times each, best and median wall clock, start-up included:
  - with --no-history;
  - into a new history file (created, N units recorded);
  - into the same history again (the period replaced: N units deleted and recorded again);
then `cchc-xl export` of that history to .parquet and .xlsx, and prints the store's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_submissions  # noqa: E402


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def report(name: str, seconds: list[float]) -> None:
    print(f"{name:<40} best {min(seconds):6.2f} s   median {statistics.median(seconds):6.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-history-"))
    if len(list(folder.glob("*.xlsx"))) != args.count:
        list(make_submissions.generate(folder, args.count))
    merge = [sys.executable, "-m", "cchc_xl", "merge", str(folder), "--force"]
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "tong-hop.xlsx"
        history = Path(work) / "lich-su.sqlite"
        report("merge --no-history", [timed(merge + ["-o", str(out), "--no-history"]) for _ in range(args.repeat)])
        fresh = []
        for _ in range(args.repeat):
            history.unlink(missing_ok=True)
            fresh.append(timed(merge + ["-o", str(out), "--history", str(history)]))
        report("merge, new history", fresh)
        report("merge, same period again (replaced)",
               [timed(merge + ["-o", str(out), "--history", str(history)]) for _ in range(args.repeat)])
        print(f"history: {os.path.getsize(history) / 1e6:.1f} MB for {args.count} units")
        for suffix in (".parquet", ".xlsx"):
            target = Path(work) / f"export{suffix}"
            report(f"export {suffix}", [timed([sys.executable, "-m", "cchc_xl", "export", "--history", str(history),
                                               "-o", str(target), "--force"]) for _ in range(args.repeat)])
    print(f"load average: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
