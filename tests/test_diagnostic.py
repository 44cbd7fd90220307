"""`pilotage diagnostic`: the free diagnostic of a prospect's files, on the demo and on client-shaped files.

The client files are built here:
- an Odoo CRM opportunities export (.xlsx): the field strings of crm.lead in odoo/odoo,
  addons/crm/models/crm_lead.py (https://github.com/odoo/odoo/blob/17.0/addons/crm/models/crm_lead.py), as
  tests/test_ingest_vendors.py uses them (a lost opportunity keeps its stage, has a Lost Reason and
  probability 0); it has no proposal date and Odoo exports no activity log with it;
- an activity log kept by hand beside it (no vendor documents such a file: a shape recorded from
  hand-kept workbooks), exported from Excel as « CSV (séparateur : point-virgule) », cp1252, French dates.
Every expected figure is worked out below from the rows written, never read from the program.
"""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pytest
import xlsxwriter

from addin.actions.diagnostic import FilesWorkbook, expand_inputs, run_diagnostic
from kpicore.forecast.diagnostic import HISTORY_MONTHS_NEEDED
from support.diagnostic_checks import check_outputs, diagnose_files
from support.ingest_checks import assert_rows_accounted

# --------------------------------------------------------------------------- the Odoo export
ODOO_HEADER = ["ID", "Opportunity", "Customer", "Salesperson", "Sales Team", "Stage", "Expected Revenue",
               "Probability", "Expected Closing", "Closed Date", "Created on", "Lost Reason"]
D = dt.date
ODOO_ROWS = [
    # id, name, customer, rep, team, stage, amount, probability, expected, closed, created, lost reason
    ["2001", "Atelier Dupont", "Dupont SA", "Marie Curie", "Ventes", "Won", 10000, 100, D(2026, 2, 5),
     D(2026, 2, 5), D(2025, 11, 3), None],
    ["2002", "Machines Durand", "Durand SARL", "Paul Martin", "Ventes", "Won", 14000, 100, D(2026, 2, 20),
     D(2026, 2, 20), D(2025, 12, 15), None],
    ["2003", "Ligne Lefèvre", "Lefèvre & Fils", "Marie Curie", "Ventes", "Won", 6000, 100, D(2026, 2, 26),
     D(2026, 2, 26), D(2026, 1, 10), None],
    ["2004", "Électro Sud", "Électro Sud", "Paul Martin", "Ventes", "Won", 9000, 100, D(2026, 1, 15),
     D(2026, 1, 15), D(2025, 10, 1), None],
    ["2005", "Garage Morel", "Morel SAS", "Paul Martin", "Ventes", "Proposition", 20000, 0, D(2026, 2, 28),
     D(2026, 2, 12), D(2025, 12, 1), "Trop cher"],
    ["2006", "Imprimerie Roux", "Roux", "Marie Curie", "Ventes", "Qualified", 5000, 20, D(2026, 4, 30),
     None, D(2026, 1, 20), None],
    ["2007", "Bois Girard", "Girard", "Paul Martin", "Ventes", "Proposition", 12000, 60, D(2026, 3, 31),
     None, D(2026, 2, 2), None],
    ["2008", "Transports Blanc", "Blanc", "Marie Curie", "Ventes", "New", 3000, 10, D(2026, 5, 31),
     None, D(2026, 3, 10), None],
]
# the date of the data: the latest date the files hold (a creation on 10 March, an activity the same day)
AS_OF = D(2026, 3, 10)
MONTH_DAYS = 28  # February 2026, the last month over on AS_OF: the month the KPIs are measured over


def write_odoo_export(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ODOO_HEADER)
    for r, row in enumerate(ODOO_ROWS, start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), day)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


# --------------------------------------------------------------------------- the activity log, apart
ACTIVITY_HEADER = ["Date", "Commercial", "Type", "N° affaire", "Client"]
ACTIVITY_ROWS = [
    ("12/01/2026", "Marie Curie", "RDV qualifié", "2003", "Lefèvre & Fils"),
    ("19/01/2026", "Paul Martin", "RDV qualifié", "2002", "Durand SARL"),
    ("28/01/2026", "Paul Martin", "Proposition", "2002", "Durand SARL"),
    ("02/02/2026", "Marie Curie", "RDV qualifié", "2006", "Roux"),
    ("03/02/2026", "Paul Martin", "Proposition", "2005", "Morel SAS"),
    ("04/02/2026", "Paul Martin", "RDV qualifié", "2007", "Girard"),
    ("06/02/2026", "Marie Curie", "Appel", "2006", "Roux"),
    ("09/02/2026", "Paul Martin", "Proposition", "2007", "Girard"),
    ("11/02/2026", "Marie Curie", "RDV qualifié", "", "Blanc"),
    ("16/02/2026", "Paul Martin", "RDV qualifié", "", "Faure"),
    ("18/02/2026", "Marie Curie", "Appel", "", "Blanc"),
    ("23/02/2026", "Marie Curie", "RDV qualifié", "", "Petit"),
    ("25/02/2026", "Paul Martin", "RDV qualifié", "", "Garnier"),
    ("10/03/2026", "Marie Curie", "RDV qualifié", "2008", "Blanc"),
]


def write_activity_log(path: Path) -> Path:
    lines = [";".join(ACTIVITY_HEADER)] + [";".join(r) for r in ACTIVITY_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def _day(text: str) -> dt.date:
    d, m, y = (int(x) for x in text.split("/"))
    return dt.date(y, m, d)


def _in_month(day: dt.date | None) -> bool:
    return day is not None and day.year == 2026 and day.month == 2


def _won_in_month() -> list[list]:
    return [r for r in ODOO_ROWS if r[5] == "Won" and _in_month(r[9])]


def expected_deal_size() -> float:
    won = _won_in_month()
    return sum(r[6] for r in won) / len(won)


def expected_cycle() -> float:
    return statistics.median((r[9] - r[10]).days for r in _won_in_month())


@pytest.fixture()
def odoo(tmp_path) -> Path:
    return write_odoo_export(tmp_path / "crm.lead.xlsx")


@pytest.fixture()
def activities(tmp_path) -> Path:
    return write_activity_log(tmp_path / "activites.csv")


def _kpi(doc: dict, kpi: str) -> dict:
    return next(k for k in doc["kpis"] if k["kpi"] == kpi)


# --------------------------------------------------------------------------- no activity log, no proposal date
def test_an_odoo_export_alone_says_which_column_would_unlock_each_missing_kpi(odoo, tmp_path):
    doc = diagnose_files([odoo], tmp_path / "out", pdf=False)
    assert doc["as_of"] == AS_OF.isoformat() and doc["period"]["code"] == "2026-02"
    # the two result KPIs the export supports, worked out from its rows
    assert _kpi(doc, "average_deal_size")["value"] == pytest.approx(expected_deal_size())
    assert expected_deal_size() == 10000  # (10 000 + 14 000 + 6 000) / 3
    assert _kpi(doc, "sales_cycle_days")["value"] == pytest.approx(expected_cycle())
    assert expected_cycle() == 67  # 94, 67 and 47 days
    # the three it cannot support, each with what would unlock it
    meetings = _kpi(doc, "qualified_meetings_per_week")
    assert not meetings["supported"] and meetings["value"] is None
    assert "journal d'activités" in meetings["unlock"]
    for kpi in ("proposals_per_month", "proposal_conversion"):
        k = _kpi(doc, kpi)
        assert not k["supported"]
        assert k["unlock"] == ("une date de proposition par affaire, ou un journal d'activités avec les propositions "
                               "envoyées")
    assert doc["supported"] == 2
    assert doc["forecast"]["supported"] is True  # three open deals with an amount, wins dated
    assert "Activities" in doc["recognition"]["absent"]
    # the history is short: the accuracy cannot be measured, and it says how much is needed
    first = min(r[10] for r in ODOO_ROWS)
    months = (AS_OF - first).days / 30.4375
    assert doc["accuracy"]["measurable"] is False
    assert doc["accuracy"]["history_months"] == pytest.approx(months, abs=0.05)
    assert doc["accuracy"]["months_needed"] == HISTORY_MONTHS_NEEDED
    assert f"{HISTORY_MONTHS_NEEDED} mois" in doc["accuracy"]["reason"]
    # rows: eight deals read, eight kept
    assert (doc["quality"]["rows"], doc["quality"]["kept"], doc["quality"]["excluded"]) == (8, 8, 0)
    assert doc["deals"] == {"count": 8, "won": 4, "open": 3}


def test_the_recognised_share_counts_the_canonical_columns_found(odoo, tmp_path):
    doc = diagnose_files([odoo], tmp_path / "out", pdf=False)
    (deals,) = doc["recognition"]["tables"]
    found = {c["column"]: c["header"] for c in deals["columns"]}
    # what each header of the export is, by its meaning (crm.lead's field strings)
    meant = {"deal_id": "ID", "account": "Customer", "owner": "Salesperson", "stage": "Stage",
             "amount": "Expected Revenue", "probability": "Probability", "expected_close_on": "Expected Closing",
             "closed_on": "Closed Date", "created_on": "Created on", "lost_reason": "Lost Reason"}
    for column, header in meant.items():
        assert found.get(column) == header, (column, found)
    assert deals["canonical"] == 15  # the Deals table's canonical columns
    assert doc["recognition"]["canonical"] == 15
    assert doc["recognition"]["recognised"] == len(found) >= len(meant)
    assert doc["recognition"]["share"] == pytest.approx(round(len(found) / 15, 4))


# --------------------------------------------------------------------------- deals and activities apart
def test_deals_and_activities_exported_apart_give_the_five_kpis(odoo, activities, tmp_path):
    doc = diagnose_files([odoo, activities], tmp_path / "out", pdf=False)
    assert doc["supported"] == 5
    acts = [(_day(r[0]), r[2], r[3]) for r in ACTIVITY_ROWS]
    meetings = sum(1 for d, t, _ in acts if t == "RDV qualifié" and _in_month(d))
    proposals = sum(1 for d, t, _ in acts if t == "Proposition" and _in_month(d))
    assert (meetings, proposals) == (6, 2)
    assert _kpi(doc, "qualified_meetings_per_week")["value"] == pytest.approx(meetings / (MONTH_DAYS / 7), abs=1e-4)
    assert _kpi(doc, "proposals_per_month")["value"] == pytest.approx(proposals / (MONTH_DAYS / 30.4375), abs=1e-4)
    # conversion: deals decided in February that had a proposal (at any date): 2002 won, 2005 lost
    proposed = {deal for _, t, deal in acts if t == "Proposition"}
    decided = [r for r in ODOO_ROWS if _in_month(r[9]) and r[0] in proposed]
    won = sum(1 for r in decided if r[5] == "Won")
    assert (won, len(decided)) == (1, 2)
    assert _kpi(doc, "proposal_conversion")["value"] == pytest.approx(won / len(decided))
    assert _kpi(doc, "average_deal_size")["value"] == pytest.approx(expected_deal_size())
    # both files read, every row kept
    files = {t["file"] for t in doc["recognition"]["tables"]}
    assert files == {"crm.lead.xlsx", "activites.csv"}
    assert doc["quality"]["rows"] == len(ODOO_ROWS) + len(ACTIVITY_ROWS)
    assert doc["quality"]["kept"] == doc["quality"]["rows"]
    assert "Activities" not in doc["recognition"]["absent"]


def test_a_folder_is_read_as_its_files_and_no_row_disappears(odoo, activities, tmp_path):
    folder = odoo.parent
    (folder / "~$crm.lead.xlsx").write_bytes(b"owner file of Excel")  # never read
    paths = expand_inputs([folder], option="FICHIER", language="fr")
    assert [p.name for p in paths] == ["activites.csv", "crm.lead.xlsx"]
    made = run_diagnostic(FilesWorkbook(paths), write=False)
    assert_rows_accounted(made.data)
    assert made.diagnostic.supported == 5
    assert made.deck is None  # write=False: nothing written


def test_the_prospect_files_are_never_written(odoo, activities, tmp_path):
    before = {p: p.read_bytes() for p in (odoo, activities)}
    out = tmp_path / "rapport"
    diagnose_files([odoo, activities], out, pdf=False)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.suffix for p in out.iterdir()) == [".pptx", ".xlsx"]
    assert sorted(p.name for p in odoo.parent.iterdir() if p.is_file()) == ["activites.csv", "crm.lead.xlsx"]


# --------------------------------------------------------------------------- deck, PDF and sheet
@pytest.mark.libreoffice
def test_the_client_diagnostic_deck_pdf_and_sheet_say_what_the_json_says(odoo, tmp_path, soffice):
    out = tmp_path / "out"
    doc = diagnose_files([odoo], out)
    check_outputs(doc, out)


@pytest.mark.libreoffice
def test_the_demo_diagnostic_fits_four_pages_and_its_numbers_are_the_json_ones(demo_workbook, demo_data, tmp_path,
                                                                              soffice, pdftoppm):
    from workbook_templates.libreoffice import to_png

    out = tmp_path / "out"
    doc = diagnose_files([demo_workbook], out)
    check_outputs(doc, out)
    # the demo's month, worked out from its frames: won deals closed in October 2026
    deals = demo_data.deals
    won = deals[(deals["status"] == "won") & (deals["closed_on"].dt.strftime("%Y-%m") == "2026-10")]
    assert doc["period"]["code"] == "2026-10"
    assert _kpi(doc, "average_deal_size")["value"] == pytest.approx(won["amount"].sum() / len(won), abs=1e-3)
    assert _kpi(doc, "sales_cycle_days")["value"] == pytest.approx(
        (won["closed_on"] - won["created_on"]).dt.days.median())
    assert doc["supported"] == 5 and doc["recognition"]["share"] == 1.0
    # two years of history: the three methods and their blend replayed, each scored
    assert doc["accuracy"]["measurable"]
    assert [m["method"] for m in doc["accuracy"]["methods"]] == ["weighted_declared", "run_rate", "calibrated",
                                                                 "blend"]
    assert all(m["scored"] > 0 and m["error"] > 0 for m in doc["accuracy"]["methods"])
    # the figure Pilotage promises is the one its cockpit would show for the month: the method the
    # forecast of that day picks, with its replayed error on the deck's first slide
    from kpicore.forecast.shown import forecast_all
    from kpicore.text import formats as F
    from support.diagnostic_checks import slide_texts

    as_of = dt.date.fromisoformat(doc["as_of"])
    shown = forecast_all(demo_data, "month", as_of, scopes_=[("company", "")])[0].method_shown
    assert doc["accuracy"]["shown_method"] == shown
    error = next(m["error"] for m in doc["accuracy"]["methods"] if m["method"] == shown)
    first = slide_texts(next(out.glob("*.pptx")))[0]
    assert f"±{F.percent(error)}, mesurée sur votre historique rejoué" in first, first
    pngs = to_png(next(out.glob("*.pdf")), tmp_path / "page", dpi=30)
    assert 2 <= len(pngs) <= 4


def test_an_english_reader_gets_an_english_diagnostic(odoo, tmp_path, monkeypatch):
    from support.deck_text import deck_texts, foreign_words

    monkeypatch.setenv("PILOTAGE_LANG", "en")
    out = tmp_path / "out"
    doc = diagnose_files([odoo], out, pdf=False)
    assert _kpi(doc, "proposals_per_month")["unlock"] == ("a proposal date per deal, or an activity log with the "
                                                          "proposals sent")
    made = run_diagnostic(FilesWorkbook([odoo]), write=False)
    deck = next(out.glob("*.pptx"))
    assert not foreign_words(deck_texts(deck), "en", made.data)
    check_outputs(doc, out, pdf=False, language="en")


# --------------------------------------------------------------------------- the ribbon button and the Calc menu
def test_the_ribbon_button_writes_the_diagnostic_in_a_folder_beside_the_workbook(tmp_path):
    from pptx import Presentation

    from addin.excel import ribbon
    from addin.excel.ribbon_actions import ACTIONS_BY_ID
    from support.addin_tables import recorded_book

    action = ACTIONS_BY_ID["pilotage_diagnostic"]
    assert (action.label, action.cli, action.group) == ("Diagnostic", "diagnostic", "Données")
    book, _ = recorded_book(fullname=str(tmp_path / "Pipeline.xlsx"))
    text = ribbon.dispatch("pilotage_diagnostic", book)
    folder = tmp_path / "Diagnostic Pipeline"
    assert text == f"Diagnostic écrit dans : {folder}"
    decks = list(folder.glob("*.pptx"))
    assert len(decks) == 1 and 2 <= len(Presentation(str(decks[0])).slides) <= 4
    assert len(list(folder.glob("*.xlsx"))) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Diagnostic Pipeline"]  # nothing else written


@pytest.mark.libreoffice
def test_the_calc_menu_entry_runs_the_same_diagnostic_on_the_open_document(office, odoo, monkeypatch):
    from addin.calc.uno_actions import UNO_ACTIONS, dispatch, menu_actions

    monkeypatch.setenv("PILOTAGE_NO_DIALOG", "1")
    assert "pilotage_diagnostic" in UNO_ACTIONS
    assert "pilotage_diagnostic" in [a.id for a in menu_actions()]
    before = odoo.read_bytes()
    doc = office.open(odoo)
    try:
        text = dispatch(doc, "pilotage_diagnostic")
    finally:
        doc.close(True)
    folder = odoo.parent / "Diagnostic crm.lead"
    assert text == f"Diagnostic écrit dans : {folder}"
    assert odoo.read_bytes() == before
    # the same figures as the command line on the file
    made = run_diagnostic(FilesWorkbook([odoo]), write=False)
    assert made.diagnostic.kpi("average_deal_size").value == pytest.approx(expected_deal_size())
    assert len(list(folder.glob("*.pptx"))) == 1


# --------------------------------------------------------------------------- choices by evidence (ingest_report)
def test_a_column_chosen_by_evidence_with_low_confidence_is_shown_as_a_guess(odoo, tmp_path):
    import dataclasses

    from kpicore.forecast.diagnostic import diagnose
    from kpicore.model.ingest_report import GUESS_BELOW, HOW_EVIDENCE, HOW_SYNONYM, Candidate, ColumnChoice
    from ritual_decks.diagnostic import diagnostic_deck
    from support.deck_text import check_fit, deck_texts

    data = run_diagnostic(FilesWorkbook([odoo]), write=False).data
    (grid,) = data.ingest.read
    # the recognition's report, as the evidence scoring gives it: the amount found by its values only
    choices = (ColumnChoice("Deals", "deal_id", Candidate("ID", "A", 1.0), HOW_SYNONYM),
               ColumnChoice("Deals", "amount", Candidate("Expected Revenue", "G", 0.45), HOW_EVIDENCE,
                            runner_up=Candidate("Probability", "H", 0.2)),
               ColumnChoice("Deals", "owner", Candidate("Salesperson", "D", 0.9), HOW_EVIDENCE),
               ColumnChoice("Deals", "proposal_on", None, HOW_EVIDENCE))
    assert 0.45 < GUESS_BELOW <= 0.9
    report = dataclasses.replace(data.ingest, grids=(dataclasses.replace(grid, choices=choices),))
    dg = diagnose(dataclasses.replace(data, ingest=report), accuracy=False)
    (table,) = dg.tables
    assert [(c.column, c.guess) for c in table.columns] == [("deal_id", False), ("amount", True), ("owner", False)]
    assert dg.guesses == 1 and dg.recognised == 3  # proposal_on: no column taken, not counted
    assert set(table.missing_required) == {"stage", "created_on"}
    deck = diagnostic_deck(dg, tmp_path / "d.pptx").path
    from pptx import Presentation

    check_fit(Presentation(str(deck)))
    said = " ".join(deck_texts(deck)).replace("\u2060", "")
    assert "« Expected Revenue » lu comme Montant HT (45\u00a0% sûr)" in said
    assert "Colonnes obligatoires manquantes" in said


def test_the_files_book_refuses_to_write(odoo):
    from kpicore.model.errors import InputFileError

    book = FilesWorkbook([odoo])
    with pytest.raises(InputFileError, match="n'y écrit jamais"):
        book.write([], active="Cockpit")
    with pytest.raises(InputFileError, match="n'y écrit jamais"):
        book.check_writable()
