"""Commune Phụ lục files the way communes fill them, for the merge benchmark and the bundled samples.

Every file follows one catalog's rows (default phu-luc-ii) in a province-style layout written with
XlsxWriter: optional national header block, title with the period, a two-level or one-level
header, 'Trong đó' in the STT column, figures typed as numbers or as Vietnamese number text
("1.730", "06", "91,3", "99,53%"), some blanks, some notes. Figures agree with the catalog's checks
(parts never exceed their whole); shared-list counts (rows that combine as 'common') come from one
province list, with a few communes differing.

    python benchmarks/make_submissions.py OUT_DIR [-n 1000] [--seed 1] [--period "Quý I năm 2024"]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator

import xlsxwriter

from cchc_xl import catalog as catalog_module
from cchc_xl import expr, periods
from cchc_xl.catalog import Catalog, Row

# Commune names of Định Hóa (Thái Nguyên), then generated ones for large runs.
DINH_HOA = ("Bình Yên", "Bảo Cường", "Bảo Linh", "Điềm Mặc", "Định Biên", "Đồng Thịnh", "Kim Phượng",
            "Lam Vỹ", "Linh Thông", "Phú Đình", "Phúc Chu", "Phượng Tiến", "Quy Kỳ", "Sơn Phú",
            "Tân Dương", "Tân Thịnh", "Thanh Định", "Trung Hội", "Trung Lương")
_SYLLABLES = ("An", "Bình", "Cường", "Đông", "Hòa", "Hưng", "Khánh", "Lạc", "Long", "Minh", "Nam", "Phú",
              "Phúc", "Quang", "Sơn", "Tân", "Thành", "Thịnh", "Thuận", "Tiến", "Trung", "Vĩnh", "Xuân", "Yên")
_CREATED = datetime.datetime(2024, 3, 14, 8, 0, 0)
NOTES = ("Kế hoạch số 05/KH-UBND ngày 10/01/2024", "Quyết định số 12/QĐ-UBND ngày 15/01/2024",
         "Lũy kế từ 15/12/2023", "Theo số liệu Hệ thống thông tin giải quyết TTHC tỉnh",
         "Đã báo cáo UBND huyện", "Không phát sinh")


def commune_names(count: int) -> list[str]:
    """`count` distinct commune names: Định Hóa's first, then two-syllable names, then numbered."""
    names = list(DINH_HOA)
    for first in _SYLLABLES:
        for second in _SYLLABLES:
            if first != second and f"{first} {second}" not in names:
                names.append(f"{first} {second}")
    while len(names) < count:
        names.append(f"Số {len(names) + 1}")
    return names[:count]


@dataclass
class Style:
    """How one office laid out its file."""

    national_header: bool = True
    two_level_header: bool = True
    first_col: int = 0
    blank_rows_above: int = 0
    narrative_sheet: bool = False
    stt_trailing_dot: bool = True
    text_numbers: float = 0.4  # share of figures typed as text
    blanks: float = 0.04  # share of figures left empty
    notes: float = 0.08
    sheet_name: str = "Phụ lục"

    @classmethod
    def random(cls, rng: random.Random) -> Style:
        return cls(national_header=rng.random() < 0.8, two_level_header=rng.random() < 0.7,
                   first_col=rng.choice((0, 0, 0, 1)), blank_rows_above=rng.choice((0, 0, 1, 2)),
                   narrative_sheet=rng.random() < 0.2, stt_trailing_dot=rng.random() < 0.6,
                   text_numbers=rng.choice((0.0, 0.3, 0.7, 1.0)), blanks=rng.choice((0.0, 0.03, 0.08)),
                   notes=rng.choice((0.0, 0.05, 0.15)),
                   sheet_name=rng.choice(("Phụ lục", "Sheet1", "PL II", "Phu luc")))


@dataclass
class Submission:
    unit: str  # "UBND xã Bình Yên"
    period_text: str  # "Quý I năm 2024"
    values: dict[str, Fraction | int | None]
    notes: dict[str, str] = field(default_factory=dict)


def province_list(catalog: Catalog, rng: random.Random) -> dict[str, int]:
    """The shared-list counts every commune of the province reports alike."""
    shared = {row.id: rng.randint(5, 140) for row in catalog.rows if row.rollup == "common"}
    shared = _satisfy(catalog, shared, rng, keep=set())
    _percents_in_range(catalog, shared, rng, keep=set())
    return _satisfy(catalog, shared, rng, keep=set())


def figures(catalog: Catalog, shared: dict[str, int], rng: random.Random, *, differ: bool = False) -> dict[str, Any]:
    """One commune's figures, consistent with the catalog's checks; `differ`: its own shared-list counts."""
    values: dict[str, Any] = {}
    for row in catalog.rows:
        if not row.takes_figure or row.percent is not None:
            continue
        if row.rollup == "common":
            values[row.id] = shared[row.id] + (rng.choice((-2, -1, 1, 3)) if differ else 0)
        elif row.kind == "money":
            values[row.id] = Fraction(rng.randint(0, 50_000), 10)
        elif row.kind in ("yesno", "code"):
            values[row.id] = rng.choice(sorted(row.codes))
        elif row.kind == "percent":
            values[row.id] = Fraction(rng.randint(0, 1000), 10)
        else:
            low, high = _typical_range(row)
            values[row.id] = rng.randint(low, high)
    keep = set(shared) if not differ else set()
    _parts_below_wholes(catalog, values, rng, keep)
    values = _satisfy(catalog, values, rng, keep)
    _percents_in_range(catalog, values, rng, keep)
    values = _satisfy(catalog, values, rng, keep)
    return fill_percents(catalog, values)


# What one commune typically reports in a quarter, by the row's unit of measure (folded words):
# a few tasks and issues, a score of staff, hundreds of dossiers. Anything else: 0-30.
TYPICAL_RANGES = (("ho so", (80, 1500)), ("nhiem vu", (3, 40)), ("van de", (0, 12)), ("nguoi", (0, 25)),
                  ("phieu", (50, 300)), ("so luong", (50, 300)), ("van ban", (0, 40)), ("don vi", (0, 8)))


def _typical_range(row: Row) -> tuple[int, int]:
    unit = periods.fold(row.unit)
    return next((span for words, span in TYPICAL_RANGES if words in unit), (0, 30))


def _parts_below_wholes(catalog: Catalog, values: dict[str, Any], rng: random.Random, keep: set[str]) -> None:
    """A part drawn as most of its whole (tasks done of tasks planned, dossiers on time of dossiers
    resolved), as real reports have it, rather than an unrelated number."""
    for _row, check in catalog.checks:
        if check.rule != "part-le-whole":
            continue
        part, whole = check.assertion.sides()
        if len(part.ids) != 1 or len(whole.ids) != 1 or part.ids[0] in keep:
            continue
        base = values.get(whole.ids[0])
        if isinstance(base, int) and isinstance(values.get(part.ids[0]), int):
            values[part.ids[0]] = round(base * rng.uniform(0.6, 1.0))


def fill_percents(catalog: Catalog, values: dict[str, Any]) -> dict[str, Any]:
    """Percent rows defined by parts, as the commune computes them from its own figures."""
    for row in catalog.rows:
        if row.percent is not None:
            values[row.id] = _percent(row, values)
    return values


def _percent(row: Row, values: dict[str, Any]) -> Fraction | None:
    numerator = row.percent.numerator.evaluate(values)
    denominator = row.percent.denominator.evaluate(values)
    if numerator is None or not denominator:
        return None
    return numerator / denominator * 100


def _satisfy(catalog: Catalog, values: dict[str, Any], rng: random.Random, keep: set[str]) -> dict[str, Any]:
    """Adjust figures until every catalog check holds: a whole is raised to its parts (raising
    only, so chains of checks settle), or, when the whole is a kept shared-list count, a part lowered."""
    for _ in range(20):
        changed = False
        for _row, check in catalog.checks:
            if any(ref not in values for ref in check.ids) or check.assertion.evaluate(values) is not False:
                continue
            left, right = check.assertion.sides()
            target, source, relation = _adjustable(left, right, check.assertion.root.op, keep)
            if target is None:
                changed = _lower_a_term(left, right, check.assertion.root.op, values, keep) or changed
                continue
            wanted = source.evaluate(values)
            if relation == "==":
                values[target] = wanted
            elif relation == ">=":  # raise the target to at least wanted
                values[target] = wanted + rng.randint(0, 3)
            else:  # lower the target to at most wanted
                values[target] = max(0, wanted - rng.randint(0, min(3, max(0, int(wanted)))))
            changed = True
        if not changed:
            break
    return {key: (int(value) if isinstance(value, Fraction) and value.denominator == 1 else value)
            for key, value in values.items()}


def _adjustable(left: expr.Expression, right: expr.Expression, op: str, keep: set[str]):
    """Which single-row side to change, the side it must match, and how: the larger side raised
    first (>=), the smaller side lowered (<=) only when the larger one is kept."""
    smaller, larger = (left, right) if op in ("<=", "<") else (right, left) if op in (">=", ">") else (None, None)
    if op == "==":
        for target, source in ((left, right), (right, left)):
            if isinstance(target.root, expr.Ref) and target.root.id not in keep:
                return target.root.id, source, "=="
        return None, None, None
    if smaller is None:
        return None, None, None
    if isinstance(larger.root, expr.Ref) and larger.root.id not in keep:
        return larger.root.id, smaller, ">="
    if isinstance(smaller.root, expr.Ref) and smaller.root.id not in keep:
        return smaller.root.id, larger, "<="
    return None, None, None


def _lower_a_term(left: expr.Expression, right: expr.Expression, op: str, values: dict[str, Any],
                  keep: set[str]) -> bool:
    """Shares of one whole typed as percents ([7.5.2.a] + [7.5.2.b] <= 100): the last share not
    kept is lowered by the excess. False when the check is of another shape."""
    if op not in ("<=", "<") or not isinstance(right.root, expr.Num):
        return False
    free = [ref for ref in left.ids if ref not in keep and isinstance(values.get(ref), (int, Fraction))]
    if not free:
        return False
    excess = left.evaluate(values) - right.evaluate(values)
    values[free[-1]] = max(Fraction(0), Fraction(values[free[-1]]) - excess - (op == "<"))
    return True


def _percents_in_range(catalog: Catalog, values: dict[str, Any], rng: random.Random, keep: set[str]) -> None:
    """Parts of a percent that comes out below 0 or above 100 are drawn again (e.g. (a - b) / a)."""
    for row in catalog.rows:
        if row.percent is None:
            continue
        for _ in range(50):
            percent = _percent(row, values)
            if percent is None or 0 <= percent <= 100:
                break
            for ref in row.percent.ids:
                if ref not in keep and ref in values:
                    values[ref] = rng.randint(0, 2 * max(1, int(values[ref])))


# ----- how a figure is typed -----

def typed(row: Row, value: Any, rng: random.Random, style: Style) -> Any:
    """The cell content a person would type for `value` on this row (required rows never blank)."""
    if value is None or (rng.random() < style.blanks and not row.required):
        return None
    as_text = rng.random() < style.text_numbers
    if row.kind == "percent":
        rounded = round(float(value), rng.choice((0, 1, 2))) if Fraction(value).denominator != 1 else int(value)
        if isinstance(rounded, float) and rounded.is_integer():
            rounded = int(rounded)
        if not as_text:
            return rounded
        text = _vi_number(rounded)
        return rng.choice((text, text + "%", text + " %"))
    if row.kind == "money":
        number = float(value)
        return _vi_number(int(number) if number.is_integer() else number) if as_text else number
    number = int(value)
    if not as_text:
        return number
    if number < 10 and rng.random() < 0.5:
        return f"{number:02d}"
    return _vi_number(number)


def _vi_number(number: int | float) -> str:
    """1730 -> '1.730'; 91.3 -> '91,3'; 1234.5 -> '1.234,5'."""
    if isinstance(number, int):
        return f"{number:,}".replace(",", ".")
    whole, _, decimals = repr(number).partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + decimals


# ----- the workbook -----

def write_submission(path: str | os.PathLike, catalog: Catalog, submission: Submission, style: Style,
                     rng: random.Random) -> Path:
    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({"created": _CREATED, "author": submission.unit})
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    boxed = book.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    boxed_bold = book.add_format({"border": 1, "bold": True, "text_wrap": True, "valign": "vcenter"})
    head = book.add_format({"border": 1, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    if style.narrative_sheet:
        story = book.add_worksheet("Báo cáo")
        story.write(0, 0, "BÁO CÁO")
        story.write(1, 0, f"Kết quả thực hiện công tác cải cách hành chính {submission.period_text}")
        story.write(2, 0, f"{submission.unit} báo cáo kết quả như sau:")
    sheet = book.add_worksheet(style.sheet_name)
    c = style.first_col
    r = style.blank_rows_above
    commune = submission.unit.replace("UBND ", "", 1)
    if style.national_header:
        sheet.merge_range(r, c, r, c + 1, "ỦY BAN NHÂN DÂN", bold)
        sheet.merge_range(r, c + 2, r, c + 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
        sheet.merge_range(r + 1, c, r + 1, c + 1, commune.upper(), bold)
        sheet.merge_range(r + 1, c + 2, r + 1, c + 4, "Độc lập - Tự do - Hạnh phúc", bold)
        r += 3
    for line in catalog.title_lines(submission.unit, submission.period_text):
        line = line.replace("…/BC-UBND ngày …", f"{rng.randint(5, 60)}/BC-UBND ngày {rng.randint(10, 14)}/3/2024")
        sheet.merge_range(r, c, r, c + 4, line, bold)
        r += 1
    r += 1
    columns = catalog.columns
    if style.two_level_header:
        for offset, key in ((0, "stt"), (1, "label"), (4, "note")):
            sheet.merge_range(r, c + offset, r + 1, c + offset, columns[key], head)
        sheet.merge_range(r, c + 2, r, c + 3, columns.get("result", "Kết quả"), head)
        sheet.write(r + 1, c + 2, columns["unit"], head)
        sheet.write(r + 1, c + 3, columns["value"], head)
        r += 2
    else:
        for offset, key in enumerate(("stt", "label", "unit", "value", "note")):
            sheet.write(r, c + offset, columns[key], head)
        r += 1
    for row in catalog.rows:
        stt = row.stt if style.stt_trailing_dot or row.stt == "Trong đó" else row.stt.rstrip(".")
        cell_format = boxed_bold if row.is_heading else boxed
        sheet.write_string(r, c, stt, cell_format)
        sheet.write_string(r, c + 1, row.label, cell_format)
        sheet.write_string(r, c + 2, row.unit, cell_format)
        value = typed(row, submission.values.get(row.id), rng, style) if row.takes_figure else None
        if isinstance(value, str):
            sheet.write_string(r, c + 3, value, boxed)
        elif value is None:
            sheet.write_blank(r, c + 3, None, boxed)
        else:
            sheet.write_number(r, c + 3, value, boxed)
        note = submission.notes.get(row.id)
        if note:
            sheet.write_string(r, c + 4, note, boxed)
        else:
            sheet.write_blank(r, c + 4, None, boxed)
        r += 1
    for offset, width in enumerate((7, 62, 16, 11, 28)):
        sheet.set_column(c + offset, c + offset, width)
    book.close()
    return path


def generate(out_dir: str | os.PathLike, count: int, *, seed: int = 1, catalog_id: str = "phu-luc-ii",
             period_text: str = "Quý I năm 2024") -> Iterator[Path]:
    """Write `count` commune files into `out_dir`; 1 in 10 communes differs from the shared list."""
    catalog = catalog_module.load(catalog_id)
    rng = random.Random(seed)
    shared = province_list(catalog, rng)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(commune_names(count), start=1):
        unit = f"UBND xã {name}"
        values = figures(catalog, shared, rng, differ=rng.random() < 0.1)
        style = Style.random(rng)
        notes = {row.id: rng.choice(NOTES) for row in catalog.rows
                 if row.takes_figure and rng.random() < style.notes}
        submission = Submission(unit, period_text, values, notes)
        yield write_submission(out / f"{index:04d}-phu-luc-{_slug(name)}.xlsx", catalog, submission, style, rng)


def _slug(name: str) -> str:
    from cchc_xl.periods import fold

    return "-".join(fold(name).split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catalog", default="phu-luc-ii")
    parser.add_argument("--period", default="Quý I năm 2024")
    args = parser.parse_args(argv)
    written = sum(1 for _ in generate(args.out_dir, args.count, seed=args.seed, catalog_id=args.catalog,
                                      period_text=args.period))
    print(f"{written} files in {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
