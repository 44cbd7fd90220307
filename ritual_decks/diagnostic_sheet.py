"""The free diagnostic as a workbook of one sheet: the deck's content as a table a consultant can sort,
filter and paste (section, item, value, detail), figures as numbers with their format."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kpicore.forecast.diagnostic import Diagnostic, how_message
from kpicore.model.messages import Message
from kpicore.text.catalogue import render, say
from workbook_templates.safe_file import publish

PERCENT, INT, NUMBER, MONEY = "0%", "#,##0", "#,##0.0", '#,##0 "€"'
_FORMAT_OF_UNIT = {"fraction": PERCENT, "eur": MONEY, "days": INT, "per_week": NUMBER, "per_month": NUMBER}


def sheet_rows(dg: Diagnostic, language: str) -> list[tuple[str, str, float | int | str | None, str, str]]:
    """(section, item, value, detail, number format) of every line of the sheet."""
    t = lambda code, **f: say(f"diagnostic.{code}", language, **f)  # noqa: E731
    r = lambda m: render(m, language)  # noqa: E731
    rows: list[tuple[str, str, float | int | str | None, str, str]] = []
    s = t("sheet.section.summary")
    rows.append((s, t("summary.title", supported=dg.supported), dg.supported, "", INT))
    rows.append((s, t("summary.recognised"), dg.recognised_share, t("of", found=dg.recognised, total=dg.canonical),
                 PERCENT))
    rows.append((s, t("summary.kept"), dg.kept / dg.rows if dg.rows else None, "", PERCENT))
    s = t("sheet.section.recognition")
    for tr in dg.tables:
        table = r(Message.of(f"quality.table.{tr.table}"))
        for c in tr.columns:
            name = r(Message.of(f"quality.column.{tr.table}.{c.column}"))
            rows.append((s, t("sheet.column", table=table, column=name),
                         c.header, r(how_message(c)), ""))
        for m in tr.missing_required:
            rows.append((s, t("sheet.column", table=table, column=r(Message.of(f"quality.column.{tr.table}.{m}"))),
                         None, t("recognition.missing", columns=r(Message.of(f"quality.column.{tr.table}.{m}"))), ""))
    for a in dg.absent:
        rows.append((s, r(Message.of(f"quality.table.{a}")), None, t("recognition.absent", tables=""), ""))
    s = t("sheet.section.kpis")
    for k in dg.kpis:
        rows.append((s, t(f"kpi.{k.kpi}"), k.value, r(k.unlock) if k.unlock else t("head.value", period=dg.period),
                     _FORMAT_OF_UNIT.get(k.unit, NUMBER)))
    rows.append((s, t("kpi.forecast"), t("yes" if dg.forecast_supported else "no"),
                 r(dg.forecast_unlock) if dg.forecast_unlock else "", ""))
    s = t("sheet.section.quality")
    for code, value in (("rows_read", dg.rows), ("kept", dg.kept), ("excluded", dg.excluded), ("merged", dg.merged),
                        ("errors", dg.errors), ("warnings", dg.warnings)):
        rows.append((s, t(f"sheet.{code}"), value, "", INT))
    for p in dg.problems:
        rows.append((s, r(p.problem), p.count, r(Message.of(f"quality.table.{p.table}")) if p.table else "", INT))
    s = t("sheet.section.accuracy")
    rows.append((s, t("sheet.history"), dg.history_months, "", NUMBER))
    if dg.accuracy:
        for a in dg.accuracy:
            rows.append((s, t(f"method.{a.method}"), a.error, t("reliable", error=a.error) if a.error is not None
                         else "", PERCENT))
    else:
        rows.append((s, t("accuracy.title_none"), None, r(dg.accuracy_reason), ""))
    return rows


def write_diagnostic_sheet(dg: Diagnostic, out_path: Path | str, *, language: str = "fr") -> Path:
    """The diagnostic's workbook at ``out_path`` (temporary file, then rename)."""
    import xlsxwriter

    out = Path(out_path)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet(say("diagnostic.sheet.name", language))
        head = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        formats = {code: wb.add_format({"num_format": code}) for code in (PERCENT, INT, NUMBER, MONEY)}
        heads = [say(f"diagnostic.sheet.head.{h}", language) for h in ("section", "item", "value", "detail")]
        ws.write_row(0, 0, heads, head)
        rows = sheet_rows(dg, language)
        for i, (section, item, value, detail, fmt) in enumerate(rows, start=1):
            ws.write_string(i, 0, section)
            ws.write_string(i, 1, item)
            if value is None:
                ws.write_blank(i, 2, None)
            elif isinstance(value, str):
                ws.write_string(i, 2, value)  # the client's header, never a formula
            else:
                ws.write_number(i, 2, float(value), formats.get(fmt))
            ws.write_string(i, 3, detail)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 48)
        ws.set_column(2, 2, 22)
        ws.set_column(3, 3, 70)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), 3)
        wb.close()
        publish(Path(tmp), out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
