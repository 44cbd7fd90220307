"""``headless_calc_copy``: a LibreOffice of its own opens the workbook, the copy is saved, nothing is left running.

One test starts LibreOffice (it tests starting and stopping); the refusals
happen before anything starts.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import pytest

pytestmark = pytest.mark.libreoffice


def _descendants(pid: int) -> dict[int, str]:
    """Living processes below ``pid`` (read from /proc), with their command line."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def _gone(pids) -> bool:
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone
        if state != "Z":
            return False
    return True


def _our_soffices() -> dict[int, str]:
    return {p: c for p, c in _descendants(os.getpid()).items() if "soffice" in c or "oosplash" in c}


def test_opens_edits_saves_a_copy_and_stops_its_libreoffice(soffice, demo_workbook, tmp_path):
    import openpyxl

    from addin.engines.uno_session import headless_calc_copy
    from addin.engines.uno_bridge import import_uno

    client = tmp_path / "Pipeline.xlsx"
    shutil.copy(demo_workbook, client)
    before = client.read_bytes()
    copy = tmp_path / "Pipeline-calc.xlsx"
    steps: list[str] = []
    already = set(_our_soffices())  # e.g. the session's shared office

    with headless_calc_copy(client, copy, progress=steps.append) as doc:
        started = {p: c for p, c in _our_soffices().items() if p not in already}
        assert any("pilotage-calc-" in c for c in started.values()), started  # its own profile
        assert not list(tmp_path.glob(".~lock.*"))  # no LibreOffice lock beside the client's file
        assert Path(import_uno().fileUrlToSystemPath(doc.URL)) == client.resolve()  # opened in place
        doc.Sheets.getByName("Affaires").getCellRangeByName("Z1").setString("écrit par UNO")
        assert not copy.exists()  # saved only when the block ends
    deadline = time.monotonic() + 10  # soffice.bin may outlive its launcher by a moment
    while not _gone(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(started), started

    assert client.read_bytes() == before
    assert not list(tmp_path.glob(".~lock.*")) and not list(tmp_path.glob("*.pilotage-tmp"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(copy, read_only=True)
    assert book["Affaires"]["Z1"].value == "écrit par UNO"
    book.close()
    assert steps[0].startswith("Démarrage de LibreOffice") and "Pipeline-calc.xlsx" in steps[-1]

    # a failing action saves nothing and still stops its LibreOffice
    copy2 = tmp_path / "jamais.xlsx"
    with pytest.raises(RuntimeError, match="action en échec"):
        with headless_calc_copy(client, copy2):
            started = {p: c for p, c in _our_soffices().items() if p not in already}
            raise RuntimeError("action en échec")
    deadline = time.monotonic() + 10
    while not _gone(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started and _gone(started), started
    assert not copy2.exists() and client.read_bytes() == before


@pytest.mark.parametrize("target", ["same", "dotted", "link"])
def test_the_workbook_itself_is_refused_as_the_copy(demo_workbook, tmp_path, monkeypatch, target):
    from addin.engines.uno_session import headless_calc_copy
    from kpicore.model.errors import UsageError

    client = tmp_path / "Pipeline.xlsx"
    shutil.copy(demo_workbook, client)
    monkeypatch.chdir(tmp_path)
    out = {"same": client, "dotted": Path("sub/../Pipeline.xlsx")}.get(target)
    if target == "link":
        out = tmp_path / "lien.xlsx"
        os.link(client, out)
    (tmp_path / "sub").mkdir()
    with pytest.raises(UsageError) as err:
        with headless_calc_copy(client, out):
            pytest.fail("LibreOffice must not start")
    assert "LibreOffice réécrit chaque partie du fichier qu'il enregistre : indiquez une copie avec --out" \
        in str(err.value)


def test_a_copy_that_is_not_xlsx_or_has_no_folder_is_refused(demo_workbook, tmp_path):
    from addin.engines.uno_session import check_copy_target
    from kpicore.model.errors import InputFileError, UsageError

    with pytest.raises(UsageError, match=r"\.xlsx"):
        check_copy_target(demo_workbook, tmp_path / "copie.xlsm")
    with pytest.raises(UsageError, match="dossier de la copie est introuvable"):
        check_copy_target(demo_workbook, tmp_path / "absent" / "copie.xlsx")
    with pytest.raises(InputFileError, match="classeur introuvable"):
        check_copy_target(tmp_path / "absent.xlsx", tmp_path / "copie.xlsx")
    assert check_copy_target(demo_workbook, tmp_path / "copie.xlsx") == (demo_workbook, tmp_path / "copie.xlsx")


def test_missing_libreoffice_says_how_to_install_it(demo_workbook, tmp_path, monkeypatch):
    from addin.engines import uno_bridge
    from addin.engines.uno_session import LibreOfficeNotInstalled, headless_calc_copy
    from kpicore.model.errors import PilotageError

    monkeypatch.setattr(uno_bridge, "soffice_path", lambda: None)
    with pytest.raises(LibreOfficeNotInstalled) as err:
        with headless_calc_copy(demo_workbook, tmp_path / "copie.xlsx"):
            pytest.fail("LibreOffice must not start")
    assert isinstance(err.value, PilotageError)
    text = str(err.value)
    assert "LibreOffice est introuvable" in text
    assert "apt-get install libreoffice-calc-nogui python3-uno" in text
    assert "installez LibreOffice depuis libreoffice.org" in text and "https" not in text
    assert not (tmp_path / "copie.xlsx").exists()


def test_missing_uno_bridge_says_how_to_install_it(demo_workbook, tmp_path, monkeypatch):
    from addin.engines import uno_bridge
    from addin.engines.uno_session import LibreOfficeNotInstalled, headless_calc_copy

    def no_bridge():
        try:
            raise ImportError("No module named 'uno'")
        except ImportError:
            raise uno_bridge.UnoMissing("No module named 'uno'") from None

    monkeypatch.setattr(uno_bridge, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(uno_bridge, "import_uno", no_bridge)
    with pytest.raises(LibreOfficeNotInstalled, match="module uno") as err:
        with headless_calc_copy(demo_workbook, tmp_path / "copie.xlsx"):
            pytest.fail("LibreOffice must not start")
    assert "python3-uno" in str(err.value) and "No module named 'uno'" in str(err.value)


def test_refresh_engine_uno_refreshes_a_copy_and_leaves_the_workbook(soffice, demo_workbook, demo_data, tmp_path,
                                                                     capsys):
    """``pilotage refresh FILE --engine uno --out COPY``: the refresh action in a LibreOffice of its own."""
    import openpyxl

    from addin.cli import main

    source = tmp_path / "pipeline.xlsx"
    shutil.copy(demo_workbook, source)
    before = source.read_bytes()
    running = set(_our_soffices())  # the session's own LibreOffice, when other tests started it
    copy = tmp_path / "copie.xlsx"
    assert main(["refresh", str(source), "--engine", "uno", "--out", str(copy)]) == 0
    assert "Cockpit actualisé par LibreOffice" in capsys.readouterr().out
    assert source.read_bytes() == before
    deadline = time.monotonic() + 10  # the one it started is stopped (a bound on its exit, not a timing)
    while set(_our_soffices()) - running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not set(_our_soffices()) - running
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(copy)
        client = openpyxl.load_workbook(source, read_only=True).sheetnames
    assert book.sheetnames == client + ["Cockpit", "Qualité des données", "Correspondances", "_Historique prévisions",
                                        "_Backtest"]
    assert book["Cockpit"]["A1"].value.startswith("Cockpit commercial")
    scopes = 1 + demo_data.reps["team"].nunique() + len(demo_data.reps)
    assert book["_Historique prévisions"].max_row == 1 + 2 * scopes  # header + month and quarter, every scope


def test_refresh_engine_uno_without_a_copy_is_refused_in_french(demo_workbook, capsys):
    from addin.cli import main

    assert main(["refresh", str(demo_workbook), "--engine", "uno"]) != 0
    err = capsys.readouterr().err
    assert "--out" in err and "LibreOffice" in err and "Traceback" not in err
