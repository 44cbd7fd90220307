"""The same hand-kept table saved as .xls (Excel 97-2003) and as .ods (LibreOffice), as older offices keep it.

Written as .xlsx here, then converted by LibreOffice (the session's one soffice:
tests/test_corpus.py); no vendor documents this shape.
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import write_xlsx

STEP = {"qualification": "Découverte", "proposal": "Devis envoyé", "negotiation": "Négociation", "won": "Gagné",
        "lost": "Perdu"}
HEADER = ["Affaire", "Client", "Resp. commercial", "Étape", "Montant HT", "Date entrée", "Date de l'offre",
          "Date décision"]


def _build(stem: str):
    def build(folder: Path) -> Path:
        rows = [HEADER] + [[d.key, d.account, d.owner, STEP[d.stage], d.amount, d.created, d.proposal,
                            d.close if d.status != "open" else None] for d in DEALS]
        return write_xlsx(folder / f"{stem}.xlsx", [("Affaires", rows)])
    return build


CHOICES = {"Deals": dict(zip(["deal_id", "account", "owner", "stage", "amount", "created_on", "proposal_on",
                              "closed_on"], HEADER))}

FILES = (
    CorpusFile("Suivi commercial.xls", "classeur .xls (Excel 97-2003)", _build("Suivi commercial"), CHOICES,
               {"Deals": (12, 0, 0)}, convert_to="xls"),
    CorpusFile("Suivi commercial 2.ods", "classeur .ods (LibreOffice)", _build("Suivi commercial 2"), CHOICES,
               {"Deals": (12, 0, 0)}, convert_to="ods"),
)
