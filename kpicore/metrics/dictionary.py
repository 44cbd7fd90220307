"""The KPI dictionary: what each KPI means, how it is computed, its alert thresholds.

An entry's structure (``KpiDefinition``, ``KpiDictionary``) is ``kpicore.model.kpi_dictionary``;
each shipped entry sits above the function that computes its KPI (``kpicore.metrics.definitions``).
Here are the shipped dictionary they make, the sheet it is edited in, and ``dictionary_of``,
which picks the dictionary a computation uses (the workbook's edited one, else the shipped one).

The dictionary is data (DESIGN.md, "The numbers"): it ships as a sheet of the
workbook that managers may edit (labels, definitions, review frequency,
direction, thresholds).  ``dictionary_frame`` gives that sheet as a frame and
``read_dictionary`` reads an edited frame back; each cell is validated on its
own, so one malformed edit costs that cell only (its default is used and an
``Issue`` says where and what to type).

Targets are not here: Targets is their one source (``kpicore.metrics.targets``).
"""

from __future__ import annotations

import math
import re
from dataclasses import fields, replace

import pandas as pd

from kpicore.metrics.definitions import DEFINITIONS
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
    "behind_pace_pct": "fraction",  # below target beyond this share under the target due; near within it
    "min_count": "int",  # fewer observations than this: no alert (too few to tell)
    "max_p_value": "fraction",  # alert only when a deviation this large is this unlikely from noise alone
}


DEFAULT_DICTIONARY = KpiDictionary(DEFINITIONS)
CORE_KPIS: tuple[str, ...] = tuple(d.id for d in DEFINITIONS if d.core)


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
