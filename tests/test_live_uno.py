"""The LibreOffice live engine (UNO) and the Pilotage extension, in a real headless LibreOffice.

The main check: the demo workbook opened in Calc, refreshed through the UNO
engine and saved, carries the same Cockpit as the file writer's output for the
same spec, compared by meaning, cell by cell and rule by rule.  Then the .oxt:
built reproducibly, installed with ``unopkg add`` into a fresh profile, its menu
read back from the configuration, and each entry dispatched on an open
document.  Last, a client workbook with a chart and comments keeps both
through a live refresh and LibreOffice's save.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

import support.sheet_compare as cmp

pytestmark = pytest.mark.libreoffice

NOW = datetime(2026, 11, 20, 8, 30)


@pytest.fixture
def opened(office, tmp_path):
    """Open a copy of a workbook in the session's soffice; every document is closed after the test."""
    docs = []

    def open_copy(path: Path):
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        doc = office.open(copy)
        docs.append(doc)
        return doc

    yield open_copy
    for doc in docs:
        doc.close(True)


# --------------------------------------------------------------------------- comparison by meaning
def _load(path: Path):
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sparkline extension, unknown to openpyxl
        return openpyxl.load_workbook(path)["Cockpit"]


def _columns(ws) -> dict[int, tuple]:
    out = {}
    for d in ws.column_dimensions.values():
        for c in range(d.min, d.max + 1):
            out[c] = (None if d.hidden else d.width, bool(d.hidden))
    return out


@pytest.fixture(scope="module")
def refreshed(office, demo_workbook, tmp_path_factory):
    """The demo workbook refreshed through UNO and saved by LibreOffice, beside the file writer's cockpit."""
    from addin.actions.company import read_company
    from addin.engines.uno import UnoWorkbook
    from addin.calc.uno_actions import refresh_uno_outcome
    from addin.engines.uno_bridge import store_as_xlsx
    from workbook_templates.cockpit_sheet import write_cockpit_file

    tmp = tmp_path_factory.mktemp("uno")
    copy = tmp / "pipeline.xlsx"
    shutil.copy(demo_workbook, copy)
    doc = office.open(copy)
    try:
        data = read_company(UnoWorkbook(doc))
        result = refresh_uno_outcome(doc, now=NOW, n_sims=200)
        live = store_as_xlsx(doc, tmp / "live.xlsx")
    finally:
        doc.close(True)
    ref = write_cockpit_file(result.spec, tmp / "file.xlsx")
    return result, data, live, ref


def test_live_refresh_gives_the_file_writers_cockpit(refreshed):
    result, _, live, ref = refreshed
    spec = result.spec
    a, b = _load(ref), _load(live)
    ca, cb = cmp.cells(a), cmp.cells(b)
    assert len(ca) > 200  # the demo cockpit is a real sheet, not an empty one
    diff = {k: (ca.get(k), cb.get(k)) for k in set(ca) | set(cb) if ca.get(k) != cb.get(k)}
    assert diff == {}
    n_formulas = sum(1 for c in spec.cell_map().values() if c.formula)
    assert sum(1 for v in cb.values() if v[1] == "f") == n_formulas >= 20  # formulas went in as formulas
    assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))

    ra, rb = cmp.rules_by_range(a), cmp.rules_by_range(b)
    assert sum(len(v) for v in ra.values()) == len(spec.rules)
    # priorities are compared within a range: the spec's ranges do not overlap, so the order across
    # ranges changes nothing (LibreOffice lists imported scales first)
    ranges = sorted({r.range for r in spec.rules})
    assert len(ranges) == len(ra)
    assert rb == ra

    cols_a, cols_b = _columns(a), _columns(b)
    assert {c: h for c, (_, h) in cols_a.items()} == {c: h for c, (_, h) in cols_b.items()}
    for c, (width, _) in cols_a.items():
        if width is not None:
            assert cols_b[c][0] == pytest.approx(width, abs=0.05)
    for row, height in spec.row_heights.items():
        assert b.row_dimensions[row + 1].height == pytest.approx(height, abs=0.1)
    va = [(str(v.sqref), v.formula1) for v in a.data_validations.dataValidation]
    vb = [(str(v.sqref), v.formula1) for v in b.data_validations.dataValidation]
    assert vb == va == [("J1", '"Manager,Direction,Commercial"')]
    assert b.print_area == a.print_area
    assert (b.page_setup.orientation, int(b.page_setup.paperSize)) == ("landscape", 9)  # 9: A4
    assert (int(b.page_setup.fitToWidth or 1), int(b.page_setup.fitToHeight or 1)) == (1, 1)
    assert b.sheet_properties.pageSetUpPr.fitToPage
    assert cmp.sparklines(live, "Cockpit") == cmp.sparklines(ref, "Cockpit")
    assert len(cmp.sparklines(ref, "Cockpit")) == len(spec.sparklines) > 0
    assert result.skipped == ()


def test_live_refresh_keeps_the_other_sheets_and_puts_the_product_sheets_after_them(refreshed, demo_workbook):
    import openpyxl

    _, _, live, _ = refreshed
    before = openpyxl.load_workbook(demo_workbook, read_only=True).sheetnames
    after = openpyxl.load_workbook(live, read_only=True).sheetnames
    assert after == before + ["Cockpit", "Qualité des données", "Correspondances", "_Historique prévisions",
                              "_Backtest"]


def test_uno_reader_gives_the_same_tables_as_the_file_reader(refreshed, demo_workbook):
    import pandas as pd

    from workbook_templates.reading import load_pipeline

    _, live_data, _, _ = refreshed
    file_data = load_pipeline(demo_workbook)
    for name in ("deals", "activities", "stage_history", "reps", "targets", "co_visits", "actions", "stages"):
        pd.testing.assert_frame_equal(getattr(live_data, name).reset_index(drop=True),
                                      getattr(file_data, name).reset_index(drop=True), check_dtype=True)
    assert len(live_data.quality.errors) == len(file_data.quality.errors)


def test_second_refresh_replaces_the_cockpit(office, opened, demo_workbook, tmp_path):
    from addin.calc.uno_actions import refresh_uno_outcome
    from addin.engines.uno_bridge import store_as_xlsx

    doc = opened(demo_workbook)
    first = refresh_uno_outcome(doc, now=NOW, n_sims=100)
    place = doc.Sheets.ElementNames.index("Cockpit")
    assert first.spec.view == "manager"  # no choice in the workbook: the default view
    # the user picks another view in the drop-down (J1), then refreshes
    doc.Sheets.getByName("Cockpit").getCellRangeByName(first.spec.validations[0].cell).setString("Direction")
    result = refresh_uno_outcome(doc, now=NOW, n_sims=100)
    assert result.spec.view == "direction"
    names = doc.Sheets.ElementNames
    assert names.count("Cockpit") == 1 and names.index("Cockpit") == place  # it keeps its place
    assert doc.CurrentController.ActiveSheet.Name == "Cockpit"
    sheet = doc.Sheets.getByName("Cockpit")
    # one Calc format per distinct range: the rules of one range share a format, nothing is left
    # over from the first refresh
    assert len(sheet.ConditionalFormats.ConditionalFormats) == len({r.range for r in result.spec.rules})
    title = sheet.getCellByPosition(0, 0)
    assert title.getString().startswith("Cockpit commercial")
    saved = store_as_xlsx(doc, tmp_path / "twice.xlsx")
    assert len(cmp.sparklines(saved, "Cockpit")) == len(result.spec.sparklines)


def test_text_stays_text_formulas_compute_and_dates_are_serials(office, tmp_path):
    from addin.engines.live_uno import write_cockpit_uno
    from addin.engines.uno_bridge import props
    from kpicore.cockpit.spec import Block, Cell, CockpitSpec

    cells = ((Cell("=1+1"), Cell("00123"), Cell("12/03"), Cell(2.0, "number"), Cell(None, "integer", "=D1+1"),
              Cell(date(2024, 1, 1), "date"), Cell(float("nan"), "money")),)
    spec = CockpitSpec("Cockpit", "manager", "fr", (Block("b", 0, 0, cells),))
    doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, props(Hidden=True))
    try:
        write_cockpit_uno(doc, spec)
        sheet = doc.Sheets.getByName("Cockpit")
        texts = [sheet.getCellByPosition(c, 0) for c in range(3)]
        assert [c.getString() for c in texts] == ["=1+1", "00123", "12/03"]
        assert [c.getType().value for c in texts] == ["TEXT"] * 3
        assert sheet.getCellByPosition(4, 0).getValue() == 3.0  # D1 (2) + 1
        assert sheet.getCellByPosition(5, 0).getValue() == 45292.0  # 1 January 2024 in Excel's serial days
        assert sheet.getCellByPosition(6, 0).getType().value == "EMPTY"  # NaN: nothing, never a 0
        assert sheet.getCellByPosition(5, 0).CellStyle == "Pilotage date"
    finally:
        doc.close(True)


def test_a_users_mistake_comes_back_as_the_french_message(office, caplog):
    from addin.engines.live_uno import read_uno_grids
    from addin.calc.uno_actions import dispatch
    from addin.engines.uno_bridge import props
    from kpicore.model.errors import PilotageError
    from kpicore.ingest.grids import ingest

    doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, props(Hidden=True))
    try:
        doc.Sheets.getByIndex(0).getCellByPosition(0, 0).setString("Liste de courses")
        with pytest.raises(PilotageError) as err:  # what the ingest says of a document without any table
            ingest(read_uno_grids(doc), source=doc.Title)
        with caplog.at_level("ERROR", logger="pilotage.libreoffice"):
            text = dispatch(doc, "pilotage_refresh")  # headless: logged, no dialog
        assert text == str(err.value)
        assert str(err.value) in caplog.text
        assert "Cockpit" not in doc.Sheets.ElementNames
        assert dispatch(doc, "pilotage_nope") == "Action Pilotage inconnue : pilotage_nope."
    finally:
        doc.close(True)


# --------------------------------------------------------------------------- the extension
def test_extension_is_reproducible_and_offers_the_ribbons_actions(tmp_path):
    from xml.sax.saxutils import escape

    from addin.calc.extension import build_extension, command_url
    from addin.excel.ribbon_actions import ACTIONS

    a = build_extension(tmp_path / "a.oxt", paths=["/opt/pilotage"])
    b = build_extension(tmp_path / "b.oxt", paths=["/opt/pilotage"])
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        xcu = z.read("Addons.xcu").decode("utf-8")
        script = z.read("pilotage_job.py").decode("utf-8")
        manifest = z.read("META-INF/manifest.xml").decode("utf-8")
    compile(script, "pilotage_job.py", "exec")
    assert "PILOTAGE_PATHS = ['/opt/pilotage']" in script
    assert "pilotage_job.py" in manifest and "Addons.xcu" in manifest and "ProtocolHandler.xcu" in manifest
    python = [x for x in ACTIONS if x.kind == "python"]  # the VBA-only button has no LibreOffice twin
    assert len(python) == 7  # refresh, the three decks, diagnostic, check, activity workbook
    for action in python:
        # once in the menu, once in the toolbar
        assert xcu.count(command_url(action.id)) == 2
        assert xcu.count(f"<value>{escape(action.label)}</value>") == 2


def _unopkg_add(oxt: Path, profile: Path) -> subprocess.CompletedProcess:
    """``unopkg add`` into ``profile``; unopkg refuses a per-user install as root, so root runs it as nobody.

    It runs in the profile's folder: unopkg's script starts with ``cd`` into the
    working directory it inherits, which nobody may not enter when the suite
    runs from a private folder (``/root``, a ``mktemp -d``).
    """
    cmd = ["unopkg", "add", "--suppress-license", f"-env:UserInstallation={profile.as_uri()}", str(oxt)]
    env = {**os.environ, "HOME": str(profile.parent)}
    if os.geteuid() == 0:
        for p in (profile.parent, profile, profile / "user"):
            p.chmod(0o777)
        oxt.chmod(0o644)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, cwd=profile.parent)


@pytest.fixture
def installed(soffice):
    """A fresh profile with the extension installed by unopkg (in a folder nobody may use, see above)."""
    from addin.calc.extension import build_extension
    from workbook_templates.libreoffice import make_profile

    base = Path(tempfile.mkdtemp(prefix="pilotage-oxt-"))
    try:
        profile = base / "profile"
        make_profile(profile)
        oxt = build_extension(base / "pilotage.oxt")
        proc = _unopkg_add(oxt, profile)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield base, profile
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_extension_installs_and_each_menu_entry_runs_its_action(installed, demo_workbook):
    from addin.calc.extension import MENU_NODE, TOOLBAR_NODE, command_url
    from addin.calc.uno_actions import menu_actions
    from addin.engines.uno_bridge import Office, props
    from kpicore.demo.company import DEMO_AS_OF

    base, profile = installed
    client = base / "pipeline.xlsx"
    shutil.copy(demo_workbook, client)
    journal = base / "journal.jsonl"
    with Office(profile, env={"PILOTAGE_UNO_JOURNAL": str(journal), "PILOTAGE_NO_DIALOG": "1"}) as office:
        config = office.service("com.sun.star.configuration.ConfigurationProvider")
        bars = config.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess",
                                                  props(nodepath="/org.openoffice.Office.Addons/AddonUI"))
        menu = bars.getByName("OfficeMenuBar").getByName(MENU_NODE)
        assert menu.Title == "Pilotage"
        entries = [menu.Submenu.getByName(n) for n in sorted(menu.Submenu.ElementNames)]
        expected = [(a.label, command_url(a.id)) for a in menu_actions()]
        assert [(e.Title, e.URL) for e in entries] == expected
        toolbar = bars.getByName("OfficeToolBar").getByName(TOOLBAR_NODE)
        assert sorted(toolbar.getByName(n).URL for n in toolbar.ElementNames) == sorted(u for _, u in expected)

        doc = office.open(client)
        assert "Cockpit" not in doc.Sheets.ElementNames
        helper = office.service("com.sun.star.frame.DispatchHelper")
        frame = doc.CurrentController.Frame
        for _, url in expected:
            helper.executeDispatch(frame, url, "", 0, ())
        assert "Cockpit" in doc.Sheets.ElementNames
        assert doc.Sheets.getByName("Cockpit").getCellByPosition(0, 0).getString().startswith("Cockpit commercial")
        doc.close(True)

    runs = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in runs] == [a.id for a in menu_actions()]
    texts = {r["action"]: r["text"] for r in runs}
    assert texts["pilotage_refresh"].startswith("Cockpit actualisé")
    assert "Bilan :" in texts["pilotage_check"]
    day = f"{DEMO_AS_OF:%Y-%m-%d}"  # the decks are as of the data's date
    decks = sorted(p.name for p in base.glob("*.pptx"))
    assert decks == [f"Revue hebdo {day}.pptx", f"Revue mensuelle {day}.pptx", f"Revue trimestrielle {day}.pptx"]
    for deck in base.glob("*.pptx"):
        assert "ppt/presentation.xml" in zipfile.ZipFile(deck).namelist()
    activity = [p for p in base.glob("*.xlsx") if p.name.startswith("Activités")]
    assert len(activity) == 1 and str(activity[0]) in texts["pilotage_activity_workbook"]


# --------------------------------------------------------------------------- a client's workbook
def _client_workbook(path: Path) -> Path:
    """The hand-made company of addin_tables, with a chart on the deals and two comments."""
    import xlsxwriter

    from support.addin_tables import TABLES

    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for _, (sheet, rows) in TABLES.items():
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, datetime):
                    ws.write_datetime(r, c, v, date_fmt)
                elif v is not None:
                    ws.write(r, c, v)
    deals = wb.get_worksheet_by_name("Affaires")
    deals.write_comment("A1", "Numéro unique de l'affaire")
    deals.write_comment("F2", "Montant validé par la direction")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Montant HT", "categories": "=Affaires!$A$2:$A$7", "values": "=Affaires!$F$2:$F$7"})
    deals.insert_chart("M2", chart)
    wb.close()
    return path


def test_chart_and_comments_survive_a_live_refresh_and_save(office, tmp_path):
    import openpyxl

    from addin.calc.uno_actions import refresh_uno_outcome
    from addin.engines.uno_bridge import store_as_xlsx

    source = _client_workbook(tmp_path / "client.xlsx")
    doc = office.open(source)
    try:
        refresh_uno_outcome(doc, now=NOW, n_sims=100)
        saved = store_as_xlsx(doc, tmp_path / "saved.xlsx")
    finally:
        doc.close(True)
    with zipfile.ZipFile(saved) as z:
        names = z.namelist()
        charts = [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 1
        chart = z.read(charts[0]).decode("utf-8")
        assert "Affaires" in chart and "$F$2:$F$7" in chart
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # LibreOffice's own extensions of the sheet XML
        book = openpyxl.load_workbook(saved)
    from support.addin_tables import TABLES

    # the client's sheets first, the product's after them (the pipeline photograph of the week too)
    assert book.sheetnames == [sheet for sheet, _ in TABLES.values()] + [
        "Cockpit", "Qualité des données", "Correspondances", "_Historique prévisions", "_Backtest",
        "_Instantanés pipeline"]
    deals = book["Affaires"]
    assert deals["A1"].comment is not None and "Numéro unique" in deals["A1"].comment.text
    assert deals["F2"].comment is not None and "validé par la direction" in deals["F2"].comment.text
    assert deals["F2"].value == 10000  # D1's amount, as written
