"""The « Qualité des données » sheet: what a manager must fix in the file, grouped by problem.

The refresh adds it to the client's workbook next to the cockpit, whose
data-quality badge points to it (``QUALITY_LINK``). It holds the same content
as ``pilotage check`` (``kpicore.quality_text.check_report``): the row counts,
then one line per problem with its count, its first rows and the fix in plain
French, then the detail, one line per issue (sheet, row as Excel shows it, a
link to that row when it is in this workbook, column, value).

Every text comes from the client's file or from our messages and is written
with ``write_string``: never a formula, whatever its first character.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore import schema
from kpicore.dataset import PipelineData
from kpicore.quality import ERROR
from kpicore.quality_text import check_report
from workbook_templates import styles

QUALITY_SHEET = schema.QUALITY_SHEET
QUALITY_LINK = f"internal:'{QUALITY_SHEET}'!A1"
# one line per issue below the summary, up to this many (the summary always counts them all)
MAX_DETAIL_ROWS = 5_000
_SHOWN_VALUE = 200  # characters of a cell's value shown in the detail
_LABELS = {t.name: t.sheet_fr for t in schema.TABLES.values()}
_SEVERITY = {ERROR: "Ligne exclue", "warning": "Corrigée"}


def _first_rows(first: list[dict], count: int) -> str:
    shown = [f"{f['sheet']}!{f['row']}" for f in first if f["row"] is not None]
    text = ", ".join(shown)
    if count > len(shown) and shown:
        text += f" … (+{count - len(shown)})"
    return text


def _link_target(sheet: str, row: int) -> str:
    return "internal:'" + sheet.replace("'", "''") + f"'!A{row}"


def write_quality_sheet(workbook: Workbook, worksheet: Worksheet, data: PipelineData) -> None:
    """Fill ``worksheet`` with the data-quality report of ``data`` (see the module docstring)."""
    title = workbook.add_format({"bold": True, "font_size": 14, "font_color": styles.INK})
    header = workbook.add_format({"bold": True, "font_color": styles.HEADER_FONT, "bg_color": styles.INK,
                                  "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    count_fmt = workbook.add_format({"num_format": "0", "valign": "top"})
    bad = workbook.add_format({"font_color": styles.BAD, "bold": True, "valign": "top"})
    warn = workbook.add_format({"font_color": styles.WARNING, "bold": True, "valign": "top"})
    link = workbook.add_format({"font_color": styles.NEUTRAL, "underline": 1, "valign": "top"})
    report = check_report(data)
    ws = worksheet
    for col, width in enumerate((16, 18, 18, 50, 9, 34, 60, 24)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, QUALITY_SHEET, title)
    ws.write_string(1, 0, f"Fichier : {report['source']}")
    ws.write_string(2, 0, report["badge"], bad if data.quality.errors else warn if data.quality.issues else None)
    t = report["row_totals"]
    ws.write_string(3, 0, f"{t['data']} ligne(s) lue(s), {t['kept']} gardée(s), {t['excluded']} exclue(s)"
                    + (f", {t['duplicates_merged']} doublon(s) fusionné(s)" if t["duplicates_merged"] else ""))
    row = 5
    groups = [(ERROR, g) for g in report["errors"]] + [("warning", g) for g in report["warnings"]]
    if not groups:
        ws.write_string(row, 0, "Aucun problème : toutes les lignes ont été lues telles quelles.")
        return
    ws.write_string(row, 0, "À corriger, par problème (les plus fréquents d'abord)", title)
    row += 1
    ws.write_row(row, 0, ["Effet", "Table", "Colonne", "Problème", "Nombre", "Premières lignes",
                          "Comment corriger"], header)
    row += 1
    for severity, g in groups:
        problem = g["first"][0]["detail"] if g["count"] == 1 and g["first"] else g["problem"]
        ws.write_string(row, 0, _SEVERITY[severity], bad if severity == ERROR else warn)
        ws.write_string(row, 1, _LABELS.get(g["table"], g["table"]) or "", wrap)
        ws.write_string(row, 2, g["column"] or "", wrap)
        ws.write_string(row, 3, problem, wrap)
        ws.write_number(row, 4, g["count"], count_fmt)
        ws.write_string(row, 5, _first_rows(g["first"], g["count"]), wrap)
        ws.write_string(row, 6, g["fix"], wrap)
        row += 1

    row += 1
    issues = data.quality.issues
    ws.write_string(row, 0, "Détail, une ligne par problème trouvé", title)
    row += 1
    ws.write_row(row, 0, ["Effet", "Table", "Feuille", "Ligne", "Colonne", "Valeur", "Problème",
                          "Comment corriger"], header)
    if len(issues) > 30:
        ws.freeze_panes(row + 1, 0)  # a long detail keeps its header in view
    row += 1
    workbook_source = (data.source or "").lower().endswith((".xlsx", ".xlsm"))
    ordered = sorted(issues, key=lambda i: (i.severity != ERROR, i.table, i.sheet, i.row or 0))
    for issue in ordered[:MAX_DETAIL_ROWS]:
        ws.write_string(row, 0, _SEVERITY.get(issue.severity, issue.severity),
                        bad if issue.severity == ERROR else warn)
        ws.write_string(row, 1, _LABELS.get(issue.table, issue.table) or "")
        ws.write_string(row, 2, issue.sheet or "")
        if issue.row is not None and issue.sheet and workbook_source:
            ws.write_url(row, 3, _link_target(issue.sheet, issue.row), link, str(issue.row),
                         f"Aller à la ligne {issue.row} de « {issue.sheet} »"[:255])
        elif issue.row is not None:
            ws.write_number(row, 3, issue.row, count_fmt)
        ws.write_string(row, 4, issue.column or "")
        value = issue.value or ""
        ws.write_string(row, 5, value if len(value) <= _SHOWN_VALUE else value[:_SHOWN_VALUE] + "…")
        ws.write_string(row, 6, issue.problem, wrap)
        ws.write_string(row, 7, issue.fix, wrap)
        row += 1
    if len(issues) > MAX_DETAIL_ROWS:
        ws.write_string(row, 0, f"… et {len(issues) - MAX_DETAIL_ROWS} autre(s) : la liste complète est "
                                "donnée par « pilotage check FICHIER ».")


def quality_sheet_part(data: PipelineData):
    """The sheet as a ``package.SheetPart`` for ``replace_sheets`` (visible, after the cockpit)."""
    from workbook_templates.package import SheetPart

    return SheetPart(lambda wb, ws: write_quality_sheet(wb, ws, data))


__all__ = ["MAX_DETAIL_ROWS", "QUALITY_LINK", "QUALITY_SHEET", "quality_sheet_part", "write_quality_sheet"]
