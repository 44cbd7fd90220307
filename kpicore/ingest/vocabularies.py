"""The client's own labels read as the canonical vocabularies (pure): activity types, deal statuses,
stages (a status and a place in the funnel).

Every function works over the *distinct* labels of a column (``value_counts``), never row by row:
100,000 activities share a dozen labels.  A label is read, strongest first, from

1. a person's choice in « Correspondances » (``PersonChoices.labels``, ``HOW_PERSON``);
2. a known label: the canonical id, the French label, a CRM default (``HOW_SYNONYM``);
3. the words it holds (« Envoi de devis » holds « devis »: a proposal; ``HOW_EVIDENCE``).

A label that none of these reads stays unmapped (``LabelChoice.value`` None) and is listed with its
count: an activity is then kept as ``other`` (never dropped), a stage counted as open, a status
deduced from the stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from kpicore.ingest.mapping import STATUS_WORDS, choice_value
from kpicore.ingest.parsing import fold
from kpicore.model import schema
from kpicore.model.ingest_report import HOW_EVIDENCE, HOW_PERSON, HOW_SYNONYM, LabelChoice

# Word stems that say an activity's type, in the order they are tried: the more specific first
# (« Relance téléphonique » is a follow-up before it is a call, « RDV de découverte » a qualified
# meeting before a meeting, « Co-visite » a co-visit before a visit).  A stem matches the start of
# a folded word of the label; stems of several words match the label's folded text.
# Sources of the CRM defaults: Odoo's activity types (« Appeler », « Réunion », « E-mail »,
# « À faire », « Envoyer un devis »: odoo/odoo, addons/mail/data/mail_activity_type_data.xml and
# addons/sale/data/mail_activity_type_data.xml); Salesforce's Task/Event types (Call, Email,
# Meeting, Task); HubSpot's activity types (Call, Email, Meeting, Task, Note).
ACTIVITY_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("co_visit", ("co visit", "covisit", "visite accompagn", "accompagnement terrain", "tournee accompagn")),
    ("qualified_meeting", ("qualifi", "decouverte", "discovery")),
    ("proposal", ("devis", "proposition", "proposal", "offre", "quote", "cotation", "chiffrage")),
    ("follow_up", ("relance", "follow", "rappel", "suivi", "recontact")),
    ("meeting", ("rdv", "rendez", "visite", "reunion", "demo", "visio", "meeting", "rencontre", "salon",
                 "entrevue", "presentation", "teams", "zoom")),
    ("call", ("appel", "telephon", "call", "phone", "tel", "coup de fil")),
    ("other", ("mail", "email", "courriel", "tache", "task", "to do", "todo", "a faire", "note", "sms",
               "linkedin", "courrier", "lettre", "autre", "other", "divers")),
)

# Words of a stage that say its place in the funnel (prospect < qualification < découverte <
# proposition/devis < négociation < gagné/perdu), used when the Stages table does not list it.
FUNNEL_STEMS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (1, ("prospect", "lead", "piste", "nouveau", "new", "contact", "identifi", "appointment")),
    (2, ("qualif",)),
    (3, ("decouverte", "discovery", "besoin", "analyse", "needs", "demo", "presentation")),
    (4, ("proposition", "proposal", "devis", "offre", "quote", "cotation", "chiffrage")),
    (5, ("negoci", "negotiat", "closing", "decision", "engagement", "contract", "contrat", "validation")),
)
CLOSED_RANK = 6.0  # won and lost stages close the funnel
UNKNOWN_OPEN_RANK = 5.5  # an open stage no word places: after the known open stages, before the closed

# Stage words beyond STATUS_WORDS that close a deal (stems; « Commande reçue », « Abandonnée »).
_WON_STEMS = ("won", "gagne", "signe", "commande", "vendu", "accepte", "conclu", "closedwon", "win")
_LOST_STEMS = ("non sign", "non gagn", "non retenu", "pas retenu", "lost", "perdu", "abandon", "sans suite", "refus", "annul", "closedlost", "loss", "echec",
               "no go", "nogo")


@dataclass(frozen=True)
class LabelsRead:
    """The canonical value of every row, and one ``LabelChoice`` per distinct label."""

    values: pd.Series  # string dtype, same index as the input; <NA> where the cell was empty
    labels: tuple[LabelChoice, ...]

    @property
    def unmapped(self) -> tuple[LabelChoice, ...]:
        return tuple(c for c in self.labels if c.value is None)


def _stems_hit(folded: str, stems: Sequence[str]) -> bool:
    """Whether a folded label holds one of the stems: a stem of several words starts a run of the
    label's words; a short stem (3 letters or fewer: « rdv », « tel ») is a whole word; a longer one
    starts a word (« téléphon » in « téléphonique »)."""
    words = folded.split()
    padded = f" {folded} "
    for s in stems:
        if " " in s:
            if f" {s}" in padded:
                return True
        elif len(s) <= 3:
            if s in words:
                return True
        elif any(w.startswith(s) for w in words):
            return True
    return False


def activity_type_of(label: object) -> tuple[str | None, str]:
    """(canonical type, how) of one activity label; (None, "") when nothing reads it."""
    known = choice_value("Activities", "type", label)
    if known is not None:
        return known, HOW_SYNONYM
    f = fold(str(label))
    for value, stems in ACTIVITY_STEMS:
        if _stems_hit(f, stems):
            return value, HOW_EVIDENCE
    return None, ""


def status_word_of(label: object) -> tuple[str | None, str]:
    """(open / won / lost, how) of one status or stage label by its words; (None, "") when none."""
    known = choice_value("Deals", "status", label)
    if known is not None:
        return known, HOW_SYNONYM
    f = fold(str(label))
    compact = f.replace(" ", "")
    if compact in ("closedwon", "closedlost"):  # HubSpot's internal stage ids
        return ("won" if compact == "closedwon" else "lost"), HOW_SYNONYM
    if _stems_hit(f, _LOST_STEMS):  # « Non signé », « Gagné puis annulé »: a loss word wins
        return "lost", HOW_EVIDENCE
    if _stems_hit(f, _WON_STEMS):
        return "won", HOW_EVIDENCE
    if _stems_hit(f, STATUS_WORDS["open"]):
        return "open", HOW_EVIDENCE
    return None, ""


def _counts(raw: pd.Series) -> pd.Series:
    """Distinct non-empty labels with their row count, in the order of first appearance."""
    s = raw.dropna()
    counts = s.value_counts(sort=False)
    first = pd.Series(np.arange(len(s)), index=s.to_numpy()).groupby(level=0).min()
    return counts.loc[first.sort_values().index]


def _person(person: Mapping[tuple[str, str, str], str] | None, table: str, column: str) -> dict[str, str]:
    return {label: value for (t, c, label), value in (person or {}).items() if t == table and c == column and value}


def read_activity_types(raw: pd.Series, person: Mapping[tuple[str, str, str], str] | None = None) -> LabelsRead:
    """Activity types: every label mapped to a canonical type, an unmapped one kept as ``other``."""
    chosen = _person(person, "Activities", "type")
    labels = []
    value_of: dict[object, str] = {}
    for label, count in _counts(raw).items():
        if str(label) in chosen and chosen[str(label)] in schema.ACTIVITY_TYPES:
            value, how = chosen[str(label)], HOW_PERSON
        else:
            value, how = activity_type_of(label)
        labels.append(LabelChoice("Activities", "type", str(label), int(count), value, how))
        value_of[label] = value or "other"
    return LabelsRead(raw.map(value_of).astype("string"), tuple(labels))


def read_statuses(raw: pd.Series, person: Mapping[tuple[str, str, str], str] | None = None) -> LabelsRead:
    """A status column: open / won / lost; an unmapped label gives <NA> (the stage decides)."""
    chosen = _person(person, "Deals", "status")
    labels = []
    value_of: dict[object, object] = {}
    for label, count in _counts(raw).items():
        if chosen.get(str(label)) in ("open", "won", "lost"):
            value, how = chosen[str(label)], HOW_PERSON
        else:
            value, how = status_word_of(label)
        labels.append(LabelChoice("Deals", "status", str(label), int(count), value, how))
        value_of[label] = value if value is not None else pd.NA
    return LabelsRead(raw.map(value_of).astype("string"), tuple(labels))


def funnel_rank(label: object) -> float | None:
    """A stage's place in the usual funnel by its words (1 prospect ... 5 negotiation), or None."""
    f = fold(str(label))
    for rank, stems in FUNNEL_STEMS:
        if _stems_hit(f, stems):
            return float(rank)
    return None


def read_stages(raw: pd.Series, stages: pd.DataFrame | None = None,
                person: Mapping[tuple[str, str, str], str] | None = None) -> LabelsRead:
    """The status each stage implies (``values``) and each stage's place in the funnel (``order``).

    Status: a person's choice, else the Stages table's is_won / is_lost, else the stage's words; a stage
    none of them reads is unmapped and counted as open.  Order: the Stages table's when it lists the
    stage, else its funnel words, ties (and stages no word places) by order of first appearance.
    """
    chosen = _person(person, "Deals", "stage")
    table: dict[str, tuple[str, float]] = {}
    if stages is not None and len(stages):
        for name, won, lost, order in zip(stages["stage"], stages["is_won"], stages["is_lost"], stages["order"]):
            if pd.isna(name):
                continue
            status = "won" if not pd.isna(won) and bool(won) else "lost" if not pd.isna(lost) and bool(lost) else "open"
            table.setdefault(fold(str(name)), (status, float(order) if not pd.isna(order) else np.nan))
    rows = []
    for appearance, (label, count) in enumerate(_counts(raw).items()):
        f = fold(str(label))
        if chosen.get(str(label)) in ("open", "won", "lost"):
            value, how = chosen[str(label)], HOW_PERSON
        elif f in table:
            value, how = table[f][0], HOW_SYNONYM
        else:
            value, how = status_word_of(label)
        if value is None and funnel_rank(label) is not None:
            value, how = "open", HOW_EVIDENCE  # « Qualification », « Négociation »: a step of the funnel, open
        if f in table and not np.isnan(table[f][1]):
            rank = table[f][1]
        elif value in ("won", "lost"):
            rank = CLOSED_RANK
        else:
            rank = funnel_rank(label)
            rank = UNKNOWN_OPEN_RANK if rank is None else rank
        rows.append((rank, appearance, str(label), int(count), value, how, label))
    ordered = sorted(rows, key=lambda r: (r[0], r[1]))
    place = {r[2]: k + 1 for k, r in enumerate(ordered)}
    labels = tuple(LabelChoice("Deals", "stage", r[2], r[3], r[4], r[5], place[r[2]]) for r in rows)
    value_of = {r[6]: (r[4] or "open") for r in rows}
    return LabelsRead(raw.map(value_of).astype("string"), labels)


def merge_labels(labels: Sequence[LabelChoice]) -> tuple[LabelChoice, ...]:
    """One ``LabelChoice`` per (table, column, label) across the parts of a table, counts added."""
    out: dict[tuple[str, str, str], LabelChoice] = {}
    for c in labels:
        key = (c.table, c.column, c.label)
        if key in out:
            prev = out[key]
            out[key] = LabelChoice(prev.table, prev.column, prev.label, prev.count + c.count, prev.value, prev.how,
                                   prev.order)
        else:
            out[key] = c
    return tuple(out.values())
