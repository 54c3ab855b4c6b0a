"""`cchc-xl check FILE... [--catalog ID] [--json] [-o REPORT.xlsx] [--force]`.

Every file is read and checked on its own, so one broken file never hides the others' results.
A Word report's narrative is checked too (narrative.py): the figures it states for catalog rows
against its Phụ lục (its own table, or the one workbook given beside it: `check BaoCao.docx
PhuLuc.xlsx`) and against each other; a report without a table is checked on its narrative alone.
Exit code: 2 when a file could not be read or the call is wrong, else 1 when any file has a
lỗi, else 0. openpyxl is imported only to write the marked copy (-o): the plain check runs on
every button click and must start fast.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ..cli import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from ..findings import ERROR, Finding, make
from ..inputs import folder_contents
from ..problems import Problem, problem
from ..report import printed

if TYPE_CHECKING:
    from ..writing.marked import MarkedCopy


@dataclass
class FileResult:
    path: str
    submission: Any = None  # a Submission when the file was read
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    paragraphs: list[str] = field(default_factory=list)  # a Word report's narrative
    code: str | None = None  # the error's code (problems.PROBLEMS)
    header: Any = None  # a report without a Phụ lục table: the unit and period its text gives (title.TitleFacts)

    @property
    def has_error_finding(self) -> bool:
        return any(finding.severity == ERROR for finding in self.findings)


def run(args) -> int:
    forced = None
    if args.catalog:
        from ..catalog import CatalogError, load
        try:
            forced = load(args.catalog)
        except CatalogError as exc:
            return _fail(str(exc))
    targets = list(expand(args.files))
    readable = [path for path, problem in targets if problem is None]
    if args.output:
        if len(targets) != 1:
            return _fail(f"Tham số -o chỉ dùng với đúng một tệp Phụ lục (đang có {len(targets)} tệp). "
                         "Hãy kiểm tra từng tệp một khi cần bản đánh dấu.")
        problem = _output_problem(readable[0], args.output, args.force) if readable else None
        if problem:
            return _fail(problem)
    from ..sandbox import Failure, Pool, failure_problem, failure_reason

    # Submitted files are parsed in a limited worker process: a file that aborts the native reader
    # or exhausts its memory costs that file only.
    with Pool(max(1, min(os.cpu_count() or 1, len(readable) // 4)), warm=_warm) as pool:
        checked = iter(pool.map(check_file, [(path, forced) for path in readable]))
        results = [_unread(path, problem) if problem else next(checked) for path, problem in targets]
        results = [_unread(path, failure_problem(path, result)) if isinstance(result, Failure) else result
                   for (path, _problem), result in zip(targets, results)]
        if args.history or args.previous:
            from ..history import HistoryError
            from ..overtime import PreviousError, across_periods

            try:
                for skipped in across_periods(results, args.history, args.previous, forced):
                    print(f"cchc-xl check: bỏ qua một tệp trong thư mục kỳ trước: {skipped}", file=sys.stderr)
            except (HistoryError, PreviousError) as exc:
                return _fail(str(exc))
        # Two files named: a report and the workbook of its Phụ lục (never paired out of a folder).
        check_narratives(results, forced, pair=len(args.files) == 2 and all(Path(f).is_file() for f in args.files))
        marked, mark_problem = None, None
        if args.output and results[0].error is None:
            outcome = pool.call(_write_marked, results[0], args.output, args.force)
            marked, mark_problem = (None, failure_reason(results[0].path, outcome)) if isinstance(outcome, Failure) \
                else outcome
    try:
        if args.json:
            print(json.dumps(json_report(results, marked), ensure_ascii=False, indent=1))
        else:
            print(printed(text_report(results) + (marked_lines(marked) if marked else [])))
        sys.stdout.flush()
    except BrokenPipeError:  # the output was piped into a reader that stopped early (| head)
        sys.stdout = open(os.devnull, "w")
    if mark_problem:
        print(f"cchc-xl check: {mark_problem}", file=sys.stderr)
    return exit_code(results, mark_problem)


def expand(arguments: Iterable[str]) -> Iterator[tuple[Path, Problem | None]]:
    """Each argument as workbook paths, a folder as its workbooks (sub-folders included; lock files
    and hidden files left out, as merge does); a path that gives no workbook comes out with the reason."""
    seen: set[Path] = set()
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found, unopened = folder_contents(path)
            if not found and not unopened:
                yield path, problem("check-folder-empty")
            listed: list[tuple[Path, Problem | None]] = [(workbook, None) for workbook in found]
            for workbook, why in sorted([*listed, *unopened], key=lambda entry: entry[0]):
                if workbook.resolve() not in seen:
                    seen.add(workbook.resolve())
                    yield workbook, why
        elif path.exists():  # a file, or a FIFO or device the reader refuses by name
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path, None
        else:
            yield path, problem("check-not-found")


def _unread(path: str | Path, found: Problem) -> FileResult:
    return FileResult(str(path), error=found.text, code=found.code)


def check_file(path: Path, forced_catalog=None) -> FileResult:
    """Read and check one file (in a worker process: any other failure is the sandbox's to report)."""
    from .. import checks, reading, sources
    from ..reading.title import TitleFacts, report_period, unit_from_header_lines, unit_in_page_header

    workbook: sources.Workbook | None = None
    try:
        workbook = sources.load(path)
        submission = reading.read_grids(workbook, path, forced_catalog)
    except reading.ReadError as exc:
        if workbook is None or not workbook.paragraphs:
            return FileResult(str(path), error=exc.problem.text, code=exc.code)
        unit = (unit_from_header_lines(workbook.issuer.split("\n") if workbook.issuer else workbook.paragraphs)
                or unit_in_page_header(workbook.page_header))
        period, text, source = report_period(workbook, Path(path))
        return FileResult(str(path), error=exc.problem.text, code=exc.code, paragraphs=workbook.paragraphs,
                          header=TitleFacts(unit, False, period, text, source))
    return FileResult(str(path), submission, checks.check(submission), paragraphs=workbook.paragraphs)


def check_narratives(results: list[FileResult], forced_catalog=None, *, pair: bool = False) -> None:
    """Add to each Word report the cảnh báo of its narrative: figures that differ from its Phụ lục
    (with `pair`, the other file checked with it, else its own table) or from each other. A report
    without a table whose narrative states figures of a form is a result of its own."""
    from .. import catalog as catalogs
    from .. import narrative
    from ..submission import Submission

    reports = [result for result in results if result.paragraphs]
    tables = [result for result in results if not result.paragraphs and result.submission is not None]
    beside = tables[0] if pair and len(reports) == 1 and len(tables) == 1 else None
    for result in reports:
        base = beside or (result if result.submission is not None else None)
        form = base.submission.catalog if base else forced_catalog or narrative.best_catalog(
            result.paragraphs, catalogs.load_all())
        if form is None:
            continue
        stated = narrative.figures(result.paragraphs, form)
        if not stated:
            continue
        found = narrative.inconsistencies(stated, form)
        if base is not None:
            other = base is not result

            def cell_of(row_id: str, base=base, other=other) -> str | None:
                cell = base.submission.cell(row_id)
                return f"{Path(base.path).name}: {cell}" if other and cell else cell

            found = narrative.differences(stated, form, base.submission.values, cell_of) + found
        if result.submission is None:  # the narrative alone: no Phụ lục table in the report
            facts = result.header
            assert facts is not None  # check_file gives every report it could not read as a table its header
            result.submission = Submission(result.path, form, facts.unit, facts.period, facts.period_text,
                                           facts.period_source)
            result.error = None
            if facts.period is None:  # never guessed from a sentence: the officer is asked to state it
                found.insert(0, make("period-unknown", ()))
        result.findings.extend(found)


def _warm() -> None:
    """What every check needs, loaded before the worker is forked from this process."""
    from .. import catalog, checks, reading  # noqa: F401

    reading.prepare(catalog.load_all())


def exit_code(results: list[FileResult], mark_problem: str | None = None) -> int:
    if mark_problem or any(result.error for result in results):
        return EXIT_FAILED
    if any(result.has_error_finding for result in results):
        return EXIT_FINDINGS
    return EXIT_OK


def text_report(results: list[FileResult]) -> list[str]:
    from ..report import failure_block, file_block, totals_line

    lines: list[str] = []
    for result in results:
        if result.error:
            lines.extend(failure_block(result.path, result.error))
        else:
            sub = result.submission
            lines.extend(file_block(result.path, sub.catalog.name, sub.catalog.id, sub.unit, sub.period,
                                    result.findings, sub.printed_rollup))
        lines.append("")
    every = [finding for result in results for finding in result.findings]
    lines.append(totals_line(len(results), sum(1 for r in results if r.error), every))
    return lines


def marked_lines(marked: MarkedCopy) -> list[str]:
    """Where the marked copy went, and each cell where it left out what reached outside the workbook."""
    from ..writing.marked import COPY_TITLES

    lines = [f"Đã ghi bản đánh dấu: {marked.path}"]
    if marked.removed:
        lines.append(f"  Bản đánh dấu đã bỏ {len(marked.removed)} phần lấy dữ liệu hoặc liên kết ra ngoài tệp "
                     "(tệp gốc giữ nguyên); xem ghi chú trên từng ô và trang «Kết quả kiểm tra»:")
        lines.extend(f"    - {note.cell}: {COPY_TITLES[note.rule]}" for note in marked.removed)
    return lines


def json_report(results: list[FileResult], marked: MarkedCopy | None = None) -> dict[str, Any]:
    files = []
    for result in results:
        if result.error:
            files.append({"path": result.path, "catalog": None, "unit": None, "period": None,
                          "error": result.error, "code": result.code})
            continue
        sub = result.submission
        entry = {"path": result.path, "catalog": sub.catalog.id, "unit": sub.unit, "period": sub.period,
                 "period_found": ({"where": sub.period_source, "text": sub.period_text} if sub.period else None),
                 "rollup": sub.printed_rollup,
                 "values": {row_id: _json_number(value) for row_id, value in sub.values.items()},
                 "findings": [finding.to_json() for finding in result.findings]}
        if marked is not None:
            entry["marked"] = str(marked.path)
            entry["marked_removed"] = [note.to_json(with_place=False) for note in marked.removed]
        files.append(entry)
    return {"files": files}


def _json_number(value):
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    return value


def _output_problem(source: Path, output: str, force: bool) -> str | None:
    from ..writing.atomic import OutputExists
    from ..writing.marked import MarkError, check_target

    try:
        check_target(source, output)
    except MarkError as exc:
        return str(exc)
    if Path(output).exists() and not force:
        return str(OutputExists(Path(output)))
    return None


def _write_marked(result: FileResult, output: str, force: bool) -> tuple[MarkedCopy | None, str | None]:
    from ..writing.atomic import OutputExists
    from ..writing.marked import MarkError, write_marked

    try:
        return write_marked(result.path, output, result.findings, result.submission.catalog, force=force), None
    except (MarkError, OutputExists) as exc:
        return None, str(exc)
    except OSError as exc:
        return None, (f"{output}: không ghi được bản đánh dấu ({exc.strerror or exc}). "
                      "Nếu tệp đang mở trong Excel, hãy đóng lại rồi chạy lại.")
    except Exception as exc:  # a workbook the reader understood but openpyxl cannot copy
        # The library's English message (an XML nested past its depth, a part it cannot parse) says
        # nothing to the officer; its kind is kept for whoever looks into it.
        return None, (f"{result.path}: không tạo được bản đánh dấu: tệp có phần không chép được (lỗi "
                      f"{type(exc).__name__}). Kết quả kiểm tra ở trên vẫn đúng. Hãy mở tệp bằng Excel, lưu lại "
                      "dạng .xlsx rồi thử lại.")


def _fail(message: str) -> int:
    print(f"cchc-xl check: {message}", file=sys.stderr)
    return EXIT_FAILED
