"""Which submitted files count toward a roll-up, and the roll-up of those that do.

Every file is read and checked in worker processes that return plain data, so one broken file
never stops the others and nothing heavy crosses between processes. Then, in order:

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import periods
from .rollup import Rollup, StateError, UnitReport, combine, from_units

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ROLLUP_KIND = "rollup"


@dataclass
class Rejected:
    path: str
    reason: str  # Vietnamese


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


@dataclass
class MergeResult:
    rollup: Rollup
    parent_unit: str
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    inputs: int = 0

    @property
    def clean(self) -> bool:
        """Every input used, nobody missing, no unit with a lỗi."""
        return not (self.rejected or self.duplicates or self.missing
                    or any(unit.errors for unit in self.rollup.units))


class MergeError(ValueError):
    """Nothing could be merged; the message is Vietnamese."""
