"""Figures across periods: checks against a unit's earlier reports of the year, and a 6-month,
9-month or year report derived from the quarters when the unit did not send one.

How a row moves from one period to the next is declared in its catalog (`Row.over_time`):
flow (the period's own figures), cumulative (since the start of the year), stock (a state at the
date of the report). Periods are the normalised ones of `periods`: 2024-Q1 ... 2024-Q4, 2024-6M,
2024-9M, 2024-Y; 6 tháng covers Quý I and II, 9 tháng Quý I to III.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import periods
from .catalog import Catalog, Row
from .checks import row_make
from .expr import as_fraction
from .findings import Finding, make
from .history import Report
from .roster import UnitNames, unit_identity

# The rules of the findings made against other periods (cross_period_findings).
RULES = ("cumulative-drop", "stock-jump", "flow-below-part", "quarter-looks-cumulative", "unit-unclear-in-history")
SUMMED_KINDS = ("count", "money")  # the kinds whose flows add up over periods
STOCK_JUMP = 10  # a stock that grows or shrinks this many times between two reports is flagged
DERIVABLE = ("6M", "9M", "Y")
PERCENT_ROUNDING = Fraction(1, 2)  # 78,6 % typed once and 79 % the next time is not a drop
# A quarter is suspected of holding the figures since January when at least this share of its flow
# rows (and at least this many) are no smaller than the year's earlier months together.
LOOKS_CUMULATIVE_SHARE = Fraction(9, 10)
LOOKS_CUMULATIVE_ROWS = 5
_SINCE_JANUARY = {6: "6M", 9: "9M", 12: "Y"}


def earlier_of_year(period: str | None, reports: Iterable[Report]) -> list[Report]:
    """The reports of the same year that end before `period` ends, oldest first."""
    here = periods.span(period)
    if here is None:
        return []
    found = [report for report in reports
             if (there := periods.span(report.period)) and there[0] == here[0] and there[2] < here[2]]
    return sorted(found, key=lambda report: periods.chronological(report.period))


def cross_period_findings(catalog: Catalog, current: Report, others: Iterable[Report],
                          cell_of: Callable[[str], str | None] = lambda row_id: None,
                          also_named: Iterable[str] = ()) -> list[Finding]:
    """Cảnh báo where `current` contradicts the same unit's other reports of the year (`others`
    may hold any periods and units: only the unit's own earlier periods are compared). Which
    reports are the unit's is decided as a merge decides it (UnitNames); where the names leave
    that open, a cảnh báo says so and those reports are not compared. `also_named`: other units
    of the same run, whose spellings count too."""
    folded = unit_identity(current.unit)[0]
    alike = [report for report in others if unit_identity(report.unit)[0] == folded]
    also_named = list(also_named)
    names = UnitNames([], [current.unit, *also_named, *(report.unit for report in alike)])
    key = names.key(current.unit)
    unclear = _unclear_names(current, alike, names, key)
    mine = [] if names.choices(current.unit) else [report for report in alike if names.key(report.unit) == key]
    before = earlier_of_year(current.period, mine)
    here = periods.span(current.period)
    if here is None or not mine:
        return unclear
    contained = [report for report in mine if report.period != current.period
                 and (there := periods.span(report.period))
                 and there[0] == here[0] and here[1] <= there[1] and there[2] <= here[2]]
    findings: list[Finding] = []
    for row in catalog.figure_rows:
        value = current.values.get(row.id)
        if value is None or row.percent is not None:  # a percent with parts: its parts are checked
            continue
        found = None
        if row.over_time == "cumulative":
            found = _cumulative_drop(row, value, before)
        elif row.over_time == "stock" and row.kind in SUMMED_KINDS:
            found = _stock_jump(row, value, before)
        elif row.over_time == "flow" and row.kind in SUMMED_KINDS:
            found = _flow_below_part(row, value, contained)
        if found:
            rule, other, extra = found
            findings.append(row_make(
                rule, row, cell_of(row.id), value=value, expected=other.values[row.id],
                period=periods.label(current.period), earlier_period=periods.label(other.period),
                file=Path(current.source).name, earlier_file=Path(other.source).name, **extra))
    looks_cumulative = _quarter_looks_cumulative(catalog, current, mine)
    return unclear + findings + ([looks_cumulative] if looks_cumulative else [])


def _unclear_names(current: Report, alike: list[Report], names: UnitNames, key: str) -> list[Finding]:
    """A cảnh báo when a name that leaves out its diacritics or its kind of unit, the current one or a
    recorded one, may be this unit's or another's ("dong thinh": Đồng Thịnh or Đông Thịnh? "Tân Phú":
    the commune or the ward?); those reports are not compared."""
    if names.choices(current.unit):
        unclear = [report for report in alike if report.period != current.period]
    else:
        unclear = [report for report in alike if key in names.choices(report.unit)]
    if not unclear:
        return []
    bare = current.unit if names.choices(current.unit) else unclear[0].unit
    return [make("unit-unclear-in-history", (), None, value=bare, file=Path(current.source).name,
                 period=periods.label(current.period), spellings=", ".join(sorted(names.choices(bare).values())),
                 earlier_periods=", ".join(periods.label(period) for period in
                                           sorted({report.period for report in unclear}, key=periods.chronological)))]


def _quarter_looks_cumulative(catalog: Catalog, current: Report, mine: list[Report]) -> Finding | None:
    """A quarter after the first whose flows are, row after row, at least those of all the year's
    earlier months together: most likely the figures since the start of the year (a "Quý III"
    report holding 9 tháng), which a year derived from the quarters would count twice."""
    year, first, last = _span(current)
    if first == 1 or last - first != 2:
        return None
    pieces, missing = _cover([report for report in mine if report.period != current.period], year, first - 1)
    if missing or not pieces:
        return None
    compared = at_least = 0
    for row in catalog.figure_rows:
        value = current.values.get(row.id)
        earlier = [number for piece in pieces if (number := piece.values.get(row.id)) is not None]
        if (row.over_time != "flow" or row.kind not in SUMMED_KINDS or row.percent is not None
                or value is None or len(earlier) < len(pieces)):
            continue
        total = sum((as_fraction(number) for number in earlier), Fraction(0))
        if total > 0:
            compared += 1
            at_least += as_fraction(value) >= total
    if compared < LOOKS_CUMULATIVE_ROWS or at_least < compared * LOOKS_CUMULATIVE_SHARE:
        return None
    since_january = periods.label(f"{year}-{_SINCE_JANUARY[last]}")
    return make("quarter-looks-cumulative", (), None, period=periods.label(current.period),
                file=Path(current.source).name, count=at_least, total=compared,
                earlier_periods=", ".join(periods.label(piece.period) for piece in pieces),
                since_january=since_january)


def _cumulative_drop(row: Row, value, before: list[Report]):
    """The most recent earlier report whose cumulative figure is above this one (a typed percent:
    by more than the half point that rounding to whole numbers explains)."""
    slack = PERCENT_ROUNDING if row.kind == "percent" else 0
    for other in reversed(before):
        earlier = other.values.get(row.id)
        if earlier is not None and as_fraction(earlier) - as_fraction(value) > slack:
            return "cumulative-drop", other, {}
    return None


def _stock_jump(row: Row, value, before: list[Report]):
    """The latest earlier figure, when it is ten times this one or a tenth of it (zeros say nothing)."""
    for other in reversed(before):
        earlier = other.values.get(row.id)
        if earlier is None:
            continue
        if not earlier or not value:
            return None
        ratio = as_fraction(value) / as_fraction(earlier)
        if ratio >= STOCK_JUMP or ratio <= Fraction(1, STOCK_JUMP):
            times = ratio if ratio >= 1 else 1 / ratio
            return "stock-jump", other, {"times": round(float(times), 1),
                                         "direction": "tăng" if ratio > 1 else "giảm"}
        return None
    return None


def _flow_below_part(row: Row, value, contained: list[Report]):
    """A report of a period inside this one (Quý I inside 6 tháng) with a larger figure: the largest."""
    larger = [(figure, other) for other in contained if (figure := other.values.get(row.id)) is not None
              and as_fraction(figure) > as_fraction(value)]
    if not larger:
        return None
    return "flow-below-part", max(larger, key=lambda pair: as_fraction(pair[0]))[1], {}


# ----- derived periods -----

@dataclass
class Derived:
    report: Report  # the unit's figures for the derived period
    used: list[Report]  # the reports the flows were summed over, in order
    latest: Report  # where cumulative and stock rows come from
    missing: list[str] = field(default_factory=list)  # quarters no report covers


def derive(catalog: Catalog, reports: Iterable[Report], target: str) -> Derived | None:
    """One unit's report for `target` (6M, 9M or Y) from its reports inside that period: flows
    summed over reports that cover the months once (the longest first: a 6-month report rather
    than its two quarters), cumulative and stock rows from the latest report, percents with parts
    recomputed from the derived parts. None when no report lies inside the period."""
    year, _first, end = periods.span(target) or (0, 0, 0)
    inside = [report for report in reports
              if (there := periods.span(report.period)) and there[0] == year and there[2] <= end]
    if not inside:
        return None
    pieces, missing = _cover(inside, year, end)
    latest = max(inside, key=lambda report: periods.chronological(report.period))
    values: dict[str, int | float | None] = {}
    for row in catalog.figure_rows:
        if row.percent is None:
            values[row.id] = _derived_value(row, pieces, latest)
    for row in catalog.figure_rows:
        if row.percent is not None:
            values[row.id] = _percent_of(row, values)
    report = Report(latest.unit, target, values, latest.source, latest.catalog, latest.catalog_version)
    return Derived(report, pieces, latest, missing)


def _cover(reports: list[Report], year: int, end: int) -> tuple[list[Report], list[str]]:
    """Reports of `year` that cover months 1 to `end` once, the longest first, and the quarters none covers."""
    pieces: list[Report] = []
    missing: list[str] = []
    month = 1
    while month <= end:
        starting = [report for report in reports if (there := periods.span(report.period))
                    and there[0] == year and there[1] == month and there[2] <= end]
        if starting:
            piece = max(starting, key=lambda report: _span(report)[2])
            pieces.append(piece)
            month = _span(piece)[2] + 1
        else:
            missing.append(f"{year}-Q{(month - 1) // 3 + 1}")
            month += 3
    return pieces, missing


def _span(report: Report) -> tuple[int, int, int]:
    """(year, first month, last month) of a report kept because its period has a span."""
    span = periods.span(report.period)
    assert span is not None
    return span


def _derived_value(row: Row, pieces: list[Report], latest: Report):
    if row.over_time != "flow":
        return latest.values.get(row.id)
    given = [value for piece in pieces if (value := piece.values.get(row.id)) is not None]
    if not given:
        return None
    if row.kind in SUMMED_KINDS:  # like the roll-up's sum: over the periods that reported
        return _plain(sum((as_fraction(value) for value in given), Fraction(0)))
    if row.kind == "yesno" and 1 in given:  # done in any quarter: done in the year
        return 1
    return given[-1]  # a code or a percent without parts: the last answer given


def _percent_of(row: Row, values: dict[str, int | float | None]):
    percent = row.percent
    if percent is None:
        return None
    parts = {ref: as_fraction(values.get(ref)) for ref in percent.ids}
    numerator = percent.numerator.number(parts)
    denominator = percent.denominator.number(parts)
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _plain(numerator / denominator * 100)


def _plain(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def derivation_note(target: str, derived: list[Derived], *, every_unit: bool = True,
                    unclear: Sequence[tuple[str, list[str]]] = ()) -> str:
    """What the derived roll-up was made of, for the sheet under the table and the summary; the units
    derived are named when others sent a file of the period (`every_unit` False); `unclear`: names
    that leave out their diacritics or their kind of unit, with the units they may be, whose reports
    were left out."""
    left_out = "".join(
        f" Không tính từ lịch sử số liệu các kỳ ghi tên «{name}»: có thể là {' hoặc '.join(spellings)} "
        "(các đơn vị có tên giống nhau khi bỏ dấu hay bỏ chữ xã, phường, thị trấn, đặc khu); hãy tổng hợp lại các kỳ "
        "đó với tên đơn vị đầy đủ, có dấu và có chữ xã, phường, thị trấn hay đặc khu." for name, spellings in unclear)
    if not derived:
        return left_out.strip()
    used = sorted({report.period for item in derived for report in item.used}, key=periods.chronological)
    whose = "" if every_unit else (f" của {', '.join(item.report.unit for item in derived)} "
                                   "(không gửi báo cáo kỳ này)")
    text = (f"{periods.label(target)}{whose} tính từ lịch sử số liệu các kỳ "
            f"{', '.join(periods.label(period) for period in used)}: số phát sinh cộng các kỳ, "
            "số lũy kế và số tại thời điểm lấy theo kỳ gần nhất, tỷ lệ tính lại")
    lacking: dict[tuple[str, ...], list[str]] = {}
    for item in derived:
        if item.missing:
            lacking.setdefault(tuple(item.missing), []).append(item.report.unit)
    if lacking:
        text += "; thiếu " + "; ".join(f"{', '.join(periods.label(period) for period in missing)} của {', '.join(units)}"
                                       for missing, units in lacking.items())
    return text + "." + left_out


def for_units(reports: Iterable[Report], names: UnitNames | None = None) -> dict[str, list[Report]]:
    """Reports grouped by unit (UnitNames.key, of `names` or of the reports' own names), each group
    oldest first."""
    reports = sorted(reports, key=lambda report: periods.chronological(report.period))
    names = names or UnitNames([], [report.unit for report in reports])
    grouped: dict[str, list[Report]] = {}
    for report in reports:
        grouped.setdefault(names.key(report.unit), []).append(report)
    return grouped


# ----- what merge and check need -----

def report_of(unit: str, period: str | None, values: dict, source: str) -> Report:
    return Report(unit, period or "", {row_id: value for row_id, value in values.items() if value is not None}, source)


def read_previous(paths: Iterable[str], catalog: Catalog | None = None) -> tuple[list[Report], list[str]]:
    """The reports in the files named by --previous (a folder: the files in it), each parsed in a
    limited worker process like any submitted file, and why files of a folder were left out
    (Vietnamese). PreviousError when a file named cannot be used, since the user named it, or a
    folder holds no usable file."""
    from .inputs import folder_submissions
    from .sandbox import Failure, Pool, failure_reason

    named, paths = [str(path) for path in paths], []
    folder_of: dict[str, str] = {}  # each file found in a folder: that folder
    for path in named:
        found = folder_submissions(Path(path)) if Path(path).is_dir() else [Path(path)]
        if not found:
            raise PreviousError(f"{path}: thư mục kỳ trước không có tệp Phụ lục nào (.xlsx, .xlsm, .xls, .ods, "
                                ".docx); hãy chọn thư mục chứa các tệp của kỳ trước.")
        if Path(path).is_dir():
            folder_of.update((str(file), path) for file in found)
        paths += [str(file) for file in found]
    if not paths:
        return [], []
    with Pool() as pool:
        outcomes = pool.map(_previous_report, [(path, catalog) for path in paths])
    reports: list[Report] = []
    skipped: list[str] = []
    used_folders: set[str | None] = set()
    for path, outcome in zip(paths, outcomes):
        problem = f"Tệp kỳ trước {failure_reason(path, outcome)}" if isinstance(outcome, Failure) else \
            outcome if isinstance(outcome, str) else None
        if problem is None:
            reports.extend(outcome)
            used_folders.add(folder_of.get(path))
        elif path in folder_of:  # a folder of last period's files may hold some that were refused then too
            skipped.append(problem)
        else:
            raise PreviousError(problem)
    for folder in dict.fromkeys(folder_of.values()):
        if folder not in used_folders:
            raise PreviousError(f"{folder}: không tệp nào trong thư mục kỳ trước dùng được; "
                                + "; ".join(problem for problem in skipped[:3]))
    return reports, skipped


def _previous_report(path: str, catalog: Catalog | None) -> list[Report] | str:
    """One --previous file as reports: a unit's Phụ lục as its report, a roll-up made by merge as its
    units' (from its state: last quarter's roll-up compares each unit with its own figures); or why
    it cannot serve (Vietnamese)."""
    from .reading import ReadError, read_workbook
    from .rollup import Rollup, StateError
    from .submission import ROLLUP_KIND

    try:
        submission = read_workbook(Path(path), catalog=catalog)
    except ReadError as exc:
        return f"{path}: không dùng được làm kỳ trước: {exc}"
    except OSError as exc:
        return f"{path}: không mở được tệp kỳ trước ({exc.strerror or exc})."
    if not submission.period:
        return (f"{path}: không xác định được kỳ báo cáo của tệp kỳ trước; hãy ghi kỳ báo cáo "
                "(ví dụ «Quý I năm 2024») vào tiêu đề của tệp hoặc tên tệp.")
    if submission.metadata.get("kind") == ROLLUP_KIND:
        try:
            rollup = Rollup.from_state_json(submission.catalog, submission.metadata.get("state") or "")
        except StateError as exc:
            return f"{path}: tệp tổng hợp kỳ trước không dùng được ({exc}); hãy tổng hợp lại kỳ trước bằng cchc-xl merge."
        return [report_of(unit.unit, unit.period or rollup.period, unit.values, path) for unit in rollup.units]
    if submission.printed_rollup:
        return (f"{path}: đây là bảng số liệu đã tổng hợp của nhiều đơn vị, không có số liệu của từng đơn vị để so "
                "sánh; hãy dùng tệp tổng hợp .xlsx do cchc-xl merge tạo ra, hoặc các tệp của từng đơn vị kỳ trước.")
    return [report_of(submission.unit, submission.period, submission.values, path)]


class PreviousError(ValueError):
    """A --previous file that cannot be used; the message is Vietnamese and names the file."""


def derived_units(catalog: Catalog, target: str, stored: Iterable[Report], present: Iterable[str], history_name: str):
    """(UnitReport, Derived) for each unit in `stored` that has a report inside `target`, derived by
    `derive`, but the units named in `present` (they sent a file of the period); and the names
    typed without diacritics left out because several units' names differ only by diacritics."""
    from .rollup import UnitReport

    present = list(present)
    stored = [report for report in stored if report.catalog in ("", catalog.id)]
    names = UnitNames([], [*present, *(report.unit for report in stored)])
    skip = {names.key(name) for name in present}
    made, unclear = [], []
    for key, reports in for_units(stored, names).items():
        if key in skip:
            continue
        if names.choices(reports[0].unit):
            unclear.append(reports[-1].unit)
            continue
        derived = derive(catalog, reports, target)
        if derived is None:
            continue
        values = {row.id: derived.report.values.get(row.id) for row in catalog.figure_rows}
        used = ", ".join(periods.label(report.period) for report in derived.used)
        # Named as last written in full: "binh yen" from a file name is "UBND xã Bình Yên" of earlier quarters.
        derived.report.unit = max(reversed(reports), key=lambda report: tuple(map(bool, unit_identity(report.unit)))).unit
        made.append((UnitReport(unit=derived.report.unit, path=f"{history_name} ({used})", modified=0.0,
                                period=target, values=values), derived))
    return made, [(name, sorted(names.choices(name).values())) for name in unclear]


def stored_reports(history_path: str | Path | None, catalog_id: str | None, period: str | None) -> list[Report]:
    """The history's reports of the period's year (of one form, or all); none without a store or a period."""
    from .history import History

    span = periods.span(period)
    if history_path is None or span is None or not Path(history_path).exists():
        return []
    with History(history_path) as history:
        return history.reports(catalog_id, year=span[0])


def with_history(result, stored: list[Report], previous: list[Report], history_path: str | Path | None) -> list:
    """Complete a merge with what the history knows: for a 6-month, 9-month or year roll-up, each
    unit that sent no file of the period is derived from its reports inside it; every unit read from
    a file is checked against its earlier reports of the year. Returns the derived units."""
    from .rollup import combine, from_units

    rollup = result.rollup
    derived = []
    if rollup.period and rollup.period.split("-")[1] in DERIVABLE and history_path is not None:
        made, unclear = derived_units(rollup.catalog, rollup.period, stored, [unit.unit for unit in rollup.units],
                                      Path(history_path).name)
        if made:
            derived = [unit for unit, _ in made]
            result.rollup = combine([rollup, from_units(rollup.catalog, derived, rollup.period)])
            _mark_submitted(result, derived)
        if made or unclear:
            result.period_note = derivation_note(rollup.period, [item for _, item in made], every_unit=False,
                                                 unclear=unclear)
            result.period_gaps = bool(unclear) or any(item.missing for _, item in made)
    # Grouped by the folded name once: comparing every unit with every stored report grows with the
    # square of the units (a roll-up of 10,000 units took minutes one level up).
    others_of: dict[str, list[Report]] = {}
    for report in [report for report in stored if report.catalog in ("", result.rollup.catalog.id)] + previous:
        others_of.setdefault(unit_identity(report.unit)[0], []).append(report)
    made_here = {id(unit) for unit in derived}
    read = [unit for unit in result.rollup.units if id(unit) not in made_here]
    names_of: dict[str, list[str]] = {}
    for unit in read:
        names_of.setdefault(unit_identity(unit.unit)[0], []).append(unit.unit)
    for unit in read:
        folded = unit_identity(unit.unit)[0]
        if folded not in others_of:
            continue  # nothing recorded under a name like this one: nothing to compare with
        current = report_of(unit.unit, unit.period or result.rollup.period, unit.values, unit.via or unit.path)
        unit.findings.extend(cross_period_findings(result.rollup.catalog, current, others_of.get(folded, []),
                                                   also_named=names_of[folded]))
    return derived


def merge_with_history(inputs: list[str], history_path: str | Path | None, previous: Sequence[Report] = (), *,
                       catalog: str | None = None, period: str | None = None, roster: list[str] | None = None,
                       parent_unit: str = "", **options):
    """`merging.merge` and what the history adds to it (`with_history`: units derived for a 6-month,
    9-month or year roll-up, cảnh báo against the units' earlier periods); when no file of such a
    period could be used, the roll-up derived from the history alone. Returns (result, derived
    units), the ones `record_merge` leaves out; raises MergeError when there is neither, as merge
    does, and HistoryError when the store cannot be read. What `cchc-xl merge` and the Tổng hợp
    button both do."""
    from .merging import MergeError, merge

    try:
        result = merge(inputs, catalog=catalog, period=period, roster=roster, parent_unit=parent_unit, **options)
    except MergeError as exc:
        derived_result = derived_only(exc, catalog, period, history_path, roster, parent_unit)
        if derived_result is None:
            raise
        return derived_result, list(derived_result.rollup.units)
    stored = stored_reports(history_path, None, result.rollup.period)
    return result, with_history(result, stored, list(previous), history_path)


def derived_only(error, catalog_id: str | None, period: str | None, history_path: str | Path | None,
                 roster: list[str] | None, parent_unit: str):
    """The merge result of a 6-month, 9-month or year roll-up made from the history alone (no file of
    the period could be used); None when the history holds nothing to derive it from."""
    from .catalog import load
    from .merging import MergeResult, RosterEntry
    from .rollup import from_units

    target = periods.normalise(period) if period else None
    if not target or target.split("-")[1] not in DERIVABLE or history_path is None:
        return None
    stored = stored_reports(history_path, catalog_id, target)
    if not stored:
        return None
    chosen = catalog_id or max(sorted({r.catalog for r in stored}), key=lambda c: sum(r.catalog == c for r in stored))
    catalog = load(chosen)
    made, unclear = derived_units(catalog, target, stored, [], Path(history_path).name)
    if not made:
        return None
    units = [unit for unit, _ in made]
    result = MergeResult(from_units(catalog, units, target), parent_unit, list(error.rejected), inputs=error.inputs)
    result.roster = [RosterEntry(name, "missing", None, None) for name in roster or []]
    result.missing = list(roster or [])
    result.period_note = derivation_note(target, [item for _, item in made], unclear=unclear)
    result.period_gaps = bool(unclear) or any(item.missing for _, item in made)
    _mark_submitted(result, units)
    return result


def _mark_submitted(result, units) -> None:
    """Roster lines of derived units count as sent; a derived unit off the roster is listed as such."""
    from .merging import RosterEntry
    from .roster import match_unit

    names = [entry.name for entry in result.roster if entry.in_roster]
    for unit in units:
        note = f"Không gửi báo cáo {periods.label(unit.period)}: số liệu tính từ lịch sử các kỳ trước"
        matched = match_unit(unit.unit, names) if names else None
        entry = next((entry for entry in result.roster if entry.in_roster and entry.name == matched), None)
        if entry is not None and entry.status in ("missing", "rejected"):
            entry.status, entry.path, entry.modified, entry.note = "submitted", unit.path, None, note
            if entry.name in result.missing:
                result.missing.remove(entry.name)
        elif entry is None and names:
            result.roster.append(RosterEntry(unit.unit, "submitted", unit.path, None, in_roster=False, note=note))


def record_merge(result, history_path: str | Path, derived: list,
                 commit_if: Callable[[], bool] | None = None) -> int:
    """Store the figures of every unit the roll-up read from a file (derived units are not stored);
    `commit_if` as History.record takes it."""
    from .history import History

    rollup = result.rollup
    made_here = {id(unit) for unit in derived}
    reports = [report_of(unit.unit, unit.period or rollup.period, unit.values, unit.via or unit.path)
               for unit in rollup.units if id(unit) not in made_here]
    with History(history_path) as history:
        return history.record(rollup.catalog.id, rollup.catalog.version, reports, commit_if=commit_if)


def across_periods(results, history_path: str | None, previous_paths: list[str], catalog: Catalog | None) -> list[str]:
    """For `check`: add to each file read the findings against the unit's earlier periods (from the
    history and the --previous files), then record the files' periods in the history when one is given.
    A roll-up is neither compared nor recorded: its figures are many units', the history's each one
    unit's (recorded, a district's totals would be derived into its own 6-month roll-up once more).
    Returns why files of a --previous folder were left out."""
    from .history import History

    previous, skipped = read_previous(previous_paths, catalog)
    read = [result for result in results if result.submission is not None and not result.submission.printed_rollup]
    history = History(history_path) if history_path else None
    try:
        for result in read:
            submission = result.submission
            current = report_of(submission.unit, submission.period, submission.values, result.path)
            stored = history.reports(submission.catalog.id, year=(periods.span(submission.period) or (None,))[0]) \
                if history and submission.period else []
            result.findings.extend(cross_period_findings(submission.catalog, current, stored + previous,
                                                         submission.cell))
        if history:
            for result in read:
                submission = result.submission
                history.record(submission.catalog.id, submission.catalog.version,
                               [report_of(submission.unit, submission.period, submission.values, result.path)])
    finally:
        if history:
            history.close()
    return skipped
