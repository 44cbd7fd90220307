"""The ribbon's actions on the open workbook (an ``xlwings.Book``), one function per button.

Each reads the workbook's tables live (``addin.live_excel.read_live_grids``:
the book as it is on screen, unsaved edits included), runs the same kpicore
code as the command line, writes through the live engine or to a file next to
the workbook, and returns the French sentence the dispatcher shows in a message
box.  A user's mistake raises ``PilotageError`` (the dispatcher shows its
message); nothing here catches it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from kpicore.dataset import PipelineData

MAX_PROBLEMS = 4  # a message box shows about 1,000 characters well


def load_live(book) -> PipelineData:
    """The canonical data of the open workbook."""
    from addin.live_excel import read_live_grids
    from kpicore.ingest import ingest

    return ingest(read_live_grids(book), source=book.name)


def data_date(data: PipelineData) -> date:
    from kpicore.asof import data_today

    return data_today(data).date()


def output_folder(book) -> Path:
    """Where files made from the workbook go: its own folder, else Documents (an unsaved or cloud book)."""
    full = Path(str(book.fullname))
    if full.is_absolute() and full.parent.is_dir():
        return full.parent
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def refresh_live(book, *, now: datetime | None = None, n_sims: int = 2000) -> str:
    from addin.actions import targets_location
    from addin.live_excel import read_live_view_cell, write_cockpit_live
    from kpicore.cockpit import SHEET_NAME, VIEW_CELL, VIEW_LABELS_FR, build_cockpit, resolve_view

    data = load_live(book)
    view = resolve_view(None, read_live_view_cell(book, SHEET_NAME, VIEW_CELL),
                        data.setting("cockpit_view") or data.setting("vue"))
    as_of = data_date(data)
    spec = build_cockpit(data, as_of, view=view, refreshed_at=now or datetime.now().replace(microsecond=0),
                         targets_at=targets_location(data), n_sims=n_sims)
    skipped = write_cockpit_live(book, spec)
    text = f"Cockpit actualisé : vue {VIEW_LABELS_FR[view]}, données au {as_of:%d/%m/%Y}."
    if data.quality.errors:
        text += f"\n{len(data.quality.errors)} ligne(s) exclue(s) : cliquez sur « Vérifier les données »."
    if skipped:
        text += f"\nNon appliqué sur cette plateforme : {', '.join(skipped)}."
    return text


def _deck(book, kind: str) -> str:
    from addin.actions import deck_name, export_deck
    from workbook_templates.activity_workbook import free_path

    data = load_live(book)
    as_of = data_date(data)
    path = export_deck(data, kind, as_of, free_path(output_folder(book), deck_name(kind, as_of), ".pptx"))
    return f"Présentation créée : {path}"


def deck_weekly_live(book) -> str:
    return _deck(book, "weekly")


def deck_monthly_live(book) -> str:
    return _deck(book, "monthly")


def check_live(book) -> str:
    """A short report for a message box: rows per table, the totals, the main problems and their fix."""
    from kpicore.quality_text import check_report

    data = load_live(book)
    r = check_report(data)
    out = []
    for sh in r["sheets"]:
        if sh["table"]:
            n = sh["rows"]
            out.append(f"• {sh['sheet']} : {n['kept']} ligne(s) gardée(s), {n['excluded']} exclue(s)")
    t = r["row_totals"]
    out.append(f"Bilan : {t['data']} lue(s), {t['kept']} gardée(s), {t['excluded']} exclue(s) ; "
               f"{len(data.quality.errors)} erreur(s), {len(data.quality.warnings)} correction(s).")
    for g in r["errors"][:MAX_PROBLEMS]:
        first = g["first"][0] if g["first"] else {}
        where = f" (ex. {first.get('sheet')}!{first.get('row')})" if first.get("row") else ""
        out.append(f"✗ {g['problem']} : {g['count']}{where}\n   → {g['fix']}")
    if len(r["errors"]) > MAX_PROBLEMS or r["warnings"]:
        out.append("Rapport complet : pilotage check <classeur> en ligne de commande.")
    if not r["errors"]:
        out.append("Aucune ligne exclue : les données sont utilisables telles quelles.")
    return "\n".join(out)


def activity_workbook_live(book) -> str:
    from addin.actions import new_activity_workbook

    path = new_activity_workbook(load_live(book), output_folder(book))
    return (f"Classeur d'activité créé : {path}\nPartagez-le avec les commerciaux (OneDrive, SharePoint) et "
            "indiquez son chemin dans la feuille Paramètres.")
