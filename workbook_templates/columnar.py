"""The large sheets of an .xlsx read as columns (fastexcel into Arrow), cell for cell as calamine's rows.

python-calamine gives a sheet as Python rows: on the large demo (1.5 million table rows) building them
costs twice fastexcel's reading of the same sheets into Arrow columns, and the rows hold a million
Python lists in memory.  A sheet whose XML part is large is therefore read by fastexcel, each column
typed as a whole (``dtype_coercion="strict"`` over every row), and handed to the ingest as
``ColumnRows``: the same cells calamine's ``to_python`` gives (``str``; ``float`` for every number;
``bool``; ``date`` at midnight, ``datetime`` otherwise; ``""`` for an empty cell or an error), so the
quality report is the same, cell for cell (``tests/test_columnar_reading.py`` compares both readers).

A sheet is read by rows as before whenever the columns could differ from calamine's rows:

- a column holding two kinds of cells (a text in a column of numbers, a title above the header): the
  strict reading refuses it;
- a sheet whose first cell is not A1 (fastexcel's first row and column are the first ones used);
- a header cell that fastexcel renames (a duplicate, a number) or a time of day, a duration, a workbook
  in the 1904 date system: cells whose Python value fastexcel does not give back as calamine does.
"""

from __future__ import annotations

import logging
import re
import zipfile
from typing import Any

import numpy as np

from kpicore.ingest.column_rows import ColumnRows

# From this size of a sheet's XML part (about 10,000 rows), reading it as columns pays for the check.
MIN_COLUMNAR_BYTES = 1_000_000

# fastexcel warns of each all-empty column it reads as text, which is what an empty column is here
logging.getLogger("fastexcel.types.dtype").setLevel(logging.ERROR)

_FIRST_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_DEDUPED = re.compile(r"^(.*)_\d+$")
_MS_PER_DAY = 86_400_000
# fastexcel's day 0 of the 1900 system: a datetime before it would be a time of day for calamine
_FIRST_DAY = np.datetime64("1900-01-01", "ms")


def starts_at_a1(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's first cell is A1 and holds a value (so both readers' first row is row 1)."""
    with zf.open(part) as stream:
        head = stream.read(1 << 16)
    m = _FIRST_CELL.search(head)
    if m is None or m.group(2) == b"/":
        return False
    ref = _REF.search(m.group(1))
    return ref is not None and ref.group(1) == b"A1"


def read_columns(reader: Any, sheet: str) -> ColumnRows | None:
    """The sheet's rows (header first) as columns, or None where they could differ from calamine's."""
    import fastexcel

    try:
        loaded = reader.load_sheet(sheet, header_row=0, schema_sample_rows=None, dtype_coercion="strict")
        infos = loaded.available_columns()
        batch, _errors = loaded.to_arrow_with_errors()  # an error cell is null, as calamine gives it ""
    except (fastexcel.FastExcelError, ValueError, OverflowError):
        return None
    header = _header(infos)
    if header is None:
        return None
    columns = []
    for name, array in zip(header, batch.columns):
        cells = _cells(array)
        if cells is None:
            return None
        column = np.empty(len(cells) + 1, dtype=object)
        column[0] = name
        column[1:] = cells
        columns.append(column)
    return ColumnRows(columns) if columns else None


def _header(infos: list) -> list[str] | None:
    """The header cells as calamine gives them, or None when fastexcel's names may not be them."""
    names = [info.name for info in infos]
    out = []
    for info, name in zip(infos, names):
        if str(info.column_name_from) == "generated":
            out.append("")  # an empty header cell
            continue
        deduped = _DEDUPED.match(name)
        if deduped and deduped.group(1) in names:
            return None  # « Montant » twice: fastexcel calls the second « Montant_1 »
        try:
            float(name.replace(",", "."))
            return None  # perhaps a number in the header cell, which calamine gives as a float
        except ValueError:
            out.append(name)
    return out


def _cells(array: Any) -> np.ndarray | None:
    """One Arrow column as the object array of calamine's Python cells ("" where empty), or None."""
    import pyarrow as pa

    kind = array.type
    empty = array.is_null().to_numpy(zero_copy_only=False)
    if pa.types.is_null(kind):
        cells = np.empty(len(array), dtype=object)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # each distinct text made a Python string once, and shared by the cells that hold it: a rep's name
        # in a million activities is one string, not a million
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(array)
        words = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
        if not len(words):
            words = np.array([""], dtype=object)
        cells = words[encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)]
    elif pa.types.is_floating(kind) or pa.types.is_integer(kind):
        cells = array.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(object)
    elif pa.types.is_boolean(kind):
        cells = np.array(array.to_pylist(), dtype=object)
    elif pa.types.is_timestamp(kind) and kind.tz is None:
        stamps = array.cast(pa.timestamp("ms")).to_numpy(zero_copy_only=False).astype("datetime64[ms]")
        filled = stamps[~empty]
        if len(filled) and filled.min() < _FIRST_DAY:
            return None  # a time of day, which calamine gives as a ``time``
        cells = np.empty(len(stamps), dtype=object)
        ms = stamps.view(np.int64)
        midnight = ~empty & (ms % _MS_PER_DAY == 0)
        timed = ~empty & ~midnight
        cells[midnight] = stamps[midnight].astype("datetime64[D]").astype(object)
        cells[timed] = stamps[timed].astype("datetime64[us]").astype(object)
    else:
        return None  # durations, dates without a time, anything calamine may give otherwise
    cells[empty] = ""
    return cells


def uses_1904_dates(zf: zipfile.ZipFile) -> bool:
    """Whether the workbook counts its dates from 1904 (Excel for Mac's old default)."""
    try:
        head = zf.read("xl/workbook.xml")[:1 << 16]
    except KeyError:
        return True  # no workbook part: let the row reader say what it is
    return re.search(rb'date1904="(?:1|true)"', head) is not None
