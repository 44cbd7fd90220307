"""The report of ``pilotage check FILE`` as data: the mapping found and the data quality.

:func:`check_report` gives a plain dict whose texts are catalogue ``Message``s
(the edges render it: ``kpicore.text.check`` for the text and the JSON of
schema ``kpicore/model/json_schemas/check.v2.json``; the quality sheet).  Issues
are grouped by problem, the details of one row (a date, the other copy of a
duplicate, the rows of a repaired column) left out of the grouping, with their
count and their first rows.  ``choices`` lists each column choice that is not an exact known header
(found by evidence, chosen by a person or a setting, or whose chosen header vanished), guesses first.
"""

from __future__ import annotations

import re
from typing import Any

from kpicore.model import schema
from kpicore.model.messages import Message
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.json_schemas import envelope
from kpicore.model.quality import ERROR
from kpicore.model.ingest_report import (HOW_DERIVED, HOW_EVIDENCE, HOW_PERSON, HOW_SYNONYM, Candidate,
                                         ColumnChoice, GridReport)
from kpicore.model.ingest_report import HOW_SETTING as HOW_SETTING_CODE
from kpicore.ingest.evidence import column_label

ROWS_SHOWN = 8
# a problem with the details of its row, and the same problem for a group of rows
_GROUPED = {
    "quality.problem.repaired_cells": "quality.problem.repaired",
    "quality.problem.closed_before_created": "quality.problem.closed_before_created_any",
    "quality.problem.duplicate_same": "quality.problem.duplicate_same_any",
    "quality.problem.duplicate_different": "quality.problem.duplicate_different_any",
    "quality.problem.already_gathered": "quality.problem.already_gathered_any",
}
# how a column was mapped (kpicore.ingest.mapping.ColumnMapping.how), as the reader's language says it
HOW_SETTING = Message.of("quality.how.setting")
_HOW = {HOW_SYNONYM: Message.of("quality.how.synonym"), HOW_SETTING_CODE: HOW_SETTING,
        HOW_PERSON: Message.of("recognition.how.person"), HOW_EVIDENCE: Message.of("recognition.how.evidence"),
        HOW_DERIVED: Message.of("recognition.how.derived")}
_DETAILS = frozenset({"cells", "rows", "created", "first", "others", "where"})


def table_label(table: str | None) -> Message | str:
    """A table as the reader's workbook names it (``quality.table.Deals``: « Affaires » / "Deals")."""
    return Message.of(f"quality.table.{table}") if table in schema.TABLES else (table or "")


def group_problem(problem: Message | str) -> Message | str:
    """The problem of a group of rows: ``problem`` without the details of its own row."""
    if isinstance(problem, Message):
        if problem.code not in _GROUPED:  # its figures say the group's own (a label's count of rows)
            return problem
        figures = {k: v for k, v in problem.figures if k not in _DETAILS}
        return Message.of(_GROUPED[problem.code], **figures)
    # text from a part that does not speak in codes yet: details in parentheses left out,
    # French plural marks such as "ligne(s)" kept
    return re.sub(r"\s*\((?!s\))[^)]*\)", "", problem).strip()


def _groups(data: PipelineData, severity: str) -> list[dict[str, Any]]:
    groups: dict[tuple, dict[str, Any]] = {}
    for i in data.quality.issues:
        if i.severity != severity:
            continue
        problem = group_problem(i.problem)
        key = (i.table, problem, i.column)
        g = groups.setdefault(key, {"table": i.table, "problem": problem, "column": i.column, "fix": i.fix,
                                    "count": 0, "first": []})
        g["count"] += 1
        if len(g["first"]) < ROWS_SHOWN:
            g["first"].append({"file": i.file, "sheet": i.sheet, "row": i.row, "value": i.value,
                               "detail": i.problem})
    return sorted(groups.values(), key=lambda g: -g["count"])


def _candidate(c: Candidate | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"header": c.header, "letter": c.letter, "confidence": c.confidence, "evidence": list(c.evidence)}


def _worth_saying(c: ColumnChoice) -> bool:
    """A choice that is not an exact known header: found by evidence, chosen by a person or a setting, or
    whose chosen header vanished."""
    return bool(c.vanished) or (c.chosen is not None and c.how != HOW_SYNONYM)


def choices_report(data: PipelineData) -> list[dict[str, Any]]:
    """Each column choice worth saying (:func:`_worth_saying`), guesses first: header, evidence, confidence,
    runner-up."""
    out = []
    grids: tuple[GridReport, ...] = data.ingest.grids if data.ingest else ()
    for g in grids:
        for c in g.choices:
            if not _worth_saying(c):
                continue
            out.append({"file": g.file, "sheet": g.sheet, "table": c.table, "column": c.column,
                        "label": column_label(c.table, c.column), "chosen": _candidate(c.chosen),
                        "how": _HOW.get(c.how, c.how), "runner_up": _candidate(c.runner_up), "guess": c.guess,
                        "vanished": c.vanished})
    return sorted(out, key=lambda c: not c["guess"])


def check_report(data: PipelineData) -> dict[str, Any]:
    """The mapping and the quality report as plain data, its texts as messages (module docstring)."""
    sheets = []
    for g in (data.ingest.grids if data.ingest else ()):
        sheets.append({
            "file": g.file, "sheet": g.sheet, "excel_table": g.table_name, "table": g.table,
            "chosen_by": g.chosen_by, "header_row": g.header_row,
            "columns": [{"letter": c.letter, "header": c.header, "column": c.column, "how": _HOW.get(c.how, c.how),
                         "confidence": c.confidence, "evidence": list(c.evidence)}
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
        "choices": choices_report(data),
        "notes": list(data.ingest.notes) if data.ingest else [],
        "errors": _groups(data, ERROR),
        "warnings": _groups(data, "warning"),
    }
