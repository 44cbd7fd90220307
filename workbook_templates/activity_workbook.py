"""The shared activity workbook where reps log calls, meetings, proposals and co-visits.

One visible sheet « Activités » holding an Excel Table named ``Activities``
whose headers are the canonical French labels (so the ingest reads it back
without any mapping), drop-downs on the type (French words the ingest knows)
and on the rep (the reps of the pipeline workbook), dates formatted
``jj/mm/aaaa``; a « Mode d'emploi » sheet; and a hidden « Listes » sheet
holding the values of the drop-downs.

Made for a workbook several people edit at once on OneDrive / SharePoint
(co-authoring in Excel for the web):

- the drop-down lists are written *in this workbook* (hidden « Listes » sheet,
  named ranges ``ListeCommerciaux`` and ``ListeTypes``), never a link to the
  pipeline workbook: external links break co-authoring and go stale;
- no macros (.xlsx), no legacy shared-workbook mode, no sheet protection: a rep
  must be able to add rows; the table is pre-sized (``BLANK_ROWS``) and Excel
  extends it when someone types just below it;
- a workbook made for a single rep (``reps`` of length one) says so in the
  « Listes » sheet: the gathering then attributes rows whose rep cell is empty
  to that rep (``workbook_templates.gathering``).

Written with XlsxWriter to a temporary file, then renamed: never a
half-written file, and an existing file is never overwritten (the caller picks
a free name).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import xlsxwriter

from kpicore.model import schema
from kpicore.model.errors import UsageError
from workbook_templates import styles
from workbook_templates.safe_file import publish

SHEET = "Activités"
TABLE = "Activities"
LISTS_SHEET = "Listes"
REPS_NAME = "ListeCommerciaux"
TYPES_NAME = "ListeTypes"
# Headers of the « Listes » sheet, read back by the gathering.
LIST_HEADERS = ("Commerciaux", "Types d'activité", "Équipe")
BLANK_ROWS = 500  # rows the table offers before the user extends it (Excel extends it on typing below)
# One French word per activity type, each read back by the ingest (kpicore.ingest.mapping.CHOICE_WORDS).
TYPE_WORDS_FR = dict(schema.ACTIVITY_TYPE_LABELS_FR)
assert set(TYPE_WORDS_FR) == set(schema.ACTIVITY_TYPES)

HOW_TO = (
    "Mode d'emploi",
    "",
    "1. Une ligne par activité : la date, votre nom, le type, et si possible l'affaire ou le client.",
    "2. « RDV qualifié » : un rendez-vous où le besoin, le budget et le décideur ont été confirmés.",
    "3. « Proposition » : le jour où la proposition commerciale part chez le client.",
    "4. Ne supprimez pas la ligne d'en-tête ; ajoutez des lignes en tapant sous le tableau.",
    "5. Plusieurs personnes peuvent saisir en même temps (Excel pour le web, OneDrive, SharePoint).",
    "",
    "Le manager ajoute le chemin de ce classeur dans la feuille Paramètres du classeur pipeline",
    "(clé activity_workbooks) ; le bouton « Rafraîchir le cockpit » lit alors ces activités.",
    "",
    "Information des salariés : le suivi individuel d'activité doit être annoncé aux commerciaux",
    "et à leurs représentants avant sa mise en place.",
)

# Input messages: Excel shows them when a cell of the column is selected (255 characters at most).
_PROMPTS = {
    "date": ("Date", "Date de l'activité au format jj/mm/aaaa (pas de date future)."),
    "rep": ("Commercial", "Choisissez votre nom dans la liste."),
    "type": ("Type", "Appel, RDV, RDV qualifié (besoin, budget et décideur confirmés), Proposition, "
                     "Relance, Co-visite ou Autre."),
    "deal_id": ("N° affaire", "Le numéro de l'affaire du classeur pipeline, si l'activité en concerne une."),
}


def free_path(folder: Path, stem: str, suffix: str = ".xlsx") -> Path:
    """``folder/stem.xlsx``, or ``stem (2).xlsx``... when taken: never overwrite a user's file."""
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}){suffix}"
        n += 1
    return path


def lay_out_activity_table(ws, fmts: dict, name: str, last_row: int,
                           width: Callable[[schema.Column], float]) -> None:
    """The Activities table of a sheet (rows 1 to ``last_row``): column widths and formats, the
    Excel Table with its header, the frozen header row, and a print that reads across (landscape,
    one page wide, the header on every page). Shared by the reps' workbook and a rep's export."""
    cols = schema.ACTIVITIES.columns
    for c, col in enumerate(cols):
        ws.set_column(c, c, width(col), fmts[col.kind])
    ws.add_table(0, 0, last_row, len(cols) - 1, {
        "name": name, "style": styles.TABLE_STYLE,
        "columns": [{"header": col.label_fr, "header_format": fmts["header"]} for col in cols]})
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def write_activity_workbook(path: str | os.PathLike, reps: Sequence[str] = (), *, team: str | None = None,
                            types: Sequence[str] = schema.ACTIVITY_TYPES) -> Path:
    """Write a new, empty activity workbook at ``path`` (which must not exist); return the path.

    ``reps`` feed the rep drop-down (a single rep makes it that rep's own
    workbook); ``team`` is shown in the title and kept in « Listes »; ``types``
    are canonical activity types (``schema.ACTIVITY_TYPES``), offered under
    their French words.
    """
    path = Path(path)
    if path.exists():
        raise UsageError(f"le fichier {path} existe déjà : choisissez un autre nom.")
    if not path.parent.is_dir():
        raise UsageError(f"le dossier {path.parent} n'existe pas : créez-le ou choisissez un autre chemin.")
    unknown = [t for t in types if t not in TYPE_WORDS_FR]
    if unknown or not types:
        raise UsageError(f"type(s) d'activité inconnu(s) : {', '.join(map(str, unknown)) or '(aucun)'} ; "
                         f"choisissez parmi {', '.join(schema.ACTIVITY_TYPES)}.")
    reps = list(dict.fromkeys(str(r).strip() for r in reps if str(r).strip()))
    words = [TYPE_WORDS_FR[t] for t in dict.fromkeys(types)]
    cols = schema.ACTIVITIES.columns
    names = [c.name for c in cols]
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        title = "Activités commerciales" + (f" – {team}" if team else "") + \
            (f" – {reps[0]}" if len(reps) == 1 else "")
        wb.set_properties({"title": title, "comments": "Écrit par Pilotage"})
        fmts = styles.xlsxwriter_formats(wb)
        ws = wb.add_worksheet(SHEET)
        # dates get a little more than elsewhere: seen touching the rep's name in LibreOffice
        lay_out_activity_table(ws, fmts, TABLE, BLANK_ROWS, lambda col: 13 if col.kind == "date" else
                               styles.KIND_WIDTHS.get(col.kind, 20 if col.name != "note" else 45))

        def column(name: str) -> tuple[int, int, int, int]:
            return 1, names.index(name), BLANK_ROWS, names.index(name)

        def prompt(name: str) -> dict:
            title_, message = _PROMPTS[name]
            return {"input_title": title_, "input_message": message}

        ws.data_validation(*column("type"), {"validate": "list", "source": f"={TYPES_NAME}",
                                             "error_title": "Type inconnu",
                                             "error_message": "Choisissez un type dans la liste.",
                                             **prompt("type")})
        if reps:
            # a warning, not a stop: a new colleague can still log before the manager adds them
            ws.data_validation(*column("rep"), {"validate": "list", "source": f"={REPS_NAME}",
                                                "error_type": "warning", "error_title": "Commercial inconnu",
                                                "error_message": "Ce nom n'est pas dans la liste des "
                                                                 "commerciaux du classeur pipeline.",
                                                **prompt("rep")})
        ws.data_validation(*column("date"), {"validate": "date", "criteria": ">", "value": 36526,  # > 01/01/2000
                                             "error_type": "warning", "error_title": "Date",
                                             "error_message": "Saisissez une date au format jj/mm/aaaa.",
                                             **prompt("date")})
        ws.data_validation(*column("deal_id"), {"validate": "any", **prompt("deal_id")})

        help_ws = wb.add_worksheet("Mode d'emploi")
        help_ws.set_column(0, 0, 100)
        help_ws.set_landscape()
        help_ws.set_paper(9)
        help_ws.fit_to_pages(1, 0)
        bold = wb.add_format({"bold": True, "font_size": 14})
        for r, line in enumerate(HOW_TO):
            help_ws.write_string(r, 0, line, bold if r == 0 else None)

        lists = wb.add_worksheet(LISTS_SHEET)
        for c, header in enumerate(LIST_HEADERS):
            lists.write_string(0, c, header, fmts["header"])
            lists.set_column(c, c, 24)
        for r, rep in enumerate(reps, start=1):
            lists.write_string(r, 0, rep)
        for r, word in enumerate(words, start=1):
            lists.write_string(r, 1, word)
        if team:
            lists.write_string(1, 2, str(team))
        last_rep = max(len(reps), 1) + 1
        wb.define_name(REPS_NAME, f"='{LISTS_SHEET}'!$A$2:$A${last_rep}")
        wb.define_name(TYPES_NAME, f"='{LISTS_SHEET}'!$B$2:$B${len(words) + 1}")
        lists.hide()
        wb.close()
        publish(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def activity_workbook_for(data, path: str | os.PathLike, *, team: str | None = None) -> Path:
    """An activity workbook whose drop-downs hold the reps of ``data`` (a ``PipelineData``).

    ``team`` keeps the reps of that team only (``UsageError`` naming the teams
    when it has none).  For ``pilotage template activity OUT.xlsx [--team NAME]
    [--from PIPELINE.xlsx]``.
    """
    roster = data.rep_team()  # the one roster: a file without a Reps sheet still names its reps
    reps_frame = data.reps
    inactive = set()
    if "active" in reps_frame:
        # reps marked inactive have left: they log nothing new
        inactive = {str(r) for r in reps_frame.loc[~reps_frame["active"].fillna(True).astype(bool), "rep"].dropna()}
    names = [str(r) for r in roster.index if str(r) not in inactive]
    if team:
        chosen = [r for r in names if str(roster[r]).casefold() == str(team).casefold()]
        if not chosen:
            known = ", ".join(sorted({str(t) for t in roster.to_numpy()})) or "(aucune)"
            raise UsageError(f"équipe « {team} » inconnue dans la feuille Commerciaux ; équipes : {known}.")
        names = chosen
    reps = sorted(names)
    return write_activity_workbook(path, reps, team=team)


def write_activity_template(path: str | os.PathLike, *, team: str | None = None,
                            pipeline: str | os.PathLike | None = None) -> Path:
    """``pilotage template activity OUT.xlsx [--team NAME] [--from PIPELINE.xlsx]``.

    With ``pipeline``, the rep drop-down holds that workbook's active reps (of
    ``team`` only, when given); without it the rep column is free text.
    """
    if pipeline is None:
        if team:
            raise UsageError("--team demande --from PIPELINE.xlsx : les équipes sont lues dans la feuille "
                             "Commerciaux du classeur pipeline.")
        return write_activity_workbook(path)
    from workbook_templates.reading import load_pipeline

    return activity_workbook_for(load_pipeline(pipeline), path, team=team)
