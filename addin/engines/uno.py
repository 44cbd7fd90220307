"""The UNO engine: the document open in LibreOffice Calc, as its *Pilotage* menu sees it.

Reading and writing are ``addin.engines.live_uno``; this class adds what the protocol
asks: the product sheets' visibility, the active sheet, Calc's status
indicator, and the lock and folder of the document's file.  It runs for real
in the tests, in a headless LibreOffice.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable, Sequence

from addin.engines.protocol import FrameSheet, ProductSheet, Written, sheet_state
from kpicore.ingest.grids import RawGrid


class UnoWorkbook:
    """An open Calc document (``com.sun.star.sheet.SpreadsheetDocument``)."""

    def __init__(self, doc, *, lock_wait: float = 0.0, progress: Callable[[str], None] | None = None) -> None:
        self.doc = doc
        self.lock_wait = lock_wait
        self._progress = progress
        self._indicator = None

    @property
    def local_path(self) -> Path | None:
        """The document's file; None for a document never saved."""
        if not self.doc.URL:
            return None
        from addin.engines.uno_bridge import import_uno

        return Path(import_uno().fileUrlToSystemPath(self.doc.URL))

    @property
    def name(self) -> str:
        path = self.local_path
        return path.name if path is not None else str(self.doc.Title)

    @property
    def folder(self) -> Path | None:
        path = self.local_path
        return path.parent if path is not None else None

    def grids(self) -> list[RawGrid]:
        from addin.engines.live_uno import read_uno_grids

        return read_uno_grids(self.doc)

    def sheet_rows(self, name: str) -> list[list] | None:
        from addin.engines.live_uno import read_uno_sheet

        return read_uno_sheet(self.doc, name)

    def check_writable(self) -> None:
        return None

    def write(self, sheets: Sequence[ProductSheet], *, active: str) -> Written:
        from addin.engines.live_uno import write_cockpit_uno, write_frame_uno
        from workbook_templates.product_sheets import frame_rows
        from workbook_templates.styles import KIND_FORMATS

        self._end_progress()  # the writer shows its own steps
        skipped: list[str] = []
        for sheet in sheets:
            if isinstance(sheet, FrameSheet):
                write_frame_uno(self.doc, sheet.sheet_name, frame_rows(sheet.frame, sheet.table),
                                [KIND_FORMATS.get(c.kind) for c in sheet.table.columns])
            else:
                skipped += write_cockpit_uno(self.doc, sheet, progress=self._progress)
        book = self.doc.Sheets
        for sheet in sheets:
            book.getByName(sheet.sheet_name).IsVisible = sheet_state(sheet) == "visible"
        controller = self.doc.CurrentController
        if controller is not None:
            controller.setActiveSheet(book.getByName(active))
        return Written(self.name, None, tuple(sorted(set(skipped))))

    def lock(self) -> AbstractContextManager:
        from workbook_templates.file_lock import pilotage_lock

        path = self.local_path
        return pilotage_lock(path, wait=self.lock_wait) if path is not None else contextlib.nullcontext()

    def progress(self, text: str) -> None:
        """Calc's status indicator says the step (nothing shows on a document without a window)."""
        if self._progress is not None:
            self._progress(text)
        try:
            if self._indicator is None:
                self._indicator = self.doc.CurrentController.Frame.createStatusIndicator()
                self._indicator.start("Pilotage", 0)
            self._indicator.setText(f"Pilotage : {text}")
        except Exception:  # no controller (a document loaded without a view)
            self._indicator = None

    def _end_progress(self) -> None:
        if self._indicator is not None:
            with contextlib.suppress(Exception):
                self._indicator.end()
            self._indicator = None
