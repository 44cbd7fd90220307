"""One roster for every scope: KPIs, forecast, cockpit rows, rep exports (DESIGN.md « One roster »).

The workbooks are in the shape of a hand-kept SME file (no vendor documents one): a title row above
the header, no deal id, no Reps sheet, the team in a column of the deals (« Équipe »).  Every
expected figure is worked out by hand below from the rows written.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pandas as pd
import pytest
import xlsxwriter

from kpicore.cockpit.build import build_cockpit
from kpicore.forecast.forecasting import prepare
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.periods import parse_period
from kpicore.model.rep_roster import NO_TEAM, rep_roster
from kpicore.model.roster import rep_team_of, scopes
from kpicore.model import schema
from kpicore.text.sheets import rendered
from support.ingest_checks import assert_rows_accounted
from workbook_templates.reading import load_pipeline
from workbook_templates.rep_export import export_rep

AS_OF = date(2026, 3, 31)
D = dt.datetime
HEADER = ["Nom de l'affaire", "Client", "Commercial", "Équipe", "Étape", "Montant HT", "Date de création",
          "Date de clôture"]
# name, account, rep, team, stage, amount, created, closed
DEALS = [
    ("Refonte site", "Dupont SA", "Alice Moreau", "Nord", "Gagné", 10000, D(2026, 1, 10), D(2026, 3, 5)),
    ("Maintenance", "Martin SARL", "Bruno Petit", "Nord", "Gagné", 4000, D(2026, 2, 1), D(2026, 3, 12)),
    ("Audit", "Lefèvre", "Chloé Roux", "Sud", "Gagné", 7000, D(2026, 1, 20), D(2026, 3, 20)),
    ("Formation", "Durand", "Chloé Roux", "Sud", "Perdu", 3000, D(2026, 2, 3), D(2026, 3, 15)),
    ("Extension", "Dupont SA", "Alice Moreau", "Nord", "Proposition", 5000, D(2026, 3, 1), None),
]


def _write(path, deals=DEALS, reps: list[tuple[str, str]] | None = None):
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Affaires")
    ws.write(0, 0, "Suivi des affaires 2026")  # a title row above the header, as kept by hand
    ws.write_row(2, 0, HEADER)
    for r, row in enumerate(deals, start=3):
        for c, v in enumerate(row):
            if isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, fmt)
            elif v is not None:
                ws.write(r, c, v)
    if reps is not None:
        rs = wb.add_worksheet("Commerciaux")
        rs.write_row(0, 0, ["Commercial", "Équipe"])
        for r, (name, team) in enumerate(reps, start=1):
            rs.write_row(r, 0, [name, team])
    wb.close()
    return path


@pytest.fixture(scope="module")
def no_reps_sheet(tmp_path_factory):
    data = load_pipeline(_write(tmp_path_factory.mktemp("roster") / "affaires.xlsx"))
    assert_rows_accounted(data)
    return data


def test_without_a_reps_sheet_the_deals_name_the_reps_and_their_teams(no_reps_sheet):
    data = no_reps_sheet
    assert len(data.reps) == 0
    assert rep_team_of(data) == {"Alice Moreau": "Nord", "Bruno Petit": "Nord", "Chloé Roux": "Sud"}


def test_kpis_by_team_and_rep_come_from_the_roster(no_reps_sheet):
    table = KpiEngine(no_reps_sheet, AS_OF).table(parse_period("2026-03"))
    # won in March: Alice 10 000 (5 March), Bruno 4 000 (12 March), Chloé 7 000 (20 March; her
    # 3 000 of 15 March is lost); Nord = Alice + Bruno = 14 000, Sud = 7 000
    won = table["revenue_won"]
    assert won[("team", "Nord")] == 14000 and won[("team", "Sud")] == 7000
    assert won[("rep", "Alice Moreau")] == 10000 and won[("rep", "Bruno Petit")] == 4000
    assert won[("rep", "Chloé Roux")] == 7000
    assert ("team", NO_TEAM) not in table.index


def test_forecast_scopes_come_from_the_roster(no_reps_sheet):
    assert scopes(no_reps_sheet) == [("company", ""), ("team", "Nord"), ("team", "Sud"), ("rep", "Alice Moreau"),
                                     ("rep", "Bruno Petit"), ("rep", "Chloé Roux")]
    assert prepare(no_reps_sheet, today=AS_OF).rep_team == rep_team_of(no_reps_sheet)


def test_the_cockpit_lists_the_reps_and_teams_without_a_reps_sheet(no_reps_sheet):
    manager = rendered(build_cockpit(no_reps_sheet, AS_OF, view="manager", n_sims=200), "fr")
    rows = [(r[0].value, r[1].value) for r in manager.block("scope_table").cells[2:]]
    assert rows == [("Alice Moreau", "Nord"), ("Bruno Petit", "Nord"), ("Chloé Roux", "Sud")]
    direction = rendered(build_cockpit(no_reps_sheet, AS_OF, view="direction", n_sims=200), "fr")
    teams = [(r[0].value, r[1].value) for r in direction.block("scope_table").cells[2:]]
    assert teams == [("Nord", "2"), ("Sud", "1")]  # Nord: Alice and Bruno; Sud: Chloé


def test_a_rep_export_finds_a_rep_named_only_by_the_deals(no_reps_sheet, tmp_path):
    out = export_rep(no_reps_sheet, "chloé roux", tmp_path / "chloe.xlsx", as_of=AS_OF, n_sims=200)
    assert out.exists()


def test_with_a_reps_sheet_an_owner_missing_from_it_is_still_a_rep(tmp_path):
    deals = DEALS + [("Étude", "Garnier", "Zoé Blanc", None, "Gagné", 2500, D(2026, 2, 10), D(2026, 3, 25))]
    data = load_pipeline(_write(tmp_path / "avec_commerciaux.xlsx", deals,
                                reps=[("Alice Moreau", "Nord"), ("Bruno Petit", "Est")]))
    assert_rows_accounted(data)
    # the Reps sheet's team wins over the deals' column (Bruno: Est, not Nord); Chloé is not in it: her team
    # comes from the deals; Zoé has a team nowhere
    assert rep_team_of(data) == {"Alice Moreau": "Nord", "Bruno Petit": "Est", "Chloé Roux": "Sud",
                                 "Zoé Blanc": NO_TEAM}
    table = KpiEngine(data, AS_OF).table(parse_period("2026-03"))
    assert table["revenue_won"][("rep", "Zoé Blanc")] == 2500
    assert table["revenue_won"][("team", NO_TEAM)] == 2500
    assert table["revenue_won"][("team", "Est")] == 4000
    out = export_rep(data, "Zoé Blanc", tmp_path / "zoe.xlsx", as_of=AS_OF, n_sims=200)
    assert out.exists()


def test_rep_roster_over_frames():
    """Reps of the Reps table first, then owners, activity reps and rep targets; the team a column gives
    a rep most often."""
    reps = schema.conform(pd.DataFrame({"rep": ["Ana"], "team": [None]}), schema.REPS)
    deals = schema.conform(pd.DataFrame({"owner": ["Ana", "Ana", "Ana", "Bob"], "team": ["Ouest", "Ouest", "Est", None]}),
                           schema.DEALS)
    acts = schema.conform(pd.DataFrame({"rep": ["Bob", "Cyril"], "team": ["Est", None]}), schema.ACTIVITIES)
    targets = schema.conform(pd.DataFrame({"scope_type": ["rep", "team"], "scope_name": ["Dora", "Ouest"],
                                           "period": ["2026-03", "2026-03"], "metric": ["revenue", "revenue"],
                                           "value": [1.0, 2.0]}), schema.TARGETS)
    roster = rep_roster(reps, deals, acts, targets)
    # Ana: no team in Reps, two deals of three in Ouest; Bob: his activity says Est; Cyril and Dora: none
    assert roster.to_dict() == {"Ana": "Ouest", "Bob": "Est", "Cyril": NO_TEAM, "Dora": NO_TEAM}


# ------------------------------------------------------------------ name variants of one person

def _spellings_workbook() -> list:
    from kpicore.ingest.grids import RawGrid

    deals = RawGrid("suivi.xlsx", "Affaires", [
        ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date de clôture"],
        ["A1", "Dupont SA", "DUPONT Marie", "Gagné", 3000, D(2026, 1, 5), D(2026, 3, 2)],
        ["A2", "Martin SARL", "Marie Dupont", "Gagné", 2000, D(2026, 1, 6), D(2026, 3, 9)],
        ["A3", "Lefèvre", "Paul Martin", "Gagné", 1000, D(2026, 1, 7), D(2026, 3, 16)],
        ["A4", "Durand", "Pauline Martin", "Gagné", 500, D(2026, 1, 8), D(2026, 3, 23)],
    ])
    acts = RawGrid("suivi.xlsx", "Activités", [
        ["Date", "Commercial", "Type d'activité"],
        [D(2026, 3, 3), "marie dupont", "RDV qualifié"],
        [D(2026, 3, 4), "M. Dupont", "RDV qualifié"],
        [D(2026, 3, 5), "P. Martin", "Appel"],  # Paul or Pauline: two fuller spellings fit, none proposed
    ])
    targets = RawGrid("suivi.xlsx", "Objectifs", [
        ["Mois", "Niveau", "Nom", "Indicateur", "Objectif"],
        ["2026-03", "rep", "Dupont M.", "revenue", 20000],
    ])
    return [deals, acts, targets]


def test_spellings_of_one_person_are_proposed_and_not_merged():
    from kpicore.ingest.grids import ingest

    data = ingest(_spellings_workbook())
    (variants,) = data.ingest.name_variants
    # first seen in the deals, then the activities, then the targets
    assert variants.names == ("DUPONT Marie", "Marie Dupont", "marie dupont", "M. Dupont", "Dupont M.")
    assert variants.proposed == "Marie Dupont" and not variants.accepted
    roster = rep_team_of(data)
    assert {"DUPONT Marie", "Marie Dupont", "marie dupont", "M. Dupont", "Dupont M."} <= set(roster)
    table = KpiEngine(data, AS_OF).table(parse_period("2026-03"))
    assert table["revenue_won"][("rep", "Marie Dupont")] == 2000  # A2 only: nothing merged silently


def test_an_accepted_merge_applies_to_owners_reps_and_targets_before_the_kpis():
    from kpicore.ingest.grids import ingest
    from kpicore.metrics.targets import target_book
    from kpicore.model.ingest_report import PersonChoices

    spellings = ("DUPONT Marie", "Marie Dupont", "marie dupont", "M. Dupont", "Dupont M.")
    data = ingest(_spellings_workbook(), choices=PersonChoices(names={s: "Marie Dupont" for s in spellings}))
    (variants,) = data.ingest.name_variants
    assert variants.accepted
    assert sorted(rep_team_of(data)) == ["Marie Dupont", "P. Martin", "Paul Martin", "Pauline Martin"]
    table = KpiEngine(data, AS_OF).table(parse_period("2026-03"))
    # A1 3 000 + A2 2 000; two qualified meetings in March's 31 days
    assert table["revenue_won"][("rep", "Marie Dupont")] == 5000
    assert table["qualified_meetings_per_week"][("rep", "Marie Dupont")] == pytest.approx(2 / (31 / 7))
    assert target_book(data).value("revenue", parse_period("2026-03"), "rep", "Marie Dupont") == 20000


def test_name_folding_over_the_distinct_names():
    from kpicore.ingest.names import name_variants

    counts = pd.Series({"Jean-Luc Picard": 3, "PICARD Jean-Luc": 1, "J. Picard": 1, "jean-luc picard": 2,
                        "Anne Morel": 1, "Anne Moreau": 1, "A. Mor": 1, "Mme Léa Côté": 1, "cote lea": 4})
    got = {v.names: v.proposed for v in name_variants(counts)}
    # hyphen, case and order folded; the initial joins the only spelling it fits; civility and accents dropped;
    # « A. Mor » fits no full spelling (Mor is not Morel), and Anne Morel / Anne Moreau stay apart
    assert got == {("Jean-Luc Picard", "PICARD Jean-Luc", "J. Picard", "jean-luc picard"): "Jean-Luc Picard",
                   ("Mme Léa Côté", "cote lea"): "Mme Léa Côté"}
