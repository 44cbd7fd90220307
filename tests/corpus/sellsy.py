"""Sellsy: the opportunities list exported from the French interface.

Fields of an opportunity as the help centre lists them, verbatim
(https://help.sellsy.com/fr/articles/8944173-presentation-de-la-fiche-opportunite):
« Identifiant », « Source », « Date d'échéance », « Nom de l'opportunité », « Montant
potentiel », « Pipeline », « Étape », « Probabilité », « Collaborateur affecté »,
« Statut »; the export adds « Société » and « Date de création ».  « Date d'échéance »
is updated from the main linked document (the signed quote) when the deal is won
(https://help.sellsy.com/fr/articles/5866464-comment-attacher-des-documents-aux-opportunites).
Statuses: « En cours », « Gagnée », « Perdue ».
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import write_xlsx

STATUS = {"open": "En cours", "won": "Gagnée", "lost": "Perdue"}
STAGE = {"qualification": "Découverte", "proposal": "Proposition", "negotiation": "Négociation",
         "won": "Négociation", "lost": "Proposition"}
HEADER = ["Identifiant", "Nom de l'opportunité", "Société", "Source", "Montant potentiel", "Pipeline", "Étape",
          "Statut", "Probabilité", "Collaborateur affecté", "Date de création", "Date d'échéance"]


def build(folder: Path) -> Path:
    rows = [HEADER] + [[f"OPP-{d.key}", d.title, d.account, "Salon", d.amount, "Commercial", STAGE[d.stage],
                        STATUS[d.status], d.probability, d.owner, d.created, d.close] for d in DEALS]
    return write_xlsx(folder / "export_opportunites.xlsx", [("Opportunités", rows)])


FILES = (
    CorpusFile("export_opportunites.xlsx", "Sellsy, export des opportunités", build,
               {"Deals": {"deal_id": "Identifiant", "account": "Société", "amount": "Montant potentiel",
                          "stage": "Étape", "status": "Statut", "probability": "Probabilité",
                          "owner": "Collaborateur affecté", "created_on": "Date de création",
                          "close_date": "Date d'échéance"}},
               {"Deals": (12, 0, 0)}),
)
