"""The client's own labels read as the canonical vocabularies: activity types, stages (status and
order), statuses; one line per unmapped label with its count, never one per row; a person's choice wins.

Label sources: Odoo's default activity types (« Appeler », « Réunion », « E-mail », « À faire »,
« Envoyer un devis »), repository odoo/odoo, addons/mail/data/mail_activity_type_data.xml and
addons/sale/data/mail_activity_type_data.xml; HubSpot's default deal pipeline stage ids
(appointmentscheduled, qualifiedtobuy, presentationscheduled, decisionmakerboughtin, contractsent,
closedwon, closedlost), https://developers.hubspot.com/docs/api/crm/pipelines ; the others are the
free-text labels of hand-kept activity logs (« Rendez-vous terrain », « Démo en ligne »...), for which
no vendor documentation exists.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

from kpicore.ingest.grids import RawGrid, ingest
from kpicore.metrics.kpis import KpiEngine
from kpicore.model.ingest_report import HOW_EVIDENCE, HOW_PERSON, HOW_SYNONYM, PersonChoices
from kpicore.model.periods import parse_period
from kpicore.model.quality import WARNING
from kpicore.text.catalogue import render
from support.ingest_checks import assert_rows_accounted

D = dt.datetime
# label as the log writes it -> the type a reader of the log gives it (None: no word tells)
EXPECTED_TYPE = {
    "Rendez-vous terrain": "meeting", "RDV client": "meeting", "Démo en ligne": "meeting", "Visio": "meeting",
    "Réunion": "meeting", "Meeting": "meeting", "Appel sortant": "call", "Appeler": "call", "Call": "call",
    "Email": "other", "E-mail": "other", "To-Do": "other", "À faire": "other", "Task": "other",
    "Envoi de devis": "proposal", "Envoyer un devis": "proposal", "Proposition commerciale": "proposal",
    "Relance téléphonique": "follow_up", "Rendez-vous de découverte": "qualified_meeting",
    "RDV qualifié": "qualified_meeting", "Co-visite avec manager": "co_visit", "Dégustation": None,
}


def _activity_log(labels: list[str]) -> RawGrid:
    rows = [["Date", "Commercial", "Type d'activité", "Commentaire"]]
    for k, label in enumerate(labels):
        rows.append([D(2026, 3, 2 + k % 20), "Alice Moreau" if k % 2 else "Bruno Petit", label, f"note {k}"])
    return RawGrid("journal.xlsx", "Activités", rows)


def _labels_in_log() -> list[str]:
    # each label once, « Envoi de devis » three times more, « Dégustation » twice more: 22 + 3 + 2 rows
    return list(EXPECTED_TYPE) + ["Envoi de devis"] * 3 + ["Dégustation"] * 2


def test_activity_labels_are_read_by_their_words_and_none_is_dropped():
    labels = _labels_in_log()
    data = ingest([_activity_log(labels)])
    assert_rows_accounted(data)
    assert len(data.activities) == len(labels) == 27
    got = {c.label: c.value for c in data.ingest.labels if c.column == "type"}
    assert got == EXPECTED_TYPE
    counts = {c.label: c.count for c in data.ingest.labels if c.column == "type"}
    assert counts["Envoi de devis"] == 4 and counts["Dégustation"] == 3 and counts["Visio"] == 1
    # a known label is a synonym, one read by its words is evidence
    how = {c.label: c.how for c in data.ingest.labels if c.column == "type"}
    assert how["Réunion"] == HOW_SYNONYM and how["Rendez-vous terrain"] == HOW_EVIDENCE and how["Dégustation"] == ""
    # the unmapped label is kept as « other »: 3 Dégustation + Email, E-mail, To-Do, À faire, Task
    assert (data.activities["type"] == "other").sum() == 3 + 5
    # proposals: Envoi de devis ×4, Envoyer un devis, Proposition commerciale
    assert (data.activities["type"] == "proposal").sum() == 6


def test_one_warning_per_unmapped_label_with_its_count_not_one_per_row():
    data = ingest([_activity_log(_labels_in_log())])
    unknown = [i for i in data.quality.issues if i.problem.code == "vocabulary.problem.unknown_activity_type"]
    assert len(unknown) == 1  # 3 rows of « Dégustation », one warning
    (w,) = unknown
    assert w.severity == WARNING and w.value == "Dégustation"
    assert render(w.problem, "fr") == "Type d'activité « Dégustation » non reconnu (3 lignes), compté comme « Autre »"
    assert w.row == 1 + 22  # its first row: the header is row 1, « Dégustation » is the 22nd label
    assert not [i for i in data.quality.issues if i.problem.code == "quality.problem.unknown_activity_type"]


def test_a_persons_choice_wins_over_the_words_and_the_unmapped():
    choices = PersonChoices(labels={("Activities", "type", "Dégustation"): "meeting",
                                    ("Activities", "type", "Visio"): "qualified_meeting"})
    data = ingest([_activity_log(_labels_in_log())], choices=choices)
    got = {c.label: (c.value, c.how) for c in data.ingest.labels if c.column == "type"}
    assert got["Dégustation"] == ("meeting", HOW_PERSON) and got["Visio"] == ("qualified_meeting", HOW_PERSON)
    assert not [i for i in data.quality.issues if i.problem.code == "vocabulary.problem.unknown_activity_type"]
    # qualified meetings in March: Rendez-vous de découverte, RDV qualifié, and Visio by the person's choice
    table = KpiEngine(data, date(2026, 3, 31)).table(parse_period("2026-03"))
    assert table.at[("company", ""), "qualified_meetings_per_week"] == 3 / (31 / 7)


def _deals(stages: list[str], status: list[str] | None = None) -> RawGrid:
    header = ["N° affaire", "Client", "Commercial", "Étape", "Montant HT", "Date de création"]
    if status is not None:
        header.append("Statut")
    rows = [header]
    for k, s in enumerate(stages):
        row = [f"A-{k + 1:03d}", f"Client {k}", "Alice Moreau", s, 1000.0 * (k + 1), D(2026, 1, 5)]
        if status is not None:
            row.append(status[k])
        rows.append(row)
    return RawGrid("affaires.xlsx", "Affaires", rows)


def test_hubspot_stage_ids_give_a_status_and_the_funnel_order():
    # written out of funnel order, as an export sorted by amount would
    stages = ["contractsent", "closedwon", "appointmentscheduled", "decisionmakerboughtin", "closedlost",
              "qualifiedtobuy", "presentationscheduled", "closedwon"]
    data = ingest([_deals(stages)])
    assert_rows_accounted(data)
    got = {c.label: (c.value, c.order, c.count) for c in data.ingest.labels if c.column == "stage"}
    # prospect < qualification < discovery/presentation < decision/contract (tie: first seen) < won/lost
    assert got == {"appointmentscheduled": ("open", 1, 1), "qualifiedtobuy": ("open", 2, 1),
                   "presentationscheduled": ("open", 3, 1), "contractsent": ("open", 4, 1),
                   "decisionmakerboughtin": ("open", 5, 1), "closedwon": ("won", 6, 2), "closedlost": ("lost", 7, 1)}
    status = dict(zip(data.deals["deal_id"], data.deals["status"]))
    assert [status[f"A-{k:03d}"] for k in (1, 2, 5, 8)] == ["open", "won", "lost", "won"]


def test_french_stage_words_and_an_unknown_stage_counted_open_once():
    stages = ["Signé", "Devis envoyé", "Sans suite", "En attente client", "Commande", "Abandonnée",
              "En attente client", "Négociation", "Prospect", "Perdu"]
    data = ingest([_deals(stages)])
    got = {c.label: (c.value, c.order) for c in data.ingest.labels if c.column == "stage"}
    assert got == {"Prospect": ("open", 1), "Devis envoyé": ("open", 2), "Négociation": ("open", 3),
                   "En attente client": (None, 4),  # no word: after the known open stages
                   "Signé": ("won", 5), "Sans suite": ("lost", 6), "Commande": ("won", 7),
                   "Abandonnée": ("lost", 8), "Perdu": ("lost", 9)}
    assert dict(data.deals["status"].value_counts()) == {"open": 5, "won": 2, "lost": 3}
    unknown = [i for i in data.quality.issues if i.problem.code == "vocabulary.problem.unknown_stage"]
    assert len(unknown) == 1 and render(unknown[0].problem, "fr") == (
        "Étape « En attente client » sans statut reconnu (2 lignes), comptée comme en cours")


def test_the_stages_table_gives_the_order_and_a_person_the_status():
    stages_sheet = RawGrid("affaires.xlsx", "Étapes", [["Étape", "Ordre", "Gagnée", "Perdue"],
                                                       ["Premier contact", 1, False, False],
                                                       ["Chiffrage", 2, False, False],
                                                       ["Bon pour accord", 3, True, False],
                                                       ["Classé", 4, False, True]])
    deals = _deals(["Bon pour accord", "Premier contact", "Classé", "Chiffrage", "Mise en attente"])
    choices = PersonChoices(labels={("Deals", "stage", "Mise en attente"): "lost"})
    data = ingest([deals, stages_sheet], choices=choices)
    got = {c.label: (c.value, c.how, c.order) for c in data.ingest.labels if c.column == "stage"}
    assert got["Premier contact"] == ("open", HOW_SYNONYM, 1)
    assert got["Chiffrage"] == ("open", HOW_SYNONYM, 2)
    assert got["Bon pour accord"] == ("won", HOW_SYNONYM, 3)
    assert got["Classé"] == ("lost", HOW_SYNONYM, 4)
    # not in the table: a closed stage (by the person's choice) goes after the table's stages
    assert got["Mise en attente"] == ("lost", HOW_PERSON, 5)
    assert dict(zip(data.deals["deal_id"], data.deals["status"])) == {
        "A-001": "won", "A-002": "open", "A-003": "lost", "A-004": "open", "A-005": "lost"}


def test_a_status_column_read_per_label_an_unknown_one_left_to_the_stage():
    stages = ["Proposition", "Proposition", "Gagnée", "Proposition"]
    status = ["En cours", "Zzz", "Won", "Zzz"]
    data = ingest([_deals(stages, status)])
    got = {c.label: (c.value, c.count) for c in data.ingest.labels if c.column == "status"}
    assert got == {"En cours": ("open", 1), "Zzz": (None, 2), "Won": ("won", 1)}
    warned = [i for i in data.quality.issues if i.problem.code == "quality.problem.unknown_status"]
    assert len(warned) == 1 and warned[0].value == "Zzz"  # one warning for its two rows
    assert list(data.deals.sort_values("deal_id")["status"]) == ["open", "open", "won", "open"]
