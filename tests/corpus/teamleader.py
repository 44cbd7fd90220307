"""Teamleader Focus: deals in the layout of its import file (what a client keeps to move in or out).

Columns « Nom du client », « Titre », « Responsabilité », « Phase » verbatim from
https://support.teamleader.eu/fr/support/solutions/articles/7000018234-mode-d-emploi-importer-des-opportunit%C3%A9s-dans-teamleader
(the Dutch page names « Fase » the phase); the amount, probability and date columns
of that article were not in the text found, so « Montant », « Probabilité », « Date de
création », « Date de clôture prévue » and « Date de clôture » are the shape of a
hand-kept sheet of the same file.  Phases: Teamleader's defaults « Nouveau »,
« Contacté », « Offre envoyée », « Négociation », « Accepté », « Refusé ».
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import write_xlsx

PHASE = {"qualification": "Contacté", "proposal": "Offre envoyée", "negotiation": "Négociation",
         "won": "Accepté", "lost": "Refusé"}
HEADER = ["Nom du client", "Titre", "Responsabilité", "Phase", "Montant", "Probabilité", "Date de création",
          "Date de clôture prévue", "Date de clôture"]


def build(folder: Path) -> Path:
    rows = [HEADER] + [[d.account, d.title, d.owner, PHASE[d.stage], d.amount, d.probability / 100, d.created,
                        d.close if d.status == "open" else None, d.close if d.status != "open" else None]
                       for d in DEALS]
    return write_xlsx(folder / "teamleader_opportunites.xlsx", [("Opportunités", rows)])


FILES = (
    CorpusFile("teamleader_opportunites.xlsx", "Teamleader Focus, fichier d'import des opportunités, sans id",
               build, {"Deals": {"account": "Nom du client", "owner": "Responsabilité", "stage": "Phase",
                                 "amount": "Montant", "probability": "Probabilité", "created_on": "Date de création",
                                 "expected_close_on": "Date de clôture prévue", "closed_on": "Date de clôture"}},
               {"Deals": (12, 0, 0)}),
)
