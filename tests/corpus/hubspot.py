"""HubSpot: deals exported from the French interface, stages as labels or as internal ids.

Default deal properties: https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties
(Deal name, Deal stage, Pipeline, Amount, Close date, Deal owner, Create date), here as the
French interface labels them (« Nom de la transaction », « Phase de la transaction »,
« Pipeline », « Montant », « Date de fermeture », « Propriétaire de la transaction »,
« Date de création »; HubSpot's French help calls deals « transactions »,
https://knowledge.hubspot.com/fr/object-settings/set-defaults-for-creating-deals ).  The
French page of the default properties was not found in the searches made for this
corpus: these French labels and the French stage labels below are the interface's, not
copied from a documentation page.
The default sales pipeline's internal stage ids (appointmentscheduled, qualifiedtobuy,
presentationscheduled, decisionmakerboughtin, contractsent, closedwon, closedlost):
https://developers.hubspot.com/docs/api/crm/pipelines (seen as `dealstage` values in API dumps, e.g.
"appointmentscheduled", https://pastebin.com/Y4tLYNh9 ); an export made through an
integration writes those ids, the interface writes the labels.  "Date de fermeture" is
the expected date while the deal is open and the actual one once it is won or lost.
Dates are exported as "AAAA-MM-JJ HH:MM" text; « ID de fiche d'informations » is the
record id every export begins with.
"""

from __future__ import annotations

from pathlib import Path

from . import CorpusFile
from .rows import DEALS
from .writers import iso_stamp, write_csv, write_xlsx

LABEL = {"qualification": "Qualifié pour l'achat", "proposal": "Contrat envoyé",
         "negotiation": "Décisionnaire impliqué", "won": "Conclue gagnée", "lost": "Conclue perdue"}
INTERNAL = {"qualification": "qualifiedtobuy", "proposal": "contractsent", "negotiation": "decisionmakerboughtin",
            "won": "closedwon", "lost": "closedlost"}
HEADER = ["ID de fiche d'informations", "Nom de la transaction", "Phase de la transaction", "Pipeline", "Montant",
          "Date de fermeture", "Propriétaire de la transaction", "Date de création", "Entreprise associée"]


def _rows(stages):
    return [HEADER] + [[str(9_870_000_000 + int(d.key)), d.title, stages[d.stage], "Pipeline des ventes",
                        d.amount, iso_stamp(d.close, "17:00"), d.owner, iso_stamp(d.created, "09:12"), d.account]
                       for d in DEALS]


def build_labels(folder: Path) -> Path:
    return write_xlsx(folder / "hubspot-crm-exports-toutes-les-transactions-2026-04-01.xlsx",
                      [("Toutes les transactions", _rows(LABEL))])


def build_ids(folder: Path) -> Path:
    rows = [[str(v) if isinstance(v, float) else v for v in r] for r in _rows(INTERNAL)]
    return write_csv(folder / "hubspot-deals-api-2026-04-01.csv", rows)


CHOICES = {"Deals": {"deal_id": "ID de fiche d'informations", "stage": "Phase de la transaction",
                     "amount": "Montant", "close_date": "Date de fermeture",
                     "owner": "Propriétaire de la transaction", "created_on": "Date de création",
                     "account": "Entreprise associée"}}

FILES = (
    CorpusFile("hubspot-crm-exports-toutes-les-transactions-2026-04-01.xlsx",
               "HubSpot, export des transactions (FR), phases en libellés", build_labels, CHOICES,
               {"Deals": (12, 0, 0)}),
    CorpusFile("hubspot-deals-api-2026-04-01.csv", "HubSpot, export CSV, phases en identifiants internes",
               build_ids, CHOICES, {"Deals": (12, 0, 0)}),
)
