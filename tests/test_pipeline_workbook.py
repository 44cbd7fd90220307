"""The canonical pipeline workbook: tables, headers, formats, hidden product sheets, safe text."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import zipfile
from xml.etree import ElementTree
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from kpicore.model import schema
from kpicore.model.pipeline_data import ATTRIBUTES, PipelineData
from kpicore.model.errors import InputFileError
from workbook_templates import pipeline_workbook
from workbook_templates.pipeline_workbook import write_pipeline_workbook

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.fixture(scope="module")
def part(demo_data) -> PipelineData:
    """A slice of the demo company: openpyxl loads the whole demo workbook too slowly for a test."""
    deals = demo_data.deals
    return demo_data.with_frames(
        deals=pd.concat([deals.iloc[:250], deals[deals["status"] == "open"]]),
        activities=demo_data.activities.iloc[:2000],
        stage_history=demo_data.stage_history.iloc[:1000],
        pipeline_snapshots=demo_data.pipeline_snapshots.iloc[:500])


@pytest.fixture(scope="module")
def book(part, tmp_path_factory):
    path = write_pipeline_workbook(part, tmp_path_factory.mktemp("part") / "part.xlsx")
    return openpyxl.load_workbook(path)


def _col_letter(i: int) -> str:  # 0-based, fewer than 27 columns in every table
    return LETTERS[i]


def test_one_sheet_and_one_named_table_per_canonical_table(book, part):
    expected_sheets = [t.sheet_fr for t in ATTRIBUTES.values() if not t.written_by_product] + [
        t.sheet_fr for t in ATTRIBUTES.values() if t.written_by_product]
    assert book.sheetnames == expected_sheets
    frames = part.frames()
    for name, table in ATTRIBUTES.items():
        ws = book[table.sheet_fr]
        assert list(ws.tables) == [table.name], table.name
        n = len(frames[name])
        last = _col_letter(len(table.columns) - 1)
        assert ws.tables[table.name].ref == f"A1:{last}{n + 1}"
        labels = [c.label_fr for c in table.columns]
        assert [c.name for c in ws.tables[table.name].tableColumns] == labels
        assert [cell.value for cell in ws[1]] == labels
        assert all(cell.font.b and cell.fill.fgColor.rgb == "FF1F2937" for cell in ws[1])  # styled header
        assert ws.max_row == n + 1  # header + one row per frame row
        assert ws.freeze_panes == "A2"


def test_product_sheets_are_hidden(book):
    for table in ATTRIBUTES.values():
        state = book[table.sheet_fr].sheet_state
        assert state == ("hidden" if table.written_by_product else "visible"), table.name
    assert book["_Instantanés pipeline"].sheet_state == "hidden"


def _row_of(ws, key: str) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1, min_row=2):
        if cell.value == key:
            return cell.row
    raise AssertionError(key)


def test_deal_cells_carry_values_and_formats(book, part):
    ws = book["Affaires"]
    deals = part.deals
    won = deals[deals["status"] == "won"].iloc[0]
    r = _row_of(ws, won["deal_id"])
    cols = {c.label_fr: i + 1 for i, c in enumerate(schema.DEALS.columns)}
    amount = ws.cell(r, cols["Montant HT"])
    assert amount.value == won["amount"]
    assert amount.number_format == '#,##0 "€"'
    created = ws.cell(r, cols["Date de création"])
    assert created.value == won["created_on"].to_pydatetime()
    assert created.number_format == "dd/mm/yyyy"
    prob = ws.cell(r, cols["Probabilité"])
    assert prob.value == 1 and prob.number_format == "0 %"
    assert ws.cell(r, cols["Statut"]).value == "won"
    assert ws.cell(r, cols["Étape"]).value == "Gagnée"
    # Missing values stay empty cells.
    assert ws.cell(r, cols["Motif de perte"]).value is None
    assert ws.cell(r, cols["Prochaine étape"]).value is None
    # An open deal with a fractional probability.
    open_deal = deals[(deals["status"] == "open") & (deals["stage"] == "Proposition")].iloc[0]
    r = _row_of(ws, open_deal["deal_id"])
    assert ws.cell(r, cols["Probabilité"]).value == pytest.approx(open_deal["probability"])
    assert ws.cell(r, cols["Date de clôture"]).value is None


def test_other_tables_cells(book, demo_data):
    # Reps, co-visits, stages and targets are whole in the slice.
    reps = book["Commerciaux"]
    first = demo_data.reps.iloc[0]
    assert reps["A2"].value == first["rep"]
    assert reps["D2"].value is True  # Actif, a boolean
    assert reps["E2"].number_format == "dd/mm/yyyy"
    cov = book["Co-visites"]
    assert cov["E2"].value == int(demo_data.co_visits.iloc[0]["discovery_quality"])
    assert cov["E2"].number_format == "0"
    stages = book["Étapes"]
    # Négociation: order 4, default probability 75 %.
    row = [c.value for c in stages[5]]
    assert row == ["Négociation", 4, False, False, 0.75]
    assert stages["E5"].number_format == "0 %"
    snaps = book["_Instantanés pipeline"]
    # 52 Fridays ending on 20/11/2026: the first is 51 weeks (357 days) earlier, 28/11/2025.
    assert snaps["A2"].value == datetime(2025, 11, 28)
    assert snaps["F2"].number_format == '#,##0 "€"'


def _tiny(**columns) -> PipelineData:
    deals = pd.DataFrame({
        "deal_id": ["AFF-1", "AFF-2", "AFF-3", "AFF-4"],
        "account": ["=1+2", "+33 6 12 34 56 78", "@SUM(A1:A2)", "-moins"],
        "owner": ["Zoé Ñúñez", "=HYPERLINK(\"http://x\")", "Anne", "Anne"],
        "stage": ["Prospection"] * 4,
        "status": ["open"] * 4,
        "amount": [1234.5, 0.0, 15000.0, float("nan")],
        "created_on": pd.to_datetime(["2026-01-05", "2026-02-28", "2024-02-29", "2026-11-20"]),
        "next_step": ["http://exemple.fr", "", None, "0123"],
        **columns,
    })
    return PipelineData(deals=schema.conform(deals, schema.DEALS))


def test_text_is_never_written_as_a_formula(tmp_path):
    path = write_pipeline_workbook(_tiny(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["Affaires"]
    expected = ["=1+2", "+33 6 12 34 56 78", "@SUM(A1:A2)", "-moins"]
    assert [ws.cell(r, 2).value for r in range(2, 6)] == expected
    assert all(ws.cell(r, 2).data_type == "s" for r in range(2, 6))
    assert ws["C3"].value == "=HYPERLINK(\"http://x\")"
    assert ws["M2"].value == "http://exemple.fr" and not ws["M2"].hyperlink
    assert ws["M5"].value == "0123"  # stays text, not the number 123
    assert ws["M3"].value is None  # empty string -> empty cell
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    # Dates: 29/02/2024 survives (Excel's serial numbers after 1900).
    assert ws["G4"].value == datetime(2024, 2, 29)
    assert ws["F5"].value is None  # NaN amount -> empty


def test_empty_tables_keep_one_blank_row(tmp_path):
    path = write_pipeline_workbook(PipelineData(), tmp_path / "vide.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Activités"]
    assert ws.tables["Activities"].ref == "A1:F2"
    assert [c.value for c in ws[1]] == [c.label_fr for c in schema.ACTIVITIES.columns]
    assert all(c.value is None for c in ws[2])
    # Stages default to the template's: 6 rows.
    assert book["Étapes"].tables["Stages"].ref == "A1:E7"


def test_write_is_atomic_and_replaces(tmp_path, monkeypatch):
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"ancien contenu")
    write_pipeline_workbook(_tiny(), path)
    assert zipfile.is_zipfile(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.xlsx"]  # no temporary file left
    assert oct(path.stat().st_mode & 0o777) != oct(0o600)  # usual permissions, not mkstemp's

    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(pipeline_workbook, "_write", boom)
    with pytest.raises(RuntimeError):
        write_pipeline_workbook(_tiny(), path)
    assert path.read_bytes() == before  # the previous file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.xlsx"]


def test_refuses_a_workbook_open_in_excel(tmp_path):
    (tmp_path / "~$p.xlsx").write_bytes(b"")
    with pytest.raises(InputFileError, match="ouvert dans Excel") as err:
        write_pipeline_workbook(_tiny(), tmp_path / "p.xlsx")
    assert "Fermez" in str(err.value)
    assert not (tmp_path / "p.xlsx").exists()


def test_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InputFileError, match="dossier"):
        write_pipeline_workbook(_tiny(), tmp_path / "absent" / "p.xlsx")


def test_refuses_more_rows_than_a_sheet_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline_workbook, "MAX_DATA_ROWS", 3)
    with pytest.raises(InputFileError, match="au plus 3") as err:
        write_pipeline_workbook(_tiny(), tmp_path / "p.xlsx")
    assert "Affaires" in str(err.value)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook(tmp_path, soffice):
    path = write_pipeline_workbook(_tiny(), tmp_path / "lo.xlsx")
    profile = tmp_path / "profile"
    subprocess.run(
        # CSV in UTF-8 (76), cells as shown (last option), so the number formats apply.
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true",
         "--outdir", str(tmp_path / "out"), str(path)],
        check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    rows = list(csv.reader((tmp_path / "out" / "lo.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0][:3] == ["N° affaire", "Client", "Commercial"]
    assert [r[0] for r in rows[1:]] == ["AFF-1", "AFF-2", "AFF-3", "AFF-4"]
    assert rows[1][1] == "=1+2"  # shown as text, not computed to 3
    assert rows[3][1] == "@SUM(A1:A2)"
    # The euro format is applied: 1234.5 shown as 1 235 € (the separator follows the locale).
    assert re.fullmatch(r"1.235 €", rows[1][5]), rows[1][5]
    assert rows[3][6] == "29/02/2024"  # dd/mm/yyyy


def test_whole_demo_workbook_rows_and_table_ranges(demo_workbook, demo_data):
    """The whole small demo: every row is there (read with calamine) and each table covers it."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(demo_workbook))
    frames = demo_data.frames()
    refs = {}
    with zipfile.ZipFile(demo_workbook) as z:
        for name in z.namelist():
            if name.startswith("xl/tables/"):
                root = ElementTree.fromstring(z.read(name))  # our own file, just written
                refs[root.get("name")] = (root.get("displayName"), root.get("ref"))
    assert len(refs) == len(ATTRIBUTES)
    for name, table in ATTRIBUTES.items():
        rows = wb.get_sheet_by_name(table.sheet_fr).to_python()
        n = len(frames[name])
        assert len(rows) == n + 1, name
        assert rows[0] == [c.label_fr for c in table.columns]
        last = _col_letter(len(table.columns) - 1)
        assert refs[table.name] == (table.name, f"A1:{last}{n + 1}")
    # Spot check: the last activity row is the frame's last row.
    acts = wb.get_sheet_by_name("Activités").to_python()
    last = demo_data.activities.iloc[-1]
    assert acts[-1][1:3] == [last["rep"], last["type"]]
    assert acts[-1][0] == last["date"].date()


def test_special_characters_survive(tmp_path):
    deals = pd.DataFrame({
        "deal_id": ["AFF-1", "AFF-2", "AFF-3"],
        "account": ["Dupont & Fils <SARL>", "  espaces autour  ", "ligne\x01contrôle"],
        "owner": ["L'Été \"Chaud\"", "Ünïcödé ✓", "Anne"],
        "stage": ["Prospection"] * 3,
        "amount": [1.0, 2.5, 1e16],
        "probability": [0.125, 0.0, 1.0],
        "created_on": pd.to_datetime(["2026-01-05"] * 3),
    })
    data = PipelineData(deals=schema.conform(deals, schema.DEALS))
    ws = openpyxl.load_workbook(write_pipeline_workbook(data, tmp_path / "s.xlsx"))["Affaires"]
    assert ws["B2"].value == "Dupont & Fils <SARL>"
    assert ws["B3"].value == "  espaces autour  "  # xml:space="preserve" keeps the spaces
    assert "contrôle" in ws["B4"].value and "\x01" not in ws["B4"].value  # XML cannot hold \x01
    assert ws["C2"].value == "L'Été \"Chaud\"" and ws["C3"].value == "Ünïcödé ✓"
    assert [ws[f"F{r}"].value for r in (2, 3, 4)] == [1, 2.5, 1e16]
    assert ws["K2"].value == 0.125
