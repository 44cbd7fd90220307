"""The product's own hidden sheets (forecast history ...): written as plain ranges, read back.

They are plain header + rows rather than Excel Tables because a refresh
replaces them at the package level, and a table's id is workbook-wide
(``workbook_templates.package`` refuses to transplant one).  Headers are the
French labels of ``kpicore.model.schema``; reading maps them back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from kpicore.cockpit import palette
from kpicore.model import schema
from workbook_templates import styles


def write_frame_sheet(workbook: Workbook, worksheet: Worksheet, frame: pd.DataFrame, table: schema.Table, *,
                      first_row: int = 0) -> None:
    """Write ``frame`` (conformed to ``table``) with its French headers, one typed column at a time;
    ``first_row`` > 0: only the rows from that one on, at their place (the header and the rows before are
    in the sheet already: ``workbook_templates.package.Appending``)."""
    header = workbook.add_format({"bold": True, "font_color": palette.PAPER, "bg_color": palette.INK})
    formats = {c.name: workbook.add_format({"num_format": styles.KIND_FORMATS[c.kind]})
               if styles.KIND_FORMATS.get(c.kind) else None for c in table.columns}
    frame = schema.conform(frame, table)
    for j, col in enumerate(table.columns):
        if first_row == 0:
            worksheet.write_string(0, j, col.label_fr, header)
            worksheet.set_column(j, j, styles.KIND_WIDTHS.get(col.kind, 16))
        values = frame[col.name]
        fmt = formats[col.name]
        filled = np.flatnonzero(values.notna().to_numpy(dtype=bool))
        filled = filled[filled >= first_row]
        rows = (filled + 1).tolist()
        # the values of a column converted at once: a year of weekly snapshots is a few million cells
        if col.kind == "date":
            serials = excel_serials(values.to_numpy(dtype="datetime64[ns]")[filled])
            for i, serial, early in zip(rows, serials.tolist(), (serials <= _LEAP_BUG_DAY).tolist()):
                if early:  # before 1 March 1900: XlsxWriter's own rules for Excel's first days
                    worksheet.write_datetime(i, j, pd.Timestamp(values.iloc[i - 1]).to_pydatetime(), fmt)
                else:
                    worksheet.write_number(i, j, serial, fmt)  # what write_datetime writes: the serial, formatted
        elif col.kind in ("amount", "number", "fraction", "int"):
            for i, number in zip(rows, values.to_numpy(dtype=float, na_value=np.nan)[filled].tolist()):
                worksheet.write_number(i, j, number, fmt)
        else:
            for i, value in zip(rows, values.to_numpy(dtype=object)[filled].tolist()):
                worksheet.write_string(i, j, str(value), fmt)
    if first_row == 0:
        worksheet.freeze_panes(1, 0)


# Excel's serial of 28 February 1900, the last day before the day it wrongly counts (29 February 1900)
_LEAP_BUG_DAY = 59.0
_EPOCH = np.datetime64("1899-12-31", "ns")
_DAY_NS = 86_400_000_000_000


def excel_serials(stamps: np.ndarray) -> np.ndarray:
    """Excel's serial numbers (1900 date system) of ``datetime64[ns]`` values, as XlsxWriter computes them
    from a ``datetime`` (days since 1899-12-31 plus the fraction of the day at the microsecond, one day
    more after 28 February 1900); the days up to that one are left to XlsxWriter."""
    delta = (stamps - _EPOCH).view(np.int64)
    days = np.floor_divide(delta, _DAY_NS)
    rest = delta - days * _DAY_NS
    seconds = (rest // 1_000_000_000).astype(float)
    micros = ((rest % 1_000_000_000) // 1_000).astype(float)
    serial = days.astype(float) + (seconds + micros / 1e6) / (60 * 60 * 24)
    return np.where(serial > _LEAP_BUG_DAY, serial + 1, serial)


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
