"""The history of every period's figures: one SQLite file that `merge` and `check` append to.

Schema (version 3; `PRAGMA user_version` holds the version, a newer file is refused, not altered,
an older one is brought up to date when opened):

    reports  one row per unit, form and period:
             id, catalog, catalog_version, unit (as written), unit_key (roster.unit_key: the proper
             name without diacritics, its spelling with them, the kind of unit: "binh yen|bình yên|xa";
             "binh yen||xa" for a name typed without diacritics, "binh yen|bình yên|" for one without
             its kind), period (2024-Q1 ... 2024-Y), source (the file
             the figures came from), source_hash (its SHA-256), recorded (UTC, ISO 8601);
             UNIQUE (catalog, unit_key, period)
    figures  one row per reported figure: report (-> reports.id), row_id, value (the number as read,
             integer or real; a blank is not stored); PRIMARY KEY (report, row_id)

Which records are one unit is decided as a merge decides it (roster.UnitNames): case, spaces,
Unicode composition, "UBND" and where a tone mark sits are ignored, so "UBND xã Bình Yên" and
"Xã  Bình Yên" are one unit; two spellings with different diacritics are two units ("Đồng Thịnh",
"Đông Thịnh"), and so are two kinds of unit ("Xã Tân Phú", "Phường Tân Phú", "Thị trấn Tân Phú").
A name that leaves out its diacritics ("binh yen") or its kind ("Bình Yên") is the unit of the one
fitting name recorded, or of none when several fit (then it is compared with nothing, and said
so). Version 1 kept the spelling with diacritics alone as the key, version 2 the proper name and
its spelling without the kind (a commune and a ward of one name shared a history).

Recording a period replaces that unit's earlier record of the same period, in one transaction with
everything else recorded by the same call: a killed run leaves the store as it was before the call,
and a figure is never held twice.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime, UTC
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Literal

from .inputs import printable
from .roster import UnitNames, unit_identity, unit_key
from .sources.safezip import NotRegularFile, open_regular

SCHEMA_VERSION = 3
DEFAULT_NAME = "lich-su-so-lieu.sqlite"  # beside the roll-up unless --history says otherwise
_BUSY_SECONDS = 30  # another merge writing the same store: wait this long for it
# The files SQLite keeps beside a store; it opens a "-journal" it finds read-only, which waits forever
# on a named pipe.
_BESIDE = ("-journal", "-wal", "-shm")

_SCHEMA = """
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    catalog TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_key TEXT NOT NULL,
    period TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    recorded TEXT NOT NULL,
    UNIQUE (catalog, unit_key, period)
);
CREATE TABLE figures (
    report INTEGER NOT NULL REFERENCES reports(id),
    row_id TEXT NOT NULL,
    value NOT NULL,
    PRIMARY KEY (report, row_id)
) WITHOUT ROWID;
"""


class HistoryError(Exception):
    """The store cannot be used; the message is Vietnamese and names the file."""


class NotKept(Exception):
    """What was recorded was rolled back, as the caller asked (the roll-up it goes with was not written)."""


@dataclass
class Report:
    """One unit's figures for one period, as recorded (or as read from a --previous file)."""

    unit: str
    period: str
    values: dict[str, int | float | None]  # a derived period names every figure row, None when not given
    source: str
    catalog: str = ""
    catalog_version: str = ""
    source_hash: str = ""
    recorded: str = ""

    @property
    def key(self) -> str:
        return unit_key(self.unit)


def file_hash(path: str) -> str:
    """SHA-256 of a file's bytes (at most what a submission may hold); '' when it cannot be read: a
    source gone since it was read, or replaced by a FIFO or a device (/dev/zero never ends)."""
    from .sources.safezip import MAX_FILE_BYTES, open_regular

    digest = hashlib.sha256()
    try:
        with open_regular(path) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                if handle.tell() > MAX_FILE_BYTES:
                    return ""
    except OSError:
        return ""
    return digest.hexdigest()


class History:
    """An open store. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        _refuse_special(self.path)
        try:
            self._db = sqlite3.connect(self.path, timeout=_BUSY_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: không mở được tệp lịch sử số liệu ({exc}). "
                               "Hãy kiểm tra đường dẫn và quyền ghi thư mục.") from None
        try:
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise HistoryError(_database_problem(self.path, exc)) from None
        except HistoryError:
            self._db.close()
            raise

    def _prepare(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{self.path}: tệp lịch sử do phiên bản cchc-xl mới hơn tạo (dạng {version}); "
                               "hãy cập nhật cchc-xl, hoặc dùng tệp lịch sử khác (--history).")
        if version == 0:
            tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise HistoryError(f"{self.path}: không phải tệp lịch sử số liệu của cchc-xl; "
                                   "hãy chọn tệp khác (--history).")
            with self._transaction():
                self._db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
        elif version < SCHEMA_VERSION:
            with self._transaction():
                self._db.execute("BEGIN IMMEDIATE")
                if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:  # not done meanwhile
                    self._rekey()
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _rekey(self) -> None:
        """Versions 1 and 2 to 3: every record keyed by unit_key of its name as written, so that version
        2's commune and ward of one name part again. Records of one unit and period that version 1 kept
        apart (a tone mark placed the old way and the new way) are one now: the one recorded last
        stays, as recording it again would have left it."""
        records = self._db.execute("SELECT id, catalog, unit, period FROM reports ORDER BY recorded, id").fetchall()
        kept: dict[tuple[str, str, str], int] = {}
        for ident, catalog, unit, period in records:
            kept[(catalog, unit_key(unit), period)] = ident
        staying = set(kept.values())
        replaced = [(ident,) for ident, *_ in records if ident not in staying]
        self._db.executemany("DELETE FROM figures WHERE report = ?", replaced)
        self._db.executemany("DELETE FROM reports WHERE id = ?", replaced)
        # Through keys no name gives, so no new key meets an old one before that one changes too.
        self._db.execute("UPDATE reports SET unit_key = char(0) || id")
        self._db.executemany("UPDATE reports SET unit_key = ? WHERE id = ?",
                             [(key, ident) for (_, key, _), ident in kept.items()])

    def _transaction(self):
        return _Transaction(self._db, self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record(self, catalog_id: str, catalog_version: str, reports: Iterable[Report], *,
               commit_if: Callable[[], bool] | None = None) -> int:
        """Store each report (a unit's figures for a period), replacing that unit's earlier record of
        the same period; all or nothing. Reports without a period are skipped. Returns how many were stored.
        `commit_if()`, asked once everything is in place, may say not to keep it: rolled back, NotKept."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        hash_of = lru_cache(maxsize=None)(file_hash)  # the units of a roll-up share its one file
        stored = 0
        with self._transaction():
            self._db.execute("BEGIN IMMEDIATE")
            for report in reports:
                if not report.period:
                    continue
                key = report.key
                for old in self._same_unit_and_period(catalog_id, report):
                    self._db.execute("DELETE FROM figures WHERE report = ?", (old,))
                    self._db.execute("DELETE FROM reports WHERE id = ?", (old,))
                cursor = self._db.execute(
                    "INSERT INTO reports (catalog, catalog_version, unit, unit_key, period, source, source_hash, recorded)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    # A file name with undecodable bytes is stored as shown (U+FFFD): SQLite takes valid text only.
                    (catalog_id, catalog_version, report.unit, key, report.period,
                     printable(os.path.abspath(report.source)),
                     report.source_hash or hash_of(report.source), now))
                report_id = cursor.lastrowid
                # Plain ints and finite floats first, without a call each (a roll-up records a million figures).
                self._db.executemany("INSERT INTO figures (report, row_id, value) VALUES (?, ?, ?)",
                                     [(report_id, row_id, value) for row_id, value in report.values.items()
                                      if type(value) is int or (type(value) is float and value - value == 0)
                                      or (value is not None and _storable(value))])
                stored += 1
            if commit_if is not None and not commit_if():
                raise NotKept()
        return stored

    def _same_unit_and_period(self, catalog_id: str, report: Report) -> list[int]:
        """The records of `report`'s unit (as UnitNames decides among the names recorded like it)
        and period: the ones recording it replaces."""
        folded = unit_identity(report.unit)[0]
        alike = self._db.execute("SELECT id, unit, period FROM reports WHERE catalog = ? AND unit_key >= ?"
                                 " AND unit_key < ?", (catalog_id, folded + "|", folded + "}")).fetchall()
        names = UnitNames([], [report.unit, *(unit for _, unit, _ in alike)])
        key = names.key(report.unit)
        return [ident for ident, unit, period in alike if period == report.period and names.key(unit) == key]

    def reports(self, catalog_id: str | None = None, *, year: int | None = None,
                units: Iterable[str] | None = None) -> list[Report]:
        """Recorded reports, by form, year and units (names; the records of each unit as UnitNames
        decides among the names recorded like it); oldest period first."""
        clauses, params = [], []
        if catalog_id:
            clauses.append("r.catalog = ?")
            params.append(catalog_id)
        if year is not None:
            clauses.append("r.period LIKE ?")
            params.append(f"{year}-%")
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        asked = None if units is None else list(units)
        try:
            found: dict[int, Report] = {}
            for ident, catalog, version, unit, period, source, digest, recorded in self._db.execute(
                    "SELECT r.id, r.catalog, r.catalog_version, r.unit, r.period, r.source,"
                    " r.source_hash, r.recorded FROM reports r" + where, params):
                found[ident] = Report(unit, period, {}, source, catalog, version, digest, recorded)
            if asked is not None:
                names = UnitNames([], [*asked, *(report.unit for report in found.values())])
                keys = {names.key(name) for name in asked}
                found = {ident: report for ident, report in found.items() if names.key(report.unit) in keys}
            for ident, row_id, value in self._db.execute(
                    "SELECT f.report, f.row_id, f.value FROM figures f JOIN reports r ON f.report = r.id" + where, params):
                if ident in found:
                    found[ident].values[row_id] = value
        except sqlite3.DatabaseError as exc:
            raise HistoryError(_database_problem(self.path, exc)) from None
        from .periods import chronological

        return sorted(found.values(), key=lambda report: (chronological(report.period), report.key))


class _Transaction:
    """COMMIT when the block ends, ROLLBACK when it raises; SQLite errors become a HistoryError."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self._db, self._path = db, path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, _traceback) -> Literal[False]:
        if kind is None:
            try:
                self._db.execute("COMMIT")
                return False
            except sqlite3.DatabaseError as error:
                exc = error
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise HistoryError(_database_problem(self._path, exc)) from None
        return False


def _storable(value) -> bool:
    """A figure worth storing: a finite number (blanks mean 'not reported' and are not stored)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and value not in (float("inf"), float("-inf")))


def _refuse_special(path: Path) -> None:
    """A store that is not a regular file (a folder, a named pipe, a device), or one with such a file
    beside it, is refused before SQLite opens it: it would wait on a pipe, or write into a device."""
    try:
        with open_regular(path):
            pass
    except FileNotFoundError:
        pass  # a new store
    except (IsADirectoryError, NotRegularFile):
        raise HistoryError(f"{path}: đây là thư mục, ống dẫn có tên hoặc thiết bị, không phải tệp lịch sử số liệu. "
                           "Hãy chọn một tệp .sqlite (--history).") from None
    except OSError as exc:
        raise HistoryError(f"{path}: không mở được tệp lịch sử số liệu ({exc.strerror or exc}). "
                           "Hãy kiểm tra đường dẫn và quyền đọc, ghi.") from None
    for suffix in _BESIDE:
        beside = Path(f"{path}{suffix}")
        try:
            mode = os.stat(beside).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            raise HistoryError(f"{beside}: bên cạnh tệp lịch sử số liệu {path.name} có «{beside.name}» không phải tệp "
                               "thường (thư mục, ống dẫn có tên hoặc thiết bị), nên không mở tệp lịch sử. Hãy xóa "
                               f"«{beside.name}» rồi chạy lại, hoặc chọn tệp lịch sử khác (--history).")


def _database_problem(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (f"{path}: tệp lịch sử số liệu đang được một lần tổng hợp khác ghi; "
                "hãy chờ lần đó xong rồi chạy lại.")
    if "not a database" in text or "malformed" in text:
        return f"{path}: tệp lịch sử số liệu bị hỏng hoặc không phải tệp SQLite; hãy chọn tệp khác (--history)."
    return f"{path}: không ghi được tệp lịch sử số liệu ({text}); hãy kiểm tra dung lượng đĩa và quyền ghi."
