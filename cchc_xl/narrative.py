"""The figures a report's narrative states for catalog rows, and where they disagree with its Phụ lục
or with each other.

Offices type the narrative by hand ("Tổng số 351 hồ sơ (trong đó: ...); Hồ sơ tiếp nhận qua mạng:
348; Hồ sơ đã giải quyết: 348 ..."), so a figure is tied to a row by the words around it, never by
position. What those words are is declared in the catalog: the report's own sentence templates (the
words that introduce each figure), the row labels and aliases, and the `cues` of the "report" key.

A figure is a count ("1.730", "03"), a percent ("99,04 %", "43,6%") or a fraction "843/1555" (the
parts of a percent row: numerator / denominator). Dates (15/12/2022), document numbers (906/QĐ-UBND)
and standards (9001:2015) are not figures. For each figure:

- the words before it (back to the previous figure or to a ";" or a bracket) and after it (up to
  the next mark) are matched against every row's wordings, diacritics ignored; the longest match
  wins; a figure counted in one unit ("... 85 nhiệm vụ") is not a row counted in another (hồ sơ);
- a sentence naming "cấp huyện" or "cấp xã" (the catalog's `qualifiers`) keeps the rows whose label,
  or whose percent row's label, names it;
- a percent right after a figure of a percent row's numerator, or after a fraction, is that row's;
- a figure still left to more than MAX_CANDIDATES rows is left alone, as is a figure no row holds.

A figure left to two rows (3.4.1.a and 3.4.2.a both read "đã giải quyết" when the sentence names no
level) agrees with the Phụ lục when either row holds it; the narrative's own consistency is judged on
figures tied to one row only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Iterable, Mapping, Sequence

from .catalog import Catalog, Row
from .checks import accepts, printed_stt
from .expr import Ref
from .findings import Finding, format_value, make
from .periods import fold

MAX_CANDIDATES = 2
MAX_FIGURES = 3_000  # numbers read from one narrative: a report states a few hundred
LISTED = 5  # different figures quoted for one row
MAX_GAP = 12  # words a "…" in a wording, or the stretch between a wording and its figure, may span
QUOTE_CHARS = 160  # a sentence longer than this is quoted around its figure

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_FIGURE = re.compile(rf"(?<![\w/.,:\-])({_NUMBER})(?:\s?/\s?({_NUMBER}))?(?![\w/:]|[.,]\d)(\s*%)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[-+•(\"“«]?\s*[A-ZĐÀ-Ỹ0-9])")
_BOUNDARY = re.compile(r"[;()]")
_AFTER_END = re.compile(r"[;()]|\.(?!\d)")
# A number right after these words names something (mức độ 3, năm 2024, phiên bản 2.0), it is no figure.
_NAMING_WORDS = tuple(tuple(words.split()) for words in (
    "muc do", "nam", "quy", "thang", "ngay", "khoa", "phien ban", "giai doan", "tcvn", "iso", "dieu", "khoan",
    "chuong", "lan thu", "dot"))
_WORD = re.compile(r"[a-z0-9]+")
GAP, FIGURE = "…", "#"
Phrase = tuple[str, ...]  # folded words


@dataclass(frozen=True)
class Stated:
    """One figure of the narrative, tied to one row or to a few candidate rows."""

    rows: tuple[str, ...]
    value: Fraction
    decimals: int | None  # places written, for percents
    percent: bool
    sentence: str
    paragraph: int  # 1-based
    text: str  # the figure as written
    at: int = 0  # where it stands in the sentence


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    values: tuple[Fraction, ...]  # one, or numerator and denominator
    parts: tuple[str, ...]  # the numbers as written
    decimals: tuple[int, ...]
    percent: bool
    text: str


def figures(paragraphs: Sequence[str], catalog: Catalog) -> list[Stated]:
    """Every figure of the narrative tied to at most MAX_CANDIDATES rows of `catalog`."""
    words = _wordings(catalog)
    found: list[Stated] = []
    budget = MAX_FIGURES
    for number, paragraph in enumerate(paragraphs, start=1):
        for sentence in _SENTENCE_END.split(paragraph):
            if budget <= 0:
                return found
            sentence = sentence.strip()
            tokens = [_token(match) for match, _ in zip(_FIGURE.finditer(sentence), range(budget))]
            budget -= len(tokens)
            found.extend(_sentence_figures(sentence, tokens, number, catalog, words))
    return found


def differences(stated: Iterable[Stated], catalog: Catalog, values: Mapping[str, float | int | None],
                cell_of: Callable[[str], str | None]) -> list[Finding]:
    """A cảnh báo for every figure the narrative states that no candidate row of the Phụ lục holds."""
    result = []
    for item in stated:
        given = [(row_id, value) for row_id in item.rows if (value := values.get(row_id)) is not None]
        if not given or any(_agrees(item, value) for _, value in given):
            continue
        row_id, value = given[0]
        row = catalog.row(row_id)
        cell = cell_of(row_id)
        result.append(make("narrative-differs", (row_id,), cell, value=item.text, expected=value,
                           stt=_stt(row), label=row.label, quote=_quote(item), paragraph=item.paragraph,
                           where=cell or "Phụ lục"))
    return result


def inconsistencies(stated: Iterable[Stated], catalog: Catalog) -> list[Finding]:
    """A cảnh báo for every row the narrative gives different figures for (figures tied to one row)."""
    by_row: dict[str, list[Stated]] = {}
    for item in stated:
        if len(item.rows) == 1:
            by_row.setdefault(item.rows[0], []).append(item)
    result = []
    for row in catalog.rows:
        items = by_row.get(row.id, [])
        distinct: list[Stated] = []
        for item in items:
            if not any(_same(item, other) for other in distinct):
                distinct.append(item)
        if len(distinct) < 2:
            continue
        listing = "; ".join(f"{item.text} (đoạn {item.paragraph}: «{_quote(item)}»)" for item in distinct[:LISTED])
        if len(distinct) > LISTED:
            listing += f"; và {len(distinct) - LISTED} số liệu khác"
        result.append(make("narrative-inconsistent", (row.id,), None, value=len(distinct),
                           stt=_stt(row), label=row.label, listing=listing))
    return result


def _stt(row: Row) -> str:
    """The row's number, or its id for a row under "Trong đó" (3.2.4.b)."""
    return printed_stt(row) or row.id


def best_catalog(paragraphs: Sequence[str], catalogs: Iterable[Catalog]) -> Catalog | None:
    """The catalog the narrative states most figures of (a report without its Phụ lục)."""
    scored = [(sum(len(item.rows) == 1 for item in figures(paragraphs, catalog)), index, catalog)
              for index, catalog in enumerate(catalogs) if catalog.report is not None]
    scored = [entry for entry in scored if entry[0] > 0]
    return max(scored, key=lambda entry: (entry[0], -entry[1]))[2] if scored else None


# ----- one sentence -----

def _sentence_figures(sentence: str, tokens: list[_Token], paragraph: int, catalog: Catalog,
                      words: _Wordings) -> list[Stated]:
    folded = fold(sentence)
    qualifiers = [fold(word) for word in (catalog.report.qualifiers if catalog.report else ()) if fold(word) in folded]
    result: list[Stated] = []
    parts: list[tuple[Stated, Phrase]] = []  # figures given as one part of their row, with the part's wording
    previous: tuple[_Token, tuple[str, ...]] | None = None
    for index, token in enumerate(tokens):
        start = tokens[index - 1].end if index else 0
        before_text = sentence[start:token.start]
        before_text = _BOUNDARY.split(before_text)[-1]
        after_limit = tokens[index + 1].start if index + 1 < len(tokens) else len(sentence)
        after_text = _AFTER_END.split(sentence[token.end:after_limit])[0]
        before, after = _WORD.findall(fold(before_text)), _WORD.findall(fold(after_text))[:MAX_GAP]
        if any(tuple(before[-len(naming):]) == naming for naming in _NAMING_WORDS):
            previous = None
            continue
        window = before + [FIGURE] + after
        unit = _unit_of(after, before, words)
        rows: tuple[str, ...] = ()
        if len(token.values) == 2:
            rows = _fraction_rows(window, unit, qualifiers, catalog, words)
            if rows:
                for part in (0, 1):
                    ids = tuple(_quotient_part(catalog.row(row_id), part) for row_id in rows)
                    result.append(Stated(ids, token.values[part], None, False, sentence, paragraph, token.parts[part],
                                         token.start))
        elif token.percent:
            rows = _following_percent(previous, catalog) or _best(window, None, qualifiers, catalog, words, ("percent",))
            if rows:
                result.append(Stated(rows, token.values[0], token.decimals[0], True, sentence, paragraph, token.text,
                                     token.start))
        else:
            rows = _best(window, unit, qualifiers, catalog, words, ("count", "money"))
            if rows:
                result.append(Stated(rows, token.values[0], None, False, sentence, paragraph, token.text, token.start))
                wording = _part_wording(before, rows, words)
                if wording is not None:
                    parts.append((result[-1], wording))
        previous = (token, rows) if rows else None
    return [item for item in _join_parts(result, parts, words) if 0 < len(item.rows) <= MAX_CANDIDATES]


def _part_wording(before: list[str], rows: tuple[str, ...], words: _Wordings) -> Phrase | None:
    """The one part wording of the rows (the catalog's `parts`) among the words before a figure:
    "hồ sơ giải quyết trước hạn: 325" gives "truoc han"; "trước hạn và đúng hạn 2.230" names both
    parts, so the figure is the whole row's."""
    declared = {words.parts.get(row_id, ()) for row_id in rows}
    if len(declared) != 1:
        return None
    (wordings,) = declared
    found = [wording for wording in wordings if _contains(before, wording)]
    return found[0] if len(found) == 1 else None


def _contains(words: list[str], phrase: Phrase) -> bool:
    return any(tuple(words[start:start + len(phrase)]) == phrase for start in range(len(words) - len(phrase) + 1))


def _join_parts(result: list[Stated], parts: list[tuple[Stated, Phrase]], words: _Wordings) -> list[Stated]:
    """The figures a sentence gives one row in parts ("trước hạn: 325; đúng hạn: 23") as one figure,
    their sum (348); a part given alone is no figure of the row unless its wording is a cue of it
    ("đúng hạn" alone is the row's), nor are parts given twice (levels mixed in one sentence)."""
    if not parts:
        return result
    by_rows: dict[tuple[str, ...], list[tuple[Stated, Phrase]]] = {}
    for item, wording in parts:
        by_rows.setdefault(item.rows, []).append((item, wording))
    joined: dict[int, Stated | None] = {}  # id of a part -> what replaces it (None: left out)
    for rows, group in by_rows.items():
        wordings = [wording for _, wording in group]
        if len(set(wordings)) > 1 and len(set(wordings)) == len(wordings):
            first = group[0][0]
            total = sum((item.value for item, _ in group), Fraction(0))
            text = " + ".join(item.text for item, _ in group) + f" = {format_value(total)}"
            joined[id(first)] = replace(first, value=total, text=text)
            joined.update((id(item), None) for item, _ in group[1:])
        else:
            joined.update((id(item), None) for item, wording in group if wording not in words.whole.get(rows[0], ()))
    kept = (joined.get(id(item), item) for item in result)
    return [item for item in kept if item is not None]


def _token(match: re.Match) -> _Token:
    parts = [part for part in (match.group(1), match.group(2)) if part]
    values = tuple(_number(part) for part in parts)
    decimals = tuple(len(part.split(",")[1]) if "," in part else 0 for part in parts)
    return _Token(match.start(), match.end(), values, tuple(parts), decimals, bool(match.group(3)),
                  match.group(0).strip())


def _number(text: str) -> Fraction:
    return Fraction(text.replace(".", "").replace(",", "."))


def _following_percent(previous: tuple[_Token, tuple[str, ...]] | None, catalog: Catalog) -> tuple[str, ...]:
    """The percent rows whose parts the figure just before was ("2.230 hồ sơ, chiếm tỷ lệ 99,5%")."""
    if previous is None:
        return ()
    token, rows = previous
    if len(token.values) == 2:
        return rows
    return tuple(row.id for row in catalog.rows
                 if row.percent is not None and _simple_part(row, 0) in rows)


def _simple_part(row: Row, part: int) -> str | None:
    """The numerator (0) or denominator (1) row of a percent that is a plain quotient of two rows."""
    if row.percent is None:
        return None
    side = row.percent.numerator if part == 0 else row.percent.denominator
    return side.root.id if isinstance(side.root, Ref) else None


def _quotient_part(row: Row, part: int) -> str:
    """_simple_part of a row known to be a plain quotient of two rows."""
    found = _simple_part(row, part)
    assert found is not None
    return found


def _fraction_rows(window: list[str], unit: str | None, qualifiers: list[str], catalog: Catalog,
                   words: _Wordings) -> tuple[str, ...]:
    """Percent rows a fraction is of: by the percent's own wording or its numerator's."""
    quotients = {row.id: row for row in catalog.rows
                 if _simple_part(row, 0) and _simple_part(row, 1)}
    numerators = {_simple_part(row, 0): row.id for row in quotients.values()}
    scores: dict[str, int] = {}
    for row_id, score in words.matches(window):
        target = row_id if row_id in quotients else numerators.get(row_id)
        if target and _unit_fits(catalog.row(_quotient_part(quotients[target], 0)), unit, words):
            scores[target] = max(scores.get(target, 0), score)
    return _top(scores, qualifiers, catalog)


def _best(window: list[str], unit: str | None, qualifiers: list[str], catalog: Catalog, words: _Wordings,
          kinds: tuple[str, ...]) -> tuple[str, ...]:
    scores: dict[str, int] = {}
    for row_id, score in words.matches(window):
        row = catalog.row(row_id)
        if row.kind in kinds and _unit_fits(row, unit, words):
            scores[row_id] = max(scores.get(row_id, 0), score)
    return _top(scores, qualifiers, catalog)


def _top(scores: dict[str, int], qualifiers: list[str], catalog: Catalog) -> tuple[str, ...]:
    if not scores:
        return ()
    best = max(scores.values())
    rows = [row_id for row_id, score in scores.items() if score == best]
    if len(rows) > 1 and qualifiers:
        named = [row_id for row_id in rows if any(word in _context(catalog, row_id) for word in qualifiers)]
        rows = named or rows
    order = {row.id: index for index, row in enumerate(catalog.rows)}
    return tuple(sorted(rows, key=order.__getitem__))


def _context(catalog: Catalog, row_id: str) -> str:
    """The row's label with the label of the percent row it is a part of, folded."""
    labels = [catalog.row(row_id).label]
    labels.extend(row.label for row in catalog.rows if row.percent is not None and row_id in row.percent.ids)
    return fold(" ".join(labels))


def _unit_of(after: list[str], before: list[str], words: _Wordings) -> str | None:
    """The unit a figure is counted in: the unit word right after it, else the first one before it."""
    for tokens, first in ((after, True), (before, False)):
        for start in range(len(tokens)):
            for unit, phrase in words.unit_phrases:
                if tokens[start:start + len(phrase)] == list(phrase):
                    return unit
            if first:
                break
    return None


def _unit_fits(row: Row, unit: str | None, words: _Wordings) -> bool:
    row_unit = fold(row.unit)
    return unit is None or row_unit not in words.units or unit == row_unit


# ----- what the narrative may say, per catalog -----

class _Wordings:
    """Every row's wordings as folded word patterns, and the unit words of the catalog."""

    def __init__(self, catalog: Catalog):
        spec = catalog.report
        patterns: dict[str, set[tuple[str, ...]]] = {}

        def add(row_id: str, text: str) -> None:
            pattern = tuple(GAP if word == GAP else FIGURE if word == FIGURE else word
                            for word in _pattern_words(text))
            declared = (*spec.cues.get(row_id, ()), *spec.parts.get(row_id, ())) if spec else ()
            if sum(word not in (GAP, FIGURE) for word in pattern) >= 2 or text in declared:
                patterns.setdefault(row_id, set()).add(pattern)

        for row in catalog.figure_rows:
            for text in (row.label, *row.aliases):
                add(row.id, re.sub(r"\s*\(.*?\)\s*", " ", text))
        if spec:
            for template in spec.sentences:
                for row_id, leads in template.lead_words().items():
                    for lead in leads:
                        add(row_id, lead)
            for declared in (spec.cues, spec.parts):
                for row_id, texts in declared.items():
                    for text in texts:
                        add(row_id, text)
        # (row id, pattern, its words, its score): a pattern is tried only on a window holding all its words
        self.patterns = [(row_id, pattern, frozenset(pattern) - {GAP}, sum(word not in (GAP, FIGURE) for word in pattern))
                         for row_id, found in patterns.items()
                         for pattern in (p if FIGURE in p else p + (GAP, FIGURE) for p in found)]
        # Row id -> its part wordings, and the cues that are whole wordings of it, as folded words.
        self.parts = {row_id: tuple(tuple(_pattern_words(text)) for text in texts)
                      for row_id, texts in (spec.parts.items() if spec else ())}
        self.whole = {row_id: tuple(tuple(_pattern_words(text)) for text in spec.cues.get(row_id, ()))
                      for row_id in self.parts} if spec else {}
        units: dict[str, set[str]] = {}
        for row in catalog.figure_rows:
            unit = fold(row.unit)
            if unit and row.kind in ("count", "money") and _WORD.fullmatch(unit.replace(" ", "").replace(",", "")):
                units.setdefault(unit, {unit})
        for unit, synonyms in (spec.unit_words.items() if spec else ()):
            units.setdefault(fold(unit), {fold(unit)}).update(fold(word) for word in synonyms)
        self.units = set(units)
        self.unit_phrases = sorted(((unit, tuple(_WORD.findall(phrase))) for unit, phrases in units.items()
                                    for phrase in phrases), key=lambda item: -len(item[1]))

    def matches(self, window: list[str]) -> Iterable[tuple[str, int]]:
        words, sequence = frozenset(window), tuple(window)
        for row_id, pattern, needed, score in self.patterns:
            if needed <= words and _match(pattern, sequence):
                yield row_id, score


def _pattern_words(text: str) -> list[str]:
    folded = fold(text.replace("...", GAP))
    return re.findall(r"[a-z0-9]+|…|#", folded)


@lru_cache(maxsize=65536)
def _match(pattern: tuple[str, ...], window: tuple[str, ...]) -> bool:
    """Whether the words of `pattern` occur in `window` in order, adjacent except across a gap."""
    return any(_match_at(pattern, window, 0, start) for start in range(len(window)))


def _match_at(pattern: tuple[str, ...], window: tuple[str, ...], p: int, w: int) -> bool:
    if p == len(pattern):
        return True
    word = pattern[p]
    if word == GAP:
        return any(_match_at(pattern, window, p + 1, w + skip) for skip in range(0, MAX_GAP + 1)
                   if w + skip <= len(window))
    return w < len(window) and window[w] == word and _match_at(pattern, window, p + 1, w + 1)


_CACHE: dict[int, tuple[Catalog, _Wordings]] = {}


def _wordings(catalog: Catalog) -> _Wordings:
    cached = _CACHE.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        cached = _CACHE[id(catalog)] = (catalog, _Wordings(catalog))
    return cached[1]


# ----- comparing -----

def _agrees(item: Stated, value: float | int | Fraction) -> bool:
    exact = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if item.percent:
        return accepts(item.value, item.decimals, exact) or accepts(exact, item.decimals, item.value)
    return item.value == exact


def _same(one: Stated, other: Stated) -> bool:
    if one.percent != other.percent:
        return False
    if one.percent:
        places = min(one.decimals or 0, other.decimals or 0)
        return _agrees(Stated(one.rows, one.value, places, True, "", 0, ""), other.value) or \
            _agrees(Stated(other.rows, other.value, places, True, "", 0, ""), one.value)
    return one.value == other.value


def _quote(item: Stated) -> str:
    sentence = item.sentence
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    start = max(0, item.at - QUOTE_CHARS // 2)
    piece = sentence[start:start + QUOTE_CHARS]
    return ("…" if start else "") + piece + ("…" if start + QUOTE_CHARS < len(sentence) else "")
