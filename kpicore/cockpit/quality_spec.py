"""The « Qualité des données » sheet as data (a ``CockpitSpec``), so that every engine writes it.

It holds the same content as ``pilotage check`` (``kpicore.ingest.quality_text.check_report``):
the row counts, then one line per problem with its count, its first rows and
the fix, then the detail, one line per issue (sheet, row as Excel shows it, a
link to that row when it is in this workbook, column, value).  Every text of
the product is a catalogue ``Message`` in its cell: the edge renders the spec in
the reader's language, then sizes the rows to the text (``fitted``).

Links are ``HYPERLINK`` formulas composed here (never from the client's
text), so the file writer, Excel and Calc all carry them the same way; every
text from the client's file is a value, never a formula.
"""

from __future__ import annotations

from dataclasses import replace

from kpicore.model import schema
from kpicore.cockpit.spec import Block, Cell, CockpitSpec, PrintSetup
from kpicore.model.message_lists import chained
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.quality import ERROR
from kpicore.ingest.quality_text import check_report, table_label

QUALITY_SHEET = schema.QUALITY_SHEET
# one line per issue below the summary, up to this many (the summary always counts them all)
MAX_DETAIL_ROWS = 5_000
SHOWN_VALUE = 200  # characters of a cell's value shown in the detail
COLUMN_WIDTHS = (16.0, 18.0, 18.0, 50.0, 9.0, 34.0, 60.0, 24.0)
_SEVERITY = {ERROR: Message.of("quality.severity.error"), "warning": Message.of("quality.severity.warning")}


def _headers(*names: str) -> tuple[Cell, ...]:
    return tuple(Cell(Message.of(f"quality.header.{n}"), "header") for n in names)


def first_rows(first: list[dict], count: int) -> str:
    shown = [f"{f['sheet']}!{f['row']}" for f in first if f["row"] is not None]
    text = ", ".join(shown)
    if count > len(shown) and shown:
        text += f" … (+{count - len(shown)})"
    return text


def _text_literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def row_link(sheet: str, row: int) -> str:
    """A formula that shows ``row`` and jumps to column A of that row of ``sheet`` in this workbook."""
    target = "#'" + sheet.replace("'", "''") + f"'!A{row}"
    return f"=HYPERLINK({_text_literal(target)},{_text_literal(str(row))})"


def _severity_style(severity: str) -> str:
    return "bad_text" if severity == ERROR else "warn_text"


def guess_rows(choices: list[dict]) -> list[tuple[Cell, ...]]:
    """The section « Colonnes devinées », first on the sheet: each column used though found only with low
    confidence, with its evidence and its runner-up; nothing when no column was guessed."""
    guesses = [c for c in choices if c["guess"]]
    if not guesses:
        return []
    rows: list[tuple[Cell, ...]] = [(Cell(Message.of("recognition.sheet.guesses"), "section"),),
                                    (Cell(Message.of("recognition.sheet.fix"), "warn_text"),),
                                    tuple(Cell(Message.of(f"recognition.sheet.header.{n}"), "header")
                                          for n in ("table", "column", "header", "confidence", "evidence",
                                                    "runner_up"))]
    for c in guesses:
        chosen, runner = c["chosen"], c["runner_up"]
        rows.append((Cell(table_label(c["table"]), "wrap"), Cell(c["label"], "wrap"),
                     Cell(f"{chosen['letter']} : {chosen['header']}", "wrap"), Cell(chosen["confidence"], "percent"),
                     Cell(chained("recognition.evidence.join", list(chosen["evidence"])) or "", "wrap"),
                     Cell(f"{runner['letter']} : {runner['header']}" if runner else "", "wrap")))
    rows.append(())
    return rows


def build_quality_spec(data: PipelineData, *, max_detail_rows: int = MAX_DETAIL_ROWS) -> CockpitSpec:
    """The quality sheet of ``data`` (see the module docstring)."""
    report = check_report(data)
    rows: list[tuple[Cell, ...]] = [
        (Cell(Message.of("quality.sheet.title"), "title"),),
        (Cell(Message.of("quality.sheet.file", source=report["source"] or "")),),
        (Cell(report["badge"], "bad_text" if data.quality.errors else "warn_text" if data.quality.issues
              else "text"),),
    ]
    t = report["row_totals"]
    counts = [Message.of("quality.sheet.rows", read=t["data"], kept=t["kept"], excluded=t["excluded"])]
    if t["duplicates_merged"]:
        counts.append(Message.of("quality.sheet.merged", merged=t["duplicates_merged"]))
    rows.append((Cell(chained("quality.list", counts)),))
    rows.append(())
    rows.extend(guess_rows(report["choices"]))
    if report["notes"]:  # said once for the whole file: an id derived, a stage from the status, a target spread
        rows.append((Cell(Message.of("recognition.check.notes"), "section"),))
        rows.extend((Cell(note),) for note in report["notes"])
        rows.append(())
    freeze = 0
    groups = [(ERROR, g) for g in report["errors"]] + [("warning", g) for g in report["warnings"]]
    if not groups:
        rows.append((Cell(Message.of("quality.sheet.clean")),))
    else:
        rows.append((Cell(Message.of("quality.sheet.by_problem"), "section"),))
        rows.append(_headers("effect", "table", "column", "problem", "count", "first_rows", "fix"))
        for severity, g in groups:
            problem = g["first"][0]["detail"] if g["count"] == 1 and g["first"] else g["problem"]
            rows.append((Cell(_SEVERITY[severity], _severity_style(severity)),
                         Cell(table_label(g["table"]), "wrap"),
                         Cell(g["column"] or "", "wrap"), Cell(problem, "wrap"), Cell(g["count"], "integer"),
                         Cell(first_rows(g["first"], g["count"]), "wrap"), Cell(g["fix"], "wrap")))
        rows.append(())
        issues = data.quality.issues
        rows.append((Cell(Message.of("quality.sheet.detail"), "section"),))
        rows.append(_headers("effect", "table", "sheet", "row", "column", "value", "problem", "fix"))
        if len(issues) > 30:
            freeze = len(rows)  # a long detail keeps its header in view
        workbook_source = (data.source or "").lower().endswith((".xlsx", ".xlsm"))
        ordered = sorted(issues, key=lambda i: (i.severity != ERROR, i.table, i.sheet, i.row or 0))
        for issue in ordered[:max_detail_rows]:
            if issue.row is not None and issue.sheet and workbook_source:
                where = Cell(str(issue.row), "link", formula=row_link(issue.sheet, issue.row))
            elif issue.row is not None:
                where = Cell(issue.row, "integer")
            else:
                where = Cell(None)
            value = issue.value or ""
            if isinstance(value, str) and len(value) > SHOWN_VALUE:
                value = value[:SHOWN_VALUE] + "…"
            rows.append((Cell(_SEVERITY.get(issue.severity, issue.severity), _severity_style(issue.severity)),
                         Cell(table_label(issue.table), "wrap"), Cell(issue.sheet or "", "wrap"),
                         where, Cell(issue.column or "", "wrap"), Cell(value, "wrap"),
                         Cell(issue.problem, "wrap"), Cell(issue.fix, "wrap")))
        if len(issues) > max_detail_rows:
            rows.append((Cell(Message.of("quality.sheet.more", n=len(issues) - max_detail_rows)),))
    width = len(COLUMN_WIDTHS)
    cells = tuple(row + (Cell(None),) * (width - len(row)) for row in rows)
    return CockpitSpec(QUALITY_SHEET, "quality", data.setting("language", "fr") or "fr",
                       (Block("quality", 0, 0, cells),), column_widths=COLUMN_WIDTHS,
                       row_heights=wrapped_heights(cells), print_setup=PrintSetup(fit_height=0),
                       freeze_rows=freeze)


def fitted(spec: CockpitSpec) -> CockpitSpec:
    """``spec`` once rendered (its cells hold text), with row heights that fit the text of its language."""
    return replace(spec, row_heights=wrapped_heights(spec.blocks[0].cells))


def wrapped_heights(rows: tuple[tuple[Cell, ...], ...], line_points: float = 12.75) -> dict[int, float]:
    """Row heights (points) that show every line of the wrapped cells: no writer sizes rows to their text.
    A cell still holding a message counts one line until the spec is rendered (``fitted``)."""
    heights = {}
    for r, row in enumerate(rows):
        lines = 1
        for c, cell in enumerate(row):
            if cell.style in ("wrap", "header") and isinstance(cell.value, str) and c < len(COLUMN_WIDTHS):
                per_line = max(COLUMN_WIDTHS[c] * 1.15, 1.0)  # characters of a 10-point font per column width
                lines = max(lines, -(-len(cell.value) // int(per_line)))
        if lines > 1:
            heights[r] = lines * line_points
    return heights
