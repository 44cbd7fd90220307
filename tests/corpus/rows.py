"""The business every corpus file describes, before any vendor shapes it.

Twelve deals of three reps (two teams) between November 2025 and June 2026, and a
log of fourteen activities of March 2026 written as a sales team writes them.  Each
vendor module renders these same rows with its own headers, labels, date and
number formats; tests/test_corpus.py works the true KPIs of March 2026 out by hand
from the rows listed here (the arithmetic is in its comments).

``close`` is the expected close date while a deal is open and its actual close
date once it is won or lost (what Salesforce, HubSpot and Zoho export as one
"Close Date").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

MARIE, PAUL, LEA = "Marie Curie", "Paul Martin", "Léa Dubois"
TEAM = {MARIE: "Nord", PAUL: "Sud", LEA: "Nord"}


@dataclass(frozen=True)
class Deal:
    key: str  # the CRM's id, when the vendor exports one
    account: str
    title: str
    owner: str
    status: str  # open / won / lost
    amount: float  # HT
    created: date
    proposal: Optional[date]  # the quote sent, when the file keeps it
    close: date  # expected while open, actual once decided
    probability: int  # %
    stage: str  # "qualification", "proposal", "negotiation", "won", "lost": the vendor picks its label


D = date
DEALS: tuple[Deal, ...] = (
    Deal("1001", "Menuiserie Roux", "Roux - ligne de ponçage", MARIE, "won", 12000, D(2026, 1, 10), D(2026, 2, 15),
         D(2026, 3, 5), 100, "won"),
    Deal("1002", "Boulangerie Lenoir", "Lenoir - four mixte", PAUL, "won", 8000, D(2026, 2, 1), D(2026, 2, 20),
         D(2026, 3, 12), 100, "won"),
    Deal("1003", "Garage du Centre", "Garage du Centre - pont élévateur", LEA, "won", 5000, D(2026, 3, 2), None,
         D(2026, 3, 20), 100, "won"),
    Deal("1004", "Imprimerie Vauban", "Vauban - presse numérique", PAUL, "lost", 20000, D(2025, 12, 1),
         D(2026, 1, 15), D(2026, 3, 10), 0, "lost"),
    Deal("1005", "Cave Saint-Jean", "Saint-Jean - chai climatisé", MARIE, "lost", 7500, D(2026, 2, 10),
         D(2026, 3, 3), D(2026, 3, 25), 0, "lost"),
    Deal("1006", "Fromagerie Blanc", "Blanc - vitrine réfrigérée", LEA, "lost", 3000, D(2026, 3, 1), None,
         D(2026, 3, 15), 0, "lost"),
    Deal("1007", "Transports Morel", "Morel - télématique", MARIE, "open", 15000, D(2026, 2, 20), D(2026, 3, 10),
         D(2026, 4, 30), 60, "proposal"),
    Deal("1008", "Hôtel des Arts", "Hôtel des Arts - domotique", PAUL, "open", 9000, D(2026, 3, 5), D(2026, 3, 18),
         D(2026, 5, 15), 80, "negotiation"),
    Deal("1009", "Pharmacie Gambetta", "Gambetta - robot de rangement", LEA, "open", 4000, D(2026, 3, 12), None,
         D(2026, 6, 30), 20, "qualification"),
    Deal("1010", "Scierie Aubry", "Aubry - aspiration", PAUL, "won", 6000, D(2026, 1, 5), D(2026, 1, 20),
         D(2026, 2, 25), 100, "won"),
    Deal("1011", "Laiterie Perrin", "Perrin - conditionneuse", MARIE, "lost", 11000, D(2025, 11, 15),
         D(2025, 12, 10), D(2026, 1, 30), 0, "lost"),
    Deal("1012", "Clinique Pasteur", "Pasteur - stérilisateur", LEA, "won", 10000, D(2026, 2, 2), D(2026, 3, 2),
         D(2026, 3, 30), 100, "won"),
)


@dataclass(frozen=True)
class Activity:
    day: date
    rep: str
    label: str  # as the team writes it
    kind: str  # what it is, in the method's words (qualified_meeting, proposal, meeting, call, follow_up)
    account: str
    note: str


LOG: tuple[Activity, ...] = (
    Activity(D(2026, 2, 26), MARIE, "RDV découverte", "qualified_meeting", "Transports Morel", "besoin confirmé"),
    Activity(D(2026, 3, 2), MARIE, "RDV découverte", "qualified_meeting", "Cave Saint-Jean", "budget validé"),
    Activity(D(2026, 3, 3), PAUL, "Appel sortant", "call", "Hôtel des Arts", "prise de contact"),
    Activity(D(2026, 3, 5), MARIE, "RDV terrain", "meeting", "Transports Morel", "visite du dépôt"),
    Activity(D(2026, 3, 9), LEA, "RDV découverte", "qualified_meeting", "Pharmacie Gambetta", "deux officines"),
    Activity(D(2026, 3, 10), PAUL, "Envoi devis", "proposal", "Hôtel des Arts", "devis n° 2026-031"),
    Activity(D(2026, 3, 12), MARIE, "Démo en ligne", "meeting", "Transports Morel", "démo Teams"),
    Activity(D(2026, 3, 16), LEA, "Envoi devis", "proposal", "Clinique Pasteur", "devis n° 2026-034"),
    Activity(D(2026, 3, 17), PAUL, "RDV découverte", "qualified_meeting", "Hôtel des Arts", "DG présent"),
    Activity(D(2026, 3, 19), MARIE, "Relance mail", "follow_up", "Cave Saint-Jean", "relance après devis"),
    Activity(D(2026, 3, 23), LEA, "RDV découverte", "qualified_meeting", "Garage du Centre", "atelier visité"),
    Activity(D(2026, 3, 25), MARIE, "Envoi devis", "proposal", "Transports Morel", "devis n° 2026-040"),
    Activity(D(2026, 3, 30), PAUL, "Appel sortant", "call", "Scierie Aubry", "suivi SAV"),
    Activity(D(2026, 4, 1), LEA, "Appel sortant", "call", "Clinique Pasteur", "après le 31 mars"),
)
