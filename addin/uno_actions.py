"""The *Pilotage* menu's actions on an open Calc document, one function per entry of the Excel ribbon.

Same ids, labels and jobs as ``addin.ribbon_actions`` (the Excel ribbon): each
reads the document's tables live (``addin.live_uno.read_uno_grids``: what is on
screen, unsaved edits included), runs the same kpicore code and the same
``addin.actions`` functions as the command line and the Excel add-in, writes
through the UNO engine or to a file next to the document, and returns the
French sentence the menu shows.  ``dispatch`` is what the extension's job
calls: it catches ``PilotageError`` and shows its message in a dialog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from kpicore.cockpit_spec import CockpitSpec
from kpicore.dataset import PipelineData
from kpicore.errors import PilotageError
from kpicore.forecast import N_SIMS

log = logging.getLogger("pilotage.libreoffice")


def load_uno(doc) -> PipelineData:
    """The canonical data of the open document."""
    from addin.live_uno import read_uno_grids
    from kpicore.ingest import ingest

    return ingest(read_uno_grids(doc), source=doc.Title)


def _data_date(data: PipelineData) -> date:
    from kpicore.asof import data_today

    return data_today(data).date()


def output_folder(doc) -> Path:
    """The document's own folder; Documents (or home) for a document never saved."""
    if doc.URL:
        from addin.uno_bridge import import_uno

        folder = Path(import_uno().fileUrlToSystemPath(doc.URL)).parent
        if folder.is_dir():
            return folder
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


@dataclass(frozen=True)
class UnoRefresh:
    text: str  # the French sentence the menu shows
    spec: CockpitSpec
    skipped: tuple[str, ...]  # what the UNO engine approximated or skipped


def refresh_uno_result(doc, *, now: datetime | None = None, n_sims: int = N_SIMS) -> UnoRefresh:
    """Rebuild the Cockpit sheet of the open document from its tables (what the menu entry does)."""
    from addin.actions import targets_location
    from addin.live_uno import read_uno_view_cell, write_cockpit_uno
    from kpicore.cockpit import SHEET_NAME, VIEW_CELL, VIEW_LABELS_FR, build_cockpit, resolve_view

    data = load_uno(doc)
    view = resolve_view(None, read_uno_view_cell(doc, SHEET_NAME, VIEW_CELL),
                        data.setting("cockpit_view") or data.setting("vue"))
    as_of = _data_date(data)
    spec = build_cockpit(data, as_of, view=view, refreshed_at=now or datetime.now().replace(microsecond=0),
                         targets_at=targets_location(data), n_sims=n_sims)
    skipped = write_cockpit_uno(doc, spec)
    text = f"Cockpit actualisé : vue {VIEW_LABELS_FR[view]}, données au {as_of:%d/%m/%Y}."
    if data.quality.errors:
        text += f"\n{len(data.quality.errors)} ligne(s) exclue(s) : choisissez « Vérifier les données »."
    if skipped:
        text += f"\nNon appliqué dans LibreOffice : {', '.join(skipped)}."
    return UnoRefresh(text, spec, tuple(skipped))


def refresh_uno(doc, *, now: datetime | None = None, n_sims: int = N_SIMS) -> str:
    return refresh_uno_result(doc, now=now, n_sims=n_sims).text


def _deck(doc, kind: str) -> str:
    from addin.actions import deck_beside

    return f"Présentation créée : {deck_beside(load_uno(doc), kind, output_folder(doc))}"


def deck_weekly_uno(doc) -> str:
    return _deck(doc, "weekly")


def deck_monthly_uno(doc) -> str:
    return _deck(doc, "monthly")


def check_uno(doc) -> str:
    """The same short report as the Excel ribbon's « Vérifier les données » (same wording)."""
    from addin.live_actions import MAX_PROBLEMS
    from kpicore.quality_text import check_summary_text

    return check_summary_text(load_uno(doc), MAX_PROBLEMS)


def activity_workbook_uno(doc) -> str:
    from addin.actions import new_activity_workbook

    path = new_activity_workbook(load_uno(doc), output_folder(doc))
    return (f"Classeur d'activité créé : {path}\nPartagez-le avec les commerciaux et indiquez son chemin "
            "dans la feuille Paramètres.")


UNO_ACTIONS: dict[str, Callable[..., str]] = {
    "pilotage_refresh": refresh_uno,
    "pilotage_deck_weekly": deck_weekly_uno,
    "pilotage_deck_monthly": deck_monthly_uno,
    "pilotage_check": check_uno,
    "pilotage_activity_workbook": activity_workbook_uno,
}


def menu_actions():
    """The Excel ribbon's Python actions that the LibreOffice menu offers (all but the VBA-only one)."""
    from addin.ribbon_actions import python_actions

    return tuple(a for a in python_actions() if a.id in UNO_ACTIONS)


def dispatch(doc, action_id: str) -> str:
    """Run one menu entry on ``doc``; show the result, or the error in French, and return the text."""
    from addin.live_uno import show_message

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
