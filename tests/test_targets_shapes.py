"""Targets in the shapes SMEs keep (kpicore.ingest.targets_shapes): each shape gives the canonical long rows
worked out here by hand from the cells the test writes; total rows and columns are dropped and reported; a
yearly target is spread by last year's monthly shares of won revenue, or evenly; the metric comes from the
value header or the sheet name; every row is accounted for.

Shapes recorded from hand-kept workbooks (no vendor documents a targets layout, except Odoo's team
"Invoicing Target", ``invoiced_target`` in addons/sale/models/crm_team.py,
https://github.com/odoo/odoo/blob/17.0/addons/sale/models/crm_team.py : « revenue target for the current
month »; « Objectif de facturation » is the French label French Odoo modules give that field).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from kpicore.ingest.grids import RawGrid, ingest
from kpicore.ingest.targets_shapes import header_metric, month_of
from kpicore.model.quality import ERROR, WARNING
from kpicore.text.catalogue import render
from support.ingest_checks import assert_rows_accounted

F = "objectifs.xlsx"
DEALS_HEADER = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création", "Date de signature"]


def deals_grid(rows: list[list]) -> RawGrid:
    return RawGrid(F, "Affaires", [DEALS_HEADER] + rows)


ONE_DEAL = deals_grid([["A1", "Acme", "Alice", "Gagnée", 1_000.0, datetime(2025, 1, 3), datetime(2025, 6, 20)]])


def long_rows(data) -> set[tuple]:
    t = data.targets
    return {(p, s, None if pd.isna(n) else n, m, round(float(v), 6))
            for p, s, n, m, v in zip(t["period"], t["scope_type"], t["scope_name"], t["metric"], t["value"])}


def report_of(data, sheet: str):
    return next(g for g in data.ingest.grids if g.sheet == sheet)


def notes_fr(data) -> list[str]:
    return [render(n, "fr") for n in data.ingest.notes]


def test_month_headers_in_the_ways_people_write_them():
    assert month_of("janv.") == (None, 1)
    assert month_of("Févr") == (None, 2)
    assert month_of("Mar") == (None, 3)
    assert month_of("September") == (None, 9)
    assert month_of("Janvier 2025") == (2025, 1)
    assert month_of("janv-25") == (2025, 1)
    assert month_of("Jan 2025") == (2025, 1)
    assert month_of("2025-01") == (2025, 1)
    assert month_of("01/2025") == (2025, 1)
    assert month_of(datetime(2025, 11, 1)) == (2025, 11)
    assert month_of("Total") is None and month_of("T1") is None and month_of("Commercial") is None


def test_metric_from_the_value_header():
    assert header_metric("Objectif CA", "revenue") == "revenue"
    assert header_metric("Objectif RDV", "revenue") == "qualified_meetings"
    assert header_metric("Objectif propositions", "revenue") == "proposals"
    assert header_metric("Objectif de facturation", "x") == "revenue"
    assert header_metric("CA cible", "x") == "revenue"
    assert header_metric("Quota", "proposals") == "proposals"  # says no metric: the sheet's or revenue
    assert header_metric("Objectif annuel 2025", None) is None


def test_one_row_per_rep_and_month_with_a_column_per_metric():
    grid = RawGrid(F, "Feuil2", [
        ["Commercial", "Mois", "Objectif CA", "Objectif RDV"],
        ["Alice", "2025-01", 10_000, 12],
        ["Alice", "02/2025", 11_000, 14],
        ["Bob", datetime(2025, 1, 1), 8_000, 10],
    ])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {
        ("2025-01", "rep", "Alice", "revenue", 10_000), ("2025-01", "rep", "Alice", "qualified_meetings", 12),
        ("2025-02", "rep", "Alice", "revenue", 11_000), ("2025-02", "rep", "Alice", "qualified_meetings", 14),
        ("2025-01", "rep", "Bob", "revenue", 8_000), ("2025-01", "rep", "Bob", "qualified_meetings", 10),
    }
    rep = report_of(data, "Feuil2")
    assert rep.shape == "per_metric" and rep.table == "Targets"
    assert sorted(rep.data_rows) == [2, 2, 3, 3, 4, 4]  # each Excel row gives one long row per metric
    assert_rows_accounted(data)


def test_a_team_column_alone_gives_team_targets_odoo_invoicing_target():
    grid = RawGrid(F, "Objectifs", [
        ["Équipe commerciale", "Mois", "Objectif de facturation"],
        ["Europe", "Janvier 2025", 50_000],
        ["Europe", "Février 2025", 55_000],
    ])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {("2025-01", "team", "Europe", "revenue", 50_000),
                               ("2025-02", "team", "Europe", "revenue", 55_000)}
    assert report_of(data, "Objectifs").shape == "per_metric"
    assert_rows_accounted(data)


def test_the_metric_from_the_sheet_name():
    rdv = RawGrid(F, "Objectifs RDV", [["Commercial", "Mois", "Objectif"], ["Alice", "2025-03", 20]])
    ca = RawGrid(F, "Objectifs CA", [["Commercial", "Mois", "Objectif"], ["Alice", "2025-03", 30_000]])
    props = RawGrid(F, "Objectifs", [["Commercial", "Mois", "Objectif propositions"], ["Alice", "2025-03", 6]])
    data = ingest([ONE_DEAL, rdv, ca, props])
    assert long_rows(data) == {("2025-03", "rep", "Alice", "qualified_meetings", 20),
                               ("2025-03", "rep", "Alice", "revenue", 30_000),
                               ("2025-03", "rep", "Alice", "proposals", 6)}
    assert_rows_accounted(data)


def test_wide_table_french_abbreviations_year_from_sheet_totals_dropped_and_reported():
    grid = RawGrid(F, "Objectifs 2025", [
        ["Équipe", "Commercial", "janv.", "févr.", "mars", "T1", "avr.", "Total annuel"],
        ["Nord", "Alice", 10, 11, 12, 33, 13, 46],
        ["Nord", "Bob", 20, None, 22, 42, 24, 66],   # no February target for Bob: no row for it
        ["Nord", None, 40, 40, 40, 120, 40, 160],    # the team's own row (rep empty)
        ["Total équipe", None, 70, 51, 74, 195, 77, 272],
    ])
    data = ingest([ONE_DEAL, grid])
    expected = {("2025-01", "rep", "Alice", "revenue", 10), ("2025-02", "rep", "Alice", "revenue", 11),
                ("2025-03", "rep", "Alice", "revenue", 12), ("2025-04", "rep", "Alice", "revenue", 13),
                ("2025-01", "rep", "Bob", "revenue", 20), ("2025-03", "rep", "Bob", "revenue", 22),
                ("2025-04", "rep", "Bob", "revenue", 24)}
    expected |= {(f"2025-{m:02d}", "team", "Nord", "revenue", 40) for m in (1, 2, 3, 4)}
    assert long_rows(data) == expected
    rep = report_of(data, "Objectifs 2025")
    assert rep.shape == "wide_months" and rep.total_rows == (5,)
    warned = {(i.row, str(i.column)) for i in data.quality.issues if i.severity == WARNING}
    assert (5, "") in warned  # the « Total équipe » row
    assert (1, "T1") in warned and (1, "Total annuel") in warned  # the two total columns, at the header row
    assert any("2025" in n and "nom de la feuille" in n for n in notes_fr(data))
    assert_rows_accounted(data)


@pytest.mark.parametrize("headers", [
    ["Jan 2025", "Feb 2025", "Mar 2025"],
    ["janv-25", "févr-25", "mars-25"],
    ["2025-01", "2025-02", "2025-03"],
    ["01/2025", "02/2025", "03/2025"],
    [datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1)],
])
def test_wide_table_months_with_their_year(headers):
    grid = RawGrid(F, "Feuil1", [["Objectifs par commercial"], ["Commercial"] + headers, ["Alice", 5, 6, 7]])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {("2025-01", "rep", "Alice", "revenue", 5), ("2025-02", "rep", "Alice", "revenue", 6),
                               ("2025-03", "rep", "Alice", "revenue", 7)}
    assert report_of(data, "Feuil1").shape == "wide_months"
    assert_rows_accounted(data)


def test_wide_table_year_from_the_title_rows_and_company_scope():
    grid = RawGrid(F, "Budget", [
        ["Objectifs commerciaux 2026"],
        [],
        ["Indicateur", "Janvier", "Février", "Mars"],
        ["CA", 100_000, 110_000, 120_000],
        ["RDV", 40, 42, 44],
    ])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {("2026-01", "company", None, "revenue", 100_000),
                               ("2026-02", "company", None, "revenue", 110_000),
                               ("2026-03", "company", None, "revenue", 120_000),
                               ("2026-01", "company", None, "qualified_meetings", 40),
                               ("2026-02", "company", None, "qualified_meetings", 42),
                               ("2026-03", "company", None, "qualified_meetings", 44)}
    assert any("titre" in n for n in notes_fr(data))
    assert_rows_accounted(data)


def test_wide_table_without_a_year_takes_the_fiscal_year_of_the_data_april_start():
    # the deals' latest date is 2025-06-20: with a fiscal year from April, that is FY2025 (April 2025 - March 2026)
    settings = RawGrid(F, "Paramètres", [["Paramètre", "Valeur"], ["fiscal_year_start_month", "4"]])
    grid = RawGrid(F, "Objectifs", [["Commercial", "Avril", "Mai", "Janvier", "Mars"], ["Alice", 1, 2, 3, 4]])
    data = ingest([settings, ONE_DEAL, grid])
    assert long_rows(data) == {("2025-04", "rep", "Alice", "revenue", 1), ("2025-05", "rep", "Alice", "revenue", 2),
                               ("2026-01", "rep", "Alice", "revenue", 3), ("2026-03", "rep", "Alice", "revenue", 4)}
    assert any("dernière date des affaires" in n for n in notes_fr(data))
    assert_rows_accounted(data)


def test_unreadable_cell_of_a_wide_row_is_excluded_by_name_the_rest_of_the_row_kept():
    grid = RawGrid(F, "Objectifs 2025", [["Commercial", "Janvier", "Février"], ["Alice", 10, "dix"]])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {("2025-01", "rep", "Alice", "revenue", 10)}
    [err] = [i for i in data.quality.issues if i.severity == ERROR]
    assert (err.sheet, err.row, err.value) == ("Objectifs 2025", 2, "dix")
    rep = report_of(data, "Objectifs 2025")
    assert rep.kept == (2,) and rep.excluded == (2,)
    assert_rows_accounted(data)


# ---------------------------------------------------------------- yearly targets

ALICE_2024 = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]  # thousands won per month of 2024, one deal a month


def history_deals() -> RawGrid:
    rows = []
    for m, k in enumerate(ALICE_2024, start=1):
        rows.append([f"A{m}", "Acme", "Alice", "Gagnée", k * 1_000.0, datetime(2024, m, 1), datetime(2024, m, 15)])
    rows += [["B1", "Bolt", "Bob", "Gagnée", 7_000.0, datetime(2024, 2, 1), datetime(2024, 3, 10)],
             ["B2", "Bolt", "Bob", "Perdue", 9_000.0, datetime(2024, 2, 1), datetime(2024, 4, 10)],
             ["C1", "Cap", "Alice", "Proposition", 5_000.0, datetime(2024, 12, 1), None]]
    rows += [[f"A{m}b", "Acme", "Alice", "Gagnée", 0.0, datetime(2024, 1, 1), datetime(2024, m, 20)] for m in (1,)]
    return deals_grid(rows)


def test_yearly_target_spread_by_last_years_shares_own_or_company():
    grid = RawGrid(F, "Objectifs", [["Commercial", "Objectif annuel 2025"], ["Alice", 120_000], ["Bob", 60_000]])
    data = ingest([history_deals(), grid])
    # Alice won 13 deals in 2024 (>= 10): her own shares. Bob won one: the company's shares (Alice + Bob's 7,000
    # won in March).
    alice_total = sum(ALICE_2024) * 1_000.0
    company = [k * 1_000.0 + (7_000.0 if m == 3 else 0.0) for m, k in enumerate(ALICE_2024, start=1)]
    company_total = sum(company)
    expected = {(f"2025-{m:02d}", "rep", "Alice", "revenue", round(120_000 * k * 1_000.0 / alice_total, 6))
                for m, k in enumerate(ALICE_2024, start=1)}
    expected |= {(f"2025-{m:02d}", "rep", "Bob", "revenue", round(60_000 * c / company_total, 6))
                 for m, c in enumerate(company, start=1)}
    assert long_rows(data) == expected
    assert sum(v for p, s, n, mt, v in long_rows(data) if n == "Alice") == pytest.approx(120_000)
    rep = report_of(data, "Objectifs")
    assert rep.shape == "yearly" and len(rep.data_rows) == 24
    [note] = [n for n in notes_fr(data) if "répartis" in n]
    assert "CA signé de 2024" in note and "1 périmètre" in note
    assert_rows_accounted(data)


def test_yearly_target_spread_evenly_by_setting_or_without_twelve_months():
    grid = RawGrid(F, "Objectifs", [["Commercial", "Objectif annuel 2025"], ["Alice", 120_000]])
    settings = RawGrid(F, "Paramètres", [["Paramètre", "Valeur"], ["targets.spread", "even"]])
    even = ingest([settings, history_deals(), grid])
    assert long_rows(even) == {(f"2025-{m:02d}", "rep", "Alice", "revenue", 10_000) for m in range(1, 13)}
    assert any("targets.spread = even" in n for n in notes_fr(even))
    # deals only since June 2024: no twelve months of history, evenly
    short = deals_grid([["A1", "Acme", "Alice", "Gagnée", 5_000.0, datetime(2024, 6, 1), datetime(2024, 7, 1)],
                        ["A2", "Acme", "Alice", "Gagnée", 5_000.0, datetime(2024, 6, 1), datetime(2024, 12, 1)]])
    data = ingest([short, grid])
    assert long_rows(data) == {(f"2025-{m:02d}", "rep", "Alice", "revenue", 10_000) for m in range(1, 13)}
    assert any("parts égales" in n and "2024" in n for n in notes_fr(data))
    assert_rows_accounted(data)


def test_yearly_targets_with_a_year_column_company_scope_and_a_rate_not_spread():
    grid = RawGrid(F, "Objectifs", [["Année", "Objectif CA", "Objectif panier moyen"], [2025, 240_000, 8_000]])
    settings = RawGrid(F, "Paramètres", [["Paramètre", "Valeur"], ["targets.spread", "even"]])
    data = ingest([settings, ONE_DEAL, grid])
    expected = {(f"2025-{m:02d}", "company", None, "revenue", 20_000) for m in range(1, 13)}
    expected |= {(f"2025-{m:02d}", "company", None, "average_deal_size", 8_000) for m in range(1, 13)}
    assert long_rows(data) == expected
    assert any("ne se répartit pas" in n for n in notes_fr(data))
    assert_rows_accounted(data)


# ---------------------------------------------------------------- what stays as it was

def test_canonical_long_table_is_read_as_before():
    grid = RawGrid(F, "Objectifs", [["Mois", "Niveau", "Nom", "Indicateur", "Objectif"],
                                    ["2025-01", "rep", "Alice", "revenue", 9_000],
                                    ["2025-01", "company", None, "revenue", 20_000]])
    data = ingest([ONE_DEAL, grid])
    assert long_rows(data) == {("2025-01", "rep", "Alice", "revenue", 9_000),
                               ("2025-01", "company", None, "revenue", 20_000)}
    assert report_of(data, "Objectifs").shape == "long"
    assert_rows_accounted(data)


def test_a_header_on_two_rows_and_names_under_an_empty_header():
    two_rows = RawGrid(F, "Objectifs 2025", [["Commercial", "Mois", None, None], [None, "janv.", "févr.", "mars"],
                                             ["Alice", 5, 6, 7]])
    no_header = RawGrid(F, "Quotas 2026", [[None, "Jan", "Feb"], ["Bob", 1, 2]])
    data = ingest([ONE_DEAL, two_rows, no_header])
    assert long_rows(data) == {("2025-01", "rep", "Alice", "revenue", 5), ("2025-02", "rep", "Alice", "revenue", 6),
                               ("2025-03", "rep", "Alice", "revenue", 7), ("2026-01", "rep", "Bob", "revenue", 1),
                               ("2026-02", "rep", "Bob", "revenue", 2)}
    assert_rows_accounted(data)


def test_a_pivot_of_actual_revenue_by_month_is_not_taken_for_targets():
    pivot = RawGrid(F, "Synthèse", [["CA signé par commercial"], ["Commercial", "janv.", "févr.", "mars", "Total"],
                                    ["Alice", 1_000, 2_000, 3_000, 6_000]])
    data = ingest([ONE_DEAL, pivot])
    assert report_of(data, "Synthèse").table is None
    assert data.targets.empty


def test_deals_with_date_cells_and_a_reps_sheet_with_a_quota_are_not_taken_for_targets():
    deals = RawGrid(F, "Export", [DEALS_HEADER + ["Date prévue"],
                                  ["A1", "Acme", "Alice", "Gagnée", 1_000.0, datetime(2025, 1, 3),
                                   datetime(2025, 2, 1), datetime(2025, 3, 1)]])
    reps = RawGrid(F, "Commerciaux", [["Commercial", "Équipe", "Objectif annuel"], ["Alice", "Nord", 100_000]])
    log = RawGrid(F, "Suivi", [["Date", "Commercial", "Type", "Objectif du RDV"],
                               [datetime(2025, 1, 6), "Alice", "RDV", "Découverte du besoin"]])
    data = ingest([deals, reps, log])
    assert report_of(data, "Export").table == "Deals"
    assert report_of(data, "Commerciaux").table == "Reps"
    assert report_of(data, "Suivi").table == "Activities"
    assert data.targets.empty
