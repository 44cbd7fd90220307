"""Microsoft Dynamics 365 Sales: the Opportunities view exported to Excel, French and English interfaces.

Display names of the opportunity table's columns (Topic = name, Account, Est. Revenue =
estimatedvalue, Est. Close Date = estimatedclosedate, Actual Close Date = actualclosedate,
Probability = closeprobability, Owner, Status = statecode Open/Won/Lost, Created On):
https://learn.microsoft.com/en-au/dynamics365/sales/developer/entities/opportunity and
https://learn.microsoft.com/en-us/previous-versions/dynamicscrm-2016/developers-guide/mt607980(v=crm.8)
(display names "Actual Close Date", "Est. Revenue"...).  The French interface's names
(« Sujet », « Compte », « Revenu estimé », « Date de clôture estimée », « Date de clôture
réelle », « Probabilité », « Propriétaire », « Statut », « Créé le ») are the interface's;
no French page listing them was found in the searches made for this corpus.
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import us_date, write_csv, write_xlsx

STATUS_FR = {"open": "Ouverte", "won": "Gagnée", "lost": "Perdue"}
STATUS_EN = {"open": "Open", "won": "Won", "lost": "Lost"}
HEADER_FR = ["Sujet", "Compte", "Revenu estimé", "Date de clôture estimée", "Probabilité", "Propriétaire",
             "Statut", "Date de clôture réelle", "Créé le"]
HEADER_EN = ["Topic", "Account", "Est. Revenue", "Est. Close Date", "Probability", "Owner", "Status",
             "Actual Close Date", "Created On"]


def _row(d, status, fmt):
    # the estimated date stays what it was when the deal was decided: here the actual one
    return [d.title, d.account, d.amount, fmt(d.close), d.probability, d.owner, status[d.status],
            fmt(d.close) if d.status != "open" else None, fmt(d.created)]


def build_fr(folder: Path) -> Path:
    return write_xlsx(folder / "Opportunités ouvertes et fermées 01-04-2026 09-30-12.xlsx",
                      [("Opportunités ouvertes et ferm", [HEADER_FR] + [_row(d, STATUS_FR, lambda x: x)
                                                          for d in DEALS])])


def build_en(folder: Path) -> Path:
    rows = [HEADER_EN] + [[f"{v:.2f}" if isinstance(v, float) else (str(v) if isinstance(v, int) else v)
                           for v in _row(d, STATUS_EN, us_date)] for d in DEALS]
    return write_csv(folder / "All Opportunities 4-1-2026.csv", rows, encoding="utf-8-sig")


def _choices(h):
    return {"Deals": dict(zip(["account", "amount", "expected_close_on", "probability", "owner", "status",
                               "closed_on", "created_on"], h[1:]))}


FILES = (
    CorpusFile("Opportunités ouvertes et fermées 01-04-2026 09-30-12.xlsx", "Dynamics 365 Sales, vue exportée (FR)",
               build_fr, _choices(HEADER_FR), {"Deals": (12, 0, 0)}),
    CorpusFile("All Opportunities 4-1-2026.csv", "Dynamics 365 Sales, view exported (EN), US dates", build_en,
               _choices(HEADER_EN), {"Deals": (12, 0, 0)}),
)
