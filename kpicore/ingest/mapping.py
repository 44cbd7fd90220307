"""Header recognition: which column of a client's file is which canonical column (pure).

Every canonical column has synonyms: its canonical name, its French label
(``Column.label_fr``), the headers French SMEs type, and the export headers of
Salesforce, HubSpot, Pipedrive and Odoo.  Headers are compared *folded*: case,
accents, punctuation and extra spaces are ignored (``"Probabilité (%)"`` and
``"probabilite"`` are the same header).  Synonyms are listed best first: when
two headers of one sheet mean the same column (Salesforce exports both
``Amount`` and ``Expected Revenue``), the better synonym wins and the other
is kept as an extra column.

Settings fix a mapping when the synonyms are not enough: a row of the
Settings table (sheet « Paramètres ») whose key is ``mapping.<Table>.<column>``
and whose value is the header as written in the file, e.g.::

    mapping.Deals.amount        = Montant signé (€)
    mapping.Affaires.owner      = Chargé d'affaires
    mapping.Deals.close_date    = Date

``<Table>`` is the canonical table name (``Deals``) or its French sheet name
(``Affaires``), ``<column>`` a canonical column name or one of the ingest's
helper columns (:data:`HELPER_COLUMNS`).  Keys are read case-insensitively.

A header in no synonym list is still recognised by evidence (:func:`recognise`, scores from
``kpicore.ingest.evidence``): its words and its column's values; every such choice is reported
with its evidence, its confidence and its runner-up (``ColumnChoice``).  Keep these lists to the
headers vendors document and to the plainest French ones: evidence, not listing, does the rest.

Some headers need the ingest's help rather than a canonical column
(:data:`HELPER_COLUMNS`): Salesforce and HubSpot export one ``Close Date``
that is the expected date while a deal is open and the actual date once it is
won or lost (``close_date``, split by status in ``kpicore.ingest.validate``); Pipedrive
has ``Won time`` and ``Lost time`` (``won_on``, ``lost_on``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

import pandas as pd

from kpicore.model import schema
from kpicore.model.cells import column_letter
from kpicore.model.ingest_report import (HOW_EVIDENCE, HOW_PERSON, HOW_SETTING, Candidate, ColumnChoice)
from kpicore.ingest import evidence as ev
from kpicore.ingest.parsing import fold
from kpicore.model.messages import Message

# Helper columns: read from the file, used to fill canonical columns, then dropped.
# ``deal_name`` (« Nom de l'opportunité », "Topic", "Opportunity Name") is what a derived deal id is
# made of when the file has no id column (kpicore.ingest.deal_ids).
HELPER_COLUMNS: dict[str, tuple[str, ...]] = {
    "Deals": ("close_date", "won_on", "lost_on", "deal_name", "team"),
    "Activities": ("team",),
}
HELPER_KINDS = {"close_date": "date", "won_on": "date", "lost_on": "date", "deal_name": "text", "team": "text"}
# Helper columns kept in the frame as an extra column under this name (the roster reads a deals' or
# activities' team column: kpicore.model.roster); the others are dropped once used.
KEPT_HELPERS: tuple[str, ...] = ("team",)

# --------------------------------------------------------------------- synonyms
#
# Sources of the vendor headers (each vendor's list below is taken from these):
# - Salesforce: Opportunity field labels, "Salesforce Field Reference Guide",
#   https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html
#   (Opportunity ID, Amount, Close Date, Created Date, Forecast Category, Next Step, Probability (%),
#   Stage, Last Activity, Expected Revenue) and OpportunityStage (IsWon/IsClosed); report
#   exports add "Opportunity Owner", "Account Name", "Opportunity Name".
# - HubSpot: "HubSpot's default deal properties",
#   https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties
#   (Deal Name, Deal Stage, Close Date, Create Date, Deal owner, Amount, Deal probability,
#   Forecast category, Closed lost reason, Last Activity Date; exports add "Record ID").
# - Pipedrive: the deal fields of its spreadsheet import/export, "Importing: sample import
#   spreadsheets", https://support.pipedrive.com/en/article/importing-sample-import-spreadsheets
#   ("Deal - Title", "Deal - Value", "Deal - Owner", "Deal - Stage", "Deal - Status",
#   "Deal - Expected close date", "Deal - Won time", "Deal - Lost time", "Deal - Closed on",
#   "Deal - Lost reason", "Deal - Probability", "Deal - Creation date" / "Deal - Deal created",
#   "Deal - Organization", "Deal - ID").
# - Odoo: field strings of crm.lead, repository odoo/odoo, addons/crm/models/crm_lead.py
#   (stage_id 'Stage', expected_revenue 'Expected Revenue', date_deadline 'Expected Closing',
#   date_closed 'Closed Date', partner_id 'Customer', probability 'Probability',
#   lost_reason_id 'Lost Reason', user_id 'Salesperson'; create_date 'Created on').
#   French UI export: « Vendeur », « Revenu espéré », « Clôture prévue », « Date de fermeture ».

_FRENCH_COMMON: dict[str, dict[str, list[str]]] = {
    "Deals": {
        "deal_id": ["N° affaire", "Numéro d'affaire", "N° d'affaire", "Réf affaire", "Référence affaire",
                    "Référence", "Réf", "Code affaire", "Identifiant", "ID affaire", "N° opportunité",
                    "N°", "ID", "Id"],
        "account": ["Client", "Raison sociale", "Compte", "Nom du client", "Société", "Entreprise",
                    "Compte client", "Prospect"],
        "owner": ["Commercial", "Commerciale", "Vendeur", "Chargé d'affaires", "Responsable",
                  "Propriétaire", "Commercial responsable", "Ingénieur commercial"],
        "stage": ["Étape", "Étape de vente", "Phase", "Stade", "Étape du pipe", "Statut commercial"],
        "status": ["Statut", "État", "Résultat", "Issue"],
        "amount": ["Montant HT", "Montant", "Montant (€)", "Montant HT (€)", "Montant de l'affaire",
                   "CA HT", "CA", "Valeur", "Montant estimé", "Chiffre d'affaires"],
        "created_on": ["Date de création", "Créée le", "Créé le", "Date création", "Création",
                       "Date d'ouverture", "Ouverte le"],
        "proposal_on": ["Date de proposition", "Date proposition", "Date de l'offre", "Date du devis",
                        "Proposition envoyée le", "Date d'envoi de la proposition", "Date devis"],
        "expected_close_on": ["Date de signature prévue", "Date de clôture prévue", "Clôture prévue",
                              "Signature prévue", "Date prévue", "Date de closing prévue",
                              "Date de fermeture prévue", "Échéance"],
        # (« Date de gain » / « Date de perte » are no closed_on: the won and lost times, by evidence)
        "closed_on": ["Date de clôture", "Date de signature", "Signée le", "Signé le",
                      "Date de clôture réelle", "Date de fermeture", "Clôturée le"],
        "probability": ["Probabilité", "Probabilité (%)", "Proba", "Proba (%)", "% de réussite",
                        "Chance de succès", "Probabilité de gain"],
        "forecast_category": ["Catégorie de prévision", "Catégorie", "Prévision"],
        "next_step": ["Prochaine étape", "Prochaine action", "Action suivante", "Next step"],
        "lost_reason": ["Motif de perte", "Raison de la perte", "Cause de perte", "Motif"],
        "last_activity_on": ["Dernière activité", "Date de dernière activité", "Dernier contact"],
    },
    "Activities": {
        "date": ["Date", "Date de l'activité", "Jour", "Date activité"],
        "rep": ["Commercial", "Commerciale", "Vendeur", "Collaborateur", "Réalisé par"],
        "type": ["Type", "Type d'activité", "Nature", "Type activité", "Activité"],
        "deal_id": ["N° affaire", "Affaire", "Réf affaire", "Référence affaire"],
        "account": ["Client", "Société", "Entreprise", "Compte", "Raison sociale"],
        "note": ["Note", "Commentaire", "Notes", "Compte rendu", "Compte-rendu", "Objet", "Sujet"],
    },
    "StageHistory": {
        "deal_id": ["N° affaire", "Affaire", "Réf affaire"],
        "stage": ["Étape", "Phase", "Nouvelle étape"],
        "entered_on": ["Entrée dans l'étape", "Date", "Date d'entrée", "Date de passage", "Date changement"],
    },
    "Reps": {
        "rep": ["Commercial", "Nom", "Vendeur", "Collaborateur"],
        "team": ["Équipe", "Agence", "Région", "Service"],
        "manager": ["Manager", "Responsable", "Chef des ventes"],
        "active": ["Actif", "Active", "En poste"],
        "start_on": ["Date d'arrivée", "Date d'entrée", "Arrivée", "Date d'embauche"],
    },
    "Targets": {
        "period": ["Mois", "Période"],
        "scope_type": ["Niveau", "Type de périmètre", "Périmètre"],
        "scope_name": ["Nom", "Commercial / équipe", "Qui"],
        "metric": ["Indicateur", "KPI", "Mesure"],
        "value": ["Objectif", "Valeur", "Cible", "Montant"],
    },
    "CoVisits": {
        "date": ["Date", "Date de la visite"],
        "rep": ["Commercial", "Vendeur"],
        "manager": ["Manager", "Accompagnant"],
        "account": ["Client", "Société"],
        "discovery_quality": ["Qualité de la découverte", "Découverte", "Note découverte"],
        "proposal_relevance": ["Pertinence de la proposition", "Pertinence", "Note proposition"],
        "customer_satisfaction": ["Satisfaction client", "Satisfaction", "Note satisfaction"],
        "comment": ["Commentaire", "Commentaires", "Remarques"],
    },
    "Actions": {
        "date": ["Date", "Date de décision"],
        "ritual": ["Rituel", "Réunion"],
        "decision": ["Décision", "Action"],
        "owner": ["Responsable", "Porteur", "Qui"],
        "due_on": ["Échéance", "Pour le", "Date limite"],
        "status": ["Statut", "État"],
    },
    "Stages": {
        "stage": ["Étape", "Phase"],
        "order": ["Ordre", "N°", "Rang"],
        "is_won": ["Gagnée", "Gagné", "Étape gagnée"],
        "is_lost": ["Perdue", "Perdu", "Étape perdue"],
        "probability": ["Probabilité par défaut", "Probabilité", "Proba"],
    },
    "Settings": {
        "key": ["Paramètre", "Clé", "Réglage"],
        "value": ["Valeur"],
    },
}

_VENDORS: dict[str, dict[str, list[str]]] = {
    "Deals": {
        # Salesforce | HubSpot | Pipedrive | Odoo (sources above), then generic English
        "deal_id": ["Opportunity ID", "Record ID", "Deal ID", "Deal - ID", "External ID",
                    "Opportunity Number", "Deal Id"],
        "account": ["Account Name", "Associated Company", "Associated Company (Primary)", "Company name",
                    "Deal - Organization", "Organization", "Organisation", "Deal - Organization name",
                    "Customer", "Account", "Company"],
        "owner": ["Opportunity Owner", "Deal owner", "Deal - Owner", "Salesperson", "Owner",
                  "Owner Name", "Sales Rep", "Assigned to"],
        "stage": ["Stage", "Deal Stage", "Deal - Stage", "Deal - Stage (pipeline)", "Stage Name", "Sales Stage", "Pipeline stage"],
        "status": ["Deal - Status", "Status", "Opportunity Result", "Won/Lost", "Result"],
        "amount": ["Amount", "Deal - Value", "Value", "Deal value", "Deal amount",
                   "Opportunity Amount", "Opportunity Amount USD", "Expected Revenue",
                   "Revenu espéré", "Revenu attendu", "Revenus espérés"],
        "created_on": ["Created Date", "Create Date", "Deal - Deal created", "Deal - Creation date",
                       "Deal - Add time", "Created on", "Creation Date", "Date created", "Créé le"],
        "proposal_on": ["Proposal Date", "Quote Date", "Proposal sent"],
        "expected_close_on": ["Expected Close Date", "Deal - Expected close date", "Expected Closing",
                              "Expected close", "Clôture prévue"],
        "closed_on": ["Closed Date", "Deal - Closed on", "Date closed", "Closed on", "Actual close date",
                      "won_date", "Close date (actual)"],
        "probability": ["Probability (%)", "Deal probability", "Deal - Probability", "Probability"],
        "forecast_category": ["Forecast Category", "Forecast category", "Deal - Forecast category"],
        "next_step": ["Next Step", "Deal - Next activity subject"],
        "lost_reason": ["Closed lost reason", "Deal - Lost reason", "Lost Reason", "Loss Reason",
                        "Motif de perte"],
        "last_activity_on": ["Last Activity", "Last Activity Date", "Deal - Last activity date",
                             "Last contacted", "Deal - Update time"],
        "close_date": ["Close Date", "Closing Date", "Date de clôture (CRM)"],
        "won_on": ["Deal - Won time", "Won time", "Closed Won Date"],
        "lost_on": ["Deal - Lost time", "Lost time", "Closed Lost Date"],
        # the deal's name, from which an id is derived when the file has none (kpicore.ingest.deal_ids):
        # Salesforce "Opportunity Name", HubSpot "Deal Name", Pipedrive "Deal - Title", Sellsy's « Nom de
        # l'opportunité »; the others (Zoho « Nom de la transaction », Dynamics 365 "Topic", « Intitulé »,
        # « Titre », « Désignation ») by evidence (their words, labels for values: evidence.CUES).  A bare
        # « Nom » / "Name" is also a rep's or a target's header, a bare « Affaire » as often the deal's number.
        "deal_name": ["Nom de l'opportunité", "Opportunity Name", "Deal Name", "Deal - Title"],
        # the sales team of the deal's owner (« Région » / "Region" is left out: in a CRM export it is most
        # often the customer's region, and a wrong team would split the cockpit)
        "team": ["Équipe", "Agence", "Team", "Business unit", "Équipe commerciale", "Sales Team"],
    },
    "Activities": {
        "team": ["Équipe", "Agence", "Team", "Business unit", "Équipe commerciale", "Sales Team"],
        "date": ["Activity Date", "Activity - Due date", "Due date", "Due Date", "Activity date",
                 "Date", "Activity - Marked as done time"],
        "rep": ["Assigned To", "Activity - Assigned to user", "Activity owner", "Owner", "Rep",
                "Salesperson", "Assigned to"],
        "type": ["Activity Type", "Activity - Type", "Task Type", "Type"],
        "deal_id": ["Deal ID", "Opportunity ID", "Deal", "Activity - Deal ID"],
        "account": ["Account Name", "Company", "Organization", "Activity - Organization", "Customer"],
        "note": ["Subject", "Activity - Subject", "Activity - Note", "Comments", "Description", "Note"],
    },
    "StageHistory": {
        "deal_id": ["Opportunity ID", "Deal ID", "Record ID"],
        "stage": ["Stage", "To Stage", "Stage Name", "Deal Stage"],
        "entered_on": ["Stage Change Date", "Last Modified", "Date entered", "Entered on", "Date"],
    },
    "Reps": {
        "rep": ["Rep", "Full Name", "User", "Name", "Salesperson"],
        "team": ["Team", "Sales Team", "Role"],
        "manager": ["Manager"],
        "active": ["Active", "Is Active"],
        "start_on": ["Start Date", "Hire Date"],
    },
    "Targets": {
        "period": ["Period", "Month"],
        "scope_type": ["Scope", "Scope type", "Level"],
        "scope_name": ["Name", "Scope name"],
        "metric": ["Metric", "KPI"],
        "value": ["Target", "Value", "Quota"],
    },
}


def _synonyms() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for name, table in schema.TABLES.items():
        cols = {c.name: [c.name, c.label_fr] for c in table.columns}
        for helper in HELPER_COLUMNS.get(name, ()):
            cols[helper] = [helper]
        for source in (_FRENCH_COMMON, _VENDORS):
            for col, words in source.get(name, {}).items():
                cols[col].extend(words)
        out[name] = cols
    return out


SYNONYMS: dict[str, dict[str, list[str]]] = _synonyms()

# Words a header may carry around its meaning: "Montant (€)", "Deal - Stage", "Opportunity Owner".
_UNIT_WORDS = {"eur", "euro", "euros", "en", "e"}
_PREFIX_WORDS = ("deal ", "opportunity ", "opportunite ", "affaire ", "activity ", "activite ")


def _index() -> dict[str, dict[str, tuple[str, int]]]:
    """table -> folded synonym -> (column, rank); lower rank is a better synonym."""
    idx: dict[str, dict[str, tuple[str, int]]] = {}
    for table, cols in SYNONYMS.items():
        t: dict[str, tuple[str, int]] = {}
        for col, words in cols.items():
            for rank, w in enumerate(words):
                key = fold(w)
                if not key or (key in t and t[key][0] != col):
                    continue  # a folded header belongs to the first column that claims it
                if key not in t or rank < t[key][1]:
                    t[key] = (col, rank)
        idx[table] = t
    return idx


_INDEX = _index()


def lookup(table: str, header: object) -> tuple[str, int] | None:
    """(column, rank) of a header in ``table``, or None when it is not recognised."""
    if header is None:
        return None
    key = fold(str(header))
    if not key:
        return None
    idx = _INDEX[table]
    if key in idx:
        return idx[key]
    words = key.split()
    trimmed = " ".join(w for w in words if w not in _UNIT_WORDS)
    if trimmed and trimmed in idx:
        return idx[trimmed][0], idx[trimmed][1] + 50
    for p in _PREFIX_WORDS:  # "Deal - Stage" when only "Stage" is known
        if key.startswith(p) and key[len(p):] in idx:
            col, rank = idx[key[len(p):]]
            return col, rank + 100
    return None


# ------------------------------------------------------------------ the mapping


@dataclass(frozen=True)
class ColumnMapping:
    """One column of the client's file and what it became."""

    position: int  # 0-based position in the grid's rows
    letter: str  # Excel column letter, for messages
    header: str  # as written in the file ("" if the header cell was empty)
    column: str | None  # canonical or helper column; None = kept as an extra column
    how: str = ""  # ingest_report.HOW_* ("synonyme", "paramètre", "correspondances", "indices"), "" for extras
    confidence: float = 1.0  # 1 for a known header or a person's / a setting's choice
    evidence: tuple = ()  # recognition.evidence.* messages, for a column recognised by evidence


@dataclass(frozen=True)
class HeaderMatch:
    table: str
    columns: tuple[ColumnMapping, ...]
    choices: tuple[ColumnChoice, ...] = ()  # one per canonical column of the table, found or not (recognise)
    vanished: tuple[tuple[str, str], ...] = ()  # (column, header) chosen by a person or a setting, not in the row
    ttc_only: str = ""  # the amount's header when the only amount of the row is TTC

    @property
    def mapped(self) -> dict[str, ColumnMapping]:
        return {c.column: c for c in self.columns if c.column}

    def score(self) -> float:
        """Required columns count 2, others 1 (helpers count as the dates they fill), each times its
        confidence (1 for a known header)."""
        table = schema.TABLES[self.table]
        req = set(table.required)
        return round(sum((2 if c in req else 1) * m.confidence for c, m in self.mapped.items()), 6)

    def required_found(self) -> int:
        return len(set(schema.TABLES[self.table].required) & set(self.mapped))

    def known(self) -> "HeaderMatch":
        """The match without the columns found by evidence (what the known and chosen headers alone say)."""
        return replace(self, columns=tuple(replace(c, column=None, how="") if c.how == HOW_EVIDENCE else c
                                           for c in self.columns))

    def sure(self, at_least: float) -> "HeaderMatch":
        """The match without the columns found by evidence below ``at_least`` confidence."""
        return replace(self, columns=tuple(replace(c, column=None, how="")
                                           if c.how == HOW_EVIDENCE and c.confidence < at_least else c
                                           for c in self.columns))


def match_headers(table: str, headers: Sequence[object], first_col: int = 1,
                  overrides: Mapping[str, str] | None = None) -> HeaderMatch:
    """Map a header row onto ``table``.

    ``overrides`` (canonical column -> header text, from Settings) win over
    synonyms.  Each canonical column takes the header with the best synonym;
    the other headers are kept as extras.
    """
    overrides = {col: fold(h) for col, h in (overrides or {}).items()}
    present = {fold(str(h)) for h in headers if h is not None}
    # a chosen header no longer in the row does not hide the synonyms of its column (the guess is used)
    overrides = {col: h for col, h in overrides.items() if h in present}
    by_override = {h: col for col, h in overrides.items()}
    best: dict[str, tuple[int, int]] = {}  # column -> (rank, position)
    cand: dict[int, tuple[str, int, str]] = {}
    for pos, h in enumerate(headers):
        if h is None or not str(h).strip():
            continue
        f = fold(str(h))
        if f in by_override:
            cand[pos] = (by_override[f], -1, "paramètre")
        else:
            hit = lookup(table, h)
            if hit and hit[0] not in overrides:
                cand[pos] = (hit[0], hit[1], "synonyme")
    for pos, (col, rank, _) in cand.items():
        if col not in best or rank < best[col][0]:
            best[col] = (rank, pos)
    winners = {pos: col for col, (rank, pos) in best.items()}
    cols = []
    for pos, h in enumerate(headers):
        header = "" if h is None else str(h).strip()
        col = winners.get(pos)
        cols.append(ColumnMapping(pos, column_letter(first_col + pos), header, col,
                                  cand[pos][2] if col else ""))
    return HeaderMatch(table, tuple(cols))


# A helper column found stands for these canonical ones (the ingest fills them from it): evidence does not
# look for them elsewhere.
_FILLED_BY_HELPER = {"close_date": ("closed_on", "expected_close_on"), "won_on": ("closed_on",),
                     "lost_on": ("closed_on",)}
_TTC_WORDS = frozenset({"ttc"})
_HT_WORDS = frozenset({"ht", "hors"})


def _tax_words(header: str) -> set[str]:
    return set(ev.header_words(header))


def recognise(table: str, headers: Sequence[object], first_col: int = 1,
              overrides: Mapping[str, str] | None = None, profiles: Sequence[ev.Profile | None] | None = None,
              person: frozenset[str] = frozenset(), refused: frozenset[str] = frozenset()) -> HeaderMatch:
    """Map a header row onto ``table``: a person's or a setting's header first (``overrides``; those of
    ``person`` were chosen in « Correspondances »), then the known headers (synonyms), then evidence from the
    header's words and the column's values (``profiles``, one per position, None when unknown).

    ``refused``: columns a person said the file does not have.  Every canonical column gets a
    ``ColumnChoice`` (found or not) with its runner-up; helper columns get one when found.
    """
    base = match_headers(table, headers, first_col, overrides)
    texts = ["" if h is None else str(h).strip() for h in headers]
    present = {fold(t) for t in texts if t}
    vanished = tuple((col, h) for col, h in (overrides or {}).items() if fold(h) not in present)
    cols = {c.position: c for c in base.columns}
    for pos, c in cols.items():
        if c.column in refused:
            cols[pos] = replace(c, column=None, how="")
        elif c.how == HOW_SETTING and c.column in person:
            cols[pos] = replace(c, how=HOW_PERSON)
    found = {c.column: c for c in cols.values() if c.column}
    # a known header of any column (even one that lost to a better synonym) is not a guess for another
    known = {pos for pos, t in enumerate(texts) if t and (lookup(table, t) or fold(t) in
                                                          {fold(h) for h in (overrides or {}).values()})}
    done = set(found) | set(refused)
    for helper, filled in _FILLED_BY_HELPER.items():
        if helper in found:
            done.update(filled)
    wanted = [col for (t, col) in ev.CUES if t == table]
    taken = frozenset(known | {c.position for c in found.values()})
    scores = ev.score_columns(table, texts, profiles, wanted, skip=taken) if wanted else []
    chosen, runner = ev.choose(scores, {pos: "" for pos in taken}, frozenset(done))
    for col, s in chosen.items():
        c = cols[s.position]
        cols[s.position] = replace(c, column=col, how=HOW_EVIDENCE, confidence=s.confidence, evidence=s.evidence)
    cols, ttc_only = _ht_before_ttc(table, cols, texts)
    cols = _lone_close_date(table, cols, profiles)
    mapped = {c.column: c for c in cols.values() if c.column}
    choices = []
    table_cols = [c.name for c in schema.TABLES[table].columns]
    for col in table_cols + [h for h in HELPER_COLUMNS.get(table, ()) if h in mapped]:
        m = mapped.get(col)
        cand = Candidate(m.header, m.letter, m.confidence, tuple(m.evidence)) if m else None
        r = runner.get(col)
        r_cand = (Candidate(texts[r.position], column_letter(first_col + r.position), r.confidence, r.evidence)
                  if r is not None and (m is None or r.position != m.position) else None)
        gone = next((h for c2, h in vanished if c2 == col), "")
        choices.append(ColumnChoice(table, col, cand, m.how if m else "", r_cand, gone))
    return HeaderMatch(table, tuple(cols[p] for p in sorted(cols)), tuple(choices), vanished, ttc_only)


# A close date filled on at least this share of the rows is dated for the open deals too.
_FILLED_FOR_ALL = 0.9
# Words by which a date's header says it is a forecast (the closed date's cues that push it away, evidence.CUES).
_FORECAST_WORDS = next(words for words, weight in ev.CUES[("Deals", "closed_on")] if weight < 0)


def _says_forecast(header: str) -> bool:
    """« Date de clôture prévue », "Expected close", « Clôture prév. »: the header calls the date a forecast."""
    return any(w.startswith(c) or (len(w) >= 3 and c.startswith(w))
               for w in ev.header_words(header) for c in _FORECAST_WORDS)


def _lone_close_date(table: str, cols: dict[int, ColumnMapping], profiles: Sequence[ev.Profile | None] | None
                     ) -> dict[int, ColumnMapping]:
    """A close date alone (no expected date beside it, no won or lost time) and filled on every row is the
    CRMs' one « Date de clôture »: the expected date while a deal is open, the actual one once won or lost
    (``close_date``, split by status).  Filled only on some rows, it is the date the closed deals were closed.
    So is a lone due date whose header does not say it is a forecast (Zoho's and Sellsy's « Date d'échéance »,
    set to the actual date when the deal is won or lost); « Date de clôture prévue » stays the expected date.
    A person's or a setting's choice stays as it is."""
    if table != "Deals" or profiles is None:
        return cols
    by_col = {c.column: c for c in cols.values() if c.column}
    closed = by_col.get("closed_on")
    expected = by_col.get("expected_close_on")
    if closed is None and expected is not None and not _says_forecast(expected.header):
        closed = expected
    elif expected is not None:
        return cols
    if (closed is None or closed.how in (HOW_PERSON, HOW_SETTING)
            or any(c in by_col for c in ("close_date", "won_on", "lost_on"))):
        return cols
    # filled on as many rows as the stage or the creation date (not the first column: a report's total and
    # footer rows write there, and they are no rows of the table)
    def n(pos: int) -> int:
        p = profiles[pos] if pos < len(profiles) else None
        return p.n if p is not None else 0
    rows = max((n(by_col[c].position) for c in ("stage", "created_on") if c in by_col),
               default=max(n(c.position) for c in by_col.values()))
    if not rows or n(closed.position) < _FILLED_FOR_ALL * rows:
        return cols
    return {**cols, closed.position: replace(closed, column="close_date")}


def _ht_before_ttc(table: str, cols: dict[int, ColumnMapping], texts: Sequence[str]
                   ) -> tuple[dict[int, ColumnMapping], str]:
    """Where both an HT and a TTC amount exist, HT is the amount (the other kept as an extra); only TTC: it is
    used, and said (``ttc_only``).  A person's or a setting's choice is left as it is."""
    if table != "Deals":
        return cols, ""
    amount = next((c for c in cols.values() if c.column == "amount"), None)
    if amount is None or amount.how in (HOW_PERSON, HOW_SETTING):
        return cols, ""

    def is_amount(pos: int) -> bool:
        hit = lookup(table, texts[pos])
        return bool(hit and hit[0] == "amount") or ev.header_score(table, "amount", texts[pos])[0] > 0

    ht = [p for p, t in enumerate(texts) if t and _tax_words(t) & _HT_WORDS and not _tax_words(t) & _TTC_WORDS
          and is_amount(p) and (cols[p].column in (None, "amount"))]
    if _tax_words(amount.header) & _TTC_WORDS:
        if not ht:
            return cols, amount.header
        new = cols[ht[0]]
        cols = dict(cols)
        cols[amount.position] = replace(amount, column=None, how="", confidence=1.0, evidence=())
        cols[ht[0]] = replace(new, column="amount", how=new.how or HOW_EVIDENCE,
                              confidence=new.confidence if new.how else amount.confidence,
                              evidence=new.evidence or (Message.of("recognition.evidence.ht_first"),))
    return cols, ""


def overrides_from_settings(settings: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``{table: {column: header}}`` from the ``mapping.<Table>.<column>`` rows of Settings."""
    out: dict[str, dict[str, str]] = {}
    if settings is None or settings.empty:
        return out
    names = {fold(t.name): t.name for t in schema.TABLES.values()}
    names.update({fold(t.sheet_fr): t.name for t in schema.TABLES.values()})
    for key, value in zip(settings["key"], settings["value"]):
        if pd.isna(key) or pd.isna(value):
            continue
        m = re.fullmatch(r"\s*mapping\.([^.]+)\.([A-Za-z_]+)\s*", str(key), flags=re.IGNORECASE)
        if not m:
            continue
        table = names.get(fold(m.group(1)))
        if table is None:
            continue
        col = m.group(2).lower()
        valid = set(schema.TABLES[table].column_names) | set(HELPER_COLUMNS.get(table, ()))
        if col in valid:
            out.setdefault(table, {})[col] = str(value)
    return out


# ------------------------------------------------------------- tables by name

_TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "Deals": ("affaires", "deals", "opportunites", "opportunities", "pipeline", "pipe", "affaire",
              "opportunite", "crm lead", "opportunity"),
    "Activities": ("activites", "activities", "activite", "activity", "suivi activite"),
    "StageHistory": ("historique etapes", "stage history", "stagehistory", "historique des etapes",
                     "opportunity history"),
    "Reps": ("commerciaux", "reps", "vendeurs", "equipe commerciale", "equipes", "sales reps"),
    "Targets": ("objectifs", "targets", "quotas", "objectif"),
    "CoVisits": ("co visites", "covisits", "co visits", "covisites"),
    "Actions": ("actions", "decisions", "plan d actions"),
    "Stages": ("etapes", "stages", "etapes de vente"),
    "Settings": ("parametres", "settings", "reglages"),
    "PipelineSnapshots": ("instantanes pipeline", "pipelinesnapshots", "pipeline snapshots"),
}
_NAME_TO_TABLE = {alias: t for t, aliases in _TABLE_NAMES.items() for alias in aliases}


def table_for_name(name: str | None) -> str | None:
    """The canonical table an Excel Table name or a sheet name stands for, if any."""
    if not name:
        return None
    f = fold(name)
    if f in _NAME_TO_TABLE:
        return _NAME_TO_TABLE[f]
    for t in schema.TABLES.values():
        if f in (fold(t.name), fold(t.sheet_fr)):
            return t.name
    return None


# ------------------------------------------------------------------- statuses

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "won": ("won", "gagne", "gagnee", "gagne e", "closed won", "closedwon", "signe", "signee", "win",
            "commande", "vendu"),
    "lost": ("lost", "perdu", "perdue", "perdu e", "closed lost", "closedlost", "loss", "abandonne",
             "abandonnee", "sans suite"),
    "open": ("open", "en cours", "ouvert", "ouverte", "in progress", "actif", "active", "ouvert e"),
}
_STATUS_OF_WORD = {w: s for s, words in STATUS_WORDS.items() for w in words}
_WON_RE = re.compile(r"\b(won|gagnee?|signee?)\b")
_LOST_RE = re.compile(r"\b(lost|perdue?|loss)\b")


def status_from_word(value: object) -> str | None:
    """open / won / lost from a status cell ("Gagnée", "Closed Won", "Lost"), or None."""
    if value is None or pd.isna(value):
        return None
    return _STATUS_OF_WORD.get(fold(str(value)))


def status_from_stage(stage: object, stages: pd.DataFrame | None = None) -> str:
    """The status a stage implies: the Stages table's is_won/is_lost when the stage is
    there, else the words of the stage ("Closed Won", "Gagné(e)", "Perdu"); else open."""
    if stage is None or pd.isna(stage):
        return "open"
    f = fold(str(stage))
    if stages is not None and len(stages):
        for name, won, lost in zip(stages["stage"], stages["is_won"], stages["is_lost"]):
            if not pd.isna(name) and fold(str(name)) == f:
                if not pd.isna(won) and bool(won):  # numpy/pandas booleans are not `True`
                    return "won"
                if not pd.isna(lost) and bool(lost):
                    return "lost"
                return "open"
    word = _STATUS_OF_WORD.get(f)
    if word:
        return word
    if _WON_RE.search(f):
        return "won"
    if _LOST_RE.search(f):
        return "lost"
    return "open"


# ----------------------------------------------------------- choice values

CHOICE_WORDS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("Activities", "type"): {
        "call": ("appel", "call", "appel telephonique", "telephone", "phone call", "tel", "appels"),
        "meeting": ("rdv", "meeting", "rendez vous", "reunion", "visite", "rencontre"),
        "qualified_meeting": ("rdv qualifie", "qualified meeting", "qualified_meeting",
                              "rendez vous qualifie", "rdv qualifies", "decouverte"),
        "proposal": ("proposition", "proposal", "devis", "offre", "proposition envoyee", "quote"),
        "follow_up": ("relance", "follow up", "follow_up", "suivi", "rappel"),
        "co_visit": ("co visite", "co_visit", "covisite", "co visit", "visite accompagnee"),
        "other": ("autre", "other", "email", "e mail", "mail", "tache", "task", "note"),
    },
    ("Actions", "ritual"): {
        "weekly": ("weekly", "hebdo", "hebdomadaire", "revue hebdo", "semaine"),
        "monthly": ("monthly", "mensuel", "mensuelle", "revue mensuelle", "mois"),
        "quarterly": ("quarterly", "trimestriel", "trimestrielle", "trimestre"),
    },
    ("Actions", "status"): {
        "open": ("open", "en cours", "ouvert", "a faire", "ouverte"),
        "done": ("done", "fait", "faite", "termine", "terminee", "realise", "realisee", "clos"),
        "dropped": ("dropped", "abandonne", "abandonnee", "annule", "annulee"),
    },
    ("Targets", "scope_type"): {
        "rep": ("rep", "commercial", "commerciale", "vendeur"),
        "team": ("team", "equipe"),
        "company": ("company", "entreprise", "societe", "total"),
    },
}
for _t in ("Deals", "PipelineSnapshots"):
    CHOICE_WORDS[(_t, "status")] = {s: w for s, w in STATUS_WORDS.items()}
CHOICE_WORDS[("Activities", "type")] = {
    k: v + (fold(schema.ACTIVITY_TYPE_LABELS_FR[k]),) for k, v in CHOICE_WORDS[("Activities", "type")].items()
}


def choice_value(table: str, column: str, value: object) -> str | None:
    """The choice id (lower-case, as in ``Column.choices``) a cell stands for, or None."""
    if value is None or pd.isna(value):
        return None
    f = fold(str(value))
    col = schema.TABLES[table].column(column)
    if f in col.choices:
        return f
    if f.replace(" ", "_") in col.choices:
        return f.replace(" ", "_")
    for choice, words in CHOICE_WORDS.get((table, column), {}).items():
        if f in words:
            return choice
    return None


def headers_seen(rows: Iterable[Sequence[object]], limit: int = 3) -> list[str]:
    """The first non-empty rows of a grid, as text, for "here is what we saw" messages."""
    out = []
    for r in rows:
        cells = [str(c).strip() for c in r if c is not None and str(c).strip()]
        if cells:
            out.append(" | ".join(cells[:15]))
        if len(out) >= limit:
            break
    return out
