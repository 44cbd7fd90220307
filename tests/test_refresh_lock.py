"""A click on « Rafraîchir » while a scheduled run holds the workbook is refused at once, whatever the button.

A scheduled run (``addin.scheduled.run_scheduled``, in a process of its own, with its own lock
wait) holds Pilotage's lock on the workbook for its refresh step; meanwhile a live refresh is tried
through the xlwings engine (over the recording engine), the UNO engine (a real headless
LibreOffice), the Excel ribbon's dispatcher and the Calc menu's. Each is refused with the French
busy message naming the scheduled run's process, and nothing is written: no product sheet in the
live workbook, no write recorded, the file on disk byte for byte as it was, the scheduled run's
lock left in place. The time bound on each attempt is only a guard against a hang.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.recorded import recorded_book
from kpicore.demo.company import DEMO_AS_OF
from kpicore.model.errors import FileBusyError
from workbook_templates.file_lock import lock_path, read_lock

ROOT = Path(__file__).resolve().parents[1]
SIMS = 200
REFUSED_WITHIN = 5.0  # seconds: a hang guard, far under the scheduled run's hold
HOLD = 300  # seconds: the scheduled run lets go by itself after this, should the test never tell it to
PRODUCT_SHEETS = ("Cockpit", "Qualité des données")

# A scheduled run whose refresh step holds the lock until the test closes its stdin.
SCHEDULED = f"""
import select, sys, types
from addin.scheduled import Refreshed, Steps, run_scheduled

def refresh_step(path, today):
    print("held", flush=True)
    select.select([sys.stdin], [], [], {HOLD})
    data = types.SimpleNamespace(quality=types.SimpleNamespace(issues=()), setting=lambda key, default=None: default)
    return Refreshed(data, "tenu pendant le test")

def no_deck(*args):
    raise AssertionError("no deck in a refresh-only run")

code = run_scheduled(sys.argv[1], sys.argv[2], kind="refresh", log_path=sys.argv[3],
                     steps=Steps(refresh_step, no_deck, no_deck))
print("code", code, flush=True)
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def workbook(demo_workbook, tmp_path) -> Path:
    folder = tmp_path / "classeur"
    folder.mkdir()
    path = folder / "pipeline.xlsx"
    shutil.copyfile(demo_workbook, path)
    return path


@pytest.fixture
def scheduled(workbook, tmp_path):
    """A scheduled run in another process, inside its refresh step (holding the lock) until the test ends."""
    proc = subprocess.Popen([sys.executable, "-c", SCHEDULED, str(workbook), str(tmp_path),
                             str(tmp_path / "planifie.log")],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    first = proc.stdout.readline()
    if first.strip() != "held":
        proc.kill()
        out, err = proc.communicate(timeout=60)
        pytest.fail(f"the scheduled run never held the lock:\n{first}{out}{err[-3000:]}")
    try:
        holder = read_lock(lock_path(workbook))
        assert holder is not None and holder.pid == proc.pid
        yield proc
    finally:
        # closing its stdin ends the step: the run lets the lock go and finishes (its output is a few lines)
        if not proc.stdin.closed:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        finally:
            out, err = proc.stdout.read(), proc.stderr.read()
            proc.stdout.close()
            proc.stderr.close()
    assert proc.returncode == 0, err[-3000:]
    assert "code 0" in out
    assert not lock_path(workbook).exists()


def _assert_busy(text: str, scheduled: subprocess.Popen) -> None:
    assert "une autre actualisation Pilotage est en cours sur ce classeur" in text
    assert f"(processus {scheduled.pid} sur {socket.gethostname()}, depuis le " in text
    assert "rien n'a été modifié" in text
    assert "attendez qu'elle se termine puis relancez" in text


def _assert_still_held(workbook: Path, scheduled: subprocess.Popen) -> None:
    """The refused click left the scheduled run's lock alone (it did not take it, nor remove it)."""
    holder = read_lock(lock_path(workbook))
    assert holder is not None and holder.pid == scheduled.pid
    assert scheduled.poll() is None


# ----------------------------------------------------------------------------- Excel (xlwings)
def test_a_refresh_through_the_xlwings_engine_is_refused_at_once(workbook, scheduled):
    from addin.actions.refresh import refresh
    from addin.engines.xlwings import XlwingsWorkbook

    digest, listing = _digest(workbook), _listing(workbook.parent)
    book = recorded_book(workbook)
    rec = book.impl.app.rec
    sheets = [s.name for s in book.sheets]
    started = time.monotonic()
    with pytest.raises(FileBusyError) as err:
        refresh(XlwingsWorkbook(book), as_of=DEMO_AS_OF, n_sims=SIMS)
    assert time.monotonic() - started < REFUSED_WITHIN
    _assert_busy(str(err.value), scheduled)
    assert err.value.exit_code == 3
    assert rec.of_kind("value") == []
    assert rec.ops == []  # not even a status bar line: refused before any step
    assert [s.name for s in book.sheets] == sheets
    assert not set(PRODUCT_SHEETS) & set(sheets)
    _assert_still_held(workbook, scheduled)
    assert _digest(workbook) == digest
    assert _listing(workbook.parent) == listing


def test_the_ribbon_button_shows_the_french_busy_message(workbook, scheduled, tmp_path, monkeypatch):
    from addin.excel.ribbon import dispatch

    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "appdata"))  # where an unexpected error would be logged
    digest, listing = _digest(workbook), _listing(workbook.parent)
    book = recorded_book(workbook)
    rec = book.impl.app.rec
    sheets = [s.name for s in book.sheets]
    started = time.monotonic()
    text = dispatch("pilotage_refresh", book)
    assert time.monotonic() - started < REFUSED_WITHIN
    assert text.startswith("Rafraîchir le cockpit : ")
    _assert_busy(text, scheduled)
    # shown once, as an error, with the same text
    assert book.impl.app.alerts == [{"prompt": text, "title": "Pilotage", "buttons": "ok", "mode": "critical"}]
    assert rec.of_kind("value") == []
    assert [o.kind for o in rec.ops] == ["app.alert"]
    assert [s.name for s in book.sheets] == sheets
    assert not (tmp_path / "appdata").exists()  # a user's situation, not a bug: nothing logged
    _assert_still_held(workbook, scheduled)
    assert _digest(workbook) == digest
    assert _listing(workbook.parent) == listing


# ----------------------------------------------------------------------------- LibreOffice Calc (UNO)
def _assert_document_untouched(doc, sheets: list[str], workbook: Path, listing: list[str],
                               scheduled: subprocess.Popen) -> None:
    """The open document kept its sheets and is not modified; the lock is still the run's; no file appeared."""
    assert list(doc.Sheets.ElementNames) == sheets
    assert not doc.isModified()
    _assert_still_held(workbook, scheduled)
    assert _listing(workbook.parent) == listing


@pytest.mark.libreoffice
def test_a_refresh_through_the_uno_engine_is_refused_at_once(office, workbook, scheduled):
    from addin.actions.refresh import refresh
    from addin.engines.uno import UnoWorkbook

    digest = _digest(workbook)
    doc = office.open(workbook)
    try:
        listing = _listing(workbook.parent)  # with LibreOffice's own lock file, now the document is open
        sheets = list(doc.Sheets.ElementNames)
        started = time.monotonic()
        with pytest.raises(FileBusyError) as err:
            refresh(UnoWorkbook(doc), as_of=DEMO_AS_OF, n_sims=SIMS)
        assert time.monotonic() - started < REFUSED_WITHIN
        _assert_busy(str(err.value), scheduled)
        assert not set(PRODUCT_SHEETS) & set(sheets)
        _assert_document_untouched(doc, sheets, workbook, listing, scheduled)
    finally:
        doc.close(True)
    assert _digest(workbook) == digest


@pytest.mark.libreoffice
def test_the_calc_menu_shows_the_french_busy_message(office, workbook, scheduled, monkeypatch, caplog):
    from addin.calc.uno_actions import dispatch

    monkeypatch.setenv("PILOTAGE_NO_DIALOG", "1")  # the message is logged, no modal box to wait on
    digest = _digest(workbook)
    doc = office.open(workbook)
    try:
        listing = _listing(workbook.parent)
        sheets = list(doc.Sheets.ElementNames)
        started = time.monotonic()
        with caplog.at_level("ERROR", logger="pilotage.libreoffice"):
            text = dispatch(doc, "pilotage_refresh")
        assert time.monotonic() - started < REFUSED_WITHIN
        _assert_busy(text, scheduled)
        assert [(r.levelname, r.getMessage()) for r in caplog.records
                if r.name == "pilotage.libreoffice"] == [("ERROR", text)]
        _assert_document_untouched(doc, sheets, workbook, listing, scheduled)
    finally:
        doc.close(True)
    assert _digest(workbook) == digest
