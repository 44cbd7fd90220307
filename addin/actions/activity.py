"""A new shared activity workbook for the reps of one workbook's company."""

from __future__ import annotations

from pathlib import Path

from addin.actions.company import read_company
from addin.engines.protocol import Workbook


def new_activity_workbook(book: Workbook | None, folder: Path, stem: str = "Activités commerciales") -> Path:
    """A new shared activity workbook in ``folder`` (never over an existing file), reps from ``book``."""
    from workbook_templates.activity_workbook import free_path, write_activity_workbook

    reps: list[str] = []
    if book is not None:
        data = read_company(book)
        if len(data.reps):
            reps = sorted(str(r) for r in data.reps["rep"].dropna().unique())
    return write_activity_workbook(free_path(Path(folder), stem), reps)
