"""``local_workbook_path``: an Excel full name that is a OneDrive or SharePoint address, mapped to the synced file.

Temporary folders stand in for the folders the OneDrive client syncs; the
environment and the home folder are passed in, so nothing of the machine's
own is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONSUMER = "https://d.docs.live.net/4f2a9c1b7e/Documents/Pipeline.xlsx"
COMMERCIAL = "https://contoso-my.sharepoint.com/personal/jean_contoso_fr/Documents/Pipeline.xlsx"
SHAREPOINT = "https://contoso.sharepoint.com/sites/Ventes/Shared Documents/Pipeline.xlsx"


def _file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK")
    return path


def _local(fullname: str, home: Path, env: dict[str, str] | None = None, **kw) -> Path:
    from addin.engines.cloud import local_workbook_path

    return local_workbook_path(fullname, env=env or {}, home=home, **kw)


def test_a_local_full_name_is_the_path(tmp_path):
    assert _local(str(tmp_path / "Pipeline.xlsx"), tmp_path) == tmp_path / "Pipeline.xlsx"
    assert _local(r"C:\Users\jean\Pipeline.xlsx", tmp_path, platform="win32") == Path(r"C:\Users\jean\Pipeline.xlsx")
    assert _local(r"\\serveur\ventes\Pipeline.xlsx", tmp_path, platform="win32") \
        == Path(r"\\serveur\ventes\Pipeline.xlsx")


def test_onedrive_personal_by_environment_and_default_folders(tmp_path):
    home = tmp_path / "home"
    elsewhere = _file(tmp_path / "D" / "OneDrive" / "Documents" / "Pipeline.xlsx")
    assert _local(CONSUMER, home, {"OneDriveConsumer": str(tmp_path / "D" / "OneDrive")}) == elsewhere
    assert _local(CONSUMER, home, {"OneDrive": str(tmp_path / "D" / "OneDrive")}) == elsewhere
    default = _file(home / "OneDrive" / "Documents" / "Pipeline.xlsx")
    assert _local(CONSUMER, home) == default
    mac = _file(home / "Library" / "CloudStorage" / "OneDrive-Personal" / "Documents" / "Pipeline.xlsx")
    assert _local(CONSUMER, home, platform="darwin") == mac


def test_onedrive_for_business_by_environment_and_default_folders(tmp_path):
    home = tmp_path / "home"
    # the Documents library of /personal/<user>/ is the root of "OneDrive - Contoso"
    business = _file(home / "OneDrive - Contoso" / "Pipeline.xlsx")
    assert _local(COMMERCIAL, home, {"OneDriveCommercial": str(home / "OneDrive - Contoso")}) == business
    assert _local(COMMERCIAL, home) == business  # found beside the home folder's other files
    nested = _file(home / "OneDrive - Contoso" / "Ventes" / "2026" / "Pipeline T4.xlsx")
    url = "https://contoso-my.sharepoint.com/personal/jean_contoso_fr/Documents/Ventes/2026/Pipeline%20T4.xlsx"
    assert _local(url, home) == nested  # percent-encoded or not, as Excel gives it
    mac_home = tmp_path / "mac"
    mac = _file(mac_home / "Library" / "CloudStorage" / "OneDrive-Contoso" / "Pipeline.xlsx")
    _file(mac_home / "Library" / "CloudStorage" / "OneDrive-SharedLibraries-Contoso" / "Pipeline.xlsx")
    assert _local(COMMERCIAL, mac_home, platform="darwin") == mac


def test_sharepoint_site_library_synced_beside_onedrive(tmp_path):
    home = tmp_path / "home"
    env = {"OneDriveCommercial": str(home / "OneDrive - Contoso")}
    (home / "OneDrive - Contoso").mkdir(parents=True)
    library = _file(home / "Contoso" / "Ventes - Documents" / "Pipeline.xlsx")
    assert _local(SHAREPOINT, home, env) == library
    assert _local(SHAREPOINT.replace("Shared Documents", "Shared%20Documents"), home, env) == library
    assert _local(SHAREPOINT.replace("/sites/", "/teams/"), home, env) == library
    # without the variable, the organisation's folder beside "OneDrive - Contoso" is found too
    assert _local(SHAREPOINT, home) == library


def test_sharepoint_site_whose_name_has_spaces_and_a_subfolder_synced_alone(tmp_path):
    home = tmp_path / "home"
    (home / "OneDrive - Contoso").mkdir(parents=True)
    # « Ventes France » is VentesFrance in the address; « Documents partagés » is the French library name
    whole = _file(home / "Contoso" / "Ventes France - Documents partagés" / "Régions" / "Pipeline.xlsx")
    base = "https://contoso.sharepoint.com/sites/VentesFrance/Documents%20partages"
    assert _local(f"{base}/R%C3%A9gions/Pipeline.xlsx", home) == whole
    # two subfolders synced on their own, each with a Pipeline.xlsx: the address says which
    q3 = _file(home / "Contoso" / "Ventes France - T3" / "Pipeline.xlsx")
    q4 = _file(home / "Contoso" / "Ventes France - T4" / "Pipeline.xlsx")
    assert _local(f"{base}/T4/Pipeline.xlsx", home) == q4
    assert _local(f"{base}/T3/Pipeline.xlsx", home) == q3
    mac_home = tmp_path / "mac"
    mac = _file(mac_home / "Library" / "CloudStorage" / "OneDrive-SharedLibraries-Contoso"
                / "Ventes - Documents" / "Pipeline.xlsx")
    assert _local(SHAREPOINT, mac_home, platform="darwin") == mac


def test_sharepoint_last_resort_is_the_one_file_of_that_name_in_the_sites_folders(tmp_path):
    home = tmp_path / "home"
    (home / "OneDrive - Contoso").mkdir(parents=True)
    moved = _file(home / "Contoso" / "Ventes - Documents" / "Archives" / "Pipeline.xlsx")
    assert _local(SHAREPOINT, home) == moved
    _file(home / "Contoso" / "Ventes - Documents" / "Copie" / "Pipeline.xlsx")
    from addin.engines.cloud import WorkbookNotLocal

    with pytest.raises(WorkbookNotLocal):  # two candidates: none is guessed
        _local(SHAREPOINT, home)


def test_xlwings_settings_from_the_workbook_sheet_and_the_user_file(tmp_path):
    home = tmp_path / "home"
    synced = _file(tmp_path / "E" / "Contoso SA" / "Ventes - Documents" / "Pipeline.xlsx")
    settings = {"SHAREPOINT_WIN": r"%DATA%/Contoso SA"}  # the xlwings.conf sheet, %VAR% expanded
    assert _local(SHAREPOINT, home, {"DATA": str(tmp_path / "E")}, settings=settings, platform="win32") == synced
    # the user's xlwings.conf (macOS names off Windows)
    personal = _file(tmp_path / "F" / "Perso" / "Documents" / "Pipeline.xlsx")
    conf = home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"ONEDRIVE_CONSUMER_MAC","$ROOT/Perso"\n', encoding="utf-8")
    assert _local(CONSUMER, home, {"ROOT": str(tmp_path / "F")}, platform="linux") == personal
    # the sheet's setting wins over the user's file
    sheet = _file(tmp_path / "G" / "Documents" / "Pipeline.xlsx")
    assert _local(CONSUMER, home, {"ROOT": str(tmp_path / "F")}, platform="linux",
                  settings={"onedrive_consumer_mac": str(tmp_path / "G")}) == sheet


def test_in_the_real_environment_xlwings_own_mapping_is_asked_first(tmp_path, monkeypatch):
    xlwings = pytest.importorskip("xlwings")
    from xlwings import utils

    from addin.engines.cloud import local_workbook_path

    calls = []
    real = utils.fullname_url_to_local_path

    def spy(*args):
        calls.append(args)
        real.cache_clear()
        return real(*args)

    monkeypatch.setattr(utils, "fullname_url_to_local_path", spy)
    target = _file(tmp_path / "OneDrive" / "Documents" / "Pipeline.xlsx")
    monkeypatch.setenv("OneDriveConsumer", str(tmp_path / "OneDrive"))
    assert Path(local_workbook_path(CONSUMER)) == target
    assert calls and calls[0][0] == CONSUMER

    # when xlwings finds nothing (here: it raises), the same rules still run
    def fails(*args):
        calls.append(args)
        raise xlwings.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")

    monkeypatch.setattr(utils, "fullname_url_to_local_path", fails)
    calls.clear()
    assert Path(local_workbook_path(CONSUMER)) == target and len(calls) == 1
    # a fake environment is never handed to xlwings (it reads the process's own)
    calls.clear()
    assert _local(CONSUMER, tmp_path, {"OneDrive": str(tmp_path / "OneDrive")}) == target and not calls


def test_a_workbook_only_in_the_cloud_is_refused_with_why_what_for_and_how(tmp_path):
    from addin.engines.cloud import WorkbookNotLocal
    from kpicore.model.errors import PilotageError

    home = tmp_path / "home"
    (home / "OneDrive - Contoso").mkdir(parents=True)
    for url, setting in ((SHAREPOINT, "SHAREPOINT"), (COMMERCIAL, "ONEDRIVE_COMMERCIAL"),
                         (CONSUMER, "ONEDRIVE_CONSUMER")):
        with pytest.raises(WorkbookNotLocal) as err:
            _local(url, home, {"OneDriveCommercial": str(home / "OneDrive - Contoso")})
        assert isinstance(err.value, PilotageError)
        text = str(err.value)
        assert text.startswith(url + " : ")
        assert "n'est que dans le cloud" in text  # why
        assert ".~pilotage.Pipeline.xlsx.lock" in text and "chemins relatifs" in text and "Paramètres" in text
        assert "synchronisez la bibliothèque avec le client OneDrive" in text  # how
        assert f"{setting}_WIN" in text and f"{setting}_MAC" in text
        assert "chemins absolus" in text
        assert "Traceback" not in text and "xlwings.org" not in text
    with pytest.raises(WorkbookNotLocal, match="site « Ventes »"):
        _local(SHAREPOINT, home)


def test_a_workbook_never_saved_or_at_an_unknown_address_is_refused(tmp_path):
    from addin.engines.cloud import WorkbookNotLocal

    with pytest.raises(WorkbookNotLocal, match="pas encore été enregistré"):
        _local("Classeur1", tmp_path)
    with pytest.raises(WorkbookNotLocal, match="ni OneDrive ni SharePoint"):
        _local("https://intranet.contoso.fr/partage/Pipeline.xlsx", tmp_path)


def test_the_default_environment_is_the_process_one(tmp_path, monkeypatch):
    from addin.engines import cloud

    monkeypatch.setenv("OneDriveCommercial", str(tmp_path / "OneDrive - Contoso"))
    business = _file(tmp_path / "OneDrive - Contoso" / "Pipeline.xlsx")
    monkeypatch.setattr(cloud, "_with_xlwings", lambda *a: None)  # only our rules
    assert cloud.local_workbook_path(COMMERCIAL) == business


def test_an_xlwings_book_in_the_cloud(tmp_path):
    from addin.engines.cloud import book_local_path
    from support.recording_engine import new_book

    home = tmp_path / "home"
    synced = _file(home / "OneDrive - Contoso" / "Pipeline.xlsx")
    book, _ = new_book("Pipeline.xlsx")
    book.impl.fullname = COMMERCIAL  # Book.fullname as an address (xlwings' mapping bypassed)
    assert book_local_path(book, env={}, home=home) == synced
    book.impl.fullname = str(synced)
    assert book_local_path(book, env={}, home=tmp_path) == synced


def test_an_xlwings_book_whose_own_mapping_fails_gets_the_french_message(tmp_path):
    import xlwings

    from addin.engines.cloud import WorkbookNotLocal, book_local_path

    class Api:
        FullName = SHAREPOINT  # what Excel says, before xlwings maps it

    class Book:  # Book.fullname on Windows: xlwings' mapping, raising when it finds nothing
        name, api, sheets = "Pipeline.xlsx", Api(), {}

        @property
        def fullname(self):
            raise xlwings.XlwingsError("Couldn't find your SharePoint file locally, see: xlwings.org/error")

    with pytest.raises(WorkbookNotLocal) as err:
        book_local_path(Book(), env={}, home=tmp_path)
    assert str(err.value).startswith(SHAREPOINT + " : ") and "xlwings.org" not in str(err.value)
    synced = _file(tmp_path / "Contoso" / "Ventes - Documents" / "Pipeline.xlsx")
    (tmp_path / "OneDrive - Contoso").mkdir()
    assert book_local_path(Book(), env={}, home=tmp_path) == synced


# --------------------------------------------------------------------------- through the ribbon
def _recorded(tmp_path: Path):
    """A small client workbook open in Excel from a personal OneDrive (recording engine). Each test gives
    its own address: xlwings keeps the answer of its mapping for the life of the process."""
    import uuid

    import support.security_corpus as corpus
    from support.recorded import recorded_book

    book = recorded_book(corpus.base_workbook(tmp_path / "client.xlsx"))
    book.impl.fullname = CONSUMER.replace("4f2a9c1b7e", uuid.uuid4().hex[:10])
    return book


def test_the_ribbon_refuses_a_workbook_only_in_the_cloud_in_french(tmp_path, monkeypatch):
    """No synced copy: no place for the lock nor for relative paths, so the refresh is refused, nothing written."""
    from addin.excel.ribbon import dispatch

    for var in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    book = _recorded(tmp_path)
    text = dispatch("pilotage_refresh", book)
    assert text.startswith("Rafraîchir le cockpit : ") and "OneDrive" in text and "Traceback" not in text
    assert book.impl.app.rec.of_kind("value") == []  # nothing written into the workbook
    assert "Cockpit" not in book.impl.sheets


def test_the_ribbon_refreshes_a_synced_workbook_with_its_lock_beside_the_synced_file(tmp_path, monkeypatch):
    from addin.excel.ribbon import dispatch

    home = tmp_path / "home"
    synced = _file(home / "OneDrive" / "Documents" / "Pipeline.xlsx")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("OneDrive", str(home / "OneDrive"))
    book = _recorded(tmp_path)
    seen = []
    import workbook_templates.file_lock as file_lock

    real = file_lock.pilotage_lock
    monkeypatch.setattr(file_lock, "pilotage_lock", lambda path, **kw: seen.append(Path(path)) or real(path, **kw))
    text = dispatch("pilotage_refresh", book)
    assert text.startswith("Cockpit actualisé"), text
    assert seen and seen[0] == synced
