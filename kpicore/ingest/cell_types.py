"""The type of every cell of a column, as one small integer per cell.

The readers give a handful of Python types (calamine, the CSV reader, openpyxl, xlwings and UNO:
str, float, int, bool, datetime, date, time, timedelta, None).  A rule that asks ``isinstance`` of
each of a million cells costs more than reading them; :func:`type_codes` looks each cell's type up
in a table, in C (``map`` over ``type``), so that the rules can work on whole columns with numpy and
keep Python for the few cells that need it.  A type outside the table is coded :data:`UNKNOWN` and
the parsers handle such a cell one at a time, by the general rule.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat

import numpy as np
import pandas as pd

NONE, TEXT, INT, FLOAT, MISSING, BOOL, DATETIME, DATE, TIME, UNKNOWN = range(10)

# exact types only: a subclass the table does not name (a numpy scalar, a str subclass) is UNKNOWN
_CODE_OF_TYPE: dict[type, int] = {
    type(None): NONE, str: TEXT, int: INT, float: FLOAT, np.float64: FLOAT, type(pd.NaT): MISSING,
    type(pd.NA): MISSING, bool: BOOL, dt.datetime: DATETIME, pd.Timestamp: DATETIME, dt.date: DATE,
    dt.time: TIME, dt.timedelta: TIME,
}


def as_objects(cells: object) -> np.ndarray:
    """``cells`` (a list, a tuple or an array) as a one-dimensional object array, without copying an
    object array."""
    if isinstance(cells, np.ndarray) and cells.dtype == object and cells.ndim == 1:
        return cells
    arr = np.empty(len(cells), dtype=object)  # type: ignore[arg-type]
    arr[:] = list(cells)  # type: ignore[call-overload]
    return arr


def type_codes(cells: np.ndarray) -> np.ndarray:
    """One code per cell (NONE, TEXT, ... UNKNOWN) by the cell's exact type."""
    return np.fromiter(map(_CODE_OF_TYPE.get, map(type, cells), repeat(UNKNOWN)), dtype=np.int8, count=len(cells))


def nan_floats(cells: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Where a FLOAT cell holds NaN (an empty cell, as pandas gives it)."""
    out = np.zeros(len(cells), dtype=bool)
    floats = np.flatnonzero(codes == FLOAT)
    if len(floats):
        out[floats] = np.isnan(cells[floats].astype(float))
    return out


__all__ = ["BOOL", "DATE", "DATETIME", "FLOAT", "INT", "MISSING", "NONE", "TEXT", "TIME", "UNKNOWN", "as_objects",
           "nan_floats", "type_codes"]
