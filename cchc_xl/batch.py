"""Reading many files on all cores: one broken or slow file never stops the others.

Each file is read by a module-level function in a worker process that returns plain data. A
file that takes longer than MAX_SECONDS_PER_FILE is stopped; a file that kills its worker is
retried alone, then given up. Either way the caller's `failed` makes its result from a
Vietnamese reason that names the file.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")
A = TypeVar("A")

# A commune's file reads in milliseconds; one that takes this long is stopped and rejected.
MAX_SECONDS_PER_FILE = 60


def read_files(files: list[str], read: Callable[[str, A], T], argument: A, *, failed: Callable[[str, str], T],
               warm: Callable[[A], None] | None = None, jobs: int = 0,
               progress: Callable[[int, int, str], None] | None = None) -> list[T]:
    """read(path, argument) for every file, on all cores when there are many; results in `files` order.

    `read`, `failed` and `warm` must be module-level functions (workers receive them by name);
    `warm(argument)` prepares a process once (imports, loaded catalogs) before its first file.
    """
    workers = min(jobs or os.cpu_count() or 1, max(1, len(files) // 4))
    results: dict[str, T] = {}

    def record(paths: list[str], batch: list[T]) -> None:
        results.update(zip(paths, batch))
        if progress and paths:
            progress(len(results), len(files), paths[-1])

    if workers <= 1:
        for path in files:
            record([path], _read_chunk([path], read, argument, failed))
    else:
        _read_in_pool(files, (read, argument, failed), warm, workers, record)
    return [results[path] for path in files]


def _read_in_pool(files: list[str], task: tuple[Callable[..., Any], Any, Callable[[str, str], Any]],
                  warm: Callable[[Any], None] | None, workers: int,
                  record: Callable[[list[str], list[Any]], None]) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    read, argument, failed = task
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "fork" and warm:  # workers inherit what the parent has imported and loaded
        warm(argument)
    size = max(1, min(32, len(files) // (workers * 6)))
    chunks = [files[start:start + size] for start in range(0, len(files), size)]
    broken: list[str] = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=warm, initargs=(argument,)) as pool:
        futures = {pool.submit(_read_chunk, chunk, read, argument, failed): chunk for chunk in chunks}
        for future in as_completed(futures):
            try:
                record(futures[future], future.result())
            except BrokenProcessPool:
                broken.extend(futures[future])
    for path in broken:  # a file that kills its reader process: retried alone, then given up
        with ProcessPoolExecutor(1, mp_context=context) as single:
            try:
                record([path], single.submit(_read_chunk, [path], read, argument, failed).result())
            except BrokenProcessPool:
                record([path], [failed(path, f"{Path(path).name}: tệp làm hỏng chương trình đọc; "
                                             "hãy mở tệp bằng Excel và lưu lại thành .xlsx.")])


def _read_chunk(paths: list[str], read: Callable[[str, A], T], argument: A,
                failed: Callable[[str, str], T]) -> list[T]:
    return [_read_in_time(path, read, argument, failed) for path in paths]


def _read_in_time(path: str, read: Callable[[str, A], T], argument: A, failed: Callable[[str, str], T]) -> T:
    try:
        with _time_limit(MAX_SECONDS_PER_FILE):
            return read(path, argument)
    except TooSlow:
        return failed(path, f"{Path(path).name}: đọc tệp quá {MAX_SECONDS_PER_FILE} giây, đã dừng; "
                            "hãy mở tệp bằng Excel, xóa các phần thừa và lưu lại thành .xlsx.")


class TooSlow(Exception):
    """Raised inside a read that ran out of time; a reader that catches every exception lets it through."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop a file that takes too long (a hostile file must not hang the merge). Only where
    signals can be used: the main thread of a POSIX process, as in the merge workers."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise TooSlow()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
