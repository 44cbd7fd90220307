"""Pipedrive: deals exported with the "Affaire - ..." headers of the French interface and the
"Deal - ..." ones of the English interface.

Headers: the deal fields as the export prefixes them with the entity name; English
names from the sample import spreadsheets,
https://support.pipedrive.com/en/article/importing-sample-import-spreadsheets , and the
import field list, https://support.pipedrive.com/en/article/import-fields ; the French
ones as the French interface names the same fields (« Titre », « Valeur »,
« Organisation », « Propriétaire », « Étape », « Statut », « Affaire créée »,
« Date de clôture prévue », « Date de gain », « Date de perte »).  Won and lost deals keep
the stage they were in; the status says won or lost, and "Won time" / "Lost time" say when.
Default pipeline stages: Qualified, Contact Made, Demo Scheduled, Proposal Made,
Negotiations Started (French: Qualifié, Contact établi, Démo programmée, Proposition
faite, Négociations commencées).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import write_csv, write_xlsx

STAGE_FR = {"qualification": "Qualifié", "proposal": "Proposition faite", "negotiation": "Négociations commencées",
            "won": "Négociations commencées", "lost": "Proposition faite"}
STAGE_EN = {"qualification": "Qualified", "proposal": "Proposal Made", "negotiation": "Negotiations Started",
            "won": "Negotiations Started", "lost": "Proposal Made"}
STATUS_FR = {"open": "Ouverte", "won": "Gagnée", "lost": "Perdue"}
FIELDS_FR = ["ID", "Titre", "Valeur", "Devise", "Organisation", "Propriétaire", "Étape", "Statut", "Affaire créée",
             "Date de clôture prévue", "Date de gain", "Date de perte"]
FIELDS_EN = ["ID", "Title", "Value", "Currency", "Organization", "Owner", "Stage", "Status", "Deal created",
             "Expected close date", "Won time", "Lost time"]


def _stamp(d, hour=15):
    return None if d is None else datetime(d.year, d.month, d.day, hour, 20)


def _row(d, stages, status, fmt):
    return [int(d.key), d.title, d.amount, "EUR", d.account, d.owner, stages[d.stage], status(d.status),
            fmt(_stamp(d.created, 9)), fmt(d.close if d.status == "open" else None),
            fmt(_stamp(d.close) if d.status == "won" else None), fmt(_stamp(d.close) if d.status == "lost" else None)]


def build_fr(folder: Path) -> Path:
    rows = [[f"Affaire - {h}" for h in FIELDS_FR]]
    rows += [_row(d, STAGE_FR, STATUS_FR.get, lambda x: x) for d in DEALS]
    return write_xlsx(folder / "affaires-5234567-12.xlsx", [("Affaires", rows)], date_format="dd/mm/yyyy")


def build_en(folder: Path) -> Path:
    def text(x):
        return None if x is None else (x.strftime("%Y-%m-%d %H:%M:%S") if isinstance(x, datetime) else x.isoformat())
    rows = [[f"Deal - {h}" for h in FIELDS_EN]]
    rows += [[str(v) if isinstance(v, (int, float)) else v for v in _row(d, STAGE_EN, str, text)] for d in DEALS]
    return write_csv(folder / "deals-5234567-13.csv", rows)


def _choices(prefix, names):
    cols = ["deal_id", None, "amount", None, "account", "owner", "stage", "status", "created_on",
            "expected_close_on", "won_on", "lost_on"]
    return {"Deals": {c: f"{prefix} - {h}" for c, h in zip(cols, names) if c}}


FILES = (
    CorpusFile("affaires-5234567-12.xlsx", "Pipedrive, export des affaires (FR)", build_fr,
               _choices("Affaire", FIELDS_FR), {"Deals": (12, 0, 0)}),
    CorpusFile("deals-5234567-13.csv", "Pipedrive, deals export (EN)", build_en,
               _choices("Deal", FIELDS_EN), {"Deals": (12, 0, 0)}),
)
