"""The ribbon's buttons on the open workbook (an ``xlwings.Book``): each runs its action over the xlwings engine.

The action is the command line's own (``addin.actions``): the same company is
read (activity workbooks, edited KPI dictionary), the same lock is taken, the
same sheets are written.  Each function returns the French sentence the
dispatcher (``addin.excel.ribbon``) shows in a message box; a user's mistake raises
``PilotageError``, whose message the dispatcher shows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from addin.engines.xlwings import XlwingsWorkbook
from kpicore.forecast.forecasting import N_SIMS

MAX_PROBLEMS = 4  # a message box shows about 1,000 characters well


def output_folder(book: XlwingsWorkbook) -> Path:
    """Where files made from the workbook go: its own folder, else Documents (a workbook never saved)."""
    folder = book.folder
    if folder is not None and folder.is_dir():
        return folder
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def refresh_live(book, *, now: datetime | None = None, n_sims: int = N_SIMS) -> str:
    from addin.actions.refresh import refresh, summary_fr

    return summary_fr(refresh(XlwingsWorkbook(book), now=now, n_sims=n_sims))


def _deck(book, kind: str) -> str:
    from addin.actions.decks import make_deck

    live = XlwingsWorkbook(book)
    return make_deck(live, kind, output_folder(live)).said


def deck_weekly_live(book) -> str:
    return _deck(book, "weekly")


def deck_monthly_live(book) -> str:
    return _deck(book, "monthly")


def deck_quarterly_live(book) -> str:
    return _deck(book, "quarterly")


def diagnostic_live(book) -> str:
    """The free diagnostic of the open workbook, in « Diagnostic <nom> » beside it (never inside it)."""
    from addin.actions.diagnostic import run_diagnostic

    live = XlwingsWorkbook(book)
    return run_diagnostic(live, base=output_folder(live)).said


def check_live(book) -> str:
    """A short report for a message box: rows per table, the totals, the main problems and their fix."""
    from addin.actions import reports
    from kpicore.text.check import check_summary_text

    found = reports.check(XlwingsWorkbook(book))
    return check_summary_text(found.data, MAX_PROBLEMS, found.language)


def activity_workbook_live(book) -> str:
    from addin.actions.activity import new_activity_workbook

    live = XlwingsWorkbook(book)
    path = new_activity_workbook(live, output_folder(live))
    return (f"Classeur d'activité créé : {path}\nPartagez-le avec les commerciaux (OneDrive, SharePoint) et "
            "indiquez son chemin dans la feuille Paramètres.")
