"""Tasks in limited worker processes: an abort, a memory blow-up or an overrun costs that task only."""

from __future__ import annotations

import os
import time

import pytest

from cchc_xl import sandbox
from cchc_xl.sandbox import CRASHED, ERROR, MEMORY, TIMEOUT, Failure, Pool

pytestmark = pytest.mark.skipif(not sandbox.isolating(), reason="no fork and resource limits on this platform")


def pid() -> int:
    return os.getpid()


def double(number: int) -> int:
    return 2 * number


def abort() -> None:
    os.abort()


def allocate(size: int) -> int:
    return len(bytearray(size))


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def fail() -> None:
    raise ValueError("hỏng")


def test_a_worker_stays_warm_across_tasks_and_is_not_the_caller():
    with Pool() as pool:
        first, second = pool.call(pid), pool.call(pid)
    assert first == second != os.getpid()


def test_an_abort_costs_its_task_only_and_the_worker_is_replaced():
    with Pool() as pool:
        before = pool.call(pid)
        assert pool.map(double, [(1,)]) == [2]
        failure = pool.call(abort)
        assert failure == Failure(CRASHED, "SIGABRT")
        assert pool.call(double, 4) == 8
        assert pool.call(pid) != before


def test_memory_past_the_limit_is_a_failure_not_a_dead_run():
    with Pool(max_bytes=512 * 1024 * 1024) as pool:
        assert pool.call(allocate, 1024 * 1024 * 1024) == Failure(MEMORY)
        assert pool.call(allocate, 16 * 1024 * 1024) == 16 * 1024 * 1024


def test_the_limit_counts_from_what_a_worker_starts_with():
    """A worker forked from a process that already holds more than the limit (a test run, a large
    host) can still allocate: the limit bounds what a file adds, not what the copy inherits."""
    import mmap

    reserved = mmap.mmap(-1, 1536 * 1024 * 1024)  # address space only: its pages are never touched
    try:
        with Pool(max_bytes=512 * 1024 * 1024) as pool:
            assert pool.call(allocate, 16 * 1024 * 1024) == 16 * 1024 * 1024
            assert pool.call(allocate, 1024 * 1024 * 1024) == Failure(MEMORY)
    finally:
        reserved.close()


def test_an_overrun_is_stopped_at_the_time_limit():
    with Pool(seconds=0.5) as pool:
        start = time.monotonic()
        assert pool.call(sleep, 30) == Failure(TIMEOUT)
        assert time.monotonic() - start < 5
        assert pool.call(sleep, 0) == "woke"


def test_an_exception_comes_back_with_its_type_and_trace():
    failure = Pool().call(fail)
    assert (failure.kind, failure.detail) == (ERROR, "ValueError") and "hỏng" in failure.trace


def test_many_tasks_over_several_workers_in_input_order_with_failures_in_place():
    ended = []
    with Pool(workers=2) as pool:
        values = pool.map(double, [(n,) for n in range(20)], done=lambda index, value: ended.append(index))
        mixed = [pool.call(abort), pool.call(double, 3)]
    assert values == [2 * n for n in range(20)] and sorted(ended) == list(range(20))
    assert mixed == [Failure(CRASHED, "SIGABRT"), 6]


def test_the_reasons_are_vietnamese_name_the_file_and_carry_the_code():
    for failure in (Failure(CRASHED, "SIGABRT"), Failure(MEMORY), Failure(TIMEOUT), Failure(ERROR, "KeyError")):
        reason = sandbox.failure_reason("/thư mục/Bình Yên.xlsx", failure)
        assert reason.startswith("Bình Yên.xlsx: ") and f"mã {failure.kind}" in reason and "Excel" in reason
