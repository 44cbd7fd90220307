"""The product's own hidden sheets (forecast history ...): written as plain ranges, read back.

They are plain header + rows rather than Excel Tables because a refresh
replaces them at the package level, and a table's id is workbook-wide
(``workbook_templates.package`` refuses to transplant one).  Headers are the
French labels of ``kpicore.model.schema``; reading maps them back.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.cockpit import palette
from kpicore.model import schema
from workbook_templates import styles


def write_frame_sheet(workbook: Workbook, worksheet: Worksheet, frame: pd.DataFrame, table: schema.Table) -> None:
    """Write ``frame`` (conformed to ``table``) with its French headers, one typed column at a time."""
    header = workbook.add_format({"bold": True, "font_color": palette.PAPER, "bg_color": palette.INK})
    formats = {c.name: workbook.add_format({"num_format": styles.KIND_FORMATS[c.kind]})
               if styles.KIND_FORMATS.get(c.kind) else None for c in table.columns}
    frame = schema.conform(frame, table)
    for j, col in enumerate(table.columns):
        worksheet.write_string(0, j, col.label_fr, header)
        worksheet.set_column(j, j, styles.KIND_WIDTHS.get(col.kind, 16))
        values = frame[col.name]
        fmt = formats[col.name]
        for i, value in enumerate(values, start=1):
            if pd.isna(value):
                continue
            if col.kind == "date":
                worksheet.write_datetime(i, j, pd.Timestamp(value).to_pydatetime(), fmt)
            elif col.kind in ("amount", "number", "fraction", "int"):
                worksheet.write_number(i, j, float(value), fmt)
            else:
                worksheet.write_string(i, j, str(value), fmt)
    worksheet.freeze_panes(1, 0)


def frame_from_rows(rows: list[list] | None, table: schema.Table) -> pd.DataFrame:
    """A product sheet's rows (header first, as any engine reads them) as a frame conformed to ``table``.

    Empty when the sheet is absent or empty; columns are matched by their French label.
    """
    if not rows:
        return table.empty()
    by_label = {c.label_fr: c for c in table.columns}
    cols = [by_label.get(str(h)) for h in rows[0]]
    data: dict[str, list] = {c.name: [] for c in cols if c is not None}
    for row in rows[1:]:
        if not any(v not in (None, "") for v in row):
            continue
        for c, v in zip(cols, row):
            if c is not None:
                data[c.name].append(None if v == "" else v)
    frame = pd.DataFrame(data)
    for c in table.columns:
        if c.name not in frame:
            continue
        if c.kind == "date":
            frame[c.name] = pd.to_datetime(frame[c.name], errors="coerce").dt.normalize()
        elif c.kind in ("amount", "number", "fraction"):
            frame[c.name] = pd.to_numeric(frame[c.name], errors="coerce")
        elif c.kind == "int":
            frame[c.name] = pd.to_numeric(frame[c.name], errors="coerce").round().astype("Int64")
        else:
            frame[c.name] = frame[c.name].map(lambda v: None if pd.isna(v) else str(v))
    return schema.conform(frame, table)


def frame_rows(frame: pd.DataFrame, table: schema.Table) -> list[list]:
    """``frame`` as rows for a live write: the French header, then plain values (None, float,
    ``datetime`` or str), the same cells ``write_frame_sheet`` writes."""
    frame = schema.conform(frame, table)
    columns = []
    for col in table.columns:
        values = frame[col.name]
        if col.kind == "date":
            out = [None if pd.isna(v) else pd.Timestamp(v).to_pydatetime() for v in values]
        elif col.kind in ("amount", "number", "fraction", "int"):
            out = [None if pd.isna(v) else float(v) for v in values]
        else:
            out = [None if pd.isna(v) else str(v) for v in values]
        columns.append(out)
    header = [c.label_fr for c in table.columns]
    return [header] + [list(r) for r in zip(*columns)] if columns else [header]
