"""File rows matched to catalog rows by an order-preserving alignment.

Every (file row, catalog row) pair with a similar label gets a score (word overlap of the labels
folded without diacritics, abbreviations spelled out counted as the abbreviation; an inexact label
costs what it misses; a bonus when the STT agrees, a penalty when two STT numbers differ, a small
bonus for a "Trong đó" part next to a row of its own block), and the heaviest chain of pairs
increasing in both file order and catalog order is kept. Repeated labels ("Số vấn đề phát hiện
qua kiểm tra" under several groups) and unnumbered "Trong đó" rows are placed by their order;
inserted, blank or unknown rows are skipped over; hidden rows lose to visible ones; rows moved out
of order are put back by their STT and label; a label wrapped over two lines is one row. The form
is recognised by running the alignment against every shipped catalog and keeping the best-covered
one. The tuning constants are together below, each with what it decides.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Sequence

from ..catalog import Catalog
from ..periods import fold
from .rows import (ABBREVIATIONS, FileRow, abbreviated_words, forget_words, has_figure, is_abbreviation, is_numbered,
                   label_words, stt_key)

# A form is recognised when the alignment covers at least this share (F1 of catalog rows found
# and file rows placed).
MIN_RECOGNITION_SCORE = 0.5
# Pairs below this label similarity (Dice on folded words) are not considered ...
MIN_LABEL_SIMILARITY = 0.6
# ... unless their STT numbers agree: then a label reworded this far still pairs.
MIN_LABEL_SIMILARITY_SAME_STT = 0.3
# Added to a pair whose STT numbers agree: the number confirms the label.
STT_AGREES_BONUS = 0.6
# Taken from a pair whose two STT numbers differ: a similar label on another numbered row.
STT_DIFFERS_PENALTY = 0.4
# Added to a pair of two unnumbered "Trong đó" rows.
TRONG_DO_BONUS = 0.2
# What a pair loses per share of its label that does not match (see pair_score): a chain of near
# misses never outweighs the exact matches it displaces.
INEXACT_LABEL_COST = 1.0
# A numbered row of the file taken for an unnumbered "Trong đó" part of the form.
NUMBERED_ON_PART_PENALTY = 0.3
# A part chained after a row of its own block (its percent row, a sibling part): decides between
# identical parts of two blocks by the rows around them ("... mức độ 4" next to "Tổng số TTHC đủ
# điều kiện" puts both in 3.2.2).
SAME_BLOCK_BONUS = 0.05
# A row out of order is put back on the free row of its STT when their labels are this close
# (a typo or two allowed).
MOVED_ROW_SIMILARITY = 0.8
# Between catalog rows a file row matches equally well, the earlier one: the parts of 3.4.1 stay
# there when the identical block 3.4.2 was deleted, instead of sliding into its place.
LATER_ROW_COST = 1e-4
# A hidden row still counts when nothing visible takes its place (a row hidden because it is
# empty), but a visible row with the same label and STT wins over it (an older copy hidden above).
HIDDEN_ROW_PENALTY = 0.5
# Two lines are joined into one wrapped label only when together they match a row this closely ...
MIN_WRAPPED_SIMILARITY = 0.85
# ... and by this much better than either line alone; a second line within this of an exact match
# is a row of its own.
WRAPPED_MARGIN = 0.05


@dataclass
class Alignment:
    catalog: Catalog
    pairs: dict[int, int]  # file row index -> catalog row index
    score: float


_LEARNT: set[tuple[str, str, str]] = set()
_ABBREVIATION = re.compile(r"\b[A-ZĐ]{3,8}\b")


def prepare(catalogs: Sequence[Catalog]) -> None:
    """Learn the catalogs' abbreviations and build their word indexes now: done before workers are
    forked, every worker has them without building its own on its first file."""
    learn_abbreviations(catalogs)
    for catalog in catalogs:
        catalog_index(catalog)


def knows_abbreviations_of(catalogs: Sequence[Catalog]) -> bool:
    return _LEARNT.issuperset((c.id, c.version, c.path) for c in catalogs)


def learn_abbreviations(catalogs: Sequence[Catalog]) -> None:
    known = len(ABBREVIATIONS)
    for catalog in catalogs:
        key = (catalog.id, catalog.version, catalog.path)
        if key in _LEARNT:
            continue
        _LEARNT.add(key)
        for row in catalog.rows:
            for text in (row.label, *row.aliases):
                ABBREVIATIONS.update(fold(token) for token in _ABBREVIATION.findall(text))
    if len(ABBREVIATIONS) != known:  # words computed before now lack the new abbreviations
        forget_words()
        _INDEXES.clear()
        _ALIGNMENTS.clear()


def label_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


# ---------------------------------------------------------------------------------------------
# Alignment


@dataclass
class CatalogIndex:
    keys: list[str]
    numbered: list[bool]
    words: list[list[frozenset[str]]]  # label and aliases of each catalog row
    variant_row: list[int]  # variant -> catalog row
    variant_size: list[int]
    postings: dict[str, list[int]]  # word -> variants
    block_of: list[int]  # the numbered row each row belongs to (itself when numbered)
    parts: dict[int, list[int]]  # numbered row -> its unnumbered rows ("Trong đó" parts)


_INDEXES: dict[tuple[str, str, str], CatalogIndex] = {}


def _variants(row) -> list[frozenset[str]]:
    """The words of a catalog row's label (first), its aliases, and their abbreviated forms."""
    texts = [row.label, *row.aliases]
    variants = [label_words(text) for text in texts]
    return variants + [words for words in map(abbreviated_words, texts) if words]


def catalog_index(catalog: Catalog) -> CatalogIndex:
    cache_key = (catalog.id, catalog.version, catalog.path)
    index = _INDEXES.get(cache_key)
    if index is None or len(index.keys) != len(catalog.rows):
        keys = [stt_key(row.stt) for row in catalog.rows]
        words = [_variants(row) for row in catalog.rows]
        variant_row: list[int] = []
        variant_size: list[int] = []
        postings: dict[str, list[int]] = {}
        for j, variants in enumerate(words):
            for variant in variants:
                for word in variant:
                    postings.setdefault(word, []).append(len(variant_row))
                variant_row.append(j)
                variant_size.append(len(variant))
        numbered = [is_numbered(key) for key in keys]
        block_of: list[int] = []
        parts: dict[int, list[int]] = {}
        current = -1
        for j, numbered_row in enumerate(numbered):
            current = j if numbered_row else current
            block_of.append(current)
            if not numbered_row:
                parts.setdefault(current, []).append(j)
        index = CatalogIndex(keys, numbered, words, variant_row, variant_size, postings, block_of, parts)
        _INDEXES[cache_key] = index
    return index


def join_wrapped_labels(rows: list[FileRow], catalog: Catalog) -> list[FileRow]:
    """A label wrapped over two rows becomes one row: with its unit and figure on the second line
    (text pasted from Word or PDF), or on the first, the rest of the label on a line of its own under
    it (a row typed on two lines, a Word table pasted into Excel, which puts a cell's second paragraph
    on a row of its own and merges the row's other cells down over both). Only when the second line
    does not start with a capital and the halves together match a row of the form better than either
    half does (so a group heading and the unnumbered rows under it stay apart)."""
    index = None
    joined = rows
    for i in range(len(rows) - 1):
        head, tail = joined[i], joined[i + 1]
        if not (tail.r == head.r + 1 and not tail.stt and tail.label and head.words and _goes_on(tail.label)):
            continue
        figure_below = not head.unit and not has_figure(head) and bool(tail.unit or has_figure(tail))
        figure_above = not tail.unit and not has_figure(tail) and bool(head.unit or has_figure(head))
        if not (figure_below or figure_above):
            continue
        index = index or catalog_index(catalog)
        tail_alone = _best_similarity(tail.words, index)
        if tail_alone >= 1 - WRAPPED_MARGIN:
            continue  # the line is a row of the form on its own (under a group heading)
        together = _best_similarity(head.words | tail.words, index)
        if together >= MIN_WRAPPED_SIMILARITY and together > max(tail_alone, _best_similarity(head.words, index)) + WRAPPED_MARGIN:
            if joined is rows:
                joined = list(rows)
            label, words = f"{head.label} {tail.label}", head.words | tail.words
            if figure_below:
                joined[i + 1] = replace(tail, stt=head.stt, stt_key=head.stt_key, label=label, words=words)
                joined[i] = replace(head, stt="", stt_key="", label="", words=frozenset())
            else:
                joined[i] = replace(head, label=label, words=words)
                joined[i + 1] = replace(tail, label="", words=frozenset())
    return joined


def _goes_on(label: str) -> bool:
    """A wrapped line goes on mid-sentence: not with a capital, unless the capitals are an abbreviation
    ("TTHC đã cung cấp trực tuyến …")."""
    return not label[0].isupper() or is_abbreviation(label.split(None, 1)[0])


def _best_similarity(words: frozenset[str], index: CatalogIndex) -> float:
    return max(_similarities(FileRow(0, "", "", "", None, "", words=words), index).values(), default=0.0)


def _similarities(row: FileRow, index: CatalogIndex) -> dict[int, float]:
    """Label similarity (Dice on folded words) of the row to each catalog row sharing a word; the
    row's abbreviated words are tried too."""
    best: dict[int, float] = {}
    postings = index.postings
    for words in (row.words, row.abbreviated) if row.abbreviated else (row.words,):
        shared = Counter(itertools.chain.from_iterable(postings[word] for word in words if word in postings))
        size = len(words)
        for variant, count in shared.items():
            j = index.variant_row[variant]
            similarity = 2 * count / (size + index.variant_size[variant])
            if similarity > best.get(j, 0.0):
                best[j] = similarity
    return best


def pair_score(similarity: float, file_key: str, file_numbered: bool, key: str, numbered: bool) -> float | None:
    both_numbered = file_numbered and numbered
    same = both_numbered and file_key == key
    if similarity < (MIN_LABEL_SIMILARITY_SAME_STT if same else MIN_LABEL_SIMILARITY):
        return None
    # An inexact label costs as much as it misses: a chain of near misses (every row shifted one
    # place onto its neighbour's similar label) never outweighs the exact matches it displaces.
    score = similarity - INEXACT_LABEL_COST * (1 - similarity)
    if same:
        score += STT_AGREES_BONUS
    elif both_numbered:
        score -= STT_DIFFERS_PENALTY
    elif file_key == key == "trongdo":
        score += TRONG_DO_BONUS
    elif file_numbered and not numbered:
        score -= NUMBERED_ON_PART_PENALTY
    return score if score > 0 else None


# Files filled from one province template have the same rows: align each layout once per process.
_ALIGNMENTS: dict[tuple, tuple[dict[int, int], float]] = {}
_MAX_ALIGNMENTS = 512


def align(rows: Sequence[FileRow], catalog: Catalog) -> Alignment:
    """The heaviest chain of (file row, catalog row) pairs increasing in both orders (memoised:
    it depends only on the rows' STT keys and label words)."""
    key = (catalog.id, catalog.version, catalog.path,
           tuple((row.stt_key, row.words, row.abbreviated, row.hidden) for row in rows))
    cached = _ALIGNMENTS.get(key)
    if cached is None:
        alignment = _align(rows, catalog)
        if len(_ALIGNMENTS) >= _MAX_ALIGNMENTS:
            _ALIGNMENTS.clear()
        _ALIGNMENTS[key] = (dict(alignment.pairs), alignment.score)
        return alignment
    return Alignment(catalog, dict(cached[0]), cached[1])


def _align(rows: Sequence[FileRow], catalog: Catalog) -> Alignment:
    index = catalog_index(catalog)
    m = len(catalog.rows)
    # Fenwick tree over catalog positions holding the best chain ending at or before j.
    tree_value = [0.0] * (m + 1)
    tree_pair: list[int] = [-1] * (m + 1)
    pairs: list[tuple[int, int, float, int]] = []  # (i, j, total, previous pair)

    def best_before(j: int) -> tuple[float, int]:
        value, pair = 0.0, -1
        while j > 0:
            if tree_value[j] > value:
                value, pair = tree_value[j], tree_pair[j]
            j -= j & -j
        return value, pair

    def record(j: int, value: float, pair: int) -> None:
        j += 1
        while j <= m:
            if value > tree_value[j]:
                tree_value[j], tree_pair[j] = value, pair
            j += j & -j

    in_block: dict[int, dict[int, tuple[float, int]]] = {}  # block -> catalog row -> best (total, pair) so far
    for i, row in enumerate(rows):
        file_numbered = is_numbered(row.stt_key)
        found = []
        for j, similarity in _similarities(row, index).items():
            if similarity < MIN_LABEL_SIMILARITY_SAME_STT:
                continue
            score = pair_score(similarity, row.stt_key, file_numbered, index.keys[j], index.numbered[j])
            if score is not None and row.hidden:
                score = score - HIDDEN_ROW_PENALTY if score > HIDDEN_ROW_PENALTY else None
            if score is not None:
                score -= LATER_ROW_COST * j
                value, previous = best_before(j)
                if not index.numbered[j]:
                    for earlier, (total, pair) in in_block.get(index.block_of[j], {}).items():
                        if earlier < j and total + SAME_BLOCK_BONUS > value:
                            value, previous = total + SAME_BLOCK_BONUS, pair
                found.append((j, value + score, previous))
        for j, total, previous in found:  # recorded after the whole row: one catalog row per file row
            pairs.append((i, j, total, previous))
            record(j, total, len(pairs) - 1)
            block = in_block.setdefault(index.block_of[j], {})
            if total > block.get(j, (-1.0, -1))[0]:
                block[j] = (total, len(pairs) - 1)
    _, last = best_before(m)
    chain: dict[int, int] = {}
    while last >= 0:
        i, j, _, last = pairs[last]
        chain[i] = j
    _place_moved_rows(rows, index, chain)
    return Alignment(catalog, chain, _recognition_score(rows, catalog, chain))


def _place_moved_rows(rows: Sequence[FileRow], index: CatalogIndex, chain: dict[int, int]) -> None:
    """A row moved out of order keeps its place when its STT and label both match one free row
    (also when the chain had put it on a neighbouring row with another STT and a similar label);
    the unnumbered rows right under it ("Trong đó" parts) follow it when they match the free rows
    under that catalog row, in order."""
    used = set(chain.values())
    for i, row in enumerate(rows):
        if not is_numbered(row.stt_key) or (i in chain and index.keys[chain[i]] == row.stt_key):
            continue
        matches = [j for j, key in enumerate(index.keys) if key == row.stt_key and j not in used
                   and _label_fit(row, index, j) >= MOVED_ROW_SIMILARITY]
        if len(matches) != 1 or (i in chain and _label_fit(row, index, matches[0]) < _label_fit(row, index, chain[i])):
            continue
        if i in chain:  # chained onto a neighbour's similar label: its own row is free
            used.discard(chain[i])
        chain[i] = j = matches[0]
        used.add(j)
        for below in range(i + 1, len(rows)):
            j += 1
            part = rows[below]
            if (below in chain or is_numbered(part.stt_key) or j >= len(index.keys) or j in used
                    or index.numbered[j] or not _close_label(part, index, j)):
                break
            chain[below] = j
            used.add(j)
    _place_swapped_parts(rows, index, chain, used)
    _uncross_parts(rows, index, chain)


def _place_swapped_parts(rows: Sequence[FileRow], index: CatalogIndex, chain: dict[int, int], used: set[int]) -> None:
    """"Trong đó" parts typed in another order (1.1.b above 1.1.a): a part left out of the chain
    takes the one free row of the same block whose label it has."""
    above = None  # catalog row of the nearest placed file row above
    for i, row in enumerate(rows):
        if i in chain:
            above = chain[i]
            continue
        if above is None or is_numbered(row.stt_key) or not row.words or row.hidden:
            continue
        matches = [j for j in index.parts.get(index.block_of[above], ()) if j not in used and _close_label(row, index, j)]
        if len(matches) == 1:
            chain[i] = matches[0]
            used.add(matches[0])


def _uncross_parts(rows: Sequence[FileRow], index: CatalogIndex, chain: dict[int, int]) -> None:
    """Two neighbouring rows of one block typed in the other order can be chained crosswise, each on
    the other's row, when both labels are alike ("... mức độ 3" and "... mức độ 3 có phát sinh hồ
    sơ"): they are swapped back when each fits the other's place clearly better."""
    placed = sorted(chain)
    for first, second in zip(placed, placed[1:]):
        j, k = chain[first], chain[second]
        if index.block_of[j] != index.block_of[k] or index.numbered[j] or index.numbered[k]:
            continue
        kept = _label_fit(rows[first], index, j) + _label_fit(rows[second], index, k)
        if kept > 1.9:
            continue  # both fit their rows: nothing to gain
        swapped = _label_fit(rows[first], index, k) + _label_fit(rows[second], index, j)
        if swapped > kept + 0.1:
            chain[first], chain[second] = k, j


def _label_fit(row: FileRow, index: CatalogIndex, j: int) -> float:
    return max(label_similarity(mine, words) for mine in (row.words, row.abbreviated) for words in index.words[j])


def _close_label(row: FileRow, index: CatalogIndex, j: int) -> bool:
    return _label_fit(row, index, j) >= 0.9


def _recognition_score(rows: Sequence[FileRow], catalog: Catalog, chain: dict[int, int]) -> float:
    labelled = sum(1 for row in rows if row.words)
    if not labelled or not catalog.rows:
        return 0.0
    placed = len(chain) / labelled
    covered = len(chain) / len(catalog.rows)
    return 2 * placed * covered / (placed + covered) if placed + covered else 0.0
