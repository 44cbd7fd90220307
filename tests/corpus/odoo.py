"""Odoo CRM: opportunities exported from the French interface (Odoo 17 and Odoo 10), flat and grouped.

Field strings of crm.lead and their French translations: odoo/odoo,
addons/crm/models/crm_lead.py and addons/crm/i18n/fr.po
(https://github.com/odoo/odoo/blob/17.0/addons/crm/i18n/fr.po,
https://github.com/odoo/odoo/blob/10.0/addons/crm/i18n/fr.po; the local mirror the brief
mentions was not there, and only the 10.0 file could be read in the stored sources, so
the 17.0 strings are the interface's as exported): « Opportunité », « Client »,
« Vendeur », « Équipe commerciale », « Étape », « Revenu espéré » (17) / « Revenu attendu »
(10), « Date de clôture prévue » (17) / « Date de fermeture prévue » (10), « Date de
fermeture », « Créé le », « Probabilité », « Raison de la perte ».  The export button
writes an .xlsx whose one sheet is "Sheet1".  A lost opportunity keeps the stage it was
lost in, with probability 0 and a lost reason; a won one sits in « Gagné ».  An export
of a list grouped by stage writes one row per group before its lines: « Qualifié (1) »
with the group's sum of expected revenue.  Activity types of a new database
(mail.activity.type): « Appeler », « Réunion », « Email », « To-Do »
(addons/mail/i18n/fr.po, addons/mail/data/mail_activity_data.xml).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import CorpusFile
from .rows import DEALS, LOG
from .writers import write_xlsx

STAGE = {"qualification": "Qualifié", "proposal": "Proposition", "negotiation": "Proposition", "won": "Gagné",
         "lost": "Proposition"}
ORDER = ("Qualifié", "Proposition", "Gagné")
TEAM = "Ventes"
ODOO_TYPE = {"qualified_meeting": "Réunion", "meeting": "Réunion", "call": "Appeler", "proposal": "Email",
             "follow_up": "To-Do"}


def _stamp(d):
    return datetime(d.year, d.month, d.day, 8, 41)


def _line(d, *, closed_col=True):
    row = [d.title, d.account, d.owner, TEAM, STAGE[d.stage], d.amount, d.probability,
           d.close if d.status == "open" else None]
    if closed_col:
        row.append(_stamp(d.close) if d.status != "open" else None)
    row += [_stamp(d.created), "Trop cher" if d.status == "lost" else None]
    return row


HEADER_17 = ["Opportunité", "Client", "Vendeur", "Équipe commerciale", "Étape", "Revenu espéré", "Probabilité",
             "Date de clôture prévue", "Date de fermeture", "Créé le", "Raison de la perte"]
HEADER_10 = ["Opportunité", "Client", "Vendeur", "Équipe commerciale", "Étape", "Revenu attendu", "Probabilité",
             "Date de fermeture prévue", "Date de fermeture", "Créé le", "Raison de la perte"]


def build_17(folder: Path) -> Path:
    return write_xlsx(folder / "crm.lead.xlsx", [("Sheet1", [HEADER_17] + [_line(d) for d in DEALS])])


def build_17_grouped(folder: Path) -> Path:
    rows = [HEADER_17]
    for stage in ORDER:
        group = [d for d in DEALS if STAGE[d.stage] == stage]
        rows.append([f"{stage} ({len(group)})", None, None, None, None, sum(d.amount for d in group)])
        rows += [_line(d) for d in group]
    return write_xlsx(folder / "crm.lead (groupé par étape).xlsx", [("Sheet1", rows)])


def build_10(folder: Path) -> Path:
    acts = [["Date d'échéance", "Type d'activité", "Assigné à", "Résumé", "Document lié"]]
    acts += [[a.day, ODOO_TYPE[a.kind], a.rep, a.note, a.account] for a in LOG]
    return write_xlsx(folder / "Pipeline Odoo 10.xlsx",
                      [("Sheet1", [HEADER_10] + [_line(d) for d in DEALS]), ("Activités", acts)])


def _choices(h):
    return {"owner": "Vendeur", "account": "Client", "stage": "Étape", "amount": h[5], "probability": "Probabilité",
            "expected_close_on": h[7], "closed_on": "Date de fermeture", "created_on": "Créé le",
            "lost_reason": "Raison de la perte"}


FILES = (
    CorpusFile("crm.lead.xlsx", "Odoo 17, export des opportunités (FR), feuille Sheet1, sans id", build_17,
               {"Deals": _choices(HEADER_17)}, {"Deals": (12, 0, 0)}),
    CorpusFile("crm.lead (groupé par étape).xlsx", "Odoo 17, export groupé par étape avec sous-totaux",
               build_17_grouped, {"Deals": _choices(HEADER_17)}, {"Deals": (12, 0, 0)}),
    CorpusFile("Pipeline Odoo 10.xlsx", "Odoo 10 (FR), opportunités et activités planifiées", build_10,
               {"Deals": _choices(HEADER_10),
                "Activities": {"date": "Date d'échéance", "type": "Type d'activité", "rep": "Assigné à",
                               "note": "Résumé"}},
               {"Deals": (12, 0, 0), "Activities": (14, 0, 0)}),
)
