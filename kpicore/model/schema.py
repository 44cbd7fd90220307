"""The canonical tables of Pilotage (DESIGN.md, "Data model").

Every client file, whatever its headers, is mapped onto these tables; every
engine (KPIs, forecast, cockpit, decks) reads only these names.  A table is
described as data so that the ingest, the validation, the workbook template
and the documentation all read one definition.

Column kinds and the pandas dtype each becomes in a canonical frame:

========  ======================================  ==================================
kind      dtype                                   notes
========  ======================================  ==================================
text      ``string``                              stripped, empty -> <NA>
key       ``string``                              an identifier; required when the
                                                  table has it
date      ``datetime64[ns]``                      midnight, no time zone
amount    ``float64``                             in the file's currency, >= 0
number    ``float64``
fraction  ``float64``                             0.25 means 25 %; 25 is read as 25 %
int       ``Int64``                               nullable integer
bool      ``boolean``                             nullable boolean
choice    ``string``                              one of ``choices`` (lower case ids)
========  ======================================  ==================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

DTYPES: dict[str, str] = {
    "text": "string",
    "key": "string",
    "date": "datetime64[ns]",
    "amount": "float64",
    "number": "float64",
    "fraction": "float64",
    "int": "Int64",
    "bool": "boolean",
    "choice": "string",
}

STATUSES = ("open", "won", "lost")

ACTIVITY_TYPES = (
    "call",
    "meeting",
    "qualified_meeting",
    "proposal",
    "follow_up",
    "co_visit",
    "other",
)

# French labels for the activity types, as reps pick them in the activity workbook.
ACTIVITY_TYPE_LABELS_FR: dict[str, str] = {
    "call": "Appel",
    "meeting": "RDV",
    "qualified_meeting": "RDV qualifié",
    "proposal": "Proposition",
    "follow_up": "Relance",
    "co_visit": "Co-visite",
    "other": "Autre",
}

STATUS_LABELS_FR: dict[str, str] = {"open": "En cours", "won": "Gagnée", "lost": "Perdue"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label_fr: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help_fr: str = ""

    @property
    def dtype(self) -> str:
        return DTYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its key and where it lives in our workbook."""

    name: str
    sheet_fr: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    written_by_product: bool = False
    help_fr: str = ""
    _by_name: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def empty(self) -> pd.DataFrame:
        """A frame with this table's columns and dtypes and no rows."""
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in self.columns})


def _c(name: str, kind: str, label_fr: str, **kw) -> Column:
    return Column(name=name, kind=kind, label_fr=label_fr, **kw)


DEALS = Table(
    "Deals",
    "Affaires",
    (
        _c("deal_id", "key", "N° affaire", required=True),
        _c("account", "text", "Client"),
        _c("owner", "text", "Commercial", required=True),
        _c("stage", "text", "Étape", required=True),
        _c("status", "choice", "Statut", choices=STATUSES,
           help_fr="En cours, Gagnée ou Perdue ; déduit de l'étape si vide."),
        _c("amount", "amount", "Montant HT", required=True, help_fr="Montant hors taxes, en euros."),
        _c("created_on", "date", "Date de création", required=True),
        _c("proposal_on", "date", "Date de proposition"),
        _c("expected_close_on", "date", "Date de signature prévue"),
        _c("closed_on", "date", "Date de clôture",
           help_fr="Date de signature (gagnée) ou de perte ; vide tant que l'affaire est en cours."),
        _c("probability", "fraction", "Probabilité", help_fr="De 0 à 100 %."),
        _c("forecast_category", "text", "Catégorie de prévision"),
        _c("next_step", "text", "Prochaine étape"),
        _c("lost_reason", "text", "Motif de perte"),
        _c("last_activity_on", "date", "Dernière activité"),
    ),
    key=("deal_id",),
    help_fr="Une ligne par affaire (opportunité).",
)

ACTIVITIES = Table(
    "Activities",
    "Activités",
    (
        _c("date", "date", "Date", required=True),
        _c("rep", "text", "Commercial", required=True),
        _c("type", "choice", "Type", required=True, choices=ACTIVITY_TYPES),
        _c("deal_id", "key", "N° affaire"),
        _c("account", "text", "Client"),
        _c("note", "text", "Note"),
    ),
    help_fr="Une ligne par appel, RDV, proposition, relance ou co-visite.",
)

STAGE_HISTORY = Table(
    "StageHistory",
    "Historique étapes",
    (
        _c("deal_id", "key", "N° affaire", required=True),
        _c("stage", "text", "Étape", required=True),
        _c("entered_on", "date", "Entrée dans l'étape", required=True),
    ),
    key=("deal_id", "entered_on", "stage"),
)

REPS = Table(
    "Reps",
    "Commerciaux",
    (
        _c("rep", "key", "Commercial", required=True),
        _c("team", "text", "Équipe"),
        _c("manager", "text", "Manager"),
        _c("active", "bool", "Actif"),
        _c("start_on", "date", "Date d'arrivée"),
        # where a scheduled run mails the rep their own view (addin.mail); optional
        _c("email", "text", "E-mail"),
    ),
    key=("rep",),
)

TARGETS = Table(
    "Targets",
    "Objectifs",
    (
        _c("period", "text", "Mois", required=True, help_fr="Mois au format AAAA-MM."),
        _c("scope_type", "choice", "Niveau", required=True, choices=("rep", "team", "company")),
        _c("scope_name", "text", "Nom", help_fr="Nom du commercial ou de l'équipe ; vide pour l'entreprise."),
        _c("metric", "text", "Indicateur", required=True,
           help_fr="revenue (CA signé) ou l'identifiant d'un KPI du dictionnaire."),
        _c("value", "number", "Objectif", required=True),
    ),
    key=("period", "scope_type", "scope_name", "metric"),
)

CO_VISITS = Table(
    "CoVisits",
    "Co-visites",
    (
        _c("date", "date", "Date", required=True),
        _c("rep", "text", "Commercial", required=True),
        _c("manager", "text", "Manager"),
        _c("account", "text", "Client"),
        _c("discovery_quality", "int", "Qualité de la découverte", help_fr="Note de 1 à 5."),
        _c("proposal_relevance", "int", "Pertinence de la proposition", help_fr="Note de 1 à 5."),
        _c("customer_satisfaction", "int", "Satisfaction client", help_fr="Note de 1 à 5."),
        _c("comment", "text", "Commentaire"),
    ),
)

ACTIONS = Table(
    "Actions",
    "Actions",
    (
        _c("date", "date", "Date", required=True),
        _c("ritual", "choice", "Rituel", choices=("weekly", "monthly", "quarterly")),
        _c("decision", "text", "Décision", required=True),
        _c("owner", "text", "Responsable"),
        _c("due_on", "date", "Échéance"),
        _c("status", "choice", "Statut", choices=("open", "done", "dropped")),
    ),
)

STAGES = Table(
    "Stages",
    "Étapes",
    (
        _c("stage", "key", "Étape", required=True),
        _c("order", "int", "Ordre", required=True),
        _c("is_won", "bool", "Gagnée"),
        _c("is_lost", "bool", "Perdue"),
        _c("probability", "fraction", "Probabilité par défaut"),
    ),
    key=("stage",),
)

SETTINGS = Table(
    "Settings",
    "Paramètres",
    (
        _c("key", "key", "Paramètre", required=True),
        _c("value", "text", "Valeur"),
    ),
    key=("key",),
)

PIPELINE_SNAPSHOTS = Table(
    "PipelineSnapshots",
    "_Instantanés pipeline",
    (
        _c("snapshot_on", "date", "Date de l'instantané", required=True),
        _c("deal_id", "key", "N° affaire", required=True),
        _c("owner", "text", "Commercial"),
        _c("stage", "text", "Étape"),
        _c("status", "choice", "Statut", choices=STATUSES),
        _c("amount", "amount", "Montant HT"),
        _c("expected_close_on", "date", "Date de signature prévue"),
        _c("probability", "fraction", "Probabilité"),
    ),
    key=("snapshot_on", "deal_id"),
    written_by_product=True,
)

# One row per refresh (at most one a day), period and scope: the forecast as it
# was shown, so that its accuracy can be measured once the period is over
# (kpicore.forecast.snapshots).  Written by the product in a hidden sheet; kept out of
# TABLES on purpose so that the ingest never looks for it in a client's file.
FORECAST_HISTORY = Table(
    "ForecastHistory",
    "_Historique prévisions",
    (
        _c("snapshot_on", "date", "Date de la prévision", required=True),
        _c("period", "text", "Période", required=True, help_fr="Code de la période : 2026-11, 2026-Q4..."),
        _c("scope_type", "choice", "Niveau", required=True, choices=("rep", "team", "company")),
        _c("scope_name", "text", "Nom"),
        _c("method_shown", "text", "Méthode affichée"),
        _c("shown", "amount", "Prévision affichée"),
        _c("won_to_date", "amount", "Signé à date"),
        _c("weighted_declared", "amount", "Pipeline pondéré déclaré"),
        _c("calibrated", "amount", "Pipeline calibré"),
        _c("new_deals", "amount", "Affaires à venir"),
        _c("run_rate", "amount", "Rythme 91 jours"),
        _c("p10", "amount", "P10"),
        _c("p50", "amount", "P50"),
        _c("p90", "amount", "P90"),
        _c("target", "amount", "Objectif"),
        _c("prob_reach_target", "fraction", "Probabilité d'atteindre l'objectif"),
    ),
    key=("snapshot_on", "period", "scope_type", "scope_name"),
    written_by_product=True,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DEALS,
        ACTIVITIES,
        STAGE_HISTORY,
        REPS,
        TARGETS,
        CO_VISITS,
        ACTIONS,
        STAGES,
        SETTINGS,
        PIPELINE_SNAPSHOTS,
    )
}

# Default stages of the template and the demo company, with the probability a
# CRM would show for each (the "declared" baseline of the forecast).
DEFAULT_STAGES: tuple[tuple[str, int, bool, bool, float], ...] = (
    ("Prospection", 1, False, False, 0.10),
    ("Qualification", 2, False, False, 0.20),
    ("Proposition", 3, False, False, 0.50),
    ("Négociation", 4, False, False, 0.75),
    ("Gagnée", 5, True, False, 1.0),
    ("Perdue", 6, False, True, 0.0),
)


def default_stages() -> pd.DataFrame:
    rows = [dict(zip(("stage", "order", "is_won", "is_lost", "probability"), r)) for r in DEFAULT_STAGES]
    return conform(pd.DataFrame(rows), STAGES)


def conform(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Return ``frame`` with every column of ``table``, in order and with its dtype.

    Missing columns are added empty; extra columns (kept from the client's
    file) follow the canonical ones unchanged.  Values must already be of the
    right kind: this casts, it does not parse (see ``kpicore.ingest.validate``).
    """
    out = pd.DataFrame(index=frame.index)
    for col in table.columns:
        if col.name in frame.columns:
            out[col.name] = frame[col.name].astype(col.dtype)
        else:
            out[col.name] = pd.Series(index=frame.index, dtype=col.dtype)
    extras = [c for c in frame.columns if c not in table._by_name]
    for c in extras:
        out[c] = frame[c]
    return out


# The company's backtest, replayed once per week of data and kept in a hidden sheet
# (kpicore.forecast.kept_backtest): its columns are the replay's own, so its table is built from them
# there; only its names are fixed here.
BACKTEST_TABLE = "KeptBacktest"
BACKTEST_SHEET = "_Backtest"

# Sheets that only the product writes and rebuilds (the ingest never reads them as client data):
# the cockpit, the data-quality sheet, « Correspondances » (read back only for a person's choices, by
# kpicore.ingest.person_choices), the forecast history and the backtest kept.
COCKPIT_SHEET = "Cockpit"
QUALITY_SHEET = "Qualité des données"
CORRESPONDENCES_SHEET = "Correspondances"
OUTPUT_SHEETS = (COCKPIT_SHEET, QUALITY_SHEET, CORRESPONDENCES_SHEET, FORECAST_HISTORY.sheet_fr, BACKTEST_SHEET)

