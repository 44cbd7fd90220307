"""The pipeline template: Pilotage's canonical workbook, empty, ready to be filled.

For a company without a usable pipeline file.  It is the canonical workbook of
``pipeline_workbook`` (one sheet and one Excel Table per canonical table, French
headers the ingest reads back without any mapping) plus what helps people type
correct data:

- drop-downs: stages (from the Stages table), reps (from the Reps table) —
  both through named ranges that follow the table as it grows —, activity
  types, deal statuses, target levels, ritual and action statuses (French words
  the ingest knows);
- date, euro and percentage formats on whole columns, so new rows get them;
  the Targets month column is formatted as text, so ``2026-11`` stays text;
- input messages on the columns people get wrong (dates, amounts HT,
  probabilities, target month);
- a « Mode d'emploi » sheet, an empty « Cockpit » sheet (the refresh fills
  it), and the « Dictionnaire KPI » sheet (thresholds managers may edit, read
  back by ``workbook_templates.company.load_company``).

No example rows: a forgotten example would be counted as a real deal.  The
Stages table holds the default stages (or ``stages``), Reps the ``reps`` given,
Settings the usual keys with their defaults.  No macros, no external links.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError
from kpicore.metrics.dictionary import (COLUMNS_FR, DEFAULT_DICTIONARY, SHEET_FR, TABLE as DICT_TABLE, THRESHOLDS,
                                    KpiDictionary, dictionary_frame)
from kpicore.cockpit import palette
from kpicore.text import formats
from workbook_templates import styles
from workbook_templates.pipeline_workbook import Extras, write_pipeline_workbook

HOW_TO_SHEET = "Mode d'emploi"
COCKPIT_SHEET = "Cockpit"
REPS_NAME = "ListeCommerciaux"
STAGES_NAME = "ListeEtapes"
# Rows below the header that carry validations and formats ahead of the data.
VALIDATED_ROWS = 5000
HOW_TO_WIDTH = 110
# Text columns of the empty template: widths for what people type there (characters; 18 otherwise).
TEXT_WIDTHS = {"note": 40, "comment": 40, "decision": 40, "next_step": 30, "lost_reason": 24, "metric": 28,
               "account": 24, "value": 30, "key": 26, "period": 10, "scope_type": 13, "status": 12}

STATUS_WORDS_FR = tuple(schema.STATUS_LABELS_FR[s] for s in schema.STATUSES)
TYPE_WORDS_FR = tuple(schema.ACTIVITY_TYPE_LABELS_FR[t] for t in schema.ACTIVITY_TYPES)
SCOPE_WORDS_FR = ("Commercial", "Équipe", "Entreprise")
RITUAL_WORDS_FR = ("Hebdo", "Mensuel", "Trimestriel")
ACTION_STATUS_WORDS_FR = ("En cours", "Fait", "Abandonné")

DEFAULT_SETTINGS: tuple[tuple[str, str], ...] = (
    ("company_name", ""),
    ("fiscal_year_start_month", "1"),
    ("currency", "EUR"),
    ("language", "fr"),
    ("cockpit_view", "manager"),
    ("activity_workbooks", ""),
)

HOW_TO = (
    ("Pilotage : classeur pipeline commercial", "title"),
    ("", None),
    ("Une feuille par tableau ; une ligne par élément. Gardez les en-têtes tels quels.", None),
    ("Affaires : une ligne par affaire. Montant hors taxes (HT) en euros ; dates au format jj/mm/aaaa ; "
     "probabilité en % (25 %).", None),
    ("Activités : appels, RDV, propositions, relances, co-visites (ou dans des classeurs d'activité partagés).", None),
    ("Commerciaux : la liste des commerciaux, leur équipe et leur manager ; elle alimente les listes déroulantes.",
     None),
    ("Objectifs : un objectif par mois (AAAA-MM, ex. 2026-11), par commercial, équipe ou entreprise.", None),
    ("Étapes : les étapes de votre cycle de vente, dans l'ordre, avec leur probabilité par défaut.", None),
    ("Paramètres : nom de l'entreprise, début d'exercice, chemins des classeurs d'activité "
     "(clé activity_workbooks, séparés par « ; », motifs * acceptés).", None),
    ("Dictionnaire KPI : définitions et seuils d'alerte, modifiables par le manager.", None),
    ("", None),
    ("Ajoutez des lignes en tapant juste sous un tableau : Excel l'agrandit avec ses formats et ses listes.", None),
    ("Puis cliquez sur « Rafraîchir le cockpit » (ruban Pilotage) : la feuille Cockpit est recalculée.", None),
    ("", None),
    ("Information des salariés : le suivi individuel d'activité doit être annoncé aux commerciaux et à leurs "
     "représentants avant sa mise en place.", "note"),
)

# (table, column) -> (input title, input message); Excel shows them when a cell is selected.
PROMPTS: dict[tuple[str, str], tuple[str, str]] = {
    ("Deals", "amount"): ("Montant HT", "Montant hors taxes, en euros, sans le symbole € (ex. 12500)."),
    ("Deals", "probability"): ("Probabilité", "En pourcentage : tapez 25 % (ou 0,25). Vide : celle de l'étape."),
    ("Deals", "created_on"): ("Date de création", "Date au format jj/mm/aaaa."),
    ("Deals", "proposal_on"): ("Date de proposition", "Le jour où la proposition est partie (jj/mm/aaaa)."),
    ("Deals", "expected_close_on"): ("Signature prévue", "Date de signature attendue (jj/mm/aaaa)."),
    ("Deals", "closed_on"): ("Date de clôture", "Date de signature ou de perte (jj/mm/aaaa) ; vide tant que "
                                                "l'affaire est en cours."),
    ("Deals", "stage"): ("Étape", "Choisissez une étape de la feuille Étapes."),
    ("Deals", "status"): ("Statut", "En cours, Gagnée ou Perdue ; vide : déduit de l'étape."),
    ("Activities", "date"): ("Date", "Date de l'activité (jj/mm/aaaa)."),
    ("Activities", "type"): ("Type", "RDV qualifié : besoin, budget et décideur confirmés."),
    ("Targets", "period"): ("Mois", "Au format AAAA-MM, par exemple 2026-11 (cellule au format texte)."),
    ("Targets", "value"): ("Objectif", "CA en euros HT, ou la valeur cible du KPI."),
    ("Targets", "metric"): ("Indicateur", "revenue pour le CA signé, ou l'identifiant d'un KPI du Dictionnaire KPI."),
    ("Stages", "probability"): ("Probabilité", "En pourcentage : 25 % (ou 0,25)."),
    ("CoVisits", "discovery_quality"): ("Note", "De 1 à 5."),
}


def _lines(text: str, width: float, chars_per_unit: float = 0.9) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (LibreOffice does not
    grow a row to its wrapped text when it opens a file: the writer sets the height)."""
    return max(1, math.ceil(len(text) / (chars_per_unit * max(width - 1, 1))))


def _print_wide(ws, header_rows: int = 1) -> None:
    # a table is read across: landscape, one page wide, header repeated on each page
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)


def _names_range(sheet: str) -> str:
    # grows with the table: every non-empty cell of column A below the header
    return f"=OFFSET('{sheet}'!$A$2,0,0,MAX(1,COUNTA('{sheet}'!$A:$A)-1),1)"


def _list(words: Sequence[str] | str, *, stop: bool = True) -> dict:
    source = words if isinstance(words, str) else list(words)
    out = {"validate": "list", "source": source}
    if not stop:
        out["error_type"] = "warning"  # a new value is allowed after a warning
    return out


def _validation(table: str, col: schema.Column) -> dict | None:
    """The data validation of a column of the template (without its input message)."""
    lists = {
        ("Deals", "owner"): _list(f"={REPS_NAME}", stop=False),
        ("Deals", "stage"): _list(f"={STAGES_NAME}", stop=False),
        ("Deals", "status"): _list(STATUS_WORDS_FR),
        ("Activities", "rep"): _list(f"={REPS_NAME}", stop=False),
        ("Activities", "type"): _list(TYPE_WORDS_FR),
        ("Targets", "scope_type"): _list(SCOPE_WORDS_FR),
        ("CoVisits", "rep"): _list(f"={REPS_NAME}", stop=False),
        ("Actions", "ritual"): _list(RITUAL_WORDS_FR),
        ("Actions", "status"): _list(ACTION_STATUS_WORDS_FR),
    }
    if (table, col.name) in lists:
        return lists[(table, col.name)]
    if col.kind == "date":
        return {"validate": "date", "criteria": ">", "value": 36526, "error_type": "warning",  # > 01/01/2000
                "error_message": "Saisissez une date au format jj/mm/aaaa."}
    if col.kind == "amount":
        return {"validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning",
                "error_message": "Un montant HT en euros, positif, sans texte."}
    if col.kind == "fraction":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "error_type": "warning",
                "error_message": "Un pourcentage entre 0 % et 100 % (tapez 25 %)."}
    if col.kind == "int" and table == "CoVisits":
        return {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 5,
                "error_message": "Une note entière de 1 à 5."}
    return None


def _template_width(col: schema.Column, frame: pd.DataFrame) -> float:
    """The data's width, but room for what people will type in an empty template (names, notes)."""
    width = styles.column_width(col, frame[col.name])
    if col.kind in ("text", "key", "choice"):
        width = max(width, TEXT_WIDTHS.get(col.name, 18))
    return width


def _decorate(workbook, sheet, table: schema.Table, frame: pd.DataFrame, fmts: dict) -> None:
    if table.written_by_product:
        return
    last = max(len(frame), 1) + VALIDATED_ROWS
    text = workbook.add_format({"num_format": "@"})
    for c, col in enumerate(table.columns):
        fmt = text if (table.name, col.name) == ("Targets", "period") else fmts[col.kind]
        # the column's format, so a row typed below the table gets it too
        sheet.set_column(c, c, _template_width(col, frame), fmt)
        if fmt is not None:
            sheet.write_blank(1, c, None, fmt)
        options = _validation(table.name, col) or {}
        prompt = PROMPTS.get((table.name, col.name))
        if prompt or col.help_fr:
            title, message = prompt or (col.label_fr, col.help_fr)
            options = {"validate": "any", **options, "input_title": title[:32], "input_message": message[:255]}
        if options:
            sheet.data_validation(1, c, last, c, options)
    _print_wide(sheet)


def _first(workbook, fmts: dict) -> None:
    ws = workbook.add_worksheet(HOW_TO_SHEET)
    ws.hide_gridlines(2)
    ws.set_column(0, 0, HOW_TO_WIDTH)
    _print_wide(ws, 0)
    looks = {"title": workbook.add_format({"bold": True, "font_size": 16, "font_color": palette.INK}),
             "note": workbook.add_format({"italic": True, "font_color": palette.MUTED, "text_wrap": True}),
             None: workbook.add_format({"text_wrap": True, "valign": "top"})}
    for r, (line, look) in enumerate(HOW_TO):
        ws.write_string(r, 0, line, looks[look])
        # prose in a wide column: about 1.25 characters of it per unit of width (seen rendered)
        if look != "title" and _lines(line, HOW_TO_WIDTH, 1.25) > 1:
            ws.set_row(r, 15 * _lines(line, HOW_TO_WIDTH, 1.25))
    cockpit = workbook.add_worksheet(COCKPIT_SHEET)
    cockpit.hide_gridlines(2)
    cockpit.set_column(0, 0, 90)
    cockpit.write_string(0, 0, "Cockpit commercial", looks["title"])
    cockpit.write_string(2, 0, "Cette feuille se remplit au premier clic sur « Rafraîchir le cockpit » "
                               "(ruban Pilotage), une fois les affaires saisies.", looks[None])
    workbook.define_name(REPS_NAME, _names_range(schema.REPS.sheet_fr))
    workbook.define_name(STAGES_NAME, _names_range(schema.STAGES.sheet_fr))


def _dictionary_sheet(dictionary: KpiDictionary):
    def last(workbook, fmts: dict) -> None:
        frame = dictionary_frame(dictionary)
        ws = workbook.add_worksheet(SHEET_FR)
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        pct = workbook.add_format({"num_format": formats.PERCENT_CODE, "valign": "top"})
        whole = workbook.add_format({"num_format": formats.INTEGER_CODE, "valign": "top"})
        widths = {"id": 26, "label_fr": 28, "label_en": 22, "definition": 48, "formula": 48, "sources": 34}
        columns = list(COLUMNS_FR)
        for c, name in enumerate(columns):
            kind = THRESHOLDS.get(name)
            ws.set_column(c, c, widths.get(name, 13), pct if kind == "fraction" else whole if kind else wrap)
        ws.add_table(0, 0, len(frame), len(columns) - 1, {
            "name": DICT_TABLE, "style": styles.TABLE_STYLE,
            "columns": [{"header": COLUMNS_FR[n], "header_format": fmts["header"]} for n in columns]})
        for r, rec in enumerate(frame.itertuples(index=False), start=1):
            lines = max(_lines(str(v), widths.get(n, 13)) for n, v in zip(columns, rec) if n not in THRESHOLDS)
            ws.set_row(r, 15 * lines)
            for c, (name, value) in enumerate(zip(columns, rec)):
                kind = THRESHOLDS.get(name)
                if kind is None:
                    ws.write_string(r, c, str(value), wrap)
                elif pd.notna(value):
                    ws.write_number(r, c, float(value), pct if kind == "fraction" else whole)
        for c, name in enumerate(columns):
            if name in THRESHOLDS:
                is_int = THRESHOLDS[name] == "int"
                ws.data_validation(1, c, len(frame), c, {
                    "validate": "integer" if is_int else "decimal", "criteria": "between", "minimum": 0,
                    "maximum": 10**6 if is_int else 1, "error_type": "warning",
                    "input_title": "Seuil d'alerte",
                    "input_message": "Un entier positif." if is_int else "Un pourcentage : tapez 25 % (ou 0,25). "
                                                                         "Vide : pas de seuil.",
                    "error_message": "Valeur hors limites : la valeur par défaut sera utilisée."})
        ws.freeze_panes(1, 1)
        ws.set_row(0, 30)
        _print_wide(ws)
    return last


def template_data(*, stages: pd.DataFrame | Sequence[tuple] | None = None,
                  reps: pd.DataFrame | Sequence[str] | None = None,
                  settings: dict[str, str] | None = None) -> PipelineData:
    """The (nearly empty) canonical data the template holds: stages, reps, settings."""
    if stages is None:
        stage_frame = schema.default_stages()
    elif isinstance(stages, pd.DataFrame):
        stage_frame = schema.conform(stages, schema.STAGES)
    else:
        stage_frame = schema.conform(pd.DataFrame(
            [dict(zip(("stage", "order", "is_won", "is_lost", "probability"), s)) for s in stages]), schema.STAGES)
    if reps is None:
        rep_frame = schema.REPS.empty()
    elif isinstance(reps, pd.DataFrame):
        rep_frame = schema.conform(reps, schema.REPS)
    else:
        rep_frame = schema.conform(pd.DataFrame({"rep": [str(r) for r in reps], "active": True}), schema.REPS)
    values = dict(DEFAULT_SETTINGS) | dict(settings or {})
    setting_frame = schema.conform(pd.DataFrame({"key": list(values), "value": list(values.values())}),
                                   schema.SETTINGS)
    setting_frame["value"] = setting_frame["value"].replace("", pd.NA)
    return PipelineData(stages=stage_frame, reps=rep_frame, settings=setting_frame)


def write_pipeline_template(path: str | os.PathLike, *, stages: pd.DataFrame | Sequence[tuple] | None = None,
                            reps: pd.DataFrame | Sequence[str] | None = None,
                            settings: dict[str, str] | None = None,
                            dictionary: KpiDictionary = DEFAULT_DICTIONARY, overwrite: bool = False) -> Path:
    """Write the empty pipeline template at ``path`` (atomic, refuses a file open in Excel); return the path.

    For ``pilotage template pipeline OUT.xlsx``.  An existing file is refused
    (``UsageError``) unless ``overwrite``: a template must never replace a
    company's filled workbook.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise UsageError(f"le fichier {path} existe déjà : choisissez un autre nom (le modèle ne remplace "
                         "jamais un classeur existant).")
    data = template_data(stages=stages, reps=reps, settings=settings)
    return write_pipeline_workbook(data, path, extras=Extras(first=_first, each=_decorate,
                                                             last=_dictionary_sheet(dictionary)))
