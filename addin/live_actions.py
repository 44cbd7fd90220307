"""The ribbon's actions on the open workbook (an ``xlwings.Book``), one function per button.

Each reads the workbook's tables live (``addin.live_excel.read_live_grids``:
the book as it is on screen, unsaved edits included), runs the same kpicore
code as the command line, writes through the live engine or to a file next to
the workbook, and returns the French sentence the dispatcher shows in a message
box.  A user's mistake raises ``PilotageError`` (the dispatcher shows its
message); nothing here catches it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from kpicore.dataset import PipelineData
from kpicore.forecast import N_SIMS

MAX_PROBLEMS = 4  # a message box shows about 1,000 characters well


def load_live(book) -> PipelineData:
    """The canonical data of the open workbook."""
    from addin.live_excel import read_live_grids
    from kpicore.ingest import ingest

    return ingest(read_live_grids(book), source=book.name)


def data_date(data: PipelineData) -> date:
    from kpicore.asof import data_today

    return data_today(data).date()


def output_folder(book) -> Path:
    """Where files made from the workbook go: its own folder, else Documents (an unsaved or cloud book)."""
    full = Path(str(book.fullname))
    if full.is_absolute() and full.parent.is_dir():
        return full.parent
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def refresh_live(book, *, now: datetime | None = None, n_sims: int = N_SIMS) -> str:
    from addin.actions import targets_location
    from addin.live_excel import read_live_view_cell, write_cockpit_live
    from kpicore.cockpit import SHEET_NAME, VIEW_CELL, VIEW_LABELS_FR, build_cockpit, resolve_view

    data = load_live(book)
    view = resolve_view(None, read_live_view_cell(book, SHEET_NAME, VIEW_CELL),
                        data.setting("cockpit_view") or data.setting("vue"))
    as_of = data_date(data)
    spec = build_cockpit(data, as_of, view=view, refreshed_at=now or datetime.now().replace(microsecond=0),
                         targets_at=targets_location(data), n_sims=n_sims)
    skipped = write_cockpit_live(book, spec)
    text = f"Cockpit actualisé : vue {VIEW_LABELS_FR[view]}, données au {as_of:%d/%m/%Y}."
    if data.quality.errors:
        text += f"\n{len(data.quality.errors)} ligne(s) exclue(s) : cliquez sur « Vérifier les données »."
    if skipped:
        text += f"\nNon appliqué sur cette plateforme : {', '.join(skipped)}."
    return text


def _deck(book, kind: str) -> str:
    from addin.actions import deck_beside

    return f"Présentation créée : {deck_beside(load_live(book), kind, output_folder(book))}"


def deck_weekly_live(book) -> str:
    return _deck(book, "weekly")


def deck_monthly_live(book) -> str:
    return _deck(book, "monthly")


def check_live(book) -> str:
    """A short report for a message box: rows per table, the totals, the main problems and their fix."""
    from kpicore.quality_text import check_summary_text

    return check_summary_text(load_live(book), MAX_PROBLEMS)


def activity_workbook_live(book) -> str:
    from addin.actions import new_activity_workbook

    path = new_activity_workbook(load_live(book), output_folder(book))
    return (f"Classeur d'activité créé : {path}\nPartagez-le avec les commerciaux (OneDrive, SharePoint) et "
            "indiquez son chemin dans la feuille Paramètres.")
