"""Catalogs: the only place a form is described.

A catalog is a JSON file validated against schema/catalog.schema.json and then against the
rules a schema cannot state (unique ids, expressions that parse and name existing rows, a
roll-up rule that fits the row's kind). Everything else in the tool asks the catalog.

The catalogs shipped with the tool skip the schema step when loaded: they are part of the tool,
the tests validate each of them, and the schema check (with importing jsonschema) is a tenth of a
second of every command. A catalog given by path always goes through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from . import expr, sentences

if TYPE_CHECKING:
    import jsonschema

FIGURE_KINDS = ("count", "money", "percent", "yesno", "code")
# How a row's figure behaves from one period to the next (the catalog's "over_time" key):
# flow = the figures of the period alone, cumulative = since the start of the year, stock = a state at the date.
OVER_TIME = ("flow", "cumulative", "stock")
HEADING_KINDS = ("section", "group")

DEFAULT_ROLLUP = {
    "count": "sum", "money": "sum", "yesno": "count_yes", "code": "count_per_code",
    "text": "per_unit", "section": "none", "group": "none",
}
ALLOWED_ROLLUP = {
    "count": {"sum", "common", "mean", "none"},
    "money": {"sum", "common", "mean", "none"},
    "percent": {"recompute", "mean", "weighted", "common", "none"},
    "yesno": {"count_yes", "count_per_code", "common", "none"},
    "code": {"count_per_code", "common", "none"},
    "text": {"per_unit", "none"},
    "section": {"none"},
    "group": {"none"},
}


# Who fills a form (Row.required_of): a commune-level UBND (xã, phường, thị trấn; đặc khu, a commune-level
# unit of the two-tier local government since 1 July 2025), a district-level
# one (huyện, quận, thị xã, thành phố), or a department or office (phòng, ban, văn phòng, sở …).
REPORTERS = ("xã", "huyện", "phòng ban")
_REPORTER_WORDS = (
    ("xã", ("ubnd xa ", "ubnd phuong ", "ubnd thi tran ", "ubnd dac khu ", "uy ban nhan dan xa ", "uy ban nhan dan phuong ",
            "uy ban nhan dan thi tran ", "uy ban nhan dan dac khu ", "xa ", "phuong ", "thi tran ", "dac khu ")),
    ("huyện", ("ubnd huyen ", "ubnd quan ", "ubnd thi xa ", "ubnd thanh pho ", "uy ban nhan dan huyen ",
               "uy ban nhan dan quan ", "uy ban nhan dan thi xa ", "uy ban nhan dan thanh pho ", "huyen ", "quan ",
               "thi xa ", "thanh pho ")),
    ("phòng ban", ("phong ", "ban ", "van phong ", "so ", "trung tam ", "chi cuc ", "cong an ", "thanh tra ",
                   "doi ", "ban chi huy ")),
)


def reporter(unit: str) -> str | None:
    """Who a unit is, told from its name: 'UBND xã Bình Yên' -> 'xã', 'Phòng Nội vụ' -> 'phòng ban'."""
    from .periods import fold

    name = fold(unit) + " "
    return next((kind for kind, starts in _REPORTER_WORDS if name.startswith(starts)), None)


class CatalogError(ValueError):
    """A catalog that cannot be used; the message names the file and the row."""


@dataclass(frozen=True)
class Check:
    rule: str
    assertion: expr.Expression
    severity: str = "error"
    message: str | None = None

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return self.assertion.ids


@dataclass(frozen=True)
class Percent:
    numerator: expr.Expression
    denominator: expr.Expression

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.numerator.ids + self.denominator.ids))


@dataclass(frozen=True)
class Row:
    id: str
    stt: str
    label: str
    unit: str
    kind: str
    rollup: str
    codes: dict[int, str] | None = None
    percent: Percent | None = None
    required: bool = False
    required_of: tuple[str, ...] = ()  # the reporters the row is required of; () = every reporter
    weight: expr.Expression | None = None  # rollup 'weighted': the count each unit's percent is of
    aliases: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    note: str = ""
    chart: str = ""  # title of the roll-up chart that shows this percent per unit
    over_time: str = "flow"  # flow | cumulative | stock

    @cached_property  # asked for every row of every file
    def is_heading(self) -> bool:
        return self.kind in HEADING_KINDS

    @cached_property
    def takes_figure(self) -> bool:
        """Whether the 'Số liệu' cell of this row holds a number or code."""
        return self.kind in FIGURE_KINDS

    @cached_property
    def is_input(self) -> bool:
        """Whether a person types into this row (a percent defined by parts is computed)."""
        return self.kind in FIGURE_KINDS + ("text",) and self.percent is None


@dataclass(frozen=True)
class ReportSpec:
    """The catalog's "report" key: the Word report's heading and sentence templates, and the words
    the narrative check reads figures by (see sentences.py and the schema)."""

    title: tuple[str, ...]
    sentences: tuple[sentences.Template, ...]
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    qualifiers: tuple[str, ...] = ()
    unit_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    id: str
    name: str
    title: tuple[str, ...]
    level: str
    version: str
    source: dict[str, str]
    columns: dict[str, str]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    path: str = ""
    report: ReportSpec | None = None
    _by_id: dict[str, Row] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({row.id: row for row in self.rows})

    def row(self, row_id: str) -> Row:
        return self._by_id[row_id]

    def __contains__(self, row_id: str) -> bool:
        return row_id in self._by_id

    @cached_property
    def figure_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.takes_figure)

    @cached_property
    def checks(self) -> tuple[tuple[Row, Check], ...]:
        return tuple((row, check) for row in self.rows for check in row.checks)

    def title_lines(self, unit: str, period: str, lines: Iterable[str] | None = None) -> list[str]:
        """The Phụ lục's title lines (or `lines`, e.g. the report's heading) with unit and period put in."""
        replacements = {"{unit}": unit, "{period}": period,
                        "{UNIT}": unit.upper(), "{PERIOD}": period.upper()}
        result = []
        for line in self.title if lines is None else lines:
            for key, value in replacements.items():
                line = line.replace(key, value)
            result.append(line)
        return result


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resources.files("cchc_xl.schema").joinpath("catalog.schema.json").read_text("utf-8"))
    return loaded


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(schema())


def shipped_ids() -> list[str]:
    """Ids of the catalogs that ship with the tool, in file-name order."""
    return list(_shipped_ids())


@lru_cache(maxsize=1)
def _shipped_ids() -> tuple[str, ...]:
    """Listed once per process: the reader asks for every file it reads."""
    folder = resources.files("cchc_xl.schema.catalogs")
    return tuple(sorted(entry.name[: -len(".json")] for entry in folder.iterdir() if entry.name.endswith(".json")))


@cache
def load(name: str) -> Catalog:
    """A shipped catalog by id, or a catalog file by path."""
    if name.endswith(".json") or "/" in name or "\\" in name:
        path = Path(name)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"{name}: không đọc được tệp danh mục ({exc.strerror})") from None
        return from_text(text, str(path))
    if name not in shipped_ids():
        raise CatalogError(
            f"Không có danh mục '{name}'. Các danh mục có sẵn: {', '.join(shipped_ids())}")
    entry = resources.files("cchc_xl.schema.catalogs").joinpath(f"{name}.json")
    return from_text(entry.read_text("utf-8"), f"{name}.json", shipped=True)


def load_all() -> list[Catalog]:
    return [load(catalog_id) for catalog_id in _shipped_ids()]


def from_text(text: str, origin: str = "<catalog>", *, shipped: bool = False) -> Catalog:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{origin}: không phải JSON hợp lệ (dòng {exc.lineno}: {exc.msg})") from None
    return from_data(data, origin, shipped=shipped)


def from_data(data: Any, origin: str = "<catalog>", *, shipped: bool = False) -> Catalog:
    """The catalog in `data`; CatalogError (Vietnamese, naming `origin`) when it is not a valid one.
    `shipped`: one of the tool's own catalogs, validated against the schema by the tests."""
    if not shipped:
        errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            raise CatalogError("\n".join(_describe_schema_error(data, error, origin) for error in errors[:10]))
    rows = _with_over_time(_build_rows(data["rows"], origin), data.get("over_time") or {}, origin)
    catalog = Catalog(
        id=data["id"], name=data.get("name", data["id"]), title=tuple(data["title"]),
        level=data["level"], version=data["version"], source=dict(data["source"]),
        columns=dict(data["columns"]), rows=rows, notes=tuple(data.get("notes", ())), path=origin,
        report=_build_report(data.get("report"), origin))
    _check_references(catalog, origin)
    return catalog


def _describe_schema_error(data: Any, error: jsonschema.ValidationError, origin: str) -> str:
    path = list(error.absolute_path)
    where = "/".join(str(part) for part in path) or "(gốc)"
    if len(path) >= 2 and path[0] == "rows" and isinstance(path[1], int):
        row = data["rows"][path[1]]
        row_id = row.get("id", "?") if isinstance(row, dict) else "?"
        where = f"dòng {path[1] + 1} (id '{row_id}'), {'/'.join(str(p) for p in path[2:]) or 'cả dòng'}"
    return f"{origin}: {where}: {error.message}"


def _build_rows(raw_rows: Iterable[dict[str, Any]], origin: str) -> tuple[Row, ...]:
    rows: list[Row] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rows, start=1):
        row_id = raw["id"]
        where = f"{origin}: dòng {index} (id '{row_id}')"
        if row_id in seen:
            raise CatalogError(f"{where}: id bị trùng")
        seen.add(row_id)
        kind = raw["kind"]
        percent = None
        if "percent" in raw:
            percent = Percent(_parse(raw["percent"]["numerator"], where),
                              _parse(raw["percent"]["denominator"], where))
            if percent.numerator.is_comparison or percent.denominator.is_comparison:
                raise CatalogError(f"{where}: tử số và mẫu số không được là phép so sánh")
        default = DEFAULT_ROLLUP.get(kind) or ("recompute" if percent else "mean")
        rollup = raw.get("rollup", default)
        if rollup not in ALLOWED_ROLLUP[kind] or (rollup == "recompute" and percent is None):
            raise CatalogError(f"{where}: cách tổng hợp '{rollup}' không dùng được cho loại '{kind}'"
                               + (" không có tử số/mẫu số" if rollup == "recompute" else ""))
        weight = _parse(raw["weight"], where) if "weight" in raw else None
        if (weight is None) != (rollup != "weighted") or (weight is not None and weight.is_comparison):
            raise CatalogError(f"{where}: cách tổng hợp 'weighted' cần «weight» (số liệu làm quyền số, không phải "
                               "phép so sánh), và «weight» chỉ dùng với 'weighted'")
        if raw.get("required_of") and not raw.get("required"):
            raise CatalogError(f"{where}: «required_of» chỉ dùng cho dòng «required»")
        checks = []
        for check in raw.get("checks", ()):
            assertion = _parse(check["assert"], where)
            if not assertion.is_comparison:
                raise CatalogError(f"{where}: kiểm tra '{check['assert']}' phải là một phép so sánh")
            checks.append(Check(check["rule"], assertion, check.get("severity", "error"), check.get("message")))
        codes = {int(code): meaning for code, meaning in raw["codes"].items()} if "codes" in raw else None
        if kind == "yesno" and (codes is None or set(codes) != {0, 1}):
            raise CatalogError(f"{where}: câu trả lời Có/Không phải có đúng hai mã 0 và 1")
        rows.append(Row(
            id=row_id, stt=raw["stt"], label=raw["label"], unit=raw["unit"], kind=kind, rollup=rollup,
            codes=codes, percent=percent, required=raw.get("required", False),
            required_of=tuple(raw.get("required_of", ())), weight=weight, aliases=tuple(raw.get("aliases", ())), checks=tuple(checks), note=raw.get("note", ""),
            chart=raw.get("chart", "")))
    return tuple(rows)


def _build_report(raw: dict[str, Any] | None, origin: str) -> ReportSpec | None:
    if raw is None:
        return None
    templates = []
    for text in raw["sentences"]:
        try:
            templates.append(sentences.parse(text))
        except sentences.TemplateError as exc:
            raise CatalogError(f"{origin}: report: {exc}") from None
    return ReportSpec(
        title=tuple(raw["title"]), sentences=tuple(templates),
        cues={row_id: tuple(words) for row_id, words in raw.get("cues", {}).items()},
        parts={row_id: tuple(words) for row_id, words in raw.get("parts", {}).items()},
        qualifiers=tuple(raw.get("qualifiers", ())),
        unit_words={unit: tuple(words) for unit, words in raw.get("unit_words", {}).items()})


def _with_over_time(rows: tuple[Row, ...], declared: dict[str, list[str]], origin: str) -> tuple[Row, ...]:
    """Each figure row with how it behaves over time: as the catalog declares it, else cumulative
    where its label or an enclosing row's label says "lũy kế", else flow."""
    from dataclasses import replace

    from .periods import fold

    by_id = {row.id: row for row in rows}
    chosen: dict[str, str] = {}
    for behaviour, ids in declared.items():
        for row_id in ids:
            row = by_id.get(row_id)
            if row is None or not row.takes_figure:
                raise CatalogError(f"{origin}: over_time/{behaviour}: '{row_id}' không phải dòng có số liệu của danh mục")
            if chosen.setdefault(row_id, behaviour) != behaviour:
                raise CatalogError(f"{origin}: over_time: dòng '{row_id}' được khai ở cả '{chosen[row_id]}' và '{behaviour}'")

    def says_cumulative(row_id: str) -> bool:
        while row_id:
            if row_id in by_id and "luy ke" in fold(by_id[row_id].label):
                return True
            row_id = row_id.rpartition(".")[0]
        return False

    return tuple(replace(row, over_time=chosen.get(row.id) or ("cumulative" if says_cumulative(row.id) else "flow"))
                 if row.takes_figure else row for row in rows)


def _parse(text: str, where: str) -> expr.Expression:
    try:
        return expr.parse(text)
    except expr.ExpressionError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def _check_references(catalog: Catalog, origin: str) -> None:
    numeric = {"count", "money", "percent", "yesno", "code"}
    for index, row in enumerate(catalog.rows, start=1):
        where = f"{origin}: dòng {index} (id '{row.id}')"
        used = list(row.percent.ids if row.percent else ())
        used.extend(row.weight.ids if row.weight else ())
        for check in row.checks:
            used.extend(check.ids)
        for ref in used:
            if ref not in catalog:
                raise CatalogError(f"{where}: biểu thức dùng id '{ref}' không có trong danh mục")
            if catalog.row(ref).kind not in numeric:
                raise CatalogError(f"{where}: biểu thức dùng id '{ref}' là dòng '{catalog.row(ref).kind}', không có số liệu")
    if catalog.report is None:
        return
    for template in catalog.report.sentences:
        for ref in template.ids:
            if ref not in catalog or catalog.row(ref).kind not in numeric:
                raise CatalogError(f"{origin}: report: mẫu câu «{template.text}» dùng id '{ref}' "
                                   "không phải dòng có số liệu của danh mục")
    for key, declared in (("cues", catalog.report.cues), ("parts", catalog.report.parts)):
        for ref in declared:
            if ref not in catalog or catalog.row(ref).kind not in numeric:
                raise CatalogError(f"{origin}: report/{key}: id '{ref}' không phải dòng có số liệu của danh mục")
