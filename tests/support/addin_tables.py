"""A small company written by hand, as Excel passes tables (2-D lists, header row first).

Shared by the add-in tests (UDFs, live reader, ribbon actions).  Every figure a
test asserts is worked out from these rows in the test itself.

Deals (as of 31/03/2025):

====  =======  ======  ======  ==========  ==========  ==========  ==========
id    owner    status  amount  created     proposal    expected    closed
====  =======  ======  ======  ==========  ==========  ==========  ==========
D1    Martin   won     10000   2025-01-10  2025-02-01              2025-03-05
D2    Martin   lost     8000   2025-01-20  2025-02-10              2025-03-12
D3    Martin   won     20000   2025-02-01  2025-02-20              2025-03-20
D4    Durand   won      5000   2025-03-01  (none)                  2025-03-25
D5    Durand   open    30000   2025-02-15  2025-03-10  2025-03-31
D6    Durand   lost     7000   2024-12-01  2025-01-15              2025-03-28
====  =======  ======  ======  ==========  ==========  ==========  ==========

Activities: qualified meetings of Martin on 3, 10 and 17 March, of Durand on
24 March; one call of Durand on 5 March.  Reps: Martin in « Grands comptes »,
Durand in « PME ».  Targets: March 2025 revenue 40000 for the company.  D5's
probability is 50 %.
"""

from __future__ import annotations

from datetime import datetime

AS_OF = datetime(2025, 3, 31)

DEALS_HEADER = ["N° affaire", "Client", "Commercial", "Étape", "Statut", "Montant HT", "Date de création",
                "Date de proposition", "Date de signature prévue", "Date de clôture", "Probabilité"]


def _d(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d)


DEALS = [
    DEALS_HEADER,
    ["D1", "Alpha", "Martin", "Gagné", "won", 10000.0, _d(2025, 1, 10), _d(2025, 2, 1), None, _d(2025, 3, 5), None],
    ["D2", "Beta", "Martin", "Perdu", "lost", 8000.0, _d(2025, 1, 20), _d(2025, 2, 10), None, _d(2025, 3, 12), None],
    ["D3", "Gamma", "Martin", "Gagné", "won", 20000.0, _d(2025, 2, 1), _d(2025, 2, 20), None, _d(2025, 3, 20), None],
    ["D4", "Delta", "Durand", "Gagné", "won", 5000.0, _d(2025, 3, 1), None, None, _d(2025, 3, 25), None],
    ["D5", "Epsilon", "Durand", "Négociation", "open", 30000.0, _d(2025, 2, 15), _d(2025, 3, 10),
     _d(2025, 3, 31), None, 0.5],
    ["D6", "Zeta", "Durand", "Perdu", "lost", 7000.0, _d(2024, 12, 1), _d(2025, 1, 15), None, _d(2025, 3, 28), None],
]

ACTIVITIES = [
    ["Date", "Commercial", "Type", "N° affaire", "Client", "Note"],
    [_d(2025, 3, 3), "Martin", "RDV qualifié", "D1", "Alpha", None],
    [_d(2025, 3, 10), "Martin", "RDV qualifié", "D2", "Beta", None],
    [_d(2025, 3, 17), "Martin", "RDV qualifié", "D3", "Gamma", None],
    [_d(2025, 3, 24), "Durand", "RDV qualifié", "D4", "Delta", None],
    [_d(2025, 3, 5), "Durand", "Appel", "D6", "Zeta", None],
]

REPS = [
    ["Commercial", "Équipe", "Manager", "Actif", "Date d'arrivée"],
    ["Martin", "Grands comptes", "Claire", True, _d(2020, 1, 1)],
    ["Durand", "PME", "Claire", True, _d(2021, 1, 1)],
]

TARGETS = [
    ["Mois", "Niveau", "Nom", "Indicateur", "Objectif"],
    ["2025-03", "company", "", "revenue", 40000.0],
]

TABLES = {"Deals": ("Affaires", DEALS), "Activities": ("Activités", ACTIVITIES), "Reps": ("Commerciaux", REPS),
          "Targets": ("Objectifs", TARGETS)}


def recorded_book(name: str = "Pipeline.xlsx", fullname: str = ""):
    """A recorded xlwings book holding the four tables, each an Excel Table on its own sheet."""
    from support.recording_engine import new_book, put_table

    book, rec = new_book(name, ())
    if fullname:
        book.impl.fullname = fullname
    for table, (sheet, rows) in TABLES.items():
        put_table(book, sheet, rows, table_name=table)
    return book, rec
