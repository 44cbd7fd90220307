"""The *Pilotage* menu's actions on an open Calc document, one function per entry of the Excel ribbon.

Same ids, labels and jobs as ``addin.excel.ribbon_actions`` (the Excel ribbon): each
runs the command line's own action (``addin.actions``) over the UNO engine
(what is on screen, unsaved edits included), and returns the French sentence
the menu shows.  ``dispatch`` is what the extension's job
calls: it catches ``PilotageError`` and shows its message in a dialog.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Callable

from addin.engines.uno import UnoWorkbook
from kpicore.model.errors import PilotageError
from kpicore.forecast.forecasting import N_SIMS

log = logging.getLogger("pilotage.libreoffice")


def output_folder(doc) -> Path:
    """The document's own folder; Documents (or home) for a document never saved."""
    folder = UnoWorkbook(doc).folder
    if folder is not None and folder.is_dir():
        return folder
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def refresh_uno_outcome(doc, *, now: datetime | None = None, n_sims: int = N_SIMS):
    """Refresh the open document (what the menu entry does); the action's ``RefreshOutcome``."""
    from addin.actions.refresh import refresh

    return refresh(UnoWorkbook(doc), now=now, n_sims=n_sims)


def refresh_uno(doc, *, now: datetime | None = None, n_sims: int = N_SIMS) -> str:
    from addin.actions.refresh import summary_fr

    return summary_fr(refresh_uno_outcome(doc, now=now, n_sims=n_sims))


def _deck(doc, kind: str) -> str:
    from addin.actions.decks import make_deck

    return make_deck(UnoWorkbook(doc), kind, output_folder(doc)).said


def deck_weekly_uno(doc) -> str:
    return _deck(doc, "weekly")


def deck_monthly_uno(doc) -> str:
    return _deck(doc, "monthly")


def deck_quarterly_uno(doc) -> str:
    return _deck(doc, "quarterly")


def diagnostic_uno(doc) -> str:
    """The same diagnostic as the Excel ribbon's « Diagnostic », beside the document."""
    from addin.actions.diagnostic import run_diagnostic

    return run_diagnostic(UnoWorkbook(doc), base=output_folder(doc)).said


def check_uno(doc) -> str:
    """The same short report as the Excel ribbon's « Vérifier les données » (same wording)."""
    from addin.actions import reports
    from addin.excel.live_actions import MAX_PROBLEMS
    from kpicore.text.check import check_summary_text

    found = reports.check(UnoWorkbook(doc))
    return check_summary_text(found.data, MAX_PROBLEMS, found.language)


def activity_workbook_uno(doc) -> str:
    from addin.actions.activity import new_activity_workbook

    path = new_activity_workbook(UnoWorkbook(doc), output_folder(doc))
    return (f"Classeur d'activité créé : {path}\nPartagez-le avec les commerciaux et indiquez son chemin "
            "dans la feuille Paramètres.")


UNO_ACTIONS: dict[str, Callable[..., str]] = {
    "pilotage_refresh": refresh_uno,
    "pilotage_deck_weekly": deck_weekly_uno,
    "pilotage_deck_monthly": deck_monthly_uno,
    "pilotage_deck_quarterly": deck_quarterly_uno,
    "pilotage_diagnostic": diagnostic_uno,
    "pilotage_check": check_uno,
    "pilotage_activity_workbook": activity_workbook_uno,
}


def menu_actions():
    """The Excel ribbon's Python actions that the LibreOffice menu offers (all but the VBA-only one)."""
    from addin.excel.ribbon_actions import python_actions

    return tuple(a for a in python_actions() if a.id in UNO_ACTIONS)


def dispatch(doc, action_id: str) -> str:
    """Run one menu entry on ``doc``; show the result, or the error in French, and return the text."""
    from addin.engines.live_uno import show_message

    if action_id not in UNO_ACTIONS:
        text = f"Action Pilotage inconnue : {action_id}."
        show_message(doc, text, error=True)
        return text
    try:
        text = UNO_ACTIONS[action_id](doc)
    except PilotageError as err:
        show_message(doc, str(err), error=True)
        return str(err)
    except Exception as err:  # a bug: the user still gets a sentence, the log keeps the traceback
        log.exception("action %s", action_id)
        text = f"Erreur inattendue de Pilotage ({type(err).__name__}) : {err}"
        show_message(doc, text, error=True)
        return text
    show_message(doc, text)
    return text
