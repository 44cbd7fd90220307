"""Writing over a client's file safely (DESIGN.md, "Rules that hold everywhere").

- Refuse while Excel or LibreOffice holds the file open: their lock files
  ``~$NAME`` (Excel) and ``.~lock.NAME#`` (LibreOffice) sit next to it.
- Write atomically: the new content goes to a temporary file in the same
  folder, is flushed to disk (fsync), then ``os.replace`` swaps it in. A crash
  at any point leaves either the old file or the new one, never half of one.
- Keep the previous version: ``FOLDER/.pilotage_backups/STEM.YYYYMMDD-HHMMSS.EXT``
  (local time; ``-2``, ``-3``... when two refreshes fall in the same second),
  the last ``keep`` (5 by default) per file. The backup is a hard link to the
  old file when the file system allows it (no copy, whatever the size), a copy
  otherwise.
- Hold Pilotage's own lock (``file_lock.pilotage_lock``, ``.~pilotage.NAME.lock``)
  while writing, so two runs never interleave; while holding it, remove the
  temporary files a killed run left behind (``.STEM.*.pilotage-tmp``).
- Every failure of the system while writing (disk full, access denied, file
  locked by another program, folder missing, read-only medium) becomes a
  French ``WriteFailedError`` (exit code 4) or ``FileBusyError`` (exit code 3)
  that says the file was not modified and what to do; the temporary file and
  any backup made for this write are removed.

Backup policy, in short (told to users in README.md, « Ce que Pilotage fait de
votre fichier »): one backup per refresh that replaces an existing file, in
``.pilotage_backups`` beside the workbook, named ``STEM.YYYYMMDD-HHMMSS.EXT``,
the 5 most recent kept per workbook; the older ones are deleted by the next
refresh. Pilotage never deletes anything else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from kpicore.model.errors import FileBusyError, InputFileError, WriteFailedError

from .file_lock import pilotage_lock
from .refusals import refusal

BACKUP_DIR_NAME = ".pilotage_backups"
DEFAULT_KEEP = 5


def lock_files(path: Path) -> list[Path]:
    """The lock files of Excel and LibreOffice that would sit next to ``path``."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def check_not_open(path: Path) -> None:
    """Raise ``InputFileError`` when an office application holds ``path`` open."""
    for lock in lock_files(Path(path)):
        if lock.exists():
            app = "Excel" if lock.name.startswith("~$") else "LibreOffice"
            raise refusal(FileBusyError, "file.lock.open_in_app", file=str(path), app=app, lock=lock.name)


def _fsync_dir(folder: Path) -> None:
    # makes the rename itself durable; not possible on every platform (Windows)
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _backup_pattern(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix) + "$")


def list_backups(path: Path, backup_dir: Path | None = None) -> list[Path]:
    """Backups of ``path``, oldest first."""
    path = Path(path)
    folder = backup_dir or path.parent / BACKUP_DIR_NAME
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(path)
    found = []
    for child in folder.iterdir():
        m = pattern.match(child.name)
        if m:
            found.append(((m.group(1), int(m.group(2) or 1)), child))
    return [p for _, p in sorted(found)]


def _make_backup(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        name = f"{path.stem}.{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}"
        target = folder / name
        try:
            os.link(path, target)
            return target
        except FileExistsError:
            n += 1
        except OSError:
            # no hard links here (FAT, some network shares): copy instead
            if target.exists():
                n += 1
                continue
            try:
                shutil.copy2(path, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    target.unlink()  # a half copy (disk full) is no backup
                raise
            return target


# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (another program holds the file)
_WIN_SHARING = (32, 33)


def write_error(exc: OSError, path: Path) -> InputFileError | None:
    """The error for a system failure while writing ``path`` (French in ``str(err)``, both languages in its
    catalogue messages), or None if it has no errno."""
    code = exc.errno
    if getattr(exc, "winerror", None) in _WIN_SHARING or code in (errno.EBUSY, errno.ETXTBSY):
        return refusal(FileBusyError, "file.write.busy", file=str(path))
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return refusal(WriteFailedError, "file.write.disk_full", file=str(path), backups=BACKUP_DIR_NAME)
    if code == errno.EFBIG:
        return refusal(WriteFailedError, "file.write.too_big", file=str(path))
    if code in (errno.EACCES, errno.EPERM):
        return refusal(WriteFailedError, "file.write.denied", file=str(path))
    if code == errno.EROFS:
        return refusal(WriteFailedError, "file.write.read_only_medium", file=str(path))
    if code == errno.ENOENT:
        return refusal(WriteFailedError, "file.write.no_folder", file=str(path))
    if code is not None:
        return refusal(WriteFailedError, "file.write.system", file=str(path), reason=exc.strerror or exc)
    return None


def _remove_orphans(path: Path) -> None:
    """Temporary files a killed run left beside ``path`` (only called under Pilotage's lock)."""
    pattern = re.compile(re.escape(f".{path.stem}.") + r"[^/\\]*\.pilotage-tmp$")
    with contextlib.suppress(OSError):
        for child in path.parent.iterdir():
            if pattern.match(child.name):
                with contextlib.suppress(OSError):
                    child.unlink()


def write_atomically(path: Path, write: Callable[[Path], None], *, backup: bool = True,
                     backup_dir: Path | None = None, keep: int = DEFAULT_KEEP,
                     lock_wait: float = 0.0) -> Path | None:
    """Replace ``path`` by what ``write(tmp_path)`` produces; return the backup made, if any.

    ``write`` receives a temporary path in the same folder and must leave the
    complete new content there. If it raises, or anything fails before the
    final rename, ``path`` is untouched and the temporary file is removed.
    ``lock_wait``: seconds to wait for another Pilotage run holding the file.
    """
    path = Path(path)
    check_not_open(path)
    with pilotage_lock(path, wait=lock_wait):
        _remove_orphans(path)
        return write_locked(path, write, backup=backup, backup_dir=backup_dir, keep=keep)


def ordinary_mode() -> int:
    """The permissions of a file created the usual way: 0o666 less the umask.

    ``tempfile.mkstemp`` creates files readable by their owner only; an output
    renamed from one would stay private (a deck a manager mails, a workbook on
    a shared drive).
    """
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def set_final_mode(tmp: Path | str, path: Path | str) -> None:
    """Give ``tmp`` the mode of the file it will replace, or an ordinary file's mode."""
    if Path(path).exists():
        shutil.copymode(path, tmp)
    else:
        os.chmod(tmp, ordinary_mode())


def publish(tmp: Path | str, path: Path | str) -> None:
    """Put a finished temporary file (same folder) in place of ``path``: its final mode, then one rename."""
    set_final_mode(tmp, path)
    os.replace(tmp, path)


def write_locked(path: Path, write: Callable[[Path], None], *, backup: bool, backup_dir: Path | None,
                 keep: int) -> Path | None:
    """``write`` into a temporary file beside ``path``, then the rename, the lock on ``path`` held."""
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".pilotage-tmp", dir=folder)
    except PermissionError as exc:
        raise refusal(WriteFailedError, "file.write.folder_denied", file=str(path)) from exc
    except OSError as exc:
        raise (write_error(exc, path) or exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    made: Path | None = None
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        set_final_mode(tmp, path)
        # the user may have opened the file while we were writing
        check_not_open(path)
        if backup and path.exists():
            made = _make_backup(path, backup_dir or folder / BACKUP_DIR_NAME)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if made is not None:
            with contextlib.suppress(OSError):
                made.unlink()
        backups = backup_dir or folder / BACKUP_DIR_NAME
        if backup and backups.name == BACKUP_DIR_NAME:
            with contextlib.suppress(OSError):
                backups.rmdir()  # only when empty: a first refresh that failed leaves no trace
        if isinstance(exc, OSError):
            mapped = write_error(exc, path)
            if mapped is not None:
                raise mapped from exc
        raise
    _fsync_dir(folder)
    if made is not None:
        for old in list_backups(path, made.parent)[:-keep] if keep > 0 else []:
            with contextlib.suppress(OSError):
                old.unlink()
    return made
