"""Property: the same small Deals + Activities tables, whatever the client calls their columns (a pool of
header variants clients type, most in no synonym list), in whatever order, with extra columns and label
variants, give the same canonical frames; and every row read is kept, excluded or merged.

The header pools are shapes recorded from hand-kept SME workbooks and CRM exports (no vendor documents a
French hand-kept deal list); the vendor ones (Amount, Created Date, Deal ID, Quote Date, Stage) come from the
documentation cited in ``kpicore/ingest/mapping.py``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings, strategies as st

from kpicore.ingest.grids import RawGrid, ingest
from tests.support.ingest_checks import assert_rows_accounted

DEAL_POOL = {
    "deal_id": ["N° affaire", "Référence dossier", "Réf. affaire", "Deal ID", "Numéro"],
    "owner": ["Commercial", "Chargé de clientèle", "Sales Rep Name", "Collaborateur affecté", "Vendeur"],
    "stage": ["Étape", "Phase du cycle", "Avancement", "Stage"],
    "amount": ["Montant HT", "Total HT", "Montant potentiel", "Valeur estimée", "Amount"],
    "created_on": ["Date de création", "Saisie le", "Created Date", "Date d'ouverture"],
    "proposal_on": ["Date de proposition", "Date d'émission du devis", "Offre envoyée le", "Quote Date"],
}
ACTIVITY_POOL = {
    "date": ["Date", "Jour", "Date de l'action", "Réalisé le"],
    "rep": ["Commercial", "Collaborateur affecté", "Sales Rep Name", "Suivi par"],
    "type": ["Type", "Typologie", "Nature de l'action", "Catégorie"],
    "account": ["Client", "Société", "Raison sociale", "Nom du compte"],
}
# extra columns a client keeps that are none of ours
EXTRAS = {"Région": ["Nord", "Sud", "Est"], "Département": [59, 13, 67], "Priorité": [1, 2, 3]}
# label variants: each list is one canonical value
STAGE_LABELS = {"won": ["Gagnée", "gagnée", "GAGNÉE", "Gagné"], "lost": ["Perdue", "perdue", "Perdu"],
                "open": ["Proposition", "proposition"]}
TYPE_LABELS = {"meeting": ["RDV", "Rendez-vous", "rendez-vous", "Réunion"], "call": ["Appel", "appel", "Téléphone"]}

REPS = ("Marie Dupont", "Jean Martin", "Luc Petit")
DEALS = [  # id, owner, status, amount, created, proposal
    ("A-101", REPS[0], "won", 1200.0, dt.datetime(2025, 1, 6), dt.datetime(2025, 1, 20)),
    ("A-102", REPS[1], "lost", 800.0, dt.datetime(2025, 1, 9), dt.datetime(2025, 2, 3)),
    ("A-103", REPS[2], "open", 2500.0, dt.datetime(2025, 2, 1), dt.datetime(2025, 2, 14)),
    ("A-104", REPS[0], "open", 430.0, dt.datetime(2025, 2, 11), dt.datetime(2025, 3, 2)),
    ("A-105", REPS[1], "won", 9100.0, dt.datetime(2025, 3, 4), dt.datetime(2025, 3, 18)),
    ("A-106", REPS[2], "lost", 640.0, dt.datetime(2025, 3, 5), dt.datetime(2025, 3, 25)),
]
ACTIVITIES = [  # date, rep, type, account
    (dt.datetime(2025, 3, 3), REPS[0], "meeting", "Durand SA"),
    (dt.datetime(2025, 3, 4), REPS[1], "call", "Bâtiplus"),
    (dt.datetime(2025, 3, 5), REPS[0], "call", "Durand SA"),
    (dt.datetime(2025, 3, 6), REPS[2], "meeting", "Agri Ouest"),
    (dt.datetime(2025, 3, 7), REPS[1], "meeting", "Bâtiplus"),
    (dt.datetime(2025, 3, 10), REPS[2], "call", "Agri Ouest"),
    (dt.datetime(2025, 3, 11), REPS[0], "meeting", "Maison Bleue"),
    (dt.datetime(2025, 3, 12), REPS[1], "call", "Durand SA"),
]


@st.composite
def layouts(draw, pool: dict[str, list[str]]):
    names = {col: draw(st.sampled_from(headers)) for col, headers in pool.items()}
    extras = draw(st.lists(st.sampled_from(sorted(EXTRAS)), unique=True, max_size=2))
    order = draw(st.permutations(list(pool) + extras))
    return names, order


def _grid(sheet: str, names: dict[str, str], order: list[str], records: list[dict[str, object]]) -> RawGrid:
    header = [names.get(c, c) for c in order]
    rows: list[list[object]] = [header]
    for k, rec in enumerate(records):
        rows.append([rec[c] if c in rec else EXTRAS[c][k % len(EXTRAS[c])] for c in order])
    return RawGrid("client.xlsx", sheet, rows)


@settings(max_examples=60, deadline=None)
@given(deals=layouts(DEAL_POOL), acts=layouts(ACTIVITY_POOL), pick=st.randoms(use_true_random=False),
       sheets=st.sampled_from([("Affaires", "Activités"), ("Export", "Sheet1"), ("Pipe 2025", "Journal")]))
def test_renamed_reordered_tables_give_the_same_frames(deals, acts, pick, sheets):
    deal_records = [{"deal_id": d[0], "owner": d[1], "stage": pick.choice(STAGE_LABELS[d[2]]), "amount": d[3],
                     "created_on": d[4], "proposal_on": d[5]} for d in DEALS]
    act_records = [{"date": a[0], "rep": a[1], "type": pick.choice(TYPE_LABELS[a[2]]), "account": a[3]}
                   for a in ACTIVITIES]
    data = ingest([_grid(sheets[0], *deals, deal_records), _grid(sheets[1], *acts, act_records)])
    assert_rows_accounted(data)
    d = data.deals.sort_values("deal_id").reset_index(drop=True)
    assert list(d["deal_id"]) == [x[0] for x in DEALS]
    assert list(d["owner"]) == [x[1] for x in DEALS]
    assert list(d["status"]) == [x[2] for x in DEALS]
    assert list(d["amount"]) == [x[3] for x in DEALS]
    assert list(d["created_on"]) == [pd.Timestamp(x[4]) for x in DEALS]
    assert list(d["proposal_on"]) == [pd.Timestamp(x[5]) for x in DEALS]
    a = data.activities.sort_values("date").reset_index(drop=True)
    assert list(a["date"]) == [pd.Timestamp(x[0]) for x in ACTIVITIES]
    assert list(a["rep"]) == [x[1] for x in ACTIVITIES]
    assert list(a["type"]) == [x[2] for x in ACTIVITIES]
    assert list(a["account"]) == [x[3] for x in ACTIVITIES]
