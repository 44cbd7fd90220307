"""Fill Pilotage's templates the way a user would (openpyxl, French drop-down words), for the tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from kpicore.model import schema
from workbook_templates import activity_workbook as aw
from workbook_templates import pipeline_template as pt

# What a user picks in each drop-down, per canonical choice.
WORDS = {
    ("Deals", "status"): dict(zip(schema.STATUSES, pt.STATUS_WORDS_FR)),
    ("Activities", "type"): dict(schema.ACTIVITY_TYPE_LABELS_FR),
    ("Targets", "scope_type"): dict(zip(("rep", "team", "company"), pt.SCOPE_WORDS_FR)),
    ("Actions", "ritual"): dict(zip(("weekly", "monthly", "quarterly"), pt.RITUAL_WORDS_FR)),
    ("Actions", "status"): dict(zip(("open", "done", "dropped"), pt.ACTION_STATUS_WORDS_FR)),
}


def _cell(table: schema.Table, col: schema.Column, value):
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    if col.kind == "date":
        return pd.Timestamp(value).to_pydatetime()
    if col.kind in ("amount", "number", "fraction"):
        return float(value)
    if col.kind == "int":
        return int(value)
    if col.kind == "bool":
        return bool(value)
    return WORDS.get((table.name, col.name), {}).get(str(value), str(value))


def fill_table(ws, table: schema.Table, frame: pd.DataFrame, excel_table: str | None = None) -> None:
    """Write ``frame`` into the Excel Table of ``ws`` from row 2 and resize the table to it."""
    cols = table.columns
    # a value typed in a formatted column takes the column's format (openpyxl would give dates its own)
    # (openpyxl keys a <col min.. max..> range by its first letter)
    formats = ["General"] * len(cols)
    for dim in ws.column_dimensions.values():
        for c in range(dim.min or 1, min(dim.max or 0, len(cols)) + 1):
            formats[c - 1] = dim.number_format
    for r, rec in enumerate(frame[[c.name for c in cols]].itertuples(index=False), start=2):
        for c, (col, value) in enumerate(zip(cols, rec), start=1):
            cell = ws.cell(r, c)
            cell.value = _cell(table, col, value)
            if formats[c - 1] != "General" and cell.value is not None:
                cell.number_format = formats[c - 1]
    last = openpyxl.utils.get_column_letter(len(cols))
    xl_table = ws.tables[excel_table or table.name]
    rows = max(len(frame), int(xl_table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1)
    xl_table.ref = f"A1:{last}{rows + 1}"
    if xl_table.autoFilter is not None:
        xl_table.autoFilter.ref = xl_table.ref


def fill_pipeline_template(template: Path, data, out: Path, settings: dict[str, str] | None = None) -> Path:
    """The template at ``template`` filled with ``data``'s user-kept tables, saved at ``out``."""
    wb = openpyxl.load_workbook(template)
    values = {str(k): v for k, v in zip(data.settings["key"], data.settings["value"])} | dict(settings or {})
    frames = {"deals": data.deals, "stage_history": data.stage_history, "reps": data.reps,
              "targets": data.targets, "co_visits": data.co_visits, "actions": data.actions, "stages": data.stages,
              "settings": pd.DataFrame({"key": list(values), "value": list(values.values())})}
    for attr, frame in frames.items():
        table = schema.TABLES[{"stage_history": "StageHistory", "co_visits": "CoVisits"}.get(attr, attr.title())]
        ws = wb[table.sheet_fr]
        # the template's own rows (default stages, settings) are replaced, not appended to
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.value = None
        fill_table(ws, table, frame)
    wb.save(out)
    return out


def activity_book(path: Path, reps, rows: pd.DataFrame, *, team: str | None = None) -> Path:
    """A new activity workbook at ``path`` with ``rows`` (canonical Activities) typed in."""
    aw.write_activity_workbook(path, reps, team=team)
    wb = openpyxl.load_workbook(path)
    fill_table(wb[aw.SHEET], schema.ACTIVITIES, rows, aw.TABLE)
    wb.save(path)
    return path


def activities(rows: list[tuple]) -> pd.DataFrame:
    """Canonical Activities from (date, rep, type, deal_id, account, note) tuples."""
    frame = pd.DataFrame(rows, columns=schema.ACTIVITIES.column_names)
    frame["date"] = pd.to_datetime(frame["date"])
    return schema.conform(frame, schema.ACTIVITIES)
