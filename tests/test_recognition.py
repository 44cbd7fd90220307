"""Recognition by evidence (kpicore.ingest.evidence, mapping.recognise, grids.locate): grids in the shapes
clients keep, whose headers are in no synonym list, read onto the canonical columns by their words and
their values.

Shapes: the activity log and deal lists below are shapes recorded from hand-kept SME workbooks (no vendor
documents them: French headers as typed by a sales manager, « Typologie », « Date d'émission du devis »,
« Total HT » beside « Total TTC »).  The Salesforce report shape follows Salesforce's "Export a Report"
help (https://help.salesforce.com/s/articleView?id=sf.reports_export.htm&type=5): a *formatted* export
keeps the report's header (title, filters) above the rows and its totals ("Grand Totals (N records)")
and the "Confidential Information - Do Not Distribute" / copyright footer below.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import jsonschema
import pandas as pd
import pytest

from kpicore.ingest.grids import RawGrid, ingest
from kpicore.ingest.mapping import SYNONYMS, lookup, recognise
from kpicore.ingest.evidence import profile
from kpicore.ingest.quality_text import check_report
from kpicore.model.ingest_report import HOW_EVIDENCE, HOW_SETTING, HOW_PERSON, HOW_SYNONYM, PersonChoices
from kpicore.text.catalogue import render
from kpicore.text.check import check_report_json, check_report_text
from tests.support.ingest_checks import assert_rows_accounted

REPS = ("Marie Dupont", "Jean Martin", "Luc Petit")
STAGES = ("Prospection", "Proposition", "Négociation", "Gagnée", "Perdue")


def _activities(header: list[str], n: int = 24) -> list[list[object]]:
    types = ("Rendez-vous terrain", "Appel", "Démo en ligne", "Relance")
    rows: list[list[object]] = [header]
    for i in range(n):
        rows.append([dt.datetime(2025, 3, 1 + i % 28), REPS[i % 2], types[i % 4], f"Client {i % 5}",
                     "échange sur le besoin et les délais de livraison"])
    return rows


def _deals(header: list[str], n: int = 20) -> list[list[object]]:
    rows: list[list[object]] = [header]
    for i in range(n):
        rows.append([f"AF-{100 + i}", f"Projet {i}", REPS[i % 3], STAGES[i % 5], 1000.0 + 10 * i, 1200.0 + 12 * i,
                     dt.datetime(2025, 1, 1 + i), dt.datetime(2025, 2, 1 + i), dt.datetime(2025, 4, 1 + i)])
    return rows


DEAL_HEADER = ["Réf", "Nom de la transaction", "Chargé de clientèle", "Étape", "Total HT", "Total TTC",
               "Saisie le", "Date d'émission du devis", "Date prévisionnelle de signature"]


def _mapped(data, table: str) -> dict[str, str]:
    g = next(g for g in data.ingest.read if g.table == table)
    return {c.column: c.header for c in g.columns if c.column}


def _choice(data, table: str, column: str):
    g = next(g for g in data.ingest.read if g.table == table)
    return next(c for c in g.choices if c.column == column)


def _never_twice(data) -> None:
    for g in data.ingest.read:
        cols = [c.column for c in g.columns if c.column]
        assert len(cols) == len(set(cols)), g.sheet
        positions = [c.chosen.letter for c in g.choices if c.chosen is not None]
        assert len(positions) == len(set(positions)), g.sheet


def test_the_headers_of_these_tests_are_in_no_synonym_list():
    # the point of the tests below: evidence, not listing, recognises them
    for h in ("Chargé de clientèle", "Total HT", "Date d'émission du devis", "Date prévisionnelle de signature",
              "Saisie le"):
        assert lookup("Deals", h) is None, h
    for h in ("Typologie", "Collaborateur affecté", "Observations", "Nature de l'action", "Sales Rep Name"):
        assert lookup("Activities", h) is None, h


def test_an_activity_log_with_its_own_headers_on_a_sheet_called_export():
    rows = _activities(["Jour", "Collaborateur affecté", "Typologie", "Société", "Observations"])
    data = ingest([RawGrid("log.xlsx", "Export", rows)])
    assert _mapped(data, "Activities") == {"date": "Jour", "rep": "Collaborateur affecté", "type": "Typologie",
                                           "account": "Société", "note": "Observations"}
    assert len(data.activities) == 24  # every activity kept: none lost for want of a "Type" header
    c = _choice(data, "Activities", "type")
    assert c.how == HOW_EVIDENCE and not c.guess
    said = [render(e) for e in c.chosen.evidence]
    assert "en-tête : « typologie » → Type" in said
    assert "100 % des valeurs sont des types d'activité".replace(" %", "\u202f%") in said or \
        any("des valeurs sont des types d'activité" in s for s in said)
    assert _choice(data, "Activities", "date").how == HOW_SYNONYM  # « Jour » is a known header
    _never_twice(data)
    assert_rows_accounted(data)


@pytest.mark.parametrize("type_header", ["Nature de l'action", "Typologie"])
@pytest.mark.parametrize("rep_header", ["Sales Rep Name", "Collaborateur affecté"])
def test_type_and_rep_headers_worded_otherwise(type_header, rep_header):
    rows = _activities(["Date", rep_header, type_header, "Client", "Commentaire"])
    data = ingest([RawGrid("log.csv", "log", rows)])
    m = _mapped(data, "Activities")
    assert m["type"] == type_header and m["rep"] == rep_header


def test_a_deal_list_with_its_own_headers():
    data = ingest([RawGrid("affaires.xlsx", "Sheet1", _deals(DEAL_HEADER))])
    m = _mapped(data, "Deals")
    assert m["owner"] == "Chargé de clientèle"
    assert m["amount"] == "Total HT"
    assert m["created_on"] == "Saisie le"
    assert m["proposal_on"] == "Date d'émission du devis"
    assert m["expected_close_on"] == "Date prévisionnelle de signature"
    assert m["deal_name"] == "Nom de la transaction"
    assert "account" not in m  # « Chargé de clientèle » is a person, not the client
    # the proposal dates as written: 1 Feb + i
    assert list(data.deals.sort_values("deal_id")["proposal_on"].dt.day) == list(range(1, 21))
    # HT used, TTC kept as an extra column, and the TTC column is the amount's runner-up
    assert list(data.deals.sort_values("deal_id")["amount"]) == [1000.0 + 10 * i for i in range(20)]
    assert "Total TTC" in data.deals.columns
    amount = _choice(data, "Deals", "amount")
    assert amount.runner_up is not None and amount.runner_up.header == "Total TTC"
    # the deal's name is also kept under its own header
    assert "Nom de la transaction" in data.deals.columns
    # one choice per canonical column, found or not
    g = data.ingest.read[0]
    canon = [c for c in g.choices if c.column != "deal_name"]
    assert len(canon) == 15 and {c.column for c in canon if c.chosen is None} >= {"closed_on", "probability"}
    _never_twice(data)
    assert_rows_accounted(data)


def test_a_column_is_never_taken_twice():
    # two headers speak of the owner: one is the owner, the other its runner-up, kept as an extra
    header = ["N° affaire", "Chargé d'affaires principal", "Collaborateur affecté", "Étape", "Montant HT",
              "Date de création"]
    rows = [header] + [[f"D{i}", REPS[i % 3], REPS[(i + 1) % 3], STAGES[i % 5], 100.0 * (i + 1),
                        dt.datetime(2025, 1, 1 + i)] for i in range(12)]
    m = recognise("Deals", header)
    owners = [c.header for c in m.columns if c.column == "owner"]
    assert owners == ["Chargé d'affaires principal"]  # « Chargé d'affaires » leads, so it wins
    data = ingest([RawGrid("f.xlsx", "Affaires", rows)])
    owner = _choice(data, "Deals", "owner")
    assert owner.chosen.header == "Chargé d'affaires principal"
    assert owner.runner_up.header == "Collaborateur affecté"
    assert "Collaborateur affecté" in data.deals.columns
    _never_twice(data)


@pytest.mark.parametrize("order", ["ttc_first", "ht_first"])
def test_ht_is_the_amount_when_both_exist(order):
    amounts = ["Montant TTC", "Montant HT"] if order == "ttc_first" else ["Montant HT", "Montant TTC"]
    rows = [["N° affaire", "Commercial", "Étape", *amounts, "Date de création"]]
    ht = [500.0, 800.0, 1250.0]
    for i, v in enumerate(ht):
        pair = [v * 1.2, v] if order == "ttc_first" else [v, v * 1.2]
        rows.append([f"D{i}", "Marie Dupont", "Proposition", *pair, dt.datetime(2025, 5, 2 + i)])
    data = ingest([RawGrid("f.xlsx", "Affaires", rows)])
    assert list(data.deals["amount"]) == ht
    assert "Montant TTC" in data.deals.columns
    assert not any(i.problem.code.startswith("recognition.problem.ttc") for i in data.quality.issues
                   if hasattr(i.problem, "code"))
    assert data.ingest.notes == ()


@pytest.mark.parametrize("header", ["Total TTC", "Montant TTC", "TTC"])
def test_only_a_ttc_amount_is_used_with_a_warning_and_a_note(header):
    rows = [["N° affaire", "Commercial", "Étape", header, "Date de création"]]
    ttc = [600.0, 960.0]
    for i, v in enumerate(ttc):
        rows.append([f"D{i}", "Marie Dupont", "Proposition", v, dt.datetime(2025, 5, 2 + i)])
    data = ingest([RawGrid("f.xlsx", "Affaires", rows)])
    assert list(data.deals["amount"]) == ttc
    warned = [i for i in data.quality.warnings if getattr(i.problem, "code", "") == "recognition.problem.ttc_only"]
    assert len(warned) == 1 and warned[0].column == header
    assert [n.code for n in data.ingest.notes] == ["recognition.note.ttc_used"]
    assert header in render(data.ingest.notes[0])


def _owner_grid(owner_header: str) -> RawGrid:
    rows = [["N° affaire", owner_header, "Étape", "Montant HT", "Date de création"]]
    rows += [[f"D{i}", REPS[i % 3], STAGES[i % 5], 100.0 * (i + 1), dt.datetime(2025, 1, 1 + i)] for i in range(9)]
    return RawGrid("f.xlsx", "Affaires", rows)


def test_a_settings_header_that_vanished_gives_a_warning_and_the_guess_is_used():
    data = ingest([_owner_grid("Chargé de clientèle")], settings={"mapping.Deals.owner": "Responsable du compte"})
    owner = _choice(data, "Deals", "owner")
    assert owner.vanished == "Responsable du compte"
    assert owner.chosen.header == "Chargé de clientèle" and owner.how == HOW_EVIDENCE
    warned = [i for i in data.quality.warnings if getattr(i.problem, "code", "") == "recognition.problem.vanished"]
    assert len(warned) == 1
    text = render(warned[0].problem)
    assert "« Responsable du compte »" in text and "« Chargé de clientèle »" in text
    assert sorted(data.deals["owner"]) == sorted(REPS[i % 3] for i in range(9))


def test_a_persons_choice_wins_and_a_vanished_one_is_said():
    grid = _owner_grid("Chargé de clientèle")
    choices = PersonChoices(columns={("Deals", "owner"): "Chargé de clientèle"})
    data = ingest([grid], settings={"mapping.Deals.owner": "Étape"}, choices=choices)
    assert _choice(data, "Deals", "owner").how == HOW_PERSON
    assert data.deals["owner"].iloc[0] == REPS[0]
    # the setting alone, present in the file: it is used, as a setting
    data = ingest([grid], settings={"mapping.Deals.owner": "Chargé de clientèle"})
    assert _choice(data, "Deals", "owner").how == HOW_SETTING
    gone = ingest([grid], choices=PersonChoices(columns={("Deals", "owner"): "Commercial (ancien)"}))
    owner = _choice(gone, "Deals", "owner")
    assert owner.vanished == "Commercial (ancien)" and owner.chosen.header == "Chargé de clientèle"


def test_a_salesforce_report_with_its_furniture():
    # a report the user added the "Opportunity ID" column to (without it, kpicore.ingest.deal_ids derives one)
    header = ["Opportunity ID", "Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Amount", "Close Date",
              "Created Date"]
    rows: list[list[object]] = [
        ["Opportunities by Stage"], [], ["Salesforce.com"], ["As of 02/12/2026 09:14 by Marie Dupont"], [],
        ["Filtered By:"], ["    Opportunity Status equals Any"], ["    Close Date equals Current FY"], [],
        ["Show: All opportunities"], [], [], header]
    deals = [("0061x01", "Marie Dupont", "Acme", "Acme renewal", "Closed Won", 12000.0, "3/14/2026", "1/5/2026"),
             ("0061x02", "Jean Martin", "Globex", "Globex pilot", "Prospecting", 4000.0, "6/30/2026", "2/2/2026"),
             ("0061x03", "Marie Dupont", "Initech", "Initech fleet", "Closed Lost", 7000.0, "2/20/2026",
              "1/20/2026")]
    rows += [list(d) for d in deals]
    rows += [["Grand Totals (3 records)", None, None, None, None, 23000.0], [],
             ["Confidential Information - Do Not Distribute"],
             ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."]]
    data = ingest([RawGrid("report.xlsx", "Opportunities by Stage", rows)])
    g = data.ingest.read[0]
    assert g.table == "Deals" and g.header_row == 13
    # header on row 13, deals on 14-16, the grand total on 17, a blank row, the two footer lines on 19-20
    assert g.total_rows == (17, 19, 20)
    warned_rows = sorted(i.row for i in data.quality.warnings if i.row in (17, 19, 20))
    assert warned_rows == [17, 19, 20]
    assert g.data_rows == (14, 15, 16)
    assert sorted(data.deals["amount"]) == [4000.0, 7000.0, 12000.0]
    assert_rows_accounted(data)


def test_a_notes_sheet_and_the_products_own_sheets_are_not_tables():
    notes = RawGrid("f.xlsx", "Notes", [["Remarques"], ["Appeler le client lundi"], ["Relance devis Durand"],
                                        ["Voir avec Marie pour la démo"]])
    own = RawGrid("f.xlsx", "Cockpit", _activities(["Jour", "Collaborateur affecté", "Typologie", "Société", "Obs"]))
    log = RawGrid("f.xlsx", "Export", _activities(["Jour", "Collaborateur affecté", "Typologie", "Société", "Obs"]))
    data = ingest([notes, own, log])
    assert [g.sheet for g in data.ingest.read] == ["Export"]
    assert {g.sheet for g in data.ingest.ignored} == {"Notes", "Cockpit"}


def _guessed_log() -> RawGrid:
    # the type column's header says nothing ("Quoi"): only its values prove it; a guess
    return RawGrid("log.xlsx", "Journal", _activities(["Date", "Commercial", "Quoi", "Client", "Commentaire"]))


def test_a_required_column_found_only_by_its_values_is_a_guess_used_and_shown():
    data = ingest([_guessed_log()])
    c = _choice(data, "Activities", "type")
    assert c.chosen.header == "Quoi" and c.guess and c.how == HOW_EVIDENCE
    assert len(data.activities) == 24
    assert data.ingest.guesses == (c,)
    badge = data.quality.badge()
    assert badge.code == "recognition.badge.guesses" and "1 colonne devinée" in render(badge)
    text = check_report_text(data)
    assert "« Quoi » → Type : DEVINÉE" in text
    report = check_report(data)
    assert report["choices"][0]["guess"] and report["choices"][0]["column"] == "type"


def test_the_check_json_follows_its_schema_v2():
    data = ingest([_guessed_log()])
    doc = check_report_json(data)
    schema = json.loads(resources.files("kpicore.model.json_schemas").joinpath("check.v2.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["version"] == 2
    guess = doc["choices"][0]
    assert guess["chosen"]["header"] == "Quoi" and 0 < guess["chosen"]["confidence"] < 0.6
    assert any("types d'activité" in e for e in guess["chosen"]["evidence"])
    en = check_report_json(data, "en")
    assert any("activity types" in e for e in en["choices"][0]["chosen"]["evidence"])


def test_the_quality_sheet_lists_the_guesses_first():
    from kpicore.cockpit.quality_spec import build_quality_spec
    from kpicore.text.sheets import rendered

    spec = rendered(build_quality_spec(ingest([_guessed_log()])), "fr")
    texts = [str(c.value) for row in spec.blocks[0].cells for c in row if c.value is not None]
    sections = [str(c.value) for row in spec.blocks[0].cells for c in row if c.style == "section"]
    assert sections[0] == "Colonnes devinées"
    assert any(t == "C : Quoi" for t in texts)


def test_value_evidence_over_a_whole_column():
    cells = [dt.datetime(2025, 1, d) for d in range(1, 16)] + ["32/13/2025"]  # 15 dates out of 16
    p = profile(cells + [None, ""])
    assert p.n == 16 and p.dates == pytest.approx(15 / 16)
    names = profile([REPS[i % 3] for i in range(30)])
    assert names.names > 0.9 and names.distinct == 3
    ids = profile([f"AF-{i}" for i in range(40)])
    assert ids.ids == 1.0
    pct = profile([10, 25, 50, 90])
    assert pct.percents == 1.0 and pct.amounts == 1.0
    assert profile([]).n == 0


def test_synonyms_and_lookup_still_work():
    assert lookup("Deals", "Montant HT") == ("amount", 1)  # after the canonical name, the French label
    assert "Opportunity Name" in SYNONYMS["Deals"]["deal_name"]


def test_the_templates_own_kpi_dictionary_is_not_taken_for_deals(tmp_path):
    # its headers (« Identifiant », « Libellé », « Activité / résultat »...) and values (percentages, short
    # words) look a little like a deal list: evidence must not make a table of it
    from workbook_templates.pipeline_template import write_pipeline_template
    from workbook_templates.reading import read_grids
    from kpicore.ingest.grids import locate

    grids = {g.sheet: g for g in read_grids(write_pipeline_template(tmp_path / "modèle.xlsx"))}
    assert locate(grids["Dictionnaire KPI"]).code == "quality.ignored.too_few_headers"
    assert locate(grids["Affaires"]).table == "Deals"


@pytest.mark.parametrize("header, column", [
    ("Montant potentiel", "amount"), ("Valeur estimée", "amount"), ("Total HT", "amount"),
    ("Topic", "deal_name"), ("Objet de l'affaire", "deal_name"), ("Nom de la transaction", "deal_name"),
    ("Sales Rep Name", "owner"), ("Collaborateur affecté", "owner"), ("Chargé de clientèle", "owner"),
    ("Date prévisionnelle de signature", "expected_close_on"), ("Date d'émission du devis", "proposal_on"),
    ("Proba. (%)", "probability"), ("Phase du cycle", "stage"),
])
def test_one_header_worded_otherwise_among_known_ones(header, column):
    from kpicore.ingest.evidence import Profiles

    values = {"amount": [1500.0, 2300.0, 800.0, 12000.0], "deal_name": ["Refonte site", "Parc copieurs",
                                                                        "Maintenance 2025", "Audit sécurité"],
              "owner": [REPS[0], REPS[1], REPS[0], REPS[1]], "probability": [10, 50, 75, 90],
              "stage": ["Prospection", "Proposition", "Gagnée", "Perdue"],
              "expected_close_on": [dt.datetime(2025, 6, d) for d in (2, 9, 16, 23)],
              "proposal_on": [dt.datetime(2025, 4, d) for d in (2, 9, 16, 23)]}
    base = {"deal_id": ["D1", "D2", "D3", "D4"], "account": ["Durand SA", "Bâtiplus", "Agri Ouest", "Maison Bleue"],
            "created_on": [dt.datetime(2025, 3, d) for d in (3, 10, 17, 24)]}
    headers = ["N° affaire", "Client", "Date de création", header]
    cols = [base["deal_id"], base["account"], base["created_on"], values[column]]
    m = recognise("Deals", headers, profiles=Profiles(cols))
    assert {c.column: c.header for c in m.columns if c.column}[column] == header


def test_a_sheet1_with_not_one_known_header_is_taken_for_what_its_values_prove():
    header = ["Réalisé le", "Collaborateur affecté", "Typologie", "Nom du compte"]
    assert all(lookup(t, h) is None for h in header for t in ("Activities", "Deals"))
    rows = [header] + [r[:4] for r in _activities(["x"] * 5)[1:]]
    data = ingest([RawGrid("export.csv", "Sheet1", rows)])
    assert data.ingest.read[0].table == "Activities"
    assert _mapped(data, "Activities") == {"date": "Réalisé le", "rep": "Collaborateur affecté",
                                           "type": "Typologie", "account": "Nom du compte"}
    assert len(data.activities) == 24
    assert_rows_accounted(data)


@pytest.mark.parametrize("open_dated", [True, False])
def test_a_lone_close_date_is_split_by_status_only_when_open_deals_have_one_too(open_dated):
    # Salesforce's French « Date de clôture » dates every deal (expected while open); a hand-kept one dates
    # only the deals closed
    rows = [["N° affaire", "Commercial", "Étape", "Montant HT", "Date de création", "Date de clôture"]]
    deals = [("D1", "Gagnée", dt.datetime(2025, 3, 5)), ("D2", "Perdue", dt.datetime(2025, 3, 9)),
             ("D3", "Proposition", dt.datetime(2025, 6, 30) if open_dated else None)]
    for i, (d, stage, close) in enumerate(deals):
        rows.append([d, "Marie Dupont", stage, 1000.0, dt.datetime(2025, 1, 2 + i), close])
    data = ingest([RawGrid("f.xlsx", "Affaires", rows)])
    d = data.deals.set_index("deal_id")
    assert list(d.loc[["D1", "D2"], "closed_on"]) == [pd_ts(2025, 3, 5), pd_ts(2025, 3, 9)]
    assert pd.isna(d.loc["D3", "closed_on"])
    if open_dated:
        assert d.loc["D3", "expected_close_on"] == pd_ts(2025, 6, 30)
        assert _mapped(data, "Deals")["close_date"] == "Date de clôture"
    else:
        assert _mapped(data, "Deals")["closed_on"] == "Date de clôture"


def pd_ts(y: int, m: int, d: int):
    return pd.Timestamp(y, m, d)


@pytest.mark.parametrize("header, split", [("Date d'échéance", True), ("Date de clôture prévue", False),
                                           ("Clôture prév.", False)])
def test_a_lone_due_date_dating_every_deal_is_split_by_status_unless_it_says_forecast(header, split):
    # Zoho's and Sellsy's « Date d'échéance » dates every deal: the expected date while open, set to the actual
    # one when won or lost (https://zoho.com/fr/crm/help/opportunities/standard-fields.html); a header that
    # says « prévue » keeps the expected date even on closed deals
    rows = [["N° affaire", "Commercial", "Étape", "Montant HT", "Date de création", header]]
    deals = [("D1", "Gagnée", dt.datetime(2025, 3, 5)), ("D2", "Perdue", dt.datetime(2025, 3, 9)),
             ("D3", "Proposition", dt.datetime(2025, 6, 30))]
    for i, (d, stage, close) in enumerate(deals):
        rows.append([d, "Marie Dupont", stage, 1000.0, dt.datetime(2025, 1, 2 + i), close])
    data = ingest([RawGrid("f.xlsx", "Affaires", rows)])
    d = data.deals.set_index("deal_id")
    assert d.loc["D3", "expected_close_on"] == pd_ts(2025, 6, 30)
    assert pd.isna(d.loc["D3", "closed_on"])
    if split:
        assert _mapped(data, "Deals")["close_date"] == header
        assert list(d.loc[["D1", "D2"], "closed_on"]) == [pd_ts(2025, 3, 5), pd_ts(2025, 3, 9)]
    else:
        assert _mapped(data, "Deals")["expected_close_on"] == header
        assert d.loc[["D1", "D2"], "closed_on"].isna().all()
    assert_rows_accounted(data)


def test_a_won_date_and_a_lost_date_are_the_won_and_lost_times_not_one_close_date():
    # Pipedrive's French export: « Affaire - Date de gain » / « Affaire - Date de perte » beside the expected date
    rows = [["Affaire - ID", "Affaire - Organisation", "Affaire - Propriétaire", "Affaire - Étape",
             "Affaire - Statut", "Affaire - Valeur", "Affaire - Affaire créée", "Affaire - Date de clôture prévue",
             "Affaire - Date de gain", "Affaire - Date de perte"]]
    created = dt.datetime(2025, 1, 6, 9)
    rows += [[1, "Durand SA", "Marie Dupont", "Proposition faite", "Gagnée", 1000.0, created, None,
              dt.datetime(2025, 3, 5, 15), None],
             [2, "Bâtiplus", "Marie Dupont", "Proposition faite", "Perdue", 2000.0, created, None, None,
              dt.datetime(2025, 3, 9, 10)],
             [3, "Agri Ouest", "Jean Martin", "Qualifié", "Ouverte", 3000.0, created, dt.datetime(2025, 6, 30),
              None, None]]
    data = ingest([RawGrid("affaires.xlsx", "Affaires", rows)])
    mapped = _mapped(data, "Deals")
    assert mapped["won_on"] == "Affaire - Date de gain" and mapped["lost_on"] == "Affaire - Date de perte"
    d = data.deals.set_index("deal_id")
    assert [d.loc[k, "closed_on"].normalize() for k in ("1", "2")] == [pd_ts(2025, 3, 5), pd_ts(2025, 3, 9)]
    assert pd.isna(d.loc["3", "closed_on"]) and d.loc["3", "expected_close_on"] == pd_ts(2025, 6, 30)
    assert list(d.loc[["1", "2", "3"], "status"]) == ["won", "lost", "open"]
    assert_rows_accounted(data)


def test_a_bare_affaire_header_of_numbers_is_the_deal_id():
    rows = [["Affaire", "Client", "Resp. commercial", "Étape", "Montant HT", "Date entrée"]]
    rows += [[1001 + i, f"Client {i}", REPS[i % 3], STAGES[i % 5], 1000.0 + i, dt.datetime(2025, 1, 2 + i)]
             for i in range(6)]
    data = ingest([RawGrid("suivi.ods", "Affaires", rows)])
    assert _mapped(data, "Deals")["deal_id"] == "Affaire"
    assert sorted(data.deals["deal_id"]) == [str(1001 + i) for i in range(6)]
