"""Faults while writing the client's workbook: it stays byte-identical every time, and the message
(French) says what happened and what to do.

Tests run as root here, so ``chmod`` alone does not deny a write: access denied
is simulated by making ``os.replace`` / ``tempfile.mkstemp`` raise
``PermissionError`` (a read-only bind mount would need a mount namespace).
A full disk is real: ``RLIMIT_FSIZE`` in a subprocess makes the kernel refuse
the write (EFBIG; Python ignores SIGXFSZ), no root needed.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import support.security_corpus as corpus
from kpicore.model.errors import FileBusyError, InputFileError, WriteFailedError
from workbook_templates import file_lock, safe_file
from workbook_templates.package import SheetPart, replace_sheets

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = {"Cockpit": SheetPart(lambda wb, ws: ws.write_string(0, 0, "Cockpit"))}
HANG = 120  # seconds, a safety bound against a hang only


@pytest.fixture
def client(tmp_path) -> Path:
    folder = tmp_path / "classeurs"
    folder.mkdir()
    # 2,000 deals: the client's file (~45 kB) is far bigger than the scratch of one product sheet (~5 kB)
    rows = [[f"D-{i}", f"Client {i}", "Alice", "Proposition", 1000 + i, "2026-01-05"] for i in range(2000)]
    return corpus.base_workbook(folder / "pipeline.xlsx", rows)


def _others(client: Path) -> list[str]:
    """Everything in the client's folder except the workbook itself."""
    return sorted(str(p.relative_to(client.parent)) for p in client.parent.rglob("*") if p != client)


def _child(body: str, *, preexec=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", body], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=preexec)


REFRESH = """
import json, sys
from pathlib import Path
from kpicore.model.errors import PilotageError
from workbook_templates.package import SheetPart, replace_sheets
try:
    replace_sheets(Path({path!r}), {{"Cockpit": SheetPart(lambda wb, ws: ws.write_string(0, 0, "Cockpit"))}})
except PilotageError as err:
    print(json.dumps({{"type": type(err).__name__, "message": str(err), "code": err.exit_code}}))
else:
    print(json.dumps({{"type": None}}))
"""


def test_disk_full_through_rlimit_fsize(client):
    before = client.read_bytes()
    scratch_size = 6 * 1024  # the scratch workbook (one tiny sheet) stays under the limit ...
    limit = 20 * 1024  # ... the new client file (> 45 kB) cannot be written
    assert len(before) > 2 * limit

    def limit_file_size():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = _child(REFRESH.format(path=str(client)), preexec=limit_file_size)
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["type"] == "WriteFailedError" and result["code"] == 4
    assert "taille de fichier maximale atteinte" in result["message"]
    assert "le classeur n'a pas été modifié" in result["message"] and str(client) in result["message"]
    assert scratch_size < limit
    assert client.read_bytes() == before
    assert _others(client) == []  # no temporary file, no backup, no lock left


def test_no_space_left_while_writing(client, monkeypatch):
    before = client.read_bytes()
    real = safe_file.write_locked

    def full_disk(path, write, **kw):
        def failing(tmp):
            write(tmp)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, failing, **kw)

    monkeypatch.setattr(safe_file, "write_locked", full_disk)
    with pytest.raises(WriteFailedError, match="espace disque insuffisant") as err:
        replace_sheets(client, PRODUCT)
    assert "libérez de la place" in str(err.value)
    assert client.read_bytes() == before
    assert _others(client) == []


def test_permission_denied_on_the_rename(client, monkeypatch):
    before = client.read_bytes()

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(safe_file.os, "replace", denied)
    with pytest.raises(WriteFailedError, match="accès refusé") as err:
        replace_sheets(client, PRODUCT)
    assert err.value.exit_code == 4
    assert client.read_bytes() == before
    assert _others(client) == []  # the backup made for this write is removed too


def test_permission_denied_on_the_folder(client, monkeypatch):
    before = client.read_bytes()

    real = tempfile.mkstemp

    def denied(*args, **kwargs):
        if Path(kwargs.get("dir") or "") == client.parent:  # only the client's folder refuses
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(safe_file.tempfile, "mkstemp", denied)
    with pytest.raises(WriteFailedError, match="accès refusé"):
        replace_sheets(client, PRODUCT)
    assert client.read_bytes() == before
    assert _others(client) == []


def test_file_locked_by_another_program_on_windows(client, monkeypatch):
    # Windows refuses the rename with a sharing violation (winerror 32) while a program holds the file
    before = client.read_bytes()

    def sharing_violation(src, dst):
        exc = PermissionError(errno.EACCES, "The process cannot access the file")
        exc.winerror = 32
        raise exc

    monkeypatch.setattr(safe_file.os, "replace", sharing_violation)
    with pytest.raises(FileBusyError, match="utilisé par un autre programme") as err:
        replace_sheets(client, PRODUCT)
    assert err.value.exit_code == 3
    assert client.read_bytes() == before
    assert _others(client) == []


@pytest.mark.parametrize("lock_name, app", [("~$pipeline.xlsx", "Excel"), (".~lock.pipeline.xlsx#", "LibreOffice")])
def test_file_open_in_an_office_application(client, lock_name, app):
    before = client.read_bytes()
    (client.parent / lock_name).write_bytes(b"x")
    with pytest.raises(FileBusyError, match=f"ouvert dans {app}") as err:
        replace_sheets(client, PRODUCT)
    assert err.value.exit_code == 3
    assert client.read_bytes() == before
    assert _others(client) == [lock_name]


def test_file_held_by_another_pilotage_run(client):
    before = client.read_bytes()
    holder = _child("import time; time.sleep(60)")
    try:
        lock = file_lock.lock_path(client)
        lock.write_text(json.dumps({"pid": holder.pid, "host": __import__("socket").gethostname(),
                                    "started": time.time(), "token": "other"}), encoding="utf-8")
        with pytest.raises(FileBusyError, match=f"une autre actualisation Pilotage est en cours.*{holder.pid}") as e:
            replace_sheets(client, PRODUCT)
        assert lock.name in str(e.value)  # the fix names the lock file to remove if nothing runs
        assert client.read_bytes() == before
        assert lock.exists()  # another run's lock is not ours to remove
    finally:
        holder.kill()
        holder.communicate()


def test_output_folder_missing(client, tmp_path):
    before = client.read_bytes()
    with pytest.raises(WriteFailedError, match="dossier du classeur est introuvable") as err:
        replace_sheets(client, PRODUCT, tmp_path / "absent" / "copie.xlsx")
    assert "lecteur réseau" in str(err.value)
    assert client.read_bytes() == before
    assert not (tmp_path / "absent").exists()


KILLED = """
import os, sys, time
from pathlib import Path
from workbook_templates import safe_file
from workbook_templates.package import SheetPart, replace_sheets

def stop_before_rename(src, dst):
    Path({marker!r} + ".part").write_text(str(src))
    os.rename({marker!r} + ".part", {marker!r})  # os.replace is the function patched here
    time.sleep(600)  # SIGKILLed here, between the complete write and the rename

safe_file.os.replace = stop_before_rename
replace_sheets(Path({path!r}), {{"Cockpit": SheetPart(lambda wb, ws: ws.write_string(0, 0, "Cockpit"))}})
"""


def test_killed_between_write_and_rename(client, tmp_path):
    before = client.read_bytes()
    marker = tmp_path / "written"
    proc = _child(KILLED.format(marker=str(marker), path=str(client)))
    try:
        deadline = time.monotonic() + HANG
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read()[-3000:]
            assert time.monotonic() < deadline, "the child never reached the rename"
            time.sleep(0.05)
        tmp = Path(marker.read_text())
        assert tmp.stat().st_size > 0  # the new content was fully written ...
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    # ... and the client's file did not change
    assert client.read_bytes() == before
    lock = file_lock.lock_path(client)
    assert lock.exists() and tmp.exists()  # what the killed run left behind
    # the next run takes over the dead run's lock and removes its temporary file
    result = replace_sheets(client, PRODUCT)
    assert result.backup is not None and result.backup.read_bytes() == before
    assert not tmp.exists() and not lock.exists()
    assert [p for p in _others(client) if p.endswith(".pilotage-tmp")] == []


def test_message_for_every_errno_says_the_file_was_not_modified(tmp_path):
    path = tmp_path / "pipeline.xlsx"
    for code in (errno.ENOSPC, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.EIO):
        err = safe_file.write_error(OSError(code, os.strerror(code)), path)
        assert isinstance(err, WriteFailedError) and err.exit_code == 4
        assert "le classeur n'a pas été modifié" in str(err) and "\n→ " in str(err)
    busy = safe_file.write_error(OSError(errno.EBUSY, "busy"), path)
    assert isinstance(busy, FileBusyError) and busy.exit_code == 3
    assert safe_file.write_error(OSError("no errno"), path) is None  # left as it is: a bug, not a user fault


def test_stale_temporary_files_of_other_workbooks_are_left(client):
    other = client.parent / ".autre.x1.pilotage-tmp"
    other.write_bytes(b"x")
    mine = client.parent / f".{client.stem}.abc.pilotage-tmp"
    mine.write_bytes(b"x")
    replace_sheets(client, PRODUCT)
    assert other.exists() and not mine.exists()


def test_refusals_are_input_errors_for_existing_callers():
    # callers that catch InputFileError (the CLI, the ribbon) still catch the new kinds
    assert issubclass(WriteFailedError, InputFileError) and issubclass(FileBusyError, InputFileError)


def test_disk_full_while_copying_the_backup(client, monkeypatch):
    # no hard links on this volume (FAT, some shares): the backup is a copy, and the disk fills up during it
    before = client.read_bytes()

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    def half_copy(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_file.os, "link", no_links)
    monkeypatch.setattr(safe_file.shutil, "copy2", half_copy)
    with pytest.raises(WriteFailedError, match="espace disque insuffisant"):
        replace_sheets(client, PRODUCT)
    assert client.read_bytes() == before
    assert _others(client) == []  # neither the half backup nor the temporary file remains
