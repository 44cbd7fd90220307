"""The action table: one entry per button of the *Pilotage* ribbon tab.

The table is the one place that says which buttons exist, what they are
called, which picture they show, which Python function runs behind each one
on the workbook it was clicked in, and which command-line verb does the same
job on a file.  The ribbon XML of the add-in (``addin.excel.build``), the VBA
dispatcher's checks (tests) and the dispatch (``addin.excel.ribbon``) all read it, so
a button cannot exist without an action or an action without a button.

Two kinds of entries:

- ``python``: the button's ``onAction`` is the VBA dispatcher
  (``Pilotage.Dispatch``), which runs ``addin.excel.ribbon.dispatch(<control id>)``
  through xlwings' ``RunPython``; ``run`` names the Python function
  (``module:function``) called with the caller's ``xlwings.Book``;
- ``vba``: the button runs a VBA routine of the dispatcher module itself
  (importing the ``PILOT_`` functions needs xlwings' own VBA, not Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

DISPATCH_CALLBACK = "Pilotage.Dispatch"  # module Pilotage (addin/excel/vba/Pilotage.bas), Sub Dispatch
VBA_MODULE = "Pilotage"


@dataclass(frozen=True)
class RibbonAction:
    id: str  # ribbon control id, and the key passed to dispatch()
    label: str  # French label under the button
    image: str  # imageMso: one of Office's built-in icons
    group: str  # ribbon group label
    screentip: str  # French tooltip
    cli: str  # the CLI verb that runs the same job on a file ("" when there is none)
    run: str = ""  # "module:function" called with the caller's xlwings.Book (kind "python")
    kind: str = "python"
    vba_callback: str = DISPATCH_CALLBACK
    size: str = "large"

    def function(self) -> Callable:
        """The Python function behind the button (imported on demand: the table stays light)."""
        if self.kind != "python":
            raise ValueError(f"{self.id} runs in VBA ({self.vba_callback}), not in Python")
        module, _, name = self.run.partition(":")
        return getattr(import_module(module), name)


ACTIONS: tuple[RibbonAction, ...] = (
    RibbonAction("pilotage_refresh", "Rafraîchir le cockpit", "Refresh", "Cockpit",
                 "Reconstruit la feuille Cockpit à partir des tables du classeur (le reste est intact).",
                 "refresh", "addin.excel.live_actions:refresh_live"),
    RibbonAction("pilotage_deck_weekly", "Deck hebdo", "ChartInsert", "Rituels",
                 "Crée la présentation de la revue de pipeline hebdomadaire à côté du classeur.",
                 "deck weekly", "addin.excel.live_actions:deck_weekly_live"),
    RibbonAction("pilotage_deck_monthly", "Deck mensuel", "SlideNew", "Rituels",
                 "Crée la présentation de la revue mensuelle (comité de direction) à côté du classeur.",
                 "deck monthly", "addin.excel.live_actions:deck_monthly_live"),
    RibbonAction("pilotage_deck_quarterly", "Deck trimestriel", "SlideShowFromBeginning", "Rituels",
                 "Crée la présentation de la revue trimestrielle (comité de direction) à côté du classeur.",
                 "deck quarterly", "addin.excel.live_actions:deck_quarterly_live"),
    RibbonAction("pilotage_diagnostic", "Diagnostic", "FileDocumentInspect", "Données",
                 "Diagnostic gratuit des données : colonnes reconnues, indicateurs possibles, qualité et précision "
                 "de la prévision, dans un dossier à côté du classeur.",
                 "diagnostic", "addin.excel.live_actions:diagnostic_live"),
    RibbonAction("pilotage_check", "Vérifier les données", "DataValidation", "Données",
                 "Contrôle les tables du classeur : colonnes reconnues, lignes exclues et quoi corriger.",
                 "check", "addin.excel.live_actions:check_live"),
    RibbonAction("pilotage_activity_workbook", "Nouveau classeur d'activité", "FileNew", "Données",
                 "Crée le classeur partagé où les commerciaux saisissent appels, RDV et propositions.",
                 "activity-workbook", "addin.excel.live_actions:activity_workbook_live"),
    RibbonAction("pilotage_import_functions", "Importer les fonctions", "FunctionWizard", "Données",
                 "Rend les fonctions PILOT_… (KPI, prévision) utilisables dans les cellules (Windows).",
                 "", kind="vba", vba_callback=f"{VBA_MODULE}.ImportFunctions", size="normal"),
)

ACTIONS_BY_ID: dict[str, RibbonAction] = {a.id: a for a in ACTIONS}
assert len(ACTIONS_BY_ID) == len(ACTIONS), "ribbon ids must be unique"


def python_actions() -> tuple[RibbonAction, ...]:
    return tuple(a for a in ACTIONS if a.kind == "python")


def groups() -> list[str]:
    """Group labels in the order their first button appears."""
    out: list[str] = []
    for a in ACTIONS:
        if a.group not in out:
            out.append(a.group)
    return out


def cli_verbs() -> dict[str, str]:
    """CLI verb -> ribbon id: the ``pilotage`` command that does a button's job on a file."""
    return {a.cli: a.id for a in ACTIONS if a.cli}
