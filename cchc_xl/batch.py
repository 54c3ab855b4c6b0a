"""Reading many files on all cores: one broken, slow or hostile file never stops the others.

Each file is read by a module-level function in a worker process of the sandbox (sandbox.py):
limited in memory, stopped after MAX_SECONDS_PER_FILE, replaced when a file kills it. Files go
to the workers in chunks (one answer per chunk keeps the traffic small); a chunk whose worker
died is read again one file at a time, so the death costs exactly the file that caused it. The
caller's `failed` makes the result of a file that gave no answer from its problem (problems.py:
the failure's code and a Vietnamese text naming the file).
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from .problems import Problem
from .sandbox import MAX_SECONDS_PER_FILE, TIMEOUT, Failure, Pool, failure_problem

T = TypeVar("T")
A = TypeVar("A")

__all__ = ["MAX_SECONDS_PER_FILE", "TooSlow", "read_files"]

_MAX_CHUNK = 32


def read_files(files: list[str], read: Callable[[str, A], T], argument: A, *, failed: Callable[[str, Problem], T],
               warm: Callable[[A], None] | None = None, jobs: int = 0,
               progress: Callable[[int, int, str], None] | None = None) -> list[T]:
    """read(path, argument) for every file, in limited worker processes (on all cores when there
    are many); results in `files` order.

    `read`, `failed` and `warm` must be module-level functions (workers receive them by name);
    `warm(argument)` prepares the processes once (imports, loaded catalogs) before the first file.
    """
    workers = min(jobs or os.cpu_count() or 1, max(1, len(files) // 4))
    chunks = _chunked(files, workers)
    results: dict[str, T] = {}

    def record(paths: list[str], batch: list[T]) -> None:
        results.update(zip(paths, batch))
        if progress and paths:
            progress(len(results), len(files), paths[-1])

    def chunk_done(index: int, answer: list[T] | Failure) -> None:
        if not isinstance(answer, Failure):
            record(chunks[index], answer)

    with Pool(workers, warm=warm, warm_args=(argument,)) as pool:
        # A chunk may take each of its files' time limits; the worker's own alarm stops a slow file first.
        answers = pool.map(_read_chunk, [(chunk, read, argument, failed) for chunk in chunks], done=chunk_done,
                           seconds=MAX_SECONDS_PER_FILE * max(map(len, chunks), default=1) + 5)
        again = [path for chunk, answer in zip(chunks, answers) if isinstance(answer, Failure) for path in chunk]
        alone = pool.map(_read_chunk, [([path], read, argument, failed) for path in again],
                         seconds=MAX_SECONDS_PER_FILE + 5)
        for path, answer in zip(again, alone):
            record([path], [failed(path, failure_problem(path, answer))] if isinstance(answer, Failure) else answer)
    return [results[path] for path in files]


def _chunked(files: list[str], workers: int) -> list[list[str]]:
    """Chunks that shrink as the files run out (at most _MAX_CHUNK, a quarter of each worker's share
    of what is left), so that the workers finish together rather than one waiting on the last chunk."""
    chunks, start = [], 0
    while start < len(files):
        size = max(1, min(_MAX_CHUNK, (len(files) - start) // (workers * 4)))
        chunks.append(files[start:start + size])
        start += size
    return chunks


def _read_chunk(paths: list[str], read: Callable[[str, A], T], argument: A,
                failed: Callable[[str, Problem], T]) -> list[T]:
    return [_read_in_time(path, read, argument, failed) for path in paths]


def _read_in_time(path: str, read: Callable[[str, A], T], argument: A, failed: Callable[[str, Problem], T]) -> T:
    try:
        with _time_limit(MAX_SECONDS_PER_FILE):
            return read(path, argument)
    except TooSlow:
        return failed(path, failure_problem(path, Failure(TIMEOUT)))


class TooSlow(BaseException):
    """Raised inside a read that ran out of time: not an Exception, so that a reader catching every
    error of a damaged file lets it through."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop a file that takes too long in Python code (native code is stopped by the sandbox's
    kill). Only where signals can be used: the main thread of a POSIX process, as in the workers."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise TooSlow()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
