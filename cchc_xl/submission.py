"""What one filled Phụ lục holds once read: figures by row id with their cells, whatever the source.

The reader produces it (from a file, or from the open workbook through xlwings); checks and the
roll-up consume it. It carries no reference to the workbook it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog
from .cells import Place
from .findings import Finding

# Where the tool's own workbooks keep their metadata (catalog, unit, period, roll-up state).
META_SHEET = "_cchc"
# The sheet of a roll-up showing its combined figures in the form's layout.
SUMMARY_SHEET = "Tổng hợp"
# The sheet of a roll-up listing its units, one a line under two header rows, with their figures.
DETAIL_SHEET = "Chi tiết"
DETAIL_HEADER_ROWS = 2
# The metadata "kind" of a roll-up made by merge: its units' figures travel in its state.
ROLLUP_KIND = "rollup"


def defined_name(row_id: str) -> str:
    """The workbook name of a row's input cell: 3.4.2.b -> CCHC_3_4_2_b."""
    return "CCHC_" + "".join(ch if ch.isalnum() else "_" for ch in row_id)


@dataclass
class Figure:
    """One row's entry as found in the file."""

    row_id: str
    cell: str | None  # "Sheet!D12", None when the row was not found
    raw: Any = None  # the cell as read: number, text, or None
    value: float | int | None = None  # None = not reported (blank, '-', 'nt') or unreadable
    note: str = ""  # the 'Ghi chú' cell
    place: Place | None = None  # the cell as data, when read from a file

    @property
    def where(self) -> Place | str | None:
        """The cell as findings take it: its Place when read from a file, else its text."""
        return self.place or self.cell


# A unit's name as offices write it is a line ("UBND xã Bình Yên"): a longer one is cut, so a sender's
# name cannot swell every sheet of the roll-up (a name of 32,767 characters made LibreOffice take 42 s
# to open a roll-up of three communes).
MAX_UNIT_CHARS = 200


def short_unit(name: str) -> str:
    return name if len(name) <= MAX_UNIT_CHARS else name[:MAX_UNIT_CHARS].rstrip() + "…"


@dataclass
class Submission:
    path: str
    catalog: Catalog
    unit: str
    period: str | None  # normalised: 2024-Q1, 2024-6M, 2024-9M, 2024-Y ...
    period_text: str = ""
    period_source: str = ""  # where the period was found (reading.title.PERIOD_SOURCES), '' for nowhere
    unit_from_file: bool = False  # the unit was read from the file's name only
    sheet: str = ""
    modified: float = 0.0  # file modification time, seconds since the epoch
    figures: dict[str, Figure] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # found while reading
    metadata: dict[str, str] = field(default_factory=dict)  # the _cchc sheet, when present
    # A roll-up's table (printed_rollup.py): its rows combined by rule over many units; a table printed
    # without the state (a Word report), or the summary sheet of merge's workbook (its state in metadata).
    printed_rollup: bool = False
    # A roll-up made by merge: the units its detail sheet lists; None without that sheet (or with it cut).
    listed_units: list[str] | None = None

    def __post_init__(self) -> None:
        self.unit = short_unit(self.unit)

    @property
    def values(self) -> dict[str, float | int | None]:
        """Every figure row of the catalog, None where not reported."""
        return {row.id: (self.figures[row.id].value if row.id in self.figures else None)
                for row in self.catalog.figure_rows}

    def cell(self, row_id: str) -> str | None:
        figure = self.figures.get(row_id)
        return figure.cell if figure else None

    def where(self, row_id: str) -> Place | str | None:
        """The row's cell as findings take it (see Figure.where)."""
        figure = self.figures.get(row_id)
        return figure.where if figure else None

    @property
    def notes(self) -> dict[str, str]:
        return {row_id: figure.note for row_id, figure in self.figures.items() if figure.note}
