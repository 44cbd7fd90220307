"""Exports of Salesforce, HubSpot, Pipedrive, Odoo and a messy French workbook all read
into the same canonical deals.

Each export is built here from its vendor's documented header set:
- Salesforce Opportunity report (CSV, US dates and amounts): field labels from
  https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html
  ("Close Date" is the expected date while open, the actual one once closed).
- HubSpot deals export (CSV, ISO date-times): default deal properties from
  https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties
- Pipedrive deals export (.xlsx, "Deal - ..." headers): fields listed with the sample import
  spreadsheets, https://support.pipedrive.com/en/article/importing-sample-import-spreadsheets
- Odoo CRM opportunities export (.xlsx): field strings of crm.lead in odoo/odoo,
  addons/crm/models/crm_lead.py (lost opportunities keep their stage and get a Lost Reason).
"""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest
import xlsxwriter

from support.ingest_checks import assert_rows_accounted
from kpicore.model import schema
from kpicore.text.check import check_report_json as check_report, check_report_text
from workbook_templates.reading import load_pipeline

# The four deals every export below describes.
EXPECTED = pd.DataFrame({
    "deal_id": ["1001", "1002", "1003", "1004"],
    "account": ["Dupont SA", "Durand SARL", "Lefèvre & Fils", "Électro Sud"],
    "owner": ["Marie Curie", "Paul Martin", "Marie Curie", "Paul Martin"],
    "status": ["open", "won", "lost", "open"],
    "amount": [12500.0, 8000.0, 30000.5, 4500.0],
    "created_on": pd.to_datetime(["2025-01-15", "2025-01-20", "2024-12-02", "2025-02-03"]),
    "expected_close_on": pd.to_datetime(["2025-03-14", None, None, "2025-04-30"]),
    "closed_on": pd.to_datetime([None, "2025-02-28", "2025-01-31", None]),
})
COMPARED = ["deal_id", "account", "owner", "status", "amount", "created_on", "closed_on"]


def assert_same_deals(data):
    deals = data.deals.sort_values("deal_id").reset_index(drop=True)
    assert list(deals.columns[:len(schema.DEALS.columns)]) == schema.DEALS.column_names
    got = deals[COMPARED].astype(object).where(deals[COMPARED].notna(), None)
    want = EXPECTED[COMPARED].astype(object).where(EXPECTED[COMPARED].notna(), None)
    assert got.to_dict("records") == want.to_dict("records")
    # the expected date is compared on open deals: CRMs keep a stale one on closed deals
    open_ = deals["status"] == "open"
    assert deals.loc[open_, "expected_close_on"].tolist() == \
        EXPECTED.loc[EXPECTED["status"] == "open", "expected_close_on"].tolist()
    assert_rows_accounted(data)
    assert not data.quality.errors


def write_csv(path, header, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_salesforce_opportunity_report(tmp_path):
    header = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Fiscal Period", "Amount",
              "Expected Revenue", "Probability (%)", "Close Date", "Created Date", "Next Step", "Opportunity ID"]
    rows = [
        ["Marie Curie", "Dupont SA", "Dupont - atelier", "Proposal/Price Quote", "Q1-2025", "12,500.00",
         "9,375.00", "75", "3/14/2025", "1/15/2025", "Relancer", "1001"],
        ["Paul Martin", "Durand SARL", "Durand - machines", "Closed Won", "Q1-2025", "8,000.00", "8,000.00", "100",
         "2/28/2025", "1/20/2025", "", "1002"],
        ["Marie Curie", "Lefèvre & Fils", "Lefèvre - ligne 2", "Closed Lost", "Q1-2025", "30,000.50", "0.00", "0",
         "1/31/2025", "12/2/2024", "", "1003"],
        ["Paul Martin", "Électro Sud", "Électro Sud - extension", "Qualification", "Q2-2025", "4,500.00", "450.00",
         "10", "4/30/2025", "2/3/2025", "Démo", "1004"],
    ]
    data = load_pipeline(write_csv(tmp_path / "report1712.csv", header, rows, encoding="utf-8-sig"))
    assert_same_deals(data)
    assert data.deals.sort_values("deal_id")["probability"].tolist() == [0.75, 1.0, 0.0, 0.10]
    # Expected Revenue (amount x probability) must not be taken for the amount; it is kept
    assert data.deals.sort_values("deal_id")["Expected Revenue"].tolist() == ["9,375.00", "8,000.00", "0.00",
                                                                               "450.00"]


def test_hubspot_deals_export(tmp_path):
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount", "Create Date",
              "Deal probability", "Associated Company", "Pipeline"]
    rows = [
        ["1001", "Dupont - atelier", "Contract sent", "2025-03-14 00:00", "Marie Curie", "12500",
         "2025-01-15 09:12", "0.9", "Dupont SA", "Sales Pipeline"],
        ["1002", "Durand - machines", "Closed won", "2025-02-28 17:40", "Paul Martin", "8000", "2025-01-20 11:00",
         "1", "Durand SARL", "Sales Pipeline"],
        ["1003", "Lefèvre - ligne 2", "Closed lost", "2025-01-31 08:00", "Marie Curie", "30000.5",
         "2024-12-02 10:30", "0", "Lefèvre & Fils", "Sales Pipeline"],
        ["1004", "Électro Sud - extension", "Appointment scheduled", "2025-04-30 00:00", "Paul Martin", "4500",
         "2025-02-03 14:45", "0.2", "Électro Sud", "Sales Pipeline"],
    ]
    data = load_pipeline(write_csv(tmp_path / "hubspot-crm-exports-all-deals.csv", header, rows))
    assert_same_deals(data)
    assert data.deals.sort_values("deal_id")["probability"].tolist() == [0.9, 1.0, 0.0, 0.2]


def test_pipedrive_deals_export(tmp_path):
    path = tmp_path / "deals-export.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Deals")
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    header = ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency of value", "Deal - Organization",
              "Deal - Owner", "Deal - Stage", "Deal - Status", "Deal - Expected close date", "Deal - Won time",
              "Deal - Lost time", "Deal - Deal created", "Deal - Lost reason"]
    rows = [
        [1001, "Dupont - atelier", 12500, "EUR", "Dupont SA", "Marie Curie", "Proposal made", "Open", "2025-03-14",
         None, None, dt.datetime(2025, 1, 15, 9, 12), None],
        [1002, "Durand - machines", 8000, "EUR", "Durand SARL", "Paul Martin", "Negotiations started", "Won",
         "2025-02-15", "2025-02-28 17:40:12", None, dt.datetime(2025, 1, 20, 11, 0), None],
        [1003, "Lefèvre - ligne 2", 30000.5, "EUR", "Lefèvre & Fils", "Marie Curie", "Proposal made", "Lost",
         "2025-02-10", None, "2025-01-31 08:00:00", dt.datetime(2024, 12, 2, 10, 30), "Prix"],
        [1004, "Électro Sud - extension", 4500, "EUR", "Électro Sud", "Paul Martin", "Qualified", "Open",
         "2025-04-30", None, None, dt.datetime(2025, 2, 3, 14, 45), None],
    ]
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, datefmt)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    data = load_pipeline(path)
    assert_same_deals(data)
    assert data.deals.sort_values("deal_id")["lost_reason"].tolist()[2] == "Prix"
    assert "Deal - Title" in data.deals.columns  # unknown columns are kept, not lost


def test_odoo_crm_export(tmp_path):
    path = tmp_path / "crm.lead.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Sheet1")
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    tfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    header = ["ID", "Opportunity", "Customer", "Salesperson", "Sales Team", "Stage", "Expected Revenue",
              "Probability", "Expected Closing", "Closed Date", "Created on", "Lost Reason"]
    rows = [
        ["1001", "Dupont - atelier", "Dupont SA", "Marie Curie", "Sales", "Proposition", 12500, 70,
         dt.date(2025, 3, 14), None, dt.datetime(2025, 1, 15, 9, 12), None],
        ["1002", "Durand - machines", "Durand SARL", "Paul Martin", "Sales", "Won", 8000, 100, dt.date(2025, 2, 15),
         dt.datetime(2025, 2, 28, 17, 40), dt.datetime(2025, 1, 20, 11, 0), None],
        # Odoo archives a lost opportunity in its last stage, with a lost reason
        ["1003", "Lefèvre - ligne 2", "Lefèvre & Fils", "Marie Curie", "Sales", "Proposition", 30000.5, 0,
         dt.date(2025, 2, 10), dt.datetime(2025, 1, 31, 8, 0), dt.datetime(2024, 12, 2, 10, 30), "Too expensive"],
        ["1004", "Électro Sud - extension", "Électro Sud", "Paul Martin", "Sales", "Qualified", 4500, 20,
         dt.date(2025, 4, 30), None, dt.datetime(2025, 2, 3, 14, 45), None],
    ]
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, tfmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), dfmt)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    data = load_pipeline(path)
    assert_same_deals(data)
    assert data.deals.sort_values("deal_id")["probability"].tolist() == [0.7, 1.0, 0.0, 0.2]


@pytest.fixture()
def messy_workbook(tmp_path):
    """A French SME's own workbook: title rows, merged headers, French text dates and
    amounts, formulas with cached values, a total row and an extra sheet."""
    path = tmp_path / "Suivi commercial 2025.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Pipeline 2025")
    bold = wb.add_format({"bold": True})
    dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    eur = wb.add_format({"num_format": "# ##0,00 €"})
    ws.write("A1", "Suivi des affaires – Atelier Exemple SAS", bold)
    ws.write("A2", "Mis à jour le 03/03/2025")
    ws.merge_range("A3:D3", "Affaire", bold)
    ws.merge_range("E3:F3", "Montants", bold)
    ws.merge_range("G3:I3", "Dates", bold)
    ws.write_row("A4", ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Montant pondéré",
                        "Date de création", "Date de signature prévue", "Date de clôture"], bold)
    ws.merge_range("J4:K4", "Commentaire", bold)
    # row 5: text amount and French text dates; row 6: a formula amount with its cached value
    ws.write_row("A5", ["AFF-1001", "  Dupont SA ", "Marie Curie", "Proposition", "12 500,00 €"])
    ws.write_formula("F5", "=12500*0.5", eur, 6250)
    ws.write_row("G5", ["15/01/2025", "14/03/2025", None, "rappeler lundi"])
    ws.write_row("A6", ["AFF-1002", "Durand SARL", "Paul Martin", "gagnée"])
    ws.write_formula("E6", "=5000+3000", eur, 8000)
    ws.write_formula("F6", "=E6*1", eur, 8000)
    ws.write("G6", "20/01/2025")
    ws.write_datetime("I6", dt.datetime(2025, 2, 28), dfmt)
    # an empty row in the middle of the data
    ws.write_row("A8", ["AFF-1003", "Lefèvre & Fils", "Marie Curie", "Perdue", 30000.5, 0, "02/12/2024", None,
                        "31/01/2025"])
    ws.write_row("A9", ["AFF-1004", "Électro Sud", "Paul Martin", "Qualification", 4500])
    ws.write_formula("F9", "=E9*0.2", eur, 900)
    ws.write_datetime("G9", dt.datetime(2025, 2, 3), dfmt)
    ws.write_datetime("H9", dt.datetime(2025, 4, 30), dfmt)
    ws.write("A11", "TOTAL GÉNÉRAL", bold)
    ws.write_formula("E11", "=SUM(E5:E9)", eur, 55000.5)
    notes = wb.add_worksheet("Notes")
    notes.write("A1", "Penser à mettre à jour les étapes chaque vendredi.")
    notes.write("A3", "Contacts salons : voir la liste de Paul.")
    wb.close()
    return path


def test_messy_french_workbook(messy_workbook):
    data = load_pipeline(messy_workbook)
    deals = data.deals.sort_values("deal_id").reset_index(drop=True)
    # the ids carry the company's prefix; everything else is the same as the CRM exports
    deals["deal_id"] = deals["deal_id"].str.removeprefix("AFF-")
    assert_same_deals(data.with_frames(deals=deals))
    assert deals["stage"].tolist() == ["Proposition", "Gagnée", "Perdue", "Qualification"]  # case from Stages
    assert deals["Montant pondéré"].tolist() == [6250, 8000, 0, 900]  # cached formula values
    assert deals["Commentaire"].tolist()[0] == "rappeler lundi"
    grid = next(g for g in data.ingest.read if g.sheet == "Pipeline 2025")
    assert grid.header_row == 4
    assert grid.total_rows == (11,)
    assert grid.data_rows == (5, 6, 8, 9)
    assert [g.sheet for g in data.ingest.ignored] == ["Notes"]
    warned = {(i.row, i.column) for i in data.quality.warnings}
    assert (5, "Montant HT") in warned  # "12 500,00 €" repaired
    assert (5, "Date de création") in warned  # "15/01/2025" typed as text
    assert (6, "Étape") in warned  # "gagnée" -> "Gagnée"


def test_check_report_on_the_messy_workbook(messy_workbook):
    data = load_pipeline(messy_workbook)
    text = check_report_text(data)
    assert "Affaires (Deals) ← feuille « Pipeline 2025 », en-têtes ligne 4" in text
    assert "« Montant HT » → amount" in text
    assert "« Notes »" in text
    assert "lignes : 4 lues, 4 gardées, 0 exclues, 1 ligne de total ignorée" in text
    report = check_report(data)
    import json

    assert json.loads(json.dumps(report))["sheets"][0]["rows"] == {
        "data": 4, "kept": 4, "excluded": 0, "duplicates_merged": 0, "total_rows_skipped": 1}
