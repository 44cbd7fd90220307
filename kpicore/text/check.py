"""``pilotage check`` at the edges: the report of ``kpicore.ingest.quality_text`` in one language.

:func:`check_report_json` is the JSON document (schema ``check.v2.json``) with
every message rendered; :func:`check_report_text` the full text report;
:func:`check_summary_text` the short one a message box shows; :func:`error_text`
a refused file (``InputFileError``) in the reader's language.
"""

from __future__ import annotations

from typing import Any

from kpicore.ingest.quality_text import HOW_SETTING, check_report, table_label
from kpicore.model.errors import InputFileError, PilotageError
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData
from kpicore.text.catalogue import DEFAULT_LANGUAGE, render, say


def rendered(value: Any, language: str) -> Any:
    """``value`` (a dict, list, tuple or message, nested) with every ``Message`` rendered."""
    if isinstance(value, Message):
        return render(value, language)
    if isinstance(value, dict):
        return {k: rendered(v, language) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rendered(v, language) for v in value]
    return value


def check_report_json(data: PipelineData, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The check report as JSON values, its texts in ``language``."""
    return rendered(check_report(data), language)


def _where(first: list[dict[str, Any]], count: int, language: str) -> str:
    parts = []
    for f in first:
        if f["row"] is None:
            continue
        value = render(f["value"], language)
        parts.append(f"{f['sheet']}!{f['row']}" + (" " + say("quality.quoted", language, text=value) if value else ""))
    more = count - len(parts)
    text = ", ".join(parts)
    if more > 0 and parts:
        text += f" … (+{more})"
    return text


def _counts(n: dict[str, int], language: str, *, code: str = "check.counts", merged: str = "duplicates_merged"
            ) -> str:
    text = say(code, language, read=n["data"], kept=n["kept"], excluded=n["excluded"])
    if n.get(merged):
        text += say("check.count.merged", language, n=n[merged])
    if n.get("total_rows_skipped"):
        text += say("check.count.totals", language, n=n["total_rows_skipped"])
    return text


def check_report_text(data: PipelineData, language: str = DEFAULT_LANGUAGE) -> str:
    """``pilotage check``: what was read where, how the columns were mapped, what is wrong."""
    lang = language
    r = check_report(data)
    out = [say("quality.sheet.file", lang, source=r["source"]), ""]
    read = [s for s in r["sheets"] if s["table"]]
    ignored = [s for s in r["sheets"] if not s["table"]]
    out.append(say("check.tables_found" if read else "check.no_table", lang))
    for s in read:
        where = say("quality.place.sheet", lang, sheet=s["sheet"])
        if s["excel_table"]:
            where += ", " + say("quality.place.excel_table", lang, name=s["excel_table"])
        out.append(say("check.table", lang, label=table_label(s["table"]), table=s["table"], where=where,
                       row=s["header_row"], how=s["chosen_by"]))
        out.append(say("check.rows", lang, counts=_counts(s["rows"], lang)))
        mapped = [c for c in s["columns"] if c["column"]]
        extras = [c for c in s["columns"] if not c["column"]]
        for c in mapped:
            how = say("check.from_settings", lang) if c["how"] == HOW_SETTING else ""
            out.append(f"    {c['letter']:>3} " + say("check.column_mapped", lang, header=c["header"],
                                                       column=c["column"]) + how)
        if extras:
            names = ", ".join(say("quality.quoted", lang, text=c["header"] or say("check.column_letter", lang,
                                                                                  letter=c["letter"]))
                              for c in extras)
            out.append("    " + say("check.extras", lang, columns=names))
        if s["missing_optional"]:
            out.append("    " + say("check.missing_optional", lang, columns=", ".join(s["missing_optional"])))
    if r["choices"]:
        out += ["", say("recognition.check.choices", lang)]
        out += choice_lines(r["choices"], lang)
    if r["notes"]:
        out += ["", say("recognition.check.notes", lang)]
        out += [f"  - {render(n, lang)}" for n in r["notes"]]
    if ignored:
        out += ["", say("check.ignored_sheets", lang)]
        for s in ignored:
            seen = say("check.seen", lang, headers=s["headers_seen"][0]) if s["headers_seen"] else ""
            out.append(say("check.ignored_sheet", lang, sheet=s["sheet"], why=s["chosen_by"]) + seen)
    t = r["row_totals"]
    # row counts from the ingest (QualityReport.badge counts issues, several per row at times)
    counts = _counts(t, lang, code="quality.sheet.rows")
    out += ["", say("check.summary", lang, counts=counts, errors=len(data.quality.errors),
                    warnings=len(data.quality.warnings))]
    for title, groups in (("check.errors", r["errors"]), ("check.warnings", r["warnings"])):
        if not groups:
            continue
        out += ["", say(title, lang)]
        for g in groups:
            col = say("check.group_column", lang, column=g["column"]) if g["column"] else ""
            problem = g["first"][0]["detail"] if g["count"] == 1 else g["problem"]
            out.append(say("check.group", lang, table=table_label(g["table"]), column=col, problem=problem,
                           count=g["count"]))
            where = _where(g["first"], g["count"], lang)
            if where:
                out.append(f"    {where}")
            out.append(f"    → {render(g['fix'], lang)}")
    return "\n".join(out) + "\n"


def choice_lines(choices: list[dict[str, Any]], language: str) -> list[str]:
    """One line per column choice that is not an exact known header (``quality_text.choices_report``), with its
    evidence and its runner-up."""
    lang = language
    out = []
    for c in choices:
        where = say("recognition.check.where", lang, sheet=c["sheet"], table=table_label(c["table"]))
        chosen = c["chosen"]
        if chosen is None:
            line = say("recognition.check.none", lang, column=c["label"], where=where)
        else:
            line = say("recognition.check.guess" if c["guess"] else "recognition.check.choice", lang,
                       letter=chosen["letter"], header=chosen["header"], column=c["label"], how=c["how"],
                       confidence=chosen["confidence"], where=where)
        out.append("    " + line)
        if chosen is not None and chosen["evidence"]:
            out.append("        " + say("recognition.check.evidence", lang,
                                        evidence=chained("recognition.evidence.join", chosen["evidence"])))
        if c["runner_up"] is not None:
            r = c["runner_up"]
            out.append("        " + say("recognition.check.runner_up", lang, header=r["header"], letter=r["letter"],
                                        confidence=r["confidence"]))
        if c["vanished"]:
            out.append("        " + say("recognition.check.vanished", lang, header=c["vanished"]))
    return out


def check_summary_text(data: PipelineData, max_problems: int = 4, language: str = DEFAULT_LANGUAGE) -> str:
    """A short report for a message box (Excel ribbon, LibreOffice menu): rows kept and excluded per
    table, the totals, the main problems with their fix. ``max_problems``: a message box shows about
    1,000 characters well."""
    lang = language
    r = check_report(data)
    out = []
    for sh in r["sheets"]:
        if sh["table"]:
            n = sh["rows"]
            out.append(say("check.box.sheet", lang, sheet=sh["sheet"], kept=n["kept"], excluded=n["excluded"]))
    t = r["row_totals"]
    counts = _counts({**t, "total_rows_skipped": 0}, lang, code="quality.sheet.rows")
    out.append(say("check.summary", lang, counts=counts,
                   errors=len(data.quality.errors), warnings=len(data.quality.warnings)))
    for g in r["errors"][:max_problems]:
        first = g["first"][0] if g["first"] else {}
        example = say("check.box.example", lang, sheet=first.get("sheet"), row=first.get("row")) \
            if first.get("row") else ""
        out.append(say("check.box.problem", lang, problem=g["problem"], count=g["count"], example=example)
                   + f"\n   → {render(g['fix'], lang)}")
    if len(r["errors"]) > max_problems or r["warnings"]:
        out.append(say("check.box.full", lang))
    if not r["errors"]:
        out.append(say("check.box.clean", lang))
    return "\n".join(out)


def error_text(err: PilotageError, language: str = DEFAULT_LANGUAGE) -> str:
    """A refused file in ``language``: where, what, then the fix; ``str(err)`` (French) when the raiser
    gave no message."""
    if not isinstance(err, InputFileError) or err.said is None:
        return str(err)
    text = render(err.said, language)
    if err.place is not None:
        text = say("quality.where_said", language, where=err.place, said=text)
    fix = render(err.fix_said, language) if err.fix_said is not None else err.fix
    return text + (f"\n→ {fix}" if fix else "")
