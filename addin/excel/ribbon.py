"""The ribbon dispatcher: the one Python entry point of every *Pilotage* button.

The VBA dispatcher (``addin/excel/vba/Pilotage.bas``) runs, for the button pressed::

    RunPython "import addin.excel.ribbon as r; r.dispatch('<control id>')"

:func:`dispatch` finds the action in ``addin.excel.ribbon_actions.ACTIONS``, runs it on
the workbook that called (``xlwings.Book.caller()``) and shows the outcome in a
French message box.  It never lets an exception out: xlwings would show the
Python traceback to the user.  A user's mistake (``PilotageError``) is shown as
its message; anything else is a bug, shown as a short French sentence, with the
traceback written to a log file whose path the message gives.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

from addin.excel.ribbon_actions import ACTIONS_BY_ID
from kpicore.model.errors import PilotageError

TITLE = "Pilotage"
MAX_MESSAGE = 1000  # a VBA MsgBox holds about 1,024 characters


def log_path() -> Path:
    """Where unexpected errors are logged: %LOCALAPPDATA%\\Pilotage on Windows, ~/.pilotage elsewhere."""
    base = os.environ.get("LOCALAPPDATA")
    folder = Path(base) / "Pilotage" if base else Path.home() / ".pilotage"
    return folder / "pilotage-addin.log"


def _alert(book, text: str, critical: bool) -> None:
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    try:
        book.app.alert(text, title=TITLE, mode="critical" if critical else "info")
    except Exception:  # no message box to show it in (e.g. a closed book): the log keeps it
        _log(f"message non affiché : {text}")


def _log(text: str) -> Path | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S}\n{text}\n")
        return path
    except OSError:
        return None


def dispatch(control_id: str, book=None) -> str:
    """Run the action of ribbon button ``control_id`` on ``book`` (default: the calling workbook).

    Returns the text shown to the user (tests read it; Excel shows it in a box).
    """
    action = ACTIONS_BY_ID.get(control_id)
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    if action is None or action.kind != "python":
        text = (f"Bouton « {control_id} » inconnu de cette version de Pilotage : réinstallez le complément "
                "(pilotage addin install) pour accorder le ruban et le code Python.")
        _alert(book, text, critical=True)
        return text
    try:
        text = action.function()(book)
        critical = False
    except PilotageError as exc:
        text, critical = f"{action.label} : {exc}", True
    except Exception:
        where = _log(f"{action.id}\n{traceback.format_exc()}")
        text = (f"{action.label} : erreur inattendue de Pilotage, rien n'a été modifié dans vos tables.\n"
                + (f"Détails pour le support : {where}" if where else ""))
        critical = True
    _alert(book, text, critical)
    return text
