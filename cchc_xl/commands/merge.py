"""`cchc-xl merge INPUT... -o OUT.xlsx [--catalog ID] [--period P] [--roster FILE] [--unit NAME] [--json] [--force] [--jobs N]`.

Exit code: 0 when the roll-up was written and every input was used; 1 when it was written but a
file was rejected or duplicated, a roster unit is missing, a unit has a lỗi, or a unit derived from
the history lacks a quarter of the period; 2 when nothing
could be written (no usable file, a wrong call, an existing output without --force).
No input file is ever opened for writing.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..cli import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from ..findings import ERROR
from ..report import printed

_BAR_WIDTH = 30
_ERRORS_SHOWN_PER_UNIT = 3


def run(args) -> int:
    from .. import overtime, periods
    from ..catalog import CatalogError, load
    from ..history import DEFAULT_NAME, HistoryError
    from ..merging import MergeError
    from ..sandbox import Failure, Pool, failure_reason
    from ..writing.atomic import OutputExists

    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        return _fail(f"{output}: tệp tổng hợp phải có đuôi .xlsx; hãy đặt tên như tong-hop.xlsx.", args)
    taken = _an_input(output, args)
    if taken:
        return _fail(taken, args)
    if output.exists() and not args.force:
        return _fail(str(OutputExists(output)), args)
    if args.jobs < 0:
        return _fail("--jobs phải là số tiến trình (0 = theo số lõi CPU).", args)
    roster = None
    if args.roster:
        # A roster sheet is a file from elsewhere too: parsed in a limited worker process.
        with Pool() as pool:
            outcome = pool.call(_read_roster, args.roster)
        roster, problem = (None, failure_reason(args.roster, outcome)) if isinstance(outcome, Failure) else outcome
        if problem:
            return _fail(problem, args)
    history = None if args.no_history else Path(args.history) if args.history else output.parent / DEFAULT_NAME
    if not args.inputs and not (args.period and history):
        return _fail("Hãy nêu các tệp hoặc thư mục cần tổng hợp (hoặc --period 2024-6M, 2024-Y… "
                     "để tính từ lịch sử số liệu).", args)
    try:
        previous, skipped = overtime.read_previous(args.previous, load(args.catalog) if args.catalog else None)
    except (overtime.PreviousError, CatalogError) as exc:
        return _fail(str(exc), args)
    for problem in skipped:
        print(f"cchc-xl merge: bỏ qua một tệp trong thư mục kỳ trước: {problem}", file=sys.stderr)
    progress = _Progress() if sys.stderr.isatty() and not args.json else None
    exclude = [output] + ([args.roster] if args.roster else [])
    try:
        result, derived = overtime.merge_with_history(
            args.inputs, history, previous, catalog=args.catalog, period=args.period, roster=roster,
            parent_unit=args.unit, jobs=args.jobs, progress=progress, exclude=exclude)
    except MergeError as failure:
        if progress:
            progress.finish()
        if args.json:
            print(json.dumps({"output": None, "error": str(failure),
                              "rejected": [{"path": item.path, "reason": item.reason, "code": item.code}
                                           for item in failure.rejected]},
                             ensure_ascii=False, indent=1))
        else:
            for item in failure.rejected:
                print(f"  - {item.reason}", file=sys.stderr)
            print(f"cchc-xl merge: {failure} Chưa ghi tệp tổng hợp.", file=sys.stderr)
        return EXIT_FAILED
    except (CatalogError, HistoryError) as exc:
        return _fail(str(exc), args)
    if progress:
        progress.finish()
    # The roll-up lives until the command ends: the cyclic collector need not walk its objects (some
    # millions for 10,000 units) again at each collection while the workbook and the history are written.
    gc.freeze()
    recording = None
    if history is not None:
        # A store in a folder not made yet (the roll-up's, made by its writing) is recorded after it.
        recording = _Beside(lambda commit_if: overtime.record_merge(result, history, derived, commit_if),
                            fork=history.parent.is_dir())
    try:
        from ..writing.atomic import atomic_output
        from ..writing.rollup_book import write_rollup_workbook

        with atomic_output(output, force=args.force) as temp:
            write_rollup_workbook(result, temp)
    except BaseException as exc:
        if recording is not None:
            recording.cancel()
        if isinstance(exc, OutputExists):
            return _fail(str(exc), args)
        if isinstance(exc, OSError):
            return _fail(f"{output}: không ghi được tệp tổng hợp ({exc.strerror or exc}). "
                         "Nếu tệp đang mở trong Excel, hãy đóng lại rồi chạy lại.", args)
        raise
    recorded = None
    if recording is not None:
        try:
            recorded = recording.commit()
        except HistoryError as exc:  # the roll-up is written; the officer learns the history was not
            print(f"cchc-xl merge: {exc}", file=sys.stderr)
    if args.json:
        print(json.dumps({**json_report(result, str(output)), "period_note": result.period_note,
                          "history": str(history) if history else None, "history_recorded": recorded},
                         ensure_ascii=False, indent=1))
    else:
        lines = text_report(result, str(output), periods.label(result.rollup.period))
        if result.period_note:
            lines.insert(1, result.period_note)
        if recorded:
            lines.append(f"Đã ghi số liệu {recorded} đơn vị vào lịch sử số liệu {history}.")
        print(printed(lines))
    return EXIT_OK if result.clean else EXIT_FINDINGS


def json_report(result, output: str) -> dict[str, Any]:
    rollup = result.rollup
    return {
        "output": output,
        "catalog": rollup.catalog.id,
        "period": rollup.period,
        "unit": result.parent_unit,
        "inputs": result.inputs,
        "units": [{"unit": unit.unit, "path": unit.path, "errors": unit.errors, "warnings": unit.warnings,
                   **({"via": unit.via} if unit.via else {})} for unit in rollup.units],
        "rejected": [{"path": item.path, "reason": item.reason, "code": item.code} for item in result.rejected],
        "duplicates": [{"unit": item.unit, "used": item.used, "ignored": item.ignored} for item in result.duplicates],
        "missing": list(result.missing),
        "not_in_roster": [entry.name for entry in result.roster if not entry.in_roster],
        "totals": rollup.totals(),
    }


def text_report(result, output: str, period_label: str) -> list[str]:
    rollup = result.rollup
    lines = [f"Đã tổng hợp {len(rollup.units)} đơn vị ({period_label or 'không rõ kỳ báo cáo'}, "
             f"mẫu {rollup.catalog.name}) vào {output}."]
    if result.rejected:
        lines.append(f"Tệp không được tính ({len(result.rejected)}):")
        lines.extend(f"  - {item.reason}" for item in result.rejected)
    if result.duplicates:
        lines.append(f"Đơn vị nộp nhiều tệp ({len(result.duplicates)}), dùng tệp sửa gần nhất:")
        for item in result.duplicates:
            ignored = ", ".join(Path(path).name for path in item.ignored)
            lines.append(f"  - {item.unit}: dùng {Path(item.used).name} ({_when(item.used)}); bỏ qua {ignored}")
    if result.missing:
        lines.append(f"Đơn vị trong danh sách chưa có tệp được tính ({len(result.missing)}): {', '.join(result.missing)}")
    outsiders = [entry.name for entry in result.roster if not entry.in_roster]
    if outsiders:
        lines.append(f"Đơn vị không có trong danh sách, vẫn được tính ({len(outsiders)}): {', '.join(outsiders)}")
    flawed = [unit for unit in rollup.units if unit.errors]
    if flawed:
        lines.append(f"Đơn vị có lỗi, số liệu vẫn được tính ({len(flawed)}); hãy đề nghị đơn vị sửa và gửi lại:")
        for unit in flawed:
            lines.append(f"  - {unit.unit} ({Path(unit.path).name}): {unit.errors} lỗi, {unit.warnings} cảnh báo")
            errors = [finding for finding in unit.findings if finding.severity == ERROR]
            for finding in errors[:_ERRORS_SHOWN_PER_UNIT]:
                where = f"ô {finding.cell}: " if finding.cell else ""
                lines.append(f"      {where}{' '.join(finding.message.split())}")
            if len(errors) > _ERRORS_SHOWN_PER_UNIT:
                lines.append(f"      ... và {len(errors) - _ERRORS_SHOWN_PER_UNIT} lỗi khác "
                             f"(xem sheet «Kiểm tra» của tệp tổng hợp)")
    return lines


def _read_roster(path: str) -> tuple[list[str] | None, str | None]:
    """The roster's names, or why it cannot be read (Vietnamese)."""
    from ..roster import RosterError, read_roster

    try:
        return read_roster(path), None
    except RosterError as exc:
        return None, str(exc)


def _an_input(output: Path, args) -> str | None:
    """Why `output` may not be written: it is one of the inputs, named or inside an input folder,
    or the roster. Writing it would replace a file someone sent."""
    from ..inputs import folder_submissions, same_file

    if not output.exists():
        return None
    for argument in [*args.inputs, *([args.roster] if args.roster else [])]:
        path = Path(argument)
        inside = folder_submissions(path) if path.is_dir() else [path]
        if any(same_file(output, found) for found in inside):
            where = f"nằm trong thư mục đầu vào {path}" if path.is_dir() else "là một tệp đầu vào"
            return (f"{output}: tệp này {where}; ghi tệp tổng hợp vào đó sẽ xóa mất tệp đã nộp. "
                    "Hãy chọn tên tệp tổng hợp ở thư mục khác.")
    return None


def _when(path: str) -> str:
    try:
        return "sửa lúc " + time.strftime("%H:%M %d/%m/%Y", time.localtime(Path(path).stat().st_mtime))
    except OSError:
        return "không rõ thời điểm sửa"


def _fail(message: str, args) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"output": None, "error": message, "rejected": []}, ensure_ascii=False, indent=1))
    else:
        print(f"cchc-xl merge: {message}", file=sys.stderr)
    return EXIT_FAILED


class _Beside:
    """The history recorded in a forked copy of this process while the roll-up is written, as a
    transaction kept only once the roll-up is written (`commit`) and rolled back otherwise (`cancel`):
    what recording after the writing gives, on the second core (10,000 units: over a second). Where
    processes do not start by fork, or the copy fails, `commit` records in turn."""

    def __init__(self, record: Callable[[Callable[[], bool] | None], int], *, fork: bool = True):
        self._record = record
        self._child: tuple[int, int, int] | None = None  # (process id, gate to it, its answer)
        if not fork or multiprocessing.get_start_method() != "fork":
            return
        gate_read, gate_write = os.pipe()
        answer_read, answer_write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for end in (gate_read, gate_write, answer_read, answer_write):
                os.close(end)
            return
        if pid == 0:  # the copy: record, wait for the word, answer, and end without the caller's clean-up
            code = 1
            try:
                os.close(gate_write)
                os.close(answer_read)
                with os.fdopen(gate_read, "rb") as gate, os.fdopen(answer_write, "wb") as out:
                    out.write(pickle.dumps(self._answer(lambda: gate.read(1) == b"1")))
                code = 0
            finally:
                os._exit(code)
        os.close(gate_read)
        os.close(answer_write)
        self._child = (pid, gate_write, answer_read)

    def _answer(self, written: Callable[[], bool]) -> tuple[str, Any]:
        from ..history import HistoryError, NotKept

        try:
            return "recorded", self._record(written)
        except HistoryError as exc:
            return "failed", str(exc)
        except NotKept:
            return "rolled back", None

    def commit(self) -> int:
        """How many units were recorded; HistoryError when the store could not take them."""
        from ..history import HistoryError

        answer = self._finish(b"1")
        if answer is None:  # no copy, or it died: record here
            return self._record(None)
        kind, value = answer
        if kind == "failed":
            raise HistoryError(value)
        return value

    def cancel(self) -> None:
        self._finish(b"")

    def _finish(self, word: bytes) -> tuple[str, Any] | None:
        if self._child is None:
            return None
        pid, gate, answers = self._child
        self._child = None
        try:
            os.write(gate, word)
        except OSError:  # the copy ended already
            pass
        os.close(gate)
        with os.fdopen(answers, "rb") as source:
            data = source.read()
        if os.waitpid(pid, 0)[1] != 0 or not data:
            return None
        answer: tuple[str, Any] = pickle.loads(data)
        return answer


class _Progress:
    """A one-line text bar on stderr: 'Đang đọc 120/1000 tệp [#####.....]'."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int, path: str) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = _BAR_WIDTH * done // max(total, 1)
        # The carriage return is the bar's own: written past the filter of what files bring (cli._Harmless).
        terminal = getattr(sys.stderr, "wrapped", sys.stderr)
        terminal.write(f"\rĐang đọc {done}/{total} tệp [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}]")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
