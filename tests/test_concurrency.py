"""Two refreshes of one workbook at once (a scheduled job and a manager): they serialise or the second
is refused, never interleave; Pilotage's lock file and its stale-lock detection.

The refreshes run in separate processes, each a real refresh of the demo workbook through the file engine.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from kpicore.model.errors import FileBusyError
from workbook_templates import file_lock, safe_file
from workbook_templates.file_lock import LockInfo, is_stale, lock_path, pilotage_lock, read_lock

ROOT = Path(__file__).resolve().parents[1]
HANG = 300  # seconds: a bound against a hang (two refreshes one after the other on a busy machine)

REFRESH = """
import contextlib, json, sys, time
from workbook_templates import file_lock
from kpicore.model.errors import PilotageError

real = file_lock.pilotage_lock
held = []

@contextlib.contextmanager
def recording(path, **kw):
    with real(path, **kw) as lock:
        start = time.time()
        try:
            yield lock
        finally:
            held.append([start, time.time()])

file_lock.pilotage_lock = recording
from addin.actions.refresh import refresh
from addin.engines.file import FileWorkbook
try:
    outcome = refresh(FileWorkbook({path!r}, lock_wait={wait}, progress=None), n_sims=200)
except PilotageError as err:
    print(json.dumps({{"type": type(err).__name__, "code": err.exit_code, "message": str(err)}}))
else:
    print(json.dumps({{"type": None, "held": held, "backup": str(outcome.backup)}}))
"""


def _start(path: Path, wait: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", REFRESH.format(path=str(path), wait=wait)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).sheet_names


@pytest.fixture
def workbook(demo_workbook, tmp_path) -> Path:
    path = tmp_path / "pipeline.xlsx"
    shutil.copyfile(demo_workbook, path)
    return path


def test_a_second_refresh_is_refused_while_one_holds_the_file(workbook):
    before = workbook.read_bytes()
    with pilotage_lock(workbook):
        result = _result(_start(workbook, wait=0))
    assert result["type"] == "FileBusyError" and result["code"] == 3
    assert f"processus {os.getpid()}" in result["message"]
    assert workbook.read_bytes() == before


def test_a_second_refresh_waits_its_turn(workbook):
    before = workbook.read_bytes()
    with pilotage_lock(workbook):
        proc = _start(workbook, wait=HANG)
        time.sleep(2.0)
        # still waiting on the lock: it has not written anything
        assert proc.poll() is None
        assert workbook.read_bytes() == before
    result = _result(proc)
    assert result["type"] is None
    assert Path(result["backup"]).read_bytes() == before
    assert "Cockpit" in _sheets(workbook)


def test_two_refreshes_at_once_never_interleave(workbook):
    before = workbook.read_bytes()
    first, second = _start(workbook, wait=HANG), _start(workbook, wait=HANG)
    results = [_result(first), _result(second)]
    assert [r["type"] for r in results] == [None, None]
    (a_start, a_end), (b_start, b_end) = sorted(r["held"][0] for r in results)
    assert a_end <= b_start  # one after the other, never both inside
    backups = safe_file.list_backups(workbook)
    assert len(backups) == 2
    # the first backup is the original; the second is the first refresh's complete output
    assert backups[0].read_bytes() == before
    for version in (backups[1], workbook):
        with zipfile.ZipFile(version) as z:
            assert z.testzip() is None
        assert "Cockpit" in _sheets(version)
    assert not lock_path(workbook).exists()


def test_threads_of_one_process_also_exclude_each_other(tmp_path):
    target = tmp_path / "pipeline.xlsx"
    target.write_bytes(b"x")
    inside = []
    errors = []

    def work(n):
        try:
            with pilotage_lock(target, wait=30):
                inside.append(("in", n))
                time.sleep(0.2)
                inside.append(("out", n))
        except FileBusyError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # every "in" is followed by the "out" of the same thread
    assert [inside[i][1] for i in range(0, 6, 2)] == [inside[i][1] for i in range(1, 6, 2)]
    assert [kind for kind, _ in inside] == ["in", "out"] * 3


def test_the_lock_is_reentrant_in_one_thread(tmp_path):
    target = tmp_path / "pipeline.xlsx"
    with pilotage_lock(target) as lock:
        with pilotage_lock(target):
            assert lock.exists()
        assert lock.exists()  # the inner exit does not release the outer hold
    assert not lock.exists()


def test_lock_records_who_holds_it(tmp_path):
    target = tmp_path / "pipeline.xlsx"
    with pilotage_lock(target) as lock:
        assert lock.name == ".~pilotage.pipeline.xlsx.lock"
        info = read_lock(lock)
        assert info.pid == os.getpid() and info.host == socket.gethostname()
        assert abs(info.started - time.time()) < 60


def test_stale_locks(tmp_path):
    lock = tmp_path / ".~pilotage.x.xlsx.lock"
    lock.write_text("{}", encoding="utf-8")
    now = time.time()
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert is_stale(LockInfo(dead.pid, host, now, "t"), lock, now=now)  # its process is gone
    assert not is_stale(LockInfo(os.getppid(), host, now, "t"), lock, now=now)  # alive
    # another machine (a network share): only age tells; two hours by default
    assert not is_stale(LockInfo(1, "autre-poste", now - 3600, "t"), lock, now=now)
    assert is_stale(LockInfo(1, "autre-poste", now - 7201, "t"), lock, now=now)
    # unreadable (a run killed between creating and filling it): stale after ten seconds
    os.utime(lock, (now - 5, now - 5))
    assert not is_stale(None, lock, now=now)
    os.utime(lock, (now - 11, now - 11))
    assert is_stale(None, lock, now=now)


def test_a_dead_runs_lock_is_taken_over(tmp_path):
    target = tmp_path / "pipeline.xlsx"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = lock_path(target)
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": time.time(),
                                "token": "dead"}), encoding="utf-8")
    with pilotage_lock(target):
        assert read_lock(lock).pid == os.getpid()
    assert not lock.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the aside copy of the stale lock is gone too


def test_a_fresh_lock_taken_during_the_takeover_is_put_back(tmp_path):
    lock = tmp_path / ".~pilotage.x.xlsx.lock"
    judged = LockInfo(1, "h", 0.0, "old")
    fresh = {"pid": 2, "host": "h", "started": time.time(), "token": "new"}
    lock.write_text(json.dumps(fresh), encoding="utf-8")  # someone replaced the stale lock meanwhile
    file_lock.break_stale_lock(lock, judged)
    assert read_lock(lock).token == "new"
    assert [p.name for p in tmp_path.iterdir()] == [lock.name]
