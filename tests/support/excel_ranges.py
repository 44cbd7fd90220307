"""A table passed to a cell function by reference, as xlwings' ``range`` converter passes it: an object with
the ``address``, ``sheet`` (``name``, ``book``) and ``options(ndim=2).value`` of ``xlwings.Range``, whose
book answers the add-in's change count through ``app.macro("Pilotage.ChangeCount")`` as Excel's
``Application.Run`` would.  Each read of ``value`` hands a fresh two-dimensional list, as marshalling
through COM does, and is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExcelApp:
    counts: dict[str, int] = field(default_factory=dict)
    hooked: bool = True  # False: the add-in's events are not hooked, ChangeCount gives Empty (None)

    def macro(self, name: str):
        assert name == "Pilotage.ChangeCount"
        return lambda book: self.counts.get(book, 0) if self.hooked else None

    def bump(self, book: "ExcelBook") -> None:
        """An edit or a recalculation of ``book``, as PilotageEvents.cls reports it."""
        self.counts[book.fullname] = self.counts.get(book.fullname, 0) + 1


@dataclass
class ExcelBook:
    fullname: str
    app: ExcelApp


@dataclass
class ExcelSheet:
    name: str
    book: ExcelBook


class ExcelRange:
    def __init__(self, sheet: ExcelSheet, address: str, rows: list[list[Any]]) -> None:
        self.sheet, self.address, self.rows = sheet, address, rows
        self.reads = 0  # how many times the values were marshalled

    def options(self, **options: Any) -> "ExcelRange":
        assert options == {"ndim": 2}
        return self

    @property
    def value(self) -> list[list[Any]]:
        self.reads += 1
        return [list(r) for r in self.rows]


def table_range(rows: list[list[Any]], sheet: str = "Affaires", address: str = "$A$1:$K$7",
                book: str = r"C:\Ventes\pipeline.xlsx", app: ExcelApp | None = None) -> ExcelRange:
    return ExcelRange(ExcelSheet(sheet, ExcelBook(book, app or ExcelApp())), address, rows)
