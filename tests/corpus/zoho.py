"""Zoho CRM: the Opportunités (Deals) module exported from the French interface.

Standard fields of the module, verbatim: https://zoho.com/fr/crm/help/opportunities/standard-fields.html
(« Propriétaire de la transaction », « Nom de la transaction », « Nom du compte », « Type »,
« Montant », « Date d'échéance », « Étape suivante », « Étape », « Probabilité (%) »).
The trap: « Étape suivante » (the next step, free text) beside « Étape » (the stage).
« Date d'échéance » is the expected closing date, set to the actual one when the deal is
won or lost.  The export adds the record id and the creation time (« ID de
l'enregistrement », « Heure de création »).  Stages: Zoho's default French picklist.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import write_xlsx

STAGE = {"qualification": "Qualification", "proposal": "Proposition/Devis de prix",
         "negotiation": "Négociation/Révision", "won": "Conclu gagné", "lost": "Conclu perdu"}
NEXT = {"qualification": "Planifier la démo", "proposal": "Relancer le devis", "negotiation": "Envoyer le contrat",
        "won": "Facturer l'acompte", "lost": ""}
HEADER = ["ID de l'enregistrement", "Propriétaire de la transaction", "Nom de la transaction", "Nom du compte",
          "Type", "Montant", "Date d'échéance", "Étape suivante", "Étape", "Probabilité (%)", "Heure de création"]


def build(folder: Path) -> Path:
    rows = [HEADER]
    for d in DEALS:
        rows.append([f"zcrm_4876000000{d.key}", d.owner, d.title, d.account, "Nouvelle activité", d.amount, d.close,
                     NEXT[d.stage] or None, STAGE[d.stage], d.probability,
                     datetime(d.created.year, d.created.month, d.created.day, 11, 5)])
    return write_xlsx(folder / "Deals_2026_04_01.xlsx", [("Transactions", rows)])


FILES = (
    CorpusFile("Deals_2026_04_01.xlsx", "Zoho CRM, export des transactions (FR), piège « Étape suivante »", build,
               {"Deals": {"deal_id": "ID de l'enregistrement", "owner": "Propriétaire de la transaction",
                          "account": "Nom du compte", "amount": "Montant", "close_date": "Date d'échéance",
                          "next_step": "Étape suivante", "stage": "Étape", "probability": "Probabilité (%)",
                          "created_on": "Heure de création"}},
               {"Deals": (12, 0, 0)}),
)
