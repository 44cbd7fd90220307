"""The product's hidden sheets written column by column (``write_frame_sheet``) read back cell for cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from xlsxwriter import Workbook

from kpicore.model import schema
from workbook_templates.product_sheets import excel_serials, write_frame_sheet


@pytest.mark.parametrize("day, serial", [
    # Excel's serials, by its own count: 1 January 2026 is 46023 (45658 for 2025 plus 365 days)
    ("2026-01-01", 46023.0),
    ("2026-11-23", 46023.0 + 326),  # 304 days to 1 November, 22 more
    ("2026-11-23 12:00", 46349.5),
    ("2026-11-23 06:00:00.5", 46349.0 + (6 * 3600 + 0.5) / 86400),
    ("1900-03-01", 61.0),  # Excel counts a 29 February 1900 that never was
])
def test_serials_are_excels(day, serial):
    assert excel_serials(np.array([np.datetime64(pd.Timestamp(day), "ns")]))[0] == pytest.approx(serial, abs=1e-9)


def test_a_frame_sheet_reads_back_as_written(tmp_path):
    table = schema.FORECAST_HISTORY
    kinds = {c.name: c.kind for c in table.columns}
    dates = [pd.Timestamp("2026-11-23"), pd.Timestamp("2026-11-23 14:30:15"), pd.NaT, pd.Timestamp("1900-01-15")]
    frame = table.empty().reindex(range(len(dates)))
    for name, kind in kinds.items():
        if kind == "date":
            frame[name] = dates
        elif kind in ("amount", "number", "fraction"):
            frame[name] = [1250.5, np.nan, 0.0, 3.0]
        elif kind == "int":
            frame[name] = pd.array([1, None, 3, 4], dtype="Int64")
        else:
            frame[name] = ["Nord", None, "Éclat « SAS »", "x"]
    path = tmp_path / "sheet.xlsx"
    with Workbook(path) as wb:
        write_frame_sheet(wb, wb.add_worksheet("S"), frame, table)
    ws = openpyxl.load_workbook(path)["S"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [c.label_fr for c in table.columns]
    for j, col in enumerate(table.columns):
        got = [r[j] for r in rows[1:]] + [None] * (len(dates) - len(rows) + 1)
        if col.kind == "date":
            assert got == [dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 23, 14, 30, 15), None,
                           dt.datetime(1900, 1, 15)], col.name
        elif col.kind in ("amount", "number", "fraction", "int"):
            expected = [1, None, 3, 4] if col.kind == "int" else [1250.5, None, 0.0, 3.0]
            assert got == expected, col.name
        else:
            assert got == ["Nord", None, "Éclat « SAS »", "x"], col.name
