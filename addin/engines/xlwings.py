"""The xlwings engine: the workbook open in Excel, as the ribbon's buttons see it.

Reading and writing are ``addin.engines.live_excel`` (one 2-D read per table, one 2-D
write per block); this class only adds what the protocol asks: the product
sheets' visibility, the active sheet, the status bar, and the lock and
folder of the workbook's file.  A workbook in OneDrive or SharePoint has an
https address as its full name: ``addin.engines.cloud`` maps it to the synced
folder, or says in French why it cannot.

Only Excel can verify what goes through COM (see ``addin.engines.live_excel``); the
tests drive this engine through xlwings' own classes over the recording
engine of ``tests``.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from pathlib import Path, PureWindowsPath
from typing import Sequence

from addin.engines.protocol import FrameSheet, ProductSheet, Written, sheet_state
from kpicore.ingest.grids import RawGrid


class XlwingsWorkbook:
    """An open ``xlwings.Book``."""

    def __init__(self, book, *, lock_wait: float = 0.0) -> None:
        self.book = book
        self.lock_wait = lock_wait

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def local_path(self) -> Path | None:
        """The workbook's file on this computer (a OneDrive or SharePoint one: its synced copy);
        None for a workbook never saved. ``WorkbookNotLocal`` (French) for a cloud workbook with no
        synced copy: its lock and the activity workbooks' relative paths have nowhere to resolve."""
        from addin.engines.cloud import WorkbookNotLocal, book_local_path

        try:
            return book_local_path(self.book)
        except WorkbookNotLocal:
            if self._never_saved():
                return None
            raise

    def _never_saved(self) -> bool:
        try:
            fullname = str(self.book.fullname)
        except Exception:  # Excel could not map a cloud address: it was saved somewhere
            return False
        return "://" not in fullname and not Path(fullname).is_absolute() and not PureWindowsPath(fullname).drive

    @property
    def folder(self) -> Path | None:
        path = self.local_path
        return path.parent if path is not None else None

    def grids(self) -> list[RawGrid]:
        from addin.engines.live_excel import read_live_grids

        return read_live_grids(self.book)

    def sheet_rows(self, name: str) -> list[list] | None:
        from addin.engines.live_excel import read_live_sheet

        return read_live_sheet(self.book, name)

    def check_writable(self) -> None:
        return None  # the open workbook takes the sheets; saving it stays the user's choice

    def write(self, sheets: Sequence[ProductSheet], *, active: str) -> Written:
        from addin.engines.live_excel import write_cockpit_live, write_frame_live
        from workbook_templates.product_sheets import frame_rows
        from workbook_templates.styles import KIND_FORMATS

        skipped: list[str] = []
        for sheet in sheets:
            if isinstance(sheet, FrameSheet):
                formats = [KIND_FORMATS.get(c.kind) for c in sheet.table.columns]
                skipped += write_frame_live(self.book, sheet.sheet_name, frame_rows(sheet.frame, sheet.table),
                                            formats)
            else:
                skipped += write_cockpit_live(self.book, sheet, progress=self.progress)
        for sheet in sheets:
            self.book.sheets[sheet.sheet_name].visible = sheet_state(sheet) == "visible"
        # COM's Worksheet.Activate: xlwings' Sheet.activate first activates the book, which is the one
        # the button was clicked in
        shown = self.book.sheets[active]
        try:
            shown.api.Activate()
        except Exception:  # a platform without that object: the sheet is written, only not shown
            skipped.append("feuille Cockpit affichée")
        return Written(self.name, None, tuple(sorted(set(skipped))))

    def lock(self) -> AbstractContextManager:
        from workbook_templates.file_lock import pilotage_lock

        path = self.local_path
        return pilotage_lock(path, wait=self.lock_wait) if path is not None else contextlib.nullcontext()

    def progress(self, text: str) -> None:
        try:
            self.book.app.status_bar = f"Pilotage : {text}"
        except Exception:  # an engine without a status bar: the work goes on
            pass
