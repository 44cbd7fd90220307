"""The workbook protocol: the little an action asks of a workbook, whatever holds it.

An action (``addin.actions``) is written once over this protocol; the engines
only read and write:

- ``addin.engines.file.FileWorkbook``: a file on disk, written at the package
  level (the command line, scheduled runs);
- ``addin.engines.xlwings.XlwingsWorkbook``: the workbook open in Excel (the ribbon);
- ``addin.engines.uno.UnoWorkbook``: the document open in LibreOffice Calc (its menu).

What an engine does:

- ``grids()``: the client's tables as raw grids (each Excel Table exactly,
  else each sheet's used area), for ``kpicore.ingest.grids``; the product's own
  sheets among them are skipped by the ingest;
- ``sheet_rows(name)``: the values of one sheet, header first (the KPI
  dictionary, the cockpit's view cell, the forecast history), or None;
- ``write(sheets, active=...)``: put the product sheets in, each replacing
  the sheet of the same name (which keeps its place) or appended after the
  client's sheets, then make ``active`` the sheet shown;
- ``lock()``: Pilotage's lock on the workbook for the whole read-compute-write;
- ``progress(text)``: one line of progress where the user looks (the CLI's
  stderr, Excel's status bar, Calc's status indicator);
- ``folder``: where the reps' activity workbooks named by a relative path, and
  the lock, resolve (None: a workbook never saved).

A behaviour that differs by engine is a bug of the engine or of this protocol,
never an ``if`` in an action.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, Union

import pandas as pd

from kpicore.model import schema
from kpicore.cockpit.spec import CockpitSpec
from kpicore.ingest.grids import RawGrid

@dataclass(frozen=True)
class FrameSheet:
    """A product sheet holding one table as plain header + rows (the forecast history, the snapshots)."""

    table: schema.Table
    frame: pd.DataFrame
    state: str = "hidden"
    # the first rows of ``frame`` are the sheet's rows as read, in their place below the header: an engine
    # may write only the others (the file engine does; the sheet's cells are the same either way)
    rows_in_place: int = 0

    @property
    def sheet_name(self) -> str:
        return self.table.sheet_fr


# A styled sheet (the cockpit, the quality sheet) is a ``CockpitSpec``, always visible.
ProductSheet = Union[CockpitSpec, FrameSheet]


def sheet_state(sheet: ProductSheet) -> str:
    return sheet.state if isinstance(sheet, FrameSheet) else "visible"


@dataclass(frozen=True)
class Written:
    """What a write did: where it went, the backup kept (file engine), what the platform skipped."""

    where: str
    backup: Path | None = None
    skipped: tuple[str, ...] = ()


class Workbook(Protocol):
    """A client's workbook as an action sees it (module docstring)."""

    @property
    def name(self) -> str: ...

    @property
    def folder(self) -> Path | None: ...

    def grids(self) -> list[RawGrid]: ...

    def sheet_rows(self, name: str) -> list[list] | None: ...

    def check_writable(self) -> None:
        """Raise a French ``PilotageError`` now when ``write`` could not succeed (a CSV, a read-only copy)."""

    def write(self, sheets: Sequence[ProductSheet], *, active: str) -> Written: ...

    def lock(self) -> AbstractContextManager: ...

    def progress(self, text: str) -> None: ...
