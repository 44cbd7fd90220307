"""Workbooks and exports kept by hand, in the shapes SMEs keep them (no vendor documents these).

Recorded from client files, not from a vendor: title rows above the header, a team
column, « Typologie », « Date d'émission du devis », « Total HT » beside « Total TTC »,
« Chargé d'affaires »; a CSV saved by a French Excel (cp1252, `;`, decimal commas, an
exact duplicate line pasted twice); a file with TTC amounts only; an activity log with
free-text types (« RDV découverte », « RDV terrain », « Démo en ligne », « Appel
sortant », « Envoi devis », « Relance mail »), in the workbook or in a second file.
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS, LOG, TEAM
from .writers import fr_amount, fr_date, write_csv, write_xlsx

STATUS = {"open": "En cours", "won": "Signé", "lost": "Perdu"}
TYPOLOGIE = ("Neuf", "Rénovation", "Maintenance")
STEP = {"qualification": "Découverte", "proposal": "Devis envoyé", "negotiation": "Négociation", "won": "Gagné",
        "lost": "Perdu"}
STAGE_LOG = {"qualification": "Prospect", "proposal": "Devis", "negotiation": "Négo", "won": "Gagnée",
             "lost": "Perdue"}

HEADER_SUIVI = ["Client", "Désignation", "Typologie", "Chargé d'affaires", "Équipe", "Date de la demande",
                "Date d'émission du devis", "Total HT", "Total TTC", "Statut", "Date de clôture", "Date prévue"]


def suivi_rows() -> list[list]:
    """The hand-kept deals table, the header first."""
    rows = [list(HEADER_SUIVI)]
    for i, d in enumerate(DEALS):
        status = "Abandonnée" if d.key == "1006" else STATUS[d.status]
        rows.append([d.account, d.title, TYPOLOGIE[i % 3], d.owner, TEAM[d.owner], d.created, d.proposal, d.amount,
                     round(d.amount * 1.2, 2), status, d.close if d.status != "open" else None,
                     d.close if d.status == "open" else None])
    return rows


SUIVI_CHOICES = {"account": "Client", "owner": "Chargé d'affaires", "created_on": "Date de la demande",
                 "proposal_on": "Date d'émission du devis", "amount": "Total HT", "status": "Statut",
                 "closed_on": "Date de clôture", "expected_close_on": "Date prévue"}


def build_suivi(folder: Path) -> Path:
    rows = [["SUIVI DES AFFAIRES 2026 — Ateliers Fontaine"], ["Mis à jour le 01/04/2026 par C. Fontaine"], []]
    rows += suivi_rows()
    return write_xlsx(folder / "Suivi affaires 2026.xlsx", [("Suivi 2026", rows)], bold_rows=(0, 3))


def build_cp1252(folder: Path) -> Path:
    header = ["N° affaire", "Client", "Commercial", "Etape", "Montant HT", "Date d'ouverture", "Date devis",
              "Date clôture"]
    lines = [[d.key, d.account, d.owner, STEP[d.stage], fr_amount(d.amount), fr_date(d.created),
              fr_date(d.proposal), fr_date(d.close) if d.status != "open" else None] for d in DEALS]
    lines.insert(2, list(lines[1]))  # 1002 pasted twice: the same line, cell for cell
    return write_csv(folder / "export_affaires.csv", [header] + lines, encoding="cp1252", delimiter=";")


def build_ttc_only(folder: Path) -> Path:
    header = ["Réf.", "Client", "Commercial", "Étape", "Montant TTC", "Créée le", "Devis envoyé le",
              "Clôturée le"]
    rows = [header] + [[f"AF-{d.key}", d.account, d.owner, STEP[d.stage], round(d.amount * 1.2, 2), d.created,
                        d.proposal, d.close if d.status != "open" else None] for d in DEALS]
    return write_xlsx(folder / "Affaires TTC.xlsx", [("Affaires", rows)])


def _deals_for_log() -> list[list]:
    header = ["Raison sociale", "Suivi par", "Montant estimé", "Avancement", "Ouverte le", "Clôture"]
    return [header] + [[d.account, d.owner, d.amount, STAGE_LOG[d.stage], d.created, d.close] for d in DEALS]


LOG_HEADER = ["Date", "Commercial", "Action", "Client", "Commentaire"]
# the second file's own words for the same log, as another office keeps it
JOURNAL_HEADER = ["Jour", "Qui", "Type de contact", "Société", "Compte rendu"]


def _log(header: list[str] = LOG_HEADER) -> list[list]:
    return [header] + [[a.day, a.rep, a.label, a.account, a.note] for a in LOG]


def build_with_log(folder: Path) -> Path:
    return write_xlsx(folder / "Pipeline et journal.xlsx", [("Affaires", _deals_for_log()), ("Journal", _log())])


def build_two_files(folder: Path) -> Path:
    write_xlsx(folder / "Journal d'activité.xlsx", [("Journal", _log(JOURNAL_HEADER))])
    return write_xlsx(folder / "Affaires 2026.xlsx", [
        ("Affaires", _deals_for_log()),
        ("Paramètres", [["Paramètre", "Valeur"], ["activity_workbooks", "Journal d'activité.xlsx"]])])


LOG_CHOICES = dict(zip(["date", "rep", "type", "account", "note"], LOG_HEADER))
JOURNAL_CHOICES = dict(zip(["date", "rep", "type", "account", "note"], JOURNAL_HEADER))
LOG_DEAL_CHOICES = {"account": "Raison sociale", "owner": "Suivi par", "amount": "Montant estimé",
                    "stage": "Avancement", "created_on": "Ouverte le", "close_date": "Clôture"}

FILES = (
    CorpusFile("Suivi affaires 2026.xlsx", "tenu à la main : titre, équipe, Typologie, devis, HT et TTC, sans id",
               build_suivi, {"Deals": SUIVI_CHOICES}, {"Deals": (12, 0, 0)}),
    CorpusFile("export_affaires.csv", "CSV d'Excel français : cp1252, « ; », virgules décimales, un doublon",
               build_cp1252, {"Deals": {"deal_id": "N° affaire", "account": "Client", "owner": "Commercial",
                                        "stage": "Etape", "amount": "Montant HT", "created_on": "Date d'ouverture",
                                        "proposal_on": "Date devis", "closed_on": "Date clôture"}},
               {"Deals": (12, 0, 1)}),
    CorpusFile("Affaires TTC.xlsx", "tenu à la main : montants TTC seulement", build_ttc_only,
               {"Deals": {"deal_id": "Réf.", "account": "Client", "owner": "Commercial", "stage": "Étape",
                          "amount": "Montant TTC", "created_on": "Créée le", "proposal_on": "Devis envoyé le",
                          "closed_on": "Clôturée le"}},
               {"Deals": (12, 0, 0)}),
    CorpusFile("Pipeline et journal.xlsx", "tenu à la main : affaires et journal d'activité aux types libres",
               build_with_log, {"Deals": LOG_DEAL_CHOICES, "Activities": LOG_CHOICES},
               {"Deals": (12, 0, 0), "Activities": (14, 0, 0)}),
    CorpusFile("Affaires 2026.xlsx", "tenu à la main : affaires et journal dans deux fichiers", build_two_files,
               {"Deals": LOG_DEAL_CHOICES, "Activities": JOURNAL_CHOICES},
               {"Deals": (12, 0, 0), "Activities": (14, 0, 0)},
               extra={"Journal d'activité.xlsx": "Activities"}),
)
