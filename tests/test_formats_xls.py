"""Legacy ``.xls`` and OpenDocument ``.ods`` workbooks, made by a real application (LibreOffice converts a
client-shaped .xlsx), are read by ``check``, ``kpis``, ``forecast`` and the decks; a refresh of one is refused
by the refresh action itself, in French, saying to save it as .xlsx, and leaves the file untouched.  Also the
CSV Excel writes on a French Windows (« CSV (séparateur : point-virgule) »: cp1252, ``;``, decimal commas).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from addin.actions.refresh import refresh
from addin.cli import main
from addin.engines.file import FileWorkbook
from kpicore.model.errors import InputFileError
from support.ingest_checks import assert_rows_accounted
from workbook_templates.libreoffice import convert
from workbook_templates.reading import load_pipeline, read_source

DEALS_HEADER = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date de signature"]
DEALS = [
    ("D-101", "Boulangerie Petit", "Alice Martin", "Gagnée", 12_400.0, date(2025, 1, 6), date(2025, 2, 14)),
    ("D-102", "Garage Central", "Bruno Roux", "Gagnée", 3_150.5, date(2025, 1, 9), date(2025, 2, 21)),
    ("D-103", "Cabinet Lenoir", "Alice Martin", "Perdue", 7_000.0, date(2025, 1, 15), date(2025, 2, 3)),
    ("D-104", "Hôtel du Lac", "Bruno Roux", "Proposition", 9_800.0, date(2025, 2, 2), None),
]
# a wide targets table as kept by hand: one column per month, a quarter column and a total row
TARGETS = [["Commercial", "Janvier", "Février", "Mars", "T1"],
           ["Alice Martin", 10_000, 12_000, 14_000, 36_000],
           ["Bruno Roux", 5_000, 6_000, 7_000, 18_000],
           ["Total", 15_000, 18_000, 21_000, 54_000]]


def write_client_xlsx(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Affaires")
    ws.write_row(0, 0, DEALS_HEADER)
    for i, row in enumerate(DEALS, start=1):
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write_datetime(i, j, datetime(v.year, v.month, v.day), day)
            elif v is not None:
                ws.write(i, j, v)
    ws = wb.add_worksheet("Objectifs 2025")
    for i, row in enumerate(TARGETS):
        ws.write_row(i, 0, row)
    wb.close()
    return path


@pytest.fixture(scope="module")
def legacy(tmp_path_factory, soffice) -> dict[str, Path]:
    """The same client workbook as .xlsx, and as .xls and .ods saved by LibreOffice."""
    folder = tmp_path_factory.mktemp("formats")
    xlsx = write_client_xlsx(folder / "pipeline.xlsx")
    return {"xlsx": xlsx, "xls": convert(xlsx, "xls", folder / "xls"), "ods": convert(xlsx, "ods", folder / "ods")}


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_legacy_workbook_reads_like_the_xlsx(legacy, kind):
    source = read_source(legacy[kind])
    assert source.kind == kind
    data = load_pipeline(legacy[kind])
    assert_rows_accounted(data)
    deals = data.deals.set_index("deal_id")
    assert sorted(deals.index) == ["D-101", "D-102", "D-103", "D-104"]
    assert deals.loc["D-102", "amount"] == pytest.approx(3_150.5)
    assert deals.loc["D-101", "closed_on"].date() == date(2025, 2, 14)
    assert list(deals.loc[["D-101", "D-103", "D-104"], "status"]) == ["won", "lost", "open"]
    # the wide targets: 2 reps × 3 months, the total row and the T1 column set aside
    t = data.targets
    assert len(t) == 6
    feb = t[t["period"] == "2025-02"].set_index("scope_name")["value"]
    assert feb.to_dict() == {"Alice Martin": 12_000, "Bruno Roux": 6_000}
    grid = next(g for g in data.ingest.grids if g.table == "Targets")
    assert grid.shape == "wide_months" and grid.total_rows == (4,)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_check_and_kpis_read_a_legacy_workbook(legacy, kind, capsys):
    assert main(["check", str(legacy[kind])]) == 0
    capsys.readouterr()
    assert main(["kpis", str(legacy[kind]), "--period", "2025-02", "--as-of", "2025-02-28", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {k["id"]: k for k in doc["kpis"]}
    # won in February: D-101 and D-102; the company's February target: 12,000 + 6,000
    assert got["revenue_won"]["value"] == pytest.approx(12_400.0 + 3_150.5)
    assert got["revenue_won"]["target"] == pytest.approx(12_000 + 6_000)
    assert got["average_deal_size"]["value"] == pytest.approx((12_400.0 + 3_150.5) / 2)


def test_forecast_and_deck_read_an_ods(legacy, tmp_path, capsys):
    assert main(["forecast", str(legacy["ods"]), "--period", "2025-03", "--json"]) == 0
    capsys.readouterr()
    out = tmp_path / "hebdo.pptx"
    assert main(["deck", "weekly", str(legacy["ods"]), "--out", str(out)]) == 0
    assert out.stat().st_size > 0


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_refresh_of_a_legacy_workbook_says_to_save_it_as_xlsx(legacy, kind, tmp_path, capsys):
    path = tmp_path / legacy[kind].name
    path.write_bytes(legacy[kind].read_bytes())
    before = path.read_bytes()
    with pytest.raises(InputFileError) as e:
        refresh(FileWorkbook(path, progress=None))
    assert "Enregistrez-le au format Classeur Excel (*.xlsx)" in str(e.value)
    assert path.name in str(e.value)
    assert e.value.said is not None and e.value.fix_said is not None  # the other languages' edges
    # the same words from the command line, a non-zero exit, and the file as it was
    assert main(["refresh", str(path)]) != 0
    err = capsys.readouterr().err
    assert "Enregistrez-le au format Classeur Excel (*.xlsx)" in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no backup, no lock left


def test_french_windows_csv_cp1252_semicolons_decimal_commas(tmp_path):
    text = ("N° affaire;Client;Commercial;Étape;Montant HT;Date de création;Date de signature\r\n"
            "F-1;Société Générale d'Études;Hélène Dupré;Gagnée;1 234,50;06/01/2025;14/02/2025\r\n"
            "F-2;Crêperie Ker;Hélène Dupré;Négociation;980,75;09/01/2025;\r\n")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    data = load_pipeline(path)
    assert_rows_accounted(data)
    deals = data.deals.set_index("deal_id")
    assert deals.loc["F-1", "account"] == "Société Générale d'Études"
    assert deals.loc["F-1", "owner"] == "Hélène Dupré"
    assert deals.loc["F-1", "amount"] == pytest.approx(1_234.50)
    assert deals.loc["F-2", "amount"] == pytest.approx(980.75)
    assert deals.loc["F-1", "created_on"].date() == date(2025, 1, 6)  # jj/mm/aaaa, not January 6th read as June
    assert list(deals["status"]) == ["won", "open"]


def test_a_damaged_xls_is_refused_in_french_naming_the_file(tmp_path):
    # an OLE compound file header (the .xls container) and nothing readable behind it
    p = tmp_path / "ancien.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le"))
    with pytest.raises(InputFileError, match=r"97-2003 \(\.xls\)") as e:
        load_pipeline(p)
    assert "ancien.xls" in str(e.value) and "Classeur Excel (*.xlsx)" in str(e.value)


def test_the_live_excel_engine_refuses_an_xls_the_same_way():
    # Excel opens an .xls in compatibility mode; the ribbon's refresh goes through the same action
    from addin.engines.xlwings import XlwingsWorkbook
    from support.recording_engine import new_book, put_table

    book, recorder = new_book("pipeline.xls", ("Affaires",))
    put_table(book, "Affaires", [DEALS_HEADER] + [list(r) for r in DEALS])
    before = len(recorder.ops)
    with pytest.raises(InputFileError) as e:
        refresh(XlwingsWorkbook(book))
    assert "Enregistrez-le au format Classeur Excel (*.xlsx)" in str(e.value)
    assert len(recorder.ops) == before  # refused before anything was read or written
