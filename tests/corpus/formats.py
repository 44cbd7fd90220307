"""A hand-kept table saved as .xls (Excel 97-2003) and as .ods (LibreOffice), as older offices keep it.

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
# the .xls under plain headers (what it tests is the format); the .ods under an office's own words
PLAIN = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date devis",
         "Date de clôture"]
OWN = ["Affaire", "Client", "Resp. commercial", "Étape", "Montant HT", "Date entrée", "Date de l'offre",
       "Date décision"]


def _build(stem: str, header: list[str]):
    def build(folder: Path) -> Path:
        rows = [header] + [[d.key, d.account, d.owner, STEP[d.stage], d.amount, d.created, d.proposal,
                            d.close if d.status != "open" else None] for d in DEALS]
        return write_xlsx(folder / f"{stem}.xlsx", [("Affaires", rows)])
    return build


def _choices(header: list[str]) -> dict:
    return {"Deals": dict(zip(["deal_id", "account", "owner", "stage", "amount", "created_on", "proposal_on",
                               "closed_on"], header))}


FILES = (
    CorpusFile("Suivi commercial.xls", "classeur .xls (Excel 97-2003)", _build("Suivi commercial", PLAIN),
               _choices(PLAIN), {"Deals": (12, 0, 0)}, convert_to="xls"),
    CorpusFile("Suivi commercial 2.ods", "classeur .ods (LibreOffice)", _build("Suivi commercial 2", OWN),
               _choices(OWN), {"Deals": (12, 0, 0)}, convert_to="ods"),
)
