"""The report of ``pilotage check FILE``: the mapping found and the data quality, in French.

:func:`check_report` gives a plain dict (for ``--json``: schema
``kpicore/model/json_schemas/check.v1.json``, after the envelope every JSON document
shares); :func:`check_report_text` renders the same content as text.  Issues are grouped by problem (the
details in parentheses, such as a date or the other copy of a duplicate, are
left out of the grouping), with their count and their first rows.
"""

from __future__ import annotations

import re
from typing import Any

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope
from kpicore.model.quality import ERROR

ROWS_SHOWN = 8
_LABELS = {t.name: t.sheet_fr for t in schema.TABLES.values()}


def _group_key(problem: str) -> str:
    # details in parentheses (a date, the other copy of a duplicate) do not make another
    # problem; French plural marks such as "ligne(s)" stay
    return re.sub(r"\s*\((?!s\))[^)]*\)", "", problem).strip()


def _groups(data: PipelineData, severity: str) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i in data.quality.issues:
        if i.severity != severity:
            continue
        key = (i.table, _group_key(i.problem), i.column)
        g = groups.setdefault(key, {"table": i.table, "problem": key[1], "column": i.column, "fix": i.fix,
                                    "count": 0, "first": []})
        g["count"] += 1
        if len(g["first"]) < ROWS_SHOWN:
            g["first"].append({"file": i.file, "sheet": i.sheet, "row": i.row, "value": i.value,
                               "detail": i.problem})
    return sorted(groups.values(), key=lambda g: -g["count"])


def check_report(data: PipelineData) -> dict[str, Any]:
    """The mapping and the quality report as plain data (JSON-serialisable, schema ``check.v1.json``)."""
    sheets = []
    for g in (data.ingest.grids if data.ingest else ()):
        sheets.append({
            "file": g.file, "sheet": g.sheet, "excel_table": g.table_name, "table": g.table,
            "chosen_by": g.chosen_by, "header_row": g.header_row,
            "columns": [{"letter": c.letter, "header": c.header, "column": c.column, "how": c.how}
                        for c in g.columns],
            "missing_optional": sorted(
                c.name for c in schema.TABLES[g.table].columns
                if not c.required and c.name not in {m.column for m in g.columns}) if g.table else [],
            "rows": {"data": len(g.data_rows), "kept": len(g.kept), "excluded": len(g.excluded),
                     "duplicates_merged": len(g.merged), "total_rows_skipped": len(g.total_rows)},
            "headers_seen": list(g.headers_seen),
        })
    read = [s for s in sheets if s["table"]]
    totals = {k: sum(s["rows"][k] for s in read) for k in ("data", "kept", "excluded", "duplicates_merged")}
    return {
        **envelope("check", data.source, None),  # a report on a file: no as-of date
        "row_totals": totals,
        "tables": sorted(data.present),
        "rows": {name: len(frame) for name, frame in data.frames().items() if len(frame)},
        "sheets": sheets,
        "badge": data.quality.badge(),
        "errors": _groups(data, ERROR),
        "warnings": _groups(data, "warning"),
    }


def _where(first: list[dict[str, Any]], count: int) -> str:
    parts = []
    for f in first:
        if f["row"] is None:
            continue
        parts.append(f"{f['sheet']}!{f['row']}" + (f" « {f['value']} »" if f["value"] else ""))
    more = count - len(parts)
    text = ", ".join(parts)
    if more > 0 and parts:
        text += f" … (+{more})"
    return text


def check_report_text(data: PipelineData) -> str:
    """``pilotage check``: what was read where, how the columns were mapped, what is wrong."""
    r = check_report(data)
    out = [f"Fichier : {r['source']}", ""]
    read = [s for s in r["sheets"] if s["table"]]
    ignored = [s for s in r["sheets"] if not s["table"]]
    out.append("Tables reconnues :" if read else "Aucune table reconnue.")
    for s in read:
        where = f"feuille « {s['sheet']} »" + (f", table Excel « {s['excel_table']} »" if s["excel_table"] else "")
        n = s["rows"]
        out.append(f"- {_LABELS[s['table']]} ({s['table']}) ← {where}, en-têtes ligne {s['header_row']} "
                   f"(reconnue par {s['chosen_by']})")
        out.append(f"  lignes : {n['data']} lues, {n['kept']} gardées, {n['excluded']} exclues"
                   + (f", {n['duplicates_merged']} doublon(s) fusionné(s)" if n["duplicates_merged"] else "")
                   + (f", {n['total_rows_skipped']} ligne(s) de total ignorée(s)" if n["total_rows_skipped"]
                      else ""))
        mapped = [c for c in s["columns"] if c["column"]]
        extras = [c for c in s["columns"] if not c["column"]]
        for c in mapped:
            how = " (Paramètres)" if c["how"] == "paramètre" else ""
            out.append(f"    {c['letter']:>3} « {c['header']} » → {c['column']}{how}")
        if extras:
            out.append("    gardées telles quelles (non reconnues) : "
                       + ", ".join(f"« {c['header'] or 'colonne ' + c['letter']} »" for c in extras))
        if s["missing_optional"]:
            out.append("    facultatives absentes : " + ", ".join(s["missing_optional"]))
    if ignored:
        out.append("")
        out.append("Feuilles ignorées :")
        for s in ignored:
            seen = f" ; vu : {s['headers_seen'][0]}" if s["headers_seen"] else ""
            out.append(f"- « {s['sheet']} » : {s['chosen_by']}{seen}")
    t = r["row_totals"]
    # row counts from the ingest (QualityReport.badge counts issues, several per row at times)
    out += ["", f"Bilan : {t['data']} ligne(s) lue(s), {t['kept']} gardée(s), {t['excluded']} exclue(s)"
            + (f", {t['duplicates_merged']} doublon(s) fusionné(s)" if t["duplicates_merged"] else "")
            + f" ; {len(data.quality.errors)} erreur(s), {len(data.quality.warnings)} correction(s)."]
    for title, groups in (("Erreurs (lignes exclues)", r["errors"]), ("Corrections (lignes gardées)", r["warnings"])):
        if not groups:
            continue
        out += ["", f"{title} :"]
        for g in groups:
            col = f", colonne « {g['column']} »" if g["column"] else ""
            problem = g["first"][0]["detail"] if g["count"] == 1 else g["problem"]
            out.append(f"- [{_LABELS.get(g['table'], g['table'])}{col}] {problem} : {g['count']}")
            where = _where(g["first"], g["count"])
            if where:
                out.append(f"    {where}")
            out.append(f"    → {g['fix']}")
    return "\n".join(out) + "\n"


def check_summary_text(data: PipelineData, max_problems: int = 4) -> str:
    """A short report for a message box (Excel ribbon, LibreOffice menu): rows kept and excluded per
    table, the totals, the main problems with their fix. ``max_problems``: a message box shows about
    1,000 characters well."""
    r = check_report(data)
    out = []
    for sh in r["sheets"]:
        if sh["table"]:
            n = sh["rows"]
            out.append(f"• {sh['sheet']} : {n['kept']} ligne(s) gardée(s), {n['excluded']} exclue(s)")
    t = r["row_totals"]
    out.append(f"Bilan : {t['data']} lue(s), {t['kept']} gardée(s), {t['excluded']} exclue(s) ; "
               f"{len(data.quality.errors)} erreur(s), {len(data.quality.warnings)} correction(s).")
    for g in r["errors"][:max_problems]:
        first = g["first"][0] if g["first"] else {}
        where = f" (ex. {first.get('sheet')}!{first.get('row')})" if first.get("row") else ""
        out.append(f"✗ {g['problem']} : {g['count']}{where}\n   → {g['fix']}")
    if len(r["errors"]) > max_problems or r["warnings"]:
        out.append("Rapport complet : pilotage check <classeur> en ligne de commande.")
    if not r["errors"]:
        out.append("Aucune ligne exclue : les données sont utilisables telles quelles.")
    return "\n".join(out)

