"""A refused file as an ``InputFileError`` that speaks both languages.

The reader, the archive guard and the locks refuse a file from a catalogue
code (``kpicore.text.*.files``): ``str(err)`` stays the French text other code
and the logs rely on, while ``said``/``fix_said`` carry the same message and
fix as ``Message``s, so that an English edge (``kpicore.text.check.error_text``)
says them in English.  A code's fix is the code followed by ``.fix``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from kpicore.model.errors import InputFileError
from kpicore.model.messages import Message
from kpicore.text.catalogue import render

Refusal = TypeVar("Refusal", bound=InputFileError)


def refusal(kind: type[Refusal], code: str, /, *, file: str, **figures: Any) -> Refusal:
    """``kind`` (``InputFileError``, ``FileBusyError``, ``WriteFailedError``) for the file named ``file``:
    the message of ``code`` and the fix of ``code.fix``, both filled with ``figures``."""
    said = Message.of(code, **figures)
    fix_said = Message.of(f"{code}.fix", **figures)
    return kind(render(said, "fr"), file=file, fix=render(fix_said, "fr"), said=said, fix_said=fix_said)
