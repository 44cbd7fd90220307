"""Deal id optional: a Deals table without an id column gets a stable id from the deal's name,
account and creation date, said once; namesakes stay two deals; exact duplicates are still merged.

Shape: a Salesforce opportunity report exported without the Opportunity ID column (report exports
carry « Opportunity Name », « Account Name », « Opportunity Owner », « Stage », « Amount », « Created
Date », « Close Date »: field labels from the Salesforce Field Reference Guide,
https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html ).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from datetime import date

from kpicore.ingest.grids import RawGrid, ingest
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.periods import parse_period
from kpicore.text.catalogue import render
from support.ingest_checks import assert_rows_accounted

D = dt.datetime
SF_HEADER = ["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount", "Created Date", "Close Date"]
SF_ROWS = [
    ["Refonte site", "Dupont SA", "Alice Moreau", "Closed Won", 10000, D(2026, 1, 10), D(2026, 3, 5)],
    ["Maintenance 2026", "Martin SARL", "Bruno Petit", "Closed Won", 4000, D(2026, 2, 1), D(2026, 3, 12)],
    # two real deals: same name, account and creation day, another amount and stage
    ["Licences", "Lefèvre", "Bruno Petit", "Closed Won", 1500, D(2026, 2, 2), D(2026, 3, 20)],
    ["Licences", "Lefèvre", "Bruno Petit", "Proposal/Price Quote", 900, D(2026, 2, 2), D(2026, 4, 30)],
    # an exact copy of the first row (the report pasted twice)
    ["Refonte site", "Dupont SA", "Alice Moreau", "Closed Won", 10000, D(2026, 1, 10), D(2026, 3, 5)],
]


def _report(rows=SF_ROWS, header=SF_HEADER) -> RawGrid:
    return RawGrid("opportunites.xlsx", "Opportunities", [header] + [list(r) for r in rows])


def _id(*parts: str) -> str:
    """The documented derivation, written again here: "D-" + 8 hex of sha1 of the folded parts."""
    return "D-" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:8]


def test_a_report_without_ids_gets_stable_derived_ids():
    data = ingest([_report()])
    assert_rows_accounted(data)
    refonte = _id("refonte site", "dupont sa", "2026-01-10")
    licences = _id("licences", "lefevre", "2026-02-02")
    assert sorted(data.deals["deal_id"]) == sorted(
        [refonte, _id("maintenance 2026", "martin sarl", "2026-02-01"), licences, licences + "-2"])
    again = ingest([_report()])  # same file, same ids
    assert list(again.deals["deal_id"]) == list(data.deals["deal_id"])
    # the namesakes stay two deals, in their order of appearance
    by_id = data.deals.set_index("deal_id")
    assert by_id.at[licences, "amount"] == 1500 and by_id.at[licences + "-2", "amount"] == 900


def test_exact_duplicates_are_still_merged():
    data = ingest([_report()])
    (grid,) = data.ingest.read
    assert grid.merged == (6,)  # the copy of row 2 (header on row 1)
    assert sum(i.problem.code == "quality.problem.duplicate_same" for i in data.quality.issues) == 1


def test_said_once_in_the_notes_and_one_issue():
    data = ingest([_report()])
    (note,) = data.ingest.notes
    # 4 deals: Refonte site (its copy merged), Maintenance 2026, Licences and its namesake
    assert render(note, "fr") == ("Pas de colonne d'identifiant : identifiant tiré du nom, du client et de la date de "
                                  "création pour 4 affaires ; 1 affaire homonyme gardée à part (suffixe -2, -3…)")
    said = [i for i in data.quality.issues if i.problem.code == "vocabulary.note.derived_ids"]
    assert len(said) == 1 and said[0].row is None
    assert not [i for i in data.quality.issues if i.problem.code == "quality.problem.missing_column"]


def test_kpis_are_computed_on_derived_ids():
    data = ingest([_report()])
    table = KpiEngine(data, date(2026, 3, 31)).table(parse_period("2026-03"))
    # won in March: 10 000 (once: its copy is merged) + 4 000 + 1 500; the second « Licences » is open
    assert table.at[("company", ""), "revenue_won"] == 15500
    assert table.at[("rep", "Bruno Petit"), "revenue_won"] == 5500


def test_without_a_name_the_id_comes_from_account_owner_date_and_amount():
    header = ["Account Name", "Opportunity Owner", "Stage", "Amount", "Created Date"]
    rows = [["Dupont SA", "Alice Moreau", "Prospecting", 1000, D(2026, 1, 10)],
            ["Dupont SA", "Alice Moreau", "Prospecting", 1000, D(2026, 1, 10)],  # exact copy: merged
            ["Dupont SA", "Alice Moreau", "Qualification", 1000, D(2026, 1, 10)]]  # another deal
    data = ingest([_report(rows, header)])
    assert_rows_accounted(data)
    base = _id("dupont sa", "alice moreau", "2026-01-10", "1000.00")
    assert sorted(data.deals["deal_id"]) == [base, base + "-2"]
    (note,) = data.ingest.notes
    assert note.code == "vocabulary.note.derived_ids_no_name"
    assert data.ingest.read[0].merged == (3,)


def test_an_id_column_when_present_is_used_and_the_name_kept():
    header = ["Opportunity ID", *SF_HEADER]
    rows = [["006A", *SF_ROWS[0]], ["006B", *SF_ROWS[1]]]
    data = ingest([_report(rows, header)])
    assert list(data.deals["deal_id"]) == ["006A", "006B"]
    assert list(data.deals["Opportunity Name"]) == ["Refonte site", "Maintenance 2026"]
    assert data.ingest.notes == ()


def test_check_says_the_derived_ids_once_among_what_it_inferred():
    from kpicore.text.check import check_report_json, check_report_text

    data = ingest([_report()])
    said = ("Pas de colonne d'identifiant : identifiant tiré du nom, du client et de la date de création pour "
            "4 affaires ; 1 affaire homonyme gardée à part (suffixe -2, -3…)")
    assert check_report_json(data, "fr")["notes"] == [said]
    text = check_report_text(data, "fr")
    assert f"Ce que Pilotage a déduit de vos fichiers :\n  - {said}\n" in text
