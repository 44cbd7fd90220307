"""noCRM.io: the leads list exported to CSV.

No page of noCRM.io's documentation listing the export's columns was found in the
searches made for this corpus (docs, pages, code), nor one for Axonaut's opportunities:
this file is the shape of a noCRM export as a client keeps it (semicolon CSV from the
French interface, « Titre », « Montant », « Statut » with noCRM's statuses « À faire »,
« En attente », « Gagné », « Perdu », « Étape », « Commercial », dates jj/mm/aaaa),
recorded by hand, not a vendor's documented layout.
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import fr_amount, fr_date, write_csv

STATUS = {"open": "En attente", "won": "Gagné", "lost": "Perdu"}
STEP = {"qualification": "Contact", "proposal": "Proposition", "negotiation": "Négociation", "won": "Négociation",
        "lost": "Proposition"}
HEADER = ["ID", "Titre", "Client", "Montant", "Statut", "Étape", "Commercial", "Date de création",
          "Date de relance", "Date de clôture"]


def build(folder: Path) -> Path:
    rows = [HEADER] + [[d.key, d.title, d.account, fr_amount(d.amount), STATUS[d.status], STEP[d.stage], d.owner,
                        fr_date(d.created), fr_date(d.close) if d.status == "open" else None,
                        fr_date(d.close) if d.status != "open" else None] for d in DEALS]
    return write_csv(folder / "leads_nocrm.csv", rows, encoding="utf-8", delimiter=";")


FILES = (
    CorpusFile("leads_nocrm.csv", "noCRM.io, export CSV des leads (forme relevée, non documentée)", build,
               {"Deals": {"deal_id": "ID", "account": "Client", "amount": "Montant", "status": "Statut",
                          "stage": "Étape", "owner": "Commercial", "created_on": "Date de création",
                          "closed_on": "Date de clôture"}},
               {"Deals": (12, 0, 0)}),
)
