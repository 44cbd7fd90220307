"""The KPI dictionary: what each KPI means, how it is computed, its alert thresholds.

An entry's structure (``KpiDefinition``, ``KpiDictionary``) is ``kpicore.model.kpi_dictionary``;
here are the shipped entries, the sheet they are edited in, and ``dictionary_of``, which
picks the dictionary a computation uses (the workbook's edited one, else the shipped one).

The dictionary is data (DESIGN.md, "The numbers"): it ships as a sheet of the
workbook that managers may edit (labels, definitions, review frequency,
direction, thresholds).  ``dictionary_frame`` gives that sheet as a frame and
``read_dictionary`` reads an edited frame back; each cell is validated on its
own, so one malformed edit costs that cell only (its default is used and an
``Issue`` says where and what to type).

Targets are not here: Targets is their one source (``kpicore.metrics.targets``).

Units: ``per_week`` and ``per_month`` are counts divided by the days measured
(÷ 7, ÷ 30.4375), ``fraction`` is a rate (0.25 = 25 %), ``eur`` an amount,
``days`` a duration, ``count`` a number of things, ``ratio`` a multiple (coverage 1.5 = 150 %).

Aggregation says how targets of a KPI combine (``kpicore.metrics.targets``):
``sum`` adds up from rep to team to company and from day to month to year;
``flow`` (a count per week or per month) adds up from rep to team but is
averaged over time, weighted by days; ``ratio`` never adds up.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields, replace

import pandas as pd

from kpicore.model.kpi_dictionary import (ACTIVITY, DOWN, LAGGING, LEADING, RESULT, REVIEWS, UP, KpiDefinition,
                                          KpiDictionary)
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.quality import WARNING, Issue

SHEET_FR = "Dictionnaire KPI"
TABLE = "KpiDictionary"

# Thresholds the alerts read; fractions are 0.25 for 25 %.
THRESHOLDS: dict[str, str] = {
    "alert_below": "fraction",  # alert when the value is below this
    "falling_pct": "fraction",  # alert when the value fell by at least this share
    "rising_pct": "fraction",  # alert when the value rose by at least this share
    "below_team_share": "fraction",  # alert when a rep is below this share of the team's value
    "behind_pace_pct": "fraction",  # alert when won to date is this share below the target pace
    "min_count": "int",  # fewer observations than this: no alert (too few to tell)
    "max_p_value": "fraction",  # alert only when a deviation this large is this unlikely from noise alone
}


def _d(id, label_fr, label_en, definition, formula, horizon, nature, review, unit, direction, aggregation,
       sources, thresholds=(), core=False) -> KpiDefinition:
    return KpiDefinition(id, label_fr, label_en, definition, formula, horizon, nature, tuple(review), unit,
                         direction, aggregation, sources, tuple(thresholds), core)


_ACT = "Activities.date, Activities.rep, Activities.type"
_WON = "Deals.owner, Deals.status, Deals.amount, Deals.closed_on"

DEFAULT_DEFINITIONS: tuple[KpiDefinition, ...] = (
    _d("qualified_meetings_per_week", "RDV qualifiés / semaine", "Qualified meetings / week",
       "Rendez-vous qualifiés tenus dans la période, ramenés à la semaine.",
       "nombre d'activités « RDV qualifié » datées dans la période ÷ (jours de la période écoulés ÷ 7)",
       LEADING, ACTIVITY, ("daily", "weekly"), "per_week", UP, "flow", _ACT,
       (("falling_pct", 0.20), ("min_count", 4), ("max_p_value", 0.30)), core=True),
    _d("proposals_per_month", "Propositions envoyées / mois", "Proposals sent / month",
       "Propositions commerciales envoyées dans la période, ramenées au mois.",
       "propositions datées dans la période (activité « Proposition », sinon date de proposition de l'affaire) "
       "÷ (jours écoulés ÷ 30,4375)",
       LEADING, ACTIVITY, ("weekly",), "per_month", UP, "flow",
       _ACT + ", Activities.deal_id, Deals.proposal_on", core=True),
    _d("proposal_conversion", "Taux de transformation proposition → commande", "Proposal-to-order conversion",
       "Parmi les affaires ayant reçu une proposition et décidées (gagnées ou perdues) dans la période, "
       "la part gagnée.",
       "gagnées ÷ (gagnées + perdues), affaires avec proposition clôturées dans la période",
       LAGGING, RESULT, ("monthly",), "fraction", UP, "ratio",
       _WON + ", Deals.proposal_on, Activities.type",
       (("alert_below", 0.25), ("min_count", 5), ("max_p_value", 0.20)), core=True),
    _d("average_deal_size", "Panier moyen", "Average deal size",
       "Montant moyen des affaires gagnées dans la période.",
       "somme des montants gagnés ÷ nombre d'affaires gagnées dans la période",
       LAGGING, RESULT, ("monthly",), "eur", UP, "ratio", _WON,
       (("falling_pct", 0.20), ("min_count", 3), ("max_p_value", 0.05)), core=True),
    _d("sales_cycle_days", "Durée du cycle de vente", "Sales cycle length",
       "Durée médiane entre la création et la signature des affaires gagnées dans la période.",
       "médiane de (date de clôture − date de création) en jours, affaires gagnées dans la période",
       LAGGING, RESULT, ("monthly",), "days", DOWN, "ratio", _WON + ", Deals.created_on",
       (("rising_pct", 0.25), ("min_count", 3), ("max_p_value", 0.05)), core=True),
    _d("sales_cycle_days_mean", "Durée moyenne du cycle", "Mean sales cycle",
       "Durée moyenne entre la création et la signature des affaires gagnées dans la période.",
       "moyenne de (date de clôture − date de création) en jours, affaires gagnées dans la période",
       LAGGING, RESULT, ("monthly",), "days", DOWN, "ratio", _WON + ", Deals.created_on"),
    _d("revenue_won", "CA signé", "Revenue won",
       "Somme des montants des affaires gagnées dans la période.",
       "somme des montants des affaires gagnées (date de clôture dans la période)",
       LAGGING, RESULT, ("weekly", "monthly"), "eur", UP, "sum", _WON,
       (("behind_pace_pct", 0.20),)),
    _d("won_count", "Affaires gagnées", "Deals won",
       "Nombre d'affaires gagnées dans la période.", "nombre d'affaires gagnées (date de clôture dans la période)",
       LAGGING, RESULT, ("monthly",), "count", UP, "sum", _WON),
    _d("open_pipeline", "Pipeline ouvert", "Open pipeline",
       "Montant des affaires en cours à la fin de la période (ou à la date d'arrêté).",
       "somme des montants des affaires créées et non clôturées à la date de référence",
       LEADING, RESULT, ("weekly",), "eur", UP, "sum",
       "Deals.amount, Deals.created_on, Deals.closed_on, Deals.status"),
    _d("weighted_pipeline", "Pipeline pondéré", "Weighted pipeline",
       "Pipeline ouvert pondéré par la probabilité déclarée, sinon celle de l'étape.",
       "somme de montant × probabilité (déclarée, sinon probabilité par défaut de l'étape)",
       LEADING, RESULT, ("weekly",), "eur", UP, "sum",
       "Deals.amount, Deals.probability, Deals.stage, Stages.probability"),
    _d("coverage", "Couverture du pipeline", "Pipeline coverage",
       "Pipeline pondéré dont la signature est prévue dans la période, rapporté à l'objectif restant.",
       "pipeline pondéré à signer dans la période ÷ (objectif de CA − CA signé à date)",
       LEADING, RESULT, ("weekly",), "ratio", UP, "ratio",
       "Deals.expected_close_on, Deals.amount, Deals.probability, Targets.value",
       (("alert_below", 1.0),)),
    _d("win_rate", "Taux de gain", "Win rate",
       "Part des affaires gagnées parmi toutes les affaires décidées dans la période.",
       "gagnées ÷ (gagnées + perdues), toutes affaires clôturées dans la période",
       LAGGING, RESULT, ("monthly",), "fraction", UP, "ratio", "Deals.status, Deals.closed_on"),
    _d("meeting_to_proposal_rate", "Taux RDV qualifié → proposition (apparent)",
       "Meeting-to-proposal rate (apparent)",
       "Propositions de la période rapportées aux RDV qualifiés de la même période (peut dépasser 100 %).",
       "propositions ÷ RDV qualifiés, comptés dans la même période",
       LEADING, ACTIVITY, ("weekly", "monthly"), "fraction", UP, "ratio", _ACT + ", Deals.proposal_on",
       (("below_team_share", 0.5), ("min_count", 6))),
    _d("qualified_meetings", "RDV qualifiés", "Qualified meetings",
       "Nombre de RDV qualifiés dans la période.", "nombre d'activités « RDV qualifié » datées dans la période",
       LEADING, ACTIVITY, ("weekly",), "count", UP, "sum", _ACT),
    _d("proposals", "Propositions", "Proposals",
       "Nombre de propositions envoyées dans la période.",
       "activités « Proposition » datées dans la période, plus la date de proposition des affaires "
       "sans aucune activité « Proposition »",
       LEADING, ACTIVITY, ("weekly",), "count", UP, "sum", _ACT + ", Deals.proposal_on"),
    *(
        _d(f"activities_{t}", f"Activités : {lab}", f"Activities: {t.replace('_', ' ')}",
           f"Nombre d'activités de type « {lab} » dans la période.",
           f"nombre d'activités « {lab} » datées dans la période",
           LEADING, ACTIVITY, ("weekly",), "count", UP, "sum", _ACT)
        for t, lab in (("call", "Appel"), ("meeting", "RDV"), ("qualified_meeting", "RDV qualifié"),
                       ("proposal", "Proposition"), ("follow_up", "Relance"), ("co_visit", "Co-visite"),
                       ("other", "Autre"))
    ),
)

CORE_KPIS: tuple[str, ...] = tuple(d.id for d in DEFAULT_DEFINITIONS if d.core)


DEFAULT_DICTIONARY = KpiDictionary(DEFAULT_DEFINITIONS)


def dictionary_of(data: PipelineData, dictionary: KpiDictionary | None = None) -> KpiDictionary:
    """The dictionary to use: ``dictionary`` when given, else the workbook's edited one, else the shipped one."""
    if dictionary is not None:
        return dictionary
    return data.dictionary if data.dictionary is not None else DEFAULT_DICTIONARY


# Column of the sheet -> French header (the sheet writer shows the French header).
COLUMNS_FR: dict[str, str] = {
    "id": "Identifiant",
    "label_fr": "Libellé",
    "label_en": "Libellé (anglais)",
    "definition": "Définition",
    "formula": "Formule",
    "horizon": "Avancé / retardé",
    "nature": "Activité / résultat",
    "review": "Revue",
    "unit": "Unité",
    "direction": "Sens",
    "aggregation": "Agrégation",
    "sources": "Colonnes sources",
    **{name: name for name in THRESHOLDS},
}
_TEXT = ("label_fr", "label_en", "definition", "formula", "sources")
_STRUCTURAL = ("unit", "aggregation")  # the engine depends on them: not editable
_CHOICES = {
    "horizon": {"leading": LEADING, "lagging": LAGGING, "avancé": LEADING, "avance": LEADING,
                "retardé": LAGGING, "retarde": LAGGING},
    "nature": {"activity": ACTIVITY, "result": RESULT, "activité": ACTIVITY, "activite": ACTIVITY,
               "résultat": RESULT, "resultat": RESULT},
    "direction": {"up": UP, "down": DOWN, "hausse": UP, "baisse": DOWN},
}
_REVIEW_WORDS = {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "quotidienne": "daily",
                 "quotidien": "daily", "hebdomadaire": "weekly", "mensuelle": "monthly", "mensuel": "monthly"}


def dictionary_frame(dictionary: KpiDictionary = DEFAULT_DICTIONARY) -> pd.DataFrame:
    """The dictionary as the sheet managers edit: one row per KPI, one column per field and threshold."""
    rows = []
    for d in dictionary.definitions:
        row = {f.name: getattr(d, f.name) for f in fields(d) if f.name not in ("thresholds", "core")}
        row["review"] = ", ".join(d.review)
        for name in THRESHOLDS:
            row[name] = d.threshold(name)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS_FR))
    for name in THRESHOLDS:
        frame[name] = frame[name].astype("float64")
    return frame


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
        or (isinstance(value, str) and value.strip() == "")


_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(%?)\s*$")


def _read_threshold(kind: str, value: object) -> float | None:
    """The threshold in a cell, or None when it is not a valid one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    else:
        m = _NUMBER.match(str(value))
        if not m:
            return None
        number, percent = float(m.group(1).replace(",", ".")), m.group(2) == "%"
    if kind == "int":
        return number if number >= 0 and number == int(number) and not percent else None
    if percent or number > 1:  # 25 % and 25 both mean 25 %, as in the Deals sheet
        number /= 100
    return number if 0 <= number <= 1 else None


def read_dictionary(frame: pd.DataFrame, default: KpiDictionary = DEFAULT_DICTIONARY
                    ) -> tuple[KpiDictionary, list[Issue]]:
    """Read the edited dictionary sheet back; every malformed cell keeps its default and gives an Issue.

    ``frame`` has the columns of ``dictionary_frame`` (canonical names, or the French
    headers of ``COLUMNS_FR``); its row ``i`` is Excel row ``i + 2`` (header on row 1).
    KPIs missing from the sheet keep their default; unknown ids are reported and ignored.
    """
    frame = frame.rename(columns={fr: name for name, fr in COLUMNS_FR.items()})
    issues: list[Issue] = []

    def issue(row: int, column: str, value: object, problem: str, fix: str) -> None:
        issues.append(Issue(WARNING, TABLE, problem, fix, sheet=SHEET_FR, row=row,
                            column=COLUMNS_FR.get(column, column), value="" if _blank(value) else str(value)))

    edited: dict[str, KpiDefinition] = {}
    for position, (_, rec) in enumerate(frame.iterrows()):
        row = position + 2
        kpi = rec.get("id")
        if _blank(kpi) or str(kpi).strip() not in default:
            if not _blank(kpi):
                issue(row, "id", kpi, f"KPI « {kpi} » inconnu : ligne ignorée.",
                      "Gardez les identifiants fournis ; ajoutez un KPI en demandant sa formule à l'administrateur.")
            continue
        base = default[str(kpi).strip()]
        changes: dict[str, object] = {}
        for col in _TEXT:
            if col in rec and not _blank(rec[col]):
                changes[col] = str(rec[col]).strip()
            elif col in rec:
                issue(row, col, rec[col], "cellule vide : valeur par défaut utilisée.", "Saisissez un texte.")
        for col, choices in _CHOICES.items():
            if col not in rec:
                continue
            value = rec[col]
            key = "" if _blank(value) else str(value).strip().lower()
            if key in choices:
                changes[col] = choices[key]
            else:
                allowed = ", ".join(sorted({k for k in choices if k.isascii()}))
                issue(row, col, value, f"valeur « {value} » non reconnue : « {getattr(base, col)} » utilisée.",
                      f"Choisissez parmi : {allowed}.")
        if "review" in rec:
            words = [] if _blank(rec["review"]) else [w.strip().lower() for w in re.split(r"[,;/]", str(rec["review"]))]
            reviews = [_REVIEW_WORDS.get(w) for w in words if w]
            if reviews and None not in reviews:
                changes["review"] = tuple(r for r in REVIEWS if r in reviews)
            else:
                issue(row, "review", rec["review"], "fréquence de revue non reconnue : valeur par défaut utilisée.",
                      "Écrivez une ou plusieurs fréquences parmi daily, weekly, monthly "
                      "(ou quotidienne, hebdomadaire, mensuelle), séparées par des virgules.")
        for col in _STRUCTURAL:
            if col in rec and not _blank(rec[col]) and str(rec[col]).strip() != getattr(base, col):
                issue(row, col, rec[col], f"« {COLUMNS_FR[col]} » n'est pas modifiable : "
                      f"« {getattr(base, col)} » utilisée.", "Remettez la valeur d'origine.")
        thresholds = dict(base.thresholds)
        for name, kind in THRESHOLDS.items():
            if name not in rec or _blank(rec[name]):
                continue  # an empty cell keeps the default
            value = _read_threshold(kind, rec[name])
            if value is None:
                fix = ("Saisissez un entier positif." if kind == "int"
                       else "Saisissez un pourcentage entre 0 et 100 %, par exemple 25 % ou 0,25.")
                issue(row, name, rec[name], f"seuil « {name} » invalide : valeur par défaut utilisée.", fix)
            else:
                thresholds[name] = int(value) if kind == "int" else value
        changes["thresholds"] = tuple(thresholds.items())
        edited[base.id] = replace(base, **changes)
    return KpiDictionary(tuple(edited.get(d.id, d) for d in default.definitions)), issues
