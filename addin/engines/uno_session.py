"""A private headless LibreOffice Calc for one run on a file: open the client's workbook, save a copy.

``pilotage refresh FILE --engine uno --out COPY`` runs the UNO engine outside
any Calc the user has open::

    with headless_calc_copy(path_in, copy_out, progress=print) as doc:
        ...  # the action, over the UNO document

- LibreOffice rewrites every part of a file it saves, so the result always
  goes to a copy: a ``copy_out`` that is the workbook itself (same path, a
  link to it) is refused before anything starts, as is a copy whose name
  does not end in ``.xlsx`` (the format it is saved in).
- The soffice started here is our own: a temporary profile (recalculation on
  load, as the tests' converter, and no LibreOffice lock file beside the
  client's workbook, so a killed run leaves nothing that makes the workbook
  look open), a free loopback port (``addin.engines.uno_bridge.Office``). It is
  terminated when the block ends, normally or not.
- The workbook is opened in place, hidden, macros never run, links never
  updated; the document keeps its own location, so what the action resolves
  beside the workbook (its lock, activity workbooks named by relative paths)
  is found. The archive is checked (``archive_guard``) before LibreOffice
  parses it. The client's file is never written.
- On a normal exit the document is saved to ``copy_out`` as .xlsx, atomically
  (``safe_file.write_atomically``: a temporary file, then one rename; an
  existing copy is kept in ``.pilotage_backups``). When the block raises,
  nothing is saved.
- Every refusal or failure a user can fix is a ``PilotageError`` in French.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from addin.engines import uno_bridge
from kpicore.model.errors import InputFileError, PilotageError, UsageError, WriteFailedError

INSTALL_HELP = ("sous Debian ou Ubuntu, apt-get install libreoffice-calc-nogui python3-uno ; "
                "sous Windows ou macOS, installez LibreOffice depuis libreoffice.org")
# com.sun.star.document.MacroExecutionMode.NEVER_EXECUTE, UpdateDocMode.NO_UPDATE
_LOAD = {"MacroExecutionMode": 0, "UpdateDocMode": 0}


class LibreOfficeNotInstalled(PilotageError):
    """LibreOffice (soffice) or its Python bridge (uno) is missing; the message says how to install it."""

    def __init__(self, what: str, detail: str = "") -> None:
        text = (f"{what} : le moteur LibreOffice (--engine uno) en a besoin pour ouvrir le classeur dans Calc. "
                f"Installez-le : {INSTALL_HELP}. Sinon, lancez la commande sans --engine uno "
                "(le moteur fichier n'a pas besoin de LibreOffice).")
        super().__init__(text + (f" Détail : {detail}" if detail else ""))


def require_libreoffice() -> str:
    """The soffice to run; ``LibreOfficeNotInstalled`` when it or the ``uno`` bridge is missing."""
    try:
        exe = uno_bridge.soffice_path()
    except PilotageError:
        exe = None
    if not exe:
        raise LibreOfficeNotInstalled("LibreOffice est introuvable sur cette machine (pas de commande soffice)")
    try:
        uno_bridge.import_uno()
    except uno_bridge.UnoMissing as err:
        detail = err.__context__  # the ImportError
        raise LibreOfficeNotInstalled("Le pont Python de LibreOffice (module uno) est introuvable",
                                      str(detail) if detail else "") from None
    return exe


def _same_file(a: Path, b: Path) -> bool:
    if os.path.normcase(str(a.resolve())) == os.path.normcase(str(b.resolve())):
        return True
    try:
        return b.exists() and os.path.samefile(a, b)  # a hard link, a case-insensitive disk
    except OSError:
        return False


def check_copy_target(path_in: Path, copy_out: Path) -> tuple[Path, Path]:
    """Refuse (French ``UsageError`` / ``InputFileError``) what ``headless_calc_copy`` cannot do.

    Checks only paths, starts nothing: a caller may run it before any work.
    Returns the two paths as ``Path`` objects.
    """
    from workbook_templates.safe_file import check_not_open

    src, out = Path(path_in), Path(copy_out)
    if not src.is_file():
        raise InputFileError("classeur introuvable", file=str(src), fix="vérifiez le chemin du classeur de pipeline.")
    example = f"--out {src.stem}-calc.xlsx"
    if _same_file(src, out):
        raise UsageError(f"La copie demandée ({out}) est le classeur lui-même. LibreOffice réécrit chaque partie "
                         f"du fichier qu'il enregistre : indiquez une copie avec --out (par exemple {example}).")
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"La copie « {out.name} » doit se terminer par .xlsx : LibreOffice l'enregistre au format "
                         f"Excel .xlsx (sans macros). Indiquez par exemple {example}.")
    if out.is_dir():
        raise UsageError(f"--out désigne un dossier ({out}) : indiquez le nom du fichier de la copie, "
                         f"par exemple --out {out / (src.stem + '-calc.xlsx')}.")
    if not out.parent.is_dir():
        raise UsageError(f"Le dossier de la copie est introuvable : {out.parent}. Créez-le, ou indiquez avec --out "
                         "une copie dans un dossier existant.")
    check_not_open(out)
    return src, out


def _open(office: uno_bridge.Office, src: Path):
    try:
        return office.open(src, hidden=True, **_LOAD)
    except PilotageError:
        raise
    except Exception as err:  # com.sun.star.lang.IllegalArgumentException, io.IOException
        raise InputFileError(f"LibreOffice n'a pas pu ouvrir le classeur ({getattr(err, 'Message', '') or err})",
                             file=str(src), fix="ouvrez-le dans Excel ou LibreOffice pour vérifier qu'il est "
                                                "lisible, enregistrez-le à nouveau en .xlsx, puis relancez.") from None


def _save(doc: Any, out: Path) -> None:
    from workbook_templates.safe_file import write_atomically

    def store(tmp: Path) -> None:
        try:
            uno_bridge.store_as_xlsx(doc, tmp)
        except Exception as err:  # com.sun.star.task.ErrorCodeIOException and kin
            raise WriteFailedError(f"LibreOffice n'a pas pu enregistrer la copie "
                                   f"({getattr(err, 'Message', '') or err}) ; le classeur d'origine n'a pas changé",
                                   file=str(out), fix="vérifiez l'espace disque et les droits sur le dossier de "
                                                      "la copie, puis relancez.") from None

    write_atomically(out, store)


@contextlib.contextmanager
def headless_calc_copy(path_in: Path, copy_out: Path, *,
                       progress: Callable[[str], None] | None = None) -> Iterator[Any]:
    """Open ``path_in`` in a headless LibreOffice of our own; yield the Calc document; save it to ``copy_out``.

    The copy is written (.xlsx) only when the block ends without an exception.
    The document is closed and the soffice started here terminated in every
    case. ``progress`` receives one French line per step.
    Raises ``UsageError`` (``copy_out`` is the workbook, or no .xlsx),
    ``InputFileError`` (the workbook is missing, unsafe or unreadable),
    ``LibreOfficeNotInstalled``, ``WriteFailedError`` / ``FileBusyError`` (the copy).
    """
    from workbook_templates.archive_guard import check_archive
    from workbook_templates.libreoffice import make_profile

    src, out = check_copy_target(path_in, copy_out)
    check_archive(src)
    require_libreoffice()
    say = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="pilotage-calc-") as tmp:
        profile = Path(tmp) / "profile"
        make_profile(profile, lock_documents=False)
        say("Démarrage de LibreOffice (sans fenêtre)…")
        office = uno_bridge.Office(profile)
        try:
            say(f"Ouverture de {src.name} dans LibreOffice…")
            doc = _open(office, src)
            yield doc
            say(f"Enregistrement de la copie {out}…")
            _save(doc, out)
            with contextlib.suppress(Exception):  # the block may have closed it already
                doc.close(True)
        finally:
            office.close()
