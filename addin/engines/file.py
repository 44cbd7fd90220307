"""The file engine: a client's workbook (or CSV export) on disk, for the command line and scheduled runs.

The file is read once (``workbook_templates.reading.read_source``): the same
bytes serve the archive guard, the reader, every product sheet read back and
the package-level writer (``workbook_templates.package.replace_sheets``),
which leaves every part of the file that is not the product's own as it was.
A file saved by someone else between the read and the write is refused, never
overwritten with the older content.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable, Sequence

from addin.engines.protocol import FrameSheet, ProductSheet, Written, sheet_state
from kpicore.model.errors import InputFileError
from kpicore.ingest.grids import RawGrid
from workbook_templates.reading import Source, read_source

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class FileWorkbook:
    """A workbook file; ``out`` (default: the file itself) is where ``write`` puts the result."""

    def __init__(self, path: Path | str, *, out: Path | str | None = None, backup: bool = True,
                 lock_wait: float = 0.0, progress: Callable[[str], None] | None = _stderr) -> None:
        self.path = Path(path)
        self.out = Path(out) if out is not None else self.path
        self.backup = backup
        self.lock_wait = lock_wait
        self._progress = progress
        self._source: Source | None = None

    # ------------------------------------------------------------------ reading
    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> Path | None:
        return self.path.resolve().parent

    @property
    def source(self) -> Source:
        """The one read of the file (made at the first use)."""
        if self._source is None:
            self._source = read_source(self.path)
        return self._source

    def grids(self) -> list[RawGrid]:
        return self.source.take_grids()

    def sheet_rows(self, name: str) -> list[list] | None:
        return self.source.sheet_rows(name)

    # ------------------------------------------------------------------ writing
    def check_writable(self) -> None:
        if self.path.suffix.lower() not in WORKBOOK_SUFFIXES:
            raise InputFileError(
                "Pilotage écrit son cockpit dans un classeur Excel, pas dans ce fichier", file=self.path.name,
                fix="ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) », puis "
                    "actualisez ce classeur ; « pilotage check », « kpis » et les decks lisent aussi le fichier "
                    "tel qu'il est.")

    def write(self, sheets: Sequence[ProductSheet], *, active: str) -> Written:
        from workbook_templates.package import SheetPart, replace_sheets

        self.check_writable()
        parts = {s.sheet_name: SheetPart(_writer(s), sheet_state(s), _appending(s)) for s in sheets}
        source = self.source
        same = self.out.resolve() == self.path.resolve()
        result = replace_sheets(self.path, parts, out_path=self.out, backup=self.backup and same,
                                content=source.content, active=active, read_stamp=source.stamp)
        if same:
            self._source = None  # the file is new now: the next action reads it again
        return Written(str(result.path), result.backup)

    def lock(self) -> AbstractContextManager:
        from workbook_templates.file_lock import pilotage_lock

        return pilotage_lock(self.out, wait=self.lock_wait)

    def progress(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)


def _appending(sheet: ProductSheet):
    """How to extend the sheet in place rather than write it again (``package.Appending``), or None."""
    if not isinstance(sheet, FrameSheet) or sheet.rows_in_place <= 0:
        return None
    from workbook_templates.package import Appending
    from workbook_templates.product_sheets import write_frame_sheet

    kept = sheet.rows_in_place
    return Appending(kept + 1, lambda wb, ws: write_frame_sheet(wb, ws, sheet.frame, sheet.table, first_row=kept))


def _writer(sheet: ProductSheet):
    """The XlsxWriter function that fills the scratch worksheet of one product sheet."""
    if isinstance(sheet, FrameSheet):
        from workbook_templates.product_sheets import write_frame_sheet

        return lambda wb, ws: write_frame_sheet(wb, ws, sheet.frame, sheet.table)
    from workbook_templates.cockpit_sheet import write_cockpit

    return lambda wb, ws: write_cockpit(wb, sheet, ws)
