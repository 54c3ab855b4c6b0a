"""Untrusted files read in child processes that are allowed to die.

A pre-scan can never be proven to see a file exactly as a native parser does, and calamine
aborts its whole process (SIGABRT) when an allocation fails. So every submitted file is parsed
in a warm worker process: forked once from the command (imports and catalogs already loaded),
limited in address space (RLIMIT_AS, MAX_WORKER_BYTES), answered within a time limit. A worker
that aborts, runs out of memory or overruns is killed and replaced; its task gets a Failure and
the run goes on with the next file.

Where fork and resource limits do not exist (Windows, the Excel buttons there) one task at a time
runs in the calling process and several run in spawned processes without a memory limit, as
before: there the pre-scan in the readers holds alone.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .problems import Problem, problem

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

# A commune's file reads in milliseconds and a few MB; one that takes this long is stopped.
MAX_SECONDS_PER_FILE = 60
# What a worker's tasks may add to the address space it starts with (the forked copy of its caller:
# about 100 MB from the command line, far more from a large host such as a test run): a file read
# within the readers' limits (50 MB on disk, 200 MB inflated) stays well under this.
MAX_WORKER_BYTES = 1024 * 1024 * 1024
DEBUG_ENV = "CCHC_XL_DEBUG"  # set (or --debug): a failure of the program shows its Python trace

CRASHED, MEMORY, TIMEOUT, ERROR = "reader-crashed", "reader-memory", "reader-timeout", "reader-error"


@dataclass
class Failure:
    """A task that gave no answer: how it failed, and (for ERROR) the exception and its trace."""

    kind: str  # CRASHED | MEMORY | TIMEOUT | ERROR
    detail: str = ""  # the exception's type name (ERROR) or the worker's exit status (CRASHED)
    trace: str = ""


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def failure_problem(path: str | os.PathLike, failure: Failure) -> Problem:
    """What to tell the sender of the file, in Vietnamese, with a code to quote when asking for help."""
    name = Path(path).name
    if failure.kind == TIMEOUT:
        return problem(TIMEOUT, file=name, seconds=MAX_SECONDS_PER_FILE)
    if failure.kind == MEMORY:
        return problem(MEMORY, file=name)
    if failure.kind == CRASHED:
        return problem(CRASHED, file=name, detail=f", {failure.detail}" if failure.detail else "")
    return problem(ERROR, file=name, detail=failure.detail)


def failure_reason(path: str | os.PathLike, failure: Failure) -> str:
    return failure_problem(path, failure).text


def isolating() -> bool:
    """Whether every task runs in a limited child process here (POSIX with fork)."""
    return resource is not None and hasattr(os, "fork")


_DIED = object()  # a worker that ended without answering


class Pool:
    """Warm worker processes running one task at a time each; see the module text.

    `warm` runs once before the workers start (in the parent, so forked workers inherit what it
    loaded). Use as a context manager: the workers end with it."""

    def __init__(self, workers: int = 1, *, warm: Callable[..., Any] | None = None, warm_args: Sequence = (),
                 seconds: float = MAX_SECONDS_PER_FILE, max_bytes: int = MAX_WORKER_BYTES) -> None:
        self.size = max(1, workers)
        self.seconds, self.max_bytes = seconds, max_bytes
        self._workers: list[_Worker | None] = [None] * self.size
        self._processes = isolating() or self.size > 1
        self._warm, self._warm_args = warm, tuple(warm_args)
        if warm is not None:
            warm(*warm_args)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        for index, worker in enumerate(self._workers):
            if worker is not None:
                worker.stop()
            self._workers[index] = None

    def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """func(*args) in a worker: its value, or a Failure."""
        return self.map(func, [args])[0]

    def map(self, func: Callable[..., Any], arguments: Iterable[Sequence[Any]],
            done: Callable[[int, Any], Any] | None = None, seconds: float | None = None) -> list[Any]:
        """func(*args) for each args, spread over the workers; values (or Failures) in input order.
        done(index, value) is called as each task ends, in the order they end; `seconds` is each
        task's time limit (the pool's by default)."""
        tasks = list(arguments)
        seconds = self.seconds if seconds is None else seconds
        if not self._processes:
            return [_inline(func, args, index, done) for index, args in enumerate(tasks)]
        results: list[Any] = [None] * len(tasks)
        pending = list(range(len(tasks)))[::-1]
        running: dict[int, tuple[int, float]] = {}  # worker slot -> (task index, deadline)

        def finish(slot: int, value: Any) -> None:
            index, _deadline = running.pop(slot)
            results[index] = value
            _show_trace(value)
            if done:
                done(index, value)

        while pending or running:
            for slot in range(self.size):
                if slot not in running and pending:
                    index = pending.pop()
                    worker = self._worker(slot)
                    if worker.send(func, tasks[index]):
                        running[slot] = (index, time.monotonic() + seconds)
                    else:
                        running[slot] = (index, 0.0)
                        finish(slot, self._replace(slot))
            if not running:
                continue
            soonest = min(deadline for _index, deadline in running.values())
            ready = _wait([self._worker(slot) for slot in running], max(0.0, soonest - time.monotonic()))
            for slot in list(running):
                worker = self._worker(slot)
                if worker in ready:
                    value = worker.receive()
                    finish(slot, self._replace(slot) if value is _DIED else value)
                elif time.monotonic() >= running[slot][1]:
                    self._replace(slot)
                    finish(slot, Failure(TIMEOUT))
        return results

    def _worker(self, slot: int) -> _Worker:
        worker = self._workers[slot]
        if worker is None:
            worker = self._workers[slot] = _Worker(self.max_bytes, self._warm, self._warm_args)
        return worker

    def _replace(self, slot: int) -> Failure:
        """The worker in `slot` is ended (it died or overran); the next task gets a new one."""
        worker = self._workers[slot]
        self._workers[slot] = None
        status = worker.stop() if worker else None
        return Failure(CRASHED, _describe_status(status))


def _inline(func: Callable[..., Any], args: Sequence[Any], index: int, done) -> Any:
    try:
        value = func(*args)
    except MemoryError:
        value = Failure(MEMORY)
    except Exception as exc:
        value = Failure(ERROR, type(exc).__name__, traceback.format_exc())
    _show_trace(value)
    if done:
        done(index, value)
    return value


def _show_trace(value: Any) -> None:
    """A developer asked for traces (--debug): the trace of a task that raised."""
    if isinstance(value, Failure) and value.trace and debugging():
        print(value.trace, file=sys.stderr)


def _wait(workers: list[_Worker], timeout: float) -> list[_Worker]:
    from multiprocessing.connection import wait

    by_handle: dict[Any, _Worker] = {}
    for worker in workers:
        by_handle[worker.connection] = worker
        by_handle[worker.process.sentinel] = worker
    return [by_handle[handle] for handle in wait(list(by_handle), timeout)]


def _describe_status(status: int | None) -> str:
    if status is None or status >= 0:
        return "" if status is None else f"thoát {status}"
    try:
        return signal.Signals(-status).name
    except ValueError:
        return f"tín hiệu {-status}"


class _Worker:
    """One forked child serving tasks over a pipe until told to stop or killed."""

    def __init__(self, max_bytes: int, warm: Callable[..., Any] | None, warm_args: tuple) -> None:
        import multiprocessing

        forked = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forked else "spawn")
        self.connection, child_end = context.Pipe()
        # A forked worker inherits what warm loaded in the parent; a spawned one loads it itself.
        self.process = context.Process(target=_serve, args=(child_end, max_bytes, None if forked else warm, warm_args),  # type: ignore[attr-defined]
                                       daemon=True)
        self.process.start()
        child_end.close()

    def send(self, func: Callable[..., Any], args: Sequence[Any]) -> bool:
        try:
            self.connection.send((func, tuple(args)))
            return True
        except (OSError, EOFError):
            return False

    def receive(self) -> Any:
        """The task's value or Failure; _DIED when the worker died instead of answering."""
        try:
            if not self.connection.poll():
                return _DIED
            status, payload = self.connection.recv()
        except (OSError, EOFError, pickle.UnpicklingError):
            return _DIED
        return payload if status == "ok" else Failure(*payload)

    def stop(self) -> int | None:
        """End the worker; its exit status (negative: the signal that ended it)."""
        if self.process.exitcode is None:
            self.process.kill()
        self.process.join(5)
        self.connection.close()
        return self.process.exitcode


def _serve(connection, max_bytes: int, warm: Callable[..., Any] | None, warm_args: tuple) -> None:
    """The worker's loop: limit itself, then answer tasks until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    if not debugging():  # a native abort prints its backtrace; the user sees the Vietnamese reason instead
        import faulthandler

        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    _limit_address_space(max_bytes)
    if warm is not None:
        warm(*warm_args)
    while True:
        try:
            func, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", func(*args))
        except MemoryError:
            answer = ("failed", (MEMORY,))
        except Exception as exc:
            answer = ("failed", (ERROR, type(exc).__name__, traceback.format_exc()))
        try:
            connection.send(answer)
        except MemoryError:
            connection.send(("failed", (MEMORY,)))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # a value that cannot travel
            connection.send(("failed", (ERROR, type(exc).__name__, traceback.format_exc())))


def _limit_address_space(max_bytes: int) -> None:
    """At most `max_bytes` more than the worker holds now: a limit below what a forked copy already
    holds would fail its every allocation."""
    if resource is None:
        return
    try:
        limit = _address_space() + max_bytes
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # a platform that does not limit address space (macOS)
        pass


def _address_space() -> int:
    """This process's address space in bytes (Linux /proc), 0 where it cannot be told."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
