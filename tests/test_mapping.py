"""Header recognition (kpicore.ingest.mapping).

Vendor header sets, as cited in kpicore/ingest/mapping.py:
- Salesforce: https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html
- HubSpot: https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties
- Pipedrive: https://support.pipedrive.com/en/article/importing-sample-import-spreadsheets
- Odoo: repository odoo/odoo, addons/crm/models/crm_lead.py (field strings of crm.lead)
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpicore.model import schema
from kpicore.ingest.mapping import (choice_value, lookup, match_headers, overrides_from_settings, status_from_stage,
                             status_from_word, table_for_name)

VENDOR_HEADERS = {
    "salesforce": {"Opportunity ID": "deal_id", "Opportunity Owner": "owner", "Account Name": "account",
                   "Stage": "stage", "Amount": "amount", "Probability (%)": "probability",
                   "Close Date": "close_date", "Created Date": "created_on", "Next Step": "next_step",
                   "Forecast Category": "forecast_category", "Last Activity": "last_activity_on"},
    "hubspot": {"Record ID": "deal_id", "Deal owner": "owner", "Deal Stage": "stage", "Amount": "amount",
                "Close Date": "close_date", "Create Date": "created_on", "Deal probability": "probability",
                "Associated Company": "account", "Closed lost reason": "lost_reason",
                "Last Activity Date": "last_activity_on", "Forecast category": "forecast_category"},
    "pipedrive": {"Deal - ID": "deal_id", "Deal - Owner": "owner", "Deal - Organization": "account",
                  "Deal - Stage": "stage", "Deal - Status": "status", "Deal - Value": "amount",
                  "Deal - Expected close date": "expected_close_on", "Deal - Won time": "won_on",
                  "Deal - Lost time": "lost_on", "Deal - Deal created": "created_on",
                  "Deal - Creation date": "created_on", "Deal - Closed on": "closed_on",
                  "Deal - Lost reason": "lost_reason", "Deal - Probability": "probability"},
    "odoo": {"ID": "deal_id", "Salesperson": "owner", "Customer": "account", "Stage": "stage",
             "Expected Revenue": "amount", "Probability": "probability", "Expected Closing": "expected_close_on",
             "Closed Date": "closed_on", "Created on": "created_on", "Lost Reason": "lost_reason"},
    "french": {"N° affaire": "deal_id", "Raison sociale": "account", "Commercial": "owner", "Étape": "stage",
               "Montant HT": "amount", "Date de création": "created_on",
               "Date de signature prévue": "expected_close_on", "Probabilité (%)": "probability",
               "Client": "account", "Motif de perte": "lost_reason"},
}


@pytest.mark.parametrize("vendor", sorted(VENDOR_HEADERS))
def test_vendor_headers_map_onto_deals(vendor):
    for header, column in VENDOR_HEADERS[vendor].items():
        hit = lookup("Deals", header)
        assert hit is not None and hit[0] == column, (vendor, header, hit)


def test_every_canonical_name_and_french_label_is_recognised():
    for table in schema.TABLES.values():
        for col in table.columns:
            assert lookup(table.name, col.name)[0] == col.name
            hit = lookup(table.name, col.label_fr)
            assert hit is not None and hit[0] == col.name, (table.name, col.label_fr)


def test_matching_ignores_case_accents_punctuation_and_spaces():
    for h in ("MONTANT  HT", "montant-ht", " Montant HT (€) ", "Montant\u00a0HT"):
        assert lookup("Deals", h)[0] == "amount"
    assert lookup("Deals", "date de signature prevue")[0] == "expected_close_on"
    assert lookup("Deals", "Colonne perso") is None


def test_the_better_synonym_wins_and_the_other_is_kept_as_extra():
    # a Salesforce report has both Amount and Expected Revenue (= amount x probability)
    m = match_headers("Deals", ["Expected Revenue", "Amount", None, "Opportunity ID"])
    assert [c.column for c in m.columns] == [None, "amount", None, "deal_id"]
    assert [c.letter for c in m.columns] == ["A", "B", "C", "D"]


def test_settings_fix_a_mapping():
    settings = pd.DataFrame({"key": ["mapping.Affaires.amount", "MAPPING.Deals.owner", "mapping.Deals.nope",
                                     "langue"],
                             "value": ["Montant signé (k€)", "Chargé de compte", "X", "fr"]})
    over = overrides_from_settings(settings)
    assert over == {"Deals": {"amount": "Montant signé (k€)", "owner": "Chargé de compte"}}
    m = match_headers("Deals", ["Montant HT", "Montant signé (k€)", "chargé de compte"], overrides=over["Deals"])
    assert [(c.column, c.how) for c in m.columns] == [(None, ""), ("amount", "paramètre"), ("owner", "paramètre")]


def test_table_names():
    assert table_for_name("Affaires") == "Deals"
    assert table_for_name("Opportunités") == "Deals"
    assert table_for_name("Activités") == "Activities"
    assert table_for_name("_Instantanés pipeline") == "PipelineSnapshots"
    assert table_for_name("Objectifs") == "Targets"
    assert table_for_name("Feuil1") is None


def test_status_from_stage_words_and_stages_table():
    assert [status_from_stage(s) for s in ("Closed Won", "Gagné(e)", "won", "Perdu", "Closed Lost",
                                           "Négociation", None)] == ["won", "won", "won", "lost", "lost",
                                                                      "open", "open"]
    stages = pd.DataFrame({"stage": ["Bon de commande", "Abandon"], "is_won": [True, False],
                           "is_lost": [False, True]}).astype({"is_won": "boolean", "is_lost": "boolean"})
    assert status_from_stage("bon de commande", stages) == "won"
    assert status_from_stage("ABANDON", stages) == "lost"
    assert [status_from_word(w) for w in ("Won", "lost", "Open", "En cours", "Gagnée", "?")] == \
        ["won", "lost", "open", "open", "won", None]


def test_choice_values():
    assert choice_value("Activities", "type", "RDV qualifié") == "qualified_meeting"
    assert choice_value("Activities", "type", "Appel") == "call"
    assert choice_value("Activities", "type", "qualified_meeting") == "qualified_meeting"
    assert choice_value("Targets", "scope_type", "Équipe") == "team"
    assert choice_value("Actions", "ritual", "Hebdo") == "weekly"
    assert choice_value("Activities", "type", "Pique-nique") is None
