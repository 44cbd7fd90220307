"""Teamleader Focus: deals in the layout of its import file (what a client keeps to move in or out).

Columns « Nom du client », « Titre », « Responsabilité », « Phase » verbatim from
https://support.teamleader.eu/fr/support/solutions/articles/7000018234-mode-d-emploi-importer-des-opportunit%C3%A9s-dans-teamleader
(the Dutch page names « Fase » the phase); the amount, probability and date columns
of that article were not in the text found, so « Montant », « Probabilité », « Date de
création », « Date de clôture prévue » and « Date de clôture » are the shape of a
hand-kept sheet of the same file.  Two open deals share title, client and creation date
(a second robot for the same pharmacy): no id column, so the derived ids must tell them apart.  Phases: Teamleader's defaults « Nouveau »,
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


def _row(d, amount):
    return [d.account, d.title, d.owner, PHASE[d.stage], amount, d.probability / 100, d.created,
            d.close if d.status == "open" else None, d.close if d.status != "open" else None]


def build(folder: Path) -> Path:
    rows = [HEADER] + [_row(d, d.amount) for d in DEALS]
    # a second robot for the same pharmacy, opened the same day: same title, client and date, another amount.
    # Two real deals (an id derived from title, client and date must still tell them apart).
    twin = next(d for d in DEALS if d.key == "1009")
    rows.append(_row(twin, 2500))
    return write_xlsx(folder / "teamleader_opportunites.xlsx", [("Opportunités", rows)])


FILES = (
    CorpusFile("teamleader_opportunites.xlsx", "Teamleader Focus, fichier d'import des opportunités, sans id",
               build, {"Deals": {"account": "Nom du client", "owner": "Responsabilité", "stage": "Phase",
                                 "amount": "Montant", "probability": "Probabilité", "created_on": "Date de création",
                                 "expected_close_on": "Date de clôture prévue", "closed_on": "Date de clôture"}},
               {"Deals": (13, 0, 0)}),
)
