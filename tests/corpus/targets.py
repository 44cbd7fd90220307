"""Targets in the shapes SMEs keep them, beside the hand-kept deals table of ``handkept``.

Recorded from client workbooks (no vendor documents these): a wide table with one
column per month (« Janv. », « Févr. », « Mars »... « Total ») and a total row; a yearly
target per rep (« Objectif annuel 2026 »); one row per rep and month with the metric in
the header (« Objectif CA »).  The targets of March 2026 are worked out in
tests/test_corpus.py.  Rows are counted as the long table's rows (one per rep and month: 3 × 12
for the wide and the yearly tables, 3 × 6 for the monthly one; kpicore.ingest.targets_shapes
lists one data row per long row), the « Total » row and column dropped with a warning.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import CorpusFile
from .handkept import STEP
from .rows import DEALS

# The deals beside the targets, under headers of a plain hand-kept table, so that reading the targets waits
# on nothing else.
DEAL_HEADER = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date devis",
               "Date de clôture"]
NUMBERED = {"Deals": dict(zip(["deal_id", "account", "owner", "stage", "amount", "created_on", "proposal_on",
                               "closed_on"], DEAL_HEADER))}


def deal_rows() -> list[list]:
    return [DEAL_HEADER] + [[d.key, d.account, d.owner, STEP[d.stage], d.amount, d.created, d.proposal,
                             d.close if d.status != "open" else None] for d in DEALS]
from .rows import LEA, MARIE, PAUL
from .writers import write_xlsx

MONTHS = ["Janv.", "Févr.", "Mars", "Avr.", "Mai", "Juin", "Juil.", "Août", "Sept.", "Oct.", "Nov.", "Déc."]
# every month 20 000 / 15 000 / 10 000, March 25 000 / 18 000 / 12 000
MONTHLY = {MARIE: (20000, 25000), PAUL: (15000, 18000), LEA: (10000, 12000)}
YEARLY = {MARIE: 240000, PAUL: 180000, LEA: 120000}
PER_MONTH = {MARIE: 22000, PAUL: 16000, LEA: 11000}  # March; other months 1 000 less


def build_wide(folder: Path) -> Path:
    rows = [["Objectifs de CA 2026 (€ HT)"], ["Commercial"] + MONTHS + ["Total"]]
    for rep, (usual, march) in MONTHLY.items():
        months = [march if m == 2 else usual for m in range(12)]
        rows.append([rep] + months + [sum(months)])
    rows.append(["Total"] + [sum(r[1 + m] for r in rows[2:]) for m in range(13)])
    return write_xlsx(folder / "Objectifs mensuels.xlsx",
                      [("Affaires", deal_rows()), ("Objectifs 2026", rows)])


def build_yearly(folder: Path) -> Path:
    rows = [["Commercial", "Objectif annuel 2026"]] + [[rep, v] for rep, v in YEARLY.items()]
    return write_xlsx(folder / "Objectifs annuels.xlsx", [("Affaires", deal_rows()), ("Objectifs", rows)])


def build_per_month(folder: Path) -> Path:
    rows = [["Commercial", "Mois", "Objectif CA"]]
    for month in range(1, 7):
        for rep, march in PER_MONTH.items():
            rows.append([rep, date(2026, month, 1), march if month == 3 else march - 1000])
    return write_xlsx(folder / "Objectifs par mois.xlsx", [("Affaires", deal_rows()), ("Objectifs", rows)],
                      date_format="mmm yyyy")


FILES = (
    CorpusFile("Objectifs mensuels.xlsx", "objectifs en tableau large (un mois par colonne, ligne Total)",
               build_wide, NUMBERED, {"Deals": (12, 0, 0), "Targets": (36, 0, 0)}),
    CorpusFile("Objectifs annuels.xlsx", "objectif annuel par commercial", build_yearly,
               NUMBERED, {"Deals": (12, 0, 0), "Targets": (36, 0, 0)}),
    CorpusFile("Objectifs par mois.xlsx", "une ligne par commercial et par mois, « Objectif CA »", build_per_month,
               NUMBERED, {"Deals": (12, 0, 0), "Targets": (18, 0, 0)}),
)
