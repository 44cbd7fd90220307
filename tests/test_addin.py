"""The Excel add-in: action table, ribbon XML, VBA dispatcher, the built .xlam, and the dispatch itself.

What Linux can check: the file is a sound package built from xlwings'
template, the ribbon follows the customUI rules that matter, every button's
callback exists in the VBA that ships (read back with oletools' olevba) or is
installed (``addin/excel/vba/Pilotage.bas``), and reaches an action of the Python
dispatch table, which runs on a workbook (the recording engine standing for
Excel).  What only Excel can check is listed in ``addin/README_addin.md``.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from addin.excel import build, ribbon
from addin.excel.ribbon_actions import ACTIONS, ACTIONS_BY_ID, DISPATCH_CALLBACK, VBA_MODULE, cli_verbs, python_actions
from support.addin_tables import recorded_book

NS = {"ui": build.CUSTOM_UI_NS}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build.build_addin(tmp_path_factory.mktemp("addin") / build.ADDIN_NAME)


def _macros(path: Path) -> dict[str, str]:
    """VBA module name -> code, read back from the file with olevba."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oletools 0.60 uses deprecated pyparsing names at import
        from oletools.olevba import VBA_Parser

        parser = VBA_Parser(str(path))
        try:
            return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_all_macros()}
        finally:
            parser.close()


def _bas_modules() -> dict[str, str]:
    text = build.bas_path().read_text(encoding="ascii")
    name = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.M)[1]
    return {name: text}


def _ribbon_subs(code: str) -> set[str]:
    """Subs callable by a ribbon button: one parameter of type IRibbonControl."""
    return set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*\w+\s+As\s+IRibbonControl\s*\)", code, re.M | re.I))


def _all_subs(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", code, re.M | re.I))


def _buttons(xml: bytes):
    root = SafeET.fromstring(xml)
    return root, root.findall(".//ui:button", NS)


# --------------------------------------------------------------------------- action table
def test_action_table_is_consistent():
    assert len({a.id for a in ACTIONS}) == len(ACTIONS)
    assert {"Rafraîchir le cockpit", "Deck hebdo", "Deck mensuel", "Vérifier les données",
            "Nouveau classeur d'activité"} <= {a.label for a in ACTIONS}
    for a in python_actions():
        assert callable(a.function()), a.id
        assert a.vba_callback == DISPATCH_CALLBACK
    verbs = [a.cli for a in ACTIONS if a.cli]
    assert len(verbs) == len(set(verbs)) == len(cli_verbs())


# --------------------------------------------------------------------------- the built file
def test_built_addin_is_a_sound_reproducible_package(built, tmp_path):
    with zipfile.ZipFile(built) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names == sorted(names) and names[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {build.ZIP_DATE}
        content_types = z.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in content_types
        rels = z.read("_rels/.rels").decode()
        assert 'Target="customUI/customUI.xml"' in rels  # the ribbon part is wired to the package
        with zipfile.ZipFile(build.template_path()) as t:
            assert z.read(build.VBA_PART) == t.read(build.VBA_PART)  # xlwings' VBA, byte for byte
        for name in names:
            if name.endswith(".xml") or name.endswith(".rels"):
                SafeET.fromstring(z.read(name))  # every XML part parses
    again = build.build_addin(tmp_path / build.ADDIN_NAME)
    assert again.read_bytes() == built.read_bytes()


def test_ribbon_follows_the_customui_rules(built):
    with zipfile.ZipFile(built) as z:
        root, buttons = _buttons(z.read(build.CUSTOM_UI_PART))
    assert root.tag == f"{{{build.CUSTOM_UI_NS}}}customUI"
    tabs = root.findall(".//ui:tab", NS)
    assert [t.get("label") for t in tabs] == ["Pilotage"]
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)), "ribbon ids must be unique"
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", i) for i in ids)
    for b in buttons:
        for attr in ("id", "label", "onAction", "imageMso"):
            assert b.get(attr), (b.get("id"), attr)
        assert b.get("size") in ("normal", "large")
        assert len(b.get("supertip", "")) <= 1024 and len(b.get("label")) <= 1024
    for group in root.findall(".//ui:group", NS):
        assert group.findall("ui:button", NS), "an empty group"


def test_every_action_has_a_button_and_every_button_an_action(built):
    with zipfile.ZipFile(built) as z:
        _, buttons = _buttons(z.read(build.CUSTOM_UI_PART))
    assert [b.get("id") for b in buttons] == [a.id for a in ACTIONS]
    for b in buttons:
        action = ACTIONS_BY_ID[b.get("id")]
        assert b.get("onAction") == action.vba_callback
        assert b.get("label") == action.label


def test_every_callback_exists_in_the_vba_shipped_or_installed(built):
    shipped = _macros(built)
    installed = _bas_modules()
    assert VBA_MODULE in installed and VBA_MODULE not in shipped  # imported by Excel at install (README)
    with zipfile.ZipFile(built) as z:
        _, buttons = _buttons(z.read(build.CUSTOM_UI_PART))
    for b in buttons:
        module, _, sub = b.get("onAction").partition(".")
        code = installed.get(module) or shipped.get(module)
        assert code is not None, f"module {module} introuvable"
        assert sub in _ribbon_subs(code), f"{b.get('onAction')} n'est pas un Sub(control As IRibbonControl)"
    # what the dispatcher module calls is in the xlwings module that ships
    xlwings_vba = shipped["xlwings"]
    assert {"RunPython", "ImportPythonUDFsToAddin"} <= _all_subs(xlwings_vba)
    assert "ImportPythonUDFsToAddin" in installed[VBA_MODULE]


def test_config_sheet_is_the_one_the_shipped_vba_reads(built):
    project = re.search(r'PROJECT_NAME As String = "(\w+)"', _macros(built)["xlwings"])[1]
    assert f"{project}.conf" == build.CONFIG_SHEET
    with zipfile.ZipFile(built) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheet = SafeET.fromstring(z.read(build.CONFIG_PART))
    assert f'name="{build.CONFIG_SHEET}"' in workbook and build.TEMPLATE_SHEET not in workbook
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    cells = {c.get("r"): "".join(c.itertext()) for c in sheet.iterfind(".//m:c", ns)}
    pairs = {cells[f"A{r}"]: cells.get(f"B{r}", "") for r in range(1, len(build.CONFIG_KEYS) + 1)}
    assert pairs["UDF Modules"] == "addin.excel.udfs"
    import importlib

    assert importlib.import_module(pairs["UDF Modules"]).PILOT_CONVERSION  # the module the add-in imports


def test_interpreter_is_written_when_given(tmp_path):
    path = build.build_addin(tmp_path / "p.xlam", interpreter_win=r"C:\Python311\pythonw.exe")
    with zipfile.ZipFile(path) as z:
        assert r"C:\Python311\pythonw.exe" in z.read(build.CONFIG_PART).decode()


# --------------------------------------------------------------------------- the VBA -> Python bridge
def _runpython_command(control_id: str) -> str:
    """The Python that the dispatcher's RunPython line runs for a button, as VBA would build it."""
    code = _bas_modules()[VBA_MODULE]
    body = re.search(r"Sub Dispatch\(control As IRibbonControl\)(.*?)End Sub", code, re.S)[1]
    m = re.search(r'RunPython\s+"([^"]*)"\s*&\s*control\.Id\s*&\s*"([^"]*)"', body)
    assert m, "Dispatch must pass control.Id to RunPython"
    return m[1] + control_id + m[2]


def test_the_vba_dispatcher_reaches_the_python_dispatch(tmp_path, monkeypatch):
    import xlwings as xw

    command = _runpython_command("pilotage_check")
    assert command == "import addin.excel.ribbon as r; r.dispatch('pilotage_check')"
    book, rec = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    book.set_mock_caller()  # what xw.Book.caller() returns inside RunPython
    try:
        exec(command, {})
    finally:
        del xw.Book._mock_caller
    alert = book.app.impl.alerts[-1]
    assert alert["title"] == "Pilotage" and alert["mode"] == "info"
    assert "Affaires : 6 lignes gardées, 0 exclue" in alert["prompt"]


def test_every_python_button_runs_its_action(monkeypatch):
    seen = []
    for a in python_actions():
        module, _, name = a.run.partition(":")
        monkeypatch.setattr(f"{module}.{name}", lambda book, _id=a.id: seen.append(_id) or "ok")
    book, _ = recorded_book()
    for a in python_actions():
        assert ribbon.dispatch(a.id, book) == "ok"
    assert seen == [a.id for a in python_actions()]


def test_a_users_mistake_is_a_french_message_not_a_traceback():
    from support.recording_engine import new_book

    book, _ = new_book("Vide.xlsx", ("Feuil1",))
    text = ribbon.dispatch("pilotage_refresh", book)
    assert text.startswith("Rafraîchir le cockpit : ") and "aucune table reconnue" in text
    alert = book.app.impl.alerts[-1]
    assert alert["mode"] == "critical" and "Traceback" not in alert["prompt"]


def test_a_bug_is_logged_and_announced_in_french(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))

    def broken(book):
        raise KeyError("colonne")

    monkeypatch.setattr("addin.excel.live_actions.check_live", broken)
    book, _ = recorded_book()
    text = ribbon.dispatch("pilotage_check", book)
    assert "erreur inattendue" in text and "Traceback" not in text
    log = tmp_path / "Pilotage" / "pilotage-addin.log"
    assert str(log) in text
    assert "KeyError: 'colonne'" in log.read_text(encoding="utf-8")


def test_an_unknown_button_says_to_reinstall():
    book, _ = recorded_book()
    text = ribbon.dispatch("pilotage_old_button", book)
    assert "inconnu" in text and "pilotage addin install" in text


# --------------------------------------------------------------------------- the actions on a live book
def test_refresh_button_writes_the_cockpit_into_the_open_book(tmp_path):
    book, rec = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    text = ribbon.dispatch("pilotage_refresh", book)
    # the date of the data: its latest creation or close date, D6 lost on 28/03
    assert text.startswith("Cockpit actualisé : vue Manager, données au 28/03/2025"), text
    assert "Cockpit" in [s.name for s in book.sheets]
    # the cockpit reads the book's own tables: March revenue won (D1 + D3 + D4 = 35 000) is in it
    cockpit = book.sheets["Cockpit"].impl.values
    assert 35000.0 in cockpit.values()
    # only the product's sheets are written: the cockpit, the quality sheet, « Correspondances », the hidden
    # history, the week's replay and photograph
    assert {o.sheet for o in rec.ops if o.sheet} == {"Cockpit", "Qualité des données", "Correspondances",
                                                    "_Historique prévisions", "_Backtest", "_Instantanés pipeline"}


def test_activity_workbook_button_makes_a_file_the_ingest_reads(tmp_path):
    from kpicore.ingest.grids import RawGrid, ingest
    from workbook_templates.activity_workbook import TYPE_WORDS_FR
    from workbook_templates.reading import read_grids

    book, _ = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    text = ribbon.dispatch("pilotage_activity_workbook", book)
    first = tmp_path / "Activités commerciales.xlsx"
    assert str(first) in text and first.exists()
    ribbon.dispatch("pilotage_activity_workbook", book)
    assert (tmp_path / "Activités commerciales (2).xlsx").exists()  # never over the first one

    grids = read_grids(first)
    table = next(g for g in grids if g.table_name == "Activities")
    header = table.rows[0]
    # one row per French type word the drop-down offers: each must come back as its canonical type
    rows = [header] + [[f"0{k + 1}/03/2025", "Martin", word] + [None] * (len(header) - 3)
                       for k, word in enumerate(TYPE_WORDS_FR.values())]
    data = ingest([RawGrid("a.xlsx", table.sheet, rows, 1, "Activities", 1)])
    assert list(data.activities["type"]) == list(TYPE_WORDS_FR)
    assert not data.quality.errors


def test_install_refuses_politely_off_windows(monkeypatch):
    from kpicore.model.errors import UsageError

    monkeypatch.setattr(build.sys, "platform", "linux")
    with pytest.raises(UsageError, match="Windows"):
        build.install_addin()


def test_deck_buttons_write_decks_next_to_the_workbook(tmp_path):
    from pptx import Presentation

    book, _ = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    for control, stem in (("pilotage_deck_weekly", "Revue hebdo"), ("pilotage_deck_monthly", "Revue mensuelle")):
        text = ribbon.dispatch(control, book)
        path = tmp_path / f"{stem} 2025-03-28.pptx"  # the date of the data: D6 lost on 28/03
        assert text == f"Présentation créée : {path}"
        assert len(Presentation(str(path)).slides) > 0


def test_the_change_count_the_cell_functions_read_is_kept_by_the_addins_vba():
    """The cell functions ask Excel for ``Pilotage.ChangeCount`` (addin.excel.udfs.change_count); the add-in's
    module defines it and ``Bump``, which the events class calls on every edit, recalculation and opening."""
    import inspect

    from addin.excel import udfs

    bas = build.bas_path().read_text(encoding="ascii")
    cls = build.events_path().read_text(encoding="ascii")
    assert {"Bump", "ChangeCount", "Auto_Open"} <= _all_subs(bas)
    assert re.search(r'^Attribute VB_Name = "PilotageEvents"', cls, re.M)
    assert "Set Events = New PilotageEvents" in bas
    for event in ("App_SheetChange", "App_SheetCalculate", "App_WorkbookOpen"):
        body = re.search(rf"Private Sub {event}\(.*?\)\n(.*?)End Sub", cls, re.S)[1]
        assert "Pilotage.Bump" in body, event
    assert '"Pilotage.ChangeCount"' in inspect.getsource(udfs.change_count)
    assert cls.isascii() and bas.isascii()
