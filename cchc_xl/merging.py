"""Which submitted files count toward a roll-up, and the roll-up of those that do.

Every file is read and checked in worker processes that return plain data (batch.py), so one
broken file never stops the others and nothing heavy crosses between processes. Then, in order:

1. files that cannot be read are rejected with the reader's reason;
2. the form is the one asked for, else the most common among readable files; others are rejected;
3. the period is the one asked for, else the most common among the remaining files; files of
   another period, or whose period cannot be told, are rejected;
4. two files of the same unit: the more recently modified one is used, both are reported;
5. roll-ups made by this tool are combined through the state they carry, so district roll-ups
   merge into a province one; a unit already inside another used file is not counted twice.
"""

from __future__ import annotations

import os
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import batch, meta, periods
from .findings import make as make_finding
from .problems import Problem, problem
from .rollup import Rollup, StateError, UnitReport, combine, from_units
from .inputs import SNIFFED_SUFFIXES, SUFFIXES, folder_contents, printable
from .roster import UnitNames
from .sandbox import ERROR, MEMORY, Failure, debugging, failure_problem
from .submission import META_SHEET, ROLLUP_KIND, SUMMARY_SHEET, Submission


@dataclass
class Rejected:
    path: str
    reason: str  # Vietnamese, from problems.PROBLEMS
    code: str = ""  # its code there


def _rejected(path: str, found: Problem) -> Rejected:
    return Rejected(path, found.text, found.code)


@dataclass
class Duplicate:
    unit: str
    used: str
    ignored: list[str]


@dataclass
class RosterEntry:
    name: str
    status: str  # "submitted" | "missing" | "duplicate" | "rejected"
    path: str | None
    modified: float | None
    in_roster: bool = True
    note: str = ""  # e.g. the unit's figures were derived from the history, not sent for the period


@dataclass
class MergeResult:
    rollup: Rollup
    parent_unit: str
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    inputs: int = 0
    period_note: str = ""  # how a 6-month or year roll-up was derived from the history, when it was
    period_gaps: bool = False  # a unit derived from the history lacks a quarter of the period

    @property
    def clean(self) -> bool:
        """Every input used, nobody missing, no unit with a lỗi, no quarter missing from a derived unit."""
        return not (self.rejected or self.duplicates or self.missing or self.period_gaps
                    or any(unit.errors for unit in self.rollup.units))


class MergeError(ValueError):
    """Nothing could be merged; the message is Vietnamese."""

    def __init__(self, message: str, rejected: list[Rejected] | None = None, inputs: int = 0):
        super().__init__(message)
        self.rejected = rejected or []
        self.inputs = inputs


@dataclass
class _Read:
    """What a worker sends back for one file: plain data only."""

    path: str
    modified: float = 0.0
    reason: str | None = None  # set when the file cannot be used at all
    code: str = ""  # the reason's code (problems.PROBLEMS)
    catalog: str = ""
    unit: str = ""
    period: str | None = None
    unit_from_file: bool = False  # the unit was read from the file's name only
    unnamed: bool = False  # the file names no unit, not even in its file's name: known by that name
    rollup: Rollup | None = None  # a roll-up of ours: its state, read and checked in the worker
    rollup_problem: str | None = None  # why the state of a roll-up of ours cannot be used (Vietnamese)
    report: UnitReport | None = None


def collect_files(inputs: Iterable[str], *, exclude: Iterable[str] = ()) -> tuple[list[str], list[Rejected]]:
    """Spreadsheet files named or found (recursively) in folders; lock files, hidden files in folders
    and `exclude` skipped."""
    excluded = {_same_file_key(path) for path in exclude}
    files: list[str] = []
    problems: list[Rejected] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = _same_file_key(path)
        if key in seen or key in excluded or path.name.startswith(("~$", ".~lock")):
            return
        seen.add(key)
        files.append(str(path))

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            submissions, unopened = folder_contents(path)
            for found in submissions:
                add(found)
            problems.extend(_rejected(str(found), why) for found, why in unopened
                            if _same_file_key(found) not in excluded)
        elif path.exists():  # a file, or a FIFO or device the reader refuses by name
            if path.suffix.lower() in (*SUFFIXES, *SNIFFED_SUFFIXES):
                add(path)
            else:
                problems.append(_rejected(str(path), problem("not-a-spreadsheet", file=path.name)))
        else:
            problems.append(_rejected(str(path), problem("input-not-found", path=path)))
    return files, problems


def _nothing_to_merge(which: str, inputs: list[str], rejected: list[Rejected]) -> str:
    """Why there is no roll-up, and what to do about it."""
    if not rejected:
        return (f"Không có tệp nào {which} để tổng hợp: không thấy tệp Phụ lục (.xlsx, .xlsm, .xls, .ods, .docx) "
                f"trong {', '.join(inputs)}. Hãy chọn đúng thư mục chứa các tệp các đơn vị đã gửi.")
    return (f"Không có tệp nào {which} để tổng hợp: cả {len(rejected)} tệp đều bị loại. "
            "Hãy sửa các tệp theo lý do nêu cho từng tệp rồi tổng hợp lại.")


def merge(inputs: list[str], *, catalog: str | None = None, period: str | None = None,
          roster: list[str] | None = None, parent_unit: str = "", jobs: int = 0,
          progress: Callable[[int, int, str], None] | None = None,
          exclude: Iterable[str] = ()) -> MergeResult:
    """Read, check and combine the submitted files; see the module text for which files count."""
    from . import catalog as catalog_module

    wanted_period = None
    if period:
        wanted_period = periods.normalise(period)
        if wanted_period is None:
            raise MergeError(f"Không hiểu kỳ báo cáo «{period}»; hãy ghi ví dụ «2024-Q1» hoặc «Quý I năm 2024».")
    forced = catalog_module.load(catalog) if catalog else None
    files, rejected = collect_files(inputs, exclude=exclude)
    inputs_count = len(files) + len(rejected)
    reads = read_all(files, catalog, jobs=jobs, progress=progress)

    usable: list[_Read] = []
    for item in reads:
        if item.reason:
            rejected.append(Rejected(item.path, item.reason, item.code))
        else:
            usable.append(item)
    catalog_id = forced.id if forced else _most_common([item.catalog for item in usable])
    if catalog_id is None:
        raise MergeError(_nothing_to_merge("đọc được", inputs, rejected), rejected, inputs_count)
    the_catalog = forced or catalog_module.load(catalog_id)
    usable = _keep(usable, rejected, lambda item: item.catalog == catalog_id,
                   lambda item: problem("other-form", file=_name(item.path), catalog=item.catalog, merged=catalog_id))
    reference = wanted_period or _most_common([item.period for item in usable if item.period], prefer_last=True)
    if reference:
        # A file that states no period is the officer's to place: merged under the period being
        # merged, with a warning; only a file that states another period is rejected.
        usable = _keep(usable, rejected, lambda item: item.period in (reference, None),
                       lambda item: _period_reason(item, reference))
        for item in usable:
            if item.period is None and item.report is not None:
                item.report.period = reference
                item.report.findings.append(make_finding("period-assumed", (), None, period=periods.label(reference)))

    _tell_unnamed_apart(usable)
    names = UnitNames(roster or [], [item.unit for item in reads if item.unit])
    for item in usable:
        if item.unit_from_file and item.report is not None:
            _name_from_file(item, names)
    used, duplicates = _latest_per_unit(usable, names)
    direct = [item for item in used if item.report is not None]
    claimed = {names.key(item.unit): item.path for item in direct}
    reports = [item.report for item in direct if item.report is not None]
    rollups = [from_units(the_catalog, _ordered(reports, names), reference)]
    for item in (item for item in used if item.rollup is not None or item.rollup_problem is not None):
        inner = _rollup_of(item, claimed, names, rejected)
        if inner is not None:
            rollups.append(inner)
    if not any(rollup.units for rollup in rollups):
        raise MergeError(_nothing_to_merge("dùng được", inputs, rejected), rejected, inputs_count)
    rollup = combine(rollups)
    rollup.period = reference
    entries, missing = _roster_entries(names, rollup, used, rejected, reads, duplicates)
    return MergeResult(rollup, parent_unit, _in_input_order(rejected, files), duplicates, missing, entries, inputs_count)


def read_all(files: list[str], catalog: str | None, *, jobs: int = 0,
             progress: Callable[[int, int, str], None] | None = None) -> list[_Read]:
    """Read and check every file, on all cores when there are many; results in `files` order."""
    return batch.read_files(files, read_one, catalog, failed=_unusable, warm=_warm, jobs=jobs, progress=progress)


def _warm(catalog: str | None) -> None:
    """Import the reader and load the catalogs once per process, not once per file."""
    from . import catalog as catalog_module
    from . import checks, reading  # noqa: F401

    if catalog:
        catalog_module.load(catalog)
    try:
        reading.prepare(catalog_module.load_all())  # a file is first read as its own form, whatever is forced
    except catalog_module.CatalogError:
        pass  # each file's reading names the broken catalog


def _unusable(path: str, found: Problem) -> _Read:
    return _Read(path, reason=found.text, code=found.code)


def read_one(path: str, catalog: str | None) -> _Read:
    """Read and check one file; never raises: a file that cannot be used comes back with a reason."""
    try:
        modified = os.stat(path).st_mtime
    except OSError as exc:
        return _unusable(path, problem("file-unopenable", file=_name(path), detail=exc.strerror))
    return _read_and_check(path, catalog, modified)


def _read_and_check(path: str, catalog: str | None, modified: float) -> _Read:
    from . import catalog as catalog_module
    from .checks import check
    from .grid import ReadError
    from .reading.title import unit_from_filename

    try:
        submission = _read_as(path, catalog_module.load(catalog) if catalog else None)
        metadata = submission.metadata or {}
        if metadata.get("kind") == ROLLUP_KIND:
            # A stranger's data: read and bounded here, within this file's time and memory limits.
            try:
                rollup, unusable = Rollup.from_state_json(submission.catalog, metadata.get("state") or ""), None
            except StateError as exc:
                rollup, unusable = None, str(exc)
            if rollup is not None and (unusable := _edited_by_hand(submission, rollup)):
                rollup = None
            # A roll-up merged without --unit is known by its file's name, so that two such are not one unit.
            unit = metadata.get("unit", "") or submission.unit or unit_from_filename(path)
            return _Read(path, modified, catalog=submission.catalog.id, unit=unit,
                         period=periods.normalise(metadata.get("period")) or submission.period,
                         rollup=rollup, rollup_problem=unusable)
        if submission.printed_rollup:
            return _unusable(path, problem("rollup-printed", file=_name(path)))
        findings = check(submission)
        unit = submission.unit or Path(path).stem
        figures = submission.figures
        texts = {row.id: _text_of(figures[row.id]) for row in submission.catalog.rows
                 if row.kind == "text" and row.id in figures and _text_of(figures[row.id])}
        # A cell is shown only beside a note or a text answer; all of them would double the roll-up's state.
        cells = {row_id: figures[row_id].cell for row_id in (*submission.notes, *texts)
                 if row_id in figures and figures[row_id].cell}
        report = UnitReport(
            unit=unit, path=path, modified=modified, period=submission.period, values=submission.values,
            notes=submission.notes, cells=cells, findings=findings, texts=texts)
        report.work_out_rates(submission.catalog.rows)  # here, on all cores, rather than in the roll-up after
        return _Read(path, modified, catalog=submission.catalog.id, unit=unit, period=submission.period, report=report,
                     unit_from_file=submission.unit_from_file or not submission.unit, unnamed=not submission.unit)
    except ReadError as exc:
        return _Read(path, modified, reason=_named(path, str(exc)), code=exc.code)
    except MemoryError:
        found = failure_problem(path, Failure(MEMORY))
        return _Read(path, modified, reason=found.text, code=found.code)
    except Exception as exc:  # one broken file must never stop the others
        if debugging():
            traceback.print_exc()
        found = failure_problem(path, Failure(ERROR, type(exc).__name__))
        return _Read(path, modified, reason=found.text, code=found.code)


def _read_as(path: str, forced):
    """The file read as its own form; the forced form only when the file's form cannot be told,
    so that forcing a form never pours another form's figures into it. The file is loaded once."""
    from . import sources
    from .grid import ReadError
    from .reading import read_grids

    workbook = sources.load(Path(path), first=(META_SHEET, _declares_rollup), along=(SUMMARY_SHEET,))
    if forced is None:
        return read_grids(workbook, path, None)
    try:
        found = read_grids(workbook, path, None)
    except ReadError:
        return read_grids(workbook, path, forced)
    if found.catalog.id == forced.id and found.catalog is not forced and not found.metadata:
        return read_grids(workbook, path, forced)  # a catalog file that shares a shipped form's id
    return found


def _edited_by_hand(submission: Submission, rollup: Rollup) -> str | None:
    """Why a roll-up of ours cannot be merged when the figures its summary sheet shows are not those
    its state holds (checks.typed_over). None when they agree."""
    from .cells import column_letter
    from .checks import cell_shows, rollup_gives, typed_over

    changed = [f"ô {column_letter(finding.place.column)}{finding.place.row + 1} {cell_shows(finding.value)}, "
               f"số liệu tổng hợp {rollup_gives(finding.expected)}"
               for finding in typed_over(submission, rollup) if finding.place is not None]
    if not changed:
        return None
    more = f" và {len(changed) - 3} ô khác" if len(changed) > 3 else ""
    return (f"số liệu trên sheet «{SUMMARY_SHEET}» đã bị sửa tay ({'; '.join(changed[:3])}{more}), "
            "không biết số nào đúng; hãy sửa tệp của đơn vị (không sửa trên bản tổng hợp)")


def _declares_rollup(grid) -> bool:
    """A roll-up made by this tool: its units' figures are its state; its other sheets are not read."""
    entries = meta.decode(grid.rows)
    return entries.get("tool") == "cchc-xl" and entries.get("kind") == ROLLUP_KIND


def _text_of(figure: Any) -> str:
    raw = figure.raw if figure.raw is not None else figure.value
    return "" if raw is None else " ".join(str(raw).split()) if not isinstance(raw, str) else raw.strip()


def _keep(items: list[_Read], rejected: list[Rejected], keep: Callable[[_Read], bool],
          reason: Callable[[_Read], Problem]) -> list[_Read]:
    kept = []
    for item in items:
        if keep(item):
            kept.append(item)
        else:
            rejected.append(_rejected(item.path, reason(item)))
    return kept


def _tell_unnamed_apart(items: list[_Read]) -> None:
    """Files that name no unit are known by their file's name; files of one name in different folders
    (every commune's "Phu luc II.xlsx", kept in a folder of its own) are as many units, each named by
    its path from the folder they share, never one unit's copies of which only the latest counts."""
    by_name: dict[str, list[_Read]] = {}
    for item in items:
        if item.unnamed and item.report is not None:
            by_name.setdefault(item.unit, []).append(item)
    for same in by_name.values():
        if len(same) > 1:
            shared = os.path.commonpath([str(Path(item.path).parent) for item in same])
            for item in same:
                assert item.report is not None
                item.unit = item.report.unit = str(Path(os.path.relpath(item.path, shared)).with_suffix(""))


def _name_from_file(item: _Read, names: UnitNames) -> None:
    """A unit known only from its file's name: the roster's spelling when the roster has it (compared
    without diacritics), and a warning saying so either way."""
    assert item.report is not None
    read = item.unit
    matched = names.roster_name(read)
    if matched:
        item.unit = item.report.unit = matched
        detail = f", khớp với «{matched}» trong danh sách đơn vị (so không dấu)"
    else:
        detail = ", không có trong danh sách đơn vị" if names.roster else ""
    item.report.findings.append(make_finding("unit-from-file-name", (), None, value=_name(item.path),
                                             expected=read, detail=detail))


def _period_reason(item: _Read, reference: str) -> Problem:
    """A file that states another period (one stating none is merged with a warning)."""
    return problem("other-period", file=_name(item.path), period=periods.label(item.period),
                   merged=periods.label(reference))


def _most_common(values: list[Any], *, prefer_last: bool = False) -> Any:
    """The most frequent value; ties go to the first in sorted order (the last with prefer_last)."""
    if not values:
        return None
    counts = Counter(values)
    ordered = sorted(counts, reverse=prefer_last)
    return max(ordered, key=lambda value: counts[value])


def _latest_per_unit(items: list[_Read], names: UnitNames) -> tuple[list[_Read], list[Duplicate]]:
    """One file per unit: the most recently modified; the others reported as duplicates."""
    by_unit: dict[str, list[_Read]] = {}
    for item in items:
        by_unit.setdefault(names.key(item.unit), []).append(item)
    used: list[_Read] = []
    duplicates: list[Duplicate] = []
    for group in by_unit.values():
        group.sort(key=lambda item: (item.modified, item.path))
        latest = group[-1]
        used.append(latest)
        if len(group) > 1:
            duplicates.append(Duplicate(latest.unit, latest.path, [item.path for item in group[:-1]]))
    return used, duplicates


def _rollup_of(item: _Read, claimed: dict[str, str], names: UnitNames, rejected: list[Rejected]) -> Rollup | None:
    """A roll-up input through its state, unless it is broken or repeats a unit already counted."""
    inner = item.rollup
    if inner is None:
        rejected.append(_rejected(item.path, problem("rollup-unusable", file=_name(item.path), detail=item.rollup_problem)))
        return None
    for unit in inner.units:
        names.register(unit.unit)
    for unit in inner.units:
        key = names.key(unit.unit)
        if key in claimed:
            rejected.append(_rejected(item.path, problem("unit-counted-twice", file=_name(item.path), unit=unit.unit,
                                                         other=_name(claimed[key]))))
            return None
    for unit in inner.units:
        claimed[names.key(unit.unit)] = item.path
        unit.via = unit.via or item.path
    return inner


def _ordered(reports: list[UnitReport], names: UnitNames) -> list[UnitReport]:
    """Roster order first, then the others by name."""
    position: dict[str | None, int] = {name: index for index, name in enumerate(names.roster)}

    def key(report: UnitReport) -> tuple[int, str, str]:
        return (position.get(names.roster_name(report.unit), len(names.roster)), periods.fold(report.unit), report.path)
    return sorted(reports, key=key)


def _roster_entries(names: UnitNames, rollup: Rollup, used: list[_Read], rejected: list[Rejected],
                    reads: list[_Read], duplicates: list[Duplicate]) -> tuple[list[RosterEntry], list[str]]:
    roster = names.roster
    counted_units = {names.key(unit.unit): unit for unit in rollup.units}
    counted_paths = {unit.path for unit in rollup.units} | {unit.via for unit in rollup.units}
    counted_files = {names.key(item.unit): item for item in used if item.path in counted_paths}
    duplicated = {names.key(duplicate.unit) for duplicate in duplicates}
    rejected_paths = {item.path for item in rejected}
    rejected_units = {names.key(item.unit): item for item in reads
                      if item.path in rejected_paths and item.unit}
    entries: list[RosterEntry] = []
    missing: list[str] = []
    for name in roster:
        key = "roster:" + name
        if key in counted_units or key in counted_files:
            unit = counted_units.get(key)
            path, modified = (unit.path, unit.modified) if unit else (counted_files[key].path, counted_files[key].modified)
            entries.append(RosterEntry(name, "duplicate" if key in duplicated else "submitted", path, modified))
        elif key in rejected_units:
            item = rejected_units[key]
            entries.append(RosterEntry(name, "rejected", item.path, item.modified))
            missing.append(name)
        else:
            entries.append(RosterEntry(name, "missing", None, None))
            missing.append(name)
    if roster:
        for unit in rollup.units:
            if names.roster_name(unit.unit) is None:
                entries.append(RosterEntry(unit.unit, "submitted", unit.path, unit.modified, in_roster=False))
    return entries, missing


def _in_input_order(rejected: list[Rejected], files: list[str]) -> list[Rejected]:
    position = {path: index for index, path in enumerate(files)}
    return sorted(rejected, key=lambda item: position.get(item.path, -1))


def _same_file_key(path: str | os.PathLike) -> str:
    try:
        return os.path.normcase(os.path.realpath(path))
    except OSError:
        return str(path)


def _name(path: str) -> str:
    return printable(Path(path).name)


def _named(path: str, message: str) -> str:
    """The reader's message, with the file named when it does not name it already."""
    return message if _name(path) in message else f"{_name(path)}: {message}"
