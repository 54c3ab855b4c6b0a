"""Sentence templates of the report's figure paragraphs, declared in each catalog's "report" key.

A template is Vietnamese text with the figures of catalog rows in braces and optional parts in
square brackets:

    "Kế hoạch CCHC năm đề ra {1.1.a} nhiệm vụ[, đã hoàn thành {1.1.b} nhiệm vụ][, đạt {1.1} %]."

A part in brackets is left out when one of its figures is not reported; the whole sentence is
left out when a figure outside brackets is not reported. Brackets do not nest. The same templates
tell the narrative check which words state which row (`lead_words`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from .findings import format_value
from .values import round_half_up

_PIECE = re.compile(r"\{([^{}\[\]]+)\}|\[|\]|[^{}\[\]]+")
# The words a figure is introduced by: the text since the previous figure, bracket or clause mark.
_CLAUSE_MARK = re.compile(r"[;()]")

PERCENT_DECIMALS = 2


class TemplateError(ValueError):
    """A template that cannot be parsed; the message is Vietnamese."""


@dataclass(frozen=True)
class Segment:
    optional: bool
    pieces: tuple[str | tuple[str], ...]  # text, or (row id,) for a figure

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(piece[0] for piece in self.pieces if isinstance(piece, tuple))


@dataclass(frozen=True)
class Template:
    text: str
    segments: tuple[Segment, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(row_id for segment in self.segments for row_id in segment.ids)

    def render(self, figure: Callable[[str], str | None]) -> str | None:
        """The sentence with each figure's text; None when a figure outside brackets is missing
        or no figure at all is there."""
        parts: list[str] = []
        shown = 0
        for segment in self.segments:
            texts = [piece if isinstance(piece, str) else figure(piece[0]) for piece in segment.pieces]
            if any(text is None for text in texts):
                if not segment.optional:
                    return None
                continue
            shown += len(segment.ids)
            parts.append("".join(text for text in texts if text is not None))
        return "".join(parts) if shown else None

    def lead_words(self) -> dict[str, list[str]]:
        """Row id -> the words that introduce its figure in this template ("đã hoàn thành" for
        1.1.b above): the text since the previous figure, bracket or clause mark."""
        words: dict[str, list[str]] = {}
        for segment in self.segments:
            before = ""
            for piece in segment.pieces:
                if isinstance(piece, str):
                    before = _CLAUSE_MARK.split(before + piece)[-1]
                    continue
                lead = before.strip(" ,.:")
                if lead:
                    words.setdefault(piece[0], []).append(lead)
                before = ""
        return words


def parse(text: str) -> Template:
    segments: list[Segment] = []
    pieces: list[str | tuple[str]] = []
    optional = False
    for match in _PIECE.finditer(text):
        token = match.group(0)
        if token in "[]":
            if (token == "[") == optional:
                raise TemplateError(f"mẫu câu «{text}»: dấu ngoặc vuông không khớp (không lồng ngoặc)")
            if pieces:
                segments.append(Segment(optional, tuple(pieces)))
            pieces, optional = [], token == "["
        elif match.group(1) is not None:
            pieces.append((match.group(1).strip(),))
        else:
            pieces.append(token)
    if optional:
        raise TemplateError(f"mẫu câu «{text}»: thiếu dấu «]»")
    if sum(len(match.group(0)) for match in _PIECE.finditer(text)) != len(text):  # a lone { or }
        raise TemplateError(f"mẫu câu «{text}»: dấu ngoặc nhọn không khớp")
    if pieces:
        segments.append(Segment(optional, tuple(pieces)))
    template = Template(text, tuple(segments))
    if not template.ids:
        raise TemplateError(f"mẫu câu «{text}»: không có số liệu nào ({{id}})")
    return template


def number_text(value: int | float | Fraction, decimals: int = PERCENT_DECIMALS) -> str:
    """A figure the Vietnamese way, at most `decimals` places: 1.730; 99,53; 50."""

    exact = value if isinstance(value, Fraction) else Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    return format_value(round_half_up(exact, decimals))
