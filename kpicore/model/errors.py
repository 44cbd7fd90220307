"""One hierarchy of errors; messages say where the problem is and how to fix it.

The CLI and the add-in catch ``PilotageError`` and show its message (in French,
for the end user) with a non-zero exit; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

from kpicore.model.message_lists import chained
from kpicore.model.messages import Message


def place(file: str = "", sheet: str = "", row: int | None = None, column: str = "") -> Message | str | None:
    """Where something is, as the catalogue says it (« Pipeline.xlsx, feuille « Affaires », ligne 3 »):
    the file as typed, then the sheet, the row and the column that are known; None when none is."""
    parts: list[Message | str] = [file] if file else []
    if sheet:
        parts.append(Message.of("quality.place.sheet", sheet=sheet))
    if row is not None:
        parts.append(Message.of("quality.place.row", row=row))
    if column:
        parts.append(Message.of("quality.place.column", column=column))
    return chained("quality.list", parts)


class PilotageError(Exception):
    """Base of every error Pilotage reports to a user."""

    exit_code = 2


class InputFileError(PilotageError):
    """A file that cannot be read or used as it is.

    ``str(err)`` is the full French message: the file, and where known the
    sheet, row and column, then the fix.  ``said`` and ``fix_said``, when the
    raiser gives them, are the same message and fix as catalogue ``Message``s,
    for an edge that speaks another language (``place()`` says where).
    """

    def __init__(self, message: str, *, file: str = "", sheet: str = "", row: int | None = None,
                 column: str = "", fix: str = "", said: Message | None = None,
                 fix_said: Message | None = None) -> None:
        self.file, self.sheet, self.row, self.column, self.fix = file, sheet, row, column, fix
        self.said, self.fix_said = said, fix_said
        where = [p for p in (file, sheet and f"feuille « {sheet} »") if p]
        if row is not None:
            where.append(f"ligne {row}")
        if column:
            where.append(f"colonne « {column} »")
        text = f"{', '.join(where)} : {message}" if where else message
        if fix:
            text += f"\n→ {fix}"
        super().__init__(text)

    @property
    def place(self) -> Message | str | None:
        return place(self.file, self.sheet, self.row, self.column)


class UsageError(PilotageError):
    """A bad argument on the command line or in a formula."""


class FileBusyError(InputFileError):
    """The file is held by someone else (Excel, LibreOffice, another Pilotage run): try again later.

    Nothing was written. A distinct exit code lets a scheduled task retry.
    """

    exit_code = 3


class WriteFailedError(InputFileError):
    """Writing failed (disk full, access denied, folder missing...); the client's file is untouched."""

    exit_code = 4
