"""Recognition by evidence: how likely a column of a client's grid is each canonical column (pure).

A header that is not a known synonym (``kpicore.ingest.mapping.SYNONYMS``) still says a lot:
"Date d'émission du devis" speaks of a date and of a quote, so it is a proposal date;
"Typologie" or "Nature de l'action" is the activity's type; "Chargé de clientèle" the deal's
owner.  And the values say the rest: a column where 94 % of the cells are dates is a date, a
column of seven names repeated over 300 rows is a person.  This module scores every
(canonical column, grid column) pair from both:

- the **header**: its folded words (``parsing.fold``), each compared with a few *cue* words per
  canonical column (:data:`CUES`), whole or as a prefix either way, so that abbreviated words
  ("Proba", "Prév.") and reordered ones count.  The cue lists are words, not headers: a header
  is recognised by the words it is made of, whatever their order and whatever else it says;
- the **values** (:func:`profile`): over the whole column as a pandas Series (a sample of at most
  :data:`SAMPLE` non-empty cells), the share read as dates, as amounts, as 0..1 or 0..100
  percentages, the share matching the stage / status vocabulary or the activity vocabulary, a
  small set of repeated person names, mostly distinct ids, long free text.

:func:`confidence` combines them (0..1); :func:`choose` picks, greedily on the best pair
overall, at most one grid column per canonical column and one canonical column per grid column,
and keeps the runner-up of each.  Every score carries its evidence as ``recognition.evidence.*``
messages for the reader (``pilotage check``, the quality sheet, « Correspondances »).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.model.messages import Message
from kpicore.ingest.parsing import fold, parse_dates, parse_numbers

# At most this many non-empty cells of a column are looked at: enough to know what a column
# holds, and a 200,000-row sheet costs no more than a 2,000-row one.
SAMPLE = 2_000
# Below this confidence a pair is not taken at all (the column stays an extra).
MIN_CONFIDENCE = 0.3
# A header that shares a word with a column's cues and values that agree: weights of each part.
HEADER_WEIGHT = 0.55
VALUE_WEIGHT = 0.45

# Words of no meaning in a header.
_STOP = frozenset({"de", "du", "des", "la", "les", "l", "d", "the", "of", "a", "en", "et", "and", "par", "pour",
                   "au", "aux", "sur", "in", "to", "by", "s"})

# ----------------------------------------------------------------------------- header cues
#
# Per canonical column: groups of cue words, each with a weight; a header scores the sum of the
# weights of the groups one of its words hits (capped at 1).  A *topic* group (what the column is
# about: a quote, a signature, a type) weighs most; a *class* group (a date, an amount, a name)
# adds to it.  A negative weight pushes a column away ("prévue" is not an actual close date).
# Words are folded (no accents, lower case); a cue of 4 letters or more also matches a word it
# begins ("prev" → "previsionnelle"), and a header word of 3 to 5 letters (an abbreviation) matches a
# cue it begins ("proba" → "probabilite").

_DATE = (frozenset({"date", "jour", "le", "on", "day", "time", "quand", "when"}), 0.3)
_AMOUNT = (frozenset({"montant", "total", "valeur", "ca", "chiffre", "prix", "amount", "value", "revenue",
                      "revenu", "budget", "somme"}), 0.7)
_AMOUNT_MORE = (frozenset({"ht", "ttc", "potentiel", "estime", "estimated", "eur", "euro", "euros", "net",
                           "brut", "hors", "taxe", "taxes", "tax"}), 0.2)
_PERSON = (frozenset({"commercial", "commerciale", "vendeur", "vendeuse", "rep", "sales", "salesperson",
                      "charge", "chargee", "collaborateur", "collaboratrice", "responsable", "owner",
                      "proprietaire", "affecte", "affectee", "assigned", "attribue", "conseiller",
                      "conseillere", "ingenieur", "agent", "manager", "gestionnaire", "suivi",
                      "realise", "user", "utilisateur"}), 0.7)
_NAME = (frozenset({"nom", "name", "qui", "who"}), 0.1)
_COMPANY = (frozenset({"client", "clients", "societe", "entreprise", "compte", "raison", "account", "company",
                       "organisation", "organization", "customer", "prospect", "enseigne", "structure"}), 0.7)
_ID = (frozenset({"id", "identifiant", "ref", "reference", "numero", "num", "n", "no", "code", "number", "key",
                  "cle"}), 0.7)
_DEAL = (frozenset({"affaire", "affaires", "opportunite", "opportunity", "deal", "dossier", "projet",
                    "transaction"}), 0.3)

CUES: dict[tuple[str, str], tuple[tuple[frozenset[str], float], ...]] = {
    ("Deals", "deal_id"): (_ID, _DEAL),
    # "Chargé de clientèle", "Responsable compte" are people, not the account
    ("Deals", "account"): (_COMPANY, _NAME, (_PERSON[0], -0.5)),
    ("Deals", "owner"): (_PERSON, _NAME),
    ("Deals", "stage"): ((frozenset({"etape", "phase", "stade", "stage", "avancement", "jalon", "pipeline",
                                     "pipe", "cycle", "step"}), 0.8),),
    ("Deals", "status"): ((frozenset({"statut", "etat", "status", "resultat", "issue", "result", "outcome",
                                      "won", "lost", "gagne", "perdu"}), 0.8),),
    ("Deals", "amount"): (_AMOUNT, _AMOUNT_MORE),
    ("Deals", "created_on"): ((frozenset({"creation", "cree", "creee", "created", "create", "ouverture",
                                          "ouvert", "ouverte", "added", "add", "saisie", "entree", "demande"}), 0.6),
                           _DATE),
    ("Deals", "proposal_on"): ((frozenset({"devis", "offre", "proposition", "propal", "quote", "proposal",
                                           "cotation"}), 0.6), _DATE),
    ("Deals", "expected_close_on"): ((frozenset({"prevu", "prevue", "prev", "prevision", "previsionnel",
                                                 "previsionnelle", "expected", "estimated", "estime", "estimee",
                                                 "cible", "target", "objectif", "attendu", "attendue",
                                                 "echeance", "forecast"}), 0.5),
                                     (frozenset({"signature", "cloture", "closing", "close", "fermeture",
                                                 "conclusion", "decision", "fin"}), 0.2), _DATE),
    ("Deals", "closed_on"): ((frozenset({"signature", "signe", "signee", "cloture", "cloturee", "closed",
                                         "close", "closing", "fermeture", "gain", "gagne", "won", "conclusion",
                                         "reel", "reelle", "actual", "decision", "decide", "decidee",
                                         # « Date de fin »: the day a deal ended, won or lost
                                         "fin"}), 0.6), _DATE,
                             (frozenset({"prevu", "prevue", "prev", "prevision", "previsionnel",
                                         "previsionnelle", "expected", "estimated", "cible", "target",
                                         "attendu", "attendue"}), -0.7)),
    ("Deals", "probability"): ((frozenset({"probabilite", "proba", "probability", "chance", "chances",
                                           "likelihood", "pourcentage", "confiance", "pct", "succes"}), 0.8),),
    ("Deals", "forecast_category"): ((frozenset({"categorie", "category", "forecast", "prevision"}), 0.6),),
    ("Deals", "next_step"): ((frozenset({"prochaine", "prochain", "suivante", "next", "step", "action"}), 0.6),),
    ("Deals", "lost_reason"): ((frozenset({"motif", "raison", "cause", "reason", "pourquoi", "why"}), 0.5),
                               (frozenset({"perte", "perdu", "lost", "loss", "echec", "abandon"}), 0.3)),
    ("Deals", "last_activity_on"): ((frozenset({"dernier", "derniere", "last", "recent"}), 0.4),
                                    (frozenset({"activite", "activity", "contact", "echange", "action"}), 0.3),
                                    _DATE),
    # an extra column the derived deal id uses (kpicore.ingest.deal_ids)
    ("Deals", "deal_name"): ((frozenset({"transaction", "topic", "intitule", "titre", "title", "objet",
                                         "sujet", "libelle", "designation", "subject"}), 0.7),
                             (frozenset({"affaire", "opportunite", "opportunity", "deal", "projet"}), 0.2),
                             _NAME,
                             # « Phase de la transaction » is the stage, « Montant de l'affaire » the amount
                             (frozenset({"phase", "etape", "stade", "stage", "statut", "status", "montant",
                                         "date", "amount", "value"}), -0.6)),
    # Pipedrive « Affaire - Date de gain » / « Date de perte »: the helpers that fill closed_on by status
    ("Deals", "won_on"): ((frozenset({"gain", "gagne", "gagnee", "won"}), 0.7), _DATE),
    ("Deals", "lost_on"): ((frozenset({"perte", "perdu", "perdue", "lost"}), 0.7), _DATE),
    ("Activities", "date"): ((frozenset({"date", "jour", "le", "day", "quand", "when", "realise", "effectue",
                                         "done", "due"}), 0.6),),
    ("Activities", "rep"): (_PERSON, _NAME),
    ("Activities", "type"): ((frozenset({"type", "typo", "typologie", "nature", "categorie", "genre", "kind",
                                         "canal", "mode", "category"}), 0.7),
                             (frozenset({"action", "activite", "activity", "evenement", "event", "interaction",
                                         "contact"}), 0.2)),
    ("Activities", "deal_id"): (_DEAL, (_ID[0], 0.4)),
    ("Activities", "account"): (_COMPANY, _NAME, (_PERSON[0], -0.5)),
    ("Activities", "note"): ((frozenset({"note", "notes", "commentaire", "commentaires", "compte", "rendu",
                                         "objet", "sujet", "description", "detail", "details", "remarque",
                                         "remarques", "subject", "comment", "comments", "resume", "observation",
                                         "observations"}), 0.6),),
}

# How each column's values are judged (the name of a share of :class:`Profile`), by column then by kind.
_VALUE_OF_COLUMN = {"stage": "stages", "status": "statuses", "type": "activities", "owner": "names",
                    "rep": "names", "manager": "names", "deal_id": "ids", "account": "labels",
                    "deal_name": "labels", "note": "long_texts", "next_step": "texts",
                    "lost_reason": "texts", "comment": "long_texts", "scope_name": "names"}
_VALUE_OF_KIND = {"date": "dates", "amount": "amounts", "number": "numbers", "int": "numbers",
                  "fraction": "percents", "bool": "bools", "key": "ids", "text": "texts", "choice": "texts"}
# Values alone (no word of the header) may decide only where they are specific to one column: a
# date or an amount column could be any of several.
VALUES_ALONE = frozenset({"stages", "statuses", "activities", "names"})

# ----------------------------------------------------------------------------- values

# Words that begin a stage label of a funnel (French and English CRM defaults, ours).
_STAGE_STEMS = ("prospect", "qualif", "decouverte", "proposition", "propal", "devis", "offre", "negoc",
                "gagn", "perdu", "won", "lost", "closed", "signe", "signature", "abandon",
                "contact", "demo", "rdv", "needs", "analysis", "value proposition", "id decision", "perception",
                "proposal", "negotiation", "review", "appointment", "presentation", "decision", "nouveau",
                "new", "en cours", "sans suite", "commande", "vendu", "a relancer", "attente", "stand by",
                "conclu", "contrat", "contract", "rendez vous", "decideur", "qualified", "appointment")
_STATUS_WORDS = frozenset({"won", "lost", "open", "gagne", "gagnee", "perdu", "perdue", "en cours", "ouvert",
                           "ouverte", "closed won", "closed lost", "abandonne", "abandonnee", "sans suite",
                           "signe", "signee", "in progress", "actif", "active"})
# Words that begin an activity label (French and English).
_ACTIVITY_STEMS = ("appel", "call", "tel", "phone", "rdv", "rendez", "meeting", "reunion", "visite", "visit",
                   "rencontre", "demo", "decouverte", "devis", "offre", "proposition", "proposal", "quote",
                   "relance", "follow", "suivi", "rappel", "co visite", "covisite", "mail", "email", "e mail",
                   "courrier", "tache", "task", "note", "salon", "dejeuner", "visio", "teams", "zoom",
                   "presentation", "webinar", "sms", "linkedin", "prospection", "terrain")
_NAME_RE = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*\.?(?:[ '’\-][^\W\d_][^\W\d_'’.\-]*\.?){0,2}$")
_TRUE_FALSE = frozenset({"oui", "non", "vrai", "faux", "true", "false", "yes", "no", "x", "o", "n", "y"})


@dataclass(frozen=True)
class Profile:
    """What the non-empty values of one column look like: shares 0..1 of the cells sampled."""

    n: int = 0  # non-empty cells looked at
    filled: float = 0.0  # share of the column's cells that are not empty
    distinct: int = 0  # distinct values among them
    dates: float = 0.0
    amounts: float = 0.0  # numbers (text or not), at least one above 1
    numbers: float = 0.0
    percents: float = 0.0  # numbers all within 0..1 or all within 0..100, or "25 %"
    stages: float = 0.0
    statuses: float = 0.0
    activities: float = 0.0
    names: float = 0.0  # a small set of repeated person names
    ids: float = 0.0  # mostly distinct short codes or numbers
    texts: float = 0.0  # text that is neither a date nor a number
    labels: float = 0.0  # text, with a fair share of distinct values (accounts, deal names)
    long_texts: float = 0.0  # free text (notes)
    bools: float = 0.0

    def share(self, name: str) -> float:
        return float(getattr(self, name))


def _starts(folded: pd.Series, stems: Sequence[str]) -> pd.Series:
    pattern = r"^(?:" + "|".join(re.escape(s) for s in stems) + r")"
    return folded.str.contains(pattern, regex=True)


def profile(cells: Sequence[object]) -> Profile:
    """The :class:`Profile` of one column's cells (the first :data:`SAMPLE` non-empty ones)."""
    s = pd.Series(list(cells), dtype=object)
    kinds = s.map(type)
    text = kinds == str
    stripped = s.where(text, None)
    blank = s.isna() | (text & (stripped.str.strip() == ""))
    filled = float((~blank).mean()) if len(s) else 0.0
    s = s[~blank].head(SAMPLE).reset_index(drop=True)
    n = len(s)
    if n == 0:
        return Profile()
    kinds = kinds[~blank].head(SAMPLE).reset_index(drop=True)
    is_text = (kinds == str).to_numpy()
    is_bool = kinds.isin([bool, np.bool_]).to_numpy()
    is_date = kinds.isin([dt.datetime, dt.date, pd.Timestamp]).to_numpy()
    is_num = ~is_text & ~is_bool & ~is_date & kinds.map(lambda k: issubclass(k, (int, float, np.number))).to_numpy()
    # dates: real date cells, or text a date parser reads (numbers stay numbers: 45000 is an amount)
    # text is parsed once per distinct value, then mapped back onto the cells
    dates = is_date.copy()
    text_cells = s[is_text].astype(str)
    distinct_text = pd.unique(text_cells.to_numpy())
    if len(distinct_text):
        as_date = pd.Series(parse_dates(list(distinct_text)).values.notna().to_numpy(), index=distinct_text)
        dates[np.flatnonzero(is_text)] = text_cells.map(as_date).to_numpy(dtype=bool)
    nums = np.full(n, np.nan)
    nums[is_num] = s[is_num].astype(float).to_numpy()
    pct_sign = np.zeros(n, dtype=bool)
    text_left = is_text & ~dates
    if text_left.any():
        texts = s[text_left].astype(str)
        pct_sign[np.flatnonzero(text_left)] = texts.str.strip().str.endswith("%").to_numpy()
        left = pd.unique(texts.to_numpy())
        as_number = pd.Series(parse_numbers([v.replace("%", "") for v in left]).values.to_numpy(), index=left)
        nums[np.flatnonzero(text_left)] = texts.map(as_number).to_numpy(dtype=float)
    is_number = ~np.isnan(nums)
    numbers = is_number.mean()
    vals = nums[is_number]
    amounts = numbers if len(vals) and np.nanmax(np.abs(vals)) > 1 else 0.0
    in_01 = bool(len(vals)) and bool(((vals >= 0) & (vals <= 1)).all())
    in_100 = bool(len(vals)) and bool(((vals >= 0) & (vals <= 100)).all())
    percents = numbers if (in_01 or in_100 or pct_sign[is_number].any()) else 0.0
    if in_01 and len(vals) and np.isin(vals, (0.0, 1.0)).all():
        percents *= 0.3  # a column of 0 and 1 is a yes/no more than a probability
    words = pd.Series(np.where(text_left & ~is_number, s.astype(str), ""), dtype=object)
    wordy = words != ""
    distinct_values = words[wordy].unique()
    folded = pd.Series(pd.Series(distinct_values, dtype=object).map(fold).to_numpy(), index=distinct_values,
                       dtype=object)
    f = words[wordy].map(folded).astype(str)  # the fold of each cell, through its distinct value
    texts_share = float(wordy.mean())
    stages = float(_starts(f, _STAGE_STEMS).sum()) / n if len(f) else 0.0
    statuses = float(f.isin(_STATUS_WORDS).sum()) / n if len(f) else 0.0
    activities = float(_starts(f, _ACTIVITY_STEMS).sum()) / n if len(f) else 0.0
    distinct = int(s.astype(str).nunique())
    n_words = len(distinct_values)
    # person names: few distinct values, each one to three words of letters, repeated
    names = 0.0
    if n_words:
        looks = pd.Series(distinct_values, dtype=object).map(lambda v: bool(_NAME_RE.match(v.strip())))
        two_words = pd.Series(distinct_values, dtype=object).map(lambda v: len(v.split()) >= 2)
        named = words[wordy].map(dict(zip(distinct_values, looks))).astype(bool).mean() * texts_share
        repeated = n_words <= max(3, min(40, 0.5 * n))
        names = float(named) * (1.0 if repeated else 0.2) * (1.0 if two_words.mean() >= 0.5 else 0.5)
    # "Rendez-vous terrain" or "Closed Won" look like names: a vocabulary is not a person
    names *= 1.0 - max(stages, activities, statuses)
    ids = 0.0
    if distinct >= 0.95 * n and n >= 2:
        short = s.astype(str).str.len().le(24).mean()
        ids = float(short) * (1.0 if (is_number.mean() > 0.5 or f.str.contains(r"\d", regex=True).mean() > 0.5)
                              else 0.4)
    lengths = words[wordy].str.len()
    long_texts = texts_share * (1.0 if len(lengths) and lengths.mean() >= 25 else 0.4)
    labels = texts_share * (1.0 if distinct >= 0.1 * n else 0.5) * (1.0 - 0.5 * min(names, 1.0))
    bools = float(is_bool.mean()) + (float(f.isin(_TRUE_FALSE).sum()) / n if len(f) else 0.0)
    return Profile(n, filled, distinct, float(dates.mean()), float(amounts), float(numbers), float(percents), stages,
                   statuses, activities, names, ids, texts_share, labels, long_texts, min(bools, 1.0))


class Profiles(Sequence):
    """The profiles of a grid's columns below one header row, each computed the first time it is asked for
    (a column with a known header is never looked at)."""

    def __init__(self, columns: Sequence[Sequence[object]]) -> None:
        self._columns = columns
        self._done: dict[int, Profile] = {}

    def __len__(self) -> int:
        return len(self._columns)

    def __getitem__(self, pos):  # type: ignore[override]
        if pos not in self._done:
            self._done[pos] = profile(self._columns[pos])
        return self._done[pos]


# ----------------------------------------------------------------------------- scores


@lru_cache(maxsize=4096)
def header_words(header: str) -> tuple[str, ...]:
    """The meaningful folded words of a header ("Date d'émission du devis" → date, emission, devis)."""
    return tuple(w for w in fold(header).split() if w not in _STOP)


def _hits(word: str, cue: str) -> bool:
    if word == cue:
        return True
    if len(cue) >= 4 and word.startswith(cue):
        return True
    # an abbreviation ("proba", "prev", "ref") is short: "avance" is not "avancement"
    return 3 <= len(word) <= 5 and cue.startswith(word)


@lru_cache(maxsize=16384)
def header_score(table: str, column: str, header: str) -> tuple[float, tuple[str, ...]]:
    """How much a header's words speak of ``column`` (0..1), and the words that did."""
    groups = CUES.get((table, column))
    if not groups or not header:
        return 0.0, ()
    words = header_words(header)
    total, said = 0.0, []
    for cues, weight in groups:
        hit = next((w for w in words if any(_hits(w, c) for c in cues)), None)
        if hit is not None:
            total += weight
            if weight > 0:
                said.append(hit)
    return max(0.0, min(total, 1.0)), tuple(dict.fromkeys(said))


def value_measure(table: str, column: str, kind: str) -> str:
    """The share of :class:`Profile` that judges ``column``'s values."""
    return _VALUE_OF_COLUMN.get(column, _VALUE_OF_KIND.get(kind, "texts"))


@dataclass(frozen=True)
class Score:
    """One (canonical column, grid column) pair and why."""

    column: str
    position: int
    confidence: float
    evidence: tuple[Message, ...] = ()


def column_label(table: str, column: str) -> Message:
    """A canonical or helper column as the reader's language names it."""
    if column in schema.TABLES[table]._by_name:
        return Message.of(f"quality.column.{table}.{column}")
    return Message.of(f"recognition.column.{column}")


def _value_evidence(measure: str, p: Profile, share: float) -> Message:
    if measure == "names":
        return Message.of("recognition.evidence.names", n=p.distinct)
    if measure == "ids":
        return Message.of("recognition.evidence.ids", share=round(share, 2))
    return Message.of(f"recognition.evidence.{measure}", share=round(share, 2))


def confidence(table: str, column: str, kind: str, header: str, p: Profile | None) -> Score | None:
    """The score of one pair (position left at -1 for the caller), or None below :data:`MIN_CONFIDENCE`."""
    h, said = header_score(table, column, header)
    measure = value_measure(table, column, kind)
    v = p.share(measure) if p is not None and p.n else None
    if h == 0 and (v is None or measure not in VALUES_ALONE):
        return None
    if v is None:
        c = HEADER_WEIGHT * h + VALUE_WEIGHT * 0.5  # an empty column: its values say nothing either way
    else:
        c = HEADER_WEIGHT * h + VALUE_WEIGHT * v
        if v < 0.3 and measure not in ("texts", "labels", "long_texts"):
            c *= 0.5  # the header speaks of a date, the values are not dates: doubtful
    c = round(min(c, 0.99), 2)  # 1.0 is for a known header (a synonym)
    if c < MIN_CONFIDENCE:
        return None
    ev: list[Message] = []
    label = column_label(table, column)
    for w in said:
        ev.append(Message.of("recognition.evidence.header", word=w, column=label))
    if v is not None and v >= 0.3:
        ev.append(_value_evidence(measure, p, v))
    return Score(column, -1, c, tuple(ev))


def score_columns(table: str, headers: Sequence[str], profiles: Sequence[Profile | None] | None,
                  columns: Sequence[str], skip: frozenset[int] = frozenset()) -> list[Score]:
    """Every scored pair of ``columns`` (canonical or helper) and grid positions (but ``skip``), best first.
    ``profiles`` may be lazy (:class:`Profiles`): a column's values are looked at only when it is scored."""
    kinds = {c.name: c.kind for c in schema.TABLES[table].columns}
    kinds.update({"deal_name": "text", "close_date": "date", "won_on": "date", "lost_on": "date"})
    out = []
    for pos, header in enumerate(headers):
        if pos in skip:
            continue
        p = profiles[pos] if profiles is not None and pos < len(profiles) else None
        for col in columns:
            s = confidence(table, col, kinds.get(col, "text"), header, p)
            if s is not None:
                out.append(Score(col, pos, s.confidence, s.evidence))
    out.sort(key=lambda s: (-s.confidence, s.position))
    return out


def choose(scores: Sequence[Score], taken: Mapping[int, str] | None = None, done: frozenset[str] = frozenset()
           ) -> tuple[dict[str, Score], dict[str, Score]]:
    """Greedy on the best pair overall: ``(chosen, runner_up)`` per canonical column; a grid column is never
    taken twice.  ``taken`` are positions already chosen (synonyms, Settings), ``done`` columns already found."""
    used = set(taken or {})
    chosen: dict[str, Score] = {}
    runner: dict[str, Score] = {}
    for s in scores:
        if s.column in done or s.column in chosen or s.position in used:
            continue
        chosen[s.column] = s
        used.add(s.position)
    for s in scores:  # the runner-up: the best other column of the file for it, taken elsewhere or not
        if s.column in chosen and s.position != chosen[s.column].position and s.column not in runner:
            runner[s.column] = s
        elif s.column in done and s.column not in runner and s.position not in (taken or {}):
            runner[s.column] = s
    return chosen, runner
