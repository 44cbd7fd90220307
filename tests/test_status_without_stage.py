"""A deals table with a status column and no stage column is read (issue 16, day one).

DESIGN.md derives the status from the stage when the status is absent; the converse shape is common
too: a hand-kept « Statut » column (« En cours », « Signé », « Perdu »), or Dynamics 365's Opportunities
view, whose Status is the statecode Open / Won / Lost and which has no stage column
(https://learn.microsoft.com/en-us/dynamics365/sales/developer/entities/opportunity, statecode).
Each deal then takes its status, as the file words it, for its stage.
"""

from __future__ import annotations

from kpicore.ingest.grids import RawGrid, ingest
from kpicore.text.catalogue import render
from support.ingest_checks import assert_rows_accounted

HEADER = ["Client", "Chargé d'affaires", "Statut", "Total HT", "Date de la demande", "Date de clôture"]
ROWS = [
    ["Menuiserie Roux", "Marie Curie", "Signé", 12000, "2026-01-10", "2026-03-05"],
    ["Cave Saint-Jean", "Marie Curie", "Perdu", 7500, "2026-02-10", "2026-03-25"],
    ["Transports Morel", "Paul Martin", "En cours", 15000, "2026-02-20", None],
]


def _read(rows, header=HEADER):
    return ingest([RawGrid("suivi.xlsx", "Suivi", [header] + rows, 1)])


def test_a_status_without_a_stage_keeps_every_deal_its_stage_the_status_in_words():
    data = _read([list(r) for r in ROWS])
    assert not [i for i in data.quality.errors if i.row is None]  # no « Étape introuvable » for the table
    got = dict(zip(data.deals["account"], zip(data.deals["status"], data.deals["stage"])))
    assert got == {"Menuiserie Roux": ("won", "Signé"), "Cave Saint-Jean": ("lost", "Perdu"),
                   "Transports Morel": ("open", "En cours")}
    assert data.deals["amount"].sum() == 12000 + 7500 + 15000
    said = [render(i.problem) for i in data.quality.warnings if i.column == "Statut"]
    assert said == ["Pas de colonne d'étape : l'étape de chaque affaire est son statut tel que le fichier "
                    "l'écrit (« Statut »)"]  # once for the table, not once per deal
    assert_rows_accounted(data)


def test_a_deal_with_no_status_and_no_stage_is_excluded_naming_the_status_column():
    rows = [list(r) for r in ROWS]
    rows[1][2] = None  # Cave Saint-Jean: Excel row 3
    data = _read(rows)
    assert sorted(data.deals["account"]) == ["Menuiserie Roux", "Transports Morel"]
    errors = [i for i in data.quality.errors if i.row == 3]
    assert [i.column for i in errors] == ["Statut"]
    assert "Statut" in render(errors[0].problem)
    assert data.ingest.read[0].excluded == (3,)
    assert_rows_accounted(data)


def test_neither_a_stage_nor_a_status_is_still_one_error_for_the_table():
    header = [h for h in HEADER if h != "Statut"]
    rows = [[c for k, c in enumerate(r) if HEADER[k] != "Statut"] for r in ROWS]
    data = _read(rows, header)
    table_errors = [i for i in data.quality.errors if i.row is None]
    assert any("(stage)" in render(i.problem) for i in table_errors)
    assert len(data.deals) == 0
    assert_rows_accounted(data)
