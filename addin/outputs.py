"""Where a verb may read and write: one set of rules for every verb of the command line.

``output_file`` is the one place a verb's ``--out`` is decided: a file, or
an existing folder where the verb's default name goes.  It refuses, before
any work, naming the argument:

- an output that is one of the verb's inputs (also through a folder's default
  name): Pilotage never writes over a file it reads, above all the pipeline
  workbook;
- an existing file of another kind than the verb writes (a deck over a
  ``.xlsx``), and, for the verbs that write a workbook, any existing file;
- a name that does not end with the verb's extension (a name with no
  extension is a new folder, made when its parent exists, as ``demo`` and
  ``run`` make theirs);
- an existing folder named like the file (``deck.pptx/``);
- a missing folder (a missing parent of a new one), or one the user may not write into.

``input_file`` checks an input the same way: missing, a folder, or not a file
of the kinds the verb reads.  Messages come from the catalogue
(``kpicore.text.*.cli``, codes ``cli.out.*`` and ``cli.error.input_*``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kpicore.model.errors import UsageError
from kpicore.text.catalogue import say

READABLE = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")  # what the file engine reads (gathering.READABLE)
WORKBOOKS = (".xlsx", ".xlsm")  # what it writes into
READ_ONLY = (".xls", ".ods")  # workbooks read by every verb; a refresh refuses them itself (addin.actions.refresh)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _writable_folder(folder: Path, option: str, language: str) -> None:
    if not folder.is_dir():
        raise UsageError(say("cli.out.folder_missing", language, option=option, folder=str(folder)))
    # a real write, not os.access: an administrator passes os.access on a read-only share or an
    # immutable folder, and a network drive may refuse what the permission bits allow
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".pilotage-probe."):
            pass
    except OSError:
        raise UsageError(say("cli.out.read_only", language, option=option, folder=str(folder))) from None


def output_file(out: str | Path | None, *, option: str, suffix: str | tuple[str, ...], default_name: str,
                language: str, default_folder: Path | None = None, inputs: Iterable[Path | str] = (),
                replace: bool = True) -> Path:
    """The file a verb writes for ``--out`` (``option``) ``out``, or a ``UsageError`` naming it.

    ``suffix``: the extension(s) the verb writes (the first is the one named in
    messages); ``default_name``: the file's name in a folder; ``default_folder``:
    where it goes when ``out`` is None (default: the current folder);
    ``replace=False``: an existing file is refused (a workbook never replaces another).
    """
    suffixes = (suffix,) if isinstance(suffix, str) else tuple(suffix)
    shown = suffixes[0]
    new_folder = False
    if out is None or str(out).strip() == "":
        target = (default_folder or Path(".")) / default_name
    else:
        given = Path(out).expanduser()
        if given.is_dir():
            if given.suffix.lower() in suffixes:
                raise UsageError(say("cli.out.folder_named_like_file", language, option=option, path=str(given),
                                     suffix=shown))
            target = given / default_name
        elif given.suffix.lower() not in suffixes:
            if given.exists():
                raise UsageError(say("cli.out.other_kind", language, option=option, path=str(given), suffix=shown))
            if given.suffix:
                raise UsageError(say("cli.out.wrong_suffix", language, option=option, path=str(given),
                                     suffix=shown))
            # a new folder the user names, as demo and run make theirs: one level only (``prepared``
            # makes it when the verb writes), a missing tree being most often a disconnected drive
            if not given.parent.is_dir():
                raise UsageError(say("cli.out.folder_missing", language, option=option, folder=str(given.parent)))
            _writable_folder(given.parent, option, language)
            target, new_folder = given / default_name, True
        else:
            target = given
    for source in inputs:
        if _same(target, Path(source)):
            raise UsageError(say("cli.out.own_input", language, option=option, path=str(target),
                                 input=Path(source).name))
    if target.is_dir():
        raise UsageError(say("cli.out.folder_named_like_file", language, option=option, path=str(target),
                             suffix=shown))
    if target.exists() and not replace:
        raise UsageError(say("cli.out.exists", language, option=option, path=str(target)))
    if not new_folder:  # a new folder's parent was checked above
        _writable_folder(target.parent, option, language)
    return target


def prepared(target: Path) -> Path:
    """``target`` once its folder exists: the new folder ``output_file`` accepted is made when the verb writes."""
    target.parent.mkdir(exist_ok=True)
    return target


def output_folder(out: str | Path, *, option: str, language: str, create: bool = False) -> Path:
    """A folder a verb writes into (``demo --out``, ``run --out``, ``activity-workbook``).

    ``create``: a missing folder is made when its parent exists (never a whole
    missing tree: most often a disconnected drive).
    """
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(say("cli.out.not_folder", language, option=option, path=str(folder)))
    if not folder.exists():
        parent = folder.parent
        if not create or not parent.is_dir():
            raise UsageError(say("cli.out.folder_missing", language, option=option, folder=str(folder)))
        _writable_folder(parent, option, language)
        return folder
    _writable_folder(folder, option, language)
    return folder


def input_file(path: str | Path, *, option: str, language: str, kinds: tuple[str, ...] = READABLE) -> Path:
    """An input file that exists, is a file, and is of the ``kinds`` the verb reads."""
    given = Path(path).expanduser()
    if not given.exists():
        raise UsageError(say("cli.error.input_missing", language, option=option, file=str(given)))
    if given.is_dir():
        raise UsageError(say("cli.error.input_folder", language, option=option, file=str(given)))
    if given.suffix.lower() not in kinds:
        code = "cli.error.needs_workbook" if given.suffix.lower() in READABLE else "cli.error.input_kind"
        raise UsageError(say(code, language, option=option, file=str(given), kinds=", ".join(kinds)))
    return given
