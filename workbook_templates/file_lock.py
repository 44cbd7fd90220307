"""Pilotage's own advisory lock on a client's workbook: two refreshes never interleave.

A scheduled Monday-morning job and a manager clicking « Rafraîchir » may run
at the same time on the same file. Each run holds ``.~pilotage.NAME.lock``
next to the workbook for the whole of its read-compute-write, so the second
one either waits its turn (``wait`` seconds, polling) or is refused with a
``FileBusyError`` (exit code 3) that says who holds the file since when.

- The lock file is created with ``O_CREAT | O_EXCL`` (atomic on local disks
  and on SMB/NFS shares) and holds one JSON line: pid, host, start time and a
  random token; the holder removes it when done, only if the token is still
  its own.
- A lock is *stale* when its process is gone (same host, pid not alive) or
  when it is older than ``stale_after`` (default 2 hours: a refresh takes
  seconds; a host we cannot ask about keeps the lock until then). A stale lock
  is taken over by renaming it aside first (so two runs cannot both remove
  it), checking the renamed file is the one judged stale, then retrying the
  exclusive create.
- The lock is re-entrant within a thread (a refresh wrapped in the lock
  calls ``write_atomically``, which takes it too): nested holders share it;
  another thread of the same process waits or is refused like another process.

It is advisory: Excel ignores it (Excel's own ``~$NAME`` lock is checked by
``safe_file.check_not_open``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kpicore.model.errors import FileBusyError, WriteFailedError
from kpicore.model.messages import Message

from .refusals import refusal

STALE_AFTER = 2 * 3600.0
_POLL = 0.2
_held: dict[tuple[Path, int], int] = {}  # (workbook, thread) -> nesting depth
_held_guard = threading.Lock()


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    started: float  # epoch seconds
    token: str

    def describe(self) -> Message:
        """Who holds the lock since when, as the catalogue says it in either language."""
        started = datetime.fromtimestamp(self.started)
        return Message.of("file.lock.holder", pid=self.pid, host=self.host or "?", day=started,
                          time=f"{started:%H:%M:%S}")


def lock_path(path: Path | str) -> Path:
    """Where the lock of the workbook ``path`` lives."""
    path = Path(path)
    return path.with_name(f".~pilotage.{path.name}.lock")


def read_lock(lock: Path) -> LockInfo | None:
    """The holder recorded in ``lock``, or None if absent or unreadable (a half-written lock)."""
    try:
        raw = json.loads(lock.read_text(encoding="utf-8"))
        return LockInfo(int(raw["pid"]), str(raw.get("host", "")), float(raw["started"]), str(raw["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours, or we cannot tell: assume alive
    return True


def is_stale(info: LockInfo | None, lock: Path, *, stale_after: float = STALE_AFTER,
             now: float | None = None) -> bool:
    now = time.time() if now is None else now
    if info is None:
        # unreadable: a holder crashed between create and write, or is writing right now;
        # judge by the file's age so a lock being written is not taken
        try:
            return now - lock.stat().st_mtime > 10.0
        except FileNotFoundError:
            return True
    if now - info.started > stale_after:
        return True
    return info.host == socket.gethostname() and info.pid != os.getpid() and not _alive(info.pid)


def _try_create(lock: Path, info: LockInfo) -> bool:
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(fd, json.dumps({"pid": info.pid, "host": info.host, "started": info.started,
                                 "token": info.token}).encode("utf-8"))
    finally:
        os.close(fd)
    return True


def break_stale_lock(lock: Path, judged: LockInfo | None) -> None:
    """Remove a lock judged stale, unless another run replaced it meanwhile."""
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.rename(lock, aside)
    except FileNotFoundError:
        return  # someone else broke it first
    now_there = read_lock(aside)
    if judged is not None and (now_there is None or now_there.token != judged.token):
        # we moved a fresh lock taken after our judgement: put it back if the place is free
        with contextlib.suppress(OSError):
            os.link(aside, lock)
    with contextlib.suppress(OSError):
        aside.unlink()


@contextlib.contextmanager
def pilotage_lock(path: Path | str, *, wait: float = 0.0, stale_after: float = STALE_AFTER) -> Iterator[Path]:
    """Hold Pilotage's lock on the workbook ``path`` for the ``with`` block.

    ``wait``: seconds to wait for another run to finish (0: refuse at once).
    Raises ``FileBusyError`` when the lock stays held, ``WriteFailedError``
    when the lock cannot be created (folder missing or read-only).
    """
    path = Path(path)
    key = (path.resolve(), threading.get_ident())
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield lock_path(path)
        finally:
            with _held_guard:
                _held[key] -= 1
        return

    lock = lock_path(path)
    mine = LockInfo(os.getpid(), socket.gethostname(), time.time(), secrets.token_hex(8))
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            if _try_create(lock, mine):
                break
        except FileNotFoundError:
            raise refusal(WriteFailedError, "file.lock.no_folder", file=str(path)) from None
        except PermissionError:
            raise refusal(WriteFailedError, "file.lock.denied", file=str(path)) from None
        holder = read_lock(lock)
        if is_stale(holder, lock, stale_after=stale_after):
            break_stale_lock(lock, holder)
            continue
        if time.monotonic() >= deadline:
            who = holder.describe() if holder else Message.of("file.lock.holder.unknown")
            raise refusal(FileBusyError, "file.lock.busy", file=str(path), who=who, lock=lock.name)
        time.sleep(min(_POLL, max(deadline - time.monotonic(), 0.01)))
    with _held_guard:
        _held[key] = 1
    try:
        yield lock
    finally:
        with _held_guard:
            _held.pop(key, None)
        now_there = read_lock(lock)
        if now_there is not None and now_there.token == mine.token:
            with contextlib.suppress(OSError):
                lock.unlink()


__all__ = ["LockInfo", "STALE_AFTER", "is_stale", "lock_path", "pilotage_lock", "read_lock"]
