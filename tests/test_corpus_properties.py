"""Property test of day one (issue 16): a known table renamed, reordered, padded and relabelled the ways
SMEs do gives the same canonical deals, and every row read is kept, excluded or merged.

The known table is the corpus's twelve deals (``tests/corpus/rows.py``) under the
canonical French headers (``schema.DEALS`` labels).  Hypothesis draws, for each
column, a header a hand-kept workbook uses for it (upper or lower case, accents
dropped or not), an order of the columns, extra columns of a client's own
(comments, region, postcode, lead source) and the stage labels a team writes for a
won or lost deal ("GAGNÉ", "Signé", "Sans suite"...).  The headers and labels are
recorded from client files, not taken from the product's synonym lists.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings, strategies as st

from corpus.rows import DEALS
from kpicore.ingest.grids import RawGrid, ingest
from kpicore.model import schema
from support.ingest_checks import assert_rows_accounted

COLUMNS = ("deal_id", "account", "owner", "stage", "amount", "created_on", "proposal_on", "closed_on")
COMPARED = ["deal_id", "account", "owner", "status", "amount", "created_on", "proposal_on", "closed_on"]
HEADERS = {
    "deal_id": ("Réf. affaire", "N° dossier", "Code affaire", "N° affaire"),
    "account": ("Client", "Raison sociale", "Société cliente", "Nom du client"),
    "owner": ("Commercial", "Chargé d'affaires", "Suivi par", "Resp. commercial"),
    "stage": ("Étape", "Avancement", "Phase", "Stade"),
    "amount": ("Montant HT", "Total HT", "Montant (€ HT)", "CA estimé HT"),
    "created_on": ("Date de création", "Ouverte le", "Date entrée", "Date de la demande"),
    "proposal_on": ("Date devis", "Date d'émission du devis", "Devis envoyé le", "Date de l'offre"),
    "closed_on": ("Date de clôture", "Date décision", "Clôturée le", "Date de fin"),
}
STAGES = {
    "won": ("Gagné", "GAGNÉ", "Gagnée", "Signé", "gagne"),
    "lost": ("Perdu", "PERDU", "Perdue", "Sans suite", "perdu"),
    "qualification": ("Découverte", "Qualification", "À qualifier"),
    "proposal": ("Devis envoyé", "Proposition", "Offre remise"),
    "negotiation": ("Négociation", "En négociation", "Négo"),
}
EXTRAS = {
    "Commentaire": lambda i: f"note {i}",
    "Région": lambda i: ("Hauts-de-France", "Occitanie", "Bretagne")[i % 3],
    "Code postal": lambda i: f"{59000 + 17 * i:05d}",
    "Source": lambda i: ("Salon", "Site web", "Recommandation")[i % 3],
    "Priorité": lambda i: ("Haute", "Moyenne", "Basse")[i % 3],
}


def _cell(d, column: str, stage_label: str):
    return {"deal_id": d.key, "account": d.account, "owner": d.owner, "stage": stage_label, "amount": d.amount,
            "created_on": d.created, "proposal_on": d.proposal,
            "closed_on": d.close if d.status != "open" else None}[column]


def _grid(headers: dict[str, str], order: list[str], labels: dict[str, str], extras: list[str]) -> RawGrid:
    rows = [[headers.get(c, c) for c in order]]
    for i, d in enumerate(DEALS):
        row = {c: _cell(d, c, labels[d.stage]) for c in COLUMNS}
        row.update({e: EXTRAS[e](i) for e in extras})
        rows.append([row[c] for c in order])
    return RawGrid(file="suivi.xlsx", sheet="Affaires", rows=rows)


def _canonical(data) -> list[dict]:
    deals = data.deals.sort_values("deal_id").reset_index(drop=True)[COMPARED].astype(object)
    return deals.where(deals.notna(), None).to_dict("records")


LABELS = {c.name: c.label_fr for c in schema.DEALS.columns}
BASE = _canonical(ingest([_grid({c: LABELS[c] for c in COLUMNS}, list(COLUMNS),
                                {s: v[0] for s, v in STAGES.items()}, [])], source="suivi.xlsx"))


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


header_case = st.sampled_from((str, str.upper, str.lower, _strip_accents))


@st.composite
def variants(draw):
    headers = {c: draw(header_case)(draw(st.sampled_from(HEADERS[c]))) for c in COLUMNS}
    labels = {s: draw(st.sampled_from(v)) for s, v in STAGES.items()}
    extras = draw(st.lists(st.sampled_from(sorted(EXTRAS)), unique=True, max_size=3))
    order = draw(st.permutations(list(COLUMNS) + extras))
    return headers, order, labels, extras


def test_the_known_table_reads_as_the_rows_say():
    # the baseline itself, against the rows: 12 deals, 4 won and 4 lost with their amounts
    assert len(BASE) == len(DEALS)
    assert sorted((r["deal_id"], r["status"], r["amount"]) for r in BASE) == \
        sorted((d.key, d.status, float(d.amount)) for d in DEALS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_renamed_reordered_padded_relabelled_tables_give_the_same_deals(variant):
    headers, order, labels, extras = variant
    data = ingest([_grid(headers, order, labels, extras)], source="suivi.xlsx")
    assert_rows_accounted(data)
    (grid,) = [g for g in data.ingest.read if g.table == "Deals"]
    assert len(grid.data_rows) == len(DEALS) == len(grid.kept) + len(grid.excluded) + len(grid.merged)
    assert _canonical(data) == BASE, (headers, labels, extras)
