"""One contributing unit of a roll-up: a commune's (or department's) file, as read and checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import ERROR, WARNING, Finding


@dataclass
class UnitReport:
    unit: str
    path: str
    modified: float
    period: str | None
    values: dict[str, float | int | None]
    notes: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # rows of kind 'text', by row id
    via: str = ""  # the roll-up file this unit came through, when it was not read directly

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == WARNING)
